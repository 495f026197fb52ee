"""The async part of REPORT.md (rows of chan_bench_async, bench/async_main.cpp): chan's coroutines against asio's
concurrent_channel on a 2-thread asio::thread_pool, the CPU of 1,000 idle suspended receivers, and crossbeam's
suite at capacity 1 with coroutines beside Go's goroutines; its targets join the report's target table."""
import os
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from data import NOISY_CV, fmt_si, geomean  # noqa: E402

FLAVOURS = ["chan_async", "chan_asio", "asio_channel"]
PEER = "asio_channel"
GRID = ["1x1", "4x4", "16x16"]
CAPS = [1, 32, 1024]
SUITE = [("suite_spsc", "1x1", "spsc 1 → 1"), ("suite_mpsc", "4x1", "mpsc 4 → 1"), ("suite_mpmc", "4x4", "mpmc 4 → 4")]
SUITE_PEERS = ["go", "chan", "crossbeam"]  # goroutines, and the threads' rows of the same scenarios
TARGET_RATIO = 3.0
IDLE_LIMIT_MS = 1.0  # CPU ms per idle second for 1,000 receivers: "nothing measurable"
COLOURS = {"chan_async": "#d62728", "chan_asio": "#ff9896", "asio_channel": "#1f77b4"}
LABELS = {"chan_async": "chan_async (chan's awaitables, resumed inline)",
          "chan_asio": "chan_asio (chan through asio tokens, use_awaitable)",
          "asio_channel": "asio_channel (asio::experimental::concurrent_channel)"}
RULE = ("×r is chan's advantage over asio_channel: chan's median ÷ asio_channel's (items/s); above 1 chan is better. "
        "(n %) is the coefficient of variation over the samples; **bold‡** marks a cell above 10 %.")


def _tp(q, grid, cap):
    return f"{q}/async/{grid}/cap:{cap}/u64"


FLOOR = "asio_post/async_floor/1x1/cap:0/u64"


def _floor_text(run):
    """asio's completion path alone against asio_channel's median cell, or "" """
    peer = [run.med[_tp(PEER, g, c)] for c in CAPS for g in GRID if _tp(PEER, g, c) in run]
    if FLOOR not in run or not peer:
        return ""
    return (f"asio's completion path alone (`asio_post`: two coroutines, one `co_await asio::post` per send and per "
            f"receive, no channel) moves {fmt_si(run.med[FLOOR])} items/s{run.cv_text(FLOOR)}, "
            f"×{run.med[FLOOR] / statistics.median(peer):.2f} of asio_channel's median cell: both rows awaited through "
            "`use_awaitable` run at about the speed of asio's own completion path, whichever channel is beneath")


def _idle(q):
    return f"{q}/async_idle/1x1000/cap:32/u64"


def _suite(q, s, g):
    return f"{q}/{s}/{g}/cap:1/u64"


def _counter(run, name, key):
    """median over the samples of one of a row's extra counters, or None"""
    values = [b[key] for b in run.doc["benchmarks"] if b["name"] == name and key in b]
    return statistics.median(values) if values else None


def _threads(run):
    """where the work ran: per flavour, the busiest pool thread's share of the items and the CPUs kept busy"""
    lines = []
    for q in FLAVOURS:
        names = [_tp(q, g, c) for c in CAPS for g in GRID if _tp(q, g, c) in run]
        share = [v for v in (_counter(run, n, "busiest_thread_share") for n in names) if v is not None]
        busy = [v for v in (_counter(run, n, "cpus_busy") for n in names) if v is not None]
        if share and busy:
            lines.append(f"| {q} | {min(share):.2f}–{max(share):.2f} | {sum(1 for v in share if v > 0.99)} of "
                         f"{len(share)} | {statistics.median(busy):.2f} |")
    if not lines:
        return []
    return ["Where the work ran: the share of a sample's items received on the pool thread that received most (0.5: "
            "spread evenly over the two threads, 1: all on one), and the process's CPU time ÷ wall time of the sample "
            "(at most 2; on a loaded machine it also shows how much of the cores the run was given). chan_async's "
            "inline resumption runs a resumed coroutine on its notifier's thread, and a pool thread left with no running "
            "coroutine gets none back (nothing is posted after the start). Where its coroutines suspend on nearly every "
            "message (capacity 1, a single pair) they gather on one thread, and its figures there are one thread's "
            "throughput; with room in the channel they mostly stay where they started.", "",
            "| queue | busiest thread's share, min–max over cells | cells with all items on one thread | CPUs busy, "
            "median over cells |", "|---|---|---|---|"] + lines + [""]


def _cells(run, mine):
    """(cap, grid, chan's advantage over asio_channel) for every cell both rows have"""
    out = []
    for cap in CAPS:
        for g in GRID:
            a, b = _tp(mine, g, cap), _tp(PEER, g, cap)
            if a in run and b in run and run.med[b]:
                out.append((cap, g, run.med[a] / run.med[b]))
    return out


def _value(run, name, unit=""):
    if name not in run:
        return "—"
    v = run.med[name]
    return (f"{v:.3g} s" if unit == "s" else fmt_si(v)) + run.cv_text(name)


def target_rows(run):
    """(target, figure, met, names used) rows for targets.py"""
    out = []
    for mine, what in (("chan_asio", "through asio's completion tokens (`chan_asio`, like for like)"),
                       ("chan_async", "with its own awaitables (`chan_async`)")):
        cells = _cells(run, mine)
        if not cells:
            continue
        low = [f"cap {c} {g} ×{r:.2f}" for c, g, r in sorted(cells, key=lambda x: x[2]) if r < TARGET_RATIO]
        figure = (f"×{geomean(r for _, _, r in cells):.2f} geometric mean over {len(cells)} cells, lowest "
                  f"×{min(r for _, _, r in cells):.2f}; " + (f"below ×{TARGET_RATIO:g} in {len(low)}: " + "; ".join(low)
                                                             if low else f"≥ ×{TARGET_RATIO:g} everywhere"))
        if mine == "chan_asio" and _floor_text(run):
            figure += "; " + _floor_text(run)
        out.append((f"Async: chan's coroutines {what} at least {TARGET_RATIO:g}× asio's concurrent_channel in every cell "
                    "(2-thread pool; 1x1, 4x4, 16x16 coroutines; capacities 1, 32, 1024)", figure, not low,
                    [n for c, g, _ in cells for n in (_tp(mine, g, c), _tp(PEER, g, c))]))
    idle = [q for q in ("chan_async", "chan_asio") if _idle(q) in run]
    if idle:
        out.append((f"Async: 1,000 suspended receivers on an empty channel cost nothing measurable (under "
                    f"{IDLE_LIMIT_MS:g} ms of process CPU per second)",
                    ", ".join(f"{q} {run.med[_idle(q)]:.3f} ms per s" for q in idle),
                    all(run.med[_idle(q)] < IDLE_LIMIT_MS for q in idle), [_idle(q) for q in idle]))
    pairs = [(label, run.med[_suite("chan_async", s, g)], run.med[_suite("go", s, g)])
             for s, g, label in SUITE if _suite("chan_async", s, g) in run and _suite("go", s, g) in run]
    if pairs:
        out.append(("Async: crossbeam's suite at capacity 1 with coroutines on a 2-thread pool (`chan_async`) at least "
                    "as fast as Go's goroutines (spsc, mpsc, mpmc)",
                    ", ".join(f"{label}: {c:.3g} s vs go {g:.3g} s" for label, c, g in pairs),
                    all(c <= g for _, c, g in pairs),
                    [n for s, g, _ in SUITE for n in (_suite("chan_async", s, g), _suite("go", s, g)) if n in run]))
    return out


def section(run, env):
    names = [n for n in run.med if n.split("/")[0] in FLAVOURS or n == FLOOR]
    if not names:
        return []
    out = ["## Async: coroutines on a 2-thread pool", "",
           "N producer and N consumer coroutines move u64 items through one channel, on an `asio::thread_pool` of 2 "
           "threads (bench/async_main.cpp); every sample is at least 2^20 items and 50 ms in the default mode, and "
           "checks the count and both checksums. " + " ".join(f"`{q}`: {LABELS[q].split('(', 1)[1].rstrip(')')}."
                                                            for q in FLAVOURS), "",
           "`chan_asio` and `asio_channel` run the same asio coroutines (`co_spawn`, `use_awaitable`) and complete "
           "every operation through the pool's queue: that comparison is like for like. `chan_async` awaits chan "
           "directly from a minimal task that the pool starts once; a suspended coroutine is then resumed inline by "
           "the coroutine that makes it ready (see where the work ran, below the table).", "",
           RULE, "", "| capacity | coroutines | " + " | ".join(FLAVOURS) + " | chan_asio ×r | chan_async ×r |",
           "|---|---|" + "---|" * (len(FLAVOURS) + 2)]
    for cap in CAPS:
        for g in GRID:
            row = [_value(run, _tp(q, g, cap)) for q in FLAVOURS]
            if all(v == "—" for v in row):
                continue
            ratios = []
            for mine in ("chan_asio", "chan_async"):
                a, b = _tp(mine, g, cap), _tp(PEER, g, cap)
                ratios.append(f"×{run.med[a] / run.med[b]:.2f}" if a in run and b in run and run.med[b] else "—")
            out.append(f"| {cap} | {g} | " + " | ".join(row + ratios) + " |")
    out.append("")
    if _floor_text(run):
        out += [_floor_text(run) + ".", ""]
    out += _threads(run)
    png = plot(run, env)
    if png:
        out += [f"![async throughput]({png})", ""]
    idle = [q for q in FLAVOURS if _idle(q) in run]
    if idle:
        out += ["### 1,000 suspended receivers on an empty channel", "",
                "CPU time of the whole process (CLOCK_PROCESS_CPUTIME_ID: both pool threads and the sleeping main "
                "thread) over 1 s of wall clock while 1,000 receiver coroutines wait on an empty channel of capacity "
                "32; then the channel closes and every receiver must end with closed. Lower is better.", "",
                "| queue | CPU ms per idle s (CV) |", "|---|---|"]
        out += [f"| {q} | {run.med[_idle(q)]:.3f}{run.cv_text(_idle(q))} |" for q in idle] + [""]
    peers = [q for q in SUITE_PEERS if any(_suite(q, s, g) in run for s, g, _ in SUITE)]
    if any(_suite("chan_async", s, g) in run for s, g, _ in SUITE):
        out += ["### crossbeam's suite at capacity 1, with coroutines", "",
                "The suite's spsc, mpsc and mpmc scenarios (one-word messages, capacity 1) as coroutines on the 2-thread "
                "pool (`chan_async`), beside Go's goroutines (GOMAXPROCS = cores) and the threads' rows of the same "
                "scenarios (`chan` blocking, crossbeam-channel). Seconds per 5,000,000 messages, lower is better; ×r is "
                "chan_async's advantage over the row (the row's median ÷ chan_async's; above 1 chan_async is better).",
                "", "| " + " | ".join(["scenario", "chan_async"] + peers) + " |", "|---|---|" + "---|" * len(peers)]
        for s, g, label in SUITE:
            mine = _suite("chan_async", s, g)
            cells = []
            for q in peers:
                n = _suite(q, s, g)
                if n not in run:
                    cells.append("—")
                    continue
                r = f" ×{run.med[n] / run.med[mine]:.2f}" if mine in run and run.med[mine] else ""
                cells.append(f"{run.med[n]:.3g} s{r}{run.cv_text(n)}")
            out.append("| " + " | ".join([label, _value(run, mine, "s")] + cells) + " |")
        out.append("")
    noisy = run.noisy(names)
    if noisy:
        out += [f"{len(noisy)} of {len(names)} async rows have a CV above {NOISY_CV:.0%}.", ""]
    return out


def plot(run, env):
    caps = [c for c in CAPS if any(_tp(q, g, c) in run for q in FLAVOURS for g in GRID)]
    if not caps:
        return None
    fig, axes = plt.subplots(1, len(caps), figsize=(max(4.6 * len(caps), 7.5), 5.4), squeeze=False, sharey=True)
    handles = {}
    width = 0.84 / len(FLAVOURS)
    for ax, cap in zip(axes[0], caps):
        for i, q in enumerate(FLAVOURS):
            xs, ys, lo, hi = [], [], [], []
            for j, g in enumerate(GRID):
                n = _tp(q, g, cap)
                if n in run:
                    m = run.med[n]
                    xs.append(j - 0.42 + (i + 0.5) * width)
                    ys.append(m)
                    lo.append(m - min(run.samples[n]))
                    hi.append(max(run.samples[n]) - m)
            chan = q.startswith("chan")
            handles[q] = ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, color=COLOURS[q],
                                edgecolor="black" if chan else "none", linewidth=0.8 if chan else 0,
                                error_kw={"elinewidth": 0.6, "ecolor": "#444444"}, zorder=3)
        ax.set_xticks(range(len(GRID)), [f"{g}" for g in GRID])
        ax.set_xlabel("producer x consumer coroutines\n(bars: median; whiskers: min-max)", fontsize=8)
        ax.set_ylabel("items/s, higher is better (linear)", fontsize=8)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: f"{v / 1e6:g}M" if v >= 1e6 else (f"{v / 1e3:g}k" if v >= 1e3 else f"{v:g}")))
        ax.set_title(f"capacity {cap}", fontsize=10)
        ax.grid(axis="y", color="#e5e5e5", zorder=0)
        ax.set_axisbelow(True)
    fig.suptitle(f"Coroutines on a 2-thread asio::thread_pool, u64 — {env['cpu_model']}, {env['cores']} cores",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.16, 1, 0.95))
    qs = [q for q in FLAVOURS if q in handles]
    fig.legend([handles[q] for q in qs], [LABELS[q] for q in qs], loc="lower center", ncol=1, fontsize=8,
               frameon=False)
    fig.savefig(os.path.join(run.folder, "async.png"), dpi=80)
    plt.close(fig)
    return "async.png"

"""The select rows of the report: crossbeam's select_rx and select_both over 4 channels, chan against
crossbeam-channel, flume and Go, chan's one-channel yardstick (select_rx_one), their targets, a plot,
and the instruction counts of a select with a ready arm against try_recv (instructions.txt)."""
import os
import re

import matplotlib

from data import RATIO_RULE, fmt_si, geomean, parts

SCENARIOS = {"select_rx": ("4x1", "select_rx: 4 channels, one producer each (plain send), one consumer selecting a "
                                  "receive over all 4"),
             "select_both": ("4x4", "select_both: 4 threads selecting a send over the 4 channels, 4 threads "
                                    "selecting a receive"),
             "select_rx_dyn": ("4x1", "select_rx_dyn: select_rx through a run-time selector (chan::selector, "
                                      "crossbeam's Select), its 4 arms added once")}
PLOTTED = ("select_rx", "select_both")
BLOCKING = ["chan", "crossbeam", "flume", "go"]
TRY = ["chan_try", "crossbeam_try", "go_try"]
ONE = "select_rx_one"  # select_rx's traffic through one channel of the same capacity
RECEIVES = ["try_recv", "select_biased", "select_unbiased", "selector_biased", "selector_unbiased"]
RECEIVE_LABEL = {"try_recv": "`ch.try_recv(out)`",
                 "select_biased": "`try_select(biased, recv(a, out), recv(b, out))`, a ready",
                 "select_unbiased": "`try_select(recv(a, out), recv(b, out))`, both ready",
                 "selector_biased": "`selector<>` with those 2 arms, `try_select(biased)`, a ready",
                 "selector_unbiased": "`selector<>` with those 2 arms, `try_select()`, both ready"}

NOTES = [
    "Each library's select over arms fixed in the source: `chan::select` / `chan::try_select`, crossbeam's "
    "`select!` (with a `default` arm in crossbeam_try rows), Go's `select` statement (with `default` and "
    "`runtime.Gosched()` in go_try rows). flume has one selector, `Selector`, built for every message, and no "
    "non-blocking select (no flume_try rows).",
    "flume has no select_both rows: with send arms, flume 0.10.14's `Selector` delivered some messages twice and "
    "left threads asleep beside full or non-empty channels, so the run never ended (see bench/peers/rust/src/"
    "select.rs). Its select_rx (receive arms only) runs and passes the checks.",
    "select_both's senders select a send in every language (crossbeam's Rust benchmark does; its Go benchmark "
    "sends with plain sends there). Every select row checks the count and both checksums; select_rx also checks "
    "that each item came out of its producer's channel (the arm index), in that producer's order.",
    "select_rx_dyn runs select_rx's consumer through each library's run-time selector, built once before the "
    "loop (crossbeam's own benchmark builds a `Select` per message): `chan::selector` and crossbeam's `Select`. Go "
    "has none but `reflect.Select`, flume none but its per-message `Selector`: no go or flume rows.",
    f"`{ONE}` is select_rx's traffic (4 producers, one consumer, 2^20 items or more) through one channel of the "
    "same capacity, received with a plain receive: the yardstick for what selecting over 4 channels costs chan.",
]


def _name(queue, scenario, cap):
    grid = SCENARIOS[scenario][0] if scenario in SCENARIOS else "4x1"
    return f"{queue}/{scenario}/{grid}/cap:{cap}/u64"


def _caps(run):
    return sorted({parts(n)[3] for n in run.med if parts(n)[1] in SCENARIOS or parts(n)[1] == ONE},
                  key=lambda c: (isinstance(c, str), c))


def instructions(folder):
    path = os.path.join(folder, "instructions.txt")
    if not os.path.exists(path):
        return {}
    found = dict(re.findall(r"^(\w+): (\d+) instructions per receive", open(path).read(), re.M))
    return {k: int(v) for k, v in found.items() if k in RECEIVES}


def targets(run):
    """(target, figure, met, names of the cells it rests on), as targets.rows"""
    med, out = run.med, []
    for mine in ("chan", "chan_try"):
        rs = [(c, med[_name(mine, "select_rx", c)] / med[_name(mine, ONE, c)]) for c in _caps(run)
              if _name(mine, "select_rx", c) in med and _name(mine, ONE, c) in med]
        if rs:
            out.append((f"Select: `{mine}` select_rx (4 channels) moves at least half the items/s of the same traffic "
                        f"through one channel ({ONE})", ", ".join(f"cap {c} ×{r:.2f}" for c, r in rs),
                        all(r >= 0.5 for _, r in rs),
                        [_name(mine, s, c) for c, _ in rs for s in ("select_rx", ONE)]))
    behind, used = [], []
    for scenario in SCENARIOS:
        for mine, peers in (("chan", BLOCKING[1:]), ("chan_try", TRY[1:])):
            for c in _caps(run):
                for q in peers:
                    a, b = _name(mine, scenario, c), _name(q, scenario, c)
                    if a in med and b in med:
                        used += [a, b]
                        if med[b] > med[a]:
                            behind.append(f"{q} in {scenario} cap {c} (chan ×{med[a] / med[b]:.2f})")
    if used:
        figure = "ahead everywhere" if not behind else (
            f"behind in {len(behind)} of {len(used) // 2} cells: " + "; ".join(behind[:8])
            + (f"; and {len(behind) - 8} more" if len(behind) > 8 else ""))
        out.append(("Select, other languages: chan ahead of crossbeam-channel, flume and Go in select_rx, "
                    "select_rx_dyn and select_both (blocking against blocking, try against try)", figure, not behind,
                    used))
    counts = instructions(run.folder)
    if "try_recv" in counts and len(counts) > 1:
        t = counts["try_recv"]
        out.append(("A select whose first scanned arm is ready costs at most 2× a try_recv (callgrind, 2 arms)",
                    ", ".join(f"{k} {v} (×{v / t:.2f})" for k, v in counts.items() if k != "try_recv")
                    + f"; try_recv {t}", all(v <= 2 * t for v in counts.values()), []))
    return out


def section(run, env, heading="###"):
    """a subsection of "chan among channels in other languages" (heading "##" when that section is absent)"""
    caps = _caps(run)
    if not caps:
        return []
    out = [f"{heading} Select over four channels (crossbeam-channel's select_rx and select_both): items/s, higher is "
           "better; ×r = chan's advantage", "", RATIO_RULE, ""] + [f"- {n}" for n in NOTES] + [""]
    for scenario, (grid, what) in SCENARIOS.items():
        rows = [(q, q, scenario) for q in BLOCKING + TRY]  # (label, queue, scenario)
        if scenario == "select_rx":
            rows += [(f"{q}, one channel ({ONE})", q, ONE) for q in ("chan", "chan_try")]
        rows = [r for r in rows if any(_name(r[1], r[2], c) in run for c in caps)]
        if not rows:
            continue
        out += [f"{heading}# {what} ({grid})", "", "| row | " + " | ".join(f"cap {c}" for c in caps) + " |",
                "|---|" + "---|" * len(caps)]
        for label, q, s in rows:
            out.append(f"| {label} | " + " | ".join(run.cell(_name(q, s, c)) for c in caps) + " |")
        out.append("")
    for mine in ("chan", "chan_try"):
        rs = [f"cap {c}: ×{run.med[_name(mine, 'select_rx', c)] / run.med[_name(mine, ONE, c)]:.2f}" for c in caps
              if _name(mine, "select_rx", c) in run and _name(mine, ONE, c) in run]
        if rs:
            out += [f"`{mine}` select_rx ÷ {ONE} (above 0.5: the target is met): " + ", ".join(rs), ""]
    counts = instructions(run.folder)
    if counts:
        t = counts.get("try_recv")
        out += [f"{heading}# What one receive costs: a select with a ready arm against try_recv", "",
                "Instructions per receive of a ready u64 on one thread (callgrind; only the receives are counted, "
                "each with its share of the loop: a counter and a sum).", "",
                "| receive | instructions | ÷ try_recv |", "|---|---|---|"]
        for k in RECEIVES:
            if k in counts:
                out.append(f"| {RECEIVE_LABEL[k]} | {counts[k]} | " + (f"×{counts[k] / t:.2f}" if t else "") + " |")
        out.append("")
    png = plot(run, env, caps)
    if png:
        out += [f"![select over four channels]({png})", ""]
    return out


def plot(run, env, caps):
    import matplotlib.pyplot as plt

    import plots

    panels = [(s, mode, qs) for s in PLOTTED for mode, qs in (("blocking", BLOCKING), ("try + yield", TRY))
              if any(_name(q, s, c) in run for q in qs for c in caps)]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.8), squeeze=False)
    for ax, (scenario, mode, queues) in zip(axes[0], panels):
        qs = list(queues)
        mine = "chan" if mode == "blocking" else "chan_try"
        one = f"one channel ({mine})"  # not "chan..." so plots._bars does not outline it as chan
        if scenario == "select_rx":
            qs.append(one)

        def key(q, c, scenario=scenario, mine=mine, one=one):
            return _name(mine, ONE, c) if q == one else _name(q, scenario, c)

        handles = plots._bars(ax, run, qs, key, caps)
        ax.set_xticks(range(len(caps)), [f"cap {c}" for c in caps], fontsize=8)
        ax.set_yscale("log")  # capacity 1 and 1024 differ by an order of magnitude or more
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_si(v)))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_ylabel("items/s (log scale), higher is better", fontsize=8)
        ax.set_title(f"{scenario}, {mode}", fontsize=10)
        shown = [q for q in qs if q in handles]
        ax.legend([handles[q] for q in shown], shown, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1),
                  ncol=2, frameon=False)
    fig.suptitle(f"Select over four channels — {env['cpu_model']}, {env['cores']} cores", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(run.folder, "select.png"), dpi=80)
    plt.close(fig)
    return "select.png"


__all__ = ["NOTES", "instructions", "section", "targets"]

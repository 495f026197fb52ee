"""REPORT.md of one results folder: header, targets, notes, chan among channels in other languages,
crossbeam's suite, the C++ throughput tables, latency, instruction counts."""
import os
import statistics

import async_report
import plots
import selectrows
import targets
from data import (CPP_BLOCKING, CPP_TRY, GRID, LANG_BLOCKING, LANG_TRY, LANGUAGE, METRICS, RATIO_RULE, SUITE,
                  SUITE_LABEL, Run, fmt_si, geomean, ordered, parts, reference)

NOTES = [
    "Every throughput, ping-pong and suite sample is one process's run of at least 2^20 items (suite: messages; "
    "ping-pong: 20,000 round trips) and at least 50 ms in the default mode (2^22 and 200 ms in the full mode): "
    "when the first run is shorter, the harness runs again with enough items and keeps only the second run. "
    "The `items` and `sample_seconds` fields of raw.json show each sample's size. A quick run is below both bounds.",
    "Each cell's (n %) is the coefficient of variation (standard deviation ÷ mean) over the samples; cells above "
    "10 % are marked **bold‡**: their median may move by more than the gaps between queues.",
    "`vyukov` is the textbook bounded MPMC ring from 1024cores (power-of-two capacity of at least 2, no close, no "
    "parking, no spin on a claimed-but-unwritten slot): the yardstick for what chan's exact capacity, close mark and "
    "waiter check cost. `libcds` is the same ring as libcds 2.3.3 ships it "
    "(`cds::container::VyukovMPMCCycleQueue`, which needs no `cds::Initialize()` or thread attach: it uses no "
    "garbage collector).",
    "`moodycamel_try` is bounded only by its block pool (blocks of 32 per producer), so it holds more than the "
    "capacity asked; `moodycamel_blocking` enqueues by allocating and never makes a producer wait (unbounded, "
    "eff. cap -1). Neither is like-for-like with a queue of exactly cap items; they run at capacities 32 and 1024 "
    "only, and in the suite at capacity N only.",
    "`atomic_queue_b2` rounds its capacity up to a power of two no smaller than a minimum its index shuffling needs "
    "(see the eff. cap column): not like-for-like. `atomic_queue`/`atomic_queue2` take the capacity as a template "
    "argument (4, 32, 1024: honoured); `atomic_queue` stores the value in an atomic and carries u64 only. "
    "atomic_queue's own push/pop spin, so it appears in try rows only.",
    "`boost_spsc` is single-producer single-consumer and appears in 1x1 rows only: its two sides keep private "
    "copies of each other's index and claim a slot without an atomic read-modify-write, which no MPMC queue can "
    "do. `boost_queue` is a node-based fixed-size Michael-Scott queue (exact capacity; its node pool stops at "
    "65,535, so it has no capacity-N suite rows).",
    "`tbb_*` is oneTBB concurrent_bounded_queue (exact capacity); `mutex_*` is std::mutex + two "
    "condition_variables + std::deque (exact capacity).",
    "Every run checks the count and two checksums of what was received against what was sent (and that no "
    "144-byte job arrives torn), in C++, Rust and Go alike, and aborts on a mismatch; a report exists only if "
    "all passed.",
    "Rows with more threads than cores (4x4, 8x8, the suite's 4 → 1 and 4 → 4) measure oversubscription.",
    "Debian's libbenchmark prints 'Library was built as DEBUG'; every time here is the harness's own "
    "steady_clock measurement (manual time), so that does not touch the numbers.",
]


def lang_notes(env):
    rust, go = env.get("rust", {}), env.get("go", {})
    return [
        f"crossbeam-channel {rust.get('crossbeam-channel', '?')} and flume {rust.get('flume', '?')} (Debian's crates), "
        f"built by {rust.get('rustc', '?')} with `{rust.get('flags', '?')}`. C++ is built with `-O2` (see the header): "
        "the Rust rows get LLVM's `-O3`, a small advantage to them if any.",
        f"Go: {go.get('version', '?')}, `{go.get('flags', '?')}`, GOMAXPROCS={go.get('gomaxprocs', '?')} (the number "
        "of cores). Go's producers and consumers are goroutines, not threads: a goroutine blocked on a channel is "
        "parked by Go's scheduler, which switches to another runnable goroutine on the same OS thread without a "
        "system call, where chan, crossbeam and flume park an OS thread (futex). With more goroutines than "
        "GOMAXPROCS this is Go's home ground; it is the same program shape, not the same mechanism.",
        "`go_try` is a `select` with a `default` case and `runtime.Gosched()` on full/empty, the try-and-yield of "
        "bench/ (Gosched yields to another goroutine, not to the OS). `crossbeam_try` and `flume_try` use "
        "try_send/try_recv with `std::thread::yield_now()`.",
        "flume is not a lock-free ring: with its default features its queue sits behind one std::sync::Mutex, so "
        "every send and receive takes that lock.",
    ]


def header(run, env):
    doc = run.doc
    loads = doc.get("load_samples") or []
    lo = f", during the run (1-minute average, one reading per sample): min {min(loads):.2f}, median " \
         f"{statistics.median(loads):.2f}, max {max(loads):.2f}" if loads else ""
    trips = [b["core_round_trip_ns"] for b in doc["benchmarks"] if "core_round_trip_ns" in b]
    out = [f"# chan benchmark report — {os.path.basename(os.path.abspath(run.folder))}", ""]
    if run.mode == "quick":
        out += ["**Quick run: a smoke test of the harness, not for claims.** Its samples are far below the 2^20 "
                "items and 50 ms a figure needs, and the report gives no verdicts.", ""]
    out += [f"- Machine: {env['cpu_model']}, {env['cores']} cores (`{env['host_tag']}`), kernel {env.get('kernel', '?')}",
            f"- C++: {env['compiler']}; flags `{env['flags']}`",
            f"- Commit: `{env['commit']}`{' (with uncommitted changes)' if env.get('dirty') else ''}",
            f"- Load average (1, 5, 15 min) before: {env['load_before']}, after: {env.get('load_after', '?')}{lo}",
            *([f"- Core-to-core round trip (bench/core_round_trip, measured before each sample): min {min(trips):.0f} "
               f"ns, median {statistics.median(trips):.0f} ns, max {max(trips):.0f} ns. Every hand-off between two "
               "threads pays it, in any library, so small channels' figures move with it (raw.json keeps it with "
               "each sample)"] if trips else []),
            f"- Mode `{run.mode}`, {doc['repetitions']} samples per benchmark, each its own process, in shuffled "
            f"order (seed {doc['seed']}); {len(doc['benchmarks'])} samples in {doc.get('seconds', 0) / 60:.0f} min", ""]
    if doc.get("filter"):
        listed = doc.get("benchmarks_listed")
        of = f" ({doc['benchmarks_selected']} of the {listed} benchmarks)" if listed else ""
        out[-1:] = [f"- **Part of the suite**: `--filter '{doc['filter']}'`{of}; tables and targets cover only "
                    "what it ran", ""]
    if doc.get("runs_done", doc.get("runs_planned")) != doc.get("runs_planned"):
        counts = [len(v) for v in run.samples.values()]
        out[-1:] = [f"- **Stopped at its time budget** after {doc['runs_done']} of {doc['runs_planned']} samples: each "
                    f"benchmark has {min(counts)} to {max(counts)} samples", ""]
    out += [f"**How to read a cell:** median, then ×r and (n %). {RATIO_RULE}", ""]
    return out


def grid_table(run, queues, cap, payload, eff=True):
    grids = [g for g in GRID if any(f"{q}/throughput/{g}/cap:{cap}/{payload}" in run for q in queues)]
    qs = [q for q in queues if any(f"{q}/throughput/{g}/cap:{cap}/{payload}" in run for g in grids)]
    if not qs:
        return []
    head = "| queue | " + ("eff. cap | " if eff else "") + " | ".join(grids) + " |"
    lines = [head, "|---|" + ("---|" if eff else "") + "---|" * len(grids)]
    for q in qs:
        names = [f"{q}/throughput/{g}/cap:{cap}/{payload}" for g in grids]
        e = sorted({run.effective[n] for n in names if n in run.effective})
        etxt = ", ".join("unbounded" if x == -1 else str(int(x)) for x in e)
        lines.append(f"| {q} | " + (f"{etxt} | " if eff else "") + " | ".join(run.cell(n) for n in names) + " |")
    return lines


def languages(run, env):
    tp = run.names("throughput")
    if not any(parts(n)[0] in LANG_BLOCKING + LANG_TRY for n in run.med):
        return selectrows.section(run, env, heading="##")
    out = ["## chan among channels in other languages", "",
           "chan against " + ", ".join(LANGUAGE.values()) + ", same machine, same run, same scenarios and checks "
           "(bench/peers/). Blocking rows call send/recv, try rows try + yield. " + RATIO_RULE, ""]
    out += [f"- {n}" for n in lang_notes(env)] + [""]
    # chan's geometric-mean advantage over each peer, and the cells a peer wins.
    if tp:
        out += ["| peer | compared with | chan's advantage, geometric mean | cells | cells where the peer wins |",
                "|---|---|---|---|---|"]
    for q in LANG_BLOCKING + LANG_TRY:
        rs = [(n, run.advantage(n)) for n in tp if parts(n)[0] == q and run.advantage(n)]
        if not rs:
            continue
        wins = [f"{parts(n)[4]} cap {parts(n)[3]} {parts(n)[2]} ×{r:.2f}" for n, r in sorted(rs, key=lambda x: x[1])
                if r < 1]
        out.append(f"| {q} | {reference(q)} | ×{geomean(r for _, r in rs):.2f} | {len(rs)} | "
                   f"{'; '.join(wins) if wins else 'none'} |")
    out.append("")
    for payload in ("u64", "job144"):
        caps = sorted({parts(n)[3] for n in tp if parts(n)[4] == payload and parts(n)[0] in LANG_BLOCKING + LANG_TRY})
        for cap in caps:
            t = grid_table(run, ["chan"] + LANG_BLOCKING + ["chan_try"] + LANG_TRY, cap, payload, eff=False)
            if t:
                out += [f"### {payload}, capacity {cap}: items/s, higher is better; ×r = chan's advantage", ""] + t + [""]
        png = plots.lang_throughput(run, env, payload)
        if png:
            out += [f"![chan and other languages, {payload}]({png})", ""]
    return out + selectrows.section(run, env)


def suite(run, env):
    # chan_async's suite rows (coroutines) are in the async section.
    names = [n for n in run.med if parts(n)[1].startswith("suite_") and parts(n)[0] not in async_report.FLAVOURS]
    if not names:
        return []
    out = ["## crossbeam-channel's suite", "",
           "The scenarios of crossbeam-channel's own benchmarks: one-word messages; capacity 1 (every send meets a "
           "full channel) or N (room for every message); 4 threads on each many-side. Seconds per 5,000,000 messages, "
           "lower is better" + ("" if run.mode == "full" else
                                f" (this {run.mode} run moves at least {int(min(min(run.items[n]) for n in names)):,} "
                                "messages per sample and scales to 5,000,000)") + ". " + RATIO_RULE, ""]
    for what, queues in (("Blocking send/recv", ["chan"] + LANG_BLOCKING + CPP_BLOCKING),
                         ("Try + yield", ["chan_try"] + LANG_TRY + ["vyukov", "libcds"])):
        qs = [q for q in queues if any(parts(n)[0] == q for n in names)]
        if not qs:
            continue
        out += [f"### {what}", "", "| scenario | capacity | " + " | ".join(qs) + " |", "|---|---|" + "---|" * len(qs)]
        for s, g, c in SUITE:
            row = [run.cell(f"{q}/{s}/{g}/cap:{c}/u64", unit="s") for q in qs]
            if any(r != "—" for r in row):
                out.append(f"| {SUITE_LABEL[s]} | {c} | " + " | ".join(row) + " |")
        out.append("")
    png = plots.suite(run, env)
    return out + [f"![crossbeam's suite]({png})", ""]


def cpp(run, env):
    tp = run.names("throughput")
    out = []
    adv = {}
    for n in tp:
        r = run.advantage(n)
        if r:
            adv.setdefault(parts(n)[0], []).append(r)
    if adv:
        out += ["## Summary: chan's advantage over each queue", "",
                "Geometric mean, over every throughput cell a queue has, of chan's advantage (×r as defined above; "
                "above 1 chan is faster). Queues differ in cell count (boost_spsc: 1x1 only, atomic_queue: u64 "
                "only, moodycamel: capacities 32 and 1024).", "",
                "| queue | compared with | chan's advantage, geometric mean | cells | cells where the queue wins |",
                "|---|---|---|---|---|"]
        for q in ordered(adv):
            rs = adv[q]
            out.append(f"| {q} | {reference(q)} | ×{geomean(rs):.2f} | {len(rs)} | {sum(1 for r in rs if r < 1)} |")
        out.append("")
    groups = sorted({(parts(n)[3], parts(n)[4]) for n in tp}, key=lambda g: (g[1] != "u64", g[0]))
    for cap, payload in groups:
        t = grid_table(run, ["chan"] + CPP_BLOCKING + ["chan_try"] + CPP_TRY, cap, payload)
        if t:
            out += [f"## Throughput, capacity {cap}, {payload}: items/s, higher is better; ×r = chan's advantage", ""]
            out += t + [""]
    for payload in ("u64", "job144"):
        png = plots.cpp_throughput(run, env, payload)
        if png:
            out += [f"![chan and C++ queues, {payload}]({png})", ""]
    return out


def latency(run):
    what = {"pingpong": "Ping-pong round trip, capacity 32 (try rows spin with yield, parking rows block)",
            "wakeup": "Wake-up latency of a parked receiver (median of the sample's wake-ups)",
            "idle_cpu": "CPU burnt by a receiver parked on an empty queue for 1 s (CLOCK_THREAD_CPUTIME_ID)",
            "uncontended": "Single-thread uncontended send+recv"}
    scen = [s for s in what if run.names(s)]
    out = []
    for s in scen:
        unit = METRICS[s][2]
        out += [f"## {what[s]}", "", f"Lower is better. {RATIO_RULE}", "",
                f"| queue | median {unit} | ×r (CV) |", "|---|---|---|"]
        for q in ordered(parts(n)[0] for n in run.names(s)):
            n = next(n for n in run.names(s) if parts(n)[0] == q)
            r = run.advantage(n)
            out.append(f"| {q} | {fmt_si(run.med[n])} | {'' if r is None else f'×{r:.2f}'}{run.cv_text(n)} |")
        out.append("")
    if scen:
        out += [f"![latency]({plots.latency(run, scen)})", ""]
    return out


def write(folder, env):
    run = Run(folder)
    out = header(run, env) + targets.section(run) + ["## Notes", ""] + [f"- {n}" for n in NOTES] + [""]
    out += languages(run, env) + suite(run, env) + async_report.section(run, env) + cpp(run, env) + latency(run)
    instr = os.path.join(folder, "instructions.txt")
    if os.path.exists(instr):
        out += ["## Instructions per send+recv (callgrind)", "", "```", open(instr).read().strip(), "```", ""]
    with open(os.path.join(folder, "REPORT.md"), "w") as f:
        f.write("\n".join(out))



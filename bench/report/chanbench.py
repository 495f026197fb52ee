#!/usr/bin/python3
"""Driver, report generator and comparer for chan_bench (ci/bench calls it).

run      runs every selected benchmark repetition as its own process, in shuffled order, so slow
         drifts of a busy machine spread over all queues instead of landing on one; merges the JSON.
report   writes REPORT.md and the plots of one results folder.
compare  per-benchmark ratio between two results folders, Mann-Whitney U over repetitions.
pair     two builds of one program (a change and its base), the same rows run side by side in one shuffle.
index    rewrites the benchmark section of results/README.md (ci/bench --publish only).

run takes several --binary: chan_bench and the peers of other languages (bench/peers/), which answer the
same command line (--benchmark_list_tests, --benchmark_filter=^name$, --benchmark_format=json, --scale)
with the same JSON, so their rows join the same shuffle, tables and plots.
"""
import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import METRICS, Run, base_name, fmt_si, parts  # noqa: E402

MODES = {
    # name: (regex over benchmark names, samples per benchmark, --scale)
    "quick": (r"(throughput/(1x1|4x4)/cap:1024/u64|pingpong|wakeup|idle_cpu|uncontended|suite_mpsc/4x1/cap:N"
              r"|async/(1x1|4x4)/cap:32/u64|async_floor|async_idle"
              r"|select_(rx|rx_dyn|rx_one|both)/4x[14]/cap:1024/u64)(/|$)", 2, "quick"),
    "default": (r".", 5, "default"),
    "full": (r".", 7, "full"),
}


def load_1min():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# ---- one program: its names, one sample ---------------------------------------------------------
def list_benchmarks(binary, scale):
    """{base name: the name as the program lists it}."""
    listed = subprocess.run([binary, f"--scale={scale}", "--benchmark_list_tests=true"], check=True,
                            capture_output=True, text=True).stdout.split()
    return {base_name(n): n for n in listed}


def run_sample(binary, scale, listed):
    """One process's run of one benchmark: its JSON document, or None (and the error printed) if it failed."""
    proc = subprocess.run([binary, f"--scale={scale}", f"--benchmark_filter=^{re.escape(listed)}$",
                           "--benchmark_format=json"], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"\nchanbench: {listed} of {binary} failed (exit {proc.returncode}):\n{proc.stderr}", file=sys.stderr)
        return None
    return json.loads(proc.stdout)


def core_round_trip(probe):
    """The machine's core-to-core round trip in ns right now (bench/core_round_trip.cpp)."""
    proc = subprocess.run([probe], capture_output=True, text=True, check=True)
    return float(proc.stdout)


# ---- run ------------------------------------------------------------------------------------------
def cmd_run(a):
    regex, reps, scale = MODES[a.mode]
    owner = {}
    for binary in a.binary:
        for key, n in list_benchmarks(binary, scale).items():
            if key in owner:
                sys.exit(f"chanbench: {key} is listed by both {owner[key][0]} and {binary}")
            owner[key] = (binary, n)
    names = [k for k in owner if re.search(regex, k) and (not a.filter or re.search(a.filter, k))]
    if not names:
        sys.exit(f"chanbench: no benchmark matches (mode {a.mode}, filter {a.filter!r})")
    seed = a.seed if a.seed is not None else random.randrange(1 << 31)
    order = [(n, r) for n in names for r in range(reps)]
    random.Random(seed).shuffle(order)
    print(f"chanbench: {len(names)} benchmarks x {reps} samples = {len(order)} runs from {len(a.binary)} programs, "
          f"shuffle seed {seed}", file=sys.stderr)
    results, contexts, loads = [], {}, []
    started = time.monotonic()
    done = 0
    for k, (name, rep) in enumerate(order, 1):
        elapsed = time.monotonic() - started
        if a.budget and elapsed > a.budget * 60:
            print(f"\nchanbench: time budget of {a.budget:g} min spent: stopping after {k - 1} of {len(order)} runs",
                  file=sys.stderr)
            break
        left = elapsed / (k - 1) * (len(order) - k + 1) if k > 1 else 0
        line = f"[{k}/{len(order)}] {elapsed:5.0f}s elapsed, ~{left:5.0f}s left  {name} #{rep + 1}"
        print("\r" + line[:150].ljust(150), end="", file=sys.stderr, flush=True)
        binary, listed = owner[name]
        loads.append(load_1min())
        round_trip = core_round_trip(a.probe) if a.probe else None
        doc = run_sample(binary, scale, listed)
        if doc is None:
            sys.exit(1)
        contexts.setdefault(os.path.basename(binary), doc["context"])
        for b in doc["benchmarks"]:
            b["name"] = base_name(b["run_name"])
            b["repetition"] = rep
            if round_trip is not None:
                b["core_round_trip_ns"] = round_trip
            results.append(b)
        done = k
    seconds = time.monotonic() - started
    print(f"\nchanbench: {done} of {len(order)} runs in {seconds:.0f}s", file=sys.stderr)
    with open(a.out, "w") as f:
        json.dump({"context": contexts.get("chan_bench") or next(iter(contexts.values())), "contexts": contexts,
                   "mode": a.mode, "filter": a.filter, "benchmarks_listed": len(owner), "benchmarks_selected": len(names),
                   "seed": seed, "repetitions": reps, "seconds": seconds, "load_samples": loads,
                   "runs_planned": len(order), "runs_done": done,
                   "benchmarks": results}, f, indent=1)


def cmd_report(a):
    import report

    with open(os.path.join(a.folder, "env.json")) as f:
        env = json.load(f)
    report.write(a.folder, env)
    print(f"chanbench: wrote {a.folder}/REPORT.md")


# ---- compare --------------------------------------------------------------------------------------
def cmd_compare(a):
    from scipy.stats import mannwhitneyu

    old_run, new_run = Run(a.old), Run(a.new)
    old, new = old_run.samples, new_run.samples
    if old_run.mode != new_run.mode:
        print(f"chanbench: warning: modes differ ({old_run.mode} vs {new_run.mode}): run sizes differ",
              file=sys.stderr)
    common = sorted(set(old) & set(new))
    if not common:
        sys.exit("chanbench: the two folders share no benchmark")
    rows = []
    for n in common:
        metric, higher, _ = METRICS[parts(n)[1]]
        mo, mn = statistics.median(old[n]), statistics.median(new[n])
        speed = (mn / mo if higher else mo / mn) if mo and mn else float("nan")
        # One-sided: is new worse than old? (three repetitions each can reach p = 0.05 at best.)
        alt = "less" if higher else "greater"
        p = mannwhitneyu(new[n], old[n], alternative=alt).pvalue if len(old[n]) > 1 and len(new[n]) > 1 else 1.0
        rows.append([n, mo, mn, speed, p, False])
    # Holm's step-down correction: with dozens of benchmarks compared at once, an uncorrected
    # p <= alpha flags a few rows of two runs of the same build by chance alone.
    by_p = sorted(rows, key=lambda r: r[4])
    for rank, row in enumerate(by_p):
        if row[4] > a.alpha / (len(by_p) - rank):
            break
        row[5] = True
    regressions = 0
    print(f"{'benchmark':60} {'old':>9} {'new':>9} {'speed':>6} {'p':>6}")
    for n, mo, mn, speed, p, significant in rows:
        flag = ""
        if speed < 1 - a.threshold and significant:
            flag = "  REGRESSION"
            regressions += 1
        print(f"{n:60} {fmt_si(mo):>9} {fmt_si(mn):>9} {speed:6.2f} {p:6.3f}{flag}")
    print(f"chanbench: {len(common)} benchmarks compared, {regressions} significant regressions "
          f"(slower by more than {a.threshold:.0%}, one-sided Mann-Whitney U, Holm-corrected alpha {a.alpha})")
    sys.exit(1 if regressions else 0)


# ---- pair -----------------------------------------------------------------------------------------
def cmd_pair(a):
    """Two or more builds of one program (a change against its base), the same rows, side by side: every
    sample its own process. Samples come in blocks: a block runs every build once on one row, back to
    back in a random order, and the blocks run in one shuffled order. A drift of the machine then lands on
    both builds, and each block gives a ratio measured within one spell of it (this machine switches
    between core-to-core round trips of about 120 and 500 ns for minutes at a time, which moves small
    channels' throughput by x4): the ratio printed is the median of the blocks' ratios."""
    builds = []
    for spec in a.binary:
        label, sep, path = spec.partition("=")
        if not sep or not label or not path:
            sys.exit(f"chanbench: --binary takes LABEL=PATH, not {spec!r}")
        builds.append((label, path))
    if len(builds) < 2:
        sys.exit("chanbench: pair needs two --binary LABEL=PATH or more")
    scale = MODES[a.mode][2]
    listed = {label: list_benchmarks(path, scale) for label, path in builds}
    rows = [n for n in listed[builds[0][0]] if re.search(a.filter, n) and all(n in listed[l] for l, _ in builds)]
    if not rows:
        sys.exit(f"chanbench: no row of every build matches {a.filter!r}")
    seed = a.seed if a.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)
    blocks = [row for row in rows for _ in range(a.samples)]
    rng.shuffle(blocks)
    print(f"chanbench: {len(rows)} rows x {len(builds)} builds x {a.samples} samples = {len(blocks) * len(builds)} "
          f"runs in blocks of {len(builds)}, shuffle seed {seed}", file=sys.stderr)
    round_trips, block_values = {}, {}
    for row in blocks:
        metric = METRICS[parts(row)[1]][0]
        block = {}
        for label, path in rng.sample(builds, len(builds)):
            if a.probe:
                round_trips.setdefault((row, label), []).append(core_round_trip(a.probe))
            doc = run_sample(path, scale, listed[label][row])
            if doc is None:
                sys.exit(1)
            for b in doc["benchmarks"]:
                block[label] = b[metric]
        block_values.setdefault(row, []).append(block)
    first = builds[0][0]
    width = 42 if a.probe else 34
    print(f"{'row':56}" + "".join(f"{label:>{width}}" for label, _ in builds))
    for row in rows:
        higher = METRICS[parts(row)[1]][1]
        cells = []
        for label, _ in builds:
            xs = [b[label] for b in block_values[row] if label in b]
            m = statistics.median(xs)
            cv = statistics.pstdev(xs) / statistics.mean(xs) * 100 if len(xs) > 1 else 0.0
            ratio = ""
            if label != first:
                rs = [(b[label] / b[first] if higher else b[first] / b[label])
                      for b in block_values[row] if label in b and first in b and b[label] > 0 and b[first] > 0]
                ratio = f" x{statistics.median(rs):.2f} [{min(rs):.2f}-{max(rs):.2f}]"
            trip = f" @{statistics.median(round_trips[(row, label)]):.0f}ns" if a.probe else ""
            cells.append(f"{fmt_si(m)}{ratio} ({cv:.0f}%){trip}")
        print(f"{row:56}" + "".join(f"{c:>{width}}" for c in cells))
    print(f"(median of {a.samples} samples, mode {a.mode}; xr [lo-hi]: the build's advantage over {first}, above 1 "
          f"better, the median and range of the ratios of samples taken back to back; (n%): coefficient of variation"
          + ("; @: median core-to-core round trip before the samples)" if a.probe else ")"))


# ---- index ----------------------------------------------------------------------------------------
START, END = "<!-- bench-index:start -->", "<!-- bench-index:end -->"


def cmd_index(a):
    runs = sorted((d for d in os.listdir(a.results)
                   if os.path.exists(os.path.join(a.results, d, "REPORT.md"))), reverse=True)
    lines = [START, "## Benchmarks (ci/bench)", ""]
    if runs:
        lines += [f"Newest: [{runs[0]}]({runs[0]}/REPORT.md)", ""]
    for d in runs:
        mode, part = "?", ""
        try:
            with open(os.path.join(a.results, d, "raw.json")) as f:
                doc = json.load(f)
            mode = doc.get("mode", "?")
            if doc.get("filter"):
                part = f", part of the suite ({doc.get('benchmarks_selected', '?')} benchmarks, --filter)"
        except (OSError, ValueError):
            pass
        lines.append(f"- [{d}]({d}/REPORT.md) — mode {mode}{part}")
    lines += ["", END]
    path = os.path.join(a.results, "README.md")
    text = open(path).read() if os.path.exists(path) else "# Results\n\n"
    block = "\n".join(lines)
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--binary", required=True, action="append")
    r.add_argument("--out", required=True)
    r.add_argument("--mode", choices=MODES, default="default")
    r.add_argument("--filter")
    r.add_argument("--seed", type=int)
    r.add_argument("--budget", type=float, help="minutes after which no new run starts (the order is shuffled, "
                   "so the runs done spread evenly over the benchmarks)")
    r.add_argument("--probe", help="bench/core_round_trip: run before every sample, its figure kept with the sample")
    r.set_defaults(func=cmd_run)
    s = sub.add_parser("report")
    s.add_argument("folder")
    s.set_defaults(func=cmd_report)
    c = sub.add_parser("compare")
    c.add_argument("old")
    c.add_argument("new")
    c.add_argument("--threshold", type=float, default=0.10)
    c.add_argument("--alpha", type=float, default=0.05)
    c.set_defaults(func=cmd_compare)
    q = sub.add_parser("pair", help="builds of one program side by side: pair --binary base=PATH --binary new=PATH "
                       "--filter REGEX [--samples N]")
    q.add_argument("--binary", required=True, action="append", help="LABEL=PATH; the first is the base")
    q.add_argument("--filter", required=True)
    q.add_argument("--samples", type=int, default=5)
    q.add_argument("--mode", choices=MODES, default="default")
    q.add_argument("--seed", type=int)
    q.add_argument("--probe", help="bench/core_round_trip: run before every sample; each cell then also gives the "
                   "median core-to-core round trip of its samples, so builds are compared within one machine spell")
    q.set_defaults(func=cmd_pair)
    i = sub.add_parser("index")
    i.add_argument("results")
    i.set_defaults(func=cmd_index)
    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()

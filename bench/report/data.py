"""What the report knows about queues, scenarios and samples: names, medians, CVs and the one ratio."""
import collections
import json
import math
import os
import re
import statistics

# Parking rows: compared with `chan` (blocking send/recv). Every other row is a try row (try + yield on
# full/empty), compared with `chan_try`.
BLOCKING = {"chan", "moodycamel_blocking", "tbb_blocking", "mutex_blocking", "crossbeam", "flume", "go"}
CPP_BLOCKING = ["moodycamel_blocking", "tbb_blocking", "mutex_blocking"]
CPP_TRY = ["vyukov", "libcds", "boost_queue", "boost_spsc", "atomic_queue", "atomic_queue2", "atomic_queue_b2",
           "moodycamel_try", "tbb_try", "mutex_try"]
LANG_BLOCKING = ["crossbeam", "flume", "go"]
LANG_TRY = ["crossbeam_try", "flume_try", "go_try"]
QUEUE_ORDER = ["chan", "chan_try"] + CPP_BLOCKING + CPP_TRY + LANG_BLOCKING + LANG_TRY
# Non-blocking multi-producer multi-consumer queues that hold exactly the capacity asked for
# (moodycamel_try holds a block pool, atomic_queue_b2 rounds up: not among them).
CAPACITY_HONOURING_MPMC = ["libcds", "boost_queue", "atomic_queue", "atomic_queue2", "tbb_try", "mutex_try"]
LANGUAGE = {"crossbeam": "Rust crossbeam-channel", "flume": "Rust flume", "go": "Go channel"}
GRID = ["1x1", "1x2", "2x1", "2x2", "4x4", "8x8"]
SUITE = [("suite_seq", "1x1", "N"), ("suite_spsc", "1x1", "1"), ("suite_mpsc", "4x1", "1"), ("suite_mpmc", "4x4", "1"),
         ("suite_spsc", "1x1", "N"), ("suite_mpsc", "4x1", "N"), ("suite_mpmc", "4x4", "N")]
SUITE_LABEL = {"suite_seq": "seq (one thread sends all, then receives all)", "suite_spsc": "spsc 1 → 1",
               "suite_mpsc": "mpsc 4 → 1", "suite_mpmc": "mpmc 4 → 4"}
# scenario: (counter, higher is better, unit)
METRICS = {"throughput": ("items_per_second", True, "items/s"), "pingpong": ("ns_per_op", False, "ns/round trip"),
           "wakeup": ("ns_per_op", False, "ns (median wake-up)"), "idle_cpu": ("cpu_ms_per_s", False, "CPU ms per idle s"),
           "uncontended": ("ns_per_op", False, "ns per send+recv")}
for _s in ("suite_seq", "suite_spsc", "suite_mpsc", "suite_mpmc"):
    METRICS[_s] = ("seconds_per_5m", False, "s per 5,000,000 messages")
# The coroutine rows of chan_bench_async (report: async_report.py).
METRICS.update({"async": ("items_per_second", True, "items/s"), "async_floor": ("items_per_second", True, "items/s"),
                "async_idle": ("cpu_ms_per_s", False, "CPU ms per idle s")})
NOISY_CV = 0.10
RATIO_RULE = ("×r is chan's advantage over the row: chan's median ÷ the row's for items/s, the row's ÷ chan's for "
              "times; above 1 chan is better. Try rows are compared with `chan_try`, parking rows with `chan`. "
              "(n %) is the coefficient of variation over the samples; **bold‡** marks a cell above 10 %.")


def base_name(run_name):
    return re.sub(r"/(iterations:\d+|manual_time|real_time)(?=/|$)", "", run_name)


def parts(name):
    """queue, scenario, grid, capacity (an int, or "N" for crossbeam's never-full capacity), payload"""
    queue, scenario, grid, cap, payload = name.split("/")
    cap = cap.split(":")[1]
    return queue, scenario, grid, int(cap) if cap.isdigit() else cap, payload


def fmt_si(v):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}"


def reference(queue):
    return "chan" if queue in BLOCKING else "chan_try"


def ordered(queues):
    queues = set(queues)
    return [q for q in QUEUE_ORDER if q in queues] + sorted(queues - set(QUEUE_ORDER))


def geomean(values):
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


class Run:
    """One results folder: samples per benchmark name, their medians and CVs, and chan's advantage."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "raw.json")) as f:
            self.doc = json.load(f)
        self.mode = self.doc.get("mode", "?")
        self.samples = collections.defaultdict(list)
        self.items = collections.defaultdict(list)
        self.seconds = collections.defaultdict(list)
        self.effective = {}
        for b in self.doc["benchmarks"]:
            scenario = parts(b["name"])[1]
            self.samples[b["name"]].append(b[METRICS[scenario][0]])
            if "items" in b:
                self.items[b["name"]].append(b["items"])
            if "sample_seconds" in b:
                self.seconds[b["name"]].append(b["sample_seconds"])
            if "effective_capacity" in b:
                self.effective[b["name"]] = b["effective_capacity"]
        self.med = {n: statistics.median(v) for n, v in self.samples.items()}

    def __contains__(self, name):
        return name in self.med

    def names(self, scenario=None):
        return [n for n in self.med if scenario is None or parts(n)[1] == scenario]

    def cv(self, name):
        v = self.samples[name]
        if len(v) < 2 or statistics.mean(v) == 0:
            return None
        return statistics.stdev(v) / statistics.mean(v)

    def higher_better(self, name):
        return METRICS[parts(name)[1]][1]

    def advantage(self, name, over=None):
        """chan's advantage over `name` (above 1: chan better); `over` names the chan row to use."""
        q, scenario, grid, cap, payload = parts(name)
        ref = "/".join([over or reference(q), scenario, grid, f"cap:{cap}", payload])
        if ref == name or ref not in self.med or not self.med[name] or not self.med[ref]:
            return None
        mine, theirs = self.med[ref], self.med[name]
        return mine / theirs if self.higher_better(name) else theirs / mine

    def cv_text(self, name):
        c = self.cv(name)
        if c is None:
            return ""
        return f" (**{c:.0%}‡**)" if c > NOISY_CV else f" ({c:.0%})"

    def cell(self, name, unit=""):
        if name not in self.med:
            return "—"
        r = self.advantage(name)
        value = f"{self.med[name]:.3g} s" if unit == "s" else fmt_si(self.med[name])
        return value + (f" ×{r:.2f}" if r is not None else "") + self.cv_text(name)

    def noisy(self, names):
        return [n for n in names if (self.cv(n) or 0) > NOISY_CV]

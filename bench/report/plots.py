"""The report's PNGs. chan is red; C++ peers are blues, greens and greys; other languages are orange, purple
and brown; try and blocking rows sit in separate panels, so every colour means one queue. Axes are linear
unless the label says "log scale"."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from data import (CPP_BLOCKING, CPP_TRY, GRID, LANG_BLOCKING, LANG_TRY, METRICS, SUITE, SUITE_LABEL, ordered,  # noqa: E402
                  parts)

COLOURS = {
    "chan": "#d62728", "chan_try": "#d62728",
    "moodycamel_blocking": "#1f77b4", "tbb_blocking": "#6baed6", "mutex_blocking": "#7f7f7f",
    "vyukov": "#222222", "libcds": "#8c8c8c", "boost_queue": "#1f77b4", "boost_spsc": "#9ecae1",
    "atomic_queue": "#2ca02c", "atomic_queue2": "#74c476", "atomic_queue_b2": "#c7e9c0", "moodycamel_try": "#17becf",
    "tbb_try": "#08306b", "mutex_try": "#bdbdbd",
    "crossbeam": "#ff7f0e", "crossbeam_try": "#ff7f0e", "flume": "#9467bd", "flume_try": "#9467bd",
    "go": "#8c564b", "go_try": "#8c564b",
}


def _bars(ax, run, queues, key_of, groups):
    """grouped bars, one group per entry of `groups`, one bar per queue; returns {queue: handle}"""
    queues = [q for q in queues if any(key_of(q, g) in run for g in groups)]
    width = 0.84 / max(1, len(queues))
    handles = {}
    for i, q in enumerate(queues):
        xs, ys, lo, hi = [], [], [], []
        for j, g in enumerate(groups):
            n = key_of(q, g)
            if n in run:
                m = run.med[n]
                xs.append(j - 0.42 + (i + 0.5) * width)
                ys.append(m)
                lo.append(m - min(run.samples[n]))
                hi.append(max(run.samples[n]) - m)
        chan = q.startswith("chan")
        handles[q] = ax.bar(xs, ys, width, yerr=[lo, hi], capsize=1, color=COLOURS.get(q, "#cccccc"),
                            edgecolor="black" if chan else "none", linewidth=0.8 if chan else 0,
                            error_kw={"elinewidth": 0.6, "ecolor": "#444444"}, label=q, zorder=3 if chan else 2)
    ax.set_xticks(range(len(groups)), groups)
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    ax.set_axisbelow(True)
    return handles


def _si(ax):
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _: f"{v / 1e6:g}M" if v >= 1e6 else (f"{v / 1e3:g}k" if v >= 1e3 else f"{v:g}")))


def throughput(run, env, payload, columns, png, title):
    """rows: capacities; columns: (title, queues) panels; bars grouped by producers x consumers"""
    caps = sorted({parts(n)[3] for n in run.names("throughput") if parts(n)[4] == payload})
    if not caps:
        return None
    fig, axes = plt.subplots(len(caps), len(columns), figsize=(7.5 * len(columns), 3.1 * len(caps) + 1.6),
                             squeeze=False)
    legend = [{} for _ in columns]
    for r, cap in enumerate(caps):
        for c, (what, queues) in enumerate(columns):
            ax = axes[r][c]
            key = lambda q, g: f"{q}/throughput/{g}/cap:{cap}/{payload}"  # noqa: E731
            legend[c].update(_bars(ax, run, queues, key, GRID))
            _si(ax)
            ax.set_title(f"{what}, capacity {cap}", fontsize=10)
            ax.set_ylabel("items/s, higher is better", fontsize=8)
            if r == len(caps) - 1:
                ax.set_xlabel("producers x consumers (bars: median; whiskers: min-max)", fontsize=8)
    fig.suptitle(f"{title}, {payload} — {env['cpu_model']}, {env['cores']} cores", fontsize=11)
    bottom = 0.3 / (len(caps) + 0.5) + 0.03
    fig.tight_layout(rect=(0, bottom, 1, 0.97))
    for c, handles in enumerate(legend):
        qs = [q for q in columns[c][1] if q in handles]  # the order of the bars
        if not qs:
            continue
        box = axes[-1][c].get_position()
        fig.legend([handles[q] for q in qs], qs, loc="upper center", ncol=min(len(qs), 5), fontsize=8, frameon=False,
                   bbox_to_anchor=((box.x0 + box.x1) / 2, bottom - 0.01))
    fig.savefig(os.path.join(run.folder, png), dpi=80)
    plt.close(fig)
    return png


def cpp_throughput(run, env, payload):
    if not any(parts(n)[0] in CPP_BLOCKING + CPP_TRY for n in run.names("throughput")):
        return None  # chan alone: its rows are in the other plots
    return throughput(run, env, payload, [("Parking (blocking) rows", ["chan"] + CPP_BLOCKING),
                                          ("Try rows (try + yield)", ["chan_try"] + CPP_TRY)],
                      f"throughput-{payload}.png", "chan and C++ queues")


def lang_throughput(run, env, payload):
    return throughput(run, env, payload, [("Blocking send/recv", ["chan"] + LANG_BLOCKING),
                                          ("Try + yield", ["chan_try"] + LANG_TRY)],
                      f"languages-{payload}.png", "chan, crossbeam-channel, flume, Go")


def suite(run, env):
    names = [n for n in run.med if parts(n)[1].startswith("suite_")]
    if not names:
        return None
    panels = [("Blocking send/recv", ["chan"] + LANG_BLOCKING + CPP_BLOCKING),
              ("Try + yield", ["chan_try"] + LANG_TRY + ["vyukov", "libcds"])]
    panels = [(what, qs) for what, qs in panels if any(parts(n)[0] in qs for n in names)]  # no empty panel
    fig, axes = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 5.2), squeeze=False)
    axes = axes[0]
    labels = [f"{SUITE_LABEL[s].split(' (')[0]}\ncap {c}" for s, g, c in SUITE]
    for ax, (what, queues) in zip(axes, panels):
        key = lambda q, i: f"{q}/{SUITE[i][0]}/{SUITE[i][1]}/cap:{SUITE[i][2]}/u64"  # noqa: E731
        handles = _bars(ax, run, queues, key, list(range(len(SUITE))))
        ax.set_xticks(range(len(SUITE)), labels, fontsize=8)
        ax.set_yscale("log")  # capacity 1 and capacity N differ by two orders of magnitude
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g} s"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_ylabel("seconds per 5,000,000 messages\n(log scale), lower is better", fontsize=8)
        ax.set_title(f"crossbeam-channel's suite, {what}", fontsize=10)
        qs = [q for q in queues if q in handles]  # the order of the bars
        if not qs:
            continue
        ax.legend([handles[q] for q in qs], qs, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                  ncol=min(len(qs), 4), frameon=False)
    fig.suptitle(f"{env['cpu_model']}, {env['cores']} cores", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(run.folder, "suite.png"), dpi=80)
    plt.close(fig)
    return "suite.png"


def latency(run, scenarios):
    fig, axes = plt.subplots(1, len(scenarios), figsize=(4.6 * len(scenarios), 5.5), squeeze=False)
    for ax, s in zip(axes[0], scenarios):
        names = run.names(s)
        qs = ordered(parts(n)[0] for n in names)
        meds = [run.med[next(n for n in names if parts(n)[0] == q)] for q in qs]
        ax.barh(qs, meds, color=[COLOURS.get(q, "#cccccc") for q in qs],
                edgecolor=["black" if q.startswith("chan") else "none" for q in qs])
        ax.invert_yaxis()
        unit = METRICS[s][2]
        if s == "pingpong":  # spinning and parking rows differ by orders of magnitude
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            unit += " (log scale)"
        ax.set_xlabel(f"{unit}, lower is better", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_title(s, fontsize=10)
        ax.grid(axis="x", color="#e5e5e5")
        ax.set_axisbelow(True)
    fig.tight_layout()
    fig.savefig(os.path.join(run.folder, "latency.png"), dpi=80)
    plt.close(fig)
    return "latency.png"


__all__ = ["cpp_throughput", "lang_throughput", "suite", "latency"]

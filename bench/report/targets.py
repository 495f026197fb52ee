"""The report's targets: where chan must stand, each with this run's figure, its noisiest cell and a
verdict (default and full runs only: a quick run's samples are too short to decide anything)."""
import os
import re

import async_report
from data import CAPACITY_HONOURING_MPMC, CPP_BLOCKING, LANG_BLOCKING, LANG_TRY, LANGUAGE, geomean, parts


def _cells(run, queue, scenario="throughput"):
    """scenario/grid/cap/payload keys of `queue`'s rows"""
    return sorted(n.split("/", 1)[1] for n in run.names(scenario) if parts(n)[0] == queue)


def _short(key):
    _, grid, cap, payload = key.split("/")
    return f"{payload} {cap.replace('cap:', 'cap ')} {grid}"


def _list(items, limit=8):
    items = list(items)
    return "; ".join(items[:limit]) + (f"; and {len(items) - limit} more" if len(items) > limit else "")


def _instructions(folder):
    path = os.path.join(folder, "instructions.txt")
    if not os.path.exists(path):
        return None
    found = dict(re.findall(r"^(\w+): (\d+) instructions", open(path).read(), re.M))
    return (int(found["chan"]), int(found["vyukov"])) if "chan" in found and "vyukov" in found else None


def rows(run):
    """(target, figure, met, names of the cells it rests on)"""
    med = run.med
    out = []

    def ratio_rows(mine, peer, keys):
        return [(k, med[f"{mine}/{k}"] / med[f"{peer}/{k}"]) for k in keys if f"{mine}/{k}" in med and f"{peer}/{k}" in med]

    # The try path against the textbook ring.
    rs = ratio_rows("chan_try", "vyukov", _cells(run, "chan_try"))
    if rs:
        g = geomean(r for _, r in rs)
        low = [f"{_short(k)} ×{r:.2f}" for k, r in sorted(rs, key=lambda x: x[1]) if r < 0.9]
        out.append(("Try path against the textbook Vyukov ring (`vyukov`): chan_try ≥ 0.9× in every cell, ≥ 1.0× in "
                    "geometric mean", f"×{g:.2f} geometric mean over {len(rs)} cells; "
                    + (f"below 0.9× in {len(low)}: {_list(low)}" if low else "≥ 0.9× everywhere"),
                    g >= 1.0 and not low, [f"{q}/{k}" for k, _ in rs for q in ("chan_try", "vyukov")]))
    # The try path against the other capacity-honouring MPMC queues.
    behind, used = [], []
    for k in _cells(run, "chan_try"):
        for q in CAPACITY_HONOURING_MPMC:
            if f"{q}/{k}" in med:
                used += [f"{q}/{k}", f"chan_try/{k}"]
                if med[f"{q}/{k}"] > med[f"chan_try/{k}"]:
                    behind.append(f"{q} in {_short(k)} (chan ×{med[f'chan_try/{k}'] / med[f'{q}/{k}']:.2f})")
    if used:
        out.append(("Try path against every other capacity-honouring MPMC queue (" + ", ".join(CAPACITY_HONOURING_MPMC)
                    + "): chan_try ahead in every cell", "ahead everywhere" if not behind else
                    f"behind in {len(behind)} cells: {_list(behind)}", not behind, used))
    rs = ratio_rows("chan_try", "boost_spsc", _cells(run, "boost_spsc"))
    if rs:
        low = [f"{_short(k)} ×{r:.2f}" for k, r in rs if r < 1]
        out.append(("Try path against boost_spsc (single producer, single consumer: no atomic read-modify-write) in "
                    "the 1x1 cells", "ahead in all " + str(len(rs)) if not low else f"behind in {len(low)} of {len(rs)}: "
                    + _list(low), not low, [f"{q}/{k}" for k, _ in rs for q in ("chan_try", "boost_spsc")]))
    counts = _instructions(run.folder)
    if counts:
        out.append(("Instructions per uncontended send+recv at most the textbook ring's (callgrind)",
                    f"chan {counts[0]}, vyukov {counts[1]}", counts[0] <= counts[1], []))
    # Blocking under contention: crossbeam's own suite.
    suite = sorted(n.split("/", 1)[1] for n in med if parts(n)[1].startswith("suite_") and parts(n)[0] == "chan")
    rs = [(k, med[f"crossbeam/{k}"] / med[f"chan/{k}"]) for k in suite if f"crossbeam/{k}" in med]
    if rs:
        low = [f"{k.split('/')[0].replace('suite_', '')} {k.split('/')[2]} ×{r:.2f}" for k, r in rs if r < 1]
        out.append(("Blocking, crossbeam-channel's own suite (seq, spsc, mpsc, mpmc at capacity 1 and N): chan faster "
                    "than crossbeam-channel in every scenario", f"×{geomean(r for _, r in rs):.2f} geometric mean; "
                    + (f"slower in {len(low)}: {_list(low)}" if low else "faster in all " + str(len(rs))), not low,
                    [f"{q}/{k}" for k, _ in rs for q in ("chan", "crossbeam")]))
    # Blocking grid against the parking C++ queues.
    short, ratios, used = [], [], []
    for k in _cells(run, "chan"):
        peers = [(med[f"{q}/{k}"], q) for q in CPP_BLOCKING if f"{q}/{k}" in med]
        if not peers:
            continue
        best, who = max(peers)
        r = med[f"chan/{k}"] / best
        ratios.append(r)
        used += [f"chan/{k}", f"{who}/{k}"]
        if r < 1.5:
            short.append(f"{_short(k)} ×{r:.2f} of {who}")
    if ratios:
        out.append(("Blocking grid: chan ≥ 1.5× the best parking C++ queue (" + ", ".join(CPP_BLOCKING) + ") in every "
                    "cell", f"×{geomean(ratios):.2f} geometric mean over {len(ratios)} cells; " +
                    (f"below 1.5× in {len(short)}: {_list(short)}" if short else "≥ 1.5× everywhere"), not short, used))
    half, used = [], []
    for k in _cells(run, "chan"):
        if k.split("/")[1] == "8x8" and f"chan/{k.replace('/8x8/', '/1x1/')}" in med:
            one = k.replace("/8x8/", "/1x1/")
            half.append((f"{k.split('/')[3]} {k.split('/')[2].replace('cap:', 'cap ')}", med[f"chan/{k}"] / med[f"chan/{one}"]))
            used += [f"chan/{k}", f"chan/{one}"]
    if half:
        out.append(("Blocking at 8x8 keeps at least half of chan's own 1x1 throughput",
                    ", ".join(f"{k} ×{r:.2f}" for k, r in half), all(r >= 0.5 for _, r in half), used))
    pp = {parts(n)[0]: n for n in run.names("pingpong")}
    if "chan" in pp and "moodycamel_blocking" in pp:
        a, b = med[pp["chan"]], med[pp["moodycamel_blocking"]]
        out.append(("Blocking ping-pong: chan's round trip at most moodycamel_blocking's",
                    f"{a:.0f} ns vs {b:.0f} ns", a <= b, [pp["chan"], pp["moodycamel_blocking"]]))
    wk = {parts(n)[0]: n for n in run.names("wakeup")}
    if "chan" in wk and len(wk) > 1:
        best = min(wk, key=lambda q: med[wk[q]])
        out.append(("Wake-up of a parked receiver: chan the fastest of the parking queues",
                    ", ".join(f"{q} {med[n] / 1e3:.1f} µs" for q, n in sorted(wk.items(), key=lambda x: med[x[1]])),
                    best == "chan", list(wk.values())))
    idle = [n for n in run.names("idle_cpu") if parts(n)[0] == "chan"]
    if idle:
        out.append(("A receiver parked for 1 s burns under 1 ms of CPU", f"{med[idle[0]]:.3f} ms per s",
                    med[idle[0]] < 1.0, idle))
    # Other languages.
    behind, used = [], []
    for mine, peers in (("chan", LANG_BLOCKING), ("chan_try", LANG_TRY)):
        for k in _cells(run, mine):
            for q in peers:
                if f"{q}/{k}" in med:
                    used += [f"{q}/{k}", f"{mine}/{k}"]
                    if med[f"{q}/{k}"] > med[f"{mine}/{k}"]:
                        behind.append(f"{q} in {_short(k)} (chan ×{med[f'{mine}/{k}'] / med[f'{q}/{k}']:.2f})")
    if used:
        out.append(("Other languages: chan ahead of " + ", ".join(LANGUAGE.values()) + " in every shared cell "
                    "(blocking against blocking, try against try)", "ahead everywhere" if not behind else
                    f"behind in {len(behind)} of {len(used) // 2} cells: {_list(behind)}", not behind, used))
    slower = []
    for mine, peers in (("chan", LANG_BLOCKING), ("chan_try", LANG_TRY)):
        for q in peers:
            if q in pp and mine in pp:
                slower.append((q, med[pp[q]], med[pp[mine]]))
    if slower:
        out.append(("Other languages, ping-pong: chan's round trip below each peer's in the same mode",
                    ", ".join(f"{q} {p:.0f} ns vs chan {c:.0f} ns" for q, p, c in slower), all(c <= p for _, p, c in slower),
                    [pp[q] for q, _, _ in slower]))
    out += async_report.target_rows(run)
    return out


def section(run):
    found = rows(run)
    if not found:
        return []
    verdicts = run.mode in ("default", "full")
    lines = ["## Targets: where chan must stand", ""]
    if verdicts:
        lines += ["Medians of this run, side by side. A verdict rests on the cells listed in the tables below; "
                  "'noisy' counts the cells it uses whose CV is above 10 %.", ""]
    else:
        lines += [f"**A `{run.mode}` run gives no verdicts**: its samples are shorter than the 2^20 items and 50 ms "
                  "a claim needs. The figures are shown for a smoke test only.", ""]
    lines += ["| target | this run | noisy cells | verdict |", "|---|---|---|---|"]
    for target, figure, met, used in found:
        noisy = run.noisy(set(used))
        worst = max((run.cv(n) or 0 for n in used), default=0)
        ntxt = f"{len(noisy)} (max CV {worst:.0%})" if noisy else (f"0 (max CV {worst:.0%})" if used else "")
        verdict = ("met" if met else "**not met**") if verdicts else "— (no verdict)"
        lines.append(f"| {target} | {figure} | {ntxt} | {verdict} |")
    return lines + [""]


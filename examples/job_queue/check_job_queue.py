#!/usr/bin/env python3
"""Runs one job_queue variant at a small --work-scale and checks its accounting.

usage: check_job_queue.py <path to job_queue> <case>
Each case asserts on the program's key=value lines; a failure prints the command and its output.
"""
import re
import subprocess
import sys
import time

RUN_TIMEOUT_S = 10
FAST = ["--work-scale", "0.01"]


class CheckFailed(Exception):
    pass


def run(exe, args, expect_status=0):
    command = [exe, *args]
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"hung for {RUN_TIMEOUT_S} s: {' '.join(command)}")
    elapsed = time.monotonic() - started
    print(f"$ {' '.join(command)}   # exit {done.returncode}, {elapsed:.2f} s")
    print(done.stdout, end="")
    print(done.stderr, end="", file=sys.stderr)
    if done.returncode != expect_status:
        raise CheckFailed(f"exit status {done.returncode}, wanted {expect_status}")
    return done


def fields(line):
    return {key: float(value) for key, value in re.findall(r"(\w+)=([-\d.]+)", line)}


def line_starting(stdout, prefix):
    matches = [line for line in stdout.splitlines() if line.startswith(prefix)]
    if len(matches) != 1:
        raise CheckFailed(f"wanted exactly one line starting with {prefix!r}, found {len(matches)}")
    return matches[0]


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def summary(stdout, prefix=""):
    s = fields(line_starting(stdout, prefix + "summary:"))
    accounted = s["processed"] + s["dropped"] + s["rejected"] + s["dead_lettered"]
    check(accounted == s["submitted"], f"processed + dropped + rejected + dead_lettered = {accounted} != {s}")
    last = stdout.rstrip("\n").splitlines()[-1]
    check(last == f"Done. Processed {int(s['processed'])} / {int(s['submitted'])} jobs.", f"last line is {last!r}")
    return s


def consumer_lines(stdout):
    return [fields(line) for line in stdout.splitlines() if re.match(r"consumer \d+: processed=", line)]


def replies(stdout):
    return fields(line_starting(stdout, "replies="))


def case_default(exe):
    s = summary(run(exe, FAST).stdout)
    check(s["submitted"] == 300 and s["processed"] == 300, f"defaults are 3 x 100 jobs, all processed: {s}")


def case_async(exe):
    # Producers and consumers as coroutines on a 2-thread pool; a small queue makes them suspend.
    out = run(exe, FAST + ["--async", "--capacity", "2", "--stats"]).stdout
    s = summary(out)
    check(s["submitted"] == 300 and s["processed"] == 300, f"--async processes all 3 x 100 jobs: {s}")
    check(len(consumer_lines(out)) == 4, "--async has 4 consumer coroutines")
    s = summary(run(exe, FAST + ["--async", "--fail-rate", "0.3", "--retries", "1"]).stdout)
    check(s["processed"] + s["dead_lettered"] == s["submitted"] == 300, f"--async with failures: {s}")
    run(exe, ["--async", "--priority"], expect_status=2)


def case_close_shutdown_drains(exe):
    # Few consumers and a deep queue: close() arrives with jobs still buffered, which must be drained.
    s = summary(run(exe, FAST + ["--producers", "4", "--consumers", "1", "--jobs", "150", "--capacity", "256"]).stdout)
    check(s["processed"] == 600, f"close must drain every buffered job: {s}")


def case_poison_pill(exe):
    out = run(exe, FAST + ["--shutdown", "poison-pill", "--consumers", "5"]).stdout
    s = summary(out)
    check(s["processed"] == 300, f"every job before the pills is processed: {s}")
    leaving = sorted(re.findall(r"^consumer (\d+): poison pill, leaving$", out, re.M))
    check(leaving == sorted(str(i) for i in range(5)), f"each of 5 consumers leaves once: {leaving}")


def case_drop(exe):
    # One slot and 5 ms+ per job: producers outrun the consumer, so drops are certain.
    s = summary(run(exe, ["--full-policy", "drop", "--capacity", "1", "--consumers", "1", "--jobs", "30"]).stdout)
    check(s["dropped"] > 0 and s["rejected"] == 0, f"drop policy drops, never rejects: {s}")


def case_reject(exe):
    s = summary(run(exe, ["--full-policy", "reject", "--capacity", "1", "--consumers", "1", "--jobs", "30"]).stdout)
    check(s["rejected"] > 0 and s["dropped"] == 0, f"reject policy rejects, never drops: {s}")


def case_request_reply(exe):
    out = run(exe, FAST + ["--request-reply", "--producers", "4", "--jobs", "150"]).stdout
    s, r = summary(out), replies(out)
    check(r["replies"] == r["expected"] == s["submitted"] == 600, f"one reply per request: {r} {s}")
    check(r["missing"] == 0 and r["failure_replies"] == 0, f"no missing or failed replies: {r}")


def check_stats(out, consumers, s):
    lines = consumer_lines(out)
    check(len(lines) == consumers, f"wanted {consumers} consumer lines, got {len(lines)}")
    check(sum(c["processed"] for c in lines) == s["processed"], f"per-consumer processed != {s['processed']}")
    check(sum(c["dead_lettered"] for c in lines) == s["dead_lettered"], "per-consumer dead_lettered mismatch")
    check(all(c["avg_ms"] >= 0 for c in lines), "negative avg_ms")


def case_stats(exe):
    out = run(exe, FAST + ["--stats", "--consumers", "3"]).stdout
    s = summary(out)
    check_stats(out, 3, s)
    check(s["processed"] == 300, f"{s}")


def case_retries_and_dead_letters(exe):
    # Half the attempts fail and one retry is allowed: a quarter of 300 jobs dead-letter on average,
    # so both counts being zero is astronomically unlikely.
    out = run(exe, FAST + ["--fail-rate", "0.5", "--retries", "1", "--seed", "7", "--stats"]).stdout
    s = summary(out)
    check(s["retried"] > 0 and s["dead_lettered"] > 0, f"{s}")
    check(s["retried"] <= s["submitted"], f"at most one retry per job: {s}")
    check_stats(out, 4, s)


def case_all_failures_dead_lettered(exe):
    s = summary(run(exe, FAST + ["--fail-rate", "1", "--retries", "2"]).stdout)
    check(s["dead_lettered"] == 300 and s["processed"] == 0, f"every job dead-letters: {s}")
    check(s["retried"] == 600, f"each job is retried exactly twice: {s}")
    s = summary(run(exe, FAST + ["--fail-rate", "0", "--retries", "5"]).stdout)
    check(s["retried"] == 0 and s["dead_lettered"] == 0, f"no failures at rate 0: {s}")


def case_request_reply_with_failures(exe):
    out = run(exe, FAST + ["--request-reply", "--fail-rate", "0.5", "--retries", "1", "--stats"]).stdout
    s, r = summary(out), replies(out)
    check(r["replies"] == r["expected"] == s["submitted"], f"dead-lettered requests still get one reply: {r} {s}")
    check(r["failure_replies"] == s["dead_lettered"], f"one failure reply per dead letter: {r} {s}")
    check_stats(out, 4, s)


def case_request_reply_with_drops(exe):
    out = run(exe, ["--request-reply", "--full-policy", "drop", "--capacity", "2", "--consumers", "1",
                    "--jobs", "30"]).stdout
    s, r = summary(out), replies(out)
    check(r["expected"] == s["submitted"] - s["dropped"], f"replies are awaited for accepted jobs only: {r} {s}")
    check(r["replies"] == r["expected"] and r["missing"] == 0, f"{r}")


def case_priority(exe):
    # One consumer and 600 jobs: the queue backs up, and report_generate jobs jump it.
    out = run(exe, FAST + ["--priority", "--consumers", "1", "--jobs", "200", "--capacity", "64", "--stats"]).stdout
    s = summary(out)
    check(s["processed"] == 600, f"{s}")
    check_stats(out, 1, s)
    summary(out, "single-channel ")  # its accounting must balance as well
    lines = out.splitlines()
    first_single = min(i for i, line in enumerate(lines) if line.startswith("single-channel "))
    check(lines.index(line_starting(out, "elapsed_ms=")) < first_single,
          "the main run's summary and elapsed_ms come before the single-channel comparison")
    check(fields(line_starting(out, "single-channel elapsed_ms="))["elapsed_ms"] > 0, "the comparison run is timed")
    high, normal = fields(line_starting(out, "latency high:")), fields(line_starting(out, "latency normal:"))
    check(high["count"] == 200 and normal["count"] == 400, f"job types are a third each: {high} {normal}")
    check(high["mean_ms"] < normal["mean_ms"], f"high-priority mean latency must be lower: {high} {normal}")
    for prefix in ("latency high:", "latency normal:", "single-channel latency high:", "single-channel latency normal:"):
        f = fields(line_starting(out, prefix))
        check(f["p50_ms"] <= f["p99_ms"], f"p50 <= p99 in {f}")


BAD_INPUTS = [
    ["--consumers", "0"], ["--producers", "0"], ["--capacity", "0"], ["--fail-rate", "-0.1"],
    ["--fail-rate", "1.5"], ["--fail-rate", "nan"], ["--work-scale", "-1"], ["--retries", "-1"],
    ["--jobs", "ten"], ["--jobs", "10x"], ["--jobs", ""], ["--consumers", "2.5"], ["--bogus"], ["--stats=yes"],
    ["--shutdown", "never"], ["--full-policy", "maybe"], ["--capacity"], ["positional"],
    ["--priority", "--shutdown", "poison-pill"], ["--jobs", "99999999999999999999999"],
]


def case_bad_inputs(exe):
    for args in BAD_INPUTS:
        done = run(exe, args, expect_status=2)
        check(done.stdout == "", f"{args}: nothing on stdout")
        check(len(done.stderr.splitlines()) == 1, f"{args}: wanted a one-line error, got {done.stderr!r}")


def case_help(exe):
    check("--full-policy" in run(exe, ["--help"]).stdout, "--help lists the options")


def main():
    exe, case = sys.argv[1], sys.argv[2]
    try:
        globals()["case_" + case](exe)
    except CheckFailed as failure:
        print(f"FAILED {case}: {failure}", file=sys.stderr)
        return 1
    print(f"ok {case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

// chan_stress: long randomized runs of chan::channel and chan::oneshot, of selects over several
// channels and of coroutines awaiting them on a small thread pool, meant to be built under
// ThreadSanitizer or AddressSanitizer+UBSan (the tsan and asan presets). Every round checks the
// contract of docs/contract.md section 3 on what actually happened: exactly-once delivery (or destruction by
// the channel's destructor), nothing received that did not send, per-producer FIFO, size() within
// [0, capacity()], values left intact by failed sends, balanced instance counts of owning items,
// and every thread returning (a watchdog aborts a hung round). The seed is printed at the start and
// on any violation; the same seed and options replay the same sequence of rounds.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "sanitizer_reports.hpp"
#include "scenarios.hpp"
#include "support.hpp"

namespace stress {
namespace {

[[noreturn]] void usage(const char* problem) {
  std::fprintf(
      stderr,
      "chan_stress: %s\n"
      "usage: chan_stress [--seconds S] [--seed N] [--scenario NAME|rotation] [--producers N] [--consumers N]\n"
      "                   [--capacity N] [--mode try|blocking|timed|mixed] [--payload u64|job|owning]\n"
      "                   [--close-at FRACTION]   (close after this fraction of each round's sending time)\n"
      "       chan_stress --self-check             (plant faults in the logs; the checks must catch them)\n"
      "       chan_stress --plant-sanitizer-report ...  (a data race under TSan, a leak under ASan, before the\n"
      "                                            rounds: the verdict must count it)\n"
      "scenarios:",
      problem);
  for (const auto& name : scenario_names) std::fprintf(stderr, " %s", name.c_str());
  std::fprintf(stderr, "\n");
  std::exit(2);
}

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("help");
    if (flag == "--self-check") {
      opts.self_check = true;
      continue;
    }
    if (flag == "--plant-sanitizer-report") {
      opts.plant_sanitizer_report = true;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value for " + flag).c_str());
    const std::string value = argv[++i];
    try {
      if (flag == "--seconds") {
        opts.seconds = std::stod(value);
      } else if (flag == "--seed") {
        opts.seed = std::stoull(value);
      } else if (flag == "--producers") {
        opts.producers = static_cast<unsigned>(std::stoul(value));
      } else if (flag == "--consumers") {
        opts.consumers = static_cast<unsigned>(std::stoul(value));
      } else if (flag == "--capacity") {
        opts.capacity = std::stoull(value);
      } else if (flag == "--close-at") {
        opts.close_at = std::stod(value);
      } else if (flag == "--mode") {
        const char* names[] = {"try", "blocking", "timed", "mixed"};
        const auto found = std::find(std::begin(names), std::end(names), value);
        if (found == std::end(names)) usage(("unknown mode " + value).c_str());
        opts.op_mode = static_cast<mode>(found - std::begin(names));
      } else if (flag == "--payload") {
        const char* names[] = {"u64", "job", "owning"};
        const auto found = std::find(std::begin(names), std::end(names), value);
        if (found == std::end(names)) usage(("unknown payload " + value).c_str());
        opts.payload = static_cast<payload_kind>(found - std::begin(names));
      } else if (flag == "--scenario") {
        if (value != "rotation" &&
            std::find(scenario_names.begin(), scenario_names.end(), value) == scenario_names.end()) {
          usage(("unknown scenario " + value).c_str());
        }
        opts.scenario = value;
      } else {
        usage(("unknown option " + flag).c_str());
      }
    } catch (const std::logic_error&) {
      usage(("bad value for " + flag + ": " + value).c_str());
    }
  }
  if ((opts.producers && *opts.producers == 0) || (opts.consumers && *opts.consumers == 0))
    usage("need at least one thread per side");
  if (opts.capacity && *opts.capacity == 0) usage("capacity must be at least 1");
  if (opts.close_at && (*opts.close_at < 0 || *opts.close_at > 1)) usage("--close-at is a fraction in [0, 1]");
  return opts;
}

// A check that never fires proves nothing: plant each kind of fault once and require the merge to
// report it in its own category.
int self_check() {
  struct planted_case {
    fault planted;
    const char* name;
    std::uint64_t round_result::*counter;
  };
  const planted_case cases[] = {{fault::lose, "a lost item", &round_result::lost},
                                {fault::duplicate, "a duplicated item", &round_result::duplicated},
                                {fault::reorder, "two items swapped", &round_result::reordered}};
  // One round of each accounting: a channel round's, and the per-channel ledger of the select and
  // coroutine rounds (ledger.hpp).
  const char* scenarios[] = {
    "mpmc_2x2",
    "select_mix",
#if CHAN_STRESS_COROUTINES
    "async_mix"
#endif
  };
  int missed = 0;
  for (const char* scenario : scenarios) {
    for (const planted_case& planted : cases) {
      round_plan plan;
      plan.scenario = scenario;
      plan.seed = 42;
      plan.producers = plan.consumers = 2;
      plan.capacity = 64;
      plan.channels = 3;
      plan.pool_threads = 2;
      plan.seconds = 0.2;
      plan.injected = planted.planted;
      round_result result;
      run_round<u64_payload>(plan, result);
      const bool caught = result.*planted.counter > 0;
      missed += !caught;
      std::printf("stress: self-check: %s: planted %s -> %llu lost, %llu duplicated, %llu reordered, %llu other: %s\n",
                  scenario, planted.name, static_cast<unsigned long long>(result.lost),
                  static_cast<unsigned long long>(result.duplicated), static_cast<unsigned long long>(result.reordered),
                  static_cast<unsigned long long>(result.other), caught ? "caught" : "MISSED");
    }
  }
  return missed == 0 ? 0 : 1;
}

struct scenario_tally {
  std::uint64_t rounds = 0, ops = 0;
};

}  // namespace
}  // namespace stress

int main(int argc, char** argv) {
  using namespace stress;
  count_sanitizer_reports();
  const options opts = parse(argc, argv);
  if (opts.self_check) return self_check();
  if (opts.plant_sanitizer_report) plant_sanitizer_report();
  const std::uint64_t seed = opts.seed ? *opts.seed : std::random_device{}() * 0x100000000ULL + std::random_device{}();
  std::printf("stress: seed %llu, scenario %s, %.0f s (rerun with --seed %llu)\n",
              static_cast<unsigned long long>(seed), opts.scenario.c_str(), opts.seconds,
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);

  watchdog guard;
  random_source planner(seed);
  std::map<std::string, scenario_tally> tallies;
  round_result total;
  const clock::time_point start = clock::now();
  clock::time_point next_progress = start + std::chrono::seconds(5);
  bool failed = false;
  for (std::uint64_t round = 0;; ++round) {
    const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    if (elapsed >= opts.seconds && round > 0) break;
    const round_plan plan = make_plan(opts, planner, std::max(0.01, opts.seconds - elapsed));
    // Sanitizers slow threads by 5-20x and parked threads wake late: the limit is for hangs only.
    guard.arm(std::chrono::seconds(60) +
                  std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(plan.seconds * 50)),
              "seed " + std::to_string(seed) + " round " + std::to_string(round) + " " + plan.describe());
    round_result result;
    switch (plan.payload) {
      case payload_kind::u64:
        run_round<u64_payload>(plan, result);
        break;
      case payload_kind::job:
        run_round<job_payload>(plan, result);
        break;
      case payload_kind::owning:
        run_round<owning_payload>(plan, result);
        break;
    }
    guard.disarm();
    scenario_tally& tally = tallies[plan.scenario];
    ++tally.rounds;
    tally.ops += result.ops;
    total.ops += result.ops;
    total.lost += result.lost;
    total.duplicated += result.duplicated;
    total.reordered += result.reordered;
    total.other += result.other;
    if (result.failed()) {
      std::printf("stress: VIOLATION in round %llu with seed %llu: %s\n", static_cast<unsigned long long>(round),
                  static_cast<unsigned long long>(seed), plan.describe().c_str());
      for (const std::string& message : result.messages) std::printf("stress:   %s\n", message.c_str());
      std::printf("stress: rerun: chan_stress --seed %llu --scenario %s --seconds %.0f (same round sequence)\n",
                  static_cast<unsigned long long>(seed), opts.scenario.c_str(), opts.seconds);
      failed = true;
      break;
    }
    if (clock::now() >= next_progress) {
      next_progress += std::chrono::seconds(5);
      std::printf("stress: [%3.0f s] %llu rounds, %.3g ops, 0 violations\n",
                  std::chrono::duration<double>(clock::now() - start).count(),
                  static_cast<unsigned long long>(round + 1), static_cast<double>(total.ops));
      std::fflush(stdout);
    }
  }

  std::printf("stress: per scenario (seed %llu):\n", static_cast<unsigned long long>(seed));
  for (const auto& [name, tally] : tallies) {
    std::printf("stress:   %-20s %6llu rounds %12.3g ops\n", name.c_str(),
                static_cast<unsigned long long>(tally.rounds), static_cast<double>(tally.ops));
  }
  if (total.other > 0) std::printf("stress: %llu other violations\n", static_cast<unsigned long long>(total.other));
  // A measured count (sanitizer_reports.hpp), never a literal: a run told to go on after a report
  // says how many there were and fails.
  char reports[64] = "sanitizer reports not measured (built without a sanitizer)";
  if (sanitizer_reports_measured) {
    const unsigned long count = sanitizer_reports_so_far();
    std::snprintf(reports, sizeof reports, "%lu sanitizer report%s", count, count == 1 ? "" : "s");
    if (count > 0) failed = true;
  }
  std::printf("stress: %.3g ops, %llu lost, %llu duplicated, %llu reordered, %s\n", static_cast<double>(total.ops),
              static_cast<unsigned long long>(total.lost), static_cast<unsigned long long>(total.duplicated),
              static_cast<unsigned long long>(total.reordered), reports);
  return failed ? 1 : 0;
}

#pragma once

#include <cmath>
#include <cstddef>

namespace bench {

// Sizes of one run; `--scale=quick|default|full` on the command line picks a row. A throughput sample
// moves at least `min_items` and lasts at least `min_seconds`: shorter runs are decided by thread
// start-up skew and by one preemption more or less, not by the queue. `quick` is below both bounds on
// purpose (a smoke test of the harness, never a figure to quote).
struct scale {
  std::size_t min_items;    // throughput: items per sample, at least
  double min_seconds;       // throughput, ping-pong, suite: seconds per sample, at least
  std::size_t round_trips;  // ping-pong: round trips per sample, at least
  std::size_t wakeups;      // wake-up: parked receives per sample (each after a 2 ms sleep)
  double idle_seconds;      // idle CPU: how long the receiver stays parked
  std::size_t uncontended_ops;
  std::size_t suite_messages;  // crossbeam's suite: messages per sample, at least (its own runs use 5,000,000)
};

inline constexpr scale quick_scale{1u << 16, 0.005, 2'000, 10, 1.0, 200'000, 1u << 16};
inline constexpr scale default_scale{1u << 20, 0.05, 20'000, 20, 1.0, 1'000'000, 1u << 20};
inline constexpr scale full_scale{1u << 22, 0.2, 100'000, 50, 1.0, 5'000'000, 5'000'000};

inline scale current_scale = default_scale;

// One sample of at least `min_items` and `min_seconds`: run `min_items`; if that was too short, run
// again with enough items to pass `min_seconds` with a margin, and keep only the second run (the first
// one warmed the caches and the allocator). `run(n)` returns the seconds n items took.
struct sized_sample {
  std::size_t items;
  double seconds;
};

template <class Run>
sized_sample run_sized(std::size_t min_items, double min_seconds, Run&& run) {
  const double first = run(min_items);
  if (first >= min_seconds) return {min_items, first};
  const double factor = first > 0 ? 1.25 * min_seconds / first : 64.0;
  const auto items = static_cast<std::size_t>(std::ceil(static_cast<double>(min_items) * factor));
  return {items, run(items)};
}

}  // namespace bench

#pragma once

// crossbeam-channel's own benchmark suite (its benchmarks/ folder), written for the adapters: one-word
// messages, 4 threads, capacity 1 (every send meets a full channel) or N (never full). spsc, mpsc and
// mpmc are throughput runs with 1x1, 4x1 and 4x4 threads; seq is one thread that sends every message,
// then receives every one, so it only exists at capacity N. Results are in seconds per 5,000,000
// messages, the suite's own unit.

#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "ops.hpp"
#include "payload.hpp"

namespace bench {

inline constexpr double suite_unit_messages = 5'000'000;

// "Capacity N" holds every message of the run; a power of two so the textbook rings can take it.
inline std::size_t suite_capacity_n(std::size_t messages) { return std::bit_ceil(messages); }

template <class Queue, mode Mode>
double run_seq(std::size_t messages) {
  Queue queue(suite_capacity_n(messages), 1);
  tally sent;
  tally received;
  const auto begin = std::chrono::steady_clock::now();
  for (std::uint64_t i = 1; i <= messages; ++i) {
    sent.add(i);
    put<Mode>(queue, std::uint64_t{i});
  }
  for (std::size_t i = 0; i != messages; ++i) {
    std::uint64_t item = 0;
    take<Mode>(queue, item);
    received.add(item);
  }
  const auto end = std::chrono::steady_clock::now();
  require_same(sent, received, "suite seq");
  return std::chrono::duration<double>(end - begin).count();
}

}  // namespace bench

#pragma once

// Scenarios measured per operation rather than per item stream: ping-pong round trips, the wake-up
// of a parked receiver, the CPU an idle parked receiver burns, and one thread's send+recv cost.

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "ops.hpp"
#include "payload.hpp"

namespace bench {

inline std::uint64_t steady_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Seconds per round trip: one item there, the same item back.
template <class Queue, mode Mode>
double run_pingpong(std::size_t capacity, std::size_t trips) {
  Queue there(capacity, 1);
  Queue back(capacity, 1);
  std::thread echo([&] {
    std::uint64_t item = 0;
    for (std::size_t i = 0; i != trips; ++i) {
      take<Mode>(there, item);
      put<Mode>(back, std::uint64_t{item});
    }
  });
  const auto begin = std::chrono::steady_clock::now();
  tally sent;
  tally returned;
  for (std::uint64_t i = 1; i <= trips; ++i) {
    sent.add(i);
    put<Mode>(there, std::uint64_t{i});
    std::uint64_t item = 0;
    take<Mode>(back, item);
    returned.add(item);
  }
  const auto end = std::chrono::steady_clock::now();
  echo.join();
  require_same(sent, returned, "pingpong");
  return std::chrono::duration<double>(end - begin).count() / static_cast<double>(trips);
}

// Median seconds from a send to the moment a receiver that was parked on an empty queue has the item.
// The sender sleeps first so the receiver is really parked, not still in its spin phase.
template <class Queue>
double run_wakeup(std::size_t wakeups) {
  Queue queue(32, 1);
  std::vector<double> latencies;
  latencies.reserve(wakeups);
  std::thread receiver([&] {
    std::uint64_t stamp = 0;
    for (std::size_t i = 0; i != wakeups; ++i) {
      queue.pop(stamp);
      latencies.push_back(static_cast<double>(steady_ns() - stamp) * 1e-9);
    }
  });
  for (std::size_t i = 0; i != wakeups; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    queue.push(steady_ns());
  }
  receiver.join();
  std::nth_element(latencies.begin(), latencies.begin() + static_cast<std::ptrdiff_t>(latencies.size() / 2),
                   latencies.end());
  return latencies[latencies.size() / 2];
}

// CPU seconds the receiver thread burns while parked on an empty queue for `seconds`.
template <class Queue>
double run_idle_cpu(double seconds) {
  Queue queue(32, 1);
  double burnt = 0;
  std::thread receiver([&] {
    const double before = thread_cpu_seconds();
    std::uint64_t item = 0;
    queue.pop(item);
    burnt = thread_cpu_seconds() - before;
    if (item != 1) std::abort();
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  queue.push(std::uint64_t{1});
  receiver.join();
  return burnt;
}

// Seconds per send+recv pair on one thread: the cost of the protocol with no contention at all.
template <class Queue, mode Mode>
double run_uncontended(std::size_t capacity, std::size_t ops) {
  Queue queue(capacity, 1);
  tally sent;
  tally received;
  const auto begin = std::chrono::steady_clock::now();
  for (std::uint64_t i = 1; i <= ops; ++i) {
    sent.add(i);
    put<Mode>(queue, std::uint64_t{i});
    std::uint64_t item = 0;
    take<Mode>(queue, item);
    received.add(item);
  }
  const auto end = std::chrono::steady_clock::now();
  require_same(sent, received, "uncontended");
  return std::chrono::duration<double>(end - begin).count() / static_cast<double>(ops);
}

}  // namespace bench

#pragma once

// P producers and C consumers move a fixed number of items; each producer sends its share, each
// consumer takes its share, so the shares add up and nobody waits for an item that never comes.
// The clock runs from the moment every thread is at the start line until the last one is joined.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "ops.hpp"
#include "payload.hpp"

namespace bench {

inline std::size_t share_of(std::size_t total, int parts, int index) {
  const auto n = static_cast<std::size_t>(parts);
  return total / n + (static_cast<std::size_t>(index) < total % n ? 1 : 0);
}

struct throughput_run {
  double seconds;
  std::size_t effective_capacity;
};

template <class Queue, class T, mode Mode>
throughput_run run_throughput(std::size_t capacity, int producers, int consumers, std::size_t items) {
  Queue queue(capacity, producers);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<tally> sent(static_cast<std::size_t>(producers));
  std::vector<tally> received(static_cast<std::size_t>(consumers));
  auto start_line = [&] {
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
  };

  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      start_line();
      tally mine;
      const std::size_t n = share_of(items, producers, p);
      // The producer index sits in the high bits so ids never collide and are never 0.
      const std::uint64_t base = static_cast<std::uint64_t>(p + 1) << 40;
      for (std::size_t i = 1; i <= n; ++i) {
        mine.add(base + i);
        put<Mode>(queue, make<T>(base + i));
      }
      sent[static_cast<std::size_t>(p)] = mine;
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&, c] {
      start_line();
      tally mine;
      const std::size_t n = share_of(items, consumers, c);
      T item{};
      for (std::size_t i = 0; i != n; ++i) {
        take<Mode>(queue, item);
        mine.add(id_of(item));
      }
      received[static_cast<std::size_t>(c)] = mine;
    });
  }
  while (ready.load() != producers + consumers) std::this_thread::yield();
  const auto begin = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  const auto end = std::chrono::steady_clock::now();

  require_delivered(sent, received, items, "throughput (producers)", "throughput");
  T leftover{};
  if (queue.try_pop(leftover)) require_same(tally{}, tally{1, id_of(leftover), 0}, "throughput (leftover)");
  return {std::chrono::duration<double>(end - begin).count(), queue.effective_capacity()};
}

}  // namespace bench

#pragma once

// The async scenarios: coroutines on a 2-thread asio::thread_pool, written once over the flavours of
// adapters/async.hpp (asio_channel, chan_asio, chan_async).
//
// Throughput: P producer and C consumer coroutines move a fixed number of u64 items; each producer
// sends its share, each consumer takes its share. The clock runs from the first spawn until the pool
// has run out of work (every coroutine has ended); the pool's threads are started before. Count and
// both checksums are checked, and the channel must be empty afterwards.
//
// Idle: 1,000 receivers wait on an empty channel; the CPU time of the whole process over a wall-clock
// interval (CLOCK_PROCESS_CPUTIME_ID: the pool's two threads and the sleeping main thread) is what
// waiting costs. Then the channel closes and every receiver must end with "closed".

#include <time.h>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

#include "../adapters/async.hpp"
#include "payload.hpp"
#include "throughput.hpp"

namespace bench::async {

inline constexpr int pool_threads = 2;
inline constexpr int idle_receivers = 1000;

inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct async_run {
  double seconds;
  double cpu_seconds;  // of the whole process over the same interval: how much of the 2 threads the run kept busy
  double busiest_thread_share;  // of the items received, the share received on the thread that received most
};

// `items` items from `producers` to `consumers` coroutines through a channel of `capacity`.
template <class Flavour>
async_run run_throughput(std::size_t capacity, int producers, int consumers, std::size_t items) {
  asio::thread_pool pool(pool_threads);
  auto ch = Flavour::make(pool, capacity);
  std::vector<tally> sent(static_cast<std::size_t>(producers));
  std::vector<received> got(static_cast<std::size_t>(consumers));

  const double cpu_before = process_cpu_seconds();
  const auto begin = std::chrono::steady_clock::now();
  // Consumers first, so that with a small channel the first producers meet waiting receivers.
  for (int c = 0; c != consumers; ++c) {
    Flavour::consumer(pool, ch, share_of(items, consumers, c), got[static_cast<std::size_t>(c)]);
  }
  for (int p = 0; p != producers; ++p) {
    // The producer index sits in the high bits so ids never collide and are never 0.
    const std::uint64_t base = static_cast<std::uint64_t>(p + 1) << 40;
    Flavour::producer(pool, ch, share_of(items, producers, p), base, sent[static_cast<std::size_t>(p)]);
  }
  // Returns once no work is left: every coroutine has ended (one still suspended would be a lost
  // wake-up, and shows up below as a short count).
  pool.join();
  const auto end = std::chrono::steady_clock::now();
  const double cpu = process_cpu_seconds() - cpu_before;

  tally all_sent;
  tally all_received;
  for (const auto& t : sent) all_sent.merge(t);
  std::vector<std::pair<std::thread::id, std::uint64_t>> per_thread;
  for (const auto& r : got) {
    all_received.merge(r.items);
    for (const auto& [thread, count] : r.threads) {
      auto at = std::find_if(per_thread.begin(), per_thread.end(), [&](const auto& p) { return p.first == thread; });
      if (at == per_thread.end()) {
        per_thread.emplace_back(thread, count);
      } else {
        at->second += count;
      }
    }
  }
  std::uint64_t busiest = 0;
  for (const auto& p : per_thread) busiest = std::max(busiest, p.second);
  if (all_sent.count != items) require_same(tally{items, 0, 0}, all_sent, "async throughput (producers)");
  require_same(all_sent, all_received, "async throughput");
  std::uint64_t item = 0;
  if (Flavour::leftover(ch, item)) require_same(tally{}, tally{1, item, 0}, "async throughput (leftover)");
  return {std::chrono::duration<double>(end - begin).count(), cpu,
          static_cast<double>(busiest) / static_cast<double>(items)};
}

// asio's completion path alone, the floor under both asio rows: a "sender" and a "receiver" coroutine
// each await one asio::post per item, which is what every completion through use_awaitable costs at
// least (an operation's handler is posted to the pool), with no channel at all. Seconds for `items`.
inline asio::awaitable<void> post_per_item(std::size_t items, std::atomic<std::size_t>& done) {
  auto executor = co_await asio::this_coro::executor;
  for (std::size_t i = 0; i != items; ++i) {
    co_await asio::post(executor, asio::use_awaitable);
    done.fetch_add(1, std::memory_order_relaxed);
  }
}

inline double run_post_floor(std::size_t items) {
  asio::thread_pool pool(pool_threads);
  std::atomic<std::size_t> done{0};
  const auto begin = std::chrono::steady_clock::now();
  for (int side = 0; side != 2; ++side) asio::co_spawn(pool, post_per_item(items, done), abort_on_exception);
  pool.join();
  const auto end = std::chrono::steady_clock::now();
  if (done.load() != 2 * items) {
    std::fprintf(stderr, "bench: async floor: %zu of %zu posts completed\n", done.load(), 2 * items);
    std::abort();
  }
  return std::chrono::duration<double>(end - begin).count();
}

// CPU seconds the process burns while `idle_receivers` coroutines wait on an empty channel for `seconds`.
template <class Flavour>
double run_idle(double seconds) {
  asio::thread_pool pool(pool_threads);
  auto ch = Flavour::make(pool, 32);
  std::atomic<int> started{0};
  std::atomic<int> closed{0};
  for (int r = 0; r != idle_receivers; ++r) Flavour::idle_receiver(pool, ch, started, closed);
  while (started.load() != idle_receivers) std::this_thread::yield();
  // Each has begun its receive; give the last ones time to finish suspending before the clock starts.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double burnt = process_cpu_seconds() - before;

  if (closed.load() != 0) {
    std::fprintf(stderr, "bench: async idle: a receiver ended before the channel closed\n");
    std::abort();
  }
  Flavour::close(ch);
  pool.join();
  if (closed.load() != idle_receivers) {
    std::fprintf(stderr, "bench: async idle: %d of %d receivers saw the close\n", closed.load(), idle_receivers);
    std::abort();
  }
  return burnt;
}

}  // namespace bench::async

#pragma once

// crossbeam-channel's select scenarios (the select_rx and select_both of its benchmarks/ folder), for
// chan's select over arms known at compile time:
//   select_rx    4 channels, one producer sending into each, one consumer that selects a receive
//                over all 4 for every item;
//   select_both  4 channels, 4 threads that select a send over all 4 for every item, 4 threads that
//                select a receive over all 4;
//   select_rx_dyn select_rx with the run-time chan::selector (its 4 arms added once, before the loop).
// "blocking" rows call chan::select (parks); "try" rows call chan::try_select and yield on
// {no_arm, empty}, and their plain producers try_send and yield on full, like ops.hpp.
// Every run checks the count and both checksums of what arrived; select_rx also checks that each item
// came out of the channel its producer sent it into (the arm index) and in that producer's order.

#include <chan/channel.hpp>
#include <chan/select.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "ops.hpp"
#include "payload.hpp"
#include "throughput.hpp"

namespace bench {

inline constexpr int select_width = 4;  // channels per select, and threads per side (crossbeam's THREADS)

template <class T>
using select_channels = std::array<chan::channel<T>, select_width>;

template <class T>
select_channels<T> make_select_channels(std::size_t capacity) {
  return {chan::channel<T>(capacity), chan::channel<T>(capacity), chan::channel<T>(capacity),
          chan::channel<T>(capacity)};
}

[[noreturn]] inline void select_failed(const char* what, chan::selected got) {
  std::fprintf(stderr, "bench: %s: arm %zu answered %s\n", what, got.index, chan::to_string(got.result));
  std::abort();
}

template <mode Mode, class T>
chan::selected select_recv(select_channels<T>& chs, T& out) {
  for (;;) {
    if constexpr (Mode == mode::blocking) {
      return chan::select(chan::recv(chs[0], out), chan::recv(chs[1], out), chan::recv(chs[2], out),
                          chan::recv(chs[3], out));
    } else {
      const chan::selected got = chan::try_select(chan::recv(chs[0], out), chan::recv(chs[1], out),
                                                  chan::recv(chs[2], out), chan::recv(chs[3], out));
      if (got) return got;
      std::this_thread::yield();
    }
  }
}

// One value for all four arms: only the arm that fires moves from it.
template <mode Mode, class T>
chan::selected select_send(select_channels<T>& chs, T& value) {
  for (;;) {
    if constexpr (Mode == mode::blocking) {
      return chan::select(chan::send(chs[0], value), chan::send(chs[1], value), chan::send(chs[2], value),
                          chan::send(chs[3], value));
    } else {
      const chan::selected got = chan::try_select(chan::send(chs[0], value), chan::send(chs[1], value),
                                                  chan::send(chs[2], value), chan::send(chs[3], value));
      if (got) return got;
      std::this_thread::yield();
    }
  }
}

template <mode Mode, class T>
void send_one(chan::channel<T>& ch, T&& value) {
  if constexpr (Mode == mode::blocking) {
    if (ch.send(std::move(value)) != chan::status::ok) std::abort();
  } else {
    while (ch.try_send(std::move(value)) != chan::status::ok) std::this_thread::yield();
  }
}

// Runs body(index) on `threads` threads that start together; seconds from the start to the last join.
template <class Body>
double run_started(int threads, Body&& body) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int t = 0; t != threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      body(t);
    });
  }
  while (ready.load() != threads) std::this_thread::yield();
  const auto begin = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& t : pool) t.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

// Items the producers of select scenarios send: producer p's ids carry p + 1 in the high bits.
inline std::uint64_t select_id(int producer, std::size_t i) {
  return (static_cast<std::uint64_t>(producer + 1) << 40) + static_cast<std::uint64_t>(i);
}

template <class T>
void require_drained(select_channels<T>& chs, const char* what) {
  for (auto& ch : chs) {
    T leftover{};
    if (ch.try_recv(leftover) == chan::status::ok) require_same(tally{}, tally{1, id_of(leftover), 0}, what);
  }
}

// The run-time chan::selector over the same 4 receive arms, built once and run for every item.
template <mode Mode>
chan::selected run_selector(chan::selector<select_width>& sel) {
  for (;;) {
    if constexpr (Mode == mode::blocking) {
      return sel.select();
    } else {
      const chan::selected got = sel.try_select();
      if (got) return got;
      std::this_thread::yield();
    }
  }
}

// Runtime: the consumer selects through a chan::selector (select_rx_dyn) instead of chan::select.
template <class T, mode Mode, bool Runtime = false>
double run_select_rx(std::size_t capacity, std::size_t items) {
  auto chs = make_select_channels<T>(capacity);
  std::vector<tally> sent(select_width);
  tally received;
  const double seconds = run_started(select_width + 1, [&](int t) {
    if (t < select_width) {
      tally mine;
      const std::size_t n = share_of(items, select_width, t);
      for (std::size_t i = 1; i <= n; ++i) {
        mine.add(select_id(t, i));
        send_one<Mode>(chs[static_cast<std::size_t>(t)], make<T>(select_id(t, i)));
      }
      sent[static_cast<std::size_t>(t)] = mine;
      return;
    }
    std::array<std::uint64_t, select_width> last{};  // per channel: the newest id received
    // Tallied here and stored once at the end, as the producers do: `received` sits in this
    // function's frame beside the closure the producers read on every send, and writing it per item
    // made each producer's next send miss that line (perf: a quarter of the run on those loads).
    tally mine;
    T item{};
    chan::selector<select_width> sel;
    if constexpr (Runtime) {
      for (auto& ch : chs) sel.add_recv(ch, item);
    }
    for (std::size_t i = 0; i != items; ++i) {
      const chan::selected got = Runtime ? run_selector<Mode>(sel) : select_recv<Mode>(chs, item);
      if (got.result != chan::status::ok) select_failed("select_rx", got);
      const std::uint64_t id = id_of(item);
      // Channel k carries producer k's items only, in the order that producer sent them.
      if ((id >> 40) != got.index + 1 || id <= last[got.index]) {
        std::fprintf(stderr, "bench: select_rx: item %llx out of arm %zu after %llx\n",
                     static_cast<unsigned long long>(id), got.index, static_cast<unsigned long long>(last[got.index]));
        std::abort();
      }
      last[got.index] = id;
      mine.add(id);
    }
    received = mine;
  });
  tally all_sent;
  for (const auto& s : sent) all_sent.merge(s);
  require_same(all_sent, received, "select_rx");
  require_drained(chs, "select_rx (leftover)");
  return seconds;
}

template <class T, mode Mode>
double run_select_both(std::size_t capacity, std::size_t items) {
  auto chs = make_select_channels<T>(capacity);
  std::vector<tally> sent(select_width);
  std::vector<tally> received(select_width);
  const double seconds = run_started(2 * select_width, [&](int t) {
    tally mine;
    if (t < select_width) {
      const std::size_t n = share_of(items, select_width, t);
      for (std::size_t i = 1; i <= n; ++i) {
        mine.add(select_id(t, i));
        T value = make<T>(select_id(t, i));
        const chan::selected got = select_send<Mode>(chs, value);
        if (got.result != chan::status::ok) select_failed("select_both (send)", got);
      }
      sent[static_cast<std::size_t>(t)] = mine;
      return;
    }
    const int c = t - select_width;
    const std::size_t n = share_of(items, select_width, c);
    T item{};
    for (std::size_t i = 0; i != n; ++i) {
      const chan::selected got = select_recv<Mode>(chs, item);
      if (got.result != chan::status::ok) select_failed("select_both (recv)", got);
      mine.add(id_of(item));
    }
    received[static_cast<std::size_t>(c)] = mine;
  });
  require_delivered(sent, received, items, "select_both (senders)", "select_both");
  require_drained(chs, "select_both (leftover)");
  return seconds;
}

}  // namespace bench

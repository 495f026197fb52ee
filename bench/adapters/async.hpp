#pragma once

// The three ways a coroutine moves u64 items in the async rows, each on an asio::thread_pool:
//
//   asio_channel  asio::experimental::concurrent_channel, asio coroutines (co_spawn, use_awaitable)
//   chan_asio     chan::channel through chan::asio::async_send / async_recv with use_awaitable, the
//                 same asio coroutines: like for like with asio_channel
//   chan_async    chan::channel's own awaitables (co_await ch.async_send(v) / ch.async_recv()) in a
//                 minimal detached task that the pool starts once; after that a suspended coroutine
//                 is resumed inline by the one that makes it ready (chan's native async, no executor)
//
// Each flavour spawns producers and consumers that count what they moved into a tally, idle receivers
// that wait until the channel closes, and takes a leftover item, so the scenarios (scenarios/async.hpp)
// are written once. Nobody closes a channel in a throughput run, so any failure there aborts.

#include <asio/co_spawn.hpp>
#include <asio/experimental/concurrent_channel.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

#include <chan/asio.hpp>
#include <chan/channel.hpp>

#include <array>
#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <thread>
#include <tuple>
#include <utility>

#include "../scenarios/payload.hpp"

namespace bench::async {

// What a consumer received, and on which threads it ran when it did: inline resumption can gather
// every coroutine on one thread of the pool, which this shows whatever the machine's load.
struct received {
  tally items;
  std::array<std::pair<std::thread::id, std::uint64_t>, 4> threads{};

  void add(std::uint64_t id) {
    items.add(id);
    const auto here = std::this_thread::get_id();
    for (auto& [thread, count] : threads) {
      if (thread == here || thread == std::thread::id{}) {
        thread = here;
        ++count;
        return;
      }
    }
  }
};

// A co_spawn completion: an exception out of a benchmark coroutine is a broken run.
inline void abort_on_exception(std::exception_ptr e) {
  if (e) std::abort();
}

// ---- asio's concurrent_channel -------------------------------------------------------------------

struct asio_channel {
  static constexpr const char* name = "asio_channel";
  using channel_type = asio::experimental::concurrent_channel<void(asio::error_code, std::uint64_t)>;
  static channel_type make(asio::thread_pool& pool, std::size_t capacity) { return channel_type(pool, capacity); }

  static asio::awaitable<void> produce(channel_type& ch, std::size_t n, std::uint64_t base, tally& out) {
    tally mine;
    for (std::size_t i = 1; i <= n; ++i) {
      mine.add(base + i);
      co_await ch.async_send(asio::error_code{}, base + i, asio::use_awaitable);  // throws on error
    }
    out = mine;
  }
  static asio::awaitable<void> consume(channel_type& ch, std::size_t n, received& out) {
    received mine;
    for (std::size_t i = 0; i != n; ++i) mine.add(co_await ch.async_receive(asio::use_awaitable));
    out = mine;
  }
  static asio::awaitable<void> wait_closed(channel_type& ch, std::atomic<int>& started, std::atomic<int>& closed) {
    started.fetch_add(1);
    try {
      (void)co_await ch.async_receive(asio::use_awaitable);
    } catch (const asio::system_error&) {
      closed.fetch_add(1);  // channel_closed: the only way out in the idle run
    }
  }

  static void producer(asio::thread_pool& pool, channel_type& ch, std::size_t n, std::uint64_t base, tally& out) {
    asio::co_spawn(pool, produce(ch, n, base, out), abort_on_exception);
  }
  static void consumer(asio::thread_pool& pool, channel_type& ch, std::size_t n, received& out) {
    asio::co_spawn(pool, consume(ch, n, out), abort_on_exception);
  }
  static void idle_receiver(asio::thread_pool& pool, channel_type& ch, std::atomic<int>& started,
                            std::atomic<int>& closed) {
    asio::co_spawn(pool, wait_closed(ch, started, closed), abort_on_exception);
  }
  static void close(channel_type& ch) { ch.close(); }
  static bool leftover(channel_type& ch, std::uint64_t& item) {
    return ch.try_receive([&item](asio::error_code, std::uint64_t v) { item = v; });
  }
};

// ---- chan through asio's completion tokens --------------------------------------------------------

struct chan_asio {
  static constexpr const char* name = "chan_asio";
  using channel_type = chan::channel<std::uint64_t>;
  static channel_type make(asio::thread_pool&, std::size_t capacity) { return channel_type(capacity); }

  static asio::awaitable<void> produce(channel_type& ch, std::size_t n, std::uint64_t base, tally& out) {
    tally mine;
    for (std::size_t i = 1; i <= n; ++i) {
      mine.add(base + i);
      // Completes with (status, the value back unless it was sent).
      if (std::get<0>(co_await chan::asio::async_send(ch, base + i, asio::use_awaitable)) != chan::status::ok)
        std::abort();
    }
    out = mine;
  }
  static asio::awaitable<void> consume(channel_type& ch, std::size_t n, received& out) {
    received mine;
    for (std::size_t i = 0; i != n; ++i) {
      auto item = co_await chan::asio::async_recv(ch, asio::use_awaitable);
      if (!item) std::abort();
      mine.add(*item);
    }
    out = mine;
  }
  static asio::awaitable<void> wait_closed(channel_type& ch, std::atomic<int>& started, std::atomic<int>& closed) {
    started.fetch_add(1);
    auto item = co_await chan::asio::async_recv(ch, asio::use_awaitable);
    if (item.result() == chan::status::closed) closed.fetch_add(1);
  }

  static void producer(asio::thread_pool& pool, channel_type& ch, std::size_t n, std::uint64_t base, tally& out) {
    asio::co_spawn(pool, produce(ch, n, base, out), abort_on_exception);
  }
  static void consumer(asio::thread_pool& pool, channel_type& ch, std::size_t n, received& out) {
    asio::co_spawn(pool, consume(ch, n, out), abort_on_exception);
  }
  static void idle_receiver(asio::thread_pool& pool, channel_type& ch, std::atomic<int>& started,
                            std::atomic<int>& closed) {
    asio::co_spawn(pool, wait_closed(ch, started, closed), abort_on_exception);
  }
  static void close(channel_type& ch) { ch.close(); }
  static bool leftover(channel_type& ch, std::uint64_t& item) { return ch.try_recv(item) == chan::status::ok; }
};

// ---- chan's own awaitables --------------------------------------------------------------------------

// The least a coroutine needs to run: it starts suspended (the pool resumes it once, through post)
// and frees its frame when it ends. Every later resumption is chan's, inline on the notifier's thread.
struct detached_task {
  struct promise_type {
    detached_task get_return_object() noexcept { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  std::coroutine_handle<> handle;

  void start_on(asio::thread_pool& pool) const {
    asio::post(pool, [h = handle] { h.resume(); });
  }
};

struct chan_async {
  static constexpr const char* name = "chan_async";
  using channel_type = chan::channel<std::uint64_t>;
  static channel_type make(asio::thread_pool&, std::size_t capacity) { return channel_type(capacity); }

  static detached_task produce(channel_type& ch, std::size_t n, std::uint64_t base, tally& out) {
    tally mine;
    for (std::size_t i = 1; i <= n; ++i) {
      mine.add(base + i);
      if (co_await ch.async_send(base + i) != chan::status::ok) std::abort();
    }
    out = mine;
  }
  static detached_task consume(channel_type& ch, std::size_t n, received& out) {
    received mine;
    for (std::size_t i = 0; i != n; ++i) {
      auto item = co_await ch.async_recv();
      if (!item) std::abort();
      mine.add(*item);
    }
    out = mine;
  }
  static detached_task wait_closed(channel_type& ch, std::atomic<int>& started, std::atomic<int>& closed) {
    started.fetch_add(1);
    auto item = co_await ch.async_recv();
    if (item.result() == chan::status::closed) closed.fetch_add(1);
  }

  static void producer(asio::thread_pool& pool, channel_type& ch, std::size_t n, std::uint64_t base, tally& out) {
    produce(ch, n, base, out).start_on(pool);
  }
  static void consumer(asio::thread_pool& pool, channel_type& ch, std::size_t n, received& out) {
    consume(ch, n, out).start_on(pool);
  }
  static void idle_receiver(asio::thread_pool& pool, channel_type& ch, std::atomic<int>& started,
                            std::atomic<int>& closed) {
    wait_closed(ch, started, closed).start_on(pool);
  }
  static void close(channel_type& ch) { ch.close(); }
  static bool leftover(channel_type& ch, std::uint64_t& item) { return ch.try_recv(item) == chan::status::ok; }
};

}  // namespace bench::async

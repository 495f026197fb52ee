// chan/asio.hpp: async_send / async_recv with each kind of asio completion token (use_awaitable, a
// callback, use_future, deferred), completing on the handler's associated executor, and honouring
// its cancellation slot without losing an item: a cancelled receive takes nothing, and a send that
// is cancelled or finds the channel closed hands its value back in the completion. Built only where
// asio is installed.

#include <chan/asio.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/version.hpp>
#if defined(ASIO_HAS_CO_AWAIT)
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#endif
#if ASIO_VERSION >= 102400
#include <asio/deferred.hpp>
namespace asio_deferred = asio;
#else
#include <asio/experimental/deferred.hpp>  // asio 1.22: deferred is still experimental
namespace asio_deferred = asio::experimental;
#endif
#include <asio/io_context.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_future.hpp>

#include <catch2/catch.hpp>

#include "../unit/held_peer.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>

using chan::status;

// asio 1.22 enables its coroutines only where it detects them (g++ 12 here; not clang 14 with
// libstdc++), so the use_awaitable case is built where asio has co_await.
#if defined(ASIO_HAS_CO_AWAIT)
TEST_CASE("asio: use_awaitable receives and sends from an asio coroutine", "[asio]") {
  chan::channel<int> ch(1);
  asio::io_context io;
  int got = -1;
  status sent = status::empty;
  bool on_io_thread = false, nothing_back = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto item = co_await chan::asio::async_recv(ch, asio::use_awaitable);
        got = item ? *item : -2;
        on_io_thread = io.get_executor().running_in_this_thread();
        auto [result, back] = co_await chan::asio::async_send(ch, got + 1, asio::use_awaitable);
        sent = result;
        nothing_back = !back;
      },
      asio::detached);
  std::thread sender([&] {
    if (ch.send(41) != status::ok) std::terminate();
  });
  io.run();
  sender.join();
  REQUIRE(got == 41);
  REQUIRE(on_io_thread);
  REQUIRE(sent == status::ok);
  REQUIRE(nothing_back);  // ok: the value is in the channel
  REQUIRE(*ch.try_recv() == 42);
}

TEST_CASE("use_awaitable_send_into_a_closed_channel_gives_the_value_back", "[asio]") {
  chan::channel<std::unique_ptr<int>> ch(1);
  ch.close();
  asio::io_context io;
  status sent = status::empty;
  std::unique_ptr<int> back;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto [result, value] = co_await chan::asio::async_send(ch, std::make_unique<int>(6), asio::use_awaitable);
        sent = result;
        if (value) back = std::move(*value);
      },
      asio::detached);
  io.run();
  REQUIRE(sent == status::closed);
  REQUIRE(back);
  REQUIRE(*back == 6);
}

#endif  // ASIO_HAS_CO_AWAIT

TEST_CASE("asio: a callback runs on its associated executor, never inline", "[asio]") {
  chan::channel<int> ch(1);
  REQUIRE(ch.try_send(5) == status::ok);
  asio::io_context io;
  int got = -1;
  bool on_io_thread = false;
  chan::asio::async_recv(ch, asio::bind_executor(io, [&](chan::recv_result<int> r) {
                           got = r ? *r : -2;
                           on_io_thread = io.get_executor().running_in_this_thread();
                         }));
  REQUIRE(got == -1);  // ready at once, but the handler is posted
  io.run();
  REQUIRE(got == 5);
  REQUIRE(on_io_thread);

  // A waiting send completed by a receiver on another thread.
  REQUIRE(ch.try_send(6) == status::ok);
  status sent = status::empty;
  io.restart();
  chan::asio::async_send(ch, 7, asio::bind_executor(io, [&](status s, std::optional<int> back) {
                           sent = s;
                           if (back) sent = status::empty;  // ok hands nothing back
                         }));
  std::thread receiver([&] {
    if (*ch.recv() != 6) std::terminate();
  });
  io.run();
  receiver.join();
  REQUIRE(sent == status::ok);
  REQUIRE(*ch.try_recv() == 7);

  // The value converts to T (the channel alone says what T is).
  chan::channel<std::string> words(1);
  sent = status::empty;
  io.restart();
  chan::asio::async_send(words, "converted",
                         asio::bind_executor(io, [&](status s, std::optional<std::string>) { sent = s; }));
  io.run();
  REQUIRE(sent == status::ok);
  REQUIRE(*words.try_recv() == "converted");
}

// The initiation's first attempt answers most operations at once, without the pending state a wait
// needs; each answer must still reach the handler through its executor, never inside the call.
TEST_CASE("asio: an operation answered at once posts its handler with that answer", "[asio]") {
  chan::channel<std::unique_ptr<int>> ch(1);
  asio::io_context io;
  int runs = 0;
  auto on_io = [&] {
    ++runs;
    if (!io.get_executor().running_in_this_thread()) std::terminate();
  };

  status sent = status::empty;
  bool nothing_back = false;
  chan::asio::async_send(ch, std::make_unique<int>(1),
                         asio::bind_executor(io, [&](status s, std::optional<std::unique_ptr<int>> back) {
                           on_io();
                           sent = s;
                           nothing_back = !back;
                         }));
  REQUIRE(runs == 0);
  REQUIRE(ch.size() == 1);  // in the channel already; only the handler waits for the executor
  io.run();
  REQUIRE(runs == 1);
  REQUIRE(sent == status::ok);
  REQUIRE(nothing_back);

  int got = 0;
  io.restart();
  chan::asio::async_recv(ch, asio::bind_executor(io, [&](chan::recv_result<std::unique_ptr<int>> r) {
                           on_io();
                           got = r ? **r : -1;
                         }));
  REQUIRE(runs == 1);
  io.run();
  REQUIRE(runs == 2);
  REQUIRE(got == 1);

  ch.close();
  status closed_send = status::empty;
  int handed_back = 0;
  status closed_recv = status::empty;
  io.restart();
  chan::asio::async_send(ch, std::make_unique<int>(2),
                         asio::bind_executor(io, [&](status s, std::optional<std::unique_ptr<int>> back) {
                           on_io();
                           closed_send = s;
                           handed_back = back && *back ? **back : -1;
                         }));
  chan::asio::async_recv(ch, asio::bind_executor(io, [&](chan::recv_result<std::unique_ptr<int>> r) {
                           on_io();
                           closed_recv = r.result();
                         }));
  REQUIRE(runs == 2);
  io.run();
  REQUIRE(runs == 4);
  REQUIRE(closed_send == status::closed);
  REQUIRE(handed_back == 2);
  REQUIRE(closed_recv == status::closed);
}

TEST_CASE("asio: use_future and deferred", "[asio]") {
  chan::channel<std::unique_ptr<int>> ch(1);
  asio::thread_pool pool(1);
  std::future<chan::recv_result<std::unique_ptr<int>>> pending =
      chan::asio::async_recv(ch, asio::bind_executor(pool, asio::use_future));
  REQUIRE(ch.try_send(std::make_unique<int>(3)) == status::ok);
  auto got = pending.get();
  REQUIRE(got);
  REQUIRE(**got == 3);

  asio::io_context io;
  auto later = chan::asio::async_send(ch, std::make_unique<int>(4), asio_deferred::deferred);
  REQUIRE(ch.size() == 0);  // deferred: nothing happens until it is started
  status sent = status::empty;
  std::move(later)(asio::bind_executor(io, [&](status s, std::optional<std::unique_ptr<int>>) { sent = s; }));
  io.run();
  REQUIRE(sent == status::ok);
  REQUIRE(**ch.try_recv() == 4);

  // A send's future holds the status and what came back: here, a closed channel's refusal.
  ch.close();
  std::future<std::tuple<status, std::optional<std::unique_ptr<int>>>> refused =
      chan::asio::async_send(ch, std::make_unique<int>(5), asio::bind_executor(pool, asio::use_future));
  auto [answer, back] = refused.get();
  REQUIRE(answer == status::closed);
  REQUIRE(back);
  REQUIRE(**back == 5);
  pool.join();
}

TEST_CASE("cancelled_send_gives_its_value_back", "[asio]") {
  chan::channel<std::unique_ptr<int>> ch(1);
  REQUIRE(ch.try_send(std::make_unique<int>(1)) == status::ok);
  asio::io_context io;
  asio::cancellation_signal signal;
  status answer = status::empty;
  std::unique_ptr<int> back;
  chan::asio::async_send(
      ch, std::make_unique<int>(2),
      asio::bind_cancellation_slot(signal.slot(),
                                   asio::bind_executor(io, [&](status s, std::optional<std::unique_ptr<int>> v) {
                                     answer = s;
                                     if (v) back = std::move(*v);
                                   })));
  io.poll();
  REQUIRE(answer == status::empty);  // waiting: the channel is full
  signal.emit(asio::cancellation_type::terminal);
  io.run();
  REQUIRE(answer == status::cancelled);
  REQUIRE(back);
  REQUIRE(*back == 2);
  REQUIRE(**ch.try_recv() == 1);  // the channel holds what it held
  REQUIRE(ch.try_recv().result() == status::empty);
}

TEST_CASE("waiting_send_closed_gives_its_value_back", "[asio]") {
  chan::channel<std::unique_ptr<int>> ch(1);
  REQUIRE(ch.try_send(std::make_unique<int>(1)) == status::ok);
  asio::io_context io;
  status answer = status::empty;
  std::unique_ptr<int> back;
  chan::asio::async_send(ch, std::make_unique<int>(3),
                         asio::bind_executor(io, [&](status s, std::optional<std::unique_ptr<int>> v) {
                           answer = s;
                           if (v) back = std::move(*v);
                         }));
  io.poll();
  REQUIRE(answer == status::empty);
  std::thread closer([&] { ch.close(); });
  closer.join();
  io.run();
  REQUIRE(answer == status::closed);
  REQUIRE(back);
  REQUIRE(*back == 3);
  REQUIRE(**ch.try_recv() == 1);  // the buffered item survives the close
}

TEST_CASE("asio: the cancellation slot cancels a waiting receive, which takes nothing", "[asio]") {
  chan::channel<int> ch(1);
  asio::io_context io;
  asio::cancellation_signal signal;
  status answer = status::empty;
  chan::asio::async_recv(
      ch, asio::bind_cancellation_slot(
              signal.slot(), asio::bind_executor(io, [&](chan::recv_result<int> r) { answer = r.result(); })));
  io.poll();
  REQUIRE(answer == status::empty);
  signal.emit(asio::cancellation_type::terminal);
  io.run();
  REQUIRE(answer == status::cancelled);
  REQUIRE(ch.try_send(8) == status::ok);
  REQUIRE(*ch.try_recv() == 8);  // the cancelled receive took nothing

  // Closing completes a waiting receive with closed.
  status closed = status::empty;
  io.restart();
  chan::asio::async_recv(ch, asio::bind_executor(io, [&](chan::recv_result<int> r) { closed = r.result(); }));
  ch.close();
  io.run();
  REQUIRE(closed == status::closed);
}

// The initiating call gives up on a peer stuck mid-way, as every waiting look does: a receive behind a
// sender held mid-write, a send behind a receiver held moving out the item whose slot it needs. The
// initiation returns while the peer is held, and the peer's commit completes the operation. Waiting
// the peer out, the initiation would return only once the hold ran out (ten seconds).
TEST_CASE("asio: an initiation does not wait for a peer stuck mid-way", "[asio]") {
  using held_peer::held_channel;
  using held_peer::held_item;
  {
    held_channel ch(2);
    asio::io_context io;
    held_item::released = false;
    std::atomic<bool> writer_done{false};
    std::thread writer([&] {
      (void)ch.try_emplace(7, held_item::hold_t{});
      writer_done = true;
    });
    while (ch.size() == 0) std::this_thread::yield();
    int got = -1;
    chan::asio::async_recv(ch, asio::bind_executor(io, [&](chan::recv_result<held_item> r) {
                             got = r ? r->value : static_cast<int>(r.result()) * -100;
                           }));
    const bool held_after_initiation = !writer_done.load();
    held_item::release();
    writer.join();
    io.run();
    REQUIRE(held_after_initiation);
    REQUIRE(got == 7);
  }
  {
    held_channel ch(1);
    REQUIRE(ch.try_send(held_item(1)) == status::ok);
    asio::io_context io;
    held_item::hold_next_move();
    std::atomic<bool> taker_done{false};
    int taken = -1;
    std::thread taker([&] {
      auto item = ch.try_recv();
      if (item) taken = item->value;
      taker_done = true;
    });
    while (ch.size() != 0 || held_item::next_move_holds.load()) std::this_thread::yield();  // held in its move
    status sent = status::empty;
    chan::asio::async_send(ch, held_item(2),
                           asio::bind_executor(io, [&](status s, std::optional<held_item>) { sent = s; }));
    const bool held_after_initiation = !taker_done.load();
    held_item::release();
    taker.join();
    io.run();
    REQUIRE(held_after_initiation);
    REQUIRE(taken == 1);
    REQUIRE(sent == status::ok);
    auto second = ch.try_recv();
    REQUIRE(second);
    REQUIRE(second->value == 2);
  }
}

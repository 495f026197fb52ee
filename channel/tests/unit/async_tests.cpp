// SPEC section 1b and section 2 "Async (1b)": coroutines awaiting sends and receives. Immediate
// completion without suspension, inline resumption on the notifier's thread (and chained
// resumptions that neither deadlock nor recurse without bound), the resumer's one call per
// suspension, many coroutines on a small pool, threads and coroutines on one channel, close,
// cancellation that loses nothing (before a wake and racing one), oneshot. The coroutine type is
// the test's own (support/coro.hpp). No test asserts how long anything took.

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

#include "../support/coro.hpp"
#include "../support/deliveries.hpp"

namespace {

using chan::status;
using chan_test::task;

template <class Channel>
bool receivers_wait(Channel& ch) {
  return chan::detail::async_access::receivers(ch)->has_waiters();
}
template <class Channel>
bool senders_wait(Channel& ch) {
  return chan::detail::async_access::senders(ch)->has_waiters();
}

// Counts its calls and keeps the handles, for the test to resume.
struct counting_resumer {
  std::vector<std::coroutine_handle<>>* handles;
  void operator()(std::coroutine_handle<> handle) const { handles->push_back(handle); }
};

using chan_test::eventually;

}  // namespace

TEST_CASE("async: an await that can complete at once does not suspend", "[async]") {
  chan::channel<int> ch(2);
  REQUIRE(ch.try_send(1) == status::ok);
  int out = 0;
  {
    auto recv = ch.async_recv(out);
    REQUIRE(recv.await_ready());
    REQUIRE(recv.await_resume() == status::ok);
    REQUIRE(out == 1);
  }
  {
    int five = 5;  // the awaitable refers to the value it sends (co_await it in the same expression)
    auto send = ch.async_send(std::move(five));
    REQUIRE(send.await_ready());
    REQUIRE(send.await_resume() == status::ok);
  }
  // Through co_await in a coroutine whose resumer would record a suspension.
  std::vector<std::coroutine_handle<>> handles;
  bool finished = false;
  int got_value = 0;
  status sent = status::empty;
  auto body = [&]() -> task {
    auto got = co_await ch.async_recv(counting_resumer{&handles});
    got_value = got ? *got : -1;
    sent = co_await ch.async_send(6, counting_resumer{&handles});
    finished = true;
  };
  body();
  REQUIRE(got_value == 5);
  REQUIRE(sent == status::ok);
  REQUIRE(finished);
  REQUIRE(handles.empty());
  REQUIRE(*ch.try_recv() == 6);
  ch.close();
  auto closed = ch.async_recv(out);
  REQUIRE(closed.await_ready());
  REQUIRE(closed.await_resume() == status::closed);
}

TEST_CASE("async: a suspended receiver is resumed inline on the sending thread, and may send at once", "[async]") {
  chan::channel<int> ch(1);
  std::thread::id resumed_on;
  std::atomic<bool> finished{false};
  status received = status::empty, sent_back = status::empty;
  auto body = [&]() -> task {
    int out = 0;
    received = co_await ch.async_recv(out);
    resumed_on = std::this_thread::get_id();
    // The notifier holds no chan lock any more: sending on the same channel completes at once.
    sent_back = co_await ch.async_send(out + 1);
    finished = true;
  };
  body();
  REQUIRE_FALSE(finished);
  REQUIRE(receivers_wait(ch));
  std::thread::id sender_id;
  std::thread sender([&] {
    sender_id = std::this_thread::get_id();
    REQUIRE(ch.send(41) == status::ok);
  });
  sender.join();
  REQUIRE(finished);
  REQUIRE(received == status::ok);
  REQUIRE(resumed_on == sender_id);
  REQUIRE(sent_back == status::ok);
  REQUIRE(*ch.try_recv() == 42);
  REQUIRE_FALSE(receivers_wait(ch));
}

TEST_CASE("async: chained inline resumptions neither deadlock nor recurse without bound", "[async]") {
  // Two coroutines bounce a counter over two capacity-1 channels 200,000 times, each resumed inline
  // by the other's send: without the trampoline every hop would be a deeper stack frame.
  chan::channel<int> ping(1), pong(1);
  constexpr int hops = 200'000;
  int last_ping = -1, last_pong = -1;
  bool failed = false;
  auto first = [&]() -> task {
    for (;;) {
      auto got = co_await ping.async_recv();
      if (!got) co_return;
      last_ping = *got;
      if (*got >= hops) {
        pong.close();
        co_return;
      }
      if (co_await pong.async_send(*got + 1) != status::ok) failed = true;
    }
  };
  auto second = [&]() -> task {
    for (;;) {
      auto got = co_await pong.async_recv();
      if (!got) {
        ping.close();
        co_return;
      }
      last_pong = *got;
      if (co_await ping.async_send(*got + 1) != status::ok) failed = true;
    }
  };
  first();
  second();
  REQUIRE(ping.try_send(0) == status::ok);
  REQUIRE_FALSE(failed);
  REQUIRE(last_ping == hops);
  REQUIRE(last_pong == hops - 1);
}

TEST_CASE("async: the resumer is called exactly once per suspension, and only then", "[async]") {
  chan::channel<int> ch(1);
  std::vector<std::coroutine_handle<>> handles;
  int received = 0;
  bool finished = false, wrong = false;
  auto body = [&]() -> task {
    for (int i = 0; i < 100; ++i) {
      int out = -1;
      if (co_await ch.async_recv(out, counting_resumer{&handles}) != status::ok || out != i) wrong = true;
      ++received;
    }
    finished = true;
  };
  body();
  for (int i = 0; i < 100; ++i) {
    REQUIRE(handles.empty());
    REQUIRE(ch.try_send(i) == status::ok);
    REQUIRE(handles.size() == 1);  // not resumed inline: handed to the resumer, once
    REQUIRE(received == i);
    std::coroutine_handle<> next = handles.back();
    handles.clear();
    next.resume();
    REQUIRE(received == i + 1);
  }
  REQUIRE_FALSE(wrong);
  REQUIRE(finished);
  REQUIRE(handles.empty());
}

// Coroutines of the tests below take what they use as parameters (a lambda's captures would die
// with the lambda while the coroutine is suspended).
using pair_channel = chan::channel<std::pair<int, int>>;
using pool_resumer = decltype(std::declval<chan_test::thread_pool&>().resumer());

chan_test::lazy_task pool_consumer(pair_channel& ch, pool_resumer resume, std::vector<std::pair<int, int>>& seen,
                                   std::atomic<int>& running) {
  for (;;) {
    auto got = co_await ch.async_recv(resume);
    if (!got) break;
    seen.push_back(*got);
  }
  running.fetch_sub(1);
}

chan_test::lazy_task pool_producer(pair_channel& ch, pool_resumer resume, int producer, int count,
                                   std::atomic<int>& producers_left, std::atomic<int>& running) {
  for (int i = 0; i < count; ++i) {
    if (co_await ch.async_send(std::pair{producer, i}, resume) != status::ok) std::terminate();
  }
  if (producers_left.fetch_sub(1) == 1) ch.close();
  running.fetch_sub(1);
}

TEST_CASE("async: 1,000 coroutines on a 2-thread pool move 100,000 messages exactly once, in producer order",
          "[async]") {
  constexpr int producers = 500, consumers = 500, per_producer = 200;
  pair_channel ch(4);
  std::vector<std::vector<std::pair<int, int>>> seen(consumers);
  std::atomic<int> producers_left{producers}, running{producers + consumers};
  {
    chan_test::thread_pool pool(2);
    for (int c = 0; c < consumers; ++c) pool.post(pool_consumer(ch, pool.resumer(), seen[c], running).handle);
    for (int p = 0; p < producers; ++p)
      pool.post(pool_producer(ch, pool.resumer(), p, per_producer, producers_left, running).handle);
    REQUIRE(eventually([&] { return running.load() == 0; }));
  }
  const chan_test::deliveries got = chan_test::check_deliveries(seen, producers, per_producer);
  REQUIRE(got.in_order);
  REQUIRE(got.total == std::size_t(producers) * per_producer);
  REQUIRE(got.exactly_once);
}

chan_test::lazy_task mixed_sender(chan::channel<int>& ch, pool_resumer resume, int first, int count,
                                  std::atomic<int>& running) {
  for (int i = 0; i < count; ++i) {
    if (co_await ch.async_send(first + i, resume) != status::ok) std::terminate();
  }
  running.fetch_sub(1);
}

chan_test::lazy_task mixed_receiver(chan::channel<int>& ch, pool_resumer resume, std::atomic<long long>& sum,
                                    std::atomic<int>& taken, std::atomic<int>& running) {
  for (;;) {
    int out = 0;
    if (co_await ch.async_recv(out, resume) != status::ok) break;
    sum += out;
    ++taken;
  }
  running.fetch_sub(1);
}

TEST_CASE("async: blocking threads and coroutines share one channel", "[async]") {
  constexpr int per_side = 20'000;
  chan::channel<int> ch(3);
  std::atomic<long long> sum{0};
  std::atomic<int> taken{0}, senders_running{2}, receivers_running{2};
  std::vector<std::thread> threads;
  {
    chan_test::thread_pool pool(2);
    // Two coroutine senders and two coroutine receivers on the pool, two threads of each kind.
    for (int s = 0; s < 2; ++s)
      pool.post(mixed_sender(ch, pool.resumer(), 1 + s * per_side, per_side / 2, senders_running).handle);
    for (int r = 0; r < 2; ++r) pool.post(mixed_receiver(ch, pool.resumer(), sum, taken, receivers_running).handle);
    for (int s = 0; s < 2; ++s) {
      threads.emplace_back([&, s] {
        for (int i = per_side / 2; i < per_side; ++i)
          if (ch.send(1 + s * per_side + i) != status::ok) std::terminate();
      });
    }
    for (int r = 0; r < 2; ++r) {
      threads.emplace_back([&] {
        int out = 0;
        while (ch.recv(out) == status::ok) {
          sum += out;
          ++taken;
        }
      });
    }
    REQUIRE(eventually([&] { return senders_running.load() == 0; }));
    threads[0].join();
    threads[1].join();
    ch.close();
    threads[2].join();
    threads[3].join();
    REQUIRE(eventually([&] { return receivers_running.load() == 0; }));
  }
  long long expected = 0;
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < per_side; ++i) expected += 1 + s * per_side + i;
  REQUIRE(taken == 2 * per_side);
  REQUIRE(sum == expected);
}

task close_sender(chan::channel<std::unique_ptr<int>>& ch, std::unique_ptr<int>& value, int& closed_with_value) {
  const int expected = *value;
  if (co_await ch.async_send(std::move(value)) == status::closed && value && *value == expected) ++closed_with_value;
}

task close_receiver(chan::channel<std::unique_ptr<int>>& ch, int& closed) {
  auto got = co_await ch.async_recv();
  if (got.result() == status::closed) ++closed;
}

TEST_CASE("async: close resumes suspended senders and receivers with closed", "[async]") {
  chan::channel<std::unique_ptr<int>> full(1), empty(1);
  REQUIRE(full.try_send(std::make_unique<int>(0)) == status::ok);
  int closed_senders = 0, closed_receivers = 0;
  std::vector<std::unique_ptr<int>> kept;
  for (int i = 0; i < 3; ++i) kept.push_back(std::make_unique<int>(i + 1));
  for (int i = 0; i < 3; ++i) {
    close_sender(full, kept[i], closed_senders);
    close_receiver(empty, closed_receivers);
  }
  REQUIRE(closed_senders == 0);
  REQUIRE(closed_receivers == 0);
  REQUIRE(senders_wait(full));
  REQUIRE(receivers_wait(empty));
  std::thread closer([&] {
    full.close();
    empty.close();
  });
  closer.join();
  REQUIRE(closed_senders == 3);  // and each value is the caller's still
  REQUIRE(closed_receivers == 3);
  REQUIRE_FALSE(senders_wait(full));
  REQUIRE_FALSE(receivers_wait(empty));
  auto buffered = full.try_recv();  // the buffered item survives the close
  REQUIRE(buffered);
  REQUIRE(**buffered == 0);
}

task cancellable_recv(chan::channel<int>& ch, int& out, std::stop_token stop, std::atomic<status>& answer,
                      std::atomic<int>& resumed) {
  const status got = co_await ch.async_recv(out, std::move(stop));
  answer.store(got);
  ++resumed;
}

template <class T>
task cancellable_send(chan::channel<T>& ch, T& value, std::stop_token stop, std::atomic<status>& answer) {
  answer.store(co_await ch.async_send(std::move(value), std::move(stop)));
}

task plain_recv(chan::channel<int>& ch, std::atomic<int>& got) {
  auto item = co_await ch.async_recv();
  got = item ? *item : -2;
}

TEST_CASE("async: cancellation before a wake takes nothing and gets no later wake-up", "[async]") {
  chan::channel<int> ch(1);
  std::stop_source stop;
  std::atomic<int> resumed{0};
  std::atomic<status> answer{status::empty};
  int out = -1;
  cancellable_recv(ch, out, stop.get_token(), answer, resumed);
  REQUIRE(resumed == 0);
  stop.request_stop();
  REQUIRE(resumed == 1);
  REQUIRE(answer == status::cancelled);
  REQUIRE_FALSE(receivers_wait(ch));
  REQUIRE(ch.try_send(7) == status::ok);
  REQUIRE(resumed == 1);
  REQUIRE(out == -1);
  REQUIRE(*ch.try_recv() == 7);  // the item stayed in the channel

  // A cancelled send leaves its value with the caller.
  chan::channel<std::unique_ptr<int>> full(1);
  REQUIRE(full.try_send(std::make_unique<int>(1)) == status::ok);
  std::stop_source stop_send;
  auto value = std::make_unique<int>(2);
  std::atomic<status> sent{status::empty};
  cancellable_send(full, value, stop_send.get_token(), sent);
  REQUIRE(sent == status::empty);
  stop_send.request_stop();
  REQUIRE(sent == status::cancelled);
  REQUIRE(value);
  REQUIRE(*value == 2);
  REQUIRE_FALSE(senders_wait(full));
  REQUIRE(**full.try_recv() == 1);
  REQUIRE(full.try_recv().result() == status::empty);

  // Stopped before the await began: cancelled without an attempt.
  std::stop_source early;
  early.request_stop();
  REQUIRE(ch.try_send(3) == status::ok);
  auto recv = ch.async_recv(out, early.get_token());
  REQUIRE(recv.await_ready());
  REQUIRE(recv.await_resume() == status::cancelled);
  REQUIRE(*ch.try_recv() == 3);
}

TEST_CASE("async: cancellation racing sends loses and duplicates nothing, and passes a wake-up on", "[async]") {
  // Each round: a cancellable receiver and a plain one wait; one item is sent while a stop races it.
  // Either the cancellable one got it (ok) or it was cancelled and the other one got it: the wake-up
  // the cancelled waiter may have been handed goes on. Never both, never neither.
  constexpr int rounds = 10'000;
  chan::channel<int> ch(1);
  int ok_rounds = 0, cancelled_rounds = 0, wrong = 0;
  for (int round = 0; round < rounds; ++round) {
    std::stop_source stop;
    std::atomic<int> resumed{0}, plain_got{-1};
    std::atomic<status> answer{status::empty};
    int out = -1;
    cancellable_recv(ch, out, stop.get_token(), answer, resumed);
    plain_recv(ch, plain_got);
    std::thread sender([&] {
      if (ch.try_send(round) != status::ok) std::terminate();
    });
    std::thread stopper([&] { stop.request_stop(); });
    sender.join();
    stopper.join();
    if (resumed != 1) ++wrong;
    if (answer == status::ok) {
      ++ok_rounds;
      if (out != round || plain_got != -1) ++wrong;
      if (ch.try_send(-3) != status::ok || plain_got != -3) ++wrong;  // releases the plain receiver
    } else {
      ++cancelled_rounds;
      if (answer != status::cancelled || plain_got != round || out != -1) ++wrong;
    }
    if (ch.try_recv().result() != status::empty || receivers_wait(ch)) ++wrong;
  }
  REQUIRE(wrong == 0);
  REQUIRE(ok_rounds + cancelled_rounds == rounds);

  // The send side: a cancellable sender on a full channel while a receiver frees the slot.
  chan::channel<int> full(1);
  for (int round = 0; round < rounds; ++round) {
    if (full.try_send(-1) != status::ok) ++wrong;
    std::stop_source stop;
    int value = round;
    std::atomic<status> answer{status::empty};
    cancellable_send(full, value, stop.get_token(), answer);
    std::thread receiver([&] {
      auto got = full.try_recv();
      if (!got || *got != -1) std::terminate();
    });
    std::thread stopper([&] { stop.request_stop(); });
    receiver.join();
    stopper.join();
    if (answer == status::ok) {
      auto got = full.try_recv();
      if (!got || *got != round) ++wrong;
    } else {
      if (answer != status::cancelled || full.try_recv().result() != status::empty || value != round) ++wrong;
    }
    if (senders_wait(full)) ++wrong;
  }
  REQUIRE(wrong == 0);
}

template <class T>
task oneshot_into(chan::oneshot_receiver<T>& rx, T& out, std::stop_token stop, std::atomic<status>& answer) {
  answer.store(co_await rx.async_recv(out, std::move(stop)));
}

task oneshot_result(chan::oneshot_receiver<int>& rx, std::atomic<status>& answer) {
  auto got = co_await rx.async_recv();
  answer.store(got.result());
}

TEST_CASE("async: oneshot receives, closes and cancels", "[async]") {
  {
    auto [tx, rx] = chan::oneshot<std::unique_ptr<int>>();
    std::unique_ptr<int> got;
    std::atomic<status> answer{status::empty};
    oneshot_into(rx, got, {}, answer);
    REQUIRE(answer == status::empty);
    std::thread sender([s = std::move(tx)]() mutable {
      if (s.send(std::make_unique<int>(9)) != status::ok) std::terminate();
    });
    sender.join();
    REQUIRE(answer == status::ok);
    REQUIRE(*got == 9);
  }
  {
    auto [tx, rx] = chan::oneshot<int>();
    std::atomic<status> answer{status::empty};
    oneshot_result(rx, answer);
    REQUIRE(answer == status::empty);
    { auto dropped = std::move(tx); }
    REQUIRE(answer == status::closed);
  }
  {
    auto [tx, rx] = chan::oneshot<int>();
    std::stop_source stop;
    std::atomic<status> answer{status::empty};
    int out = 0;
    oneshot_into(rx, out, stop.get_token(), answer);
    stop.request_stop();
    REQUIRE(answer == status::cancelled);
    REQUIRE(tx.send(4) == status::ok);
    auto late = rx.try_recv();
    REQUIRE(late);
    REQUIRE(*late == 4);  // the cancelled await took nothing
  }
  {
    auto [tx, rx] = chan::oneshot<int>();
    REQUIRE(tx.send(5) == status::ok);
    auto recv = rx.async_recv();
    REQUIRE(recv.await_ready());
    REQUIRE(*recv.await_resume() == 5);
  }
}

struct no_default {
  explicit no_default(int v) : value(v) {}
  no_default(no_default&&) noexcept = default;
  no_default& operator=(no_default&&) = delete;
  int value;
};

task recv_no_default(chan::channel<no_default>& ch, int& seen) {
  auto got = co_await ch.async_recv();
  seen = got ? got->value : -1;
}

TEST_CASE("async: async_recv() needs neither a default constructor nor an assignment", "[async]") {
  chan::channel<no_default> ch(1);
  int seen = 0;
  recv_no_default(ch, seen);
  REQUIRE(seen == 0);
  REQUIRE(ch.try_emplace(12) == status::ok);
  REQUIRE(seen == 12);
}

// g++ 12 awaits both operands of a conditional whose result, a class, is assigned or passed on
// (`r = pick ? co_await a.async_recv() : co_await b.async_recv();`): the other await then takes an
// item from the other channel and drops it. The form docs/contract.md section 8 recommends instead,
// a conditional that initialises a new variable, must await only the chosen channel: here both
// channels hold an item, or are empty until the one the conditional chose gets one.
namespace {
task receive_one_of(chan::channel<int>& a, chan::channel<int>& b, bool pick_a, int& seen) {
  chan::recv_result<int> got = pick_a ? co_await a.async_recv() : co_await b.async_recv();
  seen = got ? *got : -1;
}
}  // namespace

TEST_CASE("async: a conditional between two awaits that initialises a variable awaits only the chosen one", "[async]") {
  chan::channel<int> a(2), b(2);
  for (const bool pick_a : {true, false}) {
    REQUIRE(a.try_send(1) == status::ok);
    REQUIRE(b.try_send(2) == status::ok);
    int seen = 0;
    receive_one_of(a, b, pick_a, seen);  // completes at once: both were ready
    REQUIRE(seen == (pick_a ? 1 : 2));
    REQUIRE(a.size() == (pick_a ? 0u : 1u));
    REQUIRE(b.size() == (pick_a ? 1u : 0u));
    int rest = 0;
    REQUIRE((pick_a ? b : a).try_recv(rest) == status::ok);

    seen = 0;
    receive_one_of(a, b, pick_a, seen);  // suspends on the chosen, empty channel
    REQUIRE(seen == 0);
    REQUIRE(receivers_wait(pick_a ? a : b));
    REQUIRE_FALSE(receivers_wait(pick_a ? b : a));
    REQUIRE((pick_a ? b : a).try_send(4) == status::ok);  // stays put
    REQUIRE((pick_a ? a : b).try_send(3) == status::ok);  // resumes the coroutine inline
    REQUIRE(seen == 3);
    REQUIRE((pick_a ? b : a).size() == 1u);
    REQUIRE((pick_a ? b : a).try_recv(rest) == status::ok);
    REQUIRE(rest == 4);
  }
}

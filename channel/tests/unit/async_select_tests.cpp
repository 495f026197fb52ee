// SPEC section 1b: chan::async_select. A ready arm completes without suspending; a suspended select
// is resumed once by whichever channel becomes ready, the other arms untouched; biased order; close;
// a stop gives {no_arm, cancelled} and takes nothing; selects racing senders on both channels receive
// every item exactly once.

#include <chan/async_select.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <exception>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

#include "../support/coro.hpp"

namespace {

using chan::status;
using chan_test::task;

task select_two(chan::channel<int>& a, chan::channel<int>& b, int& out, std::stop_token stop,
                std::atomic<std::size_t>& index, std::atomic<status>& result) {
  const chan::selected got = co_await chan::async_select(std::move(stop), chan::recv(a, out), chan::recv(b, out));
  result.store(got.result);
  index = got.index;
}

}  // namespace

TEST_CASE("async_select: a ready arm completes without suspending, biased takes the first", "[async][select]") {
  chan::channel<int> a(1), b(1);
  REQUIRE(a.try_send(1) == status::ok);
  REQUIRE(b.try_send(2) == status::ok);
  int out = 0;
  auto ready = chan::async_select(chan::biased, chan::recv(a, out), chan::recv(b, out));
  REQUIRE(ready.await_ready());
  const chan::selected got = ready.await_resume();
  REQUIRE(got.index == 0);
  REQUIRE(got.result == status::ok);
  REQUIRE(out == 1);
  REQUIRE(b.size() == 1);
}

TEST_CASE("async_select: a suspended select is resumed by the channel that becomes ready", "[async][select]") {
  chan::channel<int> a(1), b(1);
  int out = -1;
  std::atomic<std::size_t> index{chan::no_arm};
  std::atomic<status> result{status::empty};
  select_two(a, b, out, {}, index, result);
  REQUIRE(result == status::empty);
  std::thread sender([&] { REQUIRE(b.send(5) == status::ok); });
  sender.join();
  REQUIRE(result == status::ok);
  REQUIRE(index == 1);
  REQUIRE(out == 5);
  REQUIRE(a.try_send(6) == status::ok);  // the other arm took nothing and waits no more
  REQUIRE(out == 5);
  REQUIRE(*a.try_recv() == 6);
  REQUIRE_FALSE(chan::detail::async_access::receivers(a)->has_waiters());
  REQUIRE_FALSE(chan::detail::async_access::receivers(b)->has_waiters());
}

TEST_CASE("async_select: close fires the closed arm; a stop gives {no_arm, cancelled}", "[async][select]") {
  chan::channel<int> a(1), b(1);
  int out = -1;
  {
    std::atomic<std::size_t> index{chan::no_arm};
    std::atomic<status> result{status::empty};
    select_two(a, b, out, {}, index, result);
    a.close();
    REQUIRE(result == status::closed);
    REQUIRE(index == 0);
  }
  chan::channel<int> c(1), d(1);
  std::stop_source stop;
  std::atomic<std::size_t> index{0};
  std::atomic<status> result{status::empty};
  select_two(c, d, out, stop.get_token(), index, result);
  stop.request_stop();
  REQUIRE(result == status::cancelled);
  REQUIRE(index == chan::no_arm);
  REQUIRE(c.try_send(1) == status::ok);
  REQUIRE(out == -1);
  REQUIRE(*c.try_recv() == 1);
}

task select_send_or_recv(chan::channel<int>& out_ch, int& value, chan::channel<int>& in_ch, int& got,
                         std::atomic<int>& done) {
  const chan::selected s = co_await chan::async_select(chan::send(out_ch, value), chan::recv(in_ch, got));
  done = s.index == 0 ? 1 : 2;
}

TEST_CASE("async_select: send and recv arms", "[async][select]") {
  chan::channel<int> full(1), empty(1);
  REQUIRE(full.try_send(0) == status::ok);
  int value = 7, got = -1;
  std::atomic<int> done{0};
  select_send_or_recv(full, value, empty, got, done);
  REQUIRE(done == 0);
  REQUIRE(*full.try_recv() == 0);  // frees a slot: the send arm fires
  REQUIRE(done == 1);
  REQUIRE(*full.try_recv() == 7);
  REQUIRE(got == -1);
}

task select_loop(chan::channel<int>& a, chan::channel<int>& b, std::atomic<long long>& sum, std::atomic<int>& count,
                 std::atomic<int>& running) {
  for (;;) {
    int out = 0;
    const chan::selected s = co_await chan::async_select(chan::recv(a, out), chan::recv(b, out));
    if (s.result != status::ok) break;  // a closed arm ends the loop
    sum += out;
    ++count;
  }
  running.fetch_sub(1);
}

TEST_CASE("async_select: selects racing senders on both channels take every item exactly once", "[async][select]") {
  constexpr int per_sender = 20'000;
  chan::channel<int> a(2), b(2);
  std::atomic<long long> sum{0};
  std::atomic<int> count{0}, running{3};
  for (int i = 0; i < 3; ++i) select_loop(a, b, sum, count, running);
  std::thread first([&] {
    for (int i = 1; i <= per_sender; ++i)
      if (a.send(i) != status::ok) std::terminate();
  });
  std::thread second([&] {
    for (int i = 1; i <= per_sender; ++i)
      if (b.send(i) != status::ok) std::terminate();
  });
  first.join();
  second.join();
  // Drained before the close: a select ends at the first closed arm it meets.
  while (count.load() < 2 * per_sender) std::this_thread::yield();
  a.close();
  b.close();
  REQUIRE(running == 0);
  REQUIRE(count == 2 * per_sender);
  REQUIRE(sum == 2LL * per_sender * (per_sender + 1) / 2);
}

// bounded_queue's async members (SPEC section 1c; P0260R20's async_push, async_emplace and async_pop
// awaited in a coroutine): a push gives true, or false when the queue is closed or the await was
// cancelled, leaving the value with the caller; a pop gives the element, or nullopt when the queue
// is closed and empty or the await was cancelled, having taken nothing. Immediate completion
// without suspension, suspension and resumption (inline and through a resumer), close, cancellation
// before and racing a push, throwing element types (SPEC section 2), and many coroutines on a small
// pool. The coroutine type is the test's own (support/coro.hpp). No test asserts how long anything took.

#include <chan/conqueue.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <coroutine>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "../support/coro.hpp"
#include "../support/deliveries.hpp"
#include "../support/elements.hpp"
#include "../support/fragile.hpp"

using chan::bounded_queue;
using chan::conqueue_status;
using chan_test::labelled;
using chan_test::task;
using chan_test::throwing_build;

namespace {

struct counting_resumer {
  std::vector<std::coroutine_handle<>>* handles;
  void operator()(std::coroutine_handle<> handle) const { handles->push_back(handle); }
};

template <class T>
task pop_into(bounded_queue<T>& q, std::optional<T>& got, int& resumed) {
  got = co_await q.async_pop();
  ++resumed;
}

template <class T>
task push_moved(bounded_queue<T>& q, T& value, std::optional<bool>& pushed) {
  pushed = co_await q.async_push(std::move(value));
}

task cancellable_pop(bounded_queue<int>& q, std::stop_token stop, std::optional<int>& got, std::atomic<int>& resumed) {
  got = co_await q.async_pop(std::move(stop));
  ++resumed;
}

task cancellable_push(bounded_queue<std::unique_ptr<int>>& q, std::unique_ptr<int>& value, std::stop_token stop,
                      std::optional<bool>& pushed) {
  pushed = co_await q.async_push(std::move(value), std::move(stop));
}

}  // namespace

TEST_CASE("conqueue_async_members_complete_at_once_without_suspending", "[unit][conqueue][async]") {
  bounded_queue<int> q(2);
  std::vector<std::coroutine_handle<>> handles;
  bool finished = false, moved = false, copied = false, emplaced = false;
  std::optional<int> first, second, third;
  auto body = [&]() -> task {
    int one = 1;
    moved = co_await q.async_push(std::move(one), counting_resumer{&handles});
    const int two = 2;
    copied = co_await q.async_push(two, counting_resumer{&handles});
    first = co_await q.async_pop(counting_resumer{&handles});
    emplaced = co_await q.async_emplace(3, counting_resumer{&handles});
    second = co_await q.async_pop();
    third = co_await q.async_pop(std::stop_token{});
    finished = true;
  };
  body();
  REQUIRE(finished);
  REQUIRE(handles.empty());  // the resumer is called only for a suspension
  REQUIRE((moved && copied && emplaced));
  REQUIRE(first == 1);
  REQUIRE(second == 2);
  REQUIRE(third == 3);

  // The awaitables themselves: ready at once, or not ready (and then not started) on an empty queue.
  REQUIRE_FALSE(q.async_pop().await_ready());
  q.close();
  std::string kept = "kept";
  bounded_queue<std::string> closed(1);
  closed.close();
  auto push = closed.async_push(std::move(kept));
  REQUIRE(push.await_ready());
  REQUIRE_FALSE(push.await_resume());
  REQUIRE(kept == "kept");
  auto emplace = closed.async_emplace(std::move(kept));
  REQUIRE(emplace.await_ready());
  REQUIRE_FALSE(emplace.await_resume());
  REQUIRE(kept == "kept");  // closed at once: nothing was built from it
  auto pop = q.async_pop();
  REQUIRE(pop.await_ready());
  REQUIRE(pop.await_resume() == std::nullopt);
}

TEST_CASE("conqueue_async_pop_and_push_suspend_until_the_other_side_resumes_them", "[unit][conqueue][async]") {
  // A pop on an empty queue, resumed inline on the pushing thread.
  bounded_queue<std::unique_ptr<int>> q(1);
  std::optional<std::unique_ptr<int>> got;
  int resumed = 0;
  pop_into(q, got, resumed);
  REQUIRE(resumed == 0);
  std::thread::id pusher_id;
  bool pushed = false;
  std::thread pusher([&] {
    pusher_id = std::this_thread::get_id();
    pushed = q.push(std::make_unique<int>(7));
  });
  pusher.join();
  REQUIRE(pushed);
  REQUIRE(resumed == 1);
  REQUIRE(got);
  REQUIRE(**got == 7);

  // A push on a full queue, resumed through its resumer once a pop made room.
  REQUIRE(q.push(std::make_unique<int>(1)));
  std::vector<std::coroutine_handle<>> handles;
  std::optional<bool> result;
  std::thread::id resumed_on;
  auto body = [&]() -> task {
    auto value = std::make_unique<int>(2);
    result = co_await q.async_push(std::move(value), counting_resumer{&handles});
    resumed_on = std::this_thread::get_id();
  };
  body();
  REQUIRE_FALSE(result);
  REQUIRE(handles.empty());
  auto popped = q.pop();
  REQUIRE(**popped == 1);
  REQUIRE(handles.size() == 1);  // handed to the resumer, once, not resumed inline
  REQUIRE_FALSE(result);
  handles.back().resume();
  REQUIRE(result == true);
  REQUIRE(resumed_on == std::this_thread::get_id());
  REQUIRE(**q.pop() == 2);
  REQUIRE(handles.size() == 1);
}

TEST_CASE("conqueue_close_resumes_suspended_async_pushers_and_poppers", "[unit][conqueue][async][close]") {
  bounded_queue<std::unique_ptr<int>> full(1), empty(1);
  REQUIRE(full.push(std::make_unique<int>(0)));
  std::vector<std::unique_ptr<int>> values;
  for (int i = 0; i < 3; ++i) values.push_back(std::make_unique<int>(i + 1));
  std::optional<bool> pushed[3];
  std::optional<std::unique_ptr<int>> popped[3];
  int popped_resumed = 0;
  for (int i = 0; i < 3; ++i) {
    push_moved(full, values[i], pushed[i]);
    popped[i].emplace(std::make_unique<int>(-1));  // to tell "resumed with nullopt" from "not resumed"
    pop_into(empty, popped[i], popped_resumed);
  }
  std::optional<bool> emplaced;
  auto emplace = [&]() -> task { emplaced = co_await full.async_emplace(new int(9)); };
  emplace();
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(pushed[i]);
  REQUIRE_FALSE(emplaced);
  REQUIRE(popped_resumed == 0);
  std::thread closer([&] {
    full.close();
    empty.close();
  });
  closer.join();
  REQUIRE(popped_resumed == 3);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(pushed[i] == false);
    REQUIRE(values[i]);  // each value is the caller's still
    REQUIRE(*values[i] == i + 1);
    REQUIRE(popped[i] == std::nullopt);
  }
  REQUIRE(emplaced == false);
  auto buffered = full.pop();  // the buffered element survives the close
  REQUIRE(buffered);
  REQUIRE(**buffered == 0);
  REQUIRE(full.pop() == std::nullopt);
}

TEST_CASE("conqueue_cancelled_async_push_keeps_its_value_and_cancelled_async_pop_takes_nothing",
          "[unit][conqueue][async][cancel]") {
  // A pop cancelled while suspended: nullopt, the queue open, and no later push resumes it.
  bounded_queue<int> q(1);
  std::stop_source stop;
  std::optional<int> got = -1;
  std::atomic<int> resumed{0};
  cancellable_pop(q, stop.get_token(), got, resumed);
  REQUIRE(resumed == 0);
  stop.request_stop();
  REQUIRE(resumed == 1);
  REQUIRE(got == std::nullopt);
  REQUIRE_FALSE(q.is_closed());
  REQUIRE(q.try_push(7) == conqueue_status::success);
  REQUIRE(resumed == 1);
  int out = 0;
  REQUIRE(q.try_pop(out) == conqueue_status::success);  // the element stayed in the queue
  REQUIRE(out == 7);

  // A push cancelled while suspended: false, and the value is the caller's.
  bounded_queue<std::unique_ptr<int>> full(1);
  REQUIRE(full.push(std::make_unique<int>(1)));
  std::stop_source stop_push;
  auto value = std::make_unique<int>(2);
  std::optional<bool> pushed;
  cancellable_push(full, value, stop_push.get_token(), pushed);
  REQUIRE_FALSE(pushed);
  stop_push.request_stop();
  REQUIRE(pushed == false);
  REQUIRE(value);
  REQUIRE(*value == 2);

  // An emplace cancelled while suspended.
  std::stop_source stop_emplace;
  std::optional<bool> emplaced;
  auto emplace = [&]() -> task { emplaced = co_await full.async_emplace(new int(3), stop_emplace.get_token()); };
  emplace();
  REQUIRE_FALSE(emplaced);
  stop_emplace.request_stop();
  REQUIRE(emplaced == false);
  REQUIRE(**full.pop() == 1);  // the queue holds only what was pushed before
  std::unique_ptr<int> left;
  REQUIRE(full.try_pop(left) == conqueue_status::empty);

  // Stopped before the await began: cancelled without an attempt, though there is room and an element.
  std::stop_source early;
  early.request_stop();
  auto late_value = std::make_unique<int>(4);
  auto push = full.async_push(std::move(late_value), early.get_token());
  REQUIRE(push.await_ready());
  REQUIRE_FALSE(push.await_resume());
  REQUIRE(late_value);
  REQUIRE(q.try_push(5) == conqueue_status::success);
  auto pop = q.async_pop(early.get_token());
  REQUIRE(pop.await_ready());
  REQUIRE(pop.await_resume() == std::nullopt);
  REQUIRE(q.try_pop(out) == conqueue_status::success);
  REQUIRE(out == 5);
}

TEST_CASE("conqueue_cancellation_racing_a_push_loses_and_duplicates_nothing", "[unit][conqueue][async][cancel]") {
  // Each round a cancellable pop waits while a push and a stop race: either the pop got the element,
  // or it was cancelled and the element is in the queue. Never both, never neither.
  constexpr int rounds = 2'000;
  bounded_queue<int> q(1);
  int wrong = 0, got_it = 0, cancelled = 0;
  for (int round = 0; round < rounds; ++round) {
    std::stop_source stop;
    std::optional<int> got = -1;
    std::atomic<int> resumed{0};
    cancellable_pop(q, stop.get_token(), got, resumed);
    std::thread pusher([&] {
      if (q.try_push(round) != conqueue_status::success) std::terminate();
    });
    std::thread stopper([&] { stop.request_stop(); });
    pusher.join();
    stopper.join();
    int left = -1;
    const conqueue_status rest = q.try_pop(left);
    if (resumed != 1) ++wrong;
    if (got == round) {
      ++got_it;
      if (rest != conqueue_status::empty) ++wrong;
    } else {
      ++cancelled;
      if (got != std::nullopt || rest != conqueue_status::success || left != round) ++wrong;
    }
  }
  REQUIRE(wrong == 0);
  REQUIRE(got_it + cancelled == rounds);
}

TEST_CASE("conqueue_async_emplace_builds_in_its_slot_or_once_before_waiting", "[unit][conqueue][async]") {
  bounded_queue<labelled> q(1);
  std::vector<std::coroutine_handle<>> handles;
  std::optional<bool> first, second;
  std::string label = "two";
  auto body = [&]() -> task {
    first = co_await q.async_emplace(1, "one", counting_resumer{&handles});
    second = co_await q.async_emplace(2, std::move(label), counting_resumer{&handles}, std::stop_token{});
  };
  body();
  REQUIRE(first == true);
  REQUIRE_FALSE(second);  // full: waiting with the element built from the arguments
  REQUIRE(handles.empty());
  auto one = q.pop();
  REQUIRE(one->x == 1);
  REQUIRE(one->label == "one");
  REQUIRE(handles.size() == 1);
  handles.back().resume();
  REQUIRE(second == true);
  auto two = q.pop();
  REQUIRE(two->x == 2);
  REQUIRE(two->label == "two");

  // A constructor that may throw: the element is built first, then pushed (here at once).
  STATIC_REQUIRE_FALSE(std::is_nothrow_constructible_v<throwing_build, int>);
  bounded_queue<throwing_build> built(1);
  std::optional<bool> pushed;
  auto build = [&]() -> task { pushed = co_await built.async_emplace(5); };
  build();
  REQUIRE(pushed == true);
  REQUIRE(built.pop()->value == 5);
}

TEST_CASE("conqueue_async_push_or_emplace_of_a_throwing_type_leaves_the_queue_as_it_was",
          "[unit][conqueue][async][exceptions]") {
  using chan_test::failure_plan;
  using chan_test::fragile;
  const long live_before = fragile::live;
  {
    bounded_queue<fragile> q(3);  // 3: the first failed copy leaves a skipped slot until a pop passes it
    const fragile source(1);
    int threw = 0;
    std::optional<bool> later;
    auto body = [&]() -> task {
      // Room: the copy into the claimed slot throws.
      failure_plan::arm(1);
      try {
        (void)co_await q.async_push(source);
      } catch (const chan_test::injected_failure&) {
        ++threw;
      }
      // Room: the element is built in the awaiter (its constructor may throw) and throws.
      failure_plan::arm(1);
      try {
        (void)co_await q.async_emplace(2, fragile::risky);
      } catch (const chan_test::injected_failure&) {
        ++threw;
      }
      failure_plan::disarm();
      if (!co_await q.async_push(fragile(3)) || !co_await q.async_push(fragile(4))) std::terminate();
      // Full: the copy the waiting push makes throws before it waits; so does a waiting emplace.
      failure_plan::arm(1);
      try {
        (void)co_await q.async_push(source);
      } catch (const chan_test::injected_failure&) {
        ++threw;
      }
      failure_plan::arm(1);
      try {
        (void)co_await q.async_emplace(5, fragile::risky);
      } catch (const chan_test::injected_failure&) {
        ++threw;
      }
      failure_plan::disarm();
      later = co_await q.async_push(source);  // waits: nothing left enlisted by the failed ones
    };
    body();
    REQUIRE(threw == 4);
    REQUIRE_FALSE(later);
    REQUIRE(q.pop()->value() == 3);  // only what was pushed successfully, in order
    REQUIRE(later == true);
    REQUIRE(q.pop()->value() == 4);
    REQUIRE(q.pop()->value() == 1);
    fragile out(0);
    REQUIRE(q.try_pop(out) == conqueue_status::empty);
    REQUIRE(fragile::live == live_before + 2);  // source and out
  }
  REQUIRE(fragile::live == live_before);
}

namespace {

using item = std::pair<int, int>;
using pool_resumer = decltype(std::declval<chan_test::thread_pool&>().resumer());

// Three ways in: moved, copied and emplaced.
chan_test::lazy_task pool_pusher(bounded_queue<item>& q, pool_resumer resume, int producer, int count,
                                 std::atomic<int>& producers_left, std::atomic<int>& running) {
  for (int i = 0; i < count; ++i) {
    bool pushed = false;
    if (i % 3 == 0) {
      pushed = co_await q.async_push(item{producer, i}, resume);
    } else if (i % 3 == 1) {
      const item copy{producer, i};
      pushed = co_await q.async_push(copy, resume);
    } else {
      pushed = co_await q.async_emplace(producer, i, resume);
    }
    if (!pushed) std::terminate();
  }
  if (producers_left.fetch_sub(1) == 1) q.close();
  running.fetch_sub(1);
}

chan_test::lazy_task pool_popper(bounded_queue<item>& q, pool_resumer resume, std::vector<item>& seen,
                                 std::atomic<int>& running) {
  while (auto got = co_await q.async_pop(resume)) seen.push_back(*got);
  running.fetch_sub(1);
}

}  // namespace

TEST_CASE("conqueue_async_coroutines_on_a_small_pool_move_every_element_exactly_once",
          "[unit][conqueue][async][threads]") {
  constexpr int producers = 200, consumers = 200, per_producer = 100;
  bounded_queue<item> q(4);
  std::vector<std::vector<item>> seen(consumers);
  std::atomic<int> producers_left{producers}, running{producers + consumers};
  {
    chan_test::thread_pool pool(2);
    for (int c = 0; c < consumers; ++c) pool.post(pool_popper(q, pool.resumer(), seen[c], running).handle);
    for (int p = 0; p < producers; ++p)
      pool.post(pool_pusher(q, pool.resumer(), p, per_producer, producers_left, running).handle);
    REQUIRE(chan_test::eventually([&] { return running.load() == 0; }));
  }
  const chan_test::deliveries got = chan_test::check_deliveries(seen, producers, per_producer);
  REQUIRE(got.in_order);
  REQUIRE(got.total == std::size_t(producers) * per_producer);
  REQUIRE(got.exactly_once);
}

// The waiting machinery itself (waiters.hpp), driven through block_on with attempts the test
// controls: the robustness defects 1 and 8 of issue 12 and the owner's claim rules.
// No test asserts how long anything took.

#include <chan/backend.hpp>
#include <chan/waiters.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using chan::status;
using namespace std::chrono_literals;

namespace {

using waiters = chan::detail::waiters<chan::std_backend>;
constexpr const std::chrono::steady_clock::time_point* forever = nullptr;

// A clock the test moves by hand, counting how often it is read.
struct manual_clock {
  using rep = long long;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<manual_clock>;
  static constexpr bool is_steady = true;
  static inline std::atomic<long long> ticks{0};
  static inline std::atomic<int> reads{0};
  static time_point now() noexcept {
    ++reads;
    return time_point(duration(ticks.load()));
  }
};

static_assert(manual_clock::is_steady);

struct thrown_from_attempt : std::runtime_error {
  thrown_from_attempt() : std::runtime_error("attempt") {}
};

}  // namespace

// Issue 12, defect 1: an attempt that throws after the entry was enlisted (a receive's move
// assignment, say) must not leave the entry linked in the list, where the next notifier would
// write into a dead stack frame and a really blocked waiter would never be woken.
TEST_CASE("attempt_throwing_while_enlisted_leaves_no_entry_behind", "[unit][waiters][exception]") {
  waiters queue;
  int attempts = 0;
  // Empty until the entry is in the list; then the re-check throws.
  auto attempt = [&]() -> status {
    ++attempts;
    if (queue.has_waiters()) throw thrown_from_attempt();
    return status::empty;
  };
  REQUIRE_THROWS_AS(chan::detail::block_on(queue, attempt, attempt, 1, forever), thrown_from_attempt);
  REQUIRE(attempts > 1);
  REQUIRE_FALSE(queue.has_waiters());

  // The list still works: a later waiter is woken by the next notify.
  std::atomic<bool> ready{false};
  status result = status::empty;
  std::thread waiter([&] {
    const auto attempt_ready = [&] { return ready.load() ? status::ok : status::empty; };
    result = chan::detail::block_on(queue, attempt_ready, attempt_ready, 1, forever);
  });
  while (!queue.has_waiters()) std::this_thread::yield();
  ready = true;
  queue.notify_one();
  waiter.join();
  REQUIRE(result == status::ok);
  REQUIRE_FALSE(queue.has_waiters());
}

// Issue 12, defect 8: a deadline already passed is exactly one attempt, with no back-off first.
TEST_CASE("past_deadline_is_exactly_one_attempt", "[unit][waiters][timeout]") {
  waiters queue;
  int attempts = 0;
  auto attempt = [&] {
    ++attempts;
    return status::empty;
  };
  const auto past = std::chrono::steady_clock::now() - 1s;
  REQUIRE(chan::detail::block_on(queue, attempt, attempt, 1, &past) == status::timeout);
  REQUIRE(attempts == 1);

  attempts = 0;
  const auto now = std::chrono::steady_clock::now();
  REQUIRE(chan::detail::block_on(queue, attempt, attempt, 1, &now) == status::timeout);
  REQUIRE(attempts == 1);
  REQUIRE_FALSE(queue.has_waiters());
}

// Issue 12, defect 8: a deadline that passes during the back-off ends the wait within a few
// back-off steps (the whole back-off is some forty attempts), and the clock is not read at every step.
TEST_CASE("deadline_passing_during_backoff_is_seen_within_a_few_steps", "[unit][waiters][timeout]") {
  waiters queue;
  manual_clock::ticks = 0;
  manual_clock::reads = 0;
  const manual_clock::time_point deadline(manual_clock::duration(100));
  constexpr int passes_at = 3;
  int attempts = 0;
  auto attempt = [&] {
    if (++attempts == passes_at) manual_clock::ticks = 200;
    return status::empty;
  };
  REQUIRE(chan::detail::block_on(queue, attempt, attempt, 1, &deadline) == status::timeout);
  REQUIRE(attempts >= passes_at);
  REQUIRE(attempts <= passes_at + static_cast<int>(chan::detail::deadline_check_steps));
  // Long back-offs must not pay a clock read per step.
  manual_clock::ticks = 0;
  manual_clock::reads = 0;
  attempts = 0;
  const manual_clock::time_point later(manual_clock::duration(100));
  auto passes_late = [&] {
    ++attempts;
    // Within the back-off (seven spin steps and four yields with the std backend), or at the re-check
    // after enlisting if a late yield ended the back-off early: before the park either way, since
    // the manual clock moves only here.
    if (attempts == 10 || queue.has_waiters()) manual_clock::ticks = 200;
    return status::empty;
  };
  REQUIRE(chan::detail::block_on(queue, passes_late, passes_late, 1, &later) == status::timeout);
  REQUIRE(manual_clock::reads.load() < attempts);
  REQUIRE_FALSE(queue.has_waiters());
}

// While it backs off, a blocked call retries with its glance (which proves nothing); the attempt,
// which proves `empty` or `full`, runs first, and again after the entry is enlisted, before any park.
// On a channel of capacity 1, or with room for a batch, it retries the attempt itself (one_arm says why).
TEST_CASE("backing_off_retries_the_glance_and_the_attempt_rechecks_before_the_park", "[unit][waiters]") {
  for (const std::size_t capacity :
       {std::size_t{2}, chan::detail::batch_capacity - 1, std::size_t{1}, chan::detail::batch_capacity}) {
    waiters queue;
    manual_clock::ticks = 0;
    const manual_clock::time_point deadline(manual_clock::duration(100));
    int attempts = 0;
    int attempts_enlisted = 0;
    int glances = 0;
    bool glanced_while_enlisted = false;
    auto attempt = [&] {
      ++attempts;
      if (queue.has_waiters()) {
        ++attempts_enlisted;
        manual_clock::ticks = 200;  // the park that follows times out at once
      }
      return status::empty;
    };
    auto glance = [&] {
      ++glances;
      if (queue.has_waiters()) glanced_while_enlisted = true;
      return status::full;
    };
    REQUIRE(chan::detail::block_on(queue, attempt, glance, capacity, &deadline) == status::timeout);
    REQUIRE_FALSE(glanced_while_enlisted);
    REQUIRE(attempts_enlisted == 1);
    if (capacity > 1 && capacity < chan::detail::batch_capacity) {
      REQUIRE(glances > 0);
      // The first attempt, the re-check while enlisted, and the look after the timed-out park.
      REQUIRE(attempts == 3);
    } else {
      REQUIRE(glances == 0);
      REQUIRE(attempts > 3);
    }
    REQUIRE_FALSE(queue.has_waiters());
  }
}

// Each notify claims a different owner: a claimed one is skipped, so two notifies end two waits.
TEST_CASE("two_notifies_wake_two_waiters", "[unit][waiters]") {
  waiters queue;
  std::atomic<int> tickets{0};
  auto take_ticket = [&] {
    int seen = tickets.load();
    while (seen > 0) {
      if (tickets.compare_exchange_weak(seen, seen - 1)) return status::ok;
    }
    return status::empty;
  };
  status results[2] = {status::empty, status::empty};
  std::thread first([&] { results[0] = chan::detail::block_on(queue, take_ticket, take_ticket, 1, forever); });
  while (!queue.has_waiters()) std::this_thread::yield();
  std::thread second([&] { results[1] = chan::detail::block_on(queue, take_ticket, take_ticket, 1, forever); });
  // Two tickets, two notifies: both waiters end, whatever order they wake and re-check in.
  tickets = 2;
  queue.notify_one();
  queue.notify_one();
  first.join();
  second.join();
  REQUIRE(results[0] == status::ok);
  REQUIRE(results[1] == status::ok);
  REQUIRE(tickets.load() == 0);
  REQUIRE_FALSE(queue.has_waiters());
}

// SPEC section 2, "Deadlines", through the public calls: a timeout or deadline of any clock and any
// duration type works. Too far away to represent means no deadline (the call waits until woken),
// already past means one attempt, and nothing overflows (the asan preset builds this file with
// -fno-sanitize-recover=undefined, so an overflow fails the test there). Issue 12, defects 3, 4, 9.
//
// No test asserts how long anything took. A call that would wrongly wait forever is ended by a
// watchdog that closes the channel (or drops the oneshot sender) after some seconds, so the test
// fails on the answer, `closed` instead of `timeout`, rather than hanging.

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <future>
#include <limits>
#include <optional>
#include <ratio>
#include <thread>

using chan::channel;
using chan::status;
using namespace std::chrono_literals;

namespace {

// Runs `body`; if it has not returned after `limit`, calls `unstick` (which must make the body's
// blocking call return), so that a wait that should have ended shows up as a wrong answer.
template <class Body, class Unstick>
auto with_watchdog(Body body, Unstick unstick, std::chrono::seconds limit = 10s) {
  std::promise<void> finished;
  std::thread watchdog([&, done = finished.get_future()] {
    if (done.wait_for(limit) == std::future_status::timeout) unstick();
  });
  struct joiner {
    std::promise<void>& finished;
    std::thread& watchdog;
    ~joiner() {
      finished.set_value();
      watchdog.join();
    }
  } join{finished, watchdog};
  return body();
}

// Starts `act` on another thread after the caller had time to block; joined at scope exit. (Catch2's
// assertions are not thread-safe, so `act` asserts nothing; the caller checks what it did.)
class later {
public:
  explicit later(std::function<void()> act)
      : thread_([act = std::move(act)] {
          std::this_thread::sleep_for(50ms);
          act();
        }) {}
  ~later() { thread_.join(); }
  later(const later&) = delete;
  later& operator=(const later&) = delete;

private:
  std::thread thread_;
};

template <class Clock, class Duration>
status recv_until_woken_by_send(std::chrono::time_point<Clock, Duration> deadline) {
  channel<int> ch(1);
  int out = 0;
  later sender([&] { (void)ch.send(7); });
  const status result = ch.recv_until(out, deadline);
  if (result == status::ok) CHECK(out == 7);
  return result;
}

template <class Clock, class Duration>
status send_until_woken_by_recv(std::chrono::time_point<Clock, Duration> deadline) {
  channel<int> ch(1);
  REQUIRE(ch.try_send(1) == status::ok);
  later receiver([&] {
    int out = 0;
    (void)ch.recv(out);
  });
  return ch.send_until(2, deadline);
}

template <class Rep, class Period>
status recv_for_woken_by_send(std::chrono::duration<Rep, Period> timeout) {
  channel<int> ch(1);
  int out = 0;
  later sender([&] { (void)ch.send(7); });
  return ch.recv_for(out, timeout);
}

template <class Rep, class Period>
status recv_for_on_empty(std::chrono::duration<Rep, Period> timeout) {
  channel<int> ch(1);
  int out = 0;
  return with_watchdog([&] { return ch.recv_for(out, timeout); }, [&] { ch.close(); });
}

template <class Rep, class Period>
status send_for_on_full(std::chrono::duration<Rep, Period> timeout) {
  channel<int> ch(1);
  REQUIRE(ch.try_send(1) == status::ok);
  return with_watchdog([&] { return ch.send_for(2, timeout); }, [&] { ch.close(); });
}

template <class Rep, class Period>
status oneshot_recv_for_unsent(std::chrono::duration<Rep, Period> timeout) {
  auto ends = chan::oneshot<int>();
  std::optional<chan::oneshot_sender<int>> sender(std::move(ends.first));
  chan::oneshot_receiver<int>& rx = ends.second;
  int out = 0;
  return with_watchdog([&] { return rx.recv_for(out, timeout); }, [&] { sender.reset(); });
}

template <class Clock, class Duration>
status recv_until_on_empty(std::chrono::time_point<Clock, Duration> deadline) {
  channel<int> ch(1);
  int out = 0;
  return with_watchdog([&] { return ch.recv_until(out, deadline); }, [&] { ch.close(); });
}

template <class Clock, class Duration>
status recv_until_with_item(std::chrono::time_point<Clock, Duration> deadline) {
  channel<int> ch(1);
  REQUIRE(ch.try_send(5) == status::ok);
  int out = 0;
  const status result = with_watchdog([&] { return ch.recv_until(out, deadline); }, [&] { ch.close(); });
  if (result == status::ok) CHECK(out == 5);
  return result;
}

using picoseconds = std::chrono::duration<long long, std::pico>;
using femtoseconds = std::chrono::duration<long long, std::femto>;
using attoseconds = std::chrono::duration<long long, std::atto>;
using double_seconds = std::chrono::duration<double>;
constexpr std::chrono::hours thousand_years{24 * 365 * 1000};

// A steady clock of its own type that counts how often it is read. A wait that really sleeps reads
// it a handful of times; one that spins through zero-length or failing futex calls reads it on
// every turn (thousands of times in 300 ms).
struct counting_clock {
  using duration = std::chrono::steady_clock::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<counting_clock>;
  [[maybe_unused]] static constexpr bool is_steady = true;
  static inline std::atomic<long> reads{0};
  static time_point now() noexcept {
    reads.fetch_add(1, std::memory_order_relaxed);
    return time_point(std::chrono::steady_clock::now().time_since_epoch());
  }
};

// More than a sleeping wait ever needs (each spurious wake-up costs one read), far fewer than a
// polling one makes.
constexpr long sleeping_wait_reads = 100;

}  // namespace

// Defect 3: the "more than a century" test overflowed in the common type of a fine duration and a
// century, and the timeout became an untimed wait.
TEST_CASE("fine_duration_timeouts_time_out", "[unit][deadline][timeout]") {
  CHECK(recv_for_on_empty(picoseconds(20ms)) == status::timeout);
  CHECK(recv_for_on_empty(femtoseconds(20ms)) == status::timeout);
  CHECK(recv_for_on_empty(attoseconds(2ms)) == status::timeout);
  CHECK(send_for_on_full(picoseconds(20ms)) == status::timeout);
  CHECK(send_for_on_full(femtoseconds(20ms)) == status::timeout);
  CHECK(oneshot_recv_for_unsent(picoseconds(20ms)) == status::timeout);
  CHECK(oneshot_recv_for_unsent(femtoseconds(20ms)) == status::timeout);
}

// The longest fine durations are days, not centuries: they are timed waits, woken like any other.
TEST_CASE("longest_fine_duration_timeouts_are_woken", "[unit][deadline]") {
  CHECK(recv_for_woken_by_send(picoseconds::max()) == status::ok);
  CHECK(recv_for_woken_by_send(femtoseconds::max()) == status::ok);
}

// Defect 4: far-future deadlines in coarse or floating types overflowed on the way to the clock's
// nanoseconds and timed out at once. Too far to represent means no deadline: the call waits.
TEST_CASE("far_future_deadlines_wait_until_woken", "[unit][deadline]") {
  using std::chrono::steady_clock;
  using std::chrono::system_clock;
  using std::chrono::time_point;
  CHECK(recv_until_woken_by_send(time_point<system_clock, std::chrono::seconds>::max()) == status::ok);
  CHECK(recv_until_woken_by_send(time_point<steady_clock, std::chrono::seconds>::max()) == status::ok);
  CHECK(recv_until_woken_by_send(time_point<steady_clock, double_seconds>::max()) == status::ok);
  CHECK(recv_until_woken_by_send(time_point<system_clock, double_seconds>::max()) == status::ok);
  CHECK(recv_until_woken_by_send(system_clock::time_point::max()) == status::ok);
  CHECK(recv_until_woken_by_send(steady_clock::time_point::max()) == status::ok);
  CHECK(recv_until_woken_by_send(std::chrono::floor<std::chrono::hours>(steady_clock::now()) + thousand_years) ==
        status::ok);
  CHECK(recv_until_woken_by_send(std::chrono::floor<std::chrono::hours>(system_clock::now()) + thousand_years) ==
        status::ok);
  CHECK(send_until_woken_by_recv(time_point<system_clock, std::chrono::seconds>::max()) == status::ok);
  CHECK(send_until_woken_by_recv(time_point<steady_clock, double_seconds>::max()) == status::ok);
}

TEST_CASE("huge_timeouts_wait_until_woken", "[unit][deadline]") {
  CHECK(recv_for_woken_by_send(std::chrono::hours::max()) == status::ok);
  CHECK(recv_for_woken_by_send(std::chrono::seconds::max()) == status::ok);
  CHECK(recv_for_woken_by_send(std::chrono::nanoseconds::max()) == status::ok);
  CHECK(recv_for_woken_by_send(double_seconds::max()) == status::ok);
  CHECK(recv_for_woken_by_send(double_seconds(std::numeric_limits<double>::infinity())) == status::ok);
  CHECK(recv_for_woken_by_send(std::chrono::duration<float, std::ratio<3600>>(1e30f)) == status::ok);
  CHECK(recv_for_woken_by_send(thousand_years) == status::ok);
}

// Already past means one attempt: the item if there is one, else `timeout`, whatever the type.
TEST_CASE("past_deadlines_of_any_type_try_once", "[unit][deadline][timeout]") {
  using std::chrono::steady_clock;
  using std::chrono::system_clock;
  using std::chrono::time_point;
  const auto check_past = [](auto deadline) {
    CHECK(recv_until_with_item(deadline) == status::ok);
    CHECK(recv_until_on_empty(deadline) == status::timeout);
  };
  check_past(time_point<system_clock, std::chrono::seconds>::min());
  check_past(time_point<steady_clock, std::chrono::seconds>::min());
  check_past(time_point<steady_clock, double_seconds>::min());
  check_past(time_point<steady_clock, double_seconds>(double_seconds(-std::numeric_limits<double>::infinity())));
  check_past(system_clock::time_point::min());
  check_past(std::chrono::floor<std::chrono::hours>(system_clock::now()) - thousand_years);
  check_past(time_point<system_clock, std::chrono::seconds>{});  // 1970
  check_past(time_point<system_clock, picoseconds>::max());      // picoseconds since 1970 end in April 1970
}

TEST_CASE("past_or_meaningless_timeouts_try_once", "[unit][deadline][timeout]") {
  CHECK(recv_for_on_empty(std::chrono::nanoseconds::min()) == status::timeout);
  CHECK(recv_for_on_empty(std::chrono::hours::min()) == status::timeout);
  CHECK(recv_for_on_empty(picoseconds::min()) == status::timeout);
  CHECK(recv_for_on_empty(-double_seconds::max()) == status::timeout);
  CHECK(recv_for_on_empty(double_seconds(-std::numeric_limits<double>::infinity())) == status::timeout);
  CHECK(recv_for_on_empty(double_seconds(std::numeric_limits<double>::quiet_NaN())) == status::timeout);
  CHECK(send_for_on_full(std::chrono::hours::min()) == status::timeout);
  CHECK(oneshot_recv_for_unsent(double_seconds(std::numeric_limits<double>::quiet_NaN())) == status::timeout);
}

// Defect 9 (run under the m32 preset too): a timed wait sleeps in the kernel instead of spinning
// through futex calls that return at once (a timespec of the wrong layout loses the sub-second part
// or turns a far timeout negative). Counted in clock reads, not in time.
TEST_CASE("short_timed_wait_sleeps_instead_of_polling_the_clock", "[unit][deadline][parker]") {
  channel<int> ch(1);
  int out = 0;
  counting_clock::reads = 0;
  const status result = ch.recv_until(out, counting_clock::now() + 300ms);
  const long reads = counting_clock::reads;
  CHECK(result == status::timeout);
  CAPTURE(reads);
  CHECK(reads < sleeping_wait_reads);
}

TEST_CASE("far_timed_wait_sleeps_until_woken_instead_of_polling_the_clock", "[unit][deadline][parker]") {
  // 80 years: more seconds than a 32-bit time_t holds, fewer than the century beyond which a deadline
  // counts as none, so this is a timed sleep of the longest kind.
  channel<int> ch(1);
  int out = 0;
  counting_clock::reads = 0;
  status result;
  {
    later sender([&] {
      std::this_thread::sleep_for(250ms);
      (void)ch.send(3);
    });
    result = ch.recv_until(out, counting_clock::now() + std::chrono::hours(24 * 365 * 80));
  }
  const long reads = counting_clock::reads;
  CHECK(result == status::ok);
  CAPTURE(reads);
  CHECK(reads < sleeping_wait_reads);
}

// Sub-second and multi-second timeouts on system_clock (the parker's absolute CLOCK_REALTIME wait)
// and on steady_clock end in `timeout`, and a wake-up ends them early with the item.
TEST_CASE("system_and_steady_clock_timed_waits_time_out_and_are_woken", "[unit][deadline][parker]") {
  using std::chrono::steady_clock;
  using std::chrono::system_clock;
  CHECK(recv_until_on_empty(system_clock::now() + 300ms) == status::timeout);
  CHECK(recv_until_on_empty(steady_clock::now() + 300ms) == status::timeout);
  CHECK(recv_until_on_empty(system_clock::now() + 1200ms) == status::timeout);
  CHECK(recv_until_woken_by_send(system_clock::now() + 30s) == status::ok);
  CHECK(recv_until_woken_by_send(steady_clock::now() + 30s) == status::ok);
  CHECK(recv_until_woken_by_send(system_clock::now() + std::chrono::hours(24 * 365 * 80)) == status::ok);
}

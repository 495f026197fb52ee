// chan/deadline.hpp's saturating arithmetic and the two parkers of backend.hpp, directly: every
// edge of every duration type lands on "no deadline", "passed" or an exact, rounded-up count of
// nanoseconds, and neither parker turns an unrepresentable deadline into an early timeout.

#include <chan/backend.hpp>
#include <chan/deadline.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <limits>
#include <ratio>
#include <thread>

using namespace std::chrono_literals;
using chan::detail::deadline_after;
using chan::detail::deadline_horizon;
using chan::detail::deadline_passed;
using chan::detail::rounding;
using chan::detail::saturating_nanoseconds;
using chan::detail::time_left;
using std::chrono::nanoseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using std::chrono::time_point;

namespace {

using picoseconds = std::chrono::duration<long long, std::pico>;
using femtoseconds = std::chrono::duration<long long, std::femto>;
using double_seconds = std::chrono::duration<double>;
using thirds = std::chrono::duration<long long, std::ratio<1, 3>>;

template <class Duration>
nanoseconds up(Duration d) {
  return saturating_nanoseconds<rounding::up>(d);
}
template <class Duration>
nanoseconds down(Duration d) {
  return saturating_nanoseconds<rounding::down>(d);
}

}  // namespace

TEST_CASE("saturating_nanoseconds_is_exact_in_range_and_rounds_as_told", "[unit][deadline]") {
  CHECK(up(picoseconds(1500)) == 2ns);
  CHECK(down(picoseconds(1500)) == 1ns);
  CHECK(up(picoseconds(-1500)) == -1ns);
  CHECK(down(picoseconds(-1500)) == -2ns);
  CHECK(up(femtoseconds::max()) == nanoseconds(femtoseconds::max().count() / 1'000'000 + 1));
  CHECK(up(std::chrono::hours(3)) == 3h);
  CHECK(up(double_seconds(0.25)) == 250ms);
  CHECK(up(double_seconds(1e-10)) == 1ns);
  CHECK(up(thirds(1)) >= nanoseconds(333'333'334));
  CHECK(up(thirds(1)) <= nanoseconds(333'333'336));
  CHECK(down(thirds(1)) <= nanoseconds(333'333'333));
  CHECK(up(std::chrono::duration<unsigned long long, std::pico>::max()) ==
        nanoseconds(std::numeric_limits<unsigned long long>::max() / 1000 + 1));
}

TEST_CASE("saturating_nanoseconds_clamps_what_nanoseconds_cannot_hold", "[unit][deadline]") {
  CHECK(up(std::chrono::hours::max()) == nanoseconds::max());
  CHECK(up(std::chrono::seconds::max()) == nanoseconds::max());
  CHECK(up(std::chrono::hours::min()) == nanoseconds::min());
  CHECK(up(double_seconds::max()) == nanoseconds::max());
  CHECK(up(-double_seconds::max()) == nanoseconds::min());
  CHECK(up(double_seconds(std::numeric_limits<double>::infinity())) == nanoseconds::max());
  CHECK(up(double_seconds(std::numeric_limits<double>::quiet_NaN())) == nanoseconds::min());
  CHECK(up(std::chrono::duration<float, std::ratio<3600>>(1e30f)) == nanoseconds::max());
  CHECK(up(system_clock::now().time_since_epoch()) > nanoseconds::zero());
}

TEST_CASE("time_left_is_none_beyond_the_horizon_zero_when_passed", "[unit][deadline]") {
  CHECK_FALSE(time_left(time_point<system_clock, std::chrono::seconds>::max()));
  CHECK_FALSE(time_left(time_point<steady_clock, std::chrono::seconds>::max()));
  CHECK_FALSE(time_left(time_point<steady_clock, double_seconds>::max()));
  CHECK_FALSE(time_left(system_clock::time_point::max()));
  CHECK_FALSE(
      time_left(std::chrono::floor<std::chrono::hours>(steady_clock::now()) + std::chrono::hours(24 * 365 * 1000)));
  CHECK_FALSE(time_left(steady_clock::now() + deadline_horizon + 1s));

  CHECK(time_left(time_point<system_clock, std::chrono::seconds>::min()) == 0ns);
  CHECK(time_left(time_point<steady_clock, double_seconds>::min()) == 0ns);
  CHECK(time_left(steady_clock::now() - 1h) == 0ns);
  CHECK(time_left(time_point<system_clock, picoseconds>::max()) == 0ns);

  const auto left = time_left(steady_clock::now() + 1h);
  REQUIRE(left);
  CHECK(*left > 59min);
  CHECK(*left <= 1h);
  const auto years = time_left(system_clock::now() + std::chrono::hours(24 * 365 * 80));
  REQUIRE(years);
  CHECK(*years > std::chrono::hours(24 * 365 * 79));
}

TEST_CASE("deadline_passed_matches_now_at_or_after_the_deadline", "[unit][deadline]") {
  CHECK(deadline_passed(steady_clock::now()));
  CHECK(deadline_passed(steady_clock::time_point::min()));
  CHECK(deadline_passed(time_point<system_clock, std::chrono::seconds>::min()));
  CHECK_FALSE(deadline_passed(steady_clock::now() + 1h));
  CHECK_FALSE(deadline_passed(time_point<system_clock, std::chrono::seconds>::max()));
  CHECK_FALSE(deadline_passed(time_point<steady_clock, double_seconds>::max()));
}

TEST_CASE("deadline_after_saturates", "[unit][deadline]") {
  CHECK_FALSE(deadline_after(std::chrono::hours::max()));
  CHECK_FALSE(deadline_after(double_seconds::max()));
  CHECK_FALSE(deadline_after(double_seconds(std::numeric_limits<double>::infinity())));
  CHECK_FALSE(deadline_after(deadline_horizon + 1ns));
  const auto before = steady_clock::now();
  const auto past = deadline_after(std::chrono::hours::min());
  REQUIRE(past);
  CHECK(*past >= before);
  CHECK(deadline_passed(*past));
  const auto nan = deadline_after(double_seconds(std::numeric_limits<double>::quiet_NaN()));
  REQUIRE(nan);
  CHECK(deadline_passed(*nan));
  const auto fine = deadline_after(picoseconds(1ms));
  REQUIRE(fine);
  CHECK(*fine >= before + 1ms);
  const auto longest_fine = deadline_after(femtoseconds::max());
  REQUIRE(longest_fine);
  CHECK(*longest_fine >= before + std::chrono::seconds(9000));
}

namespace {

template <class Parker, class Deadline>
bool park_until_unparked(Deadline deadline) {
  Parker parker;
  std::thread waker([&] {
    std::this_thread::sleep_for(50ms);
    parker.unpark();
  });
  const bool woken = parker.park_until(deadline);
  waker.join();
  return woken;
}

template <class Parker>
void check_parker() {
  CHECK(park_until_unparked<Parker>(time_point<system_clock, std::chrono::seconds>::max()));
  CHECK(park_until_unparked<Parker>(time_point<steady_clock, double_seconds>::max()));
  CHECK(park_until_unparked<Parker>(system_clock::now() + 30s));
  CHECK(park_until_unparked<Parker>(steady_clock::now() + 30s));
  {
    Parker parker;
    CHECK_FALSE(parker.park_until(time_point<system_clock, std::chrono::seconds>::min()));
    CHECK_FALSE(parker.park_until(steady_clock::now() + 20ms));
    CHECK_FALSE(parker.park_until(system_clock::now() + 20ms));
    CHECK_FALSE(parker.park_until(time_point<steady_clock, double_seconds>::min()));
  }
  {
    Parker parker;  // the permit is kept when unpark comes first
    parker.unpark();
    CHECK(parker.park_until(steady_clock::now() - 1h));
  }
}

}  // namespace

TEST_CASE("std_parker_saturates_deadlines", "[unit][deadline][parker]") { check_parker<chan::std_backend::parker>(); }

TEST_CASE("condvar_parker_saturates_deadlines", "[unit][deadline][parker]") {
  check_parker<chan::detail::condvar_parker>();
}

#pragma once

// Deadline arithmetic that cannot overflow, for any clock and any duration type (SPEC section 2,
// "Deadlines"): a timeout or deadline too far away to represent, or further than a century, means
// "no deadline"; one already past means "try once".
//
// std::chrono's own conversions and comparisons overflow silently at the edges: a picosecond
// timeout compared with a century overflows int64 in their common type, system_clock::now()
// compared with time_point<system_clock, seconds>::max() converts that maximum to nanoseconds, and
// a duration<double> of max() cast to integer nanoseconds is undefined. So every duration is first
// reduced to whole nanoseconds, clamped, with its range checked in long double (which cannot
// overflow for any Rep and Period), and only then does any clock arithmetic happen.
//
// Clocks whose time_since_epoch() does not fit in nanoseconds (292 years each way) saturate: their
// "now" and deadlines beyond that range count as infinitely far. No standard clock is affected.

#include <chrono>
#include <cmath>
#include <optional>
#include <ratio>

namespace chan::detail {

// The longest wait that is timed at all; anything further is "no deadline". Well inside nanoseconds'
// range, so `now + horizon` never overflows a clock that counts nanoseconds from 1970 or from boot.
inline constexpr std::chrono::nanoseconds deadline_horizon = std::chrono::hours(24 * 365 * 100);

enum class rounding { down, up };

// `d` in whole nanoseconds, rounded toward `dir`, clamped to nanoseconds' range. A NaN is "long
// ago" (min()): waiting on a value that is not a number would be a wait forever.
template <rounding dir, class Rep, class Period>
constexpr std::chrono::nanoseconds saturating_nanoseconds(std::chrono::duration<Rep, Period> d) noexcept {
  using namespace std::chrono;
  const long double seconds = duration<long double>(d).count();
  constexpr long double limit = 9.2e9L;  // nanoseconds::max() is 9.223e9 s: a margin for the rounding below
  if (!(seconds > -limit)) return nanoseconds::min();
  if (seconds >= limit) return nanoseconds::max();
  using per_nanosecond = std::ratio_divide<Period, std::nano>;
  if constexpr (per_nanosecond::num == 1 || per_nanosecond::den == 1) {
    // A whole multiple or fraction of a nanosecond (every standard period, and floating Reps): exact,
    // and each intermediate product is bounded by the range just checked.
    return dir == rounding::up ? ceil<nanoseconds>(d) : floor<nanoseconds>(d);
  } else {
    // A period like 1/3 s, where std::chrono's intermediate product could overflow: long double,
    // rounded with a nanosecond to spare so the result errs on the side of `dir`.
    const long double whole = dir == rounding::up ? std::ceil(seconds * 1e9L) + 1 : std::floor(seconds * 1e9L) - 1;
    return nanoseconds(static_cast<nanoseconds::rep>(whole));
  }
}

// How long until `deadline` by its own clock, rounded up so that a wait never ends early: zero once
// it has passed, nullopt when it is further than the horizon or too far to represent (no deadline).
// Reads Clock::now() once.
template <class Clock, class Duration>
std::optional<std::chrono::nanoseconds> time_left(const std::chrono::time_point<Clock, Duration>& deadline) {
  using std::chrono::nanoseconds;
  const nanoseconds at = saturating_nanoseconds<rounding::up>(deadline.time_since_epoch());
  const nanoseconds now = saturating_nanoseconds<rounding::down>(Clock::now().time_since_epoch());
  if (at == nanoseconds::max()) return std::nullopt;
  if (now == nanoseconds::max() || at <= now) return nanoseconds::zero();
  // at > now here; `at - now` overflows only when now is negative and the difference is past max().
  if (now < nanoseconds::zero() && at > nanoseconds::max() + now) return std::nullopt;
  const nanoseconds left = at - now;
  if (left > deadline_horizon) return std::nullopt;
  return left;
}

// `Clock::now() >= deadline`, for any deadline, without overflow.
template <class Clock, class Duration>
bool deadline_passed(const std::chrono::time_point<Clock, Duration>& deadline) {
  const auto left = time_left(deadline);
  return left && *left == left->zero();
}

// Durations become steady_clock deadlines, rounded up so a wait never ends early. A timeout of zero
// or less (or NaN) is "now": one attempt. One beyond the horizon is "no deadline" (nullopt).
template <class Rep, class Period>
std::optional<std::chrono::steady_clock::time_point> deadline_after(std::chrono::duration<Rep, Period> timeout) {
  using namespace std::chrono;
  static_assert(std::ratio_greater_equal_v<steady_clock::period, std::nano>,
                "chan: steady_clock is assumed to count nanoseconds or coarser");
  const nanoseconds wait = saturating_nanoseconds<rounding::up>(timeout);
  if (wait > deadline_horizon) return std::nullopt;
  const steady_clock::time_point now = steady_clock::now();
  if (wait <= wait.zero()) return now;
  const steady_clock::duration step = ceil<steady_clock::duration>(wait);
  if (now.time_since_epoch() > steady_clock::duration::max() - step) return std::nullopt;
  return now + step;
}

}  // namespace chan::detail

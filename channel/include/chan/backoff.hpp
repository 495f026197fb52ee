#pragma once

// The one spin-then-yield policy every retry loop in chan uses (crossbeam's Backoff).
// `spin` is for contention on a CAS that another thread just won: retrying soon is likely to succeed.
// `snooze` is for waiting on another thread's progress (a producer between claim and publish, or a
// caller about to park): it spins a little, then gives the core away, which matters when threads
// outnumber cores. `is_completed` tells a blocking caller that it is time to park instead.

#include <cstddef>

namespace chan::detail {

// The capacity from which a blocked caller's first back-off step waits for a batch (snooze_blocked).
inline constexpr std::size_t batch_capacity = 64;

template <class Backend>
class backoff {
public:
  void spin() noexcept {
    for (unsigned i = 0; i < (1u << min(step_, spin_limit)); ++i) Backend::pause();
    if (step_ <= spin_limit) ++step_;
  }

  void snooze() noexcept {
    if (step_ <= spin_limit) {
      for (unsigned i = 0; i < (1u << step_); ++i) Backend::pause();
    } else {
      (void)Backend::yield_thread();
    }
    if (step_ <= yield_limit) ++step_;
  }

  // `snooze` for a blocked caller (wait_on in waiters.hpp): the spinning steps of `snooze`, then
  // yields, then the caller parks (crossbeam's order). A yield that came back late
  // (Backend::yield_thread) ends the back-off at once: another thread kept the core, so threads
  // outnumber cores and further yields would wait behind it; the caller parks, and the notifier's
  // wake puts it back to run as soon as there is something for it.
  //
  // `batch`: the channel has room for a batch (batch_capacity slots or more). Its first step then
  // yields before the first retry. A full or empty ring of that size stays so until the other side
  // frees or fills a slot, and retrying at once takes each slot as it comes, which keeps both sides
  // on the same cache lines item by item; the yield lets the other side work through a batch (and
  // gives it the core when threads outnumber cores). A smaller channel hands items over nearly one
  // at a time: there a first yield costs a context switch per item once threads outnumber cores,
  // and its waiters spin first instead.
  //
  // Measured on 2 cores (ci/bench rows, blocking, u64, medians of 3-7 interleaved runs; the policy
  // this replaced, a first yield for every channel and then fine polls, in brackets): capacity 1 4x1
  // 4.0 M items/s (0.14 M), 4x4 7.9 M (0.40 M); capacity 4 1x1 9.0 M (3.7 M), 8x8 8.2 M (1.2 M);
  // capacity 32 8x8 13.5 M (10.0 M); capacity 1024 1x1 72 M (67 M), 8x8 84 M (73 M). With spinning
  // first at capacity 1024 too, select_rx fell from 15 M to 7 M (the spinning producers kept the
  // core its one consumer needed).
  void snooze_blocked(bool batch) noexcept {
    if (batch && step_ == 0 && !yielded_for_batch_) {
      yielded_for_batch_ = true;
      if (Backend::yield_thread()) complete();
    } else if (step_ <= spin_limit) {
      snooze();
    } else {
      if (Backend::yield_thread()) complete();
      if (step_ <= yield_limit) ++step_;
    }
  }

  bool is_completed() const noexcept { return step_ > yield_limit; }
  // Past the spinning steps of `snooze`: the next one would yield.
  bool spun_out() const noexcept { return step_ > spin_limit; }
  void reset() noexcept {
    step_ = 0;
    yielded_for_batch_ = false;
  }

private:
  // From the backend: the std one's are a measured trade-off between wake-up latency and CPU burnt;
  // a model checker's are short, so that its runs reach the park path in a few steps.
  static constexpr unsigned spin_limit = Backend::backoff_spin_limit;
  static constexpr unsigned yield_limit = Backend::backoff_yield_limit;
  static constexpr unsigned min(unsigned a, unsigned b) noexcept { return a < b ? a : b; }
  void complete() noexcept { step_ = yield_limit + 1; }
  unsigned step_ = 0;
  bool yielded_for_batch_ = false;
};

}  // namespace chan::detail

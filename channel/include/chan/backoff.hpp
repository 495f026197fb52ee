#pragma once

// The one spin-then-yield policy every retry loop in chan uses (crossbeam's Backoff).
// `spin` is for contention on a CAS that another thread just won: retrying soon is likely to succeed.
// `snooze` is for waiting on another thread's progress (a producer between claim and publish, or a
// caller about to park): it spins a little, then gives the core away, which matters when threads
// outnumber cores. `is_completed` tells a blocking caller that it is time to park instead.

namespace chan::detail {

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

  // `snooze` for a blocked caller (block_on in waiters.hpp). Its first step yields: retrying a full or
  // empty channel at once meets the other side one item at a time (measured on 2 cores, u64,
  // capacity 32, 1 sender and 1 receiver: about 4 M items/s, against 13 M with the yield). Then it
  // polls at a fine, even grain (a few pauses per attempt, a yield every eighth) before the coarser
  // `snooze` steps and parking: a reply in a request/response exchange usually comes within a
  // microsecond or two, and the doubling pauses of `snooze` overshoot it or reach the park. Measured
  // side by side with moodycamel's BlockingConcurrentQueue (ci/bench, ping-pong round trip): 5-9 us
  // before, 1.1-1.4 us with the polls, against its 1.2 us; the blocking throughput grid did not lose.
  //
  // A yield that came back late (Backend::yield_thread) ends the back-off at once: another thread
  // kept the core, so threads outnumber cores and further yields would wait behind it; the caller
  // parks, and the notifier's wake puts it back to run as soon as there is something for it.
  void snooze_blocked() noexcept {
    if (step_ == 0) {
      ++step_;
      if (Backend::yield_thread()) complete();
    } else if (polls_ < poll_limit) {
      if (++polls_ % polls_per_yield == 0) {
        if (Backend::yield_thread()) complete();
      } else {
        for (unsigned i = 0; i < poll_pauses; ++i) Backend::pause();
      }
    } else if (step_ > spin_limit) {
      if (Backend::yield_thread()) complete();
      if (step_ <= yield_limit) ++step_;
    } else {
      snooze();
    }
  }

  bool is_completed() const noexcept { return step_ > yield_limit; }
  // Past the spinning steps of `snooze`: the next one would yield.
  bool spun_out() const noexcept { return step_ > spin_limit; }
  void reset() noexcept {
    step_ = 0;
    polls_ = 0;
  }

private:
  // From the backend: the std one's are a measured trade-off between wake-up latency and CPU burnt;
  // a model checker's are short, so that its runs reach the park path in a few steps.
  static constexpr unsigned spin_limit = Backend::backoff_spin_limit;
  static constexpr unsigned yield_limit = Backend::backoff_yield_limit;
  static constexpr unsigned min(unsigned a, unsigned b) noexcept { return a < b ? a : b; }
  void complete() noexcept {
    step_ = yield_limit + 1;
    polls_ = poll_limit;
  }
  static constexpr unsigned poll_pauses = 8;
  static constexpr unsigned polls_per_yield = 8;
  static constexpr unsigned poll_limit = Backend::backoff_poll_limit;
  unsigned step_ = 0;
  unsigned polls_ = 0;
};

}  // namespace chan::detail

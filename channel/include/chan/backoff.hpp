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
      Backend::yield_thread();
    }
    if (step_ <= yield_limit) ++step_;
  }

  // `snooze` for a blocked caller (block_on in waiters.hpp), whose first step yields instead of
  // spinning. Retrying a full or empty channel almost at once meets the other side one item at a time;
  // measured on 2 cores (g++ -O2, u64, 1 sender and 1 receiver, capacity 32), that held a blocking
  // pair to about 4 M items/s, against 13 M with this first yield; capacity 1024 did not lose.
  void snooze_blocked() noexcept {
    if (step_ == 0) {
      Backend::yield_thread();
      ++step_;
    } else {
      snooze();
    }
  }

  bool is_completed() const noexcept { return step_ > yield_limit; }
  void reset() noexcept { step_ = 0; }

private:
  // From the backend: the std one's are a measured trade-off between wake-up latency and CPU burnt;
  // a model checker's are short, so that its runs reach the park path in a few steps.
  static constexpr unsigned spin_limit = Backend::backoff_spin_limit;
  static constexpr unsigned yield_limit = Backend::backoff_yield_limit;
  static constexpr unsigned min(unsigned a, unsigned b) noexcept { return a < b ? a : b; }
  unsigned step_ = 0;
};

}  // namespace chan::detail

#pragma once

// Threads parked until the other side makes progress, kept apart from the lock-free ring
// (crossbeam's SyncWaker). A mutex guards the list of waiters; an atomic flag says whether the list
// is non-empty, so the hot path of every send and receive pays one load that stays in cache while
// nobody waits, and takes the lock only when somebody does.
//
// The lost wake-up this prevents: a receiver sees `empty`, a sender publishes and looks for waiters,
// then the receiver enlists and parks forever. So a waiter enlists first and re-checks the channel
// second, and a notifier changes the channel first and looks for waiters second. With both the flag
// and the decisive reads/writes of the channel in the seq_cst order (see waiter_enlist in
// orderings.hpp), at least one of the two sees the other.

#include <chrono>
#include <optional>
#include <type_traits>

#include <chan/backoff.hpp>
#include <chan/deadline.hpp>
#include <chan/orderings.hpp>
#include <chan/status.hpp>

namespace chan::detail {

template <class Backend>
class waiters {
public:
  // One parked thread; lives on that thread's stack for the length of one wait.
  struct entry {
    typename Backend::parker parker;
    entry* prev = nullptr;
    entry* next = nullptr;
    bool enlisted = false;
  };

  waiters() = default;
  waiters(const waiters&) = delete;
  waiters& operator=(const waiters&) = delete;

  void enlist(entry& waiter) {
    guard lock(mutex_);
    waiter.prev = last_;
    waiter.next = nullptr;
    (last_ ? last_->next : first_) = &waiter;
    last_ = &waiter;
    waiter.enlisted = true;
    someone_waits_.store(true, order::waiter_enlist);
  }

  // Removes the waiter unless a notifier already did (then this only waits for that notifier to
  // finish with the entry, which it touches under the same mutex). False when a notifier did: the
  // waiter was handed a wake-up.
  bool delist(entry& waiter) {
    guard lock(mutex_);
    if (!waiter.enlisted) return false;
    unlink(waiter);
    return true;
  }

  // Wakes the longest waiting thread, if any. Inlined into every send and receive, so only the flag
  // check is here; the locking is out of line.
  void notify_one() {
    Backend::light_barrier(order::notify_barrier);
    if (someone_waits_.load(order::waiter_check)) [[unlikely]] {
      wake_first();
    }
  }

  void notify_all() {
    if (someone_waits_.load(order::waiter_check)) [[unlikely]] {
      wake_all();
    }
  }

private:
  class guard {
  public:
    explicit guard(typename Backend::mutex& m) : mutex_(m) { mutex_.lock(); }
    ~guard() { mutex_.unlock(); }
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;

  private:
    typename Backend::mutex& mutex_;
  };

  [[gnu::noinline, gnu::cold]] void wake_first() {
    guard lock(mutex_);
    if (first_) wake(*first_);
  }

  [[gnu::noinline, gnu::cold]] void wake_all() {
    guard lock(mutex_);
    while (first_) wake(*first_);
  }

  // Unparks under the mutex, so the waiter cannot leave delist() and free its entry while the
  // parker is still being signalled.
  void wake(entry& waiter) {
    unlink(waiter);
    waiter.parker.unpark();
  }

  void unlink(entry& waiter) {
    (waiter.prev ? waiter.prev->next : first_) = waiter.next;
    (waiter.next ? waiter.next->prev : last_) = waiter.prev;
    waiter.enlisted = false;
    if (!first_) someone_waits_.store(false, order::waiter_none);
  }

  typename Backend::mutex mutex_;
  entry* first_ = nullptr;
  entry* last_ = nullptr;
  typename Backend::template atomic<bool> someone_waits_{false};
};

// An answer a blocking call returns as it is; `empty` and `full` are what it waits out instead.
constexpr bool is_final(status answer) noexcept { return answer != status::empty && answer != status::full; }

// block_on (below) after its first attempt failed.
template <class Backend, class Attempt, class Clock, class Duration>
[[gnu::noinline]] status wait_then_retry(waiters<Backend>& queue, Attempt attempt,
                                         const std::chrono::time_point<Clock, Duration>* deadline) {
  backoff<Backend> backoff;
  bool expired = false;
  for (;;) {
    // A wait that timed out still made an attempt after it: if it had been woken for an item or a
    // slot at the last moment, that wake-up is used, not lost.
    if (expired) return status::timeout;
    if (!backoff.is_completed()) {
      backoff.snooze_blocked();
    } else {
      if (deadline && deadline_passed(*deadline)) return status::timeout;

      typename waiters<Backend>::entry self;
      queue.enlist(self);
      // Re-check after enlisting: the other side may have acted between our last attempt and the
      // enlist, without seeing us in the list. Parking now would be the lost wake-up.
      const status again = attempt();
      if (is_final(again)) {
        // A notifier may have picked us between that re-check and now, for a slot or an item we no
        // longer need. Pass that wake-up on, or the thread queued behind us could sleep through it
        // (found by the handoff_wakes_sender model).
        if (!queue.delist(self) && again == status::ok) queue.notify_one();
        return again;
      }
      if (deadline) {
        expired = !self.parker.park_until(*deadline);
      } else {
        self.parker.park();
      }
      queue.delist(self);
      backoff.reset();
    }
    const status result = attempt();
    if (is_final(result)) return result;
  }
}

// What a blocking call does once its non-blocking attempt answers `empty` or `full`, in crossbeam's
// order: back off and retry, check the deadline, enlist, re-check, park, delist. `attempt` is the
// non-blocking operation; it must include the seq_cst re-check the waiter protocol relies on.
// A null deadline waits without limit. The first attempt is inlined into the caller, so a blocking
// call that succeeds at once costs what the non-blocking one does; the waiting is out of line.
template <class Backend, class Attempt, class Clock, class Duration>
status block_on(waiters<Backend>& queue, Attempt&& attempt, const std::chrono::time_point<Clock, Duration>* deadline) {
  const status first = attempt();
  if (is_final(first)) [[likely]] {
    return first;
  }
  // A copy of the closure (it holds references only), so that the caller's closure never has its
  // address taken and the fast path need not build it in memory.
  return wait_then_retry(queue, std::decay_t<Attempt>(attempt), deadline);
}

}  // namespace chan::detail

#pragma once

// Waiting until the other side makes progress, kept apart from the lock-free ring (crossbeam's
// SyncWaker, with the owner word of its Context). One waiter entry type serves every kind of wait:
// a single blocking call has one entry, a select one entry per arm, all pointing at one owner.
//
// The registry. A mutex guards the list of entries; an atomic flag says whether the list is
// non-empty, so the hot path of every send and receive pays one load that stays in cache while
// nobody waits, and takes the lock only when somebody does.
//
// The lost wake-up this prevents: a receiver sees `empty`, a sender publishes and looks for waiters,
// then the receiver enlists and parks forever. So a waiter enlists first and re-checks the channel
// second, and a notifier changes the channel first and looks for waiters second. With both the flag
// and the decisive reads/writes of the channel in the seq_cst order (see waiter_enlist in
// orderings.hpp), at least one of the two sees the other.
//
// The owner. Its one atomic word says whether it still waits. A notifier claims it with one CAS,
// writing the tag of the entry it came through (so a select learns which arm's list woke it), and
// unlinks that entry, both under the list's lock; it calls the owner's wake action only after
// releasing the lock (SPEC section 3), so a woken thread never meets a lock its waker still holds.
// An owner already claimed (through another list, or by itself) is skipped and its entry unlinked:
// a select is woken once, not once per channel. The owner ends its wait by claiming itself; if that
// fails, a notifier's wake is on its way and the owner waits for it before its stack frame (which
// holds the entries and the parker) ends. That is the lifetime rule that makes waking outside the
// lock safe.

#include <chrono>
#include <cstddef>
#include <optional>
#include <ratio>
#include <type_traits>

#include <chan/backoff.hpp>
#include <chan/deadline.hpp>
#include <chan/orderings.hpp>
#include <chan/status.hpp>

namespace chan::detail {

// select.hpp's view of a channel's and a oneshot's waiter lists and receive step (declared here,
// where both headers can befriend it).
struct select_access;

// Who waits: one thread (or, through its own wake action, any other kind of waiter) with entries
// in one or more lists. The wake action is a plain function pointer, so an owner costs no heap.
template <class Backend>
class owner {
public:
  using wake_action = void (*)(owner&);

  // The word: `waiting`, `aborted` (the owner claimed itself), or the tag of the entry a notifier
  // claimed it through (first_tag + the arm's index).
  static constexpr std::size_t waiting = 0;
  static constexpr std::size_t aborted = 1;
  static constexpr std::size_t first_tag = 2;

  explicit owner(wake_action wake) noexcept : wake_(wake) {}
  owner(const owner&) = delete;
  owner& operator=(const owner&) = delete;

  // A notifier's claim, under the lock of the list that holds `tag`'s entry. False: claimed already.
  bool claim(std::size_t tag) noexcept {
    std::size_t expected = waiting;
    return word_.compare_exchange_strong(expected, tag, order::owner_claim, order::owner_claim_failed);
  }

  // The owner's own claim when it stops waiting. `waiting` when it succeeded (no notifier will touch
  // the owner any more), else the tag a notifier claimed it with: that notifier's wake is coming.
  std::size_t abort() noexcept {
    std::size_t seen = waiting;
    if (word_.compare_exchange_strong(seen, aborted, order::owner_abort, order::owner_abort_failed)) return waiting;
    return seen;
  }

  void wake() { wake_(*this); }

  // ---- for owners that wait in several rounds and can be cancelled (async.hpp) ----------------
  //
  // A stop request touches nothing but this word, so every decision about it is made by the order
  // of one location's modifications: it claims a waiting owner (with a tag of its own), or it adds
  // `cancel_pending` to the tag of a notifier's claim, and then the holder's rearm fails. No store-load
  // pattern across two locations, so nothing here needs the seq_cst total order.

  // The stop bit on a notifier's tag (the top bit: tags are small, and async.hpp's cancel tag leaves it clear).
  static constexpr std::size_t cancel_pending = ~(~std::size_t{0} >> 1);

  // Back to `waiting` for another round, by the one thread that holds the owner: claimed with tag
  // `handed`, delisted everywhere, its wake taken. False if a stop request marked the claim meanwhile:
  // the word stays claimed, so no notifier picks the owner, and the holder ends the operation.
  bool rearm(std::size_t handed) noexcept {
    return word_.compare_exchange_strong(handed, waiting, order::owner_rearm, order::owner_rearm_failed);
  }

  // A stop request, from no list and under no lock. True: it claimed a waiting owner with `tag`, and
  // the caller wakes it. False: the owner was claimed by a notifier (now marked, so the rearm of the
  // thread that takes that wake fails), has stopped waiting by itself, or was stopped already.
  bool claim_for_cancel(std::size_t tag) noexcept {
    std::size_t seen = waiting;
    for (;;) {
      if (seen == waiting) {
        if (word_.compare_exchange_weak(seen, tag, order::owner_cancel_claim, order::owner_cancel_claim_failed)) {
          return true;
        }
      } else if (seen == aborted || seen == tag || (seen & cancel_pending)) {
        return false;
      } else if (word_.compare_exchange_weak(seen, seen | cancel_pending, order::owner_cancel_mark,
                                             order::owner_cancel_mark_failed)) {
        return false;
      }
    }
  }

  // The word as it is now: has a stop request claimed or marked the owner?
  std::size_t peek() const noexcept { return word_.load(order::owner_peek); }

private:
  typename Backend::template atomic<std::size_t> word_{waiting};
  wake_action wake_;
};

// A thread as an owner: the wake action unparks it. A parker takes one wake-up in its life (the
// std futex parker keeps its permit once given), so a thread_owner lives for one round of waiting.
template <class Backend>
class thread_owner : public owner<Backend> {
public:
  thread_owner() noexcept : owner<Backend>(&unpark) {}

  void park() { parker_.park(); }
  template <class Clock, class Duration>
  bool park_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    return parker_.park_until(deadline);
  }
  // After a failed abort(): waits for the claimer's unpark, which may still be on its way.
  void absorb() { parker_.park(); }

private:
  static void unpark(owner<Backend>& self) { static_cast<thread_owner&>(self).parker_.unpark(); }
  typename Backend::parker parker_;
};

// One owner's place in one list; lives in the owner's stack frame for one round of waiting.
// Left uninitialised until a round enlists it (a select that finds an arm ready never touches it).
template <class Backend>
struct waiter_entry {
  owner<Backend>* who;
  std::size_t tag;
  waiter_entry* prev;
  waiter_entry* next;
  waiter_entry* wake_next;  // notify_all's chain of owners to wake once the lock is released
  bool enlisted;
};

template <class Backend>
class waiters {
public:
  using entry = waiter_entry<Backend>;

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

  // Removes the entry unless a notifier already did. Under the mutex, so a notifier that reached the
  // entry has finished with it when this returns.
  void delist(entry& waiter) {
    guard lock(mutex_);
    if (waiter.enlisted) unlink(waiter);
  }

  // Wakes the longest waiting owner that is still waiting, if any. Inlined into every send and
  // receive, so only the flag check is here; the locking is out of line.
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

  // Called by a waiter that is about to park behind a peer stuck mid-way (channel.hpp,
  // patient_attempt), before its last look at the ring: the next notify wakes every waiter here,
  // not only the first. That peer's commit sends one notify, yet more than one item (or free slot)
  // may wait behind it: a waiter woken by a later commit found the peer's slot first, gave that
  // wake-up back to nobody and parked again, or several waiters parked behind the peer with no
  // notify for the items committed after it. Either that notify takes the lock after this one and
  // wakes us all, or its commit came before, and the caller's last look sees it.
  void wake_all_at_next_notify() {
    guard lock(mutex_);
    wake_all_next_ = true;
  }

  // Whether any entry is enlisted, for tests of the registry (an entry left behind shows here).
  bool has_waiters() {
    guard lock(mutex_);
    return first_ != nullptr;
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
    entry* chain;
    {
      guard lock(mutex_);
      chain = wake_all_next_ ? claim_all() : claim_first();
    }
    wake_chain(chain);
  }

  [[gnu::noinline, gnu::cold]] void wake_all() {
    entry* chain;
    {
      guard lock(mutex_);
      chain = claim_all();
    }
    wake_chain(chain);
  }

  // Under the lock: unlinks entries from the front until one claims its owner, and returns that one
  // as a chain of one (or none). An entry whose owner was claimed before is unlinked too: that owner
  // is leaving.
  entry* claim_first() {
    while (first_) {
      entry& waiter = *first_;
      unlink(waiter);
      if (waiter.who->claim(waiter.tag)) {
        waiter.wake_next = nullptr;
        return &waiter;
      }
    }
    return nullptr;
  }

  // Under the lock: unlinks every entry and chains those that claimed their owner.
  entry* claim_all() {
    wake_all_next_ = false;
    entry* chain = nullptr;
    while (first_) {
      entry& waiter = *first_;
      unlink(waiter);
      if (waiter.who->claim(waiter.tag)) {
        waiter.wake_next = chain;
        chain = &waiter;
      }
    }
    return chain;
  }

  // Outside the lock; an owner cannot end its wait before its wake (see the header comment), and each
  // entry lives until its owner is woken, so the chain is read before each wake, not after.
  static void wake_chain(entry* chain) {
    while (chain) {
      owner<Backend>* woken = chain->who;
      chain = chain->wake_next;
      woken->wake();
    }
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
  bool wake_all_next_ = false;  // under the lock (wake_all_at_next_notify)
  typename Backend::template atomic<bool> someone_waits_{false};
};

// An answer a blocking call returns as it is; `empty` and `full` are what it waits out instead.
constexpr bool is_final(status answer) noexcept { return answer != status::empty && answer != status::full; }

// How a look at a channel treats a peer stuck mid-way (a sender between claim and commit, a receiver
// still moving last lap's item out). A non-blocking call's answer of not ready must be true, so it
// waits such a peer out. A waiting call gives up on it after a short spin and looks elsewhere (a
// select at its other arms), and may park, which that peer's commit then ends; a peer stalled on
// one channel does not blind a select to the others, nor hold the thread that runs a coroutine's
// wait (a notifier, async.hpp):
//   now      the non-blocking calls (try_select's arms): wait the peer out, but for a lone writer on
//            a large ring, where `empty` is true at once (ring.hpp, recv_look);
//   give_up  answers not ready after the short spin: the looks that another look follows before
//            any park (a blocking select's first and back-off scans, an async wait's first attempt
//            and its look after a wake);
//   prove    gives up so, then runs the heavy barrier, asks the list's next notify to wake every
//            waiter, and looks once more (channel.hpp, patient_attempt): the looks that may lead to
//            a park.
enum class arm_patience : unsigned char { now, give_up, prove };

// The arm that fired, or none.
struct fired {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t arm;
  status result;
};

// A timed wait looks at the clock at its first back-off step and then at every fourth, so a zero or
// past deadline costs one attempt and a short one is honoured within a few polls, while a long one
// does not pay a clock read per pause.
inline constexpr unsigned deadline_check_steps = 4;

// What a blocked call waits on: the arms of a select, or the one arm of a single-channel call.
//   std::size_t size();                         number of arms
//   std::size_t at(std::size_t position);       the arm scanned at `position` (select's fair order)
//   status fire(std::size_t arm);               the arm's non-blocking operation
//   waiters<Backend>* list(std::size_t arm);    the list it waits in
//   waiter_entry<Backend>& entry(std::size_t arm);
//   bool batches();                             every arm's channel has room for a batch (backoff.hpp)
// and may offer
//   fired retry();                              what to retry while backing off, instead of scan
//                                               (back_off_scan)
// `fire` must include the seq_cst re-check the waiter protocol relies on.
// `fire(arm)` instead of `arms.fire(arm)`: an Arms type that scans its arms another way too (a
// select's back-off, select.hpp).
template <class Arms, class Fire>
fired scan(Arms& arms, Fire&& fire) {
  for (std::size_t position = 0; position < arms.size(); ++position) {
    const std::size_t arm = arms.at(position);
    const status result = fire(arm);
    if (is_final(result)) return {arm, result};
  }
  return {fired::none, status::empty};
}
template <class Arms>
fired scan(Arms& arms) {
  return scan(arms, [&arms](std::size_t arm) { return arms.fire(arm); });
}

// One round: enlist every arm, re-check, park, delist, retry. Returns the arm that fired, or
// {none, timeout} when the deadline passed, or {none, empty}: woken for an arm that another thread
// served first (the caller backs off and comes back).
template <class Backend, class Arms>
class waiting_round {
public:
  explicit waiting_round(Arms& arms) : arms_(arms) {
    for (std::size_t arm = 0; arm < arms_.size(); ++arm) {
      waiter_entry<Backend>& entry = arms_.entry(arm);
      entry.who = &self_;
      entry.tag = owner<Backend>::first_tag + arm;
      arms_.list(arm)->enlist(entry);
      ++enlisted_;
    }
  }

  waiting_round(const waiting_round&) = delete;
  waiting_round& operator=(const waiting_round&) = delete;

  // On unwinding (an arm's operation threw) the round still ends by the rules: no entry is left behind, a wake in
  // flight lands, and a wake-up handed over is passed on.
  ~waiting_round() {
    if (!done_) leave(fired{fired::none, status::empty}, true);
  }

  template <class Clock, class Duration>
  fired run(const std::chrono::time_point<Clock, Duration>* deadline) {
    // Re-check after enlisting: the other side may have acted between our last attempt and the
    // enlist, without seeing us in the list. Parking now would be the lost wake-up.
    const fired early = scan(arms_);
    if (early.arm != fired::none) return leave(early, false);

    if (!deadline) {
      self_.park();
      handed_ = self_.abort();  // fails: only a claimer unparks, so this reads the claimer's tag
      absorbed_ = woken_by_park_ = true;
    } else if (self_.park_until(*deadline)) {
      handed_ = self_.abort();
      absorbed_ = woken_by_park_ = true;
    } else {
      expired_ = true;
    }
    delist_all();
    // The woken owner re-runs the arms itself; the ring stays the one source of truth.
    const fired late = scan(arms_);
    if (late.arm == fired::none && expired_) return leave({fired::none, status::timeout}, false);
    return leave(late, false);
  }

private:
  fired leave(fired outcome, bool unwinding) {
    done_ = true;
    if (!absorbed_) {
      handed_ = self_.abort();
      if (handed_ != owner<Backend>::waiting) self_.absorb();
      absorbed_ = true;
    }
    delist_all();
    if (handed_ != owner<Backend>::waiting && passes_on(outcome, unwinding)) list_of_handed()->notify_one();
    return outcome;
  }

  // A wake-up this round was handed, through the list of arm h, goes on to that list's next waiter
  // unless it was used: an arm of the same list fired after a park (re-checking right after the
  // enlist, an item already there could be taken while a notifier picked us for the next one; found
  // by the handoff_wakes_sender model), or it ended in `closed`, which wakes every waiter anyway.
  // Woken for nothing (another thread was first) passes nothing on: that thread used it.
  bool passes_on(fired outcome, bool unwinding) {
    if (unwinding || outcome.result == status::timeout) return true;
    if (outcome.arm == fired::none) return false;
    if (arms_.list(outcome.arm) != list_of_handed()) return true;
    return outcome.result == status::ok && !woken_by_park_;
  }

  waiters<Backend>* list_of_handed() { return arms_.list(handed_ - owner<Backend>::first_tag); }

  void delist_all() {
    // The entry a notifier claimed us through is unlinked already, and its unlink happens-before the
    // wake we absorbed; the others may still be linked (or unlinked by a notifier that skipped us).
    for (; enlisted_ > 0; --enlisted_) {
      const std::size_t arm = enlisted_ - 1;
      if (absorbed_ && arm + owner<Backend>::first_tag == handed_) continue;
      arms_.list(arm)->delist(arms_.entry(arm));
    }
  }

  Arms& arms_;
  thread_owner<Backend> self_;
  std::size_t enlisted_ = 0;
  std::size_t handed_ = owner<Backend>::waiting;
  bool absorbed_ = false;
  bool expired_ = false;
  bool woken_by_park_ = false;
  bool done_ = false;
};

// What a blocked call retries while it backs off: its arms' retry() if they offer one (a
// single-channel call's glance: one_arm), else the scan. The scan before any park comes in the
// waiting round either way. A select offers none: its scan must see each arm's `closed` and a peer
// mid-way, in its scan order, so that `biased` fires the first ready arm and a closed arm among
// ready ones fires as often as each of them.
template <class Arms>
fired back_off_scan(Arms& arms) {
  if constexpr (requires { arms.retry(); }) {
    return arms.retry();
  } else {
    return scan(arms);
  }
}

// The blocking loop around a first attempt that failed, in crossbeam's order: back off and retry
// (checking the deadline on the way), enlist, re-check, park, delist, retry.
template <class Backend, class Arms, class Clock, class Duration>
fired wait_on(Arms& arms, const std::chrono::time_point<Clock, Duration>* deadline) {
  backoff<Backend> backoff;
  const bool batches = arms.batches();
  unsigned steps = 0;
  for (;;) {
    // Always right before enlisting, else at the first back-off step and at every fourth.
    const bool look = backoff.is_completed() || steps++ % deadline_check_steps == 0;
    if (deadline && look && deadline_passed(*deadline)) {
      return {fired::none, status::timeout};
    }
    if (!backoff.is_completed()) {
      backoff.snooze_blocked(batches);
      const fired again = back_off_scan(arms);
      if (again.arm != fired::none) return again;
      continue;
    }
    const fired outcome = waiting_round<Backend, Arms>(arms).run(deadline);
    if (outcome.arm != fired::none || outcome.result == status::timeout) return outcome;
    backoff.reset();
    steps = 0;
  }
}

// A single-channel call as a one-arm wait. `glance` is its operation's one look (ring.hpp's
// glance_recv, glance_send), whose `empty` or `full` proves nothing.
template <class Backend, class Attempt, class Glance>
class one_arm {
public:
  one_arm(waiters<Backend>& list, Attempt& attempt, Glance& glance, std::size_t capacity) noexcept
      : list_(list), attempt_(attempt), glance_(glance), capacity_(capacity) {}
  static constexpr std::size_t size() noexcept { return 1; }
  static constexpr std::size_t at(std::size_t) noexcept { return 0; }
  status fire(std::size_t) { return attempt_(); }
  // Backing off on a small channel, it retries the glance: it reads neither the other side's index
  // nor runs a fence, where each proving attempt pulls a line the other side is writing (a blocked
  // sender's look at the head is a miss on the receiver's next claim). Measured with chanbench.py
  // pair (blocking u64 rows, 7-15 samples of each build taken back to back, the median of their
  // ratios; the median over 4-5 such pairings per cell, 1x1/2x1/4x4/8x8): capacity 4 x1.13/1.18/
  // 1.15/1.10, capacity 32 x1.13/1.40/1.44/1.50; one build paired with itself gave x0.75-1.05 on
  // those rows. Not at capacity 1, where every hand-off waits for the peer holding the one slot, the
  // proving attempt waits out a peer mid-way with a short spin of its own, and the glance hands that
  // wait to the longer back-off steps (x0.80-0.98). Not from batch_capacity on, whose back-off
  // yields first for a batch (backoff.hpp): no gain there (u64 x0.80-0.98, job144 x1.02-1.24).
  fired retry() {
    const status result = capacity_ > 1 && capacity_ < batch_capacity ? glance_() : attempt_();
    return is_final(result) ? fired{0, result} : fired{fired::none, status::empty};
  }
  waiters<Backend>* list(std::size_t) noexcept { return &list_; }
  waiter_entry<Backend>& entry(std::size_t) noexcept { return entry_; }
  bool batches() const noexcept { return capacity_ >= batch_capacity; }

private:
  waiters<Backend>& list_;
  Attempt& attempt_;
  Glance& glance_;
  std::size_t capacity_;
  waiter_entry<Backend> entry_;
};

// block_on (below) after its first attempt failed.
template <class Backend, class Attempt, class Glance, class Clock, class Duration>
[[gnu::noinline]] status wait_then_retry(waiters<Backend>& queue, Attempt attempt, Glance glance, std::size_t capacity,
                                         const std::chrono::time_point<Clock, Duration>* deadline) {
  one_arm<Backend, Attempt, Glance> arm(queue, attempt, glance, capacity);
  return wait_on<Backend>(arm, deadline).result;
}

// What a blocking call does once its non-blocking attempt answers `empty` or `full`. `attempt` is
// the non-blocking operation; it must include the seq_cst re-check the waiter protocol relies on.
// `glance` is its one look, retried while the call backs off (one_arm::retry).
// `capacity` is the channel's (it decides the first back-off step). A null deadline waits without
// limit. The first attempt is inlined into the caller, so a blocking call that succeeds at once
// costs what the non-blocking one does; the waiting is out of line.
template <class Backend, class Attempt, class Glance, class Clock, class Duration>
status block_on(waiters<Backend>& queue, Attempt&& attempt, Glance&& glance, std::size_t capacity,
                const std::chrono::time_point<Clock, Duration>* deadline) {
  const status first = attempt();
  if (is_final(first)) [[likely]] {
    return first;
  }
  // A copy of the closure (it holds references only), so that the caller's closure never has its
  // address taken and the fast path need not build it in memory.
  return wait_then_retry(queue, std::decay_t<Attempt>(attempt), std::decay_t<Glance>(glance), capacity, deadline);
}

}  // namespace chan::detail

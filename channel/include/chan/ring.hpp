#pragma once

// Dmitry Vyukov's bounded MPMC queue ("Bounded MPMC queue", 1024cores.net, 2010), in the form that
// crossbeam-channel's array flavor gives it: positions carry a lap so that any capacity from 1 up is
// exact, and a mark bit in the tail closes the ring in the same atomic step that ends sending.
//
// Each slot has a stamp that says whose turn it is. Senders CAS the tail to claim a position, then
// construct the item and publish the stamp; receivers CAS the head to claim an item, then move it
// out and hand the slot to the sender one lap later. Sending and receiving are split into
// reserve (start_send / start_recv) and commit (write / take), so a failed reservation touches no
// caller value and blocking operations are built from the same two steps.
//
// A claimed position cannot be handed back (other senders may already have claimed the ones after
// it), so a send whose construction throws commits its slot as *skipped* instead (skip): the stamp
// says "written" with the mark bit added, which no real stamp carries, and the receiver that comes
// to it frees the slot and looks again instead of taking an item.
//
// This header knows nothing of waiting; see waiters.hpp and channel.hpp.

#include <bit>
#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <tuple>
#include <type_traits>

#include <chan/backoff.hpp>
#include <chan/cache_padded.hpp>
#include <chan/error.hpp>
#include <chan/orderings.hpp>
#include <chan/status.hpp>

namespace chan::detail {

// How a receive that meets a slot not yet written for its lap decides (start_recv's `Look`):
//   prove   fences and reads the tail: `empty` if no sender has claimed the position; else a sender
//           is still writing it, and the receive waits for that sender (or, with peer_patience,
//           gives up on it after a short spin);
//   now     as prove, except that on a ring of lone_writer_capacity or more, a writer that holds
//           the only claimed position makes the answer `empty` at once (the non-blocking calls);
//   glance  answers `empty` at once, proving nothing (glance_recv).
enum class recv_look : unsigned char { prove, now, glance };

// The capacity from which a non-blocking receive answers `empty` behind a lone writer rather than
// wait for it. That answer is true: no send had returned `ok` when the tail was read, since the one
// claimed position was still being written. (Behind a writer with other claims after it, items
// further on may be complete, and the receive must wait; crossbeam waits in both cases.) Its caller
// then backs off or does other work while the writer fills more slots, where waiting would keep
// the two threads on the same slot item by item. On a small ring there is no room for that, and the
// short wait costs less than the caller's back-off. Measured with chanbench.py pair (chan_try
// throughput rows, the median of 5 ratios of samples taken back to back) against waiting: job144
// x1.09-1.97 at capacity 32 (1x1 x1.97) but 2x2 (x0.89, CV 34 %), x1.13-2.02 at 1024; u64
// x0.94-1.25, within the noise (2x2 cap 32 read x0.83, then x0.98 over 15 samples). Answering
// `empty` at every capacity lost at 4 (job144 x0.65-0.77).
inline constexpr std::size_t lone_writer_capacity = 32;

template <class T, class Backend, class Allocator>
class ring {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "chan: T needs a noexcept move constructor. A receiver moves the item out of a slot it "
                "has already claimed; a throw there would leave the slot claimed forever and wedge the ring.");
  static_assert(std::is_nothrow_destructible_v<T>, "chan: T's destructor must not throw.");

  struct slot {
    explicit slot(std::size_t first_stamp) noexcept : stamp(first_stamp) {}
    typename Backend::template atomic<std::size_t> stamp;
    typename Backend::template cell<T> value;
  };

  using slot_allocator = typename std::allocator_traits<Allocator>::template rebind_alloc<slot>;
  using slot_traits = std::allocator_traits<slot_allocator>;
  // The allocator's own pointer type (a fancy pointer such as an offset pointer works); the ring
  // works on the raw address it designates.
  using slot_pointer = typename slot_traits::pointer;

public:
  // A claimed slot and the stamp that commits it.
  struct token {
    slot* target = nullptr;
    std::size_t stamp = 0;
  };

  // What a blocking caller passes to start_send / start_recv. A peer that stays mid-way (a receiver
  // still moving out the item of the slot a send needs, a sender still writing the item a receive
  // needs) is then waited for only through a short spin: the call answers `full` / `empty` with
  // `gave_up` set, and the caller may park, since that peer's commit notifies the other side (the
  // handshake needs the peer barriers of channel.hpp). Without it, the wait lasts until the peer
  // is done: what "no spurious empty or full" asks of the non-blocking calls.
  struct peer_patience {
    bool gave_up = false;
  };

  ring(std::size_t capacity, const Allocator& allocator)
      : capacity_(checked_capacity(capacity, allocator)),
        // Positions are [ lap | wrap | mark | index ], index < capacity. mark_bit is the lowest power
        // of two above every index; the wrap bit the next one up, and one_lap the next after that, so
        // the tail's mark never carries into the lap. A slot's stamp is the position whose turn it is:
        // the tail position when the slot is free, that position + 1 once the item is written, and
        // (after a receive) the head position plus one_lap. Since index + 1 <= capacity < mark_bit,
        // "written for p" (p + 1) and "free for the next lap" (p + one_lap) never coincide, which is
        // what makes capacity 1 work; Vyukov's original p + capacity numbering confuses the two there.
        //
        // No position has the wrap bit; only the stamps of the last slot carry it. So the straight
        // line of start_send / start_recv, which compares a stamp with a bare position, never matches
        // at the last slot, and the move to the next lap is decided out of line (judge_send,
        // judge_recv) instead of by a test on every operation.
        mark_bit_(std::bit_ceil(capacity_ + 1)),
        wrap_bit_(mark_bit_ * 2),
        one_lap_(mark_bit_ * 4),
        index_mask_(mark_bit_ - 1),
        allocator_(allocator),
        storage_(slot_traits::allocate(allocator_, capacity_)),
        slots_(std::to_address(storage_)) {
    // An allocator's construct may throw; then the slots built so far and the array are given back,
    // since no destructor runs for a constructor that did not finish.
    slot_array_guard guard{this, 0};
    for (; guard.constructed < capacity_; ++guard.constructed) {
      const std::size_t i = guard.constructed;
      slot_traits::construct(allocator_, slots_ + i, i + 1 < capacity_ ? i : i | wrap_bit_);
    }
    guard.owner = nullptr;
  }

  ring(const ring&) = delete;
  ring& operator=(const ring&) = delete;

  ~ring() {
    const std::size_t head = head_.value.load(order::destroy_head);
    const std::size_t tail = tail_.value.load(order::destroy_tail) & ~mark_bit_;
    std::size_t index = head & index_mask_;
    for (std::size_t n = count(head, tail); n > 0; --n) {
      if (!(slots_[index].stamp.load(order::destroy_stamp) & mark_bit_)) slots_[index].value.destroy();
      index = index + 1 < capacity_ ? index + 1 : 0;
    }
    release_slots(capacity_);
  }

  // Claims the next position for a send. `full` only when the ring was full at some moment during
  // the call: a slot still holding last lap's item whose receiver is mid-way is waited for.
  // `Glance`: see glance_send.
  template <bool Glance = false>
  status start_send(token& claimed, peer_patience* patience = nullptr) noexcept {
    const attempt first = look_to_send<Glance>();
    if (first.outcome == verdict::claimed) [[likely]] {
      claimed = first.claimed;
      return status::ok;
    }
    return settle(retry(
                      first.outcome, [this] { return look_to_send<Glance>(); }, no_skip, patience),
                  claimed, status::full);
  }

  // Constructs the item in the claimed slot and publishes it. If the construction throws, nothing
  // is published and the caller must skip() the slot.
  template <class... Args>
  void write(const token& claimed, std::tuple<Args...>&& args) noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    claimed.target->value.construct(std::move(args));
    claimed.target->stamp.store(claimed.stamp, order::send_publish);
  }

  // Commits a claimed slot whose item could not be constructed: receivers pass over it. The caller
  // wakes a receiver as after a write, since the slot comes free only when a receiver skips it.
  void skip(const token& claimed) noexcept {
    claimed.target->value.forget();
    claimed.target->stamp.store(claimed.stamp | mark_bit_, order::send_skip);
  }

  // Claims the oldest item. `empty` only if, at some moment during the call, the ring held no item
  // whose send had returned (the "no spurious empty" promise): a sender between its claim and its
  // publish is waited for, since items behind it may already be complete; `Look` says when it is
  // not (recv_look). `closed` only when closed and drained.
  // `on_skip()` runs each time this call passes over a skipped slot (see skip()) and so frees it:
  // the caller tells a waiting sender.
  template <recv_look Look = recv_look::prove, class OnSkip>
  status start_recv(token& claimed, OnSkip&& on_skip, peer_patience* patience = nullptr) noexcept {
    const attempt first = look_to_recv<Look>();
    if (first.outcome == verdict::claimed) [[likely]] {
      claimed = first.claimed;
      return status::ok;
    }
    return settle(retry(
                      first.outcome, [this] { return look_to_recv<Look>(); }, on_skip, patience),
                  claimed, status::empty);
  }

  // The textbook queue's try_pop: `ok` with the oldest item claimed, or `empty` as soon as the slot
  // under the head has not been written for this lap, which here proves nothing (no fence, no look
  // at the tail; a skipped slot is left alone). For a caller that will look again anyway: a blocked
  // call retrying as it backs off (waiters.hpp, one_arm::retry), which proves `empty` with
  // start_recv before it parks. A ready slot costs what start_recv's costs, a not-ready one two
  // loads, and neither touches the senders' line. Its atomic accesses are start_recv's first
  // look's, in the same order. It is start_recv whose looks never answer peer_busy or skipped, so
  // retry() looks again only after a lost CAS or when another receiver moved the head on, and backs
  // off before it does (a loop that never pauses may read a stale index for as long as the memory
  // model allows: the models call that a livelock).
  status glance_recv(token& claimed) noexcept { return start_recv<recv_look::glance>(claimed, no_skip); }

  // The mirror of glance_recv (the textbook try_push): `ok` with a slot claimed, `closed` if the tail
  // carried the mark, else `full`, which proves nothing.
  status glance_send(token& claimed) noexcept { return start_send<true>(claimed); }

  T take(const token& claimed) noexcept {
    T& stored = claimed.target->value.get();
    T item(std::move(stored));
    claimed.target->value.destroy();
    claimed.target->stamp.store(claimed.stamp, order::recv_free);
    return item;
  }

  // True for the call that set the mark.
  bool close() noexcept { return !(tail_.value.fetch_or(mark_bit_, order::close_mark) & mark_bit_); }

  bool is_closed() const noexcept { return tail_.value.load(order::closed_check) & mark_bit_; }

  std::size_t capacity() const noexcept { return capacity_; }

  std::size_t size() const noexcept {
    for (;;) {
      const std::size_t tail = tail_.value.load(order::size_tail);
      const std::size_t head = head_.value.load(order::size_head);
      if (tail_.value.load(order::size_tail) == tail) return count(head, tail & ~mark_bit_);
    }
  }

private:
  // What one look at the slot under the tail (or head) concluded: an answer for the caller, or how
  // to wait before looking again (backoff.hpp: spin after a lost CAS or for a receiver that is
  // moving its item out, snooze while another thread moves the position on or finishes a write).
  // `skipped`: a receive passed over a skipped slot and freed it; it looks again at once.
  // `peer_busy`: the slot is claimed by a peer that has not finished with it (see peer_patience).
  enum class verdict : unsigned char { claimed, full, empty, closed, retry_spin, retry_snooze, skipped, peer_busy };

  struct attempt {
    verdict outcome;
    token claimed;
  };

  // One turn of Vyukov's loop, shaped so that the common case (the slot's stamp is the tail itself)
  // is a straight line and everything else is decided out of line by judge_send. A marked (closed)
  // tail never equals a stamp, since stamps have no mark bit, so closing needs no test here. Each
  // turn makes the same atomic accesses in the same order as the plain loop would (but for the stamp
  // load of a send on a closed ring), which keeps the interleavings the models explore the same.
  // Glance: answer `full` without the proof (glance_send).
  template <bool Glance = false>
  attempt look_to_send() noexcept {
    std::size_t tail = tail_.value.load(order::send_tail);
    const std::size_t written = tail + 1;  // the next position, and this slot's stamp once written
    slot& target = slots_[tail & index_mask_];
    const std::size_t stamp = target.stamp.load(order::send_stamp);
    if (stamp != tail) [[unlikely]] {
      return judge_send<Glance>(tail, stamp);
    }
    if (!tail_.value.compare_exchange_weak(tail, written, order::send_claim, order::send_claim_retry)) {
      return {verdict::retry_spin, {}};
    }
    return {verdict::claimed, {&target, written}};
  }

  template <bool Glance>
  [[gnu::noinline]] attempt judge_send(std::size_t tail, std::size_t stamp) noexcept {
    if (tail & mark_bit_) return {verdict::closed, {}};
    // A skipped slot of the previous lap is, to a sender, a slot still holding an item.
    stamp &= ~(wrap_bit_ | mark_bit_);
    if (stamp == tail) {
      // The last slot of the lap, and free: the claim moves the tail on to the next lap.
      if (!tail_.value.compare_exchange_weak(tail, next_lap(tail), order::send_claim, order::send_claim_retry)) {
        return {verdict::retry_spin, {}};
      }
      return {verdict::claimed, {&slots_[tail & index_mask_], (tail + 1) | wrap_bit_}};
    }
    if (stamp + one_lap_ == tail + 1) {
      // The slot still holds the item of the previous lap. Full, unless its receiver has claimed
      // it already and is moving it out; then wait for that receiver.
      if (Glance) return {verdict::full, {}};
      Backend::fence(order::send_full_fence);
      const std::size_t head = head_.value.load(order::send_full_head);
      if (head + one_lap_ == tail) {
        return {(tail_.value.load(order::send_full_tail) & mark_bit_) ? verdict::closed : verdict::full, {}};
      }
      return {verdict::peer_busy, {}};
    }
    // Another sender claimed this position and has moved the tail on.
    return {verdict::retry_snooze, {}};
  }

  // The mirror of look_to_send: the common case is a stamp of head + 1 (written for this position).
  template <recv_look Look>
  attempt look_to_recv() noexcept {
    std::size_t head = head_.value.load(order::recv_head);
    slot& target = slots_[head & index_mask_];
    const std::size_t stamp = target.stamp.load(order::recv_stamp);
    if (stamp != head + 1) [[unlikely]] {
      return judge_recv<Look>(head, stamp);
    }
    if (!head_.value.compare_exchange_weak(head, head + 1, order::recv_claim, order::recv_claim_retry)) {
      return {verdict::retry_spin, {}};
    }
    return {verdict::claimed, {&target, head + one_lap_}};
  }

  template <recv_look Look>
  [[gnu::noinline]] attempt judge_recv(std::size_t head, std::size_t stamp) noexcept {
    const std::size_t wrap = stamp & wrap_bit_;
    const std::size_t next = wrap ? next_lap(head) : head + 1;  // only the last slot's stamps carry wrap
    stamp &= ~wrap_bit_;
    if (stamp == head + 1) {
      if (!head_.value.compare_exchange_weak(head, next_lap(head), order::recv_claim, order::recv_claim_retry)) {
        return {verdict::retry_spin, {}};
      }
      return {verdict::claimed, {&slots_[head & index_mask_], (head + one_lap_) | wrap_bit_}};
    }
    if (stamp == ((head + 1) | mark_bit_)) {
      // A skipped slot: claim it like an item, then free it at once for the sender one lap later.
      if (Look == recv_look::glance) return {verdict::empty, {}};
      if (!head_.value.compare_exchange_weak(head, next, order::recv_skip_claim, order::recv_claim_retry)) {
        return {verdict::retry_spin, {}};
      }
      slots_[head & index_mask_].stamp.store((head + one_lap_) | wrap, order::recv_skip_free);
      return {verdict::skipped, {}};
    }
    if (stamp == head) {
      // Nothing written here yet in this lap. Empty, unless a sender has claimed the position and
      // is still writing; then wait for it (recv_look).
      if (Look == recv_look::glance) return {verdict::empty, {}};
      Backend::fence(order::recv_empty_fence);
      const std::size_t tail = tail_.value.load(order::recv_empty_tail);
      if ((tail & ~mark_bit_) == head) return {(tail & mark_bit_) ? verdict::closed : verdict::empty, {}};
      // A sender has claimed this position and is still writing the item.
      if (Look == recv_look::now && capacity_ >= lone_writer_capacity && (tail & ~mark_bit_) == next) {
        return {verdict::empty, {}};  // and no other position is claimed: nothing had been sent
      }
      // On a closed ring close()'s wake-up has gone by, and a receive that parked behind this writer
      // would have only the writer's one notify to wake it, which another receiver may take: the
      // others would sleep through the close. So every receive waits such a writer out.
      if (tail & mark_bit_) return {verdict::retry_snooze, {}};
      return {verdict::peer_busy, {}};
    }
    // Another receiver took this position and moved the head on.
    return {verdict::retry_snooze, {}};
  }

  // Vyukov's retry loop around a look that did not end in an answer, out of line so that the fast
  // path carries no backoff state.
  template <class Look, class OnSkip>
  [[gnu::noinline]] static attempt retry(verdict last, Look look, OnSkip on_skip, peer_patience* patience) noexcept {
    backoff<Backend> backoff;
    for (;;) {
      if (last == verdict::retry_spin) {
        backoff.spin();
      } else if (last == verdict::retry_snooze) {
        backoff.snooze();
      } else if (last == verdict::peer_busy) {
        // Snooze, not spin: the peer may have been descheduled mid-way, and a spinning thread would
        // keep the core it needs. A blocking caller stops once the spinning steps are over.
        if (patience && backoff.spun_out()) {
          patience->gave_up = true;
          return {verdict::peer_busy, {}};
        }
        backoff.snooze();
      } else if (last == verdict::skipped) {
        on_skip();
      } else {
        return {last, {}};
      }
      const attempt again = look();
      if (again.outcome == verdict::claimed) return again;
      last = again.outcome;
    }
  }

  static constexpr auto no_skip = []() noexcept {};

  // `refused` is what a peer_patience give-up answers: full for a send, empty for a receive.
  static status settle(const attempt& result, token& claimed, status refused) noexcept {
    claimed = result.claimed;
    switch (result.outcome) {
      case verdict::claimed:
        return status::ok;
      case verdict::full:
        return status::full;
      case verdict::empty:
        return status::empty;
      case verdict::peer_busy:
        return refused;
      default:  // closed; the retry verdicts never get here
        return status::closed;
    }
  }

  // Slot 0 of the lap after `position`'s.
  std::size_t next_lap(std::size_t position) const noexcept { return (position & ~(one_lap_ - 1)) + one_lap_; }

  static std::size_t checked_capacity(std::size_t capacity, const Allocator& allocator) {
    if (capacity == 0) fail_invalid_argument("chan::channel: capacity must be at least 1");
    // Positions need three bits above the largest index (mark, wrap and the first lap bit).
    const slot_allocator slots(allocator);
    if (capacity > std::numeric_limits<std::size_t>::max() / 8 || capacity > slot_traits::max_size(slots)) {
      fail_length_error("chan::channel: capacity too large for the storage it needs");
    }
    return capacity;
  }

  // Undoes the constructor's work on the first `constructed` slots (all of them from ~ring).
  void release_slots(std::size_t constructed) noexcept {
    for (std::size_t i = 0; i < constructed; ++i) slot_traits::destroy(allocator_, slots_ + i);
    slot_traits::deallocate(allocator_, storage_, capacity_);
  }

  // Gives the slot array back if the constructor leaves by an exception (a scope guard rather than
  // try/catch, so the header still compiles with -fno-exceptions).
  struct slot_array_guard {
    ring* owner;
    std::size_t constructed;
    ~slot_array_guard() {
      if (owner) owner->release_slots(constructed);
    }
  };

  // Items between head and tail (tail without its mark). Stays within [0, capacity] for any pair.
  std::size_t count(std::size_t head, std::size_t tail) const noexcept {
    const std::size_t head_index = head & index_mask_;
    const std::size_t tail_index = tail & index_mask_;
    if (head_index < tail_index) return tail_index - head_index;
    if (head_index > tail_index) return capacity_ - head_index + tail_index;
    return tail == head ? 0 : capacity_;
  }

  // Read-only after construction, shared by every thread; kept off the head and tail lines.
  const std::size_t capacity_;
  const std::size_t mark_bit_;
  const std::size_t wrap_bit_;
  const std::size_t one_lap_;
  const std::size_t index_mask_;  // mark_bit_ - 1, kept so the hot path need not derive it
  slot_allocator allocator_;
  slot_pointer storage_;  // as the allocator returned it, for deallocate
  slot* slots_;           // the same address, raw

  // Receivers write head, senders write tail: each on its own line.
  cache_padded<typename Backend::template atomic<std::size_t>> head_{0};
  cache_padded<typename Backend::template atomic<std::size_t>> tail_{0};
};

}  // namespace chan::detail

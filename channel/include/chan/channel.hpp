#pragma once

// chan::channel<T>: a bounded multi-producer multi-consumer channel with close-then-drain shutdown.
//
// The facade over the lock-free ring (ring.hpp) and the two waiter lists (waiters.hpp): one for
// receivers waiting for an item, one for senders waiting for a free slot. Non-blocking calls go
// to the ring and then glance at the other side's list; blocking calls are the non-blocking call
// wrapped in block_on(). The promises are in docs/contract.md.

#include <chan/version.hpp>  // first: stops a build below C++20 with a clear message

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <chan/async.hpp>
#include <chan/backend.hpp>
#include <chan/cache_padded.hpp>
#include <chan/recv_result.hpp>
#include <chan/ring.hpp>
#include <chan/status.hpp>
#include <chan/waiters.hpp>

namespace chan {

template <class T, class Allocator = std::allocator<T>, class Backend = std_backend>
class channel {
  using ring_type = detail::ring<T, Backend, Allocator>;
  using token = typename ring_type::token;
  using waiters_type = detail::waiters<Backend>;
  using peer_patience = typename ring_type::peer_patience;

public:
  using value_type = T;
  using allocator_type = Allocator;

  // Throws std::invalid_argument for capacity 0, std::length_error if its storage would overflow.
  explicit channel(std::size_t capacity, const Allocator& allocator = Allocator()) : ring_(capacity, allocator) {}

  // Destroys every item still buffered. No thread may be using the channel any more.
  ~channel() = default;

  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  // ---- non-blocking: never lock, never park -------------------------------------------------

  // The copy is made into the claimed slot, so a `full` or `closed` answer costs no copy.
  status try_send(const T& value) noexcept(std::is_nothrow_copy_constructible_v<T>) { return try_emplace(value); }
  status try_send(T&& value) noexcept { return try_emplace(std::move(value)); }

  // Claims a slot first and constructs the item in it, so `full` and `closed` leave the arguments
  // untouched. A constructor that throws leaves the slot skipped (ring.hpp), which receivers pass
  // over: the channel holds what it held before and the exception reaches the caller.
  template <class... Args>
  status try_emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
    return emplace_with(nullptr, std::forward<Args>(args)...);
  }

  // ok | empty | closed. Needs a noexcept move assignment (see recv_result.hpp); try_recv() does not.
  status try_recv(T& out) noexcept {
    detail::require_nothrow_out_assignment<T>();
    return try_take<detail::recv_look::now>([&](T&& item) noexcept { out = std::move(item); });
  }

  // The item, or empty | closed.
  recv_result<T> try_recv() noexcept {
    recv_result<T> received(status::empty);
    const status result = try_take<detail::recv_look::now>(
        [&](T&& item) noexcept { detail::recv_result_access::deliver(received, std::move(item)); });
    if (result != status::ok) detail::recv_result_access::fail(received, result);
    return received;
  }

  // ---- blocking: spin briefly, then park ----------------------------------------------------

  status send(T&& value) { return send_blocking(std::move(value), no_deadline()); }
  // A blocking send of a const T& first tries to copy into a free slot; only if it has to wait does
  // it copy once and retry with moves of that copy.
  status send(const T& value) { return send_copy(value, no_deadline()); }

  template <class Rep, class Period>
  status send_for(T&& value, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after(timeout);
    return deadline ? send_until(std::move(value), *deadline) : send(std::move(value));
  }
  template <class Rep, class Period>
  status send_for(const T& value, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after(timeout);
    return send_copy(value, deadline ? &*deadline : no_deadline());
  }

  template <class Clock, class Duration>
  status send_until(T&& value, std::chrono::time_point<Clock, Duration> deadline) {
    return send_blocking(std::move(value), &deadline);
  }
  template <class Clock, class Duration>
  status send_until(const T& value, std::chrono::time_point<Clock, Duration> deadline) {
    return send_copy(value, &deadline);
  }

  status recv(T& out) {
    detail::require_nothrow_out_assignment<T>();
    return recv_blocking(out, no_deadline());
  }

  // nullopt only when the channel is closed and drained.
  std::optional<T> recv() {
    std::optional<T> item;
    (void)receive_blocking([&](T&& taken) noexcept { item.emplace(std::move(taken)); }, no_deadline());
    return item;
  }

  template <class Rep, class Period>
  status recv_for(T& out, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after(timeout);
    return deadline ? recv_until(out, *deadline) : recv(out);
  }

  template <class Clock, class Duration>
  status recv_until(T& out, std::chrono::time_point<Clock, Duration> deadline) {
    detail::require_nothrow_out_assignment<T>();
    return recv_blocking(out, &deadline);
  }

  // The item, or closed | timeout.
  template <class Rep, class Period>
  recv_result<T> recv_for(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after(timeout);
    return receive_result(deadline ? &*deadline : no_deadline());
  }

  template <class Clock, class Duration>
  recv_result<T> recv_until(std::chrono::time_point<Clock, Duration> deadline) {
    return receive_result(&deadline);
  }

  // ---- async (async.hpp): awaitables for any coroutine, SPEC section 1b ------------------------
  // Each takes, after its own arguments, an optional resumer (called once to resume the coroutine,
  // instead of resuming it inline) and an optional std::stop_token, in that order.
  using backend_type = Backend;

  // ok | closed | cancelled; on closed and cancelled `value` is left with the caller.
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_send(T&& value, Options&&... options) {
    return detail::async_access::send(*this, value, std::forward<Options>(options)...);
  }
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_send(const T& value, Options&&... options) {
    return detail::async_access::send_copy(*this, value, std::forward<Options>(options)...);
  }
  // ok | closed | cancelled; `out` is assigned only on ok (needs a noexcept move assignment).
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_recv(T& out, Options&&... options) {
    return detail::async_access::recv_into(*this, &receivers_.value, out, std::forward<Options>(options)...);
  }
  // The item, or closed | cancelled.
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_recv(Options&&... options) {
    return detail::async_access::recv_result<T>(*this, &receivers_.value, std::forward<Options>(options)...);
  }
  friend struct detail::async_access;

  // ---- state --------------------------------------------------------------------------------

  // Ends sending: every send that comes after it returns `closed`, receivers drain what is
  // buffered and then get `closed`. Wakes every blocked sender and receiver. True for the call
  // that closed the channel.
  bool close() noexcept {
    if (!ring_.close()) return false;
    senders_.value.notify_all();
    receivers_.value.notify_all();
    return true;
  }

  bool is_closed() const noexcept { return ring_.is_closed(); }
  std::size_t capacity() const noexcept { return ring_.capacity(); }
  std::size_t size() const noexcept { return ring_.size(); }
  bool empty() const noexcept { return size() == 0; }

private:
  static constexpr const std::chrono::steady_clock::time_point* no_deadline() noexcept { return nullptr; }

  // The one place a receive happens: reserve, move the item out, let a waiting sender know, then
  // hand the item to `sink`. The slot is free and the sender told before `sink` runs, so even a
  // throwing move assignment in it leaves the channel consistent.
  // Always inlined: each blocking receive calls it from its fast path and from its slow path, and
  // g++ would otherwise keep one out-of-line copy and call it on every receive (callgrind: 33 more
  // instructions per blocking send+recv).
  // `Look` (ring.hpp, recv_look): the non-blocking receives answer `now`; a blocked receive backs off
  // with `glance`, which proves nothing when it answers `empty`; every look that may lead to a park
  // proves its `empty`.
  template <detail::recv_look Look = detail::recv_look::prove, class Sink>
  [[gnu::always_inline]] status try_take(Sink&& sink, peer_patience* patience = nullptr) noexcept {
    static_assert(std::is_nothrow_invocable_v<Sink&, T&&>, "chan: a receive's sink must not throw");
    token claimed;
    status result;
    if constexpr (Look == detail::recv_look::glance) {
      result = ring_.glance_recv(claimed);
    } else {
      result = ring_.template start_recv<Look>(
          claimed, [this]() noexcept { senders_.value.notify_one(); }, patience);
    }
    if (result != status::ok) return result;
    T item = ring_.take(claimed);
    senders_.value.notify_one();
    sink(std::move(item));
    return status::ok;
  }

  // The one place a send happens: reserve, construct the item in the slot, let a waiting receiver know.
  // A `Glance` send proves nothing when it answers `full` (ring.hpp, glance_send).
  template <bool Glance = false, class... Args>
  [[gnu::always_inline]] status emplace_with(peer_patience* patience,
                                             Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
    token claimed;
    const status result = Glance ? ring_.glance_send(claimed) : ring_.start_send(claimed, patience);
    if (result != status::ok) return result;
    if constexpr (std::is_nothrow_constructible_v<T, Args&&...>) {
      ring_.write(claimed, std::forward_as_tuple(std::forward<Args>(args)...));
    } else {
      skip_unless_written guard{this, &claimed};
      ring_.write(claimed, std::forward_as_tuple(std::forward<Args>(args)...));
      guard.claimed = nullptr;
    }
    receivers_.value.notify_one();
    return status::ok;
  }

  // A blocking call's attempt: `step(patience)` is one non-blocking send or receive that waits for a
  // peer stuck mid-way only through a short spin (ring.hpp, peer_patience). Before such a give-up is
  // reported as full or empty, which lets the caller park, the heavy barrier runs, the caller's
  // `list` (the one it waits in) is told to wake all its waiters at the next notify, and the ring is
  // looked at once more: then either the peer's commit (with notify_barrier before its waiter_check)
  // sees this caller enlisted and wakes it, or this last look sees the commit. Where the system has
  // no heavy barrier, the peer is waited out, as a non-blocking call does.
  template <class Step>
  static status patient_attempt(waiters_type& list, Step step) noexcept {
    peer_patience patience;
    const status first = step(&patience);
    if (detail::is_final(first) || !patience.gave_up) [[likely]] {
      return first;
    }
    return look_again_behind_peer(list, step);
  }

  // A select arm's or a coroutine wait's receive and send, as patient with a peer stuck mid-way as
  // it asks: give_up or prove (waiters.hpp, arm_patience). Their looks are not always the ones right
  // before a park. The send moves from `value` only on ok.
  template <class Sink>
  status take_with(Sink& sink, detail::arm_patience patience) noexcept {
    return with_patience(
        receivers_.value, [&](peer_patience* p) noexcept { return try_take(sink, p); }, patience);
  }
  status send_with(T& value, detail::arm_patience patience) noexcept {
    return with_patience(
        senders_.value, [&](peer_patience* p) noexcept { return emplace_with(p, std::move(value)); }, patience);
  }
  template <class Step>
  static status with_patience(waiters_type& list, Step step, detail::arm_patience patience) noexcept {
    if (patience == detail::arm_patience::prove) return patient_attempt(list, step);
    peer_patience give_up;
    return step(&give_up);
  }

  // Out of line, so that the blocking fast path holds one copy of the step, not three.
  template <class Step>
  [[gnu::noinline]] static status look_again_behind_peer(waiters_type& list, Step step) noexcept {
    if (!Backend::heavy_barrier()) return step(nullptr);
    list.wake_all_at_next_notify();
    peer_patience patience;
    return step(&patience);
  }

  template <class Sink, class Deadline>
  status receive_blocking(Sink sink, const Deadline* deadline) {
    return detail::block_on(
        receivers_.value,
        [&] { return patient_attempt(receivers_.value, [&](peer_patience* p) noexcept { return try_take(sink, p); }); },
        [&]() noexcept { return try_take<detail::recv_look::glance>(sink); }, ring_.capacity(), deadline);
  }

  template <class Deadline>
  recv_result<T> receive_result(const Deadline* deadline) {
    recv_result<T> received(status::empty);
    const status result = receive_blocking(
        [&](T&& item) noexcept { detail::recv_result_access::deliver(received, std::move(item)); }, deadline);
    if (result != status::ok) detail::recv_result_access::fail(received, result);
    return received;
  }

  // Commits a claimed slot as skipped if the item's construction leaves by an exception.
  struct skip_unless_written {
    channel* owner;
    const token* claimed;
    ~skip_unless_written() {
      if (claimed) {
        owner->ring_.skip(*claimed);
        owner->receivers_.value.notify_one();
      }
    }
  };

  template <class Clock, class Duration>
  status send_copy(const T& value, const std::chrono::time_point<Clock, Duration>* deadline) {
    const status first = try_send(value);
    if (detail::is_final(first)) return first;
    if (deadline && detail::deadline_passed(*deadline)) return status::timeout;
    return send_blocking(T(value), deadline);
  }

  template <class Deadline>
  status send_blocking(T&& value, const Deadline* deadline) {
    // emplace_with moves from `value` only on `ok`, so a timed-out or closed send leaves it intact.
    return detail::block_on(
        senders_.value,
        [&] {
          return patient_attempt(senders_.value,
                                 [&](peer_patience* p) noexcept { return emplace_with(p, std::move(value)); });
        },
        [&]() noexcept { return emplace_with<true>(nullptr, std::move(value)); }, ring_.capacity(), deadline);
  }

  template <class Deadline>
  status recv_blocking(T& out, const Deadline* deadline) {
    return receive_blocking([&](T&& item) noexcept { out = std::move(item); }, deadline);
  }

  // ---- select.hpp's hooks: the waiter lists and try_take --------------------------------------
  friend struct detail::select_access;

  ring_type ring_;
  detail::cache_padded<waiters_type> receivers_;  // waiting for an item
  detail::cache_padded<waiters_type> senders_;    // waiting for a free slot
};

}  // namespace chan

#include <chan/range.hpp>

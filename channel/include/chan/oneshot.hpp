#pragma once

// chan::oneshot<T>(): a channel for exactly one value, for request/response. The sender and the
// receiver share one heap state: the value's storage, a word of three bits (value sent, sender gone,
// receiver gone), a reference count that decides who frees the state, and a waiter list for the
// receiver. Blocking receives use the same enlist / re-check / park protocol as channel.

#include <chan/version.hpp>  // first: stops a build below C++20 with a clear message

#include <chrono>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <chan/async.hpp>
#include <chan/backend.hpp>
#include <chan/orderings.hpp>
#include <chan/recv_result.hpp>
#include <chan/status.hpp>
#include <chan/waiters.hpp>

namespace chan {

template <class T, class Backend = std_backend>
class oneshot_sender;
template <class T, class Backend = std_backend>
class oneshot_receiver;

namespace detail {

template <class T, class Backend>
struct oneshot_state {
  static_assert(std::is_nothrow_move_constructible_v<T>, "chan::oneshot: T needs a noexcept move constructor.");

  static constexpr unsigned value_sent = 1;
  static constexpr unsigned sender_gone = 2;
  static constexpr unsigned receiver_gone = 4;

  oneshot_state() = default;
  oneshot_state(const oneshot_state&) = delete;
  oneshot_state& operator=(const oneshot_state&) = delete;

  ~oneshot_state() {
    if ((state.load(order::oneshot_final) & value_sent) && !taken) value.destroy();
  }

  // Called once by each side when it is done with the state; the second call frees it.
  static void release(oneshot_state* shared) noexcept {
    if (shared->references.fetch_sub(1, order::oneshot_release) == 1) delete shared;
  }

  typename Backend::template atomic<unsigned> state{0};
  typename Backend::template atomic<unsigned> references{2};
  typename Backend::template cell<T> value;
  bool taken = false;  // touched by the receiver only (and by the destructor after oneshot_release)
  waiters<Backend> receiver;
};

}  // namespace detail

template <class T, class Backend>
class oneshot_sender {
  using state = detail::oneshot_state<T, Backend>;

public:
  oneshot_sender(oneshot_sender&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  oneshot_sender& operator=(oneshot_sender&& other) noexcept {
    if (this != &other) {
      abandon();
      shared_ = std::exchange(other.shared_, nullptr);
    }
    return *this;
  }
  oneshot_sender(const oneshot_sender&) = delete;
  oneshot_sender& operator=(const oneshot_sender&) = delete;

  // Dropping the sender unsent makes the receiver see `closed`.
  ~oneshot_sender() { abandon(); }

  // Consumes the sender. `closed` when the receiver is gone (the value is destroyed then) or when
  // this sender has already sent.
  status send(T value) {
    if (!shared_) return status::closed;
    state* shared = std::exchange(shared_, nullptr);
    shared->value.construct(std::forward_as_tuple(std::move(value)));
    const unsigned before = shared->state.fetch_or(state::value_sent | state::sender_gone, order::oneshot_send);
    const bool delivered = !(before & state::receiver_gone);
    if (delivered) shared->receiver.notify_all();
    state::release(shared);  // with the receiver gone, this destroys the value
    return delivered ? status::ok : status::closed;
  }

  // False once sent or moved from.
  explicit operator bool() const noexcept { return shared_ != nullptr; }

private:
  template <class U, class B>
  friend std::pair<oneshot_sender<U, B>, oneshot_receiver<U, B>> oneshot();
  explicit oneshot_sender(state* shared) noexcept : shared_(shared) {}

  void abandon() noexcept {
    if (!shared_) return;
    state* shared = std::exchange(shared_, nullptr);
    shared->state.fetch_or(state::sender_gone, order::oneshot_abandon);
    shared->receiver.notify_all();
    state::release(shared);
  }

  state* shared_;
};

template <class T, class Backend>
class oneshot_receiver {
  using state = detail::oneshot_state<T, Backend>;

public:
  oneshot_receiver(oneshot_receiver&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  oneshot_receiver& operator=(oneshot_receiver&& other) noexcept {
    if (this != &other) {
      hang_up();
      shared_ = std::exchange(other.shared_, nullptr);
    }
    return *this;
  }
  oneshot_receiver(const oneshot_receiver&) = delete;
  oneshot_receiver& operator=(const oneshot_receiver&) = delete;

  // Dropping the receiver makes a later send return `closed`.
  ~oneshot_receiver() { hang_up(); }

  // `closed` when the sender was dropped unsent, or when the value was already received. The
  // `T& out` receives need a noexcept move assignment (see recv_result.hpp); the ones returning
  // recv_result<T> do not.
  status try_recv(T& out) noexcept {
    detail::require_nothrow_out_assignment<T>();
    return try_take([&](T&& item) noexcept { out = std::move(item); });
  }

  status recv(T& out) {
    detail::require_nothrow_out_assignment<T>();
    return receive([&](T&& item) noexcept { out = std::move(item); }, no_deadline());
  }

  template <class Rep, class Period>
  status recv_for(T& out, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after(timeout);
    return deadline ? recv_until(out, *deadline) : recv(out);
  }

  template <class Clock, class Duration>
  status recv_until(T& out, std::chrono::time_point<Clock, Duration> deadline) {
    detail::require_nothrow_out_assignment<T>();
    return receive([&](T&& item) noexcept { out = std::move(item); }, &deadline);
  }

  // The value, or: empty | closed (try_recv), closed (recv), closed | timeout (recv_for, recv_until).
  recv_result<T> try_recv() noexcept {
    recv_result<T> received(status::empty);
    const status result =
        try_take([&](T&& item) noexcept { detail::recv_result_access::deliver(received, std::move(item)); });
    if (result != status::ok) detail::recv_result_access::fail(received, result);
    return received;
  }

  recv_result<T> recv() { return receive_result(no_deadline()); }

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
  // [resumer] [std::stop_token] as for channel's. ok | closed | cancelled, or the value.
  using backend_type = Backend;
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_recv(T& out, Options&&... options) {
    return detail::async_access::recv_into(*this, detail::async_access::oneshot_list(*this), out,
                                           std::forward<Options>(options)...);
  }
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_recv(Options&&... options) {
    return detail::async_access::recv_result<T>(*this, detail::async_access::oneshot_list(*this),
                                                std::forward<Options>(options)...);
  }
  friend struct detail::async_access;

  // False once moved from.
  explicit operator bool() const noexcept { return shared_ != nullptr; }

private:
  template <class U, class B>
  friend std::pair<oneshot_sender<U, B>, oneshot_receiver<U, B>> oneshot();
  explicit oneshot_receiver(state* shared) noexcept : shared_(shared) {}

  // ---- select.hpp's hooks: try_take and the shared state (its waiter list) --------------------
  friend struct detail::select_access;

  static constexpr const std::chrono::steady_clock::time_point* no_deadline() noexcept { return nullptr; }

  // The one place the value is taken: moved out of the shared state into `sink`, which cannot throw.
  template <class Sink>
  status try_take(Sink&& sink) noexcept {
    if (!shared_) return status::closed;
    const unsigned now = shared_->state.load(order::oneshot_check);
    if (now & state::value_sent) {
      if (shared_->taken) return status::closed;
      T item(std::move(shared_->value.get()));
      shared_->value.destroy();
      shared_->taken = true;
      sink(std::move(item));
      return status::ok;
    }
    return (now & state::sender_gone) ? status::closed : status::empty;
  }

  template <class Sink, class Deadline>
  status receive(Sink sink, const Deadline* deadline) {
    if (!shared_) return status::closed;
    // A oneshot's one look is its whole non-blocking receive: no fence, no other index.
    const auto attempt = [&]() noexcept { return try_take(sink); };
    return detail::block_on(shared_->receiver, attempt, attempt, 1, deadline);
  }

  template <class Deadline>
  recv_result<T> receive_result(const Deadline* deadline) {
    recv_result<T> received(status::empty);
    const status result =
        receive([&](T&& item) noexcept { detail::recv_result_access::deliver(received, std::move(item)); }, deadline);
    if (result != status::ok) detail::recv_result_access::fail(received, result);
    return received;
  }

  void hang_up() noexcept {
    if (!shared_) return;
    state* shared = std::exchange(shared_, nullptr);
    shared->state.fetch_or(state::receiver_gone, order::oneshot_hangup);
    state::release(shared);
  }

  state* shared_;
};

template <class T, class Backend = std_backend>
std::pair<oneshot_sender<T, Backend>, oneshot_receiver<T, Backend>> oneshot() {
  auto* shared = new detail::oneshot_state<T, Backend>();
  return {oneshot_sender<T, Backend>(shared), oneshot_receiver<T, Backend>(shared)};
}

}  // namespace chan

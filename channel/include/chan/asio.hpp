#pragma once

// chan for asio (standalone asio 1.22 or later, header <asio.hpp>): a send and a receive that take
// any asio completion token (asio::use_awaitable, a callback, asio::use_future, asio::deferred, ...).
//
//   chan::asio::async_send(ch, value, token)   completes with void(chan::status, std::optional<T>):
//                                              ok and nullopt, or closed | cancelled and the value
//   chan::asio::async_recv(ch, token)          completes with void(chan::recv_result<T>)
//
// Built on async.hpp's callback level: the operation waits in the channel's waiter lists like any
// other waiter. The handler runs on its associated executor (posted there, never inline in the
// initiating call or on the notifier's thread), which is kept busy (outstanding work) until then.
// The handler's associated cancellation slot is honoured for every cancellation type: a cancelled
// operation has had no effect. A cancelled receive took nothing. A send owns its value from the
// initiating call on, as asio's operations own their arguments (so a deferred send or a temporary
// is safe), and when it does not succeed, closed or cancelled, it hands the value back as the
// completion's second argument: nothing is dropped (SPEC 1b, "a cancelled send left its value with
// the caller"). Only this header depends on asio; include it only where asio is installed.

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <chan/async.hpp>
#include <chan/channel.hpp>

namespace chan::asio {

namespace detail {

using chan::detail::async_access;
using chan::detail::async_operation;
using chan::detail::single_arm;

// An operation that has to wait, with its handler, on the heap. It owns itself while it waits (`keep`); the
// cancellation slot holds only a weak reference, so a late cancellation finds nothing to cancel.
template <class Backend, class Attempt, class Handler, class Result>
struct pending : std::enable_shared_from_this<pending<Backend, Attempt, Handler, Result>> {
  using executor_type = ::asio::associated_executor_t<Handler>;
  using work_type = std::decay_t<decltype(::asio::prefer(std::declval<executor_type>(),
                                                         ::asio::execution::outstanding_work.tracked))>;

  template <class MakeAttempt>
  pending(Handler&& h, chan::detail::waiters<Backend>* list, MakeAttempt make)
      : handler(std::move(h)),
        work(::asio::prefer(::asio::get_associated_executor(handler), ::asio::execution::outstanding_work.tracked)),
        op(&completed, this, list, make(*this)) {}

  // After a first attempt (the initiation's) that did not complete: waits.
  void wait() {
    auto slot = ::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) {
      std::weak_ptr<pending> weak = this->shared_from_this();
      slot.assign([weak](::asio::cancellation_type type) {
        if (type == ::asio::cancellation_type::none) return;
        if (auto self = weak.lock()) self->op.cancel();
      });
    }
    keep = this->shared_from_this();
    if (!op.start()) return;  // pending: `completed` runs once, perhaps already on another thread
    keep.reset();
    finish(op.outcome().result);
  }

  static void completed(void* self) noexcept {
    auto& me = *static_cast<pending*>(self);
    std::shared_ptr<pending> owned = std::move(me.keep);
    owned->finish(owned->op.outcome().result);
  }

  void finish(status answer) {
    answered = answer;
    auto executor = work;
    ::asio::post(executor, [self = this->shared_from_this()]() mutable { self->deliver(); });
  }

  // On the handler's executor.
  void deliver() {
    auto slot = ::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.clear();
    Handler h = std::move(handler);
    if constexpr (std::is_same_v<Result, status>) {
      // The channel moved from the value only on ok; otherwise it goes back whole.
      if (answered == status::ok) value.reset();
      std::move(h)(answered, std::move(value));
    } else {
      if (answered != status::ok) result.emplace(answered);
      std::move(h)(std::move(*result));
    }
  }

  using result_storage =
      std::conditional_t<std::is_same_v<Result, status>, std::optional<status>, std::optional<Result>>;

  Handler handler;
  work_type work;
  result_storage result;                                // the received item (receives only)
  std::optional<typename Attempt::value_holder> value;  // the value to send, or to hand back (sends only)
  std::shared_ptr<pending> keep;
  status answered = status::empty;
  // Last: its attempt refers to `result` or `value`, set up by the constructor's `make`.
  async_operation<Backend, single_arm<Backend, Attempt>> op;
};

template <class Channel>
struct owned_send_attempt {
  using value_holder = typename Channel::value_type;
  Channel* ch;
  value_holder* value;
  status operator()(chan::detail::arm_patience patience) const noexcept {
    return async_access::send_step(*ch, *value, patience);
  }
};

template <class Channel>
struct result_recv_attempt {
  using value_holder = int;  // unused
  using T = typename Channel::value_type;
  Channel* ch;
  std::optional<recv_result<T>>* into;
  status operator()(chan::detail::arm_patience patience) const noexcept {
    auto* target = into;
    return async_access::take(
        *ch, [target](T&& item) noexcept { target->emplace(std::in_place, std::move(item)); }, patience);
  }
};

// An operation that completes in its first attempt needs no pending state: its handler is posted to
// its associated executor with the answer (asio::post keeps that executor busy until it runs).
template <class Handler, class... Args>
void post_now(Handler&& handler, Args&&... args) {
  auto executor = ::asio::get_associated_executor(handler);
  ::asio::post(executor, [h = std::forward<Handler>(handler), ... answer = std::forward<Args>(args)]() mutable {
    std::move(h)(std::move(answer)...);
  });
}

template <class Channel>
struct initiate_send {
  template <class Handler>
  void operator()(Handler&& handler, Channel* ch, typename Channel::value_type value) const {
    using Backend = typename Channel::backend_type;
    using T = typename Channel::value_type;
    // The attempt moves from the value only on ok. As every waiting look, it gives up on a receiver
    // stuck mid-way on the slot it needs rather than hold the initiating thread (async.hpp).
    const status first = owned_send_attempt<Channel>{ch, &value}(chan::detail::arm_patience::give_up);
    if (first == status::ok) return post_now(std::forward<Handler>(handler), first, std::optional<T>());
    if (first == status::closed) {
      return post_now(std::forward<Handler>(handler), first, std::optional<T>(std::move(value)));
    }
    using state = pending<Backend, owned_send_attempt<Channel>, std::decay_t<Handler>, status>;
    auto op = std::make_shared<state>(std::forward<Handler>(handler), async_access::senders(*ch), [&](state& self) {
      self.value.emplace(std::move(value));
      return owned_send_attempt<Channel>{ch, &*self.value};
    });
    op->wait();
  }
};

template <class Channel>
struct initiate_recv {
  template <class Handler>
  void operator()(Handler&& handler, Channel* ch) const {
    using Backend = typename Channel::backend_type;
    using T = typename Channel::value_type;
    // As every waiting look, it gives up on a sender stuck mid-way on the item it needs rather than
    // hold the initiating thread (async.hpp).
    std::optional<recv_result<T>> item;
    const status first = result_recv_attempt<Channel>{ch, &item}(chan::detail::arm_patience::give_up);
    if (first == status::ok) return post_now(std::forward<Handler>(handler), std::move(*item));
    if (first == status::closed) return post_now(std::forward<Handler>(handler), recv_result<T>(status::closed));
    using state = pending<Backend, result_recv_attempt<Channel>, std::decay_t<Handler>, recv_result<T>>;
    auto op = std::make_shared<state>(std::forward<Handler>(handler), async_access::receivers(*ch), [&](state& self) {
      return result_recv_attempt<Channel>{ch, &self.result};
    });
    op->wait();
  }
};

}  // namespace detail

// Completes with void(chan::status, std::optional<T>): ok with nullopt (the value is in the
// channel), or closed | cancelled with the value handed back. With asio::use_awaitable:
//   auto [sent, back] = co_await chan::asio::async_send(ch, std::move(v), asio::use_awaitable);
// The value is moved (or copied, from an lvalue) into the operation when it is initiated.
template <class T, class A, class B, class CompletionToken>
auto async_send(channel<T, A, B>& ch, std::type_identity_t<T> value, CompletionToken&& token) {
  return ::asio::async_initiate<CompletionToken, void(status, std::optional<T>)>(
      detail::initiate_send<channel<T, A, B>>{}, token, &ch, std::move(value));
}

// Completes with void(chan::recv_result<T>): the item, or closed | cancelled.
template <class T, class A, class B, class CompletionToken>
auto async_recv(channel<T, A, B>& ch, CompletionToken&& token) {
  return ::asio::async_initiate<CompletionToken, void(recv_result<T>)>(detail::initiate_recv<channel<T, A, B>>{}, token,
                                                                       &ch);
}

}  // namespace chan::asio

#pragma once

// The awaitables of bounded_queue's async_push, async_emplace and async_pop (conqueue.hpp).
//
// They are channel's awaitables (async.hpp) answering in P0260R20's terms: the proposal's senders
// complete with a value, with an error for a closed queue, or stopped; awaited in a coroutine, the
// error and the stop become `false` for a push and `nullopt` for a pop. So a push gives bool (true:
// in the queue; false: closed or cancelled, the value still the caller's) and a pop gives
// std::optional<T> (nullopt: closed and empty, or cancelled, nothing taken). Suspension, resumption,
// the resumer and cancellation are async.hpp's, unchanged: nothing here touches an atomic.
//
// async_emplace's own arguments and its options share one parameter pack: the trailing arguments
// that are a resumer and then a std::stop_token (async.hpp's async_option_list) are the options,
// and the ones before them construct the element.

#include <chan/version.hpp>  // first: stops a build below C++20 with a clear message

#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <chan/async.hpp>
#include <chan/recv_result.hpp>
#include <chan/status.hpp>

namespace chan::detail {

// async_push(T&&): the value is moved into the queue only when the push succeeds.
template <class Channel, class Options>
class push_awaiter : public send_awaiter<Channel, Options> {
public:
  using send_awaiter<Channel, Options>::send_awaiter;
  bool await_resume() const noexcept { return this->result_ == status::ok; }
};

// async_push(const T&): copied straight into a free slot, or copied once into the awaiter to wait.
template <class Channel, class Options>
class push_copy_awaiter : public send_copy_awaiter<Channel, Options> {
public:
  using send_copy_awaiter<Channel, Options>::send_copy_awaiter;
  bool await_resume() const noexcept { return this->result_ == status::ok; }
};

template <class Source, class T, class Options>
class pop_awaiter : public recv_result_awaiter<Source, T, Options> {
  using base = recv_result_awaiter<Source, T, Options>;

public:
  using base::base;
  std::optional<T> await_resume() noexcept {
    recv_result<T> got = base::await_resume();
    if (!got) return std::nullopt;
    return std::optional<T>(std::in_place, *std::move(got));
  }
};

template <class T, class ArgsTuple>
struct nothrow_from_tuple;
template <class T, class... Args>
struct nothrow_from_tuple<T, std::tuple<Args...>> : std::is_nothrow_constructible<T, Args...> {};

template <class T, class ArgsTuple>
struct constructible_from_tuple;
template <class T, class... Args>
struct constructible_from_tuple<T, std::tuple<Args...>> : std::is_constructible<T, Args...> {};

// async_emplace(args...). As bounded_queue::emplace: when T's constructor cannot throw, the element
// is built in a free slot (a full queue leaves the arguments untouched); otherwise, or when the
// queue is full, it is built once in the awaiter and then sent by moves. A constructor that throws
// leaves the queue as it was and nothing enlisted; the exception leaves the co_await.
template <class Channel, class Options, class ArgsTuple>
class emplace_awaiter : public single_awaiter<typename Channel::backend_type, send_attempt<Channel>, Options> {
  using base = single_awaiter<typename Channel::backend_type, send_attempt<Channel>, Options>;
  using T = typename Channel::value_type;

public:
  emplace_awaiter(waiters<typename Channel::backend_type>* list, Channel* ch, ArgsTuple args, Options options)
      : base(list, send_attempt<Channel>{ch, nullptr}, std::move(options)), args_(std::move(args)) {}

  bool await_ready() {
    if (base::await_ready_stop()) return true;
    Channel& ch = *this->attempt().ch;
    if constexpr (nothrow_from_tuple<T, ArgsTuple>::value) {
      this->result_ =
          std::apply([&ch](auto&&... args) noexcept { return ch.try_emplace(std::forward<decltype(args)>(args)...); },
                     std::move(args_));
      if (is_final(this->result_)) return true;
      // full: the slot is claimed before the element is built, so the arguments are untouched.
    }
    std::apply([this](auto&&... args) { built_.emplace(std::forward<decltype(args)>(args)...); }, std::move(args_));
    this->attempt().value = &*built_;
    if constexpr (!nothrow_from_tuple<T, ArgsTuple>::value) {
      this->result_ = this->attempt()(arm_patience::give_up);
      if (is_final(this->result_)) return true;
    }
    return false;
  }
  bool await_resume() const noexcept { return this->result_ == status::ok; }

private:
  ArgsTuple args_;  // references to the arguments, which live until the end of the co_await
  std::optional<T> built_;
};

// How many of async_emplace's trailing arguments are options: [resumer] [std::stop_token].
template <class... Args>
constexpr std::size_t trailing_async_options() noexcept {
  constexpr std::size_t n = sizeof...(Args);
  if constexpr (n == 0) {
    return 0;
  } else {
    using all = std::tuple<Args...>;
    using last = std::tuple_element_t<n - 1, all>;
    if constexpr (is_stop_token_v<last>) {
      if constexpr (n >= 2) {
        return async_resumer<std::tuple_element_t<n - 2, all>> ? 2 : 1;
      } else {
        return 1;
      }
    } else {
      return async_resumer<last> ? 1 : 0;
    }
  }
}

template <class Channel, class All, std::size_t... Arg, std::size_t... Option>
auto make_emplace_awaiter(Channel& ch, All&& all, std::index_sequence<Arg...>, std::index_sequence<Option...>) {
  constexpr std::size_t first_option = sizeof...(Arg);
  using args_tuple = std::tuple<std::tuple_element_t<Arg, std::remove_reference_t<All>>...>;
  using options = async_options_t<std::tuple_element_t<first_option + Option, std::remove_reference_t<All>>...>;
  static_assert(constructible_from_tuple<typename Channel::value_type, args_tuple>::value,
                "chan::bounded_queue::async_emplace: the element type is not constructible from these arguments "
                "(a trailing resumer and std::stop_token are the await's options, not constructor arguments)");
  return emplace_awaiter<Channel, options, args_tuple>(
      async_access::senders(ch), &ch, args_tuple(std::get<Arg>(std::move(all))...),
      make_async_options(std::get<first_option + Option>(std::move(all))...));
}

}  // namespace chan::detail

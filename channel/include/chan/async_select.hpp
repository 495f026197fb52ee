#pragma once

// chan::async_select (SPEC section 1b): a select that a coroutine awaits, over select.hpp's arms and
// async.hpp's operation. The first scan runs in await_ready exactly as select's does (random order,
// or argument order with `biased`), so a ready arm completes without suspending; otherwise the
// operation enlists one entry per arm, all pointing at one owner, and a notifier on any of the
// channels claims it once and runs the arms again on its own thread. A peer stuck mid-way on one
// arm's channel holds neither the scan nor that notifier (async.hpp).
//
//   co_await chan::async_select([resume,] [stop,] [chan::biased,] arms...)  -> chan::selected
//   a stop request before an arm fires gives {chan::no_arm, chan::status::cancelled}.

#include <coroutine>
#include <cstddef>
#include <stop_token>
#include <type_traits>
#include <utility>

#include <chan/async.hpp>
#include <chan/select.hpp>

namespace chan {
namespace detail {

template <class... Arms>
concept select_arm_list = sizeof...(Arms) > 0 && (is_typed_arm<std::remove_cvref_t<Arms>>::value && ...);

// The Arms interface over a fixed number of select arms, their entries and a scan order.
template <class Backend, std::size_t Count>
class select_arms {
public:
  template <class... Arms>
  explicit select_arms(bool biased, Arms&&... given) noexcept : arms_{given.erase()...} {
    for (std::size_t i = 0; i < Count; ++i) order_[i] = i;
    if (!biased) {
      for (std::size_t i = Count; i > 1; --i) std::swap(order_[i - 1], order_[random_below<Backend>(i)]);
    }
  }
  static constexpr std::size_t size() noexcept { return Count; }
  std::size_t at(std::size_t position) const noexcept { return order_[position]; }
  status fire(std::size_t index, arm_patience patience) noexcept {
    return arms_[index].fire(arms_[index].target, arms_[index].slot, patience);
  }
  waiters<Backend>* list(std::size_t index) noexcept { return arms_[index].list; }
  waiter_entry<Backend>& entry(std::size_t index) noexcept { return entries_[index]; }

private:
  arm<Backend> arms_[Count];
  waiter_entry<Backend> entries_[Count];
  std::size_t order_[Count];
};

template <class Backend, std::size_t Count, class Options>
class select_awaiter {
public:
  template <class... Arms>
  select_awaiter(Options options, bool biased, Arms&&... given)
      : op_(&completed, this, biased, std::forward<Arms>(given)...), options_(std::move(options)) {}
  select_awaiter(const select_awaiter&) = delete;
  select_awaiter& operator=(const select_awaiter&) = delete;

  bool await_ready() noexcept {
    if (options_.stop.stop_requested()) {
      result_ = {no_arm, status::cancelled};
      return true;
    }
    // As a blocking select's first scan: a peer stuck mid-way on one arm does not hold the others.
    const fired first = op_.look(arm_patience::give_up);
    result_ = to_selected(first);
    return first.arm != fired::none;
  }

  bool await_suspend(std::coroutine_handle<> handle) noexcept {
    handle_ = handle;
    if (!op_.start(std::move(options_.stop))) return true;  // from here on the frame may be gone
    result_ = to_selected(op_.outcome());
    return false;
  }

  // The arm that fired and ok | closed, or {no_arm, cancelled}.
  selected await_resume() const noexcept { return result_; }

private:
  static void completed(void* self) noexcept {
    auto& awaiter = *static_cast<select_awaiter*>(self);
    awaiter.result_ = to_selected(awaiter.op_.outcome());
    auto resume = std::move(awaiter.options_.resume);  // resuming may end the frame that holds it
    const std::coroutine_handle<> handle = awaiter.handle_;
    resume(handle);
  }

  async_operation<Backend, select_arms<Backend, Count>> op_;
  Options options_;
  std::coroutine_handle<> handle_;
  selected result_{no_arm, status::empty};
};

template <class Options, class... Arms>
auto make_async_select(Options options, bool biased, Arms&&... arms) {
  check_arms<Arms...>();
  return select_awaiter<backend_of<Arms...>, sizeof...(Arms), Options>(std::move(options), biased,
                                                                       std::forward<Arms>(arms)...);
}

}  // namespace detail

template <class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(), false, std::forward<Arms>(arms)...);
}
template <class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(biased_t, Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(), true, std::forward<Arms>(arms)...);
}
template <class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(std::stop_token stop, Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(std::move(stop)), false, std::forward<Arms>(arms)...);
}
template <class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(std::stop_token stop, biased_t, Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(std::move(stop)), true, std::forward<Arms>(arms)...);
}
template <detail::async_resumer Resumer, class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(Resumer&& resume, Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(std::forward<Resumer>(resume)), false,
                                   std::forward<Arms>(arms)...);
}
template <detail::async_resumer Resumer, class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(Resumer&& resume, biased_t, Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(std::forward<Resumer>(resume)), true,
                                   std::forward<Arms>(arms)...);
}
template <detail::async_resumer Resumer, class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(Resumer&& resume, std::stop_token stop, Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(std::forward<Resumer>(resume), std::move(stop)), false,
                                   std::forward<Arms>(arms)...);
}
template <detail::async_resumer Resumer, class... Arms>
requires detail::select_arm_list<Arms...>
auto async_select(Resumer&& resume, std::stop_token stop, biased_t, Arms&&... arms) {
  return detail::make_async_select(detail::make_async_options(std::forward<Resumer>(resume), std::move(stop)), true,
                                   std::forward<Arms>(arms)...);
}

}  // namespace chan

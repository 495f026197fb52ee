#pragma once

// chan::recv_result<T>: what a receive that returns its item gives back, the item or the status that
// says why there is none (crossbeam's Result, P0260's expected). These receives construct the item
// in place and never assign, so they work for every T, including one without a default constructor
// or a noexcept move assignment.

#include <optional>
#include <type_traits>
#include <utility>

#include <chan/status.hpp>

namespace chan {

namespace detail {
struct recv_result_access;

// The receives that assign into a caller's `T& out` move the item out of a slot the ring has already
// freed; an assignment that throws there would lose the item for good.
template <class T>
constexpr void require_nothrow_out_assignment() noexcept {
  static_assert(std::is_nothrow_move_assignable_v<T>,
                "chan: a receive into `T& out` needs a noexcept move assignment: a throw there would lose an "
                "item that the lock-free ring cannot take back. Use the receives that return "
                "chan::recv_result<T> (try_recv(), recv_for(timeout), recv_until(deadline)) or recv() "
                "(std::optional<T>): they construct the item in place and never assign.");
}
}  // namespace detail

template <class T>
class [[nodiscard]] recv_result {
public:
  // A result without an item: `empty`, `closed`, `timeout` or `cancelled`.
  recv_result(status why) noexcept : result_(why) {}  // NOLINT(google-explicit-constructor): `return status::closed;`
  template <class... Args>
  explicit recv_result(std::in_place_t, Args&&... args) : item_(std::in_place, std::forward<Args>(args)...) {}

  status result() const noexcept { return result_; }
  explicit operator bool() const noexcept { return result_ == status::ok; }

  // Precondition for all of these: result() == status::ok.
  T& operator*() & noexcept { return *item_; }
  const T& operator*() const& noexcept { return *item_; }
  T&& operator*() && noexcept { return std::move(*item_); }
  T* operator->() noexcept { return &*item_; }
  const T* operator->() const noexcept { return &*item_; }

private:
  friend struct detail::recv_result_access;
  std::optional<T> item_;
  status result_ = status::ok;
};

namespace detail {
struct recv_result_access {
  template <class T>
  static void deliver(recv_result<T>& into, T&& item) noexcept {
    into.item_.emplace(std::move(item));
    into.result_ = status::ok;
  }
  template <class T>
  static void fail(recv_result<T>& into, status why) noexcept {
    into.result_ = why;
  }
};
}  // namespace detail

}  // namespace chan

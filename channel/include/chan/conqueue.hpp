#pragma once

// chan::bounded_queue<T, Allocator>: the concurrent bounded queue that P0260R20 ("C++ Concurrent
// Queues") proposes for the standard library, with its names and results, as a thin layer over
// chan::channel. Code written against the proposal's std::bounded_queue can use
// chan by changing the namespace. The translation is one-to-one:
//
//   bounded_queue            channel
//   push / emplace -> bool   send (blocking)          true for ok, false for closed
//   try_push / try_emplace   try_send / try_emplace   conqueue_status: success | full | closed
//   pop -> optional<T>       recv()                   nullopt only when closed and drained
//   try_pop                  try_recv                 success | empty | closed
//   co_await async_push /    co_await async_send      bool: true for ok, false for closed or cancelled
//            async_emplace
//   co_await async_pop       co_await async_recv()    optional<T>: nullopt for closed and drained, or
//                                                     cancelled
//
// So every promise of docs/contract.md holds here as well: exact capacity, per-producer FIFO,
// exactly-once delivery, a linearizable close after which every push fails and pops drain what is
// left, and a failed try_push or a push into a closed queue leaves its argument with the caller.
// The async members are awaitables for any coroutine (conqueue_async.hpp), as channel's: an await
// that can complete at once does not suspend, each takes an optional resumer and std::stop_token
// after its own arguments, and a cancelled one has done nothing (a cancelled push leaves its value
// with the caller, a cancelled pop took nothing).
// chan never answers `busy` (a try call takes no lock, so it never waits for one) or `busy_async`;
// both are there so that code switching on the proposal's status compiles.

#include <chan/version.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <version>

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#include <expected>
// Defined when bounded_queue has the std::expected form of try_pop().
#define CHAN_CONQUEUE_HAS_EXPECTED 1
#endif

#include <chan/async.hpp>
#include <chan/channel.hpp>
#include <chan/conqueue_async.hpp>
#include <chan/recv_result.hpp>
#include <chan/status.hpp>

namespace chan {

// P0260R20's status of a queue operation.
enum class conqueue_status { success, empty, full, closed, busy, busy_async };

constexpr const char* to_string(conqueue_status s) noexcept {
  switch (s) {
    case conqueue_status::success:
      return "success";
    case conqueue_status::empty:
      return "empty";
    case conqueue_status::full:
      return "full";
    case conqueue_status::closed:
      return "closed";
    case conqueue_status::busy:
      return "busy";
    case conqueue_status::busy_async:
      return "busy_async";
  }
  return "unknown";
}

template <class T, class Allocator = std::allocator<T>>
class bounded_queue {
  using channel_type = channel<T, Allocator>;

public:
  using value_type = T;
  using allocator_type = Allocator;

  // Holds exactly max_elems elements. 0 throws std::invalid_argument, a size whose storage would
  // overflow std::length_error (as channel).
  explicit bounded_queue(std::size_t max_elems, const Allocator& allocator = Allocator())
      : channel_(max_elems, allocator), allocator_(allocator) {}

  bounded_queue(const bounded_queue&) = delete;
  bounded_queue& operator=(const bounded_queue&) = delete;

  // Destroys every element still in the queue. No thread may be using it any more.
  ~bounded_queue() = default;

  // Every push that comes after it returns false; pops drain what is left, then return nullopt.
  // Wakes every blocked push and pop. Closing twice is harmless.
  void close() noexcept { static_cast<void>(channel_.close()); }
  bool is_closed() const noexcept { return channel_.is_closed(); }

  // ---- waiting: block while full ---------------------------------------------------------------

  // false when the queue is closed; `value` is then left as it was.
  bool push(const T& value) { return channel_.send(value) == status::ok; }
  bool push(T&& value) { return channel_.send(std::move(value)) == status::ok; }

  // Constructs the element in its slot when there is room at once; otherwise builds it once and
  // waits with it. false when the queue is closed.
  template <class... Args>
  bool emplace(Args&&... args) {
    if constexpr (std::is_nothrow_constructible_v<T, Args&&...>) {
      const status first = channel_.try_emplace(std::forward<Args>(args)...);
      if (first != status::full) return first == status::ok;
      // `full`: the channel claims a slot before it constructs, so `args` were not touched yet.
    }
    return channel_.send(T(std::forward<Args>(args)...)) == status::ok;
  }

  // ---- not waiting ---------------------------------------------------------------------------

  // success | full | closed; on full or closed `value` is left as it was.
  conqueue_status try_push(const T& value) { return from(channel_.try_send(value)); }
  conqueue_status try_push(T&& value) { return from(channel_.try_send(std::move(value))); }
  template <class... Args>
  conqueue_status try_emplace(Args&&... args) {
    return from(channel_.try_emplace(std::forward<Args>(args)...));
  }

  // ---- popping -------------------------------------------------------------------------------

  // Blocks while the queue is empty and open; nullopt only when it is closed and empty.
  std::optional<T> pop() { return channel_.recv(); }

  // success | empty | closed (closed only when closed and empty); `out` is assigned only on success.
  conqueue_status try_pop(T& out) {
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "chan::bounded_queue::try_pop(T&) needs a noexcept move assignment: the element has already "
                  "left the queue when it is assigned to `out`, so a throw there would lose it. Use pop(), or "
                  "try_pop() returning std::expected (C++23), which construct the element instead.");
    return from(channel_.try_recv(out));
  }

#if defined(CHAN_CONQUEUE_HAS_EXPECTED)
  // The element, or why there is none: empty | closed (closed only when closed and empty). Built
  // from channel's item-returning try_recv(), so it works for every T.
  std::expected<T, conqueue_status> try_pop() {
    recv_result<T> received = channel_.try_recv();
    if (received) return std::expected<T, conqueue_status>(std::in_place, *std::move(received));
    return std::unexpected(from(received.result()));
  }
#endif

  // ---- async (conqueue_async.hpp): awaitables for any coroutine, SPEC section 1c ---------------
  // Each takes, after its own arguments, an optional resumer (called once to resume the coroutine,
  // instead of resuming it inline) and an optional std::stop_token, in that order. The awaitable
  // refers to the value or arguments: co_await it in the expression that names them.

  // true when pushed; false when the queue is closed or the stop token was triggered first, and
  // `value` is then left as it was.
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_push(T&& value, Options&&... options) {
    return detail::push_awaiter<channel_type, detail::async_options_t<Options...>>(
        detail::async_access::senders(channel_), detail::send_attempt<channel_type>{&channel_, &value},
        detail::make_async_options(std::forward<Options>(options)...));
  }
  // Copies into a free slot, or, when it has to wait, copies once and waits with the copy.
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_push(const T& value, Options&&... options) {
    return detail::push_copy_awaiter<channel_type, detail::async_options_t<Options...>>(
        detail::async_access::senders(channel_), &channel_, &value,
        detail::make_async_options(std::forward<Options>(options)...));
  }

  // async_emplace(args..., [resumer], [stop_token]): true when pushed, false when closed or
  // cancelled. As emplace: built in its slot when there is room at once (a full queue leaves the
  // arguments untouched), otherwise built once and waited with; a closed or cancelled wait then
  // destroys that element, having constructed it from the arguments.
  template <class... Args>
  auto async_emplace(Args&&... args) {
    constexpr std::size_t options = detail::trailing_async_options<Args...>();
    return detail::make_emplace_awaiter(channel_, std::forward_as_tuple(std::forward<Args>(args)...),
                                        std::make_index_sequence<sizeof...(Args) - options>(),
                                        std::make_index_sequence<options>());
  }

  // The element; nullopt when the queue is closed and empty, or the stop token was triggered first
  // (then nothing was taken). Needs neither a default constructor nor an assignment.
  template <class... Options>
  requires detail::async_option_list<Options...>
  auto async_pop(Options&&... options) {
    return detail::pop_awaiter<channel_type, T, detail::async_options_t<Options...>>(
        detail::async_access::receivers(channel_), &channel_,
        detail::make_async_options(std::forward<Options>(options)...));
  }

  allocator_type get_allocator() const { return allocator_; }

private:
  static constexpr conqueue_status from(status s) noexcept {
    switch (s) {
      case status::ok:
        return conqueue_status::success;
      case status::empty:
        return conqueue_status::empty;
      case status::full:
        return conqueue_status::full;
      default:  // closed; a try call answers nothing else
        return conqueue_status::closed;
    }
  }

  channel_type channel_;
  [[no_unique_address]] Allocator allocator_;  // channel keeps its own, rebound to its slots
};

}  // namespace chan

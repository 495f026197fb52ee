#pragma once

// chan::select: wait on several channels at once (SPEC section 1a), after crossbeam-channel's
// select.rs: try the arms in a random order, and if none is ready, enlist one waiter entry per arm,
// all pointing at one owner, re-check, park, and re-run the arms when woken. A notifier claims the
// owner with one CAS (waiters.hpp), so a select enlisted on many channels is woken once. The ring
// stays the one source of truth: an arm fires only by performing its own non-blocking operation, so
// a losing arm never takes or gives anything.
//
// Everything lives on the caller's stack: the arms, one waiter entry per arm, the scan order. The
// run-time `selector` keeps its arms in a fixed inline buffer of `Capacity` arms (32 by default);
// adding more throws std::length_error. Nothing allocates.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include <chan/backend.hpp>
#include <chan/channel.hpp>
#include <chan/oneshot.hpp>
#include <chan/status.hpp>
#include <chan/waiters.hpp>

namespace chan {

inline constexpr std::size_t no_arm = static_cast<std::size_t>(-1);

struct selected {
  std::size_t index;  // the arm that fired, counted from 0 in argument order; no_arm if none did
  status result;      // ok | closed when an arm fired; empty (try_select: no arm ready) | timeout
  explicit operator bool() const noexcept { return index != no_arm; }
};

struct biased_t {};
inline constexpr biased_t biased{};

namespace detail {

// One arm, type-erased: its operation and the list it waits in. Building one does nothing.
template <class Backend>
struct arm {
  using fire_fn = status (*)(void* target, void* slot, arm_patience patience);
  void* target;
  void* slot;
  fire_fn fire;
  waiters<Backend>* list;  // null only for an arm that is always ready (a moved-from oneshot receiver)
  bool batches;            // a channel with room for a batch (backoff.hpp); a oneshot has none
};

struct select_access {
  template <class Channel>
  static auto& receivers(Channel& ch) noexcept {
    return ch.receivers_.value;
  }
  template <class Channel>
  static auto& senders(Channel& ch) noexcept {
    return ch.senders_.value;
  }
  // The plain non-blocking call is inlined, so that a try_select costs what the single calls cost
  // (callgrind, bench/instructions_select.cpp); the other kinds are out of line.
  template <class Channel, class Sink>
  static status take(Channel& ch, Sink&& sink, arm_patience patience) {
    if (patience == arm_patience::now) [[likely]] {
      return ch.template try_take<recv_look::now>(sink);
    }
    return take_patiently(ch, sink, patience);
  }
  // Moves from `value` only on ok. A send has no answer sooner than waiting a peer out: `now` is
  // try_send.
  template <class Channel>
  static status send(Channel& ch, typename Channel::value_type& value, arm_patience patience) {
    if (patience == arm_patience::now) [[likely]] {
      return ch.try_send(std::move(value));
    }
    return send_patiently(ch, value, patience);
  }
  template <class Channel, class Sink>
  [[gnu::noinline]] static status take_patiently(Channel& ch, Sink& sink, arm_patience patience) {
    return ch.take_with(sink, patience);
  }
  template <class Channel>
  [[gnu::noinline]] static status send_patiently(Channel& ch, typename Channel::value_type& value,
                                                 arm_patience patience) {
    return ch.send_with(value, patience);
  }
  template <class T, class A, class B>
  static bool batches(const channel<T, A, B>& ch) noexcept {
    return ch.capacity() >= batch_capacity;
  }
  template <class T, class B>
  static bool batches(const oneshot_receiver<T, B>&) noexcept {
    return false;
  }

  template <class Receiver>
  static auto* oneshot_list(Receiver& rx) noexcept {
    return rx.shared_ ? &rx.shared_->receiver : nullptr;
  }
  template <class Receiver, class Sink>
  static status oneshot_take(Receiver& rx, Sink&& sink) noexcept {
    return rx.try_take(sink);
  }
};

template <class Channel>
status fire_recv(void* target, void* slot, arm_patience patience) {
  using T = typename Channel::value_type;
  auto& ch = *static_cast<Channel*>(target);
  auto& out = *static_cast<T*>(slot);
  // try_recv itself rather than take(): callgrind counts 9 more instructions per unbiased select with
  // take's inlined copy (bench/instructions_select.cpp).
  if (patience == arm_patience::now) [[likely]] {
    return ch.try_recv(out);
  }
  auto sink = [&out](T&& item) noexcept { out = std::move(item); };
  return select_access::take_patiently(ch, sink, patience);
}

template <class Channel>
status fire_recv_emplace(void* target, void* slot, arm_patience patience) {
  using T = typename Channel::value_type;
  return select_access::take(
      *static_cast<Channel*>(target),
      [slot](T&& item) noexcept { static_cast<std::optional<T>*>(slot)->emplace(std::move(item)); }, patience);
}

template <class Channel>
status fire_send(void* target, void* slot, arm_patience patience) {
  return select_access::send(*static_cast<Channel*>(target), *static_cast<typename Channel::value_type*>(slot),
                             patience);
}

// A oneshot has no peer mid-way to wait behind: `patience` changes nothing.
template <class T, class Receiver>
status fire_oneshot(void* target, void* slot, arm_patience) {
  return select_access::oneshot_take(*static_cast<Receiver*>(target),
                                     [slot](T&& item) noexcept { *static_cast<T*>(slot) = std::move(item); });
}

template <class T, class Receiver>
status fire_oneshot_emplace(void* target, void* slot, arm_patience) {
  return select_access::oneshot_take(*static_cast<Receiver*>(target), [slot](T&& item) noexcept {
    static_cast<std::optional<T>*>(slot)->emplace(std::move(item));
  });
}

template <class T>
constexpr void require_assignable_out() {
  static_assert(std::is_nothrow_move_assignable_v<T>,
                "chan::recv(ch, T& out) assigns the item into `out` after taking it from the channel, where a "
                "throw would lose it: T needs a noexcept move assignment. Use chan::recv(ch, std::optional<T>&), "
                "which emplaces and works for every T.");
}

// A random index below `bound` for the fair scan order: the backend's, if it has one (a model
// checker's choice, so it explores every order), else a per-thread xorshift generator.
template <class Backend>
std::size_t random_below(std::size_t bound) noexcept {
  if constexpr (requires { Backend::select_random(bound); }) {
    return Backend::select_random(bound);
  } else {
    // A Weyl sequence through part of splitmix64's finaliser (one multiply): a handful of instructions,
    // and its high bits are mixed, so successive picks are not the Weyl sequence's regular pattern.
    thread_local std::uint64_t state = 0x853C49E6748FEA9Bull;
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t mixed = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9ull;
    mixed ^= mixed >> 31;
    return static_cast<std::size_t>(((mixed >> 32) * static_cast<std::uint32_t>(bound)) >> 32);
  }
}

enum class select_mode : unsigned char { try_once, block };

// What the scans of a select of `mode` do about a peer stuck mid-way (arm_patience): the first scans
// and the back-off's give up on it; the scans that may lead to a park (after enlisting, after a wake)
// prove the give-up first.
inline arm_patience scan_patience(select_mode mode) noexcept {
  return mode == select_mode::block ? arm_patience::give_up : arm_patience::now;
}

// The Arms interface of waiters.hpp over arms, entries and a scan order held by the caller.
template <class Backend>
class arm_set {
public:
  arm_set(arm<Backend>* arms, waiter_entry<Backend>* entries, std::size_t* order, std::size_t count, bool biased,
          select_mode mode) noexcept
      : arms_(arms), entries_(entries), order_(order), count_(count), mode_(mode) {
    for (std::size_t i = 0; i < count_; ++i) order_[i] = i;
    if (!biased) {
      // Fisher-Yates: every ready arm is equally likely to be the first one scanned.
      for (std::size_t i = count_; i > 1; --i) std::swap(order_[i - 1], order_[random_below<Backend>(i)]);
    }
  }

  std::size_t size() const noexcept { return count_; }
  std::size_t at(std::size_t position) const noexcept { return order_[position]; }
  // The scans that may lead to a park (after enlisting, after a wake).
  status fire(std::size_t index) {
    return fire(index, mode_ == select_mode::block ? arm_patience::prove : arm_patience::now);
  }
  // The back-off's scan (waiters.hpp, back_off_scan), and run_select's first: a give-up answers not
  // ready without the heavy barrier, since a park comes only after the scan that follows enlisting.
  fired retry() {
    return scan(*this, [this](std::size_t index) { return fire(index, scan_patience(mode_)); });
  }
  waiters<Backend>* list(std::size_t index) noexcept { return arms_[index].list; }
  waiter_entry<Backend>& entry(std::size_t index) noexcept { return entries_[index]; }
  // A select waits for a batch only if every arm's channel has room for one: a small channel among
  // the arms hands its items over one at a time.
  bool batches() const noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if (!arms_[i].batches) return false;
    }
    return true;
  }

private:
  arm<Backend>* arms_;
  waiter_entry<Backend>* entries_;
  std::size_t* order_;
  std::size_t count_;
  select_mode mode_;

  status fire(std::size_t index, arm_patience patience) {
    return arms_[index].fire(arms_[index].target, arms_[index].slot, patience);
  }
};

inline selected to_selected(fired f) noexcept { return {f.arm == fired::none ? no_arm : f.arm, f.result}; }

// The whole select after a first scan found nothing ready (out of line): scan again (twice for
// try_select), back off, wait.
template <class Backend, class Clock, class Duration>
[[gnu::noinline]] selected run_select(arm<Backend>* arms, waiter_entry<Backend>* entries, std::size_t* order,
                                      std::size_t count, bool biased, select_mode mode,
                                      const std::chrono::time_point<Clock, Duration>* deadline) {
  arm_set<Backend> set(arms, entries, order, count, biased, mode);
  const fired first = set.retry();
  if (first.arm != fired::none) return {first.arm, first.result};
  if (mode == select_mode::try_once) {
    // A second look before answering `empty`: an arm that became ready before another stopped being
    // ready (Go's non-blocking select race) is found on it, since the first look saw the other one
    // not ready after that moment.
    const fired second = scan(set);
    return second.arm != fired::none ? selected{second.arm, second.result} : selected{no_arm, status::empty};
  }
  return to_selected(wait_on<Backend>(set, deadline));
}

// The first scan, inlined into the caller: no waiter entries, no order array when biased.
template <class Backend>
[[gnu::always_inline]] inline fired first_scan(arm<Backend>* arms, std::size_t count, bool biased,
                                               arm_patience patience) {
  if (biased) {
    for (std::size_t i = 0; i < count; ++i) {
      const status result = arms[i].fire(arms[i].target, arms[i].slot, patience);
      if (is_final(result)) return {i, result};
    }
    return {fired::none, status::empty};
  }
  if (count == 1) {
    const status result = arms[0].fire(arms[0].target, arms[0].slot, patience);
    return is_final(result) ? fired{0, result} : fired{fired::none, status::empty};
  }
  // One arm drawn at random, then (out of line, if it was not ready) a full shuffle: the first ready
  // arm of a random order is a uniform pick among the ready arms either way, and a ready first arm
  // costs one draw.
  const std::size_t first = random_below<Backend>(count);
  arm<Backend>& a = arms[first];
  const status result = a.fire(a.target, a.slot, patience);
  return is_final(result) ? fired{first, result} : fired{fired::none, status::empty};
}

template <class Backend, std::size_t Count, class Clock, class Duration>
[[gnu::noinline]] selected select_slow(arm<Backend>* arms, bool biased, select_mode mode,
                                       const std::chrono::time_point<Clock, Duration>* deadline) {
  waiter_entry<Backend> entries[Count];
  std::size_t order[Count];
  return run_select<Backend>(arms, entries, order, Count, biased, mode, deadline);
}

inline constexpr const std::chrono::steady_clock::time_point* no_deadline = nullptr;

// The arms chan::recv and chan::send return: typed, so that the first scan of a select over arms
// known at compile time calls each operation directly (inlined) rather than through `arm`'s pointer.
template <class Backend, class Target, class Slot, status (*Fire)(void*, void*, arm_patience)>
struct typed_arm {
  using backend = Backend;
  using target_type = Target;
  using slot_type = Slot;
  static status fire_on(Target* target, Slot* slot, arm_patience patience) { return Fire(target, slot, patience); }
  Target* target;
  Slot* slot;
  waiters<Backend>* list;
  status fire(arm_patience patience) const { return Fire(target, slot, patience); }
  arm<Backend> erase() const noexcept { return {target, slot, Fire, list, select_access::batches(*target)}; }
};

template <class Arm>
struct is_typed_arm : std::false_type {};
template <class Backend, class Target, class Slot, status (*Fire)(void*, void*, arm_patience)>
struct is_typed_arm<typed_arm<Backend, Target, Slot, Fire>> : std::true_type {};

template <class... Arms>
constexpr void check_arms() {
  static_assert(sizeof...(Arms) > 0, "chan::select needs at least one arm");
  static_assert((is_typed_arm<std::remove_cvref_t<Arms>>::value && ...),
                "chan::select's arguments are arms: chan::recv(...) and chan::send(...)");
}

template <class... Arms>
using backend_of = typename std::remove_cvref_t<std::tuple_element_t<0, std::tuple<Arms...>>>::backend;

// Fires arm `index` of the tuple (a chain of compares the compiler turns into a jump table or a few
// branches), so each operation stays inlined.
template <class Tuple, std::size_t... Is>
[[gnu::always_inline]] inline status fire_at(const Tuple& arms, std::size_t index, arm_patience patience,
                                             std::index_sequence<Is...>) {
  status result = status::empty;
  (void)((index == Is ? (result = std::get<Is>(arms).fire(patience), true) : false) || ...);
  return result;
}

// Every arm of one type (fan-in over channels of one kind, the common case): the drawn arm is reached
// by indexing arrays of targets and slots, where fire_at's chain of compares would be a branch on a
// random index, mispredicted on most selects.
template <class Backend, class Arm, std::size_t Count>
[[gnu::always_inline]] inline fired first_scan_alike(typename Arm::target_type* const (&targets)[Count],
                                                     typename Arm::slot_type* const (&slots)[Count],
                                                     arm_patience patience) {
  // Fisher-Yates from the front, one draw per arm tried: every ready arm equally likely first. The
  // first draw is made before the order exists, so a ready first arm costs one draw.
  const std::size_t first = random_below<Backend>(Count);
  const status result = Arm::fire_on(targets[first], slots[first], patience);
  if (is_final(result)) return {first, result};
  std::size_t order[Count];
  for (std::size_t i = 0; i < Count; ++i) order[i] = i;
  std::swap(order[0], order[first]);
  for (std::size_t i = 1; i < Count; ++i) {
    std::swap(order[i], order[i + random_below<Backend>(Count - i)]);
    const status other = Arm::fire_on(targets[order[i]], slots[order[i]], patience);
    if (is_final(other)) return {order[i], other};
  }
  return {fired::none, status::empty};
}

template <class Backend, class Tuple, std::size_t... Is>
[[gnu::always_inline]] inline fired first_scan_typed(const Tuple& arms, bool biased, arm_patience patience,
                                                     std::index_sequence<Is...> all) {
  constexpr std::size_t count = sizeof...(Is);
  if (biased || count == 1) {
    fired found{fired::none, status::empty};
    (void)((is_final(found.result = std::get<Is>(arms).fire(patience)) ? (found.arm = Is, true) : false) || ...);
    if (found.arm == fired::none) found.result = status::empty;
    return found;
  }
  if constexpr (count == 2) {
    const std::size_t first = random_below<Backend>(2);
    const status result = fire_at(arms, first, patience, all);
    if (is_final(result)) return {first, result};
    const status other = fire_at(arms, 1 - first, patience, all);
    return is_final(other) ? fired{1 - first, other} : fired{fired::none, status::empty};
  }
  // Fisher-Yates from the front, one draw per arm tried: every ready arm equally likely first.
  std::size_t order[count] = {Is...};
  for (std::size_t i = 0; i < count; ++i) {
    std::swap(order[i], order[i + random_below<Backend>(count - i)]);
    const status result = fire_at(arms, order[i], patience, all);
    if (is_final(result)) return {order[i], result};
  }
  return {fired::none, status::empty};
}

template <class Backend, class... Arms>
[[gnu::always_inline]] inline fired first_scan_fixed(bool biased, arm_patience patience, const Arms&... given) {
  using first_arm = std::remove_cvref_t<std::tuple_element_t<0, std::tuple<Arms...>>>;
  constexpr std::size_t count = sizeof...(Arms);
  if constexpr (count > 1 && (std::is_same_v<first_arm, std::remove_cvref_t<Arms>> && ...)) {
    if (!biased) {
      typename first_arm::target_type* const targets[count] = {given.target...};
      typename first_arm::slot_type* const slots[count] = {given.slot...};
      return first_scan_alike<Backend, first_arm, count>(targets, slots, patience);
    }
  }
  const std::tuple<std::remove_cvref_t<Arms>...> typed{given...};
  return first_scan_typed<Backend>(typed, biased, patience, std::index_sequence_for<Arms...>{});
}

template <class Clock, class Duration, class... Arms>
[[gnu::always_inline]] inline selected select_fixed(bool biased, select_mode mode,
                                                    const std::chrono::time_point<Clock, Duration>* deadline,
                                                    Arms&&... given) {
  check_arms<Arms...>();
  using Backend = backend_of<Arms...>;
  constexpr std::size_t count = sizeof...(Arms);
  const fired first = first_scan_fixed<Backend>(biased, scan_patience(mode), given...);
  if (first.arm != fired::none) [[likely]] {
    return {first.arm, first.result};
  }
  arm<Backend> arms[count] = {given.erase()...};
  return select_slow<Backend, count>(arms, biased, mode, deadline);
}

template <class Rep, class Period, class... Arms>
selected select_for_fixed(bool biased, std::chrono::duration<Rep, Period> timeout, Arms&&... given) {
  const auto deadline = deadline_after(timeout);
  return deadline ? select_fixed(biased, select_mode::block, &*deadline, std::forward<Arms>(given)...)
                  : select_fixed(biased, select_mode::block, no_deadline, std::forward<Arms>(given)...);
}

}  // namespace detail

// ---- arms -------------------------------------------------------------------------------------

// ok: the item is assigned to `out`; closed: the channel is closed and drained.
template <class T, class A, class B>
auto recv(channel<T, A, B>& ch, T& out) {
  detail::require_assignable_out<T>();
  using C = channel<T, A, B>;
  return detail::typed_arm<B, C, T, &detail::fire_recv<C>>{&ch, &out, &detail::select_access::receivers(ch)};
}

// ok: the item is emplaced into `out`, so any T works.
template <class T, class A, class B>
auto recv(channel<T, A, B>& ch, std::optional<T>& out) {
  using C = channel<T, A, B>;
  return detail::typed_arm<B, C, std::optional<T>, &detail::fire_recv_emplace<C>>{
      &ch, &out, &detail::select_access::receivers(ch)};
}

// ok: `value` is moved into the channel; closed: `value` is untouched.
template <class T, class A, class B>
auto send(channel<T, A, B>& ch, T& value) {
  using C = channel<T, A, B>;
  return detail::typed_arm<B, C, T, &detail::fire_send<C>>{&ch, &value, &detail::select_access::senders(ch)};
}

// ok: the value is assigned to `out`; closed: the sender was dropped unsent (or the value was taken).
template <class T, class B>
auto recv(oneshot_receiver<T, B>& rx, T& out) {
  detail::require_assignable_out<T>();
  using R = oneshot_receiver<T, B>;
  return detail::typed_arm<B, R, T, &detail::fire_oneshot<T, R>>{&rx, &out, detail::select_access::oneshot_list(rx)};
}

template <class T, class B>
auto recv(oneshot_receiver<T, B>& rx, std::optional<T>& out) {
  using R = oneshot_receiver<T, B>;
  return detail::typed_arm<B, R, std::optional<T>, &detail::fire_oneshot_emplace<T, R>>{
      &rx, &out, detail::select_access::oneshot_list(rx)};
}

// ---- select over arms known at compile time ----------------------------------------------------

// Blocks until an arm fires.
template <class... Arms>
[[gnu::always_inline]] inline selected select(Arms&&... arms) {
  return detail::select_fixed(false, detail::select_mode::block, detail::no_deadline, std::forward<Arms>(arms)...);
}
template <class... Arms>
[[gnu::always_inline]] inline selected select(biased_t, Arms&&... arms) {
  return detail::select_fixed(true, detail::select_mode::block, detail::no_deadline, std::forward<Arms>(arms)...);
}

// Never blocks: {no_arm, empty} when no arm was ready.
template <class... Arms>
[[gnu::always_inline]] inline selected try_select(Arms&&... arms) {
  return detail::select_fixed(false, detail::select_mode::try_once, detail::no_deadline, std::forward<Arms>(arms)...);
}
template <class... Arms>
[[gnu::always_inline]] inline selected try_select(biased_t, Arms&&... arms) {
  return detail::select_fixed(true, detail::select_mode::try_once, detail::no_deadline, std::forward<Arms>(arms)...);
}

// {no_arm, timeout} when no arm fired in time.
template <class Rep, class Period, class... Arms>
selected select_for(std::chrono::duration<Rep, Period> timeout, Arms&&... arms) {
  return detail::select_for_fixed(false, timeout, std::forward<Arms>(arms)...);
}
template <class Rep, class Period, class... Arms>
selected select_for(biased_t, std::chrono::duration<Rep, Period> timeout, Arms&&... arms) {
  return detail::select_for_fixed(true, timeout, std::forward<Arms>(arms)...);
}

template <class Clock, class Duration, class... Arms>
selected select_until(std::chrono::time_point<Clock, Duration> deadline, Arms&&... arms) {
  return detail::select_fixed(false, detail::select_mode::block, &deadline, std::forward<Arms>(arms)...);
}
template <class Clock, class Duration, class... Arms>
selected select_until(biased_t, std::chrono::time_point<Clock, Duration> deadline, Arms&&... arms) {
  return detail::select_fixed(true, detail::select_mode::block, &deadline, std::forward<Arms>(arms)...);
}

// ---- select over arms chosen at run time -------------------------------------------------------

// Arms added one by one (fan-in over N workers), run the same four ways as the functions above. The
// arms, their waiter entries and the scan order live inside the selector, a fixed inline buffer of
// `Capacity` arms: no heap. A selector is used by one thread at a time; the arms keep referring to
// their channels and outputs, which must outlive it. Index i of `selected` is the i-th arm added.
template <std::size_t Capacity = 32, class Backend = std_backend>
class selector {
public:
  template <class T, class A>
  std::size_t add_recv(channel<T, A, Backend>& ch, T& out) {
    return add(chan::recv(ch, out));
  }
  template <class T, class A>
  std::size_t add_recv(channel<T, A, Backend>& ch, std::optional<T>& out) {
    return add(chan::recv(ch, out));
  }
  template <class T>
  std::size_t add_recv(oneshot_receiver<T, Backend>& rx, T& out) {
    return add(chan::recv(rx, out));
  }
  template <class T>
  std::size_t add_recv(oneshot_receiver<T, Backend>& rx, std::optional<T>& out) {
    return add(chan::recv(rx, out));
  }
  template <class T, class A>
  std::size_t add_send(channel<T, A, Backend>& ch, T& value) {
    return add(chan::send(ch, value));
  }

  std::size_t size() const noexcept { return count_; }
  static constexpr std::size_t capacity() noexcept { return Capacity; }
  void clear() noexcept { count_ = 0; }

  selected select() { return run(false, detail::select_mode::block, detail::no_deadline); }
  selected select(biased_t) { return run(true, detail::select_mode::block, detail::no_deadline); }
  selected try_select() { return run(false, detail::select_mode::try_once, detail::no_deadline); }
  selected try_select(biased_t) { return run(true, detail::select_mode::try_once, detail::no_deadline); }
  template <class Rep, class Period>
  selected select_for(std::chrono::duration<Rep, Period> timeout) {
    return run_for(false, timeout);
  }
  template <class Rep, class Period>
  selected select_for(biased_t, std::chrono::duration<Rep, Period> timeout) {
    return run_for(true, timeout);
  }
  template <class Clock, class Duration>
  selected select_until(std::chrono::time_point<Clock, Duration> deadline) {
    return run(false, detail::select_mode::block, &deadline);
  }
  template <class Clock, class Duration>
  selected select_until(biased_t, std::chrono::time_point<Clock, Duration> deadline) {
    return run(true, detail::select_mode::block, &deadline);
  }

private:
  template <class Typed>
  std::size_t add(const Typed& typed) {
    const detail::arm<Backend> made = typed.erase();
    if (count_ == Capacity) throw std::length_error("chan::selector: more arms than its Capacity");
    arms_[count_] = made;
    return count_++;
  }

  template <class Clock, class Duration>
  selected run(bool biased, detail::select_mode mode, const std::chrono::time_point<Clock, Duration>* deadline) {
    const detail::fired first = detail::first_scan(arms_, count_, biased, detail::scan_patience(mode));
    if (first.arm != detail::fired::none) return {first.arm, first.result};
    return detail::run_select<Backend>(arms_, entries_, order_, count_, biased, mode, deadline);
  }

  template <class Rep, class Period>
  selected run_for(bool biased, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after(timeout);
    return deadline ? run(biased, detail::select_mode::block, &*deadline)
                    : run(biased, detail::select_mode::block, detail::no_deadline);
  }

  detail::arm<Backend> arms_[Capacity];
  detail::waiter_entry<Backend> entries_[Capacity];
  std::size_t order_[Capacity];
  std::size_t count_ = 0;
};

}  // namespace chan

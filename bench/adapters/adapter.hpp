#pragma once

// The one interface every queue in the benchmark is reached through.
//
//   explicit Adapter(std::size_t capacity, int producers);   // producers: for per-producer pools
//   bool try_push(T&& v);      // false when full; `v` may be left moved-from only on true
//   bool try_pop(T& out);      // false when empty
//   void push(T&& v);          // only where Adapter::has_blocking: parks until there is room
//   void pop(T& out);          // only where Adapter::has_blocking: parks until there is an item
//   std::size_t effective_capacity() const;  // what the queue really holds (unbounded: SIZE_MAX)
//
// A scenario picks the mode: "try" rows loop on try_* and yield on full/empty, "blocking" rows call
// push/pop. Keeping the two apart in the names keeps the comparison like-for-like.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

namespace bench {

inline constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

template <class A, class T>
concept try_queue = requires(A a, T v, const A ca) {
  { a.try_push(std::move(v)) } -> std::same_as<bool>;
  { a.try_pop(v) } -> std::same_as<bool>;
  { ca.effective_capacity() } -> std::same_as<std::size_t>;
};

template <class A, class T>
concept blocking_queue = try_queue<A, T> && requires(A a, T v) {
  a.push(std::move(v));
  a.pop(v);
};

}  // namespace bench

#pragma once

// How a scenario moves one item in each mode: "try" rows retry with a yield (the polite spin every
// non-blocking queue needs on a machine with fewer cores than threads), "blocking" rows park.

#include <thread>
#include <type_traits>
#include <utility>

#include "../adapters/adapter.hpp"

namespace bench {

enum class mode { try_ops, blocking };

template <mode Mode, class Queue, class T>
void put(Queue& queue, T&& item) {
  static_assert(
      Mode == mode::try_ops ? try_queue<Queue, std::remove_cvref_t<T>> : blocking_queue<Queue, std::remove_cvref_t<T>>,
      "the adapter lacks the operations this mode calls (see adapters/adapter.hpp)");
  if constexpr (Mode == mode::blocking) {
    queue.push(std::move(item));
  } else {
    while (!queue.try_push(std::move(item))) std::this_thread::yield();
  }
}

template <mode Mode, class Queue, class T>
void take(Queue& queue, T& out) {
  static_assert(Mode == mode::try_ops ? try_queue<Queue, T> : blocking_queue<Queue, T>,
                "the adapter lacks the operations this mode calls (see adapters/adapter.hpp)");
  if constexpr (Mode == mode::blocking) {
    queue.pop(out);
  } else {
    while (!queue.try_pop(out)) std::this_thread::yield();
  }
}

}  // namespace bench

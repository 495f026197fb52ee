#pragma once

// moodycamel's queues are built from per-producer blocks, so neither is a bounded queue of exactly
// `capacity` items. ConcurrentQueue's try_enqueue never allocates, so it is bounded by its initial
// block pool, which the constructor sizes for `capacity` per producer. BlockingConcurrentQueue's
// enqueue allocates blocks when it runs out: it never pushes back on producers.

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <concurrentqueue/concurrentqueue.h>

#include <cstddef>

#include "adapter.hpp"

namespace bench {

template <class T>
class moodycamel_adapter {
public:
  static constexpr bool has_blocking = false;
  moodycamel_adapter(std::size_t capacity, int producers)
      : queue_(capacity, 0, static_cast<std::size_t>(producers) + 1), asked_(capacity), producers_(producers) {}
  bool try_push(T&& v) { return queue_.try_enqueue(std::move(v)); }
  bool try_pop(T& out) { return queue_.try_dequeue(out); }
  // The constructor's block-pool formula for implicit producers: what try_enqueue may fill at most.
  std::size_t effective_capacity() const {
    constexpr std::size_t block = moodycamel::ConcurrentQueueDefaultTraits::BLOCK_SIZE;
    const std::size_t blocks = ((asked_ + block - 1) / block - 1) + 2 * (static_cast<std::size_t>(producers_) + 1);
    return blocks * block;
  }

private:
  moodycamel::ConcurrentQueue<T> queue_;
  std::size_t asked_;
  int producers_;
};

template <class T>
class moodycamel_blocking_adapter {
public:
  static constexpr bool has_blocking = true;
  moodycamel_blocking_adapter(std::size_t capacity, int producers)
      : queue_(capacity, 0, static_cast<std::size_t>(producers) + 1) {}
  bool try_push(T&& v) { return queue_.try_enqueue(std::move(v)); }
  bool try_pop(T& out) { return queue_.try_dequeue(out); }
  // enqueue allocates instead of waiting: the "blocking" side is only the consumer's.
  void push(T&& v) { queue_.enqueue(std::move(v)); }
  void pop(T& out) { queue_.wait_dequeue(out); }
  std::size_t effective_capacity() const { return unbounded; }

private:
  moodycamel::BlockingConcurrentQueue<T> queue_;
};

}  // namespace bench

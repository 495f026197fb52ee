#pragma once

// boost::lockfree::queue is a node-based Michael-Scott queue; fixed_sized<true> makes its node pool
// the bound (n nodes plus the dummy), so capacity is exact. spsc_queue is a single-producer
// single-consumer ring and only appears in 1x1 rows.

#include <boost/lockfree/policies.hpp>
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>

#include <cstddef>

namespace bench {

template <class T>
class boost_queue_adapter {
public:
  static constexpr bool has_blocking = false;
  boost_queue_adapter(std::size_t capacity, int /*producers*/) : queue_(capacity), capacity_(capacity) {}
  bool try_push(T&& v) { return queue_.bounded_push(v); }
  bool try_pop(T& out) { return queue_.pop(out); }
  std::size_t effective_capacity() const { return capacity_; }

private:
  boost::lockfree::queue<T, boost::lockfree::fixed_sized<true>> queue_;
  std::size_t capacity_;
};

template <class T>
class boost_spsc_adapter {
public:
  static constexpr bool has_blocking = false;
  boost_spsc_adapter(std::size_t capacity, int /*producers*/) : queue_(capacity), capacity_(capacity) {}
  bool try_push(T&& v) { return queue_.push(v); }
  bool try_pop(T& out) { return queue_.pop(out); }
  std::size_t effective_capacity() const { return capacity_; }

private:
  boost::lockfree::spsc_queue<T> queue_;
  std::size_t capacity_;
};

}  // namespace bench

#pragma once

#include <oneapi/tbb/concurrent_queue.h>

#include <cstddef>

namespace bench {

template <class T>
class tbb_adapter {
public:
  static constexpr bool has_blocking = true;
  tbb_adapter(std::size_t capacity, int /*producers*/) { queue_.set_capacity(static_cast<std::ptrdiff_t>(capacity)); }
  bool try_push(T&& v) { return queue_.try_push(std::move(v)); }
  bool try_pop(T& out) { return queue_.try_pop(out); }
  void push(T&& v) { queue_.push(std::move(v)); }
  void pop(T& out) { queue_.pop(out); }
  std::size_t effective_capacity() const { return static_cast<std::size_t>(queue_.capacity()); }

private:
  oneapi::tbb::concurrent_bounded_queue<T> queue_;
};

}  // namespace bench

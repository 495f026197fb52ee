#pragma once

// What most people write first: one mutex, two condition variables, a std::deque, a size check.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace bench {

template <class T>
class mutex_deque_adapter {
public:
  static constexpr bool has_blocking = true;
  mutex_deque_adapter(std::size_t capacity, int /*producers*/) : capacity_(capacity) {}

  bool try_push(T&& v) {
    {
      std::lock_guard lock(mutex_);
      if (items_.size() == capacity_) return false;
      items_.push_back(std::move(v));
    }
    not_empty_.notify_one();
    return true;
  }
  bool try_pop(T& out) {
    {
      std::lock_guard lock(mutex_);
      if (items_.empty()) return false;
      out = std::move(items_.front());
      items_.pop_front();
    }
    not_full_.notify_one();
    return true;
  }
  void push(T&& v) {
    {
      std::unique_lock lock(mutex_);
      not_full_.wait(lock, [&] { return items_.size() < capacity_; });
      items_.push_back(std::move(v));
    }
    not_empty_.notify_one();
  }
  void pop(T& out) {
    {
      std::unique_lock lock(mutex_);
      not_empty_.wait(lock, [&] { return !items_.empty(); });
      out = std::move(items_.front());
      items_.pop_front();
    }
    not_full_.notify_one();
  }
  std::size_t effective_capacity() const { return capacity_; }

private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
};

}  // namespace bench

#pragma once

// atomic_queue's push/pop spin instead of parking, so only the try_* side is used.
// AtomicQueue/AtomicQueue2 take the capacity as a template argument (rounded up to a power of two,
// which 32 and 1024 already are: honoured). AtomicQueue stores the value itself in an atomic and
// reserves 0 as its empty marker, so it carries u64 only and never sees a 0 (our items start at 1).
// AtomicQueueB2 takes it at run time and rounds up to a power of two no smaller than
// 1 << (2 * SHUFFLE_BITS), which its index shuffling needs: its cap:32 rows really have thousands of
// slots, and effective_capacity() says how many.

#include <atomic_queue/atomic_queue.h>

#include <cstddef>
#include <stdexcept>

namespace bench {

template <std::size_t Capacity>
struct atomic_queue_fixed {
  template <class T>
  class adapter {
  public:
    static constexpr bool has_blocking = false;
    adapter(std::size_t capacity, int /*producers*/) {
      if (capacity != Capacity) throw std::invalid_argument("atomic_queue: capacity is a template argument");
    }
    bool try_push(T&& v) { return queue_.try_push(v); }
    bool try_pop(T& out) { return queue_.try_pop(out); }
    std::size_t effective_capacity() const { return queue_.capacity(); }

  private:
    atomic_queue::AtomicQueue<T, Capacity> queue_;
  };
};

template <std::size_t Capacity>
struct atomic_queue2_fixed {
  template <class T>
  class adapter {
  public:
    static constexpr bool has_blocking = false;
    adapter(std::size_t capacity, int /*producers*/) {
      if (capacity != Capacity) throw std::invalid_argument("atomic_queue2: capacity is a template argument");
    }
    bool try_push(T&& v) { return queue_.try_push(std::move(v)); }
    bool try_pop(T& out) { return queue_.try_pop(out); }
    std::size_t effective_capacity() const { return queue_.capacity(); }

  private:
    atomic_queue::AtomicQueue2<T, Capacity> queue_;
  };
};

template <class T>
class atomic_queue_b2_adapter {
public:
  static constexpr bool has_blocking = false;
  atomic_queue_b2_adapter(std::size_t capacity, int /*producers*/) : queue_(static_cast<unsigned>(capacity)) {}
  bool try_push(T&& v) { return queue_.try_push(std::move(v)); }
  bool try_pop(T& out) { return queue_.try_pop(out); }
  std::size_t effective_capacity() const { return queue_.capacity(); }

private:
  atomic_queue::AtomicQueueB2<T> queue_;
};

}  // namespace bench

#pragma once

// The yardstick: Dmitry Vyukov's bounded MPMC queue as published on 1024cores.net, straight from the
// page (power-of-two capacity, one sequence number per cell, no close, no blocking, no "claimed but
// not yet written" spin). chan pays for exact capacity, the close mark and the waiter check; this
// queue pays for none of them, so the gap between the two is the price of those features.

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>

namespace bench {

template <class T>
class vyukov_queue {
public:
  static constexpr bool has_blocking = false;

  vyukov_queue(std::size_t capacity, int /*producers*/) : mask_(capacity - 1), cells_(new cell[capacity]) {
    if (capacity < 2 || (capacity & (capacity - 1)) != 0) throw std::invalid_argument("vyukov: power of two >= 2");
    for (std::size_t i = 0; i != capacity; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }

  bool try_push(T&& v) {
    cell* c;
    std::size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      c = &cells_[pos & mask_];
      const std::size_t seq = c->sequence.load(std::memory_order_acquire);
      const auto dif = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
      if (dif == 0) {
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
      } else if (dif < 0) {
        return false;
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);
      }
    }
    c->data = std::move(v);
    c->sequence.store(pos + 1, std::memory_order_release);
    return true;
  }

  bool try_pop(T& out) {
    cell* c;
    std::size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      c = &cells_[pos & mask_];
      const std::size_t seq = c->sequence.load(std::memory_order_acquire);
      const auto dif = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos + 1);
      if (dif == 0) {
        if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
      } else if (dif < 0) {
        return false;
      } else {
        pos = dequeue_pos_.load(std::memory_order_relaxed);
      }
    }
    out = std::move(c->data);
    c->sequence.store(pos + mask_ + 1, std::memory_order_release);
    return true;
  }

  std::size_t effective_capacity() const { return mask_ + 1; }

private:
  struct cell {
    std::atomic<std::size_t> sequence;
    T data;
  };
  static constexpr std::size_t line = 64;

  alignas(line) const std::size_t mask_;
  const std::unique_ptr<cell[]> cells_;
  alignas(line) std::atomic<std::size_t> enqueue_pos_{0};
  alignas(line) std::atomic<std::size_t> dequeue_pos_{0};
};

}  // namespace bench

#pragma once

// Test support for peers stuck mid-way: a backend that counts parks, and an item whose sender can be
// held inside its constructor, or whose receiver inside its move out of the slot, until the test
// lets it go.

#include <chan/channel.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace held_peer {

// Every park and park_until of a thread waiting on a channel of park_counting_backend.
inline std::atomic<int> parks{0};

struct park_counting_backend : chan::std_backend {
  class parker : public chan::std_backend::parker {
  public:
    void park() {
      parks.fetch_add(1);
      chan::std_backend::parker::park();
    }
    template <class Clock, class Duration>
    bool park_until(const std::chrono::time_point<Clock, Duration>& deadline) {
      parks.fetch_add(1);
      return chan::std_backend::parker::park_until(deadline);
    }
  };
};

// Waits until the park count differs from `before`, for at most `limit`; false if it did not.
inline bool wait_for_a_park(int before, std::chrono::seconds limit = std::chrono::seconds(10)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (parks.load() == before) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// An item whose construction from `hold` (a send writing it), or whose next move construction once
// hold_next_move() was called (a receive moving it out), waits until release(), or ten seconds, so
// that a call that wrongly waits for the held peer ends with that peer's work done instead of
// hanging the test.
struct held_item {
  static inline std::atomic<bool> released{false};
  static inline std::atomic<bool> next_move_holds{false};
  static void release() { released = true; }
  static void hold_next_move() {
    released = false;
    next_move_holds = true;
  }

  struct hold_t {};
  explicit held_item(int v) noexcept : value(v) {}
  held_item(int v, hold_t) noexcept : value(v) { wait_for_release(); }
  held_item(const held_item&) noexcept = default;
  held_item(held_item&& other) noexcept : value(other.value) {
    if (next_move_holds.exchange(false)) wait_for_release();
  }
  held_item& operator=(const held_item&) noexcept = default;
  held_item& operator=(held_item&&) noexcept = default;
  int value;

private:
  static void wait_for_release() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!released.load() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  }
};

// A channel of held items whose waiting threads count their parks.
using held_channel = chan::channel<held_item, std::allocator<held_item>, park_counting_backend>;

}  // namespace held_peer

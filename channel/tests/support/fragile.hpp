#pragma once

// Types and an allocator that throw on command, for exception-injection tests (the way standard
// library test suites inject failures): a global countdown says after how many more risky
// operations the next one throws. Moves and destruction never throw, as chan requires.

#include <atomic>
#include <cstddef>
#include <memory>
#include <stdexcept>

namespace chan_test {

struct injected_failure : std::runtime_error {
  injected_failure() : std::runtime_error("injected failure") {}
};

// Counts down risky operations; the one that brings it to zero throws. Disarmed at zero.
// Atomic, since the tests' helper threads construct items too.
struct failure_plan {
  static inline std::atomic<long> countdown{0};  // 0: never throw
  static inline std::atomic<long> risky_ops{0};  // how many risky operations ran since arm()

  static void arm(long k) noexcept {
    countdown = k;
    risky_ops = 0;
  }
  static void disarm() noexcept { countdown = 0; }
  static void step() {
    ++risky_ops;
    long left = countdown.load();
    while (left > 0 && !countdown.compare_exchange_weak(left, left - 1)) {
    }
    if (left == 1) throw injected_failure();
  }
};

// Copy construction and construction from (int, tag) are risky; moves are noexcept. Live instances
// are counted so a test can tell a leak or a double destruction.
class fragile {
public:
  static inline std::atomic<long> live{0};

  struct risky_t {};
  static constexpr risky_t risky{};

  explicit fragile(int value) noexcept : value_(value) { ++live; }
  fragile(int value, risky_t) : value_(value) {
    failure_plan::step();
    ++live;
  }
  fragile(const fragile& other) : value_(other.value_) {
    failure_plan::step();
    ++live;
  }
  fragile(fragile&& other) noexcept : value_(other.value_) {
    other.value_ = moved_from;
    ++live;
  }
  fragile& operator=(const fragile& other) {
    failure_plan::step();
    value_ = other.value_;
    return *this;
  }
  fragile& operator=(fragile&& other) noexcept {
    value_ = other.value_;
    if (&other != this) other.value_ = moved_from;
    return *this;
  }
  ~fragile() { --live; }

  int value() const noexcept { return value_; }
  static constexpr int moved_from = -1;

private:
  int value_;
};

// An allocator whose allocate and construct are risky steps of the same plan.
template <class T>
struct fragile_allocator {
  using value_type = T;
  fragile_allocator() = default;
  template <class U>
  fragile_allocator(const fragile_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    failure_plan::step();
    ++allocations;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    ++deallocations;
    std::allocator<T>().deallocate(p, n);
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    failure_plan::step();
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <class U>
  bool operator==(const fragile_allocator<U>&) const noexcept {
    return true;
  }

  static inline long allocations = 0;
  static inline long deallocations = 0;
};

}  // namespace chan_test

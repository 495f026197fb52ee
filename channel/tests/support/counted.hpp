#pragma once

// An instance-counting, move-only test type. Every constructor and destructor is counted so tests
// can prove the channel constructs nothing up front and destroys each buffered item exactly once.

#include <atomic>

namespace chan_test {

class counted {
public:
  // Counters are global because the channel constructs and destroys items where a test cannot
  // hand it a per-test counter; call reset() at the start of every test that reads them.
  static inline std::atomic<long> live{0};
  static inline std::atomic<long> constructions{0};
  static inline std::atomic<long> destructions{0};

  static void reset() noexcept {
    live = 0;
    constructions = 0;
    destructions = 0;
  }

  explicit counted(int value) noexcept : value_(value) { born(); }
  counted(counted&& other) noexcept : value_(other.value_) {
    other.value_ = moved_from;
    born();
  }
  counted& operator=(counted&& other) noexcept {
    value_ = other.value_;
    if (&other != this) other.value_ = moved_from;
    return *this;
  }
  counted(const counted&) = delete;
  counted& operator=(const counted&) = delete;
  ~counted() {
    --live;
    ++destructions;
  }

  int value() const noexcept { return value_; }

  static constexpr int moved_from = -1;

private:
  static void born() noexcept {
    ++live;
    ++constructions;
  }

  int value_;
};

}  // namespace chan_test

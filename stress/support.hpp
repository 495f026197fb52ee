#pragma once

// Small pieces every scenario uses: a seeded random source, the jitter injected between channel
// operations, and the watchdog that turns a hung run into a loud abort.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace stress {

using clock = std::chrono::steady_clock;

class random_source {
public:
  explicit random_source(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t below(std::uint64_t bound) {
    return std::uniform_int_distribution<std::uint64_t>(0, bound - 1)(engine_);
  }
  bool one_in(std::uint64_t n) { return below(n) == 0; }
  double unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
  std::uint64_t next() { return engine_(); }

private:
  std::mt19937_64 engine_;
};

// Random yields and short spins between operations shake the interleavings away from the lockstep
// a tight loop settles into; `slow` adds short sleeps so the other side ends up parked.
inline void jitter(random_source& random, bool slow = false) {
  const std::uint64_t roll = random.below(64);
  if (roll < 3) {
    std::this_thread::yield();
  } else if (roll < 6) {
    const std::uint64_t spins = random.below(256);
    for (std::uint64_t i = 0; i < spins; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
  } else if (slow && roll < 16) {
    std::this_thread::sleep_for(std::chrono::microseconds(random.below(200)));
  }
}

// One thread for the whole run. Every round arms it with a limit far beyond the round's planned
// length; a round that has not disarmed it by then has a thread stuck (a lost wake-up, a livelock),
// and a stuck run is worth a message and a core, not a CI job that hangs until its own timeout.
class watchdog {
public:
  watchdog() : thread_([this] { run(); }) {}
  ~watchdog() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

  void arm(clock::duration limit, std::string what) {
    {
      std::lock_guard lock(mutex_);
      deadline_ = clock::now() + limit;
      what_ = std::move(what);
      armed_ = true;
    }
    changed_.notify_all();
  }
  void disarm() {
    std::lock_guard lock(mutex_);
    armed_ = false;
  }

private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (!armed_) {
        changed_.wait(lock);
      } else if (changed_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ &&
                 clock::now() >= deadline_) {
        std::fprintf(stderr, "stress: WATCHDOG: a round overran its limit; threads did not return: %s\n",
                     what_.c_str());
        std::fflush(stderr);
        std::abort();
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  clock::time_point deadline_{};
  std::string what_;
  bool armed_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace stress

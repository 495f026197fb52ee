#pragma once

// The Relacy backend: the first include of every model translation unit.
//
// Relacy defines macros (memory_order_*, new, delete, malloc, free, assert, ...) that break any code
// included after it. So this header includes every standard header the channel needs first, then
// Relacy, then removes the macros, and only then may the model file include <chan/...>. The channel
// headers are the shipped ones: every atomic, fence, payload access and park goes through
// `relacy_backend`, whose members take trailing call-site parameters defaulted at the caller, so
// Relacy's reports name the line of channel/include/chan/ that made the call.

#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#elif defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Weverything"
#endif
#include <relacy/relacy.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#elif defined(__clang__)
#pragma clang diagnostic pop
#endif

#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst
#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert

// The caller's position, evaluated at the call site when used as a default argument.
#define CHAN_RL_CALLER ::rl::debug_info(__builtin_FUNCTION(), __builtin_FILE(), __builtin_LINE())

struct relacy_backend {
  static constexpr rl::memory_order to_rl(std::memory_order order) noexcept {
    switch (order) {
      case std::memory_order_relaxed:
        return rl::mo_relaxed;
      case std::memory_order_consume:
        return rl::mo_consume;
      case std::memory_order_acquire:
        return rl::mo_acquire;
      case std::memory_order_release:
        return rl::mo_release;
      case std::memory_order_acq_rel:
        return rl::mo_acq_rel;
      case std::memory_order_seq_cst:
        return rl::mo_seq_cst;
    }
    return rl::mo_seq_cst;
  }

  template <class U>
  class atomic {
  public:
    atomic() : value_(U()) {}
    atomic(U initial) : value_(initial) {}  // NOLINT: the ring writes `atomic<size_t> head_{0}`
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    U load(std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) const {
      return value_.load(to_rl(order), info);
    }
    void store(U desired, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      value_.store(desired, to_rl(order), info);
    }
    U exchange(U desired, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      return value_.exchange(desired, to_rl(order), info);
    }
    U fetch_or(U operand, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      return value_.fetch_or(operand, to_rl(order), info);
    }
    U fetch_add(U operand, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      return value_.fetch_add(operand, to_rl(order), info);
    }
    U fetch_sub(U operand, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      return value_.fetch_sub(operand, to_rl(order), info);
    }
    bool compare_exchange_weak(U& expected, U desired, std::memory_order success, std::memory_order failure,
                               rl::debug_info_param info = CHAN_RL_CALLER) {
      return value_.compare_exchange_weak(expected, desired, to_rl(success), info, to_rl(failure), info);
    }
    bool compare_exchange_strong(U& expected, U desired, std::memory_order success, std::memory_order failure,
                                 rl::debug_info_param info = CHAN_RL_CALLER) {
      return value_.compare_exchange_strong(expected, desired, to_rl(success), info, to_rl(failure), info);
    }

  private:
    rl::atomic<U> value_;
  };

  static void fence(std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
    // A relaxed fence orders nothing in C++; Relacy rejects it outright, and the mutation campaign
    // does weaken fences to relaxed.
    if (order == std::memory_order_relaxed) return;
    rl::atomic_thread_fence(to_rl(order), info);
  }

  // Every spin and retry loop of the channel passes through one of these; without a yield Relacy
  // would see a thread that never lets the others run and report a livelock.
  static void pause(rl::debug_info_param info = CHAN_RL_CALLER) { rl::yield(1, info); }
  static void yield_thread(rl::debug_info_param info = CHAN_RL_CALLER) { rl::yield(1, info); }

  // Real storage for the payload, shadowed by an rl::var<int> so that Relacy sees every payload
  // access: constructing and destroying write it; get() reads it. Moving the item out of a slot is
  // followed by destroy(), a write, so a sender reusing the slot without seeing that receive races.
  template <class T>
  struct cell {
    template <class... Args>
    void construct(std::tuple<Args...>&& args, rl::debug_info_param info = CHAN_RL_CALLER) {
      shadow(info) = 1;
      std::apply([this](auto&&... a) { ::new (static_cast<void*>(bytes)) T(std::forward<decltype(a)>(a)...); },
                 std::move(args));
    }
    T& get(rl::debug_info_param info = CHAN_RL_CALLER) {
      RL_ASSERT_IMPL(shadow(info) == 1, rl::test_result_user_assert_failed, "payload read from an empty cell", info);
      return *std::launder(reinterpret_cast<T*>(bytes));
    }
    void destroy(rl::debug_info_param info = CHAN_RL_CALLER) {
      RL_ASSERT_IMPL(shadow(info) == 1, rl::test_result_user_assert_failed, "payload destroyed twice", info);
      shadow(info) = 0;
      std::launder(reinterpret_cast<T*>(bytes))->~T();
    }

    rl::var<int> shadow;
    alignas(T) unsigned char bytes[sizeof(T)];
  };

  class mutex {
  public:
    void lock(rl::debug_info_param info = CHAN_RL_CALLER) { impl_.lock(info); }
    void unlock(rl::debug_info_param info = CHAN_RL_CALLER) { impl_.unlock(info); }

  private:
    rl::mutex impl_;
  };

  // One parked thread; the permit lives under the mutex, so an unpark before the park is kept.
  // Relacy's timed wait ignores the deadline and may time out at any wake-up it chooses, which is
  // exactly the nondeterminism a timeout test wants explored.
  class parker {
  public:
    void park(rl::debug_info_param info = CHAN_RL_CALLER) {
      mutex_.lock(info);
      while (!permit_) woken_.wait(mutex_, info);
      mutex_.unlock(info);
    }

    template <class Clock, class Duration>
    bool park_until(const std::chrono::time_point<Clock, Duration>&, rl::debug_info_param info = CHAN_RL_CALLER) {
      mutex_.lock(info);
      // wait_for reports success only for a real notify; a timeout and a spurious wake-up both end
      // the wait, and the permit decides.
      if (!permit_) woken_.wait_for(mutex_, 0, info);
      const bool woken = permit_;
      mutex_.unlock(info);
      return woken;
    }

    void unpark(rl::debug_info_param info = CHAN_RL_CALLER) {
      mutex_.lock(info);
      permit_ = true;
      woken_.notify_one(info);
      mutex_.unlock(info);
    }

  private:
    rl::mutex mutex_;
    rl::condition_variable woken_;
    bool permit_ = false;
  };
};

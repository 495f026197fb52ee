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
      const U before = value_.exchange(desired, to_rl(order), info);
      seq_cst_rmw_joins_fence_order(order);
      return before;
    }
    U fetch_or(U operand, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      const U before = value_.fetch_or(operand, to_rl(order), info);
      seq_cst_rmw_joins_fence_order(order);
      return before;
    }
    U fetch_add(U operand, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      const U before = value_.fetch_add(operand, to_rl(order), info);
      seq_cst_rmw_joins_fence_order(order);
      return before;
    }
    U fetch_sub(U operand, std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
      const U before = value_.fetch_sub(operand, to_rl(order), info);
      seq_cst_rmw_joins_fence_order(order);
      return before;
    }
    bool compare_exchange_weak(U& expected, U desired, std::memory_order success, std::memory_order failure,
                               rl::debug_info_param info = CHAN_RL_CALLER) {
      const bool swapped = value_.compare_exchange_weak(expected, desired, to_rl(success), info, to_rl(failure), info);
      if (swapped) seq_cst_rmw_joins_fence_order(success);
      return swapped;
    }
    bool compare_exchange_strong(U& expected, U desired, std::memory_order success, std::memory_order failure,
                                 rl::debug_info_param info = CHAN_RL_CALLER) {
      const bool swapped =
          value_.compare_exchange_strong(expected, desired, to_rl(success), info, to_rl(failure), info);
      if (swapped) seq_cst_rmw_joins_fence_order(success);
      return swapped;
    }

  private:
    rl::atomic<U> value_;
  };

  // Relacy's C++ mode leaves seq_cst RMWs out of the total order S that its seq_cst fences follow: a
  // waiter's fence after a failed attempt could then ignore the seq_cst RMW that made the channel
  // non-empty, and Relacy reports a DEADLOCK that [atomics.order] p4 forbids. Its two ways out are
  // both too strong: RL_IMPROVED_SEQ_CST_RMW turns *every* RMW, relaxed ones included, into a full
  // fence (no weakening of a claim could be caught), and a seq_cst fence after the RMW would also
  // make the thread's earlier relaxed loads acquire (a relaxed stamp load before the claim would pass).
  // So a seq_cst RMW only enters S: its own timestamp joins the order Relacy's seq_cst fences acquire,
  // and a later fence anywhere then reads this variable no older than the RMW. It needs no scheduling
  // point, and it does not acquire anything. (Vector clocks carry the thread's earlier writes along with
  // it, a slight over-approximation on the side of missing a bug, never of inventing one.)
  static void seq_cst_rmw_joins_fence_order(std::memory_order order) {
    if (order != std::memory_order_seq_cst) return;
    rl::context& context = rl::ctx();
    rl::timestamp_t& published = context.seq_cst_fence_order_[context.threadx_->index_];
    if (published < context.threadx_->own_acq_rel_order_) published = context.threadx_->own_acq_rel_order_;
  }

  static void fence(std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
    // A relaxed fence orders nothing in C++; Relacy rejects it outright, and the mutation campaign
    // does weaken fences to relaxed.
    if (order == std::memory_order_relaxed) return;
    rl::atomic_thread_fence(to_rl(order), info);
  }

  // The asymmetric barrier. Its std form (a compiler barrier on every commit, membarrier before a
  // park behind a peer that is mid-way) orders like a seq_cst fence on each side; that is how it is
  // modelled, but only in the models that ask for parking behind a busy peer (park_behind_peer). In
  // the others heavy_barrier() reports "none", so blocked calls wait such a peer out as before, and
  // the light half is no fence at all: a fence there would order every commit before its
  // waiter_check and hide the weakening of the seq_cst claims the handshake really relies on.
  static inline bool park_behind_peer = false;
  static void light_barrier(std::memory_order order, rl::debug_info_param info = CHAN_RL_CALLER) {
    if (park_behind_peer) fence(order, info);
  }
  static bool heavy_barrier(rl::debug_info_param info = CHAN_RL_CALLER) {
    if (park_behind_peer) fence(std::memory_order_seq_cst, info);
    return park_behind_peer;
  }

  // Every spin and retry loop of the channel passes through pause() or yield_thread(). How they are
  // modelled is a choice with a cost either way:
  //  - rl::yield tells the scheduler the thread waits for the others. The context-bound and full
  //    searches need it to end, but Relacy then also lets the thread read, of each atomic it had
  //    read before, only values newer than the one it saw: a spin is assumed to end on fresh data.
  //    That hides the stale read right after a back-off, which is exactly the window of the waiter
  //    handshake (an attempt fails, back off, enlist, re-check).
  //  - nothing at all (`spin_yields = false`): every iteration of a retry loop still loads an atomic,
  //    and each atomic access is a scheduling point, so the random scheduler lets the other threads
  //    run and spins end. Leaving out even a plain scheduling point matters: the ~130 points of one
  //    back-off would give the other threads so many turns that they finish before the waiter's
  //    last attempt, and the stale-read window would again go unexplored.
  // chan_models uses the second for the random scheduler and the first for the searches.
  static inline bool spin_yields = true;
  // One spin step and one yield step, then park. Every attempt before the enlist is another read
  // that must come out stale for a lost wake-up to show, and each does with probability 1/2 under
  // the random scheduler: the shipped eleven steps made those executions too rare to be found.
  static constexpr unsigned backoff_spin_limit = 0;
  static constexpr unsigned backoff_yield_limit = 1;
  static void pause(rl::debug_info_param info = CHAN_RL_CALLER) { spin_point(info); }
  // Never "long": a model's back-off steps are already few, and the scheduler it explores has no clock.
  static bool yield_thread(rl::debug_info_param info = CHAN_RL_CALLER) {
    spin_point(info);
    return false;
  }
  static void spin_point(rl::debug_info_param info) {
    if (spin_yields) rl::yield(1, info);
  }

  // select.hpp's fair scan order asks the backend for its random draws when it has this member: a
  // scheduler choice, so the model checker explores every arm order (and a per-thread generator,
  // which Relacy would see as non-determinism, is never used in a model).
  static std::size_t select_random(std::size_t bound) { return rl::rand(static_cast<unsigned>(bound)); }

  // async.hpp's hooks. Plain data handed between the threads that hold an async operation in turn,
  // watched for data races (the state word's acquire/release must order it).
  template <class T>
  class plain {
  public:
    plain(T value) : var_(value) {}
    T load(rl::debug_info_param info = CHAN_RL_CALLER) const { return var_(info); }
    void store(T value, rl::debug_info_param info = CHAN_RL_CALLER) { var_(info) = value; }

  private:
    mutable rl::var<T> var_;
  };
  // The trampoline's per-thread state: Relacy's threads share one OS thread, so no thread_local.
  template <class State>
  static State& per_thread() {
    static State states[max_model_threads];
    return states[rl::ctx().threadx_->index_];
  }
  static constexpr unsigned max_model_threads = 16;

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
    // A construct that threw left shadow at 1 with no T in the storage; the write is what lets Relacy
    // see a race between that failed send and the next one into the same slot.
    void forget(rl::debug_info_param info = CHAN_RL_CALLER) { shadow(info) = 0; }

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

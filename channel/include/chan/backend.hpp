#pragma once

// The seam between the algorithm and the world it runs in (folly's `Atom` template, extended).
//
// The ring, the waiter registry and oneshot are templates over a Backend that supplies:
//   template <class U> using atomic = ...;   load/store/exchange/fetch_or/fetch_add/fetch_sub/
//                                            compare_exchange_weak with std::memory_order arguments
//   static void fence(std::memory_order);
//   template <class T> struct cell;          raw storage for one T: construct(std::tuple of args),
//                                            get(), destroy(), forget() (after a construct that threw)
//   static void pause();                     one step of a busy-wait (a CPU hint, or a scheduler yield)
//   static void yield_thread();              give the core to another thread
//   static constexpr unsigned backoff_spin_limit, backoff_yield_limit, backoff_poll_limit;
//                                            how long a waiter polls, spins, then yields before it parks
//   struct mutex;                            lock(), unlock()
//   struct parker;                           park(), park_until(time_point) -> false on timeout, unpark()
//
// The algorithm calls these exactly as it would call std::atomic. A checking backend (models/ has the
// Relacy one) gives each member trailing parameters defaulted to __builtin_FILE(), __builtin_FUNCTION()
// and __builtin_LINE(), so its reports name the line of the algorithm that made the call. The std
// backend needs no call-site information and pays nothing for the seam.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <tuple>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#endif

namespace chan {

struct std_backend {
  template <class U>
  using atomic = std::atomic<U>;

  static void fence(std::memory_order order) noexcept { std::atomic_thread_fence(order); }

  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
  }

  static void yield_thread() noexcept { std::this_thread::yield(); }

  // Up to 2^6 pauses per back-off step, then yields up to step 10, then a blocking call parks.
  static constexpr unsigned backoff_spin_limit = 6;
  static constexpr unsigned backoff_yield_limit = 10;
  // A blocked call first polls this many times (8 pauses each) before those steps.
  static constexpr unsigned backoff_poll_limit = 32;

  // Raw, aligned storage for one T. Nothing is constructed until a value is sent, so T needs no
  // default constructor and an empty slot costs no construction.
  template <class T>
  struct cell {
    // The arguments come packed so that a checking backend can still append call-site parameters.
    template <class... Args>
    void construct(std::tuple<Args...>&& args) {
      std::apply([this](auto&&... a) { ::new (static_cast<void*>(bytes)) T(std::forward<decltype(a)>(a)...); },
                 std::move(args));
    }
    T& get() noexcept { return *std::launder(reinterpret_cast<T*>(bytes)); }
    void destroy() noexcept { get().~T(); }
    // After a construct that threw: no T lives here, and nothing is to be destroyed.
    void forget() noexcept {}

    alignas(T) unsigned char bytes[sizeof(T)];
  };

  using mutex = std::mutex;

  // One parked thread. `unpark` may come before `park`; the permit is kept, so it is never lost.
#if defined(__linux__)
  // A futex word instead of a mutex and condition variable: `unpark` is one atomic exchange, plus a
  // FUTEX_WAKE only if the thread really sleeps, and a woken thread takes no lock on its way out.
  // Its accesses keep std::atomic's default (seq_cst) order: this is the machinery under the
  // protocol, which models/ replaces with its own parker, not a site of orderings.hpp.
  class parker {
  public:
    void park() {
      while (!take_permit()) sleep(nullptr);
    }

    template <class Clock, class Duration>
    bool park_until(const std::chrono::time_point<Clock, Duration>& deadline) {
      while (!take_permit()) {
        const auto left = std::chrono::ceil<std::chrono::nanoseconds>(deadline - Clock::now());
        if (left <= left.zero()) return give_up();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
        timespec timeout{};
        timeout.tv_sec = static_cast<std::time_t>(seconds.count());
        timeout.tv_nsec = static_cast<long>((left - seconds).count());
        sleep(&timeout);
      }
      return true;
    }

    void unpark() {
      if (word_.exchange(notified) == parked) {
        ::syscall(SYS_futex, address(), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
      }
    }

  private:
    static constexpr std::uint32_t empty = 0;
    static constexpr std::uint32_t parked = 1;
    static constexpr std::uint32_t notified = 2;

    // Announces the sleep (empty -> parked) unless the permit is already there.
    bool take_permit() {
      std::uint32_t seen = word_.load();
      if (seen == empty && word_.compare_exchange_strong(seen, parked)) return false;
      return seen == notified;
    }

    // Returns at a wake-up, a timeout, a signal or when the word is no longer `parked`; the caller
    // looks at the word again in every case.
    void sleep(const timespec* timeout) {
      ::syscall(SYS_futex, address(), FUTEX_WAIT_PRIVATE, parked, timeout, nullptr, 0);
    }

    // A timed-out wait withdraws its announcement, unless an unpark came first: then it was woken.
    bool give_up() {
      std::uint32_t seen = parked;
      return !word_.compare_exchange_strong(seen, empty) && seen == notified;
    }

    std::uint32_t* address() noexcept { return reinterpret_cast<std::uint32_t*>(&word_); }

    std::atomic<std::uint32_t> word_{empty};
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t), "a futex is one 32-bit word");
  };
#else
  class parker {
  public:
    void park() {
      std::unique_lock lock(mutex_);
      woken_.wait(lock, [this] { return permit_; });
    }

    template <class Clock, class Duration>
    bool park_until(const std::chrono::time_point<Clock, Duration>& deadline) {
      std::unique_lock lock(mutex_);
      return woken_.wait_until(lock, deadline, [this] { return permit_; });
    }

    void unpark() {
      {
        std::lock_guard lock(mutex_);
        permit_ = true;
      }
      woken_.notify_one();
    }

  private:
    std::mutex mutex_;
    std::condition_variable woken_;
    bool permit_ = false;
  };
#endif
};

}  // namespace chan

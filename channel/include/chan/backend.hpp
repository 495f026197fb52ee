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
//   static bool yield_thread();              give the core to another thread; true when it came back
//                                            only after a long time (see std_backend's)
//   static void light_barrier(order); static bool heavy_barrier();
//                                            the two halves of an asymmetric barrier
//   static constexpr unsigned backoff_spin_limit, backoff_yield_limit;
//                                            how long a waiter spins, then yields, before it parks
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
#include <optional>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <chan/deadline.hpp>

#if defined(__linux__)
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <limits>
#endif

namespace chan::detail {

// Both parkers keep one permit: `unpark` may come before `park`, and is never lost. A timed park
// measures its deadline with deadline.hpp, so no deadline of any clock or duration type overflows:
// one too far away parks without a timeout, one already past gives up at once.
//
// system_clock deadlines follow the clock: on Linux the futex parker sleeps until an absolute
// CLOCK_REALTIME time (FUTEX_WAIT_BITSET with FUTEX_CLOCK_REALTIME), so setting the clock forward
// or back moves the end of the wait with it, as it does for a deadline the blocking call checks
// between its attempts (Clock::now() each time). Every other clock, steady_clock included, is
// converted to a relative timeout each time the thread goes to sleep; a clock that jumps is then
// followed at the next wake-up only. The condition-variable parker converts every clock that way.

// The futex call and the timespec layout it reads. A 32-bit target with 64-bit time support in its
// headers (Linux 5.1+) has SYS_futex_time64, whose timespec is two 64-bit fields whatever the C
// library's time_t is (riscv32 has only this call). Elsewhere SYS_futex reads the kernel's native
// layout: two 64-bit longs on 64-bit targets (and x32), two 32-bit longs on a 32-bit target whose
// headers predate time64, where the seconds are clamped to what fits. (On a 32-bit kernel older
// than 5.1, futex_time64 fails with ENOSYS; such a kernel is not supported.)
#if defined(__linux__) && defined(SYS_futex_time64)
#define CHAN_HAS_FUTEX 1
inline constexpr long futex_call = SYS_futex_time64;
struct futex_timespec {
  std::int64_t tv_sec;
  std::int64_t tv_nsec;
};
#elif defined(__linux__) && defined(SYS_futex)
#define CHAN_HAS_FUTEX 1
inline constexpr long futex_call = SYS_futex;
struct futex_timespec {
  __kernel_long_t tv_sec;
  __kernel_long_t tv_nsec;
};
#endif

#if defined(CHAN_HAS_FUTEX)
// A futex word instead of a mutex and condition variable: `unpark` is one atomic exchange, plus a
// FUTEX_WAKE only if the thread really sleeps, and a woken thread takes no lock on its way out.
// Its accesses keep std::atomic's default (seq_cst) order: this is the machinery under the
// protocol, which models/ replaces with its own parker, not a site of orderings.hpp.
class futex_parker {
public:
  void park() {
    while (!take_permit()) call(FUTEX_WAIT_PRIVATE, nullptr);
  }

  template <class Clock, class Duration>
  bool park_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    while (!take_permit()) {
      const std::optional<std::chrono::nanoseconds> left = time_left(deadline);
      if (!left) {
        call(FUTEX_WAIT_PRIVATE, nullptr);  // beyond the horizon: no deadline
      } else if (*left == left->zero()) {
        return give_up();
      } else if (!(std::is_same_v<Clock, std::chrono::system_clock> &&
                   sleep_until_realtime(saturating_nanoseconds<rounding::up>(deadline.time_since_epoch())))) {
        sleep_for(*left);
      }
    }
    return true;
  }

  void unpark() {
    if (word_.exchange(notified) == parked) call(FUTEX_WAKE_PRIVATE, nullptr, 1);
  }

private:
  static constexpr std::uint32_t empty = 0;
  static constexpr std::uint32_t parked = 1;
  static constexpr std::uint32_t notified = 2;
  using seconds_field = decltype(futex_timespec::tv_sec);
  static constexpr long long max_seconds = std::numeric_limits<seconds_field>::max();

  // Announces the sleep (empty -> parked) unless the permit is already there.
  bool take_permit() {
    std::uint32_t seen = word_.load();
    if (seen == empty && word_.compare_exchange_strong(seen, parked)) return false;
    return seen == notified;
  }

  // A wait returns at a wake-up, a timeout, a signal or when the word is no longer `parked`; the
  // caller looks at the word again in every case.
  void sleep_for(std::chrono::nanoseconds left) {
    const long long whole = left.count() / 1'000'000'000;
    futex_timespec timeout{};
    timeout.tv_sec = static_cast<seconds_field>(whole < max_seconds ? whole : max_seconds);
    timeout.tv_nsec = static_cast<decltype(timeout.tv_nsec)>(left.count() % 1'000'000'000);
    call(FUTEX_WAIT_PRIVATE, &timeout);
  }

  // An absolute CLOCK_REALTIME wait; false (and no wait) when `at` does not fit the timespec.
  bool sleep_until_realtime(std::chrono::nanoseconds at) {
    const long long whole = at.count() / 1'000'000'000;
    if (at.count() < 0 || whole > max_seconds) return false;
    futex_timespec timeout{};
    timeout.tv_sec = static_cast<seconds_field>(whole);
    timeout.tv_nsec = static_cast<decltype(timeout.tv_nsec)>(at.count() % 1'000'000'000);
    call(FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, &timeout, parked, FUTEX_BITSET_MATCH_ANY);
    return true;
  }

  // FUTEX_WAIT* sleep while the word is `parked`; FUTEX_WAKE wakes `value` sleepers.
  void call(int op, const futex_timespec* timeout, std::uint32_t value = parked, std::uint32_t bitset = 0) {
    ::syscall(futex_call, address(), op, value, timeout, nullptr, bitset);
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
#endif

// The portable parker, also the fallback where there is no futex call.
class condvar_parker {
public:
  void park() {
    std::unique_lock lock(mutex_);
    woken_.wait(lock, [this] { return permit_; });
  }

  template <class Clock, class Duration>
  bool park_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    std::unique_lock lock(mutex_);
    while (!permit_) {
      const std::optional<std::chrono::nanoseconds> left = time_left(deadline);
      if (!left) {
        woken_.wait(lock);
      } else if (*left == left->zero()) {
        return false;
      } else {
        woken_.wait_for(lock, *left);
      }
    }
    return true;
  }

  // Notifies under the lock: a woken owner may end its wait and destroy this parker as soon as it
  // sees the permit, and it cannot see it before the lock is released.
  void unpark() {
    std::lock_guard lock(mutex_);
    permit_ = true;
    woken_.notify_one();
  }

private:
  std::mutex mutex_;
  std::condition_variable woken_;
  bool permit_ = false;
};

}  // namespace chan::detail

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

  // A yield costs under a microsecond while no other thread wants this core, and the time slice of
  // whoever takes the core when one does. Past `long_yield` the core went to a thread that kept it:
  // more runnable threads than cores, where yielding again means waiting behind that thread once
  // more, while a parked thread is put back to run as soon as it is woken. So a blocked caller parks
  // after such a yield (backoff.hpp). (Measured on 2 cores under a load of 9-14: a capacity-1 1x1 run
  // of 500,000 items that makes two yields per item took 160 s once, against about 5 s usually.)
  // Two clock reads (vDSO) per yield; yields are off the fast path.
  static constexpr std::chrono::microseconds long_yield{50};
  static bool yield_thread() noexcept {
    const auto before = std::chrono::steady_clock::now();
    std::this_thread::yield();
    return std::chrono::steady_clock::now() - before > long_yield;
  }

  // An asymmetric barrier (Linux membarrier, as in folly's asymmetricHeavyBarrier): the light half
  // is a compiler barrier on the hot path of every send and receive; the heavy half, run by a
  // blocked call about to park behind a peer that is mid-way, makes every running thread of the
  // process execute a full fence. Together they order like a seq_cst fence on each side. False from
  // heavy_barrier where the system has none: blocked calls then wait such a peer out instead.
  static void light_barrier(std::memory_order order) noexcept { std::atomic_signal_fence(order); }
  static bool heavy_barrier() noexcept {
#if defined(__linux__) && defined(SYS_membarrier)
    static const bool registered = ::syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
    return registered && ::syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
    return false;
#endif
  }

  // Up to 2^6 pauses per back-off step, then yields up to step 10, then a blocking call parks.
  static constexpr unsigned backoff_spin_limit = 6;
  static constexpr unsigned backoff_yield_limit = 10;

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

  // One parked thread (see detail:: below): a futex word on Linux, else a mutex and condition variable.
#if defined(CHAN_HAS_FUTEX)
  using parker = detail::futex_parker;
#else
  using parker = detail::condvar_parker;
#endif
};

}  // namespace chan

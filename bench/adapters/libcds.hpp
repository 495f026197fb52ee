#pragma once

// libcds's cds::container::VyukovMPMCCycleQueue: the same bounded MPMC ring as bench/'s `vyukov`, as a
// well-known library ships it (a dynamic buffer rounded up to a power of two, at least 2 cells; its
// push says full only after checking the consumers' index, so no spurious full). It needs neither
// cds::Initialize() nor a thread attach: those are for containers that reclaim memory through a
// garbage collector (HP, DHP, RCU), and this ring frees nothing while it runs. It has no blocking
// calls, so it only appears in try rows.

#include <cds/container/vyukov_mpmc_cycle_queue.h>

#include <cstddef>
#include <stdexcept>
#include <utility>

namespace bench {

template <class T>
class libcds_adapter {
public:
  static constexpr bool has_blocking = false;
  libcds_adapter(std::size_t capacity, int /*producers*/) : queue_(check(capacity)) {}
  bool try_push(T&& v) { return queue_.enqueue(std::move(v)); }
  bool try_pop(T& out) { return queue_.dequeue(out); }
  std::size_t effective_capacity() const { return queue_.capacity(); }

private:
  static std::size_t check(std::size_t capacity) {
    if (capacity < 2 || (capacity & (capacity - 1)) != 0) throw std::invalid_argument("libcds: power of two >= 2");
    return capacity;
  }
  cds::container::VyukovMPMCCycleQueue<T> queue_;
};

}  // namespace bench

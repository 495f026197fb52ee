#pragma once

#include <chan/channel.hpp>

#include <cstddef>
#include <cstdlib>

namespace bench {

template <class T>
class chan_adapter {
public:
  static constexpr bool has_blocking = true;
  chan_adapter(std::size_t capacity, int /*producers*/) : channel_(capacity) {}
  bool try_push(T&& v) { return channel_.try_send(std::move(v)) == chan::status::ok; }
  bool try_pop(T& out) { return channel_.try_recv(out) == chan::status::ok; }
  // Nobody closes the channel in a benchmark, so anything but ok is a broken channel.
  void push(T&& v) {
    if (channel_.send(std::move(v)) != chan::status::ok) std::abort();
  }
  void pop(T& out) {
    if (channel_.recv(out) != chan::status::ok) std::abort();
  }
  std::size_t effective_capacity() const { return channel_.capacity(); }

private:
  chan::channel<T> channel_;
};

}  // namespace bench

#pragma once

// Range-for over a channel: `for (auto&& job : jobs)` receives with the blocking recv() until the
// channel is closed and drained (Go's `for v := range ch`, crossbeam's `iter()`).
//
// begin(ch) and end(ch) are free functions found by argument-dependent lookup, so the facade in
// channel.hpp carries no iteration code; channel.hpp includes this header at its end, so including
// either gives both. The iterator is a C++20 input iterator (std::ranges::begin and end work too):
// it holds the item received last, and dereferencing gives that item to the loop body, which may
// move from it. Leaving the loop early (break, return, an exception) takes nothing more from the
// channel; only the item the iterator already holds is destroyed with it, if the body did not move
// it away.

#include <chan/version.hpp>

#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include <chan/channel.hpp>

namespace chan {

template <class T, class Allocator, class Backend>
class channel_iterator {
public:
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using iterator_concept = std::input_iterator_tag;

  channel_iterator() = default;
  // Receives the first item (or meets the end at once on a closed and drained channel).
  explicit channel_iterator(channel<T, Allocator, Backend>& source) : source_(std::addressof(source)) { next(); }

  channel_iterator(channel_iterator&&) = default;
  channel_iterator& operator=(channel_iterator&&) = default;

  // The received item. const because an input iterator's reference must not depend on the
  // iterator's constness; the item belongs to whoever iterates.
  T& operator*() const noexcept { return *current_; }
  T* operator->() const noexcept { return std::addressof(*current_); }

  channel_iterator& operator++() {
    next();
    return *this;
  }
  void operator++(int) { next(); }

  // The end: the channel answered that it is closed and drained.
  friend bool operator==(const channel_iterator& it, std::default_sentinel_t) noexcept { return !it.current_; }

private:
  // Emplaced, not assigned: T needs no move assignment.
  void next() {
    current_.reset();
    if (std::optional<T> item = source_->recv()) current_.emplace(std::move(*item));
  }

  channel<T, Allocator, Backend>* source_ = nullptr;
  mutable std::optional<T> current_;
};

template <class T, class Allocator, class Backend>
channel_iterator<T, Allocator, Backend> begin(channel<T, Allocator, Backend>& source) {
  return channel_iterator<T, Allocator, Backend>(source);
}

template <class T, class Allocator, class Backend>
std::default_sentinel_t end(channel<T, Allocator, Backend>&) noexcept {
  return std::default_sentinel;
}

}  // namespace chan

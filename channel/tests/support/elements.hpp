#pragma once

// Element types of the bounded_queue tests (conqueue_tests.cpp, conqueue_async_tests.cpp), each
// standing for one kind of constructor that push, emplace and their awaitables must handle.

#include <string>
#include <utility>

namespace chan_test {

// Built from several arguments, with no default constructor: emplace constructs it in place.
struct labelled {
  labelled(int x, std::string label) noexcept : x(x), label(std::move(label)) {}
  int x;
  std::string label;
};

// Its constructor from int may throw (it does not here), so emplace and async_emplace build it
// before they wait.
struct throwing_build {
  explicit throwing_build(int v) : value(v) {}
  throwing_build(throwing_build&&) noexcept = default;
  throwing_build& operator=(throwing_build&&) noexcept = default;
  int value;
};

}  // namespace chan_test

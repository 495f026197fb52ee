#pragma once

// The answer of every channel operation, and its printable name.

#include <chan/version.hpp>  // first: stops a build below C++20 with a clear message

namespace chan {

// [[nodiscard]]: an ignored `full` or `closed` is a lost item (crossbeam's results are #[must_use]).
// `cancelled` ends an asynchronous wait whose stop token was triggered first. (clang-format 14
// misreads an attribute on an enum as a braced initializer, hence the off/on.)
// clang-format off
enum class [[nodiscard]] status : unsigned char { ok, empty, full, closed, timeout, cancelled };
// clang-format on

constexpr const char* to_string(status s) noexcept {
  switch (s) {
    case status::ok:
      return "ok";
    case status::empty:
      return "empty";
    case status::full:
      return "full";
    case status::closed:
      return "closed";
    case status::timeout:
      return "timeout";
    case status::cancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace chan

#pragma once

// The answer of every channel operation, and its printable name.

namespace chan {

enum class status : unsigned char { ok, empty, full, closed, timeout };

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
  }
  return "unknown";
}

}  // namespace chan

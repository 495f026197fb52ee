#pragma once

// The answer of every channel operation, and its printable name.

namespace chan {

// `cancelled` ends an asynchronous wait whose stop token was triggered first.
enum class status : unsigned char { ok, empty, full, closed, timeout, cancelled };

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

#pragma once

// How chan reports a misuse it cannot turn into a status (a capacity of zero, a capacity too large
// for memory): an exception where exceptions exist, else a message on stderr and std::abort(), so a
// build with -fno-exceptions (common in games and embedded code) compiles and fails loudly.

#include <cstdio>
#include <cstdlib>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#include <stdexcept>
#endif

namespace chan::detail {

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
[[noreturn]] inline void fail_invalid_argument(const char* message) { throw std::invalid_argument(message); }
[[noreturn]] inline void fail_length_error(const char* message) { throw std::length_error(message); }
#else
[[noreturn]] inline void fail_without_exceptions(const char* kind, const char* message) noexcept {
  std::fprintf(stderr, "%s: %s (built without exceptions: aborting)\n", kind, message);
  std::fflush(stderr);
  std::abort();
}
[[noreturn]] inline void fail_invalid_argument(const char* message) noexcept {
  fail_without_exceptions("std::invalid_argument", message);
}
[[noreturn]] inline void fail_length_error(const char* message) noexcept {
  fail_without_exceptions("std::length_error", message);
}
#endif

}  // namespace chan::detail

// bounded_queue::try_pop(T&) assigns an element that has already left the queue; with a move
// assignment that may throw, it must not compile (check_refused.cmake looks for the message).
#include <chan/conqueue.hpp>

#include <optional>

struct throwing_assignment {
  throwing_assignment() = default;
  throwing_assignment(throwing_assignment&&) noexcept = default;
  throwing_assignment& operator=(throwing_assignment&&) noexcept(false) { return *this; }
};

int main() {
  chan::bounded_queue<throwing_assignment> q(1);
  const bool pushed = q.push(throwing_assignment{});
  std::optional<throwing_assignment> popped = q.pop();  // pop() constructs: fine for this T
#if !defined(CHAN_CHECK_ACCEPTED)
  throwing_assignment out;
  static_cast<void>(q.try_pop(out));
#endif
  return pushed && popped ? 0 : 1;
}

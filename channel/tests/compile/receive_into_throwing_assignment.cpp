// Must NOT compile: a receive into `T& out` for a T whose move assignment may throw (SPEC section 2,
// "Exception safety"). ctest checks that the compiler's message points to recv_result.
#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

struct throwing_assignment {
  explicit throwing_assignment(int) noexcept {}
  throwing_assignment(throwing_assignment&&) noexcept = default;
  throwing_assignment& operator=(throwing_assignment&&) noexcept(false) { return *this; }
};

int main() {
  chan::channel<throwing_assignment> ch(1);
  throwing_assignment out(0);
#if defined(CHAN_RECEIVE_KIND_oneshot)
  auto [tx, rx] = chan::oneshot<throwing_assignment>();
  return static_cast<int>(rx.try_recv(out));
#elif defined(CHAN_RECEIVE_KIND_timed)
  return static_cast<int>(ch.recv_for(out, std::chrono::milliseconds(1)));
#else
  return static_cast<int>(ch.try_recv(out));
#endif
}

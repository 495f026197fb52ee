// Built with -fno-exceptions by check.cmake (the ctest no_exceptions_build_and_capacity_death):
// every public header compiles without exceptions, the calls work, and a capacity chan cannot give
// ends the process with a message instead of a throw.
//   no_exceptions_program use     sends, receives, times out, closes; exit 0 when all is as expected
//   no_exceptions_program zero    channel<int>(0): must abort with "capacity must be at least 1"
//   no_exceptions_program huge    channel<int>(SIZE_MAX): must abort with "capacity too large"

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

namespace {

int use() {
  using namespace std::chrono_literals;
  chan::channel<int> ch(2);
  int failures = 0;
  const auto expect = [&failures](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "no_exceptions: %s failed\n", what);
      ++failures;
    }
  };
  expect(ch.try_send(1) == chan::status::ok, "try_send");
  expect(ch.send(2) == chan::status::ok, "send");
  expect(ch.send_for(3, 1ms) == chan::status::timeout, "send_for on a full channel");
  int out = 0;
  expect(ch.recv(out) == chan::status::ok && out == 1, "recv");
  const std::optional<int> next = ch.recv();
  expect(next && *next == 2, "recv()");
  expect(ch.recv_for(out, 1ms) == chan::status::timeout, "recv_for on an empty channel");
  expect(ch.close(), "close");
  expect(ch.try_recv(out) == chan::status::closed, "try_recv after close");
  auto [tx, rx] = chan::oneshot<int>();
  expect(tx.send(9) == chan::status::ok, "oneshot send");
  expect(rx.recv(out) == chan::status::ok && out == 9, "oneshot recv");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "use") == 0) return use();
  if (argc == 2 && std::strcmp(argv[1], "zero") == 0) {
    chan::channel<int> ch(0);
    std::printf("no_exceptions: a channel of capacity 0 was made (capacity %zu)\n", ch.capacity());
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "huge") == 0) {
    chan::channel<int> ch(SIZE_MAX);
    std::printf("no_exceptions: a channel of capacity SIZE_MAX was made\n");
    return 0;
  }
  std::fprintf(stderr, "usage: %s use|zero|huge\n", argv[0]);
  return 2;
}

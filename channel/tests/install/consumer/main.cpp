// Uses the installed headers the way a user would; exits non-zero if the channel misbehaves.
// Built twice by check_install.cmake: through find_package (with the package's version defined) and
// with nothing but the flags `pkg-config --cflags --libs chan` gives.
#include <chan/channel.hpp>
#include <chan/conqueue.hpp>
#include <chan/oneshot.hpp>
#include <chan/version.hpp>

#include <string>
#include <thread>

#if defined(CHAN_PACKAGE_VERSION_MAJOR)
static_assert(CHAN_VERSION_MAJOR == CHAN_PACKAGE_VERSION_MAJOR && CHAN_VERSION_MINOR == CHAN_PACKAGE_VERSION_MINOR &&
                  CHAN_VERSION_PATCH == CHAN_PACKAGE_VERSION_PATCH,
              "chan/version.hpp and chanConfigVersion.cmake disagree");
#endif

int main() {
  chan::channel<std::string> jobs(2);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      if (jobs.send(std::to_string(i)) != chan::status::ok) return;
    }
    jobs.close();
  });
  int received = 0;
  for (auto&& job : jobs) received += (job == std::to_string(received)) ? 1 : 1000;
  producer.join();

  chan::bounded_queue<int> queue(1);
  if (!queue.push(received) || queue.pop() != 100) return 1;

  auto [reply_to, reply] = chan::oneshot<int>();
  if (reply_to.send(received) != chan::status::ok) return 1;
  int answer = 0;
  return (reply.recv(answer) == chan::status::ok && answer == 100) ? 0 : 1;
}

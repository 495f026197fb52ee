// Uses the installed headers the way a user would; exits non-zero if the channel misbehaves.
#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include <string>
#include <thread>

int main() {
  chan::channel<std::string> jobs(2);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) jobs.send(std::to_string(i));
    jobs.close();
  });
  int received = 0;
  while (auto job = jobs.recv()) received += (*job == std::to_string(received)) ? 1 : 1000;
  producer.join();

  auto [reply_to, reply] = chan::oneshot<int>();
  reply_to.send(received);
  int answer = 0;
  return (reply.recv(answer) == chan::status::ok && answer == 100) ? 0 : 1;
}

// A single thread sends and receives `ops` u64 items through chan or the textbook Vyukov queue, for
// `valgrind --tool=callgrind`. ci/bench runs it at two sizes and divides the difference in
// instructions by the difference in ops, so start-up and teardown cancel out.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "adapters/chan.hpp"
#include "adapters/vyukov.hpp"

namespace {

template <class Queue>
std::uint64_t send_recv(std::uint64_t ops) {
  Queue queue(1024, 1);
  std::uint64_t sum = 0;
  for (std::uint64_t i = 1; i <= ops; ++i) {
    if (!queue.try_push(std::uint64_t{i})) std::abort();
    std::uint64_t item = 0;
    if (!queue.try_pop(item)) std::abort();
    sum += item;
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s chan|vyukov OPS\n", argv[0]);
    return 2;
  }
  const std::uint64_t ops = std::strtoull(argv[2], nullptr, 10);
  std::uint64_t sum = 0;
  if (std::strcmp(argv[1], "chan") == 0) {
    sum = send_recv<bench::chan_adapter<std::uint64_t>>(ops);
  } else if (std::strcmp(argv[1], "vyukov") == 0) {
    sum = send_recv<bench::vyukov_queue<std::uint64_t>>(ops);
  } else {
    std::fprintf(stderr, "unknown queue %s\n", argv[1]);
    return 2;
  }
  // Printing the sum keeps the loop from being optimised away and checks it.
  std::printf("%llu\n", static_cast<unsigned long long>(sum));
  return sum == ops * (ops + 1) / 2 ? 0 : 1;
}

// Single-thread programs for `valgrind --tool=callgrind`; ci/bench runs each at two sizes and divides
// the difference in instructions by the difference in ops, so start-up and teardown cancel out.
//
//   chan OPS, vyukov OPS   one thread sends and receives OPS u64 items through chan or the textbook
//                          Vyukov queue: instructions per send+recv pair (counted over the whole run)
//   try_recv OPS, select_biased OPS, select_unbiased OPS, selector_biased OPS, selector_unbiased OPS
//                          the channels are filled first; then OPS receives, and only they are counted
//                          (CALLGRIND_TOGGLE_COLLECT around them; run with --collect-atstart=no):
//     try_recv             channel::try_recv(out) on a channel that has an item
//     select_biased        try_select(biased, recv(a), recv(b)) with a ready (b empty): the first scanned arm fires
//     select_unbiased      try_select(recv(a), recv(b)) with both ready: one draw, then the drawn arm fires
//     selector_*           the same through the run-time chan::selector<> (its two arms added once)
// Each receive also adds the item to a sum that is checked, so the loop cannot be optimised away.
//
// The receive modes live in instructions_select.cpp: in this file g++ sees try_send and try_recv called
// once each and inlines them into the send+recv loop, as in a program that calls them in one place.
// With the select modes in the same file it kept them out of line (57 instructions per pair, not 37).

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

std::uint64_t run_mode(const char* mode, std::uint64_t ops);  // instructions_select.cpp

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr,
                 "usage: %s chan|vyukov|try_recv|select_biased|select_unbiased|selector_biased|selector_unbiased "
                 "OPS\n",
                 argv[0]);
    return 2;
  }
  const std::uint64_t ops = std::strtoull(argv[2], nullptr, 10);
  std::uint64_t sum = 0;
  if (std::strcmp(argv[1], "chan") == 0) {
    sum = send_recv<bench::chan_adapter<std::uint64_t>>(ops);
  } else if (std::strcmp(argv[1], "vyukov") == 0) {
    sum = send_recv<bench::vyukov_queue<std::uint64_t>>(ops);
  } else {
    sum = run_mode(argv[1], ops);
  }
  // Printing the sum keeps the loop from being optimised away and checks it.
  std::printf("%llu\n", static_cast<unsigned long long>(sum));
  return sum == ops * (ops + 1) / 2 ? 0 : 1;
}

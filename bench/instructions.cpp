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

#if !__has_include(<valgrind/callgrind.h>)
#error "chan_instructions needs valgrind's <valgrind/callgrind.h> (Debian: valgrind; ci/deps installs it)"
#endif
#include <valgrind/callgrind.h>

#include <chan/channel.hpp>
#include <chan/select.hpp>

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

using u64_channel = chan::channel<std::uint64_t>;

void fill(u64_channel& ch, std::uint64_t ops) {
  for (std::uint64_t i = 1; i <= ops; ++i) {
    if (ch.try_send(std::uint64_t{i}) != chan::status::ok) std::abort();
  }
}

// Fills a (and b, when both are to be ready) with 1..ops, then counts `ops` calls of the receive that
// make(a, b, out) returns (made before counting starts).
template <class Make>
std::uint64_t counted_receives(std::uint64_t ops, bool both_ready, Make&& make) {
  u64_channel a(ops);
  u64_channel b(ops);
  fill(a, ops);
  if (both_ready) fill(b, ops);
  std::uint64_t sum = 0;
  std::uint64_t item = 0;
  auto receive = make(a, b, item);
  CALLGRIND_TOGGLE_COLLECT;
  for (std::uint64_t i = 0; i != ops; ++i) {
    receive();
    sum += item;
  }
  CALLGRIND_TOGGLE_COLLECT;
  // Each channel held 1..ops: a biased select takes them all from a; an unbiased one takes a prefix of
  // each, so then only the count of what is left is checked.
  std::uint64_t left = 0;
  while (a.try_recv(item) == chan::status::ok) ++left;
  while (b.try_recv(item) == chan::status::ok) ++left;
  if (left != (both_ready ? ops : 0)) std::abort();
  return both_ready ? ops * (ops + 1) / 2 : sum;
}

void require_ok(chan::selected got) {
  if (got.result != chan::status::ok) std::abort();
}

std::uint64_t run_mode(const char* mode, std::uint64_t ops) {
  const auto is = [mode](const char* name) { return std::strcmp(mode, name) == 0; };
  if (is("try_recv")) {
    return counted_receives(ops, false, [](u64_channel& a, u64_channel&, std::uint64_t& out) {
      return [&a, &out] {
        if (a.try_recv(out) != chan::status::ok) std::abort();
      };
    });
  }
  if (is("select_biased")) {
    return counted_receives(ops, false, [](u64_channel& a, u64_channel& b, std::uint64_t& out) {
      return [&a, &b, &out] { require_ok(chan::try_select(chan::biased, chan::recv(a, out), chan::recv(b, out))); };
    });
  }
  if (is("select_unbiased")) {
    return counted_receives(ops, true, [](u64_channel& a, u64_channel& b, std::uint64_t& out) {
      return [&a, &b, &out] { require_ok(chan::try_select(chan::recv(a, out), chan::recv(b, out))); };
    });
  }
  // The selector's two arms are added once, before counting, as a fan-in loop would.
  chan::selector<> sel;
  const auto add_arms = [&sel](u64_channel& a, u64_channel& b, std::uint64_t& out) {
    sel.add_recv(a, out);
    sel.add_recv(b, out);
  };
  if (is("selector_biased")) {
    return counted_receives(ops, false, [&](u64_channel& a, u64_channel& b, std::uint64_t& out) {
      add_arms(a, b, out);
      return [&sel] { require_ok(sel.try_select(chan::biased)); };
    });
  }
  if (is("selector_unbiased")) {
    return counted_receives(ops, true, [&](u64_channel& a, u64_channel& b, std::uint64_t& out) {
      add_arms(a, b, out);
      return [&sel] { require_ok(sel.try_select()); };
    });
  }
  std::fprintf(stderr, "unknown mode %s\n", mode);
  std::exit(2);
}

}  // namespace

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

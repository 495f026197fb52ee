// The receive modes of chan_instructions (see instructions.cpp): try_recv against select and the
// run-time selector, only the receives counted.

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

namespace {

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

}  // namespace

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

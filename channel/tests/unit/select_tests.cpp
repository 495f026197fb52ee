// SPEC section 1a and section 2 "Select (1a)": exactly one arm fires and the others are untouched,
// closed arms, timeouts, try_select, fairness and bias, parking and wake-ups (duplicate channels,
// oneshot arms), the run-time selector, and ports by behaviour of Go's runtime/chan_test.go select
// tests (TestNonblockSelectRace, TestNonblockSelectRace2, TestSelfSelect, TestSelectStress).
// No test asserts how long anything took; waits that must end use deadlines of seconds.

#include <chan/select.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <vector>

using chan::channel;
using chan::status;
using namespace std::chrono_literals;

namespace {

// Gives started threads a chance to reach their blocking call. Correctness does not depend on it.
void let_threads_block() { std::this_thread::sleep_for(20ms); }

template <class T>
bool has_receivers_waiting(channel<T>& ch) {
  return chan::detail::select_access::receivers(ch).has_waiters();
}
template <class T>
bool has_senders_waiting(channel<T>& ch) {
  return chan::detail::select_access::senders(ch).has_waiters();
}

// Catch2's assertions are not for other threads: those count failed checks here, and the test
// asserts the count is zero after joining them.
std::atomic<int> thread_failures{0};
void expect(bool condition) {
  if (!condition) ++thread_failures;
}

}  // namespace

// The no-heap test replaces the global operator new, which the sanitizers' runtimes define
// themselves (the link fails with two definitions): there, the dev, clang and m32 builds run it.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CHAN_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CHAN_TEST_SANITIZED 1
#endif
#endif

#ifndef CHAN_TEST_SANITIZED
namespace {
// Heap allocations made by this thread while `counting` is set (the no-heap promise).
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* memory = std::malloc(size ? size : 1)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
#endif

// ---- exactly one arm, losers untouched ----------------------------------------------------------

TEST_CASE("select_fires_exactly_one_ready_arm_and_leaves_the_others_untouched", "[unit][select]") {
  channel<int> a(2), b(2), c(1);
  REQUIRE(a.try_send(1) == status::ok);
  REQUIRE(b.try_send(2) == status::ok);
  REQUIRE(c.try_send(9) == status::ok);  // c is full: its send arm is not ready
  for (int round = 0; round < 50; ++round) {
    int from_a = -1, from_b = -1, to_c = 3;
    const chan::selected s = chan::select(chan::recv(a, from_a), chan::recv(b, from_b), chan::send(c, to_c));
    REQUIRE(s);
    REQUIRE(s.result == status::ok);
    REQUIRE(to_c == 3);
    if (s.index == 0) {
      REQUIRE(from_a == 1);
      REQUIRE(from_b == -1);
      REQUIRE(b.size() == 1);
      REQUIRE(a.try_send(1) == status::ok);
    } else {
      REQUIRE(s.index == 1);
      REQUIRE(from_b == 2);
      REQUIRE(from_a == -1);
      REQUIRE(a.size() == 1);
      REQUIRE(b.try_send(2) == status::ok);
    }
  }
  REQUIRE(c.size() == 1);
}

TEST_CASE("send_arm_moves_its_value_only_when_it_fires", "[unit][select]") {
  channel<std::unique_ptr<int>> full(1), open(1);
  REQUIRE(full.try_send(std::make_unique<int>(0)) == status::ok);
  auto kept = std::make_unique<int>(1);
  auto given = std::make_unique<int>(2);
  const chan::selected s = chan::select(chan::biased, chan::send(full, kept), chan::send(open, given));
  REQUIRE(s.index == 1);
  REQUIRE(s.result == status::ok);
  REQUIRE(kept);
  REQUIRE(*kept == 1);
  REQUIRE_FALSE(given);
  std::unique_ptr<int> out;
  REQUIRE(open.try_recv(out) == status::ok);
  REQUIRE(*out == 2);
}

TEST_CASE("recv_arm_into_optional_emplaces_a_type_without_default_constructor", "[unit][select]") {
  struct no_default {
    explicit no_default(int v) noexcept : value(v) {}
    no_default(no_default&&) noexcept = default;
    no_default& operator=(no_default&&) = delete;
    int value;
  };
  channel<no_default> ch(1);
  REQUIRE(ch.try_send(no_default(7)) == status::ok);
  std::optional<no_default> out;
  const chan::selected s = chan::try_select(chan::recv(ch, out));
  REQUIRE(s.index == 0);
  REQUIRE(out);
  REQUIRE(out->value == 7);
}

// ---- try_select, timeouts, closed arms ----------------------------------------------------------

TEST_CASE("try_select_with_nothing_ready_answers_empty_and_changes_nothing", "[unit][select]") {
  channel<int> empty_ch(1), full_ch(1);
  REQUIRE(full_ch.try_send(5) == status::ok);
  int out = -1, value = 6;
  const chan::selected s = chan::try_select(chan::recv(empty_ch, out), chan::send(full_ch, value));
  REQUIRE_FALSE(s);
  REQUIRE(s.index == chan::no_arm);
  REQUIRE(s.result == status::empty);
  REQUIRE(out == -1);
  REQUIRE(value == 6);
  REQUIRE(empty_ch.size() == 0);
  REQUIRE(full_ch.size() == 1);
  REQUIRE_FALSE(has_receivers_waiting(empty_ch));
  REQUIRE_FALSE(has_senders_waiting(full_ch));
}

TEST_CASE("select_for_times_out_leaving_values_and_lists_clean", "[unit][select][timeout]") {
  channel<int> empty_ch(1), full_ch(1);
  REQUIRE(full_ch.try_send(5) == status::ok);
  int out = -1, value = 6;
  const chan::selected s = chan::select_for(5ms, chan::recv(empty_ch, out), chan::send(full_ch, value));
  REQUIRE(s.index == chan::no_arm);
  REQUIRE(s.result == status::timeout);
  REQUIRE(out == -1);
  REQUIRE(value == 6);
  REQUIRE_FALSE(has_receivers_waiting(empty_ch));
  REQUIRE_FALSE(has_senders_waiting(full_ch));

  const chan::selected zero = chan::select_for(chan::biased, 0ms, chan::recv(empty_ch, out));
  REQUIRE(zero.result == status::timeout);
  const chan::selected past =
      chan::select_until(std::chrono::system_clock::now() - 1h, chan::recv(empty_ch, out), chan::send(full_ch, value));
  REQUIRE(past.result == status::timeout);
  REQUIRE(value == 6);
}

TEST_CASE("select_until_with_a_ready_arm_fires_even_past_its_deadline", "[unit][select][timeout]") {
  channel<int> ch(1);
  REQUIRE(ch.try_send(4) == status::ok);
  int out = 0;
  const chan::selected s = chan::select_until(std::chrono::steady_clock::now() - 1s, chan::recv(ch, out));
  REQUIRE(s.index == 0);
  REQUIRE(out == 4);
}

TEST_CASE("closed_arms_fire_with_closed_after_the_drain", "[unit][select][close]") {
  channel<int> rx_side(2), tx_side(1), idle(1);
  REQUIRE(rx_side.try_send(1) == status::ok);
  rx_side.close();
  int out = 0;
  // Buffered items first, then `closed`.
  chan::selected s = chan::try_select(chan::recv(idle, out), chan::recv(rx_side, out));
  REQUIRE(s.index == 1);
  REQUIRE(s.result == status::ok);
  REQUIRE(out == 1);
  s = chan::select(chan::recv(idle, out), chan::recv(rx_side, out));
  REQUIRE(s.index == 1);
  REQUIRE(s.result == status::closed);

  tx_side.close();
  auto value = std::make_unique<int>(3);
  channel<std::unique_ptr<int>> closed_tx(1);
  closed_tx.close();
  s = chan::select(chan::recv(idle, out), chan::send(closed_tx, value));
  REQUIRE(s.index == 1);
  REQUIRE(s.result == status::closed);
  REQUIRE(value);  // untouched
}

TEST_CASE("close_wakes_a_blocked_select", "[unit][select][close]") {
  channel<int> a(1), b(1);
  int out = 0;
  chan::selected s{};
  std::thread selecting([&] { s = chan::select(chan::recv(a, out), chan::recv(b, out)); });
  let_threads_block();
  b.close();
  selecting.join();
  REQUIRE(s.index == 1);
  REQUIRE(s.result == status::closed);
  REQUIRE_FALSE(has_receivers_waiting(a));
  REQUIRE_FALSE(has_receivers_waiting(b));
}

// ---- parking and wake-ups -----------------------------------------------------------------------

TEST_CASE("blocked_select_is_woken_by_a_send_on_any_arm", "[unit][select][blocking]") {
  for (int target = 0; target < 2; ++target) {
    channel<int> a(1), b(1);
    int from_a = -1, from_b = -1;
    chan::selected s{};
    std::thread selecting([&] { s = chan::select(chan::recv(a, from_a), chan::recv(b, from_b)); });
    let_threads_block();
    REQUIRE((target == 0 ? a : b).send(10 + target) == status::ok);
    selecting.join();
    REQUIRE(s.index == static_cast<std::size_t>(target));
    REQUIRE((target == 0 ? from_a : from_b) == 10 + target);
    REQUIRE((target == 0 ? from_b : from_a) == -1);
  }
}

TEST_CASE("blocked_send_select_is_woken_when_a_slot_frees", "[unit][select][blocking]") {
  channel<int> a(1), b(1);
  REQUIRE(a.try_send(1) == status::ok);
  REQUIRE(b.try_send(2) == status::ok);
  int x = 3, y = 4;
  chan::selected s{};
  std::thread selecting([&] { s = chan::select(chan::send(a, x), chan::send(b, y)); });
  let_threads_block();
  int out = 0;
  REQUIRE(b.recv(out) == status::ok);
  selecting.join();
  REQUIRE(s.index == 1);
  REQUIRE(b.try_recv(out) == status::ok);
  REQUIRE(out == 4);
  REQUIRE(a.size() == 1);
  REQUIRE_FALSE(has_senders_waiting(a));
}

// Woken through one channel, the select must leave the other channel's list clean, so that a plain
// receiver waiting there later is still woken by a send (crossbeam's select `duplicate` concern).
TEST_CASE("select_woken_through_one_channel_leaves_the_other_list_clean", "[unit][select][blocking]") {
  channel<int> a(1), b(1);
  int out = -1;
  chan::selected s{};
  std::thread selecting([&] { s = chan::select(chan::recv(a, out), chan::recv(b, out)); });
  while (!has_receivers_waiting(b)) std::this_thread::yield();
  REQUIRE(a.send(1) == status::ok);
  selecting.join();
  REQUIRE(s.index == 0);
  REQUIRE_FALSE(has_receivers_waiting(a));
  REQUIRE_FALSE(has_receivers_waiting(b));

  status plain = status::empty;
  int got = 0;
  std::thread receiver([&] { plain = b.recv_for(got, 20s); });
  while (!has_receivers_waiting(b)) std::this_thread::yield();
  REQUIRE(b.send(2) == status::ok);
  receiver.join();
  REQUIRE(plain == status::ok);
  REQUIRE(got == 2);
}

TEST_CASE("two_arms_on_one_channel_take_one_item_and_leave_no_entry", "[unit][select][blocking]") {
  channel<int> ch(2);
  int first = -1, second = -1;
  chan::selected s{};
  std::thread selecting([&] { s = chan::select(chan::recv(ch, first), chan::recv(ch, second)); });
  let_threads_block();
  REQUIRE(ch.send(5) == status::ok);
  selecting.join();
  REQUIRE(s.result == status::ok);
  REQUIRE((s.index == 0 ? first : second) == 5);
  REQUIRE((s.index == 0 ? second : first) == -1);
  REQUIRE_FALSE(has_receivers_waiting(ch));
  REQUIRE(ch.size() == 0);
}

TEST_CASE("oneshot_arms_receive_the_value_or_closed", "[unit][select][oneshot]") {
  channel<int> idle(1);
  int out = -1, value = -1;
  {
    auto ends = chan::oneshot<int>();  // not a structured binding: clang 14 cannot capture those
    auto& tx = ends.first;
    auto& rx = ends.second;
    chan::selected s{};
    std::thread selecting([&] { s = chan::select(chan::recv(idle, out), chan::recv(rx, value)); });
    let_threads_block();
    REQUIRE(tx.send(42) == status::ok);
    selecting.join();
    REQUIRE(s.index == 1);
    REQUIRE(s.result == status::ok);
    REQUIRE(value == 42);
    REQUIRE(out == -1);
    // Taken: the arm is closed from now on.
    REQUIRE(chan::try_select(chan::recv(rx, value)).result == status::closed);
  }
  {
    auto ends = chan::oneshot<std::unique_ptr<int>>();
    auto& tx = ends.first;
    auto& rx = ends.second;
    std::optional<std::unique_ptr<int>> got;
    chan::selected s{};
    std::thread selecting([&] { s = chan::select(chan::recv(idle, out), chan::recv(rx, got)); });
    let_threads_block();
    { auto dropped = std::move(tx); }
    selecting.join();
    REQUIRE(s.index == 1);
    REQUIRE(s.result == status::closed);
    REQUIRE_FALSE(got);
  }
}

// ---- fairness and bias --------------------------------------------------------------------------

// Two ready arms, 10,000 selects: each count within 10 sigma of 5,000 (sigma = 50). A third arm that
// is never ready must not shift the odds (a rotating start offset would give one arm 2/3). The typed
// select and the run-time selector (which draws one arm and, when that one is not ready, shuffles them
// all out of line) are held to the same odds.
TEST_CASE("unbiased_select_picks_ready_arms_uniformly", "[unit][select][fairness]") {
  constexpr int rounds = 10000;
  const double sigma = std::sqrt(rounds * 0.25);
  channel<int> a(1), b(1), never(1);
  REQUIRE(a.try_send(0) == status::ok);
  REQUIRE(b.try_send(1) == status::ok);
  int out = 0, unused = 0;
  chan::selector<4> runtime;
  runtime.add_recv(never, unused);
  runtime.add_recv(a, out);
  runtime.add_recv(b, out);
  const auto typed = [&] { return chan::select(chan::recv(never, unused), chan::recv(a, out), chan::recv(b, out)); };
  const auto at_run_time = [&] { return runtime.try_select(); };
  const auto check_odds = [&](const auto& select_once) {
    int counts[3] = {};
    for (int i = 0; i < rounds; ++i) {
      const chan::selected s = select_once();
      REQUIRE(s.result == status::ok);
      ++counts[s.index];
      REQUIRE((s.index == 1 ? a : b).try_send(out) == status::ok);
    }
    REQUIRE(counts[0] == 0);
    REQUIRE(std::abs(counts[1] - rounds / 2) < 10 * sigma);
    REQUIRE(std::abs(counts[2] - rounds / 2) < 10 * sigma);
  };
  check_odds(typed);
  check_odds(at_run_time);
}

TEST_CASE("biased_select_always_picks_the_first_ready_arm", "[unit][select][fairness]") {
  channel<int> a(1), b(1), c(1);
  REQUIRE(b.try_send(1) == status::ok);
  REQUIRE(c.try_send(2) == status::ok);
  int out = 0;
  for (int i = 0; i < 1000; ++i) {
    const chan::selected s = chan::select(chan::biased, chan::recv(a, out), chan::recv(b, out), chan::recv(c, out));
    REQUIRE(s.index == 1);
    REQUIRE(b.try_send(out) == status::ok);
  }
  chan::selector<4> runtime;
  runtime.add_recv(a, out);
  runtime.add_recv(c, out);
  runtime.add_recv(b, out);
  for (int i = 0; i < 100; ++i) {
    const chan::selected s = runtime.try_select(chan::biased);
    REQUIRE(s.index == 1);
    REQUIRE(c.try_send(out) == status::ok);
  }
}

// ---- the run-time selector ----------------------------------------------------------------------

TEST_CASE("selector_runs_arms_added_at_run_time", "[unit][select][selector]") {
  constexpr int workers = 6;
  std::vector<std::unique_ptr<channel<int>>> results;
  for (int i = 0; i < workers; ++i) results.push_back(std::make_unique<channel<int>>(1));
  std::vector<int> outs(workers, -1);
  chan::selector<8> fan_in;
  for (int i = 0; i < workers; ++i) REQUIRE(fan_in.add_recv(*results[i], outs[i]) == static_cast<std::size_t>(i));
  REQUIRE(fan_in.size() == workers);
  REQUIRE(fan_in.try_select().result == status::empty);
  REQUIRE(fan_in.select_for(1ms).result == status::timeout);

  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) threads.emplace_back([&, i] { expect(results[i]->send(100 + i) == status::ok); });
  std::vector<int> seen(workers, 0);
  for (int n = 0; n < workers; ++n) {
    const chan::selected s = fan_in.select_until(std::chrono::steady_clock::now() + 20s);
    REQUIRE(s.result == status::ok);
    REQUIRE(outs[s.index] == 100 + static_cast<int>(s.index));
    ++seen[s.index];
  }
  for (auto& t : threads) t.join();
  REQUIRE(thread_failures.load() == 0);
  for (int count : seen) REQUIRE(count == 1);

  int extra = 0;
  chan::selector<1> small;
  small.add_recv(*results[0], extra);
  REQUIRE_THROWS_AS(small.add_recv(*results[1], extra), std::length_error);
  small.clear();
  REQUIRE(small.size() == 0);
}

#ifndef CHAN_TEST_SANITIZED
TEST_CASE("select_allocates_nothing_on_the_heap", "[unit][select]") {
  channel<int> a(1), b(1);
  int out = 0, value = 1;
  chan::selector<4> runtime;
  runtime.add_recv(a, out);
  runtime.add_send(b, value);
  std::thread sender([&] {
    let_threads_block();
    expect(a.send(3) == status::ok);
  });
  counting = true;
  const chan::selected blocked = chan::select(chan::recv(a, out), chan::recv(b, out));  // parks, then woken
  const chan::selected ready = runtime.select();                                        // b has room
  const chan::selected timed = chan::select_for(1ms, chan::recv(a, out));
  const long made = allocations;
  counting = false;
  sender.join();
  REQUIRE(thread_failures.load() == 0);
  REQUIRE(blocked.index == 0);
  REQUIRE(ready.index == 1);
  REQUIRE(timed.result == status::timeout);
  REQUIRE(made == 0);
}
#endif

// ---- ports of Go's select tests (runtime/chan_test.go), by behaviour ----------------------------

namespace {

// One thread of a round-based race: run(round) on the worker, main(round) on this thread, with the
// worker started as close as possible to main's moves. Threads are reused across rounds.
std::atomic<int> spin_sink{0};

template <class Setup, class Worker, class Main>
void race_rounds(int rounds, Setup setup, Worker worker, Main main) {
  std::atomic<int> started{-1}, finished{-1};
  std::thread other([&] {
    for (int round = 0; round < rounds; ++round) {
      // Spins (yielding now and then) rather than sleeping, to start as soon as main does.
      for (unsigned spins = 1; started.load(std::memory_order_acquire) != round; ++spins) {
        if (spins % 1024 == 0) std::this_thread::yield();
      }
      worker(round);
      finished.store(round, std::memory_order_release);
    }
  });
  for (int round = 0; round < rounds; ++round) {
    setup(round);
    started.store(round, std::memory_order_release);
    // A varying head start, so that the worker's scan often overlaps main's moves.
    for (int i = (round * 7) % 256; i > 0; --i) spin_sink.fetch_add(1, std::memory_order_relaxed);
    main(round);
    while (finished.load(std::memory_order_acquire) != round) std::this_thread::yield();
  }
  other.join();
}

}  // namespace

// TestNonblockSelectRace: c1 is ready; the worker try-selects on c1 and c2 while main makes c2
// ready and only then drains c1. At every moment one arm is ready, so `empty` is never right.
TEST_CASE("go_nonblock_select_race_never_answers_empty", "[unit][select][race]") {
  constexpr int rounds = 100000;
  std::optional<channel<int>> c1, c2;
  int spurious = 0;
  race_rounds(
      rounds,
      [&](int) {
        c1.emplace(1);
        c2.emplace(1);
        expect(c1->try_send(1) == status::ok);
      },
      [&](int) {
        int out = 0;
        if (!chan::try_select(chan::recv(*c1, out), chan::recv(*c2, out))) ++spurious;
      },
      [&](int) {
        expect(c2->try_send(1) == status::ok);
        int out = 0;
        (void)c1->try_recv(out);
      });
  REQUIRE(thread_failures.load() == 0);
  REQUIRE(spurious == 0);
}

// TestNonblockSelectRace2: the same with c2 made ready by closing it.
TEST_CASE("go_nonblock_select_race2_never_answers_empty", "[unit][select][race]") {
  constexpr int rounds = 100000;
  std::optional<channel<int>> c1, c2;
  int spurious = 0;
  race_rounds(
      rounds,
      [&](int) {
        c1.emplace(1);
        c2.emplace(1);
        expect(c1->try_send(1) == status::ok);
      },
      [&](int) {
        int out = 0;
        if (!chan::try_select(chan::recv(*c1, out), chan::recv(*c2, out))) ++spurious;
      },
      [&](int) {
        c2->close();
        int out = 0;
        (void)c1->try_recv(out);
      });
  REQUIRE(thread_failures.load() == 0);
  REQUIRE(spurious == 0);
}

// TestSelfSelect: two threads each select over a send and a receive arm on the same channel. With
// capacity 1 one of the two arms is always ready, so nobody blocks for long; every item received was
// sent exactly once, and what is left is in the channel.
TEST_CASE("go_self_select_send_and_recv_arms_on_one_channel", "[unit][select][race]") {
  for (std::size_t capacity : {std::size_t{1}, std::size_t{3}}) {
    channel<int> ch(capacity);
    constexpr int per_thread = 2000;
    std::vector<int> received[2];
    int sent[2] = {};
    auto body = [&](int id) {
      int next = id * 1000000;
      for (int i = 0; i < per_thread; ++i) {
        int value = next, out = -1;
        const chan::selected s = chan::select(chan::send(ch, value), chan::recv(ch, out));
        expect(s.result == status::ok);
        if (s.index == 0) {
          ++next;
          ++sent[id];
        } else {
          expect(value == next);  // the losing send arm kept its value
          received[id].push_back(out);
        }
      }
    };
    std::thread other(body, 1);
    body(0);
    other.join();
    REQUIRE(thread_failures.load() == 0);
    std::vector<int> seen;
    for (auto& list : received) seen.insert(seen.end(), list.begin(), list.end());
    int left = 0;
    while (ch.try_recv(left) == status::ok) seen.push_back(left);
    REQUIRE(static_cast<int>(seen.size()) == sent[0] + sent[1]);
    std::vector<int> per_source[2];
    for (int v : seen) per_source[v / 1000000].push_back(v % 1000000);
    for (int id = 0; id < 2; ++id) {
      std::sort(per_source[id].begin(), per_source[id].end());
      for (int i = 0; i < static_cast<int>(per_source[id].size()); ++i) REQUIRE(per_source[id][i] == i);
    }
  }
}

// TestSelectStress: four channels of capacities 1, 1, 2, 3. Per channel a plain sender and a plain
// receiver move N items; one select sender sends N more into each and one select receiver takes N
// more from each, dropping a channel's arm once its N are done. Every item arrives exactly once.
TEST_CASE("go_select_stress_over_four_channels", "[unit][select][race]") {
  constexpr int channels = 4;
  constexpr int n = 2000;
  std::vector<std::unique_ptr<channel<int>>> c;
  for (std::size_t capacity : {1, 1, 2, 3}) c.push_back(std::make_unique<channel<int>>(capacity));
  // item = source * 10^6 + channel * 10^5 + sequence; source 0..3 plain senders, 4 the select sender
  auto item = [](int source, int ch, int seq) { return source * 1000000 + ch * 100000 + seq; };
  std::vector<std::vector<int>> got(channels + 1);
  std::vector<std::thread> threads;
  for (int k = 0; k < channels; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < n; ++i) expect(c[k]->send(item(k, k, i)) == status::ok);
    });
    threads.emplace_back([&, k] {
      int out = 0;
      for (int i = 0; i < n; ++i) {
        expect(c[k]->recv(out) == status::ok);
        got[k].push_back(out);
      }
    });
  }
  threads.emplace_back([&] {
    int sent[channels] = {};
    int values[channels];
    for (int done = 0; done < channels * n;) {
      chan::selector<channels> arms;
      std::size_t which[channels];
      for (int k = 0; k < channels; ++k) {
        if (sent[k] == n) continue;
        values[k] = item(4, k, sent[k]);
        which[arms.add_send(*c[k], values[k])] = static_cast<std::size_t>(k);
      }
      const chan::selected s = arms.select();
      expect(s.result == status::ok);
      ++sent[which[s.index]];
      ++done;
    }
  });
  threads.emplace_back([&] {
    int taken[channels] = {};
    int out = 0;
    for (int done = 0; done < channels * n;) {
      chan::selector<channels> arms;
      std::size_t which[channels];
      for (int k = 0; k < channels; ++k) {
        if (taken[k] < n) which[arms.add_recv(*c[k], out)] = static_cast<std::size_t>(k);
      }
      const chan::selected s = arms.select();
      expect(s.result == status::ok);
      ++taken[which[s.index]];
      got[channels].push_back(out);
      ++done;
    }
  });
  for (auto& t : threads) t.join();
  REQUIRE(thread_failures.load() == 0);
  std::vector<int> all;
  for (auto& list : got) all.insert(all.end(), list.begin(), list.end());
  std::sort(all.begin(), all.end());
  std::vector<int> expected;
  for (int k = 0; k < channels; ++k) {
    for (int i = 0; i < n; ++i) {
      expected.push_back(item(k, k, i));
      expected.push_back(item(4, k, i));
    }
  }
  std::sort(expected.begin(), expected.end());
  REQUIRE(all == expected);
  for (auto& ch : c) REQUIRE(ch->size() == 0);
}

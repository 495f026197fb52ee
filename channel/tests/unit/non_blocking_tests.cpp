// docs/contract.md section 3, the non-blocking promises: exact capacity, FIFO, close-then-drain, element
// lifetimes, allocator use and the absence of a spurious `empty` after one's own send.

#include <chan/channel.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../support/counted.hpp"

using chan::channel;
using chan::status;
using chan_test::counted;

namespace {

// Shares its counters between rebound copies, so storage the channel allocates for its slots
// shows up no matter which value type the channel rebinds the allocator to.
struct allocation_log {
  std::size_t allocations = 0;
  std::size_t deallocations = 0;
  std::size_t bytes_live = 0;
};

template <class T>
struct counting_allocator {
  using value_type = T;

  explicit counting_allocator(allocation_log* log) noexcept : log(log) {}
  template <class U>
  counting_allocator(const counting_allocator<U>& other) noexcept : log(other.log) {}

  T* allocate(std::size_t n) {
    ++log->allocations;
    log->bytes_live += n * sizeof(T);
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    ++log->deallocations;
    log->bytes_live -= n * sizeof(T);
    std::allocator<T>().deallocate(p, n);
  }

  template <class U>
  bool operator==(const counting_allocator<U>& other) const noexcept {
    return log == other.log;
  }

  allocation_log* log;
};

struct no_default {
  no_default() = delete;
  explicit no_default(int v) noexcept : value(v) {}
  int value;
};

struct copy_counted {
  static inline int copies = 0;
  explicit copy_counted(int v) noexcept : value(v) {}
  copy_counted(const copy_counted& other) : value(other.value) { ++copies; }
  copy_counted(copy_counted&&) noexcept = default;
  copy_counted& operator=(const copy_counted&) = default;
  copy_counted& operator=(copy_counted&&) noexcept = default;
  int value;
};

struct pair_like {
  pair_like(int a, std::string b, double c) noexcept : number(a), text(std::move(b)), real(c) {}
  int number;
  std::string text;
  double real;
};

}  // namespace

TEST_CASE("capacity_is_exact_fill_then_full", "[unit][capacity]") {
  const std::size_t capacity = GENERATE(as<std::size_t>{}, 1, 2, 3, 5, 7, 32, 100);
  CAPTURE(capacity);
  channel<int> ch(capacity);
  REQUIRE(ch.capacity() == capacity);
  for (std::size_t i = 0; i < capacity; ++i) REQUIRE(ch.try_send(static_cast<int>(i)) == status::ok);
  REQUIRE(ch.try_send(-1) == status::full);
  REQUIRE(ch.size() == capacity);
  int out = -2;
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(out == 0);
  // One freed slot makes room for exactly one more.
  REQUIRE(ch.try_send(-3) == status::ok);
  REQUIRE(ch.try_send(-4) == status::full);
}

TEST_CASE("fifo_order_survives_many_laps", "[unit][fifo]") {
  const std::size_t capacity = GENERATE(as<std::size_t>{}, 1, 2, 3, 7);
  CAPTURE(capacity);
  channel<int> ch(capacity);
  int next_sent = 0;
  int next_expected = 0;
  // Uneven batches put head and tail at every relative offset across many laps.
  for (int round = 0; round < 200; ++round) {
    const std::size_t batch = 1 + static_cast<std::size_t>(round) % capacity;
    for (std::size_t i = 0; i < batch; ++i) REQUIRE(ch.try_send(next_sent++) == status::ok);
    for (std::size_t i = 0; i < batch; ++i) {
      int out = -1;
      REQUIRE(ch.try_recv(out) == status::ok);
      REQUIRE(out == next_expected++);
    }
    int out = -1;
    REQUIRE(ch.try_recv(out) == status::empty);
  }
}

TEST_CASE("zero_capacity_throws_invalid_argument", "[unit][capacity]") {
  REQUIRE_THROWS_AS(channel<int>(0), std::invalid_argument);
}

TEST_CASE("huge_capacity_throws_length_error", "[unit][capacity]") {
  const std::size_t max = std::numeric_limits<std::size_t>::max();
  REQUIRE_THROWS_AS(channel<int>(max), std::length_error);
  REQUIRE_THROWS_AS(channel<int>(max / 2), std::length_error);
}

TEST_CASE("failed_try_send_on_full_leaves_value_untouched", "[unit][lifetime]") {
  channel<std::unique_ptr<int>> ch(1);
  REQUIRE(ch.try_send(std::make_unique<int>(1)) == status::ok);
  auto kept = std::make_unique<int>(2);
  REQUIRE(ch.try_send(std::move(kept)) == status::full);
  REQUIRE(kept != nullptr);
  REQUIRE(*kept == 2);
}

TEST_CASE("failed_try_send_on_closed_leaves_value_untouched", "[unit][lifetime][close]") {
  channel<std::unique_ptr<int>> ch(4);
  ch.close();
  auto kept = std::make_unique<int>(3);
  REQUIRE(ch.try_send(std::move(kept)) == status::closed);
  REQUIRE(kept != nullptr);
  REQUIRE(*kept == 3);
}

TEST_CASE("try_emplace_constructs_from_several_arguments", "[unit]") {
  channel<pair_like> ch(2);
  REQUIRE(ch.try_emplace(7, std::string("seven"), 7.5) == status::ok);
  pair_like out(0, "", 0.0);
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(out.number == 7);
  REQUIRE(out.text == "seven");
  REQUIRE(out.real == 7.5);
  ch.close();
  REQUIRE(ch.try_emplace(1, std::string("x"), 1.0) == status::closed);
}

TEST_CASE("try_send_const_ref_copies_and_keeps_source", "[unit]") {
  copy_counted::copies = 0;
  channel<copy_counted> ch(2);
  const copy_counted source(42);
  REQUIRE(ch.try_send(source) == status::ok);
  REQUIRE(copy_counted::copies >= 1);
  REQUIRE(source.value == 42);
  copy_counted out(0);
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(out.value == 42);

  channel<std::string> strings(1);
  const std::string text = "a string long enough to live on the heap, not in the SSO buffer";
  REQUIRE(strings.try_send(text) == status::ok);
  REQUIRE(text == "a string long enough to live on the heap, not in the SSO buffer");
  std::string received;
  REQUIRE(strings.try_recv(received) == status::ok);
  REQUIRE(received == text);
}

TEST_CASE("close_returns_true_once_then_false", "[unit][close]") {
  channel<int> ch(3);
  REQUIRE_FALSE(ch.is_closed());
  REQUIRE(ch.close());
  REQUIRE(ch.is_closed());
  REQUIRE_FALSE(ch.close());
  REQUIRE(ch.is_closed());
}

TEST_CASE("close_then_drain_returns_buffered_items", "[unit][close]") {
  channel<int> ch(4);
  REQUIRE(ch.try_send(1) == status::ok);
  REQUIRE(ch.try_send(2) == status::ok);
  REQUIRE(ch.try_send(3) == status::ok);
  REQUIRE(ch.close());
  REQUIRE(ch.try_send(4) == status::closed);
  REQUIRE(ch.try_emplace(5) == status::closed);
  const int copied = 6;
  REQUIRE(ch.try_send(copied) == status::closed);
  REQUIRE(ch.size() == 3);
  for (int expected = 1; expected <= 3; ++expected) {
    int out = 0;
    REQUIRE(ch.try_recv(out) == status::ok);
    REQUIRE(out == expected);
  }
  int out = -1;
  REQUIRE(ch.try_recv(out) == status::closed);
  REQUIRE(out == -1);
  REQUIRE(ch.try_recv(out) == status::closed);
}

TEST_CASE("close_on_full_channel_still_drains_everything", "[unit][close]") {
  channel<int> ch(2);
  REQUIRE(ch.try_send(1) == status::ok);
  REQUIRE(ch.try_send(2) == status::ok);
  ch.close();
  // Closed takes precedence over full for senders.
  REQUIRE(ch.try_send(3) == status::closed);
  int out = 0;
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(ch.try_send(3) == status::closed);
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(out == 2);
  REQUIRE(ch.try_recv(out) == status::closed);
}

TEST_CASE("size_and_empty_track_sends_and_receives", "[unit]") {
  channel<int> ch(3);
  REQUIRE(ch.empty());
  REQUIRE(ch.size() == 0);
  int out = 0;
  for (int lap = 0; lap < 5; ++lap) {
    REQUIRE(ch.try_send(1) == status::ok);
    REQUIRE_FALSE(ch.empty());
    REQUIRE(ch.size() == 1);
    REQUIRE(ch.try_send(2) == status::ok);
    REQUIRE(ch.try_send(3) == status::ok);
    REQUIRE(ch.size() == 3);
    REQUIRE(ch.try_recv(out) == status::ok);
    REQUIRE(ch.size() == 2);
    REQUIRE(ch.try_recv(out) == status::ok);
    REQUIRE(ch.try_recv(out) == status::ok);
    REQUIRE(ch.size() == 0);
    REQUIRE(ch.empty());
  }
  REQUIRE(ch.try_send(1) == status::ok);
  ch.close();
  REQUIRE(ch.size() == 1);
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(ch.size() == 0);
  REQUIRE(ch.empty());
}

TEST_CASE("constructor_constructs_no_element", "[unit][lifetime]") {
  counted::reset();
  {
    channel<counted> ch(64);
    REQUIRE(counted::constructions == 0);
    REQUIRE(counted::live == 0);
  }
  REQUIRE(counted::destructions == 0);
}

TEST_CASE("destructor_destroys_each_buffered_item_once", "[unit][lifetime]") {
  counted::reset();
  {
    channel<counted> ch(5);
    for (int i = 0; i < 3; ++i) REQUIRE(ch.try_emplace(i) == status::ok);
    REQUIRE(counted::live == 3);
  }
  REQUIRE(counted::live == 0);
  REQUIRE(counted::destructions == counted::constructions);
}

TEST_CASE("destructor_destroys_each_buffered_item_once_after_wrap_around", "[unit][lifetime]") {
  counted::reset();
  {
    channel<counted> ch(4);
    counted out(0);
    // Leave head and tail mid-lap, with the live items straddling the end of the slot array.
    for (int i = 0; i < 11; ++i) {
      REQUIRE(ch.try_emplace(i) == status::ok);
      REQUIRE(ch.try_recv(out) == status::ok);
    }
    for (int i = 0; i < 4; ++i) REQUIRE(ch.try_emplace(100 + i) == status::ok);
    REQUIRE(ch.try_recv(out) == status::ok);
    REQUIRE(out.value() == 100);
    REQUIRE(ch.try_emplace(104) == status::ok);
    REQUIRE(ch.try_emplace(105) == status::full);
    // Four buffered, plus `out`; the refused emplace constructed nothing that is still alive.
    REQUIRE(counted::live == 5);
  }
  REQUIRE(counted::live == 0);
  REQUIRE(counted::destructions == counted::constructions);
}

TEST_CASE("destructor_destroys_buffered_items_after_close", "[unit][lifetime][close]") {
  counted::reset();
  {
    channel<counted> ch(3);
    REQUIRE(ch.try_emplace(1) == status::ok);
    REQUIRE(ch.try_emplace(2) == status::ok);
    ch.close();
    counted out(0);
    REQUIRE(ch.try_recv(out) == status::ok);
  }
  REQUIRE(counted::live == 0);
  REQUIRE(counted::destructions == counted::constructions);
}

TEST_CASE("type_without_default_constructor_works", "[unit]") {
  channel<no_default> ch(2);
  REQUIRE(ch.try_emplace(5) == status::ok);
  REQUIRE(ch.try_send(no_default(6)) == status::ok);
  no_default out(0);
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(out.value == 5);
  auto last = ch.recv();
  REQUIRE(last.has_value());
  REQUIRE(last->value == 6);
}

TEST_CASE("to_string_names_every_status", "[unit]") {
  REQUIRE(std::string(chan::to_string(status::ok)) == "ok");
  REQUIRE(std::string(chan::to_string(status::empty)) == "empty");
  REQUIRE(std::string(chan::to_string(status::full)) == "full");
  REQUIRE(std::string(chan::to_string(status::closed)) == "closed");
  REQUIRE(std::string(chan::to_string(status::timeout)) == "timeout");
}

TEST_CASE("custom_allocator_provides_the_storage", "[unit][allocator]") {
  allocation_log log;
  {
    channel<int, counting_allocator<int>> ch(16, counting_allocator<int>(&log));
    REQUIRE(log.allocations >= 1);
    REQUIRE(log.bytes_live >= 16 * sizeof(int));
    for (int i = 0; i < 16; ++i) REQUIRE(ch.try_send(i) == status::ok);
    REQUIRE(ch.try_send(16) == status::full);
  }
  REQUIRE(log.deallocations == log.allocations);
  REQUIRE(log.bytes_live == 0);
}

TEST_CASE("own_successful_send_is_visible_to_own_try_recv", "[unit][threads]") {
  // Other threads keep slots claimed-but-unwritten around ours; none of them receives, so the
  // item this thread just sent is in the channel and try_recv must not answer `empty`.
  constexpr int thread_count = 4;
  constexpr int rounds = 2000;
  channel<int> ch(static_cast<std::size_t>(thread_count) * 2);
  std::atomic<int> spurious_empty{0};
  std::atomic<int> missing_item{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        if (ch.try_send(t) != status::ok) {
          ++missing_item;
          return;
        }
        int out = -1;
        if (ch.try_recv(out) != status::ok) ++spurious_empty;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(missing_item == 0);
  REQUIRE(spurious_empty == 0);
  REQUIRE(ch.empty());
}

// docs/contract.md section 3, "Exception safety": an exception from a user's type (a copy, an emplace
// constructor, an allocator) leaves the channel as it was: nothing half-claimed, no waiter left
// behind, the caller's value untouched, every item sent exactly once. Regression tests for the
// review's defects 6, 7, 10 and 11, and a systematic injection run over every operation.

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../support/fragile.hpp"

using chan::channel;
using chan::status;
using chan_test::failure_plan;
using chan_test::fragile;
using chan_test::fragile_allocator;
using chan_test::injected_failure;
using namespace std::chrono_literals;

namespace {

// Built from a string by a constructor that may throw, so try_emplace takes its reserve-first path.
struct named {
  explicit named(std::string text) noexcept(false) : text(std::move(text)) {}
  named(named&&) noexcept = default;
  named& operator=(named&&) noexcept = default;
  std::string text;
};

// Receives everything buffered, in order.
template <class Channel>
std::vector<int> drain(Channel& ch) {
  std::vector<int> values;
  while (auto item = ch.try_recv()) values.push_back(item->value());
  return values;
}

// A later blocked receiver is woken by a later send, and a later blocked sender by a later receive:
// what a waiter entry left behind in a list would break.
void check_waiting_still_works(channel<fragile>& ch) {
  REQUIRE(drain(ch).empty());
  std::optional<fragile> got;
  std::thread receiver([&] { got = ch.recv(); });
  std::this_thread::sleep_for(2ms);
  REQUIRE(ch.send(fragile(100)) == status::ok);
  receiver.join();
  REQUIRE(got);
  REQUIRE(got->value() == 100);

  while (ch.try_send(fragile(200)) == status::ok) {
  }
  status sent = status::empty;  // Catch2's assertions belong to the test's own thread
  std::thread sender([&] { sent = ch.send(fragile(300)); });
  std::this_thread::sleep_for(2ms);
  auto first = ch.recv_for(1s);
  sender.join();
  REQUIRE(sent == status::ok);
  REQUIRE(first);
  const std::vector<int> rest = drain(ch);
  REQUIRE(!rest.empty());
  REQUIRE(rest.back() == 300);
}

// An allocator with a fancy pointer: the pointer is a class wrapping the address.
template <class T>
class wrapped_ptr {
public:
  using element_type = T;
  using difference_type = std::ptrdiff_t;
  wrapped_ptr() = default;
  wrapped_ptr(std::nullptr_t) noexcept {}  // NOLINT: NullablePointer
  explicit wrapped_ptr(T* address) noexcept : address_(address) {}
  T* operator->() const noexcept { return address_; }
  T& operator*() const noexcept { return *address_; }
  explicit operator bool() const noexcept { return address_ != nullptr; }
  static wrapped_ptr pointer_to(T& object) noexcept { return wrapped_ptr(&object); }
  friend bool operator==(const wrapped_ptr&, const wrapped_ptr&) = default;
  T* get() const noexcept { return address_; }

private:
  T* address_ = nullptr;
};

inline int fancy_arrays_live = 0;  // one counter for every rebound copy

template <class T>
struct fancy_allocator {
  using value_type = T;
  using pointer = wrapped_ptr<T>;
  fancy_allocator() = default;
  template <class U>
  fancy_allocator(const fancy_allocator<U>&) noexcept {}
  pointer allocate(std::size_t n) {
    ++fancy_arrays_live;
    return pointer(std::allocator<T>().allocate(n));
  }
  void deallocate(pointer p, std::size_t n) noexcept {
    --fancy_arrays_live;
    std::allocator<T>().deallocate(p.get(), n);
  }
  template <class U>
  bool operator==(const fancy_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace

TEST_CASE("try_send_const_ref_on_full_channel_copies_nothing", "[unit][exceptions]") {
  channel<fragile> ch(1);
  REQUIRE(ch.try_send(fragile(1)) == status::ok);
  const fragile big(2);
  failure_plan::arm(0);
  for (int i = 0; i < 1000; ++i) REQUIRE(ch.try_send(big) == status::full);
  ch.close();
  REQUIRE(ch.try_send(big) == status::closed);
  REQUIRE(failure_plan::risky_ops == 0);  // no copy was made for a send that had no room
}

TEST_CASE("try_emplace_on_full_or_closed_leaves_its_arguments_untouched", "[unit][exceptions]") {
  channel<named> ch(1);
  REQUIRE(ch.try_emplace(std::string("first")) == status::ok);
  std::string text(100, 'k');
  REQUIRE(ch.try_emplace(std::move(text)) == status::full);
  REQUIRE(text == std::string(100, 'k'));
  REQUIRE(ch.recv_for(0ms)->text == "first");
  ch.close();
  REQUIRE(ch.try_emplace(std::move(text)) == status::closed);
  REQUIRE(text == std::string(100, 'k'));
}

TEST_CASE("a_throwing_copy_leaves_the_channel_holding_what_it_held", "[unit][exceptions]") {
  const std::size_t capacity = GENERATE(as<std::size_t>{}, 1, 2, 3, 5);
  CAPTURE(capacity);
  fragile::live = 0;
  {
    channel<fragile> ch(capacity);
    int next = 0;
    std::deque<int> expected;
    auto take_one = [&] {
      auto item = ch.try_recv();  // passes over any skipped slot in its way
      if (!expected.empty()) {
        REQUIRE(item);
        REQUIRE(item->value() == expected.front());
        expected.pop_front();
      } else {
        REQUIRE(item.result() == status::empty);
      }
    };
    // Many laps, each with a send that throws, so skipped slots meet every index, the wrap, and
    // items on either side of them.
    for (int round = 0; round < 60; ++round) {
      while (ch.size() == capacity) take_one();  // a skipped slot counts until a receive passes it
      const fragile source(1000 + round);
      failure_plan::arm(1);
      if (round % 2 == 0) {
        REQUIRE_THROWS_AS(ch.try_send(source), injected_failure);
      } else {
        REQUIRE_THROWS_AS(ch.try_emplace(2000 + round, fragile::risky), injected_failure);
      }
      failure_plan::disarm();
      REQUIRE(source.value() == 1000 + round);
      for (int i = 0; i <= round % 3 && ch.try_send(fragile(next)) == status::ok; ++i) expected.push_back(next++);
      for (int i = 0; i < round % 4; ++i) take_one();
    }
    const std::vector<int> rest = drain(ch);
    REQUIRE(rest == std::vector<int>(expected.begin(), expected.end()));
    // Every slot is usable again: the channel takes exactly its capacity.
    for (std::size_t i = 0; i < capacity; ++i) REQUIRE(ch.try_send(fragile(-2)) == status::ok);
    REQUIRE(ch.try_send(fragile(-3)) == status::full);
    REQUIRE(ch.size() == capacity);
  }
  REQUIRE(fragile::live == 0);  // nothing leaked, nothing destroyed twice (skipped slots included)
}

TEST_CASE("a_skipped_slot_wakes_the_receiver_that_frees_it_for_a_blocked_sender", "[unit][exceptions][blocking]") {
  channel<fragile> ch(1);
  failure_plan::arm(1);
  REQUIRE_THROWS_AS(ch.try_emplace(1, fragile::risky), injected_failure);
  failure_plan::disarm();
  // The only slot is skipped; a blocked sender needs a receiver to pass over it.
  status sent = status::empty;
  std::thread sender([&] { sent = ch.send(fragile(2)); });
  auto got = ch.recv_for(10s);
  sender.join();
  REQUIRE(sent == status::ok);
  REQUIRE(got);
  REQUIRE(got->value() == 2);
}

TEST_CASE("destructor_skips_skipped_slots", "[unit][exceptions][lifetime]") {
  fragile::live = 0;
  {
    channel<fragile> ch(4);
    REQUIRE(ch.try_send(fragile(1)) == status::ok);
    failure_plan::arm(1);
    REQUIRE_THROWS_AS(ch.try_emplace(2, fragile::risky), injected_failure);
    failure_plan::disarm();
    REQUIRE(ch.try_send(fragile(3)) == status::ok);
    REQUIRE(fragile::live == 2);
  }
  REQUIRE(fragile::live == 0);
}

TEST_CASE("allocator_that_throws_in_construct_or_allocate_leaks_nothing", "[unit][exceptions][allocator]") {
  long k = 1;
  for (;; ++k) {
    fragile_allocator<int>::allocations = 0;
    fragile_allocator<int>::deallocations = 0;
    failure_plan::arm(k);
    bool threw = false;
    try {
      channel<int, fragile_allocator<int>> ch(5);
      failure_plan::disarm();
      REQUIRE(ch.try_send(1) == status::ok);
    } catch (const injected_failure&) {
      threw = true;
    }
    failure_plan::disarm();
    CAPTURE(k);
    REQUIRE(fragile_allocator<int>::allocations == fragile_allocator<int>::deallocations);
    if (!threw) break;
  }
  REQUIRE(k == 7);  // one allocation and five constructs could each throw; the seventh run went through
}

TEST_CASE("allocator_with_fancy_pointer_works", "[unit][allocator]") {
  {
    channel<std::string, fancy_allocator<std::string>> ch(3);
    REQUIRE(fancy_arrays_live == 1);
    REQUIRE(ch.try_send(std::string("a")) == status::ok);
    REQUIRE(ch.try_send(std::string("b")) == status::ok);
    REQUIRE(*ch.try_recv() == "a");
  }
  REQUIRE(fancy_arrays_live == 0);
}

// Injects a throw at the k-th risky step (a copy or a risky emplace constructor) of one script that
// uses every sending and receiving operation, for k = 1, 2, ... until the script runs through. After
// each throw the channel must hold exactly what the script's model says, and waiting must still work.
TEST_CASE("exception_injection_over_every_operation", "[unit][exceptions]") {
  fragile::live = 0;
  const fragile value(7);
  long k = 1;
  for (;; ++k) {
    CAPTURE(k);
    channel<fragile> ch(3);
    auto [reply_tx, reply_rx] = chan::oneshot<fragile>();
    std::deque<int> model;
    auto sent = [&](status result, int v) {
      REQUIRE(result == status::ok);
      model.push_back(v);
    };
    auto received = [&](int v) {
      REQUIRE(!model.empty());
      REQUIRE(v == model.front());
      model.pop_front();
    };
    bool threw = false;
    failure_plan::arm(k);
    try {
      sent(ch.try_send(fragile(1)), 1);
      sent(ch.try_send(value), 7);
      sent(ch.try_emplace(3, fragile::risky), 3);
      const status no_room = ch.try_send(value);  // no copy, so no throw
      REQUIRE(no_room == status::full);
      fragile out(0);
      REQUIRE(ch.try_recv(out) == status::ok);
      received(out.value());
      sent(ch.send(value), 7);
      received(ch.try_recv()->value());
      sent(ch.send_for(value, 10ms), 7);
      const status expired = ch.send_for(value, 0ms);  // no room, no time: no copy
      REQUIRE(expired == status::timeout);
      received(ch.recv_for(0ms)->value());
      sent(ch.send_until(value, std::chrono::steady_clock::now() + 10ms), 7);
      const status got = ch.recv_until(out, std::chrono::steady_clock::now() + 10ms);
      REQUIRE(got == status::ok);
      received(out.value());
      received(ch.recv()->value());
      sent(ch.try_emplace(4, fragile::risky), 4);
      const status replied = reply_tx.send(value);  // the copy is made before send() is entered
      REQUIRE(replied == status::ok);
      REQUIRE(reply_rx.recv_for(0ms)->value() == 7);
    } catch (const injected_failure&) {
      threw = true;
    }
    failure_plan::disarm();
    const std::vector<int> rest = drain(ch);
    REQUIRE(rest == std::vector<int>(model.begin(), model.end()));
    check_waiting_still_works(ch);
    if (!threw) break;
  }
  REQUIRE(k == 8);              // seven risky steps in the script: each one threw once, then the run went through
  REQUIRE(fragile::live == 1);  // only `value` is left
}

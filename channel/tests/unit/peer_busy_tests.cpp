// A blocked call whose peer is stuck between claim and commit parks instead of spinning, and the
// peer's commit wakes it (the robustness review's defect 5). The peer is stalled inside the item's
// own constructor, and it resumes only once the blocked call has parked, which the test learns from
// a backend whose parker reports park(): if the blocked call spun instead, the stalled peer would
// wait for a park that never comes, and the watchdog fails the test.

#include <chan/channel.hpp>
#include <chan/select.hpp>

#include "held_peer.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using chan::status;
using held_peer::park_counting_backend;
using held_peer::parks;
using held_peer::wait_for_a_park;

namespace {

// An item whose construction from `stall` (a send writing it) or whose move (a receive taking it
// out) can be made to wait until somebody parks.
struct stalling_item {
  static inline std::atomic<bool> stall_moves{false};
  static inline std::atomic<bool> saw_park{false};
  static inline int parks_before = 0;

  struct stall_t {};
  explicit stalling_item(int v) noexcept : value(v) {}
  stalling_item(int v, stall_t) noexcept : value(v) { saw_park = wait_for_a_park(parks_before); }
  stalling_item(stalling_item&& other) noexcept : value(other.value) {
    if (stall_moves.exchange(false)) saw_park = wait_for_a_park(parks_before);
  }
  stalling_item& operator=(stalling_item&&) noexcept = default;
  int value;
};

using stalling_channel = chan::channel<stalling_item, std::allocator<stalling_item>, park_counting_backend>;

// Starts a receive of `ch`'s one item that stalls while moving it out, until some thread parks, and
// returns once that receive has claimed it. The item's value lands in `first_value`.
std::thread start_stalled_take(stalling_channel& ch, int& first_value) {
  stalling_item::saw_park = false;
  stalling_item::parks_before = parks.load();
  stalling_item::stall_moves = true;
  std::thread receiver([&ch, &first_value] {
    auto first = ch.try_recv();
    if (first) first_value = first->value;
  });
  while (ch.size() != 0) std::this_thread::yield();
  return receiver;
}

}  // namespace

TEST_CASE("blocked_receiver_parks_behind_a_sender_stalled_mid_write", "[unit][blocking][peer]") {
  stalling_channel ch(2);
  stalling_item::saw_park = false;
  stalling_item::parks_before = parks.load();
  status sent = status::empty;  // Catch2's assertions belong to the test's own thread
  std::thread sender([&] { sent = ch.try_emplace(7, stalling_item::stall_t{}); });
  auto got = ch.recv_for(std::chrono::seconds(20));
  sender.join();
  REQUIRE(sent == status::ok);
  REQUIRE(stalling_item::saw_park);  // the receiver parked while the sender was mid-write
  REQUIRE(got);
  REQUIRE(got->value == 7);
}

TEST_CASE("blocked_sender_parks_behind_a_receiver_stalled_mid_take", "[unit][blocking][peer]") {
  stalling_channel ch(1);
  REQUIRE(ch.try_send(stalling_item(1)) == status::ok);
  int first_value = -1;
  std::thread receiver = start_stalled_take(ch, first_value);
  REQUIRE(ch.send_for(stalling_item(2), std::chrono::seconds(20)) == status::ok);
  receiver.join();
  REQUIRE(first_value == 1);
  REQUIRE(stalling_item::saw_park);  // the sender parked while the receiver was mid-take
  auto second = ch.try_recv();
  REQUIRE(second);
  REQUIRE(second->value == 2);
}

// A blocking select is patient the same way: an arm whose sender is stalled mid-write does not hold
// the select in a spin. It looks at its other arms, parks, and the stalled sender's commit wakes it.
// Before, the select waited the sender out inside that arm, blind to its other arms; here that
// would leave the stalled constructor waiting for a park that never comes.
TEST_CASE("blocked_select_parks_behind_a_sender_stalled_mid_write", "[unit][blocking][peer][select]") {
  enum class way { unbiased, biased, selector };
  for (const way how : {way::unbiased, way::biased, way::selector}) {
    stalling_channel stalled(2), other(2);
    stalling_item::saw_park = false;
    stalling_item::parks_before = parks.load();
    status sent = status::empty;
    std::thread sender([&] { sent = stalled.try_emplace(7, stalling_item::stall_t{}); });
    while (stalled.size() == 0) std::this_thread::yield();  // claimed: the sender is mid-write
    stalling_item from_stalled(0), from_other(0);
    chan::selected got{};
    if (how == way::unbiased) {
      got = chan::select(chan::recv(stalled, from_stalled), chan::recv(other, from_other));
    } else if (how == way::biased) {
      got = chan::select(chan::biased, chan::recv(stalled, from_stalled), chan::recv(other, from_other));
    } else {
      chan::selector<2, park_counting_backend> arms;
      arms.add_recv(stalled, from_stalled);
      arms.add_recv(other, from_other);
      got = arms.select();
    }
    sender.join();
    REQUIRE(sent == status::ok);
    REQUIRE(stalling_item::saw_park);  // the select parked while the sender was mid-write
    REQUIRE(got.index == 0);
    REQUIRE(got.result == status::ok);
    REQUIRE(from_stalled.value == 7);
    REQUIRE(other.size() == 0);
  }
}

// The mirror for send arms: the only slot of one channel is being emptied by a stalled receiver and
// the other channel is full; the select parks, and the receiver's commit frees the slot it sends into.
TEST_CASE("blocked_select_parks_behind_a_receiver_stalled_mid_take", "[unit][blocking][peer][select]") {
  stalling_channel stalled(1), full(1);
  REQUIRE(stalled.try_send(stalling_item(1)) == status::ok);
  REQUIRE(full.try_send(stalling_item(5)) == status::ok);
  int first_value = -1;
  std::thread receiver = start_stalled_take(stalled, first_value);
  stalling_item to_stalled(2), to_full(6);
  const chan::selected got = chan::select(chan::send(full, to_full), chan::send(stalled, to_stalled));
  receiver.join();
  REQUIRE(first_value == 1);
  REQUIRE(stalling_item::saw_park);  // the select parked while the receiver was mid-take
  REQUIRE(got.index == 1);
  REQUIRE(got.result == status::ok);
  auto second = stalled.try_recv();
  REQUIRE(second);
  REQUIRE(second->value == 2);
  REQUIRE(full.size() == 1);
}

// Several waiters parked behind one peer stuck mid-way. That peer's commit sends one notify, yet
// more than one item (or free slot) can be ready once it lands: a waiter woken by a later commit
// met the stuck peer's slot first, gave up on it and parked again. Every such wake-up must still
// reach a waiter (waiters.hpp, wake_all_at_next_notify). The peer is held inside its item's
// constructor (a sender) or move (a receiver) until the test lets it go.
//
// Each waiter that has not returned ten seconds after the release counts as stranded; a close then
// frees it, so a failure ends the test instead of hanging it.

#include <chan/channel.hpp>
#include <chan/select.hpp>

#include "held_peer.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <thread>

using chan::status;
using held_peer::held_item;
using held_peer::park_counting_backend;
using held_peer::parks;

namespace {

using held_channel = chan::channel<held_item, std::allocator<held_item>, park_counting_backend>;

// Starts `waiter` on its own thread and returns once it has parked.
std::thread start_parked(const std::function<void()>& waiter) {
  const int before = parks.load();
  std::thread thread(waiter);
  REQUIRE(held_peer::wait_for_a_park(before));
  return thread;
}

// Waits up to ten seconds for `count` returns; the number still out.
int stranded_after_wait(const std::atomic<int>& returned, int count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (returned.load() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return count - returned.load();
}

// Whether a blocked call here parks behind a stuck peer (else it waits the peer out).
bool parks_behind_peers() { return park_counting_backend::heavy_barrier(); }

}  // namespace

// Receivers A then B park on an empty channel. A sender claims the first position and is held
// mid-write; a second sender lands behind it, and its notify wakes A, which meets the held writer,
// gives up and parks again, now behind B. The held writer's commit wakes B, which takes its item;
// the second item must still reach A. A is a plain receive or a select.
TEST_CASE("receivers_parked_behind_a_held_writer_all_get_an_item", "[unit][blocking][peer]") {
  for (const bool first_is_select : {false, true}) {
    held_channel ch(2), idle(1);
    std::atomic<int> returned{0};
    status received[2] = {status::empty, status::empty};
    held_item got[2] = {held_item(0), held_item(0)};
    std::thread receivers[2];
    receivers[0] = start_parked([&] {
      if (first_is_select) {
        held_item unused(0);
        const chan::selected picked = chan::select(chan::recv(ch, got[0]), chan::recv(idle, unused));
        received[0] = picked.index == 0 ? picked.result : status::closed;
      } else {
        received[0] = ch.recv(got[0]);
      }
      returned.fetch_add(1);
    });
    receivers[1] = start_parked([&] {
      received[1] = ch.recv(got[1]);
      returned.fetch_add(1);
    });
    held_item::released = false;
    status sent = status::empty;
    std::thread writer([&] { sent = ch.try_emplace(7, held_item::hold_t{}); });
    while (ch.size() == 0) std::this_thread::yield();
    const int parks_before_wake = parks.load();
    REQUIRE(ch.try_send(held_item(8)) == status::ok);
    const bool parked_again = held_peer::wait_for_a_park(parks_before_wake, std::chrono::seconds(5));
    held_item::release();
    writer.join();
    const int stranded = stranded_after_wait(returned, 2);
    ch.close();
    idle.close();
    for (auto& receiver : receivers) receiver.join();
    if (parks_behind_peers()) REQUIRE(parked_again);  // the case this test is about did happen
    REQUIRE(sent == status::ok);
    REQUIRE(stranded == 0);
    REQUIRE(received[0] == status::ok);
    REQUIRE(received[1] == status::ok);
    REQUIRE(got[0].value + got[1].value == 15);
  }
}

// The mirror: senders A then B park on a full channel of two. A receiver claims the first item and
// is held moving it out; a second receive takes the other item, and its notify wakes A, which meets
// the held receiver's slot, gives up and parks again, now behind B. The held receiver's commit wakes
// B, which fills that slot; the slot the second receive freed must still reach A.
TEST_CASE("senders_parked_behind_a_held_receiver_all_send", "[unit][blocking][peer]") {
  held_channel ch(2);
  REQUIRE(ch.try_send(held_item(1)) == status::ok);
  REQUIRE(ch.try_send(held_item(2)) == status::ok);
  std::atomic<int> returned{0};
  status sent[2] = {status::empty, status::empty};
  std::thread senders[2];
  for (int s = 0; s < 2; ++s) {
    senders[s] = start_parked([&, s] {
      sent[s] = ch.send(held_item(10 + s));
      returned.fetch_add(1);
    });
  }
  held_item::hold_next_move();
  int first = -1;
  std::thread taker([&] {
    auto item = ch.try_recv();
    if (item) first = item->value;
  });
  while (ch.size() == 2) std::this_thread::yield();
  const int parks_before_wake = parks.load();
  auto second = ch.try_recv();
  const bool parked_again = held_peer::wait_for_a_park(parks_before_wake, std::chrono::seconds(5));
  held_item::release();
  taker.join();
  const int stranded = stranded_after_wait(returned, 2);
  ch.close();
  for (auto& sender : senders) sender.join();
  if (parks_behind_peers()) REQUIRE(parked_again);
  REQUIRE(first == 1);
  REQUIRE(second);
  REQUIRE(second->value == 2);
  REQUIRE(stranded == 0);
  REQUIRE(sent[0] == status::ok);
  REQUIRE(sent[1] == status::ok);
  int sum = 0;
  while (auto item = ch.try_recv()) sum += item->value;
  REQUIRE(sum == 21);
}

// Several waiters parked behind one peer stuck mid-way. That peer's commit sends one notify, yet
// more than one item (or free slot) can be ready once it lands: a waiter woken by a later commit
// met the stuck peer's slot first, gave up on it and parked again. Every such wake-up must still
// reach a waiter (waiters.hpp, wake_all_at_next_notify). The peer is held inside its item's
// constructor (a sender) or move (a receiver) until the test lets it go.
//
// Each waiter that has not returned ten seconds after the release counts as stranded; a close then
// frees it, so a failure ends the test instead of hanging it.
//
// A coroutine's wait gives up on such a peer too: the thread whose commit runs its look (a notifier)
// is not held behind another thread's stall, and an async_select looks at its other arms.

#include <chan/async_select.hpp>
#include <chan/channel.hpp>
#include <chan/select.hpp>

#include "../support/coro.hpp"
#include "held_peer.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <thread>

using chan::status;
using held_peer::held_channel;
using held_peer::held_item;
using held_peer::park_counting_backend;
using held_peer::parks;

namespace {

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
  while (ch.size() == 2 || held_item::next_move_holds.load()) std::this_thread::yield();  // held in its move
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

// A coroutine waits in async_recv. A sender claims the first position and is held mid-write; a second
// sender lands behind it, and its notify runs the coroutine's look on the second sender's thread.
// That look gives up on the held writer (the coroutine's item is the writer's, FIFO), so the second
// send returns while the writer is still held; the writer's commit then resumes the coroutine, on
// the writer's thread, with the writer's item. Waiting the writer out, the second send would return
// only once the writer's hold ran out.
TEST_CASE("async_recv_behind_a_held_writer_does_not_hold_the_notifier", "[unit][async][peer]") {
  held_channel ch(2);
  held_item got(0);
  status received = status::empty;
  bool finished = false;
  auto body = [&]() -> chan_test::task {
    received = co_await ch.async_recv(got);
    finished = true;
  };
  body();
  REQUIRE_FALSE(finished);
  held_item::released = false;
  std::atomic<bool> writer_done{false};
  status sent = status::empty;
  std::thread writer([&] {
    sent = ch.try_emplace(7, held_item::hold_t{});
    writer_done = true;
  });
  while (ch.size() == 0) std::this_thread::yield();
  REQUIRE(ch.try_send(held_item(8)) == status::ok);
  const bool writer_still_held = !writer_done.load();
  const bool resumed_early = finished;
  held_item::release();
  writer.join();
  REQUIRE(writer_still_held);
  REQUIRE_FALSE(resumed_early);
  REQUIRE(sent == status::ok);
  REQUIRE(finished);
  REQUIRE(received == status::ok);
  REQUIRE(got.value == 7);
  auto rest = ch.try_recv();
  REQUIRE(rest);
  REQUIRE(rest->value == 8);
}

// A coroutine waits in async_select over two channels. On the first, a sender is held mid-write and a
// second lands behind it, whose notify runs the select's arms on its thread: the arm behind the held
// writer gives up, so that send returns while the writer is held. A send on the other channel then
// completes the select with that arm, the writer still held; both items of the first channel stay.
TEST_CASE("async_select_behind_a_held_writer_takes_its_other_arm", "[unit][async][select][peer]") {
  held_channel stalled(2), other(2);
  held_item from_stalled(0), from_other(0);
  chan::selected picked{chan::no_arm, status::empty};
  bool finished = false;
  auto body = [&]() -> chan_test::task {
    picked = co_await chan::async_select(chan::recv(stalled, from_stalled), chan::recv(other, from_other));
    finished = true;
  };
  body();
  REQUIRE_FALSE(finished);
  held_item::released = false;
  std::atomic<bool> writer_done{false};
  status sent = status::empty;
  std::thread writer([&] {
    sent = stalled.try_emplace(7, held_item::hold_t{});
    writer_done = true;
  });
  while (stalled.size() == 0) std::this_thread::yield();
  REQUIRE(stalled.try_send(held_item(8)) == status::ok);
  const bool held_after_first = !writer_done.load();
  const bool finished_after_first = finished;
  REQUIRE(other.try_send(held_item(9)) == status::ok);
  const bool held_after_second = !writer_done.load();
  const bool finished_after_second = finished;
  held_item::release();
  writer.join();
  REQUIRE(held_after_first);
  REQUIRE_FALSE(finished_after_first);
  REQUIRE(held_after_second);
  REQUIRE(finished_after_second);  // resumed inline by the send on the other channel
  REQUIRE(picked.index == 1);
  REQUIRE(picked.result == status::ok);
  REQUIRE(from_other.value == 9);
  REQUIRE(from_stalled.value == 0);  // the losing arm took nothing
  REQUIRE(sent == status::ok);
  REQUIRE(stalled.size() == 2);
}

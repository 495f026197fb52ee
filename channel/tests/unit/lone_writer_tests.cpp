// A non-blocking receive that meets a sender still writing its item: on a channel of
// lone_writer_capacity or more, with no other position claimed, it answers `empty` at once (no send
// had returned, so that answer is true; ring.hpp, recv_look); behind a writer that has a sent item
// after it, or on a smaller channel, it waits for the writer. Blocking receives always wait for it.
// The writer is held inside the item's constructor until the test lets it go.

#include <chan/channel.hpp>
#include <chan/select.hpp>

#include "held_peer.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>

using chan::status;
using held_peer::held_channel;
using held_peer::held_item;
using held_peer::park_counting_backend;
using held_peer::parks;

namespace {

// Moves the channel's head on by `steps` positions (so the writer's slot can be the lap's last).
void advance(held_channel& ch, std::size_t steps) {
  for (std::size_t i = 0; i < steps; ++i) {
    REQUIRE(ch.try_send(held_item(0)) == status::ok);
    REQUIRE(ch.try_recv());
  }
}

// Starts a send of `value` that is held mid-write, and returns once it has claimed its position
// (size() counts claimed positions).
std::thread start_held_send(held_channel& ch, int value, status& sent) {
  held_item::released = false;
  const std::size_t before = ch.size();
  std::thread sender([&ch, value, &sent] { sent = ch.try_emplace(value, held_item::hold_t{}); });
  while (ch.size() == before) std::this_thread::yield();
  return sender;
}

}  // namespace

TEST_CASE("try_recv_behind_a_lone_writer_on_a_large_channel_answers_empty", "[unit][non_blocking][peer]") {
  const std::size_t capacity = chan::detail::lone_writer_capacity;
  // The writer's slot first in the lap, then last (its successor is the next lap's first).
  for (const std::size_t offset : {std::size_t{0}, capacity - 1}) {
    held_channel ch(capacity);
    advance(ch, offset);
    status sent = status::empty;
    std::thread sender = start_held_send(ch, 7, sent);
    const auto early = ch.try_recv();
    held_item out(0);
    const chan::selected picked = chan::try_select(chan::recv(ch, out));
    held_item::release();
    sender.join();
    REQUIRE(early.result() == status::empty);
    REQUIRE(picked.result == status::empty);
    REQUIRE(sent == status::ok);
    const auto late = ch.try_recv();
    REQUIRE(late);
    REQUIRE(late->value == 7);
  }
}

TEST_CASE("try_recv_behind_a_lone_writer_on_a_closed_channel_answers_empty_not_closed", "[unit][non_blocking][peer]") {
  held_channel ch(chan::detail::lone_writer_capacity);
  status sent = status::empty;
  std::thread sender = start_held_send(ch, 7, sent);
  REQUIRE(ch.close());
  const auto early = ch.try_recv();
  held_item::release();
  sender.join();
  REQUIRE(early.result() == status::empty);  // the writer's send claimed before the close: it lands
  REQUIRE(sent == status::ok);
  const auto late = ch.try_recv();
  REQUIRE(late);
  REQUIRE(late->value == 7);
  REQUIRE(ch.try_recv().result() == status::closed);
}

// The receive must wait for the held writer: an `empty` would be spurious (item 8's send returned),
// and on a small channel it waits by design. The writer is let go 50 ms after the receiving thread
// starts, so a receive that does not wait answers while the writer is still held, and fails.
TEST_CASE("try_recv_waits_for_a_writer_with_a_sent_item_after_it_or_on_a_small_channel", "[unit][non_blocking][peer]") {
  for (const bool small : {false, true}) {
    held_channel ch(small ? 2 : chan::detail::lone_writer_capacity);
    status sent = status::empty;
    std::thread sender = start_held_send(ch, 7, sent);
    if (!small) REQUIRE(ch.try_send(held_item(8)) == status::ok);
    std::atomic<bool> receiving{false};
    status received = status::empty;
    int value = -1;
    std::thread receiver([&] {
      receiving = true;
      auto got = ch.try_recv();
      received = got.result();
      if (got) value = got->value;
    });
    while (!receiving.load()) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    held_item::release();
    receiver.join();
    sender.join();
    REQUIRE(sent == status::ok);
    REQUIRE(received == status::ok);
    REQUIRE(value == 7);  // FIFO: the writer's position comes first
  }
}

TEST_CASE("blocking_recv_behind_a_lone_writer_on_a_large_channel_gets_its_item", "[unit][blocking][peer]") {
  held_channel ch(chan::detail::lone_writer_capacity);
  status sent = status::empty;
  std::thread sender = start_held_send(ch, 7, sent);
  std::thread releaser([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    held_item::release();
  });
  auto got = ch.recv_for(std::chrono::seconds(20));
  releaser.join();
  sender.join();
  REQUIRE(sent == status::ok);
  REQUIRE(got);
  REQUIRE(got->value == 7);
}

// Blocked receivers behind a writer on a closed channel: close()'s wake-up has gone by, and the
// writer's commit wakes one receiver, so a receiver that parked behind the writer would sleep
// through the close (a timed one until its deadline). They wait the writer out instead, without
// parking: one gets its item, the other `closed`. The writer is let go 50 ms after both receivers
// start, so receivers that would park do so first.
TEST_CASE("receivers_behind_a_writer_on_a_closed_channel_all_return", "[unit][blocking][peer]") {
  held_channel ch(2);
  status sent = status::empty;
  std::thread sender = start_held_send(ch, 7, sent);
  REQUIRE(ch.close());
  const int parks_before = parks.load();
  std::atomic<int> started{0};
  chan::recv_result<held_item> got[2] = {chan::recv_result<held_item>(status::empty),
                                         chan::recv_result<held_item>(status::empty)};
  std::thread receivers[2];
  for (int r = 0; r < 2; ++r) {
    receivers[r] = std::thread([&, r] {
      started.fetch_add(1);
      got[r] = ch.recv_for(std::chrono::seconds(10));
    });
  }
  while (started.load() != 2) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  held_item::release();
  for (auto& receiver : receivers) receiver.join();
  sender.join();
  REQUIRE(parks.load() == parks_before);
  REQUIRE(sent == status::ok);
  const int with_item = got[0] ? 0 : 1;
  REQUIRE(got[with_item]);
  REQUIRE(got[with_item]->value == 7);
  REQUIRE(got[1 - with_item].result() == status::closed);
}

// The ring's glance (ring.hpp, glance_recv / glance_send): the textbook queue's one look, which
// select's first pass and a blocked call's back-off retry. It claims what is ready, answers `empty`
// or `full` without waiting for a peer mid-way and without passing over a skipped slot, and sees
// `closed` on the send side at once; the proving calls behind it (start_recv, start_send) still do
// all of that.

#include <chan/backend.hpp>
#include <chan/ring.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <memory>
#include <tuple>

using chan::status;

namespace {

using ring = chan::detail::ring<int, chan::std_backend, std::allocator<int>>;
using token = ring::token;

void put(ring& r, int value) {
  token claimed;
  REQUIRE(r.start_send(claimed) == status::ok);
  r.write(claimed, std::forward_as_tuple(value));
}

int take_one(ring& r) {
  token claimed;
  REQUIRE(r.start_recv(claimed, [] {}) == status::ok);
  return r.take(claimed);
}

}  // namespace

TEST_CASE("glance_claims_what_is_ready_and_answers_empty_or_full_otherwise", "[unit][glance]") {
  for (const std::size_t capacity : {std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
    ring r(capacity, std::allocator<int>());
    token claimed;
    REQUIRE(r.glance_recv(claimed) == status::empty);
    // Several laps, so that the last slot of each lap (judged out of line) is glanced at too.
    for (int lap = 0; lap < 3; ++lap) {
      for (std::size_t i = 0; i < capacity; ++i) {
        REQUIRE(r.glance_send(claimed) == status::ok);
        r.write(claimed, std::forward_as_tuple(lap * 100 + static_cast<int>(i)));
      }
      REQUIRE(r.glance_send(claimed) == status::full);
      REQUIRE(r.size() == capacity);
      for (std::size_t i = 0; i < capacity; ++i) {
        REQUIRE(r.glance_recv(claimed) == status::ok);
        REQUIRE(r.take(claimed) == lap * 100 + static_cast<int>(i));
      }
      REQUIRE(r.glance_recv(claimed) == status::empty);
    }
  }
}

TEST_CASE("glance_send_sees_closed_at_once_and_glance_recv_leaves_closed_to_the_proof", "[unit][glance]") {
  ring r(2, std::allocator<int>());
  put(r, 1);
  REQUIRE(r.close());
  token claimed;
  REQUIRE(r.glance_send(claimed) == status::closed);
  REQUIRE(r.glance_recv(claimed) == status::ok);
  REQUIRE(r.take(claimed) == 1);
  // Closed and drained: only the proving receive may say so.
  REQUIRE(r.glance_recv(claimed) == status::empty);
  REQUIRE(r.start_recv(claimed, [] {}) == status::closed);
}

TEST_CASE("glance_does_not_wait_for_a_peer_mid_way", "[unit][glance]") {
  ring r(2, std::allocator<int>());
  // A sender has claimed the first position and not written yet: a glance answers at once.
  token writing;
  REQUIRE(r.start_send(writing) == status::ok);
  token claimed;
  REQUIRE(r.glance_recv(claimed) == status::empty);
  r.write(writing, std::forward_as_tuple(7));
  REQUIRE(r.glance_recv(claimed) == status::ok);
  // A receiver has claimed the item of a full ring and not moved it out: the sender's glance says
  // full at once (start_send would wait for that receiver, since the ring is not full any more).
  put(r, 8);
  REQUIRE(r.glance_send(writing) == status::full);
  REQUIRE(r.take(claimed) == 7);
  REQUIRE(r.glance_send(writing) == status::ok);
  r.write(writing, std::forward_as_tuple(10));
  REQUIRE(take_one(r) == 8);
  REQUIRE(take_one(r) == 10);
}

TEST_CASE("glance_leaves_a_skipped_slot_to_the_proving_receive", "[unit][glance]") {
  ring r(3, std::allocator<int>());
  token failed;
  REQUIRE(r.start_send(failed) == status::ok);
  r.skip(failed);  // what a throwing constructor leaves
  put(r, 5);
  token claimed;
  REQUIRE(r.glance_recv(claimed) == status::empty);
  int skips = 0;
  REQUIRE(r.start_recv(claimed, [&] { ++skips; }) == status::ok);
  REQUIRE(skips == 1);
  REQUIRE(r.take(claimed) == 5);
}

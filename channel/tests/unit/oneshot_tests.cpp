// Oneshot in every order of send, receive and drop, on one thread and across two.

#include <chan/oneshot.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "../support/counted.hpp"

using chan::status;
using chan_test::counted;
using namespace std::chrono_literals;

namespace {

void let_threads_block() { std::this_thread::sleep_for(50ms); }

}  // namespace

TEST_CASE("oneshot_send_then_recv_delivers_value", "[unit][oneshot]") {
  auto [sender, receiver] = chan::oneshot<std::unique_ptr<int>>();
  REQUIRE(sender.send(std::make_unique<int>(5)) == status::ok);
  std::unique_ptr<int> out;
  REQUIRE(receiver.recv(out) == status::ok);
  REQUIRE(out != nullptr);
  REQUIRE(*out == 5);
}

TEST_CASE("oneshot_blocked_receiver_wakes_on_send", "[unit][oneshot][blocking]") {
  auto [sender, receiver] = chan::oneshot<int>();
  status result = status::empty;
  int out = 0;
  std::thread waiting([&, &receiver = receiver] { result = receiver.recv(out); });
  let_threads_block();
  REQUIRE(sender.send(11) == status::ok);
  waiting.join();
  REQUIRE(result == status::ok);
  REQUIRE(out == 11);
}

TEST_CASE("oneshot_sender_dropped_unsent_before_recv_gives_closed", "[unit][oneshot]") {
  auto [sender, receiver] = chan::oneshot<int>();
  { auto dropped = std::move(sender); }
  int out = 3;
  REQUIRE(receiver.try_recv(out) == status::closed);
  REQUIRE(receiver.recv(out) == status::closed);
  REQUIRE(receiver.recv_for(out, 10s) == status::closed);
  REQUIRE(out == 3);
}

TEST_CASE("oneshot_sender_dropped_while_receiver_blocked_gives_closed", "[unit][oneshot][blocking]") {
  auto [sender, receiver] = chan::oneshot<int>();
  status result = status::ok;
  std::thread waiting([&, &receiver = receiver] {
    int out = 0;
    result = receiver.recv(out);
  });
  let_threads_block();
  { auto dropped = std::move(sender); }
  waiting.join();
  REQUIRE(result == status::closed);
}

TEST_CASE("oneshot_sender_dropped_while_timed_receiver_blocked_gives_closed", "[unit][oneshot][blocking]") {
  auto [sender, receiver] = chan::oneshot<int>();
  status result = status::ok;
  std::thread waiting([&, &receiver = receiver] {
    int out = 0;
    result = receiver.recv_for(out, 30s);
  });
  let_threads_block();
  { auto dropped = std::move(sender); }
  waiting.join();
  REQUIRE(result == status::closed);
}

TEST_CASE("oneshot_send_after_receiver_dropped_gives_closed_and_destroys_value", "[unit][oneshot][lifetime]") {
  counted::reset();
  {
    auto [sender, receiver] = chan::oneshot<counted>();
    { auto dropped = std::move(receiver); }
    REQUIRE(sender.send(counted(1)) == status::closed);
    REQUIRE(counted::live == 0);
  }
  REQUIRE(counted::live == 0);
  REQUIRE(counted::destructions == counted::constructions);
}

TEST_CASE("oneshot_unreceived_value_is_destroyed_with_receiver", "[unit][oneshot][lifetime]") {
  counted::reset();
  {
    auto [sender, receiver] = chan::oneshot<counted>();
    REQUIRE(sender.send(counted(2)) == status::ok);
    REQUIRE(counted::live == 1);
  }
  REQUIRE(counted::live == 0);
  REQUIRE(counted::destructions == counted::constructions);
}

TEST_CASE("oneshot_try_recv_before_send_is_empty", "[unit][oneshot]") {
  auto [sender, receiver] = chan::oneshot<int>();
  int out = 4;
  REQUIRE(receiver.try_recv(out) == status::empty);
  REQUIRE(out == 4);
  REQUIRE(sender.send(8) == status::ok);
  REQUIRE(receiver.try_recv(out) == status::ok);
  REQUIRE(out == 8);
}

TEST_CASE("oneshot_recv_for_times_out_without_value", "[unit][oneshot][timeout]") {
  auto [sender, receiver] = chan::oneshot<int>();
  int out = 4;
  REQUIRE(receiver.recv_for(out, 20ms) == status::timeout);
  REQUIRE(receiver.recv_until(out, std::chrono::system_clock::now() - 1s) == status::timeout);
  REQUIRE(out == 4);
  // The sender is still usable after the receiver gave up waiting once.
  REQUIRE(sender.send(1) == status::ok);
  REQUIRE(receiver.recv_for(out, std::chrono::duration<double>(0.001)) == status::ok);
  REQUIRE(out == 1);
}

TEST_CASE("oneshot_second_recv_after_success_gives_closed", "[unit][oneshot]") {
  counted::reset();
  {
    auto [sender, receiver] = chan::oneshot<counted>();
    REQUIRE(sender.send(counted(6)) == status::ok);
    counted out(0);
    REQUIRE(receiver.recv(out) == status::ok);
    REQUIRE(out.value() == 6);
    REQUIRE(receiver.recv(out) == status::closed);
    REQUIRE(receiver.try_recv(out) == status::closed);
    REQUIRE(receiver.recv_for(out, 10s) == status::closed);
    REQUIRE(out.value() == 6);
  }
  REQUIRE(counted::live == 0);
  REQUIRE(counted::destructions == counted::constructions);
}

TEST_CASE("oneshot_moved_from_ends_report_closed", "[unit][oneshot]") {
  auto [sender, receiver] = chan::oneshot<int>();
  auto moved_sender = std::move(sender);
  auto moved_receiver = std::move(receiver);
  // The moved-from ends hold nothing; using them is safe and answers closed.
  REQUIRE_FALSE(static_cast<bool>(sender));    // NOLINT(bugprone-use-after-move)
  REQUIRE_FALSE(static_cast<bool>(receiver));  // NOLINT(bugprone-use-after-move)
  REQUIRE(sender.send(1) == status::closed);   // NOLINT(bugprone-use-after-move)
  int out = 0;
  REQUIRE(receiver.try_recv(out) == status::closed);  // NOLINT(bugprone-use-after-move)
  REQUIRE(receiver.recv(out) == status::closed);      // NOLINT(bugprone-use-after-move)
  // The moved-to ends carry the connection.
  REQUIRE(static_cast<bool>(moved_sender));
  REQUIRE(moved_sender.send(2) == status::ok);
  REQUIRE_FALSE(static_cast<bool>(moved_sender));
  REQUIRE(moved_receiver.recv(out) == status::ok);
  REQUIRE(out == 2);
}

TEST_CASE("oneshot_move_assignment_abandons_the_previous_connection", "[unit][oneshot]") {
  auto [first_sender, first_receiver] = chan::oneshot<int>();
  auto [second_sender, second_receiver] = chan::oneshot<int>();
  first_sender = std::move(second_sender);
  int out = 0;
  REQUIRE(first_receiver.try_recv(out) == status::closed);
  REQUIRE(first_sender.send(3) == status::ok);
  REQUIRE(second_receiver.recv(out) == status::ok);
  REQUIRE(out == 3);

  auto [third_sender, third_receiver] = chan::oneshot<int>();
  auto [fourth_sender, fourth_receiver] = chan::oneshot<int>();
  third_receiver = std::move(fourth_receiver);
  REQUIRE(third_sender.send(4) == status::closed);
  REQUIRE(fourth_sender.send(5) == status::ok);
  REQUIRE(third_receiver.recv(out) == status::ok);
  REQUIRE(out == 5);
}

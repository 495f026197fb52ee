// docs/contract.md section 2, the receives that return the item (recv_result<T>), and section 3 "Exception
// safety": they work for a T with neither a default constructor nor a noexcept move assignment.

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

using chan::channel;
using chan::status;
using namespace std::chrono_literals;

namespace {

// No default constructor, and a move assignment that may throw: only the recv_result receives (and
// recv() returning std::optional) can take it out of a channel.
struct ticket {
  explicit ticket(int n) noexcept : number(n) {}
  ticket(ticket&&) noexcept = default;
  ticket& operator=(ticket&& other) noexcept(false) {
    number = other.number;
    return *this;
  }
  int number;
};
static_assert(!std::is_nothrow_move_assignable_v<ticket>);
static_assert(!std::is_default_constructible_v<ticket>);

}  // namespace

TEST_CASE("try_recv_returning_the_item_needs_no_default_constructor", "[unit][recv_result]") {
  channel<ticket> ch(2);
  REQUIRE(ch.try_send(ticket(7)) == status::ok);
  auto first = ch.try_recv();
  REQUIRE(first);
  REQUIRE(first.result() == status::ok);
  REQUIRE(first->number == 7);
  auto second = ch.try_recv();
  REQUIRE_FALSE(second);
  REQUIRE(second.result() == status::empty);
  ch.close();
  REQUIRE(ch.try_recv().result() == status::closed);
}

TEST_CASE("timed_receives_returning_the_item_report_timeout_and_closed", "[unit][recv_result][timeout]") {
  channel<ticket> ch(1);
  REQUIRE(ch.recv_for(0ms).result() == status::timeout);
  REQUIRE(ch.recv_until(std::chrono::steady_clock::now() + 1ms).result() == status::timeout);
  REQUIRE(ch.try_send(ticket(3)) == status::ok);
  auto got = ch.recv_for(1s);
  REQUIRE(got.result() == status::ok);
  REQUIRE((*got).number == 3);
  REQUIRE(ch.try_send(ticket(4)) == status::ok);
  auto until = ch.recv_until(std::chrono::system_clock::now() + 1s);
  REQUIRE(until);
  REQUIRE(std::move(until)->number == 4);
  ch.close();
  REQUIRE(ch.recv_for(1s).result() == status::closed);
}

TEST_CASE("timed_receive_returning_the_item_is_woken_by_a_send", "[unit][recv_result][blocking]") {
  channel<ticket> ch(1);
  status sent = status::empty;  // Catch2's assertions belong to the test's own thread
  std::thread sender([&] {
    std::this_thread::sleep_for(10ms);
    sent = ch.send(ticket(11));
  });
  auto got = ch.recv_for(10s);
  sender.join();
  REQUIRE(sent == status::ok);
  REQUIRE(got.result() == status::ok);
  REQUIRE(got->number == 11);
}

// The review's real-world trigger: pmr strings whose move assignment between different resources
// allocates, and throws when the target's resource has nothing left.
TEST_CASE("pmr_strings_are_received_exactly_once_through_recv_result", "[unit][recv_result]") {
  static_assert(!std::is_nothrow_move_assignable_v<std::pmr::string>);
  std::pmr::monotonic_buffer_resource arena(1024);
  channel<std::pmr::string> ch(4);
  const std::string long_text(200, 'x');
  for (int i = 0; i < 3; ++i)
    REQUIRE(ch.try_send(std::pmr::string(long_text + std::to_string(i), &arena)) == status::ok);
  auto a = ch.try_recv();
  auto b = ch.recv_for(1s);
  auto c = ch.recv_until(std::chrono::steady_clock::now() + 1s);
  REQUIRE((a && b && c));
  REQUIRE(std::string_view(*a) == long_text + "0");
  REQUIRE(std::string_view(*b) == long_text + "1");
  REQUIRE(std::string_view(*c) == long_text + "2");
  REQUIRE(ch.try_recv().result() == status::empty);
}

TEST_CASE("oneshot_receives_returning_the_value", "[unit][recv_result][oneshot]") {
  {
    auto [tx, rx] = chan::oneshot<ticket>();
    REQUIRE(rx.try_recv().result() == status::empty);
    REQUIRE(rx.recv_for(0ms).result() == status::timeout);
    REQUIRE(tx.send(ticket(5)) == status::ok);
    auto got = rx.try_recv();
    REQUIRE(got);
    REQUIRE(got->number == 5);
    REQUIRE(rx.recv().result() == status::closed);  // already received
  }
  {
    auto [tx, rx] = chan::oneshot<ticket>();
    status sent = status::empty;
    std::thread sender([tx = std::move(tx), &sent]() mutable {
      std::this_thread::sleep_for(5ms);
      sent = tx.send(ticket(6));
    });
    auto got = rx.recv();
    sender.join();
    REQUIRE(sent == status::ok);
    REQUIRE(got.result() == status::ok);
    REQUIRE(got->number == 6);
  }
  {
    auto [tx, rx] = chan::oneshot<ticket>();
    { auto dropped = std::move(tx); }
    REQUIRE(rx.recv_until(std::chrono::steady_clock::now() + 1s).result() == status::closed);
    REQUIRE(rx.recv_for(1s).result() == status::closed);
  }
}

TEST_CASE("cancelled_has_a_name", "[unit][recv_result]") {
  REQUIRE(std::string(chan::to_string(status::cancelled)) == "cancelled");
  chan::recv_result<int> none(status::cancelled);
  REQUIRE_FALSE(none);
  REQUIRE(none.result() == status::cancelled);
}

// docs/contract.md section 3, the blocking promises: close wakes every waiter, timeouts leave the value with
// the caller, deadlines on any clock and duration type, and hand-off between threads.
// No test asserts how long anything took; waits that must end use deadlines of seconds.

#include <chan/channel.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "../support/counted.hpp"

using chan::channel;
using chan::status;
using namespace std::chrono_literals;

namespace {

// Gives started threads a chance to reach their blocking call. Correctness does not depend on it:
// a thread that has not parked yet sees the close on its first attempt instead.
void let_threads_block() { std::this_thread::sleep_for(50ms); }

}  // namespace

TEST_CASE("close_wakes_senders_blocked_on_full_channel", "[unit][blocking][close]") {
  channel<std::unique_ptr<int>> ch(1);
  REQUIRE(ch.try_send(std::make_unique<int>(0)) == status::ok);
  constexpr int sender_count = 3;
  std::vector<status> results(sender_count, status::ok);
  // Not vector<bool>: its packed bits would make the threads' writes race with each other.
  std::vector<char> value_kept(sender_count, 0);
  std::vector<std::thread> senders;
  for (int i = 0; i < sender_count; ++i) {
    senders.emplace_back([&, i] {
      auto value = std::make_unique<int>(i + 1);
      results[static_cast<std::size_t>(i)] = ch.send(std::move(value));
      value_kept[static_cast<std::size_t>(i)] = value != nullptr ? 1 : 0;
    });
  }
  let_threads_block();
  REQUIRE(ch.close());
  for (auto& sender : senders) sender.join();
  for (int i = 0; i < sender_count; ++i) {
    CAPTURE(i);
    REQUIRE(results[static_cast<std::size_t>(i)] == status::closed);
    REQUIRE(value_kept[static_cast<std::size_t>(i)] == 1);
  }
  std::unique_ptr<int> out;
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(*out == 0);
  REQUIRE(ch.try_recv(out) == status::closed);
}

TEST_CASE("close_wakes_receivers_blocked_on_empty_channel", "[unit][blocking][close]") {
  channel<int> ch(4);
  constexpr int receiver_count = 3;
  std::vector<status> results(receiver_count, status::ok);
  std::vector<std::thread> receivers;
  for (int i = 0; i < receiver_count; ++i) {
    receivers.emplace_back([&, i] {
      int out = 0;
      results[static_cast<std::size_t>(i)] = ch.recv(out);
    });
  }
  std::atomic<int> nullopt_count{0};
  receivers.emplace_back([&] {
    if (!ch.recv().has_value()) ++nullopt_count;
  });
  let_threads_block();
  REQUIRE(ch.close());
  for (auto& receiver : receivers) receiver.join();
  for (const status result : results) REQUIRE(result == status::closed);
  REQUIRE(nullopt_count == 1);
}

TEST_CASE("send_for_times_out_on_full_channel_and_keeps_value", "[unit][blocking][timeout]") {
  channel<std::unique_ptr<int>> ch(1);
  REQUIRE(ch.try_send(std::make_unique<int>(1)) == status::ok);
  auto kept = std::make_unique<int>(2);
  REQUIRE(ch.send_for(std::move(kept), 20ms) == status::timeout);
  REQUIRE(kept != nullptr);
  REQUIRE(*kept == 2);
  REQUIRE(ch.send_until(std::move(kept), std::chrono::steady_clock::now() + 5ms) == status::timeout);
  REQUIRE(kept != nullptr);
  REQUIRE(ch.size() == 1);
}

TEST_CASE("recv_for_times_out_on_empty_channel_and_takes_nothing", "[unit][blocking][timeout]") {
  channel<int> ch(2);
  int out = 17;
  REQUIRE(ch.recv_for(out, 20ms) == status::timeout);
  REQUIRE(out == 17);
  REQUIRE(ch.recv_until(out, std::chrono::steady_clock::now() + 5ms) == status::timeout);
  REQUIRE(out == 17);
  // The timed-out waiter left nothing behind that would swallow the next item.
  REQUIRE(ch.try_send(3) == status::ok);
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(out == 3);
}

TEST_CASE("timed_calls_on_closed_channel_return_closed_not_timeout", "[unit][blocking][close]") {
  channel<std::unique_ptr<int>> ch(1);
  ch.close();
  auto kept = std::make_unique<int>(1);
  REQUIRE(ch.send_for(std::move(kept), 10s) == status::closed);
  REQUIRE(kept != nullptr);
  std::unique_ptr<int> out;
  REQUIRE(ch.recv_for(out, 10s) == status::closed);
  REQUIRE(out == nullptr);
}

TEST_CASE("past_deadline_receives_available_item_else_times_out", "[unit][blocking][timeout]") {
  channel<int> ch(2);
  int out = 0;
  const auto steady_past = std::chrono::steady_clock::now() - 1h;
  const auto system_past = std::chrono::system_clock::now() - 1h;
  REQUIRE(ch.recv_until(out, steady_past) == status::timeout);
  REQUIRE(ch.recv_until(out, system_past) == status::timeout);
  REQUIRE(ch.try_send(1) == status::ok);
  REQUIRE(ch.try_send(2) == status::ok);
  REQUIRE(ch.recv_until(out, steady_past) == status::ok);
  REQUIRE(out == 1);
  REQUIRE(ch.recv_until(out, system_past) == status::ok);
  REQUIRE(out == 2);
}

TEST_CASE("past_deadline_sends_when_room_else_times_out", "[unit][blocking][timeout]") {
  channel<int> ch(1);
  const auto past = std::chrono::steady_clock::now() - 1s;
  REQUIRE(ch.send_until(1, past) == status::ok);
  REQUIRE(ch.send_until(2, past) == status::timeout);
  REQUIRE(ch.send_until(3, std::chrono::system_clock::now() - 1s) == status::timeout);
  REQUIRE(ch.send_for(4, 0s) == status::timeout);
  REQUIRE(ch.send_for(5, -1s) == status::timeout);
  int out = 0;
  REQUIRE(ch.recv_for(out, -1s) == status::ok);
  REQUIRE(out == 1);
}

TEST_CASE("deadlines_accept_system_clock_and_odd_duration_types", "[unit][blocking][timeout]") {
  channel<int> ch(1);
  int out = 0;
  REQUIRE(ch.recv_for(out, std::chrono::duration<double>(0.01)) == status::timeout);
  REQUIRE(ch.recv_for(out, std::chrono::duration<double, std::milli>(2.5)) == status::timeout);
  REQUIRE(ch.recv_for(out, std::chrono::microseconds(1500)) == status::timeout);
  REQUIRE(ch.recv_until(out, std::chrono::system_clock::now() + 5ms) == status::timeout);
  REQUIRE(ch.recv_until(out, std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) -
                                 std::chrono::seconds(1)) == status::timeout);

  REQUIRE(ch.send_for(1, std::chrono::duration<double>(0.01)) == status::ok);
  REQUIRE(ch.send_for(2, std::chrono::duration<float>(0.001f)) == status::timeout);
  REQUIRE(ch.send_for(3, std::chrono::microseconds(100)) == status::timeout);
  REQUIRE(ch.send_until(4, std::chrono::system_clock::now() + 2ms) == status::timeout);
  const int copied = 5;
  REQUIRE(ch.send_for(copied, std::chrono::nanoseconds(1)) == status::timeout);
  REQUIRE(ch.send_until(copied, std::chrono::system_clock::now()) == status::timeout);

  // Durations too long for the clock's arithmetic mean "wait without limit", not overflow.
  REQUIRE(ch.recv_for(out, std::chrono::hours::max()) == status::ok);
  REQUIRE(out == 1);
  REQUIRE(ch.send_for(6, std::chrono::duration<double>(1e300)) == status::ok);
  REQUIRE(ch.recv_for(out, std::chrono::duration<double>(1e300)) == status::ok);
  REQUIRE(out == 6);
}

TEST_CASE("timed_receiver_is_woken_by_a_send", "[unit][blocking]") {
  channel<int> ch(1);
  status result = status::empty;
  int out = 0;
  std::thread receiver([&] { result = ch.recv_for(out, 30s); });
  let_threads_block();
  REQUIRE(ch.send(9) == status::ok);
  receiver.join();
  REQUIRE(result == status::ok);
  REQUIRE(out == 9);
}

TEST_CASE("timed_sender_is_woken_by_a_receive", "[unit][blocking]") {
  channel<int> ch(1);
  REQUIRE(ch.try_send(1) == status::ok);
  status result = status::empty;
  std::thread sender([&] { result = ch.send_until(2, std::chrono::system_clock::now() + 30s); });
  let_threads_block();
  int out = 0;
  REQUIRE(ch.recv(out) == status::ok);
  REQUIRE(out == 1);
  sender.join();
  REQUIRE(result == status::ok);
  REQUIRE(ch.recv(out) == status::ok);
  REQUIRE(out == 2);
}

TEST_CASE("recv_returns_nullopt_only_after_drain", "[unit][blocking][close]") {
  channel<int> ch(3);
  REQUIRE(ch.send(1) == status::ok);
  REQUIRE(ch.send(2) == status::ok);
  ch.close();
  REQUIRE(ch.send(3) == status::closed);
  std::optional<int> item = ch.recv();
  REQUIRE(item == 1);
  item = ch.recv();
  REQUIRE(item == 2);
  REQUIRE_FALSE(ch.recv().has_value());
  int out = 0;
  REQUIRE(ch.recv(out) == status::closed);
}

TEST_CASE("blocking_send_recv_hands_off_between_threads_in_order", "[unit][blocking][fifo]") {
  const std::size_t capacity = GENERATE(as<std::size_t>{}, 1, 3, 64);
  CAPTURE(capacity);
  constexpr int item_count = 5000;
  channel<chan_test::counted> ch(capacity);
  chan_test::counted::reset();
  std::thread producer([&] {
    for (int i = 0; i < item_count; ++i) {
      if (ch.send(chan_test::counted(i)) != status::ok) return;
    }
    ch.close();
  });
  int expected = 0;
  bool in_order = true;
  while (auto item = ch.recv()) {
    if (item->value() != expected) in_order = false;
    ++expected;
  }
  producer.join();
  REQUIRE(in_order);
  REQUIRE(expected == item_count);
  REQUIRE(chan_test::counted::live == 0);
}

TEST_CASE("blocked_sender_and_receiver_exchange_through_capacity_one", "[unit][blocking]") {
  // Many threads on both sides of a one-slot channel force every call to park at some point.
  channel<int> ch(1);
  constexpr int per_thread = 500;
  constexpr int thread_count = 3;
  std::atomic<long> sum{0};
  std::atomic<int> failed_sends{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&] {
      for (int i = 1; i <= per_thread; ++i) {
        if (ch.send(i) != status::ok) ++failed_sends;
      }
    });
    threads.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        int out = 0;
        if (ch.recv(out) == status::ok) sum += out;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(failed_sends == 0);
  REQUIRE(sum == static_cast<long>(thread_count) * per_thread * (per_thread + 1) / 2);
  REQUIRE(ch.empty());
}

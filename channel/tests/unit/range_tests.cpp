// Range-for over a channel (chan/range.hpp, included by chan/channel.hpp): the loop receives every
// item until the channel is closed and drained, blocks in between, and leaving it early takes
// nothing more from the channel.

#include <chan/channel.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <iterator>
#include <memory>
#include <ranges>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using chan::channel;
using chan::status;

namespace {

struct no_default_no_assign {
  explicit no_default_no_assign(int v) noexcept : value(v) {}
  no_default_no_assign(no_default_no_assign&&) noexcept = default;
  no_default_no_assign& operator=(no_default_no_assign&&) = delete;
  const int value;
};

}  // namespace

TEST_CASE("range_for_iterator_is_a_cxx20_input_iterator", "[unit][range]") {
  using iterator = decltype(begin(std::declval<channel<int>&>()));
  STATIC_REQUIRE(std::input_iterator<iterator>);
  STATIC_REQUIRE(std::sentinel_for<std::default_sentinel_t, iterator>);
  STATIC_REQUIRE(std::ranges::input_range<channel<int>&>);
  STATIC_REQUIRE(std::is_same_v<std::iter_reference_t<iterator>, int&>);
}

TEST_CASE("range_for_receives_every_item_until_closed_and_drained", "[unit][range][close]") {
  channel<std::string> ch(8);
  for (int i = 0; i < 5; ++i) REQUIRE(ch.try_send(std::to_string(i)) == status::ok);
  REQUIRE(ch.close());
  std::vector<std::string> got;
  for (auto&& item : ch) got.push_back(std::move(item));
  REQUIRE(got == std::vector<std::string>{"0", "1", "2", "3", "4"});
  std::string out;
  REQUIRE(ch.try_recv(out) == status::closed);
}

TEST_CASE("range_for_over_closed_empty_channel_runs_no_iteration", "[unit][range][close]") {
  channel<int> ch(2);
  REQUIRE(ch.close());
  int iterations = 0;
  for ([[maybe_unused]] int item : ch) ++iterations;
  REQUIRE(iterations == 0);
}

TEST_CASE("range_for_blocks_for_items_and_ends_at_close", "[unit][range][blocking]") {
  channel<std::unique_ptr<int>> ch(2);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      if (ch.send(std::make_unique<int>(i)) != status::ok) return;
    }
    ch.close();
  });
  int expected = 0;
  int out_of_order = 0;
  for (auto&& item : ch) {
    std::unique_ptr<int> mine = std::move(item);  // move-only items can be taken out of the loop
    if (*mine != expected) ++out_of_order;
    ++expected;
  }
  producer.join();
  REQUIRE(expected == 100);
  REQUIRE(out_of_order == 0);
}

TEST_CASE("range_for_break_leaves_the_rest_in_the_channel", "[unit][range]") {
  channel<int> ch(8);
  for (int i = 0; i < 6; ++i) REQUIRE(ch.try_send(i) == status::ok);
  for (int item : ch) {
    if (item == 2) break;
  }
  REQUIRE(ch.size() == 3);
  int out = -1;
  REQUIRE(ch.try_recv(out) == status::ok);
  REQUIRE(out == 3);
}

TEST_CASE("range_for_works_for_items_without_default_constructor_or_assignment", "[unit][range]") {
  channel<no_default_no_assign> ch(4);
  REQUIRE(ch.try_emplace(1) == status::ok);
  REQUIRE(ch.try_emplace(2) == status::ok);
  REQUIRE(ch.close());
  int sum = 0;
  for (const auto& item : ch) sum += item.value;
  REQUIRE(sum == 3);
}

TEST_CASE("range_for_in_several_consumers_delivers_each_item_once", "[unit][range][threads]") {
  constexpr int items = 3000;
  channel<int> ch(4);
  std::vector<std::atomic<int>> seen(items);
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&] {
      for (int item : ch) ++seen[static_cast<std::size_t>(item)];
    });
  }
  int failed_sends = 0;
  for (int i = 0; i < items; ++i) {
    if (ch.send(i) != status::ok) ++failed_sends;
  }
  REQUIRE(ch.close());
  for (auto& consumer : consumers) consumer.join();
  REQUIRE(failed_sends == 0);
  for (const auto& count : seen) REQUIRE(count.load() == 1);
}

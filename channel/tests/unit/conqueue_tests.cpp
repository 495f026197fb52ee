// chan::bounded_queue, member by member, against what P0260R20 says each one does: push and
// emplace wait for room and return false once the queue is closed; try_push and try_emplace never
// wait and answer success, full or closed; pop waits for an element and returns nullopt only when
// the queue is closed and empty; try_pop never waits and answers success, empty or closed.

#include <chan/conqueue.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "../support/elements.hpp"

using chan::bounded_queue;
using chan::conqueue_status;
using chan_test::labelled;
using chan_test::throwing_build;

namespace {

// Says which queue it came from, so get_allocator can be checked to return the one given.
template <class T>
struct tagged_allocator {
  using value_type = T;
  explicit tagged_allocator(int tag) noexcept : tag(tag) {}
  template <class U>
  tagged_allocator(const tagged_allocator<U>& other) noexcept : tag(other.tag) {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
  template <class U>
  bool operator==(const tagged_allocator<U>& other) const noexcept {
    return tag == other.tag;
  }
  int tag;
};

// Gives a started thread a chance to reach its blocking call. No assertion depends on it: a call
// that has not blocked yet meets the same state on its first attempt.
void give_it_time_to_block() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

}  // namespace

TEST_CASE("conqueue_types_are_the_papers", "[unit][conqueue]") {
  STATIC_REQUIRE(std::is_same_v<bounded_queue<int>::value_type, int>);
  STATIC_REQUIRE(std::is_same_v<bounded_queue<int>::allocator_type, std::allocator<int>>);
  STATIC_REQUIRE(std::is_same_v<bounded_queue<int, tagged_allocator<int>>::allocator_type, tagged_allocator<int>>);
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<bounded_queue<int>>);
  STATIC_REQUIRE_FALSE(std::is_move_constructible_v<bounded_queue<int>>);
  STATIC_REQUIRE_FALSE(std::is_copy_assignable_v<bounded_queue<int>>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::size_t, bounded_queue<int>>);  // explicit constructor
  STATIC_REQUIRE(noexcept(std::declval<bounded_queue<int>&>().close()));
  STATIC_REQUIRE(noexcept(std::declval<const bounded_queue<int>&>().is_closed()));
}

TEST_CASE("conqueue_status_names_every_value", "[unit][conqueue]") {
  REQUIRE(std::string(chan::to_string(conqueue_status::success)) == "success");
  REQUIRE(std::string(chan::to_string(conqueue_status::empty)) == "empty");
  REQUIRE(std::string(chan::to_string(conqueue_status::full)) == "full");
  REQUIRE(std::string(chan::to_string(conqueue_status::closed)) == "closed");
  REQUIRE(std::string(chan::to_string(conqueue_status::busy)) == "busy");
  REQUIRE(std::string(chan::to_string(conqueue_status::busy_async)) == "busy_async");
}

TEST_CASE("conqueue_holds_exactly_max_elems", "[unit][conqueue]") {
  for (std::size_t max_elems : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{64}}) {
    bounded_queue<int> q(max_elems);
    for (std::size_t i = 0; i < max_elems; ++i) REQUIRE(q.try_push(static_cast<int>(i)) == conqueue_status::success);
    REQUIRE(q.try_push(-1) == conqueue_status::full);
  }
}

TEST_CASE("conqueue_zero_max_elems_throws_invalid_argument", "[unit][conqueue]") {
  REQUIRE_THROWS_AS(bounded_queue<int>(0), std::invalid_argument);
}

TEST_CASE("conqueue_get_allocator_returns_the_one_given", "[unit][conqueue][allocator]") {
  bounded_queue<int, tagged_allocator<int>> q(4, tagged_allocator<int>(42));
  REQUIRE(q.get_allocator().tag == 42);
  REQUIRE(q.get_allocator() == tagged_allocator<int>(42));
}

TEST_CASE("conqueue_close_is_seen_by_is_closed_and_may_repeat", "[unit][conqueue][close]") {
  bounded_queue<int> q(2);
  REQUIRE_FALSE(q.is_closed());
  q.close();
  REQUIRE(q.is_closed());
  q.close();
  REQUIRE(q.is_closed());
}

TEST_CASE("conqueue_push_returns_true_while_open_false_once_closed", "[unit][conqueue][close]") {
  bounded_queue<std::string> q(4);
  const std::string copied = "copied";
  REQUIRE(q.push(copied));
  REQUIRE(copied == "copied");
  REQUIRE(q.push(std::string("moved")));
  q.close();
  std::string kept = "kept";
  REQUIRE_FALSE(q.push(std::move(kept)));
  REQUIRE(kept == "kept");  // not moved from when the push failed
  REQUIRE_FALSE(q.push(copied));
  REQUIRE(q.pop() == "copied");
  REQUIRE(q.pop() == "moved");
  REQUIRE(q.pop() == std::nullopt);
}

TEST_CASE("conqueue_push_waits_for_room_that_a_pop_makes", "[unit][conqueue][blocking]") {
  bounded_queue<int> q(1);
  REQUIRE(q.push(1));
  std::atomic<bool> pushed{false};
  bool result = false;
  std::thread pusher([&] {
    result = q.push(2);
    pushed = true;
  });
  give_it_time_to_block();
  REQUIRE_FALSE(pushed.load());  // still full: the push must be waiting
  REQUIRE(q.pop() == 1);
  pusher.join();
  REQUIRE(result);
  REQUIRE(q.pop() == 2);
}

TEST_CASE("conqueue_close_ends_a_waiting_push_with_false", "[unit][conqueue][blocking][close]") {
  bounded_queue<std::string> q(1);
  REQUIRE(q.push("first"));
  std::string value = "second";
  bool result = true;
  std::thread pusher([&] { result = q.push(std::move(value)); });
  give_it_time_to_block();
  q.close();
  pusher.join();
  REQUIRE_FALSE(result);
  REQUIRE(value == "second");
  REQUIRE(q.pop() == "first");
  REQUIRE(q.pop() == std::nullopt);
}

TEST_CASE("conqueue_emplace_constructs_from_arguments_and_fails_once_closed", "[unit][conqueue][close]") {
  bounded_queue<labelled> q(2);
  REQUIRE(q.emplace(1, "one"));
  q.close();
  std::string label = "two";
  REQUIRE_FALSE(q.emplace(2, std::move(label)));
  REQUIRE(label == "two");  // nothing was constructed from it
  const std::optional<labelled> first = q.pop();
  REQUIRE(first);
  REQUIRE(first->x == 1);
  REQUIRE(first->label == "one");
  REQUIRE_FALSE(q.pop());
}

TEST_CASE("conqueue_emplace_waits_for_room", "[unit][conqueue][blocking]") {
  bounded_queue<labelled> q(1);
  REQUIRE(q.emplace(1, "one"));
  std::atomic<bool> emplaced{false};
  bool result = false;
  std::thread pusher([&] {
    result = q.emplace(2, "two");
    emplaced = true;
  });
  give_it_time_to_block();
  REQUIRE_FALSE(emplaced.load());
  REQUIRE(q.pop()->x == 1);
  pusher.join();
  REQUIRE(result);
  REQUIRE(q.pop()->label == "two");
}

TEST_CASE("conqueue_emplace_with_a_throwing_constructor_builds_then_waits", "[unit][conqueue][blocking]") {
  STATIC_REQUIRE_FALSE(std::is_nothrow_constructible_v<throwing_build, int>);
  bounded_queue<throwing_build> q(1);
  REQUIRE(q.emplace(1));
  bool result = false;
  std::thread pusher([&] { result = q.emplace(2); });
  give_it_time_to_block();
  REQUIRE(q.pop()->value == 1);
  pusher.join();
  REQUIRE(result);
  REQUIRE(q.pop()->value == 2);
  q.close();
  REQUIRE_FALSE(q.emplace(3));
}

TEST_CASE("conqueue_try_push_answers_success_full_or_closed_and_keeps_the_value", "[unit][conqueue]") {
  bounded_queue<std::string> q(1);
  std::string value = "a";
  REQUIRE(q.try_push(value) == conqueue_status::success);
  REQUIRE(value == "a");  // const T&: copied
  std::string second = "b";
  REQUIRE(q.try_push(std::move(second)) == conqueue_status::full);
  REQUIRE(second == "b");
  q.close();
  REQUIRE(q.try_push(std::move(second)) == conqueue_status::closed);
  REQUIRE(second == "b");
  REQUIRE(q.try_push(value) == conqueue_status::closed);
  std::string third = "c";
  bounded_queue<std::string> open(1);
  REQUIRE(open.try_push(std::move(third)) == conqueue_status::success);
  REQUIRE(open.pop() == "c");
}

TEST_CASE("conqueue_try_emplace_answers_success_full_or_closed", "[unit][conqueue]") {
  bounded_queue<labelled> q(1);
  REQUIRE(q.try_emplace(1, "one") == conqueue_status::success);
  std::string label = "two";
  REQUIRE(q.try_emplace(2, std::move(label)) == conqueue_status::full);
  REQUIRE(label == "two");
  q.close();
  REQUIRE(q.try_emplace(3, std::move(label)) == conqueue_status::closed);
  REQUIRE(label == "two");
  REQUIRE(q.pop()->label == "one");
}

TEST_CASE("conqueue_pop_returns_elements_in_order_and_drains_after_close", "[unit][conqueue][close]") {
  bounded_queue<int> q(8);
  for (int i = 0; i < 5; ++i) REQUIRE(q.push(i));
  q.close();
  for (int i = 0; i < 5; ++i) REQUIRE(q.pop() == i);
  REQUIRE(q.pop() == std::nullopt);
  REQUIRE(q.pop() == std::nullopt);
}

TEST_CASE("conqueue_pop_waits_for_an_element", "[unit][conqueue][blocking]") {
  bounded_queue<std::unique_ptr<int>> q(2);
  std::optional<std::unique_ptr<int>> got;
  std::thread popper([&] { got = q.pop(); });
  give_it_time_to_block();
  REQUIRE(q.push(std::make_unique<int>(7)));
  popper.join();
  REQUIRE(got);
  REQUIRE(**got == 7);
}

TEST_CASE("conqueue_close_ends_a_waiting_pop_with_nullopt", "[unit][conqueue][blocking][close]") {
  bounded_queue<int> q(2);
  std::optional<int> got = 99;
  std::thread popper([&] { got = q.pop(); });
  give_it_time_to_block();
  q.close();
  popper.join();
  REQUIRE(got == std::nullopt);
}

TEST_CASE("conqueue_try_pop_answers_success_empty_or_closed_only_when_drained", "[unit][conqueue][close]") {
  bounded_queue<std::string> q(2);
  std::string out = "untouched";
  REQUIRE(q.try_pop(out) == conqueue_status::empty);
  REQUIRE(out == "untouched");
  REQUIRE(q.push("x"));
  q.close();
  REQUIRE(q.try_pop(out) == conqueue_status::success);  // closed but not empty: still an element
  REQUIRE(out == "x");
  out = "untouched";
  REQUIRE(q.try_pop(out) == conqueue_status::closed);
  REQUIRE(out == "untouched");
}

TEST_CASE("conqueue_every_pushed_element_is_popped_once_across_threads", "[unit][conqueue][threads]") {
  constexpr int producers = 3;
  constexpr int per_producer = 2000;
  bounded_queue<int> q(4);
  std::vector<std::thread> threads;
  std::atomic<int> failed_pushes{0};
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&q, &failed_pushes, p] {
      for (int i = 0; i < per_producer; ++i) {
        if (!q.push(p * per_producer + i)) ++failed_pushes;
      }
    });
  }
  std::vector<int> seen(producers * per_producer, 0);
  std::vector<int> last(producers, -1);
  int out_of_order = 0;
  std::thread consumer([&] {
    while (auto v = q.pop()) {
      ++seen[static_cast<std::size_t>(*v)];
      const auto producer = static_cast<std::size_t>(*v / per_producer);
      if (*v <= last[producer]) ++out_of_order;  // per-producer FIFO
      last[producer] = *v;
    }
  });
  for (auto& t : threads) t.join();
  q.close();
  consumer.join();
  REQUIRE(failed_pushes == 0);
  REQUIRE(out_of_order == 0);
  for (int count : seen) REQUIRE(count == 1);
}

#if defined(CHAN_TEST_EXPECTS_EXPECTED) && !defined(CHAN_CONQUEUE_HAS_EXPECTED)
#error "this build should have std::expected and with it bounded_queue::try_pop() -> std::expected"
#endif

#if defined(CHAN_CONQUEUE_HAS_EXPECTED)
TEST_CASE("conqueue_try_pop_expected_gives_the_element_or_empty_or_closed", "[unit][conqueue][expected]") {
  bounded_queue<std::string> q(2);
  std::expected<std::string, conqueue_status> first = q.try_pop();
  REQUIRE_FALSE(first.has_value());
  REQUIRE(first.error() == conqueue_status::empty);
  REQUIRE(q.push("x"));
  q.close();
  std::expected<std::string, conqueue_status> second = q.try_pop();
  REQUIRE(second.has_value());
  REQUIRE(*second == "x");
  std::expected<std::string, conqueue_status> third = q.try_pop();
  REQUIRE_FALSE(third.has_value());
  REQUIRE(third.error() == conqueue_status::closed);
}

TEST_CASE("conqueue_try_pop_expected_needs_no_default_constructor", "[unit][conqueue][expected]") {
  STATIC_REQUIRE_FALSE(std::is_default_constructible_v<labelled>);
  bounded_queue<labelled> q(1);
  REQUIRE(q.emplace(3, "three"));
  std::expected<labelled, conqueue_status> popped = q.try_pop();
  REQUIRE(popped.has_value());
  REQUIRE(popped->x == 3);
  REQUIRE(popped->label == "three");
}
#endif

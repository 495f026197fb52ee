// Properties of select over random arm lists, capacities and close points (SPEC "Select (1a)").
//
// Sequential: random programs of selects (try_select, biased or not, and blocking selects that have
// a ready arm), plain sends and receives and closes run against channels and against a reference of
// deques. Every select fires an arm the reference says is ready (the first one when biased), or
// answers `empty` only when the reference has none; the fired arm has exactly its operation's effect
// and every losing arm none (its `out` unassigned, its value unmoved). At the end every channel holds
// exactly what the reference holds: each value sent was received once or is still in its channel.
//
// Concurrent: two threads run random selects over shared channels while a third closes them at a
// random point; every value is received exactly once, left in its channel, or kept by its sender.

#include <chan/select.hpp>

#include <rapidcheck/catch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

using chan::status;
using namespace std::chrono_literals;

namespace {

struct reference_channel {
  std::deque<int> items;
  std::size_t capacity = 1;
  bool closed = false;
  bool recv_ready() const { return !items.empty() || closed; }
  bool send_ready() const { return closed || items.size() < capacity; }
};

struct arm_plan {
  bool is_send = false;
  std::size_t channel = 0;
};

constexpr int untouched = -1;

}  // namespace

TEST_CASE("select_property_sequential_matches_a_reference", "[property][select]") {
  rc::prop("a fired arm has its operation's effect, losing arms none, and nothing is lost", [] {
    const auto count = *rc::gen::inRange<std::size_t>(1, 5);
    std::vector<std::unique_ptr<chan::channel<int>>> channels;
    std::vector<reference_channel> reference(count);
    for (std::size_t c = 0; c < count; ++c) {
      reference[c].capacity = *rc::gen::inRange<std::size_t>(1, 4);
      channels.push_back(std::make_unique<chan::channel<int>>(reference[c].capacity));
    }
    int next_value = 0;
    const auto steps = *rc::gen::inRange(1, 60);
    for (int step = 0; step < steps; ++step) {
      const int kind = *rc::gen::inRange(0, 10);
      if (kind == 0) {  // a close point
        const auto c = *rc::gen::inRange<std::size_t>(0, count);
        RC_ASSERT(channels[c]->close() == !reference[c].closed);
        reference[c].closed = true;
        continue;
      }
      if (kind == 1) {  // a plain send, so that receives find items
        const auto c = *rc::gen::inRange<std::size_t>(0, count);
        const int value = next_value++;
        const status expected = reference[c].closed                                 ? status::closed
                                : reference[c].items.size() < reference[c].capacity ? status::ok
                                                                                    : status::full;
        RC_ASSERT(channels[c]->try_send(int(value)) == expected);
        if (expected == status::ok) reference[c].items.push_back(value);
        continue;
      }
      // A select over 1-4 random arms (several on one channel allowed, send and recv mixed).
      const auto arm_count = *rc::gen::inRange<std::size_t>(1, 5);
      std::vector<arm_plan> plan(arm_count);
      for (auto& arm : plan) {
        arm.is_send = *rc::gen::arbitrary<bool>();
        arm.channel = *rc::gen::inRange<std::size_t>(0, count);
      }
      const bool biased = *rc::gen::arbitrary<bool>();
      std::vector<int> slots(arm_count, untouched);
      chan::selector<4> arms;
      for (std::size_t i = 0; i < arm_count; ++i) {
        if (plan[i].is_send) {
          slots[i] = next_value++;
          arms.add_send(*channels[plan[i].channel], slots[i]);
        } else {
          arms.add_recv(*channels[plan[i].channel], slots[i]);
        }
      }
      std::vector<bool> ready(arm_count);
      bool any_ready = false;
      for (std::size_t i = 0; i < arm_count; ++i) {
        const reference_channel& r = reference[plan[i].channel];
        ready[i] = plan[i].is_send ? r.send_ready() : r.recv_ready();
        any_ready = any_ready || ready[i];
      }
      const std::vector<int> before = slots;
      // A blocking select only when it cannot block; otherwise try_select.
      const bool blocking = any_ready && *rc::gen::arbitrary<bool>();
      const chan::selected s = blocking ? (biased ? arms.select(chan::biased) : arms.select())
                                        : (biased ? arms.try_select(chan::biased) : arms.try_select());
      if (!any_ready) {
        RC_ASSERT(s.index == chan::no_arm);
        RC_ASSERT(s.result == status::empty);
        RC_ASSERT(slots == before);
        continue;
      }
      RC_ASSERT(s.index < arm_count);
      RC_ASSERT(ready[s.index]);
      if (biased) {
        RC_ASSERT(std::find(ready.begin(), ready.end(), true) - ready.begin() == static_cast<long>(s.index));
      }
      for (std::size_t i = 0; i < arm_count; ++i) {
        if (i != s.index) RC_ASSERT(slots[i] == before[i]);  // losing arms untouched
      }
      reference_channel& r = reference[plan[s.index].channel];
      if (plan[s.index].is_send) {
        if (r.closed) {
          RC_ASSERT(s.result == status::closed);
        } else {
          RC_ASSERT(s.result == status::ok);
          r.items.push_back(before[s.index]);
        }
      } else if (!r.items.empty()) {
        RC_ASSERT(s.result == status::ok);
        RC_ASSERT(slots[s.index] == r.items.front());
        r.items.pop_front();
      } else {
        RC_ASSERT(s.result == status::closed);
        RC_ASSERT(slots[s.index] == untouched);
      }
    }
    for (std::size_t c = 0; c < count; ++c) {
      for (int expected : reference[c].items) {
        int out = untouched;
        RC_ASSERT(channels[c]->try_recv(out) == status::ok);
        RC_ASSERT(out == expected);
      }
      int out = untouched;
      RC_ASSERT(channels[c]->try_recv(out) == (reference[c].closed ? status::closed : status::empty));
    }
  });
}

TEST_CASE("select_property_concurrent_exactly_once_with_close", "[property][select]") {
  rc::prop("every value is received once, left in its channel, or kept by its sender", [] {
    const auto count = *rc::gen::inRange<std::size_t>(1, 4);
    std::vector<std::unique_ptr<chan::channel<int>>> channels;
    for (std::size_t c = 0; c < count; ++c) {
      channels.push_back(std::make_unique<chan::channel<int>>(*rc::gen::inRange<std::size_t>(1, 4)));
    }
    constexpr int threads = 2;
    const auto rounds = *rc::gen::inRange(1, 40);
    // Per thread and round: arms as (is_send, channel).
    std::vector<std::vector<std::vector<arm_plan>>> plans(threads);
    for (auto& rounds_of_thread : plans) {
      for (int r = 0; r < rounds; ++r) {
        std::vector<arm_plan> arms(*rc::gen::inRange<std::size_t>(1, 4));
        for (auto& arm : arms) {
          arm.is_send = *rc::gen::arbitrary<bool>();
          arm.channel = *rc::gen::inRange<std::size_t>(0, count);
        }
        rounds_of_thread.push_back(arms);
      }
    }
    const auto close_after = *rc::gen::inRange(0, 100);  // selects by thread 0 before the close
    const bool closes = *rc::gen::arbitrary<bool>();

    std::vector<int> sent[threads], received[threads], kept[threads];
    std::atomic<int> progress{0};
    auto body = [&](int id) {
      int next = id * 100000;
      for (const auto& arms_plan : plans[id]) {
        chan::selector<4> arms;
        std::vector<int> slots(arms_plan.size(), untouched);
        for (std::size_t i = 0; i < arms_plan.size(); ++i) {
          if (arms_plan[i].is_send) {
            slots[i] = next++;
            arms.add_send(*channels[arms_plan[i].channel], slots[i]);
          } else {
            arms.add_recv(*channels[arms_plan[i].channel], slots[i]);
          }
        }
        // Timed, since the other thread may be done and nothing ever becomes ready.
        const chan::selected s = arms.select_for(500us);
        ++progress;
        for (std::size_t i = 0; i < arms_plan.size(); ++i) {
          const bool fired_ok = i == s.index && s.result == status::ok;
          if (arms_plan[i].is_send) (fired_ok ? sent[id] : kept[id]).push_back(slots[i]);
          if (!arms_plan[i].is_send && fired_ok) received[id].push_back(slots[i]);
          if (!arms_plan[i].is_send && !fired_ok && slots[i] != untouched) sent[id].push_back(-1);  // flags an error
        }
      }
    };
    std::thread other(body, 1);
    std::thread closer([&] {
      if (!closes) return;
      while (progress.load() < close_after && progress.load() < threads * rounds) std::this_thread::yield();
      for (auto& ch : channels) ch->close();
    });
    body(0);
    other.join();
    closer.join();

    std::vector<int> all_sent, all_out;
    for (int id = 0; id < threads; ++id) {
      RC_ASSERT(std::find(sent[id].begin(), sent[id].end(), -1) == sent[id].end());  // no losing recv assigned
      all_sent.insert(all_sent.end(), sent[id].begin(), sent[id].end());
      all_out.insert(all_out.end(), received[id].begin(), received[id].end());
    }
    for (auto& ch : channels) {
      int out = untouched;
      while (ch->try_recv(out) == status::ok) all_out.push_back(out);
    }
    std::sort(all_sent.begin(), all_sent.end());
    std::sort(all_out.begin(), all_out.end());
    RC_ASSERT(all_sent == all_out);  // exactly once: received or still in a channel
    for (int id = 0; id < threads; ++id) {
      for (int value : kept[id]) RC_ASSERT(!std::binary_search(all_out.begin(), all_out.end(), value));
    }
  });
}

#pragma once

// The channel scenarios (mpmc_*, close_race, timeout_race, destroy_with_items): one round of them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include "payloads.hpp"
#include "round.hpp"
#include "support.hpp"

namespace stress {
namespace {

// Producers send numbered items; consumers check each one and log its id; a sampler checks size();
// the main thread may close while producers still send. Afterwards the logs are merged against what
// each producer's sends reported.
template <class Payload>
void run_channel_round(const round_plan& plan, round_result& result) {
  using T = typename Payload::type;
  auto channel = std::make_unique<chan::channel<T>>(plan.capacity);
  const clock::time_point start = clock::now();
  const auto sending_time = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(plan.seconds));
  const clock::time_point stop_at = start + sending_time;

  struct producer_log {
    std::uint64_t sent = 0, ops = 0, damaged_after_failure = 0;
  };
  struct consumer_log {
    std::vector<std::uint64_t> ids;
    std::uint64_t ops = 0, corrupt = 0;
  };
  std::vector<producer_log> producers(plan.producers);
  std::vector<consumer_log> consumers(plan.consumers);
  std::atomic<bool> producers_done{false};
  const std::atomic<bool> never{false};
  std::atomic<bool> sampling{true};
  std::uint64_t sampler_ops = 0, size_out_of_range = 0;
  // A plain write made by the closer just before its first close(): a receive that returns `closed`
  // and an is_closed() that returns true must see it. Without the ordering that
  // close_mark, closed_check and recv_empty_tail promise, that read is a data race TSan reports.
  std::uint64_t close_note = 0;
  const std::uint64_t close_note_value = plan.seed | 1;
  std::atomic<std::uint64_t> close_note_missed{0};
  bool closed_once = false;
  const auto close_with_note = [&] {
    if (!closed_once) close_note = close_note_value;
    closed_once = true;
    channel->close();
  };
  const auto check_close_note = [&] {
    if (close_note != close_note_value) close_note_missed.fetch_add(1, std::memory_order_relaxed);
  };

  std::vector<std::thread> producer_threads, consumer_threads;
  for (unsigned p = 0; p < plan.producers; ++p) {
    producer_threads.emplace_back([&, p] {
      random_source random(plan.seed ^ mix(p + 1));
      producer_log& log = producers[p];
      while (clock::now() < stop_at) {
        const std::uint64_t id = item_id(p, log.sent);
        T item = Payload::make(id);
        const chan::status sent = send_one(*channel, item, plan.op_mode, plan.max_timeout_us, random, stop_at, log.ops);
        if (sent == chan::status::ok) {
          ++log.sent;
        } else {
          // A send that did not succeed leaves the value with the caller, untouched.
          std::uint64_t still = 0;
          if (!Payload::read(item, still) || still != id) ++log.damaged_after_failure;
          if (sent == chan::status::closed) break;  // a refused send promises no ordering with close()
        }
        jitter(random, plan.slow_producers);
      }
    });
  }
  for (unsigned c = 0; c < plan.consumers; ++c) {
    consumer_threads.emplace_back([&, c] {
      random_source random(plan.seed ^ mix(1000 + c));
      consumer_log& log = consumers[c];
      // With keep_items a consumer stops after a random share of the items, leaving the rest to the
      // channel's destructor.
      const std::uint64_t quota = plan.keep_items ? random.below(plan.capacity * 4 + 64) : ~0ULL;
      T out{};
      while (log.ids.size() < quota) {
        const chan::status got = recv_one(*channel, out, plan.op_mode, plan.max_timeout_us, random,
                                          plan.keep_items ? producers_done : never, log.ops);
        if (got == chan::status::closed) check_close_note();
        if (got != chan::status::ok) break;
        std::uint64_t id = 0;
        if (!Payload::read(out, id) || (id >> 32) >= plan.producers) {
          ++log.corrupt;
        } else {
          log.ids.push_back(id);
        }
        out = T{};  // an owning item dies here, in the consumer, not whenever `out` is next assigned
        jitter(random, plan.slow_consumers);
      }
    });
  }
  std::thread sampler([&] {
    random_source random(plan.seed ^ 0x5a5a);
    while (sampling.load(std::memory_order_relaxed)) {
      const std::size_t size = channel->size();
      ++sampler_ops;
      if (size > channel->capacity()) ++size_out_of_range;
      if (channel->is_closed()) check_close_note();
      std::this_thread::yield();
      jitter(random);
    }
  });

  if (plan.close_at) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<clock::duration>(sending_time * *plan.close_at));
    close_with_note();
  }
  for (auto& thread : producer_threads) thread.join();
  producers_done.store(true, std::memory_order_relaxed);
  if (!plan.keep_items || random_source(plan.seed).one_in(2)) close_with_note();
  for (auto& thread : consumer_threads) thread.join();
  sampling.store(false, std::memory_order_relaxed);
  sampler.join();

  const std::size_t left = channel->size();
  if (!plan.keep_items && left != 0) {
    result.violation(result.other, left, "consumers saw `closed` but the channel still held items");
  }
  if constexpr (std::is_same_v<Payload, owning_payload>) {
    const long live = live_owning.load();
    if (live != static_cast<long>(left)) {
      result.violation(
          result.other, 1,
          "live owning items " + std::to_string(live) + " != items left in the channel " + std::to_string(left));
    }
  }
  channel.reset();
  if constexpr (std::is_same_v<Payload, owning_payload>) {
    const long live = live_owning.exchange(0);
    result.violation(result.other, live != 0,
                     "owning items alive after the channel was destroyed: " + std::to_string(live));
  }

  inject(plan.injected, consumers);
  std::uint64_t unseen = 0, phantom = 0, duplicated = 0, reordered = 0, corrupt = 0, damaged = 0;
  std::vector<std::vector<std::uint8_t>> seen(plan.producers);
  for (unsigned p = 0; p < plan.producers; ++p) {
    seen[p].assign(producers[p].sent, 0);
    result.ops += producers[p].ops;
    damaged += producers[p].damaged_after_failure;
  }
  for (const consumer_log& log : consumers) {
    result.ops += log.ops;
    corrupt += log.corrupt;
    // Positions are claimed in increasing order, so even across several consumers each one sees a
    // producer's items in the order they were sent.
    std::vector<std::int64_t> last(plan.producers, -1);
    for (const std::uint64_t id : log.ids) {
      const std::uint64_t seq = id & seq_mask;
      std::int64_t& previous = last[id >> 32];
      if (static_cast<std::int64_t>(seq) <= previous) ++reordered;
      previous = static_cast<std::int64_t>(seq);
      std::vector<std::uint8_t>& of_producer = seen[id >> 32];
      if (seq >= of_producer.size()) {
        ++phantom;
      } else if (of_producer[seq]++ != 0) {
        ++duplicated;
      }
    }
  }
  for (const auto& of_producer : seen)
    unseen += static_cast<std::uint64_t>(std::count(of_producer.begin(), of_producer.end(), 0));
  result.ops += sampler_ops;

  result.violation(result.lost, unseen > left ? unseen - left : 0,
                   "items whose send returned ok were neither received nor left for the destructor");
  result.violation(result.other, left > unseen ? left - unseen : 0,
                   "the channel held more items than were unaccounted for");
  result.violation(result.duplicated, duplicated, "items received more than once");
  result.violation(result.reordered, reordered, "items of one producer received out of order");
  result.violation(result.other, phantom, "items received whose send never returned ok");
  result.violation(result.other, corrupt, "items received damaged (payload disagrees with its id)");
  result.violation(result.other, damaged, "values changed by a send that did not return ok");
  result.violation(result.other, size_out_of_range, "size() outside [0, capacity()]");
  result.violation(result.other, close_note_missed.load(),
                   "a thread that saw the channel closed did not see what the closer wrote before close()");
}

}  // namespace
}  // namespace stress

#pragma once

// The select scenarios (select_mix, select_close): one round of them. Two to eight channels of small
// random capacities (1..4, now and then the plan's larger one); producer threads send each item with
// a plain send on one channel or with a select over send arms on several (all arms offer the same
// value), consumer threads take items with plain receives or selects over recv arms, biased or not,
// by select, try_select, select_for / select_until with short timeouts or a run-time chan::selector.
// Arms repeat channels at random (several arms on one channel). Channels close mid-run one by one
// and all at the end; then every item whose send returned ok must have been received exactly once
// or still be in its channel (drained and logged after the consumers), from the channel it was sent
// on, in per-producer order per channel (ledger.hpp).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <chan/channel.hpp>
#include <chan/select.hpp>

#include "ledger.hpp"
#include "payloads.hpp"
#include "round.hpp"
#include "support.hpp"

namespace stress {
namespace {

constexpr std::size_t max_select_channels = 8;

enum class select_way { try_once, block, timed };

struct select_how {
  select_way way;
  bool biased;
  bool until;  // a timed select by deadline rather than by duration
  std::chrono::microseconds timeout;
};

select_how pick_how(mode m, random_source& random, unsigned max_timeout_us) {
  const mode now = pick(m, random);
  const select_way way = now == mode::try_ops    ? select_way::try_once
                         : now == mode::blocking ? select_way::block
                                                 : select_way::timed;
  return {way, random.one_in(3), random.one_in(2), short_timeout(random, max_timeout_us)};
}

// One select over arms known at compile time, run the way `how` says.
template <class... Arms>
chan::selected run_select(const select_how& how, Arms... arms) {
  switch (how.way) {
    case select_way::try_once:
      return how.biased ? chan::try_select(chan::biased, arms...) : chan::try_select(arms...);
    case select_way::block:
      return how.biased ? chan::select(chan::biased, arms...) : chan::select(arms...);
    case select_way::timed:
      break;
  }
  if (how.until) {
    const auto deadline = clock::now() + how.timeout;
    return how.biased ? chan::select_until(chan::biased, deadline, arms...) : chan::select_until(deadline, arms...);
  }
  return how.biased ? chan::select_for(chan::biased, how.timeout, arms...) : chan::select_for(how.timeout, arms...);
}

template <std::size_t Capacity>
chan::selected run_selector(const select_how& how, chan::selector<Capacity>& arms) {
  switch (how.way) {
    case select_way::try_once:
      return how.biased ? arms.try_select(chan::biased) : arms.try_select();
    case select_way::block:
      return how.biased ? arms.select(chan::biased) : arms.select();
    case select_way::timed:
      break;
  }
  if (how.until) {
    const auto deadline = clock::now() + how.timeout;
    return how.biased ? arms.select_until(chan::biased, deadline) : arms.select_until(deadline);
  }
  return how.biased ? arms.select_for(chan::biased, how.timeout) : arms.select_for(how.timeout);
}

// Arms over channels a thread still uses, drawn with repetition: several arms on one channel.
struct arm_channels {
  std::array<std::size_t, max_select_channels> index{};
  std::size_t count = 0;
};

arm_channels draw_arms(const std::vector<std::size_t>& live, std::size_t count, random_source& random) {
  arm_channels drawn;
  drawn.count = count;
  for (std::size_t k = 0; k < count; ++k) drawn.index[k] = live[random.below(live.size())];
  return drawn;
}

void forget(std::vector<std::size_t>& live, std::size_t channel) { std::erase(live, channel); }

template <class Payload>
void run_select_round(const round_plan& plan, round_result& result) {
  using T = typename Payload::type;
  using channel_t = chan::channel<T>;
  random_source setup(plan.seed ^ 0x5e1ec7);
  std::vector<std::unique_ptr<channel_t>> channels;
  for (unsigned i = 0; i < plan.channels; ++i) {
    const std::size_t capacity = setup.one_in(5) ? plan.capacity : 1 + setup.below(4);
    channels.push_back(std::make_unique<channel_t>(capacity));
  }
  const clock::time_point start = clock::now();
  const auto sending_time = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(plan.seconds));
  const clock::time_point stop_at = start + sending_time;
  close_notes notes(plan.channels, plan.seed);
  std::vector<std::atomic<bool>> drained_seen(plan.channels);

  std::vector<std::vector<std::uint8_t>> sent_on(plan.producers);
  std::vector<std::uint64_t> producer_ops(plan.producers, 0), damaged(plan.producers, 0);
  std::vector<receiver_log> logs(plan.consumers + 1);  // the last one: the final drain
  const auto all_channels = [&] {
    std::vector<std::size_t> live(plan.channels);
    for (std::size_t i = 0; i < live.size(); ++i) live[i] = i;
    return live;
  };

  std::vector<std::thread> producer_threads, consumer_threads;
  for (unsigned p = 0; p < plan.producers; ++p) {
    producer_threads.emplace_back([&, p] {
      random_source random(plan.seed ^ mix(p + 1));
      std::uint64_t& ops = producer_ops[p];
      std::vector<std::size_t> live = all_channels();  // the channels this producer has not seen closed
      while (!live.empty() && clock::now() < stop_at) {
        const std::uint64_t id = item_id(p, sent_on[p].size());
        T item = Payload::make(id);
        // One item until it is sent, every channel it tried is closed, or the sending time is over.
        bool gave_up = false;
        while (!gave_up && !live.empty()) {
          const auto intact = [&] {
            std::uint64_t still = 0;
            if (!Payload::read(item, still) || still != id) ++damaged[p];
          };
          const std::uint64_t kind = random.below(4);
          if (kind == 0) {
            const std::size_t c = live[random.below(live.size())];
            const chan::status sent =
                send_one(*channels[c], item, plan.op_mode, plan.max_timeout_us, random, stop_at, ops);
            if (sent == chan::status::ok) {
              sent_on[p].push_back(static_cast<std::uint8_t>(c));
              break;
            }
            intact();
            if (sent == chan::status::closed) {
              forget(live, c);
            } else {
              gave_up = true;  // send_one gives up only once the sending time is over
            }
            continue;
          }
          const select_how how = pick_how(plan.op_mode, random, plan.max_timeout_us);
          chan::selected got{chan::no_arm, chan::status::empty};
          arm_channels arms = draw_arms(live,
                                        kind == 1   ? 2
                                        : kind == 2 ? 4
                                                    : 1 + random.below(max_select_channels),
                                        random);
          const auto arm = [&](std::size_t k) { return chan::send(*channels[arms.index[k]], item); };
          if (kind == 1) {
            got = run_select(how, arm(0), arm(1));
          } else if (kind == 2) {
            got = run_select(how, arm(0), arm(1), arm(2), arm(3));
          } else {
            chan::selector<max_select_channels> selector;
            for (std::size_t k = 0; k < arms.count; ++k) {
              if (selector.add_send(*channels[arms.index[k]], item) != k) ++damaged[p];
            }
            got = run_selector(how, selector);
          }
          ++ops;
          if (got && got.result == chan::status::ok) {
            sent_on[p].push_back(static_cast<std::uint8_t>(arms.index[got.index]));
            break;
          }
          intact();  // no send arm moved the value
          if (got) {
            forget(live, arms.index[got.index]);  // fired with closed
          } else if (clock::now() >= stop_at) {
            gave_up = true;
          } else {
            jitter(random, plan.slow_producers);
          }
        }
        if (gave_up) break;
        jitter(random, plan.slow_producers);
      }
    });
  }

  for (unsigned c = 0; c < plan.consumers; ++c) {
    consumer_threads.emplace_back([&, c] {
      random_source random(plan.seed ^ mix(1000 + c));
      receiver_log& log = logs[c];
      std::vector<std::size_t> live = all_channels();  // the channels this consumer has not seen drained
      const std::atomic<bool> never{false};
      const auto received = [&](const T& item, std::size_t channel) {
        std::uint64_t id = 0;
        if (!Payload::read(item, id) || (id >> 32) >= plan.producers) {
          ++log.corrupt;
        } else {
          log.ids.push_back(tagged(id, channel));
        }
      };
      const auto drained = [&](std::size_t channel) {
        notes.check(channel);
        drained_seen[channel].store(true, std::memory_order_relaxed);
        forget(live, channel);
      };
      const auto is_sentinel = [](const T& item) {
        std::uint64_t id = 0;
        return Payload::read(item, id) && id == sentinel_id;
      };
      T out = Payload::make(sentinel_id);
      std::array<std::optional<T>, max_select_channels> slots;
      while (!live.empty()) {
        const std::uint64_t kind = random.below(5);
        if (kind == 0) {
          const std::size_t ch = live[random.below(live.size())];
          const chan::status got =
              recv_one(*channels[ch], out, plan.op_mode, plan.max_timeout_us, random, never, log.ops);
          if (got == chan::status::ok) {
            received(out, ch);
          } else {
            drained(ch);
          }
          out = Payload::make(sentinel_id);
          jitter(random, plan.slow_consumers);
          continue;
        }
        const select_how how = pick_how(plan.op_mode, random, plan.max_timeout_us);
        // Kinds 1 and 4 (with a coin) share one `out` between the arms, as a priority select would;
        // kinds 2, 3 and 4 (with the other side) give each arm its own optional, so an arm that did
        // not fire can be seen to have assigned nothing.
        const bool shared_out = kind == 1 || (kind == 4 && random.one_in(2));
        const arm_channels arms = draw_arms(live,
                                            kind == 1   ? 2
                                            : kind == 2 ? 3
                                            : kind == 3 ? 2
                                                        : 1 + random.below(max_select_channels),
                                            random);
        const auto by_slot = [&](std::size_t k) { return chan::recv(*channels[arms.index[k]], slots[k]); };
        const auto by_out = [&](std::size_t k) { return chan::recv(*channels[arms.index[k]], out); };
        chan::selected got{chan::no_arm, chan::status::empty};
        if (kind == 1) {
          got = run_select(how, by_out(0), by_out(1));
        } else if (kind == 2) {
          got = run_select(how, by_slot(0), by_slot(1), by_slot(2));
        } else if (kind == 3) {
          got = run_select(how, by_slot(0), by_out(1));  // an optional and a T& arm in one select
        } else {
          chan::selector<max_select_channels> selector;
          for (std::size_t k = 0; k < arms.count; ++k) {
            const std::size_t added = shared_out ? selector.add_recv(*channels[arms.index[k]], out)
                                                 : selector.add_recv(*channels[arms.index[k]], slots[k]);
            if (added != k) ++log.untouched_violations;
          }
          got = run_selector(how, selector);
        }
        ++log.ops;
        const bool fired_ok = got && got.result == chan::status::ok;
        const bool fired_into_out = fired_ok && (shared_out || (kind == 3 && got.index == 1));
        for (std::size_t k = 0; k < arms.count; ++k) {
          const bool uses_out = shared_out || (kind == 3 && k == 1);
          if (uses_out) continue;
          if (slots[k].has_value() != (fired_ok && got.index == k)) ++log.untouched_violations;
        }
        if (!fired_into_out && !is_sentinel(out)) ++log.untouched_violations;
        if (fired_ok) {
          const std::size_t ch = arms.index[got.index];
          if (fired_into_out) {
            received(out, ch);
          } else if (slots[got.index]) {
            received(*slots[got.index], ch);
          }
        } else if (got) {
          drained(arms.index[got.index]);
        } else {
          jitter(random, plan.slow_consumers);
        }
        if (fired_into_out) out = Payload::make(sentinel_id);
        for (auto& slot : slots) slot.reset();  // an owning item dies here, in the consumer
      }
    });
  }

  // Mid-run, some channels close while the others go on: their senders and selects move on.
  if (plan.close_at) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<clock::duration>(sending_time * *plan.close_at));
    random_source closer(plan.seed ^ 0xc105e);
    const std::size_t closing = 1 + closer.below(plan.channels);
    for (std::size_t k = 0; k < closing; ++k) {
      const std::size_t i = closer.below(plan.channels);
      notes.close(*channels[i], i);
    }
  }
  // A producer that may block without a deadline (blocking or mixed mode) may wait on a channel
  // that no consumer is draining at the moment: close first, then join. With non-blocking and
  // timed sends the producers give up on their own, and the close comes after the last send.
  const bool close_first = plan.op_mode == mode::blocking || plan.op_mode == mode::mixed;
  if (close_first) {
    std::this_thread::sleep_until(stop_at);
    for (std::size_t i = 0; i < channels.size(); ++i) notes.close(*channels[i], i);
  }
  for (auto& thread : producer_threads) thread.join();
  for (std::size_t i = 0; i < channels.size(); ++i) notes.close(*channels[i], i);
  for (auto& thread : consumer_threads) thread.join();

  // What is left: channels no consumer saw drained may still hold items; they are the last log.
  std::uint64_t held_after_drained = 0;
  receiver_log& rest = logs.back();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const bool was_drained = drained_seen[i].load();
    while (auto item = channels[i]->try_recv()) {
      held_after_drained += was_drained;
      std::uint64_t id = 0;
      if (!Payload::read(*item, id) || (id >> 32) >= plan.producers) {
        ++rest.corrupt;
      } else {
        rest.ids.push_back(tagged(id, i));
      }
    }
    if (channels[i]->size() != 0) result.violation(result.other, 1, "a closed channel's size() is not 0 after a drain");
  }
  channels.clear();
  if constexpr (std::is_same_v<Payload, owning_payload>) {
    const long live = live_owning.exchange(0);
    result.violation(result.other, live != 0,
                     "owning items alive after the channels were destroyed: " + std::to_string(live));
  }
  for (const std::uint64_t n : producer_ops) result.ops += n;
  std::uint64_t damaged_values = 0;
  for (const std::uint64_t n : damaged) damaged_values += n;
  merge_ledger(sent_on, logs, plan.injected, result);
  result.violation(result.other, held_after_drained, "a receiver saw `closed` on a channel that still held items");
  result.violation(result.other, damaged_values, "values changed by a send or send arm that did not return ok");
  result.violation(result.other, notes.missed(),
                   "a receive that returned `closed` did not see what the closer wrote before close()");
}

}  // namespace
}  // namespace stress

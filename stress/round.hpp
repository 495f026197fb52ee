#pragma once

// What every round shares: its plan (make_plan in scenarios.hpp fills it in), its result (the
// violations found), and the send, receive and fault-planting steps the rounds are built from.

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
#include "support.hpp"

namespace stress {
namespace {

enum class mode { try_ops, blocking, timed, mixed };
enum class payload_kind { u64, job, owning };
// Faults the self-check plants in the consumers' logs, to show the checks catch what they claim to.
enum class fault { none, lose, duplicate, reorder };

const char* to_string(mode m) {
  switch (m) {
    case mode::try_ops:
      return "try";
    case mode::blocking:
      return "blocking";
    case mode::timed:
      return "timed";
    case mode::mixed:
      return "mixed";
  }
  return "?";
}
const char* to_string(payload_kind p) {
  switch (p) {
    case payload_kind::u64:
      return "u64";
    case payload_kind::job:
      return "job";
    case payload_kind::owning:
      return "owning";
  }
  return "?";
}

// The coroutine scenarios are left out where the compiler cannot build them (CMakeLists.txt: clang 14
// with AddressSanitizer).
#ifndef CHAN_STRESS_COROUTINES
#define CHAN_STRESS_COROUTINES 1
#endif
const std::vector<std::string> scenario_names = {
    "mpmc_1x1",     "mpmc_2x2",           "mpmc_4x4",      "mpmc_16x16", "close_race",
    "timeout_race", "destroy_with_items", "oneshot_storm", "select_mix", "select_close",
#if CHAN_STRESS_COROUTINES
    "async_mix",    "async_cancel",
#endif
};
const std::size_t capacities[] = {1, 2, 3, 64, 1000};

struct options {
  double seconds = 10;
  std::optional<std::uint64_t> seed;
  std::optional<unsigned> producers, consumers;
  std::optional<std::size_t> capacity;
  std::optional<mode> op_mode;
  std::optional<payload_kind> payload;
  std::optional<double> close_at;  // fraction of the round's sending time
  std::string scenario = "rotation";
  bool self_check = false;
  bool plant_sanitizer_report = false;  // the test that the verdict counts reports
};

struct round_plan {
  std::string scenario;
  std::uint64_t seed = 0;
  unsigned producers = 1, consumers = 1;
  std::size_t capacity = 1;
  mode op_mode = mode::blocking;
  payload_kind payload = payload_kind::u64;
  std::optional<double> close_at;
  double seconds = 0.1;
  unsigned max_timeout_us = 200;
  bool slow_producers = false, slow_consumers = false;
  bool keep_items = false;       // consumers quit early and the destructor gets what is left
  unsigned channels = 1;         // select and async rounds: how many channels
  unsigned pool_threads = 0;     // async rounds: the coroutines' thread pool
  bool stop_then_close = false;  // async rounds: cancel the producers' sends, then close
  fault injected = fault::none;

  std::string describe() const {
    char text[512];
    std::snprintf(text, sizeof text,
                  "scenario=%s round_seed=%llu producers=%u consumers=%u capacity=%zu mode=%s payload=%s close_at=%s "
                  "seconds=%.3f max_timeout_us=%u slow_producers=%d slow_consumers=%d keep_items=%d channels=%u "
                  "pool_threads=%u stop_then_close=%d",
                  scenario.c_str(), static_cast<unsigned long long>(seed), producers, consumers, capacity,
                  to_string(op_mode), to_string(payload), close_at ? std::to_string(*close_at).c_str() : "none",
                  seconds, max_timeout_us, slow_producers, slow_consumers, keep_items, channels, pool_threads,
                  stop_then_close);
    return text;
  }
};

struct round_result {
  std::uint64_t ops = 0, lost = 0, duplicated = 0, reordered = 0, other = 0;
  std::vector<std::string> messages;

  void violation(std::uint64_t& counter, std::uint64_t n, const std::string& what) {
    if (n == 0) return;
    counter += n;
    if (messages.size() < 20) messages.push_back(what + " (x" + std::to_string(n) + ")");
  }
  bool failed() const { return lost + duplicated + reordered + other > 0; }
};

constexpr std::uint64_t seq_mask = 0xffffffffULL;
std::uint64_t item_id(std::uint64_t producer, std::uint64_t seq) { return producer << 32 | seq; }

std::chrono::microseconds short_timeout(random_source& random, unsigned max_us) {
  return std::chrono::microseconds(random.below(max_us + 1));
}

mode pick(mode m, random_source& random) { return m == mode::mixed ? static_cast<mode>(random.below(3)) : m; }

// Sends one item until ok or closed; with non-blocking or timed sends, gives up (`full` or `timeout`)
// once `give_up_at` has passed. The item is moved from only on ok.
template <class T>
chan::status send_one(chan::channel<T>& channel, T& item, mode m, unsigned max_timeout_us, random_source& random,
                      clock::time_point give_up_at, std::uint64_t& ops) {
  for (;;) {
    chan::status result{};
    const mode now = pick(m, random);
    ++ops;
    if (now == mode::try_ops) {
      result = channel.try_send(std::move(item));
    } else if (now == mode::blocking) {
      result = channel.send(std::move(item));
    } else {
      result = channel.send_for(std::move(item), short_timeout(random, max_timeout_us));
    }
    if (result == chan::status::ok || result == chan::status::closed) return result;
    if (clock::now() >= give_up_at) return result;
    jitter(random);
  }
}

template <class T>
chan::status recv_one(chan::channel<T>& channel, T& out, mode m, unsigned max_timeout_us, random_source& random,
                      const std::atomic<bool>& give_up, std::uint64_t& ops) {
  for (;;) {
    chan::status result{};
    const mode now = pick(m, random);
    ++ops;
    if (now == mode::try_ops) {
      result = channel.try_recv(out);
    } else if (now == mode::blocking) {
      if (random.one_in(2)) {
        result = channel.recv(out);
      } else {
        std::optional<T> item = channel.recv();
        result = item ? chan::status::ok : chan::status::closed;
        if (item) out = std::move(*item);
      }
    } else {
      result = channel.recv_for(out, short_timeout(random, max_timeout_us));
    }
    if (result == chan::status::ok || result == chan::status::closed) return result;
    if (give_up.load(std::memory_order_relaxed)) return result;
    jitter(random);
  }
}

template <class Log>
void inject(fault planted, std::vector<Log>& logs) {
  for (Log& log : logs) {
    std::vector<std::uint64_t>& ids = log.ids;
    if (ids.empty()) continue;
    if (planted == fault::lose) {
      ids.pop_back();
      return;
    }
    if (planted == fault::duplicate) {
      ids.push_back(ids.front());
      return;
    }
    if (planted == fault::reorder) {
      for (std::size_t later = 1; later < ids.size(); ++later) {
        const auto earlier = std::find_if(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(later),
                                          [&](std::uint64_t id) { return id >> 32 == ids[later] >> 32; });
        if (earlier != ids.begin() + static_cast<std::ptrdiff_t>(later)) {
          std::swap(*earlier, ids[later]);
          return;
        }
      }
    }
  }
}

}  // namespace
}  // namespace stress

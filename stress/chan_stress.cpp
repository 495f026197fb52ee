// chan_stress: long randomized runs of chan::channel and chan::oneshot, meant to be built under
// ThreadSanitizer or AddressSanitizer+UBSan (the tsan and asan presets). Every round checks the
// contract of docs/contract.md section 3 on what actually happened: exactly-once delivery (or destruction by
// the channel's destructor), nothing received that did not send, per-producer FIFO, size() within
// [0, capacity()], values left intact by failed sends, balanced instance counts of owning items,
// and every thread returning (a watchdog aborts a hung round). The seed is printed at the start and
// on any violation; the same seed and options replay the same sequence of rounds.

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

const std::vector<std::string> scenario_names = {"mpmc_1x1",   "mpmc_2x2",     "mpmc_4x4",           "mpmc_16x16",
                                                 "close_race", "timeout_race", "destroy_with_items", "oneshot_storm"};
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
  bool keep_items = false;  // consumers quit early and the destructor gets what is left
  fault injected = fault::none;

  std::string describe() const {
    char text[512];
    std::snprintf(text, sizeof text,
                  "scenario=%s round_seed=%llu producers=%u consumers=%u capacity=%zu mode=%s payload=%s close_at=%s "
                  "seconds=%.3f max_timeout_us=%u slow_producers=%d slow_consumers=%d keep_items=%d",
                  scenario.c_str(), static_cast<unsigned long long>(seed), producers, consumers, capacity,
                  to_string(op_mode), to_string(payload), close_at ? std::to_string(*close_at).c_str() : "none",
                  seconds, max_timeout_us, slow_producers, slow_consumers, keep_items);
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

// Thousands of oneshots: creators make pairs and pass each end through a channel to worker threads
// (or act on it themselves); each end is used or dropped at random. Every pair's two outcomes must
// agree with each other.
template <class Payload>
void run_oneshot_round(const round_plan& plan, round_result& result) {
  using T = typename Payload::type;
  enum outcome : std::uint8_t { none, sent_ok, sent_closed, dropped, got, got_closed, empty_dropped, timeout_dropped };
  struct sender_job {
    std::uint64_t id;
    chan::oneshot_sender<T> sender;
  };
  struct receiver_job {
    std::uint64_t id;
    chan::oneshot_receiver<T> receiver;
  };
  using records = std::vector<std::pair<std::uint64_t, outcome>>;

  const clock::time_point stop_at =
      clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(plan.seconds));
  chan::channel<sender_job> to_senders(plan.capacity);
  chan::channel<receiver_job> to_receivers(plan.capacity);
  const unsigned creators = plan.producers;
  const unsigned sender_workers = std::max(1u, plan.consumers / 2);
  const unsigned receiver_workers = std::max(1u, plan.consumers - plan.consumers / 2);
  std::vector<records> sender_records(creators + sender_workers), receiver_records(creators + receiver_workers);
  std::vector<std::uint64_t> ops(creators + sender_workers + receiver_workers, 0), corrupt(receiver_workers, 0);

  auto send_value = [](sender_job& job, records& log) {
    const chan::status sent = job.sender.send(Payload::make(job.id));
    log.emplace_back(job.id, sent == chan::status::ok ? sent_ok : sent_closed);
  };
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < creators; ++w) {
    threads.emplace_back([&, w] {
      random_source random(plan.seed ^ mix(w + 1));
      for (std::uint64_t n = 0; clock::now() < stop_at; ++n) {
        auto [sender, receiver] = chan::oneshot<T>();
        sender_job for_sender{item_id(w, n), std::move(sender)};
        const std::uint64_t roll = random.below(8);
        if (roll == 0) {
          sender_records[w].emplace_back(for_sender.id, dropped);
          const chan::oneshot_sender<T> gone = std::move(for_sender.sender);
        } else if (roll == 1) {
          send_value(for_sender, sender_records[w]);
        } else {
          to_senders.send(std::move(for_sender));
        }
        receiver_job for_receiver{item_id(w, n), std::move(receiver)};
        if (random.one_in(8)) {
          receiver_records[w].emplace_back(for_receiver.id, dropped);
        } else {
          to_receivers.send(std::move(for_receiver));
        }
        ops[w] += 3;
        jitter(random);
      }
    });
  }
  for (unsigned s = 0; s < sender_workers; ++s) {
    threads.emplace_back([&, s] {
      random_source random(plan.seed ^ mix(100 + s));
      records& log = sender_records[creators + s];
      while (std::optional<sender_job> job = to_senders.recv()) {
        ++ops[creators + s];
        if (random.one_in(4)) {
          log.emplace_back(job->id, dropped);
        } else {
          send_value(*job, log);
        }
        jitter(random);
      }
    });
  }
  for (unsigned r = 0; r < receiver_workers; ++r) {
    threads.emplace_back([&, r] {
      random_source random(plan.seed ^ mix(200 + r));
      records& log = receiver_records[creators + r];
      std::uint64_t& my_ops = ops[creators + sender_workers + r];
      while (std::optional<receiver_job> job = to_receivers.recv()) {
        ++my_ops;
        T out{};
        chan::status received = chan::status::empty;
        switch (random.below(4)) {
          case 0:
            log.emplace_back(job->id, dropped);
            continue;
          case 1:
            received = job->receiver.try_recv(out);
            break;
          case 2:
            received = job->receiver.recv_for(out, short_timeout(random, plan.max_timeout_us));
            break;
          default:
            received = job->receiver.recv(out);
            break;
        }
        ++my_ops;
        if (received == chan::status::ok) {
          std::uint64_t id = 0;
          if (!Payload::read(out, id) || id != job->id) ++corrupt[r];
          log.emplace_back(job->id, got);
        } else if (received == chan::status::closed) {
          log.emplace_back(job->id, got_closed);
        } else {
          log.emplace_back(job->id, received == chan::status::empty ? empty_dropped : timeout_dropped);
        }
        jitter(random);
      }
    });
  }
  for (unsigned w = 0; w < creators; ++w) threads[w].join();
  to_senders.close();
  to_receivers.close();
  for (std::size_t t = creators; t < threads.size(); ++t) threads[t].join();

  std::map<std::uint64_t, std::pair<outcome, outcome>> pairs;
  std::uint64_t twice = 0, inconsistent = 0;
  for (const records& log : sender_records) {
    for (const auto& [id, what] : log) {
      outcome& slot = pairs[id].first;
      twice += slot != none;
      slot = what;
    }
  }
  for (const records& log : receiver_records) {
    for (const auto& [id, what] : log) {
      outcome& slot = pairs[id].second;
      twice += slot != none;
      slot = what;
    }
  }
  for (const auto& [id, both] : pairs) {
    const auto [sender, receiver] = both;
    const bool receiver_gone_first = receiver == dropped || receiver == empty_dropped || receiver == timeout_dropped;
    const bool ok = sender != none && receiver != none && (receiver != got || sender == sent_ok) &&
                    (receiver != got_closed || sender == dropped) && (sender != sent_closed || receiver_gone_first);
    inconsistent += !ok;
  }
  for (const std::uint64_t n : ops) result.ops += n;
  std::uint64_t damaged = 0;
  for (const std::uint64_t n : corrupt) damaged += n;
  result.violation(result.other, twice, "oneshot: one end of a pair recorded two outcomes");
  result.violation(result.other, inconsistent, "oneshot: sender and receiver outcomes disagree");
  result.violation(result.other, damaged, "oneshot: received a value that is not the one sent");
  if constexpr (std::is_same_v<Payload, owning_payload>) {
    const long live = live_owning.exchange(0);
    result.violation(result.other, live != 0,
                     "oneshot: owning items alive after every end was gone: " + std::to_string(live));
  }
}

template <class Payload>
void run_round(const round_plan& plan, round_result& result) {
  if (plan.scenario == "oneshot_storm") {
    run_oneshot_round<Payload>(plan, result);
  } else {
    run_channel_round<Payload>(plan, result);
  }
}

round_plan make_plan(const options& opts, random_source& planner, double remaining) {
  round_plan plan;
  plan.seed = planner.next();
  plan.scenario = opts.scenario == "rotation" ? scenario_names[planner.below(scenario_names.size())] : opts.scenario;
  plan.seconds = std::min(remaining, 0.05 + 0.35 * planner.unit());
  plan.capacity = capacities[planner.below(std::size(capacities))];
  plan.op_mode = static_cast<mode>(planner.below(4));
  plan.payload = static_cast<payload_kind>(planner.below(3));
  const bool close_early = planner.one_in(3);
  const double close_fraction = 0.05 + 0.9 * planner.unit();
  plan.slow_producers = planner.one_in(4);
  plan.slow_consumers = planner.one_in(4);
  const unsigned storm_threads = 1 + static_cast<unsigned>(planner.below(8));

  const std::string& s = plan.scenario;
  if (s.rfind("mpmc_", 0) == 0) {
    plan.producers = plan.consumers = static_cast<unsigned>(std::stoul(s.substr(5)));
    if (close_early) plan.close_at = close_fraction;
  } else if (s == "close_race") {
    plan.producers = 1 + static_cast<unsigned>(planner.below(8));
    plan.consumers = 1 + static_cast<unsigned>(planner.below(8));
    plan.op_mode = planner.one_in(2) ? mode::blocking : mode::mixed;
    plan.close_at = close_fraction;
  } else if (s == "timeout_race") {
    plan.producers = 1 + static_cast<unsigned>(planner.below(6));
    plan.consumers = 1 + static_cast<unsigned>(planner.below(6));
    plan.capacity = capacities[planner.below(3)];
    plan.op_mode = mode::timed;
    plan.max_timeout_us = static_cast<unsigned>(planner.below(30));
  } else if (s == "destroy_with_items") {
    plan.producers = 1 + static_cast<unsigned>(planner.below(6));
    plan.consumers = 1 + static_cast<unsigned>(planner.below(6));
    // Consumers quit early, so a blocked send could wait forever: only sends that give up.
    plan.op_mode = planner.one_in(2) ? mode::try_ops : mode::timed;
    plan.keep_items = true;
  } else {  // oneshot_storm
    plan.producers = storm_threads;
    plan.consumers = 2 + static_cast<unsigned>(planner.below(6));
    plan.max_timeout_us = 500;
  }
  if (opts.producers) plan.producers = *opts.producers;
  if (opts.consumers) plan.consumers = *opts.consumers;
  if (opts.capacity) plan.capacity = *opts.capacity;
  if (opts.op_mode && !plan.keep_items) plan.op_mode = *opts.op_mode;
  if (opts.payload) plan.payload = *opts.payload;
  if (opts.close_at) plan.close_at = *opts.close_at;
  return plan;
}

[[noreturn]] void usage(const char* problem) {
  std::fprintf(
      stderr,
      "chan_stress: %s\n"
      "usage: chan_stress [--seconds S] [--seed N] [--scenario NAME|rotation] [--producers N] [--consumers N]\n"
      "                   [--capacity N] [--mode try|blocking|timed|mixed] [--payload u64|job|owning]\n"
      "                   [--close-at FRACTION]   (close after this fraction of each round's sending time)\n"
      "       chan_stress --self-check             (plant faults in the logs; the checks must catch them)\n"
      "scenarios:",
      problem);
  for (const auto& name : scenario_names) std::fprintf(stderr, " %s", name.c_str());
  std::fprintf(stderr, "\n");
  std::exit(2);
}

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("help");
    if (flag == "--self-check") {
      opts.self_check = true;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value for " + flag).c_str());
    const std::string value = argv[++i];
    try {
      if (flag == "--seconds") {
        opts.seconds = std::stod(value);
      } else if (flag == "--seed") {
        opts.seed = std::stoull(value);
      } else if (flag == "--producers") {
        opts.producers = static_cast<unsigned>(std::stoul(value));
      } else if (flag == "--consumers") {
        opts.consumers = static_cast<unsigned>(std::stoul(value));
      } else if (flag == "--capacity") {
        opts.capacity = std::stoull(value);
      } else if (flag == "--close-at") {
        opts.close_at = std::stod(value);
      } else if (flag == "--mode") {
        const char* names[] = {"try", "blocking", "timed", "mixed"};
        const auto found = std::find(std::begin(names), std::end(names), value);
        if (found == std::end(names)) usage(("unknown mode " + value).c_str());
        opts.op_mode = static_cast<mode>(found - std::begin(names));
      } else if (flag == "--payload") {
        const char* names[] = {"u64", "job", "owning"};
        const auto found = std::find(std::begin(names), std::end(names), value);
        if (found == std::end(names)) usage(("unknown payload " + value).c_str());
        opts.payload = static_cast<payload_kind>(found - std::begin(names));
      } else if (flag == "--scenario") {
        if (value != "rotation" &&
            std::find(scenario_names.begin(), scenario_names.end(), value) == scenario_names.end()) {
          usage(("unknown scenario " + value).c_str());
        }
        opts.scenario = value;
      } else {
        usage(("unknown option " + flag).c_str());
      }
    } catch (const std::logic_error&) {
      usage(("bad value for " + flag + ": " + value).c_str());
    }
  }
  if ((opts.producers && *opts.producers == 0) || (opts.consumers && *opts.consumers == 0))
    usage("need at least one thread per side");
  if (opts.capacity && *opts.capacity == 0) usage("capacity must be at least 1");
  if (opts.close_at && (*opts.close_at < 0 || *opts.close_at > 1)) usage("--close-at is a fraction in [0, 1]");
  return opts;
}

// A check that never fires proves nothing: plant each kind of fault once and require the merge to
// report it in its own category.
int self_check() {
  struct planted_case {
    fault planted;
    const char* name;
    std::uint64_t round_result::*counter;
  };
  const planted_case cases[] = {{fault::lose, "a lost item", &round_result::lost},
                                {fault::duplicate, "a duplicated item", &round_result::duplicated},
                                {fault::reorder, "two items swapped", &round_result::reordered}};
  int missed = 0;
  for (const planted_case& planted : cases) {
    round_plan plan;
    plan.scenario = "mpmc_2x2";
    plan.seed = 42;
    plan.producers = plan.consumers = 2;
    plan.capacity = 64;
    plan.seconds = 0.2;
    plan.injected = planted.planted;
    round_result result;
    run_channel_round<u64_payload>(plan, result);
    const bool caught = result.*planted.counter > 0;
    missed += !caught;
    std::printf("stress: self-check: planted %s -> %llu lost, %llu duplicated, %llu reordered, %llu other: %s\n",
                planted.name, static_cast<unsigned long long>(result.lost),
                static_cast<unsigned long long>(result.duplicated), static_cast<unsigned long long>(result.reordered),
                static_cast<unsigned long long>(result.other), caught ? "caught" : "MISSED");
  }
  return missed == 0 ? 0 : 1;
}

struct scenario_tally {
  std::uint64_t rounds = 0, ops = 0;
};

}  // namespace
}  // namespace stress

int main(int argc, char** argv) {
  using namespace stress;
  const options opts = parse(argc, argv);
  if (opts.self_check) return self_check();
  const std::uint64_t seed = opts.seed ? *opts.seed : std::random_device{}() * 0x100000000ULL + std::random_device{}();
  std::printf("stress: seed %llu, scenario %s, %.0f s (rerun with --seed %llu)\n",
              static_cast<unsigned long long>(seed), opts.scenario.c_str(), opts.seconds,
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);

  watchdog guard;
  random_source planner(seed);
  std::map<std::string, scenario_tally> tallies;
  round_result total;
  const clock::time_point start = clock::now();
  clock::time_point next_progress = start + std::chrono::seconds(5);
  bool failed = false;
  for (std::uint64_t round = 0;; ++round) {
    const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    if (elapsed >= opts.seconds && round > 0) break;
    const round_plan plan = make_plan(opts, planner, std::max(0.01, opts.seconds - elapsed));
    // Sanitizers slow threads by 5-20x and parked threads wake late: the limit is for hangs only.
    guard.arm(std::chrono::seconds(60) +
                  std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(plan.seconds * 50)),
              "seed " + std::to_string(seed) + " round " + std::to_string(round) + " " + plan.describe());
    round_result result;
    switch (plan.payload) {
      case payload_kind::u64:
        run_round<u64_payload>(plan, result);
        break;
      case payload_kind::job:
        run_round<job_payload>(plan, result);
        break;
      case payload_kind::owning:
        run_round<owning_payload>(plan, result);
        break;
    }
    guard.disarm();
    scenario_tally& tally = tallies[plan.scenario];
    ++tally.rounds;
    tally.ops += result.ops;
    total.ops += result.ops;
    total.lost += result.lost;
    total.duplicated += result.duplicated;
    total.reordered += result.reordered;
    total.other += result.other;
    if (result.failed()) {
      std::printf("stress: VIOLATION in round %llu with seed %llu: %s\n", static_cast<unsigned long long>(round),
                  static_cast<unsigned long long>(seed), plan.describe().c_str());
      for (const std::string& message : result.messages) std::printf("stress:   %s\n", message.c_str());
      std::printf("stress: rerun: chan_stress --seed %llu --scenario %s --seconds %.0f (same round sequence)\n",
                  static_cast<unsigned long long>(seed), opts.scenario.c_str(), opts.seconds);
      failed = true;
      break;
    }
    if (clock::now() >= next_progress) {
      next_progress += std::chrono::seconds(5);
      std::printf("stress: [%3.0f s] %llu rounds, %.3g ops, 0 violations\n",
                  std::chrono::duration<double>(clock::now() - start).count(),
                  static_cast<unsigned long long>(round + 1), static_cast<double>(total.ops));
      std::fflush(stdout);
    }
  }

  std::printf("stress: per scenario (seed %llu):\n", static_cast<unsigned long long>(seed));
  for (const auto& [name, tally] : tallies) {
    std::printf("stress:   %-20s %6llu rounds %12.3g ops\n", name.c_str(),
                static_cast<unsigned long long>(tally.rounds), static_cast<double>(tally.ops));
  }
  if (total.other > 0) std::printf("stress: %llu other violations\n", static_cast<unsigned long long>(total.other));
  // The sanitizers are run with halt_on_error, so a report ends the process before this line: reaching
  // it means none. ci/stress counts reports from the sanitizer output independently.
  std::printf("stress: %.3g ops, %llu lost, %llu duplicated, %llu reordered, 0 sanitizer reports\n",
              static_cast<double>(total.ops), static_cast<unsigned long long>(total.lost),
              static_cast<unsigned long long>(total.duplicated), static_cast<unsigned long long>(total.reordered));
  return failed ? 1 : 0;
}

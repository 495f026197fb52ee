// The job queue from the seed issue: producers submit typed jobs into a bounded chan::channel,
// consumers process them, and shutdown is close(): stop accepting, drain, exit. Every variant of
// the issue is a flag (see options.hpp). The last line is always `Done. Processed X / Y jobs.`;
// the lines before it are `key=value` summaries that check_job_queue.py verifies.

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>
#include <chan/select.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "options.hpp"

namespace job_queue {

using clock = std::chrono::steady_clock;

enum class job_type : std::uint8_t { email_send, image_resize, report_generate };

constexpr const char* name_of(job_type type) {
  switch (type) {
    case job_type::email_send:
      return "email_send";
    case job_type::image_resize:
      return "image_resize";
    case job_type::report_generate:
      return "report_generate";
  }
  return "unknown";
}

constexpr std::chrono::duration<double, std::milli> base_cost(job_type type) {
  switch (type) {
    case job_type::email_send:
      return std::chrono::milliseconds(5);
    case job_type::image_resize:
      return std::chrono::milliseconds(10);
    case job_type::report_generate:
      return std::chrono::milliseconds(20);
  }
  return {};
}

struct payload {
  static constexpr std::size_t max_size = 128;
  std::array<char, max_size> bytes{};
  std::uint8_t size = 0;
};

struct reply {
  std::uint64_t job_id = 0;
  bool delivered = false;  // false: the job ended in the dead-letter channel
};

struct job {
  std::uint64_t id = 0;
  job_type type = job_type::email_send;
  bool poison_pill = false;
  payload data;
  clock::time_point submitted;
  std::optional<chan::oneshot_sender<reply>> reply_to;
};
static_assert(std::is_nothrow_move_constructible_v<job>, "chan::channel<job> needs a noexcept move");

job make_job(std::uint64_t id) {
  job made;
  made.id = id;
  made.type = static_cast<job_type>(id % 3);
  const int written = std::snprintf(made.data.bytes.data(), payload::max_size, "%s #%" PRIu64 " payload=%s",
                                    name_of(made.type), id, "to=user@example.com size=640x480 range=30d");
  made.data.size = static_cast<std::uint8_t>(std::clamp(written, 0, static_cast<int>(payload::max_size) - 1));
  return made;
}

// The consumers' side of the queue: one channel, or (with --priority) a high and a normal channel.
// A consumer blocks in one place, a biased select over both, so it wakes for a job of either class
// and takes a high-priority job first whenever one is waiting.
class job_channels {
public:
  job_channels(std::size_t capacity, bool priority)
      : priority_(priority), normal_(capacity), high_(priority ? capacity : 1) {}

  // ok, or full (only with `blocking == false`); on full the job stays with the caller.
  chan::status submit(job& item, bool blocking) {
    chan::channel<job>& target = priority_ && item.type == job_type::report_generate ? high_ : normal_;
    return blocking ? target.send(std::move(item)) : target.try_send(std::move(item));
  }

  // False once the queue is closed and drained.
  bool take(job& out) {
    if (!priority_) return normal_.recv(out) == chan::status::ok;
    const chan::selected got = chan::select(chan::biased, chan::recv(high_, out), chan::recv(normal_, out));
    if (got.result == chan::status::ok) return true;
    // One class is closed and drained (close() closes both); the other may still hold jobs.
    return (got.index == 0 ? normal_ : high_).recv(out) == chan::status::ok;
  }

  // Pills queue up behind every job already sent: a consumer that meets one has nothing left to take.
  void send_poison_pills(unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
      job pill;
      pill.poison_pill = true;
      // Nothing closes the channel in the poison-pill shutdown, so the send cannot answer `closed`.
      (void)normal_.send(std::move(pill));
    }
  }

  void close() {
    normal_.close();
    high_.close();
  }

private:
  bool priority_;
  chan::channel<job> normal_;
  chan::channel<job> high_;
};

struct producer_report {
  std::uint64_t submitted = 0;
  std::uint64_t dropped = 0;
  std::uint64_t rejected = 0;
  std::uint64_t expected_replies = 0;
  std::uint64_t replies = 0;
  std::uint64_t failure_replies = 0;
  std::uint64_t missing_replies = 0;
};

struct consumer_report {
  std::uint64_t processed = 0;
  std::uint64_t dead_lettered = 0;
  std::uint64_t retried = 0;
  clock::duration busy{};
  std::vector<double> high_latency_ms;    // report_generate
  std::vector<double> normal_latency_ms;  // email_send, image_resize
};

void run_producer(unsigned index, const options& config, job_channels& queue, producer_report& report) {
  std::vector<chan::oneshot_receiver<reply>> awaiting;
  const bool blocking = config.on_full == full_policy::wait;
  for (std::uint64_t n = 0; n < config.jobs_per_producer; ++n) {
    job item = make_job(index * config.jobs_per_producer + n + 1);
    std::optional<chan::oneshot_receiver<reply>> reply_from;
    if (config.request_reply) {
      auto [sender, receiver] = chan::oneshot<reply>();
      item.reply_to.emplace(std::move(sender));
      reply_from.emplace(std::move(receiver));
    }
    item.submitted = clock::now();
    ++report.submitted;
    if (queue.submit(item, blocking) == chan::status::ok) {
      if (reply_from) awaiting.push_back(std::move(*reply_from));
    } else if (config.on_full == full_policy::drop) {
      ++report.dropped;  // the job dies here; its reply receiver goes with it
    } else {
      ++report.rejected;  // the queue handed `item` back; a real producer would report or re-plan it
    }
  }
  // Fan-in: all jobs are out, now collect one reply per accepted job, each within a deadline (a
  // reply that never comes must not hang the producer).
  report.expected_replies = awaiting.size();
  const clock::time_point give_up = clock::now() + std::chrono::minutes(5);
  for (auto& receiver : awaiting) {
    reply answer;
    const chan::selected got = chan::select_until(give_up, chan::recv(receiver, answer));
    if (got.result == chan::status::ok) {
      ++report.replies;
      if (!answer.delivered) ++report.failure_replies;
    } else {
      // closed: a consumer dropped the sender unsent; timeout: no reply in time. Bugs this count exposes.
      ++report.missing_replies;
    }
  }
}

void simulate_work(job_type type, double work_scale) {
  if (work_scale > 0) std::this_thread::sleep_for(base_cost(type) * work_scale);
}

void run_consumer(unsigned index, const options& config, job_channels& queue, chan::channel<job>& dead_letters,
                  consumer_report& report) {
  std::seed_seq seeds{config.seed, std::uint64_t{index}};
  std::mt19937_64 random(seeds);
  std::bernoulli_distribution attempt_fails(config.fail_rate);
  job item;
  while (queue.take(item)) {
    if (item.poison_pill) {
      std::printf("consumer %u: poison pill, leaving\n", index);
      return;
    }
    // Retries stay in this consumer: pushing a failed job back into the bounded queue could block
    // every consumer on a full channel that only consumers drain, or meet a channel already closed.
    const clock::time_point started = clock::now();
    bool delivered = false;
    for (unsigned attempt = 0;; ++attempt) {
      simulate_work(item.type, config.work_scale);
      if (!attempt_fails(random)) {
        delivered = true;
        break;
      }
      if (attempt == config.retries) break;
      ++report.retried;
    }
    const clock::time_point finished = clock::now();
    report.busy += finished - started;
    if (!delivered) {
      ++report.dead_lettered;
      (void)dead_letters.send(std::move(item));  // closed only after every consumer has finished
      continue;
    }
    ++report.processed;
    const double latency_ms = std::chrono::duration<double, std::milli>(finished - item.submitted).count();
    (item.type == job_type::report_generate ? report.high_latency_ms : report.normal_latency_ms).push_back(latency_ms);
    // `closed` means the requester stopped waiting for the reply; dropping it is then right.
    if (item.reply_to) (void)item.reply_to->send(reply{item.id, true});
  }
}

// The dead-letter channel's only reader: it keeps the count and answers the requester, so a
// request whose job gave up still gets exactly one reply.
std::uint64_t drain_dead_letters(chan::channel<job>& dead_letters) {
  std::uint64_t count = 0;
  job item;
  while (dead_letters.recv(item) == chan::status::ok) {
    ++count;
    if (item.reply_to) (void)item.reply_to->send(reply{item.id, false});  // see run_consumer()
  }
  return count;
}

struct workload_result {
  std::vector<producer_report> producers;
  std::vector<consumer_report> consumers;
  std::uint64_t dead_letter_channel_count = 0;
  double elapsed_ms = 0;

  template <class Field>
  std::uint64_t sum(Field field) const {
    std::uint64_t total = 0;
    for (const auto& report : producers) total += field(report);
    return total;
  }
  template <class Field>
  std::uint64_t sum_consumers(Field field) const {
    std::uint64_t total = 0;
    for (const auto& report : consumers) total += field(report);
    return total;
  }
};

workload_result run_workload(const options& config, bool priority) {
  workload_result result;
  result.producers.resize(config.producers);
  result.consumers.resize(config.consumers);
  job_channels queue(config.capacity, priority);
  chan::channel<job> dead_letters(config.capacity);
  const clock::time_point started = clock::now();

  std::thread dead_letter_reader([&] { result.dead_letter_channel_count = drain_dead_letters(dead_letters); });
  std::vector<std::thread> consumers;
  for (unsigned i = 0; i < config.consumers; ++i) {
    consumers.emplace_back([&, i] { run_consumer(i, config, queue, dead_letters, result.consumers[i]); });
  }
  std::vector<std::thread> producers;
  for (unsigned i = 0; i < config.producers; ++i) {
    producers.emplace_back([&, i] { run_producer(i, config, queue, result.producers[i]); });
  }
  for (auto& producer : producers) producer.join();

  if (config.shutdown == shutdown_mode::close) {
    queue.close();
  } else {
    queue.send_poison_pills(config.consumers);
  }
  for (auto& consumer : consumers) consumer.join();
  dead_letters.close();
  dead_letter_reader.join();
  result.elapsed_ms = std::chrono::duration<double, std::milli>(clock::now() - started).count();
  return result;
}

}  // namespace job_queue

#include "async_workload.hpp"  // --async: the workload as coroutines on a thread pool

namespace job_queue {

void print_latency(const char* label, std::vector<double> samples_ms) {
  if (samples_ms.empty()) {
    std::printf("%s: count=0\n", label);
    return;
  }
  std::sort(samples_ms.begin(), samples_ms.end());
  double total = 0;
  for (double sample : samples_ms) total += sample;
  // Nearest-rank percentile: the smallest sample with at least p of the samples at or below it.
  auto percentile = [&](double p) {
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples_ms.size())));
    return samples_ms[std::max<std::size_t>(rank, 1) - 1];
  };
  std::printf("%s: mean_ms=%.3f p50_ms=%.3f p99_ms=%.3f count=%zu\n", label,
              total / static_cast<double>(samples_ms.size()), percentile(0.50), percentile(0.99), samples_ms.size());
}

void print_latencies(const char* prefix, const workload_result& result) {
  std::vector<double> high;
  std::vector<double> normal;
  for (const auto& report : result.consumers) {
    high.insert(high.end(), report.high_latency_ms.begin(), report.high_latency_ms.end());
    normal.insert(normal.end(), report.normal_latency_ms.begin(), report.normal_latency_ms.end());
  }
  const std::string high_label = std::string(prefix) + "latency high";
  const std::string normal_label = std::string(prefix) + "latency normal";
  print_latency(high_label.c_str(), std::move(high));
  print_latency(normal_label.c_str(), std::move(normal));
}

struct totals {
  std::uint64_t submitted, processed, dropped, rejected, dead_lettered, retried;
};

totals totals_of(const workload_result& result) {
  return totals{
      result.sum([](const producer_report& r) { return r.submitted; }),
      result.sum_consumers([](const consumer_report& r) { return r.processed; }),
      result.sum([](const producer_report& r) { return r.dropped; }),
      result.sum([](const producer_report& r) { return r.rejected; }),
      result.dead_letter_channel_count,
      result.sum_consumers([](const consumer_report& r) { return r.retried; }),
  };
}

void print_summary(const char* prefix, const totals& t) {
  std::printf("%ssummary: submitted=%" PRIu64 " processed=%" PRIu64 " dropped=%" PRIu64 " rejected=%" PRIu64
              " dead_lettered=%" PRIu64 " retried=%" PRIu64 "\n",
              prefix, t.submitted, t.processed, t.dropped, t.rejected, t.dead_lettered, t.retried);
}

const char* name_of(shutdown_mode mode) { return mode == shutdown_mode::close ? "close" : "poison-pill"; }

const char* name_of(full_policy policy) {
  switch (policy) {
    case full_policy::wait:
      return "wait";
    case full_policy::drop:
      return "drop";
    case full_policy::reject:
      return "reject";
  }
  return "unknown";
}

int run(const options& config) {
  std::printf(
      "job_queue: producers=%u consumers=%u jobs_per_producer=%" PRIu64
      " capacity=%zu work_scale=%g shutdown=%s full_policy=%s priority=%s request_reply=%s async=%s fail_rate=%g "
      "retries=%u seed=%" PRIu64 "\n",
      config.producers, config.consumers, config.jobs_per_producer, config.capacity, config.work_scale,
      name_of(config.shutdown), name_of(config.on_full), config.priority ? "on" : "off",
      config.request_reply ? "on" : "off", config.async ? "on" : "off", config.fail_rate, config.retries, config.seed);
  std::fflush(stdout);

  const workload_result result = config.async ? async::run_workload(config) : run_workload(config, config.priority);
  const totals t = totals_of(result);

  if (config.stats) {
    for (std::size_t i = 0; i < result.consumers.size(); ++i) {
      const consumer_report& report = result.consumers[i];
      const std::uint64_t handled = report.processed + report.dead_lettered;
      const double busy_ms = std::chrono::duration<double, std::milli>(report.busy).count();
      std::printf("consumer %zu: processed=%" PRIu64 " dead_lettered=%" PRIu64 " avg_ms=%.3f\n", i, report.processed,
                  report.dead_lettered, handled == 0 ? 0.0 : busy_ms / static_cast<double>(handled));
    }
  }
  if (config.request_reply) {
    std::printf("replies=%" PRIu64 " expected=%" PRIu64 " failure_replies=%" PRIu64 " missing=%" PRIu64 "\n",
                result.sum([](const producer_report& r) { return r.replies; }),
                result.sum([](const producer_report& r) { return r.expected_replies; }),
                result.sum([](const producer_report& r) { return r.failure_replies; }),
                result.sum([](const producer_report& r) { return r.missing_replies; }));
  }
  if (config.priority) print_latencies("", result);
  print_summary("", t);
  std::printf("elapsed_ms=%.1f\n", result.elapsed_ms);
  if (config.priority) {
    // The same workload through one FIFO channel, to show what the high-priority channel buys. It
    // comes after the main run's report and has its own summary and time.
    const workload_result single = run_workload(config, false);
    print_latencies("single-channel ", single);
    print_summary("single-channel ", totals_of(single));
    std::printf("single-channel elapsed_ms=%.1f\n", single.elapsed_ms);
  }

  if (t.processed + t.dropped + t.rejected + t.dead_lettered != t.submitted) {
    std::fprintf(stderr,
                 "job_queue: accounting mismatch: processed + dropped + rejected + dead_lettered != submitted\n");
    return 1;
  }
  std::printf("Done. Processed %" PRIu64 " / %" PRIu64 " jobs.\n", t.processed, t.submitted);
  return 0;
}

}  // namespace job_queue

int main(int argc, char** argv) {
  job_queue::options config;
  try {
    config = job_queue::parse_options(argc, argv);
  } catch (const job_queue::usage_error& error) {
    std::fprintf(stderr, "job_queue: %s (see --help)\n", error.what());
    return 2;
  }
  if (config.help) {
    std::fputs(job_queue::usage_text, stdout);
    return 0;
  }
  return job_queue::run(config);
}

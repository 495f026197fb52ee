#pragma once

// The oneshot_storm scenario: one round of it.

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
          // The hand-off channels close only after every worker has finished: this cannot fail.
          if (to_senders.send(std::move(for_sender)) != chan::status::ok) std::abort();
        }
        receiver_job for_receiver{item_id(w, n), std::move(receiver)};
        if (random.one_in(8)) {
          receiver_records[w].emplace_back(for_receiver.id, dropped);
        } else {
          if (to_receivers.send(std::move(for_receiver)) != chan::status::ok) std::abort();  // as above
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

}  // namespace
}  // namespace stress

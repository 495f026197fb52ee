// Concurrent properties over random producer/consumer counts, capacities, item counts and close
// points. Each item names its producer and its place in that producer's sequence, so after the
// run we can check exactly-once delivery and per-producer FIFO as seen by each consumer.

#include <chan/channel.hpp>

#include <rapidcheck/catch.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

using chan::status;
using namespace std::chrono_literals;

namespace {

struct item {
  int producer = -1;
  int seq = -1;
};

enum class close_by { separate_thread, last_producer };

struct scenario {
  int producers = 1;
  int consumers = 1;
  std::size_t capacity = 1;
  int items_per_producer = 0;
  close_by closer = close_by::last_producer;
  int close_after_sends = 0;  // for close_by::separate_thread
};

scenario draw_scenario() {
  scenario s;
  s.producers = *rc::gen::inRange(1, 5);
  s.consumers = *rc::gen::inRange(1, 5);
  s.capacity = *rc::gen::inRange<std::size_t>(1, 65);
  s.items_per_producer = *rc::gen::inRange(0, 301);
  s.closer = *rc::gen::element(close_by::separate_thread, close_by::last_producer);
  s.close_after_sends = *rc::gen::inRange(0, s.producers * s.items_per_producer + 1);
  RC_TAG(s.closer == close_by::separate_thread ? "closed by a separate thread" : "closed by the last producer");
  return s;
}

// Runs every body on its own thread. A thread that never returns is the bug we look for, and
// join() would hang on it, so the wait is bounded (generously) and a hang ends the process loudly.
void run_all_or_abort(const std::vector<std::function<void()>>& bodies) {
  std::atomic<std::size_t> finished{0};
  std::vector<std::thread> threads;
  threads.reserve(bodies.size());
  for (const auto& body : bodies) {
    threads.emplace_back([&finished, &body] {
      body();
      finished.fetch_add(1);
    });
  }
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  while (finished.load() != bodies.size()) {
    if (std::chrono::steady_clock::now() > give_up) {
      std::fprintf(stderr, "concurrent property: %zu of %zu threads still running after 60 s\n",
                   bodies.size() - finished.load(), bodies.size());
      std::abort();
    }
    std::this_thread::sleep_for(1ms);
  }
  for (auto& thread : threads) thread.join();
}

enum class producer_op { try_send, send, send_for };
enum class consumer_op { try_recv, recv, recv_optional, recv_for };

// How one producer sends its next item: retries until ok, stops for good on closed.
status send_one(chan::channel<item>& channel, producer_op op, item value) {
  for (;;) {
    status result = status::ok;
    switch (op) {
      case producer_op::try_send:
        result = channel.try_send(value);
        break;
      case producer_op::send:
        result = channel.send(value);
        break;
      case producer_op::send_for:
        result = channel.send_for(item(value), 1ms);
        break;
    }
    if (result == status::ok || result == status::closed) return result;
    std::this_thread::yield();
  }
}

// Receives the next item; answers closed only when the channel is closed and drained.
status recv_one(chan::channel<item>& channel, consumer_op op, item& out) {
  for (;;) {
    status result = status::ok;
    switch (op) {
      case consumer_op::try_recv:
        result = channel.try_recv(out);
        break;
      case consumer_op::recv:
        result = channel.recv(out);
        break;
      case consumer_op::recv_optional:
        if (auto received = channel.recv()) {
          out = *received;
        } else {
          result = status::closed;
        }
        break;
      case consumer_op::recv_for:
        result = channel.recv_for(out, 1ms);
        break;
    }
    if (result == status::ok || result == status::closed) return result;
    std::this_thread::yield();
  }
}

struct run_result {
  std::vector<int> sent_per_producer;
  std::vector<std::vector<item>> received_per_consumer;
  bool channel_empty_after = false;
};

run_result run_scenario(const scenario& s, const std::vector<std::vector<producer_op>>& producer_ops,
                        const std::vector<std::vector<consumer_op>>& consumer_ops) {
  chan::channel<item> channel(s.capacity);
  run_result result;
  result.sent_per_producer.assign(static_cast<std::size_t>(s.producers), 0);
  result.received_per_consumer.resize(static_cast<std::size_t>(s.consumers));
  std::atomic<int> total_sent{0};
  std::atomic<int> producers_left{s.producers};

  std::vector<std::function<void()>> bodies;
  for (int p = 0; p < s.producers; ++p) {
    bodies.emplace_back([&, p] {
      const auto& ops = producer_ops[static_cast<std::size_t>(p)];
      for (int seq = 0; seq < s.items_per_producer; ++seq) {
        const producer_op op = ops[static_cast<std::size_t>(seq) % ops.size()];
        if (send_one(channel, op, item{p, seq}) != status::ok) break;
        ++result.sent_per_producer[static_cast<std::size_t>(p)];
        total_sent.fetch_add(1);
      }
      if (producers_left.fetch_sub(1) == 1 && s.closer == close_by::last_producer) channel.close();
    });
  }
  if (s.closer == close_by::separate_thread) {
    bodies.emplace_back([&] {
      while (total_sent.load() < s.close_after_sends && producers_left.load() > 0) std::this_thread::yield();
      channel.close();
    });
  }
  for (int c = 0; c < s.consumers; ++c) {
    bodies.emplace_back([&, c] {
      const auto& ops = consumer_ops[static_cast<std::size_t>(c)];
      auto& received = result.received_per_consumer[static_cast<std::size_t>(c)];
      for (std::size_t n = 0;; ++n) {
        item out;
        if (recv_one(channel, ops[n % ops.size()], out) != status::ok) break;
        received.push_back(out);
      }
    });
  }
  run_all_or_abort(bodies);
  result.channel_empty_after = channel.empty();
  return result;
}

void check_exactly_once_and_fifo(const scenario& s, const run_result& r) {
  // Producers stop at their first closed, so what each sent is a prefix 0..sent-1 of its sequence.
  std::vector<std::vector<int>> times_received(static_cast<std::size_t>(s.producers));
  for (int p = 0; p < s.producers; ++p) {
    times_received[static_cast<std::size_t>(p)].assign(static_cast<std::size_t>(s.items_per_producer), 0);
  }
  for (std::size_t c = 0; c < r.received_per_consumer.size(); ++c) {
    std::vector<int> last_seq(static_cast<std::size_t>(s.producers), -1);
    for (const item& got : r.received_per_consumer[c]) {
      RC_ASSERT(got.producer >= 0);
      RC_ASSERT(got.producer < s.producers);
      const auto p = static_cast<std::size_t>(got.producer);
      RC_ASSERT(got.seq >= 0);
      RC_ASSERT(got.seq < r.sent_per_producer[p]);
      // Per-producer FIFO as this consumer sees it.
      RC_ASSERT(got.seq > last_seq[p]);
      last_seq[p] = got.seq;
      ++times_received[p][static_cast<std::size_t>(got.seq)];
    }
  }
  for (int p = 0; p < s.producers; ++p) {
    const auto pi = static_cast<std::size_t>(p);
    for (int seq = 0; seq < r.sent_per_producer[pi]; ++seq) {
      RC_ASSERT(times_received[pi][static_cast<std::size_t>(seq)] == 1);
    }
  }
  RC_ASSERT(r.channel_empty_after);
}

}  // namespace

TEST_CASE("concurrent_try_calls_deliver_exactly_once_in_producer_order", "[property][concurrent]") {
  rc::prop("non-blocking producers and consumers with a random close point", [] {
    const scenario s = draw_scenario();
    const std::vector<std::vector<producer_op>> producer_ops(static_cast<std::size_t>(s.producers),
                                                             {producer_op::try_send});
    const std::vector<std::vector<consumer_op>> consumer_ops(static_cast<std::size_t>(s.consumers),
                                                             {consumer_op::try_recv});
    check_exactly_once_and_fifo(s, run_scenario(s, producer_ops, consumer_ops));
  });
}

TEST_CASE("concurrent_mixed_blocking_calls_deliver_exactly_once_in_producer_order", "[property][concurrent]") {
  rc::prop("blocking, timed and non-blocking calls mixed, with a random close point", [] {
    const scenario s = draw_scenario();
    const auto producer_op_gen = rc::gen::element(producer_op::try_send, producer_op::send, producer_op::send_for);
    const auto consumer_op_gen =
        rc::gen::element(consumer_op::try_recv, consumer_op::recv, consumer_op::recv_optional, consumer_op::recv_for);
    std::vector<std::vector<producer_op>> producer_ops;
    for (int p = 0; p < s.producers; ++p)
      producer_ops.push_back(*rc::gen::nonEmpty(rc::gen::container<std::vector<producer_op>>(producer_op_gen)));
    std::vector<std::vector<consumer_op>> consumer_ops;
    for (int c = 0; c < s.consumers; ++c)
      consumer_ops.push_back(*rc::gen::nonEmpty(rc::gen::container<std::vector<consumer_op>>(consumer_op_gen)));
    check_exactly_once_and_fifo(s, run_scenario(s, producer_ops, consumer_ops));
  });
}

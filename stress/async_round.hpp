#pragma once

// The coroutine scenarios (async_mix, async_cancel): one round of them. More coroutines than threads
// on a pool of 2-4 threads send and receive over 1-4 channels with co_await async_send / async_recv
// (into a T& and as a recv_result) and chan::async_select, resumed on the pool (a resumer) or inline
// on whatever thread made them ready; blocking threads send and receive on the same channels.
// Requester coroutines wait for replies on oneshots (oneshot_receiver::async_recv) from responder
// threads. Stop requests from a canceller thread race the awaits: a cancelled receive must have
// taken nothing (its outputs keep their sentinel), a cancelled send must leave its value with the
// coroutine, which sends it again later. The round ends by closing every channel while coroutines
// are suspended in them (async_mix), or (async_cancel) by a stop request that cancels every
// producer's pending send first, then the close. The accounting is select_round's (ledger.hpp).

#include <array>
#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <chan/async_select.hpp>
#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

#include "coro_pool.hpp"
#include "ledger.hpp"
#include "payloads.hpp"
#include "round.hpp"
#include "support.hpp"

namespace stress {
namespace {

template <class Payload>
class async_round {
  using T = typename Payload::type;
  using channel_t = chan::channel<T>;

public:
  async_round(const round_plan& plan, coro_pool& pool)
      : plan_(plan), pool_(pool), setup_(plan.seed ^ 0xa5a5c), notes_(plan.channels, plan.seed) {
    for (unsigned i = 0; i < plan.channels; ++i) {
      channels_.push_back(std::make_unique<channel_t>(setup_.one_in(5) ? plan.capacity : 1 + setup_.below(4)));
    }
    for (auto& slot : board_) slot = std::stop_source(std::nostopstate);
  }

  void run(round_result& result) {
    const clock::time_point start = clock::now();
    const auto sending_time = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(plan_.seconds));
    stop_at_ = start + sending_time;
    const unsigned thread_producers = static_cast<unsigned>(setup_.below(3));
    const unsigned thread_consumers = static_cast<unsigned>(setup_.below(3));
    const unsigned requesters = static_cast<unsigned>(setup_.below(7));
    const unsigned responders = requesters ? 1 + static_cast<unsigned>(setup_.below(2)) : 0;
    const unsigned producers = plan_.producers + thread_producers, consumers = plan_.consumers + thread_consumers;
    sent_on_.resize(producers);
    producer_ops_.assign(producers, 0);
    damaged_.assign(producers, 0);
    logs_.resize(consumers + 1);  // the last one: the final drain
    exchanges_.resize(requesters);
    requester_ops_.assign(requesters + responders, 0);
    producers_running_ = plan_.producers + requesters;
    consumers_running_ = plan_.consumers;

    for (unsigned c = 0; c < plan_.consumers; ++c) pool_.post(consumer(c).handle);
    for (unsigned p = 0; p < plan_.producers; ++p) pool_.post(producer(p).handle);
    for (unsigned r = 0; r < requesters; ++r) pool_.post(requester(r).handle);
    std::vector<std::thread> sending, receiving;
    for (unsigned p = plan_.producers; p < producers; ++p) sending.emplace_back([this, p] { thread_producer(p); });
    for (unsigned c = plan_.consumers; c < consumers; ++c) receiving.emplace_back([this, c] { thread_consumer(c); });
    for (unsigned r = 0; r < responders; ++r)
      receiving.emplace_back([this, r, requesters] { responder(requesters + r); });
    std::atomic<bool> cancelling{true};
    std::thread canceller([&] {
      random_source random(plan_.seed ^ 0xcab1e);
      while (cancelling.load(std::memory_order_relaxed)) {
        std::stop_source victim(std::nostopstate);
        {
          std::lock_guard lock(board_mutex_);
          victim = board_[random.below(board_.size())];
        }
        // Outside the lock: a cancelled await without a resumer resumes its coroutine right here,
        // and that coroutine takes the lock for its next await.
        victim.request_stop();
        std::this_thread::sleep_for(std::chrono::microseconds(random.below(plan_.max_timeout_us + 1)));
      }
    });

    if (plan_.close_at) {  // some channels close mid-run; what waits on them is resumed with `closed`
      std::this_thread::sleep_until(start +
                                    std::chrono::duration_cast<clock::duration>(sending_time * *plan_.close_at));
      random_source closer(plan_.seed ^ 0xc105e);
      for (std::size_t k = 1 + closer.below(plan_.channels); k > 0; --k) {
        const std::size_t i = closer.below(plan_.channels);
        notes_.close(*channels_[i], i);
      }
    }
    std::this_thread::sleep_until(stop_at_);
    if (plan_.stop_then_close) {
      // Every producer's pending send is cancelled (its value stays with it), then the close.
      producers_stop_.request_stop();
      wait_for(producers_running_);
      for (auto& thread : sending) thread.join();
    }
    for (std::size_t i = 0; i < channels_.size(); ++i) notes_.close(*channels_[i], i);
    requests_.close();
    for (auto& thread : sending) {
      if (thread.joinable()) thread.join();
    }
    wait_for(producers_running_);
    wait_for(consumers_running_);
    for (auto& thread : receiving) thread.join();
    cancelling.store(false, std::memory_order_relaxed);
    canceller.join();
    finish(result);
  }

private:
  struct exchange_record {
    std::atomic<std::uint8_t> requester{0}, responder{0};
  };
  enum : std::uint8_t { none, not_sent, got, got_closed, cancelled, sent_ok, sent_closed, dropped };
  struct request {
    std::uint64_t id;
    chan::oneshot_sender<T> reply;
    exchange_record* record;
  };
  struct forward_stop {
    std::stop_source target;
    void operator()() noexcept { target.request_stop(); }
  };
  // The stop token of one await: none, the producers' stop, or a source of its own that the
  // canceller may stop at any moment (linked to the producers' stop for a producer).
  struct op_stop {
    std::stop_source own{std::nostopstate};
    std::optional<std::stop_callback<forward_stop>> link;
  };

  std::stop_token stop_for(op_stop& stop, random_source& random, bool producer) {
    const bool linked = producer && plan_.stop_then_close;
    if (!random.one_in(3)) return linked ? producers_stop_.get_token() : std::stop_token{};
    stop.own = std::stop_source();
    {
      std::lock_guard lock(board_mutex_);
      board_[board_next_++ % board_.size()] = stop.own;
    }
    if (linked) stop.link.emplace(producers_stop_.get_token(), forward_stop{stop.own});
    if (random.one_in(50)) stop.own.request_stop();  // stopped before the await begins
    return stop.own.get_token();
  }

  bool keep_producing() const {
    return clock::now() < stop_at_ && !(plan_.stop_then_close && producers_stop_.stop_requested());
  }

  static void wait_for(const std::atomic<unsigned>& running) {
    while (running.load() != 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }

  bool intact(const T& item, std::uint64_t id) const {
    std::uint64_t still = 0;
    return Payload::read(item, still) && still == id;
  }

  void received(receiver_log& log, const T& item, std::size_t channel) const {
    std::uint64_t id = 0;
    if (!Payload::read(item, id) || (id >> 32) >= sent_on_.size()) {
      ++log.corrupt;
    } else {
      log.ids.push_back(tagged(id, channel));
    }
  }

  pool_task producer(unsigned p) {
    {
      random_source random(plan_.seed ^ mix(p + 1));
      std::uint64_t& ops = producer_ops_[p];
      std::vector<std::size_t> live(channels_.size());
      for (std::size_t i = 0; i < live.size(); ++i) live[i] = i;
      while (!live.empty() && keep_producing()) {
        const std::uint64_t id = item_id(p, sent_on_[p].size());
        T item = Payload::make(id);
        const bool on_pool = random.one_in(2);
        const std::uint64_t kind = random.below(4);
        op_stop stop;
        const std::stop_token token = kind == 0 ? std::stop_token{} : stop_for(stop, random, true);
        std::size_t channel = live[random.below(live.size())];
        chan::status sent = chan::status::empty;
        ++ops;
        if (kind == 0) {
          sent = channels_[channel]->try_send(std::move(item));
        } else if (kind == 1) {
          if (on_pool) {
            sent = co_await channels_[channel]->async_send(std::move(item), pool_.resume(), token);
          } else {
            sent = co_await channels_[channel]->async_send(std::move(item), token);
          }
        } else {
          // Two send arms offering the same value, perhaps on one channel.
          const std::size_t other = live[random.below(live.size())];
          auto a = chan::send(*channels_[channel], item);
          auto b = chan::send(*channels_[other], item);
          chan::selected got{chan::no_arm, chan::status::empty};
          if (on_pool) {
            if (kind == 2) {
              got = co_await chan::async_select(pool_.resume(), token, chan::biased, a, b);
            } else {
              got = co_await chan::async_select(pool_.resume(), token, a, b);
            }
          } else {
            if (kind == 2) {
              got = co_await chan::async_select(token, chan::biased, a, b);
            } else {
              got = co_await chan::async_select(token, a, b);
            }
          }
          sent = got.result;
          if (got) channel = got.index == 0 ? channel : other;
        }
        if (sent == chan::status::ok) {
          sent_on_[p].push_back(static_cast<std::uint8_t>(channel));
        } else if (!intact(item, id)) {
          ++damaged_[p];  // closed, full and cancelled all leave the value with the sender
        }
        if (sent == chan::status::closed) std::erase(live, channel);
        if (sent == chan::status::full || random.one_in(8)) co_await pool_.yield();
      }
    }
    producers_running_.fetch_sub(1);  // after every local is gone: the round may end now
  }

  pool_task consumer(unsigned c) {
    {
      random_source random(plan_.seed ^ mix(1000 + c));
      receiver_log& log = logs_[c];
      std::vector<std::size_t> live(channels_.size());
      for (std::size_t i = 0; i < live.size(); ++i) live[i] = i;
      T out = Payload::make(sentinel_id);
      std::array<std::optional<T>, 3> slots;
      while (!live.empty()) {
        const bool on_pool = random.one_in(2);
        const std::uint64_t kind = random.below(5);
        op_stop stop;
        const std::stop_token token = kind == 0 ? std::stop_token{} : stop_for(stop, random, false);
        std::size_t channel = live[random.below(live.size())];
        chan::status got = chan::status::empty;
        bool into_out = true;
        ++log.ops;
        if (kind == 0) {
          got = channels_[channel]->try_recv(out);
        } else if (kind == 1) {
          if (on_pool) {
            got = co_await channels_[channel]->async_recv(out, pool_.resume(), token);
          } else {
            got = co_await channels_[channel]->async_recv(out, token);
          }
        } else if (kind == 2) {
          chan::recv_result<T> item(chan::status::empty);
          if (on_pool) {
            item = co_await channels_[channel]->async_recv(pool_.resume(), token);
          } else {
            item = co_await channels_[channel]->async_recv(token);
          }
          got = item.result();
          if (item) out = std::move(*item);
        } else {
          // Three recv arms, each into its own optional: the arms that did not fire must stay empty.
          into_out = false;
          std::array<std::size_t, 3> on{channel, live[random.below(live.size())], live[random.below(live.size())]};
          auto a = chan::recv(*channels_[on[0]], slots[0]);
          auto b = chan::recv(*channels_[on[1]], slots[1]);
          auto d = chan::recv(*channels_[on[2]], slots[2]);
          chan::selected fired{chan::no_arm, chan::status::empty};
          if (on_pool) {
            if (kind == 3) {
              fired = co_await chan::async_select(pool_.resume(), token, chan::biased, a, b, d);
            } else {
              fired = co_await chan::async_select(pool_.resume(), token, a, b, d);
            }
          } else {
            if (kind == 3) {
              fired = co_await chan::async_select(token, chan::biased, a, b, d);
            } else {
              fired = co_await chan::async_select(token, a, b, d);
            }
          }
          got = fired.result;
          if (fired) channel = on[fired.index];
          for (std::size_t k = 0; k < slots.size(); ++k) {
            if (slots[k].has_value() != (got == chan::status::ok && fired.index == k)) ++log.untouched_violations;
          }
          if (got == chan::status::ok && slots[fired.index]) received(log, *slots[fired.index], channel);
          for (auto& slot : slots) slot.reset();
        }
        if (into_out) {
          if (got == chan::status::ok) {
            received(log, out, channel);
            out = Payload::make(sentinel_id);
          } else if (!intact(out, sentinel_id)) {
            ++log.untouched_violations;  // empty, closed and cancelled receives assign nothing
          }
        }
        if (got == chan::status::closed) {
          notes_.check(channel);
          drained_seen_[channel].store(true, std::memory_order_relaxed);
          std::erase(live, channel);
        }
        if (got == chan::status::empty || random.one_in(8)) co_await pool_.yield();
      }
    }
    consumers_running_.fetch_sub(1);
  }

  // Sends requests, each with a oneshot for its reply, and waits for the reply in a chan await.
  pool_task requester(unsigned r) {
    {
      random_source random(plan_.seed ^ mix(2000 + r));
      std::uint64_t& ops = requester_ops_[r];
      for (std::uint64_t n = 0; keep_producing(); ++n) {
        auto [reply_to, reply] = chan::oneshot<T>();
        exchange_record& record = exchanges_[r].emplace_back();
        request asked{item_id(r, n), std::move(reply_to), &record};
        const std::stop_token linked = plan_.stop_then_close ? producers_stop_.get_token() : std::stop_token{};
        ops += 2;
        chan::status sent = chan::status::empty;
        if (random.one_in(2)) {
          sent = co_await requests_.async_send(std::move(asked), pool_.resume(), linked);
        } else {
          sent = co_await requests_.async_send(std::move(asked), linked);
        }
        if (sent != chan::status::ok) {
          record.requester.store(not_sent, std::memory_order_relaxed);
          continue;
        }
        op_stop stop;
        const std::stop_token token = stop_for(stop, random, false);
        T out = Payload::make(sentinel_id);
        chan::status answer = chan::status::empty;
        if (random.one_in(2)) {
          answer = co_await reply.async_recv(out, pool_.resume(), token);
        } else {
          chan::recv_result<T> replied = co_await reply.async_recv(token);
          answer = replied.result();
          if (replied) out = std::move(*replied);
        }
        std::uint8_t outcome = answer == chan::status::ok       ? got
                               : answer == chan::status::closed ? got_closed
                                                                : cancelled;
        if (answer == chan::status::ok ? !intact(out, item_id(r, n)) : !intact(out, sentinel_id)) outcome = none;
        record.requester.store(outcome, std::memory_order_relaxed);
      }
    }
    producers_running_.fetch_sub(1);
  }

  void responder(unsigned slot) {
    random_source random(plan_.seed ^ mix(3000 + slot));
    while (std::optional<request> asked = requests_.recv()) {
      requester_ops_[slot] += 2;
      if (random.one_in(4)) {
        asked->record->responder.store(dropped, std::memory_order_relaxed);
        continue;  // the sender dies unsent: the requester's receive ends with `closed`
      }
      exchange_record* record = asked->record;
      const chan::status sent = asked->reply.send(Payload::make(asked->id));
      record->responder.store(sent == chan::status::ok ? sent_ok : sent_closed, std::memory_order_relaxed);
      jitter(random);
    }
  }

  void thread_producer(unsigned p) {
    random_source random(plan_.seed ^ mix(p + 1));
    // A send that blocks without a deadline would outwait the producers' stop in async_cancel.
    const mode how = plan_.stop_then_close ? mode::timed : plan_.op_mode;
    std::vector<std::size_t> live(channels_.size());
    for (std::size_t i = 0; i < live.size(); ++i) live[i] = i;
    while (!live.empty() && clock::now() < stop_at_) {
      const std::uint64_t id = item_id(p, sent_on_[p].size());
      T item = Payload::make(id);
      const std::size_t channel = live[random.below(live.size())];
      const chan::status sent =
          send_one(*channels_[channel], item, how, plan_.max_timeout_us, random, stop_at_, producer_ops_[p]);
      if (sent == chan::status::ok) {
        sent_on_[p].push_back(static_cast<std::uint8_t>(channel));
        continue;
      }
      if (!intact(item, id)) ++damaged_[p];
      if (sent != chan::status::closed) break;
      std::erase(live, channel);
    }
  }

  void thread_consumer(unsigned c) {
    random_source random(plan_.seed ^ mix(1000 + c));
    receiver_log& log = logs_[c];
    const std::atomic<bool> never{false};
    std::vector<std::size_t> live(channels_.size());
    for (std::size_t i = 0; i < live.size(); ++i) live[i] = i;
    T out{};
    while (!live.empty()) {
      const std::size_t channel = live[random.below(live.size())];
      if (recv_one(*channels_[channel], out, plan_.op_mode, plan_.max_timeout_us, random, never, log.ops) ==
          chan::status::ok) {
        received(log, out, channel);
        out = T{};
      } else {
        notes_.check(channel);
        drained_seen_[channel].store(true, std::memory_order_relaxed);
        std::erase(live, channel);
      }
      jitter(random, plan_.slow_consumers);
    }
  }

  void finish(round_result& result) {
    std::uint64_t held_after_drained = 0;
    receiver_log& rest = logs_.back();
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      const bool was_drained = drained_seen_[i].load();
      while (auto item = channels_[i]->try_recv()) {
        held_after_drained += was_drained;
        received(rest, *item, i);
      }
    }
    channels_.clear();
    std::uint64_t inconsistent = 0;
    for (const auto& records : exchanges_) {
      for (const exchange_record& record : records) {
        const std::uint8_t asked = record.requester.load(), answered = record.responder.load();
        const bool ok = asked == not_sent     ? answered == none
                        : asked == got        ? answered == sent_ok
                        : asked == got_closed ? answered == dropped
                        : asked == cancelled  ? answered != none
                                              : false;
        inconsistent += !ok || (answered == sent_closed && asked != cancelled);
      }
    }
    exchanges_.clear();
    if constexpr (std::is_same_v<Payload, owning_payload>) {
      const long live = live_owning.exchange(0);
      result.violation(
          result.other, live != 0,
          "owning items alive after every coroutine ended and the channels were destroyed: " + std::to_string(live));
    }
    std::uint64_t damaged = 0;
    for (const std::uint64_t n : damaged_) damaged += n;
    for (const std::uint64_t n : producer_ops_) result.ops += n;
    for (const std::uint64_t n : requester_ops_) result.ops += n;
    merge_ledger(sent_on_, logs_, plan_.injected, result);
    result.violation(result.other, held_after_drained, "a receiver saw `closed` on a channel that still held items");
    result.violation(result.other, damaged,
                     "values changed by a send that did not return ok (closed, full, cancelled)");
    result.violation(result.other, inconsistent,
                     "oneshot requests: the requester's outcome (or its reply) disagrees with the responder's");
    result.violation(result.other, notes_.missed(),
                     "a receive that returned `closed` did not see what the closer wrote before close()");
  }

  const round_plan& plan_;
  coro_pool& pool_;
  random_source setup_;
  std::vector<std::unique_ptr<channel_t>> channels_;
  close_notes notes_;
  std::vector<std::atomic<bool>> drained_seen_ = std::vector<std::atomic<bool>>(plan_.channels);
  chan::channel<request> requests_{1 + setup_.below(4)};
  clock::time_point stop_at_{};
  std::stop_source producers_stop_;
  std::mutex board_mutex_;
  std::array<std::stop_source, 16> board_;
  std::size_t board_next_ = 0;
  std::vector<std::vector<std::uint8_t>> sent_on_;
  std::vector<std::uint64_t> producer_ops_, damaged_, requester_ops_;
  std::vector<receiver_log> logs_;
  std::vector<std::deque<exchange_record>> exchanges_;
  std::atomic<unsigned> producers_running_{0}, consumers_running_{0};
};

template <class Payload>
void run_async_round(const round_plan& plan, round_result& result) {
  coro_pool pool(plan.pool_threads);
  async_round<Payload> round(plan, pool);
  round.run(result);
}

}  // namespace
}  // namespace stress

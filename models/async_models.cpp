// Relacy models of the shipped async.hpp (coroutine waiters) at its callback level, through the same
// backend as channel_models.cpp. An operation is started the way await_suspend starts it; its
// completion counts calls, so "resumed exactly once" and "never resumed" (a lost wake-up or a lost
// stop: no thread blocks, so that shows in after(), not as DEADLOCK) are both checked. The outcome
// and `done` flag the operation hands between threads are rl::vars (relacy_backend::plain), so a
// missing acquire/release on the state word shows as a data race.
//
// Usage: chan_async_models <test>|--all [--iterations N] [--bound K] [--full] [--list]
//   as chan_models; the last line always reads `chan_models: <test>: <VERDICT>` (ci/mutate reads it).

#include "relacy_backend.hpp"  // first: tames Relacy's macros before any chan header

#include <chan/async.hpp>
#include <chan/channel.hpp>

#include "gated_item.hpp"
#include "model_driver.hpp"

namespace {

using channel = chan::channel<int, std::allocator<int>, relacy_backend>;
using chan::status;
using chan::detail::fired;

using recv_attempt = chan::detail::recv_into_attempt<channel, int>;
using send_attempt = chan::detail::send_attempt<channel>;
template <class Attempt>
using operation = chan::detail::async_operation<relacy_backend, chan::detail::single_arm<relacy_backend, Attempt>>;

// Counts completions: the test's stand-in for resuming a coroutine.
struct completions {
  rl::atomic<int> count;
  static void complete(void* self) noexcept {
    static_cast<completions*>(self)->count.fetch_add(1, rl::mo_relaxed, CHAN_RL_CALLER);
  }
  int seen() { return count.load(rl::mo_relaxed, CHAN_RL_CALLER); }
};

// Started like await_suspend: true when the operation ended in its first round (no completion call).
template <class Op>
bool start(Op& op) {
  return op.start();
}

// A receive awaiting an empty channel while a sender sends: the sender's claim may land anywhere in
// the operation's first round, before it has finished "suspending" (the wake racing await_suspend).
// The operation ends exactly once, either in that round or through one completion, with the item.
struct async_wake_races_suspend : rl::test_suite<async_wake_races_suspend, 2> {
  std::optional<channel> ch;
  std::optional<operation<recv_attempt>> op;
  completions done;
  int out = -1;
  bool ended_at_start = false, at_once = false;

  void before() {
    ch.emplace(1);
    done.count.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    op.emplace(&completions::complete, &done, chan::detail::async_access::receivers(*ch), recv_attempt{&*ch, &out});
  }
  void after() {
    RL_ASSERT((ended_at_start ? 1 : 0) + done.seen() == 1);
    RL_ASSERT((at_once || op->outcome().result == status::ok) && out == 1);
    int rest = 0;
    RL_ASSERT(ch->try_recv(rest) == status::empty);
    RL_ASSERT(!chan::detail::async_access::receivers(*ch)->has_waiters());
    op.reset();
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      if (chan::detail::is_final(op->arms().fire(0, chan::detail::arm_patience::give_up))) {
        ended_at_start = at_once = true;
      } else {
        ended_at_start = start(*op);
      }
    } else {
      RL_ASSERT(ch->send(1) == status::ok);
    }
  }
};

// A cancellable receive and a plain blocking receiver wait for two items while a stop races the
// sends. The receive ends exactly once, with an item or cancelled; the plain receiver is never left
// asleep with an item in the channel (a wake-up the cancelled operation was handed is passed on:
// else DEADLOCK); and every item is received once or left in the channel.
struct async_cancel_races_wake : rl::test_suite<async_cancel_races_wake, 4> {
  std::optional<channel> ch;
  std::optional<operation<recv_attempt>> op;
  completions done;
  int out = -1, plain = -1;
  bool ended_at_start = false;

  void before() {
    ch.emplace(2);
    done.count.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    op.emplace(&completions::complete, &done, chan::detail::async_access::receivers(*ch), recv_attempt{&*ch, &out});
  }
  void after() {
    RL_ASSERT((ended_at_start ? 1 : 0) + done.seen() == 1);
    const status result = op->outcome().result;
    RL_ASSERT(result == status::ok || result == status::cancelled);
    int rest = -1;
    const bool left = ch->try_recv(rest) == status::ok;
    RL_ASSERT(plain == 1 || plain == 2);
    if (result == status::ok) {
      RL_ASSERT(out + plain == 3 && !left);
    } else {
      RL_ASSERT(out == -1 && left && rest + plain == 3);
    }
    RL_ASSERT(!chan::detail::async_access::receivers(*ch)->has_waiters());
    op.reset();
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      ended_at_start = start(*op);
    } else if (index == 1) {
      RL_ASSERT(ch->send(1) == status::ok);
      RL_ASSERT(ch->send(2) == status::ok);
    } else if (index == 2) {
      op->cancel();
    } else {
      RL_ASSERT(ch->recv(plain) == status::ok);
    }
  }
};

// One item, taken by a thief's try_recv or by the cancellable receive, while a stop races both.
// The path this checks: the sender claims the operation, the thief takes the item first, and the
// stop, finding the sender's claim, marks it (owner_cancel_mark); the thread that takes the sender's
// wake must then fail to rearm (owner_rearm) and end the operation cancelled, or see the mark at
// once. Else the operation enlists again, nobody is left to wake it, and it never completes.
struct async_cancel_races_stolen_wake : rl::test_suite<async_cancel_races_stolen_wake, 4> {
  std::optional<channel> ch;
  std::optional<operation<recv_attempt>> op;
  completions done;
  int out = -1, stolen = -1;
  bool ended_at_start = false;

  void before() {
    ch.emplace(1);
    done.count.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    op.emplace(&completions::complete, &done, chan::detail::async_access::receivers(*ch), recv_attempt{&*ch, &out});
  }
  void after() {
    RL_ASSERT((ended_at_start ? 1 : 0) + done.seen() == 1);
    const status result = op->outcome().result;
    int rest = -1;
    const bool left = ch->try_recv(rest) == status::ok;
    if (result == status::ok) {
      RL_ASSERT(out == 1 && stolen == -1 && !left);
    } else {
      RL_ASSERT(result == status::cancelled && out == -1);
      RL_ASSERT((stolen == 1) != left);
    }
    RL_ASSERT(!chan::detail::async_access::receivers(*ch)->has_waiters());
    op.reset();
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      ended_at_start = start(*op);
    } else if (index == 1) {
      RL_ASSERT(ch->send(1) == status::ok);
    } else if (index == 2) {
      op->cancel();
    } else {
      (void)ch->try_recv(stolen);
    }
  }
};

// A send awaiting a full channel while the channel is closed: the close may fall anywhere in the
// operation's first round. It ends exactly once with `closed`, its value untouched.
struct async_close_races_suspend : rl::test_suite<async_close_races_suspend, 2> {
  std::optional<channel> ch;
  std::optional<operation<send_attempt>> op;
  completions done;
  int value = 7;
  bool ended_at_start = false;

  void before() {
    ch.emplace(1);
    RL_ASSERT(ch->try_send(1) == status::ok);
    done.count.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    op.emplace(&completions::complete, &done, chan::detail::async_access::senders(*ch), send_attempt{&*ch, &value});
  }
  void after() {
    RL_ASSERT((ended_at_start ? 1 : 0) + done.seen() == 1);
    RL_ASSERT(op->outcome().result == status::closed && value == 7);
    int rest = 0;
    RL_ASSERT(ch->try_recv(rest) == status::ok && rest == 1);
    RL_ASSERT(ch->try_recv(rest) == status::closed);
    RL_ASSERT(!chan::detail::async_access::senders(*ch)->has_waiters());
    op.reset();
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      ended_at_start = start(*op);
    } else {
      RL_ASSERT(ch->close());
    }
  }
};

// Two async receives on one channel against two sends: each send's wake re-runs a waiting
// operation on the sender's thread; both end once, with different items.
struct async_two_receivers : rl::test_suite<async_two_receivers, 3> {
  std::optional<channel> ch;
  std::optional<operation<recv_attempt>> first, second;
  completions done_first, done_second;
  int out[2] = {-1, -1};
  bool ended_at_start[2] = {false, false};

  void before() {
    ch.emplace(1);
    done_first.count.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    done_second.count.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    first.emplace(&completions::complete, &done_first, chan::detail::async_access::receivers(*ch),
                  recv_attempt{&*ch, &out[0]});
    second.emplace(&completions::complete, &done_second, chan::detail::async_access::receivers(*ch),
                   recv_attempt{&*ch, &out[1]});
  }
  void after() {
    RL_ASSERT((ended_at_start[0] ? 1 : 0) + done_first.seen() == 1);
    RL_ASSERT((ended_at_start[1] ? 1 : 0) + done_second.seen() == 1);
    RL_ASSERT(out[0] + out[1] == 3 && out[0] != out[1]);
    first.reset();
    second.reset();
    ch.reset();
  }
  void thread(unsigned index) {
    if (index < 2) {
      ended_at_start[index] = start(index == 0 ? *first : *second);
    } else {
      RL_ASSERT(ch->send(1) == status::ok);
      RL_ASSERT(ch->send(2) == status::ok);
    }
  }
};

// An async receive and a plain blocking receiver wait behind a sender held mid-write, whom a second
// sender lets go once its own item is in. The operation's looks give up on the held writer (they run
// on a notifier's thread after a wake), so it waits enlisted for that writer's commit; that commit
// wakes both waiters (waiters.hpp, wake_all_at_next_notify). The operation ends once, and the two
// receivers get one item each: a stranded plain receiver is a DEADLOCK, a never-ended operation
// fails in after().
struct async_recv_behind_held_writer : rl::test_suite<async_recv_behind_held_writer, 4> {
  static constexpr bool park_behind_peer = true;
  using gated_recv = chan::detail::recv_into_attempt<gated_channel, gated_item>;
  std::optional<gated_channel> ch;
  std::optional<operation<gated_recv>> op;
  rl::atomic<int> gate;
  completions done;
  gated_item out{-1}, plain{-1};
  bool ended_at_start = false;

  void before() {
    ch.emplace(2);
    gate.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    done.count.store(0, rl::mo_relaxed, CHAN_RL_CALLER);
    op.emplace(&completions::complete, &done, chan::detail::async_access::receivers(*ch), gated_recv{&*ch, &out});
  }
  void after() {
    RL_ASSERT((ended_at_start ? 1 : 0) + done.seen() == 1);
    RL_ASSERT(op->outcome().result == status::ok);
    RL_ASSERT(out.value + plain.value == 3 && out.value != plain.value);
    RL_ASSERT(!chan::detail::async_access::receivers(*ch)->has_waiters());
    op.reset();
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      ended_at_start = start(*op);
    } else if (index == 1) {
      RL_ASSERT(ch->try_emplace(1, gate) == status::ok);
    } else if (index == 2) {
      RL_ASSERT(ch->try_send(gated_item(2)) == status::ok);
      gate.store(1, rl::mo_release, CHAN_RL_CALLER);
    } else {
      RL_ASSERT(ch->recv(plain) == status::ok);
    }
  }
};

const chan_models::model models[] = {
    {"async_wake_races_suspend", chan_models::run<async_wake_races_suspend>},
    {"async_cancel_races_wake", chan_models::run<async_cancel_races_wake>},
    {"async_cancel_races_stolen_wake", chan_models::run<async_cancel_races_stolen_wake>},
    {"async_close_races_suspend", chan_models::run<async_close_races_suspend>},
    {"async_two_receivers", chan_models::run<async_two_receivers>},
    {"async_recv_behind_held_writer", chan_models::run<async_recv_behind_held_writer>},
};

}  // namespace

int main(int argc, char** argv) { return chan_models::main(models, argc, argv, "chan_async_models"); }

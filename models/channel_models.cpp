// Relacy models of the shipped chan headers: the ring, close, blocking wake-ups, oneshot and sends
// whose construction throws.
//
// Usage: chan_models <test>|--all [--iterations N] [--bound K] [--full] [--list]
//   default: random scheduler, 200000 iterations; --bound K: fair context-bound search (bound K);
//   --full: full search. With --all, stops at the first failing test. The last line always reads
//   `chan_models: <test>: <VERDICT>` so scripts (ci/mutate) can pick the verdict up.

#include "relacy_backend.hpp"  // first: tames Relacy's macros before any chan header

#include "gated_item.hpp"
#include "model_driver.hpp"

#include <chan/channel.hpp>
#include <chan/oneshot.hpp>

namespace {

using channel = chan::channel<int, std::allocator<int>, relacy_backend>;
using chan::status;

constexpr int producer_stride = 100;  // item = producer * stride + sequence number

// Records what one consumer received, to check per-producer FIFO and exactly-once after the run.
struct received_log {
  int items[16] = {};
  int count = 0;
  void add(int item) {
    RL_ASSERT(count < 16);
    items[count++] = item;
  }
};

// Every item of every log arrives in its producer's order; with `expected` items per producer in
// total, each exactly once.
void check_fifo_and_exactly_once(const received_log* logs, int consumers, int producers, const int* sent_per_producer) {
  int seen[8][16] = {};
  for (int c = 0; c < consumers; ++c) {
    int last[8];
    for (int& l : last) l = -1;
    for (int i = 0; i < logs[c].count; ++i) {
      const int producer = logs[c].items[i] / producer_stride;
      const int sequence = logs[c].items[i] % producer_stride;
      RL_ASSERT(producer < producers);
      RL_ASSERT(sequence > last[producer]);  // per-producer FIFO, as this consumer saw it
      last[producer] = sequence;
      ++seen[producer][sequence];
    }
  }
  for (int p = 0; p < producers; ++p) {
    for (int s = 0; s < 16; ++s) RL_ASSERT(seen[p][s] == (s < sent_per_producer[p] ? 1 : 0));
  }
}

// P producers send `per_producer` items each with blocking send; the last producer to finish
// closes; C consumers receive with blocking recv until `closed`.
template <int Producers, int Consumers, int PerProducer, std::size_t Capacity>
struct mpmc_fifo : rl::test_suite<mpmc_fifo<Producers, Consumers, PerProducer, Capacity>, Producers + Consumers> {
  std::optional<channel> ch;
  rl::atomic<int> producers_done;
  received_log logs[Consumers];

  void before() {
    ch.emplace(Capacity);
    producers_done.store(0, rl::mo_relaxed, RL_INFO);
  }
  void after() {
    int sent[Producers];
    for (int& s : sent) s = PerProducer;
    check_fifo_and_exactly_once(logs, Consumers, Producers, sent);
    ch.reset();
  }
  void thread(unsigned index) {
    const int id = static_cast<int>(index);
    if (id < Producers) {
      for (int i = 0; i < PerProducer; ++i) RL_ASSERT(ch->send(id * producer_stride + i) == status::ok);
      if (producers_done.fetch_add(1, rl::mo_acq_rel, RL_INFO) == Producers - 1) RL_ASSERT(ch->close());
    } else {
      int item = 0;
      while (ch->recv(item) == status::ok) logs[id - Producers].add(item);
      // closed only once drained: nothing is left, and it stays that way
      RL_ASSERT(ch->try_recv(item) == status::closed);
    }
  }
};

// One producer, one consumer, several laps around a small ring, with non-blocking calls only so the
// lap arithmetic (and capacity 1's stamps) is what gets exercised.
template <std::size_t Capacity>
struct wrap_around : rl::test_suite<wrap_around<Capacity>, 2> {
  static constexpr int items = static_cast<int>(3 * Capacity + 1);
  std::optional<channel> ch;

  void before() { ch.emplace(Capacity); }
  void after() {
    RL_ASSERT(ch->size() == 0);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      for (int i = 0; i < items; ++i) {
        status s;
        while ((s = ch->try_send(i)) == status::full) rl::yield(1, RL_INFO);
        RL_ASSERT(s == status::ok);
        RL_ASSERT(ch->size() <= Capacity);
      }
    } else {
      for (int expected = 0; expected < items; ++expected) {
        int item = -1;
        status s;
        while ((s = ch->try_recv(item)) == status::empty) rl::yield(1, RL_INFO);
        RL_ASSERT(s == status::ok);
        RL_ASSERT(item == expected);
      }
    }
  }
};

// Two senders race close(); the closer wrote `note` first. Every ok send is received exactly once,
// `closed` comes only after the drain, and a receiver that sees `closed` can read `note`.
struct close_races_sends : rl::test_suite<close_races_sends, 4> {
  std::optional<channel> ch;
  rl::var<int> note;
  status sent[2] = {};
  received_log log;

  void before() { ch.emplace(2); }
  void after() {
    int ok[2];
    for (int p = 0; p < 2; ++p) ok[p] = sent[p] == status::ok ? 1 : 0;
    check_fifo_and_exactly_once(&log, 1, 2, ok);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index < 2) {
      sent[index] = ch->try_send(static_cast<int>(index) * producer_stride);
      RL_ASSERT(sent[index] == status::ok || sent[index] == status::closed);
    } else if (index == 2) {
      note(RL_INFO) = 42;
      RL_ASSERT(ch->close());
    } else {
      int item = 0;
      while (ch->recv(item) == status::ok) log.add(item);
      RL_ASSERT(note(RL_INFO) == 42);  // close() happens-before a receive that returns `closed`
    }
  }
};

// is_closed() publishes what the closer wrote before close(), like a receive that returns `closed`.
struct is_closed_visibility : rl::test_suite<is_closed_visibility, 2> {
  std::optional<channel> ch;
  rl::var<int> note;

  void before() { ch.emplace(1); }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index == 0) {
      note(RL_INFO) = 7;
      ch->close();
    } else if (ch->is_closed()) {
      RL_ASSERT(note(RL_INFO) == 7);
      RL_ASSERT(ch->try_send(1) == status::closed);
    }
  }
};

// A receiver blocked on an empty channel wakes for the item (a lost wake-up is a DEADLOCK).
struct blocking_recv_on_empty : rl::test_suite<blocking_recv_on_empty, 2> {
  std::optional<channel> ch;
  void before() { ch.emplace(1); }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->send(5) == status::ok);
      RL_ASSERT(ch->send(6) == status::ok);
    } else {
      int item = 0;
      RL_ASSERT(ch->recv(item) == status::ok && item == 5);
      RL_ASSERT(ch->recv(item) == status::ok && item == 6);
    }
  }
};

// A sender blocked on a full channel wakes when a slot frees.
struct blocking_send_on_full : rl::test_suite<blocking_send_on_full, 2> {
  std::optional<channel> ch;
  void before() {
    ch.emplace(1);
    RL_ASSERT(ch->try_send(1) == status::ok);
  }
  void after() {
    int item = 0;
    RL_ASSERT(ch->try_recv(item) == status::ok && item == 3);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->send(2) == status::ok);
      RL_ASSERT(ch->send(3) == status::ok);
    } else {
      int item = 0;
      RL_ASSERT(ch->recv(item) == status::ok && item == 1);
      RL_ASSERT(ch->recv(item) == status::ok && item == 2);
    }
  }
};

// close() wakes two receivers blocked on an empty channel.
struct close_wakes_receivers : rl::test_suite<close_wakes_receivers, 3> {
  std::optional<channel> ch;
  void before() { ch.emplace(1); }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index < 2) {
      int item = 0;
      RL_ASSERT(ch->recv(item) == status::closed);
    } else {
      RL_ASSERT(ch->close());
    }
  }
};

// close() wakes two senders blocked on a full channel; their values stay with them.
struct close_wakes_senders : rl::test_suite<close_wakes_senders, 3> {
  std::optional<channel> ch;
  void before() {
    ch.emplace(1);
    RL_ASSERT(ch->try_send(1) == status::ok);
  }
  void after() {
    int item = 0;
    RL_ASSERT(ch->try_recv(item) == status::ok && item == 1);  // buffered items survive close
    RL_ASSERT(ch->try_recv(item) == status::closed);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index < 2) {
      RL_ASSERT(ch->send(2) == status::closed);
    } else {
      RL_ASSERT(ch->close());
    }
  }
};

// A timed receive racing a send: Relacy may end the wait at any wake-up (the deadline is far away,
// but Relacy's timed waits ignore it). The item is then received exactly once, by the timed receive
// or by the check afterwards.
struct timeout_races_send : rl::test_suite<timeout_races_send, 2> {
  std::optional<channel> ch;
  status received = status::empty;
  int item = 0;

  void before() { ch.emplace(1); }
  void after() {
    int rest = 0;
    if (received == status::ok) {
      RL_ASSERT(item == 9);
      RL_ASSERT(ch->try_recv(rest) == status::empty);
    } else {
      RL_ASSERT(received == status::timeout);
      RL_ASSERT(ch->try_recv(rest) == status::ok && rest == 9);
    }
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->send(9) == status::ok);
    } else {
      received = ch->recv_until(item, std::chrono::steady_clock::now() + std::chrono::hours(1));
    }
  }
};

// The same race on the sending side: a timed send into a full channel against a receive.
struct timeout_races_recv : rl::test_suite<timeout_races_recv, 2> {
  std::optional<channel> ch;
  status sent = status::empty;

  void before() {
    ch.emplace(1);
    RL_ASSERT(ch->try_send(1) == status::ok);
  }
  void after() {
    int rest = 0;
    if (sent == status::ok) {
      RL_ASSERT(ch->try_recv(rest) == status::ok && rest == 2);
    } else {
      RL_ASSERT(sent == status::timeout);
    }
    RL_ASSERT(ch->try_recv(rest) == status::empty);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      sent = ch->send_until(2, std::chrono::steady_clock::now() + std::chrono::hours(1));
    } else {
      int item = 0;
      RL_ASSERT(ch->recv(item) == status::ok && item == 1);
    }
  }
};

// The next three models put a third thread between a waiter's failed attempts and its re-check, so
// that the value the re-check reads can be stale without being one the waiter already saw: the
// lost wake-up that the seq_cst orders of the waiter handshake (waiter_enlist in orderings.hpp)
// forbid. The channel starts non-empty and the threads stop as soon as their part is done, so few
// steps separate the moves that matter and no later seq_cst fence publishes the missing write by
// accident. None ends with close() unless close is the point: it wakes every waiter and would hide
// the lost wake-up.

// One item waits in the channel, two receivers each take one, the sender sends the second. The
// receiver that finds the channel empty must be woken by that send.
struct handoff_wakes_receiver : rl::test_suite<handoff_wakes_receiver, 3> {
  std::optional<channel> ch;
  int got[2] = {};

  void before() {
    ch.emplace(2);
    RL_ASSERT(ch->try_send(1) == status::ok);
  }
  void after() {
    RL_ASSERT(got[0] + got[1] == 1 + 2 && got[0] != got[1]);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->send(2) == status::ok);
    } else {
      RL_ASSERT(ch->recv(got[index - 1]) == status::ok);
    }
  }
};

// The mirror: a full channel, two senders, a receiver that takes one item more than the channel
// holds. The sender that finds the channel full must be woken by the last receive. At capacity 2
// the blocked sender backs off with its glance (one_arm::retry in waiters.hpp), which never proves
// `full`: the re-check after its enlist must.
template <std::size_t Capacity>
struct handoff_wakes_sender : rl::test_suite<handoff_wakes_sender<Capacity>, 3> {
  std::optional<channel> ch;
  int got[Capacity + 1] = {};

  void before() {
    ch.emplace(Capacity);
    for (std::size_t i = 0; i < Capacity; ++i) RL_ASSERT(ch->try_send(0) == status::ok);
  }
  void after() {
    int last = 0;
    RL_ASSERT(ch->try_recv(last) == status::ok);
    for (std::size_t i = 0; i < Capacity; ++i) RL_ASSERT(got[i] == 0);
    RL_ASSERT(got[Capacity] + last == 1 + 2 && got[Capacity] != last);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index < 2) {
      RL_ASSERT(ch->send(static_cast<int>(index) + 1) == status::ok);
    } else {
      for (int& item : got) RL_ASSERT(ch->recv(item) == status::ok);
    }
  }
};

// One item waits, two receivers drain it and then wait for more; the closer closes. The receiver
// that found the channel empty must see the close, even if its re-check reads the tail from before.
struct close_wakes_receiver_after_drain : rl::test_suite<close_wakes_receiver_after_drain, 3> {
  std::optional<channel> ch;
  int received[2] = {};

  void before() {
    ch.emplace(1);
    RL_ASSERT(ch->try_send(1) == status::ok);
  }
  void after() {
    RL_ASSERT(received[0] + received[1] == 1);
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->close());
    } else {
      int item = 0;
      while (ch->recv(item) == status::ok) ++received[index - 1];
    }
  }
};

using oneshot_sender = chan::oneshot_sender<int, relacy_backend>;
using oneshot_receiver = chan::oneshot_receiver<int, relacy_backend>;

// Two threads around one fresh oneshot; each model says what its threads do with the two ends.
template <class Model>
struct oneshot_model : rl::test_suite<Model, 2> {
  std::optional<oneshot_sender> tx;
  std::optional<oneshot_receiver> rx;

  void before() {
    auto [s, r] = chan::oneshot<int, relacy_backend>();
    tx.emplace(std::move(s));
    rx.emplace(std::move(r));
  }
};

// send() racing the receiver's drop: `ok` only if the receiver was still there; the shared state is
// freed exactly once (Relacy reports leaks and double frees) and the value is never read twice.
struct oneshot_send_races_drop : oneshot_model<oneshot_send_races_drop> {
  using oneshot_model::rx;
  using oneshot_model::tx;
  status sent = status::empty;
  status received = status::empty;

  void after() {
    if (received == status::ok) RL_ASSERT(sent == status::ok);
    if (sent == status::closed) RL_ASSERT(received == status::empty);
  }
  void thread(unsigned index) {
    if (index == 0) {
      sent = tx->send(4);
      tx.reset();
    } else {
      int item = 0;
      received = rx->try_recv(item);
      RL_ASSERT(received == status::empty || (received == status::ok && item == 4));
      rx.reset();
    }
  }
};

// The sender is dropped unsent while the receiver blocks: the receiver wakes with `closed`.
struct oneshot_drop_wakes_recv : oneshot_model<oneshot_drop_wakes_recv> {
  using oneshot_model::rx;
  using oneshot_model::tx;
  void thread(unsigned index) {
    if (index == 0) {
      tx.reset();
    } else {
      int item = 0;
      RL_ASSERT(rx->recv(item) == status::closed);
      rx.reset();
    }
  }
};

// The value arrives while the receiver blocks: it wakes with the value.
struct oneshot_send_wakes_recv : oneshot_model<oneshot_send_wakes_recv> {
  using oneshot_model::rx;
  using oneshot_model::tx;
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(tx->send(8) == status::ok);
      tx.reset();
    } else {
      int item = 0;
      RL_ASSERT(rx->recv(item) == status::ok && item == 8);
      rx.reset();
    }
  }
};

// ---- a send whose construction throws -----------------------------------------------------------

// An item whose two-argument constructor throws when asked to; its moves cannot throw.
struct fallible_item {
  explicit fallible_item(int v) noexcept : value(v) {}
  fallible_item(int v, bool fail) : value(v) {
    if (fail) throw construction_failed{};
  }
  fallible_item(fallible_item&&) noexcept = default;
  fallible_item& operator=(fallible_item&&) noexcept = default;
  struct construction_failed {};
  int value;
};
using fallible_channel = chan::channel<fallible_item, std::allocator<fallible_item>, relacy_backend>;

// Capacity 1: a try_emplace that throws leaves the only slot skipped, a blocking sender may find the
// channel full because of it, and a blocking receiver must pass over the skipped slot and wake that
// sender (a lost wake-up there is a DEADLOCK). The failed constructor's storage is reused by the
// next send only after the receiver freed the slot (else a DATA RACE on the cell's shadow).
struct throwing_send_skips_slot : rl::test_suite<throwing_send_skips_slot, 3> {
  std::optional<fallible_channel> ch;
  void before() { ch.emplace(1); }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index == 0) {
      try {
        const status result = ch->try_emplace(1, true);
        RL_ASSERT(result == status::full);  // only when the other send came first
      } catch (const fallible_item::construction_failed&) {
      }
    } else if (index == 1) {
      RL_ASSERT(ch->send(fallible_item(7)) == status::ok);
    } else {
      auto item = ch->recv();
      RL_ASSERT(item && item->value == 7);
    }
  }
};

// Capacity 2: items on both sides of a skipped slot arrive in order and exactly once, across a lap.
struct skipped_slot_keeps_fifo : rl::test_suite<skipped_slot_keeps_fifo, 2> {
  std::optional<fallible_channel> ch;
  void before() { ch.emplace(2); }
  void after() {
    RL_ASSERT(!ch->try_recv());
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->send(fallible_item(1)) == status::ok);
      try {
        (void)ch->try_emplace(0, true);
      } catch (const fallible_item::construction_failed&) {
      }
      RL_ASSERT(ch->send(fallible_item(2)) == status::ok);
      RL_ASSERT(ch->send(fallible_item(3)) == status::ok);
    } else {
      for (int expected = 1; expected <= 3; ++expected) {
        auto item = ch->recv();
        RL_ASSERT(item && item->value == expected);
      }
    }
  }
};

// ---- a non-blocking receive behind a sender that is mid-way -----------------------------------

// On a ring of lone_writer_capacity, try_recv answers `empty` behind a writer that holds the only
// claimed position, and waits for a writer with a claim after it (ring.hpp, recv_look). Two senders
// and a receiver: once the second sender's send has returned (`sent`, acquire), its item is in the
// channel or taken, so `empty` would be spurious; before, `empty` is allowed. `Offset` moves the head
// to the lap's last slot first, where the position after the writer's is the next lap's first.
template <std::size_t Offset>
struct try_recv_behind_writer : rl::test_suite<try_recv_behind_writer<Offset>, 3> {
  std::optional<channel> ch;
  rl::atomic<bool> sent;
  int received = 0;
  void before() {
    ch.emplace(chan::detail::lone_writer_capacity);
    for (std::size_t i = 0; i < Offset; ++i) {
      int item = 0;
      RL_ASSERT(ch->try_send(0) == status::ok && ch->try_recv(item) == status::ok);
    }
    sent.store(false, rl::mo_relaxed, RL_INFO);
    received = 0;
  }
  void after() {
    int item = 0;
    while (ch->try_recv(item) == status::ok) received += item;
    RL_ASSERT(received == 1 + 2);  // exactly once each
    ch.reset();
  }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->try_send(1) == status::ok);
    } else if (index == 1) {
      RL_ASSERT(ch->try_send(2) == status::ok);
      sent.store(true, rl::mo_release, RL_INFO);
    } else {
      const bool after_second_send = sent.load(rl::mo_acquire, RL_INFO);
      int item = 0;
      const status got = ch->try_recv(item);
      RL_ASSERT(got == status::ok || (got == status::empty && !after_second_send));
      if (got == status::ok) received += item;
    }
  }
};

// ---- parking behind a peer that is mid-way --------------------------------------------------------

// With park_behind_peer, a blocked call that finds its peer between claim and commit parks after a
// short spin instead of waiting the peer out (ring.hpp, peer_patience); the peer's commit must wake
// it. The asymmetric barrier carries that handshake (relacy_backend.hpp): a lost wake-up is a DEADLOCK.

// A receiver that finds the sender still writing parks behind it. At lone_writer_capacity the
// writer is a lone one, to which a non-blocking receive answers `empty` at once (ring.hpp,
// recv_look): a blocking receive must not, or it parks with no wake-up to come.
template <std::size_t Capacity>
struct recv_parks_behind_writing_sender : rl::test_suite<recv_parks_behind_writing_sender<Capacity>, 2> {
  static constexpr bool park_behind_peer = true;
  std::optional<channel> ch;
  void before() { ch.emplace(Capacity); }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->send(1) == status::ok);
      RL_ASSERT(ch->send(2) == status::ok);
    } else {
      int item = 0;
      RL_ASSERT(ch->recv(item) == status::ok && item == 1);
      RL_ASSERT(ch->recv(item) == status::ok && item == 2);
    }
  }
};

// Two receivers wait behind a sender held mid-write, whom the second sender lets go once its own
// item is in: a receiver woken by that second commit meets the held writer's slot first, and may give
// up on it and park again. The held writer's one notify wakes one receiver; the second item must
// still reach the other (waiters.hpp, wake_all_at_next_notify). A stranded receiver is a DEADLOCK.
struct receivers_behind_held_writer : rl::test_suite<receivers_behind_held_writer, 4> {
  static constexpr bool park_behind_peer = true;
  std::optional<gated_channel> ch;
  rl::atomic<int> gate;
  void before() {
    ch.emplace(2);
    gate.store(0, rl::mo_relaxed, RL_INFO);
  }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->try_emplace(1, gate) == status::ok);
    } else if (index == 1) {
      RL_ASSERT(ch->try_send(gated_item(2)) == status::ok);
      gate.store(1, rl::mo_release, RL_INFO);
    } else {
      gated_item item(0);
      RL_ASSERT(ch->recv(item) == status::ok);
    }
  }
};

// The mirror: two senders wait on a full channel of two behind a receiver held moving the first
// item out, whom the second receiver lets go once it has taken the other item. A sender woken by
// that second commit meets the held receiver's slot first, and may give up on it and park again; the
// slot freed by the second receive must still reach the other sender.
struct senders_behind_held_receiver : rl::test_suite<senders_behind_held_receiver, 4> {
  static constexpr bool park_behind_peer = true;
  std::optional<gated_channel> ch;
  rl::atomic<int> gate;
  void before() {
    ch.emplace(2);
    gate.store(0, rl::mo_relaxed, RL_INFO);
    RL_ASSERT(ch->try_emplace(1, gated_item::hold_move_t{}, gate) == status::ok);
    RL_ASSERT(ch->try_send(gated_item(2)) == status::ok);
  }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index < 2) {
      RL_ASSERT(ch->try_recv());
      if (index == 1) gate.store(1, rl::mo_release, RL_INFO);
    } else {
      RL_ASSERT(ch->send(gated_item(static_cast<int>(index))) == status::ok);
    }
  }
};

// A sender that finds the receiver still moving the last lap's item out parks behind it.
struct send_parks_behind_taking_receiver : rl::test_suite<send_parks_behind_taking_receiver, 2> {
  static constexpr bool park_behind_peer = true;
  std::optional<channel> ch;
  void before() {
    ch.emplace(1);
    RL_ASSERT(ch->try_send(1) == status::ok);
  }
  void after() { ch.reset(); }
  void thread(unsigned index) {
    if (index == 0) {
      RL_ASSERT(ch->send(2) == status::ok);
      RL_ASSERT(ch->send(3) == status::ok);
    } else {
      for (int expected = 1; expected <= 3; ++expected) {
        int item = 0;
        RL_ASSERT(ch->recv(item) == status::ok && item == expected);
      }
    }
  }
};

const chan_models::model models[] = {
    {"fifo_2p1c", chan_models::run<mpmc_fifo<2, 1, 2, 2>>},
    {"fifo_1p2c", chan_models::run<mpmc_fifo<1, 2, 3, 2>>},
    {"mpmc_2x2", chan_models::run<mpmc_fifo<2, 2, 2, 2>>},
    {"wrap_cap1", chan_models::run<wrap_around<1>>},
    {"wrap_cap2", chan_models::run<wrap_around<2>>},
    {"wrap_cap3", chan_models::run<wrap_around<3>>},
    {"close_races_sends", chan_models::run<close_races_sends>},
    {"is_closed_visibility", chan_models::run<is_closed_visibility>},
    {"blocking_recv_on_empty", chan_models::run<blocking_recv_on_empty>},
    {"blocking_send_on_full", chan_models::run<blocking_send_on_full>},
    {"close_wakes_receivers", chan_models::run<close_wakes_receivers>},
    {"close_wakes_senders", chan_models::run<close_wakes_senders>},
    {"timeout_races_send", chan_models::run<timeout_races_send>},
    {"timeout_races_recv", chan_models::run<timeout_races_recv>},
    {"handoff_wakes_receiver", chan_models::run<handoff_wakes_receiver>},
    {"handoff_wakes_sender", chan_models::run<handoff_wakes_sender<1>>},
    {"handoff_wakes_sender_cap2", chan_models::run<handoff_wakes_sender<2>>},
    {"close_wakes_receiver_after_drain", chan_models::run<close_wakes_receiver_after_drain>},
    {"oneshot_send_races_drop", chan_models::run<oneshot_send_races_drop>},
    {"oneshot_drop_wakes_recv", chan_models::run<oneshot_drop_wakes_recv>},
    {"oneshot_send_wakes_recv", chan_models::run<oneshot_send_wakes_recv>},
    {"throwing_send_skips_slot", chan_models::run<throwing_send_skips_slot>},
    {"skipped_slot_keeps_fifo", chan_models::run<skipped_slot_keeps_fifo>},
    {"try_recv_behind_writer", chan_models::run<try_recv_behind_writer<0>>},
    {"try_recv_behind_writer_lap_end",
     chan_models::run<try_recv_behind_writer<chan::detail::lone_writer_capacity - 1>>},
    {"recv_parks_behind_writing_sender", chan_models::run<recv_parks_behind_writing_sender<1>>},
    {"recv_parks_behind_lone_writer",
     chan_models::run<recv_parks_behind_writing_sender<chan::detail::lone_writer_capacity>>},
    {"send_parks_behind_taking_receiver", chan_models::run<send_parks_behind_taking_receiver>},
    {"receivers_behind_held_writer", chan_models::run<receivers_behind_held_writer>},
    {"senders_behind_held_receiver", chan_models::run<senders_behind_held_receiver>},
};

}  // namespace

int main(int argc, char** argv) { return chan_models::main(models, argc, argv, "chan_models"); }

#pragma once

// Every memory order chan uses, one named site per use.
//
// Each site is `CHAN_ORDER_SITE(<site>);`, a constant of the value of CHAN_ORDER_<site>, and each macro can be
// overridden from the compiler's command line, for instance
//   -DCHAN_ORDER_send_publish=std::memory_order_relaxed
// which weakens that one site. The mutation campaign (ci/mutate) weakens one site at a time, and the
// models in models/ must catch every weakening that breaks the protocol.
// The word in brackets says which operation the site orders (load, store, rmw, fence); ci/mutate reads
// it to know which weaker orders are legal. Each comment says what the ordering pairs with.
//
// The campaign's faster interface: a build that defines CHAN_ORDER_RUN_TIME_HOOK to a function name
// gets every site as a `const` that this function computes once at start-up from the site's name and
// its order (declared below; the build links its definition). ci/mutate builds the model binaries
// once that way (models/orders_at_run_time.cpp) and picks the weakened site per run, instead of
// recompiling them for each weakening. Shipped builds never define it: each site is then a constant.

#include <atomic>

#ifdef CHAN_ORDER_RUN_TIME_HOOK
std::memory_order CHAN_ORDER_RUN_TIME_HOOK(const char* site, std::memory_order declared) noexcept;
#define CHAN_ORDER_SITE(site) inline const std::memory_order site = CHAN_ORDER_RUN_TIME_HOOK(#site, CHAN_ORDER_##site)
#else
#define CHAN_ORDER_SITE(site) inline constexpr std::memory_order site = CHAN_ORDER_##site
#endif

namespace chan::order {

// ---- ring: sending -----------------------------------------------------------------------------

// send_tail [load]: Where to try a send. Only a hint: the stamp load below decides, so nothing is acquired here.
#ifndef CHAN_ORDER_send_tail
#define CHAN_ORDER_send_tail std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(send_tail);

// send_stamp [load]: Pairs with recv_free: the receiver that emptied this slot a lap ago has finished moving the
// item out before we construct a new one in its storage.
#ifndef CHAN_ORDER_send_stamp
#define CHAN_ORDER_send_stamp std::memory_order_acquire
#endif
CHAN_ORDER_SITE(send_stamp);

// send_claim [rmw]: CAS that claims a position. seq_cst, not for the ring but for the waiters: it is ordered before
// waiter_check of the receivers in the single total order, so a receiver whose recv_empty_fence
// precedes this claim is seen as enlisted (pairs with waiter_enlist and recv_empty_fence).
#ifndef CHAN_ORDER_send_claim
#define CHAN_ORDER_send_claim std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(send_claim);

// send_claim_retry [load]: Failure order of send_claim: the fresh tail is only a hint again.
#ifndef CHAN_ORDER_send_claim_retry
#define CHAN_ORDER_send_claim_retry std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(send_claim_retry);

// send_full_fence [fence]: Before deciding `full`: pairs with recv_claim, so a sender that enlisted as a waiter and
// then finds the ring full cannot miss a receiver that frees a slot without seeing the waiter (the store-load pattern
// of waiter_enlist / recv_claim + waiter_check), and with close_mark.
#ifndef CHAN_ORDER_send_full_fence
#define CHAN_ORDER_send_full_fence std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(send_full_fence);

// send_full_head [load]: Where the receivers are; ordered by send_full_fence.
#ifndef CHAN_ORDER_send_full_head
#define CHAN_ORDER_send_full_head std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(send_full_head);

// send_full_tail [load]: Re-reads the close mark after send_full_fence, so an enlisted sender cannot park on a channel
// that close() has already marked without this thread seeing the mark.
#ifndef CHAN_ORDER_send_full_tail
#define CHAN_ORDER_send_full_tail std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(send_full_tail);

// send_publish [store]: Pairs with recv_stamp: the item constructed in the slot is visible to the receiver that sees
// this stamp.
#ifndef CHAN_ORDER_send_publish
#define CHAN_ORDER_send_publish std::memory_order_release
#endif
CHAN_ORDER_SITE(send_publish);

// send_skip [store]: Commits a slot whose item's construction threw, as skipped. Release pairs with recv_stamp:
// whatever the failed constructor wrote into the slot's storage is ordered before the receiver that frees the slot, and
// through recv_skip_free before the sender that reuses it.
#ifndef CHAN_ORDER_send_skip
#define CHAN_ORDER_send_skip std::memory_order_release
#endif
CHAN_ORDER_SITE(send_skip);

// ---- ring: receiving ---------------------------------------------------------------------------

// recv_head [load]: Where to try a receive. Only a hint: the stamp load below decides.
#ifndef CHAN_ORDER_recv_head
#define CHAN_ORDER_recv_head std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(recv_head);

// recv_stamp [load]: Pairs with send_publish: seeing the stamp of a written slot makes the item readable.
#ifndef CHAN_ORDER_recv_stamp
#define CHAN_ORDER_recv_stamp std::memory_order_acquire
#endif
CHAN_ORDER_SITE(recv_stamp);

// recv_claim [rmw]: CAS that claims an item. seq_cst for the waiters: pairs with send_full_fence and waiter_enlist,
// so a sender enlisted on a full channel is either seen by waiter_check or sees this slot freed.
#ifndef CHAN_ORDER_recv_claim
#define CHAN_ORDER_recv_claim std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(recv_claim);

// recv_claim_retry [load]: Failure order of recv_claim: the fresh head is only a hint again.
#ifndef CHAN_ORDER_recv_claim_retry
#define CHAN_ORDER_recv_claim_retry std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(recv_claim_retry);

// recv_empty_fence [fence]: Before deciding `empty`: pairs with send_claim and close_mark, so a receiver that enlisted
// as a waiter and then finds the ring empty cannot miss a send or a close that does not see the waiter.
#ifndef CHAN_ORDER_recv_empty_fence
#define CHAN_ORDER_recv_empty_fence std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(recv_empty_fence);

// recv_empty_tail [load]: Reads tail and its close mark. Acquire pairs with close_mark: what the closer wrote before
// close() is visible to a receiver that returns `closed` (Go's memory model).
#ifndef CHAN_ORDER_recv_empty_tail
#define CHAN_ORDER_recv_empty_tail std::memory_order_acquire
#endif
CHAN_ORDER_SITE(recv_empty_tail);

// recv_free [store]: Pairs with send_stamp: the item has been moved out before a sender may reuse the slot.
#ifndef CHAN_ORDER_recv_free
#define CHAN_ORDER_recv_free std::memory_order_release
#endif
CHAN_ORDER_SITE(recv_free);

// recv_skip_claim [rmw]: CAS that claims a skipped slot to free it. seq_cst for the same reason as recv_claim: a sender
// enlisted on a channel that the skipped slot kept full either sees the head move (send_full_fence) or is seen by
// the waiter_check of the notify that follows.
#ifndef CHAN_ORDER_recv_skip_claim
#define CHAN_ORDER_recv_skip_claim std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(recv_skip_claim);

// recv_skip_free [store]: Frees a skipped slot for the next lap. Release pairs with send_stamp, passing on what
// send_skip ordered: the failed construction's writes come before the next sender's construction in that storage.
#ifndef CHAN_ORDER_recv_skip_free
#define CHAN_ORDER_recv_skip_free std::memory_order_release
#endif
CHAN_ORDER_SITE(recv_skip_free);

// ---- ring: close, size, destruction ------------------------------------------------------------

// close_mark [rmw]: Sets the mark bit in tail. Release: pairs with recv_empty_tail and closed_check (close()
// happens-before a receive that returns `closed`). seq_cst: ordered before waiter_check in close()'s
// notify, pairing with recv_empty_fence / send_full_fence of threads about to park.
#ifndef CHAN_ORDER_close_mark
#define CHAN_ORDER_close_mark std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(close_mark);

// closed_check [load]: is_closed(): pairs with close_mark, so a thread that sees the channel closed also sees what the
// closer wrote before closing.
#ifndef CHAN_ORDER_closed_check
#define CHAN_ORDER_closed_check std::memory_order_acquire
#endif
CHAN_ORDER_SITE(closed_check);

// size_tail [load]: size() is a snapshot: any pair of head and tail gives a value in [0, capacity], and re-reading
// tail rejects pairs torn by a concurrent send. Nothing is published through it.
#ifndef CHAN_ORDER_size_tail
#define CHAN_ORDER_size_tail std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(size_tail);

// size_head [load]: See size_tail.
#ifndef CHAN_ORDER_size_head
#define CHAN_ORDER_size_head std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(size_head);

// destroy_head [load]: In the destructor no other thread may use the channel any more; whatever made that so (a join)
// already ordered every send and receive before it.
#ifndef CHAN_ORDER_destroy_head
#define CHAN_ORDER_destroy_head std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(destroy_head);

// destroy_tail [load]: See destroy_head.
#ifndef CHAN_ORDER_destroy_tail
#define CHAN_ORDER_destroy_tail std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(destroy_tail);

// destroy_stamp [load]: Tells a skipped slot (nothing to destroy) from an item in the destructor; ordered as
// destroy_head.
#ifndef CHAN_ORDER_destroy_stamp
#define CHAN_ORDER_destroy_stamp std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(destroy_stamp);

// ---- waiters -----------------------------------------------------------------------------------

// waiter_enlist [store]: Raises `someone waits` after enlisting. seq_cst pairs with waiter_check through the total
// order: the enlisting thread re-checks the ring after this store (recv_empty_fence / send_full_fence / oneshot_check),
// the notifier changed the ring before waiter_check; one of them sees the other.
#ifndef CHAN_ORDER_waiter_enlist
#define CHAN_ORDER_waiter_enlist std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(waiter_enlist);

// waiter_check [load]: The hot path's only look at the waiters: pairs with waiter_enlist (see there).
#ifndef CHAN_ORDER_waiter_check
#define CHAN_ORDER_waiter_check std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(waiter_check);

// notify_barrier [fence]: The light half of the asymmetric barrier (backend.hpp), between a commit (send_publish,
// recv_free, send_skip, recv_skip_free) and notify_one's waiter_check. Pairs with the heavy half that a blocked call
// runs after enlisting and before its last look when it parks behind a peer that is mid-way (ring.hpp,
// peer_patience): the commit sees the waiter, or the waiter's look sees the commit. Costs no instruction in
// std_backend.
#ifndef CHAN_ORDER_notify_barrier
#define CHAN_ORDER_notify_barrier std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(notify_barrier);

// waiter_none [store]: Lowers the flag when the list empties, under the registry mutex. A stale `true` only costs a
// notifier a look under the lock; the next waiter_enlist is ordered after this store by the mutex.
#ifndef CHAN_ORDER_waiter_none
#define CHAN_ORDER_waiter_none std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(waiter_none);

// ---- waiters: the owner word (select's claim) ---------------------------------------------------

// owner_claim [rmw]: A notifier claims a waiting owner, under the lock of the list it found the entry in. Relaxed:
// the CAS only decides who wins (a notifier or the owner's own owner_abort), and atomicity alone decides that. What
// the notifier changed in the channel reaches the owner through the wake (the parker's handshake), and the entry
// and the word are freed only after the owner has delisted under that same lock or absorbed that wake.
#ifndef CHAN_ORDER_owner_claim
#define CHAN_ORDER_owner_claim std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_claim);

// owner_claim_failed [load]: Failure order of owner_claim: the owner is claimed already (by itself or through another
// list); the notifier skips it and reads nothing else from it.
#ifndef CHAN_ORDER_owner_claim_failed
#define CHAN_ORDER_owner_claim_failed std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_claim_failed);

// owner_abort [rmw]: The owner claims itself as it stops waiting, so no notifier picks it later. Relaxed for the
// reason given at owner_claim: only the winner matters; after a lost race the owner absorbs the claimer's wake,
// whose parker handshake orders the rest.
#ifndef CHAN_ORDER_owner_abort
#define CHAN_ORDER_owner_abort std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_abort);

// owner_abort_failed [load]: Failure order of owner_abort: reads the claimer's tag (which arm's list woke the owner),
// a value carried by the word itself; nothing is acquired with it.
#ifndef CHAN_ORDER_owner_abort_failed
#define CHAN_ORDER_owner_abort_failed std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_abort_failed);

// owner_rearm [rmw]: An async owner (async.hpp) goes back to `waiting` before it enlists for another round, by a CAS
// from the tag it was claimed with, which fails if a stop request marked that claim (owner_cancel_mark). Relaxed:
// only the word's modification order decides between the rearm and the stop's mark or claim, and nothing is
// published through it: a notifier reaches the next round through the list lock of its enlist, a stop's claim
// reaches the round's state through the state word's own RMWs (async_wake_mark).
#ifndef CHAN_ORDER_owner_rearm
#define CHAN_ORDER_owner_rearm std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_rearm);

// owner_rearm_failed [load]: Failure order of owner_rearm: the claim was marked by a stop; the holder ends the
// operation cancelled and reads nothing else.
#ifndef CHAN_ORDER_owner_rearm_failed
#define CHAN_ORDER_owner_rearm_failed std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_rearm_failed);

// owner_cancel_claim [rmw]: A stop request claims a waiting async owner, from no list and under no lock. Relaxed, as
// owner_claim: the CAS only decides who wins; the stop's wake then meets the round through the state word
// (async_wake_mark / async_suspend_mark), whose RMWs carry what the round wrote.
#ifndef CHAN_ORDER_owner_cancel_claim
#define CHAN_ORDER_owner_cancel_claim std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_cancel_claim);

// owner_cancel_claim_failed [load]: Failure order of owner_cancel_claim: the word the stop reads to decide whether
// to mark a notifier's claim, give up on an aborted owner, or try again. Relaxed: a value only.
#ifndef CHAN_ORDER_owner_cancel_claim_failed
#define CHAN_ORDER_owner_cancel_claim_failed std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_cancel_claim_failed);

// owner_cancel_mark [rmw]: A stop request adds cancel_pending to a notifier's claim, so that the rearm of the thread
// that takes that wake fails (and its abort, or owner_peek, reads the mark). Relaxed: one location's modification
// order puts the mark before or after the rearm, and either way the stop is seen or wins its claim on the next
// `waiting`.
#ifndef CHAN_ORDER_owner_cancel_mark
#define CHAN_ORDER_owner_cancel_mark std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_cancel_mark);

// owner_cancel_mark_failed [load]: Failure order of owner_cancel_mark: the word changed (rearmed, aborted, claimed
// again); the stop looks at the new value. Relaxed: a value only.
#ifndef CHAN_ORDER_owner_cancel_mark_failed
#define CHAN_ORDER_owner_cancel_mark_failed std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_cancel_mark_failed);

// owner_peek [load]: A round looks at its own word after enlisting: a stop that claimed or marked it ends the round
// cancelled at once. Relaxed: only an early answer; a stop this load misses is still met at the round's end (its
// wake counts on the state word) or at the next rearm.
#ifndef CHAN_ORDER_owner_peek
#define CHAN_ORDER_owner_peek std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(owner_peek);

// ---- async: coroutine waiters (async.hpp) --------------------------------------------------------

// async_suspend_mark [rmw]: The thread running a round counts its end on the state word and learns whether a
// claimer's wake came first. Release pairs with async_wake_mark: a claimer that comes later sees what the round wrote
// (its outcome, `done`). Acquire pairs with async_wake_mark's release: a wake that came first left its claim, which
// this thread then reads.
#ifndef CHAN_ORDER_async_suspend_mark
#define CHAN_ORDER_async_suspend_mark std::memory_order_acq_rel
#endif
CHAN_ORDER_SITE(async_suspend_mark);

// async_wake_mark [rmw]: A claimer's wake action counts the wake on the state word and learns whether the round had
// ended. Acquire pairs with async_suspend_mark (the round's writes, before the claimer runs the next one); release
// pairs with it the other way (the claim, and the claimer's last touch of the operation, before the round's thread
// goes on and perhaps frees it).
#ifndef CHAN_ORDER_async_wake_mark
#define CHAN_ORDER_async_wake_mark std::memory_order_acq_rel
#endif
CHAN_ORDER_SITE(async_wake_mark);

// ---- oneshot -----------------------------------------------------------------------------------

// oneshot_send [rmw]: Marks the value sent. Release pairs with oneshot_check (the value is readable); seq_cst orders
// it before the waiter_check that follows, pairing with waiter_enlist + oneshot_check of a receiver
// about to park.
#ifndef CHAN_ORDER_oneshot_send
#define CHAN_ORDER_oneshot_send std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(oneshot_send);

// oneshot_abandon [rmw]: The sender is dropped unsent. seq_cst for the same reason as oneshot_send: a receiver about to
// park either sees this or is seen by waiter_check.
#ifndef CHAN_ORDER_oneshot_abandon
#define CHAN_ORDER_oneshot_abandon std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(oneshot_abandon);

// oneshot_hangup [rmw]: The receiver is dropped. Only the bit matters to the sender; the value's lifetime is ordered by
// oneshot_release.
#ifndef CHAN_ORDER_oneshot_hangup
#define CHAN_ORDER_oneshot_hangup std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(oneshot_hangup);

// oneshot_check [load]: The receiver reads the state. Acquire pairs with oneshot_send (the value); seq_cst is the
// re-check after waiter_enlist (see there).
#ifndef CHAN_ORDER_oneshot_check
#define CHAN_ORDER_oneshot_check std::memory_order_seq_cst
#endif
CHAN_ORDER_SITE(oneshot_check);

// oneshot_release [rmw]: Drops one of the two references. Release: this side's last use of the shared state happens
// before the other side frees it; acquire: the side that frees sees every use of the other.
#ifndef CHAN_ORDER_oneshot_release
#define CHAN_ORDER_oneshot_release std::memory_order_acq_rel
#endif
CHAN_ORDER_SITE(oneshot_release);

// oneshot_final [load]: In the shared state's destructor, after oneshot_release acquired everything.
#ifndef CHAN_ORDER_oneshot_final
#define CHAN_ORDER_oneshot_final std::memory_order_relaxed
#endif
CHAN_ORDER_SITE(oneshot_final);

}  // namespace chan::order

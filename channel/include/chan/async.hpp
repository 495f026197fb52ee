#pragma once

// Coroutine waiting (SPEC section 1b): the callback level that every awaitable and adapter is built on,
// and the awaitables of channel::async_send / async_recv and oneshot_receiver::async_recv.
//
// A coroutine waits as an owner in the same waiter lists as blocked threads and selects (waiters.hpp),
// with a different wake action. A thread owner's wake unparks the thread, which re-runs its arms
// itself; an async owner has no thread of its own, so its wake action re-runs the arms on the
// notifier's thread, after the notifier released the list's lock, and then either completes (calls
// the completion, which resumes the coroutine or hands it to its resumer) or enlists again for
// another round. flume's hooks do the same in one list: a slot and a signal that either unparks or
// wakes a task.
//
// One operation, run by one thread at a time. Whoever holds the operation (the starter, or the thread
// whose claim woke it) runs a round: enlist every arm, look for a stop request, re-check the arms.
// A notifier's claim can come at any moment of a round, even before the coroutine finished
// suspending (a wake racing await_suspend). The state word settles who goes on: the round's end and
// the claimer's wake action each add one to it; whichever comes second runs the next step, so the two never run the
// arms at once and the operation is never touched by a thread that is not holding it.
//
// Resumptions chain (a resumed coroutine sends, which wakes another, which sends...), so a wake action
// does not run the operation from inside the notifier's call stack when that thread already runs
// one: a per-thread trampoline queues it, and the outermost runs the queue. Recursion stays one
// level deep.
//
// A peer stuck mid-way on a channel (a sender still writing the item, a receiver still moving one out)
// is not waited out: the operation's looks give up on it after a short spin (waiters.hpp,
// arm_patience), so a notifier that runs them is not held behind another thread's stall, and the
// operation stays enlisted until that peer's commit wakes it.
//
// Cancellation (tokio's "cancel safe", Boost.Cobalt's channel, P0260's async_pop): a stop request
// claims the owner like a notifier, with its own tag. If a notifier was first, the stop marks that
// claim in the same word (waiters.hpp, claim_for_cancel), and the thread that takes the notifier's
// wake either completes the operation (it won the race) or, trying to rearm for another round, finds
// the mark and ends it cancelled. A cancelled operation has done nothing: the ring is the one
// source of truth and an arm only acts by completing. A wake-up it was handed goes on to that list's
// next waiter, as a select's does.
//
// The coroutine (and so the operation in its frame) must stay alive until the operation completes.

#include <coroutine>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

#include <chan/orderings.hpp>
#include <chan/recv_result.hpp>
#include <chan/status.hpp>
#include <chan/waiters.hpp>

namespace chan {

namespace detail {

// ---- the trampoline ------------------------------------------------------------------------------

struct async_task {
  void (*run)(void* target) noexcept;
  void* target;
  async_task* next;
};

struct trampoline_state {
  async_task* head = nullptr;
  async_task* tail = nullptr;
  bool running = false;
};

// One per thread: the backend's, if it keeps per-thread state itself (a model checker's threads all
// run on one OS thread), else a thread_local.
template <class Backend>
trampoline_state& this_thread_trampoline() noexcept {
  if constexpr (requires { Backend::template per_thread<trampoline_state>(); }) {
    return Backend::template per_thread<trampoline_state>();
  } else {
    thread_local trampoline_state state;
    return state;
  }
}

// Runs `task` now, unless this thread is running tasks already: then it is queued, and the
// outermost run takes it after the task in progress returns.
template <class Backend>
void run_on_trampoline(async_task& task) noexcept {
  trampoline_state& here = this_thread_trampoline<Backend>();
  if (here.running) {
    task.next = nullptr;
    (here.tail ? here.tail->next : here.head) = &task;
    here.tail = &task;
    return;
  }
  here.running = true;
  task.run(task.target);
  while (here.head) {
    async_task* next = here.head;
    here.head = next->next;
    if (!here.head) here.tail = nullptr;
    next->run(next->target);  // may free *next (its coroutine ended), so it is unlinked first
  }
  here.running = false;
}

// Plain data that the threads holding an operation in turn hand to each other (the outcome, `done`),
// ordered by the state word. A checking backend watches it for data races through its own type.
template <class Backend, class T>
struct handed_data {
  T value;
  T load() const noexcept { return value; }
  void store(T v) noexcept { value = v; }
};
template <class Backend, class T>
requires requires { typename Backend::template plain<T>; }
struct handed_data<Backend, T> : Backend::template plain<T> {};

// ---- the callback level --------------------------------------------------------------------------

// An operation on one or more arms (the Arms interface of waiters.hpp). `start` runs the first round:
// true when the operation ended then (outcome() holds the answer; the completion is never called),
// false when it is pending: the completion is then called exactly once, on the thread that made the
// operation ready (inside a trampoline), after that thread released every lock of chan.
// The first attempt (the non-blocking call) is the caller's: start() enlists at once.
// Arms: waiters.hpp's interface, but for `status fire(std::size_t arm, arm_patience patience)`, which
// the operation calls with give_up after a wake and with prove in the re-check before it waits.
template <class Backend, class Arms>
class async_operation : public owner<Backend> {
  using base = owner<Backend>;

public:
  using completion = void (*)(void* context) noexcept;

  // The tag of a stop request's claim; a list's tags are first_tag + the arm's index. Below the
  // owner's cancel_pending bit.
  static constexpr std::size_t cancel_tag = ~std::size_t{0} >> 1;

  template <class... Args>
  explicit async_operation(completion complete, void* context, Args&&... arms)
      : base(&on_wake), arms_(std::forward<Args>(arms)...), complete_(complete), context_(context) {}

  async_operation(const async_operation&) = delete;
  async_operation& operator=(const async_operation&) = delete;

  Arms& arms() noexcept { return arms_; }
  // One scan of the arms, in their order, with that patience: the arm that fired, or none.
  fired look(arm_patience patience) {
    return scan(arms_, [this, patience](std::size_t arm) { return arms_.fire(arm, patience); });
  }
  fired outcome() const noexcept { return {outcome_arm_.load(), static_cast<status>(outcome_result_.load())}; }

  // A stop request that comes while the operation runs ends it with {none, cancelled}, unless it
  // completes first.
  bool start(std::stop_token stop = {}) noexcept {
    if (stop.stop_possible()) stop_.emplace(std::move(stop), canceller{this});
    if (drive(base::waiting) == round_end::pending) return false;
    stop_.reset();
    return true;
  }

  // Cancels the operation unless it completes first. Callable from any thread from start() until the
  // completion begins, and the operation must outlive the call (a stop_token given to start does
  // both by itself).
  void cancel() noexcept {
    if (this->claim_for_cancel(cancel_tag)) this->wake();
  }

private:
  enum class round_end { done, pending };

  struct canceller {
    async_operation* op;
    void operator()() const noexcept { op->cancel(); }
  };

  // The state word counts the two events of every round that ends with a claim: the round finishing
  // (async_suspend_mark) and the claimer's wake (async_wake_mark), in either order. Whoever makes the
  // count odd came first and leaves; whoever makes it even again came second and runs the next step.
  // Both ends are counted, so the word needs no reset between rounds.
  static bool came_second(unsigned before) noexcept { return before % 2 == 1; }

  // A claimer's wake action, on its thread after it released the list's lock.
  static void on_wake(base& self) {
    auto& op = static_cast<async_operation&>(self);
    if (came_second(op.state_.fetch_add(1, order::async_wake_mark))) run_on_trampoline<Backend>(op.task_);
    // Else the round is still running; it counts second as it ends and takes the wake itself. Nothing
    // here touches the operation any more: that thread may finish and free it now.
  }

  static void run_wake(void* target) noexcept { static_cast<async_operation*>(target)->take_wake(); }

  void take_wake() noexcept {
    const std::size_t handed = this->abort();  // fails: reads the claimer's tag (and a stop's mark)
    if (done_.load()) {
      // The round completed the operation itself, after the claim: the wake went unused.
      delist_except(handed);
      pass_on_unless_used(handed, false);
      finish();
      return;
    }
    if (drive(handed) == round_end::done) finish();
  }

  void finish() noexcept {
    stop_.reset();  // waits for a stop callback running on another thread; before the completion frees us
    complete_(context_);
  }

  // The owner word as a round reads it: the tag of the claim (a notifier's, with cancel_pending if a
  // stop marked it; cancel_tag; or `waiting`).
  static std::size_t claim_of(std::size_t word) noexcept { return word & ~base::cancel_pending; }
  static bool stop_requested(std::size_t word) noexcept {
    return word == cancel_tag || (word & base::cancel_pending) != 0;
  }

  // Runs rounds until the operation is done or a round leaves it enlisted. `handed`: the owner word
  // of the claim whose wake this thread took, or `waiting` for the first round.
  round_end drive(std::size_t handed) noexcept {
    for (;;) {
      if (handed != base::waiting) {
        delist_except(handed);
        if (stop_requested(handed)) {
          // A stop claimed the owner, or marked a notifier's claim: cancelled, and a wake-up this
          // operation was handed goes on.
          set_outcome({fired::none, status::cancelled});
          pass_on_unless_used(handed, false);
          return round_end::done;
        }
        const fired now = look(arm_patience::give_up);
        if (now.arm != fired::none) {
          set_outcome(now);
          pass_on_unless_used(handed, true);
          return round_end::done;
        }
        // Woken for an item or slot that another thread took first (that thread used the wake-up), or
        // that waits behind a peer stuck mid-way (whose commit will wake every waiter: the re-check
        // below proves that give-up before the operation waits).
        if (!this->rearm(handed)) {  // a stop marked the claim meanwhile
          set_outcome({fired::none, status::cancelled});
          return round_end::done;
        }
      }
      enlist_all();
      bool done = false;
      if (stop_requested(this->peek())) {
        set_outcome({fired::none, status::cancelled});
        done = true;
      } else {
        // Re-check after enlisting: the other side may have acted between the last attempt and the
        // enlist without seeing us. Suspending now would be the lost wake-up.
        const fired now = look(arm_patience::prove);
        if (now.arm != fired::none) {
          set_outcome(now);
          done = true;
        }
      }
      if (done) {
        const std::size_t late = this->abort();
        if (late == base::waiting) {
          delist_except(base::waiting);
          return round_end::done;
        }
        // A claim came after all; its wake is on its way or has been. Whoever is second finishes.
        done_.store(true);
        if (!came_second(state_.fetch_add(1, order::async_suspend_mark))) return round_end::pending;
        delist_except(late);
        pass_on_unless_used(late, false);
        return round_end::done;
      }
      if (!came_second(state_.fetch_add(1, order::async_suspend_mark))) return round_end::pending;
      // A claim came while the round ran, and its wake left the work to this thread.
      handed = this->abort();
    }
  }

  void set_outcome(fired f) noexcept {
    outcome_arm_.store(f.arm);
    outcome_result_.store(static_cast<unsigned char>(f.result));
  }

  void enlist_all() {
    for (std::size_t arm = 0; arm < arms_.size(); ++arm) {
      waiters<Backend>* list = arms_.list(arm);
      if (!list) continue;
      waiter_entry<Backend>& entry = arms_.entry(arm);
      entry.who = this;
      entry.tag = base::first_tag + arm;
      list->enlist(entry);
    }
  }

  // The entry the claim came through is unlinked already (by the claimer, under the lock, before its
  // wake); the others may still be linked, or unlinked by notifiers that skipped us. `handed`: the
  // owner word (a stop's mark on it is ignored here).
  void delist_except(std::size_t handed) {
    const std::size_t claim = claim_of(handed);
    for (std::size_t arm = 0; arm < arms_.size(); ++arm) {
      waiters<Backend>* list = arms_.list(arm);
      if (!list || base::first_tag + arm == claim) continue;
      list->delist(arms_.entry(arm));
    }
  }

  // A wake-up handed through a list goes on to its next waiter unless this operation used it: an arm
  // of that list fired after the wake (`after_wake`), or fired `closed` there (close wakes everyone).
  // An arm of the same list firing in the re-check before the claim took an item that was there
  // already, while the claim was for another one, so that wake is passed on (select's rule, found by
  // the handoff_wakes_sender model).
  void pass_on_unless_used(std::size_t handed, bool after_wake) {
    const std::size_t claim = claim_of(handed);
    if (claim == base::waiting || claim == cancel_tag) return;
    waiters<Backend>* list = arms_.list(claim - base::first_tag);
    const fired used = outcome();
    const bool same_list = used.arm != fired::none && arms_.list(used.arm) == list;
    if (same_list && (used.result == status::closed || (after_wake && used.result == status::ok))) return;
    list->notify_one();
  }

  Arms arms_;
  completion complete_;
  void* context_;
  async_task task_{&run_wake, this, nullptr};
  typename Backend::template atomic<unsigned> state_{0};
  handed_data<Backend, std::size_t> outcome_arm_{fired::none};
  handed_data<Backend, unsigned char> outcome_result_{static_cast<unsigned char>(status::empty)};
  handed_data<Backend, bool> done_{false};
  std::optional<std::stop_callback<canceller>> stop_;
};

// ---- the awaitables ----------------------------------------------------------------------------

// channel.hpp's and oneshot.hpp's async members reach their waiter lists and receive step through
// this (they befriend it).
struct async_access;

// Resumes the coroutine on the thread that completed its operation (inside that thread's trampoline).
struct resume_inline {
  void operator()(std::coroutine_handle<> handle) const { handle.resume(); }
};

template <class Resumer>
struct async_options {
  Resumer resume;
  std::stop_token stop;
};

template <class Option>
inline constexpr bool is_stop_token_v = std::is_same_v<std::remove_cvref_t<Option>, std::stop_token>;

template <class Option>
concept async_resumer =
    !is_stop_token_v<Option> && std::is_invocable_v<std::decay_t<Option>&, std::coroutine_handle<>> &&
    std::is_move_constructible_v<std::decay_t<Option>>;

// What may follow an async call's own arguments: [resumer] [std::stop_token], in that order.
template <class... Options>
concept async_option_list = sizeof...(Options) == 0 ||
                            (sizeof...(Options) == 1 &&
                             (... && (is_stop_token_v<Options> || async_resumer<Options>))) ||
                            (sizeof...(Options) == 2 && requires {
                              requires async_resumer<std::tuple_element_t<0, std::tuple<Options...>>>;
                              requires is_stop_token_v<std::tuple_element_t<1, std::tuple<Options...>>>;
                            });

inline async_options<resume_inline> make_async_options() { return {{}, {}}; }
inline async_options<resume_inline> make_async_options(std::stop_token stop) { return {{}, std::move(stop)}; }
template <async_resumer Resumer>
async_options<std::decay_t<Resumer>> make_async_options(Resumer&& resume) {
  return {std::forward<Resumer>(resume), {}};
}
template <async_resumer Resumer>
async_options<std::decay_t<Resumer>> make_async_options(Resumer&& resume, std::stop_token stop) {
  return {std::forward<Resumer>(resume), std::move(stop)};
}

template <class... Options>
using async_options_t = decltype(make_async_options(std::declval<Options>()...));

// The Arms of a one-channel operation: its attempt (a look with the patience asked for) and the list
// it waits in.
template <class Backend, class Attempt>
class single_arm {
public:
  single_arm(waiters<Backend>* list, Attempt attempt) noexcept : list_(list), attempt_(attempt) {}
  static constexpr std::size_t size() noexcept { return 1; }
  static constexpr std::size_t at(std::size_t) noexcept { return 0; }
  status fire(std::size_t, arm_patience patience) noexcept { return attempt_(patience); }
  waiters<Backend>* list(std::size_t) noexcept { return list_; }
  waiter_entry<Backend>& entry(std::size_t) noexcept { return entry_; }
  Attempt& attempt() noexcept { return attempt_; }

private:
  waiters<Backend>* list_;  // null: always ready (a moved-from oneshot receiver answers `closed`)
  Attempt attempt_;
  waiter_entry<Backend> entry_;
};

// An awaitable over one arm: the first attempt in await_ready (no suspension when it completes), the
// operation's rounds after await_suspend. Not movable: it lives where co_await put it.
template <class Backend, class Attempt, class Options>
class single_awaiter {
public:
  single_awaiter(waiters<Backend>* list, Attempt attempt, Options options)
      : op_(&completed, this, list, attempt), options_(std::move(options)) {}
  single_awaiter(const single_awaiter&) = delete;
  single_awaiter& operator=(const single_awaiter&) = delete;

  // The first attempt gives up on a peer stuck mid-way: that peer's commit ends the wait instead.
  bool await_ready() noexcept {
    if (await_ready_stop()) return true;
    result_ = op_.arms().fire(0, arm_patience::give_up);
    return is_final(result_);
  }

  // False (resume at once, no resumer call) when the operation ended during the first round.
  bool await_suspend(std::coroutine_handle<> handle) noexcept {
    handle_ = handle;
    if (!op_.start(std::move(options_.stop))) return true;  // from here on the frame may be gone
    result_ = op_.outcome().result;
    return false;
  }

protected:
  // A stop requested before the await began: cancelled, without an attempt.
  bool await_ready_stop() noexcept {
    if (!options_.stop.stop_requested()) return false;
    result_ = status::cancelled;
    return true;
  }
  Attempt& attempt() noexcept { return op_.arms().attempt(); }
  status result_ = status::empty;

private:
  static void completed(void* self) noexcept {
    auto& awaiter = *static_cast<single_awaiter*>(self);
    awaiter.result_ = awaiter.op_.outcome().result;
    // Moved out first: resuming may end the coroutine and with it this awaiter and its resumer.
    auto resume = std::move(awaiter.options_.resume);
    const std::coroutine_handle<> handle = awaiter.handle_;
    resume(handle);
  }

  async_operation<Backend, single_arm<Backend, Attempt>> op_;
  Options options_;
  std::coroutine_handle<> handle_;
};

// ---- the attempts ---------------------------------------------------------------------------

// An attempt is one look at its channel, as patient with a peer stuck mid-way as it is asked
// (waiters.hpp, arm_patience): give_up or prove.
template <class Channel>
struct send_attempt {
  Channel* ch;
  typename Channel::value_type* value;  // moved from only on `ok`
  status operator()(arm_patience patience) const noexcept;
};

template <class Source, class T>
struct recv_into_attempt {
  Source* from;
  T* out;
  status operator()(arm_patience patience) const noexcept;
};

template <class Source, class T>
struct recv_result_attempt {
  Source* from;
  recv_result<T>* into;
  status operator()(arm_patience patience) const noexcept;
};

// ---- the awaitables ------------------------------------------------------------------------------

template <class Channel, class Options>
class send_awaiter : public single_awaiter<typename Channel::backend_type, send_attempt<Channel>, Options> {
  using base = single_awaiter<typename Channel::backend_type, send_attempt<Channel>, Options>;

public:
  using base::base;
  // ok | closed | cancelled; on closed and cancelled the value is the caller's still.
  status await_resume() const noexcept { return this->result_; }
};

// A send of a const T&: the first attempt copies straight into a free slot; only a send that has to
// wait copies the value once, into the awaiter, and then sends that copy by moves.
template <class Channel, class Options>
class send_copy_awaiter : public single_awaiter<typename Channel::backend_type, send_attempt<Channel>, Options> {
  using base = single_awaiter<typename Channel::backend_type, send_attempt<Channel>, Options>;
  using T = typename Channel::value_type;

public:
  send_copy_awaiter(waiters<typename Channel::backend_type>* list, Channel* ch, const T* value, Options options)
      : base(list, send_attempt<Channel>{ch, nullptr}, std::move(options)), source_(value) {}

  bool await_ready() {
    if (base::await_ready_stop()) return true;
    this->result_ = this->attempt().ch->try_send(*source_);
    if (is_final(this->result_)) return true;
    copy_.emplace(*source_);
    this->attempt().value = &*copy_;
    return false;
  }
  status await_resume() const noexcept { return this->result_; }

private:
  const T* source_;
  std::optional<T> copy_;
};

template <class Source, class T, class Options>
class recv_into_awaiter : public single_awaiter<typename Source::backend_type, recv_into_attempt<Source, T>, Options> {
  using base = single_awaiter<typename Source::backend_type, recv_into_attempt<Source, T>, Options>;

public:
  using base::base;
  // ok | closed | cancelled; `out` is assigned only on ok.
  status await_resume() const noexcept { return this->result_; }
};

template <class Source, class T, class Options>
class recv_result_awaiter
    : public single_awaiter<typename Source::backend_type, recv_result_attempt<Source, T>, Options> {
  using base = single_awaiter<typename Source::backend_type, recv_result_attempt<Source, T>, Options>;

public:
  recv_result_awaiter(waiters<typename Source::backend_type>* list, Source* from, Options options)
      : base(list, recv_result_attempt<Source, T>{from, &received_}, std::move(options)) {}

  // The item, or closed | cancelled.
  recv_result<T> await_resume() noexcept {
    if (this->result_ != status::ok) return recv_result<T>(this->result_);
    return std::move(received_);
  }

private:
  recv_result<T> received_{status::empty};
};

struct async_access {
  template <class Channel>
  static auto* receivers(Channel& ch) noexcept {
    return &ch.receivers_.value;
  }
  template <class Channel>
  static auto* senders(Channel& ch) noexcept {
    return &ch.senders_.value;
  }
  template <class Receiver>
  static auto* oneshot_list(Receiver& rx) noexcept {
    return rx.shared_ ? &rx.shared_->receiver : nullptr;
  }
  // An attempt's look (give_up or prove). A oneshot has no peer to be stuck behind.
  template <class Source, class Sink>
  static status take(Source& from, Sink&& sink, arm_patience patience) noexcept {
    if constexpr (requires { from.take_with(sink, patience); }) {
      return from.take_with(sink, patience);
    } else {
      return from.try_take(sink);
    }
  }
  template <class Channel>
  static status send_step(Channel& ch, typename Channel::value_type& value, arm_patience patience) noexcept {
    return ch.send_with(value, patience);
  }

  template <class Channel, class... Options>
  static auto send(Channel& ch, typename Channel::value_type& value, Options&&... options) {
    return send_awaiter<Channel, async_options_t<Options...>>(senders(ch), send_attempt<Channel>{&ch, &value},
                                                              make_async_options(std::forward<Options>(options)...));
  }
  template <class Channel, class... Options>
  static auto send_copy(Channel& ch, const typename Channel::value_type& value, Options&&... options) {
    return send_copy_awaiter<Channel, async_options_t<Options...>>(
        senders(ch), &ch, &value, make_async_options(std::forward<Options>(options)...));
  }
  template <class Source, class List, class T, class... Options>
  static auto recv_into(Source& from, List* list, T& out, Options&&... options) {
    require_nothrow_out_assignment<T>();
    return recv_into_awaiter<Source, T, async_options_t<Options...>>(
        list, recv_into_attempt<Source, T>{&from, &out}, make_async_options(std::forward<Options>(options)...));
  }
  template <class T, class Source, class List, class... Options>
  static auto recv_result(Source& from, List* list, Options&&... options) {
    return recv_result_awaiter<Source, T, async_options_t<Options...>>(
        list, &from, make_async_options(std::forward<Options>(options)...));
  }
};

template <class Channel>
status send_attempt<Channel>::operator()(arm_patience patience) const noexcept {
  return async_access::send_step(*ch, *value, patience);
}

template <class Source, class T>
status recv_into_attempt<Source, T>::operator()(arm_patience patience) const noexcept {
  T* target = out;
  return async_access::take(
      *from, [target](T&& item) noexcept { *target = std::move(item); }, patience);
}

template <class Source, class T>
status recv_result_attempt<Source, T>::operator()(arm_patience patience) const noexcept {
  recv_result<T>* target = into;
  return async_access::take(
      *from, [target](T&& item) noexcept { recv_result_access::deliver(*target, std::move(item)); }, patience);
}

}  // namespace detail
}  // namespace chan

#pragma once

// What the coroutine scenarios bring along, since chan imposes no coroutine type: a task that starts
// suspended and frees itself when it ends, and a small thread pool whose post() is a resumer. The
// same idea as the unit tests' channel/tests/support/coro.hpp (stress/ includes nothing of the
// tests'), plus an awaitable that moves the coroutine to the back of the pool's queue.

#include <condition_variable>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace stress {

// Starts suspended (`handle` is posted to a pool); destroys itself when it ends.
struct pool_task {
  struct promise_type {
    pool_task get_return_object() noexcept { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  std::coroutine_handle<> handle;
};

class coro_pool {
public:
  explicit coro_pool(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~coro_pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& worker : workers_) worker.join();
  }
  coro_pool(const coro_pool&) = delete;
  coro_pool& operator=(const coro_pool&) = delete;

  void post(std::coroutine_handle<> handle) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(handle);
    }
    ready_.notify_one();
  }

  // A resumer for chan's awaits: posts the coroutine instead of resuming it inline.
  struct resumer {
    coro_pool* pool;
    void operator()(std::coroutine_handle<> handle) const { pool->post(handle); }
  };
  resumer resume() noexcept { return {this}; }

  // co_await pool.yield(): continue later on one of the pool's threads (a coroutine that found
  // nothing to do must not spin on the thread it happens to be on).
  struct yield_awaiter {
    coro_pool* pool;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle) const { pool->post(handle); }
    void await_resume() const noexcept {}
  };
  yield_awaiter yield() noexcept { return {this}; }

private:
  void work() {
    for (;;) {
      std::coroutine_handle<> next;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        next = queue_.front();
        queue_.pop_front();
      }
      next.resume();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::coroutine_handle<>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace stress

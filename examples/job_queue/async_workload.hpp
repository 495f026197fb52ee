#pragma once

// job_queue --async: the same workload with producers and consumers as C++20 coroutines on a small
// thread pool (two threads, more coroutines than threads). A coroutine that has to wait for a free
// slot or a job suspends in chan's waiter list instead of blocking a pool thread; its resumer
// posts it back to the pool. Shutdown is close(), as in the default variant; retries and dead
// letters work as there. Included by job_queue.cpp after its workload types.

#include <chan/channel.hpp>

#include <atomic>
#include <condition_variable>
#include <coroutine>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace job_queue::async {

// A detached coroutine that starts when first posted and frees itself at the end.
struct task {
  struct promise_type {
    task get_return_object() noexcept { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  std::coroutine_handle<> handle;
};

class pool {
public:
  explicit pool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& worker : workers_) worker.join();
  }
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  void post(std::coroutine_handle<> handle) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(handle);
    }
    ready_.notify_one();
  }

  // chan's resumer: a coroutine made ready by another thread comes back through the pool's queue.
  auto resumer() {
    return [this](std::coroutine_handle<> handle) { post(handle); };
  }

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

using resume_fn = decltype(std::declval<pool&>().resumer());

// Counts the coroutines still running; the workload waits for zero.
class latch {
public:
  explicit latch(unsigned count) : left_(count) {}
  void count_down() {
    std::lock_guard lock(mutex_);
    if (--left_ == 0) done_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return left_ == 0; });
  }

private:
  std::mutex mutex_;
  std::condition_variable done_;
  unsigned left_;
};

task producer(unsigned index, const options& config, chan::channel<job>& queue, producer_report& report,
              resume_fn resume, latch& producers_done) {
  for (std::uint64_t n = 0; n < config.jobs_per_producer; ++n) {
    job item = make_job(index * config.jobs_per_producer + n + 1);
    item.submitted = clock::now();
    ++report.submitted;
    if (co_await queue.async_send(std::move(item), resume) != chan::status::ok) ++report.rejected;
  }
  producers_done.count_down();
}

task consumer(unsigned index, const options& config, chan::channel<job>& queue, chan::channel<job>& dead_letters,
              consumer_report& report, resume_fn resume, latch& consumers_done) {
  std::seed_seq seeds{config.seed, std::uint64_t{index}};
  std::mt19937_64 random(seeds);
  std::bernoulli_distribution attempt_fails(config.fail_rate);
  for (;;) {
    auto item = co_await queue.async_recv(resume);
    if (!item) break;  // closed and drained
    const clock::time_point started = clock::now();
    bool delivered = false;
    for (unsigned attempt = 0;; ++attempt) {
      simulate_work(item->type, config.work_scale);
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
      if (co_await dead_letters.async_send(std::move(*item), resume) != chan::status::ok) std::terminate();
      continue;
    }
    ++report.processed;
    const double latency_ms = std::chrono::duration<double, std::milli>(finished - item->submitted).count();
    (item->type == job_type::report_generate ? report.high_latency_ms : report.normal_latency_ms).push_back(latency_ms);
  }
  consumers_done.count_down();
}

inline constexpr unsigned pool_threads = 2;

workload_result run_workload(const options& config) {
  workload_result result;
  result.producers.resize(config.producers);
  result.consumers.resize(config.consumers);
  chan::channel<job> queue(config.capacity);
  chan::channel<job> dead_letters(config.capacity);
  const clock::time_point started = clock::now();
  std::thread dead_letter_reader([&] { result.dead_letter_channel_count = drain_dead_letters(dead_letters); });
  {
    pool threads(pool_threads);
    latch producers_done(config.producers), consumers_done(config.consumers);
    for (unsigned i = 0; i < config.consumers; ++i) {
      threads.post(
          consumer(i, config, queue, dead_letters, result.consumers[i], threads.resumer(), consumers_done).handle);
    }
    for (unsigned i = 0; i < config.producers; ++i) {
      threads.post(producer(i, config, queue, result.producers[i], threads.resumer(), producers_done).handle);
    }
    producers_done.wait();
    queue.close();
    consumers_done.wait();
  }
  dead_letters.close();
  dead_letter_reader.join();
  result.elapsed_ms = std::chrono::duration<double, std::milli>(clock::now() - started).count();
  return result;
}

}  // namespace job_queue::async

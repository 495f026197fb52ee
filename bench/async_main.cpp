// The async rows (chan_bench_async): coroutines on a 2-thread asio::thread_pool, chan against asio's
// experimental::concurrent_channel, in the naming scheme of bench_main.cpp
// (<queue>/<scenario>/<P>x<C>/cap:<n>/<payload>) and with its command line, so ci/bench runs this
// program's rows in the same shuffle and the report reads them from the same JSON:
//
//   <flavour>/async/<N>x<N>/cap:<c>/u64        items/s, N = 1, 4, 16 coroutines a side, c = 1, 32, 1024
//   <flavour>/async_idle/1x1000/cap:32/u64     CPU ms per second of 1,000 receivers waiting on an empty channel
//   asio_post/async_floor/1x1/cap:0/u64        items/s of asio's completion path alone (no channel): the
//                                              ceiling of any channel awaited through use_awaitable on this pool
//   chan_async/suite_<s>/<P>x<C>/cap:1/u64     crossbeam's suite at capacity 1 (spsc 1x1, mpsc 4x1, mpmc 4x4)
//                                              with coroutines, in seconds per 5,000,000 messages, beside Go's
//
// Built only where standalone asio is installed and has co_await (bench/CMakeLists.txt).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>

#include "adapters/async.hpp"
#include "registration.hpp"
#include "scenarios/async.hpp"
#include "scenarios/scale.hpp"
#include "scenarios/suite.hpp"

namespace bench::async {
namespace {

constexpr int coroutine_grid[] = {1, 4, 16};
constexpr std::size_t capacities[] = {1, 32, 1024};

std::string name_of(const char* queue, const char* scenario, int producers, int consumers, std::size_t capacity) {
  return std::string(queue) + "/" + scenario + "/" + std::to_string(producers) + "x" + std::to_string(consumers) +
         "/cap:" + std::to_string(capacity) + "/u64";
}

template <class Flavour>
void add_flavour() {
  for (const std::size_t capacity : capacities) {
    for (const int n : coroutine_grid) {
      add(name_of(Flavour::name, "async", n, n, capacity), [capacity, n](benchmark::State& state) {
        for (auto _ : state) {
          double cpu = 0;
          double busiest = 0;
          const auto sample = run_sized(current_scale.min_items, current_scale.min_seconds, [&](std::size_t items) {
            const auto run = run_throughput<Flavour>(capacity, n, n, items);
            cpu = run.cpu_seconds;
            busiest = run.busiest_thread_share;
            return run.seconds;
          });
          record(state, sample);
          state.counters["items_per_second"] = static_cast<double>(sample.items) / sample.seconds;
          // Process CPU over wall time of the kept run: up to 2 (both pool threads busy all along).
          state.counters["cpus_busy"] = cpu / sample.seconds;
          // 1: every item was received on one thread; 0.5: spread evenly over both.
          state.counters["busiest_thread_share"] = busiest;
        }
      });
    }
  }
  add(name_of(Flavour::name, "async_idle", 1, idle_receivers, 32), [](benchmark::State& state) {
    for (auto _ : state) {
      const double burnt = run_idle<Flavour>(current_scale.idle_seconds);
      state.SetIterationTime(burnt > 0 ? burnt : 1e-9);
      state.counters["cpu_ms_per_s"] = burnt * 1e3 / current_scale.idle_seconds;
    }
  });
}

// crossbeam's suite at capacity 1 with chan's native coroutines (bench_main.cpp has the threads' rows).
void add_suite() {
  struct shape {
    const char* scenario;
    int producers;
    int consumers;
  };
  constexpr shape shapes[] = {{"suite_spsc", 1, 1}, {"suite_mpsc", 4, 1}, {"suite_mpmc", 4, 4}};
  for (const shape& s : shapes) {
    const int producers = s.producers;
    const int consumers = s.consumers;
    add(name_of(chan_async::name, s.scenario, producers, consumers, 1),
        [producers, consumers](benchmark::State& state) {
          for (auto _ : state) {
            const auto sample = run_sized(current_scale.suite_messages, current_scale.min_seconds, [&](std::size_t n) {
              return run_throughput<chan_async>(1, producers, consumers, n).seconds;
            });
            record(state, sample);
            state.counters["seconds_per_5m"] = sample.seconds / static_cast<double>(sample.items) * suite_unit_messages;
          }
        });
  }
}

void register_all() {
  add("asio_post/async_floor/1x1/cap:0/u64", [](benchmark::State& state) {
    for (auto _ : state) {
      const auto sample = run_sized(current_scale.min_items, current_scale.min_seconds, run_post_floor);
      record(state, sample);
      state.counters["items_per_second"] = static_cast<double>(sample.items) / sample.seconds;
    }
  });
  add_flavour<chan_async>();
  add_flavour<chan_asio>();
  add_flavour<asio_channel>();
  add_suite();
}

}  // namespace
}  // namespace bench::async

int main(int argc, char** argv) {
  return bench::run_main(argc, argv, [] { bench::async::register_all(); });
}

// The benchmark suite: every queue behind its adapter, every scenario, one naming scheme
// (<queue>/<scenario>/<P>x<C>/cap:<n>/<payload>) so the report can pivot Google Benchmark's JSON.
// `ci/bench` runs each repetition as its own process in shuffled order; see bench/report/chanbench.py.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "adapters/adapter.hpp"
#include "adapters/atomic_queue.hpp"
#include "adapters/boost_lockfree.hpp"
#include "adapters/chan.hpp"
#include "adapters/moodycamel.hpp"
#include "adapters/mutex_deque.hpp"
#include "adapters/tbb.hpp"
#include "adapters/vyukov.hpp"
#include "scenarios/latency.hpp"
#include "scenarios/scale.hpp"
#include "scenarios/throughput.hpp"

namespace bench {
namespace {

constexpr std::pair<int, int> thread_grid[] = {{1, 1}, {2, 2}, {1, 2}, {2, 1}, {4, 4}, {8, 8}};
constexpr std::size_t pingpong_capacity = 32;
constexpr std::size_t uncontended_capacity = 1024;

struct options {
  std::initializer_list<std::size_t> capacities = {32, 1024};
  bool spsc_only = false;
};

std::string name_of(const std::string& queue, const char* scenario, int producers, int consumers, std::size_t capacity,
                    const char* payload) {
  return queue + "/" + scenario + "/" + std::to_string(producers) + "x" + std::to_string(consumers) +
         "/cap:" + std::to_string(capacity) + "/" + payload;
}

void add(const std::string& name, auto&& body) {
  benchmark::RegisterBenchmark(name.c_str(), std::forward<decltype(body)>(body))
      ->UseManualTime()
      ->Iterations(current_scale.iterations)
      ->Unit(benchmark::kMicrosecond);
}

template <template <class> class Adapter, class T, mode Mode>
void add_throughput(const std::string& queue, std::size_t capacity, const options& opts) {
  for (const auto& grid : thread_grid) {
    // Plain ints, not a structured binding: clang 14 cannot capture bindings in a lambda.
    const int producers = grid.first;
    const int consumers = grid.second;
    if (opts.spsc_only && (producers != 1 || consumers != 1)) continue;
    add(name_of(queue, "throughput", producers, consumers, capacity, payload_name(static_cast<T*>(nullptr))),
        [capacity, producers, consumers](benchmark::State& state) {
          const std::size_t items = std::is_same_v<T, job> ? current_scale.items_job : current_scale.items_u64;
          double total = 0;
          std::size_t effective = 0;
          for (auto _ : state) {
            const auto run = run_throughput<Adapter<T>, T, Mode>(capacity, producers, consumers, items);
            state.SetIterationTime(run.seconds);
            total += run.seconds;
            effective = run.effective_capacity;
          }
          state.counters["items_per_second"] =
              static_cast<double>(items) * static_cast<double>(state.iterations()) / total;
          state.counters["effective_capacity"] = effective == unbounded ? -1.0 : static_cast<double>(effective);
        });
  }
}

// U64Only: AtomicQueue keeps the value itself in an atomic, so a 144-byte job cannot even compile.
template <template <class> class Adapter, mode Mode, bool U64Only = false>
void add_queue(const std::string& queue, const options& opts) {
  for (const std::size_t capacity : opts.capacities) {
    add_throughput<Adapter, std::uint64_t, Mode>(queue, capacity, opts);
    if constexpr (!U64Only) add_throughput<Adapter, job, Mode>(queue, capacity, opts);

    if (capacity == pingpong_capacity) {
      add(name_of(queue, "pingpong", 1, 1, capacity, "u64"), [capacity](benchmark::State& state) {
        double total = 0;
        for (auto _ : state) {
          const double per_trip = run_pingpong<Adapter<std::uint64_t>, Mode>(capacity, current_scale.round_trips);
          state.SetIterationTime(per_trip);
          total += per_trip;
        }
        state.counters["ns_per_op"] = total * 1e9 / static_cast<double>(state.iterations());
      });
      if constexpr (Mode == mode::blocking) {
        add(name_of(queue, "wakeup", 1, 1, capacity, "u64"), [](benchmark::State& state) {
          double total = 0;
          for (auto _ : state) {
            const double median = run_wakeup<Adapter<std::uint64_t>>(current_scale.wakeups);
            state.SetIterationTime(median);
            total += median;
          }
          state.counters["ns_per_op"] = total * 1e9 / static_cast<double>(state.iterations());
        });
        add(name_of(queue, "idle_cpu", 1, 1, capacity, "u64"), [](benchmark::State& state) {
          double total = 0;
          for (auto _ : state) {
            const double burnt = run_idle_cpu<Adapter<std::uint64_t>>(current_scale.idle_seconds);
            state.SetIterationTime(burnt > 0 ? burnt : 1e-9);
            total += burnt;
          }
          state.counters["cpu_ms_per_s"] =
              total * 1e3 / (current_scale.idle_seconds * static_cast<double>(state.iterations()));
        });
      }
    }
    if (capacity == uncontended_capacity) {
      add(name_of(queue, "uncontended", 1, 1, capacity, "u64"), [capacity](benchmark::State& state) {
        double total = 0;
        for (auto _ : state) {
          const double per_pair =
              run_uncontended<Adapter<std::uint64_t>, Mode>(capacity, current_scale.uncontended_ops);
          state.SetIterationTime(per_pair);
          total += per_pair;
        }
        state.counters["ns_per_op"] = total * 1e9 / static_cast<double>(state.iterations());
      });
    }
  }
}

void register_all() {
  add_queue<chan_adapter, mode::try_ops>("chan_try", {});
  add_queue<chan_adapter, mode::blocking>("chan", {});
  add_queue<vyukov_queue, mode::try_ops>("vyukov", {});
  add_queue<moodycamel_adapter, mode::try_ops>("moodycamel_try", {});
  add_queue<moodycamel_blocking_adapter, mode::blocking>("moodycamel_blocking", {});
  add_queue<boost_queue_adapter, mode::try_ops>("boost_queue", {});
  add_queue<boost_spsc_adapter, mode::try_ops>("boost_spsc", {.spsc_only = true});
  add_queue<atomic_queue_fixed<32>::adapter, mode::try_ops, true>("atomic_queue", {.capacities = {32}});
  add_queue<atomic_queue_fixed<1024>::adapter, mode::try_ops, true>("atomic_queue", {.capacities = {1024}});
  add_queue<atomic_queue2_fixed<32>::adapter, mode::try_ops>("atomic_queue2", {.capacities = {32}});
  add_queue<atomic_queue2_fixed<1024>::adapter, mode::try_ops>("atomic_queue2", {.capacities = {1024}});
  add_queue<atomic_queue_b2_adapter, mode::try_ops>("atomic_queue_b2", {});
  add_queue<tbb_adapter, mode::try_ops>("tbb_try", {});
  add_queue<tbb_adapter, mode::blocking>("tbb_blocking", {});
  add_queue<mutex_deque_adapter, mode::try_ops>("mutex_try", {});
  add_queue<mutex_deque_adapter, mode::blocking>("mutex_blocking", {});
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  // --scale is ours, not Google Benchmark's: take it out before Initialize sees it.
  std::vector<char*> args;
  for (int i = 0; i != argc; ++i) {
    if (std::strcmp(argv[i], "--scale=quick") == 0) {
      bench::current_scale = bench::quick_scale;
    } else if (std::strcmp(argv[i], "--scale=full") == 0) {
      bench::current_scale = bench::full_scale;
    } else if (std::strcmp(argv[i], "--scale=default") == 0) {
      bench::current_scale = bench::default_scale;
    } else {
      args.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(args.size());
  bench::register_all();
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

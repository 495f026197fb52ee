// The benchmark suite: every queue behind its adapter, every scenario, one naming scheme
// (<queue>/<scenario>/<P>x<C>/cap:<n>/<payload>) so the report can pivot Google Benchmark's JSON.
// `ci/bench` runs each repetition as its own process in shuffled order; see bench/report/chanbench.py.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "adapters/adapter.hpp"
#include "adapters/atomic_queue.hpp"
#include "adapters/boost_lockfree.hpp"
#include "adapters/chan.hpp"
#include "adapters/libcds.hpp"
#include "adapters/moodycamel.hpp"
#include "adapters/mutex_deque.hpp"
#include "adapters/tbb.hpp"
#include "adapters/vyukov.hpp"
#include "register_select.hpp"
#include "registration.hpp"
#include "scenarios/latency.hpp"
#include "scenarios/scale.hpp"
#include "scenarios/suite.hpp"
#include "scenarios/throughput.hpp"

namespace bench {
namespace {

// Ordered as the report shows them: one pair, then fan-out, fan-in, balanced, oversubscribed.
constexpr std::pair<int, int> thread_grid[] = {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {4, 4}, {8, 8}};
constexpr std::size_t pingpong_capacity = 32;
constexpr std::size_t uncontended_capacity = 1024;

struct options {
  std::initializer_list<std::size_t> capacities = {1, 4, 32, 1024};
  bool spsc_only = false;
  // crossbeam's suite (scenarios/suite.hpp) at capacity 1 and at capacity N.
  bool suite_cap_1 = false;
  bool suite_cap_n = false;
};

std::string name_of(const std::string& queue, const char* scenario, int producers, int consumers,
                    const std::string& capacity, const char* payload) {
  return queue + "/" + scenario + "/" + std::to_string(producers) + "x" + std::to_string(consumers) +
         "/cap:" + capacity + "/" + payload;
}
std::string name_of(const std::string& queue, const char* scenario, int producers, int consumers, std::size_t capacity,
                    const char* payload) {
  return name_of(queue, scenario, producers, consumers, std::to_string(capacity), payload);
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
          std::size_t effective = 0;
          for (auto _ : state) {
            const auto sample = run_sized(current_scale.min_items, current_scale.min_seconds, [&](std::size_t n) {
              const auto run = run_throughput<Adapter<T>, T, Mode>(capacity, producers, consumers, n);
              effective = run.effective_capacity;
              return run.seconds;
            });
            record(state, sample);
            state.counters["items_per_second"] = static_cast<double>(sample.items) / sample.seconds;
          }
          state.counters["effective_capacity"] = effective == unbounded ? -1.0 : static_cast<double>(effective);
        });
  }
}

template <template <class> class Adapter, mode Mode>
void add_suite(const std::string& queue, const options& opts) {
  struct shape {
    const char* scenario;
    int producers;
    int consumers;
  };
  constexpr shape shapes[] = {{"suite_spsc", 1, 1}, {"suite_mpsc", 4, 1}, {"suite_mpmc", 4, 4}};
  const bool spsc_only = opts.spsc_only;
  auto per_unit = [](benchmark::State& state, const sized_sample& sample) {
    record(state, sample);
    state.counters["seconds_per_5m"] = sample.seconds / static_cast<double>(sample.items) * suite_unit_messages;
  };
  for (const bool cap_n : {false, true}) {
    if (cap_n ? !opts.suite_cap_n : !opts.suite_cap_1) continue;
    for (const shape& s : shapes) {
      if (spsc_only && (s.producers != 1 || s.consumers != 1)) continue;
      const int producers = s.producers;
      const int consumers = s.consumers;
      add(name_of(queue, s.scenario, producers, consumers, cap_n ? "N" : "1", "u64"),
          [cap_n, producers, consumers, per_unit](benchmark::State& state) {
            for (auto _ : state) {
              per_unit(state, run_sized(current_scale.suite_messages, current_scale.min_seconds, [&](std::size_t n) {
                         const std::size_t capacity = cap_n ? suite_capacity_n(n) : 1;
                         return run_throughput<Adapter<std::uint64_t>, std::uint64_t, Mode>(capacity, producers,
                                                                                            consumers, n)
                             .seconds;
                       }));
            }
          });
    }
    if (cap_n) {
      add(name_of(queue, "suite_seq", 1, 1, "N", "u64"), [per_unit](benchmark::State& state) {
        for (auto _ : state) {
          per_unit(state, run_sized(current_scale.suite_messages, current_scale.min_seconds,
                                    [](std::size_t n) { return run_seq<Adapter<std::uint64_t>, Mode>(n); }));
        }
      });
    }
  }
}

// U64Only: AtomicQueue keeps the value itself in an atomic, so a 144-byte job cannot even compile.
template <template <class> class Adapter, mode Mode, bool U64Only = false>
void add_queue(const std::string& queue, const options& opts) {
  add_suite<Adapter, Mode>(queue, opts);
  for (const std::size_t capacity : opts.capacities) {
    add_throughput<Adapter, std::uint64_t, Mode>(queue, capacity, opts);
    if constexpr (!U64Only) add_throughput<Adapter, job, Mode>(queue, capacity, opts);

    if (capacity == pingpong_capacity) {
      add(name_of(queue, "pingpong", 1, 1, capacity, "u64"), [capacity](benchmark::State& state) {
        for (auto _ : state) {
          const auto sample = run_sized(current_scale.round_trips, current_scale.min_seconds, [&](std::size_t n) {
            return run_pingpong<Adapter<std::uint64_t>, Mode>(capacity, n) * static_cast<double>(n);
          });
          record(state, sample);
          state.counters["ns_per_op"] = sample.seconds * 1e9 / static_cast<double>(sample.items);
        }
      });
      if constexpr (Mode == mode::blocking) {
        add(name_of(queue, "wakeup", 1, 1, capacity, "u64"), [](benchmark::State& state) {
          for (auto _ : state) {
            const double median = run_wakeup<Adapter<std::uint64_t>>(current_scale.wakeups);
            state.SetIterationTime(median);
            state.counters["ns_per_op"] = median * 1e9;
          }
        });
        add(name_of(queue, "idle_cpu", 1, 1, capacity, "u64"), [](benchmark::State& state) {
          for (auto _ : state) {
            const double burnt = run_idle_cpu<Adapter<std::uint64_t>>(current_scale.idle_seconds);
            state.SetIterationTime(burnt > 0 ? burnt : 1e-9);
            state.counters["cpu_ms_per_s"] = burnt * 1e3 / current_scale.idle_seconds;
          }
        });
      }
    }
    if (capacity == uncontended_capacity) {
      add(name_of(queue, "uncontended", 1, 1, capacity, "u64"), [capacity](benchmark::State& state) {
        for (auto _ : state) {
          const double per_pair =
              run_uncontended<Adapter<std::uint64_t>, Mode>(capacity, current_scale.uncontended_ops);
          state.SetIterationTime(per_pair);
          state.counters["ns_per_op"] = per_pair * 1e9;
        }
      });
    }
  }
}

void register_all() {
  // The suite runs where its capacities mean what they say: capacity 1 needs a queue that honours
  // it (the textbook rings need at least 2 cells, moodycamel holds a block pool, boost_queue's
  // fixed node pool stops at 65535, so no capacity N there).
  add_queue<chan_adapter, mode::try_ops>("chan_try", {.suite_cap_1 = true, .suite_cap_n = true});
  add_queue<chan_adapter, mode::blocking>("chan", {.suite_cap_1 = true, .suite_cap_n = true});
  add_queue<vyukov_queue, mode::try_ops>("vyukov", {.capacities = {4, 32, 1024}, .suite_cap_n = true});
  add_queue<libcds_adapter, mode::try_ops>("libcds", {.capacities = {4, 32, 1024}, .suite_cap_n = true});
  add_queue<moodycamel_adapter, mode::try_ops>("moodycamel_try", {.capacities = {32, 1024}});
  add_queue<moodycamel_blocking_adapter, mode::blocking>("moodycamel_blocking",
                                                         {.capacities = {32, 1024}, .suite_cap_n = true});
  add_queue<boost_queue_adapter, mode::try_ops>("boost_queue", {});
  add_queue<boost_spsc_adapter, mode::try_ops>("boost_spsc", {.spsc_only = true});
  add_queue<atomic_queue_fixed<4>::adapter, mode::try_ops, true>("atomic_queue", {.capacities = {4}});
  add_queue<atomic_queue_fixed<32>::adapter, mode::try_ops, true>("atomic_queue", {.capacities = {32}});
  add_queue<atomic_queue_fixed<1024>::adapter, mode::try_ops, true>("atomic_queue", {.capacities = {1024}});
  add_queue<atomic_queue2_fixed<4>::adapter, mode::try_ops>("atomic_queue2", {.capacities = {4}});
  add_queue<atomic_queue2_fixed<32>::adapter, mode::try_ops>("atomic_queue2", {.capacities = {32}});
  add_queue<atomic_queue2_fixed<1024>::adapter, mode::try_ops>("atomic_queue2", {.capacities = {1024}});
  add_queue<atomic_queue_b2_adapter, mode::try_ops>("atomic_queue_b2", {.capacities = {32, 1024}});
  add_queue<tbb_adapter, mode::try_ops>("tbb_try", {});
  add_queue<tbb_adapter, mode::blocking>("tbb_blocking", {.suite_cap_1 = true, .suite_cap_n = true});
  add_queue<mutex_deque_adapter, mode::try_ops>("mutex_try", {});
  add_queue<mutex_deque_adapter, mode::blocking>("mutex_blocking", {.suite_cap_1 = true, .suite_cap_n = true});
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  return bench::run_main(argc, argv, [] {
    bench::register_all();
    bench::select_rows::register_all();
  });
}

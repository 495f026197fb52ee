#pragma once

// The select rows of chan_bench (scenarios/select.hpp), named like the rest:
//   <queue>/select_rx/4x1/cap:<n>/u64       one consumer selecting over 4 channels, a producer each
//   <queue>/select_rx_dyn/4x1/cap:<n>/u64   select_rx through the run-time chan::selector
//   <queue>/select_both/4x4/cap:<n>/u64     4 threads selecting sends, 4 selecting receives, 4 channels
//   <queue>/select_rx_one/4x1/cap:<n>/u64   select_rx's traffic through one channel of the same
//                                           capacity (4 producers, one consumer, plain recv): the
//                                           yardstick of what selecting over 4 channels costs
// queue `chan` blocks (select / send / recv), `chan_try` tries and yields.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/chan.hpp"
#include "registration.hpp"
#include "scenarios/scale.hpp"
#include "scenarios/select.hpp"
#include "scenarios/throughput.hpp"

namespace bench::select_rows {

inline constexpr std::size_t capacities[] = {1, 4, 32, 1024};

template <class Run>
void add(const std::string& name, Run run) {
  bench::add(name, [run](benchmark::State& state) {
    for (auto _ : state) {
      const sized_sample sample = run_sized(current_scale.min_items, current_scale.min_seconds, run);
      record(state, sample);
      state.counters["items_per_second"] = static_cast<double>(sample.items) / sample.seconds;
    }
  });
}

template <mode Mode>
void add_queue(const std::string& queue) {
  for (const std::size_t cap : capacities) {
    const std::string tail = "/cap:" + std::to_string(cap) + "/u64";
    add(queue + "/select_rx/4x1" + tail, [cap](std::size_t n) { return run_select_rx<std::uint64_t, Mode>(cap, n); });
    add(queue + "/select_rx_dyn/4x1" + tail,
        [cap](std::size_t n) { return run_select_rx<std::uint64_t, Mode, true>(cap, n); });
    add(queue + "/select_both/4x4" + tail,
        [cap](std::size_t n) { return run_select_both<std::uint64_t, Mode>(cap, n); });
    add(queue + "/select_rx_one/4x1" + tail, [cap](std::size_t n) {
      return run_throughput<chan_adapter<std::uint64_t>, std::uint64_t, Mode>(cap, select_width, 1, n).seconds;
    });
  }
}

inline void register_all() {
  add_queue<mode::blocking>("chan");
  add_queue<mode::try_ops>("chan_try");
}

}  // namespace bench::select_rows

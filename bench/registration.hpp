#pragma once

// What every Google Benchmark program in bench/ (chan_bench, chan_bench_async) registers its rows
// with, and its main().

#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/scale.hpp"

namespace bench {

// One iteration per process: ci/bench runs every repetition as its own process, and each sample is
// sized by run_sized (scenarios/scale.hpp), so Google Benchmark's own iteration count stays out of it.
void add(const std::string& name, auto&& body) {
  benchmark::RegisterBenchmark(name.c_str(), std::forward<decltype(body)>(body))
      ->UseManualTime()
      ->Iterations(1)
      ->Unit(benchmark::kMicrosecond);
}

inline void record(benchmark::State& state, const sized_sample& sample) {
  state.SetIterationTime(sample.seconds);
  state.counters["items"] = static_cast<double>(sample.items);
  state.counters["sample_seconds"] = sample.seconds;
}

// main(): takes our own --scale=quick|default|full out of the arguments, registers the program's
// rows, and runs them.
template <class Register>
int run_main(int argc, char** argv, Register&& register_rows) {
  // --scale is ours, not Google Benchmark's: take it out before Initialize sees it.
  std::vector<char*> args;
  for (int i = 0; i != argc; ++i) {
    if (std::strcmp(argv[i], "--scale=quick") == 0) {
      current_scale = quick_scale;
    } else if (std::strcmp(argv[i], "--scale=full") == 0) {
      current_scale = full_scale;
    } else if (std::strcmp(argv[i], "--scale=default") == 0) {
      current_scale = default_scale;
    } else {
      args.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(args.size());
  register_rows();
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench

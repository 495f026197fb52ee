#pragma once

// The command line of every model executable (chan_models, chan_select_models, chan_async_models): run one model or all
// of them with the random scheduler, a context-bound search or the full search, and end with `chan_models: <test>:
// <VERDICT> (...)`, the line ci/mutate reads. Include after relacy_backend.hpp.

#ifdef CHAN_ORDER_RUN_TIME_HOOK
bool chan_orders_weakening_is_valid() noexcept;  // orders_at_run_time.cpp
#endif

namespace chan_models {

struct run_options {
  rl::iteration_t iterations = 200000;
  rl::scheduler_type_e scheduler = rl::random_scheduler_type;
  unsigned bound = 1;
};

template <class Test>
rl::test_result_e run(const run_options& options) {
  rl::test_params params;
  params.iteration_count = options.iterations;
  params.search_type = options.scheduler;
  params.context_bound = options.bound;
  params.execution_depth_limit = 50000;
  // Progress goes nowhere: an ostream without a buffer allocates nothing inside the simulation.
  static std::ostream quiet(nullptr);
  params.progress_stream = &quiet;
  // Parking behind a busy peer is modelled only in the models that ask for it (relacy_backend.hpp).
  if constexpr (requires { Test::park_behind_peer; }) {
    relacy_backend::park_behind_peer = Test::park_behind_peer;
  } else {
    relacy_backend::park_behind_peer = false;
  }
  params.output_stream = &std::cout;
  rl::simulate<Test>(params);
  return params.test_result;
}

struct model {
  const char* name;
  rl::test_result_e (*run)(const run_options&);
};

template <std::size_t Count>
int main(const model (&models)[Count], int argc, char** argv, const char* program) {
  run_options options;
  std::string selected;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--iterations" && i + 1 < argc) {
      options.iterations = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--bound" && i + 1 < argc) {
      options.scheduler = rl::fair_context_bound_scheduler_type;
      options.bound = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--full") {
      options.scheduler = rl::fair_full_search_scheduler_type;
    } else if (arg == "--list") {
      for (const model& m : models) std::cout << m.name << '\n';
      return 0;
    } else if (!arg.empty() && arg[0] != '-' ? selected.empty() : arg == "--all") {
      selected = arg;
    } else {
      selected.clear();
      break;
    }
  }
  if (selected.empty()) {
    std::cerr << "usage: " << program << " <test>|--all|--list [--iterations N] [--bound K] [--full]\n";
    return 2;
  }
#ifdef CHAN_ORDER_RUN_TIME_HOOK
  if (!chan_orders_weakening_is_valid()) return 2;
#endif
  // See relacy_backend::spin_yields: the searches need yields to end, the random scheduler does not.
  relacy_backend::spin_yields = options.scheduler != rl::random_scheduler_type;

  bool found = false;
  for (const model& m : models) {
    if (selected != "--all" && selected != m.name) continue;
    found = true;
    const auto start = std::chrono::steady_clock::now();
    const rl::test_result_e result = m.run(options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "chan_models: " << m.name << ": " << rl::test_result_str(result) << " (" << seconds << " s, "
              << rl::format(options.scheduler) << ")" << std::endl;
    if (result != rl::test_result_success) return 1;
  }
  if (!found) {
    std::cerr << program << ": no model named " << selected << "\n";
    return 2;
  }
  return 0;
}

}  // namespace chan_models

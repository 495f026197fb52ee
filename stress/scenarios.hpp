#pragma once

// The scenarios chan_stress runs: what each one is (make_plan gives a round its threads, capacity,
// modes and close point) and which round runs it (run_round). The rounds themselves are in
// channel_round.hpp, oneshot_round.hpp, select_round.hpp and async_round.hpp (the last two account
// through ledger.hpp), what they share in round.hpp; the driver (chan_stress.cpp)
// picks rounds, watches them and prints the verdict. A new scenario needs a name in scenario_names
// (round.hpp), a case in make_plan and, if it is not a channel round, a round file and a case in
// run_round.

#include <algorithm>
#include <string>

#include "channel_round.hpp"
#include "oneshot_round.hpp"
#include "round.hpp"
#include "select_round.hpp"
#include "support.hpp"
#if CHAN_STRESS_COROUTINES
#include "async_round.hpp"
#endif

namespace stress {
namespace {

template <class Payload>
void run_round(const round_plan& plan, round_result& result) {
  if (plan.scenario == "oneshot_storm") {
    run_oneshot_round<Payload>(plan, result);
  } else if (plan.scenario.rfind("select_", 0) == 0) {
    run_select_round<Payload>(plan, result);
#if CHAN_STRESS_COROUTINES
  } else if (plan.scenario.rfind("async_", 0) == 0) {
    run_async_round<Payload>(plan, result);
#endif
  } else {
    run_channel_round<Payload>(plan, result);
  }
}

round_plan make_plan(const options& opts, random_source& planner, double remaining) {
  round_plan plan;
  plan.seed = planner.next();
  plan.scenario = opts.scenario == "rotation" ? scenario_names[planner.below(scenario_names.size())] : opts.scenario;
  plan.seconds = std::min(remaining, 0.05 + 0.35 * planner.unit());
  plan.capacity = capacities[planner.below(std::size(capacities))];
  plan.op_mode = static_cast<mode>(planner.below(4));
  plan.payload = static_cast<payload_kind>(planner.below(3));
  const bool close_early = planner.one_in(3);
  const double close_fraction = 0.05 + 0.9 * planner.unit();
  plan.slow_producers = planner.one_in(4);
  plan.slow_consumers = planner.one_in(4);
  const unsigned storm_threads = 1 + static_cast<unsigned>(planner.below(8));

  const std::string& s = plan.scenario;
  if (s.rfind("mpmc_", 0) == 0) {
    plan.producers = plan.consumers = static_cast<unsigned>(std::stoul(s.substr(5)));
    if (close_early) plan.close_at = close_fraction;
  } else if (s == "close_race") {
    plan.producers = 1 + static_cast<unsigned>(planner.below(8));
    plan.consumers = 1 + static_cast<unsigned>(planner.below(8));
    plan.op_mode = planner.one_in(2) ? mode::blocking : mode::mixed;
    plan.close_at = close_fraction;
  } else if (s == "timeout_race") {
    plan.producers = 1 + static_cast<unsigned>(planner.below(6));
    plan.consumers = 1 + static_cast<unsigned>(planner.below(6));
    plan.capacity = capacities[planner.below(3)];
    plan.op_mode = mode::timed;
    plan.max_timeout_us = static_cast<unsigned>(planner.below(30));
  } else if (s == "destroy_with_items") {
    plan.producers = 1 + static_cast<unsigned>(planner.below(6));
    plan.consumers = 1 + static_cast<unsigned>(planner.below(6));
    // Consumers quit early, so a blocked send could wait forever: only sends that give up.
    plan.op_mode = planner.one_in(2) ? mode::try_ops : mode::timed;
    plan.keep_items = true;
  } else if (s == "select_mix" || s == "select_close") {
    // 2-8 channels; select_close closes some of them mid-run in every round, select_mix in a third.
    plan.channels = 2 + static_cast<unsigned>(planner.below(7));
    plan.producers = 1 + static_cast<unsigned>(planner.below(6));
    plan.consumers = 1 + static_cast<unsigned>(planner.below(6));
    plan.max_timeout_us = static_cast<unsigned>(planner.below(50));
    if (close_early || s == "select_close") plan.close_at = close_fraction;
  } else if (s == "async_mix" || s == "async_cancel") {
    // More coroutines than pool threads; async_cancel ends every round by cancelling the producers.
    plan.channels = 1 + static_cast<unsigned>(planner.below(4));
    plan.pool_threads = 2 + static_cast<unsigned>(planner.below(3));
    plan.producers = plan.pool_threads + static_cast<unsigned>(planner.below(24));
    plan.consumers = plan.pool_threads + static_cast<unsigned>(planner.below(24));
    plan.max_timeout_us = 20 + static_cast<unsigned>(planner.below(200));
    plan.stop_then_close = s == "async_cancel";
    if (close_early) plan.close_at = close_fraction;
  } else {  // oneshot_storm
    plan.producers = storm_threads;
    plan.consumers = 2 + static_cast<unsigned>(planner.below(6));
    plan.max_timeout_us = 500;
  }
  if (opts.producers) plan.producers = *opts.producers;
  if (opts.consumers) plan.consumers = *opts.consumers;
  if (opts.capacity) plan.capacity = *opts.capacity;
  if (opts.op_mode && !plan.keep_items) plan.op_mode = *opts.op_mode;
  if (opts.payload) plan.payload = *opts.payload;
  if (opts.close_at) plan.close_at = *opts.close_at;
  return plan;
}

}  // namespace
}  // namespace stress

#pragma once

#include <cstddef>

namespace bench {

// Sizes of one run; `--scale=quick|default|full` on the command line picks a row.
struct scale {
  std::size_t items_u64;
  std::size_t items_job;
  long iterations;
  std::size_t round_trips;
  std::size_t wakeups;
  double idle_seconds;
  std::size_t uncontended_ops;
};

inline constexpr scale quick_scale{20'000, 10'000, 2, 2'000, 10, 1.0, 200'000};
inline constexpr scale default_scale{100'000, 50'000, 3, 10'000, 20, 1.0, 1'000'000};
inline constexpr scale full_scale{400'000, 200'000, 5, 40'000, 50, 1.0, 5'000'000};

inline scale current_scale = default_scale;

}  // namespace bench

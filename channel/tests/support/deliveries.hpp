#pragma once

// What the concurrent tests check of their consumers' logs, and how they wait for their threads
// without asserting on a time.

#include <chrono>
#include <cstddef>
#include <thread>
#include <utility>
#include <vector>

namespace chan_test {

// Waits (with a generous deadline, never asserted on) until `done` holds.
template <class Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// The logs of several consumers, each a list of (producer, index) as that consumer received them,
// from `producers` producers that sent indices 0..per_producer-1 each.
struct deliveries {
  bool in_order = true;      // each consumer saw each producer's indices increasing
  std::size_t total = 0;     // entries in all logs
  bool exactly_once = true;  // every (producer, index) appears once over all logs
};

inline deliveries check_deliveries(const std::vector<std::vector<std::pair<int, int>>>& seen, int producers,
                                   int per_producer) {
  deliveries found;
  std::vector<std::vector<int>> counts(producers, std::vector<int>(per_producer, 0));
  for (const auto& one : seen) {
    std::vector<int> last(producers, -1);
    for (const auto& [p, i] : one) {
      if (i <= last[p]) found.in_order = false;
      last[p] = i;
      ++counts[p][i];
      ++found.total;
    }
  }
  for (const auto& per : counts)
    for (int n : per) found.exactly_once = found.exactly_once && n == 1;
  return found;
}

}  // namespace chan_test

// The machine's core-to-core hand-off time: two threads pass a counter back and forth through one
// atomic, and the program prints the median time of one round trip over a few batches, in ns.
//
// chanbench.py runs it before every sample. On this project's 2-vCPU machines the figure is not a
// constant: it has switched between about 120 ns and 460-520 ns from one minute to the next, and
// capacity-1 (1x1) hand-offs of chan and crossbeam alike ran at 3.7-4.3 M items/s at the first and
// 0.9 M at the second. Every hand-off between two threads pays it, in any library; recording it beside
// each sample lets the report say which samples ran on the slower machine. On a loaded machine the
// figure also counts the wait for a core, which small channels pay too.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

constexpr int round_trips_per_batch = 4000;
constexpr int batches = 5;

// Odd values are the first thread's turn to answer, even values the second's.
double batch_ns(std::atomic<unsigned>& turn, unsigned& next) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < round_trips_per_batch; ++i) {
    turn.store(next + 1, std::memory_order_release);
    while (turn.load(std::memory_order_acquire) != next + 2) {
    }
    next += 2;
  }
  const std::chrono::duration<double, std::nano> spent = std::chrono::steady_clock::now() - start;
  return spent.count() / round_trips_per_batch;
}

}  // namespace

int main() {
  std::atomic<unsigned> turn{0};
  const unsigned last = 2u * round_trips_per_batch * batches;
  std::thread echo([&] {
    for (unsigned seen = 1; seen < last; seen += 2) {
      while (turn.load(std::memory_order_acquire) != seen) {
      }
      turn.store(seen + 1, std::memory_order_release);
    }
  });
  unsigned next = 0;
  std::vector<double> times;
  for (int b = 0; b < batches; ++b) times.push_back(batch_ns(turn, next));
  echo.join();
  std::nth_element(times.begin(), times.begin() + batches / 2, times.end());
  std::printf("%.1f\n", times[batches / 2]);
  return 0;
}

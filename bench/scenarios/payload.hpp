#pragma once

// The two payloads every throughput row is run with, and the tally that lets each run prove it
// delivered every item exactly once: a count, a plain sum and a sum of mixed ids (a lost item and a
// duplicated one cannot cancel out in both sums at once).

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace bench {

struct job {
  std::uint64_t id = 0;
  std::array<std::uint64_t, 17> body{};  // 144 bytes in all: a job descriptor, not a pointer
};
static_assert(sizeof(job) == 144);

inline std::uint64_t make_item(std::uint64_t id, std::uint64_t*) { return id; }
inline job make_item(std::uint64_t id, job*) {
  job j;
  j.id = id;
  for (std::size_t k = 0; k != j.body.size(); ++k) j.body[k] = id + k;
  return j;
}
template <class T>
T make(std::uint64_t id) {
  return make_item(id, static_cast<T*>(nullptr));
}

inline std::uint64_t id_of(std::uint64_t item) { return item; }
// A torn copy (half of one job, half of another) shows up as a body that does not match the id.
inline std::uint64_t id_of(const job& j) {
  for (std::size_t k = 0; k != j.body.size(); ++k) {
    if (j.body[k] != j.id + k) {
      std::fprintf(stderr, "bench: torn job %llu\n", static_cast<unsigned long long>(j.id));
      std::abort();
    }
  }
  return j.id;
}

inline const char* payload_name(std::uint64_t*) { return "u64"; }
inline const char* payload_name(job*) { return "job144"; }

struct tally {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t mixed = 0;

  void add(std::uint64_t id) {
    ++count;
    sum += id;
    std::uint64_t z = id + 0x9e3779b97f4a7c15ULL;  // splitmix64 finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    mixed += z ^ (z >> 31);
  }
  void merge(const tally& other) {
    count += other.count;
    sum += other.sum;
    mixed += other.mixed;
  }
  bool operator==(const tally&) const = default;
};

inline void require_same(const tally& sent, const tally& received, const char* what) {
  if (sent == received) return;
  std::fprintf(stderr, "bench: %s lost or duplicated items: sent %llu (sum %llx), received %llu (sum %llx)\n", what,
               static_cast<unsigned long long>(sent.count), static_cast<unsigned long long>(sent.sum),
               static_cast<unsigned long long>(received.count), static_cast<unsigned long long>(received.sum));
  std::abort();
}

// The end of a many-to-many run: the producers' tallies together sent `items`, and the consumers'
// tallies together received exactly what was sent. `producers_what` names the first check.
inline void require_delivered(const std::vector<tally>& sent, const std::vector<tally>& received, std::size_t items,
                              const char* producers_what, const char* what) {
  tally all_sent;
  tally all_received;
  for (const auto& t : sent) all_sent.merge(t);
  for (const auto& t : received) all_received.merge(t);
  if (all_sent.count != items) require_same(tally{items, 0, 0}, all_sent, producers_what);
  require_same(all_sent, all_received, what);
}

}  // namespace bench

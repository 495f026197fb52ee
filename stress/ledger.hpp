#pragma once

// The accounting of rounds over several channels (select_round.hpp, async_round.hpp): what each
// producer's sends reported against what every receiver logged, with each log entry tagged by the
// channel it came from, so per-producer order is checked per channel (the only order a producer's
// items keep once they are spread over several channels), and the close notes a receive that
// returns `closed` must see, one per channel.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "round.hpp"

namespace stress {
namespace {

// channel << 48 | producer << 32 | sequence: round.hpp's inject() treats entries with the same bits
// above 32 as one stream, which here is one producer on one channel.
constexpr unsigned channel_shift = 48;
constexpr std::uint64_t producer_mask = 0xffffULL;
// An id no producer makes: an output slot holds it until an arm assigns a real item.
constexpr std::uint64_t sentinel_id = producer_mask << 32;

inline std::uint64_t tagged(std::uint64_t id, std::size_t channel) {
  return id | static_cast<std::uint64_t>(channel) << channel_shift;
}

struct receiver_log {
  std::vector<std::uint64_t> ids;  // tagged
  std::uint64_t ops = 0, corrupt = 0, untouched_violations = 0;
};

// Per-channel notes: the closer writes channel i's note (a plain write) just before its first
// close(); a receive on channel i that returns `closed` must read it (close happens-before it).
class close_notes {
public:
  close_notes(std::size_t channels, std::uint64_t seed) : notes_(channels, 0), closed_(channels, 0), seed_(seed | 1) {}
  // Only the closing thread calls this, for every close of channel i.
  template <class Channel>
  void close(Channel& channel, std::size_t i) {
    if (!closed_[i]) notes_[i] = seed_ + i;
    closed_[i] = 1;
    channel.close();
  }
  void check(std::size_t i) {
    if (notes_[i] != seed_ + i) missed_.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t missed() const { return missed_.load(); }

private:
  std::vector<std::uint64_t> notes_;
  std::vector<std::uint8_t> closed_;
  std::uint64_t seed_;
  std::atomic<std::uint64_t> missed_{0};
};

// sent_on[p][s]: the channel on which producer p's send of sequence s returned ok (its sequences
// are 0..sent_on[p].size()-1). Every such item must be in exactly one log (the receivers', and the
// drain of what the channels still held at the end), logged as coming from that channel.
inline void merge_ledger(const std::vector<std::vector<std::uint8_t>>& sent_on, std::vector<receiver_log>& logs,
                         fault injected, round_result& result) {
  inject(injected, logs);
  std::vector<std::vector<std::uint8_t>> seen(sent_on.size());
  for (std::size_t p = 0; p < sent_on.size(); ++p) seen[p].assign(sent_on[p].size(), 0);
  std::uint64_t phantom = 0, duplicated = 0, reordered = 0, corrupt = 0, untouched = 0, unseen = 0, elsewhere = 0;
  for (const receiver_log& log : logs) {
    result.ops += log.ops;
    corrupt += log.corrupt;
    untouched += log.untouched_violations;
    // One receiver claims positions of each channel in increasing order, so it sees the items one
    // producer sent on one channel in the order they were sent.
    std::unordered_map<std::uint64_t, std::int64_t> last;
    for (const std::uint64_t entry : log.ids) {
      const std::uint64_t seq = entry & seq_mask;
      const std::uint64_t producer = entry >> 32 & producer_mask;
      const auto [previous, first] = last.try_emplace(entry >> 32, -1);
      if (static_cast<std::int64_t>(seq) <= previous->second) ++reordered;
      previous->second = static_cast<std::int64_t>(seq);
      if (producer >= seen.size() || seq >= seen[producer].size()) {
        ++phantom;
      } else {
        if (seen[producer][seq]++ != 0) ++duplicated;
        if (entry >> channel_shift != sent_on[producer][seq]) ++elsewhere;
      }
    }
  }
  for (const auto& of_producer : seen)
    unseen += static_cast<std::uint64_t>(std::count(of_producer.begin(), of_producer.end(), 0));
  result.violation(result.lost, unseen, "items whose send returned ok were neither received nor left in a channel");
  result.violation(result.duplicated, duplicated, "items received more than once");
  result.violation(result.reordered, reordered, "items one producer sent on one channel received out of order");
  result.violation(result.other, phantom, "items received whose send never returned ok");
  result.violation(result.other, corrupt, "items received damaged (payload disagrees with its id)");
  result.violation(result.other, elsewhere, "items received from another channel than the one their send went to");
  result.violation(result.other, untouched,
                   "an output of an arm that did not fire, a failed or a cancelled receive was assigned");
}

}  // namespace
}  // namespace stress

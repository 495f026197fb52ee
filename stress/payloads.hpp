#pragma once

// The three item types the stress driver sends. Each one carries an id (producer << 32 | sequence)
// and can tell whether what arrived is intact, so a torn or half-moved item is a violation, not a
// silent pass.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace stress {

inline std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct u64_payload {
  using type = std::uint64_t;
  static constexpr const char* name = "u64";
  static type make(std::uint64_t id) noexcept { return id; }
  static bool read(const type& item, std::uint64_t& id) noexcept {
    id = item;
    return true;
  }
};

// A 144-byte job record, big enough that a receiver reading a slot before the producer finished
// writing it sees a payload that disagrees with the id.
struct job {
  std::uint64_t id;
  std::uint32_t type;
  std::uint32_t reserved;
  std::array<std::byte, 128> payload;
};
static_assert(sizeof(job) == 144);

struct job_payload {
  using type = job;
  static constexpr const char* name = "job";
  static type make(std::uint64_t id) noexcept {
    job made{id, static_cast<std::uint32_t>(id % 7), 0, {}};
    for (std::size_t i = 0; i < made.payload.size(); ++i) made.payload[i] = byte_at(id, i);
    return made;
  }
  static bool read(const type& item, std::uint64_t& id) noexcept {
    id = item.id;
    if (item.type != id % 7) return false;
    for (std::size_t i = 0; i < item.payload.size(); ++i) {
      if (item.payload[i] != byte_at(id, i)) return false;
    }
    return true;
  }
  static std::byte byte_at(std::uint64_t id, std::size_t i) noexcept {
    return static_cast<std::byte>(mix(id + i / 8) >> (8 * (i % 8)));
  }
};

// Live owning items, so a leak or a double destroy shows up as an imbalance (and ASan sees the heap
// side of it: a double delete or an unreleased string).
inline std::atomic<long> live_owning{0};

struct counting_delete {
  void operator()(std::string* text) const noexcept {
    live_owning.fetch_sub(1, std::memory_order_relaxed);
    delete text;
  }
};

struct owning_payload {
  using type = std::unique_ptr<std::string, counting_delete>;
  static constexpr const char* name = "owning";
  static type make(std::uint64_t id) {
    live_owning.fetch_add(1, std::memory_order_relaxed);
    // Longer than any small-string buffer, so the text always lives on the heap.
    return type(new std::string("item-" + std::to_string(id) + "-padding-past-sso-" + std::to_string(mix(id))));
  }
  static bool read(const type& item, std::uint64_t& id) noexcept {
    if (!item) return false;
    const std::string& text = *item;
    if (text.rfind("item-", 0) != 0) return false;
    id = 0;
    std::size_t i = 5;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
      id = id * 10 + static_cast<unsigned>(text[i] - '0');
    return text.compare(i, std::string::npos, "-padding-past-sso-" + std::to_string(mix(id))) == 0;
  }
};

}  // namespace stress

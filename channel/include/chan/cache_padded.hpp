#pragma once

#include <cstddef>

namespace chan::detail {

// 128 rather than 64: on x86-64 the spatial prefetcher pulls cache lines in pairs, so two hot
// words 64 bytes apart still ping-pong between cores (crossbeam and folly pad to 128 for this).
inline constexpr std::size_t false_sharing_range = 128;

template <class T>
struct alignas(false_sharing_range) cache_padded {
  T value;
};

}  // namespace chan::detail

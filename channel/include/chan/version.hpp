#pragma once

// chan's version (semantic versioning; CHANGELOG.md says what each version changed), and the check
// that stops a build below C++20 with a message that says so instead of an error from deep inside
// the ring. The public headers include this first.
// CMakeLists.txt reads the three numbers below, so this file is the only place the version is written.

#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "chan needs C++20: compile with -std=c++20 (or later)."
#endif

#define CHAN_VERSION_MAJOR 0
#define CHAN_VERSION_MINOR 2
#define CHAN_VERSION_PATCH 0

// MAJOR * 10000 + MINOR * 100 + PATCH, for a single comparison in #if.
#define CHAN_VERSION (CHAN_VERSION_MAJOR * 10000 + CHAN_VERSION_MINOR * 100 + CHAN_VERSION_PATCH)

#pragma once

// Counting sanitizer reports, so that chan_stress's verdict states a number it measured instead of
// assuming that halt_on_error ended the process at the first report (issue 12, defect 14).
//
// - The sanitizer's options default to what ctest and ci/stress set (first report ends the run with
//   a non-zero exit; the suppressions file), so a run by hand behaves the same. TSAN_OPTIONS,
//   ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS still override them, one option at a time.
// - ThreadSanitizer calls __tsan_on_report for every report it prints, ASan calls the error report
//   callback, and a leak check before the verdict counts LeakSanitizer's findings, so a run told to
//   go on after a report (halt_on_error=0) prints how many there were and exits non-zero.
// - UBSan is built with -fno-sanitize-recover=undefined (root CMakeLists.txt): every report ends the
//   process, so none can precede the verdict. __ubsan_on_report counts one anyway if a build recovers.
// - Without a sanitizer nothing is measured, and the verdict says so.

#include <atomic>
#include <cstdlib>
#include <thread>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CHAN_STRESS_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define CHAN_STRESS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CHAN_STRESS_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CHAN_STRESS_ASAN 1
#endif

#if defined(CHAN_STRESS_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#endif

#ifndef CHAN_STRESS_SUPPRESSIONS
#define CHAN_STRESS_SUPPRESSIONS ""
#endif

namespace stress {

inline std::atomic<unsigned long> sanitizer_report_count{0};

}  // namespace stress

// The runtimes look these up by name; they must have C linkage and default visibility.
extern "C" {
#if defined(CHAN_STRESS_TSAN)
const char* __tsan_default_options() {
  return "halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=" CHAN_STRESS_SUPPRESSIONS;
}
void __tsan_on_report(void*) { stress::sanitizer_report_count.fetch_add(1); }
#endif
#if defined(CHAN_STRESS_ASAN)
const char* __asan_default_options() {
  return "halt_on_error=1:detect_leaks=1:abort_on_error=0:suppressions=" CHAN_STRESS_SUPPRESSIONS;
}
const char* __lsan_default_options() { return "suppressions=" CHAN_STRESS_SUPPRESSIONS; }
const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" CHAN_STRESS_SUPPRESSIONS;
}
void __ubsan_on_report() { stress::sanitizer_report_count.fetch_add(1); }
#endif
}

namespace stress {

inline constexpr bool sanitizer_reports_measured =
#if defined(CHAN_STRESS_TSAN) || defined(CHAN_STRESS_ASAN)
    true;
#else
    false;
#endif

// Call once, before any thread starts.
inline void count_sanitizer_reports() {
#if defined(CHAN_STRESS_ASAN)
  __asan_set_error_report_callback([](const char*) { sanitizer_report_count.fetch_add(1); });
#endif
}

// The reports so far, a leak check included (LeakSanitizer would otherwise speak only at exit,
// after the verdict). Call once all threads are joined.
inline unsigned long sanitizer_reports_so_far() {
#if defined(CHAN_STRESS_ASAN)
  if (__lsan_do_recoverable_leak_check() != 0) sanitizer_report_count.fetch_add(1);
#endif
  return sanitizer_report_count.load();
}

// Under ThreadSanitizer, two threads write one plain int with nothing ordering them: a data race
// it must report. Under AddressSanitizer, an allocation nothing frees: a leak the check above must
// find. For the test that the verdict counts what it is told to (--plant-sanitizer-report).
inline int planted_race_target = 0;
inline void plant_sanitizer_report() {
#if defined(CHAN_STRESS_TSAN)
  std::thread first([] { planted_race_target = 1; });
  std::thread second([] { planted_race_target = 2; });
  first.join();
  second.join();
#elif defined(CHAN_STRESS_ASAN)
  // On a thread of its own, so that no stale copy of the pointer stays on a live stack.
  std::thread([] {
    char* volatile leaked = static_cast<char*>(std::malloc(64));
    leaked[0] = 1;
  }).join();
#endif
}

}  // namespace stress

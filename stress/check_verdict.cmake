# The test stress.verdict_counts_sanitizer_reports (issue 12, defect 14): chan_stress plants one
# sanitizer report (a data race under TSan, a leak under ASan) and must not give a false all-clear.
#   cmake -DPROGRAM=<chan_stress> -DSANITIZER=thread|address -P check_verdict.cmake
if(SANITIZER STREQUAL "thread")
  set(go_on "TSAN_OPTIONS=halt_on_error=0:exitcode=66")
else()
  set(go_on "ASAN_OPTIONS=halt_on_error=0:detect_leaks=1")
endif()
set(run ${PROGRAM} --plant-sanitizer-report --scenario mpmc_2x2 --seconds 1 --seed 1)

# 1. Told to go on after a report: the verdict line must count it, and the exit must say failure.
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=TSAN_OPTIONS --unset=ASAN_OPTIONS --unset=LSAN_OPTIONS
                        ${go_on} ${run}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "stress: [^\n]* ([0-9]+) sanitizer reports?\n" verdict "${out}")
if(NOT verdict)
  message(FATAL_ERROR "with ${go_on}, chan_stress printed no verdict with a count (exit ${rc}):\n${out}\n${err}")
endif()
if(CMAKE_MATCH_1 EQUAL 0 OR rc EQUAL 0)
  message(FATAL_ERROR "with ${go_on} and a planted report, chan_stress said '${verdict}' and exited ${rc}:\n${out}\n${err}")
endif()
message(STATUS "go on after a report: exit ${rc}, ${verdict}")

# 2. chan_stress's own defaults (no options in the environment): the run fails, and says no all-clear.
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=TSAN_OPTIONS --unset=ASAN_OPTIONS --unset=LSAN_OPTIONS ${run}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR out MATCHES " 0 sanitizer reports")
  message(FATAL_ERROR "with chan_stress's default options and a planted report, exit ${rc}:\n${out}\n${err}")
endif()
message(STATUS "default options: exit ${rc}")

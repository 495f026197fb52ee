# Compiles SOURCE twice with -std=c++20: as it is it must fail with MESSAGE (a static_assert of
# chan's), and with -DCHAN_CHECK_ACCEPTED (the same code minus the refused call) it must compile,
# so that the refusal cannot come from some other error.
#   cmake -DCXX=... -DINCLUDE_DIR=... -DSOURCE=... -DMESSAGE=... -P check_refused.cmake
cmake_minimum_required(VERSION 3.25)
foreach(var CXX INCLUDE_DIR SOURCE MESSAGE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_refused.cmake: ${var} is not set")
  endif()
endforeach()

execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -DCHAN_CHECK_ACCEPTED -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} with CHAN_CHECK_ACCEPTED does not compile:\n${out}")
endif()
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled; chan must refuse it")
endif()
string(FIND "${out}" "${MESSAGE}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE} was refused, but without \"${MESSAGE}\":\n${out}")
endif()
message(STATUS "${SOURCE}: refused with \"${MESSAGE}\"")

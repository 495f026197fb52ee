# Compiles main.cpp with -fno-exceptions (warnings are errors) and runs it: `use` must exit 0, and
# `zero` and `huge` must end abnormally with chan's message on stderr, never exit 0.
#   cmake -DCXX=<compiler> -DINCLUDE_DIR=<channel/include> -DSOURCE=<main.cpp> -DWORK_DIR=<dir> -P check.cmake
file(MAKE_DIRECTORY ${WORK_DIR})
set(program ${WORK_DIR}/no_exceptions_program)
execute_process(
  COMMAND ${CXX} -std=c++20 -fno-exceptions -Wall -Wextra -Wpedantic -Werror -I${INCLUDE_DIR} ${SOURCE}
          -o ${program} -pthread
  RESULT_VARIABLE built ERROR_VARIABLE build_errors OUTPUT_VARIABLE build_output)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "chan does not build with -fno-exceptions:\n${build_output}${build_errors}")
endif()

execute_process(COMMAND ${program} use RESULT_VARIABLE used ERROR_VARIABLE use_errors)
if(NOT used EQUAL 0)
  message(FATAL_ERROR "the -fno-exceptions program's calls went wrong (exit ${used}):\n${use_errors}")
endif()

foreach(mode_and_message "zero;capacity must be at least 1" "huge;capacity too large for the storage it needs")
  list(GET mode_and_message 0 mode)
  list(GET mode_and_message 1 expected)
  execute_process(COMMAND ${program} ${mode} RESULT_VARIABLE died OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(died EQUAL 0)
    message(FATAL_ERROR "capacity '${mode}' without exceptions exited 0 instead of terminating:\n${out}${err}")
  endif()
  string(FIND "${err}" "${expected}" where)
  if(where EQUAL -1)
    message(FATAL_ERROR "capacity '${mode}' without exceptions ended (${died}) without the message '${expected}' "
                        "on stderr; stderr was:\n${err}")
  endif()
  message(STATUS "capacity '${mode}': terminated (${died}) with: ${err}")
endforeach()

# Compiles a one-line file per chan header with -std=c++17 (must fail with chan's own message), and
# all of them once with -std=c++20 (must succeed, so the refusal cannot come from another error).
#   cmake -DCXX=... -DINCLUDE_DIR=... -DWORK_DIR=... -P check_cxx17.cmake
cmake_minimum_required(VERSION 3.25)
foreach(var CXX INCLUDE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_cxx17.cmake: ${var} is not set")
  endif()
endforeach()
file(MAKE_DIRECTORY ${WORK_DIR})
set(message "chan needs C++20")

# Headers that reach chan/version.hpp. In `first`, chan's message must be the first error the
# compiler prints (each includes it first); in `anywhere` it only has to be there.
set(first version.hpp status.hpp channel.hpp oneshot.hpp conqueue.hpp range.hpp)
set(anywhere recv_result.hpp)

# The control: all of them together compile as C++20.
set(all "")
foreach(header IN LISTS first anywhere)
  string(APPEND all "#include <chan/${header}>\n")
endforeach()
file(WRITE ${WORK_DIR}/all.cpp "${all}int main() { return 0; }\n")
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE_DIR} ${WORK_DIR}/all.cpp
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the chan headers do not compile with -std=c++20:\n${out}")
endif()

foreach(header IN LISTS first anywhere)
  string(MAKE_C_IDENTIFIER ${header} stem)
  set(source ${WORK_DIR}/${stem}.cpp)
  file(WRITE ${source} "#include <chan/${header}>\nint main() { return 0; }\n")
  execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -I${INCLUDE_DIR} ${source}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc EQUAL 0)
    message(FATAL_ERROR "chan/${header} compiled with -std=c++17; it must refuse to")
  endif()
  string(FIND "${out}" "${message}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "chan/${header} with -std=c++17 did not say \"${message}\":\n${out}")
  endif()
  if(header IN_LIST first)
    string(FIND "${out}" "error" first_error)
    string(SUBSTRING "${out}" ${first_error} -1 from_first_error)
    string(FIND "${from_first_error}" "\n" line_end)
    string(SUBSTRING "${from_first_error}" 0 ${line_end} first_error_line)
    string(FIND "${first_error_line}" "${message}" in_first)
    if(in_first EQUAL -1)
      message(FATAL_ERROR "chan/${header} with -std=c++17: the first error is not chan's message:\n${out}")
    endif()
  endif()
  message(STATUS "chan/${header}: -std=c++17 refused with \"${message}\"")
endforeach()

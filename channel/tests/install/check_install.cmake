# Checks what a user gets from a fresh checkout: a plain configure without Catch2 and RapidCheck
# skips the tests instead of failing; then chan is installed into a fresh prefix, and
#  - find_package(chan 0.2 CONFIG REQUIRED) finds it, and the consumer project builds and runs;
#  - find_package(chan 1.0 ...) refuses it (chanConfigVersion.cmake, SameMajorVersion);
#  - `pkg-config --cflags chan` points at the installed headers, and the consumer builds with those
#    flags alone, without CMake;
#  - a parent project that add_subdirectory()s chan installs none of chan's files (CHAN_INSTALL).
# Run with:
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -DCXX=... -P check_install.cmake
cmake_minimum_required(VERSION 3.25)
foreach(var SOURCE_DIR WORK_DIR CXX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_install.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# A plain configure (tests on by default) on a machine without the test frameworks succeeds and
# says that the tests are skipped; without RapidCheck alone, only the property tests are.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/no-frameworks -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON -DCMAKE_DISABLE_FIND_PACKAGE_rapidcheck=ON)
if(NOT run_output MATCHES "Catch2 2 not found: unit and property tests skipped")
  message(FATAL_ERROR "a configure without Catch2 and RapidCheck did not say the tests are skipped:\n${run_output}")
endif()

run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/no-rapidcheck -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_DISABLE_FIND_PACKAGE_rapidcheck=ON)
if(NOT run_output MATCHES "RapidCheck not found: property tests skipped")
  message(FATAL_ERROR "a configure without RapidCheck did not say the property tests are skipped:\n${run_output}")
endif()

# The three-line install of the README.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/chan-build -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_INSTALL_PREFIX=${prefix} -DCHAN_BUILD_TESTS=OFF -DCHAN_BUILD_EXAMPLES=OFF)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/chan-build)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/chan-build)
foreach(file include/chan/channel.hpp include/chan/conqueue.hpp include/chan/version.hpp share/pkgconfig/chan.pc)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "${file} was not installed under ${prefix}")
  endif()
endforeach()

# find_package with a version.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/channel/tests/install/consumer -B ${WORK_DIR}/consumer-build
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} -DCHAN_WANTED_VERSION=0.2)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run(${WORK_DIR}/consumer-build/consumer)

# Another major version must be refused.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/channel/tests/install/consumer -B ${WORK_DIR}/consumer-1.0
                        -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} -DCHAN_WANTED_VERSION=1.0
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "not compatible|version")
  message(FATAL_ERROR "find_package(chan 1.0) accepted the installed 0.x package (rc ${rc}):\n${out}")
endif()

# pkg-config, and a build with its flags alone.
find_program(PKG_CONFIG NAMES pkg-config pkgconf REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
run(${PKG_CONFIG} --cflags chan)
string(STRIP "${run_output}" cflags)
if(NOT cflags MATCHES "-I[^ ]*/include")
  message(FATAL_ERROR "pkg-config --cflags chan gave '${cflags}', no include directory")
endif()
string(REGEX REPLACE ".*-I([^ ]*).*" "\\1" pc_include "${cflags}")
file(REAL_PATH ${pc_include} pc_include)
file(REAL_PATH ${prefix}/include installed_include)
if(NOT pc_include STREQUAL installed_include)
  message(FATAL_ERROR "pkg-config --cflags chan points at ${pc_include}, not ${installed_include}")
endif()
run(${PKG_CONFIG} --modversion chan)
string(STRIP "${run_output}" pc_version)
run(${PKG_CONFIG} --libs chan)
string(STRIP "${run_output}" libs)
separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(libs UNIX_COMMAND "${libs}")
run(${CXX} -std=c++20 ${cflags} ${SOURCE_DIR}/channel/tests/install/consumer/main.cpp -o ${WORK_DIR}/pc-consumer ${libs})
run(${WORK_DIR}/pc-consumer)

# As a subproject: builds against chan, installs only the parent's own files.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/channel/tests/install/parent -B ${WORK_DIR}/parent-build
    -DCMAKE_CXX_COMPILER=${CXX} -DCHAN_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/parent-prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/parent-build)
run(${WORK_DIR}/parent-build/parent)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/parent-build)
file(GLOB_RECURSE parent_installed RELATIVE ${WORK_DIR}/parent-prefix ${WORK_DIR}/parent-prefix/*)
if(NOT parent_installed STREQUAL "bin/parent")
  message(FATAL_ERROR "the parent's install holds more than its own program: ${parent_installed}")
endif()

message(STATUS "installed chan ${pc_version}: found by find_package(chan 0.2), refused for 1.0, "
               "built with pkg-config's flags, and installed nothing as a subproject")

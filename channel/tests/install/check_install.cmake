# Installs chan into a fresh prefix, then configures, builds and runs a consumer project that finds it
# with find_package(chan CONFIG REQUIRED). Run with:
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -DCXX=... -P check_install.cmake
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
endfunction()

run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/chan-build -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_INSTALL_PREFIX=${prefix} -DCHAN_BUILD_TESTS=OFF -DCHAN_BUILD_EXAMPLES=OFF)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/chan-build)
if(NOT EXISTS ${prefix}/include/chan/channel.hpp)
  message(FATAL_ERROR "headers were not installed under ${prefix}/include/chan")
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/channel/tests/install/consumer -B ${WORK_DIR}/consumer-build
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run(${WORK_DIR}/consumer-build/consumer)
message(STATUS "installed chan found, built against and run from ${prefix}")

# cmake -DBUILD_DIR=... -DPREFIX=... -P install.cmake: a fresh install into PREFIX.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f include/wirespan/wirespan.hpp share/cmake/wirespan/wirespanConfig.cmake
          share/cmake/wirespan/wirespanConfigVersion.cmake share/pkgconfig/wirespan.pc)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

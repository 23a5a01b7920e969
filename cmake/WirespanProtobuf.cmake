# wirespan_protobuf_library(TARGET PROTO): a static library of the C++ that protoc
# generates from PROTO, linked to libprotobuf, its headers as SYSTEM includes (so our
# warning flags do not apply to generated code). Sets WIRESPAN_HAVE_LIBPROTOBUF when
# protoc and libprotobuf are installed (Debian: protobuf-compiler, libprotobuf-dev);
# otherwise defines nothing. Used by the interop tests, the differential fuzz target
# and the protobuf benchmark — libprotobuf is their oracle and anchor, never a
# dependency of the library.
find_package(Protobuf QUIET)
set(WIRESPAN_HAVE_LIBPROTOBUF FALSE)
if(Protobuf_FOUND AND Protobuf_PROTOC_EXECUTABLE)
  set(WIRESPAN_HAVE_LIBPROTOBUF TRUE)
endif()

function(wirespan_protobuf_library target proto)
  get_filename_component(dir "${proto}" DIRECTORY)
  get_filename_component(stem "${proto}" NAME_WE)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  file(MAKE_DIRECTORY "${out}")
  add_custom_command(
    OUTPUT "${out}/${stem}.pb.cc" "${out}/${stem}.pb.h"
    COMMAND "${Protobuf_PROTOC_EXECUTABLE}" --proto_path=${dir} --cpp_out=${out} "${proto}"
    DEPENDS "${proto}"
    COMMENT "protoc ${stem}.proto")
  add_library(${target} STATIC "${out}/${stem}.pb.cc")
  target_include_directories(${target} SYSTEM PUBLIC "${out}" ${Protobuf_INCLUDE_DIRS})
  target_link_libraries(${target} PUBLIC ${Protobuf_LIBRARIES})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(WIRESPAN_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

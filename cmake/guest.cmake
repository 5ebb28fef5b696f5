# add_guest_program(NAME SOURCES... [LIBS lib...])
#
# Builds NAME as a static x86-64 Linux program with musl-gcc into
# ${CMAKE_CURRENT_BINARY_DIR}/NAME.  Such a binary runs unmodified on the
# forklab kernel, in a Linux guest and on the host.  A custom command is used
# because one CMake project has one C compiler, and that one is the host's.
set(GUEST_CFLAGS -static -O2 -g -Wall -Wextra -Werror=implicit-function-declaration
    -std=gnu11 -D_GNU_SOURCE)

function(add_guest_program name)
  cmake_parse_arguments(GP "" "" "SOURCES;INCLUDES;LIBS" ${ARGN})
  if(NOT GP_SOURCES)
    set(GP_SOURCES ${GP_UNPARSED_ARGUMENTS})
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(srcs "")
  foreach(s ${GP_SOURCES})
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
  endforeach()
  set(incs "")
  foreach(i ${GP_INCLUDES})
    get_filename_component(abs ${i} ABSOLUTE)
    list(APPEND incs -I${abs})
  endforeach()
  set(libs "")
  foreach(l ${GP_LIBS})
    list(APPEND libs -l${l})
  endforeach()
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${MUSL_GCC} ${GUEST_CFLAGS} ${incs} -o ${out} ${srcs} ${libs}
    DEPENDS ${srcs}
    IMPLICIT_DEPENDS C ${srcs}
    COMMENT "Building static guest program ${name}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
endfunction()

# Installs the build tree into a scratch prefix, then checks what a host finds there: the CMake
# package (a consumer project built and run against it), miowin.pc, and on Windows the MSVC
# import library. Run with cmake -P and the -D variables set by tests/install/CMakeLists.txt.
# With -DBUILD_ONLY=ON the consumers are built but not run (for a Windows target that this
# machine's Wine cannot run: 32-bit code on a kernel without IA32 emulation).
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# run_consumer(EXE WHAT): runs a built consumer (under the emulator for Windows) and requires
# its "consumer: OK"; with BUILD_ONLY, only requires that it was built.
function(run_consumer exe what)
  if(NOT EXISTS ${exe})
    message(FATAL_ERROR "${what} was not built: ${exe}")
  endif()
  if(BUILD_ONLY)
    return()
  endif()
  run(${EMULATOR} ${exe})
  if(NOT run_output MATCHES "consumer: OK")
    message(FATAL_ERROR "${what} did not succeed:\n${run_output}")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

foreach(f include/miowin.h include/miow/event.h lib/cmake/miowin/miowinConfig.cmake
          lib/cmake/miowin/miowinConfigVersion.cmake lib/pkgconfig/miowin.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "the install tree lacks ${f}")
  endif()
endforeach()

# find_package(miowin) from a separate project, built with the same toolchain.
set(toolchain_arg "")
if(TOOLCHAIN)
  set(toolchain_arg -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN})
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${WORK_DIR}/consumer
    ${toolchain_arg} -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
if(WINDOWS)
  file(GLOB dll ${prefix}/bin/miowin.dll)
  if(NOT dll)
    message(FATAL_ERROR "the install tree lacks bin/miowin.dll")
  endif()
  file(COPY ${dll} DESTINATION ${WORK_DIR}/consumer)
  set(consumer ${WORK_DIR}/consumer/consumer.exe)
else()
  set(consumer ${WORK_DIR}/consumer/consumer)
endif()
run_consumer(${consumer} "the consumer")

# pkg-config sees the same library.
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run(pkg-config --modversion miowin)
string(STRIP "${run_output}" version)
if(NOT version STREQUAL VERSION)
  message(FATAL_ERROR "miowin.pc says version '${version}', the project is ${VERSION}")
endif()
run(pkg-config --cflags --libs miowin)
separate_arguments(pc_flags UNIX_COMMAND "${run_output}")
# Build the consumer again from the pkg-config flags alone, and run that one too.
if(WINDOWS)
  set(pc_exe ${WORK_DIR}/consumer/consumer_pc.exe)
  run(${C_COMPILER} ${SOURCE_DIR}/tests/install/consumer/consumer.c ${pc_flags} -static-libgcc
      -o ${pc_exe})
else()
  set(pc_exe ${WORK_DIR}/consumer/consumer_pc)
  run(${C_COMPILER} ${SOURCE_DIR}/tests/install/consumer/consumer.c ${pc_flags}
      -Wl,-rpath,${prefix}/lib -o ${pc_exe})
endif()
run_consumer(${pc_exe} "the consumer built from miowin.pc")

if(WINDOWS)
  # Both import libraries, each naming every export of the .def.
  foreach(lib lib/libmiowin.dll.a lib/miowin.lib lib/miowin.def)
    if(NOT EXISTS ${prefix}/${lib})
      message(FATAL_ERROR "the install tree lacks ${lib}")
    endif()
  endforeach()
  run(${LLVM_NM} ${prefix}/lib/miowin.lib)
  set(symbols "${run_output}")
  file(STRINGS ${SOURCE_DIR}/def/miowin.def exports REGEX "^[ \t]*miow_[a-z0-9_]+")
  foreach(line IN LISTS exports)
    string(REGEX MATCH "miow_[a-z0-9_]+" name "${line}")
    if(NOT symbols MATCHES "__imp_${SYMBOL_PREFIX}${name}\n")
      message(FATAL_ERROR "miowin.lib does not import ${name}")
    endif()
  endforeach()
endif()
if(WINDOWS AND SYMBOL_PREFIX)
  # x86: MSVC links the cdecl symbol _miow_x and must import it by the DLL's plain name miow_x.
  run(${LLVM_READOBJ} ${prefix}/lib/miowin.lib)
  string(REGEX MATCHALL "Name type: [a-z]+" name_types "${run_output}")
  list(REMOVE_DUPLICATES name_types)
  if(NOT name_types STREQUAL "Name type: noprefix")
    message(FATAL_ERROR "miowin.lib imports x86 names as '${name_types}', not 'noprefix'")
  endif()
endif()
message(STATUS "install tree at ${prefix} checked")

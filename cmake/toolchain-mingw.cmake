# What the mingw-w64 toolchain files share: Debian's cross compilers for MIOW_MINGW_PREFIX, and
# test programs run under Wine through scripts/wine.sh, in a private prefix inside the build tree.
# The including file sets CMAKE_SYSTEM_PROCESSOR, MIOW_MINGW_PREFIX, MIOW_WINE (the Wine that
# runs tests by default: 8 on the host, 10 in the Debian trixie root of scripts/wine10.sh) and
# MIOW_WINEARCH (win64 or win32). MIOW_WINE=8 or 10 in the environment picks the Wine per run.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_C_COMPILER ${MIOW_MINGW_PREFIX}-gcc)
set(CMAKE_RC_COMPILER ${MIOW_MINGW_PREFIX}-windres)
set(CMAKE_OBJDUMP ${MIOW_MINGW_PREFIX}-objdump)
set(CMAKE_FIND_ROOT_PATH /usr/${MIOW_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
get_filename_component(MIOW_TOOLCHAIN_TREE ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
set(CMAKE_CROSSCOMPILING_EMULATOR
    ${MIOW_TOOLCHAIN_TREE}/scripts/wine.sh ${CMAKE_BINARY_DIR} ${MIOW_WINE} ${MIOW_WINEARCH})

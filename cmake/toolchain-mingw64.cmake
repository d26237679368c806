# Cross-builds miowin for 64-bit Windows with Debian's mingw-w64 toolchain. Test programs run
# under Wine through the emulator set here, in a private prefix inside the build tree.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(MIOW_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${MIOW_MINGW_PREFIX}-gcc)
set(CMAKE_RC_COMPILER ${MIOW_MINGW_PREFIX}-windres)
set(CMAKE_OBJDUMP ${MIOW_MINGW_PREFIX}-objdump)
set(CMAKE_FIND_ROOT_PATH /usr/${MIOW_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_CROSSCOMPILING_EMULATOR
    env WINEDEBUG=-all WINEPREFIX=${CMAKE_BINARY_DIR}/wineprefix WINEDLLOVERRIDES=mscoree,mshtml= wine)

# Cross-builds miowin for 64-bit Windows with Debian's mingw-w64 toolchain; tests run under the
# host's Wine 8 (MIOW_WINE=10 runs them under Wine 10 instead).
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(MIOW_MINGW_PREFIX x86_64-w64-mingw32)
set(MIOW_WINE 8)
set(MIOW_WINEARCH win64)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-mingw.cmake)

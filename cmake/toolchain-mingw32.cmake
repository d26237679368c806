# Cross-builds miowin for 32-bit Windows (x86) with Debian's i686 mingw-w64 toolchain. Tests run
# under 32-bit Wine 10 in the Debian trixie root of scripts/wine10.sh: Debian 12's wine32 cannot
# be installed on this machine.
set(CMAKE_SYSTEM_PROCESSOR i686)
set(MIOW_MINGW_PREFIX i686-w64-mingw32)
set(MIOW_WINE 10)
set(MIOW_WINEARCH win32)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-mingw.cmake)

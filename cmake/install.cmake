# The install tree: the library, its headers, a CMake package (find_package(miowin)), a
# pkg-config file and, on Windows, an MSVC import library made from the .def beside mingw's.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS miowin EXPORT miowinTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(MIOW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/miowin)
install(EXPORT miowinTargets NAMESPACE miowin:: DESTINATION ${MIOW_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/miowinConfig.cmake.in
  ${PROJECT_BINARY_DIR}/miowinConfig.cmake INSTALL_DESTINATION ${MIOW_CMAKE_DIR})
# A new major version is a new ABI: only the same major satisfies a request.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/miowinConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/miowinConfig.cmake
  ${PROJECT_BINARY_DIR}/miowinConfigVersion.cmake DESTINATION ${MIOW_CMAKE_DIR})

configure_file(${PROJECT_SOURCE_DIR}/cmake/miowin.pc.in ${PROJECT_BINARY_DIR}/miowin.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/miowin.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(WIN32)
  # MSVC's linker wants its own import library format; llvm-dlltool writes it from the .def.
  find_program(MIOW_LLVM_DLLTOOL NAMES llvm-dlltool llvm-dlltool-14 REQUIRED)
  find_program(MIOW_LLVM_NM NAMES llvm-nm llvm-nm-14 REQUIRED)
  set(MIOW_MSVC_IMPLIB ${PROJECT_BINARY_DIR}/src/miowin.lib)
  # On x86 the .def's plain names become cdecl symbols (_miow_version) imported by their
  # undecorated name (import name type "noprefix"), which is what the DLL exports.
  if(CMAKE_SIZEOF_VOID_P EQUAL 4)
    set(MIOW_DLLTOOL_MACHINE i386)
  else()
    set(MIOW_DLLTOOL_MACHINE i386:x86-64)
  endif()
  add_custom_command(OUTPUT ${MIOW_MSVC_IMPLIB}
    COMMAND ${MIOW_LLVM_DLLTOOL} -m ${MIOW_DLLTOOL_MACHINE} -d ${MIOW_DEF_FILE} -l ${MIOW_MSVC_IMPLIB}
    DEPENDS ${MIOW_DEF_FILE}
    COMMENT "Making the MSVC import library miowin.lib from the .def")
  add_custom_target(miowin_msvc_implib ALL DEPENDS ${MIOW_MSVC_IMPLIB})
  install(FILES ${MIOW_MSVC_IMPLIB} ${MIOW_DEF_FILE} DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()

# Makes an ELF version script from def/miowin.def, so that libmiowin.so exports exactly the
# functions miowin.dll does, under one version node per ABI major version.
function(miow_version_script_from_def def_file out_file)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${def_file})
  file(STRINGS ${def_file} lines REGEX "^[ \t]*miow_[A-Za-z0-9_]+[ \t]+@[0-9]+")
  set(symbols "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[ \t]*(miow_[A-Za-z0-9_]+)")
      string(APPEND symbols "    ${CMAKE_MATCH_1};\n")
    endif()
  endforeach()
  if(symbols STREQUAL "")
    message(FATAL_ERROR "no exports found in ${def_file}")
  endif()
  file(CONFIGURE OUTPUT ${out_file} @ONLY CONTENT
"/* Generated from def/miowin.def by cmake/version_script.cmake. */
MIOWIN_@PROJECT_VERSION_MAJOR@ {
  global:
@symbols@  local:
    *;
};
")
endfunction()

# Makes an ELF version script from def/miowin.def, so that libmiowin.so exports exactly the
# functions miowin.dll does, under one version node per ABI major version.
include(${CMAKE_CURRENT_LIST_DIR}/def_exports.cmake)

function(miow_version_script_from_def def_file out_file)
  miow_def_exports(${def_file} names ordinals)
  set(symbols "")
  foreach(name IN LISTS names)
    string(APPEND symbols "    ${name};\n")
  endforeach()
  file(CONFIGURE OUTPUT ${out_file} @ONLY CONTENT
"/* Generated from def/miowin.def by cmake/version_script.cmake. */
MIOWIN_@PROJECT_VERSION_MAJOR@ {
  global:
@symbols@  local:
    *;
};
")
endfunction()

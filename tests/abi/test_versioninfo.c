/* Reads the VERSIONINFO resource of miowin.dll as Explorer and installers do, and checks that
 * its numbers and strings are the version macros of miow/common.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include <windows.h>

#include <cmocka.h>

#include "miowin.h"

static wchar_t dll_path[MAX_PATH];
static void *info;

static int read_version_info(void **state) {
  DWORD unused = 0, size;
  wchar_t *slash;
  (void)state;
  /* The copy beside this program, the one a host loading "miowin.dll" would get. */
  if (GetModuleFileNameW(NULL, dll_path, MAX_PATH - 16) == 0 ||
      (slash = wcsrchr(dll_path, L'\\')) == NULL) {
    return -1;
  }
  wcscpy(slash + 1, L"miowin.dll");
  size = GetFileVersionInfoSizeW(dll_path, &unused);
  info = size ? malloc(size) : NULL;
  if (info == NULL || !GetFileVersionInfoW(dll_path, 0, size, info)) {
    fprintf(stderr, "no version resource in %ls: error %lu\n", dll_path, GetLastError());
    return -1;
  }
  return 0;
}

static int free_version_info(void **state) {
  (void)state;
  free(info);
  return 0;
}

static void test_fixed_file_info_matches_header(void **state) {
  VS_FIXEDFILEINFO *fixed = NULL;
  UINT len = 0;
  const DWORD ms = ((DWORD)MIOW_VERSION_MAJOR << 16) | MIOW_VERSION_MINOR;
  const DWORD ls = (DWORD)MIOW_VERSION_PATCH << 16;
  (void)state;
  assert_true(VerQueryValueW(info, L"\\", (void **)&fixed, &len));
  assert_true(len >= sizeof(*fixed));
  assert_int_equal(fixed->dwSignature, 0xFEEF04BD);
  assert_int_equal(fixed->dwFileVersionMS, ms);
  assert_int_equal(fixed->dwFileVersionLS, ls);
  assert_int_equal(fixed->dwProductVersionMS, ms);
  assert_int_equal(fixed->dwProductVersionLS, ls);
  assert_int_equal(fixed->dwFileType, VFT_DLL);
}

/* The string value `name` of the resource's first translation, as UTF-8. */
static const char *query_string(const wchar_t *name) {
  static char utf8[256];
  struct {
    WORD language, codepage;
  } *translation = NULL;
  wchar_t key[128], *value = NULL;
  UINT len = 0;
  assert_true(VerQueryValueW(info, L"\\VarFileInfo\\Translation", (void **)&translation, &len));
  assert_true(len >= sizeof(*translation));
  swprintf(key, 128, L"\\StringFileInfo\\%04x%04x\\%ls", translation->language,
           translation->codepage, name);
  if (!VerQueryValueW(info, key, (void **)&value, &len) || value == NULL) {
    fail_msg("%ls is missing from the version resource", name);
  }
  assert_true(WideCharToMultiByte(CP_UTF8, 0, value, -1, utf8, sizeof(utf8), NULL, NULL) > 0);
  return utf8;
}

static void test_strings_match_header(void **state) {
  (void)state;
  assert_string_equal(query_string(L"FileVersion"), MIOW_VERSION_STRING);
  assert_string_equal(query_string(L"ProductVersion"), MIOW_VERSION_STRING);
  assert_string_equal(query_string(L"OriginalFilename"), "miowin.dll");
  assert_string_equal(query_string(L"FileDescription"), "miowin readiness polling library");
  assert_string_equal(query_string(L"ProductName"), "miowin");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixed_file_info_matches_header),
      cmocka_unit_test(test_strings_match_header),
  };
  return cmocka_run_group_tests(tests, read_version_info, free_version_info);
}

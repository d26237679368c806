/* Uses miowin.dll the way a host without an import library does (ctypes, P/Invoke): loads it by
 * name with LoadLibraryW, resolves every .def export by name and by ordinal, and drives a
 * selector and a waker through the resolved pointers. Deliberately not linked with miowin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>

#include <windows.h>

#include <cmocka.h>

#include "miow_def_exports.h"
#include "miowin.h"

static HMODULE dll;

static int load_miowin(void **state) {
  (void)state;
  dll = LoadLibraryW(L"miowin.dll");
  if (dll == NULL) {
    fprintf(stderr, "LoadLibraryW(miowin.dll) failed: error %lu\n", GetLastError());
    return -1;
  }
  return 0;
}

static int unload_miowin(void **state) {
  (void)state;
  return dll == NULL || FreeLibrary(dll) ? 0 : -1;
}

static FARPROC resolve(const char *name) {
  FARPROC fn = GetProcAddress(dll, name);
  if (fn == NULL) {
    fail_msg("GetProcAddress(%s) returned NULL", name);
  }
  return fn;
}

/* The pointer type comes from the header's own prototype, so a prototype change is followed.
 * The detour through void (*)(void) keeps -Wcast-function-type quiet. */
#define RESOLVE(fn) ((__typeof__(&fn))(void (*)(void))resolve(#fn))

static void dir_of(wchar_t *path) {
  wchar_t *slash = wcsrchr(path, L'\\');
  assert_non_null(slash);
  *slash = L'\0';
}

static void test_loads_by_name_from_the_host_directory(void **state) {
  wchar_t host[MAX_PATH], lib[MAX_PATH];
  (void)state;
  assert_true(GetModuleFileNameW(NULL, host, MAX_PATH) > 0);
  assert_true(GetModuleFileNameW(dll, lib, MAX_PATH) > 0);
  dir_of(host);
  dir_of(lib);
  assert_int_equal(CompareStringOrdinal(host, -1, lib, -1, TRUE), CSTR_EQUAL);
}

static void test_every_def_export_resolves_by_name_and_ordinal(void **state) {
  size_t count = sizeof(miow_def_exports) / sizeof(miow_def_exports[0]);
  int failures = 0;
  (void)state;
  for (size_t i = 0; i < count; i++) {
    const char *name = miow_def_exports[i].name;
    uint16_t ordinal = miow_def_exports[i].ordinal;
    FARPROC by_name = GetProcAddress(dll, name);
    FARPROC by_ordinal = GetProcAddress(dll, MAKEINTRESOURCEA(ordinal));
    if (by_name == NULL || by_name != by_ordinal) {
      print_error("%s @%u: by name %p, by ordinal %p\n", name, (unsigned)ordinal,
                  (void *)(uintptr_t)by_name, (void *)(uintptr_t)by_ordinal);
      failures++;
    } else {
      print_message("ok @%-3u %s\n", (unsigned)ordinal, name);
    }
  }
  assert_int_equal(failures, 0);
}

static void test_version_matches_header(void **state) {
  (void)state;
  assert_int_equal(RESOLVE(miow_version)(), MIOW_VERSION_NUMBER);
  assert_string_equal(RESOLVE(miow_version_string)(), MIOW_VERSION_STRING);
}

static void expect_one_event(miow_selector *sel, uint64_t token, uint32_t readiness) {
  miow_event events[4];
  size_t count = 99;
  assert_int_equal(RESOLVE(miow_selector_poll)(sel, events, 4, &count, 1000), MIOW_OK);
  assert_int_equal(count, 1);
  assert_int_equal(events[0].token, token);
  assert_int_equal(events[0].readiness, readiness);
  assert_int_equal(events[0].reserved, 0);
}

static void test_waker_and_post_work_through_resolved_pointers(void **state) {
  const uint64_t waker_token = UINT64_C(0xfedcba9876543210);
  const uint64_t post_token = UINT64_C(0x0123456789abcdef);
  miow_selector *sel = NULL;
  miow_waker *waker = NULL;
  (void)state;

  assert_int_equal(RESOLVE(miow_selector_new)(&sel), MIOW_OK);
  assert_int_equal(RESOLVE(miow_waker_new)(sel, waker_token, &waker), MIOW_OK);
  assert_int_equal(RESOLVE(miow_waker_wake)(waker), MIOW_OK);
  expect_one_event(sel, waker_token, MIOW_READABLE);

  assert_int_equal(RESOLVE(miow_selector_post)(sel, post_token, MIOW_WRITABLE), MIOW_OK);
  expect_one_event(sel, post_token, MIOW_WRITABLE);

  assert_int_equal(RESOLVE(miow_waker_free)(waker), MIOW_OK);
  assert_int_equal(RESOLVE(miow_waker_free)(waker), MIOW_EBADHANDLE);
  assert_int_equal(RESOLVE(miow_selector_free)(sel), MIOW_OK);
  assert_int_equal(RESOLVE(miow_selector_free)(sel), MIOW_EBADHANDLE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loads_by_name_from_the_host_directory),
      cmocka_unit_test(test_every_def_export_resolves_by_name_and_ordinal),
      cmocka_unit_test(test_version_matches_header),
      cmocka_unit_test(test_waker_and_post_work_through_resolved_pointers),
  };
  return cmocka_run_group_tests(tests, load_miowin, unload_miowin);
}

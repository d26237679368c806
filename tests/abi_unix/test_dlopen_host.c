/* Uses libmiowin.so the way a host without link-time binding does (ctypes, JNA, dlopen plugins):
 * opens it by its SONAME path, resolves every .def export by name and under its version node, and
 * drives a selector and a waker through the resolved pointers. Deliberately not linked with it. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "miow_def_exports.h"
#include "miowin.h"

#define STRINGIFY(x) #x
#define EXPAND_STRINGIFY(x) STRINGIFY(x)
/* The version node every export is bound to, from the header: "MIOWIN_1" for ABI major 1. */
static const char version_node[] = "MIOWIN_" EXPAND_STRINGIFY(MIOW_VERSION_MAJOR);

static const char *so_path;
static void *lib;

static int open_miowin(void **state) {
  (void)state;
  lib = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "dlopen(%s) failed: %s\n", so_path, dlerror());
    return -1;
  }
  return 0;
}

static int close_miowin(void **state) {
  (void)state;
  if (lib != NULL && dlclose(lib) != 0) {
    fprintf(stderr, "dlclose failed: %s\n", dlerror());
    return -1;
  }
  return 0;
}

static void *resolve(const char *name) {
  void *fn = dlsym(lib, name);
  if (fn == NULL) {
    fail_msg("dlsym(%s) returned NULL: %s", name, dlerror());
  }
  return fn;
}

/* The pointer type comes from the header's own prototype, so a prototype change is followed. */
#define RESOLVE(fn) ((__typeof__(&fn))resolve(#fn))

static void test_loads_the_file_given(void **state) {
  Dl_info info;
  (void)state;
  assert_int_not_equal(dladdr(resolve("miow_version"), &info), 0);
  assert_string_equal(info.dli_fname, so_path);
}

static void test_every_def_export_resolves_by_name_and_version(void **state) {
  size_t count = sizeof(miow_def_exports) / sizeof(miow_def_exports[0]);
  int failures = 0;
  (void)state;
  for (size_t i = 0; i < count; i++) {
    const char *name = miow_def_exports[i];
    void *by_name = dlsym(lib, name);
    void *by_version = dlvsym(lib, name, version_node);
    if (by_name == NULL || by_name != by_version) {
      print_error("%s: dlsym %p, dlvsym(%s) %p\n", name, by_name, version_node, by_version);
      failures++;
    } else {
      print_message("ok %s@@%s\n", name, version_node);
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

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loads_the_file_given),
      cmocka_unit_test(test_every_def_export_resolves_by_name_and_version),
      cmocka_unit_test(test_version_matches_header),
      cmocka_unit_test(test_waker_and_post_work_through_resolved_pointers),
  };
  if (argc != 2) {
    fprintf(stderr, "usage: %s PATH/libmiowin.so.MAJOR\n", argv[0]);
    return 2;
  }
  so_path = argv[1];
  return cmocka_run_group_tests(tests, open_miowin, close_miowin);
}

/* Every misuse gets its documented code, records an OS error, and harms nothing. */
#include <string.h>

#include "support.h"

static miow_selector *sel;
static miow_socket_t client, server;
static miow_source *src;

static int setup(void **state) {
  (void)state;
  support_init();
  assert_int_equal(miow_selector_new(&sel), 0);
  support_tcp_pair(&client, &server);
  assert_int_equal(miow_source_new(&src, client), 0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  assert_int_equal(miow_source_free(src), 0);
  assert_int_equal(miow_selector_free(sel), 0);
  support_close(client);
  support_close(server);
  return 0;
}

/* Every call that takes a handle, given `sel_h`, `src_h` and `w_h`, must answer EBADHANDLE. */
static void expect_all_bad(miow_selector *sel_h, miow_source *src_h, miow_waker *w_h) {
  miow_event events[2];
  size_t count;
  miow_waker *w_out;
  assert_int_equal(miow_selector_poll(sel_h, events, 2, &count, 0), MIOW_EBADHANDLE);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EBADHANDLE));
  assert_int_equal(miow_selector_post(sel_h, 1, MIOW_READABLE), MIOW_EBADHANDLE);
  assert_int_equal(miow_waker_new(sel_h, 1, &w_out), MIOW_EBADHANDLE);
  assert_int_equal(miow_source_register(src_h, sel, 1, MIOW_READABLE), MIOW_EBADHANDLE);
  assert_int_equal(miow_source_register(src, sel_h, 1, MIOW_READABLE), MIOW_EBADHANDLE);
  assert_int_equal(miow_source_reregister(src_h, sel, 1, MIOW_READABLE), MIOW_EBADHANDLE);
  assert_int_equal(miow_source_deregister(src_h, sel), MIOW_EBADHANDLE);
  assert_int_equal(miow_source_rearm(src_h), MIOW_EBADHANDLE);
  assert_int_equal(miow_waker_wake(w_h), MIOW_EBADHANDLE);
  assert_int_equal(miow_source_free(src_h), MIOW_EBADHANDLE);
  assert_int_equal(miow_waker_free(w_h), MIOW_EBADHANDLE);
  assert_int_equal(miow_selector_free(sel_h), MIOW_EBADHANDLE);
}

static void test_null_handles_are_rejected(void **state) {
  (void)state;
  expect_all_bad(NULL, NULL, NULL);
}

static void test_made_up_handles_are_rejected(void **state) {
  (void)state;
  int on_stack;
  expect_all_bad((miow_selector *)(uintptr_t)0x12345678u, (miow_source *)&on_stack,
                 (miow_waker *)(uintptr_t)UINT64_C(0xdeadbeefcafe0001));
  expect_all_bad((miow_selector *)(uintptr_t)1, (miow_source *)(uintptr_t)2,
                 (miow_waker *)(uintptr_t)UINTPTR_MAX);
}

static void test_wrong_kind_handles_are_rejected(void **state) {
  (void)state;
  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, 1, &w), 0);
  expect_all_bad((miow_selector *)src, (miow_source *)w, (miow_waker *)sel);
  assert_int_equal(miow_waker_free(w), 0);
}

static void test_freed_handles_are_rejected_even_after_slot_reuse(void **state) {
  (void)state;
  miow_selector *stale_sel;
  miow_source *stale_src;
  miow_waker *stale_w;
  assert_int_equal(miow_selector_new(&stale_sel), 0);
  assert_int_equal(miow_source_new(&stale_src, client), 0);
  assert_int_equal(miow_waker_new(stale_sel, 1, &stale_w), 0);
  assert_int_equal(miow_waker_free(stale_w), 0);
  assert_int_equal(miow_source_free(stale_src), 0);
  assert_int_equal(miow_selector_free(stale_sel), 0);
  expect_all_bad(stale_sel, stale_src, stale_w); /* includes the double frees */
  /* New objects take the freed slots; the old handles must still not reach them. */
  miow_selector *fresh_sel;
  miow_source *fresh_src;
  assert_int_equal(miow_selector_new(&fresh_sel), 0);
  assert_int_equal(miow_source_new(&fresh_src, client), 0);
  assert_true(fresh_sel != stale_sel);
  expect_all_bad(stale_sel, stale_src, stale_w);
  assert_int_equal(miow_source_register(fresh_src, fresh_sel, 1, MIOW_WRITABLE), 0);
  assert_int_equal(poll_until(fresh_sel, 1, MIOW_WRITABLE, 2000), MIOW_WRITABLE);
  assert_int_equal(miow_source_free(fresh_src), 0);
  assert_int_equal(miow_selector_free(fresh_sel), 0);
}

static void test_null_out_parameters_are_invalid(void **state) {
  (void)state;
  miow_event events[2];
  size_t count;
  assert_int_equal(miow_selector_new(NULL), MIOW_EINVAL);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EINVAL));
  assert_int_equal(miow_source_new(NULL, client), MIOW_EINVAL);
  assert_int_equal(miow_waker_new(sel, 1, NULL), MIOW_EINVAL);
  assert_int_equal(miow_selector_poll(sel, NULL, 2, &count, 0), MIOW_EINVAL);
  assert_int_equal(miow_selector_poll(sel, events, 2, NULL, 0), MIOW_EINVAL);
}

static void test_bad_poll_arguments_are_invalid(void **state) {
  (void)state;
  miow_event events[2];
  size_t count;
  assert_int_equal(miow_selector_poll(sel, events, 0, &count, 0), MIOW_EINVAL);
  assert_int_equal(miow_selector_poll(sel, events, 2, &count, -2), MIOW_EINVAL);
  assert_int_equal(miow_selector_poll(sel, events, 2, &count, INT64_MIN), MIOW_EINVAL);
  assert_int_equal(miow_selector_post(sel, 1, 0), MIOW_EINVAL);
  assert_int_equal(miow_selector_post(sel, 1, MIOW_EDGE), MIOW_EINVAL);
  assert_int_equal(miow_selector_post(sel, 1, 0x80000000u), MIOW_EINVAL);
}

static void test_bad_interests_are_invalid(void **state) {
  (void)state;
  const uint32_t bad[] = {
      0,
      MIOW_EDGE,
      MIOW_ONESHOT,
      MIOW_READABLE | MIOW_EDGE | MIOW_ONESHOT,
      MIOW_READABLE | MIOW_ERROR,
      MIOW_READABLE | MIOW_READ_CLOSED,
      MIOW_WRITABLE | 0x40u,
      MIOW_READABLE | 0x80000000u,
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(miow_source_register(src, sel, 1, bad[i]), MIOW_EINVAL);
    assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EINVAL));
  }
  assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE), 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(miow_source_reregister(src, sel, 1, bad[i]), MIOW_EINVAL);
  assert_int_equal(miow_source_deregister(src, sel), 0);
}

static void test_register_twice_is_exists(void **state) {
  (void)state;
  miow_selector *other;
  assert_int_equal(miow_selector_new(&other), 0);
  assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE), 0);
  assert_int_equal(miow_source_register(src, sel, 2, MIOW_READABLE), MIOW_EEXIST);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EEXIST));
  assert_int_equal(miow_source_register(src, other, 2, MIOW_READABLE), MIOW_EEXIST);
  /* Registered with `sel`: another selector is the wrong one for these calls. */
  assert_int_equal(miow_source_reregister(src, other, 2, MIOW_READABLE), MIOW_EEXIST);
  assert_int_equal(miow_source_deregister(src, other), MIOW_ENOENT);
  /* The failed calls left the registration intact. */
  assert_int_equal(support_send(server, "x", 1), 1);
  assert_true(poll_until(sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
  assert_int_equal(miow_source_deregister(src, sel), 0);
  assert_int_equal(miow_selector_free(other), 0);
}

static void test_calls_without_registration_are_not_found(void **state) {
  (void)state;
  assert_int_equal(miow_source_reregister(src, sel, 1, MIOW_READABLE), MIOW_ENOENT);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_ENOENT));
  assert_int_equal(miow_source_deregister(src, sel), MIOW_ENOENT);
  assert_int_equal(miow_source_rearm(src), MIOW_ENOENT);
}

static void test_values_that_are_not_sockets_are_rejected(void **state) {
  (void)state;
  miow_source *out = NULL;
  miow_socket_t handle = support_non_socket();
  assert_int_equal(miow_source_new(&out, handle), MIOW_ENOTSOCK);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_ENOTSOCK));
  support_close_non_socket(handle);
  assert_int_equal(miow_source_new(&out, ~(miow_socket_t)0), MIOW_ENOTSOCK);
  assert_int_equal(miow_source_new(&out, (miow_socket_t)0x7ffc), MIOW_ENOTSOCK);
  assert_null(out);
}

static void test_every_error_code_has_its_own_description(void **state) {
  (void)state;
  const int32_t codes[] = {MIOW_OK,     MIOW_EINVAL, MIOW_EBADHANDLE, MIOW_ENOMEM,  MIOW_EEXIST,
                           MIOW_ENOENT, MIOW_EBUSY,  MIOW_ENOTSOCK,   MIOW_ECLOSED, MIOW_EOS};
  size_t n = sizeof codes / sizeof codes[0];
  for (size_t i = 0; i < n; i++) {
    const char *text = miow_strerror(codes[i]);
    assert_non_null(text);
    assert_string_not_equal(text, "unknown error");
    for (size_t j = 0; j < i; j++) assert_string_not_equal(text, miow_strerror(codes[j]));
  }
  assert_string_equal(miow_strerror(-1000), "unknown error");
  assert_string_equal(miow_strerror(5), "unknown error");
}

static void fail_with_einval(void *arg) {
  (void)arg;
  miow_selector_new(NULL);
}

static void test_last_os_error_is_per_thread_set_natively_and_survives_success(void **state) {
  (void)state;
  assert_int_equal(miow_selector_free(NULL), MIOW_EBADHANDLE);
  assert_int_equal(support_thread_last_error(), support_os_error(MIOW_EBADHANDLE));
  /* Another thread's failure is its own. */
  support_thread_join(support_thread_start(fail_with_einval, NULL));
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EBADHANDLE));
  /* Successful calls leave it alone. */
  miow_event events[1];
  size_t count;
  assert_int_equal(miow_selector_poll(sel, events, 1, &count, 0), 0);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EBADHANDLE));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_null_handles_are_rejected),
      T(test_made_up_handles_are_rejected),
      T(test_wrong_kind_handles_are_rejected),
      T(test_freed_handles_are_rejected_even_after_slot_reuse),
      T(test_null_out_parameters_are_invalid),
      T(test_bad_poll_arguments_are_invalid),
      T(test_bad_interests_are_invalid),
      T(test_register_twice_is_exists),
      T(test_calls_without_registration_are_not_found),
      T(test_values_that_are_not_sockets_are_rejected),
      T(test_every_error_code_has_its_own_description),
      T(test_last_os_error_is_per_thread_set_natively_and_survives_success),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

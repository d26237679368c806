/* Resource and timing behaviour over a selector's life: no handle leaks across many cycles,
 * timeouts honoured, and the version calls. */
#include <stdio.h>
#include <string.h>

#include "support.h"

static void test_version_calls_match_header(void **state) {
  (void)state;
  assert_int_equal(miow_version(), MIOW_VERSION_NUMBER);
  assert_string_equal(miow_version_string(), MIOW_VERSION_STRING);
  uint32_t v = miow_version();
  char text[32];
  snprintf(text, sizeof text, "%u.%u.%u", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xff),
           (unsigned)(v & 0xff));
  assert_string_equal(text, miow_version_string());
}

static void test_2000_create_register_free_cycles_leak_no_handles(void **state) {
  (void)state;
  miow_socket_t client, server;
  support_tcp_pair(&client, &server);
  assert_int_equal(support_send(server, "x", 1), 1);
  /* One warm-up cycle first: Winsock and the process allocate some handles on first use. */
  uint64_t before = 0;
  for (int i = 0; i <= 2000; i++) {
    if (i == 1) before = support_handle_probe();
    miow_selector *sel;
    miow_source *src;
    miow_waker *w;
    assert_int_equal(miow_selector_new(&sel), 0);
    assert_int_equal(miow_waker_new(sel, 2, &w), 0);
    assert_int_equal(miow_source_new(&src, client), 0);
    assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE | MIOW_WRITABLE), 0);
    if (i % 2 == 0) assert_int_equal(miow_waker_wake(w), 0); /* a packet left in the port */
    uint32_t seen = poll_once(sel, 1, 0);
    if (i % 3 == 0) assert_int_equal(miow_source_deregister(src, sel), 0);
    (void)seen;
    assert_int_equal(miow_source_free(src), 0);
    assert_int_equal(miow_waker_free(w), 0);
    assert_int_equal(miow_selector_free(sel), 0);
  }
  uint64_t after = support_handle_probe();
  if (after != before)
    fail_msg("process held %llu handles before the cycles and %llu after",
             (unsigned long long)before, (unsigned long long)after);
  support_close(client);
  support_close(server);
}

static void test_selector_freed_before_its_sources_releases_everything(void **state) {
  (void)state;
  miow_socket_t client, server;
  support_tcp_pair(&client, &server);
  uint64_t before = 0;
  for (int i = 0; i <= 200; i++) {
    if (i == 1) before = support_handle_probe();
    miow_selector *sel;
    miow_source *src;
    assert_int_equal(miow_selector_new(&sel), 0);
    assert_int_equal(miow_source_new(&src, client), 0);
    assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE), 0);
    assert_int_equal(poll_once(sel, 1, 0), 0); /* a request outstanding */
    assert_int_equal(miow_selector_free(sel), 0);
    assert_int_equal(miow_source_free(src), 0);
  }
  assert_true(support_handle_probe() == before);
  support_close(client);
  support_close(server);
}

static void test_50ms_poll_with_nothing_ready_waits_at_least_50ms(void **state) {
  (void)state;
  miow_selector *sel;
  assert_int_equal(miow_selector_new(&sel), 0);
  miow_socket_t client, server;
  miow_source *src = register_client(sel, 1, MIOW_READABLE, &client, &server);
  for (int i = 0; i < 5; i++) {
    miow_event events[4];
    size_t count = 99;
    double start = support_now_ms();
    assert_int_equal(miow_selector_poll(sel, events, 4, &count, 50), 0);
    double elapsed = support_now_ms() - start;
    assert_int_equal(count, 0);
    if (elapsed < 50.0) fail_msg("50 ms poll returned after %.3f ms", elapsed);
    assert_true(elapsed < 2000.0);
  }
  assert_int_equal(miow_source_free(src), 0);
  assert_int_equal(miow_selector_free(sel), 0);
  support_close(client);
  support_close(server);
}

static void test_zero_timeout_poll_with_nothing_ready_returns_at_once(void **state) {
  (void)state;
  miow_selector *sel;
  assert_int_equal(miow_selector_new(&sel), 0);
  miow_event events[4];
  size_t count = 99;
  double start = support_now_ms();
  assert_int_equal(miow_selector_poll(sel, events, 4, &count, 0), 0);
  assert_int_equal(count, 0);
  assert_true(support_now_ms() - start < 1000.0);
  assert_int_equal(miow_selector_free(sel), 0);
}

int main(void) {
  support_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_version_calls_match_header),
      cmocka_unit_test(test_2000_create_register_free_cycles_leak_no_handles),
      cmocka_unit_test(test_selector_freed_before_its_sources_releases_everything),
      cmocka_unit_test(test_50ms_poll_with_nothing_ready_waits_at_least_50ms),
      cmocka_unit_test(test_zero_timeout_poll_with_nothing_ready_returns_at_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

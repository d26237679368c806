/* Trigger modes and registration changes: level, edge, oneshot, zero-timeout polls, token
 * replacement and deregistration. */
#include "support.h"

typedef struct fixture {
  miow_selector *sel;
  miow_socket_t client, server;
  miow_source *src;
} fixture;

static int setup(void **state) {
  static fixture f;
  support_init();
  assert_int_equal(miow_selector_new(&f.sel), 0);
  support_tcp_pair(&f.client, &f.server);
  assert_int_equal(miow_source_new(&f.src, f.client), 0);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_free(f->src), 0);
  assert_int_equal(miow_selector_free(f->sel), 0);
  support_close(f->client);
  support_close(f->server);
  return 0;
}

/* Makes the client readable and waits until the bytes have arrived. */
static void make_readable(fixture *f) {
  assert_int_equal(support_send(f->server, "ping", 4), 4);
  support_sleep_ms(50);
}

static void test_zero_timeout_poll_reports_ready_socket(void **state) {
  fixture *f = *state;
  make_readable(f);
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  /* The registration is submitted by this very call, and the socket is ready now. */
  assert_true(poll_once(f->sel, 1, 0) & MIOW_READABLE);
}

static void test_zero_timeout_poll_after_rearm_reports_ready_socket(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE | MIOW_ONESHOT), 0);
  make_readable(f);
  assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
  /* Disarmed now, with only a watch for the socket's closing outstanding. */
  assert_int_equal(poll_once(f->sel, 1, 0), 0);
  /* Rearming must cancel that watch and issue the wider request within one zero-timeout poll. */
  assert_int_equal(miow_source_rearm(f->src), 0);
  assert_true(poll_once(f->sel, 1, 0) & MIOW_READABLE);
}

static void test_level_reports_every_poll(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  make_readable(f);
  for (int i = 0; i < 5; i++)
    assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
}

static void test_rearm_in_level_mode_changes_nothing(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  expect_silence(f->sel, 1, 100);
  assert_int_equal(miow_source_rearm(f->src), 0);
  expect_silence(f->sel, 1, 100); /* not ready: rearm invents nothing */
  make_readable(f);
  for (int i = 0; i < 3; i++) {
    assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
    assert_int_equal(miow_source_rearm(f->src), 0);
  }
}

static void test_capacity_one_reports_every_ready_source_in_turn(void **state) {
  fixture *f = *state;
  enum { N = 6 };
  miow_socket_t clients[N], servers[N];
  miow_source *srcs[N];
  for (int i = 0; i < N; i++) {
    support_tcp_pair(&clients[i], &servers[i]);
    assert_int_equal(miow_source_new(&srcs[i], clients[i]), 0);
    assert_int_equal(miow_source_register(srcs[i], f->sel, 10 + (uint64_t)i, MIOW_WRITABLE), 0);
  }
  /* All are writable for good (level): polls of one event each must still reach every one. */
  unsigned seen = 0;
  for (int round = 0; round < 20 * N && seen != (1u << N) - 1; round++) {
    miow_event event;
    size_t count = 0;
    assert_int_equal(miow_selector_poll(f->sel, &event, 1, &count, 1000), 0);
    assert_int_equal(count, 1);
    assert_true(event.token >= 10 && event.token < 10 + N);
    seen |= 1u << (event.token - 10);
  }
  assert_int_equal(seen, (1u << N) - 1);
  for (int i = 0; i < N; i++) {
    assert_int_equal(miow_source_free(srcs[i]), 0);
    support_close(clients[i]);
    support_close(servers[i]);
  }
}

static void test_one_poll_returns_every_ready_source_up_to_capacity(void **state) {
  fixture *f = *state;
  enum { N = 300 }; /* more than one batch of the Windows backend's completion-port reads */
  static miow_socket_t socks[N];
  static miow_source *srcs[N];
  uint16_t port;
  for (int i = 0; i < N; i++) {
    socks[i] = support_udp_socket(&port);
    support_udp_send(socks[i], port, "x", 1); /* to itself: readable until read */
    assert_int_equal(miow_source_new(&srcs[i], socks[i]), 0);
    assert_int_equal(miow_source_register(srcs[i], f->sel, 1000 + (uint64_t)i, MIOW_READABLE), 0);
  }
  support_sleep_ms(100);
  static miow_event events[2 * N];
  size_t count = 0;
  /* Each registration's request completes at once; give them all time to land. */
  for (int tries = 0; tries < 50 && count < N; tries++) {
    assert_int_equal(miow_selector_poll(f->sel, events, 2 * N, &count, 1000), 0);
    if (count < N) support_sleep_ms(50);
  }
  assert_int_equal(count, N);
  static unsigned char seen[N];
  for (size_t i = 0; i < count; i++) {
    assert_true(events[i].token >= 1000 && events[i].token < 1000 + N);
    assert_int_equal(seen[events[i].token - 1000]++, 0); /* each source once per call */
  }
  for (int i = 0; i < N; i++) {
    assert_int_equal(miow_source_free(srcs[i]), 0);
    support_close(socks[i]);
  }
}

static void test_edge_reports_once_then_nothing_until_rearm(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE | MIOW_EDGE), 0);
  make_readable(f);
  assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
  /* More data and the old data still unread: edge mode stays silent until rearmed. */
  make_readable(f);
  expect_silence(f->sel, 1, 300);
  assert_int_equal(miow_source_rearm(f->src), 0);
  assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
  expect_silence(f->sel, 1, 200);
}

static void test_edge_keeps_unreported_interest_armed(void **state) {
  fixture *f = *state;
  assert_int_equal(
      miow_source_register(f->src, f->sel, 1, MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE), 0);
  /* Writable at once; readable only later, and still reported because it was not consumed. */
  assert_int_equal(poll_until(f->sel, 1, MIOW_WRITABLE, 2000) & MIOW_READABLE, 0);
  make_readable(f);
  uint32_t seen = poll_until(f->sel, 1, MIOW_READABLE, 2000);
  assert_true(seen & MIOW_READABLE);
  assert_false(seen & MIOW_WRITABLE);
}

/* Polls for up to `ms` and returns every readiness bit reported for token 1. */
static uint32_t collect(fixture *f, int64_t ms) {
  uint32_t seen = 0;
  double deadline = support_now_ms() + (double)ms;
  while (support_now_ms() < deadline) seen |= poll_once(f->sel, 1, 100);
  return seen;
}

/* Waits for `mask` without re-arming. Wine reports a FIN or a reset only once the data before
 * it is read (wine-notes.md); Windows and Linux report it with data still queued. So if it has
 * not come within a while, the rest is read (with recv, which re-arms nothing) and it must
 * come then. */
static uint32_t condition_without_rearm(fixture *f, uint32_t mask) {
  uint32_t seen = collect(f, 500);
  if ((seen & mask) != mask) {
    char rest[16];
    support_try_recv(f->client, rest, sizeof rest);
    seen |= poll_until(f->sel, 1, mask, 3000);
  }
  assert_int_equal(seen & mask, mask);
  return seen;
}

/* The peer's socket is gone: teardown gets a fresh one to close. */
static void replace_server(fixture *f) {
  uint16_t port;
  f->server = support_udp_socket(&port);
}

static void test_edge_reports_a_fin_after_a_partial_read_once_without_rearm(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE | MIOW_EDGE), 0);
  make_readable(f);
  assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
  char buf[2];
  assert_int_equal(support_recv(f->client, buf, sizeof buf), 2); /* half of it */
  /* RECEIVE is spent; the FIN is another condition, reported once as mio reports it. */
  support_shutdown_write(f->server);
  condition_without_rearm(f, MIOW_READ_CLOSED);
  expect_silence(f->sel, 1, 300);
  /* Re-armed, what still holds is reported again. */
  assert_int_equal(miow_source_rearm(f->src), 0);
  assert_true(poll_until(f->sel, 1, MIOW_READ_CLOSED, 3000) & MIOW_READ_CLOSED);
}

static void test_edge_reports_a_reset_after_a_partial_read_once_without_rearm(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE | MIOW_EDGE), 0);
  make_readable(f);
  assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
  char buf[2];
  assert_int_equal(support_recv(f->client, buf, sizeof buf), 2);
  support_close_reset(f->server);
  replace_server(f);
  /* A reset closes both directions; Linux may report it as an error until SO_ERROR is read. */
  uint32_t seen = condition_without_rearm(f, MIOW_READ_CLOSED);
  assert_true(seen & (MIOW_WRITE_CLOSED | MIOW_ERROR));
  expect_silence(f->sel, 1, 300);
}

static void test_edge_reports_a_reset_while_write_blocked_once_without_rearm(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_WRITABLE | MIOW_EDGE), 0);
  assert_true(poll_until(f->sel, 1, MIOW_WRITABLE, 2000) & MIOW_WRITABLE);
  /* SEND is spent, and the socket cannot write now anyway. */
  assert_true(support_send_until_full(f->client) > 0);
  support_close_reset(f->server);
  replace_server(f);
  uint32_t seen = collect(f, 3000);
  assert_true(seen & (MIOW_WRITE_CLOSED | MIOW_ERROR));
  expect_silence(f->sel, 1, 300);
}

static void test_oneshot_reports_once_stays_registered_and_rearms_on_reregister(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE | MIOW_ONESHOT), 0);
  make_readable(f);
  assert_true(poll_until(f->sel, 1, MIOW_READABLE, 2000) & MIOW_READABLE);
  expect_silence(f->sel, 1, 300);
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), MIOW_EEXIST);
  assert_int_equal(miow_source_reregister(f->src, f->sel, 2, MIOW_READABLE | MIOW_ONESHOT), 0);
  assert_true(poll_until(f->sel, 2, MIOW_READABLE, 2000) & MIOW_READABLE);
  expect_silence(f->sel, 2, 200);
}

static void test_oneshot_rearm_keeps_token(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 7, MIOW_READABLE | MIOW_ONESHOT), 0);
  make_readable(f);
  assert_true(poll_until(f->sel, 7, MIOW_READABLE, 2000) & MIOW_READABLE);
  expect_silence(f->sel, 7, 200);
  assert_int_equal(miow_source_rearm(f->src), 0);
  assert_true(poll_until(f->sel, 7, MIOW_READABLE, 2000) & MIOW_READABLE);
}

static void test_reregister_replaces_token(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  /* Submit the request, then let it complete so its packet waits in the port under token 1. */
  assert_int_equal(poll_once(f->sel, 1, 0), 0);
  make_readable(f);
  assert_int_equal(miow_source_reregister(f->src, f->sel, 2, MIOW_READABLE), 0);
  for (int i = 0; i < 5; i++) {
    miow_event events[8];
    size_t count = 0;
    assert_int_equal(miow_selector_poll(f->sel, events, 8, &count, 500), 0);
    assert_true(count > 0);
    for (size_t j = 0; j < count; j++) assert_int_equal(events[j].token, 2);
  }
}

static void test_reregister_replaces_interests(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_WRITABLE), 0);
  assert_true(poll_until(f->sel, 1, MIOW_WRITABLE, 2000) & MIOW_WRITABLE);
  assert_int_equal(miow_source_reregister(f->src, f->sel, 1, MIOW_READABLE), 0);
  expect_silence(f->sel, 1, 300); /* writable no longer asked for, nothing to read yet */
  make_readable(f);
  assert_int_equal(poll_until(f->sel, 1, MIOW_READABLE, 2000), MIOW_READABLE);
}

static void test_no_events_after_deregister_including_in_flight(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  assert_int_equal(poll_once(f->sel, 1, 0), 0); /* request outstanding */
  make_readable(f);                             /* its completion is now queued */
  assert_int_equal(miow_source_deregister(f->src, f->sel), 0);
  expect_silence(f->sel, 1, 300);
  assert_int_equal(miow_source_deregister(f->src, f->sel), MIOW_ENOENT);
  /* And it can be registered again afterwards. */
  assert_int_equal(miow_source_register(f->src, f->sel, 3, MIOW_READABLE), 0);
  assert_true(poll_until(f->sel, 3, MIOW_READABLE, 2000) & MIOW_READABLE);
}

static void test_free_registered_source_reports_nothing(void **state) {
  fixture *f = *state;
  miow_source *other;
  assert_int_equal(miow_source_new(&other, f->client), 0);
  assert_int_equal(miow_source_register(other, f->sel, 9, MIOW_READABLE), 0);
  assert_int_equal(poll_once(f->sel, 9, 0), 0);
  make_readable(f);
  assert_int_equal(miow_source_free(other), 0);
  expect_silence(f->sel, 9, 300);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_zero_timeout_poll_reports_ready_socket),
      T(test_zero_timeout_poll_after_rearm_reports_ready_socket),
      T(test_level_reports_every_poll),
      T(test_rearm_in_level_mode_changes_nothing),
      T(test_capacity_one_reports_every_ready_source_in_turn),
      T(test_one_poll_returns_every_ready_source_up_to_capacity),
      T(test_edge_reports_once_then_nothing_until_rearm),
      T(test_edge_keeps_unreported_interest_armed),
      T(test_edge_reports_a_fin_after_a_partial_read_once_without_rearm),
      T(test_edge_reports_a_reset_after_a_partial_read_once_without_rearm),
      T(test_edge_reports_a_reset_while_write_blocked_once_without_rearm),
      T(test_oneshot_reports_once_stays_registered_and_rearms_on_reregister),
      T(test_oneshot_rearm_keeps_token),
      T(test_reregister_replaces_token),
      T(test_reregister_replaces_interests),
      T(test_no_events_after_deregister_including_in_flight),
      T(test_free_registered_source_reports_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Waitable sources (miow_source_new_waitable) on both backends, through an object that stays
 * set until reset (a manual-reset event on Windows, an eventfd on Linux): every mode, the
 * registration calls, refused values and calls, deregistration and free racing a signal from
 * four threads, and a thousand sources on one selector. The object kinds of one OS are in
 * test_waitable_win.c and test_waitable_unix.c. Under Wine this suite runs twice, once with
 * MIOW_WAIT_FALLBACK=1 (the thread-pool path). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "support.h"

typedef struct fixture {
  miow_selector *sel;
  miow_socket_t signal;
  miow_source *src;
} fixture;

static int setup(void **state) {
  static fixture f;
  support_init();
  assert_int_equal(miow_selector_new(&f.sel), 0);
  f.signal = support_signal_new();
  assert_int_equal(miow_source_new_waitable(&f.src, f.signal), 0);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_free(f->src), 0);
  assert_int_equal(miow_selector_free(f->sel), 0);
  support_signal_close(f->signal);
  return 0;
}

static void test_unset_object_reports_nothing(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  expect_silence(f->sel, 1, 200);
}

static void test_level_reports_every_poll_while_set(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  support_signal_set(f->signal);
  assert_int_equal(poll_until(f->sel, 1, MIOW_READABLE, 5000), MIOW_READABLE);
  for (int i = 0; i < 3; i++) assert_int_equal(poll_once(f->sel, 1, 5000), MIOW_READABLE);
  support_signal_reset(f->signal);
  expect_silence(f->sel, 1, 300);
  support_signal_set(f->signal);
  assert_int_equal(poll_until(f->sel, 1, MIOW_READABLE, 5000), MIOW_READABLE);
}

static void test_level_set_before_register_reports_in_zero_timeout_poll(void **state) {
  fixture *f = *state;
  support_signal_set(f->signal);
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  assert_int_equal(poll_once(f->sel, 1, 0), MIOW_READABLE);
  assert_int_equal(poll_once(f->sel, 1, 0), MIOW_READABLE);
}

/* Edge and oneshot alike: one report, silence while the object stays set, one more after
 * the rearm. */
static void once_until_rearm(fixture *f, uint32_t mode) {
  assert_int_equal(miow_source_register(f->src, f->sel, 2, MIOW_READABLE | mode), 0);
  support_signal_set(f->signal);
  assert_int_equal(poll_until(f->sel, 2, MIOW_READABLE, 5000), MIOW_READABLE);
  expect_silence(f->sel, 2, 300);
  assert_int_equal(miow_source_rearm(f->src), 0);
  assert_int_equal(poll_until(f->sel, 2, MIOW_READABLE, 5000), MIOW_READABLE);
  expect_silence(f->sel, 2, 200);
}

static void test_edge_reports_once_until_rearm(void **state) {
  once_until_rearm(*state, MIOW_EDGE);
}

static void test_oneshot_reports_once_and_rearm_keeps_token(void **state) {
  once_until_rearm(*state, MIOW_ONESHOT);
}

static void test_rearm_of_an_unreported_registration_reports_once(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 3, MIOW_READABLE | MIOW_ONESHOT), 0);
  /* Armed and waiting: a rearm must not start a second wait that would report twice. */
  assert_int_equal(miow_source_rearm(f->src), 0);
  assert_int_equal(miow_source_rearm(f->src), 0);
  support_signal_set(f->signal);
  assert_int_equal(poll_until(f->sel, 3, MIOW_READABLE, 5000), MIOW_READABLE);
  expect_silence(f->sel, 3, 300);
}

static void test_reregister_replaces_token_and_rearms(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 4, MIOW_READABLE | MIOW_ONESHOT), 0);
  support_signal_set(f->signal);
  assert_int_equal(poll_until(f->sel, 4, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_int_equal(miow_source_reregister(f->src, f->sel, 5, MIOW_READABLE | MIOW_ONESHOT), 0);
  miow_event events[8];
  size_t count = 0;
  double deadline = support_now_ms() + 5000;
  bool seen = false;
  while (!seen && support_now_ms() < deadline) {
    assert_int_equal(miow_selector_poll(f->sel, events, 8, &count, 100), 0);
    for (size_t i = 0; i < count; i++) {
      assert_int_equal(events[i].token, 5);
      seen = true;
    }
  }
  assert_true(seen);
}

static void test_reregister_with_a_wait_in_flight_reports_new_token_only(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 6, MIOW_READABLE), 0);
  support_signal_set(f->signal);
  support_sleep_ms(100); /* Windows: the wait has fired, its packet is queued, not yet polled */
  assert_int_equal(miow_source_reregister(f->src, f->sel, 7, MIOW_READABLE), 0);
  assert_int_equal(poll_once(f->sel, 6, 200), 0);
  assert_int_equal(poll_until(f->sel, 7, MIOW_READABLE, 5000), MIOW_READABLE);
}

static void test_no_event_after_deregister_with_a_wait_in_flight(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_register(f->src, f->sel, 8, MIOW_READABLE), 0);
  support_signal_set(f->signal);
  support_sleep_ms(100);
  assert_int_equal(miow_source_deregister(f->src, f->sel), 0);
  expect_silence(f->sel, 8, 300);
  /* The source registers again, and reports under its new registration only. */
  assert_int_equal(miow_source_register(f->src, f->sel, 9, MIOW_READABLE), 0);
  assert_int_equal(poll_until(f->sel, 9, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_int_equal(poll_once(f->sel, 8, 100), 0);
}

static void test_free_with_a_wait_in_flight_reports_nothing(void **state) {
  fixture *f = *state;
  miow_source *other = NULL;
  assert_int_equal(miow_source_new_waitable(&other, f->signal), 0);
  assert_int_equal(miow_source_register(other, f->sel, 10, MIOW_READABLE), 0);
  support_signal_set(f->signal);
  support_sleep_ms(100);
  assert_int_equal(miow_source_free(other), 0);
  expect_silence(f->sel, 10, 300);
}

static void test_registration_calls_follow_the_source_rules(void **state) {
  fixture *f = *state;
  assert_int_equal(miow_source_rearm(f->src), MIOW_ENOENT);
  assert_int_equal(miow_source_deregister(f->src, f->sel), MIOW_ENOENT);
  assert_int_equal(miow_source_reregister(f->src, f->sel, 1, MIOW_READABLE), MIOW_ENOENT);
  assert_int_equal(miow_source_register(f->src, f->sel, 1, 0), MIOW_EINVAL);
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), 0);
  assert_int_equal(miow_source_register(f->src, f->sel, 1, MIOW_READABLE), MIOW_EEXIST);
  miow_selector *other = NULL;
  assert_int_equal(miow_selector_new(&other), 0);
  assert_int_equal(miow_source_register(f->src, other, 1, MIOW_READABLE), MIOW_EEXIST);
  assert_int_equal(miow_source_deregister(f->src, other), MIOW_ENOENT);
  assert_int_equal(miow_source_deregister(f->src, f->sel), 0);
  /* Deregistered, it may go to another selector. */
  assert_int_equal(miow_source_register(f->src, other, 2, MIOW_READABLE), 0);
  support_signal_set(f->signal);
  assert_int_equal(poll_until(other, 2, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_int_equal(miow_source_deregister(f->src, other), 0);
  assert_int_equal(miow_selector_free(other), 0);
}

static void test_io_calls_refuse_a_waitable_source(void **state) {
  fixture *f = *state;
  char buf[8];
  size_t n = 0;
  int32_t error = 0;
  assert_int_equal(miow_source_read(f->src, buf, sizeof buf, &n), MIOW_ENOTSUP);
  assert_int_equal(miow_source_write(f->src, "x", 1, &n), MIOW_ENOTSUP);
  assert_int_equal(miow_source_shutdown(f->src, MIOW_SHUT_BOTH), MIOW_ENOTSUP);
  int32_t os_error = 0;
  assert_int_equal(miow_source_take_error(f->src, &error, &os_error), MIOW_ENOTSUP);
  assert_int_equal(miow_pipe_connect(f->src), MIOW_ENOTSUP);
  miow_socket_t value = 0;
  assert_int_equal(miow_source_socket(f->src, &value), 0);
  assert_true(value == f->signal);
}

static void test_bad_values_give_documented_codes(void **state) {
  (void)state;
  miow_source *src = NULL;
  miow_socket_t signal = support_signal_new();
  assert_int_equal(miow_source_new_waitable(NULL, signal), MIOW_EINVAL);
  support_signal_close(signal);
  /* All bits set: INVALID_HANDLE_VALUE on Windows, -1 as a descriptor on Linux. */
  assert_int_equal(miow_source_new_waitable(&src, UINTPTR_MAX), MIOW_EINVAL);
  assert_null(src);
  assert_int_equal(miow_source_new_waitable(&src, support_closed_value()), MIOW_EINVAL);
  assert_null(src);
  assert_int_equal(miow_last_os_error(), support_is_windows() ? 6 /* ERROR_INVALID_HANDLE */
                                                              : 9 /* EBADF */);
}

static void test_closing_the_object_leaves_the_source_usable(void **state) {
  fixture *f = *state;
  miow_socket_t signal = support_signal_new();
  miow_source *src = NULL;
  assert_int_equal(miow_source_new_waitable(&src, signal), 0);
  support_signal_close(signal);
  /* The value is checked again at registration: it no longer names an object. */
  assert_int_equal(miow_source_register(src, f->sel, 1, MIOW_READABLE), MIOW_EINVAL);
  assert_int_equal(miow_source_free(src), 0);
}

/* ---- deregistration and free racing signals ---- */

#define RACE_THREADS 4
#define RACE_ROUNDS 1000 /* in all, over the threads */
#define RACE_TOKEN_BASE 1000

typedef struct race {
  miow_selector *sel;
  atomic_uint polls_started;
  atomic_uint dead_after[RACE_ROUNDS]; /* polls started when round i's source was let go + 1 */
  atomic_int next_round;
  atomic_int stale;
} race;

static void race_worker(void *arg) {
  race *r = arg;
  int round;
  while ((round = atomic_fetch_add(&r->next_round, 1)) < RACE_ROUNDS) {
    miow_socket_t signal = support_signal_new();
    miow_source *src = NULL;
    if (miow_source_new_waitable(&src, signal) != 0 ||
        miow_source_register(src, r->sel, RACE_TOKEN_BASE + (uint64_t)round, MIOW_READABLE) != 0) {
      atomic_fetch_add(&r->stale, 1000000); /* a failure, counted apart from stale events */
      return;
    }
    support_signal_set(signal);
    /* Half deregister, then free; half free at once; both while the wait may be firing. */
    if (round % 2 == 0 && miow_source_deregister(src, r->sel) != 0)
      atomic_fetch_add(&r->stale, 1000000);
    if (miow_source_free(src) != 0) atomic_fetch_add(&r->stale, 1000000);
    atomic_store(&r->dead_after[round], atomic_load(&r->polls_started) + 1);
    support_signal_close(signal);
  }
}

static void race_poll(race *r, int64_t timeout_ms) {
  miow_event events[64];
  size_t count = 0;
  unsigned poll_number = atomic_fetch_add(&r->polls_started, 1) + 1;
  assert_int_equal(miow_selector_poll(r->sel, events, 64, &count, timeout_ms), 0);
  for (size_t i = 0; i < count; i++) {
    if (events[i].token < RACE_TOKEN_BASE) continue;
    uint64_t round = events[i].token - RACE_TOKEN_BASE;
    assert_true(round < RACE_ROUNDS);
    /* A poll that started after the source was let go must not report it. */
    unsigned dead = atomic_load(&r->dead_after[round]);
    if (dead != 0 && poll_number >= dead) atomic_fetch_add(&r->stale, 1);
  }
}

static void race_run(race *r) {
  atomic_store(&r->next_round, 0);
  for (int i = 0; i < RACE_ROUNDS; i++) atomic_store(&r->dead_after[i], 0);
  support_thread *threads[RACE_THREADS];
  for (int i = 0; i < RACE_THREADS; i++) threads[i] = support_thread_start(race_worker, r);
  while (atomic_load(&r->next_round) < RACE_ROUNDS) race_poll(r, 5);
  for (int i = 0; i < RACE_THREADS; i++) support_thread_join(threads[i]);
  /* Whatever was still in flight drains without an event. */
  for (int i = 0; i < 20; i++) race_poll(r, 10);
  assert_int_equal(atomic_load(&r->stale), 0);
}

static void test_deregister_and_free_racing_signals_leave_no_stale_token_or_leak(void **state) {
  fixture *f = *state;
  static race r;
  r.sel = f->sel;
  atomic_store(&r.stale, 0);
  /* A first run warms up what the OS keeps afterwards (thread-pool threads, Wine's wait
   * queues), so that the second measures only what the library would leak. */
  race_run(&r);
  support_sleep_ms(200);
  uint64_t before = support_handle_probe();
  race_run(&r);
  support_sleep_ms(200);
  uint64_t after = support_handle_probe();
  /* Under Wine the probe counts the handle slots in use (support/win/support.c), and Wine
   * hands out the lowest free slot, so a leaked handle shows; on Linux it counts descriptors
   * (memory is checked by the valgrind preset). */
  assert_int_equal(after, before);
}

/* ---- many sources ---- */

#define MANY 1000

static void test_thousand_waitable_sources_on_one_selector(void **state) {
  fixture *f = *state;
  assert_true(support_raise_socket_limit(2 * MANY + 64) >= 2 * MANY + 64);
  static miow_socket_t signals[MANY];
  static miow_source *sources[MANY];
  static bool seen[MANY];
  for (int i = 0; i < MANY; i++) {
    signals[i] = support_signal_new();
    assert_int_equal(miow_source_new_waitable(&sources[i], signals[i]), 0);
    assert_int_equal(
        miow_source_register(sources[i], f->sel, (uint64_t)i, MIOW_READABLE | MIOW_ONESHOT), 0);
    seen[i] = false;
  }
  expect_silence(f->sel, 0, 100);
  for (int i = 0; i < MANY; i++) support_signal_set(signals[i]);
  int distinct = 0;
  double deadline = support_now_ms() + 30000;
  miow_event events[256];
  while (distinct < MANY && support_now_ms() < deadline) {
    size_t count = 0;
    assert_int_equal(miow_selector_poll(f->sel, events, 256, &count, 1000), 0);
    for (size_t i = 0; i < count; i++) {
      assert_true(events[i].token < MANY);
      assert_int_equal(events[i].readiness, MIOW_READABLE);
      assert_false(seen[events[i].token]); /* oneshot: once each */
      seen[events[i].token] = true;
      distinct++;
    }
  }
  assert_int_equal(distinct, MANY);
  expect_silence(f->sel, 0, 100);
  for (int i = 0; i < MANY; i++) {
    assert_int_equal(miow_source_free(sources[i]), 0);
    support_signal_close(signals[i]);
  }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const char *fallback = getenv("MIOW_WAIT_FALLBACK");
  printf("MIOW_WAIT_FALLBACK=%s\n", fallback != NULL ? fallback : "(unset)");
  const struct CMUnitTest tests[] = {
      T(test_unset_object_reports_nothing),
      T(test_level_reports_every_poll_while_set),
      T(test_level_set_before_register_reports_in_zero_timeout_poll),
      T(test_edge_reports_once_until_rearm),
      T(test_oneshot_reports_once_and_rearm_keeps_token),
      T(test_rearm_of_an_unreported_registration_reports_once),
      T(test_reregister_replaces_token_and_rearms),
      T(test_reregister_with_a_wait_in_flight_reports_new_token_only),
      T(test_no_event_after_deregister_with_a_wait_in_flight),
      T(test_free_with_a_wait_in_flight_reports_nothing),
      T(test_registration_calls_follow_the_source_rules),
      T(test_io_calls_refuse_a_waitable_source),
      T(test_bad_values_give_documented_codes),
      T(test_closing_the_object_leaves_the_source_usable),
      T(test_deregister_and_free_racing_signals_leave_no_stale_token_or_leak),
      T(test_thousand_waitable_sources_on_one_selector),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

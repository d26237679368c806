/* Cross-thread behaviour: registrations during a blocked poll, wakers, posted events, churn
 * from several threads, freeing a selector under a poller, and the single-poller rule. */
#include <stdatomic.h>
#include <stdlib.h>

#include "support.h"

static miow_selector *sel;

/* cmocka's assertions may only fail on the test's own thread; worker threads record the first
 * failed check here and the test thread asserts on it after joining them. */
static _Atomic int thread_failure_line;
static _Atomic int64_t thread_failure_value;
#define THREAD_CHECK_EQ(expr, want)                                               \
  do {                                                                            \
    int64_t got_ = (int64_t)(expr);                                               \
    if (got_ != (int64_t)(want)) {                                                \
      int none_ = 0;                                                              \
      if (atomic_compare_exchange_strong(&thread_failure_line, &none_, __LINE__)) \
        atomic_store(&thread_failure_value, got_);                                \
    }                                                                             \
  } while (0)

static void expect_no_thread_failure(void) {
  if (atomic_load(&thread_failure_line) != 0)
    fail_msg("check at line %d failed in a worker thread: got %lld",
             atomic_load(&thread_failure_line), (long long)atomic_load(&thread_failure_value));
}

/* Returns once another thread is inside miow_selector_poll on `s`: a zero-timeout poll of our
 * own then gets MIOW_EBUSY. Only for selectors with nothing ready, since a poll that gets in
 * first would take the events. */
static void wait_until_polling(miow_selector *s) {
  miow_event events[4];
  size_t count;
  double deadline = support_now_ms() + 10000;
  while (miow_selector_poll(s, events, 4, &count, 0) != MIOW_EBUSY) {
    assert_int_equal(count, 0);
    assert_true(support_now_ms() < deadline);
    support_sleep_ms(5);
  }
}

static int setup(void **state) {
  (void)state;
  support_init();
  assert_int_equal(miow_selector_new(&sel), 0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  assert_int_equal(miow_selector_free(sel), 0);
  return 0;
}

typedef struct blocked_poll {
  miow_selector *sel;
  int64_t timeout_ms;
  int32_t rc;
  size_t count;
  miow_event events[16];
  double elapsed_ms;
} blocked_poll;

static void blocked_poll_main(void *arg) {
  blocked_poll *p = arg;
  double start = support_now_ms();
  /* The test thread's own probes (wait_until_polling) may hold the selector for an instant. */
  do {
    p->rc = miow_selector_poll(p->sel, p->events, 16, &p->count, p->timeout_ms);
  } while (p->rc == MIOW_EBUSY);
  p->elapsed_ms = support_now_ms() - start;
}

static void test_registration_during_blocked_poll_is_delivered_in_that_poll(void **state) {
  (void)state;
  miow_socket_t client, server;
  support_tcp_pair(&client, &server);
  assert_int_equal(support_send(server, "x", 1), 1);
  blocked_poll p = {.sel = sel, .timeout_ms = 10000};
  support_thread *t = support_thread_start(blocked_poll_main, &p);
  wait_until_polling(sel);
  miow_source *src;
  assert_int_equal(miow_source_new(&src, client), 0);
  assert_int_equal(miow_source_register(src, sel, 42, MIOW_READABLE), 0);
  support_thread_join(t);
  assert_int_equal(p.rc, 0);
  assert_int_equal(p.count, 1);
  assert_int_equal(p.events[0].token, 42);
  assert_true(p.events[0].readiness & MIOW_READABLE);
  assert_true(p.elapsed_ms < 5000);
  assert_int_equal(miow_source_free(src), 0);
  support_close(client);
  support_close(server);
}

static void wake_later(void *arg) {
  support_sleep_ms(200);
  THREAD_CHECK_EQ(miow_waker_wake(arg), 0);
}

static void test_waker_from_another_thread_ends_blocked_poll(void **state) {
  (void)state;
  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, 99, &w), 0);
  support_thread *t = support_thread_start(wake_later, w);
  miow_event events[4];
  size_t count = 0;
  double start = support_now_ms();
  assert_int_equal(miow_selector_poll(sel, events, 4, &count, -1), 0);
  assert_true(support_now_ms() - start < 5000);
  support_thread_join(t);
  expect_no_thread_failure();
  assert_int_equal(count, 1);
  assert_int_equal(events[0].token, 99);
  assert_int_equal(events[0].readiness, MIOW_READABLE);
  assert_int_equal(miow_waker_free(w), 0);
}

static void test_many_wakes_before_a_poll_coalesce_into_one_event(void **state) {
  (void)state;
  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, 5, &w), 0);
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 1000; i++) assert_int_equal(miow_waker_wake(w), 0);
    miow_event events[16];
    size_t count = 0;
    assert_int_equal(miow_selector_poll(sel, events, 16, &count, 1000), 0);
    assert_int_equal(count, 1);
    assert_int_equal(events[0].token, 5);
    assert_int_equal(poll_once(sel, 5, 100), 0);
  }
  assert_int_equal(miow_waker_free(w), 0);
}

static void test_freed_waker_with_queued_wake_reports_nothing(void **state) {
  (void)state;
  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, 6, &w), 0);
  assert_int_equal(miow_waker_wake(w), 0);
  assert_int_equal(miow_waker_free(w), 0);
  assert_int_equal(miow_waker_wake(w), MIOW_EBADHANDLE);
  expect_silence(sel, 6, 200);
}

static void test_posted_events_are_delivered_without_coalescing(void **state) {
  (void)state;
  assert_int_equal(miow_selector_post(sel, 77, MIOW_READABLE | MIOW_WRITABLE), 0);
  assert_int_equal(miow_selector_post(sel, 77, MIOW_ERROR), 0);
  miow_event events[8];
  size_t count = 0;
  assert_int_equal(miow_selector_poll(sel, events, 8, &count, 1000), 0);
  assert_int_equal(count, 2);
  assert_int_equal(events[0].token, 77);
  assert_int_equal(events[0].readiness, MIOW_READABLE | MIOW_WRITABLE);
  assert_int_equal(events[1].token, 77);
  assert_int_equal(events[1].readiness, MIOW_ERROR);
  assert_int_equal(events[0].reserved, 0);
}

/* On x86 a completion packet carries two 32-bit words besides its status, so a posted token is
 * split across them and put back together: every bit of it must come back, high half included. */
static void test_posted_and_waker_tokens_keep_all_64_bits(void **state) {
  (void)state;
  static const uint64_t tokens[] = {UINT64_C(0x123456789abcdef0), UINT64_MAX,
                                    UINT64_C(0x0000000100000000), UINT64_C(0x80000000ffffffff)};
  enum { COUNT = sizeof tokens / sizeof tokens[0] };
  for (size_t i = 0; i < COUNT; i++)
    assert_int_equal(miow_selector_post(sel, tokens[i], i % 2 ? MIOW_WRITABLE : MIOW_PRIORITY), 0);
  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, UINT64_C(0xfedcba9800000007), &w), 0);
  assert_int_equal(miow_waker_wake(w), 0);
  miow_event events[COUNT + 2];
  size_t got = 0;
  for (int round = 0; round < 20 && got < COUNT + 1; round++) {
    size_t count = 0;
    assert_int_equal(miow_selector_poll(sel, events + got, COUNT + 2 - got, &count, 1000), 0);
    got += count;
  }
  assert_int_equal(got, COUNT + 1);
  bool seen[COUNT] = {false};
  bool woke = false;
  for (size_t k = 0; k < got; k++) {
    if (events[k].token == UINT64_C(0xfedcba9800000007)) {
      assert_false(woke);
      assert_int_equal(events[k].readiness, MIOW_READABLE);
      woke = true;
      continue;
    }
    size_t i = 0;
    while (i < COUNT && tokens[i] != events[k].token) i++;
    if (i == COUNT) fail_msg("an event came back with token %#llx", (unsigned long long)events[k].token);
    assert_false(seen[i]);
    seen[i] = true;
    assert_int_equal(events[k].readiness, i % 2 ? MIOW_WRITABLE : MIOW_PRIORITY);
  }
  assert_true(woke);
  assert_int_equal(miow_waker_free(w), 0);
}

static void test_second_concurrent_poll_gets_busy(void **state) {
  (void)state;
  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, 4, &w), 0);
  blocked_poll p = {.sel = sel, .timeout_ms = 30000};
  support_thread *t = support_thread_start(blocked_poll_main, &p);
  wait_until_polling(sel); /* the EBUSY this waits for is the behaviour under test */
  miow_event events[4];
  size_t count = 7;
  assert_int_equal(miow_selector_poll(sel, events, 4, &count, 0), MIOW_EBUSY);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EBUSY));
  assert_int_equal(miow_waker_wake(w), 0);
  support_thread_join(t);
  assert_int_equal(p.rc, 0);
  assert_int_equal(p.count, 1);
  assert_int_equal(miow_waker_free(w), 0);
  /* Once the first poll is over, polling works again. */
  assert_int_equal(miow_selector_poll(sel, events, 4, &count, 0), 0);
}

static void test_selector_freed_during_poll_returns_closed(void **state) {
  (void)state;
  miow_selector *doomed;
  assert_int_equal(miow_selector_new(&doomed), 0);
  miow_socket_t client, server;
  miow_source *src = register_client(doomed, 1, MIOW_READABLE, &client, &server);
  blocked_poll p = {.sel = doomed, .timeout_ms = -1};
  support_thread *t = support_thread_start(blocked_poll_main, &p);
  wait_until_polling(doomed);
  assert_int_equal(miow_selector_free(doomed), 0);
  support_thread_join(t);
  assert_int_equal(p.rc, MIOW_ECLOSED);
  assert_true(p.elapsed_ms < 10000);
  /* The source outlives the selector cleanly. */
  assert_int_equal(miow_source_deregister(src, doomed), MIOW_EBADHANDLE);
  assert_int_equal(miow_source_register(src, sel, 2, MIOW_READABLE), MIOW_EEXIST);
  assert_int_equal(miow_source_free(src), 0);
  support_close(client);
  support_close(server);
}

static void test_reregister_during_blocked_poll_is_delivered_in_that_poll(void **state) {
  (void)state;
  miow_socket_t client, server;
  miow_source *src = register_client(sel, 1, MIOW_READABLE, &client, &server);
  blocked_poll p = {.sel = sel, .timeout_ms = 10000};
  support_thread *t = support_thread_start(blocked_poll_main, &p);
  wait_until_polling(sel);
  /* Writable is ready at once: the blocked poll must report it, under the new token. */
  assert_int_equal(miow_source_reregister(src, sel, 2, MIOW_WRITABLE), 0);
  support_thread_join(t);
  assert_int_equal(p.rc, 0);
  assert_int_equal(p.count, 1);
  assert_int_equal(p.events[0].token, 2);
  assert_int_equal(p.events[0].readiness, MIOW_WRITABLE);
  assert_true(p.elapsed_ms < 5000);
  assert_int_equal(miow_source_free(src), 0);
  support_close(client);
  support_close(server);
}

static void test_deregister_during_blocked_poll_silences_the_source_in_that_poll(void **state) {
  (void)state;
  miow_socket_t client, server;
  miow_source *src = register_client(sel, 1, MIOW_READABLE, &client, &server);
  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, 9, &w), 0);
  blocked_poll p = {.sel = sel, .timeout_ms = 10000};
  support_thread *t = support_thread_start(blocked_poll_main, &p);
  wait_until_polling(sel);
  assert_int_equal(miow_source_deregister(src, sel), 0);
  assert_int_equal(support_send(server, "x", 1), 1); /* would have made token 1 readable */
  support_sleep_ms(200);
  assert_int_equal(miow_waker_wake(w), 0); /* ends the poll with a known event */
  support_thread_join(t);
  assert_int_equal(p.rc, 0);
  for (size_t i = 0; i < p.count; i++) assert_int_equal(p.events[i].token, 9);
  assert_int_equal(miow_waker_free(w), 0);
  assert_int_equal(miow_source_free(src), 0);
  support_close(client);
  support_close(server);
}

static void post_later(void *arg) {
  support_sleep_ms(100);
  THREAD_CHECK_EQ(miow_selector_post(arg, 31, MIOW_WRITABLE), 0);
}

static void test_post_from_another_thread_ends_blocked_poll(void **state) {
  (void)state;
  support_thread *t = support_thread_start(post_later, sel);
  miow_event events[4];
  size_t count = 0;
  assert_int_equal(miow_selector_poll(sel, events, 4, &count, 10000), 0);
  support_thread_join(t);
  expect_no_thread_failure();
  assert_int_equal(count, 1);
  assert_int_equal(events[0].token, 31);
  assert_int_equal(events[0].readiness, MIOW_WRITABLE);
}

static void test_posts_beyond_capacity_are_kept_in_order(void **state) {
  (void)state;
  for (uint64_t i = 0; i < 40; i++)
    assert_int_equal(miow_selector_post(sel, 100 + i, MIOW_READABLE), 0);
  uint64_t next = 100;
  while (next < 140) {
    miow_event events[3];
    size_t count = 0;
    assert_int_equal(miow_selector_poll(sel, events, 3, &count, 1000), 0);
    assert_true(count >= 1 && count <= 3);
    for (size_t i = 0; i < count; i++) assert_int_equal(events[i].token, next++);
  }
  assert_int_equal(poll_once(sel, 0, 100), 0);
}

static void test_waker_of_a_freed_selector_reports_closed(void **state) {
  (void)state;
  miow_selector *doomed;
  miow_waker *w;
  assert_int_equal(miow_selector_new(&doomed), 0);
  assert_int_equal(miow_waker_new(doomed, 1, &w), 0);
  assert_int_equal(miow_selector_free(doomed), 0);
  assert_int_equal(miow_waker_wake(w), MIOW_ECLOSED);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_ECLOSED));
  assert_int_equal(miow_waker_free(w), 0);
}

/* ---- churn: four threads change registrations while a fifth polls ---- */

#define CHURN_THREADS 4
#define CHURN_SOCKETS 4
#define CHURN_MS 3000
#define TOKEN_SPACE (1u << 20)

/* Each token is used once. A token's retirement is stamped with the sequence number that was
 * current when the call retiring it returned; a poll that began after that stamp must never
 * report it. */
static _Atomic uint64_t sequence = 1;
static _Atomic uint64_t *retired_at;
static atomic_bool churn_stop;
static _Atomic uint64_t events_seen;
static _Atomic uint64_t stale_events;

typedef struct churner {
  int index;
  miow_socket_t client[CHURN_SOCKETS], server[CHURN_SOCKETS];
  miow_source *src[CHURN_SOCKETS];
  uint64_t current[CHURN_SOCKETS];
  uint32_t next;
} churner;

static uint64_t churn_token(churner *c) { return ((uint64_t)c->index << 18 | c->next++) + 1; }

static void churn_retire(uint64_t token) {
  atomic_store(&retired_at[token], atomic_load(&sequence));
}

static void churner_main(void *arg) {
  churner *c = arg;
  unsigned seed = (unsigned)c->index * 7919u + 1;
  /* Bounded by time, and by the unique tokens each thread has (a reused token would make the
   * staleness check meaningless). */
  while (!atomic_load(&churn_stop) && c->next < (1u << 18) - 1) {
    seed = seed * 1103515245u + 12345u;
    int i = (int)((seed >> 16) % CHURN_SOCKETS);
    uint64_t old = c->current[i];
    switch ((seed >> 8) % 3) {
      case 0:
        if (old == 0) {
          uint64_t token = churn_token(c);
          THREAD_CHECK_EQ(miow_source_register(c->src[i], sel, token, MIOW_READABLE), 0);
          c->current[i] = token;
        }
        break;
      case 1:
        if (old != 0) {
          uint64_t token = churn_token(c);
          uint32_t mode = (seed >> 4) % 2 ? MIOW_ONESHOT : 0;
          THREAD_CHECK_EQ(miow_source_reregister(c->src[i], sel, token, MIOW_READABLE | mode), 0);
          c->current[i] = token;
          churn_retire(old);
        }
        break;
      case 2:
        if (old != 0) {
          THREAD_CHECK_EQ(miow_source_deregister(c->src[i], sel), 0);
          c->current[i] = 0;
          churn_retire(old);
        }
        break;
    }
  }
}

static void poller_main(void *arg) {
  (void)arg;
  miow_event events[64];
  while (!atomic_load(&churn_stop)) {
    uint64_t started = atomic_fetch_add(&sequence, 1) + 1;
    size_t count = 0;
    THREAD_CHECK_EQ(miow_selector_poll(sel, events, 64, &count, 50), 0);
    for (size_t i = 0; i < count; i++) {
      uint64_t token = events[i].token;
      THREAD_CHECK_EQ(token > 0 && token < TOKEN_SPACE, 1);
      if (token == 0 || token >= TOKEN_SPACE) continue;
      uint64_t retired = atomic_load(&retired_at[token]);
      if (retired != 0 && retired < started) atomic_fetch_add(&stale_events, 1);
      atomic_fetch_add(&events_seen, 1);
    }
  }
}

static void test_four_threads_churn_registrations_while_fifth_polls(void **state) {
  (void)state;
  retired_at = calloc(TOKEN_SPACE, sizeof *retired_at);
  assert_non_null(retired_at);
  static churner churners[CHURN_THREADS];
  for (int t = 0; t < CHURN_THREADS; t++) {
    churners[t].index = t;
    for (int i = 0; i < CHURN_SOCKETS; i++) {
      support_tcp_pair(&churners[t].client[i], &churners[t].server[i]);
      /* Readable for the whole run, so every armed registration keeps producing events. */
      assert_int_equal(support_send(churners[t].server[i], "data", 4), 4);
      assert_int_equal(miow_source_new(&churners[t].src[i], churners[t].client[i]), 0);
    }
  }
  support_sleep_ms(50);
  support_thread *threads[CHURN_THREADS + 1];
  threads[CHURN_THREADS] = support_thread_start(poller_main, NULL);
  for (int t = 0; t < CHURN_THREADS; t++)
    threads[t] = support_thread_start(churner_main, &churners[t]);
  support_sleep_ms(CHURN_MS);
  atomic_store(&churn_stop, true);
  for (int t = 0; t <= CHURN_THREADS; t++) support_thread_join(threads[t]);
  expect_no_thread_failure();
  assert_int_equal(atomic_load(&stale_events), 0);
  assert_true(atomic_load(&events_seen) > 0);

  /* Nothing lost: every socket registered afresh is reported. */
  uint64_t final_token = TOKEN_SPACE - 1;
  for (int t = 0; t < CHURN_THREADS; t++) {
    for (int i = 0; i < CHURN_SOCKETS; i++) {
      miow_source *src = churners[t].src[i];
      if (churners[t].current[i] != 0) assert_int_equal(miow_source_deregister(src, sel), 0);
      assert_int_equal(
          miow_source_register(src, sel, final_token - (uint64_t)(t * CHURN_SOCKETS + i),
                               MIOW_READABLE),
          0);
    }
  }
  for (int t = 0; t < CHURN_THREADS; t++)
    for (int i = 0; i < CHURN_SOCKETS; i++)
      assert_true(
          poll_until(sel, final_token - (uint64_t)(t * CHURN_SOCKETS + i), MIOW_READABLE, 3000) &
          MIOW_READABLE);
  for (int t = 0; t < CHURN_THREADS; t++) {
    for (int i = 0; i < CHURN_SOCKETS; i++) {
      assert_int_equal(miow_source_free(churners[t].src[i]), 0);
      support_close(churners[t].client[i]);
      support_close(churners[t].server[i]);
    }
  }
  print_message("churn: %llu events, %llu stale\n", (unsigned long long)atomic_load(&events_seen),
                (unsigned long long)atomic_load(&stale_events));
  free(retired_at);
}

/* ---- one report per registration per poll ---- */

#define EDGE_SOURCES 600

typedef struct rearmer {
  miow_source **sources;
  _Atomic bool stop;
} rearmer;

static void rearm_all_until_stopped(void *arg) {
  rearmer *r = arg;
  while (!atomic_load(&r->stop))
    for (size_t i = 0; i < EDGE_SOURCES; i++) THREAD_CHECK_EQ(miow_source_rearm(r->sources[i]), 0);
}

/* More ready sources than one batch of packets: a poll collects several batches and lets go of
 * the selector between them, and a rearm from another thread then re-issues a request that
 * may complete within that same poll. The selector.h promise still holds: each registration
 * at most once per call. */
static void test_concurrent_rearm_never_reports_a_registration_twice_in_one_poll(void **state) {
  (void)state;
  miow_socket_t socks[EDGE_SOURCES];
  static miow_source *sources[EDGE_SOURCES];
  for (size_t i = 0; i < EDGE_SOURCES; i++) {
    uint16_t port;
    socks[i] = support_udp_socket(&port); /* always writable */
    assert_int_equal(miow_source_new(&sources[i], socks[i]), 0);
    assert_int_equal(miow_source_register(sources[i], sel, i, MIOW_WRITABLE | MIOW_EDGE), 0);
  }
  rearmer r = {sources, false};
  support_thread *t = support_thread_start(rearm_all_until_stopped, &r);
  static miow_event events[2 * EDGE_SOURCES];
  static uint32_t seen_in_poll[EDGE_SOURCES];
  size_t total = 0;
  for (uint32_t poll = 1; poll <= 40; poll++) {
    size_t count = 0;
    assert_int_equal(miow_selector_poll(sel, events, 2 * EDGE_SOURCES, &count, 1000), 0);
    for (size_t i = 0; i < count; i++) {
      assert_true(events[i].token < EDGE_SOURCES);
      if (seen_in_poll[events[i].token] == poll)
        fail_msg("poll %u reported token %llu twice", poll, (unsigned long long)events[i].token);
      seen_in_poll[events[i].token] = poll;
    }
    total += count;
  }
  atomic_store(&r.stop, true);
  support_thread_join(t);
  expect_no_thread_failure();
  assert_true(total >= EDGE_SOURCES);
  for (size_t i = 0; i < EDGE_SOURCES; i++) {
    assert_int_equal(miow_source_free(sources[i]), 0);
    support_close(socks[i]);
  }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_registration_during_blocked_poll_is_delivered_in_that_poll),
      T(test_waker_from_another_thread_ends_blocked_poll),
      T(test_many_wakes_before_a_poll_coalesce_into_one_event),
      T(test_freed_waker_with_queued_wake_reports_nothing),
      T(test_posted_events_are_delivered_without_coalescing),
      T(test_posted_and_waker_tokens_keep_all_64_bits),
      T(test_second_concurrent_poll_gets_busy),
      T(test_selector_freed_during_poll_returns_closed),
      T(test_reregister_during_blocked_poll_is_delivered_in_that_poll),
      T(test_deregister_during_blocked_poll_silences_the_source_in_that_poll),
      T(test_post_from_another_thread_ends_blocked_poll),
      T(test_posts_beyond_capacity_are_kept_in_order),
      T(test_waker_of_a_freed_selector_reports_closed),
      T(test_four_threads_churn_registrations_while_fifth_polls),
      T(test_concurrent_rearm_never_reports_a_registration_twice_in_one_poll),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Concurrency stress: 4 mutators, 2 pollers, a waker and a closer on one selector for a fixed
 * time, over edge-triggered UDP sockets (or, with --pipes, pipe pairs). It checks what the
 * headers promise under concurrency:
 *
 * - no stale token: an event carries a token that was current at some moment of the poll
 *   that returned it (selector.h: after reregister, deregister or free return, the old token
 *   is never delivered; a poll already running may still return what it had taken);
 * - no token twice in one poll (selector.h: each registration at most once per call);
 * - no lost wake: every wake is followed by a waker event within a few seconds;
 * - no lost or repeated post: every posted event is delivered exactly once.
 *
 * Each source slot has two generation counters: `issued`, raised before a call that changes
 * the slot's token (register, reregister, deregister, free), and `committed`, set to that
 * generation when the call has returned. A poll snapshots every slot's `committed` before it
 * starts; an event for slot i with generation g is valid if committed_before[i] <= g <=
 * issued_after[i]. Deregistering and freeing take a generation that no registration uses, so
 * an event after them fails the check.
 *
 *   stress_miowin [--pipes] [--seconds N] */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

enum {
  UDP_SLOTS = 256,
  PIPE_SLOTS = 32, /* 16 pairs: slot 2k is a server, 2k+1 its client */
  MUTATORS = 4,
  POLLERS = 2,
  CAPACITY = 512,
  MAX_POSTS = 1 << 20,
};

#define WAKER_TOKEN UINT64_C(1)
#define POST_BASE (UINT64_C(0xfffe) << 48)
#define TOKEN(slot, gen) ((((uint64_t)(slot) + 1) << 32) | (uint64_t)(gen))

typedef struct slot {
  atomic_flag busy; /* one thread changes a slot at a time */
  miow_source *src;
  _Atomic uint32_t port; /* UDP: its port on 127.0.0.1, 0 while it is being replaced */
  bool registered;
  _Atomic uint32_t issued, committed;
} slot;

static struct {
  bool pipes;
  int slots;
  miow_selector *sel;
  miow_waker *waker;
  slot slot[UDP_SLOTS];
  atomic_bool stop_mutators, stop_pollers;
  _Atomic uint64_t wake_seq, wake_seen;
  _Atomic uint64_t posts_sent;
  _Atomic uint8_t *post_seen; /* MAX_POSTS flags */
  _Atomic uint64_t posts_seen, polls, events, busy, rearms, reregisters, frees, wakes;
  atomic_flag failing;
  atomic_bool failed;
  char failure[512]; /* written once, before `failed` is set */
} g;

static void stress_fail(const char *fmt, ...) {
  if (atomic_flag_test_and_set(&g.failing)) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g.failure, sizeof g.failure, fmt, ap);
  va_end(ap);
  atomic_store(&g.failed, true);
  atomic_store(&g.stop_mutators, true);
  atomic_store(&g.stop_pollers, true);
}

static bool failed(void) { return atomic_load(&g.failed); }

/* A small thread-local generator (xorshift), seeded per thread. */
static uint32_t next_random(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13, x ^= x >> 7, x ^= x << 17;
  *state = x;
  return (uint32_t)(x >> 32);
}

/* ---- sources ---- */

static uint32_t interests_for(uint32_t r) {
  static const uint32_t choices[] = {MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE,
                                     MIOW_READABLE | MIOW_EDGE, MIOW_WRITABLE | MIOW_EDGE,
                                     MIOW_READABLE | MIOW_WRITABLE | MIOW_ONESHOT,
                                     MIOW_READABLE | MIOW_WRITABLE};
  return choices[r % 5];
}

/* Creates slot `i`'s source (not registered). Pipe slots come in pairs made together. */
static void slot_open(int i) {
  slot *s = &g.slot[i];
  if (!g.pipes) {
    char address[MIOW_ADDRESS_SIZE];
    int32_t rc = miow_udp_bind(&s->src, "127.0.0.1:0");
    if (rc == 0) rc = miow_source_local_address(s->src, address, sizeof address);
    if (rc != 0) stress_fail("udp_bind: %d", (int)rc);
    atomic_store(&s->port, net_port(address));
    return;
  }
  if (i % 2 == 1) return; /* made with its server */
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  slot *client = &g.slot[i + 1];
  int32_t rc = miow_pipe_create(&s->src, name, 0);
  if (rc == 0) rc = miow_pipe_open(&client->src, name);
  if (rc != 0) stress_fail("pipe create/open: %d", (int)rc);
}

/* Registers slot `i` under a new generation. */
static void slot_register(int i, uint32_t interests) {
  slot *s = &g.slot[i];
  uint32_t gen = atomic_fetch_add(&s->issued, 1) + 1;
  int32_t rc = miow_source_register(s->src, g.sel, TOKEN(i, gen), interests);
  if (rc != 0) stress_fail("register slot %d: %d", i, (int)rc);
  atomic_store(&s->committed, gen);
  s->registered = true;
  if (g.pipes && i % 2 == 0) {
    rc = miow_pipe_connect(s->src);
    if (rc != 0 && rc != MIOW_EWOULDBLOCK) stress_fail("pipe_connect slot %d: %d", i, (int)rc);
  }
}

/* Ends slot `i`'s registration, or frees its source, under a generation no token uses. */
static void slot_retire(int i, bool free_it) {
  slot *s = &g.slot[i];
  uint32_t gen = atomic_fetch_add(&s->issued, 1) + 1;
  int32_t rc = free_it ? miow_source_free(s->src) : miow_source_deregister(s->src, g.sel);
  if (rc != 0) stress_fail("%s slot %d: %d", free_it ? "free" : "deregister", i, (int)rc);
  atomic_store(&s->committed, gen);
  s->registered = false;
  if (free_it) s->src = NULL;
}

/* ---- threads ---- */

/* Traffic and registration changes on slots taken one at a time. */
static void mutator_main(void *arg) {
  uint64_t rng = 0x9e3779b97f4a7c15u * (uint64_t)(uintptr_t)arg + 1;
  char buf[256];
  for (uint32_t round = 1; !atomic_load(&g.stop_mutators); round++) {
    /* A breath now and then: under Wine every call is a wineserver round trip, and four
     * threads flat out would only measure how long a queue of packets takes to drain. */
    if (round % 64 == 0) support_sleep_ms(1);
    int i = (int)(next_random(&rng) % (uint32_t)g.slots);
    slot *s = &g.slot[i];
    if (atomic_flag_test_and_set(&s->busy)) continue;
    if (s->src != NULL) {
      uint32_t r = next_random(&rng) % 100;
      size_t n;
      if (r < 35) {
        if (s->registered) (void)miow_source_rearm(s->src), atomic_fetch_add(&g.rearms, 1);
      } else if (r < 55) {
        /* Traffic: a datagram to another slot, or bytes to the pipe's peer. */
        if (!g.pipes) {
          uint32_t port = atomic_load(&g.slot[next_random(&rng) % (uint32_t)g.slots].port);
          char to[MIOW_ADDRESS_SIZE];
          snprintf(to, sizeof to, "127.0.0.1:%u", (unsigned)port);
          if (port != 0) (void)miow_udp_send_to(s->src, "d", 1, to, &n);
        } else if (s->registered) {
          (void)miow_source_write(s->src, "p", 1, &n);
        }
      } else if (r < 70) {
        /* Drain: read until would-block, which re-arms an edge registration. */
        if (s->registered || !g.pipes)
          for (int k = 0; k < 16 && miow_source_read(s->src, buf, sizeof buf, &n) == 0 && n > 0;
               k++) {
          }
      } else if (r < 85) {
        if (s->registered) {
          uint32_t gen = atomic_fetch_add(&s->issued, 1) + 1;
          int32_t rc =
              miow_source_reregister(s->src, g.sel, TOKEN(i, gen), interests_for(next_random(&rng)));
          if (rc != 0) stress_fail("reregister slot %d: %d", i, (int)rc);
          atomic_store(&s->committed, gen);
          atomic_fetch_add(&g.reregisters, 1);
        }
      } else if (r < 93) {
        if (s->registered)
          slot_retire(i, false);
        else
          slot_register(i, interests_for(next_random(&rng)));
      } else {
        uint64_t k = atomic_fetch_add(&g.posts_sent, 1);
        if (k < MAX_POSTS) {
          int32_t rc = miow_selector_post(g.sel, POST_BASE + k, MIOW_READABLE);
          if (rc != 0) stress_fail("post: %d", (int)rc);
        } else {
          atomic_fetch_sub(&g.posts_sent, 1);
        }
      }
    }
    atomic_flag_clear(&s->busy);
  }
}

/* Frees sources (a pipe pair together) and makes new ones in their place. */
static void closer_main(void *arg) {
  (void)arg;
  uint64_t rng = 12345;
  while (!atomic_load(&g.stop_mutators)) {
    int i = (int)(next_random(&rng) % (uint32_t)g.slots);
    if (g.pipes) i &= ~1;
    int last = g.pipes ? i + 1 : i;
    if (atomic_flag_test_and_set(&g.slot[i].busy)) continue;
    if (last != i && atomic_flag_test_and_set(&g.slot[last].busy)) {
      atomic_flag_clear(&g.slot[i].busy);
      continue;
    }
    for (int k = i; k <= last; k++) {
      atomic_store(&g.slot[k].port, 0);
      slot_retire(k, true);
    }
    slot_open(i);
    for (int k = i; k <= last; k++) slot_register(k, interests_for(next_random(&rng)));
    atomic_fetch_add(&g.frees, 1);
    for (int k = last; k >= i; k--) atomic_flag_clear(&g.slot[k].busy);
    support_sleep_ms(1);
  }
}

/* Wakes, and waits (at most 5 s) until a poller has seen a wake-up since. */
static void waker_main(void *arg) {
  (void)arg;
  while (!atomic_load(&g.stop_mutators)) {
    uint64_t seq = atomic_fetch_add(&g.wake_seq, 1) + 1;
    int32_t rc = miow_waker_wake(g.waker);
    if (rc != 0) stress_fail("wake: %d", (int)rc);
    atomic_fetch_add(&g.wakes, 1);
    double deadline = support_now_ms() + 5000;
    while (atomic_load(&g.wake_seen) < seq && !failed()) {
      if (support_now_ms() > deadline) {
        stress_fail("lost wake: wake %llu never delivered in 5 s", (unsigned long long)seq);
        return;
      }
      support_sleep_ms(1);
    }
  }
}

static void check_events(const miow_event *events, size_t count, const uint32_t *before) {
  for (size_t k = 0; k < count; k++) {
    uint64_t token = events[k].token;
    if (events[k].readiness == 0 || events[k].reserved != 0)
      stress_fail("token %llx with readiness 0x%x", (unsigned long long)token,
                  (unsigned)events[k].readiness);
    for (size_t j = 0; j < k; j++)
      if (events[j].token == token && token < POST_BASE)
        stress_fail("token %llx twice in one poll of %zu events (selector.h: each "
                    "registration at most once per call)",
                    (unsigned long long)token, count);
    if (token == WAKER_TOKEN) {
      atomic_store(&g.wake_seen, atomic_load(&g.wake_seq));
      continue;
    }
    if (token >= POST_BASE) {
      uint64_t n = token - POST_BASE;
      if (n >= MAX_POSTS || atomic_exchange(&g.post_seen[n], 1) != 0)
        stress_fail("post %llu delivered twice or never posted", (unsigned long long)n);
      atomic_fetch_add(&g.posts_seen, 1);
      continue;
    }
    uint64_t index = (token >> 32) - 1;
    uint32_t gen = (uint32_t)token;
    if (index >= (uint64_t)g.slots) {
      stress_fail("token %llx names no slot", (unsigned long long)token);
      continue;
    }
    uint32_t issued = atomic_load(&g.slot[index].issued);
    if (gen < before[index] || gen > issued)
      stress_fail("stale token: slot %llu generation %u reported; %u was committed before the "
                  "poll began, %u issued after it",
                  (unsigned long long)index, gen, before[index], issued);
  }
}

static void poller_main(void *arg) {
  (void)arg;
  static _Thread_local miow_event events[CAPACITY];
  static _Thread_local uint32_t before[UDP_SLOTS];
  while (!atomic_load(&g.stop_pollers)) {
    for (int i = 0; i < g.slots; i++) before[i] = atomic_load(&g.slot[i].committed);
    size_t count = 0;
    int32_t rc = miow_selector_poll(g.sel, events, CAPACITY, &count, 20);
    if (rc == MIOW_EBUSY) { /* the other poller has it: only one polls at a time */
      atomic_fetch_add(&g.busy, 1);
      support_sleep_ms(1);
      continue;
    }
    if (rc != 0) {
      stress_fail("poll: %d", (int)rc);
      return;
    }
    atomic_fetch_add(&g.polls, 1);
    atomic_fetch_add(&g.events, count);
    check_events(events, count, before);
  }
}

int main(int argc, char **argv) {
  double seconds = 20;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--pipes") == 0)
      g.pipes = true;
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = strtod(argv[++i], NULL);
    else {
      fprintf(stderr, "usage: stress_miowin [--pipes] [--seconds N]\n");
      return 2;
    }
  }
  support_init();
  g.slots = g.pipes ? PIPE_SLOTS : UDP_SLOTS;
  g.post_seen = calloc(MAX_POSTS, 1);
  if (g.post_seen == NULL || miow_selector_new(&g.sel) != 0 ||
      miow_waker_new(g.sel, WAKER_TOKEN, &g.waker) != 0) {
    fprintf(stderr, "stress: set-up failed\n");
    return 1;
  }
  for (int i = 0; i < g.slots; i++) slot_open(i);
  for (int i = 0; i < g.slots; i++) slot_register(i, interests_for((uint32_t)i));

  support_thread *threads[MUTATORS + POLLERS + 2];
  int n = 0;
  for (int i = 0; i < POLLERS; i++) threads[n++] = support_thread_start(poller_main, NULL);
  for (int i = 0; i < MUTATORS; i++)
    threads[n++] = support_thread_start(mutator_main, (void *)(uintptr_t)(i + 1));
  threads[n++] = support_thread_start(waker_main, NULL);
  threads[n++] = support_thread_start(closer_main, NULL);

  double end = support_now_ms() + seconds * 1000.0;
  while (support_now_ms() < end && !failed()) support_sleep_ms(50);
  atomic_store(&g.stop_mutators, true);
  for (int i = POLLERS; i < n; i++) support_thread_join(threads[i]);
  /* Every post must come out: the pollers go on until they have all been seen (5 s at most). */
  double drain_end = support_now_ms() + 5000;
  while (atomic_load(&g.posts_seen) < atomic_load(&g.posts_sent) && !failed() &&
         support_now_ms() < drain_end)
    support_sleep_ms(10);
  atomic_store(&g.stop_pollers, true);
  for (int i = 0; i < POLLERS; i++) support_thread_join(threads[i]);
  if (g.failure[0] == '\0' && atomic_load(&g.posts_seen) != atomic_load(&g.posts_sent))
    snprintf(g.failure, sizeof g.failure, "lost posts: %llu posted, %llu delivered",
             (unsigned long long)atomic_load(&g.posts_sent),
             (unsigned long long)atomic_load(&g.posts_seen));

  for (int i = 0; i < g.slots; i++)
    if (g.slot[i].src != NULL && miow_source_free(g.slot[i].src) != 0)
      snprintf(g.failure, sizeof g.failure, "free slot %d failed", i);
  if (miow_waker_free(g.waker) != 0 || miow_selector_free(g.sel) != 0)
    snprintf(g.failure, sizeof g.failure, "free waker or selector failed");
  free((void *)g.post_seen);

  printf("stress (%s, %.0f s): %llu polls (%llu busy), %llu events, %llu rearms, %llu "
         "reregisters, %llu frees, %llu wakes, %llu posts\n",
         g.pipes ? "pipes" : "udp", seconds, (unsigned long long)g.polls,
         (unsigned long long)g.busy, (unsigned long long)g.events, (unsigned long long)g.rearms,
         (unsigned long long)g.reregisters, (unsigned long long)g.frees,
         (unsigned long long)g.wakes, (unsigned long long)g.posts_sent);
  if (atomic_load(&g.failed) || g.failure[0] != '\0') {
    printf("stress: FAILED: %s\n", g.failure);
    return 1;
  }
  printf("stress: OK\n");
  return 0;
}

/* The fuzzer's model and its calls. Each op_* function picks arguments (live, stale, forged or
 * wrong-kind handles, NULLs, bad sizes and flags), computes from the model the set of codes the
 * headers allow in that state, makes the call, checks the code, the last OS error and any
 * output, and updates the model. A set holds one code wherever the model determines the outcome
 * (handle, argument, kind and registration checks, and the states the program set up); it holds
 * several only where the network's timing decides (whether a datagram or connection has arrived
 * yet), and each such set is written out at its call. */
#include "fuzz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "miow/epoll.h"
#include "support.h"

enum {
  SELECTORS = 3,
  WAKERS = 3,
  SOURCES = 10,
  EPOLLS = 2,
  RAW_PAIRS = 3, /* sockets the library does not own, for miow_source_new() and epoll */
  RAWS = RAW_PAIRS * 2,
  STALE = 16,     /* freed handles remembered, to pass again */
  UDP_GONE = 4,   /* addresses of freed UDP sockets: sends there bring ICMP errors */
  TRACE_LINES = 24,
};

typedef enum kind {
  K_NONE,
  K_FOREIGN,
  K_LISTENER,
  K_STREAM,
  K_UDP,
  K_PIPE_SERVER,
  K_PIPE_CLIENT,
} kind;

/* A server pipe's connection as the program has seen it. */
typedef enum pipe_state {
  PIPE_IDLE,      /* never connected, or disconnected with nothing outstanding */
  PIPE_PENDING,   /* connect returned would-block: it may have completed since */
  PIPE_CONNECTED, /* connect returned 0 */
  /* Disconnected with a connect outstanding: on Windows that connect still has to come back
   * through a poll, and until then I/O waits for it (would-block) rather than saying ENOTCONN. */
  PIPE_DRAINING,
} pipe_state;

typedef struct m_selector {
  miow_selector *h;
  uint32_t id; /* never reused: sources remember which selector they belong to by id */
  uint64_t posts[8]; /* tokens posted and not yet delivered */
  uint32_t post_readiness[8];
  size_t post_count;
} m_selector;

typedef struct m_waker {
  miow_waker *h;
  uint32_t sel_id;
  uint64_t token;
  bool woken; /* a wake not yet delivered */
} m_waker;

typedef struct m_source {
  miow_source *h;
  kind kind;
  uint32_t reg_id;  /* the selector registered with, 0 if none */
  uint32_t tied_id; /* pipes: the selector their I/O completes through, 0 before registering */
  uint64_t token;
  uint32_t interests;
  bool oneshot_fired;
  int raw; /* K_FOREIGN: the index of the raw socket wrapped */
  char address[MIOW_ADDRESS_SIZE]; /* listener, UDP: the local address */
  int listener;                    /* K_STREAM from connect: the listener's slot, else -1 */
  uint32_t pending_connects;       /* K_LISTENER: connects made to it, not yet accepted */
  bool udp_peer;                   /* K_UDP: a default peer is set */
  char peer[MIOW_ADDRESS_SIZE];    /* K_UDP: its address */
  uint32_t datagrams;              /* K_UDP: sent to it and not yet read */
  bool shut_read;
  bool joined;                     /* K_UDP: joined the fuzzer's group */
  char pipe_name[PIPE_NAME_SIZE];  /* pipes: the name */
  pipe_state pipe;                 /* K_PIPE_SERVER */
} m_source;

typedef struct m_epoll_reg {
  bool on;
  uint64_t data;
  uint32_t events;
  bool fired; /* oneshot: reported, silent until MOD */
} m_epoll_reg;

typedef struct m_epoll {
  miow_epoll_t h;
  m_epoll_reg regs[RAWS];
} m_epoll;

typedef struct fuzz {
  fuzz_source *src;
  fuzz_result *result;
  bool trace;
  bool windows;
  uint32_t step;
  m_selector sels[SELECTORS];
  m_waker wakers[WAKERS];
  m_source sources[SOURCES];
  m_epoll epolls[EPOLLS];
  miow_socket_t raws[RAWS];
  miow_socket_t non_socket;
  void *stale[STALE];
  size_t stale_next;
  char udp_gone[UDP_GONE][MIOW_ADDRESS_SIZE];
  size_t udp_gone_count;
  uint32_t next_sel_id;
  uint64_t next_token;
  int32_t multicast_refusal; /* 0 until a join was refused; then the code it was refused with */
  char arg[48]; /* the source argument of the current call, for the trace */
  char traces[TRACE_LINES][192];
  size_t trace_next;
} fuzz;

/* ---- choices ---- */

static uint32_t pick(fuzz *z, uint32_t n) {
  fuzz_source *s = z->src;
  uint32_t value;
  if (s->data != NULL) {
    value = s->at < s->size ? s->data[s->at] : 0;
    if (s->at < s->size) value |= (uint32_t)(s->at + 1 < s->size ? s->data[s->at + 1] : 0) << 8;
    s->at += 2;
  } else {
    /* splitmix64 */
    uint64_t x = (s->state += UINT64_C(0x9e3779b97f4a7c15));
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    value = (uint32_t)((x ^ (x >> 31)) >> 16);
  }
  return n == 0 ? 0 : value % n;
}

static bool chance(fuzz *z, uint32_t percent) { return pick(z, 100) < percent; }

static bool exhausted(const fuzz *z) { return z->src->data != NULL && z->src->at >= z->src->size; }

/* ---- reporting ---- */

static void note(fuzz *z, const char *fmt, ...) {
  char *line = z->traces[z->trace_next++ % TRACE_LINES];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, 192, fmt, ap);
  va_end(ap);
  if (z->trace) printf("%6u %s\n", (unsigned)z->step, line);
}

static void mismatch(fuzz *z, const char *fmt, ...) {
  if (z->result->failed) return;
  z->result->failed = true;
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(z->result->message, sizeof z->result->message, "step %u: %s", (unsigned)z->step, what);
  fprintf(stderr, "fuzz: %s\nfuzz: the calls before it, oldest first:\n", z->result->message);
  size_t first = z->trace_next > TRACE_LINES ? z->trace_next - TRACE_LINES : 0;
  for (size_t i = first; i < z->trace_next; i++)
    fprintf(stderr, "  %s\n", z->traces[i % TRACE_LINES]);
}

/* A set of codes: bit -code for each code allowed. */
typedef uint32_t codes;
#define C(code) ((codes)1u << (uint32_t)(-(code)))

/* The codes the library detects itself, whose recorded OS error is fixed (errors.h). */
static bool self_detected(int32_t rc) {
  return rc == MIOW_EINVAL || rc == MIOW_EBADHANDLE || rc == MIOW_EEXIST || rc == MIOW_ENOENT ||
         rc == MIOW_ENOTSUP || rc == MIOW_ECLOSED;
}

/* Checks a call's code against `allowed`, and the last OS error: unchanged (`before`) after a
 * success, the documented one after a failure the library detected itself. */
static void expect(fuzz *z, const char *call, int32_t rc, codes allowed, int32_t before) {
  z->result->calls++;
  note(z, "%s(%s) -> %d", call, z->arg, (int)rc);
  if (rc > 0 || rc < -31 || (C(rc) & allowed) == 0) {
    mismatch(z, "%s(%s) returned %d (%s); the model allows the set 0x%x", call, z->arg, (int)rc,
             miow_strerror(rc), (unsigned)allowed);
    z->arg[0] = '\0';
    return;
  }
  z->arg[0] = '\0';
  int32_t last = miow_last_os_error();
  if (rc == 0 && last != before)
    mismatch(z, "%s succeeded but changed miow_last_os_error() from %d to %d", call, (int)before,
         (int)last);
  if (rc != 0 && self_detected(rc) && last != support_os_error(rc))
    mismatch(z, "%s returned %d but recorded OS error %d, not %d", call, (int)rc, (int)last,
         (int)support_os_error(rc));
}

/* ---- handles ---- */

static void remember_stale(fuzz *z, void *h) { z->stale[z->stale_next++ % STALE] = h; }

static m_selector *sel_by_id(fuzz *z, uint32_t id) {
  if (id == 0) return NULL;
  for (int i = 0; i < SELECTORS; i++)
    if (z->sels[i].h != NULL && z->sels[i].id == id) return &z->sels[i];
  return NULL;
}

/* A handle value that names nothing: made up, or freed. */
static void *bad_handle(fuzz *z) {
  static int on_stack_stand_in;
  switch (pick(z, 6)) {
    case 0: return NULL;
    case 1: return (void *)(uintptr_t)1;
    case 2: return (void *)(uintptr_t)UINTPTR_MAX;
    case 3: return &on_stack_stand_in;
    case 4: return (void *)(uintptr_t)0x12345678u;
    default: {
      void *h = z->stale[pick(z, STALE)];
      return h != NULL ? h : NULL;
    }
  }
}

/* A selector argument: a live one (its model in *out), or a bad or wrong-kind handle. */
static miow_selector *arg_selector(fuzz *z, m_selector **out) {
  *out = NULL;
  uint32_t r = pick(z, 10);
  if (r < 7) {
    m_selector *s = &z->sels[pick(z, SELECTORS)];
    if (s->h != NULL) {
      *out = s;
      return s->h;
    }
  }
  if (r == 7) { /* wrong kind: a live source's or waker's handle */
    m_source *o = &z->sources[pick(z, SOURCES)];
    if (o->h != NULL) return (miow_selector *)(void *)o->h;
    m_waker *w = &z->wakers[pick(z, WAKERS)];
    if (w->h != NULL) return (miow_selector *)(void *)w->h;
  }
  return bad_handle(z);
}

static const char *kind_name(kind k) {
  static const char *names[] = {"none",   "foreign",     "listener",   "stream",
                                "udp",    "pipe-server", "pipe-client"};
  return names[k];
}

static miow_source *arg_source(fuzz *z, m_source **out) {
  *out = NULL;
  snprintf(z->arg, sizeof z->arg, "bad");
  uint32_t r = pick(z, 12);
  if (r < 10) {
    m_source *o = &z->sources[pick(z, SOURCES)];
    if (o->h != NULL) {
      *out = o;
      snprintf(z->arg, sizeof z->arg, "%s#%d", kind_name(o->kind), (int)(o - z->sources));
      return o->h;
    }
  }
  if (r == 10) {
    m_selector *s = &z->sels[pick(z, SELECTORS)];
    if (s->h != NULL) return (miow_source *)(void *)s->h;
  }
  return bad_handle(z);
}

static miow_waker *arg_waker(fuzz *z, m_waker **out) {
  *out = NULL;
  uint32_t r = pick(z, 10);
  if (r < 8) {
    m_waker *w = &z->wakers[pick(z, WAKERS)];
    if (w->h != NULL) {
      *out = w;
      return w->h;
    }
  }
  if (r == 8) {
    m_selector *s = &z->sels[pick(z, SELECTORS)];
    if (s->h != NULL) return (miow_waker *)(void *)s->h;
  }
  return bad_handle(z);
}

static m_source *free_source_slot(fuzz *z) {
  m_source *o = &z->sources[pick(z, SOURCES)];
  return o->h == NULL ? o : NULL;
}

static void source_init(m_source *o, kind k, miow_source *h) {
  memset(o, 0, sizeof *o);
  o->h = h;
  o->kind = k;
  o->raw = -1;
  o->listener = -1;
}

/* Interest words: valid ones most of the time, else one the header calls invalid. */
static uint32_t arg_interests(fuzz *z, bool *valid) {
  static const uint32_t bits[] = {MIOW_READABLE, MIOW_WRITABLE, MIOW_PRIORITY,
                                  MIOW_READABLE | MIOW_WRITABLE,
                                  MIOW_READABLE | MIOW_WRITABLE | MIOW_PRIORITY};
  static const uint32_t modes[] = {0, MIOW_EDGE, MIOW_ONESHOT};
  static const uint32_t invalid[] = {0, MIOW_EDGE, MIOW_EDGE | MIOW_ONESHOT | MIOW_READABLE,
                                     MIOW_ERROR | MIOW_READABLE, 0x80000000u | MIOW_READABLE,
                                     MIOW_READ_CLOSED, 0x400u | MIOW_WRITABLE};
  *valid = !chance(z, 10);
  if (*valid) return bits[pick(z, 5)] | modes[pick(z, 3)];
  return invalid[pick(z, sizeof invalid / sizeof invalid[0])];
}

static uint32_t arg_readiness(fuzz *z, bool *valid) {
  *valid = !chance(z, 15);
  if (*valid) return 1u + pick(z, 0x3f);
  return chance(z, 50) ? 0 : (0x40u << pick(z, 20));
}

/* ---- ops: the selector ---- */

static void op_selector_new(fuzz *z) {
  int32_t before = miow_last_os_error();
  if (chance(z, 10)) {
    expect(z, "selector_new(NULL)", miow_selector_new(NULL), C(MIOW_EINVAL), before);
    return;
  }
  m_selector *s = &z->sels[pick(z, SELECTORS)];
  if (s->h != NULL) return;
  miow_selector *h = NULL;
  int32_t rc = miow_selector_new(&h);
  expect(z, "selector_new", rc, C(0), before);
  if (rc != 0) return;
  memset(s, 0, sizeof *s);
  s->h = h;
  s->id = ++z->next_sel_id;
}

static void op_selector_free(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_selector *s;
  miow_selector *h = arg_selector(z, &s);
  int32_t rc = miow_selector_free(h);
  expect(z, "selector_free", rc, s != NULL ? C(0) : C(MIOW_EBADHANDLE), before);
  if (s == NULL || rc != 0) return;
  remember_stale(z, h);
  s->h = NULL; /* sources keep s->id in reg_id/tied_id, now naming a freed selector */
}

/* Whether `token` may be reported by a poll of `s` now, and the readiness bits it may carry;
 * a registration or waker is marked in `seen` (no token twice in one call). */
static void check_event(fuzz *z, m_selector *s, const miow_event *e, uint64_t *seen,
                        size_t *seen_count) {
  if (e->readiness == 0 || e->reserved != 0) {
    mismatch(z, "poll: token %llu with readiness 0x%x and reserved %u", (unsigned long long)e->token,
         (unsigned)e->readiness, (unsigned)e->reserved);
    return;
  }
  for (size_t i = 0; i < s->post_count; i++) {
    if (s->posts[i] == e->token) {
      if (e->readiness != s->post_readiness[i])
        mismatch(z, "poll: post %llu came with readiness 0x%x, posted 0x%x",
             (unsigned long long)e->token, (unsigned)e->readiness,
             (unsigned)s->post_readiness[i]);
      s->posts[i] = s->posts[--s->post_count];
      s->post_readiness[i] = s->post_readiness[s->post_count];
      return;
    }
  }
  for (size_t i = 0; i < *seen_count; i++)
    if (seen[i] == e->token) {
      mismatch(z, "poll: token %llu twice in one call (selector.h: at most once per call)",
           (unsigned long long)e->token);
      return;
    }
  seen[(*seen_count)++] = e->token;
  for (int i = 0; i < WAKERS; i++) {
    m_waker *w = &z->wakers[i];
    if (w->h != NULL && w->sel_id == s->id && w->token == e->token) {
      if (!w->woken) mismatch(z, "poll: waker %llu reported unwoken", (unsigned long long)e->token);
      if (e->readiness != MIOW_READABLE)
        mismatch(z, "poll: waker reported 0x%x, not READABLE", (unsigned)e->readiness);
      w->woken = false;
      return;
    }
  }
  for (int i = 0; i < SOURCES; i++) {
    m_source *o = &z->sources[i];
    if (o->h == NULL || o->reg_id != s->id || o->token != e->token) continue;
    uint32_t asked = o->interests & (MIOW_READABLE | MIOW_WRITABLE | MIOW_PRIORITY);
    uint32_t got = e->readiness & (MIOW_READABLE | MIOW_WRITABLE | MIOW_PRIORITY);
    if ((got & ~asked) != 0)
      mismatch(z, "poll: token %llu reported 0x%x for interests 0x%x", (unsigned long long)e->token,
           (unsigned)e->readiness, (unsigned)o->interests);
    if ((o->interests & MIOW_ONESHOT) != 0) {
      if (o->oneshot_fired)
        mismatch(z, "poll: oneshot token %llu reported again before a rearm",
             (unsigned long long)e->token);
      o->oneshot_fired = true;
    }
    return;
  }
  mismatch(z, "poll: token %llu reported, which is no live registration, waker or post of this "
       "selector (a stale token)", (unsigned long long)e->token);
}

static void op_selector_poll(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_selector *s;
  miow_selector *h = arg_selector(z, &s);
  miow_event events[64];
  size_t capacity = 1 + pick(z, 64);
  size_t count = 99;
  bool bad = false;
  miow_event *ev = events;
  size_t *cnt = &count;
  int64_t timeout = 0;
  switch (pick(z, 12)) {
    case 0: ev = NULL, bad = true; break;
    case 1: cnt = NULL, bad = true; break;
    case 2: capacity = 0, bad = true; break;
    case 3: timeout = -2 - (int64_t)pick(z, 100), bad = true; break;
    case 4: timeout = 1; break;
    default: break;
  }
  int32_t rc = miow_selector_poll(h, ev, capacity, cnt, timeout);
  codes allowed = s == NULL ? C(MIOW_EBADHANDLE) : bad ? C(MIOW_EINVAL) : C(0);
  expect(z, "selector_poll", rc, allowed, before);
  if (rc != 0 || s == NULL) return;
  if (count > capacity) {
    mismatch(z, "poll: count %zu above capacity %zu", count, capacity);
    return;
  }
  uint64_t seen[64];
  size_t seen_count = 0;
  for (size_t i = 0; i < count && !z->result->failed; i++)
    check_event(z, s, &events[i], seen, &seen_count);
}

static void op_selector_post(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_selector *s;
  miow_selector *h = arg_selector(z, &s);
  bool valid;
  uint32_t readiness = arg_readiness(z, &valid);
  uint64_t token = (UINT64_C(1) << 40) + ++z->next_token;
  bool room = s != NULL && s->post_count < 8;
  if (s != NULL && valid && !room) return; /* the model's queue is full: poll first */
  int32_t rc = miow_selector_post(h, token, readiness);
  expect(z, "selector_post", rc, s == NULL ? C(MIOW_EBADHANDLE) : !valid ? C(MIOW_EINVAL) : C(0),
         before);
  if (rc == 0 && s != NULL) {
    s->posts[s->post_count] = token;
    s->post_readiness[s->post_count++] = readiness;
  }
}

/* ---- ops: wakers ---- */

static void op_waker_new(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_selector *s;
  miow_selector *h = arg_selector(z, &s);
  m_waker *w = &z->wakers[pick(z, WAKERS)];
  bool null_out = chance(z, 10);
  if (w->h != NULL && !null_out) return;
  miow_waker *out = NULL;
  uint64_t token = (UINT64_C(1) << 41) + ++z->next_token;
  int32_t rc = miow_waker_new(h, token, null_out ? NULL : &out);
  expect(z, "waker_new", rc,
         s == NULL ? C(MIOW_EBADHANDLE) : null_out ? C(MIOW_EINVAL) : C(0), before);
  if (rc != 0 || null_out) return;
  w->h = out;
  w->sel_id = s->id;
  w->token = token;
  w->woken = false;
}

static void op_waker_wake(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_waker *w;
  miow_waker *h = arg_waker(z, &w);
  int32_t rc = miow_waker_wake(h);
  codes allowed = w == NULL ? C(MIOW_EBADHANDLE)
                  : sel_by_id(z, w->sel_id) == NULL ? C(MIOW_ECLOSED)
                                                     : C(0);
  expect(z, "waker_wake", rc, allowed, before);
  if (rc == 0 && w != NULL) w->woken = true;
}

static void op_waker_free(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_waker *w;
  miow_waker *h = arg_waker(z, &w);
  int32_t rc = miow_waker_free(h);
  expect(z, "waker_free", rc, w == NULL ? C(MIOW_EBADHANDLE) : C(0), before);
  if (rc == 0 && w != NULL) {
    remember_stale(z, h);
    w->h = NULL;
  }
}

/* ---- ops: registration ---- */

/* Linux keeps one epoll entry per descriptor: a second source wrapping the same socket cannot
 * join a selector the first is registered with (source.h documents it per backend). */
static bool same_socket_registered(fuzz *z, const m_source *o, uint32_t sel_id) {
  if (o->kind != K_FOREIGN || z->windows) return false;
  for (int i = 0; i < SOURCES; i++) {
    const m_source *p = &z->sources[i];
    if (p != o && p->h != NULL && p->kind == K_FOREIGN && p->raw == o->raw &&
        p->reg_id == sel_id)
      return true;
  }
  return false;
}

static bool is_pipe(const m_source *o) {
  return o->kind == K_PIPE_SERVER || o->kind == K_PIPE_CLIENT;
}

/* register (`again` false) or reregister: the same arguments, and the model's registration. */
static void registration_call(fuzz *z, bool again) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  m_selector *s;
  miow_selector *sel = arg_selector(z, &s);
  bool valid;
  uint32_t interests = arg_interests(z, &valid);
  uint64_t token = ++z->next_token;
  codes allowed;
  if (o == NULL || s == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (!valid)
    allowed = C(MIOW_EINVAL);
  else if (again)
    allowed = o->reg_id == 0 ? C(MIOW_ENOENT) : o->reg_id != s->id ? C(MIOW_EEXIST) : C(0);
  else if (o->reg_id != 0)
    allowed = C(MIOW_EEXIST);
  else if (is_pipe(o) && z->windows && o->tied_id != 0 && o->tied_id != s->id)
    allowed = C(MIOW_ENOTSUP); /* pipe.h: tied to its first selector on Windows */
  else if (same_socket_registered(z, o, s->id))
    allowed = C(MIOW_EEXIST);
  else
    allowed = C(0);
  int32_t rc = again ? miow_source_reregister(src, sel, token, interests)
                     : miow_source_register(src, sel, token, interests);
  expect(z, again ? "source_reregister" : "source_register", rc, allowed, before);
  if (rc != 0 || o == NULL) return;
  if (!again) {
    o->reg_id = s->id;
    if (is_pipe(o)) o->tied_id = s->id;
  }
  o->token = token;
  o->interests = interests;
  o->oneshot_fired = false;
}

static void op_source_register(fuzz *z) { registration_call(z, false); }

static void op_source_reregister(fuzz *z) { registration_call(z, true); }

static void op_source_deregister(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  m_selector *s;
  miow_selector *sel = arg_selector(z, &s);
  codes allowed = o == NULL || s == NULL       ? C(MIOW_EBADHANDLE)
                  : o->reg_id != s->id ? C(MIOW_ENOENT)
                                       : C(0);
  int32_t rc = miow_source_deregister(src, sel);
  expect(z, "source_deregister", rc, allowed, before);
  if (rc == 0 && o != NULL) o->reg_id = 0;
}

static void op_source_rearm(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (o->reg_id == 0)
    allowed = C(MIOW_ENOENT);
  else if (is_pipe(o) && sel_by_id(z, o->tied_id) == NULL)
    allowed = C(MIOW_ECLOSED); /* pipe.h: the pipe's selector was freed */
  else
    allowed = C(0); /* a socket's registration outlives its freed selector (selector.h) */
  int32_t rc = miow_source_rearm(src);
  expect(z, "source_rearm", rc, allowed, before);
  if (rc == 0 && o != NULL) o->oneshot_fired = false;
}

static void op_source_free(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  int32_t rc = miow_source_free(src);
  expect(z, "source_free", rc, o == NULL ? C(MIOW_EBADHANDLE) : C(0), before);
  if (rc != 0 || o == NULL) return;
  remember_stale(z, src);
  if (o->kind == K_UDP && z->udp_gone_count < UDP_GONE)
    memcpy(z->udp_gone[z->udp_gone_count++], o->address, MIOW_ADDRESS_SIZE);
  for (int i = 0; i < SOURCES; i++)
    if (z->sources[i].listener == (int)(o - z->sources)) z->sources[i].listener = -1;
  o->h = NULL;
  o->kind = K_NONE;
}

static void op_source_new(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o = free_source_slot(z);
  uint32_t r = pick(z, 10);
  if (r == 0) {
    expect(z, "source_new(NULL)", miow_source_new(NULL, z->raws[0]), C(MIOW_EINVAL), before);
    return;
  }
  if (o == NULL) return;
  miow_source *h = NULL;
  if (r == 1 || r == 2) {
    miow_socket_t not_a_socket = r == 1 ? z->non_socket : (miow_socket_t)-1;
    expect(z, "source_new(not a socket)", miow_source_new(&h, not_a_socket), C(MIOW_ENOTSOCK),
           before);
    return;
  }
  int raw = (int)pick(z, RAWS);
  int32_t rc = miow_source_new(&h, z->raws[raw]);
  expect(z, "source_new", rc, C(0), before);
  if (rc != 0) return;
  source_init(o, K_FOREIGN, h);
  o->raw = raw;
}

/* ---- ops: sockets the library creates ---- */

static const char *arg_bad_address(fuzz *z) {
  static const char *bad[] = {NULL, "", "localhost:80", "127.0.0.1", "127.0.0.1:99999",
                              "[::1:80", "1.2.3.4.5:6", "127.0.0.1:-1", "[::1]:"};
  return bad[pick(z, sizeof bad / sizeof bad[0])];
}

static void op_tcp_listen(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o = free_source_slot(z);
  miow_source *h = NULL;
  if (chance(z, 15)) {
    bool null_out = chance(z, 50);
    expect(z, "tcp_listen(bad)",
           miow_tcp_listen(null_out ? NULL : &h, null_out ? "127.0.0.1:0" : arg_bad_address(z),
                           0),
           C(MIOW_EINVAL), before);
    return;
  }
  if (o == NULL) return;
  int32_t rc = miow_tcp_listen(&h, "127.0.0.1:0", (int32_t)pick(z, 8) - 1);
  expect(z, "tcp_listen", rc, C(0), before);
  if (rc != 0) return;
  source_init(o, K_LISTENER, h);
  before = miow_last_os_error();
  expect(z, "local_address", miow_source_local_address(h, o->address, sizeof o->address), C(0),
         before);
}

static m_source *live_of_kind(fuzz *z, kind k) {
  int start = (int)pick(z, SOURCES);
  for (int i = 0; i < SOURCES; i++) {
    m_source *o = &z->sources[(start + i) % SOURCES];
    if (o->h != NULL && o->kind == k) return o;
  }
  return NULL;
}

static void op_tcp_connect(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o = free_source_slot(z);
  miow_source *h = NULL;
  uint32_t r = pick(z, 10);
  if (r == 0) {
    bool null_out = chance(z, 50);
    expect(z, "tcp_connect(bad)",
           miow_tcp_connect(null_out ? NULL : &h, null_out ? "127.0.0.1:1" : arg_bad_address(z)),
           C(MIOW_EINVAL), before);
    return;
  }
  if (r == 1) {
    expect(z, "tcp_connect(port 0)", miow_tcp_connect(&h, "127.0.0.1:0"), C(MIOW_EADDRNOTAVAIL),
           before);
    return;
  }
  m_source *l = live_of_kind(z, K_LISTENER);
  if (o == NULL || l == NULL) return;
  int32_t rc = miow_tcp_connect(&h, l->address);
  expect(z, "tcp_connect", rc, C(0), before);
  if (rc != 0) return;
  source_init(o, K_STREAM, h);
  o->listener = (int)(l - z->sources);
  l->pending_connects++;
}

static void op_tcp_accept(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *l;
  miow_source *src = arg_source(z, &l);
  m_source *o = free_source_slot(z);
  bool null_out = chance(z, 8);
  char peer[MIOW_ADDRESS_SIZE];
  size_t peer_size = chance(z, 8) ? pick(z, MIOW_ADDRESS_SIZE) : sizeof peer;
  bool no_peer = chance(z, 30);
  bool args_ok = !null_out && (no_peer || peer_size >= MIOW_ADDRESS_SIZE);
  if (l != NULL && l->kind == K_LISTENER && args_ok && o == NULL)
    return; /* nowhere to keep what it accepts */
  codes allowed;
  if (l == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (null_out || (!no_peer && peer_size < MIOW_ADDRESS_SIZE))
    allowed = C(MIOW_EINVAL);
  else if (l->kind != K_LISTENER)
    allowed = C(MIOW_ENOTSUP);
  else if (l->pending_connects == 0)
    allowed = C(MIOW_EWOULDBLOCK); /* nobody connected to it */
  else /* a connect on its way may not have arrived; one freed before accept may be aborted */
    allowed = C(0) | C(MIOW_EWOULDBLOCK) | C(MIOW_ECONNABORTED);
  miow_source *h = NULL;
  int32_t rc = miow_tcp_accept(src, null_out ? NULL : &h, no_peer ? NULL : peer, peer_size);
  expect(z, "tcp_accept", rc, allowed, before);
  if (rc == 0 && l != NULL) {
    l->pending_connects--;
    source_init(o, K_STREAM, h);
  } else if (rc == MIOW_ECONNABORTED && l != NULL) {
    l->pending_connects--;
  }
}

static void op_udp_bind(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o = free_source_slot(z);
  miow_source *h = NULL;
  if (chance(z, 15)) {
    bool null_out = chance(z, 50);
    expect(z, "udp_bind(bad)",
           miow_udp_bind(null_out ? NULL : &h, null_out ? "127.0.0.1:0" : arg_bad_address(z)),
           C(MIOW_EINVAL), before);
    return;
  }
  if (o == NULL) return;
  int32_t rc = miow_udp_bind(&h, "127.0.0.1:0");
  expect(z, "udp_bind", rc, C(0), before);
  if (rc != 0) return;
  source_init(o, K_UDP, h);
  before = miow_last_os_error();
  expect(z, "local_address", miow_source_local_address(h, o->address, sizeof o->address), C(0),
         before);
}

/* A destination for UDP: a live UDP socket's address (the target's model in *target), a freed
 * one's (ICMP port-unreachable comes back), port 0, or a bad one. */
typedef enum dest_kind { DEST_LIVE, DEST_GONE, DEST_PORT0, DEST_BAD, DEST_V6 } dest_kind;

static const char *arg_udp_dest(fuzz *z, dest_kind *dk, m_source **target) {
  *target = NULL;
  uint32_t r = pick(z, 10);
  if (r < 6) {
    m_source *t = live_of_kind(z, K_UDP);
    if (t != NULL) {
      *dk = DEST_LIVE;
      *target = t;
      return t->address;
    }
  }
  if (r < 8 && z->udp_gone_count > 0) {
    *dk = DEST_GONE;
    const char *gone = z->udp_gone[pick(z, (uint32_t)z->udp_gone_count)];
    /* Its port may have gone to a socket bound since: then that one receives. */
    for (int i = 0; i < SOURCES; i++)
      if (z->sources[i].h != NULL && z->sources[i].kind == K_UDP &&
          strcmp(z->sources[i].address, gone) == 0)
        *target = &z->sources[i];
    return gone;
  }
  if (r == 8) {
    *dk = DEST_PORT0;
    return "127.0.0.1:0";
  }
  if (r == 9 && chance(z, 50)) {
    *dk = DEST_V6;
    return "[::1]:9";
  }
  *dk = DEST_BAD;
  return arg_bad_address(z);
}

/* Kinds a source-taking call accepts, as the codes it gives otherwise. */
static codes kind_check(const m_source *o, uint32_t kinds_mask) {
  return (kinds_mask & (1u << o->kind)) != 0 ? 0 : C(MIOW_ENOTSUP);
}
#define KIND(k) (1u << (k))
#define SOCKET_KINDS (KIND(K_LISTENER) | KIND(K_STREAM) | KIND(K_UDP))
#define PIPE_KINDS (KIND(K_PIPE_SERVER) | KIND(K_PIPE_CLIENT))

static void op_udp_connect(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  dest_kind dk;
  m_source *target;
  const char *dest = arg_udp_dest(z, &dk, &target);
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (kind_check(o, KIND(K_UDP)) != 0)
    allowed = C(MIOW_ENOTSUP);
  else if (dk == DEST_BAD || dk == DEST_V6)
    allowed = C(MIOW_EINVAL);
  else if (dk == DEST_PORT0)
    allowed = C(MIOW_EADDRNOTAVAIL);
  else
    allowed = C(0);
  int32_t rc = miow_udp_connect(src, dest);
  expect(z, "udp_connect", rc, allowed, before);
  if (rc == 0 && o != NULL) {
    o->udp_peer = true;
    snprintf(o->peer, sizeof o->peer, "%s", dest);
  }
}

static void op_udp_send_to(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  dest_kind dk;
  m_source *target;
  const char *dest = arg_udp_dest(z, &dk, &target);
  static char big[70000];
  size_t length = pick(z, 32);
  const void *buffer = big;
  bool bad_buffer = false, null_sent = chance(z, 5), oversize = false;
  if (chance(z, 5)) buffer = NULL, bad_buffer = length > 0;
  if (chance(z, 3)) length = sizeof big, oversize = true, buffer = big, bad_buffer = false;
  size_t sent = 0;
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (kind_check(o, KIND(K_UDP)) != 0)
    allowed = C(MIOW_ENOTSUP);
  else if (null_sent || bad_buffer || dk == DEST_BAD || dk == DEST_V6)
    allowed = C(MIOW_EINVAL);
  else if (dk == DEST_PORT0)
    allowed = C(MIOW_EADDRNOTAVAIL);
  else if (oversize)
    allowed = C(MIOW_EMSGSIZE);
  else /* an ICMP error from an earlier send never fails it (net.h); a full buffer may */
    allowed = C(0) | C(MIOW_EWOULDBLOCK);
  int32_t rc = miow_udp_send_to(src, buffer, length, dest, null_sent ? NULL : &sent);
  expect(z, "udp_send_to", rc, allowed, before);
  if (rc == 0 && sent != length) mismatch(z, "udp_send_to sent %zu of %zu", sent, length);
  if (rc == 0 && target != NULL) target->datagrams++;
}

static void op_udp_receive(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  bool peek = chance(z, 40);
  char buf[64], from[MIOW_ADDRESS_SIZE];
  size_t length = pick(z, sizeof buf + 1);
  void *buffer = buf;
  bool bad_buffer = false, null_received = chance(z, 5);
  if (chance(z, 5)) buffer = NULL, bad_buffer = length > 0;
  bool no_from = chance(z, 30);
  size_t from_size = chance(z, 10) ? pick(z, MIOW_ADDRESS_SIZE) : sizeof from;
  size_t received = 0;
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (kind_check(o, KIND(K_UDP)) != 0)
    allowed = C(MIOW_ENOTSUP);
  else if (null_received || bad_buffer || (!no_from && from_size < MIOW_ADDRESS_SIZE))
    allowed = C(MIOW_EINVAL);
  else if (o->datagrams == 0)
    allowed = C(MIOW_EWOULDBLOCK); /* nothing was sent to it; ICMP errors never show (net.h) */
  else /* a datagram may still be on its way, or be larger than the room */
    allowed = C(0) | C(MIOW_EWOULDBLOCK) | C(MIOW_EMSGSIZE);
  int32_t rc = peek ? miow_udp_peek_from(src, buffer, length, null_received ? NULL : &received,
                                         no_from ? NULL : from, from_size)
                    : miow_udp_recv_from(src, buffer, length, null_received ? NULL : &received,
                                         no_from ? NULL : from, from_size);
  expect(z, peek ? "udp_peek_from" : "udp_recv_from", rc, allowed, before);
  if (!peek && o != NULL && (rc == 0 || rc == MIOW_EMSGSIZE) && o->datagrams > 0) o->datagrams--;
}

static void op_udp_multicast(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  bool join = chance(z, 50), v6 = chance(z, 25), bad = chance(z, 10);
  const char *group = bad ? (chance(z, 50) ? NULL : "239.255.1") : v6 ? "ff02::7a:9" : "239.255.77.9";
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (kind_check(o, KIND(K_UDP)) != 0 || v6) /* the fuzzer's UDP sockets are IPv4 */
    allowed = C(MIOW_ENOTSUP);
  else if (bad)
    allowed = C(MIOW_EINVAL);
  else if (join && o->joined)
    allowed = C(MIOW_EADDRINUSE); /* net.h: joined already */
  else if (!join && !o->joined)
    allowed = C(MIOW_EADDRNOTAVAIL) | C(MIOW_EOS);
  else if (z->multicast_refusal != 0)
    allowed = C(z->multicast_refusal); /* refused before on this machine: refused again */
  else
    allowed = C(0) | (join ? C(MIOW_EADDRNOTAVAIL) | C(MIOW_EOS) : 0);
  int32_t rc = v6 ? (join ? miow_udp_join_multicast_v6(src, group, 0)
                          : miow_udp_leave_multicast_v6(src, group, 0))
                  : (join ? miow_udp_join_multicast_v4(src, group, "127.0.0.1")
                          : miow_udp_leave_multicast_v4(src, group, "127.0.0.1"));
  expect(z, join ? "udp_join_multicast" : "udp_leave_multicast", rc, allowed, before);
  if (o == NULL || v6 || bad) return;
  if (join && rc == 0) o->joined = true;
  if (join && rc != 0 && rc != MIOW_EADDRINUSE && rc != MIOW_ENOTSUP) z->multicast_refusal = rc;
  if (!join && rc == 0) o->joined = false;
}

/* ---- ops: I/O ---- */

/* The codes an I/O call may return on `o` once its arguments were accepted. */
static codes io_codes(fuzz *z, const m_source *o, bool write) {
  switch (o->kind) {
    case K_STREAM:
      if (!write && o->shut_read) /* io.h: end of stream on every platform, never ESHUTDOWN */
        return C(0) | C(MIOW_ECONNRESET) | C(MIOW_ECONNABORTED) | C(MIOW_ENOTCONN);
      /* Whether data or the peer's close has arrived, and whether the connect is done, is the
       * network's timing; io.h lists these for a stream. */
      return write ? C(0) | C(MIOW_EWOULDBLOCK) | C(MIOW_ENOTCONN) | C(MIOW_ECONNRESET) |
                         C(MIOW_ECONNABORTED) | C(MIOW_EPIPE) | C(MIOW_ESHUTDOWN)
                   : C(0) | C(MIOW_EWOULDBLOCK) | C(MIOW_ECONNRESET) | C(MIOW_ECONNABORTED) |
                         C(MIOW_ENOTCONN);
    case K_UDP:
      if (write) return o->udp_peer ? C(0) | C(MIOW_EWOULDBLOCK) : C(MIOW_ENOTCONN);
      return o->datagrams == 0 ? C(MIOW_EWOULDBLOCK)
                               : C(0) | C(MIOW_EWOULDBLOCK) | C(MIOW_EMSGSIZE);
    case K_PIPE_SERVER:
    case K_PIPE_CLIENT:
      if (o->tied_id == 0) return C(MIOW_ENOENT);
      if (sel_by_id(z, o->tied_id) == NULL) return C(MIOW_ECLOSED);
      if (o->kind == K_PIPE_SERVER && o->pipe == PIPE_IDLE) return C(MIOW_ENOTCONN);
      if (o->kind == K_PIPE_SERVER && o->pipe == PIPE_DRAINING)
        return C(MIOW_ENOTCONN) | C(MIOW_EWOULDBLOCK);
      {
        /* A read never sees MIOW_EPIPE: a peer that went is the end of stream (pipe.h). A
         * pending connect may have failed meanwhile, which leaves no client. */
        codes pending = o->kind == K_PIPE_SERVER && o->pipe == PIPE_PENDING ? C(MIOW_ENOTCONN) : 0;
        return pending | (write ? C(0) | C(MIOW_EWOULDBLOCK) | C(MIOW_EPIPE)
                                : C(0) | C(MIOW_EWOULDBLOCK));
      }
    default: return C(MIOW_ENOTSUP);
  }
}

static void op_io(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  uint32_t which = pick(z, 5); /* read, peek, readv, write, writev */
  bool write = which >= 3;
  char buf[256];
  miow_buffer vec[4];
  size_t count = 1 + pick(z, 4);
  bool bad = false;
  for (size_t i = 0; i < 4; i++) vec[i] = (miow_buffer){buf + 64 * i, pick(z, 65)};
  size_t length = pick(z, sizeof buf + 1);
  void *buffer = buf;
  size_t out = 0;
  size_t *out_ptr = &out;
  const miow_buffer *vp = vec;
  switch (pick(z, 20)) {
    case 0: out_ptr = NULL, bad = true; break;
    case 1: buffer = NULL, bad = !(which == 2 || which == 4) && length > 0; break;
    case 2: vec[0].data = NULL, bad = (which == 2 || which == 4) && vec[0].length > 0; break;
    case 3: vp = NULL, bad = (which == 2 || which == 4) && count > 0; break;
    case 4:
      if (which == 2 || which == 4) count = MIOW_BUFFERS_MAX + 1 + pick(z, 3), bad = true;
      break;
    default: break;
  }
  if (write) memset(buf, 'w', sizeof buf);
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (bad)
    allowed = C(MIOW_EINVAL);
  else if (o->kind == K_FOREIGN || o->kind == K_LISTENER)
    allowed = C(MIOW_ENOTSUP);
  else
    allowed = io_codes(z, o, write);
  static const char *names[] = {"read", "peek", "readv", "write", "writev"};
  int32_t rc;
  switch (which) {
    case 0: rc = miow_source_read(src, buffer, length, out_ptr); break;
    case 1: rc = miow_source_peek(src, buffer, length, out_ptr); break;
    case 2: rc = miow_source_readv(src, vp, count, out_ptr); break;
    case 3: rc = miow_source_write(src, buffer, length, out_ptr); break;
    default: rc = miow_source_writev(src, vp, count, out_ptr); break;
  }
  expect(z, names[which], rc, allowed, before);
  if (rc == 0 && o != NULL && o->kind == K_UDP && write) {
    for (int i = 0; i < SOURCES; i++) /* the default peer, if it is one of ours */
      if (z->sources[i].h != NULL && z->sources[i].kind == K_UDP &&
          strcmp(z->sources[i].address, o->peer) == 0)
        z->sources[i].datagrams++;
  }
  bool consumed = rc == 0 || rc == MIOW_EMSGSIZE;
  if (consumed && o != NULL && o->kind == K_UDP && which != 1 && !write && o->datagrams > 0)
    o->datagrams--;
}

/* ---- ops: socket control ---- */

static void op_shutdown(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  int32_t how = chance(z, 10) ? (chance(z, 50) ? 0 : 4 + (int32_t)pick(z, 10)) : 1 + (int32_t)pick(z, 3);
  bool valid = how >= 1 && how <= 3;
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (kind_check(o, SOCKET_KINDS) != 0)
    allowed = C(MIOW_ENOTSUP);
  else if (!valid)
    allowed = C(MIOW_EINVAL);
  else if (o->kind != K_STREAM)
    allowed = C(MIOW_ENOTSUP);
  else /* a stream whose connect has not finished, or was reset, is not connected */
    allowed = C(0) | C(MIOW_ENOTCONN);
  int32_t rc = miow_source_shutdown(src, how);
  expect(z, "shutdown", rc, allowed, before);
  if (rc == 0 && o != NULL && (how & MIOW_SHUT_READ) != 0) o->shut_read = true;
}

static void op_take_error(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  bool null_error = chance(z, 10), null_os = chance(z, 30);
  int32_t error = 99, os_error = 99;
  codes allowed = o == NULL                                         ? C(MIOW_EBADHANDLE)
                  : kind_check(o, SOCKET_KINDS | PIPE_KINDS) != 0 ? C(MIOW_ENOTSUP)
                  : null_error                                      ? C(MIOW_EINVAL)
                                                                    : C(0);
  int32_t rc = miow_source_take_error(src, null_error ? NULL : &error, null_os ? NULL : &os_error);
  expect(z, "take_error", rc, allowed, before);
  if (rc == 0 && (error > 0 || error < -31 || (error == 0 && !null_os && os_error != 0)))
    mismatch(z, "take_error gave error %d with OS error %d", (int)error, (int)os_error);
}

static void op_address(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  bool peer = chance(z, 50);
  char buf[MIOW_ADDRESS_SIZE];
  uint32_t r = pick(z, 10);
  char *buffer = r == 0 ? NULL : buf;
  size_t size = r == 1 ? pick(z, 11) : sizeof buf; /* "127.0.0.1:N" needs 12 with its NUL */
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (kind_check(o, SOCKET_KINDS) != 0)
    allowed = C(MIOW_ENOTSUP);
  else if (buffer == NULL)
    allowed = C(MIOW_EINVAL);
  else if (peer && (o->kind == K_LISTENER || (o->kind == K_UDP && !o->udp_peer)))
    allowed = C(MIOW_ENOTCONN);
  else if (peer && o->kind == K_STREAM) /* not connected yet, or reset */
    allowed = r == 1 ? C(MIOW_EINVAL) | C(MIOW_ENOTCONN) : C(0) | C(MIOW_ENOTCONN);
  else
    allowed = r == 1 ? C(MIOW_EINVAL) : C(0);
  int32_t rc = peer ? miow_source_peer_address(src, buffer, size)
                    : miow_source_local_address(src, buffer, size);
  expect(z, peer ? "peer_address" : "local_address", rc, allowed, before);
}

static void op_option(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  bool set = chance(z, 50);
  int32_t option = (int32_t)pick(z, 10) - 1; /* -1..8: 1..7 are options */
  int32_t value = set ? (int32_t)pick(z, 4) : 0;
  if (set && option == MIOW_OPT_TTL) value = chance(z, 10) ? 0 : 1 + (int32_t)pick(z, 255);
  if (set && chance(z, 5)) value = -1 - (int32_t)pick(z, 5);
  bool null_value = !set && chance(z, 10);
  bool known = option >= MIOW_OPT_NODELAY && option <= MIOW_OPT_ONLY_V6;
  int32_t max = option == MIOW_OPT_TTL || option == MIOW_OPT_MULTICAST_TTL_V4 ? 255 : 1;
  int32_t min = option == MIOW_OPT_TTL ? 1 : 0;
  bool in_range = !set || (value >= min && value <= max);
  bool applies = false;
  if (o != NULL) {
    switch (option) {
      case MIOW_OPT_NODELAY: applies = o->kind == K_STREAM; break;
      case MIOW_OPT_TTL: applies = true; break;
      case MIOW_OPT_BROADCAST:
      case MIOW_OPT_MULTICAST_LOOP_V4:
      case MIOW_OPT_MULTICAST_TTL_V4: applies = o->kind == K_UDP; break;
      default: applies = false; break; /* the IPv6 options, on the fuzzer's IPv4 sockets */
    }
  }
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (kind_check(o, SOCKET_KINDS) != 0)
    allowed = C(MIOW_ENOTSUP);
  else if (!known || null_value || !in_range)
    allowed = C(MIOW_EINVAL);
  else if (!applies)
    allowed = C(MIOW_ENOTSUP);
  else
    allowed = C(0);
  int32_t got = -99;
  int32_t rc = set ? miow_source_set_option(src, option, value)
                   : miow_source_get_option(src, option, null_value ? NULL : &got);
  expect(z, set ? "set_option" : "get_option", rc, allowed, before);
  if (rc == 0 && !set && (got < 0 || got > 255)) mismatch(z, "get_option %d gave %d", option, got);
}

static void op_source_socket(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  bool null_out = chance(z, 10);
  miow_socket_t s = 0;
  int32_t rc = miow_source_socket(src, null_out ? NULL : &s);
  expect(z, "source_socket", rc,
         o == NULL ? C(MIOW_EBADHANDLE) : null_out ? C(MIOW_EINVAL) : C(0), before);
  if (rc == 0 && o != NULL && o->kind == K_FOREIGN && s != z->raws[o->raw])
    mismatch(z, "source_socket gave another socket than the one wrapped");
}

/* ---- ops: pipes ---- */

static void op_pipe_create(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o = free_source_slot(z);
  miow_source *h = NULL;
  uint32_t r = pick(z, 10);
  if (r == 0) {
    static const char *bad[] = {NULL, "", "\\\\.\\pipe\\", "pipe-without-prefix", "\\\\.\\pip\\x"};
    bool null_out = chance(z, 30);
    char name[PIPE_NAME_SIZE];
    pipe_unique_name(name);
    expect(z, "pipe_create(bad)",
           miow_pipe_create(null_out ? NULL : &h, null_out ? name : bad[pick(z, 5)], 0),
           C(MIOW_EINVAL), before);
    return;
  }
  m_source *live = live_of_kind(z, K_PIPE_SERVER);
  if (r == 1 && live != NULL) {
    expect(z, "pipe_create(taken)", miow_pipe_create(&h, live->pipe_name, 0),
           C(MIOW_EADDRINUSE), before);
    return;
  }
  if (o == NULL) return;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  int32_t rc = miow_pipe_create(&h, name, chance(z, 50) ? 0 : 1 + pick(z, 8192));
  expect(z, "pipe_create", rc, C(0), before);
  if (rc != 0) return;
  source_init(o, K_PIPE_SERVER, h);
  memcpy(o->pipe_name, name, sizeof name);
  o->pipe = PIPE_IDLE;
}

static void op_pipe_open(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o = free_source_slot(z);
  miow_source *h = NULL;
  uint32_t r = pick(z, 10);
  if (r == 0) {
    expect(z, "pipe_open(bad)", miow_pipe_open(chance(z, 50) ? NULL : &h, NULL), C(MIOW_EINVAL),
           before);
    return;
  }
  if (r == 1) {
    char name[PIPE_NAME_SIZE];
    pipe_unique_name(name); /* never created */
    expect(z, "pipe_open(missing)", miow_pipe_open(&h, name), C(MIOW_ENOTFOUND), before);
    return;
  }
  m_source *server = live_of_kind(z, K_PIPE_SERVER);
  if (o == NULL || server == NULL) return;
  /* One client per server at a time; whether the instance is free again after a client went
   * depends on what the server did since, which the fuzzer does not follow. */
  int32_t rc = miow_pipe_open(&h, server->pipe_name);
  expect(z, "pipe_open", rc, C(0) | C(MIOW_EPIPEBUSY), before);
  if (rc != 0) return;
  source_init(o, K_PIPE_CLIENT, h);
  memcpy(o->pipe_name, server->pipe_name, PIPE_NAME_SIZE);
}

static void op_pipe_connect(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  codes allowed;
  if (o == NULL)
    allowed = C(MIOW_EBADHANDLE);
  else if (o->kind != K_PIPE_SERVER)
    allowed = C(MIOW_ENOTSUP);
  else if (o->tied_id == 0)
    allowed = C(MIOW_ENOENT);
  else if (sel_by_id(z, o->tied_id) == NULL)
    allowed = C(MIOW_ECLOSED);
  else if (o->pipe == PIPE_CONNECTED)
    allowed = C(0); /* pipe.h: a client is connected (even one that has closed since) */
  else /* whether a client has opened the pipe yet */
    allowed = C(0) | C(MIOW_EWOULDBLOCK);
  int32_t rc = miow_pipe_connect(src);
  expect(z, "pipe_connect", rc, allowed, before);
  if (o == NULL || o->kind != K_PIPE_SERVER) return;
  if (rc == 0) o->pipe = PIPE_CONNECTED;
  if (rc == MIOW_EWOULDBLOCK) o->pipe = PIPE_PENDING;
}

static void op_pipe_disconnect(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_source *o;
  miow_source *src = arg_source(z, &o);
  codes allowed = o == NULL                    ? C(MIOW_EBADHANDLE)
                  : o->kind != K_PIPE_SERVER ? C(MIOW_ENOTSUP)
                                             : C(0);
  int32_t rc = miow_pipe_disconnect(src);
  expect(z, "pipe_disconnect", rc, allowed, before);
  if (rc == 0 && o != NULL) o->pipe = o->pipe == PIPE_IDLE ? PIPE_IDLE : PIPE_DRAINING;
}

/* ---- ops: epoll ---- */

/* errno and the OS error of a failed epoll call (epoll.h). */
static void expect_epoll(fuzz *z, const char *call, bool failed, int err, int allowed_errno,
                         int allowed_errno2, int32_t before) {
  z->result->calls++;
  note(z, "%s -> %s errno %d", call, failed ? "fail" : "ok", failed ? err : 0);
  bool want_fail = allowed_errno != 0;
  if (failed != want_fail) {
    mismatch(z, "%s %s, the model expected %s (errno %d)", call, failed ? "failed" : "succeeded",
         want_fail ? "a failure" : "success", err);
    return;
  }
  if (!failed) {
    if (miow_last_os_error() != before)
      mismatch(z, "%s succeeded but changed miow_last_os_error()", call);
    return;
  }
  if (err != allowed_errno && err != allowed_errno2)
    mismatch(z, "%s failed with errno %d, the model expected %d", call, err, allowed_errno);
}

static m_epoll *arg_epoll(fuzz *z, miow_epoll_t *h) {
  m_epoll *e = &z->epolls[pick(z, EPOLLS)];
  if (e->h != NULL && !chance(z, 15)) {
    *h = e->h;
    return e;
  }
  *h = bad_handle(z);
  return NULL;
}

static void op_epoll_create(fuzz *z) {
  int32_t before = miow_last_os_error();
  m_epoll *e = &z->epolls[pick(z, EPOLLS)];
  bool one = chance(z, 50);
  int32_t arg = one ? (chance(z, 15) ? 1 + (int32_t)pick(z, 5) : chance(z, 50) ? EPOLL_CLOEXEC : 0)
                    : (chance(z, 15) ? -(int32_t)pick(z, 3) : 1 + (int32_t)pick(z, 100));
  bool valid = one ? (arg == 0 || arg == EPOLL_CLOEXEC) : arg > 0;
  if (valid && e->h != NULL) return;
  errno = 0;
  miow_epoll_t h = one ? miow_epoll_create1(arg) : miow_epoll_create(arg);
  int err = errno;
  expect_epoll(z, one ? "epoll_create1" : "epoll_create", h == NULL, err, valid ? 0 : EINVAL, 0,
               before);
  if (h != NULL && valid) {
    memset(e, 0, sizeof *e);
    e->h = h;
  } else if (h != NULL) {
    (void)miow_epoll_close(h);
  }
}

static void op_epoll_close(fuzz *z) {
  int32_t before = miow_last_os_error();
  miow_epoll_t h;
  m_epoll *e = arg_epoll(z, &h);
  errno = 0;
  int32_t rc = miow_epoll_close(h);
  int err = errno;
  expect_epoll(z, "epoll_close", rc != 0, err, e == NULL ? EBADF : 0, 0, before);
  if (rc == 0 && e != NULL) {
    remember_stale(z, h);
    e->h = NULL;
  }
}

static void op_epoll_ctl(fuzz *z) {
  int32_t before = miow_last_os_error();
  miow_epoll_t h;
  m_epoll *e = arg_epoll(z, &h);
  int raw = (int)pick(z, RAWS);
  uint32_t r = pick(z, 12);
  miow_socket_t sock = r == 0 ? (miow_socket_t)-1 : r == 1 ? z->non_socket : z->raws[raw];
  int32_t op = chance(z, 5) ? 0 : 1 + (int32_t)pick(z, 3);
  static const uint32_t asks[] = {EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT, EPOLLPRI | EPOLLRDHUP,
                                  EPOLLIN | EPOLLONESHOT, 0, EPOLLRDNORM | EPOLLWRNORM,
                                  EPOLLIN | EPOLLET, EPOLLOUT | EPOLLEXCLUSIVE};
  struct epoll_event ev = {.events = asks[pick(z, sizeof asks / sizeof asks[0])],
                           .data = {.u64 = (UINT64_C(1) << 42) + ++z->next_token}};
  bool null_event = chance(z, 8);
  bool bad_flags = (ev.events & (EPOLLET | EPOLLEXCLUSIVE)) != 0;
  m_epoll_reg *reg = r >= 2 && e != NULL ? &e->regs[raw] : NULL;
  int want = 0, want2 = 0;
  if (e == NULL)
    want = EBADF;
  else if (r == 0)
    want = EBADF;
  else if (r == 1)
    want = ENOTSOCK;
  else if (op < EPOLL_CTL_ADD || op > EPOLL_CTL_MOD ||
           (op != EPOLL_CTL_DEL && (null_event || bad_flags)))
    want = EINVAL;
  else if (op == EPOLL_CTL_ADD && reg->on)
    want = EEXIST;
  else if (op != EPOLL_CTL_ADD && !reg->on)
    want = ENOENT;
  errno = 0;
  int32_t rc = miow_epoll_ctl(h, op, sock, null_event ? NULL : &ev);
  int err = errno;
  expect_epoll(z, "epoll_ctl", rc != 0, err, want, want2, before);
  if (rc != 0 || reg == NULL) return;
  if (op == EPOLL_CTL_DEL) {
    reg->on = false;
  } else {
    reg->on = true;
    reg->data = ev.data.u64;
    reg->events = ev.events;
    reg->fired = false;
  }
}

static void op_epoll_wait(fuzz *z) {
  int32_t before = miow_last_os_error();
  miow_epoll_t h;
  m_epoll *e = arg_epoll(z, &h);
  struct epoll_event out[8];
  int32_t max = 1 + (int32_t)pick(z, 8);
  bool bad = false;
  struct epoll_event *events = out;
  if (chance(z, 8)) max = -(int32_t)pick(z, 3), bad = true;
  if (chance(z, 8)) events = NULL, bad = true;
  errno = 0;
  int32_t n = miow_epoll_wait(h, events, max, 0);
  int err = errno;
  /* epoll.h lists EINVAL and EBADF without an order between them. */
  int want = bad ? EINVAL : e == NULL ? EBADF : 0;
  int want2 = bad && e == NULL ? EBADF : 0;
  expect_epoll(z, "epoll_wait", n < 0, err, want, want2, before);
  if (n < 0 || e == NULL) return;
  if (n > max) mismatch(z, "epoll_wait returned %d records for %d", (int)n, (int)max);
  for (int32_t i = 0; i < n && i < max && !z->result->failed; i++) {
    m_epoll_reg *reg = NULL;
    for (int j = 0; j < RAWS; j++)
      if (e->regs[j].on && e->regs[j].data == out[i].data.u64) reg = &e->regs[j];
    if (reg == NULL) {
      mismatch(z, "epoll_wait: data %llu is no current registration",
           (unsigned long long)out[i].data.u64);
      break;
    }
    /* epoll.h: a registration asking none of the interest bits reports nothing at all. */
    uint32_t interest = EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDNORM | EPOLLWRNORM | EPOLLRDBAND;
    uint32_t allowed = (reg->events & interest) != 0 ? reg->events | EPOLLERR | EPOLLHUP : 0;
    if ((out[i].events & ~allowed) != 0 || out[i].events == 0)
      mismatch(z, "epoll_wait: events 0x%x for a registration asking 0x%x", (unsigned)out[i].events,
           (unsigned)reg->events);
    if ((reg->events & EPOLLONESHOT) != 0) {
      if (reg->fired) mismatch(z, "epoll_wait: a oneshot registration reported twice");
      reg->fired = true;
    }
  }
}

/* ---- ops: process-wide ---- */

static void op_misc(fuzz *z) {
  int32_t before = miow_last_os_error();
  int32_t code = (int32_t)pick(z, 40) - 30;
  const char *text = miow_strerror(code);
  bool known = code <= 0 && code >= MIOW_ENOTFOUND;
  z->result->calls++;
  note(z, "strerror(%d)", (int)code);
  if (text == NULL || (strcmp(text, "unknown error") == 0) == known)
    mismatch(z, "strerror(%d) gave \"%s\"", (int)code, text != NULL ? text : "(null)");
  if (miow_version() != MIOW_VERSION_NUMBER || strcmp(miow_version_string(), MIOW_VERSION_STRING) != 0)
    mismatch(z, "the version calls disagree with miow/common.h");
  if (miow_last_os_error() != before) mismatch(z, "strerror or version changed the last OS error");
}

/* ---- the run ---- */

typedef void (*op_fn)(fuzz *z);

static const struct {
  op_fn fn;
  const char *name;
  uint32_t weight;
} ops[] = {
    {op_selector_new, "selector_new", 4},
    {op_selector_free, "selector_free", 2},
    {op_selector_poll, "selector_poll", 10},
    {op_selector_post, "selector_post", 3},
    {op_waker_new, "waker_new", 3},
    {op_waker_wake, "waker_wake", 4},
    {op_waker_free, "waker_free", 2},
    {op_source_new, "source_new", 4},
    {op_source_free, "source_free", 5},
    {op_source_register, "source_register", 10},
    {op_source_reregister, "source_reregister", 6},
    {op_source_deregister, "source_deregister", 5},
    {op_source_rearm, "source_rearm", 5},
    {op_tcp_listen, "tcp_listen", 3},
    {op_tcp_connect, "tcp_connect", 4},
    {op_tcp_accept, "tcp_accept", 5},
    {op_udp_bind, "udp_bind", 4},
    {op_udp_connect, "udp_connect", 3},
    {op_udp_send_to, "udp_send_to", 5},
    {op_udp_receive, "udp_receive", 5},
    {op_udp_multicast, "udp_multicast", 2},
    {op_io, "io", 12},
    {op_shutdown, "shutdown", 3},
    {op_take_error, "take_error", 3},
    {op_address, "address", 3},
    {op_option, "option", 3},
    {op_source_socket, "source_socket", 2},
    {op_pipe_create, "pipe_create", 4},
    {op_pipe_open, "pipe_open", 4},
    {op_pipe_connect, "pipe_connect", 5},
    {op_pipe_disconnect, "pipe_disconnect", 3},
    {op_epoll_create, "epoll_create", 3},
    {op_epoll_close, "epoll_close", 2},
    {op_epoll_ctl, "epoll_ctl", 6},
    {op_epoll_wait, "epoll_wait", 4},
    {op_misc, "misc", 1},
};

/* Everything posted or woken is delivered: poll each live selector until it is quiet. */
static void fuzz__drain(fuzz *z) {
  for (int i = 0; i < SELECTORS && !z->result->failed; i++) {
    m_selector *s = &z->sels[i];
    if (s->h == NULL) continue;
    for (int round = 0; round < 50 && !z->result->failed; round++) {
      bool pending = s->post_count > 0;
      for (int j = 0; j < WAKERS; j++)
        if (z->wakers[j].h != NULL && z->wakers[j].sel_id == s->id && z->wakers[j].woken)
          pending = true;
      if (!pending) break;
      miow_event events[64];
      size_t count = 0;
      int32_t rc = miow_selector_poll(s->h, events, 64, &count, 10);
      if (rc != 0) mismatch(z, "drain: poll failed with %d", (int)rc);
      uint64_t seen[64];
      size_t seen_count = 0;
      for (size_t k = 0; k < count && !z->result->failed; k++)
        check_event(z, s, &events[k], seen, &seen_count);
    }
    if (s->post_count > 0) mismatch(z, "drain: %zu posted events never delivered", s->post_count);
    for (int j = 0; j < WAKERS; j++)
      if (z->wakers[j].h != NULL && z->wakers[j].sel_id == s->id && z->wakers[j].woken)
        mismatch(z, "drain: a wake never delivered");
  }
}

static void fuzz__cleanup(fuzz *z) {
  for (int i = 0; i < EPOLLS; i++)
    if (z->epolls[i].h != NULL && miow_epoll_close(z->epolls[i].h) != 0)
      mismatch(z, "cleanup: epoll_close failed");
  for (int i = 0; i < SOURCES; i++)
    if (z->sources[i].h != NULL && miow_source_free(z->sources[i].h) != 0)
      mismatch(z, "cleanup: source_free failed");
  for (int i = 0; i < WAKERS; i++)
    if (z->wakers[i].h != NULL && miow_waker_free(z->wakers[i].h) != 0)
      mismatch(z, "cleanup: waker_free failed");
  for (int i = 0; i < SELECTORS; i++)
    if (z->sels[i].h != NULL && miow_selector_free(z->sels[i].h) != 0)
      mismatch(z, "cleanup: selector_free failed");
  for (int i = 0; i < RAWS; i++) support_close(z->raws[i]);
  support_close_non_socket(z->non_socket);
}

void fuzz_run(fuzz_source *source, uint32_t steps, bool trace, fuzz_result *result) {
  static fuzz z_storage; /* large: kept off the stack */
  fuzz *z = &z_storage;
  memset(z, 0, sizeof *z);
  memset(result, 0, sizeof *result);
  z->src = source;
  z->result = result;
  z->trace = trace;
  z->windows = support_is_windows();
  for (int i = 0; i < RAW_PAIRS; i++) support_tcp_pair(&z->raws[2 * i], &z->raws[2 * i + 1]);
  z->non_socket = support_non_socket();
  uint32_t total = 0;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) total += ops[i].weight;
  for (z->step = 0; z->step < steps && !result->failed && !exhausted(z); z->step++) {
    uint32_t r = pick(z, total);
    size_t i = 0;
    while (r >= ops[i].weight) r -= ops[i++].weight;
    if (trace) {
      printf("%6u %s...\n", (unsigned)z->step, ops[i].name);
      fflush(stdout);
    }
    ops[i].fn(z);
  }
  if (!result->failed) fuzz__drain(z);
  fuzz__cleanup(z);
}

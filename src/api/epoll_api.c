/* The wepoll-compatible calls of include/miow/epoll.h. An epoll handle is a selector, a map from
 * sockets to their registrations, and turn-taking that lets several threads wait on it although
 * a selector has one poller at a time. Failures are reported the POSIX way: -1 (or NULL) with
 * errno and the thread's last error set. Lock order: the handle's lock, then (inside the
 * backend) the selector's. */
#include <stdlib.h>

#include "epoll_map.h"
#include "handle.h"
#include "miow/epoll.h"
#include "sys.h"

/* The constants are Linux's, also where the header defines them itself. */
_Static_assert(EPOLLIN == 0x001 && EPOLLPRI == 0x002 && EPOLLOUT == 0x004 && EPOLLERR == 0x008 &&
                   EPOLLHUP == 0x010 && EPOLLRDNORM == 0x040 && EPOLLRDBAND == 0x080 &&
                   EPOLLWRNORM == 0x100 && EPOLLWRBAND == 0x200 && EPOLLMSG == 0x400 &&
                   EPOLLRDHUP == 0x2000,
               "EPOLL* event bits must have Linux's values");
_Static_assert((uint32_t)EPOLLEXCLUSIVE == 1u << 28 && (uint32_t)EPOLLONESHOT == 1u << 30 &&
                   (uint32_t)EPOLLET == 1u << 31,
               "EPOLL* mode bits must have Linux's values");
/* So are the operations, which wepoll numbers differently (MOD 2, DEL 3): what a binding passes
 * means the same to miowin.dll and to libmiowin.so. */
_Static_assert(EPOLL_CTL_ADD == 1 && EPOLL_CTL_DEL == 2 && EPOLL_CTL_MOD == 3,
               "EPOLL_CTL_* must have Linux's values");

/* Events a wait takes from the selector at most; they fit on the stack. */
#define EPOLL_BATCH 256

/* The events that make the selector watch a socket, by the interest that watches for them. */
#define EPOLL_READ_EVENTS ((uint32_t)(EPOLLIN | EPOLLRDNORM))
#define EPOLL_WRITE_EVENTS ((uint32_t)(EPOLLOUT | EPOLLWRNORM))
#define EPOLL_PRIORITY_EVENTS ((uint32_t)(EPOLLPRI | EPOLLRDBAND))
#define EPOLL_WATCHED_EVENTS (EPOLL_READ_EVENTS | EPOLL_WRITE_EVENTS | EPOLL_PRIORITY_EVENTS)
#define EPOLL_ALWAYS_EVENTS ((uint32_t)(EPOLLERR | EPOLLHUP))
#define EPOLL_UNSUPPORTED ((uint32_t)EPOLLET | (uint32_t)EPOLLEXCLUSIVE)

typedef struct epoll_obj {
  handle_obj base;
  sys_lock lock; /* guards everything below */
  sys_cond turn; /* broadcast when a poller's turn ends, and at close */
  sys_selector *sel;
  epoll_map map;
  bool polling; /* a thread holds the turn: it alone polls the selector */
  bool closed;  /* the handle was closed; the object lives while calls hold references */
} epoll_obj;

/* The one error path: records the OS error as every miowin call does, sets errno as wepoll
 * does, and returns -1. A selector closed under a call means the handle was closed. */
static int32_t epoll__fail(int32_t code) {
  if (code == MIOW_ECLOSED) code = MIOW_EBADHANDLE;
  int32_t os_error = code == MIOW_EOS ? sys_error_load() : sys_error_for_code(code);
  sys_error_store(os_error);
  sys_errno_store(code, os_error);
  return -1;
}

/* Why a value is no epoll handle, as Linux and wepoll tell it: EINVAL's code for something open
 * that is not one (another miowin handle, an event, a file, a socket), EBADF's for a value
 * that names nothing at all. */
static int32_t epoll__not_epoll(miow_epoll_t handle) {
  if (handle == NULL) return MIOW_EBADHANDLE; /* never a handle, though 0 is a descriptor */
  bool open = handle_is_live(handle) || sys_handle_is_open((miow_socket_t)(uintptr_t)handle);
  return open ? MIOW_EINVAL : MIOW_EBADHANDLE;
}

static void epoll__destroy(handle_obj *obj) {
  epoll_obj *ep = (epoll_obj *)obj;
  sys_selector_destroy(ep->sel);
  epoll_map_free(&ep->map);
  free(ep);
}

/* Looks up an open epoll handle and locks it; NULL if there is none. */
static epoll_obj *epoll__enter(miow_epoll_t handle) {
  epoll_obj *ep = (epoll_obj *)handle_acquire(handle, HANDLE_EPOLL);
  if (ep == NULL) return NULL;
  sys_lock_acquire(&ep->lock);
  if (ep->closed) {
    sys_lock_release(&ep->lock);
    handle_release(&ep->base);
    return NULL;
  }
  return ep;
}

static void epoll__leave(epoll_obj *ep) {
  sys_lock_release(&ep->lock);
  handle_release(&ep->base);
}

/* ---- registrations ---- */

/* 0 for a socket; EBADF's code for a value that names nothing open, ENOTSOCK's for an open
 * handle or descriptor that is not a socket (Linux's EPERM, for a file it cannot poll). */
static int32_t epoll__check_socket(miow_socket_t sock) {
  if (sys_socket_check(sock) == 0) return 0;
  return sys_handle_is_open(sock) ? MIOW_ENOTSOCK : MIOW_EBADHANDLE;
}

static bool epoll__event_is_valid(const miow_epoll_event *event) {
  return event != NULL && (event->events & EPOLL_UNSUPPORTED) == 0;
}

/* What the selector watches for the caller's events. An interest is needed even when the events
 * ask for none (0, or only EPOLLRDHUP, EPOLLERR, EPOLLHUP...): a oneshot priority request. It
 * fires at most once (urgent data, or on Linux an error or hang-up), which is then not reported,
 * so it never keeps a waiter busy, and it lets the backend notice that the socket was closed.
 * Any interest that would report errors and hang-ups would also report readability or
 * writability, over and over in level mode, for as long as it lasts. */
static uint32_t epoll__interests(uint32_t events) {
  uint32_t interests = 0;
  if (events & EPOLL_READ_EVENTS) interests |= MIOW_READABLE;
  if (events & EPOLL_WRITE_EVENTS) interests |= MIOW_WRITABLE;
  if (events & EPOLL_PRIORITY_EVENTS) interests |= MIOW_PRIORITY;
  if (interests == 0) return MIOW_PRIORITY | MIOW_ONESHOT;
  return (events & (uint32_t)EPOLLONESHOT) ? interests | MIOW_ONESHOT : interests;
}

static void epoll__forget(epoll_obj *ep, uint32_t index) {
  sys_deregister(ep->map.entries[index].reg);
  epoll_map_remove(&ep->map, index);
}

/* The backend dropped the registration because its socket was closed: forget it, and answer
 * as Linux would for what the value names now (nothing, or a socket that is not registered). */
static int32_t epoll__dropped(epoll_obj *ep, uint32_t index, miow_socket_t sock) {
  epoll__forget(ep, index);
  int32_t rc = epoll__check_socket(sock);
  return rc != 0 ? rc : MIOW_ENOENT;
}

static int32_t epoll__add(epoll_obj *ep, miow_socket_t sock, const miow_epoll_event *event) {
  /* A bad socket is reported before a bad event, as Linux does. */
  if (!epoll__event_is_valid(event)) {
    int32_t rc = epoll__check_socket(sock);
    return rc != 0 ? rc : MIOW_EINVAL;
  }
  uint32_t index = epoll_map_find(&ep->map, sock);
  if (index != EPOLL_MAP_NONE) {
    /* If the old socket was closed and the value now names a new one, the old entry is dead. */
    if (!sys_registration_is_dropped(ep->map.entries[index].reg)) return MIOW_EEXIST;
    epoll__forget(ep, index);
  }
  if (epoll_map_add(&ep->map, sock, &index) != 0) return MIOW_ENOMEM;
  epoll_entry *entry = &ep->map.entries[index];
  entry->events = event->events;
  entry->data = event->data.u64;
  /* epoll hosts may close a socket without deleting it, and the OS may give its value to the
   * next socket at once: the backend must never take that socket for this one. It also checks
   * that the value is a socket, with the one call that an ADD needs. */
  int32_t rc = sys_register(ep->sel, sock, epoll_map_token(&ep->map, index),
                            epoll__interests(event->events) | SYS_WATCH_CLOSE, &entry->reg);
  if (rc != 0) {
    epoll_map_remove(&ep->map, index);
    /* Only now is it worth telling a closed value (EBADF) from an open non-socket. */
    int32_t why = rc == MIOW_ENOTSOCK ? epoll__check_socket(sock) : 0;
    if (why != 0) rc = why;
  }
  return rc;
}

/* A registered socket is not checked again: as in wepoll, a socket closed since is noticed by
 * the backend (at the next wait on Windows, at once on Linux), and only then treated as gone. */
static int32_t epoll__mod(epoll_obj *ep, miow_socket_t sock, const miow_epoll_event *event) {
  uint32_t index = epoll_map_find(&ep->map, sock);
  if (index == EPOLL_MAP_NONE) {
    int32_t rc = epoll__check_socket(sock);
    if (rc != 0) return rc;
    return epoll__event_is_valid(event) ? MIOW_ENOENT : MIOW_EINVAL;
  }
  if (!epoll__event_is_valid(event)) return MIOW_EINVAL;
  epoll_entry *entry = &ep->map.entries[index];
  int32_t rc =
      sys_reregister(entry->reg, epoll_map_token(&ep->map, index), epoll__interests(event->events));
  if (rc == MIOW_ENOENT) return epoll__dropped(ep, index, sock);
  if (rc != 0) return rc;
  entry->events = event->events;
  entry->data = event->data.u64;
  return 0;
}

static int32_t epoll__del(epoll_obj *ep, miow_socket_t sock) {
  uint32_t index = epoll_map_find(&ep->map, sock);
  if (index == EPOLL_MAP_NONE) {
    int32_t rc = epoll__check_socket(sock);
    return rc != 0 ? rc : MIOW_ENOENT;
  }
  int32_t rc = sys_deregister(ep->map.entries[index].reg);
  epoll_map_remove(&ep->map, index);
  if (rc != MIOW_ENOENT) return 0;
  rc = epoll__check_socket(sock);
  return rc != 0 ? rc : MIOW_ENOENT;
}

/* ---- waiting ---- */

/* The readiness table of include/miow/event.h, read as epoll reports it. A reset and a failed
 * connect both close the two directions; wepoll reports the failed connect as an error without
 * a hang-up, and so does this, so a hang-up is what closes both directions without an error.
 * (Linux's kernel adds the hang-up, and reports a reset with an error too: see docs/epoll.md.) */
static uint32_t epoll__events_of(uint32_t readiness) {
  uint32_t events = 0;
  if (readiness & MIOW_READABLE) events |= EPOLL_READ_EVENTS;
  if (readiness & MIOW_WRITABLE) events |= EPOLL_WRITE_EVENTS;
  if (readiness & MIOW_PRIORITY) events |= EPOLL_PRIORITY_EVENTS;
  if (readiness & MIOW_READ_CLOSED) events |= (uint32_t)EPOLLRDHUP;
  if (readiness & MIOW_ERROR)
    events |= (uint32_t)EPOLLERR;
  else if ((readiness & (MIOW_READ_CLOSED | MIOW_WRITE_CLOSED)) ==
           (MIOW_READ_CLOSED | MIOW_WRITE_CLOSED))
    events |= (uint32_t)EPOLLHUP;
  return events;
}

/* Turns the selector's events into the caller's records; with the lock held. An event whose
 * token is stale was taken just before its registration was deleted: it is dropped, as are
 * the events of registrations that watch nothing. */
static int32_t epoll__translate(epoll_obj *ep, const miow_event *in, size_t n,
                                miow_epoll_event *out) {
  int32_t count = 0;
  for (size_t i = 0; i < n; i++) {
    const epoll_entry *entry = epoll_map_resolve(&ep->map, in[i].token);
    if (entry == NULL || (entry->events & EPOLL_WATCHED_EVENTS) == 0) continue;
    uint32_t events = epoll__events_of(in[i].readiness) & (entry->events | EPOLL_ALWAYS_EVENTS);
    if (events == 0) continue;
    out[count].events = events;
    out[count].data.u64 = entry->data;
    count++;
  }
  return count;
}

/* What is left of a wait, rounded up to whole milliseconds so that it never ends early. */
static int64_t epoll__left_ms(int32_t timeout, double deadline) {
  if (timeout < 0) return -1;
  double left = deadline - sys_now_ms();
  if (left <= 0) return 0;
  int64_t ms = (int64_t)left;
  return (double)ms < left ? ms + 1 : ms;
}

/* Waits, within the caller's timeout, until no other thread holds the turn or the handle is
 * closed. False if the time ran out first. With the lock held. */
static bool epoll__await_turn(epoll_obj *ep, int32_t timeout, double deadline) {
  while (ep->polling && !ep->closed) {
    int64_t left = epoll__left_ms(timeout, deadline);
    if (left == 0) return false;
    sys_cond_wait(&ep->turn, &ep->lock, left);
  }
  return true;
}

/* Polls until there is something to report or the time is up. Called holding the turn and the
 * lock; the lock is released while the selector waits, so that other calls go on meanwhile. */
static int32_t epoll__poll(epoll_obj *ep, miow_epoll_event *out, int32_t maxevents, int32_t timeout,
                           double deadline, int32_t *count) {
  miow_event batch[EPOLL_BATCH];
  size_t room = maxevents < EPOLL_BATCH ? (size_t)maxevents : EPOLL_BATCH;
  for (;;) {
    int64_t wait_ms = epoll__left_ms(timeout, deadline);
    sys_lock_release(&ep->lock);
    size_t n = 0;
    int32_t rc = sys_selector_poll(ep->sel, batch, room, &n, wait_ms);
    sys_lock_acquire(&ep->lock);
    if (ep->closed) return MIOW_EBADHANDLE;
    if (rc != 0) return rc;
    *count = epoll__translate(ep, batch, n, out);
    if (*count > 0 || wait_ms == 0) return 0;
  }
}

MIOW_EXTERN int32_t MIOW_CALL miow_epoll_wait(miow_epoll_t ephnd, miow_epoll_event *events,
                                              int32_t maxevents, int32_t timeout) {
  /* Linux checks the array before the handle. */
  if (events == NULL || maxevents <= 0) return epoll__fail(MIOW_EINVAL);
  epoll_obj *ep = (epoll_obj *)handle_acquire(ephnd, HANDLE_EPOLL);
  if (ep == NULL) return epoll__fail(epoll__not_epoll(ephnd));
  double deadline = sys_now_ms() + (timeout > 0 ? (double)timeout : 0.0);
  int32_t rc = 0, count = 0;
  sys_lock_acquire(&ep->lock);
  if (epoll__await_turn(ep, timeout, deadline)) {
    if (ep->closed) {
      rc = MIOW_EBADHANDLE;
    } else {
      ep->polling = true;
      rc = epoll__poll(ep, events, maxevents, timeout, deadline, &count);
      ep->polling = false;
      sys_cond_broadcast(&ep->turn);
    }
  }
  sys_lock_release(&ep->lock);
  handle_release(&ep->base);
  return rc == 0 ? count : epoll__fail(rc);
}

/* ---- the handle ---- */

MIOW_EXTERN miow_epoll_t MIOW_CALL miow_epoll_create1(int32_t flags) {
  if ((flags & ~(int32_t)EPOLL_CLOEXEC) != 0) {
    epoll__fail(MIOW_EINVAL);
    return NULL;
  }
  int32_t rc = sys_init();
  epoll_obj *ep = NULL;
  if (rc == 0) {
    ep = calloc(1, sizeof *ep);
    rc = ep == NULL ? MIOW_ENOMEM : sys_selector_new(&ep->sel);
  }
  void *handle = NULL;
  if (rc == 0) {
    epoll_map_init(&ep->map);
    ep->base.kind = HANDLE_EPOLL;
    ep->base.destroy = epoll__destroy;
    if (handle_insert(&ep->base, &handle) != 0) {
      sys_selector_destroy(ep->sel);
      rc = MIOW_ENOMEM;
    }
  }
  if (rc != 0) {
    free(ep);
    epoll__fail(rc);
    return NULL;
  }
  return handle;
}

MIOW_EXTERN miow_epoll_t MIOW_CALL miow_epoll_create(int32_t size) {
  if (size <= 0) {
    epoll__fail(MIOW_EINVAL);
    return NULL;
  }
  return miow_epoll_create1(0);
}

MIOW_EXTERN int32_t MIOW_CALL miow_epoll_close(miow_epoll_t ephnd) {
  epoll_obj *ep = (epoll_obj *)handle_remove(ephnd, HANDLE_EPOLL);
  if (ep == NULL) return epoll__fail(epoll__not_epoll(ephnd));
  sys_lock_acquire(&ep->lock);
  ep->closed = true;
  /* The thread holding the turn returns from the selector; those awaiting it wake up. */
  sys_selector_close(ep->sel);
  sys_cond_broadcast(&ep->turn);
  for (uint32_t i = 0; i < ep->map.used; i++)
    if (ep->map.entries[i].live) sys_deregister(ep->map.entries[i].reg);
  epoll_map_free(&ep->map);
  sys_lock_release(&ep->lock);
  handle_release(&ep->base);
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_epoll_ctl(miow_epoll_t ephnd, int32_t op, miow_socket_t sock,
                                             miow_epoll_event *event) {
  epoll_obj *ep = epoll__enter(ephnd);
  if (ep == NULL) return epoll__fail(epoll__not_epoll(ephnd));
  int32_t rc;
  switch (op) {
    case EPOLL_CTL_ADD: rc = epoll__add(ep, sock, event); break;
    case EPOLL_CTL_MOD: rc = epoll__mod(ep, sock, event); break;
    case EPOLL_CTL_DEL: rc = epoll__del(ep, sock); break;
    default:
      rc = epoll__check_socket(sock);
      if (rc == 0) rc = MIOW_EINVAL;
      break;
  }
  epoll__leave(ep);
  return rc == 0 ? 0 : epoll__fail(rc);
}

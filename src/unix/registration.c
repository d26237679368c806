/* A socket's registration in an epoll selector. Edge mode is EPOLLET with the Windows backend's
 * meaning layered on top: a reported condition (data, a read hang-up, a hang-up or error) is
 * spent, and taken out of the epoll entry where epoll allows, so it stays silent until rearm,
 * while the conditions not reported stay watched; rearm (an EPOLL_CTL_MOD) reports again what
 * is still ready. */
#define _GNU_SOURCE
#include "registration.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "error.h"
#include "interest.h"

#define CONDITION_BITS (MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED)

/* What the epoll entry asks for: the armed interests, in the registration's mode. */
static uint32_t reg__epoll_events(const sys_registration *reg) {
  uint32_t events = 0;
  if (reg->interests & SYS_PIPE_LISTENER) {
    /* A pipe server's listening socket (pipe.c): only a client's arrival matters. */
    if (reg->armed & (MIOW_READABLE | MIOW_WRITABLE)) events |= EPOLLIN;
  } else {
    if (reg->armed & MIOW_READABLE) events |= EPOLLIN | EPOLLRDHUP;
    if (reg->armed & MIOW_WRITABLE) events |= EPOLLOUT;
    if (reg->armed & MIOW_PRIORITY) events |= EPOLLPRI;
    events &= ~reg->spent;
  }
  if (reg->interests & MIOW_EDGE) events |= EPOLLET;
  if (reg->interests & MIOW_ONESHOT) events |= EPOLLONESHOT;
  return events;
}

/* epoll reports errors and hang-ups whatever was asked for, as the Windows backend asks AFD for
 * ABORT and CONNECT_FAIL with every interest; but a read hang-up (DISCONNECT there) only with
 * readable interest, and readiness only for the armed interests. */
static uint32_t reg__observed(const sys_registration *reg, uint32_t events) {
  if (!(reg->armed & MIOW_READABLE)) events &= ~(uint32_t)(EPOLLIN | EPOLLRDHUP);
  if (!(reg->armed & MIOW_WRITABLE)) events &= ~(uint32_t)EPOLLOUT;
  if (!(reg->armed & MIOW_PRIORITY)) events &= ~(uint32_t)EPOLLPRI;
  return events & ~reg->spent;
}

/* The epoll conditions that re-arming `bits` makes count again; a hang-up and an error belong
 * to every interest, as AFD's ABORT and CONNECT_FAIL do. */
static uint32_t reg__conditions_of(uint32_t bits) {
  uint32_t events = bits != 0 ? (uint32_t)(EPOLLHUP | EPOLLERR) : 0;
  if (bits & MIOW_READABLE) events |= EPOLLIN | EPOLLRDHUP;
  if (bits & MIOW_WRITABLE) events |= EPOLLOUT;
  if (bits & MIOW_PRIORITY) events |= EPOLLPRI;
  return events;
}

/* Mirrors the AFD table of include/miow/event.h: a hang-up is AFD's ABORT, an error its
 * CONNECT_FAIL, a read hang-up its DISCONNECT. */
static uint32_t reg__readiness(uint32_t events) {
  uint32_t readiness = 0;
  if (events & EPOLLIN) readiness |= MIOW_READABLE;
  if (events & EPOLLOUT) readiness |= MIOW_WRITABLE;
  if (events & EPOLLPRI) readiness |= MIOW_PRIORITY;
  if (events & EPOLLRDHUP) readiness |= MIOW_READABLE | MIOW_READ_CLOSED;
  if (events & EPOLLHUP)
    readiness |= MIOW_READABLE | MIOW_WRITABLE | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED;
  if (events & EPOLLERR) readiness |= MIOW_READABLE | MIOW_WRITABLE | MIOW_ERROR;
  return readiness;
}

/* SYS_PIPE_LISTENER: a pipe server waiting for its client registers its listening socket,
 * whose readability (a client arrived) is what Windows reports as the pipe's connect completing,
 * a writable event. It is reported as readable too: on Windows the completed connect starts a
 * read at once, and a host waiting for readable only must get to the read that takes the
 * client (which then reports data or would-block, re-arming the connection). What else a
 * listening socket reports means nothing for the pipe. */
static uint32_t reg__pipe_listener(uint32_t events) {
  return (events & EPOLLIN ? EPOLLOUT | EPOLLIN : 0) | (events & (EPOLLERR | EPOLLHUP));
}

/* An fd the owner closed has left the epoll set already (or now names another file). */
static bool reg__closed_error(int error) { return error == EBADF || error == ENOENT; }

/* Whether `reg->fd` still names the socket that was registered: the owner may have closed it,
 * and the OS may have given the number to another file since. */
static bool reg__same_socket(const sys_registration *reg) {
  struct stat st;
  return fstat(reg->fd, &st) == 0 && st.st_dev == reg->dev && st.st_ino == reg->ino;
}

/* The socket is gone from under the registration. Its epoll entry may live on if another
 * descriptor (a dup, or one inherited by a child) keeps the socket open, and no descriptor of
 * ours can remove it any more: the selector rebuilds its epoll set the next time it hears from
 * such an entry. */
static void reg__drop(sys_registration *reg) {
  if (reg->dropped) return;
  reg->dropped = true;
  reg->sel->ghosts++;
}

static int reg__ctl(sys_registration *reg, int op) {
  struct epoll_event ev = {.events = reg__epoll_events(reg), .data.u64 = reg->item.id};
  return epoll_ctl(reg->sel->epfd, op, reg->fd, &ev) == 0 ? 0 : errno;
}

bool registration_feed(sys_registration *reg, uint32_t epoll_events, miow_event *event) {
  if (reg->dropped) {
    /* An entry that outlived its socket's descriptor: have the epoll set rebuilt. */
    reg->sel->ghost_heard = true;
    return false;
  }
  if (reg->armed == 0) return false;
  if (reg->interests & SYS_PIPE_LISTENER) epoll_events = reg__pipe_listener(epoll_events);
  uint32_t observed = reg__observed(reg, epoll_events);
  uint32_t readiness = reg__readiness(observed) & (reg->armed | CONDITION_BITS);
  if (readiness == 0) return false;
  if (reg->interests & MIOW_ONESHOT) {
    reg->armed = 0; /* EPOLLONESHOT has disarmed the entry already */
  } else if (reg->interests & MIOW_EDGE) {
    /* As mio does: only what was reported is spent, so a FIN or a reset after a reported
     * read is still reported, once. */
    reg->spent |= observed & reg__conditions_of(reg->armed);
    /* Take the spent conditions out of the entry, or every new segment would wake the poller
     * only to be ignored (epoll cannot leave out hang-ups and errors; they are filtered). */
    if (reg__ctl(reg, EPOLL_CTL_MOD) != 0) reg__drop(reg);
  }
  event->token = reg->token;
  event->readiness = readiness;
  event->reserved = 0;
  return true;
}

bool registration_readd(sys_registration *reg, int epfd) {
  if (reg->dropped) return false;
  struct epoll_event ev = {.events = reg__epoll_events(reg), .data.u64 = reg->item.id};
  /* A socket that is gone simply stays out, and its source reports ENOENT as documented; an
   * entry for whatever file its number names now would report that file as this socket. */
  if (!reg__same_socket(reg) || epoll_ctl(epfd, EPOLL_CTL_ADD, reg->fd, &ev) != 0)
    reg->dropped = true;
  return !reg->dropped;
}

int32_t sys_register(sys_selector *sel, miow_socket_t socket, uint64_t token, uint32_t interests,
                     sys_registration **out) {
  /* A host-owned value must be a socket (the epoll calls check no more than this): a number,
   * here, and a socket in registration_add(), by the fstat that records which one. */
  if ((interests & SYS_WATCH_CLOSE) && socket > (miow_socket_t)INT32_MAX)
    return error_set_os(MIOW_ENOTSOCK, EBADF);
  return registration_add(sel, socket, token, interests, interests & INTEREST_BITS, out);
}

int32_t registration_add(sys_selector *sel, miow_socket_t socket, uint64_t token,
                         uint32_t interests, uint32_t armed, sys_registration **out) {
  sys_registration *reg = calloc(1, sizeof *reg);
  if (reg == NULL) return error_set(MIOW_ENOMEM);
  reg->item.kind = EP_REGISTRATION;
  reg->sel = sel;
  reg->fd = (int)socket;
  reg->token = token;
  reg->interests = interests & ~SYS_WATCH_CLOSE; /* epoll itself forgets a closed socket */
  reg->armed = armed & interests & INTEREST_BITS;
  struct stat st;
  int stat_error = fstat(reg->fd, &st) == 0 ? 0 : errno;
  if (stat_error == 0 && (interests & SYS_WATCH_CLOSE) && !S_ISSOCK(st.st_mode))
    stat_error = ENOTSOCK;
  if (stat_error != 0) {
    free(reg);
    return error_set_os(MIOW_ENOTSOCK, stat_error);
  }
  reg->dev = st.st_dev;
  reg->ino = st.st_ino;
  pthread_mutex_lock(&sel->lock);
  int32_t rc = 0;
  if (sel->closed) {
    rc = error_set(MIOW_ECLOSED);
  } else if (selector_attach(sel, &reg->item) != 0) {
    rc = error_set(MIOW_ENOMEM);
  } else if (selector_fd_claim(sel, reg->fd) != 0) {
    selector_detach(sel, &reg->item);
    rc = error_set(MIOW_ENOMEM);
  } else {
    int error = reg__ctl(reg, EPOLL_CTL_ADD);
    /* The same socket in the same selector twice is refused by epoll itself. */
    if (error == EEXIST)
      rc = error_set(MIOW_EEXIST);
    else if (error == ENOMEM || error == ENOSPC)
      rc = error_set_os(MIOW_ENOMEM, error);
    else if (error != 0)
      rc = error_set_os(MIOW_ENOTSOCK, error);
    if (rc != 0) {
      selector_fd_unclaim(sel, reg->fd);
      selector_detach(sel, &reg->item);
    }
  }
  pthread_mutex_unlock(&sel->lock);
  if (rc != 0) {
    free(reg);
    return rc;
  }
  *out = reg;
  return 0;
}

/* Whether an epoll_ctl through the registration's number may be made before checking that the
 * number still names its socket: true while no other registration may own an entry under it
 * (fd_owners.c), as then the call itself fails if the number names another file. */
static bool reg__ctl_checks_itself(const sys_registration *reg) {
  return selector_fd_is_unique(reg->sel, reg->fd);
}

/* After a failed epoll_ctl made unchecked: the socket is gone if the number names another file
 * now. Returns the error as the checked path would have met it (ENOENT for a gone socket). */
static int reg__explain_failure(const sys_registration *reg, int error) {
  return error != 0 && !reg__closed_error(error) && !reg__same_socket(reg) ? ENOENT : error;
}

/* Reregisters (`token` given) or re-arms `bits`. */
static int32_t reg__change(sys_registration *reg, const uint64_t *token, uint32_t interests,
                           uint32_t bits) {
  sys_selector *sel = reg->sel;
  pthread_mutex_lock(&sel->lock);
  int32_t rc = 0;
  uint32_t rearmed = bits & reg->interests & INTEREST_BITS;
  /* Re-arming what is armed must not MOD: with EPOLLET that reports what is ready again. */
  bool changed = token != NULL || (reg->armed | rearmed) != reg->armed ||
                 (reg->spent & ~reg__conditions_of(rearmed)) != reg->spent;
  bool unchecked = changed && reg__ctl_checks_itself(reg);
  if (!reg->dropped && !unchecked && !reg__same_socket(reg)) reg__drop(reg);
  if (!reg->dropped) {
    uint64_t old_token = reg->token;
    uint32_t old_interests = reg->interests, old_armed = reg->armed, old_spent = reg->spent;
    if (token != NULL) {
      reg->token = *token;
      reg->interests = interests;
      reg->armed = reg->interests & INTEREST_BITS;
      reg->spent = 0;
    } else {
      reg->armed |= rearmed;
      reg->spent &= ~reg__conditions_of(rearmed);
    }
    int error = changed ? reg__ctl(reg, EPOLL_CTL_MOD) : 0;
    if (unchecked) error = reg__explain_failure(reg, error);
    if (reg__closed_error(error)) {
      reg__drop(reg);
    } else if (error != 0) {
      reg->token = old_token;
      reg->interests = old_interests;
      reg->armed = old_armed;
      reg->spent = old_spent;
      rc = error_set_os(MIOW_EOS, error);
    }
  }
  if (reg->dropped) rc = MIOW_ENOENT;
  pthread_mutex_unlock(&sel->lock);
  return rc;
}

int32_t sys_reregister(sys_registration *reg, uint64_t token, uint32_t interests) {
  return reg__change(reg, &token, interests, 0);
}

int32_t sys_rearm(sys_registration *reg, uint32_t bits) {
  return reg__change(reg, NULL, 0, bits);
}

bool sys_registration_is_dropped(sys_registration *reg) {
  pthread_mutex_lock(&reg->sel->lock);
  /* epoll forgets a closed fd silently, so ask the fd itself. */
  if (!reg->dropped && !reg__same_socket(reg)) reg__drop(reg);
  bool dropped = reg->dropped;
  pthread_mutex_unlock(&reg->sel->lock);
  return dropped;
}

int32_t sys_deregister(sys_registration *reg) { return registration_remove(reg, NULL); }

int32_t registration_remove(sys_registration *reg, uint32_t *armed) {
  sys_selector *sel = reg->sel;
  pthread_mutex_lock(&sel->lock);
  /* An interest whose data condition is spent counts as disarmed for the registration that
   * takes over (a pipe's, moving between sockets). */
  if (armed != NULL) *armed = reg->armed & ~(reg->spent & EPOLLIN ? MIOW_READABLE : 0) &
                              ~(reg->spent & EPOLLOUT ? MIOW_WRITABLE : 0) &
                              ~(reg->spent & EPOLLPRI ? MIOW_PRIORITY : 0);
  /* Never DEL through a number that now names another file: it could be another source's.
   * Where no other registration may own an entry under the number, the DEL checks itself. */
  bool unchecked = !reg->dropped && reg__ctl_checks_itself(reg);
  if (!reg->dropped && !unchecked && !reg__same_socket(reg)) reg__drop(reg);
  if (!reg->dropped) {
    int error = epoll_ctl(sel->epfd, EPOLL_CTL_DEL, reg->fd, NULL) == 0 ? 0 : errno;
    if (unchecked) error = reg__explain_failure(reg, error);
    if (reg__closed_error(error)) reg__drop(reg);
  }
  /* A dropped registration's number stays claimed until the next rebuild: its entry may live. */
  if (!reg->dropped) selector_fd_unclaim(sel, reg->fd);
  int32_t rc = reg->dropped ? MIOW_ENOENT : 0;
  /* Reports still in flight, or from an entry that could not be removed, carry a dead id. */
  selector_detach(sel, &reg->item);
  pthread_mutex_unlock(&sel->lock);
  free(reg);
  return rc;
}

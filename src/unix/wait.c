/* Any descriptor epoll accepts as a source (pipes, FIFOs, terminals, eventfd, timerfd,
 * signalfd, pidfd, inotify, sockets too): a plain registration, with the checks and error
 * codes of a waitable source. epoll refuses what it cannot poll (a regular file, a directory)
 * with EPERM, which becomes MIOW_EINVAL rather than a socket's MIOW_ENOTSOCK. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "error.h"
#include "interest.h"
#include "registration.h"

struct sys_wait {
  sys_registration *reg;
};

/* The registration calls report a descriptor they cannot use as MIOW_ENOTSOCK; here it is an
 * invalid value, with the OS error kept. */
static int32_t wait__code(int32_t rc) {
  return rc == MIOW_ENOTSOCK ? error_set_os(MIOW_EINVAL, sys_error_load()) : rc;
}

int32_t sys_wait_check(miow_socket_t value) {
  if (value > INT_MAX) return error_set_os(MIOW_EINVAL, EBADF);
  /* Checked first: the probe's own epoll set would take a closed value's number. */
  if (fcntl((int)value, F_GETFD) < 0) return error_set_os(MIOW_EINVAL, errno);
  /* Asking epoll itself, on a set of our own, is the one exact test of what it accepts. */
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return error_set_os(errno == ENOMEM ? MIOW_ENOMEM : MIOW_EOS, errno);
  struct epoll_event ev = {.events = 0, .data.u64 = 0};
  int error = epoll_ctl(epfd, EPOLL_CTL_ADD, (int)value, &ev) == 0 ? 0 : errno;
  close(epfd);
  if (error == 0) return 0;
  if (error == ENOMEM || error == ENOSPC) return error_set_os(MIOW_ENOMEM, error);
  return error_set_os(MIOW_EINVAL, error);
}

int32_t sys_wait_register(sys_selector *sel, miow_socket_t value, uint64_t token,
                          uint32_t interests, sys_wait **out) {
  if (value > INT_MAX) return error_set_os(MIOW_EINVAL, EBADF);
  sys_wait *wait = malloc(sizeof *wait);
  if (wait == NULL) return error_set(MIOW_ENOMEM);
  int32_t rc = wait__code(sys_register(sel, value, token, interests, &wait->reg));
  if (rc != 0) {
    free(wait);
    return rc;
  }
  *out = wait;
  return 0;
}

int32_t sys_wait_reregister(sys_wait *wait, uint64_t token, uint32_t interests) {
  return sys_reregister(wait->reg, token, interests);
}

int32_t sys_wait_rearm(sys_wait *wait) { return sys_rearm(wait->reg, INTEREST_BITS); }

bool sys_wait_is_dropped(sys_wait *wait) { return sys_registration_is_dropped(wait->reg); }

int32_t sys_wait_deregister(sys_wait *wait) {
  int32_t rc = sys_deregister(wait->reg);
  free(wait);
  return rc;
}

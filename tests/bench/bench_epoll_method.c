/* The epoll API as a method of the scaling benchmark: every socket added with EPOLLIN
 * (level-triggered), waited on with epoll_wait, as a program ported from wepoll does. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "miowin.h"

#define MIOW_EPOLL_NAMES
#include "miow/epoll.h"

#define EPOLL_METHOD_CAPACITY 64

static void epoll_method__close(void *opaque) {
  miow_epoll_t ep = opaque;
  if (ep != NULL) epoll_close(ep);
}

static int epoll_method__open(void **out, const bench_sockets *sockets, char *error,
                              size_t error_size) {
  miow_epoll_t ep = epoll_create1(0);
  if (ep == NULL) {
    bench_fail(error, error_size, "epoll_create1", (unsigned long)miow_last_os_error());
    return -1;
  }
  for (size_t i = 0; i < sockets->count; i++) {
    struct epoll_event ev = {0};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, (miow_socket_t)sockets->receivers[i], &ev) != 0) {
      bench_fail(error, error_size, "epoll_ctl ADD", (unsigned long)miow_last_os_error());
      epoll_close(ep);
      return -1;
    }
  }
  /* As for the native method: the first wait issues every request, outside the timing. */
  struct epoll_event evs[EPOLL_METHOD_CAPACITY];
  if (epoll_wait(ep, evs, EPOLL_METHOD_CAPACITY, 0) != 0) {
    snprintf(error, error_size, "first wait over empty sockets reported something");
    epoll_close(ep);
    return -1;
  }
  *out = ep;
  return 0;
}

static int epoll_method__wait(void *opaque, size_t index, uint32_t timeout_ms, bench_tally *tally,
                              char *error, size_t error_size) {
  miow_epoll_t ep = opaque;
  struct epoll_event evs[EPOLL_METHOD_CAPACITY];
  for (;;) {
    int32_t n = epoll_wait(ep, evs, EPOLL_METHOD_CAPACITY, (int32_t)timeout_ms);
    tally->waits++;
    if (n < 0) {
      bench_fail(error, error_size, "epoll_wait", (unsigned long)miow_last_os_error());
      return -1;
    }
    if (n == 0) {
      snprintf(error, error_size, "socket %zu was not reported within %u ms", index,
               (unsigned)timeout_ms);
      return -1;
    }
    bool found = false;
    for (int32_t i = 0; i < n; i++) {
      if (evs[i].data.u64 == index && (evs[i].events & EPOLLIN) != 0)
        found = true;
      else
        tally->stray++;
    }
    if (found) return 0;
  }
}

const bench_method bench_epoll = {
    .name = "miowin epoll",
    .max_sockets = 0,
    .afd_counted = true,
    .open = epoll_method__open,
    .wait = epoll_method__wait,
    .close = epoll_method__close,
};

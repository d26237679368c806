/* The waker: an eventfd in the selector's epoll set. Writes add to its counter and one read
 * empties it, so any number of wakes before a poll make one event. */
#define _GNU_SOURCE
#include "waker.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "error.h"

struct sys_waker {
  ep_item item;
  sys_selector *sel;
  int fd;
  uint64_t token;
};

int32_t sys_waker_new(sys_selector *sel, uint64_t token, sys_waker **out) {
  sys_waker *waker = calloc(1, sizeof *waker);
  if (waker == NULL) return error_set(MIOW_ENOMEM);
  waker->item.kind = EP_WAKER;
  waker->sel = sel;
  waker->token = token;
  waker->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (waker->fd < 0) {
    int error = errno;
    free(waker);
    return error_set_os(MIOW_EOS, error);
  }
  pthread_mutex_lock(&sel->lock);
  int32_t rc = selector_attach(sel, &waker->item);
  if (rc != 0) {
    rc = error_set(rc);
  } else {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = waker->item.id};
    if (epoll_ctl(sel->epfd, EPOLL_CTL_ADD, waker->fd, &ev) != 0) {
      rc = error_set_os(MIOW_EOS, errno);
      selector_detach(sel, &waker->item);
    }
  }
  pthread_mutex_unlock(&sel->lock);
  if (rc != 0) {
    close(waker->fd);
    free(waker);
    return rc;
  }
  *out = waker;
  return 0;
}

int32_t sys_waker_wake(sys_waker *waker) {
  sys_selector *sel = waker->sel;
  pthread_mutex_lock(&sel->lock);
  bool closed = sel->closed;
  pthread_mutex_unlock(&sel->lock);
  if (closed) return error_set(MIOW_ECLOSED);
  uint64_t one = 1;
  if (write(waker->fd, &one, sizeof one) < 0 && errno != EAGAIN)
    return error_set_os(MIOW_EOS, errno);
  return 0;
}

void sys_waker_free(sys_waker *waker) {
  sys_selector *sel = waker->sel;
  pthread_mutex_lock(&sel->lock);
  epoll_ctl(sel->epfd, EPOLL_CTL_DEL, waker->fd, NULL);
  selector_detach(sel, &waker->item);
  pthread_mutex_unlock(&sel->lock);
  close(waker->fd);
  free(waker);
}

int waker_fd(const sys_waker *waker) { return waker->fd; }

bool waker_feed(sys_waker *waker, miow_event *event) {
  uint64_t value;
  /* Another poll's read may have emptied it already: then this report is stale. */
  if (read(waker->fd, &value, sizeof value) != (ssize_t)sizeof value) return false;
  event->token = waker->token;
  event->readiness = MIOW_READABLE;
  event->reserved = 0;
  return true;
}

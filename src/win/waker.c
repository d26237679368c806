/* The waker: a completion packet posted to the selector's port. Wakes coalesce: while a packet
 * is in flight, further wakes post nothing, so a burst of wakes costs one packet. */
#include "waker.h"

#include <stdlib.h>

#include "error.h"
#include "iocp.h"
#include "overlapped.h"

struct sys_waker {
  sys_selector *sel;
  uint64_t token;
  volatile LONG in_flight; /* a packet is queued and not yet consumed */
  bool freed;              /* the handle was freed while a packet was in flight */
};

int32_t sys_waker_new(sys_selector *sel, uint64_t token, sys_waker **out) {
  sys_waker *waker = calloc(1, sizeof *waker);
  if (waker == NULL) return error_set(MIOW_ENOMEM);
  waker->sel = sel;
  waker->token = token;
  *out = waker;
  return 0;
}

int32_t sys_waker_wake(sys_waker *waker) {
  sys_selector *sel = waker->sel;
  AcquireSRWLockExclusive(&sel->lock);
  bool closed = sel->closed;
  ReleaseSRWLockExclusive(&sel->lock);
  if (closed) return error_set(MIOW_ECLOSED);
  if (InterlockedExchange(&waker->in_flight, 1) != 0) return 0;
  DWORD error = iocp_post(sel->iocp, 0, KEY_WAKER, waker);
  if (error != 0) {
    InterlockedExchange(&waker->in_flight, 0);
    return error_set_os(MIOW_EOS, (int32_t)error);
  }
  return 0;
}

void sys_waker_free(sys_waker *waker) {
  sys_selector *sel = waker->sel;
  AcquireSRWLockExclusive(&sel->lock);
  /* A queued packet still points here; whoever dequeues it (a poll, or the selector's
   * destruction) frees the waker. */
  bool queued = waker->in_flight != 0;
  waker->freed = queued;
  ReleaseSRWLockExclusive(&sel->lock);
  if (!queued) free(waker);
}

bool waker_feed(sys_waker *waker, miow_event *event) {
  if (waker->freed) {
    free(waker);
    return false;
  }
  /* Cleared before the event is returned, so a wake from now on posts a fresh packet. */
  InterlockedExchange(&waker->in_flight, 0);
  event->token = waker->token;
  event->readiness = MIOW_READABLE;
  event->reserved = 0;
  return true;
}

/* The Windows selector: the update pass, the wait on the completion port, and turning packets
 * into events. */
#include "selector.h"

#include <stdlib.h>

#include "error.h"
#include "interest.h"
#include "iocp.h"
#include "overlapped.h"
#include "pipe.h"
#include "poll_group.h"
#include "sock_state.h"
#include "wait.h"
#include "waker.h"

/* Packets dequeued per wait. Each yields at most one event, so a caller's capacity larger than
 * this only means more than one wait per poll. */
#define POLL_BATCH 256

/* How many rounds a zero-timeout poll may take when the packets it dequeues only lead to new
 * requests (a cancellation completing, then the wider request issued in its place). */
#define ZERO_TIMEOUT_ROUNDS 8

/* How long destroying a selector waits for cancelled requests to come back before it gives up
 * and leaks their memory rather than free it under the driver. */
#define DESTROY_DRAIN_MS 5000
/* How long of that pipe writes in flight are left to finish before they are cancelled too. */
#define DESTROY_WRITE_GRACE_MS 2000

void selector_request_update(sys_selector *sel, sock_state *state) {
  if (sel->polling) {
    if (list_is_linked(&state->update_node)) list_remove(&state->update_node);
    sock_state_update(state);
  } else if (!list_is_linked(&state->update_node)) {
    list_push_back(&sel->update_queue, &state->update_node);
  }
}

static void selector__update_all(sys_selector *sel) {
  list_node *node;
  sel->updating = true;
  while ((node = list_first(&sel->update_queue)) != NULL) {
    list_remove(node);
    sock_state_update(container_of(node, sock_state, update_node));
  }
  sel->updating = false;
  while ((node = list_first(&sel->pipe_updates)) != NULL) {
    list_remove(node);
    pipe_update(container_of(node, sys_pipe, update_node));
  }
  while ((node = list_first(&sel->wait_updates)) != NULL) {
    list_remove(node);
    wait_update(container_of(node, sys_wait, update_node));
  }
}

void selector_report(sys_selector *sel, report_slot *slot, uint64_t token, uint32_t readiness,
                     miow_event *events, size_t *count) {
  /* A reregistration while the poll collected changes the token: that report stands apart. */
  if (slot->seq == sel->poll_seq && slot->index < *count && events[slot->index].token == token) {
    events[slot->index].readiness |= readiness;
    sel->folds++;
    return;
  }
  slot->seq = sel->poll_seq;
  slot->index = *count;
  miow_event *event = &events[(*count)++];
  event->token = token;
  event->readiness = readiness;
  event->reserved = 0;
}

_Static_assert(READINESS_BITS < (1u << POST_KIND_BITS), "a post's readiness fits below its token");

/* The token and readiness of a KEY_POST packet (see sys_selector_post). */
static void selector__read_post(const OVERLAPPED_ENTRY *entry, miow_event *event) {
  uint64_t token = (uint64_t)(uintptr_t)entry->lpOverlapped;
  if (sizeof(uintptr_t) < sizeof(uint64_t)) {
    uint64_t high = (entry->dwNumberOfBytesTransferred >> POST_KIND_BITS) |
                    (uint64_t)(entry->lpCompletionKey >> POST_KIND_BITS) << 24;
    token |= high << 32;
  }
  event->token = token;
  event->readiness = entry->dwNumberOfBytesTransferred & READINESS_BITS;
  event->reserved = 0;
}

/* Turns dequeued packets into events at `events[*count]` onwards; called with the lock held.
 * Returns true if a packet added to an event this poll had already reported (a registration
 * re-armed and completed again while the poll collected): the port has nothing new then. */
static bool selector__dispatch(sys_selector *sel, const OVERLAPPED_ENTRY *entries, ULONG n,
                               miow_event *events, size_t *count) {
  uint64_t folds = sel->folds;
  for (ULONG i = 0; i < n; i++) {
    const OVERLAPPED_ENTRY *entry = &entries[i];
    miow_event *event = &events[*count];
    switch ((completion_key)(entry->lpCompletionKey & POST_KIND_MASK)) {
      case KEY_AFD:
        sock_state_feed((sock_state *)entry->lpOverlapped, events, count);
        break;
      case KEY_WAKER:
        if (waker_feed((sys_waker *)entry->lpOverlapped, event)) (*count)++;
        break;
      case KEY_POST:
        selector__read_post(entry, event);
        (*count)++;
        break;
      case KEY_PIPE:
        pipe_feed(container_of(entry->lpOverlapped, pipe_op, ov), events, count);
        break;
      case KEY_WAIT:
        if (wait_feed((sys_wait *)entry->lpOverlapped, event)) (*count)++;
        break;
      case KEY_CLOSE: break;
    }
  }
  return sel->folds != folds;
}

int32_t sys_selector_new(sys_selector **out) {
  sys_selector *sel = calloc(1, sizeof *sel);
  if (sel == NULL) return error_set(MIOW_ENOMEM);
  DWORD error = iocp_new(&sel->iocp);
  if (error != 0) {
    free(sel);
    return error_set_os(MIOW_EOS, (int32_t)error);
  }
  InitializeSRWLock(&sel->lock);
  list_init(&sel->update_queue);
  list_init(&sel->states);
  list_init(&sel->groups);
  list_init(&sel->pipes);
  list_init(&sel->pipe_updates);
  list_init(&sel->wait_updates);
  *out = sel;
  return 0;
}

void sys_selector_close(sys_selector *sel) {
  AcquireSRWLockExclusive(&sel->lock);
  sel->closed = true;
  /* Under Wine, closing a port does not wake its waiter, and the port stays open anyway while
   * registrations refer to it: a packet is what ends a blocked poll. */
  if (sel->polling) iocp_post(sel->iocp, 0, KEY_CLOSE, NULL);
  ReleaseSRWLockExclusive(&sel->lock);
}

static void selector__cancel_pipes(sys_selector *sel, bool writes) {
  for (list_node *node = sel->pipes.next; node != &sel->pipes; node = node->next) {
    pipe_cancel(container_of(node, sys_pipe, pipe_node), writes);
  }
}

void sys_selector_destroy(sys_selector *sel) {
  OVERLAPPED_ENTRY entries[POLL_BATCH];
  miow_event events[POLL_BATCH];
  AcquireSRWLockExclusive(&sel->lock);
  sel->poll_seq++;
  /* Every registration is gone by now, so outstanding requests belong to freed sources: cancel
   * them and wait for their completions, which free the states. */
  for (list_node *node = sel->states.next; node != &sel->states; node = node->next) {
    sock_state_cancel_all(container_of(node, sock_state, state_node));
  }
  selector__cancel_pipes(sel, false);
  ULONGLONG start = GetTickCount64();
  bool writes_cancelled = false;
  for (;;) {
    bool waiting = sel->busy > 0;
    ULONGLONG now = GetTickCount64();
    if (waiting && now >= start + DESTROY_DRAIN_MS) break;
    /* Pipe writes reported as done get a grace period to reach their peers. */
    if (waiting && !writes_cancelled && now >= start + DESTROY_WRITE_GRACE_MS) {
      selector__cancel_pipes(sel, true);
      writes_cancelled = true;
    }
    ReleaseSRWLockExclusive(&sel->lock);
    ULONG n = 0;
    DWORD error = iocp_wait(sel->iocp, entries, POLL_BATCH, &n, waiting ? 100 : 0);
    AcquireSRWLockExclusive(&sel->lock);
    size_t ignored = 0;
    selector__dispatch(sel, entries, n, events, &ignored);
    if (error != 0 || (n == 0 && !waiting)) break;
  }
  bool drained = sel->busy == 0;
  ReleaseSRWLockExclusive(&sel->lock);
  if (!drained) return; /* the driver may still write into the states: leak rather than corrupt */
  poll_group_close_all(sel);
  CloseHandle(sel->iocp);
  free(sel);
}

/* The wait for what is left until `deadline`, rounded up so a wait never ends before it. */
static DWORD selector__wait_ms(int64_t timeout_ms, double deadline) {
  if (timeout_ms < 0) return INFINITE;
  double left = deadline - sys_now_ms();
  if (left <= 0) return 0;
  double rounded = (double)(int64_t)left;
  if (rounded < left) rounded += 1;
  return rounded >= (double)(INFINITE - 1) ? INFINITE - 1 : (DWORD)rounded;
}

int32_t sys_selector_poll(sys_selector *sel, miow_event *events, size_t capacity, size_t *count,
                          int64_t timeout_ms) {
  OVERLAPPED_ENTRY entries[POLL_BATCH];
  size_t total = 0;
  double deadline = sys_now_ms() + (double)(timeout_ms > 0 ? timeout_ms : 0);
  *count = 0;

  AcquireSRWLockExclusive(&sel->lock);
  if (sel->closed) {
    ReleaseSRWLockExclusive(&sel->lock);
    return error_set(MIOW_ECLOSED);
  }
  if (sel->polling) {
    ReleaseSRWLockExclusive(&sel->lock);
    return error_set(MIOW_EBUSY);
  }
  sel->polling = true;
  sel->poll_seq++;
  int32_t rc = 0;
  for (int round = 1;; round++) {
    /* Once events are in hand, further rounds only collect what is already queued: issuing
     * requests again now could report a level-triggered socket twice in one call. */
    if (total == 0) selector__update_all(sel);
    uint64_t reissues = sel->reissues;
    DWORD wait = total > 0 ? 0 : selector__wait_ms(timeout_ms, deadline);
    size_t room = capacity - total;
    ULONG batch = room < POLL_BATCH ? (ULONG)room : POLL_BATCH;
    ReleaseSRWLockExclusive(&sel->lock);
    ULONG n = 0;
    DWORD error = iocp_wait(sel->iocp, entries, batch, &n, wait);
    AcquireSRWLockExclusive(&sel->lock);
    /* Whatever was dequeued is consumed, even on the way out, so no state is left waiting. */
    bool folded = selector__dispatch(sel, entries, n, events, &total);
    if (sel->closed) {
      rc = error_set(MIOW_ECLOSED);
      break;
    }
    if (error != 0) {
      if (total == 0) rc = error_set_os(MIOW_EOS, (int32_t)error);
      break;
    }
    if (total > 0) {
      /* A full batch may have left more behind: fill the caller's array before returning,
       * unless the port is already handing back registrations reported in this poll. */
      if (n == batch && total < capacity && !folded) continue;
      break;
    }
    if (timeout_ms == 0) {
      /* Nothing to report yet, but if what was dequeued issued or queued new requests (say, a
       * cancelled request making way for a wider one after rearm), they may be satisfied now. */
      bool renewed = sel->reissues != reissues || !list_is_empty(&sel->update_queue);
      if (n == 0 || !renewed || round >= ZERO_TIMEOUT_ROUNDS) break;
    } else if (timeout_ms > 0 && sys_now_ms() >= deadline) {
      break;
    }
  }
  sel->polling = false;
  ReleaseSRWLockExclusive(&sel->lock);
  if (rc == 0) *count = total;
  return rc;
}

int32_t sys_selector_post(sys_selector *sel, uint64_t token, uint32_t readiness) {
  AcquireSRWLockExclusive(&sel->lock);
  bool closed = sel->closed;
  ReleaseSRWLockExclusive(&sel->lock);
  if (closed) return error_set(MIOW_ECLOSED);
  /* The packet's pointer holds the token where a pointer has 64 bits. On x86 it holds the low
   * half, and the high half rides above the readiness (6 bits) in the byte count (24 bits) and
   * above the packet kind in the key (8 bits): a packet has no other room, and allocating a
   * record per post would add a failure the call does not have on x64. */
  uint32_t high = (uint32_t)(token >> 32);
  DWORD bytes = readiness | (DWORD)(high & 0xffffffu) << POST_KIND_BITS;
  ULONG_PTR key = KEY_POST | (ULONG_PTR)(high >> 24) << POST_KIND_BITS;
  DWORD error = iocp_post(sel->iocp, bytes, key, (void *)(uintptr_t)token);
  if (error != 0) return error_set_os(MIOW_EOS, (int32_t)error);
  return 0;
}

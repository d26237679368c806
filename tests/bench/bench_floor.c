/* The floor: the same AFD polls and completion port miowin drives, issued by a bare loop with no
 * library around it. Under Wine the cost of an AFD poll grows with the number outstanding, so
 * this loop, not a flat line, is what miowin's overhead is measured from. */
#include "win/afd.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

/* What miowin asks AFD for when a socket is registered for readability. */
#define FLOOR_READABLE                                                                   \
  (AFD_POLL_RECEIVE | AFD_POLL_ACCEPT | AFD_POLL_DISCONNECT | AFD_POLL_ABORT |           \
   AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE)
#define FLOOR_ENTRIES 64
#define FLOOR_DRAIN_MS 2000

size_t bench_floor_group_size = 32;

typedef struct floor_socket {
  /* The request's status block; its address comes back as the completion's lpOverlapped. */
  IO_STATUS_BLOCK iosb;
  afd_poll_info info;
  SOCKET base;
  HANDLE helper;
  size_t index;
} floor_socket;

typedef struct floor_state {
  HANDLE port;
  HANDLE *helpers;
  size_t helper_count;
  floor_socket *sockets;
  size_t count;
  /* Sockets whose poll completed and that are re-armed at the start of the next wait, after
   * the caller read them: as a level-triggered selector does. */
  floor_socket **idle;
  size_t idle_count;
  /* Requests issued whose completion has not been dequeued yet. */
  size_t pending;
} floor_state;

void bench_afd_counts(uint64_t *polls, uint64_t *cancels) {
  *polls = (uint64_t)InterlockedCompareExchange64(&afd_counters.polls, 0, 0);
  *cancels = (uint64_t)InterlockedCompareExchange64(&afd_counters.cancels, 0, 0);
}

static floor_socket *floor__from_overlapped(OVERLAPPED *overlapped) {
  return (floor_socket *)((char *)overlapped - offsetof(floor_socket, iosb));
}

static int floor__submit(floor_state *state, floor_socket *sock, char *error,
                         size_t error_size) {
  NTSTATUS status = afd_poll(sock->helper, sock->base, FLOOR_READABLE, &sock->info, &sock->iosb,
                             &sock->iosb);
  /* Success at once still queues a completion packet (no skip-on-success mode). */
  if (status != STATUS_SUCCESS && status != STATUS_PENDING) {
    bench_fail(error, error_size, "IOCTL_AFD_POLL", nt.status_to_dos_error(status));
    return -1;
  }
  state->pending++;
  return 0;
}

static void floor__close(void *opaque) {
  floor_state *state = opaque;
  /* Every request is cancelled, and its completion dequeued, before its helper is closed:
   * as the library does, and because under Wine 8 closing helpers with polls still pending
   * was followed by wineserver crashes in later runs. A cancelled request still completes into
   * its status block, so the blocks may be freed only once every completion is dequeued. */
  for (size_t i = 0; state->sockets != NULL && state->port != NULL && i < state->count; i++) {
    floor_socket *sock = &state->sockets[i];
    if (sock->helper != NULL) afd_cancel(sock->helper, &sock->iosb);
  }
  while (state->pending > 0 && state->port != NULL) {
    OVERLAPPED_ENTRY entries[FLOOR_ENTRIES];
    ULONG removed = 0;
    if (!GetQueuedCompletionStatusEx(state->port, entries, FLOOR_ENTRIES, &removed,
                                     FLOOR_DRAIN_MS, FALSE))
      break;
    state->pending -= removed < state->pending ? removed : state->pending;
  }
  for (size_t i = 0; i < state->helper_count; i++) CloseHandle(state->helpers[i]);
  if (state->port != NULL) CloseHandle(state->port);
  if (state->pending > 0) {
    /* Leaked on purpose: a late completion could still write into them. */
    fprintf(stderr, "floor: %zu cancelled polls never completed; their blocks are leaked\n",
            state->pending);
  } else {
    free(state->sockets);
  }
  free(state->helpers);
  free(state->idle);
  free(state);
}

static int floor__open(void **out, const bench_sockets *sockets, char *error,
                       size_t error_size) {
  DWORD rc = nt_resolve();
  if (rc != 0) {
    bench_fail(error, error_size, "resolving ntdll entry points", rc);
    return -1;
  }
  size_t group = bench_floor_group_size == 0 ? 1 : bench_floor_group_size;
  floor_state *state = calloc(1, sizeof *state);
  if (state == NULL) {
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  state->count = sockets->count;
  state->helper_count = (sockets->count + group - 1) / group;
  state->helpers = calloc(state->helper_count, sizeof *state->helpers);
  state->sockets = calloc(sockets->count, sizeof *state->sockets);
  state->idle = calloc(sockets->count, sizeof *state->idle);
  if (state->helpers == NULL || state->sockets == NULL || state->idle == NULL) {
    snprintf(error, error_size, "out of memory");
    state->helper_count = 0;
    floor__close(state);
    return -1;
  }
  state->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  if (state->port == NULL) {
    bench_fail(error, error_size, "CreateIoCompletionPort", GetLastError());
    state->helper_count = 0;
    floor__close(state);
    return -1;
  }
  for (size_t i = 0; i < state->helper_count; i++) {
    rc = afd_open_helper(state->port, 0, &state->helpers[i]);
    if (rc != 0) {
      bench_fail(error, error_size, "opening an AFD helper", rc);
      state->helper_count = i;
      floor__close(state);
      return -1;
    }
  }
  for (size_t i = 0; i < sockets->count; i++) {
    floor_socket *sock = &state->sockets[i];
    sock->index = i;
    sock->helper = state->helpers[i / group];
    DWORD bytes = 0;
    if (WSAIoctl(sockets->receivers[i], SIO_BASE_HANDLE, NULL, 0, &sock->base,
                 sizeof sock->base, &bytes, NULL, NULL) == SOCKET_ERROR)
      sock->base = sockets->receivers[i];
    if (floor__submit(state, sock, error, error_size) != 0) {
      floor__close(state);
      return -1;
    }
  }
  *out = state;
  return 0;
}

static int floor__wait(void *opaque, size_t index, uint32_t timeout_ms, bench_tally *tally,
                       char *error, size_t error_size) {
  floor_state *state = opaque;
  for (;;) {
    for (size_t i = 0; i < state->idle_count; i++) {
      if (floor__submit(state, state->idle[i], error, error_size) != 0) return -1;
    }
    state->idle_count = 0;

    OVERLAPPED_ENTRY entries[FLOOR_ENTRIES];
    ULONG removed = 0;
    BOOL ok = GetQueuedCompletionStatusEx(state->port, entries, FLOOR_ENTRIES, &removed,
                                          timeout_ms, FALSE);
    tally->waits++;
    if (!ok) {
      DWORD os_error = GetLastError();
      if (os_error == WAIT_TIMEOUT)
        snprintf(error, error_size, "socket %zu was not reported within %u ms", index,
                 (unsigned)timeout_ms);
      else
        bench_fail(error, error_size, "GetQueuedCompletionStatusEx", os_error);
      return -1;
    }
    bool found = false;
    for (ULONG i = 0; i < removed; i++) {
      floor_socket *sock = floor__from_overlapped(entries[i].lpOverlapped);
      state->pending--;
      NTSTATUS status = sock->iosb.Status;
      if (!NT_SUCCESS(status) || sock->info.number_of_handles < 1) {
        snprintf(error, error_size, "poll for socket %zu completed with status 0x%08lx",
                 sock->index, (unsigned long)status);
        return -1;
      }
      if (sock->index == index && (sock->info.handles[0].events & AFD_POLL_RECEIVE) != 0)
        found = true;
      else
        tally->stray++;
      state->idle[state->idle_count++] = sock;
    }
    if (found) return 0;
  }
}

const bench_method bench_floor = {
    .name = "floor",
    .max_sockets = 0,
    .afd_counted = true,
    .open = floor__open,
    .wait = floor__wait,
    .close = floor__close,
};

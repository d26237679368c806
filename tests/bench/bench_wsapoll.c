/* Baseline: WSAPoll over the same sockets, the portable answer most hosts reach for first. Its
 * cost grows with the number of sockets it is handed on every call. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

typedef struct wsapoll_state {
  WSAPOLLFD *fds;
  size_t count;
} wsapoll_state;

static int wsapoll__open(void **out, const bench_sockets *sockets, char *error,
                         size_t error_size) {
  wsapoll_state *state = calloc(1, sizeof *state);
  if (state == NULL || (state->fds = calloc(sockets->count, sizeof *state->fds)) == NULL) {
    free(state);
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  state->count = sockets->count;
  for (size_t i = 0; i < sockets->count; i++) {
    state->fds[i].fd = sockets->receivers[i];
    state->fds[i].events = POLLRDNORM;
  }
  *out = state;
  return 0;
}

static int wsapoll__wait(void *opaque, size_t index, uint32_t timeout_ms, bench_tally *tally,
                         char *error, size_t error_size) {
  wsapoll_state *state = opaque;
  for (;;) {
    int ready = WSAPoll(state->fds, (ULONG)state->count, (INT)timeout_ms);
    tally->waits++;
    if (ready == SOCKET_ERROR) {
      bench_fail(error, error_size, "WSAPoll", (unsigned long)WSAGetLastError());
      return -1;
    }
    if (ready == 0) {
      snprintf(error, error_size, "socket %zu was not reported within %u ms", index,
               (unsigned)timeout_ms);
      return -1;
    }
    /* A host has to scan the whole array to find what is ready: part of WSAPoll's cost. */
    bool found = false;
    for (size_t i = 0; i < state->count; i++) {
      if (state->fds[i].revents == 0) continue;
      if (i == index && (state->fds[i].revents & POLLRDNORM) != 0)
        found = true;
      else
        tally->stray++;
    }
    if (found) return 0;
  }
}

static void wsapoll__close(void *opaque) {
  wsapoll_state *state = opaque;
  free(state->fds);
  free(state);
}

const bench_method bench_wsapoll = {
    .name = "WSAPoll",
    .max_sockets = 0,
    .afd_counted = false,
    .open = wsapoll__open,
    .wait = wsapoll__wait,
    .close = wsapoll__close,
};

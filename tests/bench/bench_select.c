/* Baseline: select() over the same sockets. Winsock's fd_set is an array of FD_SETSIZE sockets
 * (64 by default), so it is raised here, before any Winsock header, and larger sets are skipped. */
#define FD_SETSIZE 1024

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct select_state {
  fd_set all;
  fd_set ready;
} select_state;

static int select__open(void **out, const bench_sockets *sockets, char *error,
                        size_t error_size) {
  if (sockets->count > FD_SETSIZE) {
    snprintf(error, error_size, "select() takes at most %d sockets", FD_SETSIZE);
    return -1;
  }
  select_state *state = calloc(1, sizeof *state);
  if (state == NULL) {
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  /* Filled directly: FD_SET scans the set for duplicates, quadratic in the set's size. */
  for (size_t i = 0; i < sockets->count; i++) state->all.fd_array[i] = sockets->receivers[i];
  state->all.fd_count = (u_int)sockets->count;
  *out = state;
  return 0;
}

static int select__wait(void *opaque, size_t index, uint32_t timeout_ms, bench_tally *tally,
                        char *error, size_t error_size) {
  select_state *state = opaque;
  SOCKET wanted = state->all.fd_array[index];
  for (;;) {
    /* select() overwrites its set, so each call starts from a copy of the full one. */
    state->ready.fd_count = state->all.fd_count;
    memcpy(state->ready.fd_array, state->all.fd_array,
           state->all.fd_count * sizeof state->all.fd_array[0]);
    struct timeval timeout = {(long)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000};
    int ready = select(0, &state->ready, NULL, NULL, &timeout);
    tally->waits++;
    if (ready == SOCKET_ERROR) {
      bench_fail(error, error_size, "select", (unsigned long)WSAGetLastError());
      return -1;
    }
    if (ready == 0) {
      snprintf(error, error_size, "socket %zu was not reported within %u ms", index,
               (unsigned)timeout_ms);
      return -1;
    }
    bool found = false;
    for (u_int i = 0; i < state->ready.fd_count; i++) {
      if (state->ready.fd_array[i] == wanted)
        found = true;
      else
        tally->stray++;
    }
    if (found) return 0;
  }
}

static void select__close(void *opaque) { free(opaque); }

const bench_method bench_select = {
    .name = "select",
    .max_sockets = FD_SETSIZE,
    .afd_counted = false,
    .open = select__open,
    .wait = select__wait,
    .close = select__close,
};

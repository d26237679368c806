/* The method under test: one miowin selector with every socket registered level-triggered for
 * readability, exactly as a host would use the public API. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "miowin.h"

#define MIOWIN_EVENT_CAPACITY 64

typedef struct miowin_state {
  miow_selector *selector;
  miow_source **sources;
  size_t count;
} miowin_state;

static void miowin__fail(char *error, size_t error_size, const char *what, int32_t code) {
  snprintf(error, error_size, "%s: %s (%d, OS error %ld)", what, miow_strerror(code), (int)code,
           (long)miow_last_os_error());
}

static void miowin__close(void *opaque) {
  miowin_state *state = opaque;
  for (size_t i = 0; i < state->count; i++) miow_source_free(state->sources[i]);
  if (state->selector != NULL) miow_selector_free(state->selector);
  free(state->sources);
  free(state);
}

static int miowin__open(void **out, const bench_sockets *sockets, char *error,
                        size_t error_size) {
  miowin_state *state = calloc(1, sizeof *state);
  if (state == NULL || (state->sources = calloc(sockets->count, sizeof *state->sources)) == NULL) {
    free(state);
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  int32_t rc = miow_selector_new(&state->selector);
  if (rc != MIOW_OK) {
    miowin__fail(error, error_size, "miow_selector_new", rc);
    miowin__close(state);
    return -1;
  }
  for (size_t i = 0; i < sockets->count; i++) {
    rc = miow_source_new(&state->sources[i], (miow_socket_t)sockets->receivers[i]);
    if (rc != MIOW_OK) {
      miowin__fail(error, error_size, "miow_source_new", rc);
      miowin__close(state);
      return -1;
    }
    state->count = i + 1;
    rc = miow_source_register(state->sources[i], state->selector, i, MIOW_READABLE);
    if (rc != MIOW_OK) {
      miowin__fail(error, error_size, "miow_source_register", rc);
      miowin__close(state);
      return -1;
    }
  }
  /* A zero-timeout poll submits every registration now, so the first timed iteration does not
   * pay for N submissions. Every socket is empty, so nothing may be reported. */
  miow_event events[MIOWIN_EVENT_CAPACITY];
  size_t count = 0;
  rc = miow_selector_poll(state->selector, events, MIOWIN_EVENT_CAPACITY, &count, 0);
  if (rc != MIOW_OK || count != 0) {
    if (rc != MIOW_OK)
      miowin__fail(error, error_size, "miow_selector_poll (first)", rc);
    else
      snprintf(error, error_size,
               "first poll over %zu empty sockets reported %zu events (token %llu, readiness "
               "0x%x)",
               sockets->count, count, (unsigned long long)events[0].token,
               (unsigned)events[0].readiness);
    miowin__close(state);
    return -1;
  }
  *out = state;
  return 0;
}

static int miowin__wait(void *opaque, size_t index, uint32_t timeout_ms, bench_tally *tally,
                        char *error, size_t error_size) {
  miowin_state *state = opaque;
  miow_event events[MIOWIN_EVENT_CAPACITY];
  for (;;) {
    size_t count = 0;
    int32_t rc = miow_selector_poll(state->selector, events, MIOWIN_EVENT_CAPACITY, &count,
                                    (int64_t)timeout_ms);
    tally->waits++;
    if (rc != MIOW_OK) {
      miowin__fail(error, error_size, "miow_selector_poll", rc);
      return -1;
    }
    if (count == 0) {
      snprintf(error, error_size, "socket %zu was not reported within %u ms", index,
               (unsigned)timeout_ms);
      return -1;
    }
    bool found = false;
    for (size_t i = 0; i < count; i++) {
      if (events[i].token == index && (events[i].readiness & MIOW_READABLE) != 0)
        found = true;
      else
        tally->stray++;
    }
    if (found) return 0;
  }
}

const bench_method bench_miowin = {
    .name = "miowin",
    .max_sockets = 0,
#ifdef BENCH_STATIC
    .afd_counted = true,
#else
    .afd_counted = false,
#endif
    .open = miowin__open,
    .wait = miowin__wait,
    .close = miowin__close,
};

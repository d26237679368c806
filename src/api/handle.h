/* The handle table: hosts hold table indices with a generation count, never pointers, so a
 * freed, reused, wrong-kind or made-up handle is recognised instead of dereferenced. Objects are
 * reference-counted so that a handle can be freed while another thread is still using it. */
#ifndef MIOW_API_HANDLE_H
#define MIOW_API_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum handle_kind {
  HANDLE_SELECTOR = 1,
  HANDLE_SOURCE = 2,
  HANDLE_WAKER = 3,
  HANDLE_EPOLL = 4,
} handle_kind;

/* Embedded first in every object the table hands out. */
typedef struct handle_obj {
  uint32_t refs;
  handle_kind kind;
  /* Runs once, from whichever thread drops the last reference. */
  void (*destroy)(struct handle_obj *obj);
} handle_obj;

/* Publishes `obj` (whose kind and destroy are set) under a new handle. The table holds the
 * first reference. Returns 0 or MIOW_ENOMEM. */
int32_t handle_insert(handle_obj *obj, void **out);

/* The object behind a live handle of that kind, with a reference the caller must release; NULL
 * if the handle is not live. */
handle_obj *handle_acquire(const void *handle, handle_kind kind);

/* Whether `handle` is a live handle of any kind. */
bool handle_is_live(const void *handle);

/* Takes a live handle out of the table: later lookups fail. Returns the object with the table's
 * reference handed to the caller, or NULL if the handle was not live (a second free). */
handle_obj *handle_remove(const void *handle, handle_kind kind);

/* One more reference to an object the caller already holds a reference to. */
void handle_retain(handle_obj *obj);

void handle_release(handle_obj *obj);

#endif

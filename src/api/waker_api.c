/* The waker's public calls. A waker keeps its selector's memory alive, so waking after the
 * selector's handle was freed is a clean MIOW_ECLOSED rather than a use after free. */
#include <stdlib.h>

#include "error.h"
#include "objects.h"

static void waker__destroy(handle_obj *obj) {
  waker_obj *w = (waker_obj *)obj;
  sys_waker_free(w->sys);
  handle_release(&w->sel->base);
  free(w);
}

MIOW_EXTERN int32_t MIOW_CALL miow_waker_new(miow_selector *sel_handle, uint64_t token,
                                             miow_waker **out) {
  selector_obj *sel = (selector_obj *)handle_acquire(sel_handle, HANDLE_SELECTOR);
  if (sel == NULL) return error_set(MIOW_EBADHANDLE);
  if (out == NULL) {
    handle_release(&sel->base);
    return error_set(MIOW_EINVAL);
  }
  waker_obj *w = calloc(1, sizeof *w);
  if (w == NULL) {
    handle_release(&sel->base);
    return error_set(MIOW_ENOMEM);
  }
  int32_t rc = sys_waker_new(sel->sys, token, &w->sys);
  if (rc != 0) {
    free(w);
    handle_release(&sel->base);
    return rc;
  }
  w->sel = sel; /* the reference taken above now belongs to the waker */
  w->base.kind = HANDLE_WAKER;
  w->base.destroy = waker__destroy;
  void *handle;
  if (handle_insert(&w->base, &handle) != 0) {
    waker__destroy(&w->base);
    return error_set(MIOW_ENOMEM);
  }
  *out = handle;
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_waker_wake(miow_waker *handle) {
  waker_obj *w = (waker_obj *)handle_acquire(handle, HANDLE_WAKER);
  if (w == NULL) return error_set(MIOW_EBADHANDLE);
  int32_t rc = sys_waker_wake(w->sys);
  handle_release(&w->base);
  return rc;
}

MIOW_EXTERN int32_t MIOW_CALL miow_waker_free(miow_waker *handle) {
  waker_obj *w = (waker_obj *)handle_remove(handle, HANDLE_WAKER);
  if (w == NULL) return error_set(MIOW_EBADHANDLE);
  handle_release(&w->base);
  return 0;
}

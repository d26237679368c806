/* The selector's public calls: validate, then hand over to the backend. */
#include <stdlib.h>

#include "error.h"
#include "interest.h"
#include "objects.h"

static void selector__destroy(handle_obj *obj) {
  selector_obj *sel = (selector_obj *)obj;
  sys_selector_destroy(sel->sys);
  free(sel);
}

bool selector_is_freed(selector_obj *sel) { return __atomic_load_n(&sel->freed, __ATOMIC_ACQUIRE); }

MIOW_EXTERN int32_t MIOW_CALL miow_selector_new(miow_selector **out) {
  if (out == NULL) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  selector_obj *sel = calloc(1, sizeof *sel);
  if (sel == NULL) return error_set(MIOW_ENOMEM);
  rc = sys_selector_new(&sel->sys);
  if (rc != 0) {
    free(sel);
    return rc;
  }
  sel->base.kind = HANDLE_SELECTOR;
  sel->base.destroy = selector__destroy;
  void *handle;
  if (handle_insert(&sel->base, &handle) != 0) {
    sys_selector_destroy(sel->sys);
    free(sel);
    return error_set(MIOW_ENOMEM);
  }
  *out = handle;
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_selector_free(miow_selector *handle) {
  selector_obj *sel = (selector_obj *)handle_remove(handle, HANDLE_SELECTOR);
  if (sel == NULL) return error_set(MIOW_EBADHANDLE);
  __atomic_store_n(&sel->freed, true, __ATOMIC_RELEASE);
  sys_selector_close(sel->sys);
  handle_release(&sel->base);
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_selector_poll(miow_selector *handle, miow_event *events,
                                                 size_t capacity, size_t *count,
                                                 int64_t timeout_ms) {
  selector_obj *sel = (selector_obj *)handle_acquire(handle, HANDLE_SELECTOR);
  if (sel == NULL) return error_set(MIOW_EBADHANDLE);
  int32_t rc;
  if (events == NULL || count == NULL || capacity == 0 || timeout_ms < -1)
    rc = error_set(MIOW_EINVAL);
  else
    rc = sys_selector_poll(sel->sys, events, capacity, count, timeout_ms);
  handle_release(&sel->base);
  return rc;
}

MIOW_EXTERN int32_t MIOW_CALL miow_selector_post(miow_selector *handle, uint64_t token,
                                                 uint32_t readiness) {
  selector_obj *sel = (selector_obj *)handle_acquire(handle, HANDLE_SELECTOR);
  if (sel == NULL) return error_set(MIOW_EBADHANDLE);
  int32_t rc = readiness_is_valid(readiness) ? sys_selector_post(sel->sys, token, readiness)
                                             : error_set(MIOW_EINVAL);
  handle_release(&sel->base);
  return rc;
}

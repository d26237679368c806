/* The source's public calls: registration bookkeeping and validation in front of the backend's
 * per-socket state. Lock order: the source's lock, then (inside the backend) the selector's. */
#include <stdlib.h>

#include "error.h"
#include "interest.h"
#include "objects.h"

/* Ends the current registration; called with the source locked. */
static int32_t source__detach(source_obj *src) {
  int32_t rc = sys_deregister(src->reg);
  handle_release(&src->sel->base);
  src->sel = NULL;
  src->reg = NULL;
  return rc;
}

static void source__destroy(handle_obj *obj) {
  source_obj *src = (source_obj *)obj;
  if (src->reg != NULL) source__detach(src);
  free(src);
}

/* Looks up a source and locks it; NULL (with the error recorded) if it is not live. */
static source_obj *source__enter(miow_source *handle) {
  source_obj *src = (source_obj *)handle_acquire(handle, HANDLE_SOURCE);
  if (src == NULL) return NULL;
  sys_lock_acquire(&src->lock);
  if (src->freed) {
    sys_lock_release(&src->lock);
    handle_release(&src->base);
    return NULL;
  }
  return src;
}

static int32_t source__leave(source_obj *src, int32_t rc) {
  sys_lock_release(&src->lock);
  handle_release(&src->base);
  return rc;
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_new(miow_source **out, miow_socket_t socket) {
  if (out == NULL) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  rc = sys_socket_check(socket);
  if (rc != 0) return rc;
  source_obj *src = calloc(1, sizeof *src);
  if (src == NULL) return error_set(MIOW_ENOMEM);
  src->base.kind = HANDLE_SOURCE;
  src->base.destroy = source__destroy;
  src->socket = socket;
  void *handle;
  if (handle_insert(&src->base, &handle) != 0) {
    free(src);
    return error_set(MIOW_ENOMEM);
  }
  *out = handle;
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_free(miow_source *handle) {
  source_obj *src = (source_obj *)handle_remove(handle, HANDLE_SOURCE);
  if (src == NULL) return error_set(MIOW_EBADHANDLE);
  sys_lock_acquire(&src->lock);
  src->freed = true;
  if (src->reg != NULL) source__detach(src);
  sys_lock_release(&src->lock);
  handle_release(&src->base);
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_register(miow_source *handle, miow_selector *sel_handle,
                                                   uint64_t token, uint32_t interests) {
  source_obj *src = source__enter(handle);
  if (src == NULL) return error_set(MIOW_EBADHANDLE);
  selector_obj *sel = (selector_obj *)handle_acquire(sel_handle, HANDLE_SELECTOR);
  if (sel == NULL) return source__leave(src, error_set(MIOW_EBADHANDLE));
  int32_t rc = 0;
  if (!interest_is_valid(interests)) {
    rc = error_set(MIOW_EINVAL);
  } else if (src->reg != NULL) {
    /* A registration the backend dropped because the socket was closed no longer counts. */
    if (sys_registration_is_dropped(src->reg))
      source__detach(src);
    else
      rc = error_set(MIOW_EEXIST);
  }
  if (rc == 0) rc = sys_socket_check(src->socket);
  if (rc == 0) rc = sys_register(sel->sys, src->socket, token, interests, &src->reg);
  if (rc == 0) {
    src->sel = sel; /* keeps the reference taken above */
    return source__leave(src, 0);
  }
  handle_release(&sel->base);
  return source__leave(src, rc);
}

/* Shared by reregister and deregister: the source must be registered with exactly `sel`. */
static int32_t source__check_registered(source_obj *src, selector_obj *sel, int32_t other) {
  if (src->reg == NULL) return error_set(MIOW_ENOENT);
  if (src->sel != sel) return error_set(other);
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_reregister(miow_source *handle, miow_selector *sel_handle,
                                                     uint64_t token, uint32_t interests) {
  source_obj *src = source__enter(handle);
  if (src == NULL) return error_set(MIOW_EBADHANDLE);
  selector_obj *sel = (selector_obj *)handle_acquire(sel_handle, HANDLE_SELECTOR);
  if (sel == NULL) return source__leave(src, error_set(MIOW_EBADHANDLE));
  int32_t rc = interest_is_valid(interests) ? source__check_registered(src, sel, MIOW_EEXIST)
                                            : error_set(MIOW_EINVAL);
  if (rc == 0) {
    rc = sys_reregister(src->reg, token, interests);
    if (rc == MIOW_ENOENT) {
      source__detach(src);
      rc = error_set(MIOW_ENOENT);
    }
  }
  handle_release(&sel->base);
  return source__leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_deregister(miow_source *handle,
                                                     miow_selector *sel_handle) {
  source_obj *src = source__enter(handle);
  if (src == NULL) return error_set(MIOW_EBADHANDLE);
  selector_obj *sel = (selector_obj *)handle_acquire(sel_handle, HANDLE_SELECTOR);
  if (sel == NULL) return source__leave(src, error_set(MIOW_EBADHANDLE));
  int32_t rc = source__check_registered(src, sel, MIOW_ENOENT);
  if (rc == 0 && source__detach(src) == MIOW_ENOENT) rc = error_set(MIOW_ENOENT);
  handle_release(&sel->base);
  return source__leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_rearm(miow_source *handle) {
  source_obj *src = source__enter(handle);
  if (src == NULL) return error_set(MIOW_EBADHANDLE);
  int32_t rc = src->reg == NULL ? error_set(MIOW_ENOENT) : sys_rearm(src->reg);
  if (rc == MIOW_ENOENT && src->reg != NULL) {
    source__detach(src);
    rc = error_set(MIOW_ENOENT);
  }
  return source__leave(src, rc);
}

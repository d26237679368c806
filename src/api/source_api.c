/* The source's public calls: registration bookkeeping and validation in front of the backend's
 * per-socket state. Lock order: the source's lock, then (inside the backend) the selector's. */
#include <stdlib.h>

#include "error.h"
#include "interest.h"
#include "objects.h"

/* Ends the current registration; called with the source locked. */
static int32_t source__detach(source_obj *src) {
  int32_t rc = 0;
  if (src->pipe != NULL)
    sys_pipe_deregister(src->pipe);
  else if (src->wait != NULL)
    rc = sys_wait_deregister(src->wait);
  else
    rc = sys_deregister(src->reg);
  handle_release(&src->sel->base);
  src->sel = NULL;
  src->reg = NULL;
  src->wait = NULL;
  return rc;
}

/* Runs when the last reference goes, so a socket the library owns is never closed under a call
 * still using it. */
static void source__destroy(handle_obj *obj) {
  source_obj *src = (source_obj *)obj;
  if (src->sel != NULL) source__detach(src);
  if (src->pipe != NULL)
    sys_pipe_free(src->pipe);
  else if (src->kind != SOURCE_FOREIGN && src->kind != SOURCE_WAITABLE && !src->released)
    sys_sock_close(src->socket);
  if (src->tied != NULL) handle_release(&src->tied->base);
  free(src);
}

source_obj *source_enter(miow_source *handle) {
  source_obj *src = (source_obj *)handle_acquire(handle, HANDLE_SOURCE);
  if (src == NULL) {
    error_set(MIOW_EBADHANDLE);
    return NULL;
  }
  sys_lock_acquire(&src->lock);
  if (src->freed) {
    sys_lock_release(&src->lock);
    handle_release(&src->base);
    error_set(MIOW_EBADHANDLE);
    return NULL;
  }
  return src;
}

source_obj *source_enter_kind(miow_source *handle, uint32_t kinds, int32_t *rc) {
  source_obj *src = source_enter(handle);
  if (src == NULL) {
    *rc = MIOW_EBADHANDLE;
    return NULL;
  }
  if ((SOURCE_KIND_BIT(src->kind) & kinds) == 0) {
    *rc = source_leave(src, error_set(MIOW_ENOTSUP));
    return NULL;
  }
  return src;
}

int32_t source_leave(source_obj *src, int32_t rc) {
  sys_lock_release(&src->lock);
  handle_release(&src->base);
  return rc;
}

int32_t source_pipe_check_selector(source_obj *src) {
  /* A pipe's operations complete on its selector's port: there is none before it is
   * registered, and once that selector is freed nobody would ever see them complete. */
  if (src->tied == NULL) return error_set(MIOW_ENOENT);
  if (selector_is_freed(src->tied)) return error_set(MIOW_ECLOSED);
  return 0;
}

void source_rearm_after_would_block(source_obj *src, uint32_t bits) {
  if (src->sel == NULL || (src->interests & MIOW_EDGE) == 0) return;
  /* A registration the backend dropped stays for the next registration call to clear. */
  if (src->pipe != NULL)
    (void)sys_pipe_rearm(src->pipe, bits);
  else
    (void)sys_rearm(src->reg, bits);
}

/* Allocates and publishes a source; the caller has validated `socket`. */
static int32_t source__publish(miow_socket_t socket, source_kind kind, uint16_t family,
                               sys_pipe *pipe, miow_source **out) {
  source_obj *src = calloc(1, sizeof *src);
  if (src == NULL) return error_set(MIOW_ENOMEM);
  src->base.kind = HANDLE_SOURCE;
  src->base.destroy = source__destroy;
  src->socket = socket;
  src->kind = kind;
  src->family = family;
  src->pipe = pipe;
  void *handle;
  if (handle_insert(&src->base, &handle) != 0) {
    free(src);
    return error_set(MIOW_ENOMEM);
  }
  *out = handle;
  return 0;
}

int32_t source_publish_pipe(sys_pipe *pipe, source_kind kind, miow_source **out) {
  return source__publish((miow_socket_t)0, kind, 0, pipe, out);
}

int32_t source_publish_adopted(miow_socket_t socket, source_kind kind, uint16_t family,
                               miow_source **out) {
  return source__publish(socket, kind, family, NULL, out);
}

int32_t source_publish_owned(miow_socket_t socket, source_kind kind, uint16_t family,
                             miow_source **out) {
  int32_t rc = source__publish(socket, kind, family, NULL, out);
  if (rc != 0) sys_sock_close(socket);
  return rc;
}

/* A source for a caller-owned `value` that `check` accepts. */
static int32_t source__wrap(miow_source **out, miow_socket_t value, source_kind kind,
                            int32_t (*check)(miow_socket_t)) {
  if (out == NULL) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc == 0) rc = check(value);
  return rc == 0 ? source__publish(value, kind, 0, NULL, out) : rc;
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_new(miow_source **out, miow_socket_t socket) {
  return source__wrap(out, socket, SOURCE_FOREIGN, sys_socket_check);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_new_waitable(miow_source **out, miow_socket_t value) {
  return source__wrap(out, value, SOURCE_WAITABLE, sys_wait_check);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_free(miow_source *handle) {
  source_obj *src = (source_obj *)handle_remove(handle, HANDLE_SOURCE);
  if (src == NULL) return error_set(MIOW_EBADHANDLE);
  sys_lock_acquire(&src->lock);
  src->freed = true;
  if (src->sel != NULL) source__detach(src);
  sys_lock_release(&src->lock);
  handle_release(&src->base);
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_register(miow_source *handle, miow_selector *sel_handle,
                                                   uint64_t token, uint32_t interests) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  selector_obj *sel = (selector_obj *)handle_acquire(sel_handle, HANDLE_SELECTOR);
  if (sel == NULL) return source_leave(src, error_set(MIOW_EBADHANDLE));
  int32_t rc = 0;
  if (!interest_is_valid(interests)) {
    rc = error_set(MIOW_EINVAL);
  } else if (src->sel != NULL) {
    /* A registration the backend dropped because the socket was closed no longer counts. */
    if ((src->reg != NULL && sys_registration_is_dropped(src->reg)) ||
        (src->wait != NULL && sys_wait_is_dropped(src->wait)))
      source__detach(src);
    else
      rc = error_set(MIOW_EEXIST);
  }
  if (rc == 0 && src->pipe != NULL) {
    rc = sys_pipe_register(src->pipe, sel->sys, token, interests);
    /* The selector keeps a reference of its own: the pipe stays tied to its port (on Windows
     * the backend refuses any other selector, so this is always the first one). */
    if (rc == 0 && src->tied != sel) {
      handle_retain(&sel->base);
      if (src->tied != NULL) handle_release(&src->tied->base);
      src->tied = sel;
    }
  } else if (rc == 0 && src->kind == SOURCE_WAITABLE) {
    rc = sys_wait_register(sel->sys, src->socket, token, interests, &src->wait);
  } else if (rc == 0) {
    /* A socket the host owns may be closed behind the library's back. For such a socket the
     * backend also checks that the value is a socket, with the call that records its identity
     * (same code and OS error), so it is not asked twice. */
    uint32_t watch = src->kind == SOURCE_FOREIGN ? SYS_WATCH_CLOSE : 0;
    if (watch == 0) rc = sys_socket_check(src->socket);
    if (rc == 0) rc = sys_register(sel->sys, src->socket, token, interests | watch, &src->reg);
  }
  if (rc == 0) {
    src->sel = sel; /* keeps the reference taken above */
    src->interests = interests;
    return source_leave(src, 0);
  }
  handle_release(&sel->base);
  return source_leave(src, rc);
}

/* Shared by reregister and deregister: the source must be registered with exactly `sel`. */
static int32_t source__check_registered(source_obj *src, selector_obj *sel, int32_t other) {
  if (src->sel == NULL) return error_set(MIOW_ENOENT);
  if (src->sel != sel) return error_set(other);
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_reregister(miow_source *handle, miow_selector *sel_handle,
                                                     uint64_t token, uint32_t interests) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  selector_obj *sel = (selector_obj *)handle_acquire(sel_handle, HANDLE_SELECTOR);
  if (sel == NULL) return source_leave(src, error_set(MIOW_EBADHANDLE));
  int32_t rc = interest_is_valid(interests) ? source__check_registered(src, sel, MIOW_EEXIST)
                                            : error_set(MIOW_EINVAL);
  if (rc == 0) {
    rc = src->pipe != NULL   ? sys_pipe_reregister(src->pipe, token, interests)
         : src->wait != NULL ? sys_wait_reregister(src->wait, token, interests)
                             : sys_reregister(src->reg, token, interests);
    if (rc == 0) src->interests = interests;
    if (rc == MIOW_ENOENT) {
      source__detach(src);
      rc = error_set(MIOW_ENOENT);
    }
  }
  handle_release(&sel->base);
  return source_leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_deregister(miow_source *handle,
                                                     miow_selector *sel_handle) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  selector_obj *sel = (selector_obj *)handle_acquire(sel_handle, HANDLE_SELECTOR);
  if (sel == NULL) return source_leave(src, error_set(MIOW_EBADHANDLE));
  int32_t rc = source__check_registered(src, sel, MIOW_ENOENT);
  if (rc == 0 && source__detach(src) == MIOW_ENOENT) rc = error_set(MIOW_ENOENT);
  handle_release(&sel->base);
  return source_leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_rearm(miow_source *handle) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  int32_t rc;
  if (src->sel == NULL)
    rc = error_set(MIOW_ENOENT);
  else if (src->wait != NULL)
    rc = sys_wait_rearm(src->wait);
  else if (src->pipe == NULL)
    rc = sys_rearm(src->reg, INTEREST_BITS);
  else if ((rc = source_pipe_check_selector(src)) == 0)
    rc = sys_pipe_rearm(src->pipe, INTEREST_BITS);
  if (rc == MIOW_ENOENT && src->sel != NULL) {
    source__detach(src);
    rc = error_set(MIOW_ENOENT);
  }
  return source_leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_release(miow_source *handle, miow_socket_t *out) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KINDS_SOCKETS | SOURCE_KINDS_PIPES, &rc);
  if (src == NULL) return rc;
  if (out == NULL) return source_leave(src, error_set(MIOW_EINVAL));
  miow_socket_t socket = src->socket;
  if (src->pipe != NULL) {
    /* The backend deregisters the pipe itself, and may refuse (sys.h): then nothing changed. */
    rc = sys_pipe_release(src->pipe, &socket);
    if (rc != 0) return source_leave(src, rc);
    src->pipe = NULL;
    if (src->sel != NULL) {
      handle_release(&src->sel->base);
      src->sel = NULL;
    }
  } else if (src->sel != NULL) {
    (void)source__detach(src); /* a registration the backend had dropped needs no more */
  }
  src->released = true;
  src->freed = true; /* every other call now sees a dead handle */
  *out = socket;
  source_leave(src, 0);
  /* The table's reference, unless a miow_source_free() racing this call took it first. */
  handle_obj *obj = handle_remove(handle, HANDLE_SOURCE);
  if (obj != NULL) handle_release(obj);
  return 0;
}

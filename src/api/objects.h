/* The objects behind the three handle kinds, as the API layer sees them. */
#ifndef MIOW_API_OBJECTS_H
#define MIOW_API_OBJECTS_H

#include <stdbool.h>

#include "handle.h"
#include "sys.h"

typedef struct selector_obj {
  handle_obj base;
  sys_selector *sys;
  /* miow_selector_free() ran: the object lives on for the sources that hold it, and a pipe's
   * calls refuse to start work whose completion nobody would ever see (pipe.h). Accessed
   * atomically: calls on other threads read it without a lock. */
  bool freed;
} selector_obj;

/* Whether the selector's handle was freed. */
bool selector_is_freed(selector_obj *sel);

/* What a source wraps: a caller's socket, or one the library created and closes. */
typedef enum source_kind {
  SOURCE_FOREIGN = 0, /* miow_source_new(): the caller owns the socket */
  SOURCE_TCP_LISTENER,
  SOURCE_TCP_STREAM,
  SOURCE_UDP,
  SOURCE_PIPE_SERVER,
  SOURCE_PIPE_CLIENT,
  SOURCE_WAITABLE, /* miow_source_new_waitable(): a caller's waitable handle or descriptor */
} source_kind;

typedef struct source_obj {
  handle_obj base;
  sys_lock lock; /* serialises calls on this source; taken before any selector's lock */
  miow_socket_t socket;
  source_kind kind;
  uint16_t family;       /* SYS_IPV4 or SYS_IPV6 for the kinds the library created */
  uint32_t interests;    /* of the current registration, for the re-arm after would-block */
  bool freed;            /* the handle was freed while another call held a reference */
  /* miow_source_shutdown() closed the writing direction: every later write fails with
   * MIOW_ESHUTDOWN, whatever the peer did since (io_api.c). */
  bool write_shut;
  /* miow_source_release() handed the socket or pipe handle back: nothing closes it. */
  bool released;
  selector_obj *sel;     /* the selector registered with, holding a reference; or NULL */
  sys_registration *reg; /* a socket's registration in the backend while `sel` is set */
  sys_pipe *pipe;        /* the pipe of a pipe source, which keeps its own registration */
  sys_wait *wait;        /* a waitable source's registration in the backend while `sel` is set */
  /* The selector a pipe was last registered with, holding a reference until the source is
   * destroyed or registered elsewhere: the pipe's completions go to its port (on Windows the
   * first one's, for good, as a pipe cannot move there). */
  selector_obj *tied;
} source_obj;

typedef struct waker_obj {
  handle_obj base;
  selector_obj *sel; /* holds a reference */
  sys_waker *sys;
} waker_obj;

/* Looks up a source and locks it; NULL (with MIOW_EBADHANDLE recorded) if it is not live. */
source_obj *source_enter(miow_source *handle);

/* Sets of source kinds, for source_enter_kind(). */
#define SOURCE_KIND_BIT(kind) (1u << (kind))
#define SOURCE_KINDS_SOCKETS                                                   \
  (SOURCE_KIND_BIT(SOURCE_TCP_LISTENER) | SOURCE_KIND_BIT(SOURCE_TCP_STREAM) | \
   SOURCE_KIND_BIT(SOURCE_UDP))
#define SOURCE_KINDS_PIPES \
  (SOURCE_KIND_BIT(SOURCE_PIPE_SERVER) | SOURCE_KIND_BIT(SOURCE_PIPE_CLIENT))

/* source_enter() for a call that applies to the kinds in `kinds` only: NULL, with the code in
 * *rc (MIOW_EBADHANDLE, or MIOW_ENOTSUP for another kind, recorded), when it cannot go on. */
source_obj *source_enter_kind(miow_source *handle, uint32_t kinds, int32_t *rc);
/* Unlocks and releases a source from source_enter(); returns `rc`. */
int32_t source_leave(source_obj *src, int32_t rc);
/* Before a pipe's I/O, connect or re-arm: 0, or the code (recorded) for a pipe that cannot
 * do it: MIOW_ENOENT never registered, MIOW_ECLOSED its selector was freed (pipe.h). */
int32_t source_pipe_check_selector(source_obj *src);
/* Publishes a source for `pipe` (which the caller frees on failure). */
int32_t source_publish_pipe(sys_pipe *pipe, source_kind kind, miow_source **out);
/* Publishes a source that owns `socket`, a host's socket just adopted: on failure the socket
 * stays open, the host's still. */
int32_t source_publish_adopted(miow_socket_t socket, source_kind kind, uint16_t family,
                               miow_source **out);
/* Publishes a source that owns `socket` (closing it on failure). */
int32_t source_publish_owned(miow_socket_t socket, source_kind kind, uint16_t family,
                             miow_source **out);
/* After an I/O call on a locked source returned MIOW_EWOULDBLOCK: an edge registration gets
 * back `bits`, the direction that would block (mio's do_io re-registers), so that it never
 * goes deaf; the other direction stays as it was, so a drained read brings no WRITABLE. */
void source_rearm_after_would_block(source_obj *src, uint32_t bits);

#endif

/* Named pipes on the selector's completion port: the state the selector dispatches
 * completions to. Every function here runs with the selector's lock held. */
#ifndef MIOW_WIN_PIPE_H
#define MIOW_WIN_PIPE_H

#include <stdbool.h>

#include "selector.h"

typedef enum pipe_op_kind {
  PIPE_OP_READ,
  PIPE_OP_WRITE,
  PIPE_OP_CONNECT,
  PIPE_OP_NOTIFY, /* a packet we post ourselves to report readiness no completion brought */
} pipe_op_kind;

/* One operation's OVERLAPPED; lpOverlapped of a KEY_PIPE packet points at `ov`. */
typedef struct pipe_op {
  OVERLAPPED ov;
  sys_pipe *pipe;
  pipe_op_kind kind;
  bool pending;        /* issued, completion not yet consumed */
  uint32_t generation; /* the pipe's connection generation when it was issued */
} pipe_op;

struct sys_pipe {
  HANDLE handle;
  bool server;
  bool freed;            /* the owner let go; memory goes when nothing is outstanding */
  sys_selector *sel;     /* the port the handle is tied to; NULL until the first registration */
  list_node pipe_node;   /* in sel->pipes once tied */
  list_node update_node; /* in sel->pipe_updates while a level re-check is due */
  unsigned outstanding;  /* operations whose completion has not been consumed */

  bool registered;
  uint64_t token;
  uint32_t interests; /* interest bits and mode */
  uint32_t armed;     /* interest bits still armed; edge and oneshot reports clear them */

  bool connected;      /* a client is there (always, for a client end) */
  uint32_t generation; /* bumped by a disconnect: older completions are stale */
  DWORD connect_error; /* a failed connect, for sys_pipe_take_error */
  pipe_op connect_op;
  /* A connect was asked for while the previous client's connect was still coming back: it is
   * issued when that completion has been absorbed. */
  bool connect_wanted;

  pipe_op read_op;
  uint8_t *read_buf;
  DWORD read_size;  /* capacity of read_buf */
  DWORD read_start; /* unread bytes are read_buf[read_start, read_end) */
  DWORD read_end;
  bool read_eof;
  /* A release failed after cancelling the read and the connect (Wine 8): their ABORTED
   * completions are not failures, and the operations are issued again (pipe_feed). Any other
   * cancel (a disconnect, the selector's destruction) ends them as before. */
  bool release_undone;
  DWORD read_error; /* a failed read, returned by the next read */

  pipe_op write_op;
  uint8_t *write_buf;
  size_t write_size; /* capacity of write_buf */
  DWORD write_error; /* a failed write, returned by the next write */

  pipe_op notify_op;

  /* This pipe's report in the current poll: a pipe may have several packets in one poll (a
   * read, a write, a notify), and reports them as one event. */
  report_slot report;
};

/* Consumes a KEY_PIPE completion and reports the pipe through selector_report() if it has
 * something for its registration. The pipe may be freed by this call. */
void pipe_feed(pipe_op *op, miow_event *events, size_t *count);

/* Re-checks a level-triggered registration queued in sel->pipe_updates. */
void pipe_update(sys_pipe *pipe);

/* Cancels what the pipe has outstanding, for the selector's destruction: reads and connects,
 * and writes too when `writes` (first they get a grace period to reach the peer). */
void pipe_cancel(sys_pipe *pipe, bool writes);

#endif

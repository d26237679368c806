/* The Windows selector: one completion port, the queue of sockets whose poll request must be
 * (re)issued, and the helper-handle groups. Shared by the modules that feed it. */
#ifndef MIOW_WIN_SELECTOR_H
#define MIOW_WIN_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "list.h"
#include "sys.h"
#include "win.h"

typedef struct sock_state sock_state;

/* Where a registration's report went in the current poll. A registration may complete more
 * than once while one poll collects packets (a socket's request re-issued by a rearm, a pipe's
 * read, write and notify packets); the poll still returns it once. */
typedef struct report_slot {
  uint64_t seq;  /* the poll (sys_selector.poll_seq) that holds the report */
  size_t index;  /* and its place in that poll's events */
} report_slot;

struct sys_selector {
  HANDLE iocp;
  SRWLOCK lock;           /* guards everything below and every sock_state of this selector */
  list_node update_queue; /* sock_states whose request must be (re)issued before waiting */
  list_node states;       /* every sock_state not yet freed */
  list_node groups;       /* poll_groups; the last one is the one with room, if any has */
  list_node pipes;        /* every sys_pipe tied to this port and not yet destroyed */
  list_node pipe_updates; /* level-triggered pipes to re-check before waiting */
  list_node wait_updates; /* level-triggered waits to arm again before waiting (wait.c) */
  size_t busy;            /* requests and pipe operations outstanding (pending or cancelled) */
  uint64_t poll_seq;      /* counts polls, so a registration can tell it was reported in this one */
  uint64_t folds;         /* reports folded into an earlier one of the same poll, ever */
  uint64_t reissues;      /* requests issued as their cancellation was taken in, ever */
  bool polling;           /* a thread is inside sys_selector_poll */
  bool updating;          /* ...and is issuing the queued updates (selector__update_all) */
  bool closed;            /* the handle was freed */
};

/* Called with the lock held after a registration change: queues the socket's request update,
 * or issues it at once when a thread is blocked in poll, so that poll sees the change. */
void selector_request_update(sys_selector *sel, sock_state *state);

/* Reports `readiness` for `token` in the current poll: as a new event at `events[*count]`
 * (`*count` grows), or, if `slot` already reported this token in this poll, added to that event
 * (then `folds` grows and the poll stops collecting, see sys_selector_poll). With the lock
 * held. */
void selector_report(sys_selector *sel, report_slot *slot, uint64_t token, uint32_t readiness,
                     miow_event *events, size_t *count);

#endif

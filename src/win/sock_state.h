/* The per-socket state machine: one AFD poll request outstanding at most, and the trigger modes
 * applied to what it reports. Every function here runs with the selector's lock held. */
#ifndef MIOW_WIN_SOCK_STATE_H
#define MIOW_WIN_SOCK_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "afd.h"
#include "list.h"
#include "poll_group.h"
#include "selector.h"

typedef enum sock_poll_status {
  SOCK_IDLE,      /* no request outstanding */
  SOCK_PENDING,   /* a request for `pending_afd` is outstanding */
  SOCK_CANCELLED, /* a request was cancelled; its completion has not arrived yet */
} sock_poll_status;

struct sock_state {
  /* Must not move while a request is outstanding, which is why states are only freed once
   * the request is idle. */
  IO_STATUS_BLOCK iosb;
  afd_poll_info poll_info;
  list_node update_node; /* in sel->update_queue while an update is due */
  list_node state_node;  /* in sel->states */
  sys_selector *sel;
  poll_group *group; /* NULL once dropped */
  SOCKET base_socket;
  uint64_t token;
  uint32_t interests; /* as registered: interest bits and mode */
  uint32_t armed;     /* the interest bits still armed; a oneshot report clears them */
  ULONG spent_afd;    /* edge mode: the AFD conditions reported and not yet re-armed */
  ULONG pending_afd;  /* the AFD mask of the outstanding request */
  sock_poll_status status;
  bool delete_pending; /* deregistered: free at the final completion, report nothing */
  bool dropped;        /* the socket was closed by its owner: nothing more is polled */
  /* The host owns the socket and may close it without deregistering (miow_source_new, the
   * epoll calls), and the OS hands a closed socket's value to the next socket at once. The
   * request carries AFD_POLL_LOCAL_CLOSE, which covers the time it is outstanding; before each
   * new request the value is checked to still be a socket of `type`, which covers the time in
   * between without a second request (see docs/epoll.md, "Closed sockets"). */
  bool host_owned;
  bool fresh;           /* the value surely names this socket now: the next request is unchecked */
  bool first_unchecked; /* the request issued at registration: its completion is checked */
  int type;
  /* The poll (sys_selector.poll_seq) whose own update cancelled the request to make way for a
   * wider one; 0 if another thread's call cancelled it. */
  uint64_t cancel_seq;
  /* This state's report in the current poll, which a second completion in the same poll (a
   * request re-issued by a rearm while the poll collected more packets) joins. */
  report_slot report;
};

/* Issues, keeps or cancels the outstanding request so that it matches what is armed. */
void sock_state_update(sock_state *state);

/* Consumes the state's completion. If it is to be reported, it is written to `events[*count]`
 * and `*count` grows, or it is folded into this poll's earlier report of the same state (then
 * `*count` stays and `folds` of the selector grows). The state may be freed by this call. */
void sock_state_feed(sock_state *state, miow_event *events, size_t *count);

/* Cancels the state's outstanding request, if any; for the selector's destruction. */
void sock_state_cancel_all(sock_state *state);

#endif

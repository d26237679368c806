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
   * both requests are idle. */
  IO_STATUS_BLOCK iosb;
  afd_poll_info poll_info;
  list_node update_node; /* in sel->update_queue while an update is due */
  list_node state_node;  /* in sel->states */
  sys_selector *sel;
  poll_group *group; /* NULL once dropped */
  SOCKET base_socket;
  uint64_t token;
  uint32_t interests; /* as registered: interest bits and mode */
  uint32_t armed;     /* the interest bits still armed; edge and oneshot reports clear them */
  ULONG pending_afd;  /* the AFD mask of the outstanding request */
  sock_poll_status status;
  bool delete_pending; /* deregistered: free at the final completion, report nothing */
  bool dropped;        /* the socket was closed by its owner: nothing more is polled */
  /* A second request, for AFD_POLL_LOCAL_CLOSE alone, kept outstanding for registrations that
   * ask for it (SYS_WATCH_CLOSE): the main request is idle between a report and the next
   * poll, and a socket closed then, whose value the OS hands to a new socket at once, would
   * otherwise be taken for that new socket. The driver completes this one at the close. */
  bool watch_pending;
  IO_STATUS_BLOCK watch_iosb;
  afd_poll_info watch_info;
};

/* A completion's lpOverlapped: the state itself for the main request, the state's address
 * plus one (states are at least 2-aligned) for the close watch. */
#define SOCK_WATCH_TAG ((uintptr_t)1)

/* Issues, keeps or cancels the outstanding request so that it matches what is armed. */
void sock_state_update(sock_state *state);

/* Consumes the state's completion. Returns true and fills `event` if it is to be reported.
 * The state may be freed by this call. */
bool sock_state_feed(sock_state *state, miow_event *event);

/* Consumes the close watch's completion. The state may be freed by this call. */
void sock_state_feed_watch(sock_state *state);

/* Cancels whatever the state has outstanding; for the selector's destruction. */
void sock_state_cancel_all(sock_state *state);

#endif

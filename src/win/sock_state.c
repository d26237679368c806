/* The per-socket state machine: one AFD poll request outstanding at most, and the trigger modes
 * applied to what it reports. */
#include "sock_state.h"

#include <stdlib.h>

#include "error.h"
#include "interest.h"
#include "iocp.h"
#include "net.h"
#include "overlapped.h"

#define CONDITION_BITS (MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED)

/* What to ask AFD for, per armed interest. ABORT and CONNECT_FAIL come with every interest so
 * that a reset or a refused connect is seen whichever one the caller waits for. */
static ULONG sock__afd_events(uint32_t armed) {
  ULONG events = AFD_POLL_LOCAL_CLOSE;
  if (armed & MIOW_READABLE)
    events |= AFD_POLL_RECEIVE | AFD_POLL_ACCEPT | AFD_POLL_DISCONNECT | AFD_POLL_ABORT |
              AFD_POLL_CONNECT_FAIL;
  if (armed & MIOW_WRITABLE) events |= AFD_POLL_SEND | AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL;
  /* A reset or failed connect is reported to every interest, priority included, as epoll does:
   * a host waiting for urgent data alone still learns that the connection is gone. */
  if (armed & MIOW_PRIORITY)
    events |= AFD_POLL_RECEIVE_EXPEDITED | AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL;
  return events;
}

/* What the next request asks for: the armed interests' conditions, less those an edge-mode
 * event has spent. */
static ULONG sock__wanted(const sock_state *state) {
  return sock__afd_events(state->armed) & ~state->spent_afd;
}

/* The table documented in include/miow/event.h. */
static uint32_t sock__readiness(ULONG afd) {
  uint32_t readiness = 0;
  if (afd & (AFD_POLL_RECEIVE | AFD_POLL_ACCEPT)) readiness |= MIOW_READABLE;
  if (afd & AFD_POLL_RECEIVE_EXPEDITED) readiness |= MIOW_PRIORITY;
  if (afd & AFD_POLL_SEND) readiness |= MIOW_WRITABLE;
  if (afd & AFD_POLL_DISCONNECT) readiness |= MIOW_READABLE | MIOW_READ_CLOSED;
  if (afd & AFD_POLL_ABORT)
    readiness |= MIOW_READABLE | MIOW_WRITABLE | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED;
  if (afd & AFD_POLL_CONNECT_FAIL)
    readiness |= MIOW_READABLE | MIOW_WRITABLE | MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED;
  return readiness;
}

/* The group slot is given back when the state is freed: a request may still be outstanding
 * on the group's helper handle. */
static void sock__drop(sock_state *state) { state->dropped = true; }

/* Whether the owner has closed the socket, as far as the driver has told us, including through
 * a completion that is written but not yet dequeued. */
static bool sock__closed(sock_state *state) {
  if (state->dropped) return true;
  if (state->status == SOCK_PENDING && state->iosb.Status != STATUS_PENDING &&
      (state->poll_info.handles[0].events & AFD_POLL_LOCAL_CLOSE))
    sock__drop(state);
  return state->dropped;
}

/* For a socket the host owns, whether its value may now name another object: it is no longer
 * a socket, or a socket of another type. A request issued then could poll the wrong socket, or
 * (under Wine 8, when the value went to an AFD helper handle) bring down wineserver. */
static bool sock__replaced(sock_state *state) {
  if (!state->host_owned) return false;
  InterlockedIncrement64(&afd_counters.type_queries);
  if (net_socket_type(state->base_socket) == state->type) return false;
  sock__drop(state);
  return true;
}

static bool sock__idle(const sock_state *state) { return state->status == SOCK_IDLE; }

static void sock__free(sock_state *state) {
  if (list_is_linked(&state->update_node)) list_remove(&state->update_node);
  list_remove(&state->state_node);
  if (state->group != NULL) poll_group_release(state->sel, state->group);
  free(state);
}

static void sock__submit(sock_state *state) {
  sys_selector *sel = state->sel;
  /* Between the last request's completion and this one, nothing watched for a close. */
  bool fresh = state->fresh;
  state->fresh = false;
  if (!fresh && sock__replaced(state)) return;
  ULONG events = sock__wanted(state);
  NTSTATUS status = afd_poll(state->group->afd, state->base_socket, events, &state->poll_info,
                             &state->iosb, state);
  if (status != STATUS_SUCCESS && status != STATUS_PENDING) {
    /* Failing at once usually means the owner closed the socket before we noticed. */
    if (!net_is_socket(state->base_socket)) {
      sock__drop(state);
      return;
    }
    /* Any other failure is reported as an error event through the one completion path. */
    state->iosb.Status = status;
    if (iocp_post(sel->iocp, 0, KEY_AFD, state) != 0) {
      /* Not even that: retry at the next update rather than fall silent. */
      list_push_back(&sel->update_queue, &state->update_node);
      return;
    }
  }
  state->status = SOCK_PENDING;
  state->pending_afd = events;
  sel->busy++;
  InterlockedIncrement64(&afd_counters.outstanding);
}

void sock_state_update(sock_state *state) {
  if (state->delete_pending || sock__closed(state)) return;
  switch (state->status) {
    case SOCK_IDLE: sock__submit(state); break;
    case SOCK_PENDING:
      /* A request that watches more than is armed may stay: if it completes for something no
       * longer wanted, the completion is ignored and a narrower request follows. */
      if ((sock__wanted(state) & ~state->pending_afd) != 0) {
        afd_cancel(state->group->afd, &state->iosb);
        state->status = SOCK_CANCELLED;
        /* Made by the polling thread, the cancellation may be taken in before the host is
         * back in control (see sock_state_feed); made by another thread's call, it may not. */
        state->cancel_seq = state->sel->updating ? state->sel->poll_seq : 0;
      }
      break;
    case SOCK_CANCELLED: break;
  }
}

void sock_state_feed(sock_state *state, miow_event *events, size_t *count) {
  sys_selector *sel = state->sel;
  state->status = SOCK_IDLE;
  sel->busy--;
  InterlockedDecrement64(&afd_counters.outstanding);
  if (state->delete_pending) {
    if (sock__idle(state)) sock__free(state);
    return;
  }
  uint32_t readiness = 0;
  ULONG seen = 0;
  NTSTATUS status = state->iosb.Status;
  bool failed = !NT_SUCCESS(status) && status != STATUS_CANCELLED;
  if (status == STATUS_CANCELLED) {
    /* Only a registration change cancels; its new request is issued below. */
  } else if (!NT_SUCCESS(status)) {
    readiness = MIOW_ERROR;
  } else if (state->poll_info.number_of_handles >= 1) {
    ULONG afd = state->poll_info.handles[0].events;
    if (afd & AFD_POLL_LOCAL_CLOSE) {
      sock__drop(state);
      return;
    }
    /* The request issued at registration may have completed at once, before the host went on
     * to close the socket: what it saw is not reported for a value that is no socket now. */
    if (state->first_unchecked && afd != 0) {
      state->first_unchecked = false;
      if (sock__replaced(state)) return;
    }
    seen = afd & state->pending_afd & sock__wanted(state) & ~(ULONG)AFD_POLL_LOCAL_CLOSE;
    readiness = sock__readiness(seen);
  }
  readiness &= state->armed | CONDITION_BITS;
  if (state->armed == 0) readiness = 0;
  if (readiness != 0) {
    if (state->interests & MIOW_ONESHOT) {
      state->armed = 0;
    } else if (state->interests & MIOW_EDGE) {
      /* As mio does: only the conditions reported are spent, so a reset or a FIN that follows
       * a reported RECEIVE is still reported, once. A bare error names no condition; spend
       * them all, or it would repeat forever. */
      state->spent_afd |= seen != 0 ? seen : sock__afd_events(state->armed);
      state->spent_afd &= ~(ULONG)AFD_POLL_LOCAL_CLOSE;
    }
  }
  /* The next request watches what is still wanted, and for a closed socket in any case. But a
   * request that failed with nothing wanted would only fail again, in a loop: that state waits
   * for rearm or reregister instead. */
  bool nothing_wanted = (sock__wanted(state) & ~(ULONG)AFD_POLL_LOCAL_CLOSE) == 0;
  if (status == STATUS_CANCELLED && state->cancel_seq == sel->poll_seq) {
    /* Cancelled by this very poll to make way for a wider request. The socket was open until
     * the cancel (a close would have completed the request with LOCAL_CLOSE instead), and no
     * call has returned to the host since: the wider request goes out now, with no check of
     * the value (two wineserver requests under Wine), and the socket is never left without a
     * request until the next poll. A host thread that closes the socket meanwhile races with
     * the poll, as it would with epoll on Linux. */
    if (list_is_linked(&state->update_node)) list_remove(&state->update_node);
    state->fresh = true;
    sock_state_update(state);
    sel->reissues++;
  } else if (!(failed && nothing_wanted) && !list_is_linked(&state->update_node)) {
    list_push_back(&sel->update_queue, &state->update_node);
  }
  if (readiness != 0) selector_report(sel, &state->report, state->token, readiness, events, count);
}

void sock_state_cancel_all(sock_state *state) {
  if (state->status == SOCK_PENDING) {
    afd_cancel(state->group->afd, &state->iosb);
    state->status = SOCK_CANCELLED;
  }
}

/* ---- the registration calls of sys.h ---- */

int32_t sys_register(sys_selector *sel, miow_socket_t socket, uint64_t token, uint32_t interests,
                     sys_registration **out) {
  SOCKET base;
  int error = net_base_socket((SOCKET)socket, &base);
  if (error != 0) return error_set_os(MIOW_ENOTSOCK, error);
  sock_state *state = calloc(1, sizeof *state);
  if (state == NULL) return error_set(MIOW_ENOMEM);
  state->sel = sel;
  state->base_socket = base;
  state->token = token;
  state->interests = interests & ~SYS_WATCH_CLOSE;
  state->armed = interests & INTEREST_BITS;
  state->host_owned = (interests & SYS_WATCH_CLOSE) != 0;
  if (state->host_owned) {
    /* Also the check that the value is a socket at all, for callers that did not make one. */
    state->type = net_socket_type(base);
    InterlockedIncrement64(&afd_counters.type_queries);
    if (state->type < 0) {
      free(state);
      return error_set_os(MIOW_ENOTSOCK, WSAENOTSOCK);
    }
  }
  list_init(&state->update_node);

  AcquireSRWLockExclusive(&sel->lock);
  int32_t rc = sel->closed ? error_set(MIOW_ECLOSED) : poll_group_acquire(sel, &state->group);
  if (rc != 0) {
    ReleaseSRWLockExclusive(&sel->lock);
    free(state);
    return rc;
  }
  list_push_back(&sel->states, &state->state_node);
  if (state->host_owned) {
    /* Issued now, while the value is known to be this socket: deferred to the next poll, it
     * would need checking again, and the host may close the socket in between. */
    state->fresh = true;
    state->first_unchecked = true;
    sock_state_update(state);
  } else {
    selector_request_update(sel, state);
  }
  ReleaseSRWLockExclusive(&sel->lock);
  *out = (sys_registration *)state;
  return 0;
}

/* Reregisters (`token` given) or re-arms `bits`. */
static int32_t sock__change(sys_registration *reg, const uint64_t *token, uint32_t interests,
                            uint32_t bits) {
  sock_state *state = (sock_state *)reg;
  sys_selector *sel = state->sel;
  AcquireSRWLockExclusive(&sel->lock);
  int32_t rc = sock__closed(state) ? MIOW_ENOENT : 0;
  if (rc == 0) {
    uint32_t armed = state->armed;
    ULONG spent = state->spent_afd;
    if (token != NULL) {
      state->token = *token;
      state->interests = interests & ~SYS_WATCH_CLOSE;
      armed = state->interests & INTEREST_BITS;
      spent = 0;
    } else {
      armed |= bits & state->interests & INTEREST_BITS;
      spent &= ~sock__afd_events(bits & state->interests & INTEREST_BITS);
    }
    if (token != NULL || armed != state->armed || spent != state->spent_afd) {
      state->armed = armed;
      state->spent_afd = spent;
      selector_request_update(sel, state);
    }
  }
  ReleaseSRWLockExclusive(&sel->lock);
  return rc;
}

int32_t sys_reregister(sys_registration *reg, uint64_t token, uint32_t interests) {
  return sock__change(reg, &token, interests, 0);
}

int32_t sys_rearm(sys_registration *reg, uint32_t bits) {
  return sock__change(reg, NULL, 0, bits);
}

bool sys_registration_is_dropped(sys_registration *reg) {
  sock_state *state = (sock_state *)reg;
  AcquireSRWLockExclusive(&state->sel->lock);
  /* A close whose completion is not in yet, or one that came while nothing was outstanding,
   * shows in the value itself when it went to another kind of object. */
  bool dropped = sock__closed(state) || sock__replaced(state);
  ReleaseSRWLockExclusive(&state->sel->lock);
  return dropped;
}

int32_t sys_deregister(sys_registration *reg) {
  sock_state *state = (sock_state *)reg;
  sys_selector *sel = state->sel;
  AcquireSRWLockExclusive(&sel->lock);
  int32_t rc = sock__closed(state) ? MIOW_ENOENT : 0;
  state->delete_pending = true;
  sock_state_cancel_all(state);
  /* With a request outstanding, the memory goes when its completion arrives. */
  if (sock__idle(state)) sock__free(state);
  ReleaseSRWLockExclusive(&sel->lock);
  return rc;
}

/* Waitable handles as sources: a wait on the object whose satisfaction arrives as a KEY_WAIT
 * packet on the selector's port, either through a wait completion packet (ntdll, Windows 8 and
 * later) or through a thread-pool wait that posts the packet itself (the fallback). */
#ifndef MIOW_WIN_WAIT_H
#define MIOW_WIN_WAIT_H

#include <stdbool.h>

#include "selector.h"

struct sys_wait {
  sys_selector *sel;
  HANDLE object;         /* the caller's; never closed here */
  HANDLE packet;         /* the wait completion packet, or NULL */
  PTP_WAIT pool_wait;    /* the fallback's thread-pool wait, or NULL */
  volatile LONG fired;   /* fallback: the callback ran (and posted) since the last arming */
  list_node update_node; /* in sel->wait_updates while a level re-arm is due */
  uint64_t token;
  uint32_t interests; /* MIOW_READABLE and the mode */
  bool armed;         /* reportable; edge and oneshot reports clear it until rearm */
  bool outstanding;   /* a wait or its packet not yet consumed */
  bool registered;    /* false once deregistered: the memory goes with the last packet */
};

/* Resolves the wait completion packet calls and reads MIOW_WAIT_FALLBACK; once, from sys_init.
 * Never fails: without the calls every wait takes the thread-pool path. */
void wait_init(void);

/* Consumes a KEY_WAIT packet; called with the selector's lock held. Returns true and fills
 * `event` if it is to be reported. The wait may be freed by this call. */
bool wait_feed(sys_wait *wait, miow_event *event);

/* Arms a level-triggered wait again before the poll waits (from sel->wait_updates). */
void wait_update(sys_wait *wait);

#endif

/* Waitable handles as sources: a wait on the object whose satisfaction arrives as a KEY_WAIT
 * packet on the selector's port, either through a wait completion packet (ntdll, Windows 8 and
 * later) or through a thread-pool wait that posts the packet itself (the fallback). */
#ifndef MIOW_WIN_WAIT_H
#define MIOW_WIN_WAIT_H

#include <stdbool.h>

#include "selector.h"

struct sys_wait {
  sys_selector *sel;
  HANDLE object; /* the caller's; never closed here */
  HANDLE packet; /* the wait completion packet, or NULL */
  /* The fallback's (wait_pool.c): its thread-pool wait (or NULL), its id in the callbacks'
   * table, and, under the table's lock, whether an arming is outstanding and whether its packet
   * has been posted. */
  PTP_WAIT pool_wait;
  uintptr_t pool_id;
  bool pool_armed;
  bool pool_fired;
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

/* ---- the thread-pool fallback (wait_pool.c) ---- */

/* Gives `wait` its thread-pool wait and its id. Returns 0 or MIOW_ENOMEM. */
int32_t wait_pool_open(sys_wait *wait);
/* Starts the pool's wait; the callback posts one packet when it is satisfied. */
void wait_pool_arm(sys_wait *wait);
/* Records a packet posted by the caller itself, for an object found signalled at arming. */
void wait_pool_post_now(sys_wait *wait);
/* Stops the wait for good; returns whether a packet was posted for the last arming (it then
 * still reaches wait_feed()). No callback touches `wait` after this returns. */
bool wait_pool_cancel(sys_wait *wait);
/* Cancels and lets go of the thread-pool wait. */
void wait_pool_close(sys_wait *wait);

#endif

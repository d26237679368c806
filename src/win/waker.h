/* The waker: a completion packet posted to the selector's port, at most one in flight. */
#ifndef MIOW_WIN_WAKER_H
#define MIOW_WIN_WAKER_H

#include <stdbool.h>

#include "selector.h"

/* Consumes a waker's packet, with the selector's lock held. Returns true and fills `event` if
 * the wake-up is to be reported; frees a waker whose handle was freed meanwhile. */
bool waker_feed(sys_waker *waker, miow_event *event);

#endif

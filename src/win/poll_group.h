/* Helper-handle groups: sockets share AFD helper handles, MIOW_POLL_GROUP_SIZE to a handle,
 * because cancelling a request costs more the more requests are outstanding on its handle. */
#ifndef MIOW_WIN_POLL_GROUP_H
#define MIOW_WIN_POLL_GROUP_H

#include <stdint.h>

#include "list.h"
#include "selector.h"

typedef struct poll_group {
  list_node node; /* in sys_selector.groups */
  HANDLE afd;
  uint32_t users;
} poll_group;

/* Called with the selector's lock held. Returns 0 or a MIOW_E* code with the error recorded. */
int32_t poll_group_acquire(sys_selector *sel, poll_group **out);

/* Called with the selector's lock held, once no request of the user is outstanding. */
void poll_group_release(sys_selector *sel, poll_group *group);

/* Closes every helper handle; for the selector's destruction. */
void poll_group_close_all(sys_selector *sel);

#endif

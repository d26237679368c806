/* Helper-handle groups: sockets share AFD helper handles, MIOW_POLL_GROUP_SIZE to a handle. */
#include "poll_group.h"

#include <stdlib.h>

#include "afd.h"
#include "error.h"
#include "overlapped.h"

#ifndef MIOW_POLL_GROUP_SIZE
#define MIOW_POLL_GROUP_SIZE 32
#endif

int32_t poll_group_acquire(sys_selector *sel, poll_group **out) {
  list_node *last = list_last(&sel->groups);
  poll_group *group = last != NULL ? container_of(last, poll_group, node) : NULL;
  if (group == NULL || group->users >= MIOW_POLL_GROUP_SIZE) {
    group = calloc(1, sizeof *group);
    if (group == NULL) return error_set(MIOW_ENOMEM);
    DWORD error = afd_open_helper(sel->iocp, KEY_AFD, &group->afd);
    if (error != 0) {
      free(group);
      return error_set_os(MIOW_EOS, (int32_t)error);
    }
    list_push_back(&sel->groups, &group->node);
  }
  /* A full group moves to the front so that the last one always has room if any does. */
  if (++group->users == MIOW_POLL_GROUP_SIZE) {
    list_remove(&group->node);
    list_push_back(sel->groups.next, &group->node);
  }
  *out = group;
  return 0;
}

void poll_group_release(sys_selector *sel, poll_group *group) {
  group->users--;
  list_remove(&group->node);
  /* Keep one helper handle open for the next registration; close the others once unused. */
  if (group->users == 0 && !list_is_empty(&sel->groups)) {
    CloseHandle(group->afd);
    free(group);
    return;
  }
  list_push_back(&sel->groups, &group->node);
}

void poll_group_close_all(sys_selector *sel) {
  list_node *node;
  while ((node = list_first(&sel->groups)) != NULL) {
    poll_group *group = container_of(node, poll_group, node);
    list_remove(node);
    CloseHandle(group->afd);
    free(group);
  }
}

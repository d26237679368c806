/* Which fd numbers more than one registration of a selector may have an epoll entry under.
 * epoll keys an entry by the file and the number it was added through, and an epoll_ctl reaches
 * the entry of the file the number names now. While a number has one possible owner, a MOD or
 * DEL through it reaches that registration's own entry (the number still names its socket) or
 * no entry at all (it does not, and the call fails): the fstat that proves which socket the
 * number names is then needed only after a failure. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "selector.h"

int32_t selector_fd_claim(sys_selector *sel, int fd) {
  size_t index = (size_t)fd;
  if (index >= sel->fd_owner_capacity) {
    /* Grows to the highest number registered: 4 bytes per descriptor the process has open. */
    size_t capacity = sel->fd_owner_capacity == 0 ? 64 : sel->fd_owner_capacity;
    while (capacity <= index) capacity *= 2;
    uint32_t *grown = realloc(sel->fd_owners, capacity * sizeof *grown);
    if (grown == NULL) return MIOW_ENOMEM;
    memset(grown + sel->fd_owner_capacity, 0, (capacity - sel->fd_owner_capacity) * sizeof *grown);
    sel->fd_owners = grown;
    sel->fd_owner_capacity = capacity;
  }
  sel->fd_owners[index]++;
  return 0;
}

void selector_fd_unclaim(sys_selector *sel, int fd) { sel->fd_owners[fd]--; }

bool selector_fd_is_unique(const sys_selector *sel, int fd) { return sel->fd_owners[fd] == 1; }

/* A socket's registration in an epoll selector, and the trigger modes applied to what epoll
 * reports for it. */
#ifndef MIOW_UNIX_REGISTRATION_H
#define MIOW_UNIX_REGISTRATION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/types.h>

#include "selector.h"

struct sys_registration {
  ep_item item;
  sys_selector *sel;
  int fd;
  dev_t dev; /* which socket `fd` named when registered, to find it again by another fd */
  ino_t ino;
  uint64_t token;
  uint32_t interests; /* as registered: interest bits and mode */
  uint32_t armed;     /* interest bits still armed; oneshot reports clear them */
  uint32_t spent;     /* edge mode: the epoll conditions reported and not yet re-armed */
  bool dropped;       /* the socket was closed by its owner */
};

/* With the lock held: turns epoll's report into an event. Returns true if there is one. */
bool registration_feed(sys_registration *reg, uint32_t epoll_events, miow_event *event);

/* Adds the registration's entry to `epfd`, a new epoll set the selector is rebuilding; false
 * (and the registration dropped) if its number no longer names its socket. */
bool registration_readd(sys_registration *reg, int epfd);

/* For a source whose descriptor changes under one registration (a pipe server: its listening
 * socket while a connect is pending, then the connection; pipe.c). Moving means removing the
 * old fd's registration and adding one for the new fd, carrying the armed interests over, so
 * that what edge and oneshot reports disarmed stays disarmed until the host rearms. */

/* sys_register(), with only the interest bits in `armed` armed. */
int32_t registration_add(sys_selector *sel, miow_socket_t socket, uint64_t token,
                         uint32_t interests, uint32_t armed, sys_registration **out);
/* sys_deregister(), also reporting in `armed` (if not NULL) the interest bits still armed. */
int32_t registration_remove(sys_registration *reg, uint32_t *armed);

#endif

/* sys_addr, the backend-neutral address, to and from the kernel's sockaddr_in and
 * sockaddr_in6. */
#ifndef MIOW_UNIX_SOCKADDR_H
#define MIOW_UNIX_SOCKADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "sys.h"

/* One buffer that any of the kernel's views of an address may read, without casts between
 * unrelated struct types. */
typedef union sockaddr_any {
  struct sockaddr sa;
  struct sockaddr_in in4;
  struct sockaddr_in6 in6;
  struct sockaddr_storage storage;
} sockaddr_any;

/* Fills `out` from `addr` (SYS_IPV4 or SYS_IPV6) and returns the length to pass the kernel. */
socklen_t sockaddr_from_sys(sockaddr_any *out, const sys_addr *addr);

/* Fills `out` from an AF_INET or AF_INET6 address; false (and `out` zeroed) for another
 * family. */
bool sockaddr_to_sys(sys_addr *out, const sockaddr_any *in);

#endif

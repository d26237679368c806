/* Socket validation and the base-socket lookup AFD needs. */
#ifndef MIOW_WIN_NET_H
#define MIOW_WIN_NET_H

#include <stdbool.h>

#include "win.h"

/* Whether `socket` is an open socket. Wine's SIO_BASE_HANDLE accepts anything, so this is the
 * check that tells sockets from other values. */
bool net_is_socket(SOCKET socket);

/* The base provider socket under any Layered Service Providers, which is what AFD polls.
 * Returns 0 or a Winsock error. */
int net_base_socket(SOCKET socket, SOCKET *out);

/* The socket's type (SOCK_STREAM, SOCK_DGRAM...), or -1 if `socket` is not a socket. Leaves
 * the thread's last error as it was: it runs inside calls that succeed. */
int net_socket_type(SOCKET socket);

#endif

/* demo_platform.h: the little the echo demo needs from the operating system, so that
 * echo_demo.c is one source for every target and includes no OS header. The build compiles
 * exactly one implementation beside the demo: platform/win.c (Winsock, Win32 threads) or
 * platform/posix.c (BSD sockets, pthreads).
 *
 * Sockets are held as miow_socket_t, the library's own name for "an OS socket as the host holds
 * it": a SOCKET on Windows, a file descriptor elsewhere. The socket calls are thin wrappers of
 * their BSD namesakes and fail the same way: -1 (or DEMO_INVALID_SOCKET), with the reason in
 * demo_last_socket_error(). */
#ifndef DEMO_PLATFORM_H
#define DEMO_PLATFORM_H

#include <stdint.h>

#include "miowin.h"

/* No socket: INVALID_SOCKET on Windows, and -1 converted to miow_socket_t elsewhere. */
#define DEMO_INVALID_SOCKET ((miow_socket_t)-1)

/* ---- setup ------------------------------------------------------------------------------- */

/* Starts the socket layer (WSAStartup on Windows). 0 on success, -1 on failure. */
int demo_net_init(void);
/* Undoes demo_net_init(). */
void demo_net_cleanup(void);

/* ---- sockets ----------------------------------------------------------------------------- */

/* A new IPv4 TCP socket, in blocking mode; DEMO_INVALID_SOCKET on failure. */
miow_socket_t demo_tcp_socket(void);
/* Puts a socket in non-blocking mode, which every socket given to miowin must be in. */
int demo_set_nonblocking(miow_socket_t s);
/* Binds to 127.0.0.1 on any free port, listens, and tells the port chosen. */
int demo_listen_loopback(miow_socket_t s, uint16_t *port);
/* Starts a connect to 127.0.0.1:port. On a non-blocking socket it fails with an error for
 * which demo_would_block() is true while the connection is in progress. */
int demo_connect_loopback(miow_socket_t s, uint16_t port);
miow_socket_t demo_accept(miow_socket_t listener);
/* The byte count, 0 when the peer has finished sending, or -1. */
int demo_recv(miow_socket_t s, void *buf, int len);
/* The byte count sent, or -1. Never raises a signal. */
int demo_send(miow_socket_t s, const void *buf, int len);
/* Sends a FIN: the peer reads end-of-stream once it has read everything before it. */
int demo_shutdown_send(miow_socket_t s);
/* The pending error of a socket (SO_ERROR), such as why a connect failed, in *err. */
int demo_socket_error(miow_socket_t s, int *err);
void demo_close_socket(miow_socket_t s);

/* The calling thread's last socket error: WSAGetLastError() on Windows, errno elsewhere. */
int demo_last_socket_error(void);
/* Whether a socket error only means "not now": nothing to read, no room to send, no
 * connection to accept, or a non-blocking connect still in progress. */
int demo_would_block(int err);

/* ---- threads and time -------------------------------------------------------------------- */

typedef struct demo_thread demo_thread;

/* Runs fn(arg) on a new thread; NULL on failure. */
demo_thread *demo_thread_start(int (*fn)(void *arg), void *arg);
/* Waits up to timeout_ms for the thread to end, then frees it and stores fn's return value in
 * *result. -1 if the thread is still running (it is then left alone). */
int demo_thread_join(demo_thread *t, uint32_t timeout_ms, int *result);

/* Milliseconds from a fixed, arbitrary point; never goes backwards. */
uint64_t demo_monotonic_ms(void);
void demo_sleep_ms(uint32_t ms);

#endif

/* The one interface between the portable API layer (src/api) and a platform backend (src/win).
 * The API layer validates handles and arguments and owns object lifetimes; a backend does the
 * polling. Nothing here includes a platform header. */
#ifndef MIOW_SYS_H
#define MIOW_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "miowin.h"

/* ---- process-wide ---------------------------------------------------------------------- */

/* Sets up the platform once (Winsock, ntdll entry points). Returns 0 or a MIOW_E* code with the
 * OS error recorded. Cheap after the first call. */
int32_t sys_init(void);

/* A mutex whose all-zero state is unlocked, so that static and calloc'ed ones need no set-up.
 * The storage is sized for the largest native lock a backend uses. */
typedef struct sys_lock {
  uint64_t storage[8];
} sys_lock;

void sys_lock_acquire(sys_lock *lock);
void sys_lock_release(sys_lock *lock);

/* A condition variable used with a sys_lock; all-zero storage is ready to use. */
typedef struct sys_cond {
  uint64_t storage[8];
} sys_cond;

/* Releases `lock`, waits until signalled or `timeout_ms` passes (-1: no limit), re-acquires
 * `lock`. Wakes may be spurious: callers re-check their condition. */
void sys_cond_wait(sys_cond *cond, sys_lock *lock, int64_t timeout_ms);
void sys_cond_broadcast(sys_cond *cond);

/* Milliseconds on a monotonic clock, with a fraction, for deadlines. */
double sys_now_ms(void);

/* The calling thread's last OS error: stored for miow_last_os_error() and also set as the
 * thread's native last error so that FFI layers can read it. */
void sys_error_store(int32_t os_error);
int32_t sys_error_load(void);
/* The native error code that best describes a failure the library detected itself. */
int32_t sys_error_for_code(int32_t code);

/* 0 if `socket` is an open socket; MIOW_ENOTSOCK otherwise, with the OS error recorded. */
int32_t sys_socket_check(miow_socket_t socket);

/* True if `value` names an open handle (Windows) or file descriptor (Unix), a socket or not:
 * the epoll calls tell a closed or made-up socket (EBADF) from an open non-socket (ENOTSOCK). */
bool sys_handle_is_open(miow_socket_t value);

/* For the epoll calls, which report failures through errno as well: sets errno, as the C
 * runtime the library is built with sees it, for a failure with MIOW_E* `code` whose OS error
 * `os_error` sys_error_store() has just recorded. */
void sys_errno_store(int32_t code, int32_t os_error);

/* ---- sockets the library creates (TCP, UDP) ------------------------------------------------
 * Every call returns 0 or a MIOW_E* code with the OS error recorded; sys_error_code() picks the
 * code for an OS error, so that the errors hosts branch on (would-block, refused, reset...)
 * arrive as distinct codes on every platform. */

/* An IP address and port, independent of any OS sockaddr layout. */
typedef struct sys_addr {
  uint16_t family;   /* SYS_IPV4 or SYS_IPV6 */
  uint16_t port;     /* host byte order */
  uint32_t scope_id; /* IPv6 only */
  uint8_t ip[16];    /* network byte order; IPv4 uses the first 4 */
} sys_addr;

#define SYS_IPV4 4
#define SYS_IPV6 6

typedef enum sys_sock_type { SYS_TCP, SYS_UDP } sys_sock_type;

/* Parses the numeric IP text `text` of `family` into `ip`; false if it is not one. */
bool sys_ip_parse(uint16_t family, const char *text, uint8_t ip[16]);
/* Writes the numeric text of an IP address (no port, no scope); false if `size` is too small. */
bool sys_ip_format(uint16_t family, const uint8_t ip[16], char *text, size_t size);

/* The MIOW_E* code for OS error `os_error` (MIOW_EOS for one hosts need not tell apart). */
int32_t sys_error_code(int32_t os_error);

/* A new socket: non-blocking, overlapped-capable, not inherited, IPv6-only if IPv6; a UDP
 * socket also ignores ICMP port-unreachable on receive (Windows' SIO_UDP_CONNRESET off). */
int32_t sys_sock_open(uint16_t family, sys_sock_type type, miow_socket_t *out);
void sys_sock_close(miow_socket_t socket);
/* Takes a host's socket in (miow_source_adopt_socket): after the checks, makes it what
 * sys_sock_open() makes (non-blocking; UDP: no ICMP errors on receive) and reports its type,
 * family and whether it is listening. MIOW_ENOTSOCK: not a socket; MIOW_ENOTSUP: a socket that
 * is not TCP or UDP over IPv4 or IPv6. Nothing is changed on failure but, possibly, the
 * non-blocking mode. */
int32_t sys_sock_adopt(miow_socket_t socket, sys_sock_type *type, bool *listener,
                       uint16_t *family);
/* `listener`: bound for listening (exclusive on Windows, rebinding past TIME_WAIT elsewhere). */
int32_t sys_sock_bind(miow_socket_t socket, const sys_addr *addr, bool listener);
int32_t sys_sock_listen(miow_socket_t socket, int32_t backlog);
/* 0 also when the connect is still in progress. */
int32_t sys_sock_connect(miow_socket_t socket, const sys_addr *addr);
/* The accepted socket has the same properties as sys_sock_open() gives. */
int32_t sys_sock_accept(miow_socket_t socket, miow_socket_t *out, sys_addr *peer);

#define SYS_RECV_PEEK 0x1u

/* `buffers` is validated (count <= MIOW_BUFFERS_MAX, data non-NULL where length > 0). `from`,
 * if not NULL, receives the sender. A datagram larger than the buffers gives MIOW_EMSGSIZE. */
int32_t sys_sock_recv(miow_socket_t socket, const miow_buffer *buffers, size_t count,
                      uint32_t flags, size_t *received, sys_addr *from);
/* `to` NULL: the connected peer. */
int32_t sys_sock_send(miow_socket_t socket, const miow_buffer *buffers, size_t count,
                      const sys_addr *to, size_t *sent);
/* `how` is MIOW_SHUT_READ, MIOW_SHUT_WRITE or MIOW_SHUT_BOTH. */
int32_t sys_sock_shutdown(miow_socket_t socket, int32_t how);
/* Reads and clears SO_ERROR into `os_error` (0 if none). */
int32_t sys_sock_take_error(miow_socket_t socket, int32_t *os_error);
int32_t sys_sock_address(miow_socket_t socket, bool peer, sys_addr *out);
/* `option` is a MIOW_OPT_* value already checked against the socket's kind and family;
 * `value` is read when `set`, written otherwise. */
int32_t sys_sock_option(miow_socket_t socket, uint16_t family, int32_t option, bool set,
                        int32_t *value);
/* IPv4: `iface` is the interface address (all zero: any). IPv6: `ifindex`. */
int32_t sys_sock_multicast(miow_socket_t socket, bool join, const sys_addr *group,
                           const sys_addr *iface, uint32_t ifindex);

/* ---- named pipes ----------------------------------------------------------------------
 * A pipe keeps its own state (buffers, outstanding operations, registration); the API layer
 * serialises calls on one pipe. Calls return 0 or a MIOW_E* code with the OS error recorded. */

typedef struct sys_pipe sys_pipe;
typedef struct sys_selector sys_selector;

/* A server instance. `name` is the UTF-8 pipe name; `buffer_size` is not 0; `max_instances`
 * is 1 to SYS_PIPE_INSTANCES_MAX, or 0 for unlimited; `first_instance`: fail with
 * MIOW_EADDRINUSE if the name exists. MIOW_EPIPEBUSY: the name's instance limit is reached. */
#define SYS_PIPE_INSTANCES_MAX MIOW_PIPE_INSTANCES_MAX
int32_t sys_pipe_create(const char *name, uint32_t buffer_size, uint32_t max_instances,
                        bool first_instance, sys_pipe **out);
int32_t sys_pipe_open(const char *name, sys_pipe **out);
/* The owner lets go: outstanding reads and connects are cancelled, a write in flight may
 * finish; memory goes once nothing is outstanding. */
void sys_pipe_free(sys_pipe *pipe);
/* Takes a host's pipe handle (Windows: opened overlapped, server or client end; Linux: a
 * connected or listening Unix-domain stream socket). MIOW_EINVAL: not such a pipe (Windows: a
 * handle opened for synchronous I/O); the handle is left open and as it was on failure. */
int32_t sys_pipe_adopt(miow_socket_t handle, sys_pipe **out, bool *server);
/* Lets go of the pipe without closing its handle, which goes to *out: the pipe is deregistered
 * and, once this returns 0, gone. MIOW_EBUSY: bytes are buffered or a write is in flight
 * (Windows), try again after reading or once writable; MIOW_ENOTSUP: the OS cannot take the
 * handle off the completion port (Windows before 8.1). On failure nothing changed. */
int32_t sys_pipe_release(sys_pipe *pipe, miow_socket_t *out);
/* The OS handle (Windows) or descriptor, for miow_source_socket(). */
miow_socket_t sys_pipe_handle(sys_pipe *pipe);

/* A pipe's registration; the same rules and codes as a socket's. MIOW_ENOTSUP for a selector
 * other than the one the pipe is tied to (Windows). */
int32_t sys_pipe_register(sys_pipe *pipe, sys_selector *sel, uint64_t token, uint32_t interests);
int32_t sys_pipe_reregister(sys_pipe *pipe, uint64_t token, uint32_t interests);
int32_t sys_pipe_rearm(sys_pipe *pipe, uint32_t bits);
void sys_pipe_deregister(sys_pipe *pipe);

int32_t sys_pipe_connect(sys_pipe *pipe);
int32_t sys_pipe_disconnect(sys_pipe *pipe);
/* `buffers` as for sys_sock_recv; `flags` takes SYS_RECV_PEEK. */
int32_t sys_pipe_read(sys_pipe *pipe, const miow_buffer *buffers, size_t count, uint32_t flags,
                      size_t *received);
int32_t sys_pipe_write(sys_pipe *pipe, const miow_buffer *buffers, size_t count, size_t *sent);
/* Reads and clears the error a failed connect left (0 if none). */
int32_t sys_pipe_take_error(sys_pipe *pipe, int32_t *os_error);

/* ---- selector -------------------------------------------------------------------------- */

int32_t sys_selector_new(sys_selector **out);
/* The selector's handle was freed: make a running poll return MIOW_ECLOSED and refuse new
 * work. Memory stays valid until sys_selector_destroy(). */
void sys_selector_close(sys_selector *sel);
/* The last reference is gone: no registration or waker refers to the selector any more. */
void sys_selector_destroy(sys_selector *sel);
int32_t sys_selector_poll(sys_selector *sel, miow_event *events, size_t capacity, size_t *count,
                          int64_t timeout_ms);
int32_t sys_selector_post(sys_selector *sel, uint64_t token, uint32_t readiness);

/* ---- registration (per-socket state) --------------------------------------------------- */

typedef struct sys_registration sys_registration;

/* An internal interest bit, never accepted from hosts: the host owns the socket and may close
 * it without deregistering (miow_source_new, the epoll calls), so the backend must never take
 * a new socket that got the closed one's value for the registered one. It does so without a
 * second request per socket (Windows: docs/epoll.md, "Closed sockets"). */
#define SYS_WATCH_CLOSE 0x80000000u
/* Another internal bit (Linux): the registered socket is a pipe server's listening socket, whose
 * readability is reported as MIOW_WRITABLE (and MIOW_READABLE), the pipe's connect completing
 * (src/unix/pipe.c). */
#define SYS_PIPE_LISTENER 0x40000000u

/* `interests` is already validated, but for SYS_WATCH_CLOSE. */
int32_t sys_register(sys_selector *sel, miow_socket_t socket, uint64_t token, uint32_t interests,
                     sys_registration **out);
/* MIOW_ENOENT when the backend already dropped the registration because the socket was closed;
 * the caller then deregisters it. */
int32_t sys_reregister(sys_registration *reg, uint64_t token, uint32_t interests);
/* Arms `bits` (interest bits) again, those of them that are registered. Arming what is
 * already armed changes nothing and reports nothing new. */
int32_t sys_rearm(sys_registration *reg, uint32_t bits);
/* True once the backend dropped the registration because the socket was closed. */
bool sys_registration_is_dropped(sys_registration *reg);
/* Ends the registration and lets go of it; its memory is reclaimed once no request is pending.
 * Returns 0, or MIOW_ENOENT if the socket had been closed and the registration dropped. */
int32_t sys_deregister(sys_registration *reg);

/* ---- waitable sources (issue 16) -------------------------------------------------------
 * A caller-owned waitable handle (Windows: event, semaphore, process, thread, waitable timer)
 * or any descriptor epoll accepts (Unix), registered with its own state, as a pipe is. The
 * library never closes the value. Calls return 0 or a MIOW_E* code with the OS error recorded. */

typedef struct sys_wait sys_wait;

/* Whether `value` may back a waitable source: MIOW_EINVAL for a value that is not an open,
 * waitable handle or pollable descriptor, MIOW_ENOTSUP for a socket where sockets belong to
 * miow_source_new() (Windows). */
int32_t sys_wait_check(miow_socket_t value);
/* `interests` is validated by interest_is_valid(); a backend refuses what it cannot watch
 * (Windows: anything but MIOW_READABLE) with MIOW_EINVAL. */
int32_t sys_wait_register(sys_selector *sel, miow_socket_t value, uint64_t token,
                          uint32_t interests, sys_wait **out);
/* MIOW_ENOENT as for sys_reregister() when the backend dropped the registration (Unix: the
 * descriptor was closed); the caller then deregisters it. */
int32_t sys_wait_reregister(sys_wait *wait, uint64_t token, uint32_t interests);
int32_t sys_wait_rearm(sys_wait *wait);
bool sys_wait_is_dropped(sys_wait *wait);
/* Ends the registration: no event after it returns; memory goes once nothing is in flight.
 * Returns 0, or MIOW_ENOENT if the registration had been dropped. */
int32_t sys_wait_deregister(sys_wait *wait);

/* ---- waker ----------------------------------------------------------------------------- */

typedef struct sys_waker sys_waker;

int32_t sys_waker_new(sys_selector *sel, uint64_t token, sys_waker **out);
int32_t sys_waker_wake(sys_waker *waker);
void sys_waker_free(sys_waker *waker);

#endif

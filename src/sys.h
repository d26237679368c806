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

/* ---- selector -------------------------------------------------------------------------- */

typedef struct sys_selector sys_selector;

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

/* An internal interest bit, never accepted from hosts: keep watching for the socket's close
 * between polls, so that the registration can never be mistaken for a new socket that got the
 * closed one's value (the epoll layer, whose hosts may close sockets without deleting them). */
#define SYS_WATCH_CLOSE 0x80000000u

/* `interests` is already validated, but for SYS_WATCH_CLOSE. */
int32_t sys_register(sys_selector *sel, miow_socket_t socket, uint64_t token, uint32_t interests,
                     sys_registration **out);
/* MIOW_ENOENT when the backend already dropped the registration because the socket was closed;
 * the caller then deregisters it. */
int32_t sys_reregister(sys_registration *reg, uint64_t token, uint32_t interests);
int32_t sys_rearm(sys_registration *reg);
/* True once the backend dropped the registration because the socket was closed. */
bool sys_registration_is_dropped(sys_registration *reg);
/* Ends the registration and lets go of it; its memory is reclaimed once no request is pending.
 * Returns 0, or MIOW_ENOENT if the socket had been closed and the registration dropped. */
int32_t sys_deregister(sys_registration *reg);

/* ---- waker ----------------------------------------------------------------------------- */

typedef struct sys_waker sys_waker;

int32_t sys_waker_new(sys_selector *sel, uint64_t token, sys_waker **out);
int32_t sys_waker_wake(sys_waker *waker);
void sys_waker_free(sys_waker *waker);

#endif

/**
 * @file miow/epoll.h
 * @brief A wepoll-compatible epoll API on top of the selector: miow_epoll_create1(),
 *        miow_epoll_ctl(), miow_epoll_wait() and miow_epoll_close().
 *
 * This header is not included by miowin.h: it defines the unprefixed names `struct
 * epoll_event`, `epoll_data_t` and `EPOLL*` that wepoll's `wepoll.h` and Linux's
 * `<sys/epoll.h>` define, and a host that does not use the epoll API should not get them.
 * Include it instead of `wepoll.h`, never together with it. See @ref epoll for the
 * differences from wepoll and from Linux epoll.
 */
#ifndef MIOW_EPOLL_H
#define MIOW_EPOLL_H

#include "common.h"

/**
 * @defgroup miow_epoll epoll
 * @brief Linux's epoll API as wepoll offers it on Windows, on top of a miowin selector.
 *
 * Each epoll handle owns one selector. The semantics are Linux's, as wepoll implements them:
 * level-triggered unless #EPOLLONESHOT is given; #EPOLLERR and #EPOLLHUP are reported
 * whether asked for or not; a socket closed by its owner is dropped automatically; several
 * threads may wait on one handle and one socket may be in several handles. Every failure
 * returns -1 (NULL for the create calls) and sets both `errno` and the thread's last error
 * (see @ref epoll for which codes, and in which order of precedence).
 *
 * On Linux this header takes `struct epoll_event`, `epoll_data_t` and the constants from
 * `<sys/epoll.h>`, so that they are the system's own; elsewhere it defines them with Linux's
 * values and wepoll's layout.
 *
 * Define `MIOW_EPOLL_NAMES` before including this header to call the functions by wepoll's
 * names: `epoll_create`, `epoll_create1`, `epoll_close`, `epoll_ctl` and `epoll_wait` then
 * name the `miow_epoll_*` functions, so that code written for wepoll compiles unchanged. It is
 * meant for Windows. On Linux it hides the system's epoll functions (whose descriptors are
 * `int`, not handles) in that translation unit; the header includes `<sys/epoll.h>` first, so
 * that the two never clash.
 * @{
 */

#if defined(__linux__)
#  include <sys/epoll.h>
#else

/** Readable: data to read, a connection to accept, or the peer's FIN. */
#  define EPOLLIN 0x001u
/** Out-of-band (urgent) data is waiting. */
#  define EPOLLPRI 0x002u
/** Writable, or a non-blocking connect finished. */
#  define EPOLLOUT 0x004u
/** The socket has an error, such as a refused connect. Always reported. */
#  define EPOLLERR 0x008u
/** The connection was reset: both directions are closed. Always reported. */
#  define EPOLLHUP 0x010u
/** Like #EPOLLIN, under its own name; reported only when asked for by this name. */
#  define EPOLLRDNORM 0x040u
/** Like #EPOLLPRI, under its own name; reported only when asked for by this name. */
#  define EPOLLRDBAND 0x080u
/** Like #EPOLLOUT, under its own name; reported only when asked for by this name. */
#  define EPOLLWRNORM 0x100u
/** Accepted and ignored: never reported (Linux reports it only for datagram sockets). */
#  define EPOLLWRBAND 0x200u
/** Accepted and ignored: never reported, as on Linux. */
#  define EPOLLMSG 0x400u
/** The peer sent its FIN: it will send no more data. Reported only together with a
 *  readable interest (#EPOLLIN or #EPOLLRDNORM). */
#  define EPOLLRDHUP 0x2000u
/** Not supported: miow_epoll_ctl() fails with `EINVAL`. Linux's value. */
#  define EPOLLEXCLUSIVE (1u << 28)
/** Report once, then stay registered but silent until #EPOLL_CTL_MOD. Linux's value (wepoll
 *  1.5.8 used Linux's #EPOLLET value by mistake). */
#  define EPOLLONESHOT (1u << 30)
/** Not supported, as AFD offers no edge triggering: miow_epoll_ctl() fails with `EINVAL`.
 *  Linux's value. */
#  define EPOLLET (1u << 31)

/** miow_epoll_ctl(): add a socket. */
#  define EPOLL_CTL_ADD 1
/** miow_epoll_ctl(): remove a socket. Linux's value, the same on every platform (wepoll's
 *  header numbers it 3). */
#  define EPOLL_CTL_DEL 2
/** miow_epoll_ctl(): change a socket's events and data, re-arming a oneshot registration.
 *  Linux's value, the same on every platform (wepoll's header numbers it 2). */
#  define EPOLL_CTL_MOD 3

/** miow_epoll_create1(): accepted and ignored (an epoll handle is never inherited). Linux's
 *  value. */
#  define EPOLL_CLOEXEC 02000000

/** @brief The caller's data, returned unchanged with each event of the registration. */
typedef union epoll_data {
  /** A pointer. */
  void *ptr;
  /** A file descriptor (wepoll declares it `int`). */
  int32_t fd;
  /** A 32-bit number. */
  uint32_t u32;
  /** A 64-bit number: all 8 bytes of the union. */
  uint64_t u64;
  /** A socket (wepoll declares it `SOCKET`). */
  miow_socket_t sock;
  /** A handle (wepoll declares it `HANDLE`). */
  void *hnd;
} epoll_data_t;

/** @brief What to watch a socket for (miow_epoll_ctl()), or what was seen (miow_epoll_wait()).
 *
 *  16 bytes with `events` at 0 and `data` at 8, as wepoll lays it out. */
struct epoll_event {
  /** `EPOLL*` bits. */
  uint32_t events;
  /** Returned unchanged with each event. */
  epoll_data_t data;
};

#endif

/** @cond MIOW_INTERNAL */
/* The layout is the platform's own: Linux packs it on x86-64 (and i386 aligns 64-bit members to
 * 4), so the data sits at offset 4 there and at 8 everywhere else, wepoll included. */
#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__))
#  define MIOW_EPOLL_EVENT_SIZE 12
#  define MIOW_EPOLL_DATA_OFFSET 4
#else
#  define MIOW_EPOLL_EVENT_SIZE 16
#  define MIOW_EPOLL_DATA_OFFSET 8
#endif
#if defined(__cplusplus)
static_assert(sizeof(struct epoll_event) == MIOW_EPOLL_EVENT_SIZE, "struct epoll_event size");
static_assert(offsetof(struct epoll_event, data) == MIOW_EPOLL_DATA_OFFSET, "epoll_event.data");
static_assert(sizeof(epoll_data_t) == 8, "epoll_data_t is 8 bytes");
#else
_Static_assert(sizeof(struct epoll_event) == MIOW_EPOLL_EVENT_SIZE, "struct epoll_event size");
_Static_assert(offsetof(struct epoll_event, data) == MIOW_EPOLL_DATA_OFFSET, "epoll_event.data");
_Static_assert(sizeof(epoll_data_t) == 8, "epoll_data_t is 8 bytes");
#endif
/** @endcond */

/**
 * @brief An epoll handle: as wide as a Windows `HANDLE`, and assignable to and from one, so
 *        that wepoll code that stores it in a `HANDLE` compiles unchanged, in C++ too.
 *
 * It is a value from the library's handle table, not a kernel handle: pass it only to the
 * `miow_epoll_*` calls. A closed or made-up handle is recognised and rejected with `EBADF`;
 * something open that is not an epoll handle (another miowin handle, an event, a file, a
 * socket) with `EINVAL`, as wepoll does.
 */
typedef void *miow_epoll_t;

/** @brief The event record of the epoll calls: the platform's `struct epoll_event`. */
typedef struct epoll_event miow_epoll_event;

MIOW_BEGIN_DECLS

/**
 * @brief Creates an epoll handle.
 * @param size Ignored, except that it must be positive, as on Linux.
 * @return The new handle, or NULL with `errno` set to `EINVAL` (@p size is not positive),
 *         `ENOMEM`, or another code if the selector could not be created.
 */
MIOW_EXTERN miow_epoll_t MIOW_CALL miow_epoll_create(int32_t size);

/**
 * @brief Creates an epoll handle.
 * @param flags 0, or #EPOLL_CLOEXEC (which changes nothing).
 * @return The new handle, or NULL with `errno` set to `EINVAL` (another flag), `ENOMEM`, or
 *         another code if the selector could not be created.
 */
MIOW_EXTERN miow_epoll_t MIOW_CALL miow_epoll_create1(int32_t flags);

/**
 * @brief Closes an epoll handle, forgetting every registration. The sockets stay open.
 *
 * A thread blocked in miow_epoll_wait() on the handle, or waiting for its turn to poll it,
 * returns -1 with `errno` `EBADF` promptly.
 * @param ephnd The handle.
 * @return 0, or -1 with `errno` `EBADF` if @p ephnd names nothing open (this includes a
 *         second close), or `EINVAL` if it is open but not an epoll handle.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_epoll_close(miow_epoll_t ephnd);

/**
 * @brief Adds, changes or removes a socket's registration.
 *
 * #EPOLLERR and #EPOLLHUP are watched whether asked for or not. #EPOLL_CTL_MOD replaces the
 * events and data and re-arms a #EPOLLONESHOT registration. An events word that asks for none
 * of #EPOLLIN, #EPOLLOUT, #EPOLLPRI, #EPOLLRDNORM, #EPOLLWRNORM and #EPOLLRDBAND (0, say)
 * keeps the socket registered but reports nothing for it, not even #EPOLLERR or #EPOLLHUP,
 * until an #EPOLL_CTL_MOD asks for one of them: see @ref epoll.
 * @param ephnd The epoll handle.
 * @param op #EPOLL_CTL_ADD, #EPOLL_CTL_MOD or #EPOLL_CTL_DEL.
 * @param sock The socket (a `SOCKET` on Windows, a file descriptor on Linux).
 * @param event The events and data for #EPOLL_CTL_ADD and #EPOLL_CTL_MOD; ignored (and may be
 *        NULL) for #EPOLL_CTL_DEL.
 * @return 0, or -1 with `errno` set to the first that applies of:
 *         `EBADF` (@p ephnd names nothing open, or @p sock is not an open handle or file
 *         descriptor), `EINVAL` (@p ephnd is open but not an epoll handle), `ENOTSOCK` (@p sock is open but not a socket), `EINVAL` (@p op is
 *         unknown, @p event is NULL, or it has #EPOLLET or #EPOLLEXCLUSIVE), `EEXIST`
 *         (#EPOLL_CTL_ADD of a registered socket), `ENOENT` (#EPOLL_CTL_MOD or #EPOLL_CTL_DEL
 *         of a socket that is not registered), `ENOMEM`.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_epoll_ctl(miow_epoll_t ephnd, int32_t op, miow_socket_t sock,
                                             miow_epoll_event *event);

/**
 * @brief Waits for events on the registered sockets.
 *
 * Several threads may wait on one handle: one of them polls the selector at a time and the
 * others wait for their turn, each within its own timeout.
 * @param ephnd The epoll handle.
 * @param[out] events Array of at least @p maxevents records.
 * @param maxevents How many records @p events holds; positive.
 * @param timeout Milliseconds to wait at most (never less); 0 does not wait; a negative value
 *        waits without limit.
 * @return How many records were filled (0 after the timeout), or -1 with `errno` set to
 *         `EINVAL` (@p maxevents is not positive or @p events is NULL, or @p ephnd is open but
 *         not an epoll handle), `EBADF` (@p ephnd names nothing open, or it was closed during
 *         the wait), or another code if the wait itself failed.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_epoll_wait(miow_epoll_t ephnd, miow_epoll_event *events,
                                              int32_t maxevents, int32_t timeout);

MIOW_END_DECLS

/* Opt-in wepoll names: documented in the group above. */
#if defined(MIOW_EPOLL_NAMES)
#  define epoll_create miow_epoll_create
#  define epoll_create1 miow_epoll_create1
#  define epoll_close miow_epoll_close
#  define epoll_ctl miow_epoll_ctl
#  define epoll_wait miow_epoll_wait
#endif

/** @} */

#endif

/* What the readiness benchmark's methods share: the socket set every method polls, and the
 * interface each method (miowin, WSAPoll, select, the bare AFD loop) implements so that one
 * driver in bench_scaling.c can time them all the same way. */
#ifndef MIOW_BENCH_H
#define MIOW_BENCH_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <winsock2.h>
#include <ws2tcpip.h>

/* N receiving UDP sockets bound to 127.0.0.1 and one sender. A datagram sent to receiver i
 * makes exactly that socket readable until it is read. */
typedef struct bench_sockets {
  size_t count;
  SOCKET *receivers;
  struct sockaddr_in *addresses;
  SOCKET sender;
} bench_sockets;

/* What a method counts while it waits, besides time. */
typedef struct bench_tally {
  /* Calls into the waiting primitive (miow_selector_poll, WSAPoll, select, GQCSEx). */
  uint64_t waits;
  /* Ready reports for a socket other than the one a datagram was just sent to. */
  uint64_t stray;
} bench_tally;

typedef struct bench_method {
  const char *name;
  /* Largest socket count the method supports; 0 means no limit. */
  size_t max_sockets;
  /* True when afd_counters sees this method's AFD requests (see bench_afd_counts). */
  bool afd_counted;
  /* Prepares to wait on every socket in `sockets`. Returns 0, or -1 with `error` filled. */
  int (*open)(void **state, const bench_sockets *sockets, char *error, size_t error_size);
  /* Returns once socket `index` has been reported readable (the caller then reads it), or -1
   * with `error` filled when the method failed or nothing was reported within `timeout_ms`. */
  int (*wait)(void *state, size_t index, uint32_t timeout_ms, bench_tally *tally, char *error,
              size_t error_size);
  /* Releases everything open() set up. The sockets stay open and empty. */
  void (*close)(void *state);
} bench_method;

extern const bench_method bench_miowin;
extern const bench_method bench_wsapoll;
extern const bench_method bench_select;
extern const bench_method bench_floor;
/* The epoll API over the same sockets (bench_epoll_api only). */
extern const bench_method bench_epoll;

/* Sockets per AFD helper handle in the floor loop; set from the command line. */
extern size_t bench_floor_group_size;

/* How many AFD polls and cancels this process has issued through src/win/afd.c so far. In the
 * DLL build these are the floor loop's only; in the static build they include miowin's. */
void bench_afd_counts(uint64_t *polls, uint64_t *cancels);

/* Formats "what: Win32/Winsock error N" into `error`. */
void bench_fail(char *error, size_t error_size, const char *what, unsigned long os_error);

/* Seconds from the performance counter. */
double bench_now_s(void);

/* Prints "program: message" to stderr and ends the process with status 1. */
void bench_die(const char *program, const char *format, ...);

#endif

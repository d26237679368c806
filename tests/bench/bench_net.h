/* What the network benchmark's methods share: the two workloads (a TCP echo and a UDP
 * ping-pong, both within one process on loopback) and the interface each method implements,
 * once over miowin's own sockets and once directly over Winsock and WSAPoll, so that one driver
 * in bench_net.c can run them alternately and time them the same way. */
#ifndef MIOW_BENCH_NET_H
#define MIOW_BENCH_NET_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <winsock2.h>
#include <ws2tcpip.h>

/* The largest message either workload sends. */
#define NET_MESSAGE_MAX 1024

/* The TCP echo: `connections` client streams, each connected to a server stream in the same
 * process. Every client keeps one `message_size`-byte message in flight: it sends, the server
 * side writes back what it reads, and once the whole echo is back and verified the client
 * sends the next. One round trip = one verified echo.
 *
 * The UDP ping-pong: `pairs` pairs of sockets. The pinger of each pair is connected to its
 * ponger and keeps one numbered `message_size`-byte ping in flight; the ponger answers each
 * datagram to its sender. One round trip = one verified pong. */
typedef struct net_config {
  size_t count; /* connections (TCP) or pairs (UDP) */
  size_t message_size;
} net_config;

/* What a method counts while it runs, besides time. */
typedef struct net_tally {
  uint64_t round_trips;
  /* Calls into the waiting primitive (miow_selector_poll, WSAPoll). */
  uint64_t waits;
  /* Ready reports handled: events returned by miow_selector_poll, or entries of the WSAPoll
   * array with revents set. */
  uint64_t events;
  /* Reports that led to no transfer at all (nothing to read, nothing to send). */
  uint64_t idle_events;
  /* The duration of each round trip in microseconds, from its send to its verified echo. */
  float *samples;
  size_t sample_count;
  size_t sample_capacity;
} net_tally;

/* Counts one verified round trip that began at `sent_at` (net_now()) and records its duration.
 * Returns 0, or -1 with `error` filled when out of memory. */
int net_tally_round_trip(net_tally *tally, double sent_at, char *error, size_t error_size);

/* One workload as one method implements it. */
typedef struct net_workload {
  /* Opens every socket, connects them and puts the first messages in flight. Returns 0, or -1
   * with `error` filled. */
  int (*open)(void **state, const net_config *config, char *error, size_t error_size);
  /* Runs the workload for `seconds`, adding to `tally`. Returns 0, or -1 with `error` filled
   * (a failed call, a wrong echo, or nothing reported for a long time). */
  int (*run)(void *state, double seconds, net_tally *tally, char *error, size_t error_size);
  /* Closes everything open() made. */
  void (*close)(void *state);
} net_workload;

typedef struct net_method {
  const char *key;         /* for -M and the CSV */
  const char *name;        /* for the tables */
  const char *description; /* one line under the tables */
  bool afd_counted;        /* the static library's AFD counters see this method's requests */
  net_workload tcp;        /* open is NULL if the method has no TCP variant */
  net_workload udp;        /* open is NULL if the method has no UDP variant */
} net_method;

extern const net_method net_miowin_edge;
extern const net_method net_miowin_edge_rw;
extern const net_method net_miowin_level;
extern const net_method net_wsapoll;

/* Seconds from an arbitrary start, from the performance counter. */
double net_now(void);

/* Longest time a run waits without any progress before it fails. */
#define NET_STALL_SECONDS 5.0

/* After one wait of a run: sets `now`, and `last_progress` to it when the wait led to
 * `progress`; true once NET_STALL_SECONDS have passed without progress. */
bool net_stalled(bool progress, double *now, double *last_progress);

/* Formats "what: Winsock error N" into `error`; returns -1. */
int net_fail_os(char *error, size_t error_size, const char *what, int os_error);
/* Formats a printf-style message into `error`; returns -1. */
int net_fail(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(__MINGW_PRINTF_FORMAT, 3, 4)));

/* The message a sender puts in flight: `sequence` and `stream` stamped into the first bytes,
 * the rest a pattern, so that an echo of the wrong message or of stale bytes is caught. */
void net_fill_message(unsigned char *message, size_t size, uint32_t stream, uint32_t sequence);

#endif

/* What the tests need from the platform (sockets, threads, clocks, handle counts) and a few
 * polling helpers, so the test files themselves read as behaviour. */
#ifndef MIOW_TEST_SUPPORT_H
#define MIOW_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include "miowin.h"

/* ---- platform: support/<platform>/support.c ---- */

void support_init(void);

/* A listening TCP socket on 127.0.0.1 with an ephemeral port, non-blocking. */
miow_socket_t support_listener(uint16_t *port);
/* A non-blocking TCP socket whose connect to 127.0.0.1:`port` is in progress. */
miow_socket_t support_connect_start(uint16_t port);
/* A connected pair of non-blocking TCP sockets over loopback. */
void support_tcp_pair(miow_socket_t *client, miow_socket_t *server);
/* A loopback port nobody listens on, so a connect to it is refused. */
uint16_t support_unused_port(void);
/* A non-blocking UDP socket bound to 127.0.0.1 with an ephemeral port. */
miow_socket_t support_udp_socket(uint16_t *port);
void support_udp_send(miow_socket_t s, uint16_t port, const void *data, size_t len);

miow_socket_t support_accept(miow_socket_t listener);
int support_send(miow_socket_t s, const void *data, size_t len);
int support_send_oob(miow_socket_t s, char byte);
/* Reads whatever is queued, returns the byte count, 0 at EOF, -1 when nothing is there. */
int support_recv(miow_socket_t s, void *buf, size_t len);
int support_recv_oob(miow_socket_t s, void *buf, size_t len);
/* Like support_recv, but it never asserts, so worker threads may call it: -1 on any error. */
int support_try_recv(miow_socket_t s, void *buf, size_t len);
void support_shutdown_write(miow_socket_t s);
/* Closes with SO_LINGER 0, so the peer sees a reset. */
void support_close_reset(miow_socket_t s);
void support_close(miow_socket_t s);
/* A second descriptor (handle) for the same socket, which keeps it open when `s` is closed. */
miow_socket_t support_dup_socket(miow_socket_t s);
/* The socket's pending error (SO_ERROR), which reading clears. */
int32_t support_socket_error(miow_socket_t s);
/* Sends until the socket would block; returns how many bytes it took. */
size_t support_send_until_full(miow_socket_t s);
/* Raises the limit on open descriptors toward `wanted` where there is one (Linux); returns the
 * limit now in force, or `wanted` where there is none (Windows). */
uint64_t support_raise_socket_limit(uint64_t wanted);
/* A value that is an open handle but not a socket, and its cleanup. */
miow_socket_t support_non_socket(void);
void support_close_non_socket(miow_socket_t h);

/* The calling process's id. */
unsigned long support_process_id(void);

/* The OS error the library documents for a code it detects itself. */
int32_t support_os_error(int32_t code);
/* The thread's native last error (GetLastError), as an FFI layer would read it. */
int32_t support_thread_last_error(void);

/* How many OS handles the process holds; see the platform file for how it is counted. */
uint64_t support_handle_probe(void);
/* The value the OS gives the next new handle (Windows: an event's; Linux: a descriptor's). Wine
 * and Linux hand out the lowest free slot, so a leaked handle below the old lowest shows. */
uint64_t support_lowest_free_handle(void);

/* How many handles `rounds` runs of round(arg) leave open, counted after one unmeasured warm-up
 * run. The warm-up absorbs what the platform creates once, on first use, and keeps for the
 * process (Wine 10 opens one such handle the first time a socket with a poll request pending
 * is closed; docs/building.md); a real leak still grows with every measured round. */
int64_t support_handle_growth(void (*round)(void *), void *arg, int rounds);

typedef struct support_thread support_thread;
support_thread *support_thread_start(void (*fn)(void *), void *arg);
void support_thread_join(support_thread *t);
void support_sleep_ms(uint32_t ms);
double support_now_ms(void);
/* CPU time the whole process has used so far, in milliseconds. */
double support_cpu_ms(void);

/* ---- waitable sources (miow_source_new_waitable): support/<platform>/support.c ---- */

/* An object a waitable source reports readable while it is set, and which a wait does not
 * consume: a manual-reset event (Windows), an eventfd read only by support_signal_reset()
 * (Linux). */
miow_socket_t support_signal_new(void);
void support_signal_set(miow_socket_t signal);
void support_signal_reset(miow_socket_t signal);
void support_signal_close(miow_socket_t signal);
/* A value that named an object a moment ago and is closed now. */
miow_socket_t support_closed_value(void);

/* ---- portable helpers: support/events.c ---- */

/* cmocka setup and teardown that give each test a fresh selector: the test's initial state is
 * the address of the suite's selector variable (cmocka_unit_test_prestate_setup_teardown), which
 * setup fills (after support_init()) and teardown frees. */
int support_selector_setup(void **state);
int support_selector_teardown(void **state);

/* A connected TCP pair whose client end is wrapped in a new source registered with `sel`. */
miow_source *register_client(miow_selector *sel, uint64_t token, uint32_t interests,
                             miow_socket_t *client, miow_socket_t *server);

/* Polls with `timeout_ms` and returns the readiness reported for `token` in that call, OR-ed
 * over all its events (0 if none). Fails the test if poll fails. */
uint32_t poll_once(miow_selector *sel, uint64_t token, int64_t timeout_ms);

/* Polls until `token` is reported with all of `mask`, or `timeout_ms` passes; returns the
 * readiness seen for `token` (OR-ed), which the caller checks. */
uint32_t poll_until(miow_selector *sel, uint64_t token, uint32_t mask, int64_t timeout_ms);

/* Polls for about `ms` and fails the test if `token` is reported at all. */
void expect_silence(miow_selector *sel, uint64_t token, int64_t ms);

/* ---- sockets the library creates: support/events.c ---- */

/* Frees each of `count` sources, in order. */
void free_all(miow_source **sources, size_t count);
/* Frees `first`, then `second`. */
void free_both(miow_source *first, miow_source *second);
/* One round of the edge rule on `src`, registered with `sel` under `token` for readability
 * with MIOW_EDGE, after its peer has sent `text`: polls until readable, reads `text` in one
 * call, and checks that the next read would block and that nothing is reported for 200 ms
 * (only the would-block re-arms: until then the consumed readiness stays consumed). */
void expect_edge_read_round(miow_selector *sel, uint64_t token, miow_source *src, const char *text);

/* Puts a socket in blocking mode, as sockets start out. */
void support_set_blocking(miow_socket_t s);
/* A pipe end the host opens itself, under `name` ("\\.\pipe\..."): Windows, a server
 * instance (unlimited instances) or a client, overlapped when `overlapped`; Linux, a listening
 * or connected Unix-domain socket at the address miowin's pipes use (`overlapped` ignored). */
miow_socket_t support_pipe_server_handle(const char *name, bool overlapped);
miow_socket_t support_pipe_client_handle(const char *name);
void support_pipe_close(miow_socket_t h);
/* Writes all of `data` to a pipe handle directly, and reads exactly `len` bytes from one,
 * waiting as long as needed (up to 10 s). */
void support_pipe_write(miow_socket_t h, const void *data, size_t len);
void support_pipe_read(miow_socket_t h, void *buf, size_t len);

/* True when the tests run against the Windows backend (on Windows or under Wine), for the few
 * results the OSes document differently. */
bool support_is_windows(void);
/* True under Wine (ntdll exports wine_get_version), for the few Windows behaviours Wine 8
 * lacks and the tests accept with a note. */
bool support_is_wine(void);

/* The port of an address written by the library ("127.0.0.1:8080", "[::1]:8080"). */
uint16_t net_port(const char *address);
/* Writes "127.0.0.1:`port`". */
void net_loopback_address(char out[MIOW_ADDRESS_SIZE], uint16_t port);
/* A listener made by miow_tcp_listen(`address`), and its local address as text. */
miow_source *net_listen(const char *address, char local[MIOW_ADDRESS_SIZE]);
/* Accepts one connection, retrying on would-block for a few seconds. */
miow_source *net_accept(miow_source *listener);
/* Waits (without a selector) until the stream's connect has succeeded. */
void net_wait_connected(miow_source *stream);
/* A connected pair of library streams through a listener on `address` ("127.0.0.1:0"). */
void net_tcp_pair(const char *address, miow_source **client, miow_source **server);
/* A UDP source bound to `address`, and its local address as text. */
miow_source *net_udp(const char *address, char local[MIOW_ADDRESS_SIZE]);
/* Whether "[::1]:0" can be bound; prints a note when it cannot. */
bool net_ipv6_available(void);
/* Reads exactly `length` bytes, retrying on would-block; fails at end of stream. */
void net_read_exact(miow_source *src, void *buffer, size_t length);
/* Reads until end of stream, retrying on would-block; returns the byte count and fails if more
 * than `capacity` bytes arrive. */
size_t net_read_to_eof(miow_source *src, void *buffer, size_t capacity);
/* Writes all `length` bytes, retrying on would-block. */
void net_write_all(miow_source *src, const void *buffer, size_t length);
/* Peeks until at least `length` (at most 4096) bytes are queued; returns how many are. */
size_t net_wait_queued(miow_source *src, size_t length);
/* Receives one datagram with miow_udp_recv_from(), retrying on would-block. */
size_t net_recv_from(miow_source *src, void *buffer, size_t length, char from[MIOW_ADDRESS_SIZE]);

/* ---- named pipes (miow/pipe.h): support/events.c ---- */

/* Room for a name written by pipe_unique_name(), with its NUL. */
#define PIPE_NAME_SIZE 96
/* A pipe name nothing else uses, "\\.\pipe\miow-test-<process id>-<counter>", so that tests,
 * and parallel runs of the suite, never meet on a name. */
void pipe_unique_name(char out[PIPE_NAME_SIZE]);
/* True where a pipe stays tied to the first selector it was registered with, as pipe.h
 * documents for Windows (a handle joins one completion port for life), so that registering it
 * with another selector later returns MIOW_ENOTSUP; false where that is allowed (Linux). */
bool support_pipes_tie_to_first_selector(void);

#endif

/* Portable helpers for the tests: a fresh selector per test, a registered socket pair, polling,
 * and the library-made sockets and pipes the newer suites share. */
#include "support.h"

#define BATCH 64

miow_source *register_client(miow_selector *sel, uint64_t token, uint32_t interests,
                             miow_socket_t *client, miow_socket_t *server) {
  support_tcp_pair(client, server);
  miow_source *src;
  assert_int_equal(miow_source_new(&src, *client), 0);
  assert_int_equal(miow_source_register(src, sel, token, interests), 0);
  return src;
}

int support_selector_setup(void **state) {
  support_init();
  assert_int_equal(miow_selector_new((miow_selector **)*state), 0);
  return 0;
}

int support_selector_teardown(void **state) {
  assert_int_equal(miow_selector_free(*(miow_selector **)*state), 0);
  return 0;
}

int64_t support_handle_growth(void (*round)(void *), void *arg, int rounds) {
  round(arg);
  uint64_t before = support_handle_probe();
  for (int i = 0; i < rounds; i++) round(arg);
  return (int64_t)(support_handle_probe() - before);
}

uint32_t poll_once(miow_selector *sel, uint64_t token, int64_t timeout_ms) {
  miow_event events[BATCH];
  size_t count = 0;
  assert_int_equal(miow_selector_poll(sel, events, BATCH, &count, timeout_ms), 0);
  uint32_t seen = 0;
  for (size_t i = 0; i < count; i++) {
    assert_int_not_equal(events[i].readiness, 0);
    assert_int_equal(events[i].reserved, 0);
    if (events[i].token == token) seen |= events[i].readiness;
  }
  return seen;
}

uint32_t poll_until(miow_selector *sel, uint64_t token, uint32_t mask, int64_t timeout_ms) {
  double deadline = support_now_ms() + (double)timeout_ms;
  uint32_t seen = 0;
  while ((seen & mask) != mask) {
    double left = deadline - support_now_ms();
    if (left <= 0) break;
    seen |= poll_once(sel, token, (int64_t)left + 1);
  }
  return seen;
}

void expect_silence(miow_selector *sel, uint64_t token, int64_t ms) {
  double deadline = support_now_ms() + (double)ms;
  for (;;) {
    double left = deadline - support_now_ms();
    if (left <= 0) break;
    uint32_t seen = poll_once(sel, token, (int64_t)left + 1);
    if (seen != 0)
      fail_msg("token %llu reported 0x%x; expected silence", (unsigned long long)token,
               (unsigned)seen);
  }
}

/* ---- sockets the library creates (miow/net.h, miow/io.h) ---- */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long the helpers below retry an operation that would block. */
#define NET_WAIT_MS 5000.0

void free_all(miow_source **sources, size_t count) {
  for (size_t i = 0; i < count; i++) assert_int_equal(miow_source_free(sources[i]), 0);
}

void free_both(miow_source *first, miow_source *second) {
  miow_source *both[] = {first, second};
  free_all(both, 2);
}

void expect_edge_read_round(miow_selector *sel, uint64_t token, miow_source *src,
                            const char *text) {
  size_t length = strlen(text);
  assert_true(poll_until(sel, token, MIOW_READABLE, 5000) & MIOW_READABLE);
  char buf[64];
  size_t n = 0;
  assert_int_equal(miow_source_read(src, buf, sizeof buf, &n), 0);
  assert_int_equal(n, length);
  assert_memory_equal(buf, text, length);
  assert_int_equal(miow_source_read(src, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);
  expect_silence(sel, token, 200);
}

bool support_is_windows(void) {
#if defined(_WIN32)
  return true;
#else
  return false;
#endif
}

uint16_t net_port(const char *address) {
  const char *colon = strrchr(address, ':');
  assert_non_null(colon);
  char *end;
  unsigned long port = strtoul(colon + 1, &end, 10);
  assert_true(*end == '\0' && port <= 65535);
  return (uint16_t)port;
}

void net_loopback_address(char out[MIOW_ADDRESS_SIZE], uint16_t port) {
  snprintf(out, MIOW_ADDRESS_SIZE, "127.0.0.1:%u", (unsigned)port);
}

miow_source *net_listen(const char *address, char local[MIOW_ADDRESS_SIZE]) {
  miow_source *listener;
  assert_int_equal(miow_tcp_listen(&listener, address, 0), 0);
  assert_int_equal(miow_source_local_address(listener, local, MIOW_ADDRESS_SIZE), 0);
  return listener;
}

miow_source *net_accept(miow_source *listener) {
  double deadline = support_now_ms() + NET_WAIT_MS;
  for (;;) {
    miow_source *stream;
    int32_t rc = miow_tcp_accept(listener, &stream, NULL, 0);
    if (rc == 0) return stream;
    assert_int_equal(rc, MIOW_EWOULDBLOCK);
    if (support_now_ms() > deadline) fail_msg("no connection to accept");
    support_sleep_ms(5);
  }
}

void net_wait_connected(miow_source *stream) {
  double deadline = support_now_ms() + NET_WAIT_MS;
  char peer[MIOW_ADDRESS_SIZE];
  for (;;) {
    int32_t rc = miow_source_peer_address(stream, peer, sizeof peer);
    if (rc == 0) return;
    assert_int_equal(rc, MIOW_ENOTCONN);
    if (support_now_ms() > deadline) fail_msg("the connect never finished");
    support_sleep_ms(5);
  }
}

void net_tcp_pair(const char *address, miow_source **client, miow_source **server) {
  char local[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen(address, local);
  assert_int_equal(miow_tcp_connect(client, local), 0);
  net_wait_connected(*client);
  *server = net_accept(listener);
  assert_int_equal(miow_source_free(listener), 0);
}

miow_source *net_udp(const char *address, char local[MIOW_ADDRESS_SIZE]) {
  miow_source *udp;
  assert_int_equal(miow_udp_bind(&udp, address), 0);
  assert_int_equal(miow_source_local_address(udp, local, MIOW_ADDRESS_SIZE), 0);
  return udp;
}

bool net_ipv6_available(void) {
  miow_source *probe;
  int32_t rc = miow_udp_bind(&probe, "[::1]:0");
  if (rc == MIOW_EADDRNOTAVAIL) {
    print_message("note: no IPv6 loopback here ([::1]:0 is not available); IPv6 part skipped\n");
    return false;
  }
  assert_int_equal(rc, 0);
  assert_int_equal(miow_source_free(probe), 0);
  return true;
}

void net_read_exact(miow_source *src, void *buffer, size_t length) {
  double deadline = support_now_ms() + NET_WAIT_MS;
  size_t got = 0;
  while (got < length) {
    size_t n = 0;
    int32_t rc = miow_source_read(src, (char *)buffer + got, length - got, &n);
    if (rc == MIOW_EWOULDBLOCK) {
      if (support_now_ms() > deadline)
        fail_msg("read %llu of %llu bytes before the deadline", (unsigned long long)got,
                 (unsigned long long)length);
      support_sleep_ms(2);
      continue;
    }
    assert_int_equal(rc, 0);
    if (n == 0)
      fail_msg("end of stream after %llu of %llu bytes", (unsigned long long)got,
               (unsigned long long)length);
    got += n;
  }
}

size_t net_read_to_eof(miow_source *src, void *buffer, size_t capacity) {
  double deadline = support_now_ms() + NET_WAIT_MS;
  size_t got = 0;
  for (;;) {
    if (got == capacity)
      fail_msg("more than %llu bytes before the end of stream", (unsigned long long)capacity);
    size_t n = 0;
    int32_t rc = miow_source_read(src, (char *)buffer + got, capacity - got, &n);
    if (rc == MIOW_EWOULDBLOCK) {
      if (support_now_ms() > deadline)
        fail_msg("no end of stream after %llu bytes", (unsigned long long)got);
      support_sleep_ms(2);
      continue;
    }
    assert_int_equal(rc, 0);
    if (n == 0) return got;
    got += n;
  }
}

void net_write_all(miow_source *src, const void *buffer, size_t length) {
  double deadline = support_now_ms() + NET_WAIT_MS;
  size_t done = 0;
  while (done < length) {
    size_t n = 0;
    int32_t rc = miow_source_write(src, (const char *)buffer + done, length - done, &n);
    if (rc == MIOW_EWOULDBLOCK) {
      if (support_now_ms() > deadline)
        fail_msg("wrote %llu of %llu bytes", (unsigned long long)done, (unsigned long long)length);
      support_sleep_ms(2);
      continue;
    }
    assert_int_equal(rc, 0);
    done += n;
  }
}

size_t net_wait_queued(miow_source *src, size_t length) {
  double deadline = support_now_ms() + NET_WAIT_MS;
  char buffer[4096];
  assert_true(length <= sizeof buffer);
  for (;;) {
    size_t n = 0;
    int32_t rc = miow_source_peek(src, buffer, sizeof buffer, &n);
    if (rc == 0 && n >= length) return n;
    if (rc != 0) assert_int_equal(rc, MIOW_EWOULDBLOCK);
    if (support_now_ms() > deadline)
      fail_msg("only %llu of %llu bytes arrived", (unsigned long long)n,
               (unsigned long long)length);
    support_sleep_ms(2);
  }
}

size_t net_recv_from(miow_source *src, void *buffer, size_t length, char from[MIOW_ADDRESS_SIZE]) {
  double deadline = support_now_ms() + NET_WAIT_MS;
  for (;;) {
    size_t n = 0;
    int32_t rc = miow_udp_recv_from(src, buffer, length, &n, from, MIOW_ADDRESS_SIZE);
    if (rc == 0) return n;
    assert_int_equal(rc, MIOW_EWOULDBLOCK);
    if (support_now_ms() > deadline) fail_msg("no datagram arrived");
    support_sleep_ms(2);
  }
}

/* ---- named pipes (miow/pipe.h) ---- */

void pipe_unique_name(char out[PIPE_NAME_SIZE]) {
  static unsigned counter;
  snprintf(out, PIPE_NAME_SIZE, "\\\\.\\pipe\\miow-test-%lu-%u", support_process_id(), ++counter);
}

bool support_pipes_tie_to_first_selector(void) { return support_is_windows(); }

/* TCP through sockets the library creates: listeners, connects, edge re-arming by the I/O calls,
 * peeking, closing and resets, vectored I/O, options and address text (mio's tcp,
 * tcp_listener and tcp_stream suites). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static miow_selector *sel;

/* A pair whose client end is registered with `sel` under token 1. */
static void registered_pair(uint32_t interests, miow_source **client, miow_source **server) {
  net_tcp_pair("127.0.0.1:0", client, server);
  assert_int_equal(miow_source_register(*client, sel, 1, interests), 0);
}

/* Writes until the call would block; returns the bytes it took. */
static size_t write_until_would_block(miow_source *src) {
  static char chunk[65536];
  size_t total = 0;
  for (;;) {
    size_t sent = 0;
    int32_t rc = miow_source_write(src, chunk, sizeof chunk, &sent);
    if (rc == MIOW_EWOULDBLOCK) return total;
    assert_int_equal(rc, 0);
    assert_true(sent > 0 && sent <= sizeof chunk);
    total += sent;
  }
}

/* Writes until would-block and then until the registration under token 1 stays quiet for
 * 300 ms; returns the bytes taken. A kernel may find room again after a would-block (Linux
 * grows a send buffer as the peer's window opens) and then rightly reports WRITABLE: such a
 * report must come with real room, which is filled in turn. A report with no room is spurious
 * and fails the test. */
static size_t fill_until_quiet(miow_source *src) {
  size_t total = write_until_would_block(src);
  for (int round = 0; round < 50; round++) {
    if (!(poll_once(sel, 1, 300) & MIOW_WRITABLE)) return total;
    size_t more = write_until_would_block(src);
    assert_true(more > 0);
    total += more;
  }
  fail_msg("the send buffer never stayed full");
  return total;
}

/* Reads and discards exactly `total` bytes. */
static void drain(miow_source *src, size_t total) {
  static char chunk[65536];
  while (total > 0) {
    size_t n = total < sizeof chunk ? total : sizeof chunk;
    net_read_exact(src, chunk, n);
    total -= n;
  }
}

/* ---- listeners ---- */

static void test_accept_until_would_block_then_a_new_connection_reports_once(void **state) {
  (void)state;
  enum { N = 3 };
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  assert_int_equal(miow_source_register(listener, sel, 1, MIOW_READABLE | MIOW_EDGE), 0);
  miow_source *clients[N + 1], *accepted[N + 1];
  for (int i = 0; i < N; i++) {
    assert_int_equal(miow_tcp_connect(&clients[i], address), 0);
    net_wait_connected(clients[i]);
  }
  support_sleep_ms(50); /* every connection is queued on the listener now */
  assert_int_equal(poll_until(sel, 1, MIOW_READABLE, 5000), MIOW_READABLE);
  for (int i = 0; i < N; i++) assert_int_equal(miow_tcp_accept(listener, &accepted[i], NULL, 0), 0);
  miow_source *none = NULL;
  assert_int_equal(miow_tcp_accept(listener, &none, NULL, 0), MIOW_EWOULDBLOCK);
  assert_null(none);
  /* The would-block re-armed the listener, but there is nothing to report. */
  expect_silence(sel, 1, 300);
  assert_int_equal(miow_tcp_connect(&clients[N], address), 0);
  assert_int_equal(poll_until(sel, 1, MIOW_READABLE, 5000), MIOW_READABLE);
  expect_silence(sel, 1, 300); /* one connection, one event */
  assert_int_equal(miow_tcp_accept(listener, &accepted[N], NULL, 0), 0);
  assert_int_equal(miow_tcp_accept(listener, &none, NULL, 0), MIOW_EWOULDBLOCK);
  free_all(clients, N + 1);
  free_all(accepted, N + 1);
  assert_int_equal(miow_source_free(listener), 0);
}

static void test_deregistered_listener_reports_nothing(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  assert_int_equal(miow_source_register(listener, sel, 1, MIOW_READABLE | MIOW_EDGE), 0);
  assert_int_equal(poll_once(sel, 1, 0), 0);
  assert_int_equal(miow_source_deregister(listener, sel), 0);
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  net_wait_connected(client);
  expect_silence(sel, 1, 300);
  /* The connection is still there for a plain accept. */
  miow_source *accepted = net_accept(listener);
  assert_int_equal(miow_source_free(accepted), 0);
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(miow_source_free(listener), 0);
}

static void test_freed_listener_reports_nothing(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  assert_int_equal(miow_source_register(listener, sel, 1, MIOW_READABLE | MIOW_EDGE), 0);
  assert_int_equal(poll_once(sel, 1, 0), 0); /* its poll request is outstanding */
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  net_wait_connected(client); /* and now completed, or about to */
  assert_int_equal(miow_source_free(listener), 0);
  expect_silence(sel, 1, 300);
  assert_int_equal(miow_source_free(client), 0);
}

static void test_listening_on_an_address_in_use_fails(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *first = net_listen("127.0.0.1:0", address);
  miow_source *second = NULL;
  assert_int_equal(miow_tcp_listen(&second, address, 0), MIOW_EADDRINUSE);
  assert_null(second);
  /* The first listener is unharmed. */
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  miow_source *accepted = net_accept(first);
  assert_int_equal(miow_source_free(accepted), 0);
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(miow_source_free(first), 0);
}

static void test_accepted_stream_knows_both_addresses(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE], peer[MIOW_ADDRESS_SIZE], text[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  miow_source *client, *accepted = NULL;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  net_wait_connected(client);
  double deadline = support_now_ms() + 5000;
  int32_t rc;
  while ((rc = miow_tcp_accept(listener, &accepted, peer, sizeof peer)) == MIOW_EWOULDBLOCK &&
         support_now_ms() < deadline)
    support_sleep_ms(5);
  assert_int_equal(rc, 0);
  /* The peer reported by accept is the client's local address, and the other way round. */
  assert_int_equal(miow_source_local_address(client, text, sizeof text), 0);
  assert_string_equal(peer, text);
  assert_int_equal(miow_source_peer_address(accepted, text, sizeof text), 0);
  assert_string_equal(peer, text);
  assert_int_equal(miow_source_peer_address(client, text, sizeof text), 0);
  assert_string_equal(text, address);
  assert_int_equal(miow_source_local_address(accepted, text, sizeof text), 0);
  assert_string_equal(text, address);
  assert_int_equal(miow_source_free(accepted), 0);
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(miow_source_free(listener), 0);
}

static void test_accept_with_a_small_peer_buffer_is_refused_before_taking_the_connection(
    void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  net_wait_connected(client);
  char peer[4] = "abc";
  miow_source *accepted = NULL;
  /* The room is checked before anything is accepted, even with a connection waiting. */
  assert_int_equal(miow_tcp_accept(listener, &accepted, peer, sizeof peer), MIOW_EINVAL);
  assert_null(accepted);
  assert_string_equal(peer, "abc");
  /* The connection is still queued: the next accept with room takes it. */
  char full[MIOW_ADDRESS_SIZE];
  double deadline = support_now_ms() + 5000;
  int32_t rc;
  while ((rc = miow_tcp_accept(listener, &accepted, full, sizeof full)) == MIOW_EWOULDBLOCK &&
         support_now_ms() < deadline)
    support_sleep_ms(5);
  assert_int_equal(rc, 0);
  assert_non_null(accepted);
  assert_int_equal(miow_source_free(accepted), 0);
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(miow_source_free(listener), 0);
}

/* ---- connecting ---- */

static void test_connect_to_a_listener_reports_writable_without_error(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  assert_int_equal(miow_source_register(client, sel, 1, MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE),
                   0);
  uint32_t seen = poll_until(sel, 1, MIOW_WRITABLE, 5000);
  assert_true(seen & MIOW_WRITABLE);
  assert_false(seen & (MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED));
  int32_t error = -1, os_error = -1;
  assert_int_equal(miow_source_take_error(client, &error, &os_error), 0);
  assert_int_equal(error, 0);
  assert_int_equal(os_error, 0);
  char peer[MIOW_ADDRESS_SIZE];
  assert_int_equal(miow_source_peer_address(client, peer, sizeof peer), 0);
  assert_string_equal(peer, address);
  miow_source *accepted = net_accept(listener);
  assert_int_equal(miow_source_free(accepted), 0);
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(miow_source_free(listener), 0);
}

static void test_refused_connect_reports_error_and_take_error_gives_refused(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  net_loopback_address(address, support_unused_port());
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  assert_int_equal(miow_source_register(client, sel, 1, MIOW_WRITABLE | MIOW_EDGE), 0);
  /* Windows retries a refused SYN for about two seconds before failing the connect. */
  uint32_t seen = poll_until(sel, 1, MIOW_ERROR | MIOW_WRITE_CLOSED, 8000);
  assert_int_equal(seen & (MIOW_ERROR | MIOW_WRITE_CLOSED), MIOW_ERROR | MIOW_WRITE_CLOSED);
  int32_t error = 0, os_error = 0;
  assert_int_equal(miow_source_take_error(client, &error, &os_error), 0);
  assert_int_equal(error, MIOW_ECONNREFUSED);
  assert_int_not_equal(os_error, 0);
  /* Taking the error cleared it (SO_ERROR is read-and-clear on Windows and Linux). Wine 8
   * keeps answering SO_ERROR from its record of the failed connect, so there the error stays. */
  assert_int_equal(miow_source_take_error(client, &error, NULL), 0);
  if (support_is_windows() && error == MIOW_ECONNREFUSED) error = 0;
  assert_int_equal(error, 0);
  char peer[MIOW_ADDRESS_SIZE];
  assert_int_equal(miow_source_peer_address(client, peer, sizeof peer), MIOW_ENOTCONN);
  assert_int_equal(miow_source_free(client), 0);
}

/* ---- edge re-arming by the I/O calls ---- */

static void test_read_until_would_block_rearms_edge(void **state) {
  (void)state;
  miow_source *client, *server;
  registered_pair(MIOW_READABLE | MIOW_EDGE, &client, &server);
  for (int round = 0; round < 3; round++) {
    net_write_all(server, "hello", 5);
    expect_edge_read_round(sel, 1, client, "hello");
  }
  free_both(client, server);
}

static void test_write_until_would_block_rearms_edge(void **state) {
  (void)state;
  miow_source *client, *server;
  registered_pair(MIOW_WRITABLE | MIOW_EDGE, &client, &server);
  assert_true(poll_until(sel, 1, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  for (int round = 0; round < 2; round++) {
    /* The send buffer stays full, and the registration quiet, while the peer does not read. */
    size_t total = fill_until_quiet(client);
    assert_true(total > 0);
    drain(server, total);
    assert_true(poll_until(sel, 1, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  }
  free_both(client, server);
}

/* The would-block re-arms only the direction that blocked: a stream registered for both,
 * whose WRITABLE was reported and not re-armed, gets no new WRITABLE event after a drained read
 * (mio re-arms both, which costs an event and an AFD request per read). */
static void test_read_would_block_rearms_readable_only(void **state) {
  (void)state;
  miow_source *client, *server;
  registered_pair(MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE, &client, &server);
  assert_true(poll_until(sel, 1, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  char buf[64];
  for (int round = 0; round < 3; round++) {
    net_write_all(server, "hello", 5);
    uint32_t seen = poll_until(sel, 1, MIOW_READABLE, 5000);
    assert_true(seen & MIOW_READABLE);
    size_t n = 0;
    assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), 0);
    assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);
    expect_silence(sel, 1, 200);
  }
  /* WRITABLE comes back with its own would-block, or an explicit rearm. */
  assert_int_equal(miow_source_rearm(client), 0);
  assert_true(poll_until(sel, 1, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  free_both(client, server);
}

/* ---- peeking ---- */

static void test_successful_peek_leaves_the_bytes_for_read(void **state) {
  (void)state;
  miow_source *client, *server;
  registered_pair(MIOW_READABLE | MIOW_EDGE, &client, &server);
  net_write_all(server, "peekaboo", 8);
  assert_true(poll_until(sel, 1, MIOW_READABLE, 5000) & MIOW_READABLE);
  net_wait_queued(client, 8);
  char peeked[16], again[16], read[16];
  size_t n = 0;
  assert_int_equal(miow_source_peek(client, peeked, sizeof peeked, &n), 0);
  assert_int_equal(n, 8);
  assert_memory_equal(peeked, "peekaboo", 8);
  assert_int_equal(miow_source_peek(client, again, sizeof again, &n), 0);
  assert_int_equal(n, 8);
  assert_memory_equal(again, "peekaboo", 8);
  assert_int_equal(miow_source_read(client, read, sizeof read, &n), 0);
  assert_int_equal(n, 8);
  assert_memory_equal(read, "peekaboo", 8);
  assert_int_equal(miow_source_read(client, read, sizeof read, &n), MIOW_EWOULDBLOCK);
  /* The edge registration still works after the peeks. */
  net_write_all(server, "more", 4);
  assert_true(poll_until(sel, 1, MIOW_READABLE, 5000) & MIOW_READABLE);
  free_both(client, server);
}

static void test_peek_would_block_rearms_edge(void **state) {
  (void)state;
  miow_source *client, *server;
  registered_pair(MIOW_READABLE | MIOW_EDGE, &client, &server);
  net_write_all(server, "a", 1);
  assert_true(poll_until(sel, 1, MIOW_READABLE, 5000) & MIOW_READABLE);
  char buf[16];
  size_t n = 0;
  net_read_exact(client, buf, 1);
  /* Readable is consumed and the socket is empty: only the peek's would-block re-arms. */
  assert_int_equal(miow_source_peek(client, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);
  expect_silence(sel, 1, 200);
  net_write_all(server, "b", 1);
  assert_true(poll_until(sel, 1, MIOW_READABLE, 5000) & MIOW_READABLE);
  net_read_exact(client, buf, 1);
  assert_int_equal(buf[0], 'b');
  free_both(client, server);
}

/* ---- closing ---- */

static void test_peer_shutdown_reports_read_closed_and_read_gives_data_then_eof(void **state) {
  (void)state;
  miow_source *client, *server;
  registered_pair(MIOW_READABLE, &client, &server);
  net_write_all(server, "bye", 3);
  assert_int_equal(miow_source_shutdown(server, MIOW_SHUT_WRITE), 0);
  assert_true(poll_until(sel, 1, MIOW_READABLE, 5000) & MIOW_READABLE);
  char buf[16];
  net_read_exact(client, buf, 3);
  assert_memory_equal(buf, "bye", 3);
  /* Windows may report the FIN with the data; Wine only once the data is read. Level mode
   * reports it either way now that the data is gone. */
  uint32_t seen = poll_until(sel, 1, MIOW_READ_CLOSED, 5000);
  assert_true(seen & MIOW_READ_CLOSED);
  assert_false(seen & (MIOW_WRITE_CLOSED | MIOW_ERROR));
  size_t n = 99;
  assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), 0);
  assert_int_equal(n, 0);
  assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), 0); /* and stays at the end */
  assert_int_equal(n, 0);
  /* Only the server's sending side is shut: it still reads what the client writes. */
  net_write_all(client, "ok", 2);
  net_read_exact(server, buf, 2);
  assert_memory_equal(buf, "ok", 2);
  free_both(client, server);
}

static void test_peer_shutdown_reports_read_closed_in_edge_mode(void **state) {
  (void)state;
  miow_source *client, *server;
  registered_pair(MIOW_READABLE | MIOW_EDGE, &client, &server);
  assert_int_equal(miow_source_shutdown(server, MIOW_SHUT_WRITE), 0);
  uint32_t seen = poll_until(sel, 1, MIOW_READ_CLOSED, 5000);
  assert_int_equal(seen & (MIOW_READABLE | MIOW_READ_CLOSED), MIOW_READABLE | MIOW_READ_CLOSED);
  char buf[4];
  size_t n = 99;
  assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), 0);
  assert_int_equal(n, 0);
  free_both(client, server);
}

static void test_peer_reset_reports_both_closed_and_read_gives_reset(void **state) {
  (void)state;
  uint16_t port;
  miow_socket_t raw_listener = support_listener(&port);
  char address[MIOW_ADDRESS_SIZE];
  net_loopback_address(address, port);
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  miow_socket_t raw_server = support_accept(raw_listener);
  support_close(raw_listener);
  net_wait_connected(client);
  assert_int_equal(miow_source_register(client, sel, 1, MIOW_READABLE | MIOW_WRITABLE), 0);
  support_close_reset(raw_server);
  /* No data is queued, so Wine reports the reset at once, as Windows does. */
  uint32_t seen = poll_until(sel, 1, MIOW_READ_CLOSED | MIOW_WRITE_CLOSED, 5000);
  assert_int_equal(seen & (MIOW_READ_CLOSED | MIOW_WRITE_CLOSED),
                   MIOW_READ_CLOSED | MIOW_WRITE_CLOSED);
  char buf[16];
  size_t n = 99;
  int32_t rc = miow_source_read(client, buf, sizeof buf, &n);
  if (support_is_windows() && rc == 0) {
    /* Wine 8's recv() after a reset returns 0 (end of stream) where Windows fails it with
     * WSAECONNRESET: wineserver reads the host socket's error while polling, which clears it. */
    assert_int_equal(n, 0);
  } else {
    assert_int_equal(rc, MIOW_ECONNRESET);
  }
  /* Writing on the dead connection fails with the code io.h gives a reset on every backend
   * (Linux's EPIPE, after the read took the reset, included). */
  rc = miow_source_write(client, "x", 1, &n);
  assert_int_equal(rc, MIOW_ECONNRESET);
  assert_int_equal(miow_source_free(client), 0);
}

static void test_write_after_local_shutdown_both_fails(void **state) {
  (void)state;
  miow_source *client, *server;
  net_tcp_pair("127.0.0.1:0", &client, &server);
  assert_int_equal(miow_source_shutdown(client, MIOW_SHUT_BOTH), 0);
  size_t sent = 99;
  int32_t rc = miow_source_write(client, "x", 1, &sent);
  /* One code on every backend (io.h), where Windows says WSAECONNABORTED after SD_BOTH. */
  assert_int_equal(rc, MIOW_ESHUTDOWN);
  /* The peer sees the end of stream. */
  char buf[4];
  assert_int_equal(net_read_to_eof(server, buf, sizeof buf), 0);
  free_both(client, server);
}

/* io.h: after this side's MIOW_SHUT_READ a read returns end of stream (0 bytes) on every
 * backend. Winsock fails it with WSAESHUTDOWN, which read as MIOW_ESHUTDOWN on Windows while
 * Linux read 0; the Windows backend now reads it as the end of stream, as Rust's std does. */
static void test_read_after_local_shutdown_read_is_end_of_stream(void **state) {
  (void)state;
  miow_source *client, *server;
  net_tcp_pair("127.0.0.1:0", &client, &server);
  assert_int_equal(miow_source_shutdown(client, MIOW_SHUT_READ), 0);
  char buf[4];
  miow_buffer vec[] = {{buf, sizeof buf}};
  for (int i = 0; i < 2; i++) {
    size_t n = 99;
    assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), 0);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(miow_source_peek(client, buf, sizeof buf, &n), 0);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(miow_source_readv(client, vec, 1, &n), 0);
    assert_int_equal(n, 0);
  }
  /* Writing still works. */
  net_write_all(client, "w", 1);
  net_read_exact(server, buf, 1);
  assert_int_equal(buf[0], 'w');
  free_both(client, server);
}

static void test_local_shutdown_write_sends_eof_and_keeps_reading(void **state) {
  (void)state;
  miow_source *client, *server;
  net_tcp_pair("127.0.0.1:0", &client, &server);
  net_write_all(client, "last", 4);
  assert_int_equal(miow_source_shutdown(client, MIOW_SHUT_WRITE), 0);
  char buf[16];
  assert_int_equal(net_read_to_eof(server, buf, sizeof buf), 4);
  assert_memory_equal(buf, "last", 4);
  net_write_all(server, "reply", 5);
  net_read_exact(client, buf, 5);
  assert_memory_equal(buf, "reply", 5);
  free_both(client, server);
}

static void test_free_after_write_delivers_every_byte_then_eof(void **state) {
  (void)state;
  enum { LIMIT = 1 << 20 };
  miow_source *client, *server;
  net_tcp_pair("127.0.0.1:0", &client, &server);
  unsigned char *data = malloc(LIMIT);
  unsigned char *got = malloc(LIMIT + 1);
  assert_non_null(data);
  assert_non_null(got);
  for (size_t i = 0; i < LIMIT; i++) data[i] = (unsigned char)(i * 7 + i / 251);
  /* As much as the send buffers take without blocking, most of it still unsent at the free. */
  size_t total = 0;
  while (total < LIMIT) {
    size_t sent = 0;
    int32_t rc = miow_source_write(client, data + total, LIMIT - total, &sent);
    if (rc == MIOW_EWOULDBLOCK) break;
    assert_int_equal(rc, 0);
    total += sent;
  }
  assert_true(total > 0);
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(net_read_to_eof(server, got, LIMIT + 1), total);
  assert_memory_equal(got, data, total);
  free(data);
  free(got);
  assert_int_equal(miow_source_free(server), 0);
}

/* ---- vectored I/O ---- */

static void test_writev_and_readv_move_bytes_in_order(void **state) {
  (void)state;
  miow_source *client, *server;
  net_tcp_pair("127.0.0.1:0", &client, &server);
  char a[] = "abc", b[] = "defgh", c[] = "ij";
  const miow_buffer out[] = {{a, 3}, {NULL, 0}, {b, 5}, {c, 2}};
  size_t sent = 0;
  assert_int_equal(miow_source_writev(client, out, 4, &sent), 0);
  assert_int_equal(sent, 10);
  assert_int_equal(net_wait_queued(server, 10), 10);
  char x[4], y[3], z[8];
  memset(z, 0, sizeof z);
  const miow_buffer in[] = {{x, sizeof x}, {NULL, 0}, {y, sizeof y}, {z, sizeof z}};
  size_t received = 0;
  assert_int_equal(miow_source_readv(server, in, 4, &received), 0);
  assert_int_equal(received, 10);
  assert_memory_equal(x, "abcd", 4);
  assert_memory_equal(y, "efg", 3);
  assert_memory_equal(z, "hij", 3);
  assert_int_equal(miow_source_readv(server, in, 4, &received), MIOW_EWOULDBLOCK);
  free_both(client, server);
}

static void test_writev_takes_buffers_max_buffers(void **state) {
  (void)state;
  miow_source *client, *server;
  net_tcp_pair("127.0.0.1:0", &client, &server);
  static unsigned char bytes[MIOW_BUFFERS_MAX], got[MIOW_BUFFERS_MAX];
  static miow_buffer buffers[MIOW_BUFFERS_MAX];
  for (size_t i = 0; i < MIOW_BUFFERS_MAX; i++) {
    bytes[i] = (unsigned char)(i * 13);
    buffers[i].data = &bytes[i];
    buffers[i].length = 1;
  }
  size_t sent = 0;
  assert_int_equal(miow_source_writev(client, buffers, MIOW_BUFFERS_MAX, &sent), 0);
  assert_int_equal(sent, MIOW_BUFFERS_MAX);
  net_read_exact(server, got, sizeof got);
  assert_memory_equal(got, bytes, sizeof got);
  free_both(client, server);
}

/* ---- options ---- */

static void test_stream_and_listener_options_read_back_what_was_set(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  miow_source *client, *server;
  net_tcp_pair("127.0.0.1:0", &client, &server);
  int32_t value = -1;
  for (int32_t on = 1; on >= 0; on--) {
    assert_int_equal(miow_source_set_option(client, MIOW_OPT_NODELAY, on), 0);
    assert_int_equal(miow_source_get_option(client, MIOW_OPT_NODELAY, &value), 0);
    assert_int_equal(value, on);
  }
  miow_source *each[] = {listener, client, server};
  const int32_t ttls[] = {1, 42, 255};
  for (size_t i = 0; i < 3; i++) {
    for (size_t j = 0; j < 3; j++) {
      assert_int_equal(miow_source_set_option(each[i], MIOW_OPT_TTL, ttls[j]), 0);
      assert_int_equal(miow_source_get_option(each[i], MIOW_OPT_TTL, &value), 0);
      assert_int_equal(value, ttls[j]);
    }
  }
  free_all(each, 3);
}

static void test_ipv6_only_is_on_and_fixed_once_bound(void **state) {
  (void)state;
  if (!net_ipv6_available()) return;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("[::1]:0", address);
  int32_t value = -1;
  assert_int_equal(miow_source_get_option(listener, MIOW_OPT_ONLY_V6, &value), 0);
  assert_int_equal(value, 1);
  /* net.h: set at creation, so a bound socket refuses the change, with the OS's code. */
  assert_true(miow_source_set_option(listener, MIOW_OPT_ONLY_V6, 0) < 0);
  assert_int_equal(miow_source_get_option(listener, MIOW_OPT_ONLY_V6, &value), 0);
  assert_int_equal(value, 1);
  /* The hop limit is the IPv6 TTL. */
  assert_int_equal(miow_source_set_option(listener, MIOW_OPT_TTL, 17), 0);
  assert_int_equal(miow_source_get_option(listener, MIOW_OPT_TTL, &value), 0);
  assert_int_equal(value, 17);
  assert_int_equal(miow_source_free(listener), 0);
}

/* ---- address text ---- */

/* "127.0.0.1:NNNN" or "[::1]:NNNN" with a port other than 0. */
static void expect_loopback_text(const char *text, const char *host) {
  size_t len = strlen(host);
  assert_true(strncmp(text, host, len) == 0);
  assert_int_equal(text[len], ':');
  assert_int_not_equal(net_port(text), 0);
}

static void test_loopback_addresses_listen_on_os_chosen_ports(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  expect_loopback_text(address, "127.0.0.1");
  assert_int_equal(miow_source_free(listener), 0);
  if (!net_ipv6_available()) return;
  listener = net_listen("[::1]:0", address);
  expect_loopback_text(address, "[::1]");
  miow_source *client, *server;
  net_tcp_pair("[::1]:0", &client, &server);
  char text[MIOW_ADDRESS_SIZE];
  assert_int_equal(miow_source_peer_address(server, text, sizeof text), 0);
  expect_loopback_text(text, "[::1]");
  net_write_all(client, "v6", 2);
  char buf[2];
  net_read_exact(server, buf, 2);
  assert_memory_equal(buf, "v6", 2);
  miow_source *all[] = {listener, client, server};
  free_all(all, 3);
}

static void test_bad_address_text_is_invalid(void **state) {
  (void)state;
  const char *bad[] = {"",
                       "127.0.0.1",
                       "1.2.3.4:99999",
                       "[::1",
                       "localhost:80",
                       "::1:80",
                       "1.2.3.4:80x",
                       "[::1]",
                       "1.2.3.4:",
                       "256.0.0.1:80",
                       " 127.0.0.1:80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    miow_source *out = NULL;
    if (miow_tcp_listen(&out, bad[i], 0) != MIOW_EINVAL) fail_msg("listen accepted \"%s\"", bad[i]);
    assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EINVAL));
    if (miow_tcp_connect(&out, bad[i]) != MIOW_EINVAL) fail_msg("connect accepted \"%s\"", bad[i]);
    assert_null(out);
  }
}

static void test_address_buffer_must_hold_the_text_and_its_nul(void **state) {
  (void)state;
  char address[MIOW_ADDRESS_SIZE];
  miow_source *client, *server;
  miow_source *listener = net_listen("127.0.0.1:0", address);
  net_tcp_pair("127.0.0.1:0", &client, &server);
  size_t len = strlen(address);
  char small[MIOW_ADDRESS_SIZE];
  memset(small, '#', sizeof small);
  assert_int_equal(miow_source_local_address(listener, small, len), MIOW_EINVAL);
  for (size_t i = 0; i < sizeof small; i++) assert_int_equal(small[i], '#'); /* untouched */
  assert_int_equal(miow_source_local_address(listener, small, 0), MIOW_EINVAL);
  assert_int_equal(miow_source_local_address(listener, small, len + 1), 0);
  assert_string_equal(small, address);
  char peer[MIOW_ADDRESS_SIZE];
  assert_int_equal(miow_source_peer_address(client, peer, sizeof peer), 0);
  memset(small, '#', sizeof small);
  assert_int_equal(miow_source_peer_address(client, small, strlen(peer)), MIOW_EINVAL);
  for (size_t i = 0; i < sizeof small; i++) assert_int_equal(small[i], '#');
  assert_int_equal(miow_source_peer_address(client, small, strlen(peer) + 1), 0);
  assert_string_equal(small, peer);
  miow_source *all[] = {listener, client, server};
  free_all(all, 3);
}

/* Each test gets a fresh selector in `sel`. */
#define T(name)                                                          \
  cmocka_unit_test_prestate_setup_teardown(name, support_selector_setup, \
                                           support_selector_teardown, &sel)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_accept_until_would_block_then_a_new_connection_reports_once),
      T(test_deregistered_listener_reports_nothing),
      T(test_freed_listener_reports_nothing),
      T(test_listening_on_an_address_in_use_fails),
      T(test_accepted_stream_knows_both_addresses),
      T(test_accept_with_a_small_peer_buffer_is_refused_before_taking_the_connection),
      T(test_connect_to_a_listener_reports_writable_without_error),
      T(test_refused_connect_reports_error_and_take_error_gives_refused),
      T(test_read_until_would_block_rearms_edge),
      T(test_write_until_would_block_rearms_edge),
      T(test_read_would_block_rearms_readable_only),
      T(test_successful_peek_leaves_the_bytes_for_read),
      T(test_peek_would_block_rearms_edge),
      T(test_peer_shutdown_reports_read_closed_and_read_gives_data_then_eof),
      T(test_peer_shutdown_reports_read_closed_in_edge_mode),
      T(test_peer_reset_reports_both_closed_and_read_gives_reset),
      T(test_write_after_local_shutdown_both_fails),
      T(test_read_after_local_shutdown_read_is_end_of_stream),
      T(test_local_shutdown_write_sends_eof_and_keeps_reading),
      T(test_free_after_write_delivers_every_byte_then_eof),
      T(test_writev_and_readv_move_bytes_in_order),
      T(test_writev_takes_buffers_max_buffers),
      T(test_stream_and_listener_options_read_back_what_was_set),
      T(test_ipv6_only_is_on_and_fixed_once_bound),
      T(test_loopback_addresses_listen_on_os_chosen_ports),
      T(test_bad_address_text_is_invalid),
      T(test_address_buffer_must_hold_the_text_and_its_nul),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

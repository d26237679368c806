/* Named pipes as sources: connecting, moving bytes, closing, registration rules, events that
 * follow interests and tokens, release while I/O is outstanding, and misuse (mio's
 * win_named_pipe suite plus the pipe contract of miow/pipe.h). The same file runs against
 * every backend, so it names no platform. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* How long a helper waits for a pipe to make progress before it fails the test. */
#define PIPE_WAIT_MS 10000.0

/* The tokens of a pair's two ends in `sel`. */
enum { SERVER = 1, CLIENT = 2 };
/* For collect(): no token is forbidden. */
#define NO_TOKEN UINT64_MAX

static miow_selector *sel;

/* ---- helpers ---- */

/* A server under a fresh name, registered with `server_sel` under SERVER, and a client opened
 * on it and registered with `client_sel` under CLIENT; the server has accepted it. */
static void connected_pair_on(miow_selector *server_sel, uint32_t server_interests,
                              miow_selector *client_sel, uint32_t client_interests,
                              miow_source **server, miow_source **client) {
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  assert_int_equal(miow_pipe_create(server, name, 0), 0);
  assert_int_equal(miow_source_register(*server, server_sel, SERVER, server_interests), 0);
  assert_int_equal(miow_pipe_open(client, name), 0);
  assert_int_equal(miow_source_register(*client, client_sel, CLIENT, client_interests), 0);
  /* The client is there already, so the accept succeeds at once (pipe.h). */
  assert_int_equal(miow_pipe_connect(*server), 0);
}

static void connected_pair(uint32_t server_interests, uint32_t client_interests,
                           miow_source **server, miow_source **client) {
  connected_pair_on(sel, server_interests, sel, client_interests, server, client);
}

/* A server under a fresh name and a client opened on it: neither is registered, and the server
 * has not accepted the client. */
static void open_pair(miow_source **server, miow_source **client) {
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  assert_int_equal(miow_pipe_create(server, name, 0), 0);
  assert_int_equal(miow_pipe_open(client, name), 0);
}

/* A server under a fresh name (written to `name`), registered with `sel` under SERVER for
 * `interests`, whose connect would block because no client has opened the pipe yet. */
static miow_source *pending_server(char name[PIPE_NAME_SIZE], uint32_t interests) {
  miow_source *server;
  pipe_unique_name(name);
  assert_int_equal(miow_pipe_create(&server, name, 0), 0);
  assert_int_equal(miow_source_register(server, sel, SERVER, interests), 0);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK);
  return server;
}

static void free_pair(miow_source *server, miow_source *client) {
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(miow_source_free(server), 0);
}

/* One short poll of `in`. A pipe's reads and writes finish through its selector (on Windows,
 * as completions on the port), so a test that waits for pipe I/O polls while it waits. */
static void pump(miow_selector *in) { (void)poll_once(in, 0, 10); }

/* A byte of the test pattern of stream `stream` at `offset`: no two nearby offsets or streams
 * share a run of bytes, so a lost, repeated or misplaced chunk shows. */
static uint8_t pattern_byte(size_t stream, size_t offset) {
  uint32_t x = (uint32_t)offset * 2654435761u + (uint32_t)stream * 40503u;
  return (uint8_t)(x >> 24);
}

static void pattern_fill(uint8_t *buffer, size_t stream, size_t offset, size_t length) {
  for (size_t i = 0; i < length; i++) buffer[i] = pattern_byte(stream, offset + i);
}

/* Writes all `length` bytes, polling `in` while the pipe would block. */
static void pipe_write_all(miow_selector *in, miow_source *src, const void *data, size_t length) {
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  size_t done = 0;
  while (done < length) {
    size_t n = 0;
    int32_t rc = miow_source_write(src, (const char *)data + done, length - done, &n);
    if (rc == MIOW_EWOULDBLOCK) {
      if (support_now_ms() > deadline)
        fail_msg("wrote %llu of %llu bytes", (unsigned long long)done, (unsigned long long)length);
      pump(in);
      continue;
    }
    assert_int_equal(rc, 0);
    assert_true(n > 0 && n <= length - done);
    done += n;
  }
}

/* Reads exactly `length` bytes, at most `chunk` per call, polling `in` while the pipe would
 * block; fails at end of stream. */
static void pipe_read_exact(miow_selector *in, miow_source *src, void *buffer, size_t length,
                            size_t chunk) {
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  size_t got = 0;
  while (got < length) {
    size_t want = length - got < chunk ? length - got : chunk;
    size_t n = 0;
    int32_t rc = miow_source_read(src, (char *)buffer + got, want, &n);
    if (rc == MIOW_EWOULDBLOCK) {
      if (support_now_ms() > deadline)
        fail_msg("read %llu of %llu bytes", (unsigned long long)got, (unsigned long long)length);
      pump(in);
      continue;
    }
    assert_int_equal(rc, 0);
    if (n == 0)
      fail_msg("end of stream after %llu of %llu bytes", (unsigned long long)got,
               (unsigned long long)length);
    assert_true(n <= want);
    got += n;
  }
}

/* Reads until end of stream, polling `in` while the pipe would block; returns the byte count
 * and fails if more than `capacity` bytes arrive. */
static size_t pipe_read_to_eof(miow_selector *in, miow_source *src, void *buffer, size_t capacity) {
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  size_t got = 0;
  for (;;) {
    char spare[1];
    bool full = got == capacity;
    size_t n = 0;
    int32_t rc = full ? miow_source_read(src, spare, sizeof spare, &n)
                      : miow_source_read(src, (char *)buffer + got, capacity - got, &n);
    if (rc == MIOW_EWOULDBLOCK) {
      if (support_now_ms() > deadline)
        fail_msg("no end of stream after %llu bytes", (unsigned long long)got);
      pump(in);
      continue;
    }
    assert_int_equal(rc, 0);
    if (n == 0) return got;
    if (full) fail_msg("more than %llu bytes before the end of stream", (unsigned long long)got);
    got += n;
  }
}

/* Writes `text` to `from` and reads exactly it back from `to`, polling `sel` while either would
 * block. */
static void pipe_send_and_check(miow_source *from, miow_source *to, const char *text) {
  size_t length = strlen(text);
  char buf[16];
  assert_true(length <= sizeof buf);
  pipe_write_all(sel, from, text, length);
  pipe_read_exact(sel, to, buf, length, length);
  assert_memory_equal(buf, text, length);
}

/* Polls `in` for about `ms` and returns the readiness reported for `token`, OR-ed; fails if
 * the token `never` is reported at all (NO_TOKEN: nothing is forbidden). */
static uint32_t collect(miow_selector *in, uint64_t token, uint64_t never, int64_t ms) {
  double deadline = support_now_ms() + (double)ms;
  uint32_t seen = 0;
  for (;;) {
    double left = deadline - support_now_ms();
    if (left <= 0) return seen;
    miow_event events[64];
    size_t count = 0;
    assert_int_equal(miow_selector_poll(in, events, 64, &count, (int64_t)left + 1), 0);
    for (size_t i = 0; i < count; i++) {
      if (events[i].token == never)
        fail_msg("token %llu reported 0x%x", (unsigned long long)never,
                 (unsigned)events[i].readiness);
      if (events[i].token == token) seen |= events[i].readiness;
    }
  }
}

/* ---- becoming writable ---- */

static void test_client_end_is_writable_right_after_register(void **state) {
  (void)state;
  miow_source *server, *client;
  open_pair(&server, &client);
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_WRITABLE | MIOW_EDGE), 0);
  uint32_t seen = poll_until(sel, CLIENT, MIOW_WRITABLE, 5000);
  assert_true(seen & MIOW_WRITABLE);
  assert_false(seen & (MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED));
  free_pair(server, client);
}

static void test_server_end_is_writable_right_after_connect(void **state) {
  (void)state;
  miow_source *server, *client;
  open_pair(&server, &client);
  assert_int_equal(miow_source_register(server, sel, SERVER, MIOW_WRITABLE | MIOW_EDGE), 0);
  assert_int_equal(miow_pipe_connect(server), 0);
  uint32_t seen = poll_until(sel, SERVER, MIOW_WRITABLE, 5000);
  assert_true(seen & MIOW_WRITABLE);
  assert_false(seen & (MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED));
  free_pair(server, client);
}

/* ---- connecting ---- */

static void test_connect_before_the_client_opens_would_block_then_reports_writable(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  miow_source *client;
  miow_source *server = pending_server(name, MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK); /* still outstanding */
  expect_silence(sel, SERVER, 200);                              /* nobody has come */
  assert_int_equal(miow_pipe_open(&client, name), 0);
  uint32_t seen = poll_until(sel, SERVER, MIOW_WRITABLE, 5000);
  assert_true(seen & MIOW_WRITABLE);
  assert_false(seen & (MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED));
  assert_int_equal(miow_pipe_connect(server), 0);
  int32_t error = -1, os_error = -1;
  assert_int_equal(miow_source_take_error(server, &error, &os_error), 0);
  assert_int_equal(error, 0);
  assert_int_equal(os_error, 0);
  /* The connection carries bytes. */
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_READABLE), 0);
  pipe_send_and_check(server, client, "hi");
  free_pair(server, client);
}

static void test_connect_after_the_client_opened_returns_zero(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *server, *client;
  assert_int_equal(miow_pipe_create(&server, name, 0), 0);
  assert_int_equal(miow_source_register(server, sel, SERVER, MIOW_READABLE | MIOW_EDGE), 0);
  assert_int_equal(miow_pipe_open(&client, name), 0);
  support_sleep_ms(50);
  /* "Returns 0 when a client is connected already" (pipe.h), not a would-block first. */
  assert_int_equal(miow_pipe_connect(server), 0);
  assert_int_equal(miow_pipe_connect(server), 0); /* and keeps saying so */
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_READABLE | MIOW_EDGE), 0);
  pipe_send_and_check(client, server, "abc");
  free_pair(server, client);
}

static void test_connect_twice_serves_a_second_client(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  uint32_t edge_rw = MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE;
  miow_source *first, *second;
  miow_source *server = pending_server(name, edge_rw);
  assert_int_equal(miow_pipe_open(&first, name), 0);
  assert_true(poll_until(sel, SERVER, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  assert_int_equal(miow_pipe_connect(server), 0);
  assert_int_equal(miow_source_register(first, sel, CLIENT, edge_rw), 0);
  pipe_send_and_check(first, server, "one");

  /* The first client leaves: the server reads the end of its stream. */
  assert_int_equal(miow_source_free(first), 0);
  char buf[8];
  assert_int_equal(pipe_read_to_eof(sel, server, buf, sizeof buf), 0);
  assert_int_equal(miow_pipe_disconnect(server), 0);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK);
  assert_int_equal(miow_pipe_open(&second, name), 0);
  uint32_t seen = poll_until(sel, SERVER, MIOW_WRITABLE, 5000);
  assert_true(seen & MIOW_WRITABLE);
  assert_false(seen & (MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED));
  assert_int_equal(miow_pipe_connect(server), 0);

  /* Nothing of the first connection is left over, and the second works both ways. */
  assert_int_equal(miow_source_register(second, sel, CLIENT + 1, edge_rw), 0);
  pipe_send_and_check(second, server, "two");
  pipe_send_and_check(server, second, "back");
  free_pair(server, second);
}

/* A server waiting for its client with readable interest only still hears the client's data:
 * the completed connect leads to a read (Windows), the arrival to a readable report (Linux). */
static void test_readable_only_server_waiting_for_a_client_reports_its_data(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  miow_source *client;
  miow_source *server = pending_server(name, MIOW_READABLE | MIOW_EDGE);
  assert_int_equal(miow_pipe_open(&client, name), 0);
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_WRITABLE), 0);
  pipe_write_all(sel, client, "hi", 2);
  /* Edge rule: after each readable report, read until would-block. */
  char buf[8];
  size_t got = 0;
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  while (got < 2) {
    if (support_now_ms() > deadline) fail_msg("the client's data was never reported");
    if (!(poll_once(sel, SERVER, 50) & MIOW_READABLE)) continue;
    size_t n;
    int32_t rc;
    while ((rc = miow_source_read(server, buf + got, sizeof buf - got, &n)) == 0 && n > 0) got += n;
    assert_true(rc == MIOW_EWOULDBLOCK || (rc == 0 && n == 0) || got == 2);
  }
  assert_memory_equal(buf, "hi", 2);
  free_pair(server, client);
}

/* A disconnect while the connect waits for a client is not an error, and the next connect
 * hears the next client. */
static void test_disconnect_while_connecting_then_connect_again(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  miow_source *client;
  miow_source *server = pending_server(name, MIOW_WRITABLE | MIOW_EDGE);
  assert_int_equal(miow_pipe_disconnect(server), 0);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK);
  pump(sel);
  assert_int_equal(miow_pipe_open(&client, name), 0);
  assert_true(poll_until(sel, SERVER, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  assert_int_equal(miow_pipe_connect(server), 0);
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_READABLE), 0);
  pipe_send_and_check(server, client, "ok");
  free_pair(server, client);
}

/* A client arrives while the connect waits, and the server disconnects before it polls (the
 * connect's completion is still on its way back); connecting again still serves a new client
 * rather than leaving the pipe busy for good. */
static void test_connect_after_a_disconnect_with_the_old_connect_in_flight(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  miow_source *first, *second = NULL;
  miow_source *server = pending_server(name, MIOW_WRITABLE | MIOW_EDGE);
  assert_int_equal(miow_pipe_open(&first, name), 0);
  assert_int_equal(miow_pipe_disconnect(server), 0);
  assert_int_equal(miow_source_free(first), 0);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK);
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  int32_t rc;
  while ((rc = miow_pipe_open(&second, name)) == MIOW_EPIPEBUSY) {
    if (support_now_ms() > deadline) fail_msg("the pipe stayed busy after connecting again");
    pump(sel);
  }
  assert_int_equal(rc, 0);
  assert_true(poll_until(sel, SERVER, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  assert_int_equal(miow_pipe_connect(server), 0);
  assert_int_equal(miow_source_register(second, sel, CLIENT, MIOW_READABLE), 0);
  pipe_send_and_check(server, second, "2nd");
  free_pair(server, second);
}

/* Freeing an end closes it at once: its peer, polled on another selector, reads the end of
 * stream without the freed end's selector ever being polled again. */
static void test_free_closes_at_once_without_polling_its_selector(void **state) {
  (void)state;
  miow_selector *other;
  assert_int_equal(miow_selector_new(&other), 0);
  miow_source *server, *client;
  connected_pair_on(sel, MIOW_READABLE, other, MIOW_READABLE, &server, &client);
  assert_int_equal(miow_source_free(client), 0); /* `other` is never polled after this */
  char buf[4];
  assert_int_equal(pipe_read_to_eof(sel, server, buf, sizeof buf), 0);
  assert_int_equal(miow_source_free(server), 0);
  assert_int_equal(miow_selector_free(other), 0);
}

/* ---- moving bytes ---- */

static void test_write_then_read_in_both_directions(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE | MIOW_EDGE, MIOW_READABLE | MIOW_EDGE, &server, &client);
  char buf[8];
  size_t n = 0;
  assert_int_equal(miow_source_write(server, "ping", 4, &n), 0);
  assert_int_equal(n, 4); /* a pipe write takes the whole buffer (pipe.h) */
  assert_true(poll_until(sel, CLIENT, MIOW_READABLE, 5000) & MIOW_READABLE);
  pipe_read_exact(sel, client, buf, 4, sizeof buf);
  assert_memory_equal(buf, "ping", 4);
  assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);

  assert_int_equal(miow_source_write(client, "pong", 4, &n), 0);
  assert_int_equal(n, 4);
  assert_true(poll_until(sel, SERVER, MIOW_READABLE, 5000) & MIOW_READABLE);
  pipe_read_exact(sel, server, buf, 4, sizeof buf);
  assert_memory_equal(buf, "pong", 4);
  assert_int_equal(miow_source_read(server, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);
  free_pair(server, client);
}

static void test_large_messages_arrive_intact_through_a_small_buffer(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE | MIOW_WRITABLE, MIOW_READABLE | MIOW_WRITABLE, &server, &client);
  static const size_t sizes[] = {8192, 10000};
  static uint8_t sent[10000], got[10000];
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t size = sizes[i];
    pattern_fill(sent, i, 0, size);
    memset(got, 0, sizeof got);
    pipe_write_all(sel, server, sent, size);
    pipe_read_exact(sel, client, got, size, 128);
    assert_memory_equal(got, sent, size);

    pattern_fill(sent, i + 10, 0, size);
    memset(got, 0, sizeof got);
    pipe_write_all(sel, client, sent, size);
    pipe_read_exact(sel, server, got, size, 128);
    assert_memory_equal(got, sent, size);
  }
  free_pair(server, client);
}

static void test_peek_leaves_the_bytes_for_read(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
  pipe_write_all(sel, server, "peekaboo", 8);
  assert_true(poll_until(sel, CLIENT, MIOW_READABLE, 5000) & MIOW_READABLE);
  char peeked[16], read[16];
  size_t n = 0;
  /* Stream semantics: the readable event may come with part of the bytes, so peek until all
   * eight are queued, then check that peeking consumed nothing. */
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  for (;;) {
    int32_t rc = miow_source_peek(client, peeked, sizeof peeked, &n);
    if (rc == 0 && n == 8) break;
    if (rc != 0) assert_int_equal(rc, MIOW_EWOULDBLOCK);
    if (support_now_ms() > deadline)
      fail_msg("only %llu of 8 bytes arrived", (unsigned long long)n);
    pump(sel);
  }
  assert_memory_equal(peeked, "peekaboo", 8);
  assert_int_equal(miow_source_peek(client, peeked, sizeof peeked, &n), 0);
  assert_int_equal(n, 8);
  assert_int_equal(miow_source_read(client, read, sizeof read, &n), 0);
  assert_int_equal(n, 8);
  assert_memory_equal(read, "peekaboo", 8);
  assert_int_equal(miow_source_peek(client, read, sizeof read, &n), MIOW_EWOULDBLOCK);
  free_pair(server, client);
}

static void test_vectored_io_moves_bytes_in_order(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
  char a[] = "vec", b[] = "", c[] = "tored";
  miow_buffer out[] = {{a, 3}, {b, 0}, {c, 5}};
  size_t n = 0;
  assert_int_equal(miow_source_writev(server, out, 3, &n), 0);
  assert_int_equal(n, 8);
  char x[2], y[6];
  miow_buffer in[] = {{x, sizeof x}, {y, sizeof y}};
  size_t got = 0;
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  while (got == 0) {
    int32_t rc = miow_source_readv(client, in, 2, &got);
    if (rc == MIOW_EWOULDBLOCK) {
      if (support_now_ms() > deadline) fail_msg("nothing arrived");
      pump(sel);
      continue;
    }
    assert_int_equal(rc, 0);
  }
  /* Scattered in order: the first buffer fills before the second gets anything. */
  assert_true(got <= 8);
  char all[8];
  memcpy(all, x, got < 2 ? got : 2);
  if (got > 2) memcpy(all + 2, y, got - 2);
  if (got < 8) pipe_read_exact(sel, client, all + got, 8 - got, 8);
  assert_memory_equal(all, "vectored", 8);
  free_pair(server, client);
}

/* ---- the other end going away ---- */

static void test_write_to_a_freed_client_fails_with_broken_pipe(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE | MIOW_WRITABLE, MIOW_READABLE, &server, &client);
  assert_int_equal(miow_source_free(client), 0);
  /* The close reaches the server asynchronously: writes may still be taken for a while, but
   * one of the next hundred (with polls in between) reports the broken pipe. */
  int32_t rc = 0;
  for (int tries = 0; tries < 100; tries++) {
    size_t n = 0;
    rc = miow_source_write(server, "x", 1, &n);
    if (rc == MIOW_EPIPE) break;
    if (rc != MIOW_EWOULDBLOCK) assert_int_equal(rc, 0);
    (void)poll_once(sel, SERVER, 20);
  }
  assert_int_equal(rc, MIOW_EPIPE);
  assert_int_equal(miow_source_free(server), 0);
}

static void test_server_writes_then_frees_and_the_client_reads_everything_then_eof(void **state) {
  (void)state;
  enum { SIZE = 64 * 1024 };
  miow_source *server, *client;
  connected_pair(MIOW_WRITABLE, MIOW_READABLE, &server, &client);
  static uint8_t sent[SIZE], got[SIZE];
  pattern_fill(sent, 1, 0, SIZE);
  /* More than the pipe's buffers hold, so the last write is still in flight at the free. */
  pipe_write_all(sel, server, sent, SIZE);
  assert_int_equal(miow_source_free(server), 0);
  assert_int_equal(pipe_read_to_eof(sel, client, got, SIZE), SIZE);
  assert_memory_equal(got, sent, SIZE);
  size_t n = 99;
  assert_int_equal(miow_source_read(client, got, sizeof got, &n), 0); /* and stays at the end */
  assert_int_equal(n, 0);
  assert_int_equal(miow_source_free(client), 0);
}

static void test_client_writes_then_frees_and_the_server_reads_everything_then_eof(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_WRITABLE, &server, &client);
  pipe_write_all(sel, client, "\x01\x02\x03\x04", 4);
  assert_int_equal(miow_source_free(client), 0);
  char got[16];
  assert_int_equal(pipe_read_to_eof(sel, server, got, sizeof got), 4);
  assert_memory_equal(got, "\x01\x02\x03\x04", 4);
  assert_int_equal(miow_source_free(server), 0);
}

/* pipe.h: once the peer has closed, reads return 0 bytes. A client whose server disconnected
 * it (rather than freeing its end) is told so by Windows with ERROR_PIPE_NOT_CONNECTED, which
 * read as MIOW_EPIPE on every read before it counted as the end of stream; so did a read
 * issued after the free. Both are checked, each read several times (the end stays). */
static void expect_client_at_end_of_stream(miow_source *client) {
  char buf[8];
  size_t n = 99;
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  int32_t rc;
  while ((rc = miow_source_read(client, buf, sizeof buf, &n)) == MIOW_EWOULDBLOCK) {
    if (support_now_ms() > deadline) fail_msg("the client never saw the end of stream");
    pump(sel);
  }
  for (int i = 0; i < 3; i++) {
    assert_int_equal(rc, 0);
    assert_int_equal(n, 0);
    n = 99;
    rc = miow_source_read(client, buf, sizeof buf, &n);
  }
  miow_buffer vec[] = {{buf, sizeof buf}};
  assert_int_equal(miow_source_readv(client, vec, 1, &n), 0);
  assert_int_equal(n, 0);
  assert_int_equal(miow_source_peek(client, buf, sizeof buf, &n), 0);
  assert_int_equal(n, 0);
}

static void test_client_reads_end_of_stream_after_the_server_disconnects(void **state) {
  (void)state;
  for (int outstanding = 0; outstanding < 2; outstanding++) {
    miow_source *server, *client;
    connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
    pipe_send_and_check(server, client, "last");
    size_t n;
    char buf[4];
    /* With a read outstanding at the disconnect, or issued only after it. */
    if (outstanding) assert_int_equal(miow_source_read(client, buf, 4, &n), MIOW_EWOULDBLOCK);
    assert_int_equal(miow_pipe_disconnect(server), 0);
    expect_client_at_end_of_stream(client);
    free_pair(server, client);
  }
}

static void test_client_reads_end_of_stream_after_the_server_is_freed(void **state) {
  (void)state;
  for (int outstanding = 0; outstanding < 2; outstanding++) {
    miow_source *server, *client;
    connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
    size_t n;
    char buf[4];
    if (outstanding) assert_int_equal(miow_source_read(client, buf, 4, &n), MIOW_EWOULDBLOCK);
    assert_int_equal(miow_source_free(server), 0);
    expect_client_at_end_of_stream(client);
    assert_int_equal(miow_source_free(client), 0);
  }
}

/* ---- calls after the selector was freed ---- */

/* pipe.h: once the selector a pipe's I/O completes on is freed, the calls that would start I/O
 * (connect, read, peek, write and their vectored forms) and rearm return MIOW_ECLOSED on every
 * backend, without starting anything that nobody could ever see complete; disconnect,
 * take_error, miow_source_socket() and free keep working. (Linux once returned MIOW_ECLOSED
 * only for some of them, Windows 0 or would-block forever.) */
static void expect_pipe_calls_closed(miow_source *p, bool server, bool registered) {
  char buf[4];
  miow_buffer vec[] = {{buf, sizeof buf}};
  size_t n = 99;
  assert_int_equal(miow_source_read(p, buf, sizeof buf, &n), MIOW_ECLOSED);
  assert_int_equal(miow_source_peek(p, buf, sizeof buf, &n), MIOW_ECLOSED);
  assert_int_equal(miow_source_readv(p, vec, 1, &n), MIOW_ECLOSED);
  assert_int_equal(miow_source_write(p, "x", 1, &n), MIOW_ECLOSED);
  assert_int_equal(miow_source_writev(p, vec, 1, &n), MIOW_ECLOSED);
  assert_int_equal(n, 99);
  /* Not registered any more, rearm has nothing to re-arm (source.h) either way. */
  assert_int_equal(miow_source_rearm(p), registered ? MIOW_ECLOSED : MIOW_ENOENT);
  if (server) assert_int_equal(miow_pipe_connect(p), MIOW_ECLOSED);
  int32_t error = -1;
  assert_int_equal(miow_source_take_error(p, &error, NULL), 0);
  miow_socket_t handle = 0;
  assert_int_equal(miow_source_socket(p, &handle), 0);
  if (server) {
    assert_int_equal(miow_pipe_disconnect(p), 0);
    assert_int_equal(miow_pipe_connect(p), MIOW_ECLOSED);
  }
}

static void test_pipe_calls_after_their_selector_is_freed_give_eclosed(void **state) {
  (void)state;
  for (int deregistered = 0; deregistered < 2; deregistered++) {
    miow_selector *own;
    assert_int_equal(miow_selector_new(&own), 0);
    miow_source *server, *client;
    connected_pair_on(own, MIOW_READABLE | MIOW_EDGE, own, MIOW_READABLE, &server, &client);
    if (deregistered) {
      assert_int_equal(miow_source_deregister(server, own), 0);
      assert_int_equal(miow_source_deregister(client, own), 0);
    }
    assert_int_equal(miow_selector_free(own), 0);
    expect_pipe_calls_closed(client, false, !deregistered);
    expect_pipe_calls_closed(server, true, !deregistered);
    if (deregistered) {
      /* Another selector: Windows keeps the pipe tied to the freed one; on Linux the pipe
       * moves, and its calls work again. */
      int32_t rc = miow_source_register(client, sel, CLIENT, MIOW_READABLE);
      if (support_pipes_tie_to_first_selector()) {
        assert_int_equal(rc, MIOW_ENOTSUP);
      } else {
        assert_int_equal(rc, 0);
        size_t n = 99;
        char buf[4];
        assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), 0);
        assert_int_equal(n, 0); /* the server disconnected it above */
      }
    }
    free_pair(server, client);
  }
}

/* The same for a server whose connect was outstanding when its selector went. */
static void test_pending_connect_after_its_selector_is_freed_gives_eclosed(void **state) {
  (void)state;
  miow_selector *own;
  assert_int_equal(miow_selector_new(&own), 0);
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *server;
  assert_int_equal(miow_pipe_create(&server, name, 0), 0);
  assert_int_equal(miow_source_register(server, own, SERVER, MIOW_WRITABLE), 0);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK);
  assert_int_equal(miow_selector_free(own), 0);
  expect_pipe_calls_closed(server, true, true);
  assert_int_equal(miow_source_free(server), 0);
}

/* ---- registration rules ---- */

static void test_reregister_and_deregister_before_register_give_enoent(void **state) {
  (void)state;
  miow_source *server, *client;
  open_pair(&server, &client);
  miow_source *ends[] = {server, client};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(miow_source_reregister(ends[i], sel, 1, MIOW_READABLE), MIOW_ENOENT);
    assert_int_equal(miow_source_deregister(ends[i], sel), MIOW_ENOENT);
    assert_int_equal(miow_source_rearm(ends[i]), MIOW_ENOENT);
  }
  free_pair(server, client);
}

static void test_register_twice_gives_eexist(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
  assert_int_equal(miow_source_register(server, sel, 5, MIOW_WRITABLE), MIOW_EEXIST);
  assert_int_equal(miow_source_register(client, sel, 5, MIOW_WRITABLE), MIOW_EEXIST);
  /* The registrations are unchanged: readable, under their first tokens. */
  pipe_write_all(sel, client, "z", 1);
  uint32_t seen = collect(sel, SERVER, 5, 300);
  assert_true(seen & MIOW_READABLE);
  assert_false(seen & MIOW_WRITABLE);
  free_pair(server, client);
}

static void test_calls_naming_another_selector_give_eexist_or_enoent(void **state) {
  (void)state;
  miow_selector *other;
  assert_int_equal(miow_selector_new(&other), 0);
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
  miow_source *ends[] = {server, client};
  for (int i = 0; i < 2; i++) {
    /* source.h: reregister with another selector is EEXIST, deregister from one it is not
     * registered with is ENOENT, and register anywhere while registered is EEXIST. */
    assert_int_equal(miow_source_reregister(ends[i], other, 7, MIOW_READABLE), MIOW_EEXIST);
    assert_int_equal(miow_source_deregister(ends[i], other), MIOW_ENOENT);
    assert_int_equal(miow_source_register(ends[i], other, 7, MIOW_READABLE), MIOW_EEXIST);
  }
  /* Still registered with `sel`, and only there. */
  pipe_write_all(sel, client, "y", 1);
  assert_true(poll_until(sel, SERVER, MIOW_READABLE, 5000) & MIOW_READABLE);
  assert_int_equal(poll_once(other, 7, 0), 0);
  free_pair(server, client);
  assert_int_equal(miow_selector_free(other), 0);
}

static void test_second_selector_after_deregister_follows_the_platform_tie(void **state) {
  (void)state;
  miow_selector *other;
  assert_int_equal(miow_selector_new(&other), 0);
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
  assert_int_equal(miow_source_deregister(server, sel), 0);
  int32_t rc = miow_source_register(server, other, 9, MIOW_READABLE);
  miow_selector *now = other;
  uint64_t token = 9;
  if (support_pipes_tie_to_first_selector()) {
    /* pipe.h: on Windows the pipe's handle joined `sel`'s completion port for life, so another
     * selector is refused, and the first one still takes it back. */
    assert_int_equal(rc, MIOW_ENOTSUP);
    assert_int_equal(miow_source_register(server, sel, SERVER, MIOW_READABLE), 0);
    now = sel;
    token = SERVER;
  } else {
    /* Elsewhere a pipe moves between selectors like a socket. */
    assert_int_equal(rc, 0);
  }
  char buf[1];
  pipe_write_all(sel, client, "m", 1);
  assert_true(poll_until(now, token, MIOW_READABLE, 5000) & MIOW_READABLE);
  pipe_read_exact(now, server, buf, 1, 1);
  assert_int_equal(buf[0], 'm');
  free_pair(server, client);
  assert_int_equal(miow_selector_free(other), 0);
}

/* ---- events follow interests and tokens ---- */

static void test_writable_only_registration_never_reports_readable(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_WRITABLE, &server, &client);
  assert_true(poll_until(sel, CLIENT, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  pipe_write_all(sel, server, "data", 4);
  uint32_t seen = collect(sel, CLIENT, NO_TOKEN, 300);
  assert_true(seen & MIOW_WRITABLE); /* level: reported at every poll */
  assert_false(seen & (MIOW_READABLE | MIOW_READ_CLOSED));
  /* The bytes were there all along. */
  char buf[4];
  pipe_read_exact(sel, client, buf, 4, sizeof buf);
  assert_memory_equal(buf, "data", 4);
  free_pair(server, client);
}

static void test_readable_only_registration_never_reports_writable(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_WRITABLE, &server, &client);
  /* The server can write from the start, but did not ask to hear it. */
  expect_silence(sel, SERVER, 200);
  pipe_write_all(sel, client, "in", 2);
  uint32_t seen = collect(sel, SERVER, NO_TOKEN, 300);
  assert_true(seen & MIOW_READABLE);
  assert_false(seen & (MIOW_WRITABLE | MIOW_WRITE_CLOSED));
  free_pair(server, client);
}

static void test_reregister_before_polling_leaves_no_stale_token(void **state) {
  (void)state;
  enum { OLD = 10, NEW = 11 };
  static const uint32_t modes[] = {0, MIOW_EDGE, MIOW_ONESHOT};
  for (size_t m = 0; m < 3; m++) {
    char name[PIPE_NAME_SIZE];
    pipe_unique_name(name);
    miow_source *server, *client;
    assert_int_equal(miow_pipe_create(&server, name, 0), 0);
    assert_int_equal(miow_source_register(server, sel, SERVER, MIOW_WRITABLE), 0);
    assert_int_equal(miow_pipe_open(&client, name), 0);
    assert_int_equal(miow_pipe_connect(server), 0);
    /* Writable is due at once and readable once the bytes land: both are queued under OLD
     * while nobody polls. */
    assert_int_equal(
        miow_source_register(client, sel, OLD, MIOW_READABLE | MIOW_WRITABLE | modes[m]), 0);
    size_t n = 0;
    assert_int_equal(miow_source_write(server, "late", 4, &n), 0);
    support_sleep_ms(200);
    assert_int_equal(
        miow_source_reregister(client, sel, NEW, MIOW_READABLE | MIOW_WRITABLE | modes[m]), 0);
    uint32_t seen = collect(sel, NEW, OLD, 400);
    if (modes[m] == MIOW_ONESHOT) {
      /* One report, with whatever was ready when it was made, disarms the registration. */
      assert_true(seen & (MIOW_READABLE | MIOW_WRITABLE));
    } else {
      assert_true(seen & MIOW_WRITABLE);
      assert_true(seen & MIOW_READABLE);
    }
    free_pair(server, client);
    expect_silence(sel, NEW, 50);
  }
}

static void test_deregister_with_a_completion_queued_reports_nothing(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_WRITABLE, MIOW_READABLE | MIOW_WRITABLE, &server, &client);
  size_t n = 0;
  assert_int_equal(miow_source_write(server, "gone", 4, &n), 0);
  support_sleep_ms(200); /* the client's readiness is queued; nobody consumed it */
  assert_int_equal(miow_source_deregister(client, sel), 0);
  (void)collect(sel, SERVER, CLIENT, 300);
  /* Registered again, the bytes that arrived meanwhile are reported under the new token. */
  assert_int_equal(miow_source_register(client, sel, CLIENT + 1, MIOW_READABLE), 0);
  assert_true(collect(sel, CLIENT + 1, CLIENT, 300) & MIOW_READABLE);
  char buf[4];
  pipe_read_exact(sel, client, buf, 4, sizeof buf);
  assert_memory_equal(buf, "gone", 4);
  free_pair(server, client);
}

static void test_one_poll_reports_a_pipe_at_most_once(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE | MIOW_WRITABLE, MIOW_READABLE | MIOW_WRITABLE, &server, &client);
  /* A write in flight and a read completing at the same time on the server: two completions
   * for one registration, which selector.h says one poll reports as one event. */
  size_t n = 0;
  assert_int_equal(miow_source_write(client, "in", 2, &n), 0);
  assert_int_equal(miow_source_write(server, "out", 3, &n), 0);
  support_sleep_ms(200);
  for (int round = 0; round < 5; round++) {
    miow_event events[64];
    size_t count = 0;
    assert_int_equal(miow_selector_poll(sel, events, 64, &count, 200), 0);
    int servers = 0, clients = 0;
    for (size_t i = 0; i < count; i++) {
      if (events[i].token == SERVER) servers++;
      if (events[i].token == CLIENT) clients++;
    }
    if (servers > 1 || clients > 1) {
      for (size_t i = 0; i < count; i++)
        print_message("poll %d event %u: token %llu readiness 0x%x\n", round, (unsigned)i,
                      (unsigned long long)events[i].token, (unsigned)events[i].readiness);
      fail_msg("poll %d reported the server %d times and the client %d times", round, servers,
               clients);
    }
  }
  free_pair(server, client);
}

/* ---- releasing with I/O outstanding ---- */

static void test_free_with_a_read_outstanding_reports_nothing_and_the_peer_sees_eof(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_READABLE | MIOW_EDGE, &server, &client);
  char buf[8];
  size_t n = 0;
  assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);
  assert_int_equal(miow_source_free(client), 0);
  uint32_t seen = collect(sel, SERVER, CLIENT, 300);
  assert_true(seen & MIOW_READABLE); /* the end of the stream */
  assert_int_equal(pipe_read_to_eof(sel, server, buf, sizeof buf), 0);
  expect_silence(sel, CLIENT, 100);
  assert_int_equal(miow_source_free(server), 0);
}

static void test_free_with_a_completion_queued_reports_nothing(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE | MIOW_WRITABLE, MIOW_READABLE | MIOW_WRITABLE, &server, &client);
  size_t n = 0;
  assert_int_equal(miow_source_write(server, "queued", 6, &n), 0);
  support_sleep_ms(200); /* the client's read has completed; nobody consumed it */
  assert_int_equal(miow_source_free(client), 0);
  (void)collect(sel, SERVER, CLIENT, 300);
  assert_int_equal(miow_source_free(server), 0);
  expect_silence(sel, SERVER, 100);
}

static void test_free_with_a_connect_outstanding_releases_the_name(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  miow_source *again;
  miow_source *server = pending_server(name, MIOW_READABLE | MIOW_WRITABLE);
  assert_int_equal(miow_source_free(server), 0);
  expect_silence(sel, SERVER, 200);
  /* The cancelled connect was absorbed and the pipe closed: the name is free again. */
  assert_int_equal(miow_pipe_create(&again, name, 0), 0);
  assert_int_equal(miow_source_free(again), 0);
}

/* The reading end of test_selector_freed_with_a_write_in_flight_delivers_it, on a thread of
 * its own with a selector of its own: it counts what arrives until the end of stream. */
typedef struct drain_job {
  miow_source *client;
  miow_selector *sel;
  size_t received;
  bool failed;
} drain_job;

static void drain_main(void *arg) {
  drain_job *job = arg;
  double deadline = support_now_ms() + PIPE_WAIT_MS;
  char buf[4096];
  for (;;) {
    size_t n = 0;
    int32_t rc = miow_source_read(job->client, buf, sizeof buf, &n);
    if (rc == 0 && n == 0) return;
    if (rc == 0) {
      job->received += n;
    } else if (rc != MIOW_EWOULDBLOCK || support_now_ms() > deadline) {
      job->failed = true;
      return;
    } else {
      miow_event events[4];
      size_t count;
      (void)miow_selector_poll(job->sel, events, 4, &count, 10);
    }
  }
}

/* Bytes reported written reach the peer even when the writer's pipe and then its selector are
 * freed right away: the selector lets a write in flight finish before it goes. */
static void test_selector_freed_with_a_write_in_flight_delivers_it(void **state) {
  (void)state;
  enum { TOTAL = 64 * 1024 };
  miow_selector *writer_sel, *reader_sel;
  assert_int_equal(miow_selector_new(&writer_sel), 0);
  assert_int_equal(miow_selector_new(&reader_sel), 0);
  miow_source *server, *client;
  connected_pair_on(writer_sel, MIOW_WRITABLE, reader_sel, MIOW_READABLE, &server, &client);
  static uint8_t data[TOTAL];
  pattern_fill(data, 7, 0, TOTAL);
  pipe_write_all(writer_sel, server, data, TOTAL);
  drain_job job = {client, reader_sel, 0, false};
  support_thread *reader = support_thread_start(drain_main, &job);
  assert_int_equal(miow_source_free(server), 0);
  assert_int_equal(miow_selector_free(writer_sel), 0); /* waits for the write in flight */
  support_thread_join(reader);
  assert_false(job.failed);
  assert_int_equal(job.received, TOTAL);
  assert_int_equal(miow_source_free(client), 0);
  assert_int_equal(miow_selector_free(reader_sel), 0);
}

static void test_selector_freed_before_its_pipes_releases_everything_at_once(void **state) {
  (void)state;
  /* Wine's process handle count is always 0, so support_handle_probe() counts open handle
   * values instead; one warm-up cycle first, as the process allocates handles on first use. */
  uint64_t before = 0;
  for (int i = 0; i <= 20; i++) {
    if (i == 1) before = support_handle_probe();
    miow_selector *own;
    assert_int_equal(miow_selector_new(&own), 0);
    char name[PIPE_NAME_SIZE];
    pipe_unique_name(name);
    miow_source *server, *client, *waiting;
    connected_pair_on(own, MIOW_READABLE | MIOW_WRITABLE, own, MIOW_READABLE | MIOW_EDGE, &server,
                      &client);
    /* Reads outstanding on both ends, bytes in flight, and a second server mid-connect. */
    char buf[4];
    size_t n = 0;
    assert_int_equal(miow_source_read(client, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);
    assert_int_equal(miow_source_write(server, "left", 4, &n), 0);
    assert_int_equal(miow_pipe_create(&waiting, name, 0), 0);
    assert_int_equal(miow_source_register(waiting, own, 3, MIOW_WRITABLE), 0);
    assert_int_equal(miow_pipe_connect(waiting), MIOW_EWOULDBLOCK);
    (void)poll_once(own, 0, 0);
    /* Its own cancels end the outstanding reads and connect at once: nothing is issued again
     * behind them, so it never waits out its drain time (5 s) for them. */
    double start = support_now_ms();
    assert_int_equal(miow_selector_free(own), 0);
    double took = support_now_ms() - start;
    if (took > 2500) fail_msg("freeing the selector took %.0f ms", took);
    assert_int_equal(miow_source_free(waiting), 0);
    free_pair(server, client);
    /* Everything was closed: the name can be served again. */
    miow_source *again;
    assert_int_equal(miow_pipe_create(&again, name, 0), 0);
    assert_int_equal(miow_source_free(again), 0);
  }
  uint64_t after = support_handle_probe();
  if (after != before)
    fail_msg("process held %llu handles before the cycles and %llu after",
             (unsigned long long)before, (unsigned long long)after);
}

/* ---- many pipes at once ---- */

enum { ECHO_PIPES = 64, ECHO_BYTES = 1024 * 1024, ECHO_CHUNK = 64 * 1024, ECHO_TOKEN = 100 };

typedef struct echo_pair {
  miow_source *server, *client;
  size_t sent;                 /* written by the client */
  size_t checked;              /* read back by the client and compared */
  size_t echoed;               /* read by the server */
  uint8_t pending[ECHO_CHUNK]; /* read by the server, not yet written back */
  size_t pending_at, pending_len;
} echo_pair;

/* The client writes its stream and checks what comes back, until it would block. */
static void echo_drive_client(echo_pair *p, size_t index) {
  static uint8_t buf[ECHO_CHUNK];
  while (p->sent < ECHO_BYTES) {
    size_t len = ECHO_BYTES - p->sent < ECHO_CHUNK ? ECHO_BYTES - p->sent : ECHO_CHUNK;
    pattern_fill(buf, index, p->sent, len);
    size_t n = 0;
    int32_t rc = miow_source_write(p->client, buf, len, &n);
    if (rc == MIOW_EWOULDBLOCK) break;
    assert_int_equal(rc, 0);
    assert_true(n > 0 && n <= len);
    p->sent += n;
  }
  for (;;) {
    size_t n = 0;
    int32_t rc = miow_source_read(p->client, buf, sizeof buf, &n);
    if (rc == MIOW_EWOULDBLOCK) break;
    assert_int_equal(rc, 0);
    if (n == 0)
      fail_msg("pipe %u: end of stream after %llu bytes", (unsigned)index,
               (unsigned long long)p->checked);
    if (p->checked + n > ECHO_BYTES) fail_msg("pipe %u: too many bytes back", (unsigned)index);
    for (size_t i = 0; i < n; i++) {
      if (buf[i] != pattern_byte(index, p->checked + i))
        fail_msg("pipe %u: wrong byte at offset %llu", (unsigned)index,
                 (unsigned long long)(p->checked + i));
    }
    p->checked += n;
  }
}

/* The server writes back what it read, and reads more only once that is written. */
static void echo_drive_server(echo_pair *p, size_t index) {
  for (;;) {
    size_t n = 0;
    if (p->pending_at < p->pending_len) {
      int32_t rc = miow_source_write(p->server, p->pending + p->pending_at,
                                     p->pending_len - p->pending_at, &n);
      if (rc == MIOW_EWOULDBLOCK) return;
      assert_int_equal(rc, 0);
      p->pending_at += n;
      continue;
    }
    int32_t rc = miow_source_read(p->server, p->pending, sizeof p->pending, &n);
    if (rc == MIOW_EWOULDBLOCK) return;
    assert_int_equal(rc, 0);
    if (n == 0) fail_msg("pipe %u: the client closed", (unsigned)index);
    p->pending_at = 0;
    p->pending_len = n;
    p->echoed += n;
  }
}

static void test_64_pipes_on_one_selector_each_echo_1_mib(void **state) {
  (void)state;
  uint32_t edge_rw = MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE;
  echo_pair *pairs = calloc(ECHO_PIPES, sizeof *pairs);
  assert_non_null(pairs);
  for (size_t i = 0; i < ECHO_PIPES; i++) {
    char name[PIPE_NAME_SIZE];
    pipe_unique_name(name);
    echo_pair *p = &pairs[i];
    assert_int_equal(miow_pipe_create(&p->server, name, 0), 0);
    assert_int_equal(miow_source_register(p->server, sel, ECHO_TOKEN + 2 * i, edge_rw), 0);
    assert_int_equal(miow_pipe_open(&p->client, name), 0);
    assert_int_equal(miow_source_register(p->client, sel, ECHO_TOKEN + 2 * i + 1, edge_rw), 0);
    assert_int_equal(miow_pipe_connect(p->server), 0);
  }
  double start = support_now_ms();
  for (size_t i = 0; i < ECHO_PIPES; i++) echo_drive_client(&pairs[i], i);
  size_t done = 0;
  while (done < ECHO_PIPES) {
    miow_event events[256];
    size_t count = 0;
    assert_int_equal(miow_selector_poll(sel, events, 256, &count, 10000), 0);
    if (count == 0) {
      for (size_t i = 0; i < ECHO_PIPES; i++) {
        if (pairs[i].checked < ECHO_BYTES)
          print_message("pipe %u: sent %llu, echoed %llu, checked %llu\n", (unsigned)i,
                        (unsigned long long)pairs[i].sent, (unsigned long long)pairs[i].echoed,
                        (unsigned long long)pairs[i].checked);
      }
      fail_msg("no event for 10 s with %u of %u pipes done", (unsigned)done, (unsigned)ECHO_PIPES);
    }
    for (size_t e = 0; e < count; e++) {
      uint64_t token = events[e].token;
      assert_true(token >= ECHO_TOKEN && token < ECHO_TOKEN + 2 * ECHO_PIPES);
      size_t index = (size_t)(token - ECHO_TOKEN) / 2;
      echo_pair *p = &pairs[index];
      bool was_done = p->checked == ECHO_BYTES;
      if ((token - ECHO_TOKEN) % 2 == 0)
        echo_drive_server(p, index);
      else
        echo_drive_client(p, index);
      if (!was_done && p->checked == ECHO_BYTES) done++;
    }
  }
  double elapsed = support_now_ms() - start;
  print_message("%d pipes echoed %d bytes each in %.0f ms\n", ECHO_PIPES, ECHO_BYTES, elapsed);
  for (size_t i = 0; i < ECHO_PIPES; i++) {
    assert_int_equal(pairs[i].echoed, ECHO_BYTES);
    free_pair(pairs[i].server, pairs[i].client);
  }
  free(pairs);
}

/* ---- misuse ---- */

static void test_null_and_freed_handles_are_bad_handles(void **state) {
  (void)state;
  miow_source *server, *client;
  open_pair(&server, &client);
  assert_int_equal(miow_source_register(server, sel, SERVER, MIOW_READABLE), 0);
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_READABLE), 0);
  free_pair(server, client);
  char buf[4];
  size_t n = 0;
  miow_source *stale[] = {NULL, server, client};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(miow_pipe_connect(stale[i]), MIOW_EBADHANDLE);
    assert_int_equal(miow_pipe_disconnect(stale[i]), MIOW_EBADHANDLE);
    assert_int_equal(miow_source_read(stale[i], buf, sizeof buf, &n), MIOW_EBADHANDLE);
    assert_int_equal(miow_source_write(stale[i], "x", 1, &n), MIOW_EBADHANDLE);
    assert_int_equal(miow_source_register(stale[i], sel, 1, MIOW_READABLE), MIOW_EBADHANDLE);
    assert_int_equal(miow_source_free(stale[i]), MIOW_EBADHANDLE);
  }
}

static void test_bad_pipe_names_are_invalid(void **state) {
  (void)state;
  static const char *const bad[] = {NULL, "", "foo", "\\\\.\\pipe\\", "\\\\.\\pipe"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    miow_source *out = NULL;
    assert_int_equal(miow_pipe_create(&out, bad[i], 0), MIOW_EINVAL);
    assert_null(out);
    assert_int_equal(miow_pipe_open(&out, bad[i]), MIOW_EINVAL);
    assert_null(out);
  }
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  assert_int_equal(miow_pipe_create(NULL, name, 0), MIOW_EINVAL);
  assert_int_equal(miow_pipe_open(NULL, name), MIOW_EINVAL);
}

static void test_opening_a_missing_pipe_gives_not_found(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *out = NULL;
  assert_int_equal(miow_pipe_open(&out, name), MIOW_ENOTFOUND);
  assert_null(out);
  /* Nor once its server is gone. */
  miow_source *server;
  assert_int_equal(miow_pipe_create(&server, name, 0), 0);
  assert_int_equal(miow_source_free(server), 0);
  assert_int_equal(miow_pipe_open(&out, name), MIOW_ENOTFOUND);
  assert_null(out);
}

static void test_opening_a_busy_pipe_gives_pipe_busy(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *server, *client, *extra = NULL;
  assert_int_equal(miow_pipe_create(&server, name, 0), 0);
  assert_int_equal(miow_source_register(server, sel, SERVER, MIOW_READABLE), 0);
  assert_int_equal(miow_pipe_open(&client, name), 0);
  /* The one instance is taken, before and after the server accepts the client. */
  assert_int_equal(miow_pipe_open(&extra, name), MIOW_EPIPEBUSY);
  assert_null(extra);
  assert_int_equal(miow_pipe_connect(server), 0);
  assert_int_equal(miow_pipe_open(&extra, name), MIOW_EPIPEBUSY);
  assert_null(extra);
  free_pair(server, client);
}

static void test_creating_an_existing_name_gives_address_in_use(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *first, *second = NULL, *client;
  assert_int_equal(miow_pipe_create(&first, name, 0), 0);
  assert_int_equal(miow_pipe_create(&second, name, 0), MIOW_EADDRINUSE);
  assert_null(second);
  /* The first server is unharmed. */
  assert_int_equal(miow_source_register(first, sel, SERVER, MIOW_READABLE), 0);
  assert_int_equal(miow_pipe_open(&client, name), 0);
  assert_int_equal(miow_pipe_connect(first), 0);
  free_pair(first, client);
}

static void test_connect_and_disconnect_on_other_sources_are_not_supported(void **state) {
  (void)state;
  miow_source *server, *client, *stream, *accepted, *listener, *udp, *foreign;
  open_pair(&server, &client);
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_READABLE), 0);
  net_tcp_pair("127.0.0.1:0", &stream, &accepted);
  char local[MIOW_ADDRESS_SIZE];
  listener = net_listen("127.0.0.1:0", local);
  udp = net_udp("127.0.0.1:0", local);
  miow_socket_t raw_client, raw_server;
  support_tcp_pair(&raw_client, &raw_server);
  assert_int_equal(miow_source_new(&foreign, raw_client), 0);
  miow_source *others[] = {client, stream, listener, udp, foreign};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    assert_int_equal(miow_pipe_connect(others[i]), MIOW_ENOTSUP);
    assert_int_equal(miow_pipe_disconnect(others[i]), MIOW_ENOTSUP);
  }
  miow_source *all[] = {server, client, stream, accepted, listener, udp, foreign};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    assert_int_equal(miow_source_free(all[i]), 0);
  support_close(raw_client);
  support_close(raw_server);
}

static void test_io_and_connect_before_register_give_enoent(void **state) {
  (void)state;
  miow_source *server, *client;
  open_pair(&server, &client);
  assert_int_equal(miow_pipe_connect(server), MIOW_ENOENT);
  miow_source *ends[] = {server, client};
  char buf[4];
  miow_buffer vec[] = {{buf, sizeof buf}};
  for (int i = 0; i < 2; i++) {
    size_t n = 99;
    assert_int_equal(miow_source_read(ends[i], buf, sizeof buf, &n), MIOW_ENOENT);
    assert_int_equal(miow_source_peek(ends[i], buf, sizeof buf, &n), MIOW_ENOENT);
    assert_int_equal(miow_source_readv(ends[i], vec, 1, &n), MIOW_ENOENT);
    assert_int_equal(miow_source_write(ends[i], "x", 1, &n), MIOW_ENOENT);
    assert_int_equal(miow_source_writev(ends[i], vec, 1, &n), MIOW_ENOENT);
    assert_int_equal(n, 99);
  }
  /* Registered, the same calls work. */
  assert_int_equal(miow_source_register(server, sel, SERVER, MIOW_READABLE), 0);
  assert_int_equal(miow_source_register(client, sel, CLIENT, MIOW_READABLE), 0);
  assert_int_equal(miow_pipe_connect(server), 0);
  pipe_send_and_check(client, server, "ok");
  free_pair(server, client);
}

static void test_socket_calls_on_a_pipe_are_not_supported(void **state) {
  (void)state;
  miow_source *server, *client;
  connected_pair(MIOW_READABLE, MIOW_READABLE, &server, &client);
  miow_source *ends[] = {server, client};
  for (int i = 0; i < 2; i++) {
    miow_source *p = ends[i];
    char text[MIOW_ADDRESS_SIZE], buf[8];
    size_t n = 0;
    int32_t value = 0;
    miow_source *accepted = NULL;
    assert_int_equal(miow_source_shutdown(p, MIOW_SHUT_WRITE), MIOW_ENOTSUP);
    assert_int_equal(miow_source_local_address(p, text, sizeof text), MIOW_ENOTSUP);
    assert_int_equal(miow_source_peer_address(p, text, sizeof text), MIOW_ENOTSUP);
    assert_int_equal(miow_source_set_option(p, MIOW_OPT_TTL, 64), MIOW_ENOTSUP);
    assert_int_equal(miow_source_get_option(p, MIOW_OPT_TTL, &value), MIOW_ENOTSUP);
    assert_int_equal(miow_tcp_accept(p, &accepted, NULL, 0), MIOW_ENOTSUP);
    assert_null(accepted);
    assert_int_equal(miow_udp_connect(p, "127.0.0.1:9"), MIOW_ENOTSUP);
    assert_int_equal(miow_udp_recv_from(p, buf, sizeof buf, &n, text, sizeof text), MIOW_ENOTSUP);
    assert_int_equal(miow_udp_peek_from(p, buf, sizeof buf, &n, text, sizeof text), MIOW_ENOTSUP);
    assert_int_equal(miow_udp_send_to(p, "x", 1, "127.0.0.1:9", &n), MIOW_ENOTSUP);
    assert_int_equal(miow_udp_join_multicast_v4(p, "239.255.0.1", NULL), MIOW_ENOTSUP);
    assert_int_equal(miow_udp_leave_multicast_v4(p, "239.255.0.1", NULL), MIOW_ENOTSUP);
    assert_int_equal(miow_udp_join_multicast_v6(p, "ff02::1:3", 0), MIOW_ENOTSUP);
    assert_int_equal(miow_udp_leave_multicast_v6(p, "ff02::1:3", 0), MIOW_ENOTSUP);
  }
  /* The pipe is unharmed by all that. */
  pipe_send_and_check(server, client, "ok");
  free_pair(server, client);
}

static void test_source_socket_and_take_error_work_on_a_pipe(void **state) {
  (void)state;
  miow_source *server, *client;
  open_pair(&server, &client);
  miow_source *ends[] = {server, client};
  miow_socket_t handles[2];
  for (int i = 0; i < 2; i++) {
    handles[i] = 0;
    assert_int_equal(miow_source_socket(ends[i], &handles[i]), 0);
    assert_true(handles[i] != 0 && handles[i] != (miow_socket_t)-1);
    assert_int_equal(miow_source_socket(ends[i], NULL), MIOW_EINVAL);
    int32_t error = -1, os_error = -1;
    assert_int_equal(miow_source_take_error(ends[i], &error, &os_error), 0);
    assert_int_equal(error, 0);
    assert_int_equal(os_error, 0);
    assert_int_equal(miow_source_take_error(ends[i], NULL, NULL), MIOW_EINVAL);
  }
  assert_true(handles[0] != handles[1]);
  free_pair(server, client);
}

/* Each test gets a fresh selector in `sel`. */
#define T(name)                                                          \
  cmocka_unit_test_prestate_setup_teardown(name, support_selector_setup, \
                                           support_selector_teardown, &sel)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_client_end_is_writable_right_after_register),
      T(test_server_end_is_writable_right_after_connect),
      T(test_connect_before_the_client_opens_would_block_then_reports_writable),
      T(test_connect_after_the_client_opened_returns_zero),
      T(test_connect_twice_serves_a_second_client),
      T(test_readable_only_server_waiting_for_a_client_reports_its_data),
      T(test_disconnect_while_connecting_then_connect_again),
      T(test_connect_after_a_disconnect_with_the_old_connect_in_flight),
      T(test_free_closes_at_once_without_polling_its_selector),
      T(test_write_then_read_in_both_directions),
      T(test_large_messages_arrive_intact_through_a_small_buffer),
      T(test_peek_leaves_the_bytes_for_read),
      T(test_vectored_io_moves_bytes_in_order),
      T(test_write_to_a_freed_client_fails_with_broken_pipe),
      T(test_server_writes_then_frees_and_the_client_reads_everything_then_eof),
      T(test_client_writes_then_frees_and_the_server_reads_everything_then_eof),
      T(test_client_reads_end_of_stream_after_the_server_disconnects),
      T(test_client_reads_end_of_stream_after_the_server_is_freed),
      T(test_pipe_calls_after_their_selector_is_freed_give_eclosed),
      T(test_pending_connect_after_its_selector_is_freed_gives_eclosed),
      T(test_reregister_and_deregister_before_register_give_enoent),
      T(test_register_twice_gives_eexist),
      T(test_calls_naming_another_selector_give_eexist_or_enoent),
      T(test_second_selector_after_deregister_follows_the_platform_tie),
      T(test_writable_only_registration_never_reports_readable),
      T(test_readable_only_registration_never_reports_writable),
      T(test_reregister_before_polling_leaves_no_stale_token),
      T(test_deregister_with_a_completion_queued_reports_nothing),
      T(test_one_poll_reports_a_pipe_at_most_once),
      T(test_free_with_a_read_outstanding_reports_nothing_and_the_peer_sees_eof),
      T(test_free_with_a_completion_queued_reports_nothing),
      T(test_free_with_a_connect_outstanding_releases_the_name),
      T(test_selector_freed_before_its_pipes_releases_everything_at_once),
      T(test_selector_freed_with_a_write_in_flight_delivers_it),
      T(test_64_pipes_on_one_selector_each_echo_1_mib),
      T(test_null_and_freed_handles_are_bad_handles),
      T(test_bad_pipe_names_are_invalid),
      T(test_opening_a_missing_pipe_gives_not_found),
      T(test_opening_a_busy_pipe_gives_pipe_busy),
      T(test_creating_an_existing_name_gives_address_in_use),
      T(test_connect_and_disconnect_on_other_sources_are_not_supported),
      T(test_io_and_connect_before_register_give_enoent),
      T(test_socket_calls_on_a_pipe_are_not_supported),
      T(test_source_socket_and_take_error_work_on_a_pipe),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

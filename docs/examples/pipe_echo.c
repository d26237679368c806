/* pipe_echo: a named-pipe echo server and its client on one selector and one thread. The pipe
 * is the library's (miow/pipe.h): overlapped I/O on Windows, with readiness made from the
 * completions; a Unix-domain socket on Linux. The program includes no OS header.
 *
 * The server creates \\.\pipe\miowin-pipe-echo-<n>, registers it and starts a connect, which
 * would block: no client yet. The client opens the pipe; the server's connect completes and is
 * reported as WRITABLE. The client then sends messages of growing size (the largest, 100 KiB,
 * is much larger than the pipe's 4 KiB buffer), reading each echo back through a 128-byte
 * buffer and checking every byte before it sends the next. Both ends are registered in edge
 * mode: after an event, each side reads or writes until MIOW_EWOULDBLOCK, which re-arms it.
 *
 * Exit status 0 and a last line "pipe echo: OK" on success; 1 and a reason on any failure,
 * including when the exchange has not finished after TIME_LIMIT_S seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "miowin.h"

#define TIME_LIMIT_S 20
#define TOKEN_SERVER 1
#define TOKEN_CLIENT 2
#define READ_CHUNK 128

static const size_t message_sizes[] = {5, 128, 4096, 10000, 100 * 1024};
#define MESSAGE_COUNT (sizeof message_sizes / sizeof message_sizes[0])

typedef struct side {
  miow_source *pipe;
  unsigned char pending[128 * 1024]; /* bytes waiting to be written */
  size_t pending_length;
  size_t pending_written;
} side;

typedef struct echo {
  miow_selector *sel;
  side server, client;
  int server_connected;
  size_t message;     /* the message being exchanged */
  size_t verified;    /* bytes of its echo checked so far */
  size_t echoed_total;
} echo;

static int fail(const char *what, int32_t rc) {
  fprintf(stderr, "pipe echo: %s failed: %s (OS error %d)\n", what, miow_strerror(rc),
          (int)miow_last_os_error());
  return 1;
}

/* The byte at `offset` of message `index`: easy to check, different for every message. */
static unsigned char pattern(size_t index, size_t offset) {
  return (unsigned char)('a' + (offset * 7 + index) % 26);
}

/* Writes what is pending until done or MIOW_EWOULDBLOCK. Returns 0 or 1 on a failure. */
static int side_flush(side *s) {
  while (s->pending_written < s->pending_length) {
    size_t sent;
    int32_t rc = miow_source_write(s->pipe, s->pending + s->pending_written,
                                   s->pending_length - s->pending_written, &sent);
    if (rc == MIOW_EWOULDBLOCK) return 0; /* re-armed: WRITABLE comes when the write is done */
    if (rc != 0) return fail("write", rc);
    s->pending_written += sent;
  }
  s->pending_length = s->pending_written = 0;
  return 0;
}

static void side_queue(side *s, const unsigned char *data, size_t length) {
  memmove(s->pending, s->pending + s->pending_written, s->pending_length - s->pending_written);
  s->pending_length -= s->pending_written;
  s->pending_written = 0;
  memcpy(s->pending + s->pending_length, data, length);
  s->pending_length += length;
}

static int client_send_next(echo *e) {
  size_t size = message_sizes[e->message];
  static unsigned char data[128 * 1024];
  for (size_t i = 0; i < size; i++) data[i] = pattern(e->message, i);
  side_queue(&e->client, data, size);
  e->verified = 0;
  printf("client: sending %zu bytes\n", size);
  return side_flush(&e->client);
}

/* The server echoes everything it can read; it reads only while it has room to queue. */
static int server_ready(echo *e) {
  if (!e->server_connected) {
    int32_t rc = miow_pipe_connect(e->server.pipe);
    if (rc == MIOW_EWOULDBLOCK) return 0;
    if (rc != 0) return fail("connect", rc);
    e->server_connected = 1;
    printf("server: client connected\n");
  }
  if (side_flush(&e->server) != 0) return 1;
  while (e->server.pending_length + READ_CHUNK <= sizeof e->server.pending) {
    unsigned char buf[READ_CHUNK];
    size_t n;
    int32_t rc = miow_source_read(e->server.pipe, buf, sizeof buf, &n);
    if (rc == MIOW_EWOULDBLOCK) break;
    if (rc != 0) return fail("server read", rc);
    if (n == 0) return 0; /* the client closed */
    side_queue(&e->server, buf, n);
    e->echoed_total += n;
    if (side_flush(&e->server) != 0) return 1;
  }
  return 0;
}

/* The client checks each echoed byte, then sends the next message. Returns 1 on failure. */
static int client_ready(echo *e) {
  if (side_flush(&e->client) != 0) return 1;
  for (;;) {
    unsigned char buf[READ_CHUNK];
    size_t n;
    int32_t rc = miow_source_read(e->client.pipe, buf, sizeof buf, &n);
    if (rc == MIOW_EWOULDBLOCK) return 0;
    if (rc != 0) return fail("client read", rc);
    if (n == 0) return fail("client read (unexpected end of stream)", MIOW_EPIPE);
    for (size_t i = 0; i < n; i++) {
      if (e->message >= MESSAGE_COUNT || buf[i] != pattern(e->message, e->verified + i)) {
        fprintf(stderr, "pipe echo: wrong byte in the echo of message %zu\n", e->message);
        return 1;
      }
    }
    e->verified += n;
    if (e->verified == message_sizes[e->message]) {
      printf("client: echo of %zu bytes checked\n", e->verified);
      if (++e->message < MESSAGE_COUNT && client_send_next(e) != 0) return 1;
    }
  }
}

int main(void) {
  static echo e;
  char name[64];
  snprintf(name, sizeof name, "\\\\.\\pipe\\miowin-pipe-echo-%ld", (long)time(NULL));
  int32_t rc = miow_selector_new(&e.sel);
  if (rc != 0) return fail("selector", rc);
  uint32_t both = MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE;
  if ((rc = miow_pipe_create(&e.server.pipe, name, 0)) != 0) return fail("create", rc);
  if ((rc = miow_source_register(e.server.pipe, e.sel, TOKEN_SERVER, both)) != 0)
    return fail("register server", rc);
  printf("server: listening on %s\n", name);
  if (server_ready(&e) != 0) return 1; /* starts the connect */
  if ((rc = miow_pipe_open(&e.client.pipe, name)) != 0) return fail("open", rc);
  if ((rc = miow_source_register(e.client.pipe, e.sel, TOKEN_CLIENT, both)) != 0)
    return fail("register client", rc);
  if (client_send_next(&e) != 0) return 1;

  time_t give_up = time(NULL) + TIME_LIMIT_S;
  while (e.message < MESSAGE_COUNT) {
    if (time(NULL) > give_up) {
      fprintf(stderr, "pipe echo: not finished after %d s\n", TIME_LIMIT_S);
      return 1;
    }
    miow_event events[8];
    size_t count;
    if ((rc = miow_selector_poll(e.sel, events, 8, &count, 1000)) != 0) return fail("poll", rc);
    for (size_t i = 0; i < count; i++) {
      int failed = events[i].token == TOKEN_SERVER ? server_ready(&e) : client_ready(&e);
      if (failed) return 1;
    }
  }
  miow_source_free(e.client.pipe);
  miow_source_free(e.server.pipe);
  miow_selector_free(e.sel);
  printf("server: echoed %zu bytes in all\n", e.echoed_total);
  printf("pipe echo: OK\n");
  return 0;
}

/* echo_demo: a TCP echo server and three clients over loopback, all driven by one miowin
 * selector on one thread. Every socket is one the library creates (miow/net.h) and every byte
 * goes through the library's I/O calls (miow/io.h), so the program includes no OS header and
 * the same file builds for Windows (miowin.dll over AFD) and Linux (libmiowin.so over epoll).
 *
 * The server listens on 127.0.0.1 (any free port), accepts until the listener would block, and
 * writes back every byte it reads. Each client connects, waits for WRITABLE, asks
 * miow_source_take_error() whether the connect worked, then sends its messages one at a time,
 * checking every byte of each echo before it sends the next. One message is 4 MiB, more than a
 * socket buffer takes at once, so a write is partial and waits for WRITABLE to send the rest.
 * A client that has all its echoes shuts down its sending side; the server, reading end of
 * stream, closes the connection; the client, reading end of stream in turn, is done.
 *
 * Everything is registered in edge mode (MIOW_EDGE), as mio does: an interest is reported once
 * and then stays silent until the program has read (or written) until the socket would block.
 * miow_source_read(), miow_source_write() and miow_tcp_accept() re-arm the registration
 * themselves when they return MIOW_EWOULDBLOCK, so the handlers below never call rearm: they
 * just keep going until MIOW_EWOULDBLOCK. That re-arm restores every registered interest, so a
 * socket that is writable reports WRITABLE again after a drained read; with nothing to send,
 * such an event needs no action.
 *
 * Exit status 0 and a last line "echo demo: OK" on success; 1 and a reason on any failure,
 * including when the exchange has not finished after TIME_LIMIT_S seconds. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "miowin.h"

#define TIME_LIMIT_S 10
#define CLIENT_COUNT 3
#define BIG_MESSAGE_SIZE (4 * 1024 * 1024)

/* Each registration's token tells the loop which object an event is for. */
#define TOKEN_LISTENER 1
#define TOKEN_CLIENT 100     /* + the client's index */
#define TOKEN_CONNECTION 200 /* + the server connection's index */

typedef struct message {
  const char *label; /* how the output names it */
  const char *data;
  size_t length;
} message;

static char big_message[BIG_MESSAGE_SIZE];
static const message messages[] = {
    {"\"hello\"", "hello", 5},
    {"\"readiness from AFD or epoll\"", "readiness from AFD or epoll", 27},
    {"4 MiB of letters", big_message, sizeof big_message},
    {"\"goodbye\"", "goodbye", 7},
};
#define MESSAGE_COUNT (sizeof messages / sizeof messages[0])

/* A client: sends messages[message], then waits for all of its echo. */
typedef struct client {
  miow_source *src; /* NULL once the client is done */
  int connected;
  size_t message;  /* the message being sent and echoed; MESSAGE_COUNT after the last */
  size_t written;  /* bytes of it sent so far */
  size_t verified; /* bytes of its echo received and checked so far */
  int waiting;     /* a write was partial: the rest goes when WRITABLE is reported */
} client;

/* The server's side of one accepted connection. */
typedef struct connection {
  miow_source *src; /* NULL once closed */
  char buffer[16 * 1024];
  size_t length;  /* bytes read into buffer */
  size_t written; /* of which already written back */
  size_t echoed;  /* bytes echoed in all */
} connection;

typedef struct demo {
  miow_selector *sel;
  miow_source *listener;
  client clients[CLIENT_COUNT];
  connection connections[CLIENT_COUNT];
  size_t accepted;
  size_t open_clients;
  size_t open_connections;
} demo;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("echo demo: FAILED: ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
  exit(1);
}

/* Every miowin call returns 0 or a negative code; miow_last_os_error() tells the OS error. */
static void check(int32_t rc, const char *what) {
  if (rc != MIOW_OK) {
    die("%s: %s (code %d, OS error %d)", what, miow_strerror(rc), (int)rc,
        (int)miow_last_os_error());
  }
}

static void print_event(const miow_event *ev) {
  static const struct {
    uint32_t bit;
    const char *name;
  } names[] = {
      {MIOW_READABLE, "READABLE"},       {MIOW_WRITABLE, "WRITABLE"},
      {MIOW_PRIORITY, "PRIORITY"},       {MIOW_ERROR, "ERROR"},
      {MIOW_READ_CLOSED, "READ_CLOSED"}, {MIOW_WRITE_CLOSED, "WRITE_CLOSED"},
  };
  char text[128] = "";
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (ev->readiness & names[i].bit) {
      if (text[0] != '\0') strcat(text, "|");
      strcat(text, names[i].name);
    }
  }
  char who[32];
  if (ev->token == TOKEN_LISTENER) {
    snprintf(who, sizeof who, "listener");
  } else if (ev->token >= TOKEN_CONNECTION) {
    snprintf(who, sizeof who, "connection %u", (unsigned)(ev->token - TOKEN_CONNECTION));
  } else {
    snprintf(who, sizeof who, "client %u", (unsigned)(ev->token - TOKEN_CLIENT));
  }
  printf("event: %-12s %s\n", who, text);
}

/* The readiness that calls for a read: data, end of stream, or an error to collect. */
static int wants_read(uint32_t readiness) {
  return (readiness & (MIOW_READABLE | MIOW_READ_CLOSED | MIOW_ERROR)) != 0;
}

/* ---- the server ------------------------------------------------------------------------ */

static void listener_ready(demo *d) {
  for (;;) {
    miow_source *src;
    char peer[MIOW_ADDRESS_SIZE];
    int32_t rc = miow_tcp_accept(d->listener, &src, peer, sizeof peer);
    if (rc == MIOW_EWOULDBLOCK) return; /* none left; the listener is armed again */
    check(rc, "miow_tcp_accept");
    if (d->accepted == CLIENT_COUNT) die("more connections than clients");
    size_t i = d->accepted++;
    d->connections[i].src = src;
    d->open_connections++;
    check(miow_source_register(src, d->sel, TOKEN_CONNECTION + i,
                               MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE),
          "miow_source_register(connection)");
    printf("server: accepted connection %zu from %s\n", i, peer);
  }
}

/* Writes back what was read, then reads more, until the socket would block either way. */
static void connection_ready(demo *d, connection *c, uint32_t readiness) {
  int has_pending = c->written < c->length;
  if (!wants_read(readiness) && !has_pending) return; /* WRITABLE, nothing to send */
  for (;;) {
    while (c->written < c->length) {
      size_t n;
      int32_t rc = miow_source_write(c->src, c->buffer + c->written, c->length - c->written, &n);
      if (rc == MIOW_EWOULDBLOCK) return; /* the client reads slower: WRITABLE will follow */
      check(rc, "miow_source_write(connection)");
      c->written += n;
    }
    size_t n;
    int32_t rc = miow_source_read(c->src, c->buffer, sizeof c->buffer, &n);
    if (rc == MIOW_EWOULDBLOCK) return; /* drained: READABLE will follow new data */
    check(rc, "miow_source_read(connection)");
    if (n == 0) {
      /* Freeing a source the library created closes its socket: the client reads the end. */
      printf("server: a client finished after %zu bytes; closing its connection\n", c->echoed);
      check(miow_source_free(c->src), "miow_source_free(connection)");
      c->src = NULL;
      d->open_connections--;
      return;
    }
    c->length = n;
    c->written = 0;
    c->echoed += n;
  }
}

/* ---- the clients ----------------------------------------------------------------------- */

/* Sends what is left of the current message, until it is all sent or the socket is full. */
static void client_send(client *c, size_t id) {
  if (c->message == MESSAGE_COUNT) return;
  const message *m = &messages[c->message];
  while (c->written < m->length) {
    size_t n;
    int32_t rc = miow_source_write(c->src, m->data + c->written, m->length - c->written, &n);
    if (rc == MIOW_EWOULDBLOCK) {
      printf("client %zu: sent %zu of %zu bytes; waiting for WRITABLE\n", id, c->written,
             m->length);
      c->waiting = 1;
      return;
    }
    check(rc, "miow_source_write(client)");
    c->written += n;
  }
  if (c->waiting) printf("client %zu: sent the rest of %s\n", id, m->label);
  c->waiting = 0;
}

/* Moves on to the next message, or after the last one sends end of stream. */
static void client_next(client *c, size_t id) {
  c->message++;
  c->written = 0;
  c->verified = 0;
  if (c->message < MESSAGE_COUNT) {
    printf("client %zu: sending %s\n", id, messages[c->message].label);
    client_send(c, id);
  } else {
    check(miow_source_shutdown(c->src, MIOW_SHUT_WRITE), "miow_source_shutdown(client)");
    printf("client %zu: all echoes verified; shut down sending\n", id);
  }
}

/* Checks received bytes against the message they should echo. */
static void client_verify(client *c, size_t id, const char *data, size_t n) {
  if (c->message == MESSAGE_COUNT) die("client %zu: received bytes it never sent", id);
  const message *m = &messages[c->message];
  if (n > m->length - c->verified) die("client %zu: the echo of %s is too long", id, m->label);
  if (n > c->written - c->verified) die("client %zu: an echo of bytes not yet sent", id);
  if (memcmp(data, m->data + c->verified, n) != 0)
    die("client %zu: the echo of %s differs", id, m->label);
  c->verified += n;
  if (c->verified == m->length) {
    printf("client %zu: echo of %s verified\n", id, m->label);
    client_next(c, id);
  }
}

static void client_receive(demo *d, client *c, size_t id) {
  for (;;) {
    char buffer[16 * 1024];
    size_t n;
    int32_t rc = miow_source_read(c->src, buffer, sizeof buffer, &n);
    if (rc == MIOW_EWOULDBLOCK) return;
    check(rc, "miow_source_read(client)");
    if (n == 0) {
      if (c->message < MESSAGE_COUNT) die("client %zu: the server closed early", id);
      printf("client %zu: the server closed the connection; done\n", id);
      check(miow_source_free(c->src), "miow_source_free(client)");
      c->src = NULL;
      d->open_clients--;
      return;
    }
    client_verify(c, id, buffer, n);
  }
}

static void client_ready(demo *d, client *c, size_t id, uint32_t readiness) {
  if (!c->connected) {
    /* The connect has ended when WRITABLE is reported; the pending error says how. */
    if (!(readiness & MIOW_WRITABLE)) return;
    int32_t error, os_error;
    check(miow_source_take_error(c->src, &error, &os_error), "miow_source_take_error");
    if (error != 0)
      die("client %zu: connect failed: %s (OS error %d)", id, miow_strerror(error), (int)os_error);
    char local[MIOW_ADDRESS_SIZE];
    check(miow_source_local_address(c->src, local, sizeof local), "miow_source_local_address");
    printf("client %zu: connected from %s; sending %s\n", id, local, messages[0].label);
    c->connected = 1;
  }
  client_send(c, id); /* after a connect, or when a partial write waits for room */
  if (c->src != NULL && wants_read(readiness)) client_receive(d, c, id);
}

/* ---- the loop -------------------------------------------------------------------------- */

static void dispatch(demo *d, const miow_event *ev) {
  print_event(ev);
  if (ev->token == TOKEN_LISTENER) {
    listener_ready(d);
  } else if (ev->token >= TOKEN_CONNECTION && ev->token < TOKEN_CONNECTION + CLIENT_COUNT) {
    connection *c = &d->connections[ev->token - TOKEN_CONNECTION];
    if (c->src != NULL) connection_ready(d, c, ev->readiness);
  } else if (ev->token >= TOKEN_CLIENT && ev->token < TOKEN_CLIENT + CLIENT_COUNT) {
    size_t id = (size_t)(ev->token - TOKEN_CLIENT);
    if (d->clients[id].src != NULL) client_ready(d, &d->clients[id], id, ev->readiness);
  } else {
    die("unknown token %u", (unsigned)ev->token);
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("echo demo: miowin %s\n", miow_version_string());
  if ((miow_version() >> 16) != MIOW_VERSION_MAJOR) {
    die("the loaded miowin has another major version");
  }
  for (size_t i = 0; i < sizeof big_message; i++) big_message[i] = (char)('a' + i * 7 % 26);

  demo d;
  memset(&d, 0, sizeof d);
  check(miow_selector_new(&d.sel), "miow_selector_new");

  /* Port 0: the OS picks a free port; the listener's address tells which. */
  check(miow_tcp_listen(&d.listener, "127.0.0.1:0", 0), "miow_tcp_listen");
  char address[MIOW_ADDRESS_SIZE];
  check(miow_source_local_address(d.listener, address, sizeof address),
        "miow_source_local_address(listener)");
  check(miow_source_register(d.listener, d.sel, TOKEN_LISTENER, MIOW_READABLE | MIOW_EDGE),
        "miow_source_register(listener)");
  printf("server: listening on %s\n", address);

  /* A connect returns at once; WRITABLE reports when it has ended. */
  for (size_t i = 0; i < CLIENT_COUNT; i++) {
    check(miow_tcp_connect(&d.clients[i].src, address), "miow_tcp_connect");
    check(miow_source_register(d.clients[i].src, d.sel, TOKEN_CLIENT + i,
                               MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE),
          "miow_source_register(client)");
    d.open_clients++;
    printf("client %zu: connecting\n", i);
  }

  time_t deadline = time(NULL) + TIME_LIMIT_S;
  while (d.open_clients > 0 || d.open_connections > 0) {
    if (time(NULL) > deadline) die("gave up after %d s", TIME_LIMIT_S);
    miow_event events[16];
    size_t count = 0;
    check(miow_selector_poll(d.sel, events, sizeof events / sizeof events[0], &count, 1000),
          "miow_selector_poll");
    for (size_t i = 0; i < count; i++) dispatch(&d, &events[i]);
  }
  if (d.accepted != CLIENT_COUNT) die("accepted %zu connections", d.accepted);

  /* Freeing a source deregisters it and, for these, closes the socket. */
  check(miow_source_free(d.listener), "miow_source_free(listener)");
  check(miow_selector_free(d.sel), "miow_selector_free");
  printf("echo demo: OK\n");
  return 0;
}

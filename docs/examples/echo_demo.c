/* echo_demo: a TCP echo over loopback, driven by one miowin selector on one thread. The client
 * connects, sends a few messages and checks each echo; the server echoes in edge mode; a waker
 * fired from a second thread ends the loop. Every event is printed as it arrives.
 *
 * Exit status 0 and a last line "echo demo: OK" on success; 1 and a reason on any failure,
 * including when the exchange has not finished after DEMO_TIME_LIMIT_MS.
 *
 * The same source builds for Windows (miowin.dll over AFD) and Linux (libmiowin.so over epoll):
 * the few calls that differ between the two systems (sockets, threads, the clock) are in
 * demo_platform.h, implemented by platform/win.c and platform/posix.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miowin.h"
#include "demo_platform.h"

#define DEMO_TIME_LIMIT_MS 10000

/* The token of each registration: the loop dispatches on it. */
enum {
  TOKEN_LISTENER = 1,
  TOKEN_CLIENT = 2,
  TOKEN_SERVER = 3,
  TOKEN_WAKER = 4,
};

static const char *const messages[] = {"hello", "readiness from AFD or epoll", "goodbye"};
#define MESSAGE_COUNT (sizeof messages / sizeof messages[0])

typedef struct demo {
  miow_selector *sel;
  miow_waker *waker;
  demo_thread *waker_thread;

  miow_socket_t listener;
  miow_source *listener_src;

  /* The client side: connects, sends messages[next], waits for its echo in echo[]. */
  miow_socket_t client;
  miow_source *client_src;
  int connected;
  size_t next;
  char echo[64];
  size_t echo_len;

  /* The server's side of the accepted connection. */
  miow_socket_t server;
  miow_source *server_src;

  int done;
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

/* A failed socket call: the OS error is WSAGetLastError() on Windows, errno elsewhere. */
static void die_socket(const char *what) {
  die("%s: socket error %d", what, demo_last_socket_error());
}

static const char *token_name(uint64_t token) {
  switch (token) {
  case TOKEN_LISTENER: return "listener";
  case TOKEN_CLIENT: return "client";
  case TOKEN_SERVER: return "server";
  case TOKEN_WAKER: return "waker";
  default: return "?";
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
  printf("event: token=%u (%s) readiness=%s\n", (unsigned)ev->token, token_name(ev->token),
         text[0] != '\0' ? text : "(none)");
}

static void set_nonblocking(miow_socket_t s) {
  if (demo_set_nonblocking(s) != 0) die_socket("set_nonblocking");
}

/* ---- the listener ---------------------------------------------------------------------- */

static void listener_readable(demo *d) {
  for (;;) {
    miow_socket_t s = demo_accept(d->listener);
    if (s == DEMO_INVALID_SOCKET) {
      if (demo_would_block(demo_last_socket_error())) return; /* level mode: nothing to re-arm */
      die_socket("accept");
    }
    if (d->server != DEMO_INVALID_SOCKET) die("a second connection arrived");
    d->server = s;
    set_nonblocking(s);
    /* Edge mode: READABLE is reported once, then stays silent until we rearm. */
    check(miow_source_new(&d->server_src, s), "miow_source_new(server)");
    check(miow_source_register(d->server_src, d->sel, TOKEN_SERVER, MIOW_READABLE | MIOW_EDGE),
          "miow_source_register(server)");
    printf("server: accepted a connection, registered READABLE|EDGE\n");
  }
}

/* ---- the server: echoes everything, in edge mode ---------------------------------------- */

static void server_readable(demo *d) {
  char buf[256];
  for (;;) {
    int n = demo_recv(d->server, buf, (int)sizeof buf);
    if (n > 0) {
      /* A few bytes over loopback always fit in the send buffer; a real server would keep
       * what send() did not take and register WRITABLE for it. */
      if (demo_send(d->server, buf, n) != n) die_socket("send(server)");
      printf("server: echoed %d bytes\n", n);
    } else if (n == 0) {
      printf("server: the client finished sending; closing\n");
      check(miow_source_free(d->server_src), "miow_source_free(server)");
      d->server_src = NULL;
      demo_close_socket(d->server);
      d->server = DEMO_INVALID_SOCKET;
      return;
    } else if (demo_would_block(demo_last_socket_error())) {
      /* Drained: only now may READABLE be reported again. */
      check(miow_source_rearm(d->server_src), "miow_source_rearm(server)");
      return;
    } else {
      die_socket("recv(server)");
    }
  }
}

/* ---- the client ------------------------------------------------------------------------ */

static void client_send_next(demo *d) {
  const char *msg = messages[d->next];
  int len = (int)strlen(msg);
  if (demo_send(d->client, msg, len) != len) die_socket("send(client)");
  printf("client: sent \"%s\"\n", msg);
  d->echo_len = 0;
}

/* Runs on the second thread: miow_waker_wake() is the one call that may come from any thread. */
static int wake_from_another_thread(void *arg) {
  miow_waker *waker = arg;
  demo_sleep_ms(50);
  return miow_waker_wake(waker) == MIOW_OK ? 0 : 1;
}

static void client_connected(demo *d, uint32_t readiness) {
  int err = 0;
  if (demo_socket_error(d->client, &err) != 0) die_socket("getsockopt(SO_ERROR)");
  if ((readiness & MIOW_ERROR) || err != 0) die("connect failed: socket error %d", err);
  d->connected = 1;
  /* The oneshot registration is disarmed now; reregister replaces its interests entirely. */
  check(miow_source_reregister(d->client_src, d->sel, TOKEN_CLIENT, MIOW_READABLE),
        "miow_source_reregister(client)");
  printf("client: connected, reregistered READABLE (level)\n");
  client_send_next(d);
}

static void client_readable(demo *d) {
  for (;;) {
    /* The buffer always has room: an echo longer than its message is an error below. */
    int n = demo_recv(d->client, d->echo + d->echo_len, (int)(sizeof d->echo - d->echo_len));
    if (n > 0) {
      if (d->next >= MESSAGE_COUNT) die("data after the last echo");
      size_t want = strlen(messages[d->next]);
      d->echo_len += (size_t)n;
      if (d->echo_len > want) die("the echo is longer than the message");
      if (d->echo_len < want) continue;
      if (memcmp(d->echo, messages[d->next], want) != 0) die("the echo differs");
      printf("client: echo of \"%s\" verified\n", messages[d->next]);
      if (++d->next < MESSAGE_COUNT) {
        client_send_next(d);
      } else {
        if (demo_shutdown_send(d->client) != 0) die_socket("shutdown(client)");
        printf("client: all echoes verified; sent FIN\n");
      }
    } else if (n == 0) {
      if (d->next < MESSAGE_COUNT) die("the server closed early");
      printf("client: the server closed; deregistering and waking from another thread\n");
      check(miow_source_deregister(d->client_src, d->sel), "miow_source_deregister(client)");
      d->waker_thread = demo_thread_start(wake_from_another_thread, d->waker);
      if (d->waker_thread == NULL) die("could not start the waking thread");
      return;
    } else if (demo_would_block(demo_last_socket_error())) {
      return; /* level mode: reported again whenever data is waiting */
    } else {
      die_socket("recv(client)");
    }
  }
}

/* ---- the loop -------------------------------------------------------------------------- */

static void dispatch(demo *d, const miow_event *ev) {
  print_event(ev);
  switch (ev->token) {
  case TOKEN_LISTENER:
    listener_readable(d);
    break;
  case TOKEN_CLIENT:
    if (!d->connected) client_connected(d, ev->readiness);
    else client_readable(d);
    break;
  case TOKEN_SERVER:
    /* An earlier event of the same batch may have closed the server side already. */
    if (d->server_src != NULL) server_readable(d);
    break;
  case TOKEN_WAKER:
    printf("waker: woken by the second thread; leaving the loop\n");
    d->done = 1;
    break;
  default:
    die("unknown token %u", (unsigned)ev->token);
  }
}

static miow_socket_t open_listener(uint16_t *port) {
  miow_socket_t s = demo_tcp_socket();
  if (s == DEMO_INVALID_SOCKET) die_socket("socket(listener)");
  /* 127.0.0.1 on any free port; *port tells which. */
  if (demo_listen_loopback(s, port) != 0) die_socket("bind/listen(listener)");
  set_nonblocking(s);
  return s;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("echo demo: miowin %s\n", miow_version_string());
  if ((miow_version() >> 16) != MIOW_VERSION_MAJOR) {
    die("the loaded miowin has another major version");
  }
  if (demo_net_init() != 0) die("could not start the socket layer");

  demo d;
  memset(&d, 0, sizeof d);
  d.server = DEMO_INVALID_SOCKET;

  check(miow_selector_new(&d.sel), "miow_selector_new");
  check(miow_waker_new(d.sel, TOKEN_WAKER, &d.waker), "miow_waker_new");

  uint16_t port = 0;
  d.listener = open_listener(&port);
  check(miow_source_new(&d.listener_src, d.listener), "miow_source_new(listener)");
  check(miow_source_register(d.listener_src, d.sel, TOKEN_LISTENER, MIOW_READABLE),
        "miow_source_register(listener)");
  printf("listener: 127.0.0.1:%u, registered READABLE (level)\n", (unsigned)port);

  d.client = demo_tcp_socket();
  if (d.client == DEMO_INVALID_SOCKET) die_socket("socket(client)");
  set_nonblocking(d.client);
  if (demo_connect_loopback(d.client, port) != 0 &&
      !demo_would_block(demo_last_socket_error())) {
    die_socket("connect");
  }
  /* A non-blocking connect completes when the socket turns writable; one report is enough. */
  check(miow_source_new(&d.client_src, d.client), "miow_source_new(client)");
  check(miow_source_register(d.client_src, d.sel, TOKEN_CLIENT, MIOW_WRITABLE | MIOW_ONESHOT),
        "miow_source_register(client)");
  printf("client: connecting, registered WRITABLE|ONESHOT\n");

  uint64_t deadline = demo_monotonic_ms() + DEMO_TIME_LIMIT_MS;
  while (!d.done) {
    uint64_t now = demo_monotonic_ms();
    if (now >= deadline) die("gave up after %d ms", DEMO_TIME_LIMIT_MS);
    miow_event events[8];
    size_t count = 0;
    check(miow_selector_poll(d.sel, events, sizeof events / sizeof events[0], &count,
                             (int64_t)(deadline - now)),
          "miow_selector_poll");
    for (size_t i = 0; i < count && !d.done; i++) dispatch(&d, &events[i]);
  }

  int thread_result = 1;
  if (demo_thread_join(d.waker_thread, 5000, &thread_result) != 0) die("the waking thread hung");
  if (thread_result != 0) die("miow_waker_wake failed in the second thread");

  /* Free the sources before closing their sockets; any order among the objects is fine. */
  if (d.server_src != NULL) check(miow_source_free(d.server_src), "miow_source_free(server)");
  if (d.server != DEMO_INVALID_SOCKET) demo_close_socket(d.server);
  check(miow_source_free(d.listener_src), "miow_source_free(listener)");
  check(miow_source_free(d.client_src), "miow_source_free(client)");
  check(miow_waker_free(d.waker), "miow_waker_free");
  check(miow_selector_free(d.sel), "miow_selector_free");
  demo_close_socket(d.listener);
  demo_close_socket(d.client);
  demo_net_cleanup();

  printf("echo demo: OK\n");
  return 0;
}

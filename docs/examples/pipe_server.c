/* pipe_server: a named-pipe server for many clients at once, in the pattern every Windows pipe
 * server follows: it keeps one instance of the pipe listening, and when that instance gets its
 * client it serves it and creates the next listening one (miow_pipe_create_ex(), unlimited
 * instances). The clients run in the same thread, on the same selector, so that the program
 * is self-contained; it includes no OS header.
 *
 * CLIENTS clients open the pipe one after another, without waiting for each other: a client
 * that finds no listening instance (the server has not created the next one yet) is told
 * MIOW_EPIPEBUSY and tries again after the next poll. Once connected, each sends one line,
 * "client <k> says hello", and the server answers each line with "echo: <line>", which the
 * client checks. Every source is registered in edge mode: after an event the program reads or
 * writes until MIOW_EWOULDBLOCK, which re-arms it.
 *
 * Exit status 0 and a last line "pipe server: OK" on success; 1 and a reason on any failure,
 * including when the exchange has not finished after TIME_LIMIT_S seconds. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "miowin.h"

#define CLIENTS 16
#define TIME_LIMIT_S 20
#define LINE_MAX 64
/* Tokens: the server instance serving client slot k is SERVER_BASE + k, the client CLIENT_BASE + k. */
#define SERVER_BASE 100
#define CLIENT_BASE 200
#define EDGE_RW (MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE)

/* One side of a conversation: what it has read, and what it still has to write. */
typedef struct conn {
  miow_source *pipe;
  char in[LINE_MAX * 2];
  size_t in_length;
  char out[LINE_MAX * 2];
  size_t out_length, out_written;
  int done; /* a client that got its echo */
} conn;

typedef struct program {
  miow_selector *sel;
  const char *name;
  conn servers[CLIENTS + 1]; /* instance k serves client k; the last one is only listening */
  conn clients[CLIENTS];
  size_t listening;          /* the instance waiting for the next client */
  size_t opened;             /* clients that have opened the pipe */
  size_t answered;           /* clients that got their echo */
} program;

static int fail(const char *what, int32_t rc) {
  fprintf(stderr, "pipe server: %s failed: %s (OS error %d)\n", what, miow_strerror(rc),
          (int)miow_last_os_error());
  return 1;
}

/* Writes what is queued until done or MIOW_EWOULDBLOCK (which re-arms WRITABLE). */
static int conn_flush(conn *c) {
  while (c->out_written < c->out_length) {
    size_t sent;
    int32_t rc = miow_source_write(c->pipe, c->out + c->out_written,
                                   c->out_length - c->out_written, &sent);
    if (rc == MIOW_EWOULDBLOCK) return 0;
    if (rc != 0) return fail("write", rc);
    c->out_written += sent;
  }
  return 0;
}

/* Reads until MIOW_EWOULDBLOCK (which re-arms READABLE). */
static int conn_fill(conn *c) {
  for (;;) {
    size_t n;
    size_t room = sizeof c->in - 1 - c->in_length;
    if (room == 0) return fail("read (line too long)", MIOW_EMSGSIZE);
    int32_t rc = miow_source_read(c->pipe, c->in + c->in_length, room, &n);
    if (rc == MIOW_EWOULDBLOCK) return 0;
    if (rc != 0) return fail("read", rc);
    if (n == 0) return 0; /* end of stream */
    c->in_length += n;
    c->in[c->in_length] = '\0';
  }
}

/* Creates the next listening instance and starts its connect. */
static int listen_next(program *p) {
  conn *s = &p->servers[p->listening];
  int32_t rc = miow_pipe_create_ex(&s->pipe, p->name, 0, 0,
                                   p->listening == 0 ? MIOW_PIPE_FIRST_INSTANCE : 0);
  if (rc != 0) return fail("create", rc);
  rc = miow_source_register(s->pipe, p->sel, SERVER_BASE + p->listening, EDGE_RW);
  if (rc != 0) return fail("register", rc);
  rc = miow_pipe_connect(s->pipe);
  if (rc != 0 && rc != MIOW_EWOULDBLOCK) return fail("connect", rc);
  return 0;
}

/* The listening instance reported: if its client is there, it serves it, and a new instance
 * listens for the next client. */
static int server_serve(conn *s);

static int server_accept(program *p) {
  int32_t rc = miow_pipe_connect(p->servers[p->listening].pipe);
  if (rc == MIOW_EWOULDBLOCK) return 0;
  if (rc != 0) return fail("connect", rc);
  printf("server: instance %u has a client\n", (unsigned)p->listening);
  conn *s = &p->servers[p->listening++];
  if (p->listening <= CLIENTS && listen_next(p) != 0) return 1;
  /* The client may have written already: edge mode reports that once, folded into this
   * event, so the new connection is served now, until it would block. */
  return server_serve(s);
}

/* A server instance answers each whole line it has read. */
static int server_serve(conn *s) {
  if (conn_fill(s) != 0) return 1;
  char *end = memchr(s->in, '\n', s->in_length);
  if (end != NULL && s->out_length == 0) {
    s->out_length = (size_t)snprintf(s->out, sizeof s->out, "echo: %.*s\n",
                                     (int)(end - s->in), s->in);
  }
  return conn_flush(s);
}

/* A client sends its line once connected, and checks the answer. */
static int client_serve(program *p, size_t k) {
  conn *c = &p->clients[k];
  if (conn_flush(c) != 0 || conn_fill(c) != 0) return 1;
  if (!c->done && c->in_length > 0 && c->in[c->in_length - 1] == '\n') {
    char expected[LINE_MAX * 2];
    snprintf(expected, sizeof expected, "echo: client %u says hello\n", (unsigned)k);
    if (strcmp(c->in, expected) != 0) {
      fprintf(stderr, "pipe server: client %u got \"%s\"\n", (unsigned)k, c->in);
      return 1;
    }
    c->done = 1;
    p->answered++;
  }
  return 0;
}

/* Opens the next client, unless no instance listens yet (busy: tried again after a poll). */
static int client_open(program *p) {
  conn *c = &p->clients[p->opened];
  int32_t rc = miow_pipe_open(&c->pipe, p->name);
  if (rc == MIOW_EPIPEBUSY) return 0;
  if (rc != 0) return fail("open", rc);
  rc = miow_source_register(c->pipe, p->sel, CLIENT_BASE + p->opened, EDGE_RW);
  if (rc != 0) return fail("register", rc);
  c->out_length = (size_t)snprintf(c->out, sizeof c->out, "client %u says hello\n",
                                   (unsigned)p->opened);
  p->opened++;
  return conn_flush(c);
}

static int run(program *p) {
  if (listen_next(p) != 0) return 1;
  time_t give_up = time(NULL) + TIME_LIMIT_S;
  while (p->answered < CLIENTS) {
    if (time(NULL) > give_up) {
      fprintf(stderr, "pipe server: %u of %u clients answered in time\n", (unsigned)p->answered,
              CLIENTS);
      return 1;
    }
    if (p->opened < CLIENTS && client_open(p) != 0) return 1;
    miow_event events[32];
    size_t count;
    int32_t rc = miow_selector_poll(p->sel, events, 32, &count, 100);
    if (rc != 0) return fail("poll", rc);
    for (size_t i = 0; i < count; i++) {
      size_t token = (size_t)events[i].token;
      int bad;
      if (token >= CLIENT_BASE)
        bad = client_serve(p, token - CLIENT_BASE);
      else if (token - SERVER_BASE == p->listening)
        bad = server_accept(p);
      else
        bad = server_serve(&p->servers[token - SERVER_BASE]);
      if (bad) return 1;
    }
  }
  return 0;
}

int main(void) {
  static program p;
  char name[64];
  snprintf(name, sizeof name, "\\\\.\\pipe\\miowin-pipe-server-%ld", (long)time(NULL));
  p.name = name;
  int32_t rc = miow_selector_new(&p.sel);
  if (rc != 0) return fail("selector", rc);
  printf("server: serving %s, one instance listening at a time\n", name);
  int status = run(&p);
  for (size_t k = 0; k < CLIENTS; k++) {
    if (p.clients[k].pipe != NULL) miow_source_free(p.clients[k].pipe);
  }
  for (size_t k = 0; k <= CLIENTS; k++) {
    if (p.servers[k].pipe != NULL) miow_source_free(p.servers[k].pipe);
  }
  miow_selector_free(p.sel);
  if (status == 0) printf("server: %u clients served\npipe server: OK\n", CLIENTS);
  return status;
}

/* The methods under test: both workloads on miowin's own sockets (miow_tcp_listen/connect/
 * accept, miow_udp_bind/connect) and I/O calls, written the way a host writes them. Three
 * registrations are compared:
 *   - edge: MIOW_EDGE for readability only, reading until MIOW_EWOULDBLOCK, which re-arms (the
 *     streams never fill a send buffer here, so they never need WRITABLE);
 *   - edge, R+W: MIOW_EDGE for readability and writability, as mio and tokio register every
 *     stream; a report of writability alone, with nothing to send, is left alone;
 *   - level: level-triggered readability, one read per report, as the WSAPoll loop does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_net.h"
#include "miowin.h"

#define EVENT_CAPACITY 256
#define TOKEN_LISTENER UINT64_MAX

typedef enum miowin_mode { MODE_EDGE, MODE_EDGE_RW, MODE_LEVEL } miowin_mode;

/* One TCP stream: a client, which sends and verifies, or the server side, which echoes. */
typedef struct stream {
  miow_source *src;
  bool client;
  bool connected;
  uint32_t sequence;
  size_t received; /* bytes of the current echo received */
  double sent_at;
  unsigned char out[NET_MESSAGE_MAX];
  unsigned char in[NET_MESSAGE_MAX];
} stream;

/* One UDP pair: the pinger, connected to its ponger. */
typedef struct pair {
  miow_source *pinger;
  miow_source *ponger;
  uint32_t sequence;
  double sent_at;
  unsigned char out[NET_MESSAGE_MAX];
} pair;

typedef struct miowin_state {
  miowin_mode mode;
  uint32_t interests; /* of every registration once the workload runs */
  size_t message_size;
  miow_selector *selector;
  /* TCP: clients at [0, count), server sides at [count, 2 * count); tokens are the indexes. */
  stream *streams;
  size_t stream_count;
  /* UDP: pinger i has token 2i, its ponger 2i + 1. */
  pair *pairs;
  size_t pair_count;
} miowin_state;

static int miowin__fail(char *error, size_t error_size, const char *what, int32_t code) {
  return net_fail(error, error_size, "%s: %s (%d, OS error %ld)", what, miow_strerror(code),
                  (int)code, (long)miow_last_os_error());
}

static uint32_t miowin__interests(miowin_mode mode) {
  switch (mode) {
    case MODE_EDGE: return MIOW_READABLE | MIOW_EDGE;
    case MODE_EDGE_RW: return MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE;
    default: return MIOW_READABLE;
  }
}

/* The readiness that calls for a read: data, end of stream, or an error to collect. */
static bool miowin__wants_read(uint32_t readiness) {
  return (readiness & (MIOW_READABLE | MIOW_READ_CLOSED | MIOW_ERROR)) != 0;
}

static miowin_state *miowin__new(miowin_mode mode, const net_config *config, char *error,
                                 size_t error_size) {
  miowin_state *state = calloc(1, sizeof *state);
  if (state == NULL) {
    net_fail(error, error_size, "out of memory");
    return NULL;
  }
  state->mode = mode;
  state->interests = miowin__interests(mode);
  state->message_size = config->message_size;
  int32_t rc = miow_selector_new(&state->selector);
  if (rc != MIOW_OK) {
    miowin__fail(error, error_size, "miow_selector_new", rc);
    free(state);
    return NULL;
  }
  return state;
}

/* Writes a whole message: a send buffer with room for it is part of the workload. */
static int miowin__write_all(miow_source *src, const void *data, size_t length, char *error,
                             size_t error_size) {
  size_t sent = 0;
  int32_t rc = miow_source_write(src, data, length, &sent);
  if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_source_write", rc);
  if (sent != length)
    return net_fail(error, error_size, "a %zu-byte write sent %zu bytes", length, sent);
  return 0;
}

/* ---- TCP echo --------------------------------------------------------------------------- */

static void miowin__tcp_close(void *opaque) {
  miowin_state *state = opaque;
  for (size_t i = 0; i < state->stream_count; i++) {
    if (state->streams[i].src != NULL) miow_source_free(state->streams[i].src);
  }
  free(state->streams);
  miow_selector_free(state->selector);
  free(state);
}

static int miowin__client_send(stream *s, size_t size, uint32_t index, char *error,
                               size_t error_size) {
  net_fill_message(s->out, size, index, ++s->sequence);
  s->received = 0;
  s->sent_at = net_now();
  return miowin__write_all(s->src, s->out, size, error, error_size);
}

/* Connects every client to a server side through one listener, then puts a message in flight
 * on each client. */
static int miowin__tcp_setup(miowin_state *state, size_t count, char *error, size_t error_size) {
  state->streams = calloc(2 * count, sizeof *state->streams);
  if (state->streams == NULL) return net_fail(error, error_size, "out of memory");
  miow_source *listener = NULL;
  int32_t rc = miow_tcp_listen(&listener, "127.0.0.1:0", 0);
  if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_tcp_listen", rc);
  char address[MIOW_ADDRESS_SIZE];
  rc = miow_source_local_address(listener, address, sizeof address);
  if (rc == MIOW_OK)
    rc = miow_source_register(listener, state->selector, TOKEN_LISTENER, MIOW_READABLE);
  if (rc != MIOW_OK) {
    miow_source_free(listener);
    return miowin__fail(error, error_size, "listener", rc);
  }
  /* A connect has ended when WRITABLE is reported: one report is all that is wanted. */
  for (size_t i = 0; i < count && rc == MIOW_OK; i++) {
    stream *s = &state->streams[i];
    s->client = true;
    rc = miow_tcp_connect(&s->src, address);
    state->stream_count = i + 1;
    if (rc == MIOW_OK)
      rc = miow_source_register(s->src, state->selector, i, MIOW_WRITABLE | MIOW_ONESHOT);
  }
  if (rc != MIOW_OK) {
    miow_source_free(listener);
    return miowin__fail(error, error_size, "connect", rc);
  }

  size_t accepted = 0, connected = 0;
  double last_progress = net_now();
  while ((accepted < count || connected < count) && rc == MIOW_OK) {
    miow_event events[EVENT_CAPACITY];
    size_t n = 0;
    rc = miow_selector_poll(state->selector, events, EVENT_CAPACITY, &n, 1000);
    if (rc != MIOW_OK) break;
    if (n > 0) last_progress = net_now();
    if (net_now() - last_progress > NET_STALL_SECONDS) {
      miow_source_free(listener);
      return net_fail(error, error_size, "set-up stalled at %zu accepted, %zu connected", accepted,
                      connected);
    }
    for (size_t e = 0; e < n && rc == MIOW_OK; e++) {
      if (events[e].token == TOKEN_LISTENER) {
        for (;;) {
          miow_source *src;
          rc = miow_tcp_accept(listener, &src, NULL, 0);
          if (rc == MIOW_EWOULDBLOCK) {
            rc = MIOW_OK;
            break;
          }
          if (rc != MIOW_OK) break;
          if (accepted == count) {
            miow_source_free(src);
            miow_source_free(listener);
            return net_fail(error, error_size, "more connections than clients");
          }
          stream *s = &state->streams[count + accepted++];
          s->src = src;
          state->stream_count = count + accepted;
          rc = miow_source_set_option(src, MIOW_OPT_NODELAY, 1);
          if (rc == MIOW_OK)
            rc = miow_source_register(src, state->selector, count + accepted - 1, state->interests);
        }
      } else {
        stream *s = &state->streams[events[e].token];
        int32_t pending = 0;
        rc = miow_source_take_error(s->src, &pending, NULL);
        if (rc == MIOW_OK && pending != 0) {
          miow_source_free(listener);
          return miowin__fail(error, error_size, "connect failed", pending);
        }
        if (rc == MIOW_OK && !s->connected) {
          s->connected = true;
          connected++;
        }
      }
    }
  }
  miow_source_free(listener);
  if (rc != MIOW_OK) return miowin__fail(error, error_size, "set-up", rc);

  for (size_t i = 0; i < count; i++) {
    stream *s = &state->streams[i];
    rc = miow_source_set_option(s->src, MIOW_OPT_NODELAY, 1);
    if (rc == MIOW_OK) rc = miow_source_reregister(s->src, state->selector, i, state->interests);
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "client registration", rc);
    if (miowin__client_send(s, state->message_size, (uint32_t)i, error, error_size) != 0) return -1;
  }
  return 0;
}

/* The server side: writes back what it reads. Returns the bytes echoed, or -1. */
static long miowin__server_ready(miowin_state *state, stream *s, char *error, size_t error_size) {
  long echoed = 0;
  for (;;) {
    unsigned char buffer[NET_MESSAGE_MAX];
    size_t n = 0;
    int32_t rc = miow_source_read(s->src, buffer, sizeof buffer, &n);
    if (rc == MIOW_EWOULDBLOCK) return echoed;
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_source_read(server)", rc);
    if (n == 0) return net_fail(error, error_size, "a client closed its stream");
    if (miowin__write_all(s->src, buffer, n, error, error_size) != 0) return -1;
    echoed += (long)n;
    if (state->mode == MODE_LEVEL) return echoed; /* reported again while data waits */
  }
}

/* A client: collects the echo and, once it is whole and verified, sends the next message.
 * Returns the bytes received, or -1. */
static long miowin__client_ready(miowin_state *state, stream *s, uint32_t index, net_tally *tally,
                                 char *error, size_t error_size) {
  size_t size = state->message_size;
  long received = 0;
  for (;;) {
    size_t n = 0;
    int32_t rc = miow_source_read(s->src, s->in + s->received, size - s->received, &n);
    if (rc == MIOW_EWOULDBLOCK) return received;
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_source_read(client)", rc);
    if (n == 0) return net_fail(error, error_size, "the server closed stream %u", index);
    received += (long)n;
    s->received += n;
    if (s->received == size) {
      if (memcmp(s->in, s->out, size) != 0)
        return net_fail(error, error_size, "stream %u: wrong echo", index);
      if (net_tally_round_trip(tally, s->sent_at, error, error_size) != 0) return -1;
      if (miowin__client_send(s, size, index, error, error_size) != 0) return -1;
    }
    if (state->mode == MODE_LEVEL) return received;
  }
}

static int miowin__tcp_run(void *opaque, double seconds, net_tally *tally, char *error,
                           size_t error_size) {
  miowin_state *state = opaque;
  size_t count = state->stream_count / 2;
  double now = net_now(), end = now + seconds, last_progress = now;
  while (now < end) {
    miow_event events[EVENT_CAPACITY];
    size_t n = 0;
    int32_t rc = miow_selector_poll(state->selector, events, EVENT_CAPACITY, &n, 1000);
    tally->waits++;
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_selector_poll", rc);
    tally->events += n;
    bool progress = false;
    for (size_t e = 0; e < n; e++) {
      uint64_t token = events[e].token;
      stream *s = &state->streams[token];
      long moved = 0;
      if (miowin__wants_read(events[e].readiness)) {
        moved = s->client
                    ? miowin__client_ready(state, s, (uint32_t)token, tally, error, error_size)
                    : miowin__server_ready(state, s, error, error_size);
      }
      if (moved < 0) return -1;
      if (moved == 0) tally->idle_events++;
      progress |= moved > 0;
    }
    if (net_stalled(progress, &now, &last_progress))
      return net_fail(error, error_size, "no echo for %.0f s (%zu streams)", NET_STALL_SECONDS,
                      count);
  }
  return 0;
}

/* ---- UDP ping-pong ---------------------------------------------------------------------- */

static void miowin__udp_close(void *opaque) {
  miowin_state *state = opaque;
  for (size_t i = 0; i < state->pair_count; i++) {
    if (state->pairs[i].pinger != NULL) miow_source_free(state->pairs[i].pinger);
    if (state->pairs[i].ponger != NULL) miow_source_free(state->pairs[i].ponger);
  }
  free(state->pairs);
  miow_selector_free(state->selector);
  free(state);
}

static int miowin__ping(pair *p, size_t size, uint32_t index, char *error, size_t error_size) {
  net_fill_message(p->out, size, index, ++p->sequence);
  p->sent_at = net_now();
  return miowin__write_all(p->pinger, p->out, size, error, error_size);
}

static int miowin__udp_setup(miowin_state *state, size_t count, char *error, size_t error_size) {
  state->pairs = calloc(count, sizeof *state->pairs);
  if (state->pairs == NULL) return net_fail(error, error_size, "out of memory");
  for (size_t i = 0; i < count; i++) {
    pair *p = &state->pairs[i];
    state->pair_count = i + 1;
    char address[MIOW_ADDRESS_SIZE];
    int32_t rc = miow_udp_bind(&p->ponger, "127.0.0.1:0");
    if (rc == MIOW_OK) rc = miow_source_local_address(p->ponger, address, sizeof address);
    if (rc == MIOW_OK) rc = miow_udp_bind(&p->pinger, "127.0.0.1:0");
    if (rc == MIOW_OK) rc = miow_udp_connect(p->pinger, address);
    if (rc == MIOW_OK)
      rc = miow_source_register(p->pinger, state->selector, 2 * i, state->interests);
    if (rc == MIOW_OK)
      rc = miow_source_register(p->ponger, state->selector, 2 * i + 1, state->interests);
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "UDP set-up", rc);
  }
  for (size_t i = 0; i < count; i++) {
    if (miowin__ping(&state->pairs[i], state->message_size, (uint32_t)i, error, error_size) != 0)
      return -1;
  }
  return 0;
}

/* Answers each ping to the address it came from. Returns the datagrams answered, or -1. */
static long miowin__ponger_ready(miowin_state *state, pair *p, char *error, size_t error_size) {
  long answered = 0;
  for (;;) {
    unsigned char buffer[NET_MESSAGE_MAX];
    char from[MIOW_ADDRESS_SIZE];
    size_t n = 0, sent = 0;
    int32_t rc = miow_udp_recv_from(p->ponger, buffer, sizeof buffer, &n, from, sizeof from);
    if (rc == MIOW_EWOULDBLOCK) return answered;
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_udp_recv_from", rc);
    rc = miow_udp_send_to(p->ponger, buffer, n, from, &sent);
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_udp_send_to", rc);
    if (sent != n) return net_fail(error, error_size, "a datagram was sent in part");
    answered++;
    if (state->mode == MODE_LEVEL) return answered;
  }
}

/* Verifies each pong and sends the next ping. Returns the pongs received, or -1. */
static long miowin__pinger_ready(miowin_state *state, pair *p, uint32_t index, net_tally *tally,
                                 char *error, size_t error_size) {
  size_t size = state->message_size;
  long received = 0;
  for (;;) {
    unsigned char buffer[NET_MESSAGE_MAX];
    size_t n = 0;
    int32_t rc = miow_source_read(p->pinger, buffer, sizeof buffer, &n);
    if (rc == MIOW_EWOULDBLOCK) return received;
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_source_read(pinger)", rc);
    if (n != size || memcmp(buffer, p->out, size) != 0)
      return net_fail(error, error_size, "pair %u: wrong pong", index);
    received++;
    if (net_tally_round_trip(tally, p->sent_at, error, error_size) != 0) return -1;
    if (miowin__ping(p, size, index, error, error_size) != 0) return -1;
    if (state->mode == MODE_LEVEL) return received;
  }
}

static int miowin__udp_run(void *opaque, double seconds, net_tally *tally, char *error,
                           size_t error_size) {
  miowin_state *state = opaque;
  double now = net_now(), end = now + seconds, last_progress = now;
  while (now < end) {
    miow_event events[EVENT_CAPACITY];
    size_t n = 0;
    int32_t rc = miow_selector_poll(state->selector, events, EVENT_CAPACITY, &n, 1000);
    tally->waits++;
    if (rc != MIOW_OK) return miowin__fail(error, error_size, "miow_selector_poll", rc);
    tally->events += n;
    bool progress = false;
    for (size_t e = 0; e < n; e++) {
      uint32_t index = (uint32_t)(events[e].token / 2);
      pair *p = &state->pairs[index];
      long moved = 0;
      if (miowin__wants_read(events[e].readiness)) {
        moved = events[e].token % 2 == 0
                    ? miowin__pinger_ready(state, p, index, tally, error, error_size)
                    : miowin__ponger_ready(state, p, error, error_size);
      }
      if (moved < 0) return -1;
      if (moved == 0) tally->idle_events++;
      progress |= moved > 0;
    }
    if (net_stalled(progress, &now, &last_progress))
      return net_fail(error, error_size, "no pong for %.0f s", NET_STALL_SECONDS);
  }
  return 0;
}

/* ---- the three registrations ------------------------------------------------------------- */

/* Opens a workload: a state for `mode` with `setup` run on it, and `close` run on it instead
 * of returning it when the set-up fails. */
static int miowin__open(miowin_mode mode, int (*setup)(miowin_state *, size_t, char *, size_t),
                        void (*close)(void *), void **out, const net_config *config, char *error,
                        size_t error_size) {
  miowin_state *state = miowin__new(mode, config, error, error_size);
  if (state == NULL) return -1;
  if (setup(state, config->count, error, error_size) != 0) {
    close(state);
    return -1;
  }
  *out = state;
  return 0;
}

static int miowin__tcp_open(miowin_mode mode, void **out, const net_config *config, char *error,
                            size_t error_size) {
  return miowin__open(mode, miowin__tcp_setup, miowin__tcp_close, out, config, error, error_size);
}

static int miowin__udp_open(miowin_mode mode, void **out, const net_config *config, char *error,
                            size_t error_size) {
  return miowin__open(mode, miowin__udp_setup, miowin__udp_close, out, config, error, error_size);
}

static int edge_tcp_open(void **out, const net_config *config, char *error, size_t size) {
  return miowin__tcp_open(MODE_EDGE, out, config, error, size);
}
static int edge_udp_open(void **out, const net_config *config, char *error, size_t size) {
  return miowin__udp_open(MODE_EDGE, out, config, error, size);
}
static int edge_rw_tcp_open(void **out, const net_config *config, char *error, size_t size) {
  return miowin__tcp_open(MODE_EDGE_RW, out, config, error, size);
}
static int level_tcp_open(void **out, const net_config *config, char *error, size_t size) {
  return miowin__tcp_open(MODE_LEVEL, out, config, error, size);
}
static int level_udp_open(void **out, const net_config *config, char *error, size_t size) {
  return miowin__udp_open(MODE_LEVEL, out, config, error, size);
}

const net_method net_miowin_edge = {
    .key = "miowin",
    .name = "miowin edge",
    .description =
        "miowin, MIOW_READABLE | MIOW_EDGE, reads until MIOW_EWOULDBLOCK (which "
        "re-arms)",
    .afd_counted = true,
    .tcp = {edge_tcp_open, miowin__tcp_run, miowin__tcp_close},
    .udp = {edge_udp_open, miowin__udp_run, miowin__udp_close},
};

const net_method net_miowin_edge_rw = {
    .key = "miowin_rw",
    .name = "miowin edge R+W",
    .description =
        "miowin, MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE as mio registers streams; "
        "a writable-only report is left alone (TCP only)",
    .afd_counted = true,
    .tcp = {edge_rw_tcp_open, miowin__tcp_run, miowin__tcp_close},
    .udp = {NULL, NULL, NULL},
};

const net_method net_miowin_level = {
    .key = "miowin_level",
    .name = "miowin level",
    .description = "miowin, level-triggered MIOW_READABLE, one read per report",
    .afd_counted = true,
    .tcp = {level_tcp_open, miowin__tcp_run, miowin__tcp_close},
    .udp = {level_udp_open, miowin__udp_run, miowin__udp_close},
};

/* The baseline: both workloads written directly against Winsock, with non-blocking sockets and
 * one WSAPoll over all of them per wait, as a host without miowin writes them. Level-triggered
 * by nature: one read per report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_net.h"

/* One socket's part: a TCP client or server side, or a UDP pinger or ponger. */
typedef struct endpoint {
  SOCKET sock;
  bool sender; /* TCP client or UDP pinger: sends, verifies, times */
  uint32_t sequence;
  size_t received;
  double sent_at;
  unsigned char out[NET_MESSAGE_MAX];
  unsigned char in[NET_MESSAGE_MAX];
} endpoint;

typedef struct wsapoll_state {
  bool udp;
  size_t message_size;
  /* TCP: clients at [0, count), server sides at [count, 2 * count). UDP: pinger i at 2i, its
   * ponger at 2i + 1. fds[i] watches endpoints[i]. */
  endpoint *endpoints;
  WSAPOLLFD *fds;
  size_t count;
} wsapoll_state;

static void wsapoll__close(void *opaque) {
  wsapoll_state *state = opaque;
  for (size_t i = 0; i < state->count; i++) closesocket(state->endpoints[i].sock);
  free(state->endpoints);
  free(state->fds);
  free(state);
}

static wsapoll_state *wsapoll__new(bool udp, size_t endpoints, size_t message_size, char *error,
                                   size_t error_size) {
  wsapoll_state *state = calloc(1, sizeof *state);
  if (state != NULL) {
    state->endpoints = calloc(endpoints, sizeof *state->endpoints);
    state->fds = calloc(endpoints, sizeof *state->fds);
  }
  if (state == NULL || state->endpoints == NULL || state->fds == NULL) {
    if (state != NULL) wsapoll__close(state);
    net_fail(error, error_size, "out of memory");
    return NULL;
  }
  state->udp = udp;
  state->message_size = message_size;
  return state;
}

/* Adds an open socket as the next endpoint, non-blocking and watched for reading. */
static int wsapoll__add(wsapoll_state *state, SOCKET sock, bool sender, char *error,
                        size_t error_size) {
  size_t i = state->count++;
  state->endpoints[i].sock = sock;
  state->endpoints[i].sender = sender;
  state->fds[i].fd = sock;
  state->fds[i].events = POLLRDNORM;
  u_long on = 1;
  if (ioctlsocket(sock, FIONBIO, &on) != 0)
    return net_fail_os(error, error_size, "ioctlsocket(FIONBIO)", WSAGetLastError());
  return 0;
}

static struct sockaddr_in wsapoll__loopback(void) {
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/* Binds to 127.0.0.1 on a free port and tells which. */
static int wsapoll__bind(SOCKET sock, struct sockaddr_in *bound) {
  struct sockaddr_in address = wsapoll__loopback();
  int length = sizeof address;
  if (bind(sock, (struct sockaddr *)&address, sizeof address) != 0 ||
      getsockname(sock, (struct sockaddr *)&address, &length) != 0)
    return -1;
  *bound = address;
  return 0;
}

static int wsapoll__send(endpoint *e, size_t size, uint32_t index, char *error, size_t error_size) {
  net_fill_message(e->out, size, index, ++e->sequence);
  e->received = 0;
  e->sent_at = net_now();
  int sent = send(e->sock, (const char *)e->out, (int)size, 0);
  if (sent == SOCKET_ERROR) return net_fail_os(error, error_size, "send", WSAGetLastError());
  if ((size_t)sent != size)
    return net_fail(error, error_size, "a %zu-byte send sent %d bytes", size, sent);
  return 0;
}

/* ---- TCP echo --------------------------------------------------------------------------- */

/* Connects each client with a blocking connect, accepts its server side, then makes both
 * non-blocking. */
static int wsapoll__tcp_setup(wsapoll_state *state, size_t count, char *error, size_t error_size) {
  SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  struct sockaddr_in address;
  if (listener == INVALID_SOCKET || wsapoll__bind(listener, &address) != 0 ||
      listen(listener, SOMAXCONN) != 0) {
    int os_error = WSAGetLastError();
    if (listener != INVALID_SOCKET) closesocket(listener);
    return net_fail_os(error, error_size, "listener", os_error);
  }
  SOCKET *server_sides = calloc(count, sizeof *server_sides);
  if (server_sides == NULL) {
    closesocket(listener);
    return net_fail(error, error_size, "out of memory");
  }
  int rc = 0;
  size_t accepted = 0;
  for (size_t i = 0; i < count && rc == 0; i++) {
    SOCKET client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (client == INVALID_SOCKET) {
      rc = net_fail_os(error, error_size, "socket", WSAGetLastError());
      break;
    }
    /* Still blocking: the connect, and the accept below, complete before they return. */
    if (connect(client, (struct sockaddr *)&address, sizeof address) != 0) {
      rc = net_fail_os(error, error_size, "connect", WSAGetLastError());
      closesocket(client);
      break;
    }
    rc = wsapoll__add(state, client, true, error, error_size);
    if (rc == 0) {
      server_sides[accepted] = accept(listener, NULL, NULL);
      if (server_sides[accepted] == INVALID_SOCKET)
        rc = net_fail_os(error, error_size, "accept", WSAGetLastError());
      else
        accepted++;
    }
  }
  closesocket(listener);
  for (size_t i = 0; i < accepted; i++) {
    if (rc == 0)
      rc = wsapoll__add(state, server_sides[i], false, error, error_size);
    else
      closesocket(server_sides[i]);
  }
  free(server_sides);
  if (rc != 0) return rc;

  BOOL nodelay = TRUE;
  for (size_t i = 0; i < state->count; i++) {
    if (setsockopt(state->endpoints[i].sock, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay,
                   sizeof nodelay) != 0)
      return net_fail_os(error, error_size, "TCP_NODELAY", WSAGetLastError());
  }
  for (size_t i = 0; i < count; i++) {
    if (wsapoll__send(&state->endpoints[i], state->message_size, (uint32_t)i, error, error_size) !=
        0)
      return -1;
  }
  return 0;
}

/* Opens a workload: a state for two endpoints per connection or pair, with `setup` run on it;
 * closed again when the set-up fails. */
static int wsapoll__open(bool udp, int (*setup)(wsapoll_state *, size_t, char *, size_t),
                         void **out, const net_config *config, char *error, size_t error_size) {
  wsapoll_state *state =
      wsapoll__new(udp, 2 * config->count, config->message_size, error, error_size);
  if (state == NULL) return -1;
  if (setup(state, config->count, error, error_size) != 0) {
    wsapoll__close(state);
    return -1;
  }
  *out = state;
  return 0;
}

static int wsapoll__tcp_open(void **out, const net_config *config, char *error, size_t error_size) {
  return wsapoll__open(false, wsapoll__tcp_setup, out, config, error, error_size);
}

/* One read on a reported socket, as level-triggered code does. Returns the bytes moved (0 if
 * the read would block), or -1. */
static long wsapoll__tcp_ready(wsapoll_state *state, size_t i, net_tally *tally, char *error,
                               size_t error_size) {
  endpoint *e = &state->endpoints[i];
  size_t size = state->message_size;
  if (!e->sender) {
    char buffer[NET_MESSAGE_MAX];
    int n = recv(e->sock, buffer, sizeof buffer, 0);
    if (n == SOCKET_ERROR) {
      int os_error = WSAGetLastError();
      if (os_error == WSAEWOULDBLOCK) return 0;
      return net_fail_os(error, error_size, "recv(server)", os_error);
    }
    if (n == 0) return net_fail(error, error_size, "a client closed its stream");
    int sent = send(e->sock, buffer, n, 0);
    if (sent == SOCKET_ERROR) return net_fail_os(error, error_size, "send", WSAGetLastError());
    if (sent != n) return net_fail(error, error_size, "a %d-byte send sent %d bytes", n, sent);
    return n;
  }
  int n = recv(e->sock, (char *)e->in + e->received, (int)(size - e->received), 0);
  if (n == SOCKET_ERROR) {
    int os_error = WSAGetLastError();
    if (os_error == WSAEWOULDBLOCK) return 0;
    return net_fail_os(error, error_size, "recv(client)", os_error);
  }
  if (n == 0) return net_fail(error, error_size, "the server closed stream %zu", i);
  e->received += (size_t)n;
  if (e->received == size) {
    if (memcmp(e->in, e->out, size) != 0)
      return net_fail(error, error_size, "stream %zu: wrong echo", i);
    if (net_tally_round_trip(tally, e->sent_at, error, error_size) != 0) return -1;
    if (wsapoll__send(e, size, (uint32_t)i, error, error_size) != 0) return -1;
  }
  return n;
}

/* ---- UDP ping-pong ---------------------------------------------------------------------- */

static int wsapoll__udp_setup(wsapoll_state *state, size_t count, char *error, size_t error_size) {
  for (size_t i = 0; i < count; i++) {
    SOCKET pinger = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (pinger == INVALID_SOCKET)
      return net_fail_os(error, error_size, "socket", WSAGetLastError());
    if (wsapoll__add(state, pinger, true, error, error_size) != 0) return -1;
    SOCKET ponger = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (ponger == INVALID_SOCKET)
      return net_fail_os(error, error_size, "socket", WSAGetLastError());
    if (wsapoll__add(state, ponger, false, error, error_size) != 0) return -1;
    struct sockaddr_in ponger_address, pinger_address;
    if (wsapoll__bind(ponger, &ponger_address) != 0 ||
        wsapoll__bind(pinger, &pinger_address) != 0 ||
        connect(pinger, (struct sockaddr *)&ponger_address, sizeof ponger_address) != 0)
      return net_fail_os(error, error_size, "UDP set-up", WSAGetLastError());
  }
  for (size_t i = 0; i < count; i++) {
    if (wsapoll__send(&state->endpoints[2 * i], state->message_size, (uint32_t)i, error,
                      error_size) != 0)
      return -1;
  }
  return 0;
}

static int wsapoll__udp_open(void **out, const net_config *config, char *error, size_t error_size) {
  return wsapoll__open(true, wsapoll__udp_setup, out, config, error, error_size);
}

/* One datagram: a ponger answers it to its sender, a pinger verifies it and pings again.
 * Returns 1, 0 if the read would block, or -1. */
static long wsapoll__udp_ready(wsapoll_state *state, size_t i, net_tally *tally, char *error,
                               size_t error_size) {
  endpoint *e = &state->endpoints[i];
  size_t size = state->message_size;
  char buffer[NET_MESSAGE_MAX];
  struct sockaddr_storage from;
  int from_length = sizeof from;
  int n = recvfrom(e->sock, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length);
  if (n == SOCKET_ERROR) {
    int os_error = WSAGetLastError();
    if (os_error == WSAEWOULDBLOCK) return 0;
    return net_fail_os(error, error_size, "recvfrom", os_error);
  }
  if (!e->sender) {
    int sent = sendto(e->sock, buffer, n, 0, (struct sockaddr *)&from, from_length);
    if (sent == SOCKET_ERROR) return net_fail_os(error, error_size, "sendto", WSAGetLastError());
    if (sent != n) return net_fail(error, error_size, "a datagram was sent in part");
    return 1;
  }
  if ((size_t)n != size || memcmp(buffer, e->out, size) != 0)
    return net_fail(error, error_size, "pair %zu: wrong pong", i / 2);
  if (net_tally_round_trip(tally, e->sent_at, error, error_size) != 0) return -1;
  if (wsapoll__send(e, size, (uint32_t)(i / 2), error, error_size) != 0) return -1;
  return 1;
}

/* ---- the loop --------------------------------------------------------------------------- */

static int wsapoll__run(void *opaque, double seconds, net_tally *tally, char *error,
                        size_t error_size) {
  wsapoll_state *state = opaque;
  double now = net_now(), end = now + seconds, last_progress = now;
  while (now < end) {
    int ready = WSAPoll(state->fds, (ULONG)state->count, 1000);
    tally->waits++;
    if (ready == SOCKET_ERROR) return net_fail_os(error, error_size, "WSAPoll", WSAGetLastError());
    bool progress = false;
    /* A host has to scan the whole array to find what is ready: part of WSAPoll's cost. */
    for (size_t i = 0; i < state->count && ready > 0; i++) {
      SHORT revents = state->fds[i].revents;
      if (revents == 0) continue;
      ready--;
      tally->events++;
      if (revents & (POLLERR | POLLHUP | POLLNVAL))
        return net_fail(error, error_size, "socket %zu reported revents 0x%x", i,
                        (unsigned)revents);
      long moved = state->udp ? wsapoll__udp_ready(state, i, tally, error, error_size)
                              : wsapoll__tcp_ready(state, i, tally, error, error_size);
      if (moved < 0) return -1;
      if (moved == 0) tally->idle_events++;
      progress |= moved > 0;
    }
    if (net_stalled(progress, &now, &last_progress))
      return net_fail(error, error_size, "nothing moved for %.0f s", NET_STALL_SECONDS);
  }
  return 0;
}

const net_method net_wsapoll = {
    .key = "wsapoll",
    .name = "WSAPoll",
    .description =
        "Winsock directly: non-blocking sockets, one WSAPoll over all of them per "
        "wait, one read per report",
    .afd_counted = false,
    .tcp = {wsapoll__tcp_open, wsapoll__run, wsapoll__close},
    .udp = {wsapoll__udp_open, wsapoll__run, wsapoll__close},
};

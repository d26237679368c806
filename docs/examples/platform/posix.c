/* The echo demo's platform layer for POSIX systems: BSD sockets, pthreads, CLOCK_MONOTONIC.
 * See demo_platform.h for what each call promises. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../demo_platform.h"

/* A descriptor is a small non-negative int; DEMO_INVALID_SOCKET is -1 converted. */
static int fd_of(miow_socket_t s) { return (int)s; }
static miow_socket_t socket_of(int fd) { return fd < 0 ? DEMO_INVALID_SOCKET : (miow_socket_t)fd; }

static struct sockaddr_in loopback(uint16_t port) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

int demo_net_init(void) { return 0; }

void demo_net_cleanup(void) {}

miow_socket_t demo_tcp_socket(void) { return socket_of(socket(AF_INET, SOCK_STREAM, 0)); }

int demo_set_nonblocking(miow_socket_t s) {
  int flags = fcntl(fd_of(s), F_GETFL);
  if (flags < 0) return -1;
  return fcntl(fd_of(s), F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : -1;
}

int demo_listen_loopback(miow_socket_t s, uint16_t *port) {
  struct sockaddr_in addr = loopback(0); /* port 0: any free port */
  socklen_t len = sizeof addr;
  if (bind(fd_of(s), (struct sockaddr *)&addr, len) != 0) return -1;
  if (listen(fd_of(s), SOMAXCONN) != 0) return -1;
  if (getsockname(fd_of(s), (struct sockaddr *)&addr, &len) != 0) return -1;
  *port = ntohs(addr.sin_port);
  return 0;
}

int demo_connect_loopback(miow_socket_t s, uint16_t port) {
  struct sockaddr_in addr = loopback(port);
  return connect(fd_of(s), (struct sockaddr *)&addr, sizeof addr) == 0 ? 0 : -1;
}

miow_socket_t demo_accept(miow_socket_t listener) {
  return socket_of(accept(fd_of(listener), NULL, NULL));
}

int demo_recv(miow_socket_t s, void *buf, int len) {
  return (int)recv(fd_of(s), buf, (size_t)len, 0);
}

/* MSG_NOSIGNAL: a send to a peer that has gone fails with EPIPE instead of raising SIGPIPE. */
int demo_send(miow_socket_t s, const void *buf, int len) {
  return (int)send(fd_of(s), buf, (size_t)len, MSG_NOSIGNAL);
}

int demo_shutdown_send(miow_socket_t s) { return shutdown(fd_of(s), SHUT_WR) == 0 ? 0 : -1; }

int demo_socket_error(miow_socket_t s, int *err) {
  socklen_t len = sizeof *err;
  return getsockopt(fd_of(s), SOL_SOCKET, SO_ERROR, err, &len) == 0 ? 0 : -1;
}

void demo_close_socket(miow_socket_t s) { close(fd_of(s)); }

int demo_last_socket_error(void) { return errno; }

int demo_would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS; }

/* ---- threads and time ---------------------------------------------------------------------- */

struct demo_thread {
  pthread_t id;
  int (*fn)(void *arg);
  void *arg;
  pthread_mutex_t lock; /* guards finished and result */
  int finished;
  int result;
};

static void *thread_main(void *param) {
  demo_thread *t = param;
  int result = t->fn(t->arg);
  pthread_mutex_lock(&t->lock);
  t->result = result;
  t->finished = 1;
  pthread_mutex_unlock(&t->lock);
  return NULL;
}

demo_thread *demo_thread_start(int (*fn)(void *arg), void *arg) {
  demo_thread *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->fn = fn;
  t->arg = arg;
  if (pthread_mutex_init(&t->lock, NULL) != 0) {
    free(t);
    return NULL;
  }
  if (pthread_create(&t->id, NULL, thread_main, t) != 0) {
    pthread_mutex_destroy(&t->lock);
    free(t);
    return NULL;
  }
  return t;
}

/* pthread_join() cannot time out, so wait for the thread to say it is done first. */
int demo_thread_join(demo_thread *t, uint32_t timeout_ms, int *result) {
  uint64_t deadline = demo_monotonic_ms() + timeout_ms;
  for (;;) {
    pthread_mutex_lock(&t->lock);
    int finished = t->finished;
    pthread_mutex_unlock(&t->lock);
    if (finished) break;
    if (demo_monotonic_ms() >= deadline) return -1;
    demo_sleep_ms(1);
  }
  pthread_join(t->id, NULL);
  *result = t->result;
  pthread_mutex_destroy(&t->lock);
  free(t);
  return 0;
}

uint64_t demo_monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void demo_sleep_ms(uint32_t ms) {
  struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

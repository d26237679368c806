/* The tests' platform layer on Linux: BSD sockets, pthreads, the monotonic clock, and an open-fd
 * count for leak checks. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

void support_init(void) {
  /* A send to a reset peer must fail with EPIPE, not kill the test. */
  signal(SIGPIPE, SIG_IGN);
}

static void support__nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  assert_true(flags >= 0);
  assert_int_equal(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
}

static struct sockaddr_in support__loopback(uint16_t port) {
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

static uint16_t support__local_port(int fd) {
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  return ntohs(addr.sin_port);
}

miow_socket_t support_listener(uint16_t *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  struct sockaddr_in addr = support__loopback(0);
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(listen(fd, SOMAXCONN), 0);
  support__nonblocking(fd);
  *port = support__local_port(fd);
  return (miow_socket_t)fd;
}

miow_socket_t support_connect_start(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  support__nonblocking(fd);
  struct sockaddr_in addr = support__loopback(port);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
    assert_true(errno == EINPROGRESS || errno == ECONNREFUSED);
  return (miow_socket_t)fd;
}

miow_socket_t support_accept(miow_socket_t listener) {
  for (int i = 0; i < 500; i++) {
    int fd = accept((int)listener, NULL, NULL);
    if (fd >= 0) {
      support__nonblocking(fd);
      return (miow_socket_t)fd;
    }
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    usleep(10000);
  }
  fail_msg("accept found no connection");
  return 0;
}

void support_tcp_pair(miow_socket_t *client, miow_socket_t *server) {
  uint16_t port;
  miow_socket_t listener = support_listener(&port);
  *client = support_connect_start(port);
  *server = support_accept(listener);
  support_close(listener);
  struct pollfd p = {.fd = (int)*client, .events = POLLOUT};
  assert_int_equal(poll(&p, 1, 5000), 1);
}

uint16_t support_unused_port(void) {
  uint16_t port;
  miow_socket_t s = support_listener(&port);
  support_close(s);
  return port;
}

miow_socket_t support_udp_socket(uint16_t *port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  struct sockaddr_in addr = support__loopback(0);
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  support__nonblocking(fd);
  *port = support__local_port(fd);
  return (miow_socket_t)fd;
}

void support_udp_send(miow_socket_t s, uint16_t port, const void *data, size_t len) {
  struct sockaddr_in addr = support__loopback(port);
  assert_int_equal(sendto((int)s, data, len, 0, (struct sockaddr *)&addr, sizeof addr),
                   (ssize_t)len);
}

int support_send(miow_socket_t s, const void *data, size_t len) {
  return (int)send((int)s, data, len, MSG_NOSIGNAL);
}

int support_send_oob(miow_socket_t s, char byte) {
  return (int)send((int)s, &byte, 1, MSG_OOB | MSG_NOSIGNAL);
}

static int support__recv(miow_socket_t s, void *buf, size_t len, int flags) {
  ssize_t n = recv((int)s, buf, len, flags);
  if (n >= 0) return (int)n;
  assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
  return -1;
}

int support_recv(miow_socket_t s, void *buf, size_t len) { return support__recv(s, buf, len, 0); }

int support_recv_oob(miow_socket_t s, void *buf, size_t len) {
  return support__recv(s, buf, len, MSG_OOB);
}

int support_try_recv(miow_socket_t s, void *buf, size_t len) {
  ssize_t n = recv((int)s, buf, len, 0);
  return n >= 0 ? (int)n : -1;
}

void support_shutdown_write(miow_socket_t s) { assert_int_equal(shutdown((int)s, SHUT_WR), 0); }

void support_close_reset(miow_socket_t s) {
  struct linger lin = {1, 0};
  assert_int_equal(setsockopt((int)s, SOL_SOCKET, SO_LINGER, &lin, sizeof lin), 0);
  support_close(s);
}

void support_close(miow_socket_t s) { assert_int_equal(close((int)s), 0); }

miow_socket_t support_dup_socket(miow_socket_t s) {
  int fd = dup((int)s);
  assert_true(fd >= 0);
  return (miow_socket_t)fd;
}

int32_t support_socket_error(miow_socket_t s) {
  int error = 0;
  socklen_t len = sizeof error;
  assert_int_equal(getsockopt((int)s, SOL_SOCKET, SO_ERROR, &error, &len), 0);
  return error;
}

size_t support_send_until_full(miow_socket_t s) {
  static char chunk[65536];
  size_t total = 0;
  for (;;) {
    ssize_t n = send((int)s, chunk, sizeof chunk, MSG_NOSIGNAL);
    if (n < 0) {
      assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
      return total;
    }
    total += (size_t)n;
  }
}

uint64_t support_raise_socket_limit(uint64_t wanted) {
  struct rlimit limit;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = limit.rlim_max < wanted ? limit.rlim_max : wanted;
    setrlimit(RLIMIT_NOFILE, &limit); /* a refusal leaves the old limit, reported below */
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  return (uint64_t)limit.rlim_cur;
}

miow_socket_t support_non_socket(void) {
  int fd = eventfd(0, EFD_CLOEXEC);
  assert_true(fd >= 0);
  return (miow_socket_t)fd;
}

void support_close_non_socket(miow_socket_t h) { close((int)h); }

int32_t support_os_error(int32_t code) {
  switch (code) {
    case MIOW_EINVAL: return EINVAL;
    case MIOW_EBADHANDLE: return EBADF;
    case MIOW_ENOMEM: return ENOMEM;
    case MIOW_EEXIST: return EEXIST;
    case MIOW_ENOENT: return ENOENT;
    case MIOW_EBUSY: return EBUSY;
    case MIOW_ENOTSOCK: return ENOTSOCK;
    case MIOW_ECLOSED: return ECANCELED;
    case MIOW_ENOTSUP: return EOPNOTSUPP;
    default: fail_msg("no documented OS error for %d", (int)code); return 0;
  }
}

int32_t support_thread_last_error(void) { return errno; }

/* Counts the process's open file descriptors, which is what a leak would grow. */
uint64_t support_handle_probe(void) {
  DIR *dir = opendir("/proc/self/fd");
  assert_non_null(dir);
  uint64_t count = 0;
  while (readdir(dir) != NULL) count++;
  closedir(dir);
  return count;
}

uint64_t support_lowest_free_handle(void) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  assert_true(fd >= 0);
  close(fd);
  return (uint64_t)fd;
}

struct support_thread {
  pthread_t handle;
  void (*fn)(void *);
  void *arg;
};

static void *support__thread_main(void *param) {
  support_thread *t = param;
  t->fn(t->arg);
  return NULL;
}

support_thread *support_thread_start(void (*fn)(void *), void *arg) {
  support_thread *t = calloc(1, sizeof *t);
  assert_non_null(t);
  t->fn = fn;
  t->arg = arg;
  assert_int_equal(pthread_create(&t->handle, NULL, support__thread_main, t), 0);
  return t;
}

void support_thread_join(support_thread *t) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 60;
  assert_int_equal(pthread_timedjoin_np(t->handle, NULL, &deadline), 0);
  free(t);
}

void support_sleep_ms(uint32_t ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

double support_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

double support_cpu_ms(void) {
  struct rusage usage;
  assert_int_equal(getrusage(RUSAGE_SELF, &usage), 0);
  return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

unsigned long support_process_id(void) { return (unsigned long)getpid(); }

miow_socket_t support_signal_new(void) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  assert_true(fd >= 0);
  return (miow_socket_t)fd;
}

void support_signal_set(miow_socket_t signal) {
  uint64_t one = 1;
  assert_int_equal(write((int)signal, &one, sizeof one), (ssize_t)sizeof one);
}

void support_signal_reset(miow_socket_t signal) {
  uint64_t value;
  /* Already clear is fine: an eventfd read of zero would block. */
  ssize_t n = read((int)signal, &value, sizeof value);
  assert_true(n == (ssize_t)sizeof value || (n < 0 && errno == EAGAIN));
}

void support_signal_close(miow_socket_t signal) { assert_int_equal(close((int)signal), 0); }

miow_socket_t support_closed_value(void) {
  miow_socket_t value = support_signal_new();
  support_signal_close(value);
  return value;
}

bool support_is_wine(void) { return false; }

void support_set_blocking(miow_socket_t s) {
  int flags = fcntl((int)s, F_GETFL);
  assert_true(flags >= 0);
  assert_int_equal(fcntl((int)s, F_SETFL, flags & ~O_NONBLOCK), 0);
}

/* The abstract address miowin's Linux pipes use for `name` (src/unix/pipe.c). */
static socklen_t pipe_address(const char *name, struct sockaddr_un *sa) {
  const char *rest = name + strlen("\\\\.\\pipe\\");
  const char *prefix = "miowin-pipe:";
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  memcpy(sa->sun_path + 1, prefix, strlen(prefix));
  memcpy(sa->sun_path + 1 + strlen(prefix), rest, strlen(rest));
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(prefix) + strlen(rest));
}

miow_socket_t support_pipe_server_handle(const char *name, bool overlapped) {
  (void)overlapped;
  struct sockaddr_un sa;
  socklen_t length = pipe_address(name, &sa);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  assert_int_equal(bind(fd, (struct sockaddr *)&sa, length), 0);
  assert_int_equal(listen(fd, 0), 0);
  return (miow_socket_t)fd;
}

miow_socket_t support_pipe_client_handle(const char *name) {
  struct sockaddr_un sa;
  socklen_t length = pipe_address(name, &sa);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  assert_int_equal(connect(fd, (struct sockaddr *)&sa, length), 0);
  return (miow_socket_t)fd;
}

void support_pipe_close(miow_socket_t h) { close((int)h); }

void support_pipe_write(miow_socket_t h, const void *data, size_t len) {
  support_set_blocking(h);
  assert_int_equal(send((int)h, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

void support_pipe_read(miow_socket_t h, void *buf, size_t len) {
  support_set_blocking(h);
  struct timeval tv = {10, 0};
  assert_int_equal(setsockopt((int)h, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  assert_int_equal(recv((int)h, buf, len, MSG_WAITALL), (ssize_t)len);
}

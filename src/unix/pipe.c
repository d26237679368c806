/* Named pipes on Linux: a pipe is a Unix-domain stream socket in the abstract namespace. A
 * server instance is the name's listening socket (shared by its instances, pipe_name.c) plus,
 * once a client is taken, the connection; its registration moves between the two so that a
 * client's arrival reports the pipe writable, as a named pipe's connect completing does on
 * Windows. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "interest.h"
#include "pipe_name.h"
#include "registration.h"
#include "socket_io.h"
#include "sys.h"

/* The API layer has checked that a name starts with this and has more after it. */
#define PIPE_NAME_PREFIX "\\\\.\\pipe\\"
/* Keeps miowin's pipes apart from other programs' abstract sockets. */
#define PIPE_ADDRESS_PREFIX "miowin-pipe:"

struct sys_pipe {
  bool server;
  pipe_name *name; /* a server's name, whose instances share the listening socket */
  int listen_fd;   /* a server's own descriptor of that socket; -1 for a client end */
  int conn_fd;     /* the connection; -1 while a server has no client */
  bool connecting; /* a server's connect is pending: the next client to arrive is taken */
  /* A client may connect to this server instance now (counted in its name): from its creation
   * until it takes a client, and again from a connect after a disconnect. */
  bool listening;

  /* The host's registration, kept here because the fd carrying it changes: the connection if
   * there is one, else the listening socket while a connect is pending, else none (then `reg`
   * is NULL and `armed` holds the interest bits still armed, for the next fd). */
  bool registered;
  sys_selector *sel;
  uint64_t token;
  uint32_t interests;
  uint32_t armed;
  sys_registration *reg;
};

/* "\0miowin-pipe:<name>": the leading NUL puts the address in the abstract namespace, which
 * needs no file and vanishes with the last socket bound to it, like a named pipe. */
static int32_t pipe__address(const char *name, struct sockaddr_un *sa, socklen_t *length) {
  if (strlen(name) <= strlen(PIPE_NAME_PREFIX)) return error_set(MIOW_EINVAL);
  const char *rest = name + strlen(PIPE_NAME_PREFIX);
  size_t size = 1 + strlen(PIPE_ADDRESS_PREFIX) + strlen(rest);
  if (size > sizeof sa->sun_path) return error_set(MIOW_EINVAL);
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  memcpy(sa->sun_path + 1, PIPE_ADDRESS_PREFIX, strlen(PIPE_ADDRESS_PREFIX));
  memcpy(sa->sun_path + 1 + strlen(PIPE_ADDRESS_PREFIX), rest, strlen(rest));
  *length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + size);
  return 0;
}

/* The error path after a failed socket call: errno, read once, gives the code and is recorded. */
static int32_t pipe__fail(void) {
  int error = errno;
  return error_set_os(sys_error_code(error), error);
}

static sys_pipe *pipe__new(bool server) {
  sys_pipe *pipe = calloc(1, sizeof *pipe);
  if (pipe == NULL) return NULL;
  pipe->server = server;
  pipe->listen_fd = -1;
  pipe->conn_fd = -1;
  return pipe;
}

static void pipe__close(int fd) {
  /* Used on the way out of failures whose errno is already recorded for the host. */
  int saved = errno;
  if (fd >= 0) close(fd);
  errno = saved;
}

static void pipe__destroy(sys_pipe *pipe) {
  pipe__close(pipe->conn_fd);
  if (pipe->name != NULL)
    pipe_name_leave(pipe->name, pipe->listening, pipe->listen_fd);
  else
    pipe__close(pipe->listen_fd);
  free(pipe);
}

int32_t sys_pipe_create(const char *name, uint32_t buffer_size, uint32_t max_instances,
                        bool first_instance, sys_pipe **out) {
  /* `buffer_size` is not applied: reads go straight to the kernel, so there is no read buffer
   * to size, and the kernel's socket buffers (net.core.wmem_default, about 200 KiB) already
   * exceed any sensible pipe buffer; shrinking them would only make writes more partial. */
  (void)buffer_size;
  struct sockaddr_un sa;
  socklen_t length;
  int32_t rc = pipe__address(name, &sa, &length);
  if (rc != 0) return rc;
  sys_pipe *pipe = pipe__new(true);
  if (pipe == NULL) return error_set(MIOW_ENOMEM);
  /* A new instance is listening at once: a client may open it before the server connects,
   * as on Windows. */
  rc = pipe_name_join(&sa, length, max_instances, first_instance, &pipe->name, &pipe->listen_fd);
  if (rc != 0) {
    pipe__destroy(pipe);
    return rc;
  }
  pipe->listening = true;
  *out = pipe;
  return 0;
}

int32_t sys_pipe_open(const char *name, sys_pipe **out) {
  struct sockaddr_un sa;
  socklen_t length;
  int32_t rc = pipe__address(name, &sa, &length);
  if (rc != 0) return rc;
  sys_pipe *pipe = pipe__new(false);
  if (pipe == NULL) return error_set(MIOW_ENOMEM);
  pipe->conn_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (pipe->conn_fd < 0) {
    rc = pipe__fail();
    pipe__destroy(pipe);
    return rc;
  }
  /* A Unix-domain connect never goes on in the background: it is queued on the listening
   * socket at once, or refused (no such name), or would block (the queue is full). */
  int error = 0;
  while (connect(pipe->conn_fd, (struct sockaddr *)&sa, length) != 0) {
    error = errno;
    if (error != EINTR) break;
    error = 0;
  }
  if (error != 0) {
    if (error == ECONNREFUSED || error == ENOENT)
      rc = error_set_os(MIOW_ENOTFOUND, error);
    else if (error == EAGAIN)
      rc = error_set_os(MIOW_EPIPEBUSY, error);
    else
      rc = error_set_os(sys_error_code(error), error);
    pipe__destroy(pipe);
    return rc;
  }
  *out = pipe;
  return 0;
}

/* ---- the registration, on whichever fd carries it ------------------------------------- */

/* The fd the registration belongs on now (-1: none), and the internal interest it needs. */
static int pipe__active_fd(const sys_pipe *pipe, uint32_t *extra) {
  *extra = 0;
  if (pipe->conn_fd >= 0) return pipe->conn_fd;
  if (!pipe->connecting) return -1;
  *extra = SYS_PIPE_LISTENER;
  return pipe->listen_fd;
}

/* Takes the registration off its fd, keeping what is still armed for the next one. */
static void pipe__detach(sys_pipe *pipe) {
  if (pipe->reg == NULL) return;
  /* MIOW_ENOENT (the host closed our fd behind our back) leaves nothing more to undo. */
  (void)registration_remove(pipe->reg, &pipe->armed);
  pipe->reg = NULL;
}

/* Puts the registration on the fd that should carry it now: same token, interests and mode,
 * and the same interests armed. A failure leaves it off, to be tried again by the next call
 * that comes here. */
static int32_t pipe__sync(sys_pipe *pipe) {
  uint32_t extra;
  int fd = pipe__active_fd(pipe, &extra);
  if (pipe->reg != NULL && pipe->reg->fd == fd) return 0;
  pipe__detach(pipe);
  if (!pipe->registered || fd < 0) return 0;
  return registration_add(pipe->sel, (miow_socket_t)fd, pipe->token, pipe->interests | extra,
                          pipe->armed, &pipe->reg);
}

int32_t sys_pipe_register(sys_pipe *pipe, sys_selector *sel, uint64_t token, uint32_t interests) {
  /* With no fd to register yet, sys_register() cannot refuse a closed selector: ask here. */
  pthread_mutex_lock(&sel->lock);
  bool closed = sel->closed;
  pthread_mutex_unlock(&sel->lock);
  if (closed) return error_set(MIOW_ECLOSED);
  pipe->registered = true;
  pipe->sel = sel;
  pipe->token = token;
  pipe->interests = interests;
  pipe->armed = interests & INTEREST_BITS;
  int32_t rc = pipe__sync(pipe);
  if (rc != 0) {
    pipe->registered = false;
    pipe->sel = NULL;
  }
  return rc;
}

int32_t sys_pipe_reregister(sys_pipe *pipe, uint64_t token, uint32_t interests) {
  uint32_t extra;
  int fd = pipe__active_fd(pipe, &extra);
  if (pipe->reg != NULL && pipe->reg->fd == fd) {
    int32_t rc = sys_reregister(pipe->reg, token, interests | extra);
    /* MIOW_ENOENT: the registration is gone, and the API layer deregisters the pipe. */
    if (rc != 0) return rc;
    pipe->token = token;
    pipe->interests = interests;
    pipe->armed = interests & INTEREST_BITS;
    return 0;
  }
  pipe__detach(pipe); /* first, or it would hand back the old armed interests */
  pipe->token = token;
  pipe->interests = interests;
  pipe->armed = interests & INTEREST_BITS;
  return pipe__sync(pipe);
}

int32_t sys_pipe_rearm(sys_pipe *pipe, uint32_t bits) {
  uint32_t extra;
  int fd = pipe__active_fd(pipe, &extra);
  if (pipe->reg != NULL && pipe->reg->fd == fd) return sys_rearm(pipe->reg, bits);
  pipe__detach(pipe);
  pipe->armed |= bits & pipe->interests & INTEREST_BITS;
  return pipe__sync(pipe);
}

void sys_pipe_deregister(sys_pipe *pipe) {
  pipe__detach(pipe);
  pipe->registered = false;
  pipe->sel = NULL;
}

/* ---- connecting ----------------------------------------------------------------------- */

/* Takes a client that has arrived (MIOW_EWOULDBLOCK if none has) and moves the registration
 * onto the connection. */
static int32_t pipe__accept(sys_pipe *pipe) {
  int fd;
  do {
    fd = accept4(pipe->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return pipe__fail();
  pipe->conn_fd = fd;
  pipe->connecting = false;
  pipe->listening = false;
  pipe_name_unlisten(pipe->name, true);
  return pipe__sync(pipe);
}

int32_t sys_pipe_connect(sys_pipe *pipe) {
  if (!pipe->server) return error_set(MIOW_ENOTSUP);
  if (pipe->conn_fd >= 0) return pipe__sync(pipe);
  if (!pipe->listening) {
    int32_t rc = pipe_name_listen(pipe->name);
    if (rc != 0) return rc;
    pipe->listening = true;
  }
  int32_t rc = pipe__accept(pipe);
  if (rc != MIOW_EWOULDBLOCK) return rc;
  /* Pending now (or still): the listening socket carries the registration until a client
   * arrives, and read, write and connect take that client. */
  pipe->connecting = true;
  rc = pipe__sync(pipe);
  if (rc != 0) return rc;
  return error_set_os(MIOW_EWOULDBLOCK, EAGAIN);
}

int32_t sys_pipe_disconnect(sys_pipe *pipe) {
  if (!pipe->server) return error_set(MIOW_ENOTSUP);
  /* Off the connection before it is closed: epoll forgets a closed fd silently, and the number
   * could name another file by the time anyone asked. A client still queued on the listening
   * socket stays there for the next connect. */
  pipe__detach(pipe);
  pipe__close(pipe->conn_fd);
  pipe->conn_fd = -1;
  pipe->connecting = false;
  /* Between clients a Windows instance is not listening, and an open fails busy if no other
   * instance listens. An instance that had no client yet stops listening too; if it was the
   * last, a client queued meanwhile is dropped, as its Windows instance would drop it. */
  if (pipe->listening) {
    pipe->listening = false;
    pipe_name_unlisten(pipe->name, false);
  }
  return 0;
}

/* Before any I/O on a server: a pending connect whose client has arrived is completed first. */
static int32_t pipe__ready(sys_pipe *pipe) {
  if (pipe->conn_fd >= 0) return pipe__sync(pipe);
  if (!pipe->connecting) return error_set(MIOW_ENOTCONN);
  return pipe__accept(pipe);
}

/* ---- I/O ------------------------------------------------------------------------------- */

int32_t sys_pipe_read(sys_pipe *pipe, const miow_buffer *buffers, size_t count, uint32_t flags,
                      size_t *received) {
  if (count > MIOW_BUFFERS_MAX) return error_set(MIOW_EINVAL);
  int32_t rc = pipe__ready(pipe);
  if (rc != 0) return rc;
  struct iovec iov[MIOW_BUFFERS_MAX];
  socket_io_iovecs(iov, buffers, count, INT32_MAX);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  int os_flags = (flags & SYS_RECV_PEEK) != 0 ? MSG_PEEK : 0;
  ssize_t n;
  do {
    n = recvmsg(pipe->conn_fd, &msg, os_flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int error = errno;
    /* The peer closed with data of ours unread: Linux fails the next read with ECONNRESET once
     * what it had sent is read, where a Windows pipe reads as ended. */
    if (error != ECONNRESET) return error_set_os(sys_error_code(error), error);
    n = 0;
  }
  *received = (size_t)n;
  return 0;
}

int32_t sys_pipe_write(sys_pipe *pipe, const miow_buffer *buffers, size_t count, size_t *sent) {
  if (count > MIOW_BUFFERS_MAX) return error_set(MIOW_EINVAL);
  int32_t rc = pipe__ready(pipe);
  if (rc != 0) return rc;
  struct iovec iov[MIOW_BUFFERS_MAX];
  socket_io_iovecs(iov, buffers, count, MIOW_PIPE_WRITE_MAX);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  ssize_t n;
  /* MSG_NOSIGNAL: a write to a pipe whose peer is gone must fail, not kill the host. */
  do {
    n = sendmsg(pipe->conn_fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int error = errno;
    if (error == EPIPE || error == ECONNRESET) return error_set_os(MIOW_EPIPE, error);
    return error_set_os(sys_error_code(error), error);
  }
  *sent = (size_t)n;
  return 0;
}

int32_t sys_pipe_take_error(sys_pipe *pipe, int32_t *os_error) {
  *os_error = 0;
  if (pipe->conn_fd < 0) return 0;
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(pipe->conn_fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return pipe__fail();
  *os_error = error;
  return 0;
}

/* ---- lifetime -------------------------------------------------------------------------- */

int32_t sys_pipe_adopt(miow_socket_t handle, sys_pipe **out, bool *server) {
  int fd = (int)handle;
  int domain = 0, kind = 0, accepting = 0;
  socklen_t length = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) {
    int error = errno;
    return error_set_os(MIOW_EINVAL, error);
  }
  length = sizeof kind;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &kind, &length) != 0) return pipe__fail();
  length = sizeof accepting;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) != 0) return pipe__fail();
  if (domain != AF_UNIX || kind != SOCK_STREAM) return error_set_os(MIOW_EINVAL, ENOTSOCK);
  /* Reads and writes must not block: the descriptor is made non-blocking, as for sockets. */
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return pipe__fail();
  *server = accepting != 0;
  sys_pipe *pipe = pipe__new(*server);
  if (pipe == NULL) return error_set(MIOW_ENOMEM);
  if (*server) {
    int32_t rc = pipe_name_adopt(fd, &pipe->name, &pipe->listen_fd);
    if (rc != 0) {
      free(pipe);
      return rc;
    }
    pipe->listening = true;
  } else {
    pipe->conn_fd = fd;
  }
  *out = pipe;
  return 0;
}

int32_t sys_pipe_release(sys_pipe *pipe, miow_socket_t *out) {
  pipe__detach(pipe);
  pipe->registered = false;
  pipe->sel = NULL;
  /* A server hands over its connection if it has one, else its listening socket. */
  if (pipe->conn_fd >= 0) {
    *out = (miow_socket_t)pipe->conn_fd;
    pipe->conn_fd = -1;
  } else {
    *out = (miow_socket_t)pipe->listen_fd;
    pipe->listen_fd = -1;
  }
  pipe__destroy(pipe);
  return 0;
}

miow_socket_t sys_pipe_handle(sys_pipe *pipe) {
  return (miow_socket_t)(pipe->conn_fd >= 0 ? pipe->conn_fd : pipe->listen_fd);
}

void sys_pipe_free(sys_pipe *pipe) {
  /* Nothing is outstanding on Linux: what was written sits in the peer's socket already and
   * stays readable there after the close. */
  pipe__detach(pipe);
  pipe__destroy(pipe);
}

/* The instances of one pipe name (pipe_name.h). A named pipe on Windows has instances, each of
 * which takes one client: a client finds an instance that is listening (created, or connecting
 * again after a disconnect) or fails with ERROR_PIPE_BUSY. Here the instances share one
 * listening Unix-domain socket, whose queue is kept exactly as long as the number of listening
 * instances: Linux queues one connection more than listen()'s backlog (which a listening socket
 * may change at any time), and with no instance listening the one slot left is filled with a
 * connection of our own, the plug, so that every client's open fails busy (EAGAIN). */
#define _GNU_SOURCE
#include "pipe_name.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "sys.h"

struct pipe_name {
  pipe_name *next;
  struct sockaddr_un address;
  socklen_t length;
  int listen_fd;
  uint32_t instances;     /* live server instances */
  uint32_t max_instances; /* 0: unlimited */
  uint32_t listening;     /* instances a client may connect to now */
  int plug_fd;            /* our own queued connection while none listens; else -1 */
};

/* The names this process serves. Instances of one name in different threads meet here. */
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static pipe_name *names;

static void name__close(int fd) {
  /* On the way out of failures whose errno is already recorded. */
  int saved = errno;
  if (fd >= 0) close(fd);
  errno = saved;
}

static int32_t name__fail(void) {
  int error = errno;
  return error_set_os(sys_error_code(error), error);
}

static pipe_name *name__find(const struct sockaddr_un *address, socklen_t length) {
  for (pipe_name *n = names; n != NULL; n = n->next) {
    if (n->length == length && memcmp(&n->address, address, length) == 0) return n;
  }
  return NULL;
}

/* Fills the empty queue slot with a connection of our own. A client that got in first keeps
 * the slot and waits for the next connect; a failure only lets other clients queue instead of
 * being told busy, so neither is reported. */
static void name__plug(pipe_name *name) {
  if (name->plug_fd >= 0) return;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (connect(fd, (struct sockaddr *)&name->address, name->length) != 0) {
    name__close(fd);
    return;
  }
  name->plug_fd = fd;
}

/* Takes the plug back out. It was queued when the queue was empty and full after it, so the
 * one connection queued is ours. Kept on failure (out of descriptors): closing only our end
 * would leave a "client" that is already gone for the next accept. */
static int32_t name__unplug(pipe_name *name) {
  if (name->plug_fd < 0) return 0;
  int fd = accept4(name->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return name__fail();
  name__close(fd);
  name__close(name->plug_fd);
  name->plug_fd = -1;
  return 0;
}

/* The queue holds as many clients as instances listen: backlog n queues n + 1. */
static void name__size_queue(pipe_name *name) {
  (void)listen(name->listen_fd, name->listening > 0 ? (int)name->listening - 1 : 0);
}

/* Drops every client queued, then plugs the queue: for when no instance listens any more. */
static void name__drop_queued(pipe_name *name) {
  int fd;
  while ((fd = accept4(name->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) name__close(fd);
  name__plug(name);
}

static int32_t name__create(const struct sockaddr_un *address, socklen_t length,
                            uint32_t max_instances, pipe_name **out) {
  pipe_name *name = calloc(1, sizeof *name);
  if (name == NULL) return error_set(MIOW_ENOMEM);
  name->address = *address;
  name->length = length;
  name->max_instances = max_instances;
  name->plug_fd = -1;
  name->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  /* Another process's server of the name fails our bind with EADDRINUSE: instances of one
   * name live in one process here (docs/pipes.md). */
  if (name->listen_fd < 0 || bind(name->listen_fd, (const struct sockaddr *)address, length) != 0 ||
      listen(name->listen_fd, 0) != 0) {
    int32_t rc = name__fail();
    name__close(name->listen_fd);
    free(name);
    return rc;
  }
  name->next = names;
  names = name;
  *out = name;
  return 0;
}

/* With names_lock held: one listening instance fewer. */
static void name__unlisten(pipe_name *name, bool took_client) {
  if (name->listening > 0) name->listening--;
  name__size_queue(name);
  if (name->listening > 0) return;
  /* Taken: the queue was as long as the listening instances, so the client was its last. */
  if (took_client)
    name__plug(name);
  else
    name__drop_queued(name);
}

/* With names_lock held: an instance leaves, or a failed first join is undone (instances 0). */
static void name__leave(pipe_name *name, bool listening) {
  if (name->instances > 0) name->instances--;
  if (name->instances > 0) {
    if (listening) name__unlisten(name, false);
    return;
  }
  for (pipe_name **at = &names; *at != NULL; at = &(*at)->next) {
    if (*at == name) {
      *at = name->next;
      break;
    }
  }
  name__close(name->plug_fd);
  name__close(name->listen_fd);
  free(name);
}

int32_t pipe_name_join(const struct sockaddr_un *address, socklen_t length,
                       uint32_t max_instances, bool first, pipe_name **out, int *listen_fd) {
  pthread_mutex_lock(&names_lock);
  int32_t rc = 0;
  pipe_name *name = name__find(address, length);
  if (name != NULL && first) {
    rc = error_set(MIOW_EADDRINUSE); /* Windows: ERROR_ACCESS_DENIED */
  } else if (name != NULL && name->max_instances != 0 && name->instances >= name->max_instances) {
    rc = error_set(MIOW_EPIPEBUSY); /* Windows: ERROR_PIPE_BUSY */
  } else if (name == NULL) {
    rc = name__create(address, length, max_instances, &name);
    if (rc != 0) name = NULL;
  }
  int fd = -1;
  if (rc == 0) {
    fd = fcntl(name->listen_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) rc = name__fail();
  }
  if (rc == 0) rc = name__unplug(name);
  if (rc == 0) {
    name->instances++;
    name->listening++;
    name__size_queue(name);
    *out = name;
    *listen_fd = fd;
  } else {
    name__close(fd);
    if (name != NULL && name->instances == 0) name__leave(name, false);
  }
  pthread_mutex_unlock(&names_lock);
  return rc;
}

int32_t pipe_name_adopt(int fd, pipe_name **out, int *listen_fd) {
  struct sockaddr_un address;
  socklen_t length = sizeof address;
  memset(&address, 0, sizeof address);
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return name__fail();
  pthread_mutex_lock(&names_lock);
  int32_t rc = 0;
  int dup_fd = -1;
  pipe_name *name = NULL;
  if (name__find(&address, length) != NULL) {
    rc = error_set(MIOW_EADDRINUSE);
  } else {
    dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    name = calloc(1, sizeof *name);
    if (dup_fd < 0) {
      rc = name__fail();
    } else if (name == NULL) {
      rc = error_set(MIOW_ENOMEM);
    }
  }
  if (rc == 0) {
    name->address = address;
    name->length = length;
    name->listen_fd = dup_fd; /* the host's own number stays the instance's, to give back */
    name->plug_fd = -1;
    name->instances = 1;
    name->listening = 1;
    name->next = names;
    names = name;
    name__size_queue(name);
    *out = name;
    *listen_fd = fd;
  } else {
    name__close(dup_fd);
    free(name);
  }
  pthread_mutex_unlock(&names_lock);
  return rc;
}

void pipe_name_leave(pipe_name *name, bool listening, int listen_fd) {
  pthread_mutex_lock(&names_lock);
  name__close(listen_fd);
  name__leave(name, listening);
  pthread_mutex_unlock(&names_lock);
}

int32_t pipe_name_listen(pipe_name *name) {
  pthread_mutex_lock(&names_lock);
  int32_t rc = name__unplug(name);
  if (rc == 0) {
    name->listening++;
    name__size_queue(name);
  }
  pthread_mutex_unlock(&names_lock);
  return rc;
}

void pipe_name_unlisten(pipe_name *name, bool took_client) {
  pthread_mutex_lock(&names_lock);
  name__unlisten(name, took_client);
  pthread_mutex_unlock(&names_lock);
}

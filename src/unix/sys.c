/* Process-wide plumbing for the Unix backends: locks, the per-thread error record, and the
 * socket check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include "error.h"
#include "sys.h"

/* The all-zero pthread mutex and condition variable are PTHREAD_MUTEX_INITIALIZER and
 * PTHREAD_COND_INITIALIZER on glibc, which is what lets sys_lock and sys_cond promise that
 * zeroed storage is ready. (pthread_cond_clockwait below also needs glibc 2.30 or later.) */
_Static_assert(sizeof(pthread_mutex_t) <= sizeof(sys_lock), "sys_lock too small for a mutex");

int32_t sys_init(void) { return 0; }

void sys_lock_acquire(sys_lock *lock) { pthread_mutex_lock((pthread_mutex_t *)lock->storage); }

void sys_lock_release(sys_lock *lock) { pthread_mutex_unlock((pthread_mutex_t *)lock->storage); }

_Static_assert(sizeof(pthread_cond_t) <= sizeof(sys_cond), "sys_cond too small for a cond");

void sys_cond_wait(sys_cond *cond, sys_lock *lock, int64_t timeout_ms) {
  pthread_cond_t *c = (pthread_cond_t *)cond->storage;
  pthread_mutex_t *m = (pthread_mutex_t *)lock->storage;
  if (timeout_ms < 0) {
    pthread_cond_wait(c, m);
    return;
  }
  /* A zeroed condition variable measures against CLOCK_REALTIME; pthread_cond_clockwait takes
   * the monotonic clock instead, so a clock change cannot stretch the wait. */
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += (time_t)(timeout_ms / 1000);
  deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_cond_clockwait(c, m, CLOCK_MONOTONIC, &deadline);
}

void sys_cond_broadcast(sys_cond *cond) { pthread_cond_broadcast((pthread_cond_t *)cond->storage); }

double sys_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Kept apart from errno because any libc call the host makes afterwards may overwrite that. */
static _Thread_local int32_t last_error;

void sys_error_store(int32_t os_error) {
  last_error = os_error;
  errno = os_error;
}

int32_t sys_error_load(void) { return last_error; }

int32_t sys_error_for_code(int32_t code) {
  switch (code) {
    case MIOW_EINVAL: return EINVAL;
    case MIOW_EBADHANDLE: return EBADF;
    case MIOW_ENOMEM: return ENOMEM;
    case MIOW_EEXIST: return EEXIST;
    case MIOW_ENOENT: return ENOENT;
    case MIOW_EBUSY: return EBUSY;
    case MIOW_ENOTSOCK: return ENOTSOCK;
    case MIOW_ECLOSED: return ECANCELED;
    case MIOW_EWOULDBLOCK: return EAGAIN;
    case MIOW_ECONNREFUSED: return ECONNREFUSED;
    case MIOW_ECONNRESET: return ECONNRESET;
    case MIOW_ECONNABORTED: return ECONNABORTED;
    case MIOW_ENOTCONN: return ENOTCONN;
    case MIOW_EADDRINUSE: return EADDRINUSE;
    case MIOW_EADDRNOTAVAIL: return EADDRNOTAVAIL;
    case MIOW_EMSGSIZE: return EMSGSIZE;
    case MIOW_ESHUTDOWN: return ESHUTDOWN;
    case MIOW_ETIMEDOUT: return ETIMEDOUT;
    case MIOW_ENOTSUP: return EOPNOTSUPP;
    case MIOW_EPIPE: return EPIPE;
    default: return EIO;
  }
}

int32_t sys_socket_check(miow_socket_t socket) {
  if (socket > (miow_socket_t)INT32_MAX) return error_set_os(MIOW_ENOTSOCK, EBADF);
  int type;
  socklen_t len = sizeof type;
  if (getsockopt((int)socket, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
    return error_set_os(MIOW_ENOTSOCK, errno);
  return 0;
}

bool sys_handle_is_open(miow_socket_t value) {
  int saved = errno;
  bool open = value <= (miow_socket_t)INT32_MAX && fcntl((int)value, F_GETFD) != -1;
  errno = saved;
  return open;
}

/* The OS error is already an errno value here. */
void sys_errno_store(int32_t code, int32_t os_error) {
  (void)code;
  errno = os_error;
}

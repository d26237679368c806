/* Process-wide plumbing for the Windows backend: one-time set-up, locks and the per-thread
 * error record. */
#include <errno.h>

#include "error.h"
#include "nt.h"
#include "sys.h"
#include "wait.h"

_Static_assert(sizeof(SRWLOCK) <= sizeof(sys_lock), "sys_lock storage too small for SRWLOCK");

static INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;
static DWORD init_error;

static BOOL CALLBACK sys__init_once(PINIT_ONCE once, PVOID param, PVOID *context) {
  (void)once, (void)param, (void)context;
  WSADATA wsa;
  /* Never balanced by WSACleanup: the host may keep using Winsock after we are unloaded, and
   * the count is per process. */
  int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
  if (rc != 0) {
    init_error = (DWORD)rc;
    return TRUE;
  }
  init_error = nt_resolve();
  wait_init();
  return TRUE;
}

int32_t sys_init(void) {
  InitOnceExecuteOnce(&init_once, sys__init_once, NULL, NULL);
  if (init_error != 0) return error_set_os(MIOW_EOS, (int32_t)init_error);
  return 0;
}

void sys_lock_acquire(sys_lock *lock) { AcquireSRWLockExclusive((SRWLOCK *)lock->storage); }

void sys_lock_release(sys_lock *lock) { ReleaseSRWLockExclusive((SRWLOCK *)lock->storage); }

_Static_assert(sizeof(CONDITION_VARIABLE) <= sizeof(sys_cond), "sys_cond storage too small");

void sys_cond_wait(sys_cond *cond, sys_lock *lock, int64_t timeout_ms) {
  DWORD wait = timeout_ms < 0                    ? INFINITE
               : timeout_ms >= (int64_t)INFINITE ? INFINITE - 1
                                                 : (DWORD)timeout_ms;
  SleepConditionVariableSRW((CONDITION_VARIABLE *)cond->storage, (SRWLOCK *)lock->storage, wait, 0);
}

void sys_cond_broadcast(sys_cond *cond) {
  WakeAllConditionVariable((CONDITION_VARIABLE *)cond->storage);
}

double sys_now_ms(void) {
  static LARGE_INTEGER frequency;
  if (frequency.QuadPart == 0) QueryPerformanceFrequency(&frequency);
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return (double)now.QuadPart * 1000.0 / (double)frequency.QuadPart;
}

/* The error record lives in a TLS slot of our own rather than in the thread's last error
 * alone, because any Win32 call the host makes afterwards overwrites that. */
static INIT_ONCE tls_once = INIT_ONCE_STATIC_INIT;
static DWORD tls_index = TLS_OUT_OF_INDEXES;

static BOOL CALLBACK sys__tls_once(PINIT_ONCE once, PVOID param, PVOID *context) {
  (void)once, (void)param, (void)context;
  tls_index = TlsAlloc();
  return TRUE;
}

void sys_error_store(int32_t os_error) {
  InitOnceExecuteOnce(&tls_once, sys__tls_once, NULL, NULL);
  if (tls_index != TLS_OUT_OF_INDEXES) TlsSetValue(tls_index, (LPVOID)(intptr_t)os_error);
  SetLastError((DWORD)os_error);
}

int32_t sys_error_load(void) {
  DWORD saved = GetLastError(); /* TlsGetValue clears it on success */
  InitOnceExecuteOnce(&tls_once, sys__tls_once, NULL, NULL);
  int32_t value = 0;
  if (tls_index != TLS_OUT_OF_INDEXES) value = (int32_t)(intptr_t)TlsGetValue(tls_index);
  SetLastError(saved);
  return value;
}

int32_t sys_error_for_code(int32_t code) {
  switch (code) {
    case MIOW_EINVAL: return ERROR_INVALID_PARAMETER;
    case MIOW_EBADHANDLE: return ERROR_INVALID_HANDLE;
    case MIOW_ENOMEM: return ERROR_NOT_ENOUGH_MEMORY;
    case MIOW_EEXIST: return ERROR_ALREADY_EXISTS;
    case MIOW_ENOENT: return ERROR_NOT_FOUND;
    case MIOW_EBUSY: return ERROR_BUSY;
    case MIOW_ENOTSOCK: return WSAENOTSOCK;
    case MIOW_ECLOSED: return ERROR_OPERATION_ABORTED;
    case MIOW_EWOULDBLOCK: return WSAEWOULDBLOCK;
    case MIOW_ECONNREFUSED: return WSAECONNREFUSED;
    case MIOW_ECONNRESET: return WSAECONNRESET;
    case MIOW_ECONNABORTED: return WSAECONNABORTED;
    case MIOW_ENOTCONN: return WSAENOTCONN;
    case MIOW_EADDRINUSE: return WSAEADDRINUSE;
    case MIOW_EADDRNOTAVAIL: return WSAEADDRNOTAVAIL;
    case MIOW_EMSGSIZE: return WSAEMSGSIZE;
    case MIOW_ESHUTDOWN: return WSAESHUTDOWN;
    case MIOW_ETIMEDOUT: return WSAETIMEDOUT;
    case MIOW_ENOTSUP: return ERROR_NOT_SUPPORTED;
    case MIOW_EPIPE: return ERROR_BROKEN_PIPE;
    case MIOW_EPIPEBUSY: return ERROR_PIPE_BUSY;
    case MIOW_ENOTFOUND: return ERROR_FILE_NOT_FOUND;
    default: return ERROR_GEN_FAILURE;
  }
}

int32_t sys_error_code(int32_t os_error) {
  switch (os_error) {
    case WSAEWOULDBLOCK: return MIOW_EWOULDBLOCK;
    case WSAECONNREFUSED: return MIOW_ECONNREFUSED;
    case WSAECONNRESET:
    case WSAENETRESET: return MIOW_ECONNRESET;
    case WSAECONNABORTED: return MIOW_ECONNABORTED;
    case WSAENOTCONN:
    case WSAEDESTADDRREQ: return MIOW_ENOTCONN;
    case WSAEADDRINUSE: return MIOW_EADDRINUSE;
    case WSAEADDRNOTAVAIL: return MIOW_EADDRNOTAVAIL;
    case WSAEMSGSIZE: return MIOW_EMSGSIZE;
    case WSAESHUTDOWN: return MIOW_ESHUTDOWN;
    case WSAETIMEDOUT: return MIOW_ETIMEDOUT;
    /* A pipe whose other end is gone, as each call reports it. */
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED: return MIOW_EPIPE;
    case ERROR_PIPE_BUSY: return MIOW_EPIPEBUSY;
    case ERROR_FILE_NOT_FOUND: return MIOW_ENOTFOUND;
    case WSAENOBUFS:
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return MIOW_ENOMEM;
    case WSAENOTSOCK: return MIOW_ENOTSOCK;
    default: return MIOW_EOS;
  }
}

/* errno belongs to the C runtime (msvcrt.dll for mingw-w64 builds): a host linked with the same
 * runtime reads it; one linked with another (MSVC's ucrt) reads the last error instead. */
void sys_errno_store(int32_t code, int32_t os_error) {
  int value;
  switch (code) {
    case MIOW_EINVAL: value = EINVAL; break;
    case MIOW_EBADHANDLE: value = EBADF; break;
    case MIOW_ENOMEM: value = ENOMEM; break;
    case MIOW_EEXIST: value = EEXIST; break;
    case MIOW_ENOENT: value = ENOENT; break;
    case MIOW_ENOTSOCK: value = ENOTSOCK; break;
    default:
      switch (os_error) {
        case ERROR_NOT_ENOUGH_MEMORY:
        case ERROR_OUTOFMEMORY:
        case ERROR_NO_SYSTEM_RESOURCES:
        case WSAENOBUFS: value = ENOMEM; break;
        case ERROR_TOO_MANY_OPEN_FILES:
        case WSAEMFILE: value = EMFILE; break;
        default: value = EIO; break;
      }
  }
  errno = value;
}

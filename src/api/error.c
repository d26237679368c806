/* Error descriptions and the per-thread record of the OS error behind the last failure. */
#include "error.h"

#include "sys.h"

int32_t error_set(int32_t code) { return error_set_os(code, sys_error_for_code(code)); }

int32_t error_set_os(int32_t code, int32_t os_error) {
  sys_error_store(os_error);
  return code;
}

MIOW_EXTERN const char *MIOW_CALL miow_strerror(int32_t code) {
  switch (code) {
    case MIOW_OK: return "success";
    case MIOW_EINVAL: return "invalid argument";
    case MIOW_EBADHANDLE: return "invalid, freed or wrong-kind handle";
    case MIOW_ENOMEM: return "out of memory";
    case MIOW_EEXIST: return "source already registered";
    case MIOW_ENOENT: return "source not registered with this selector";
    case MIOW_EBUSY: return "another thread is polling this selector";
    case MIOW_ENOTSOCK: return "not a socket";
    case MIOW_ECLOSED: return "selector was freed";
    case MIOW_EOS: return "operating system error (see miow_last_os_error)";
    case MIOW_EWOULDBLOCK: return "operation would block";
    case MIOW_ECONNREFUSED: return "connection refused";
    case MIOW_ECONNRESET: return "connection reset by peer";
    case MIOW_ECONNABORTED: return "connection aborted";
    case MIOW_ENOTCONN: return "socket not connected";
    case MIOW_EADDRINUSE: return "address already in use";
    case MIOW_EADDRNOTAVAIL: return "address not available";
    case MIOW_EMSGSIZE: return "message too large";
    case MIOW_ESHUTDOWN: return "socket was shut down";
    case MIOW_ETIMEDOUT: return "operation timed out";
    case MIOW_ENOTSUP: return "not supported by this kind of source";
    case MIOW_EPIPE: return "broken pipe";
    case MIOW_EPIPEBUSY: return "every instance of the pipe is busy";
    case MIOW_ENOTFOUND: return "no such pipe";
    default: return "unknown error";
  }
}

MIOW_EXTERN int32_t MIOW_CALL miow_last_os_error(void) { return sys_error_load(); }

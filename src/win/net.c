/* Socket validation and the base-socket lookup AFD needs. */
#include "net.h"

#include "error.h"
#include "sys.h"

#ifndef SIO_BSP_HANDLE
#define SIO_BSP_HANDLE 0x4800001Bu
#endif
#ifndef SIO_BSP_HANDLE_SELECT
#define SIO_BSP_HANDLE_SELECT 0x4800001Cu
#endif
#ifndef SIO_BSP_HANDLE_POLL
#define SIO_BSP_HANDLE_POLL 0x4800001Du
#endif
#ifndef SIO_BASE_HANDLE
#define SIO_BASE_HANDLE 0x48000022u
#endif

bool net_is_socket(SOCKET socket) {
  if (socket == INVALID_SOCKET) {
    WSASetLastError(WSAENOTSOCK);
    return false;
  }
  int type;
  int len = sizeof type;
  return getsockopt(socket, SOL_SOCKET, SO_TYPE, (char *)&type, &len) == 0;
}

int32_t sys_socket_check(miow_socket_t socket) {
  if (!net_is_socket((SOCKET)socket)) {
    int error = WSAGetLastError();
    return error_set_os(MIOW_ENOTSOCK, error != 0 ? error : WSAENOTSOCK);
  }
  return 0;
}

bool sys_handle_is_open(miow_socket_t value) {
  /* GetHandleInformation accepts INVALID_HANDLE_VALUE (the current process), so rule it out. */
  if (value == 0 || (SOCKET)value == INVALID_SOCKET) return false;
  DWORD saved = GetLastError();
  DWORD flags;
  bool open = GetHandleInformation((HANDLE)value, &flags) != 0;
  SetLastError(saved);
  return open;
}

static bool net__ioctl_handle(SOCKET socket, DWORD code, SOCKET *out) {
  DWORD bytes;
  return WSAIoctl(socket, code, NULL, 0, out, sizeof *out, &bytes, NULL, NULL) != SOCKET_ERROR;
}

int net_base_socket(SOCKET socket, SOCKET *out) {
  if (net__ioctl_handle(socket, SIO_BASE_HANDLE, out)) return 0;
  int error = WSAGetLastError();
  /* An LSP that hides SIO_BASE_HANDLE usually still answers one of the BSP queries. Their
   * result only counts when it names a different socket: some LSPs echo their own. */
  static const DWORD fallbacks[] = {SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL, SIO_BSP_HANDLE};
  for (size_t i = 0; i < sizeof fallbacks / sizeof fallbacks[0]; i++) {
    SOCKET base;
    if (net__ioctl_handle(socket, fallbacks[i], &base) && base != socket) {
      *out = base;
      return 0;
    }
  }
  return error;
}

int net_socket_type(SOCKET socket) {
  int saved = WSAGetLastError();
  int type;
  int len = sizeof type;
  if (getsockopt(socket, SOL_SOCKET, SO_TYPE, (char *)&type, &len) != 0) type = -1;
  WSASetLastError(saved);
  return type;
}

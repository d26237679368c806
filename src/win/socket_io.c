/* Non-blocking receive and send on sockets the library created, scatter/gather included. The
 * sockets are overlapped-capable, but these calls pass no OVERLAPPED, so Winsock runs them
 * synchronously and a non-blocking socket answers WSAEWOULDBLOCK instead of waiting. */
#include <stdlib.h>

#include "error.h"
#include "sockaddr.h"
#include "sys.h"

/* Buffers converted on the stack; more than this takes one allocation. */
#define STACK_BUFFERS 16

/* One call moves at most INT32_MAX bytes: the counts Winsock returns are 32-bit. */
#define CALL_BYTES_MAX ((uint64_t)INT32_MAX)

/* Converts `buffers` to WSABUFs in `out`, cutting the total to CALL_BYTES_MAX. */
static void socket_io__convert(const miow_buffer *buffers, size_t count, WSABUF *out) {
  uint64_t left = CALL_BYTES_MAX;
  for (size_t i = 0; i < count; i++) {
    uint64_t len = buffers[i].length < left ? buffers[i].length : left;
    left -= len;
    out[i].buf = buffers[i].data;
    out[i].len = (ULONG)len;
  }
}

/* WSABUFs for `count` buffers: `stack` when it is big enough, else heap memory (NULL when
 * memory is exhausted). */
static WSABUF *socket_io__wsabufs(const miow_buffer *buffers, size_t count, WSABUF *stack) {
  WSABUF *bufs = count <= STACK_BUFFERS ? stack : malloc(count * sizeof *bufs);
  if (bufs != NULL) socket_io__convert(buffers, count, bufs);
  return bufs;
}

/* How many ICMP errors in a row one call absorbs before it reports one: each report clears
 * the error it carried, so this only bounds a call against a flood. */
#define ICMP_RETRIES_MAX 64

static bool socket_io__is_datagram(miow_socket_t socket) {
  int type = 0;
  int length = sizeof type;
  return getsockopt((SOCKET)socket, SOL_SOCKET, SO_TYPE, (char *)&type, &length) == 0 &&
         type == SOCK_DGRAM;
}

/* Whether a UDP call failed only because of an ICMP error an earlier datagram caused, which
 * net.h promises never fails UDP I/O, whatever SIO_UDP_CONNRESET did: Windows reports a
 * port-unreachable as WSAECONNRESET when that switch is on, and under Wine 8, where it is a
 * stub, the host's ECONNREFUSED comes through as WSAECONNREFUSED. Reporting the error cleared
 * it, and the call that carried it transferred nothing, so it is simply made again (as the
 * Linux backend does). The socket's type is asked only on this rare path. */
static bool socket_io__icmp_error(miow_socket_t socket, int error, int *retries) {
  if (error != WSAECONNRESET && error != WSAECONNREFUSED) return false;
  if (++*retries > ICMP_RETRIES_MAX || !socket_io__is_datagram(socket)) return false;
  WSASetLastError(error); /* getsockopt succeeded and may have cleared it */
  return true;
}

int32_t sys_sock_recv(miow_socket_t socket, const miow_buffer *buffers, size_t count,
                      uint32_t flags, size_t *received, sys_addr *from) {
  WSABUF stack[STACK_BUFFERS];
  WSABUF *bufs = socket_io__wsabufs(buffers, count, stack);
  if (bufs == NULL) return error_set(MIOW_ENOMEM);
  /* A zero-length receive still needs one (empty) buffer to take an empty datagram. */
  WSABUF empty = {0, NULL};
  DWORD nbufs = (DWORD)count;
  if (count == 0) bufs = &empty, nbufs = 1;
  DWORD bytes = 0;
  SOCKADDR_STORAGE sa;
  int rc, error = 0, retries = 0;
  do {
    DWORD wsa_flags = (flags & SYS_RECV_PEEK) ? MSG_PEEK : 0;
    INT sa_len = sizeof sa;
    bytes = 0;
    rc = from != NULL ? WSARecvFrom((SOCKET)socket, bufs, nbufs, &bytes, &wsa_flags,
                                    (SOCKADDR *)&sa, &sa_len, NULL, NULL)
                      : WSARecv((SOCKET)socket, bufs, nbufs, &bytes, &wsa_flags, NULL, NULL);
    error = rc != 0 ? WSAGetLastError() : 0;
  } while (rc != 0 && socket_io__icmp_error(socket, error, &retries));
  if (bufs != stack && bufs != &empty) free(bufs);
  /* After this side's shutdown(SD_RECEIVE) Winsock fails reads with WSAESHUTDOWN where Linux
   * reads end of stream; hosts get the end of stream on both (io.h), as Rust's std does. */
  if (rc != 0 && error == WSAESHUTDOWN) bytes = 0, rc = 0;
  if (rc != 0) return error_set_os(sys_error_code(error), error);
  if (from != NULL && !sockaddr_to_sys(&sa, from)) return error_set_os(MIOW_EOS, WSAEAFNOSUPPORT);
  *received = bytes;
  return 0;
}

/* A send without a destination on a UDP socket with no default peer is WSAENOTCONN on
 * Windows; Wine says WSAEINVAL (and others WSAEDESTADDRREQ). All mean "not connected", which is
 * the code hosts branch on, so they get that when the socket indeed has no peer. */
static int32_t socket_io__send_failed(miow_socket_t socket, const sys_addr *to, int error) {
  if (to == NULL && (error == WSAEINVAL || error == WSAEDESTADDRREQ)) {
    SOCKADDR_STORAGE sa;
    int len = sizeof sa;
    if (getpeername((SOCKET)socket, (SOCKADDR *)&sa, &len) != 0 &&
        WSAGetLastError() == WSAENOTCONN)
      return error_set_os(MIOW_ENOTCONN, error);
  }
  return error_set_os(sys_error_code(error), error);
}

int32_t sys_sock_send(miow_socket_t socket, const miow_buffer *buffers, size_t count,
                      const sys_addr *to, size_t *sent) {
  WSABUF stack[STACK_BUFFERS];
  WSABUF *bufs = socket_io__wsabufs(buffers, count, stack);
  if (bufs == NULL) return error_set(MIOW_ENOMEM);
  SOCKADDR_STORAGE sa;
  int sa_len = to != NULL ? sockaddr_from_sys(to, &sa) : 0;
  DWORD bytes = 0;
  int rc, error = 0, retries = 0;
  do {
    bytes = 0;
    rc = to != NULL ? WSASendTo((SOCKET)socket, bufs, (DWORD)count, &bytes, 0,
                                (const SOCKADDR *)&sa, sa_len, NULL, NULL)
                    : WSASend((SOCKET)socket, bufs, (DWORD)count, &bytes, 0, NULL, NULL);
    error = rc != 0 ? WSAGetLastError() : 0;
  } while (rc != 0 && socket_io__icmp_error(socket, error, &retries));
  int32_t result = 0;
  if (rc != 0) result = socket_io__send_failed(socket, to, error);
  if (bufs != stack) free(bufs);
  if (result != 0) return result;
  *sent = bytes;
  return 0;
}

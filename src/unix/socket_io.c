/* Reading and writing the library's sockets on Linux, scattered and gathered through recvmsg
 * and sendmsg, with the outcomes made to match Winsock's where hosts branch on them: a
 * truncated datagram fails, an ICMP port-unreachable does not fail UDP I/O, and a write after
 * shutdown says so. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "error.h"
#include "sockaddr.h"
#include "socket_io.h"

/* The API layer's limit fits the kernel's (UIO_MAXIOV), so a call is never split. */
_Static_assert(MIOW_BUFFERS_MAX <= IOV_MAX, "MIOW_BUFFERS_MAX exceeds the kernel's iovec limit");

void socket_io_iovecs(struct iovec *iov, const miow_buffer *buffers, size_t count, uint64_t room) {
  for (size_t i = 0; i < count; i++) {
    uint64_t length = buffers[i].length < room ? buffers[i].length : room;
    iov[i].iov_base = buffers[i].data;
    iov[i].iov_len = (size_t)length;
    room -= length;
  }
}

static bool socket_io__is_datagram(int fd) {
  int type = 0;
  socklen_t length = sizeof type;
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_DGRAM;
}

/* Whether a failed recvmsg or sendmsg should simply be made again. ECONNREFUSED on a UDP
 * socket is an ICMP port-unreachable for an earlier datagram (Linux reports them on connected
 * sockets), which sys_sock_open() promises to ignore as Windows does with SIO_UDP_CONNRESET
 * off; reporting it cleared it, and the call that carried it did not transfer anything. The
 * socket's type is asked only on this rare path, so the common one costs no extra call. */
static bool socket_io__again(int fd, int error) {
  return error == EINTR || (error == ECONNREFUSED && socket_io__is_datagram(fd));
}

int32_t sys_sock_recv(miow_socket_t socket, const miow_buffer *buffers, size_t count,
                      uint32_t flags, size_t *received, sys_addr *from) {
  if (count > MIOW_BUFFERS_MAX) return error_set(MIOW_EINVAL);
  struct iovec iov[MIOW_BUFFERS_MAX];
  socket_io_iovecs(iov, buffers, count, INT32_MAX);
  int fd = (int)socket;
  int os_flags = (flags & SYS_RECV_PEEK) != 0 ? MSG_PEEK : 0;
  sockaddr_any sa;
  struct msghdr msg;
  ssize_t n;
  do {
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    if (from != NULL) {
      sa.sa.sa_family = AF_UNSPEC;
      msg.msg_name = &sa;
      msg.msg_namelen = sizeof sa;
    }
    n = recvmsg(fd, &msg, os_flags);
  } while (n < 0 && socket_io__again(fd, errno));
  if (n < 0) {
    int error = errno;
    return error_set_os(sys_error_code(error), error);
  }
  /* Linux returns the part of a datagram that fit and flags the loss; Winsock fails with
   * WSAEMSGSIZE, and hosts must see one behaviour. (A stream never sets MSG_TRUNC here: only
   * the MSG_TRUNC *input* flag, not passed, means something for TCP.) */
  if ((msg.msg_flags & MSG_TRUNC) != 0) return error_set(MIOW_EMSGSIZE);
  /* A stream reports no sender: `from` is then zeroed. */
  if (from != NULL) sockaddr_to_sys(from, &sa);
  *received = (size_t)n;
  return 0;
}

/* Linux fails a write after this side's shutdown(SHUT_WR) with EPIPE, as it does a write to a
 * connection the peer reset; Winsock says WSAESHUTDOWN, which io.h documents. A connection
 * this side closed for writing stays in one of these TCP states until the peer closes as well;
 * after that nothing tells the two apart and EPIPE stands. */
static bool socket_io__write_was_shut(int fd) {
  struct tcp_info info;
  socklen_t length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return false;
  switch (info.tcpi_state) {
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
    case TCP_CLOSING:
    case TCP_LAST_ACK: return true;
    default: return false;
  }
}

int32_t sys_sock_send(miow_socket_t socket, const miow_buffer *buffers, size_t count,
                      const sys_addr *to, size_t *sent) {
  if (count > MIOW_BUFFERS_MAX) return error_set(MIOW_EINVAL);
  struct iovec iov[MIOW_BUFFERS_MAX];
  socket_io_iovecs(iov, buffers, count, INT32_MAX);
  int fd = (int)socket;
  sockaddr_any sa;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  if (to != NULL) {
    msg.msg_namelen = sockaddr_from_sys(&sa, to);
    msg.msg_name = &sa;
  }
  ssize_t n;
  /* MSG_NOSIGNAL: a write to a closed connection must fail with EPIPE, not kill the host with
   * SIGPIPE; a library cannot own the process's signal disposition. */
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && socket_io__again(fd, errno));
  if (n < 0) {
    int error = errno;
    if (error == EPIPE && socket_io__write_was_shut(fd)) return error_set(MIOW_ESHUTDOWN);
    return error_set_os(sys_error_code(error), error);
  }
  *sent = (size_t)n;
  return 0;
}

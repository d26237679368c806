/* The sockets the library creates, on Linux: their life cycle (open, bind, listen, connect,
 * accept, shutdown, close), options and multicast membership, and the errno-to-code mapping all
 * socket calls share. Reading and writing are in socket_io.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "sockaddr.h"

int32_t sys_error_code(int32_t os_error) {
  switch (os_error) {
    /* EWOULDBLOCK is EAGAIN on Linux, so one case covers both. */
    case EAGAIN: return MIOW_EWOULDBLOCK;
    case ECONNREFUSED: return MIOW_ECONNREFUSED;
    case ECONNRESET: return MIOW_ECONNRESET;
    case ECONNABORTED: return MIOW_ECONNABORTED;
    /* A send without a destination on a UDP socket that has no peer: Winsock says
     * WSAENOTCONN, and io.h promises MIOW_ENOTCONN. */
    case ENOTCONN:
    case EDESTADDRREQ: return MIOW_ENOTCONN;
    case EADDRINUSE: return MIOW_EADDRINUSE;
    case EADDRNOTAVAIL: return MIOW_EADDRNOTAVAIL;
    case EMSGSIZE: return MIOW_EMSGSIZE;
    case ESHUTDOWN: return MIOW_ESHUTDOWN;
    case ETIMEDOUT: return MIOW_ETIMEDOUT;
    case EPIPE: return MIOW_EPIPE;
    case ENOMEM:
    case ENOBUFS: return MIOW_ENOMEM;
    /* EINVAL stays MIOW_EOS: the API layer has checked every argument a host passes, so an
     * EINVAL from the kernel describes the socket's state (a second bind, listen on a
     * connected socket, IPV6_V6ONLY on a bound socket), which MIOW_EINVAL, a bad argument,
     * would misreport. The errno itself stays readable through miow_last_os_error(). */
    default: return MIOW_EOS;
  }
}

/* The error path after a failed socket call: errno, read once, gives the code and is recorded. */
static int32_t socket__fail(void) {
  int error = errno;
  return error_set_os(sys_error_code(error), error);
}

int32_t sys_sock_open(uint16_t family, sys_sock_type type, miow_socket_t *out) {
  int domain = family == SYS_IPV6 ? AF_INET6 : AF_INET;
  int kind = (type == SYS_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  int fd = socket(domain, kind, 0);
  if (fd < 0) return socket__fail();
  /* Linux defaults to dual-stack (net.ipv6.bindv6only=0); Windows to IPv6-only, which net.h
   * makes the rule everywhere. */
  if (family == SYS_IPV6) {
    int on = 1;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) {
      int error = errno;
      close(fd);
      return error_set_os(sys_error_code(error), error);
    }
  }
  /* Linux has no switch like Windows' SIO_UDP_CONNRESET for a UDP socket's ICMP
   * port-unreachable reports; socket_io.c drops them as they surface instead. */
  *out = (miow_socket_t)fd;
  return 0;
}

void sys_sock_close(miow_socket_t socket) {
  /* Callers close on their way out of a failure whose errno is already recorded for the host.
   * No retry on EINTR: Linux has released the descriptor whatever close() returns. */
  int saved = errno;
  close((int)socket);
  errno = saved;
}

int32_t sys_sock_adopt(miow_socket_t socket, sys_sock_type *type, bool *listener,
                       uint16_t *family) {
  int fd = (int)socket;
  int kind = 0, domain = 0, protocol = 0, accepting = 0;
  socklen_t length = sizeof kind;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &kind, &length) != 0) {
    int error = errno;
    return error_set_os(error == ENOTSOCK || error == EBADF ? MIOW_ENOTSOCK : sys_error_code(error),
                        error);
  }
  length = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) return socket__fail();
  length = sizeof protocol;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) != 0) return socket__fail();
  bool tcp = kind == SOCK_STREAM && protocol == IPPROTO_TCP;
  bool udp = kind == SOCK_DGRAM && protocol == IPPROTO_UDP;
  if ((!tcp && !udp) || (domain != AF_INET && domain != AF_INET6)) return error_set(MIOW_ENOTSUP);
  length = sizeof accepting;
  if (tcp && getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) != 0)
    return socket__fail();
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return socket__fail();
  *type = tcp ? SYS_TCP : SYS_UDP;
  *listener = tcp && accepting != 0;
  *family = domain == AF_INET ? SYS_IPV4 : SYS_IPV6;
  return 0;
}

int32_t sys_sock_bind(miow_socket_t socket, const sys_addr *addr, bool listener) {
  int fd = (int)socket;
  /* On Linux SO_REUSEADDR only lets a new listener bind while connections of an old one sit
   * in TIME_WAIT; a second listener on the same address still gets EADDRINUSE. */
  if (listener) {
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) return socket__fail();
  }
  sockaddr_any sa;
  socklen_t length = sockaddr_from_sys(&sa, addr);
  if (bind(fd, &sa.sa, length) != 0) return socket__fail();
  return 0;
}

int32_t sys_sock_listen(miow_socket_t socket, int32_t backlog) {
  /* The kernel cuts any backlog down to net.core.somaxconn, so the largest int asks for the OS
   * maximum as configured, where the SOMAXCONN constant would be a compile-time guess. */
  if (listen((int)socket, backlog > 0 ? backlog : INT_MAX) != 0) return socket__fail();
  return 0;
}

int32_t sys_sock_connect(miow_socket_t socket, const sys_addr *addr) {
  sockaddr_any sa;
  socklen_t length = sockaddr_from_sys(&sa, addr);
  if (connect((int)socket, &sa.sa, length) == 0) return 0;
  /* After EINTR, as after EINPROGRESS, the connect goes on in the background and is reported
   * through writability and SO_ERROR like any other. */
  if (errno == EINPROGRESS || errno == EINTR) return 0;
  return socket__fail();
}

/* accept(2): Linux passes network errors already pending on a new connection out of accept,
 * and asks callers to treat the TCP ones like EAGAIN. Reporting them as MIOW_ECONNABORTED, a
 * connection lost before it was accepted, leads a host to accept again, as it should. */
static int32_t socket__accept_code(int error) {
  switch (error) {
    case ENETDOWN:
    case EPROTO:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH: return MIOW_ECONNABORTED;
    default: return sys_error_code(error);
  }
}

int32_t sys_sock_accept(miow_socket_t socket, miow_socket_t *out, sys_addr *peer) {
  sockaddr_any sa;
  socklen_t length = sizeof sa;
  int fd;
  do {
    fd = accept4((int)socket, &sa.sa, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int error = errno;
    return error_set_os(socket__accept_code(error), error);
  }
  /* The new socket inherits IPV6_V6ONLY from the listener, so it matches sys_sock_open(). */
  if (peer != NULL && !sockaddr_to_sys(peer, &sa)) {
    close(fd);
    return error_set_os(MIOW_EOS, EAFNOSUPPORT);
  }
  *out = (miow_socket_t)fd;
  return 0;
}

int32_t sys_sock_shutdown(miow_socket_t socket, int32_t how) {
  int os_how = how == MIOW_SHUT_READ ? SHUT_RD : how == MIOW_SHUT_WRITE ? SHUT_WR : SHUT_RDWR;
  if (shutdown((int)socket, os_how) != 0) return socket__fail();
  return 0;
}

int32_t sys_sock_take_error(miow_socket_t socket, int32_t *os_error) {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt((int)socket, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return socket__fail();
  *os_error = error;
  return 0;
}

int32_t sys_sock_address(miow_socket_t socket, bool peer, sys_addr *out) {
  sockaddr_any sa;
  socklen_t length = sizeof sa;
  int rc =
      peer ? getpeername((int)socket, &sa.sa, &length) : getsockname((int)socket, &sa.sa, &length);
  if (rc != 0) return socket__fail();
  if (!sockaddr_to_sys(out, &sa)) return error_set_os(MIOW_EOS, EAFNOSUPPORT);
  return 0;
}

/* Where a MIOW_OPT_* option lives in the kernel; level -1 for an unknown option. */
typedef struct socket_option_place {
  int level;
  int name;
  bool boolean; /* read back as 0 or 1 */
} socket_option_place;

static socket_option_place socket__option_place(int32_t option, uint16_t family) {
  switch (option) {
    case MIOW_OPT_NODELAY: return (socket_option_place){IPPROTO_TCP, TCP_NODELAY, true};
    case MIOW_OPT_TTL:
      return family == SYS_IPV6 ? (socket_option_place){IPPROTO_IPV6, IPV6_UNICAST_HOPS, false}
                                : (socket_option_place){IPPROTO_IP, IP_TTL, false};
    case MIOW_OPT_BROADCAST: return (socket_option_place){SOL_SOCKET, SO_BROADCAST, true};
    case MIOW_OPT_MULTICAST_LOOP_V4:
      return (socket_option_place){IPPROTO_IP, IP_MULTICAST_LOOP, true};
    case MIOW_OPT_MULTICAST_TTL_V4:
      return (socket_option_place){IPPROTO_IP, IP_MULTICAST_TTL, false};
    case MIOW_OPT_MULTICAST_LOOP_V6:
      return (socket_option_place){IPPROTO_IPV6, IPV6_MULTICAST_LOOP, true};
    case MIOW_OPT_ONLY_V6: return (socket_option_place){IPPROTO_IPV6, IPV6_V6ONLY, true};
    default: return (socket_option_place){-1, -1, false};
  }
}

int32_t sys_sock_option(miow_socket_t socket, uint16_t family, int32_t option, bool set,
                        int32_t *value) {
  socket_option_place place = socket__option_place(option, family);
  if (place.level < 0) return error_set(MIOW_EINVAL);
  /* Every option here takes an int. IP_MULTICAST_TTL and IP_MULTICAST_LOOP also take a byte,
   * but Linux reads and writes an int whenever the buffer holds one. */
  int os_value = set ? (int)*value : 0;
  if (set) {
    if (setsockopt((int)socket, place.level, place.name, &os_value, sizeof os_value) != 0) {
      return socket__fail();
    }
    return 0;
  }
  socklen_t length = sizeof os_value;
  if (getsockopt((int)socket, place.level, place.name, &os_value, &length) != 0) {
    return socket__fail();
  }
  *value = place.boolean ? os_value != 0 : (int32_t)os_value;
  return 0;
}

int32_t sys_sock_multicast(miow_socket_t socket, bool join, const sys_addr *group,
                           const sys_addr *iface, uint32_t ifindex) {
  int rc;
  if (group->family == SYS_IPV6) {
    struct ipv6_mreq request;
    memset(&request, 0, sizeof request);
    memcpy(&request.ipv6mr_multiaddr, group->ip, sizeof request.ipv6mr_multiaddr);
    request.ipv6mr_interface = ifindex;
    rc = setsockopt((int)socket, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &request,
                    sizeof request);
  } else {
    struct ip_mreq request;
    memset(&request, 0, sizeof request); /* imr_interface INADDR_ANY: the OS chooses */
    memcpy(&request.imr_multiaddr, group->ip, sizeof request.imr_multiaddr);
    if (iface != NULL) memcpy(&request.imr_interface, iface->ip, sizeof request.imr_interface);
    rc = setsockopt((int)socket, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
                    &request, sizeof request);
  }
  if (rc == 0) return 0;
  /* Linux says ENODEV for an interface it does not have (or no route to the group); Winsock
   * says WSAEADDRNOTAVAIL, which is the code net.h documents for it. */
  int error = errno;
  return error_set_os(error == ENODEV ? MIOW_EADDRNOTAVAIL : sys_error_code(error), error);
}

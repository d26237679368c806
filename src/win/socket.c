/* Sockets the library creates, on Winsock: creation with the properties miowin promises,
 * binding, connecting, accepting, and the control calls. */
#include <string.h>

#include "error.h"
#include "sockaddr.h"
#include "sys.h"

#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif
#ifndef SIO_UDP_CONNRESET
#define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#endif

/* Makes a fresh socket non-blocking and keeps it out of child processes. `flagged`: it was
 * created with WSA_FLAG_NO_HANDLE_INHERIT, so clearing the handle flag is only a second line
 * (which fails on the non-kernel handles of some layered providers, harmlessly then). */
static int32_t socket__prepare(SOCKET s, bool flagged) {
  u_long on = 1;
  if (ioctlsocket(s, FIONBIO, &on) != 0) return sockaddr_fail();
  /* WSA_FLAG_NO_HANDLE_INHERIT covers sockets we open, not accepted ones, and systems before
   * Windows 7 SP1 lack it: clearing the flag on the handle covers those. */
  if (!SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0) && !flagged) {
    DWORD error = GetLastError();
    return error_set_os(MIOW_EOS, (int32_t)error);
  }
  return 0;
}

static int32_t socket__set_int(SOCKET s, int level, int name, int value) {
  if (setsockopt(s, level, name, (const char *)&value, sizeof value) != 0) return sockaddr_fail();
  return 0;
}

static int32_t socket__udp_no_connreset(SOCKET s);

int32_t sys_sock_open(uint16_t family, sys_sock_type type, miow_socket_t *out) {
  int af = family == SYS_IPV4 ? AF_INET : AF_INET6;
  int st = type == SYS_TCP ? SOCK_STREAM : SOCK_DGRAM;
  int proto = type == SYS_TCP ? IPPROTO_TCP : IPPROTO_UDP;
  bool flagged = true;
  SOCKET s = WSASocketW(af, st, proto, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET && WSAGetLastError() == WSAEINVAL) {
    flagged = false; /* before Windows 7 SP1 */
    s = WSASocketW(af, st, proto, NULL, 0, WSA_FLAG_OVERLAPPED);
  }
  if (s == INVALID_SOCKET) return sockaddr_fail();
  int32_t rc = socket__prepare(s, flagged);
  if (rc == 0 && family == SYS_IPV6) rc = socket__set_int(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  if (rc == 0 && type == SYS_UDP) rc = socket__udp_no_connreset(s);
  if (rc != 0) {
    closesocket(s);
    return rc;
  }
  *out = (miow_socket_t)s;
  return 0;
}

void sys_sock_close(miow_socket_t socket) { closesocket((SOCKET)socket); }

/* Turns off the report of an ICMP port-unreachable as WSAECONNRESET on the next receive,
 * which a server answering many peers must not see (tokio #2017). */
static int32_t socket__udp_no_connreset(SOCKET s) {
  BOOL report = FALSE;
  DWORD bytes;
  if (WSAIoctl(s, SIO_UDP_CONNRESET, &report, sizeof report, NULL, 0, &bytes, NULL, NULL) != 0)
    return sockaddr_fail();
  return 0;
}

int32_t sys_sock_adopt(miow_socket_t socket, sys_sock_type *type, bool *listener,
                       uint16_t *family) {
  SOCKET s = (SOCKET)socket;
  WSAPROTOCOL_INFOW info;
  int length = sizeof info;
  if (getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&info, &length) != 0) {
    int error = WSAGetLastError();
    return error_set_os(error == WSAENOTSOCK ? MIOW_ENOTSOCK : sys_error_code(error), error);
  }
  bool tcp = info.iSocketType == SOCK_STREAM && info.iProtocol == IPPROTO_TCP;
  bool udp = info.iSocketType == SOCK_DGRAM && info.iProtocol == IPPROTO_UDP;
  if ((!tcp && !udp) || (info.iAddressFamily != AF_INET && info.iAddressFamily != AF_INET6))
    return error_set(MIOW_ENOTSUP);
  BOOL accepting = FALSE;
  length = sizeof accepting;
  if (tcp && getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, (char *)&accepting, &length) != 0)
    return sockaddr_fail();
  u_long on = 1;
  if (ioctlsocket(s, FIONBIO, &on) != 0) return sockaddr_fail();
  if (udp) {
    int32_t rc = socket__udp_no_connreset(s);
    if (rc != 0) return rc;
  }
  *type = tcp ? SYS_TCP : SYS_UDP;
  *listener = tcp && accepting;
  *family = info.iAddressFamily == AF_INET ? SYS_IPV4 : SYS_IPV6;
  return 0;
}

int32_t sys_sock_bind(miow_socket_t socket, const sys_addr *addr, bool listener) {
  SOCKET s = (SOCKET)socket;
  /* SO_REUSEADDR on Windows would let another process bind the same port and steal its
   * connections; exclusive use is what a listener wants. */
  if (listener) {
    int32_t rc = socket__set_int(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1);
    if (rc != 0) return rc;
  }
  SOCKADDR_STORAGE sa;
  int len = sockaddr_from_sys(addr, &sa);
  if (bind(s, (const SOCKADDR *)&sa, len) != 0) {
    int error = WSAGetLastError();
    /* An address another socket holds exclusively is refused with WSAEACCES. */
    if (error == WSAEACCES) return error_set_os(MIOW_EADDRINUSE, error);
    return error_set_os(sys_error_code(error), error);
  }
  return 0;
}

int32_t sys_sock_listen(miow_socket_t socket, int32_t backlog) {
  if (listen((SOCKET)socket, backlog > 0 ? backlog : SOMAXCONN) != 0) return sockaddr_fail();
  return 0;
}

int32_t sys_sock_connect(miow_socket_t socket, const sys_addr *addr) {
  SOCKADDR_STORAGE sa;
  int len = sockaddr_from_sys(addr, &sa);
  if (connect((SOCKET)socket, (const SOCKADDR *)&sa, len) != 0 &&
      WSAGetLastError() != WSAEWOULDBLOCK)
    return sockaddr_fail();
  return 0;
}

int32_t sys_sock_accept(miow_socket_t socket, miow_socket_t *out, sys_addr *peer) {
  SOCKADDR_STORAGE sa;
  int len = sizeof sa;
  SOCKET s = accept((SOCKET)socket, (SOCKADDR *)&sa, &len);
  if (s == INVALID_SOCKET) {
    int error = WSAGetLastError();
    /* A connection reset before it was accepted: as on other systems, the listener goes on. */
    if (error == WSAECONNRESET) return error_set_os(MIOW_ECONNABORTED, error);
    return error_set_os(sys_error_code(error), error);
  }
  /* The accepted socket inherits non-blocking mode, but not a cleared inherit flag (a process
   * created by another thread in between could still inherit it: Winsock has no atomic way). */
  int32_t rc = socket__prepare(s, false);
  if (rc == 0 && !sockaddr_to_sys(&sa, peer)) rc = error_set_os(MIOW_EOS, WSAEAFNOSUPPORT);
  if (rc != 0) {
    closesocket(s);
    return rc;
  }
  *out = (miow_socket_t)s;
  return 0;
}

int32_t sys_sock_shutdown(miow_socket_t socket, int32_t how) {
  int sd = how == MIOW_SHUT_READ ? SD_RECEIVE : how == MIOW_SHUT_WRITE ? SD_SEND : SD_BOTH;
  if (shutdown((SOCKET)socket, sd) != 0) return sockaddr_fail();
  return 0;
}

int32_t sys_sock_take_error(miow_socket_t socket, int32_t *os_error) {
  int value = 0;
  int len = sizeof value;
  if (getsockopt((SOCKET)socket, SOL_SOCKET, SO_ERROR, (char *)&value, &len) != 0)
    return sockaddr_fail();
  *os_error = value;
  return 0;
}

int32_t sys_sock_address(miow_socket_t socket, bool peer, sys_addr *out) {
  SOCKADDR_STORAGE sa;
  int len = sizeof sa;
  int rc = peer ? getpeername((SOCKET)socket, (SOCKADDR *)&sa, &len)
                : getsockname((SOCKET)socket, (SOCKADDR *)&sa, &len);
  if (rc != 0) return sockaddr_fail();
  if (!sockaddr_to_sys(&sa, out)) return error_set_os(MIOW_EOS, WSAEAFNOSUPPORT);
  return 0;
}

int32_t sys_sock_option(miow_socket_t socket, uint16_t family, int32_t option, bool set,
                        int32_t *value) {
  int level, name;
  switch (option) {
    case MIOW_OPT_NODELAY: level = IPPROTO_TCP, name = TCP_NODELAY; break;
    case MIOW_OPT_TTL:
      if (family == SYS_IPV4)
        level = IPPROTO_IP, name = IP_TTL;
      else
        level = IPPROTO_IPV6, name = IPV6_UNICAST_HOPS;
      break;
    case MIOW_OPT_BROADCAST: level = SOL_SOCKET, name = SO_BROADCAST; break;
    case MIOW_OPT_MULTICAST_LOOP_V4: level = IPPROTO_IP, name = IP_MULTICAST_LOOP; break;
    case MIOW_OPT_MULTICAST_TTL_V4: level = IPPROTO_IP, name = IP_MULTICAST_TTL; break;
    case MIOW_OPT_MULTICAST_LOOP_V6: level = IPPROTO_IPV6, name = IPV6_MULTICAST_LOOP; break;
    default: level = IPPROTO_IPV6, name = IPV6_V6ONLY; break;
  }
  if (set) return socket__set_int((SOCKET)socket, level, name, *value);
  /* Some options are stored in fewer bytes than an int (BOOL vs BYTE): start from zero. */
  int got = 0;
  int len = sizeof got;
  if (getsockopt((SOCKET)socket, level, name, (char *)&got, &len) != 0) return sockaddr_fail();
  bool boolean = option != MIOW_OPT_TTL && option != MIOW_OPT_MULTICAST_TTL_V4;
  *value = boolean ? got != 0 : got;
  return 0;
}

int32_t sys_sock_multicast(miow_socket_t socket, bool join, const sys_addr *group,
                           const sys_addr *iface, uint32_t ifindex) {
  int rc;
  if (group->family == SYS_IPV4) {
    IP_MREQ mreq;
    memcpy(&mreq.imr_multiaddr, group->ip, 4);
    memcpy(&mreq.imr_interface, iface->ip, 4);
    rc = setsockopt((SOCKET)socket, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
                    (const char *)&mreq, sizeof mreq);
  } else {
    IPV6_MREQ mreq;
    memcpy(&mreq.ipv6mr_multiaddr, group->ip, 16);
    mreq.ipv6mr_interface = ifindex;
    rc = setsockopt((SOCKET)socket, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP,
                    (const char *)&mreq, sizeof mreq);
  }
  if (rc != 0) return sockaddr_fail();
  return 0;
}

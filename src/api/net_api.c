/* Creating sockets: TCP listeners, connecting TCP streams, accepted streams, bound UDP
 * sockets. Each comes back as a source that owns its socket. */
#include "address.h"
#include "error.h"
#include "io_shared.h"
#include "objects.h"

/* The flags the creation calls know. */
#define NET_FLAGS MIOW_NET_DUAL_STACK

/* Whether `flags` suit a socket for `addr`: known ones only, and dual-stack for IPv6 only. */
static bool net__flags_are_valid(const sys_addr *addr, uint32_t flags) {
  if ((flags & ~NET_FLAGS) != 0) return false;
  return !(flags & MIOW_NET_DUAL_STACK) || addr->family == SYS_IPV6;
}

/* A new socket of `type` for `addr`'s family, dual-stack if `flags` say so, bound to it. The
 * IPv6-only switch can change only before the bind. */
static int32_t net__open_bound(const sys_addr *addr, sys_sock_type type, bool listener,
                               uint32_t flags, miow_socket_t *out) {
  miow_socket_t socket;
  int32_t rc = sys_sock_open(addr->family, type, &socket);
  if (rc != 0) return rc;
  if (flags & MIOW_NET_DUAL_STACK) {
    int32_t only_v6 = 0;
    rc = sys_sock_option(socket, SYS_IPV6, MIOW_OPT_ONLY_V6, true, &only_v6);
  }
  if (rc == 0) rc = sys_sock_bind(socket, addr, listener);
  if (rc != 0) {
    sys_sock_close(socket);
    return rc;
  }
  *out = socket;
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_tcp_listen_ex(miow_source **out, const char *address,
                                                 int32_t backlog, uint32_t flags) {
  sys_addr addr;
  if (out == NULL || !address_parse(address, &addr) || !net__flags_are_valid(&addr, flags))
    return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  miow_socket_t socket;
  rc = net__open_bound(&addr, SYS_TCP, true, flags, &socket);
  if (rc != 0) return rc;
  rc = sys_sock_listen(socket, backlog);
  if (rc != 0) {
    sys_sock_close(socket);
    return rc;
  }
  return source_publish_owned(socket, SOURCE_TCP_LISTENER, addr.family, out);
}

MIOW_EXTERN int32_t MIOW_CALL miow_tcp_listen(miow_source **out, const char *address,
                                              int32_t backlog) {
  return miow_tcp_listen_ex(out, address, backlog, 0);
}

MIOW_EXTERN int32_t MIOW_CALL miow_tcp_connect(miow_source **out, const char *address) {
  sys_addr addr;
  if (out == NULL || !address_parse(address, &addr)) return error_set(MIOW_EINVAL);
  /* Port 0 names no peer. Winsock refuses it at once with WSAEADDRNOTAVAIL, as net.h
   * documents; Linux, and Wine 8 passing UDP through to its host, would take it. So the
   * refusal is made here for every backend, as udp_api.c does for UDP peers. */
  if (addr.port == 0) return error_set(MIOW_EADDRNOTAVAIL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  miow_socket_t socket;
  rc = sys_sock_open(addr.family, SYS_TCP, &socket);
  if (rc != 0) return rc;
  rc = sys_sock_connect(socket, &addr);
  if (rc != 0) {
    sys_sock_close(socket);
    return rc;
  }
  return source_publish_owned(socket, SOURCE_TCP_STREAM, addr.family, out);
}

MIOW_EXTERN int32_t MIOW_CALL miow_tcp_accept(miow_source *handle, miow_source **out, char *peer,
                                              size_t peer_size) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  /* The room is checked up front, because afterwards the connection would already be taken. */
  if (out == NULL || (peer != NULL && peer_size < MIOW_ADDRESS_SIZE))
    return source_leave(src, error_set(MIOW_EINVAL));
  if (src->kind != SOURCE_TCP_LISTENER) return source_leave(src, error_set(MIOW_ENOTSUP));
  miow_socket_t socket;
  sys_addr addr;
  int32_t rc = sys_sock_accept(src->socket, &socket, &addr);
  if (rc != 0) return io_finish(src, rc, IO_REARM_READ);
  if (peer != NULL && !address_format(&addr, peer, peer_size)) {
    sys_sock_close(socket);
    return source_leave(src, error_set(MIOW_EINVAL));
  }
  return source_leave(src, source_publish_owned(socket, SOURCE_TCP_STREAM, src->family, out));
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_bind_ex(miow_source **out, const char *address,
                                               uint32_t flags) {
  sys_addr addr;
  if (out == NULL || !address_parse(address, &addr) || !net__flags_are_valid(&addr, flags))
    return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  miow_socket_t socket;
  rc = net__open_bound(&addr, SYS_UDP, false, flags, &socket);
  if (rc != 0) return rc;
  return source_publish_owned(socket, SOURCE_UDP, addr.family, out);
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_bind(miow_source **out, const char *address) {
  return miow_udp_bind_ex(out, address, 0);
}

/* Creating sockets: TCP listeners, connecting TCP streams, accepted streams, bound UDP
 * sockets. Each comes back as a source that owns its socket. */
#include "address.h"
#include "error.h"
#include "io_shared.h"
#include "objects.h"

/* A new socket of `type` for `addr`'s family, bound to it. */
static int32_t net__open_bound(const sys_addr *addr, sys_sock_type type, bool listener,
                               miow_socket_t *out) {
  miow_socket_t socket;
  int32_t rc = sys_sock_open(addr->family, type, &socket);
  if (rc != 0) return rc;
  rc = sys_sock_bind(socket, addr, listener);
  if (rc != 0) {
    sys_sock_close(socket);
    return rc;
  }
  *out = socket;
  return 0;
}

MIOW_EXTERN int32_t MIOW_CALL miow_tcp_listen(miow_source **out, const char *address,
                                              int32_t backlog) {
  sys_addr addr;
  if (out == NULL || !address_parse(address, &addr)) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  miow_socket_t socket;
  rc = net__open_bound(&addr, SYS_TCP, true, &socket);
  if (rc != 0) return rc;
  rc = sys_sock_listen(socket, backlog);
  if (rc != 0) {
    sys_sock_close(socket);
    return rc;
  }
  return source_publish_owned(socket, SOURCE_TCP_LISTENER, addr.family, out);
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

MIOW_EXTERN int32_t MIOW_CALL miow_udp_bind(miow_source **out, const char *address) {
  sys_addr addr;
  if (out == NULL || !address_parse(address, &addr)) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  miow_socket_t socket;
  rc = net__open_bound(&addr, SYS_UDP, false, &socket);
  if (rc != 0) return rc;
  return source_publish_owned(socket, SOURCE_UDP, addr.family, out);
}

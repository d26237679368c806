/* The UDP-only calls: default peer, datagrams with addresses, multicast membership. */
#include "address.h"
#include "error.h"
#include "io_shared.h"
#include "objects.h"

/* Whether `addr` can be a peer of `src`, made IPv4-mapped if `src` is a dual-stack IPv6
 * socket and `addr` IPv4. The socket is asked only on that path, so that adopted sockets
 * (whose switch the host set) follow the same rule. */
static bool udp__peer_fits(source_obj *src, sys_addr *addr) {
  if (addr->family == src->family) return true;
  int32_t only_v6 = 1;
  if (src->family != SYS_IPV6 ||
      sys_sock_option(src->socket, SYS_IPV6, MIOW_OPT_ONLY_V6, false, &only_v6) != 0 ||
      only_v6 != 0)
    return false;
  address_map_v4(addr);
  return true;
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_connect(miow_source *handle, const char *address) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KIND_BIT(SOURCE_UDP), &rc);
  if (src == NULL) return rc;
  sys_addr addr;
  if (!address_parse(address, &addr) || !udp__peer_fits(src, &addr))
    return source_leave(src, error_set(MIOW_EINVAL));
  if (addr.port == 0) return source_leave(src, error_set(MIOW_EADDRNOTAVAIL));
  return source_leave(src, sys_sock_connect(src->socket, &addr));
}

static int32_t udp__receive_from(miow_source *handle, void *buffer, size_t length, size_t *received,
                                 char *from, size_t from_size, uint32_t flags) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KIND_BIT(SOURCE_UDP), &rc);
  if (src == NULL) return rc;
  miow_buffer one = {buffer, length};
  /* The room is checked up front, because afterwards the datagram would already be gone. */
  if (received == NULL || !io_buffers_are_valid(&one, 1) ||
      (from != NULL && from_size < MIOW_ADDRESS_SIZE))
    return source_leave(src, error_set(MIOW_EINVAL));
  sys_addr addr;
  size_t n;
  rc = sys_sock_recv(src->socket, &one, 1, flags, &n, &addr);
  if (rc != 0) return io_finish(src, rc, IO_REARM_READ);
  if (from != NULL && !address_format(&addr, from, from_size))
    return source_leave(src, error_set(MIOW_EINVAL));
  *received = n;
  return source_leave(src, 0);
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_recv_from(miow_source *src, void *buffer, size_t length,
                                                 size_t *received, char *from, size_t from_size) {
  return udp__receive_from(src, buffer, length, received, from, from_size, 0);
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_peek_from(miow_source *src, void *buffer, size_t length,
                                                 size_t *received, char *from, size_t from_size) {
  return udp__receive_from(src, buffer, length, received, from, from_size, SYS_RECV_PEEK);
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_send_to(miow_source *handle, const void *buffer,
                                               size_t length, const char *address, size_t *sent) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KIND_BIT(SOURCE_UDP), &rc);
  if (src == NULL) return rc;
  miow_buffer one = {(void *)(uintptr_t)buffer, length};
  sys_addr addr;
  if (sent == NULL || !io_buffers_are_valid(&one, 1) || !address_parse(address, &addr) ||
      !udp__peer_fits(src, &addr))
    return source_leave(src, error_set(MIOW_EINVAL));
  if (addr.port == 0) return source_leave(src, error_set(MIOW_EADDRNOTAVAIL));
  return io_finish(src, sys_sock_send(src->socket, &one, 1, &addr, sent), IO_REARM_WRITE);
}

/* Join or leave, IPv4 (`iface` text) or IPv6 (`ifindex`). */
static int32_t udp__multicast(miow_source *handle, bool join, uint16_t family, const char *group,
                              const char *iface, uint32_t ifindex) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KIND_BIT(SOURCE_UDP), &rc);
  if (src == NULL) return rc;
  if (src->family != family) return source_leave(src, error_set(MIOW_ENOTSUP));
  sys_addr group_addr;
  sys_addr iface_addr = {.family = SYS_IPV4};
  if (!address_parse_ip(family, group, &group_addr) ||
      (iface != NULL && !address_parse_ip(SYS_IPV4, iface, &iface_addr)))
    return source_leave(src, error_set(MIOW_EINVAL));
  return source_leave(src,
                      sys_sock_multicast(src->socket, join, &group_addr, &iface_addr, ifindex));
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_join_multicast_v4(miow_source *src, const char *group,
                                                         const char *interface_address) {
  return udp__multicast(src, true, SYS_IPV4, group, interface_address, 0);
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_leave_multicast_v4(miow_source *src, const char *group,
                                                          const char *interface_address) {
  return udp__multicast(src, false, SYS_IPV4, group, interface_address, 0);
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_join_multicast_v6(miow_source *src, const char *group,
                                                         uint32_t interface_index) {
  return udp__multicast(src, true, SYS_IPV6, group, NULL, interface_index);
}

MIOW_EXTERN int32_t MIOW_CALL miow_udp_leave_multicast_v6(miow_source *src, const char *group,
                                                          uint32_t interface_index) {
  return udp__multicast(src, false, SYS_IPV6, group, NULL, interface_index);
}

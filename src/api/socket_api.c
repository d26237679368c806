/* Control calls on library-created sockets: shutdown, pending error, addresses, options, and
 * the socket itself. */
#include "address.h"
#include "error.h"
#include "objects.h"

MIOW_EXTERN int32_t MIOW_CALL miow_source_shutdown(miow_source *handle, int32_t how) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KINDS_SOCKETS, &rc);
  if (src == NULL) return rc;
  if (how != MIOW_SHUT_READ && how != MIOW_SHUT_WRITE && how != MIOW_SHUT_BOTH)
    return source_leave(src, error_set(MIOW_EINVAL));
  if (src->kind != SOURCE_TCP_STREAM) return source_leave(src, error_set(MIOW_ENOTSUP));
  rc = sys_sock_shutdown(src->socket, how);
  if (rc == 0 && how != MIOW_SHUT_READ) src->write_shut = true;
  return source_leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_take_error(miow_source *handle, int32_t *error,
                                                     int32_t *os_error) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KINDS_SOCKETS | SOURCE_KINDS_PIPES, &rc);
  if (src == NULL) return rc;
  if (error == NULL) return source_leave(src, error_set(MIOW_EINVAL));
  int32_t pending = 0;
  rc = src->pipe != NULL ? sys_pipe_take_error(src->pipe, &pending)
                         : sys_sock_take_error(src->socket, &pending);
  if (rc == 0) {
    *error = pending == 0 ? 0 : sys_error_code(pending);
    if (os_error != NULL) *os_error = pending;
  }
  return source_leave(src, rc);
}

static int32_t socket__address(miow_source *handle, bool peer, char *buffer, size_t size) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KINDS_SOCKETS, &rc);
  if (src == NULL) return rc;
  if (buffer == NULL) return source_leave(src, error_set(MIOW_EINVAL));
  sys_addr addr;
  rc = sys_sock_address(src->socket, peer, &addr);
  if (rc == 0 && !address_format(&addr, buffer, size)) rc = error_set(MIOW_EINVAL);
  return source_leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_local_address(miow_source *src, char *buffer,
                                                        size_t size) {
  return socket__address(src, false, buffer, size);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_peer_address(miow_source *src, char *buffer,
                                                       size_t size) {
  return socket__address(src, true, buffer, size);
}

/* Which kinds and family an option applies to, and its range. */
typedef struct socket__option_rule {
  bool tcp_stream, tcp_listener, udp;
  uint16_t family; /* 0: either */
  int32_t max;
} socket__option_rule;

static const socket__option_rule *socket__rule(int32_t option) {
  static const socket__option_rule rules[] = {
      [MIOW_OPT_NODELAY] = {true, false, false, 0, 1},
      [MIOW_OPT_TTL] = {true, true, true, 0, 255},
      [MIOW_OPT_BROADCAST] = {false, false, true, 0, 1},
      [MIOW_OPT_MULTICAST_LOOP_V4] = {false, false, true, SYS_IPV4, 1},
      [MIOW_OPT_MULTICAST_TTL_V4] = {false, false, true, SYS_IPV4, 255},
      [MIOW_OPT_MULTICAST_LOOP_V6] = {false, false, true, SYS_IPV6, 1},
      [MIOW_OPT_ONLY_V6] = {true, true, true, SYS_IPV6, 1},
  };
  if (option < MIOW_OPT_NODELAY || option > MIOW_OPT_ONLY_V6) return NULL;
  return &rules[option];
}

static bool socket__option_applies(const socket__option_rule *rule, const source_obj *src) {
  bool kind = (src->kind == SOURCE_TCP_STREAM && rule->tcp_stream) ||
              (src->kind == SOURCE_TCP_LISTENER && rule->tcp_listener) ||
              (src->kind == SOURCE_UDP && rule->udp);
  return kind && (rule->family == 0 || rule->family == src->family);
}

/* `min` is 1 for TTL (0 would drop every packet), 0 for the others. */
static int32_t socket__option_min(int32_t option) { return option == MIOW_OPT_TTL ? 1 : 0; }

static int32_t socket__option(miow_source *handle, int32_t option, bool set, int32_t *value) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KINDS_SOCKETS, &rc);
  if (src == NULL) return rc;
  const socket__option_rule *rule = socket__rule(option);
  if (rule == NULL || value == NULL ||
      (set && (*value < socket__option_min(option) || *value > rule->max)))
    return source_leave(src, error_set(MIOW_EINVAL));
  if (!socket__option_applies(rule, src)) return source_leave(src, error_set(MIOW_ENOTSUP));
  return source_leave(src, sys_sock_option(src->socket, src->family, option, set, value));
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_set_option(miow_source *src, int32_t option,
                                                     int32_t value) {
  return socket__option(src, option, true, &value);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_get_option(miow_source *src, int32_t option,
                                                     int32_t *value) {
  return socket__option(src, option, false, value);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_socket(miow_source *handle, miow_socket_t *out) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  if (out == NULL) return source_leave(src, error_set(MIOW_EINVAL));
  *out = src->pipe != NULL ? sys_pipe_handle(src->pipe) : src->socket;
  return source_leave(src, 0);
}

/* Taking a host's socket or pipe handle into a source the library owns (mio's from_std and
 * from_raw_handle); giving one back is miow_source_release(), beside the other source calls. */
#include "error.h"
#include "objects.h"

MIOW_EXTERN int32_t MIOW_CALL miow_source_adopt_socket(miow_source **out, miow_socket_t socket) {
  if (out == NULL) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  sys_sock_type type;
  bool listener;
  uint16_t family;
  rc = sys_sock_adopt(socket, &type, &listener, &family);
  if (rc != 0) return rc;
  source_kind kind = type == SYS_UDP ? SOURCE_UDP : listener ? SOURCE_TCP_LISTENER : SOURCE_TCP_STREAM;
  return source_publish_adopted(socket, kind, family, out);
}

MIOW_EXTERN int32_t MIOW_CALL miow_pipe_adopt(miow_source **out, miow_socket_t handle) {
  if (out == NULL) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  sys_pipe *pipe;
  bool server;
  rc = sys_pipe_adopt(handle, &pipe, &server);
  if (rc != 0) return rc;
  rc = source_publish_pipe(pipe, server ? SOURCE_PIPE_SERVER : SOURCE_PIPE_CLIENT, out);
  if (rc != 0) {
    /* The host keeps its handle: the pipe lets go of it without closing it. */
    miow_socket_t back;
    (void)sys_pipe_release(pipe, &back);
  }
  return rc;
}

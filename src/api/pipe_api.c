/* The named-pipe calls: creating either end, and the server's connect and disconnect. Reads,
 * writes and registration go through the source calls, which hand pipes to sys_pipe_*. */
#include <string.h>

#include "error.h"
#include "objects.h"

/* The prefix every pipe name has on Windows; required everywhere, so names are portable. */
#define PIPE_PREFIX "\\\\.\\pipe\\"

static bool pipe__name_is_valid(const char *name) {
  size_t prefix = sizeof PIPE_PREFIX - 1;
  return name != NULL && strncmp(name, PIPE_PREFIX, prefix) == 0 && name[prefix] != '\0';
}

static int32_t pipe__publish(sys_pipe *pipe, source_kind kind, miow_source **out) {
  int32_t rc = source_publish_pipe(pipe, kind, out);
  if (rc != 0) sys_pipe_free(pipe);
  return rc;
}

MIOW_EXTERN int32_t MIOW_CALL miow_pipe_create_ex(miow_source **out, const char *name,
                                                  uint32_t buffer_size, uint32_t max_instances,
                                                  uint32_t flags) {
  if (out == NULL || !pipe__name_is_valid(name) || max_instances > SYS_PIPE_INSTANCES_MAX ||
      (flags & ~MIOW_PIPE_FIRST_INSTANCE) != 0)
    return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  sys_pipe *pipe;
  rc = sys_pipe_create(name, buffer_size != 0 ? buffer_size : MIOW_PIPE_BUFFER_SIZE,
                       max_instances, (flags & MIOW_PIPE_FIRST_INSTANCE) != 0, &pipe);
  if (rc != 0) return rc;
  return pipe__publish(pipe, SOURCE_PIPE_SERVER, out);
}

MIOW_EXTERN int32_t MIOW_CALL miow_pipe_create(miow_source **out, const char *name,
                                               uint32_t buffer_size) {
  /* Its meaning since 1.1: the first and only instance of its name. */
  return miow_pipe_create_ex(out, name, buffer_size, 1, MIOW_PIPE_FIRST_INSTANCE);
}

MIOW_EXTERN int32_t MIOW_CALL miow_pipe_open(miow_source **out, const char *name) {
  if (out == NULL || !pipe__name_is_valid(name)) return error_set(MIOW_EINVAL);
  int32_t rc = sys_init();
  if (rc != 0) return rc;
  sys_pipe *pipe;
  rc = sys_pipe_open(name, &pipe);
  if (rc != 0) return rc;
  return pipe__publish(pipe, SOURCE_PIPE_CLIENT, out);
}

MIOW_EXTERN int32_t MIOW_CALL miow_pipe_connect(miow_source *handle) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KIND_BIT(SOURCE_PIPE_SERVER), &rc);
  if (src == NULL) return rc;
  rc = source_pipe_check_selector(src);
  if (rc != 0) return source_leave(src, rc);
  rc = sys_pipe_connect(src->pipe);
  if (rc == MIOW_EWOULDBLOCK) source_rearm_after_would_block(src, MIOW_WRITABLE);
  return source_leave(src, rc);
}

MIOW_EXTERN int32_t MIOW_CALL miow_pipe_disconnect(miow_source *handle) {
  int32_t rc;
  source_obj *src = source_enter_kind(handle, SOURCE_KIND_BIT(SOURCE_PIPE_SERVER), &rc);
  if (src == NULL) return rc;
  return source_leave(src, sys_pipe_disconnect(src->pipe));
}

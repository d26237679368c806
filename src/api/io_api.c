/* Reads and writes on library-created sources. Every call that returns MIOW_EWOULDBLOCK
 * re-arms an edge registration before returning, which is what keeps edge mode from going deaf
 * when the host does all its I/O through the library (mio's do_io). */
#include <stddef.h>

#include "error.h"
#include "io_shared.h"
#include "objects.h"

bool io_buffers_are_valid(const miow_buffer *buffers, size_t count) {
  if (count > MIOW_BUFFERS_MAX || (buffers == NULL && count > 0)) return false;
  for (size_t i = 0; i < count; i++) {
    if (buffers[i].data == NULL && buffers[i].length > 0) return false;
  }
  return true;
}

bool io_kind_transfers(source_kind kind) {
  uint32_t kinds =
      SOURCE_KIND_BIT(SOURCE_TCP_STREAM) | SOURCE_KIND_BIT(SOURCE_UDP) | SOURCE_KINDS_PIPES;
  return (SOURCE_KIND_BIT(kind) & kinds) != 0;
}

int32_t io_finish(source_obj *src, int32_t rc, uint32_t bits) {
  if (rc == MIOW_EWOULDBLOCK) source_rearm_after_would_block(src, bits);
  return source_leave(src, rc);
}

/* The one path behind read, peek and readv. */
static int32_t io__receive(miow_source *handle, const miow_buffer *buffers, size_t count,
                           uint32_t flags, size_t *received) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  if (received == NULL || !io_buffers_are_valid(buffers, count))
    return source_leave(src, error_set(MIOW_EINVAL));
  if (!io_kind_transfers(src->kind)) return source_leave(src, error_set(MIOW_ENOTSUP));
  if (src->pipe != NULL) {
    int32_t rc = source_pipe_check_selector(src);
    if (rc != 0) return source_leave(src, rc);
    return io_finish(src, sys_pipe_read(src->pipe, buffers, count, flags, received), IO_REARM_READ);
  }
  return io_finish(src, sys_sock_recv(src->socket, buffers, count, flags, received, NULL),
                   IO_REARM_READ);
}

/* A write on a TCP stream, with one code per cause of failure on every backend (io.h). The
 * OSes answer a write after this side's shutdown with codes that depend on what the peer did
 * since (Linux: ESHUTDOWN, or EPIPE once the peer closed too; Windows: WSAESHUTDOWN, or
 * WSAECONNABORTED after a shutdown of both directions), so the source remembers its own
 * shutdown; and Linux answers a write after the peer's reset with ECONNRESET once, then EPIPE,
 * which is read as the reset it is. */
static int32_t io__send_stream(source_obj *src, const miow_buffer *buffers, size_t count,
                               size_t *sent) {
  if (src->write_shut) return error_set(MIOW_ESHUTDOWN);
  int32_t rc = sys_sock_send(src->socket, buffers, count, NULL, sent);
  /* Not shut through the library, so the connection broke under it. The OS error recorded
   * stays the one the OS gave. */
  return rc == MIOW_EPIPE ? MIOW_ECONNRESET : rc;
}

static int32_t io__send(miow_source *handle, const miow_buffer *buffers, size_t count,
                        size_t *sent) {
  source_obj *src = source_enter(handle);
  if (src == NULL) return MIOW_EBADHANDLE;
  if (sent == NULL || !io_buffers_are_valid(buffers, count))
    return source_leave(src, error_set(MIOW_EINVAL));
  if (!io_kind_transfers(src->kind)) return source_leave(src, error_set(MIOW_ENOTSUP));
  if (src->pipe != NULL) {
    int32_t rc = source_pipe_check_selector(src);
    if (rc != 0) return source_leave(src, rc);
    return io_finish(src, sys_pipe_write(src->pipe, buffers, count, sent), IO_REARM_WRITE);
  }
  if (src->kind == SOURCE_TCP_STREAM)
    return io_finish(src, io__send_stream(src, buffers, count, sent), IO_REARM_WRITE);
  return io_finish(src, sys_sock_send(src->socket, buffers, count, NULL, sent), IO_REARM_WRITE);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_read(miow_source *src, void *buffer, size_t length,
                                               size_t *received) {
  miow_buffer one = {buffer, length};
  return io__receive(src, &one, 1, 0, received);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_peek(miow_source *src, void *buffer, size_t length,
                                               size_t *received) {
  miow_buffer one = {buffer, length};
  return io__receive(src, &one, 1, SYS_RECV_PEEK, received);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_write(miow_source *src, const void *buffer, size_t length,
                                                size_t *sent) {
  /* The buffer is only read: the cast drops const to share the vector type with reads. */
  miow_buffer one = {(void *)(uintptr_t)buffer, length};
  return io__send(src, &one, 1, sent);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_readv(miow_source *src, const miow_buffer *buffers,
                                                size_t count, size_t *received) {
  return io__receive(src, buffers, count, 0, received);
}

MIOW_EXTERN int32_t MIOW_CALL miow_source_writev(miow_source *src, const miow_buffer *buffers,
                                                 size_t count, size_t *sent) {
  return io__send(src, buffers, count, sent);
}

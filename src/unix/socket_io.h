/* What the pipes share with the sockets' I/O on Linux (a pipe is a socket there). */
#ifndef MIOW_UNIX_SOCKET_IO_H
#define MIOW_UNIX_SOCKET_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "sys.h"

/* Fills `iov` from `buffers`, cutting later buffers (to empty if need be) so that the total
 * stays within `room`: one transfer moves at most INT32_MAX bytes, the Winsock limit io.h
 * documents (a pipe write, MIOW_PIPE_WRITE_MAX), which also keeps 64-bit lengths from
 * wrapping a 32-bit size_t. */
void socket_io_iovecs(struct iovec *iov, const miow_buffer *buffers, size_t count, uint64_t room);

#endif

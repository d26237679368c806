/**
 * @file miow/io.h
 * @brief Reading and writing through a source the library created.
 */
#ifndef MIOW_IO_H
#define MIOW_IO_H

#include "common.h"

/**
 * @defgroup miow_io I/O
 * @brief Non-blocking reads and writes that keep an edge registration armed.
 *
 * These calls work on sources the library created: TCP streams (miow_tcp_connect(),
 * miow_tcp_accept()), UDP sockets (miow_udp_bind(); a write needs a default peer set with
 * miow_udp_connect(), while a read takes a datagram from any sender until one is set) and
 * named pipes (see @ref miow_pipe). On a listener or a source wrapping a caller-owned socket
 * they return #MIOW_ENOTSUP.
 *
 * When a call returns #MIOW_EWOULDBLOCK on a registered source, the library re-arms the
 * registration itself, as mio's `do_io` does, so that edge mode never goes deaf: in #MIOW_EDGE
 * mode the direction that would block comes back (a read or accept re-arms #MIOW_READABLE and
 * #MIOW_PRIORITY, a write #MIOW_WRITABLE), and the next readiness in that direction is
 * reported. The other direction is left as it is, so a drained read does not bring a new
 * #MIOW_WRITABLE event (mio re-arms both). A oneshot registration is left alone (the host
 * re-arms it with miow_source_rearm() when it chooses), and level mode needs nothing.
 *
 * Transfer sizes are `size_t`; one call moves at most `INT32_MAX` bytes (a larger request is
 * cut to that), as Winsock counts in 32 bits.
 * @{
 */

MIOW_BEGIN_DECLS

/** One buffer of a vectored read or write. */
typedef struct miow_buffer {
  void *data;      /**< Start of the buffer; may be NULL only when @ref length is 0. */
  uint64_t length; /**< Its length in bytes. */
} miow_buffer;

/** The most buffers one vectored call takes. */
#define MIOW_BUFFERS_MAX 1024

/**
 * @brief Reads what is available, without waiting.
 * @param src A TCP stream, a UDP source or a pipe.
 * @param buffer Where to store the bytes; may be NULL when @p length is 0.
 * @param length The room in @p buffer.
 * @param[out] received Receives the number of bytes read: 0 means the peer closed its side
 *        (TCP, pipes), this side shut reading down (#MIOW_SHUT_READ, on every platform), or
 *        an empty datagram (UDP).
 * @retval 0 Success.
 * @retval MIOW_EWOULDBLOCK Nothing to read yet; the source was re-armed.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EINVAL @p received is NULL, or @p buffer is NULL with a non-zero @p length.
 * @retval MIOW_ENOTSUP @p src is a listener or wraps a caller-owned socket.
 * @retval MIOW_ECONNRESET The peer reset the connection.
 * @retval MIOW_ENOTCONN A server pipe with no client and no connect outstanding. (Do not
 *         read a TCP stream before its connect is reported and miow_source_take_error() said
 *         it worked: what a read returns before that depends on the platform: Windows and
 *         Wine read a failed stream as ended, Linux returns the connect's error once.)
 * @retval MIOW_ENOENT @p src is a pipe that was never registered.
 * @retval MIOW_ECLOSED @p src is a pipe whose selector was freed (see @ref miow_pipe).
 * @retval MIOW_EMSGSIZE The datagram was larger than @p length; on Windows the first
 *         @p length bytes were stored but @p received is not set, and the rest is lost.
 * @retval MIOW_ENOMEM Out of memory (a vectored call with many buffers).
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_read(miow_source *src, void *buffer, size_t length,
                                               size_t *received);

/**
 * @brief Like miow_source_read(), but leaves the bytes queued. A peek that succeeds does not
 *        consume readiness; one that returns #MIOW_EWOULDBLOCK re-arms the source.
 * @param src A TCP stream, a UDP source or a pipe.
 * @param buffer Where to copy the bytes; may be NULL when @p length is 0.
 * @param length The room in @p buffer.
 * @param[out] received Receives the number of bytes copied (0 at end of stream).
 * @return As miow_source_read().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_peek(miow_source *src, void *buffer, size_t length,
                                               size_t *received);

/**
 * @brief Writes what fits in the send buffer, without waiting.
 * @param src A TCP stream, a UDP source with a default peer, or a pipe.
 * @param buffer The bytes to send; may be NULL when @p length is 0.
 * @param length How many bytes.
 * @param[out] sent Receives how many were accepted (a TCP write may be partial).
 * @retval 0 Success.
 * @retval MIOW_EWOULDBLOCK The send buffer is full; the source was re-armed.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EINVAL @p sent is NULL, or @p buffer is NULL with a non-zero @p length.
 * @retval MIOW_ENOTSUP @p src is a listener or wraps a caller-owned socket.
 * @retval MIOW_ENOTCONN Not connected: a UDP source without a default peer, a server pipe
 *         without a client and no connect outstanding, a TCP connect still in progress or failed (on Windows; Linux
 *         answers #MIOW_EWOULDBLOCK during the connect and its error after it, so write only
 *         once the connect was reported and miow_source_take_error() said it worked).
 * @retval MIOW_ENOENT @p src is a pipe that was never registered.
 * @retval MIOW_ECLOSED @p src is a pipe whose selector was freed (see @ref miow_pipe).
 * @retval MIOW_ESHUTDOWN A TCP stream's writing was shut down with miow_source_shutdown()
 *         (#MIOW_SHUT_WRITE or #MIOW_SHUT_BOTH): every later write fails so, on every platform,
 *         whatever the peer did since (closed, reset or nothing).
 * @retval MIOW_ECONNRESET A TCP stream not shut down for writing lost its connection: the peer
 *         reset it (also for every write after the first failure; Linux's `EPIPE` is read so).
 * @retval MIOW_ECONNABORTED The connection was aborted locally (Windows: a keep-alive timeout).
 * @retval MIOW_EPIPE A pipe's other end is gone.
 * @retval MIOW_EMSGSIZE The datagram is too large for UDP.
 * @retval MIOW_ENOMEM Out of memory (a pipe's write copy, or many buffers).
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_write(miow_source *src, const void *buffer,
                                                size_t length, size_t *sent);

/**
 * @brief miow_source_read() scattering into several buffers, filled in order.
 * @param src A TCP stream, a UDP source or a pipe.
 * @param buffers @p count buffers.
 * @param count How many; at most #MIOW_BUFFERS_MAX.
 * @param[out] received Receives the total number of bytes read.
 * @return As miow_source_read(); #MIOW_EINVAL also for a NULL @p buffers with a non-zero
 *         @p count, a buffer with NULL data and a non-zero length, or too many buffers.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_readv(miow_source *src, const miow_buffer *buffers,
                                                size_t count, size_t *received);

/**
 * @brief miow_source_write() gathering from several buffers, sent in order.
 * @param src A TCP stream, a UDP source with a default peer, or a pipe.
 * @param buffers @p count buffers.
 * @param count How many; at most #MIOW_BUFFERS_MAX.
 * @param[out] sent Receives the total number of bytes accepted.
 * @return As miow_source_write(), with the extra #MIOW_EINVAL cases of miow_source_readv().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_writev(miow_source *src, const miow_buffer *buffers,
                                                 size_t count, size_t *sent);

MIOW_END_DECLS

/** @} */

#endif

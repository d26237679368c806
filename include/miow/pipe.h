/**
 * @file miow/pipe.h
 * @brief Named pipes driven by the same selector as sockets, as mio's `named_pipe` module.
 */
#ifndef MIOW_PIPE_H
#define MIOW_PIPE_H

#include "common.h"

/**
 * @defgroup miow_pipe Named pipes
 * @brief Readiness-driven named pipes: a server end, a client end, and the usual source calls.
 *
 * A pipe is a source: register it, poll, reregister, deregister and free it like a socket, and
 * move bytes with miow_source_read(), miow_source_peek(), miow_source_write() and their
 * vectored forms. On Windows the pipe does overlapped I/O into internal buffers and its
 * readiness is made from their completions on the selector's completion port:
 *
 * - One overlapped read is outstanding at a time and fills the read buffer. A read is served
 *   from that buffer; when it is empty the call returns #MIOW_EWOULDBLOCK and the completion
 *   reports the pipe readable. When the peer has closed, reads return 0 bytes.
 * - A write copies the caller's bytes (up to #MIOW_PIPE_WRITE_MAX per call) and reports them all
 *   written; one overlapped write is in flight at a time. While it is, further writes return
 *   #MIOW_EWOULDBLOCK, and its completion reports the pipe writable. If it failed, the error is
 *   returned by the next write.
 * - Events follow the registered interests and mode exactly as for sockets (a pipe registered
 *   for writable only never reports readable; mio reports both regardless), and carry the
 *   token the registration has when the event is delivered, never an older one.
 *
 * The I/O calls and miow_pipe_connect() need the pipe to have been registered once: its
 * completions go to that selector's port, so before the first registration they return
 * #MIOW_ENOENT. After a deregistration they keep working; only events stop. On Windows a pipe stays tied to
 * the first selector it is registered with (a handle joins one completion port for life):
 * registering it with another one later returns #MIOW_ENOTSUP.
 *
 * A pipe's I/O completes through the selector it was last registered with (on Windows the
 * first and only one). Once that selector has been freed (miow_selector_free() returned),
 * nothing would ever complete: miow_pipe_connect(), miow_source_read(), miow_source_peek(),
 * miow_source_write(), their vectored forms and miow_source_rearm() return #MIOW_ECLOSED on
 * every platform, and start nothing. miow_pipe_disconnect(), miow_source_take_error(),
 * miow_source_socket(), miow_source_deregister() of a live selector and miow_source_free()
 * keep working; registering the pipe with another selector follows the tie above (Windows:
 * #MIOW_ENOTSUP; Linux: it works, after a deregistration, and the pipe's calls work again).
 *
 * Freeing a pipe cancels its outstanding read and connect; their completions are absorbed
 * without touching freed memory. A write still in flight is left to finish, so the bytes
 * reported written reach the peer, and the pipe is closed after it (when the selector is
 * destroyed, such writes get 2 seconds before they are cancelled too).
 *
 * On Linux a pipe is a Unix-domain stream socket in the abstract namespace, named after the
 * pipe's name, with the same calls and semantics; see @ref pipes.
 * @{
 */

MIOW_BEGIN_DECLS

/** The read buffer and pipe buffer size used when miow_pipe_create() is given 0. */
#define MIOW_PIPE_BUFFER_SIZE 4096
/** The most bytes one write call takes (larger writes are partial, as on a socket). */
#define MIOW_PIPE_WRITE_MAX (1024 * 1024)

/**
 * @brief Creates the server end of a named pipe, not yet connected to a client.
 *
 * The pipe is overlapped, in byte mode, the first and only instance of its name
 * (`FILE_FLAG_FIRST_PIPE_INSTANCE`, one instance), and rejects remote clients
 * (`PIPE_REJECT_REMOTE_CLIENTS`). Call miow_pipe_connect() to accept a client.
 * @param[out] out Receives the pipe's source.
 * @param name The pipe's name as UTF-8, of the form `\\.\pipe\<name>`.
 * @param buffer_size The size of the read buffer and the OS pipe buffers; 0 means
 *        #MIOW_PIPE_BUFFER_SIZE.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out or @p name is NULL, or @p name is not a valid pipe name.
 * @retval MIOW_EADDRINUSE A pipe of that name already exists.
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_pipe_create(miow_source **out, const char *name,
                                               uint32_t buffer_size);

/** miow_pipe_create_ex() flag: fail with #MIOW_EADDRINUSE if the name exists already, so
 *  that a server never joins a name another server owns (`FILE_FLAG_FIRST_PIPE_INSTANCE`). */
#define MIOW_PIPE_FIRST_INSTANCE 0x1u
/** The highest instance limit miow_pipe_create_ex() takes (0 means unlimited). */
#define MIOW_PIPE_INSTANCES_MAX 254

/**
 * @brief Creates one server instance of a named pipe, of a name that may have several.
 *
 * Each instance serves one client at a time, and a server keeps as many as it wants clients
 * served at once: typically one listening for the next client while the others serve theirs
 * (the pattern of every Windows pipe server, mio's `NamedPipe` and .NET's
 * `NamedPipeServerStream`). Instances are independent sources: register, connect, read,
 * write, disconnect and free each on its own; several may be registered with one selector.
 *
 * A new instance is listening at once: a client's miow_pipe_open() finds an instance that is
 * listening (one created, or one whose miow_pipe_connect() followed a disconnect) and is
 * bound to it, or fails with #MIOW_EPIPEBUSY when every instance has a client or is between
 * clients. miow_pipe_connect() on the instance then returns 0, or reports its client's arrival.
 *
 * The pipe is overlapped, in byte mode, and rejects remote clients (`PIPE_REJECT_REMOTE_CLIENTS`).
 * miow_pipe_create() is this call with @p max_instances 1 and #MIOW_PIPE_FIRST_INSTANCE.
 *
 * On Linux the instances of a name share one listening socket and must live in one process: a
 * name served by another process fails with #MIOW_EADDRINUSE (Windows lets processes share a
 * name unless #MIOW_PIPE_FIRST_INSTANCE is given). See @ref pipes.
 * @param[out] out Receives the instance's source.
 * @param name The pipe's name as UTF-8, of the form `\\.\pipe\<name>`.
 * @param buffer_size As for miow_pipe_create().
 * @param max_instances The most instances the name may have at once, 1 to
 *        #MIOW_PIPE_INSTANCES_MAX, or 0 for unlimited (`PIPE_UNLIMITED_INSTANCES`). The name's
 *        first instance sets it; later instances' values are ignored (as Windows does).
 * @param flags 0 or #MIOW_PIPE_FIRST_INSTANCE.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out or @p name is NULL, @p name is not a valid pipe name,
 *         @p max_instances is above #MIOW_PIPE_INSTANCES_MAX, or @p flags has an unknown bit.
 * @retval MIOW_EADDRINUSE #MIOW_PIPE_FIRST_INSTANCE was given and the name exists (Windows
 *         also when the name's existing instances belong to another user); on Linux also a
 *         name served by another process.
 * @retval MIOW_EPIPEBUSY The name has its limit of instances already (`ERROR_PIPE_BUSY`).
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_pipe_create_ex(miow_source **out, const char *name,
                                                  uint32_t buffer_size, uint32_t max_instances,
                                                  uint32_t flags);

/**
 * @brief Takes a pipe handle the host opened into a source the library owns (mio's
 *        `NamedPipe::from_raw_handle`): a server end made with custom security or modes, or a
 *        client end the host opened itself.
 *
 * Windows: @p handle is either end of a named pipe, opened for overlapped I/O
 * (`FILE_FLAG_OVERLAPPED`); a handle opened for synchronous I/O is refused with #MIOW_EINVAL,
 * as its calls would block. The read buffer has the pipe's input buffer size (at most
 * #MIOW_PIPE_WRITE_MAX; #MIOW_PIPE_BUFFER_SIZE if the pipe reports none). A server end becomes
 * a source for miow_pipe_connect() and miow_pipe_disconnect(): call miow_pipe_connect() after
 * registering it, which returns 0 if a client is connected already. A message-mode pipe is read
 * as a byte stream.
 *
 * Linux: @p handle is a Unix-domain stream socket: a listening one becomes a server instance
 * (the first of its address, which this process must not serve already: #MIOW_EADDRINUSE), a
 * connected one a client end. It is made non-blocking.
 *
 * Ownership: on success the source owns the handle: miow_source_free() closes it, and
 * miow_source_release() gives it back. On any failure it stays the host's, open.
 * @param[out] out Receives the pipe's source, not registered.
 * @param handle The pipe handle (Windows `HANDLE`) or descriptor, as a #miow_socket_t.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out is NULL, or @p handle is not a pipe end as described above.
 * @retval MIOW_EADDRINUSE Linux: this process serves the listening socket's name already.
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_pipe_adopt(miow_source **out, miow_socket_t handle);

/**
 * @brief Opens the client end of a named pipe.
 * @param[out] out Receives the pipe's source, connected.
 * @param name The pipe's name as UTF-8, of the form `\\.\pipe\<name>`.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out or @p name is NULL, or @p name is not a valid pipe name.
 * @retval MIOW_ENOTFOUND No pipe of that name exists.
 * @retval MIOW_EPIPEBUSY The pipe exists but no instance is listening: every one is serving
 *         another client or is between clients.
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_pipe_open(miow_source **out, const char *name);

/**
 * @brief Accepts a client on a server pipe.
 *
 * Returns 0 when a client is connected already. Otherwise it returns #MIOW_EWOULDBLOCK with
 * the connect outstanding, and its completion reports the pipe writable; if the connect
 * failed, miow_source_take_error() then returns the error. A client that has since closed
 * still counts as connected (reads return its last bytes, then end of stream) until
 * miow_pipe_disconnect(): call that before connecting the next client.
 * @param server A source from miow_pipe_create(), registered.
 * @retval 0 A client is connected.
 * @retval MIOW_EWOULDBLOCK The connect is outstanding (also when it already was).
 * @retval MIOW_EBADHANDLE @p server is not a live source.
 * @retval MIOW_ENOTSUP @p server is not a server pipe.
 * @retval MIOW_ENOENT @p server was never registered.
 * @retval MIOW_ECLOSED The selector @p server's I/O completes through was freed (see above).
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_pipe_connect(miow_source *server);

/**
 * @brief Disconnects the client of a server pipe, so that miow_pipe_connect() can accept the
 *        next one. Unread data is discarded; an outstanding read or write is dropped.
 * @param server A source from miow_pipe_create().
 * @retval 0 Success (also when no client was connected).
 * @retval MIOW_EBADHANDLE @p server is not a live source.
 * @retval MIOW_ENOTSUP @p server is not a server pipe.
 * @retval MIOW_EOS The OS call failed; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_pipe_disconnect(miow_source *server);

MIOW_END_DECLS

/** @} */

#endif

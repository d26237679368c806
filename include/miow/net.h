/**
 * @file miow/net.h
 * @brief TCP and UDP sockets the library creates and owns, and their socket options.
 */
#ifndef MIOW_NET_H
#define MIOW_NET_H

#include "common.h"

/**
 * @defgroup miow_net TCP and UDP
 * @brief Sockets created by the library, as mio's `TcpListener`, `TcpStream` and `UdpSocket`.
 *
 * Each call here returns a source (see @ref miow_source) that owns its socket: the socket is
 * non-blocking, overlapped-capable, not inherited by child processes, and closed when the
 * source is freed. Register it like any source; do its I/O with the calls in @ref miow_io and
 * here, which re-arm an edge registration whenever they return #MIOW_EWOULDBLOCK.
 *
 * Addresses are UTF-8 text, numeric only (no name lookup): `"127.0.0.1:8080"` for IPv4,
 * `"[::1]:8080"` for IPv6, optionally with a numeric scope (`"[fe80::1%3]:80"`). Port 0 asks the
 * OS for a free one. Anything else returns #MIOW_EINVAL. Addresses written back use the same
 * form and fit in #MIOW_ADDRESS_SIZE bytes including the NUL. A buffer too small for the
 * address gets #MIOW_EINVAL and is left unchanged; where the call would consume something
 * (accept, receive), a buffer below #MIOW_ADDRESS_SIZE is refused before it does.
 *
 * IPv6 sockets are IPv6-only (`IPV6_V6ONLY` set), which is the Windows default, on every
 * platform, unless created dual-stack with #MIOW_NET_DUAL_STACK (miow_tcp_listen_ex(),
 * miow_udp_bind_ex()). A dual-stack socket also talks to IPv4 peers, which it sees and writes
 * as IPv4-mapped IPv6 addresses: `"[::ffff:127.0.0.1]:8080"`.
 *
 * A source of the wrong kind returns #MIOW_ENOTSUP: UDP calls on a TCP source, accept on a
 * stream, stream calls on a listener, and any of these on a pipe or on a source wrapping a
 * caller-owned socket (miow_source_socket() works on every source, and
 * miow_source_take_error() on pipes too).
 * @{
 */

MIOW_BEGIN_DECLS

/** Bytes that hold any address the library writes, with its NUL. */
#define MIOW_ADDRESS_SIZE 64

/** miow_source_shutdown(): stop reading (this side's reads then return end of stream, 0 bytes,
 *  on every platform; Winsock's `WSAESHUTDOWN` is read as that). */
#define MIOW_SHUT_READ 1
/** miow_source_shutdown(): stop writing (the peer reads end of stream). */
#define MIOW_SHUT_WRITE 2
/** miow_source_shutdown(): both directions. */
#define MIOW_SHUT_BOTH 3

/** Option: TCP_NODELAY, 0 or 1 (TCP streams). */
#define MIOW_OPT_NODELAY 1
/** Option: unicast time-to-live / hop limit, 1-255 (every socket kind). */
#define MIOW_OPT_TTL 2
/** Option: SO_BROADCAST, 0 or 1 (UDP). */
#define MIOW_OPT_BROADCAST 3
/** Option: IP_MULTICAST_LOOP, 0 or 1 (IPv4 UDP). */
#define MIOW_OPT_MULTICAST_LOOP_V4 4
/** Option: IP_MULTICAST_TTL, 0-255 (IPv4 UDP). */
#define MIOW_OPT_MULTICAST_TTL_V4 5
/** Option: IPV6_MULTICAST_LOOP, 0 or 1 (IPv6 UDP). */
#define MIOW_OPT_MULTICAST_LOOP_V6 6
/** Option: IPV6_V6ONLY, 0 or 1 (IPv6 sockets). Readable; set at creation (1, or 0 with
 *  #MIOW_NET_DUAL_STACK), so setting it on a bound socket fails as the OS decides. */
#define MIOW_OPT_ONLY_V6 7

/**
 * @brief Creates a TCP listener bound to @p address.
 *
 * On Windows the socket is bound with `SO_EXCLUSIVEADDRUSE` (never `SO_REUSEADDR`, which lets
 * another process take the port over); elsewhere with `SO_REUSEADDR`, which there only allows
 * rebinding past `TIME_WAIT`. Either way a second listener on the same address fails.
 * @param[out] out Receives the listener's source.
 * @param address The local address, for instance `"127.0.0.1:0"`.
 * @param backlog The queue of pending connections; 0 or less means the OS maximum.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out or @p address is NULL, or @p address is not a numeric address.
 * @retval MIOW_EADDRINUSE Another socket is bound to @p address.
 * @retval MIOW_EADDRNOTAVAIL @p address is not one of this machine's.
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_tcp_listen(miow_source **out, const char *address,
                                              int32_t backlog);

/** Creation flag of miow_tcp_listen_ex() and miow_udp_bind_ex(): an IPv6 socket that is
 *  dual-stack (`IPV6_V6ONLY` off), so that IPv4 peers reach it too, as IPv4-mapped addresses
 *  (`"[::ffff:a.b.c.d]:port"`). Bind it to `"[::]:port"` to take both; bound to an IPv4-mapped
 *  address it takes that IPv4 address only. #MIOW_OPT_ONLY_V6 then reads 0. */
#define MIOW_NET_DUAL_STACK 0x1u

/**
 * @brief Creates a TCP listener bound to @p address, with creation flags.
 *
 * As miow_tcp_listen(), which is this call with @p flags 0. Connections accepted from a
 * dual-stack listener are IPv6 streams; an IPv4 client's address reads
 * `"[::ffff:a.b.c.d]:port"`.
 * @param[out] out Receives the listener's source.
 * @param address The local address; with #MIOW_NET_DUAL_STACK an IPv6 one, `"[::]:0"` say.
 * @param backlog The queue of pending connections; 0 or less means the OS maximum.
 * @param flags 0 or #MIOW_NET_DUAL_STACK.
 * @retval 0 Success.
 * @retval MIOW_EINVAL As miow_tcp_listen(); also an unknown flag, or #MIOW_NET_DUAL_STACK with
 *         an IPv4 @p address.
 * @retval MIOW_EADDRINUSE Another socket is bound to @p address (a dual-stack `"[::]:port"`
 *         also conflicts with an IPv4 socket on the port).
 * @retval MIOW_EADDRNOTAVAIL @p address is not one of this machine's.
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error (no IPv6 on the machine, say); see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_tcp_listen_ex(miow_source **out, const char *address,
                                                 int32_t backlog, uint32_t flags);

/**
 * @brief Starts a TCP connection and returns at once, with the connect in progress.
 *
 * Register the source for #MIOW_WRITABLE: the connect has ended when it is reported. Then
 * miow_source_take_error() returns the failure (#MIOW_ECONNREFUSED and the like) if there was
 * one, and miow_source_peer_address() succeeds only if connected (#MIOW_ENOTCONN otherwise),
 * as mio documents. A failed connect is reported as #MIOW_ERROR with #MIOW_WRITE_CLOSED.
 * @param[out] out Receives the stream's source.
 * @param address The peer's address.
 * @retval 0 The connect started (or already finished).
 * @retval MIOW_EINVAL @p out or @p address is NULL or @p address is not a numeric address.
 * @retval MIOW_EADDRNOTAVAIL @p address cannot be connected to (port 0, for instance).
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_tcp_connect(miow_source **out, const char *address);

/**
 * @brief Accepts one pending connection on a listener.
 *
 * Accept until #MIOW_EWOULDBLOCK: in edge mode the listener is reported again only after that.
 * @param listener A source from miow_tcp_listen().
 * @param[out] out Receives the new stream's source, not registered.
 * @param[out] peer Receives the peer's address as text; may be NULL.
 * @param peer_size The room in @p peer: at least #MIOW_ADDRESS_SIZE when @p peer is given.
 * @retval 0 Success.
 * @retval MIOW_EWOULDBLOCK No connection is waiting; the listener was re-armed.
 * @retval MIOW_EBADHANDLE @p listener is not a live source.
 * @retval MIOW_EINVAL @p out is NULL, or @p peer is given with @p peer_size below
 *         #MIOW_ADDRESS_SIZE (checked first: no connection is taken).
 * @retval MIOW_ENOTSUP @p listener is not a listener.
 * @retval MIOW_ECONNABORTED The connection was reset before it was accepted.
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_tcp_accept(miow_source *listener, miow_source **out,
                                              char *peer, size_t peer_size);

/**
 * @brief Creates a UDP socket bound to @p address.
 *
 * An ICMP error caused by an earlier send (port unreachable) never fails a later receive or
 * send, connected or not, on any platform: the library makes a call that failed only because
 * of one again (mio leaves Windows' `SIO_UDP_CONNRESET` on and reports it; tokio #2017). On
 * Windows `SIO_UDP_CONNRESET` is also turned off; where it has no effect (Wine 8, where it is
 * a stub) the receive or send that meets `WSAECONNRESET` or `WSAECONNREFUSED` is made again, as
 * the Linux backend does with `ECONNREFUSED`. A connected socket that got the ICMP message may
 * still be reported with #MIOW_ERROR until it is read (Linux), and miow_source_take_error()
 * may return #MIOW_ECONNREFUSED once.
 * @param[out] out Receives the socket's source.
 * @param address The local address, for instance `"127.0.0.1:0"`.
 * @return As miow_tcp_listen().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_bind(miow_source **out, const char *address);

/**
 * @brief Creates a UDP socket bound to @p address, with creation flags.
 *
 * As miow_udp_bind(), which is this call with @p flags 0. A dual-stack socket
 * (#MIOW_NET_DUAL_STACK) receives from IPv4 peers as `"[::ffff:a.b.c.d]:port"`, and takes IPv4
 * addresses (`"127.0.0.1:9"`) as well as IPv6 ones in miow_udp_send_to() and
 * miow_udp_connect(): they are sent to as their IPv4-mapped form.
 * @param[out] out Receives the socket's source.
 * @param address The local address; with #MIOW_NET_DUAL_STACK an IPv6 one.
 * @param flags 0 or #MIOW_NET_DUAL_STACK.
 * @return As miow_tcp_listen_ex().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_bind_ex(miow_source **out, const char *address,
                                               uint32_t flags);

/**
 * @brief Sets (or replaces) the default peer of a UDP socket: miow_source_read() and
 *        miow_source_write() then exchange datagrams with it, and datagrams from other
 *        addresses are dropped by the OS.
 * @param src A UDP source.
 * @param address The peer's address.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EINVAL @p address is NULL or not a numeric address of the socket's family.
 * @retval MIOW_ENOTSUP @p src is not a UDP source.
 * @retval MIOW_EADDRNOTAVAIL @p address cannot be sent to (port 0, for instance).
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_connect(miow_source *src, const char *address);

/**
 * @brief Receives one datagram and says who sent it.
 * @param src A UDP source.
 * @param buffer Where to store the datagram; may be NULL when @p length is 0.
 * @param length The room in @p buffer.
 * @param[out] received Receives the datagram's length (0 for an empty datagram).
 * @param[out] from Receives the sender's address; may be NULL.
 * @param from_size The room in @p from: at least #MIOW_ADDRESS_SIZE when @p from is given
 *        (checked first: no datagram is taken).
 * @retval 0 Success.
 * @retval MIOW_EWOULDBLOCK No datagram is queued; the source was re-armed.
 * @retval MIOW_EMSGSIZE The datagram is larger than @p length (it is consumed, except by
 *         miow_udp_peek_from()).
 * @retval MIOW_EINVAL @p received is NULL, a bad buffer, or @p from is too small.
 * @retval MIOW_ENOTSUP @p src is not a UDP source.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_recv_from(miow_source *src, void *buffer, size_t length,
                                                 size_t *received, char *from, size_t from_size);

/**
 * @brief miow_udp_recv_from() that leaves the datagram queued and the readiness unconsumed.
 * @param src A UDP source.
 * @param buffer Where to copy the datagram; may be NULL when @p length is 0.
 * @param length The room in @p buffer.
 * @param[out] received Receives the datagram's length.
 * @param[out] from Receives the sender's address; may be NULL.
 * @param from_size The room in @p from: at least #MIOW_ADDRESS_SIZE when @p from is given.
 * @return As miow_udp_recv_from(); a datagram larger than @p length gives #MIOW_EMSGSIZE and
 *         stays queued.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_peek_from(miow_source *src, void *buffer, size_t length,
                                                 size_t *received, char *from, size_t from_size);

/**
 * @brief Sends one datagram to @p address (also on a connected UDP socket).
 * @param src A UDP source.
 * @param buffer The datagram; may be NULL when @p length is 0 (an empty datagram).
 * @param length Its length.
 * @param address Where to send it.
 * @param[out] sent Receives how many bytes were sent.
 * @retval 0 Success.
 * @retval MIOW_EWOULDBLOCK The send buffer is full; the source was re-armed.
 * @retval MIOW_EMSGSIZE The datagram is too large for UDP.
 * @retval MIOW_EINVAL @p sent or @p address is NULL, a bad address or buffer.
 * @retval MIOW_ENOTSUP @p src is not a UDP source.
 * @retval MIOW_EADDRNOTAVAIL @p address cannot be sent to (port 0, for instance).
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_send_to(miow_source *src, const void *buffer, size_t length,
                                               const char *address, size_t *sent);

/**
 * @brief Joins an IPv4 multicast group.
 * @param src An IPv4 UDP source.
 * @param group The group's address, without a port, for instance `"239.255.0.1"`.
 * @param interface_address The address of the interface to join on, without a port; NULL or
 *        `"0.0.0.0"` lets the OS choose.
 * @retval 0 Success.
 * @retval MIOW_EINVAL A NULL or bad @p group or bad @p interface_address.
 * @retval MIOW_ENOTSUP @p src is not an IPv4 UDP source.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EADDRINUSE @p src has joined that group on that interface already.
 * @retval MIOW_EADDRNOTAVAIL The group or interface is not usable here.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_join_multicast_v4(miow_source *src, const char *group,
                                                         const char *interface_address);

/**
 * @brief Leaves a group joined with miow_udp_join_multicast_v4().
 * @param src An IPv4 UDP source.
 * @param group The group's address, without a port.
 * @param interface_address The interface it was joined on; NULL or `"0.0.0.0"` for the OS's
 *        choice.
 * @return As miow_udp_join_multicast_v4(); leaving a group not joined is #MIOW_EADDRNOTAVAIL
 *         or #MIOW_EOS, as the OS reports it.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_leave_multicast_v4(miow_source *src, const char *group,
                                                          const char *interface_address);

/**
 * @brief Joins an IPv6 multicast group.
 * @param src An IPv6 UDP source.
 * @param group The group's address, without brackets or port, for instance `"ff02::1:3"`.
 * @param interface_index The interface's index; 0 lets the OS choose.
 * @return As miow_udp_join_multicast_v4(), for an IPv6 source.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_join_multicast_v6(miow_source *src, const char *group,
                                                         uint32_t interface_index);

/**
 * @brief Leaves a group joined with miow_udp_join_multicast_v6().
 * @param src An IPv6 UDP source.
 * @param group The group's address, without brackets or port.
 * @param interface_index The interface it was joined on; 0 for the OS's choice.
 * @return As miow_udp_join_multicast_v6().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_udp_leave_multicast_v6(miow_source *src, const char *group,
                                                          uint32_t interface_index);

/**
 * @brief Shuts down one or both directions of a TCP stream.
 * @param src A TCP stream.
 * @param how #MIOW_SHUT_READ, #MIOW_SHUT_WRITE or #MIOW_SHUT_BOTH.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p how is none of those.
 * @retval MIOW_ENOTSUP @p src is not a TCP stream.
 * @retval MIOW_ENOTCONN The stream is not connected.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_shutdown(miow_source *src, int32_t how);

/**
 * @brief Reads and clears the socket's pending error (`SO_ERROR`); for a pipe, the error a
 *        failed connect left.
 *
 * After a connect is reported, this tells a failed connect (#MIOW_ECONNREFUSED,
 * #MIOW_ETIMEDOUT, ...) from a successful one (0). (Under Wine 8 a socket's `SO_ERROR` is not
 * cleared by reading it: the same error comes back until the socket is freed.)
 * @param src A library-created source (a socket or a pipe).
 * @param[out] error Receives 0 if no error was pending, else its `MIOW_E*` code.
 * @param[out] os_error Receives the OS code of that error (0 if none); may be NULL.
 * @retval 0 Success (whether or not an error was pending).
 * @retval MIOW_EINVAL @p error is NULL.
 * @retval MIOW_ENOTSUP @p src wraps a caller-owned socket.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EOS The OS call failed; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_take_error(miow_source *src, int32_t *error,
                                                     int32_t *os_error);

/**
 * @brief The socket's local address as text.
 * @param src A library-created source.
 * @param buffer Receives the address.
 * @param size The room in @p buffer (#MIOW_ADDRESS_SIZE is enough).
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p buffer is NULL or too small.
 * @retval MIOW_ENOTSUP @p src is a pipe or wraps a caller-owned socket.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EOS The OS call failed; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_local_address(miow_source *src, char *buffer,
                                                        size_t size);

/**
 * @brief The connected peer's address as text.
 * @param src A library-created source.
 * @param buffer Receives the address.
 * @param size The room in @p buffer (#MIOW_ADDRESS_SIZE is enough).
 * @return As miow_source_local_address(), and #MIOW_ENOTCONN when the socket is not connected
 *         (a TCP connect that failed or is still in progress, a UDP socket without a peer).
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_peer_address(miow_source *src, char *buffer,
                                                       size_t size);

/**
 * @brief Sets a socket option.
 * @param src A library-created source of a kind the option applies to.
 * @param option One of the `MIOW_OPT_*` values.
 * @param value The value, in the range the option lists.
 * @retval 0 Success.
 * @retval MIOW_EINVAL Unknown @p option or @p value out of range.
 * @retval MIOW_ENOTSUP The option does not apply to this source (NODELAY on UDP, BROADCAST on
 *         TCP, a V4 option on an IPv6 socket, ...), or it is a pipe or wraps a caller-owned
 *         socket.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_EOS The OS refused; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_set_option(miow_source *src, int32_t option,
                                                     int32_t value);

/**
 * @brief Reads a socket option.
 * @param src A library-created source of a kind the option applies to.
 * @param option One of the `MIOW_OPT_*` values.
 * @param[out] value Receives the value (0 or 1 for the on/off options).
 * @return As miow_source_set_option(); #MIOW_EINVAL also for a NULL @p value.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_get_option(miow_source *src, int32_t option,
                                                     int32_t *value);

/**
 * @brief The socket behind a source, for hosts that need to call the OS on it directly.
 *
 * Works on every source. The library still owns a socket it created: do not close it, and do
 * its I/O through the library (I/O done around it does not re-arm an edge registration).
 * @param src The source.
 * @param[out] out Receives the socket.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out is NULL.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_socket(miow_source *src, miow_socket_t *out);

/**
 * @brief Takes a host's TCP or UDP socket into a source the library owns, on which every call
 *        works as on the library's own sockets (mio's `from_std`).
 *
 * The kind comes from the socket: a listening TCP socket becomes a listener
 * (miow_tcp_accept()), another TCP socket a stream (connected, or connecting: its I/O then
 * answers as for miow_tcp_connect()), a UDP socket a UDP source. The library makes the socket
 * what its own sockets are: non-blocking (a blocking socket is switched, not refused), and a
 * UDP socket no longer reports ICMP port-unreachable on receive (see miow_udp_bind()).
 * Unlike miow_source_new(), whose socket stays the host's, the I/O calls all work.
 *
 * Ownership: on success the source owns the socket: miow_source_free() closes it, and the host
 * must not close it (take it back with miow_source_release()). On any failure the socket stays
 * the host's, open (it may have been made non-blocking).
 * @param[out] out Receives the source, not registered.
 * @param socket A TCP or UDP socket over IPv4 or IPv6.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out is NULL.
 * @retval MIOW_ENOTSOCK @p socket is not an open socket.
 * @retval MIOW_ENOTSUP @p socket is another kind of socket (Unix-domain, raw, SCTP...).
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_EOS Another OS error; see miow_last_os_error().
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_adopt_socket(miow_source **out, miow_socket_t socket);

/**
 * @brief Frees a source but gives its socket or pipe handle back to the host, open, instead
 *        of closing it (mio's `into_raw_socket`).
 *
 * For a source that owns its socket or pipe: one from miow_tcp_listen(), miow_tcp_connect(),
 * miow_tcp_accept(), miow_udp_bind(), the pipe calls or an adoption. The source is deregistered
 * and freed as by miow_source_free(), and its handle is dead; the socket or handle goes to
 * @p out and is the host's from then on, to use directly and close. It stays non-blocking.
 * A poll running on another thread reports nothing more for it.
 *
 * A pipe: on Windows the library reads ahead into its buffer and writes from a copy, so
 * release fails with #MIOW_EBUSY while bytes are buffered unread or a write is in flight
 * (read them, or wait for the pipe to be writable, and call again); its handle is taken off
 * the selector's completion port (Windows 8.1 and later; #MIOW_ENOTSUP where the OS cannot)
 * so that the host's own overlapped I/O completes as it expects. On Linux a server instance
 * gives back its connection if it has a client, else its listening socket descriptor.
 *
 * Ownership: on success the host owns the handle; on any failure the source is unchanged and
 * still owns it.
 * @param src A source that owns its socket or pipe.
 * @param[out] out Receives the socket or pipe handle.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out is NULL.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_ENOTSUP @p src wraps a caller-owned socket (miow_source_new()), or the pipe
 *         cannot leave its completion port (see above).
 * @retval MIOW_EBUSY A Windows pipe has bytes buffered or a write in flight.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_release(miow_source *src, miow_socket_t *out);

MIOW_END_DECLS

/** @} */

#endif

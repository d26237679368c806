/**
 * @file miow/source.h
 * @brief Wrapping a caller-owned socket and registering it with a selector.
 */
#ifndef MIOW_SOURCE_H
#define MIOW_SOURCE_H

#include "common.h"
#include "event.h"

/**
 * @defgroup miow_source Source
 * @brief A source wraps a socket and tracks its registration.
 *
 * A source made with miow_source_new() wraps a socket the caller owns, and the library never
 * closes it; sources made by the calls of @ref miow_net and @ref miow_pipe own their socket or
 * pipe, and freeing them closes it. A source is registered with at most one selector at a
 * time. Each registration keeps one poll request outstanding for the socket; changes made
 * while another thread is blocked in miow_selector_poll() take effect in that same poll.
 *
 * If the caller closes a registered socket, the library notices at the next poll, reports
 * nothing more for it and releases what it held for it. From then on
 * miow_source_reregister(), miow_source_deregister() and miow_source_rearm() return
 * #MIOW_ENOENT, miow_source_register() returns #MIOW_ENOTSOCK (the wrapped value is no longer
 * a socket) and miow_source_free() succeeds. Until that poll, the source still counts as
 * registered. Before it issues a new request for a socket the caller owns, the library checks
 * that the value still names a socket of the registered type, so a value reused for anything
 * else is never polled. Prefer to free or deregister the source first all the same: a socket
 * of the same type opened with the old value while no request was outstanding cannot be told
 * from the old one, and would be polled under the old registration (see @ref epoll, "Closed
 * sockets").
 * @{
 */

MIOW_BEGIN_DECLS

/**
 * @brief Wraps a socket in a new source.
 * @param[out] out Receives the new source's handle. Left unchanged on failure.
 * @param socket A socket the caller keeps owning; it must outlive the source's registration
 *        or be closed only as described above.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out is NULL.
 * @retval MIOW_ENOTSOCK @p socket is not an open socket.
 * @retval MIOW_ENOMEM The handle table or memory is exhausted.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_new(miow_source **out, miow_socket_t socket);

/**
 * @brief Frees a source, deregistering it first if needed. A socket the caller owns stays
 *        open; a socket or pipe the library created is closed (see @ref miow_net and
 *        @ref miow_pipe).
 * @param src The source.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p src is not a live source (this includes a second free).
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_free(miow_source *src);

/**
 * @brief Registers a source with a selector.
 * @param src The source.
 * @param sel The selector.
 * @param token Reported in every event of this registration.
 * @param interests Interest bits and at most one mode bit; see @ref miow_event.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p src or @p sel is not a live handle of its kind.
 * @retval MIOW_EINVAL @p interests is empty, has an unknown bit or two modes.
 * @retval MIOW_EEXIST The source is already registered, with any selector. On Linux also when
 *         another source wrapping the same socket is registered with @p sel (epoll keeps one
 *         entry per descriptor); Windows accepts that, and each registration reports on its
 *         own.
 * @retval MIOW_ENOTSOCK The wrapped socket is no longer a socket.
 * @retval MIOW_ECLOSED The selector was freed during the call.
 * @retval MIOW_ENOMEM Out of memory.
 * @retval MIOW_ENOTSUP @p src is a pipe tied to another selector (Windows; see @ref miow_pipe).
 * @retval MIOW_EOS A helper handle could not be opened.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_register(miow_source *src, miow_selector *sel,
                                                   uint64_t token, uint32_t interests);

/**
 * @brief Replaces the token and interests of a registration entirely, and re-arms it.
 *
 * No event carrying the old token is delivered after this returns, including one that was
 * already queued. (A poll running on another thread at that moment may still return an event it
 * had already taken.)
 * @param src The source.
 * @param sel The selector it is registered with.
 * @param token The new token.
 * @param interests The new interest bits and mode.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p src or @p sel is not a live handle of its kind.
 * @retval MIOW_EINVAL @p interests is invalid.
 * @retval MIOW_ENOENT The source is not registered.
 * @retval MIOW_EEXIST The source is registered with another selector.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_reregister(miow_source *src, miow_selector *sel,
                                                     uint64_t token, uint32_t interests);

/**
 * @brief Ends a registration.
 *
 * After this returns no event for the source is delivered, including completions that were
 * already in flight. (A poll running on another thread at that moment may still return an
 * event it had already taken for the source: it was taken before the deregistration.)
 * @param src The source.
 * @param sel The selector it is registered with.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p src or @p sel is not a live handle of its kind.
 * @retval MIOW_ENOENT The source is not registered with @p sel.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_deregister(miow_source *src, miow_selector *sel);

/**
 * @brief Restores the registered interests after they were reported.
 *
 * In #MIOW_EDGE mode, call it after your own I/O on the socket returned `WSAEWOULDBLOCK`; in
 * #MIOW_ONESHOT mode it arms the registration again with its token unchanged. In level mode it
 * changes nothing.
 * @param src The source.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p src is not a live source.
 * @retval MIOW_ENOENT The source is not registered.
 * @retval MIOW_ECLOSED @p src is a pipe whose selector was freed (see @ref miow_pipe).
 */
MIOW_EXTERN int32_t MIOW_CALL miow_source_rearm(miow_source *src);

MIOW_END_DECLS

/** @} */

#endif

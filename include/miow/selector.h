/**
 * @file miow/selector.h
 * @brief Creating, polling and freeing a selector, and posting user events to it.
 */
#ifndef MIOW_SELECTOR_H
#define MIOW_SELECTOR_H

#include "common.h"
#include "event.h"

/**
 * @defgroup miow_selector Selector
 * @brief A selector owns one I/O completion port and polls the sources registered with it.
 *
 * Every function may be called from any thread. Only one thread may be inside
 * miow_selector_poll() for a given selector at a time.
 * @{
 */

MIOW_BEGIN_DECLS

/**
 * @brief Creates a selector.
 * @param[out] out Receives the new selector's handle. Left unchanged on failure.
 * @retval 0 Success.
 * @retval MIOW_EINVAL @p out is NULL.
 * @retval MIOW_ENOMEM The handle table or memory is exhausted.
 * @retval MIOW_EOS The completion port could not be created.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_selector_new(miow_selector **out);

/**
 * @brief Frees a selector.
 *
 * The handle becomes invalid at once. A thread blocked in miow_selector_poll() on it returns
 * #MIOW_ECLOSED promptly. Sources still registered with it stay valid handles: their later
 * miow_source_reregister() and miow_source_deregister() calls naming this selector get
 * #MIOW_EBADHANDLE, and miow_source_register() with another selector gets #MIOW_EEXIST until
 * they are freed. The completion port and helper handles are released when the last source
 * and waker that refer to the selector are freed.
 * @param sel The selector.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p sel is not a live selector (this includes a second free).
 */
MIOW_EXTERN int32_t MIOW_CALL miow_selector_free(miow_selector *sel);

/**
 * @brief Waits for events and copies them into @p events.
 *
 * The call first submits every pending registration change, so a socket that is ready now is
 * reported even with a zero timeout. Wake-ups that produce no event for the caller (cancelled
 * requests, readiness nobody asked for, early returns of the OS wait) do not end the call; it
 * waits again until an event arrives or the timeout expires.
 *
 * @param sel The selector.
 * @param[out] events Array of at least @p capacity records.
 * @param capacity How many records @p events holds; at least 1. One call returns every event
 *        that is ready, up to this many; each registration appears at most once per call.
 * @param[out] count Receives how many records were filled: 0 after a timeout.
 * @param timeout_ms -1 waits without limit, 0 does not wait, a positive value waits until an
 *        event arrives or that many milliseconds have passed (never less). Other negative values
 *        are invalid.
 * @retval 0 Success, including a timeout.
 * @retval MIOW_EBADHANDLE @p sel is not a live selector.
 * @retval MIOW_EINVAL @p events or @p count is NULL, @p capacity is 0 or @p timeout_ms is
 *         below -1.
 * @retval MIOW_EBUSY Another thread is polling this selector.
 * @retval MIOW_ECLOSED The selector was freed during the call.
 * @retval MIOW_EOS Waiting on the completion port failed.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_selector_poll(miow_selector *sel, miow_event *events,
                                                 size_t capacity, size_t *count,
                                                 int64_t timeout_ms);

/**
 * @brief Queues one user event, delivered by a later (or the current) poll.
 *
 * Posted events do not coalesce: each call produces one event.
 * @param sel The selector.
 * @param token The token the event will carry.
 * @param readiness A non-empty combination of readiness bits.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p sel is not a live selector.
 * @retval MIOW_EINVAL @p readiness is 0 or has a bit that is not a readiness bit.
 * @retval MIOW_ECLOSED The selector was freed during the call.
 * @retval MIOW_EOS The packet could not be posted.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_selector_post(miow_selector *sel, uint64_t token,
                                                 uint32_t readiness);

MIOW_END_DECLS

/** @} */

#endif

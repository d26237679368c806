/**
 * @file miow/waker.h
 * @brief Waking a selector's poll from another thread.
 */
#ifndef MIOW_WAKER_H
#define MIOW_WAKER_H

#include "common.h"

/**
 * @defgroup miow_waker Waker
 * @brief A waker makes a poll on its selector return an event with the waker's token.
 *
 * Wakes coalesce: however many times miow_waker_wake() is called before a poll delivers the
 * wake-up, that poll sees one event (readiness #MIOW_READABLE). A wake after that delivery
 * produces a new event.
 * @{
 */

MIOW_BEGIN_DECLS

/**
 * @brief Creates a waker for a selector.
 * @param sel The selector to wake.
 * @param token The token of the wake-up events.
 * @param[out] out Receives the waker's handle. Left unchanged on failure.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p sel is not a live selector.
 * @retval MIOW_EINVAL @p out is NULL.
 * @retval MIOW_ENOMEM Out of memory.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_waker_new(miow_selector *sel, uint64_t token,
                                             miow_waker **out);

/**
 * @brief Wakes the selector. Callable from any thread.
 * @param w The waker.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p w is not a live waker.
 * @retval MIOW_ECLOSED The waker's selector was freed.
 * @retval MIOW_EOS The wake-up packet could not be posted.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_waker_wake(miow_waker *w);

/**
 * @brief Frees a waker. A wake-up it already queued is not delivered.
 * @param w The waker.
 * @retval 0 Success.
 * @retval MIOW_EBADHANDLE @p w is not a live waker (this includes a second free).
 */
MIOW_EXTERN int32_t MIOW_CALL miow_waker_free(miow_waker *w);

MIOW_END_DECLS

/** @} */

#endif

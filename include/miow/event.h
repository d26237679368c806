/**
 * @file miow/event.h
 * @brief Interest and readiness bits, trigger modes, and the event record that poll fills.
 */
#ifndef MIOW_EVENT_H
#define MIOW_EVENT_H

#include "common.h"

/**
 * @defgroup miow_event Interests, readiness and events
 * @brief What a registration asks for, and what an event reports.
 *
 * An interest word is a non-empty combination of #MIOW_READABLE, #MIOW_WRITABLE and
 * #MIOW_PRIORITY, plus at most one of #MIOW_EDGE and #MIOW_ONESHOT. Without a mode bit the
 * registration is level-triggered. Any other bit, or no interest bit at all, gets #MIOW_EINVAL.
 *
 * A readiness mask combines the three interest bits with #MIOW_ERROR, #MIOW_READ_CLOSED and
 * #MIOW_WRITE_CLOSED. Readable, writable and priority are reported only when asked for; the
 * three condition bits are reported with whichever interest observed them.
 *
 * On Windows the readiness comes from the AFD poll result:
 *
 * | AFD result                   | readiness reported                                        |
 * |------------------------------|-----------------------------------------------------------|
 * | `AFD_POLL_RECEIVE`           | READABLE                                                  |
 * | `AFD_POLL_ACCEPT`            | READABLE                                                  |
 * | `AFD_POLL_RECEIVE_EXPEDITED` | PRIORITY                                                  |
 * | `AFD_POLL_SEND`              | WRITABLE                                                  |
 * | `AFD_POLL_DISCONNECT`        | READABLE, READ_CLOSED                                     |
 * | `AFD_POLL_ABORT`             | READABLE, WRITABLE, READ_CLOSED, WRITE_CLOSED             |
 * | `AFD_POLL_CONNECT_FAIL`      | READABLE, WRITABLE, ERROR, READ_CLOSED, WRITE_CLOSED      |
 * | the poll request failed      | ERROR                                                     |
 * | `AFD_POLL_LOCAL_CLOSE`       | nothing: the registration is dropped silently             |
 *
 * READABLE asks AFD for RECEIVE, ACCEPT, DISCONNECT, ABORT and CONNECT_FAIL; WRITABLE for SEND,
 * ABORT and CONNECT_FAIL; PRIORITY for RECEIVE_EXPEDITED, ABORT and CONNECT_FAIL. So a refused
 * connect registered for writing reports WRITABLE | ERROR | READ_CLOSED | WRITE_CLOSED, one
 * registered for priority alone ERROR | READ_CLOSED | WRITE_CLOSED, and a peer's FIN is seen
 * only with READABLE interest.
 * @{
 */

/** Interest and readiness: data can be read, a connection can be accepted, or the peer closed. */
#define MIOW_READABLE 0x01u
/** Interest and readiness: data can be written, or a connect completed. */
#define MIOW_WRITABLE 0x02u
/** Interest and readiness: out-of-band (urgent) data is waiting. */
#define MIOW_PRIORITY 0x04u
/** Readiness only: the socket has an error, such as a refused connect. */
#define MIOW_ERROR 0x08u
/** Readiness only: the peer will send no more data (FIN or reset). */
#define MIOW_READ_CLOSED 0x10u
/** Readiness only: no more data can be sent (reset or failed connect). */
#define MIOW_WRITE_CLOSED 0x20u

/**
 * Mode: report each interest once, then stay silent for it until miow_source_rearm() or
 * miow_source_reregister(). This is mio's edge emulation: call rearm after your own I/O on the
 * socket returned `WSAEWOULDBLOCK`, or the source goes deaf. An event that reports no interest
 * bit (a failed poll request reports #MIOW_ERROR alone) disarms every interest.
 */
#define MIOW_EDGE 0x100u
/**
 * Mode: report once, then stay registered but disarmed until miow_source_reregister() (or
 * miow_source_rearm()). Registering the source again meanwhile gets #MIOW_EEXIST.
 */
#define MIOW_ONESHOT 0x200u

/**
 * @brief One readiness event, as miow_selector_poll() fills it.
 *
 * Its layout is fixed: 16 bytes, the token at offset 0, the readiness at 8, the reserved field
 * at 12.
 */
typedef struct miow_event {
  /** The token given when the source was registered (or the waker or post token). */
  uint64_t token;
  /** A combination of the readiness bits. Never 0. */
  uint32_t readiness;
  /** Always 0. */
  uint32_t reserved;
} miow_event;

/** @cond MIOW_INTERNAL */
/* The layout is part of the ABI: a host mirrors it field by field. */
#if defined(__cplusplus)
static_assert(sizeof(miow_event) == 16, "miow_event must be 16 bytes");
static_assert(offsetof(miow_event, token) == 0, "miow_event.token at 0");
static_assert(offsetof(miow_event, readiness) == 8, "miow_event.readiness at 8");
static_assert(offsetof(miow_event, reserved) == 12, "miow_event.reserved at 12");
#else
_Static_assert(sizeof(miow_event) == 16, "miow_event must be 16 bytes");
_Static_assert(offsetof(miow_event, token) == 0, "miow_event.token at 0");
_Static_assert(offsetof(miow_event, readiness) == 8, "miow_event.readiness at 8");
_Static_assert(offsetof(miow_event, reserved) == 12, "miow_event.reserved at 12");
#endif
/** @endcond */

/** @} */

#endif

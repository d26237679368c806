/**
 * @file miowin.h
 * @brief The whole public API of miowin: include this one header.
 *
 * miowin is a readiness-polling library: register sockets with a selector for readable,
 * writable and priority readiness in level, edge or oneshot mode, poll for events, and wake the
 * selector from other threads. On Windows it drives the AFD driver and an I/O completion port,
 * as mio's Windows backend does, behind a stable C ABI with opaque handles.
 *
 * Conventions: every function returns an `int32_t`, 0 or a negative `MIOW_E*` code (see
 * @ref miow_errors); objects come back through an out-parameter named `out` and are freed with
 * their own `_free` function.
 */
#ifndef MIOWIN_H
#define MIOWIN_H

#include "miow/common.h"
#include "miow/errors.h"
#include "miow/event.h"
#include "miow/io.h"
#include "miow/net.h"
#include "miow/pipe.h"
#include "miow/selector.h"
#include "miow/source.h"
#include "miow/waker.h"

#endif

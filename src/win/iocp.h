/* The I/O completion port: creating it, posting to it and waiting on it. */
#ifndef MIOW_WIN_IOCP_H
#define MIOW_WIN_IOCP_H

#include <stdint.h>

#include "win.h"

/* Returns 0 or a Win32 error. */
DWORD iocp_new(HANDLE *out);

/* Returns 0 or a Win32 error. */
DWORD iocp_post(HANDLE port, DWORD bytes, ULONG_PTR key, void *overlapped);

/* Waits up to `timeout_ms` (INFINITE allowed) for up to `capacity` packets. Returns 0 with
 * `*removed` set (0 after a timeout), or a Win32 error. */
DWORD iocp_wait(HANDLE port, OVERLAPPED_ENTRY *entries, ULONG capacity, ULONG *removed,
                DWORD timeout_ms);

#endif

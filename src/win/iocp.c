/* The I/O completion port: creating it, posting to it and waiting on it. */
#include "iocp.h"

DWORD iocp_new(HANDLE *out) {
  /* The default concurrency (one per processor), not 1: only one thread polls at a time, but
   * a thread that polled last stays counted as running until it waits again, and with a limit
   * of 1 the next poller on another thread would be held back by it. */
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  if (port == NULL) return GetLastError();
  *out = port;
  return 0;
}

DWORD iocp_post(HANDLE port, DWORD bytes, ULONG_PTR key, void *overlapped) {
  if (!PostQueuedCompletionStatus(port, bytes, key, overlapped)) return GetLastError();
  return 0;
}

DWORD iocp_wait(HANDLE port, OVERLAPPED_ENTRY *entries, ULONG capacity, ULONG *removed,
                DWORD timeout_ms) {
  *removed = 0;
  if (GetQueuedCompletionStatusEx(port, entries, capacity, removed, timeout_ms, FALSE)) return 0;
  DWORD error = GetLastError();
  *removed = 0;
  return error == WAIT_TIMEOUT ? 0 : error;
}

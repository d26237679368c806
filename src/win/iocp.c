/* The I/O completion port: creating it, posting to it and waiting on it. */
#include "iocp.h"

DWORD iocp_new(HANDLE *out) {
  /* One concurrent thread: only one thread polls a selector at a time. */
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
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

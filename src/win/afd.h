/* Talks to the AFD driver: opens helper handles and issues and cancels IOCTL_AFD_POLL. */
#ifndef MIOW_WIN_AFD_H
#define MIOW_WIN_AFD_H

#include "nt.h"

#define AFD_POLL_RECEIVE 0x0001u
#define AFD_POLL_RECEIVE_EXPEDITED 0x0002u
#define AFD_POLL_SEND 0x0004u
#define AFD_POLL_DISCONNECT 0x0008u
#define AFD_POLL_ABORT 0x0010u
#define AFD_POLL_LOCAL_CLOSE 0x0020u
/* AFD_POLL_CONNECT (0x40) is never requested: AFD sets it on every event of a connected socket,
 * so asking for it would make every poll complete at once. */
#define AFD_POLL_ACCEPT 0x0080u
#define AFD_POLL_CONNECT_FAIL 0x0100u

typedef struct afd_poll_handle_info {
  HANDLE handle;
  ULONG events;
  NTSTATUS status;
} afd_poll_handle_info;

/* Input and output of IOCTL_AFD_POLL for a single socket. */
typedef struct afd_poll_info {
  LARGE_INTEGER timeout;
  ULONG number_of_handles;
  ULONG exclusive;
  afd_poll_handle_info handles[1];
} afd_poll_info;

/* How many requests this process issued and cancelled, how many of the library's are
 * outstanding right now (issued, their completion not yet consumed), and how often it asked a
 * host-owned socket's type (sock_state.c: at registration, and to check what the value names
 * before a request), for the benchmarks and the tests that pin the costs
 * (tests/test_afd_counts.c). */
typedef struct afd_stats {
  volatile LONG64 polls;
  volatile LONG64 cancels;
  volatile LONG64 outstanding;
  volatile LONG64 type_queries;
} afd_stats;
extern afd_stats afd_counters;

/* Opens a helper handle on the AFD device and associates it with `iocp` under `key`.
 * Returns 0 or a Win32 error. */
DWORD afd_open_helper(HANDLE iocp, ULONG_PTR key, HANDLE *out);

/* Issues a poll for `socket` (a base socket) and `events`. `iosb` and `info` must stay in place
 * until the completion arrives; `context` is what the completion's lpOverlapped carries.
 * Returns STATUS_SUCCESS or STATUS_PENDING when a completion packet will follow. */
NTSTATUS afd_poll(HANDLE helper, SOCKET socket, ULONG events, afd_poll_info *info,
                  IO_STATUS_BLOCK *iosb, void *context);

/* Cancels the request identified by `iosb`. A request that already finished is not an error. */
NTSTATUS afd_cancel(HANDLE helper, IO_STATUS_BLOCK *iosb);

#endif

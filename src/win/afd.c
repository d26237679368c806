/* Talks to the AFD driver: opens helper handles and issues and cancels IOCTL_AFD_POLL. */
#include "afd.h"

#include <stdint.h>

#define IOCTL_AFD_POLL 0x00012024u

afd_stats afd_counters;

DWORD afd_open_helper(HANDLE iocp, ULONG_PTR key, HANDLE *out) {
  /* Any name below \Device\Afd opens the driver; the suffix only shows up in handle listings. */
  static WCHAR path[] = L"\\Device\\Afd\\Miowin";
  UNICODE_STRING name = {sizeof path - sizeof path[0], sizeof path, path};
  OBJECT_ATTRIBUTES attrs;
  InitializeObjectAttributes(&attrs, &name, 0, NULL, NULL);
  IO_STATUS_BLOCK iosb;
  HANDLE helper;
  NTSTATUS status = nt.create_file(&helper, SYNCHRONIZE, &attrs, &iosb, NULL, 0,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, NULL, 0);
  if (!NT_SUCCESS(status)) return nt.status_to_dos_error(status);
  if (CreateIoCompletionPort(helper, iocp, key, 0) == NULL) {
    DWORD error = GetLastError();
    CloseHandle(helper);
    return error;
  }
  /* Completions are consumed from the port only; signalling the handle is wasted work. The
   * skip-on-success mode is deliberately not set: every poll, even one satisfied at once, then
   * reports through the port, and the state machine has a single completion path. */
  if (!SetFileCompletionNotificationModes(helper, FILE_SKIP_SET_EVENT_ON_HANDLE)) {
    DWORD error = GetLastError();
    CloseHandle(helper);
    return error;
  }
  *out = helper;
  return 0;
}

NTSTATUS afd_poll(HANDLE helper, SOCKET socket, ULONG events, afd_poll_info *info,
                  IO_STATUS_BLOCK *iosb, void *context) {
  info->timeout.QuadPart = INT64_MAX;
  info->number_of_handles = 1;
  info->exclusive = FALSE;
  info->handles[0].handle = (HANDLE)socket;
  info->handles[0].events = events;
  info->handles[0].status = 0;
  iosb->Status = STATUS_PENDING;
  InterlockedIncrement64(&afd_counters.polls);
  return nt.device_io_control_file(helper, NULL, NULL, context, iosb, IOCTL_AFD_POLL, info,
                                   sizeof *info, info, sizeof *info);
}

NTSTATUS afd_cancel(HANDLE helper, IO_STATUS_BLOCK *iosb) {
  if (iosb->Status != STATUS_PENDING) return STATUS_SUCCESS;
  InterlockedIncrement64(&afd_counters.cancels);
  IO_STATUS_BLOCK cancel_iosb;
  NTSTATUS status = nt.cancel_io_file_ex(helper, iosb, &cancel_iosb);
  if (status == STATUS_NOT_FOUND) return STATUS_SUCCESS;
  return status;
}

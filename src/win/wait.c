/* Waitable handles as sources. Each registration owns one wait at a time on the caller's
 * object; its satisfaction arrives as a KEY_WAIT packet whose lpOverlapped is the sys_wait.
 * Two ways to get that packet:
 * - a wait completion packet (NtCreateWaitCompletionPacket / NtAssociateWaitCompletionPacket /
 *   NtCancelWaitCompletionPacket, exported by ntdll from Windows 8 on): the kernel queues the
 *   packet to our port itself;
 * - the fallback, a thread-pool wait whose callback posts the packet (wait_pool.c), where
 *   ntdll lacks those calls (Wine 8) or MIOW_WAIT_FALLBACK=1 asks for it.
 *
 * Lifetime: `outstanding` is true from arming until the packet is consumed or the wait is
 * cancelled for sure, and counts in sel->busy meanwhile, so the selector's destruction drains
 * it. A wait deregistered with its packet in flight stays in memory, unregistered, until
 * wait_feed() consumes the packet and frees it. Everything here runs with the selector's lock
 * held but the thread-pool callback (wait_pool.c), which takes no lock of a selector. */
#include "wait.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "interest.h"
#include "iocp.h"
#include "net.h"
#include "nt.h"
#include "overlapped.h"

typedef NTSTATUS(NTAPI *nt_create_wait_completion_packet_fn)(PHANDLE, ACCESS_MASK, PVOID);
typedef NTSTATUS(NTAPI *nt_associate_wait_completion_packet_fn)(HANDLE, HANDLE, HANDLE, PVOID,
                                                                PVOID, NTSTATUS, ULONG_PTR,
                                                                PBOOLEAN);
typedef NTSTATUS(NTAPI *nt_cancel_wait_completion_packet_fn)(HANDLE, BOOLEAN);
typedef NTSTATUS(NTAPI *nt_query_object_fn)(HANDLE, ULONG, PVOID, ULONG, PULONG);

/* NtQueryObject's class for the object's type name. */
#define WAIT_OBJECT_TYPE_INFORMATION 2
/* Room for the type information and its name. */
#define WAIT_TYPE_INFO_SIZE 512

static struct {
  nt_create_wait_completion_packet_fn create;
  nt_associate_wait_completion_packet_fn associate;
  nt_cancel_wait_completion_packet_fn cancel;
  nt_query_object_fn query_object;
  bool packets; /* the three packet calls are there and not switched off */
} wait_api;

static FARPROC wait__proc(HMODULE ntdll, const char *name) {
  return ntdll != NULL ? GetProcAddress(ntdll, name) : NULL;
}

void wait_init(void) {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  /* The casts go through a generic function pointer: the signatures are documented, not in
   * mingw's import library. */
  wait_api.create = (nt_create_wait_completion_packet_fn)(void (*)(void))wait__proc(
      ntdll, "NtCreateWaitCompletionPacket");
  wait_api.associate = (nt_associate_wait_completion_packet_fn)(void (*)(void))wait__proc(
      ntdll, "NtAssociateWaitCompletionPacket");
  wait_api.cancel = (nt_cancel_wait_completion_packet_fn)(void (*)(void))wait__proc(
      ntdll, "NtCancelWaitCompletionPacket");
  wait_api.query_object = (nt_query_object_fn)(void (*)(void))wait__proc(ntdll, "NtQueryObject");
  char value[8];
  DWORD n = GetEnvironmentVariableA("MIOW_WAIT_FALLBACK", value, sizeof value);
  bool forced = n == 1 && value[0] == '1';
  wait_api.packets =
      !forced && wait_api.create != NULL && wait_api.associate != NULL && wait_api.cancel != NULL;
}

/* ---- what may be waited on ---- */

/* The kinds whose signalled state means something to a host, by their kernel type names.
 * Left out: mutexes (the wait would make the thread pool or nobody their owner), files and
 * devices (signalled by any I/O completing), ports and keys (never signalled for waits). */
static const wchar_t *const wait_kinds[] = {L"Event", L"Semaphore", L"Process", L"Thread",
                                            L"Timer"};

static bool wait__type_is(const UNICODE_STRING *name, const wchar_t *kind) {
  size_t length = wcslen(kind);
  return name->Length == length * sizeof(wchar_t) &&
         memcmp(name->Buffer, kind, length * sizeof(wchar_t)) == 0;
}

int32_t sys_wait_check(miow_socket_t value) {
  HANDLE object = (HANDLE)value;
  /* INVALID_HANDLE_VALUE is also the current process's pseudo-handle: never a caller's. */
  if (object == NULL || object == INVALID_HANDLE_VALUE)
    return error_set_os(MIOW_EINVAL, ERROR_INVALID_HANDLE);
  if (net_is_socket((SOCKET)value)) return error_set(MIOW_ENOTSUP);
  if (wait_api.query_object == NULL) return error_set_os(MIOW_EOS, ERROR_PROC_NOT_FOUND);
  /* Aligned for the UNICODE_STRING at its start. */
  union {
    UNICODE_STRING name;
    uint8_t bytes[WAIT_TYPE_INFO_SIZE];
  } info;
  ULONG size = 0;
  NTSTATUS status =
      wait_api.query_object(object, WAIT_OBJECT_TYPE_INFORMATION, &info, sizeof info, &size);
  if (!NT_SUCCESS(status)) {
    DWORD error = nt.status_to_dos_error(status);
    return error_set_os(MIOW_EINVAL, error != 0 ? (int32_t)error : ERROR_INVALID_HANDLE);
  }
  for (size_t i = 0; i < sizeof wait_kinds / sizeof wait_kinds[0]; i++) {
    if (wait__type_is(&info.name, wait_kinds[i])) return 0;
  }
  return error_set_os(MIOW_EINVAL, ERROR_INVALID_HANDLE);
}

/* ---- arming and cancelling ---- */

static void wait__started(sys_wait *wait) {
  wait->outstanding = true;
  wait->sel->busy++;
}

/* The fallback's arming. An object already signalled is posted now, as the kernel queues a
 * packet at once, so that a zero-timeout poll right after arming sees it rather than racing a
 * pool thread; that check has consumed what a satisfied wait consumes, as the pool's would
 * have. A handle the check cannot wait on (no SYNCHRONIZE access) fails here rather than in a
 * pool thread. */
static int32_t wait__arm_pool(sys_wait *wait) {
  DWORD result = WaitForSingleObject(wait->object, 0);
  if (result == WAIT_FAILED) return error_set_os(MIOW_EOS, (int32_t)GetLastError());
  if (result == WAIT_OBJECT_0) {
    DWORD error = iocp_post(wait->sel->iocp, 0, KEY_WAIT, wait);
    if (error != 0) return error_set_os(MIOW_EOS, (int32_t)error);
    wait_pool_post_now(wait);
  } else {
    wait_pool_arm(wait);
  }
  wait__started(wait);
  return 0;
}

/* Starts a wait if the registration wants one and has none. */
static int32_t wait__arm(sys_wait *wait) {
  if (!wait->registered || !wait->armed || wait->outstanding) return 0;
  if (wait->packet == NULL) return wait__arm_pool(wait);
  BOOLEAN already = FALSE;
  /* Already signalled or not, the packet is queued once the wait is satisfied. */
  NTSTATUS status =
      wait_api.associate(wait->packet, wait->sel->iocp, wait->object, (PVOID)(ULONG_PTR)KEY_WAIT,
                         wait, STATUS_SUCCESS, 0, &already);
  if (!NT_SUCCESS(status)) return error_set_os(MIOW_EOS, (int32_t)nt.status_to_dos_error(status));
  wait__started(wait);
  return 0;
}

static void wait__finished(sys_wait *wait) {
  wait->outstanding = false;
  wait->sel->busy--;
}

/* Takes back an outstanding wait if it has not fired. When it has, its packet is on its way to
 * a poller (or dequeued and waiting for the lock) and stays outstanding: the satisfied wait has
 * consumed what it consumes (a semaphore's unit, an auto-reset event's signal) either way. */
static void wait__cancel(sys_wait *wait) {
  if (!wait->outstanding) return;
  if (wait->packet != NULL) {
    /* STATUS_SUCCESS: the wait was cancelled or its queued packet removed, so nothing comes.
     * STATUS_PENDING (being delivered) or STATUS_CANCELLED (already dequeued): the packet
     * reaches wait_feed(). */
    if (wait_api.cancel(wait->packet, TRUE) == STATUS_SUCCESS) wait__finished(wait);
  } else if (!wait_pool_cancel(wait)) {
    wait__finished(wait);
  }
}

static void wait__destroy(sys_wait *wait) {
  if (list_is_linked(&wait->update_node)) list_remove(&wait->update_node);
  if (wait->packet != NULL)
    CloseHandle(wait->packet);
  else
    wait_pool_close(wait);
  free(wait);
}

/* ---- the selector's side ---- */

bool wait_feed(sys_wait *wait, miow_event *event) {
  wait__finished(wait);
  if (!wait->registered) {
    wait__destroy(wait);
    return false;
  }
  if (!wait->armed) return false;
  event->token = wait->token;
  event->readiness = MIOW_READABLE;
  event->reserved = 0;
  if (wait->interests & (MIOW_EDGE | MIOW_ONESHOT)) {
    wait->armed = false;
  } else if (!list_is_linked(&wait->update_node)) {
    /* Level: wait again at the next poll, not in this one, which would report it twice. */
    list_push_back(&wait->sel->wait_updates, &wait->update_node);
  }
  return true;
}

void wait_update(sys_wait *wait) {
  /* A failure now (the caller closed the handle) leaves the registration silent. */
  (void)wait__arm(wait);
}

/* ---- registration ---- */

static int32_t wait__check_interests(uint32_t interests) {
  return (interests & INTEREST_BITS) == MIOW_READABLE ? 0 : error_set(MIOW_EINVAL);
}

static int32_t wait__new(sys_selector *sel, HANDLE object, sys_wait **out) {
  sys_wait *wait = calloc(1, sizeof *wait);
  if (wait == NULL) return error_set(MIOW_ENOMEM);
  wait->sel = sel;
  wait->object = object;
  list_init(&wait->update_node);
  if (wait_api.packets) {
    NTSTATUS status = wait_api.create(&wait->packet, GENERIC_ALL, NULL);
    if (!NT_SUCCESS(status)) {
      free(wait);
      return error_set_os(MIOW_EOS, (int32_t)nt.status_to_dos_error(status));
    }
  } else {
    int32_t rc = wait_pool_open(wait);
    if (rc != 0) {
      free(wait);
      return rc;
    }
  }
  *out = wait;
  return 0;
}

int32_t sys_wait_register(sys_selector *sel, miow_socket_t value, uint64_t token,
                          uint32_t interests, sys_wait **out) {
  int32_t rc = wait__check_interests(interests);
  if (rc == 0) rc = sys_wait_check(value); /* it may have been closed since the source was made */
  sys_wait *wait = NULL;
  if (rc == 0) rc = wait__new(sel, (HANDLE)value, &wait);
  if (rc != 0) return rc;
  wait->token = token;
  wait->interests = interests;
  wait->armed = true;
  wait->registered = true;
  AcquireSRWLockExclusive(&sel->lock);
  rc = sel->closed ? error_set(MIOW_ECLOSED) : wait__arm(wait);
  ReleaseSRWLockExclusive(&sel->lock);
  if (rc != 0) {
    wait__destroy(wait);
    return rc;
  }
  *out = wait;
  return 0;
}

int32_t sys_wait_reregister(sys_wait *wait, uint64_t token, uint32_t interests) {
  int32_t rc = wait__check_interests(interests);
  if (rc != 0) return rc;
  AcquireSRWLockExclusive(&wait->sel->lock);
  /* A wait in flight stays: its packet reports under the new token, and what it consumed is
   * not lost. */
  wait->token = token;
  wait->interests = interests;
  wait->armed = true;
  if (list_is_linked(&wait->update_node)) list_remove(&wait->update_node);
  rc = wait__arm(wait);
  ReleaseSRWLockExclusive(&wait->sel->lock);
  return rc;
}

int32_t sys_wait_rearm(sys_wait *wait) {
  AcquireSRWLockExclusive(&wait->sel->lock);
  wait->armed = true;
  int32_t rc = wait__arm(wait);
  ReleaseSRWLockExclusive(&wait->sel->lock);
  return rc;
}

bool sys_wait_is_dropped(sys_wait *wait) {
  (void)wait;
  return false; /* a handle's closing is not noticed; the caller must keep it open */
}

int32_t sys_wait_deregister(sys_wait *wait) {
  sys_selector *sel = wait->sel;
  AcquireSRWLockExclusive(&sel->lock);
  wait->registered = false;
  if (list_is_linked(&wait->update_node)) list_remove(&wait->update_node);
  wait__cancel(wait);
  bool in_flight = wait->outstanding;
  if (!in_flight) wait__destroy(wait);
  ReleaseSRWLockExclusive(&sel->lock);
  return 0;
}

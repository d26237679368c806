/* Named pipes as event sources: overlapped reads into a buffer and writes from a copy, on the
 * selector's completion port, with readiness made from their completions (mio's approach).
 *
 * Locking: until the pipe is tied to a port nothing is outstanding and only the owner's calls
 * (serialised by the API layer) touch it; from then on every access holds the selector's lock,
 * which the completions are consumed under. Memory lives until the owner has let go and no
 * operation is outstanding: the OS writes into the OVERLAPPEDs and buffers until then. */
#include "pipe.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "interest.h"
#include "iocp.h"
#include "nt.h"
#include "overlapped.h"

/* Longest pipe name accepted, in UTF-16 units (the OS limit is 256 characters). */
#define PIPE_NAME_MAX 256

/* ---- locking and lifetime ---- */

static void pipe__lock(sys_pipe *pipe) {
  if (pipe->sel != NULL) AcquireSRWLockExclusive(&pipe->sel->lock);
}

static void pipe__unlock(sys_pipe *pipe) {
  if (pipe->sel != NULL) ReleaseSRWLockExclusive(&pipe->sel->lock);
}

static void pipe__destroy(sys_pipe *pipe) {
  if (pipe->sel != NULL) {
    list_remove(&pipe->pipe_node);
    if (list_is_linked(&pipe->update_node)) list_remove(&pipe->update_node);
  }
  if (pipe->handle != INVALID_HANDLE_VALUE) CloseHandle(pipe->handle);
  free(pipe->read_buf);
  free(pipe->write_buf);
  free(pipe);
}

/* Counts an operation as outstanding (its OVERLAPPED is the OS's until the completion). */
static void pipe__issued(sys_pipe *pipe, pipe_op *op) {
  op->pending = true;
  op->generation = pipe->generation;
  pipe->outstanding++;
  pipe->sel->busy++;
}

static void pipe__op_init(sys_pipe *pipe, pipe_op *op, pipe_op_kind kind) {
  op->pipe = pipe;
  op->kind = kind;
}

static void pipe__op_reset(pipe_op *op) { memset(&op->ov, 0, sizeof op->ov); }

/* ---- readiness ---- */

/* What the pipe could report now, before interests are applied. */
static uint32_t pipe__readiness(const sys_pipe *pipe) {
  uint32_t ready = 0;
  if (pipe->read_end > pipe->read_start || pipe->read_eof || pipe->read_error != 0)
    ready |= MIOW_READABLE;
  if (pipe->read_eof) ready |= MIOW_READ_CLOSED;
  if (pipe->read_error != 0) ready |= MIOW_ERROR;
  if ((pipe->connected && !pipe->write_op.pending) || pipe->write_error != 0)
    ready |= MIOW_WRITABLE;
  if (pipe->write_error != 0) ready |= MIOW_ERROR | MIOW_WRITE_CLOSED;
  if (pipe->connect_error != 0) ready |= MIOW_WRITABLE | MIOW_ERROR;
  return ready;
}

/* The readiness the registration would report now: each closed/error bit rides on the
 * interest it concerns, as for sockets. */
static uint32_t pipe__reportable(const sys_pipe *pipe) {
  if (!pipe->registered || pipe->freed) return 0;
  uint32_t mask = 0;
  if (pipe->armed & MIOW_READABLE) mask |= MIOW_READABLE | MIOW_READ_CLOSED;
  if (pipe->armed & MIOW_WRITABLE) mask |= MIOW_WRITABLE | MIOW_WRITE_CLOSED;
  if (mask != 0) mask |= MIOW_ERROR;
  uint32_t ready = pipe__readiness(pipe) & mask;
  /* An error or close alone is reported with the interest it answers, never bare. */
  if ((ready & (MIOW_READABLE | MIOW_WRITABLE)) == 0) return 0;
  return ready;
}

/* Reports the pipe if it has something for its registration, applying the mode. */
static void pipe__report(sys_pipe *pipe, miow_event *events, size_t *count) {
  uint32_t ready = pipe__reportable(pipe);
  if (ready == 0) return;
  if (pipe->interests & MIOW_ONESHOT) {
    pipe->armed = 0;
  } else if (pipe->interests & MIOW_EDGE) {
    if (ready & MIOW_READABLE) pipe->armed &= ~MIOW_READABLE;
    if (ready & MIOW_WRITABLE) pipe->armed &= ~MIOW_WRITABLE;
  } else if (!list_is_linked(&pipe->update_node)) {
    /* Level: still ready at the next poll means reported again by it. */
    list_push_back(&pipe->sel->pipe_updates, &pipe->update_node);
  }
  selector_report(pipe->sel, &pipe->report, pipe->token, ready, events, count);
}

/* Readiness that no completion will bring (a new registration, a re-arm, a level re-check)
 * is reported through a packet of our own, so that it reaches the poll like any other. */
static void pipe__notify(sys_pipe *pipe) {
  if (pipe->notify_op.pending || pipe__reportable(pipe) == 0) return;
  pipe__op_reset(&pipe->notify_op);
  if (iocp_post(pipe->sel->iocp, 0, KEY_PIPE, &pipe->notify_op.ov) == 0)
    pipe__issued(pipe, &pipe->notify_op);
}

void pipe_update(sys_pipe *pipe) { pipe__notify(pipe); }

/* ---- operations ---- */

/* A read that fails this way found the other end gone: end of stream, not an error. A client
 * whose server disconnected gets ERROR_PIPE_NOT_CONNECTED rather than ERROR_BROKEN_PIPE, both
 * from a read issued afterwards and from one that was outstanding. */
static bool pipe__is_end_of_stream(DWORD error) {
  return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED;
}

/* Issues the next read into the buffer, if one may be issued. */
static void pipe__start_read(sys_pipe *pipe) {
  if (pipe->read_op.pending || !pipe->connected || pipe->read_eof || pipe->read_error != 0 ||
      pipe->read_end > pipe->read_start)
    return;
  pipe->read_start = pipe->read_end = 0;
  pipe__op_reset(&pipe->read_op);
  if (ReadFile(pipe->handle, pipe->read_buf, pipe->read_size, NULL, &pipe->read_op.ov)) {
    pipe__issued(pipe, &pipe->read_op); /* a packet is queued for a synchronous success too */
    return;
  }
  DWORD error = GetLastError();
  if (error == ERROR_IO_PENDING || error == ERROR_MORE_DATA)
    pipe__issued(pipe, &pipe->read_op);
  else if (pipe__is_end_of_stream(error))
    pipe->read_eof = true;
  else
    pipe->read_error = error;
}

static void pipe__connected(sys_pipe *pipe) {
  pipe->connected = true;
  pipe__start_read(pipe);
}

static DWORD pipe__issue_connect(sys_pipe *pipe);

/* The result of a completed operation: 0 or its Win32 error. */
static DWORD pipe__result(sys_pipe *pipe, pipe_op *op, DWORD *bytes) {
  *bytes = 0;
  if (GetOverlappedResult(pipe->handle, &op->ov, bytes, FALSE)) return 0;
  DWORD error = GetLastError();
  return error == ERROR_MORE_DATA ? 0 : error; /* a partial message, in byte mode never seen */
}

void pipe_feed(pipe_op *op, miow_event *events, size_t *count) {
  sys_pipe *pipe = op->pipe;
  op->pending = false;
  pipe->outstanding--;
  pipe->sel->busy--;
  if (pipe->freed) {
    if (pipe->outstanding == 0) pipe__destroy(pipe);
    return;
  }
  /* An operation issued before a disconnect belongs to the client that left. */
  bool stale = op->kind != PIPE_OP_NOTIFY && op->generation != pipe->generation;
  DWORD bytes = 0;
  DWORD error = op->kind == PIPE_OP_NOTIFY ? 0 : pipe__result(pipe, op, &bytes);
  switch (op->kind) {
    case PIPE_OP_READ:
      if (stale) break;
      /* ABORTED with release_undone set: a release that could not take the handle off the port
       * cancelled it (sys_pipe_release), so the read is issued again below, as if never
       * cancelled. Any other ABORTED (the selector's destruction cancelling it) ends the read. */
      if (pipe__is_end_of_stream(error))
        pipe->read_eof = true;
      else if (error == ERROR_OPERATION_ABORTED && pipe->release_undone)
        pipe->release_undone = false, pipe->read_start = 0, pipe->read_end = 0;
      else if (error != 0)
        pipe->read_error = error;
      else
        pipe->read_start = 0, pipe->read_end = bytes;
      break;
    case PIPE_OP_WRITE:
      if (!stale && error != 0) pipe->write_error = error;
      break;
    case PIPE_OP_CONNECT:
      if (stale) {
        if (pipe->connect_wanted) {
          pipe->connect_wanted = false;
          (void)pipe__issue_connect(pipe); /* a failure is kept for take_error and reported */
        }
        break;
      }
      if (error == 0 || error == ERROR_PIPE_CONNECTED || error == ERROR_NO_DATA)
        pipe__connected(pipe);
      else if (error == ERROR_OPERATION_ABORTED && pipe->release_undone)
        pipe->release_undone = false, (void)pipe__issue_connect(pipe); /* as a read above */
      else if (error != ERROR_OPERATION_ABORTED)
        pipe->connect_error = error;
      break;
    case PIPE_OP_NOTIFY: break;
  }
  /* A read emptied the buffer without data (a zero-byte write), or a stale read made way. */
  pipe__start_read(pipe);
  pipe__report(pipe, events, count);
}

void pipe_cancel(sys_pipe *pipe, bool writes) {
  if (pipe->handle == INVALID_HANDLE_VALUE) return;
  if (pipe->read_op.pending) CancelIoEx(pipe->handle, &pipe->read_op.ov);
  if (pipe->connect_op.pending) CancelIoEx(pipe->handle, &pipe->connect_op.ov);
  if (writes && pipe->write_op.pending) CancelIoEx(pipe->handle, &pipe->write_op.ov);
}

/* ---- sys.h: creation and release ---- */

/* UTF-8 to UTF-16; false for invalid UTF-8 or a name too long. */
static bool pipe__wide_name(const char *name, WCHAR *out) {
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, -1, out, PIPE_NAME_MAX + 1);
  return n > 0;
}

static int32_t pipe__new(HANDLE handle, bool server, DWORD buffer_size, sys_pipe **out) {
  sys_pipe *pipe = calloc(1, sizeof *pipe);
  uint8_t *buf = malloc(buffer_size);
  if (pipe == NULL || buf == NULL) {
    free(pipe);
    free(buf);
    CloseHandle(handle);
    return error_set(MIOW_ENOMEM);
  }
  pipe->handle = handle;
  pipe->server = server;
  pipe->connected = !server;
  pipe->read_buf = buf;
  pipe->read_size = buffer_size;
  list_init(&pipe->pipe_node);
  list_init(&pipe->update_node);
  pipe__op_init(pipe, &pipe->read_op, PIPE_OP_READ);
  pipe__op_init(pipe, &pipe->write_op, PIPE_OP_WRITE);
  pipe__op_init(pipe, &pipe->connect_op, PIPE_OP_CONNECT);
  pipe__op_init(pipe, &pipe->notify_op, PIPE_OP_NOTIFY);
  *out = pipe;
  return 0;
}

static int32_t pipe__fail_os(DWORD error) {
  return error_set_os(sys_error_code((int32_t)error), (int32_t)error);
}

int32_t sys_pipe_create(const char *name, uint32_t buffer_size, uint32_t max_instances,
                        bool first_instance, sys_pipe **out) {
  WCHAR wide[PIPE_NAME_MAX + 1];
  if (!pipe__wide_name(name, wide)) return error_set(MIOW_EINVAL);
  DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
  if (first_instance) open_mode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
  DWORD pipe_mode = PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;
  DWORD instances = max_instances == 0 ? PIPE_UNLIMITED_INSTANCES : max_instances;
  HANDLE h = CreateNamedPipeW(wide, open_mode, pipe_mode, instances, buffer_size, buffer_size, 0,
                              NULL);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD error = GetLastError();
    /* The first-instance flag makes an existing name ACCESS_DENIED (so does a server of another
     * user's); a name whose instance limit is reached is PIPE_BUSY, which for a first instance
     * also means that the name exists. The first instance's limit holds for the name. */
    if (error == ERROR_ACCESS_DENIED || (error == ERROR_PIPE_BUSY && first_instance))
      return error_set_os(MIOW_EADDRINUSE, (int32_t)error);
    if (error == ERROR_PIPE_BUSY) return error_set_os(MIOW_EPIPEBUSY, (int32_t)error);
    if (error == ERROR_INVALID_NAME) return error_set_os(MIOW_EINVAL, (int32_t)error);
    return pipe__fail_os(error);
  }
  return pipe__new(h, true, buffer_size, out);
}

int32_t sys_pipe_open(const char *name, sys_pipe **out) {
  WCHAR wide[PIPE_NAME_MAX + 1];
  if (!pipe__wide_name(name, wide)) return error_set(MIOW_EINVAL);
  /* SECURITY_IDENTIFICATION: the server may learn who we are, not act as us. */
  HANDLE h = CreateFileW(wide, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                         NULL);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD error = GetLastError();
    if (error == ERROR_INVALID_NAME || error == ERROR_BAD_PATHNAME)
      return error_set_os(MIOW_EINVAL, (int32_t)error);
    return pipe__fail_os(error);
  }
  return pipe__new(h, false, MIOW_PIPE_BUFFER_SIZE, out);
}

int32_t sys_pipe_adopt(miow_socket_t value, sys_pipe **out, bool *server) {
  HANDLE h = (HANDLE)(uintptr_t)value;
  DWORD flags = 0, in_size = 0;
  if (!GetNamedPipeInfo(h, &flags, NULL, &in_size, NULL)) {
    DWORD error = GetLastError();
    return error_set_os(MIOW_EINVAL, (int32_t)error);
  }
  /* The pipe's I/O is overlapped: a handle opened for synchronous I/O would block the calls. */
  IO_STATUS_BLOCK iosb;
  ULONG mode = 0;
  NTSTATUS status = nt.query_information_file(h, &iosb, &mode, sizeof mode, NT_FILE_MODE_INFORMATION);
  if (!NT_SUCCESS(status))
    return error_set_os(MIOW_EINVAL, (int32_t)nt.status_to_dos_error(status));
  if (mode & (NT_FILE_SYNCHRONOUS_IO_ALERT | NT_FILE_SYNCHRONOUS_IO_NONALERT))
    return error_set_os(MIOW_EINVAL, ERROR_INVALID_PARAMETER);
  *server = (flags & PIPE_SERVER_END) != 0;
  /* A server end starts "not connected": miow_pipe_connect() finds a client already there
   * (ERROR_PIPE_CONNECTED) and returns 0. */
  DWORD size = in_size != 0 && in_size <= MIOW_PIPE_WRITE_MAX ? in_size : MIOW_PIPE_BUFFER_SIZE;
  sys_pipe *pipe;
  int32_t rc = pipe__new(h, *server, size, &pipe);
  if (rc != 0) return rc;
  *out = pipe;
  return 0;
}

/* Waits for a cancelled operation's completion to be queued, so that it reaches the port
 * before the handle leaves it; true if it had transferred bytes all the same. */
static bool pipe__settle(sys_pipe *pipe, pipe_op *op) {
  if (!op->pending) return false;
  DWORD bytes = 0;
  (void)GetOverlappedResult(pipe->handle, &op->ov, &bytes, TRUE);
  return bytes > 0;
}

int32_t sys_pipe_release(sys_pipe *pipe, miow_socket_t *out) {
  *out = (miow_socket_t)(uintptr_t)pipe->handle;
  if (pipe->sel == NULL) {
    /* Never tied to a port: nothing is outstanding. */
    pipe->handle = INVALID_HANDLE_VALUE;
    pipe__destroy(pipe);
    return 0;
  }
  sys_selector *sel = pipe->sel;
  AcquireSRWLockExclusive(&sel->lock);
  int32_t rc = 0;
  /* Bytes read ahead or still being written would be lost to the host. */
  if (pipe->write_op.pending || pipe->read_end > pipe->read_start) rc = error_set(MIOW_EBUSY);
  if (rc == 0) {
    pipe_cancel(pipe, false);
    bool read_data = pipe__settle(pipe, &pipe->read_op);
    (void)pipe__settle(pipe, &pipe->connect_op);
    if (read_data) {
      /* The read won the race with its cancel: its bytes come with its completion, which the
       * next poll consumes as usual. */
      rc = error_set(MIOW_EBUSY);
    }
  }
  if (rc == 0) {
    /* A handle stays on its port for life, but for this (Windows 8.1 and later): the host's
     * own overlapped I/O must not complete onto our port. */
    IO_STATUS_BLOCK iosb;
    nt_file_completion_information none = {NULL, NULL};
    NTSTATUS status = nt.set_information_file(pipe->handle, &iosb, &none, sizeof none,
                                              NT_FILE_REPLACE_COMPLETION_INFORMATION);
    if (!NT_SUCCESS(status)) {
      /* As it was: the cancelled read and connect come back ABORTED through the port, and
       * pipe_feed issues them again. */
      rc = error_set_os(MIOW_ENOTSUP, (int32_t)nt.status_to_dos_error(status));
      pipe->release_undone = true;
    }
  }
  if (rc == 0) {
    pipe->freed = true;
    pipe->registered = false;
    if (list_is_linked(&pipe->update_node)) list_remove(&pipe->update_node);
    pipe->connect_wanted = false;
    pipe->handle = INVALID_HANDLE_VALUE;
    /* Completions already queued are absorbed by the poll that dequeues them. */
    if (pipe->outstanding == 0) pipe__destroy(pipe);
  }
  ReleaseSRWLockExclusive(&sel->lock);
  return rc;
}

void sys_pipe_free(sys_pipe *pipe) {
  if (pipe->sel == NULL) {
    pipe__destroy(pipe);
    return;
  }
  sys_selector *sel = pipe->sel;
  AcquireSRWLockExclusive(&sel->lock);
  pipe->freed = true;
  pipe->registered = false;
  if (list_is_linked(&pipe->update_node)) list_remove(&pipe->update_node);
  pipe->connect_wanted = false;
  /* The write is left to finish so that the bytes reported written reach the peer. Without
   * one the handle is closed now, so the peer sees the end at once rather than when this
   * selector next polls; the cancelled operations still come back to their OVERLAPPEDs. */
  pipe_cancel(pipe, false);
  if (!pipe->write_op.pending) {
    CloseHandle(pipe->handle);
    pipe->handle = INVALID_HANDLE_VALUE;
  }
  if (pipe->outstanding == 0) pipe__destroy(pipe);
  ReleaseSRWLockExclusive(&sel->lock);
}

miow_socket_t sys_pipe_handle(sys_pipe *pipe) { return (miow_socket_t)pipe->handle; }

/* ---- sys.h: registration ---- */

int32_t sys_pipe_register(sys_pipe *pipe, sys_selector *sel, uint64_t token, uint32_t interests) {
  if (pipe->sel != NULL && pipe->sel != sel) return error_set(MIOW_ENOTSUP);
  AcquireSRWLockExclusive(&sel->lock);
  int32_t rc = sel->closed ? error_set(MIOW_ECLOSED) : 0;
  if (rc == 0 && pipe->sel == NULL) {
    /* Tied under the lock that saw the selector open, so a concurrent free of the selector
     * cannot come between: the API layer takes its reference before this lock is released. */
    if (CreateIoCompletionPort(pipe->handle, sel->iocp, KEY_PIPE, 0) == NULL) {
      rc = error_set_os(MIOW_EOS, (int32_t)GetLastError());
    } else {
      pipe->sel = sel;
      list_push_back(&sel->pipes, &pipe->pipe_node);
      if (pipe->connected) pipe__start_read(pipe); /* a client end reads from the start */
    }
  }
  if (rc == 0) {
    pipe->registered = true;
    pipe->token = token;
    pipe->interests = interests;
    pipe->armed = interests & INTEREST_BITS;
    pipe__notify(pipe);
  }
  ReleaseSRWLockExclusive(&sel->lock);
  return rc;
}

int32_t sys_pipe_reregister(sys_pipe *pipe, uint64_t token, uint32_t interests) {
  pipe__lock(pipe);
  pipe->token = token;
  pipe->interests = interests;
  pipe->armed = interests & INTEREST_BITS;
  pipe__notify(pipe);
  pipe__unlock(pipe);
  return 0;
}

int32_t sys_pipe_rearm(sys_pipe *pipe, uint32_t bits) {
  pipe__lock(pipe);
  uint32_t armed = pipe->armed | (bits & pipe->interests & INTEREST_BITS);
  /* As for sockets, arming what is armed reports nothing new. */
  if (armed != pipe->armed) {
    pipe->armed = armed;
    pipe__notify(pipe);
  }
  pipe__unlock(pipe);
  return 0;
}

void sys_pipe_deregister(sys_pipe *pipe) {
  pipe__lock(pipe);
  pipe->registered = false;
  if (list_is_linked(&pipe->update_node)) list_remove(&pipe->update_node);
  pipe__unlock(pipe);
}

/* ---- sys.h: connection ---- */

/* Starts a connect. Returns 0 (a client is there), ERROR_IO_PENDING (outstanding) or the
 * error, which is also kept for sys_pipe_take_error when no caller sees it. Records nothing for
 * the thread: a poll re-issues deferred connects, and a successful poll must leave
 * miow_last_os_error() as it was (errors.h). */
static DWORD pipe__issue_connect(sys_pipe *pipe) {
  pipe->connect_error = 0;
  pipe__op_reset(&pipe->connect_op);
  DWORD error =
      ConnectNamedPipe(pipe->handle, &pipe->connect_op.ov) ? ERROR_IO_PENDING : GetLastError();
  if (error == ERROR_IO_PENDING) {
    /* Also for a synchronous success: its packet is queued all the same. */
    pipe__issued(pipe, &pipe->connect_op);
    return ERROR_IO_PENDING;
  }
  if (error == ERROR_PIPE_CONNECTED || error == ERROR_NO_DATA) {
    /* NO_DATA: the client came and already closed; its end of stream is what reads see. */
    pipe__connected(pipe);
    pipe__notify(pipe);
    return 0;
  }
  pipe->connect_error = error;
  return error;
}

int32_t sys_pipe_connect(sys_pipe *pipe) {
  pipe__lock(pipe);
  int32_t rc = 0;
  if (pipe->connected) {
    rc = 0;
  } else if (pipe->connect_op.pending) {
    /* The previous client's connect, from before a disconnect, still has to come back: the
     * new one is issued then. */
    if (pipe->connect_op.generation != pipe->generation) pipe->connect_wanted = true;
    rc = error_set(MIOW_EWOULDBLOCK);
  } else {
    DWORD error = pipe__issue_connect(pipe);
    if (error == ERROR_IO_PENDING)
      rc = error_set(MIOW_EWOULDBLOCK);
    else if (error != 0)
      rc = pipe__fail_os(error);
  }
  pipe__unlock(pipe);
  return rc;
}

int32_t sys_pipe_disconnect(sys_pipe *pipe) {
  pipe__lock(pipe);
  int32_t rc = 0;
  if (!DisconnectNamedPipe(pipe->handle)) {
    DWORD error = GetLastError();
    /* No client, or none yet (a connect outstanding): there is nothing to drop but that. */
    if (error != ERROR_PIPE_NOT_CONNECTED && error != ERROR_PIPE_LISTENING)
      rc = pipe__fail_os(error);
  }
  if (rc == 0) {
    if (pipe->connect_op.pending) CancelIoEx(pipe->handle, &pipe->connect_op.ov);
    pipe->connect_wanted = false;
    /* Outstanding operations fail now; their completions are stale and absorbed. */
    pipe->generation++;
    pipe->connected = false;
    pipe->read_start = pipe->read_end = 0;
    pipe->read_eof = false;
    pipe->read_error = 0;
    pipe->write_error = 0;
    pipe->connect_error = 0;
  }
  pipe__unlock(pipe);
  return rc;
}

int32_t sys_pipe_take_error(sys_pipe *pipe, int32_t *os_error) {
  pipe__lock(pipe);
  *os_error = (int32_t)pipe->connect_error;
  pipe->connect_error = 0;
  pipe__unlock(pipe);
  return 0;
}

/* ---- sys.h: I/O ---- */

/* Copies buffered bytes into `buffers`; returns how many. */
static size_t pipe__copy_out(const sys_pipe *pipe, const miow_buffer *buffers, size_t count) {
  size_t copied = 0;
  DWORD at = pipe->read_start;
  for (size_t i = 0; i < count && at < pipe->read_end; i++) {
    size_t room = buffers[i].length < (uint64_t)SIZE_MAX ? (size_t)buffers[i].length : SIZE_MAX;
    size_t n = pipe->read_end - at < room ? pipe->read_end - at : room;
    memcpy(buffers[i].data, pipe->read_buf + at, n);
    at += (DWORD)n;
    copied += n;
  }
  return copied;
}

int32_t sys_pipe_read(sys_pipe *pipe, const miow_buffer *buffers, size_t count, uint32_t flags,
                      size_t *received) {
  pipe__lock(pipe);
  int32_t rc = 0;
  if (pipe->read_end > pipe->read_start) {
    size_t n = pipe__copy_out(pipe, buffers, count);
    if (!(flags & SYS_RECV_PEEK)) {
      pipe->read_start += (DWORD)n;
      pipe__start_read(pipe);
    }
    *received = n;
  } else if (pipe->read_eof) {
    *received = 0;
  } else if (pipe->read_error != 0) {
    DWORD error = pipe->read_error;
    if (!(flags & SYS_RECV_PEEK)) {
      pipe->read_error = 0;
      pipe__start_read(pipe);
    }
    rc = pipe__fail_os(error);
  } else if (pipe->connected || pipe->connect_op.pending) {
    pipe__start_read(pipe);
    rc = error_set(MIOW_EWOULDBLOCK);
  } else {
    rc = error_set(MIOW_ENOTCONN);
  }
  pipe__unlock(pipe);
  return rc;
}

/* Gathers up to MIOW_PIPE_WRITE_MAX bytes of `buffers` into the write buffer. */
static bool pipe__gather(sys_pipe *pipe, const miow_buffer *buffers, size_t count, size_t *len) {
  size_t total = 0;
  for (size_t i = 0; i < count && total < MIOW_PIPE_WRITE_MAX; i++) {
    uint64_t room = MIOW_PIPE_WRITE_MAX - total;
    total += (size_t)(buffers[i].length < room ? buffers[i].length : room);
  }
  if (total > pipe->write_size) {
    uint8_t *buf = realloc(pipe->write_buf, total);
    if (buf == NULL) return false;
    pipe->write_buf = buf;
    pipe->write_size = total;
  }
  size_t at = 0;
  for (size_t i = 0; i < count && at < total; i++) {
    size_t n = (size_t)(buffers[i].length < total - at ? buffers[i].length : total - at);
    memcpy(pipe->write_buf + at, buffers[i].data, n);
    at += n;
  }
  *len = total;
  return true;
}

int32_t sys_pipe_write(sys_pipe *pipe, const miow_buffer *buffers, size_t count, size_t *sent) {
  pipe__lock(pipe);
  int32_t rc = 0;
  size_t len = 0;
  if (pipe->write_error != 0) {
    DWORD error = pipe->write_error;
    pipe->write_error = 0;
    rc = pipe__fail_os(error);
  } else if (!pipe->connected) {
    rc = error_set(pipe->connect_op.pending ? MIOW_EWOULDBLOCK : MIOW_ENOTCONN);
  } else if (pipe->write_op.pending) {
    rc = error_set(MIOW_EWOULDBLOCK);
  } else if (!pipe__gather(pipe, buffers, count, &len)) {
    rc = error_set(MIOW_ENOMEM);
  } else {
    pipe__op_reset(&pipe->write_op);
    DWORD error = WriteFile(pipe->handle, pipe->write_buf, (DWORD)len, NULL, &pipe->write_op.ov)
                      ? ERROR_IO_PENDING
                      : GetLastError();
    if (error == ERROR_IO_PENDING) {
      pipe__issued(pipe, &pipe->write_op);
      *sent = len;
    } else {
      rc = pipe__fail_os(error);
    }
  }
  pipe__unlock(pipe);
  return rc;
}

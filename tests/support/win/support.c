/* The tests' platform layer on Windows: Winsock sockets, Win32 threads and clocks, and the
 * handle-leak probe. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdlib.h>
#include <string.h>

#include "support.h"

void support_init(void) {
  WSADATA wsa;
  assert_int_equal(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
}

static void support__nonblocking(SOCKET s) {
  u_long on = 1;
  assert_int_equal(ioctlsocket(s, FIONBIO, &on), 0);
}

static struct sockaddr_in support__loopback(uint16_t port) {
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

static uint16_t support__local_port(SOCKET s) {
  struct sockaddr_in addr;
  int len = sizeof addr;
  assert_int_equal(getsockname(s, (struct sockaddr *)&addr, &len), 0);
  return ntohs(addr.sin_port);
}

miow_socket_t support_listener(uint16_t *port) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  assert_true(s != INVALID_SOCKET);
  struct sockaddr_in addr = support__loopback(0);
  assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(listen(s, SOMAXCONN), 0);
  support__nonblocking(s);
  *port = support__local_port(s);
  return (miow_socket_t)s;
}

miow_socket_t support_connect_start(uint16_t port) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  assert_true(s != INVALID_SOCKET);
  support__nonblocking(s);
  struct sockaddr_in addr = support__loopback(port);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0)
    assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
  return (miow_socket_t)s;
}

miow_socket_t support_accept(miow_socket_t listener) {
  for (int i = 0; i < 500; i++) {
    SOCKET s = accept((SOCKET)listener, NULL, NULL);
    if (s != INVALID_SOCKET) {
      support__nonblocking(s);
      return (miow_socket_t)s;
    }
    assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
    Sleep(10);
  }
  fail_msg("accept found no connection");
  return 0;
}

void support_tcp_pair(miow_socket_t *client, miow_socket_t *server) {
  uint16_t port;
  miow_socket_t listener = support_listener(&port);
  *client = support_connect_start(port);
  *server = support_accept(listener);
  support_close(listener);
  /* Wait for the client's side of the handshake so the pair is fully connected. */
  for (int i = 0; i < 500; i++) {
    fd_set writable;
    FD_ZERO(&writable);
    FD_SET((SOCKET)*client, &writable);
    struct timeval tv = {0, 10000};
    if (select(0, NULL, &writable, NULL, &tv) == 1) return;
  }
  fail_msg("client never connected");
}

uint16_t support_unused_port(void) {
  uint16_t port;
  miow_socket_t s = support_listener(&port);
  support_close(s);
  return port;
}

miow_socket_t support_udp_socket(uint16_t *port) {
  SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  assert_true(s != INVALID_SOCKET);
  struct sockaddr_in addr = support__loopback(0);
  assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof addr), 0);
  support__nonblocking(s);
  *port = support__local_port(s);
  return (miow_socket_t)s;
}

void support_udp_send(miow_socket_t s, uint16_t port, const void *data, size_t len) {
  struct sockaddr_in addr = support__loopback(port);
  assert_int_equal(sendto((SOCKET)s, data, (int)len, 0, (struct sockaddr *)&addr, sizeof addr),
                   (int)len);
}

int support_send(miow_socket_t s, const void *data, size_t len) {
  return send((SOCKET)s, data, (int)len, 0);
}

int support_send_oob(miow_socket_t s, char byte) { return send((SOCKET)s, &byte, 1, MSG_OOB); }

static int support__recv(miow_socket_t s, void *buf, size_t len, int flags) {
  int n = recv((SOCKET)s, buf, (int)len, flags);
  if (n >= 0) return n;
  assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
  return -1;
}

int support_recv(miow_socket_t s, void *buf, size_t len) { return support__recv(s, buf, len, 0); }

int support_recv_oob(miow_socket_t s, void *buf, size_t len) {
  return support__recv(s, buf, len, MSG_OOB);
}

int support_try_recv(miow_socket_t s, void *buf, size_t len) {
  int n = recv((SOCKET)s, buf, (int)len, 0);
  return n >= 0 ? n : -1;
}

void support_shutdown_write(miow_socket_t s) { assert_int_equal(shutdown((SOCKET)s, SD_SEND), 0); }

void support_close_reset(miow_socket_t s) {
  struct linger lin = {1, 0};
  assert_int_equal(setsockopt((SOCKET)s, SOL_SOCKET, SO_LINGER, (char *)&lin, sizeof lin), 0);
  support_close(s);
}

void support_close(miow_socket_t s) { assert_int_equal(closesocket((SOCKET)s), 0); }

miow_socket_t support_dup_socket(miow_socket_t s) {
  WSAPROTOCOL_INFOW info;
  assert_int_equal(WSADuplicateSocketW((SOCKET)s, GetCurrentProcessId(), &info), 0);
  SOCKET dup = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                          WSA_FLAG_OVERLAPPED);
  assert_true(dup != INVALID_SOCKET);
  return (miow_socket_t)dup;
}

int32_t support_socket_error(miow_socket_t s) {
  int error = 0;
  int len = sizeof error;
  assert_int_equal(getsockopt((SOCKET)s, SOL_SOCKET, SO_ERROR, (char *)&error, &len), 0);
  return error;
}

size_t support_send_until_full(miow_socket_t s) {
  static char chunk[65536];
  size_t total = 0;
  for (;;) {
    int n = send((SOCKET)s, chunk, (int)sizeof chunk, 0);
    if (n == SOCKET_ERROR) {
      assert_int_equal(WSAGetLastError(), WSAEWOULDBLOCK);
      return total;
    }
    total += (size_t)n;
  }
}

/* Windows has no per-process limit on sockets short of memory. */
uint64_t support_raise_socket_limit(uint64_t wanted) { return wanted; }

miow_socket_t support_non_socket(void) {
  HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
  assert_non_null(event);
  return (miow_socket_t)event;
}

void support_close_non_socket(miow_socket_t h) { CloseHandle((HANDLE)h); }

int32_t support_os_error(int32_t code) {
  switch (code) {
    case MIOW_EINVAL: return ERROR_INVALID_PARAMETER;
    case MIOW_EBADHANDLE: return ERROR_INVALID_HANDLE;
    case MIOW_ENOMEM: return ERROR_NOT_ENOUGH_MEMORY;
    case MIOW_EEXIST: return ERROR_ALREADY_EXISTS;
    case MIOW_ENOENT: return ERROR_NOT_FOUND;
    case MIOW_EBUSY: return ERROR_BUSY;
    case MIOW_ENOTSOCK: return WSAENOTSOCK;
    case MIOW_ECLOSED: return ERROR_OPERATION_ABORTED;
    case MIOW_ENOTSUP: return ERROR_NOT_SUPPORTED;
    default: fail_msg("no documented OS error for %d", (int)code); return 0;
  }
}

int32_t support_thread_last_error(void) { return (int32_t)GetLastError(); }

/* GetProcessHandleCount is the honest measure on Windows, but Wine 8 always reports 0 from it,
 * which would make a leak test unable to fail. There the handles are counted instead by asking
 * GetHandleInformation about every handle value in a range far above what the tests use.
 * (Probing the value of one fresh handle is not enough: a leaked handle above the lowest free
 * slot does not move it.) */
uint64_t support_handle_probe(void) {
  DWORD count = 0;
  if (GetProcessHandleCount(GetCurrentProcess(), &count) && count > 0) return count;
  uint64_t valid = 0;
  for (uintptr_t value = 4; value < 0x20000; value += 4) {
    DWORD flags;
    if (GetHandleInformation((HANDLE)value, &flags)) valid++;
  }
  return valid;
}

uint64_t support_lowest_free_handle(void) {
  HANDLE h = CreateEventW(NULL, FALSE, FALSE, NULL);
  assert_non_null(h);
  CloseHandle(h);
  return (uint64_t)(uintptr_t)h;
}

struct support_thread {
  HANDLE handle;
  void (*fn)(void *);
  void *arg;
};

static DWORD WINAPI support__thread_main(LPVOID param) {
  support_thread *t = param;
  t->fn(t->arg);
  return 0;
}

support_thread *support_thread_start(void (*fn)(void *), void *arg) {
  support_thread *t = calloc(1, sizeof *t);
  assert_non_null(t);
  t->fn = fn;
  t->arg = arg;
  t->handle = CreateThread(NULL, 0, support__thread_main, t, 0, NULL);
  assert_non_null(t->handle);
  return t;
}

void support_thread_join(support_thread *t) {
  assert_int_equal(WaitForSingleObject(t->handle, 60000), WAIT_OBJECT_0);
  CloseHandle(t->handle);
  free(t);
}

void support_sleep_ms(uint32_t ms) { Sleep(ms); }

double support_now_ms(void) {
  static LARGE_INTEGER frequency;
  if (frequency.QuadPart == 0) QueryPerformanceFrequency(&frequency);
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return (double)now.QuadPart * 1000.0 / (double)frequency.QuadPart;
}

double support_cpu_ms(void) {
  FILETIME created, exited, kernel, user;
  assert_true(GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user));
  ULARGE_INTEGER k = {.LowPart = kernel.dwLowDateTime, .HighPart = kernel.dwHighDateTime};
  ULARGE_INTEGER u = {.LowPart = user.dwLowDateTime, .HighPart = user.dwHighDateTime};
  return (double)(k.QuadPart + u.QuadPart) / 10000.0; /* 100 ns units */
}

unsigned long support_process_id(void) { return (unsigned long)GetCurrentProcessId(); }

miow_socket_t support_signal_new(void) {
  HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
  assert_non_null(event);
  return (miow_socket_t)event;
}

void support_signal_set(miow_socket_t signal) { assert_true(SetEvent((HANDLE)signal)); }

void support_signal_reset(miow_socket_t signal) { assert_true(ResetEvent((HANDLE)signal)); }

void support_signal_close(miow_socket_t signal) { assert_true(CloseHandle((HANDLE)signal)); }

miow_socket_t support_closed_value(void) {
  miow_socket_t value = support_signal_new();
  support_signal_close(value);
  return value;
}

bool support_is_wine(void) {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

void support_set_blocking(miow_socket_t s) {
  u_long off = 0;
  assert_int_equal(ioctlsocket((SOCKET)s, FIONBIO, &off), 0);
}

static void pipe_wide(const char *name, WCHAR *out, int size) {
  assert_true(MultiByteToWideChar(CP_UTF8, 0, name, -1, out, size) > 0);
}

miow_socket_t support_pipe_server_handle(const char *name, bool overlapped) {
  WCHAR wide[300];
  pipe_wide(name, wide, 300);
  DWORD mode = PIPE_ACCESS_DUPLEX | (overlapped ? FILE_FLAG_OVERLAPPED : 0);
  HANDLE h = CreateNamedPipeW(wide, mode, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                              PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  return (miow_socket_t)h;
}

miow_socket_t support_pipe_client_handle(const char *name) {
  WCHAR wide[300];
  pipe_wide(name, wide, 300);
  HANDLE h = CreateFileW(wide, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         FILE_FLAG_OVERLAPPED, NULL);
  assert_true(h != INVALID_HANDLE_VALUE);
  return (miow_socket_t)h;
}

void support_pipe_close(miow_socket_t h) { CloseHandle((HANDLE)h); }

/* One overlapped transfer on a handle, waited for on an event of its own (the low bit set on
 * the event keeps it off any completion port). */
static DWORD pipe_transfer(miow_socket_t h, void *buf, DWORD len, bool write) {
  OVERLAPPED ov;
  memset(&ov, 0, sizeof ov);
  HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
  assert_non_null(ev);
  ov.hEvent = (HANDLE)((uintptr_t)ev | 1);
  BOOL ok = write ? WriteFile((HANDLE)h, buf, len, NULL, &ov) : ReadFile((HANDLE)h, buf, len, NULL, &ov);
  if (!ok) assert_int_equal(GetLastError(), ERROR_IO_PENDING);
  assert_int_equal(WaitForSingleObject(ev, 10000), WAIT_OBJECT_0);
  DWORD done = 0;
  assert_true(GetOverlappedResult((HANDLE)h, &ov, &done, FALSE));
  CloseHandle(ev);
  return done;
}

void support_pipe_write(miow_socket_t h, const void *data, size_t len) {
  size_t at = 0;
  while (at < len) at += pipe_transfer(h, (char *)data + at, (DWORD)(len - at), true);
}

void support_pipe_read(miow_socket_t h, void *buf, size_t len) {
  size_t at = 0;
  while (at < len) {
    DWORD n = pipe_transfer(h, (char *)buf + at, (DWORD)(len - at), false);
    assert_true(n > 0);
    at += n;
  }
}

/* The echo demo's platform layer for Windows: Winsock 2, Win32 threads, GetTickCount64.
 * See demo_platform.h for what each call promises. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600 /* GetTickCount64 */
#endif

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdlib.h>
#include <string.h>

#include "../demo_platform.h"

/* A SOCKET is a UINT_PTR, and INVALID_SOCKET is ~0: both pass through miow_socket_t as is. */
_Static_assert(sizeof(SOCKET) == sizeof(miow_socket_t), "SOCKET must fit miow_socket_t");
_Static_assert(INVALID_SOCKET == DEMO_INVALID_SOCKET, "INVALID_SOCKET must map to itself");

static SOCKET sock_of(miow_socket_t s) { return (SOCKET)s; }

static struct sockaddr_in loopback(uint16_t port) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

int demo_net_init(void) {
  WSADATA wsa;
  return WSAStartup(MAKEWORD(2, 2), &wsa) == 0 ? 0 : -1;
}

void demo_net_cleanup(void) { WSACleanup(); }

miow_socket_t demo_tcp_socket(void) {
  return (miow_socket_t)socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
}

int demo_set_nonblocking(miow_socket_t s) {
  u_long on = 1;
  return ioctlsocket(sock_of(s), FIONBIO, &on) == 0 ? 0 : -1;
}

int demo_listen_loopback(miow_socket_t s, uint16_t *port) {
  struct sockaddr_in addr = loopback(0); /* port 0: any free port */
  int len = (int)sizeof addr;
  if (bind(sock_of(s), (struct sockaddr *)&addr, len) != 0) return -1;
  if (listen(sock_of(s), SOMAXCONN) != 0) return -1;
  if (getsockname(sock_of(s), (struct sockaddr *)&addr, &len) != 0) return -1;
  *port = ntohs(addr.sin_port);
  return 0;
}

int demo_connect_loopback(miow_socket_t s, uint16_t port) {
  struct sockaddr_in addr = loopback(port);
  return connect(sock_of(s), (struct sockaddr *)&addr, (int)sizeof addr) == 0 ? 0 : -1;
}

miow_socket_t demo_accept(miow_socket_t listener) {
  return (miow_socket_t)accept(sock_of(listener), NULL, NULL);
}

int demo_recv(miow_socket_t s, void *buf, int len) {
  int n = recv(sock_of(s), buf, len, 0);
  return n == SOCKET_ERROR ? -1 : n;
}

int demo_send(miow_socket_t s, const void *buf, int len) {
  int n = send(sock_of(s), buf, len, 0);
  return n == SOCKET_ERROR ? -1 : n;
}

int demo_shutdown_send(miow_socket_t s) { return shutdown(sock_of(s), SD_SEND) == 0 ? 0 : -1; }

int demo_socket_error(miow_socket_t s, int *err) {
  int len = (int)sizeof *err;
  return getsockopt(sock_of(s), SOL_SOCKET, SO_ERROR, (char *)err, &len) == 0 ? 0 : -1;
}

void demo_close_socket(miow_socket_t s) { closesocket(sock_of(s)); }

int demo_last_socket_error(void) { return WSAGetLastError(); }

/* A non-blocking connect in progress also fails with WSAEWOULDBLOCK on Windows. */
int demo_would_block(int err) { return err == WSAEWOULDBLOCK; }

/* ---- threads and time ---------------------------------------------------------------------- */

struct demo_thread {
  HANDLE handle;
  int (*fn)(void *arg);
  void *arg;
};

static DWORD WINAPI thread_main(LPVOID param) {
  demo_thread *t = param;
  return (DWORD)t->fn(t->arg);
}

demo_thread *demo_thread_start(int (*fn)(void *arg), void *arg) {
  demo_thread *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->fn = fn;
  t->arg = arg;
  t->handle = CreateThread(NULL, 0, thread_main, t, 0, NULL);
  if (t->handle == NULL) {
    free(t);
    return NULL;
  }
  return t;
}

int demo_thread_join(demo_thread *t, uint32_t timeout_ms, int *result) {
  if (WaitForSingleObject(t->handle, timeout_ms) != WAIT_OBJECT_0) return -1;
  DWORD code = 1;
  if (!GetExitCodeThread(t->handle, &code)) code = 1;
  CloseHandle(t->handle);
  free(t);
  *result = (int)code;
  return 0;
}

uint64_t demo_monotonic_ms(void) { return GetTickCount64(); }

void demo_sleep_ms(uint32_t ms) { Sleep(ms); }

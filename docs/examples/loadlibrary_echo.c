/* A host that does not link miowin at all: it loads miowin.dll at run time with LoadLibrary,
 * resolves the calls it needs with GetProcAddress, and runs a small TCP echo over loopback.
 * This is how a C or C++ program picks the library up without an import library. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include "miowin.h"

/* The calls this host uses, resolved by name; the header supplies the types. */
static struct {
  uint32_t(MIOW_CALL *version)(void);
  const char *(MIOW_CALL *strerror)(int32_t);
  int32_t(MIOW_CALL *selector_new)(miow_selector **);
  int32_t(MIOW_CALL *selector_free)(miow_selector *);
  int32_t(MIOW_CALL *selector_poll)(miow_selector *, miow_event *, size_t, size_t *, int64_t);
  int32_t(MIOW_CALL *source_new)(miow_source **, miow_socket_t);
  int32_t(MIOW_CALL *source_free)(miow_source *);
  int32_t(MIOW_CALL *source_register)(miow_source *, miow_selector *, uint64_t, uint32_t);
} miow;

static int load(HMODULE dll) {
  struct {
    const char *name;
    void **slot;
  } calls[] = {
      {"miow_version", (void **)&miow.version},
      {"miow_strerror", (void **)&miow.strerror},
      {"miow_selector_new", (void **)&miow.selector_new},
      {"miow_selector_free", (void **)&miow.selector_free},
      {"miow_selector_poll", (void **)&miow.selector_poll},
      {"miow_source_new", (void **)&miow.source_new},
      {"miow_source_free", (void **)&miow.source_free},
      {"miow_source_register", (void **)&miow.source_register},
  };
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    FARPROC proc = GetProcAddress(dll, calls[i].name);
    if (proc == NULL) {
      fprintf(stderr, "miowin.dll lacks %s\n", calls[i].name);
      return -1;
    }
    memcpy(calls[i].slot, &proc, sizeof proc);
  }
  /* A different major version is a different ABI. */
  return miow.version() >> 16 == MIOW_VERSION_MAJOR ? 0 : -1;
}

/* A connected pair of non-blocking sockets over loopback. */
static int tcp_pair(SOCKET *client, SOCKET *server) {
  struct sockaddr_in addr = {.sin_family = AF_INET};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof addr;
  SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  *client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr *)&addr, &len) != 0 ||
      connect(*client, (struct sockaddr *)&addr, sizeof addr) != 0)
    return -1;
  *server = accept(listener, NULL, NULL);
  closesocket(listener);
  u_long on = 1;
  ioctlsocket(*client, FIONBIO, &on);
  ioctlsocket(*server, FIONBIO, &on);
  return *server == INVALID_SOCKET ? -1 : 0;
}

enum { CLIENT = 1, SERVER = 2 };

int main(void) {
  HMODULE dll = LoadLibraryW(L"miowin.dll");
  if (dll == NULL || load(dll) != 0) {
    fprintf(stderr, "could not load miowin.dll (error %lu)\n", GetLastError());
    return 1;
  }
  WSADATA wsa;
  WSAStartup(MAKEWORD(2, 2), &wsa);
  SOCKET client, server;
  if (tcp_pair(&client, &server) != 0) return 1;

  miow_selector *sel;
  miow_source *client_src, *server_src;
  int32_t rc = miow.selector_new(&sel);
  if (rc == 0) rc = miow.source_new(&client_src, (miow_socket_t)client);
  if (rc == 0) rc = miow.source_new(&server_src, (miow_socket_t)server);
  if (rc == 0) rc = miow.source_register(client_src, sel, CLIENT, MIOW_READABLE);
  if (rc == 0) rc = miow.source_register(server_src, sel, SERVER, MIOW_READABLE);
  if (rc != 0) {
    fprintf(stderr, "miowin: %s\n", miow.strerror(rc));
    return 1;
  }

  const char message[] = "hello through LoadLibrary";
  send(client, message, (int)strlen(message), 0);
  char echoed[64] = {0};
  size_t got = 0;
  DWORD give_up = GetTickCount() + 10000;
  while (got < strlen(message) && GetTickCount() < give_up) {
    miow_event events[4];
    size_t count = 0;
    if (miow.selector_poll(sel, events, 4, &count, 1000) != 0) return 1;
    for (size_t i = 0; i < count; i++) {
      printf("event: token %llu readiness 0x%02x\n", (unsigned long long)events[i].token,
             (unsigned)events[i].readiness);
      char buf[64];
      if (events[i].token == SERVER) { /* echo back what the server received */
        int n = recv(server, buf, sizeof buf, 0);
        if (n > 0) send(server, buf, n, 0);
      } else {
        int n = recv(client, echoed + got, (int)(sizeof echoed - 1 - got), 0);
        if (n > 0) got += (size_t)n;
      }
    }
  }
  int ok = strcmp(echoed, message) == 0;
  printf("echoed: \"%s\"\n", echoed);
  miow.source_free(client_src);
  miow.source_free(server_src);
  miow.selector_free(sel);
  closesocket(client);
  closesocket(server);
  FreeLibrary(dll);
  puts(ok ? "loadlibrary echo: OK" : "loadlibrary echo: FAILED");
  return ok ? 0 : 1;
}

/* child_wait: one selector waits for a child process to exit and for the socket it talks on,
 * with no second thread and no WaitForMultipleObjects.
 *
 * The parent listens on 127.0.0.1, starts a child, and registers the child's process handle
 * (Windows) or pidfd (Linux; a pipe the child holds where there is no pidfd) as a waitable
 * source (miow_source_new_waitable) next to the listener and, once the child connects, the
 * accepted stream. The child connects, sends one
 * line, closes and exits with status 7. The parent reports each event and ends when it has read
 * the whole line, seen the end of the stream and seen the process exit, in whichever order
 * they came.
 *
 * Starting a child and reading its exit status are the only OS-specific parts (child_start()
 * and child_status()); everything else is the library's. Exit status 0 and a last line
 * "child wait: OK" on success; 1 and a reason on any failure. */
#if !defined(_WIN32)
#define _GNU_SOURCE /* syscall() */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miowin.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#define TOKEN_LISTENER 1
#define TOKEN_STREAM 2
#define TOKEN_CHILD 3
#define CHILD_STATUS 7
#define GREETING "hello from the child\n"
#define DEADLINE_MS 10000

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("child wait: FAILED: ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
  exit(1);
}

static void check(int32_t rc, const char *what) {
  if (rc != MIOW_OK)
    die("%s: %s (code %d, OS error %d)", what, miow_strerror(rc), (int)rc,
        (int)miow_last_os_error());
}

/* The child's side: connect to `address`, write the greeting, close. Blocking is fine here,
 * so it simply retries what would block. */
static int child_main(const char *address) {
  miow_source *stream = NULL;
  if (miow_tcp_connect(&stream, address) != MIOW_OK) return 1;
  size_t done = 0, length = strlen(GREETING);
  for (int tries = 0; done < length && tries < 1000; tries++) {
    size_t sent = 0;
    int32_t rc = miow_source_write(stream, GREETING + done, length - done, &sent);
    if (rc == MIOW_OK)
      done += sent;
    else if (rc == MIOW_EWOULDBLOCK || rc == MIOW_ENOTCONN) {
#if defined(_WIN32)
      Sleep(10);
#else
      usleep(10 * 1000);
#endif
    } else {
      return 1;
    }
  }
  miow_source_free(stream);
  return done == length ? CHILD_STATUS : 1;
}

/* ---- the OS-specific part: a child and a waitable value for it ---- */

#if defined(_WIN32)
typedef HANDLE child_t;

/* Runs this program again as "child_wait.exe child ADDRESS". */
static child_t child_start(const char *address, miow_socket_t *waitable) {
  char path[MAX_PATH], command[MAX_PATH + 128];
  DWORD n = GetModuleFileNameA(NULL, path, sizeof path);
  if (n == 0 || n >= sizeof path) die("GetModuleFileName failed");
  snprintf(command, sizeof command, "\"%s\" child %s", path, address);
  STARTUPINFOA si = {.cb = sizeof si};
  PROCESS_INFORMATION pi;
  if (!CreateProcessA(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    die("CreateProcess failed: %lu", (unsigned long)GetLastError());
  CloseHandle(pi.hThread);
  *waitable = (miow_socket_t)pi.hProcess;
  return pi.hProcess;
}

static int child_status(child_t child) {
  DWORD code = 0;
  if (!GetExitCodeProcess(child, &code)) die("GetExitCodeProcess failed");
  CloseHandle(child);
  return (int)code;
}
#else
typedef pid_t child_t;

static child_t child_start(const char *address, miow_socket_t *waitable) {
  /* Where there is no pidfd (kernels before 5.3, valgrind), the end of a pipe whose write end
   * only the child holds: it reads end-of-file once the child has exited. */
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) die("pipe2 failed");
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    close(fds[0]);
    _exit(child_main(address));
  }
  close(fds[1]);
  /* A pidfd becomes readable when the process exits: the Linux counterpart of a process
   * handle. */
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    close(fds[0]);
  } else {
    printf("parent: no pidfd here (%s), waiting on a pipe the child holds\n", strerror(errno));
    fd = fds[0];
  }
  *waitable = (miow_socket_t)fd;
  return pid;
}

static int child_status(child_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) die("waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
#endif

/* ---- the parent: one selector for all three ---- */

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "child") == 0) return child_main(argv[2]);

  miow_selector *sel = NULL;
  miow_source *listener = NULL, *stream = NULL, *process = NULL;
  check(miow_selector_new(&sel), "miow_selector_new");
  check(miow_tcp_listen(&listener, "127.0.0.1:0", 16), "miow_tcp_listen");
  char address[MIOW_ADDRESS_SIZE];
  check(miow_source_local_address(listener, address, sizeof address), "local address");
  check(miow_source_register(listener, sel, TOKEN_LISTENER, MIOW_READABLE), "register listener");

  miow_socket_t waitable = 0;
  child_t child = child_start(address, &waitable);
  check(miow_source_new_waitable(&process, waitable), "miow_source_new_waitable");
  check(miow_source_register(process, sel, TOKEN_CHILD, MIOW_READABLE | MIOW_ONESHOT),
        "register child");
  printf("parent: listening on %s, child started\n", address);

  char line[64];
  size_t got = 0;
  int stream_done = 0, child_done = 0;
  int rounds = 0;
  while (!(stream_done && child_done)) {
    miow_event events[8];
    size_t count = 0;
    check(miow_selector_poll(sel, events, 8, &count, 1000), "miow_selector_poll");
    if (count == 0 && ++rounds * 1000 > DEADLINE_MS) die("nothing happened for too long");
    for (size_t i = 0; i < count; i++) {
      switch (events[i].token) {
        case TOKEN_LISTENER: {
          if (stream != NULL) break;
          int32_t rc = miow_tcp_accept(listener, &stream, NULL, 0);
          if (rc == MIOW_EWOULDBLOCK) break;
          check(rc, "miow_tcp_accept");
          check(miow_source_register(stream, sel, TOKEN_STREAM, MIOW_READABLE), "register stream");
          printf("parent: the child connected\n");
          break;
        }
        case TOKEN_STREAM: {
          size_t n = 0;
          int32_t rc = miow_source_read(stream, line + got, sizeof line - 1 - got, &n);
          if (rc == MIOW_EWOULDBLOCK) break;
          check(rc, "miow_source_read");
          if (n == 0) {
            line[got] = '\0';
            printf("parent: the stream ended after \"%.*s\"\n", (int)strcspn(line, "\n"), line);
            check(miow_source_deregister(stream, sel), "deregister stream");
            stream_done = 1;
          }
          got += n;
          break;
        }
        case TOKEN_CHILD:
          printf("parent: the child process exited (readiness 0x%x)\n",
                 (unsigned)events[i].readiness);
          child_done = 1;
          break;
        default: die("unexpected token %llu", (unsigned long long)events[i].token);
      }
    }
  }
  int status = child_status(child);
  if (status != CHILD_STATUS) die("the child exited with %d, not %d", status, CHILD_STATUS);
  if (got != strlen(GREETING) || memcmp(line, GREETING, got) != 0) die("wrong greeting");
  /* The library never closes the waitable value: the process handle was closed by
   * child_status() on Windows; the pidfd (or pipe) is the program's to close on Linux. */
  check(miow_source_free(process), "free child source");
#if !defined(_WIN32)
  close((int)waitable);
#endif
  if (stream != NULL) check(miow_source_free(stream), "free stream");
  check(miow_source_free(listener), "free listener");
  check(miow_selector_free(sel), "miow_selector_free");
  printf("child status %d\nchild wait: OK\n", status);
  return 0;
}

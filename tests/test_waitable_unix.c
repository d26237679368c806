/* Waitable sources on Linux: any descriptor epoll accepts, with readable and writable mapped as
 * for sockets. Pipes both ways, a pty, eventfd, timerfd, pidfd and a socket work; a regular
 * file, which epoll refuses with EPERM, and a closed descriptor give MIOW_EINVAL. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* Each test gets a fresh selector. */
static miow_selector *sel;

static miow_source *waitable(int fd) {
  miow_source *src = NULL;
  assert_int_equal(miow_source_new_waitable(&src, (miow_socket_t)fd), 0);
  return src;
}

static void test_pipe_read_end_reports_data_and_writer_close(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  miow_source *src = waitable(fds[0]);
  assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE), 0);
  expect_silence(sel, 1, 100);
  assert_int_equal(write(fds[1], "x", 1), 1);
  assert_int_equal(poll_until(sel, 1, MIOW_READABLE, 5000), MIOW_READABLE);
  char c;
  assert_int_equal(read(fds[0], &c, 1), 1);
  expect_silence(sel, 1, 100);
  close(fds[1]);
  assert_true(poll_until(sel, 1, MIOW_READ_CLOSED, 5000) & (MIOW_READABLE | MIOW_READ_CLOSED));
  assert_int_equal(miow_source_free(src), 0);
  close(fds[0]);
}

static void test_pipe_write_end_reports_writable_again_once_drained(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  miow_source *src = waitable(fds[1]);
  assert_int_equal(miow_source_register(src, sel, 2, MIOW_WRITABLE | MIOW_EDGE), 0);
  assert_int_equal(poll_until(sel, 2, MIOW_WRITABLE, 5000), MIOW_WRITABLE);
  char buf[4096] = {0};
  while (write(fds[1], buf, sizeof buf) > 0) {
  }
  assert_int_equal(errno, EAGAIN);
  assert_int_equal(miow_source_rearm(src), 0);
  expect_silence(sel, 2, 100);
  while (read(fds[0], buf, sizeof buf) > 0) {
  }
  assert_int_equal(poll_until(sel, 2, MIOW_WRITABLE, 5000), MIOW_WRITABLE);
  assert_int_equal(miow_source_free(src), 0);
  close(fds[0]);
  close(fds[1]);
}

static void test_pty_both_ends_report_readable(void **state) {
  (void)state;
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  assert_true(master >= 0);
  assert_int_equal(grantpt(master), 0);
  assert_int_equal(unlockpt(master), 0);
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  assert_true(slave >= 0);
  miow_source *m = waitable(master), *s = waitable(slave);
  assert_int_equal(miow_source_register(m, sel, 3, MIOW_READABLE), 0);
  assert_int_equal(miow_source_register(s, sel, 4, MIOW_READABLE), 0);
  expect_silence(sel, 4, 100);
  assert_int_equal(write(master, "hi\n", 3), 3);
  assert_int_equal(poll_until(sel, 4, MIOW_READABLE, 5000), MIOW_READABLE);
  char buf[16];
  assert_true(read(slave, buf, sizeof buf) > 0);
  /* Drain the echo the terminal sent back to the master. */
  support_sleep_ms(50);
  while (read(master, buf, sizeof buf) > 0) {
  }
  assert_int_equal(write(slave, "ok", 2), 2);
  assert_int_equal(poll_until(sel, 3, MIOW_READABLE, 5000), MIOW_READABLE);
  free_both(m, s);
  close(slave);
  close(master);
}

static void test_eventfd_is_readable_until_read(void **state) {
  (void)state;
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  miow_source *src = waitable(fd);
  assert_int_equal(miow_source_register(src, sel, 5, MIOW_READABLE), 0);
  uint64_t value = 2;
  assert_int_equal(write(fd, &value, sizeof value), sizeof value);
  for (int i = 0; i < 3; i++) assert_int_equal(poll_once(sel, 5, 5000), MIOW_READABLE);
  assert_int_equal(read(fd, &value, sizeof value), sizeof value);
  expect_silence(sel, 5, 100);
  assert_int_equal(miow_source_free(src), 0);
  close(fd);
}

static void test_timerfd_reports_its_expiry(void **state) {
  (void)state;
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  assert_true(fd >= 0);
  miow_source *src = waitable(fd);
  assert_int_equal(miow_source_register(src, sel, 6, MIOW_READABLE | MIOW_ONESHOT), 0);
  struct itimerspec spec = {.it_value = {.tv_nsec = 100 * 1000000L}};
  assert_int_equal(timerfd_settime(fd, 0, &spec, NULL), 0);
  assert_int_equal(poll_once(sel, 6, 0), 0);
  assert_int_equal(poll_until(sel, 6, MIOW_READABLE, 5000), MIOW_READABLE);
  uint64_t expiries = 0;
  assert_int_equal(read(fd, &expiries, sizeof expiries), sizeof expiries);
  assert_int_equal(expiries, 1);
  assert_int_equal(miow_source_free(src), 0);
  close(fd);
}

static void test_pidfd_reports_readable_when_the_child_exits(void **state) {
  (void)state;
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    usleep(200 * 1000);
    _exit(3);
  }
  int fd = (int)syscall(SYS_pidfd_open, child, 0);
  if (fd < 0) {
    /* Kernels before 5.3 have no pidfd. */
    assert_int_equal(errno, ENOSYS);
    waitpid(child, NULL, 0);
    skip();
  }
  miow_source *src = waitable(fd);
  assert_int_equal(miow_source_register(src, sel, 7, MIOW_READABLE), 0);
  assert_int_equal(poll_once(sel, 7, 0), 0);
  assert_int_equal(poll_until(sel, 7, MIOW_READABLE, 10000), MIOW_READABLE);
  int status = 0;
  assert_int_equal(waitpid(child, &status, WNOHANG), child);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
  assert_int_equal(miow_source_free(src), 0);
  close(fd);
}

static void test_a_socket_is_accepted(void **state) {
  (void)state;
  miow_socket_t client, server;
  support_tcp_pair(&client, &server);
  miow_source *src = waitable((int)client);
  assert_int_equal(miow_source_register(src, sel, 8, MIOW_READABLE), 0);
  assert_int_equal(support_send(server, "x", 1), 1);
  assert_int_equal(poll_until(sel, 8, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_int_equal(miow_source_free(src), 0);
  support_close(client);
  support_close(server);
}

static void test_regular_file_is_refused_with_eperm(void **state) {
  (void)state;
  char path[] = "/tmp/miow-waitable-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  miow_source *src = NULL;
  assert_int_equal(miow_source_new_waitable(&src, (miow_socket_t)fd), MIOW_EINVAL);
  assert_null(src);
  assert_int_equal(miow_last_os_error(), EPERM);
  close(fd);
}

static void test_closed_descriptor_is_refused_with_ebadf(void **state) {
  (void)state;
  miow_source *src = NULL;
  assert_int_equal(miow_source_new_waitable(&src, support_closed_value()), MIOW_EINVAL);
  assert_int_equal(miow_last_os_error(), EBADF);
}

#define T(name)                                                          \
  cmocka_unit_test_prestate_setup_teardown(name, support_selector_setup, \
                                           support_selector_teardown, &sel)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_pipe_read_end_reports_data_and_writer_close),
      T(test_pipe_write_end_reports_writable_again_once_drained),
      T(test_pty_both_ends_report_readable),
      T(test_eventfd_is_readable_until_read),
      T(test_timerfd_reports_its_expiry),
      T(test_pidfd_reports_readable_when_the_child_exits),
      T(test_a_socket_is_accepted),
      T(test_regular_file_is_refused_with_eperm),
      T(test_closed_descriptor_is_refused_with_ebadf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

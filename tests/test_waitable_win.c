/* Waitable sources on Windows kernel objects: what a wait consumes per kind (auto-reset events
 * and semaphores are consumed, manual-reset events, processes and threads are not, timers as
 * their type says), interests other than readable refused, and values that are not waitable
 * handles refused with the documented codes. Runs twice, the second time with
 * MIOW_WAIT_FALLBACK=1; under Wine 8 both runs take the thread-pool path, as ntdll has no wait
 * completion packets there (the first line of output says which path this run expects). */
#include <stdio.h>
#include <stdlib.h>
#include <winsock2.h>
#include <windows.h>

#include "support.h"

/* Each test gets a fresh selector. */
static miow_selector *sel;

static miow_source *waitable(HANDLE object) {
  miow_source *src = NULL;
  assert_int_equal(miow_source_new_waitable(&src, (miow_socket_t)object), 0);
  return src;
}

static bool is_signalled(HANDLE object) { return WaitForSingleObject(object, 0) == WAIT_OBJECT_0; }

/* ---- events ---- */

static void test_auto_reset_event_level_reports_each_signal_once_and_consumes_it(void **state) {
  (void)state;
  HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
  miow_source *src = waitable(event);
  assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE), 0);
  for (int i = 0; i < 3; i++) {
    assert_true(SetEvent(event));
    assert_int_equal(poll_until(sel, 1, MIOW_READABLE, 5000), MIOW_READABLE);
    /* The wait consumed the signal: level mode has nothing more to report. */
    expect_silence(sel, 1, 200);
    assert_false(is_signalled(event));
  }
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(event);
}

static void auto_reset_once_until_rearm(uint32_t mode) {
  HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
  miow_source *src = waitable(event);
  assert_int_equal(miow_source_register(src, sel, 2, MIOW_READABLE | mode), 0);
  assert_true(SetEvent(event));
  assert_int_equal(poll_until(sel, 2, MIOW_READABLE, 5000), MIOW_READABLE);
  /* Disarmed: a new signal stays in the event, unconsumed, until the rearm. */
  assert_true(SetEvent(event));
  expect_silence(sel, 2, 300);
  assert_int_equal(miow_source_rearm(src), 0);
  assert_int_equal(poll_until(sel, 2, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_false(is_signalled(event));
  expect_silence(sel, 2, 200);
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(event);
}

static void test_auto_reset_event_edge_keeps_later_signal_until_rearm(void **state) {
  (void)state;
  auto_reset_once_until_rearm(MIOW_EDGE);
}

static void test_auto_reset_event_oneshot_keeps_later_signal_until_rearm(void **state) {
  (void)state;
  auto_reset_once_until_rearm(MIOW_ONESHOT);
}

static void test_manual_reset_event_is_not_consumed(void **state) {
  (void)state;
  HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
  miow_source *src = waitable(event);
  assert_int_equal(miow_source_register(src, sel, 3, MIOW_READABLE | MIOW_ONESHOT), 0);
  assert_true(SetEvent(event));
  assert_int_equal(poll_until(sel, 3, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_true(is_signalled(event));
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(event);
}

/* ---- semaphores ---- */

static void test_semaphore_of_three_gives_exactly_three_oneshot_events(void **state) {
  (void)state;
  HANDLE sem = CreateSemaphoreW(NULL, 0, 10, NULL);
  miow_source *src = waitable(sem);
  assert_int_equal(miow_source_register(src, sel, 4, MIOW_READABLE | MIOW_ONESHOT), 0);
  assert_true(ReleaseSemaphore(sem, 3, NULL));
  int events = 0;
  for (;;) {
    if (poll_until(sel, 4, MIOW_READABLE, 1000) == 0) break;
    events++;
    assert_true(events <= 3);
    assert_int_equal(miow_source_rearm(src), 0);
  }
  assert_int_equal(events, 3);
  /* The three waits took the three units. */
  assert_false(is_signalled(sem));
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(sem);
}

static void test_semaphore_level_reports_once_per_unit(void **state) {
  (void)state;
  HANDLE sem = CreateSemaphoreW(NULL, 3, 10, NULL);
  miow_source *src = waitable(sem);
  assert_int_equal(miow_source_register(src, sel, 5, MIOW_READABLE), 0);
  for (int i = 0; i < 3; i++) assert_int_equal(poll_once(sel, 5, 5000), MIOW_READABLE);
  expect_silence(sel, 5, 300);
  assert_true(ReleaseSemaphore(sem, 1, NULL));
  assert_int_equal(poll_until(sel, 5, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(sem);
}

/* ---- processes and threads ---- */

static HANDLE start_child(DWORD sleep_ms) {
  wchar_t path[MAX_PATH];
  DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
  assert_true(n > 0 && n < MAX_PATH);
  wchar_t *slash = wcsrchr(path, L'\\');
  assert_non_null(slash);
  wchar_t command[MAX_PATH + 64];
  swprintf(command, MAX_PATH + 64, L"\"%.*ls\\miow_child_exit.exe\" %lu", (int)(slash - path), path,
           (unsigned long)sleep_ms);
  STARTUPINFOW si = {.cb = sizeof si};
  PROCESS_INFORMATION pi;
  assert_true(CreateProcessW(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
  CloseHandle(pi.hThread);
  return pi.hProcess;
}

static void test_child_process_exit_reports_readable_and_is_not_consumed(void **state) {
  (void)state;
  HANDLE child = start_child(300);
  miow_source *src = waitable(child);
  assert_int_equal(miow_source_register(src, sel, 6, MIOW_READABLE), 0);
  assert_int_equal(poll_once(sel, 6, 0), 0);
  assert_int_equal(poll_until(sel, 6, MIOW_READABLE, 10000), MIOW_READABLE);
  DWORD code = 0;
  assert_true(GetExitCodeProcess(child, &code));
  assert_int_equal(code, 7);
  /* An exited process stays signalled: level mode reports it at every poll. */
  for (int i = 0; i < 3; i++) assert_int_equal(poll_once(sel, 6, 1000), MIOW_READABLE);
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(child);
}

static DWORD WINAPI short_thread(LPVOID arg) {
  Sleep((DWORD)(uintptr_t)arg);
  return 0;
}

static void test_thread_exit_reports_readable(void **state) {
  (void)state;
  HANDLE thread = CreateThread(NULL, 0, short_thread, (LPVOID)(uintptr_t)200, 0, NULL);
  assert_non_null(thread);
  miow_source *src = waitable(thread);
  assert_int_equal(miow_source_register(src, sel, 7, MIOW_READABLE | MIOW_EDGE), 0);
  assert_int_equal(poll_until(sel, 7, MIOW_READABLE, 5000), MIOW_READABLE);
  expect_silence(sel, 7, 200);
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(thread);
}

/* ---- waitable timers ---- */

static void set_timer(HANDLE timer, int64_t ms) {
  LARGE_INTEGER due;
  due.QuadPart = -ms * 10000; /* relative, in 100 ns units */
  assert_true(SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE));
}

static void test_synchronization_timer_reports_once_per_expiry(void **state) {
  (void)state;
  HANDLE timer = CreateWaitableTimerW(NULL, FALSE, NULL);
  miow_source *src = waitable(timer);
  assert_int_equal(miow_source_register(src, sel, 8, MIOW_READABLE), 0);
  set_timer(timer, 150);
  assert_int_equal(poll_once(sel, 8, 0), 0);
  assert_int_equal(poll_until(sel, 8, MIOW_READABLE, 5000), MIOW_READABLE);
  /* A synchronization timer is consumed by the wait, as an auto-reset event is. */
  expect_silence(sel, 8, 300);
  set_timer(timer, 50);
  assert_int_equal(poll_until(sel, 8, MIOW_READABLE, 5000), MIOW_READABLE);
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(timer);
}

static void test_manual_reset_timer_stays_signalled(void **state) {
  (void)state;
  HANDLE timer = CreateWaitableTimerW(NULL, TRUE, NULL);
  miow_source *src = waitable(timer);
  assert_int_equal(miow_source_register(src, sel, 9, MIOW_READABLE), 0);
  set_timer(timer, 100);
  assert_int_equal(poll_until(sel, 9, MIOW_READABLE, 5000), MIOW_READABLE);
  for (int i = 0; i < 3; i++) assert_int_equal(poll_once(sel, 9, 1000), MIOW_READABLE);
  assert_true(is_signalled(timer));
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(timer);
}

static void test_a_handle_without_synchronize_access_fails_at_register(void **state) {
  (void)state;
  HANDLE child = start_child(5000);
  HANDLE limited = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, GetProcessId(child));
  assert_non_null(limited);
  miow_source *src = waitable(limited);
  /* A wait needs SYNCHRONIZE: the registration fails at once rather than in a pool thread. */
  assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE), MIOW_EOS);
  assert_int_equal(miow_last_os_error(), ERROR_ACCESS_DENIED);
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(limited);
  assert_true(TerminateProcess(child, 0));
  CloseHandle(child);
}

/* ---- refused interests and values ---- */

static void test_interests_other_than_readable_are_refused(void **state) {
  (void)state;
  HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
  miow_source *src = waitable(event);
  const uint32_t refused[] = {MIOW_WRITABLE, MIOW_PRIORITY, MIOW_READABLE | MIOW_WRITABLE,
                              MIOW_READABLE | MIOW_PRIORITY | MIOW_EDGE};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    assert_int_equal(miow_source_register(src, sel, 1, refused[i]), MIOW_EINVAL);
  assert_int_equal(miow_source_register(src, sel, 1, MIOW_READABLE), 0);
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    assert_int_equal(miow_source_reregister(src, sel, 1, refused[i]), MIOW_EINVAL);
  assert_int_equal(miow_source_free(src), 0);
  CloseHandle(event);
}

static void expect_refused(HANDLE value, int32_t code, int32_t os_error) {
  miow_source *src = NULL;
  assert_int_equal(miow_source_new_waitable(&src, (miow_socket_t)value), code);
  assert_null(src);
  assert_int_equal(miow_last_os_error(), os_error);
}

static void test_a_socket_is_refused_with_enotsup(void **state) {
  (void)state;
  uint16_t port;
  miow_socket_t s = support_listener(&port);
  expect_refused((HANDLE)s, MIOW_ENOTSUP, ERROR_NOT_SUPPORTED);
  support_close(s);
}

static void test_values_that_are_not_waitable_handles_are_refused(void **state) {
  (void)state;
  expect_refused(NULL, MIOW_EINVAL, ERROR_INVALID_HANDLE);
  expect_refused(INVALID_HANDLE_VALUE, MIOW_EINVAL, ERROR_INVALID_HANDLE);
  expect_refused((HANDLE)support_closed_value(), MIOW_EINVAL, ERROR_INVALID_HANDLE);
  wchar_t dir[MAX_PATH], path[MAX_PATH];
  assert_true(GetTempPathW(MAX_PATH, dir) > 0);
  assert_true(GetTempFileNameW(dir, L"miw", 0, path) != 0);
  HANDLE file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                            FILE_FLAG_DELETE_ON_CLOSE, NULL);
  assert_true(file != INVALID_HANDLE_VALUE);
  expect_refused(file, MIOW_EINVAL, ERROR_INVALID_HANDLE);
  CloseHandle(file);
  /* A wait would make someone else the mutex's owner. */
  HANDLE mutex = CreateMutexW(NULL, FALSE, NULL);
  expect_refused(mutex, MIOW_EINVAL, ERROR_INVALID_HANDLE);
  CloseHandle(mutex);
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  expect_refused(port, MIOW_EINVAL, ERROR_INVALID_HANDLE);
  CloseHandle(port);
}

#define T(name)                                                          \
  cmocka_unit_test_prestate_setup_teardown(name, support_selector_setup, \
                                           support_selector_teardown, &sel)

int main(void) {
  const char *fallback = getenv("MIOW_WAIT_FALLBACK");
  bool packets =
      GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtAssociateWaitCompletionPacket") != NULL;
  printf("waits take the %s path\n", packets && !(fallback != NULL && strcmp(fallback, "1") == 0)
                                         ? "wait completion packet"
                                         : "thread-pool fallback");
  const struct CMUnitTest tests[] = {
      T(test_auto_reset_event_level_reports_each_signal_once_and_consumes_it),
      T(test_auto_reset_event_edge_keeps_later_signal_until_rearm),
      T(test_auto_reset_event_oneshot_keeps_later_signal_until_rearm),
      T(test_manual_reset_event_is_not_consumed),
      T(test_semaphore_of_three_gives_exactly_three_oneshot_events),
      T(test_semaphore_level_reports_once_per_unit),
      T(test_child_process_exit_reports_readable_and_is_not_consumed),
      T(test_thread_exit_reports_readable),
      T(test_synchronization_timer_reports_once_per_expiry),
      T(test_manual_reset_timer_stays_signalled),
      T(test_a_handle_without_synchronize_access_fails_at_register),
      T(test_interests_other_than_readable_are_refused),
      T(test_a_socket_is_refused_with_enotsup),
      T(test_values_that_are_not_waitable_handles_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

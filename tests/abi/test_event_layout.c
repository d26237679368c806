/* Pins the layout of the public structs that hosts declare themselves (ctypes, P/Invoke):
 * miow_event is 16 bytes with token at 0, readiness at 8, reserved at 12; struct epoll_event is
 * wepoll's, 16 bytes with events at 0 and data at 8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "miowin.h"
#include "miow/epoll.h"

_Static_assert(sizeof(miow_event) == 16, "miow_event must be 16 bytes");
_Static_assert(_Alignof(miow_event) == 8, "miow_event must be 8-byte aligned");
_Static_assert(offsetof(miow_event, token) == 0, "miow_event.token must be at offset 0");
_Static_assert(offsetof(miow_event, readiness) == 8, "miow_event.readiness must be at offset 8");
_Static_assert(offsetof(miow_event, reserved) == 12, "miow_event.reserved must be at offset 12");
_Static_assert(sizeof(miow_socket_t) == sizeof(void *), "miow_socket_t must be pointer-sized");
_Static_assert(sizeof(struct epoll_event) == 16, "struct epoll_event must be 16 bytes");
_Static_assert(offsetof(struct epoll_event, events) == 0, "epoll_event.events must be at 0");
_Static_assert(offsetof(struct epoll_event, data) == 8, "epoll_event.data must be at 8");
_Static_assert(sizeof(epoll_data_t) == 8, "epoll_data_t must be 8 bytes");
_Static_assert(sizeof(miow_epoll_t) == sizeof(void *), "miow_epoll_t must be HANDLE-sized");

/* The same facts again at run time, so the test log shows them checked on the target. */
static void test_event_is_16_bytes_token_readiness_reserved(void **state) {
  (void)state;
  assert_int_equal(sizeof(miow_event), 16);
  assert_int_equal(_Alignof(miow_event), 8);
  assert_int_equal(offsetof(miow_event, token), 0);
  assert_int_equal(sizeof(((miow_event *)0)->token), 8);
  assert_int_equal(offsetof(miow_event, readiness), 8);
  assert_int_equal(sizeof(((miow_event *)0)->readiness), 4);
  assert_int_equal(offsetof(miow_event, reserved), 12);
  assert_int_equal(sizeof(((miow_event *)0)->reserved), 4);
}

static void test_epoll_event_is_16_bytes_events_then_data(void **state) {
  (void)state;
  assert_int_equal(sizeof(struct epoll_event), 16);
  assert_int_equal(offsetof(struct epoll_event, events), 0);
  assert_int_equal(sizeof(((struct epoll_event *)0)->events), 4);
  assert_int_equal(offsetof(struct epoll_event, data), 8);
  assert_int_equal(sizeof(epoll_data_t), 8);
  assert_int_equal(sizeof(miow_epoll_t), sizeof(void *));
}

static void test_socket_type_is_pointer_sized(void **state) {
  (void)state;
  assert_int_equal(sizeof(miow_socket_t), sizeof(void *));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_event_is_16_bytes_token_readiness_reserved),
      cmocka_unit_test(test_epoll_event_is_16_bytes_events_then_data),
      cmocka_unit_test(test_socket_type_is_pointer_sized),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

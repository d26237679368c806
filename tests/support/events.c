/* Portable helpers for the tests: a registered socket pair, and polling. */
#include "support.h"

#define BATCH 64

miow_source *register_client(miow_selector *sel, uint64_t token, uint32_t interests,
                             miow_socket_t *client, miow_socket_t *server) {
  support_tcp_pair(client, server);
  miow_source *src;
  assert_int_equal(miow_source_new(&src, *client), 0);
  assert_int_equal(miow_source_register(src, sel, token, interests), 0);
  return src;
}

uint32_t poll_once(miow_selector *sel, uint64_t token, int64_t timeout_ms) {
  miow_event events[BATCH];
  size_t count = 0;
  assert_int_equal(miow_selector_poll(sel, events, BATCH, &count, timeout_ms), 0);
  uint32_t seen = 0;
  for (size_t i = 0; i < count; i++) {
    assert_int_not_equal(events[i].readiness, 0);
    assert_int_equal(events[i].reserved, 0);
    if (events[i].token == token) seen |= events[i].readiness;
  }
  return seen;
}

uint32_t poll_until(miow_selector *sel, uint64_t token, uint32_t mask, int64_t timeout_ms) {
  double deadline = support_now_ms() + (double)timeout_ms;
  uint32_t seen = 0;
  while ((seen & mask) != mask) {
    double left = deadline - support_now_ms();
    if (left <= 0) break;
    seen |= poll_once(sel, token, (int64_t)left + 1);
  }
  return seen;
}

void expect_silence(miow_selector *sel, uint64_t token, int64_t ms) {
  double deadline = support_now_ms() + (double)ms;
  for (;;) {
    double left = deadline - support_now_ms();
    if (left <= 0) break;
    uint32_t seen = poll_once(sel, token, (int64_t)left + 1);
    if (seen != 0)
      fail_msg("token %llu reported 0x%x; expected silence", (unsigned long long)token,
               (unsigned)seen);
  }
}

/* A write on a TCP stream that can no longer send fails with one code per cause, whatever order
 * things happened in (io.h): MIOW_ESHUTDOWN after this side's shutdown, MIOW_ECONNRESET after
 * the peer's reset. The OSes give several codes depending on whether the peer's FIN or RST had
 * arrived yet (mio's shutdown tests saw both on Linux), so each case runs the racy orders 200
 * times. */
#include <string.h>

#include "support.h"

#define ROUNDS 200
/* How long a write may keep succeeding after the peer's reset: until the RST has arrived. */
#define RESET_WAIT_MS 5000

static uint16_t port;
static miow_socket_t listener;

/* A library stream connected to a raw socket of the test's, which can close with a reset. */
static miow_source *connect_pair(miow_socket_t *raw_server) {
  char address[MIOW_ADDRESS_SIZE];
  net_loopback_address(address, port);
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  *raw_server = support_accept(listener);
  net_wait_connected(client);
  return client;
}

static int setup(void **state) {
  (void)state;
  support_init();
  listener = support_listener(&port);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  support_close(listener);
  return 0;
}

/* What the peer does after this side's shutdown, and whether the write waits for it to land. */
typedef enum peer_action { PEER_NOTHING, PEER_CLOSES, PEER_RESETS, PEER_ACTIONS } peer_action;

static void test_write_after_local_shutdown_is_eshutdown_whatever_the_peer_did(void **state) {
  (void)state;
  for (int round = 0; round < ROUNDS; round++) {
    miow_socket_t server;
    miow_source *client = connect_pair(&server);
    int32_t how = round % 2 == 0 ? MIOW_SHUT_WRITE : MIOW_SHUT_BOTH;
    peer_action action = (peer_action)((round / 2) % PEER_ACTIONS);
    bool wait = (round / (2 * PEER_ACTIONS)) % 2 == 1;
    assert_int_equal(miow_source_shutdown(client, how), 0);
    if (action == PEER_CLOSES) support_close(server);
    if (action == PEER_RESETS) support_close_reset(server);
    if (wait) support_sleep_ms(2); /* the peer's FIN or RST has then arrived */
    for (int i = 0; i < 2; i++) {
      size_t sent = 99;
      int32_t rc = miow_source_write(client, "x", 1, &sent);
      if (rc != MIOW_ESHUTDOWN)
        fail_msg("round %d (shutdown %d, peer %d, wait %d), write %d: %s", round, (int)how,
                 (int)action, (int)wait, i, miow_strerror(rc));
    }
    if (action == PEER_NOTHING) support_close(server);
    assert_int_equal(miow_source_free(client), 0);
  }
}

/* Writes one byte until a write fails; returns its code. Writes succeed until the RST lands. */
static int32_t write_until_failure(miow_source *client) {
  double deadline = support_now_ms() + RESET_WAIT_MS;
  for (;;) {
    size_t sent = 0;
    int32_t rc = miow_source_write(client, "x", 1, &sent);
    if (rc != 0 && rc != MIOW_EWOULDBLOCK) return rc;
    if (support_now_ms() > deadline) fail_msg("writes still succeed after the peer's reset");
    support_sleep_ms(1);
  }
}

static void test_write_after_peer_reset_is_econnreset_whatever_the_order(void **state) {
  (void)state;
  for (int round = 0; round < ROUNDS; round++) {
    miow_socket_t server;
    miow_source *client = connect_pair(&server);
    support_close_reset(server);
    /* Half the rounds read first, which takes the reset's pending error on Linux, so that the
     * write finds a connection that has already reported it. */
    if (round % 2 == 1) {
      char buf[4];
      size_t n = 0;
      int32_t rc;
      double deadline = support_now_ms() + RESET_WAIT_MS;
      while ((rc = miow_source_read(client, buf, sizeof buf, &n)) == MIOW_EWOULDBLOCK) {
        if (support_now_ms() > deadline) fail_msg("the reset never reached the reader");
        support_sleep_ms(1);
      }
      /* Reset, or end of stream under Wine 8 (test_tcp.c says why). */
      assert_true(rc == MIOW_ECONNRESET || (rc == 0 && n == 0 && support_is_windows()));
    }
    for (int i = 0; i < 2; i++) {
      int32_t rc = write_until_failure(client);
      if (rc != MIOW_ECONNRESET)
        fail_msg("round %d, failure %d: %s", round, i, miow_strerror(rc));
    }
    assert_int_equal(miow_source_free(client), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_after_local_shutdown_is_eshutdown_whatever_the_peer_did),
      cmocka_unit_test(test_write_after_peer_reset_is_econnreset_whatever_the_order),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

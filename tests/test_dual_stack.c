/* Dual-stack IPv6 sockets (MIOW_NET_DUAL_STACK): one IPv6 listener or UDP socket that IPv4 peers
 * reach too, seen as IPv4-mapped addresses, where the default IPv6 socket is IPv6-only on every
 * backend (mio's tcp_listener and udp_socket dual-stack cases). */
#include <stdio.h>
#include <string.h>

#include "support.h"

/* Accepts one connection and returns it, with its peer's address as text. */
static miow_source *accept_with_peer(miow_source *listener, char peer[MIOW_ADDRESS_SIZE]) {
  double deadline = support_now_ms() + 5000;
  for (;;) {
    miow_source *stream;
    int32_t rc = miow_tcp_accept(listener, &stream, peer, MIOW_ADDRESS_SIZE);
    if (rc == 0) return stream;
    assert_int_equal(rc, MIOW_EWOULDBLOCK);
    if (support_now_ms() > deadline) fail_msg("no connection to accept");
    support_sleep_ms(5);
  }
}

/* Sends `text` from `client` to `server` and back, byte for byte. */
static void echo_once(miow_source *client, miow_source *server, const char *text) {
  char buf[32];
  size_t len = strlen(text);
  net_write_all(client, text, len);
  net_read_exact(server, buf, len);
  net_write_all(server, buf, len);
  memset(buf, 0, sizeof buf);
  net_read_exact(client, buf, len);
  assert_memory_equal(buf, text, len);
}

static void test_dual_stack_listener_accepts_an_ipv4_and_an_ipv6_client(void **state) {
  (void)state;
  if (!net_ipv6_available()) return;
  miow_source *listener;
  assert_int_equal(miow_tcp_listen_ex(&listener, "[::]:0", 16, MIOW_NET_DUAL_STACK), 0);
  int32_t only_v6 = 99;
  assert_int_equal(miow_source_get_option(listener, MIOW_OPT_ONLY_V6, &only_v6), 0);
  assert_int_equal(only_v6, 0);
  char local[MIOW_ADDRESS_SIZE], v4[MIOW_ADDRESS_SIZE], v6[MIOW_ADDRESS_SIZE];
  assert_int_equal(miow_source_local_address(listener, local, sizeof local), 0);
  uint16_t port = net_port(local);
  snprintf(v4, sizeof v4, "127.0.0.1:%u", (unsigned)port);
  snprintf(v6, sizeof v6, "[::1]:%u", (unsigned)port);

  miow_source *client4, *client6;
  assert_int_equal(miow_tcp_connect(&client4, v4), 0);
  net_wait_connected(client4);
  char peer4[MIOW_ADDRESS_SIZE], peer6[MIOW_ADDRESS_SIZE], mine[MIOW_ADDRESS_SIZE];
  miow_source *server4 = accept_with_peer(listener, peer4);
  assert_int_equal(miow_tcp_connect(&client6, v6), 0);
  net_wait_connected(client6);
  miow_source *server6 = accept_with_peer(listener, peer6);

  /* The IPv4 client is seen as its IPv4-mapped address, with its own port. */
  assert_int_equal(miow_source_local_address(client4, mine, sizeof mine), 0);
  char expected[MIOW_ADDRESS_SIZE];
  snprintf(expected, sizeof expected, "[::ffff:127.0.0.1]:%u", (unsigned)net_port(mine));
  assert_string_equal(peer4, expected);
  assert_int_equal(miow_source_local_address(client6, mine, sizeof mine), 0);
  snprintf(expected, sizeof expected, "[::1]:%u", (unsigned)net_port(mine));
  assert_string_equal(peer6, expected);

  echo_once(client4, server4, "over IPv4");
  echo_once(client6, server6, "over IPv6");
  miow_source *all[] = {client4, server4, client6, server6, listener};
  free_all(all, 5);
}

/* The flag is what makes the difference: without it the same listener is IPv6-only, and an
 * IPv4 client is refused (nobody listens on the IPv4 side of the port). */
static void test_default_ipv6_listener_refuses_an_ipv4_client(void **state) {
  (void)state;
  if (!net_ipv6_available()) return;
  miow_source *listener;
  assert_int_equal(miow_tcp_listen(&listener, "[::]:0", 16), 0);
  char local[MIOW_ADDRESS_SIZE], v4[MIOW_ADDRESS_SIZE];
  assert_int_equal(miow_source_local_address(listener, local, sizeof local), 0);
  snprintf(v4, sizeof v4, "127.0.0.1:%u", (unsigned)net_port(local));
  miow_selector *sel;
  assert_int_equal(miow_selector_new(&sel), 0);
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, v4), 0);
  assert_int_equal(miow_source_register(client, sel, 1, MIOW_WRITABLE), 0);
  assert_true(poll_until(sel, 1, MIOW_WRITABLE, 5000) & MIOW_WRITABLE);
  int32_t error = 0;
  assert_int_equal(miow_source_take_error(client, &error, NULL), 0);
  assert_int_equal(error, MIOW_ECONNREFUSED);
  free_both(client, listener);
  assert_int_equal(miow_selector_free(sel), 0);
}

/* Receives one datagram and checks its text and sender. */
static void expect_datagram(miow_source *udp, const char *text, const char *from) {
  char buf[32], sender[MIOW_ADDRESS_SIZE];
  size_t n = net_recv_from(udp, buf, sizeof buf, sender);
  assert_int_equal(n, strlen(text));
  assert_memory_equal(buf, text, n);
  assert_string_equal(sender, from);
}

static void test_dual_stack_udp_exchanges_with_an_ipv4_peer(void **state) {
  (void)state;
  if (!net_ipv6_available()) return;
  miow_source *dual, *peer;
  assert_int_equal(miow_udp_bind_ex(&dual, "[::]:0", MIOW_NET_DUAL_STACK), 0);
  char dual_local[MIOW_ADDRESS_SIZE], peer_local[MIOW_ADDRESS_SIZE];
  assert_int_equal(miow_source_local_address(dual, dual_local, sizeof dual_local), 0);
  peer = net_udp("127.0.0.1:0", peer_local);
  char to_dual[MIOW_ADDRESS_SIZE], mapped_peer[MIOW_ADDRESS_SIZE], dual_as_v4[MIOW_ADDRESS_SIZE];
  snprintf(to_dual, sizeof to_dual, "127.0.0.1:%u", (unsigned)net_port(dual_local));
  snprintf(mapped_peer, sizeof mapped_peer, "[::ffff:127.0.0.1]:%u",
           (unsigned)net_port(peer_local));
  snprintf(dual_as_v4, sizeof dual_as_v4, "127.0.0.1:%u", (unsigned)net_port(dual_local));
  size_t sent = 0;
  assert_int_equal(miow_udp_send_to(peer, "ping", 4, to_dual, &sent), 0);
  expect_datagram(dual, "ping", mapped_peer);
  /* The dual-stack socket answers to the IPv4 text and to the mapped text alike. */
  assert_int_equal(miow_udp_send_to(dual, "pong", 4, peer_local, &sent), 0);
  expect_datagram(peer, "pong", dual_as_v4);
  assert_int_equal(miow_udp_send_to(dual, "again", 5, mapped_peer, &sent), 0);
  expect_datagram(peer, "again", dual_as_v4);
  /* And a default peer may be IPv4 too. */
  assert_int_equal(miow_udp_connect(dual, peer_local), 0);
  assert_int_equal(miow_source_write(dual, "conn", 4, &sent), 0);
  expect_datagram(peer, "conn", dual_as_v4);
  free_both(dual, peer);
}

static void test_ipv6_only_udp_refuses_an_ipv4_destination(void **state) {
  (void)state;
  if (!net_ipv6_available()) return;
  char local[MIOW_ADDRESS_SIZE];
  miow_source *udp = net_udp("[::1]:0", local);
  size_t sent = 0;
  assert_int_equal(miow_udp_send_to(udp, "x", 1, "127.0.0.1:9", &sent), MIOW_EINVAL);
  assert_int_equal(miow_udp_connect(udp, "127.0.0.1:9"), MIOW_EINVAL);
  assert_int_equal(miow_source_free(udp), 0);
}

static void test_dual_stack_flag_needs_ipv6_and_unknown_flags_are_refused(void **state) {
  (void)state;
  miow_source *src = NULL;
  assert_int_equal(miow_tcp_listen_ex(&src, "127.0.0.1:0", 0, MIOW_NET_DUAL_STACK), MIOW_EINVAL);
  assert_int_equal(miow_udp_bind_ex(&src, "127.0.0.1:0", MIOW_NET_DUAL_STACK), MIOW_EINVAL);
  assert_int_equal(miow_tcp_listen_ex(&src, "127.0.0.1:0", 0, 0x2u), MIOW_EINVAL);
  assert_int_equal(miow_udp_bind_ex(&src, "127.0.0.1:0", 0x80000000u), MIOW_EINVAL);
  assert_null(src);
  /* Flags 0 is the plain call. */
  assert_int_equal(miow_tcp_listen_ex(&src, "127.0.0.1:0", 0, 0), 0);
  assert_int_equal(miow_source_free(src), 0);
  assert_int_equal(miow_udp_bind_ex(&src, "127.0.0.1:0", 0), 0);
  assert_int_equal(miow_source_free(src), 0);
}

int main(void) {
  support_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dual_stack_listener_accepts_an_ipv4_and_an_ipv6_client),
      cmocka_unit_test(test_default_ipv6_listener_refuses_an_ipv4_client),
      cmocka_unit_test(test_dual_stack_udp_exchanges_with_an_ipv4_peer),
      cmocka_unit_test(test_ipv6_only_udp_refuses_an_ipv4_destination),
      cmocka_unit_test(test_dual_stack_flag_needs_ipv6_and_unknown_flags_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Misuse of the TCP, UDP and I/O calls: bad and stale handles, sources of the wrong kind,
 * invalid arguments. Each gets its documented code and harms nothing. */
#include <string.h>

#include "support.h"

/* Asserts the code, and the OS error the library records with it where support knows it. */
#define EXPECT_CODE(call, code)                                       \
  do {                                                                \
    assert_int_equal((call), (code));                                 \
    if ((code) == MIOW_EINVAL || (code) == MIOW_EBADHANDLE)           \
      assert_int_equal(miow_last_os_error(), support_os_error(code)); \
  } while (0)

/* One source of every kind: a listener, a connected stream pair, two UDP sockets (IPv4), and
 * sources wrapping caller-owned sockets of each kind. */
typedef struct kinds {
  miow_source *listener, *stream, *accepted, *udp, *udp_peer;
  char listener_addr[MIOW_ADDRESS_SIZE], udp_addr[MIOW_ADDRESS_SIZE], peer_addr[MIOW_ADDRESS_SIZE];
  miow_socket_t raw_client, raw_server, raw_udp, raw_listener;
  miow_source *foreign_stream, *foreign_udp, *foreign_listener;
} kinds;

static kinds k;

static int setup(void **state) {
  (void)state;
  support_init();
  memset(&k, 0, sizeof k);
  k.listener = net_listen("127.0.0.1:0", k.listener_addr);
  net_tcp_pair("127.0.0.1:0", &k.stream, &k.accepted);
  k.udp = net_udp("127.0.0.1:0", k.udp_addr);
  k.udp_peer = net_udp("127.0.0.1:0", k.peer_addr);
  uint16_t port;
  support_tcp_pair(&k.raw_client, &k.raw_server);
  k.raw_udp = support_udp_socket(&port);
  k.raw_listener = support_listener(&port);
  assert_int_equal(miow_source_new(&k.foreign_stream, k.raw_client), 0);
  assert_int_equal(miow_source_new(&k.foreign_udp, k.raw_udp), 0);
  assert_int_equal(miow_source_new(&k.foreign_listener, k.raw_listener), 0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  miow_source *all[] = {k.listener, k.stream,         k.accepted,    k.udp,
                        k.udp_peer, k.foreign_stream, k.foreign_udp, k.foreign_listener};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    assert_int_equal(miow_source_free(all[i]), 0);
  support_close(k.raw_client);
  support_close(k.raw_server);
  support_close(k.raw_udp);
  support_close(k.raw_listener);
  return 0;
}

/* Every call that takes a source, with otherwise valid arguments, must answer `code`. */
static void expect_every_call(miow_source *h, int32_t code) {
  char data[8] = "data";
  char text[MIOW_ADDRESS_SIZE];
  miow_buffer one = {data, sizeof data};
  size_t n = 0;
  int32_t e = 0, v = 0;
  miow_source *out = NULL;
  EXPECT_CODE(miow_tcp_accept(h, &out, text, sizeof text), code);
  assert_null(out);
  EXPECT_CODE(miow_udp_connect(h, "127.0.0.1:9"), code);
  EXPECT_CODE(miow_udp_recv_from(h, data, sizeof data, &n, text, sizeof text), code);
  EXPECT_CODE(miow_udp_peek_from(h, data, sizeof data, &n, text, sizeof text), code);
  EXPECT_CODE(miow_udp_send_to(h, data, sizeof data, "127.0.0.1:9", &n), code);
  EXPECT_CODE(miow_udp_join_multicast_v4(h, "239.255.77.2", NULL), code);
  EXPECT_CODE(miow_udp_leave_multicast_v4(h, "239.255.77.2", NULL), code);
  EXPECT_CODE(miow_udp_join_multicast_v6(h, "ff02::7a:2", 0), code);
  EXPECT_CODE(miow_udp_leave_multicast_v6(h, "ff02::7a:2", 0), code);
  EXPECT_CODE(miow_source_read(h, data, sizeof data, &n), code);
  EXPECT_CODE(miow_source_peek(h, data, sizeof data, &n), code);
  EXPECT_CODE(miow_source_write(h, data, sizeof data, &n), code);
  EXPECT_CODE(miow_source_readv(h, &one, 1, &n), code);
  EXPECT_CODE(miow_source_writev(h, &one, 1, &n), code);
  EXPECT_CODE(miow_source_shutdown(h, MIOW_SHUT_BOTH), code);
  EXPECT_CODE(miow_source_take_error(h, &e, NULL), code);
  EXPECT_CODE(miow_source_local_address(h, text, sizeof text), code);
  EXPECT_CODE(miow_source_peer_address(h, text, sizeof text), code);
  EXPECT_CODE(miow_source_set_option(h, MIOW_OPT_TTL, 64), code);
  EXPECT_CODE(miow_source_get_option(h, MIOW_OPT_TTL, &v), code);
}

/* A stream still moves bytes both ways after the misuse. */
static void expect_stream_unharmed(void) {
  char buf[4];
  net_write_all(k.stream, "ok", 2);
  net_read_exact(k.accepted, buf, 2);
  assert_memory_equal(buf, "ok", 2);
  net_write_all(k.accepted, "ko", 2);
  net_read_exact(k.stream, buf, 2);
  assert_memory_equal(buf, "ko", 2);
}

/* ---- handles ---- */

static void test_null_handle_is_bad_for_every_net_call(void **state) {
  (void)state;
  expect_every_call(NULL, MIOW_EBADHANDLE);
  miow_socket_t sock = 0;
  EXPECT_CODE(miow_source_socket(NULL, &sock), MIOW_EBADHANDLE);
}

static void test_freed_handles_are_bad_for_every_net_call(void **state) {
  (void)state;
  char addr[MIOW_ADDRESS_SIZE];
  miow_source *stale[4];
  stale[0] = net_listen("127.0.0.1:0", addr);
  net_tcp_pair("127.0.0.1:0", &stale[1], &stale[2]);
  stale[3] = net_udp("127.0.0.1:0", addr);
  for (size_t i = 0; i < 4; i++) assert_int_equal(miow_source_free(stale[i]), 0);
  /* New sources take the freed slots; the old handles must still not reach them. */
  miow_source *fresh[4];
  fresh[0] = net_listen("127.0.0.1:0", addr);
  net_tcp_pair("127.0.0.1:0", &fresh[1], &fresh[2]);
  fresh[3] = net_udp("127.0.0.1:0", addr);
  for (size_t i = 0; i < 4; i++) {
    expect_every_call(stale[i], MIOW_EBADHANDLE);
    miow_socket_t sock = 0;
    EXPECT_CODE(miow_source_socket(stale[i], &sock), MIOW_EBADHANDLE);
    EXPECT_CODE(miow_source_free(stale[i]), MIOW_EBADHANDLE);
  }
  for (size_t i = 0; i < 4; i++) assert_int_equal(miow_source_free(fresh[i]), 0);
}

/* ---- sources of the wrong kind ---- */

static void test_udp_calls_on_a_tcp_stream_are_not_supported(void **state) {
  (void)state;
  char data[8] = "data", text[MIOW_ADDRESS_SIZE];
  size_t n = 0;
  miow_source *streams[] = {k.stream, k.accepted};
  for (size_t i = 0; i < 2; i++) {
    miow_source *s = streams[i];
    EXPECT_CODE(miow_udp_connect(s, k.udp_addr), MIOW_ENOTSUP);
    EXPECT_CODE(miow_udp_recv_from(s, data, sizeof data, &n, text, sizeof text), MIOW_ENOTSUP);
    EXPECT_CODE(miow_udp_peek_from(s, data, sizeof data, &n, text, sizeof text), MIOW_ENOTSUP);
    EXPECT_CODE(miow_udp_send_to(s, data, sizeof data, k.udp_addr, &n), MIOW_ENOTSUP);
    EXPECT_CODE(miow_udp_join_multicast_v4(s, "239.255.77.2", NULL), MIOW_ENOTSUP);
    EXPECT_CODE(miow_udp_leave_multicast_v4(s, "239.255.77.2", NULL), MIOW_ENOTSUP);
    EXPECT_CODE(miow_udp_join_multicast_v6(s, "ff02::7a:2", 0), MIOW_ENOTSUP);
    EXPECT_CODE(miow_udp_leave_multicast_v6(s, "ff02::7a:2", 0), MIOW_ENOTSUP);
  }
  expect_stream_unharmed();
}

static void test_stream_calls_on_a_listener_are_not_supported(void **state) {
  (void)state;
  char data[8] = "data", text[MIOW_ADDRESS_SIZE];
  miow_buffer one = {data, sizeof data};
  size_t n = 0;
  miow_source *l = k.listener;
  EXPECT_CODE(miow_source_read(l, data, sizeof data, &n), MIOW_ENOTSUP);
  EXPECT_CODE(miow_source_peek(l, data, sizeof data, &n), MIOW_ENOTSUP);
  EXPECT_CODE(miow_source_write(l, data, sizeof data, &n), MIOW_ENOTSUP);
  EXPECT_CODE(miow_source_readv(l, &one, 1, &n), MIOW_ENOTSUP);
  EXPECT_CODE(miow_source_writev(l, &one, 1, &n), MIOW_ENOTSUP);
  EXPECT_CODE(miow_source_shutdown(l, MIOW_SHUT_BOTH), MIOW_ENOTSUP);
  EXPECT_CODE(miow_udp_connect(l, k.udp_addr), MIOW_ENOTSUP);
  EXPECT_CODE(miow_udp_recv_from(l, data, sizeof data, &n, text, sizeof text), MIOW_ENOTSUP);
  EXPECT_CODE(miow_udp_send_to(l, data, sizeof data, k.udp_addr, &n), MIOW_ENOTSUP);
  EXPECT_CODE(miow_udp_join_multicast_v4(l, "239.255.77.2", NULL), MIOW_ENOTSUP);
  /* The listener still accepts, and still answers the calls for every library socket. */
  miow_source *client;
  assert_int_equal(miow_tcp_connect(&client, k.listener_addr), 0);
  miow_source *accepted = net_accept(l);
  int32_t e = -1;
  assert_int_equal(miow_source_take_error(l, &e, NULL), 0);
  assert_int_equal(e, 0);
  assert_int_equal(miow_source_local_address(l, text, sizeof text), 0);
  assert_string_equal(text, k.listener_addr);
  assert_int_equal(miow_source_free(accepted), 0);
  assert_int_equal(miow_source_free(client), 0);
}

static void test_tcp_calls_on_the_wrong_kind_are_not_supported(void **state) {
  (void)state;
  miow_source *out = NULL;
  char text[MIOW_ADDRESS_SIZE];
  /* Accept needs a listener. */
  EXPECT_CODE(miow_tcp_accept(k.stream, &out, text, sizeof text), MIOW_ENOTSUP);
  EXPECT_CODE(miow_tcp_accept(k.accepted, &out, NULL, 0), MIOW_ENOTSUP);
  EXPECT_CODE(miow_tcp_accept(k.udp, &out, NULL, 0), MIOW_ENOTSUP);
  assert_null(out);
  /* Shutdown needs a TCP stream. */
  EXPECT_CODE(miow_source_shutdown(k.udp, MIOW_SHUT_WRITE), MIOW_ENOTSUP);
  expect_stream_unharmed();
}

static void test_owned_only_calls_on_a_caller_socket_are_not_supported(void **state) {
  (void)state;
  miow_source *foreign[] = {k.foreign_stream, k.foreign_udp, k.foreign_listener};
  for (size_t i = 0; i < 3; i++) expect_every_call(foreign[i], MIOW_ENOTSUP);
  /* The wrapped sockets are untouched: the caller's pair still talks. */
  char buf[4];
  assert_int_equal(support_send(k.raw_server, "hi", 2), 2);
  support_sleep_ms(50);
  assert_int_equal(support_recv(k.raw_client, buf, sizeof buf), 2);
  assert_int_equal(support_socket_error(k.raw_client), 0);
}

static void test_socket_is_available_on_every_kind(void **state) {
  (void)state;
  miow_socket_t sock = 0;
  assert_int_equal(miow_source_socket(k.foreign_stream, &sock), 0);
  assert_true(sock == k.raw_client);
  assert_int_equal(miow_source_socket(k.foreign_udp, &sock), 0);
  assert_true(sock == k.raw_udp);
  assert_int_equal(miow_source_socket(k.foreign_listener, &sock), 0);
  assert_true(sock == k.raw_listener);
  miow_source *owned[] = {k.listener, k.stream, k.accepted, k.udp, k.udp_peer};
  miow_socket_t seen[5];
  for (size_t i = 0; i < 5; i++) {
    assert_int_equal(miow_source_socket(owned[i], &seen[i]), 0);
    /* A real, open socket, distinct from every other. */
    assert_int_equal(support_socket_error(seen[i]), 0);
    for (size_t j = 0; j < i; j++) assert_true(seen[i] != seen[j]);
  }
  EXPECT_CODE(miow_source_socket(k.stream, NULL), MIOW_EINVAL);
}

/* ---- invalid arguments ---- */

static void test_null_out_parameters_and_buffers_are_invalid(void **state) {
  (void)state;
  char data[8] = "data", text[MIOW_ADDRESS_SIZE];
  size_t n = 0;
  miow_source *out = NULL;
  EXPECT_CODE(miow_tcp_listen(NULL, "127.0.0.1:0", 0), MIOW_EINVAL);
  EXPECT_CODE(miow_tcp_listen(&out, NULL, 0), MIOW_EINVAL);
  EXPECT_CODE(miow_tcp_connect(NULL, k.listener_addr), MIOW_EINVAL);
  EXPECT_CODE(miow_tcp_connect(&out, NULL), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_bind(NULL, "127.0.0.1:0"), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_bind(&out, NULL), MIOW_EINVAL);
  EXPECT_CODE(miow_tcp_accept(k.listener, NULL, text, sizeof text), MIOW_EINVAL);
  assert_null(out);
  miow_source *rw[] = {k.stream, k.udp_peer};
  assert_int_equal(miow_udp_connect(k.udp_peer, k.udp_addr), 0);
  for (size_t i = 0; i < 2; i++) {
    EXPECT_CODE(miow_source_read(rw[i], data, sizeof data, NULL), MIOW_EINVAL);
    EXPECT_CODE(miow_source_read(rw[i], NULL, 4, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_peek(rw[i], data, sizeof data, NULL), MIOW_EINVAL);
    EXPECT_CODE(miow_source_peek(rw[i], NULL, 4, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_write(rw[i], data, sizeof data, NULL), MIOW_EINVAL);
    EXPECT_CODE(miow_source_write(rw[i], NULL, 4, &n), MIOW_EINVAL);
  }
  EXPECT_CODE(miow_udp_connect(k.udp, NULL), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_recv_from(k.udp, data, sizeof data, NULL, text, sizeof text), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_recv_from(k.udp, NULL, 4, &n, text, sizeof text), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_peek_from(k.udp, data, sizeof data, NULL, text, sizeof text), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_peek_from(k.udp, NULL, 4, &n, text, sizeof text), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_send_to(k.udp, data, sizeof data, k.peer_addr, NULL), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_send_to(k.udp, data, sizeof data, NULL, &n), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_send_to(k.udp, NULL, 4, k.peer_addr, &n), MIOW_EINVAL);
  EXPECT_CODE(miow_source_take_error(k.stream, NULL, NULL), MIOW_EINVAL);
  EXPECT_CODE(miow_source_local_address(k.stream, NULL, sizeof text), MIOW_EINVAL);
  EXPECT_CODE(miow_source_peer_address(k.stream, NULL, sizeof text), MIOW_EINVAL);
  EXPECT_CODE(miow_source_get_option(k.stream, MIOW_OPT_TTL, NULL), MIOW_EINVAL);
  expect_stream_unharmed();
}

static void test_bad_buffer_lists_are_invalid(void **state) {
  (void)state;
  static char bytes[MIOW_BUFFERS_MAX + 1];
  static miow_buffer many[MIOW_BUFFERS_MAX + 1];
  for (size_t i = 0; i <= MIOW_BUFFERS_MAX; i++) {
    many[i].data = &bytes[i];
    many[i].length = 1;
  }
  char data[8];
  const miow_buffer holed[] = {{data, sizeof data}, {NULL, 4}};
  size_t n = 0;
  assert_int_equal(miow_udp_connect(k.udp_peer, k.udp_addr), 0);
  miow_source *rw[] = {k.stream, k.udp_peer};
  for (size_t i = 0; i < 2; i++) {
    EXPECT_CODE(miow_source_readv(rw[i], many, MIOW_BUFFERS_MAX + 1, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_writev(rw[i], many, MIOW_BUFFERS_MAX + 1, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_readv(rw[i], NULL, 1, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_writev(rw[i], NULL, 1, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_readv(rw[i], holed, 2, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_writev(rw[i], holed, 2, &n), MIOW_EINVAL);
    EXPECT_CODE(miow_source_readv(rw[i], many, 1, NULL), MIOW_EINVAL);
    EXPECT_CODE(miow_source_writev(rw[i], many, 1, NULL), MIOW_EINVAL);
  }
  /* Nothing was sent by the refused writes. */
  char buf[8];
  EXPECT_CODE(miow_source_read(k.accepted, buf, sizeof buf, &n), MIOW_EWOULDBLOCK);
  EXPECT_CODE(miow_udp_recv_from(k.udp, buf, sizeof buf, &n, NULL, 0), MIOW_EWOULDBLOCK);
  expect_stream_unharmed();
}

static void test_bad_shutdown_direction_is_invalid(void **state) {
  (void)state;
  const int32_t bad[] = {0, 4, -1, 7, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    EXPECT_CODE(miow_source_shutdown(k.stream, bad[i]), MIOW_EINVAL);
  expect_stream_unharmed(); /* nothing was shut down */
}

static void test_unknown_options_and_values_out_of_range_are_invalid(void **state) {
  (void)state;
  int32_t value = 0;
  const int32_t unknown[] = {0, 8, -1, 1000, INT32_MIN};
  miow_source *each[] = {k.listener, k.stream, k.udp};
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < sizeof unknown / sizeof unknown[0]; j++) {
      EXPECT_CODE(miow_source_set_option(each[i], unknown[j], 1), MIOW_EINVAL);
      EXPECT_CODE(miow_source_get_option(each[i], unknown[j], &value), MIOW_EINVAL);
    }
  const struct {
    miow_source *src;
    int32_t option, value;
  } bad[] = {
      {k.stream, MIOW_OPT_NODELAY, 2},
      {k.stream, MIOW_OPT_NODELAY, -1},
      {k.stream, MIOW_OPT_TTL, 0},
      {k.stream, MIOW_OPT_TTL, 256},
      {k.listener, MIOW_OPT_TTL, -1},
      {k.udp, MIOW_OPT_TTL, 0},
      {k.udp, MIOW_OPT_BROADCAST, 2},
      {k.udp, MIOW_OPT_MULTICAST_LOOP_V4, 2},
      {k.udp, MIOW_OPT_MULTICAST_LOOP_V4, -1},
      {k.udp, MIOW_OPT_MULTICAST_TTL_V4, 256},
      {k.udp, MIOW_OPT_MULTICAST_TTL_V4, -1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    EXPECT_CODE(miow_source_set_option(bad[i].src, bad[i].option, bad[i].value), MIOW_EINVAL);
  /* The refused values changed nothing. */
  assert_int_equal(miow_source_set_option(k.stream, MIOW_OPT_TTL, 33), 0);
  EXPECT_CODE(miow_source_set_option(k.stream, MIOW_OPT_TTL, 0), MIOW_EINVAL);
  assert_int_equal(miow_source_get_option(k.stream, MIOW_OPT_TTL, &value), 0);
  assert_int_equal(value, 33);
}

static void test_option_for_another_kind_is_not_supported(void **state) {
  (void)state;
  int32_t value = 0;
  const struct {
    miow_source *src;
    int32_t option;
  } wrong[] = {
      {k.udp, MIOW_OPT_NODELAY},
      {k.stream, MIOW_OPT_BROADCAST},
      {k.stream, MIOW_OPT_MULTICAST_LOOP_V4},
      {k.stream, MIOW_OPT_MULTICAST_TTL_V4},
      {k.stream, MIOW_OPT_MULTICAST_LOOP_V6},
      {k.udp, MIOW_OPT_MULTICAST_LOOP_V6}, /* an IPv6 option on IPv4 */
      {k.udp, MIOW_OPT_ONLY_V6},
      {k.stream, MIOW_OPT_ONLY_V6},
      {k.listener, MIOW_OPT_ONLY_V6},
  };
  for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
    EXPECT_CODE(miow_source_set_option(wrong[i].src, wrong[i].option, 1), MIOW_ENOTSUP);
    EXPECT_CODE(miow_source_get_option(wrong[i].src, wrong[i].option, &value), MIOW_ENOTSUP);
  }
  if (!net_ipv6_available()) return;
  char addr[MIOW_ADDRESS_SIZE];
  miow_source *v6 = net_udp("[::1]:0", addr);
  EXPECT_CODE(miow_source_set_option(v6, MIOW_OPT_MULTICAST_LOOP_V4, 1), MIOW_ENOTSUP);
  EXPECT_CODE(miow_source_get_option(v6, MIOW_OPT_MULTICAST_TTL_V4, &value), MIOW_ENOTSUP);
  EXPECT_CODE(miow_source_set_option(v6, MIOW_OPT_NODELAY, 1), MIOW_ENOTSUP);
  assert_int_equal(miow_source_free(v6), 0);
}

static void test_multicast_of_the_other_family_or_bad_text_is_refused(void **state) {
  (void)state;
  const char *bad_v4[] = {NULL, "", "239.255.0.1:80", "239.255.0.256", "ff02::1", "[ff02::1]"};
  for (size_t i = 0; i < sizeof bad_v4 / sizeof bad_v4[0]; i++) {
    EXPECT_CODE(miow_udp_join_multicast_v4(k.udp, bad_v4[i], NULL), MIOW_EINVAL);
    EXPECT_CODE(miow_udp_leave_multicast_v4(k.udp, bad_v4[i], NULL), MIOW_EINVAL);
  }
  EXPECT_CODE(miow_udp_join_multicast_v4(k.udp, "239.255.0.1", "127.0.0.1:80"), MIOW_EINVAL);
  EXPECT_CODE(miow_udp_join_multicast_v4(k.udp, "239.255.0.1", "lo"), MIOW_EINVAL);
  /* An IPv6 join needs an IPv6 socket. */
  EXPECT_CODE(miow_udp_join_multicast_v6(k.udp, "ff02::7a:2", 0), MIOW_ENOTSUP);
  EXPECT_CODE(miow_udp_leave_multicast_v6(k.udp, "ff02::7a:2", 0), MIOW_ENOTSUP);
  if (!net_ipv6_available()) return;
  char addr[MIOW_ADDRESS_SIZE];
  miow_source *v6 = net_udp("[::1]:0", addr);
  EXPECT_CODE(miow_udp_join_multicast_v4(v6, "239.255.0.1", NULL), MIOW_ENOTSUP);
  EXPECT_CODE(miow_udp_leave_multicast_v4(v6, "239.255.0.1", NULL), MIOW_ENOTSUP);
  const char *bad_v6[] = {NULL, "", "[ff02::1]", "239.255.0.1", "ff02::1:80:", "ff02::1%"};
  for (size_t i = 0; i < sizeof bad_v6 / sizeof bad_v6[0]; i++) {
    EXPECT_CODE(miow_udp_join_multicast_v6(v6, bad_v6[i], 0), MIOW_EINVAL);
    EXPECT_CODE(miow_udp_leave_multicast_v6(v6, bad_v6[i], 0), MIOW_EINVAL);
  }
  assert_int_equal(miow_source_free(v6), 0);
}

static void test_new_error_codes_have_their_own_descriptions(void **state) {
  (void)state;
  const int32_t codes[] = {
      MIOW_OK,          MIOW_EINVAL,        MIOW_EBADHANDLE, MIOW_ENOMEM,       MIOW_EEXIST,
      MIOW_ENOENT,      MIOW_EBUSY,         MIOW_ENOTSOCK,   MIOW_ECLOSED,      MIOW_EOS,
      MIOW_EWOULDBLOCK, MIOW_ECONNREFUSED,  MIOW_ECONNRESET, MIOW_ECONNABORTED, MIOW_ENOTCONN,
      MIOW_EADDRINUSE,  MIOW_EADDRNOTAVAIL, MIOW_EMSGSIZE,   MIOW_ESHUTDOWN,    MIOW_ETIMEDOUT,
      MIOW_ENOTSUP,     MIOW_EPIPE};
  size_t n = sizeof codes / sizeof codes[0];
  for (size_t i = 0; i < n; i++) {
    const char *text = miow_strerror(codes[i]);
    assert_non_null(text);
    assert_string_not_equal(text, "unknown error");
    for (size_t j = 0; j < i; j++) assert_string_not_equal(text, miow_strerror(codes[j]));
  }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_null_handle_is_bad_for_every_net_call),
      T(test_freed_handles_are_bad_for_every_net_call),
      T(test_udp_calls_on_a_tcp_stream_are_not_supported),
      T(test_stream_calls_on_a_listener_are_not_supported),
      T(test_tcp_calls_on_the_wrong_kind_are_not_supported),
      T(test_owned_only_calls_on_a_caller_socket_are_not_supported),
      T(test_socket_is_available_on_every_kind),
      T(test_null_out_parameters_and_buffers_are_invalid),
      T(test_bad_buffer_lists_are_invalid),
      T(test_bad_shutdown_direction_is_invalid),
      T(test_unknown_options_and_values_out_of_range_are_invalid),
      T(test_option_for_another_kind_is_not_supported),
      T(test_multicast_of_the_other_family_or_bad_text_is_refused),
      T(test_new_error_codes_have_their_own_descriptions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

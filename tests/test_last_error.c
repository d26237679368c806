/* errors.h: successful calls leave miow_last_os_error() unchanged. Checked for every export,
 * from a table: each entry prepares the state in which its call succeeds (the preparation may
 * fail on purpose: a read that would block, say), then marks the thread's last error with a
 * failure of its own, then makes the call, which must succeed and leave that mark. A poll that
 * re-issued a pipe's deferred connect once left WSAEWOULDBLOCK behind (issue 13, item 3). */
#include <stdio.h>
#include <string.h>

#include "miow/epoll.h"
#include "support.h"

/* What an entry returns when a call in a loop succeeded but changed the last error. */
#define CHANGED INT32_MIN
/* What an entry returns when a call that does not return a code failed. */
#define FAILED (-1000)

/* The objects the entries work on, fresh for each entry. */
typedef struct fixture {
  miow_selector *sel;
  miow_source *listener, *client, *server; /* a TCP listener and a connected pair */
  char listener_addr[MIOW_ADDRESS_SIZE];
  miow_source *udp_a, *udp_b; /* two UDP sockets, `a` connected to `b` */
  char a_addr[MIOW_ADDRESS_SIZE], b_addr[MIOW_ADDRESS_SIZE];
  miow_source *pipe_server, *pipe_client; /* a connected pipe pair, registered */
  char pipe_name[PIPE_NAME_SIZE];
  bool marked;
} fixture;

/* The mark: the OS error a bad handle records, which no successful call has reason to write. */
static void mark(fixture *f) {
  assert_int_equal(miow_source_free(NULL), MIOW_EBADHANDLE);
  assert_int_equal(miow_last_os_error(), support_os_error(MIOW_EBADHANDLE));
  f->marked = true;
}

/* Polls `f->sel` once without waiting, for the completions a pipe needs to make progress. */
static void pump(fixture *f) {
  miow_event events[16];
  size_t count;
  assert_int_equal(miow_selector_poll(f->sel, events, 16, &count, 10), 0);
}

/* Writes `text` to `from` and waits until `to` has it queued (pumping the selector). */
static void pipe_deliver(fixture *f, miow_source *from, miow_source *to, const char *text) {
  size_t n = 0;
  assert_int_equal(miow_source_write(from, text, strlen(text), &n), 0);
  char buf[16];
  double deadline = support_now_ms() + 10000;
  while (miow_source_peek(to, buf, sizeof buf, &n) != 0 || n < strlen(text)) {
    assert_true(support_now_ms() < deadline);
    pump(f);
  }
}

static int setup(void **state) {
  static fixture f;
  memset(&f, 0, sizeof f);
  support_init();
  assert_int_equal(miow_selector_new(&f.sel), 0);
  f.listener = net_listen("127.0.0.1:0", f.listener_addr);
  net_tcp_pair("127.0.0.1:0", &f.client, &f.server);
  f.udp_a = net_udp("127.0.0.1:0", f.a_addr);
  f.udp_b = net_udp("127.0.0.1:0", f.b_addr);
  assert_int_equal(miow_udp_connect(f.udp_a, f.b_addr), 0);
  pipe_unique_name(f.pipe_name);
  assert_int_equal(miow_pipe_create(&f.pipe_server, f.pipe_name, 0), 0);
  assert_int_equal(miow_source_register(f.pipe_server, f.sel, 1, MIOW_READABLE), 0);
  assert_int_equal(miow_pipe_open(&f.pipe_client, f.pipe_name), 0);
  assert_int_equal(miow_source_register(f.pipe_client, f.sel, 2, MIOW_READABLE), 0);
  assert_int_equal(miow_pipe_connect(f.pipe_server), 0);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  miow_source *all[] = {f->listener, f->client,      f->server,     f->udp_a,
                        f->udp_b,    f->pipe_server, f->pipe_client};
  free_all(all, sizeof all / sizeof all[0]);
  assert_int_equal(miow_selector_free(f->sel), 0);
  return 0;
}

/* ---- the entries: prepare, mark(), then the call under test ---- */

static int32_t call_version(fixture *f) {
  mark(f);
  return miow_version() != 0 ? 0 : FAILED;
}

static int32_t call_version_string(fixture *f) {
  mark(f);
  return miow_version_string() != NULL ? 0 : FAILED;
}

static int32_t call_strerror(fixture *f) {
  mark(f);
  return strcmp(miow_strerror(MIOW_EINVAL), "unknown error") != 0 ? 0 : FAILED;
}

static int32_t call_last_os_error(fixture *f) {
  mark(f);
  return miow_last_os_error() == support_os_error(MIOW_EBADHANDLE) ? 0 : FAILED;
}

static int32_t call_selector_new_and_free(fixture *f) {
  miow_selector *s = NULL;
  mark(f);
  int32_t rc = miow_selector_new(&s);
  if (rc == 0) rc = miow_selector_free(s);
  return rc;
}

static int32_t call_selector_post(fixture *f) {
  mark(f);
  return miow_selector_post(f->sel, 7, MIOW_READABLE);
}

/* A poll that returns events of every kind: a post, a wake, a socket, a pipe. */
static int32_t call_selector_poll_with_events(fixture *f) {
  miow_waker *w;
  assert_int_equal(miow_waker_new(f->sel, 8, &w), 0);
  assert_int_equal(miow_waker_wake(w), 0);
  assert_int_equal(miow_selector_post(f->sel, 9, MIOW_WRITABLE), 0);
  assert_int_equal(miow_source_register(f->client, f->sel, 3, MIOW_READABLE | MIOW_WRITABLE), 0);
  pipe_deliver(f, f->pipe_server, f->pipe_client, "p");
  mark(f);
  miow_event events[16];
  size_t count = 0;
  int32_t rc = miow_selector_poll(f->sel, events, 16, &count, 1000);
  if (rc == 0 && count == 0) rc = FAILED;
  int32_t last = miow_last_os_error();
  assert_int_equal(miow_waker_free(w), 0);
  /* The cleanup above may record nothing either, but the result is taken before it. */
  return rc == 0 && last != support_os_error(MIOW_EBADHANDLE) ? CHANGED : rc;
}

/* A poll that re-issues the connect a server asked for while its previous client's connect
 * was still coming back (the connect after a disconnect with the old one in flight). */
static int32_t call_selector_poll_with_a_deferred_pipe_connect(fixture *f) {
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *server;
  assert_int_equal(miow_pipe_create(&server, name, 0), 0);
  assert_int_equal(miow_source_register(server, f->sel, 5, MIOW_WRITABLE), 0);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK);
  assert_int_equal(miow_pipe_disconnect(server), 0);
  assert_int_equal(miow_pipe_connect(server), MIOW_EWOULDBLOCK);
  int32_t rc = 0;
  for (int i = 0; i < 5 && rc == 0; i++) {
    mark(f);
    miow_event events[16];
    size_t count;
    rc = miow_selector_poll(f->sel, events, 16, &count, 20);
    if (rc == 0 && miow_last_os_error() != support_os_error(MIOW_EBADHANDLE)) rc = CHANGED;
  }
  assert_int_equal(miow_source_free(server), 0);
  if (rc == 0) mark(f);
  return rc;
}

static int32_t call_source_new_register_reregister_rearm_deregister_free(fixture *f) {
  miow_socket_t a, b;
  support_tcp_pair(&a, &b);
  miow_source *s = NULL;
  mark(f);
  int32_t rc = miow_source_new(&s, a);
  if (rc == 0) rc = miow_source_register(s, f->sel, 11, MIOW_READABLE | MIOW_EDGE);
  if (rc == 0) rc = miow_source_reregister(s, f->sel, 12, MIOW_WRITABLE | MIOW_ONESHOT);
  if (rc == 0) rc = miow_source_rearm(s);
  if (rc == 0) rc = miow_source_deregister(s, f->sel);
  if (rc == 0) rc = miow_source_free(s);
  support_close(a);
  support_close(b);
  return rc;
}

static int32_t call_waker_new_wake_free(fixture *f) {
  miow_waker *w = NULL;
  mark(f);
  int32_t rc = miow_waker_new(f->sel, 13, &w);
  if (rc == 0) rc = miow_waker_wake(w);
  if (rc == 0) rc = miow_waker_wake(w);
  if (rc == 0) rc = miow_waker_free(w);
  return rc;
}

static int32_t call_epoll_calls(fixture *f) {
  miow_socket_t a, b;
  support_tcp_pair(&a, &b);
  mark(f);
  int32_t rc = 0;
  miow_epoll_t ep = miow_epoll_create(1);
  miow_epoll_t ep1 = miow_epoll_create1(0);
  if (ep == NULL || ep1 == NULL) rc = FAILED;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data = {.u64 = 14}};
  if (rc == 0) rc = miow_epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
  struct epoll_event out[4];
  if (rc == 0 && miow_epoll_wait(ep, out, 4, 1000) != 1) rc = FAILED;
  ev.events = EPOLLIN | EPOLLONESHOT;
  if (rc == 0) rc = miow_epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev);
  if (rc == 0 && miow_epoll_wait(ep, out, 4, 0) != 0) rc = FAILED;
  if (rc == 0) rc = miow_epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL);
  if (ep != NULL && miow_epoll_close(ep) != 0) rc = FAILED;
  if (ep1 != NULL && miow_epoll_close(ep1) != 0) rc = FAILED;
  support_close(a);
  support_close(b);
  return rc;
}

static int32_t call_tcp_listen_connect_accept(fixture *f) {
  mark(f);
  miow_source *l = NULL, *c = NULL, *s = NULL;
  char addr[MIOW_ADDRESS_SIZE], peer[MIOW_ADDRESS_SIZE];
  int32_t rc = miow_tcp_listen(&l, "127.0.0.1:0", 0);
  if (rc == 0) rc = miow_source_local_address(l, addr, sizeof addr);
  if (rc == 0) rc = miow_tcp_connect(&c, addr);
  /* Accept once the connection is there; only the call that succeeds is checked. */
  double deadline = support_now_ms() + 10000;
  while (rc == 0 && (rc = miow_tcp_accept(l, &s, peer, sizeof peer)) == MIOW_EWOULDBLOCK &&
         support_now_ms() < deadline) {
    support_sleep_ms(5);
    rc = 0;
    mark(f);
  }
  if (s != NULL) assert_int_equal(miow_source_free(s), 0);
  if (c != NULL) assert_int_equal(miow_source_free(c), 0);
  if (l != NULL) assert_int_equal(miow_source_free(l), 0);
  return rc;
}

static int32_t call_udp_calls(fixture *f) {
  size_t n;
  char buf[16], from[MIOW_ADDRESS_SIZE];
  mark(f);
  miow_source *u = NULL;
  int32_t rc = miow_udp_bind(&u, "127.0.0.1:0");
  if (rc == 0) rc = miow_source_free(u);
  if (rc == 0) rc = miow_udp_send_to(f->udp_b, "d1", 2, f->a_addr, &n);
  if (rc == 0) n = net_recv_from(f->udp_a, buf, sizeof buf, from), mark(f);
  if (rc == 0) rc = miow_udp_send_to(f->udp_b, "d2", 2, f->a_addr, &n);
  double deadline = support_now_ms() + 10000;
  while (rc == 0 && miow_udp_peek_from(f->udp_a, buf, sizeof buf, &n, from, sizeof from) != 0) {
    assert_true(support_now_ms() < deadline);
    support_sleep_ms(5);
    mark(f);
  }
  if (rc == 0) rc = miow_udp_peek_from(f->udp_a, buf, sizeof buf, &n, from, sizeof from);
  if (rc == 0) rc = miow_udp_recv_from(f->udp_a, buf, sizeof buf, &n, from, sizeof from);
  if (rc == 0) rc = miow_udp_connect(f->udp_a, f->b_addr);
  return rc;
}

/* A host's socket taken in and given back. */
static int32_t call_adopt_and_release(fixture *f) {
  miow_socket_t client, server, back = 0;
  support_tcp_pair(&client, &server);
  miow_source *src = NULL;
  mark(f);
  int32_t rc = miow_source_adopt_socket(&src, server);
  if (rc == 0) rc = miow_source_release(src, &back);
  support_close(server);
  support_close(client);
  return rc;
}

/* Instances of one name: the second joins the first, and a client binds to one of them. */
static int32_t call_pipe_instances(fixture *f) {
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *a = NULL, *b = NULL, *c = NULL;
  mark(f);
  int32_t rc = miow_pipe_create_ex(&a, name, 0, 0, MIOW_PIPE_FIRST_INSTANCE);
  if (rc == 0) rc = miow_pipe_create_ex(&b, name, 0, 4, 0);
  if (rc == 0) rc = miow_pipe_open(&c, name);
  if (c != NULL && rc == 0) rc = miow_source_free(c);
  if (b != NULL && rc == 0) rc = miow_source_free(b);
  if (a != NULL && rc == 0) rc = miow_source_free(a);
  return rc;
}

/* The creation calls with flags, and a dual-stack socket's IPv4 destinations, which ask the
 * socket whether it is dual-stack. */
static int32_t call_dual_stack_calls(fixture *f) {
  mark(f);
  if (!net_ipv6_available()) return 0;
  miow_source *l = NULL, *u = NULL;
  size_t n;
  mark(f);
  int32_t rc = miow_tcp_listen_ex(&l, "[::]:0", 0, MIOW_NET_DUAL_STACK);
  if (rc == 0) rc = miow_source_free(l);
  if (rc == 0) rc = miow_udp_bind_ex(&u, "[::]:0", MIOW_NET_DUAL_STACK);
  if (rc == 0) rc = miow_udp_send_to(u, "d", 1, f->a_addr, &n);
  if (rc == 0) rc = miow_udp_connect(u, f->a_addr);
  if (u != NULL && rc == 0) rc = miow_source_free(u);
  return rc;
}

/* Joining may be refused where no interface can carry multicast; then the join is not checked
 * (its refusal is a failure, which rightly records), but leave's refusal is not either. */
static int32_t call_multicast(fixture *f) {
  mark(f);
  int32_t rc = miow_udp_join_multicast_v4(f->udp_b, "239.255.77.3", "127.0.0.1");
  if (rc == 0) rc = miow_udp_leave_multicast_v4(f->udp_b, "239.255.77.3", "127.0.0.1");
  if (rc != 0) {
    print_message("note: IPv4 multicast refused here (%s); not checked\n", miow_strerror(rc));
    mark(f);
    rc = 0;
  }
  miow_source *v6 = NULL;
  if (miow_udp_bind(&v6, "[::1]:0") != 0) {
    mark(f);
    return 0;
  }
  mark(f);
  rc = miow_udp_join_multicast_v6(v6, "ff02::7a:3", 0);
  if (rc == 0) rc = miow_udp_leave_multicast_v6(v6, "ff02::7a:3", 0);
  if (rc != 0) print_message("note: IPv6 multicast refused here (%s); not checked\n",
                             miow_strerror(rc));
  assert_int_equal(miow_source_free(v6), 0);
  mark(f);
  return 0;
}

static int32_t call_stream_io(fixture *f) {
  size_t n;
  char buf[16] = "abcdefghijklmno";
  miow_buffer vec[] = {{buf, 2}, {buf + 2, 2}};
  mark(f);
  int32_t rc = miow_source_write(f->client, "ab", 2, &n);
  if (rc == 0) rc = miow_source_writev(f->client, vec, 2, &n);
  if (rc == 0) n = net_wait_queued(f->server, 6), mark(f);
  if (rc == 0) rc = miow_source_peek(f->server, buf, 2, &n);
  if (rc == 0) rc = miow_source_read(f->server, buf, 2, &n);
  if (rc == 0) rc = miow_source_readv(f->server, vec, 2, &n);
  return rc;
}

static int32_t call_socket_control(fixture *f) {
  char addr[MIOW_ADDRESS_SIZE];
  int32_t value = 0, error = 0, os_error = 0;
  miow_socket_t raw;
  mark(f);
  int32_t rc = miow_source_local_address(f->client, addr, sizeof addr);
  if (rc == 0) rc = miow_source_peer_address(f->client, addr, sizeof addr);
  if (rc == 0) rc = miow_source_set_option(f->client, MIOW_OPT_NODELAY, 1);
  if (rc == 0) rc = miow_source_get_option(f->client, MIOW_OPT_NODELAY, &value);
  if (rc == 0) rc = miow_source_take_error(f->client, &error, &os_error);
  if (rc == 0) rc = miow_source_socket(f->client, &raw);
  if (rc == 0) rc = miow_source_shutdown(f->client, MIOW_SHUT_WRITE);
  return rc;
}

static int32_t call_pipe_calls(fixture *f) {
  size_t n;
  char buf[16] = "abcdefghijklmno";
  miow_buffer vec[] = {{buf, 1}, {buf + 1, 1}};
  pipe_deliver(f, f->pipe_client, f->pipe_server, "xyz");
  mark(f);
  int32_t rc = miow_source_peek(f->pipe_server, buf, 1, &n);
  if (rc == 0) rc = miow_source_read(f->pipe_server, buf, 1, &n);
  if (rc == 0) rc = miow_source_readv(f->pipe_server, vec, 2, &n);
  if (rc == 0) rc = miow_source_write(f->pipe_server, "w", 1, &n);
  if (rc != 0) return rc;
  /* One write is in flight at a time: the vectored one is taken once that one is done. */
  double deadline = support_now_ms() + 10000;
  while (miow_source_writev(f->pipe_server, vec, 2, &n) == MIOW_EWOULDBLOCK) {
    assert_true(support_now_ms() < deadline);
    pump(f);
    mark(f);
  }
  int32_t error = 0, os_error = 0;
  rc = miow_source_take_error(f->pipe_server, &error, &os_error);
  if (rc == 0) rc = miow_pipe_disconnect(f->pipe_server);
  /* A new server end and client end: create, open, connect. */
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *server = NULL, *client = NULL;
  if (rc == 0) rc = miow_pipe_create(&server, name, 0);
  if (rc == 0) rc = miow_source_register(server, f->sel, 21, MIOW_READABLE);
  if (rc == 0) rc = miow_pipe_open(&client, name);
  if (rc == 0) rc = miow_pipe_connect(server);
  if (client != NULL) assert_int_equal(miow_source_free(client), 0);
  if (server != NULL) assert_int_equal(miow_source_free(server), 0);
  return rc;
}

typedef struct entry {
  const char *name;
  int32_t (*call)(fixture *f);
} entry;

#define E(fn) {#fn, fn}
static const entry entries[] = {
    E(call_version),
    E(call_version_string),
    E(call_strerror),
    E(call_last_os_error),
    E(call_selector_new_and_free),
    E(call_selector_post),
    E(call_selector_poll_with_events),
    E(call_selector_poll_with_a_deferred_pipe_connect),
    E(call_source_new_register_reregister_rearm_deregister_free),
    E(call_waker_new_wake_free),
    E(call_epoll_calls),
    E(call_tcp_listen_connect_accept),
    E(call_udp_calls),
    E(call_dual_stack_calls),
    E(call_pipe_instances),
    E(call_adopt_and_release),
    E(call_multicast),
    E(call_stream_io),
    E(call_socket_control),
    E(call_pipe_calls),
};

/* One cmocka test per entry, each with its own fixture. */
static const entry *current;

static void test_successful_call_leaves_last_os_error_unchanged(void **state) {
  fixture *f = *state;
  f->marked = false;
  int32_t rc = current->call(f);
  if (rc == CHANGED) fail_msg("%s: a successful poll changed miow_last_os_error()", current->name);
  if (rc != 0) fail_msg("%s: a call failed: %d (%s)", current->name, (int)rc, miow_strerror(rc));
  if (!f->marked) fail_msg("%s never marked the last error", current->name);
  int32_t last = miow_last_os_error();
  if (last != support_os_error(MIOW_EBADHANDLE))
    fail_msg("%s: a successful call changed miow_last_os_error() to %d", current->name,
             (int)last);
}

int main(void) {
  int failed = 0;
  for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
    current = &entries[i];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_successful_call_leaves_last_os_error_unchanged,
                                        setup, teardown),
    };
    printf("entry %s\n", current->name);
    fflush(stdout);
    failed += _cmocka_run_group_tests(current->name, tests, 1, NULL, NULL);
  }
  return failed;
}

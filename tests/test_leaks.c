/* Full lifecycles leak nothing: thousands of rounds of a selector with a waker, posts, an epoll
 * handle, TCP and UDP sockets and a pipe pair, each used and freed, leave the process's OS
 * handles (descriptors on Linux) as they were. Two probes, because each misses what the other
 * sees: how many handles are open (support_handle_probe(): under Wine 8, whose
 * GetProcessHandleCount always says 0, a scan of handle values; /proc/self/fd on Linux), and
 * which value the next handle gets (Wine and Linux hand out the lowest free slot, so a leaked
 * handle below the lowest shows; see /work/shared/reference/wine-notes.md). Memory is checked
 * by the sanitizer and valgrind builds, which run this test too. A second test leaks on
 * purpose and must be caught by the same probes, so the first cannot pass by being blind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miow/epoll.h"
#include "support.h"

/* MIOW_LEAK_CYCLES overrides the number of rounds (valgrind runs fewer). */
static int cycles(void) {
  const char *env = getenv("MIOW_LEAK_CYCLES");
  return env != NULL ? atoi(env) : 2000;
}

/* Polls `sel` until `token` is reported readable (5 s at most). */
static void await_readable(miow_selector *sel, uint64_t token) {
  assert_true(poll_until(sel, token, MIOW_READABLE, 5000) & MIOW_READABLE);
}

/* One round: every kind of object made, used and freed. */
static void lifecycle(void) {
  miow_selector *sel;
  assert_int_equal(miow_selector_new(&sel), 0);

  miow_waker *w;
  assert_int_equal(miow_waker_new(sel, 1, &w), 0);
  assert_int_equal(miow_waker_wake(w), 0);
  assert_int_equal(miow_selector_post(sel, 2, MIOW_WRITABLE), 0);
  await_readable(sel, 1);

  /* TCP: listener, connect, accept, a byte each way through the selector. */
  char address[MIOW_ADDRESS_SIZE];
  miow_source *listener = net_listen("127.0.0.1:0", address);
  miow_source *client, *server;
  assert_int_equal(miow_tcp_connect(&client, address), 0);
  assert_int_equal(miow_source_register(listener, sel, 3, MIOW_READABLE), 0);
  server = net_accept(listener);
  assert_int_equal(miow_source_register(server, sel, 4, MIOW_READABLE | MIOW_EDGE), 0);
  net_wait_connected(client);
  net_write_all(client, "t", 1);
  await_readable(sel, 4);
  char buf[8];
  net_read_exact(server, buf, 1);

  /* UDP. */
  char a_addr[MIOW_ADDRESS_SIZE], b_addr[MIOW_ADDRESS_SIZE];
  miow_source *a = net_udp("127.0.0.1:0", a_addr);
  miow_source *b = net_udp("127.0.0.1:0", b_addr);
  assert_int_equal(miow_source_register(b, sel, 5, MIOW_READABLE), 0);
  size_t n;
  assert_int_equal(miow_udp_send_to(a, "u", 1, b_addr, &n), 0);
  assert_int_equal(net_recv_from(b, buf, sizeof buf, NULL), 1);

  /* A pipe pair, with a byte through it. */
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *ps, *pc;
  assert_int_equal(miow_pipe_create(&ps, name, 0), 0);
  assert_int_equal(miow_source_register(ps, sel, 6, MIOW_READABLE), 0);
  assert_int_equal(miow_pipe_open(&pc, name), 0);
  assert_int_equal(miow_source_register(pc, sel, 7, MIOW_WRITABLE), 0);
  assert_int_equal(miow_pipe_connect(ps), 0);
  double deadline = support_now_ms() + 5000;
  while (miow_source_write(pc, "p", 1, &n) != 0) {
    assert_true(support_now_ms() < deadline);
    (void)poll_once(sel, 0, 10);
  }
  while (miow_source_read(ps, buf, sizeof buf, &n) != 0) {
    assert_true(support_now_ms() < deadline);
    (void)poll_once(sel, 0, 10);
  }

  /* An epoll handle with a socket the library does not own. */
  miow_socket_t x, y;
  support_tcp_pair(&x, &y);
  miow_epoll_t ep = miow_epoll_create1(0);
  assert_non_null(ep);
  struct epoll_event ev = {.events = EPOLLOUT, .data = {.u64 = 8}};
  assert_int_equal(miow_epoll_ctl(ep, EPOLL_CTL_ADD, x, &ev), 0);
  struct epoll_event out[2];
  assert_int_equal(miow_epoll_wait(ep, out, 2, 5000), 1);
  assert_int_equal(miow_epoll_close(ep), 0);
  support_close(x);
  support_close(y);

  /* Freed in an order that leaves registrations for the frees to end. */
  miow_source *all[] = {pc, ps, b, a, server, client, listener};
  free_all(all, sizeof all / sizeof all[0]);
  assert_int_equal(miow_waker_free(w), 0);
  assert_int_equal(miow_selector_free(sel), 0);
}

typedef struct probes {
  uint64_t count, lowest;
} probes;

static probes probe(void) { return (probes){support_handle_probe(), support_lowest_free_handle()}; }

static void test_full_lifecycles_leave_handles_as_they_were(void **state) {
  (void)state;
  lifecycle(); /* the first round allocates what a process keeps (Winsock, threads, ...) */
  probes before = probe();
  int rounds = cycles();
  for (int i = 0; i < rounds; i++) lifecycle();
  probes after = probe();
  print_message("%d lifecycles: %llu handles before, %llu after; lowest free %llu, then %llu\n",
                rounds, (unsigned long long)before.count, (unsigned long long)after.count,
                (unsigned long long)before.lowest, (unsigned long long)after.lowest);
  assert_int_equal(after.count, before.count);
  assert_int_equal(after.lowest, before.lowest);
}

/* The probes catch a leak: sources kept alive hold their sockets and pipes, and the counts
 * move; once they are freed, the counts come back. */
static void test_a_deliberate_leak_is_caught(void **state) {
  (void)state;
  lifecycle();
  probes before = probe();
  enum { LEAKED = 3 };
  miow_source *kept[LEAKED];
  char address[MIOW_ADDRESS_SIZE], name[PIPE_NAME_SIZE];
  kept[0] = net_listen("127.0.0.1:0", address);
  kept[1] = net_udp("127.0.0.1:0", address);
  pipe_unique_name(name);
  assert_int_equal(miow_pipe_create(&kept[2], name, 0), 0);
  lifecycle();
  probes leaking = probe();
  print_message("leaking %d sources: %llu handles (was %llu), lowest free %llu (was %llu)\n",
                LEAKED, (unsigned long long)leaking.count, (unsigned long long)before.count,
                (unsigned long long)leaking.lowest, (unsigned long long)before.lowest);
  assert_true(leaking.count >= before.count + LEAKED);
  assert_true(leaking.lowest != before.lowest);
  free_all(kept, LEAKED);
  probes after = probe();
  assert_int_equal(after.count, before.count);
  assert_int_equal(after.lowest, before.lowest);
}

int main(void) {
  support_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_deliberate_leak_is_caught),
      cmocka_unit_test(test_full_lifecycles_leave_handles_as_they_were),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Pipe servers with many instances of one name (miow_pipe_create_ex): a server that keeps one
 * instance listening while the others serve their clients, the instance limit and the
 * first-instance flag (mio's named-pipe server pattern, and the .NET NamedPipeServerStream
 * one). The same file runs against every backend. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define CLIENTS 100
#define ECHO_BYTES (64 * 1024)
#define WAIT_MS 60000.0

/* Tokens: a client is CLIENT_TOKEN + i, the server instance serving it SERVER_TOKEN + i. */
#define CLIENT_TOKEN 1000u
#define SERVER_TOKEN 2000u

static miow_selector *sel;

static uint8_t pattern_byte(size_t stream, size_t offset) {
  uint32_t x = (uint32_t)offset * 2654435761u + (uint32_t)stream * 40503u;
  return (uint8_t)(x >> 24);
}

/* One end of an echo: `out` holds what is still to be written, `in` what was read. */
typedef struct end {
  miow_source *src;
  uint8_t *data;    /* a client's pattern; a server's bytes to echo back */
  size_t read;      /* bytes read so far */
  size_t written;   /* bytes written so far */
  bool is_server;
} end;

static end clients[CLIENTS], servers[CLIENTS + 1];
static size_t clients_done;

/* Moves what `e` can move now, until both directions would block (edge mode: the calls
 * that would block re-arm). A client writes its pattern and reads the echo; a server reads
 * and writes back what it read. */
static void pump_end(end *e, size_t index) {
  for (bool progress = true; progress;) {
    progress = false;
    size_t limit = e->is_server ? e->read : ECHO_BYTES;
    if (e->written < limit) {
      size_t n = 0;
      int32_t rc = miow_source_write(e->src, e->data + e->written, limit - e->written, &n);
      if (rc == 0) {
        e->written += n;
        progress = n > 0;
      } else if (rc != MIOW_EWOULDBLOCK) {
        fail_msg("%s %u: write: %s", e->is_server ? "server" : "client", (unsigned)index,
                 miow_strerror(rc));
      }
    }
    if (e->read < ECHO_BYTES) {
      uint8_t buf[8192];
      size_t n = 0;
      int32_t rc = miow_source_read(e->src, buf, sizeof buf, &n);
      if (rc == 0) {
        if (n == 0) fail_msg("end of stream at %u of %u", (unsigned)e->read, ECHO_BYTES);
        if (e->read + n > ECHO_BYTES) fail_msg("more bytes than were sent");
        if (e->is_server) {
          memcpy(e->data + e->read, buf, n);
        } else {
          for (size_t i = 0; i < n; i++) {
            if (buf[i] != pattern_byte(index, e->read + i))
              fail_msg("client %u: wrong byte at %u", (unsigned)index, (unsigned)(e->read + i));
          }
        }
        e->read += n;
        progress = true;
        if (!e->is_server && e->read == ECHO_BYTES) clients_done++;
      } else if (rc != MIOW_EWOULDBLOCK) {
        fail_msg("%s %u: read: %s", e->is_server ? "server" : "client", (unsigned)index,
                 miow_strerror(rc));
      }
    }
  }
}

/* Creates the next server instance, registered and listening (its connect outstanding). */
static void listen_next(const char *name, size_t index) {
  end *e = &servers[index];
  memset(e, 0, sizeof *e);
  e->is_server = true;
  e->data = malloc(ECHO_BYTES);
  assert_non_null(e->data);
  uint32_t flags = index == 0 ? MIOW_PIPE_FIRST_INSTANCE : 0;
  assert_int_equal(miow_pipe_create_ex(&e->src, name, 65536, 0, flags), 0);
  assert_int_equal(miow_source_register(e->src, sel, SERVER_TOKEN + index,
                                        MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE),
                   0);
  int32_t rc = miow_pipe_connect(e->src);
  assert_true(rc == MIOW_EWOULDBLOCK || rc == 0);
}

/* Polls once and moves what the reported ends can move. The listening instance that got its
 * client is followed by a new listening one; returns how many instances took a client. */
static size_t serve_once(const char *name, size_t *listening, bool echo) {
  miow_event events[64];
  size_t count = 0;
  assert_int_equal(miow_selector_poll(sel, events, 64, &count, 50), 0);
  size_t connected = 0;
  for (size_t i = 0; i < count; i++) {
    uint64_t token = events[i].token;
    if (token >= SERVER_TOKEN && token - SERVER_TOKEN == *listening) {
      int32_t rc = miow_pipe_connect(servers[*listening].src);
      if (rc == MIOW_EWOULDBLOCK) continue;
      assert_int_equal(rc, 0);
      connected++;
      listen_next(name, ++*listening);
    } else if (echo && token >= SERVER_TOKEN) {
      pump_end(&servers[token - SERVER_TOKEN], (size_t)(token - SERVER_TOKEN));
    } else if (echo && token >= CLIENT_TOKEN) {
      pump_end(&clients[token - CLIENT_TOKEN], (size_t)(token - CLIENT_TOKEN));
    }
  }
  return connected;
}

static void test_server_keeping_one_instance_listening_echoes_64k_with_100_clients_at_once(
    void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  size_t listening = 0;
  listen_next(name, 0);
  double deadline = support_now_ms() + WAIT_MS;
  /* Each client opens the one listening instance; the server then takes it and listens with
   * a new instance, so that the next client finds one. */
  for (size_t i = 0; i < CLIENTS; i++) {
    end *c = &clients[i];
    memset(c, 0, sizeof *c);
    c->data = malloc(ECHO_BYTES);
    assert_non_null(c->data);
    for (size_t k = 0; k < ECHO_BYTES; k++) c->data[k] = pattern_byte(i, k);
    assert_int_equal(miow_pipe_open(&c->src, name), 0);
    assert_int_equal(miow_source_register(c->src, sel, CLIENT_TOKEN + i,
                                          MIOW_READABLE | MIOW_WRITABLE | MIOW_EDGE),
                     0);
    while (listening == i) {
      (void)serve_once(name, &listening, false);
      if (support_now_ms() > deadline) fail_msg("instance %u never took its client", (unsigned)i);
    }
  }
  /* 100 instances serve a client each, at once, and one more listens. */
  assert_int_equal(listening, CLIENTS);
  clients_done = 0;
  for (size_t i = 0; i < CLIENTS; i++) pump_end(&clients[i], i);
  for (size_t i = 0; i < CLIENTS; i++) pump_end(&servers[i], i);
  while (clients_done < CLIENTS) {
    (void)serve_once(name, &listening, true);
    if (support_now_ms() > deadline)
      fail_msg("%u of %u clients got their echo", (unsigned)clients_done, CLIENTS);
  }
  for (size_t i = 0; i < CLIENTS; i++) {
    assert_int_equal(servers[i].written, ECHO_BYTES);
    assert_int_equal(miow_source_free(clients[i].src), 0);
    free(clients[i].data);
  }
  for (size_t i = 0; i <= CLIENTS; i++) {
    assert_int_equal(miow_source_free(servers[i].src), 0);
    free(servers[i].data);
  }
}

/* Polls until `server`'s connect returns 0. */
static void connect_now(miow_source *server) {
  double deadline = support_now_ms() + 10000;
  int32_t rc;
  while ((rc = miow_pipe_connect(server)) == MIOW_EWOULDBLOCK) {
    (void)poll_once(sel, 0, 10);
    if (support_now_ms() > deadline) fail_msg("the connect never completed");
  }
  assert_int_equal(rc, 0);
}

static void test_pipe_busy_comes_only_beyond_the_instance_limit(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *server[3], *client[4], *extra = NULL;
  for (int i = 0; i < 3; i++) {
    assert_int_equal(miow_pipe_create_ex(&server[i], name, 0, 3, 0), 0);
    assert_int_equal(miow_source_register(server[i], sel, SERVER_TOKEN + (uint64_t)i,
                                          MIOW_READABLE),
                     0);
  }
  /* A fourth instance is beyond the limit. */
  assert_int_equal(miow_pipe_create_ex(&extra, name, 0, 3, 0), MIOW_EPIPEBUSY);
  assert_null(extra);
  /* Three clients find an instance each, before the server connects any; a fourth finds
   * none. */
  for (int i = 0; i < 3; i++) assert_int_equal(miow_pipe_open(&client[i], name), 0);
  assert_int_equal(miow_pipe_open(&client[3], name), MIOW_EPIPEBUSY);
  for (int i = 0; i < 3; i++) connect_now(server[i]);
  assert_int_equal(miow_pipe_open(&client[3], name), MIOW_EPIPEBUSY);
  /* An instance between clients is not listening either, until it connects again. */
  assert_int_equal(miow_pipe_disconnect(server[0]), 0);
  assert_int_equal(miow_pipe_open(&client[3], name), MIOW_EPIPEBUSY);
  int32_t rc = miow_pipe_connect(server[0]);
  assert_true(rc == MIOW_EWOULDBLOCK || rc == 0);
  assert_int_equal(miow_pipe_open(&client[3], name), 0);
  connect_now(server[0]);
  /* The new client is served by the instance that listened. */
  size_t n = 0;
  assert_int_equal(miow_source_register(client[3], sel, CLIENT_TOKEN, MIOW_READABLE), 0);
  char byte = 0;
  double deadline = support_now_ms() + 10000;
  while ((rc = miow_source_write(server[0], "!", 1, &n)) == MIOW_EWOULDBLOCK) {
    (void)poll_once(sel, 0, 10);
    assert_true(support_now_ms() < deadline);
  }
  assert_int_equal(rc, 0);
  while ((rc = miow_source_read(client[3], &byte, 1, &n)) == MIOW_EWOULDBLOCK) {
    (void)poll_once(sel, 0, 10);
    assert_true(support_now_ms() < deadline);
  }
  assert_int_equal(rc, 0);
  assert_int_equal(n, 1);
  assert_int_equal(byte, '!');
  /* An instance freed makes room for a new one. */
  assert_int_equal(miow_source_free(server[2]), 0);
  assert_int_equal(miow_pipe_create_ex(&extra, name, 0, 3, 0), 0);
  assert_int_equal(miow_source_free(extra), 0);
  for (int i = 0; i < 4; i++) assert_int_equal(miow_source_free(client[i]), 0);
  assert_int_equal(miow_source_free(server[0]), 0);
  assert_int_equal(miow_source_free(server[1]), 0);
}

static void test_first_instance_flag_refuses_a_name_that_exists(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *first, *joined, *refused = NULL;
  assert_int_equal(miow_pipe_create_ex(&first, name, 0, 0, MIOW_PIPE_FIRST_INSTANCE), 0);
  int32_t rc = miow_pipe_create_ex(&refused, name, 0, 0, MIOW_PIPE_FIRST_INSTANCE);
  if (support_is_wine() && rc == 0) {
    /* Wine 8 ignores FILE_FLAG_FIRST_PIPE_INSTANCE (docs/pipes.md): the instance joins. */
    print_message("note: Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE\n");
    assert_int_equal(miow_source_free(refused), 0);
  } else {
    assert_int_equal(rc, MIOW_EADDRINUSE);
    assert_int_equal(miow_pipe_create(&refused, name, 0), MIOW_EADDRINUSE);
    assert_null(refused);
  }
  /* Without the flag, an instance joins the name. */
  assert_int_equal(miow_pipe_create_ex(&joined, name, 0, 0, 0), 0);
  free_both(joined, first);
}

/* miow_pipe_create() keeps its meaning: the only instance of its name, whose limit of one
 * holds for instances that would join it later. */
static void test_plain_create_is_the_only_instance_of_its_name(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *only, *refused = NULL;
  assert_int_equal(miow_pipe_create(&only, name, 0), 0);
  assert_int_equal(miow_pipe_create_ex(&refused, name, 0, 0, 0), MIOW_EPIPEBUSY);
  assert_null(refused);
  assert_int_equal(miow_source_free(only), 0);
  /* Once the name is gone it can be created again. */
  assert_int_equal(miow_pipe_create_ex(&only, name, 0, 0, MIOW_PIPE_FIRST_INSTANCE), 0);
  assert_int_equal(miow_source_free(only), 0);
}

static void test_bad_instance_limit_or_flags_are_invalid(void **state) {
  (void)state;
  char name[PIPE_NAME_SIZE];
  pipe_unique_name(name);
  miow_source *src = NULL;
  assert_int_equal(miow_pipe_create_ex(&src, name, 0, MIOW_PIPE_INSTANCES_MAX + 1, 0),
                   MIOW_EINVAL);
  assert_int_equal(miow_pipe_create_ex(&src, name, 0, 1, 0x2u), MIOW_EINVAL);
  assert_int_equal(miow_pipe_create_ex(NULL, name, 0, 1, 0), MIOW_EINVAL);
  assert_int_equal(miow_pipe_create_ex(&src, "not a pipe name", 0, 1, 0), MIOW_EINVAL);
  assert_null(src);
  assert_int_equal(miow_pipe_create_ex(&src, name, 0, MIOW_PIPE_INSTANCES_MAX, 0), 0);
  assert_int_equal(miow_source_free(src), 0);
}

#define T(name)                                                          \
  cmocka_unit_test_prestate_setup_teardown(name, support_selector_setup, \
                                           support_selector_teardown, &sel)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_server_keeping_one_instance_listening_echoes_64k_with_100_clients_at_once),
      T(test_pipe_busy_comes_only_beyond_the_instance_limit),
      T(test_first_instance_flag_refuses_a_name_that_exists),
      T(test_plain_create_is_the_only_instance_of_its_name),
      T(test_bad_instance_limit_or_flags_are_invalid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

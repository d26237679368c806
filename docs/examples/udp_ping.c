/* udp_ping: two UDP sockets on loopback play ping-pong through one miowin selector, in edge
 * mode, with the library's own sockets and I/O calls only (no OS header; the same file builds
 * for Windows and Linux).
 *
 * The pinger is connected to the ponger (miow_udp_connect), so it sends and receives with
 * miow_source_write() and miow_source_read(), and the OS drops datagrams from anyone else. The
 * ponger answers whoever wrote to it, with miow_udp_recv_from() and miow_udp_send_to(). The
 * pinger sends PING_COUNT numbered pings, one at a time; each pong must carry the number of the
 * ping it answers.
 *
 * UDP may lose a datagram (over loopback it practically never does): a ping unanswered after
 * RESEND_MS is sent again, and a pong for an earlier ping, which a resend can cause, is skipped.
 * As in echo_demo.c, the I/O calls re-arm the edge registrations whenever they return
 * MIOW_EWOULDBLOCK, so each handler reads until then.
 *
 * Exit status 0 and a last line "udp ping: OK" on success; 1 and a reason on any failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miowin.h"

#define PING_COUNT 10
#define RESEND_MS 500
#define MAX_RESENDS 10

#define TOKEN_PINGER 1
#define TOKEN_PONGER 2

typedef struct ping {
  miow_selector *sel;
  miow_source *pinger;
  miow_source *ponger;
  unsigned next;    /* the number of the ping waiting for its pong; PING_COUNT when done */
  unsigned resends; /* how often a ping had to be sent again */
} ping;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("udp ping: FAILED: ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
  exit(1);
}

static void check(int32_t rc, const char *what) {
  if (rc != MIOW_OK) {
    die("%s: %s (code %d, OS error %d)", what, miow_strerror(rc), (int)rc,
        (int)miow_last_os_error());
  }
}

/* The number in a datagram "<word> <number>", or -1 if the datagram is anything else. */
static long number_in(const char *datagram, size_t length, const char *word) {
  size_t w = strlen(word);
  if (length <= w + 1 || length > w + 10 || memcmp(datagram, word, w) != 0 || datagram[w] != ' ')
    return -1;
  long number = 0;
  for (size_t i = w + 1; i < length; i++) {
    if (datagram[i] < '0' || datagram[i] > '9') return -1;
    number = number * 10 + (datagram[i] - '0');
  }
  return number;
}

/* Sends ping number p->next. A full send buffer loses the ping, as the network could: the
 * resend timer covers both. */
static void send_ping(ping *p) {
  char datagram[32];
  int length = snprintf(datagram, sizeof datagram, "ping %u", p->next);
  size_t sent;
  int32_t rc = miow_source_write(p->pinger, datagram, (size_t)length, &sent);
  if (rc == MIOW_EWOULDBLOCK) return;
  check(rc, "miow_source_write(pinger)");
  if (sent != (size_t)length) die("a datagram was sent in part");
  printf("pinger: sent \"%s\"\n", datagram);
}

/* Answers every ping that is waiting, to the address it came from. */
static void ponger_ready(ping *p) {
  for (;;) {
    char datagram[64];
    char from[MIOW_ADDRESS_SIZE];
    size_t length;
    int32_t rc =
        miow_udp_recv_from(p->ponger, datagram, sizeof datagram, &length, from, sizeof from);
    if (rc == MIOW_EWOULDBLOCK) return; /* drained; armed again */
    check(rc, "miow_udp_recv_from(ponger)");
    long number = number_in(datagram, length, "ping");
    if (number < 0) die("the ponger got something else");
    char pong[32];
    int pong_length = snprintf(pong, sizeof pong, "pong %ld", number);
    size_t sent;
    rc = miow_udp_send_to(p->ponger, pong, (size_t)pong_length, from, &sent);
    if (rc == MIOW_EWOULDBLOCK) continue; /* lost, as the network could; the pinger resends */
    check(rc, "miow_udp_send_to(ponger)");
    printf("ponger: answered \"ping %ld\" from %s\n", number, from);
  }
}

/* Checks every pong that is waiting; the one for the current ping moves on to the next. */
static void pinger_ready(ping *p) {
  for (;;) {
    char datagram[64];
    size_t length;
    int32_t rc = miow_source_read(p->pinger, datagram, sizeof datagram, &length);
    if (rc == MIOW_EWOULDBLOCK) return;
    check(rc, "miow_source_read(pinger)");
    long number = number_in(datagram, length, "pong");
    if (number < 0) die("the pinger got something else");
    if (number > (long)p->next || number >= PING_COUNT) die("a pong for a ping never sent");
    if (number < (long)p->next) {
      printf("pinger: skipped a late \"pong %ld\"\n", number);
      continue;
    }
    printf("pinger: \"pong %ld\" verified\n", number);
    if (++p->next < PING_COUNT) send_ping(p);
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("udp ping: miowin %s\n", miow_version_string());

  ping p;
  memset(&p, 0, sizeof p);
  check(miow_selector_new(&p.sel), "miow_selector_new");

  /* Both on loopback, on ports the OS picks. */
  char ponger_address[MIOW_ADDRESS_SIZE], pinger_address[MIOW_ADDRESS_SIZE];
  check(miow_udp_bind(&p.ponger, "127.0.0.1:0"), "miow_udp_bind(ponger)");
  check(miow_source_local_address(p.ponger, ponger_address, sizeof ponger_address),
        "miow_source_local_address(ponger)");
  check(miow_udp_bind(&p.pinger, "127.0.0.1:0"), "miow_udp_bind(pinger)");
  check(miow_udp_connect(p.pinger, ponger_address), "miow_udp_connect(pinger)");
  check(miow_source_local_address(p.pinger, pinger_address, sizeof pinger_address),
        "miow_source_local_address(pinger)");
  printf("ponger: bound to %s\npinger: bound to %s, connected to the ponger\n", ponger_address,
         pinger_address);

  check(miow_source_register(p.ponger, p.sel, TOKEN_PONGER, MIOW_READABLE | MIOW_EDGE),
        "miow_source_register(ponger)");
  check(miow_source_register(p.pinger, p.sel, TOKEN_PINGER, MIOW_READABLE | MIOW_EDGE),
        "miow_source_register(pinger)");

  send_ping(&p);
  while (p.next < PING_COUNT) {
    miow_event events[4];
    size_t count = 0;
    check(miow_selector_poll(p.sel, events, sizeof events / sizeof events[0], &count, RESEND_MS),
          "miow_selector_poll");
    if (count == 0) {
      if (++p.resends > MAX_RESENDS) die("no pong after %d resends", MAX_RESENDS);
      printf("pinger: no pong within %d ms; sending \"ping %u\" again\n", RESEND_MS, p.next);
      send_ping(&p);
    }
    for (size_t i = 0; i < count; i++) {
      if (events[i].token == TOKEN_PONGER) {
        ponger_ready(&p);
      } else if (events[i].token == TOKEN_PINGER) {
        pinger_ready(&p);
      } else {
        die("unknown token %u", (unsigned)events[i].token);
      }
    }
  }

  check(miow_source_free(p.pinger), "miow_source_free(pinger)");
  check(miow_source_free(p.ponger), "miow_source_free(ponger)");
  check(miow_selector_free(p.sel), "miow_selector_free");
  printf("udp ping: %d pings answered, %u resent\nudp ping: OK\n", PING_COUNT, p.resends);
  return 0;
}

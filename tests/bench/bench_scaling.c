/* Measures what one ready event costs as the number of watched sockets grows: miowin against
 * WSAPoll, select() and a bare AFD loop (the floor), all in one process over the same UDP
 * sockets, methods alternating within each socket count. Prints markdown tables; see
 * scripts/bench.sh for how it is built and run. */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "miowin.h"

#define MAX_SIZES 16
#ifndef BENCH_LIB_GROUP_SIZE
#define BENCH_LIB_GROUP_SIZE 32 /* what the library is built with unless told otherwise */
#endif
#define WARMUP_ITERATIONS 2

/* Column order of every table. */
enum { METHOD_MIOWIN, METHOD_FLOOR, METHOD_WSAPOLL, METHOD_SELECT, METHOD_COUNT };
static const bench_method *const methods[METHOD_COUNT] = {&bench_miowin, &bench_floor,
                                                          &bench_wsapoll, &bench_select};
static const char *const method_keys[METHOD_COUNT] = {"miowin", "floor", "wsapoll", "select"};

typedef struct options {
  size_t sizes[MAX_SIZES];
  size_t size_count;
  uint64_t max_iterations;
  uint64_t min_iterations;
  double budget_seconds;
  unsigned rounds;
  uint32_t seed;
  uint32_t timeout_ms;
  const char *csv_path;
  bool use[METHOD_COUNT];
} options;

typedef struct result {
  bool ran;
  bool unsupported;
  bool failed;
  char error[256];
  uint64_t events;
  double seconds;
  uint64_t polls;
  uint64_t cancels;
  bench_tally tally;
  double setup_seconds;
  double teardown_seconds;
  unsigned chunks;
  /* The fastest and slowest round, in microseconds per event: how noisy the machine was. */
  double best_round_us;
  double worst_round_us;
  /* Each timed event's duration in microseconds, for the median. */
  float *samples;
  size_t sample_count;
} result;

/* -v: say when each method is set up and torn down, to locate a crash or a hang. */
static bool verbose;

static void trace(const char *format, ...) {
  if (!verbose) return;
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fflush(stderr);
}

#define now_seconds bench_now_s

#define die(...) bench_die("bench_scaling", __VA_ARGS__)

/* ---- the socket set ------------------------------------------------------------------- */

static SOCKET open_udp(struct sockaddr_in *address) {
  SOCKET sock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  if (sock == INVALID_SOCKET) return INVALID_SOCKET;
  struct sockaddr_in local = {0};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int length = sizeof local;
  u_long nonblocking = 1;
  if (bind(sock, (struct sockaddr *)&local, sizeof local) != 0 ||
      getsockname(sock, (struct sockaddr *)&local, &length) != 0 ||
      ioctlsocket(sock, FIONBIO, &nonblocking) != 0) {
    int error = WSAGetLastError();
    closesocket(sock);
    WSASetLastError(error);
    return INVALID_SOCKET;
  }
  *address = local;
  return sock;
}

static void sockets_close(bench_sockets *sockets) {
  for (size_t i = 0; i < sockets->count; i++) closesocket(sockets->receivers[i]);
  if (sockets->sender != INVALID_SOCKET) closesocket(sockets->sender);
  free(sockets->receivers);
  free(sockets->addresses);
  memset(sockets, 0, sizeof *sockets);
}

static void sockets_open(bench_sockets *sockets, size_t count) {
  memset(sockets, 0, sizeof *sockets);
  sockets->receivers = calloc(count, sizeof *sockets->receivers);
  sockets->addresses = calloc(count, sizeof *sockets->addresses);
  if (sockets->receivers == NULL || sockets->addresses == NULL) die("out of memory");
  struct sockaddr_in unused;
  sockets->sender = open_udp(&unused);
  if (sockets->sender == INVALID_SOCKET) die("sender socket: Winsock error %d", WSAGetLastError());
  for (size_t i = 0; i < count; i++) {
    sockets->receivers[i] = open_udp(&sockets->addresses[i]);
    if (sockets->receivers[i] == INVALID_SOCKET)
      die("socket %zu of %zu: Winsock error %d (raise the open-file limit, ulimit -n, for "
          "wineserver)",
          i + 1, count, WSAGetLastError());
    sockets->count = i + 1;
  }
}

/* Reads whatever is queued on every socket, after a method failed half-way. */
static void sockets_drain(const bench_sockets *sockets) {
  char buffer[64];
  for (size_t i = 0; i < sockets->count; i++) {
    while (recv(sockets->receivers[i], buffer, sizeof buffer, 0) > 0) {
    }
  }
}

/* ---- timing one method ---------------------------------------------------------------- */

static uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* Sends one datagram to socket `index`, waits until the method reports it, and reads it. */
static int one_event(const bench_method *method, void *state, const bench_sockets *sockets,
                     size_t index, uint32_t timeout_ms, bench_tally *tally, char *error,
                     size_t error_size) {
  char byte = 'x';
  if (sendto(sockets->sender, &byte, 1, 0, (const struct sockaddr *)&sockets->addresses[index],
             sizeof sockets->addresses[index]) != 1) {
    bench_fail(error, error_size, "sendto", (unsigned long)WSAGetLastError());
    return -1;
  }
  if (method->wait(state, index, timeout_ms, tally, error, error_size) != 0) return -1;
  char buffer[16];
  int got = recv(sockets->receivers[index], buffer, sizeof buffer, 0);
  if (got != 1) {
    int os_error = WSAGetLastError();
    snprintf(error, error_size, "socket %zu was reported readable but recv returned %d (%d)",
             index, got, os_error);
    return -1;
  }
  return 0;
}

/* One round of one method: set up, warm up, time up to `max_iterations` events (stopping
 * early once past `budget_seconds` with at least `min_iterations`), tear down. */
static void run_chunk(const bench_method *method, const bench_sockets *sockets,
                      uint64_t max_iterations, uint64_t min_iterations, double budget_seconds,
                      uint32_t seed, uint32_t timeout_ms, result *out) {
  char error[sizeof out->error] = "";
  void *state = NULL;
  double started = now_seconds();
  trace("    %s: setting up %zu sockets\n", method->name, sockets->count);
  if (method->open(&state, sockets, error, sizeof error) != 0) {
    out->failed = true;
    snprintf(out->error, sizeof out->error, "setup: %s", error);
    return;
  }
  out->setup_seconds += now_seconds() - started;
  out->ran = true;

  uint32_t random = seed;
  bench_tally warmup = {0, 0};
  int rc = 0;
  for (int i = 0; i < WARMUP_ITERATIONS && rc == 0; i++)
    rc = one_event(method, state, sockets, next_random(&random) % sockets->count, timeout_ms,
                   &warmup, error, sizeof error);

  bench_tally tally = {0, 0};
  uint64_t polls_before, cancels_before, polls_after, cancels_after;
  uint64_t events = 0;
  bench_afd_counts(&polls_before, &cancels_before);
  /* The samples are kept only if the whole round succeeds. */
  float *samples = out->samples + out->sample_count;
  double begin = now_seconds(), end = begin;
  while (rc == 0 && events < max_iterations) {
    size_t index = next_random(&random) % sockets->count;
    rc = one_event(method, state, sockets, index, timeout_ms, &tally, error, sizeof error);
    if (rc != 0) break;
    double now = now_seconds();
    samples[events++] = (float)((now - end) * 1e6);
    end = now;
    if (events >= min_iterations && end - begin >= budget_seconds) break;
  }
  bench_afd_counts(&polls_after, &cancels_after);

  trace("    %s: %llu events timed, tearing down\n", method->name, (unsigned long long)events);
  started = now_seconds();
  method->close(state);
  trace("    %s: torn down\n", method->name);
  out->teardown_seconds += now_seconds() - started;
  out->chunks++;

  if (rc != 0) {
    out->failed = true;
    snprintf(out->error, sizeof out->error, "%s", error);
    sockets_drain(sockets);
    return;
  }
  if (events > 0) {
    double us = (end - begin) * 1e6 / (double)events;
    if (out->best_round_us == 0 || us < out->best_round_us) out->best_round_us = us;
    if (us > out->worst_round_us) out->worst_round_us = us;
  }
  out->events += events;
  out->sample_count += events;
  out->seconds += end - begin;
  out->polls += polls_after - polls_before;
  out->cancels += cancels_after - cancels_before;
  out->tally.waits += tally.waits;
  out->tally.stray += tally.stray + warmup.stray;
}

/* ---- reporting ------------------------------------------------------------------------ */

static double per_event_us(const result *r) {
  return r->events == 0 ? 0.0 : r->seconds * 1e6 / (double)r->events;
}

static int compare_floats(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Sorts the samples in place; only reporting reads them afterwards. */
static double median_us(result *r) {
  if (r->sample_count == 0) return 0.0;
  qsort(r->samples, r->sample_count, sizeof r->samples[0], compare_floats);
  size_t mid = r->sample_count / 2;
  if (r->sample_count % 2 == 1) return r->samples[mid];
  return ((double)r->samples[mid - 1] + (double)r->samples[mid]) / 2.0;
}

static bool usable(const result *r) { return r->ran && !r->failed && r->events > 0; }

/* Writes a cell for microseconds per event: "-" when the method did not run, "ERR". */
static const char *cell_us(const result *r, double us, char *buffer, size_t size) {
  if (r->failed) return "ERR";
  if (!usable(r)) return "-";
  snprintf(buffer, size, us >= 100.0 ? "%.0f" : "%.1f", us);
  return buffer;
}

static const char *cell_ratio(const result *top, double top_us, const result *bottom,
                              double bottom_us, char *buffer, size_t size) {
  if (!usable(top) || !usable(bottom) || bottom_us <= 0) return "-";
  snprintf(buffer, size, "%.2f", top_us / bottom_us);
  return buffer;
}

static const char *cell_afd(const result *r, const bench_method *method, uint64_t value,
                            char *buffer, size_t size) {
  if (!usable(r)) return "-";
  if (!method->afd_counted) return "n/a";
  snprintf(buffer, size, "%.2f", (double)value / (double)r->events);
  return buffer;
}

/* One row per N: each method's microseconds per event as `stat` (median or mean), the two
 * ratios, the AFD calls per event and the events timed. */
static void print_main_table(const options *opts, result (*results)[METHOD_COUNT],
                             const char *stat, double (*us_of)(result *)) {
  char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], k[32];
  printf("\n%s us per event:\n\n", stat);
  printf("| N | miowin | floor | WSAPoll | select | miowin/floor | WSAPoll/miowin "
         "| miowin AFD polls/ev | miowin cancels/ev | floor AFD polls/ev "
         "| events miowin/floor/WSAPoll/select |\n");
  printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (size_t s = 0; s < opts->size_count; s++) {
    result *row = results[s];
    double us[METHOD_COUNT];
    for (int m = 0; m < METHOD_COUNT; m++) us[m] = usable(&row[m]) ? us_of(&row[m]) : 0.0;
    printf("| %zu | %s | %s | %s | %s | %s | %s | %s | %s | %s | %llu/%llu/%llu/%llu |\n",
           opts->sizes[s], cell_us(&row[METHOD_MIOWIN], us[METHOD_MIOWIN], a, sizeof a),
           cell_us(&row[METHOD_FLOOR], us[METHOD_FLOOR], b, sizeof b),
           cell_us(&row[METHOD_WSAPOLL], us[METHOD_WSAPOLL], c, sizeof c),
           cell_us(&row[METHOD_SELECT], us[METHOD_SELECT], d, sizeof d),
           cell_ratio(&row[METHOD_MIOWIN], us[METHOD_MIOWIN], &row[METHOD_FLOOR],
                      us[METHOD_FLOOR], e, sizeof e),
           cell_ratio(&row[METHOD_WSAPOLL], us[METHOD_WSAPOLL], &row[METHOD_MIOWIN],
                      us[METHOD_MIOWIN], f, sizeof f),
           cell_afd(&row[METHOD_MIOWIN], &bench_miowin, row[METHOD_MIOWIN].polls, g, sizeof g),
           cell_afd(&row[METHOD_MIOWIN], &bench_miowin, row[METHOD_MIOWIN].cancels, h,
                    sizeof h),
           cell_afd(&row[METHOD_FLOOR], &bench_floor, row[METHOD_FLOOR].polls, k, sizeof k),
           (unsigned long long)row[METHOD_MIOWIN].events,
           (unsigned long long)row[METHOD_FLOOR].events,
           (unsigned long long)row[METHOD_WSAPOLL].events,
           (unsigned long long)row[METHOD_SELECT].events);
  }
}

static double mean_us(result *r) { return per_event_us(r); }

static void print_tables(const options *opts, result (*results)[METHOD_COUNT]) {
  /* The median first: on a shared machine a few disturbed events move the mean a lot. */
  print_main_table(opts, results, "Median", median_us);
  print_main_table(opts, results, "Mean", mean_us);

  printf("\nPer method and N: waits = calls into the waiting primitive per event; stray = "
         "reports for a socket nobody sent to (should be 0); rounds = the fastest and slowest "
         "round's us/ev; setup/teardown = mean per round.\n\n");
  printf("| method | N | waits/ev | stray | rounds us/ev | setup ms | teardown ms | status |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---|\n");
  for (size_t s = 0; s < opts->size_count; s++) {
    for (int m = 0; m < METHOD_COUNT; m++) {
      const result *r = &results[s][m];
      if (!r->ran && !r->failed) continue;
      unsigned chunks = r->chunks == 0 ? 1 : r->chunks;
      printf("| %s | %zu | %.2f | %llu | %.0f-%.0f | %.0f | %.0f | %s |\n", methods[m]->name,
             opts->sizes[s],
             r->events == 0 ? 0.0 : (double)r->tally.waits / (double)r->events,
             (unsigned long long)r->tally.stray, r->best_round_us, r->worst_round_us,
             r->setup_seconds * 1e3 / chunks,
             r->teardown_seconds * 1e3 / chunks, r->failed ? r->error : "ok");
    }
  }
}

static void write_csv(const options *opts, result (*results)[METHOD_COUNT]) {
  FILE *file = fopen(opts->csv_path, "wb");
  if (file == NULL) die("%s: %s", opts->csv_path, strerror(errno));
  fprintf(file, "method,n,events,seconds,us_per_event,median_us,afd_polls,afd_cancels,"
                "afd_counted,waits,stray,setup_s,teardown_s,status\n");
  for (size_t s = 0; s < opts->size_count; s++) {
    for (int m = 0; m < METHOD_COUNT; m++) {
      result *r = &results[s][m];
      const char *status = r->failed ? "error" : r->unsupported ? "unsupported"
                                             : r->ran           ? "ok"
                                                                : "skipped";
      unsigned chunks = r->chunks == 0 ? 1 : r->chunks;
      fprintf(file, "%s,%zu,%llu,%.6f,%.3f,%.3f,%llu,%llu,%d,%llu,%llu,%.3f,%.3f,%s\n",
              method_keys[m], opts->sizes[s], (unsigned long long)r->events, r->seconds,
              per_event_us(r), median_us(r), (unsigned long long)r->polls, (unsigned long long)r->cancels,
              methods[m]->afd_counted ? 1 : 0, (unsigned long long)r->tally.waits,
              (unsigned long long)r->tally.stray, r->setup_seconds / chunks,
              r->teardown_seconds / chunks, status);
    }
  }
  fclose(file);
}

/* ---- command line --------------------------------------------------------------------- */

static void usage(FILE *to) {
  fprintf(to,
          "usage: bench_scaling [options]\n"
          "  -n LIST     socket counts, comma-separated (default 10,100,1000,10000)\n"
          "  -i COUNT    most timed events per method and N (default 3000)\n"
          "  -m COUNT    fewest timed events per method and N (default 20)\n"
          "  -t SECONDS  time budget per method and N: past it a method stops once it has\n"
          "              -m events (default 10)\n"
          "  -r ROUNDS   rounds per N; the methods take turns within each (default 3)\n"
          "  -M LIST     methods, comma-separated from miowin,floor,wsapoll,select (default all)\n"
          "  -g SIZE     sockets per AFD helper handle in the floor loop (default 32)\n"
          "  -s SEED     random seed (default 1)\n"
          "  -w MS       longest wait for one event before a method counts as failed "
          "(default 30000)\n"
          "  --csv FILE  also write one CSV line per method and N\n"
          "  -v          report each set-up and tear-down on stderr\n");
}

static unsigned long long parse_number(const char *text, const char *what) {
  char *end = NULL;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
    die("%s: not a number: '%s'", what, text);
  return value;
}

static void parse_options(int argc, char **argv, options *opts) {
  static const size_t default_sizes[] = {10, 100, 1000, 10000};
  memcpy(opts->sizes, default_sizes, sizeof default_sizes);
  opts->size_count = sizeof default_sizes / sizeof default_sizes[0];
  opts->max_iterations = 3000;
  opts->min_iterations = 20;
  opts->budget_seconds = 10.0;
  opts->rounds = 3;
  opts->seed = 1;
  opts->timeout_ms = 30000;
  for (int m = 0; m < METHOD_COUNT; m++) opts->use[m] = true;

  for (int i = 1; i < argc; i++) {
    const char *flag = argv[i];
    if (strcmp(flag, "-h") == 0 || strcmp(flag, "--help") == 0) {
      usage(stdout);
      exit(0);
    }
    if (strcmp(flag, "-v") == 0) {
      verbose = true;
      continue;
    }
    if (i + 1 >= argc) {
      usage(stderr);
      die("%s needs a value", flag);
    }
    char *value = argv[++i];
    if (strcmp(flag, "-n") == 0) {
      opts->size_count = 0;
      for (char *item = strtok(value, ","); item != NULL; item = strtok(NULL, ",")) {
        if (opts->size_count == MAX_SIZES) die("-n: at most %d counts", MAX_SIZES);
        size_t n = (size_t)parse_number(item, "-n");
        if (n == 0) die("-n: counts must be positive");
        opts->sizes[opts->size_count++] = n;
      }
    } else if (strcmp(flag, "-i") == 0) {
      opts->max_iterations = parse_number(value, "-i");
    } else if (strcmp(flag, "-m") == 0) {
      opts->min_iterations = parse_number(value, "-m");
    } else if (strcmp(flag, "-t") == 0) {
      char *end = NULL;
      opts->budget_seconds = strtod(value, &end);
      if (end == value || *end != '\0' || opts->budget_seconds < 0) die("-t: bad '%s'", value);
    } else if (strcmp(flag, "-r") == 0) {
      opts->rounds = (unsigned)parse_number(value, "-r");
    } else if (strcmp(flag, "-M") == 0) {
      for (int m = 0; m < METHOD_COUNT; m++) opts->use[m] = false;
      for (char *item = strtok(value, ","); item != NULL; item = strtok(NULL, ",")) {
        int m = 0;
        while (m < METHOD_COUNT && _stricmp(item, method_keys[m]) != 0) m++;
        if (m == METHOD_COUNT) die("-M: unknown method '%s'", item);
        opts->use[m] = true;
      }
    } else if (strcmp(flag, "-g") == 0) {
      bench_floor_group_size = (size_t)parse_number(value, "-g");
    } else if (strcmp(flag, "-s") == 0) {
      opts->seed = (uint32_t)parse_number(value, "-s");
    } else if (strcmp(flag, "-w") == 0) {
      opts->timeout_ms = (uint32_t)parse_number(value, "-w");
    } else if (strcmp(flag, "--csv") == 0) {
      opts->csv_path = value;
    } else {
      usage(stderr);
      die("unknown option %s", flag);
    }
  }
  if (opts->rounds == 0) die("-r: at least one round");
  if (opts->max_iterations == 0) die("-i: at least one event");
  if (opts->min_iterations > opts->max_iterations) opts->min_iterations = opts->max_iterations;
  if (bench_floor_group_size == 0) die("-g: at least one socket per helper");
  if (opts->seed == 0) opts->seed = 1; /* xorshift's one fixed point */
}

static const char *wine_version(void) {
  typedef const char *(__cdecl * wine_get_version_fn)(void);
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == NULL) return NULL;
  wine_get_version_fn get =
      (wine_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "wine_get_version");
  return get == NULL ? NULL : get();
}

static uint64_t per_round(uint64_t total, unsigned rounds) {
  return (total + rounds - 1) / rounds;
}

int main(int argc, char **argv) {
  options opts;
  memset(&opts, 0, sizeof opts);
  parse_options(argc, argv, &opts);

  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) die("WSAStartup failed");
  /* Plain \n line ends, so the tables read the same when piped into Linux tools. */
  _setmode(_fileno(stdout), _O_BINARY);
  setvbuf(stdout, NULL, _IONBF, 0);

  const char *wine = wine_version();
  printf("# miowin readiness benchmark\n\n");
  printf("- miowin %s, %s, poll group size %d; floor loop: %zu sockets per AFD helper\n",
         miow_version_string(),
#ifdef BENCH_STATIC
         "static build (miowin's AFD requests are counted)",
#else
         "DLL build (AFD requests are counted for the floor loop only)",
#endif
         BENCH_LIB_GROUP_SIZE, bench_floor_group_size);
  printf("- running on %s%s\n", wine != NULL ? "Wine " : "Windows", wine != NULL ? wine : "");
  printf("- per method and N: at most %llu timed events, at least %llu, time budget %.1f s, over "
         "%u alternating rounds, %d untimed warm-up events per round, seed %u\n",
         (unsigned long long)opts.max_iterations, (unsigned long long)opts.min_iterations,
         opts.budget_seconds, opts.rounds, WARMUP_ITERATIONS, (unsigned)opts.seed);
  printf("- workload: N UDP sockets on 127.0.0.1, all watched for readability (level); each "
         "event = sendto one random socket, wait until it is reported, recv it\n");

  result(*results)[METHOD_COUNT] = calloc(opts.size_count, sizeof *results);
  if (results == NULL) die("out of memory");
  size_t most_samples = per_round(opts.max_iterations, opts.rounds) * opts.rounds;
  for (size_t s = 0; s < opts.size_count; s++) {
    for (int m = 0; m < METHOD_COUNT; m++) {
      results[s][m].samples = malloc(most_samples * sizeof results[s][m].samples[0]);
      if (results[s][m].samples == NULL) die("out of memory");
    }
  }
  bool any_failed = false;

  for (size_t s = 0; s < opts.size_count; s++) {
    size_t n = opts.sizes[s];
    bench_sockets sockets;
    double started = now_seconds();
    sockets_open(&sockets, n);
    fprintf(stderr, "N=%zu: %zu sockets opened in %.1f s\n", n, n, now_seconds() - started);

    result *row = results[s];
    for (int m = 0; m < METHOD_COUNT; m++) {
      if (methods[m]->max_sockets != 0 && n > methods[m]->max_sockets) row[m].unsupported = true;
    }
    for (unsigned round = 0; round < opts.rounds; round++) {
      /* Each round starts with a different method, and all use the same socket sequence. */
      uint32_t seed = opts.seed * 2654435761u + round * 40503u + (uint32_t)n;
      if (seed == 0) seed = 1;
      for (int k = 0; k < METHOD_COUNT; k++) {
        int m = (int)((round + (unsigned)k) % METHOD_COUNT);
        if (!opts.use[m] || row[m].unsupported || row[m].failed) continue;
        run_chunk(methods[m], &sockets, per_round(opts.max_iterations, opts.rounds),
                  per_round(opts.min_iterations, opts.rounds), opts.budget_seconds / opts.rounds,
                  seed, opts.timeout_ms, &row[m]);
        fprintf(stderr, "  N=%zu round %u %-7s: %llu events, %.1f us/ev so far%s%s\n", n,
                round + 1, methods[m]->name, (unsigned long long)row[m].events,
                per_event_us(&row[m]), row[m].failed ? "; FAILED: " : "",
                row[m].failed ? row[m].error : "");
        if (row[m].failed) any_failed = true;
      }
    }
    sockets_close(&sockets);
  }

  print_tables(&opts, results);
  if (opts.csv_path != NULL) write_csv(&opts, results);
  for (size_t s = 0; s < opts.size_count; s++) {
    for (int m = 0; m < METHOD_COUNT; m++) free(results[s][m].samples);
  }
  free(results);
  WSACleanup();
  return any_failed ? 2 : 0;
}

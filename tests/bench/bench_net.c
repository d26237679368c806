/* Measures miowin's own TCP and UDP sockets under load against the same workloads written
 * directly on Winsock with WSAPoll: a TCP echo over many connections, each with one small
 * message in flight (round trips per second), and a UDP ping-pong over one or a few pairs of
 * sockets (round-trip latency). All methods run in one process, taking turns over several
 * rounds; the tables give medians and each method's ratio to WSAPoll. It is linked with the
 * static library, so that miowin's AFD polls and cancels per round trip can be counted.
 * scripts/bench.sh --net builds it and runs it under Wine; --quick is the ctest smoke run. */
#include "win/afd.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_net.h"
#include "miowin.h"

#define METHOD_COUNT 4
#define MAX_PAIR_COUNTS 8
#define MAX_ROUNDS 100

/* Column order: the miowin variants, then the baseline every ratio divides by. */
static const net_method *const methods[METHOD_COUNT] = {&net_miowin_edge, &net_miowin_edge_rw,
                                                        &net_miowin_level, &net_wsapoll};
#define BASELINE (METHOD_COUNT - 1)

typedef struct options {
  size_t connections;
  size_t message_size;
  size_t pairs[MAX_PAIR_COUNTS];
  size_t pair_count;
  double seconds;
  double warmup_seconds;
  unsigned rounds;
  bool tcp;
  bool udp;
  bool use[METHOD_COUNT];
  const char *csv_path;
} options;

typedef struct result {
  bool ran;
  bool failed;
  char error[256];
  unsigned rounds;
  double round_rate[MAX_ROUNDS]; /* round trips per second, one per round */
  double round_rtt[MAX_ROUNDS];  /* the median round-trip time of each round, microseconds */
  double seconds;
  net_tally tally;
  uint64_t afd_polls;
  uint64_t afd_cancels;
  bool sorted;
} result;

/* One workload at one size: TCP with its connection count, or UDP with a pair count. */
typedef struct run {
  bool udp;
  net_config config;
  result results[METHOD_COUNT];
} run;

static double qpc_frequency;

double net_now(void) {
  LARGE_INTEGER counter;
  QueryPerformanceCounter(&counter);
  return (double)counter.QuadPart / qpc_frequency;
}

int net_fail(char *error, size_t error_size, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(error, error_size, format, args);
  va_end(args);
  return -1;
}

int net_fail_os(char *error, size_t error_size, const char *what, int os_error) {
  return net_fail(error, error_size, "%s: Winsock error %d", what, os_error);
}

/* Records one round trip's duration; false when out of memory. */
static bool net_tally_sample(net_tally *tally, double microseconds) {
  if (tally->sample_count == tally->sample_capacity) {
    size_t capacity = tally->sample_capacity == 0 ? 4096 : 2 * tally->sample_capacity;
    float *samples = realloc(tally->samples, capacity * sizeof *samples);
    if (samples == NULL) return false;
    tally->samples = samples;
    tally->sample_capacity = capacity;
  }
  tally->samples[tally->sample_count++] = (float)microseconds;
  return true;
}

int net_tally_round_trip(net_tally *tally, double sent_at, char *error, size_t error_size) {
  tally->round_trips++;
  if (!net_tally_sample(tally, (net_now() - sent_at) * 1e6))
    return net_fail(error, error_size, "out of memory");
  return 0;
}

bool net_stalled(bool progress, double *now, double *last_progress) {
  *now = net_now();
  if (progress) *last_progress = *now;
  return *now - *last_progress > NET_STALL_SECONDS;
}

void net_fill_message(unsigned char *message, size_t size, uint32_t stream, uint32_t sequence) {
  for (size_t i = 0; i < size; i++) message[i] = (unsigned char)(sequence * 31u + stream + i);
  if (size >= 8) {
    memcpy(message, &stream, 4);
    memcpy(message + 4, &sequence, 4);
  }
}

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("bench_net: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(1);
}

/* ---- running the methods ---------------------------------------------------------------- */

static void afd_counts(uint64_t *polls, uint64_t *cancels) {
  *polls = (uint64_t)InterlockedCompareExchange64(&afd_counters.polls, 0, 0);
  *cancels = (uint64_t)InterlockedCompareExchange64(&afd_counters.cancels, 0, 0);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int compare_floats(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Sorts `values` in place and returns their median (0 if there are none). */
static double median_of_floats(float *values, size_t count) {
  if (count == 0) return 0.0;
  qsort(values, count, sizeof values[0], compare_floats);
  size_t mid = count / 2;
  return count % 2 == 1 ? values[mid] : ((double)values[mid - 1] + (double)values[mid]) / 2.0;
}

static double median_of_doubles(const double *values, size_t count) {
  double sorted[MAX_ROUNDS];
  if (count == 0) return 0.0;
  memcpy(sorted, values, count * sizeof sorted[0]);
  qsort(sorted, count, sizeof sorted[0], compare_doubles);
  size_t mid = count / 2;
  return count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
}

/* One round of one method: set up, warm up, time, tear down. */
static void run_round(const net_workload *workload, const net_config *config, const options *opts,
                      result *out) {
  char error[sizeof out->error] = "";
  void *state = NULL;
  if (workload->open(&state, config, error, sizeof error) != 0) {
    out->failed = true;
    snprintf(out->error, sizeof out->error, "set-up: %s", error);
    return;
  }
  out->ran = true;
  net_tally warmup;
  memset(&warmup, 0, sizeof warmup);
  int rc = workload->run(state, opts->warmup_seconds, &warmup, error, sizeof error);
  free(warmup.samples);

  uint64_t polls_before, cancels_before, polls_after, cancels_after;
  uint64_t round_trips_before = out->tally.round_trips;
  size_t samples_before = out->tally.sample_count;
  afd_counts(&polls_before, &cancels_before);
  double begin = net_now();
  if (rc == 0) rc = workload->run(state, opts->seconds, &out->tally, error, sizeof error);
  double end = net_now();
  afd_counts(&polls_after, &cancels_after);
  workload->close(state);

  if (rc != 0) {
    out->failed = true;
    snprintf(out->error, sizeof out->error, "%s", error);
    return;
  }
  out->round_rate[out->rounds] =
      (double)(out->tally.round_trips - round_trips_before) / (end - begin);
  out->round_rtt[out->rounds++] = median_of_floats(out->tally.samples + samples_before,
                                                   out->tally.sample_count - samples_before);
  out->sorted = false;
  out->seconds += end - begin;
  out->afd_polls += polls_after - polls_before;
  out->afd_cancels += cancels_after - cancels_before;
}

static const net_workload *workload_of(const net_method *method, bool udp) {
  const net_workload *w = udp ? &method->udp : &method->tcp;
  return w->open != NULL ? w : NULL;
}

static void run_all(run *r, const options *opts) {
  const char *name = r->udp ? "udp" : "tcp";
  for (unsigned round = 0; round < opts->rounds; round++) {
    /* Each round starts with a different method. */
    for (int k = 0; k < METHOD_COUNT; k++) {
      int m = (int)((round + (unsigned)k) % METHOD_COUNT);
      const net_workload *w = workload_of(methods[m], r->udp);
      result *res = &r->results[m];
      if (!opts->use[m] || w == NULL || res->failed) continue;
      run_round(w, &r->config, opts, res);
      fprintf(stderr, "  %s %zu, round %u, %-15s: %.0f round trips/s%s%s\n", name, r->config.count,
              round + 1, methods[m]->name, res->failed ? 0.0 : res->round_rate[res->rounds - 1],
              res->failed ? "; FAILED: " : "", res->failed ? res->error : "");
    }
  }
}

/* ---- statistics ------------------------------------------------------------------------- */

static bool usable(const result *r) { return r->ran && !r->failed && r->rounds > 0; }

static double median_rate(const result *r) { return median_of_doubles(r->round_rate, r->rounds); }

/* The median of the rounds' median round-trip times: each round counts once, however many
 * round trips it made. */
static double median_rtt(const result *r) { return median_of_doubles(r->round_rtt, r->rounds); }

static double lowest(const double *values, unsigned count) {
  double v = values[0];
  for (unsigned i = 1; i < count; i++) v = values[i] < v ? values[i] : v;
  return v;
}

static double highest(const double *values, unsigned count) {
  double v = values[0];
  for (unsigned i = 1; i < count; i++) v = values[i] > v ? values[i] : v;
  return v;
}

/* The median over the rounds of `r`'s value divided by the baseline's in the same round, which
 * ran right beside it: slow drifts of the machine cancel out. 0 if there is nothing to divide. */
static double median_ratio(const double *values, const double *base_values, unsigned rounds) {
  double ratios[MAX_ROUNDS];
  unsigned count = 0;
  for (unsigned i = 0; i < rounds; i++) {
    if (base_values[i] > 0) ratios[count++] = values[i] / base_values[i];
  }
  return median_of_doubles(ratios, count);
}

/* The `fraction` quantile of the round-trip times (0.5: the median), in microseconds. */
static double rtt_quantile(result *r, double fraction) {
  net_tally *t = &r->tally;
  if (t->sample_count == 0) return 0.0;
  if (!r->sorted) {
    median_of_floats(t->samples, t->sample_count);
    r->sorted = true;
  }
  size_t index = (size_t)(fraction * (double)(t->sample_count - 1) + 0.5);
  return t->samples[index];
}

static double per_round_trip(const result *r, uint64_t value) {
  return r->tally.round_trips == 0 ? 0.0 : (double)value / (double)r->tally.round_trips;
}

/* ---- reporting -------------------------------------------------------------------------- */

static const char *cell(char *buffer, size_t size, const char *format, double value) {
  snprintf(buffer, size, format, value);
  return buffer;
}

static const char *cell_us(char *buffer, size_t size, double us) {
  return cell(buffer, size, us >= 100.0 ? "%.0f" : "%.1f", us);
}

static const char *cell_afd(char *buffer, size_t size, const result *r, const net_method *m,
                            uint64_t value) {
  if (!m->afd_counted) return "n/a";
  return cell(buffer, size, "%.2f", per_round_trip(r, value));
}

/* A row for a method that did not produce numbers: "ERR: why" or "-". */
static bool print_missing_row(const result *r, const net_method *m, int columns) {
  if (usable(r)) return false;
  printf("| %s |", m->name);
  for (int i = 0; i < columns; i++) printf(" %s |", i == 0 && r->failed ? "ERR" : "-");
  printf("\n");
  return true;
}

static void print_tcp_table(run *r) {
  printf("\n## TCP echo: %zu connections, %zu-byte messages, one in flight per connection\n\n",
         r->config.count, r->config.message_size);
  printf(
      "Round trips per second: the median of the rounds, their range beside it. x WSAPoll: "
      "the median over the rounds of the method's rate divided by WSAPoll's in the same "
      "round (above 1: faster). RTT: one message's round trip, the median of the rounds' "
      "medians and the 99th percentile of all. Per round trip: waits = calls into "
      "miow_selector_poll or WSAPoll, events = ready reports handled, idle = reports that "
      "moved no byte, AFD polls and cancels = miowin's own IOCTL_AFD_POLL requests.\n\n");
  printf(
      "| method | round trips/s | rounds | x WSAPoll | median RTT us | p99 RTT us | waits/RT "
      "| events/RT | idle/RT | AFD polls/RT | AFD cancels/RT |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  result *base = &r->results[BASELINE];
  for (int m = 0; m < METHOD_COUNT; m++) {
    result *res = &r->results[m];
    if (workload_of(methods[m], false) == NULL || (!res->ran && !res->failed)) continue;
    if (print_missing_row(res, methods[m], 10)) continue;
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], i[32];
    double ratio = usable(base) ? median_ratio(res->round_rate, base->round_rate, res->rounds) : 0;
    snprintf(b, sizeof b, "%.0f-%.0f", lowest(res->round_rate, res->rounds),
             highest(res->round_rate, res->rounds));
    printf("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", methods[m]->name,
           median_rate(res), b, ratio > 0 ? cell(a, sizeof a, "%.2f", ratio) : "-",
           cell_us(c, sizeof c, median_rtt(res)), cell_us(d, sizeof d, rtt_quantile(res, 0.99)),
           cell(e, sizeof e, "%.2f", per_round_trip(res, res->tally.waits)),
           cell(f, sizeof f, "%.2f", per_round_trip(res, res->tally.events)),
           cell(g, sizeof g, "%.2f", per_round_trip(res, res->tally.idle_events)),
           cell_afd(h, sizeof h, res, methods[m], res->afd_polls),
           cell_afd(i, sizeof i, res, methods[m], res->afd_cancels));
  }
}

static void print_udp_table(run *r) {
  printf("\n## UDP ping-pong: %zu pair%s, %zu-byte datagrams, one ping in flight per pair\n\n",
         r->config.count, r->config.count == 1 ? "" : "s", r->config.message_size);
  printf(
      "RTT: from a ping's send to its verified pong; median = the median of the rounds' "
      "medians, their range beside it; p90 over all pings. x WSAPoll: the median over the "
      "rounds of the method's median RTT divided by WSAPoll's in the same round (below 1: "
      "faster). Pings per second: the median of the rounds. Per ping, as for TCP.\n\n");
  printf(
      "| method | median RTT us | rounds | p90 RTT us | x WSAPoll | pings/s | waits/ping "
      "| events/ping | idle/ping | AFD polls/ping | AFD cancels/ping |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  result *base = &r->results[BASELINE];
  for (int m = 0; m < METHOD_COUNT; m++) {
    result *res = &r->results[m];
    if (workload_of(methods[m], true) == NULL || (!res->ran && !res->failed)) continue;
    if (print_missing_row(res, methods[m], 10)) continue;
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], i[32];
    double ratio = usable(base) ? median_ratio(res->round_rtt, base->round_rtt, res->rounds) : 0;
    snprintf(b, sizeof b, "%s-%s", cell_us(c, sizeof c, lowest(res->round_rtt, res->rounds)),
             cell_us(d, sizeof d, highest(res->round_rtt, res->rounds)));
    printf("| %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n", methods[m]->name,
           cell_us(a, sizeof a, median_rtt(res)), b, cell_us(c, sizeof c, rtt_quantile(res, 0.9)),
           ratio > 0 ? cell(d, sizeof d, "%.2f", ratio) : "-", median_rate(res),
           cell(e, sizeof e, "%.2f", per_round_trip(res, res->tally.waits)),
           cell(f, sizeof f, "%.2f", per_round_trip(res, res->tally.events)),
           cell(g, sizeof g, "%.2f", per_round_trip(res, res->tally.idle_events)),
           cell_afd(h, sizeof h, res, methods[m], res->afd_polls),
           cell_afd(i, sizeof i, res, methods[m], res->afd_cancels));
  }
}

static void print_errors(run *runs, size_t run_count) {
  bool any = false;
  for (size_t k = 0; k < run_count; k++) {
    for (int m = 0; m < METHOD_COUNT; m++) {
      const result *res = &runs[k].results[m];
      if (!res->failed) continue;
      if (!any) printf("\nFailures:\n\n");
      any = true;
      printf("- %s %zu, %s: %s\n", runs[k].udp ? "UDP" : "TCP", runs[k].config.count,
             methods[m]->name, res->error);
    }
  }
}

static void write_csv(const options *opts, run *runs, size_t run_count) {
  FILE *file = fopen(opts->csv_path, "wb");
  if (file == NULL) die("%s: %s", opts->csv_path, strerror(errno));
  fprintf(file,
          "workload,count,message_size,method,rounds,round_trips,seconds,rate_median,"
          "rate_min,rate_max,rtt_median_us,rtt_p90_us,rtt_p99_us,waits,events,"
          "idle_events,afd_polls,afd_cancels,afd_counted,status\n");
  for (size_t k = 0; k < run_count; k++) {
    for (int m = 0; m < METHOD_COUNT; m++) {
      result *res = &runs[k].results[m];
      if (!res->ran && !res->failed) continue;
      bool ok = usable(res);
      fprintf(file,
              "%s,%zu,%zu,%s,%u,%llu,%.3f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%llu,%llu,%llu,"
              "%llu,%llu,%d,%s\n",
              runs[k].udp ? "udp" : "tcp", runs[k].config.count, runs[k].config.message_size,
              methods[m]->key, res->rounds, (unsigned long long)res->tally.round_trips,
              res->seconds, ok ? median_rate(res) : 0.0,
              ok ? lowest(res->round_rate, res->rounds) : 0.0,
              ok ? highest(res->round_rate, res->rounds) : 0.0, ok ? median_rtt(res) : 0.0,
              rtt_quantile(res, 0.9), rtt_quantile(res, 0.99), (unsigned long long)res->tally.waits,
              (unsigned long long)res->tally.events, (unsigned long long)res->tally.idle_events,
              (unsigned long long)res->afd_polls, (unsigned long long)res->afd_cancels,
              methods[m]->afd_counted ? 1 : 0, res->failed ? "error" : "ok");
    }
  }
  fclose(file);
}

/* ---- command line ----------------------------------------------------------------------- */

static void usage(FILE *to) {
  fprintf(to,
          "usage: bench_net [options]\n"
          "  -c COUNT    TCP connections (default 100)\n"
          "  -b BYTES    message size for TCP and UDP, 8 to %d (default 64)\n"
          "  -u LIST     UDP pair counts, comma-separated (default 1,4)\n"
          "  -d SECONDS  timed run per method and round (default 2)\n"
          "  -w SECONDS  untimed warm-up before each timed run (default 0.25)\n"
          "  -r ROUNDS   rounds; the methods take turns within each (default 5)\n"
          "  -M LIST     methods, comma-separated from miowin,miowin_rw,miowin_level,wsapoll\n"
          "              (default all)\n"
          "  -W LIST     workloads, comma-separated from tcp,udp (default both)\n"
          "  --quick     smoke run: -c 10 -u 1 -d 0.3 -w 0.05 -r 1 (options after it still "
          "apply)\n"
          "  --csv FILE  also write one CSV line per workload, size and method\n",
          NET_MESSAGE_MAX);
}

static double parse_double(const char *text, const char *what) {
  char *end = NULL;
  double value = strtod(text, &end);
  if (end == text || *end != '\0' || value < 0) die("%s: bad value '%s'", what, text);
  return value;
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
  opts->connections = 100;
  opts->message_size = 64;
  opts->pairs[0] = 1;
  opts->pairs[1] = 4;
  opts->pair_count = 2;
  opts->seconds = 2.0;
  opts->warmup_seconds = 0.25;
  opts->rounds = 5;
  opts->tcp = opts->udp = true;
  for (int m = 0; m < METHOD_COUNT; m++) opts->use[m] = true;

  for (int i = 1; i < argc; i++) {
    const char *flag = argv[i];
    if (strcmp(flag, "-h") == 0 || strcmp(flag, "--help") == 0) {
      usage(stdout);
      exit(0);
    }
    if (strcmp(flag, "--quick") == 0) {
      opts->connections = 10;
      opts->pairs[0] = 1;
      opts->pair_count = 1;
      opts->seconds = 0.3;
      opts->warmup_seconds = 0.05;
      opts->rounds = 1;
      continue;
    }
    if (i + 1 >= argc) {
      usage(stderr);
      die("%s needs a value", flag);
    }
    char *value = argv[++i];
    if (strcmp(flag, "-c") == 0) {
      opts->connections = (size_t)parse_number(value, "-c");
    } else if (strcmp(flag, "-b") == 0) {
      opts->message_size = (size_t)parse_number(value, "-b");
    } else if (strcmp(flag, "-u") == 0) {
      opts->pair_count = 0;
      for (char *item = strtok(value, ","); item != NULL; item = strtok(NULL, ",")) {
        if (opts->pair_count == MAX_PAIR_COUNTS) die("-u: at most %d counts", MAX_PAIR_COUNTS);
        size_t n = (size_t)parse_number(item, "-u");
        if (n == 0) die("-u: counts must be positive");
        opts->pairs[opts->pair_count++] = n;
      }
    } else if (strcmp(flag, "-d") == 0) {
      opts->seconds = parse_double(value, "-d");
    } else if (strcmp(flag, "-w") == 0) {
      opts->warmup_seconds = parse_double(value, "-w");
    } else if (strcmp(flag, "-r") == 0) {
      opts->rounds = (unsigned)parse_number(value, "-r");
    } else if (strcmp(flag, "-M") == 0) {
      for (int m = 0; m < METHOD_COUNT; m++) opts->use[m] = false;
      for (char *item = strtok(value, ","); item != NULL; item = strtok(NULL, ",")) {
        int m = 0;
        while (m < METHOD_COUNT && _stricmp(item, methods[m]->key) != 0) m++;
        if (m == METHOD_COUNT) die("-M: unknown method '%s'", item);
        opts->use[m] = true;
      }
    } else if (strcmp(flag, "-W") == 0) {
      opts->tcp = opts->udp = false;
      for (char *item = strtok(value, ","); item != NULL; item = strtok(NULL, ",")) {
        if (_stricmp(item, "tcp") == 0)
          opts->tcp = true;
        else if (_stricmp(item, "udp") == 0)
          opts->udp = true;
        else
          die("-W: unknown workload '%s'", item);
      }
    } else if (strcmp(flag, "--csv") == 0) {
      opts->csv_path = value;
    } else {
      usage(stderr);
      die("unknown option %s", flag);
    }
  }
  if (opts->rounds == 0 || opts->rounds > MAX_ROUNDS) die("-r: 1 to %d rounds", MAX_ROUNDS);
  if (opts->connections == 0) die("-c: at least one connection");
  if (opts->message_size < 8 || opts->message_size > NET_MESSAGE_MAX)
    die("-b: 8 to %d bytes", NET_MESSAGE_MAX);
  if (opts->seconds <= 0) die("-d: a positive duration");
}

static const char *wine_version(void) {
  typedef const char *(__cdecl * wine_get_version_fn)(void);
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == NULL) return NULL;
  wine_get_version_fn get =
      (wine_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "wine_get_version");
  return get == NULL ? NULL : get();
}

int main(int argc, char **argv) {
  options opts;
  memset(&opts, 0, sizeof opts);
  parse_options(argc, argv, &opts);

  LARGE_INTEGER frequency;
  QueryPerformanceFrequency(&frequency);
  qpc_frequency = (double)frequency.QuadPart;
  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) die("WSAStartup failed");
  /* Plain \n line ends, so the tables read the same when piped into Linux tools. */
  _setmode(_fileno(stdout), _O_BINARY);
  setvbuf(stdout, NULL, _IONBF, 0);

  const char *wine = wine_version();
  printf("# miowin network benchmark\n\n");
  printf("- miowin %s, static build (its AFD requests are counted), on %s%s\n",
         miow_version_string(), wine != NULL ? "Wine " : "Windows", wine != NULL ? wine : "");
  printf(
      "- per method: %u alternating rounds of %.2f s timed after %.2f s of warm-up, each "
      "with its own sockets, set up and torn down outside the timing; one thread, both "
      "ends in this process, over 127.0.0.1\n",
      opts.rounds, opts.seconds, opts.warmup_seconds);
  printf("- methods:\n");
  for (int m = 0; m < METHOD_COUNT; m++) {
    if (opts.use[m]) printf("  - %s: %s\n", methods[m]->name, methods[m]->description);
  }

  run runs[1 + MAX_PAIR_COUNTS];
  size_t run_count = 0;
  memset(runs, 0, sizeof runs);
  if (opts.tcp) {
    runs[run_count].udp = false;
    runs[run_count].config.count = opts.connections;
    runs[run_count++].config.message_size = opts.message_size;
  }
  for (size_t i = 0; opts.udp && i < opts.pair_count; i++) {
    runs[run_count].udp = true;
    runs[run_count].config.count = opts.pairs[i];
    runs[run_count++].config.message_size = opts.message_size;
  }

  bool any_failed = false;
  for (size_t k = 0; k < run_count; k++) {
    run_all(&runs[k], &opts);
    if (runs[k].udp)
      print_udp_table(&runs[k]);
    else
      print_tcp_table(&runs[k]);
    for (int m = 0; m < METHOD_COUNT; m++) any_failed |= runs[k].results[m].failed;
  }
  print_errors(runs, run_count);
  if (opts.csv_path != NULL) write_csv(&opts, runs, run_count);
  for (size_t k = 0; k < run_count; k++) {
    for (int m = 0; m < METHOD_COUNT; m++) free(runs[k].results[m].tally.samples);
  }
  WSACleanup();
  return any_failed ? 2 : 0;
}

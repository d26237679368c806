/* The seeded fuzzer: runs seeds one after another, each a fresh sequence of calls checked
 * against the model (fuzz.c), and prints how to reproduce the first mismatch.
 *
 *   fuzz_miowin --seeds FIRST:COUNT --steps N   a range of seeds (CI: scripts/test.sh)
 *   fuzz_miowin --seed N --steps N --trace      one seed, printing every call
 *   fuzz_miowin --minutes M                     seeds from the clock until M minutes pass */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "support.h"

static void usage(void) {
  fprintf(stderr,
          "usage: fuzz_miowin [--seed N | --seeds FIRST:COUNT | --minutes M] [--steps N] "
          "[--trace]\n");
  exit(2);
}

int main(int argc, char **argv) {
  uint64_t first = 1, count = 200;
  uint32_t steps = 2000;
  double minutes = 0;
  bool trace = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--seed") == 0 && v != NULL) {
      first = strtoull(v, NULL, 0), count = 1, i++;
    } else if (strcmp(a, "--seeds") == 0 && v != NULL) {
      char *colon;
      first = strtoull(v, &colon, 0);
      if (*colon != ':') usage();
      count = strtoull(colon + 1, NULL, 0), i++;
    } else if (strcmp(a, "--steps") == 0 && v != NULL) {
      steps = (uint32_t)strtoul(v, NULL, 0), i++;
    } else if (strcmp(a, "--minutes") == 0 && v != NULL) {
      minutes = strtod(v, NULL), i++;
      first = (uint64_t)support_now_ms() * 7919u, count = UINT64_MAX;
    } else if (strcmp(a, "--trace") == 0) {
      trace = true;
    } else {
      usage();
    }
  }
  support_init();
  double start = support_now_ms();
  uint64_t calls = 0, done = 0;
  for (uint64_t seed = first; done < count; seed++, done++) {
    if (minutes > 0 && support_now_ms() - start > minutes * 60000.0) break;
    fuzz_source source = {.state = seed};
    fuzz_result result;
    fuzz_run(&source, steps, trace, &result);
    calls += result.calls;
    if (result.failed) {
      printf("fuzz: seed %llu failed: %s\n", (unsigned long long)seed, result.message);
      printf("fuzz: reproduce with: fuzz_miowin --seed %llu --steps %u --trace\n",
             (unsigned long long)seed, (unsigned)steps);
      return 1;
    }
  }
  printf("fuzz: %llu seeds from %llu x %u steps: %llu checked calls in %.1f s, no mismatch\n",
         (unsigned long long)done, (unsigned long long)first, (unsigned)steps,
         (unsigned long long)calls, (support_now_ms() - start) / 1000.0);
  return 0;
}

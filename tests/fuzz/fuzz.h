/* The misuse fuzzer: random sequences of calls over every export, with valid, stale, forged and
 * wrong-kind handles, NULLs, bad sizes and flags and calls in the wrong state, each checked
 * against the code a model of the objects expects (exactly where the outcome is determined by
 * what the program did, as a small documented set where it depends on the network's timing).
 * The same model serves the seeded runner (fuzz_main.c) and the libFuzzer entry point
 * (fuzz_libfuzzer.c); only the source of choices differs. */
#ifndef MIOW_FUZZ_H
#define MIOW_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the fuzzer's choices come from: a seeded generator, or the bytes libFuzzer gives. */
typedef struct fuzz_source {
  uint64_t state;      /* the generator's state, when `data` is NULL */
  const uint8_t *data; /* libFuzzer's input, consumed a byte at a time */
  size_t size, at;
} fuzz_source;

/* What a run found: how many calls were checked, and the first mismatch (empty if none). */
typedef struct fuzz_result {
  uint64_t calls;
  bool failed;
  char message[1024];
} fuzz_result;

/* Runs up to `steps` calls drawn from `source` (fewer when libFuzzer's bytes run out), then
 * frees everything it made. `trace`: print every call as it is made. */
void fuzz_run(fuzz_source *source, uint32_t steps, bool trace, fuzz_result *result);

#endif

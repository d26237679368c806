/* The libFuzzer entry point over the same model as the seeded runner: libFuzzer's input bytes
 * are the fuzzer's choices, two per decision, so coverage guides which calls and arguments are
 * tried. Built by the linux-libfuzzer preset (clang); run it with scripts/fuzz.sh --libfuzzer. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "support.h"

/* The longest call sequence one input drives; libFuzzer's -max_len bounds it further. */
#define LIBFUZZER_STEPS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool ready;
  if (!ready) {
    support_init();
    ready = true;
  }
  fuzz_source source = {.data = data, .size = size};
  fuzz_result result;
  fuzz_run(&source, LIBFUZZER_STEPS, false, &result);
  if (result.failed) {
    fprintf(stderr, "fuzz: %s\n", result.message);
    abort(); /* libFuzzer saves the input as a crash file, which reproduces it */
  }
  return 0;
}

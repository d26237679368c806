/* What the readiness benchmarks' programs share besides the methods: the clock, and how a
 * failure is worded and ends the run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

double bench_now_s(void) {
  /* The counter's frequency is fixed at boot, so reading it once is enough. */
  static double frequency;
  LARGE_INTEGER counter;
  if (frequency == 0) {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    frequency = (double)f.QuadPart;
  }
  QueryPerformanceCounter(&counter);
  return (double)counter.QuadPart / frequency;
}

void bench_fail(char *error, size_t error_size, const char *what, unsigned long os_error) {
  snprintf(error, error_size, "%s: Win32/Winsock error %lu", what, os_error);
}

void bench_die(const char *program, const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", program);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  exit(1);
}

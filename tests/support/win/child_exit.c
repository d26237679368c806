/* The child process of test_waitable_win and the waitable example's counterpart: sleeps for
 * the milliseconds given as its argument, then exits with code 7. */
#include <stdlib.h>
#include <windows.h>

int main(int argc, char **argv) {
  Sleep(argc > 1 ? (DWORD)strtoul(argv[1], NULL, 10) : 0);
  return 7;
}

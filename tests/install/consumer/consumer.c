/* Uses an installed miowin: a waker's event through a selector. Prints "consumer: OK". */
#include <stdio.h>

#include "miowin.h"

int main(void) {
  miow_selector *sel;
  miow_waker *waker;
  if (miow_selector_new(&sel) != 0 || miow_waker_new(sel, 42, &waker) != 0) return 1;
  miow_event events[4];
  size_t count = 0;
  int ok = miow_waker_wake(waker) == 0 &&
           miow_selector_poll(sel, events, 4, &count, 5000) == 0 && count == 1 &&
           events[0].token == 42 && events[0].readiness == MIOW_READABLE &&
           (miow_version() >> 16) == MIOW_VERSION_MAJOR;
  miow_waker_free(waker);
  miow_selector_free(sel);
  puts(ok ? "consumer: OK" : "consumer: FAILED");
  return ok ? 0 : 1;
}

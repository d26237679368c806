/* The waker: an eventfd in the selector's epoll set. The counter coalesces wakes by itself. */
#ifndef MIOW_UNIX_WAKER_H
#define MIOW_UNIX_WAKER_H

#include <stdbool.h>

#include "selector.h"

/* With the lock held: consumes the wake-up and fills `event`. */
bool waker_feed(sys_waker *waker, miow_event *event);

/* The eventfd that stands for the waker in the epoll set. */
int waker_fd(const sys_waker *waker);

#endif

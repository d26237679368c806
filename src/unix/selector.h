/* The epoll selector: one epoll instance, an eventfd that carries posted events and the close
 * signal, and the items whose memory must outlive a poll that may still hold their events. */
#ifndef MIOW_UNIX_SELECTOR_H
#define MIOW_UNIX_SELECTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "list.h"
#include "sys.h"

typedef enum ep_kind { EP_REGISTRATION, EP_WAKER, EP_CONTROL } ep_kind;

/* What every epoll_data.ptr points at. */
typedef struct ep_item {
  ep_kind kind;
  bool retired;           /* removed from epoll; its events are ignored */
  list_node retired_node; /* in sel->retired until no poll can hold its events */
} ep_item;

struct sys_selector {
  int epfd;
  int control_fd;
  ep_item control;
  pthread_mutex_t lock; /* guards everything below, and every item of this selector */
  bool polling;
  bool closed;
  list_node retired;
  miow_event *posts; /* posted events not yet delivered, oldest first */
  size_t post_count;
  size_t post_capacity;
};

/* With the lock held: the item was removed from epoll. Frees it now, or once the running poll
 * has finished with the events it fetched. */
void selector_retire(sys_selector *sel, ep_item *item);

/* Wakes a poller blocked in epoll_wait; safe without the lock. */
void selector_signal(sys_selector *sel);

#endif

/* The epoll selector: one epoll instance, an eventfd that carries posted events and the close
 * signal, and the table of items epoll reports on. epoll_data holds an item's id (a slot index
 * and a generation), never a pointer: epoll can keep an entry after the item is freed (its fd
 * was closed while a duplicate keeps the socket open), and a stale id is simply not found. */
#ifndef MIOW_UNIX_SELECTOR_H
#define MIOW_UNIX_SELECTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "sys.h"

typedef enum ep_kind { EP_REGISTRATION, EP_WAKER, EP_CONTROL } ep_kind;

/* Embedded first in everything epoll reports on. */
typedef struct ep_item {
  ep_kind kind;
  uint64_t id; /* what epoll_data.u64 holds */
} ep_item;

typedef struct ep_slot {
  ep_item *item; /* NULL while free */
  uint32_t gen;
  uint32_t next_free;
} ep_slot;

struct sys_selector {
  int epfd;
  int control_fd;
  ep_item control;
  pthread_mutex_t lock; /* guards everything below, and every item of this selector */
  bool polling;
  bool closed;
  size_t ghosts;    /* registrations whose socket vanished while epoll may keep their entry */
  /* Per fd number, the registrations that may own an epoll entry keyed by it: those in the
   * table and not dropped, plus those dropped since the last rebuild (their entry may live on).
   * Where it is 1, an epoll_ctl through the number reaches that registration's own entry or
   * none, so the identity check before it can wait for a failure (registration.c). */
  uint32_t *fd_owners;
  size_t fd_owner_capacity;
  bool ghost_heard; /* such an entry reported something: rebuild the epoll set */
  struct epoll_event *reports; /* the poller's buffer for epoll_wait */
  size_t report_capacity;
  ep_slot *slots;
  uint32_t slot_count;
  uint32_t slot_capacity;
  uint32_t free_head;
  miow_event *posts; /* posted events not yet delivered: posts[post_head..post_count) */
  size_t post_head;
  size_t post_count;
  size_t post_capacity;
};

/* With the lock held: gives `item` an id in the table. Returns 0 or MIOW_ENOMEM. */
int32_t selector_attach(sys_selector *sel, ep_item *item);

/* With the lock held: retires the item's id, so reports still carrying it are ignored. The
 * caller may free the item at once. */
void selector_detach(sys_selector *sel, ep_item *item);

/* With the lock held: counts one more registration through `fd` (>= 0) in fd_owners. Returns 0
 * or MIOW_ENOMEM. */
int32_t selector_fd_claim(sys_selector *sel, int fd);
/* With the lock held: the registration through `fd` left the epoll set. */
void selector_fd_unclaim(sys_selector *sel, int fd);
/* With the lock held: whether the one registration claiming `fd` is the only possible owner of
 * an entry keyed by it. */
bool selector_fd_is_unique(const sys_selector *sel, int fd);

/* Wakes a poller blocked in epoll_wait; safe without the lock. */
void selector_signal(sys_selector *sel);

#endif

/* The epoll selector: the wait, turning epoll reports and posted events into events, and the
 * table that maps epoll's ids to items. */
#define _GNU_SOURCE
#include "selector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "error.h"
#include "registration.h"
#include "waker.h"

/* Reports fetched by one epoll_wait at most. Each yields at most one event, and one wait per
 * poll is all there can be (a second would report level-triggered sockets again), so the
 * buffer grows with the capacity callers ask for, up to this. */
#define MAX_BATCH 65536

void selector_signal(sys_selector *sel) {
  uint64_t one = 1;
  /* A full counter already means "signalled", so a failed write loses nothing. */
  ssize_t n = write(sel->control_fd, &one, sizeof one);
  (void)n;
}

/* Id 0 is the control eventfd's: generations start at 1, so no slot ever has id 0. */
#define CONTROL_ID 0

int32_t selector_attach(sys_selector *sel, ep_item *item) {
  uint32_t index;
  if (sel->free_head != UINT32_MAX) {
    index = sel->free_head;
    sel->free_head = sel->slots[index].next_free;
  } else {
    if (sel->slot_count == sel->slot_capacity) {
      uint32_t capacity = sel->slot_capacity == 0 ? 64 : sel->slot_capacity * 2;
      ep_slot *grown = realloc(sel->slots, (size_t)capacity * sizeof *grown);
      if (grown == NULL) return MIOW_ENOMEM;
      sel->slots = grown;
      sel->slot_capacity = capacity;
    }
    index = sel->slot_count++;
    sel->slots[index].gen = 1;
  }
  sel->slots[index].item = item;
  item->id = (uint64_t)sel->slots[index].gen << 32 | index;
  return 0;
}

void selector_detach(sys_selector *sel, ep_item *item) {
  uint32_t index = (uint32_t)item->id;
  ep_slot *slot = &sel->slots[index];
  slot->item = NULL;
  slot->gen = slot->gen == UINT32_MAX ? 1 : slot->gen + 1;
  slot->next_free = sel->free_head;
  sel->free_head = index;
}

static ep_item *selector__lookup(sys_selector *sel, uint64_t id) {
  if (id == CONTROL_ID) return &sel->control;
  uint32_t index = (uint32_t)id;
  if (index >= sel->slot_count) return NULL;
  ep_slot *slot = &sel->slots[index];
  return slot->item != NULL && slot->gen == (uint32_t)(id >> 32) ? slot->item : NULL;
}

int32_t sys_selector_new(sys_selector **out) {
  sys_selector *sel = calloc(1, sizeof *sel);
  if (sel == NULL) return error_set(MIOW_ENOMEM);
  sel->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (sel->epfd < 0) {
    int error = errno;
    free(sel);
    return error_set_os(MIOW_EOS, error);
  }
  sel->control_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = CONTROL_ID};
  if (sel->control_fd < 0 || epoll_ctl(sel->epfd, EPOLL_CTL_ADD, sel->control_fd, &ev) != 0) {
    int error = errno;
    if (sel->control_fd >= 0) close(sel->control_fd);
    close(sel->epfd);
    free(sel);
    return error_set_os(MIOW_EOS, error);
  }
  sel->control.kind = EP_CONTROL;
  sel->control.id = CONTROL_ID;
  sel->free_head = UINT32_MAX;
  pthread_mutex_init(&sel->lock, NULL);
  *out = sel;
  return 0;
}

void sys_selector_close(sys_selector *sel) {
  pthread_mutex_lock(&sel->lock);
  sel->closed = true;
  pthread_mutex_unlock(&sel->lock);
  selector_signal(sel);
}

void sys_selector_destroy(sys_selector *sel) {
  free(sel->slots);
  free(sel->fd_owners);
  free(sel->reports);
  close(sel->control_fd);
  close(sel->epfd);
  pthread_mutex_destroy(&sel->lock);
  free(sel->posts);
  free(sel);
}

/* Moves posted events into `events`; leaves the signal raised while some remain. */
static size_t selector__take_posts(sys_selector *sel, miow_event *events, size_t room) {
  uint64_t value;
  ssize_t n = read(sel->control_fd, &value, sizeof value);
  (void)n;
  size_t queued = sel->post_count - sel->post_head;
  size_t take = queued < room ? queued : room;
  for (size_t i = 0; i < take; i++) events[i] = sel->posts[sel->post_head + i];
  sel->post_head += take;
  if (sel->post_head == sel->post_count)
    sel->post_head = sel->post_count = 0;
  else
    selector_signal(sel);
  return take;
}

static size_t selector__dispatch(sys_selector *sel, const struct epoll_event *reports, int n,
                                 miow_event *events, size_t capacity) {
  size_t count = 0;
  for (int i = 0; i < n; i++) {
    ep_item *item = selector__lookup(sel, reports[i].data.u64);
    if (item == NULL) {
      /* Reported for an item freed since: in flight, or an entry that outlived its socket. */
      if (sel->ghosts > 0) sel->ghost_heard = true;
      continue;
    }
    switch (item->kind) {
      case EP_REGISTRATION:
        if (registration_feed((sys_registration *)item, reports[i].events, &events[count])) count++;
        break;
      case EP_WAKER:
        if (waker_feed((sys_waker *)item, &events[count])) count++;
        break;
      case EP_CONTROL:
        /* Posts go last: the reports fetched in this batch each have their slot reserved. */
        break;
    }
  }
  for (int i = 0; i < n; i++) {
    if (reports[i].data.u64 == CONTROL_ID && count < capacity)
      count += selector__take_posts(sel, &events[count], capacity - count);
  }
  return count;
}

/* The wait for what is left until `deadline`, rounded up so a wait never ends before it. */
static int selector__wait_ms(int64_t timeout_ms, double deadline) {
  if (timeout_ms <= 0) return (int)timeout_ms; /* -1 or 0: no deadline, no clock to read */
  double left = deadline - sys_now_ms();
  if (left <= 0) return 0;
  double rounded = (double)(int64_t)left;
  if (rounded < left) rounded += 1;
  return rounded >= (double)INT32_MAX ? INT32_MAX : (int)rounded;
}

/* A new epoll set with the entries of every live item, replacing one that holds entries no
 * descriptor of ours can remove any more. Rare: only after a registered socket vanished while
 * another descriptor kept it open, and only once such an entry spoke. The ghosts are gone with
 * the old set, so fd_owners counts anew. Returns 0 or an errno. */
static int selector__rebuild(sys_selector *sel) {
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return errno;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = CONTROL_ID};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, sel->control_fd, &ev) != 0) {
    int error = errno;
    close(epfd);
    return error;
  }
  /* Every registration's number was claimed when it was added, so the table is large enough. */
  if (sel->fd_owner_capacity > 0)
    memset(sel->fd_owners, 0, sel->fd_owner_capacity * sizeof *sel->fd_owners);
  for (uint32_t i = 0; i < sel->slot_count; i++) {
    ep_item *item = sel->slots[i].item;
    if (item == NULL) continue;
    if (item->kind == EP_WAKER) {
      ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = item->id};
      epoll_ctl(epfd, EPOLL_CTL_ADD, waker_fd((sys_waker *)item), &ev);
    } else if (item->kind == EP_REGISTRATION) {
      sys_registration *reg = (sys_registration *)item;
      if (registration_readd(reg, epfd)) sel->fd_owners[reg->fd]++;
    }
  }
  close(sel->epfd);
  sel->epfd = epfd;
  sel->ghosts = 0;
  sel->ghost_heard = false;
  return 0;
}

int32_t sys_selector_poll(sys_selector *sel, miow_event *events, size_t capacity, size_t *count,
                          int64_t timeout_ms) {
  int batch = capacity < MAX_BATCH ? (int)capacity : MAX_BATCH;
  /* A poll that does not wait (select(0) in a loop) reads no clock. */
  double deadline = timeout_ms > 0 ? sys_now_ms() + (double)timeout_ms : 0;
  *count = 0;

  pthread_mutex_lock(&sel->lock);
  if (sel->closed || sel->polling) {
    int32_t rc = error_set(sel->closed ? MIOW_ECLOSED : MIOW_EBUSY);
    pthread_mutex_unlock(&sel->lock);
    return rc;
  }
  /* Only the one poller uses the buffer, so it can live in the selector. */
  if ((size_t)batch > sel->report_capacity) {
    struct epoll_event *grown = realloc(sel->reports, (size_t)batch * sizeof *grown);
    if (grown == NULL) {
      pthread_mutex_unlock(&sel->lock);
      return error_set(MIOW_ENOMEM);
    }
    sel->reports = grown;
    sel->report_capacity = (size_t)batch;
  }
  struct epoll_event *reports = sel->reports;
  sel->polling = true;
  int32_t rc = 0;
  for (;;) {
    int wait = selector__wait_ms(timeout_ms, deadline);
    pthread_mutex_unlock(&sel->lock);
    int n = epoll_wait(sel->epfd, reports, batch, wait);
    int error = n < 0 ? errno : 0;
    pthread_mutex_lock(&sel->lock);
    size_t got = n > 0 ? selector__dispatch(sel, reports, n, events, capacity) : 0;
    if (sel->ghost_heard) {
      int rebuild_error = selector__rebuild(sel);
      if (rebuild_error != 0) {
        rc = error_set_os(MIOW_EOS, rebuild_error);
        break;
      }
    }
    if (sel->closed) {
      rc = error_set(MIOW_ECLOSED);
      break;
    }
    if (error != 0 && error != EINTR) {
      rc = error_set_os(MIOW_EOS, error);
      break;
    }
    if (got > 0) {
      *count = got;
      break;
    }
    if (timeout_ms == 0 || (timeout_ms > 0 && sys_now_ms() >= deadline)) break;
  }
  sel->polling = false;
  pthread_mutex_unlock(&sel->lock);
  return rc;
}

int32_t sys_selector_post(sys_selector *sel, uint64_t token, uint32_t readiness) {
  pthread_mutex_lock(&sel->lock);
  int32_t rc = 0;
  if (sel->closed) {
    rc = error_set(MIOW_ECLOSED);
  } else if (sel->post_count == sel->post_capacity && sel->post_head > 0) {
    /* Room at the front, from events already taken: slide the queue down once. */
    sel->post_count -= sel->post_head;
    memmove(sel->posts, sel->posts + sel->post_head, sel->post_count * sizeof *sel->posts);
    sel->post_head = 0;
  } else if (sel->post_count == sel->post_capacity) {
    size_t capacity = sel->post_capacity == 0 ? 16 : sel->post_capacity * 2;
    miow_event *grown = realloc(sel->posts, capacity * sizeof *grown);
    if (grown == NULL) {
      rc = error_set(MIOW_ENOMEM);
    } else {
      sel->posts = grown;
      sel->post_capacity = capacity;
    }
  }
  if (rc == 0) sel->posts[sel->post_count++] = (miow_event){token, readiness, 0};
  pthread_mutex_unlock(&sel->lock);
  if (rc == 0) selector_signal(sel);
  return rc;
}

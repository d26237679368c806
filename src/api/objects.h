/* The objects behind the three handle kinds, as the API layer sees them. */
#ifndef MIOW_API_OBJECTS_H
#define MIOW_API_OBJECTS_H

#include <stdbool.h>

#include "handle.h"
#include "sys.h"

typedef struct selector_obj {
  handle_obj base;
  sys_selector *sys;
} selector_obj;

typedef struct source_obj {
  handle_obj base;
  sys_lock lock; /* serialises calls on this source; taken before any selector's lock */
  miow_socket_t socket;
  bool freed;            /* the handle was freed while another call held a reference */
  selector_obj *sel;     /* the selector registered with, holding a reference; or NULL */
  sys_registration *reg; /* the backend's registration while `sel` is set */
} source_obj;

typedef struct waker_obj {
  handle_obj base;
  selector_obj *sel; /* holds a reference */
  sys_waker *sys;
} waker_obj;

#endif

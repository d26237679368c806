/* An epoll handle's registrations: entries found by socket through a hash map, and by the token
 * their selector events carry. A token is the entry's index and generation, so an event that
 * was already taken when its entry was deleted (and maybe its slot reused) is recognised as
 * stale. Not thread-safe: the epoll handle's lock guards it. */
#ifndef MIOW_API_EPOLL_MAP_H
#define MIOW_API_EPOLL_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "sys.h"

#define EPOLL_MAP_NONE UINT32_MAX

typedef struct epoll_entry {
  miow_socket_t socket;
  sys_registration *reg;
  uint64_t data;   /* the caller's epoll_data, as its 8 bytes */
  uint32_t events; /* the caller's EPOLL* bits */
  uint32_t gen;    /* changes when the slot is freed, which makes the old tokens stale */
  uint32_t next;   /* the next entry in the same bucket, or the next free slot */
  bool live;
} epoll_entry;

typedef struct epoll_map {
  epoll_entry *entries;
  uint32_t used;      /* slots handed out so far */
  uint32_t capacity;  /* slots allocated */
  uint32_t free_head; /* freed slots, reused first */
  uint32_t count;     /* live entries */
  uint32_t *buckets;  /* the first entry of each hash chain */
  uint32_t bucket_mask;
} epoll_map;

/* An empty map. */
void epoll_map_init(epoll_map *map);

/* The live entry for `socket`, or EPOLL_MAP_NONE. */
uint32_t epoll_map_find(const epoll_map *map, miow_socket_t socket);

/* A new live entry for `socket`, which must not have one; its other fields are zero. Returns 0
 * or MIOW_ENOMEM. Entry pointers taken before the call may move. */
int32_t epoll_map_add(epoll_map *map, miow_socket_t socket, uint32_t *out);

/* Frees the entry's slot; its tokens go stale. */
void epoll_map_remove(epoll_map *map, uint32_t index);

/* What the selector reports for the entry. */
uint64_t epoll_map_token(const epoll_map *map, uint32_t index);

/* The live entry a token names, or NULL if the token is stale. */
epoll_entry *epoll_map_resolve(epoll_map *map, uint64_t token);

/* Frees the map's memory, leaving it empty; the entries' registrations must be gone already. */
void epoll_map_free(epoll_map *map);

#endif

/* An epoll handle's registrations, by socket and by token: a slot array with generations and
 * a chained hash map over it. */
#include "epoll_map.h"

#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 16u

/* Socket values are multiples of 4 on Windows and small integers elsewhere: mix the bits
 * (Fibonacci hashing) so that both spread over the buckets. */
static uint32_t epoll_map__bucket(const epoll_map *map, miow_socket_t socket) {
  uint64_t mixed = (uint64_t)socket * UINT64_C(0x9E3779B97F4A7C15);
  return (uint32_t)(mixed >> 32) & map->bucket_mask;
}

static int32_t epoll_map__rehash(epoll_map *map, uint32_t bucket_count) {
  uint32_t *buckets = malloc((size_t)bucket_count * sizeof *buckets);
  if (buckets == NULL) return MIOW_ENOMEM;
  memset(buckets, 0xFF, (size_t)bucket_count * sizeof *buckets); /* all EPOLL_MAP_NONE */
  free(map->buckets);
  map->buckets = buckets;
  map->bucket_mask = bucket_count - 1;
  for (uint32_t i = 0; i < map->used; i++) {
    epoll_entry *entry = &map->entries[i];
    if (!entry->live) continue;
    uint32_t b = epoll_map__bucket(map, entry->socket);
    entry->next = buckets[b];
    buckets[b] = i;
  }
  return 0;
}

static int32_t epoll_map__grow(epoll_map *map) {
  if (map->capacity == EPOLL_MAP_NONE - 1) return MIOW_ENOMEM;
  uint32_t capacity = map->capacity == 0 ? MIN_BUCKETS : map->capacity * 2;
  if (capacity < map->capacity || capacity >= EPOLL_MAP_NONE) capacity = EPOLL_MAP_NONE - 1;
  epoll_entry *grown = realloc(map->entries, (size_t)capacity * sizeof *grown);
  if (grown == NULL) return MIOW_ENOMEM;
  map->entries = grown;
  map->capacity = capacity;
  return 0;
}

void epoll_map_init(epoll_map *map) {
  memset(map, 0, sizeof *map);
  map->free_head = EPOLL_MAP_NONE;
}

uint32_t epoll_map_find(const epoll_map *map, miow_socket_t socket) {
  if (map->buckets == NULL) return EPOLL_MAP_NONE;
  uint32_t i = map->buckets[epoll_map__bucket(map, socket)];
  while (i != EPOLL_MAP_NONE && map->entries[i].socket != socket) i = map->entries[i].next;
  return i;
}

int32_t epoll_map_add(epoll_map *map, miow_socket_t socket, uint32_t *out) {
  /* One entry per bucket on average: grow the buckets with the entries. */
  uint32_t buckets = map->buckets == NULL ? 0 : map->bucket_mask + 1;
  if (buckets == 0) {
    if (epoll_map__rehash(map, MIN_BUCKETS) != 0) return MIOW_ENOMEM;
  } else if (map->count >= buckets && buckets < (UINT32_C(1) << 31)) {
    (void)epoll_map__rehash(map, buckets * 2); /* if that fails, longer chains still work */
  }
  uint32_t index;
  if (map->free_head != EPOLL_MAP_NONE) {
    index = map->free_head;
    map->free_head = map->entries[index].next;
  } else {
    if (map->used == map->capacity && epoll_map__grow(map) != 0) return MIOW_ENOMEM;
    index = map->used++;
    map->entries[index].gen = 1;
  }
  epoll_entry *entry = &map->entries[index];
  uint32_t gen = entry->gen;
  memset(entry, 0, sizeof *entry);
  entry->gen = gen;
  entry->socket = socket;
  entry->live = true;
  uint32_t b = epoll_map__bucket(map, socket);
  entry->next = map->buckets[b];
  map->buckets[b] = index;
  map->count++;
  *out = index;
  return 0;
}

void epoll_map_remove(epoll_map *map, uint32_t index) {
  epoll_entry *entry = &map->entries[index];
  uint32_t *link = &map->buckets[epoll_map__bucket(map, entry->socket)];
  while (*link != index) link = &map->entries[*link].next;
  *link = entry->next;
  entry->live = false;
  entry->reg = NULL;
  entry->gen++;
  entry->next = map->free_head;
  map->free_head = index;
  map->count--;
}

uint64_t epoll_map_token(const epoll_map *map, uint32_t index) {
  return (uint64_t)map->entries[index].gen << 32 | index;
}

epoll_entry *epoll_map_resolve(epoll_map *map, uint64_t token) {
  uint32_t index = (uint32_t)token;
  if (index >= map->used) return NULL;
  epoll_entry *entry = &map->entries[index];
  return entry->live && entry->gen == (uint32_t)(token >> 32) ? entry : NULL;
}

void epoll_map_free(epoll_map *map) {
  free(map->entries);
  free(map->buckets);
  epoll_map_init(map);
}

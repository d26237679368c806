/* The handle table: hosts hold table indices with a generation count, never pointers, so a
 * freed, reused, wrong-kind or made-up handle is recognised instead of dereferenced. */
#include "handle.h"

#include <stdlib.h>

#include "miowin.h"
#include "sys.h"

/* The low bits of a handle value index the slot; the rest is the slot's generation, which
 * changes every time the slot is freed. Generation 0 is never issued, so small made-up values
 * are rejected too. */
#define INDEX_BITS 24u
#define INDEX_MASK ((UINT32_C(1) << INDEX_BITS) - 1u)
#define MAX_SLOTS INDEX_MASK
#define GEN_LIMIT (UINTPTR_MAX >> INDEX_BITS)

typedef struct slot {
  handle_obj *obj; /* NULL while free */
  uintptr_t gen;
  uint32_t next_free;
} slot;

static sys_lock table_lock;
static slot *slots;
static uint32_t slot_count;
static uint32_t slot_capacity;
static uint32_t free_head = UINT32_MAX;

/* `kind` 0 matches any kind. */
static slot *handle__lookup(const void *handle, handle_kind kind) {
  uintptr_t value = (uintptr_t)handle;
  uint32_t index = (uint32_t)(value & INDEX_MASK);
  uintptr_t gen = value >> INDEX_BITS;
  if (gen == 0 || index >= slot_count) return NULL;
  slot *s = &slots[index];
  if (s->obj == NULL || s->gen != gen || (kind != 0 && s->obj->kind != kind)) return NULL;
  return s;
}

static int32_t handle__grow(void) {
  if (slot_capacity >= MAX_SLOTS) return MIOW_ENOMEM;
  uint32_t capacity = slot_capacity == 0 ? 64 : slot_capacity * 2;
  if (capacity > MAX_SLOTS) capacity = MAX_SLOTS;
  slot *grown = realloc(slots, (size_t)capacity * sizeof *grown);
  if (grown == NULL) return MIOW_ENOMEM;
  slots = grown;
  slot_capacity = capacity;
  return 0;
}

int32_t handle_insert(handle_obj *obj, void **out) {
  obj->refs = 1;
  sys_lock_acquire(&table_lock);
  uint32_t index;
  if (free_head != UINT32_MAX) {
    index = free_head;
    free_head = slots[index].next_free;
  } else {
    if (slot_count == slot_capacity && handle__grow() != 0) {
      sys_lock_release(&table_lock);
      return MIOW_ENOMEM;
    }
    index = slot_count++;
    slots[index].gen = 1;
  }
  slots[index].obj = obj;
  *out = (void *)((slots[index].gen << INDEX_BITS) | index);
  sys_lock_release(&table_lock);
  return 0;
}

handle_obj *handle_acquire(const void *handle, handle_kind kind) {
  sys_lock_acquire(&table_lock);
  slot *s = handle__lookup(handle, kind);
  handle_obj *obj = NULL;
  if (s != NULL) {
    obj = s->obj;
    obj->refs++;
  }
  sys_lock_release(&table_lock);
  return obj;
}

bool handle_is_live(const void *handle) {
  sys_lock_acquire(&table_lock);
  bool live = handle__lookup(handle, 0) != NULL;
  sys_lock_release(&table_lock);
  return live;
}

handle_obj *handle_remove(const void *handle, handle_kind kind) {
  sys_lock_acquire(&table_lock);
  slot *s = handle__lookup(handle, kind);
  handle_obj *obj = NULL;
  if (s != NULL) {
    obj = s->obj;
    s->obj = NULL;
    s->gen = s->gen + 1 < GEN_LIMIT ? s->gen + 1 : 1;
    s->next_free = free_head;
    free_head = (uint32_t)(s - slots);
  }
  sys_lock_release(&table_lock);
  return obj;
}

void handle_retain(handle_obj *obj) {
  sys_lock_acquire(&table_lock);
  obj->refs++;
  sys_lock_release(&table_lock);
}

void handle_release(handle_obj *obj) {
  sys_lock_acquire(&table_lock);
  uint32_t refs = --obj->refs;
  sys_lock_release(&table_lock);
  if (refs == 0) obj->destroy(obj);
}

/* Frees the table when the library is unloaded (dlclose, FreeLibrary) with no handle live:
 * nothing points at it after that, so a host that loads and unloads the library would leak it
 * on every cycle. While any handle is live it stays: a thread may still be using it. */
__attribute__((destructor)) static void handle__unload(void) {
  for (uint32_t i = 0; i < slot_count; i++)
    if (slots[i].obj != NULL) return;
  free(slots);
  slots = NULL;
  slot_count = slot_capacity = 0;
  free_head = UINT32_MAX;
}

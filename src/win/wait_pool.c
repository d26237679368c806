/* The thread-pool fallback of wait.c: a thread-pool wait whose callback posts the KEY_WAIT
 * packet to the selector's port.
 *
 * The callback never gets the sys_wait itself as its context, but an id that it looks up in a
 * table here, under the table's lock: Wine's thread pool can run a wait's callback after
 * SetThreadpoolWait(NULL) and WaitForThreadpoolWaitCallbacks() have returned (its wait thread
 * had seen the object signalled just before), and on Windows a callback may run after
 * CloseThreadpoolWait() returns. Once a wait leaves the table, a late callback finds nothing
 * and does nothing, so cancelling needs no wait for callbacks and frees nothing under one. */
#include <stdlib.h>

#include "error.h"
#include "iocp.h"
#include "overlapped.h"
#include "wait.h"

/* An id is the slot index in its low bits and the slot's generation above them. */
#define WAIT_POOL_INDEX_BITS 20
#define WAIT_POOL_INDEX_MASK ((1u << WAIT_POOL_INDEX_BITS) - 1)

typedef struct wait_pool_slot {
  sys_wait *wait; /* NULL while free */
  uintptr_t gen;
  uint32_t next_free;
} wait_pool_slot;

static SRWLOCK table_lock = SRWLOCK_INIT;
static wait_pool_slot *slots;
static uint32_t slot_count, slot_capacity;
static uint32_t free_head = UINT32_MAX;

static uintptr_t wait_pool__id(uint32_t index) {
  return slots[index].gen << WAIT_POOL_INDEX_BITS | index;
}

/* With the table locked. */
static sys_wait *wait_pool__find(uintptr_t id) {
  uint32_t index = (uint32_t)(id & WAIT_POOL_INDEX_MASK);
  if (index >= slot_count) return NULL;
  wait_pool_slot *slot = &slots[index];
  return slot->wait != NULL && wait_pool__id(index) == id ? slot->wait : NULL;
}

static void CALLBACK wait_pool__fired(PTP_CALLBACK_INSTANCE instance, PVOID context,
                                      PTP_WAIT pool_wait, TP_WAIT_RESULT result) {
  (void)instance, (void)pool_wait, (void)result;
  AcquireSRWLockExclusive(&table_lock);
  sys_wait *wait = wait_pool__find((uintptr_t)context);
  /* One packet per arming, posted while the table lock keeps the wait from being cancelled. */
  if (wait != NULL && wait->pool_armed) {
    wait->pool_armed = false;
    wait->pool_fired = true;
    (void)iocp_post(wait->sel->iocp, 0, KEY_WAIT, wait);
  }
  ReleaseSRWLockExclusive(&table_lock);
}

int32_t wait_pool_open(sys_wait *wait) {
  AcquireSRWLockExclusive(&table_lock);
  uint32_t index = free_head;
  if (index != UINT32_MAX) {
    free_head = slots[index].next_free;
  } else if (slot_count <= WAIT_POOL_INDEX_MASK) {
    if (slot_count == slot_capacity) {
      uint32_t capacity = slot_capacity == 0 ? 64 : slot_capacity * 2;
      wait_pool_slot *grown = realloc(slots, (size_t)capacity * sizeof *grown);
      if (grown != NULL) {
        slots = grown;
        slot_capacity = capacity;
      }
    }
    if (slot_count < slot_capacity) {
      index = slot_count++;
      slots[index].gen = 1;
    }
  }
  if (index != UINT32_MAX) {
    slots[index].wait = wait;
    wait->pool_id = wait_pool__id(index);
  }
  ReleaseSRWLockExclusive(&table_lock);
  if (index == UINT32_MAX) return error_set(MIOW_ENOMEM);
  wait->pool_wait = CreateThreadpoolWait(wait_pool__fired, (PVOID)wait->pool_id, NULL);
  if (wait->pool_wait == NULL) {
    DWORD error = GetLastError();
    wait_pool_cancel(wait);
    return error_set_os(MIOW_ENOMEM, (int32_t)error);
  }
  return 0;
}

void wait_pool_arm(sys_wait *wait) {
  AcquireSRWLockExclusive(&table_lock);
  wait->pool_armed = true;
  wait->pool_fired = false;
  ReleaseSRWLockExclusive(&table_lock);
  SetThreadpoolWait(wait->pool_wait, wait->object, NULL);
}

void wait_pool_post_now(sys_wait *wait) {
  AcquireSRWLockExclusive(&table_lock);
  wait->pool_armed = false;
  wait->pool_fired = true;
  ReleaseSRWLockExclusive(&table_lock);
}

bool wait_pool_cancel(sys_wait *wait) {
  if (wait->pool_wait != NULL) SetThreadpoolWait(wait->pool_wait, NULL, NULL);
  AcquireSRWLockExclusive(&table_lock);
  bool fired = wait->pool_fired;
  uintptr_t id = wait->pool_id;
  if (id != 0 && wait_pool__find(id) == wait) {
    uint32_t index = (uint32_t)(id & WAIT_POOL_INDEX_MASK);
    slots[index].wait = NULL;
    /* Wraps within the bits an id has, never to 0, so old ids stay unmatched. */
    uintptr_t gen = (slots[index].gen + 1) & (UINTPTR_MAX >> WAIT_POOL_INDEX_BITS);
    slots[index].gen = gen != 0 ? gen : 1;
    slots[index].next_free = free_head;
    free_head = index;
  }
  wait->pool_id = 0;
  wait->pool_armed = false;
  ReleaseSRWLockExclusive(&table_lock);
  return fired;
}

void wait_pool_close(sys_wait *wait) {
  (void)wait_pool_cancel(wait);
  /* A callback still queued or running finds no wait under its id. */
  if (wait->pool_wait != NULL) CloseThreadpoolWait(wait->pool_wait);
}

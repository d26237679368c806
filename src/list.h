/* An intrusive circular doubly linked list: the node lives inside the owning struct, so joining
 * a list never allocates. */
#ifndef MIOW_LIST_H
#define MIOW_LIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct list_node {
  struct list_node *prev;
  struct list_node *next;
} list_node;

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void list_init(list_node *head) { head->prev = head->next = head; }

static inline bool list_is_empty(const list_node *head) { return head->next == head; }

/* A node that is in no list points at itself, so membership can be tested. */
static inline bool list_is_linked(const list_node *node) { return node->next != node; }

static inline void list_push_back(list_node *head, list_node *node) {
  node->prev = head->prev;
  node->next = head;
  head->prev->next = node;
  head->prev = node;
}

static inline void list_remove(list_node *node) {
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->prev = node->next = node;
}

static inline list_node *list_first(list_node *head) {
  return list_is_empty(head) ? NULL : head->next;
}

static inline list_node *list_last(list_node *head) {
  return list_is_empty(head) ? NULL : head->prev;
}

#endif

/* What a completion packet is: the completion key tells the kinds apart, and each kind says what
 * its lpOverlapped and byte count carry. Keys are odd so that even values stay free for
 * pointers, should a later packet kind want one. */
#ifndef MIOW_WIN_OVERLAPPED_H
#define MIOW_WIN_OVERLAPPED_H

#include "win.h"

/* The low bits of a completion key name the packet's kind; a post's key also carries part of its
 * token above them, and its byte count the readiness below them (see sys_selector_post). */
#define POST_KIND_BITS 8
#define POST_KIND_MASK ((ULONG_PTR)0xff)

typedef enum completion_key {
  /* lpOverlapped: the IO_STATUS_BLOCK inside a sock_state. */
  KEY_AFD = 1,
  /* lpOverlapped: the sys_waker. */
  KEY_WAKER = 3,
  /* A posted event: the token and readiness packed by selector.c (selector__post_packet). */
  KEY_POST = 5,
  /* Nothing: only wakes a poller so that it sees the selector was closed. */
  KEY_CLOSE = 7,
  /* lpOverlapped: the OVERLAPPED inside a pipe_op (a pipe's read, write, connect or notify). */
  KEY_PIPE = 9,
  /* lpOverlapped: the sys_wait whose wait was satisfied (wait.c). */
  KEY_WAIT = 11,
} completion_key;

#endif

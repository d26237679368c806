/* What a completion packet is: the completion key tells the kinds apart, and each kind says what
 * its lpOverlapped and byte count carry. Keys are odd so that even values stay free for
 * pointers, should a later packet kind want one. */
#ifndef MIOW_WIN_OVERLAPPED_H
#define MIOW_WIN_OVERLAPPED_H

#include "win.h"

typedef enum completion_key {
  /* lpOverlapped: the IO_STATUS_BLOCK inside a sock_state. */
  KEY_AFD = 1,
  /* lpOverlapped: the sys_waker. */
  KEY_WAKER = 3,
  /* lpOverlapped: the 64-bit token; bytes: the readiness. */
  KEY_POST = 5,
  /* Nothing: only wakes a poller so that it sees the selector was closed. */
  KEY_CLOSE = 7,
  /* lpOverlapped: the OVERLAPPED inside a pipe_op (a pipe's read, write, connect or notify). */
  KEY_PIPE = 9,
  /* lpOverlapped: the sys_wait whose wait was satisfied (wait.c). */
  KEY_WAIT = 11,
} completion_key;

#endif

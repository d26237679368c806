/* Pieces of the I/O calls that the UDP calls share. */
#ifndef MIOW_API_IO_SHARED_H
#define MIOW_API_IO_SHARED_H

#include <stdbool.h>
#include <stddef.h>

#include "objects.h"

/* At most MIOW_BUFFERS_MAX buffers, each with data unless empty. */
bool io_buffers_are_valid(const miow_buffer *buffers, size_t count);
/* Whether read and write apply to this kind of source. */
bool io_kind_transfers(source_kind kind);
/* What a would-block re-arms: the direction that blocked. */
#define IO_REARM_READ (MIOW_READABLE | MIOW_PRIORITY)
#define IO_REARM_WRITE MIOW_WRITABLE

/* Re-arms `bits` after a would-block, then leaves the source; returns `rc`. */
int32_t io_finish(source_obj *src, int32_t rc, uint32_t bits);

#endif

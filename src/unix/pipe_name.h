/* The server instances of one pipe name on Linux: one listening socket that every instance
 * accepts its client from, and the count of instances a client may connect to now, which sizes
 * the socket's queue so that a client finding none is told busy, as on Windows. */
#ifndef MIOW_UNIX_PIPE_NAME_H
#define MIOW_UNIX_PIPE_NAME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct pipe_name pipe_name;

/* Joins (or creates, binding the address) the name's instances as a listening instance, and
 * returns the instance's own descriptor of the listening socket in *listen_fd (a duplicate, so
 * that each instance can be registered with a selector on its own). `max_instances` 0 means
 * unlimited; the first instance's limit holds for the name. MIOW_EADDRINUSE: `first` and the
 * name exists, or another process has bound it; MIOW_EPIPEBUSY: the limit is reached. */
int32_t pipe_name_join(const struct sockaddr_un *address, socklen_t length,
                       uint32_t max_instances, bool first, pipe_name **out, int *listen_fd);
/* Joins a host's listening socket `fd` (miow_pipe_adopt) as the first listening instance of
 * the name it is bound to: the instance keeps `fd` as its own descriptor (*listen_fd), the
 * name a duplicate. MIOW_EADDRINUSE if this process serves the name already. */
int32_t pipe_name_adopt(int fd, pipe_name **out, int *listen_fd);
/* An instance leaves; `listening` says whether it was counted as listening. The last one
 * closes the listening socket and frees the name. `listen_fd` is the instance's duplicate,
 * closed (-1: none, it was handed to the host). */
void pipe_name_leave(pipe_name *name, bool listening, int listen_fd);
/* An instance starts listening again (a connect after a disconnect). Returns 0 or the error
 * (recorded) of taking the queue's plug out. */
int32_t pipe_name_listen(pipe_name *name);
/* An instance stops listening: it took a client (`took_client`), or was disconnected without
 * one. Without listening instances left, clients still queued are dropped (their Windows
 * instance is gone) unless one was just taken, and the queue is plugged. */
void pipe_name_unlisten(pipe_name *name, bool took_client);

#endif

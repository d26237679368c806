/* The one error path of the API layer: record the OS error for the thread, return the code. */
#ifndef MIOW_API_ERROR_H
#define MIOW_API_ERROR_H

#include <stdint.h>

/* For a failure the library detected itself: records the matching OS code, returns `code`. */
int32_t error_set(int32_t code);

/* For a failure an OS call reported: records `os_error`, returns `code`. */
int32_t error_set_os(int32_t code, int32_t os_error);

#endif

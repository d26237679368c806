/**
 * @file miow/common.h
 * @brief Export and calling-convention macros, version numbers and the handle types that every
 *        other miowin header builds on.
 */
#ifndef MIOW_COMMON_H
#define MIOW_COMMON_H

#include <stddef.h>
#include <stdint.h>

/**
 * @defgroup miow_common Common definitions
 * @brief Version, export macros and opaque handle types.
 * @{
 */

#if defined(_WIN32)
#  if defined(MIOW_BUILDING)
/** Marks a function as part of the library's exported API. */
#    define MIOW_EXTERN __declspec(dllexport)
#  else
/** Marks a function as part of the library's API, imported from miowin.dll by a host. */
#    define MIOW_EXTERN __declspec(dllimport)
#  endif
/** The calling convention of every exported function: cdecl, stated explicitly for x86 hosts. */
#  define MIOW_CALL __cdecl
#else
#  if defined(MIOW_BUILDING)
#    define MIOW_EXTERN __attribute__((visibility("default")))
#  else
#    define MIOW_EXTERN
#  endif
#  define MIOW_CALL
#endif

#ifdef __cplusplus
#  define MIOW_BEGIN_DECLS extern "C" {
#  define MIOW_END_DECLS }
#else
/** Opens a C-linkage block when compiled as C++. */
#  define MIOW_BEGIN_DECLS
/** Closes a C-linkage block when compiled as C++. */
#  define MIOW_END_DECLS
#endif

/** Major version: changes only when the ABI breaks. */
#define MIOW_VERSION_MAJOR 1
/** Minor version: grows when exports are added. */
#define MIOW_VERSION_MINOR 2
/** Patch version: fixes with no change to the ABI. */
#define MIOW_VERSION_PATCH 0
/** The version as one number, laid out as miow_version() returns it. */
#define MIOW_VERSION_NUMBER \
  ((MIOW_VERSION_MAJOR << 16) | (MIOW_VERSION_MINOR << 8) | MIOW_VERSION_PATCH)
/** The version as text, as miow_version_string() returns it. */
#define MIOW_VERSION_STRING "1.2.0"

/**
 * @brief An OS socket as the host holds it: a `SOCKET` on Windows, a file descriptor elsewhere.
 *
 * It is pointer-sized so that a Windows `SOCKET` passes through unchanged.
 */
typedef uintptr_t miow_socket_t;

/**
 * @brief A selector: one completion port and the registrations polled through it.
 *
 * Handles are opaque values, not pointers. A handle that was freed, or one that was never handed
 * out, is recognised and rejected with #MIOW_EBADHANDLE, even after its slot is reused.
 */
typedef struct miow_selector miow_selector;

/** @brief A source: a socket (or named pipe) that can be registered with one selector at a
 *  time. */
typedef struct miow_source miow_source;

/** @brief A waker: wakes a selector's poll from any thread. */
typedef struct miow_waker miow_waker;

MIOW_BEGIN_DECLS

/**
 * @brief The version of the loaded library.
 * @return `(major << 16) | (minor << 8) | patch`; compare its major part with
 *         #MIOW_VERSION_MAJOR to detect a mismatched DLL.
 */
MIOW_EXTERN uint32_t MIOW_CALL miow_version(void);

/**
 * @brief The version of the loaded library as text.
 * @return A static, NUL-terminated string such as "1.0.0". Never NULL.
 */
MIOW_EXTERN const char *MIOW_CALL miow_version_string(void);

MIOW_END_DECLS

/** @} */

#endif

/* The few native (ntdll) types and entry points the AFD backend needs. They are resolved at run
 * time so that miowin.dll imports nothing beyond KERNEL32 and WS2_32. */
#ifndef MIOW_WIN_NT_H
#define MIOW_WIN_NT_H

#include "win.h"

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#endif
#ifndef STATUS_PENDING
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#endif
#ifndef STATUS_CANCELLED
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#endif
#ifndef STATUS_NOT_FOUND
#define STATUS_NOT_FOUND ((NTSTATUS)0xC0000225L)
#endif
#ifndef STATUS_INVALID_HANDLE
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#endif
#ifndef NT_SUCCESS
#define NT_SUCCESS(status) (((NTSTATUS)(status)) >= 0)
#endif

typedef NTSTATUS(NTAPI *nt_create_file_fn)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES,
                                           PIO_STATUS_BLOCK, PLARGE_INTEGER, ULONG, ULONG, ULONG,
                                           ULONG, PVOID, ULONG);
typedef NTSTATUS(NTAPI *nt_device_io_control_file_fn)(HANDLE, HANDLE, PVOID, PVOID,
                                                      PIO_STATUS_BLOCK, ULONG, PVOID, ULONG, PVOID,
                                                      ULONG);
typedef NTSTATUS(NTAPI *nt_cancel_io_file_ex_fn)(HANDLE, PIO_STATUS_BLOCK, PIO_STATUS_BLOCK);
typedef ULONG(WINAPI *rtl_nt_status_to_dos_error_fn)(NTSTATUS);
/* The file information calls, for the pipes a host hands over and takes back (pipe.c). */
typedef NTSTATUS(NTAPI *nt_file_information_fn)(HANDLE, PIO_STATUS_BLOCK, PVOID, ULONG, int);
/* FILE_INFORMATION_CLASS values and their structures, absent from mingw's headers. */
#define NT_FILE_MODE_INFORMATION 16
#define NT_FILE_REPLACE_COMPLETION_INFORMATION 61
#define NT_FILE_SYNCHRONOUS_IO_ALERT 0x10
#define NT_FILE_SYNCHRONOUS_IO_NONALERT 0x20
typedef struct nt_file_completion_information {
  HANDLE port;
  PVOID key;
} nt_file_completion_information;

typedef struct nt_api {
  nt_create_file_fn create_file;
  nt_device_io_control_file_fn device_io_control_file;
  nt_cancel_io_file_ex_fn cancel_io_file_ex;
  rtl_nt_status_to_dos_error_fn status_to_dos_error;
  nt_file_information_fn query_information_file;
  nt_file_information_fn set_information_file;
} nt_api;

/* Filled by nt_resolve(); read-only afterwards. */
extern nt_api nt;

/* Returns 0, or the Win32 error that made an entry point unavailable. */
DWORD nt_resolve(void);

#endif

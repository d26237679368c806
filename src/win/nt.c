/* Resolves the ntdll entry points the AFD backend uses, once per process. */
#include "nt.h"

nt_api nt;

DWORD nt_resolve(void) {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == NULL) return GetLastError();
  /* The casts go through FARPROC's generic pointer: the signatures are documented, not in
   * mingw's import library. */
  nt.create_file = (nt_create_file_fn)(void (*)(void))GetProcAddress(ntdll, "NtCreateFile");
  nt.device_io_control_file =
      (nt_device_io_control_file_fn)(void (*)(void))GetProcAddress(ntdll, "NtDeviceIoControlFile");
  nt.cancel_io_file_ex =
      (nt_cancel_io_file_ex_fn)(void (*)(void))GetProcAddress(ntdll, "NtCancelIoFileEx");
  nt.status_to_dos_error =
      (rtl_nt_status_to_dos_error_fn)(void (*)(void))GetProcAddress(ntdll, "RtlNtStatusToDosError");
  nt.query_information_file =
      (nt_file_information_fn)(void (*)(void))GetProcAddress(ntdll, "NtQueryInformationFile");
  nt.set_information_file =
      (nt_file_information_fn)(void (*)(void))GetProcAddress(ntdll, "NtSetInformationFile");
  if (nt.create_file == NULL || nt.device_io_control_file == NULL || nt.cancel_io_file_ex == NULL ||
      nt.status_to_dos_error == NULL || nt.query_information_file == NULL ||
      nt.set_information_file == NULL)
    return ERROR_PROC_NOT_FOUND;
  return 0;
}

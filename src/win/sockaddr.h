/* Conversions between the portable sys_addr and Winsock's sockaddr forms. */
#ifndef MIOW_WIN_SOCKADDR_H
#define MIOW_WIN_SOCKADDR_H

#include "sys.h"
#include "win.h"

/* Fills `out` for `addr`; returns the length to pass to Winsock. */
int sockaddr_from_sys(const sys_addr *addr, SOCKADDR_STORAGE *out);
/* False for a family other than IPv4/IPv6. */
bool sockaddr_to_sys(const SOCKADDR_STORAGE *in, sys_addr *out);

/* Records the calling thread's Winsock error and returns its MIOW_E* code. */
int32_t sockaddr_fail(void);

#endif

/* The one place the Windows backend pulls in the Windows SDK headers, in a fixed order. */
#ifndef MIOW_WIN_WIN_H
#define MIOW_WIN_WIN_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0602
#endif

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <winternl.h>

#endif

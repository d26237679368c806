/* sys_addr <-> SOCKADDR, the OS's IP text parser and printer, and failing with the thread's
 * Winsock error. */
#include "sockaddr.h"

#include <string.h>

#include "error.h"

int sockaddr_from_sys(const sys_addr *addr, SOCKADDR_STORAGE *out) {
  memset(out, 0, sizeof *out);
  if (addr->family == SYS_IPV4) {
    SOCKADDR_IN *in = (SOCKADDR_IN *)out;
    in->sin_family = AF_INET;
    in->sin_port = htons(addr->port);
    memcpy(&in->sin_addr, addr->ip, 4);
    return (int)sizeof *in;
  }
  SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)out;
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(addr->port);
  in6->sin6_scope_id = addr->scope_id;
  memcpy(&in6->sin6_addr, addr->ip, 16);
  return (int)sizeof *in6;
}

bool sockaddr_to_sys(const SOCKADDR_STORAGE *in, sys_addr *out) {
  memset(out, 0, sizeof *out);
  if (in->ss_family == AF_INET) {
    const SOCKADDR_IN *v4 = (const SOCKADDR_IN *)in;
    out->family = SYS_IPV4;
    out->port = ntohs(v4->sin_port);
    memcpy(out->ip, &v4->sin_addr, 4);
    return true;
  }
  if (in->ss_family == AF_INET6) {
    const SOCKADDR_IN6 *v6 = (const SOCKADDR_IN6 *)in;
    out->family = SYS_IPV6;
    out->port = ntohs(v6->sin6_port);
    out->scope_id = v6->sin6_scope_id;
    memcpy(out->ip, &v6->sin6_addr, 16);
    return true;
  }
  return false;
}

bool sys_ip_parse(uint16_t family, const char *text, uint8_t ip[16]) {
  uint8_t bytes[16];
  int af = family == SYS_IPV4 ? AF_INET : AF_INET6;
  if (inet_pton(af, text, bytes) != 1) return false;
  memcpy(ip, bytes, family == SYS_IPV4 ? 4 : 16);
  return true;
}

bool sys_ip_format(uint16_t family, const uint8_t ip[16], char *text, size_t size) {
  int af = family == SYS_IPV4 ? AF_INET : AF_INET6;
  /* InetNtop takes a non-const pointer in older SDK headers. */
  uint8_t bytes[16];
  memcpy(bytes, ip, 16);
  return inet_ntop(af, bytes, text, size) != NULL;
}

int32_t sockaddr_fail(void) {
  int error = WSAGetLastError();
  return error_set_os(sys_error_code(error), error);
}

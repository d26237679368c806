/* Addresses between the API layer and the kernel: sys_addr <-> sockaddr, and numeric IP text. */
#include "sockaddr.h"

#include <arpa/inet.h>
#include <string.h>

socklen_t sockaddr_from_sys(sockaddr_any *out, const sys_addr *addr) {
  memset(out, 0, sizeof *out);
  if (addr->family == SYS_IPV6) {
    out->in6.sin6_family = AF_INET6;
    out->in6.sin6_port = htons(addr->port);
    memcpy(&out->in6.sin6_addr, addr->ip, sizeof out->in6.sin6_addr);
    out->in6.sin6_scope_id = addr->scope_id;
    return sizeof out->in6;
  }
  out->in4.sin_family = AF_INET;
  out->in4.sin_port = htons(addr->port);
  memcpy(&out->in4.sin_addr, addr->ip, sizeof out->in4.sin_addr);
  return sizeof out->in4;
}

bool sockaddr_to_sys(sys_addr *out, const sockaddr_any *in) {
  memset(out, 0, sizeof *out);
  switch (in->sa.sa_family) {
    case AF_INET:
      out->family = SYS_IPV4;
      out->port = ntohs(in->in4.sin_port);
      memcpy(out->ip, &in->in4.sin_addr, sizeof in->in4.sin_addr);
      return true;
    case AF_INET6:
      out->family = SYS_IPV6;
      out->port = ntohs(in->in6.sin6_port);
      out->scope_id = in->in6.sin6_scope_id;
      memcpy(out->ip, &in->in6.sin6_addr, sizeof in->in6.sin6_addr);
      return true;
    default: return false;
  }
}

static int sockaddr__af(uint16_t family) {
  switch (family) {
    case SYS_IPV4: return AF_INET;
    case SYS_IPV6: return AF_INET6;
    default: return AF_UNSPEC;
  }
}

bool sys_ip_parse(uint16_t family, const char *text, uint8_t ip[16]) {
  int af = sockaddr__af(family);
  /* Parsed aside so that `ip` is untouched by a failure, and zero past an IPv4 address. */
  uint8_t parsed[16] = {0};
  if (af == AF_UNSPEC || inet_pton(af, text, parsed) != 1) return false;
  memcpy(ip, parsed, sizeof parsed);
  return true;
}

bool sys_ip_format(uint16_t family, const uint8_t ip[16], char *text, size_t size) {
  int af = sockaddr__af(family);
  /* Formatted aside so that a buffer too small is left unchanged, as net.h promises. */
  char formatted[INET6_ADDRSTRLEN];
  if (af == AF_UNSPEC || inet_ntop(af, ip, formatted, sizeof formatted) == NULL) return false;
  size_t length = strlen(formatted);
  if (length >= size) return false;
  memcpy(text, formatted, length + 1);
  return true;
}

/* Address text: the bracket-and-port syntax is parsed here, once for every platform; the IP
 * itself goes to the OS's own parser, so what counts as a valid IPv4 or IPv6 literal is what
 * the platform says. */
#include "address.h"

#include <stdio.h>
#include <string.h>

/* Longest IP literal we hand to the OS parser (IPv6 with an embedded IPv4 tail is 45). */
#define IP_TEXT_MAX 64

/* Decimal digits only, no sign or spaces, value <= `max`. */
static bool address__number(const char *text, size_t len, uint32_t max, uint32_t *out) {
  if (len == 0 || len > 10) return false;
  uint64_t value = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (uint64_t)(text[i] - '0');
  }
  if (value > max) return false;
  *out = (uint32_t)value;
  return true;
}

static bool address__ip(uint16_t family, const char *text, size_t len, sys_addr *out) {
  char ip[IP_TEXT_MAX];
  if (len == 0 || len >= sizeof ip) return false;
  memcpy(ip, text, len);
  ip[len] = '\0';
  out->family = family;
  return sys_ip_parse(family, ip, out->ip);
}

bool address_parse(const char *text, sys_addr *out) {
  if (text == NULL) return false;
  sys_addr addr;
  memset(&addr, 0, sizeof addr);
  const char *port;
  if (text[0] == '[') {
    const char *close = strchr(text, ']');
    if (close == NULL || close[1] != ':') return false;
    const char *host = text + 1;
    const char *percent = memchr(host, '%', (size_t)(close - host));
    const char *host_end = percent != NULL ? percent : close;
    if (!address__ip(SYS_IPV6, host, (size_t)(host_end - host), &addr)) return false;
    if (percent != NULL &&
        !address__number(percent + 1, (size_t)(close - percent - 1), UINT32_MAX, &addr.scope_id))
      return false;
    port = close + 2;
  } else {
    const char *colon = strchr(text, ':');
    if (colon == NULL) return false;
    if (!address__ip(SYS_IPV4, text, (size_t)(colon - text), &addr)) return false;
    port = colon + 1;
  }
  uint32_t value;
  if (!address__number(port, strlen(port), UINT16_MAX, &value)) return false;
  addr.port = (uint16_t)value;
  *out = addr;
  return true;
}

bool address_parse_ip(uint16_t family, const char *text, sys_addr *out) {
  if (text == NULL) return false;
  sys_addr addr;
  memset(&addr, 0, sizeof addr);
  if (!address__ip(family, text, strlen(text), &addr)) return false;
  *out = addr;
  return true;
}

void address_map_v4(sys_addr *addr) {
  uint8_t v4[4];
  memcpy(v4, addr->ip, 4);
  memset(addr->ip, 0, sizeof addr->ip);
  addr->ip[10] = 0xff;
  addr->ip[11] = 0xff;
  memcpy(addr->ip + 12, v4, 4);
  addr->family = SYS_IPV6;
  addr->scope_id = 0;
}

bool address_format(const sys_addr *addr, char *text, size_t size) {
  char ip[IP_TEXT_MAX];
  char whole[IP_TEXT_MAX + 24];
  if (!sys_ip_format(addr->family, addr->ip, ip, sizeof ip)) return false;
  int len;
  if (addr->family == SYS_IPV4)
    len = snprintf(whole, sizeof whole, "%s:%u", ip, (unsigned)addr->port);
  else if (addr->scope_id != 0)
    len = snprintf(whole, sizeof whole, "[%s%%%lu]:%u", ip, (unsigned long)addr->scope_id,
                   (unsigned)addr->port);
  else
    len = snprintf(whole, sizeof whole, "[%s]:%u", ip, (unsigned)addr->port);
  if (len < 0 || (size_t)len >= size) return false;
  memcpy(text, whole, (size_t)len + 1);
  return true;
}

/* Socket addresses as the text hosts pass: "1.2.3.4:80", "[::1]:80", "[fe80::1%3]:80". */
#ifndef MIOW_API_ADDRESS_H
#define MIOW_API_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "sys.h"

/* Parses an address with its port; false for anything but the forms above (no names). */
bool address_parse(const char *text, sys_addr *out);

/* Parses a bare IP of `family` (no brackets, port or scope) into `out` with port 0. */
bool address_parse_ip(uint16_t family, const char *text, sys_addr *out);

/* Turns an IPv4 address into its IPv4-mapped IPv6 form, ::ffff:a.b.c.d, same port. */
void address_map_v4(sys_addr *addr);

/* Writes `addr` as text; false (and `text` unchanged) if `size` is too small. */
bool address_format(const sys_addr *addr, char *text, size_t size);

#endif

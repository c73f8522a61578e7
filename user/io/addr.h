/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address helpers of the I/O layer: one 16-byte form (struct xmp_addr from
 * include/xmptcp/maps.h, IPv4 as ::ffff:a.b.c.d) used for map keys, route
 * lookups and packet building, and its conversions to/from sockaddrs.
 */
#ifndef XMP_IO_ADDR_H
#define XMP_IO_ADDR_H

#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "xmptcp/maps.h"

static inline void xmp_addr_from_v4(struct xmp_addr *a, __be32 v4)
{
	memset(a->a, 0, 10);
	a->a[10] = 0xff;
	a->a[11] = 0xff;
	memcpy(&a->a[12], &v4, 4);
}

static inline void xmp_addr_from_v6(struct xmp_addr *a, const void *v6)
{
	memcpy(a->a, v6, 16);
}

/* True for ::ffff:a.b.c.d (and for the all-zero wildcard: false). */
static inline bool xmp_addr_is_v4(const struct xmp_addr *a)
{
	static const __u8 pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a->a, pfx, sizeof(pfx));
}

static inline __be32 xmp_addr_v4(const struct xmp_addr *a)
{
	__be32 v;

	memcpy(&v, &a->a[12], 4);
	return v;
}

static inline bool xmp_addr_is_any(const struct xmp_addr *a)
{
	static const __u8 zero[16];

	return !memcmp(a->a, zero, sizeof(zero));
}

static inline bool xmp_addr_eq(const struct xmp_addr *x, const struct xmp_addr *y)
{
	return !memcmp(x->a, y->a, sizeof(x->a));
}

static inline int xmp_addr_family(const struct xmp_addr *a)
{
	return xmp_addr_is_v4(a) ? AF_INET : AF_INET6;
}

/*
 * Fills ss with the address and port (host order) in its own family.
 * Returns the sockaddr length.
 */
static inline socklen_t xmp_addr_to_sockaddr(const struct xmp_addr *a, __u16 port,
					     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (xmp_addr_is_v4(a)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = xmp_addr_v4(a);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->a, 16);
		return sizeof(*sin6);
	}
}

/* Parses a numeric IPv4 or IPv6 address. Returns 0 or -EINVAL. */
int xmp_addr_parse(struct xmp_addr *a, const char *str);
/* Formats a (IPv4 dotted when v4-mapped); buf of at least 46 bytes. */
const char *xmp_addr_str(const struct xmp_addr *a, char *buf, size_t len);

#endif

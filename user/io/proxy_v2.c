// SPDX-License-Identifier: GPL-2.0
/*
 * PROXY protocol v2 header writer (see proxy_v2.h). Layout, all fields in
 * network order: the 12-byte signature; one byte of version (high nibble,
 * 2) and command (low nibble, 1 = PROXY: the connection is relayed on
 * behalf of another node); one byte of address family (high nibble: 1
 * AF_INET, 2 AF_INET6) and transport (low nibble: 1 STREAM); a 16-bit
 * length of what follows; then source address, destination address,
 * source port, destination port. No TLVs: the addresses are all a
 * service needs to know whom it serves.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "io/addr.h"
#include "io/proxy_v2.h"

#define PP2_HDR_LEN   16
#define PP2_VER_PROXY 0x21 /* version 2, command PROXY */
#define PP2_TCP4      0x11 /* AF_INET, STREAM */
#define PP2_TCP6      0x21 /* AF_INET6, STREAM */

/* Chosen by the spec so that it matches neither a v1 header ("PROXY") nor
 * the start of any common protocol, and stops a v1 parser at the \0. */
static const __u8 pp2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				  0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

/* The address as the header carries it: 4 bytes for IPv4, else 16. */
static size_t put_addr(__u8 *p, const struct xmp_addr *a)
{
	if (xmp_addr_is_v4(a)) {
		memcpy(p, &a->a[12], 4);
		return 4;
	}
	memcpy(p, a->a, 16);
	return 16;
}

static void put_be16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

int xmp_proxy_v2_write(__u8 *buf, size_t len, const struct xmp_addr *src, __u16 sport,
		       const struct xmp_addr *dst, __u16 dport)
{
	bool v4 = xmp_addr_is_v4(src);
	size_t alen = v4 ? 2 * 4 + 4 : 2 * 16 + 4, off;

	if (v4 != xmp_addr_is_v4(dst))
		return -EAFNOSUPPORT;
	if (len < PP2_HDR_LEN + alen)
		return -ENOSPC;
	memcpy(buf, pp2_sig, sizeof(pp2_sig));
	buf[12] = PP2_VER_PROXY;
	buf[13] = v4 ? PP2_TCP4 : PP2_TCP6;
	put_be16(buf + 14, (__u16)alen);
	off = PP2_HDR_LEN;
	off += put_addr(buf + off, src);
	off += put_addr(buf + off, dst);
	put_be16(buf + off, sport);
	put_be16(buf + off + 2, dport);
	return (int)(off + 4);
}

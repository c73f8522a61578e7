/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port reservation: the kernel never sees our subflows (XDP steers them to
 * AF_XDP), so nothing stops it from handing the same local port to one of
 * its own sockets. A TCP socket bound to (addr, port), never listening,
 * holds the port in the kernel's bind table: bind() of others fails with
 * EADDRINUSE and connect()'s ephemeral port choice skips it. The kernel
 * still answers stray segments to that port with RST; the TC egress guard
 * (bpf/tc_egress.bpf.c) drops those for owned tuples.
 */
#ifndef XMP_IO_PORTRES_H
#define XMP_IO_PORTRES_H

#include <linux/types.h>

#include "xmptcp/maps.h"

struct xmp_portres {
	int fd;			/* -1 when not held */
	struct xmp_addr addr;	/* as bound (all-zero = any) */
	__u16 port;		/* host order */
};

/*
 * Reserves port (host order; 0 = let the kernel pick a free ephemeral port)
 * on addr (v4-mapped, IPv6, or NULL/all-zero for every address of both
 * families). Returns 0 with r filled, -EADDRINUSE, or another -errno.
 */
int xmp_port_reserve(struct xmp_portres *r, const struct xmp_addr *addr, __u16 port);
/* Gives the port back to the kernel. Safe on an unreserved r. */
void xmp_port_release(struct xmp_portres *r);

#endif

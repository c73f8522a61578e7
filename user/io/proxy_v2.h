/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PROXY protocol version 2 header (HAProxy's proxy-protocol.txt,
 * section 2.2): the binary block a proxy sends before the first byte of a
 * relayed stream so that the server learns the real client's address.
 * xmptcpd writes it on the kernel TCP connection to a local service
 * (--proxy-protocol with --accept or --server): the MPTCP client's
 * initial-subflow address and the address it connected to.
 */
#ifndef XMP_IO_PROXY_V2_H
#define XMP_IO_PROXY_V2_H

#include <stddef.h>
#include <linux/types.h>

#include "xmptcp/maps.h"

/* 16 bytes of header, 36 of IPv6 addresses and ports: the largest we write. */
#define XMP_PROXY_V2_MAX 52

/*
 * A PROXY command header for a TCP connection from src:sport to dst:dport
 * (host-order ports; addresses v4-mapped or IPv6, both of one family) into
 * buf. Returns its length (28 for IPv4, 52 for IPv6), -ENOSPC when len is
 * too short, -EAFNOSUPPORT when the families differ.
 */
int xmp_proxy_v2_write(__u8 *buf, size_t len, const struct xmp_addr *src, __u16 sport,
		       const struct xmp_addr *dst, __u16 dport);

#endif

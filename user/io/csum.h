/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internet checksums of the packets user/io/pkt.c builds and verifies: the
 * IPv4 header, the TCP pseudo-header of IPv4 (RFC 9293 3.1) and IPv6
 * (RFC 8200 8.1), and incremental update (RFC 1624 eqn. 3) for rewriting
 * one field without summing the whole segment again.
 *
 * The ones' complement sum itself (xmp_sum_add/fold/finish) lives in
 * common/csum.h, shared with the DSS checksum; it is included here so users
 * of this header keep one include. Values are host order: store a result
 * with htons(), load a header's checksum with ntohs().
 */
#ifndef XMP_IO_CSUM_H
#define XMP_IO_CSUM_H

#include <stddef.h>
#include <linux/types.h>

#include "common/csum.h"
#include "xmptcp/maps.h"

/* IPv4 header checksum over ihl_bytes (field itself zeroed or not: a
 * header whose stored checksum is right gives 0). */
__u16 xmp_csum_ip4(const void *iph, size_t ihl_bytes);

/* Pseudo-header sum: addresses (v4-mapped for IPv4), protocol and the
 * upper-layer length (RFC 9293 3.1 for v4, RFC 8200 8.1 for v6). */
__u32 xmp_csum_pseudo(const struct xmp_addr *saddr, const struct xmp_addr *daddr,
		      __u8 proto, __u32 l4_len);

/* Full TCP checksum over the pseudo-header and l4_len bytes of header +
 * payload. Over a segment carrying a correct checksum it returns 0. */
__u16 xmp_csum_tcp(const struct xmp_addr *saddr, const struct xmp_addr *daddr,
		   const void *tcph, __u32 l4_len);

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 16-bit field that changes
 * from old to new (host order values); returns the new checksum. */
__u16 xmp_csum_replace16(__u16 check, __u16 old, __u16 new_val);
/* The same for a 32-bit field (e.g. a sequence number or IPv4 address). */
__u16 xmp_csum_replace32(__u16 check, __u32 old, __u32 new_val);
/* The same for n bytes (even) changing from old to new, e.g. a 16-byte address. */
__u16 xmp_csum_replace_bytes(__u16 check, const void *old, const void *new_val, size_t n);

#endif

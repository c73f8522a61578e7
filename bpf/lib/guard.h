/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Egress guard (XMP_CFG_GUARD). The kernel does not know the controller's
 * subflows, so it answers their segments as if for a closed port. The guard
 * drops what would hurt them: a kernel RST for an owned tuple, and an ICMP
 * or ICMPv6 error (RFC 792, RFC 4443 2.1) quoting one. Owned means the
 * tuple is an xmp_subflows key, which is oriented as seen on ingress
 * (saddr = peer), i.e. the reverse of an egress segment.
 */
#ifndef XMP_BPF_GUARD_H
#define XMP_BPF_GUARD_H

#include "lib/maps.h"
#include "lib/observe.h"

/* RFC 792: destination unreachable, source quench, time exceeded,
 * parameter problem. RFC 4443: types below 128 are errors. */
static __always_inline int xmp_icmp_is_error(__u8 proto, __u8 type)
{
	if (proto == XMP_IPPROTO_ICMP)
		return type == 3 || type == 4 || type == 11 || type == 12;
	return type < 128;
}

static __always_inline int xmp_owned(const struct xmp_tuple *t)
{
	return bpf_map_lookup_elem(&xmp_subflows, t) != NULL;
}

static __always_inline int xmp_guard_rst(struct xmp_parse *p)
{
	struct xmp_tuple r;

	if (!(p->tcp_flags & XMP_TCP_RST))
		return 0;
	xmp_tuple_reverse(&r, &p->t);
	return xmp_owned(&r);
}

/* The quoted datagram is normally one the peer sent us (oriented like the
 * subflow key); the reverse is checked too, as either would be ours. */
static __always_inline int xmp_guard_quote(const struct xmp_tuple *q)
{
	struct xmp_tuple r;

	if (xmp_owned(q))
		return 1;
	xmp_tuple_reverse(&r, q);
	return xmp_owned(&r);
}

/* ICMP error at p->l4_off quoting IP + at least 8 bytes of TCP. */
static __always_inline int xmp_guard_icmp(void *data, void *data_end, struct xmp_parse *p)
{
	__u32 off = p->l4_off & 0x7fff;
	__u8 *icmp = data + off, *in, *ports;
	struct xmp_tuple q = {};

	if ((void *)(icmp + 8) > data_end || !xmp_icmp_is_error(p->l4_proto, icmp[0]))
		return 0;
	in = icmp + 8;
	if (p->l4_proto == XMP_IPPROTO_ICMP) {
		struct iphdr *ip = (void *)in;
		__u32 ihl;

		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP)
			return 0;
		ihl = (*(__u8 *)ip & 0x0f) * 4;
		if (ihl < sizeof(*ip))
			return 0;
		ports = in + ihl;
		xmp_addr_v4(&q.saddr, ip->saddr);
		xmp_addr_v4(&q.daddr, ip->daddr);
	} else {
		struct ipv6hdr *ip6 = (void *)in;

		/* the quote's own extension headers are not walked */
		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_TCP)
			return 0;
		ports = in + sizeof(*ip6);
		xmp_addr_v6(&q.saddr, &ip6->saddr);
		xmp_addr_v6(&q.daddr, &ip6->daddr);
	}
	if ((void *)(ports + 4) > data_end)
		return 0;
	q.sport = *(__be16 *)ports;
	q.dport = *(__be16 *)(ports + 2);
	return xmp_guard_quote(&q);
}

#endif

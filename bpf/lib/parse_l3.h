/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Link and network layer parsing shared by XDP ingress and TC egress:
 * Ethernet with at most one 802.1Q/802.1ad tag, IPv4 with options, IPv6 with
 * a bounded walk over the extension headers a host may skip (RFC 8200 4).
 * Every read is bounds-checked against data_end; a problem is recorded with
 * xmp_note() and parsing stops. Call chain: xmp_parse_l2l3() ->
 * xmp_parse_ipv4() | xmp_parse_ipv6().
 */
#ifndef XMP_BPF_PARSE_L3_H
#define XMP_BPF_PARSE_L3_H

#include "lib/structs.h"

/* IPv4 addresses go into the 16-byte key fields as ::ffff:a.b.c.d. */
static __always_inline void xmp_addr_v4(struct xmp_addr *a, __be32 v4)
{
	__u32 *w = (__u32 *)a->a;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000ffff);
	w[3] = v4;
}

static __always_inline void xmp_addr_v6(struct xmp_addr *a, const struct in6_addr *v6)
{
	__builtin_memcpy(a->a, v6, 16);
}

/* ip_end: where the datagram ends by its length field; a zero length
 * (GSO IPv4 beyond 64 KB, IPv6 jumbogram) or one past the frame means
 * "to the end of what we have". */
static __always_inline void xmp_set_ip_end(struct xmp_parse *p, __u32 l3_off, __u32 ip_len)
{
	__u32 end = l3_off + ip_len;

	p->ip_end = (!ip_len || end > p->wire_len) ? p->wire_len : end;
}

static __always_inline int xmp_parse_ipv4(void *data, void *data_end, struct xmp_parse *p,
					  __u32 off)
{
	struct iphdr *ip = data + off;
	__u32 ihl;
	__u16 frag;

	if ((void *)(ip + 1) > data_end) {
		xmp_note(p, XMP_R_SHORT_IP);
		return -1;
	}
	p->m.ip_version = 4;
	p->l4_proto = ip->protocol;
	ihl = (*(__u8 *)ip & 0x0f) * 4;
	if (ihl < sizeof(*ip) || (void *)ip + ihl > data_end) {
		xmp_note(p, XMP_R_BAD_IHL);
		return -1;
	}
	frag = bpf_ntohs(ip->frag_off);
	if (frag & XMP_IP_OFFSET) {
		/* Non-first fragment: no transport header to read. */
		xmp_note(p, XMP_R_IP_FRAG);
		return -1;
	}
	xmp_set_ip_end(p, off, bpf_ntohs(ip->tot_len));
	xmp_addr_v4(&p->t.saddr, ip->saddr);
	xmp_addr_v4(&p->t.daddr, ip->daddr);
	p->l4_off = off + ihl;
	return 0;
}

/* Length of the extension header at hdr whose type is nh, 0 if nh is not
 * one we skip. Fragment headers are fixed-size (RFC 8200 4.5); AH counts
 * 4-octet units minus 2 (RFC 4302 2.2); the others 8-octet units minus 1. */
static __always_inline __u32 xmp_ext_len(__u8 nh, const __u8 *hdr)
{
	switch (nh) {
	case XMP_NEXTHDR_HOP:
	case XMP_NEXTHDR_ROUTING:
	case XMP_NEXTHDR_DEST:
		return ((__u32)hdr[1] + 1) * 8;
	case XMP_NEXTHDR_FRAGMENT:
		return 8;
	case XMP_NEXTHDR_AUTH:
		return ((__u32)hdr[1] + 2) * 4;
	}
	return 0;
}

static __always_inline int xmp_is_ext(__u8 nh)
{
	return nh == XMP_NEXTHDR_HOP || nh == XMP_NEXTHDR_ROUTING || nh == XMP_NEXTHDR_DEST ||
	       nh == XMP_NEXTHDR_FRAGMENT || nh == XMP_NEXTHDR_AUTH;
}

static __always_inline int xmp_parse_ipv6(void *data, void *data_end, struct xmp_parse *p,
					  __u32 off)
{
	struct ipv6hdr *ip6 = data + off;
	__u32 pos = off + sizeof(*ip6);
	__u8 nh;
	int i;

	if ((void *)(ip6 + 1) > data_end) {
		xmp_note(p, XMP_R_SHORT_IP);
		return -1;
	}
	p->m.ip_version = 6;
	xmp_set_ip_end(p, pos, bpf_ntohs(ip6->payload_len));
	xmp_addr_v6(&p->t.saddr, &ip6->saddr);
	xmp_addr_v6(&p->t.daddr, &ip6->daddr);
	nh = ip6->nexthdr;

	for (i = 0; i < XMP_MAX_EXT_HDRS; i++) {
		__u8 *hdr;
		__u32 len;

		if (!xmp_is_ext(nh))
			break;
		/* pos only grows by at most 2 KB a step: the mask just tells
		 * the verifier what the bound above already guarantees. */
		hdr = data + (pos & 0x7fff);
		if ((void *)(hdr + 8) > data_end) {
			xmp_note(p, XMP_R_EXT_CHAIN);
			return -1;
		}
		if (nh == XMP_NEXTHDR_FRAGMENT && (bpf_ntohs(*(__be16 *)(hdr + 2)) & 0xfff8)) {
			p->l4_proto = hdr[0];
			xmp_note(p, XMP_R_IP_FRAG);
			return -1;
		}
		len = xmp_ext_len(nh, hdr);
		nh = hdr[0];
		pos = (pos & 0x7fff) + len;
	}
	p->l4_proto = nh;
	if (xmp_is_ext(nh) || pos > p->ip_end) {
		xmp_note(p, XMP_R_EXT_CHAIN);
		return -1;
	}
	p->l4_off = pos;
	return 0;
}

/* Ethernet (+ one VLAN tag), then IP. Returns 0 when p->l4_off/l4_proto
 * name a transport header to parse, -1 otherwise (not IP, or a problem). */
static __always_inline int xmp_parse_l2l3(void *data, void *data_end, struct xmp_parse *p)
{
	struct ethhdr *eth = data;
	__u32 off = XMP_ETH_HLEN;
	__u16 proto;

	if ((void *)(eth + 1) > data_end) {
		xmp_note(p, XMP_R_SHORT_ETH);
		return -1;
	}
	proto = bpf_ntohs(eth->h_proto);
	if (proto == XMP_ETH_P_8021Q || proto == XMP_ETH_P_8021AD) {
		/* TCI (2 bytes) then the inner EtherType */
		if (data + XMP_ETH_HLEN + XMP_VLAN_HLEN > data_end) {
			xmp_note(p, XMP_R_SHORT_ETH);
			return -1;
		}
		proto = bpf_ntohs(*(__be16 *)(data + XMP_ETH_HLEN + 2));
		off += XMP_VLAN_HLEN;
	}
	p->m.l3_off = off;
	if (proto == XMP_ETH_P_IP)
		return xmp_parse_ipv4(data, data_end, p, off);
	if (proto == XMP_ETH_P_IPV6)
		return xmp_parse_ipv6(data, data_end, p, off);
	return -1;
}

#endif

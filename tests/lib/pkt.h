/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test packet builder (header only): Ethernet [+ one VLAN tag], IPv4
 * [+ options] or IPv6 [+ extension headers], then TCP with arbitrary raw
 * option bytes and payload, or any other L4 as raw bytes. Lengths and
 * checksums (IPv4 header, TCP/UDP/ICMP/ICMPv6 with pseudo-header) are
 * filled in; knobs (ihl, doff, fragment offset, truncation) let tests
 * build every malformed shape the BPF parser must survive. pkt_build()
 * also reports where each header landed so tests can check offsets.
 */
#ifndef XMP_TEST_PKT_H
#define XMP_TEST_PKT_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/byteorder.h"

#define PKT_MAX	       2048
#define PKT_ETH_P_IP   0x0800
#define PKT_ETH_P_IPV6 0x86dd
#define PKT_ETH_P_ARP  0x0806

/* IPv6 extension header types pkt_ext6() can emit */
#define PKT_EXT_HOP	0
#define PKT_EXT_ROUTING 43
#define PKT_EXT_FRAG	44
#define PKT_EXT_AUTH	51
#define PKT_EXT_DEST	60

#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10

struct pkt_opts {
	uint16_t vlan_tpid; /* 0: untagged, else 0x8100 or 0x88a8 */
	uint16_t vlan_tci;
	uint16_t ethertype; /* 0: from the IP version; else raw payload after Ethernet */
	int v6;
	int no_eth;	       /* start at the IP header (for ICMP quotes) */
	const char *src, *dst; /* text addresses of the family */
	uint8_t proto;	       /* 0 = TCP; else payload is the raw L4 */
	/* IPv4 */
	const uint8_t *ipopt; /* multiple of 4 */
	size_t ipopt_len;
	int ihl;       /* override IHL (words), 0 = computed */
	uint16_t frag; /* frag_off field, host order */
	/* IPv6: extension chain from pkt_ext6() */
	const uint8_t *ext;
	size_t ext_len;
	uint8_t ext_nh; /* type of the first extension header */
	/* TCP */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opt; /* raw option bytes, zero padded to 4 */
	size_t opt_len;
	int doff; /* override data offset (words), 0 = computed */
	const void *payload;
	size_t payload_len;
	size_t trunc; /* cut the frame to this length, 0 = no */
};

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
	size_t l3, l4, pay; /* offsets of IP, transport, payload */
};

static inline uint32_t pkt_sum(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t pkt_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv6 extension chain of n headers (types[]), the last one pointing
 * to final_nh. Each header is minimal and well formed; a fragment header
 * carries frag_off (8-octet units) in its offset field. Returns the length. */
static inline size_t pkt_ext6(uint8_t *out, const uint8_t *types, int n, uint8_t final_nh,
			      uint16_t frag_off)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		uint8_t *h = out + len;
		uint8_t nh = i + 1 < n ? types[i + 1] : final_nh;
		size_t hl = types[i] == PKT_EXT_AUTH ? 16 : 8;

		memset(h, 0, hl);
		h[0] = nh;
		switch (types[i]) {
		case PKT_EXT_FRAG:
			put_be16(h + 2, (uint16_t)(frag_off << 3));
			put_be32(h + 4, 0x1234);
			break;
		case PKT_EXT_AUTH:
			h[1] = 2; /* (2 + 2) * 4 = 16 bytes */
			put_be32(h + 4, 0x100);
			break;
		default:
			h[1] = 0; /* 8 bytes: PadN over the 6 option bytes */
			h[2] = 1;
			h[3] = 4;
			break;
		}
		len += hl;
	}
	return len;
}

static inline size_t pkt_build(struct pkt *k, const struct pkt_opts *o)
{
	uint8_t *b = k->b;
	size_t off = 0, l4len, iphl;
	uint8_t proto = o->proto ? o->proto : IPPROTO_TCP;
	uint32_t sum;

	memset(k, 0, sizeof(*k));
	if (!o->no_eth) {
		static const uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 2},
				     smac[6] = {0x02, 0, 0, 0, 0, 1};
		uint16_t et = o->ethertype ? o->ethertype : (o->v6 ? PKT_ETH_P_IPV6 : PKT_ETH_P_IP);

		memcpy(b, dmac, 6);
		memcpy(b + 6, smac, 6);
		off = 12;
		if (o->vlan_tpid) {
			put_be16(b + off, o->vlan_tpid);
			put_be16(b + off + 2, o->vlan_tci);
			off += 4;
		}
		put_be16(b + off, et);
		off += 2;
		if (o->ethertype) {
			memcpy(b + off, o->payload, o->payload_len);
			k->l3 = k->l4 = k->pay = off;
			k->len = off + o->payload_len;
			if (k->len < 60)
				k->len = 60; /* Ethernet minimum, zero padded */
			return k->len;
		}
	}
	k->l3 = off;
	if (!o->v6) {
		iphl = 20 + o->ipopt_len;
		off += iphl;
	} else {
		iphl = 40 + o->ext_len;
		off += iphl;
	}
	k->l4 = off;
	if (proto == IPPROTO_TCP) {
		size_t optl = (o->opt_len + 3) & ~(size_t)3;
		uint8_t *t = b + off;

		put_be16(t, o->sport);
		put_be16(t + 2, o->dport);
		put_be32(t + 4, o->seq);
		put_be32(t + 8, o->ack);
		t[12] = (uint8_t)((o->doff ? o->doff : (int)(20 + optl) / 4) << 4);
		t[13] = o->flags;
		put_be16(t + 14, o->win ? o->win : 65535);
		if (o->opt_len)
			memcpy(t + 20, o->opt, o->opt_len);
		k->pay = off + 20 + optl;
	} else {
		k->pay = off;
	}
	if (o->payload_len)
		memcpy(b + k->pay, o->payload, o->payload_len);
	k->len = k->pay + o->payload_len;
	l4len = k->len - k->l4;

	/* network header and checksums */
	{
		uint8_t *ip = b + k->l3;

		if (!o->v6) {
			ip[0] = 0x40 | (o->ihl ? o->ihl : (int)iphl / 4);
			put_be16(ip + 2, (uint16_t)(k->len - k->l3));
			put_be16(ip + 4, 0x4242);
			put_be16(ip + 6, o->frag);
			ip[8] = 64;
			ip[9] = proto;
			inet_pton(AF_INET, o->src, ip + 12);
			inet_pton(AF_INET, o->dst, ip + 16);
			if (o->ipopt_len)
				memcpy(ip + 20, o->ipopt, o->ipopt_len);
			put_be16(ip + 10, pkt_fold(pkt_sum(ip, iphl, 0)));
			sum = pkt_sum(ip + 12, 8, 0);
		} else {
			ip[0] = 0x60;
			put_be16(ip + 4, (uint16_t)(k->len - k->l3 - 40));
			ip[6] = o->ext_len ? o->ext_nh : proto;
			ip[7] = 64;
			inet_pton(AF_INET6, o->src, ip + 8);
			inet_pton(AF_INET6, o->dst, ip + 24);
			if (o->ext_len)
				memcpy(ip + 40, o->ext, o->ext_len);
			sum = pkt_sum(ip + 8, 32, 0);
		}
		sum += proto + (uint32_t)l4len;
	}
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_ICMPV6) {
		size_t at = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;

		if (l4len >= at + 2) {
			b[k->l4 + at] = b[k->l4 + at + 1] = 0;
			put_be16(b + k->l4 + at, pkt_fold(pkt_sum(b + k->l4, l4len, sum)));
		}
	} else if (proto == IPPROTO_ICMP && l4len >= 4) {
		b[k->l4 + 2] = b[k->l4 + 3] = 0;
		put_be16(b + k->l4 + 2, pkt_fold(pkt_sum(b + k->l4, l4len, 0)));
	}
	if (o->trunc && o->trunc < k->len)
		k->len = o->trunc;
	return k->len;
}

#endif

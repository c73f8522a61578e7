// SPDX-License-Identifier: GPL-2.0
/*
 * Ethernet/IPv4/IPv6/TCP parse and build for the AF_XDP path (see pkt.h).
 * Call chain: xsk.c RX -> xmp_pkt_meta() + xmp_pkt_parse() (headers, then
 * the options once: tcp_options.c) -> engine input with f->opts;
 * engine xmit -> xmp_pkt_build() -> xsk.c TX. Every read is bounds-checked
 * against the frame length, and the IP length fields (not the frame length,
 * which may include Ethernet padding) decide where the segment ends.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/byteorder.h"
#include "io/addr.h"
#include "io/csum.h"
#include "io/pkt.h"

#define ETH_P_IP_	0x0800
#define ETH_P_IPV6_	0x86dd
#define ETH_P_8021Q_	0x8100
#define ETH_P_8021AD_	0x88a8
#define XMP_MAX_VLAN_TAGS 2
#define XMP_MAX_IP6_EXT	8
#define IPPROTO_TCP_	6

static int fail(struct xmp_frame *f, enum xmp_pkt_err why, int ret)
{
	f->err = why;
	return ret;
}

static const char *const pkt_err_names[] = { XMP_PKT_ERR_LIST(XMP_NAME_ROW) };

/* int, not the enum: f->err is a __u8 and callers pass what they hold. */
const char *xmp_pkt_err_name(int err)
{
	return err < 0 ? "unknown" : XMP_NAME_OF(pkt_err_names, err, "unknown");
}

const struct xmp_meta *xmp_pkt_meta(const __u8 *data, __u32 headroom)
{
	const struct xmp_meta *m;

	if (headroom < XMP_META_SIZE)
		return NULL;
	m = (const struct xmp_meta *)(data - XMP_META_SIZE);
	return m->magic == XMP_META_MAGIC ? m : NULL;
}

/* Ethernet and up to two VLAN tags; off and proto get the L3 start and type. */
static int parse_l2(struct xmp_frame *f, __u32 *off, __u16 *proto)
{
	const __u8 *d = f->data;
	__u32 o = 12;
	int tags;

	if (f->len < XMP_ETH_HLEN)
		return fail(f, XMP_PKT_E_SHORT_ETH, -EBADMSG);
	memcpy(f->dst_mac, d, XMP_ETH_ALEN);
	memcpy(f->src_mac, d + XMP_ETH_ALEN, XMP_ETH_ALEN);
	*proto = get_be16(d + o);
	for (tags = 0; *proto == ETH_P_8021Q_ || *proto == ETH_P_8021AD_; tags++) {
		if (tags == XMP_MAX_VLAN_TAGS || o + 6 > f->len)
			return fail(f, XMP_PKT_E_SHORT_ETH, -EBADMSG);
		if (!tags)
			f->vlan = get_be16(d + o + 2) & 0x0fff;
		o += 4;
		*proto = get_be16(d + o);
	}
	*off = o + 2;
	return 0;
}

/* IPv4 (RFC 791): *l4 = TCP header, *end = end of the IP packet. */
static int parse_ip4(struct xmp_frame *f, __u32 off, __u32 *l4, __u32 *end)
{
	const __u8 *ip = f->data + off;
	__u32 ihl, tot;

	if (off + XMP_IP4_HLEN > f->len)
		return fail(f, XMP_PKT_E_SHORT_IP, -EBADMSG);
	if (ip[0] >> 4 != 4)
		return fail(f, XMP_PKT_E_BAD_VERSION, -EBADMSG);
	ihl = (ip[0] & 0x0f) * 4u;
	if (ihl < XMP_IP4_HLEN || off + ihl > f->len)
		return fail(f, XMP_PKT_E_BAD_IHL, -EBADMSG);
	tot = get_be16(ip + 2);
	if (tot < ihl || off + tot > f->len)
		return fail(f, XMP_PKT_E_BAD_IP_LEN, -EBADMSG);
	/* MF set or a non-zero offset: a fragment, no whole segment here */
	if (get_be16(ip + 6) & 0x3fff)
		return fail(f, XMP_PKT_E_IP_FRAG, -EBADMSG);
	if (ip[9] != IPPROTO_TCP_)
		return fail(f, XMP_PKT_E_NOT_TCP, -EPROTO);
	f->ip_version = 4;
	f->tos = ip[1];
	f->ttl = ip[8];
	xmp_addr_from_v4(&f->saddr, 0);
	xmp_addr_from_v4(&f->daddr, 0);
	memcpy(&f->saddr.a[12], ip + 12, 4);
	memcpy(&f->daddr.a[12], ip + 16, 4);
	*l4 = off + ihl;
	*end = off + tot;
	return 0;
}

/* IPv6 extension headers (RFC 8200 4): walk to TCP within *end. */
static int skip_ip6_ext(struct xmp_frame *f, __u8 nh, __u32 *l4, __u32 end)
{
	const __u8 *d = f->data;
	__u32 o = *l4, hlen;
	int i;

	for (i = 0; i <= XMP_MAX_IP6_EXT; i++) {
		switch (nh) {
		case IPPROTO_TCP_:
			*l4 = o;
			return 0;
		case 0:  /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
			if (o + 2 > end)
				return fail(f, XMP_PKT_E_EXT_CHAIN, -EBADMSG);
			hlen = (d[o + 1] + 1u) * 8;
			break;
		case 44: /* fragment: offset or M flag set means not whole */
			if (o + 8 > end)
				return fail(f, XMP_PKT_E_EXT_CHAIN, -EBADMSG);
			if (get_be16(d + o + 2) & 0xfff9)
				return fail(f, XMP_PKT_E_IP_FRAG, -EBADMSG);
			hlen = 8;
			break;
		case 51: /* authentication header (RFC 4302) */
			if (o + 2 > end)
				return fail(f, XMP_PKT_E_EXT_CHAIN, -EBADMSG);
			hlen = (d[o + 1] + 2u) * 4;
			break;
		default:
			return fail(f, XMP_PKT_E_NOT_TCP, -EPROTO);
		}
		if (o + hlen > end)
			return fail(f, XMP_PKT_E_EXT_CHAIN, -EBADMSG);
		nh = d[o];
		o += hlen;
	}
	return fail(f, XMP_PKT_E_EXT_CHAIN, -EBADMSG);
}

static int parse_ip6_hdr(struct xmp_frame *f, __u32 off, __u32 *end)
{
	const __u8 *ip = f->data + off;
	__u32 plen;

	if (off + XMP_IP6_HLEN > f->len)
		return fail(f, XMP_PKT_E_SHORT_IP, -EBADMSG);
	if (ip[0] >> 4 != 6)
		return fail(f, XMP_PKT_E_BAD_VERSION, -EBADMSG);
	plen = get_be16(ip + 4);
	/* plen 0 is a jumbogram (RFC 2675): never on our links */
	if (!plen || off + XMP_IP6_HLEN + plen > f->len)
		return fail(f, XMP_PKT_E_BAD_IP_LEN, -EBADMSG);
	f->ip_version = 6;
	f->tos = (__u8)(get_be16(ip) >> 4);
	f->ttl = ip[7];
	xmp_addr_from_v6(&f->saddr, ip + 8);
	xmp_addr_from_v6(&f->daddr, ip + 24);
	*end = off + XMP_IP6_HLEN + plen;
	return 0;
}

static int parse_ip6(struct xmp_frame *f, __u32 off, __u32 *l4, __u32 *end)
{
	int err = parse_ip6_hdr(f, off, end);

	if (err)
		return err;
	*l4 = off + XMP_IP6_HLEN;
	return skip_ip6_ext(f, f->data[off + 6], l4, *end);
}

/* TCP header (RFC 9293 3.1) into f->seg, host order. */
static int parse_tcp(struct xmp_frame *f, __u32 l4, __u32 end)
{
	const __u8 *t = f->data + l4;
	struct xmp_seg *s = &f->seg;
	__u32 doff;

	if (l4 + XMP_TCP_HLEN > end)
		return fail(f, XMP_PKT_E_SHORT_TCP, -EBADMSG);
	doff = (t[12] >> 4) * 4u;
	if (doff < XMP_TCP_HLEN || l4 + doff > end)
		return fail(f, XMP_PKT_E_BAD_DOFF, -EBADMSG);
	s->sport = get_be16(t);
	s->dport = get_be16(t + 2);
	s->seq = get_be32(t + 4);
	s->ack = get_be32(t + 8);
	s->flags = t[13];
	s->wnd = get_be16(t + 14);
	s->urg = get_be16(t + 18);
	s->optlen = (__u8)(doff - XMP_TCP_HLEN);
	memcpy(s->opts, t + XMP_TCP_HLEN, s->optlen);
	f->l4_off = (__u16)l4;
	f->payload_off = (__u16)(l4 + doff);
	s->payload = f->data + l4 + doff;
	s->len = end - (l4 + doff);
	return 0;
}

/*
 * The fast path: trust XDP's offsets once they agree with the frame. The
 * IP header is still read (addresses, lengths) but the extension chain and
 * VLAN tags are not walked again.
 */
static int parse_with_meta(struct xmp_frame *f, const struct xmp_meta *m)
{
	__u32 l3 = m->l3_off, l4 = m->l4_off, end, ihl;
	const __u8 *ip;
	int err;

	if (l3 < XMP_ETH_HLEN || l4 <= l3 || (__u32)m->payload_off + m->payload_len > f->len)
		return -EBADMSG;
	ip = f->data + l3;
	if (m->ip_version == 4) {
		if (l3 + XMP_IP4_HLEN > f->len || ip[0] >> 4 != 4)
			return -EBADMSG;
		ihl = (ip[0] & 0x0f) * 4u;
		if (l4 != l3 + ihl)
			return -EBADMSG;
		err = parse_ip4(f, l3, &l4, &end);
	} else if (m->ip_version == 6) {
		/* the extension chain XDP walked lies between l3 + 40 and l4 */
		if (l4 < l3 + XMP_IP6_HLEN)
			return -EBADMSG;
		err = parse_ip6_hdr(f, l3, &end);
	} else {
		return -EBADMSG;
	}
	if (err)
		return err;
	err = parse_tcp(f, l4, end);
	if (err)
		return err;
	if (f->payload_off != m->payload_off || f->seg.len != m->payload_len)
		return -EBADMSG;
	f->l3_off = (__u16)l3;
	f->meta = m;
	return 0;
}

static int parse_walk(struct xmp_frame *f)
{
	__u32 l3, l4, end;
	__u16 proto;
	int err;

	err = parse_l2(f, &l3, &proto);
	if (err)
		return err;
	f->l3_off = (__u16)l3;
	if (proto == ETH_P_IP_)
		err = parse_ip4(f, l3, &l4, &end);
	else if (proto == ETH_P_IPV6_)
		err = parse_ip6(f, l3, &l4, &end);
	else
		return fail(f, XMP_PKT_E_NOT_IP, -EPROTO);
	if (err)
		return err;
	return parse_tcp(f, l4, end);
}

/*
 * The options, once: where the metadata located them when it did so
 * completely and correctly, else one walk. Offsets that contradict the
 * frame reject the whole metadata, as wrong header offsets do.
 */
static void parse_opts(struct xmp_frame *f)
{
	const struct xmp_seg *s = &f->seg;
	bool syn = s->flags & XMP_TH_SYN;
	int err = -EAGAIN;

	if (f->meta)
		err = xmp_tcp_parse_meta(s->opts, s->optlen, syn, f->meta, &f->opts);
	if (!err)
		return;
	if (err == -EBADMSG) {
		f->meta = NULL;
		f->err = XMP_PKT_E_BAD_META;
	}
	f->opts_walked = true;
	xmp_tcp_parse_options(s->opts, s->optlen, syn, &f->opts);
}

int xmp_pkt_parse(const __u8 *data, __u32 len, const struct xmp_meta *meta,
		  unsigned int flags, struct xmp_frame *f)
{
	__u16 proto;
	__u32 l3;
	int err;

	if (!data || !f || len > 0xffff)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->data = data;
	f->len = len;
	if (meta && meta->magic == XMP_META_MAGIC) {
		/* L2 for the MACs and the VLAN id; cheap and bounded. */
		err = parse_l2(f, &l3, &proto);
		if (err)
			return err;
		err = parse_with_meta(f, meta);
		if (err) {
			memset(f, 0, sizeof(*f));
			f->data = data;
			f->len = len;
			err = parse_walk(f);
			if (!err)
				f->err = XMP_PKT_E_BAD_META;
		}
	} else {
		err = parse_walk(f);
	}
	if (err)
		return err;
	if (flags & XMP_PKT_F_CSUM) {
		err = xmp_pkt_check_csum(f);
		if (err)
			return fail(f, err, -EBADMSG);
	}
	parse_opts(f);
	return 0;
}

int xmp_pkt_check_csum(const struct xmp_frame *f)
{
	const __u8 *l3 = f->data + f->l3_off;
	__u32 l4_len = f->payload_off - f->l4_off + f->seg.len;

	if (f->ip_version == 4 && xmp_csum_ip4(l3, (l3[0] & 0x0f) * 4u))
		return XMP_PKT_E_IP_CSUM;
	if (xmp_csum_tcp(&f->saddr, &f->daddr, f->data + f->l4_off, l4_len))
		return XMP_PKT_E_TCP_CSUM;
	return 0;
}

static __u32 opt_space(const struct xmp_seg *seg)
{
	return (seg->optlen + 3u) & ~3u;
}

__u32 xmp_pkt_len(const struct xmp_pkt_hdrs *h, const struct xmp_seg *seg)
{
	__u32 l3 = xmp_addr_is_v4(&h->saddr) ? XMP_IP4_HLEN : XMP_IP6_HLEN;

	return XMP_ETH_HLEN + l3 + XMP_TCP_HLEN + opt_space(seg) + seg->len;
}

static void build_ip4(__u8 *ip, const struct xmp_pkt_hdrs *h, __u32 l4_len)
{
	ip[0] = 0x45;
	ip[1] = h->tos;
	put_be16(ip + 2, (__u16)(XMP_IP4_HLEN + l4_len));
	put_be16(ip + 4, h->ip_id);
	put_be16(ip + 6, h->no_df ? 0 : 0x4000);
	ip[8] = h->ttl ? h->ttl : 64;
	ip[9] = IPPROTO_TCP_;
	put_be16(ip + 10, 0);
	memcpy(ip + 12, &h->saddr.a[12], 4);
	memcpy(ip + 16, &h->daddr.a[12], 4);
	put_be16(ip + 10, xmp_csum_ip4(ip, XMP_IP4_HLEN));
}

static void build_ip6(__u8 *ip, const struct xmp_pkt_hdrs *h, __u32 l4_len)
{
	put_be32(ip, 6u << 28 | (__u32)h->tos << 20 | (h->flowlabel & 0xfffff));
	put_be16(ip + 4, (__u16)l4_len);
	ip[6] = IPPROTO_TCP_;
	ip[7] = h->ttl ? h->ttl : 64;
	memcpy(ip + 8, h->saddr.a, 16);
	memcpy(ip + 24, h->daddr.a, 16);
}

static void build_tcp(__u8 *t, const struct xmp_seg *seg)
{
	__u32 olen = opt_space(seg);

	put_be16(t, seg->sport);
	put_be16(t + 2, seg->dport);
	put_be32(t + 4, seg->seq);
	put_be32(t + 8, seg->ack);
	t[12] = (__u8)(((XMP_TCP_HLEN + olen) / 4) << 4);
	t[13] = seg->flags;
	put_be16(t + 14, seg->wnd);
	put_be16(t + 16, 0);
	put_be16(t + 18, seg->urg);
	memcpy(t + XMP_TCP_HLEN, seg->opts, seg->optlen);
	/* pad with EOL (RFC 9293 3.2): the receiver stops there */
	memset(t + XMP_TCP_HLEN + seg->optlen, 0, olen - seg->optlen);
	if (seg->len)
		memcpy(t + XMP_TCP_HLEN + olen, seg->payload, seg->len);
}

int xmp_pkt_build(__u8 *buf, __u32 space, const struct xmp_pkt_hdrs *h,
		  const struct xmp_seg *seg)
{
	bool v4 = xmp_addr_is_v4(&h->saddr);
	__u32 len, l3_len, l4_len;
	__u8 *ip, *t;

	if (!buf || !h || !seg || v4 != xmp_addr_is_v4(&h->daddr) ||
	    seg->optlen > XMP_TCP_MAX_OPTLEN || (seg->len && !seg->payload))
		return -EINVAL;
	l3_len = v4 ? XMP_IP4_HLEN : XMP_IP6_HLEN;
	l4_len = XMP_TCP_HLEN + opt_space(seg) + seg->len;
	len = XMP_ETH_HLEN + l3_len + l4_len;
	if (len > space || l4_len > 0xffff - l3_len)
		return -ENOSPC;

	memcpy(buf, h->dst_mac, XMP_ETH_ALEN);
	memcpy(buf + XMP_ETH_ALEN, h->src_mac, XMP_ETH_ALEN);
	put_be16(buf + 12, v4 ? ETH_P_IP_ : ETH_P_IPV6_);
	ip = buf + XMP_ETH_HLEN;
	t = ip + l3_len;
	build_tcp(t, seg);
	if (v4)
		build_ip4(ip, h, l4_len);
	else
		build_ip6(ip, h, l4_len);
	put_be16(t + 16, xmp_csum_tcp(&h->saddr, &h->daddr, t, l4_len));
	return (int)len;
}

void xmp_pkt_reply_hdrs(const struct xmp_frame *f, struct xmp_pkt_hdrs *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->src_mac, f->dst_mac, XMP_ETH_ALEN);
	memcpy(h->dst_mac, f->src_mac, XMP_ETH_ALEN);
	h->saddr = f->daddr;
	h->daddr = f->saddr;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/io/ packet code (no root): Internet checksum against
 * hand-computed vectors (derivations in the comments) and against a naive
 * word-by-word one's-complement sum, incremental update (RFC 1624),
 * Ethernet/IPv4/IPv6/TCP build -> parse round trips, the XDP metadata fast
 * path, the options parsed once both ways (from the metadata's offsets,
 * forged ones included, and by a walk: the same result, no walk where the
 * metadata covers the area), and rejection of malformed or truncated frames
 * with the right code.
 * Truncated frames are parsed from heap buffers of exactly their length,
 * so the ASan build catches any read past the end.
 */
#include <errno.h>
#include <stdint.h>
#include <arpa/inet.h>

#include "lib/test.h"
#include "io/addr.h"
#include "io/csum.h"
#include "io/pkt.h"
#include "lib/meta.h"
#include "lib/optareas.h"
#include "lib/xorshift.h"

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u32 rnd(void)
{
	return (__u32)(t_xorshift64(&rng_state) >> 11);
}

/* Independent reference: RFC 1071 one's-complement addition word by word,
 * with the end-around carry folded after every add (no wide accumulator). */
static __u16 naive_csum(const __u8 *b, size_t len)
{
	__u16 s = 0;
	size_t i;

	for (i = 0; i < len; i += 2) {
		__u32 w = (__u32)b[i] << 8 | (i + 1 < len ? b[i + 1] : 0);
		__u32 t = s + w;

		s = (__u16)((t & 0xffff) + (t >> 16));
	}
	return (__u16)~s;
}

static void t_csum_rfc1071_vectors(void)
{
	/* RFC 1071 4.1: 0001 + f203 + f4f5 + f6f7 = 2ddf0 -> ddf2; ~ = 220d */
	static const __u8 v1[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* IPv4 header 192.168.0.1 -> 192.168.0.199, UDP, len 0x73, DF:
	 * 4500+0073+0000+4000+4011+c0a8+0001+c0a8+00c7 = 2479c -> 479e; ~ = b861 */
	static const __u8 ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	__u8 ipc[sizeof(ip)];
	static const __u8 odd[] = { 0x01 }; /* 0100 -> ~ = feff */

	CHECK_EQ(xmp_sum_fold(xmp_sum_add(0, v1, sizeof(v1))), 0xddf2);
	CHECK_EQ(xmp_sum_finish(xmp_sum_add(0, v1, sizeof(v1))), 0x220d);
	CHECK_EQ(xmp_csum_ip4(ip, sizeof(ip)), 0xb861);
	memcpy(ipc, ip, sizeof(ip));
	ipc[10] = 0xb8;
	ipc[11] = 0x61;
	CHECK_EQ(xmp_csum_ip4(ipc, sizeof(ipc)), 0); /* verifies to zero */
	CHECK_EQ(xmp_sum_finish(xmp_sum_add(0, odd, 1)), 0xfeff);
	CHECK_EQ(xmp_sum_finish(0), 0xffff);
}

/* A bare 20-byte SYN: sport 0x1234, dport 80, seq 1, doff 5, wnd ffff. */
static void bare_syn(__u8 t[20])
{
	static const __u8 h[20] = { 0x12, 0x34, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
				    0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0 };
	memcpy(t, h, 20);
}

static void t_csum_tcp_vectors(void)
{
	struct xmp_addr s, d;
	__u8 t[20];

	bare_syn(t);
	/* IPv4: pseudo 0a00+0001+0a00+0002+0006+0014 = 141d; header
	 * 1234+0050+0000+0001+5002+ffff = 16286 -> 6287; 141d+6287 = 76a4;
	 * ~ = 895b */
	CHECK_EQ(xmp_addr_parse(&s, "10.0.0.1"), 0);
	CHECK_EQ(xmp_addr_parse(&d, "10.0.0.2"), 0);
	CHECK_EQ(xmp_csum_tcp(&s, &d, t, 20), 0x895b);
	t[16] = 0x89;
	t[17] = 0x5b;
	CHECK_EQ(xmp_csum_tcp(&s, &d, t, 20), 0);
	/* IPv6 fe80::1 -> fe80::2: pseudo fe80+0001+fe80+0002+0000+0014+0006
	 * = 1fd1d; + 6287 = 25fa4 -> 5fa6; ~ = a059 */
	bare_syn(t);
	CHECK_EQ(xmp_addr_parse(&s, "fe80::1"), 0);
	CHECK_EQ(xmp_addr_parse(&d, "fe80::2"), 0);
	CHECK_EQ(xmp_csum_tcp(&s, &d, t, 20), 0xa059);
}

/* Any length, at any alignment (the word loop loads eight bytes a turn),
 * after any sum so far: as the naive sum word by word. */
static void t_csum_vs_naive(void)
{
	static __u8 raw[70000 + 8];
	int iter;

	for (iter = 0; iter < 2000; iter++) {
		size_t len = rnd() % (iter < 20 ? 70000 : 1601), split, i;
		__u8 *buf = raw + rnd() % 8;
		__u32 sum;

		for (i = 0; i < len; i++)
			buf[i] = (iter & 7) == 0 ? 0xff : (__u8)rnd();
		CHECK_EQ(xmp_sum_finish(xmp_sum_add(0, buf, len)), naive_csum(buf, len));
		/* chained at an even split point gives the same sum */
		split = len ? (rnd() % (len + 1)) & ~(size_t)1 : 0;
		sum = xmp_sum_add(0, buf, split);
		sum = xmp_sum_add(sum, buf + split, len - split);
		CHECK_EQ(xmp_sum_finish(sum), naive_csum(buf, len));
		if (t_cur_failed)
			return;
	}
}

static void mk_hdrs(struct xmp_pkt_hdrs *h, bool v6)
{
	static const __u8 smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const __u8 dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	memset(h, 0, sizeof(*h));
	memcpy(h->src_mac, smac, 6);
	memcpy(h->dst_mac, dmac, 6);
	xmp_addr_parse(&h->saddr, v6 ? "2001:db8::1" : "192.0.2.1");
	xmp_addr_parse(&h->daddr, v6 ? "2001:db8::2" : "198.51.100.7");
	h->ttl = 61;
	h->tos = 0x10;
	h->ip_id = 0xbeef;
	h->flowlabel = 0xabcde;
}

/* SYN with MSS 1460, SACK_PERM, MP_CAPABLE v1 (RFC 8684 3.1, flags H). */
static void mk_syn(struct xmp_seg *s)
{
	static const __u8 opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 30, 4, 0x01, 0x01 };

	memset(s, 0, sizeof(*s));
	s->sport = 40000;
	s->dport = 8080;
	s->seq = 0xfffffff0; /* near 2^32: wraparound is never special-cased */
	s->ack = 0;
	s->flags = XMP_TH_SYN;
	s->wnd = 64240;
	memcpy(s->opts, opts, sizeof(opts));
	s->optlen = sizeof(opts);
}

static void check_roundtrip(bool v6)
{
	static const char payload[] = "hello, multipath world";
	struct xmp_pkt_hdrs h;
	struct xmp_frame f;
	struct xmp_seg s;
	__u8 buf[256];
	int len;

	mk_hdrs(&h, v6);
	mk_syn(&s);
	s.flags = XMP_TH_ACK | XMP_TH_PSH;
	s.ack = 0x01020304;
	s.urg = 7;
	s.payload = (const __u8 *)payload;
	s.len = sizeof(payload);
	len = xmp_pkt_build(buf, sizeof(buf), &h, &s);
	CHECK_EQ(len, (int)xmp_pkt_len(&h, &s));
	/* 10 option bytes padded to 12 */
	CHECK_EQ(len, 14 + (v6 ? 40 : 20) + 20 + 12 + (int)sizeof(payload));
	CHECK_EQ(xmp_pkt_parse(buf, len, NULL, XMP_PKT_F_CSUM, &f), 0);
	CHECK_EQ(f.err, XMP_PKT_OK);
	CHECK_EQ(f.ip_version, v6 ? 6 : 4);
	CHECK_EQ(f.l3_off, 14);
	CHECK_EQ(f.l4_off, 14 + (v6 ? 40 : 20));
	CHECK_EQ(f.payload_off, f.l4_off + 32);
	CHECK_MEM(f.src_mac, h.src_mac, 6);
	CHECK_MEM(f.dst_mac, h.dst_mac, 6);
	CHECK(xmp_addr_eq(&f.saddr, &h.saddr));
	CHECK(xmp_addr_eq(&f.daddr, &h.daddr));
	CHECK_EQ(f.ttl, 61);
	CHECK_EQ(f.tos, 0x10);
	CHECK_EQ(f.seg.sport, 40000);
	CHECK_EQ(f.seg.dport, 8080);
	CHECK_EQ(f.seg.seq, 0xfffffff0u);
	CHECK_EQ(f.seg.ack, 0x01020304);
	CHECK_EQ(f.seg.flags, XMP_TH_ACK | XMP_TH_PSH);
	CHECK_EQ(f.seg.wnd, 64240);
	CHECK_EQ(f.seg.urg, 7);
	CHECK_EQ(f.seg.optlen, 12);
	CHECK_MEM(f.seg.opts, s.opts, 10);
	CHECK_EQ(f.seg.opts[10], 0); /* EOL padding */
	CHECK_EQ(f.seg.opts[11], 0);
	CHECK_EQ(f.seg.len, sizeof(payload));
	CHECK_MEM(f.seg.payload, payload, sizeof(payload));
	CHECK(f.meta == NULL);
	if (!v6) {
		CHECK_EQ(buf[14 + 4], 0xbe); /* IP id */
		CHECK_EQ(buf[14 + 6], 0x40); /* DF */
	} else {
		CHECK_EQ(buf[14 + 1] & 0x0f, 0x0a); /* flow label high nibble */
	}
}

static void t_build_parse_v4(void)
{
	check_roundtrip(false);
}

static void t_build_parse_v6(void)
{
	check_roundtrip(true);
}

/* Ethernet pads frames to 60 bytes: the IP length, not the frame, decides. */
static void t_parse_eth_padding(void)
{
	struct xmp_pkt_hdrs h;
	struct xmp_frame f;
	struct xmp_seg s;
	__u8 buf[128];
	int len;

	mk_hdrs(&h, false);
	memset(&s, 0, sizeof(s));
	s.flags = XMP_TH_ACK;
	len = xmp_pkt_build(buf, sizeof(buf), &h, &s);
	CHECK_EQ(len, 54);
	memset(buf + len, 0xee, 6);
	CHECK_EQ(xmp_pkt_parse(buf, 60, NULL, XMP_PKT_F_CSUM, &f), 0);
	CHECK_EQ(f.seg.len, 0);
}

static void t_parse_vlan(void)
{
	struct xmp_pkt_hdrs h;
	struct xmp_frame f;
	struct xmp_seg s;
	__u8 buf[256], tagged[260];
	int len;

	mk_hdrs(&h, true);
	mk_syn(&s);
	len = xmp_pkt_build(buf, sizeof(buf), &h, &s);
	CHECK(len > 0);
	memcpy(tagged, buf, 12);
	tagged[12] = 0x81;
	tagged[13] = 0x00;
	tagged[14] = 0x20; /* PCP 1, VID 0x005 */
	tagged[15] = 0x05;
	memcpy(tagged + 16, buf + 12, len - 12);
	CHECK_EQ(xmp_pkt_parse(tagged, len + 4, NULL, XMP_PKT_F_CSUM, &f), 0);
	CHECK_EQ(f.vlan, 5);
	CHECK_EQ(f.l3_off, 18);
	CHECK_EQ(f.seg.dport, 8080);
}

/* RFC 1624: updating one field gives the checksum a full recompute gives. */
static void t_csum_incremental(void)
{
	struct xmp_pkt_hdrs h;
	struct xmp_frame f;
	struct xmp_seg s;
	__u8 buf[256];
	int len, v6, iter;

	for (v6 = 0; v6 < 2; v6++) {
		mk_hdrs(&h, v6);
		mk_syn(&s);
		len = xmp_pkt_build(buf, sizeof(buf), &h, &s);
		CHECK_EQ(xmp_pkt_parse(buf, len, NULL, 0, &f), 0);
		for (iter = 0; iter < 200; iter++) {
			__u8 *t = buf + f.l4_off;
			__u16 check = (__u16)(t[16] << 8 | t[17]);
			__u32 oseq, nseq = rnd(), be;
			__u16 oport = (__u16)(t[2] << 8 | t[3]), nport = (__u16)rnd();
			struct xmp_addr na = h.daddr;

			memcpy(&be, t + 4, 4);
			oseq = ntohl(be);
			be = htonl(nseq);
			memcpy(t + 4, &be, 4);
			check = xmp_csum_replace32(check, oseq, nseq);
			t[2] = nport >> 8;
			t[3] = nport & 0xff;
			check = xmp_csum_replace16(check, oport, nport);
			/* the destination address is in the pseudo-header */
			na.a[15] = (__u8)rnd();
			na.a[13] = (__u8)rnd();
			check = xmp_csum_replace_bytes(check, &h.daddr.a[12], &na.a[12], 4);
			if (v6)
				memcpy(buf + f.l3_off + 24, na.a, 16);
			else
				memcpy(buf + f.l3_off + 16, &na.a[12], 4);
			h.daddr = na;
			t[16] = check >> 8;
			t[17] = check & 0xff;
			if (!v6) { /* IPv4 header checksum covers the address too */
				__u8 *ip = buf + f.l3_off;

				ip[10] = ip[11] = 0;
				check = xmp_csum_ip4(ip, 20);
				ip[10] = check >> 8;
				ip[11] = check & 0xff;
			}
			CHECK_EQ(xmp_pkt_parse(buf, len, NULL, XMP_PKT_F_CSUM, &f), 0);
			if (t_cur_failed)
				return;
		}
	}
}

/* Builds a frame with XDP metadata in front, as the XSK RX path sees it. */
struct meta_frame {
	__u8 room[XMP_META_SIZE];
	__u8 data[256];
} __attribute__((packed));

static int mk_meta_frame(struct meta_frame *mf, bool v6)
{
	struct xmp_meta *m = (struct xmp_meta *)mf->room;
	struct xmp_pkt_hdrs h;
	struct xmp_seg s;
	int len;

	memset(mf, 0, sizeof(*mf));
	mk_hdrs(&h, v6);
	mk_syn(&s);
	len = xmp_pkt_build(mf->data, sizeof(mf->data), &h, &s);
	m->magic = XMP_META_MAGIC;
	m->ip_version = v6 ? 6 : 4;
	m->l3_off = 14;
	m->l4_off = v6 ? 54 : 34;
	m->payload_off = m->l4_off + 32;
	m->payload_len = 0;
	/* MSS at 20, SACK_PERM at 24, MP_CAPABLE at 26, EOL padding */
	t_meta_locate(m, mf->data + m->l4_off + 20, 12, XMP_TH_SYN, 0);
	return len;
}

static void t_parse_meta(void)
{
	struct meta_frame mf;
	struct xmp_frame f, g;
	const struct xmp_meta *m;
	int len, v6;

	for (v6 = 0; v6 < 2; v6++) {
		len = mk_meta_frame(&mf, v6);
		m = xmp_pkt_meta(mf.data, XMP_META_SIZE);
		CHECK(m == (const struct xmp_meta *)mf.room);
		CHECK(xmp_pkt_meta(mf.data, XMP_META_SIZE - 1) == NULL);
		CHECK_EQ(xmp_pkt_parse(mf.data, len, m, XMP_PKT_F_CSUM, &f), 0);
		CHECK(f.meta == m);
		CHECK_EQ(f.err, XMP_PKT_OK);
		CHECK_EQ(xmp_pkt_parse(mf.data, len, NULL, XMP_PKT_F_CSUM, &g), 0);
		/* the fast path and the full walk agree */
		CHECK_EQ(f.l4_off, g.l4_off);
		CHECK_EQ(f.payload_off, g.payload_off);
		CHECK(xmp_addr_eq(&f.saddr, &g.saddr));
		CHECK_EQ(f.seg.seq, g.seg.seq);
		CHECK_EQ(f.seg.optlen, g.seg.optlen);
		CHECK_MEM(f.seg.opts, g.seg.opts, g.seg.optlen);
		CHECK_EQ(m->mp_off[MPTCPOPT_MP_CAPABLE], 26);
		/* the options where XDP put them, no walk: the walk's result */
		CHECK(!f.opts_walked);
		CHECK(g.opts_walked);
		CHECK_MEM(&f.opts, &g.opts, sizeof(f.opts));
		CHECK_EQ(f.opts.mp_at, 1ull << 6);
		CHECK(f.opts.has_mss && f.opts.sack_ok && f.opts.mss == 1460);
	}
	/* no magic: not metadata */
	len = mk_meta_frame(&mf, false);
	mf.room[0] = 0;
	CHECK(xmp_pkt_meta(mf.data, XMP_META_SIZE) == NULL);
}

/* Metadata that disagrees with the frame is not trusted: full parse, flagged. */
static void t_parse_bad_meta(void)
{
	struct meta_frame mf;
	struct xmp_meta *m = (struct xmp_meta *)mf.room;
	struct xmp_frame f;
	int len, i;

	for (i = 0; i < 7; i++) {
		len = mk_meta_frame(&mf, i == 6);
		switch (i) {
		case 0: m->l4_off = 38; break;		/* not l3 + IHL */
		case 1: m->payload_off = 60; break;	/* not l4 + doff */
		case 2: m->payload_len = 200; break;	/* past the frame */
		case 3: m->ip_version = 6; break;	/* wrong family */
		case 4: m->l3_off = 2; break;		/* inside Ethernet */
		case 5: m->ip_version = 9; break;
		case 6: m->l4_off = 14 + 20; break;	/* v6: inside the IPv6 header */
		}
		CHECK_EQ(xmp_pkt_parse(mf.data, len, m, 0, &f), 0);
		CHECK(f.meta == NULL);
		CHECK_EQ(f.err, XMP_PKT_E_BAD_META);
		CHECK_EQ(f.seg.dport, 8080);
	}
}

/* A frame carrying area @a (v4 or v6), its payload starting with bytes
 * that look like a TS option: nothing may take them for one. */
static int mk_area_frame(__u8 *buf, __u32 space, const struct t_area *a, bool v6)
{
	static const __u8 pay[] = { TCPOPT_TS_, TCPOLEN_TS_, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct xmp_pkt_hdrs h;
	struct xmp_seg s;

	mk_hdrs(&h, v6);
	memset(&s, 0, sizeof(s));
	s.sport = 40000;
	s.dport = 8080;
	s.seq = 0xfffffff0;
	s.flags = a->flags;
	memcpy(s.opts, a->b, a->len);
	s.optlen = a->len;
	s.payload = pay;
	s.len = T_PAYLOAD(a); /* the TS look-alike: 12 bytes */
	return xmp_pkt_build(buf, space, &h, &s);
}

/* What xdp_steer would leave in front of the frame @g parsed to. */
static void area_meta(struct xmp_meta *m, const struct xmp_frame *g)
{
	memset(m, 0, sizeof(*m));
	m->magic = XMP_META_MAGIC;
	m->ip_version = g->ip_version;
	m->l3_off = g->l3_off;
	m->l4_off = g->l4_off;
	m->payload_off = g->payload_off;
	m->payload_len = (__u16)g->seg.len;
	t_meta_locate(m, g->seg.opts, g->seg.optlen, g->seg.flags, g->seg.len);
}

/* Parses @buf with @m and checks it equals the walk @g: headers and
 * options alike. Returns the frame's err. */
static int same_as_walk(const __u8 *buf, int len, const struct xmp_meta *m,
			const struct xmp_frame *g, struct xmp_frame *f)
{
	CHECK_EQ(xmp_pkt_parse(buf, len, m, XMP_PKT_F_CSUM, f), 0);
	CHECK_MEM(&f->seg, &g->seg, sizeof(g->seg));
	CHECK_MEM(&f->opts, &g->opts, sizeof(g->opts));
	CHECK(f->err == XMP_PKT_OK || f->err == XMP_PKT_E_BAD_META);
	return f->err;
}

/* The areas of tests/lib/optareas.h in frames, parsed with XDP's offsets
 * and without: the same result; the walk skipped exactly where the
 * metadata covers the area. */
static void t_parse_opts_both_ways(void)
{
	struct xmp_frame f, g;
	struct xmp_meta m;
	unsigned int i;
	__u8 buf[256];
	int len, v6;

	for (i = 0; i < T_NR_AREAS; i++) {
		for (v6 = 0; v6 < 2; v6++) {
			len = mk_area_frame(buf, sizeof(buf), &t_areas[i], v6);
			CHECK_EQ(xmp_pkt_parse(buf, len, NULL, XMP_PKT_F_CSUM, &g), 0);
			CHECK(g.opts_walked);
			area_meta(&m, &g);
			CHECK_EQ(same_as_walk(buf, len, &m, &g, &f), XMP_PKT_OK);
			CHECK(f.meta == &m);
			CHECK_EQ(f.opts_walked, !t_areas[i].located);
		}
		if (t_cur_failed) {
			printf("#   area \"%s\"\n", t_areas[i].name);
			return;
		}
	}
}

/* Offsets that contradict the frame: counted as bad metadata (f->err),
 * the options walked, the same result. One each: an offset past the data
 * offset (onto the payload's TS look-alike), inside the TCP header, a bit
 * without its offset, a kind XDP does not report. Then random option
 * fields: never an error, never anything but the walk's result. */
static void t_parse_opts_forged(void)
{
	struct xmp_frame f, g;
	struct xmp_meta m;
	unsigned int i, k, r, bad = 0;
	__u8 buf[256];
	int len;

	for (i = 0; i < T_NR_AREAS; i++) {
		len = mk_area_frame(buf, sizeof(buf), &t_areas[i], i & 1);
		CHECK_EQ(xmp_pkt_parse(buf, len, NULL, XMP_PKT_F_CSUM, &g), 0);
		for (k = 0; k < 4 && t_areas[i].located; k++) {
			area_meta(&m, &g);
			switch (k) {
			case 0:
				m.tcp_opts |= XMP_TOPT_TS;
				m.ts_off = (__u8)(20 + g.seg.optlen);
				break;
			case 1:
				m.tcp_opts |= XMP_TOPT_MSS;
				m.mss_off = 19;
				break;
			case 2:
				m.mp_seen |= 1u << MPTCPOPT_MP_FAIL;
				break;
			default:
				m.tcp_opts |= 0x40;
				break;
			}
			CHECK_EQ(same_as_walk(buf, len, &m, &g, &f), XMP_PKT_E_BAD_META);
			CHECK(f.meta == NULL && f.opts_walked);
		}
		for (k = 0; k < 300; k++) {
			__u8 *raw = (__u8 *)&m;

			area_meta(&m, &g);
			for (r = offsetof(struct xmp_meta, mp_seen); r < sizeof(m); r++)
				if (rnd() % 4 == 0)
					raw[r] = (__u8)(rnd() % 4 ? 20 + rnd() % 44 : rnd());
			if (rnd() % 2)
				m.tcp_opts = (__u8)rnd();
			bad += same_as_walk(buf, len, &m, &g, &f) == XMP_PKT_E_BAD_META;
		}
		if (t_cur_failed) {
			printf("#   area \"%s\"\n", t_areas[i].name);
			return;
		}
	}
	CHECK(bad > 0);
}

/* Parses a copy of exactly len bytes on the heap (ASan sees over-reads). */
static int parse_exact(const __u8 *src, __u32 len, unsigned int flags, struct xmp_frame *f)
{
	__u8 *p = malloc(len ? len : 1);
	int ret;

	memcpy(p, src, len);
	ret = xmp_pkt_parse(p, len, NULL, flags, f);
	free(p);
	return ret;
}

static void t_reject_truncated(void)
{
	struct xmp_pkt_hdrs h;
	struct xmp_frame f;
	struct xmp_seg s;
	__u8 buf[256];
	int len, v6, l, ret;

	for (v6 = 0; v6 < 2; v6++) {
		mk_hdrs(&h, v6);
		mk_syn(&s);
		len = xmp_pkt_build(buf, sizeof(buf), &h, &s);
		for (l = 0; l < len; l++) {
			ret = parse_exact(buf, l, 0, &f);
			CHECK_EQ(ret, -EBADMSG);
			if (l < 14)
				CHECK_EQ(f.err, XMP_PKT_E_SHORT_ETH);
			else if (l < 14 + (v6 ? 40 : 20))
				CHECK_EQ(f.err, XMP_PKT_E_SHORT_IP);
			else
				CHECK_EQ(f.err, XMP_PKT_E_BAD_IP_LEN);
		}
	}
	CHECK_EQ(xmp_pkt_parse(NULL, 0, NULL, 0, &f), -EINVAL);
}

enum mangle {
	M_ARP, M_IHL4, M_IHL_PAST, M_TOTLEN_BIG, M_TOTLEN_SMALL, M_FRAG_MF, M_FRAG_OFF,
	M_UDP, M_DOFF4, M_DOFF_PAST, M_SHORT_TCP, M_VERSION, M_TCP_CSUM, M_IP_CSUM, M_NR,
};

static void t_reject_malformed_v4(void)
{
	static const struct { int ret, err; } want[M_NR] = {
		[M_ARP] = { -EPROTO, XMP_PKT_E_NOT_IP },
		[M_IHL4] = { -EBADMSG, XMP_PKT_E_BAD_IHL },
		[M_IHL_PAST] = { -EBADMSG, XMP_PKT_E_BAD_IHL },
		[M_TOTLEN_BIG] = { -EBADMSG, XMP_PKT_E_BAD_IP_LEN },
		[M_TOTLEN_SMALL] = { -EBADMSG, XMP_PKT_E_BAD_IP_LEN },
		[M_FRAG_MF] = { -EBADMSG, XMP_PKT_E_IP_FRAG },
		[M_FRAG_OFF] = { -EBADMSG, XMP_PKT_E_IP_FRAG },
		[M_UDP] = { -EPROTO, XMP_PKT_E_NOT_TCP },
		[M_DOFF4] = { -EBADMSG, XMP_PKT_E_BAD_DOFF },
		[M_DOFF_PAST] = { -EBADMSG, XMP_PKT_E_BAD_DOFF },
		[M_SHORT_TCP] = { -EBADMSG, XMP_PKT_E_SHORT_TCP },
		[M_VERSION] = { -EBADMSG, XMP_PKT_E_BAD_VERSION },
		[M_TCP_CSUM] = { -EBADMSG, XMP_PKT_E_TCP_CSUM },
		[M_IP_CSUM] = { -EBADMSG, XMP_PKT_E_IP_CSUM },
	};
	struct xmp_pkt_hdrs h;
	struct xmp_frame f;
	struct xmp_seg s;
	__u8 buf[256], *ip = buf + 14, *t = buf + 34;
	int len, m, ret;

	for (m = 0; m < M_NR; m++) {
		mk_hdrs(&h, false);
		mk_syn(&s);
		len = xmp_pkt_build(buf, sizeof(buf), &h, &s);
		switch (m) {
		case M_ARP: buf[12] = 0x08; buf[13] = 0x06; break;
		case M_IHL4: ip[0] = 0x44; break;
		case M_IHL_PAST: ip[0] = 0x4f; len = 14 + 40; ip[2] = 0; ip[3] = 40; break;
		case M_TOTLEN_BIG: ip[3] += 1; break;
		case M_TOTLEN_SMALL: ip[2] = 0; ip[3] = 19; break;
		case M_FRAG_MF: ip[6] |= 0x20; break;
		case M_FRAG_OFF: ip[7] = 1; break;
		case M_UDP: ip[9] = 17; break;
		case M_DOFF4: t[12] = 0x40; break;
		case M_DOFF_PAST: t[12] = 0xf0; break;
		case M_SHORT_TCP: ip[2] = 0; ip[3] = 20 + 19; break;
		case M_VERSION: ip[0] = 0x65; break;
		case M_TCP_CSUM: t[17] ^= 1; break;
		case M_IP_CSUM: ip[8] -= 1; break; /* TTL changed, checksum not */
		}
		ret = parse_exact(buf, len, XMP_PKT_F_CSUM, &f);
		if (ret != want[m].ret || f.err != want[m].err)
			printf("#   mangle %d: ret %d err %s\n", m, ret, xmp_pkt_err_name(f.err));
		CHECK_EQ(ret, want[m].ret);
		CHECK_EQ(f.err, want[m].err);
	}
	/* without XMP_PKT_F_CSUM the checksums are not looked at */
	CHECK_EQ(parse_exact(buf, len, 0, &f), 0);
	t[17] ^= 1;
	CHECK_EQ(parse_exact(buf, len, 0, &f), 0);
	CHECK_EQ(parse_exact(buf, len, XMP_PKT_F_CSUM, &f), -EBADMSG);
}

/* Inserts IPv6 extension headers between the IPv6 header and TCP. */
static int v6_with_ext(__u8 *out, const __u8 *types, int n, bool frag_more)
{
	struct xmp_pkt_hdrs h;
	struct xmp_seg s;
	__u8 buf[256], *ip;
	int len, i, o, l4len;

	mk_hdrs(&h, true);
	mk_syn(&s);
	len = xmp_pkt_build(buf, sizeof(buf), &h, &s);
	l4len = len - 54;
	memcpy(out, buf, 54);
	ip = out + 14;
	ip[6] = n ? types[0] : 6;
	o = 54;
	for (i = 0; i < n; i++) {
		memset(out + o, 0, 8);
		out[o] = i + 1 < n ? types[i + 1] : 6;
		if (types[i] == 44 && frag_more)
			out[o + 3] = 1; /* M flag */
		o += 8;
	}
	memcpy(out + o, buf + 54, l4len);
	ip[4] = (__u8)((o - 54 + l4len) >> 8);
	ip[5] = (__u8)(o - 54 + l4len);
	return o + l4len;
}

static void t_ipv6_ext(void)
{
	static const __u8 ok[] = { 0, 60, 43, 44 };
	static const __u8 many[9] = { 60, 60, 60, 60, 60, 60, 60, 60, 60 };
	static const __u8 frag[] = { 44 };
	static const __u8 esp[] = { 50 };
	__u8 buf[512];
	struct xmp_frame f;
	int len;

	len = v6_with_ext(buf, ok, 4, false);
	CHECK_EQ(parse_exact(buf, len, XMP_PKT_F_CSUM, &f), 0);
	CHECK_EQ(f.l4_off, 54 + 32);
	CHECK_EQ(f.seg.dport, 8080);
	len = v6_with_ext(buf, many, 9, false);
	CHECK_EQ(parse_exact(buf, len, 0, &f), -EBADMSG);
	CHECK_EQ(f.err, XMP_PKT_E_EXT_CHAIN);
	len = v6_with_ext(buf, frag, 1, true);
	CHECK_EQ(parse_exact(buf, len, 0, &f), -EBADMSG);
	CHECK_EQ(f.err, XMP_PKT_E_IP_FRAG);
	len = v6_with_ext(buf, esp, 1, false);
	CHECK_EQ(parse_exact(buf, len, 0, &f), -EPROTO);
	CHECK_EQ(f.err, XMP_PKT_E_NOT_TCP);
	/* an extension header running past the payload length */
	len = v6_with_ext(buf, ok, 1, false);
	buf[54 + 1] = 200;
	CHECK_EQ(parse_exact(buf, len, 0, &f), -EBADMSG);
	CHECK_EQ(f.err, XMP_PKT_E_EXT_CHAIN);
	/* payload length 0 (jumbogram) */
	len = v6_with_ext(buf, ok, 0, false);
	buf[18] = buf[19] = 0;
	CHECK_EQ(parse_exact(buf, len, 0, &f), -EBADMSG);
	CHECK_EQ(f.err, XMP_PKT_E_BAD_IP_LEN);
}

static void t_build_errors(void)
{
	struct xmp_pkt_hdrs h;
	struct xmp_seg s;
	__u8 buf[256];
	int len;

	mk_hdrs(&h, false);
	mk_syn(&s);
	len = (int)xmp_pkt_len(&h, &s);
	CHECK_EQ(xmp_pkt_build(buf, len - 1, &h, &s), -ENOSPC);
	CHECK_EQ(xmp_pkt_build(buf, len, &h, &s), len);
	xmp_addr_parse(&h.daddr, "2001:db8::9");
	CHECK_EQ(xmp_pkt_build(buf, sizeof(buf), &h, &s), -EINVAL);
	mk_hdrs(&h, false);
	s.optlen = 41;
	CHECK_EQ(xmp_pkt_build(buf, sizeof(buf), &h, &s), -EINVAL);
	s.optlen = 0;
	s.len = 10;
	s.payload = NULL;
	CHECK_EQ(xmp_pkt_build(buf, sizeof(buf), &h, &s), -EINVAL);
}

/* Random corruption of valid frames: never a crash, and any accepted
 * frame's view stays inside the buffer. */
static void t_mutation_no_oob(void)
{
	struct xmp_pkt_hdrs h;
	struct xmp_frame f;
	struct xmp_seg s;
	__u8 base[256], buf[256];
	int len, iter, k, ret, accepted = 0;

	for (iter = 0; iter < 20000; iter++) {
		mk_hdrs(&h, iter & 1);
		mk_syn(&s);
		len = xmp_pkt_build(base, sizeof(base), &h, &s);
		memcpy(buf, base, len);
		for (k = rnd() % 4 + 1; k > 0; k--)
			buf[rnd() % len] = (__u8)rnd();
		/* mostly whole, sometimes cut short */
		ret = parse_exact(buf, iter & 2 ? (__u32)len : rnd() % (__u32)(len + 1), 0, &f);
		if (!ret) {
			accepted++;
			CHECK(f.payload_off + f.seg.len <= f.len);
			CHECK(f.seg.optlen <= XMP_TCP_MAX_OPTLEN);
		} else {
			CHECK(ret == -EBADMSG || ret == -EPROTO);
			CHECK(f.err > 0 && f.err < XMP_PKT_E_NR);
		}
		if (t_cur_failed)
			return;
	}
	CHECK(accepted > 0);
}

static void t_addr_helpers(void)
{
	struct xmp_addr a;
	char s[64];

	CHECK_EQ(xmp_addr_parse(&a, "203.0.113.9"), 0);
	CHECK(xmp_addr_is_v4(&a));
	CHECK_EQ(a.a[10], 0xff);
	CHECK_EQ(a.a[15], 9);
	CHECK(!strcmp(xmp_addr_str(&a, s, sizeof(s)), "203.0.113.9"));
	CHECK_EQ(xmp_addr_parse(&a, "2001:db8::42"), 0);
	CHECK(!xmp_addr_is_v4(&a));
	CHECK(!strcmp(xmp_addr_str(&a, s, sizeof(s)), "2001:db8::42"));
	CHECK_EQ(xmp_addr_parse(&a, "not-an-address"), -EINVAL);
	CHECK(!strcmp(xmp_pkt_err_name(XMP_PKT_E_BAD_DOFF), "bad-tcp-doff"));
	CHECK(!strcmp(xmp_pkt_err_name(999), "unknown"));
}

int main(void)
{
	RUN(t_csum_rfc1071_vectors);
	RUN(t_csum_tcp_vectors);
	RUN(t_csum_vs_naive);
	RUN(t_csum_incremental);
	RUN(t_build_parse_v4);
	RUN(t_build_parse_v6);
	RUN(t_parse_eth_padding);
	RUN(t_parse_vlan);
	RUN(t_parse_meta);
	RUN(t_parse_bad_meta);
	RUN(t_parse_opts_both_ways);
	RUN(t_parse_opts_forged);
	RUN(t_reject_truncated);
	RUN(t_reject_malformed_v4);
	RUN(t_ipv6_ext);
	RUN(t_build_errors);
	RUN(t_mutation_no_oob);
	RUN(t_addr_helpers);
	return t_exit_code();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine, pure parts: the TCP option codec against hand-built
 * byte vectors (MSS, window scale, SACK-permitted, SACK, timestamps,
 * malformed lengths, where MPTCP options start), the same areas parsed from
 * XDP's offsets and walked (equal results, no walk where the metadata
 * covers the area, forged offsets refused), the bounded byte ring and the
 * sequence range sets (SACK scoreboard / out-of-order map), all across the
 * 2^32 wrap. Areas are parsed from heap copies of their exact length, so
 * the ASan build catches any read past them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <xmptcp/mptcp_wire.h>

#include "lib/meta.h"
#include "lib/optareas.h"
#include "lib/test.h"
#include "tcp/tcp_int.h"

static void parse_syn_vector(void)
{
	/* Linux's SYN layout: MSS 1460, SACK_PERM, TS 0x01020304/0, NOP, WS 7,
	 * then an MPTCP MP_CAPABLE v1 (4 bytes). */
	static const __u8 v[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
				  1, 3, 3, 7, 30, 4, 0x01, 0x81 };
	struct xmp_tcp_opt_rx rx;

	CHECK_EQ(xmp_tcp_parse_options(v, sizeof(v), true, &rx), 0);
	CHECK(rx.has_mss && rx.has_ws && rx.sack_ok && rx.has_ts && rx.has_mptcp);
	CHECK_EQ(rx.mss, 1460);
	CHECK_EQ(rx.ws, 7);
	CHECK_EQ(rx.tsval, 0x01020304);
	CHECK_EQ(rx.tsecr, 0);
	CHECK_EQ(rx.bad, 0);
	/* The same bytes on a non-SYN: SYN-only options are ignored. */
	CHECK_EQ(xmp_tcp_parse_options(v, sizeof(v), false, &rx), 0);
	CHECK(!rx.has_mss && !rx.has_ws && !rx.sack_ok && rx.has_ts);
}

static void parse_sack_blocks(void)
{
	static const __u8 v[] = { 1, 1, 5, 26, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00,
				  0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0, 0x40, 0 };
	struct xmp_tcp_opt_rx rx;

	CHECK_EQ(xmp_tcp_parse_options(v, sizeof(v), false, &rx), 0);
	CHECK_EQ(rx.nr_sack, 3);
	CHECK_EQ(rx.sack[0][0], 0xffffff00u);
	CHECK_EQ(rx.sack[0][1], 0x00000100u);
	CHECK_EQ(rx.sack[2][0], 0x3000);
	CHECK_EQ(rx.sack[2][1], 0x4000);
}

static void parse_malformed(void)
{
	struct xmp_tcp_opt_rx rx;
	/* MSS then a zero length: the walk stops, MSS stays. */
	static const __u8 zero_len[] = { 2, 4, 0x02, 0x18, 8, 0, 1, 1 };
	/* Length beyond the option space. */
	static const __u8 overrun[] = { 1, 8, 10, 0, 0 };
	/* Wrong fixed lengths: MSS of 5, WS of 2; both skipped, TS still read. */
	static const __u8 bad_len[] = { 2, 5, 1, 2, 3, 3, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 1 };
	/* SACK whose length is not 2 + 8n, kind with no length byte. */
	static const __u8 bad_sack[] = { 5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5 };

	CHECK_EQ(xmp_tcp_parse_options(zero_len, sizeof(zero_len), true, &rx), -EBADMSG);
	CHECK(rx.has_mss);
	CHECK_EQ(rx.mss, 0x218);
	CHECK_EQ(rx.bad, 1);
	CHECK_EQ(xmp_tcp_parse_options(overrun, sizeof(overrun), true, &rx), -EBADMSG);
	CHECK(!rx.has_ts);
	CHECK_EQ(xmp_tcp_parse_options(bad_len, sizeof(bad_len), true, &rx), -EBADMSG);
	CHECK(!rx.has_mss && !rx.has_ws && rx.has_ts);
	CHECK_EQ(rx.tsval, 9);
	CHECK_EQ(rx.tsecr, 1);
	CHECK_EQ(rx.bad, 2);
	CHECK_EQ(xmp_tcp_parse_options(bad_sack, sizeof(bad_sack), false, &rx), -EBADMSG);
	CHECK_EQ(rx.nr_sack, 0);
	CHECK_EQ(rx.bad, 2);
	/* EOL ends the list; nothing after it is read. */
	CHECK_EQ(xmp_tcp_parse_options((const __u8[]){ 0, 2, 4, 1, 1 }, 5, true, &rx), 0);
	CHECK(!rx.has_mss);
}

/* Where each MPTCP option starts, as the MPTCP layer decodes them; none
 * after a length that ends the walk. */
static void parse_locates_mptcp(void)
{
	static const __u8 v[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 8, 0x20, 0x01,
				  0, 0, 0, 9, 30, 3, 0x50, 1, 30, 5, 0x20, 0x01 };
	struct xmp_tcp_opt_rx rx;

	CHECK_EQ(xmp_tcp_parse_options(v, sizeof(v), false, &rx), -EBADMSG);
	CHECK(rx.has_mptcp && rx.has_ts);
	CHECK_EQ(rx.mp_at, 1ull << 12 | 1ull << 20);
	CHECK_EQ(rx.bad, 1); /* the last one runs past the area */
	CHECK_EQ(xmp_tcp_parse_options(v, 12, false, &rx), 0);
	CHECK(!rx.has_mptcp && !rx.mp_at);
}

/* Parses @a both ways from an exact-size heap copy. Returns what
 * xmp_tcp_parse_meta() said; *walk and *meta get each result. */
static int both_ways(const __u8 *area, unsigned int len, bool syn, const struct xmp_meta *m,
		     struct xmp_tcp_opt_rx *walk, struct xmp_tcp_opt_rx *meta)
{
	__u8 *p = malloc(len ? len : 1);
	int r;

	memcpy(p, area, len);
	xmp_tcp_parse_options(p, len, syn, walk);
	r = xmp_tcp_parse_meta(p, len, syn, m, meta);
	free(p);
	return r;
}

/* Every area of tests/lib/optareas.h: where the metadata covers it, no walk
 * is needed and the result is the walk's; elsewhere the caller walks. */
static void meta_same_as_walk(void)
{
	struct xmp_tcp_opt_rx w, m;
	struct xmp_meta meta;
	unsigned int i;
	int r;

	for (i = 0; i < T_NR_AREAS; i++) {
		const struct t_area *a = &t_areas[i];

		memset(&meta, 0, sizeof(meta));
		t_meta_locate(&meta, a->b, a->len, a->flags, T_PAYLOAD(a));
		r = both_ways(a->b, a->len, a->flags & T_SYN, &meta, &w, &m);
		CHECK_EQ(r, a->located ? 0 : -EAGAIN);
		if (!r)
			CHECK_MEM(&m, &w, sizeof(w));
		if (t_cur_failed) {
			printf("#   area \"%s\"\n", a->name);
			return;
		}
	}
}

/* The metadata only says where: offsets that do not name what they claim
 * inside the area are refused (the caller counts them and walks). The area:
 * NOP NOP TS, a DSS whose 64-bit DATA_ACK starts like a SACK_PERM (4 2),
 * EOL, then an MSS nobody may read. */
static void meta_forged_refused(void)
{
	static const __u8 v[] = { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 30, 12, 0x20, 0x03,
				  4, 2, 1, 2, 3, 4, 5, 6, 0, 2, 4, 0x05, 0xb4 };
	struct xmp_tcp_opt_rx w, m;
	struct xmp_meta m0, f;
	unsigned int i;

	memset(&m0, 0, sizeof(m0));
	t_meta_locate(&m0, v, sizeof(v), T_ACK, 0);
	CHECK_EQ(m0.ts_off, 22);
	CHECK_EQ(m0.mp_off[MPTCPOPT_DSS], 32);
	CHECK_EQ(both_ways(v, sizeof(v), false, &m0, &w, &m), 0);
	CHECK_MEM(&m, &w, sizeof(w));
	for (i = 0; i < 15; i++) {
		int want = -EBADMSG;

		f = m0;
		switch (i) {
		case 0: f.ts_off = 5; break;			/* inside the TCP header */
		case 1: f.ts_off = 20 + sizeof(v); break;	/* just past the area */
		case 2: f.ts_off = 255; break;			/* far past it */
		case 3: f.ts_off = 20; break;			/* at a NOP */
		case 4: /* inside the DSS */
			f.sackp_off = 36;
			f.tcp_opts |= XMP_TOPT_SACK_PERM;
			break;
		case 5: /* after the EOL */
			f.mss_off = 45;
			f.tcp_opts |= XMP_TOPT_MSS;
			break;
		case 6: f.mp_off[MPTCPOPT_DSS] = 22; break;	/* the DSS at the TS */
		case 7: f.tcp_opts |= XMP_TOPT_SACK; break;	/* bit without an offset */
		case 8: f.mp_seen |= 1u << MPTCPOPT_ADD_ADDR; break;
		case 9: /* the DSS filed as an ADD_ADDR */
			f.mp_seen = 1u << MPTCPOPT_ADD_ADDR;
			f.mp_off[MPTCPOPT_ADD_ADDR] = f.mp_off[MPTCPOPT_DSS];
			f.mp_off[MPTCPOPT_DSS] = 0;
			break;
		case 10: f.mp_seen |= 1u << 12; break;		/* no such subtype */
		case 11: f.tcp_opts &= ~XMP_TOPT_MPTCP; break;
		case 12: f.tcp_opts |= 0x80; break;
		case 13: /* the TS left out (its offset without its bit means
			  * nothing): not wrong, incomplete */
			f.tcp_opts &= ~XMP_TOPT_TS;
			want = -EAGAIN;
			break;
		default: /* XDP met a problem: its offsets are partial */
			f.reason = XMP_R_OPT_TOO_MANY;
			want = -EAGAIN;
			break;
		}
		CHECK_EQ(both_ways(v, sizeof(v), false, &f, &w, &m), want);
		if (t_cur_failed) {
			printf("#   forgery %u\n", i);
			return;
		}
	}
}

static void write_syn_roundtrip(void)
{
	struct xmp_tcp_opt_rx rx;
	__u8 buf[40];
	int n;

	n = xmp_tcp_write_syn_options(buf, sizeof(buf), 1400, 9, true, true, 77, 88);
	CHECK_EQ(n, 20);
	CHECK_EQ(xmp_tcp_parse_options(buf, n, true, &rx), 0);
	CHECK(rx.has_mss && rx.has_ws && rx.sack_ok && rx.has_ts);
	CHECK_EQ(rx.mss, 1400);
	CHECK_EQ(rx.ws, 9);
	CHECK_EQ(rx.tsval, 77);
	CHECK_EQ(rx.tsecr, 88);
	/* Without TS, SACK-permitted gets NOP padding; without WS nothing. */
	n = xmp_tcp_write_syn_options(buf, sizeof(buf), 536, -1, true, false, 0, 0);
	CHECK_EQ(n, 8);
	CHECK_EQ(xmp_tcp_parse_options(buf, n, true, &rx), 0);
	CHECK(rx.sack_ok && !rx.has_ts && !rx.has_ws);
	CHECK_EQ(xmp_tcp_write_syn_options(buf, 16, 536, 1, true, true, 0, 0), -ENOSPC);
}

static void write_sack_fits_space(void)
{
	const __u32 blocks[4][2] = { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } };
	struct xmp_tcp_opt_rx rx;
	__u8 buf[40];
	int n, t;

	/* After 12 bytes of TS, 28 remain: three blocks (RFC 2018 3). */
	t = xmp_tcp_write_ts(buf, sizeof(buf), 5, 6);
	CHECK_EQ(t, 12);
	n = xmp_tcp_write_sack(buf + t, sizeof(buf) - t, blocks, 4);
	CHECK_EQ(n, 28);
	CHECK_EQ(xmp_tcp_parse_options(buf, t + n, false, &rx), 0);
	CHECK_EQ(rx.nr_sack, 3);
	CHECK_EQ(rx.sack[2][1], 6);
	CHECK_EQ(rx.tsval, 5);
	/* Alone: four blocks in 36 bytes. */
	CHECK_EQ(xmp_tcp_write_sack(buf, sizeof(buf), blocks, 4), 36);
	CHECK_EQ(xmp_tcp_write_sack(buf, 11, blocks, 4), 0);
}

static void ring_wraps(void)
{
	struct xmp_ring r;
	__u8 out[10], *p;
	__u32 n;

	CHECK_EQ(xmp_ring_init(&r, 8), 0);
	xmp_ring_write_at(&r, 0, (const __u8 *)"abcdef", 6);
	r.len = 6;
	xmp_ring_consume(&r, 5);
	CHECK_EQ(r.len, 1);
	CHECK_EQ(xmp_ring_space(&r), 7);
	xmp_ring_write_at(&r, 1, (const __u8 *)"ghijkl", 6); /* wraps */
	r.len = 7;
	xmp_ring_read_at(&r, 0, out, 7);
	CHECK_MEM(out, "fghijkl", 7);
	n = 7;
	p = (__u8 *)xmp_ring_contig(&r, 0, &n);
	CHECK_EQ(n, 3);
	CHECK_EQ(*p, 'f');
	/* Out of range writes are refused, not overflowing. */
	xmp_ring_write_at(&r, 6, (const __u8 *)"xyz", 3);
	xmp_ring_read_at(&r, 0, out, 7);
	CHECK_MEM(out, "fghijkl", 7);
	xmp_ring_free(&r);
	CHECK_EQ(xmp_ring_init(&r, 0), -EINVAL);
}

static void ranges_merge_and_trim_across_wrap(void)
{
	struct xmp_range_set s;
	unsigned int i;

	xmp_ranges_reset(&s);
	CHECK_EQ(xmp_ranges_add(&s, 0xfffffff0u, 0xfffffff8u), 0);
	CHECK_EQ(xmp_ranges_add(&s, 0x10, 0x20), 0);
	CHECK_EQ(s.n, 2);
	/* Wrap order: 0xfffffff0 sorts before 0x10. */
	CHECK_EQ(s.r[0].start, 0xfffffff0u);
	/* Bridging range merges all three. */
	CHECK_EQ(xmp_ranges_add(&s, 0xfffffff8u, 0x10), 0);
	CHECK_EQ(s.n, 1);
	CHECK_EQ(s.r[0].start, 0xfffffff0u);
	CHECK_EQ(s.r[0].end, 0x20);
	CHECK_EQ(xmp_ranges_bytes_above(&s, 0), 0x20);
	CHECK_EQ(xmp_ranges_bytes_above(&s, 0xffffff00u), 0x30);
	CHECK(xmp_ranges_contains(&s, 0xffffffffu));
	CHECK(!xmp_ranges_contains(&s, 0x20));
	xmp_ranges_trim_below(&s, 0x8);
	CHECK_EQ(s.r[0].start, 0x8);
	xmp_ranges_trim_below(&s, 0x20);
	CHECK_EQ(s.n, 0);
	/* Full table: a new island is refused, a merge still works. */
	for (i = 0; i < XMP_TCP_MAX_RANGES; i++)
		CHECK_EQ(xmp_ranges_add(&s, 100 * i, 100 * i + 10), 0);
	CHECK_EQ(xmp_ranges_add(&s, 100 * i, 100 * i + 10), -ENOSPC);
	CHECK_EQ(s.n, XMP_TCP_MAX_RANGES);
	CHECK_EQ(xmp_ranges_add(&s, 5, 150), 0);
	CHECK_EQ(s.n, XMP_TCP_MAX_RANGES - 1);
	CHECK_EQ(s.r[0].end, 150);
	CHECK_EQ(xmp_ranges_next_start(&s, 150, 100000), 200);
	CHECK_EQ(xmp_ranges_end_at(&s, 50), 150);
	CHECK_EQ(xmp_ranges_end_at(&s, 160), 160);
}

static void seq_compare_wraps(void)
{
	CHECK(xmp_seq_before(0xffffffffu, 0));
	CHECK(xmp_seq_after(5, 0xfffffff0u));
	CHECK(xmp_seq_leq(7, 7) && xmp_seq_geq(7, 7));
	CHECK(xmp_seq_before(0x7fffffffu, 0xfffffffeu));
	CHECK(!xmp_seq_before(0x7fffffffu, 0xfffffffeu + 2));
}

int main(void)
{
	RUN(parse_syn_vector);
	RUN(parse_sack_blocks);
	RUN(parse_malformed);
	RUN(parse_locates_mptcp);
	RUN(meta_same_as_walk);
	RUN(meta_forged_refused);
	RUN(write_syn_roundtrip);
	RUN(write_sack_fits_space);
	RUN(ring_wraps);
	RUN(ranges_merge_and_trim_across_wrap);
	RUN(seq_compare_wraps);
	return t_exit_code();
}

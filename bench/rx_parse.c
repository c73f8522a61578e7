// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace cost of a received frame's TCP options, in ns per frame, for
 * the segments a connection mostly receives. Before (b297d87) the engine
 * walked them (xmp_tcp_parse_options()) and the MPTCP glue walked them again
 * (xmp_mp_parse()); now they are parsed once, from XDP's offsets
 * (xmp_tcp_parse_meta()) or by one walk, and the MPTCP layer decodes them
 * where that parse located them (xmp_mp_decode_at()). Also the whole
 * xmp_pkt_parse() of the frame, with and without the metadata. All figures
 * of one run, same machine, the steps taking turns round after round; each
 * the fastest of its ROUNDS rounds (interference on a shared machine only
 * adds time). No root needed.
 *   build/bench/rx_parse [ITERS [ROUNDS]]   (default 500000, 15)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/pkt.h"
#include "lib/meta.h"
#include "lib/pkt.h"
#include "mptcp/options.h"

enum step { S_BEFORE, S_WALK, S_META, S_PKT_WALK, S_PKT_META, S_NR };

static const char *const step_names[S_NR] = {
	"before: engine walk + MPTCP walk",
	"now, no metadata: one walk + decode at",
	"now, metadata: located + decode at",
	"xmp_pkt_parse, no metadata",
	"xmp_pkt_parse, metadata",
};

static volatile __u64 sink;

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* One frame's option work for step @s; returns something to keep. */
static __u64 one(enum step s, const struct pkt *k, const struct xmp_frame *f,
		 const struct xmp_meta *m)
{
	const struct xmp_seg *seg = &f->seg;
	bool syn = seg->flags & XMP_TH_SYN;
	struct xmp_tcp_opt_rx rx;
	struct xmp_mp_opt mp;
	struct xmp_frame g;

	switch (s) {
	case S_BEFORE:
		xmp_tcp_parse_options(seg->opts, seg->optlen, syn, &rx);
		xmp_mp_parse(seg->opts, seg->optlen, &mp, NULL);
		break;
	case S_WALK:
		xmp_tcp_parse_options(seg->opts, seg->optlen, syn, &rx);
		xmp_mp_decode_at(seg->opts, seg->optlen, rx.mp_at, &mp, NULL);
		break;
	case S_META:
		if (xmp_tcp_parse_meta(seg->opts, seg->optlen, syn, m, &rx))
			abort();
		xmp_mp_decode_at(seg->opts, seg->optlen, rx.mp_at, &mp, NULL);
		break;
	default:
		if (xmp_pkt_parse(k->b, (__u32)k->len, s == S_PKT_META ? m : NULL, 0, &g))
			abort();
		return g.opts.mp_at + g.opts.tsval;
	}
	return rx.tsval + mp.suboptions + mp.dss.data_ack;
}

/* Every step on frame @k, in turns; t[s] gets each one's fastest round. */
static void measure(const struct pkt *k, __u32 iters, int rounds, double *t)
{
	struct xmp_frame f;
	struct xmp_meta m = { .magic = XMP_META_MAGIC };
	int r, s;

	if (xmp_pkt_parse(k->b, (__u32)k->len, NULL, 0, &f))
		abort();
	m.ip_version = f.ip_version;
	m.l3_off = f.l3_off;
	m.l4_off = f.l4_off;
	m.payload_off = f.payload_off;
	m.payload_len = (__u16)f.seg.len;
	t_meta_locate(&m, f.seg.opts, f.seg.optlen, f.seg.flags, f.seg.len);
	for (s = 0; s < S_NR; s++)
		t[s] = 1e30;
	for (r = 0; r < rounds; r++) {
		for (s = 0; s < S_NR; s++) {
			__u64 t0 = now_ns(), acc = 0;
			double ns;

			for (__u32 i = 0; i < iters; i++)
				acc += one(s, k, &f, &m);
			ns = (double)(now_ns() - t0) / iters;
			sink += acc;
			if (ns < t[s])
				t[s] = ns;
		}
	}
}

int main(int argc, char **argv)
{
	static __u8 pay[1400];
	/* Linux MPTCP data: NOP NOP TS, DSS with a 32-bit DATA_ACK and a
	 * 64-bit mapping */
	static const uint8_t data_opt[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 22, 0x20, 0x0d,
					    0, 0, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0x03, 0xe8, 0, 0, 0,
					    1, 0x05, 0x78, 1, 1 };
	/* its ACK under loss: NOP NOP TS, NOP NOP SACK (2 blocks), DSS DATA_ACK */
	static const uint8_t ack_opt[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 18,
					   0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0,
					   0x40, 0, 30, 8, 0x20, 0x01, 0, 0, 0x13, 0x88 };
	static const uint8_t syn_opt[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					   1, 3, 3, 7, 30, 4, 0x01, 0x01 };
	const struct {
		const char *name;
		struct pkt_opts po;
	} cases[] = {
		{ "dss_data", { .src = "10.9.0.1", .dst = "10.9.0.2", .sport = 40000, .dport = 5201,
				.flags = PKT_ACK, .opt = data_opt, .opt_len = sizeof(data_opt),
				.payload = pay, .payload_len = sizeof(pay) } },
		{ "dss_ack_sack", { .src = "10.9.0.2", .dst = "10.9.0.1", .sport = 5201, .dport = 40000,
				    .flags = PKT_ACK, .opt = ack_opt, .opt_len = sizeof(ack_opt) } },
		{ "mpc_syn", { .src = "10.9.0.1", .dst = "10.9.0.2", .sport = 40000, .dport = 5201,
			       .flags = PKT_SYN, .opt = syn_opt, .opt_len = sizeof(syn_opt) } },
	};
	__u32 iters = argc > 1 ? (__u32)strtoul(argv[1], NULL, 0) : 500000;
	int rounds = argc > 2 ? atoi(argv[2]) : 15;

	if (rounds < 1 || !iters) {
		fprintf(stderr, "usage: rx_parse [ITERS [ROUNDS]]\n");
		return 2;
	}
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		double t[S_NR];
		struct pkt k;

		pkt_build(&k, &cases[c].po);
		measure(&k, iters, rounds, t);
		for (int s = 0; s < S_NR; s++)
			printf("rx_parse %s: %s: %.1f ns/frame (x%.2f vs before)\n", cases[c].name,
			       step_names[s], t[s], t[s] / t[S_BEFORE]);
	}
	return 0;
}

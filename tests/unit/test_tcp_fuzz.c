// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine under hostile input: random segments (flags, sequence
 * and acknowledgment numbers near and far from the window, option bytes
 * valid and not, payloads) thrown at sockets in every reachable state, with
 * the engine's invariants checked after each one. Run under ASan/UBSan by
 * tests/run.sh; a seed makes any failure reproducible.
 */
#include "lib/test.h"
#include "test_tcp_harness.h"
#include "tcp/tcp_int.h"

static __u64 frng;

static __u32 rnd(__u32 n)
{
	return n ? (__u32)(xmp_rng_next(&frng) % n) : 0;
}

/* Sequence number near x: mostly in or around the window, sometimes far. */
static __u32 near(__u32 x, __u32 wnd)
{
	switch (rnd(4)) {
	case 0:
		return x;
	case 1:
		return x + rnd(wnd + 1);
	case 2:
		return x - rnd(wnd + 1);
	default:
		return (__u32)xmp_rng_next(&frng);
	}
}

static void random_options(struct xmp_seg *seg, const struct xmp_tcp_sock *sk)
{
	unsigned int i, n;
	__u32 v;

	seg->optlen = (__u8)rnd(41);
	for (i = 0; i < seg->optlen; i++)
		seg->opts[i] = (__u8)rnd(256);
	if (rnd(2) || seg->optlen < 12)
		return;
	/* Often a well-formed SACK with blocks around the send window. */
	n = 1 + rnd(3);
	if (4 + 8 * n > seg->optlen)
		n = (seg->optlen - 4) / 8;
	seg->opts[0] = 1;
	seg->opts[1] = 1;
	seg->opts[2] = 5;
	seg->opts[3] = (__u8)(2 + 8 * n);
	for (i = 0; i < n; i++) {
		v = near(sk->snd_una, sk->snd_max - sk->snd_una + 1);
		seg->opts[4 + 8 * i] = v >> 24;
		seg->opts[5 + 8 * i] = v >> 16;
		seg->opts[6 + 8 * i] = v >> 8;
		seg->opts[7 + 8 * i] = v;
		v += rnd(5000);
		seg->opts[8 + 8 * i] = v >> 24;
		seg->opts[9 + 8 * i] = v >> 16;
		seg->opts[10 + 8 * i] = v >> 8;
		seg->opts[11 + 8 * i] = v;
	}
}

static bool invariants(const struct xmp_tcp_sock *sk)
{
	unsigned int i;
	bool ok = true;

	ok &= sk->state < XMP_TCP_NR_STATES;
	ok &= sk->rcvq.len <= sk->rcvq.cap && sk->sndq.len <= sk->sndq.cap;
	ok &= sk->ofo.n <= XMP_TCP_MAX_RANGES && sk->sacked.n <= XMP_TCP_MAX_RANGES;
	for (i = 0; i < sk->ofo.n; i++) {
		ok &= xmp_seq_after(sk->ofo.r[i].start, sk->rcv_nxt);
		ok &= xmp_seq_before(sk->ofo.r[i].start, sk->ofo.r[i].end);
		ok &= sk->ofo.r[i].end - sk->rcv_nxt <= sk->rcvq.cap - sk->rcvq.len;
	}
	for (i = 0; i < sk->sacked.n; i++) {
		ok &= xmp_seq_geq(sk->sacked.r[i].start, sk->snd_una);
		ok &= xmp_seq_leq(sk->sacked.r[i].end, sk->snd_max);
	}
	if (sk->state >= XMP_TCP_ESTABLISHED) {
		ok &= xmp_seq_leq(sk->snd_una, sk->snd_nxt);
		ok &= xmp_seq_leq(sk->snd_nxt, sk->snd_max);
		ok &= xmp_seq_leq(sk->snd_buf_seq, tcp_data_end(sk));
	}
	ok &= sk->cwnd >= sk->mss;
	return ok;
}

static unsigned int states_seen;

/* ops->rcv_data that takes a random part of what it is offered, and
 * checks it is offered only the next in-order bytes, nothing unread
 * before them. */
static unsigned int take_bad;

static __u32 fz_rcv_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, const __u8 *data,
			 __u32 len)
{
	(void)ctx;
	(void)data;
	if (seq != sk->rcv_nxt || sk->rcvq.len || !len)
		take_bad++;
	return rnd(4) ? rnd(len + 1) : len;
}

static const struct xmp_tcp_ops take_ops = {
	.xmit = memwire_tcp_xmit,
	.event = t_event,
	.state_change = t_state,
	.rcv_data = fz_rcv_data,
};

static const struct xmp_tcp_ops *fz_ops; /* NULL: the harness's */

static void pair_up(struct tpair *tp, __u64 seed, bool listen_only)
{
	struct xmp_tcp_cfg c = { .sndbuf = 32768, .rcvbuf = 32768, .msl_us = 100 * T_MS };

	CHECK_EQ(tpair_init(tp, seed, &c, &c, fz_ops), 0);
	memwire_set_dir(tp->w, 0, &(struct memwire_dir_cfg){ .delay_us = 2 * T_MS });
	memwire_set_dir(tp->w, 1, &(struct memwire_dir_cfg){ .delay_us = 2 * T_MS });
	if (listen_only) {
		/* Side 1 only listens: covers LISTEN and SYN-RECEIVED. */
		xmp_tcp_listen(tp->p[1].sk);
		xmp_tcp_connect(tp->p[0].sk, 0);
		return;
	}
	CHECK_EQ(tpair_connect(tp), 0);
	tpeer_source(tp, 0, 100000, seed, rnd(2));
	tpeer_source(tp, 1, 50000, seed + 1, rnd(2));
	tp->p[1].paused = rnd(2);
	memwire_run_until(tp->w, NULL, NULL, memwire_now(tp->w) + rnd(200) * T_MS);
}

static void pair_down(struct tpair *tp)
{
	free((void *)tp->p[0].tx);
	free((void *)tp->p[1].tx);
	tpair_fini(tp);
}

/* Flags: ACK mostly, RST and SYN rarely so connections live long enough. */
static __u8 random_flags(void)
{
	__u8 f = (__u8)rnd(64) & ~(XMP_TH_RST | XMP_TH_SYN);

	if (rnd(4))
		f |= XMP_TH_ACK;
	if (!rnd(16))
		f |= XMP_TH_RST;
	if (!rnd(16))
		f |= XMP_TH_SYN;
	return f;
}

static void one_run(__u64 seed, unsigned int iters, bool listen_only)
{
	static __u8 payload[2000];
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	unsigned int i, bad = 0, conns = 1;
	__u64 now;

	frng = seed;
	pair_up(&tp, seed, listen_only);
	for (i = 0; i < iters; i++) {
		sk = tp.p[1].sk;
		seg = t_seg_to(sk, random_flags(), near(sk->rcv_nxt, 40000),
			       near(sk->snd_una, sk->snd_max - sk->snd_una + 2));
		seg.wnd = (__u16)rnd(65536);
		random_options(&seg, sk);
		seg.len = rnd(4) ? 0 : rnd(1500);
		seg.payload = payload;
		now = memwire_now(tp.w) + rnd(3000);
		memwire_set_now(tp.w, now);
		xmp_tcp_input(sk, &seg, now);
		states_seen |= 1u << sk->state;
		if (!rnd(50))
			memwire_run_until(tp.w, NULL, NULL, now + rnd(300) * T_MS);
		if (!invariants(sk) || !invariants(tp.p[0].sk))
			bad++;
		states_seen |= 1u << sk->state | 1u << tp.p[0].sk->state;
		if (sk->state == XMP_TCP_CLOSED) {
			/* Timers must still bring the other side to an end. */
			memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 3600 * T_SEC);
			pair_down(&tp);
			pair_up(&tp, seed * 1000 + conns++, listen_only);
		}
	}
	CHECK_EQ(bad, 0);
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 3600 * T_SEC);
	pair_down(&tp);
}

static void random_segments_established(void)
{
	__u64 s;

	for (s = 1; s <= 20; s++)
		one_run(s, 3000, false);
}

static void random_segments_listen(void)
{
	__u64 s;

	for (s = 100; s <= 110; s++)
		one_run(s, 2000, true);
	/* Between both runs every state was visited at least once. */
	CHECK_EQ(states_seen, (1u << XMP_TCP_NR_STATES) - 1);
	if (states_seen != (1u << XMP_TCP_NR_STATES) - 1)
		printf("#   states seen: %#x\n", states_seen);
}

/* The same with a layer above taking in-order payload from the segments:
 * the ring skips what it took and keeps out-of-order data in place. */
static void random_segments_taking(void)
{
	__u64 s;

	fz_ops = &take_ops;
	take_bad = 0;
	for (s = 200; s <= 210; s++)
		one_run(s, 3000, false);
	CHECK_EQ(take_bad, 0);
	fz_ops = NULL;
}

int main(void)
{
	RUN(random_segments_established);
	RUN(random_segments_taking);
	RUN(random_segments_listen);
	return t_exit_code();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Coupled congestion control (user/tcp/cc_coupled.h, cc_lia.c, cc_olia.c).
 *
 * Most tests drive subflow sockets with synthetic ACK streams: a fluid
 * model acknowledges each path at cwnd / rtt, one MSS at a time, with
 * deterministic loss every N bytes where a test wants losses, and calls
 * the cc ops the way the engine does (on_ack; ssthresh + cwnd_event on a
 * loss). They check RFC 6356's goals (the group takes no more than one
 * Reno flow on its best path, yet every path grows), the single-subflow
 * degeneration to Reno, group membership, and OLIA's shift of traffic to
 * the less lossy path. A last test runs real transfers on the in-memory
 * wire with "lia" and "olia" under loss and checks them byte for byte.
 */
#include "lib/test.h"
#include "test_tcp_harness.h"
#include "tcp/cc_coupled.h"

#define MSS  1448u
#define TICK 1000u /* us */

static int nop_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	(void)ctx;
	(void)sk;
	(void)seg;
	return 0;
}

static const struct xmp_tcp_ops s_ops = { .xmit = nop_xmit };

/* A subflow in congestion avoidance with a fixed RTT; ISN near 2^32. */
static struct xmp_tcp_sock *s_sock(const char *cc, __u32 rtt_us, __u32 cwnd_segs)
{
	struct xmp_tcp_cfg c = { .cc = cc, .fixed_isn = true, .isn = 0xfff00000u };
	struct xmp_tcp_sock *sk = NULL;

	if (xmp_tcp_create(&sk, &c, &s_ops, NULL))
		return NULL;
	sk->state = XMP_TCP_ESTABLISHED;
	sk->mss = MSS;
	sk->srtt_us = rtt_us;
	sk->cwnd = cwnd_segs * MSS;
	sk->ssthresh = 2 * MSS;
	sk->snd_una = sk->snd_max = sk->iss + 1;
	/* As the engine does once the handshake has set the MSS. */
	sk->cc->init(sk);
	return sk;
}

struct spath {
	struct xmp_tcp_sock *sk;
	__u64 credit;	  /* bytes * us owed to the ACK stream */
	__u64 acked;	  /* bytes acknowledged so far */
	__u64 loss_every; /* a loss every so many bytes (0: none) */
	__u64 next_loss;
	unsigned int losses;
};

/* As tcp_enter_recovery() then a full ACK: halve, Reno style. */
static void s_loss(struct spath *p, __u64 now)
{
	struct xmp_tcp_sock *sk = p->sk;

	sk->snd_max = sk->snd_una + sk->cwnd;
	sk->ssthresh = sk->cc->ssthresh(sk);
	sk->cwnd = sk->ssthresh > sk->mss ? sk->ssthresh : sk->mss;
	sk->cc->cwnd_event(sk, XMP_CC_EV_RECOVERY, now);
	sk->cc->cwnd_event(sk, XMP_CC_EV_RECOVERY_END, now);
	p->losses++;
}

/* One MSS acknowledged with the window full (cwnd-limited). */
static void s_ack(struct spath *p, __u64 now)
{
	struct xmp_tcp_sock *sk = p->sk;

	sk->snd_una += MSS;
	p->acked += MSS;
	sk->snd_max = sk->snd_una + sk->cwnd;
	sk->cc->on_ack(sk, MSS, now);
	if (p->loss_every && p->acked >= p->next_loss) {
		p->next_loss += p->loss_every;
		s_loss(p, now);
	}
}

/* Fluid model: path i is acknowledged at cwnd_i / srtt_i bytes per us. */
static void s_run(struct spath *p, unsigned int n, __u64 *now, __u64 dur_us)
{
	__u64 end = *now + dur_us;
	unsigned int i;

	for (; *now < end; *now += TICK) {
		for (i = 0; i < n; i++) {
			struct xmp_tcp_sock *sk = p[i].sk;

			p[i].credit += (__u64)sk->cwnd * TICK;
			while (p[i].credit >= (__u64)MSS * sk->srtt_us) {
				p[i].credit -= (__u64)MSS * sk->srtt_us;
				s_ack(&p[i], *now);
			}
		}
	}
}

static void s_free(struct spath *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (p[i].sk && p[i].sk->cc_group)
			xmp_cc_group_del(p[i].sk->cc_group, p[i].sk);
		xmp_tcp_destroy(p[i].sk);
	}
}

/* cwnd growth (segments) of a lone Reno flow over dur_us from 10 segments. */
static long reno_growth(__u32 rtt_us, __u64 dur_us)
{
	struct spath p = { .sk = s_sock("reno", rtt_us, 10) };
	__u64 now = 0;
	long d;

	s_run(&p, 1, &now, dur_us);
	d = (long)(p.sk->cwnd / MSS) - 10;
	s_free(&p, 1);
	return d;
}

/* Couples the @n paths in @g (their algorithm decides whether that means
 * anything), each losing first after its loss_every bytes. */
static void s_couple(struct spath *p, unsigned int n, struct xmp_cc_group *g)
{
	unsigned int i;

	xmp_cc_group_init(g);
	for (i = 0; i < n; i++) {
		p[i].next_loss = p[i].loss_every;
		CHECK_EQ(xmp_cc_group_add(g, p[i].sk), 0);
	}
}

/*
 * Two paths from 10 segments each, coupled by cc (or not, for "reno"), for
 * dur_us; their growth in segments goes to d[].
 */
static void pair_growth(const char *cc, __u32 rtt0, __u32 rtt1, __u64 dur_us, long d[2])
{
	struct spath p[2] = { { .sk = s_sock(cc, rtt0, 10) }, { .sk = s_sock(cc, rtt1, 10) } };
	struct xmp_cc_group g;
	__u64 now = 0;
	int i;

	s_couple(p, 2, &g);
	s_run(p, 2, &now, dur_us);
	for (i = 0; i < 2; i++)
		d[i] = (long)(p[i].sk->cwnd / MSS) - 10;
	s_free(p, 2);
}

static void setup(void)
{
	CHECK_EQ(xmp_cc_coupled_register(), 0);
	/* Idempotent: the daemon and tests may call it more than once. */
	CHECK_EQ(xmp_cc_coupled_register(), 0);
	CHECK(xmp_cc_find("lia") == &xmp_cc_lia);
	CHECK(xmp_cc_find("olia") == &xmp_cc_olia);
	CHECK(xmp_cc_find("reno") && xmp_cc_find("cubic"));
}

/*
 * (1) RFC 6356 goal 2 ("do no harm"): two coupled paths with the same RTT
 * through one bottleneck grow, together, no faster than one Reno flow; each
 * still grows. Uncoupled Reno on both paths (the control) grows about twice
 * as fast, so the bound does discriminate.
 */
static void fairness_same_rtt(void)
{
	const char *algs[] = { "lia", "olia" };
	long reno = reno_growth(50000, 5000000), d[2];
	unsigned int i;

	printf("# reno alone: +%ld segs in 100 RTTs\n", reno);
	CHECK(reno >= 90 && reno <= 101);
	pair_growth("reno", 50000, 50000, 5000000, d);
	CHECK(d[0] + d[1] > reno * 3 / 2);
	for (i = 0; i < 2; i++) {
		pair_growth(algs[i], 50000, 50000, 5000000, d);
		printf("# %s: +%ld +%ld segs\n", algs[i], d[0], d[1]);
		CHECK(d[0] > 0 && d[1] > 0);
		CHECK(d[0] + d[1] <= reno);
		/* Coupled, not starved: RFC 6356 alpha is 1/2 here. */
		CHECK(d[0] + d[1] >= reno / 3);
	}
}

/*
 * (2) RTTs of 10 ms and 100 ms: the fast path takes the larger share, and
 * the group's rate (sum of cwnd / rtt) grows no faster than one Reno flow
 * on the best (fast) path: RFC 6356 goals 1 and 2.
 */
static void fairness_different_rtt(void)
{
	const char *algs[] = { "lia", "olia" };
	long reno = reno_growth(10000, 2000000), d[2];
	unsigned int i;

	pair_growth("reno", 10000, 100000, 2000000, d);
	CHECK(10 * d[0] + d[1] > 10 * reno);
	for (i = 0; i < 2; i++) {
		pair_growth(algs[i], 10000, 100000, 2000000, d);
		printf("# %s: fast +%ld, slow +%ld segs; reno on fast +%ld\n", algs[i], d[0], d[1],
		       reno);
		CHECK(d[0] > 0 && d[1] >= 0);
		CHECK(d[0] > 5 * d[1]);
		CHECK(d[0] + d[1] <= reno);
		/* Rates in segments per 100 ms. */
		CHECK(10 * d[0] + d[1] <= 10 * reno);
		CHECK(d[0] >= reno / 2);
	}
}

/*
 * Single-subflow degeneration: a lone LIA or OLIA subflow (grouped or not)
 * follows Reno step for step through losses.
 */
static void single_subflow_is_reno(void)
{
	const char *algs[] = { "reno", "lia", "lia", "olia" };
	struct spath p[4];
	struct xmp_cc_group g;
	__u64 now = 0;
	unsigned int i, r;
	bool same = true;

	xmp_cc_group_init(&g);
	for (i = 0; i < 4; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].sk = s_sock(algs[i], 30000, 10);
		p[i].loss_every = 400 * 1024;
		p[i].next_loss = p[i].loss_every;
	}
	/* p[2] alone in a group; p[1] and p[3] ungrouped. */
	CHECK_EQ(xmp_cc_group_add(&g, p[2].sk), 0);
	for (r = 0; r < 400; r++) {
		/* Separate runs: each path sees its own ACK stream only. */
		for (i = 0; i < 4; i++) {
			__u64 t = now;

			s_run(&p[i], 1, &t, 30000);
		}
		now += 30000;
		for (i = 1; i < 4; i++)
			same &= p[i].sk->cwnd == p[0].sk->cwnd;
	}
	printf("# reno: %u losses, final cwnd %u segs\n", p[0].losses, p[0].sk->cwnd / MSS);
	CHECK(p[0].losses >= 10);
	CHECK(same);
	for (i = 1; i < 4; i++)
		CHECK_EQ(p[i].losses, p[0].losses);
	CHECK_EQ(xmp_cc_lia_alpha(p[2].sk), XMP_CC_ALPHA_ONE);
	s_free(p, 4);
}

/* (3) Members come and go; the group survives them. */
static void group_membership(void)
{
	struct xmp_tcp_sock *a = s_sock("lia", 50000, 10), *b = s_sock("lia", 50000, 10);
	struct xmp_tcp_sock *c = s_sock("lia", 50000, 10), *extra[XMP_CC_GROUP_MAX];
	struct xmp_cc_group g, h;
	unsigned int i;

	xmp_cc_group_init(&g);
	xmp_cc_group_init(&h);
	CHECK_EQ(xmp_cc_group_add(NULL, a), -EINVAL);
	CHECK_EQ(xmp_cc_group_add(&g, a), 0);
	CHECK(a->cc_group == &g);
	CHECK_EQ(xmp_cc_group_add(&g, a), -EEXIST);
	CHECK_EQ(xmp_cc_group_add(&h, a), -EBUSY);
	/* Alone: Reno's alpha. */
	CHECK_EQ(xmp_cc_lia_alpha(a), XMP_CC_ALPHA_ONE);
	CHECK_EQ(xmp_cc_group_add(&g, b), 0);
	/* Equal windows and RTTs: alpha = 2c * (c/r^2) / (2c/r)^2 = 1/2. */
	CHECK_EQ(xmp_cc_lia_alpha(a), XMP_CC_ALPHA_ONE / 2);
	CHECK_EQ(xmp_cc_lia_alpha(b), XMP_CC_ALPHA_ONE / 2);
	CHECK_EQ(xmp_cc_group_add(&g, c), 0);
	CHECK_EQ(g.n, 3);
	/* Three equal paths: alpha = 3c * (c/r^2) / (3c/r)^2 = 1/3. */
	CHECK_EQ(xmp_cc_lia_alpha(c), XMP_CC_ALPHA_ONE / 3);
	/* A subflow that cannot send, or has no RTT yet, does not count. */
	c->state = XMP_TCP_FIN_WAIT_1;
	CHECK_EQ(xmp_cc_lia_alpha(a), XMP_CC_ALPHA_ONE / 2);
	c->state = XMP_TCP_CLOSE_WAIT;
	b->srtt_us = 0;
	CHECK_EQ(xmp_cc_lia_alpha(a), XMP_CC_ALPHA_ONE / 2);
	b->srtt_us = 50000;
	/* Leaving: the rest recouple; the leaver is uncoupled (Reno). */
	CHECK_EQ(xmp_cc_group_del(&g, b), 0);
	CHECK(b->cc_group == NULL);
	CHECK_EQ(xmp_cc_group_del(&g, b), -ENOENT);
	CHECK_EQ(g.n, 2);
	CHECK_EQ(xmp_cc_lia_alpha(a), XMP_CC_ALPHA_ONE / 2);
	CHECK_EQ(xmp_cc_lia_alpha(b), XMP_CC_ALPHA_ONE);
	CHECK_EQ(xmp_cc_group_add(&h, b), 0);
	CHECK_EQ(xmp_cc_group_del(&g, a), 0);
	CHECK_EQ(xmp_cc_group_del(&g, c), 0);
	CHECK_EQ(g.n, 0);
	/* The empty group takes members again, up to its limit. */
	for (i = 0; i < XMP_CC_GROUP_MAX; i++) {
		extra[i] = s_sock("olia", 20000, 4);
		CHECK_EQ(xmp_cc_group_add(&g, extra[i]), 0);
	}
	CHECK_EQ(xmp_cc_group_add(&g, a), -ENOSPC);
	CHECK_EQ(xmp_cc_lia_alpha(extra[0]), XMP_CC_ALPHA_ONE / XMP_CC_GROUP_MAX);
	xmp_cc_group_clear(&g);
	CHECK_EQ(g.n, 0);
	for (i = 0; i < XMP_CC_GROUP_MAX; i++) {
		CHECK(extra[i]->cc_group == NULL);
		xmp_tcp_destroy(extra[i]);
	}
	/* Coupling changes the growth: with b in h, a alone grows as Reno. */
	CHECK_EQ(xmp_cc_group_add(&h, a), 0);
	{
		struct spath p[2] = { { .sk = a }, { .sk = b } };
		__u64 now = 0;
		long reno = reno_growth(50000, 2500000);

		s_run(p, 2, &now, 2500000);
		CHECK((long)(a->cwnd / MSS) - 10 + (long)(b->cwnd / MSS) - 10 <= reno);
		CHECK_EQ(xmp_cc_group_del(&h, b), 0);
		p[0].credit = p[1].credit = 0;
		/* Restart both from 10 segments, as after a recovery (which
		 * clears the bytes counted towards the next step). */
		a->cwnd = b->cwnd = 10 * MSS;
		a->cc->cwnd_event(a, XMP_CC_EV_RECOVERY_END, now);
		b->cc->cwnd_event(b, XMP_CC_EV_RECOVERY_END, now);
		s_run(p, 2, &now, 2500000);
		/* Uncoupled again: each grows as one Reno flow. */
		CHECK_EQ((long)(a->cwnd / MSS) - 10, reno);
		CHECK_EQ((long)(b->cwnd / MSS) - 10, reno);
	}
	xmp_cc_group_del(&h, a);
	xmp_tcp_destroy(a);
	xmp_tcp_destroy(b);
	xmp_tcp_destroy(c);
}

/*
 * (4a) OLIA's alpha: with path B the best (longer loss-free run, same RTT)
 * but A the largest window, A gives (alpha -1/2) and B takes (+1/2).
 */
static void olia_alpha_sets(void)
{
	struct spath p[2] = { { .sk = s_sock("olia", 50000, 10) },
			      { .sk = s_sock("olia", 50000, 10) } };
	struct xmp_cc_group g;
	unsigned int den, i;
	__u64 now = 0;
	int num;

	s_couple(p, 2, &g);
	for (i = 0; i < 70; i++) {
		s_ack(&p[0], now);
		s_ack(&p[1], now);
	}
	s_loss(&p[0], now);
	for (i = 0; i < 35; i++)
		s_ack(&p[1], now);
	CHECK_EQ(xmp_cc_olia_interloss(p[0].sk), 70 * MSS);
	CHECK_EQ(xmp_cc_olia_interloss(p[1].sk), 105 * MSS);
	p[0].sk->cwnd = 20 * MSS;
	p[1].sk->cwnd = 10 * MSS;
	xmp_cc_olia_alpha(p[0].sk, &num, &den);
	CHECK_EQ(num, -1);
	CHECK_EQ(den, 2);
	xmp_cc_olia_alpha(p[1].sk, &num, &den);
	CHECK_EQ(num, 1);
	CHECK_EQ(den, 2);
	/* The best path grows faster than the coupled term alone allows:
	 * W/E^2 = 10/900 per ACK; with alpha 1/2: + 1/20, ~1 seg in 17. */
	for (i = 0; i < 20; i++)
		s_ack(&p[1], now);
	CHECK_EQ(p[1].sk->cwnd, 11 * MSS);
	/* Once B has the largest window, B\M is empty: no one moves. */
	p[1].sk->cwnd = 20 * MSS;
	xmp_cc_olia_alpha(p[0].sk, &num, &den);
	CHECK_EQ(num, 0);
	xmp_cc_olia_alpha(p[1].sk, &num, &den);
	CHECK_EQ(num, 0);
	s_free(p, 2);
	/* A LIA member keeps no OLIA loss history, so it is never "best". */
	{
		struct spath q = { .sk = s_sock("lia", 50000, 10) };

		for (i = 0; i < 10; i++)
			s_ack(&q, now);
		CHECK_EQ(xmp_cc_olia_interloss(q.sk), 0);
		s_free(&q, 1);
	}
}

/* Share of the bytes carried by path 1; a loss every loss0/loss1 bytes. */
static double lossy_share(const char *cc, __u64 loss0, __u64 loss1, __u64 dur_us, long *w)
{
	struct spath p[2] = { { .sk = s_sock(cc, 40000, 10), .loss_every = loss0 },
			      { .sk = s_sock(cc, 40000, 10), .loss_every = loss1 } };
	struct xmp_cc_group g;
	__u64 now = 0;
	double share;

	s_couple(p, 2, &g);
	s_run(p, 2, &now, dur_us);
	printf("# %s: %u and %u losses\n", cc, p[0].losses, p[1].losses);
	CHECK(p[0].losses > 5 && p[1].losses > 5);
	share = (double)p[1].acked / (double)(p[0].acked + p[1].acked);
	w[0] = p[0].sk->cwnd / MSS;
	w[1] = p[1].sk->cwnd / MSS;
	s_free(p, 2);
	return share;
}

/*
 * (4b) Synthetic loss events: path 0 loses once per 1000 KB, path 1 once
 * per 2000 KB, same RTT, two minutes. Both algorithms favour path 1; OLIA,
 * which moves window to the best path, shifts far more of the traffic.
 */
static void olia_shifts_to_better_path(void)
{
	long wl[2], wo[2];
	double lia = lossy_share("lia", 1000 * 1024, 2000 * 1024, 120000000, wl);
	double olia = lossy_share("olia", 1000 * 1024, 2000 * 1024, 120000000, wo);

	printf("# share of the better path: lia %.3f (cwnd %ld/%ld), olia %.3f (%ld/%ld)\n", lia,
	       wl[0], wl[1], olia, wo[0], wo[1]);
	/* LIA balances windows as 1/p (RFC 6356 goal 3): about 2/3 here. */
	CHECK(lia > 0.55 && lia < 0.8);
	/* OLIA leaves the worse path a probing window only. */
	CHECK(olia > 0.85);
	CHECK(olia > lia + 0.15);
	CHECK(wo[0] < wl[0] && wo[1] > wl[1]);
}

/*
 * Share of path 0 over the second half when the loss rates of the two paths
 * swap halfway (path 0 from worse to better).
 */
static double swapped_share(const char *cc, __u64 half_us)
{
	struct spath p[2] = { { .sk = s_sock(cc, 40000, 10), .loss_every = 1000 * 1024 },
			      { .sk = s_sock(cc, 40000, 10), .loss_every = 2000 * 1024 } };
	struct xmp_cc_group g;
	__u64 now = 0, a0, a1;

	s_couple(p, 2, &g);
	s_run(p, 2, &now, half_us);
	a0 = p[0].acked;
	a1 = p[1].acked;
	p[0].loss_every = 2000 * 1024;
	p[1].loss_every = 1000 * 1024;
	p[0].next_loss = p[0].acked + p[0].loss_every;
	p[1].next_loss = p[1].acked + p[1].loss_every;
	s_run(p, 2, &now, half_us);
	a0 = p[0].acked - a0;
	a1 = p[1].acked - a1;
	s_free(p, 2);
	return (double)a0 / (double)(a0 + a1);
}

/*
 * (4c) OLIA stays responsive: when the path it had starved becomes the
 * better one, alpha (+ for the best path without the largest window, - for
 * the largest window) hands window back to it within the next minute.
 */
static void olia_responsive_to_change(void)
{
	double lia = swapped_share("lia", 60000000), olia = swapped_share("olia", 60000000);

	printf("# after the swap, share of the now better path: lia %.3f, olia %.3f\n", lia, olia);
	CHECK(lia > 0.5);
	/* Without alpha (first term only) OLIA recovers to about 0.5 here. */
	CHECK(olia > 0.75);
	CHECK(olia > lia + 0.1);
}

/*
 * RFC 6356 3: the min() keeps every subflow at most as aggressive as one
 * Reno flow on its own path. Path 1 (100 ms, 100 segments) beside a best
 * path 0 (10 ms, 10 segments): alpha = 110 * 10 / (10 + 100 / 10)^2 = 2.75,
 * so the first term alone would grow path 1 2.5 times faster than Reno.
 */
static void lia_capped_by_reno_per_path(void)
{
	struct spath p[2] = { { .sk = s_sock("lia", 10000, 10) },
			      { .sk = s_sock("lia", 100000, 100) } };
	struct spath r = { .sk = s_sock("reno", 100000, 100) };
	struct xmp_cc_group g;
	unsigned int i;

	s_couple(p, 2, &g);
	CHECK_EQ(xmp_cc_lia_alpha(p[1].sk), XMP_CC_ALPHA_ONE * 11 / 4);
	/* Five windows of ACKs on path 1 only. */
	for (i = 0; i < 500; i++) {
		s_ack(&p[1], 0);
		s_ack(&r, 0);
	}
	CHECK_EQ(r.sk->cwnd, 104 * MSS);
	CHECK_EQ(p[1].sk->cwnd, r.sk->cwnd);
	s_free(p, 2);
	s_free(&r, 1);
}

/* (5) Real single-subflow transfers, lossy bottleneck, byte for byte. */
static __u64 xfer(const char *cc, __u64 seed, __u64 *rexmit)
{
	struct xmp_tcp_cfg c = { .cc = cc, .sndbuf = 1 << 20, .rcvbuf = 1 << 20 };
	struct memwire_dir_cfg d = { .delay_us = 10 * T_MS, .rate_bps = 20000000,
				     .queue_bytes = 64 * 1024, .loss_ppm = 10000 };
	struct xmp_cc_group g;
	size_t len = 2 << 20;
	struct tpair tp;
	__u64 t0, dt;
	__u8 *a;

	xmp_cc_group_init(&g);
	CHECK_EQ(tpair_init(&tp, seed, &c, &c, NULL), 0);
	memwire_set_dir(tp.w, 0, &d);
	memwire_set_dir(tp.w, 1, &d);
	/* Joined before the handshake: the membership survives cc re-init. */
	CHECK_EQ(xmp_cc_group_add(&g, tp.p[0].sk), 0);
	CHECK_EQ(tpair_connect(&tp), 0);
	CHECK(tp.p[0].sk->cc_group == &g);
	t0 = memwire_now(tp.w);
	a = tpeer_source(&tp, 0, len, seed, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 600 * T_SEC), 0);
	dt = memwire_now(tp.w) - t0;
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, a, len);
	CHECK(!strcmp(tp.p[0].sk->cc->name, cc));
	CHECK(tp.p[0].sk->mib[XMP_TCP_MIB_RECOVERY] > 0);
	CHECK(memwire_stats(tp.w, 0)->lost > 0);
	*rexmit = tp.p[0].sk->mib[XMP_TCP_MIB_RETRANS_SEGS];
	printf("# %s: %llu ms, %llu retransmissions, %llu recoveries\n", cc,
	       (unsigned long long)dt / 1000, (unsigned long long)*rexmit,
	       (unsigned long long)tp.p[0].sk->mib[XMP_TCP_MIB_RECOVERY]);
	xmp_cc_group_del(&g, tp.p[0].sk);
	free(a);
	tpair_fini(&tp);
	return dt;
}

static void transfer_lossy_lia_olia(void)
{
	__u64 seed, r_reno, r_lia, r_olia, t_reno, t_lia, t_olia;

	for (seed = 51; seed <= 52; seed++) {
		t_reno = xfer("reno", seed, &r_reno);
		t_lia = xfer("lia", seed, &r_lia);
		t_olia = xfer("olia", seed, &r_olia);
		/* Alone, LIA and OLIA are Reno: the very same run. */
		CHECK_EQ(t_lia, t_reno);
		CHECK_EQ(r_lia, r_reno);
		CHECK_EQ(t_olia, t_reno);
		CHECK_EQ(r_olia, r_reno);
	}
}

int main(void)
{
	RUN(setup);
	RUN(fairness_same_rtt);
	RUN(fairness_different_rtt);
	RUN(single_subflow_is_reno);
	RUN(group_membership);
	RUN(olia_alpha_sets);
	RUN(olia_shifts_to_better_path);
	RUN(olia_responsive_to_change);
	RUN(lia_capped_by_reno_per_path);
	RUN(transfer_lossy_lia_olia);
	return t_exit_code();
}

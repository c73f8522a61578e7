// SPDX-License-Identifier: GPL-2.0
/*
 * CUBIC congestion control (RFC 9438) behind struct xmp_cc_ops, in floating
 * point (userspace). Window in segments: W_cubic(t) = C (t - K)^3 + W_max,
 * with the Reno-friendly estimate W_est as a floor (RFC 9438 4.3) and fast
 * convergence (4.7). Slow start is Reno's.
 */
#include <math.h>
#include <string.h>

#include "tcp/tcp_int.h"

#define CUBIC_C	   0.4
#define CUBIC_BETA 0.7

struct cubic {
	double w_max;  /* segments, before the last reduction */
	double k;      /* seconds to reach w_max again */
	double origin; /* segments: plateau of the curve */
	double w_est;  /* Reno-friendly estimate, segments */
	double cnt;    /* fractional segments accumulated */
	__u64 epoch;   /* start of this avoidance epoch (us), 0 = none */
};

_Static_assert(sizeof(struct cubic) <= sizeof(((struct xmp_tcp_sock *)0)->cc_priv),
	       "cubic state fits cc_priv");

static struct cubic *cubic(struct xmp_tcp_sock *sk)
{
	return (struct cubic *)sk->cc_priv;
}

static void cubic_init(struct xmp_tcp_sock *sk)
{
	memset(cubic(sk), 0, sizeof(struct cubic));
}

static void cubic_epoch_start(struct xmp_tcp_sock *sk, double cwnd, __u64 now_us)
{
	struct cubic *c = cubic(sk);

	c->epoch = now_us ? now_us : 1;
	if (cwnd < c->w_max) {
		c->k = cbrt((c->w_max - cwnd) / CUBIC_C);
		c->origin = c->w_max;
	} else {
		c->k = 0;
		c->origin = cwnd;
	}
	c->w_est = cwnd;
	c->cnt = 0;
}

static void cubic_on_ack(struct xmp_tcp_sock *sk, __u32 acked, __u64 now_us)
{
	struct cubic *c = cubic(sk);
	double cwnd, t, target, segs;

	if (sk->cwnd < sk->ssthresh) {
		sk->cwnd += tcp_min(acked, 2 * sk->mss);
		return;
	}
	cwnd = (double)sk->cwnd / sk->mss;
	segs = (double)acked / sk->mss;
	if (!c->epoch)
		cubic_epoch_start(sk, cwnd, now_us);
	/* RFC 9438 4.2: target for one RTT ahead. */
	t = (double)(now_us - c->epoch + sk->srtt_us) / 1e6;
	target = c->origin + CUBIC_C * (t - c->k) * (t - c->k) * (t - c->k);
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	/* 4.3: alpha = 3 (1 - beta) / (1 + beta) per cwnd of ACKed segments. */
	c->w_est += 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA) * segs / cwnd;
	if (target < c->w_est)
		target = c->w_est;
	if (target > cwnd)
		c->cnt += (target - cwnd) / cwnd * segs;
	while (c->cnt >= 1.0) {
		c->cnt -= 1.0;
		sk->cwnd += sk->mss;
	}
}

/* RFC 9438 4.6/4.7: multiplicative decrease with fast convergence. */
static __u32 cubic_ssthresh(struct xmp_tcp_sock *sk)
{
	struct cubic *c = cubic(sk);
	double cwnd = (double)sk->cwnd / sk->mss;

	if (cwnd < c->w_max)
		c->w_max = cwnd * (1 + CUBIC_BETA) / 2;
	else
		c->w_max = cwnd;
	c->epoch = 0;
	return tcp_max((__u32)(sk->cwnd * CUBIC_BETA), 2 * sk->mss);
}

static void cubic_cwnd_event(struct xmp_tcp_sock *sk, enum xmp_cc_event ev, __u64 now_us)
{
	(void)now_us;
	if (ev != XMP_CC_EV_RECOVERY_END)
		cubic(sk)->epoch = 0;
}

struct xmp_cc_ops xmp_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.on_ack = cubic_on_ack,
	.ssthresh = cubic_ssthresh,
	.cwnd_event = cubic_cwnd_event,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Reno congestion control (RFC 5681) behind struct xmp_cc_ops: slow start
 * with appropriate byte counting (RFC 3465, L = 2 SMSS), congestion
 * avoidance of one SMSS per cwnd of acknowledged bytes, halving on loss.
 */
#include "tcp/tcp_int.h"

/* cc_priv[0]: bytes acknowledged since the last congestion avoidance step. */
static void reno_init(struct xmp_tcp_sock *sk)
{
	sk->cc_priv[0] = 0;
}

static void reno_on_ack(struct xmp_tcp_sock *sk, __u32 acked, __u64 now_us)
{
	(void)now_us;
	if (sk->cwnd < sk->ssthresh) {
		sk->cwnd += tcp_min(acked, 2 * sk->mss);
		return;
	}
	sk->cc_priv[0] += acked;
	if (sk->cc_priv[0] >= sk->cwnd) {
		sk->cc_priv[0] -= sk->cwnd;
		sk->cwnd += sk->mss;
	}
}

/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
static __u32 reno_ssthresh(struct xmp_tcp_sock *sk)
{
	return tcp_max(tcp_flight(sk) / 2, 2 * sk->mss);
}

static void reno_cwnd_event(struct xmp_tcp_sock *sk, enum xmp_cc_event ev, __u64 now_us)
{
	(void)ev;
	(void)now_us;
	sk->cc_priv[0] = 0;
}

struct xmp_cc_ops xmp_cc_reno = {
	.name = "reno",
	.init = reno_init,
	.on_ack = reno_on_ack,
	.ssthresh = reno_ssthresh,
	.cwnd_event = reno_cwnd_event,
};

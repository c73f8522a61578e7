// SPDX-License-Identifier: GPL-2.0
/*
 * Reno congestion control (RFC 5681) behind struct xmp_cc_ops: slow start
 * with appropriate byte counting (RFC 3465, L = 2 SMSS), congestion
 * avoidance of one SMSS per cwnd of acknowledged bytes, halving on loss.
 * Its steps are LIA's and OLIA's too (declared in cc_coupled.h).
 */
#include "tcp/cc_coupled.h"
#include "tcp/tcp_int.h"

void xmp_cc_slow_start(struct xmp_tcp_sock *sk, __u32 acked)
{
	sk->cwnd += tcp_min(acked, 2 * sk->mss);
}

void xmp_cc_ca_step(struct xmp_tcp_sock *sk, __u64 *count, __u32 acked, __u32 thresh)
{
	*count += acked;
	if (*count >= thresh) {
		*count -= thresh;
		sk->cwnd += sk->mss;
	}
}

__u32 xmp_cc_reno_ssthresh(struct xmp_tcp_sock *sk)
{
	return tcp_max(tcp_flight(sk) / 2, 2 * sk->mss);
}

/* cc_priv[0]: bytes acknowledged since the last congestion avoidance step;
 * a loss starts the count again. */
void xmp_cc_reno_init(struct xmp_tcp_sock *sk)
{
	sk->cc_priv[0] = 0;
}

void xmp_cc_reno_event(struct xmp_tcp_sock *sk, enum xmp_cc_event ev, __u64 now_us)
{
	(void)ev;
	(void)now_us;
	sk->cc_priv[0] = 0;
}

static void reno_on_ack(struct xmp_tcp_sock *sk, __u32 acked, __u64 now_us)
{
	(void)now_us;
	if (sk->cwnd < sk->ssthresh)
		xmp_cc_slow_start(sk, acked);
	else
		xmp_cc_ca_step(sk, &sk->cc_priv[0], acked, sk->cwnd);
}

struct xmp_cc_ops xmp_cc_reno = {
	.name = "reno",
	.init = xmp_cc_reno_init,
	.on_ack = reno_on_ack,
	.ssthresh = xmp_cc_reno_ssthresh,
	.cwnd_event = xmp_cc_reno_event,
};

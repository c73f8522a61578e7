// SPDX-License-Identifier: GPL-2.0
/*
 * Coupling groups (tcp/cc_coupled.h) and LIA, the Linked Increases
 * Algorithm of RFC 6356, behind struct xmp_cc_ops as "lia".
 *
 * RFC 6356 3: in congestion avoidance, for each ACK on subflow i,
 *   cwnd_i += min(alpha * bytes_acked * MSS_i / cwnd_total,
 *                 bytes_acked * MSS_i / cwnd_i)
 *   alpha = cwnd_total * max_k(cwnd_k / rtt_k^2) / (sum_k cwnd_k / rtt_k)^2
 * cwnd_total cancels in the first term. With b the subflow that maximises
 * cwnd_k / rtt_k^2 and D = sum_k cwnd_k * rtt_b / rtt_k (bytes), the first
 * term is bytes_acked * MSS_i * cwnd_b / D^2. So, as Reno grows by one MSS
 * per cwnd of acknowledged bytes, LIA grows by one MSS per
 *   T_i = max(cwnd_i, ceil(D^2 / cwnd_b))
 * acknowledged bytes: integers only (128-bit intermediates, where RFC 6356
 * 4.1 scales alpha by a constant), rounded towards the less aggressive
 * side, and exactly Reno when i is alone (D = cwnd_b = cwnd_i).
 * Slow start and the halving on loss are Reno's (RFC 6356 3, last
 * paragraphs), as in cc_reno.c.
 */
#include <errno.h>
#include <string.h>

#include "tcp/cc_coupled.h"
#include "tcp/tcp_int.h"

#define CC_RTT_MAX (1u << 24)

void xmp_cc_group_init(struct xmp_cc_group *g)
{
	memset(g, 0, sizeof(*g));
}

static int group_find(const struct xmp_cc_group *g, const struct xmp_tcp_sock *sk)
{
	unsigned int i;

	for (i = 0; i < g->n; i++)
		if (g->member[i] == sk)
			return (int)i;
	return -1;
}

int xmp_cc_group_add(struct xmp_cc_group *g, struct xmp_tcp_sock *sk)
{
	if (!g || !sk)
		return -EINVAL;
	if (group_find(g, sk) >= 0)
		return -EEXIST;
	if (sk->cc_group)
		return -EBUSY;
	if (g->n >= XMP_CC_GROUP_MAX)
		return -ENOSPC;
	g->member[g->n++] = sk;
	sk->cc_group = g;
	return 0;
}

int xmp_cc_group_del(struct xmp_cc_group *g, struct xmp_tcp_sock *sk)
{
	int i;

	if (!g || !sk)
		return -EINVAL;
	i = group_find(g, sk);
	if (i < 0)
		return -ENOENT;
	/* Order carries no meaning: the last member fills the hole. */
	g->member[i] = g->member[--g->n];
	g->member[g->n] = NULL;
	sk->cc_group = NULL;
	return 0;
}

void xmp_cc_group_clear(struct xmp_cc_group *g)
{
	while (g->n)
		xmp_cc_group_del(g, g->member[g->n - 1]);
}

bool xmp_cc_member_active(const struct xmp_tcp_sock *sk)
{
	return (sk->state == XMP_TCP_ESTABLISHED || sk->state == XMP_TCP_CLOSE_WAIT) && sk->srtt_us;
}

__u32 xmp_cc_rtt(const struct xmp_tcp_sock *sk)
{
	if (!sk->srtt_us)
		return 1;
	return sk->srtt_us > CC_RTT_MAX ? CC_RTT_MAX : sk->srtt_us;
}

unsigned int xmp_cc_group_active(const struct xmp_tcp_sock *sk,
				 const struct xmp_tcp_sock *out[XMP_CC_GROUP_MAX])
{
	const struct xmp_cc_group *g = sk->cc_group;
	unsigned int i, n = 0;

	if (!xmp_cc_member_active(sk))
		return 0;
	if (!g) {
		out[0] = sk;
		return 1;
	}
	for (i = 0; i < g->n; i++)
		if (xmp_cc_member_active(g->member[i]))
			out[n++] = g->member[i];
	return n;
}

/*
 * Index in m[] of the subflow maximising cwnd_k / rtt_k^2 (RFC 6356 3, the
 * numerator of alpha), compared cross-multiplied: cwnd_k * rtt_b^2 >
 * cwnd_b * rtt_k^2 (32 + 48 bits).
 */
static unsigned int lia_best(const struct xmp_tcp_sock *const *m, unsigned int n)
{
	unsigned int k, b = 0;

	for (k = 1; k < n; k++) {
		xmp_cc_u128 rb = xmp_cc_rtt(m[b]), rk = xmp_cc_rtt(m[k]);

		if ((xmp_cc_u128)m[k]->cwnd * rb * rb > (xmp_cc_u128)m[b]->cwnd * rk * rk)
			b = k;
	}
	return b;
}

/* D = sum_k cwnd_k * rtt_b / rtt_k: the denominator of alpha, in bytes. */
static xmp_cc_u128 lia_denom(const struct xmp_tcp_sock *const *m, unsigned int n,
			     const struct xmp_tcp_sock *b)
{
	xmp_cc_u128 d = 0;
	unsigned int k;

	for (k = 0; k < n; k++)
		d += (xmp_cc_u128)m[k]->cwnd * xmp_cc_rtt(b) / xmp_cc_rtt(m[k]);
	return d;
}

/* Acknowledged bytes per MSS of growth for sk (T_i above). */
static __u32 lia_ca_thresh(const struct xmp_tcp_sock *sk)
{
	const struct xmp_tcp_sock *m[XMP_CC_GROUP_MAX], *b;
	xmp_cc_u128 d, t;
	unsigned int n;

	n = xmp_cc_group_active(sk, m);
	if (n < 2 || !sk->cwnd)
		return sk->cwnd;
	b = m[lia_best(m, n)];
	if (!b->cwnd)
		return sk->cwnd;
	d = lia_denom(m, n, b);
	t = (d * d + b->cwnd - 1) / b->cwnd;
	if (t > UINT32_MAX)
		t = UINT32_MAX;
	return tcp_max(sk->cwnd, (__u32)t);
}

__u32 xmp_cc_lia_alpha(const struct xmp_tcp_sock *sk)
{
	const struct xmp_tcp_sock *m[XMP_CC_GROUP_MAX], *b;
	xmp_cc_u128 d, total = 0;
	unsigned int n, k;

	n = xmp_cc_group_active(sk, m);
	if (n < 2)
		return XMP_CC_ALPHA_ONE;
	b = m[lia_best(m, n)];
	d = lia_denom(m, n, b);
	if (!d)
		return XMP_CC_ALPHA_ONE;
	for (k = 0; k < n; k++)
		total += m[k]->cwnd;
	/* alpha = cwnd_total * cwnd_b / D^2 (the rtt_b^2 factors cancel). */
	return (__u32)(total * b->cwnd * XMP_CC_ALPHA_ONE / (d * d));
}

static void lia_on_ack(struct xmp_tcp_sock *sk, __u32 acked, __u64 now_us)
{
	__u32 thresh;

	(void)now_us;
	if (sk->cwnd < sk->ssthresh) {
		xmp_cc_slow_start(sk, acked);
		return;
	}
	/* One step per ACK at most, the excess carried, exactly as Reno
	 * (cc_priv[0] counts as there). */
	thresh = lia_ca_thresh(sk);
	xmp_cc_ca_step(sk, &sk->cc_priv[0], acked, thresh);
}

struct xmp_cc_ops xmp_cc_lia = {
	.name = "lia",
	.init = xmp_cc_reno_init,
	.on_ack = lia_on_ack,
	.ssthresh = xmp_cc_reno_ssthresh,
	.cwnd_event = xmp_cc_reno_event,
};

int xmp_cc_coupled_register(void)
{
	int err;

	err = xmp_cc_register(&xmp_cc_lia);
	if (err && err != -EEXIST)
		return err;
	err = xmp_cc_register(&xmp_cc_olia);
	if (err && err != -EEXIST)
		return err;
	return 0;
}

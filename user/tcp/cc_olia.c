// SPDX-License-Identifier: GPL-2.0
/*
 * OLIA, the Opportunistic Linked Increases Algorithm, behind struct
 * xmp_cc_ops as "olia": R. Khalili, N. Gast, M. Popovic, J.-Y. Le Boudec,
 * "MPTCP is not Pareto-optimal: performance issues and a possible
 * solution", IEEE/ACM ToN 21(5), 2013, section V; also
 * draft-khalili-mptcp-congestion-control-05, section 3.
 *
 * For each ACK on path r in congestion avoidance (windows in packets):
 *   w_r += (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2 + alpha_r / w_r
 * and w_r is halved on a loss (Reno). alpha_r moves window from the paths
 * with the largest window (set M) to the presumably best paths (set B,
 * largest l_p / rtt_p^2, the square of a Reno rate estimate) that do not
 * have the largest window:
 *   r in B\M:             alpha_r = +1 / (|P| * |B\M|)
 *   r in M, B\M nonempty: alpha_r = -1 / (|P| * |M|)
 *   otherwise:            alpha_r = 0
 * with l_r = max(l1_r, l2_r): bytes acknowledged between the last two
 * losses and since the last one. The alpha terms of all paths sum to zero
 * over a round, so the group is no more aggressive than the first term,
 * which is LIA-like and at most one packet per RTT in total.
 *
 * In bytes (cwnd W, per acknowledged bytes a, with E = sum_p W_p *
 * rtt_r / rtt_p): dW_r = a * MSS * (W_r / E^2 + alpha_r / W_r). The
 * increase is accumulated in 1/65536 byte units (rounded to nearest) and
 * cwnd moves by whole MSS steps, down as well as up. A lone path counts
 * bytes as Reno, to which the formula reduces there.
 */
#include <string.h>

#include "tcp/cc_coupled.h"
#include "tcp/tcp_int.h"

#define OLIA_FRAC_SHIFT 16
#define OLIA_L_MAX	(1ULL << 48) /* keeps l * rtt^2 inside 128 bits */

/* State in cc_priv. Inter-loss distances come from snd_una, not from the
 * bytes passed to on_ack(), because the engine skips on_ack() when not
 * cwnd-limited and those bytes were delivered all the same. */
struct olia {
	__s64 acc;	  /* pending window change, 1/65536 bytes */
	__u32 loss_seq;	  /* snd_una at the last loss (start of l2) */
	__u32 pad;	  /* explicit: the rest is 64-bit */
	__u64 l2_folded;  /* l2 bytes moved out of the sequence distance */
	__u64 l1;	  /* bytes between the last two losses */
	__u64 reno_bytes; /* lone path: bytes since the last step (Reno) */
};

_Static_assert(sizeof(struct olia) <= sizeof(((struct xmp_tcp_sock *)0)->cc_priv),
	       "olia state fits cc_priv");

static struct olia *olia(struct xmp_tcp_sock *sk)
{
	return (struct olia *)sk->cc_priv;
}

static const struct olia *olia_c(const struct xmp_tcp_sock *sk)
{
	return (const struct olia *)sk->cc_priv;
}

static void olia_init(struct xmp_tcp_sock *sk)
{
	memset(olia(sk), 0, sizeof(struct olia));
	olia(sk)->loss_seq = sk->snd_una;
}

/* Bytes acknowledged since the last loss. */
static __u64 olia_l2(const struct xmp_tcp_sock *sk)
{
	return olia_c(sk)->l2_folded + (__u32)(sk->snd_una - olia_c(sk)->loss_seq);
}

/* Moves progress into the 64-bit counter before the 32-bit distance wraps. */
static void olia_fold(struct xmp_tcp_sock *sk)
{
	__u32 d = sk->snd_una - olia(sk)->loss_seq;

	if (d >= 1u << 30) {
		olia(sk)->l2_folded += d;
		olia(sk)->loss_seq = sk->snd_una;
	}
}

__u64 xmp_cc_olia_interloss(const struct xmp_tcp_sock *sk)
{
	__u64 l1, l2;

	/* Only OLIA members keep loss history; others never count as best. */
	if (sk->cc != &xmp_cc_olia)
		return 0;
	l1 = olia_c(sk)->l1;
	l2 = olia_l2(sk);
	l1 = l1 > l2 ? l1 : l2;
	return l1 > OLIA_L_MAX ? OLIA_L_MAX : l1;
}

/* l_a / rtt_a^2 compared with l_b / rtt_b^2: <0, 0, >0. */
static int olia_cmp_rate(const struct xmp_tcp_sock *a, const struct xmp_tcp_sock *b)
{
	xmp_cc_u128 ra = xmp_cc_rtt(a), rb = xmp_cc_rtt(b);
	xmp_cc_u128 x = xmp_cc_olia_interloss(a) * rb * rb;
	xmp_cc_u128 y = xmp_cc_olia_interloss(b) * ra * ra;

	return x < y ? -1 : x > y;
}

/* alpha_r of m[self] among the n active paths m[] (section V of the paper). */
static void olia_alpha(const struct xmp_tcp_sock *const *m, unsigned int n,
		       const struct xmp_tcp_sock *self, int *num, unsigned int *den)
{
	unsigned int k, best = 0, n_max = 0, n_best = 0;
	__u32 w_max = 0;

	for (k = 0; k < n; k++) {
		w_max = tcp_max(w_max, m[k]->cwnd);
		if (olia_cmp_rate(m[k], m[best]) > 0)
			best = k;
	}
	for (k = 0; k < n; k++) {
		if (m[k]->cwnd == w_max)
			n_max++;
		else if (!olia_cmp_rate(m[k], m[best]))
			n_best++;
	}
	*num = 0;
	*den = 1;
	if (!n_best)
		return;
	if (self->cwnd != w_max && !olia_cmp_rate(self, m[best])) {
		*num = 1;
		*den = n * n_best;
	} else if (self->cwnd == w_max) {
		*num = -1;
		*den = n * n_max;
	}
}

/* Active members of sk's group; sk alone when it is not active itself. */
static unsigned int olia_paths(const struct xmp_tcp_sock *sk,
			       const struct xmp_tcp_sock *m[XMP_CC_GROUP_MAX])
{
	unsigned int n = xmp_cc_group_active(sk, m);

	if (!n) {
		m[0] = sk;
		n = 1;
	}
	return n;
}

void xmp_cc_olia_alpha(const struct xmp_tcp_sock *sk, int *num, unsigned int *den)
{
	const struct xmp_tcp_sock *m[XMP_CC_GROUP_MAX];
	unsigned int n = olia_paths(sk, m);

	olia_alpha(m, n, sk, num, den);
}

static __u64 div_round(xmp_cc_u128 x, xmp_cc_u128 y)
{
	xmp_cc_u128 q = (x + y / 2) / y;

	/* Far beyond any real step; keeps the accumulator from overflowing. */
	return q > (1ULL << 62) ? 1ULL << 62 : (__u64)q;
}

/* Window change for `acked` bytes, in 1/65536 bytes (formula above). */
static __s64 olia_delta(const struct xmp_tcp_sock *sk, const struct xmp_tcp_sock *const *m,
			unsigned int n, __u32 acked)
{
	xmp_cc_u128 e = 0, scaled = (xmp_cc_u128)acked * sk->mss << OLIA_FRAC_SHIFT;
	unsigned int k, den;
	__s64 d;
	int num;

	for (k = 0; k < n; k++)
		e += (xmp_cc_u128)m[k]->cwnd * xmp_cc_rtt(sk) / xmp_cc_rtt(m[k]);
	if (!e || !sk->cwnd)
		return 0;
	d = (__s64)div_round(scaled * sk->cwnd, e * e);
	olia_alpha(m, n, sk, &num, &den);
	if (num > 0)
		d += (__s64)div_round(scaled, (xmp_cc_u128)den * sk->cwnd);
	else if (num < 0)
		d -= (__s64)div_round(scaled, (xmp_cc_u128)den * sk->cwnd);
	return d;
}

/*
 * A lone path: the formula is then exactly Reno's (E = W_r, alpha_r = 0),
 * so count bytes as Reno does (cc_reno.c) and step on the very same ACKs,
 * whatever the fraction rounding would make of windows that are not whole
 * segments after a halving.
 */
static void olia_reno_ack(struct xmp_tcp_sock *sk, __u32 acked)
{
	struct olia *o = olia(sk);

	o->acc = 0;
	xmp_cc_ca_step(sk, &o->reno_bytes, acked, sk->cwnd);
}

static void olia_on_ack(struct xmp_tcp_sock *sk, __u32 acked, __u64 now_us)
{
	const struct xmp_tcp_sock *m[XMP_CC_GROUP_MAX];
	struct olia *o = olia(sk);
	unsigned int n;
	__s64 unit = (__s64)sk->mss << OLIA_FRAC_SHIFT;
	/* Absorbs the per-ACK rounding when the exact sum lands right on a
	 * step (a 1/1024 MSS head start, as the out-of-tree Linux OLIA). */
	__s64 slack = unit >> 10;

	(void)now_us;
	olia_fold(sk);
	if (sk->cwnd < sk->ssthresh) {
		xmp_cc_slow_start(sk, acked);
		return;
	}
	n = olia_paths(sk, m);
	if (n == 1) {
		olia_reno_ack(sk, acked);
		return;
	}
	o->reno_bytes = 0;
	o->acc += olia_delta(sk, m, n, acked);
	while (o->acc >= unit - slack) {
		o->acc -= unit;
		sk->cwnd += sk->mss;
	}
	while (o->acc <= -unit + slack) {
		/* Two segments keep the ACK clock going despite delayed ACKs;
		 * below that the negative alpha is simply dropped. */
		if (sk->cwnd < 3 * sk->mss) {
			o->acc = 0;
			break;
		}
		o->acc += unit;
		sk->cwnd -= sk->mss;
		/* A window handed to a better path is not a reason to slow
		 * start again: stay in congestion avoidance. */
		if (sk->cwnd < sk->ssthresh)
			sk->ssthresh = sk->cwnd;
	}
}

/*
 * A loss closes the current inter-loss interval (l2 becomes l1). A loss
 * with nothing acknowledged since the previous one (another RTO of the
 * same episode) belongs to the same congestion event and changes nothing.
 */
static void olia_cwnd_event(struct xmp_tcp_sock *sk, enum xmp_cc_event ev, __u64 now_us)
{
	struct olia *o = olia(sk);
	__u64 l2;

	(void)now_us;
	o->acc = 0;
	o->reno_bytes = 0;
	if (ev == XMP_CC_EV_RECOVERY_END)
		return;
	l2 = olia_l2(sk);
	if (!l2)
		return;
	o->l1 = l2;
	o->l2_folded = 0;
	o->loss_seq = sk->snd_una;
}

struct xmp_cc_ops xmp_cc_olia = {
	.name = "olia",
	.init = olia_init,
	.on_ack = olia_on_ack,
	.ssthresh = xmp_cc_reno_ssthresh,
	.cwnd_event = olia_cwnd_event,
};

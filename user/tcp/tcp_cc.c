// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control registry of the subflow engine. Each algorithm is a
 * struct xmp_cc_ops (cc_reno.c, cc_cubic.c; the coupled LIA/OLIA of
 * cc_lia.c/cc_olia.c are added by xmp_cc_coupled_register(), see
 * cc_coupled.h) found by name at socket creation. The engine calls
 * ssthresh() then cwnd_event() on a loss, on_ack() for new data outside
 * recovery; slow start, recovery inflation and RTO collapse stay in the
 * engine so every algorithm shares them.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp_int.h"

extern struct xmp_cc_ops xmp_cc_reno;
extern struct xmp_cc_ops xmp_cc_cubic;

static struct xmp_cc_ops *cc_list;

static void cc_builtin(void)
{
	if (cc_list)
		return;
	xmp_cc_reno.next = &xmp_cc_cubic;
	xmp_cc_cubic.next = NULL;
	cc_list = &xmp_cc_reno;
}

const struct xmp_cc_ops *xmp_cc_find(const char *name)
{
	struct xmp_cc_ops *o;

	cc_builtin();
	for (o = cc_list; o; o = o->next)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* Adds an algorithm (e.g. coupled LIA from the MPTCP layer). */
int xmp_cc_register(struct xmp_cc_ops *ops)
{
	if (!ops || !ops->name || !ops->on_ack || !ops->ssthresh)
		return -EINVAL;
	if (xmp_cc_find(ops->name))
		return -EEXIST;
	ops->next = cc_list;
	cc_list = ops;
	return 0;
}

/* RFC 6928 initial window; ssthresh starts "arbitrarily high" (RFC 5681 3.1). */
void xmp_tcp_cc_init(struct xmp_tcp_sock *sk)
{
	sk->cwnd = XMP_TCP_INIT_CWND_SEGS * sk->mss;
	sk->ssthresh = UINT32_MAX / 2;
	memset(sk->cc_priv, 0, sizeof(sk->cc_priv));
	if (sk->cc->init)
		sk->cc->init(sk);
}

/*
 * Penalisation of a slow subflow by the layer above (MPTCP opportunistic
 * reinjection, Raiciu et al., NSDI 2012): its window is halved as on a
 * loss, without entering recovery, so it holds less of the shared receive
 * window. ssthresh follows, or slow start would undo it at once.
 */
void xmp_tcp_cwnd_halve(struct xmp_tcp_sock *sk)
{
	__u32 floor = 2 * (__u32)sk->mss;

	sk->cwnd = sk->cwnd / 2 > floor ? sk->cwnd / 2 : floor;
	sk->ssthresh = sk->cwnd;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Built-in scheduler policies, written against the same public ops as a
 * loaded policy (include/xmptcp/sched.h): minrtt (default), rr, redundant,
 * blest. Each only chooses subflows; sched.c validates the picks and clamps
 * the bytes to what each subflow and the connection window allow.
 *
 * All of them follow the backup rule of xmp_sched_use_backups(): backup
 * subflows carry data only when no non-backup subflow is active.
 */
#include <errno.h>

#include <xmptcp/sched.h>

/*
 * Lowest-SRTT subflow of the allowed tier: among usable ones (room for this
 * chunk) when @need_room, else among all active ones. Ties go to the lower
 * index, so decisions are deterministic. -1 when none.
 */
static int lowest_rtt(const struct xmp_sched_view *v, bool need_room)
{
	bool backups = xmp_sched_use_backups(v);
	int best = -1;
	__u32 i;

	for (i = 0; i < v->nr; i++) {
		const struct xmp_sched_subflow *sf = &v->sf[i];

		if (!xmp_sched_sf_eligible(v, i, backups) || !(sf->flags & XMP_SCHED_SF_ACTIVE))
			continue;
		if (need_room && !xmp_sched_sf_usable(v, sf))
			continue;
		if (best < 0 || sf->srtt_us < v->sf[best].srtt_us)
			best = (int)i;
	}
	return best;
}

/* ---- minrtt: the fastest subflow that has room (Linux's default) ---- */

static int minrtt_get(void *priv, const struct xmp_sched_view *v, struct xmp_sched_decision *d)
{
	int i = lowest_rtt(v, true);

	(void)priv;
	if (i < 0)
		return -EAGAIN;
	xmp_sched_pick_add(d, (__u32)i, 0);
	return 0;
}

const struct xmp_sched_ops xmp_sched_minrtt = {
	.abi_version = XMP_SCHED_ABI_VERSION,
	.name = "minrtt",
	.get_subflows = minrtt_get,
};

/* ---- rr: one segment per usable subflow in turn ---- */

struct rr_priv {
	__u32 last_id; /* subflow that had the last turn (ids survive view changes) */
	bool started;
};

static int rr_get(void *priv, const struct xmp_sched_view *v, struct xmp_sched_decision *d)
{
	bool backups = xmp_sched_use_backups(v);
	struct rr_priv *rr = priv;
	__u32 pos = v->nr ? v->nr - 1 : 0, k;

	/* Resume after the last subflow served; if it is gone, start over. */
	for (k = 0; rr->started && k < v->nr; k++)
		if (v->sf[k].id == rr->last_id)
			pos = k;
	for (k = 1; k <= v->nr; k++) {
		__u32 i = (pos + k) % v->nr;

		if (!xmp_sched_sf_eligible(v, i, backups) || !xmp_sched_sf_usable(v, &v->sf[i]))
			continue;
		/* One full segment per turn, as the out-of-tree Linux
		 * roundrobin's default: the paths share the data evenly. */
		xmp_sched_pick_add(d, i, v->sf[i].mss);
		rr->last_id = v->sf[i].id;
		rr->started = true;
		return 0;
	}
	return -EAGAIN;
}

const struct xmp_sched_ops xmp_sched_rr = {
	.abi_version = XMP_SCHED_ABI_VERSION,
	.priv_size = sizeof(struct rr_priv),
	.name = "rr",
	.get_subflows = rr_get,
};

/* ---- redundant: the same chunk on every usable subflow ---- */

static int redundant_get(void *priv, const struct xmp_sched_view *v,
			 struct xmp_sched_decision *d)
{
	bool backups = xmp_sched_use_backups(v);
	__u32 i;

	(void)priv;
	for (i = 0; i < v->nr; i++)
		if (xmp_sched_sf_eligible(v, i, backups) && xmp_sched_sf_usable(v, &v->sf[i]))
			xmp_sched_pick_add(d, i, 0);
	return d->nr ? 0 : -EAGAIN;
}

const struct xmp_sched_ops xmp_sched_redundant = {
	.abi_version = XMP_SCHED_ABI_VERSION,
	.name = "redundant",
	.get_subflows = redundant_get,
};

/*
 * ---- blest: BLocking ESTimation ----
 *
 * The idea of Ferlin, Alay, Mehani and Boreli, "BLEST: Blocking
 * Estimation-based MPTCP Scheduler for Heterogeneous Networks" (IFIP
 * Networking 2016): when the fastest subflow has no cwnd room and a slower
 * one has, data put on the slow subflow occupies the connection-level send
 * window for one slow RTT. If, during that RTT, the fast subflow could send
 * more than the window has left, the slow segment would block the fast path
 * (head-of-line blocking at the receiver); better wait for the fast one.
 *
 * Estimate, with r = srtt_slow / srtt_fast and the fast cwnd growing by one
 * MSS per fast RTT (congestion avoidance):
 *	X = (cwnd_fast + mss_fast * (r - 1) / 2) * r	bytes in one slow RTT
 * and decline the slow subflow when
 *	lambda * X > snd_wnd - (in_flight_slow + mss_slow).
 * lambda corrects the estimate per connection: it grows by 0.1 whenever the
 * controller reports the window blocked behind a slow subflow anyway
 * (XMP_SCHED_WND_BLOCKED) and shrinks by 0.1 per slow RTT without such a
 * report, never below 1.0 (the plain estimate) nor above 4.0.
 * Simplifications: lambda's bounds and steps are ours; reinjections go to the
 * fastest usable subflow as in minrtt (they are inside the window already).
 */

#define BLEST_LAMBDA_ONE  1000u /* lambda in thousandths */
#define BLEST_LAMBDA_STEP 100u
#define BLEST_LAMBDA_MAX  4000u
#define BLEST_RATIO_ONE	  1024u
#define BLEST_RATIO_MAX	  (1024u * BLEST_RATIO_ONE) /* beyond, the slow path is useless */

struct blest_priv {
	__u32 lambda;
	__u64 last_adjust_us;
};

static int blest_init(void *priv)
{
	struct blest_priv *b = priv;

	b->lambda = BLEST_LAMBDA_ONE;
	return 0;
}

/* Bytes the fast subflow could send during one RTT of the slow one. */
static __u64 blest_fast_bytes(const struct xmp_sched_subflow *fast,
			      const struct xmp_sched_subflow *slow)
{
	__u64 r = ((__u64)slow->srtt_us * BLEST_RATIO_ONE) / fast->srtt_us;
	__u64 growth;

	if (r < BLEST_RATIO_ONE)
		r = BLEST_RATIO_ONE;
	if (r > BLEST_RATIO_MAX)
		r = BLEST_RATIO_MAX;
	growth = (__u64)fast->mss * (r - BLEST_RATIO_ONE) / (2 * BLEST_RATIO_ONE);
	return ((__u64)fast->cwnd + growth) * r / BLEST_RATIO_ONE;
}

static void blest_adapt(struct blest_priv *b, const struct xmp_sched_view *v, __u32 slow_rtt_us)
{
	if (v->flags & XMP_SCHED_WND_BLOCKED) {
		b->lambda += BLEST_LAMBDA_STEP;
		if (b->lambda > BLEST_LAMBDA_MAX)
			b->lambda = BLEST_LAMBDA_MAX;
		b->last_adjust_us = v->now_us;
	} else if (v->now_us - b->last_adjust_us >= slow_rtt_us) {
		if (b->lambda >= BLEST_LAMBDA_ONE + BLEST_LAMBDA_STEP)
			b->lambda -= BLEST_LAMBDA_STEP;
		else
			b->lambda = BLEST_LAMBDA_ONE;
		b->last_adjust_us = v->now_us;
	}
}

static int blest_get(void *priv, const struct xmp_sched_view *v, struct xmp_sched_decision *d)
{
	const struct xmp_sched_subflow *fast, *slow;
	struct blest_priv *b = priv;
	int best = lowest_rtt(v, true), fi = lowest_rtt(v, false);
	__u64 need, avail, used;

	if (best < 0)
		return -EAGAIN;
	fast = &v->sf[fi];
	slow = &v->sf[best];
	/* Only a block report is recorded on the fast path: the decay below is
	 * measured in slow RTTs. */
	if (best == fi || (v->flags & XMP_SCHED_REINJECT) || !fast->srtt_us) {
		if (v->flags & XMP_SCHED_WND_BLOCKED)
			blest_adapt(b, v, slow->srtt_us);
		goto pick;
	}
	blest_adapt(b, v, slow->srtt_us);
	need = blest_fast_bytes(fast, slow) * b->lambda / BLEST_LAMBDA_ONE;
	used = (__u64)slow->in_flight + slow->mss;
	avail = v->snd_wnd > used ? v->snd_wnd - used : 0;
	if (need > avail)
		return -EAGAIN; /* wait for the fast subflow's cwnd to open */
pick:
	xmp_sched_pick_add(d, (__u32)best, 0);
	return 0;
}

const struct xmp_sched_ops xmp_sched_blest = {
	.abi_version = XMP_SCHED_ABI_VERSION,
	.priv_size = sizeof(struct blest_priv),
	.name = "blest",
	.init = blest_init,
	.get_subflows = blest_get,
};

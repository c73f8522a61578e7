// SPDX-License-Identifier: GPL-2.0
/*
 * Example scheduler policy, built as a shared object and loaded at run time
 * (`xmptcp sched load build/tests/sched/example_policy.so`; test_sched
 * loads it with xmp_sched_load()). It is the template for writing one:
 * include <xmptcp/sched.h> only, fill a struct xmp_sched_ops, export it
 * with XMP_SCHED_POLICY(), build with -fPIC -shared.
 *
 * Policy "maxroom": send on the subflow with the most free cwnd room (ties:
 * the lower SRTT, then the lower index), whatever its RTT, following the
 * backup rule. It spreads data by capacity left rather than by delay; its
 * per-connection state counts the decisions it made.
 *
 * EXAMPLE_ABI_VERSION lets the build produce a copy that claims another ABI,
 * which the loader must refuse; the real template leaves it alone.
 */
#include <errno.h>

#include <xmptcp/sched.h>

#ifndef EXAMPLE_ABI_VERSION
#define EXAMPLE_ABI_VERSION XMP_SCHED_ABI_VERSION
#endif

#define MAXROOM_MAGIC 0x6d78726du

struct maxroom_priv {
	__u32 magic; /* set by init(): proves the controller passes our state */
	__u64 decisions;
};

/* Lifetime counters, read by the test through dlsym() as a witness that is
 * independent of the controller's own bookkeeping. */
struct example_policy_counters {
	__u64 inits, releases, decisions;
};
__attribute__((visibility("default"))) struct example_policy_counters example_policy_counters;

static int maxroom_init(void *priv)
{
	struct maxroom_priv *m = priv;

	m->magic = MAXROOM_MAGIC;
	example_policy_counters.inits++;
	return 0;
}

static void maxroom_release(void *priv)
{
	struct maxroom_priv *m = priv;

	m->magic = 0;
	example_policy_counters.releases++;
}

/* @a beats @b: more room, then lower RTT. */
static bool better(const struct xmp_sched_subflow *a, const struct xmp_sched_subflow *b)
{
	__u32 ra = xmp_sched_sf_room(a), rb = xmp_sched_sf_room(b);

	if (ra != rb)
		return ra > rb;
	return a->srtt_us < b->srtt_us;
}

static int maxroom_get(void *priv, const struct xmp_sched_view *v, struct xmp_sched_decision *d)
{
	bool backups = xmp_sched_use_backups(v);
	struct maxroom_priv *m = priv;
	int best = -1;
	__u32 i;

	if (m->magic != MAXROOM_MAGIC)
		return -EINVAL;
	for (i = 0; i < v->nr; i++) {
		if (!xmp_sched_sf_eligible(v, i, backups) || !xmp_sched_sf_usable(v, &v->sf[i]))
			continue;
		if (best < 0 || better(&v->sf[i], &v->sf[best]))
			best = (int)i;
	}
	if (best < 0)
		return -EAGAIN;
	m->decisions++;
	example_policy_counters.decisions++;
	xmp_sched_pick_add(d, (__u32)best, 0);
	return 0;
}

static const struct xmp_sched_ops maxroom_ops = {
	.abi_version = EXAMPLE_ABI_VERSION,
	.priv_size = sizeof(struct maxroom_priv),
	.name = "maxroom",
	.init = maxroom_init,
	.release = maxroom_release,
	.get_subflows = maxroom_get,
};

XMP_SCHED_POLICY(maxroom_ops)

// SPDX-License-Identifier: GPL-2.0
/*
 * The connection layer's stack, one per worker: its configuration, the host
 * and its ops, the tables (subflows by tuple, connections by token), the
 * list of connections and what they reserve. Frames the host parsed come in
 * here (xc_input()), and the timers of every connection run from here.
 *
 * Call chain: host -> xc_input -> conntab -> xc_conn_input (pump.c);
 * host -> xc_stack_timers -> xc_conn_timer (close.c) for what is due.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/mib.h"
#include "conn/xc_int.h"

void xc_cfg_default(struct xc_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cc = "lia";
	cfg->msk_sndbuf = XC_MSK_SNDBUF;
	cfg->msk_rcvbuf = XC_MSK_RCVBUF;
	cfg->sf_buf = XC_SF_BUF;
	cfg->reinject = true;
	cfg->pm = XC_PM_FULLMESH;
	cfg->ndiff = 2;
	cfg->max_subflows = 8;
	cfg->max_add_addr = 8;
	cfg->max_conns = XC_MAX_CONNS;
	cfg->max_halfopen = XC_HALFOPEN;
}

int xc_stack_new(struct xc_stack **out, const struct xc_cfg *cfg,
		 const struct xc_host_ops *ops, void *host)
{
	struct xc_stack *st;
	int err;

	*out = NULL;
	if (!ops || !ops->now || !ops->xmit || !ops->app_produce || !ops->app_room ||
	    !ops->app_consume)
		return -EINVAL;
	/* 3.3.8 / RFC 6356: lia and olia, the coupled algorithms */
	err = xmp_cc_coupled_register();
	if (err)
		return err;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->cfg = *cfg;
	st->ops = ops;
	st->host = host;
	st->next_id = 1;
	st->pm.next_id = 1;
	*out = st;
	return 0;
}

void xc_stack_free(struct xc_stack *st)
{
	if (!st)
		return;
	while (st->conns)
		xc_conn_free(st->conns);
	free(st);
}

void xc_stack_set_pm(struct xc_stack *st, const struct xc_cfg *cfg)
{
	st->cfg.max_subflows = cfg->max_subflows;
	st->cfg.max_add_addr = cfg->max_add_addr;
	memcpy(st->cfg.backup_ifindex, cfg->backup_ifindex, sizeof(st->cfg.backup_ifindex));
	st->cfg.nbackup = cfg->nbackup;
}

const struct xc_cfg *xc_stack_cfg(const struct xc_stack *st)
{
	return &st->cfg;
}

struct xc_conn *xc_stack_conns(const struct xc_stack *st)
{
	return st->conns;
}

struct xc_conn *xc_conn_next(const struct xc_conn *c)
{
	return c->next;
}

void xc_stack_link(struct xc_stack *st, struct xc_conn *c)
{
	c->id = st->next_id++;
	c->next = st->conns;
	if (st->conns)
		st->conns->prev = c;
	st->conns = c;
}

void xc_stack_unlink(struct xc_stack *st, struct xc_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (st->conns == c)
		st->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

int xc_input(struct xc_stack *st, const struct xc_path *in, const struct xmp_frame *f)
{
	struct xc_sf *s = xc_conntab_find(&st->tab, f);

	(void)in; /* a subflow keeps the path it was created on */
	if (!s)
		return -ENOENT;
	xc_conn_input(s, f);
	return 0;
}

bool xc_frame_join_syn(const struct xmp_frame *f, struct xmp_mp_opt *mp)
{
	if ((f->seg.flags & (XMP_TH_SYN | XMP_TH_ACK | XMP_TH_RST)) != XMP_TH_SYN)
		return false;
	xmp_mp_decode_at(f->seg.opts, f->seg.optlen, f->opts.mp_at, mp, NULL);
	return mp->suboptions & XMP_MPO_MPJ_SYN;
}

__u64 xc_stack_next_timer(const struct xc_stack *st)
{
	__u64 t = XMP_TCP_NO_TIMER, ct;
	const struct xc_conn *c;

	for (c = st->conns; c; c = c->next) {
		ct = xc_conn_next_timer(c);
		if (ct < t)
			t = ct;
	}
	return t;
}

void xc_stack_timers(struct xc_stack *st)
{
	__u64 now = xc_now(st);
	struct xc_conn *c;

	for (c = st->conns; c; c = c->next)
		if (xc_conn_next_timer(c) <= now)
			xc_conn_timer(c);
}

void xc_stack_mem(const struct xc_stack *st, struct xc_mem_stats *m)
{
	*m = st->mem;
}

void xc_stack_mib(const struct xc_stack *st, __u64 *join, __u64 *addr)
{
	const struct xc_conn *c;
	unsigned int i;

	memcpy(join, st->join_mib, sizeof(st->join_mib));
	memcpy(addr, st->addr_mib, sizeof(st->addr_mib));
	for (c = st->conns; c; c = c->next) {
		for (i = 0; i < c->nsf; i++)
			if (c->sfs[i]->join)
				xmp_mib_add(XMP_MIB_JOIN, join, c->sfs[i]->jn.mib);
		if (c->pm.ac_ready)
			xmp_mib_add(XMP_MIB_ADDR, addr, c->pm.ac.mib);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The path manager: which subflows a connection has.
 *
 *  - fullmesh: the client opens a subflow (MP_JOIN, RFC 8684 3.2) for every
 *    pair of a local address of our interfaces and a remote address it
 *    knows (the one it connected to, id 0, and those the peer announced
 *    with ADD_ADDR), same family, up to max_subflows joins; the server
 *    announces the addresses of its other interfaces.
 *  - ndiffports N: N subflows on the initial address pair, different
 *    source ports (the datacenter case: ECMP spreads them).
 *  - none: the initial subflow only.
 * A pair whose subflow failed is tried again after a backoff (1 s doubling
 * to 8 s); a link that goes down ends the subflows over it at once (their
 * data is reinjected on the others, conn.c) and one that comes back up
 * makes every connection look for its missing pairs again: handover.
 *
 * Local addresses and links come from the host (the daemon reads them from
 * the kernel at start-up and on every rtnetlink event): xc_pm_set_addrs(),
 * xc_pm_addrs_changed(), xc_pm_link_event(); their ids are stable while
 * they exist. Address signalling (ADD_ADDR with its HMAC, echo and
 * retransmission, REMOVE_ADDR, MP_PRIO) is mptcp/addr.c's; this file
 * decides what to announce and what a received one changes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/mib.h"
#include "io/addr.h"
#include "conn/xc_int.h"

#define XC_PM_POLL_US	  200000  /* look again while pairs are missing */
#define XC_PM_RETRY_US	  1000000 /* first backoff of a failed pair */
#define XC_PM_RETRY_MAX	  8000000
#define XC_PM_SIG_US	  100000  /* at most one forced ACK per signal this often */

static void signal_pending(struct xc_conn *c);
static void announce_all(struct xc_conn *c);

static const struct xc_pm_laddr *laddr_find(const struct xc_pm *pm, const struct xmp_addr *a)
{
	unsigned int i;

	for (i = 0; i < pm->nla; i++)
		if (xmp_addr_eq(&pm->la[i].addr, a))
			return &pm->la[i];
	return NULL;
}

/* Keeps the id of an address seen before: it names the address to the
 * peers of every connection (3.4.1). */
static void laddr_keep(struct xc_pm *pm, struct xc_pm_laddr *next, unsigned int *n,
		       const struct xc_local_addr *a)
{
	const struct xc_pm_laddr *old = laddr_find(pm, &a->addr);

	if (*n == XC_PM_ADDRS)
		return;
	next[*n].addr = a->addr;
	next[*n].ifindex = a->ifindex;
	next[*n].up = a->up;
	next[*n].id = old ? old->id : pm->next_id++;
	if (!next[*n].id) /* wrapped: 0 is the initial subflow's */
		next[*n].id = pm->next_id++;
	(*n)++;
}

void xc_pm_set_addrs(struct xc_stack *st, const struct xc_local_addr *a, unsigned int n)
{
	struct xc_pm_laddr next[XC_PM_ADDRS];
	unsigned int k, nn = 0;

	for (k = 0; k < n; k++)
		laddr_keep(&st->pm, next, &nn, &a[k]);
	memcpy(st->pm.la, next, nn * sizeof(next[0]));
	st->pm.nla = nn;
	for (k = 0; k < nn; k++) {
		char s[64];

		pr_debug("xmptcpd: local address id %u %s ifindex %d %s\n", next[k].id,
			 xmp_addr_str(&next[k].addr, s, sizeof(s)), next[k].ifindex,
			 next[k].up ? "up" : "down");
	}
}

int xc_pm_ifindex(const struct xc_stack *st, const struct xmp_addr *a)
{
	const struct xc_pm_laddr *la = laddr_find(&st->pm, a);

	return la ? la->ifindex : 0;
}

__u8 xc_pm_local_id(const struct xc_stack *st, const struct xmp_addr *a)
{
	const struct xc_pm_laddr *la = laddr_find(&st->pm, a);

	return la ? la->id : 0;
}

static bool backup_if(const struct xc_cfg *cfg, int ifindex)
{
	unsigned int i;

	for (i = 0; i < cfg->nbackup; i++)
		if (cfg->backup_ifindex[i] == ifindex)
			return true;
	return false;
}

void xc_pm_conn_init(struct xc_conn *c)
{
	memset(&c->pm, 0, sizeof(c->pm));
	c->pm.next_at = XMP_TCP_NO_TIMER;
}

void xc_pm_conn_start(struct xc_conn *c)
{
	struct xc_pm_conn *p = &c->pm;

	p->ra[0].addr = c->raddr;
	p->ra[0].port = c->rport;
	p->ra[0].id = 0;
	p->nra = 1;
	if (c->role == XMP_SF_CLIENT && c->st->cfg.pm != XC_PM_NONE)
		p->next_at = xc_now(c->st);
}

/* A subflow that is open (or opening) on this address pair. */
static unsigned int pair_count(const struct xc_conn *c, const struct xmp_addr *la,
			       const struct xmp_addr *ra)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nsf; i++) {
		const struct xc_sf *s = c->sfs[i];

		if (!s->dead && xc_sf_open(s) && xmp_addr_eq(&s->laddr, la) &&
		    xmp_addr_eq(&s->raddr, ra))
			n++;
	}
	return n;
}

static unsigned int joins_live(const struct xc_conn *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nsf; i++)
		if (c->sfs[i]->join && !c->sfs[i]->dead && xc_sf_open(c->sfs[i]))
			n++;
	return n;
}

/* Joins may still come, now or once a subflow ends. Not after a fallback
 * (3.7), a DATA_FIN either way or a close: none of them is undone. */
static bool may_join(const struct xc_conn *c)
{
	const struct xmp_msk *msk = xc_conn_msk(c);

	return c->jc_ready && msk && !msk->fallback && msk->state == XMP_MSK_ESTABLISHED &&
	       !c->closing && !c->done;
}

static bool may_open(const struct xc_conn *c)
{
	return may_join(c) && joins_live(c) < c->st->cfg.max_subflows &&
	       xc_conn_live(c) < XC_SF_MAX && c->nsf < XC_SF_SLOTS;
}

/* One join; on failure the pair waits (backoff). true when one started. */
static bool open_pair(struct xc_conn *c, const struct xc_pm_laddr *la,
		      const struct xc_pm_raddr *ra)
{
	struct xc_pm_conn *p = &c->pm;
	int err;

	err = xc_conn_add_subflow(c, &la->addr, &ra->addr, ra->port,
				  backup_if(&c->st->cfg, la->ifindex));
	if (!err)
		return true;
	pr_debug("xmptcpd: connection %llu: join from address id %u failed: %s\n",
		 (unsigned long long)c->id, la->id, strerror(-err));
	p->retry_us = p->retry_us ? p->retry_us * 2 : XC_PM_RETRY_US;
	if (p->retry_us > XC_PM_RETRY_MAX)
		p->retry_us = XC_PM_RETRY_MAX;
	p->next_at = xc_now(c->st) + p->retry_us;
	return false;
}

/* fullmesh: every (up local address) x (remote address) pair of the
 * connection's family. A pair without a route (two networks that do not
 * meet) waits for the backoff without holding up the pairs after it.
 * Returns whether a pair is still missing. */
static bool run_fullmesh(struct xc_conn *c)
{
	const struct xc_pm *pm = &c->st->pm;
	bool v4 = xmp_addr_is_v4(&c->raddr), missing = false;
	unsigned int i, k;

	for (i = 0; i < pm->nla; i++) {
		const struct xc_pm_laddr *la = &pm->la[i];

		if (!la->up || xmp_addr_is_v4(&la->addr) != v4)
			continue;
		for (k = 0; k < c->pm.nra; k++) {
			if (pair_count(c, &la->addr, &c->pm.ra[k].addr))
				continue;
			if (!may_open(c))
				return true;
			open_pair(c, la, &c->pm.ra[k]);
			missing = true; /* look again: it may fail */
		}
	}
	return missing;
}

/* ndiffports: n subflows on the initial pair. */
static bool run_ndiffports(struct xc_conn *c)
{
	int ifindex = xc_pm_ifindex(c->st, &c->laddr);
	struct xc_pm_laddr la = { .addr = c->laddr, .ifindex = ifindex };

	while (pair_count(c, &c->laddr, &c->raddr) < c->st->cfg.ndiff) {
		if (!may_open(c) || !open_pair(c, &la, &c->pm.ra[0]))
			return true;
	}
	return false;
}

void xc_pm_run(struct xc_conn *c)
{
	struct xc_pm_conn *p = &c->pm;
	__u64 now = xc_now(c->st);
	bool missing;

	signal_pending(c);
	if (c->role != XMP_SF_CLIENT || now < p->next_at || !c->jc_ready)
		return;
	p->next_at = XMP_TCP_NO_TIMER;
	switch (c->st->cfg.pm) {
	case XC_PM_FULLMESH:
		missing = run_fullmesh(c);
		break;
	case XC_PM_NDIFFPORTS:
		missing = run_ndiffports(c);
		break;
	default:
		return;
	}
	if (missing && p->next_at == XMP_TCP_NO_TIMER)
		p->next_at = now + XC_PM_POLL_US;
	if (!missing)
		p->retry_us = 0;
}

/* A connection that is over runs the path manager no more (xc_conn_pump):
 * a pair poll or a signal retransmission it had planned must not stay due,
 * or the host's timer fires at once, turn after turn, for the whole of
 * TIME-WAIT (a full core with a hundred such connections). Nor is a pair
 * poll due before joins may start (the keys unknown, or plain TCP): the
 * pump that makes them known runs the path manager itself. Nor once they
 * never may again (may_join()): a client that fell back or sent its
 * DATA_FIN polled five times a second, for nothing, as long as it lived. */
__u64 xc_pm_next_timer(const struct xc_conn *c)
{
	bool polls = c->role == XMP_SF_CLIENT && may_join(c);
	__u64 t = polls ? c->pm.next_at : XMP_TCP_NO_TIMER, a;

	if (c->done)
		return XMP_TCP_NO_TIMER;
	if (c->pm.ac_ready) {
		a = xmp_addr_next_timer(&c->pm.ac);
		if (a < t)
			t = a;
	}
	return t;
}

/* The subflows from local address @a end (it vanished). */
void xc_pm_close_from(struct xc_conn *c, const struct xmp_addr *a)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (s->dead || !xc_sf_open(s) || !xmp_addr_eq(&s->laddr, a) || xc_conn_live(c) <= 1)
			continue;
		s->err = -EADDRNOTAVAIL;
		xmp_tcp_abort(s->sk, -EADDRNOTAVAIL, xc_now(c->st));
		xc_conn_sf_gone(c, s);
	}
}

/* A subflow other than s, not over ifindex, that carries data now. */
static bool other_usable(const struct xc_conn *c, const struct xc_sf *s, int ifindex)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		const struct xc_sf *o = c->sfs[i];

		if (o != s && xc_sf_usable(o) && !(o->path.port && o->path.ifindex == ifindex))
			return true;
	}
	return false;
}

/* A link went down: its subflows end now (reinjection takes their data);
 * up: every connection looks for its missing pairs. */
void xc_pm_link_event(struct xc_stack *st, int ifindex, bool up)
{
	const struct xmp_msk *msk;
	__u64 now = xc_now(st);
	struct xc_conn *c;
	unsigned int i;

	for (i = 0; i < st->pm.nla; i++)
		if (st->pm.la[i].ifindex == ifindex)
			st->pm.la[i].up = up;
	for (c = st->conns; c; c = c->next) {
		if (c->done)
			continue;
		if (up) {
			/* its addresses can be announced (server) or used (client) now */
			c->pm.retry_us = 0;
			if (c->pm.ac_ready)
				announce_all(c);
			if (c->role == XMP_SF_CLIENT && st->cfg.pm != XC_PM_NONE)
				c->pm.next_at = now;
			xc_conn_pump(c);
			continue;
		}
		/* Only when another subflow can take over its data: after a
		 * fallback (3.7) the subflow is the connection, and a join
		 * still in its handshake may never complete; kept, they just
		 * retransmit until the link is back. */
		msk = xc_conn_msk(c);
		for (i = 0; i < c->nsf && !(msk && msk->fallback); i++) {
			struct xc_sf *s = c->sfs[i];

			if (s->path.port && s->path.ifindex == ifindex && !s->dead && xc_sf_open(s) &&
			    other_usable(c, s, ifindex)) {
				s->err = -ENETDOWN;
				xmp_tcp_abort(s->sk, -ENETDOWN, now);
				xc_conn_sf_gone(c, s);
			}
		}
		xc_conn_pump(c);
	}
}

/* ---- address signalling (3.4) ---- */

static __u8 addr_family(const struct xmp_addr *a)
{
	return xmp_addr_is_v4(a) ? 4 : 6;
}

static const __u8 *addr_bytes(const struct xmp_addr *a)
{
	return xmp_addr_is_v4(a) ? a->a + 12 : a->a;
}

static void addr_from_remote(struct xmp_addr *out, const struct xmp_addr_remote *r)
{
	if (r->family == 4) {
		__be32 v4;

		memcpy(&v4, r->addr, 4);
		xmp_addr_from_v4(out, v4);
	} else {
		memcpy(out->a, r->addr, 16);
	}
}

/* Server, fullmesh: the addresses of our other interfaces, of the
 * connection's family, so the client can open subflows to them. */
static void announce_all(struct xc_conn *c)
{
	const struct xc_pm *pm = &c->st->pm;
	bool v4 = xmp_addr_is_v4(&c->laddr);
	unsigned int i;

	if (c->role != XMP_SF_SERVER || c->st->cfg.pm != XC_PM_FULLMESH)
		return;
	for (i = 0; i < pm->nla; i++) {
		const struct xc_pm_laddr *la = &pm->la[i];

		if (!la->up || xmp_addr_is_v4(&la->addr) != v4 || xmp_addr_eq(&la->addr, &c->laddr))
			continue;
		if (xmp_addr_local_find(&c->pm.ac, la->id))
			continue;
		pr_debug("xmptcpd: connection %llu: announcing address id %u\n",
			 (unsigned long long)c->id, la->id);
		xmp_addr_announce(&c->pm.ac, la->id, addr_family(&la->addr), addr_bytes(&la->addr),
				  0);
	}
}

void xc_pm_conn_ready(struct xc_conn *c)
{
	struct xmp_addr_cfg cfg;

	xmp_addr_cfg_default(&cfg);
	cfg.max_accepted = c->st->cfg.max_add_addr;
	if (xmp_addr_conn_init(&c->pm.ac, xc_conn_msk(c), &cfg))
		return;
	c->pm.ac_ready = true;
	announce_all(c);
}

void xc_pm_conn_free(struct xc_conn *c)
{
	if (c->pm.ac_ready)
		xmp_mib_add(XMP_MIB_ADDR, c->st->addr_mib, c->pm.ac.mib);
}

/* Bytes the options built so far take on the wire. */
static unsigned int opts_len(const struct xmp_mp_opt *mp)
{
	__u8 scratch[XMP_TCP_MAX_OPTLEN];
	int n = xmp_mp_write(scratch, sizeof(scratch), mp);

	return n > 0 ? (unsigned int)n : 0;
}

void xc_pm_add_options(struct xc_sf *s, const struct xmp_seg *seg, struct xmp_mp_opt *mp,
		       unsigned int space)
{
	struct xc_conn *c = s->c;
	unsigned int used;

	if (!c->pm.ac_ready || (seg->flags & (XMP_TH_SYN | XMP_TH_RST)) || !xc_sf_usable(s) ||
	    !xmp_addr_pending(&c->pm.ac))
		return;
	used = opts_len(mp);
	if (used < space && xmp_addr_build(&c->pm.ac, xc_now(c->st), space - used, mp) > 0)
		return;
	/* It does not fit beside the DSS: an IPv6 ADD_ADDR with its HMAC
	 * takes 28 bytes, all the timestamps leave. A pure ACK then carries
	 * the signal alone, its DATA_ACK dropped (as Linux's
	 * drop_other_suboptions): the next segment acks again, and an MPTCP
	 * option on it still proves the options get through (3.7). */
	if (seg->len || (seg->flags & XMP_TH_FIN) || mp->suboptions != XMP_MPO_DSS ||
	    mp->dss.use_map || mp->dss.data_fin)
		return;
	mp->suboptions = 0;
	if (xmp_addr_build(&c->pm.ac, xc_now(c->st), space, mp) <= 0)
		mp->suboptions = XMP_MPO_DSS;
}

void xc_pm_options_sent(struct xc_sf *s, const struct xmp_mp_opt *mp)
{
	struct xc_conn *c = s->c;

	if (c->pm.ac_ready && (mp->suboptions & (XMP_MPO_ADD_ADDR | XMP_MPO_RM_ADDR)))
		xmp_addr_sent(&c->pm.ac, xc_now(c->st), mp);
}

static void raddr_drop(struct xc_conn *c, const struct xmp_addr *a)
{
	struct xc_pm_conn *p = &c->pm;
	unsigned int i;

	for (i = 1; i < p->nra; i++) {
		if (xmp_addr_eq(&p->ra[i].addr, a)) {
			p->ra[i] = p->ra[--p->nra];
			return;
		}
	}
}

/* 3.4.2: the subflows to a removed address (or address id) close. */
static void close_to(struct xc_conn *c, const struct xmp_addr *a, int id)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];
		int rid = s->join ? s->jn.remote_id : 0;

		if (s->dead || !xc_sf_open(s) || xc_conn_live(c) <= 1)
			continue;
		if ((a && xmp_addr_eq(&s->raddr, a)) || (id >= 0 && rid == id)) {
			s->err = -EADDRNOTAVAIL;
			xmp_tcp_abort(s->sk, -EADDRNOTAVAIL, xc_now(c->st));
			xc_conn_sf_gone(c, s);
		}
	}
}

static void rcv_events(struct xc_conn *c, const struct xmp_addr_events *ev)
{
	struct xc_pm_conn *p = &c->pm;
	struct xmp_addr a;
	unsigned int i;

	for (i = 0; i < ev->nr_removed; i++) {
		addr_from_remote(&a, &ev->removed[i]);
		raddr_drop(c, &a);
		close_to(c, &a, -1);
	}
	for (i = 0; i < ev->nr_rm_ids; i++)
		close_to(c, NULL, ev->rm_ids[i]);
	for (i = 0; i < ev->nr_added && p->nra < XC_PM_ADDRS; i++) {
		addr_from_remote(&a, &ev->added[i]);
		raddr_drop(c, &a);
		p->ra[p->nra].addr = a;
		p->ra[p->nra].port = ev->added[i].port ? ev->added[i].port : c->rport;
		p->ra[p->nra].id = ev->added[i].id;
		p->nra++;
		if (c->role == XMP_SF_CLIENT && c->st->cfg.pm == XC_PM_FULLMESH)
			p->next_at = xc_now(c->st);
	}
}

void xc_pm_rcv_options(struct xc_sf *s, const struct xmp_mp_opt *mp)
{
	struct xc_conn *c = s->c;
	struct xmp_addr_events ev;

	if (mp->suboptions & XMP_MPO_PRIO)
		s->peer_backup = mp->prio.backup; /* 3.3.8: for this subflow */
	if (!c->pm.ac_ready || !(mp->suboptions & (XMP_MPO_ADD_ADDR | XMP_MPO_RM_ADDR)))
		return;
	if (xmp_addr_rcv(&c->pm.ac, mp, &ev))
		return;
	rcv_events(c, &ev);
	if (ev.send_ack)
		s->ack_due = true; /* the echo rides on it */
}

/* A signal waits (announcement, echo, retransmission): an ACK carries it,
 * at most every XC_PM_SIG_US so a signal that does not fit (SACK blocks)
 * cannot turn into an ACK storm. */
static void signal_pending(struct xc_conn *c)
{
	struct xc_pm_conn *p = &c->pm;
	struct xc_sf *s;

	if (!p->ac_ready || xc_now(c->st) < p->sig_at)
		return;
	xmp_addr_timer(&p->ac, xc_now(c->st));
	if (!xmp_addr_pending(&p->ac))
		return;
	s = xc_conn_signal_sf(c);
	if (!s)
		return;
	p->sig_at = xc_now(c->st) + XC_PM_SIG_US;
	xc_sf_force_ack(s);
}

/* Local addresses changed: announce the new ones, withdraw the ones gone
 * (3.4.2) and close the subflows that used them. */
void xc_pm_addrs_changed(struct xc_stack *st, const struct xc_local_addr *a, unsigned int n)
{
	struct xc_pm_laddr old[XC_PM_ADDRS];
	unsigned int nold = st->pm.nla, i;
	__u64 now = xc_now(st);
	struct xc_conn *c;

	memcpy(old, st->pm.la, sizeof(old));
	xc_pm_set_addrs(st, a, n);
	for (c = st->conns; c; c = c->next) {
		if (c->done || !c->pm.ac_ready)
			continue;
		for (i = 0; i < nold; i++) {
			if (xc_pm_ifindex(st, &old[i].addr))
				continue;
			if (xmp_addr_local_find(&c->pm.ac, old[i].id))
				xmp_addr_withdraw(&c->pm.ac, old[i].id);
			xc_pm_close_from(c, &old[i].addr);
		}
		announce_all(c);
		if (c->role == XMP_SF_CLIENT && st->cfg.pm != XC_PM_NONE)
			c->pm.next_at = now;
		xc_conn_pump(c);
	}
}

void xc_pm_report(const struct xc_conn *c, FILE *f)
{
	fprintf(f, "\"remote_addrs\":%u,", c->pm.nra);
	if (c->pm.ac_ready && xmp_mib_json(f, XMP_MIB_ADDR, c->pm.ac.mib, false))
		fprintf(f, ",");
}

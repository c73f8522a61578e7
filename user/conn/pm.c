// SPDX-License-Identifier: GPL-2.0
/*
 * The path manager of xmptcpd: which subflows a connection has.
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
 * data is reinjected on the others, mpconn.c) and one that comes back up
 * makes every connection look for its missing pairs again: handover.
 *
 * Local addresses are read from the kernel (io/ifaddr.h) at start-up and
 * on every address event (io/nlmon.h); their ids are stable while they
 * exist. Address signalling (ADD_ADDR with its HMAC, echo and
 * retransmission, REMOVE_ADDR, MP_PRIO) is mptcp/addr.c's; this file
 * decides what to announce and what a received one changes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "common/log.h"
#include "io/addr.h"
#include "io/ifaddr.h"
#include "app/xmptcpd.h"

#define XD_PM_POLL_US	  200000  /* look again while pairs are missing */
#define XD_PM_RETRY_US	  1000000 /* first backoff of a failed pair */
#define XD_PM_RETRY_MAX	  8000000
#define XD_PM_SIG_US	  100000  /* at most one forced ACK per signal this often */

static void signal_pending(struct xd_conn *c);
static void announce_all(struct xd_conn *c);

void xd_pm_init(struct xd_pm *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->mode = XD_PM_FULLMESH;
	pm->ndiff = 2;
	pm->max_subflows = 8;
	pm->max_add_addr = 8;
	pm->next_id = 1;
}

/* Carrier and admin state of an interface (IFF_UP and IFF_RUNNING). */
static bool link_up(const char *ifname)
{
	struct ifreq ifr = {};
	bool up = false;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true; /* cannot tell: let the subflow find out */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
		up = (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	close(fd);
	return up;
}

static const struct xd_pm_laddr *laddr_find(const struct xd_pm *pm, const struct xmp_addr *a)
{
	unsigned int i;

	for (i = 0; i < pm->nla; i++)
		if (xmp_addr_eq(&pm->la[i].addr, a))
			return &pm->la[i];
	return NULL;
}

/* Keeps the id of an address seen before: it names the address to the
 * peers of every connection (3.4.1). */
static void laddr_keep(struct xd_pm *pm, struct xd_pm_laddr *next, unsigned int *n,
		       const struct xmp_addr *a, int ifindex, bool up)
{
	const struct xd_pm_laddr *old = laddr_find(pm, a);

	if (*n == XD_PM_ADDRS)
		return;
	next[*n].addr = *a;
	next[*n].ifindex = ifindex;
	next[*n].up = up;
	next[*n].id = old ? old->id : pm->next_id++;
	if (!next[*n].id) /* wrapped: 0 is the initial subflow's */
		next[*n].id = pm->next_id++;
	(*n)++;
}

int xd_pm_scan(struct xd_loop *l)
{
	struct xd_pm_laddr next[XD_PM_ADDRS];
	struct xmp_addr a[XD_PM_ADDRS];
	unsigned int n = 0, p;
	int k, na;

	for (p = 0; p < l->nports; p++) {
		const struct xd_port *port = &l->port[p];
		bool up = link_up(port->ifname);

		na = xmp_ifaddr_list(port->ifindex, a, XD_PM_ADDRS);
		if (na < 0)
			return na;
		for (k = 0; k < na && k < XD_PM_ADDRS; k++)
			laddr_keep(&l->pm, next, &n, &a[k], port->ifindex, up);
	}
	memcpy(l->pm.la, next, n * sizeof(next[0]));
	l->pm.nla = n;
	for (p = 0; p < n; p++) {
		char a[64];

		pr_debug("xmptcpd: local address id %u %s ifindex %d %s\n", next[p].id,
			 xmp_addr_str(&next[p].addr, a, sizeof(a)), next[p].ifindex,
			 next[p].up ? "up" : "down");
	}
	return 0;
}

int xd_pm_ifindex(const struct xd_loop *l, const struct xmp_addr *a)
{
	const struct xd_pm_laddr *la = laddr_find(&l->pm, a);

	return la ? la->ifindex : 0;
}

__u8 xd_pm_local_id(const struct xd_loop *l, const struct xmp_addr *a)
{
	const struct xd_pm_laddr *la = laddr_find(&l->pm, a);

	return la ? la->id : 0;
}

static bool backup_if(const struct xd_pm *pm, int ifindex)
{
	unsigned int i;

	for (i = 0; i < pm->nbackup; i++)
		if (pm->backup_ifindex[i] == ifindex)
			return true;
	return false;
}

void xd_pm_conn_init(struct xd_conn *c)
{
	memset(&c->pm, 0, sizeof(c->pm));
	c->pm.next_at = XMP_TCP_NO_TIMER;
}

void xd_pm_conn_start(struct xd_conn *c)
{
	struct xd_pm_conn *p = &c->pm;

	p->ra[0].addr = c->raddr;
	p->ra[0].port = c->rport;
	p->ra[0].id = 0;
	p->nra = 1;
	if (c->role == XMP_SF_CLIENT && c->loop->pm.mode != XD_PM_NONE)
		p->next_at = c->loop->now;
}

/* A subflow that is open (or opening) on this address pair. */
static unsigned int pair_count(const struct xd_conn *c, const struct xmp_addr *la,
			       const struct xmp_addr *ra)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nsf; i++) {
		const struct xd_sf *s = c->sfs[i];

		if (!s->dead && xd_sf_open(s) && xmp_addr_eq(&s->laddr, la) &&
		    xmp_addr_eq(&s->raddr, ra))
			n++;
	}
	return n;
}

static unsigned int joins_live(const struct xd_conn *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nsf; i++)
		if (c->sfs[i]->join && !c->sfs[i]->dead && xd_sf_open(c->sfs[i]))
			n++;
	return n;
}

static bool may_open(const struct xd_conn *c)
{
	const struct xmp_msk *msk = xd_conn_msk(c);

	return c->jc_ready && msk && !msk->fallback && msk->state == XMP_MSK_ESTABLISHED &&
	       !c->closing && !c->done && joins_live(c) < c->loop->pm.max_subflows &&
	       xd_conn_live(c) < XD_SF_MAX && c->nsf < XD_SF_SLOTS;
}

/* One join; on failure the pair waits (backoff). true when one started. */
static bool open_pair(struct xd_conn *c, const struct xd_pm_laddr *la,
		      const struct xd_pm_raddr *ra)
{
	struct xd_pm_conn *p = &c->pm;
	int err;

	err = xd_conn_add_subflow(c, &la->addr, &ra->addr, ra->port,
				  backup_if(&c->loop->pm, la->ifindex));
	if (!err)
		return true;
	pr_debug("xmptcpd: connection %llu: join from address id %u failed: %s\n",
		 (unsigned long long)c->id, la->id, strerror(-err));
	p->retry_us = p->retry_us ? p->retry_us * 2 : XD_PM_RETRY_US;
	if (p->retry_us > XD_PM_RETRY_MAX)
		p->retry_us = XD_PM_RETRY_MAX;
	p->next_at = c->loop->now + p->retry_us;
	return false;
}

/* fullmesh: every (up local address) x (remote address) pair of the
 * connection's family. Returns whether a pair is still missing. */
static bool run_fullmesh(struct xd_conn *c)
{
	const struct xd_pm *pm = &c->loop->pm;
	bool v4 = xmp_addr_is_v4(&c->raddr), missing = false;
	unsigned int i, k;

	for (i = 0; i < pm->nla; i++) {
		const struct xd_pm_laddr *la = &pm->la[i];

		if (!la->up || xmp_addr_is_v4(&la->addr) != v4)
			continue;
		for (k = 0; k < c->pm.nra; k++) {
			if (pair_count(c, &la->addr, &c->pm.ra[k].addr))
				continue;
			if (!may_open(c) || !open_pair(c, la, &c->pm.ra[k]))
				return true;
			missing = true; /* look again: it may fail */
		}
	}
	return missing;
}

/* ndiffports: n subflows on the initial pair. */
static bool run_ndiffports(struct xd_conn *c)
{
	const struct xd_pm *pm = &c->loop->pm;
	int ifindex = xd_pm_ifindex(c->loop, &c->laddr);
	struct xd_pm_laddr la = { .addr = c->laddr, .ifindex = ifindex };

	while (pair_count(c, &c->laddr, &c->raddr) < pm->ndiff) {
		if (!may_open(c) || !open_pair(c, &la, &c->pm.ra[0]))
			return true;
	}
	return false;
}

void xd_pm_run(struct xd_conn *c)
{
	struct xd_pm_conn *p = &c->pm;
	__u64 now = c->loop->now;
	bool missing;

	signal_pending(c);
	if (c->role != XMP_SF_CLIENT || now < p->next_at || !c->jc_ready)
		return;
	p->next_at = XMP_TCP_NO_TIMER;
	switch (c->loop->pm.mode) {
	case XD_PM_FULLMESH:
		missing = run_fullmesh(c);
		break;
	case XD_PM_NDIFFPORTS:
		missing = run_ndiffports(c);
		break;
	default:
		return;
	}
	if (missing && p->next_at == XMP_TCP_NO_TIMER)
		p->next_at = now + XD_PM_POLL_US;
	if (!missing)
		p->retry_us = 0;
}

/* A connection that is over runs the path manager no more (xd_conn_pump):
 * a pair poll or a signal retransmission it had planned must not stay due,
 * or the loop's timer fires at once, turn after turn, for the whole of
 * TIME-WAIT (a full core with a hundred such connections). */
__u64 xd_pm_next_timer(const struct xd_conn *c)
{
	__u64 t = c->role == XMP_SF_CLIENT ? c->pm.next_at : XMP_TCP_NO_TIMER, a;

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
void xd_pm_close_from(struct xd_conn *c, const struct xmp_addr *a)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (s->dead || !xd_sf_open(s) || !xmp_addr_eq(&s->laddr, a) || xd_conn_live(c) <= 1)
			continue;
		s->err = -EADDRNOTAVAIL;
		xmp_tcp_abort(s->sk, -EADDRNOTAVAIL, c->loop->now);
		xd_conn_sf_gone(c, s);
	}
}

/* A subflow other than s, not over ifindex, that carries data now. */
static bool other_usable(const struct xd_conn *c, const struct xd_sf *s, int ifindex)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		const struct xd_sf *o = c->sfs[i];

		if (o != s && xd_sf_usable(o) && !(o->ifp && o->ifp->ifindex == ifindex))
			return true;
	}
	return false;
}

/* A link went down: its subflows end now (reinjection takes their data);
 * up: every connection looks for its missing pairs. */
void xd_pm_link_event(struct xd_loop *l, int ifindex, bool up)
{
	const struct xmp_msk *msk;
	struct xd_conn *c;
	unsigned int i;

	for (i = 0; i < l->pm.nla; i++)
		if (l->pm.la[i].ifindex == ifindex)
			l->pm.la[i].up = up;
	for (c = l->conns; c; c = c->next) {
		if (c->done)
			continue;
		if (up) {
			/* its addresses can be announced (server) or used (client) now */
			c->pm.retry_us = 0;
			if (c->pm.ac_ready)
				announce_all(c);
			if (c->role == XMP_SF_CLIENT && l->pm.mode != XD_PM_NONE)
				c->pm.next_at = l->now;
			xd_conn_pump(c);
			continue;
		}
		/* Only when another subflow can take over its data: after a
		 * fallback (3.7) the subflow is the connection, and a join
		 * still in its handshake may never complete; kept, they just
		 * retransmit until the link is back. */
		msk = xd_conn_msk(c);
		for (i = 0; i < c->nsf && !(msk && msk->fallback); i++) {
			struct xd_sf *s = c->sfs[i];

			if (s->ifp && s->ifp->ifindex == ifindex && !s->dead && xd_sf_open(s) &&
			    other_usable(c, s, ifindex)) {
				s->err = -ENETDOWN;
				xmp_tcp_abort(s->sk, -ENETDOWN, l->now);
				xd_conn_sf_gone(c, s);
			}
		}
		xd_conn_pump(c);
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
static void announce_all(struct xd_conn *c)
{
	const struct xd_pm *pm = &c->loop->pm;
	bool v4 = xmp_addr_is_v4(&c->laddr);
	unsigned int i;

	if (c->role != XMP_SF_SERVER || pm->mode != XD_PM_FULLMESH)
		return;
	for (i = 0; i < pm->nla; i++) {
		const struct xd_pm_laddr *la = &pm->la[i];

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

void xd_pm_conn_ready(struct xd_conn *c)
{
	struct xmp_addr_cfg cfg;

	xmp_addr_cfg_default(&cfg);
	cfg.max_accepted = c->loop->pm.max_add_addr;
	if (xmp_addr_conn_init(&c->pm.ac, xd_conn_msk(c), &cfg))
		return;
	c->pm.ac_ready = true;
	announce_all(c);
}

void xd_pm_conn_free(struct xd_conn *c)
{
	if (c->pm.ac_ready)
		xmp_mib_add(XMP_MIB_ADDR, c->loop->addr_mib, c->pm.ac.mib);
}

/* Bytes the options built so far take on the wire. */
static unsigned int opts_len(const struct xmp_mp_opt *mp)
{
	__u8 scratch[XMP_TCP_MAX_OPTLEN];
	int n = xmp_mp_write(scratch, sizeof(scratch), mp);

	return n > 0 ? (unsigned int)n : 0;
}

void xd_pm_add_options(struct xd_sf *s, const struct xmp_seg *seg, struct xmp_mp_opt *mp,
		       unsigned int space)
{
	struct xd_conn *c = s->c;
	unsigned int used;

	if (!c->pm.ac_ready || (seg->flags & (XMP_TH_SYN | XMP_TH_RST)) || !xd_sf_usable(s) ||
	    !xmp_addr_pending(&c->pm.ac))
		return;
	used = opts_len(mp);
	if (used < space)
		xmp_addr_build(&c->pm.ac, c->loop->now, space - used, mp);
}

void xd_pm_options_sent(struct xd_sf *s, const struct xmp_mp_opt *mp)
{
	struct xd_conn *c = s->c;

	if (c->pm.ac_ready && (mp->suboptions & (XMP_MPO_ADD_ADDR | XMP_MPO_RM_ADDR)))
		xmp_addr_sent(&c->pm.ac, c->loop->now, mp);
}

static void raddr_drop(struct xd_conn *c, const struct xmp_addr *a)
{
	struct xd_pm_conn *p = &c->pm;
	unsigned int i;

	for (i = 1; i < p->nra; i++) {
		if (xmp_addr_eq(&p->ra[i].addr, a)) {
			p->ra[i] = p->ra[--p->nra];
			return;
		}
	}
}

/* 3.4.2: the subflows to a removed address (or address id) close. */
static void close_to(struct xd_conn *c, const struct xmp_addr *a, int id)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];
		int rid = s->join ? s->jn.remote_id : 0;

		if (s->dead || !xd_sf_open(s) || xd_conn_live(c) <= 1)
			continue;
		if ((a && xmp_addr_eq(&s->raddr, a)) || (id >= 0 && rid == id)) {
			s->err = -EADDRNOTAVAIL;
			xmp_tcp_abort(s->sk, -EADDRNOTAVAIL, c->loop->now);
			xd_conn_sf_gone(c, s);
		}
	}
}

static void rcv_events(struct xd_conn *c, const struct xmp_addr_events *ev)
{
	struct xd_pm_conn *p = &c->pm;
	struct xmp_addr a;
	unsigned int i;

	for (i = 0; i < ev->nr_removed; i++) {
		addr_from_remote(&a, &ev->removed[i]);
		raddr_drop(c, &a);
		close_to(c, &a, -1);
	}
	for (i = 0; i < ev->nr_rm_ids; i++)
		close_to(c, NULL, ev->rm_ids[i]);
	for (i = 0; i < ev->nr_added && p->nra < XD_PM_ADDRS; i++) {
		addr_from_remote(&a, &ev->added[i]);
		raddr_drop(c, &a);
		p->ra[p->nra].addr = a;
		p->ra[p->nra].port = ev->added[i].port ? ev->added[i].port : c->rport;
		p->ra[p->nra].id = ev->added[i].id;
		p->nra++;
		if (c->role == XMP_SF_CLIENT && c->loop->pm.mode == XD_PM_FULLMESH)
			p->next_at = c->loop->now;
	}
}

void xd_pm_rcv_options(struct xd_sf *s, const struct xmp_mp_opt *mp)
{
	struct xd_conn *c = s->c;
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
 * at most every XD_PM_SIG_US so a signal that does not fit (SACK blocks)
 * cannot turn into an ACK storm. */
static void signal_pending(struct xd_conn *c)
{
	struct xd_pm_conn *p = &c->pm;
	struct xd_sf *s;

	if (!p->ac_ready || c->loop->now < p->sig_at)
		return;
	xmp_addr_timer(&p->ac, c->loop->now);
	if (!xmp_addr_pending(&p->ac))
		return;
	s = xd_conn_signal_sf(c);
	if (!s)
		return;
	p->sig_at = c->loop->now + XD_PM_SIG_US;
	xd_sf_force_ack(s);
}

/* Local addresses changed: announce the new ones, withdraw the ones gone
 * (3.4.2) and close the subflows that used them. */
void xd_pm_addrs_changed(struct xd_loop *l)
{
	struct xd_pm_laddr old[XD_PM_ADDRS];
	unsigned int nold = l->pm.nla, i;
	struct xd_conn *c;

	memcpy(old, l->pm.la, sizeof(old));
	if (xd_pm_scan(l))
		return;
	for (c = l->conns; c; c = c->next) {
		if (c->done || !c->pm.ac_ready)
			continue;
		for (i = 0; i < nold; i++) {
			if (xd_pm_ifindex(l, &old[i].addr))
				continue;
			if (xmp_addr_local_find(&c->pm.ac, old[i].id))
				xmp_addr_withdraw(&c->pm.ac, old[i].id);
			xd_pm_close_from(c, &old[i].addr);
		}
		announce_all(c);
		if (c->role == XMP_SF_CLIENT && l->pm.mode != XD_PM_NONE)
			c->pm.next_at = l->now;
		xd_conn_pump(c);
	}
}

void xd_pm_report(const struct xd_conn *c, FILE *f)
{
	fprintf(f, "\"remote_addrs\":%u,", c->pm.nra);
	if (c->pm.ac_ready && xmp_mib_json(f, XMP_MIB_ADDR, c->pm.ac.mib, false))
		fprintf(f, ",");
}

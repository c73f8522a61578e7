// SPDX-License-Identifier: GPL-2.0
/*
 * One MPTCP connection over its subflows (sflow.c): the data sequence
 * space (mptcp/conn.h, the msk, created by the initial subflow's
 * MP_CAPABLE exchange and shared by every joined subflow), the scheduler
 * (xmit.c) that decides which subflow carries each chunk, and the
 * application end (the host's, through the app_* ops). This file creates
 * and frees connections, joins subflows to them and lets subflows go; the
 * data moves in pump.c, the close and the connection-level signals are in
 * close.c.
 *
 * A subflow that fails or closes (xc_conn_sf_gone()) leaves its unacked
 * data to be reinjected on the others; the connection goes on while one
 * lives. A join that never completed is dropped without a trace (3.2).
 *
 * Plain TCP (3.7, SYN or SYN-ACK without MP_CAPABLE): the initial
 * subflow's engine alone.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/mib.h"
#include "io/addr.h"
#include "mptcp/crypto.h"
#include "conn/xc_int.h"

#define XC_DFIN_RTO_US 200000 /* first DATA_FIN retransmission */

/* ---- creation ---- */

static int conn_alloc(struct xc_conn **out, struct xc_stack *st, const struct xc_app *app,
		      enum xmp_sf_role role)
{
	__u64 mem = xc_mem_conn_cost(&st->cfg, app->mem);
	struct xc_conn *c;
	int err;

	*out = NULL;
	err = xc_mem_charge(st, mem); /* max_mem: refused before anything exists */
	if (err)
		return err;
	c = calloc(1, sizeof(*c));
	if (!c) {
		xc_mem_uncharge(st, mem);
		return -ENOMEM;
	}
	c->mem = mem;
	c->st = st;
	c->app = *app;
	c->role = role;
	c->t_start = xc_now(st);
	c->dfin_rto_us = XC_DFIN_RTO_US;
	c->dfin_rtx_at = XMP_TCP_NO_TIMER;
	c->linger_end = XMP_TCP_NO_TIMER;
	c->dack_at = XMP_TCP_NO_TIMER;
	c->drtx_at = XMP_TCP_NO_TIMER;
	xmp_cc_group_init(&c->ccg);
	xc_pm_conn_init(c);
	*out = c;
	return 0;
}

static void conn_link_sf(struct xc_conn *c, struct xc_sf *s)
{
	xc_conntab_add(&c->st->tab, s);
	s->linked = true;
	if (!s->join)
		c->subflows_opened++; /* a join counts once it is established */
}

/* Both roles, once the initial subflow's SYN left or was answered (or
 * that failed: @err): the connection is named by it and known by its
 * tuple. A connection that could not start is freed (its app end stays
 * the host's). */
static int conn_started(struct xc_conn **out, struct xc_conn *c, struct xc_sf *s, int err)
{
	if (err) {
		xc_conn_free(c);
		return err;
	}
	c->laddr = s->laddr;
	c->raddr = s->raddr;
	c->lport = s->lport;
	c->rport = s->rport;
	conn_link_sf(c, s);
	xc_pm_conn_start(c);
	xc_stack_link(c->st, c);
	*out = c;
	return 0;
}

int xc_conn_connect(struct xc_conn **out, struct xc_stack *st, const struct xmp_addr *dst,
		    __u16 dport, const struct xc_app *app)
{
	struct xc_conn *c;
	struct xc_sf *s;
	int err;

	err = conn_alloc(&c, st, app, XMP_SF_CLIENT);
	if (err)
		return err;
	err = xc_sf_new(&s, c, false);
	if (!err)
		err = xc_sf_connect(s, NULL, dst, dport);
	return conn_started(out, c, s, err);
}

int xc_conn_accept(struct xc_conn **out, struct xc_stack *st, const struct xc_path *in,
		   const struct xmp_frame *syn, const struct xc_app *app)
{
	struct xmp_mp_opt mp;
	struct xc_conn *c;
	struct xc_sf *s;
	int err;

	err = conn_alloc(&c, st, app, XMP_SF_SERVER);
	if (err)
		return err;
	err = xc_sf_new(&s, c, false);
	if (err) {
		xc_conn_free(c);
		return err;
	}
	xmp_mp_decode_at(syn->seg.opts, syn->seg.optlen, syn->opts.mp_at, &mp, &s->pst);
	if (xmp_sf_rcv_syn(&s->sf, &mp) == XMP_SF_PLAIN) {
		pr_debug("xmptcpd: SYN without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
	}
	return conn_started(out, c, s, xc_sf_accept(s, in, syn));
}

void xc_conn_free(struct xc_conn *c)
{
	struct xc_stack *st;
	struct xmp_msk *msk;
	unsigned int i;

	if (!c)
		return;
	st = c->st;
	xc_stack_unlink(st, c);
	msk = c->nsf ? c->sfs[0]->sf.msk : NULL;
	if (c->token_owned) {
		if (st->ops->steer_token)
			st->ops->steer_token(st->host, c->jc.local_token, (__u32)c->id, false);
		xc_toktab_del(&st->tab, c);
	}
	if (c->sched_ready)
		xmp_sched_conn_release(&c->sched);
	xc_pm_conn_free(c);
	for (i = 0; i < c->nsf; i++)
		xc_sf_free(c->sfs[i]);
	xmp_msk_destroy(msk);
	xc_mem_uncharge(st, c->mem);
	free(c);
}

/* ---- MP_JOIN ---- */

/*
 * Once the keys are known: the join state (tokens, limit), the local
 * token published so join SYNs naming it are steered to us, and the
 * scheduler. The client may not open joins before the data level is
 * established (join.c refuses them).
 */
void xc_conn_mptcp_ready(struct xc_conn *c)
{
	struct xc_stack *st = c->st;
	struct xmp_msk *msk = xc_conn_msk(c);
	int err;

	if (c->jc_ready || !msk)
		return;
	if (!c->sched_ready) {
		err = xmp_sched_conn_init(&c->sched, NULL);
		if (err) {
			pr_warn("xmptcpd: connection %llu: scheduler: %s\n",
				(unsigned long long)c->id, strerror(-err));
			return;
		}
		c->sched_ready = true;
	}
	if (xmp_join_conn_init(&c->jc, msk, st->cfg.max_subflows))
		return;
	c->jc_ready = true;
	xc_pm_conn_ready(c);
	if (!st->ops->steer_token ||
	    !st->ops->steer_token(st->host, c->jc.local_token, (__u32)c->id, true)) {
		c->token_owned = true;
		xc_toktab_add(&st->tab, c);
	}
}

/* A join's nonce (3.2): the host's random bytes, or the system's. */
static int join_nonce(struct xc_stack *st, __u32 *nonce)
{
	return xc_random(st, nonce, sizeof(*nonce)) ? 0 : xmp_crypto_nonce(nonce);
}

static struct xmp_join_conn *join_lookup(__u32 token, void *arg)
{
	struct xc_conn *c = xc_toktab_find(&((struct xc_stack *)arg)->tab, token);

	return c && c->jc_ready && !c->done ? &c->jc : NULL;
}

static struct xc_conn *conn_of_jc(struct xmp_join_conn *jc)
{
	return (struct xc_conn *)((char *)jc - offsetof(struct xc_conn, jc));
}

unsigned int xc_conn_live(const struct xc_conn *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nsf; i++)
		if (!c->sfs[i]->dead && xc_sf_open(c->sfs[i]))
			n++;
	return n;
}

static void join_refuse(struct xc_stack *st, const struct xc_path *in,
			const struct xmp_frame *syn, struct xmp_join *j)
{
	xc_sf_refuse_syn(st, in, syn, j);
	xmp_mib_add(XMP_MIB_JOIN, st->join_mib, j->mib);
}

void xc_join_syn(struct xc_stack *st, const struct xc_path *in, const struct xmp_frame *syn,
		 const struct xmp_mp_opt *mp)
{
	struct xmp_join j;
	struct xc_conn *c;
	struct xc_sf *s;
	__u32 nonce;
	int err;

	if (join_nonce(st, &nonce) ||
	    xmp_join_init_server(&j, join_lookup, st, xc_pm_local_id(st, &syn->daddr), false,
				 nonce))
		return;
	if (xmp_join_rcv_options(&j, syn->seg.flags, mp) < 0) {
		join_refuse(st, in, syn, &j);
		return;
	}
	c = conn_of_jc(j.conn);
	if (xmp_addr_eq(&syn->daddr, &c->laddr))
		j.local_id = 0; /* 3.2: the initial subflow's address has id 0 */
	if (xc_conn_live(c) >= XC_SF_MAX || xc_sf_new(&s, c, true)) {
		j.state = XMP_JOIN_FAILED;
		j.rst_reason = MPTCP_RST_ERESOURCE;
		j.mib[XMP_JOIN_MIB_LIMIT]++;
		xmp_join_release(&j);
		join_refuse(st, in, syn, &j);
		return;
	}
	s->jn = j;
	err = xc_sf_accept(s, in, syn);
	if (err) {
		pr_warn("xmptcpd: connection %llu: cannot accept a join: %s\n",
			(unsigned long long)c->id, strerror(-err));
		c->nsf--;
		xc_sf_free(s);
		return;
	}
	conn_link_sf(c, s);
	/* Our SYN-ACK went: the client may take the join as good from it and
	 * send copies on the first subflow (Linux clears its
	 * allow_infinite_fallback at the SYN-ACK), whether or not its third
	 * ACK ever comes. Falling back on a missing mapping from now on could
	 * take such a copy as new bytes. */
	xc_conn_no_fallback(c);
	xc_conn_pump(c);
}

int xc_conn_add_subflow(struct xc_conn *c, const struct xmp_addr *src,
			const struct xmp_addr *dst, __u16 dport, bool backup)
{
	struct xc_sf *s;
	__u32 nonce;
	int err, tries;
	__u8 id;

	if (!c->jc_ready || c->done)
		return -ENOTCONN;
	if (xc_conn_live(c) >= XC_SF_MAX)
		return -EMLINK;
	err = xc_sf_new(&s, c, true);
	if (err)
		return err;
	/* 3.2: the initial subflow's address has id 0 */
	id = xmp_addr_eq(src, &c->laddr) ? 0 : xc_pm_local_id(c->st, src);
	s->backup = backup;
	for (tries = 0; tries < 4; tries++) {
		err = join_nonce(c->st, &nonce);
		if (!err)
			err = xmp_join_init_client(&s->jn, &c->jc, id, backup, nonce);
		if (err != -EEXIST)
			break;
	}
	if (!err)
		err = xc_sf_connect(s, src, dst, dport);
	if (err) {
		c->nsf--;
		xc_sf_free(s);
		return err;
	}
	conn_link_sf(c, s);
	return 0;
}

/* ---- subflows that end ---- */

void xc_conn_sf_gone(struct xc_conn *c, struct xc_sf *s)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	unsigned int i;

	if (s->dead)
		return;
	s->dead = true;
	if (s->join)
		xmp_join_release(&s->jn);
	if (!msk || msk->fallback)
		return;
	/* What it was given and the peer did not DATA_ACK yet goes again
	 * elsewhere: the subflow will never deliver it (3.3.6). */
	for (i = 0; i < s->sf.ntx; i++) {
		const struct xmp_sf_txent *e = &s->sf.tx[i];
		__u64 start = e->map.dsn, end = e->map.dsn + e->map.len;

		if (e->map.infinite || !after64(end, msk->snd_una))
			continue;
		if (before64(start, msk->snd_una))
			start = msk->snd_una;
		xc_xmit_reinject(c, start, (__u32)(end - start));
	}
	s->sf.ntx = 0;
	if (xc_conn_live(c))
		pr_info("xmptcpd: connection %llu: subflow %u ended (%s); %u left\n",
			(unsigned long long)c->id, s->id,
			s->err ? strerror(-s->err) : "closed", xc_conn_live(c));
}

/* A join that never completed its handshake (refused HMAC, timed out,
 * reset) was never a subflow (3.2): it leaves no trace but its counters. */
static bool conn_drop_failed_join(struct xc_conn *c, unsigned int i)
{
	struct xc_sf *s = c->sfs[i];

	if (!s->join || s->jn.state == XMP_JOIN_ESTABLISHED || s->sf.msk)
		return false;
	memmove(&c->sfs[i], &c->sfs[i + 1], (c->nsf - i - 1) * sizeof(c->sfs[0]));
	c->nsf--;
	c->joins_failed++;
	xc_sf_free(s);
	return true;
}

/* A subflow whose engine closed leaves the tuple table and the steering
 * map (its port may be reused); the connection keeps it for the report. */
void xc_conn_reap_subflows(struct xc_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (!s->sk || s->sk->state != XMP_TCP_CLOSED)
			continue;
		if (conn_drop_failed_join(c, i)) {
			i--;
			continue;
		}
		if (!s->dead)
			xc_conn_sf_gone(c, s);
		xc_sf_unlink(s);
		xc_mem_sf_trim(s);
	}
}

void xc_conn_event(struct xc_conn *c, unsigned int ev)
{
	if (c->st->ops->conn_event)
		c->st->ops->conn_event(c->st->host, c, ev);
}

/* ---- what the host reads ---- */

__u64 xc_conn_id(const struct xc_conn *c)
{
	return c->id;
}

void *xc_conn_app(const struct xc_conn *c)
{
	return c->app.ctx;
}

bool xc_conn_done(const struct xc_conn *c)
{
	return c->done;
}

int xc_conn_err(const struct xc_conn *c)
{
	return c->err;
}

void xc_conn_set_err(struct xc_conn *c, int err)
{
	if (!c->err)
		c->err = err;
}

bool xc_conn_plain(const struct xc_conn *c)
{
	return c->plain;
}

bool xc_conn_local_token(const struct xc_conn *c, __u32 *token)
{
	if (!c->jc_ready)
		return false;
	*token = c->jc.local_token;
	return true;
}

int xc_conn_set_sched(struct xc_conn *c, const struct xmp_sched_ops *ops)
{
	return c->sched_ready ? xmp_sched_set(&c->sched, ops) : -ENOTCONN;
}

/* One word for tables: the data level's state, else the subflow's. */
const char *xc_conn_state(const struct xc_conn *c)
{
	const struct xmp_msk *msk = xc_conn_msk(c);
	const struct xc_sf *first = xc_conn_first(c);

	if (c->err)
		return "error";
	if (msk)
		return xmp_msk_state_name(msk->state);
	return first && first->sk ? xmp_tcp_state_name(first->sk->state) : "closed";
}

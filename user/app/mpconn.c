// SPDX-License-Identifier: GPL-2.0
/*
 * One MPTCP connection of xmptcpd over its subflows (sflow.c): the data
 * sequence space (mptcp/conn.h, the msk, created by the initial subflow's
 * MP_CAPABLE exchange and shared by every joined subflow), the scheduler
 * (xmptcp/sched.h) that decides which subflow carries each chunk, the
 * connection-level retransmissions, and the application end (endpoint.c).
 *
 * The pump moves endpoint bytes into the msk and asks the scheduler, chunk
 * by chunk, which subflow(s) carry the next mapping (one xmp_tcp_send()
 * each, recorded with xmp_sf_txmap_add()); it drains in-order bytes of
 * every subflow through xmp_sf_data() into the reassembly buffer and reads
 * the msk into the sink. Close (3.3.3): DATA_FIN when the source is done,
 * the subflows' FINs once both DATA_FINs are acked.
 *
 * Reinjection: the data a failed subflow held unacked is sent again on
 * the others (xd_conn_sf_gone()); when the connection-level window is
 * blocked by data outstanding on a slow subflow, that data goes again on
 * a faster one and the slow one's cwnd is halved, at most once per its RTT
 * (opportunistic reinjection and penalisation, as the original Linux
 * MPTCP did).
 *
 * Plain TCP (3.7, SYN or SYN-ACK without MP_CAPABLE): the initial
 * subflow's engine alone.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "io/addr.h"
#include "mptcp/crypto.h"
#include "app/xmptcpd.h"

#define XD_MAP_MAX	   32768   /* bytes per mapping carved (data_len is 16 bits) */
#define XD_DFIN_RTO_US	   200000  /* first DATA_FIN retransmission */
#define XD_DFIN_RTO_MAX_US 3000000
#define XD_DACK_US	   2000    /* a stale DATA_ACK waits this long for a ride */
#define XD_SHARED_WND_MAX  (1u << 30) /* the largest window TCP can offer (RFC 7323) */
#define XD_DRTX_MIN_US	   200000  /* data-level retransmission timeout floor */
#define XD_DRTX_MAX_US	   3000000
#define XD_DRTX_CHUNK	   (256u << 10) /* data sent again per expiry */

/* One worker: a single scratch buffer for copies between the layers. */
static __u8 xfer_buf[65536];
_Static_assert(XD_MAP_MAX <= sizeof(xfer_buf), "a mapping is copied whole");

static __u32 min32(__u64 a, __u64 b)
{
	__u64 m = a < b ? a : b;

	return m > UINT32_MAX ? UINT32_MAX : (__u32)m;
}

/* ---- creation ---- */

static int conn_alloc(struct xd_conn **out, struct xd_loop *l, const struct xd_ep_cfg *ep,
		      enum xmp_sf_role role)
{
	struct xd_conn *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->loop = l;
	c->role = role;
	c->app_src.fd = -1;
	c->t_start = l->now;
	c->dfin_rto_us = XD_DFIN_RTO_US;
	c->dfin_rtx_at = XMP_TCP_NO_TIMER;
	c->dack_at = XMP_TCP_NO_TIMER;
	c->drtx_at = XMP_TCP_NO_TIMER;
	xmp_cc_group_init(&c->ccg);
	xd_pm_conn_init(c);
	err = xd_ep_init(&c->ep_store, ep);
	if (err) {
		free(c);
		return err;
	}
	c->ep = &c->ep_store;
	c->proxied = xd_ep_is_sock(c->ep);
	*out = c;
	return 0;
}

static void conn_link_sf(struct xd_conn *c, struct xd_sf *s)
{
	xd_conntab_add(&c->loop->tab, s);
	s->linked = true;
	if (!s->join)
		c->subflows_opened++; /* a join counts once it is established */
}

/* A connection that could not start: freed, its app socket left to the
 * caller (who closes or resets it). */
static int conn_fail(struct xd_conn *c, int err)
{
	c->ep->sock_fd = -1;
	xd_conn_free(c);
	return err;
}

/* The connection is named by its initial subflow's tuple. */
static void conn_name(struct xd_conn *c, const struct xd_sf *s)
{
	c->laddr = s->laddr;
	c->raddr = s->raddr;
	c->lport = s->lport;
	c->rport = s->rport;
}

int xd_conn_connect(struct xd_conn **out, struct xd_loop *l, const struct xmp_addr *dst,
		    __u16 dport, const struct xd_ep_cfg *ep)
{
	struct xd_conn *c;
	struct xd_sf *s;
	int err;

	err = conn_alloc(&c, l, ep, XMP_SF_CLIENT);
	if (err)
		return err;
	err = xd_sf_new(&s, c, false);
	if (!err)
		err = xd_sf_connect(s, NULL, dst, dport);
	if (err)
		return conn_fail(c, err);
	conn_name(c, s);
	conn_link_sf(c, s);
	xd_pm_conn_start(c);
	*out = c;
	return 0;
}

int xd_conn_accept(struct xd_conn **out, struct xd_loop *l, struct xd_port *port,
		   const struct xmp_frame *syn, const struct xd_ep_cfg *ep)
{
	struct xmp_mp_opt mp;
	struct xd_conn *c;
	struct xd_sf *s;
	int err;

	err = conn_alloc(&c, l, ep, XMP_SF_SERVER);
	if (err)
		return err;
	err = xd_sf_new(&s, c, false);
	if (err)
		return conn_fail(c, err);
	xmp_mp_parse(syn->seg.opts, syn->seg.optlen, &mp, &s->pst);
	if (xmp_sf_rcv_syn(&s->sf, &mp) == XMP_SF_PLAIN) {
		pr_info("xmptcpd: SYN without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
	}
	err = xd_sf_accept(s, port, syn);
	if (err)
		return conn_fail(c, err);
	conn_name(c, s);
	conn_link_sf(c, s);
	xd_pm_conn_start(c);
	*out = c;
	return 0;
}

void xd_conn_free(struct xd_conn *c)
{
	struct xmp_msk *msk;
	unsigned int i;

	if (!c)
		return;
	msk = c->nsf ? c->sfs[0]->sf.msk : NULL;
	if (c->token_owned) {
		xmp_owned_del_token(&c->loop->own, c->jc.local_token);
		xd_toktab_del(&c->loop->tab, c);
	}
	if (c->sched_ready)
		xmp_sched_conn_release(&c->sched);
	xd_pm_conn_free(c);
	for (i = 0; i < c->nsf; i++)
		xd_sf_free(c->sfs[i]);
	xmp_msk_destroy(msk);
	xd_ep_free(c->ep);
	free(c);
}

/* ---- MP_JOIN ---- */

/*
 * Once the keys are known: the join state (tokens, limit), the local
 * token published so XDP steers join SYNs naming it to us, and the
 * scheduler. The client may not open joins before the data level is
 * established (join.c refuses them).
 */
static void conn_mptcp_ready(struct xd_conn *c)
{
	struct xd_loop *l = c->loop;
	struct xmp_msk *msk = xd_conn_msk(c);
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
	if (xmp_join_conn_init(&c->jc, msk, l->pm.max_subflows))
		return;
	c->jc_ready = true;
	xd_pm_conn_ready(c);
	if (!xmp_owned_add_token(&l->own, c->jc.local_token, (__u32)c->id)) {
		c->token_owned = true;
		xd_toktab_add(&l->tab, c);
	}
}

static struct xmp_join_conn *join_lookup(__u32 token, void *arg)
{
	struct xd_conn *c = xd_toktab_find(&((struct xd_loop *)arg)->tab, token);

	return c && c->jc_ready && !c->done ? &c->jc : NULL;
}

static struct xd_conn *conn_of_jc(struct xmp_join_conn *jc)
{
	return (struct xd_conn *)((char *)jc - offsetof(struct xd_conn, jc));
}

unsigned int xd_conn_live(const struct xd_conn *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nsf; i++)
		if (!c->sfs[i]->dead && xd_sf_open(c->sfs[i]))
			n++;
	return n;
}

static void join_refuse(struct xd_loop *l, struct xd_port *port, const struct xmp_frame *syn,
			struct xmp_join *j)
{
	xd_sf_refuse_syn(l, port, syn, j);
	xmp_join_mib_add(l->join_mib, j);
}

void xd_conn_join_syn(struct xd_loop *l, struct xd_port *port, const struct xmp_frame *syn,
		      const struct xmp_mp_opt *mp)
{
	struct xmp_join j;
	struct xd_conn *c;
	struct xd_sf *s;
	__u32 nonce;
	int err;

	if (xmp_crypto_nonce(&nonce) ||
	    xmp_join_init_server(&j, join_lookup, l, xd_pm_local_id(l, &syn->daddr), false, nonce))
		return;
	if (xmp_join_rcv_options(&j, syn->seg.flags, mp) < 0) {
		join_refuse(l, port, syn, &j);
		return;
	}
	c = conn_of_jc(j.conn);
	if (xmp_addr_eq(&syn->daddr, &c->laddr))
		j.local_id = 0; /* 3.2: the initial subflow's address has id 0 */
	if (xd_conn_live(c) >= XD_SF_MAX || xd_sf_new(&s, c, true)) {
		j.state = XMP_JOIN_FAILED;
		j.rst_reason = MPTCP_RST_ERESOURCE;
		j.mib[XMP_JOIN_MIB_LIMIT]++;
		xmp_join_release(&j);
		join_refuse(l, port, syn, &j);
		return;
	}
	s->jn = j;
	err = xd_sf_accept(s, port, syn);
	if (err) {
		pr_warn("xmptcpd: connection %llu: cannot accept a join: %s\n",
			(unsigned long long)c->id, strerror(-err));
		c->nsf--;
		xd_sf_free(s);
		return;
	}
	conn_link_sf(c, s);
	xd_conn_pump(c);
}

int xd_conn_add_subflow(struct xd_conn *c, const struct xmp_addr *src,
			const struct xmp_addr *dst, __u16 dport, bool backup)
{
	struct xd_sf *s;
	__u32 nonce;
	int err, tries;
	__u8 id;

	if (!c->jc_ready || c->done)
		return -ENOTCONN;
	if (xd_conn_live(c) >= XD_SF_MAX)
		return -EMLINK;
	err = xd_sf_new(&s, c, true);
	if (err)
		return err;
	/* 3.2: the initial subflow's address has id 0 */
	id = xmp_addr_eq(src, &c->laddr) ? 0 : xd_pm_local_id(c->loop, src);
	s->backup = backup;
	for (tries = 0; tries < 4; tries++) {
		err = xmp_crypto_nonce(&nonce);
		if (!err)
			err = xmp_join_init_client(&s->jn, &c->jc, id, backup, nonce);
		if (err != -EEXIST)
			break;
	}
	if (!err)
		err = xd_sf_connect(s, src, dst, dport);
	if (err) {
		c->nsf--;
		xd_sf_free(s);
		return err;
	}
	conn_link_sf(c, s);
	return 0;
}

/* ---- subflows that end ---- */

/* Data [dsn, dsn + len) goes again on another subflow. */
static void reinj_push(struct xd_conn *c, __u64 dsn, __u32 len)
{
	struct xd_reinj *last = c->nrq ? &c->rq[c->nrq - 1] : NULL;

	if (last && last->dsn + last->len == dsn && last->len + len > last->len) {
		last->len += len;
		return;
	}
	if (c->nrq == XD_REINJ_MAX) {
		/* Full: the last range grows to cover this one too. The gap
		 * between them went on other subflows; sending it again is
		 * only a duplicate the peer delivers once (3.3.1). */
		if (after64(dsn + len, last->dsn + last->len))
			last->len = (__u32)(dsn + len - last->dsn);
		return;
	}
	c->rq[c->nrq].dsn = dsn;
	c->rq[c->nrq].len = len;
	c->nrq++;
}

void xd_conn_sf_gone(struct xd_conn *c, struct xd_sf *s)
{
	struct xmp_msk *msk = xd_conn_msk(c);
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
		reinj_push(c, start, (__u32)(end - start));
	}
	s->sf.ntx = 0;
	if (xd_conn_live(c))
		pr_info("xmptcpd: connection %llu: subflow %u ended (%s); %u left\n",
			(unsigned long long)c->id, s->id,
			s->err ? strerror(-s->err) : "closed", xd_conn_live(c));
}

/* A join that never completed its handshake (refused HMAC, timed out,
 * reset) was never a subflow (3.2): it leaves no trace but its counters. */
static bool conn_drop_failed_join(struct xd_conn *c, unsigned int i)
{
	struct xd_sf *s = c->sfs[i];

	if (!s->join || s->jn.state == XMP_JOIN_ESTABLISHED || s->sf.msk)
		return false;
	memmove(&c->sfs[i], &c->sfs[i + 1], (c->nsf - i - 1) * sizeof(c->sfs[0]));
	c->nsf--;
	c->joins_failed++;
	xd_sf_free(s);
	return true;
}

/* A subflow whose engine closed leaves the tuple table and the owned map
 * (its port may be reused); the connection keeps it for the report. */
static void conn_reap_subflows(struct xd_conn *c)
{
	struct xd_loop *l = c->loop;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (!s->sk || s->sk->state != XMP_TCP_CLOSED)
			continue;
		if (conn_drop_failed_join(c, i)) {
			i--;
			continue;
		}
		if (!s->dead)
			xd_conn_sf_gone(c, s);
		if (s->linked) {
			xd_conntab_del(&l->tab, s);
			s->linked = false;
		}
		if (s->owned) {
			xmp_owned_del_subflow(&l->own, &s->tuple);
			s->owned = false;
		}
		xmp_port_release(&s->port);
	}
}

/* ---- data-level retransmission (3.3.6) ---- */

/*
 * Data the subflows acknowledged can still be missing at the data level:
 * the peer dropped it (its reassembly out-of-order table was full) or a
 * subflow that held it died before our reinjection saw it. With no DATA_ACK
 * progress for several RTTs of the slowest subflow, the oldest
 * unacknowledged data goes again (Linux: mptcp_retransmit_timer), whatever
 * the subflows still have in flight: zero-window probes keep a stalled
 * subflow "busy" forever. A copy that was not needed is a duplicate the
 * peer drops.
 */
static __u32 drtx_timeout(const struct xd_conn *c)
{
	__u32 t = XD_DRTX_MIN_US, srtt;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		if (!xd_sf_usable(c->sfs[i]))
			continue;
		srtt = 4 * c->sfs[i]->sk->srtt_us;
		if (srtt > t)
			t = srtt;
	}
	t <<= c->drtx_backoff;
	return t > XD_DRTX_MAX_US ? XD_DRTX_MAX_US : t;
}

static void drtx_arm(struct xd_conn *c)
{
	struct xmp_msk *msk = xd_conn_msk(c);

	if (!msk || msk->fallback || msk->snd_una == msk->snd_nxt) {
		c->drtx_at = XMP_TCP_NO_TIMER;
		c->drtx_backoff = 0;
		return;
	}
	if (msk->snd_una != c->drtx_una) {
		/* progress: a fresh timeout from now */
		c->drtx_una = msk->snd_una;
		c->drtx_backoff = 0;
		c->drtx_at = c->loop->now + drtx_timeout(c);
	} else if (c->drtx_at == XMP_TCP_NO_TIMER) {
		c->drtx_at = c->loop->now + drtx_timeout(c);
	}
}

static void drtx_fire(struct xd_conn *c)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	__u64 out;

	c->drtx_at = XMP_TCP_NO_TIMER;
	if (!msk || msk->fallback || msk->snd_una == msk->snd_nxt)
		return;
	out = msk->snd_nxt - msk->snd_una - (msk->fin_mapped ? 1 : 0);
	if (out)
		reinj_push(c, msk->snd_una, (__u32)(out < XD_DRTX_CHUNK ? out : XD_DRTX_CHUNK));
	c->drtx_count++;
	if (c->drtx_backoff < 4)
		c->drtx_backoff++;
	c->drtx_at = c->loop->now + drtx_timeout(c);
}

/* ---- data movement ---- */

/* 3.7: after a fallback the subflow's stream is the data stream, and its
 * FIN the DATA_FIN (the options that would carry one do not get through). */
static bool fallen_back(const struct xd_conn *c)
{
	const struct xmp_msk *msk = xd_conn_msk(c);

	return msk && msk->fallback;
}

/* What the endpoint takes now, at most one scratch buffer: an app socket
 * that lags leaves the rest in the msk, whose window then closes. */
static size_t rx_room(const struct xd_conn *c)
{
	size_t room = xd_ep_room(c->ep);

	return room < sizeof(xfer_buf) ? room : sizeof(xfer_buf);
}

/* One subflow's in-order bytes -> reassembly (3.3.1 mappings). */
static int rx_subflow(struct xd_conn *c, struct xd_sf *s, bool *moved)
{
	struct xmp_tcp_sock *sk = s->sk;
	struct xmp_msk *msk = xd_conn_msk(c);
	struct xmp_sf_data_res res;
	size_t room;
	long n;
	int err;

	if (!s->sf.msk)
		return 0; /* a join still in its handshake */
	while (xmp_tcp_readable(sk)) {
		/* No more than the data level has room for: what it cannot
		 * take stays in the subflow's buffer, whose window closes
		 * (3.3.4), instead of being acked at the TCP level and then
		 * dropped as beyond the data-level window, with no data-level
		 * retransmission to bring it back. */
		room = xmp_msk_rcv_wnd(msk);
		if (!room)
			break;
		n = xmp_tcp_peek(sk, xfer_buf, room < sizeof(xfer_buf) ? room : sizeof(xfer_buf), 0);
		if (n <= 0)
			break;
		err = xmp_sf_data(&s->sf, xmp_tcp_recv_seq(sk) - sk->irs, xfer_buf, (__u32)n, &res);
		if (err)
			return err;
		if (!res.consumed)
			break; /* waiting for a mapping or the rest of a checksummed one */
		xmp_tcp_recv(sk, xfer_buf, res.consumed, c->loop->now);
		s->bytes_rcvd += res.consumed;
		*moved = true;
	}
	return 0;
}

/* A subflow's own error ends it, not the connection, while others live. */
static int sf_error(struct xd_conn *c, struct xd_sf *s, int err)
{
	if (xd_conn_live(c) <= 1 || c->plain || fallen_back(c))
		return err;
	pr_info("xmptcpd: connection %llu: subflow %u: %s; resetting it\n",
		(unsigned long long)c->id, s->id, strerror(-err));
	s->err = err;
	xmp_tcp_abort(s->sk, err, c->loop->now);
	xd_conn_sf_gone(c, s);
	return 0;
}

/* Every subflow's bytes -> reassembly -> sink. */
static int pump_rx_mptcp(struct xd_conn *c, bool *moved)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	struct xd_sf *first = xd_conn_first(c);
	unsigned int i;
	size_t room;
	long n = -EAGAIN;
	int err;

	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (s->dead || !s->sk)
			continue;
		err = rx_subflow(c, s, moved);
		if (err && (err = sf_error(c, s, err)))
			return err;
	}
	while ((room = rx_room(c)) > 0 && (n = xmp_msk_read(msk, xfer_buf, room)) > 0) {
		xd_ep_consume(c->ep, xfer_buf, (size_t)n);
		*moved = true;
	}
	if (room && !n && !c->ep->rcvd_eof) {
		c->ep->rcvd_eof = true; /* 3.3.3: the peer's DATA_FIN reached in order */
		*moved = true;
	}
	if (room && n < 0 && !c->ep->rcvd_eof && fallen_back(c) && !xmp_tcp_readable(first->sk) &&
	    !xmp_tcp_recv(first->sk, xfer_buf, 0, c->loop->now)) {
		c->ep->rcvd_eof = true; /* 3.7: the subflow's FIN ends the data */
		*moved = true;
	}
	return 0;
}

/* The built-in server answers after the client's data ended (as a
 * request/response); the client and the proxies send at once. */
static bool may_send(const struct xd_conn *c)
{
	return c->role == XMP_SF_CLIENT || c->proxied || c->ep->rcvd_eof || c->closing;
}

/* ---- scheduling ---- */

struct xd_view {
	struct xmp_sched_view v;
	struct xmp_sched_subflow sf[XD_SF_MAX];
	struct xd_sf *s[XD_SF_MAX];
};

/* Bytes the peer's window at the subflow level still takes. */
static __u32 sf_wnd_room(const struct xmp_tcp_sock *sk)
{
	__u32 edge = sk->snd_una + sk->snd_wnd, end = sk->snd_buf_seq + sk->sndq.len;

	return xmp_seq_after(edge, end) ? edge - end : 0;
}

static bool sf_backup(const struct xd_sf *s)
{
	return s->backup || s->peer_backup;
}

static void view_build(struct xd_conn *c, struct xd_view *w, __u64 unsent, __u32 flags)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	unsigned int i;

	memset(&w->v, 0, sizeof(w->v));
	w->v.now_us = c->loop->now;
	w->v.unsent = unsent;
	w->v.snd_wnd = min32(msk->snd_wnd_end - msk->snd_una, UINT32_MAX);
	w->v.snd_wnd_room = min32(xmp_msk_snd_wnd(msk), UINT32_MAX);
	w->v.flags = flags;
	w->v.sf = w->sf;
	for (i = 0; i < c->nsf && w->v.nr < XD_SF_MAX; i++) {
		struct xd_sf *s = c->sfs[i];
		struct xmp_sched_subflow *v = &w->sf[w->v.nr];
		struct xmp_tcp_sock *sk = s->sk;

		if (s->dead || !sk || sk->state == XMP_TCP_CLOSED)
			continue;
		memset(v, 0, sizeof(*v));
		v->id = s->id;
		if (xd_sf_usable(s))
			v->flags |= XMP_SCHED_SF_ACTIVE;
		if (sf_backup(s))
			v->flags |= XMP_SCHED_SF_BACKUP;
		v->srtt_us = sk->srtt_us;
		v->rttvar_us = sk->rttvar_us;
		v->cwnd = sk->cwnd;
		v->in_flight = xd_sf_queued(s);
		/* 3.3.4: the window is the connection's on every subflow (after
		 * a fallback the subflow's own is the real one: 3.7) */
		if ((v->flags & XMP_SCHED_SF_ACTIVE) && !msk->fallback)
			xmp_tcp_share_snd_wnd(sk, min32((__u64)xd_sf_queued(s) + xmp_msk_snd_wnd(msk),
							XD_SHARED_WND_MAX), c->loop->now);
		/* a full mapping table takes no new chunk until acks free it */
		v->snd_room = s->sf.ntx < XMP_SF_TXMAP_MAX
				      ? min32(xmp_tcp_writable(sk), sf_wnd_room(sk)) : 0;
		v->mss = sk->mss;
		w->s[w->v.nr++] = s;
	}
}

/* Copies the mapping's bytes and hands them to s. */
static int send_map(struct xd_conn *c, struct xd_sf *s, const struct xmp_tx_map *m, bool reinj)
{
	if (m->len && xmp_msk_copy(xd_conn_msk(c), m->dsn, xfer_buf, m->len))
		return -EIO;
	if (reinj)
		c->reinj_bytes += m->len;
	return xd_sf_send_map(s, m, xfer_buf, reinj);
}

static __u32 grant(const struct xd_sf *s, __u32 bytes)
{
	__u32 w = xmp_tcp_writable(s->sk);

	if (bytes > XD_MAP_MAX)
		bytes = XD_MAP_MAX;
	return bytes < w ? bytes : w;
}

/* The same data on the other picks of a redundant decision. */
static int send_redundant(struct xd_conn *c, struct xd_view *w,
			  const struct xmp_sched_decision *d, const struct xmp_tx_map *m)
{
	struct xmp_tx_map r;
	unsigned int i;
	int err;

	for (i = 1; i < d->nr && m->len; i++) {
		struct xd_sf *s = w->s[d->pick[i].idx];

		if (xmp_msk_remap(xd_conn_msk(c), m->dsn, grant(s, min32(m->len, d->pick[i].bytes)),
				  &r) != 1)
			continue;
		err = send_map(c, s, &r, true);
		if (err)
			return err;
	}
	return 0;
}

/* Data of failed subflows, first: the peer waits for it. */
static int pump_reinject(struct xd_conn *c, bool *moved)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	struct xmp_sched_decision d;
	struct xd_view w;
	struct xmp_tx_map m;
	int err;

	while (c->nrq) {
		struct xd_reinj *q = &c->rq[0];

		if (after64(msk->snd_una, q->dsn)) { /* acked meanwhile */
			__u64 cut = msk->snd_una - q->dsn;

			q->dsn += cut < q->len ? cut : q->len;
			q->len -= cut < q->len ? (__u32)cut : q->len;
		}
		if (!q->len) {
			memmove(&c->rq[0], &c->rq[1], --c->nrq * sizeof(c->rq[0]));
			continue;
		}
		view_build(c, &w, q->len, XMP_SCHED_REINJECT);
		if (xmp_sched_decide(&c->sched, &w.v, &d))
			return 0;
		if (xmp_msk_remap(msk, q->dsn, grant(w.s[d.pick[0].idx], d.pick[0].bytes), &m) != 1) {
			q->len = 0;
			continue;
		}
		err = send_map(c, w.s[d.pick[0].idx], &m, true);
		if (err)
			return err;
		q->dsn += m.len;
		q->len -= m.len < q->len ? m.len : q->len;
		*moved = true;
	}
	return 0;
}

/* The subflow holding the oldest unacked byte of the connection. */
static struct xd_sf *holder_of(struct xd_conn *c, __u64 dsn)
{
	unsigned int i, k;

	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (s->dead)
			continue;
		for (k = 0; k < s->sf.ntx; k++) {
			const struct xmp_sf_txent *e = &s->sf.tx[k];

			if (!before64(dsn, e->map.dsn) && before64(dsn, e->map.dsn + e->map.len))
				return s;
		}
	}
	return NULL;
}

/*
 * The connection-level window is full and its left edge sits on a subflow
 * that is slower than one with room: send that data again on the fast one
 * (opportunistic reinjection) and halve the slow one's cwnd, at most once
 * per its RTT (penalisation), so it holds less of the shared window.
 */
static int opportunistic(struct xd_conn *c, bool *moved)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	struct xd_sf *slow = holder_of(c, msk->snd_una), *fast = NULL;
	struct xmp_tx_map m;
	unsigned int i;
	int err;

	c->wnd_blocked++;
	if (!c->loop->reinject || !slow || !slow->sk)
		return 0;
	if (c->reinj_upto_valid && before64(msk->snd_una, c->reinj_upto))
		return 0; /* this left edge went again already */
	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (s == slow || !xd_sf_usable(s) || sf_backup(s) || !xmp_tcp_writable(s->sk) ||
		    s->sk->srtt_us >= slow->sk->srtt_us || xd_sf_queued(s) >= s->sk->cwnd)
			continue;
		if (!fast || s->sk->srtt_us < fast->sk->srtt_us)
			fast = s;
	}
	if (!fast)
		return 0;
	if (xmp_msk_remap(msk, msk->snd_una, grant(fast, fast->sk->cwnd - xd_sf_queued(fast)),
			  &m) != 1)
		return 0;
	err = send_map(c, fast, &m, true);
	if (err)
		return err;
	c->reinj_upto = m.dsn + m.len;
	c->reinj_upto_valid = true;
	*moved = true;
	if (c->loop->now - slow->penalised_at > slow->sk->srtt_us) {
		xmp_tcp_cwnd_halve(slow->sk);
		slow->penalised_at = c->loop->now;
		c->penalties++;
	}
	return 0;
}

/* New data: one decision per chunk. */
static int pump_sched(struct xd_conn *c, bool *moved)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	struct xmp_sched_decision d;
	unsigned int guard = 0;
	struct xmp_tx_map m;
	struct xd_view w;
	__u64 unsent;
	int err;

	if (msk->send_infinite) {
		/* 3.7: the infinite mapping goes on the only subflow (no
		 * fallback is possible with several), data or not */
		struct xd_sf *s = xd_conn_first(c);

		if (!xd_sf_usable(s) || xmp_msk_next_map(msk, grant(s, XD_MAP_MAX), &m) != 1)
			return 0;
		err = send_map(c, s, &m, false);
		if (err)
			return err;
		*moved = true;
	}
	while (guard++ < 1024) {
		/* snd_nxt counts the DATA_FIN once it is mapped */
		unsent = (after64(msk->write_seq, msk->snd_nxt) ? msk->write_seq - msk->snd_nxt : 0) +
			 (msk->fin_queued && !msk->fin_mapped);
		if (!unsent)
			return 0;
		if (!xmp_msk_snd_wnd(msk) && msk->write_seq != msk->snd_nxt)
			return opportunistic(c, moved);
		view_build(c, &w, unsent, 0);
		if (xmp_sched_decide(&c->sched, &w.v, &d))
			return 0;
		if (xmp_msk_next_map(msk, grant(w.s[d.pick[0].idx], d.pick[0].bytes), &m) != 1)
			return 0;
		err = send_map(c, w.s[d.pick[0].idx], &m, false);
		if (!err)
			err = send_redundant(c, &w, &d, &m);
		if (err)
			return err;
		*moved = true;
	}
	return 0;
}

/* Source -> msk -> the scheduler's subflows. */
static int pump_tx_mptcp(struct xd_conn *c, bool *moved)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	struct xd_sf *first = xd_conn_first(c);
	__u32 w;
	long n;
	int err;

	if (!may_send(c))
		return 0;
	while (!xd_ep_src_done(c->ep) && (w = xmp_msk_writable(msk)) > 0) {
		n = xd_ep_produce(c->ep, xfer_buf, w < sizeof(xfer_buf) ? w : sizeof(xfer_buf));
		if (n < 0)
			return (int)n;
		if (!n)
			break;
		if (xmp_msk_send(msk, xfer_buf, (size_t)n) != n)
			return -EIO; /* writable() promised the room */
		*moved = true;
	}
	if (xd_ep_src_done(c->ep) && !c->src_shut && !fallen_back(c) && !xmp_msk_shutdown(msk)) {
		c->src_shut = true; /* 3.3.3: DATA_FIN after the queued data */
		*moved = true;
	}
	err = pump_reinject(c, moved);
	if (!err)
		err = pump_sched(c, moved);
	if (err)
		return err;
	if (fallen_back(c) && xd_ep_src_done(c->ep) && !first->sf_shut &&
	    !after64(msk->write_seq, msk->snd_nxt)) {
		/* 3.7: everything is in the subflow; its FIN is the DATA_FIN */
		xmp_tcp_shutdown(first->sk, c->loop->now);
		first->sf_shut = c->src_shut = true;
		*moved = true;
	}
	return 0;
}

static int pump_plain(struct xd_conn *c, bool *moved)
{
	struct xd_sf *s = xd_conn_first(c);
	struct xmp_tcp_sock *sk = s->sk;
	size_t room;
	long n = -EAGAIN;
	__u32 w;

	while ((room = rx_room(c)) > 0 &&
	       (n = xmp_tcp_recv(sk, xfer_buf, room, c->loop->now)) > 0) {
		xd_ep_consume(c->ep, xfer_buf, (size_t)n);
		s->bytes_rcvd += (__u64)n;
		*moved = true;
	}
	if (room && !n && !c->ep->rcvd_eof && sk->state != XMP_TCP_CLOSED) {
		c->ep->rcvd_eof = true;
		*moved = true;
	}
	if (!may_send(c) || sk->state < XMP_TCP_ESTABLISHED)
		return 0;
	while (!xd_ep_src_done(c->ep) && (w = xmp_tcp_writable(sk)) > 0) {
		n = xd_ep_produce(c->ep, xfer_buf, w < sizeof(xfer_buf) ? w : sizeof(xfer_buf));
		if (n < 0)
			return (int)n;
		if (!n)
			break; /* file source at EOF */
		if (xmp_tcp_send(sk, xfer_buf, (size_t)n, c->loop->now) != n)
			return -EIO;
		s->bytes_sent += (__u64)n;
		*moved = true;
	}
	if (xd_ep_src_done(c->ep) && !s->sf_shut) {
		xmp_tcp_shutdown(sk, c->loop->now);
		s->sf_shut = c->src_shut = true;
		*moved = true;
	}
	return 0;
}

/* Both DATA_FINs acknowledged: the data level is closed (3.3.3). */
static bool msk_closed(const struct xmp_msk *msk)
{
	return msk->fin_acked && msk->rcv_fin_done;
}

/* The subflow for connection-level signals (DATA_ACK, DATA_FIN): the
 * usable one with the lowest RTT, non-backup first. */
struct xd_sf *xd_conn_signal_sf(const struct xd_conn *c)
{
	struct xd_sf *best = NULL;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (!xd_sf_usable(s) || s->sf.state != XMP_SF_ESTABLISHED)
			continue;
		if (!best || (sf_backup(best) && !sf_backup(s)) ||
		    (sf_backup(best) == sf_backup(s) && s->sk->srtt_us < best->sk->srtt_us))
			best = s;
	}
	return best;
}

/*
 * The app read from the msk and its window, small when last offered, grew
 * by two segments or more: the engine sees no change of its own buffer,
 * so the update is ours to send (receiver SWS avoidance as RFC 9293
 * 3.8.6.2.2, at the connection level).
 */
static bool wnd_reopened(struct xd_sf *s)
{
	struct xmp_tcp_sock *sk = s->sk;
	__u32 old = xmp_seq_after(sk->rcv_adv, sk->rcv_nxt) ? sk->rcv_adv - sk->rcv_nxt : 0;
	__u32 ring = sk->rcvq.cap - sk->rcvq.len;
	__u32 cur = xmp_sf_rcv_wnd(&s->sf, xmp_tcp_readable(sk), ring);

	if (cur > ring)
		cur = ring;
	return old < s->c->loop->msk_rcvbuf / 2 && cur >= old + 2 * (__u32)sk->mss;
}

/* The latest DATA_ACK went out on some subflow. */
static bool dack_current(const struct xd_conn *c, __u64 dack)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xd_sf_usable(c->sfs[i]) && c->sfs[i]->dack_valid && c->sfs[i]->dack_tx == dack)
			return true;
	return false;
}

static bool delack_pending(const struct xd_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xd_sf_usable(c->sfs[i]) && c->sfs[i]->sk->delack_at != XMP_TCP_NO_TIMER)
			return true;
	return false;
}

/*
 * A DATA_ACK or DATA_FIN the engines will not carry by themselves: the
 * peer's DATA_FIN arrives on a pure ACK (nothing for TCP to acknowledge),
 * our own DATA_FIN may be mapped after the last data left, and data an
 * engine acknowledged before it reached the msk left a stale DATA_ACK.
 */
static void mptcp_acks(struct xd_conn *c)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	struct xd_sf *s = xd_conn_signal_sf(c);

	if (!s)
		return;
	/*
	 * Not while some subflow's delayed ACK is pending: it carries the
	 * DATA_ACK soon. A stale DATA_ACK waits XD_DACK_US for the next
	 * segment's ACK to carry it: an extra pure ACK on a subflow the peer
	 * is sending on counts as a duplicate ACK there (RFC 5681 2), and a
	 * stream of them would keep its window down. A window that reopened
	 * is an update, not a duplicate, and the peer waits for it.
	 */
	if (delack_pending(c)) {
		c->dack_at = XMP_TCP_NO_TIMER;
	} else if (wnd_reopened(s)) {
		xd_sf_force_ack(s);
	} else if (!dack_current(c, xmp_msk_data_ack(msk))) {
		if (c->dack_at == XMP_TCP_NO_TIMER)
			c->dack_at = c->loop->now + XD_DACK_US;
	} else {
		c->dack_at = XMP_TCP_NO_TIMER;
	}
	if (!xmp_msk_fin_pending(msk)) {
		c->dfin_rtx_at = XMP_TCP_NO_TIMER;
		return;
	}
	if (c->dfin_rtx_at == XMP_TCP_NO_TIMER) {
		/* first time: make sure it leaves now, then time it */
		xd_sf_force_ack(s);
		c->dfin_rtx_at = c->loop->now + c->dfin_rto_us;
	}
}

static void close_sf(struct xd_conn *c, struct xd_sf *s)
{
	if (!s->sf_shut && xd_sf_open(s) && s->sk->state != XMP_TCP_TIME_WAIT) {
		xmp_tcp_shutdown(s->sk, c->loop->now);
		s->sf_shut = true;
	}
}

static void pump_close(struct xd_conn *c)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	bool closed = msk && !msk->fallback && msk_closed(msk);
	bool any_open = false;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (!xd_sf_open(s))
			continue;
		/* 3.3.3: the subflows close once the data level is done;
		 * plain TCP closes when the peer did. A joined subflow the
		 * peer closed while the connection goes on is closed too. */
		if (closed || (s->sk->state == XMP_TCP_CLOSE_WAIT &&
			       (!msk || ((s->join || xd_conn_live(c) > 1) && !msk->fallback))))
			close_sf(c, s);
		if (s->sk->state != XMP_TCP_TIME_WAIT)
			any_open = true;
	}
	/* Over once the subflows closed and the app has had everything: a
	 * slow app may still hold back bytes the msk keeps (no room). */
	if (!any_open && (c->err || c->ep->rcvd_eof || xd_ep_room(c->ep))) {
		if (!c->done)
			c->t_done = c->loop->now;
		c->done = true;
	}
}

/* Every subflow failed before the data level closed: the connection did. */
static void conn_check_alive(struct xd_conn *c)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	unsigned int i;

	if (c->err || xd_conn_live(c))
		return;
	if (msk && !msk->fallback && msk_closed(msk))
		return;
	for (i = 0; i < c->nsf; i++)
		if (c->sfs[i]->err) {
			c->err = c->sfs[i]->err;
			break;
		}
}

/* ACKs a subflow owes now: the fourth ACK of a join (3.2), the echo of
 * an ADD_ADDR; kept until the engine can send one. */
static void acks_due(struct xd_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (c->sfs[i]->ack_due && xd_sf_force_ack(c->sfs[i]))
			c->sfs[i]->ack_due = false;
}

static int pump_once(struct xd_conn *c, bool *moved)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	unsigned int i;
	int err;

	if (c->plain || !msk)
		return pump_plain(c, moved);
	conn_mptcp_ready(c);
	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (s->dead || !s->sk || !s->sf.msk)
			continue;
		xmp_sf_txmap_ack(&s->sf, s->sk->snd_una - s->sk->iss);
		if (s->sf.state == XMP_SF_FALLBACK)
			xmp_sf_fallback_ack(&s->sf, s->sk->snd_una - s->sk->iss);
	}
	err = pump_rx_mptcp(c, moved);
	if (!err)
		err = pump_tx_mptcp(c, moved);
	return err;
}

static bool conn_events(struct xd_conn *c)
{
	unsigned int i, ev = 0;

	for (i = 0; i < c->nsf; i++) {
		ev |= c->sfs[i]->events;
		c->sfs[i]->events = 0;
	}
	return ev != 0;
}

static void pump_error(struct xd_conn *c, int err)
{
	if (c->ep->failed) {
		pr_info("xmptcpd: connection %llu: the app went away (%s); closing it "
			"with MP_FASTCLOSE\n", (unsigned long long)c->id, strerror(-err));
		xd_conn_fastclose(c, err);
		return;
	}
	pr_warn("xmptcpd: connection %llu error: %s; resetting the subflows\n",
		(unsigned long long)c->id, strerror(-err));
	xd_conn_abort(c, err);
}

void xd_conn_pump(struct xd_conn *c)
{
	struct xd_sf *first = xd_conn_first(c);
	struct xmp_msk *msk;
	unsigned int guard = 0;
	bool moved, ev;
	int err = 0;

	if (!first || c->done)
		return;
	if (msk = xd_conn_msk(c), msk && msk->aborted) {
		xd_conn_abort(c, -ECONNRESET); /* MP_FASTCLOSE (3.5) */
		return;
	}
	do {
		moved = false;
		ev = conn_events(c);
		if (first->sk->state < XMP_TCP_ESTABLISHED && !c->t_established)
			break;
		err = xd_ep_flush(c->ep);
		if (!err)
			err = pump_once(c, &moved);
		if (err)
			break;
	} while ((moved || ev) && ++guard < 64);
	if (!err)
		err = xd_ep_flush(c->ep); /* what the last round read, and the EOF */
	if (err) {
		pump_error(c, err);
		return;
	}
	msk = xd_conn_msk(c);
	if (msk && !msk->fallback && c->t_established) {
		mptcp_acks(c);
		drtx_arm(c);
	}
	acks_due(c);
	conn_reap_subflows(c);
	conn_check_alive(c);
	pump_close(c);
	if (!c->done)
		xd_pm_run(c);
}

void xd_conn_input(struct xd_sf *s, const struct xmp_frame *f)
{
	struct xd_conn *c = s->c;

	xmp_tcp_input(s->sk, &f->seg, c->loop->now);
	xd_conn_pump(c);
}

__u64 xd_conn_next_timer(const struct xd_conn *c)
{
	__u64 t = c->dfin_rtx_at < c->dack_at ? c->dfin_rtx_at : c->dack_at, st;

	if (c->drtx_at < t)
		t = c->drtx_at;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		st = xd_sf_next_timer(c->sfs[i]);
		if (st < t)
			t = st;
	}
	st = xd_pm_next_timer(c);
	return st < t ? st : t;
}

void xd_conn_timer(struct xd_conn *c)
{
	__u64 now = c->loop->now;
	struct xd_sf *s;
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xd_sf_next_timer(c->sfs[i]) <= now)
			xd_sf_timer(c->sfs[i]);
	if (c->drtx_at <= now)
		drtx_fire(c);
	if (c->dack_at <= now) {
		c->dack_at = XMP_TCP_NO_TIMER;
		s = xd_conn_signal_sf(c);
		if (s && xd_conn_msk(c) && !dack_current(c, xmp_msk_data_ack(xd_conn_msk(c))))
			xd_sf_force_ack(s);
	}
	if (c->dfin_rtx_at <= now) {
		/* data-level retransmission of our DATA_FIN (Linux:
		 * mptcp_retransmit_timer), on the best subflow now */
		s = xd_conn_signal_sf(c);
		if (s)
			xd_sf_force_ack(s);
		c->dfin_rto_us = c->dfin_rto_us * 2 > XD_DFIN_RTO_MAX_US ? XD_DFIN_RTO_MAX_US
									: c->dfin_rto_us * 2;
		c->dfin_rtx_at = now + c->dfin_rto_us;
	}
	xd_conn_pump(c);
}

void xd_conn_close(struct xd_conn *c)
{
	xd_ep_stop(c->ep);
	c->closing = true;
	xd_conn_pump(c);
}

void xd_conn_abort(struct xd_conn *c, int err)
{
	unsigned int i;

	if (!c->err)
		c->err = err;
	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (xd_sf_open(s))
			xmp_tcp_abort(s->sk, err, c->loop->now);
	}
	conn_reap_subflows(c);
	c->done = true;
	c->t_done = c->loop->now;
}

void xd_conn_fastclose(struct xd_conn *c, int err)
{
	struct xmp_msk *msk = xd_conn_msk(c);
	unsigned int i;

	for (i = 0; msk && !msk->fallback && i < c->nsf; i++)
		if (c->sfs[i]->sf.state == XMP_SF_ESTABLISHED && xd_sf_usable(c->sfs[i]))
			xmp_sf_fastclose(&c->sfs[i]->sf);
	xd_conn_abort(c, err);
}

bool xd_conn_lingers(const struct xd_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xd_sf_open(c->sfs[i]))
			return true;
	return false;
}

bool xd_conn_ok(const struct xd_conn *c)
{
	const struct xmp_msk *msk = xd_conn_msk(c);
	unsigned int i;

	if (c->err || !c->ep->rcvd_eof || !xd_ep_flushed(c->ep))
		return false;
	if (msk && !msk->fallback && !msk->fin_acked)
		return false; /* after a fallback, the subflow's FIN was the DATA_FIN */
	for (i = 0; i < c->nsf; i++) {
		const struct xmp_tcp_sock *sk = c->sfs[i]->sk;

		if (sk && sk->state != XMP_TCP_TIME_WAIT && sk->state != XMP_TCP_CLOSED)
			return false;
	}
	return true;
}

/* One word for tables: the data level's state, else the subflow's. */
const char *xd_conn_state(const struct xd_conn *c)
{
	const struct xmp_msk *msk = xd_conn_msk(c);
	const struct xd_sf *first = xd_conn_first(c);

	if (c->err)
		return "error";
	if (msk)
		return xmp_msk_state_name(msk->state);
	return first && first->sk ? xmp_tcp_state_name(first->sk->state) : "closed";
}

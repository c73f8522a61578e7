// SPDX-License-Identifier: GPL-2.0
/*
 * One MPTCP connection of xmptcpd over its subflows (sflow.c): the data
 * sequence space (mptcp/conn.h, the msk, created by the initial subflow's
 * MP_CAPABLE exchange and shared by every joined subflow), the scheduler
 * (xmit.c) that decides which subflow carries each chunk, and the
 * application end (endpoint.c).
 *
 * The pump moves endpoint bytes into the msk and hands them to xmit.c,
 * which asks the scheduler, chunk by chunk, which subflow(s) carry the next
 * mapping; it drains the in-order bytes a subflow's engine buffered through
 * xmp_sf_data() into the reassembly buffer (those that found it empty went
 * there from their frame: sflow.c) and reads the msk into the sink. It also
 * sends the DATA_ACKs and the DATA_FIN the engines would not carry by
 * themselves. Close (3.3.3): DATA_FIN when the source is done, the
 * subflows' FINs once both DATA_FINs are acked.
 *
 * A subflow that fails or closes (xd_conn_sf_gone()) leaves its unacked
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
#include "io/addr.h"
#include "mptcp/crypto.h"
#include "app/xmptcpd.h"

#define XD_DFIN_RTO_US	   200000  /* first DATA_FIN retransmission */
#define XD_DFIN_RTO_MAX_US 3000000
#define XD_DACK_US	   2000    /* a stale DATA_ACK waits this long for a ride */

/* One worker: a single scratch buffer for copies between the layers. */
static __u8 xfer_buf[65536];

/* ---- creation ---- */

static int conn_alloc(struct xd_conn **out, struct xd_loop *l, const struct xd_ep_cfg *ep,
		      enum xmp_sf_role role)
{
	__u64 mem = xd_mem_conn_cost(l, ep->sock_fd >= 0);
	struct xd_conn *c;
	int err;

	*out = NULL;
	err = xd_mem_charge(l, mem); /* --max-mem: refused before anything exists */
	if (err)
		return err;
	c = calloc(1, sizeof(*c));
	if (!c) {
		xd_mem_uncharge(l, mem);
		return -ENOMEM;
	}
	c->mem = mem;
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
		xd_mem_uncharge(l, mem);
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

/* Both roles, once the initial subflow's SYN left or was answered (or
 * that failed: @err): the connection is named by it and known by its tuple. */
static int conn_started(struct xd_conn **out, struct xd_conn *c, struct xd_sf *s, int err)
{
	if (err)
		return conn_fail(c, err);
	c->laddr = s->laddr;
	c->raddr = s->raddr;
	c->lport = s->lport;
	c->rport = s->rport;
	conn_link_sf(c, s);
	xd_pm_conn_start(c);
	*out = c;
	return 0;
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
	return conn_started(out, c, s, err);
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
		pr_debug("xmptcpd: SYN without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
	}
	return conn_started(out, c, s, xd_sf_accept(s, port, syn));
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
	xd_mem_uncharge(c->loop, c->mem);
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
	xmp_mib_add(XMP_MIB_JOIN, l->join_mib, j->mib);
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
		xd_xmit_reinject(c, start, (__u32)(end - start));
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
		xd_mem_sf_trim(s);
	}
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

/* One worker: a checksummed run of mappings that wraps in a subflow's
 * ring is made contiguous here to be verified whole (3.3.1). */
static __u8 rx_run_buf[XMP_CSUM_RUN_MAX];

/*
 * One subflow's buffered in-order bytes -> reassembly (3.3.1 mappings),
 * each copied out of the subflow's ring once, in place (in-order segments
 * that found the ring empty went straight in: sflow.c, sf_rcv_data()).
 * A mapping that must be checked whole and wraps in the ring is copied
 * out contiguously first.
 */
static int rx_subflow(struct xd_conn *c, struct xd_sf *s, bool *moved)
{
	struct xmp_tcp_sock *sk = s->sk;
	__u32 n, ssn, took, want;
	const __u8 *p;
	int err;

	while (!s->rx_err && xmp_tcp_readable(sk)) {
		n = UINT32_MAX;
		p = xmp_tcp_recv_span(sk, &n);
		ssn = xmp_tcp_recv_seq(sk) - sk->irs;
		took = xd_sf_take(s, ssn, p, n, &want);
		/* cut by the ring's wrap, not by the data level's room */
		if (!took && want > n && want <= xmp_tcp_readable(sk) &&
		    want <= xmp_msk_rcv_wnd(s->sf.msk) && want <= sizeof(rx_run_buf)) {
			n = (__u32)xmp_tcp_peek(sk, rx_run_buf, want, 0);
			took = xd_sf_take(s, ssn, rx_run_buf, n, NULL);
		}
		if (!took)
			break; /* waiting for a mapping, the rest of a checksummed one, room */
		xmp_tcp_recv_consume(sk, took, c->loop->now);
		*moved = true;
	}
	err = s->rx_err;
	s->rx_err = 0;
	return err;
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
		c->t_eof = c->loop->now;
		*moved = true;
	}
	if (room && n < 0 && !c->ep->rcvd_eof && fallen_back(c) && !xmp_tcp_readable(first->sk) &&
	    !xmp_tcp_recv(first->sk, xfer_buf, 0, c->loop->now)) {
		c->ep->rcvd_eof = true; /* 3.7: the subflow's FIN ends the data */
		c->t_eof = c->loop->now;
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
		n = xd_ep_produce(c->ep, xfer_buf, w < sizeof(xfer_buf) ? w : sizeof(xfer_buf),
				  c->loop->now);
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
	err = xd_xmit_pump(c, moved);
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
		c->t_eof = c->loop->now;
		*moved = true;
	}
	if (!may_send(c) || sk->state < XMP_TCP_ESTABLISHED)
		return 0;
	while (!xd_ep_src_done(c->ep) && (w = xmp_tcp_writable(sk)) > 0) {
		n = xd_ep_produce(c->ep, xfer_buf, w < sizeof(xfer_buf) ? w : sizeof(xfer_buf),
				  c->loop->now);
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
		if (!best || (xd_sf_backup(best) && !xd_sf_backup(s)) ||
		    (xd_sf_backup(best) == xd_sf_backup(s) && s->sk->srtt_us < best->sk->srtt_us))
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

/* 3.7: after a fallback no DATA_ACK rides, but the subflow still offers
 * the connection's window (xmp_sf_rcv_wnd()) and its own buffer stays
 * empty (in-order bytes go from their frames to the msk): a window the
 * application's reading reopened is for us to announce, as above. */
static void fallback_acks(struct xd_conn *c)
{
	struct xd_sf *s = xd_conn_first(c);

	if (xd_sf_usable(s) && wnd_reopened(s))
		xd_sf_force_ack(s);
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
		/* 3.3.3: the subflows close once the data level is done. A
		 * joined subflow the peer closed while the connection goes on
		 * is closed too. Plain TCP is half-closed: its FIN leaves from
		 * pump_plain once our own source ended, not when the peer's
		 * FIN came (that cut off what the app had still to send). */
		if (closed || (s->sk->state == XMP_TCP_CLOSE_WAIT && msk &&
			       (s->join || xd_conn_live(c) > 1) && !msk->fallback))
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
	xd_xmit_keep(c);
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
		xd_drtx_arm(c);
	} else if (msk && c->t_established) {
		fallback_acks(c);
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
		xd_drtx_fire(c);
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

/* Every subflow closed at once, with a RST (@rst) or without a word. */
static void conn_end(struct xd_conn *c, int err, bool rst)
{
	unsigned int i;

	if (!c->err)
		c->err = err;
	for (i = 0; i < c->nsf; i++) {
		struct xd_sf *s = c->sfs[i];

		if (!xd_sf_open(s))
			continue;
		if (rst)
			xmp_tcp_abort(s->sk, err, c->loop->now);
		else
			xmp_tcp_drop(s->sk, err, c->loop->now);
	}
	conn_reap_subflows(c);
	c->done = true;
	c->t_done = c->loop->now;
}

void xd_conn_abort(struct xd_conn *c, int err)
{
	conn_end(c, err, true);
}

void xd_conn_drop(struct xd_conn *c, int err)
{
	conn_end(c, err, false);
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

// SPDX-License-Identifier: GPL-2.0
/*
 * The pump of a connection: it moves the application's bytes into the msk
 * and hands them to xmit.c, which asks the scheduler, chunk by chunk,
 * which subflow(s) carry the next mapping; it drains in-order bytes of
 * every subflow through xmp_sf_data() into the reassembly buffer and hands
 * the msk's in-order bytes to the application. Then close.c sends the
 * DATA_ACKs and the DATA_FIN the engines would not carry by themselves,
 * and closes (3.3.3): DATA_FIN when the source is done, the subflows' FINs
 * once both DATA_FINs are acked.
 *
 * The application end is the host's (ops->app_*): it writes into a span of
 * the msk's send ring and reads from a span of its receive ring (or, for
 * plain TCP, the engine's rings), so no buffer sits in between.
 *
 * Call chain: xc_input -> xc_conn_input -> xmp_tcp_input -> xc_conn_pump;
 * the host -> xc_conn_pump when its application can give or take bytes.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "conn/xc_int.h"

/* ---- the application end (the host's) ---- */

static size_t app_room(const struct xc_conn *c)
{
	return c->st->ops->app_room(c->st->host, c->app.ctx);
}

/* The application takes what it has room for of the @len bytes at @p, a
 * span of a receive ring. Returns what it took. */
static __u32 app_take(struct xc_conn *c, const __u8 *p, __u32 len, size_t room)
{
	__u32 n = len < room ? len : (__u32)room;

	c->st->ops->app_consume(c->st->host, c->app.ctx, p, n);
	c->app_rcvd += n;
	return n;
}

/* The application's next bytes into @len at @buf, a span of a send ring. */
static long app_give(struct xc_conn *c, __u8 *buf, __u32 len)
{
	bool eof = false;
	long n = c->st->ops->app_produce(c->st->host, c->app.ctx, buf, len, &eof);

	if (n > 0)
		c->app_sent += (__u64)n;
	if (eof)
		c->app_eof = true;
	return n;
}

static int app_flush(struct xc_conn *c)
{
	const struct xc_host_ops *ops = c->st->ops;

	return ops->app_flush ? ops->app_flush(c->st->host, c->app.ctx, c->rcvd_eof) : 0;
}

/* The peer's data ended and the application's side has all of it. */
static void rcvd_eof(struct xc_conn *c, bool *moved)
{
	c->rcvd_eof = true;
	c->t_eof = xc_now(c->st);
	*moved = true;
}

/* ---- receiving ---- */

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
static int rx_subflow(struct xc_conn *c, struct xc_sf *s, bool *moved)
{
	struct xmp_tcp_sock *sk = s->sk;
	__u32 n, ssn, took, want;
	const __u8 *p;
	int err;

	if (!s->sf.msk)
		return 0; /* a join still in its handshake */
	while (!s->rx_err && xmp_tcp_readable(sk)) {
		p = xmp_tcp_recv_span(sk, 0, &n);
		ssn = xmp_tcp_recv_seq(sk) - sk->irs;
		took = xc_sf_take(s, ssn, p, n, &want);
		/* cut by the ring's wrap, not by the data level's room */
		if (!took && want > n && want <= xmp_tcp_readable(sk) &&
		    want <= xmp_msk_rcv_wnd(s->sf.msk) && want <= sizeof(rx_run_buf)) {
			n = (__u32)xmp_tcp_peek(sk, rx_run_buf, want, 0);
			took = xc_sf_take(s, ssn, rx_run_buf, n, NULL);
		}
		if (!took)
			break; /* waiting for a mapping, the rest of a checksummed one, room */
		xmp_tcp_recv_commit(sk, took, xc_now(c->st));
		*moved = true;
	}
	err = s->rx_err;
	s->rx_err = 0;
	return err;
}

/* A subflow's own error ends it, not the connection, while others live. */
static int sf_error(struct xc_conn *c, struct xc_sf *s, int err)
{
	if (xc_conn_live(c) <= 1 || c->plain || xc_conn_fallen_back(c))
		return err;
	pr_info("xmptcpd: connection %llu: subflow %u: %s; resetting it\n",
		(unsigned long long)c->id, s->id, strerror(-err));
	s->err = err;
	xmp_tcp_abort(s->sk, err, xc_now(c->st));
	xc_conn_sf_gone(c, s);
	return 0;
}

/* Every subflow's bytes -> reassembly -> the application. */
static int pump_rx_mptcp(struct xc_conn *c, bool *moved)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	struct xc_sf *first = xc_conn_first(c);
	const __u8 *p;
	unsigned int i;
	size_t room;
	__u32 len;
	int err;

	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (s->dead || !s->sk)
			continue;
		err = rx_subflow(c, s, moved);
		if (err && (err = sf_error(c, s, err)))
			return err;
	}
	/* an app that lags leaves the rest in the msk, whose window closes */
	while ((room = app_room(c)) > 0 && (p = xmp_msk_read_span(msk, &len))) {
		xmp_msk_read_commit(msk, app_take(c, p, len, room));
		*moved = true;
	}
	if (!room || xmp_msk_readable(msk) || c->rcvd_eof)
		return 0;
	if (msk->rcv_fin_done)
		rcvd_eof(c, moved); /* 3.3.3: the peer's DATA_FIN reached in order */
	else if (xc_conn_fallen_back(c) && !xmp_tcp_readable(first->sk) &&
		 !xmp_tcp_recv(first->sk, NULL, 0, xc_now(c->st)))
		rcvd_eof(c, moved); /* 3.7: the subflow's FIN ends the data */
	return 0;
}

/* ---- sending ---- */

/* The built-in server answers after the client's data ended (as a
 * request/response); the client and the proxies send at once. */
static bool may_send(const struct xc_conn *c)
{
	return !c->app.reply || c->rcvd_eof || c->closing;
}

/* The application -> msk -> the scheduler's subflows. */
static int pump_tx_mptcp(struct xc_conn *c, bool *moved)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	struct xc_sf *first = xc_conn_first(c);
	__u8 *p;
	__u32 w;
	long n;
	int err;

	if (!may_send(c))
		return 0;
	while (!c->app_eof && (p = xmp_msk_send_span(msk, &w))) {
		n = app_give(c, p, w);
		if (n < 0)
			return (int)n;
		if (!n)
			break;
		xmp_msk_send_commit(msk, (__u32)n);
		*moved = true;
	}
	if (c->app_eof && !c->src_shut && !xc_conn_fallen_back(c) && !xmp_msk_shutdown(msk)) {
		c->src_shut = true; /* 3.3.3: DATA_FIN after the queued data */
		*moved = true;
	}
	err = xc_xmit_pump(c, moved);
	if (err)
		return err;
	if (xc_conn_fallen_back(c) && c->app_eof && !first->sf_shut &&
	    !after64(msk->write_seq, msk->snd_nxt)) {
		/* 3.7: everything is in the subflow; its FIN is the DATA_FIN */
		xmp_tcp_shutdown(first->sk, xc_now(c->st));
		first->sf_shut = c->src_shut = true;
		*moved = true;
	}
	return 0;
}

/* ---- plain TCP: the engine's rings are the connection's ---- */

/* The application takes what it has room for of the engine's in-order
 * bytes, both spans of a wrapped ring, committed at once as one read. */
static __u32 plain_take(struct xc_conn *c, struct xmp_tcp_sock *sk, size_t room)
{
	const __u8 *p;
	__u32 got = 0, len, n;

	while (got < room && (p = xmp_tcp_recv_span(sk, got, &len))) {
		n = app_take(c, p, len, room - got);
		got += n;
		if (n < len)
			break;
	}
	xmp_tcp_recv_commit(sk, got, xc_now(c->st));
	return got;
}

/* The application's bytes into the engine's send ring, both spans of a
 * wrapped ring, queued at once as one send. */
static long plain_give(struct xc_conn *c, struct xmp_tcp_sock *sk)
{
	__u32 got = 0, len;
	__u8 *p;
	long n = 0;

	while (!c->app_eof && (p = xmp_tcp_send_span(sk, got, &len))) {
		n = app_give(c, p, len);
		if (n <= 0)
			break;
		got += (__u32)n;
		if ((__u32)n < len)
			break;
	}
	if (n < 0)
		return n;
	if (got && xmp_tcp_send_commit(sk, got, xc_now(c->st)) != got)
		return -EIO;
	return got;
}

static int pump_plain(struct xc_conn *c, bool *moved)
{
	struct xc_sf *s = xc_conn_first(c);
	struct xmp_tcp_sock *sk = s->sk;
	size_t room;
	long n;

	while ((room = app_room(c)) > 0 && xmp_tcp_readable(sk)) {
		s->bytes_rcvd += plain_take(c, sk, room);
		*moved = true;
	}
	if (room && !c->rcvd_eof && sk->state != XMP_TCP_CLOSED &&
	    !xmp_tcp_recv(sk, NULL, 0, xc_now(c->st)))
		rcvd_eof(c, moved);
	if (!may_send(c) || sk->state < XMP_TCP_ESTABLISHED)
		return 0;
	while (!c->app_eof && xmp_tcp_writable(sk)) {
		n = plain_give(c, sk);
		if (n < 0)
			return (int)n;
		if (!n)
			break; /* nothing from the application now */
		s->bytes_sent += (__u64)n;
		*moved = true;
	}
	if (c->app_eof && !s->sf_shut) {
		xmp_tcp_shutdown(sk, xc_now(c->st));
		s->sf_shut = c->src_shut = true;
		*moved = true;
	}
	return 0;
}

/* ---- the pump ---- */

static int pump_once(struct xc_conn *c, bool *moved)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	unsigned int i;
	int err;

	if (c->plain || !msk)
		return pump_plain(c, moved);
	xc_conn_mptcp_ready(c);
	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (s->dead || !s->sk || !s->sf.msk)
			continue;
		xmp_sf_txmap_ack(&s->sf, s->sk->snd_una - s->sk->iss);
		if (s->sf.state == XMP_SF_FALLBACK)
			xmp_sf_fallback_ack(&s->sf, s->sk->snd_una - s->sk->iss);
	}
	xc_xmit_keep(c);
	err = pump_rx_mptcp(c, moved);
	if (!err)
		err = pump_tx_mptcp(c, moved);
	return err;
}

static bool conn_events(struct xc_conn *c)
{
	unsigned int i, ev = 0;

	for (i = 0; i < c->nsf; i++) {
		ev |= c->sfs[i]->events;
		c->sfs[i]->events = 0;
	}
	return ev != 0;
}

static void pump_error(struct xc_conn *c, int err)
{
	struct xc_app_info info = {};

	if (c->st->ops->app_info)
		c->st->ops->app_info(c->st->host, c->app.ctx, &info);
	if (info.failed) {
		pr_info("xmptcpd: connection %llu: the app went away (%s); closing it "
			"with MP_FASTCLOSE\n", (unsigned long long)c->id, strerror(-err));
		xc_conn_fastclose(c, err);
		return;
	}
	pr_warn("xmptcpd: connection %llu error: %s; resetting the subflows\n",
		(unsigned long long)c->id, strerror(-err));
	xc_conn_abort(c, err);
}

bool xc_conn_rx_waiting(const struct xc_conn *c)
{
	const struct xmp_msk *msk = xc_conn_msk(c);
	const struct xc_sf *first = xc_conn_first(c);

	if (msk)
		return xmp_msk_readable(msk);
	return c->plain && first && first->sk && xmp_tcp_readable(first->sk);
}

void xc_conn_pump(struct xc_conn *c)
{
	struct xc_sf *first = xc_conn_first(c);
	struct xmp_msk *msk;
	unsigned int guard = 0;
	bool moved, ev;
	int err = 0;

	if (!first || c->done)
		return;
	if (msk = xc_conn_msk(c), msk && msk->aborted) {
		xc_conn_abort(c, -ECONNRESET); /* MP_FASTCLOSE (3.5) */
		return;
	}
	do {
		moved = false;
		ev = conn_events(c);
		if (first->sk->state < XMP_TCP_ESTABLISHED && !c->t_established)
			break;
		err = app_flush(c);
		if (!err)
			err = pump_once(c, &moved);
		if (err)
			break;
	} while ((moved || ev) && ++guard < 64);
	if (!err)
		err = app_flush(c); /* what the last round read, and the EOF */
	if (err) {
		pump_error(c, err);
		return;
	}
	/* That flush may have made room for bytes still waiting (the rounds
	 * ran out, or the app's socket drained meanwhile), and the host
	 * hears of no new room when its socket took it all (EPOLLOUT is an
	 * edge): the connection's timer brings the next pump at once. */
	c->repump = app_room(c) && xc_conn_rx_waiting(c);
	msk = xc_conn_msk(c);
	if (msk && !msk->fallback && c->t_established) {
		xc_conn_mptcp_acks(c);
		xc_drtx_arm(c);
	} else if (msk && c->t_established) {
		xc_conn_fallback_acks(c);
	}
	xc_conn_acks_due(c);
	xc_conn_reap_subflows(c);
	xc_conn_check_alive(c);
	xc_conn_pump_close(c);
	if (!c->done)
		xc_pm_run(c);
}

void xc_conn_input(struct xc_sf *s, const struct xmp_frame *f)
{
	struct xc_conn *c = s->c;

	xmp_tcp_input_rx(s->sk, &f->seg, &f->opts, xc_now(c->st));
	xc_conn_pump(c);
}

void xc_conn_shutdown(struct xc_conn *c)
{
	c->app_eof = true;
	xc_conn_pump(c);
}

void xc_conn_close(struct xc_conn *c)
{
	c->app_eof = true;
	c->closing = true;
	xc_conn_pump(c);
}

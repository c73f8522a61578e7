// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a connection and the connection-level signals the subflow
 * engines would not carry by themselves: the DATA_ACK that went stale, the
 * DATA_FIN and its data-level retransmission, the ACKs a subflow owes
 * (a join's fourth ACK, an ADD_ADDR echo), the subflows' FINs once both
 * DATA_FINs are acked (3.3.3), abort, drop and MP_FASTCLOSE (3.5), and the
 * connection's timers.
 *
 * Call chain: xc_conn_pump (pump.c) -> xc_conn_mptcp_acks, acks_due,
 * check_alive, pump_close; xc_stack_timers -> xc_conn_timer.
 */
#include <errno.h>

#include "conn/xc_int.h"

#define XC_DFIN_RTO_MAX_US 3000000
#define XC_DACK_US	   2000 /* a stale DATA_ACK waits this long for a ride */
#define XC_DACK_BACKOFF_MAX 7	/* ... doubled while forced ACKs cannot carry it: 256 ms */
/* Once both DATA_FINs are acked, the subflows have this long to close (as
 * Linux's mptcp_close_timeout, TCP_TIMEWAIT_LEN): one whose path died
 * silently would otherwise hold the finished connection for as long as
 * its FIN retransmissions last (about ten minutes). */
#define XC_LINGER_US	   60000000

/* Both DATA_FINs acknowledged: the data level is closed (3.3.3). */
static bool msk_closed(const struct xmp_msk *msk)
{
	return msk->fin_acked && msk->rcv_fin_done;
}

/* The subflow for connection-level signals (DATA_ACK, DATA_FIN): the
 * usable one with the lowest RTT, non-backup first. */
struct xc_sf *xc_conn_signal_sf(const struct xc_conn *c)
{
	struct xc_sf *best = NULL;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (!xc_sf_usable(s) || s->sf.state != XMP_SF_ESTABLISHED)
			continue;
		if (!best || (xc_sf_backup(best) && !xc_sf_backup(s)) ||
		    (xc_sf_backup(best) == xc_sf_backup(s) && s->sk->srtt_us < best->sk->srtt_us))
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
static bool wnd_reopened(struct xc_sf *s)
{
	struct xmp_tcp_sock *sk = s->sk;
	__u32 old = xmp_seq_after(sk->rcv_adv, sk->rcv_nxt) ? sk->rcv_adv - sk->rcv_nxt : 0;
	__u32 ring = sk->rcvq.cap - sk->rcvq.len;
	__u32 cur = xmp_sf_rcv_wnd(&s->sf, xmp_tcp_readable(sk), ring);

	if (cur > ring)
		cur = ring;
	return old < s->c->st->cfg.msk_rcvbuf / 2 && cur >= old + 2 * (__u32)sk->mss;
}

/* The latest DATA_ACK went out on some subflow. */
static bool dack_current(const struct xc_conn *c, __u64 dack)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xc_sf_usable(c->sfs[i]) && c->sfs[i]->dack_valid && c->sfs[i]->dack_tx == dack)
			return true;
	return false;
}

static bool delack_pending(const struct xc_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xc_sf_usable(c->sfs[i]) && c->sfs[i]->sk->delack_at != XMP_TCP_NO_TIMER)
			return true;
	return false;
}

/*
 * A DATA_ACK or DATA_FIN the engines will not carry by themselves: the
 * peer's DATA_FIN arrives on a pure ACK (nothing for TCP to acknowledge),
 * our own DATA_FIN may be mapped after the last data left, and data an
 * engine acknowledged before it reached the msk left a stale DATA_ACK.
 */
void xc_conn_mptcp_acks(struct xc_conn *c)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	struct xc_sf *s = xc_conn_signal_sf(c);
	__u64 now = xc_now(c->st);

	if (!s)
		return;
	/*
	 * Not while some subflow's delayed ACK is pending: it carries the
	 * DATA_ACK soon. A stale DATA_ACK waits XC_DACK_US for the next
	 * segment's ACK to carry it: an extra pure ACK on a subflow the peer
	 * is sending on counts as a duplicate ACK there (RFC 5681 2), and a
	 * stream of them would keep its window down. A window that reopened
	 * is an update, not a duplicate, and the peer waits for it.
	 */
	if (delack_pending(c)) {
		c->dack_at = XMP_TCP_NO_TIMER;
	} else if (wnd_reopened(s)) {
		xc_sf_force_ack(s);
	} else if (!dack_current(c, xmp_msk_data_ack(msk))) {
		if (c->dack_at == XMP_TCP_NO_TIMER)
			c->dack_at = now + ((__u64)XC_DACK_US << c->dack_backoff);
	} else {
		c->dack_at = XMP_TCP_NO_TIMER;
		c->dack_backoff = 0;
	}
	if (!xmp_msk_fin_pending(msk)) {
		c->dfin_rtx_at = XMP_TCP_NO_TIMER;
		return;
	}
	if (c->dfin_rtx_at == XMP_TCP_NO_TIMER) {
		/* first time: make sure it leaves now, then time it */
		xc_sf_force_ack(s);
		c->dfin_rtx_at = now + c->dfin_rto_us;
	}
}

/* 3.7: after a fallback no DATA_ACK rides, but the subflow still offers
 * the connection's window (xmp_sf_rcv_wnd()) and its own buffer stays
 * empty (in-order bytes go from their frames to the msk): a window the
 * application's reading reopened is for us to announce, as above. */
void xc_conn_fallback_acks(struct xc_conn *c)
{
	struct xc_sf *s = xc_conn_first(c);

	if (xc_sf_usable(s) && wnd_reopened(s))
		xc_sf_force_ack(s);
}

static void close_sf(struct xc_conn *c, struct xc_sf *s)
{
	if (!s->sf_shut && xc_sf_open(s) && s->sk->state != XMP_TCP_TIME_WAIT) {
		xmp_tcp_shutdown(s->sk, xc_now(c->st));
		s->sf_shut = true;
	}
}

/* The transfer is over: once, and the host hears of it. */
static void conn_done(struct xc_conn *c)
{
	if (c->done)
		return;
	c->done = true;
	c->t_done = xc_now(c->st);
	xc_conn_event(c, XC_EV_DONE);
}

/* The data level is closed and some subflow still is not: from
 * XC_LINGER_US on, those left are reset. Every byte is acked at the data
 * level by then, so a reset loses nothing. true once they were. */
static bool linger_limit(struct xc_conn *c)
{
	__u64 now = xc_now(c->st);
	unsigned int i;

	if (c->linger_end == XMP_TCP_NO_TIMER)
		c->linger_end = now + XC_LINGER_US;
	if (now < c->linger_end)
		return false;
	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (xc_sf_open(s) && s->sk->state != XMP_TCP_TIME_WAIT)
			xmp_tcp_abort(s->sk, -ETIMEDOUT, now);
	}
	c->linger_end = XMP_TCP_NO_TIMER; /* done: no deadline left due */
	xc_conn_reap_subflows(c);
	return true;
}

void xc_conn_pump_close(struct xc_conn *c)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	bool closed = msk && !msk->fallback && msk_closed(msk);
	bool any_open = false;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (!xc_sf_open(s))
			continue;
		/* 3.3.3: the subflows close once the data level is done. A
		 * joined subflow the peer closed while the connection goes on
		 * is closed too. Plain TCP is half-closed: its FIN leaves from
		 * pump_plain once our own source ended, not when the peer's
		 * FIN came (that cut off what the app had still to send). */
		if (closed || (s->sk->state == XMP_TCP_CLOSE_WAIT && msk &&
			       (s->join || xc_conn_live(c) > 1) && !msk->fallback))
			close_sf(c, s);
		if (s->sk->state != XMP_TCP_TIME_WAIT)
			any_open = true;
	}
	/* None left to reset: a deadline kept would stay due while a slow
	 * app holds the connection open, the host's timer firing turn after
	 * turn. */
	if (!closed || !any_open)
		c->linger_end = XMP_TCP_NO_TIMER;
	else if (linger_limit(c))
		any_open = false; /* those left were reset */
	/* Over once the subflows closed and the app has had everything: a
	 * slow app may still hold back bytes the msk keeps. Room in the app
	 * is no proof that it has them all: the last flush of a pump can
	 * make room while the msk still holds bytes (a slow reader after
	 * both DATA_FINs; test_conn_found slow_reader_after_close). */
	if (!any_open && (c->err || c->rcvd_eof ||
			  (c->st->ops->app_room(c->st->host, c->app.ctx) && !xc_conn_rx_waiting(c))))
		conn_done(c);
}

void xc_conn_check_alive(struct xc_conn *c)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	unsigned int i;

	if (c->err || xc_conn_live(c))
		return;
	if (msk && !msk->fallback && msk_closed(msk))
		return;
	for (i = 0; i < c->nsf; i++)
		if (c->sfs[i]->err) {
			c->err = c->sfs[i]->err;
			break;
		}
}

void xc_conn_acks_due(struct xc_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (c->sfs[i]->ack_due && xc_sf_force_ack(c->sfs[i]))
			c->sfs[i]->ack_due = false;
}

/* ---- timers ---- */

/* The stale DATA_ACK on a pure ACK of its own. When that ACK could not
 * carry it either (SACK blocks and an MP_FAIL took the room, a signal went
 * alone), the next try waits twice as long: a stream of them every 2 ms
 * would be an ACK storm (the fuzzer's 50,000 events in one record). */
static void dack_force(struct xc_conn *c, struct xc_sf *s)
{
	xc_sf_force_ack(s);
	if (!dack_current(c, xmp_msk_data_ack(xc_conn_msk(c))) &&
	    c->dack_backoff < XC_DACK_BACKOFF_MAX)
		c->dack_backoff++;
}

__u64 xc_conn_next_timer(const struct xc_conn *c)
{
	__u64 t = c->dfin_rtx_at < c->dack_at ? c->dfin_rtx_at : c->dack_at, st;
	unsigned int i;

	if (c->repump && !c->done)
		return xc_now(c->st);

	if (c->drtx_at < t)
		t = c->drtx_at;
	if (c->linger_end < t && !c->done)
		t = c->linger_end;
	for (i = 0; i < c->nsf; i++) {
		st = xc_sf_next_timer(c->sfs[i]);
		if (st < t)
			t = st;
	}
	st = xc_pm_next_timer(c);
	return st < t ? st : t;
}

void xc_conn_timer(struct xc_conn *c)
{
	__u64 now = xc_now(c->st);
	struct xc_sf *s;
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xc_sf_next_timer(c->sfs[i]) <= now)
			xc_sf_timer(c->sfs[i]);
	if (c->drtx_at <= now)
		xc_drtx_fire(c);
	if (c->dack_at <= now) {
		c->dack_at = XMP_TCP_NO_TIMER;
		s = xc_conn_signal_sf(c);
		if (s && xc_conn_msk(c) && !dack_current(c, xmp_msk_data_ack(xc_conn_msk(c))))
			dack_force(c, s);
	}
	if (c->dfin_rtx_at <= now) {
		/* data-level retransmission of our DATA_FIN (Linux:
		 * mptcp_retransmit_timer), on the best subflow now */
		s = xc_conn_signal_sf(c);
		if (s)
			xc_sf_force_ack(s);
		c->dfin_rto_us = c->dfin_rto_us * 2 > XC_DFIN_RTO_MAX_US ? XC_DFIN_RTO_MAX_US
									: c->dfin_rto_us * 2;
		c->dfin_rtx_at = now + c->dfin_rto_us;
	}
	xc_conn_pump(c);
}

/* ---- the end ---- */

/* Every subflow closed at once, with a RST (@rst) or without a word. */
static void conn_end(struct xc_conn *c, int err, bool rst)
{
	__u64 now = xc_now(c->st);
	unsigned int i;

	if (!c->err)
		c->err = err;
	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (!xc_sf_open(s))
			continue;
		if (rst)
			xmp_tcp_abort(s->sk, err, now);
		else
			xmp_tcp_drop(s->sk, err, now);
	}
	xc_conn_reap_subflows(c);
	c->t_done = now; /* when it ended, even if it was over before */
	conn_done(c);
}

void xc_conn_abort(struct xc_conn *c, int err)
{
	conn_end(c, err, true);
}

void xc_conn_drop(struct xc_conn *c, int err)
{
	conn_end(c, err, false);
}

void xc_conn_fastclose(struct xc_conn *c, int err)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	unsigned int i;

	for (i = 0; msk && !msk->fallback && i < c->nsf; i++)
		if (c->sfs[i]->sf.state == XMP_SF_ESTABLISHED && xc_sf_usable(c->sfs[i]))
			xmp_sf_fastclose(&c->sfs[i]->sf);
	xc_conn_abort(c, err);
}

bool xc_conn_lingers(const struct xc_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		if (xc_sf_open(c->sfs[i]))
			return true;
	return false;
}

bool xc_conn_ok(const struct xc_conn *c)
{
	const struct xmp_msk *msk = xc_conn_msk(c);
	unsigned int i;

	if (c->err || !c->rcvd_eof)
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

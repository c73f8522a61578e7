// SPDX-License-Identifier: GPL-2.0
/*
 * What goes on which subflow of a connection (conn.c keeps the connection,
 * sflow.c each subflow):
 *  - the scheduler (include/xmptcp/sched.h) decides per chunk from a view of
 *    the subflows (RTT, cwnd, what each holds, window room); a redundant
 *    decision sends the same data on several;
 *  - the connection-level window is shared with every subflow's engine
 *    (3.3.4): a subflow that carried nothing lately still holds an old one;
 *  - reinjection: data of a subflow that failed goes again on the others
 *    (xc_xmit_reinject()); when the connection-level window is blocked by
 *    data outstanding on a slower subflow, that data goes again on a faster
 *    one and the slow one's cwnd is halved at most once per its RTT
 *    (opportunistic reinjection and penalisation, Raiciu et al., NSDI 2012,
 *    as the original Linux MPTCP did);
 *  - the data-level retransmission timer resends the oldest unacked data
 *    when the DATA_ACK stalls (3.3.6);
 *  - none of these copies goes on a subflow that may still fall back to
 *    plain TCP (3.7, xmp_sf_may_copy()): after a fallback the peer takes
 *    that subflow's bytes for the data stream, so a copy in it would be
 *    delivered as the data that follows. TCP retransmits there instead.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "conn/xc_int.h"

#define XC_SHARED_WND_MAX (1u << 30) /* the largest window TCP can offer (RFC 7323) */
#define XC_DRTX_MIN_US	  200000     /* data-level retransmission timeout floor */
#define XC_DRTX_MAX_US	  3000000
#define XC_DRTX_CHUNK	  (256u << 10) /* data sent again per expiry */

static __u32 min32(__u64 a, __u64 b)
{
	__u64 m = a < b ? a : b;

	return m > UINT32_MAX ? UINT32_MAX : (__u32)m;
}

/* ---- reinjection ---- */

/* Data [dsn, dsn + len) goes again on another subflow. */
void xc_xmit_reinject(struct xc_conn *c, __u64 dsn, __u32 len)
{
	struct xc_reinj *last = c->nrq ? &c->rq[c->nrq - 1] : NULL;

	if (last && last->dsn + last->len == dsn && last->len + len > last->len) {
		last->len += len;
		return;
	}
	if (c->nrq == XC_REINJ_MAX) {
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

/* ---- data-level retransmission (3.3.6) ---- */

/*
 * Data the subflows acknowledged can still be missing at the data level:
 * the peer dropped it (its reassembly out-of-order table was full) or a
 * subflow that held it died before our reinjection saw it. With no DATA_ACK
 * progress for several RTTs of the slowest subflow, the oldest
 * unacknowledged data goes again (Linux: mptcp_retransmit_timer), whatever
 * the subflows still have in flight: zero-window probes keep a stalled
 * subflow "busy" forever. A copy that was not needed is a duplicate the
 * peer drops. Never on the single subflow of a connection that may still
 * fall back (pump_reinject() drops it: 3.7), which holds every
 * outstanding DSN and retransmits its own losses at the TCP level.
 */
static __u32 drtx_timeout(const struct xc_conn *c)
{
	__u32 t = XC_DRTX_MIN_US, srtt;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		if (!xc_sf_usable(c->sfs[i]))
			continue;
		srtt = 4 * c->sfs[i]->sk->srtt_us;
		if (srtt > t)
			t = srtt;
	}
	t <<= c->drtx_backoff;
	return t > XC_DRTX_MAX_US ? XC_DRTX_MAX_US : t;
}

void xc_drtx_arm(struct xc_conn *c)
{
	struct xmp_msk *msk = xc_conn_msk(c);

	if (!msk || msk->fallback || msk->snd_una == msk->snd_nxt) {
		c->drtx_at = XMP_TCP_NO_TIMER;
		c->drtx_backoff = 0;
		return;
	}
	if (msk->snd_una != c->drtx_una) {
		/* progress: a fresh timeout from now */
		c->drtx_una = msk->snd_una;
		c->drtx_backoff = 0;
		c->drtx_at = xc_now(c->st) + drtx_timeout(c);
	} else if (c->drtx_at == XMP_TCP_NO_TIMER) {
		c->drtx_at = xc_now(c->st) + drtx_timeout(c);
	}
}

/*
 * The DATA_ACK stalled on a subflow that may still fall back, and the
 * peer's last segment carried no MPTCP option at all: it fell back, or a
 * middlebox strips the options (3.7). No DATA_ACK will come, nothing is
 * sent again there (pump_reinject()), and with the data-level window full
 * no new segment draws the run of bare ACKs that resets the subflow
 * (XMP_SF_NO_DSS_MAX): the connection would wait for its timeout. Reset
 * it now; a fallback here is not ours to take after DATA_ACKs were seen.
 */
static bool drtx_options_gone(struct xc_conn *c)
{
	struct xc_sf *s = xc_conn_first(c);

	if (!s || xmp_sf_may_copy(&s->sf) || !s->sf.no_dss_run)
		return false;
	xc_conn_abort(c, -ECONNRESET);
	return true;
}

void xc_drtx_fire(struct xc_conn *c)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	__u64 out;

	c->drtx_at = XMP_TCP_NO_TIMER;
	if (!msk || msk->fallback || msk->snd_una == msk->snd_nxt)
		return;
	if (drtx_options_gone(c))
		return;
	out = msk->snd_nxt - msk->snd_una - (msk->fin_mapped ? 1 : 0);
	if (out)
		xc_xmit_reinject(c, msk->snd_una, (__u32)(out < XC_DRTX_CHUNK ? out : XC_DRTX_CHUNK));
	c->drtx_count++;
	if (c->drtx_backoff < 4)
		c->drtx_backoff++;
	c->drtx_at = xc_now(c->st) + drtx_timeout(c);
}

/* ---- the send buffer the subflows send from ---- */

/* A subflow holding more than this share of the send buffer behind the
 * DATA_ACK takes its bytes into its own ring. */
#define XC_KEEP_SHARE 4

/*
 * The subflows' engines build every segment, retransmissions included,
 * from the connection's send buffer (sflow.c: xc_sf_send_map(),
 * sf_snd_data()), so it keeps every byte a subflow may still send,
 * DATA_ACKed or not: a subflow resends its own sequence space whatever the
 * data level acknowledged. A subflow whose bytes the DATA_ACK passed while
 * its own ACK did not (a copy got through on another subflow, or another
 * path's ACK came first) holds the buffer back: when it is stuck (its
 * retransmission timer fired: no ACK may come for long) or holds over a
 * quarter of the buffer, its engine copies them into its own ring and the
 * buffer moves on. Runs before the application writes into the buffer.
 */
void xc_xmit_keep(struct xc_conn *c)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	__u64 keep, k;
	unsigned int i;

	if (!msk)
		return;
	keep = msk->write_seq;
	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		k = xc_sf_snd_keep(s, msk->write_seq);
		if (before64(k, msk->snd_una) &&
		    (s->sk->retries || msk->snd_una - k > msk->cfg.sndbuf / XC_KEEP_SHARE) &&
		    xc_sf_snd_adopt(s)) {
			c->keep_adopted++;
			k = xc_sf_snd_keep(s, msk->write_seq);
		}
		if (before64(k, keep))
			keep = k;
	}
	xmp_msk_snd_keep(msk, keep);
}

/* ---- scheduling ---- */

/* Bytes the peer's window at the subflow level still takes. */
static __u32 sf_wnd_room(const struct xmp_tcp_sock *sk)
{
	__u32 edge = sk->snd_una + sk->snd_wnd, end = sk->snd_buf_seq + sk->sndq.len;

	return xmp_seq_after(edge, end) ? edge - end : 0;
}

/*
 * 3.3.4: the window is the connection's on every subflow (after a fallback
 * the subflow's own is the real one: 3.7). A subflow that carried nothing
 * lately still holds the window its peer last offered on it; raising it may
 * send what that window held back, so it is done here, in the send step,
 * and the views below only read the engines. What each subflow holds was
 * mapped inside the connection's window, so the window it may use is that
 * plus what the connection's window still has room for.
 */
static void share_wnd(struct xc_conn *c)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	unsigned int i;

	if (msk->fallback)
		return;
	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (xc_sf_usable(s))
			xmp_tcp_share_snd_wnd(s->sk,
					      min32((__u64)xc_sf_queued(s) + xmp_msk_snd_wnd(msk),
						    XC_SHARED_WND_MAX),
					      xc_now(c->st));
	}
}

/* Reads the engines, sends nothing: share_wnd() ran before. */
void xc_xmit_view(struct xc_conn *c, struct xc_view *w, __u64 unsent, __u32 flags)
{
	struct xmp_msk *msk = xc_conn_msk(c);
	unsigned int i;

	memset(&w->v, 0, sizeof(w->v));
	w->v.now_us = xc_now(c->st);
	w->v.unsent = unsent;
	w->v.snd_wnd = min32(msk->snd_wnd_end - msk->snd_una, UINT32_MAX);
	w->v.snd_wnd_room = min32(xmp_msk_snd_wnd(msk), UINT32_MAX);
	w->v.flags = flags;
	w->v.sf = w->sf;
	for (i = 0; i < c->nsf && w->v.nr < XC_SF_MAX; i++) {
		struct xc_sf *s = c->sfs[i];
		struct xmp_sched_subflow *v = &w->sf[w->v.nr];
		struct xmp_tcp_sock *sk = s->sk;

		if (s->dead || !sk || sk->state == XMP_TCP_CLOSED)
			continue;
		if ((flags & XMP_SCHED_REINJECT) && !xmp_sf_may_copy(&s->sf))
			continue;
		memset(v, 0, sizeof(*v));
		v->id = s->id;
		if (xc_sf_usable(s))
			v->flags |= XMP_SCHED_SF_ACTIVE;
		if (xc_sf_backup(s))
			v->flags |= XMP_SCHED_SF_BACKUP;
		v->srtt_us = sk->srtt_us;
		v->rttvar_us = sk->rttvar_us;
		v->cwnd = sk->cwnd;
		v->in_flight = xc_sf_queued(s);
		/* a full mapping table takes no new chunk until acks free it */
		v->snd_room = s->sf.ntx < XMP_SF_TXMAP_MAX
				      ? min32(xmp_tcp_writable(sk), sf_wnd_room(sk)) : 0;
		v->mss = sk->mss;
		w->s[w->v.nr++] = s;
	}
}

/* Hands the mapping to s, whose engine takes its bytes from the send
 * buffer for every segment (xc_xmit_keep() keeps them there). */
static int send_map(struct xc_conn *c, struct xc_sf *s, const struct xmp_tx_map *m, bool reinj)
{
	if (reinj)
		c->reinj_bytes += m->len;
	return xc_sf_send_map(s, m, reinj);
}

/* Bytes s takes for one mapping now: its buffer room, at most a mapping,
 * nothing while its table of sent mappings is full (acks free it). */
static __u32 grant(const struct xc_sf *s, __u32 bytes)
{
	__u32 w = xmp_tcp_writable(s->sk);

	if (s->sf.ntx >= XMP_SF_TXMAP_MAX)
		return 0;
	if (bytes > XC_MAP_MAX)
		bytes = XC_MAP_MAX;
	return bytes < w ? bytes : w;
}

/* The same data on the other picks of a redundant decision. */
static int send_redundant(struct xc_conn *c, struct xc_view *w,
			  const struct xmp_sched_decision *d, const struct xmp_tx_map *m)
{
	struct xmp_tx_map r;
	unsigned int i;
	int err;

	for (i = 1; i < d->nr && m->len; i++) {
		struct xc_sf *s = w->s[d->pick[i].idx];

		__u32 g = grant(s, min32(m->len, d->pick[i].bytes));

		if (!xmp_sf_may_copy(&s->sf)) { /* 3.7: its stream stays the data stream */
			c->copies_held += m->len;
			continue;
		}
		if (!g || xmp_msk_remap(xc_conn_msk(c), m->dsn, g, &r) != 1)
			continue;
		err = send_map(c, s, &r, true);
		if (err)
			return err;
	}
	return 0;
}

/* Data of failed subflows, first: the peer waits for it. */
static int pump_reinject(struct xc_conn *c, bool *moved)
{
	__u32 g;
	struct xmp_msk *msk = xc_conn_msk(c);
	struct xmp_sched_decision d;
	struct xc_view w;
	struct xmp_tx_map m;
	int err;

	while (c->nrq) {
		struct xc_reinj *q = &c->rq[0];

		if (after64(msk->snd_una, q->dsn)) { /* acked meanwhile */
			__u64 cut = msk->snd_una - q->dsn;

			q->dsn += cut < q->len ? cut : q->len;
			q->len -= cut < q->len ? (__u32)cut : q->len;
		}
		if (!q->len) {
			memmove(&c->rq[0], &c->rq[1], --c->nrq * sizeof(c->rq[0]));
			continue;
		}
		xc_xmit_view(c, &w, q->len, XMP_SCHED_REINJECT);
		if (!w.v.nr) {
			/* 3.7: no subflow may carry a copy (the only one may
			 * still fall back): its TCP retransmits what it lost */
			for (; c->nrq; c->nrq--)
				c->copies_held += c->rq[c->nrq - 1].len;
			return 0;
		}
		if (xmp_sched_decide(&c->sched, &w.v, &d))
			return 0;
		g = grant(w.s[d.pick[0].idx], d.pick[0].bytes);
		if (!g)
			return 0;
		if (xmp_msk_remap(msk, q->dsn, g, &m) != 1) {
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
static struct xc_sf *holder_of(struct xc_conn *c, __u64 dsn)
{
	unsigned int i, k;

	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

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
static int opportunistic(struct xc_conn *c, bool *moved)
{
	__u32 g;
	struct xmp_msk *msk = xc_conn_msk(c);
	struct xc_sf *slow = holder_of(c, msk->snd_una), *fast = NULL;
	struct xmp_tx_map m;
	unsigned int i;
	int err;

	c->wnd_blocked++;
	if (!c->st->cfg.reinject || !slow || !slow->sk)
		return 0;
	if (c->reinj_upto_valid && before64(msk->snd_una, c->reinj_upto))
		return 0; /* this left edge went again already */
	for (i = 0; i < c->nsf; i++) {
		struct xc_sf *s = c->sfs[i];

		if (s == slow || !xc_sf_usable(s) || !xmp_sf_may_copy(&s->sf) || xc_sf_backup(s) ||
		    !xmp_tcp_writable(s->sk) ||
		    s->sk->srtt_us >= slow->sk->srtt_us || xc_sf_queued(s) >= s->sk->cwnd)
			continue;
		if (!fast || s->sk->srtt_us < fast->sk->srtt_us)
			fast = s;
	}
	if (!fast)
		return 0;
	g = grant(fast, fast->sk->cwnd - xc_sf_queued(fast));
	if (!g || xmp_msk_remap(msk, msk->snd_una, g, &m) != 1)
		return 0;
	err = send_map(c, fast, &m, true);
	if (err)
		return err;
	c->reinj_upto = m.dsn + m.len;
	c->reinj_upto_valid = true;
	*moved = true;
	if (xc_now(c->st) - slow->penalised_at > slow->sk->srtt_us) {
		xmp_tcp_cwnd_halve(slow->sk);
		slow->penalised_at = xc_now(c->st);
		c->penalties++;
	}
	return 0;
}

/* New data: one decision per chunk. */
static int pump_sched(struct xc_conn *c, bool *moved)
{
	__u32 g;
	struct xmp_msk *msk = xc_conn_msk(c);
	struct xmp_sched_decision d;
	unsigned int guard = 0;
	struct xmp_tx_map m;
	struct xc_view w;
	__u64 unsent;
	int err;

	if (msk->send_infinite) {
		/* 3.7: the infinite mapping goes on the only subflow (no
		 * fallback is possible with several), data or not */
		struct xc_sf *s = xc_conn_first(c);

		if (!xc_sf_usable(s) || s->sf.ntx >= XMP_SF_TXMAP_MAX ||
		    xmp_msk_next_map(msk, grant(s, XC_MAP_MAX), &m) != 1)
			return 0;
		err = send_map(c, s, &m, false);
		if (err)
			return err;
		*moved = true;
	}
	while (guard++ < 1024) {
		/* snd_nxt counts the DATA_FIN once it is mapped */
		unsent = span64(msk->snd_nxt, msk->write_seq) +
			 (msk->fin_queued && !msk->fin_mapped);
		if (!unsent)
			return 0;
		if (!xmp_msk_snd_wnd(msk) && msk->write_seq != msk->snd_nxt)
			return opportunistic(c, moved);
		xc_xmit_view(c, &w, unsent, 0);
		if (xmp_sched_decide(&c->sched, &w.v, &d))
			return 0;
		g = grant(w.s[d.pick[0].idx], d.pick[0].bytes);
		if (!g || xmp_msk_next_map(msk, g, &m) != 1)
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

int xc_xmit_pump(struct xc_conn *c, bool *moved)
{
	int err;

	share_wnd(c);
	err = pump_reinject(c, moved);

	return err ? err : pump_sched(c, moved);
}

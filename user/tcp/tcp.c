// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine: socket lifecycle and the application side (RFC 9293
 * 3.10.1-3.10.5: OPEN, SEND, RECEIVE, CLOSE, ABORT). Segment processing is
 * in tcp_input.c, transmission in tcp_output.c, timers in tcp_timer.c.
 * Every public entry point brackets its work with xmp_tcp_enter()/leave()
 * so events reach ops->event() once, after the state is consistent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "tcp/cc_coupled.h"
#include "tcp/tcp_int.h"

static const char *const state_names[] = { XMP_TCP_STATE_LIST(XMP_NAME_ROW) };

const char *xmp_tcp_state_name(enum xmp_tcp_state st)
{
	return XMP_NAME_OF(state_names, st, "?");
}

static void cfg_defaults(struct xmp_tcp_cfg *c)
{
	if (!c->mss)
		c->mss = 1460;
	if (!c->sndbuf)
		c->sndbuf = 256 * 1024;
	if (!c->rcvbuf)
		c->rcvbuf = 256 * 1024;
	if (!c->rto_min_us)
		c->rto_min_us = 200 * 1000;
	if (!c->rto_max_us)
		c->rto_max_us = 60 * 1000 * 1000;
	if (!c->rto_init_us)
		c->rto_init_us = 1000 * 1000;
	if (!c->delack_us)
		c->delack_us = 40 * 1000;
	if (!c->msl_us)
		c->msl_us = 30 * 1000 * 1000;
	if (!c->fin_wait2_us)
		c->fin_wait2_us = 60 * 1000 * 1000;
	if (!c->max_retries)
		c->max_retries = 15;
	if (!c->max_syn_retries)
		c->max_syn_retries = 6;
	if (!c->oow_ack_us)
		c->oow_ack_us = 500 * 1000;
	if (!c->challenge_per_sec)
		c->challenge_per_sec = 10;
	if (!c->cc)
		c->cc = "cubic";
}

/* RFC 7323 2.3: the smallest shift that lets the window field cover rcvbuf. */
static __u8 wscale_for(__u32 rcvbuf)
{
	__u8 ws = 0;

	while (ws < XMP_TCP_MAX_WSCALE && (rcvbuf >> ws) > 65535)
		ws++;
	return ws;
}

int xmp_tcp_create(struct xmp_tcp_sock **skp, const struct xmp_tcp_cfg *cfg,
		   const struct xmp_tcp_ops *ops, void *ctx)
{
	struct xmp_tcp_sock *sk;
	int err = -ENOMEM;

	*skp = NULL;
	if (!ops || !ops->xmit)
		return -EINVAL;
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return -ENOMEM;
	sk->cfg = *cfg;
	cfg_defaults(&sk->cfg);
	if (sk->cfg.mss < 64 || sk->cfg.opt_reserve > sk->cfg.mss / 2 ||
	    sk->cfg.opt_reserve > XMP_TCP_MAX_OPTLEN) {
		err = -EINVAL;
		goto err_free;
	}
	sk->cc = xmp_cc_find(sk->cfg.cc);
	if (!sk->cc) {
		pr_warn("tcp: unknown congestion control '%s'\n", sk->cfg.cc);
		err = -ENOENT;
		goto err_free;
	}
	if (xmp_ring_init(&sk->sndq, sk->cfg.sndbuf) || xmp_ring_init(&sk->rcvq, sk->cfg.rcvbuf))
		goto err_free;
	sk->hook_min_ack = XMP_TCP_HOOK_OPT_MIN;
	sk->hook_min_data = XMP_TCP_HOOK_DATA_MIN;
	sk->txbuf = malloc(sk->cfg.mss);
	if (!sk->txbuf)
		goto err_free;
	sk->ops = ops;
	sk->ctx = ctx;
	sk->rng = sk->cfg.seed;
	/* ISN from the seedable PRNG (RFC 9293 3.4.1 wants it unpredictable;
	 * the caller seeds from a secret in production, from a test seed here). */
	sk->iss = sk->cfg.fixed_isn ? sk->cfg.isn : (__u32)xmp_rng_next(&sk->rng);
	sk->ts_offset = (__u32)xmp_rng_next(&sk->rng);
	sk->snd_una = sk->snd_nxt = sk->snd_max = sk->iss;
	sk->snd_buf_seq = sk->iss + 1;
	sk->high_rxt = sk->recover = sk->iss;
	sk->ws_offer = sk->cfg.no_wscale ? 0 : wscale_for(sk->cfg.rcvbuf);
	sk->peer_mss = XMP_TCP_DEFAULT_MSS;
	sk->mss = tcp_min(sk->peer_mss, sk->cfg.mss) - sk->cfg.opt_reserve;
	sk->rto_us = sk->cfg.rto_init_us;
	sk->rto_at = sk->delack_at = sk->persist_at = sk->tw_at = XMP_TCP_NO_TIMER;
	xmp_ranges_reset(&sk->ofo);
	xmp_ranges_reset(&sk->sacked);
	xmp_tcp_cc_init(sk);
	*skp = sk;
	return 0;

err_free:
	xmp_ring_free(&sk->sndq);
	xmp_ring_free(&sk->rcvq);
	free(sk->txbuf);
	free(sk);
	return err;
}

void xmp_tcp_destroy(struct xmp_tcp_sock *sk)
{
	if (!sk)
		return;
	/* A coupled group must not keep a pointer to a freed socket. */
	if (sk->cc_group)
		xmp_cc_group_del(sk->cc_group, sk);
	xmp_ring_free(&sk->sndq);
	xmp_ring_free(&sk->rcvq);
	free(sk->txbuf);
	free(sk);
}

void xmp_tcp_enter(struct xmp_tcp_sock *sk, __u64 now)
{
	if (now > sk->now)
		sk->now = now;
	sk->in_call++;
}

/* Delivers the events gathered during the call, once, at the outermost level. */
void xmp_tcp_leave(struct xmp_tcp_sock *sk)
{
	unsigned int ev;

	if (--sk->in_call)
		return;
	while (sk->pending_ev) {
		ev = sk->pending_ev;
		sk->pending_ev = 0;
		if (sk->ops->event)
			sk->ops->event(sk->ctx, sk, ev);
	}
}

/* RFC 7323 4.1: a millisecond clock with a random per-connection offset. */
__u32 xmp_tcp_tsval(const struct xmp_tcp_sock *sk)
{
	return (__u32)(sk->now / 1000) + sk->ts_offset;
}

void xmp_tcp_set_state(struct xmp_tcp_sock *sk, enum xmp_tcp_state st)
{
	enum xmp_tcp_state old = sk->state;

	sk->state = st;
	if (sk->ops->state_change && old != st)
		sk->ops->state_change(sk->ctx, sk, old, st);
	pr_debug("tcp %u->%u: %s -> %s\n", sk->cfg.lport, sk->cfg.rport, xmp_tcp_state_name(old),
		 xmp_tcp_state_name(st));
	if (st == XMP_TCP_ESTABLISHED && old < XMP_TCP_ESTABLISHED) {
		tcp_event(sk, XMP_TCP_EV_ESTABLISHED | XMP_TCP_EV_WRITABLE);
		/* shutdown() during the handshake takes effect now. */
		if (sk->fin_queued)
			xmp_tcp_set_state(sk, XMP_TCP_FIN_WAIT_1);
	}
}

/* Enters CLOSED: timers off, err recorded, ev | CLOSED reported. */
void xmp_tcp_done(struct xmp_tcp_sock *sk, int err, unsigned int ev)
{
	xmp_tcp_set_state(sk, XMP_TCP_CLOSED);
	sk->rto_at = sk->delack_at = sk->persist_at = sk->tw_at = XMP_TCP_NO_TIMER;
	sk->ack_now = false;
	if (err)
		sk->err = err;
	tcp_event(sk, ev | XMP_TCP_EV_CLOSED);
}

int xmp_tcp_connect(struct xmp_tcp_sock *sk, __u64 now_us)
{
	int err;

	if (sk->state != XMP_TCP_CLOSED || sk->snd_max != sk->iss)
		return -EISCONN;
	xmp_tcp_enter(sk, now_us);
	xmp_tcp_set_state(sk, XMP_TCP_SYN_SENT);
	err = xmp_tcp_send_syn(sk);
	xmp_tcp_leave(sk);
	return err;
}

int xmp_tcp_listen(struct xmp_tcp_sock *sk)
{
	if (sk->state != XMP_TCP_CLOSED || sk->snd_max != sk->iss)
		return -EISCONN;
	xmp_tcp_set_state(sk, XMP_TCP_LISTEN);
	return 0;
}

int xmp_tcp_accept_syn(struct xmp_tcp_sock *sk, const struct xmp_seg *syn,
		       const struct xmp_tcp_opt_rx *rx, __u64 now_us)
{
	int err;

	if (!(syn->flags & XMP_TH_SYN) || (syn->flags & (XMP_TH_ACK | XMP_TH_RST)))
		return -EINVAL;
	err = xmp_tcp_listen(sk);
	if (err)
		return err;
	err = rx ? xmp_tcp_input_rx(sk, syn, rx, now_us) : xmp_tcp_input(sk, syn, now_us);
	return sk->state == XMP_TCP_SYN_RCVD ? 0 : (err ? err : -ECONNABORTED);
}

bool xmp_tcp_ack_now(struct xmp_tcp_sock *sk, __u64 now_us)
{
	if (sk->state < XMP_TCP_ESTABLISHED || sk->state == XMP_TCP_TIME_WAIT)
		return false;
	xmp_tcp_enter(sk, now_us);
	xmp_tcp_send_ack(sk);
	xmp_tcp_leave(sk);
	return true;
}

/*
 * MPTCP (RFC 8684 3.3.4): the receive window is the connection's, shared by
 * every subflow, but a subflow that carried nothing lately still holds the
 * window its peer last offered on it, maybe a closed one. As Linux does
 * (MPTCP_MIB_SNDWNDSHARED), the layer above raises it to what the
 * connection level allows; the peer's next segment sets it again. Data the
 * old window held back leaves now.
 */
void xmp_tcp_share_snd_wnd(struct xmp_tcp_sock *sk, __u32 wnd, __u64 now_us)
{
	if (wnd <= sk->snd_wnd || sk->state < XMP_TCP_ESTABLISHED)
		return;
	xmp_tcp_enter(sk, now_us);
	sk->snd_wnd = wnd;
	if (wnd > sk->max_snd_wnd)
		sk->max_snd_wnd = wnd;
	xmp_tcp_output(sk);
	xmp_tcp_leave(sk);
}

/* States in which the application may queue data: 0 or -errno. */
static long tcp_may_queue(const struct xmp_tcp_sock *sk)
{
	switch (sk->state) {
	case XMP_TCP_SYN_SENT:
	case XMP_TCP_SYN_RCVD:
	case XMP_TCP_ESTABLISHED:
	case XMP_TCP_CLOSE_WAIT:
		break;
	case XMP_TCP_CLOSED:
	case XMP_TCP_LISTEN:
		return sk->err ? sk->err : -ENOTCONN;
	default:
		return -EPIPE;
	}
	return sk->fin_queued ? -EPIPE : 0;
}

/* Queues @n bytes (at most the send buffer's room): already in the ring,
 * or kept by the layer above (@ref: the ring only counts those bytes, its
 * room is the send buffer's, and keeps their place for adoption). */
static long tcp_queued(struct xmp_tcp_sock *sk, __u32 n, bool ref, __u64 now_us)
{
	if (n > xmp_ring_space(&sk->sndq))
		n = xmp_ring_space(&sk->sndq);
	if (!n)
		return 0;
	xmp_tcp_enter(sk, now_us);
	sk->mib[ref ? XMP_TCP_MIB_SND_REF_BYTES : XMP_TCP_MIB_SND_BUF_BYTES] += n;
	sk->sndq.len += n;
	xmp_tcp_output(sk);
	xmp_tcp_leave(sk);
	return n;
}

/* Copies what the send buffer has room for from @buf and queues it. */
static long tcp_queue(struct xmp_tcp_sock *sk, const void *buf, size_t len, __u64 now_us)
{
	__u32 n = (__u32)(len < xmp_ring_space(&sk->sndq) ? len : xmp_ring_space(&sk->sndq));

	if (n)
		xmp_ring_write_at(&sk->sndq, sk->sndq.len, buf, n);
	return tcp_queued(sk, n, false, now_us);
}

__u8 *xmp_tcp_send_span(struct xmp_tcp_sock *sk, __u32 off, __u32 *len)
{
	__u32 room = tcp_may_queue(sk) || sk->snd_ref ? 0 : xmp_ring_space(&sk->sndq);

	*len = room > off ? room - off : 0;
	/* the ring's own buffer: writable, though contig() reads it as const */
	return *len ? (__u8 *)xmp_ring_contig(&sk->sndq, sk->sndq.len + off, len) : NULL;
}

long xmp_tcp_send_commit(struct xmp_tcp_sock *sk, __u32 n, __u64 now_us)
{
	long err = tcp_may_queue(sk);

	if (err)
		return err;
	return sk->snd_ref ? -EINVAL : tcp_queued(sk, n, false, now_us);
}

long xmp_tcp_send(struct xmp_tcp_sock *sk, const void *buf, size_t len, __u64 now_us)
{
	long err = tcp_may_queue(sk);

	if (err)
		return err;
	if (sk->snd_ref || (!buf && len))
		return -EINVAL;
	return tcp_queue(sk, buf, len, now_us);
}

long xmp_tcp_send_ref(struct xmp_tcp_sock *sk, size_t len, __u64 now_us)
{
	long err = tcp_may_queue(sk);

	if (err)
		return err;
	if (!sk->ops->snd_data || (!sk->snd_ref && sk->sndq.len))
		return -EINVAL;
	if (!sk->snd_ref) {
		sk->snd_ref = true;
		sk->snd_own_end = sk->snd_buf_seq;
	}
	return tcp_queued(sk, (__u32)(len < xmp_ring_space(&sk->sndq) ? len : xmp_ring_space(&sk->sndq)),
			  true, now_us);
}

long xmp_tcp_snd_adopt(struct xmp_tcp_sock *sk)
{
	__u32 end = tcp_data_end(sk), seq, n;
	const __u8 *p;
	long done = 0;

	while (sk->snd_ref && xmp_seq_before(sk->snd_own_end, end)) {
		seq = sk->snd_own_end;
		n = tcp_min(end - seq, sk->cfg.mss);
		p = sk->ops->snd_data(sk->ctx, sk, seq, n, sk->txbuf);
		if (!p) {
			tcp_mib_inc(sk, XMP_TCP_MIB_SND_REF_MISSING);
			return -ENODATA;
		}
		xmp_ring_write_at(&sk->sndq, seq - sk->snd_buf_seq, p, n);
		sk->mib[XMP_TCP_MIB_SND_BUF_BYTES] += n;
		sk->snd_own_end = seq + n;
		done += n;
	}
	return done;
}

__u32 xmp_tcp_snd_ref_seq(const struct xmp_tcp_sock *sk)
{
	return sk->snd_ref ? sk->snd_own_end : tcp_data_end(sk);
}

/*
 * Sends a window update once reading reopened a window the peer may be
 * stuck on: unread data had filled over half the buffer, the advertised
 * room was below half of it and grows by at least two segments (receiver
 * SWS avoidance, RFC 9293 3.8.6.2.2).
 */
static void tcp_maybe_window_update(struct xmp_tcp_sock *sk, __u32 free_before)
{
	__u32 old = xmp_seq_after(sk->rcv_adv, sk->rcv_nxt) ? sk->rcv_adv - sk->rcv_nxt : 0;
	__u32 cur = xmp_tcp_rcv_wnd(sk);
	__u32 thr = tcp_min(sk->rcvq.cap / 2, 2 * tcp_max(sk->rcv_mss, 1));

	/* Nothing more comes after the peer's FIN: an update would only
	 * meet a closed peer (and its RST), as Linux sends none then. */
	if (!tcp_synchronized(sk) || sk->fin_rcvd || free_before >= sk->rcvq.cap / 2 ||
	    old >= sk->rcvq.cap / 2 || cur < old + thr)
		return;
	tcp_mib_inc(sk, XMP_TCP_MIB_WND_UPDATES);
	xmp_tcp_send_ack(sk);
}

long xmp_tcp_recv(struct xmp_tcp_sock *sk, void *buf, size_t len, __u64 now_us)
{
	__u32 n = (__u32)(len < sk->rcvq.len ? len : sk->rcvq.len);

	if (!n) {
		if (!len && sk->rcvq.len)
			return 0;
		if (sk->fin_rcvd && sk->rcv_nxt == sk->fin_rcv_seq + 1)
			return 0; /* EOF */
		if (sk->state == XMP_TCP_CLOSED)
			return sk->err ? sk->err : 0;
		return -EAGAIN;
	}
	xmp_ring_read_at(&sk->rcvq, 0, buf, n);
	sk->mib[XMP_TCP_MIB_RCV_READ_BYTES] += n;
	return xmp_tcp_recv_commit(sk, n, now_us);
}

const __u8 *xmp_tcp_recv_span(const struct xmp_tcp_sock *sk, __u32 off, __u32 *len)
{
	*len = sk->rcvq.len > off ? sk->rcvq.len - off : 0;
	return *len ? xmp_ring_contig(&sk->rcvq, off, len) : NULL;
}

long xmp_tcp_recv_commit(struct xmp_tcp_sock *sk, __u32 n, __u64 now_us)
{
	__u32 free_before = sk->rcvq.cap - sk->rcvq.len;

	if (n > sk->rcvq.len)
		return -EINVAL;
	if (!n)
		return 0;
	xmp_tcp_enter(sk, now_us);
	xmp_ring_consume(&sk->rcvq, n);
	tcp_maybe_window_update(sk, free_before);
	xmp_tcp_leave(sk);
	return n;
}

long xmp_tcp_peek(struct xmp_tcp_sock *sk, void *buf, size_t len, size_t off)
{
	__u32 n;

	if (off >= sk->rcvq.len)
		return 0;
	n = sk->rcvq.len - (__u32)off;
	if (len < n)
		n = (__u32)len;
	xmp_ring_read_at(&sk->rcvq, (__u32)off, buf, n);
	sk->mib[XMP_TCP_MIB_RCV_READ_BYTES] += n;
	return n;
}

__u32 xmp_tcp_recv_seq(const struct xmp_tcp_sock *sk)
{
	return sk->rcv_nxt - sk->rcvq.len - (sk->fin_rcvd && sk->rcv_nxt == sk->fin_rcv_seq + 1);
}

__u32 xmp_tcp_readable(const struct xmp_tcp_sock *sk)
{
	return sk->rcvq.len;
}

__u32 xmp_tcp_writable(const struct xmp_tcp_sock *sk)
{
	return sk->fin_queued ? 0 : xmp_ring_space(&sk->sndq);
}

int xmp_tcp_shutdown(struct xmp_tcp_sock *sk, __u64 now_us)
{
	switch (sk->state) {
	case XMP_TCP_LISTEN:
	case XMP_TCP_SYN_SENT:
		xmp_tcp_enter(sk, now_us);
		xmp_tcp_done(sk, 0, 0);
		xmp_tcp_leave(sk);
		return 0;
	case XMP_TCP_SYN_RCVD:
	case XMP_TCP_ESTABLISHED:
	case XMP_TCP_CLOSE_WAIT:
		break;
	case XMP_TCP_CLOSED:
		return -ENOTCONN;
	default:
		return 0; /* FIN already queued */
	}
	xmp_tcp_enter(sk, now_us);
	sk->fin_queued = true;
	if (sk->state == XMP_TCP_ESTABLISHED)
		xmp_tcp_set_state(sk, XMP_TCP_FIN_WAIT_1);
	else if (sk->state == XMP_TCP_CLOSE_WAIT)
		xmp_tcp_set_state(sk, XMP_TCP_LAST_ACK);
	xmp_tcp_output(sk);
	xmp_tcp_leave(sk);
	return 0;
}

/* RFC 9293 3.10.4 CLOSE; unread data makes it an abort (RFC 2525 2.17). */
int xmp_tcp_close(struct xmp_tcp_sock *sk, __u64 now_us)
{
	if (sk->rcvq.len && tcp_synchronized(sk)) {
		xmp_tcp_abort(sk, 0, now_us);
		return 0;
	}
	sk->app_closed = true;
	return xmp_tcp_shutdown(sk, now_us);
}

void xmp_tcp_abort(struct xmp_tcp_sock *sk, int err, __u64 now_us)
{
	xmp_tcp_enter(sk, now_us);
	/* RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST> from synchronized states. */
	if (sk->state >= XMP_TCP_SYN_RCVD && sk->state != XMP_TCP_TIME_WAIT)
		xmp_tcp_send_rst(sk, sk->snd_max, 0, false);
	xmp_tcp_drop(sk, err, now_us);
	xmp_tcp_leave(sk);
}

/* @want within [@min, the hook's reserve] (a reserve below @min is no cap). */
static __u8 hook_room(const struct xmp_tcp_sock *sk, unsigned int want, unsigned int min)
{
	unsigned int cap = sk->cfg.opt_reserve;

	if (want < min)
		want = min;
	if (cap >= min && want > cap)
		want = cap;
	return (__u8)want;
}

void xmp_tcp_set_hook_min(struct xmp_tcp_sock *sk, unsigned int ack, unsigned int data)
{
	sk->hook_min_ack = hook_room(sk, ack, XMP_TCP_HOOK_OPT_MIN);
	sk->hook_min_data = hook_room(sk, data, XMP_TCP_HOOK_DATA_MIN);
}

/* A listener that gives up a request to make room says nothing: a real
 * client retransmits its SYN, a forged one never hears from us. */
void xmp_tcp_drop(struct xmp_tcp_sock *sk, int err, __u64 now_us)
{
	xmp_tcp_enter(sk, now_us);
	if (sk->state != XMP_TCP_CLOSED)
		xmp_tcp_done(sk, err, 0);
	xmp_tcp_leave(sk);
}

/* A closed socket kept for its counters gives its rings back, once nothing
 * is left to read; freed rings are empty ones of capacity 0, so every later
 * call (send, input, peek) finds nothing and writes nothing. */
bool xmp_tcp_release_buffers(struct xmp_tcp_sock *sk)
{
	if (sk->state != XMP_TCP_CLOSED || sk->rcvq.len)
		return false;
	xmp_ring_free(&sk->sndq);
	xmp_ring_free(&sk->rcvq);
	return true;
}

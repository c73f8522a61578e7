// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine: segment arrival (RFC 9293 3.10.7) for every state,
 * including simultaneous open and close. Order of checks on a synchronized
 * socket: PAWS (RFC 7323 5), sequence acceptability, RST (RFC 5961 3),
 * SYN (RFC 5961 4), ACK (RFC 5961 5 acceptance, SACK scoreboard, RTT,
 * congestion control, fast retransmit), then data, reassembly and FIN.
 * Entry: xmp_tcp_input_rx() with the options the I/O layer parsed for the
 * frame (user/io/pkt.c), or xmp_tcp_input() which parses them (memwire,
 * tests); ends by running xmp_tcp_output() so ACKs and newly allowed data
 * go out.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp_int.h"

/* Options of the peer's SYN decide what the connection uses. */
void xmp_tcp_negotiate(struct xmp_tcp_sock *sk, const struct xmp_tcp_opt_rx *rx)
{
	__u32 base;

	sk->peer_mss = rx->has_mss && rx->mss >= 64 ? rx->mss : XMP_TCP_DEFAULT_MSS;
	sk->wscale_ok = !sk->cfg.no_wscale && rx->has_ws;
	sk->snd_wscale =
	    sk->wscale_ok ? (rx->ws > XMP_TCP_MAX_WSCALE ? XMP_TCP_MAX_WSCALE : rx->ws) : 0;
	sk->rcv_wscale = sk->wscale_ok ? sk->ws_offer : 0;
	sk->ts_ok = !sk->cfg.no_ts && rx->has_ts;
	sk->sack_ok = !sk->cfg.no_sack && rx->sack_ok;
	base = tcp_min(sk->peer_mss, sk->cfg.mss);
	sk->mss = base - (sk->ts_ok ? 12 : 0) - sk->cfg.opt_reserve;
	if (sk->mss < 16)
		sk->mss = 16;
	if (rx->has_ts) {
		sk->ts_recent = rx->tsval;
		sk->ts_recent_valid = true;
	}
	xmp_tcp_cc_init(sk);
}

static void tcp_rcv_closed(struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	__u32 len = seg->len + !!(seg->flags & XMP_TH_SYN) + !!(seg->flags & XMP_TH_FIN);

	/* RFC 9293 3.10.7.1: answer anything but a RST with a RST. */
	if (seg->flags & XMP_TH_RST)
		return;
	if (seg->flags & XMP_TH_ACK)
		xmp_tcp_send_rst(sk, seg->ack, 0, false);
	else
		xmp_tcp_send_rst(sk, 0, seg->seq + len, true);
}

/* The peer's SYN, in LISTEN or SYN-SENT: its ISN, options and window.
 * wl2 is the ACK it carried, or our ISS when it carried none. */
static void tcp_learn_syn(struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			  const struct xmp_tcp_opt_rx *rx, __u32 wl2)
{
	sk->irs = seg->seq;
	sk->rcv_nxt = seg->seq + 1;
	sk->last_ack_sent = sk->rcv_nxt;
	xmp_tcp_negotiate(sk, rx);
	/* RFC 7323 2.2: the window of a SYN is never scaled. */
	sk->snd_wnd = sk->max_snd_wnd = seg->wnd;
	sk->snd_wl1 = seg->seq;
	sk->snd_wl2 = wl2;
}

static int tcp_rcv_listen(struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			  const struct xmp_tcp_opt_rx *rx)
{
	if (seg->flags & XMP_TH_RST)
		return -EINVAL;
	if (seg->flags & XMP_TH_ACK) {
		xmp_tcp_send_rst(sk, seg->ack, 0, false);
		return -EINVAL;
	}
	if (!(seg->flags & XMP_TH_SYN))
		return -EINVAL;
	if (!sk->cfg.lport)
		sk->cfg.lport = seg->dport;
	if (!sk->cfg.rport)
		sk->cfg.rport = seg->sport;
	sk->passive = true;
	tcp_learn_syn(sk, seg, rx, sk->iss);
	xmp_tcp_set_state(sk, XMP_TCP_SYN_RCVD);
	return xmp_tcp_send_syn(sk);
}

static void tcp_ack_of_syn(struct xmp_tcp_sock *sk, __u32 ack)
{
	sk->snd_una = ack;
	if (xmp_seq_before(sk->snd_nxt, ack))
		sk->snd_nxt = ack;
	if (sk->rtt_timing && xmp_seq_geq(ack, sk->rtt_seq)) {
		xmp_tcp_rtt_sample(sk, (__u32)(sk->now - sk->rtt_start));
		sk->rtt_timing = false;
	}
	sk->retries = 0;
	sk->rto_at = XMP_TCP_NO_TIMER;
}

static int tcp_rcv_syn_sent(struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			    const struct xmp_tcp_opt_rx *rx)
{
	bool ack = seg->flags & XMP_TH_ACK;

	if (ack && (xmp_seq_leq(seg->ack, sk->iss) || xmp_seq_after(seg->ack, sk->snd_max))) {
		if (!(seg->flags & XMP_TH_RST))
			xmp_tcp_send_rst(sk, seg->ack, 0, false);
		return -EINVAL;
	}
	if (seg->flags & XMP_TH_RST) {
		if (!ack)
			return -EINVAL;
		tcp_mib_inc(sk, XMP_TCP_MIB_RST_RCVD);
		xmp_tcp_done(sk, -ECONNREFUSED, XMP_TCP_EV_RESET);
		return 0;
	}
	if (!(seg->flags & XMP_TH_SYN))
		return -EINVAL;
	tcp_learn_syn(sk, seg, rx, ack ? seg->ack : sk->iss);
	if (!ack) {
		/* Simultaneous open (RFC 9293 3.5, figure 8): our SYN becomes a
		 * SYN-ACK with the same ISN. */
		xmp_tcp_set_state(sk, XMP_TCP_SYN_RCVD);
		sk->rto_at = XMP_TCP_NO_TIMER;
		sk->snd_max = sk->iss; /* resend as a first transmission */
		sk->rtt_timing = false;
		return xmp_tcp_send_syn(sk);
	}
	tcp_ack_of_syn(sk, seg->ack);
	xmp_tcp_set_state(sk, XMP_TCP_ESTABLISHED);
	sk->ack_now = true;
	return 0;
}

/* RFC 9293 3.10.7.4 acceptability, with the left edge at the last RCV.NXT
 * we ACKed so ACK-only segments sent before our latest ACK still count. */
static bool tcp_seq_acceptable(const struct xmp_tcp_sock *sk, __u32 seq, __u32 len)
{
	__u32 wnd = xmp_tcp_rcv_wnd(sk);

	if (xmp_seq_before(seq + len, sk->last_ack_sent))
		return false;
	return xmp_seq_leq(seq, sk->rcv_nxt + wnd);
}

/*
 * Answer to an invalid segment (old, beyond the window, ACKing the future,
 * failing PAWS). Two desynchronised ends would otherwise ACK each other's
 * ACKs forever, so answers to pure ACKs are rate limited as Linux does
 * (tcp_oow_rate_limited); segments with data, and the zero-window-probe
 * shape (RCV.NXT - 1, no data), are always answered.
 */
static void tcp_ack_invalid(struct xmp_tcp_sock *sk, const struct xmp_seg *seg, __u32 seq)
{
	if (!seg->len && seq + 1 != sk->rcv_nxt && sk->last_oow_ack &&
	    sk->now - sk->last_oow_ack < sk->cfg.oow_ack_us) {
		tcp_mib_inc(sk, XMP_TCP_MIB_OOW_ACK_LIMITED);
		return;
	}
	if (!seg->len)
		sk->last_oow_ack = sk->now ? sk->now : 1;
	sk->ack_now = true;
}

/* RFC 5961 3.2: only an exact RST resets; one elsewhere in the window gets
 * a challenge ACK; outside the window it is dropped. */
static void tcp_rcv_rst(struct xmp_tcp_sock *sk, __u32 seq)
{
	__u32 wnd = tcp_max(xmp_tcp_rcv_wnd(sk), 1);

	/* RFC 1337: no TIME-WAIT assassination by a RST. */
	if (sk->state == XMP_TCP_TIME_WAIT)
		return;
	if (seq == sk->rcv_nxt) {
		tcp_mib_inc(sk, XMP_TCP_MIB_RST_RCVD);
		xmp_tcp_done(
		    sk, sk->state == XMP_TCP_SYN_RCVD && !sk->passive ? -ECONNREFUSED : -ECONNRESET,
		    XMP_TCP_EV_RESET);
		return;
	}
	if (xmp_seq_after(seq, sk->rcv_nxt) && xmp_seq_before(seq, sk->rcv_nxt + wnd))
		xmp_tcp_send_challenge_ack(sk);
	else
		/* RFC 5961 3.2 (1): outside the window: dropped, but counted so
		 * blind RST attempts show up in the counters. */
		tcp_mib_inc(sk, XMP_TCP_MIB_RCV_OUT_OF_WINDOW);
}

static void tcp_fin_acked(struct xmp_tcp_sock *sk)
{
	switch (sk->state) {
	case XMP_TCP_FIN_WAIT_1:
		xmp_tcp_set_state(sk, XMP_TCP_FIN_WAIT_2);
		/* Nobody will read a closed socket: do not wait forever for
		 * the peer's FIN (Linux tcp_fin_timeout). */
		if (sk->app_closed)
			sk->tw_at = sk->now + sk->cfg.fin_wait2_us;
		break;
	case XMP_TCP_CLOSING:
		xmp_tcp_enter_time_wait(sk);
		break;
	case XMP_TCP_LAST_ACK:
		xmp_tcp_done(sk, 0, 0);
		break;
	default:
		break;
	}
}

/* RFC 6675 5 / RFC 6582 3.2: fast retransmit and enter recovery. */
static void tcp_enter_recovery(struct xmp_tcp_sock *sk)
{
	tcp_mib_inc(sk, XMP_TCP_MIB_RECOVERY);
	sk->ssthresh = sk->cc->ssthresh(sk);
	sk->cwnd = tcp_max(sk->ssthresh, sk->mss);
	if (sk->cc->cwnd_event)
		sk->cc->cwnd_event(sk, XMP_CC_EV_RECOVERY, sk->now);
	sk->in_recovery = true;
	sk->recover = sk->snd_max;
	sk->high_rxt = sk->snd_una;
	sk->rxt_pending = true;
	sk->rtt_timing = false;
	/* The first unacknowledged segment goes at once, whatever the pipe. */
	if (sk->sack_ok) {
		__u32 end = xmp_ranges_next_start(&sk->sacked, sk->snd_una, sk->snd_max);
		__u32 used =
		    xmp_tcp_xmit_data(sk, sk->snd_una, tcp_min(end - sk->snd_una, sk->mss), true);

		sk->high_rxt = sk->snd_una + used;
		if (used)
			tcp_mib_inc(sk, XMP_TCP_MIB_SACK_RETRANS);
	} else {
		xmp_tcp_xmit_data(sk, sk->snd_una, sk->mss, true);
		sk->rxt_pending = false;
	}
	tcp_mib_inc(sk, XMP_TCP_MIB_FAST_RETRANS);
}

static void tcp_dupack(struct xmp_tcp_sock *sk)
{
	tcp_mib_inc(sk, XMP_TCP_MIB_DUPACKS);
	sk->dupacks++;
	if (sk->in_recovery)
		return;
	/* RFC 6582 4.1: not for data sent before the last recovery/RTO. */
	if (!xmp_seq_after(sk->snd_una, sk->recover) && sk->recover != sk->iss)
		return;
	if (sk->dupacks >= XMP_TCP_DUPTHRESH ||
	    (sk->sack_ok && xmp_tcp_sack_is_lost(sk, sk->snd_una)))
		tcp_enter_recovery(sk);
}

static void tcp_new_ack(struct xmp_tcp_sock *sk, __u32 ack)
{
	__u32 acked = ack - sk->snd_una, d_end, data_end = tcp_data_end(sk);

	d_end = xmp_seq_before(ack, data_end) ? ack : data_end;
	if (xmp_seq_after(d_end, sk->snd_buf_seq)) {
		xmp_ring_consume(&sk->sndq, d_end - sk->snd_buf_seq);
		sk->snd_buf_seq = d_end;
		if (sk->snd_ref && xmp_seq_before(sk->snd_own_end, d_end))
			sk->snd_own_end = d_end;
		tcp_event(sk, XMP_TCP_EV_WRITABLE);
	}
	sk->snd_una = ack;
	if (xmp_seq_before(sk->snd_nxt, ack))
		sk->snd_nxt = ack;
	xmp_ranges_trim_below(&sk->sacked, ack);
	if (sk->rtt_timing && xmp_seq_geq(ack, sk->rtt_seq)) {
		xmp_tcp_rtt_sample(sk, (__u32)(sk->now - sk->rtt_start));
		sk->rtt_timing = false;
	}
	sk->retries = 0;
	sk->probes = 0;
	if (sk->in_recovery) {
		if (xmp_seq_geq(ack, sk->recover)) {
			/* RFC 6582 3.2 (5): full ACK, deflate to ssthresh. */
			sk->in_recovery = false;
			sk->cwnd = tcp_max(sk->ssthresh, sk->mss);
			sk->dupacks = 0;
			if (sk->cc->cwnd_event)
				sk->cc->cwnd_event(sk, XMP_CC_EV_RECOVERY_END, sk->now);
		} else if (!sk->sack_ok) {
			/* RFC 6582 3.2 (5) partial ACK: the next hole is lost
			 * too; resend it now, whatever the pipe, and deflate. */
			sk->dupacks = 0;
			sk->rxt_pending = false;
			if (xmp_tcp_xmit_data(sk, sk->snd_una, sk->mss, true))
				tcp_mib_inc(sk, XMP_TCP_MIB_FAST_RETRANS);
		}
	} else {
		sk->dupacks = 0;
		/* RFC 7661 spirit: grow only when cwnd was what limited us. */
		if (2 * (sk->snd_max - sk->snd_una + acked) >= sk->cwnd)
			sk->cc->on_ack(sk, acked, sk->now);
	}
	/* RFC 6298 5.2/5.3: stop when all is ACKed, else restart. */
	sk->rto_at = XMP_TCP_NO_TIMER;
	if (sk->snd_una != sk->snd_max)
		xmp_tcp_arm_rto(sk);
}

/* ACK field processing for synchronized states. Returns -errno to drop. */
static int tcp_rcv_ack(struct xmp_tcp_sock *sk, const struct xmp_seg *seg, __u32 seq,
		       const struct xmp_tcp_opt_rx *rx)
{
	__u32 ack = seg->ack, wnd = (__u32)seg->wnd << sk->snd_wscale;
	__u32 sacked_before = xmp_ranges_bytes_above(&sk->sacked, sk->snd_una);
	bool dup;

	if (xmp_seq_after(ack, sk->snd_max)) {
		tcp_mib_inc(sk, XMP_TCP_MIB_ACK_TOO_NEW);
		tcp_ack_invalid(sk, seg, seq);
		return -EINVAL;
	}
	/* RFC 5961 5.2: acceptable iff SND.UNA - MAX.SND.WND <= ACK. */
	if (xmp_seq_before(ack, sk->snd_una - sk->max_snd_wnd)) {
		tcp_mib_inc(sk, XMP_TCP_MIB_ACK_TOO_OLD);
		xmp_tcp_send_challenge_ack(sk);
		return -EINVAL;
	}
	if (sk->sack_ok && rx->nr_sack)
		xmp_tcp_sack_update(sk, rx);
	if (xmp_seq_after(ack, sk->snd_una)) {
		tcp_new_ack(sk, ack);
	} else if (ack == sk->snd_una && sk->snd_una != sk->snd_max) {
		/* RFC 5681 2 duplicate ACK; with SACK (RFC 6675 2), any
		 * segment adding to the scoreboard counts. */
		if (sk->sack_ok && rx->nr_sack)
			dup = xmp_ranges_bytes_above(&sk->sacked, sk->snd_una) > sacked_before;
		else
			dup = !seg->len && !(seg->flags & (XMP_TH_SYN | XMP_TH_FIN)) &&
			      wnd == sk->snd_wnd;
		if (dup)
			tcp_dupack(sk);
	}
	/* RFC 9293 3.10.7.4: window update from the newest segment. */
	if (xmp_seq_before(sk->snd_wl1, seq) ||
	    (sk->snd_wl1 == seq && xmp_seq_leq(sk->snd_wl2, ack))) {
		sk->snd_wnd = wnd;
		sk->snd_wl1 = seq;
		sk->snd_wl2 = ack;
		if (wnd > sk->max_snd_wnd)
			sk->max_snd_wnd = wnd;
		if (wnd)
			sk->probes = 0;
	}
	/* Nothing outstanding: this ACK answers our last window probe, which
	 * is what keeps a zero-window connection alive (RFC 1122 4.2.2.17);
	 * sk->retries counts the unanswered ones (tcp_persist_fire()). */
	if (sk->snd_una == sk->snd_max)
		sk->retries = 0;
	if (sk->fin_queued && sk->snd_max == tcp_data_end(sk) + 1 && ack == sk->snd_max)
		tcp_fin_acked(sk);
	return 0;
}

/* Moves out-of-order ranges that now touch RCV.NXT into the stream. */
static void tcp_ofo_pull(struct xmp_tcp_sock *sk)
{
	unsigned int i;
	bool moved = true;

	while (moved) {
		moved = false;
		for (i = 0; i < sk->ofo.n; i++) {
			const struct xmp_seq_range *r = &sk->ofo.r[i];

			if (xmp_seq_leq(r->start, sk->rcv_nxt) &&
			    xmp_seq_after(r->end, sk->rcv_nxt)) {
				sk->rcvq.len += r->end - sk->rcv_nxt;
				sk->rcv_nxt = r->end;
				moved = true;
			}
		}
	}
	xmp_ranges_trim_below(&sk->ofo, sk->rcv_nxt);
}

static void tcp_rcv_fin(struct xmp_tcp_sock *sk)
{
	sk->rcv_nxt++;
	sk->ack_now = true;
	tcp_event(sk, XMP_TCP_EV_EOF | XMP_TCP_EV_READABLE);
	switch (sk->state) {
	case XMP_TCP_SYN_RCVD:
	case XMP_TCP_ESTABLISHED:
		xmp_tcp_set_state(sk, XMP_TCP_CLOSE_WAIT);
		break;
	case XMP_TCP_FIN_WAIT_1:
		/* Simultaneous close (RFC 9293 figure 13). */
		xmp_tcp_set_state(sk, XMP_TCP_CLOSING);
		break;
	case XMP_TCP_FIN_WAIT_2:
		xmp_tcp_enter_time_wait(sk);
		break;
	default:
		break;
	}
}

/* Delayed ACK: every second full-sized segment, else after delack_us. */
static void tcp_ack_policy(struct xmp_tcp_sock *sk)
{
	if (sk->cfg.no_delack || sk->rcv_nxt - sk->last_ack_sent >= 2 * sk->rcv_mss)
		sk->ack_now = true;
	else
		xmp_tcp_schedule_delack(sk);
}

/*
 * In-order payload with nothing unread before it goes to the layer above
 * first (ops->rcv_data): what it takes is never copied into the ring. The
 * ring's head moves past those bytes, so the out-of-order data behind them
 * keeps its place (a segment at RCV.NXT + k sits at offset len + k).
 */
static __u32 tcp_rcv_direct(struct xmp_tcp_sock *sk, __u32 seq, const __u8 *data, __u32 len)
{
	__u32 n;

	if (!len || sk->rcvq.len || !sk->ops->rcv_data || sk->app_closed)
		return 0;
	n = tcp_min(sk->ops->rcv_data(sk->ctx, sk, seq, data, len), len);
	xmp_ring_skip(&sk->rcvq, n);
	sk->mib[XMP_TCP_MIB_RCV_DIRECT_BYTES] += n;
	return n;
}

/* Payload and FIN: trim to the window, reassemble, acknowledge. */
static void tcp_rcv_data(struct xmp_tcp_sock *sk, const struct xmp_seg *seg, __u32 seq)
{
	const __u8 *data = seg->payload;
	__u32 len = seg->len, off, wnd, room, taken, unread = sk->rcvq.len;
	bool fin = seg->flags & XMP_TH_FIN, had_ofo = sk->ofo.n;

	if (xmp_seq_before(seq, sk->rcv_nxt)) {
		off = tcp_min(sk->rcv_nxt - seq, len);
		data += off;
		len -= off;
		seq += off;
		if (fin && xmp_seq_before(seq, sk->rcv_nxt))
			fin = false; /* FIN already processed */
		if (!len && !fin) {
			if (seg->len)
				tcp_mib_inc(sk, XMP_TCP_MIB_RCV_DUP);
			sk->ack_now = true;
			return;
		}
	}
	wnd = xmp_tcp_rcv_wnd(sk);
	off = seq - sk->rcv_nxt;
	room = off < wnd ? wnd - off : 0;
	if (len > room) {
		tcp_mib_inc(sk, XMP_TCP_MIB_RCV_OUT_OF_WINDOW);
		len = room;
		fin = false;
	}
	if (!len && !fin) {
		sk->ack_now = true;
		return;
	}
	if (len > sk->rcv_mss)
		sk->rcv_mss = len;
	taken = off ? 0 : tcp_rcv_direct(sk, seq, data, len);
	if (len > taken) {
		xmp_ring_write_at(&sk->rcvq, sk->rcvq.len + off, data + taken, len - taken);
		sk->mib[XMP_TCP_MIB_RCV_BUF_BYTES] += len - taken;
	}
	/* An in-order FIN always counts; an out-of-order one is remembered
	 * until the data before it arrives. */
	if (fin && (!sk->fin_rcvd || !off)) {
		sk->fin_rcvd = true;
		sk->fin_rcv_seq = seq + len;
	}
	if (off) {
		/* Out of order: keep it, tell the peer at once (RFC 5681 4.2). */
		if (len && xmp_ranges_add(&sk->ofo, seq, seq + len))
			tcp_mib_inc(sk, XMP_TCP_MIB_OFO_DROP);
		else if (len)
			tcp_mib_inc(sk, XMP_TCP_MIB_OFO_QUEUED);
		sk->ack_now = true;
		return;
	}
	sk->rcvq.len += len - taken;
	sk->rcv_nxt += len;
	if (had_ofo)
		tcp_ofo_pull(sk);
	if (sk->rcvq.len > unread)
		tcp_event(sk, XMP_TCP_EV_READABLE);
	if (sk->app_closed)
		xmp_ring_consume(&sk->rcvq, sk->rcvq.len);
	if (sk->fin_rcvd && sk->rcv_nxt == sk->fin_rcv_seq)
		tcp_rcv_fin(sk);
	else if (sk->fin_rcvd && xmp_seq_after(sk->rcv_nxt, sk->fin_rcv_seq))
		sk->fin_rcvd = false; /* data went past it: the FIN was bogus */
	/* Filling a hole is ACKed at once (RFC 5681 4.2). */
	if (had_ofo)
		sk->ack_now = true;
	else
		tcp_ack_policy(sk);
}

static int tcp_rcv_synchronized(struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
				const struct xmp_tcp_opt_rx *rx)
{
	__u32 seq = seg->seq;
	__u8 flags = seg->flags;
	__u32 len = seg->len + !!(flags & XMP_TH_SYN) + !!(flags & XMP_TH_FIN);
	int err;

	if ((flags & XMP_TH_SYN) && seq == sk->irs && sk->state == XMP_TCP_SYN_RCVD) {
		if (!(flags & XMP_TH_ACK)) {
			/* Our SYN-ACK was lost: the peer repeats its SYN. */
			return xmp_tcp_send_syn(sk);
		}
		/* Simultaneous open: the peer's SYN-ACK; its SYN is known. */
		flags &= ~XMP_TH_SYN;
		seq++;
		len--;
	}
	/* RFC 7323 5.3 PAWS: an older timestamp marks an old duplicate. */
	if (sk->ts_ok && rx->has_ts && sk->ts_recent_valid && !sk->cfg.no_paws &&
	    !(flags & XMP_TH_RST) && xmp_seq_before(rx->tsval, sk->ts_recent)) {
		tcp_mib_inc(sk, XMP_TCP_MIB_PAWS_DROP);
		tcp_ack_invalid(sk, seg, seq);
		return -EINVAL;
	}
	if (flags & XMP_TH_RST) {
		tcp_rcv_rst(sk, seq);
		return 0;
	}
	if (!tcp_seq_acceptable(sk, seq, len)) {
		/* RFC 5961 4.2: a SYN gets the challenge ACK "irrespective of
		 * the sequence number" (Linux: tcp_validate_incoming()). */
		if (flags & XMP_TH_SYN) {
			xmp_tcp_send_challenge_ack(sk);
			return -EINVAL;
		}
		tcp_mib_inc(sk, xmp_seq_before(seq + len, sk->rcv_nxt) || !len
				    ? XMP_TCP_MIB_RCV_DUP
				    : XMP_TCP_MIB_RCV_OUT_OF_WINDOW);
		if (sk->state == XMP_TCP_TIME_WAIT && (flags & XMP_TH_FIN))
			sk->tw_at = sk->now + 2 * (__u64)sk->cfg.msl_us;
		tcp_ack_invalid(sk, seg, seq);
		return -EINVAL;
	}
	/* RFC 5961 4.2: any SYN here gets a challenge ACK. */
	if (flags & XMP_TH_SYN) {
		xmp_tcp_send_challenge_ack(sk);
		return -EINVAL;
	}
	if (!(flags & XMP_TH_ACK))
		return -EINVAL;
	/* RFC 7323 4.3: remember the timestamp of the segment at the edge. */
	if (sk->ts_ok && rx->has_ts && xmp_seq_leq(seq, sk->last_ack_sent)) {
		sk->ts_recent = rx->tsval;
		sk->ts_recent_valid = true;
	}
	if (sk->state == XMP_TCP_SYN_RCVD) {
		if (!xmp_seq_after(seg->ack, sk->snd_una) || xmp_seq_after(seg->ack, sk->snd_max)) {
			xmp_tcp_send_rst(sk, seg->ack, 0, false);
			return -EINVAL;
		}
		tcp_ack_of_syn(sk, sk->iss + 1);
		sk->snd_wnd = (__u32)seg->wnd << sk->snd_wscale;
		sk->max_snd_wnd = tcp_max(sk->max_snd_wnd, sk->snd_wnd);
		sk->snd_wl1 = seq;
		sk->snd_wl2 = seg->ack;
		xmp_tcp_set_state(sk, XMP_TCP_ESTABLISHED);
	}
	err = tcp_rcv_ack(sk, seg, seq, rx);
	if (err)
		return err;
	switch (sk->state) {
	case XMP_TCP_ESTABLISHED:
	case XMP_TCP_FIN_WAIT_1:
	case XMP_TCP_FIN_WAIT_2:
		if (seg->len || (flags & XMP_TH_FIN)) {
			struct xmp_seg s = *seg;

			s.flags = flags;
			tcp_rcv_data(sk, &s, seq);
		}
		break;
	default:
		/* A repeated FIN after ours was processed: ACK it again. */
		if (flags & XMP_TH_FIN) {
			sk->ack_now = true;
			if (sk->state == XMP_TCP_TIME_WAIT)
				sk->tw_at = sk->now + 2 * (__u64)sk->cfg.msl_us;
		}
		break;
	}
	return 0;
}

int xmp_tcp_input(struct xmp_tcp_sock *sk, const struct xmp_seg *seg, __u64 now_us)
{
	struct xmp_tcp_opt_rx rx;

	xmp_tcp_parse_options(seg->opts, tcp_min(seg->optlen, XMP_TCP_MAX_OPTLEN),
			      seg->flags & XMP_TH_SYN, &rx);
	return xmp_tcp_input_rx(sk, seg, &rx, now_us);
}

int xmp_tcp_input_rx(struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		     const struct xmp_tcp_opt_rx *rx, __u64 now_us)
{
	int err = 0, r;

	xmp_tcp_enter(sk, now_us);
	tcp_mib_inc(sk, XMP_TCP_MIB_IN_SEGS);
	sk->mib[XMP_TCP_MIB_BAD_OPTIONS] += rx->bad;
	if (sk->ops->rcv_options && sk->state != XMP_TCP_CLOSED) {
		r = sk->ops->rcv_options(sk->ctx, sk, seg, rx);
		if (r < 0) {
			xmp_tcp_send_rst(sk, sk->snd_max, 0, false);
			xmp_tcp_done(sk, r, XMP_TCP_EV_ERROR);
			err = r;
			goto out;
		}
		if (r > 0) {
			tcp_mib_inc(sk, XMP_TCP_MIB_HOOK_DROP);
			err = -EPERM;
			goto out;
		}
	}
	switch (sk->state) {
	case XMP_TCP_CLOSED:
		tcp_rcv_closed(sk, seg);
		err = -ENOTCONN;
		break;
	case XMP_TCP_LISTEN:
		err = tcp_rcv_listen(sk, seg, rx);
		break;
	case XMP_TCP_SYN_SENT:
		err = tcp_rcv_syn_sent(sk, seg, rx);
		break;
	default:
		err = tcp_rcv_synchronized(sk, seg, rx);
		break;
	}
	if (sk->state != XMP_TCP_CLOSED)
		xmp_tcp_output(sk);
out:
	xmp_tcp_leave(sk);
	return err;
}

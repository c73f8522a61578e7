// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine: segment construction and the transmit loop.
 * Builds every outgoing segment (header fields, our options, then the
 * ops->write_options() hook for MPTCP) and hands it to ops->xmit().
 * xmp_tcp_output() decides what to send: RFC 6675 NextSeg() or NewReno
 * (RFC 6582) retransmissions in recovery, new data within min(cwnd, peer
 * window) otherwise, sender SWS avoidance (RFC 9293 3.8.6.2.1), the FIN
 * after the data, and the persist timer when the peer's window is zero.
 */
#include <errno.h>
#include <string.h>

#include <xmptcp/mptcp_wire.h>

#include "tcp/tcp_int.h"

/* Free receive space; out-of-order data already sits inside it. */
__u32 xmp_tcp_rcv_wnd(const struct xmp_tcp_sock *sk)
{
	return sk->rcvq.cap - sk->rcvq.len;
}

/* The window to offer: the buffer's free space, capped by the layer above
 * (ops->rcv_wnd) but never below the edge already offered (RFC 9293
 * 3.8.6.2.2: the right edge does not move back). */
static __u32 tcp_offer_wnd(struct xmp_tcp_sock *sk, bool syn)
{
	__u32 wnd = xmp_tcp_rcv_wnd(sk), cap, offered;

	if (syn || !sk->ops->rcv_wnd)
		return wnd;
	cap = sk->ops->rcv_wnd(sk->ctx, sk, wnd);
	offered = xmp_seq_after(sk->rcv_adv, sk->rcv_nxt) ? sk->rcv_adv - sk->rcv_nxt : 0;
	if (cap < offered)
		cap = offered;
	return cap < wnd ? cap : wnd;
}

/* Window field: scaled (RFC 7323 2.3) except on SYNs, capped to 16 bits. */
static __u16 tcp_wnd_field(struct xmp_tcp_sock *sk, bool syn)
{
	__u32 wnd = tcp_offer_wnd(sk, syn), field;

	field = syn ? wnd : wnd >> sk->rcv_wscale;
	if (field > 65535)
		field = 65535;
	sk->rcv_adv = sk->rcv_nxt + (syn ? field : field << sk->rcv_wscale);
	return (__u16)field;
}

/*
 * SACK blocks that fit while a hook (cfg.opt_reserve: MPTCP) keeps room for
 * its smallest option on every segment (RFC 8684 3.3): on an ACK a DSS with
 * a 4-byte DATA_ACK, on data one with the mapping too. Fewer blocks cost
 * little; an ACK without its DATA_ACK looks like a middlebox stripping
 * options (3.7), data without its mapping cannot be delivered. Linux trims
 * SACK blocks for MPTCP the same way.
 */
static __u32 tcp_sack_max(const struct xmp_tcp_sock *sk, __u32 optlen, bool data)
{
	__u32 room = XMP_TCP_MAX_OPTLEN - optlen;
	__u32 keep = data ? sk->hook_min_data : sk->hook_min_ack;

	if (sk->cfg.opt_reserve)
		room = room > keep ? room - keep : 0;
	return room < 10 ? 0 : tcp_min((room - 2) / 8, 4);
}

/* Header and our own options (TS, SACK). Payload room is the caller's. */
static void tcp_prepare(struct xmp_tcp_sock *sk, struct xmp_seg *seg, __u8 flags, __u32 seq,
			bool data)
{
	__u32 blocks[4][2];
	unsigned int n;
	int w;

	memset(seg, 0, sizeof(*seg));
	seg->sport = sk->cfg.lport;
	seg->dport = sk->cfg.rport;
	seg->seq = seq;
	seg->flags = flags;
	if (flags & XMP_TH_ACK)
		seg->ack = sk->rcv_nxt;
	if (flags & XMP_TH_RST)
		return;
	if (flags & XMP_TH_SYN) {
		bool offer = sk->state == XMP_TCP_SYN_SENT;
		int ws = offer ? (sk->cfg.no_wscale ? -1 : sk->ws_offer)
			       : (sk->wscale_ok ? sk->rcv_wscale : -1);
		bool sack = offer ? !sk->cfg.no_sack : sk->sack_ok;
		bool ts = offer ? !sk->cfg.no_ts : sk->ts_ok;

		seg->wnd = tcp_wnd_field(sk, true);
		w = xmp_tcp_write_syn_options(seg->opts, XMP_TCP_MAX_OPTLEN, sk->cfg.mss, ws, sack,
					      ts, xmp_tcp_tsval(sk), offer ? 0 : sk->ts_recent);
		seg->optlen = w > 0 ? w : 0;
		return;
	}
	seg->wnd = tcp_wnd_field(sk, false);
	if (sk->ts_ok) {
		w = xmp_tcp_write_ts(seg->opts, XMP_TCP_MAX_OPTLEN, xmp_tcp_tsval(sk),
				     sk->ts_recent);
		seg->optlen = w > 0 ? w : 0;
	}
	if (sk->sack_ok && sk->ofo.n) {
		n = xmp_tcp_sack_blocks(sk, blocks, tcp_sack_max(sk, seg->optlen, data));
		w = xmp_tcp_write_sack(seg->opts + seg->optlen, XMP_TCP_MAX_OPTLEN - seg->optlen,
				       (const __u32(*)[2])blocks, n);
		if (w > 0) {
			seg->optlen += w;
			tcp_mib_inc(sk, XMP_TCP_MIB_SACKS_SENT);
		}
	}
}

/* Runs the MPTCP hook, pads the options and sends. */
static int tcp_transmit(struct xmp_tcp_sock *sk, struct xmp_seg *seg)
{
	unsigned int space = XMP_TCP_MAX_OPTLEN - seg->optlen;
	int w, err;

	if (seg->len && space > sk->cfg.opt_reserve)
		space = sk->cfg.opt_reserve;
	if (sk->ops->write_options && space) {
		w = sk->ops->write_options(sk->ctx, sk, seg, seg->opts + seg->optlen, space);
		if (w > 0 && (unsigned int)w <= space)
			seg->optlen += w;
	}
	while (seg->optlen % 4)
		seg->opts[seg->optlen++] = TCPOPT_NOP_;
	if (seg->flags & XMP_TH_ACK) {
		sk->last_ack_sent = sk->rcv_nxt;
		sk->ack_now = false;
		sk->delack_at = XMP_TCP_NO_TIMER;
	}
	tcp_mib_inc(sk, XMP_TCP_MIB_OUT_SEGS);
	sk->mib[XMP_TCP_MIB_OUT_DATA_BYTES] += seg->len;
	err = sk->ops->xmit(sk->ctx, sk, seg);
	return err < 0 ? err : 0;
}

/* SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), first time or again. */
int xmp_tcp_send_syn(struct xmp_tcp_sock *sk)
{
	struct xmp_seg seg;
	__u8 flags = XMP_TH_SYN;

	if (sk->state == XMP_TCP_SYN_RCVD)
		flags |= XMP_TH_ACK;
	tcp_prepare(sk, &seg, flags, sk->iss, false);
	if (sk->snd_max != sk->iss) {
		tcp_mib_inc(sk, XMP_TCP_MIB_RETRANS_SEGS);
	} else {
		sk->snd_nxt = sk->snd_max = sk->iss + 1;
		/* Time the SYN for the first RTT sample (Karn: not its copies). */
		sk->rtt_timing = true;
		sk->rtt_seq = sk->iss + 1;
		sk->rtt_start = sk->now;
	}
	xmp_tcp_arm_rto(sk);
	return tcp_transmit(sk, &seg);
}

void xmp_tcp_send_ack(struct xmp_tcp_sock *sk)
{
	struct xmp_seg seg;

	if (sk->state < XMP_TCP_SYN_RCVD)
		return;
	/* SND.MAX, not SND.NXT: after an RTO moved SND.NXT back, the peer
	 * (which may hold more) must still find the ACK acceptable. */
	tcp_prepare(sk, &seg, XMP_TH_ACK, sk->snd_max, false);
	tcp_mib_inc(sk, XMP_TCP_MIB_ACKS_SENT);
	tcp_transmit(sk, &seg);
}

/* RFC 5961 3.2/4.2/5.2 challenge ACK, rate limited per second. */
void xmp_tcp_send_challenge_ack(struct xmp_tcp_sock *sk)
{
	if (sk->now - sk->challenge_epoch >= 1000000 || !sk->challenge_epoch) {
		sk->challenge_epoch = sk->now ? sk->now : 1;
		sk->challenge_count = 0;
	}
	if (sk->challenge_count >= sk->cfg.challenge_per_sec) {
		tcp_mib_inc(sk, XMP_TCP_MIB_CHALLENGE_LIMITED);
		return;
	}
	sk->challenge_count++;
	tcp_mib_inc(sk, XMP_TCP_MIB_CHALLENGE_ACK);
	xmp_tcp_send_ack(sk);
}

void xmp_tcp_send_rst(struct xmp_tcp_sock *sk, __u32 seq, __u32 ack, bool with_ack)
{
	struct xmp_seg seg;

	tcp_prepare(sk, &seg, XMP_TH_RST | (with_ack ? XMP_TH_ACK : 0), seq, false);
	if (with_ack)
		seg.ack = ack;
	tcp_mib_inc(sk, XMP_TCP_MIB_RST_SENT);
	tcp_transmit(sk, &seg);
}

/* Zero-window probe: an old sequence number forces the peer to ACK with
 * its current window without consuming sequence space. */
void xmp_tcp_send_probe(struct xmp_tcp_sock *sk)
{
	struct xmp_seg seg;

	tcp_prepare(sk, &seg, XMP_TH_ACK, sk->snd_una - 1, false);
	tcp_mib_inc(sk, XMP_TCP_MIB_WND_PROBES);
	tcp_transmit(sk, &seg);
}

/*
 * RFC 9293 3.8.6: bytes never sent before go out only inside the peer's
 * window, whichever path sends them (the RTO's first segment and the
 * NewReno retransmissions ask for a full MSS from SND.UNA); bytes below
 * SND.MAX may be sent again even above an edge the peer has since pulled
 * in, as they were inside the window when first sent (and serve as the
 * window probe when it is zero).
 */
static __u32 tcp_wnd_limit(const struct xmp_tcp_sock *sk, __u32 seq, __u32 len)
{
	__u32 limit = sk->snd_una + sk->snd_wnd;

	if (xmp_seq_after(sk->snd_max, limit))
		limit = sk->snd_max;
	if (!xmp_seq_after(seq + len, limit))
		return len;
	return xmp_seq_after(limit, seq) ? limit - seq : 0;
}

/*
 * The payload of [seq, seq + len), contiguous: from the engine's ring, or
 * from the layer above for the bytes it keeps (xmp_tcp_send_ref()). Bytes
 * that are not contiguous there are copied to txbuf. NULL when the layer
 * above no longer holds them: nothing may be sent then (counted).
 */
static const __u8 *tcp_payload(struct xmp_tcp_sock *sk, __u32 seq, __u32 len)
{
	__u32 off = seq - sk->snd_buf_seq, contig = len;
	const __u8 *p;

	if (sk->snd_ref && !xmp_seq_before(seq, sk->snd_own_end)) {
		p = sk->ops->snd_data(sk->ctx, sk, seq, len, sk->txbuf);
		if (!p)
			tcp_mib_inc(sk, XMP_TCP_MIB_SND_REF_MISSING);
		else if (p == sk->txbuf)
			sk->mib[XMP_TCP_MIB_SND_LINEAR_BYTES] += len;
		return p;
	}
	p = xmp_ring_contig(&sk->sndq, off, &contig);
	if (contig < len) {
		xmp_ring_read_at(&sk->sndq, off, sk->txbuf, len);
		sk->mib[XMP_TCP_MIB_SND_LINEAR_BYTES] += len;
		p = sk->txbuf;
	}
	return p;
}

/*
 * Sends up to len bytes from seq (a FIN rides on the last byte when the
 * application shut down). Returns the sequence space used, 0 if nothing.
 */
__u32 xmp_tcp_xmit_data(struct xmp_tcp_sock *sk, __u32 seq, __u32 len, bool rexmit)
{
	__u32 data_end = tcp_data_end(sk), room, end;
	struct xmp_seg seg;
	bool fin;

	if (xmp_seq_before(seq, sk->snd_buf_seq))
		return 0;
	len = xmp_seq_before(seq, data_end) ? tcp_min(len, data_end - seq) : 0;
	len = tcp_wnd_limit(sk, seq, len);
	tcp_prepare(sk, &seg, XMP_TH_ACK, seq, true);
	/* RFC 6691: options come out of the MSS. */
	room = tcp_min(sk->peer_mss, sk->cfg.mss);
	room =
	    room > seg.optlen + sk->cfg.opt_reserve ? room - seg.optlen - sk->cfg.opt_reserve : 1;
	len = tcp_min(len, room);
	if (len && sk->ops->seg_limit)
		len = tcp_max(tcp_min(len, sk->ops->seg_limit(sk->ctx, sk, seq, len)), 1);
	/* Bytes of the ring and of the layer above do not share a segment. */
	if (sk->snd_ref && xmp_seq_before(seq, sk->snd_own_end) &&
	    xmp_seq_after(seq + len, sk->snd_own_end))
		len = sk->snd_own_end - seq;
	fin = sk->fin_queued && seq + len == data_end;
	if (!len && !fin)
		return 0;
	if (fin)
		seg.flags |= XMP_TH_FIN;
	if (len) {
		seg.payload = tcp_payload(sk, seq, len);
		if (!seg.payload)
			return 0;
		seg.len = len;
		if (seq + len == data_end)
			seg.flags |= XMP_TH_PSH;
	}
	end = seq + len + fin;
	if (rexmit || xmp_seq_before(seq, sk->snd_max)) {
		tcp_mib_inc(sk, XMP_TCP_MIB_RETRANS_SEGS);
		/* Karn: a retransmitted range gives no RTT sample. */
		if (sk->rtt_timing && xmp_seq_before(seq, sk->rtt_seq))
			sk->rtt_timing = false;
	} else if (!sk->rtt_timing) {
		sk->rtt_timing = true;
		sk->rtt_seq = end;
		sk->rtt_start = sk->now;
	}
	if (xmp_seq_after(end, sk->snd_nxt) && !rexmit)
		sk->snd_nxt = end;
	if (xmp_seq_after(end, sk->snd_max))
		sk->snd_max = end;
	xmp_tcp_arm_rto(sk);
	tcp_transmit(sk, &seg);
	return len + fin;
}

/* NewReno pipe: flight less what the duplicate ACKs say has left. */
static __u32 tcp_newreno_pipe(const struct xmp_tcp_sock *sk)
{
	__u32 gone = sk->dupacks * sk->mss, flight = tcp_flight(sk);

	return flight > gone ? flight - gone : 0;
}

/* In recovery: one retransmission chosen by NextSeg()/NewReno. */
static bool tcp_recovery_rexmit(struct xmp_tcp_sock *sk)
{
	__u32 seq, len, used;

	if (sk->sack_ok) {
		if (!xmp_tcp_sack_next_seg(sk, &seq, &len))
			return false;
	} else {
		if (!sk->rxt_pending)
			return false;
		seq = sk->snd_una;
		len = sk->mss;
		sk->rxt_pending = false;
	}
	used = xmp_tcp_xmit_data(sk, seq, len, true);
	if (!used)
		return false;
	sk->high_rxt = seq + used;
	tcp_mib_inc(sk, XMP_TCP_MIB_FAST_RETRANS);
	if (sk->sack_ok)
		tcp_mib_inc(sk, XMP_TCP_MIB_SACK_RETRANS);
	return true;
}

/* Congestion window room in bytes. */
static __u32 tcp_cwnd_room(const struct xmp_tcp_sock *sk)
{
	__u32 used;

	if (sk->in_recovery)
		used = sk->sack_ok ? xmp_tcp_sack_pipe(sk) : tcp_newreno_pipe(sk);
	else
		used = (sk->snd_nxt - sk->snd_una) -
		       tcp_min(xmp_ranges_bytes_above(&sk->sacked, sk->snd_una),
			       sk->snd_nxt - sk->snd_una);
	return sk->cwnd > used ? sk->cwnd - used : 0;
}

/* Next new (or, after an RTO, go-back-N) segment. Returns false to stop. */
static bool tcp_send_next(struct xmp_tcp_sock *sk, __u32 cwnd_room)
{
	__u32 data_end = tcp_data_end(sk), avail, wnd_end, wleft, len, end;

	/* After an RTO, skip what the peer SACKed (RFC 6675 5.1). */
	while (xmp_seq_before(sk->snd_nxt, sk->snd_max)) {
		end = xmp_ranges_end_at(&sk->sacked, sk->snd_nxt);
		if (end == sk->snd_nxt)
			break;
		sk->snd_nxt = end;
	}
	avail = xmp_seq_before(sk->snd_nxt, data_end) ? data_end - sk->snd_nxt : 0;
	if (!avail) {
		/* FIN at the end of the data, once (it needs no window). */
		if (sk->fin_queued && sk->snd_nxt == data_end && cwnd_room)
			return xmp_tcp_xmit_data(sk, sk->snd_nxt, 0, false) != 0;
		return false;
	}
	wnd_end = sk->snd_una + sk->snd_wnd;
	wleft = xmp_seq_after(wnd_end, sk->snd_nxt) ? wnd_end - sk->snd_nxt : 0;
	len = tcp_min(tcp_min(avail, sk->mss), wleft);
	if (!len)
		return false;
	if (len > cwnd_room) {
		if (cwnd_room < sk->mss && cwnd_room < avail)
			return false;
		len = cwnd_room;
	}
	/* Sender SWS avoidance: no runt limited by the window while data is in
	 * flight, unless it reaches half the largest window seen. */
	if (len < sk->mss && len < avail && sk->snd_nxt != sk->snd_una && len < sk->max_snd_wnd / 2)
		return false;
	/* Nagle (RFC 896, RFC 9293 3.7.4): one runt in flight at most, unless
	 * the application asked for nodelay or closes. */
	if (len < sk->mss && len == avail && !sk->cfg.nodelay && !sk->fin_queued &&
	    sk->snd_nxt != sk->snd_una)
		return false;
	return xmp_tcp_xmit_data(sk, sk->snd_nxt, len, false) != 0;
}

static bool tcp_can_send_data(const struct xmp_tcp_sock *sk)
{
	switch (sk->state) {
	case XMP_TCP_ESTABLISHED:
	case XMP_TCP_CLOSE_WAIT:
	case XMP_TCP_FIN_WAIT_1:
	case XMP_TCP_CLOSING:
	case XMP_TCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

void xmp_tcp_output(struct xmp_tcp_sock *sk)
{
	__u32 room, data_end = tcp_data_end(sk);
	unsigned int guard = 0;

	if (tcp_can_send_data(sk)) {
		/* Bounded: each turn sends at least one byte of sequence space. */
		while (guard++ < 100000) {
			room = tcp_cwnd_room(sk);
			if (!room)
				break;
			if (sk->in_recovery && room >= sk->mss && tcp_recovery_rexmit(sk))
				continue;
			if (!tcp_send_next(sk, room))
				break;
		}
		/* Persist when the peer's window blocks data and nothing is in
		 * flight to bring a window update (RFC 9293 3.8.6.1). */
		if (!sk->snd_wnd && sk->snd_una == sk->snd_max &&
		    xmp_seq_before(sk->snd_nxt, data_end))
			xmp_tcp_arm_persist(sk);
		else if (sk->snd_wnd)
			sk->persist_at = XMP_TCP_NO_TIMER;
	}
	if (sk->ack_now)
		xmp_tcp_send_ack(sk);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine: RTT estimation and timers on the caller's clock.
 * RFC 6298 RTO (Karn's rule lives in tcp_output.c), exponential backoff and
 * abort after cfg.max_retries; delayed ACK (RFC 9293 3.8.6.3 / RFC 1122);
 * zero-window probes with backoff (persist); TIME-WAIT for 2 MSL.
 * There are no timer objects: each kind is one deadline in the socket, the
 * earliest is xmp_tcp_next_timer().
 */
#include <errno.h>

#include "tcp/tcp_int.h"

/* RFC 6298 2.2-2.4, with a 1 ms clock granularity G. */
void xmp_tcp_rtt_sample(struct xmp_tcp_sock *sk, __u32 r)
{
	__u32 diff, rto;

	if (!sk->srtt_us) {
		sk->srtt_us = r ? r : 1;
		sk->rttvar_us = r / 2;
	} else {
		diff = sk->srtt_us > r ? sk->srtt_us - r : r - sk->srtt_us;
		sk->rttvar_us = (3 * sk->rttvar_us + diff) / 4;
		sk->srtt_us = (7 * (__u64)sk->srtt_us + r) / 8;
		if (!sk->srtt_us)
			sk->srtt_us = 1;
	}
	rto = sk->srtt_us + tcp_max(1000, 4 * sk->rttvar_us);
	sk->rto_us = tcp_min(tcp_max(rto, sk->cfg.rto_min_us), sk->cfg.rto_max_us);
}

/* Current RTO with the backoff of RFC 6298 5.5 (capped at rto_max). */
static __u64 tcp_rto_backoff(const struct xmp_tcp_sock *sk, __u32 shift)
{
	__u64 rto = sk->rto_us;

	while (shift-- && rto < sk->cfg.rto_max_us)
		rto <<= 1;
	return rto < sk->cfg.rto_max_us ? rto : sk->cfg.rto_max_us;
}

/* Starts the retransmission timer unless it runs (RFC 6298 5.1). Window
 * probes made by the RTO while the peer's window is closed back it off as
 * retransmissions do (sk->probes is 0 once the window opens or data is
 * acked). */
void xmp_tcp_arm_rto(struct xmp_tcp_sock *sk)
{
	if (sk->rto_at == XMP_TCP_NO_TIMER)
		sk->rto_at = sk->now + tcp_rto_backoff(sk, sk->retries + sk->probes);
}

void xmp_tcp_arm_persist(struct xmp_tcp_sock *sk)
{
	if (sk->persist_at == XMP_TCP_NO_TIMER)
		sk->persist_at = sk->now + tcp_rto_backoff(sk, sk->probes);
}

void xmp_tcp_schedule_delack(struct xmp_tcp_sock *sk)
{
	if (sk->delack_at == XMP_TCP_NO_TIMER)
		sk->delack_at = sk->now + sk->cfg.delack_us;
}

void xmp_tcp_enter_time_wait(struct xmp_tcp_sock *sk)
{
	xmp_tcp_set_state(sk, XMP_TCP_TIME_WAIT);
	sk->rto_at = sk->persist_at = XMP_TCP_NO_TIMER;
	sk->tw_at = sk->now + 2 * (__u64)sk->cfg.msl_us;
}

__u64 xmp_tcp_next_timer(const struct xmp_tcp_sock *sk)
{
	__u64 t = sk->rto_at;

	if (sk->delack_at < t)
		t = sk->delack_at;
	if (sk->persist_at < t)
		t = sk->persist_at;
	if (sk->tw_at < t)
		t = sk->tw_at;
	return t;
}

/*
 * RFC 6298 5.4-5.7 and RFC 5681 (4): back off, collapse cwnd to one
 * segment, go back to SND.UNA (skipping SACKed data), abort after too many
 * attempts.
 */
static void tcp_rto_fire(struct xmp_tcp_sock *sk)
{
	bool syn = sk->state == XMP_TCP_SYN_SENT || sk->state == XMP_TCP_SYN_RCVD;
	__u32 limit = syn ? sk->cfg.max_syn_retries : sk->cfg.max_retries;

	sk->rto_at = XMP_TCP_NO_TIMER;
	if (!syn && sk->snd_una == sk->snd_max)
		return;
	if (!syn && !sk->snd_wnd && sk->dupacks) {
		/* RFC 1122 4.2.2.17: the peer closed its window with data in
		 * flight, so this retransmission is the window probe; it
		 * answered the last one (its ACKs since the last expiry are
		 * the duplicates counted in sk->dupacks), so it is alive and
		 * must not be given up on: the probe count, not the abort
		 * count, grows, and backs the timer off (xmp_tcp_arm_rto()). */
		sk->probes++;
	} else if (++sk->retries > limit) {
		tcp_mib_inc(sk, XMP_TCP_MIB_RTO_ABORT);
		xmp_tcp_done(sk, -ETIMEDOUT, XMP_TCP_EV_ERROR);
		return;
	}
	tcp_mib_inc(sk, XMP_TCP_MIB_RTO);
	sk->rtt_timing = false;
	if (syn) {
		xmp_tcp_send_syn(sk);
		return;
	}
	if (sk->retries == 1 || sk->in_recovery)
		sk->ssthresh = sk->cc->ssthresh(sk);
	sk->cwnd = sk->mss;
	if (sk->cc->cwnd_event)
		sk->cc->cwnd_event(sk, XMP_CC_EV_RTO, sk->now);
	sk->in_recovery = false;
	sk->dupacks = 0;
	/* RFC 6582 4: no fast retransmit for what was sent before the RTO. */
	sk->recover = sk->snd_max;
	sk->snd_nxt = sk->snd_una;
	sk->high_rxt = sk->snd_una;
	/* The head goes even if the peer has since closed its window: it was
	 * inside the window when first sent, and it doubles as a probe. */
	xmp_tcp_xmit_data(sk, sk->snd_una, sk->mss, false);
	xmp_tcp_output(sk);
	xmp_tcp_arm_rto(sk);
}

static void tcp_persist_fire(struct xmp_tcp_sock *sk)
{
	sk->persist_at = XMP_TCP_NO_TIMER;
	if (sk->snd_wnd || !xmp_seq_before(sk->snd_nxt, tcp_data_end(sk)))
		return;
	/* RFC 1122 4.2.2.17 keeps the connection open only while the peer
	 * answers the probes: sk->retries counts those not answered (any
	 * ACK resets it, tcp_rcv_ack()); a silent peer is given up on after
	 * max_retries of them, as Linux's tcp_probe_timer() does, instead
	 * of being probed forever. */
	if (++sk->retries > sk->cfg.max_retries) {
		tcp_mib_inc(sk, XMP_TCP_MIB_RTO_ABORT);
		xmp_tcp_done(sk, -ETIMEDOUT, XMP_TCP_EV_ERROR);
		return;
	}
	xmp_tcp_send_probe(sk);
	sk->probes++;
	xmp_tcp_arm_persist(sk);
}

void xmp_tcp_on_timer(struct xmp_tcp_sock *sk, __u64 now_us)
{
	xmp_tcp_enter(sk, now_us);
	if (sk->tw_at <= sk->now) {
		/* End of TIME-WAIT, or FIN-WAIT-2 of a closed socket. */
		sk->tw_at = XMP_TCP_NO_TIMER;
		xmp_tcp_done(sk, 0, 0);
	}
	if (sk->delack_at <= sk->now) {
		sk->delack_at = XMP_TCP_NO_TIMER;
		tcp_mib_inc(sk, XMP_TCP_MIB_DELACK_TIMER);
		xmp_tcp_send_ack(sk);
	}
	if (sk->rto_at <= sk->now)
		tcp_rto_fire(sk);
	if (sk->persist_at <= sk->now)
		tcp_persist_fire(sk);
	xmp_tcp_leave(sk);
}

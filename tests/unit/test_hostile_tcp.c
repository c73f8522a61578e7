// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile-input matrix, subflow TCP engine part (the MPTCP part is
 * test_hostile_mptcp.c). Each test drives the engine through the shared
 * in-memory-wire fixture (test_tcp_harness.h), throws one kind of bad
 * input at it and asserts both the documented reaction and the counter
 * (enum xmp_tcp_mib) that records it, so a change of either fails here:
 *  - RFC 5961: RST in window / exact / outside, SYN on a synchronized
 *    connection, ACK of data never sent, ACK too old, challenge ACK limit;
 *  - a peer shrinking its right window edge (RFC 9293 3.8.6);
 *  - a zero window held for ten minutes of virtual time, with and without
 *    data in flight (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17);
 *  - garbage segments: data past the window, SACK blocks outside
 *    SND.UNA..SND.MAX (RFC 2018, RFC 6675), timestamps going backwards
 *    (RFC 7323 5, PAWS).
 * ISNs sit just below 2^32 (harness default) so every check crosses the
 * sequence wraparound.
 */
#include "lib/test.h"
#include "test_tcp_harness.h"
#include "tcp/tcp_int.h"

/* Segments side `from` sent since capture index `since` with exactly these
 * flags (PSH ignored). */
static unsigned int sent_since(const struct tpair *tp, unsigned int since, int from, __u8 flags)
{
	unsigned int i, n = 0;

	for (i = since; i < tp->ncap; i++)
		if (tp->cap[i].from == from && (tp->cap[i].seg.flags & ~XMP_TH_PSH) == flags)
			n++;
	return n;
}

/* Every test here runs over a 2 ms wire each way. */
static void connect_pair(struct tpair *tp, __u64 seed, const struct xmp_tcp_cfg *c0,
			 const struct xmp_tcp_cfg *c1)
{
	CHECK_EQ(tpair_open(tp, seed, c0, c1, NULL, T_DELAY(2 * T_MS)), 0);
}

/* ---- 7. RFC 5961 ------------------------------------------------------ */

/* RFC 5961 3.2: only a RST at exactly RCV.NXT resets; one elsewhere in the
 * window draws a challenge ACK; one outside the window (above or below) is
 * dropped silently and counted as out of window. */
static void rst_window_matrix(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u64 oow;
	unsigned int n;

	connect_pair(&tp, 101, NULL, NULL);
	sk = tp.p[1].sk;
	/* In the window, not RCV.NXT: challenge ACK carrying RCV.NXT. */
	n = tp.ncap;
	seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt + 1, 0);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 1);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RST_RCVD], 0);
	CHECK_EQ(sent_since(&tp, n, 1, XMP_TH_ACK), 1);
	CHECK_EQ(tp.cap[tp.ncap - 1].seg.ack, sk->rcv_nxt);
	/* Last byte of the window: still a challenge. */
	seg.seq = sk->rcv_nxt + xmp_tcp_rcv_wnd(sk) - 1;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 2);
	/* Just past the window, far past it, and below RCV.NXT: nothing
	 * sent, connection intact, each counted as out of window. */
	oow = sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW];
	n = tp.ncap;
	seg.seq = sk->rcv_nxt + xmp_tcp_rcv_wnd(sk);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	seg.seq = sk->rcv_nxt + 0x40000000u;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	seg.seq = sk->rcv_nxt - 1;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(tp.ncap, n);
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW] - oow, 3);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 2);
	/* Exactly RCV.NXT: reset, reported, counted. */
	seg.seq = sk->rcv_nxt;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->state, XMP_TCP_CLOSED);
	CHECK_EQ(sk->err, -ECONNRESET);
	CHECK(tp.p[1].events & XMP_TCP_EV_RESET);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RST_RCVD], 1);
	tpair_fini(&tp);
}

/* RFC 5961 4.2: a SYN on a synchronized connection, whatever its sequence
 * number (in the window, old, far away), draws a challenge ACK and never
 * resets or re-handshakes. */
static void syn_on_established_any_seq(void)
{
	const __u32 offs[] = {5, 0, (__u32)-1000, 0x40000000u};
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	unsigned int i, n;
	__u32 una, nxt;

	connect_pair(&tp, 102, NULL, NULL);
	sk = tp.p[1].sk;
	una = sk->snd_una;
	nxt = sk->rcv_nxt;
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		n = tp.ncap;
		seg = t_seg_to(sk, XMP_TH_SYN, nxt + offs[i], 0);
		CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w) + i * T_SEC) < 0);
		CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
		CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], i + 1);
		CHECK_EQ(sent_since(&tp, n, 1, XMP_TH_ACK), 1);
		CHECK_EQ(sent_since(&tp, n, 1, XMP_TH_SYN | XMP_TH_ACK), 0);
		CHECK_EQ(sent_since(&tp, n, 1, XMP_TH_RST), 0);
		CHECK_EQ(tp.cap[tp.ncap - 1].seg.ack, nxt);
		if (t_cur_failed)
			printf("#   SYN at rcv_nxt + %d\n", (int)offs[i]);
	}
	CHECK_EQ(sk->snd_una, una);
	CHECK_EQ(sk->rcv_nxt, nxt);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RST_RCVD], 0);
	/* The real peer is unaffected by the challenge ACKs. */
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 5 * T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_ESTABLISHED);
	tpair_fini(&tp);
}

/* RFC 5961 5.2: an ACK above SND.MAX is answered by an ACK and dropped with
 * its data; one below SND.UNA - MAX.SND.WND draws a challenge ACK and is
 * dropped; neither moves SND.UNA nor frees the send buffer. */
static void ack_outside_bounds(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u8 data[200] = {9};
	__u32 una, buffered;
	unsigned int n;

	connect_pair(&tp, 103, NULL, NULL);
	sk = tp.p[1].sk;
	/* Side 1 has bytes in flight that side 0 never gets. */
	tp.drop_all[1] = true;
	CHECK_EQ(xmp_tcp_send(sk, data, sizeof(data), memwire_now(tp.w)), (long)sizeof(data));
	una = sk->snd_una;
	buffered = sk->sndq.len;
	CHECK(sk->snd_max != una);
	n = tp.ncap;
	seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt, sk->snd_max + 1);
	seg.payload = data;
	seg.len = 100;
	CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w)) < 0);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_ACK_TOO_NEW], 1);
	CHECK_EQ(sent_since(&tp, n, 1, XMP_TH_ACK), 1); /* the ACK back */
	CHECK_EQ(sk->snd_una, una);
	CHECK_EQ(sk->sndq.len, buffered);
	CHECK_EQ(xmp_tcp_readable(sk), 0); /* its data was not taken */
	/* Far in the past of the window: challenge ACK. */
	n = tp.ncap;
	seg.ack = una - sk->max_snd_wnd - 1;
	CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w)) < 0);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_ACK_TOO_OLD], 1);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 1);
	CHECK_EQ(sent_since(&tp, n, 1, XMP_TH_ACK), 1);
	CHECK_EQ(sk->snd_una, una);
	CHECK_EQ(sk->sndq.len, buffered);
	CHECK_EQ(xmp_tcp_readable(sk), 0);
	/* At the very bound it is acceptable: the data is taken. */
	seg.ack = una - sk->max_snd_wnd;
	CHECK_EQ(xmp_tcp_input(sk, &seg, memwire_now(tp.w)), 0);
	CHECK_EQ(xmp_tcp_readable(sk), 100);
	CHECK_EQ(sk->snd_una, una);
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	tpair_fini(&tp);
}

/* RFC 5961 7: at most challenge_per_sec challenge ACKs per second, the rest
 * suppressed and counted; a new second opens a new budget. */
static void challenge_ack_budget(void)
{
	struct xmp_tcp_cfg c = {.challenge_per_sec = 5};
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	unsigned int i, n;
	__u64 t0;

	connect_pair(&tp, 104, &c, &c);
	sk = tp.p[1].sk;
	t0 = memwire_now(tp.w) + T_SEC;
	n = tp.ncap;
	for (i = 0; i < 50; i++) {
		/* RST in window and SYN alternately: one shared budget. */
		seg = t_seg_to(sk, i & 1 ? XMP_TH_SYN : XMP_TH_RST, sk->rcv_nxt + 10, 0);
		xmp_tcp_input(sk, &seg, t0 + i * 1000);
	}
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 5);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_LIMITED], 45);
	CHECK_EQ(sent_since(&tp, n, 1, XMP_TH_ACK), 5);
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt + 10, 0);
	xmp_tcp_input(sk, &seg, t0 + T_SEC + 1);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 6);
	tpair_fini(&tp);
}

/* ---- 8. window shrink ------------------------------------------------ */

/*
 * Middlebox playing a receiver that shrinks its right edge: while active,
 * side 1's segments advertise an edge of ACK + shrink_wnd (below what was
 * allowed before), and side 0's data past the edge advertised last is
 * cut at that edge, as such a receiver keeps only what is inside. Side 0's input and output are
 * wrapped: every delivered segment updates the edge side 0 knows, in the
 * order the engine processes them, and every first transmission of a
 * byte is checked against it.
 */
struct shrink {
	struct tpair *tp;
	bool active;
	__u32 shrink_wnd;
	unsigned int acks_seen, start_at, stop_at;
	__u32 adv_edge, known_edge, max_end;
	bool have_adv, have_known, have_max;
	unsigned int dropped, news, past;
};
static struct shrink shr;

static __u32 shrink_mbox(struct tpair *tp, int from, struct xmp_seg *seg, __u8 *data)
{
	__u8 ws = tp->p[1].sk->rcv_wscale;

	(void)data;
	if (from == 0) {
		/* RFC 9293 3.8.6: only the part inside the window is kept. */
		if (shr.active && seg->len && shr.have_adv &&
		    xmp_seq_after(seg->seq + seg->len, shr.adv_edge)) {
			shr.dropped++;
			if (!xmp_seq_after(shr.adv_edge, seg->seq))
				return MEMWIRE_DROP;
			seg->len = shr.adv_edge - seg->seq;
			seg->flags &= ~XMP_TH_FIN;
		}
		return MEMWIRE_PASS;
	}
	if (seg->flags & XMP_TH_SYN)
		return MEMWIRE_PASS;
	shr.acks_seen++;
	shr.active = shr.acks_seen >= shr.start_at && shr.acks_seen < shr.stop_at;
	if (shr.active && ((__u32)seg->wnd << ws) > shr.shrink_wnd)
		seg->wnd = (__u16)(shr.shrink_wnd >> ws);
	shr.adv_edge = seg->ack + ((__u32)seg->wnd << ws);
	shr.have_adv = true;
	return MEMWIRE_PASS;
}

static void shrink_rx(void *arg, const struct xmp_seg *seg, __u64 now)
{
	struct xmp_tcp_sock *sk = arg;

	if (!(seg->flags & XMP_TH_SYN) && (seg->flags & XMP_TH_ACK)) {
		shr.known_edge = seg->ack + ((__u32)seg->wnd << sk->snd_wscale);
		shr.have_known = true;
	}
	xmp_tcp_input(sk, seg, now);
}

/* A TCP end (memwire_attach_tcp) that notes each window it receives. */
static const struct memwire_end_ops shrink_end_ops = {
	.rx = shrink_rx,
	.next_timer = memwire_tcp_next_timer,
	.on_timer = memwire_tcp_on_timer,
};

static int shrink_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	__u32 end = seg->seq + seg->len;

	if (shr.tp && sk == shr.tp->p[0].sk && seg->len && !(seg->flags & XMP_TH_SYN) &&
	    (!shr.have_max || xmp_seq_after(end, shr.max_end))) {
		shr.max_end = end;
		shr.have_max = true;
		shr.news++;
		if (shr.have_known && xmp_seq_after(end, shr.known_edge)) {
			if (!shr.past)
				printf("#   new bytes %u..%u past the known edge %u\n", seg->seq,
				       end, shr.known_edge);
			shr.past++;
		}
	}
	return memwire_tcp_xmit(ctx, sk, seg);
}

static const struct xmp_tcp_ops shrink_ops = {
    .xmit = shrink_xmit,
    .event = t_event,
    .state_change = t_state,
};

/* RFC 9293 3.8.6: the peer shrinks its window below what it allowed
 * before (to less than one MSS). Once the new edge is known no new byte
 * goes past it (not even in the RTO's first segment); what was sent past
 * it and discarded is retransmitted; the transfer completes byte-exact. */
static void window_shrink_respected(void)
{
	struct xmp_tcp_cfg c0 = {.sndbuf = 128 * 1024}, c1 = {.rcvbuf = 64 * 1024};
	size_t len = 400 * 1024;
	struct tpair tp;
	__u8 *a;

	memset(&shr, 0, sizeof(shr));
	shr.shrink_wnd = 700;
	shr.start_at = 40;
	shr.stop_at = 400;
	CHECK_EQ(tpair_init(&tp, 105, &c0, &c1, &shrink_ops), 0);
	shr.tp = &tp;
	memwire_attach(tp.w, 0, &shrink_end_ops, tp.p[0].sk);
	memwire_set_dir(tp.w, 0, &(struct memwire_dir_cfg){.delay_us = 2 * T_MS});
	memwire_set_dir(tp.w, 1, &(struct memwire_dir_cfg){.delay_us = 2 * T_MS});
	CHECK_EQ(tpair_connect(&tp), 0);
	tp.mbox_user = shrink_mbox;
	a = tpeer_source(&tp, 0, len, 7, true);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, memwire_now(tp.w) + 600 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, a, len);
	CHECK(shr.acks_seen > shr.stop_at); /* the shrink phase ended */
	CHECK(shr.dropped > 0);		    /* bytes had been sent past the new edge */
	CHECK(tp.p[0].sk->mib[XMP_TCP_MIB_RETRANS_SEGS] > 0);
	CHECK(shr.news > 100);
	CHECK_EQ(shr.past, 0);
	shr.tp = NULL;
	free(a);
	tpair_fini(&tp);
}

/* ---- 9. zero window held for minutes ------------------------------------ */

static bool c_zero_wnd0(void *arg)
{
	struct tpair *tp = arg;

	return tp->p[0].sk->snd_wnd == 0 && tp->p[0].sk->persist_at != XMP_TCP_NO_TIMER;
}

struct zsnap {
	__u32 sndq, rcvq, ofo, sacked, in_flight;
};

static struct zsnap zsnap(const struct tpair *tp)
{
	return (struct zsnap){.sndq = tp->p[0].sk->sndq.len,
			      .rcvq = tp->p[1].sk->rcvq.len,
			      .ofo = tp->p[1].sk->ofo.n,
			      .sacked = tp->p[0].sk->sacked.n,
			      .in_flight = memwire_in_flight(tp->w)};
}

/*
 * RFC 9293 3.8.6.1 / RFC 1122 4.2.2.17: the reader stops for 10 minutes
 * of virtual time. The sender probes with exponential backoff capped at
 * rto_max (60 s), the receiver answers every probe, nothing times out, no
 * buffer grows; once the reader resumes, the data arrives byte-exact.
 */
static void zero_window_ten_minutes(void)
{
	struct xmp_tcp_cfg c0 = {.sndbuf = 64 * 1024}, c1 = {.rcvbuf = 16 * 1024};
	size_t len = 100 * 1024;
	struct zsnap s1, s2;
	struct tpair tp;
	unsigned int i, probes = 0;
	__u64 t0, prev = 0, gap, last_gap = 0;
	__u8 *a;

	connect_pair(&tp, 106, &c0, &c1);
	tp.p[1].paused = true;
	a = tpeer_source(&tp, 0, len, 8, true);
	CHECK_EQ(memwire_run_until(tp.w, c_zero_wnd0, &tp, memwire_now(tp.w) + 10 * T_SEC), 0);
	t0 = memwire_now(tp.w);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, t0 + 60 * T_SEC), -ETIMEDOUT);
	s1 = zsnap(&tp);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, t0 + 600 * T_SEC), -ETIMEDOUT);
	s2 = zsnap(&tp);
	/* Alive, not aborted, nothing retransmitted by the RTO. */
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_ESTABLISHED);
	CHECK_EQ(tp.p[0].sk->err, 0);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO_ABORT], 0);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO], 0);
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_ESTABLISHED);
	/* Memory flat between minute 1 and minute 10. */
	CHECK_EQ(s1.sndq, s2.sndq);
	CHECK_EQ(s2.rcvq, 16 * 1024);
	CHECK_EQ(s1.rcvq, s2.rcvq);
	CHECK_EQ(s2.ofo, 0);
	CHECK_EQ(s2.sacked, 0);
	CHECK(s2.in_flight <= 2);
	/* Probes: old sequence, no data; gaps double up to 60 s, then stay. */
	for (i = 0; i < tp.ncap; i++) {
		const struct tcap *cp = &tp.cap[i];

		if (cp->from != 0 || cp->seg.len || cp->seg.seq != tp.p[0].sk->snd_una - 1)
			continue;
		if (probes++) {
			gap = cp->at - prev;
			CHECK(gap >= last_gap);
			CHECK(gap <= 60 * T_SEC);
			last_gap = gap;
		}
		prev = cp->at;
	}
	CHECK_EQ(last_gap, 60 * T_SEC);
	CHECK(probes >= 12 && probes <= 30);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_WND_PROBES], probes);
	/* Each probe was answered (counted as a duplicate at the receiver). */
	CHECK(tp.p[1].sk->mib[XMP_TCP_MIB_RCV_DUP] >= probes);
	/* The reader comes back: everything arrives. */
	tp.p[1].paused = false;
	tpeer_pull(&tp.p[1]);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, memwire_now(tp.w) + 120 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, a, len);
	free(a);
	tpair_fini(&tp);
}

/*
 * A receiver closing its window to zero while data is in flight: from its
 * close_at-th segment on it advertises a zero window and discards the data
 * that reaches it (the middlebox turns it into an old duplicate, which the
 * receiver ACKs). The sender's retransmission timer then acts as the
 * window probe; the peer answers each one, so RFC 1122 4.2.2.17 forbids
 * giving up. After 10 minutes the connection is alive; once the window
 * reopens the transfer completes byte-exact.
 */
struct zclose {
	unsigned int acks, close_at;
	bool closed, reopened;
	unsigned int bounced;
};
static struct zclose zc;

static __u32 zclose_mbox(struct tpair *tp, int from, struct xmp_seg *seg, __u8 *data)
{
	(void)data;
	if (from == 1 && !(seg->flags & XMP_TH_SYN)) {
		if (++zc.acks == zc.close_at && !zc.reopened)
			zc.closed = true;
		if (zc.closed)
			seg->wnd = 0;
		return MEMWIRE_PASS;
	}
	if (from == 0 && seg->len && zc.closed) {
		seg->seq = tp->p[1].sk->rcv_nxt - seg->len - 1;
		seg->flags &= ~XMP_TH_FIN;
		zc.bounced++;
	}
	return MEMWIRE_PASS;
}

static bool c_closed_in_flight(void *arg)
{
	struct tpair *tp = arg;

	return zc.closed && tp->p[0].sk->snd_wnd == 0 &&
	       tp->p[0].sk->snd_max != tp->p[0].sk->snd_una;
}

/* @len bytes from end 0 (source seed @src_seed, FIN after them when
 * @fin), until end 1 has closed its window (zclose_mbox) with data in
 * flight; returns the source. */
static __u8 *closed_in_flight(struct tpair *tp, unsigned int seed, const struct xmp_tcp_cfg *c,
			      size_t len, unsigned int src_seed, bool fin)
{
	__u8 *a;

	memset(&zc, 0, sizeof(zc));
	zc.close_at = 30;
	connect_pair(tp, seed, c, c);
	tp->mbox_user = zclose_mbox;
	a = tpeer_source(tp, 0, len, src_seed, fin);
	CHECK_EQ(memwire_run_until(tp->w, c_closed_in_flight, tp, memwire_now(tp->w) + 10 * T_SEC),
		 0);
	return a;
}

static void zero_window_with_data_in_flight(void)
{
	struct xmp_tcp_cfg c = {.sndbuf = 64 * 1024};
	size_t len = 200 * 1024;
	struct tpair tp;
	__u64 t0;
	__u8 *a;

	a = closed_in_flight(&tp, 107, &c, len, 9, true);
	t0 = memwire_now(tp.w);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, t0 + 600 * T_SEC), -ETIMEDOUT);
	CHECK(zc.bounced > 10);
	CHECK_EQ(tp.p[0].sk->snd_wnd, 0);
	CHECK(tp.p[0].sk->mib[XMP_TCP_MIB_RTO] > 10);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO_ABORT], 0);
	CHECK_EQ(tp.p[0].sk->err, 0);
	CHECK(tp.p[0].sk->state != XMP_TCP_CLOSED);
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_ESTABLISHED);
	/* Spaced by the capped backoff (60 s), not faster. */
	CHECK(tp.p[0].sk->mib[XMP_TCP_MIB_RTO] < 30);
	zc.closed = false;
	zc.reopened = true;
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, memwire_now(tp.w) + 300 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, a, len);
	free(a);
	tpair_fini(&tp);
}

/* The same closed window, then the peer goes silent: the retransmissions
 * are no longer answered and the connection times out (RFC 1122 4.2.2.17
 * only protects a peer that keeps answering). */
static void zero_window_in_flight_dead_peer(void)
{
	struct xmp_tcp_cfg c = {.sndbuf = 64 * 1024, .max_retries = 6};
	struct tpair tp;
	__u8 *a;

	a = closed_in_flight(&tp, 108, &c, 200 * 1024, 10, false);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 300 * T_SEC), -ETIMEDOUT);
	CHECK(tp.p[0].sk->state != XMP_TCP_CLOSED);
	tp.drop_all[0] = tp.drop_all[1] = true;
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 3600 * T_SEC);
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_CLOSED);
	CHECK_EQ(tp.p[0].sk->err, -ETIMEDOUT);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO_ABORT], 1);
	free(a);
	tpair_fini(&tp);
}

/* Zero window with nothing in flight (persist), then the peer goes silent:
 * after max_retries unanswered probes the connection is aborted instead of
 * probing forever (as Linux's tcp_probe_timer()); answered probes never
 * count (zero_window_ten_minutes). */
static void zero_window_persist_dead_peer(void)
{
	struct xmp_tcp_cfg c0 = {.sndbuf = 64 * 1024, .max_retries = 6}, c1 = {.rcvbuf = 16 * 1024};
	struct tpair tp;
	__u64 probes;
	__u8 *a;

	connect_pair(&tp, 112, &c0, &c1);
	tp.p[1].paused = true;
	a = tpeer_source(&tp, 0, 100 * 1024, 12, false);
	CHECK_EQ(memwire_run_until(tp.w, c_zero_wnd0, &tp, memwire_now(tp.w) + 10 * T_SEC), 0);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 300 * T_SEC), -ETIMEDOUT);
	CHECK(tp.p[0].sk->state == XMP_TCP_ESTABLISHED);
	probes = tp.p[0].sk->mib[XMP_TCP_MIB_WND_PROBES];
	CHECK(probes > 6); /* answered probes never ran the count out */
	tp.drop_all[0] = tp.drop_all[1] = true;
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 3600 * T_SEC);
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_CLOSED);
	CHECK_EQ(tp.p[0].sk->err, -ETIMEDOUT);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO_ABORT], 1);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_WND_PROBES] - probes, 6);
	free(a);
	tpair_fini(&tp);
}

/* ---- 10. garbage segments ---------------------------------------------- */

/* Data past the receive window is trimmed at the right edge, never stored
 * beyond rcvbuf, counted; a fully outside segment changes nothing. */
static void data_beyond_window_trimmed(void)
{
	struct xmp_tcp_cfg c0 = {0}, c1 = {.rcvbuf = 4096};
	static __u8 big[8192];
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u32 nxt;
	__u8 out[4096];

	t_fill(big, sizeof(big), 11);
	connect_pair(&tp, 109, &c0, &c1);
	sk = tp.p[1].sk;
	tp.p[1].paused = true;
	nxt = sk->rcv_nxt;
	/* 8 KiB at RCV.NXT into a 4 KiB window: 4 KiB kept. */
	seg = t_seg_to(sk, XMP_TH_ACK, nxt, sk->snd_una);
	seg.payload = big;
	seg.len = sizeof(big);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW], 1);
	CHECK_EQ(xmp_tcp_readable(sk), 4096);
	CHECK_EQ(sk->rcv_nxt, nxt + 4096);
	CHECK(sk->rcvq.len <= sk->rcvq.cap);
	/* Window now zero: more data dropped, nothing buffered. */
	seg.seq = nxt + 4096;
	seg.payload = big + 4096;
	seg.len = 1000;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW], 2);
	CHECK_EQ(xmp_tcp_readable(sk), 4096);
	CHECK_EQ(sk->ofo.n, 0);
	/* An out-of-order segment straddling the edge after a partial read:
	 * kept only up to the edge. */
	CHECK_EQ(xmp_tcp_recv(sk, out, 1000, memwire_now(tp.w)), 1000);
	CHECK_MEM(out, big, 1000);
	seg.seq = nxt + 4096 + 500;
	seg.payload = big + 4096 + 500;
	seg.len = 3000;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW], 3);
	CHECK_EQ(sk->ofo.n, 1);
	CHECK_EQ(sk->ofo.r[0].end, nxt + 4096 + 1000);
	/* The hole filled: the stream is byte-exact up to the edge. */
	seg.seq = nxt + 4096;
	seg.payload = big + 4096;
	seg.len = 500;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(xmp_tcp_readable(sk), 4096);
	CHECK_EQ(xmp_tcp_recv(sk, out, sizeof(out), memwire_now(tp.w)), 4096);
	CHECK_MEM(out, big + 1000, 4096);
	tpair_fini(&tp);
}

/* A segment carrying one SACK option with these blocks. */
static struct xmp_seg sack_seg(const struct xmp_tcp_sock *sk, const __u32 (*b)[2], unsigned int n)
{
	struct xmp_seg seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt, sk->snd_una);
	unsigned int i, k;

	seg.opts[0] = 1;
	seg.opts[1] = 1;
	seg.opts[2] = 5;
	seg.opts[3] = (__u8)(2 + 8 * n);
	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++) {
			__u8 *p = seg.opts + 4 + 8 * i + 4 * k;

			p[0] = b[i][k] >> 24;
			p[1] = b[i][k] >> 16;
			p[2] = b[i][k] >> 8;
			p[3] = b[i][k];
		}
	seg.optlen = (__u8)(4 + 8 * n);
	seg.wnd = 65535;
	return seg;
}

/* RFC 2018 / RFC 6675: SACK blocks above SND.MAX, far below SND.UNA, or
 * inverted are ignored and counted; old blocks just below SND.UNA (D-SACK
 * range) are ignored silently; none of them touches the scoreboard or
 * starts a recovery. A valid block still counts. */
static void sack_blocks_outside_ignored(void)
{
	struct xmp_tcp_cfg c = {.no_ts = true};
	static __u8 data[8000];
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u32 una, max, b[3][2];

	connect_pair(&tp, 110, &c, &c);
	sk = tp.p[0].sk;
	CHECK(sk->sack_ok);
	tp.drop_all[0] = true; /* keep data in flight */
	CHECK_EQ(xmp_tcp_send(sk, data, sizeof(data), memwire_now(tp.w)), (long)sizeof(data));
	una = sk->snd_una;
	max = sk->snd_max;
	CHECK(max - una >= 4000);
	/* Beyond SND.MAX, inverted, far below SND.UNA - MAX.SND.WND. */
	b[0][0] = max;
	b[0][1] = max + 1000;
	b[1][0] = una + 2000;
	b[1][1] = una + 1000;
	b[2][0] = una - sk->max_snd_wnd - 3000;
	b[2][1] = una - sk->max_snd_wnd - 1000;
	seg = sack_seg(sk, (const __u32(*)[2])b, 3);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_SACK_INVALID], 3);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_SACKS_RCVD], 0);
	/* Just below SND.UNA: stale, not invalid, not recorded. */
	b[0][0] = una - 500;
	b[0][1] = una;
	seg = sack_seg(sk, (const __u32(*)[2])b, 1);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_SACK_INVALID], 3);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_SACKS_RCVD], 0);
	CHECK_EQ(sk->sacked.n, 0);
	CHECK(!sk->in_recovery);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_FAST_RETRANS], 0);
	CHECK_EQ(sk->snd_una, una);
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	/* A block straddling SND.MAX is refused whole. */
	b[0][0] = una + 1000;
	b[0][1] = max + 1;
	seg = sack_seg(sk, (const __u32(*)[2])b, 1);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_SACK_INVALID], 4);
	CHECK_EQ(sk->sacked.n, 0);
	/* A valid block is recorded. */
	b[0][1] = una + 2000;
	seg = sack_seg(sk, (const __u32(*)[2])b, 1);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_SACKS_RCVD], 1);
	CHECK_EQ(sk->sacked.n, 1);
	CHECK_EQ(sk->sacked.r[0].start, una + 1000);
	CHECK_EQ(sk->sacked.r[0].end, una + 2000);
	tpair_fini(&tp);
}

/* Timestamp option bytes (NOP NOP TS) with this TSval. */
static void put_ts(struct xmp_seg *seg, __u32 tsval, __u32 tsecr)
{
	const __u8 b[12] = {1,		 1,	      8,	  10,
			    tsval >> 24, tsval >> 16, tsval >> 8, (__u8)tsval,
			    tsecr >> 24, tsecr >> 16, tsecr >> 8, (__u8)tsecr};

	memcpy(seg->opts, b, sizeof(b));
	seg->optlen = sizeof(b);
}

/* RFC 7323 5.3: a segment whose TSval went backwards is an old duplicate:
 * dropped (data and ACK field ignored), answered, counted; also across the
 * 2^32 TSval wrap. A current TSval is then accepted. */
static void paws_backwards_timestamps(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u8 d[50] = {3};
	__u32 recent, una;

	connect_pair(&tp, 111, NULL, NULL);
	sk = tp.p[1].sk;
	CHECK(sk->ts_ok && sk->ts_recent_valid);
	recent = sk->ts_recent;
	una = sk->snd_una;
	seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt, sk->snd_una);
	seg.payload = d;
	seg.len = sizeof(d);
	put_ts(&seg, recent - 1, 0);
	CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w)) < 0);
	/* Half the TSval space back (wrap-aware) is still "older". */
	put_ts(&seg, recent - 0x7fffffffu, 0);
	CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w)) < 0);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_PAWS_DROP], 2);
	CHECK_EQ(xmp_tcp_readable(sk), 0);
	CHECK_EQ(sk->ts_recent, recent);
	CHECK_EQ(sk->snd_una, una);
	/* Equal TSval is not older: accepted. */
	put_ts(&seg, recent, 0);
	CHECK_EQ(xmp_tcp_input(sk, &seg, memwire_now(tp.w)), 0);
	CHECK_EQ(xmp_tcp_readable(sk), sizeof(d));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_PAWS_DROP], 2);
	/* A RST is not subject to PAWS (RFC 7323 5.3 R1 leaves it to 5961). */
	seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt, 0);
	put_ts(&seg, recent - 1000, 0);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->state, XMP_TCP_CLOSED);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_PAWS_DROP], 2);
	tpair_fini(&tp);
}

int main(void)
{
	RUN(rst_window_matrix);
	RUN(syn_on_established_any_seq);
	RUN(ack_outside_bounds);
	RUN(challenge_ack_budget);
	RUN(window_shrink_respected);
	RUN(zero_window_ten_minutes);
	RUN(zero_window_with_data_in_flight);
	RUN(zero_window_in_flight_dead_peer);
	RUN(zero_window_persist_dead_peer);
	RUN(data_beyond_window_trimmed);
	RUN(sack_blocks_outside_ignored);
	RUN(paws_backwards_timestamps);
	return t_exit_code();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine, connection management on the in-memory wire:
 * three-way handshake in both roles with option negotiation, SYN loss,
 * simultaneous open, FIN sequencing, simultaneous close and TIME-WAIT,
 * RST handling and RFC 5961 checks, refused connections, the MPTCP hooks.
 * ISNs start just below 2^32 (see test_tcp_harness.h).
 */
#include <xmptcp/mptcp_wire.h>

#include "lib/test.h"
#include "test_tcp_harness.h"
#include "tcp/tcp_int.h"

static const struct xmp_seg *first_cap(const struct tpair *tp, int from, __u8 flags)
{
	unsigned int i;

	for (i = 0; i < tp->ncap; i++)
		if (tp->cap[i].from == from && (tp->cap[i].seg.flags & 0x3f) == flags)
			return &tp->cap[i].seg;
	return NULL;
}

static void handshake_negotiates_options(void)
{
	struct xmp_tcp_cfg c = { .rcvbuf = 1 << 20 };
	const struct xmp_seg *syn, *synack;
	struct tpair tp;

	CHECK_EQ(tpair_open(&tp, 1, &c, &c, NULL, T_DELAY(10 * T_MS)), 0);
	CHECK_EQ(memwire_now(tp.w), 30 * T_MS); /* SYN, SYN-ACK, ACK */
	CHECK(tp.p[0].events & XMP_TCP_EV_ESTABLISHED);
	CHECK(tp.p[1].events & XMP_TCP_EV_ESTABLISHED);
	CHECK(tp.p[1].sk->passive);
	syn = first_cap(&tp, 0, XMP_TH_SYN);
	synack = first_cap(&tp, 1, XMP_TH_SYN | XMP_TH_ACK);
	CHECK(syn && synack);
	if (!syn || !synack)
		goto out;
	CHECK_EQ(syn->seq, 0xfffffc00u);
	CHECK_EQ(synack->seq, 0xffffff00u);
	CHECK_EQ(synack->ack, 0xfffffc01u);
	CHECK(tcap_has_opt(syn, TCPOPT_MSS_) && tcap_has_opt(syn, TCPOPT_WSCALE_));
	CHECK(tcap_has_opt(syn, TCPOPT_SACK_PERM_) && tcap_has_opt(syn, TCPOPT_TS_));
	CHECK(tcap_has_opt(synack, TCPOPT_WSCALE_) && tcap_has_opt(synack, TCPOPT_TS_));
	/* 1 MiB needs a shift of 5 to fit 16 bits; the SYN window is unscaled. */
	CHECK_EQ(tp.p[0].sk->snd_wscale, 5);
	CHECK_EQ(tp.p[1].sk->rcv_wscale, 5);
	CHECK_EQ(syn->wnd, 65535);
	CHECK(tp.p[0].sk->ts_ok && tp.p[1].sk->ts_ok);
	CHECK(tp.p[0].sk->sack_ok && tp.p[1].sk->sack_ok);
	CHECK_EQ(tp.p[0].sk->peer_mss, 1460);
	CHECK_EQ(tp.p[0].sk->mss, 1460 - 12);
	CHECK_EQ(tp.p[0].sk->snd_wnd, 65535);	/* from the SYN-ACK, unscaled */
	CHECK_EQ(tp.p[1].sk->snd_wnd, 1 << 20); /* from the ACK, scaled */
	CHECK_EQ(tp.p[1].sk->rcv_nxt, 0xfffffc01u);
	CHECK_EQ(tp.p[0].sk->rcv_nxt, 0xffffff01u);
	/* The SYN was timed: one RTT of 20 ms. */
	CHECK_EQ(tp.p[0].sk->srtt_us, 20 * T_MS);
out:
	tpair_fini(&tp);
}

static void isn_from_seeded_prng(void)
{
	struct xmp_tcp_cfg c1 = { .seed = 42 }, c2 = { .seed = 42 }, c3 = { .seed = 43 };
	struct xmp_tcp_sock *a, *b, *d;

	CHECK_EQ(xmp_tcp_create(&a, &c1, &t_ops, NULL), 0);
	CHECK_EQ(xmp_tcp_create(&b, &c2, &t_ops, NULL), 0);
	CHECK_EQ(xmp_tcp_create(&d, &c3, &t_ops, NULL), 0);
	/* Reproducible from the seed, different across seeds. */
	CHECK_EQ(a->iss, b->iss);
	CHECK_EQ(a->ts_offset, b->ts_offset);
	CHECK(a->iss != d->iss);
	CHECK(a->iss != a->ts_offset);
	xmp_tcp_destroy(a);
	xmp_tcp_destroy(b);
	xmp_tcp_destroy(d);
}

static void handshake_options_declined(void)
{
	struct xmp_tcp_cfg c0 = { 0 };
	struct xmp_tcp_cfg c1 = { .no_sack = true, .no_ts = true, .no_wscale = true, .mss = 1000 };
	const struct xmp_seg *synack;
	struct tpair tp;

	CHECK_EQ(tpair_open(&tp, 2, &c0, &c1, NULL, NULL), 0);
	synack = first_cap(&tp, 1, XMP_TH_SYN | XMP_TH_ACK);
	CHECK(synack);
	if (synack) {
		CHECK(!tcap_has_opt(synack, TCPOPT_WSCALE_));
		CHECK(!tcap_has_opt(synack, TCPOPT_TS_));
		CHECK(!tcap_has_opt(synack, TCPOPT_SACK_PERM_));
		CHECK(tcap_has_opt(synack, TCPOPT_MSS_));
	}
	CHECK(!tp.p[0].sk->sack_ok && !tp.p[0].sk->ts_ok && !tp.p[0].sk->wscale_ok);
	CHECK(!tp.p[1].sk->sack_ok && !tp.p[1].sk->ts_ok && !tp.p[1].sk->wscale_ok);
	CHECK_EQ(tp.p[0].sk->mss, 1000);
	CHECK_EQ(tp.p[0].sk->snd_wscale, 0);
	CHECK_EQ(tp.p[0].sk->rcv_wscale, 0);
	tpair_fini(&tp);
}

static __u32 drop_first_syn(struct tpair *tp, int from, struct xmp_seg *seg, __u8 *data)
{
	(void)data;
	(void)from;
	if ((seg->flags & XMP_TH_SYN) && !tp->dropped_by_seq[0]) {
		tp->dropped_by_seq[0]++;
		return MEMWIRE_DROP;
	}
	return MEMWIRE_PASS;
}

static void handshake_syn_lost(void)
{
	struct tpair tp;

	CHECK_EQ(tpair_init(&tp, 3, NULL, NULL, NULL), 0);
	tp.mbox_user = drop_first_syn;
	memwire_set_dir(tp.w, 0, &(struct memwire_dir_cfg){ .delay_us = 1 * T_MS });
	memwire_set_dir(tp.w, 1, &(struct memwire_dir_cfg){ .delay_us = 1 * T_MS });
	CHECK_EQ(tpair_connect(&tp), 0);
	/* RFC 6298 2.1: the first retransmission after the initial 1 s RTO. */
	CHECK_EQ(memwire_now(tp.w), T_SEC + 3 * T_MS);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RETRANS_SEGS], 1);
	/* Karn: no sample from the retransmitted SYN. */
	CHECK_EQ(tp.p[0].sk->srtt_us, 0);
	tpair_fini(&tp);
}

static bool c_got(void *arg)
{
	struct tpair *tp = arg;

	return tp->p[0].rx_len == tp->p[0].rx_cap && tp->p[1].rx_len == tp->p[1].rx_cap;
}

static void simultaneous_open(void)
{
	struct xmp_tcp_cfg c0 = { .lport = 5000, .rport = 6000 };
	struct xmp_tcp_cfg c1 = { .lport = 6000, .rport = 5000 };
	__u8 *a, *b;
	struct tpair tp;

	CHECK_EQ(tpair_init(&tp, 4, &c0, &c1, NULL), 0);
	memwire_set_dir(tp.w, 0, &(struct memwire_dir_cfg){ .delay_us = 10 * T_MS });
	memwire_set_dir(tp.w, 1, &(struct memwire_dir_cfg){ .delay_us = 10 * T_MS });
	CHECK_EQ(xmp_tcp_connect(tp.p[0].sk, 0), 0);
	CHECK_EQ(xmp_tcp_connect(tp.p[1].sk, 0), 0);
	CHECK_EQ(memwire_run_until(tp.w, c_established, &tp, 10 * T_SEC), 0);
	/* Both went SYN-SENT -> SYN-RECEIVED -> ESTABLISHED: no RST, no
	 * retransmission timeout; the crossing SYN-ACKs finish it. */
	CHECK_EQ(tp.p[0].nr_states, 3);
	CHECK_EQ(tp.p[0].states[0], XMP_TCP_SYN_SENT);
	CHECK_EQ(tp.p[0].states[1], XMP_TCP_SYN_RCVD);
	CHECK_EQ(tp.p[0].states[2], XMP_TCP_ESTABLISHED);
	CHECK_EQ(tp.p[1].states[1], XMP_TCP_SYN_RCVD);
	CHECK(!tp.p[0].sk->passive && !tp.p[1].sk->passive);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RST_SENT] + tp.p[1].sk->mib[XMP_TCP_MIB_RST_SENT], 0);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO], 0);
	CHECK_EQ(tcap_count(&tp, 0, XMP_TH_SYN | XMP_TH_ACK, 0), 1);
	CHECK_EQ(tcap_count(&tp, 1, XMP_TH_SYN | XMP_TH_ACK, 0), 1);
	CHECK_EQ(memwire_now(tp.w), 20 * T_MS);
	CHECK(tp.p[0].sk->ts_ok && tp.p[1].sk->sack_ok);
	a = tpeer_source(&tp, 0, 50000, 1, false);
	b = tpeer_source(&tp, 1, 70000, 2, false);
	CHECK_EQ(memwire_run_until(tp.w, c_got, &tp, 10 * T_SEC), 0);
	CHECK_MEM(tp.p[1].rx, a, 50000);
	CHECK_MEM(tp.p[0].rx, b, 70000);
	free(a);
	free(b);
	tpair_fini(&tp);
}

static bool c_closed0(void *arg)
{
	return ((struct tpair *)arg)->p[0].sk->state == XMP_TCP_CLOSED;
}

static bool c_eof1(void *arg)
{
	struct tpair *tp = arg;

	return tp->p[1].events & XMP_TCP_EV_EOF;
}

static bool has_state(const struct tpeer *pe, enum xmp_tcp_state st)
{
	unsigned int i;

	for (i = 0; i < pe->nr_states; i++)
		if (pe->states[i] == st)
			return true;
	return false;
}

static void normal_close_sequence(void)
{
	struct xmp_tcp_cfg c = { .msl_us = 500 * T_MS };
	struct tpair tp;
	__u64 t_tw = 0;
	__u8 *a, buf[8];
	unsigned int i;

	CHECK_EQ(tpair_open(&tp, 5, &c, &c, NULL, T_DELAY(5 * T_MS)), 0);
	a = tpeer_source(&tp, 0, 10000, 9, true);
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_FIN_WAIT_1);
	CHECK_EQ(memwire_run_until(tp.w, c_eof1, &tp, 10 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, 10000);
	CHECK_MEM(tp.p[1].rx, a, 10000);
	CHECK_EQ(xmp_tcp_recv(tp.p[1].sk, buf, sizeof(buf), memwire_now(tp.w)), 0); /* EOF */
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_CLOSE_WAIT);
	/* The half-closed server can still send. */
	CHECK_EQ(xmp_tcp_send(tp.p[1].sk, "bye", 3, memwire_now(tp.w)), 3);
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, "no", 2, memwire_now(tp.w)), -EPIPE);
	tp.p[0].rx = malloc(3);
	tp.p[0].rx_cap = 3;
	CHECK_EQ(memwire_run_until(tp.w, c_got, &tp, memwire_now(tp.w) + T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_FIN_WAIT_2);
	CHECK_EQ(xmp_tcp_shutdown(tp.p[1].sk, memwire_now(tp.w)), 0);
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_LAST_ACK);
	CHECK_EQ(memwire_run_until(tp.w, c_closed0, &tp, memwire_now(tp.w) + 10 * T_SEC), 0);
	CHECK(has_state(&tp.p[0], XMP_TCP_FIN_WAIT_2));
	CHECK(has_state(&tp.p[0], XMP_TCP_TIME_WAIT));
	CHECK(has_state(&tp.p[1], XMP_TCP_CLOSE_WAIT));
	CHECK(has_state(&tp.p[1], XMP_TCP_LAST_ACK));
	CHECK(!has_state(&tp.p[0], XMP_TCP_CLOSING));
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_CLOSED);
	CHECK(tp.p[0].events & XMP_TCP_EV_CLOSED);
	CHECK(tp.p[1].events & XMP_TCP_EV_CLOSED);
	CHECK(!(tp.p[0].events & (XMP_TCP_EV_RESET | XMP_TCP_EV_ERROR)));
	/* TIME-WAIT held for 2 MSL after the server's FIN arrived. */
	for (i = 0; i < tp.ncap; i++)
		if (tp.cap[i].from == 1 && (tp.cap[i].seg.flags & XMP_TH_FIN))
			t_tw = tp.cap[i].at + 5 * T_MS;
	CHECK_EQ(memwire_now(tp.w), t_tw + 2 * 500 * T_MS);
	CHECK_EQ(tcap_count(&tp, 0, XMP_TH_FIN, 0), 1);
	CHECK_EQ(tcap_count(&tp, 1, XMP_TH_FIN, 0), 1);
	CHECK_EQ(tcap_count(&tp, 0, XMP_TH_RST, 0) + tcap_count(&tp, 1, XMP_TH_RST, 0), 0);
	free(a);
	tpair_fini(&tp);
}

static void simultaneous_close_time_wait(void)
{
	struct xmp_tcp_cfg c = { .msl_us = 200 * T_MS };
	struct tpair tp;
	__u64 t0;

	CHECK_EQ(tpair_open(&tp, 6, &c, &c, NULL, T_DELAY(10 * T_MS)), 0);
	t0 = memwire_now(tp.w);
	CHECK_EQ(xmp_tcp_shutdown(tp.p[0].sk, t0), 0);
	CHECK_EQ(xmp_tcp_shutdown(tp.p[1].sk, t0), 0);
	CHECK_EQ(memwire_run_until(tp.w, c_both_closed, &tp, t0 + 10 * T_SEC), 0);
	/* FINs cross: FIN-WAIT-1 -> CLOSING -> TIME-WAIT on both sides. */
	CHECK(has_state(&tp.p[0], XMP_TCP_CLOSING) && has_state(&tp.p[1], XMP_TCP_CLOSING));
	CHECK(has_state(&tp.p[0], XMP_TCP_TIME_WAIT) && has_state(&tp.p[1], XMP_TCP_TIME_WAIT));
	CHECK(!has_state(&tp.p[0], XMP_TCP_FIN_WAIT_2));
	/* FIN arrives at +10 ms, its ACK at +20 ms, then 2 MSL. */
	CHECK_EQ(memwire_now(tp.w), t0 + 20 * T_MS + 400 * T_MS);
	CHECK(!(tp.p[0].events & (XMP_TCP_EV_RESET | XMP_TCP_EV_ERROR)));
	tpair_fini(&tp);
}

static void time_wait_acks_repeated_fin(void)
{
	struct xmp_tcp_cfg c = { .msl_us = 1 * T_SEC };
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	unsigned int n;

	CHECK_EQ(tpair_open(&tp, 7, &c, &c, NULL, NULL), 0);
	xmp_tcp_shutdown(tp.p[0].sk, 0);
	xmp_tcp_shutdown(tp.p[1].sk, 0);
	memwire_run_until(tp.w, NULL, NULL, 100 * T_MS);
	sk = tp.p[0].sk;
	CHECK_EQ(sk->state, XMP_TCP_TIME_WAIT);
	/* The peer's FIN again (our ACK was "lost"): ACKed, 2 MSL restart. */
	n = tp.ncap;
	seg = t_seg_to(sk, XMP_TH_FIN | XMP_TH_ACK, sk->rcv_nxt - 1, sk->snd_nxt);
	xmp_tcp_input(sk, &seg, 500 * T_MS);
	CHECK_EQ(tcap_since(&tp, n, 0, XMP_TH_ACK), 1);
	CHECK_EQ(sk->tw_at, 500 * T_MS + 2 * T_SEC);
	/* RFC 1337: a RST does not end TIME-WAIT early. */
	seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt, 0);
	xmp_tcp_input(sk, &seg, 600 * T_MS);
	CHECK_EQ(sk->state, XMP_TCP_TIME_WAIT);
	tpair_fini(&tp);
}

static void rst_exact_resets(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u8 b[4];

	CHECK_EQ(tpair_open(&tp, 8, NULL, NULL, NULL, NULL), 0);
	sk = tp.p[1].sk;
	seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt, 0);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->state, XMP_TCP_CLOSED);
	CHECK_EQ(sk->err, -ECONNRESET);
	CHECK(tp.p[1].events & XMP_TCP_EV_RESET);
	CHECK(tp.p[1].events & XMP_TCP_EV_CLOSED);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RST_RCVD], 1);
	CHECK_EQ(xmp_tcp_recv(sk, b, sizeof(b), 0), -ECONNRESET);
	CHECK_EQ(xmp_tcp_send(sk, b, sizeof(b), 0), -ECONNRESET);
	CHECK_EQ(xmp_tcp_next_timer(sk), XMP_TCP_NO_TIMER);
	tpair_fini(&tp);
}

/* RFC 5961: a @flags segment at RCV.NXT + @off to side 1 draws one
 * challenge ACK (of RCV.NXT, no RST) and changes nothing else. */
static void draws_challenge_ack(struct tpair *tp, __u8 flags, __u32 off)
{
	struct xmp_tcp_sock *sk = tp->p[1].sk;
	__u64 challenged = sk->mib[XMP_TCP_MIB_CHALLENGE_ACK];
	struct xmp_seg seg = t_seg_to(sk, flags, sk->rcv_nxt + off, 0);
	__u32 una = sk->snd_una;
	unsigned int n = tp->ncap;

	xmp_tcp_input(sk, &seg, memwire_now(tp->w));
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], challenged + 1);
	CHECK_EQ(tcap_since(tp, n, 1, XMP_TH_ACK), 1);
	CHECK_EQ(tcap_since(tp, n, 1, XMP_TH_RST), 0);
	CHECK_EQ(tp->cap[tp->ncap - 1].seg.ack, sk->rcv_nxt);
	CHECK_EQ(sk->snd_una, una);
}

static void rst_in_window_gets_challenge_ack(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	unsigned int n;

	CHECK_EQ(tpair_open(&tp, 9, NULL, NULL, NULL, NULL), 0);
	sk = tp.p[1].sk;
	/* RFC 5961 3.2: in the window but not RCV.NXT. */
	draws_challenge_ack(&tp, XMP_TH_RST, 1000);
	/* Outside the window: silently ignored. */
	n = tp.ncap;
	seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt + 0x40000000u, 0);
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	CHECK_EQ(tp.ncap, n);
	/* The challenge ACK makes the true peer answer with an exact RST...
	 * here the peer is healthy, so the connection survives. */
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_ESTABLISHED);
	CHECK_EQ(sk->state, XMP_TCP_ESTABLISHED);
	tpair_fini(&tp);
}

static void challenge_ack_rate_limited(void)
{
	struct xmp_tcp_cfg c = { .challenge_per_sec = 3 };
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	int i;

	CHECK_EQ(tpair_open(&tp, 10, &c, &c, NULL, NULL), 0);
	sk = tp.p[1].sk;
	for (i = 0; i < 10; i++) {
		seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt + 10, 0);
		xmp_tcp_input(sk, &seg, T_SEC);
	}
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 3);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_LIMITED], 7);
	seg = t_seg_to(sk, XMP_TH_RST, sk->rcv_nxt + 10, 0);
	xmp_tcp_input(sk, &seg, 2 * T_SEC + 1);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 4);
	tpair_fini(&tp);
}

static void syn_in_established_gets_challenge_ack(void)
{
	struct tpair tp;

	CHECK_EQ(tpair_open(&tp, 11, NULL, NULL, NULL, NULL), 0);
	/* RFC 5961 4.2: a SYN, even in window, only draws a challenge ACK. */
	draws_challenge_ack(&tp, XMP_TH_SYN, 5);
	CHECK_EQ(tp.p[1].sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 1);
	tpair_fini(&tp);
}

static void ack_acceptance_rfc5961(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u8 data[100] = { 1 };

	CHECK_EQ(tpair_open(&tp, 12, NULL, NULL, NULL, NULL), 0);
	sk = tp.p[1].sk;
	/* ACK of data never sent: ACKed back, dropped, data not taken. */
	seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt, sk->snd_max + 1000);
	seg.payload = data;
	seg.len = sizeof(data);
	CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w)) < 0);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_ACK_TOO_NEW], 1);
	CHECK_EQ(sk->snd_una, sk->snd_max);
	CHECK_EQ(xmp_tcp_readable(sk), 0);
	/* Far below SND.UNA - MAX.SND.WND: challenge ACK, dropped. */
	seg.ack = sk->snd_una - sk->max_snd_wnd - 10;
	CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w)) < 0);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_ACK_TOO_OLD], 1);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_CHALLENGE_ACK], 1);
	CHECK_EQ(xmp_tcp_readable(sk), 0);
	/* Within the bounds: accepted with its data. */
	seg.ack = sk->snd_una - 10;
	CHECK_EQ(xmp_tcp_input(sk, &seg, memwire_now(tp.w)), 0);
	CHECK_EQ(xmp_tcp_readable(sk), sizeof(data));
	tpair_fini(&tp);
}

static void connect_refused_by_rst(void)
{
	struct tpair tp;

	CHECK_EQ(tpair_init(&tp, 13, NULL, NULL, NULL), 0);
	/* Side 1 is CLOSED (not listening): it answers the SYN with a RST. */
	CHECK_EQ(xmp_tcp_connect(tp.p[0].sk, 0), 0);
	CHECK_EQ(memwire_run_until(tp.w, c_closed0, &tp, 10 * T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->err, -ECONNREFUSED);
	CHECK(tp.p[0].events & XMP_TCP_EV_RESET);
	CHECK_EQ(tcap_count(&tp, 1, XMP_TH_RST | XMP_TH_ACK, 0), 1);
	CHECK_EQ(memwire_now(tp.w), 0);
	tpair_fini(&tp);
}

static void close_with_unread_data_resets(void)
{
	struct tpair tp;
	__u8 *a;

	CHECK_EQ(tpair_open(&tp, 14, NULL, NULL, NULL, NULL), 0);
	a = tpeer_source(&tp, 0, 1000, 3, false);
	tp.p[1].paused = true;
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + T_SEC);
	CHECK_EQ(xmp_tcp_readable(tp.p[1].sk), 1000);
	CHECK_EQ(xmp_tcp_close(tp.p[1].sk, memwire_now(tp.w)), 0);
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_CLOSED);
	CHECK_EQ(memwire_run_until(tp.w, c_closed0, &tp, memwire_now(tp.w) + T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->err, -ECONNRESET);
	free(a);
	tpair_fini(&tp);
}

/* A closed socket the daemon keeps for its counters gives its rings back,
 * but never while bytes wait to be read; afterwards it holds nothing,
 * takes nothing and sends nothing. */
static void release_buffers_after_close(void)
{
	struct tpair tp;
	__u8 buf[2000], *a;
	__u64 sent;

	CHECK_EQ(tpair_open(&tp, 15, NULL, NULL, NULL, NULL), 0);
	a = tpeer_source(&tp, 0, 1000, 5, false);
	tp.p[1].paused = true;
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + T_SEC);
	CHECK(!xmp_tcp_release_buffers(tp.p[1].sk)); /* ESTABLISHED */
	CHECK_EQ(xmp_tcp_close(tp.p[1].sk, memwire_now(tp.w)), 0);
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_CLOSED);
	CHECK(!xmp_tcp_release_buffers(tp.p[1].sk)); /* 1000 bytes unread */
	CHECK_EQ(xmp_tcp_recv(tp.p[1].sk, buf, sizeof(buf), memwire_now(tp.w)), 1000);
	CHECK(xmp_tcp_release_buffers(tp.p[1].sk));
	CHECK_EQ(tp.p[1].sk->rcvq.cap, 0);
	CHECK_EQ(tp.p[1].sk->sndq.cap, 0);
	CHECK_EQ(xmp_tcp_readable(tp.p[1].sk), 0);
	CHECK(xmp_tcp_send(tp.p[1].sk, buf, 100, memwire_now(tp.w)) < 0);
	sent = tp.p[1].sk->mib[XMP_TCP_MIB_OUT_SEGS];
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + T_SEC); /* input still fine */
	CHECK_EQ(tp.p[1].sk->mib[XMP_TCP_MIB_OUT_SEGS], sent);
	CHECK_EQ(xmp_tcp_readable(tp.p[1].sk), 0);
	free(a);
	tpair_fini(&tp);
}

/* MPTCP hooks: a fake 4-byte kind-30 option on everything we send, and a
 * receive hook that counts (and whether the parsed options it is given
 * locate that option), vetoes a marked segment and can abort. */
struct hook_state {
	unsigned int written, seen, located, veto_seen;
	unsigned int max_space_data;
	int abort_err;
};
static struct hook_state hs;

static int hook_write(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg, __u8 *buf,
		      unsigned int space)
{
	(void)ctx;
	(void)sk;
	if (seg->len && space > hs.max_space_data)
		hs.max_space_data = space;
	if (space < 4)
		return 0;
	buf[0] = TCPOPT_MPTCP;
	buf[1] = 4;
	buf[2] = MPTCPOPT_DSS << 4;
	buf[3] = seg->len ? 0xdd : 0xaa;
	hs.written++;
	return 4;
}

static int hook_rcv(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		    const struct xmp_tcp_opt_rx *rx)
{
	(void)ctx;
	(void)sk;
	hs.seen++;
	if (rx->has_mptcp && rx->mp_at &&
	    !memcmp(seg->opts + __builtin_ctzll(rx->mp_at), "\x1e\x04\x20", 3))
		hs.located++;
	if (seg->urg == 0x1234) {
		hs.veto_seen++;
		return XMP_TCP_RCVOPT_DROP;
	}
	if (seg->urg == 0x4321)
		return hs.abort_err;
	return 0;
}

static const struct xmp_tcp_ops hook_ops = {
	.xmit = memwire_tcp_xmit,
	.event = t_event,
	.state_change = t_state,
	.write_options = hook_write,
	.rcv_options = hook_rcv,
};

static void mptcp_hooks_carry_options(void)
{
	struct xmp_tcp_cfg c = { .opt_reserve = 8 };
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	unsigned int i, with = 0, total = 0;
	__u8 *a, *a2, one = 7, pk[200];
	__u32 seq0;

	memset(&hs, 0, sizeof(hs));
	CHECK_EQ(tpair_open(&tp, 15, &c, &c, &hook_ops, NULL), 0);
	seq0 = xmp_tcp_recv_seq(tp.p[1].sk);
	a = tpeer_source(&tp, 0, 30000, 4, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 10 * T_SEC), 0);
	CHECK_MEM(tp.p[1].rx, a, 30000);
	for (i = 0; i < tp.ncap; i++) {
		const struct xmp_seg *s = &tp.cap[i].seg;

		total++;
		with += tcap_has_opt(s, TCPOPT_MPTCP);
		/* Option bytes + payload stay within the MSS (RFC 6691). */
		CHECK(s->optlen + s->len <= 1460);
		CHECK(s->optlen % 4 == 0 && s->optlen <= 40);
	}
	CHECK_EQ(with, total);
	CHECK_EQ(hs.written, total);
	CHECK_EQ(hs.max_space_data, 8);
	CHECK_EQ(tp.p[0].sk->mss, 1460 - 12 - 8);
	CHECK_EQ(hs.seen,
		 tp.p[0].sk->mib[XMP_TCP_MIB_IN_SEGS] + tp.p[1].sk->mib[XMP_TCP_MIB_IN_SEGS]);
	CHECK_EQ(hs.located, hs.seen);
	/* Peek reads without consuming (for DSS checksums). */
	tp.p[1].paused = true;
	a2 = tpeer_source(&tp, 0, 100, 5, false);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + T_SEC), 0);
	CHECK_EQ(xmp_tcp_peek(tp.p[1].sk, pk, sizeof(pk), 10), 90);
	CHECK_MEM(pk, a2 + 10, 90);
	CHECK_EQ(xmp_tcp_readable(tp.p[1].sk), 100);
	CHECK_EQ(xmp_tcp_recv_seq(tp.p[1].sk), seq0 + 30000);
	CHECK_EQ(xmp_tcp_recv(tp.p[1].sk, pk, sizeof(pk), memwire_now(tp.w)), 100);
	CHECK_MEM(pk, a2, 100);
	free(a2);
	/* Delivered stream position by subflow sequence number. */
	CHECK_EQ(xmp_tcp_recv_seq(tp.p[1].sk), seq0 + 30100);
	CHECK_EQ(seq0, 0xfffffc01u);
	/* Veto: the segment is dropped, counted, its data not taken. */
	sk = tp.p[1].sk;
	seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt, sk->snd_una);
	seg.payload = &one;
	seg.len = 1;
	seg.urg = 0x1234;
	CHECK_EQ(xmp_tcp_input(sk, &seg, memwire_now(tp.w)), -EPERM);
	CHECK_EQ(hs.veto_seen, 1);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_HOOK_DROP], 1);
	CHECK_EQ(xmp_tcp_readable(sk), 0);
	/* Abort: RST out, error reported. */
	hs.abort_err = -EPROTO;
	seg.urg = 0x4321;
	i = tp.ncap;
	CHECK_EQ(xmp_tcp_input(sk, &seg, memwire_now(tp.w)), -EPROTO);
	CHECK_EQ(sk->state, XMP_TCP_CLOSED);
	CHECK_EQ(sk->err, -EPROTO);
	CHECK(tp.p[1].events & XMP_TCP_EV_ERROR);
	CHECK_EQ(tcap_since(&tp, i, 1, XMP_TH_RST), 1);
	free(a);
	tpair_fini(&tp);
}

/* Length of the SACK option of a captured segment, 0 without one. */
static unsigned int sack_len(const struct xmp_seg *seg)
{
	unsigned int off = 0;

	while (off + 1 < seg->optlen && seg->opts[off]) {
		if (seg->opts[off] == 1) {
			off++;
			continue;
		}
		if (seg->opts[off] == 5)
			return seg->opts[off + 1];
		if (seg->opts[off + 1] < 2)
			break;
		off += seg->opts[off + 1];
	}
	return 0;
}

/* An out-of-order byte @off past RCV.NXT, with the timestamp PAWS wants:
 * the receiver answers at once with a duplicate ACK carrying SACK. */
static const struct xmp_seg *ofo_ack(struct tpair *tp, __u32 off, __u8 *byte)
{
	struct xmp_tcp_sock *sk = tp->p[1].sk;
	struct xmp_seg seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt + off, sk->snd_una);
	unsigned int n = tp->ncap;

	seg.optlen = (__u8)xmp_tcp_write_ts(seg.opts, sizeof(seg.opts), sk->ts_recent + 1, 0);
	seg.payload = byte;
	seg.len = 1;
	xmp_tcp_input(sk, &seg, memwire_now(tp->w));
	return tp->ncap > n ? &tp->cap[tp->ncap - 1].seg : NULL;
}

/* The ACK of one out-of-order byte at @off carries SACK blocks of
 * @sack bytes next to the hook's option. */
static void ofo_ack_sack(struct tpair *tp, __u32 off, unsigned int sack)
{
	__u8 one = 1;
	const struct xmp_seg *ack = ofo_ack(tp, off, &one);

	CHECK(ack != NULL);
	if (!ack)
		return;
	CHECK_EQ(sack_len(ack), sack);
	CHECK(tcap_has_opt(ack, TCPOPT_MPTCP));
}

/* SACK blocks leave the hook its minimum on ACKs, and more once the hook
 * asks (MPTCP: a client's 20-byte MP_CAPABLE until the first DSS). */
static void hook_min_limits_sack_blocks(void)
{
	struct xmp_tcp_cfg c = { .opt_reserve = 28 };
	struct tpair tp;
	__u8 one = 1;

	memset(&hs, 0, sizeof(hs));
	CHECK_EQ(tpair_open(&tp, 18, &c, &c, &hook_ops, NULL), 0);
	CHECK(tp.p[1].sk->ts_ok && tp.p[1].sk->sack_ok);
	/* TS 12 + hook 8: two blocks (2 + 16) fit in 40 */
	CHECK(ofo_ack(&tp, 10, &one) != NULL);
	ofo_ack_sack(&tp, 20, 18);
	/* the hook wants 20: 40 - 12 - 20 leaves no room for a block */
	xmp_tcp_set_hook_min(tp.p[1].sk, 20, 24);
	ofo_ack_sack(&tp, 30, 0);
	/* back to the minimum: blocks again */
	xmp_tcp_set_hook_min(tp.p[1].sk, 0, 0);
	ofo_ack_sack(&tp, 40, 18);
	tpair_fini(&tp);
}

static void desync_ack_storm_is_bounded(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u8 junk[1000] = { 0 };
	unsigned int n;

	CHECK_EQ(tpair_open(&tp, 16, NULL, NULL, NULL, T_DELAY(1 * T_MS)), 0);
	/* Forged in-window data: side 1 now ACKs bytes side 0 never sent,
	 * side 0 answers with ACKs side 1 finds too old, and so on. */
	sk = tp.p[1].sk;
	tp.p[1].paused = true;
	seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt, sk->snd_una);
	seg.payload = junk;
	seg.len = sizeof(junk);
	n = tp.ncap;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 10 * T_SEC), 0);
	/* Rate limited to ~2 answers per second per side, not one per RTT. */
	CHECK(tp.ncap - n < 60);
	CHECK(tp.p[0].sk->mib[XMP_TCP_MIB_OOW_ACK_LIMITED] +
		  tp.p[1].sk->mib[XMP_TCP_MIB_OOW_ACK_LIMITED] >
	      0);
	tpair_fini(&tp);
}

static void paws_drops_old_timestamp(void)
{
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u8 d[10] = { 0 };
	__u32 old;
	unsigned int n;

	CHECK_EQ(tpair_open(&tp, 19, NULL, NULL, NULL, NULL), 0);
	sk = tp.p[1].sk;
	CHECK(sk->ts_ok && sk->ts_recent_valid);
	/* RFC 7323 5.3: in-window data with an older TSval is an old duplicate. */
	old = sk->ts_recent - 100;
	seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt, sk->snd_una);
	seg.payload = d;
	seg.len = sizeof(d);
	seg.optlen = 12;
	memcpy(seg.opts,
	       (const __u8[]){ 1, 1, 8, 10, old >> 24, old >> 16, old >> 8, old, 0, 0, 0, 0 }, 12);
	n = tp.ncap;
	CHECK(xmp_tcp_input(sk, &seg, memwire_now(tp.w)) < 0);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_PAWS_DROP], 1);
	CHECK_EQ(xmp_tcp_readable(sk), 0);
	CHECK_EQ(tcap_since(&tp, n, 1, XMP_TH_ACK), 1);
	/* The same segment with a current TSval is taken. */
	old += 200;
	memcpy(seg.opts + 4, (const __u8[]){ old >> 24, old >> 16, old >> 8, old }, 4);
	CHECK_EQ(xmp_tcp_input(sk, &seg, memwire_now(tp.w)), 0);
	CHECK_EQ(xmp_tcp_readable(sk), sizeof(d));
	CHECK_EQ(sk->ts_recent, old);
	tpair_fini(&tp);
}

static void fin_wait2_times_out_after_close(void)
{
	struct xmp_tcp_cfg c = { .fin_wait2_us = 3 * T_SEC };
	struct tpair tp;

	CHECK_EQ(tpair_open(&tp, 17, &c, &c, NULL, NULL), 0);
	/* Side 1 never closes; side 0 is closed by its application. */
	CHECK_EQ(xmp_tcp_close(tp.p[0].sk, memwire_now(tp.w)), 0);
	CHECK_EQ(memwire_run_until(tp.w, c_closed0, &tp, 100 * T_SEC), 0);
	CHECK(has_state(&tp.p[0], XMP_TCP_FIN_WAIT_2));
	CHECK(!has_state(&tp.p[0], XMP_TCP_TIME_WAIT));
	CHECK(memwire_now(tp.w) >= 3 * T_SEC);
	CHECK(memwire_now(tp.w) < 4 * T_SEC);
	CHECK_EQ(tp.p[1].sk->state, XMP_TCP_CLOSE_WAIT);
	/* A socket only shut down (still readable) waits for the FIN. */
	tpair_fini(&tp);
	CHECK_EQ(tpair_open(&tp, 18, &c, &c, NULL, NULL), 0);
	CHECK_EQ(xmp_tcp_shutdown(tp.p[0].sk, memwire_now(tp.w)), 0);
	CHECK_EQ(memwire_run_until(tp.w, c_closed0, &tp, 100 * T_SEC), -EDEADLK);
	CHECK_EQ(tp.p[0].sk->state, XMP_TCP_FIN_WAIT_2);
	tpair_fini(&tp);
}

int main(void)
{
	RUN(handshake_negotiates_options);
	RUN(isn_from_seeded_prng);
	RUN(handshake_options_declined);
	RUN(handshake_syn_lost);
	RUN(simultaneous_open);
	RUN(normal_close_sequence);
	RUN(simultaneous_close_time_wait);
	RUN(time_wait_acks_repeated_fin);
	RUN(rst_exact_resets);
	RUN(rst_in_window_gets_challenge_ack);
	RUN(challenge_ack_rate_limited);
	RUN(syn_in_established_gets_challenge_ack);
	RUN(ack_acceptance_rfc5961);
	RUN(connect_refused_by_rst);
	RUN(close_with_unread_data_resets);
	RUN(release_buffers_after_close);
	RUN(mptcp_hooks_carry_options);
	RUN(hook_min_limits_sack_blocks);
	RUN(desync_ack_storm_is_bounded);
	RUN(paws_drops_old_timestamp);
	RUN(fin_wait2_times_out_after_close);
	return t_exit_code();
}

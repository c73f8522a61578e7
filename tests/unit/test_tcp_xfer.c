// SPDX-License-Identifier: GPL-2.0
/*
 * Subflow TCP engine on the in-memory wire: bulk transfers (lossless, lossy
 * with reordering and duplication in both directions, window scaling,
 * Reno/CUBIC, NewReno without SACK), zero-window probing, RTO backoff and
 * abort, SACK-driven hole retransmission, delayed ACKs, bounded memory.
 * Every transfer is compared byte for byte.
 */
#include "lib/test.h"
#include "test_tcp_harness.h"

static void set_both(struct tpair *tp, const struct memwire_dir_cfg *d)
{
	memwire_set_dir(tp->w, 0, d);
	memwire_set_dir(tp->w, 1, d);
}

static void transfer_1mb_lossless(void)
{
	struct tpair tp;
	size_t len = 1 << 20;
	__u8 *src;
	__u64 data_segs;
	unsigned int i;

	CHECK_EQ(tpair_open(&tp, 1, NULL, NULL, NULL, T_DELAY(5 * T_MS)), 0);
	src = tpeer_source(&tp, 0, len, 7, true);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 60 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, src, len);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RETRANS_SEGS], 0);
	CHECK_EQ(tp.p[1].sk->mib[XMP_TCP_MIB_OFO_QUEUED], 0);
	/* 1 MB starting at ISN 0xfffffc00 crossed 2^32. */
	CHECK(tp.p[0].sk->snd_una < 0x00200000u);
	/* Full segments, and about one ACK per two of them (delayed ACK). */
	data_segs = 0;
	for (i = 0; i < tp.ncap; i++)
		data_segs += tp.cap[i].from == 0 && tp.cap[i].seg.len;
	CHECK(data_segs <= len / 1448 + 3);
	CHECK(tp.p[1].sk->mib[XMP_TCP_MIB_ACKS_SENT] <= data_segs / 2 + 10);
	CHECK(tp.p[1].sk->mib[XMP_TCP_MIB_ACKS_SENT] >= data_segs / 2 - 10);
	free(src);
	tpair_fini(&tp);
}

static bool c_done_closed(void *arg)
{
	return c_both_received(arg) && c_both_closed(arg);
}

/*
 * The application writes into the send ring and reads from the receive ring
 * in place (spans), commits of random sizes through small rings, so spans
 * stop where the rings wrap: 300 KB arrive byte for byte, and a span never
 * offers more than the room or the unread bytes.
 */
static void spans_transfer(void)
{
	struct xmp_tcp_cfg c0 = { .sndbuf = 20000 }, c1 = { .rcvbuf = 16384 };
	const size_t len = 300 * 1024;
	__u8 *src = malloc(len), *dst = malloc(len);
	size_t sent = 0, got = 0;
	unsigned int rounds = 0, short_tx = 0, short_rx = 0;
	__u64 rng = 5;
	struct tpair tp;

	t_fill(src, len, 9);
	CHECK_EQ(tpair_open(&tp, 4, &c0, &c1, NULL, T_DELAY(1 * T_MS)), 0);
	tp.p[1].paused = true; /* read here, through spans */
	while (got < len && rounds++ < 100000) {
		__u64 now = memwire_now(tp.w);
		const __u8 *rp;
		__u8 *wp;
		__u32 n, k;

		while (sent < len && (wp = xmp_tcp_send_span(tp.p[0].sk, 0, &n))) {
			CHECK(n <= xmp_tcp_writable(tp.p[0].sk));
			short_tx += n < xmp_tcp_writable(tp.p[0].sk);
			k = 1 + (__u32)(xmp_rng_next(&rng) % n);
			if (k > len - sent)
				k = (__u32)(len - sent);
			memcpy(wp, src + sent, k);
			CHECK_EQ(xmp_tcp_send_commit(tp.p[0].sk, k, now), (long)k);
			sent += k;
		}
		memwire_run_until(tp.w, NULL, NULL, now + 1 * T_MS);
		while ((rp = xmp_tcp_recv_span(tp.p[1].sk, 0, &n))) {
			const __u8 *rest;
			__u32 m;

			CHECK(n <= xmp_tcp_readable(tp.p[1].sk));
			if (n < xmp_tcp_readable(tp.p[1].sk)) {
				/* wrapped: the rest starts at the ring's beginning */
				short_rx++;
				rest = xmp_tcp_recv_span(tp.p[1].sk, n, &m);
				CHECK(rest && n + m == xmp_tcp_readable(tp.p[1].sk));
			}
			k = 1 + (__u32)(xmp_rng_next(&rng) % n);
			memcpy(dst + got, rp, k);
			xmp_tcp_recv_commit(tp.p[1].sk, k, memwire_now(tp.w));
			got += k;
		}
	}
	CHECK_EQ(got, len);
	CHECK_MEM(dst, src, len);
	CHECK(short_tx > 0 && short_rx > 0); /* both rings wrapped under a span */
	xmp_tcp_shutdown(tp.p[0].sk, memwire_now(tp.w));
	{
		__u32 n;

		CHECK(!xmp_tcp_send_span(tp.p[0].sk, 0, &n) && !n); /* after shutdown: no room */
		CHECK_EQ(xmp_tcp_send_commit(tp.p[0].sk, 1, memwire_now(tp.w)), -EPIPE);
	}
	free(src);
	free(dst);
	tpair_fini(&tp);
}

/* 5 % loss, 5 % reordering, 1 % duplication, 1 MB each way at once. */
static void lossy_bidir_seed(__u64 seed, const char *cc, bool no_sack)
{
	struct xmp_tcp_cfg c = { .msl_us = 100 * T_MS, .cc = cc, .no_sack = no_sack };
	struct memwire_dir_cfg d = { .delay_us = 10 * T_MS, .loss_ppm = 50000,
				     .reorder_ppm = 50000, .dup_ppm = 10000 };
	size_t len = 1 << 20;
	struct tpair tp;
	__u8 *a, *b;
	int i;

	CHECK_EQ(tpair_open(&tp, seed, &c, &c, NULL, &d), 0);
	a = tpeer_source(&tp, 0, len, seed * 11, true);
	b = tpeer_source(&tp, 1, len, seed * 13, true);
	CHECK_EQ(memwire_run_until(tp.w, c_done_closed, &tp, 600 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_EQ(tp.p[0].rx_len, len);
	CHECK_MEM(tp.p[1].rx, a, len);
	CHECK_MEM(tp.p[0].rx, b, len);
	for (i = 0; i < 2; i++) {
		const struct xmp_tcp_sock *sk = tp.p[i].sk;

		CHECK(!(tp.p[i].events & (1u << 31)));
		CHECK(!(tp.p[i].events & XMP_TCP_EV_ERROR));
		CHECK(tp.p[i].events & XMP_TCP_EV_EOF);
		CHECK(sk->mib[XMP_TCP_MIB_RETRANS_SEGS] > 0);
		CHECK(sk->mib[XMP_TCP_MIB_FAST_RETRANS] > 0);
		CHECK(sk->mib[XMP_TCP_MIB_OFO_QUEUED] > 0);
		if (no_sack)
			CHECK_EQ(sk->mib[XMP_TCP_MIB_SACK_RETRANS], 0);
		else
			CHECK(sk->mib[XMP_TCP_MIB_SACK_RETRANS] > 0);
	}
	CHECK(memwire_stats(tp.w, 0)->lost > 0 && memwire_stats(tp.w, 1)->duplicated > 0);
	free(a);
	free(b);
	tpair_fini(&tp);
}

/* Records end every 1000 bytes of the stream (relative sequence 1). */
#define T_REC 1000

static __u32 t_seg_limit(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len)
{
	__u32 off = seq - sk->iss - 1, room = T_REC - off % T_REC;

	(void)ctx;
	return len < room ? len : room;
}

static const struct xmp_tcp_ops seg_limit_ops = {
	.xmit = memwire_tcp_xmit,
	.event = t_event,
	.state_change = t_state,
	.seg_limit = t_seg_limit,
};

/* ops->seg_limit: no data segment, first transmission or retransmission,
 * crosses a record boundary (MPTCP: one DSS mapping per segment), and the
 * bytes still arrive exact through loss and reordering. */
static void seg_limit_respected(void)
{
	struct xmp_tcp_cfg c = { .msl_us = 100 * T_MS };
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS, .loss_ppm = 30000,
				     .reorder_ppm = 30000 };
	size_t len = 300000;
	unsigned int i, crossing = 0, segs = 0;
	struct tpair tp;
	__u8 *src;

	CHECK_EQ(tpair_open(&tp, 9, &c, &c, &seg_limit_ops, &d), 0);
	src = tpeer_source(&tp, 0, len, 17, true);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 300 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, src, len);
	for (i = 0; i < tp.ncap; i++) {
		const struct xmp_seg *g = &tp.cap[i].seg;
		__u32 off = g->seq - tp.p[0].sk->iss - 1;

		if (tp.cap[i].from != 0 || !g->len)
			continue;
		segs++;
		crossing += off / T_REC != (off + g->len - 1) / T_REC;
	}
	CHECK(segs >= len / T_REC);
	CHECK_EQ(crossing, 0);
	CHECK(tp.p[0].sk->mib[XMP_TCP_MIB_RETRANS_SEGS] > 0);
	free(src);
	tpair_fini(&tp);
}

/* xmp_tcp_share_snd_wnd(): a larger window from the layer above lets the
 * queued data out at once; a smaller one changes nothing. */
static void shared_snd_wnd(void)
{
	struct xmp_tcp_cfg c0 = { 0 }, c1 = { .rcvbuf = 16384, .no_wscale = true };
	struct tpair tp;
	__u8 buf[60000];
	__u32 before;

	CHECK_EQ(tpair_open(&tp, 3, &c0, &c1, NULL, T_DELAY(1 * T_MS)), 0);
	tp.p[1].paused = true; /* the receiver reads nothing: its window stays closed */
	memset(buf, 7, sizeof(buf));
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, buf, sizeof(buf), memwire_now(tp.w)), (long)sizeof(buf));
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 100 * T_MS);
	/* the receiver's buffer is full and acked: closed window, nothing out */
	CHECK_EQ(tp.p[0].sk->snd_wnd, 0);
	CHECK_EQ(tp.p[0].sk->snd_nxt, tp.p[0].sk->snd_una);
	xmp_tcp_share_snd_wnd(tp.p[0].sk, 1000, memwire_now(tp.w));
	CHECK_EQ(tp.p[0].sk->snd_wnd, 1000);
	CHECK_EQ(tp.p[0].sk->snd_nxt - tp.p[0].sk->snd_una, 1000);
	before = tp.p[0].sk->snd_nxt;
	xmp_tcp_share_snd_wnd(tp.p[0].sk, 500, memwire_now(tp.w)); /* never lowers */
	CHECK_EQ(tp.p[0].sk->snd_wnd, 1000);
	CHECK_EQ(tp.p[0].sk->snd_nxt, before);
	xmp_tcp_share_snd_wnd(tp.p[0].sk, 40000, memwire_now(tp.w));
	CHECK_EQ(tp.p[0].sk->snd_wnd, 40000);
	CHECK(tp.p[0].sk->snd_nxt - tp.p[0].sk->snd_una > 1000);
	tpair_fini(&tp);
}

static void lossy_bidir_sack_seeds(void)
{
	__u64 seed;

	for (seed = 1; seed <= 4; seed++)
		lossy_bidir_seed(seed, "cubic", false);
}

static void lossy_bidir_newreno_no_sack(void)
{
	lossy_bidir_seed(21, "reno", true);
	lossy_bidir_seed(22, "cubic", true);
}

/* A transfer limited only by the window: scaled vs unscaled. */
static __u64 window_limited_transfer(bool no_wscale, __u32 *max_wnd, __u8 *wscale)
{
	struct xmp_tcp_cfg c = { .sndbuf = 4 << 20, .rcvbuf = 2 << 20, .no_wscale = no_wscale };
	size_t len = 8 << 20;
	struct tpair tp;
	__u64 t0, dt;
	__u8 *a;

	CHECK_EQ(tpair_open(&tp, 30, &c, &c, NULL, T_DELAY(20 * T_MS)), 0);
	t0 = memwire_now(tp.w);
	a = tpeer_source(&tp, 0, len, 5, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 600 * T_SEC), 0);
	dt = memwire_now(tp.w) - t0;
	CHECK_MEM(tp.p[1].rx, a, len);
	*max_wnd = tp.p[0].sk->max_snd_wnd;
	*wscale = tp.p[0].sk->snd_wscale;
	free(a);
	tpair_fini(&tp);
	return dt;
}

static void window_scaling_large_transfer(void)
{
	__u32 wnd_scaled, wnd_plain;
	__u8 ws_scaled, ws_plain;
	__u64 t_scaled, t_plain;

	t_scaled = window_limited_transfer(false, &wnd_scaled, &ws_scaled);
	t_plain = window_limited_transfer(true, &wnd_plain, &ws_plain);
	CHECK_EQ(ws_scaled, 6);
	CHECK_EQ(ws_plain, 0);
	CHECK(wnd_scaled > 1 << 20);
	CHECK(wnd_plain <= 65535);
	/* 8 MB at 64 KB per 40 ms RTT needs > 5 s; scaled it is much faster. */
	CHECK(t_plain > 5 * T_SEC);
	CHECK(t_scaled * 4 < t_plain);
}

static void cc_ssthresh_reduction(void)
{
	struct xmp_tcp_cfg cr = { .cc = "reno" }, cc = { .cc = "cubic" }, cx = { .cc = "nope" };
	struct xmp_tcp_sock *sk = NULL;
	struct tpair tp;

	CHECK_EQ(tpair_open(&tp, 31, &cr, &cc, NULL, NULL), 0);
	CHECK(!strcmp(tp.p[0].sk->cc->name, "reno"));
	CHECK(!strcmp(tp.p[1].sk->cc->name, "cubic"));
	/* Reno halves the flight (RFC 5681 (4)); CUBIC keeps 0.7 of cwnd. */
	tp.p[0].sk->snd_max = tp.p[0].sk->snd_una + 100 * 1448;
	CHECK_EQ(tp.p[0].sk->cc->ssthresh(tp.p[0].sk), 50 * 1448);
	tp.p[1].sk->cwnd = 100 * 1448;
	CHECK_EQ(tp.p[1].sk->cc->ssthresh(tp.p[1].sk), 70 * 1448);
	tp.p[0].sk->snd_max = tp.p[0].sk->snd_una;
	tpair_fini(&tp);
	CHECK_EQ(xmp_tcp_create(&sk, &cx, &t_ops, NULL), -ENOENT);
	CHECK(xmp_cc_find("reno") && xmp_cc_find("cubic") && !xmp_cc_find("lia"));
}

/* A bottleneck link (rate + drop-tail queue) makes congestion losses. */
static void cc_transfer(const char *name, __u64 seed)
{
	struct xmp_tcp_cfg c = { .cc = name, .sndbuf = 1 << 20, .rcvbuf = 1 << 20 };
	struct memwire_dir_cfg d = { .delay_us = 10 * T_MS, .rate_bps = 20000000,
				     .queue_bytes = 64 * 1024 };
	size_t len = 4 << 20;
	struct tpair tp;
	__u64 t0, dt;
	__u8 *a;

	CHECK_EQ(tpair_open(&tp, seed, &c, &c, NULL, &d), 0);
	t0 = memwire_now(tp.w);
	a = tpeer_source(&tp, 0, len, seed, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 600 * T_SEC), 0);
	dt = memwire_now(tp.w) - t0;
	printf("# %s: %llu ms, %llu queue drops, %llu recoveries, %llu RTOs\n", name,
	       (unsigned long long)dt / 1000,
	       (unsigned long long)memwire_stats(tp.w, 0)->queue_drop,
	       (unsigned long long)tp.p[0].sk->mib[XMP_TCP_MIB_RECOVERY],
	       (unsigned long long)tp.p[0].sk->mib[XMP_TCP_MIB_RTO]);
	CHECK_MEM(tp.p[1].rx, a, len);
	CHECK(!strcmp(tp.p[0].sk->cc->name, name));
	/* The queue overflowed, the sender recovered and backed off... */
	CHECK(memwire_stats(tp.w, 0)->queue_drop > 0);
	CHECK(tp.p[0].sk->mib[XMP_TCP_MIB_RECOVERY] > 0);
	CHECK(tp.p[0].sk->ssthresh < (1u << 20));
	/* ...and still used most of the 20 Mbit/s (4 MB in well under 4 s). */
	CHECK(dt < 3 * T_SEC);
	CHECK(dt > len * 8 * T_SEC / 20000000);
	free(a);
	tpair_fini(&tp);
}

static void cc_reno_and_cubic_transfer(void)
{
	cc_transfer("reno", 41);
	cc_transfer("cubic", 42);
}

static bool c_closed0(void *arg)
{
	return ((struct tpair *)arg)->p[0].sk->state == XMP_TCP_CLOSED;
}

static bool c_zero_window(void *arg)
{
	struct tpair *tp = arg;

	return tp->p[0].sk->mib[XMP_TCP_MIB_WND_PROBES] >= 4;
}

static void zero_window_probe_then_reopen(void)
{
	struct xmp_tcp_cfg c0 = { .sndbuf = 64 * 1024 }, c1 = { .rcvbuf = 16 * 1024 };
	__u64 t[8] = { 0 };
	unsigned int i, n = 0;
	size_t len = 200 * 1024;
	struct tpair tp;
	__u8 *a;

	CHECK_EQ(tpair_open(&tp, 50, &c0, &c1, NULL, T_DELAY(5 * T_MS)), 0);
	tp.p[1].paused = true;
	a = tpeer_source(&tp, 0, len, 3, true);
	/* Bounded send buffer: the application could hand over only 64 KB. */
	CHECK_EQ(tp.p[0].tx_off, 64 * 1024);
	CHECK_EQ(xmp_tcp_writable(tp.p[0].sk), 0);
	CHECK_EQ(memwire_run_until(tp.w, c_zero_window, &tp, 120 * T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->snd_wnd, 0);
	CHECK_EQ(xmp_tcp_readable(tp.p[1].sk), 16 * 1024);
	CHECK_EQ(tp.p[0].sk->snd_una - tp.p[0].sk->iss - 1, 16 * 1024);
	/* Probes (old sequence, no data) at doubling intervals. */
	for (i = 0; i < tp.ncap && n < 8; i++)
		if (tp.cap[i].from == 0 && !tp.cap[i].seg.len &&
		    tp.cap[i].seg.seq == tp.p[0].sk->snd_una - 1)
			t[n++] = tp.cap[i].at;
	CHECK(n >= 4);
	for (i = 2; i < n; i++)
		CHECK(t[i] - t[i - 1] >= 2 * (t[i - 1] - t[i - 2]) - T_MS);
	CHECK(tp.p[1].sk->mib[XMP_TCP_MIB_RCV_DUP] >= 3);
	/* The reader resumes: a window update restarts the flow. */
	tp.p[1].paused = false;
	tpeer_pull(&tp.p[1]);
	CHECK(tp.p[1].sk->mib[XMP_TCP_MIB_WND_UPDATES] >= 1);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, memwire_now(tp.w) + 60 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, a, len);
	CHECK(tp.p[0].nr_writable > 1);
	free(a);
	tpair_fini(&tp);
}

static void rto_backoff_then_abort(void)
{
	struct xmp_tcp_cfg c = { .max_retries = 5 };
	struct tpair tp;
	__u64 t[8] = { 0 };
	unsigned int i, n = 0;
	__u32 seq;

	CHECK_EQ(tpair_open(&tp, 60, &c, &c, NULL, T_DELAY(10 * T_MS)), 0);
	seq = tp.p[0].sk->snd_nxt;
	tp.drop_all[0] = true;
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, "hello", 5, memwire_now(tp.w)), 5);
	CHECK_EQ(memwire_run_until(tp.w, c_closed0, &tp, 1000 * T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->err, -ETIMEDOUT);
	CHECK(tp.p[0].events & XMP_TCP_EV_ERROR);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO], 5);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO_ABORT], 1);
	for (i = 0; i < tp.ncap && n < 8; i++)
		if (tp.cap[i].from == 0 && tp.cap[i].seg.seq == seq && tp.cap[i].seg.len == 5)
			t[n++] = tp.cap[i].at;
	CHECK_EQ(n, 6);
	/* RTO = max(200 ms, srtt + 4 rttvar) = 200 ms, then doubling. */
	CHECK_EQ(t[1] - t[0], 200 * T_MS);
	for (i = 2; i < n; i++)
		CHECK_EQ(t[i] - t[i - 1], 2 * (t[i - 1] - t[i - 2]));
	/* Aborted after the last backoff interval expired. */
	CHECK_EQ(memwire_now(tp.w), t[5] + 2 * (t[5] - t[4]));
	tpair_fini(&tp);
}

static void karn_no_sample_from_retransmission(void)
{
	struct tpair tp;
	__u8 *a;

	CHECK_EQ(tpair_open(&tp, 72, NULL, NULL, NULL, T_DELAY(10 * T_MS)), 0);
	CHECK_EQ(tp.p[0].sk->srtt_us, 20 * T_MS);
	/* The only segment is lost once: its ACK comes 200 ms (RTO) + 20 ms
	 * after the first copy, which must not be taken as an RTT. */
	tp.drop_seq[0] = tp.p[0].sk->snd_nxt;
	tp.drop_seq_on[0] = true;
	a = tpeer_source(&tp, 0, 1000, 1, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 10 * T_SEC), 0);
	CHECK_MEM(tp.p[1].rx, a, 1000);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO], 1);
	CHECK_EQ(tp.p[0].sk->srtt_us, 20 * T_MS);
	CHECK_EQ(tp.p[0].sk->rto_us, 200 * T_MS);
	/* A clean exchange afterwards samples again (40 ms delayed ACK). */
	free(a);
	a = tpeer_source(&tp, 0, 1000, 2, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, memwire_now(tp.w) + T_SEC), 0);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + T_SEC), 0);
	CHECK_EQ(tp.p[0].sk->srtt_us, (7 * 20 * T_MS + 60 * T_MS) / 8);
	free(a);
	tpair_fini(&tp);
}

static void sack_retransmits_only_the_hole(void)
{
	size_t len = 100 * 1448;
	struct tpair tp;
	unsigned int i, sack_seen = 0, copies = 0, others = 0, j;
	__u32 hole;
	__u8 *a;

	CHECK_EQ(tpair_open(&tp, 70, NULL, NULL, NULL, T_DELAY(10 * T_MS)), 0);
	/* Let the window open past the hole first. */
	hole = tp.p[0].sk->snd_nxt + 30 * 1448;
	tp.drop_seq[0] = hole;
	tp.drop_seq_on[0] = true;
	a = tpeer_source(&tp, 0, len, 8, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 60 * T_SEC), 0);
	CHECK_MEM(tp.p[1].rx, a, len);
	CHECK_EQ(tp.dropped_by_seq[0], 1);
	/* The receiver reported the data above the hole in SACK blocks. */
	for (i = 0; i < tp.ncap; i++) {
		const struct xmp_seg *s = &tp.cap[i].seg;

		if (tp.cap[i].from == 1 && tcap_has_opt(s, 5) && s->ack == hole)
			sack_seen++;
	}
	CHECK(sack_seen >= 3);
	/* Exactly the lost segment went twice; nothing else did, no RTO. */
	for (i = 0; i < tp.ncap; i++) {
		if (tp.cap[i].from != 0 || !tp.cap[i].seg.len)
			continue;
		if (tp.cap[i].seg.seq == hole) {
			copies++;
			continue;
		}
		for (j = 0; j < i; j++)
			if (tp.cap[j].from == 0 && tp.cap[j].seg.len &&
			    tp.cap[j].seg.seq == tp.cap[i].seg.seq)
				others++;
	}
	CHECK_EQ(copies, 2);
	CHECK_EQ(others, 0);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RETRANS_SEGS], 1);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_SACK_RETRANS], 1);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO], 0);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RECOVERY], 1);
	CHECK(tp.p[1].sk->mib[XMP_TCP_MIB_SACKS_SENT] >= 3);
	CHECK_EQ(tp.p[1].sk->ofo.n, 0);
	free(a);
	tpair_fini(&tp);
}

static __u32 holes[2];
static unsigned int holes_dropped;

static __u32 drop_two_holes(struct tpair *tp, int from, struct xmp_seg *seg, __u8 *data)
{
	unsigned int i;

	(void)tp;
	(void)data;
	for (i = 0; i < 2; i++)
		if (from == 0 && seg->len && seg->seq == holes[i] && !(holes_dropped & (1u << i))) {
			holes_dropped |= 1u << i;
			return MEMWIRE_DROP;
		}
	return MEMWIRE_PASS;
}

/*
 * Two losses in one window are repaired in one recovery episode without a
 * timeout: by NextSeg() from the SACK scoreboard, or without SACK by the
 * NewReno partial-ACK rule (RFC 6582 3.2 step 5).
 */
static void two_holes_one_recovery(bool no_sack)
{
	struct xmp_tcp_cfg c = { .no_sack = no_sack };
	size_t len = 100 * 1448;
	struct tpair tp;
	unsigned int i, copies[2] = { 0, 0 };
	__u8 *a;

	CHECK_EQ(tpair_open(&tp, 71, &c, &c, NULL, T_DELAY(10 * T_MS)), 0);
	holes[0] = tp.p[0].sk->snd_nxt + 30 * 1448;
	holes[1] = tp.p[0].sk->snd_nxt + 35 * 1448;
	holes_dropped = 0;
	tp.mbox_user = drop_two_holes;
	a = tpeer_source(&tp, 0, len, 8, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 60 * T_SEC), 0);
	CHECK_MEM(tp.p[1].rx, a, len);
	CHECK_EQ(holes_dropped, 3);
	for (i = 0; i < tp.ncap; i++)
		if (tp.cap[i].from == 0 && tp.cap[i].seg.len)
			copies[tp.cap[i].seg.seq == holes[0] ? 0 : 1] +=
			    tp.cap[i].seg.seq == holes[0] || tp.cap[i].seg.seq == holes[1];
	CHECK_EQ(copies[0], 2);
	CHECK_EQ(copies[1], 2);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RTO], 0);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RECOVERY], 1);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_FAST_RETRANS], 2);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_RETRANS_SEGS], 2);
	CHECK_EQ(tp.p[0].sk->mib[XMP_TCP_MIB_SACK_RETRANS], no_sack ? 0 : 2);
	free(a);
	tpair_fini(&tp);
}

static void sack_two_holes_one_recovery(void)
{
	two_holes_one_recovery(false);
}

static void newreno_two_holes_partial_ack(void)
{
	two_holes_one_recovery(true);
}

static void delayed_ack(void)
{
	struct tpair tp;
	unsigned int n;
	__u64 t0;
	__u8 buf[2 * 1448] = { 0 };

	CHECK_EQ(tpair_open(&tp, 80, NULL, NULL, NULL, T_DELAY(1 * T_MS)), 0);
	tp.p[1].rx = malloc(4 * 1448);
	tp.p[1].rx_cap = 4 * 1448;
	/* One small segment: the ACK waits for the 40 ms timer. */
	t0 = memwire_now(tp.w);
	n = tp.ncap;
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, buf, 100, t0), 100);
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, t0 + 200 * T_MS), 0);
	CHECK_EQ(tcap_since(&tp, n, 1, XMP_TH_ACK), 1);
	CHECK_EQ(tp.cap[tp.ncap - 1].at, t0 + 1 * T_MS + 40 * T_MS);
	CHECK_EQ(tp.p[1].sk->mib[XMP_TCP_MIB_DELACK_TIMER], 1);
	/* Two full segments: ACKed on arrival of the second. */
	t0 = memwire_now(tp.w);
	n = tp.ncap;
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, buf, sizeof(buf), t0), (long)sizeof(buf));
	CHECK_EQ(memwire_run_until(tp.w, NULL, NULL, t0 + 200 * T_MS), 0);
	CHECK_EQ(tcap_since(&tp, n, 1, XMP_TH_ACK), 1);
	CHECK_EQ(tp.cap[tp.ncap - 1].at, t0 + 1 * T_MS);
	CHECK_EQ(tp.p[1].sk->mib[XMP_TCP_MIB_DELACK_TIMER], 1);
	CHECK_EQ(tp.p[1].rx_len, 100 + sizeof(buf));
	tpair_fini(&tp);
}

static void bounded_memory_and_out_of_window(void)
{
	struct xmp_tcp_cfg c0 = { .sndbuf = 8192 }, c1 = { .rcvbuf = 8192 };
	static __u8 big[100000];
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u32 rcv_nxt;

	CHECK_EQ(tpair_open(&tp, 90, &c0, &c1, NULL, NULL), 0);
	/* send() takes what fits, then nothing. */
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, big, sizeof(big), memwire_now(tp.w)), 8192);
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, big, sizeof(big), memwire_now(tp.w)), 0);
	CHECK_EQ(xmp_tcp_writable(tp.p[0].sk), 0);
	tp.p[1].paused = true;
	memwire_run_until(tp.w, NULL, NULL, memwire_now(tp.w) + 100 * T_MS);
	sk = tp.p[1].sk;
	CHECK_EQ(xmp_tcp_readable(sk), 8192);
	CHECK_EQ(xmp_tcp_writable(tp.p[0].sk), 8192);
	CHECK_EQ(xmp_tcp_send(tp.p[0].sk, big, sizeof(big), memwire_now(tp.w)), 8192);
	/* Data beyond the (now zero) window: dropped, counted, ACKed. */
	rcv_nxt = sk->rcv_nxt;
	seg = t_seg_to(sk, XMP_TH_ACK, rcv_nxt, sk->snd_una);
	seg.payload = big;
	seg.len = 1000;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW], 1);
	CHECK_EQ(sk->rcv_nxt, rcv_nxt);
	CHECK_EQ(xmp_tcp_readable(sk), 8192);
	/* Read half: a segment straddling the right edge is trimmed. */
	CHECK_EQ(xmp_tcp_recv(sk, big, 4096, memwire_now(tp.w)), 4096);
	seg.seq = rcv_nxt + 4000;
	seg.len = 1000;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW], 2);
	CHECK_EQ(sk->ofo.n, 1);
	CHECK_EQ(sk->ofo.r[0].start, rcv_nxt + 4000);
	CHECK_EQ(sk->ofo.r[0].end, rcv_nxt + 4096);
	/* Far outside the window entirely: dropped before reassembly. */
	seg.seq = rcv_nxt + 1000000;
	xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	CHECK_EQ(sk->mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW], 3);
	CHECK_EQ(sk->ofo.n, 1);
	tpair_fini(&tp);
}

static void ofo_range_table_bounded(void)
{
	struct xmp_tcp_cfg c = { .rcvbuf = 1 << 20 };
	struct xmp_tcp_sock *sk;
	struct xmp_seg seg;
	struct tpair tp;
	__u8 d[10] = { 0 };
	unsigned int i;

	CHECK_EQ(tpair_open(&tp, 91, &c, &c, NULL, NULL), 0);
	sk = tp.p[1].sk;
	/* 40 disjoint islands: 32 are kept, the rest dropped and counted. */
	for (i = 0; i < 40; i++) {
		seg = t_seg_to(sk, XMP_TH_ACK, sk->rcv_nxt + 100 + 100 * i, sk->snd_una);
		seg.payload = d;
		seg.len = sizeof(d);
		xmp_tcp_input(sk, &seg, memwire_now(tp.w));
	}
	CHECK_EQ(sk->ofo.n, XMP_TCP_MAX_RANGES);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_OFO_QUEUED], XMP_TCP_MAX_RANGES);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_OFO_DROP], 40 - XMP_TCP_MAX_RANGES);
	CHECK_EQ(xmp_tcp_readable(sk), 0);
	tpair_fini(&tp);
}

/* ---- ops->rcv_data and the receive spans: each byte copied once ---- */

enum { TAKE_ALL, TAKE_HALF, TAKE_NONE };
static int t_take;	       /* how much the layer above takes from a segment */
static __u64 t_span_bytes;     /* bytes it copied out of the ring, in place */
static unsigned int t_seq_bad; /* segments offered out of the stream's order */

/* The layer above of the receiver: takes in-order payload straight from
 * the segment and appends it to the sink. Nothing unread precedes it, so
 * the stream goes on exactly there. */
static __u32 t_rcv_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, const __u8 *data,
			__u32 len)
{
	struct tpeer *pe = ((struct memwire_port *)ctx)->user;
	__u32 n = t_take == TAKE_ALL ? len : t_take == TAKE_HALF ? (len + 1) / 2 : 0;

	if (!pe->rx)
		return 0;
	if (seq != sk->irs + 1 + (__u32)pe->rx_len || sk->rcvq.len)
		t_seq_bad++;
	if (n > pe->rx_cap - pe->rx_len)
		n = (__u32)(pe->rx_cap - pe->rx_len);
	memcpy(pe->rx + pe->rx_len, data, n);
	pe->rx_len += n;
	return n;
}

/* ---- xmp_tcp_send_ref(): the layer above keeps the bytes ---- */

/* The layer above's send buffer: a ring of an odd size, so segments wrap
 * in it. Stream byte o sits at ring[o % REF_RING] while it is held. */
#define REF_RING 30011u

static struct {
	__u8 ring[REF_RING];
	const __u8 *src;
	size_t len, queued; /* stream bytes queued by reference so far */
	size_t freed;	    /* stream bytes given up (their slots poisoned) */
	size_t adopt_every; /* xmp_tcp_snd_adopt() each time this much more is queued */
	size_t adopt_next;
	__u32 base;	    /* sequence number of stream byte 0 */
	unsigned int bad;   /* payload asked for that the layer does not hold */
	bool fail;	    /* snd_data answers NULL */
} ref;

/* What the engine still needs from the layer: the bytes from this offset. */
static size_t ref_held(const struct xmp_tcp_sock *sk)
{
	return xmp_tcp_snd_ref_seq(sk) - ref.base;
}

static const __u8 *ref_snd_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len,
				__u8 *scratch)
{
	size_t off = seq - ref.base, pos = off % REF_RING, first;

	(void)ctx;
	if (ref.fail)
		return NULL;
	if (off < ref_held(sk) || off < ref.freed || off + len > ref.queued || len > sk->cfg.mss)
		ref.bad++;
	first = len < REF_RING - pos ? len : REF_RING - pos;
	if (first == len)
		return ref.ring + pos;
	memcpy(scratch, ref.ring + pos, first);
	memcpy(scratch + first, ref.ring, len - first);
	return scratch;
}

/* Poisons what the engine no longer needs, then queues what the ring has
 * room for; adopts on schedule; shuts down after the last byte. */
static void ref_push(struct xmp_tcp_sock *sk, __u64 now)
{
	size_t held, n, i;

	if (sk->state < XMP_TCP_ESTABLISHED || sk->fin_queued)
		return;
	for (;;) {
		held = ref_held(sk);
		for (; ref.freed < held; ref.freed++)
			ref.ring[ref.freed % REF_RING] = 0xee;
		n = held + REF_RING - ref.queued;
		if (n > ref.len - ref.queued)
			n = ref.len - ref.queued;
		if (n > xmp_tcp_writable(sk))
			n = xmp_tcp_writable(sk);
		if (!n)
			break;
		for (i = 0; i < n; i++)
			ref.ring[(ref.queued + i) % REF_RING] = ref.src[ref.queued + i];
		ref.queued += n; /* the engine may send them at once */
		CHECK_EQ(xmp_tcp_send_ref(sk, n, now), (long)n);
		if (ref.adopt_every && ref.queued >= ref.adopt_next) {
			CHECK(xmp_tcp_snd_adopt(sk) >= 0);
			ref.adopt_next += ref.adopt_every;
		}
	}
	if (ref.queued == ref.len)
		xmp_tcp_shutdown(sk, now);
}

/* ---- the layer above of both: takes and drains on receive, keeps on send ---- */

/* Receiver: drains what the engine buffered in place, one copy out.
 * Sender (side 0, with a source in ref): queues from its own ring. */
static void layer_event(void *ctx, struct xmp_tcp_sock *sk, unsigned int ev)
{
	struct memwire_port *port = ctx;
	struct tpeer *pe = port->user;
	const __u8 *p;
	__u32 n;

	while (pe->rx && (ev & XMP_TCP_EV_READABLE)) {
		p = xmp_tcp_recv_span(sk, 0, &n);
		if (!p || pe->rx_len == pe->rx_cap)
			break;
		if (n > pe->rx_cap - pe->rx_len)
			n = (__u32)(pe->rx_cap - pe->rx_len);
		memcpy(pe->rx + pe->rx_len, p, n);
		pe->rx_len += n;
		t_span_bytes += n;
		CHECK_EQ(xmp_tcp_recv_commit(sk, n, memwire_now(port->w)), (long)n);
	}
	if (port->end == 0 && ref.src && (ev & (XMP_TCP_EV_WRITABLE | XMP_TCP_EV_ESTABLISHED)))
		ref_push(sk, memwire_now(port->w));
	t_event(ctx, sk, ev);
}

static const struct xmp_tcp_ops layer_ops = {
	.xmit = memwire_tcp_xmit,
	.event = layer_event,
	.state_change = t_state,
	.rcv_data = t_rcv_data,
	.snd_data = ref_snd_data,
};

/* One transfer 0 -> 1 through the taking receiver; its counters are
 * copied to @mib (the pair is freed). */
static void take_transfer(__u64 seed, int take, const struct memwire_dir_cfg *d, __u32 rcvbuf,
			  __u64 *mib)
{
	struct xmp_tcp_cfg c = { .msl_us = 100 * T_MS, .rcvbuf = rcvbuf };
	size_t len = 600000;
	struct tpair tp;
	__u8 *src;

	t_take = take;
	t_span_bytes = 0;
	t_seq_bad = 0;
	CHECK_EQ(tpair_open(&tp, seed, &c, &c, &layer_ops, d), 0);
	src = tpeer_source(&tp, 0, len, seed * 5, true);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 600 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, len);
	CHECK_MEM(tp.p[1].rx, src, len);
	CHECK_EQ(t_seq_bad, 0);
	memcpy(mib, tp.p[1].sk->mib, sizeof(tp.p[1].sk->mib));
	/* every byte reached the sink once: from its segment or the ring */
	CHECK_EQ(mib[XMP_TCP_MIB_RCV_DIRECT_BYTES] + t_span_bytes, (__u64)len);
	CHECK_EQ(mib[XMP_TCP_MIB_RCV_READ_BYTES], 0);
	free(src);
	tpair_fini(&tp);
}

/* Issue 13.4: in order and lossless, the layer above takes every byte
 * straight from its segment; the engine's ring is never written. */
static void rcv_data_lossless_no_ring_copy(void)
{
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS };
	__u64 mib[XMP_TCP_MIB_NR];

	take_transfer(21, TAKE_ALL, &d, 0, mib);
	CHECK_EQ(mib[XMP_TCP_MIB_RCV_DIRECT_BYTES], 600000);
	CHECK_EQ(mib[XMP_TCP_MIB_RCV_BUF_BYTES], 0);
	CHECK_EQ(t_span_bytes, 0);
}

/* Loss, reordering and duplicates: out-of-order data waits in the ring
 * and is copied out once, in place; segments that fill a hole still go
 * straight up; a layer that takes part of a segment, or nothing, leaves
 * the rest to the ring, and the ring (small: it wraps often) keeps the
 * stream exact. */
static void rcv_data_lossy_exact(void)
{
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS, .loss_ppm = 30000,
				     .reorder_ppm = 30000, .dup_ppm = 10000 };
	__u64 mib[XMP_TCP_MIB_NR];
	__u64 seed;

	for (seed = 1; seed <= 3; seed++) {
		take_transfer(seed, TAKE_ALL, &d, 0, mib);
		CHECK(mib[XMP_TCP_MIB_RCV_DIRECT_BYTES] > 300000);
		CHECK(mib[XMP_TCP_MIB_RCV_BUF_BYTES] > 0);
		CHECK(mib[XMP_TCP_MIB_OFO_QUEUED] > 0);
		take_transfer(seed, TAKE_HALF, &d, 20000, mib);
		CHECK(mib[XMP_TCP_MIB_RCV_DIRECT_BYTES] > 0);
		CHECK(t_span_bytes > 0);
		take_transfer(seed, TAKE_NONE, &d, 10007, mib);
		CHECK_EQ(mib[XMP_TCP_MIB_RCV_DIRECT_BYTES], 0);
		CHECK_EQ(t_span_bytes, 600000);
	}
}

/* @len bytes 0 -> 1 from the layer's ring; its sender's counters to @mib. */
static void ref_transfer(__u64 seed, size_t adopt_every, __u64 *mib)
{
	struct xmp_tcp_cfg c = { .msl_us = 100 * T_MS };
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS, .loss_ppm = 30000,
				     .reorder_ppm = 30000, .dup_ppm = 10000 };
	struct tpair tp;
	__u8 *src;

	memset(&ref, 0, sizeof(ref));
	ref.len = 400000;
	ref.adopt_every = ref.adopt_next = adopt_every;
	t_take = TAKE_HALF; /* the receiver takes from segments and drains spans */
	t_span_bytes = 0;
	t_seq_bad = 0;
	src = malloc(ref.len);
	t_fill(src, ref.len, seed * 3);
	CHECK_EQ(tpair_init(&tp, seed, &c, &c, &layer_ops), 0);
	set_both(&tp, &d);
	tp.p[1].rx = malloc(ref.len);
	tp.p[1].rx_cap = ref.len;
	ref.base = tp.p[0].sk->iss + 1;
	CHECK_EQ(tpair_connect(&tp), 0);
	ref.src = src;
	ref_push(tp.p[0].sk, memwire_now(tp.w));
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 600 * T_SEC), 0);
	CHECK_EQ(tp.p[1].rx_len, ref.len);
	CHECK_MEM(tp.p[1].rx, src, ref.len);
	CHECK_EQ(ref.bad, 0);
	CHECK_EQ(t_seq_bad, 0);
	CHECK_EQ(tp.p[1].sk->mib[XMP_TCP_MIB_RCV_DIRECT_BYTES] + t_span_bytes, ref.len);
	memcpy(mib, tp.p[0].sk->mib, sizeof(tp.p[0].sk->mib));
	CHECK_EQ(mib[XMP_TCP_MIB_SND_REF_BYTES], ref.len);
	CHECK_EQ(mib[XMP_TCP_MIB_SND_REF_MISSING], 0);
	CHECK(mib[XMP_TCP_MIB_RETRANS_SEGS] > 0);
	CHECK(mib[XMP_TCP_MIB_OUT_DATA_BYTES] > ref.len);
	ref.src = NULL;
	free(src);
	tpair_fini(&tp);
}

/* Issue 13.4: segments, retransmissions included, take their payload from
 * the layer above's buffer, never from a byte it no longer holds: the
 * engine copies nothing into its own ring, only what wraps in the layer's
 * buffer is made contiguous. */
static void send_ref_exact_lossy(void)
{
	__u64 mib[XMP_TCP_MIB_NR], seed;

	for (seed = 1; seed <= 3; seed++) {
		ref_transfer(seed, 0, mib);
		CHECK_EQ(mib[XMP_TCP_MIB_SND_BUF_BYTES], 0);
		CHECK(mib[XMP_TCP_MIB_SND_LINEAR_BYTES] > 0);
		CHECK(mib[XMP_TCP_MIB_SND_LINEAR_BYTES] < ref.len / 10);
	}
}

/* xmp_tcp_snd_adopt() mid-stream: the engine copies what it still needs
 * into its ring, the layer poisons and reuses those bytes at once, and the
 * retransmissions of the adopted bytes still carry the right ones. */
static void send_ref_adopt_then_reuse(void)
{
	__u64 mib[XMP_TCP_MIB_NR], seed;

	for (seed = 4; seed <= 6; seed++) {
		ref_transfer(seed, 50000, mib);
		CHECK(mib[XMP_TCP_MIB_SND_BUF_BYTES] > 0);
		CHECK(mib[XMP_TCP_MIB_SND_BUF_BYTES] < ref.len);
	}
}

/* One way or the other per socket; nothing leaves when the layer above no
 * longer holds the bytes. */
static void send_ref_rules(void)
{
	struct xmp_tcp_sock *sk;
	struct tpair tp;
	__u64 out;

	memset(&ref, 0, sizeof(ref));
	CHECK_EQ(tpair_open(&tp, 31, NULL, NULL, NULL, NULL), 0);
	CHECK_EQ(xmp_tcp_send_ref(tp.p[0].sk, 10, memwire_now(tp.w)), -EINVAL); /* no snd_data */
	tpair_fini(&tp);

	CHECK_EQ(tpair_open(&tp, 32, NULL, NULL, &layer_ops, NULL), 0);
	sk = tp.p[0].sk;
	tp.drop_all[0] = true;
	CHECK_EQ(xmp_tcp_send(sk, "abc", 3, memwire_now(tp.w)), 3);
	CHECK_EQ(xmp_tcp_send_ref(sk, 10, memwire_now(tp.w)), -EINVAL);
	sk = tp.p[1].sk;
	ref.fail = true;
	out = sk->mib[XMP_TCP_MIB_OUT_DATA_BYTES];
	CHECK_EQ(xmp_tcp_send_ref(sk, 10, memwire_now(tp.w)), 10);
	CHECK_EQ(xmp_tcp_send(sk, "abc", 3, memwire_now(tp.w)), -EINVAL);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_OUT_DATA_BYTES], out);
	CHECK(sk->mib[XMP_TCP_MIB_SND_REF_MISSING] > 0);
	CHECK_EQ(xmp_tcp_snd_adopt(sk), -ENODATA);
	CHECK_EQ(sk->snd_max, sk->iss + 1);
	tpair_fini(&tp);
}

int main(void)
{
	RUN(transfer_1mb_lossless);
	RUN(spans_transfer);
	RUN(lossy_bidir_sack_seeds);
	RUN(lossy_bidir_newreno_no_sack);
	RUN(window_scaling_large_transfer);
	RUN(cc_ssthresh_reduction);
	RUN(cc_reno_and_cubic_transfer);
	RUN(zero_window_probe_then_reopen);
	RUN(rto_backoff_then_abort);
	RUN(karn_no_sample_from_retransmission);
	RUN(sack_retransmits_only_the_hole);
	RUN(sack_two_holes_one_recovery);
	RUN(newreno_two_holes_partial_ack);
	RUN(delayed_ack);
	RUN(bounded_memory_and_out_of_window);
	RUN(ofo_range_table_bounded);
	RUN(seg_limit_respected);
	RUN(shared_snd_wnd);
	RUN(rcv_data_lossless_no_ring_copy);
	RUN(rcv_data_lossy_exact);
	RUN(send_ref_exact_lossy);
	RUN(send_ref_adopt_then_reuse);
	RUN(send_ref_rules);
	return t_exit_code();
}

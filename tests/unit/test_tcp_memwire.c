// SPDX-License-Identifier: GPL-2.0
/*
 * The in-memory wire itself (tests/lib/memwire.c): delay and rate
 * timing, loss/duplication/reordering rates, drop-tail queue, middlebox
 * rewriting, run-loop termination, determinism from the seed (a TCP
 * transfer replayed with the same seed gives the same segment trace), and
 * several links: their own delays on one clock, a link that goes down.
 */
#include "lib/test.h"
#include "test_tcp_harness.h"

struct rec {
	unsigned int n;
	__u64 at[20000];
	__u32 seq[20000];
	__u8 first_byte[20000];
	__u8 optlen[20000];
};

static struct rec rec;

static void rec_rx(void *arg, const struct xmp_seg *seg, __u64 now)
{
	struct rec *r = arg;

	if (r->n >= 20000)
		return;
	r->at[r->n] = now;
	r->seq[r->n] = seg->seq;
	r->first_byte[r->n] = seg->len ? seg->payload[0] : 0;
	r->optlen[r->n] = seg->optlen;
	r->n++;
}

static const struct memwire_end_ops rec_ops = { .rx = rec_rx };

static struct xmp_seg raw_seg(__u32 seq, const __u8 *data, __u32 len)
{
	struct xmp_seg s;

	memset(&s, 0, sizeof(s));
	s.seq = seq;
	s.flags = XMP_TH_ACK;
	s.payload = data;
	s.len = len;
	s.optlen = 12;
	return s;
}

/* A wire of seed @seed whose end 1 records what reaches it (rec, emptied
 * here), direction 0 set as @cfg says (NULL: as created). */
static struct memwire *rec_wire(__u64 seed, const struct memwire_dir_cfg *cfg)
{
	struct memwire *w = NULL;

	memset(&rec, 0, sizeof(rec));
	CHECK_EQ(memwire_new(&w, seed, 0), 0);
	memwire_attach(w, 1, &rec_ops, &rec);
	if (cfg)
		memwire_set_dir(w, 0, cfg);
	return w;
}

static void delay_and_rate(void)
{
	static __u8 data[1000];
	struct memwire *w;
	struct xmp_seg s;

	w = rec_wire(1, &(struct memwire_dir_cfg){ .delay_us = 10 * T_MS, .rate_bps = 8000000 });
	s = raw_seg(1, data, sizeof(data));
	CHECK_EQ(memwire_xmit(w, 0, &s), 0);
	s.seq = 2;
	CHECK_EQ(memwire_xmit(w, 0, &s), 0);
	CHECK_EQ(memwire_in_flight(w), 2);
	CHECK_EQ(memwire_run_until(w, NULL, NULL, T_SEC), 0);
	CHECK_EQ(rec.n, 2);
	/* 40 + 12 + 1000 bytes at 8 Mbit/s = 1052 us each, back to back. */
	CHECK_EQ(rec.at[0], 1052 + 10 * T_MS);
	CHECK_EQ(rec.at[1], 2 * 1052 + 10 * T_MS);
	CHECK_EQ(memwire_stats(w, 0)->delivered, 2);
	memwire_free(w);
}

static void queue_drop_tail(void)
{
	static __u8 data[1000];
	struct memwire *w;
	struct xmp_seg s;
	int i;

	w = rec_wire(1, &(struct memwire_dir_cfg){ .rate_bps = 1000000, .queue_bytes = 3200 });
	s = raw_seg(1, data, sizeof(data));
	for (i = 0; i < 10; i++)
		memwire_xmit(w, 0, &s);
	memwire_run_until(w, NULL, NULL, 10 * T_SEC);
	/* The backlog (what is not yet serialised, 1052 bytes each) holds
	 * three within 3200 bytes; the other seven are dropped. */
	CHECK_EQ(memwire_stats(w, 0)->queue_drop, 7);
	CHECK_EQ(rec.n, 3);
	memwire_free(w);
}

static void loss_dup_reorder_rates(void)
{
	static __u8 data[100];
	struct memwire *w;
	struct xmp_seg s;
	const struct memwire_dir_stats *st;
	unsigned int i, inversions = 0;

	w = rec_wire(99, &(struct memwire_dir_cfg){ .delay_us = 5 * T_MS,
						    .loss_ppm = 100000,
						    .dup_ppm = 50000,
						    .reorder_ppm = 200000,
						    .reorder_us = 3 * T_MS });
	for (i = 0; i < 10000; i++) {
		s = raw_seg(i, data, sizeof(data));
		memwire_xmit(w, 0, &s);
		memwire_set_now(w, memwire_now(w) + 100);
	}
	CHECK_EQ(memwire_run_until(w, NULL, NULL, 100 * T_SEC), 0);
	st = memwire_stats(w, 0);
	CHECK_EQ(st->sent, 10000);
	CHECK(st->lost > 900 && st->lost < 1100);
	CHECK(st->duplicated > 380 && st->duplicated < 530);
	CHECK(st->reordered > 1600 && st->reordered < 2000);
	CHECK_EQ(st->delivered, st->sent - st->lost + st->duplicated);
	CHECK_EQ(rec.n, st->delivered);
	for (i = 1; i < rec.n; i++)
		inversions += rec.seq[i] < rec.seq[i - 1];
	CHECK(inversions > 1000);
	memwire_free(w);
}

static int mbox_rewrite(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	(void)arg;
	(void)from;
	if (seg->seq == 3)
		return MEMWIRE_DROP;
	if (seg->len)
		data[0] ^= 0xff;
	seg->optlen = 0; /* strip every option */
	return MEMWIRE_PASS;
}

static void middlebox_rewrites_and_drops(void)
{
	__u8 data[4] = { 0x11, 2, 3, 4 };
	struct memwire *w;
	struct xmp_seg s;
	__u32 i;

	w = rec_wire(1, NULL);
	memwire_set_mbox(w, mbox_rewrite, NULL);
	for (i = 1; i <= 4; i++) {
		s = raw_seg(i, data, sizeof(data));
		memwire_xmit(w, 0, &s);
	}
	memwire_run_until(w, NULL, NULL, T_SEC);
	CHECK_EQ(rec.n, 3);
	CHECK_EQ(memwire_stats(w, 0)->mbox_drop, 1);
	CHECK_EQ(rec.first_byte[0], 0xee);
	CHECK_EQ(rec.optlen[0], 0);
	CHECK_EQ(rec.seq[2], 4);
	/* The sender's buffer is untouched: the wire copied it. */
	CHECK_EQ(data[0], 0x11);
	memwire_free(w);
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static void run_loop_terminates(void)
{
	static __u8 data[10];
	struct memwire *w;
	struct xmp_seg s;

	w = rec_wire(1, &(struct memwire_dir_cfg){ .delay_us = 5 * T_SEC });
	s = raw_seg(1, data, sizeof(data));
	memwire_xmit(w, 0, &s);
	CHECK_EQ(memwire_run_until(w, never, NULL, T_SEC), -ETIMEDOUT);
	CHECK_EQ(memwire_now(w), T_SEC);
	CHECK_EQ(rec.n, 0);
	CHECK_EQ(memwire_run_until(w, never, NULL, 10 * T_SEC), -EDEADLK);
	CHECK_EQ(rec.n, 1);
	CHECK_EQ(memwire_now(w), 5 * T_SEC);
	CHECK_EQ(memwire_run_until(w, NULL, NULL, 10 * T_SEC), 0);
	memwire_free(w);
}

/* A lossy TCP transfer; returns a hash of the captured segment trace. */
static __u64 traced_transfer(__u64 seed, __u64 *lost)
{
	struct xmp_tcp_cfg c = { 0 };
	struct memwire_dir_cfg d = { .delay_us = 3 * T_MS, .loss_ppm = 30000,
				     .reorder_ppm = 30000, .dup_ppm = 10000 };
	struct tpair tp;
	__u64 h = 1469598103934665603ULL;
	unsigned int i;
	__u8 *a;

	CHECK_EQ(tpair_init(&tp, seed, &c, &c, NULL), 0);
	memwire_set_dir(tp.w, 0, &d);
	memwire_set_dir(tp.w, 1, &d);
	CHECK_EQ(tpair_connect(&tp), 0);
	a = tpeer_source(&tp, 0, 200000, 1, false);
	CHECK_EQ(memwire_run_until(tp.w, c_both_received, &tp, 100 * T_SEC), 0);
	CHECK_MEM(tp.p[1].rx, a, 200000);
	for (i = 0; i < tp.ncap; i++) {
		h = (h ^ tp.cap[i].seg.seq) * 1099511628211ULL;
		h = (h ^ tp.cap[i].at) * 1099511628211ULL;
		h = (h ^ tp.cap[i].seg.ack) * 1099511628211ULL;
	}
	*lost = memwire_stats(tp.w, 0)->lost;
	free(a);
	tpair_fini(&tp);
	return h;
}

static void deterministic_from_seed(void)
{
	__u64 l1, l2, l3;
	__u64 h1 = traced_transfer(5, &l1), h2 = traced_transfer(5, &l2);
	__u64 h3 = traced_transfer(6, &l3);

	CHECK_EQ(h1, h2);
	CHECK_EQ(l1, l2);
	CHECK(l1 > 0);
	CHECK(h1 != h3);
}

static struct rec rec_b;

/* Two links, two receivers: each link keeps its own delay on the one clock;
 * a link that goes down loses what is on it and what is sent to it, the
 * other is untouched, and it carries again once up. */
static void links_and_link_failure(void)
{
	static __u8 data[100];
	struct memwire *w;
	struct xmp_seg s = raw_seg(1, data, sizeof(data));

	memset(&rec, 0, sizeof(rec));
	memset(&rec_b, 0, sizeof(rec_b));
	CHECK_EQ(memwire_new_links(&w, 1, 0, 0), -EINVAL);
	CHECK_EQ(memwire_new_links(&w, 1, 0, MEMWIRE_MAX_LINKS + 1), -EINVAL);
	CHECK_EQ(memwire_new_links(&w, 1, 0, 2), 0);
	CHECK_EQ(memwire_links(w), 2);
	memwire_link_attach(w, 0, 1, &rec_ops, &rec);
	memwire_link_attach(w, 1, 1, &rec_ops, &rec_b);
	memwire_link_set_dir(w, 0, 0, &(struct memwire_dir_cfg){ .delay_us = 5 * T_MS });
	memwire_link_set_dir(w, 1, 0, &(struct memwire_dir_cfg){ .delay_us = 30 * T_MS });
	CHECK_EQ(memwire_link_xmit(w, 1, 0, &s), 0);
	CHECK_EQ(memwire_link_xmit(w, 0, 0, &s), 0);
	CHECK_EQ(memwire_run_until(w, NULL, NULL, T_SEC), 0);
	CHECK_EQ(rec.n, 1);
	CHECK_EQ(rec.at[0], 5 * T_MS);
	CHECK_EQ(rec_b.n, 1);
	CHECK_EQ(rec_b.at[0], 30 * T_MS);

	/* In flight on link 1 when it goes down: lost; sent while down: lost. */
	CHECK_EQ(memwire_link_xmit(w, 1, 0, &s), 0);
	CHECK_EQ(memwire_link_xmit(w, 0, 0, &s), 0);
	memwire_link_set_up(w, 1, false);
	CHECK(!memwire_link_up(w, 1));
	CHECK_EQ(memwire_link_xmit(w, 1, 0, &s), 0);
	CHECK_EQ(memwire_run_until(w, NULL, NULL, 2 * T_SEC), 0);
	CHECK_EQ(rec.n, 2);
	CHECK_EQ(rec_b.n, 1);
	CHECK_EQ(memwire_link_stats(w, 1, 0)->down_drop, 2);
	CHECK_EQ(memwire_link_stats(w, 0, 0)->down_drop, 0);

	memwire_link_set_up(w, 1, true);
	CHECK_EQ(memwire_link_xmit(w, 1, 0, &s), 0);
	CHECK_EQ(memwire_run_until(w, NULL, NULL, 3 * T_SEC), 0);
	CHECK_EQ(rec_b.n, 2);
	CHECK_EQ(memwire_link_stats(w, 1, 0)->delivered, 2);
	memwire_free(w);
}

int main(void)
{
	RUN(delay_and_rate);
	RUN(queue_drop_tail);
	RUN(loss_dup_reorder_rates);
	RUN(middlebox_rewrites_and_drops);
	RUN(run_loop_terminates);
	RUN(deterministic_from_seed);
	RUN(links_and_link_failure);
	return t_exit_code();
}

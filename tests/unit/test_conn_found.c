// SPDX-License-Identifier: GPL-2.0
/*
 * What the packet-input fuzzer (tests/fuzz/fuzz_pkt_input.c) found in the
 * connection layer, each kept as a test on the in-memory wire that fails
 * without its fix: the end of a connection (close.c) and the fallback to
 * plain TCP (3.7) next to a join (sflow.c), an MP_FAIL beside SACK blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/memhost.h"
#include "lib/test.h"
#include "mptcp/options.h"

#define PORT	  5201
#define MAX_STEPS 100000 /* wire events in 120 s of an idle connection: a few hundred */

struct net {
	struct memwire *w;
	struct memhost cli, srv;
	struct memhost_app *ca;
	unsigned long steps;
	bool synack_seen; /* the join's SYN-ACK passed on link 1 */
};

static void net_free(struct net *n)
{
	memhost_fini(&n->cli);
	memhost_fini(&n->srv);
	memwire_free(n->w);
}

/* One link, 5 ms each way at @rate_bps (0: unlimited), the client on side
 * 0 and the server on side 1, both with @cfg (NULL: the defaults). */
static void net_one_link(struct net *n, const struct xc_cfg *cfg, __u64 rate_bps)
{
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS, .rate_bps = rate_bps };
	int side;

	memset(n, 0, sizeof(*n));
	CHECK_EQ(memwire_new_links(&n->w, 1, 0, 1), 0);
	for (side = 0; side < 2; side++)
		memwire_link_set_dir(n->w, 0, side, &d);
	CHECK_EQ(memhost_init(&n->cli, n->w, 0, false, cfg, 1), 0);
	CHECK_EQ(memhost_init(&n->srv, n->w, 1, false, cfg, 1), 0);
}

/* Counts the wire's events (its loop asks before each one). */
static bool count_step(void *arg)
{
	struct net *n = arg;

	return ++n->steps > MAX_STEPS;
}

static bool srv_done(void *arg)
{
	struct net *n = arg;

	return n->srv.napps && memhost_all_done(&n->srv);
}

/*
 * Both DATA_FINs acked, our subflow in TIME-WAIT, and the application
 * reads nothing (the bytes wait in the connection). The 60 s linger
 * deadline (subflows still open then are reset) passed with nothing to
 * reset: it stayed due, and the host's timer fired at once, turn after
 * turn, until the application read.
 */
static void linger_slow_app(void)
{
	struct net n;

	net_one_link(&n, NULL, 0);
	memhost_listen(&n.srv, PORT, 32 << 10, false);
	CHECK_EQ(memhost_connect(&n.cli, PORT, 32 << 10, &n.ca), 0);
	n.ca->paused = true;
	CHECK_EQ(memwire_run_until(n.w, srv_done, &n, 10 * T_SEC), 0);
	CHECK_EQ(n.srv.app[0].rcvd, 32 << 10);
	CHECK_EQ(n.ca->rcvd, 0);

	/* past the linger deadline and TIME-WAIT: a bounded number of events */
	memwire_run_until(n.w, count_step, &n, memwire_now(n.w) + 120 * T_SEC);
	CHECK(n.steps < MAX_STEPS);
	CHECK_EQ(n.cli.stats.timer_again, 0);
	CHECK(!xc_conn_done(n.ca->c));

	/* the application reads: every byte, exact, and the connection ends */
	n.ca->paused = false;
	xc_conn_pump(n.ca->c);
	CHECK_EQ(n.ca->rcvd, 32 << 10);
	CHECK_EQ(n.ca->bad, 0);
	CHECK(n.ca->eof_in);
	CHECK(xc_conn_done(n.ca->c));
	net_free(&n);
}

/* Link 1: the server's join SYN-ACK passes, nothing of the server's after
 * it (the client never gets its fourth ACK: its join stays pre-established
 * while the server counts it as established). */
static int link1_mbox(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	struct net *n = arg;

	(void)data;
	if (from != 1)
		return MEMWIRE_PASS;
	if ((seg->flags & (XMP_TH_SYN | XMP_TH_ACK)) == (XMP_TH_SYN | XMP_TH_ACK)) {
		n->synack_seen = true;
		return MEMWIRE_PASS;
	}
	return MEMWIRE_DROP;
}

/* Link 0, the server's segments: before the join's SYN-ACK only its
 * SYN-ACK and its address announcement get through (no DATA_ACK: the
 * client may still fall back, 3.7); after it they lose their options, as
 * a middlebox stripping them would. */
static int link0_mbox(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	struct net *n = arg;
	struct xmp_mp_opt mp;

	(void)data;
	if (from != 1)
		return MEMWIRE_PASS;
	if (n->synack_seen) {
		seg->optlen = 0;
		return MEMWIRE_PASS;
	}
	xmp_mp_parse(seg->opts, seg->optlen, &mp, NULL);
	return (seg->flags & XMP_TH_SYN) || (mp.suboptions & XMP_MPO_ADD_ADDR) ? MEMWIRE_PASS
									       : MEMWIRE_DROP;
}

static bool cli_done(void *arg)
{
	struct net *n = arg;

	return xc_conn_done(n->ca->c);
}

/*
 * The client sent its join's third ACK: the server takes the join as
 * established and may send and reinject on it. Options then vanish on the
 * first subflow: the client may not fall back (its subflow stream is not
 * the data stream any more), it resets instead; the server's data comes
 * exact or not at all.
 */
/* Two 1 Mbit/s links with middleboxes, small buffers, 16 KB each way, the
 * streams held open; run until @done. */
static void join_net_run(struct net *n, memwire_mbox_fn mbox0, memwire_mbox_fn mbox1,
			 memwire_cond_fn done, __u64 down)
{
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS, .rate_bps = 1000000 };
	struct xc_cfg cfg;
	int l, side;

	memset(n, 0, sizeof(*n));
	xc_cfg_default(&cfg);
	cfg.msk_sndbuf = cfg.msk_rcvbuf = XC_MSK_BUF_MIN;
	cfg.sf_buf = XC_SF_BUF_MIN;
	CHECK_EQ(memwire_new_links(&n->w, 1, 0, 2), 0);
	for (l = 0; l < 2; l++)
		for (side = 0; side < 2; side++)
			memwire_link_set_dir(n->w, (unsigned int)l, side, &d);
	memwire_link_set_mbox(n->w, 0, mbox0, n);
	memwire_link_set_mbox(n->w, 1, mbox1, n);
	CHECK_EQ(memhost_init(&n->cli, n->w, 0, false, &cfg, 1), 0);
	CHECK_EQ(memhost_init(&n->srv, n->w, 1, false, &cfg, 1), 0);
	n->cli.hold_eof = n->srv.hold_eof = true;
	memhost_listen(&n->srv, PORT, down, false);
	CHECK_EQ(memhost_connect(&n->cli, PORT, 16 << 10, &n->ca), 0);
	memwire_run_until(n->w, done, n, 30 * T_SEC);
	CHECK(n->synack_seen);
	CHECK_EQ(n->ca->bad, 0);
	CHECK(n->srv.napps == 1 && n->srv.app[0].bad == 0);
}

static void no_fallback_after_join_third_ack(void)
{
	struct xc_conn_stats cs;
	struct net n;

	join_net_run(&n, link0_mbox, link1_mbox, cli_done, 16 << 10);
	xc_conn_stats(n.ca->c, &cs);
	CHECK(!cs.fallback);
	/* nor did the client copy anything: its join never got its fourth
	 * ACK, so the server may not know it (a Linux server falls back
	 * until it has the third ACK) */
	CHECK_EQ(cs.reinj_bytes, 0);
	net_free(&n);
}

/* Link 1: the client's join SYN and the server's SYN-ACK pass, nothing of
 * the client's after (its third ACK never reaches the server). */
static int link1_no_third_ack(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	struct net *n = arg;

	(void)data;
	if (from == 1 && (seg->flags & XMP_TH_SYN))
		n->synack_seen = true;
	return from == 1 || (seg->flags & XMP_TH_SYN) ? MEMWIRE_PASS : MEMWIRE_DROP;
}

/* Link 0, the client's segments: their options vanish once the join's
 * SYN-ACK went by, as a middlebox stripping them would. */
static int link0_strip_client(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	struct net *n = arg;

	(void)data;
	if (from == 0 && n->synack_seen)
		seg->optlen = 0;
	return MEMWIRE_PASS;
}

static bool srv_conn_done(void *arg)
{
	struct net *n = arg;

	return n->srv.napps && xc_conn_done(n->srv.app[0].c);
}

/*
 * The server sent its join's SYN-ACK; the client takes the join as good
 * from it (Linux clears allow_infinite_fallback there) though its third
 * ACK never arrives. Then the client's data comes without a mapping: the
 * server may not fall back (the client may be sending copies of data
 * already DATA_ACKed on the first subflow, which a fallen-back server
 * would take as the bytes after); it resets. Nor does our client send
 * copies before its join is established both ways. Found by the fuzzer
 * (pkt_input-server-fallback-drtx): 10283 wrong bytes.
 */
static void no_fallback_after_join_synack_sent(void)
{
	struct xc_conn_stats ss;
	struct net n;

	join_net_run(&n, link0_strip_client, link1_no_third_ack, srv_conn_done, 0);
	xc_conn_stats(n.srv.app[0].c, &ss);
	CHECK(!ss.fallback);
	CHECK(n.srv.app[0].rcvd <= 16 << 10);
	net_free(&n);
}

/* MP_FAIL next to SACK blocks: what link 0 did and saw. */
struct fail_net {
	struct net n;
	unsigned int data_segs; /* the client's data segments so far */
	__u32 drop_seq[3];	/* first transmissions dropped */
	__u32 flip_seq;		/* the one whose payload byte flipped */
	bool flipped;
	unsigned int fail_acks;	/* the server's segments with MP_FAIL */
	__u32 first_fail_ack;	/* the first one's ACK number */
	unsigned int bare_acks;	/* ... without any MPTCP option, after the flip and
				 * before the server fell back */
};

/* After the MP_FAIL the client sends an infinite mapping and both sides
 * are plain TCP (3.7): their segments carry no MPTCP option, rightly. */
static bool srv_fell_back(const struct fail_net *f)
{
	struct xc_conn_stats cs;

	if (!f->n.srv.napps || !f->n.srv.app[0].c)
		return false;
	xc_conn_stats(f->n.srv.app[0].c, &cs);
	return cs.fallback;
}

/* Client -> server: data segments 5, 9 and 10 lost once, 6 with one
 * payload byte flipped (the checksum catches it, 3.3.1, once 5 is in).
 * Server -> client: which of its ACKs carry an MPTCP option and an
 * MP_FAIL. */
static int fail_mbox(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	struct fail_net *f = arg;
	struct xmp_mp_opt mp;

	if (from == 1) {
		xmp_mp_parse(seg->opts, seg->optlen, &mp, NULL);
		if ((mp.suboptions & XMP_MPO_FAIL) && !f->fail_acks++)
			f->first_fail_ack = seg->ack;
		if (f->flipped && !mp.suboptions && !(seg->flags & XMP_TH_RST) && !srv_fell_back(f))
			f->bare_acks++;
		return MEMWIRE_PASS;
	}
	if (!seg->len)
		return MEMWIRE_PASS;
	if (seg->seq == f->drop_seq[0] || seg->seq == f->drop_seq[1] ||
	    seg->seq == f->drop_seq[2] || seg->seq == f->flip_seq)
		return MEMWIRE_PASS; /* a retransmission: it arrives intact */
	switch (++f->data_segs) {
	case 5:
		f->drop_seq[0] = seg->seq;
		return MEMWIRE_DROP;
	case 6:
		f->flip_seq = seg->seq;
		f->flipped = true;
		data[seg->len / 2] ^= 0x5a;
		return MEMWIRE_PASS;
	case 9:
	case 10:
		f->drop_seq[f->data_segs - 8] = seg->seq;
		return MEMWIRE_DROP;
	}
	return MEMWIRE_PASS;
}

static bool fail_done(void *arg)
{
	struct fail_net *f = arg;

	return ++f->n.steps > MAX_STEPS || (f->n.srv.napps && memhost_all_done(&f->n.srv));
}

/*
 * DSS checksums on one subflow: the server finds a bad checksum (an MP_FAIL
 * to send, 3.7) while a later hole has it sending SACK blocks. The SACK
 * blocks left MPTCP 16 option bytes, too few for the DSS and the MP_FAIL:
 * the server's ACKs went out with no MPTCP option at all, the MP_FAIL
 * never, and its DATA_ACK timer forced a pure ACK every 2 ms for ever
 * (the fuzzer's pkt_input-mp-fail-ack-storm).
 */
static void mp_fail_beside_sack(void)
{
	struct fail_net f;
	struct xc_cfg cfg;

	memset(&f, 0, sizeof(f));
	xc_cfg_default(&cfg);
	cfg.csum = true;
	net_one_link(&f.n, &cfg, 10000000);
	memwire_link_set_mbox(f.n.w, 0, fail_mbox, &f);
	memhost_listen(&f.n.srv, PORT, 0, false);
	CHECK_EQ(memhost_connect(&f.n.cli, PORT, 64 << 10, &f.n.ca), 0);
	memwire_run_until(f.n.w, fail_done, &f, 30 * T_SEC);
	CHECK(f.flipped && f.drop_seq[1]);
	CHECK(f.fail_acks > 0);
	/* the MP_FAIL left while segment 10 was still missing: the SACK
	 * blocks did not hold it back until the holes closed */
	CHECK((__s32)(f.first_fail_ack - f.drop_seq[2]) <= 0);
	CHECK_EQ(f.bare_acks, 0);
	CHECK(f.n.steps < MAX_STEPS);
	CHECK(f.n.srv.napps == 1 && f.n.srv.app[0].bad == 0);
	CHECK_EQ(f.n.srv.app[0].rcvd, 64 << 10);
	net_free(&f.n);
}

/* xc_conn_brief_json() (what `xmptcp conns -j` shows) holds @text. */
static bool brief_has(const struct xc_conn *c, const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool has;

	if (!f)
		return false;
	xc_conn_brief_json(c, f);
	fclose(f);
	has = buf && strstr(buf, text);
	free(buf);
	return has;
}

static bool cli_app_done(void *arg)
{
	struct net *n = arg;

	return ++n->steps > MAX_STEPS || xc_conn_done(n->ca->c);
}

/*
 * A reader behind a small buffer (the daemon's endpoint and its socket)
 * that empties 1 KB per flush: the whole download sits in the client's
 * msk when both DATA_FINs are done and the subflow closes. Each pump then
 * moves 64 rounds; its last flush makes room while the msk still holds
 * bytes, and that room was taken as "the app has everything": the
 * connection ended with the rest never read (curl --limit-rate through the
 * client proxy, 11 of 20 MB). Nor may the rest wait for an event the host
 * would never see: the next pump comes at once.
 */
static void slow_reader_after_close(void)
{
	struct net n;

	net_one_link(&n, NULL, 0);
	memhost_listen(&n.srv, PORT, 512 << 10, false);
	CHECK_EQ(memhost_connect(&n.cli, PORT, 0, &n.ca), 0);
	n.ca->buf_cap = 4096;
	n.ca->drain = 64;
	memwire_run_until(n.w, cli_app_done, &n, 60 * T_SEC);
	CHECK(n.steps < MAX_STEPS);
	CHECK(xc_conn_done(n.ca->c));
	CHECK_EQ(n.ca->rcvd, 512 << 10);
	CHECK_EQ(n.ca->bad, 0);
	CHECK(n.ca->eof_in);
	/* our DATA_FIN acked (one DSN past the data): nothing unacked, not
	 * 2^64 - 1 (xmptcp conns -j) */
	CHECK(brief_has(n.ca->c, "\"msk_unacked\":0,"));
	CHECK(brief_has(n.ca->c, "\"msk_unmapped\":0,"));
	net_free(&n);
}

int main(void)
{
	RUN(linger_slow_app);
	RUN(no_fallback_after_join_third_ack);
	RUN(no_fallback_after_join_synack_sent);
	RUN(mp_fail_beside_sack);
	RUN(slow_reader_after_close);
	return t_exit_code();
}

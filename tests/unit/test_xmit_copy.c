// SPDX-License-Identifier: GPL-2.0
/*
 * Data-level copies and the fallback to TCP (RFC 8684 3.7), driven through
 * the connection layer's host ops (user/conn/xc.h, the test host of
 * tests/lib/memhost.c): two stacks of ours on the in-memory wire, a client
 * sending 192 KB to a server, the real handshakes (MP_CAPABLE, MP_JOIN),
 * scheduler, data-level retransmission timer (xmit.c's xc_drtx_fire()),
 * reinjection and redundant-copy rules. The middlebox of the wire freezes
 * the server's DATA_ACK at the client's first DSN: every byte reaches the
 * server and is acked at the TCP level, but the data level stalls, the
 * state in which the data-level retransmission timer fires.
 *  - one subflow, fallback still possible: the subflow's byte stream must
 *    stay exactly the data stream, since a peer that falls back later
 *    takes it as such (Linux: the subflow byte at copied_seq is its
 *    ack_seq). Issue 12, item 4: a copy there reached a kernel server's
 *    application as new data after a mid-stream option stripper.
 *  - two subflows (an MP_JOIN established, ndiffports): no fallback is
 *    possible any more, the copy goes; the subflow that carries it refuses
 *    a later fallback (its stream is no longer the data stream).
 * The library's private header is read to look at what it decided.
 */
#include <errno.h>
#include <arpa/inet.h>

#include "lib/memhost.h"
#include "lib/test.h"
#include "conn/xc_int.h"

#define XC_LEN (192u << 10)

static struct memhost cli, srv;
static struct memwire *wire;
static struct memhost_app *capp; /* the client's end */
static struct xc_conn *conn;	 /* and its connection */

/* What the middlebox does and sees. */
static struct {
	bool freeze_dack; /* the server's DATA_ACK stays at the client's first DSN */
	bool drop_server; /* nothing of the server's gets through */
	bool isn_set;
	__u16 sport; /* the initial subflow's client port */
	__u32 isn;
	__u8 stream[2 * XC_LEN]; /* the initial subflow's bytes, by sequence */
	size_t stream_len;
} mb;

static void put_be(__u8 *p, __u64 v, unsigned int n)
{
	while (n--) {
		p[n] = (__u8)v;
		v >>= 8;
	}
}

/* The DATA_ACK of every DSS in @seg's options becomes @ack. */
static void dss_set_ack(struct xmp_seg *seg, __u64 ack)
{
	unsigned int i = 0, len;
	__u8 *o = seg->opts;

	while (i + 1 < seg->optlen && o[i] != 0) {
		if (o[i] == 1) {
			i++;
			continue;
		}
		len = o[i + 1];
		if (len < 2 || i + len > seg->optlen)
			return;
		if (o[i] == TCPOPT_MPTCP && len >= 8 && (o[i + 2] >> 4) == MPTCPOPT_DSS &&
		    (o[i + 3] & MPTCP_DSS_HAS_ACK))
			put_be(o + i + 4, ack, (o[i + 3] & MPTCP_DSS_ACK64) ? 8 : 4);
		i += len;
	}
}

/* The initial subflow's payload at its place in the subflow's stream. */
static void record(const struct xmp_seg *seg, const __u8 *data)
{
	size_t off;

	if (seg->flags & XMP_TH_SYN) {
		if (!mb.isn_set) {
			mb.isn_set = true;
			mb.isn = seg->seq;
			mb.sport = seg->sport;
		}
		return;
	}
	if (!seg->len || seg->sport != mb.sport)
		return;
	off = seg->seq - mb.isn - 1;
	CHECK(off + seg->len <= sizeof(mb.stream));
	if (off + seg->len > sizeof(mb.stream))
		return;
	memcpy(mb.stream + off, data, seg->len);
	if (off + seg->len > mb.stream_len)
		mb.stream_len = off + seg->len;
}

static int mbox(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	(void)arg;
	if (from == 0) {
		record(seg, data);
		return MEMWIRE_PASS;
	}
	if (mb.drop_server)
		return MEMWIRE_DROP;
	if (mb.freeze_dack && xc_conn_msk(conn))
		dss_set_ack(seg, xc_conn_msk(conn)->snd_isn);
	return MEMWIRE_PASS;
}

/* A client with @nsf subflows (ndiffports) and a server on one wire,
 * 2 ms each way; the client's XC_LEN bytes queued, no DATA_ACK coming. */
static void setup(unsigned int nsf)
{
	struct memwire_dir_cfg d = { .delay_us = 2 * T_MS };
	struct xc_cfg cc, sc;

	memset(&mb, 0, sizeof(mb));
	mb.freeze_dack = true;
	xc_cfg_default(&cc);
	cc.pm = nsf > 1 ? XC_PM_NDIFFPORTS : XC_PM_NONE;
	cc.ndiff = nsf;
	xc_cfg_default(&sc);
	sc.pm = XC_PM_NONE;
	CHECK_EQ(memwire_new(&wire, 7 + nsf, 0), 0);
	memwire_set_dir(wire, 0, &d);
	memwire_set_dir(wire, 1, &d);
	memwire_set_mbox(wire, mbox, NULL);
	CHECK_EQ(memhost_init(&cli, wire, 0, false, &cc, 11), 0);
	CHECK_EQ(memhost_init(&srv, wire, 1, false, &sc, 12), 0);
	memhost_listen(&srv, 80, 0, true);
	CHECK_EQ(memhost_connect(&cli, 80, XC_LEN, &capp), 0);
	capp->hold_eof = true; /* no DATA_FIN: the data level only stalls */
	conn = capp->c;
}

static void teardown(void)
{
	memhost_fini(&cli);
	memhost_fini(&srv);
	memwire_free(wire);
	conn = NULL;
}

static bool drtx_fired(void *arg)
{
	return ((struct xc_conn *)arg)->drtx_count >= 1;
}

static bool conn_done(void *arg)
{
	return xc_conn_done(arg);
}

/* Bytes of the initial subflow's stream that differ from the data stream. */
static size_t stream_mismatch(void)
{
	size_t i, n = 0;

	for (i = 0; i < XC_LEN; i++)
		n += mb.stream[i] != memhost_app_byte(capp, i);
	return n;
}

/* Everything sent and acked by TCP, no DATA_ACK: the data-level timer
 * fires (and nothing else happens for a while after it). */
static void stall_and_fire(unsigned int nsf)
{
	struct xmp_msk *msk;

	CHECK_EQ(memwire_run_until(wire, drtx_fired, conn, 10 * T_SEC), 0);
	msk = xc_conn_msk(conn);
	CHECK(msk != NULL);
	CHECK_EQ(msk->snd_nxt - msk->snd_una, (__u64)XC_LEN);
	CHECK_EQ(conn->nsf, nsf);
	CHECK_EQ(xc_conn_live(conn), nsf);
	memwire_run_until(wire, NULL, NULL, memwire_now(wire) + 100 * T_MS);
	CHECK_EQ(conn->drtx_count, 1);
	CHECK_EQ(srv.napps, 1);
	CHECK_EQ(srv.app[0].rcvd, XC_LEN); /* the server had it all, once */
	CHECK_EQ(srv.app[0].bad, 0);
}

/*
 * Issue 12 item 4: one subflow, the DATA_ACK stalls, the data-level timer
 * fires. What the server's TCP received must be the data stream byte for
 * byte: a copy in it becomes the peer's "next" data once it falls back.
 */
static void single_subflow_stream_is_data_stream(void)
{
	struct xc_sf *s;

	setup(1);
	stall_and_fire(1);
	s = xc_conn_first(conn);
	CHECK_EQ(conn->reinj_bytes, 0);
	CHECK_EQ(s->bytes_reinj, 0);
	CHECK_EQ(mb.stream_len, (size_t)XC_LEN);
	CHECK_EQ(stream_mismatch(), 0);
	/* a fallback is still possible on it, both ways */
	CHECK(!s->sf.tx_desync);
	CHECK_EQ(conn->copies_held, XC_LEN);
	CHECK_EQ(xc_conn_err(conn), 0);
	/* the peer's last segment came without any MPTCP option (it fell
	 * back, or they are stripped): the next expiry resets the connection
	 * instead of waiting for a DATA_ACK that cannot come */
	mb.drop_server = true;
	s->sf.no_dss_run = 1;
	CHECK_EQ(memwire_run_until(wire, conn_done, conn, memwire_now(wire) + 10 * T_SEC), 0);
	CHECK_EQ(xc_conn_err(conn), -ECONNRESET);
	CHECK_EQ(conn->reinj_bytes, 0);
	teardown();
}

/*
 * Two subflows (a join established): no fallback is possible, the copy
 * goes (the peer may have dropped data it acked at TCP level); whichever
 * subflow got it will not fall back: bytes without a mapping reset it.
 */
static void two_subflows_copy_then_no_fallback(void)
{
	struct xmp_sf_data_res res;
	unsigned int i, got = 0;
	__u8 b[1] = { 0 };

	setup(2);
	stall_and_fire(2);
	CHECK(conn->reinj_bytes > 0);
	for (i = 0; i < conn->nsf; i++) {
		struct xmp_sf *sf = &conn->sfs[i]->sf;

		if (!conn->sfs[i]->bytes_reinj)
			continue;
		got++;
		CHECK(sf->tx_desync);
		CHECK(!xmp_sf_may_copy(sf) == sf->single);
		CHECK_EQ(xmp_sf_data(sf, sf->rcv_ssn, b, 1, &res), -ECONNRESET);
	}
	CHECK(got >= 1);
	teardown();
}

/* Both subflows are up and data is still to go. */
static bool both_up(void *arg)
{
	struct xc_conn *c = arg;
	unsigned int i;

	if (c->nsf < 2 || !xc_conn_msk(c) || xc_conn_msk(c)->snd_una == xc_conn_msk(c)->write_seq)
		return false;
	for (i = 0; i < c->nsf; i++)
		if (!xc_sf_usable(c->sfs[i]))
			return false;
	return true;
}

static bool srv_has_all(void *arg)
{
	(void)arg;
	return srv.napps && srv.app[0].rcvd == XC_LEN;
}

/*
 * Issue 13 item 4: building the scheduler's view only reads. Each subflow's
 * window is set to hold its data back (as after a while without an ack on
 * it while the connection's window moved on), so any sharing of the window
 * would change the engine and may send; the view must do neither. The pump
 * does share it: that is where the windows grow, the control that the
 * state was one where sharing matters.
 */
static void view_sends_nothing(void)
{
	/* acks at 1 Mbit/s: the data takes a while (the join's SYN does not
	 * queue behind it) */
	struct memwire_dir_cfg slow = { .delay_us = 2 * T_MS, .rate_bps = 1000000 };
	static struct xmp_tcp_sock before[XC_SF_MAX];
	unsigned int i, grown = 0;
	bool moved = false;
	struct xmp_msk *msk;
	struct xc_view w;
	__u64 xmit;

	setup(2);
	mb.freeze_dack = false;
	memwire_set_dir(wire, 1, &slow);
	CHECK_EQ(memwire_run_until(wire, both_up, conn, 10 * T_SEC), 0);
	msk = xc_conn_msk(conn);
	for (i = 0; i < conn->nsf; i++) {
		struct xmp_tcp_sock *sk = conn->sfs[i]->sk;

		sk->snd_wnd = sk->snd_nxt - sk->snd_una;
		before[i] = *sk;
	}
	xmit = cli.stats.xmit;
	xc_xmit_view(conn, &w, msk->write_seq - msk->snd_nxt, 0);
	CHECK_EQ(w.v.nr, conn->nsf);
	xc_xmit_view(conn, &w, msk->write_seq - msk->snd_nxt, XMP_SCHED_REINJECT);
	CHECK_EQ(cli.stats.xmit, xmit);
	for (i = 0; i < conn->nsf; i++)
		CHECK(!memcmp(&before[i], conn->sfs[i]->sk, sizeof(before[i])));
	CHECK_EQ(xc_xmit_pump(conn, &moved), 0);
	for (i = 0; i < conn->nsf; i++)
		grown += conn->sfs[i]->sk->snd_wnd > before[i].snd_wnd;
	CHECK(grown >= 1);
	CHECK_EQ(memwire_run_until(wire, srv_has_all, NULL, memwire_now(wire) + 30 * T_SEC), 0);
	CHECK_EQ(srv.app[0].bad, 0);
	teardown();
}

int main(void)
{
	RUN(single_subflow_stream_is_data_stream);
	RUN(two_subflows_copy_then_no_fallback);
	RUN(view_sends_nothing);
	return t_exit_code();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Data-level copies and the fallback to TCP (RFC 8684 3.7), on the daemon's
 * own scheduling code: user/app/xmit.c is compiled into this test (the
 * data-level retransmission timer xd_drtx_fire(), reinjection
 * pump_reinject(), opportunistic reinjection, redundant copies) and drives
 * real subflow TCP engines on the in-memory wire. Its neighbours in the
 * daemon are replaced by what they do for it: xd_sf_send_map() records the
 * mapping on the MPTCP subflow and queues its bytes on the engine by
 * reference, the engine takes them from the connection's send buffer
 * (xmp_sf_snd_data(), as sflow.c), xd_sf_usable()/xd_sf_queued() read the
 * engine.
 *
 * The peer's TCP takes the subflow's bytes but no DATA_ACK ever comes (it
 * is not MPTCP): the data level stalls while TCP has everything acked, the
 * state in which the data-level retransmission timer fires.
 *  - one subflow, fallback still possible: the subflow's byte stream must
 *    stay exactly the data stream, since a peer that falls back later
 *    takes it as such (Linux: the subflow byte at copied_seq is its
 *    ack_seq). Issue 12, item 4: a copy there reached a kernel server's
 *    application as new data after a mid-stream option stripper.
 *  - two subflows (an MP_JOIN established): no fallback is possible any
 *    more, the copy goes; the subflow that carries it refuses a later
 *    fallback (its stream is no longer the data stream).
 * Issue 13.4: the scheduler's view reads the engines without sending, and
 * a stuck subflow does not hold the send buffer its engine sends from.
 */
#include "lib/test.h"
#include "unit/test_tcp_harness.h"
#include "app/xmit.c"

#define XC_LEN (192u << 10)

/* ---- what sflow.c and mpconn.c do for xmit.c ---- */

/* mpconn.c ends the connection with a RST; here the reason is kept. */
static int xc_abort_err;

void xd_conn_abort(struct xd_conn *c, int err)
{
	(void)c;
	xc_abort_err = err;
}

bool xd_sf_usable(const struct xd_sf *s)
{
	return !s->dead && s->sk && s->sk->state == XMP_TCP_ESTABLISHED;
}

bool xd_sf_backup(const struct xd_sf *s)
{
	(void)s;
	return false;
}

__u32 xd_sf_queued(const struct xd_sf *s)
{
	return s->sk ? s->sk->sndq.len : 0;
}

/* The engines send from the connection's send buffer, as sflow.c's do. */
__u64 xd_sf_snd_keep(const struct xd_sf *s, __u64 dsn)
{
	return xmp_sf_snd_keep(&s->sf, xmp_tcp_snd_ref_seq(s->sk) - s->sk->iss, dsn);
}

bool xd_sf_snd_adopt(struct xd_sf *s)
{
	return xmp_tcp_snd_adopt(s->sk) >= 0;
}

int xd_sf_send_map(struct xd_sf *s, const struct xmp_tx_map *m, bool reinj)
{
	struct xmp_tcp_sock *sk = s->sk;
	int err = xmp_sf_txmap_add(&s->sf, sk->snd_buf_seq + sk->sndq.len - sk->iss, m);

	if (err)
		return err;
	if (m->len && xmp_tcp_send_ref(sk, m->len, s->c->loop->now) != (long)m->len)
		return -EIO;
	s->bytes_sent += m->len;
	if (reinj)
		s->bytes_reinj += m->len;
	return 0;
}

/* ---- fixture ---- */

static struct xd_loop loop; /* large: static */

struct xc {
	struct xd_conn c;
	struct xd_sf s[2];
	struct tpair tp[2];
	struct xmp_sf peer; /* the peer's MP_CAPABLE side, for the keys */
	__u8 src[XC_LEN];
};

static struct xc xc;

static const __u8 *xc_snd_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len,
			       __u8 *scratch)
{
	unsigned int i;

	(void)ctx;
	for (i = 0; i < xc.c.nsf; i++)
		if (xc.s[i].sk == sk)
			return xmp_sf_snd_data(&xc.s[i].sf, seq - sk->iss, len, scratch);
	return NULL;
}

static struct xmp_tcp_ops xc_ops;

static bool all_acked(void *arg)
{
	struct xmp_tcp_sock *sk = arg;

	return !sk->sndq.len;
}

/* Pump, let the wires deliver and ack, until nothing moves. */
static void xc_run(struct xc *x)
{
	unsigned int i, k, guard;
	bool moved;

	for (guard = 0; guard < 1000; guard++) {
		moved = false;
		for (i = 0; i < x->c.nsf; i++)
			loop.now = memwire_now(x->tp[i].w) > loop.now ? memwire_now(x->tp[i].w)
								       : loop.now;
		CHECK_EQ(xd_xmit_pump(&x->c, &moved), 0);
		for (i = 0; i < x->c.nsf; i++) {
			struct xmp_tcp_sock *sk = x->s[i].sk;

			memwire_run_until(x->tp[i].w, all_acked, sk, memwire_now(x->tp[i].w) + T_SEC);
			for (k = 0; k < 2; k++)
				tpeer_pull(&x->tp[i].p[k]);
			xmp_sf_txmap_ack(&x->s[i].sf, sk->snd_una - sk->iss);
		}
		if (!moved)
			return;
	}
}

/* Client subflow engines on @nsf wires, the connection's keys exchanged,
 * XC_LEN bytes queued at the data level. */
static void xc_init(struct xc *x, unsigned int nsf)
{
	struct xmp_sf_cfg cc = {.local_key = 0x1111222233334444ULL,
				.msk = {.sndbuf = 1u << 20, .rcvbuf = 1u << 20}};
	struct xmp_sf_cfg sc = {.local_key = 0x5555666677778888ULL};
	struct xmp_tcp_cfg tc = {0};
	struct memwire_dir_cfg d = {.delay_us = 2 * T_MS};
	struct xmp_mp_opt o;
	unsigned int i;

	memset(x, 0, sizeof(*x));
	memset(&loop, 0, sizeof(loop));
	xc_ops = t_ops;
	xc_ops.snd_data = xc_snd_data;
	loop.reinject = true;
	x->c.loop = &loop;
	x->c.drtx_at = XMP_TCP_NO_TIMER;
	CHECK_EQ(xmp_sched_conn_init(&x->c.sched, NULL), 0);
	x->c.sched_ready = true;
	for (i = 0; i < nsf; i++) {
		struct tpeer *sink = &x->tp[i].p[1];

		CHECK_EQ(tpair_init(&x->tp[i], 7 + i, &tc, &tc, &xc_ops), 0);
		memwire_set_dir(x->tp[i].w, 0, &d);
		memwire_set_dir(x->tp[i].w, 1, &d);
		CHECK_EQ(tpair_connect(&x->tp[i]), 0);
		sink->rx_cap = 2 * XC_LEN;
		sink->rx = malloc(sink->rx_cap);
		x->s[i].c = &x->c;
		x->s[i].id = i;
		x->s[i].sk = x->tp[i].p[0].sk;
		x->c.sfs[x->c.nsf++] = &x->s[i];
	}
	CHECK_EQ(xmp_sf_init(&x->s[0].sf, XMP_SF_CLIENT, &cc), 0);
	CHECK_EQ(xmp_sf_init(&x->peer, XMP_SF_SERVER, &sc), 0);
	CHECK_EQ(xmp_sf_syn_opt(&x->s[0].sf, &o), 0);
	CHECK_EQ(xmp_sf_rcv_syn(&x->peer, &o), XMP_SF_MPTCP);
	CHECK_EQ(xmp_sf_synack_opt(&x->peer, &o), 0);
	CHECK_EQ(xmp_sf_rcv_synack(&x->s[0].sf, &o), XMP_SF_MPTCP);
	xmp_msk_init_wnd(x->s[0].sf.msk, 1u << 20);
	for (i = 1; i < nsf; i++) {
		/* 3.2: a join established: no subflow may fall back any more */
		CHECK_EQ(xmp_sf_init_joined(&x->s[i].sf, XMP_SF_CLIENT, x->s[0].sf.msk,
					    &x->s[0].sf), 0);
		xmp_sf_set_multi(&x->s[0].sf);
	}
	t_fill(x->src, XC_LEN, 3);
	CHECK_EQ(xmp_msk_send(x->s[0].sf.msk, x->src, XC_LEN), (long)XC_LEN);
}

static void xc_fini(struct xc *x)
{
	unsigned int i;

	for (i = 0; i < x->c.nsf; i++)
		tpair_fini(&x->tp[i]);
	xmp_sched_conn_release(&x->c.sched);
	xmp_msk_destroy(x->s[0].sf.msk);
}

/* Everything sent and acked by TCP, no DATA_ACK: the data-level timer fires. */
static void xc_stall_and_fire(struct xc *x)
{
	struct xmp_msk *msk = xd_conn_msk(&x->c);

	xc_run(x);
	CHECK_EQ(msk->snd_nxt - msk->snd_una, (__u64)XC_LEN);
	xd_drtx_arm(&x->c);
	CHECK(x->c.drtx_at != XMP_TCP_NO_TIMER);
	loop.now = x->c.drtx_at;
	xd_drtx_fire(&x->c);
	CHECK_EQ(x->c.drtx_count, 1);
	xc_run(x);
}

/*
 * Issue 12 item 4: one subflow, the DATA_ACK stalls, the data-level timer
 * fires. What the peer's TCP received must be the data stream byte for
 * byte: a copy in it becomes the peer's "next" data once it falls back.
 */
static void single_subflow_stream_is_data_stream(void)
{
	struct xc *x = &xc;
	struct tpeer *sink;

	xc_init(x, 1);
	xc_stall_and_fire(x);
	sink = &x->tp[0].p[1];
	CHECK_EQ(x->c.reinj_bytes, 0);
	CHECK_EQ(x->s[0].bytes_reinj, 0);
	CHECK_EQ(sink->rx_len, (size_t)XC_LEN);
	CHECK_MEM(sink->rx, x->src, XC_LEN);
	/* a fallback is still possible on it, both ways */
	CHECK(!x->s[0].sf.tx_desync);
	CHECK_EQ(x->c.copies_held, XC_LEN);
	CHECK_EQ(xc_abort_err, 0);
	/* the peer's last segment came without any MPTCP option (it fell
	 * back, or they are stripped): the next expiry resets the connection
	 * instead of waiting for a DATA_ACK that cannot come */
	x->s[0].sf.no_dss_run = 1;
	xd_drtx_fire(&x->c);
	CHECK_EQ(xc_abort_err, -ECONNRESET);
	CHECK_EQ(x->c.reinj_bytes, 0);
	xc_fini(x);
}

/*
 * Two subflows (a join established): no fallback is possible, the copy
 * goes (the peer may have dropped data it acked at TCP level); whichever
 * subflow got it will not fall back: bytes without a mapping reset it.
 */
static void two_subflows_copy_then_no_fallback(void)
{
	struct xc *x = &xc;
	struct xmp_sf_data_res res;
	unsigned int i, got = 0;
	__u8 b[1] = {0};

	xc_init(x, 2);
	xc_stall_and_fire(x);
	CHECK(x->c.reinj_bytes > 0);
	for (i = 0; i < 2; i++) {
		struct xmp_sf *sf = &x->s[i].sf;

		if (!x->s[i].bytes_reinj)
			continue;
		got++;
		CHECK(sf->tx_desync);
		CHECK(!xmp_sf_may_copy(sf) == sf->single);
		CHECK_EQ(xmp_sf_data(sf, sf->rcv_ssn, b, 1, &res), -ECONNRESET);
	}
	CHECK(got >= 1);
	xc_fini(x);
}

/*
 * Issue 13.4: the scheduler's view only reads the engines. A subflow whose
 * peer's window closed holds data back: building views (new data and
 * reinjection) sends nothing and leaves its window alone; the pump's send
 * step shares the connection's window with it (3.3.4) and the data leaves.
 */
static void view_sends_nothing(void)
{
	struct xc *x = &xc;
	struct xmp_tcp_sock *sk;
	struct xmp_tx_map m;
	struct xd_view w;
	bool moved = false;
	__u64 out;

	xc_init(x, 2);
	sk = x->s[1].sk;
	sk->snd_wnd = 0; /* as the peer's last segment on it said */
	CHECK_EQ(xmp_msk_next_map(xd_conn_msk(&x->c), 4000, &m), 1);
	CHECK_EQ(send_map(&x->c, &x->s[1], &m, false), 0);
	CHECK_EQ(sk->snd_max, sk->iss + 1); /* held back by the window */
	out = sk->mib[XMP_TCP_MIB_OUT_SEGS];
	view_build(&x->c, &w, XC_LEN, 0);
	CHECK_EQ(w.v.nr, 2);
	view_build(&x->c, &w, XC_LEN, XMP_SCHED_REINJECT);
	CHECK_EQ(w.v.nr, 2);
	CHECK_EQ(sk->mib[XMP_TCP_MIB_OUT_SEGS], out);
	CHECK_EQ(sk->snd_wnd, 0);
	CHECK_EQ(sk->snd_max, sk->iss + 1);
	/* the send step shares the window: the 4000 bytes leave */
	CHECK_EQ(xd_xmit_pump(&x->c, &moved), 0);
	CHECK(sk->snd_wnd >= 4000);
	CHECK(sk->mib[XMP_TCP_MIB_OUT_SEGS] > out);
	CHECK(sk->snd_max - sk->iss - 1 >= 4000);
	xc_fini(x);
}

/*
 * Issue 13.4: the subflows send from the connection's send buffer. A
 * subflow whose bytes the DATA_ACK passed while it cannot get them acked
 * itself (its path went black; a copy got through elsewhere) keeps them
 * there; once its retransmission timer fired it takes them into its own
 * ring (xd_xmit_keep()), the buffer is written over, and when its path
 * comes back its retransmissions still carry the right bytes.
 */
static void stuck_subflow_gives_back_the_buffer(void)
{
	static __u8 junk[1u << 20];
	struct xc *x = &xc;
	struct xmp_tcp_sock *sk0, *sk1;
	struct xmp_tx_map m0, m1;
	struct xmp_msk *msk;
	__u32 n = 100;

	xc_init(x, 2);
	msk = xd_conn_msk(&x->c);
	sk0 = x->s[0].sk;
	sk1 = x->s[1].sk;
	x->tp[0].drop_all[0] = true; /* subflow 0's path goes black */
	loop.now = memwire_now(x->tp[0].w);
	CHECK_EQ(xmp_msk_next_map(msk, 20000, &m0), 1);
	CHECK_EQ(send_map(&x->c, &x->s[0], &m0, false), 0);
	CHECK_EQ(xmp_msk_next_map(msk, 20000, &m1), 1);
	CHECK_EQ(send_map(&x->c, &x->s[1], &m1, false), 0);
	CHECK_EQ(memwire_run_until(x->tp[1].w, all_acked, sk1, memwire_now(x->tp[1].w) + T_SEC), 0);
	xmp_sf_txmap_ack(&x->s[1].sf, sk1->snd_una - sk1->iss);
	/* the peer has it all (subflow 0's bytes by another way) */
	CHECK_EQ(xmp_msk_rcv_data_ack(msk, m1.dsn + m1.len, 1u << 20), 40000);
	xd_xmit_keep(&x->c);
	CHECK_EQ(x->c.keep_adopted, 0);
	CHECK_EQ(xmp_msk_writable(msk), (1u << 20) - XC_LEN); /* kept from m0 on */
	/* its timer fires: it takes its bytes, the buffer is free again */
	memwire_run_until(x->tp[0].w, NULL, NULL, memwire_now(x->tp[0].w) + T_SEC);
	CHECK(sk0->retries > 0);
	xd_xmit_keep(&x->c);
	CHECK_EQ(x->c.keep_adopted, 1);
	CHECK_EQ(sk0->mib[XMP_TCP_MIB_SND_BUF_BYTES], 20000);
	CHECK_EQ(xmp_msk_writable(msk), (1u << 20) - (XC_LEN - 40000));
	/* ... and is written over */
	memset(junk, 0x5a, sizeof(junk));
	CHECK_EQ(xmp_msk_send(msk, junk, sizeof(junk)), (long)(1u << 20) - (XC_LEN - 40000));
	CHECK(!xmp_msk_snd_span(msk, m0.dsn, &n));
	/* the path comes back: subflow 0's retransmissions are its bytes */
	x->tp[0].drop_all[0] = false;
	CHECK_EQ(memwire_run_until(x->tp[0].w, all_acked, sk0, memwire_now(x->tp[0].w) + 10 * T_SEC),
		 0);
	CHECK_EQ(x->tp[0].p[1].rx_len, 20000);
	CHECK_MEM(x->tp[0].p[1].rx, x->src, 20000);
	CHECK_EQ(sk0->mib[XMP_TCP_MIB_SND_REF_MISSING], 0);
	CHECK_EQ(x->tp[1].p[1].rx_len, 20000);
	CHECK_MEM(x->tp[1].p[1].rx, x->src + 20000, 20000);
	xc_fini(x);
}

int main(void)
{
	RUN(view_sends_nothing);
	RUN(single_subflow_stream_is_data_stream);
	RUN(two_subflows_copy_then_no_fallback);
	RUN(stuck_subflow_gives_back_the_buffer);
	return t_exit_code();
}

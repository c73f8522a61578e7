/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The endpoint harness of the MPTCP unit tests that drive an initial
 * subflow without a TCP engine (test_mptcp_subflow.c,
 * test_hostile_mptcp.c): two initial subflows of user/mptcp/subflow.c,
 * client 0 and server 1, each with its connection level (conn.c), on a
 * lossless in-order in-test wire. Every option goes through the real codec
 * (xmp_sf_write_options() -> bytes -> xmp_mp_parse() with the receiver's
 * parse counters -> xmp_sf_rcv_options()). A middlebox per direction can
 * strip the MPTCP options or alter the payload of one data segment; each
 * end notes what its own options said, so a test asserts on what went on
 * the wire, not only on state. One harness, so that a fix to how segments
 * travel reaches every test that uses them.
 */
#ifndef XMP_TESTS_MPTCP_PAIR_H
#define XMP_TESTS_MPTCP_PAIR_H

#include <errno.h>
#include <stdlib.h>

#include "unit/mptcp_wire.h"

#define MP_PAIR_NQ   256
#define MP_PAIR_SINK (256 * 1024)
#define MP_PAIR_WND  65535
#define TH_SYN       0x02
#define TH_RST       0x04
#define TH_ACK       0x10

/* What one end's own options said. */
struct mp_tx_log {
	struct xmp_mp_opt last; /* options of the last segment sent */
	unsigned int mp_fail, infinite, dss_csum, mpc_data; /* segments carrying each */
	__u64 fail_dsn, inf_dsn; /* named by the first MP_FAIL / infinite mapping */
};

struct mp_end {
	struct xmp_sf sf;
	struct xmp_mp_parse_stats st; /* every area this end received */
	__u32 snd_nxt, rcv_nxt;	      /* relative: the first data byte is 1 */
	__u8 *sink;		      /* what the application read, in order */
	size_t got;
	bool reset; /* the subflow module refused a segment: nothing more in */
	int rc;	    /* that refusal's return */
	struct mp_tx_log tx;
	/* Set at the first checksum failure, with the bytes delivered then. */
	bool csum_failed;
	size_t got_at_fail;
};

struct mp_pair {
	struct mp_end e[2];
	struct mp_seg q[2][MP_PAIR_NQ];
	unsigned int nq[2];
	bool strip[2];	    /* strip the MPTCP options of segments from end i */
	int corrupt_nth[2]; /* alter the nth data segment from end i (1-based) */
	int data_segs[2];
};

/* The application of end @e read exactly @len bytes, and they are @src.
 * A macro, so that a failure names the test's line. */
#define CHECK_GOT(e, src, len)                                                   \
	do {                                                                     \
		CHECK_EQ((e)->got, (len));                                       \
		CHECK_MEM((e)->sink, (src), (len));                              \
	} while (0)

/* @c and @s configure the client and the server (NULL: random keys). */
static inline void mp_pair_init(struct mp_pair *h, const struct xmp_sf_cfg *c,
				const struct xmp_sf_cfg *s)
{
	int i;

	memset(h, 0, sizeof(*h));
	CHECK_EQ(xmp_sf_init(&h->e[0].sf, XMP_SF_CLIENT, c), 0);
	CHECK_EQ(xmp_sf_init(&h->e[1].sf, XMP_SF_SERVER, s), 0);
	for (i = 0; i < 2; i++) {
		h->e[i].snd_nxt = h->e[i].rcv_nxt = 1;
		h->e[i].sink = calloc(1, MP_PAIR_SINK);
	}
}

static inline void mp_pair_free(struct mp_pair *h)
{
	int i;

	for (i = 0; i < 2; i++) {
		free(h->e[i].sink);
		xmp_msk_destroy(h->e[i].sf.msk);
	}
}

/* Notes what an outgoing area says. An end names one DSN in all its
 * MP_FAILs and one in all its infinite mappings: a second one would be a
 * second failure on a connection that already fell back. */
static inline void mp_pair_log_tx(struct mp_tx_log *log, const struct mp_seg *p)
{
	struct xmp_mp_opt mp;

	xmp_mp_parse(p->opts, p->optlen, &mp, NULL);
	log->last = mp;
	if (mp.suboptions & XMP_MPO_FAIL) {
		if (log->mp_fail++)
			CHECK_EQ(mp.fail.data_seq, log->fail_dsn);
		else
			log->fail_dsn = mp.fail.data_seq;
	}
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.infinite) {
		if (log->infinite++)
			CHECK_EQ(mp.dss.data_seq, log->inf_dsn);
		else
			log->inf_dsn = mp.dss.data_seq;
	}
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_map && mp.dss.csum_present)
		log->dss_csum++;
	if ((mp.suboptions & XMP_MPO_MPC_ACK) && mp.mpc.variant == XMP_MPC_ACK_DATA)
		log->mpc_data++;
}

/* End @from sends a segment of @len bytes of @data with the options its
 * subflow writes; the middlebox of that direction acts on it. */
static inline void mp_pair_tx(struct mp_pair *h, int from, __u8 flags, const __u8 *data,
			      __u32 len)
{
	struct mp_end *e = &h->e[from];
	struct mp_seg *p;

	if (h->nq[from] == MP_PAIR_NQ) {
		CHECK(0); /* the test overran its queue */
		return;
	}
	p = &h->q[from][h->nq[from]++];
	mp_seg_write(p, &e->sf, flags, e->snd_nxt, e->rcv_nxt, data, len);
	mp_pair_log_tx(&e->tx, p);
	e->snd_nxt += len;
	if (len && ++h->data_segs[from] == h->corrupt_nth[from])
		p->data[len / 2] ^= 0x5a; /* after the sender summed it */
	if (h->strip[from])
		memset(p->opts, TCPOPT_NOP_, p->optlen); /* the area holds nothing else */
}

static inline void mp_pair_read(struct mp_end *e)
{
	long n;

	while (e->sf.msk && (n = xmp_msk_read(e->sf.msk, e->sink + e->got, MP_PAIR_SINK - e->got)) > 0)
		e->got += n;
}

static inline void mp_pair_refused(struct mp_end *e, int rc)
{
	e->reset = true;
	e->rc = rc;
}

/* The options of one segment arriving at end @to, through the decoder and
 * its counters. */
static inline int mp_pair_opts_in(struct mp_pair *h, int to, __u8 flags, __u32 seq, __u32 len,
				  const __u8 *opts, int optlen)
{
	struct mp_end *e = &h->e[to];
	struct xmp_mp_opt mp;
	int rc;

	if (e->reset)
		return -ECONNRESET;
	xmp_mp_parse(opts, optlen, &mp, &e->st);
	rc = xmp_sf_rcv_options(&e->sf, flags, seq, len, MP_PAIR_WND, &mp);
	if (rc < 0)
		mp_pair_refused(e, rc);
	return rc;
}

/* In-order payload at relative subflow sequence @ssn of end @to, then what
 * its application can read. */
static inline int mp_pair_data_in(struct mp_pair *h, int to, __u32 ssn, const __u8 *data,
				  __u32 len, struct xmp_sf_data_res *res)
{
	struct mp_end *e = &h->e[to];
	int rc;

	if (e->reset)
		return -ECONNRESET;
	rc = xmp_sf_data(&e->sf, ssn, data, len, res);
	if (rc < 0) {
		mp_pair_refused(e, rc);
		return rc;
	}
	if (res->csum_fail && !e->csum_failed) {
		e->csum_failed = true;
		e->got_at_fail = e->got;
	}
	mp_pair_read(e);
	return 0;
}

/* One segment arrives at end @to; a data segment is answered by an ACK. */
static inline void mp_pair_rx(struct mp_pair *h, int to, const struct mp_seg *p)
{
	struct mp_end *e = &h->e[to];
	struct xmp_sf *sf = &e->sf;
	struct xmp_sf_data_res res;

	if (mp_pair_opts_in(h, to, p->flags, p->seq, p->len, p->opts, p->optlen) < 0)
		return;
	/* Subflow-level ACK: forget acked mappings; in fallback it is also
	 * the data-level ack. */
	xmp_sf_txmap_ack(sf, p->ack);
	if (sf->state == XMP_SF_FALLBACK && sf->msk && sf->fb_tx_set)
		xmp_sf_fallback_ack(sf, p->ack);
	if (!p->len)
		return;
	CHECK_EQ(p->seq, e->rcv_nxt);
	if (sf->msk) {
		if (mp_pair_data_in(h, to, p->seq, p->data, p->len, &res) < 0)
			return;
		CHECK_EQ(res.consumed, p->len);
	} else if (e->got + p->len <= MP_PAIR_SINK) {
		memcpy(e->sink + e->got, p->data, p->len); /* plain TCP */
		e->got += p->len;
	}
	e->rcv_nxt += p->len;
	mp_pair_tx(h, to, TH_ACK, NULL, 0);
}

/* Deliver everything in flight, both ways, until quiet. */
static inline void mp_pair_pump(struct mp_pair *h)
{
	int guard = 0, from;

	while ((h->nq[0] || h->nq[1]) && guard++ < 1000) {
		for (from = 0; from < 2; from++) {
			static struct mp_seg batch[MP_PAIR_NQ];
			unsigned int i, n = h->nq[from];

			memcpy(batch, h->q[from], n * sizeof(batch[0]));
			h->nq[from] = 0;
			for (i = 0; i < n; i++)
				mp_pair_rx(h, !from, &batch[i]);
		}
	}
}

/* What the middlebox does to the MP_CAPABLE handshake. */
enum {
	MP_HS_STRIP_SYN = 1,	/* the SYN loses MP_CAPABLE */
	MP_HS_STRIP_SYNACK = 2, /* the SYN-ACK loses it */
	MP_HS_STRIP_ACK = 4,	/* the third ACK loses it */
	MP_HS_DROP_ACK = 8,	/* the third ACK is lost */
};

/* The MP_CAPABLE v1 handshake on the wire, under the middlebox's @hs: the
 * SYN and SYN-ACK options as the encoders write them, the same bytes again
 * on a retransmission, then the third ACK, then the wire runs. */
static inline void mp_pair_handshake(struct mp_pair *h, int hs)
{
	struct xmp_mp_opt out, in;
	__u8 buf[40], again[40];
	int len;

	CHECK_EQ(xmp_sf_syn_opt(&h->e[0].sf, &out), 0);
	len = xmp_mp_write(buf, sizeof(buf), &out);
	CHECK_EQ(len, 4);
	CHECK_EQ(buf[2], 0x01); /* subtype 0, version 1 */
	CHECK_EQ(xmp_sf_write_options(&h->e[0].sf, TH_SYN, 0, 0, again, sizeof(again)), 4);
	CHECK_MEM(again, buf, 4);
	xmp_mp_parse(buf, (hs & MP_HS_STRIP_SYN) ? 0 : len, &in, &h->e[1].st);
	if (xmp_sf_rcv_syn(&h->e[1].sf, &in) == XMP_SF_MPTCP) {
		CHECK_EQ(xmp_sf_synack_opt(&h->e[1].sf, &out), 0);
		len = xmp_mp_write(buf, sizeof(buf), &out);
		CHECK_EQ(len, 12);
		CHECK_EQ(xmp_sf_write_options(&h->e[1].sf, TH_SYN | TH_ACK, 0, 0, again, 12),
			 12);
		CHECK_MEM(again, buf, 12);
	} else {
		len = 0; /* a plain SYN-ACK */
	}
	xmp_mp_parse(buf, (hs & MP_HS_STRIP_SYNACK) ? 0 : len, &in, &h->e[0].st);
	CHECK(xmp_sf_rcv_synack(&h->e[0].sf, &in) >= 0);
	h->strip[0] = hs & MP_HS_STRIP_ACK;
	mp_pair_tx(h, 0, TH_ACK, NULL, 0);
	h->strip[0] = false;
	if (hs & MP_HS_DROP_ACK)
		h->nq[0] = 0;
	mp_pair_pump(h);
}

/* init, then the handshake under @hs. */
static inline void mp_pair_connect(struct mp_pair *h, const struct xmp_sf_cfg *c,
				   const struct xmp_sf_cfg *s, int hs)
{
	mp_pair_init(h, c, s);
	mp_pair_handshake(h, hs);
}

/*
 * The application of end @from writes @len bytes of @src: with MPTCP one
 * mapping of up to MP_SEG_MSS per segment, the wire run after every @burst
 * segments, until every byte went out and the wire is quiet both ways, the
 * end was reset or a bound of turns passed; on plain TCP a segment at a
 * time.
 */
static inline void mp_pair_write(struct mp_pair *h, int from, const __u8 *src, size_t len,
				 int burst)
{
	struct mp_end *e = &h->e[from];
	size_t queued = 0;
	int turns = 0, n = 0;

	if (!e->sf.msk) {
		for (; queued < len; queued += MP_SEG_MSS) {
			__u32 l = len - queued < MP_SEG_MSS ? (__u32)(len - queued) : MP_SEG_MSS;

			mp_pair_tx(h, from, TH_ACK, src + queued, l);
			mp_pair_pump(h);
		}
		return;
	}
	while (e->sf.msk && turns++ < 20000 && !e->reset) {
		__u8 buf[MP_SEG_MSS];
		__u32 l;
		long w;

		if (queued < len) {
			w = xmp_msk_send(e->sf.msk, src + queued, len - queued);
			queued += w > 0 ? w : 0;
		}
		if (!mp_next_mapping(e->sf.msk, &e->sf, e->snd_nxt, buf, &l)) {
			if (!h->nq[0] && !h->nq[1] && queued == len)
				break;
			mp_pair_pump(h);
			continue;
		}
		mp_pair_tx(h, from, TH_ACK, buf, l);
		if (++n % burst == 0)
			mp_pair_pump(h);
	}
	mp_pair_pump(h);
}

#endif

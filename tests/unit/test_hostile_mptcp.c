// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile-input matrix, MPTCP part (the subflow TCP part is
 * test_hostile_tcp.c). Two initial subflows (client 0, server 1) of
 * user/mptcp/subflow.c with their connection levels (conn.c) exchange
 * segments on the lossless in-order in-test wire of unit/mptcp_pair.h;
 * every option goes through the real codec (xmp_sf_write_options()/
 * xmp_mp_write() -> bytes -> xmp_mp_parse() with parse counters ->
 * xmp_sf_rcv_options()), so forged options are built exactly as a hostile
 * peer would put them on the wire.
 * Each test asserts the reaction and the counter that records it:
 *  - DSS mappings overlapping an earlier one, consistently or not (3.3.1),
 *    also with checksums, where an overlap would skip verification;
 *  - DATA_ACKs for unsent data, going backwards, at the 64-bit and 32-bit
 *    expansion edges (3.3.2);
 *  - DSS checksum failure on the single subflow: MP_FAIL, infinite mapping,
 *    fallback, bytes of the bad mapping never delivered (3.7);
 *  - malformed option areas: rejected by the decoder, counted in
 *    struct xmp_mp_parse_stats, no effect on the connection;
 *  - an ADD_ADDR flood (no path-manager state exists yet: bounded parse);
 *  - DATA_FIN oddities and MP_FASTCLOSE with wrong and right keys (3.3.3,
 *    3.5);
 *  - copies on the only subflow (ours or the peer's) and a fallback after
 *    them: reset, never a wrong byte (3.7).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/test.h"
#include "mptcp/crypto.h"
#include "unit/mptcp_pair.h"

#define KC     0x0c11e47c11e47c11ULL /* client key */
#define KS     0x5e17e45e17e45e17ULL /* server key */
#define MSS    MP_SEG_MSS

static void fill(__u8 *p, size_t n, __u32 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (__u8)(i * 13 + seed + (i >> 7) * 3);
}

/* MP_CAPABLE v1 both ways, then the server's first DSS: both established
 * (neither fell back in the handshake). */
static void open_pair(struct mp_pair *h, bool csum_c, bool csum_s)
{
	struct xmp_sf_cfg c = {.local_key = KC, .csum_req = csum_c};
	struct xmp_sf_cfg s = {.local_key = KS, .csum_req = csum_s};

	mp_pair_connect(h, &c, &s, 0);
	mp_pair_tx(h, 1, TH_ACK, NULL, 0); /* first DSS */
	mp_pair_pump(h);
	CHECK_EQ(h->e[0].sf.state, XMP_SF_ESTABLISHED);
	CHECK_EQ(h->e[1].sf.state, XMP_SF_ESTABLISHED);
	CHECK(h->e[0].sf.msk && h->e[1].sf.msk);
}

/* A forged option set, encoded as the wire would carry it. */
static int forged_in(struct mp_pair *h, int to, __u8 flags, __u32 seq, __u32 len,
		     const struct xmp_mp_opt *o)
{
	__u8 buf[40];
	int n = xmp_mp_write(buf, sizeof(buf), o);

	CHECK(n > 0);
	return mp_pair_opts_in(h, to, flags, seq, len, buf, n > 0 ? n : 0);
}

/* DSS with a 64-bit mapping (and checksum when csum), no DATA_ACK. */
static struct xmp_mp_opt dss_map(__u64 dsn, __u32 ssn, __u16 data_len, bool fin, bool csum,
				 __u16 sum)
{
	struct xmp_mp_opt o;

	memset(&o, 0, sizeof(o));
	o.suboptions = XMP_MPO_DSS;
	o.dss.use_map = 1;
	o.dss.dsn64 = 1;
	o.dss.data_seq = dsn;
	o.dss.subflow_seq = ssn;
	o.dss.data_len = data_len;
	o.dss.data_fin = fin;
	o.dss.csum_present = csum;
	o.dss.csum = sum;
	return o;
}

/* DSS with only a DATA_ACK, 64- or 32-bit on the wire. */
static struct xmp_mp_opt dss_ack(__u64 ack, bool ack64)
{
	struct xmp_mp_opt o;

	memset(&o, 0, sizeof(o));
	o.suboptions = XMP_MPO_DSS;
	o.dss.use_ack = 1;
	o.dss.ack64 = ack64;
	o.dss.data_ack = ack64 ? ack : (__u32)ack;
	return o;
}

/* The RST this end would send now: MP_TCPRST with its reason. */
static __u8 rst_reason_on_wire(struct mp_pair *h, int end)
{
	struct xmp_mp_opt mp;
	__u8 buf[40];
	int n = xmp_sf_write_options(&h->e[end].sf, TH_RST, 0, 0, buf, sizeof(buf));

	CHECK(n > 0);
	xmp_mp_parse(buf, n > 0 ? n : 0, &mp, NULL);
	CHECK(mp.suboptions & XMP_MPO_TCPRST);
	return mp.rst.reason;
}

/* ---- 1. overlapping mappings (RFC 8684 3.3.1) -------------------------- */

/* Overlaps that keep the DSN <-> subflow relation are accepted; a mapping
 * inside a known one is a duplicate; bytes that arrive twice (a data-level
 * reinjection under a new mapping) are delivered once and counted. */
static void map_overlap_consistent(void)
{
	static __u8 src[1500];
	struct xmp_sf_data_res res;
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;
	__u64 d;

	fill(src, sizeof(src), 1);
	open_pair(&h, false, false);
	msk = h.e[1].sf.msk;
	d = msk->ack_seq;
	/* A: DSN d <-> ssn 1, 1000 bytes; its first 500 bytes arrive. */
	o = dss_map(d, 1, 1000, false, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 500, &o), 0);
	CHECK_EQ(mp_pair_data_in(&h, 1, 1, src, 500, &res), 0);
	CHECK_EQ(res.consumed, 500);
	/* Inside A: a duplicate. */
	o = dss_map(d + 600, 601, 200, false, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 501, 0, &o), 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_MAP_DUP], 1);
	/* B: overlaps A's second half, extends it, same relation. */
	o = dss_map(d + 500, 501, 1000, false, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 501, 1000, &o), 0);
	CHECK_EQ(mp_pair_data_in(&h, 1, 501, src + 500, 1000, &res), 0);
	CHECK_EQ(res.consumed, 1000);
	/* B again, identical (a subflow retransmission's option). */
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 501, 1000, &o), 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_MAP_DUP], 2);
	/* E: DSN d..d+500 again at ssn 1501 (reinjected): taken, not
	 * delivered a second time. */
	o = dss_map(d, 1501, 500, false, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1501, 500, &o), 0);
	CHECK_EQ(mp_pair_data_in(&h, 1, 1501, src, 500, &res), 0);
	CHECK_EQ(res.consumed, 500);
	CHECK_GOT(&h.e[1], src, 1500);
	CHECK_EQ(msk->ack_seq, d + 1500);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_MAP_IN], 3);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_MAP_INVALID], 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_IN], 1500);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DUP_DATA], 500);
	CHECK(!h.e[1].reset);
	CHECK_EQ(h.e[1].sf.state, XMP_SF_ESTABLISHED);
	mp_pair_free(&h);
}

/* An overlap that moves the relation is a protocol error: the subflow is
 * reset with MP_TCPRST "MPTCP-specific error", nothing of it delivered. */
static void map_overlap_contradicting(void)
{
	static __u8 src[1000];
	struct xmp_sf_data_res res;
	struct xmp_mp_opt o;
	struct mp_pair h;
	__u64 d;

	fill(src, sizeof(src), 2);
	open_pair(&h, false, false);
	d = h.e[1].sf.msk->ack_seq;
	o = dss_map(d, 1, 1000, false, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 500, &o), 0);
	CHECK_EQ(mp_pair_data_in(&h, 1, 1, src, 500, &res), 0);
	/* ssn 501.. would be DSN d + 700..: 200 bytes off. */
	o = dss_map(d + 700, 501, 1000, false, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 501, 500, &o), -ECONNRESET);
	CHECK_EQ(h.e[1].sf.msk->mib[XMP_MSK_MIB_MAP_INVALID], 1);
	CHECK_EQ(h.e[1].sf.mib[XMP_SF_MIB_MAP_RESET], 1);
	CHECK_EQ(h.e[1].sf.rst_reason, MPTCP_RST_EMPTCP);
	CHECK_EQ(rst_reason_on_wire(&h, 1), MPTCP_RST_EMPTCP);
	CHECK_EQ(h.e[1].got, 500);
	CHECK_EQ(h.e[1].sf.msk->ack_seq, d + 500);
	mp_pair_free(&h);
}

/* The server's next segment: does it carry MP_FAIL, and at which DSN. */
static bool mp_fail_on_wire(struct mp_pair *h, int end, __u64 *dsn)
{
	struct xmp_mp_opt mp;

	CHECK(xmp_sf_build_options(&h->e[end].sf, TH_ACK, h->e[end].snd_nxt, 0, &mp) > 0);
	*dsn = mp.fail.data_seq;
	return mp.suboptions & XMP_MPO_FAIL;
}

/*
 * With checksums a byte is delivered only once a mapping holding it was
 * checked whole (3.3.1). A mapping B overlapping the tail of A (same
 * relation) is checked together with A; when the payload was altered
 * after the sender summed it, the run fails: nothing of it is delivered,
 * MP_FAIL names the run's first DSN. When B arrives after A was consumed
 * it straddles the consumed point and can never be checked whole: its
 * tail is not delivered unchecked but handled as a checksum failure from
 * the first byte not delivered (counted apart).
 */
static void map_overlap_csum_cannot_skip_check(void)
{
	static __u8 src[2000], bad[2000];
	struct xmp_sf_data_res res;
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;
	__u64 d, fail;
	int pass;

	fill(src, sizeof(src), 3);
	memcpy(bad, src, sizeof(bad));
	bad[1200] ^= 0xff; /* in B's tail, outside A */
	for (pass = 0; pass < 2; pass++) {
		open_pair(&h, true, true);
		msk = h.e[1].sf.msk;
		d = msk->ack_seq;
		/* A: ssn 1..1001, B: ssn 501..1501, both summed over src. */
		o = dss_map(d, 1, 1000, false, true, xmp_dss_csum_buf(d, 1, 1000, src, 1000));
		CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 1000, &o), 0);
		if (pass) {
			CHECK_EQ(mp_pair_data_in(&h, 1, 1, src, 1000, &res), 0);
			CHECK_EQ(res.consumed, 1000);
			CHECK_EQ(h.e[1].got, 1000);
		}
		o = dss_map(d + 500, 501, 1000, false, true,
			    xmp_dss_csum_buf(d + 500, 501, 1000, src + 500, 1000));
		CHECK_EQ(forged_in(&h, 1, TH_ACK, 501, 1000, &o), 0); /* consistent */
		CHECK_EQ(msk->mib[XMP_MSK_MIB_MAP_INVALID], 0);
		if (!pass) {
			/* A alone is not enough: B is checked with it. */
			CHECK_EQ(mp_pair_data_in(&h, 1, 1, bad, 1000, &res), 0);
			CHECK_EQ(res.consumed, 0);
			CHECK_EQ(res.want, 1500);
			CHECK_EQ(mp_pair_data_in(&h, 1, 1, bad, 1500, &res), 0);
			CHECK_EQ(msk->mib[XMP_MSK_MIB_CSUM_ERR], 1);
			CHECK_EQ(h.e[1].got, 0);
		} else {
			CHECK_EQ(mp_pair_data_in(&h, 1, 1001, bad + 1000, 500, &res), 0);
			CHECK_EQ(msk->mib[XMP_MSK_MIB_CSUM_UNCHECKABLE], 1);
			CHECK_EQ(msk->mib[XMP_MSK_MIB_CSUM_ERR], 0);
			CHECK_EQ(h.e[1].got, 1000);
		}
		CHECK(res.csum_fail);
		CHECK_EQ(res.consumed, pass ? 500 : 1500);
		CHECK_EQ(h.e[1].sf.mib[XMP_SF_MIB_CSUM_FAIL], 1);
		CHECK(mp_fail_on_wire(&h, 1, &fail));
		CHECK_EQ(fail, pass ? d + 1000 : d);
		CHECK(!h.e[1].reset); /* single subflow: MP_FAIL, then fallback */
		CHECK_MEM(h.e[1].sink, src, h.e[1].got);
		CHECK_EQ(msk->ack_seq, d + h.e[1].got);
		if (t_cur_failed)
			printf("#   pass %d\n", pass);
		mp_pair_free(&h);
	}
}

/*
 * The legitimate overlap: segments of 700 bytes each with its own mapping
 * (as xmptcpd cuts them), the first lost, its retransmission re-cut to a
 * full 1448-byte segment and mapping that ends inside the third mapping.
 * The run (retransmission + the mappings it overlaps) is checked whole:
 * everything is delivered, verified, byte-exact, no failure.
 */
static void map_overlap_csum_recut_retransmission(void)
{
	static __u8 src[2100];
	struct xmp_sf_data_res res;
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;
	__u64 d;
	__u32 k;

	fill(src, sizeof(src), 11);
	open_pair(&h, true, false);
	msk = h.e[1].sf.msk;
	d = msk->ack_seq;
	for (k = 1; k < 3; k++) { /* segments 2 and 3 arrive, 1 is lost */
		o = dss_map(d + 700 * k, 1 + 700 * k, 700, false, true,
			    xmp_dss_csum_buf(d + 700 * k, 1 + 700 * k, 700, src + 700 * k, 700));
		CHECK_EQ(forged_in(&h, 1, TH_ACK, 1 + 700 * k, 700, &o), 0);
	}
	o = dss_map(d, 1, 1448, false, true, xmp_dss_csum_buf(d, 1, 1448, src, 1448));
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 1448, &o), 0);
	/* The engine holds 1..1449 only at first, then everything. */
	CHECK_EQ(mp_pair_data_in(&h, 1, 1, src, 1448, &res), 0);
	CHECK_EQ(res.consumed, 0);
	CHECK_EQ(res.want, 2100);
	CHECK_EQ(mp_pair_data_in(&h, 1, 1, src, 2100, &res), 0);
	CHECK_EQ(res.consumed, 2100);
	CHECK(!res.csum_fail);
	CHECK_GOT(&h.e[1], src, 2100);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_CSUM_ERR], 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_CSUM_UNCHECKABLE], 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_IN], 2100);
	CHECK_EQ(h.e[1].sf.rx.n, 0);
	mp_pair_free(&h);
}

/* ---- 2. DATA_ACK (RFC 8684 3.3.2) -------------------------------------- */

/* Forged DATA_ACKs at the client, which has 3000 bytes mapped and sent
 * (never delivered): for data never sent, backwards, half the 64-bit space
 * away: ignored, counted, no buffer freed, window untouched. */
static void data_ack_hostile(void)
{
	static __u8 src[4000], out[1];
	struct xmp_msk *msk;
	struct xmp_mp_opt o;
	struct xmp_tx_map m;
	struct mp_pair h;
	__u64 d, wnd_end;
	__u32 writable;
	int i;

	fill(src, sizeof(src), 4);
	open_pair(&h, false, false);
	msk = h.e[0].sf.msk;
	d = msk->snd_una;
	CHECK_EQ(xmp_msk_send(msk, src, sizeof(src)), (long)sizeof(src));
	for (i = 0; i < 3; i++) {
		CHECK_EQ(xmp_msk_next_map(msk, 1000, &m), 1);
		CHECK_EQ(xmp_sf_txmap_add(&h.e[0].sf, 1 + 1000 * i, &m), 0);
	}
	CHECK_EQ(msk->snd_nxt, d + 3000);
	writable = xmp_msk_writable(msk);
	wnd_end = msk->snd_wnd_end;
	/* Beyond SND.NXT (queued but unmapped bytes count as unsent). */
	o = dss_ack(d + 3001, true);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	o = dss_ack(d + 4000, true);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_INVALID], 2);
	CHECK_EQ(msk->snd_una, d);
	CHECK_EQ(xmp_msk_writable(msk), writable);
	CHECK_EQ(xmp_msk_copy(msk, d, out, 1), 0); /* still buffered */
	CHECK(!msk->data_ack_seen);
	/* 2^63 ahead: as far in the future as in the past; ignored. */
	o = dss_ack(d + (1ULL << 63), true);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	CHECK_EQ(msk->snd_una, d);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_INVALID], 3);
	/* A real one: 1000 acked, 1000 bytes freed. */
	o = dss_ack(d + 1000, true);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	CHECK_EQ(msk->snd_una, d + 1000);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_IN], 1);
	CHECK_EQ(xmp_msk_writable(msk), writable + 1000);
	writable = xmp_msk_writable(msk);
	wnd_end = msk->snd_wnd_end;
	/* Backwards, and far in the 64-bit past: ignored, window not moved
	 * (this one's window would have pushed the edge). */
	o = dss_ack(d + 500, true);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	o = dss_ack(d + 1000 - (1ULL << 62), true);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_OLD], 2);
	CHECK_EQ(msk->snd_una, d + 1000);
	CHECK_EQ(msk->snd_wnd_end, wnd_end);
	CHECK_EQ(xmp_msk_writable(msk), writable);
	CHECK_EQ(xmp_msk_copy(msk, d + 1000, out, 1), 0);
	/* 32-bit DATA_ACKs expand around SND.UNA: half the 32-bit space back
	 * is old, just ahead acks, past SND.NXT is unsent. */
	o = dss_ack(d + 1000 - 0x80000000ULL, false);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_OLD], 3);
	o = dss_ack(d + 1000 + 0x7fffffffULL, false);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_INVALID], 4);
	o = dss_ack(d + 2000, false);
	CHECK_EQ(forged_in(&h, 0, TH_ACK, 1, 0, &o), 0);
	CHECK_EQ(msk->snd_una, d + 2000);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_IN], 2);
	CHECK(!h.e[0].reset);
	mp_pair_free(&h);
}

/* 32-bit DATA_ACK when the DSN crosses a 2^32 boundary (and 2^64). */
static void data_ack_32bit_wrap(void)
{
	const __u64 isns[] = {0x00000001ffffff00ULL, UINT64_MAX - 300};
	struct xmp_msk *msk;
	struct xmp_tx_map m;
	struct xmp_dss dss = {.use_ack = 1};
	__u8 d[1000] = {0};
	unsigned int i;

	for (i = 0; i < sizeof(isns) / sizeof(isns[0]); i++) {
		__u64 isn = isns[i];

		CHECK_EQ(xmp_msk_create_seq(&msk, NULL, isn, 1, false), 0);
		CHECK_EQ(xmp_msk_send(msk, d, sizeof(d)), (long)sizeof(d));
		CHECK_EQ(xmp_msk_next_map(msk, 1000, &m), 1);
		/* Low 32 bits wrapped: still 800 forward. */
		dss.data_ack = (__u32)(isn + 800);
		CHECK_EQ(xmp_msk_rcv_data_ack(msk, xmp_msk_expand_ack(msk, &dss), 5000), 800);
		CHECK_EQ(msk->snd_una, isn + 800);
		/* The same low bits one 2^32 turn earlier: "old", not a jump. */
		dss.data_ack = (__u32)(isn + 700);
		CHECK_EQ(xmp_msk_expand_ack(msk, &dss), isn + 700);
		CHECK_EQ(xmp_msk_rcv_data_ack(msk, xmp_msk_expand_ack(msk, &dss), 5000), 0);
		CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_ACK_OLD], 1);
		CHECK_EQ(msk->snd_una, isn + 800);
		xmp_msk_destroy(msk);
	}
}

/* ---- 3. DSS checksum failure on the single subflow (RFC 8684 3.7) ------ */

static void csum_fail_single_subflow(void)
{
	static __u8 src[8000];
	struct mp_end *c, *s;
	__u64 bad_dsn;
	struct mp_pair h;

	fill(src, sizeof(src), 5);
	open_pair(&h, true, false);
	c = &h.e[0];
	s = &h.e[1];
	bad_dsn = c->sf.msk->snd_nxt + 2 * MSS;
	h.corrupt_nth[0] = 3; /* the third mapping's payload is altered */
	mp_pair_write(&h, 0, src, sizeof(src), 1);
	/* The receiver detected it, dropped the mapping whole ... */
	CHECK(s->csum_failed);
	CHECK_EQ(s->got_at_fail, 2 * MSS);
	CHECK_EQ(s->sf.msk->mib[XMP_MSK_MIB_CSUM_ERR], 1);
	CHECK_EQ(s->sf.mib[XMP_SF_MIB_CSUM_FAIL], 1);
	/* ... answered with MP_FAIL naming its DSN ... */
	CHECK(s->tx.mp_fail > 0);
	CHECK_EQ(s->tx.fail_dsn, bad_dsn);
	CHECK(s->sf.mib[XMP_SF_MIB_MP_FAIL_TX] > 0);
	CHECK_EQ(c->sf.msk->mib[XMP_MSK_MIB_MP_FAIL_IN], 1);
	/* ... the sender fell back with an infinite mapping at that DSN, the
	 * receiver followed: plain TCP, no reset. */
	CHECK(c->tx.infinite > 0);
	CHECK_EQ(c->tx.inf_dsn, bad_dsn);
	CHECK_EQ(s->sf.mib[XMP_SF_MIB_INFINITE_RX] > 0, 1);
	CHECK_EQ(c->sf.state, XMP_SF_FALLBACK);
	CHECK_EQ(s->sf.state, XMP_SF_FALLBACK);
	CHECK(c->sf.msk->fallback && s->sf.msk->fallback);
	CHECK_EQ(c->sf.msk->mib[XMP_MSK_MIB_FALLBACK], 1);
	CHECK_EQ(s->sf.msk->mib[XMP_MSK_MIB_FALLBACK], 1);
	CHECK(!c->reset && !s->reset);
	CHECK(!s->sf.send_mp_fail);
	/* The altered bytes never reached the application; the rest of the
	 * stream, resent after the fallback, is byte-exact. */
	CHECK_GOT(s, src, sizeof(src));
	CHECK_EQ(s->sf.msk->mib[XMP_MSK_MIB_DATA_IN], sizeof(src));
	CHECK_EQ(c->sf.msk->snd_una, c->sf.local_idsn + 1 + sizeof(src));
	/* Later data, both ways, still byte-exact in fallback. */
	fill(src, sizeof(src), 55);
	mp_pair_write(&h, 1, src, 3000, 2);
	CHECK_GOT(c, src, 3000);
	mp_pair_free(&h);
}

/* ---- 4. malformed option areas ----------------------------------------- */

#define MP  TCPOPT_MPTCP
#define NOP TCPOPT_NOP_

static const struct mp_bad_area areas[] = {
    {"length runs past the 40-byte option area",
     {NOP, NOP, NOP, NOP, MP, 40, 0x20, 0x01},
     40,
     XMP_MPD_TCPOPT_LEN},
    {"length byte 255", {MP, 255, 0x20, 0x01, 0, 0, 0, 1}, 8, XMP_MPD_TCPOPT_LEN},
    {"kind 30 is the last byte", {NOP, NOP, NOP, NOP, NOP, NOP, NOP, MP}, 8, XMP_MPD_TCPOPT_TRUNC},
    {"MPTCP option without a subtype byte", {MP, 2, NOP, NOP}, 4, XMP_MPD_SHORT},
    {"DSS A+a+M+m in 8 bytes", {MP, 8, 0x20, 0x0f, 0, 0, 0, 1}, 8, XMP_MPD_DSS_LEN},
    {"DSS M promises 14, says 8", {MP, 8, 0x20, 0x04, 0, 0, 0, 1}, 8, XMP_MPD_DSS_LEN},
    {"DSS m+M promises 18, says 16", {MP, 16, 0x20, 0x0c}, 16, XMP_MPD_DSS_LEN},
    {"DSS A says 28", {MP, 28, 0x20, 0x01}, 28, XMP_MPD_DSS_LEN},
    {"DSS 40 bytes, no flags", {MP, 40, 0x20, 0x00}, 40, XMP_MPD_DSS_LEN},
    {"subtype 9", {MP, 12, 0x90, 0}, 12, XMP_MPD_BAD_SUBTYPE},
    {"subtype 14", {MP, 4, 0xe0, 0}, 4, XMP_MPD_BAD_SUBTYPE},
    {"MP_CAPABLE 21 bytes", {MP, 21, 0x01, 0x01}, 24, XMP_MPD_MPC_LEN},
    {"MP_FAIL 11 bytes", {MP, 11, 0x60}, 12, XMP_MPD_FAIL_LEN},
    {"MP_FASTCLOSE 16 bytes", {MP, 16, 0x70}, 16, XMP_MPD_FASTCLOSE_LEN},
    {"ADD_ADDR 15 bytes", {MP, 15, 0x30, 1}, 16, XMP_MPD_ADD_ADDR_LEN},
    {"MP_TCPRST 12 bytes", {MP, 12, 0x80}, 12, XMP_MPD_TCPRST_LEN},
};

static __u64 total_drops(const struct xmp_mp_parse_stats *st)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < XMP_MPD_NR; i++)
		n += st->drop[i];
	return n;
}

/* Each hostile area, as the only options of a pure ACK and of a data
 * segment on a connection past its first DATA_ACKs: the decoder rejects it
 * and counts why; the connection level does not move; afterwards data
 * flows byte-exact both ways. */
static void malformed_areas_rejected(void)
{
	static __u8 src[6000];
	struct xmp_mp_parse_stats before;
	struct xmp_msk *msk;
	struct mp_end *s;
	struct mp_pair h;
	size_t i;

	fill(src, sizeof(src), 6);
	open_pair(&h, false, false);
	mp_pair_write(&h, 0, src, 2000, 2);
	mp_pair_write(&h, 1, src, 2000, 2);
	s = &h.e[1];
	msk = s->sf.msk;
	CHECK(msk->data_ack_seen);
	for (i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		const struct mp_bad_area *a = &areas[i];
		__u64 una = msk->snd_una, ack = msk->ack_seq,
		      noack = s->sf.mib[XMP_SF_MIB_NO_DSS_ACK];
		struct xmp_mp_opt mp;

		/* The decoder alone. */
		memset(&before, 0, sizeof(before));
		CHECK_EQ(xmp_mp_parse(a->b, a->len, &mp, &before), 0);
		CHECK_EQ(mp.suboptions, 0);
		CHECK_EQ(before.drop[a->why], 1);
		CHECK_EQ(total_drops(&before), 1);
		CHECK_EQ(before.decoded, 0);
		/* Through the subflow: a pure ACK. */
		before = s->st;
		CHECK_EQ(mp_pair_opts_in(&h, 1, TH_ACK, s->rcv_nxt, 0, a->b, a->len), 0);
		CHECK_EQ(s->st.drop[a->why], before.drop[a->why] + 1);
		CHECK_EQ(s->st.decoded, before.decoded);
		/* A malformed MPTCP option still shows options get through
		 * (3.7 is about options vanishing); a broken TCP option area
		 * hides whatever was there: a pure ACK without DSS. */
		CHECK_EQ(s->sf.mib[XMP_SF_MIB_NO_DSS_ACK], noack + (mp.malformed ? 0 : 1));
		CHECK_EQ(s->sf.state, XMP_SF_ESTABLISHED);
		CHECK_EQ(msk->snd_una, una);
		CHECK_EQ(msk->ack_seq, ack);
		CHECK_EQ(msk->state, XMP_MSK_ESTABLISHED);
		CHECK(!msk->fallback && !msk->aborted && !s->reset);
		if (t_cur_failed) {
			printf("#   area: %s\n", a->name);
			break;
		}
	}
	/* The connection is intact: more data both ways. */
	fill(src, sizeof(src), 66);
	mp_pair_write(&h, 0, src, sizeof(src), 3);
	CHECK_EQ(h.e[1].got, 2000 + sizeof(src));
	CHECK_MEM(h.e[1].sink + 2000, src, sizeof(src));
	mp_pair_write(&h, 1, src, sizeof(src), 3);
	CHECK_EQ(h.e[0].got, 2000 + sizeof(src));
	CHECK_MEM(h.e[0].sink + 2000, src, sizeof(src));
	CHECK(!h.e[0].reset && !h.e[1].reset);
	mp_pair_free(&h);
}

/* A malformed option followed by a valid DSS in the same area: the bad one
 * only skips itself, the DATA_ACK after it is acted on. */
static void malformed_then_valid_dss(void)
{
	static __u8 src[2000];
	struct xmp_msk *msk;
	struct xmp_mp_opt o;
	struct xmp_tx_map m;
	__u8 area[40];
	struct mp_pair h;
	__u64 d;
	int n;

	fill(src, sizeof(src), 7);
	open_pair(&h, false, false);
	msk = h.e[0].sf.msk;
	d = msk->snd_una;
	CHECK_EQ(xmp_msk_send(msk, src, sizeof(src)), (long)sizeof(src));
	CHECK_EQ(xmp_msk_next_map(msk, 2000, &m), 1);
	/* MP_FAIL of a wrong length (12 bytes on the wire, says 11), then a
	 * DSS DATA_ACK for 1500 bytes. */
	memset(area, 0, sizeof(area));
	area[0] = MP;
	area[1] = 11;
	area[2] = 0x60;
	area[11] = NOP;
	o = dss_ack(d + 1500, true);
	n = xmp_mp_write(area + 12, sizeof(area) - 12, &o);
	CHECK(n > 0);
	CHECK_EQ(mp_pair_opts_in(&h, 0, TH_ACK, 1, 0, area, 12 + (n > 0 ? n : 0)), 0);
	CHECK_EQ(h.e[0].st.drop[XMP_MPD_FAIL_LEN], 1);
	CHECK_EQ(msk->snd_una, d + 1500);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_MP_FAIL_IN], 0);
	mp_pair_free(&h);
}

/* ---- 5. ADD_ADDR flood -------------------------------------------------- */

/*
 * The connection keeps no state for ADD_ADDR yet (no path manager): a flood
 * of them, every area packed with distinct addresses plus a REMOVE_ADDR,
 * is decoded in bounded memory (one struct per segment, the last of a kind
 * wins and is counted as a duplicate), and leaves the subflow and the
 * connection exactly as they were.
 */
static void add_addr_flood_bounded(void)
{
	const unsigned int rounds = 100000;
	struct xmp_mp_parse_stats st = {0};
	__u64 msk_mib[XMP_MSK_MIB_NR], sf_mib[XMP_SF_MIB_NR], una, ack;
	struct xmp_msk *msk;
	struct mp_end *s;
	struct mp_pair h;
	unsigned int i;

	open_pair(&h, false, false);
	s = &h.e[1];
	msk = s->sf.msk;
	memcpy(msk_mib, msk->mib, sizeof(msk_mib));
	memcpy(sf_mib, s->sf.mib, sizeof(sf_mib));
	una = msk->snd_una;
	ack = msk->ack_seq;
	for (i = 0; i < rounds; i++) {
		struct xmp_mp_opt o, mp;
		__u8 area[40];
		int n = 0, w;

		memset(&o, 0, sizeof(o));
		o.suboptions = XMP_MPO_ADD_ADDR;
		o.add_addr.family = 4;
		o.add_addr.id = (__u8)i;
		o.add_addr.hmac_present = 1;
		o.add_addr.hmac = i * 0x9e3779b97f4a7c15ULL;
		memcpy(o.add_addr.addr, &i, sizeof(i));
		w = xmp_mp_write(area, sizeof(area), &o); /* 16 bytes */
		n += w > 0 ? w : 0;
		o.add_addr.echo = 1;
		o.add_addr.hmac_present = 0;
		o.add_addr.hmac = 0;
		o.add_addr.port_present = 1;
		o.add_addr.port = (__u16)i;
		w = xmp_mp_write(area + n, sizeof(area) - n, &o); /* 10 -> 12 */
		n += w > 0 ? w : 0;
		memset(&o, 0, sizeof(o));
		o.suboptions = XMP_MPO_RM_ADDR;
		o.rm_addr.nr = 8;
		memset(o.rm_addr.ids, (__u8)i, 8);
		w = xmp_mp_write(area + n, sizeof(area) - n, &o); /* 11 -> 12 */
		n += w > 0 ? w : 0;
		if (i == 0)
			CHECK_EQ(n, 40);
		xmp_mp_parse(area, n, &mp, &st);
		CHECK_EQ(mp.suboptions, XMP_MPO_ADD_ADDR | XMP_MPO_RM_ADDR);
		CHECK_EQ(mp.add_addr.port, (__u16)i); /* the last one of the area */
		CHECK_EQ(xmp_sf_rcv_options(&s->sf, TH_ACK, s->rcv_nxt, 0, MP_PAIR_WND, &mp), 0);
		if (t_cur_failed)
			break;
	}
	CHECK_EQ(st.mptcp_opts, 3ULL * rounds);
	CHECK_EQ(st.decoded, 3ULL * rounds);
	CHECK_EQ(st.dup, rounds);
	CHECK_EQ(total_drops(&st), 0);
	/* Nothing changed anywhere. */
	CHECK_MEM(msk->mib, msk_mib, sizeof(msk_mib));
	CHECK_MEM(s->sf.mib, sf_mib, sizeof(sf_mib));
	CHECK_EQ(msk->snd_una, una);
	CHECK_EQ(msk->ack_seq, ack);
	CHECK_EQ(msk->nr_ofo, 0);
	CHECK_EQ(s->sf.rx.n, 0);
	CHECK_EQ(s->sf.state, XMP_SF_ESTABLISHED);
	mp_pair_free(&h);
}

/* ---- 6. DATA_FIN oddities, MP_FASTCLOSE ----------------------------------- */

/*
 * A DSS mapping with F set and a data-level length of 0 (3.3.3: a DATA_FIN
 * takes one DSN, so its mapping is at least 1 long; length 0 is the
 * infinite mapping of 3.7, which a DATA_FIN cannot be). Outside any
 * fallback it is a protocol error: the subflow is reset (MP_TCPRST
 * "MPTCP-specific error"), counted; no DATA_FIN is recorded and the
 * connection does not fall back to TCP.
 */
static void data_fin_zero_length(void)
{
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;

	open_pair(&h, false, false);
	msk = h.e[1].sf.msk;
	o = dss_map(msk->ack_seq, 0, 0, true, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 0, &o), -ECONNRESET);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_MAP_INVALID], 1);
	CHECK_EQ(h.e[1].sf.mib[XMP_SF_MIB_MAP_RESET], 1);
	CHECK_EQ(rst_reason_on_wire(&h, 1), MPTCP_RST_EMPTCP);
	CHECK(!msk->rcv_fin);
	CHECK(!msk->fallback);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_FALLBACK], 0);
	CHECK_EQ(h.e[1].sf.mib[XMP_SF_MIB_INFINITE_RX], 0);
	CHECK_EQ(msk->state, XMP_MSK_ESTABLISHED);
	mp_pair_free(&h);
}

/*
 * An infinite mapping nobody asked for (no MP_FAIL was sent) on a
 * connection whose DATA_ACKs already proved MPTCP works end to end: 3.7
 * allows the fallback only while it is still possible (Linux:
 * allow_infinite_fallback, else a reset with MP_TCPRST "MPTCP-specific
 * error"), decided in subflow.c rcv_dss().
 */
static void infinite_map_unsolicited(void)
{
	static __u8 src[2000];
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;
	int rc;

	fill(src, sizeof(src), 10);
	open_pair(&h, false, false);
	mp_pair_write(&h, 0, src, sizeof(src), 2);
	mp_pair_write(&h, 1, src, sizeof(src), 2);
	msk = h.e[1].sf.msk;
	CHECK(msk->data_ack_seen && h.e[0].sf.msk->data_ack_seen);
	o = dss_map(msk->ack_seq, h.e[1].rcv_nxt, 0, false, false, 0);
	rc = forged_in(&h, 1, TH_ACK, h.e[1].rcv_nxt, 0, &o);
	CHECK_EQ(h.e[1].sf.mib[XMP_SF_MIB_INFINITE_RX], 1);
	CHECK_EQ(rc, -ECONNRESET);
	CHECK(!msk->fallback);
	CHECK_EQ(rst_reason_on_wire(&h, 1), MPTCP_RST_EMPTCP);
	mp_pair_free(&h);
}

/* ---- copies on the only subflow, then the options vanish (3.7) -------- */

/*
 * The peer sends data again on the only subflow (a data-level
 * retransmission under a mapping off the diagonal), and the options vanish
 * in the middle of that copy. Taking the rest of it as the data that
 * follows (what a fallback at the DATA_ACK does) would hand the app wrong
 * bytes: the subflow is reset instead, counted, and the app holds exactly
 * the prefix. @copy false: the same without the copy falls back and
 * delivers the new bytes in order.
 */
static void peer_copy_then_options_vanish(bool copy)
{
	static __u8 src[4000];
	struct xmp_sf_data_res res;
	struct mp_end *srv;
	struct xmp_mp_opt o;
	struct mp_pair h;
	__u32 ssn;
	__u64 isn;

	fill(src, sizeof(src), 12);
	open_pair(&h, false, false);
	mp_pair_write(&h, 0, src, 3000, 2);
	srv = &h.e[1];
	CHECK_EQ(srv->got, 3000);
	CHECK(!srv->sf.msk->data_ack_seen); /* a fallback is still allowed */
	isn = srv->sf.msk->rcv_isn;
	ssn = srv->rcv_nxt;
	if (copy) {
		/* DSN isn..isn+500 again, with its mapping: a duplicate */
		o = dss_map(isn, ssn, 500, false, false, 0);
		CHECK_EQ(forged_in(&h, 1, TH_ACK, ssn, 500, &o), 0);
		CHECK_EQ(mp_pair_data_in(&h, 1, ssn, src, 500, &res), 0);
		CHECK_EQ(res.consumed, 500);
		CHECK(srv->sf.rx_desync);
		ssn += 500;
	}
	/* no option at all: the copy's second half, or the next new bytes */
	CHECK_EQ(mp_pair_opts_in(&h, 1, TH_ACK, ssn, 500, NULL, 0), 0);
	mp_pair_data_in(&h, 1, ssn, copy ? src + 500 : src + 3000, 500, &res);
	if (copy) {
		CHECK(srv->reset);
		CHECK_EQ(srv->rc, -ECONNRESET);
		CHECK_EQ(srv->sf.mib[XMP_SF_MIB_DESYNC_RESET], 1);
		CHECK_EQ(srv->sf.mib[XMP_SF_MIB_FB_NO_DSS], 0);
		CHECK(!srv->sf.msk->fallback);
		CHECK_EQ(rst_reason_on_wire(&h, 1), MPTCP_RST_EMIDDLEBOX);
		CHECK_EQ(srv->got, 3000);
	} else {
		CHECK(!srv->reset);
		CHECK(srv->sf.msk->fallback);
		CHECK_EQ(srv->sf.mib[XMP_SF_MIB_FB_NO_DSS], 1);
		CHECK_EQ(srv->got, 3500);
	}
	CHECK_MEM(srv->sink, src, srv->got);
	mp_pair_free(&h);
}

static void peer_copy_then_options_vanish_resets(void)
{
	peer_copy_then_options_vanish(true);
}

static void no_copy_options_vanish_falls_back(void)
{
	peer_copy_then_options_vanish(false);
}

/*
 * Our own stream carries a copy (recorded off the diagonal, as a data-level
 * retransmission would be): the peer's MP_FAIL, its infinite mapping, or
 * our bytes without mapping cannot lead to a fallback any more (the peer
 * would take our subflow stream as the data stream): reset, counted.
 * MP_FAIL on a connection with several subflows resets too: no infinite
 * mapping can follow there.
 */
static void our_copy_then_fallback_triggers_reset(void)
{
	static __u8 src[2000];
	struct xmp_tx_map m;
	struct xmp_mp_opt o;
	struct mp_end *cl;
	struct mp_pair h;
	int k;

	fill(src, sizeof(src), 13);
	for (k = 0; k < 3; k++) {
		/* MP_FAIL counts only with checksums (mp_fail_only_with_csum) */
		open_pair(&h, k != 1, k != 1);
		mp_pair_write(&h, 0, src, 1000, 2);
		cl = &h.e[0];
		if (k < 2) {
			/* DSN snd_una again, at the end of the subflow stream */
			CHECK_EQ(xmp_msk_send(cl->sf.msk, src + 1000, 1000), 1000);
			CHECK_EQ(xmp_msk_next_map(cl->sf.msk, 1000, &m), 1);
			CHECK_EQ(xmp_msk_remap(cl->sf.msk, m.dsn, 500, &m), 1);
			CHECK_EQ(xmp_sf_txmap_add(&cl->sf, cl->snd_nxt + 700, &m), 0);
			CHECK(cl->sf.tx_desync);
			CHECK(cl->sf.single);
		} else {
			xmp_sf_set_multi(&cl->sf);
		}
		if (k == 1) {
			/* the peer's infinite mapping (as if answering MP_FAIL) */
			o = dss_map(cl->sf.msk->ack_seq, cl->rcv_nxt, 0, false, false, 0);
			CHECK_EQ(forged_in(&h, 0, TH_ACK, cl->rcv_nxt, 0, &o), -ECONNRESET);
			CHECK_EQ(cl->sf.mib[XMP_SF_MIB_DESYNC_RESET], 1);
		} else {
			memset(&o, 0, sizeof(o));
			o.suboptions = XMP_MPO_FAIL;
			o.fail.data_seq = cl->sf.msk->snd_una;
			CHECK_EQ(forged_in(&h, 0, TH_ACK, cl->rcv_nxt, 0, &o), -ECONNRESET);
			CHECK_EQ(cl->sf.mib[XMP_SF_MIB_MP_FAIL_RESET], 1);
			CHECK(!cl->sf.msk->send_infinite);
		}
		CHECK(!cl->sf.msk->fallback);
		CHECK_EQ(rst_reason_on_wire(&h, 0), MPTCP_RST_EMPTCP);
		mp_pair_free(&h);
	}
}

/* A second DATA_FIN at another DSN contradicts the first: reset, counted;
 * the first stays. The same DATA_FIN repeated is fine. */
static void data_fin_second_elsewhere(void)
{
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;
	__u64 fin;

	open_pair(&h, false, false);
	msk = h.e[1].sf.msk;
	fin = msk->ack_seq + 5000;
	/* 3.3.3: a DATA_FIN alone: subflow sequence 0, length 1. */
	o = dss_map(fin, 0, 1, true, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 0, &o), 0);
	CHECK(msk->rcv_fin);
	CHECK_EQ(msk->rcv_fin_seq, fin);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 0, &o), 0); /* a repeat */
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_FIN_BAD], 0);
	o = dss_map(fin + 10, 0, 1, true, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 0, &o), -ECONNRESET);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_FIN_BAD], 1);
	CHECK_EQ(h.e[1].sf.mib[XMP_SF_MIB_MAP_RESET], 1);
	CHECK_EQ(rst_reason_on_wire(&h, 1), MPTCP_RST_EMPTCP);
	CHECK_EQ(msk->rcv_fin_seq, fin);
	CHECK_EQ(msk->state, XMP_MSK_ESTABLISHED);
	mp_pair_free(&h);

	/* The DATA_FIN carried by a data mapping, contradicting too. */
	open_pair(&h, false, false);
	msk = h.e[1].sf.msk;
	fin = msk->ack_seq + 100;
	o = dss_map(fin, 0, 1, true, false, 0);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 0, &o), 0);
	o = dss_map(msk->ack_seq, 1, 201, true, false, 0); /* FIN at +200 */
	CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 200, &o), -ECONNRESET);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_FIN_BAD], 1);
	CHECK_EQ(msk->rcv_fin_seq, fin);
	mp_pair_free(&h);
}

/*
 * A DATA_FIN inside data already buffered out of order contradicts that
 * data (3.3.3: nothing follows the DATA_FIN). Accepting it would let the
 * in-order point run past the DATA_FIN once the hole fills, so the
 * DATA_FIN would never be consumed and the connection never close. It is
 * refused and counted; a DATA_FIN at the end of the data closes normally.
 */
static void data_fin_inside_buffered_data(void)
{
	const __u64 isn = UINT64_MAX - 150; /* the range crosses 2^64 */
	struct xmp_msk *msk;
	__u8 d[300], out[400];

	fill(d, sizeof(d), 8);
	CHECK_EQ(xmp_msk_create_seq(&msk, NULL, 1, isn, false), 0);
	CHECK_EQ(xmp_msk_rcv_dsn(msk, isn + 100, d + 100, 200), 200);
	CHECK_EQ(msk->nr_ofo, 1);
	CHECK_EQ(xmp_msk_rcv_data_fin(msk, isn + 200), -EBADMSG);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_FIN_BAD], 1);
	CHECK(!msk->rcv_fin);
	/* Exactly at the end of the buffered data: fine. */
	CHECK_EQ(xmp_msk_rcv_data_fin(msk, isn + 300), 0);
	CHECK_EQ(xmp_msk_rcv_dsn(msk, isn, d, 100), 100);
	CHECK_EQ(msk->ack_seq, isn + 301);
	CHECK_EQ(msk->state, XMP_MSK_CLOSE_WAIT);
	CHECK_EQ(xmp_msk_read(msk, out, sizeof(out)), 300);
	CHECK_MEM(out, d, 300);
	CHECK_EQ(xmp_msk_read(msk, out, sizeof(out)), 0); /* EOF */
	CHECK_EQ(msk->mib[XMP_MSK_MIB_DATA_FIN_IN], 1);
	xmp_msk_destroy(msk);
}

/* 3.5: MP_FASTCLOSE must carry the receiver's key. Any other key (the
 * sender's own, zero, one bit off) is ignored and counted and the
 * connection carries on; the right key resets the subflow and aborts the
 * connection. */
static void fastclose_keys(void)
{
	const __u64 wrong[] = {KC, 0, KS ^ 1, ~KS};
	static __u8 src[3000];
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;
	unsigned int i;

	fill(src, sizeof(src), 9);
	open_pair(&h, false, false);
	msk = h.e[1].sf.msk;
	memset(&o, 0, sizeof(o));
	o.suboptions = XMP_MPO_FASTCLOSE;
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		o.fastclose.rcvr_key = wrong[i];
		CHECK_EQ(forged_in(&h, 1, TH_ACK, 1, 0, &o), 0);
	}
	CHECK_EQ(msk->mib[XMP_MSK_MIB_FASTCLOSE_BADKEY], 4);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_FASTCLOSE_IN], 0);
	CHECK(!msk->aborted);
	CHECK_EQ(msk->state, XMP_MSK_ESTABLISHED);
	mp_pair_write(&h, 0, src, sizeof(src), 2);
	CHECK_GOT(&h.e[1], src, sizeof(src));
	/* The right key, as the client's xmp_msk_fastclose() writes it. */
	CHECK_EQ(xmp_msk_fastclose(h.e[0].sf.msk, &o.fastclose), 0);
	CHECK_EQ(o.fastclose.rcvr_key, KS);
	CHECK_EQ(forged_in(&h, 1, TH_ACK, h.e[1].rcv_nxt, 0, &o), -ECONNRESET);
	CHECK(msk->aborted);
	CHECK_EQ(msk->state, XMP_MSK_CLOSED);
	CHECK_EQ(msk->mib[XMP_MSK_MIB_FASTCLOSE_IN], 1);
	CHECK_EQ(h.e[1].sf.mib[XMP_SF_MIB_FASTCLOSE_RX], 1);
	CHECK_EQ(xmp_msk_send(msk, src, 1), -EPIPE);
	mp_pair_free(&h);
}

/*
 * MP_FAIL reports a DSS checksum that failed (3.7). On a connection
 * without checksums it can only be forged (the fuzzer's flipped option
 * byte turned a DSS into one): answering it sent the data again at new
 * subflow sequence numbers, which a peer that never sent it took as the
 * bytes after. Ignored and counted; with checksums it is answered.
 */
static void mp_fail_only_with_csum(void)
{
	struct xmp_mp_opt o;
	struct xmp_msk *msk;
	struct mp_pair h;
	int csum;

	for (csum = 0; csum < 2; csum++) {
		open_pair(&h, csum, csum);
		msk = h.e[0].sf.msk;
		memset(&o, 0, sizeof(o));
		o.suboptions = XMP_MPO_FAIL;
		o.fail.data_seq = msk->snd_una;
		CHECK_EQ(forged_in(&h, 0, TH_ACK, h.e[0].rcv_nxt, 0, &o), 0);
		CHECK(!h.e[0].reset);
		CHECK_EQ(h.e[0].sf.mib[XMP_SF_MIB_MP_FAIL_RX], 1);
		CHECK_EQ(msk->mib[XMP_MSK_MIB_MP_FAIL_BAD], csum ? 0 : 1);
		CHECK_EQ(msk->mib[XMP_MSK_MIB_MP_FAIL_IN], csum ? 1 : 0);
		CHECK_EQ(msk->send_infinite, csum);
		if (t_cur_failed)
			printf("#   csum %d\n", csum);
		mp_pair_free(&h);
	}
}

int main(void)
{
	RUN(map_overlap_consistent);
	RUN(map_overlap_contradicting);
	RUN(map_overlap_csum_cannot_skip_check);
	RUN(map_overlap_csum_recut_retransmission);
	RUN(data_ack_hostile);
	RUN(data_ack_32bit_wrap);
	RUN(csum_fail_single_subflow);
	RUN(malformed_areas_rejected);
	RUN(malformed_then_valid_dss);
	RUN(add_addr_flood_bounded);
	RUN(data_fin_zero_length);
	RUN(infinite_map_unsolicited);
	RUN(peer_copy_then_options_vanish_resets);
	RUN(no_copy_options_vanish_falls_back);
	RUN(our_copy_then_fallback_triggers_reset);
	RUN(data_fin_second_elsewhere);
	RUN(data_fin_inside_buffered_data);
	RUN(fastclose_keys);
	RUN(mp_fail_only_with_csum);
	return t_exit_code();
}

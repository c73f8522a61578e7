// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the MPTCP connection level (user/mptcp/conn.c), no root needed.
 * Two msk instances are joined by a tiny in-test loop: the sender's
 * mappings are cut into segments on two simulated subflows, carried as DSS
 * (32- or 64-bit DSN, decoded with the receiver's expansion), shuffled,
 * duplicated and reinjected; each simulated subflow hands its in-order bytes
 * to xmp_msk_sf_data() as the subflow engine will. DSNs start just below
 * 2^64 and subflow sequences just below 2^32, so both wrap (lwIP style).
 * Deterministic: a fixed seed drives every choice.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/test.h"
#include "mptcp/conn.h"
#include "mptcp/crypto.h"

#define ISN_AB	 (UINT64_MAX - 30000) /* A's first DSN: wraps after 30 KB */
#define ISN_BA	 (UINT64_MAX - 10)
#define SF_BUF	 (1u << 20)
#define MAX_SEGS 4096
#define SEG_MAX	 700

static __u64 rng_state;

static __u32 rnd(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (__u32)(z ^ (z >> 31));
}

/* Receiving end of one simulated subflow: in-order delivery by ssn. */
struct tsf {
	__u8 *buf;
	__u8 *have;
	__u32 base; /* ssn of buf[0] */
	__u32 nxt;  /* next ssn to hand to the msk */
	struct xmp_rxmap rx;
	__u32 snd; /* sender's next ssn on this subflow */
};

struct seg {
	int sf;
	__u32 ssn, len;
	struct xmp_dss dss;
	__u8 data[SEG_MAX];
};

struct loop {
	struct xmp_msk *a, *b;
	struct tsf sf[2];
	struct seg *segs[MAX_SEGS];
	unsigned int nsegs;
	int bad_map; /* mappings refused as contradicting */
};

static void tsf_init(struct tsf *t, __u32 start)
{
	t->buf = calloc(1, SF_BUF);
	t->have = calloc(1, SF_BUF);
	t->base = t->nxt = t->snd = start;
	xmp_rxmap_init(&t->rx);
}

static void tsf_free(struct tsf *t)
{
	free(t->buf);
	free(t->have);
}

static void loop_init(struct loop *l, __u32 rcvbuf)
{
	struct xmp_msk_cfg cfg = {.sndbuf = 64 * 1024, .rcvbuf = rcvbuf};

	memset(l, 0, sizeof(*l));
	CHECK_EQ(xmp_msk_create_seq(&l->a, &cfg, ISN_AB, ISN_BA, false), 0);
	CHECK_EQ(xmp_msk_create_seq(&l->b, &cfg, ISN_BA, ISN_AB, false), 0);
	tsf_init(&l->sf[0], 0xfffff000u);
	tsf_init(&l->sf[1], 0x7ffffff0u);
}

static void loop_free(struct loop *l)
{
	unsigned int i;

	for (i = 0; i < l->nsegs; i++)
		free(l->segs[i]);
	tsf_free(&l->sf[0]);
	tsf_free(&l->sf[1]);
	xmp_msk_destroy(l->a);
	xmp_msk_destroy(l->b);
}

/* Cut mapping @m into segments on subflow @sfi, each carrying the DSS. */
static void emit_map(struct loop *l, int sfi, const struct xmp_tx_map *m)
{
	struct tsf *t = &l->sf[sfi];
	__u32 ssn0 = t->snd, off = 0;
	bool dsn64 = rnd() & 1;

	do {
		struct seg *s = calloc(1, sizeof(*s));
		__u32 n = m->len - off;

		if (n > SEG_MAX)
			n = SEG_MAX;
		s->sf = sfi;
		s->ssn = ssn0 + off;
		s->len = n;
		s->dss.use_map = 1;
		s->dss.dsn64 = dsn64;
		s->dss.data_seq = dsn64 ? m->dsn : (__u32)m->dsn;
		s->dss.subflow_seq = ssn0;
		s->dss.data_len = (__u16)(m->len + m->fin);
		s->dss.data_fin = m->fin;
		CHECK_EQ(xmp_msk_copy(l->a, m->dsn + off, s->data, n), 0);
		if (l->nsegs < MAX_SEGS)
			l->segs[l->nsegs++] = s;
		else
			free(s);
		off += n;
	} while (off < m->len);
	t->snd = ssn0 + m->len;
}

/* Hand a subflow's contiguous bytes to the msk. */
static void tsf_push(struct loop *l, struct tsf *t)
{
	while (t->have[(t->nxt - t->base) % SF_BUF]) {
		__u32 off = (t->nxt - t->base) % SF_BUF, n = 0;
		struct xmp_sf_data_res res;

		while (off + n < SF_BUF && t->have[off + n])
			n++;
		CHECK_EQ(xmp_msk_sf_data(l->b, &t->rx, t->nxt, t->buf + off, n, &res), 0);
		CHECK(!res.no_map);
		if (!res.consumed)
			break;
		t->nxt += res.consumed;
	}
}

static void deliver(struct loop *l, const struct seg *s)
{
	struct tsf *t = &l->sf[s->sf];
	struct xmp_rx_map map;
	__u32 off = s->ssn - t->base;
	int ret;

	xmp_msk_dss_to_map(l->b, &s->dss, &map);
	ret = xmp_rxmap_add(l->b, &t->rx, &map, t->nxt);
	if (ret == -EBADMSG)
		l->bad_map++;
	if (off + s->len > SF_BUF)
		return;
	memcpy(t->buf + off, s->data, s->len);
	memset(t->have + off, 1, s->len);
	tsf_push(l, t);
}

/* Deliver every pending segment in a shuffled order, some twice. */
static void flush(struct loop *l, bool shuffle, unsigned int dup_pct)
{
	unsigned int i;

	for (i = 0; shuffle && i + 1 < l->nsegs; i++) {
		unsigned int j = i + rnd() % (l->nsegs - i);
		struct seg *tmp = l->segs[i];

		l->segs[i] = l->segs[j];
		l->segs[j] = tmp;
	}
	for (i = 0; i < l->nsegs; i++) {
		deliver(l, l->segs[i]);
		if (rnd() % 100 < dup_pct)
			deliver(l, l->segs[rnd() % (i + 1)]);
	}
	for (i = 0; i < l->nsegs; i++)
		free(l->segs[i]);
	l->nsegs = 0;
}

/* B's DATA_ACK back to A, as 32 or 64 bits on the wire. */
static long ack_back(struct loop *l)
{
	struct xmp_dss d = {.use_ack = 1, .ack64 = rnd() & 1};

	d.data_ack = d.ack64 ? xmp_msk_data_ack(l->b) : (__u32)xmp_msk_data_ack(l->b);
	return xmp_msk_rcv_data_ack(l->a, xmp_msk_expand_ack(l->a, &d), xmp_msk_rcv_wnd(l->b));
}

static void fill(__u8 *p, size_t n, __u32 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (__u8)((i * 131 + seed + (i >> 9)) ^ (i >> 3));
}

/* A transfer of @total bytes from A to B through 64 KB rings and windows. */
struct xfer {
	struct loop l;
	__u8 *src, *dst; /* the source, filled; the sink */
	size_t total, sent, got;
	int rounds;
};

static void xfer_init(struct xfer *x, size_t total, __u64 seed, __u32 fill_seed)
{
	memset(x, 0, sizeof(*x));
	x->total = total;
	x->src = malloc(total);
	x->dst = malloc(total);
	rng_state = seed;
	fill(x->src, total, fill_seed);
	loop_init(&x->l, 64 * 1024);
	xmp_msk_init_wnd(x->l.a, 64 * 1024);
}

/* Another round, while bytes are missing and fewer than @max ran. */
static bool xfer_round(struct xfer *x, int max)
{
	return x->got < x->total && x->rounds++ < max;
}

/* Every byte arrived, exactly. */
static void xfer_check(struct xfer *x)
{
	CHECK_EQ(x->got, x->total);
	CHECK_MEM(x->src, x->dst, x->total);
}

static void xfer_free(struct xfer *x)
{
	loop_free(&x->l);
	free(x->src);
	free(x->dst);
}

/*
 * 300 KB from A to B over two subflows: mappings of random size cut into
 * segments, shuffled, 15% delivered twice, 1 mapping in 6 reinjected on the
 * other subflow. Byte-exact, each byte counted once.
 */
static void test_conn_two_subflows_ooo_dup(void)
{
	struct xfer x;

	xfer_init(&x, 300 * 1024, 1, 7);
	while (xfer_round(&x, 1000)) {
		struct xmp_tx_map m;
		long n;

		n = xmp_msk_send(x.l.a, x.src + x.sent, x.total - x.sent);
		CHECK(n >= 0);
		x.sent += n > 0 ? n : 0;
		if (x.sent == x.total && !x.l.a->fin_queued)
			CHECK_EQ(xmp_msk_shutdown(x.l.a), 0);
		while (xmp_msk_next_map(x.l.a, 300 + rnd() % 3000, &m) == 1) {
			int sfi = rnd() & 1;

			emit_map(&x.l, sfi, &m);
			if (rnd() % 6 == 0 && m.len) {
				struct xmp_tx_map r;

				CHECK_EQ(xmp_msk_remap(x.l.a, m.dsn, m.len, &r), 1);
				CHECK_EQ(r.len, m.len);
				emit_map(&x.l, !sfi, &r);
			}
		}
		flush(&x.l, true, 15);
		while ((n = xmp_msk_read(x.l.b, x.dst + x.got, x.total - x.got)) > 0)
			x.got += n;
		CHECK(ack_back(&x.l) >= 0);
	}
	xfer_check(&x);
	CHECK_EQ(x.l.bad_map, 0);
	CHECK_EQ(xmp_msk_read(x.l.b, x.dst, 1), 0); /* DATA_FIN: EOF */
	CHECK_EQ(x.l.b->state, XMP_MSK_CLOSE_WAIT);
	CHECK_EQ(x.l.a->state, XMP_MSK_FIN_WAIT2);
	CHECK_EQ(x.l.b->mib[XMP_MSK_MIB_DATA_IN], x.total);
	CHECK(x.l.b->mib[XMP_MSK_MIB_DUP_DATA] > 0);
	CHECK(x.l.b->mib[XMP_MSK_MIB_OFO_QUEUED] > 0);
	CHECK(x.l.a->mib[XMP_MSK_MIB_REINJECT] > 0);
	CHECK_EQ(x.l.a->snd_una, ISN_AB + x.total + 1); /* wrapped past 2^64 */
	CHECK(x.l.a->snd_una < ISN_AB);
	CHECK_EQ(xmp_msk_writable(x.l.a), 0); /* shut down */
	xfer_free(&x);
}

/*
 * The application writes into and reads from the msk's own rings (spans)
 * instead of handing buffers to copy: 200 KB through 64 KB rings, commits
 * of random sizes, so spans end where the rings wrap. Byte-exact; a span
 * never offers more than the room or the unread bytes.
 */
static void test_conn_spans(void)
{
	unsigned int short_spans = 0;
	struct xfer x;

	xfer_init(&x, 200 * 1024, 3, 11);
	while (xfer_round(&x, 10000)) {
		struct xmp_tx_map m;
		const __u8 *rp;
		__u8 *wp;
		__u32 n, k;

		while (x.sent < x.total && (wp = xmp_msk_send_span(x.l.a, &n))) {
			CHECK(n <= xmp_msk_writable(x.l.a));
			short_spans += n < xmp_msk_writable(x.l.a);
			k = 1 + rnd() % n;
			if (k > x.total - x.sent)
				k = (__u32)(x.total - x.sent);
			memcpy(wp, x.src + x.sent, k);
			xmp_msk_send_commit(x.l.a, k);
			x.sent += k;
		}
		/* a few mappings a round: acks free part of the ring, so the
		 * next spans start anywhere in it */
		for (k = 0; k < 5 && xmp_msk_next_map(x.l.a, 300 + rnd() % 3000, &m) == 1; k++)
			emit_map(&x.l, rnd() & 1, &m);
		flush(&x.l, true, 0);
		while ((rp = xmp_msk_read_span(x.l.b, &n))) {
			CHECK(n <= xmp_msk_readable(x.l.b));
			k = 1 + rnd() % n;
			memcpy(x.dst + x.got, rp, k);
			xmp_msk_read_commit(x.l.b, k);
			x.got += k;
		}
		CHECK(ack_back(&x.l) >= 0);
	}
	xfer_check(&x);
	CHECK(short_spans > 0); /* the rings wrapped under a span */
	CHECK_EQ(xmp_msk_shutdown(x.l.a), 0);
	{
		__u32 n;

		CHECK(xmp_msk_read_span(x.l.b, &n) == NULL && !n);
		CHECK(xmp_msk_send_span(x.l.a, &n) == NULL && !n); /* shut down: no room */
	}
	xfer_free(&x);
}

/* 3.3.1: an overlapping mapping must agree with the earlier one. */
static void test_conn_map_contradict(void)
{
	struct xmp_rx_map m1 = {
	    .dsn = UINT64_MAX - 100, .ssn = 0xfffffe00u, .len = 1000, .csum_present = 0};
	struct xmp_rx_map m;
	struct loop l;

	loop_init(&l, 64 * 1024);
	CHECK_EQ(xmp_rxmap_add(l.b, &l.sf[0].rx, &m1, 0xfffffe00u), 0);
	/* Same subflow range shifted by 5 in DSN: contradiction. */
	m = m1;
	m.dsn += 505;
	m.ssn += 500;
	CHECK_EQ(xmp_rxmap_add(l.b, &l.sf[0].rx, &m, 0xfffffe00u), -EBADMSG);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_MAP_INVALID], 1);
	/* Overlapping and consistent (crosses 2^32 and 2^64): accepted. */
	m.dsn = m1.dsn + 500;
	CHECK_EQ(xmp_rxmap_add(l.b, &l.sf[0].rx, &m, 0xfffffe00u), 0);
	/* Identical repeat: a duplicate. */
	CHECK_EQ(xmp_rxmap_add(l.b, &l.sf[0].rx, &m1, 0xfffffe00u), 1);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_MAP_INVALID], 1);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_MAP_DUP], 1);
	/* A contradicting DATA_FIN position is refused too. */
	CHECK_EQ(xmp_msk_rcv_data_fin(l.b, ISN_AB + 5000), 0);
	CHECK_EQ(xmp_msk_rcv_data_fin(l.b, ISN_AB + 4000), -EBADMSG);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_DATA_FIN_BAD], 1);
	/* The data of the kept mappings is placed by their DSNs. */
	{
		__u8 d[1500];
		struct xmp_sf_data_res res;

		fill(d, sizeof(d), 3);
		CHECK_EQ(xmp_msk_sf_data(l.b, &l.sf[0].rx, 0xfffffe00u, d, 1500, &res), 0);
		CHECK_EQ(res.consumed, 1500);
		CHECK(!res.no_map);
		/* DSNs before ISN_AB: all outside the window -> dropped */
		CHECK_EQ(l.b->mib[XMP_MSK_MIB_DATA_IN], 0);
		/* Bytes with no mapping at all are reported. */
		CHECK_EQ(xmp_msk_sf_data(l.b, &l.sf[0].rx, 0xfffffe00u + 1500, d, 10, &res), 0);
		CHECK(res.no_map);
		CHECK_EQ(res.consumed, 0);
	}
	loop_free(&l);
}

/* 3.3.2: DATA_ACK for data never sent is ignored and counted. */
static void test_conn_data_ack_unsent(void)
{
	__u8 d[3000];
	struct xmp_tx_map m;
	struct xmp_dss dss = {.use_ack = 1};
	struct loop l;

	loop_init(&l, 64 * 1024);
	fill(d, sizeof(d), 1);
	xmp_msk_init_wnd(l.a, 1000);
	CHECK_EQ(xmp_msk_send(l.a, d, sizeof(d)), 3000);
	CHECK_EQ(xmp_msk_next_map(l.a, 1000, &m), 1);
	CHECK_EQ(m.dsn, ISN_AB);
	CHECK_EQ(m.len, 1000);
	/* Queued but not mapped yet: still "never sent". */
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, ISN_AB + 1001, 5000), -EINVAL);
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, ISN_AB + 3000, 5000), -EINVAL);
	CHECK_EQ(l.a->mib[XMP_MSK_MIB_DATA_ACK_INVALID], 2);
	CHECK_EQ(l.a->snd_una, ISN_AB);
	CHECK(!l.a->data_ack_seen);
	/* A 32-bit DATA_ACK expanded around snd_una. */
	dss.data_ack = (__u32)(ISN_AB + 600);
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, xmp_msk_expand_ack(l.a, &dss), 5000), 600);
	CHECK_EQ(l.a->snd_una, ISN_AB + 600);
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, ISN_AB + 100, 90000), 0); /* old */
	CHECK_EQ(l.a->mib[XMP_MSK_MIB_DATA_ACK_OLD], 1);
	CHECK_EQ(l.a->snd_wnd_end, ISN_AB + 5600); /* old ack did not move it */
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, ISN_AB + 1000, 5000), 400);
	CHECK_EQ(l.a->mib[XMP_MSK_MIB_DATA_ACK_IN], 2);
	/* Acked bytes are gone from the retransmit queue. */
	CHECK_EQ(xmp_msk_copy(l.a, ISN_AB + 999, d, 1), -ERANGE);
	CHECK_EQ(xmp_msk_remap(l.a, ISN_AB + 999, 100, &m), 0);
	CHECK_EQ(xmp_msk_writable(l.a), 64 * 1024 - 2000);
	loop_free(&l);
}

/* 3.3.4: the sender stops at DATA_ACK + window and resumes when it moves. */
static void test_conn_rcv_window(void)
{
	const size_t total = 20000;
	__u8 *src = malloc(total), *dst = malloc(total);
	struct xmp_tx_map m;
	size_t got = 0;
	struct loop l;
	__u64 mapped = 0;
	long n;

	rng_state = 5;
	fill(src, total, 9);
	loop_init(&l, 4096);
	CHECK_EQ(xmp_msk_rcv_wnd(l.b), 4096);
	xmp_msk_init_wnd(l.a, xmp_msk_rcv_wnd(l.b));
	CHECK_EQ(xmp_msk_send(l.a, src, total), (long)total);
	while (xmp_msk_next_map(l.a, 1500, &m) == 1) {
		mapped += m.len;
		emit_map(&l, 0, &m);
	}
	CHECK_EQ(mapped, 4096);
	CHECK(l.a->mib[XMP_MSK_MIB_SND_WND_LIMITED] > 0);
	flush(&l, true, 0);
	CHECK_EQ(xmp_msk_rcv_wnd(l.b), 0);
	CHECK_EQ(ack_back(&l), 4096);
	CHECK_EQ(xmp_msk_next_map(l.a, 1500, &m), 0); /* window closed */
	n = xmp_msk_read(l.b, dst, 2000);
	CHECK_EQ(n, 2000);
	got = 2000;
	CHECK_EQ(xmp_msk_rcv_wnd(l.b), 2000);
	/* A sender ignoring the window: the excess is dropped and counted. */
	CHECK_EQ(xmp_msk_rcv_dsn(l.b, ISN_AB + 4096 + 2000, src, 10), 0);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_RCV_OUT_OF_WINDOW], 10);
	CHECK_EQ(ack_back(&l), 0); /* same DATA_ACK, window reopened */
	mapped = 0;
	while (xmp_msk_next_map(l.a, 1500, &m) == 1) {
		mapped += m.len;
		emit_map(&l, 1, &m);
	}
	CHECK_EQ(mapped, 2000);
	flush(&l, true, 0);
	while (got < total) {
		n = xmp_msk_read(l.b, dst + got, total - got);
		if (n <= 0)
			break;
		got += n;
		ack_back(&l);
		while (xmp_msk_next_map(l.a, 1500, &m) == 1)
			emit_map(&l, rnd() & 1, &m);
		flush(&l, true, 0);
	}
	CHECK_EQ(got, total);
	CHECK_MEM(src, dst, total);
	loop_free(&l);
	free(src);
	free(dst);
}

/* Mapping of a DATA_FIN alone, as the other side sends it: ssn 0, len 1. */
static void fin_only(struct xmp_msk *from, struct xmp_msk *to, struct xmp_rxmap *rx)
{
	struct xmp_tx_map m;
	struct xmp_rx_map r = {0};

	CHECK_EQ(xmp_msk_next_map(from, 1000, &m), 1);
	CHECK(m.fin);
	CHECK_EQ(m.len, 0);
	r.dsn = m.dsn;
	r.fin = true;
	CHECK_EQ(xmp_rxmap_add(to, rx, &r, 0), 0);
}

/* 3.3.3: DATA_FIN each way, its DSN consumed, acked by DATA_ACK; states. */
static void test_conn_data_fin(void)
{
	__u8 d[5000], out[6000];
	struct xmp_tx_map m;
	struct xmp_rxmap rxa;
	struct loop l;

	loop_init(&l, 64 * 1024);
	xmp_rxmap_init(&rxa);
	fill(d, sizeof(d), 4);
	CHECK_EQ(xmp_msk_send(l.a, d, sizeof(d)), 5000);
	CHECK_EQ(xmp_msk_shutdown(l.a), 0);
	CHECK_EQ(l.a->state, XMP_MSK_FIN_WAIT1);
	CHECK_EQ(xmp_msk_send(l.a, d, 1), -EPIPE);
	CHECK_EQ(xmp_msk_next_map(l.a, 3000, &m), 1);
	CHECK(!m.fin);
	emit_map(&l, 0, &m);
	CHECK_EQ(xmp_msk_next_map(l.a, 3000, &m), 1);
	CHECK(m.fin); /* the last mapping carries it: data_len = 2000 + 1 */
	CHECK_EQ(m.len, 2000);
	emit_map(&l, 1, &m);
	CHECK_EQ(l.a->snd_nxt, ISN_AB + 5001);
	CHECK_EQ(xmp_msk_next_map(l.a, 3000, &m), 0);
	/* The DATA_FIN mapping arrives first: EOF only after all the data. */
	deliver(&l, l.segs[l.nsegs - 1]);
	CHECK_EQ(l.b->state, XMP_MSK_ESTABLISHED);
	CHECK(l.b->rcv_fin);
	flush(&l, false, 0);
	CHECK_EQ(l.b->state, XMP_MSK_CLOSE_WAIT);
	CHECK_EQ(xmp_msk_data_ack(l.b), ISN_AB + 5001);
	CHECK_EQ(xmp_msk_read(l.b, out, sizeof(out)), 5000);
	CHECK_MEM(out, d, 5000);
	CHECK_EQ(xmp_msk_read(l.b, out, sizeof(out)), 0);
	/* An ack short of the DATA_FIN leaves FIN_WAIT1. */
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, ISN_AB + 5000, 1000), 5000);
	CHECK_EQ(l.a->state, XMP_MSK_FIN_WAIT1);
	CHECK(xmp_msk_fin_pending(l.a));
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, ISN_AB + 5001, 1000), 1);
	CHECK_EQ(l.a->state, XMP_MSK_FIN_WAIT2);
	CHECK(!xmp_msk_fin_pending(l.a));
	/* B closes: LAST_ACK; A: TIME_WAIT; A's ack: B CLOSED. */
	CHECK_EQ(xmp_msk_shutdown(l.b), 0);
	CHECK_EQ(l.b->state, XMP_MSK_LAST_ACK);
	fin_only(l.b, l.a, &rxa);
	CHECK_EQ(l.a->state, XMP_MSK_TIME_WAIT);
	CHECK_EQ(xmp_msk_data_ack(l.a), ISN_BA + 1);
	CHECK_EQ(xmp_msk_rcv_data_ack(l.b, xmp_msk_data_ack(l.a), 1000), 1);
	CHECK_EQ(l.b->state, XMP_MSK_CLOSED);
	CHECK_EQ(l.a->mib[XMP_MSK_MIB_DATA_FIN_IN], 1);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_DATA_FIN_IN], 1);
	loop_free(&l);
}

/* Both DATA_FINs cross: FIN_WAIT1 -> CLOSING -> TIME_WAIT on both sides. */
static void test_conn_simultaneous_close(void)
{
	struct xmp_rxmap rxa, rxb;
	struct loop l;

	loop_init(&l, 64 * 1024);
	xmp_rxmap_init(&rxa);
	xmp_rxmap_init(&rxb);
	CHECK_EQ(xmp_msk_shutdown(l.a), 0);
	CHECK_EQ(xmp_msk_shutdown(l.b), 0);
	fin_only(l.a, l.b, &rxb);
	fin_only(l.b, l.a, &rxa);
	CHECK_EQ(l.a->state, XMP_MSK_CLOSING);
	CHECK_EQ(l.b->state, XMP_MSK_CLOSING);
	CHECK_EQ(xmp_msk_rcv_data_ack(l.a, xmp_msk_data_ack(l.b), 0), 1);
	CHECK_EQ(xmp_msk_rcv_data_ack(l.b, xmp_msk_data_ack(l.a), 0), 1);
	CHECK_EQ(l.a->state, XMP_MSK_TIME_WAIT);
	CHECK_EQ(l.b->state, XMP_MSK_TIME_WAIT);
	CHECK_EQ(xmp_msk_shutdown(l.a), 0); /* idempotent */
	loop_free(&l);
}

/* 3.5: MP_FASTCLOSE carries the receiver's key; a wrong one is ignored. */
static void test_conn_fastclose(void)
{
	struct xmp_msk *a, *b;
	struct xmp_fastclose fc;
	__u64 ka = 0x1122334455667788ULL, kb = 0x8877665544332211ULL;
	__u64 ia;

	CHECK_EQ(xmp_msk_create(&a, NULL, ka, kb, false), 0);
	CHECK_EQ(xmp_msk_create(&b, NULL, kb, ka, false), 0);
	xmp_crypto_key_sha(ka, NULL, &ia);
	CHECK_EQ(a->snd_nxt, ia + 1); /* 3.1: first DSN = IDSN + 1 */
	CHECK_EQ(b->ack_seq, ia + 1);
	CHECK_EQ(xmp_msk_rcv_fastclose(b, ka), -EBADMSG); /* sender's own key */
	CHECK_EQ(xmp_msk_rcv_fastclose(b, kb ^ 1), -EBADMSG);
	CHECK_EQ(b->mib[XMP_MSK_MIB_FASTCLOSE_BADKEY], 2);
	CHECK_EQ(b->state, XMP_MSK_ESTABLISHED);
	CHECK(!b->aborted);
	CHECK_EQ(xmp_msk_fastclose(a, &fc), 0);
	CHECK_EQ(fc.rcvr_key, kb);
	CHECK(a->aborted);
	CHECK_EQ(a->state, XMP_MSK_CLOSED);
	CHECK_EQ(xmp_msk_send(a, "x", 1), -EPIPE);
	CHECK_EQ(xmp_msk_rcv_fastclose(b, fc.rcvr_key), 0);
	CHECK(b->aborted);
	CHECK_EQ(b->state, XMP_MSK_CLOSED);
	CHECK_EQ(b->mib[XMP_MSK_MIB_FASTCLOSE_IN], 1);
	xmp_msk_destroy(a);
	xmp_msk_destroy(b);
}

/* The out-of-order table is bounded: excess chunks dropped and counted, the
 * stream still completes when the sender repeats them. */
static void test_conn_ofo_bounded(void)
{
	enum { ISLANDS = XMP_MSK_MAX_OFO + 8, LEN = 2 * ISLANDS + 40 };
	__u8 d[LEN], out[LEN];
	struct loop l;
	unsigned int i;

	loop_init(&l, 64 * 1024);
	fill(d, sizeof(d), 8);
	/* one-byte islands at odd offsets, 8 more than XMP_MSK_MAX_OFO */
	for (i = 0; i < ISLANDS; i++)
		xmp_msk_rcv_dsn(l.b, ISN_AB + 1 + 2 * i, d + 1 + 2 * i, 1);
	CHECK_EQ(l.b->nr_ofo, XMP_MSK_MAX_OFO);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_OFO_DROP], ISLANDS - XMP_MSK_MAX_OFO);
	CHECK_EQ(xmp_msk_readable(l.b), 0);
	/* The whole range again: in order now, islands counted as duplicates. */
	CHECK_EQ(xmp_msk_rcv_dsn(l.b, ISN_AB, d, LEN), LEN - XMP_MSK_MAX_OFO);
	CHECK_EQ(l.b->nr_ofo, 0);
	CHECK_EQ(xmp_msk_read(l.b, out, sizeof(out)), LEN);
	CHECK_MEM(out, d, LEN);
	CHECK_EQ(xmp_msk_rcv_dsn(l.b, ISN_AB + 50, d, 10), 0);
	CHECK_EQ(l.b->mib[XMP_MSK_MIB_DUP_DATA], XMP_MSK_MAX_OFO + 10);
	loop_free(&l);
}

/* 3.3.1 with checksums: a mapping spanning two segments is taken whole,
 * once its last byte is there and the checksum matched. */
static void test_conn_csum_whole_mapping(void)
{
	struct xmp_msk_cfg cfg = {.rcvbuf = 8192};
	struct xmp_rx_map m = {0};
	struct xmp_sf_data_res res;
	struct xmp_rxmap rx;
	struct xmp_msk *b;
	__u8 d[1200], out[1200];

	fill(d, sizeof(d), 13);
	CHECK_EQ(xmp_msk_create_seq(&b, &cfg, 1, ISN_AB, true), 0);
	xmp_rxmap_init(&rx);
	m.dsn = ISN_AB;
	m.ssn = 0xffffff00u; /* crosses 2^32 */
	m.len = sizeof(d);
	/* Checksums negotiated: a mapping without one is invalid. */
	CHECK_EQ(xmp_rxmap_add(b, &rx, &m, m.ssn), -EBADMSG);
	m.csum_present = true;
	m.csum = xmp_dss_csum_buf(m.dsn, m.ssn, (__u16)m.len, d, m.len);
	CHECK_EQ(xmp_rxmap_add(b, &rx, &m, m.ssn), 0);
	CHECK_EQ(xmp_msk_sf_data(b, &rx, m.ssn, d, 700, &res), 0);
	CHECK_EQ(res.consumed, 0);
	CHECK_EQ(res.want, sizeof(d));
	CHECK_EQ(xmp_msk_readable(b), 0);
	CHECK_EQ(xmp_msk_sf_data(b, &rx, m.ssn, d, sizeof(d), &res), 0);
	CHECK_EQ(res.consumed, sizeof(d));
	CHECK(!res.csum_fail);
	CHECK_EQ(xmp_msk_read(b, out, sizeof(out)), (long)sizeof(d));
	CHECK_MEM(out, d, sizeof(d));
	CHECK_EQ(b->mib[XMP_MSK_MIB_CSUM_ERR], 0);
	xmp_msk_destroy(b);
}

/* Garbage mappings and data in any order: never a crash or an out-of-bounds
 * access (the ASan build traps them), and every table and buffer bound
 * holds. */
static void test_conn_random_robust(void)
{
	struct xmp_msk_cfg cfg = {.sndbuf = 4096, .rcvbuf = 4096};
	struct xmp_sf_data_res res;
	struct xmp_rxmap rx;
	struct xmp_msk *b;
	__u8 d[2000], out[4096];
	int i;

	rng_state = 99;
	CHECK_EQ(xmp_msk_create_seq(&b, &cfg, 1, ISN_AB, false), 0);
	xmp_rxmap_init(&rx);
	for (i = 0; i < 20000; i++) {
		struct xmp_dss dss = {0};
		struct xmp_rx_map m;
		__u32 ssn = rnd() % 8000, len = rnd() % sizeof(d), k;
		__u64 dsn = ISN_AB + (__u64)(rnd() % 12000) - 2000;
		long n;

		dss.use_map = 1;
		dss.dsn64 = rnd() & 1;
		dss.data_seq = dss.dsn64 ? dsn : (__u32)dsn;
		dss.subflow_seq = ssn;
		dss.data_len = (__u16)(rnd() % 3000);
		dss.data_fin = (rnd() % 50) == 0;
		dss.infinite = !dss.data_len;
		xmp_msk_dss_to_map(b, &dss, &m);
		xmp_rxmap_add(b, &rx, &m, rnd() % 8000);
		CHECK(rx.n <= XMP_RXMAP_MAX);
		ssn = rnd() % 8000;
		for (k = 0; k < len; k++)
			d[k] = (__u8)rnd();
		CHECK_EQ(xmp_msk_sf_data(b, &rx, ssn, d, len, &res), 0);
		CHECK(res.consumed <= len);
		xmp_msk_rcv_dsn(b, dsn, d, len);
		CHECK(b->nr_ofo <= XMP_MSK_MAX_OFO);
		CHECK(xmp_msk_readable(b) <= cfg.rcvbuf);
		n = xmp_msk_read(b, out, rnd() % sizeof(out));
		CHECK(n <= (long)sizeof(out));
		if (b->aborted || b->state == XMP_MSK_CLOSED)
			break;
	}
	xmp_msk_destroy(b);
}

int main(void)
{
	RUN(test_conn_two_subflows_ooo_dup);
	RUN(test_conn_spans);
	RUN(test_conn_map_contradict);
	RUN(test_conn_data_ack_unsent);
	RUN(test_conn_rcv_window);
	RUN(test_conn_data_fin);
	RUN(test_conn_simultaneous_close);
	RUN(test_conn_fastclose);
	RUN(test_conn_ofo_bounded);
	RUN(test_conn_csum_whole_mapping);
	RUN(test_conn_random_robust);
	return t_exit_code();
}

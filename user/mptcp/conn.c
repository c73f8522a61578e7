// SPDX-License-Identifier: GPL-2.0
/*
 * MPTCP connection level (msk): data sequence space, DSS mappings on send,
 * connection-level reassembly on receive, DATA_ACK and windows relative to
 * it, DATA_FIN, MP_FASTCLOSE, MP_FAIL bookkeeping; the received mappings of
 * each subflow are validated and applied in rxmap.c. See conn.h for the
 * role of each entry point and the intended glue with the subflow engine;
 * this file does no I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ring.h"
#include "common/seq.h"
#include "mptcp/conn.h"
#include "mptcp/crypto.h"

#define XMP_MSK_DEF_BUF (256u * 1024)
#define XMP_MSK_DEF_WND 65535u

static __u64 min64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/*
 * ---- rings: byte @dsn lives at (dsn - isn) % cap, continuous over 2^64 ----
 * No head or length of their own: see common/ring.h for why they differ
 * from the subflow engine's struct xmp_ring while sharing its copies.
 */

static void ring_put(__u8 *ring, __u32 cap, __u64 off, const __u8 *src, __u32 len)
{
	xmp_wrap_write(ring, cap, (__u32)(off % cap), src, len);
}

static void ring_get(const __u8 *ring, __u32 cap, __u64 off, __u8 *dst, __u32 len)
{
	xmp_wrap_read(ring, cap, (__u32)(off % cap), dst, len);
}

/* Where byte @off is, and how many of the @avail from it lie before the
 * wrap (*len; 0: none, NULL). */
static __u8 *ring_span(__u8 *ring, __u32 cap, __u64 off, __u32 avail, __u32 *len)
{
	__u32 pos = (__u32)(off % cap);

	*len = xmp_wrap_first(cap, pos, avail);
	return *len ? ring + pos : NULL;
}

static void ring_csum(const __u8 *ring, __u32 cap, __u64 off, __u32 len, struct xmp_csum *c)
{
	__u32 pos = (__u32)(off % cap), first = xmp_wrap_first(cap, pos, len);

	xmp_csum_add(c, ring + pos, first);
	xmp_csum_add(c, ring, len - first);
}

/* An application's write or read of @n bytes, at most @max, moves @seq and
 * the byte counter @count: the copy calls and the span commits alike. */
static void ring_advance(__u64 *seq, __u64 *count, __u32 n, __u32 max)
{
	n = n < max ? n : max;
	*seq += n;
	*count += n;
}

/* ---- lifecycle ---- */

int xmp_msk_create_seq(struct xmp_msk **mskp, const struct xmp_msk_cfg *cfg, __u64 snd_isn,
		       __u64 rcv_isn, bool csum)
{
	struct xmp_msk *msk;
	int err = -ENOMEM;

	if (!mskp)
		return -EINVAL;
	*mskp = NULL;
	msk = calloc(1, sizeof(*msk));
	if (!msk)
		goto out;
	if (cfg)
		msk->cfg = *cfg;
	if (!msk->cfg.sndbuf)
		msk->cfg.sndbuf = XMP_MSK_DEF_BUF;
	if (!msk->cfg.rcvbuf)
		msk->cfg.rcvbuf = XMP_MSK_DEF_BUF;
	msk->sndq = malloc(msk->cfg.sndbuf);
	msk->rcvq = malloc(msk->cfg.rcvbuf);
	if (!msk->sndq || !msk->rcvq)
		goto out;

	msk->state = XMP_MSK_ESTABLISHED;
	msk->csum = csum;
	msk->snd_isn = snd_isn;
	msk->snd_una = msk->snd_nxt = msk->write_seq = snd_isn;
	msk->snd_wnd_end = snd_isn + XMP_MSK_DEF_WND;
	msk->rcv_isn = rcv_isn;
	msk->ack_seq = msk->rcv_base = rcv_isn;
	*mskp = msk;
	return 0;
out:
	xmp_msk_destroy(msk);
	return err;
}

/* RFC 8684 3.1/3.3: the first data byte has DSN IDSN + 1. */
int xmp_msk_create(struct xmp_msk **mskp, const struct xmp_msk_cfg *cfg, __u64 local_key,
		   __u64 remote_key, bool csum)
{
	__u64 lidsn, ridsn;
	int err;

	xmp_crypto_key_sha(local_key, NULL, &lidsn);
	xmp_crypto_key_sha(remote_key, NULL, &ridsn);
	err = xmp_msk_create_seq(mskp, cfg, lidsn + 1, ridsn + 1, csum);
	if (err)
		return err;
	(*mskp)->local_key = local_key;
	(*mskp)->remote_key = remote_key;
	return 0;
}

void xmp_msk_destroy(struct xmp_msk *msk)
{
	if (!msk)
		return;
	free(msk->sndq);
	free(msk->rcvq);
	free(msk);
}

/* ---- send side ---- */

/* First byte sndq must keep: the DATA_ACK, or an older byte a subflow may
 * still send (xmp_msk_snd_keep()). */
static __u64 snd_tail(const struct xmp_msk *msk)
{
	return msk->snd_keep_on && before64(msk->snd_keep, msk->snd_una) ? msk->snd_keep
									 : msk->snd_una;
}

/* Bytes held in sndq: [snd_tail, write_seq), none once the DATA_FIN is acked
 * (nothing more is written then); never more than it holds, whatever the
 * keep mark says. */
static __u32 snd_buffered(const struct xmp_msk *msk)
{
	__u64 n = msk->write_seq - snd_tail(msk);

	if (msk->fin_acked)
		return 0;
	return n < msk->cfg.sndbuf ? (__u32)n : msk->cfg.sndbuf;
}

void xmp_msk_snd_keep(struct xmp_msk *msk, __u64 dsn)
{
	msk->snd_keep = dsn;
	msk->snd_keep_on = true;
}

/* Whatever the keep mark says, a byte is still there until a write reached
 * its slot again: from write_seq - sndbuf on (and never before the first). */
const __u8 *xmp_msk_snd_span(const struct xmp_msk *msk, __u64 dsn, __u32 *len)
{
	__u64 first = msk->write_seq - msk->snd_isn > msk->cfg.sndbuf
			      ? msk->write_seq - msk->cfg.sndbuf
			      : msk->snd_isn;

	if (before64(dsn, first) || after64(dsn + *len, msk->write_seq)) {
		*len = 0;
		return NULL;
	}
	return ring_span(msk->sndq, msk->cfg.sndbuf, dsn - msk->snd_isn, *len, len);
}

__u32 xmp_msk_writable(const struct xmp_msk *msk)
{
	if (msk->fin_queued || msk->aborted || msk->state == XMP_MSK_CLOSED)
		return 0;
	return msk->cfg.sndbuf - snd_buffered(msk);
}

long xmp_msk_send(struct xmp_msk *msk, const void *buf, size_t len)
{
	__u32 room, n;

	if (!msk || (!buf && len))
		return -EINVAL;
	if (msk->fin_queued || msk->aborted || msk->state == XMP_MSK_CLOSED)
		return -EPIPE;
	room = xmp_msk_writable(msk);
	n = len < room ? (__u32)len : room;
	if (n)
		ring_put(msk->sndq, msk->cfg.sndbuf, msk->write_seq - msk->snd_isn, buf, n);
	xmp_msk_send_commit(msk, n);
	return n;
}

__u8 *xmp_msk_send_span(struct xmp_msk *msk, __u32 *len)
{
	return ring_span(msk->sndq, msk->cfg.sndbuf, msk->write_seq - msk->snd_isn,
			 xmp_msk_writable(msk), len);
}

void xmp_msk_send_commit(struct xmp_msk *msk, __u32 n)
{
	ring_advance(&msk->write_seq, &msk->mib[XMP_MSK_MIB_SND_BUF_BYTES], n,
		     xmp_msk_writable(msk));
}

/*
 * ---- the close state machine (RFC 8684 3.3.3, TCP's states at the data
 * level, as Linux's mptcp_close_state() and mptcp_check_data_fin{,_ack}()):
 * each event a table of the moves it makes; in any other state it makes none.
 */

struct msk_move {
	__u8 from, to;
};

static const struct msk_move on_shutdown[] = {
	{ XMP_MSK_ESTABLISHED, XMP_MSK_FIN_WAIT1 },
	{ XMP_MSK_CLOSE_WAIT, XMP_MSK_LAST_ACK },
};
static const struct msk_move on_fin_acked[] = {
	{ XMP_MSK_FIN_WAIT1, XMP_MSK_FIN_WAIT2 },
	{ XMP_MSK_CLOSING, XMP_MSK_TIME_WAIT },
	{ XMP_MSK_LAST_ACK, XMP_MSK_CLOSED },
};
static const struct msk_move on_fin_in[] = {
	{ XMP_MSK_ESTABLISHED, XMP_MSK_CLOSE_WAIT },
	{ XMP_MSK_FIN_WAIT1, XMP_MSK_CLOSING },
	{ XMP_MSK_FIN_WAIT2, XMP_MSK_TIME_WAIT },
};

/* False: the event moves nothing in this state. */
static bool msk_move(struct xmp_msk *msk, const struct msk_move *t, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (msk->state == t[i].from) {
			msk->state = t[i].to;
			return true;
		}
	return false;
}

#define MSK_MOVE(msk, t) msk_move(msk, t, sizeof(t) / sizeof(t[0]))

/* DATA_FIN after every queued byte. */
int xmp_msk_shutdown(struct xmp_msk *msk)
{
	if (msk->fin_queued)
		return 0;
	if (!MSK_MOVE(msk, on_shutdown))
		return -ENOTCONN;
	msk->fin_queued = true;
	return 0;
}

void xmp_msk_init_wnd(struct xmp_msk *msk, __u32 wnd)
{
	__u64 end = msk->snd_una + wnd;

	if (!msk->data_ack_seen)
		msk->snd_wnd_end = end;
}

__u64 xmp_msk_snd_wnd(const struct xmp_msk *msk)
{
	return span64(msk->snd_nxt, msk->snd_wnd_end);
}

static void fill_map(struct xmp_msk *msk, struct xmp_tx_map *map, __u64 dsn, __u32 len, bool fin)
{
	memset(map, 0, sizeof(*map));
	map->dsn = dsn;
	map->len = len;
	map->fin = fin;
	map->csum_ok = msk->csum;
	xmp_csum_init(&map->payload);
	if (msk->csum && len)
		ring_csum(msk->sndq, msk->cfg.sndbuf, dsn - msk->snd_isn, len, &map->payload);
}

__u16 xmp_tx_map_csum(const struct xmp_tx_map *map, __u32 ssn)
{
	if (map->infinite)
		return 0;
	return xmp_dss_csum(map->dsn, ssn, (__u16)(map->len + map->fin), &map->payload);
}

/*
 * RFC 8684 3.3.1: a mapping is limited to 16 bits of data-level length;
 * 3.3.4: new data only up to DATA_ACK + the peer's window. The DATA_FIN needs
 * no window: it ends the last mapping or goes alone (len 0).
 */
int xmp_msk_next_map(struct xmp_msk *msk, __u32 max_len, struct xmp_tx_map *map)
{
	bool infinite = msk->send_infinite;
	__u64 avail, wnd, n;
	bool fin;

	if (!map || msk->aborted || msk->state == XMP_MSK_CLOSED)
		return 0;
	if (max_len > 0xfffe)
		max_len = 0xfffe;
	avail = span64(msk->snd_nxt, msk->write_seq);
	wnd = xmp_msk_snd_wnd(msk);
	n = min64(min64(avail, wnd), max_len);
	if (n < avail && n < max_len && n == wnd)
		msk->mib[XMP_MSK_MIB_SND_WND_LIMITED]++;
	fin = msk->fin_queued && !msk->fin_mapped && msk->snd_nxt + n == msk->write_seq;
	if (!n && !fin && !infinite)
		return 0;

	fill_map(msk, map, msk->snd_nxt, (__u32)n, fin);
	msk->snd_nxt += n;
	if (fin) {
		msk->snd_nxt++;
		msk->fin_mapped = true;
		msk->mib[XMP_MSK_MIB_DATA_FIN_OUT]++;
	}
	if (infinite) {
		/* 3.7: the infinite mapping starts at the DSN of the MP_FAIL;
		 * from here on the subflow stream is the data stream. */
		map->infinite = true;
		msk->send_infinite = false;
		xmp_msk_fallback(msk);
	}
	msk->mib[XMP_MSK_MIB_MAPS_OUT]++;
	return 1;
}

int xmp_msk_remap(struct xmp_msk *msk, __u64 dsn, __u32 max_len, struct xmp_tx_map *map)
{
	__u64 data_end, n;
	bool fin;

	if (!map)
		return -EINVAL;
	if (before64(dsn, msk->snd_una) || !before64(dsn, msk->snd_nxt))
		return 0;
	if (max_len > 0xfffe)
		max_len = 0xfffe;
	/* Mapped data ends at snd_nxt, or at the DATA_FIN's DSN once mapped. */
	data_end = msk->fin_mapped ? msk->write_seq : msk->snd_nxt;
	n = before64(dsn, data_end) ? min64(data_end - dsn, max_len) : 0;
	fin = msk->fin_mapped && dsn + n == msk->write_seq;
	fill_map(msk, map, dsn, (__u32)n, fin);
	msk->mib[XMP_MSK_MIB_REINJECT]++;
	return 1;
}

int xmp_msk_copy(struct xmp_msk *msk, __u64 dsn, void *buf, __u32 len)
{
	if (before64(dsn, msk->snd_una) || after64(dsn + len, msk->write_seq))
		return -ERANGE;
	if (len)
		ring_get(msk->sndq, msk->cfg.sndbuf, dsn - msk->snd_isn, buf, len);
	msk->mib[XMP_MSK_MIB_SND_COPY_BYTES] += len;
	return 0;
}

/* Our DATA_FIN acked. */
static void data_fin_acked(struct xmp_msk *msk)
{
	msk->fin_acked = true;
	MSK_MOVE(msk, on_fin_acked);
}

/*
 * RFC 8684 3.3.2: a DATA_ACK acknowledges every DSN below it. One above what
 * we sent is bogus (Linux ignores it the same way); 3.3.4: the window of the
 * segment is relative to the DATA_ACK and the right edge never recedes.
 */
long xmp_msk_rcv_data_ack(struct xmp_msk *msk, __u64 ack, __u32 wnd)
{
	__u64 acked, end;

	if (after64(ack, msk->snd_nxt)) {
		msk->mib[XMP_MSK_MIB_DATA_ACK_INVALID]++;
		return -EINVAL;
	}
	if (before64(ack, msk->snd_una)) {
		msk->mib[XMP_MSK_MIB_DATA_ACK_OLD]++;
		return 0;
	}
	acked = ack - msk->snd_una;
	msk->snd_una = ack;
	if (acked) {
		/* 3.7: our data made a round trip with MPTCP options. */
		msk->data_ack_seen = true;
		msk->mib[XMP_MSK_MIB_DATA_ACK_IN]++;
	}
	if (msk->fin_mapped && !msk->fin_acked && ack == msk->write_seq + 1)
		data_fin_acked(msk);
	end = ack + wnd;
	if (after64(end, msk->snd_wnd_end))
		msk->snd_wnd_end = end;
	return (long)acked;
}

/* ---- receive side: reassembly keyed by 64-bit DSN ---- */

__u32 xmp_msk_rcv_wnd(const struct xmp_msk *msk)
{
	__u64 edge = xmp_msk_rcv_edge(msk);

	return after64(edge, msk->ack_seq) ? (__u32)(edge - msk->ack_seq) : 0;
}

/* The peer's DATA_FIN reached in order: it takes one DSN (3.3.3). */
static void data_fin_in_order(struct xmp_msk *msk)
{
	if (!msk->rcv_fin || msk->rcv_fin_done || msk->ack_seq != msk->rcv_fin_seq)
		return;
	msk->ack_seq++;
	msk->rcv_fin_done = true;
	msk->mib[XMP_MSK_MIB_DATA_FIN_IN]++;
	MSK_MOVE(msk, on_fin_in);
}

/* Whether any out-of-order data lies past @dsn. */
static bool ofo_beyond(const struct xmp_msk *msk, __u64 dsn)
{
	unsigned int i;

	for (i = 0; i < msk->nr_ofo; i++)
		if (after64(msk->ofo[i].end, dsn))
			return true;
	return false;
}

int xmp_msk_rcv_data_fin(struct xmp_msk *msk, __u64 dsn)
{
	if (msk->rcv_fin) {
		if (dsn == msk->rcv_fin_seq)
			return 0;
		msk->mib[XMP_MSK_MIB_DATA_FIN_BAD]++;
		return -EBADMSG;
	}
	/* 3.3.3: nothing follows the DATA_FIN, so data received past it
	 * (acknowledged, or held out of order) contradicts it. Taking it
	 * anyway would let ack_seq jump over it once a hole fills: it would
	 * never be consumed and the connection never close. */
	if (before64(dsn, msk->ack_seq) || ofo_beyond(msk, dsn)) {
		msk->mib[XMP_MSK_MIB_DATA_FIN_BAD]++;
		return -EBADMSG;
	}
	msk->rcv_fin = true;
	msk->rcv_fin_seq = dsn;
	data_fin_in_order(msk);
	return 0;
}

/* Bytes of [s, e) already held in the out-of-order ranges. */
static __u64 ofo_overlap(const struct xmp_msk *msk, __u64 s, __u64 e)
{
	__u64 dup = 0;
	unsigned int i;

	for (i = 0; i < msk->nr_ofo; i++) {
		__u64 a = after64(msk->ofo[i].start, s) ? msk->ofo[i].start : s;
		__u64 b = before64(msk->ofo[i].end, e) ? msk->ofo[i].end : e;

		if (before64(a, b))
			dup += b - a;
	}
	return dup;
}

/* Merge [s, e) into the ranges. false when the table is full. */
static bool ofo_insert(struct xmp_msk *msk, __u64 s, __u64 e)
{
	unsigned int i = 0;

	while (i < msk->nr_ofo) {
		struct xmp_dsn_range *r = &msk->ofo[i];

		if (!after64(r->start, e) && !before64(r->end, s)) {
			if (before64(r->start, s))
				s = r->start;
			if (after64(r->end, e))
				e = r->end;
			*r = msk->ofo[--msk->nr_ofo];
			continue;
		}
		i++;
	}
	if (msk->nr_ofo == XMP_MSK_MAX_OFO)
		return false;
	msk->ofo[msk->nr_ofo].start = s;
	msk->ofo[msk->nr_ofo].end = e;
	msk->nr_ofo++;
	return true;
}

/* ack_seq moves over the ranges it now reaches. */
static void ofo_advance(struct xmp_msk *msk)
{
	bool moved = true;

	while (moved) {
		unsigned int i;

		moved = false;
		for (i = 0; i < msk->nr_ofo; i++) {
			if (after64(msk->ofo[i].start, msk->ack_seq))
				continue;
			if (after64(msk->ofo[i].end, msk->ack_seq))
				msk->ack_seq = msk->ofo[i].end;
			msk->ofo[i] = msk->ofo[--msk->nr_ofo];
			moved = true;
			break;
		}
	}
}

/*
 * Connection-level reassembly (RFC 8684 3.3.1: the receiver reorders by DSN
 * whatever subflow the bytes came on). Bytes below ack_seq or already held
 * are duplicates (another subflow, a reinjection) and count once; bytes past
 * the window or past the DATA_FIN are dropped.
 */
long xmp_msk_rcv_dsn(struct xmp_msk *msk, __u64 dsn, const __u8 *data, __u32 len)
{
	__u64 s = dsn, e = dsn + len, edge = xmp_msk_rcv_edge(msk), dup;

	if (!len || msk->aborted)
		return 0;
	if (!after64(e, msk->ack_seq)) {
		msk->mib[XMP_MSK_MIB_DUP_DATA] += len;
		return 0;
	}
	if (before64(s, msk->ack_seq)) {
		msk->mib[XMP_MSK_MIB_DUP_DATA] += msk->ack_seq - s;
		data += msk->ack_seq - s;
		s = msk->ack_seq;
	}
	/* Nothing exists past the DATA_FIN. */
	if (msk->rcv_fin && before64(msk->rcv_fin_seq, edge))
		edge = msk->rcv_fin_seq;
	if (after64(e, edge)) {
		__u64 cut = after64(s, edge) ? e - s : e - edge;

		msk->mib[XMP_MSK_MIB_RCV_OUT_OF_WINDOW] += cut;
		e -= cut;
		if (!before64(s, e))
			return 0;
	}

	dup = ofo_overlap(msk, s, e);
	if (s != msk->ack_seq) {
		if (!ofo_insert(msk, s, e)) {
			msk->mib[XMP_MSK_MIB_OFO_DROP]++;
			return 0;
		}
		msk->mib[XMP_MSK_MIB_OFO_QUEUED]++;
	}
	ring_put(msk->rcvq, msk->cfg.rcvbuf, s - msk->rcv_isn, data, (__u32)(e - s));
	msk->mib[XMP_MSK_MIB_RCV_BUF_BYTES] += e - s;
	if (s == msk->ack_seq) {
		msk->ack_seq = e;
		ofo_advance(msk);
	}
	msk->mib[XMP_MSK_MIB_DUP_DATA] += dup;
	msk->mib[XMP_MSK_MIB_DATA_IN] += e - s - dup;
	data_fin_in_order(msk);
	return (long)(e - s - dup);
}

__u32 xmp_msk_readable(const struct xmp_msk *msk)
{
	__u64 end = msk->rcv_fin_done ? msk->ack_seq - 1 : msk->ack_seq;

	return (__u32)(end - msk->rcv_base);
}

long xmp_msk_read(struct xmp_msk *msk, void *buf, size_t len)
{
	__u32 n = xmp_msk_readable(msk);

	if (!msk || (!buf && len))
		return -EINVAL;
	if (len < n)
		n = (__u32)len;
	if (!n)
		return msk->rcv_fin_done ? 0 : -EAGAIN;
	ring_get(msk->rcvq, msk->cfg.rcvbuf, msk->rcv_base - msk->rcv_isn, buf, n);
	xmp_msk_read_commit(msk, n);
	return n;
}

const __u8 *xmp_msk_read_span(const struct xmp_msk *msk, __u32 *len)
{
	return ring_span(msk->rcvq, msk->cfg.rcvbuf, msk->rcv_base - msk->rcv_isn,
			 xmp_msk_readable(msk), len);
}

void xmp_msk_read_commit(struct xmp_msk *msk, __u32 n)
{
	ring_advance(&msk->rcv_base, &msk->mib[XMP_MSK_MIB_READ_BYTES], n,
		     xmp_msk_readable(msk));
}

/* ---- MP_FASTCLOSE, MP_FAIL, fallback ---- */

/* RFC 8684 3.5: the option carries the receiver's key, i.e. the peer's. */
int xmp_msk_fastclose(struct xmp_msk *msk, struct xmp_fastclose *fc)
{
	fc->rcvr_key = msk->remote_key;
	msk->aborted = true;
	msk->state = XMP_MSK_CLOSED;
	msk->mib[XMP_MSK_MIB_FASTCLOSE_OUT]++;
	return 0;
}

int xmp_msk_rcv_fastclose(struct xmp_msk *msk, __u64 key)
{
	if (key != msk->local_key) {
		msk->mib[XMP_MSK_MIB_FASTCLOSE_BADKEY]++;
		return -EBADMSG;
	}
	msk->aborted = true;
	msk->state = XMP_MSK_CLOSED;
	msk->mib[XMP_MSK_MIB_FASTCLOSE_IN]++;
	return 0;
}

/* RFC 8684 3.7: the peer dropped data from @dsn on; resend it under an
 * infinite mapping starting there. */
void xmp_msk_mp_fail_bad(struct xmp_msk *msk)
{
	msk->mib[XMP_MSK_MIB_MP_FAIL_BAD]++;
}

int xmp_msk_rcv_mp_fail(struct xmp_msk *msk, __u64 dsn)
{
	if (before64(dsn, msk->snd_una) || after64(dsn, msk->snd_nxt)) {
		xmp_msk_mp_fail_bad(msk);
		return -EINVAL;
	}
	/* Repeats (the peer sends it until our infinite mapping arrives). */
	if (msk->fallback || (msk->send_infinite && msk->infinite_dsn == dsn))
		return 0;
	msk->mib[XMP_MSK_MIB_MP_FAIL_IN]++;
	msk->send_infinite = true;
	msk->infinite_dsn = dsn;
	msk->snd_nxt = dsn;
	if (msk->fin_mapped && !after64(dsn, msk->write_seq))
		msk->fin_mapped = false;
	return 0;
}

void xmp_msk_fallback(struct xmp_msk *msk)
{
	if (msk->fallback)
		return;
	msk->fallback = true;
	msk->mib[XMP_MSK_MIB_FALLBACK]++;
}

static const char *const msk_state_names[] = { XMP_MSK_STATE_LIST(XMP_NAME_ROW) };

const char *xmp_msk_state_name(enum xmp_msk_state st)
{
	return XMP_NAME_OF(msk_state_names, st, "?");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The received mappings of a subflow (RFC 8684 3.3.1): the DSS mappings a
 * subflow got, validated against each other (struct xmp_rxmap), and its
 * in-order payload turned into DSN-keyed bytes for the connection-level
 * reassembly buffer (conn.c's xmp_msk_rcv_dsn()), checksummed mappings
 * taken whole (3.3.1), what fails them reported for MP_FAIL (3.7). Pure:
 * no I/O. Call chain: subflow.c xmp_sf_rcv_options -> xmp_msk_dss_to_map,
 * xmp_rxmap_add; xmp_sf_data -> xmp_msk_sf_data -> xmp_msk_rcv_dsn.
 */
#include <errno.h>
#include <string.h>

#include "common/seq.h"
#include "mptcp/conn.h"

/* ---- per-subflow mapping table (RFC 8684 3.3.1) ---- */

void xmp_msk_dss_to_map(const struct xmp_msk *msk, const struct xmp_dss *dss,
			struct xmp_rx_map *map)
{
	memset(map, 0, sizeof(*map));
	map->dsn = dss->dsn64 ? dss->data_seq : xmp_expand_seq(msk->ack_seq, (__u32)dss->data_seq);
	map->ssn = dss->subflow_seq;
	map->infinite = dss->infinite;
	map->fin = dss->data_fin && !dss->infinite;
	map->len = dss->infinite ? 0 : dss->data_len - map->fin;
	map->csum_present = dss->csum_present;
	map->csum = dss->csum;
	/* 3.3.3: F with data-level length 0 is neither a DATA_FIN (which takes
	 * one DSN) nor an infinite mapping (3.7, which carries no DATA_FIN):
	 * not taken as the infinite mapping it looks like, which would force
	 * a fallback; xmp_rxmap_add() refuses it. */
	if (dss->infinite && dss->data_fin) {
		map->infinite = false;
		map->fin = true;
		map->fin_no_len = true;
	}
}

static __u32 map_end(const struct xmp_rx_map *m)
{
	return m->ssn + m->len;
}

/* Two mappings agree where their subflow ranges overlap: the DSN offset
 * equals the subflow offset. */
static bool map_consistent(const struct xmp_rx_map *a, const struct xmp_rx_map *b)
{
	__u32 s = xmp_seq_before(a->ssn, b->ssn) ? b->ssn : a->ssn;
	__u32 e = xmp_seq_before(map_end(a), map_end(b)) ? map_end(a) : map_end(b);

	if (!xmp_seq_before(s, e))
		return true; /* no overlap */
	return b->dsn - a->dsn == (__u64)(__s64)(__s32)(b->ssn - a->ssn);
}

static void rxmap_del(struct xmp_rxmap *rx, unsigned int i)
{
	memmove(&rx->m[i], &rx->m[i + 1], (rx->n - i - 1) * sizeof(rx->m[0]));
	rx->n--;
}

static int map_invalid(struct xmp_msk *msk)
{
	msk->mib[XMP_MSK_MIB_MAP_INVALID]++;
	return -EBADMSG;
}

int xmp_rxmap_add(struct xmp_msk *msk, struct xmp_rxmap *rx, const struct xmp_rx_map *map,
		  __u32 ssn_consumed)
{
	unsigned int i;

	if (map->infinite) {
		/* 3.7: from here the subflow stream is the data stream. */
		rx->n = 0;
		rx->m[rx->n++] = *map;
		rx->failed = false;
		xmp_msk_fallback(msk);
		return 0;
	}
	if (rx->n && rx->m[0].infinite) {
		msk->mib[XMP_MSK_MIB_MAP_DUP]++;
		return 1;
	}
	if (map->fin_no_len)
		return map_invalid(msk);
	if (!map->len)
		return map->fin ? xmp_msk_rcv_data_fin(msk, map->dsn) : 1;
	/* 3.3.1: once negotiated, every mapping carries a checksum. */
	if (msk->csum && !map->csum_present)
		return map_invalid(msk);
	for (i = 0; i < rx->n; i++)
		if (!map_consistent(&rx->m[i], map))
			return map_invalid(msk);
	if (!xmp_seq_before(ssn_consumed, map_end(map))) {
		/* Its data was consumed already (a retransmission). */
		msk->mib[XMP_MSK_MIB_MAP_DUP]++;
		if (map->fin && xmp_msk_rcv_data_fin(msk, map->dsn + map->len))
			return -EBADMSG;
		return 1;
	}
	for (i = 0; i < rx->n; i++) {
		const struct xmp_rx_map *m = &rx->m[i];

		if (!xmp_seq_before(map->ssn, m->ssn) && !xmp_seq_before(map_end(m), map_end(map)) &&
		    (map->fin == m->fin || map_end(map) != map_end(m))) {
			msk->mib[XMP_MSK_MIB_MAP_DUP]++;
			return 1;
		}
	}
	if (rx->n == XMP_RXMAP_MAX) {
		msk->mib[XMP_MSK_MIB_MAP_TABLE_FULL]++;
		return -ENOSPC;
	}
	/* 3.3.3: the DATA_FIN's DSN is known as soon as its mapping is. */
	if (map->fin && xmp_msk_rcv_data_fin(msk, map->dsn + map->len))
		return -EBADMSG;
	/* Sorted by start relative to the consumed point. */
	for (i = rx->n; i > 0; i--) {
		if (!((__s32)(rx->m[i - 1].ssn - ssn_consumed) > (__s32)(map->ssn - ssn_consumed)))
			break;
		rx->m[i] = rx->m[i - 1];
	}
	rx->m[i] = *map;
	rx->n++;
	msk->mib[XMP_MSK_MIB_MAP_IN]++;
	return 0;
}

/* Drop mappings wholly below @ssn; their DATA_FIN still counts. */
static void rxmap_prune(struct xmp_msk *msk, struct xmp_rxmap *rx, __u32 ssn)
{
	unsigned int i = 0;

	while (i < rx->n) {
		const struct xmp_rx_map *m = &rx->m[i];

		if (!m->infinite && !xmp_seq_before(ssn, m->ssn) && !xmp_seq_before(ssn, map_end(m))) {
			if (m->fin)
				xmp_msk_rcv_data_fin(msk, m->dsn + m->len);
			rxmap_del(rx, i);
			continue;
		}
		i++;
	}
}

/* The mapping for the byte at @ssn: one starting there if any (with
 * checksums only those can be verified whole), else the first covering it. */
static int rxmap_find(const struct xmp_rxmap *rx, __u32 ssn)
{
	unsigned int i;
	int found = -1;

	for (i = 0; i < rx->n; i++) {
		const struct xmp_rx_map *m = &rx->m[i];

		if (xmp_seq_before(ssn, m->ssn))
			continue;
		if (m->ssn == ssn)
			return (int)i;
		if (found < 0 && (m->infinite || xmp_seq_before(ssn, map_end(m))))
			found = (int)i;
	}
	return found;
}

/* 3.7: discard from @dsn on, MP_FAIL with it; bytes are dropped until the
 * peer's infinite mapping (or the subflow is reset). The bytes at hand are
 * discarded by the caller's loop (rx->failed): the mapping's length may
 * reach past them, and consumed never counts bytes not given. */
static void map_csum_fail(struct xmp_rxmap *rx, unsigned int idx, __u64 dsn,
			  struct xmp_sf_data_res *res)
{
	res->csum_fail = true;
	res->fail_dsn = dsn;
	rx->failed = true;
	rx->fail_dsn = dsn;
	rxmap_del(rx, idx);
}

/* End of the run checked with the mapping [cur, end): every mapping that
 * starts inside the run and reaches past it joins, until none does. */
static __u32 csum_run_end(const struct xmp_rxmap *rx, __u32 cur, __u32 end)
{
	bool grown = true;
	unsigned int i;

	while (grown) {
		grown = false;
		for (i = 0; i < rx->n; i++) {
			const struct xmp_rx_map *m = &rx->m[i];

			if (m->infinite || xmp_seq_before(m->ssn, cur) || !xmp_seq_before(m->ssn, end) ||
			    !xmp_seq_before(end, map_end(m)))
				continue;
			end = map_end(m);
			grown = true;
		}
	}
	return end;
}

/* Whether every mapping lying within [cur, end) matches its checksum over
 * @data (the bytes from cur). */
static bool csum_run_ok(const struct xmp_rxmap *rx, __u32 cur, __u32 end, const __u8 *data)
{
	struct xmp_csum c;
	unsigned int i;

	for (i = 0; i < rx->n; i++) {
		const struct xmp_rx_map *m = &rx->m[i];

		if (m->infinite || xmp_seq_before(m->ssn, cur) || xmp_seq_before(end, map_end(m)))
			continue;
		xmp_csum_init(&c);
		xmp_csum_add(&c, data + (m->ssn - cur), m->len);
		if (xmp_dss_csum_check(m->dsn, m->ssn, (__u16)(m->len + m->fin), m->csum, &c))
			return false;
	}
	return true;
}

/*
 * 3.3.4: bytes of [dsn, dsn + n) the data level can take now: up to its
 * window's right edge (duplicates below the DATA_ACK always). What does not
 * fit stays in the subflow's buffer, whose window then closes, instead of
 * being acked at the TCP level and dropped here with nothing to resend it.
 */
static __u32 dlevel_fit(const struct xmp_msk *msk, __u64 dsn, __u32 n)
{
	__u64 edge = xmp_msk_rcv_edge(msk);

	if (!after64(edge, dsn))
		return 0;
	return edge - dsn < n ? (__u32)(edge - dsn) : n;
}

/*
 * 3.3.1: the checksum covers the whole mapping, so a byte is delivered only
 * once every mapping holding it was checked whole. Mappings overlap when the
 * sender cut a retransmission anew (xmptcpd does, per segment): the mappings
 * starting inside the one at @cur and reaching past it are checked with it,
 * so none is ever entered mid-way. Returns the bytes to deliver from cur,
 * 0 to wait for more (res->want) or after a failure (res->csum_fail).
 */
static __u32 csum_take(struct xmp_msk *msk, struct xmp_rxmap *rx, unsigned int idx, __u32 off,
		       const __u8 *data, __u32 len, struct xmp_sf_data_res *res)
{
	const struct xmp_rx_map *m = &rx->m[idx];
	__u32 cur = m->ssn + off, end;

	if (off) {
		/* Its head went out under another mapping (it straddles what
		 * was consumed): it can never be checked whole, and its tail
		 * must not go through unchecked. A checksum failure from the
		 * first byte not delivered, as Linux in effect (it sums from
		 * the read point, so such a mapping fails there). */
		msk->mib[XMP_MSK_MIB_CSUM_UNCHECKABLE]++;
		map_csum_fail(rx, idx, m->dsn + off, res);
		return 0;
	}
	end = csum_run_end(rx, cur, map_end(m));
	if (end - cur > XMP_CSUM_RUN_MAX) {
		msk->mib[XMP_MSK_MIB_CSUM_UNCHECKABLE]++;
		map_csum_fail(rx, idx, m->dsn, res);
		return 0;
	}
	if (len < end - cur) {
		res->want = end - cur;
		return 0;
	}
	if (!csum_run_ok(rx, cur, end, data)) {
		msk->mib[XMP_MSK_MIB_CSUM_ERR]++;
		map_csum_fail(rx, idx, m->dsn, res);
		return 0;
	}
	return end - cur;
}

int xmp_msk_sf_data(struct xmp_msk *msk, struct xmp_rxmap *rx, __u32 ssn, const __u8 *data,
		    __u32 len, struct xmp_sf_data_res *res)
{
	if (!msk || !rx || !res || (!data && len))
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	while (res->consumed < len) {
		__u32 cur = ssn + res->consumed, left = len - res->consumed, off, n;
		const __u8 *p = data + res->consumed;
		struct xmp_rx_map *m;
		int idx;

		if (rx->failed) {
			res->consumed = len; /* discarded (3.7) */
			break;
		}
		rxmap_prune(msk, rx, cur);
		idx = rxmap_find(rx, cur);
		if (idx < 0) {
			res->no_map = true;
			msk->mib[XMP_MSK_MIB_NO_MAP]++;
			break;
		}
		m = &rx->m[idx];
		off = cur - m->ssn;
		if (m->infinite) {
			n = dlevel_fit(msk, m->dsn + off, left);
			xmp_msk_rcv_dsn(msk, m->dsn + off, p, n);
			res->consumed += n;
			break;
		}
		if (dlevel_fit(msk, m->dsn + off, m->len - off) < m->len - off &&
		    dlevel_fit(msk, m->dsn + off, left) < left)
			break; /* waits in the subflow until the window opens */
		if (msk->csum) {
			n = csum_take(msk, rx, (unsigned int)idx, off, p, left, res);
			if (!n && rx->failed)
				continue; /* the rest is discarded above */
			if (!n)
				break;
		} else {
			n = m->len - off < left ? m->len - off : left;
			n = dlevel_fit(msk, m->dsn + off, n);
			if (!n)
				break;
		}
		xmp_msk_rcv_dsn(msk, m->dsn + off, p, n);
		res->consumed += n;
	}
	if (!rx->failed)
		rxmap_prune(msk, rx, ssn + res->consumed);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * What a subflow sends, found in the connection's send buffer: the mappings
 * recorded on a subflow (subflow.c, xmp_sf_txmap_add()) say where each of
 * its bytes sits in the data sequence space, so its engine builds every
 * segment, retransmissions included, from the msk's sndq in place
 * (xmp_sf_snd_data() as the engine's ops->snd_data), and the glue keeps
 * there what any subflow may still send (xmp_sf_snd_keep() ->
 * xmp_msk_snd_keep()). Pure: no I/O, no clock, no engine.
 * Call chain: engine xmit -> ops->snd_data -> xmp_sf_snd_data ->
 * xmp_sf_txmap_find/run -> xmp_msk_snd_span.
 */
#include <string.h>

#include "common/seq.h"
#include "mptcp/subflow.h"

int xmp_sf_txmap_find(const struct xmp_sf *sf, __u32 seq)
{
	unsigned int i;

	for (i = 0; i < sf->ntx; i++) {
		const struct xmp_sf_txent *e = &sf->tx[i];

		if (!xmp_seq_before(seq, e->ssn) && xmp_seq_before(seq, e->ssn + e->map.len))
			return (int)i;
	}
	return -1;
}

__u32 xmp_sf_txmap_run(const struct xmp_sf *sf, int i, __u32 end,
		       const struct xmp_sf_txent **last)
{
	const struct xmp_sf_txent *e = &sf->tx[i], *n;
	__u32 cover = e->ssn + e->map.len;

	while (xmp_seq_before(cover, end) && !e->map.fin && (unsigned int)i + 1 < sf->ntx) {
		n = &sf->tx[i + 1];
		if (n->ssn != cover || n->map.dsn != e->map.dsn + e->map.len || n->map.infinite)
			break;
		e = n;
		i++;
		cover = e->ssn + e->map.len;
	}
	*last = e;
	return cover;
}

/*
 * The payload of [ssn, ssn + len) from the connection's send buffer, through
 * the mappings recorded on this subflow: one span when the bytes are
 * contiguous there (a run of mappings that continue each other, not across
 * the buffer's wrap), else copied piece by piece into @scratch.
 */
const __u8 *xmp_sf_snd_data(const struct xmp_sf *sf, __u32 ssn, __u32 len, __u8 *scratch)
{
	const struct xmp_sf_txent *e, *last;
	__u32 done = 0, cur, n;
	const __u8 *p;
	int i;

	while (sf->msk && done < len) {
		cur = ssn + done;
		i = xmp_sf_txmap_find(sf, cur);
		if (i < 0)
			return NULL;
		e = &sf->tx[i];
		n = xmp_sf_txmap_run(sf, i, ssn + len, &last) - cur;
		if (n > len - done)
			n = len - done;
		p = xmp_msk_snd_span(sf->msk, e->map.dsn + (cur - e->ssn), &n);
		if (!p)
			return NULL;
		if (n == len)
			return p;
		memcpy(scratch + done, p, n);
		done += n;
	}
	return done == len ? scratch : NULL;
}

__u64 xmp_sf_snd_keep(const struct xmp_sf *sf, __u32 ssn, __u64 dsn)
{
	unsigned int i;

	for (i = 0; i < sf->ntx; i++) {
		const struct xmp_sf_txent *e = &sf->tx[i];
		__u32 off = 0;

		if (!xmp_seq_before(ssn, e->ssn + e->map.len))
			continue; /* the engine holds these bytes itself, or they are acked */
		if (xmp_seq_before(e->ssn, ssn))
			off = ssn - e->ssn;
		if (before64(e->map.dsn + off, dsn))
			dsn = e->map.dsn + off;
	}
	return dsn;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-test wire of the MPTCP unit tests that drive the subflow and
 * join modules without a TCP engine (test_mptcp_subflow.c,
 * test_hostile_mptcp.c, test_mptcp_join.c, test_mptcp_addr.c): one segment
 * as user/mptcp/subflow.c writes it, and an option area as a well-behaved
 * peer decodes it. Each test keeps its own endpoints and queues; what goes
 * on the wire is built the same way everywhere.
 */
#ifndef XMP_TESTS_MPTCP_WIRE_H
#define XMP_TESTS_MPTCP_WIRE_H

#include <string.h>

#include "lib/test.h"
#include "mptcp/options.h"
#include "mptcp/subflow.h"

#define MP_SEG_MSS 1000

struct mp_seg {
	__u8 flags;
	__u32 seq, ack, len; /* relative to each side's ISN: first data byte is 1 */
	__u8 opts[40];
	int optlen;
	__u8 data[MP_SEG_MSS];
};

/* Fills @p with @len bytes of @data at @seq and the options @sf writes for
 * it; an encoder failure is a test failure and leaves no options. */
static inline void mp_seg_write(struct mp_seg *p, struct xmp_sf *sf, __u8 flags, __u32 seq,
				__u32 ack, const __u8 *data, __u32 len)
{
	memset(p, 0, sizeof(*p));
	p->flags = flags;
	p->seq = seq;
	p->ack = ack;
	p->len = len;
	if (len)
		memcpy(p->data, data, len);
	p->optlen = xmp_sf_write_options(sf, flags, seq, len, p->opts, sizeof(p->opts));
	CHECK(p->optlen >= 0);
	if (p->optlen < 0)
		p->optlen = 0;
}

/* @len bytes of options our encoder wrote, decoded: nothing in them may be
 * malformed. */
static inline struct xmp_mp_opt mp_parse_clean(const __u8 *opts, int len)
{
	struct xmp_mp_parse_stats st = {0};
	struct xmp_mp_opt mp;

	xmp_mp_parse(opts, len, &mp, &st);
	CHECK_EQ(mp.malformed, 0);
	return mp;
}

/* The connection level's next mapping for @sf, at most MP_SEG_MSS bytes
 * (none for a DATA_FIN alone): copied into @buf, its length in *@len, and
 * mapped on @sf at subflow sequence @ssn. Returns 1, or 0 when nothing is
 * due. */
static inline int mp_next_mapping(struct xmp_msk *msk, struct xmp_sf *sf, __u32 ssn, __u8 *buf,
				  __u32 *len)
{
	struct xmp_tx_map m;

	if (xmp_msk_next_map(msk, MP_SEG_MSS, &m) != 1)
		return 0;
	CHECK_EQ(xmp_msk_copy(msk, m.dsn, buf, m.len), 0);
	CHECK_EQ(xmp_sf_txmap_add(sf, ssn, &m), 0);
	*len = m.len;
	return 1;
}

/*
 * The application of end @from writes @len bytes of @src: one mapping per
 * segment, the wire run after every @burst segments, until every byte went
 * out and the wire is empty both ways, the end was reset or @max_turns
 * turns passed. A macro over the harness's own types: @e is the end (its
 * sf, snd_nxt and reset), @h has the queue lengths nq[2], TX(h, from,
 * flags, data, len) queues one segment and PUMP(h) runs the wire.
 */
#define MP_APP_WRITE(h, from, e, src, len, burst, max_turns, TX, PUMP)                          \
	do {                                                                                    \
		size_t queued_ = 0;                                                             \
		int turns_ = 0, n_ = 0;                                                         \
		while ((e)->sf.msk && turns_++ < (max_turns) && !(e)->reset) {                  \
			__u8 buf_[MP_SEG_MSS];                                                  \
			__u32 l_;                                                               \
			long w_;                                                                \
			if (queued_ < (len)) {                                                  \
				w_ = xmp_msk_send((e)->sf.msk, (src) + queued_, (len) - queued_); \
				queued_ += w_ > 0 ? w_ : 0;                                     \
			}                                                                       \
			if (!mp_next_mapping((e)->sf.msk, &(e)->sf, (e)->snd_nxt, buf_, &l_)) { \
				if (!(h)->nq[0] && !(h)->nq[1] && queued_ == (len))             \
					break;                                                  \
				PUMP(h);                                                        \
				continue;                                                       \
			}                                                                       \
			TX(h, from, TH_ACK, buf_, l_);                                          \
			if (++n_ % (burst) == 0)                                                \
				PUMP(h);                                                        \
		}                                                                               \
		PUMP(h);                                                                        \
	} while (0)

#endif

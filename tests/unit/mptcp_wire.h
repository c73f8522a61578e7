/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-test wire of the MPTCP unit tests that drive the subflow and
 * join modules without a TCP engine (test_mptcp_subflow.c,
 * test_hostile_mptcp.c, test_mptcp_join.c, test_mptcp_addr.c): one segment
 * as user/mptcp/subflow.c writes it, and an option area as a well-behaved
 * peer decodes it. What goes on the wire is built the same way everywhere;
 * unit/mptcp_pair.h holds the two-end harness built on it.
 */
#ifndef XMP_TESTS_MPTCP_WIRE_H
#define XMP_TESTS_MPTCP_WIRE_H

#include <string.h>

#include "lib/test.h"
#include "mptcp/options.h"
#include "mptcp/subflow.h"

#define MP_SEG_MSS 1000

/* A malformed option area and the drop reason the parser must count for
 * it (test_mptcp_options' single options, test_hostile_mptcp's areas). */
struct mp_bad_area {
	const char *name;
	__u8 b[40];
	int len;
	enum xmp_mp_drop why;
};

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

#endif

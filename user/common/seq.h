/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrap-safe sequence number comparisons, the one copy for every layer:
 * 32-bit subflow sequence numbers (RFC 9293 3.4) in the TCP engine
 * (user/tcp), the DSS mappings of user/mptcp and the subflow glue of the
 * connection layer (user/conn);
 * 64-bit data sequence numbers (RFC 8684 3.3) as the kernel's before64().
 * A difference read as signed is negative when the first number comes
 * before the second within half the space, whatever wrapped in between.
 */
#ifndef XMP_COMMON_SEQ_H
#define XMP_COMMON_SEQ_H

#include <stdbool.h>
#include <linux/types.h>

static inline bool xmp_seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static inline bool xmp_seq_after(__u32 a, __u32 b)
{
	return xmp_seq_before(b, a);
}

static inline bool xmp_seq_leq(__u32 a, __u32 b)
{
	return !xmp_seq_after(a, b);
}

static inline bool xmp_seq_geq(__u32 a, __u32 b)
{
	return !xmp_seq_before(a, b);
}

static inline bool before64(__u64 seq1, __u64 seq2)
{
	return (__s64)(seq1 - seq2) < 0;
}

static inline bool after64(__u64 seq1, __u64 seq2)
{
	return before64(seq2, seq1);
}

/* Sequence numbers from @from up to @to; 0 once @from reached or passed
 * @to (a DATA_FIN counts one number beyond the last byte). */
static inline __u64 span64(__u64 from, __u64 to)
{
	return after64(to, from) ? to - from : 0;
}

#endif

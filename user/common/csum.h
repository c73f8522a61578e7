/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ones' complement sum (RFC 1071) of the controller. Every checksum
 * is built on it: user/io/csum.c (IPv4 header, TCP pseudo-header and
 * segment, RFC 1624 incremental update) and user/mptcp/dss_csum.c (RFC 8684
 * 3.3.1 DSS checksum, whose payload arrives segment by segment).
 *
 * Two forms of the same arithmetic:
 * - xmp_sum_add() on a plain 32-bit accumulator, for buffers summed from an
 *   even offset (headers, whole segments);
 * - struct xmp_csum, a running sum that also counts bytes, so chunks of any
 *   length can follow each other (an odd chunk leaves half a word to fill)
 *   or be summed apart and joined with xmp_csum_concat().
 *
 * Sums are of big-endian 16-bit words, so values are host order and do not
 * depend on the CPU's endianness: store a result with htons().
 */
#ifndef XMP_COMMON_CSUM_H
#define XMP_COMMON_CSUM_H

#include <stddef.h>
#include <linux/types.h>

/* Adds len bytes at p to sum (an odd trailing byte is the high half of a
 * word padded with zero). Chain calls only at even offsets. */
__u32 xmp_sum_add(__u32 sum, const void *p, size_t len);
/* Folds the carries of sum into 16 bits, not complemented. */
__u16 xmp_sum_fold(__u32 sum);
/* Complemented fold: the value to store in a header's checksum field. */
static inline __u16 xmp_sum_finish(__u32 sum)
{
	return (__u16)~xmp_sum_fold(sum);
}

/* A running ones' complement sum of big-endian 16-bit words. */
struct xmp_csum {
	__u64 sum;	/* unfolded */
	__u64 len;	/* bytes added so far: odd means a word is half-filled */
};

static inline void xmp_csum_init(struct xmp_csum *c)
{
	c->sum = 0;
	c->len = 0;
}

/* Add @len bytes that directly follow those already added. */
void xmp_csum_add(struct xmp_csum *c, const void *buf, size_t len);

/* Append the bytes summed in @b (computed on its own) after those of @a. */
void xmp_csum_concat(struct xmp_csum *a, const struct xmp_csum *b);

/* The folded 16-bit ones' complement sum (not inverted). */
__u16 xmp_csum_fold(const struct xmp_csum *c);

#endif

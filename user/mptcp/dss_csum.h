/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DSS checksum (RFC 8684 3.3.1): the 16-bit ones' complement checksum over a
 * pseudo-header DSN (64) || subflow sequence (32, relative to the subflow
 * ISN) || data-level length (16) || zero (16), followed by the mapped
 * payload. The payload sum is accumulated incrementally, segment by segment,
 * since one mapping may span several segments and byte counts may be odd.
 *
 * Used by subflow.c (mapping validation, MP_FAIL on mismatch) and conn.c
 * (DSS and MP_CAPABLE-with-data on send when checksums were negotiated).
 * All values are host order; the result is the 16-bit value to put on the
 * wire big-endian (struct xmp_dss.csum, struct xmp_mpc.csum).
 */
#ifndef XMP_MPTCP_DSS_CSUM_H
#define XMP_MPTCP_DSS_CSUM_H

#include <stddef.h>
#include <linux/types.h>

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

/* Checksum field value of a mapping whose payload sums to @payload. */
__u16 xmp_dss_csum(__u64 dsn, __u32 ssn, __u16 data_len, const struct xmp_csum *payload);

/* One-shot form over a contiguous payload. */
__u16 xmp_dss_csum_buf(__u64 dsn, __u32 ssn, __u16 data_len, const void *payload, size_t len);

/* Receiver side: 0 if @csum (the received field) is right, -EBADMSG if not. */
int xmp_dss_csum_check(__u64 dsn, __u32 ssn, __u16 data_len, __u16 csum,
		       const struct xmp_csum *payload);

#endif

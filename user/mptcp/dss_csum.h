/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DSS checksum (RFC 8684 3.3.1): the 16-bit ones' complement checksum over a
 * pseudo-header DSN (64) || subflow sequence (32, relative to the subflow
 * ISN) || data-level length (16) || zero (16), followed by the mapped
 * payload. The payload sum is accumulated incrementally, segment by segment,
 * since one mapping may span several segments and byte counts may be odd:
 * that running sum is struct xmp_csum of common/csum.h (the same summing
 * code as the IP/TCP checksums), included here for the callers.
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

#include "common/csum.h"

/* Checksum field value of a mapping whose payload sums to @payload. */
__u16 xmp_dss_csum(__u64 dsn, __u32 ssn, __u16 data_len, const struct xmp_csum *payload);

/* One-shot form over a contiguous payload. */
__u16 xmp_dss_csum_buf(__u64 dsn, __u32 ssn, __u16 data_len, const void *payload, size_t len);

/* Receiver side: 0 if @csum (the received field) is right, -EBADMSG if not. */
int xmp_dss_csum_check(__u64 dsn, __u32 ssn, __u16 data_len, __u16 csum,
		       const struct xmp_csum *payload);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * DSS checksum (RFC 8684 3.3.1), computed as Linux __mptcp_make_csum() and
 * mptcp_validate_data_checksum() do: the Internet checksum (RFC 1071) of a
 * 16-byte pseudo-header followed by the mapping's payload. Only the
 * pseudo-header is built here; the summing is common/csum.c's, with the
 * payload part accumulated across segments in a struct xmp_csum.
 */
#include <errno.h>

#include "mptcp/dss_csum.h"

static void put_be(__u8 *p, __u64 v, int bytes)
{
	while (bytes--) {
		p[bytes] = (__u8)v;
		v >>= 8;
	}
}

/*
 * RFC 8684 3.3.1 pseudo-header (DSN, SSN, data-level length, checksum
 * field) followed by @payload: the sum whose complement goes on the wire.
 * The payload starts at an even offset (16), so no byte swap is involved.
 */
static __u16 dss_sum(__u64 dsn, __u32 ssn, __u16 data_len, __u16 csum,
		     const struct xmp_csum *payload)
{
	struct xmp_csum c;
	__u8 ph[16];

	put_be(ph, dsn, 8);
	put_be(ph + 8, ssn, 4);
	put_be(ph + 12, data_len, 2);
	put_be(ph + 14, csum, 2);
	xmp_csum_init(&c);
	xmp_csum_add(&c, ph, sizeof(ph));
	xmp_csum_concat(&c, payload);
	return xmp_csum_fold(&c);
}

__u16 xmp_dss_csum(__u64 dsn, __u32 ssn, __u16 data_len, const struct xmp_csum *payload)
{
	return (__u16)~dss_sum(dsn, ssn, data_len, 0, payload);
}

__u16 xmp_dss_csum_buf(__u64 dsn, __u32 ssn, __u16 data_len, const void *payload, size_t len)
{
	struct xmp_csum c;

	xmp_csum_init(&c);
	xmp_csum_add(&c, payload, len);
	return xmp_dss_csum(dsn, ssn, data_len, &c);
}

/* With the received checksum in place of the zero field the whole sum must
 * be all ones (0xffff), the test Linux applies. */
int xmp_dss_csum_check(__u64 dsn, __u32 ssn, __u16 data_len, __u16 csum,
		       const struct xmp_csum *payload)
{
	return dss_sum(dsn, ssn, data_len, csum, payload) == 0xffff ? 0 : -EBADMSG;
}

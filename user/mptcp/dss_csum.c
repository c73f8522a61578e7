// SPDX-License-Identifier: GPL-2.0
/*
 * DSS checksum (RFC 8684 3.3.1), computed as Linux __mptcp_make_csum() and
 * mptcp_validate_data_checksum() do: the Internet checksum (RFC 1071) of a
 * 16-byte pseudo-header followed by the mapping's payload. The payload part
 * is accumulated across segments (struct xmp_csum tracks the byte parity).
 */
#include <errno.h>

#include "mptcp/dss_csum.h"

void xmp_csum_add(struct xmp_csum *c, const void *buf, size_t len)
{
	const __u8 *p = buf;
	__u64 s = c->sum;
	size_t i = 0;

	if (!len)
		return;
	/* An odd count so far left the low byte of a word to fill. */
	if (c->len & 1) {
		s += p[0];
		i = 1;
	}
	for (; i + 1 < len; i += 2)
		s += (__u32)p[i] << 8 | p[i + 1];
	if (i < len)
		s += (__u32)p[i] << 8;
	/* Fold now and then so the 64-bit accumulator can never overflow. */
	if (s >> 48)
		s = (s & 0xffffffffffffULL) + (s >> 48);
	c->sum = s;
	c->len += len;
}

static __u16 fold(__u64 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

__u16 xmp_csum_fold(const struct xmp_csum *c)
{
	return fold(c->sum);
}

/* Bytes shifted by one position swap the halves of every word, and the
 * ones' complement sum commutes with that swap (RFC 1071 2.B). */
void xmp_csum_concat(struct xmp_csum *a, const struct xmp_csum *b)
{
	__u16 s = fold(b->sum);

	if (a->len & 1)
		s = (__u16)(s << 8 | s >> 8);
	a->sum += s;
	a->len += b->len;
}

static __u64 pseudo_sum(__u64 dsn, __u32 ssn, __u16 data_len, __u16 csum)
{
	return (dsn >> 48) + ((dsn >> 32) & 0xffff) + ((dsn >> 16) & 0xffff) + (dsn & 0xffff) +
	       (ssn >> 16) + (ssn & 0xffff) + data_len + csum;
}

__u16 xmp_dss_csum(__u64 dsn, __u32 ssn, __u16 data_len, const struct xmp_csum *payload)
{
	return (__u16)~fold(pseudo_sum(dsn, ssn, data_len, 0) + fold(payload->sum));
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
	__u16 s = fold(pseudo_sum(dsn, ssn, data_len, csum) + fold(payload->sum));

	return s == 0xffff ? 0 : -EBADMSG;
}

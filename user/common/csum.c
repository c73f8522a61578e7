// SPDX-License-Identifier: GPL-2.0
/*
 * Ones' complement sum (RFC 1071), see csum.h: one word loop and one fold
 * shared by the flat accumulator (xmp_sum_*) and the running one
 * (struct xmp_csum), so the IP/TCP and DSS checksums cannot drift apart.
 */
#include "common/csum.h"

/*
 * Adds the big-endian words of len bytes starting on a word boundary to acc
 * without folding; an odd last byte is the high half of a zero-padded word.
 * Callers fold often enough that acc stays far below 2^64.
 */
static __u64 sum_words(__u64 acc, const __u8 *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (__u32)b[i] << 8 | b[i + 1];
	if (len & 1)
		acc += (__u32)b[len - 1] << 8;
	return acc;
}

/* End-around carry down to 16 bits (RFC 1071 2.(C)). Never maps a
 * non-zero sum to 0, so 0xffff and 0 stay distinct as callers expect. */
static __u16 fold16(__u64 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

__u32 xmp_sum_add(__u32 sum, const void *p, size_t len)
{
	/* 64-bit accumulator: 2^48 words before it could overflow. */
	__u64 acc = sum_words(sum, p, len);

	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (__u32)acc;
}

__u16 xmp_sum_fold(__u32 sum)
{
	return fold16(sum);
}

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
	s = sum_words(s, p + i, len - i);
	/* Fold now and then so the 64-bit accumulator can never overflow. */
	if (s >> 48)
		s = (s & 0xffffffffffffULL) + (s >> 48);
	c->sum = s;
	c->len += len;
}

__u16 xmp_csum_fold(const struct xmp_csum *c)
{
	return fold16(c->sum);
}

/* Bytes shifted by one position swap the halves of every word, and the
 * ones' complement sum commutes with that swap (RFC 1071 2.(B)). */
void xmp_csum_concat(struct xmp_csum *a, const struct xmp_csum *b)
{
	__u16 s = fold16(b->sum);

	if (a->len & 1)
		s = (__u16)(s << 8 | s >> 8);
	a->sum += s;
	a->len += b->len;
}

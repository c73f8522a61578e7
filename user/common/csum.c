// SPDX-License-Identifier: GPL-2.0
/*
 * Ones' complement sum (RFC 1071), see csum.h: one word loop and one fold
 * shared by the flat accumulator (xmp_sum_*) and the running one
 * (struct xmp_csum), so the IP/TCP and DSS checksums cannot drift apart.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/csum.h"

/* End-around carry down to 16 bits (RFC 1071 2.(C)). Never maps a
 * non-zero sum to 0, so 0xffff and 0 stay distinct as callers expect. */
static __u16 fold16(__u64 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/*
 * The sum of len bytes as the host's own 16-bit words, folded. The ones'
 * complement sum commutes with swapping the bytes of every word (RFC 1071
 * 2.(B)), so it is summed eight bytes a turn in whatever order the host
 * loads them and swapped once at the end: every payload byte of every
 * frame goes through here (no checksum offload on AF_XDP).
 */
/* Eight bytes as two 32-bit halves, so 64 KiB never carries out of 64 bits. */
static inline __u64 sum8(const __u8 *b)
{
	__u64 v;

	memcpy(&v, b, 8);
	return (__u32)v + (v >> 32);
}

static __u16 sum_host16(const __u8 *b, size_t len)
{
	__u64 acc = 0, a1, a2, a3;
	size_t block;
	__u32 w;
	__u16 h;

	while (len >= 8) {
		/* four sums a turn: no turn waits for the one before */
		block = len < 65536 ? len & ~(size_t)7 : 65536;
		len -= block;
		a1 = a2 = a3 = 0;
		for (; block >= 32; block -= 32, b += 32) {
			acc += sum8(b);
			a1 += sum8(b + 8);
			a2 += sum8(b + 16);
			a3 += sum8(b + 24);
		}
		for (; block; block -= 8, b += 8)
			acc += sum8(b);
		acc += a1 + a2 + a3;
		acc = (acc & 0xffffffff) + (acc >> 32);
	}
	if (len >= 4) {
		memcpy(&w, b, 4);
		acc += w;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		acc += h;
		b += 2;
		len -= 2;
	}
	if (len) /* the high half of a zero-padded big-endian word */
		acc += ntohs((__u16)(b[0] << 8));
	return fold16(acc);
}

/*
 * Adds the big-endian words of len bytes starting on a word boundary to acc
 * (congruent modulo 0xffff, which is all a fold keeps); an odd last byte is
 * the high half of a zero-padded word. Callers fold often enough that acc
 * stays far below 2^64.
 */
static __u64 sum_words(__u64 acc, const __u8 *b, size_t len)
{
	return acc + ntohs(sum_host16(b, len));
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

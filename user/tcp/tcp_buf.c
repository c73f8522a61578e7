// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded byte rings for the subflow engine. The send ring holds the bytes
 * from SND.UNA (sent or not); the receive ring holds the unread in-order
 * bytes followed by the out-of-order area: a segment at RCV.NXT + k is
 * written at offset len + k, so out-of-order data needs no extra memory
 * and the advertised window (cap - len) always covers it.
 * Allocated once in xmp_tcp_create(); never grows. The copies that wrap
 * are common/ring.h's, shared with the connection-level rings of
 * user/mptcp/conn.c; that header says why only these keep head and len.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ring.h"
#include "tcp/tcp_int.h"

int xmp_ring_init(struct xmp_ring *r, __u32 cap)
{
	memset(r, 0, sizeof(*r));
	if (!cap)
		return -EINVAL;
	r->buf = malloc(cap);
	if (!r->buf)
		return -ENOMEM;
	r->cap = cap;
	return 0;
}

void xmp_ring_free(struct xmp_ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

__u32 xmp_ring_space(const struct xmp_ring *r)
{
	return r->cap - r->len;
}

/* Copies n bytes to offset off from head; the caller keeps off + n <= cap. */
void xmp_ring_write_at(struct xmp_ring *r, __u32 off, const __u8 *src, __u32 n)
{
	if (off >= r->cap || n > r->cap - off)
		return;
	xmp_wrap_write(r->buf, r->cap, (r->head + off) % r->cap, src, n);
}

void xmp_ring_read_at(const struct xmp_ring *r, __u32 off, __u8 *dst, __u32 n)
{
	if (off >= r->cap || n > r->cap - off)
		return;
	xmp_wrap_read(r->buf, r->cap, (r->head + off) % r->cap, dst, n);
}

/* Pointer to the byte at off and, in *n, how many follow it contiguously. */
const __u8 *xmp_ring_contig(const struct xmp_ring *r, __u32 off, __u32 *n)
{
	__u32 pos = (r->head + off) % r->cap;

	*n = xmp_wrap_first(r->cap, pos, *n);
	return r->buf + pos;
}

/* Moves the head past n bytes that were never written, with nothing held
 * before them: in-order bytes the layer above took straight from their
 * segment. Data written further on keeps its offset from the new head. */
void xmp_ring_skip(struct xmp_ring *r, __u32 n)
{
	if (r->len || !r->cap)
		return;
	r->head = (r->head + n) % r->cap;
}

void xmp_ring_consume(struct xmp_ring *r, __u32 n)
{
	if (n > r->len)
		n = r->len;
	r->head = (r->head + n) % r->cap;
	r->len -= n;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copies into and out of a circular byte buffer: the one piece the two byte
 * rings of the controller share. A range that starts at position pos of a
 * buffer of cap bytes runs to the end and, when longer, goes on from the
 * start: at most two memcpy()s.
 *
 * The rings keep their own state, for a reason each:
 * - struct xmp_ring (user/tcp/tcp_buf.c), the subflow engine's send and
 *   receive buffers, holds head and len: TCP sequence numbers wrap at 2^32,
 *   so the engine counts bytes from SND.UNA/RCV.NXT, and len is the data
 *   that the window (cap - len) leaves room for.
 * - the connection's sndq/rcvq (user/mptcp/conn.c) hold nothing: a byte's
 *   place is fixed by its 64-bit data sequence number, (dsn - isn) % cap,
 *   which does not wrap, so reinjection and the DSS checksum address any
 *   held byte by DSN and the msk's sequence numbers already say what is held.
 * Callers keep pos < cap and n <= cap.
 */
#ifndef XMP_COMMON_RING_H
#define XMP_COMMON_RING_H

#include <string.h>
#include <linux/types.h>

/* Bytes of an n-byte range at pos that lie before the end of the buffer. */
static inline __u32 xmp_wrap_first(__u32 cap, __u32 pos, __u32 n)
{
	return n < cap - pos ? n : cap - pos;
}

static inline void xmp_wrap_write(__u8 *buf, __u32 cap, __u32 pos, const __u8 *src, __u32 n)
{
	__u32 first = xmp_wrap_first(cap, pos, n);

	memcpy(buf + pos, src, first);
	memcpy(buf, src + first, n - first);
}

static inline void xmp_wrap_read(const __u8 *buf, __u32 cap, __u32 pos, __u8 *dst, __u32 n)
{
	__u32 first = xmp_wrap_first(cap, pos, n);

	memcpy(dst, buf + pos, first);
	memcpy(dst + first, buf, n - first);
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Big-endian loads and stores at any byte address: the one copy for the
 * packet parser and builder (user/io/pkt.c), the TCP and MPTCP option codecs
 * (user/tcp/tcp_options.c, user/mptcp/options.c), the HMAC inputs of
 * user/mptcp/crypto.c and the tests that craft frames.
 *
 * Byte by byte rather than a cast and ntohl(): option fields sit at odd
 * offsets, and compilers turn these into one load and a byte swap anyway.
 */
#ifndef XMP_COMMON_BYTEORDER_H
#define XMP_COMMON_BYTEORDER_H

#include <linux/types.h>

static inline __u16 get_be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static inline __u32 get_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static inline __u64 get_be64(const __u8 *p)
{
	return (__u64)get_be32(p) << 32 | get_be32(p + 4);
}

static inline void put_be16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static inline void put_be32(__u8 *p, __u32 v)
{
	put_be16(p, (__u16)(v >> 16));
	put_be16(p + 2, (__u16)v);
}

static inline void put_be64(__u8 *p, __u64 v)
{
	put_be32(p, (__u32)(v >> 32));
	put_be32(p + 4, (__u32)v);
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP option areas for the tests that parse the same bytes both ways, with
 * the XDP metadata's offsets (tests/lib/meta.h) and by a walk, and compare
 * (test_tcp_options.c, test_mptcp_options.c, test_io_pkt.c). Regular areas
 * as Linux and xmptcp send them, which the metadata locates completely (no
 * walk), and malformed or irregular ones, which it cannot (walked): options
 * truncated, with bad lengths, running past the data offset, repeated,
 * several MPTCP options, unknown kinds. Segments other than SYNs carry
 * T_PAYLOAD(a) bytes of payload (MP_CAPABLE's length depends on it).
 */
#ifndef XMP_TEST_OPTAREAS_H
#define XMP_TEST_OPTAREAS_H

#include <stdbool.h>
#include <linux/types.h>

#define T_SYN 0x02
#define T_ACK 0x10

struct t_area {
	const char *name;
	__u8 flags;	/* TCP flags of the segment: SYN options count on SYNs only */
	bool located;	/* the metadata covers every option: no walk */
	__u8 len;
	__u8 b[40];
};

#define T_AREA(n, fl, loc, ...)                                                  \
	{ .name = n, .flags = fl, .located = loc, .b = { __VA_ARGS__ },          \
	  .len = sizeof((const __u8[]){ __VA_ARGS__ }) }
#define T_K8 1, 2, 3, 4, 5, 6, 7, 8
#define T_PAYLOAD(a) (((a)->flags & T_SYN) ? 0u : 12u)

static const struct t_area t_areas[] = {
	/* what stacks send */
	T_AREA("none", T_ACK, true, 0),
	T_AREA("syn mss sackperm ts nop ws mpc", T_SYN, true, 2, 4, 0x05, 0xb4, 4, 2, 8, 10, T_K8,
	       1, 3, 3, 7, 30, 4, 0x01, 0x01),
	T_AREA("synack mss sackperm ts ws mpc key", T_SYN | T_ACK, true, 2, 4, 0x05, 0x8c, 4, 2, 8,
	       10, T_K8, 0, 0, 1, 3, 3, 7, 30, 12, 0x01, 0x01, T_K8),
	T_AREA("ts dss ack+map", T_ACK, true, 1, 1, 8, 10, T_K8, 30, 20, 0x20, 0x05, 0, 0, 0, 9, 0,
	       0, 1, 0, 0, 0, 0, 1, 0x05, 0xa0, 1, 1),
	T_AREA("sack blocks dss ack", T_ACK, true, 1, 1, 5, 18, T_K8, T_K8, 30, 8, 0x20, 0x01, 0, 0,
	       0, 7),
	T_AREA("mpc ack with data", T_ACK, true, 30, 22, 0x01, 0x01, T_K8, T_K8, 0, 100, 1, 1),
	T_AREA("join syn", T_SYN, true, 2, 4, 0x05, 0xb4, 30, 12, 0x10, 0x02, 0, 0, 0, 42, 9, 9,
	       9, 9),
	T_AREA("dss + add_addr", T_ACK, true, 30, 8, 0x20, 0x01, 0, 0, 0, 9, 30, 16, 0x30, 2, 10,
	       0, 0, 4, T_K8),
	T_AREA("eol then junk", T_ACK, true, 1, 1, 8, 10, T_K8, 0, 30, 99, 7),
	/* refused by userspace's decoder, not by XDP: located, decoded the same */
	T_AREA("mpc flags without H", T_SYN, true, 30, 4, 0x01, 0x00),
	/* refused by XDP: its length does not fit its flags */
	T_AREA("dss length wrong for its flags", T_ACK, false, 30, 9, 0x20, 0x01, 0, 0, 0, 9, 0),
	T_AREA("mpc ack length on a syn", T_SYN, false, 30, 20, 0x01, 0x01, T_K8, T_K8),
	/* several MPTCP options, repeats: the metadata keeps one per kind */
	T_AREA("two dss", T_ACK, false, 30, 8, 0x20, 0x01, 0, 0, 0, 9, 30, 8, 0x20, 0x01, 0, 0, 0,
	       10),
	T_AREA("bad dss then good dss", T_ACK, false, 30, 9, 0x20, 0x01, 0, 0, 0, 9, 0, 30, 8, 0x20,
	       0x01, 0, 0, 0, 10),
	T_AREA("two ts", T_ACK, false, 8, 10, T_K8, 8, 10, T_K8, 0, 0),
	T_AREA("two sack options", T_ACK, false, 5, 10, T_K8, 5, 18, T_K8, T_K8),
	T_AREA("two mss on a syn", T_SYN, false, 2, 4, 0x05, 0xb4, 2, 4, 0x02, 0x18),
	/* malformed */
	T_AREA("mss length 3", T_SYN, false, 2, 3, 0x05, 1),
	T_AREA("sack length 11", T_ACK, false, 5, 11, T_K8, 1),
	T_AREA("length byte missing", T_ACK, false, 1, 1, 1, 8),
	T_AREA("length 1", T_ACK, false, 8, 1, 0, 0),
	T_AREA("length 0", T_ACK, false, 30, 0, 0, 0),
	T_AREA("past the data offset", T_ACK, false, 8, 10, T_K8, 30, 20, 0x20, 0x01),
	T_AREA("mptcp without subtype", T_ACK, false, 30, 2, 1, 1),
	T_AREA("mptcp subtype 15", T_ACK, false, 30, 4, 0xf0, 0),
	T_AREA("unknown kind", T_ACK, false, 253, 4, 0xab, 0xcd, 30, 8, 0x20, 0x01, 0, 0, 0, 9),
	T_AREA("17 options", T_ACK, false, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4,
	       2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 30, 4, 0x20, 0),
};

#define T_NR_AREAS (sizeof(t_areas) / sizeof(t_areas[0]))

#endif

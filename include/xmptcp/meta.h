/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct xmp_meta: what bpf/xdp_steer.bpf.c learnt about a frame, placed in
 * front of it (XDP data_meta) so the AF_XDP consumer in user/io/ neither scans
 * the TCP options again nor re-validates them.
 *
 * The kernel caps XDP metadata at 32 bytes (xdp_metalen_invalid()), so the
 * struct records where each option is and which ones were valid rather than
 * copying their fields: userspace decodes a suboption at a known offset
 * with user/mptcp/options.c, which applies the same length rules.
 */
#ifndef XMPTCP_META_H
#define XMPTCP_META_H

#include "types.h"
#include "mptcp_wire.h"

#define XMP_META_MAGIC		0xc7
#define XMP_META_SIZE		32

/* How XDP classified a frame; also the verdict counters' index base. */
enum xmp_class {
	XMP_CLASS_NONE = 0,	/* not ours: XDP_PASS */
	XMP_CLASS_LISTENER,	/* SYN to an owned listener */
	XMP_CLASS_SUBFLOW,	/* segment of an owned subflow (4-tuple) */
	XMP_CLASS_JOIN,		/* MP_JOIN SYN whose token we own */
	XMP_CLASS_NR,
};

/* Why parsing stopped early or skipped something; 0 when the frame was clean. */
enum xmp_reason {
	XMP_R_OK = 0,
	XMP_R_SHORT_ETH,	/* frame shorter than Ethernet (+VLAN) header */
	XMP_R_SHORT_IP,		/* truncated IPv4/IPv6 header */
	XMP_R_BAD_IHL,		/* IPv4 IHL < 5 or past the frame */
	XMP_R_IP_FRAG,		/* non-first fragment: no TCP header to read */
	XMP_R_EXT_CHAIN,	/* IPv6 extension chain too long or truncated */
	XMP_R_SHORT_TCP,	/* truncated TCP header */
	XMP_R_BAD_DOFF,		/* data offset < 5 or past the frame */
	XMP_R_OPT_TRUNC,	/* option's length byte missing */
	XMP_R_OPT_ZERO_LEN,	/* option length < 2: would never advance */
	XMP_R_OPT_OVERRUN,	/* option length past the TCP header */
	XMP_R_OPT_TOO_MANY,	/* more options than the parser's bound */
	XMP_R_MPTCP_BAD_LEN,	/* MPTCP suboption with a length its variant forbids */
	XMP_R_MPTCP_BAD_SUBTYPE,/* unknown MPTCP subtype */
	XMP_R_MPTCP_BAD_VERSION,/* MP_CAPABLE version other than 1 */
	XMP_R_NR,
};

/* tcp_opts bits: plain TCP options seen and valid */
#define XMP_TOPT_MSS		0x01
#define XMP_TOPT_WSCALE		0x02
#define XMP_TOPT_SACK_PERM	0x04
#define XMP_TOPT_SACK		0x08
#define XMP_TOPT_TS		0x10
#define XMP_TOPT_MPTCP		0x20	/* at least one MPTCP option, valid or not */

struct xmp_meta {
	__u8  magic;		/* XMP_META_MAGIC */
	__u8  class;		/* enum xmp_class */
	__u8  reason;		/* enum xmp_reason, first problem met */
	__u8  tcp_flags;	/* FIN..CWR as on the wire */
	__u8  ip_version;	/* 4 or 6 */
	__u8  tcp_opts;		/* XMP_TOPT_* */
	__u16 l3_off;		/* host order; bytes from the frame start */
	__u16 l4_off;		/* TCP header */
	__u16 payload_off;	/* first payload byte */
	__u16 payload_len;
	__u16 mp_seen;		/* bit (1 << subtype) per valid MPTCP suboption */
	__u8  mp_off[MPTCPOPT_NR_SUBTYPES]; /* suboption offset from the TCP header, 0 = absent */
	__u8  ts_off;		/* timestamps option offset, 0 = absent */
	__u8  sack_off;		/* SACK blocks option offset, 0 = absent */
	__u8  wscale;		/* window scale shift when XMP_TOPT_WSCALE */
	__u8  dss_flags;	/* DSS flag byte when a DSS was seen */
	__u16 mss;		/* host order, when XMP_TOPT_MSS */
};

XMP_STATIC_ASSERT(sizeof(struct xmp_meta) == XMP_META_SIZE, "xmp_meta must fill the 32-byte XDP metadata area");

#endif

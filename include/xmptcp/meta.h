/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct xmp_meta: what bpf/xdp_steer.bpf.c learnt about a frame, placed in
 * front of it (XDP data_meta) so the AF_XDP consumer in user/io/ neither walks
 * the headers nor scans the TCP options again.
 *
 * The kernel caps XDP metadata at 32 bytes (xdp_metalen_invalid()), so the
 * struct says where each header and option is rather than copying their
 * fields: userspace reads them at those offsets, checking that each names
 * what it claims and that together they cover the option area
 * (user/tcp/tcp_options.c xmp_tcp_parse_meta()), and decodes an MPTCP
 * suboption with user/mptcp/options.c, which applies its own length rules.
 * Every field has a reader in user/io/pkt.c or user/tcp/tcp_options.c;
 * what only the BPF side needs stays in its struct xmp_parse.
 */
#ifndef XMPTCP_META_H
#define XMPTCP_META_H

#include "types.h"
#include "mptcp_wire.h"

#define XMP_META_MAGIC		0xc7
#define XMP_META_SIZE		32

/* How XDP classified a frame; also the verdict counters' index base. */
#define XMP_CLASS_LIST(X) \
	X(XMP_CLASS_NONE, "none")		/* not ours: XDP_PASS */ \
	X(XMP_CLASS_LISTENER, "listener")	/* SYN to an owned listener */ \
	X(XMP_CLASS_SUBFLOW, "subflow")		/* segment of an owned subflow (4-tuple) */ \
	X(XMP_CLASS_JOIN, "join")		/* MP_JOIN SYN whose token we own */

enum xmp_class { XMP_CLASS_LIST(XMP_ENUM_ROW) XMP_CLASS_NR };

/* Why parsing stopped early or skipped something; 0 when the frame was clean. */
#define XMP_REASON_LIST(X) \
	X(XMP_R_OK, "ok") \
	X(XMP_R_SHORT_ETH, "short_eth")	/* frame shorter than Ethernet (+VLAN) header */ \
	X(XMP_R_SHORT_IP, "short_ip")		/* truncated IPv4/IPv6 header */ \
	X(XMP_R_BAD_IHL, "bad_ihl")		/* IPv4 IHL < 5 or past the frame */ \
	X(XMP_R_IP_FRAG, "ip_frag")		/* non-first fragment: no TCP header to read */ \
	X(XMP_R_EXT_CHAIN, "ext_chain")	/* IPv6 extension chain too long or truncated */ \
	X(XMP_R_SHORT_TCP, "short_tcp")	/* truncated TCP header */ \
	X(XMP_R_BAD_DOFF, "bad_doff")		/* data offset < 5 or past the frame */ \
	X(XMP_R_OPT_TRUNC, "opt_trunc")	/* option's length byte missing */ \
	X(XMP_R_OPT_ZERO_LEN, "opt_zero_len")	/* option length < 2: would never advance */ \
	X(XMP_R_OPT_OVERRUN, "opt_overrun")	/* option length past the TCP header */ \
	X(XMP_R_OPT_TOO_MANY, "opt_too_many")	/* more options than the parser's bound */ \
	X(XMP_R_MPTCP_BAD_LEN, "mptcp_bad_len")	/* MPTCP suboption with a length its variant forbids */ \
	X(XMP_R_MPTCP_BAD_SUBTYPE, "mptcp_bad_subtype") /* unknown MPTCP subtype */ \
	X(XMP_R_MPTCP_BAD_VERSION, "mptcp_bad_version") /* MP_CAPABLE version other than 1 */

enum xmp_reason { XMP_REASON_LIST(XMP_ENUM_ROW) XMP_R_NR };

/* tcp_opts bits: plain TCP options located (with the length their RFC
 * requires) and MPTCP options seen */
#define XMP_TOPT_MSS		0x01
#define XMP_TOPT_WSCALE		0x02
#define XMP_TOPT_SACK_PERM	0x04
#define XMP_TOPT_SACK		0x08
#define XMP_TOPT_TS		0x10
#define XMP_TOPT_MPTCP		0x20	/* at least one MPTCP option, valid or not */

/* Option offsets count from the TCP header (20 = the first option byte);
 * 0 = absent. */
struct xmp_meta {
	__u8  magic;		/* XMP_META_MAGIC */
	__u8  reason;		/* enum xmp_reason, first problem met */
	__u8  ip_version;	/* 4 or 6 */
	__u8  tcp_opts;		/* XMP_TOPT_* */
	__u16 l3_off;		/* host order; bytes from the frame start */
	__u16 l4_off;		/* TCP header */
	__u16 payload_off;	/* first payload byte */
	__u16 payload_len;
	__u16 mp_seen;		/* bit (1 << subtype) per valid MPTCP suboption */
	__u8  mp_off[MPTCPOPT_NR_SUBTYPES]; /* the first valid suboption of each subtype */
	__u8  mss_off;		/* XMP_TOPT_MSS; these five: the last of their kind */
	__u8  ws_off;		/* XMP_TOPT_WSCALE */
	__u8  sackp_off;	/* XMP_TOPT_SACK_PERM */
	__u8  ts_off;		/* XMP_TOPT_TS */
	__u8  sack_off;		/* XMP_TOPT_SACK */
	__u8  pad[4];
};

XMP_STATIC_ASSERT(sizeof(struct xmp_meta) == XMP_META_SIZE, "xmp_meta must fill the 32-byte XDP metadata area");

#endif

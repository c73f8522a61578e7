/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP v1 option codec (RFC 8684 section 3): pure functions that decode the
 * MPTCP suboptions of one TCP segment into struct xmp_mp_opt and encode each
 * subtype back, with the same length rules and padding as Linux
 * net/mptcp/options.c. No I/O, no allocation, no state.
 *
 * Callers: the subflow glue decodes each received segment's MPTCP options
 * where the segment's one option parse located them (struct
 * xmp_tcp_opt_rx.mp_at, from a walk or from the XDP metadata) with
 * xmp_mp_decode_at(); a bare option area (tests, tools) goes through
 * xmp_mp_parse(), one suboption through xmp_mp_decode_one(). Outgoing
 * options: xmp_mp_write_*(). Wire constants come from
 * include/xmptcp/mptcp_wire.h, shared with the XDP parser.
 *
 * Byte order: every integer field here is in host order; addresses are kept
 * as the wire bytes (network order).
 */
#ifndef XMP_MPTCP_OPTIONS_H
#define XMP_MPTCP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <xmptcp/types.h>
#include <xmptcp/mptcp_wire.h>

#include "common/names.h"
#include "common/seq.h"

/*
 * Expand a 32-bit data sequence number (DSS with m=0 or a=0, RFC 8684 3.3)
 * to the 64-bit value with the same low 32 bits closest to @ref, the 64-bit
 * number the receiver expects around (next DSN, or last DATA_ACK). Both
 * wrap directions are handled, as the kernel's __mptcp_expand_seq().
 */
static inline __u64 xmp_expand_seq(__u64 ref, __u32 seq32)
{
	return ref + (__u64)(__s64)(__s32)(seq32 - (__u32)ref);
}

/* Bits of struct xmp_mp_opt.suboptions: which suboptions were decoded. */
#define XMP_MPO_MPC_SYN		(1u << 0)
#define XMP_MPO_MPC_SYNACK	(1u << 1)
#define XMP_MPO_MPC_ACK		(1u << 2)	/* third ACK, with or without data */
#define XMP_MPO_MPJ_SYN		(1u << 3)
#define XMP_MPO_MPJ_SYNACK	(1u << 4)
#define XMP_MPO_MPJ_ACK		(1u << 5)
#define XMP_MPO_DSS		(1u << 6)
#define XMP_MPO_ADD_ADDR	(1u << 7)
#define XMP_MPO_RM_ADDR		(1u << 8)
#define XMP_MPO_PRIO		(1u << 9)
#define XMP_MPO_FAIL		(1u << 10)
#define XMP_MPO_FASTCLOSE	(1u << 11)
#define XMP_MPO_TCPRST		(1u << 12)
#define XMP_MPO_MPC	(XMP_MPO_MPC_SYN | XMP_MPO_MPC_SYNACK | XMP_MPO_MPC_ACK)
#define XMP_MPO_MPJ	(XMP_MPO_MPJ_SYN | XMP_MPO_MPJ_SYNACK | XMP_MPO_MPJ_ACK)

/* MP_CAPABLE variants (RFC 8684 3.1): the length tells them apart. */
enum xmp_mpc_variant {
	XMP_MPC_NONE = 0,
	XMP_MPC_SYN,		/* 4 bytes: no key in v1 */
	XMP_MPC_SYNACK,		/* 12: sender's key */
	XMP_MPC_ACK,		/* 20: both keys */
	XMP_MPC_ACK_DATA,	/* 22 (24 with checksum): keys + data-level length */
};

/*
 * The MP_CAPABLE variant a segment with these TCP header flags (byte 13 of
 * the header: SYN 0x02, ACK 0x10) must carry (RFC 8684 3.1): SYN -> SYN,
 * SYN+ACK -> SYN-ACK, otherwise the third ACK, with data when the segment
 * has payload. Linux ignores an MP_CAPABLE whose length disagrees; the
 * subflow engine does the same by comparing with struct xmp_mpc.variant.
 */
static inline __u8 xmp_mpc_expected_variant(__u8 tcp_flags, bool has_payload)
{
	if (tcp_flags & 0x02)
		return (tcp_flags & 0x10) ? XMP_MPC_SYNACK : XMP_MPC_SYN;
	return has_payload ? XMP_MPC_ACK_DATA : XMP_MPC_ACK;
}

/* MP_JOIN variants (RFC 8684 3.2). */
enum xmp_mpj_variant {
	XMP_MPJ_NONE = 0,
	XMP_MPJ_SYN,		/* 12: token + nonce */
	XMP_MPJ_SYNACK,		/* 16: truncated HMAC + nonce */
	XMP_MPJ_ACK,		/* 24: 160 bits of HMAC */
};

/*
 * MP_CAPABLE. With data (third ACK carrying the first data, RFC 8684 3.1),
 * data_len and csum are a DSS mapping in disguise: DSN = IDSN + 1, subflow
 * sequence 1 relative to the ISN.
 */
struct xmp_mpc {
	__u64 sndr_key;		/* SYN-ACK: the server's; ACK: the client's */
	__u64 rcvr_key;		/* ACK: the server's key echoed */
	__u16 data_len;		/* XMP_MPC_ACK_DATA only */
	__u16 csum;		/* DSS checksum, as the 16-bit wire value */
	__u8  variant;		/* enum xmp_mpc_variant */
	__u8  version;		/* low nibble of the subtype byte */
	__u8  flags;		/* A B C D E F G H (MPTCP_CAP_*) */
	__u8  csum_present;	/* ACK_DATA with the 2-byte checksum (24 bytes) */
};

struct xmp_mpj {
	__u64 thmac;		/* SYN-ACK: leftmost 64 bits of the HMAC */
	__u8  hmac[MPTCP_JOIN_HMAC_LEN]; /* ACK: leftmost 160 bits of the HMAC */
	__u32 token;		/* SYN: the receiver's token */
	__u32 nonce;		/* SYN, SYN-ACK: sender's random number */
	__u8  variant;		/* enum xmp_mpj_variant */
	__u8  backup;		/* SYN, SYN-ACK: B flag */
	__u8  addr_id;		/* SYN, SYN-ACK: sender's address id */
	__u8  pad;
};

/*
 * DSS (RFC 8684 3.3). Without a/m the 32-bit values are kept as is in the
 * low bits; expand them with xmp_expand_seq().
 */
struct xmp_dss {
	__u64 data_ack;		/* use_ack */
	__u64 data_seq;		/* use_map */
	__u32 subflow_seq;	/* use_map: relative to the subflow ISN */
	__u16 data_len;		/* use_map: 0 = infinite mapping (3.3.1) */
	__u16 csum;		/* csum_present */
	__u8  flags;		/* MPTCP_DSS_* that count: a, m, F only with A or M */
	__u8  use_ack;		/* A */
	__u8  ack64;		/* a */
	__u8  use_map;		/* M */
	__u8  dsn64;		/* m */
	__u8  data_fin;		/* F */
	__u8  csum_present;	/* mapping followed by the DSS checksum */
	__u8  infinite;		/* decode: use_map && data_len == 0 */
};

/* ADD_ADDR (RFC 8684 3.4.1). v1 has no IPVer: the length tells the family. */
struct xmp_add_addr {
	__u8  addr[16];		/* network order; IPv4 in the first 4 bytes */
	__u64 hmac;		/* rightmost 64 bits of the HMAC, when !echo */
	__u16 port;		/* host order, when port_present */
	__u8  family;		/* 4 or 6 */
	__u8  id;		/* address id */
	__u8  echo;		/* E flag: an echo carries no HMAC */
	__u8  port_present;
	__u8  hmac_present;	/* always !echo in v1 */
	__u8  pad;
};

/* REMOVE_ADDR (RFC 8684 3.4.2) */
struct xmp_rm_addr {
	__u8  ids[MPTCP_RM_IDS_MAX];
	__u8  nr;
};

/* MP_PRIO (3.3.8), MP_FAIL (3.7), MP_FASTCLOSE (3.5), MP_TCPRST (3.6) */
struct xmp_prio {
	__u8  backup;
};

struct xmp_fail {
	__u64 data_seq;		/* 64-bit DSN where the checksum failed */
};

struct xmp_fastclose {
	__u64 rcvr_key;		/* the option receiver's key */
};

struct xmp_tcprst {
	__u8  flags;		/* U V W T; T = MPTCP_RST_TRANSIENT */
	__u8  reason;		/* MPTCP_RST_E* */
};

/* Everything the MPTCP options of one segment can carry (like the kernel's
 * mptcp_options_received). Only the parts flagged in suboptions are valid. */
struct xmp_mp_opt {
	__u32 suboptions;	/* XMP_MPO_* */
	__u32 malformed;	/* MPTCP options present but not decodable */
	struct xmp_mpc mpc;
	struct xmp_mpj mpj;
	struct xmp_dss dss;
	struct xmp_add_addr add_addr;
	struct xmp_rm_addr rm_addr;
	struct xmp_prio prio;
	struct xmp_fail fail;
	struct xmp_fastclose fastclose;
	struct xmp_tcprst rst;
};

/* No hidden padding: decoded parts compare with memcmp(). */
XMP_STATIC_ASSERT(sizeof(struct xmp_mpc) == 24, "xmp_mpc padding");
XMP_STATIC_ASSERT(sizeof(struct xmp_mpj) == 40, "xmp_mpj padding");
XMP_STATIC_ASSERT(sizeof(struct xmp_dss) == 32, "xmp_dss padding");
XMP_STATIC_ASSERT(sizeof(struct xmp_add_addr) == 32, "xmp_add_addr padding");

/* Why a TCP option or MPTCP suboption was ignored (counted, never fatal). */
/* clang-format off */
/* Rows X(ENUM, "name"): common/names.h; the name is xmp_mp_drop_name()'s. */
#define XMP_MP_DROP_LIST(X) \
	X(XMP_MPD_TCPOPT_TRUNC, "tcpopt_trunc")	/* option kind with no room for its length byte: scan stops */ \
	X(XMP_MPD_TCPOPT_LEN, "tcpopt_len")	/* option length < 2 or past the area: scan stops */ \
	X(XMP_MPD_SHORT, "short")		/* MPTCP option shorter than 3 bytes: no subtype */ \
	X(XMP_MPD_BAD_SUBTYPE, "bad_subtype")	/* subtype not defined by RFC 8684 */ \
	X(XMP_MPD_MPC_LEN, "mpc_len")		/* MP_CAPABLE length is none of 4/12/20/22/24 */ \
	X(XMP_MPD_MPC_VERSION, "mpc_version")	/* MP_CAPABLE version other than 1 (SYN: below 1) */ \
	X(XMP_MPD_MPC_FLAGS, "mpc_flags")	/* MP_CAPABLE without H=HMAC-SHA256 alone, or with B */ \
	X(XMP_MPD_MPJ_LEN, "mpj_len")		/* MP_JOIN length is none of 12/16/24 */ \
	X(XMP_MPD_DSS_LEN, "dss_len")		/* DSS length does not match its flags */ \
	X(XMP_MPD_ADD_ADDR_LEN, "add_addr_len")	/* ADD_ADDR length fits no family/port/echo variant */ \
	X(XMP_MPD_RM_ADDR_LEN, "rm_addr_len")	/* REMOVE_ADDR with 0 or more than 8 ids */ \
	X(XMP_MPD_PRIO_LEN, "prio_len")		/* MP_PRIO length other than 3 */ \
	X(XMP_MPD_FAIL_LEN, "fail_len")		/* MP_FAIL length other than 12 */ \
	X(XMP_MPD_FASTCLOSE_LEN, "fastclose_len") /* MP_FASTCLOSE length other than 12 */ \
	X(XMP_MPD_TCPRST_LEN, "tcprst_len")	/* MP_TCPRST length other than 4 */
/* clang-format on */

enum xmp_mp_drop { XMP_MP_DROP_LIST(XMP_ENUM_ROW) XMP_MPD_NR };

/* Parse counters; they accumulate over calls (zero them once). */
struct xmp_mp_parse_stats {
	__u64 mptcp_opts;	/* MPTCP options met (kind 30), valid or not */
	__u64 decoded;		/* suboptions decoded */
	__u64 dup;		/* a subtype seen again in one area: the last wins */
	__u64 drop[XMP_MPD_NR];	/* ignored, by reason */
};

const char *xmp_mp_drop_name(enum xmp_mp_drop why);

/*
 * Decode every MPTCP suboption in the TCP option area @opts (@len bytes, the
 * bytes after the 20-byte TCP header). EOL ends the area, NOP and other kinds
 * are skipped; a malformed MPTCP suboption is ignored and counted in @st
 * (may be NULL). Never reads past @len. @mp is cleared first.
 * Returns the number of suboptions decoded, or -EINVAL on NULL arguments.
 */
int xmp_mp_parse(const __u8 *opts, size_t len, struct xmp_mp_opt *mp,
		 struct xmp_mp_parse_stats *st);

/*
 * The same decoding for MPTCP options already located: bit i of @at set
 * means one starts at @opts[i] (struct xmp_tcp_opt_rx.mp_at). Decoded in
 * ascending order without scanning the area again: when @at holds the MPTCP
 * options a walk of the area meets, @mp and @st come out as from
 * xmp_mp_parse() (bar the TCP-level drops that end a walk, which the TCP
 * parse counts). A bit that names no MPTCP option inside the area ends the
 * decoding there (counted as tcpopt_len).
 * Returns the number of suboptions decoded, or -EINVAL on NULL arguments.
 */
int xmp_mp_decode_at(const __u8 *opts, size_t len, __u64 at, struct xmp_mp_opt *mp,
		     struct xmp_mp_parse_stats *st);

/*
 * Decode the single MPTCP option at @opt (its kind byte), @avail bytes of the
 * area left from there, into @mp (other parts of @mp are kept, so several
 * can be decoded one after the other into one struct).
 * Returns the option's length, -EINVAL if it is not an MPTCP option or its
 * length byte is missing or past @avail, -EBADMSG if it is malformed.
 */
int xmp_mp_decode_one(const __u8 *opt, size_t avail, struct xmp_mp_opt *mp);

/* Length on the wire of a DSS with these flag bits (MPTCP_DSS_*), unpadded. */
static inline int xmp_mp_dss_len(__u8 flags, bool csum)
{
	int len = MPTCPOLEN_DSS_BASE;

	if (flags & MPTCP_DSS_HAS_ACK)
		len += (flags & MPTCP_DSS_ACK64) ? MPTCPOLEN_DSS_ACK64 : MPTCPOLEN_DSS_ACK32;
	if (flags & MPTCP_DSS_HAS_MAP) {
		len += (flags & MPTCP_DSS_DSN64) ? MPTCPOLEN_DSS_MAP64 : MPTCPOLEN_DSS_MAP32;
		if (csum)
			len += MPTCPOLEN_DSS_CSUM;
	}
	return len;
}

/* The DSS flag byte that struct xmp_dss's use_ack/ack64/use_map/dsn64/data_fin ask for. */
__u8 xmp_mp_dss_flags(const struct xmp_dss *dss);

/* Unpadded lengths of the other variable suboptions (0 for an invalid input). */
int xmp_mp_mpc_len(const struct xmp_mpc *mpc);
int xmp_mp_mpj_len(const struct xmp_mpj *mpj);
int xmp_mp_add_addr_len(const struct xmp_add_addr *aa);

/*
 * Encoders. Each writes one suboption followed by NOPs up to a multiple of 4
 * bytes, as Linux aligns them, and returns the bytes written (padding
 * included), -ENOSPC if @space is too small (nothing written), or -EINVAL for
 * a combination the RFC does not define. Fields are taken as given: checksums
 * and HMACs are computed by the caller (user/mptcp/crypto.h, dss_csum.h).
 */
int xmp_mp_write_mpc(__u8 *buf, size_t space, const struct xmp_mpc *mpc);
int xmp_mp_write_mpj(__u8 *buf, size_t space, const struct xmp_mpj *mpj);
int xmp_mp_write_dss(__u8 *buf, size_t space, const struct xmp_dss *dss);
int xmp_mp_write_add_addr(__u8 *buf, size_t space, const struct xmp_add_addr *aa);
int xmp_mp_write_rm_addr(__u8 *buf, size_t space, const struct xmp_rm_addr *rm);
int xmp_mp_write_prio(__u8 *buf, size_t space, const struct xmp_prio *prio);
int xmp_mp_write_fail(__u8 *buf, size_t space, const struct xmp_fail *fail);
int xmp_mp_write_fastclose(__u8 *buf, size_t space, const struct xmp_fastclose *fc);
int xmp_mp_write_tcprst(__u8 *buf, size_t space, const struct xmp_tcprst *rst);

/*
 * Write every suboption flagged in @mp->suboptions (at most one MP_CAPABLE and
 * one MP_JOIN variant), in the order MP_CAPABLE, MP_JOIN, DSS, ADD_ADDR,
 * REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST. Returns the bytes
 * written or -ENOSPC/-EINVAL; on error @buf may hold a partial area.
 */
int xmp_mp_write(__u8 *buf, size_t space, const struct xmp_mp_opt *mp);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frames on the wire <-> TCP segments of the engine (user/tcp/tcp.h).
 *
 * Input: xmp_pkt_parse() turns an Ethernet frame (optionally 802.1Q/802.1ad
 * tagged) carrying IPv4 or IPv6 + TCP into struct xmp_frame: offsets, the
 * tuple, a struct xmp_seg with the TCP header in host order, the raw
 * option bytes and a pointer to the payload, and the options parsed once
 * (struct xmp_tcp_opt_rx), ready for xmp_tcp_input_rx(); the MPTCP layer
 * decodes its options where that parse located them. When the XDP program
 * (bpf/xdp_steer.bpf.c) left a struct xmp_meta in front of the frame, the
 * offsets it found are used after checks instead of walking the headers
 * (and IPv6 extension chain) and the options again.
 *
 * Output: xmp_pkt_build() writes Ethernet + IPv4/IPv6 + TCP for a segment
 * from the engine, with IP and TCP checksums filled in (no offload is
 * assumed: AF_XDP frames leave as they are).
 *
 * Errors: parse returns -EPROTO (not IP/TCP: not for us), -EBADMSG
 * (malformed/truncated) or -EINVAL (bad arguments), and records in
 * f->err which check failed (enum xmp_pkt_err, xmp_pkt_err_name()).
 */
#ifndef XMP_IO_PKT_H
#define XMP_IO_PKT_H

#include <stdbool.h>
#include <linux/types.h>

#include "common/names.h"
#include "xmptcp/meta.h"
#include "xmptcp/maps.h"
#include "tcp/tcp.h"

#define XMP_ETH_ALEN	6
#define XMP_ETH_HLEN	14
#define XMP_IP4_HLEN	20
#define XMP_IP6_HLEN	40
/* Longest header stack we build: Ethernet + IPv6 + TCP with 40 option bytes */
#define XMP_PKT_MAX_HDRS (XMP_ETH_HLEN + XMP_IP6_HLEN + XMP_TCP_HLEN + XMP_TCP_MAX_OPTLEN)

/* clang-format off */
/* Rows X(ENUM, "name"): common/names.h; the name is xmp_pkt_err_name()'s. */
#define XMP_PKT_ERR_LIST(X) \
	X(XMP_PKT_OK, "ok") \
	X(XMP_PKT_E_SHORT_ETH, "short-eth")		/* shorter than Ethernet (+VLAN tags) */ \
	X(XMP_PKT_E_NOT_IP, "not-ip")			/* ethertype is neither IPv4 nor IPv6 */ \
	X(XMP_PKT_E_SHORT_IP, "short-ip")		/* truncated IPv4/IPv6 header */ \
	X(XMP_PKT_E_BAD_VERSION, "bad-ip-version")	/* IP version nibble disagrees with the ethertype */ \
	X(XMP_PKT_E_BAD_IHL, "bad-ihl")			/* IPv4 IHL < 5 or past the frame */ \
	X(XMP_PKT_E_BAD_IP_LEN, "bad-ip-length")	/* IP total/payload length past the frame or below the headers */ \
	X(XMP_PKT_E_IP_FRAG, "ip-fragment")		/* fragment: we do not reassemble */ \
	X(XMP_PKT_E_EXT_CHAIN, "ipv6-ext-chain")	/* IPv6 extension chain too long or truncated */ \
	X(XMP_PKT_E_NOT_TCP, "not-tcp")			/* IP but not TCP */ \
	X(XMP_PKT_E_SHORT_TCP, "short-tcp")		/* truncated TCP header */ \
	X(XMP_PKT_E_BAD_DOFF, "bad-tcp-doff")		/* TCP data offset < 5 or past the IP payload */ \
	X(XMP_PKT_E_IP_CSUM, "bad-ip-checksum")		/* IPv4 header checksum wrong (with XMP_PKT_F_CSUM) */ \
	X(XMP_PKT_E_TCP_CSUM, "bad-tcp-checksum")	/* TCP checksum wrong (with XMP_PKT_F_CSUM) */ \
	X(XMP_PKT_E_BAD_META, "bad-xdp-meta")		/* xmp_meta given but inconsistent with the frame: walked */
/* clang-format on */

enum xmp_pkt_err { XMP_PKT_ERR_LIST(XMP_ENUM_ROW) XMP_PKT_E_NR };

/* xmp_pkt_parse() flags */
#define XMP_PKT_F_CSUM	0x01	/* verify the IPv4 header and TCP checksums */

/* A parsed frame. Pointers (data, seg.payload, meta) borrow the frame. */
struct xmp_frame {
	const __u8 *data;
	__u32 len;		/* frame length as received */
	__u16 l3_off;		/* IP header */
	__u16 l4_off;		/* TCP header */
	__u16 payload_off;
	__u16 vlan;		/* outermost VLAN id, 0 = untagged */
	__u8 ip_version;	/* 4 or 6 */
	__u8 ttl;		/* TTL / hop limit */
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class */
	__u8 err;		/* enum xmp_pkt_err of the last failure (kept when reparsed) */
	__u8 src_mac[XMP_ETH_ALEN];
	__u8 dst_mac[XMP_ETH_ALEN];
	/* Addresses as on the wire, ports host order: src = sender. */
	struct xmp_addr saddr;
	struct xmp_addr daddr;
	struct xmp_seg seg;	/* TCP header (host order), options, payload */
	struct xmp_tcp_opt_rx opts; /* seg.opts parsed, for the engine and MPTCP */
	bool opts_walked;	/* opts came from a walk of seg.opts, not from meta */
	const struct xmp_meta *meta; /* the XDP metadata used, NULL if none */
};

/* What the builder needs beyond the segment. */
struct xmp_pkt_hdrs {
	__u8 src_mac[XMP_ETH_ALEN];
	__u8 dst_mac[XMP_ETH_ALEN];
	struct xmp_addr saddr;	/* both v4-mapped or both IPv6 */
	struct xmp_addr daddr;
	__u8 ttl;		/* 0 = 64 */
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class */
	__u16 ip_id;		/* IPv4 identification (host order) */
	__u32 flowlabel;	/* IPv6, low 20 bits */
	bool no_df;		/* IPv4: leave DF clear */
};

/*
 * Returns the metadata XDP put right before data, or NULL when the magic
 * is absent. headroom: bytes readable before data (>= XMP_META_SIZE needed).
 */
const struct xmp_meta *xmp_pkt_meta(const __u8 *data, __u32 headroom);

/*
 * Parses a frame. meta may be NULL; when given and consistent its offsets
 * are used, otherwise the headers are walked (f->err = XMP_PKT_E_BAD_META
 * records that the metadata was rejected, the parse may still succeed).
 * The options are parsed once either way: where the metadata located them
 * (f->opts_walked false) or by one walk, with the same result.
 * Returns 0, -EPROTO (not TCP over IP), -EBADMSG (malformed) or -EINVAL.
 */
int xmp_pkt_parse(const __u8 *data, __u32 len, const struct xmp_meta *meta,
		  unsigned int flags, struct xmp_frame *f);

/* Bytes xmp_pkt_build() will write for seg over this family. */
__u32 xmp_pkt_len(const struct xmp_pkt_hdrs *h, const struct xmp_seg *seg);

/*
 * Writes the frame for seg into buf[0..space): Ethernet, IPv4 (DF set,
 * header checksum) or IPv6, TCP with options padded to 4 bytes with EOL,
 * payload, TCP checksum. Returns the frame length, -ENOSPC if it does not
 * fit, -EINVAL for mixed families or an oversized option block.
 */
int xmp_pkt_build(__u8 *buf, __u32 space, const struct xmp_pkt_hdrs *h,
		  const struct xmp_seg *seg);

/* Fills the reply headers for f: MACs, addresses swapped (ports live in the seg). */
void xmp_pkt_reply_hdrs(const struct xmp_frame *f, struct xmp_pkt_hdrs *h);

/* Recomputes checksums of a parsed frame: 0 when both are right, else
 * XMP_PKT_E_IP_CSUM / XMP_PKT_E_TCP_CSUM. */
int xmp_pkt_check_csum(const struct xmp_frame *f);

const char *xmp_pkt_err_name(int err);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct xmp_parse: the parser's working state for one frame, on the BPF
 * stack. parse_l3.h/parse_tcp.h/parse_mptcp.h fill it; xdp_steer and
 * tc_egress then classify, update maps and (XDP) copy ->m into the frame's
 * metadata. Keeping every result in one struct lets the same helpers serve
 * the XDP (xdp_md) and TC (__sk_buff) entry points: they only ever see
 * data/data_end pointers and this struct.
 */
#ifndef XMP_BPF_STRUCTS_H
#define XMP_BPF_STRUCTS_H

#include "lib/consts.h"

/* Values of MPTCP suboptions the maps need (meta only records offsets). */
struct xmp_mp_vals {
	__u64 dsn;	  /* DSS mapping start: 64-bit, or 32-bit as on the wire */
	__u64 data_ack;	  /* DSS DATA_ACK, 64- or 32-bit as on the wire */
	__u64 key[2];	  /* MP_CAPABLE: option sender's key, receiver's key */
	__u32 join_token; /* MP_JOIN SYN token, host order */
	__u16 dll;	  /* DSS data-level length (0 = infinite mapping) */
	__u8 nkeys;	  /* MP_CAPABLE keys carried: 0, 1 or 2 */
	__u8 mpc_flags;	  /* MP_CAPABLE flag byte (A = checksum) */
	__u8 join_addr_id;
	__u8 obs_flags; /* XMP_OBS_F_* events this frame signals */
	__u8 has_map;	/* DSS carried a mapping (M) */
	__u8 has_ack;	/* DSS carried a DATA_ACK (A) */
};

struct xmp_parse {
	struct xmp_meta m;
	struct xmp_tuple t; /* saddr/sport = the frame's source */
	struct xmp_mp_vals mp;
	__u32 reasons;	   /* bit (1 << enum xmp_reason) per problem met */
	__u32 wire_len;	   /* frame length (XDP) or skb->len (TC, GSO included) */
	__u32 ip_end;	   /* end of the IP datagram, from its length field */
	__u32 payload_len; /* TCP payload; may exceed 64 KB on GSO skbs */
	__u16 l4_off;	   /* also valid for ICMP, unlike m.l4_off */
	__u8 l4_proto;	   /* IPPROTO_* of the transport header, 0 = none */
	__u8 tcp_flags;	   /* FIN..CWR as on the wire */
	__u8 tcp_ok;	   /* TCP header parsed (options may still be bad) */
	/* Option scan cursor (parse_tcp.h): kept here rather than in locals
	 * because the verifier does not track what the parser's memory
	 * holds, so it cannot split its states by their exact values. */
	__u8 scan_pos;	 /* position of the next option */
	__u8 scan_nopts; /* non-NOP options met so far */
};

/* Record a problem: the first one goes to the metadata, all are counted. */
static __always_inline void xmp_note(struct xmp_parse *p, __u32 reason)
{
	if (!p->m.reason)
		p->m.reason = reason;
	p->reasons |= 1u << reason;
}

#endif

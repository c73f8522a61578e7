/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP option (TCP kind 30) validation, RFC 8684 section 3. One call per
 * option from the TCP option scan (parse_tcp.h). A suboption is valid when
 * its length is one its subtype and variant allow given the segment's TCP
 * flags, mirroring Linux net/mptcp/options.c so XDP and the kernel agree on
 * what a peer sent; valid ones set their bit in m.mp_seen and their offset
 * in m.mp_off[], malformed ones are ignored and counted (never fatal).
 *
 * o points into the stack copy of the option area (parse_tcp.h), padded
 * well past 40 bytes: the caller proved the option lies inside the TCP
 * header, and reading the fixed parts of a variant only after its length
 * matched keeps every read inside the option.
 */
#ifndef XMP_BPF_PARSE_MPTCP_H
#define XMP_BPF_PARSE_MPTCP_H

#include "lib/structs.h"

/* Wire integers at any alignment, bytewise: o sits at any offset. */
static __always_inline __u32 xmp_rd32(const __u8 *b)
{
	return ((__u32)b[0] << 24) | ((__u32)b[1] << 16) | ((__u32)b[2] << 8) | b[3];
}

static __always_inline __u64 xmp_rd64(const __u8 *b)
{
	return ((__u64)xmp_rd32(b) << 32) | xmp_rd32(b + 4);
}

static __always_inline __u16 xmp_rd16(const __u8 *b)
{
	return ((__u16)b[0] << 8) | b[1];
}

static __always_inline int xmp_syn_only(const struct xmp_parse *p)
{
	return (p->tcp_flags & (XMP_TCP_SYN | XMP_TCP_ACK)) == XMP_TCP_SYN;
}

static __always_inline int xmp_synack(const struct xmp_parse *p)
{
	return (p->tcp_flags & (XMP_TCP_SYN | XMP_TCP_ACK)) == (XMP_TCP_SYN | XMP_TCP_ACK);
}

/*
 * MP_CAPABLE, RFC 8684 3.1: the variant follows from the TCP flags: SYN 4
 * bytes (no key in v1), SYN-ACK 12 (receiver's key), third ACK 20 (both
 * keys), first data 22 (+ data-level length) or 24 (+ DSS checksum).
 */
static __always_inline int xmp_mp_capable(struct xmp_parse *p, const __u8 *o, __u32 len)
{
	__u32 want;

	if (p->tcp_flags & XMP_TCP_SYN)
		want = (p->tcp_flags & XMP_TCP_ACK) ? MPTCPOLEN_MPC_SYNACK : MPTCPOLEN_MPC_SYN;
	else
		want = p->payload_len ? MPTCPOLEN_MPC_ACK_DATA : MPTCPOLEN_MPC_ACK;
	if (len != want && !(want == MPTCPOLEN_MPC_ACK_DATA && len == MPTCPOLEN_MPC_ACK_DATA_CSUM))
		return XMP_R_MPTCP_BAD_LEN;
	if ((o[2] & 0x0f) != MPTCP_VERSION_1)
		return XMP_R_MPTCP_BAD_VERSION;
	p->mp.mpc_flags = o[3];
	/* 3.1: checksums are used if either side sets A */
	if (o[3] & MPTCP_CAP_CHECKSUM_REQD)
		p->mp.obs_flags |= XMP_OBS_F_CSUM;
	if (len >= MPTCPOLEN_MPC_SYNACK) {
		p->mp.key[0] = xmp_rd64(o + 4);
		p->mp.nkeys = 1;
	}
	if (len >= MPTCPOLEN_MPC_ACK) {
		p->mp.key[1] = xmp_rd64(o + 12);
		p->mp.nkeys = 2;
	}
	return XMP_R_OK;
}

/* MP_JOIN, RFC 8684 3.2: SYN 12 (token, nonce), SYN-ACK 16 (truncated
 * HMAC, nonce), ACK 24 (full HMAC). */
static __always_inline int xmp_mp_join(struct xmp_parse *p, const __u8 *o, __u32 len)
{
	if (xmp_syn_only(p)) {
		if (len != MPTCPOLEN_MPJ_SYN)
			return XMP_R_MPTCP_BAD_LEN;
		p->mp.join_addr_id = o[3];
		p->mp.join_token = xmp_rd32(o + 4);
	} else if (xmp_synack(p)) {
		if (len != MPTCPOLEN_MPJ_SYNACK)
			return XMP_R_MPTCP_BAD_LEN;
		p->mp.join_addr_id = o[3];
	} else {
		if (len != MPTCPOLEN_MPJ_ACK)
			return XMP_R_MPTCP_BAD_LEN;
		return XMP_R_OK;
	}
	if (o[2] & MPTCP_JOIN_BACKUP)
		p->mp.obs_flags |= XMP_OBS_F_BACKUP;
	return XMP_R_OK;
}

/*
 * DSS, RFC 8684 3.3: flags byte then, in order, DATA_ACK (A: 4 bytes, 8 if
 * a) and mapping (M: DSN 4 bytes, 8 if m; subflow sequence 4; data-level
 * length 2; checksum 2 when negotiated). The length must match the flags
 * exactly, the checksum being the one optional part; a/m without A/M are
 * ignored. A mapping with data-level length 0 is the infinite mapping of
 * fallback (3.7); F is DATA_FIN (3.3.3).
 */
static __always_inline int xmp_dss(struct xmp_parse *p, const __u8 *o, __u32 len)
{
	__u32 want = MPTCPOLEN_DSS_BASE, ackl = 0;
	const __u8 *q;
	__u8 f;

	if (len < MPTCPOLEN_DSS_BASE)
		return XMP_R_MPTCP_BAD_LEN; /* no flag byte */
	f = o[3];
	if (f & MPTCP_DSS_HAS_ACK)
		ackl = (f & MPTCP_DSS_ACK64) ? 8 : 4;
	want += ackl;
	if (f & MPTCP_DSS_HAS_MAP)
		want += ((f & MPTCP_DSS_DSN64) ? 8 : 4) + 4 + 2;
	if (len != want && !((f & MPTCP_DSS_HAS_MAP) && len == want + 2))
		return XMP_R_MPTCP_BAD_LEN;

	if (ackl == 8) {
		p->mp.data_ack = xmp_rd64(o + 4);
	} else if (ackl == 4) {
		p->mp.data_ack = xmp_rd32(o + 4);
	}
	p->mp.has_ack = !!ackl;
	if (f & MPTCP_DSS_HAS_MAP) {
		q = o + MPTCPOLEN_DSS_BASE + ackl;
		if (f & MPTCP_DSS_DSN64) {
			p->mp.dsn = xmp_rd64(q);
			p->mp.dll = xmp_rd16(q + 12);
		} else {
			p->mp.dsn = xmp_rd32(q);
			p->mp.dll = xmp_rd16(q + 8);
		}
		p->mp.has_map = 1;
		if (!p->mp.dll)
			p->mp.obs_flags |= XMP_OBS_F_FALLBACK;
		if (len == want + 2)
			p->mp.obs_flags |= XMP_OBS_F_CSUM;
	}
	if (f & MPTCP_DSS_DATA_FIN)
		p->mp.obs_flags |= XMP_OBS_F_DATA_FIN;
	return XMP_R_OK;
}

/* ADD_ADDR, RFC 8684 3.4.1: address id, IPv4 or IPv6 address, optional
 * port, then a truncated HMAC unless this is the echo (E). The family is
 * only told by the length. */
static __always_inline int xmp_add_addr(const __u8 *o, __u32 len)
{
	__u32 base = MPTCPOLEN_ADD_ADDR_BASE, base6 = MPTCPOLEN_ADD_ADDR6_BASE;

	if (!(o[2] & MPTCP_ADDR_ECHO)) {
		base += MPTCPOLEN_ADD_ADDR_HMAC;
		base6 += MPTCPOLEN_ADD_ADDR_HMAC;
	}
	if (len == base || len == base + MPTCPOLEN_ADD_ADDR_PORT || len == base6 ||
	    len == base6 + MPTCPOLEN_ADD_ADDR_PORT)
		return XMP_R_OK;
	return XMP_R_MPTCP_BAD_LEN;
}

/*
 * Validate the MPTCP option at o (len bytes, off from the TCP header) and
 * record it. Returns the reason it was rejected, XMP_R_OK if valid.
 */
static __always_inline int xmp_parse_mptcp_opt(struct xmp_parse *p, const __u8 *o, __u32 len)
{
	__u32 sub;

	/* kind, length, subtype: a shorter option names no subtype */
	if (len < 3)
		return XMP_R_MPTCP_BAD_LEN;
	sub = o[2] >> 4;
	switch (sub) {
	case MPTCPOPT_MP_CAPABLE:
		return xmp_mp_capable(p, o, len);
	case MPTCPOPT_MP_JOIN:
		return xmp_mp_join(p, o, len);
	case MPTCPOPT_DSS:
		return xmp_dss(p, o, len);
	case MPTCPOPT_ADD_ADDR:
		return xmp_add_addr(o, len);
	case MPTCPOPT_RM_ADDR:
		/* 3.4.2: at least one address id; Linux takes at most 8 */
		if (len <= MPTCPOLEN_RM_ADDR_BASE ||
		    len > MPTCPOLEN_RM_ADDR_BASE + MPTCP_RM_IDS_MAX)
			return XMP_R_MPTCP_BAD_LEN;
		return XMP_R_OK;
	case MPTCPOPT_MP_PRIO:
		/* 3.3.8 */
		if (len != MPTCPOLEN_MP_PRIO)
			return XMP_R_MPTCP_BAD_LEN;
		if (o[2] & MPTCP_PRIO_BACKUP)
			p->mp.obs_flags |= XMP_OBS_F_BACKUP;
		return XMP_R_OK;
	case MPTCPOPT_MP_FAIL:
		/* 3.7: MP_FAIL means the subflow falls back (or is reset) */
		if (len != MPTCPOLEN_MP_FAIL)
			return XMP_R_MPTCP_BAD_LEN;
		p->mp.obs_flags |= XMP_OBS_F_FALLBACK;
		return XMP_R_OK;
	case MPTCPOPT_MP_FASTCLOSE:
		/* 3.5 */
		if (len != MPTCPOLEN_MP_FASTCLOSE)
			return XMP_R_MPTCP_BAD_LEN;
		p->mp.obs_flags |= XMP_OBS_F_FASTCLOSE;
		return XMP_R_OK;
	case MPTCPOPT_MP_TCPRST:
		/* 3.6 */
		if (len != MPTCPOLEN_MP_TCPRST)
			return XMP_R_MPTCP_BAD_LEN;
		p->mp.obs_flags |= XMP_OBS_F_TCPRST;
		return XMP_R_OK;
	}
	return XMP_R_MPTCP_BAD_SUBTYPE;
}

static __always_inline void xmp_parse_mptcp(struct xmp_parse *p, const __u8 *o, __u32 len,
					    __u32 off)
{
	__u32 sub, r;

	p->m.tcp_opts |= XMP_TOPT_MPTCP;
	r = xmp_parse_mptcp_opt(p, o, len);
	if (r) {
		xmp_note(p, r);
		return;
	}
	sub = (o[2] >> 4) & 0x0f;
	if (sub >= MPTCPOPT_NR_SUBTYPES)
		return;
	/* the first valid suboption of each subtype is the one recorded */
	if (!(p->m.mp_seen & (1u << sub))) {
		p->m.mp_seen |= 1u << sub;
		p->m.mp_off[sub] = off;
	}
}

#endif

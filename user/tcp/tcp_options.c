// SPDX-License-Identifier: GPL-2.0
/*
 * TCP option codec of the subflow engine: MSS (RFC 9293 3.7.1), window scale
 * and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
 * Pure functions. MPTCP (kind 30) is only located: it belongs to
 * user/mptcp/options.c and reaches it through ops->rcv_options().
 * Parsing, once per segment: xmp_tcp_parse_options() walks the area;
 * xmp_tcp_parse_meta() takes the options where XDP found them (user/io/pkt.c
 * with the frame's metadata, else tcp_input.c). Writing: tcp_output.c.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <xmptcp/meta.h>
#include <xmptcp/mptcp_wire.h>

#include "common/byteorder.h"
#include "tcp/tcp_int.h"

/* One option of kind opt[off] and length olen, inside the area. */
static void parse_one(const __u8 *area, unsigned int off, unsigned int olen, bool syn,
		      struct xmp_tcp_opt_rx *rx)
{
	const __u8 *opt = area + off;
	unsigned int i;

	switch (opt[0]) {
	case TCPOPT_MSS_:
		/* Only meaningful on SYNs (RFC 9293 3.7.1). */
		if (olen != TCPOLEN_MSS_)
			goto bad;
		if (syn) {
			rx->has_mss = true;
			rx->mss = get_be16(opt + 2);
		}
		return;
	case TCPOPT_WSCALE_:
		if (olen != TCPOLEN_WSCALE_)
			goto bad;
		if (syn) {
			rx->has_ws = true;
			rx->ws = opt[2];
		}
		return;
	case TCPOPT_SACK_PERM_:
		if (olen != TCPOLEN_SACK_PERM_)
			goto bad;
		if (syn)
			rx->sack_ok = true;
		return;
	case TCPOPT_TS_:
		if (olen != TCPOLEN_TS_)
			goto bad;
		rx->has_ts = true;
		rx->tsval = get_be32(opt + 2);
		rx->tsecr = get_be32(opt + 6);
		return;
	case TCPOPT_SACK_:
		/* RFC 2018 3: 2 + 8n bytes, at most 4 blocks fit. */
		if (olen < 10 || (olen - 2) % 8)
			goto bad;
		for (i = 0; i < (olen - 2) / 8 && rx->nr_sack < 4; i++) {
			rx->sack[rx->nr_sack][0] = get_be32(opt + 2 + 8 * i);
			rx->sack[rx->nr_sack][1] = get_be32(opt + 6 + 8 * i);
			rx->nr_sack++;
		}
		return;
	case TCPOPT_MPTCP:
		rx->has_mptcp = true;
		/* a TCP header holds 40 option bytes; longer areas (tools,
		 * fuzzers) keep the first 64 positions */
		if (off < 64)
			rx->mp_at |= 1ull << off;
		return;
	default:
		return; /* unknown options are skipped */
	}
bad:
	rx->bad++;
}

int xmp_tcp_parse_options(const __u8 *opt, unsigned int len, bool syn, struct xmp_tcp_opt_rx *rx)
{
	unsigned int off = 0, olen;

	memset(rx, 0, sizeof(*rx));
	while (off < len) {
		if (opt[off] == TCPOPT_EOL_)
			break;
		if (opt[off] == TCPOPT_NOP_) {
			off++;
			continue;
		}
		if (off + 1 >= len) {
			rx->bad++;
			break;
		}
		olen = opt[off + 1];
		if (olen < 2 || off + olen > len) {
			rx->bad++;
			break;
		}
		parse_one(opt, off, olen, syn, rx);
		off += olen;
	}
	return rx->bad ? -EBADMSG : 0;
}

/* The plain options the metadata locates, by tcp_opts bit (XMP_TOPT_MSS
 * is bit 0 ... XMP_TOPT_TS bit 4): the kind the offset must name, where
 * the offset is. */
static const struct {
	__u8 kind, field;
} meta_plain[] = {
	{ TCPOPT_MSS_, offsetof(struct xmp_meta, mss_off) },
	{ TCPOPT_WSCALE_, offsetof(struct xmp_meta, ws_off) },
	{ TCPOPT_SACK_PERM_, offsetof(struct xmp_meta, sackp_off) },
	{ TCPOPT_SACK_, offsetof(struct xmp_meta, sack_off) },
	{ TCPOPT_TS_, offsetof(struct xmp_meta, ts_off) },
};
#define META_PLAIN ((1u << (sizeof(meta_plain) / sizeof(meta_plain[0]))) - 1)
_Static_assert(XMP_TOPT_MSS == 1 << 0 && XMP_TOPT_WSCALE == 1 << 1 && XMP_TOPT_SACK_PERM == 1 << 2 &&
		       XMP_TOPT_SACK == 1 << 3 && XMP_TOPT_TS == 1 << 4,
	       "meta_plain[] is indexed by tcp_opts bit");

/*
 * Marks in @starts the option the metadata puts at @off (from the TCP
 * header), after checking it is one: inside the area, of @kind (and MPTCP
 * subtype @sub, or -1). Returns -EBADMSG if it is not.
 */
static int meta_mark(const __u8 *opt, unsigned int len, unsigned int off, __u8 kind, int sub,
		     __u64 *starts)
{
	unsigned int pos = off - XMP_TCP_HLEN, olen;

	if (off < XMP_TCP_HLEN || pos + 2 > len || opt[pos] != kind)
		return -EBADMSG;
	olen = opt[pos + 1];
	if (olen < 2 || pos + olen > len || (sub >= 0 && (olen < 3 || opt[pos + 2] >> 4 != sub)))
		return -EBADMSG;
	*starts |= 1ull << pos;
	return 0;
}

/* Where the metadata says options start (bit i: at opt[i]), or -EBADMSG
 * when an offset or a flag contradicts the area. */
static int meta_locate(const __u8 *opt, unsigned int len, const struct xmp_meta *m,
		       __u64 *starts)
{
	const __u8 *raw = (const __u8 *)m;
	unsigned int i;
	__u32 bits;

	/* with no problem met, XDP saw MPTCP options iff it located some */
	if ((m->tcp_opts & ~(META_PLAIN | XMP_TOPT_MPTCP)) || (m->mp_seen >> MPTCPOPT_NR_SUBTYPES) ||
	    !(m->tcp_opts & XMP_TOPT_MPTCP) != !m->mp_seen)
		return -EBADMSG;
	for (bits = m->tcp_opts & META_PLAIN; bits; bits &= bits - 1) {
		i = (unsigned int)__builtin_ctz(bits);
		if (meta_mark(opt, len, raw[meta_plain[i].field], meta_plain[i].kind, -1, starts))
			return -EBADMSG;
	}
	for (bits = m->mp_seen; bits; bits &= bits - 1) {
		i = (unsigned int)__builtin_ctz(bits);
		if (meta_mark(opt, len, m->mp_off[i], TCPOPT_MPTCP, (int)i, starts))
			return -EBADMSG;
	}
	return 0;
}

int xmp_tcp_parse_meta(const __u8 *opt, unsigned int len, bool syn, const struct xmp_meta *m,
		       struct xmp_tcp_opt_rx *rx)
{
	unsigned int pos = 0;
	__u64 starts = 0;

	memset(rx, 0, sizeof(*rx));
	if (len > XMP_TCP_MAX_OPTLEN)
		return -EINVAL;
	/* XDP stopped early or ignored an option: its offsets are partial. */
	if (m->reason != XMP_R_OK)
		return -EAGAIN;
	if (meta_locate(opt, len, m, &starts))
		return -EBADMSG;
	/* The walk's path over the area, taking an option only where the
	 * metadata says one starts: so the walk would meet exactly these and
	 * the result is the walk's. */
	while (pos < len && opt[pos] != TCPOPT_EOL_) {
		if (starts & (1ull << pos)) {
			starts &= ~(1ull << pos);
			parse_one(opt, pos, opt[pos + 1], syn, rx);
			pos += opt[pos + 1];
		} else if (opt[pos] == TCPOPT_NOP_) {
			pos++;
		} else {
			return -EAGAIN; /* an option XDP did not locate */
		}
	}
	/* a located option inside another, or after the EOL */
	return starts ? -EBADMSG : 0;
}

/* NOP NOP TS: 12 bytes, the layout every stack uses on non-SYN segments. */
int xmp_tcp_write_ts(__u8 *buf, unsigned int space, __u32 tsval, __u32 tsecr)
{
	if (space < 12)
		return -ENOSPC;
	buf[0] = TCPOPT_NOP_;
	buf[1] = TCPOPT_NOP_;
	buf[2] = TCPOPT_TS_;
	buf[3] = TCPOLEN_TS_;
	put_be32(buf + 4, tsval);
	put_be32(buf + 8, tsecr);
	return 12;
}

/* NOP NOP SACK with as many of the n blocks as fit. Returns bytes written. */
int xmp_tcp_write_sack(__u8 *buf, unsigned int space, const __u32 (*blocks)[2], unsigned int n)
{
	unsigned int i;

	if (space < 12 || !n)
		return 0;
	if (n > (space - 4) / 8)
		n = (space - 4) / 8;
	if (n > 4)
		n = 4;
	buf[0] = TCPOPT_NOP_;
	buf[1] = TCPOPT_NOP_;
	buf[2] = TCPOPT_SACK_;
	buf[3] = 2 + 8 * n;
	for (i = 0; i < n; i++) {
		put_be32(buf + 4 + 8 * i, blocks[i][0]);
		put_be32(buf + 8 + 8 * i, blocks[i][1]);
	}
	return 4 + 8 * n;
}

/*
 * SYN/SYN-ACK options in the usual order: MSS, SACK-permitted + TS (or
 * NOP NOP TS), NOP + window scale (wscale < 0: none). At most 20 bytes, so
 * 20 remain for MPTCP. Returns bytes written (a multiple of 4).
 */
int xmp_tcp_write_syn_options(__u8 *buf, unsigned int space, __u16 mss, int wscale, bool sack_ok,
			      bool ts, __u32 tsval, __u32 tsecr)
{
	unsigned int off = 0;

	if (space < 20)
		return -ENOSPC;
	buf[off++] = TCPOPT_MSS_;
	buf[off++] = TCPOLEN_MSS_;
	buf[off++] = mss >> 8;
	buf[off++] = mss & 0xff;
	if (ts) {
		if (sack_ok) {
			buf[off++] = TCPOPT_SACK_PERM_;
			buf[off++] = TCPOLEN_SACK_PERM_;
		} else {
			buf[off++] = TCPOPT_NOP_;
			buf[off++] = TCPOPT_NOP_;
		}
		buf[off++] = TCPOPT_TS_;
		buf[off++] = TCPOLEN_TS_;
		put_be32(buf + off, tsval);
		put_be32(buf + off + 4, tsecr);
		off += 8;
	} else if (sack_ok) {
		buf[off++] = TCPOPT_NOP_;
		buf[off++] = TCPOPT_NOP_;
		buf[off++] = TCPOPT_SACK_PERM_;
		buf[off++] = TCPOLEN_SACK_PERM_;
	}
	if (wscale >= 0) {
		buf[off++] = TCPOPT_NOP_;
		buf[off++] = TCPOPT_WSCALE_;
		buf[off++] = TCPOLEN_WSCALE_;
		buf[off++] = (__u8)wscale;
	}
	return off;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP header and option scan shared by XDP ingress and TC egress.
 *
 * The option area (at most 40 bytes, RFC 9293 3.1) is first copied to a
 * stack buffer (lib/parse.h: five 8-byte loads, or the context's
 * load_bytes helper near the end of the frame) and scanned there. Scanning the packet in place made
 * the verifier track, per option layout, how many packet bytes each path
 * had proved readable, which multiplied its states beyond the budget; on
 * the stack every read is at a fixed offset of a fixed-size buffer.
 *
 * The scan never reads outside the option area: each step checks the kind
 * byte, the length byte and the option's end before handing it on. A broken
 * option (length byte missing, length < 2, length past the header, too many
 * options) is recorded with xmp_note() and ends the scan, since nothing after
 * a bad length can be trusted. Call chain: xmp_parse_tcp_hdr(), then
 * xmp_scan_opts() -> xmp_parse_opt() (plain) or opt_fn -> xmp_parse_opt()
 * -> xmp_parse_mptcp().
 */
#ifndef XMP_BPF_PARSE_TCP_H
#define XMP_BPF_PARSE_TCP_H

#include "lib/structs.h"
#include "lib/parse_mptcp.h"

#define XMP_TCP_HLEN 20
/* Positions are masked to 0..63; +40 leaves room for the longest fixed
 * read of a suboption, so every read lies inside the buffer. */
#define XMP_OPT_BUF 104

struct xmp_optbuf {
	union {
		__u8 b[XMP_OPT_BUF]; /* the option area, then zeroes or payload */
		__u64 w[XMP_OPT_BUF / 8];
	};
};

/* MPTCP option handler: a global function (see lib/parse.h) verified once. */
typedef int (*xmp_opt_fn)(struct xmp_parse *p, struct xmp_optbuf *ob, __u32 pos, __u32 len);

/* One option of known-good extent o[0..len), off bytes from the TCP header.
 * Plain options with a length their RFC forbids are ignored, as a TCP stack
 * does; the others are located in the metadata (the last of each kind: a
 * repeat leaves the earlier one unlocated, and userspace, finding an option
 * the metadata does not name, walks the area itself). */
static __always_inline void xmp_parse_opt(struct xmp_parse *p, const __u8 *o, __u32 len, __u32 off)
{
	switch (o[0]) {
	case TCPOPT_MSS_:
		if (len == TCPOLEN_MSS_) {
			p->m.mss_off = off;
			p->m.tcp_opts |= XMP_TOPT_MSS;
		}
		break;
	case TCPOPT_WSCALE_:
		if (len == TCPOLEN_WSCALE_) {
			p->m.ws_off = off;
			p->m.tcp_opts |= XMP_TOPT_WSCALE;
		}
		break;
	case TCPOPT_SACK_PERM_:
		if (len == TCPOLEN_SACK_PERM_) {
			p->m.sackp_off = off;
			p->m.tcp_opts |= XMP_TOPT_SACK_PERM;
		}
		break;
	case TCPOPT_SACK_:
		/* RFC 2018 3: 1 to 4 blocks of 8 bytes */
		if (len >= 10 && !((len - 2) & 7)) {
			p->m.sack_off = off;
			p->m.tcp_opts |= XMP_TOPT_SACK;
		}
		break;
	case TCPOPT_TS_:
		if (len == TCPOLEN_TS_) {
			p->m.ts_off = off;
			p->m.tcp_opts |= XMP_TOPT_TS;
		}
		break;
	case TCPOPT_MPTCP:
		xmp_parse_mptcp(p, o, len, off);
		break;
	}
}

/*
 * ob holds the optlen option bytes; p->scan_pos/scan_nopts start at 0 (the
 * caller zeroes *p). MPTCP options go to opt_fn, a global function the
 * verifier checks once (their many variants inlined here would be
 * re-verified at every step); the few plain ones are handled inline. The cursor lives in *p, not
 * in locals: opt_fn may write *p, so after an MPTCP option the verifier sees an unknown
 * position, one state whatever options came before. Kept in locals, the
 * exact cursor and count split the states per option layout, past the 1M-instruction budget.
 * (With this, xdp_steer verifies in ~65k instructions; lib/parse.h.)
 */
static __always_inline void xmp_scan_opts(struct xmp_parse *p, struct xmp_optbuf *ob, __u32 optlen,
					  xmp_opt_fn opt_fn)
{
	__u32 i;

	/* each step consumes at least one byte: 40 steps cover any header */
	for (i = 0; i < XMP_MAX_OPT_BYTES; i++) {
		__u32 pos = p->scan_pos, kind, len;

		if (pos >= optlen)
			break;
		kind = ob->b[pos & 0x3f];
		if (kind == TCPOPT_EOL_)
			break;
		if (kind == TCPOPT_NOP_) {
			p->scan_pos = pos + 1;
			continue;
		}
		if (++p->scan_nopts > XMP_MAX_OPTS) {
			xmp_note(p, XMP_R_OPT_TOO_MANY);
			break;
		}
		if (pos + 2 > optlen) {
			xmp_note(p, XMP_R_OPT_TRUNC);
			break;
		}
		len = ob->b[(pos + 1) & 0x3f];
		if (len < 2) {
			xmp_note(p, XMP_R_OPT_ZERO_LEN);
			break;
		}
		if (pos + len > optlen) {
			xmp_note(p, XMP_R_OPT_OVERRUN);
			break;
		}
		if (kind == TCPOPT_MPTCP)
			opt_fn(p, ob, pos, len);
		else
			xmp_parse_opt(p, ob->b + (pos & 0x3f), len, XMP_TCP_HLEN + pos);
		p->scan_pos = pos + len;
	}
}

/* TCP header at p->l4_off: tuple ports, flags, offsets, payload length.
 * Returns the option area's length (0..40), or -1 if the header is not
 * usable. The payload length must be known before the options: it tells
 * MP_CAPABLE's third ACK from its first data segment (RFC 8684 3.1). */
static __always_inline int xmp_parse_tcp_hdr(void *data, void *data_end, struct xmp_parse *p)
{
	__u32 off = p->l4_off & 0x7fff, doff, end;
	__u8 *th = data + off;

	p->m.l4_off = off;
	if ((void *)(th + XMP_TCP_HLEN) > data_end) {
		xmp_note(p, XMP_R_SHORT_TCP);
		return -1;
	}
	p->t.sport = *(__be16 *)th;
	p->t.dport = *(__be16 *)(th + 2);
	p->tcp_flags = th[13];
	doff = (th[12] >> 4) * 4;
	if (doff < XMP_TCP_HLEN || (void *)(th + doff) > data_end || off + doff > p->ip_end) {
		xmp_note(p, XMP_R_BAD_DOFF);
		return -1;
	}
	end = off + doff;
	p->m.payload_off = end;
	p->payload_len = p->ip_end > end ? p->ip_end - end : 0;
	p->m.payload_len = p->payload_len > 0xffff ? 0xffff : p->payload_len;
	p->tcp_ok = 1;
	return doff - XMP_TCP_HLEN;
}

#endif

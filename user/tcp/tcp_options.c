// SPDX-License-Identifier: GPL-2.0
/*
 * TCP option codec of the subflow engine: MSS (RFC 9293 3.7.1), window scale
 * and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
 * Pure functions. MPTCP (kind 30) is only noted as present: it belongs to
 * user/mptcp/options.c and reaches it through ops->rcv_options().
 * Called by tcp_input.c (parse) and tcp_output.c (write).
 */
#include <errno.h>
#include <string.h>

#include <xmptcp/mptcp_wire.h>

#include "common/byteorder.h"
#include "tcp/tcp_int.h"

/* One well-formed option of kind opt[0] and length olen. */
static void parse_one(const __u8 *opt, unsigned int olen, bool syn, struct xmp_tcp_opt_rx *rx)
{
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
		return;
	default:
		return; /* unknown options are skipped */
	}
bad:
	rx->bad++;
}

/*
 * Parses len bytes of options. A malformed length ends the walk (nothing
 * after it can be trusted); what was parsed before stays valid. Returns 0, or
 * -EBADMSG when anything was malformed (rx->bad counts them).
 */
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
		parse_one(opt + off, olen, syn, rx);
		off += olen;
	}
	return rx->bad ? -EBADMSG : 0;
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

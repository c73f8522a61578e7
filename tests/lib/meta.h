/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option part of struct xmp_meta as bpf/xdp_steer leaves it, for the
 * tests and fuzzers that run without root (header only). t_meta_locate()
 * follows the XDP scan's rules for *where* (bpf/lib/parse_tcp.h): EOL ends
 * it, the first problem (truncated option, length < 2 or past the area,
 * more than 16 options) is noted in reason and ends it, plain options with
 * the length their RFC requires are located (the last of each kind), MPTCP
 * options set XMP_TOPT_MPTCP and the first of each subtype is located. It
 * leaves out the XDP parser's per-variant MPTCP length checks: they decide
 * only which suboptions XDP locates, and userspace decodes what it is
 * pointed at with its own rules; tests/bpf/test_xdp_parse.c runs the real
 * program on golden frames. Forging metadata = editing what this returns.
 */
#ifndef XMP_TEST_META_H
#define XMP_TEST_META_H

#include <string.h>
#include <xmptcp/meta.h>

#define T_META_MAX_OPTS 16 /* bpf/lib/consts.h XMP_MAX_OPTS */

static inline void t_meta_note(struct xmp_meta *m, __u8 reason)
{
	if (!m->reason)
		m->reason = reason;
}

/* One option of known-good extent at opt[pos..pos + len). */
static inline void t_meta_one(struct xmp_meta *m, const __u8 *o, unsigned int len, __u8 off)
{
	unsigned int sub;

	switch (o[0]) {
	case TCPOPT_MSS_:
		if (len == TCPOLEN_MSS_) {
			m->mss_off = off;
			m->tcp_opts |= XMP_TOPT_MSS;
		}
		break;
	case TCPOPT_WSCALE_:
		if (len == TCPOLEN_WSCALE_) {
			m->ws_off = off;
			m->tcp_opts |= XMP_TOPT_WSCALE;
		}
		break;
	case TCPOPT_SACK_PERM_:
		if (len == TCPOLEN_SACK_PERM_) {
			m->sackp_off = off;
			m->tcp_opts |= XMP_TOPT_SACK_PERM;
		}
		break;
	case TCPOPT_TS_:
		if (len == TCPOLEN_TS_) {
			m->ts_off = off;
			m->tcp_opts |= XMP_TOPT_TS;
		}
		break;
	case TCPOPT_SACK_:
		if (len >= 10 && !((len - 2) & 7)) {
			m->sack_off = off;
			m->tcp_opts |= XMP_TOPT_SACK;
		}
		break;
	case TCPOPT_MPTCP:
		m->tcp_opts |= XMP_TOPT_MPTCP;
		if (len < 3) {
			t_meta_note(m, XMP_R_MPTCP_BAD_LEN);
			break;
		}
		sub = o[2] >> 4;
		if (sub >= MPTCPOPT_NR_SUBTYPES)
			t_meta_note(m, XMP_R_MPTCP_BAD_SUBTYPE);
		else if (!(m->mp_seen & (1u << sub))) {
			m->mp_seen |= 1u << sub;
			m->mp_off[sub] = off;
		}
		break;
	}
}

/* Fills the option fields of @m (the others are left as they are) for the
 * optlen option bytes after a TCP header. */
static inline void t_meta_locate(struct xmp_meta *m, const __u8 *opt, unsigned int optlen)
{
	unsigned int pos = 0, n = 0, len;

	m->reason = XMP_R_OK;
	m->tcp_opts = 0;
	m->mp_seen = 0;
	memset(m->mp_off, 0, sizeof(m->mp_off));
	m->mss_off = m->ws_off = m->sackp_off = m->ts_off = m->sack_off = 0;
	while (pos < optlen && opt[pos] != TCPOPT_EOL_) {
		if (opt[pos] == TCPOPT_NOP_) {
			pos++;
			continue;
		}
		if (++n > T_META_MAX_OPTS) {
			t_meta_note(m, XMP_R_OPT_TOO_MANY);
			break;
		}
		if (pos + 2 > optlen) {
			t_meta_note(m, XMP_R_OPT_TRUNC);
			break;
		}
		len = opt[pos + 1];
		if (len < 2) {
			t_meta_note(m, XMP_R_OPT_ZERO_LEN);
			break;
		}
		if (pos + len > optlen) {
			t_meta_note(m, XMP_R_OPT_OVERRUN);
			break;
		}
		t_meta_one(m, opt + pos, len, (__u8)(20 + pos));
		pos += len;
	}
}

#endif

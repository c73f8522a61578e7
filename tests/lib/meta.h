/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option part of struct xmp_meta exactly as bpf/xdp_steer leaves it, for
 * the tests, fuzzers and benchmarks that run without root (header only):
 * t_meta_locate() runs the BPF parser's own option scan (bpf/lib/parse_tcp.h
 * and parse_mptcp.h, header-only and plain C) over a copy of the option area,
 * as XMP_DEFINE_PARSER's TCP half does, and copies what it recorded. The
 * BPF-only headers those include are kept out by their include guards.
 * Forging metadata = editing what this returns. Needs -Ibpf (the Makefile's
 * test rules give it).
 */
#ifndef XMP_TEST_META_H
#define XMP_TEST_META_H

#include <string.h>
#include <linux/types.h>

/* userspace has the UAPI types; the parser calls no BPF helper */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__
#endif
#define __BPF_HELPERS__
#define __BPF_ENDIAN__
#include "lib/parse_tcp.h"

/* One MPTCP option, as XMP_DEFINE_PARSER()'s NAME_opt hands it on. */
static inline int t_meta_opt(struct xmp_parse *p, struct xmp_optbuf *ob, __u32 pos, __u32 len)
{
	pos &= 0x3f;
	xmp_parse_opt(p, ob->b + pos, len, XMP_TCP_HLEN + pos);
	return 0;
}

/*
 * Fills the option fields of @m (reason, tcp_opts, mp_seen and the offsets;
 * the others are left as they are) for the @optlen option bytes of a segment
 * with TCP flags @tcp_flags and @payload_len bytes of payload (MP_CAPABLE's
 * valid length depends on both, RFC 8684 3.1).
 */
static inline void t_meta_locate(struct xmp_meta *m, const __u8 *opt, unsigned int optlen,
				 __u8 tcp_flags, __u32 payload_len)
{
	struct xmp_optbuf ob;
	struct xmp_parse p;

	memset(&p, 0, sizeof(p));
	memset(&ob, 0, sizeof(ob));
	p.tcp_flags = tcp_flags;
	p.payload_len = payload_len;
	if (optlen > XMP_MAX_OPT_BYTES)
		xmp_note(&p, XMP_R_BAD_DOFF); /* no TCP header is that long */
	else {
		memcpy(ob.b, opt, optlen);
		xmp_scan_opts(&p, &ob, optlen, t_meta_opt);
	}
	m->reason = p.m.reason;
	m->tcp_opts = p.m.tcp_opts;
	m->mp_seen = p.m.mp_seen;
	memcpy(m->mp_off, p.m.mp_off, sizeof(m->mp_off));
	m->mss_off = p.m.mss_off;
	m->ws_off = p.m.ws_off;
	m->sackp_off = p.m.sackp_off;
	m->ts_off = p.m.ts_off;
	m->sack_off = p.m.sack_off;
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Properties of the MPTCP option codec (user/mptcp/options.c) that the
 * unit test (test_mptcp_options.c) and the fuzzer (fuzz_mptcp_options.c)
 * both check on whatever decoded: one copy, so the two cannot drift. Each
 * answers what went wrong (a short phrase) or NULL; the caller turns that
 * into a CHECK or a trap.
 */
#ifndef XMP_TEST_MP_REENCODE_H
#define XMP_TEST_MP_REENCODE_H

#include <errno.h>
#include <string.h>

#include <xmptcp/mptcp_wire.h>

#include "mptcp/options.h"

/* The first part flagged in a->suboptions where a and b differ. */
static inline const char *t_mp_differs(const struct xmp_mp_opt *a, const struct xmp_mp_opt *b)
{
	__u32 s = a->suboptions;

	if (a->suboptions != b->suboptions)
		return "suboptions";
	if ((s & XMP_MPO_MPC) && memcmp(&a->mpc, &b->mpc, sizeof(a->mpc)))
		return "mpc";
	if ((s & XMP_MPO_MPJ) && memcmp(&a->mpj, &b->mpj, sizeof(a->mpj)))
		return "mpj";
	if ((s & XMP_MPO_DSS) && memcmp(&a->dss, &b->dss, sizeof(a->dss)))
		return "dss";
	if ((s & XMP_MPO_ADD_ADDR) && memcmp(&a->add_addr, &b->add_addr, sizeof(a->add_addr)))
		return "add_addr";
	if ((s & XMP_MPO_RM_ADDR) && memcmp(&a->rm_addr, &b->rm_addr, sizeof(a->rm_addr)))
		return "rm_addr";
	if ((s & XMP_MPO_PRIO) && a->prio.backup != b->prio.backup)
		return "prio";
	if ((s & XMP_MPO_FAIL) && a->fail.data_seq != b->fail.data_seq)
		return "fail";
	if ((s & XMP_MPO_FASTCLOSE) && a->fastclose.rcvr_key != b->fastclose.rcvr_key)
		return "fastclose";
	if ((s & XMP_MPO_TCPRST) && memcmp(&a->rst, &b->rst, sizeof(a->rst)))
		return "rst";
	return NULL;
}

/* Each decoded suboption of @mp alone, re-encoded: a whole number of
 * words, one option whose length byte the length helpers agree with, that
 * decodes to the same fields. A decodable oddity the encoder will not
 * produce (-EINVAL) is passed over. */
static inline const char *t_mp_reencode(const struct xmp_mp_opt *mp)
{
	static const __u32 groups[] = { XMP_MPO_MPC, XMP_MPO_MPJ, XMP_MPO_DSS, XMP_MPO_ADD_ADDR,
					XMP_MPO_RM_ADDR, XMP_MPO_PRIO, XMP_MPO_FAIL,
					XMP_MPO_FASTCLOSE, XMP_MPO_TCPRST };

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct xmp_mp_opt one = *mp, again;
		__u8 buf[TCP_MAX_OPT_BYTES];
		const char *bad;
		int n;

		one.suboptions &= groups[i];
		if (!one.suboptions)
			continue;
		n = xmp_mp_write(buf, sizeof(buf), &one);
		if (n == -EINVAL)
			continue;
		if (n <= 0 || n % 4 || n > TCP_MAX_OPT_BYTES)
			return "write length";
		if (buf[0] != TCPOPT_MPTCP || buf[1] > n || buf[1] <= n - 4)
			return "option header";
		if (groups[i] == XMP_MPO_DSS &&
		    buf[1] != xmp_mp_dss_len(one.dss.flags, one.dss.csum_present))
			return "DSS length";
		if (xmp_mp_parse(buf, n, &again, NULL) != 1)
			return "decode";
		bad = t_mp_differs(&one, &again);
		if (bad)
			return bad;
	}
	return NULL;
}

#endif

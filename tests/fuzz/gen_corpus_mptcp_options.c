// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpus for tests/fuzz/fuzz_mptcp_options.c, written with the codec's
 * own encoders so every subtype and variant starts valid: one file per
 * option area (seed-NNN), some areas mixing several suboptions with the
 * plain TCP options Linux sends beside them (NOPs, timestamps).
 *
 * Built by `make`; tests/fuzz/run.sh calls it with the corpus directory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz/corpus.h"
#include "mptcp/options.h"

static int save(const __u8 *buf, size_t len)
{
	return corpus_save(NULL, buf, len);
}

/* Write @mp, optionally after a timestamps option, and save the area. */
static int emit(const struct xmp_mp_opt *mp, int with_ts)
{
	__u8 area[TCP_MAX_OPT_BYTES];
	size_t off = 0;
	int n;

	if (with_ts) {
		area[0] = TCPOPT_NOP_;
		area[1] = TCPOPT_NOP_;
		area[2] = TCPOPT_TS_;
		area[3] = TCPOLEN_TS_;
		memset(area + 4, 0x5a, 8);
		off = 12;
	}
	n = xmp_mp_write(area + off, sizeof(area) - off, mp);
	if (n == -ENOSPC && with_ts)
		return 0; /* does not fit beside timestamps: skip that form */
	if (n < 0) {
		fprintf(stderr, "encoder refused seed %d: %d\n", corpus.nfiles, n);
		return n;
	}
	return save(area, off + n);
}

static int gen(void)
{
	struct xmp_mp_opt mp;
	int ret = 0;

	for (__u8 v = XMP_MPC_SYN; v <= XMP_MPC_ACK_DATA && !ret; v++) {
		for (__u8 csum = 0; csum <= (v == XMP_MPC_ACK_DATA) && !ret; csum++) {
			memset(&mp, 0, sizeof(mp));
			mp.suboptions = v == XMP_MPC_SYN    ? XMP_MPO_MPC_SYN :
					v == XMP_MPC_SYNACK ? XMP_MPO_MPC_SYNACK : XMP_MPO_MPC_ACK;
			mp.mpc = (struct xmp_mpc){ .variant = v, .version = 1,
						   .flags = MPTCP_CAP_HMAC_SHA256 |
							    (csum ? MPTCP_CAP_CHECKSUM_REQD : 0) };
			if (v >= XMP_MPC_SYNACK)
				mp.mpc.sndr_key = 0x0123456789abcdefULL;
			if (v >= XMP_MPC_ACK)
				mp.mpc.rcvr_key = 0xfedcba9876543210ULL;
			if (v == XMP_MPC_ACK_DATA) {
				mp.mpc.data_len = 1400;
				mp.mpc.csum_present = csum;
				mp.mpc.csum = csum ? 0x1234 : 0;
			}
			ret = emit(&mp, 0);
		}
	}
	for (__u8 v = XMP_MPJ_SYN; v <= XMP_MPJ_ACK && !ret; v++) {
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = v == XMP_MPJ_SYN    ? XMP_MPO_MPJ_SYN :
				v == XMP_MPJ_SYNACK ? XMP_MPO_MPJ_SYNACK : XMP_MPO_MPJ_ACK;
		mp.mpj.variant = v;
		if (v != XMP_MPJ_ACK) {
			mp.mpj.backup = 1;
			mp.mpj.addr_id = 3;
			mp.mpj.nonce = 0xaabbccdd;
		}
		mp.mpj.token = v == XMP_MPJ_SYN ? 0x55c53f5d : 0;
		mp.mpj.thmac = v == XMP_MPJ_SYNACK ? 0x3bae5abc810a33c2ULL : 0;
		if (v == XMP_MPJ_ACK)
			memset(mp.mpj.hmac, 0x42, sizeof(mp.mpj.hmac));
		ret = emit(&mp, 0);
	}
	/* Every valid DSS shape, alone and after timestamps. */
	for (int f = 0; f <= MPTCP_DSS_FLAG_MASK && !ret; f++) {
		for (__u8 csum = 0; csum < 2 && !ret; csum++) {
			struct xmp_dss *d = &mp.dss;

			memset(&mp, 0, sizeof(mp));
			mp.suboptions = XMP_MPO_DSS;
			d->use_ack = !!(f & MPTCP_DSS_HAS_ACK);
			d->ack64 = !!(f & MPTCP_DSS_ACK64);
			d->use_map = !!(f & MPTCP_DSS_HAS_MAP);
			d->dsn64 = !!(f & MPTCP_DSS_DSN64);
			d->data_fin = !!(f & MPTCP_DSS_DATA_FIN);
			d->csum_present = csum;
			if ((!d->use_map && (d->dsn64 || d->data_fin || csum)) ||
			    (!d->use_ack && d->ack64) || (!d->use_ack && !d->use_map))
				continue;
			d->data_ack = 0x1122334455667788ULL;
			d->data_seq = 0x99aabbccddeeff00ULL;
			d->subflow_seq = 1;
			d->data_len = 1428;
			ret = emit(&mp, 0);
			if (!ret)
				ret = emit(&mp, 1);
		}
	}
	for (__u8 fam = 4; fam <= 6 && !ret; fam += 2) {
		for (__u8 e = 0; e < 2 && !ret; e++) {
			for (__u8 port = 0; port < 2 && !ret; port++) {
				memset(&mp, 0, sizeof(mp));
				mp.suboptions = XMP_MPO_ADD_ADDR;
				mp.add_addr = (struct xmp_add_addr){
					.family = fam, .id = 1, .echo = e, .hmac_present = !e,
					.hmac = e ? 0 : 0x9a1a8c121491c8fbULL,
					.port_present = port, .port = port ? 8080 : 0,
					.addr = { 10, 0, 0, 2 } };
				ret = emit(&mp, 0);
			}
		}
	}
	for (__u8 nr = 1; nr <= MPTCP_RM_IDS_MAX && !ret; nr += 3) {
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = XMP_MPO_RM_ADDR;
		mp.rm_addr.nr = nr;
		memset(mp.rm_addr.ids, 5, nr);
		ret = emit(&mp, 0);
	}
	if (!ret) {
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = XMP_MPO_PRIO | XMP_MPO_FAIL | XMP_MPO_TCPRST;
		mp.prio.backup = 1;
		mp.fail.data_seq = 0x1000;
		mp.rst = (struct xmp_tcprst){ .flags = MPTCP_RST_TRANSIENT,
					      .reason = MPTCP_RST_EMIDDLEBOX };
		ret = emit(&mp, 0);
	}
	if (!ret) {
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = XMP_MPO_FASTCLOSE | XMP_MPO_DSS;
		mp.fastclose.rcvr_key = 0xfedcba9876543210ULL;
		mp.dss = (struct xmp_dss){ .use_ack = 1, .ack64 = 1, .data_ack = 7 };
		ret = emit(&mp, 1);
	}
	if (!ret) {
		/* DSS + ADD_ADDR in one area, as the path manager would send. */
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = XMP_MPO_DSS | XMP_MPO_ADD_ADDR;
		mp.dss = (struct xmp_dss){ .use_ack = 1, .data_ack = 7 };
		mp.add_addr = (struct xmp_add_addr){ .family = 4, .id = 2, .hmac_present = 1,
						     .hmac = 1, .addr = { 192, 168, 0, 1 } };
		ret = emit(&mp, 1);
	}
	return ret;
}

int main(int argc, char **argv)
{
	return corpus_main(argc, argv, gen);
}

// SPDX-License-Identifier: GPL-2.0
/* Shared layout checks: the structs of include/xmptcp/ have the sizes and
 * offsets the BPF side relies on (BTF shows the same to bpftool). */
#include <stddef.h>
#include <xmptcp/maps.h>

#include "lib/test.h"

static void meta_fits_xdp_metadata(void)
{
	/* The kernel refuses metadata over 32 bytes or not a multiple of 4. */
	CHECK_EQ(sizeof(struct xmp_meta), 32);
	CHECK_EQ(sizeof(struct xmp_meta) % 4, 0);
	CHECK_EQ(offsetof(struct xmp_meta, magic), 0);
	CHECK_EQ(offsetof(struct xmp_meta, mp_seen) % 2, 0);
	CHECK_EQ(sizeof(((struct xmp_meta *)0)->mp_off), MPTCPOPT_NR_SUBTYPES);
	/* option offsets are bytes from the TCP header: 20 + 40 fits a __u8 */
	CHECK_EQ(sizeof(((struct xmp_meta *)0)->mss_off), 1);
	CHECK_EQ(offsetof(struct xmp_meta, sack_off) + 1 + sizeof(((struct xmp_meta *)0)->pad),
		 sizeof(struct xmp_meta));
}

static void map_keys_have_no_hidden_padding(void)
{
	/* Hash keys are compared bytewise: every byte must be a named field. */
	CHECK_EQ(sizeof(struct xmp_tuple), 2 * sizeof(struct xmp_addr) + 2 + 2 + 4);
	CHECK_EQ(sizeof(struct xmp_listen_key), sizeof(struct xmp_addr) + 2 + 2);
	CHECK_EQ(offsetof(struct xmp_tuple, sport), 32);
}

static void counters_index_without_overlap(void)
{
	CHECK(XMP_C_CLASS_BASE + XMP_CLASS_NR <= XMP_C_REDIRECTED);
	CHECK(XMP_C_REASON_BASE + XMP_R_NR <= XMP_C_TX_PACKETS);
	CHECK(XMP_C_TX_REASON_BASE + XMP_R_NR <= XMP_C_GUARD_RST);
	CHECK(XMP_C_OBSERVE_NEW < XMP_C_NR);
}

static void subtype_bits_fit(void)
{
	CHECK(MPTCPOPT_NR_SUBTYPES <= 8 * sizeof(((struct xmp_meta *)0)->mp_seen));
	CHECK(MPTCPOPT_NR_SUBTYPES <= 8 * sizeof(((struct xmp_obs_val *)0)->opt_seen));
}

int main(void)
{
	RUN(meta_fits_xdp_metadata);
	RUN(map_keys_have_no_hidden_padding);
	RUN(counters_index_without_overlap);
	RUN(subtype_bits_fit);
	return t_exit_code();
}

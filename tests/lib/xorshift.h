/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Marsaglia's xorshift64 for tests that make random inputs from a fixed
 * seed (test_io_pkt.c, test_mptcp_options.c): each keeps its own state and
 * takes the bits it wants, so a failing input is the same on every run.
 * The engine's own generator (xmp_rng_next, splitmix64) stays apart so
 * that tests do not draw from the stream that picks ISNs and losses.
 */
#ifndef XMP_TEST_XORSHIFT_H
#define XMP_TEST_XORSHIFT_H

#include <linux/types.h>

static inline __u64 t_xorshift64(__u64 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif

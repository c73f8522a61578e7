/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xmp_stats helpers: one per-CPU __u64 per enum xmp_counter, so increments
 * need no atomics. Parse problems are collected as a bit set while parsing
 * and flushed once per frame, which keeps map lookups out of the parser's
 * loops (cheaper, and a smaller verifier state space).
 */
#ifndef XMP_BPF_COUNTERS_H
#define XMP_BPF_COUNTERS_H

#include "lib/maps.h"

static __always_inline void xmp_count_n(__u32 idx, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&xmp_stats, &idx);

	if (c)
		*c += n;
}

static __always_inline void xmp_count(__u32 idx)
{
	xmp_count_n(idx, 1);
}

/* One increment per distinct reason met in the frame, at base + reason. */
static __always_inline void xmp_count_reasons(__u32 reasons, __u32 base)
{
	__u32 r;

	if (likely(!reasons))
		return;
	for (r = 1; r < XMP_R_NR; r++)
		if (reasons & (1u << r))
			xmp_count(base + r);
}

#endif

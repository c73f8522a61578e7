/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the controller does with the counter table (include/xmptcp/mib.h):
 * names by layer and index, totals, and the JSON every report writes. The
 * counting itself stays in each layer (obj->mib[XMP_..._MIB_x]++); the
 * connection layer's report.c and pm.c (user/conn) and the daemon's ctl.c
 * walk a layer with these instead of a loop of their own per enum.
 */
#ifndef XMP_COMMON_MIB_H
#define XMP_COMMON_MIB_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include <xmptcp/mib.h>

/* Counters of layer g (0 for an unknown layer). */
unsigned int xmp_mib_nr(enum xmp_mib_group g);
/* The name (the JSON key) of counter i of layer g; "?" when out of range. */
const char *xmp_mib_name(enum xmp_mib_group g, unsigned int i);
/* dst[i] += src[i] for every counter of layer g. */
void xmp_mib_add(enum xmp_mib_group g, __u64 *dst, const __u64 *src);
/*
 * Writes v, the counters of layer g, as "Name":value pairs separated by
 * commas, no comma before the first or after the last; zeros are left out
 * unless @zeros. Returns the pairs written, so a caller inside an object
 * knows whether to add a comma.
 */
unsigned int xmp_mib_json(FILE *f, enum xmp_mib_group g, const __u64 *v, bool zeros);

#endif

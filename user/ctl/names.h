/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printable names of the data plane's enums (include/xmptcp/maps.h,
 * meta.h): counters of xmp_stats, observe flags and kinds, MPTCP subtypes.
 * The names are the JSON keys of `status -j` / `flows -j`: keep them stable.
 */
#ifndef XMP_CTL_NAMES_H
#define XMP_CTL_NAMES_H

#include <stddef.h>
#include <linux/types.h>

/* Name of xmp_stats index idx (enum xmp_counter) into buf. */
const char *xmp_counter_name(unsigned int idx, char *buf, size_t len);
const char *xmp_obs_kind_name(__u8 kind);
/* Names of the XMP_OBS_F_* bits; NULL past the last. */
const char *xmp_obs_flag_name(unsigned int bit);
/* Name of MPTCP option subtype st (RFC 8684 Table 1), NULL if unknown. */
const char *xmp_subtype_name(unsigned int st);

#endif

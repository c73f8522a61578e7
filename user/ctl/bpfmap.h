/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-side helpers over the pinned maps, shared by `status` and `flows`:
 * open a pinned object by name, count entries, sum per-CPU counters.
 */
#ifndef XMP_CTL_BPFMAP_H
#define XMP_CTL_BPFMAP_H

#include <linux/types.h>
#include <bpf/bpf.h>

/* Opens DIR/NAME; -errno (quietly) when it is missing. */
int ctl_obj_open(const char *dir, const char *name);
int ctl_map_info(int fd, struct bpf_map_info *info);
/* Entries of a hash-like map, walked with get_next_key (bounded by
 * 2 * max_entries: concurrent deletes can restart a hash walk). */
long ctl_map_count(int fd, __u32 key_size, __u32 max_entries);
/* Sums the per-CPU __u64 values of counters 0..n-1 of xmp_stats into out. */
int ctl_stats_read(int fd, __u64 *out, unsigned int n);

#endif

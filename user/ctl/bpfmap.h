/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-side helpers over the pinned maps, shared by `status` and `flows`:
 * open a pinned object by name, count entries, sum per-CPU counters, read
 * back how a loaded program was configured.
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
/* Copies the first len bytes of the .rodata of a loaded program (its
 * `const volatile` globals, as set before load) into out: 0, -ENOENT when
 * the program has no read-only data, or -errno. */
int ctl_prog_rodata(int prog_fd, void *out, __u32 len);
/* 1/0: whether this xdp_steer program writes xmp_meta (its xmp_use_meta
 * as loaded), or -errno. */
int ctl_xdp_prog_meta(int prog_fd);
/* Sums the per-CPU __u64 values of counters 0..n-1 of xmp_stats into out. */
int ctl_stats_read(int fd, __u64 *out, unsigned int n);

#endif

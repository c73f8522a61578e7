/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pin directory of one xmptcp instance and the bpffs around it.
 * Layout under DIR (default /sys/fs/bpf/xmptcp/ns<netns inode>):
 *   DIR/xmp_*                 maps, pinned by name by libbpf (LIBBPF_PIN_BY_NAME)
 *   DIR/progs/xdp_steer       programs, so later attaches reuse them
 *   DIR/progs/tc_egress
 *   DIR/links/xdp_IFNAME      XDP BPF link: keeps the program attached
 *                             after the CLI exits
 *   DIR/ifaces/IFNAME/        one per attached interface (TC state)
 *   DIR/ifaces/IFNAME/clsact/ present when attach created the clsact qdisc
 * bpffs holds only BPF objects and directories, hence directories as markers.
 */
#ifndef XMP_CTL_PIN_H
#define XMP_CTL_PIN_H

#include <stdbool.h>
#include <stddef.h>

#define XMP_BPFFS	"/sys/fs/bpf"

/* Resolves --pin-dir (or the per-netns default) into buf. */
int pin_dir_resolve(const char *opt, char *buf, size_t len);
/* Checks that dir lives on bpffs. With may_mount, mounts bpffs at
 * /sys/fs/bpf when dir is below it and nothing is mounted there.
 * Returns 0, -ENOENT when bpffs is absent and may_mount is false (nothing
 * can be pinned, so nothing is attached), or -ENOTDIR after printing that
 * dir is not on bpffs. */
int pin_check_bpffs(const char *cmd, const char *dir, bool may_mount);
int pin_mkdirs(const char *cmd, const char *dir);
bool pin_exists(const char *path);
/* snprintf that reports truncation as -ENAMETOOLONG. */
int pin_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Removes every pin xmptcp creates under dir (maps named xmp_*, progs/,
 * links/, ifaces/) and dir itself; also the default parent when empty.
 * Leaves foreign files alone. */
int pin_remove_all(const char *dir);
/* True, after one line saying so and what to run, when the pins under dir
 * were left by a network namespace that no longer exists (the default dir
 * is named after the namespace's inode, which the kernel reuses). */
bool pin_stale(const char *cmd, const char *dir);
/* Removes such stale pins with one line saying so (*removed, if given,
 * tells whether there were any); 0 or -errno from pin_remove_all(). */
int pin_clean_stale(const char *cmd, const char *dir, bool *removed);

#endif

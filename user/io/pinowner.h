/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which network namespace a pin dir belongs to. The default pin dir is
 * named after the namespace's inode (ns<inode>), and the kernel gives that
 * inode to the next namespace created once the old one is deleted: a
 * container runtime deletes namespaces without `xmptcp detach`, so the new
 * namespace would find the old one's maps, programs and dead links under
 * its own name. `xmptcp attach` records the namespace's cookie in
 * xmp_config; the CLI and xmptcpd compare it with their own before they
 * use the pins.
 */
#ifndef XMP_IO_PINOWNER_H
#define XMP_IO_PINOWNER_H

#include <linux/types.h>

/* This network namespace's cookie (SO_NETNS_COOKIE, Linux >= 5.14), never
 * reused while the host runs. 0 or -errno (-ENOPROTOOPT: older kernel). */
int xmp_netns_cookie(__u64 *cookie);

/* 0 when the pins under dir are this namespace's, absent, or nothing
 * tells (no xmp_config: not made by `xmptcp attach`); -ESTALE when they
 * were left by a network namespace that no longer exists. *owner gets the
 * cookie recorded at attach (0: none, decided by the links as below). */
int xmp_pins_check(const char *dir, __u64 *owner);

#endif

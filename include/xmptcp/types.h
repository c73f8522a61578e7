/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for headers shared by BPF programs and userspace.
 * BPF objects include vmlinux.h first (which defines __VMLINUX_H__ and every
 * __u8..__be64); userspace takes them from the UAPI headers.
 */
#ifndef XMPTCP_TYPES_H
#define XMPTCP_TYPES_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define XMP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif

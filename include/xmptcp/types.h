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

/* A list of rows X(ENUM, "name") generates its enum with XMP_ENUM_ROW and,
 * in userspace, its name table with XMP_NAME_ROW (user/common/names.h). */
#define XMP_ENUM_ROW(e, name) e,
#define XMP_NAME_ROW(e, name) [e] = name,

#endif

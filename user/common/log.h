/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for every userspace component: pr_warn() always, pr_info() unless
 * quiet, pr_debug() with -v. libbpf's own output is routed through
 * xmp_libbpf_print() and shown only at debug level.
 */
#ifndef XMP_LOG_H
#define XMP_LOG_H

#include <stdarg.h>

enum xmp_log_level { XMP_LOG_WARN = 0, XMP_LOG_INFO, XMP_LOG_DEBUG };

extern enum xmp_log_level xmp_log_level;

void xmp_log(enum xmp_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Installs the libbpf print callback (debug level only). */
void xmp_log_setup_libbpf(void);

#define pr_warn(...)  xmp_log(XMP_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  xmp_log(XMP_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xmp_log(XMP_LOG_DEBUG, __VA_ARGS__)

#endif

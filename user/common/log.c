// SPDX-License-Identifier: GPL-2.0
/* Log sink shared by the CLI, the daemon and the tests: stderr, level-filtered. */
#include <stdio.h>
#include <bpf/libbpf.h>

#include "common/log.h"

enum xmp_log_level xmp_log_level = XMP_LOG_INFO;

void xmp_log(enum xmp_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > xmp_log_level)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	/* libbpf warns about things we handle ourselves (e.g. probing); its
	 * chatter is only useful when debugging, so show it with -v alone. */
	if (xmp_log_level < XMP_LOG_DEBUG && lvl != LIBBPF_WARN)
		return 0;
	if (xmp_log_level < XMP_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void xmp_log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

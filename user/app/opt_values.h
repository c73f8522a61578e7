/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opt_values.c: parsers and printers of the values options.c's typed
 * parsers do not know (common/opts.h's opt_parse_fn and opt_print_fn),
 * for xmptcpd's option table (options.c) only.
 */
#ifndef XD_OPT_VALUES_H
#define XD_OPT_VALUES_H

#include <stddef.h>

#include "app/xmptcpd.h"

struct xmp_opt;
int xd_opt_client(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_server(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_accept(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_pm(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_cc(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_ctl(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_pin_dir(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_verbose(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_opt_quiet(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg);
int xd_print_client(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		    size_t len);
int xd_print_server(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		    size_t len);
int xd_print_accept(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		    size_t len);
int xd_check_accept(const struct xd_opts *o); /* repeats, clashes: 0 or -EINVAL */
int xd_print_pm(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		size_t len);
int xd_print_str(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		 size_t len);
int xd_print_level(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		   size_t len);

#endif

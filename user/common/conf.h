/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration files with the keys of an option table (opts.h): one key
 * per long option, the same name without "--", stored by the same typed
 * parser as on the command line, so a key cannot be checked differently in
 * a file. Format, one per line:
 *   key = value      the value as after "--key" (leading and trailing
 *                    blanks dropped; "key =" is the empty value)
 *   flag = true      flags: true or false; a bare "flag" is true
 *   # comment        a line whose first non-blank is '#'; blank lines
 * A repeatable option is one line per value. Options marked OPT_F_CMDLINE
 * (--help, --config) are not keys. Callers: user/app/options.c (xmptcpd
 * --config, --print-config, SIGHUP), tests/unit/test_config.c.
 */
#ifndef XMP_CONF_H
#define XMP_CONF_H

#include <stdio.h>

#include "common/opts.h"

/* o is a key of the file (not positional, --help or OPT_F_CMDLINE). */
bool conf_is_key(const struct xmp_opt *o);
/* Parses text, the contents of file path (modified in place: the stored
 * strings point into it), into cfg. Every bad line is said as
 * "PATH:LINE: why" on stderr; 0 or -EINVAL. */
int conf_parse(const struct opt_prog *p, const char *path, char *text, void *cfg);
/* Reads path and parses it; *text (malloc'ed) holds what cfg's strings
 * point into: the caller frees it after cfg's last use. -ENOENT (said
 * only when !quiet_enoent), -EINVAL, -errno. */
int conf_load(const struct opt_prog *p, const char *path, bool quiet_enoent, char **text,
	      void *cfg);
/* Value i of o in cfg, as the file writes it: 1 and buf, or 0 when o has
 * no value i (a list's end; a string, an OPT_SEEN number or a custom value
 * that is not set). */
int conf_value(const struct xmp_opt *o, const void *cfg, unsigned int i, char *buf, size_t len);
/* Every value of o joined by ", " (for "old -> new" lines); "(not set)". */
void conf_values(const struct xmp_opt *o, const void *cfg, char *buf, size_t len);
/* Every key of the table, in its order and sections, one line per value;
 * a key without a value as a comment. Parsing the output gives cfg back. */
void conf_print(FILE *f, const struct opt_prog *p, const void *cfg);
/* The repeatable options cli has values for are emptied in cfg, before
 * the command line is parsed over the file: its list replaces the file's. */
void conf_take_lists(const struct opt_prog *p, void *cfg, const void *cli);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option tables and typed parsers of the xmptcp CLI, in the style of
 * xdp-tools: each command declares a table of options that write into one
 * struct ctl_cfg field each; the parser also prints the per-command help
 * from the same table, so help and behaviour cannot drift apart.
 */
#ifndef XMP_CTL_OPTS_H
#define XMP_CTL_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_FLAG,	/* bool field set to true */
	OPT_STRING,	/* const char * field */
	OPT_ENUM,	/* int field from a name table */
	OPT_IFACES,	/* positional: struct ctl_ifaces, one or more names */
	OPT_WORDS,	/* positional: struct ctl_ifaces, any words (a verb, a path) */
};

struct opt_enum {
	const char *name;
	int val;
};

struct ctl_opt {
	const char *name;	/* long name without "--"; NULL ends the table */
	char short_name;	/* 0: long form only */
	enum opt_type type;
	size_t off;		/* offsetof(struct ctl_cfg, field) */
	const char *metavar;	/* for help: "DIR", "MODE" */
	const char *help;
	const struct opt_enum *enums; /* OPT_ENUM: {NULL} terminated */
};

/* Parses argv[1..argc-1] (argv[0] is the command name) into cfg.
 * Returns 0, 1 when --help was printed (caller exits 0), or -EINVAL after
 * printing one line on stderr. */
int opts_parse(const char *cmd, const struct ctl_opt *tab, int argc, char **argv, void *cfg);
void opts_usage(FILE *f, const char *cmd, const char *args, const char *summary,
		const struct ctl_opt *tab);

#endif

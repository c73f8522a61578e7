/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option tables and typed parsers of the xmptcp and xmptcpd command lines,
 * in the style of xdp-tools: a program (or a CLI command) declares one table
 * of options, each writing into one field of its configuration struct; the
 * parser and the --help text are both generated from that table, so help and
 * behaviour cannot drift apart; so are the man pages and the bash completion
 * (opts_doc.c). Callers: user/ctl/xmptcp.c (one table per command),
 * user/app/options.c (one table), user/ctl/doc.c and user/app/doc.c (the
 * pages), tests/unit/test_opts.c.
 */
#ifndef XMP_OPTS_H
#define XMP_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_FLAG,	/* bool field set to true */
	OPT_STRING,	/* const char * field; non-empty unless OPT_F_EMPTY */
	OPT_ENUM,	/* int field from a name table */
	OPT_UINT,	/* unsigned int field, min..max */
	OPT_U64,	/* unsigned long long field, min..max; K/M/G with OPT_F_SUFFIX */
	OPT_SECS,	/* unsigned long long field: seconds with decimals, (0, max], in us */
	OPT_LIST,	/* repeatable: const char *[max] field, count at cnt_off */
	OPT_CUSTOM,	/* o->parse() stores the value (and checks repeats itself) */
	OPT_HELP,	/* --help: opts_parse() returns 1 at once */
	OPT_IFACES,	/* positional: struct opt_words, interface names */
	OPT_WORDS,	/* positional: struct opt_words, any words (a verb, a path) */
};

#define OPT_F_EMPTY	(1u << 0) /* OPT_STRING, OPT_LIST: "" is a value */
#define OPT_F_SUFFIX	(1u << 1) /* OPT_U64: K/M/G byte suffixes (powers of 1024) */
#define OPT_F_NOVAL	(1u << 3) /* OPT_CUSTOM: a flag, parse() gets val NULL */
#define OPT_F_REPEAT	(1u << 2) /* help: "(repeatable)" on an OPT_CUSTOM that repeats;
				   * its count at cnt_off (conf.c empties the list) */
#define OPT_F_CMDLINE	(1u << 4) /* not a key of the configuration file (--config) */

struct opt_enum {
	const char *name;
	int val;
};

/* Positional words (OPT_IFACES, OPT_WORDS); names is malloc'ed, the
 * strings are argv's. */
struct opt_words {
	char **names;
	int n;
};

struct xmp_opt;
/* OPT_CUSTOM: 0 or -EINVAL after one line on stderr (prog prefixes it). */
typedef int (*opt_parse_fn)(const char *prog, const struct xmp_opt *o, const char *val,
			    void *cfg);
/* OPT_CUSTOM: value i (0, 1, ... of a repeatable one) as parse() takes it
 * back, into buf; 1 when there is one, 0 when not (not set). */
typedef int (*opt_print_fn)(const struct xmp_opt *o, const void *cfg, unsigned int i,
			    char *buf, size_t len);

struct xmp_opt {
	const char *name;	/* long name without "--"; NULL ends the table */
	char short_name;	/* 0: long form only */
	enum opt_type type;
	size_t off;		/* offsetof(cfg struct, field) */
	const char *metavar;	/* for help and errors: "DIR", "MODE" */
	const char *help;	/* wrapped to the terminal width of 80 */
	const struct opt_enum *enums; /* OPT_ENUM: {NULL} terminated */
	/* The rest is optional (0: unused). */
	unsigned int flags;	/* OPT_F_* */
	unsigned long long min, max; /* OPT_UINT/U64/SECS range (max 0: none); OPT_LIST capacity */
	size_t cnt_off;		/* OPT_LIST: offsetof its unsigned int count */
	size_t seen_off;	/* OPT_SEEN(): a bool set when the option is given */
	const char *what;	/* errors: "--x wants WHAT, not 'v'"; default from the type */
	const char *def;	/* help: the default, shown as " [def]"; NULL: the
				 * value in opts_usage()'s defaults, if any */
	const char *section;	/* help: a heading printed before this option */
	opt_parse_fn parse;	/* OPT_CUSTOM */
	opt_print_fn print;	/* OPT_CUSTOM: for --print-config (conf.h) */
	const char *example;	/* OPT_CUSTOM: a valid value that is not the default
				 * (tests round-trip every key with it) */
};

/* seen_off of a bool field (offset 0 means "none", hence the + 1). */
#define OPT_SEEN(type, field) (offsetof(type, field) + 1)

/* A program or CLI command: its table and what --help prints around it. */
struct opt_prog {
	const char *prog;	/* "xmptcpd", "xmptcp attach": error prefix, help hint */
	const char *usage;	/* after "Usage: "; NULL: "PROG [options] ARGS" */
	const char *args;	/* positional arguments for the default usage line */
	const char *summary;
	const char *footer;	/* a closing paragraph (signals, exit codes) */
	const struct xmp_opt *opts;
	bool abbrev;		/* unique prefixes of long names accepted (getopt_long) */
};

/* Parses argv[1..argc-1] (argv[0] is the program or command name) into cfg.
 * Returns 0, 1 on an OPT_HELP option (caller prints opts_usage(), exits 0),
 * or -EINVAL / -ENOMEM after printing one line on stderr. */
int opts_parse(const struct opt_prog *p, int argc, char **argv, void *cfg);
/* defaults: a cfg struct holding the defaults, printed after the help of
 * numbers and strings that have no .def (NULL: none). */
void opts_usage(FILE *f, const struct opt_prog *p, const void *defaults);
/* Only the options part of opts_usage(), from "Options:" or the first
 * section heading. */
void opts_usage_options(FILE *f, const struct opt_prog *p, const void *defaults);
/* An unsigned number, base 0 (12, 0x10), with K/M/G when suffixes:
 * 0 or -EINVAL. For specs that custom parsers take apart. */
int opts_ull(const char *s, unsigned long long *out, bool suffixes);
/* Stores val (NULL for a flag) into o's field of cfg, as "--NAME val"
 * would; errors are prefixed by prog. 0, 1 (OPT_HELP) or -errno. */
int opts_store(const char *prog, const struct xmp_opt *o, const char *val, void *cfg);
/* The option takes a value (not a flag). */
bool opts_takes_value(const struct xmp_opt *o);
/* v as a byte count: with suffix, "4M" when it is a whole number of K/M/G. */
void opts_fmt_ull(char *buf, size_t len, unsigned long long v, bool suffix);

/* What --help and the man page say of one option, shared with opts_doc.c. */
bool opts_is_positional(const struct xmp_opt *o);
bool opts_takes_value(const struct xmp_opt *o);
/* The names of an enum table joined by sep ("|" in --help). */
void opts_enum_choices(const struct opt_enum *e, const char *sep, char *buf, size_t len);
/* The help of o as --help prints it: its text, the enum choices,
 * "(repeatable)" and " [default]" (from o->def or defaults). */
void opts_help_text(const struct xmp_opt *o, const void *defaults, char *text, size_t len);

/* ---- opts_doc.c: man pages (man(7) roff) and bash completion ---- */

/* .TH and NAME of a section 8 page: "name \- what". */
void opts_man_head(FILE *f, const char *name, const char *what);
/* ".SH HEADING" (when not NULL) and text as one paragraph, escaped for
 * roff; a blank line in text starts a new paragraph. */
void opts_man_para(FILE *f, const char *heading, const char *text);
/* Text escaped for roff, on the current line (no newline added). */
void opts_man_text(FILE *f, const char *text);
/* The options of p: ".SS" at each section of the table, one ".TP" per
 * option with its names and metavar, then opts_help_text(). */
void opts_man_options(FILE *f, const struct opt_prog *p, const void *defaults);
/* The body of a bash completion function that has set $cur and $prev:
 * the values of the option in $prev (an enum's names, interfaces for an
 * IFACE metavar, file names for PATH/DIR/FILE metavars, nothing for other
 * values), else the option names when $cur starts with '-', else the
 * positional words (interfaces for OPT_IFACES). Ends with "return". */
void opts_bash_body(FILE *f, const struct opt_prog *p, const char *indent);
/* A program's hidden doc options: arg "--man" runs man(stdout), arg
 * "--bash-completion" bash(stdout); *rc is then the exit status (1 when
 * stdout failed). false for any other arg. */
bool opts_doc_request(const char *arg, void (*man)(FILE *f), void (*bash)(FILE *f), int *rc);

#endif

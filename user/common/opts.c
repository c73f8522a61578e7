// SPDX-License-Identifier: GPL-2.0
/*
 * Generic option parser of xmptcp and xmptcpd (see opts.h). Accepts
 * "--name value", "--name=value", "-x value", "-xvalue", bundled short flags
 * ("-jv"), and "--" to end options; with opt_prog.abbrev also unique prefixes
 * of long names, as getopt_long does. Errors are one line, prefixed by the
 * program (or "xmptcp COMMAND"), and name the help to read.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/opts.h"

#define HELP_COL 29	/* where the help text of an option starts */
#define HELP_WIDTH 80

bool opts_is_positional(const struct xmp_opt *o)
{
	return o->type == OPT_IFACES || o->type == OPT_WORDS;
}

void opts_enum_choices(const struct opt_enum *e, const char *sep, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; e && e->name && used < len; e++)
		used += snprintf(buf + used, len - used, "%s%s", used ? sep : "", e->name);
}

static const struct xmp_opt *find_long(const struct opt_prog *p, const char *name, size_t len)
{
	const struct xmp_opt *o, *match = NULL;

	for (o = p->opts; o->name; o++)
		if (!opts_is_positional(o) && strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	if (!p->abbrev || !len)
		return NULL;
	for (o = p->opts; o->name; o++) {
		if (opts_is_positional(o) || strncmp(o->name, name, len))
			continue;
		if (match)
			return NULL; /* ambiguous */
		match = o;
	}
	return match;
}

static const struct xmp_opt *find_short(const struct opt_prog *p, char c)
{
	const struct xmp_opt *o;

	for (o = p->opts; o->name; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static const struct xmp_opt *find_positional(const struct opt_prog *p)
{
	const struct xmp_opt *o;

	for (o = p->opts; o->name; o++)
		if (opts_is_positional(o))
			return o;
	return NULL;
}

int opts_ull(const char *s, unsigned long long *out, bool suffixes)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (suffixes && *end) {
		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		if (v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "PROG: --NAME wants WHAT, not 'VAL'", WHAT from the table or the type. */
static int wants(const char *prog, const struct xmp_opt *o, const char *val)
{
	char what[128];

	if (o->what)
		snprintf(what, sizeof(what), "%s", o->what);
	else if (o->type == OPT_SECS)
		snprintf(what, sizeof(what),
			 "seconds above 0 and at most %llu (like 5 or 0.5)", o->max);
	else if ((o->flags & OPT_F_SUFFIX) && o->max)
		snprintf(what, sizeof(what), "%lluK..%lluM bytes (K/M suffixes)", o->min >> 10,
			 o->max >> 20);
	else if (o->max)
		snprintf(what, sizeof(what), "a number 0..%llu", o->max);
	else
		snprintf(what, sizeof(what), "a number");
	pr_warn("%s: --%s wants %s, not '%s'\n", prog, o->name, what, val);
	return -EINVAL;
}

static int store_number(const char *prog, const struct xmp_opt *o, const char *val, void *field)
{
	bool suffix = o->flags & OPT_F_SUFFIX;
	unsigned long long v;

	if (opts_ull(val, &v, suffix) || (o->max && v > o->max))
		return wants(prog, o, val);
	if (v < o->min) {
		if (suffix || o->what)
			return wants(prog, o, val);
		pr_warn("%s: --%s wants at least %llu\n", prog, o->name, o->min);
		return -EINVAL;
	}
	if (o->type == OPT_UINT)
		*(unsigned int *)field = (unsigned int)v;
	else
		*(unsigned long long *)field = v;
	return 0;
}

/* Seconds with decimals, above 0 and at most o->max, as microseconds. */
static int store_secs(const char *prog, const struct xmp_opt *o, const char *val, void *field)
{
	char *end;
	double v;

	errno = 0;
	v = *val ? strtod(val, &end) : 0;
	if (!*val || *end || errno || !(v > 0) || v > (double)o->max || !(v * 1e6 >= 1))
		return wants(prog, o, val);
	*(unsigned long long *)field = (unsigned long long)(v * 1e6);
	return 0;
}

static int store_list(const char *prog, const struct xmp_opt *o, const char *val, void *cfg)
{
	unsigned int *n = (unsigned int *)((char *)cfg + o->cnt_off);

	if (!*val && !(o->flags & OPT_F_EMPTY)) {
		pr_warn("%s: --%s needs a non-empty %s\n", prog, o->name, o->metavar);
		return -EINVAL;
	}
	if (*n >= o->max) {
		pr_warn("%s: at most %llu --%s\n", prog, o->max, o->name);
		return -EINVAL;
	}
	((const char **)((char *)cfg + o->off))[(*n)++] = val;
	return 0;
}

int opts_store(const char *prog, const struct xmp_opt *o, const char *val, void *cfg)
{
	char *field = (char *)cfg + o->off;
	const struct opt_enum *e;
	char choices[128];

	if (o->seen_off)
		*(bool *)((char *)cfg + o->seen_off - 1) = true;
	switch (o->type) {
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case OPT_HELP:
		return 1;
	case OPT_STRING:
		if (!*val && !(o->flags & OPT_F_EMPTY)) {
			pr_warn("%s: --%s needs a non-empty %s\n", prog, o->name, o->metavar);
			return -EINVAL;
		}
		*(const char **)field = val;
		return 0;
	case OPT_ENUM:
		for (e = o->enums; e && e->name; e++) {
			if (!strcmp(e->name, val)) {
				*(int *)field = e->val;
				return 0;
			}
		}
		opts_enum_choices(o->enums, "|", choices, sizeof(choices));
		pr_warn("%s: invalid --%s '%s' (expected %s)\n", prog, o->name, val, choices);
		return -EINVAL;
	case OPT_UINT:
	case OPT_U64:
		return store_number(prog, o, val, field);
	case OPT_SECS:
		return store_secs(prog, o, val, field);
	case OPT_LIST:
		return store_list(prog, o, val, cfg);
	case OPT_CUSTOM:
		return o->parse(prog, o, val, cfg);
	case OPT_IFACES:
	case OPT_WORDS:
		break;
	}
	return -EINVAL;
}

static int add_word(const char *prog, const struct xmp_opt *pos, const char *word, void *cfg)
{
	struct opt_words *l = (struct opt_words *)((char *)cfg + pos->off);
	char **n;
	int i;

	if (pos->type == OPT_IFACES) {
		if (!*word || strlen(word) >= IFNAMSIZ || strchr(word, '/')) {
			pr_warn("%s: '%s' is not a valid interface name (1-%d chars, no '/')\n",
				prog, word, IFNAMSIZ - 1);
			return -EINVAL;
		}
		for (i = 0; i < l->n; i++) {
			if (!strcmp(l->names[i], word)) {
				pr_warn("%s: interface '%s' given twice\n", prog, word);
				return -EINVAL;
			}
		}
	}
	n = realloc(l->names, sizeof(*n) * (l->n + 1));
	if (!n) {
		pr_warn("%s: out of memory\n", prog);
		return -ENOMEM;
	}
	l->names = n;
	l->names[l->n++] = (char *)word;
	return 0;
}

static int positional(const struct opt_prog *p, const char *arg, void *cfg)
{
	const struct xmp_opt *pos = find_positional(p);

	if (!pos) {
		pr_warn("%s: unexpected argument '%s'; try '%s --help'\n", p->prog, arg, p->prog);
		return -EINVAL;
	}
	return add_word(p->prog, pos, arg, cfg);
}

static void missing_value(const struct opt_prog *p, const struct xmp_opt *o, bool is_long)
{
	char what[128];

	if (o->type == OPT_ENUM)
		opts_enum_choices(o->enums, "|", what, sizeof(what));
	else
		snprintf(what, sizeof(what), "%s", o->metavar ? o->metavar : "a value");
	if (is_long)
		pr_warn("%s: --%s needs a value (%s); try '%s --help'\n", p->prog, o->name, what,
			p->prog);
	else
		pr_warn("%s: -%c needs a value (%s); try '%s --help'\n", p->prog, o->short_name,
			what, p->prog);
}

bool opts_takes_value(const struct xmp_opt *o)
{
	return o->type != OPT_FLAG && o->type != OPT_HELP && !(o->flags & OPT_F_NOVAL);
}

/* One "--name[=value]" argument; may consume argv[*i + 1]. */
static int parse_long(const struct opt_prog *p, int argc, char **argv, int *i, void *cfg)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct xmp_opt *o = find_long(p, arg, len);

	if (!o) {
		pr_warn("%s: unknown option '--%.*s'; try '%s --help'\n", p->prog, (int)len, arg,
			p->prog);
		return -EINVAL;
	}
	if (!opts_takes_value(o)) {
		if (eq) {
			pr_warn("%s: --%s takes no value\n", p->prog, o->name);
			return -EINVAL;
		}
		return opts_store(p->prog, o, NULL, cfg);
	}
	if (eq)
		return opts_store(p->prog, o, eq + 1, cfg);
	if (*i + 1 >= argc) {
		missing_value(p, o, true);
		return -EINVAL;
	}
	return opts_store(p->prog, o, argv[++*i], cfg);
}

/* "-x", "-xy" (bundled flags) or "-m value" / "-mvalue". */
static int parse_short(const struct opt_prog *p, int argc, char **argv, int *i, void *cfg)
{
	const char *c = argv[*i] + 1;
	const struct xmp_opt *o;
	int err;

	for (; *c; c++) {
		o = find_short(p, *c);
		if (!o) {
			pr_warn("%s: unknown option '-%c'; try '%s --help'\n", p->prog, *c,
				p->prog);
			return -EINVAL;
		}
		if (!opts_takes_value(o)) {
			err = opts_store(p->prog, o, NULL, cfg);
			if (err)
				return err;
			continue;
		}
		if (c[1])
			return opts_store(p->prog, o, c + 1, cfg);
		if (*i + 1 >= argc) {
			missing_value(p, o, false);
			return -EINVAL;
		}
		return opts_store(p->prog, o, argv[++*i], cfg);
	}
	return 0;
}

int opts_parse(const struct opt_prog *p, int argc, char **argv, void *cfg)
{
	bool only_pos = false;
	int i, err = 0;

	for (i = 1; i < argc && !err; i++) {
		const char *a = argv[i];

		if (only_pos || a[0] != '-' || !a[1])
			err = positional(p, a, cfg);
		else if (!strcmp(a, "--"))
			only_pos = true;
		else if (a[1] == '-')
			err = parse_long(p, argc, argv, &i, cfg);
		else
			err = parse_short(p, argc, argv, &i, cfg);
	}
	return err;
}

/* Prints text from column col, wrapped at HELP_WIDTH and indented to
 * HELP_COL; a '\n' in text starts a new indented line. */
static void print_wrapped(FILE *f, const char *text, int col)
{
	const char *w = text;
	size_t len;

	while (*w) {
		if (*w == '\n' || *w == ' ') {
			if (*w == '\n') {
				fprintf(f, "\n%*s", HELP_COL, "");
				col = HELP_COL;
				w++;
				while (*w == ' ')
					w++;
			} else {
				w++;
			}
			continue;
		}
		len = strcspn(w, " \n");
		if (col > HELP_COL && col + 1 + (int)len > HELP_WIDTH) {
			fprintf(f, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)len, w);
		col += (int)len;
		w += len;
	}
	fputc('\n', f);
}

void opts_fmt_ull(char *buf, size_t len, unsigned long long v, bool suffix)
{
	static const char unit[] = "GMK";
	unsigned int i;

	for (i = 0; suffix && v && i < 3; i++) {
		unsigned int shift = 30 - 10 * i;

		if (!(v & ((1ULL << shift) - 1))) {
			snprintf(buf, len, "%llu%c", v >> shift, unit[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", v);
}

/* " [value]" of o in the defaults struct d, or "". */
static void default_of(const struct xmp_opt *o, const void *d, char *buf, size_t len)
{
	const char *field = (const char *)d + o->off, *str;
	unsigned long long v;
	char num[32];

	buf[0] = '\0';
	if (o->def) {
		snprintf(buf, len, " [%s]", o->def);
		return;
	}
	if (!d)
		return;
	switch (o->type) {
	case OPT_STRING:
		str = *(const char *const *)field;
		if (str)
			snprintf(buf, len, " [%s]", str);
		return;
	case OPT_UINT:
	case OPT_U64:
		v = o->type == OPT_UINT ? *(const unsigned int *)field
					: *(const unsigned long long *)field;
		opts_fmt_ull(num, sizeof(num), v, o->flags & OPT_F_SUFFIX);
		snprintf(buf, len, " [%s]", num);
		return;
	default:
		return;
	}
}

void opts_help_text(const struct xmp_opt *o, const void *defaults, char *text, size_t len)
{
	char choices[128];
	size_t used;

	used = (size_t)snprintf(text, len, "%s", o->help ? o->help : "");
	if (o->type == OPT_ENUM && used < len) {
		opts_enum_choices(o->enums, "|", choices, sizeof(choices));
		used += (size_t)snprintf(text + used, len - used, " (%s)", choices);
	}
	if ((o->type == OPT_LIST || (o->flags & OPT_F_REPEAT)) && used < len)
		used += (size_t)snprintf(text + used, len - used, " (repeatable)");
	default_of(o, defaults, choices, sizeof(choices));
	if (used < len)
		snprintf(text + used, len - used, "%s", choices);
}

static void usage_one(FILE *f, const struct xmp_opt *o, const void *defaults)
{
	const char *mv = o->metavar && opts_takes_value(o) ? o->metavar : NULL;
	char lhs[64], text[1024];
	int col;

	if (o->short_name)
		snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->short_name, o->name, mv ? " " : "",
			 mv ? mv : "");
	else
		snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name, mv ? " " : "", mv ? mv : "");
	opts_help_text(o, defaults, text, sizeof(text));
	if (strlen(lhs) > HELP_COL - 3) /* the help on a line of its own */
		col = fprintf(f, "  %s\n%*s", lhs, HELP_COL, "") - (int)strlen(lhs) - 3;
	else
		col = fprintf(f, "  %-*s ", HELP_COL - 3, lhs);
	print_wrapped(f, text, col);
}

void opts_usage_options(FILE *f, const struct opt_prog *p, const void *defaults)
{
	const struct xmp_opt *o;
	bool first = true;

	for (o = p->opts; o->name; o++) {
		if (opts_is_positional(o))
			continue;
		if (o->section)
			fprintf(f, "%s%s\n", first ? "" : "\n", o->section);
		else if (first)
			fprintf(f, "Options:\n");
		first = false;
		usage_one(f, o, defaults);
	}
}

void opts_usage(FILE *f, const struct opt_prog *p, const void *defaults)
{
	if (p->usage)
		fprintf(f, "Usage: %s\n", p->usage);
	else
		fprintf(f, "Usage: %s [options]%s%s\n", p->prog, p->args ? " " : "",
			p->args ? p->args : "");
	if (p->summary)
		fprintf(f, "\n%s\n", p->summary);
	fputc('\n', f);
	opts_usage_options(f, p, defaults);
	if (p->footer)
		fprintf(f, "\n%s\n", p->footer);
}

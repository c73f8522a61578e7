// SPDX-License-Identifier: GPL-2.0
/*
 * Generic option parser for the xmptcp commands (see opts.h). Accepts
 * "--name value", "--name=value", "-x value", bundled short flags ("-jv"),
 * and "--" to end options. Errors are one line and name the help to read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ctl/ctl.h"
#include "ctl/opts.h"

static void enum_choices(const struct opt_enum *e, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; e && e->name && used < len; e++)
		used += snprintf(buf + used, len - used, "%s%s", used ? "|" : "", e->name);
}

static const struct ctl_opt *find_long(const struct ctl_opt *tab, const char *name, size_t len)
{
	for (; tab->name; tab++)
		if (tab->type != OPT_IFACES && tab->type != OPT_WORDS && strlen(tab->name) == len &&
		    !strncmp(tab->name, name, len))
			return tab;
	return NULL;
}

static const struct ctl_opt *find_short(const struct ctl_opt *tab, char c)
{
	for (; tab->name; tab++)
		if (tab->short_name && tab->short_name == c)
			return tab;
	return NULL;
}

static const struct ctl_opt *find_positional(const struct ctl_opt *tab)
{
	for (; tab->name; tab++)
		if (tab->type == OPT_IFACES || tab->type == OPT_WORDS)
			return tab;
	return NULL;
}

/* Stores val into the field of o; val is NULL for flags. */
static int opt_store(const char *cmd, const struct ctl_opt *o, const char *val, void *cfg)
{
	char *field = (char *)cfg + o->off;
	const struct opt_enum *e;
	char choices[128];

	switch (o->type) {
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case OPT_STRING:
		if (!*val) {
			pr_warn("xmptcp %s: --%s needs a non-empty %s\n", cmd, o->name, o->metavar);
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
		enum_choices(o->enums, choices, sizeof(choices));
		pr_warn("xmptcp %s: invalid --%s '%s' (expected %s)\n", cmd, o->name, val,
			choices);
		return -EINVAL;
	case OPT_IFACES:
	case OPT_WORDS:
		break;
	}
	return -EINVAL;
}

static int add_iface(const char *cmd, const struct ctl_opt *pos, const char *name, void *cfg)
{
	struct ctl_ifaces *l = (struct ctl_ifaces *)((char *)cfg + pos->off);
	char **n;
	int i;

	if (!*name || strlen(name) >= IFNAMSIZ || strchr(name, '/')) {
		pr_warn("xmptcp %s: '%s' is not a valid interface name (1-%d chars, no '/')\n",
			cmd, name, IFNAMSIZ - 1);
		return -EINVAL;
	}
	for (i = 0; i < l->n; i++) {
		if (!strcmp(l->names[i], name)) {
			pr_warn("xmptcp %s: interface '%s' given twice\n", cmd, name);
			return -EINVAL;
		}
	}
	n = realloc(l->names, sizeof(*n) * (l->n + 1));
	if (!n) {
		pr_warn("xmptcp %s: out of memory\n", cmd);
		return -ENOMEM;
	}
	l->names = n;
	l->names[l->n++] = (char *)name;
	return 0;
}

static int add_word(const char *cmd, const struct ctl_opt *pos, const char *word, void *cfg)
{
	struct ctl_ifaces *l = (struct ctl_ifaces *)((char *)cfg + pos->off);
	char **n = realloc(l->names, sizeof(*n) * (l->n + 1));

	if (!n) {
		pr_warn("xmptcp %s: out of memory\n", cmd);
		return -ENOMEM;
	}
	l->names = n;
	l->names[l->n++] = (char *)word;
	return 0;
}

static int positional(const char *cmd, const struct ctl_opt *tab, const char *arg, void *cfg)
{
	const struct ctl_opt *pos = find_positional(tab);

	if (!pos) {
		pr_warn("xmptcp %s: unexpected argument '%s'; try 'xmptcp %s --help'\n", cmd, arg,
			cmd);
		return -EINVAL;
	}
	if (pos->type == OPT_WORDS)
		return add_word(cmd, pos, arg, cfg);
	return add_iface(cmd, pos, arg, cfg);
}

static void missing_value(const char *cmd, const struct ctl_opt *o, bool is_long)
{
	char what[128];

	if (o->type == OPT_ENUM)
		enum_choices(o->enums, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "%s", o->metavar);
	if (is_long)
		pr_warn("xmptcp %s: --%s needs a value (%s); try 'xmptcp %s --help'\n", cmd,
			o->name, what, cmd);
	else
		pr_warn("xmptcp %s: -%c needs a value (%s); try 'xmptcp %s --help'\n", cmd,
			o->short_name, what, cmd);
}

/* One "--name[=value]" argument; may consume argv[*i + 1]. */
static int parse_long(const char *cmd, const struct ctl_opt *tab, int argc, char **argv, int *i,
		      void *cfg)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct ctl_opt *o = find_long(tab, arg, len);

	if (!o) {
		pr_warn("xmptcp %s: unknown option '--%.*s'; try 'xmptcp %s --help'\n", cmd,
			(int)len, arg, cmd);
		return -EINVAL;
	}
	if (o->type == OPT_FLAG) {
		if (eq) {
			pr_warn("xmptcp %s: --%s takes no value\n", cmd, o->name);
			return -EINVAL;
		}
		return opt_store(cmd, o, NULL, cfg);
	}
	if (eq)
		return opt_store(cmd, o, eq + 1, cfg);
	if (*i + 1 >= argc) {
		missing_value(cmd, o, true);
		return -EINVAL;
	}
	return opt_store(cmd, o, argv[++*i], cfg);
}

/* "-x", "-xy" (bundled flags) or "-m value" / "-mvalue". */
static int parse_short(const char *cmd, const struct ctl_opt *tab, int argc, char **argv, int *i,
		       void *cfg)
{
	const char *p = argv[*i] + 1;
	const struct ctl_opt *o;
	int err;

	for (; *p; p++) {
		o = find_short(tab, *p);
		if (!o) {
			pr_warn("xmptcp %s: unknown option '-%c'; try 'xmptcp %s --help'\n", cmd,
				*p, cmd);
			return -EINVAL;
		}
		if (o->type == OPT_FLAG) {
			err = opt_store(cmd, o, NULL, cfg);
			if (err)
				return err;
			continue;
		}
		if (p[1])
			return opt_store(cmd, o, p + 1, cfg);
		if (*i + 1 >= argc) {
			missing_value(cmd, o, false);
			return -EINVAL;
		}
		return opt_store(cmd, o, argv[++*i], cfg);
	}
	return 0;
}

int opts_parse(const char *cmd, const struct ctl_opt *tab, int argc, char **argv, void *cfg)
{
	bool only_pos = false;
	int i, err = 0;

	for (i = 1; i < argc && !err; i++) {
		const char *a = argv[i];

		if (only_pos || a[0] != '-' || !a[1])
			err = positional(cmd, tab, a, cfg);
		else if (!strcmp(a, "--"))
			only_pos = true;
		else if (a[1] == '-')
			err = parse_long(cmd, tab, argc, argv, &i, cfg);
		else
			err = parse_short(cmd, tab, argc, argv, &i, cfg);
	}
	if (err)
		return err;
	return ((struct ctl_cfg *)cfg)->help ? 1 : 0;
}

void opts_usage(FILE *f, const char *cmd, const char *args, const char *summary,
		const struct ctl_opt *tab)
{
	char choices[128], lhs[64];

	fprintf(f, "Usage: xmptcp %s [options]%s%s\n\n%s\n\nOptions:\n", cmd, args ? " " : "",
		args ? args : "", summary);
	for (; tab->name; tab++) {
		if (tab->type == OPT_IFACES || tab->type == OPT_WORDS)
			continue;
		if (tab->short_name)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", tab->short_name, tab->name,
				 tab->metavar ? " " : "", tab->metavar ? tab->metavar : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", tab->name,
				 tab->metavar ? " " : "", tab->metavar ? tab->metavar : "");
		fprintf(f, "  %-26s %s", lhs, tab->help);
		if (tab->type == OPT_ENUM) {
			enum_choices(tab->enums, choices, sizeof(choices));
			fprintf(f, " (%s)", choices);
		}
		fputc('\n', f);
	}
}

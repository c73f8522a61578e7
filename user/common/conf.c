// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration files over an option table (see conf.h for the format).
 * A key is found by its exact long name (no abbreviations: a file is
 * written once and read for years) and its value goes through
 * opts_store(), the command line's own typed parsers, with "PATH:LINE" as
 * the prefix of their messages. Printing walks the same table, so a new
 * option is a new key without more code here.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/conf.h"
#include "common/log.h"

#define CONF_MAX_BYTES (1u << 20) /* a configuration, not a data file */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool conf_is_key(const struct xmp_opt *o)
{
	return o->type != OPT_IFACES && o->type != OPT_WORDS && o->type != OPT_HELP &&
	       !(o->flags & OPT_F_CMDLINE);
}

/* Exact names only; positional entries are no keys at all. */
static const struct xmp_opt *find_key(const struct opt_prog *p, const char *key)
{
	const struct xmp_opt *o;

	for (o = p->opts; o->name; o++)
		if (o->type != OPT_IFACES && o->type != OPT_WORDS && !strcmp(o->name, key))
			return o;
	return NULL;
}

/* "flag", "flag = true" or "flag = false" (false: as if not given). */
static int flag_line(const char *where, const struct xmp_opt *o, const char *val, void *cfg)
{
	if (!val || !strcmp(val, "true"))
		return opts_store(where, o, NULL, cfg);
	if (!strcmp(val, "false")) {
		if (o->type == OPT_FLAG)
			*(bool *)((char *)cfg + o->off) = false;
		return 0;
	}
	pr_warn("%s: %s is a flag: true or false, not '%s'\n", where, o->name, val);
	return -EINVAL;
}

static int conf_line(const struct opt_prog *p, const char *path, unsigned int n, char *line,
		     void *cfg)
{
	char where[PATH_MAX + 16], *key, *val = NULL, *eq;
	const struct xmp_opt *o;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	snprintf(where, sizeof(where), "%s:%u", path, n);
	eq = strchr(line, '=');
	if (eq) {
		*eq = '\0';
		val = trim(eq + 1);
	}
	key = trim(line);
	if (!*key || strpbrk(key, " \t")) {
		pr_warn("%s: want 'key = value', not '%s%s%s'\n", where, key, eq ? " = " : "",
			val ? val : "");
		return -EINVAL;
	}
	o = find_key(p, key);
	if (!o) {
		pr_warn("%s: unknown key '%s' (the keys are the long options of '%s --help')\n",
			where, key, p->prog);
		return -EINVAL;
	}
	if (!conf_is_key(o)) {
		pr_warn("%s: '%s' is an option of the command line only, not a key\n", where,
			key);
		return -EINVAL;
	}
	if (!opts_takes_value(o))
		return flag_line(where, o, val, cfg);
	if (!val) {
		pr_warn("%s: %s needs a value: '%s = %s'\n", where, key, key,
			o->metavar ? o->metavar : "VALUE");
		return -EINVAL;
	}
	return opts_store(where, o, val, cfg) ? -EINVAL : 0;
}

int conf_parse(const struct opt_prog *p, const char *path, char *text, void *cfg)
{
	char *line, *next;
	unsigned int n = 0;
	int err = 0;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (conf_line(p, path, ++n, line, cfg))
			err = -EINVAL; /* on to the next line: say every mistake at once */
	}
	return err;
}

static int read_all(const char *path, char **text)
{
	struct stat st;
	ssize_t got = 0, r;
	char *buf;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (st.st_size > CONF_MAX_BYTES) {
		err = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < st.st_size && (r = read(fd, buf + got, (size_t)(st.st_size - got))) > 0)
		got += r;
	buf[got] = '\0';
	*text = buf;
out:
	close(fd);
	return err;
}

int conf_load(const struct opt_prog *p, const char *path, bool quiet_enoent, char **text,
	      void *cfg)
{
	int err;

	*text = NULL;
	err = read_all(path, text);
	if (err) {
		if (err != -ENOENT || !quiet_enoent)
			pr_warn("%s: cannot read %s: %s\n", p->prog, path,
				err == -EFBIG ? "over 1 MB, not a configuration" : strerror(-err));
		return err;
	}
	return conf_parse(p, path, *text, cfg);
}

/* Microseconds as seconds with the decimals they need: "2", "0.25". */
static void fmt_secs(char *buf, size_t len, unsigned long long us)
{
	char *e;

	snprintf(buf, len, "%llu.%06llu", us / 1000000, us % 1000000);
	e = buf + strlen(buf);
	while (e[-1] == '0')
		*--e = '\0';
	if (e[-1] == '.')
		e[-1] = '\0';
}

static int enum_name(const struct xmp_opt *o, int v, char *buf, size_t len)
{
	const struct opt_enum *e;

	for (e = o->enums; e && e->name; e++) {
		if (e->val == v) {
			snprintf(buf, len, "%s", e->name);
			return 1;
		}
	}
	return 0;
}

int conf_value(const struct xmp_opt *o, const void *cfg, unsigned int i, char *buf, size_t len)
{
	const char *field = (const char *)cfg + o->off, *s;

	if (o->type == OPT_CUSTOM)
		return o->print ? o->print(o, cfg, i, buf, len) : 0;
	if (o->type == OPT_LIST) {
		if (i >= *(const unsigned int *)((const char *)cfg + o->cnt_off))
			return 0;
		snprintf(buf, len, "%s", ((const char *const *)field)[i]);
		return 1;
	}
	/* an OPT_SEEN option not given: its default depends on others */
	if (i || (o->seen_off && !*(const bool *)((const char *)cfg + o->seen_off - 1)))
		return 0;
	switch (o->type) {
	case OPT_FLAG:
		snprintf(buf, len, "%s", *(const bool *)field ? "true" : "false");
		return 1;
	case OPT_STRING:
		s = *(const char *const *)field;
		if (s)
			snprintf(buf, len, "%s", s);
		return !!s;
	case OPT_ENUM:
		return enum_name(o, *(const int *)field, buf, len);
	case OPT_UINT:
		opts_fmt_ull(buf, len, *(const unsigned int *)field, o->flags & OPT_F_SUFFIX);
		return 1;
	case OPT_U64:
		opts_fmt_ull(buf, len, *(const unsigned long long *)field,
			     o->flags & OPT_F_SUFFIX);
		return 1;
	case OPT_SECS: /* the parser takes (0, max]: 0 is "not given" */
		if (!*(const unsigned long long *)field)
			return 0;
		fmt_secs(buf, len, *(const unsigned long long *)field);
		return 1;
	default:
		return 0;
	}
}

void conf_values(const struct xmp_opt *o, const void *cfg, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;
	char v[512];

	buf[0] = '\0';
	for (i = 0; used < len && conf_value(o, cfg, i, v, sizeof(v)); i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v);
	if (!i)
		snprintf(buf, len, "(not set)");
}

void conf_print(FILE *f, const struct opt_prog *p, const void *cfg)
{
	const struct xmp_opt *o;
	unsigned int i;
	char v[512];

	for (o = p->opts; o->name; o++) {
		if (!conf_is_key(o))
			continue;
		if (o->section)
			fprintf(f, "\n# %s\n", o->section);
		for (i = 0; conf_value(o, cfg, i, v, sizeof(v)); i++)
			fprintf(f, "%s =%s%s\n", o->name, *v ? " " : "", v);
		if (!i)
			fprintf(f, "# %s (not set%s%s)\n", o->name, o->def ? "; default " : "",
				o->def ? o->def : "");
	}
}

void conf_take_lists(const struct opt_prog *p, void *cfg, const void *cli)
{
	const struct xmp_opt *o;

	for (o = p->opts; o->name; o++) {
		bool list = o->type == OPT_LIST ||
			    (o->type == OPT_CUSTOM && (o->flags & OPT_F_REPEAT) && o->cnt_off);

		if (list && *(const unsigned int *)((const char *)cli + o->cnt_off))
			*(unsigned int *)((char *)cfg + o->cnt_off) = 0;
	}
}

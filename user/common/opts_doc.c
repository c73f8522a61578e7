// SPDX-License-Identifier: GPL-2.0
/*
 * Documentation generated from the option tables (opts.h): man pages in
 * man(7) roff and bash completion, so that neither can drift from what
 * --help says and the parser accepts. Each program writes its page's frame
 * (user/ctl/doc.c, user/app/doc.c, behind a hidden --man and
 * --bash-completion); the build runs them into build/man/ and
 * build/completion/ (Makefile), `make install` copies those.
 * The help text of an option is opts_help_text(), the one --help prints.
 */
#include <string.h>

#include "common/opts.h"

/* A word that starts with a dash ("--iface", "-v") is an option: its dashes
 * are minus signs in roff (\-); a plain '-' may be typeset as a hyphen, and
 * a reader who copies "--send-bytes" from the page must get ASCII minus
 * signs. Dashes inside words ("built-in") stay hyphens. */
static bool word_start(const char *text, const char *c)
{
	return c == text || strchr(" \n(['\"", c[-1]);
}

/* A '.' or '\'' at the start of a line would be a request: \& before it. */
static void line_start(FILE *f, const char *c)
{
	if (*c == '.' || *c == '\'')
		fputs("\\&", f);
}

void opts_man_text(FILE *f, const char *text)
{
	bool option = false;
	const char *c;

	line_start(f, text);
	for (c = text; *c; c++) {
		if (*c == '-' && word_start(text, c))
			option = true;
		else if (*c == ' ' || *c == '\n')
			option = false;
		switch (*c) {
		case '\\':
			fputs("\\e", f);
			break;
		case '-':
			fputs(option ? "\\-" : "-", f);
			break;
		case '\n':
			/* the tables wrap at 80 columns for --help; roff fills itself,
			 * and a blank line is a new paragraph */
			if (c[1] == '\n') {
				fputs("\n.PP\n", f);
				line_start(f, c + 2);
				c++;
			} else {
				fputc(c[1] ? ' ' : '\n', f);
			}
			break;
		default:
			fputc(*c, f);
		}
	}
}

void opts_man_head(FILE *f, const char *name, const char *what)
{
	char upper[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
	upper[i] = '\0';
	fprintf(f, ".\\\" Generated from the option tables by '%s --man'; do not edit.\n", name);
	fprintf(f, ".TH %s 8 \"\" \"xmptcp\" \"System Administration\"\n.SH NAME\n", upper);
	fprintf(f, "%s \\- ", name);
	opts_man_text(f, what);
	fputc('\n', f);
}

void opts_man_para(FILE *f, const char *heading, const char *text)
{
	if (heading)
		fprintf(f, ".SH %s\n", heading);
	else
		fputs(".PP\n", f);
	opts_man_text(f, text);
	fputc('\n', f);
}

/* ".SS" with a table's section heading, its closing ':' dropped. */
static void man_section(FILE *f, const char *section)
{
	size_t len = strlen(section);

	if (len && section[len - 1] == ':')
		len--;
	fprintf(f, ".SS \"%.*s\"\n", (int)len, section);
}

/* ".TP" and the tag line: \fB-c\fR, \fB--connect\fR \fIADDR:PORT\fR. */
static void man_tag(FILE *f, const struct xmp_opt *o)
{
	char name[64];

	fputs(".TP\n", f);
	if (o->short_name)
		fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
	snprintf(name, sizeof(name), "--%s", o->name);
	fputs("\\fB", f);
	opts_man_text(f, name);
	fputs("\\fR", f);
	if (o->metavar && opts_takes_value(o)) {
		fputs(" \\fI", f);
		opts_man_text(f, o->metavar);
		fputs("\\fR", f);
	}
	fputc('\n', f);
}

void opts_man_options(FILE *f, const struct opt_prog *p, const void *defaults)
{
	const struct xmp_opt *o;
	char text[1024];

	for (o = p->opts; o->name; o++) {
		if (opts_is_positional(o))
			continue;
		if (o->section)
			man_section(f, o->section);
		man_tag(f, o);
		opts_help_text(o, defaults, text, sizeof(text));
		opts_man_text(f, text);
		fputc('\n', f);
	}
}

/* What completes the value of o: a file name, an interface, or nothing. */
static bool wants_file(const struct xmp_opt *o)
{
	return strstr(o->metavar, "PATH") || strstr(o->metavar, "DIR") ||
	       strstr(o->metavar, "FILE");
}

#define BASH_IFACES "COMPREPLY=($(compgen -W \"$(ls /sys/class/net 2>/dev/null)\" -- \"$cur\"))"

/* One "case $prev" arm per option that takes a value. */
static void bash_value_arm(FILE *f, const struct xmp_opt *o, const char *indent)
{
	char choices[256];

	fprintf(f, "%s--%s", indent, o->name);
	if (o->short_name)
		fprintf(f, " | -%c", o->short_name);
	fputs(")\n", f);
	if (o->type == OPT_ENUM) {
		opts_enum_choices(o->enums, " ", choices, sizeof(choices));
		fprintf(f, "%s\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n", indent, choices);
	} else if (o->metavar && !strcmp(o->metavar, "IFACE")) {
		fprintf(f, "%s\t" BASH_IFACES "\n", indent);
	} else if (o->metavar && wants_file(o)) {
		fprintf(f, "%s\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n", indent);
	}
	fprintf(f, "%s\treturn\n%s\t;;\n", indent, indent);
}

void opts_bash_body(FILE *f, const struct opt_prog *p, const char *indent)
{
	const struct xmp_opt *o, *pos = NULL;
	bool first = true;

	fprintf(f, "%scase $prev in\n", indent);
	for (o = p->opts; o->name; o++)
		if (!opts_is_positional(o) && opts_takes_value(o))
			bash_value_arm(f, o, indent);
	fprintf(f, "%sesac\n%sif [[ $cur == -* ]]; then\n%s\tCOMPREPLY=($(compgen -W '", indent,
		indent, indent);
	for (o = p->opts; o->name; o++) {
		if (opts_is_positional(o)) {
			pos = o;
			continue;
		}
		fprintf(f, "%s--%s", first ? "" : " ", o->name);
		if (o->short_name)
			fprintf(f, " -%c", o->short_name);
		first = false;
	}
	fprintf(f, "' -- \"$cur\"))\n%s\treturn\n%sfi\n", indent, indent);
	if (pos && pos->type == OPT_IFACES)
		fprintf(f, "%s" BASH_IFACES "\n", indent);
	fprintf(f, "%sreturn\n", indent);
}

bool opts_doc_request(const char *arg, void (*man)(FILE *f), void (*bash)(FILE *f), int *rc)
{
	if (!strcmp(arg, "--man"))
		man(stdout);
	else if (!strcmp(arg, "--bash-completion"))
		bash(stdout);
	else
		return false;
	*rc = fflush(stdout) ? 1 : 0;
	return true;
}

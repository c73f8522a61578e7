// SPDX-License-Identifier: GPL-2.0
/*
 * The shared option parser (user/common/opts.c) of xmptcp and xmptcpd: each
 * typed parser stores what it should and refuses what it should with one
 * line that names the option, repeatable options count and stop at their
 * capacity, unknown options and missing values are refused, and --help,
 * generated from the table, names every option with its sections, defaults
 * and footer; the man page (roff) and the bash completion written from the
 * same table name the same options, escaped for their language.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/opts.h"
#include "lib/test.h"

struct cfg {
	bool flag, seen;
	const char *str;
	int mode;
	unsigned int num;
	unsigned long long big, bytes, us;
	const char *list[2];
	unsigned int nlist;
	int pairs;
	struct opt_words words;
};

static const struct opt_enum modes[] = { { "fast", 1 }, { "slow", 2 }, { NULL, 0 } };

/* "A=B": a spec a custom parser takes apart. */
static int parse_pair(const char *prog, const struct xmp_opt *o, const char *val, void *c)
{
	if (!strchr(val, '=')) {
		fprintf(stderr, "%s: --%s wants A=B, not '%s'\n", prog, o->name, val);
		return -EINVAL;
	}
	((struct cfg *)c)->pairs++;
	return 0;
}

#define OFF(f) offsetof(struct cfg, f)
static const struct xmp_opt tab[] = {
	{ .name = "flag", .short_name = 'f', .type = OPT_FLAG, .off = OFF(flag),
	  .section = "First:", .help = "a flag" },
	{ .name = "str", .short_name = 's', .type = OPT_STRING, .off = OFF(str), .metavar = "S",
	  .help = "a string" },
	{ .name = "mode", .type = OPT_ENUM, .off = OFF(mode), .enums = modes, .metavar = "M",
	  .help = "a mode" },
	{ .name = "num", .short_name = 'n', .type = OPT_UINT, .off = OFF(num), .min = 1,
	  .max = 100, .seen_off = OPT_SEEN(struct cfg, seen), .metavar = "N",
	  .help = "a count" },
	{ .name = "big", .type = OPT_U64, .off = OFF(big), .metavar = "N", .help = "a number" },
	{ .name = "bytes", .type = OPT_U64, .off = OFF(bytes), .flags = OPT_F_SUFFIX,
	  .min = 16 << 10, .max = 64 << 20, .metavar = "N", .section = "Second:",
	  .help = "a size" },
	{ .name = "time", .type = OPT_SECS, .off = OFF(us), .max = 86400, .metavar = "SECS",
	  .def = "none", .help = "a duration" },
	{ .name = "item", .short_name = 'i', .type = OPT_LIST, .off = OFF(list),
	  .cnt_off = OFF(nlist), .max = 2, .metavar = "X", .help = "an item" },
	{ .name = "pair", .type = OPT_CUSTOM, .parse = parse_pair, .flags = OPT_F_REPEAT,
	  .metavar = "A=B", .help = "a pair" },
	{ .name = "help", .short_name = 'h', .type = OPT_HELP, .help = "this help" },
	{ .name = "WORDS", .type = OPT_WORDS, .off = OFF(words), .metavar = "W" },
	{ .name = NULL },
};

static const struct opt_prog prog = {
	.prog = "tprog", .args = "W...", .summary = "A test program.",
	.footer = "Signals: none.", .opts = tab, .abbrev = true,
};

static char err_line[512];

/* Parses the NULL-terminated arguments into *c, the stderr text into err_line. */
static int parse(struct cfg *c, ...)
{
	char *argv[16] = { "tprog" };
	int argc = 1, r;
	va_list ap;

	va_start(ap, c);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(c, 0, sizeof(*c));
	t_stderr_begin();
	r = opts_parse(&prog, argc, argv, c);
	t_stderr_end(err_line, sizeof(err_line));
	free(c->words.names);
	c->words.names = NULL;
	return r;
}

static void typed_parsers(void)
{
	struct cfg c;

	CHECK_EQ(parse(&c, "-f", "--str", "x", "--mode=slow", "-n", "7", "--big", "0x10",
		       "--bytes", "4M", "--time", "2.5", NULL), 0);
	CHECK(c.flag && !strcmp(c.str, "x"));
	CHECK_EQ(c.mode, 2);
	CHECK_EQ(c.num, 7);
	CHECK(c.seen);
	CHECK_EQ(c.big, 16);
	CHECK_EQ(c.bytes, 4 << 20);
	CHECK_EQ(c.us, 2500000);
	CHECK(!err_line[0]);
	CHECK_EQ(parse(&c, "-fn5", NULL), 0); /* bundled flag, then a value */
	CHECK(c.flag);
	CHECK_EQ(c.num, 5);
	CHECK_EQ(parse(&c, "--bytes", "16k", NULL), 0);
	CHECK_EQ(c.bytes, 16 << 10);

	CHECK_EQ(parse(&c, "--num", "0", NULL), -EINVAL);
	CHECK(strstr(err_line, "tprog: --num wants at least 1"));
	CHECK_EQ(parse(&c, "--num", "101", NULL), -EINVAL);
	CHECK(strstr(err_line, "--num wants a number 0..100, not '101'"));
	CHECK_EQ(parse(&c, "--big", "-1", NULL), -EINVAL);
	CHECK(strstr(err_line, "--big wants a number, not '-1'"));
	CHECK_EQ(parse(&c, "--bytes", "1K", NULL), -EINVAL);
	CHECK(strstr(err_line, "--bytes wants 16K..64M bytes (K/M suffixes), not '1K'"));
	CHECK_EQ(parse(&c, "--bytes", "4Q", NULL), -EINVAL);
	CHECK_EQ(parse(&c, "--bytes", "99999999999999999999G", NULL), -EINVAL);
	CHECK_EQ(parse(&c, "--mode", "medium", NULL), -EINVAL);
	CHECK(strstr(err_line, "invalid --mode 'medium' (expected fast|slow)"));
	CHECK_EQ(parse(&c, "--str", "", NULL), -EINVAL);
	{
		static const char *const bad_secs[] = { "0", "-1", "1x", "nan", "86401", "" };
		unsigned int i;

		for (i = 0; i < sizeof(bad_secs) / sizeof(bad_secs[0]); i++) {
			CHECK_EQ(parse(&c, "--time", bad_secs[i], NULL), -EINVAL);
			CHECK(strstr(err_line, "--time wants seconds above 0 and at most 86400"));
		}
	}
	/* one line per error */
	CHECK(strchr(err_line, '\n') == err_line + strlen(err_line) - 1);
}

static void repeatable(void)
{
	struct cfg c;

	CHECK_EQ(parse(&c, "-i", "a", "--item=b", "--pair", "1=2", "--pair", "3=4", NULL), 0);
	CHECK_EQ(c.nlist, 2);
	CHECK(!strcmp(c.list[0], "a") && !strcmp(c.list[1], "b"));
	CHECK_EQ(c.pairs, 2);
	CHECK_EQ(parse(&c, "-i", "a", "-i", "b", "-i", "c", NULL), -EINVAL);
	CHECK(strstr(err_line, "tprog: at most 2 --item"));
	CHECK_EQ(parse(&c, "--pair", "12", NULL), -EINVAL);
	CHECK(strstr(err_line, "--pair wants A=B, not '12'"));
	CHECK_EQ(parse(&c, "w1", "--flag", "w2", "--", "-f", NULL), 0);
	CHECK(c.flag);
}

static void refusals(void)
{
	struct cfg c;

	CHECK_EQ(parse(&c, "--frob", NULL), -EINVAL);
	CHECK(strstr(err_line, "tprog: unknown option '--frob'; try 'tprog --help'"));
	CHECK_EQ(parse(&c, "-z", NULL), -EINVAL);
	CHECK(strstr(err_line, "unknown option '-z'"));
	CHECK_EQ(parse(&c, "--num", NULL), -EINVAL);
	CHECK(strstr(err_line, "--num needs a value (N)"));
	CHECK_EQ(parse(&c, "-s", NULL), -EINVAL);
	CHECK(strstr(err_line, "-s needs a value (S)"));
	CHECK_EQ(parse(&c, "--flag=1", NULL), -EINVAL);
	CHECK(strstr(err_line, "--flag takes no value"));
	/* abbreviations: unique prefixes only */
	CHECK_EQ(parse(&c, "--mo", "fast", NULL), 0);
	CHECK_EQ(c.mode, 1);
	CHECK_EQ(parse(&c, "--b", "1", NULL), -EINVAL); /* --big or --bytes */
	CHECK(strstr(err_line, "unknown option '--b'"));
	/* --help stops parsing at once */
	CHECK_EQ(parse(&c, "-h", "--frob", NULL), 1);
	CHECK(!err_line[0]);
}

static void help_names_every_option(void)
{
	struct cfg d = { .num = 3, .bytes = 2 << 20, .str = "dflt" };
	const struct xmp_opt *o;
	char *buf = NULL, want[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	opts_usage(f, &prog, &d);
	fclose(f);
	for (o = tab; o->name; o++) {
		if (o->type == OPT_WORDS)
			continue;
		snprintf(want, sizeof(want), "--%s", o->name);
		CHECK(strstr(buf, want));
		CHECK(strstr(buf, o->help));
		if (o->short_name) {
			snprintf(want, sizeof(want), "-%c, --%s", o->short_name, o->name);
			CHECK(strstr(buf, want));
		}
	}
	CHECK(!strncmp(buf, "Usage: tprog [options] W...\n\nA test program.\n", 44));
	CHECK(strstr(buf, "\nFirst:\n  -f, --flag "));
	CHECK(strstr(buf, "\nSecond:\n      --bytes N "));
	CHECK(strstr(buf, "a count [3]"));
	CHECK(strstr(buf, "a size [2M]"));
	CHECK(strstr(buf, "a string [dflt]"));
	CHECK(strstr(buf, "a duration [none]"));
	CHECK(strstr(buf, "a mode (fast|slow)"));
	CHECK(strstr(buf, "an item (repeatable)"));
	CHECK(strstr(buf, "a pair (repeatable)"));
	CHECK(strstr(buf, "\nSignals: none.\n"));
	CHECK(!strstr(buf, "WORDS"));
	free(buf);
}

/* What fn writes for the table (text NULL) or for text, malloc'ed. */
static char *doc_of(void (*fn)(FILE *f, const struct opt_prog *p, const void *d), const void *d,
		    const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (text)
		opts_man_text(f, text);
	else
		fn(f, &prog, d);
	fclose(f);
	return buf;
}

static void man_options(FILE *f, const struct opt_prog *p, const void *d)
{
	opts_man_options(f, p, d);
}

static void bash_body(FILE *f, const struct opt_prog *p, const void *d)
{
	(void)d;
	opts_bash_body(f, p, "\t");
}

static void man_names_every_option(void)
{
	struct cfg d = { .num = 3, .bytes = 2 << 20, .str = "dflt" };
	char *buf = doc_of(man_options, &d, NULL);

	CHECK(!strncmp(buf, ".SS \"First\"\n.TP\n\\fB\\-f\\fR, \\fB\\-\\-flag\\fR\na flag\n", 44));
	CHECK(strstr(buf, ".SS \"Second\"\n.TP\n\\fB\\-\\-bytes\\fR \\fIN\\fR\na size [2M]\n"));
	CHECK(strstr(buf, "\na count [3]\n"));
	CHECK(strstr(buf, "\na mode (fast|slow)\n"));
	CHECK(strstr(buf, "\na pair (repeatable)\n"));
	CHECK(!strstr(buf, "WORDS"));
	free(buf);
	/* a request at a line start is neutralised, a backslash printed,
	 * option dashes are minus signs, a word's hyphen stays one */
	buf = doc_of(NULL, NULL, ".x \\ --send-bytes (-v) built-in\nnext");
	CHECK(buf && !strcmp(buf, "\\&.x \\e \\-\\-send\\-bytes (\\-v) built-in next"));
	free(buf);
	/* a blank line is a new paragraph, whose first line is guarded too */
	buf = doc_of(NULL, NULL, "a\n\n'b");
	CHECK(buf && !strcmp(buf, "a\n.PP\n\\&'b"));
	free(buf);
}

static void bash_names_every_option(void)
{
	char *buf = doc_of(bash_body, NULL, NULL);

	CHECK(strstr(buf, "\tcase $prev in\n"));
	CHECK(strstr(buf, "\t--mode)\n\t\tCOMPREPLY=($(compgen -W 'fast slow' -- \"$cur\"))\n"
			  "\t\treturn\n"));
	CHECK(strstr(buf, "\t--num | -n)\n\t\treturn\n")); /* a value, nothing to offer */
	CHECK(!strstr(buf, "--flag | -f)")); /* a flag has no value */
	CHECK(strstr(buf, "compgen -W '--flag -f --str -s --mode --num -n --big --bytes --time "
			  "--item -i --pair --help -h' -- \"$cur\""));
	CHECK(!strstr(buf, "WORDS"));
	free(buf);
}

int main(void)
{
	RUN(typed_parsers);
	RUN(repeatable);
	RUN(refusals);
	RUN(help_names_every_option);
	RUN(man_names_every_option);
	RUN(bash_names_every_option);
	return t_exit_code();
}

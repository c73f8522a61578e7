// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd's configuration file (common/conf.c over user/app/options.c's
 * table): every key of the real table, with a value that is not its
 * default, goes file -> parse -> print -> parse -> print to the same text
 * (the file is generated from the table, so a new option is in this test
 * without an edit, and a custom one without an example fails it); the
 * defaults print to a file that parses back; bad lines are refused with
 * FILE:LINE and the option parser's own message; the command line
 * overrides the file and its lists replace the file's.
 *
 * The daemon's option files are compiled in, as test_ctl_json does with
 * the CLI's JSON writer: they are not in libxmp.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/test.h"
#include "common/conf.h"
#include "app/options.c"
#include "app/opt_values.c"

static char errs[4096];

/* A file with text, its path in path (PATH_MAX). */
static void write_file(char *path, const char *text)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/xmptcp-test-conf-XXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

/* Everything conf_print() writes for cfg, malloc'ed. */
static char *printed(const void *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_print(f, &xd_prog, cfg);
	fclose(f);
	return buf;
}

/* Parses a copy of text over the defaults into o; o's strings point into
 * the copy, freed by the next call with the same slot (0 or 1); stderr
 * into errs. */
static int parse_text(const char *text, struct xd_opts *o, int slot)
{
	static char *copies[2];
	int r;

	free(copies[slot]);
	copies[slot] = strdup(text);
	set_defaults(o);
	t_stderr_begin();
	r = conf_parse(&xd_prog, "t.conf", copies[slot], o);
	t_stderr_end(errs, sizeof(errs));
	return r;
}

/* A number in o's range that is not its default. */
static unsigned long long other_number(const struct xmp_opt *o, const struct xd_opts *d)
{
	const char *field = (const char *)d + o->off;
	unsigned long long def = o->type == OPT_UINT ? *(const unsigned int *)field
						     : *(const unsigned long long *)field;
	unsigned long long v = o->max ? o->max : 12345;

	return v != def ? v : (o->min != def ? o->min : v - 1);
}

/* key = value lines for o that differ from the default. */
static void gen_key(FILE *f, const struct xmp_opt *o, const struct xd_opts *d)
{
	unsigned int i, n;

	switch (o->type) {
	case OPT_FLAG:
		fprintf(f, "%s\n", o->name); /* the bare form */
		break;
	case OPT_STRING:
		fprintf(f, "%s = value of %s\n", o->name, o->name);
		break;
	case OPT_UINT:
	case OPT_U64:
		fprintf(f, "%s = %llu\n", o->name, other_number(o, d));
		break;
	case OPT_SECS:
		fprintf(f, "%s = 1.25\n", o->name);
		break;
	case OPT_LIST:
		for (i = 0; i < o->max; i++)
			fprintf(f, "%s = %s%u\n", o->name, o->name, i);
		break;
	case OPT_CUSTOM:
		n = o->flags & OPT_F_REPEAT ? 2 : 1;
		for (i = 0; i < n && o->example; i++)
			fprintf(f, "%s=%s\n", o->name, o->example); /* no blanks: allowed */
		break;
	default:
		break;
	}
}

/* The table's keys, each with a value that is not its default. */
static char *gen_file(const struct xmp_opt *only, const struct xd_opts *d)
{
	const struct xmp_opt *o;
	char *gen = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&gen, &len);

	for (o = xd_opt_tab; o->name; o++)
		if (conf_is_key(o) && (!only || o == only))
			gen_key(f, o, d);
	fclose(f);
	return gen;
}

/* Each key alone takes its value (-v and -q share one field, so one at a
 * time), then all of them are a fixed point of print and parse. */
static void every_key_round_trips(void)
{
	char *gen, *p1, *p2, va[1024], vd[1024];
	const struct xmp_opt *o;
	struct xd_opts d, a, b;

	set_defaults(&d);
	for (o = xd_opt_tab; o->name; o++) {
		if (!conf_is_key(o))
			continue;
		if (o->type == OPT_CUSTOM && (!o->example || !o->print)) {
			printf("# key %s: an OPT_CUSTOM without .example and .print\n", o->name);
			CHECK(0);
		}
		gen = gen_file(o, &d);
		CHECK_EQ(parse_text(gen, &a, 0), 0);
		conf_values(o, &a, va, sizeof(va));
		conf_values(o, &d, vd, sizeof(vd));
		if (!strcmp(va, vd) || errs[0])
			printf("# key %s: '%s' after the file, default '%s' %s", o->name, va, vd,
			       errs[0] ? errs : "\n");
		CHECK(strcmp(va, vd));
		free(gen);
	}
	gen = gen_file(NULL, &d);
	CHECK_EQ(parse_text(gen, &a, 0), 0);
	CHECK(!errs[0]);
	p1 = printed(&a);
	CHECK_EQ(parse_text(p1, &b, 1), 0);
	p2 = printed(&b);
	CHECK(!strcmp(p1, p2));
	free(p1);
	free(p2);
	free(gen);
}

/* The defaults (numbers that mean "the built-in size" included) print to a
 * file that gives them back. */
static void defaults_round_trip(void)
{
	struct xd_opts d, b;
	char *p1, *p2;

	set_defaults(&d);
	p1 = printed(&d);
	CHECK_EQ(parse_text(p1, &b, 1), 0);
	if (errs[0])
		printf("# %s", errs);
	p2 = printed(&b);
	CHECK(!strcmp(p1, p2));
	CHECK(strstr(p1, "\nsched-load") == NULL && strstr(p1, "# sched-load (not set)"));
	CHECK(strstr(p1, "\nsndbuf = 2M\n"));
	free(p1);
	free(p2);
}

static void bad_lines_named(void)
{
	/* each bad line of the file below, by its number */
	static const char *const want[] = {
		"t.conf:4: unknown key 'bogus' (the keys are the long options of "
		"'xmptcpd --help')\n",
		"t.conf:5: want 'key = value', not 'sched rr'\n",
		"t.conf:6: --max-subflows wants a number 0..7, not '99'\n",
		"t.conf:7: 'help' is an option of the command line only, not a key\n",
		"t.conf:8: send-bytes needs a value: 'send-bytes = N'\n",
		"t.conf:9: 'config' is an option of the command line only, not a key\n",
		"t.conf:10: dss-csum is a flag: true or false, not 'maybe'\n",
		"t.conf:11: --cc wants lia, olia, cubic or reno, not 'foo'\n",
		"t.conf:12: want 'key = value', not ' = 3'\n",
	};
	struct xd_opts o;
	size_t i;

	CHECK_EQ(parse_text("# a comment\n\n  iface = lo  \nbogus = 1\nsched rr\n"
			    "max-subflows = 99\nhelp\nsend-bytes\nconfig = x\n"
			    "dss-csum = maybe\ncc = foo\n= 3\nmax-subflows = 2\n",
			    &o, 0),
		 -EINVAL);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!strstr(errs, want[i]))
			printf("# not said: %s", want[i]);
		CHECK(strstr(errs, want[i]));
	}
	/* no abbreviations in a file, unlike the command line */
	CHECK_EQ(parse_text("max-sub = 2\n", &o, 0), -EINVAL);
	CHECK(strstr(errs, "t.conf:1: unknown key 'max-sub'"));
	/* good lines around them still parse; blanks and comments count as lines */
	CHECK_EQ(parse_text("\n# x\niface = lo\nmax-subflows = 2\n", &o, 0), 0);
	CHECK_EQ(o.max_subflows, 2);
	CHECK(o.nifs == 1 && !strcmp(o.ifnames[0], "lo"));
}

/* xd_conf_init() as main() calls it: --config FILE plus the command line. */
static int conf_init(struct xd_conf *cf, const char *path, char **extra)
{
	char *argv[16] = { "xmptcpd", "--config", (char *)path };
	int argc = 3, r;

	while (extra && *extra && argc < 15)
		argv[argc++] = *extra++;
	t_stderr_begin();
	r = xd_conf_init(cf, argc, argv);
	t_stderr_end(errs, sizeof(errs));
	xmp_log_level = XMP_LOG_INFO;
	return r;
}

static void cmdline_overrides_file(void)
{
	char *cli[] = { "--sched", "blest", "--client", "10.0.0.1:1=10.0.0.2:2", "-q",
			"--max-add-addr", "1", NULL };
	char path[64];
	struct xd_conf cf;

	write_file(path, "iface = lo\nlisten = 10.0.0.1:80\nsched = rr\nmax-subflows = 3\n"
			 "client = 127.0.0.1:1=10.0.0.9:9\nclient = 127.0.0.1:2=10.0.0.9:9\n"
			 "verbose\nbackup = lo\n");
	CHECK_EQ(conf_init(&cf, path, cli), 0);
	CHECK(!strcmp(cf.cur.sched, "blest"));
	CHECK_EQ(cf.cur.max_subflows, 3);  /* the file's: not on the command line */
	CHECK_EQ(cf.cur.max_add_addr, 1); /* the command line's */
	CHECK_EQ(cf.cur.nclient, 1);	    /* the command line's list replaced the file's */
	CHECK_EQ(cf.cur.client[0].pa, 1);
	CHECK_EQ(cf.cur.client[0].pb, 2);
	CHECK_EQ(cf.cur.log_level, XMP_LOG_WARN); /* -q after the file's verbose */
	CHECK(cf.cur.nbackup == 1 && cf.cur.nifs == 1);
	xd_conf_free(&cf);
	/* no command line: the file alone */
	CHECK_EQ(conf_init(&cf, path, NULL), 0);
	CHECK(!strcmp(cf.cur.sched, "rr"));
	CHECK_EQ(cf.cur.nclient, 2);
	CHECK_EQ(cf.cur.log_level, XMP_LOG_DEBUG);
	xd_conf_free(&cf);
	unlink(path);
}

static void bad_file_refused_at_start(void)
{
	char *none[] = { "--no-config", NULL };
	char path[64];
	struct xd_conf cf;

	write_file(path, "iface = lo\nlisten = 10.0.0.1:80\n\nfrobnicate = yes\n");
	CHECK(conf_init(&cf, path, NULL) < 0);
	CHECK(strstr(errs, ":4: unknown key 'frobnicate'") && strstr(errs, path));
	CHECK(conf_init(&cf, path, none) < 0);
	CHECK(strstr(errs, "--config and --no-config exclude each other"));
	unlink(path);
	/* an explicit file must be there; the default one need not */
	CHECK(conf_init(&cf, path, NULL) < 0);
	CHECK(strstr(errs, "cannot read") && strstr(errs, "No such file"));
	/* a check across keys still applies to what the file says */
	write_file(path, "iface = lo\nlisten = 10.0.0.1:80\nbackup = eth9\n");
	CHECK(conf_init(&cf, path, NULL) < 0);
	CHECK(strstr(errs, "--backup eth9 is not one of the --iface interfaces"));
	unlink(path);
}

/* --accept PORT[,PORT...]: lists and repeats add up; bad ports, empty
 * items, a port twice or one a --server/--listen takes are refused, each
 * with its reason; --proxy-protocol wants something to forward. */
static void accept_ports_checked(void)
{
	static const struct {
		const char *argv[5];
		const char *said;
	} bad[] = {
		{ { "--accept", "0" }, "--accept wants PORT[,PORT...] with ports 1..65535, not '0'" },
		{ { "--accept", "80,,443" }, "not '80,,443'" },
		{ { "--accept", "80," }, "not '80,'" },
		{ { "--accept", "65536" }, "not '65536'" },
		{ { "--accept", "http" }, "not 'http'" },
		{ { "--accept", "80,443", "--accept", "80" }, "--accept 80 given twice" },
		{ { "--accept", "9000", "--server", "10.0.0.1:9000=127.0.0.1:1" },
		  "--accept 9000: port 9000 is already a --server port" },
		{ { "--accept", "8080", "--listen", "[::]:8080" },
		  "--accept 8080: port 8080 is already a --listen port" },
		{ { "--proxy-protocol", "--listen", "10.0.0.1:1" },
		  "--proxy-protocol is for --accept and --server" },
	};
	char *good[] = { "--accept", "80,443", "--accept", "65535", "--proxy-protocol", NULL };
	char path[64], *argv[6];
	struct xd_conf cf;
	size_t i, k;

	write_file(path, "iface = lo\n");
	CHECK_EQ(conf_init(&cf, path, good), 0);
	CHECK(cf.cur.naccept == 3 && cf.cur.accept[0] == 80 && cf.cur.accept[1] == 443 &&
	      cf.cur.accept[2] == 65535 && cf.cur.proxy_protocol);
	xd_conf_free(&cf);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (k = 0; k < 5 && bad[i].argv[k]; k++)
			argv[k] = (char *)bad[i].argv[k];
		argv[k] = NULL;
		CHECK(conf_init(&cf, path, argv) < 0);
		if (!strstr(errs, bad[i].said))
			printf("# %s %s: want '%s', said '%s'", argv[0], argv[1], bad[i].said,
			       errs);
		CHECK(strstr(errs, bad[i].said));
	}
	unlink(path);
}

int main(void)
{
	RUN(every_key_round_trips);
	RUN(defaults_round_trip);
	RUN(bad_lines_named);
	RUN(cmdline_overrides_file);
	RUN(bad_file_refused_at_start);
	RUN(accept_ports_checked);
	parse_text("", &(struct xd_opts){ 0 }, 0); /* frees the copies */
	parse_text("", &(struct xd_opts){ 0 }, 1);
	return t_exit_code();
}

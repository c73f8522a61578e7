// SPDX-License-Identifier: GPL-2.0
/*
 * The values of xmptcpd's options that the generic typed parsers of
 * common/opts.c do not know: proxy specs, --accept ports, the path
 * manager, the control socket, the log level. Each has its parser (command line and file alike)
 * and its printer, which writes the value back in the form the parser
 * takes, for --print-config and the SIGHUP report (conf.h). The table that
 * names them is options.c's.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/opts.h"
#include "io/addr.h"
#include "app/xmptcpd.h"
#include "app/opt_values.h"

/* ADDR:PORT or [V6ADDR]:PORT. */
int xd_parse_endpoint(const char *s, struct xmp_addr *a, __u16 *port)
{
	char buf[128], *p, *host = buf;
	unsigned long long v;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	p = strrchr(buf, ':');
	if (!p)
		return -EINVAL;
	*p++ = '\0';
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = '\0';
		host++;
	}
	if (opts_ull(p, &v, false) || !v || v > 65535)
		return -EINVAL;
	*port = (__u16)v;
	return xmp_addr_parse(a, host);
}

/* The form xd_parse_endpoint() takes. */
static int fmt_endpoint(char *buf, size_t len, const struct xmp_addr *a, __u16 port)
{
	char s[64];

	xmp_addr_str(a, s, sizeof(s));
	return snprintf(buf, len, xmp_addr_is_v4(a) ? "%s:%u" : "[%s]:%u", s, port);
}

/* A=B with A and B both ADDR:PORT (--client, --server). */
static int parse_fwd(const char *prog, const char *opt, const char *s, struct xd_fwd *fw)
{
	char buf[256], *eq;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		goto bad;
	eq = strchr(buf, '=');
	if (!eq)
		goto bad;
	*eq = '\0';
	if (xd_parse_endpoint(buf, &fw->a, &fw->pa) || xd_parse_endpoint(eq + 1, &fw->b, &fw->pb))
		goto bad;
	if (xmp_addr_is_any(&fw->b)) {
		pr_warn("%s: %s: the address after '=' must be a real address, not '%s'\n", prog,
			opt, eq + 1);
		return -EINVAL;
	}
	return 0;
bad:
	pr_warn("%s: %s wants ADDR:PORT=ADDR:PORT (IPv6: [ADDR]:PORT), not '%s'\n", prog, opt,
		s);
	return -EINVAL;
}

static int fmt_fwd(char *buf, size_t len, const struct xd_fwd *fw)
{
	int n = fmt_endpoint(buf, len, &fw->a, fw->pa);

	if (n < 0 || (size_t)n + 1 >= len)
		return 1;
	buf[n] = '=';
	fmt_endpoint(buf + n + 1, len - (size_t)n - 1, &fw->b, fw->pb);
	return 1;
}

/* The @i-th of fw[0..n) as the option's value; 0 past the end. */
static int print_fwd(const struct xd_fwd *fw, unsigned int n, unsigned int i, char *buf,
		     size_t len)
{
	return i < n ? fmt_fwd(buf, len, &fw[i]) : 0;
}

/* One more ADDR:PORT=ADDR:PORT into fw[*n], at most @max of them. */
static int add_fwd(const char *prog, const struct xmp_opt *opt, const char *val,
		   struct xd_fwd *fw, unsigned int *n, unsigned int max)
{
	char name[32];

	if (*n == max) {
		pr_warn("%s: at most %u --%s\n", prog, max, opt->name);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "--%s", opt->name);
	return parse_fwd(prog, name, val, &fw[(*n)++]);
}

int xd_opt_client(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	struct xd_opts *o = cfg;

	return add_fwd(prog, opt, val, o->client, &o->nclient, XD_MAX_PROXIES);
}

int xd_print_client(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		    size_t len)
{
	(void)opt;
	return print_fwd(((const struct xd_opts *)cfg)->client,
			 ((const struct xd_opts *)cfg)->nclient, i, buf, len);
}

/* One listener stays for --listen. */
int xd_opt_server(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	struct xd_opts *o = cfg;

	return add_fwd(prog, opt, val, o->server, &o->nserver, XD_MAX_LISTENERS - 1);
}

int xd_print_server(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		    size_t len)
{
	(void)opt;
	return print_fwd(((const struct xd_opts *)cfg)->server,
			 ((const struct xd_opts *)cfg)->nserver, i, buf, len);
}

/* --accept PORT[,PORT...]: each a port of 1..65535; repeats and clashes
 * are xd_check_accept()'s, once every option is read. */
int xd_opt_accept(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	struct xd_opts *o = cfg;
	char buf[256], *rest = buf, *tok;
	unsigned long long v;

	if (snprintf(buf, sizeof(buf), "%s", val) >= (int)sizeof(buf))
		goto bad;
	while ((tok = strsep(&rest, ","))) { /* "80,,443": an empty one is refused */
		if (!*tok || opts_ull(tok, &v, false) || !v || v > 65535)
			goto bad;
		if (o->naccept == XD_MAX_LISTENERS - 1) {
			pr_warn("%s: at most %d --%s ports\n", prog, XD_MAX_LISTENERS - 1,
				opt->name);
			return -EINVAL;
		}
		o->accept[o->naccept++] = (__u16)v;
	}
	return 0;
bad:
	pr_warn("%s: --%s wants PORT[,PORT...] with ports 1..65535, not '%s'\n", prog,
		opt->name, val);
	return -EINVAL;
}

int xd_print_accept(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		    size_t len)
{
	const struct xd_opts *o = cfg;

	(void)opt;
	if (i >= o->naccept)
		return 0;
	snprintf(buf, len, "%u", o->accept[i]);
	return 1;
}

/* The port of --listen ADDR:PORT, 0 without one. */
static __u16 listen_port(const struct xd_opts *o)
{
	struct xmp_addr a;
	__u16 port;

	return o->listen && !xd_parse_endpoint(o->listen, &a, &port) ? port : 0;
}

/* A port given twice, or one that --server or --listen take already (they
 * would take its plain TCP clients too, and which of two listeners a SYN
 * meets would depend on its address). */
int xd_check_accept(const struct xd_opts *o)
{
	unsigned int i, k;

	for (i = 0; i < o->naccept; i++) {
		for (k = 0; k < i && o->accept[k] != o->accept[i]; k++)
			;
		if (k < i) {
			pr_warn("xmptcpd: --accept %u given twice\n", o->accept[i]);
			return -EINVAL;
		}
		for (k = 0; k < o->nserver && o->server[k].pa != o->accept[i]; k++)
			;
		if (k < o->nserver || listen_port(o) == o->accept[i]) {
			pr_warn("xmptcpd: --accept %u: port %u is already a --%s port\n",
				o->accept[i], o->accept[i], k < o->nserver ? "server" : "listen");
			return -EINVAL;
		}
	}
	if (o->naccept + o->nserver + !!o->listen > XD_MAX_LISTENERS) {
		pr_warn("xmptcpd: at most %d listeners (--listen, --server, --accept ports)\n",
			XD_MAX_LISTENERS);
		return -EINVAL;
	}
	return 0;
}

int xd_opt_pm(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	struct xd_opts *o = cfg;
	unsigned long long n;

	if (!strcmp(val, "fullmesh")) {
		o->pm = XC_PM_FULLMESH;
		return 0;
	}
	if (!strcmp(val, "none")) {
		o->pm = XC_PM_NONE;
		return 0;
	}
	if (!strncmp(val, "ndiffports=", 11) && !opts_ull(val + 11, &n, false) && n &&
	    n <= XC_SF_MAX) {
		o->ndiff = (unsigned int)n;
		o->pm = XC_PM_NDIFFPORTS;
		return 0;
	}
	pr_warn("%s: --%s wants fullmesh, ndiffports=N (1..%d) or none, not '%s'\n", prog,
		opt->name, XC_SF_MAX, val);
	return -EINVAL;
}

int xd_print_pm(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		size_t len)
{
	const struct xd_opts *o = cfg;

	(void)opt;
	if (i)
		return 0;
	if (o->pm == XC_PM_NDIFFPORTS)
		snprintf(buf, len, "ndiffports=%u", o->ndiff);
	else
		snprintf(buf, len, "%s", o->pm == XC_PM_NONE ? "none" : "fullmesh");
	return 1;
}

int xd_opt_cc(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	if (strcmp(val, "lia") && strcmp(val, "olia") && strcmp(val, "cubic") &&
	    strcmp(val, "reno")) {
		pr_warn("%s: --%s wants lia, olia, cubic or reno, not '%s'\n", prog, opt->name,
			val);
		return -EINVAL;
	}
	((struct xd_opts *)cfg)->cc = val;
	return 0;
}

/* --ctl PATH|none: none is "" (no control socket). */
int xd_opt_ctl(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	const char *path = strcmp(val, "none") ? val : "";

	if (*path && path[0] != '/') {
		pr_warn("%s: --%s wants an absolute path or 'none', not '%s'\n", prog, opt->name,
			val);
		return -EINVAL;
	}
	((struct xd_opts *)cfg)->ctl_path = path;
	return 0;
}

int xd_opt_pin_dir(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	if (val[0] != '/') {
		pr_warn("%s: --%s must be an absolute path, not '%s'\n", prog, opt->name, val);
		return -EINVAL;
	}
	((struct xd_opts *)cfg)->pin_dir = val;
	return 0;
}

/* The string field at opt->off (--cc, --ctl, --pin-dir): NULL is not set,
 * "" is --ctl none. */
int xd_print_str(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		 size_t len)
{
	const char *s = *(const char *const *)((const char *)cfg + opt->off);

	if (i || !s)
		return 0;
	snprintf(buf, len, "%s", *s ? s : "none");
	return 1;
}

/* -v and -q: the last one given wins, so the command line's overrides the
 * file's; the level is applied once the options are all read. */
int xd_opt_verbose(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	(void)prog, (void)opt, (void)val;
	((struct xd_opts *)cfg)->log_level = XMP_LOG_DEBUG;
	return 0;
}

int xd_opt_quiet(const char *prog, const struct xmp_opt *opt, const char *val, void *cfg)
{
	(void)prog, (void)opt, (void)val;
	((struct xd_opts *)cfg)->log_level = XMP_LOG_WARN;
	return 0;
}

/* "true" when the level is the option's (verbose: debug, quiet: warn). */
int xd_print_level(const struct xmp_opt *opt, const void *cfg, unsigned int i, char *buf,
		   size_t len)
{
	int want = !strcmp(opt->name, "verbose") ? XMP_LOG_DEBUG : XMP_LOG_WARN;

	if (i)
		return 0;
	snprintf(buf, len, "%s",
		 (int)((const struct xd_opts *)cfg)->log_level == want ? "true" : "false");
	return 1;
}

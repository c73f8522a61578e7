// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd's command line: the options are one table (xd_opt_tab,
 * common/opts.h), parsing and --help both come from it; check_opts() then
 * checks them together. Modes, any mix of:
 *   built-in client: --connect ADDR:PORT [--send-bytes N] [--send-time S] [--count N]
 *   built-in server: --listen ADDR:PORT [--send-bytes N] [--send-time S] [--count N]
 *   client proxy:    --client LOCAL:PORT=REMOTE:PORT (kernel TCP in)
 *   server proxy:    --server LISTEN:PORT=FORWARD:PORT (kernel TCP out)
 *   acceptance:      --accept PORT[,PORT...] (to the local service on PORT)
 * The configuration file has the same keys (common/conf.h): xd_opts_load()
 * reads the defaults, the file, then argv over it, at start-up and on
 * SIGHUP (reload.c). Exit 2 on a usage error (xmptcpd.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/ctlsock.h"
#include "io/addr.h"
#include "app/xmptcpd.h"
#include "app/opt_values.h"

#define XD_STR_(x) #x
#define XD_STR(x) XD_STR_(x)

#define OFF(f) offsetof(struct xd_opts, f)
/* OPT_U64 and OPT_SECS write unsigned long long into these __u64 fields */
_Static_assert(sizeof(__u64) == sizeof(unsigned long long), "__u64 is not unsigned long long");

/* The options, in --help order; parsing and help both come from here. */
static const struct xmp_opt xd_opt_tab[] = {
	{ .name = "connect", .short_name = 'c', .type = OPT_STRING, .off = OFF(connect),
	  .flags = OPT_F_EMPTY, .metavar = "ADDR:PORT",
	  .section = "MODEs (any mix, at least one):",
	  .help = "built-in client: connect to ADDR:PORT ([v6]:port)" },
	{ .name = "listen", .short_name = 'l', .type = OPT_STRING, .off = OFF(listen),
	  .flags = OPT_F_EMPTY, .metavar = "ADDR:PORT",
	  .help = "built-in server: accept on ADDR:PORT" },
	{ .name = "client", .type = OPT_CUSTOM, .parse = xd_opt_client, .print = xd_print_client,
	  .flags = OPT_F_REPEAT, .cnt_off = OFF(nclient), .example = "127.0.0.1:8080=10.0.0.2:80",
	  .metavar = "LOCAL:PORT=REMOTE:PORT",
	  .help = "client proxy: apps connect to LOCAL:PORT over kernel TCP; each connection "
		  "goes over MPTCP to REMOTE:PORT" },
	{ .name = "server", .type = OPT_CUSTOM, .parse = xd_opt_server, .print = xd_print_server,
	  .flags = OPT_F_REPEAT, .cnt_off = OFF(nserver), .example = "[::]:80=[::1]:8080",
	  .metavar = "LISTEN:PORT=FORWARD:PORT",
	  .help = "server proxy: MPTCP (or TCP) in on LISTEN:PORT, kernel TCP out to the app "
		  "at FORWARD:PORT" },
	{ .name = "accept", .type = OPT_CUSTOM, .parse = xd_opt_accept, .print = xd_print_accept,
	  .flags = OPT_F_REPEAT, .cnt_off = OFF(naccept), .example = "8443,9443",
	  .metavar = "PORT[,PORT...]",
	  .help = "transparent acceptance: MPTCP connections to a local TCP service's PORT (any "
		  "local address of the --iface interfaces) end here and go on over kernel TCP "
		  "to the address the client connected to, PORT; plain TCP clients still reach "
		  "the service directly. Without --proxy-protocol the service's getpeername() "
		  "shows that local address, not the client's" },
	{ .name = "proxy-protocol", .type = OPT_FLAG, .off = OFF(proxy_protocol),
	  .help = "--accept and --server: send the app a PROXY protocol v2 header (the "
		  "client's address and port, and the ones it connected to) before the stream" },

	{ .name = "send-bytes", .short_name = 'n', .type = OPT_U64, .off = OFF(send_bytes),
	  .seen_off = OPT_SEEN(struct xd_opts, send_bytes_set), .flags = OPT_F_SUFFIX,
	  .metavar = "N", .what = "a byte count like 65536 or 4M",
	  .section = "Built-in endpoint (source/sink with SHA-256 of both directions):",
	  .help = "send N bytes of the pattern (K/M/G suffixes; client at once, server after "
		  "the client's DATA_FIN)" },
	{ .name = "send-file", .short_name = 'f', .type = OPT_STRING, .off = OFF(send_file),
	  .flags = OPT_F_EMPTY, .metavar = "PATH",
	  .help = "send the file's bytes instead of the pattern" },
	{ .name = "send-time", .type = OPT_SECS, .off = OFF(send_us), .max = 86400,
	  .metavar = "SECS",
	  .help = "send for SECS (decimals: 2.5) from the first byte, then close; with "
		  "--send-bytes or --send-file, whichever ends first. Alone: the pattern, no "
		  "byte limit. Must end before --timeout" },
	{ .name = "sink", .short_name = 's', .type = OPT_FLAG, .off = OFF(sink),
	  .help = "receive and hash everything (the default; accepted for clarity)" },
	{ .name = "seed", .type = OPT_U64, .off = OFF(seed), .metavar = "N",
	  .help = "pattern seed" },
	{ .name = "count", .type = OPT_U64, .off = OFF(count), .max = 100000000,
	  .seen_off = OPT_SEEN(struct xd_opts, count_set), .metavar = "N",
	  .what = "0..100000000", .def = "1 with --connect/--listen; 0 = until a signal",
	  .help = "connections: the client makes N one after another (see --parallel), the "
		  "server exits after N" },
	{ .name = "parallel", .type = OPT_UINT, .off = OFF(parallel), .min = 1, .max = 65536,
	  .metavar = "P", .help = "client: P connections at a time" },

	{ .name = "iface", .short_name = 'i', .type = OPT_LIST, .off = OFF(ifnames),
	  .cnt_off = OFF(nifs), .max = XD_MAX_PORTS, .flags = OPT_F_EMPTY, .metavar = "IFACE",
	  .section = "General:",
	  .help = "interface whose XDP program steers our segments (required; a connection "
		  "uses the one its route or its SYN came by)" },
	{ .name = "ctl", .type = OPT_CUSTOM, .parse = xd_opt_ctl, .print = xd_print_str,
	  .off = OFF(ctl_path), .example = "/run/xmptcp/test.sock", .metavar = "PATH|none",
	  .def = XMP_CTL_DIR "/ns<netns inode>.sock", .help = "control socket" },
	{ .name = "pin-dir", .type = OPT_CUSTOM, .parse = xd_opt_pin_dir, .print = xd_print_str,
	  .off = OFF(pin_dir), .example = "/sys/fs/bpf/xmptcp/test", .metavar = "DIR",
	  .def = XMP_PIN_ROOT "/ns<netns inode>", .help = "pinned maps" },
	{ .name = "queue", .type = OPT_UINT, .off = OFF(queue), .max = XMP_MAX_QUEUES - 1,
	  .metavar = "N", .help = "rx queue of IFACE to bind the AF_XDP socket to" },
	{ .name = "timeout", .short_name = 't', .type = OPT_UINT, .off = OFF(timeout_s),
	  .max = 86400, .seen_off = OPT_SEEN(struct xd_opts, timeout_set), .metavar = "SECS",
	  .def = "120 with --count, else 0 = never", .help = "give up after SECS" },
	{ .name = "verbose", .short_name = 'v', .type = OPT_CUSTOM, .parse = xd_opt_verbose,
	  .print = xd_print_level, .example = "true",
	  .flags = OPT_F_NOVAL, .help = "debug output" },
	{ .name = "quiet", .short_name = 'q', .type = OPT_CUSTOM, .parse = xd_opt_quiet,
	  .print = xd_print_level, .example = "true",
	  .flags = OPT_F_NOVAL, .help = "errors only" },
	{ .name = "help", .short_name = 'h', .type = OPT_HELP, .help = "this help" },
	{ .name = "config", .type = OPT_STRING, .off = OFF(config), .flags = OPT_F_CMDLINE,
	  .metavar = "FILE", .def = XD_CONF_FILE " when it exists",
	  .help = "configuration file: 'key = value' lines, the keys the long options "
		  "(see --print-config); the command line overrides it. SIGHUP reads it again" },
	{ .name = "no-config", .type = OPT_FLAG, .off = OFF(no_config), .flags = OPT_F_CMDLINE,
	  .help = "read no configuration file, not even " XD_CONF_FILE },
	{ .name = "print-config", .type = OPT_FLAG, .off = OFF(print_config),
	  .flags = OPT_F_CMDLINE,
	  .help = "print every key in effect (file, then command line, then the defaults) in "
		  "the file's format and exit: nothing is attached or opened" },

	{ .name = "max-conns", .type = OPT_UINT, .off = OFF(max_conns), .min = 1,
	  .max = 1000000, .metavar = "N", .section = "Limits:",
	  .help = "live connections at most; more are refused" },
	{ .name = "max-half-open", .type = OPT_UINT, .off = OFF(max_halfopen), .min = 1,
	  .max = 1000000, .metavar = "N",
	  .help = "connections a listener keeps before their handshake completes; a SYN "
		  "beyond drops the oldest (SYN floods hold this much state at most; at "
		  "--max-conns too)" },
	{ .name = "max-mem", .type = OPT_U64, .off = OFF(max_mem), .flags = OPT_F_SUFFIX,
	  .metavar = "N", .what = "a byte count like 512M or 4G (0: no limit)",
	  .help = "buffer memory all connections may reserve (K/M/G; 0 = no limit): "
		  "connections and subflows beyond are refused. A connection reserves "
		  "--sndbuf + --rcvbuf + 256K (proxies) + its rings per subflow" },
	{ .name = "sf-buf", .type = OPT_U64, .off = OFF(sf_buf), .flags = OPT_F_SUFFIX,
	  .min = XC_SF_BUF_MIN, .max = XC_SF_BUF_MAX, .metavar = "N", .def = "1M",
	  .help = "each subflow's TCP send and receive ring at most (K/M, 16K..16M; never "
		  "above --sndbuf/--rcvbuf)" },

	{ .name = "pm", .type = OPT_CUSTOM, .parse = xd_opt_pm, .print = xd_print_pm,
	  .example = "ndiffports=3", .metavar = "MODE",
	  .def = "fullmesh", .section = "Multipath (RFC 8684):",
	  .help = "path manager: fullmesh (a subflow per local x remote address pair; the "
		  "server announces its other addresses), ndiffports=N (N subflows on the "
		  "first address pair), none" },
	{ .name = "max-subflows", .type = OPT_UINT, .off = OFF(max_subflows),
	  .max = XC_SF_MAX - 1, .metavar = "N",
	  .help = "joined subflows per connection, as 'ip mptcp limits subflows' (at most "
		  XD_STR(XC_SF_MAX) " live in all)" },
	{ .name = "max-add-addr", .type = OPT_UINT, .off = OFF(max_add_addr),
	  .max = XC_PM_ADDRS, .metavar = "N",
	  .help = "addresses accepted from a peer's ADD_ADDR" },
	{ .name = "backup", .type = OPT_LIST, .off = OFF(backup), .cnt_off = OFF(nbackup),
	  .max = XD_MAX_PORTS, .flags = OPT_F_EMPTY, .metavar = "IFACE",
	  .help = "subflows over IFACE (an --iface) are backups: data goes there only when "
		  "no other subflow works" },
	{ .name = "sched", .type = OPT_STRING, .off = OFF(sched), .flags = OPT_F_EMPTY,
	  .metavar = "NAME", .def = "minrtt",
	  .help = "scheduler of new connections: minrtt, rr, redundant, blest, or one loaded "
		  "with --sched-load" },
	{ .name = "sched-load", .type = OPT_LIST, .off = OFF(sched_load),
	  .cnt_off = OFF(nsched_load), .max = XD_MAX_SCHED_LOAD, .flags = OPT_F_EMPTY,
	  .metavar = "FILE.so",
	  .help = "load a scheduler policy (see include/xmptcp/sched.h)" },
	{ .name = "cc", .type = OPT_CUSTOM, .parse = xd_opt_cc, .print = xd_print_str,
	  .off = OFF(cc), .example = "olia", .metavar = "NAME", .def = "lia",
	  .help = "subflow congestion control: lia (coupled, RFC 6356), olia (coupled), "
		  "cubic, reno (uncoupled)" },
	{ .name = "no-reinject", .type = OPT_FLAG, .off = OFF(no_reinject),
	  .help = "no opportunistic reinjection/penalisation when a slow subflow blocks the "
		  "connection-level window" },
	{ .name = "rcvbuf", .type = OPT_U64, .off = OFF(rcvbuf), .flags = OPT_F_SUFFIX,
	  .min = XC_MSK_BUF_MIN, .max = XC_MSK_BUF_MAX, .metavar = "N", .def = "1M",
	  .help = "connection-level receive buffer: the window offered to the peer (K/M "
		  "suffixes, 16K..64M)" },
	{ .name = "sndbuf", .type = OPT_U64, .off = OFF(sndbuf), .flags = OPT_F_SUFFIX,
	  .min = XC_MSK_BUF_MIN, .max = XC_MSK_BUF_MAX, .metavar = "N", .def = "2M",
	  .help = "connection-level send buffer: data kept until DATA_ACKed (K/M, 16K..64M)" },
	{ .name = "dss-csum", .type = OPT_FLAG, .off = OFF(csum),
	  .help = "ask for DSS checksums (RFC 8684 3.3.1; used when either side asks)" },

	{ .name = "metrics-listen", .type = OPT_STRING, .off = OFF(metrics_listen),
	  .metavar = "ADDR:PORT", .section = "Metrics (Prometheus text format, xmptcp_*):",
	  .help = "serve GET /metrics over HTTP on ADDR:PORT ([V6ADDR]:PORT); bind it to "
		  "127.0.0.1 unless scrapers elsewhere must reach it" },
	{ .name = "metrics-file", .type = OPT_STRING, .off = OFF(metrics_file), .metavar = "PATH",
	  .help = "write the metrics to PATH (via PATH.tmp and a rename) every "
		  "--metrics-interval, for node_exporter's textfile collector (PATH ending in .prom)" },
	{ .name = "metrics-interval", .type = OPT_SECS, .off = OFF(metrics_us), .max = 86400, .metavar = "SECS",
	  .help = "between two writes of --metrics-file (decimals: 0.5; at least 0.1)" },
	{ .name = NULL },
};

static const struct opt_prog xd_prog = {
	.prog = "xmptcpd",
	.usage = "xmptcpd --iface IFACE MODE... [options]",
	.summary =
		"Userspace MPTCP endpoint on AF_XDP (run 'xmptcp attach IFACE' first, in the\n"
		"same network namespace). Multipath: subflows over every --iface (path\n"
		"manager below); one JSON line per connection on stdout as it completes.\n"
		"Exit: 0 every connection completed cleanly (a daemon: stopped by a signal),\n"
		"1 runtime error, 2 usage error (a bad configuration file too).",
	.footer =
		"Configuration file (--config FILE, else " XD_CONF_FILE " when it exists,\n"
		"none with --no-config): one 'key = value' per line, the keys the long options\n"
		"above without '--' and their values as on the command line; a flag is\n"
		"'key = true|false' or a bare 'key'; a repeatable option is one line per value;\n"
		"'#' starts a comment line. The command line overrides the file, and a\n"
		"repeatable option given there replaces the file's whole list. A bad line is\n"
		"refused as FILE:LINE: why. --print-config prints a file that gives the same\n"
		"configuration back.\n"
		"\n"
		"Signals: SIGTERM/SIGINT close every connection gracefully (DATA_FIN; 3 s for\n"
		"the peers to finish), a second one aborts. SIGUSR1 ends the built-in source\n"
		"of every open connection (DATA_FIN after what is queued), nothing else: a\n"
		"sender that runs until told to stop (--send-time as its bound). SIGHUP reads\n"
		"the configuration file again (with the same command line over it) and\n"
		"applies live: sched (every connection switches at its next decision),\n"
		"max-subflows, max-add-addr and backup (new subflows and connections),\n"
		"verbose/quiet; it logs each change, and each changed key that needs a\n"
		"restart. A bad file changes nothing.",
	.opts = xd_opt_tab,
	.abbrev = true, /* as getopt_long did */
};

/* Every --backup names one of the --iface interfaces. */
static int check_backups(const struct xd_opts *o)
{
	unsigned int i, k;

	for (i = 0; i < o->nbackup; i++) {
		for (k = 0; k < o->nifs && strcmp(o->backup[i], o->ifnames[k]); k++)
			;
		if (k == o->nifs) {
			pr_warn("xmptcpd: --backup %s is not one of the --iface interfaces\n",
				o->backup[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_opts(struct xd_opts *o)
{
	bool builtin = o->connect || o->listen;

	if (!o->nifs) {
		pr_warn("xmptcpd: --iface IFACE is required; try 'xmptcpd --help'\n");
		return -EINVAL;
	}
	if (!builtin && !o->nclient && !o->nserver && !o->naccept) {
		pr_warn("xmptcpd: give at least one of --connect, --listen, --client, --server, "
			"--accept; try 'xmptcpd --help'\n");
		return -EINVAL;
	}
	if (o->proxy_protocol && !o->nserver && !o->naccept) {
		pr_warn("xmptcpd: --proxy-protocol is for --accept and --server\n");
		return -EINVAL;
	}
	if (o->send_file && o->send_bytes) {
		pr_warn("xmptcpd: --send-bytes and --send-file exclude each other\n");
		return -EINVAL;
	}
	if (!o->count_set)
		o->count = builtin ? 1 : 0;
	if (o->connect && !o->count) {
		pr_warn("xmptcpd: --connect wants --count of at least 1\n");
		return -EINVAL;
	}
	if (!o->timeout_set)
		o->timeout_s = o->count ? 120 : 0;
	if (o->send_us && !builtin) {
		pr_warn("xmptcpd: --send-time is for the built-in endpoint (--connect/--listen)\n");
		return -EINVAL;
	}
	if (o->send_us && o->timeout_s && o->send_us >= (__u64)o->timeout_s * 1000000) {
		pr_warn("xmptcpd: --send-time %.6g does not end before --timeout %u; raise "
			"--timeout\n", (double)o->send_us / 1e6, o->timeout_s);
		return -EINVAL;
	}
	if (o->metrics_us < 100000) { /* a file rewritten every turn of the loop */
		pr_warn("xmptcpd: --metrics-interval wants at least 0.1 seconds\n");
		return -EINVAL;
	}
	if (check_backups(o))
		return -EINVAL;
	return xd_check_accept(o);
}

static void set_defaults(struct xd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->parallel = 1;
	o->max_conns = 1024;
	o->max_halfopen = XC_HALFOPEN;
	o->pm = XC_PM_FULLMESH;
	o->max_subflows = 8 > XC_SF_MAX - 1 ? XC_SF_MAX - 1 : 8;
	o->max_add_addr = XC_PM_ADDRS;
	o->cc = "lia";
	o->log_level = XMP_LOG_INFO;
	/* the real sizes, not 0: --print-config writes what a file can say */
	o->sndbuf = XC_MSK_SNDBUF;
	o->rcvbuf = XC_MSK_RCVBUF;
	o->sf_buf = XC_SF_BUF;
	o->metrics_us = 10000000; /* --metrics-interval 10 */
}

/* --connect/--listen were checked as ADDR:PORT before anything starts. */
static int check_endpoints(const struct xd_opts *o)
{
	const char *s[3] = { o->connect, o->listen, o->metrics_listen };
	struct xmp_addr addr;
	unsigned int i;
	__u16 port;

	for (i = 0; i < 3; i++) {
		if (s[i] && xd_parse_endpoint(s[i], &addr, &port)) {
			pr_warn("xmptcpd: '%s' is not ADDR:PORT (IPv6: [ADDR]:PORT)\n", s[i]);
			return -EINVAL;
		}
	}
	if (o->connect && !xd_parse_endpoint(o->connect, &addr, &port) && xmp_addr_is_any(&addr)) {
		pr_warn("xmptcpd: cannot connect to the unspecified address\n");
		return -EINVAL;
	}
	return 0;
}

const struct opt_prog *xd_opts_prog(void)
{
	return &xd_prog;
}

/* The options in effect: the defaults, then the file, then the command
 * line over it, whose lists replace the file's (conf_take_lists() with
 * what argv alone gives). Start-up and SIGHUP both come here. */
int xd_opts_load(const struct xd_conf *cf, struct xd_opts *o, char **text)
{
	struct xd_opts cli;
	int err;

	*text = NULL;
	set_defaults(&cli);
	if (opts_parse(&xd_prog, cf->argc, cf->argv, &cli))
		return -EINVAL; /* --help: xd_conf_init() answered it first */
	set_defaults(o);
	if (cf->path) {
		err = conf_load(&xd_prog, cf->path, cf->optional, text, o);
		if (err && !(err == -ENOENT && cf->optional))
			goto out;
	}
	conf_take_lists(&xd_prog, o, &cli);
	err = opts_parse(&xd_prog, cf->argc, cf->argv, o);
	if (!err)
		err = check_opts(o);
	if (!err)
		err = check_endpoints(o);
out:
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

int xd_conf_init(struct xd_conf *cf, int argc, char **argv)
{
	struct xd_opts cli;
	int r;

	memset(cf, 0, sizeof(*cf));
	cf->argc = argc;
	cf->argv = argv;
	set_defaults(&cli);
	r = opts_parse(&xd_prog, argc, argv, &cli);
	if (r == 1) {
		set_defaults(&cli);
		opts_usage(stdout, &xd_prog, &cli);
		exit(0);
	}
	if (r)
		return r;
	if (cli.config && cli.no_config) {
		pr_warn("xmptcpd: --config and --no-config exclude each other\n");
		return -EINVAL;
	}
	/* the default file is read when it is there, and again on SIGHUP */
	cf->path = cli.config ? cli.config : cli.no_config ? NULL : XD_CONF_FILE;
	cf->optional = !cli.config;
	r = xd_opts_load(cf, &cf->cur, &cf->text);
	if (!r)
		xmp_log_level = cf->cur.log_level;
	return r;
}

void xd_conf_free(struct xd_conf *cf)
{
	free(cf->text);
	free(cf->live_text);
	cf->text = cf->live_text = NULL;
}

void xd_conf_print(FILE *f, const struct xd_conf *cf)
{
	fprintf(f, "# xmptcpd configuration in effect (xmptcpd --print-config)\n");
	if (cf->path)
		fprintf(f, "# from %s%s and the command line\n", cf->path,
			cf->text ? "" : " (absent)");
	conf_print(f, &xd_prog, &cf->cur);
}

/* The connections' configuration: checksums, path manager, congestion
 * control, buffers, limits. */
void xd_opts_xc(struct xc_cfg *cfg, const struct xd_opts *o)
{
	unsigned int i;

	xc_cfg_default(cfg);
	cfg->csum = o->csum;
	cfg->pm = o->pm;
	cfg->ndiff = o->ndiff;
	cfg->max_subflows = o->max_subflows;
	cfg->max_add_addr = o->max_add_addr;
	for (i = 0; i < o->nbackup; i++) /* an --iface: check_backups() */
		cfg->backup_ifindex[cfg->nbackup++] = (int)if_nametoindex(o->backup[i]);
	cfg->cc = o->cc;
	cfg->reinject = !o->no_reinject;
	if (o->sndbuf)
		cfg->msk_sndbuf = (__u32)o->sndbuf;
	if (o->rcvbuf)
		cfg->msk_rcvbuf = (__u32)o->rcvbuf;
	cfg->max_conns = o->max_conns;
	cfg->max_halfopen = o->max_halfopen;
	if (o->sf_buf)
		cfg->sf_buf = (__u32)o->sf_buf;
	cfg->max_mem = o->max_mem;
}

void xd_opts_defaults(struct xd_opts *o)
{
	set_defaults(o);
}

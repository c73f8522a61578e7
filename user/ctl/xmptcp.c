// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcp: loader and inspection CLI of the xmptcp data plane.
 *   xmptcp [-v|-q] COMMAND [options]
 * Each command has a table of options (common/opts.h) parsed into struct ctl_cfg,
 * then runs from attach.c, detach.c, status.c, flows.c or daemon.c. Exit codes: 0 ok,
 * 1 runtime error, 2 usage error; every error is one line on stderr that
 * says what to try next.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "common/log.h"
#include "ctl/ctl.h"
#include "common/opts.h"
#include "ctl/pin.h"
#include "common/ctlsock.h"
#include <xmptcp/maps.h>

#define XMPTCP_VERSION "0.1"

/* One option of a command: a field of struct ctl_cfg. */
#define CTL_OPT(n, s, t, f, m, h, e)                                                        \
	{ .name = (n), .short_name = (s), .type = (t), .off = offsetof(struct ctl_cfg, f), \
	  .metavar = (m), .help = (h), .enums = (e) }

#define OPT_COMMON                                                                              \
	CTL_OPT("help", 'h', OPT_FLAG, help, NULL, "show this help", NULL), \
	CTL_OPT("verbose", 'v', OPT_FLAG, verbose, NULL,                    \
	  "debug output, libbpf's included", NULL),                                           \
	CTL_OPT("quiet", 'q', OPT_FLAG, quiet, NULL, "errors only", NULL)

#define OPT_PIN_DIR                                                                         \
	CTL_OPT("pin-dir", 0, OPT_STRING, pin_dir_opt, "DIR",           \
	  "bpffs directory of this instance (default " XMP_PIN_ROOT "/ns<netns inode>)", NULL)

#define OPT_CTL_PATH                                                                        \
	CTL_OPT("ctl", 0, OPT_STRING, ctl_path, "PATH",                                     \
	  "xmptcpd's control socket (default " XMP_CTL_DIR "/ns<netns inode>.sock)", NULL)

#define OPT_IFACE_LIST                                                                      \
	CTL_OPT("IFACE", 0, OPT_IFACES, ifaces, "IFACE", "interfaces", NULL)

static const struct opt_enum mode_names[] = {
	{ "native", XMP_MODE_NATIVE },
	{ "generic", XMP_MODE_GENERIC },
	{ "auto", XMP_MODE_AUTO },
	{ NULL, 0 },
};

static const struct opt_enum xdp_api_names[] = {
	{ "auto", XMP_XDP_API_AUTO },
	{ "link", XMP_XDP_API_LINK },
	{ "netlink", XMP_XDP_API_NETLINK },
	{ NULL, 0 },
};

static const struct xmp_opt attach_opts[] = {
	OPT_COMMON,
	CTL_OPT("mode", 'm', OPT_ENUM, mode, "MODE",
	  "XDP mode; default auto: native, falling back to generic when the driver lacks it",
	  mode_names),
	CTL_OPT("xdp-attach", 0, OPT_ENUM, xdp_api, "API",
	  "how XDP is attached; default auto: a BPF link, netlink where the kernel refuses links",
	  xdp_api_names),
	CTL_OPT("no-meta", 0, OPT_FLAG, no_meta, NULL,
	  "no XDP metadata: userspace parses each frame (also " XMP_ENV_NO_META "=1); the "
	  "default when this kernel refuses bpf_xdp_adjust_meta",
	  NULL),
	CTL_OPT("no-observe", 0, OPT_FLAG, no_observe, NULL,
	  "do not record MPTCP flows in xmp_observe", NULL),
	CTL_OPT("no-guard", 0, OPT_FLAG, no_guard, NULL,
	  "let kernel RST/ICMP for owned tuples through", NULL),
	OPT_PIN_DIR,
	OPT_IFACE_LIST,
	{ .name = NULL },
};

static const struct xmp_opt detach_opts[] = {
	OPT_COMMON,
	CTL_OPT("all", 'a', OPT_FLAG, all, NULL,
	  "detach every interface and remove all pins", NULL),
	OPT_PIN_DIR,
	OPT_IFACE_LIST,
	{ .name = NULL },
};

static const struct xmp_opt show_opts[] = {
	OPT_COMMON,
	CTL_OPT("json", 'j', OPT_FLAG, json, NULL, "JSON output", NULL),
	OPT_PIN_DIR,
	{ .name = NULL },
};

static const struct xmp_opt daemon_opts[] = {
	OPT_COMMON,
	CTL_OPT("json", 'j', OPT_FLAG, json, NULL, "JSON output", NULL),
	OPT_CTL_PATH,
	{ .name = NULL },
};

static const struct xmp_opt metrics_opts[] = {
	OPT_COMMON,
	OPT_CTL_PATH,
	{ .name = NULL },
};

static const struct xmp_opt sched_opts[] = {
	OPT_COMMON,
	CTL_OPT("json", 'j', OPT_FLAG, json, NULL, "JSON output (list)", NULL),
	CTL_OPT("conn", 0, OPT_STRING, conn, "ID|TOKEN",
	  "set: only this connection (its id or local token from 'xmptcp conns')", NULL),
	OPT_CTL_PATH,
	CTL_OPT("WORDS", 0, OPT_WORDS, ifaces, "WORDS", "verb and argument",
	  NULL),
	{ .name = NULL },
};

const struct ctl_cmd ctl_cmds[] = {
	{ "attach", cmd_attach, attach_opts, "IFACE...",
	  "Load the XDP and TC egress programs and attach them to each IFACE; maps and programs\n"
	  "are pinned in the pin dir and shared by every interface attached there." },
	{ "detach", cmd_detach, detach_opts, "IFACE...|--all",
	  "Detach xmptcp from each IFACE; with --all, or when the last interface goes, remove\n"
	  "every pinned map and program and the pin dir." },
	{ "status", cmd_status, show_opts, NULL,
	  "Show the pin dir, programs, attached interfaces (XDP mode, TC), counters and maps." },
	{ "flows", cmd_flows, show_opts, NULL,
	  "Show the MPTCP connections seen in observe mode (the kernel's included), their\n"
	  "tokens, subflows and data-level bytes, like 'ss -M'." },
	{ "conns", cmd_conns, daemon_opts, NULL,
	  "Show the connections of the running xmptcpd (asked over its control socket):\n"
	  "role, proxy or built-in, tuple, state, token, bytes each way, srtt." },
	{ "stats", cmd_stats, daemon_opts, NULL,
	  "Show the counters of the running xmptcpd: connections opened/ok/failed/plain\n"
	  "TCP, frames, proxies, bytes, MP_JOIN and ADD_ADDR counters." },
	{ "subflows", cmd_subflows, daemon_opts, NULL,
	  "Show every subflow of the running xmptcpd's connections: tuple, interface,\n"
	  "state, initial or joined, backup, srtt, cwnd, bytes sent/received/reinjected,\n"
	  "scheduler (like 'ss -M')." },
	{ "metrics", cmd_metrics, metrics_opts, NULL,
	  "Print the running xmptcpd's metrics in the Prometheus text format, as its\n"
	  "--metrics-listen serves them: the counters of 'stats' and the live connections'\n"
	  "and subflows' series." },
	{ "sched", cmd_sched, sched_opts, "list [-j] | set NAME [--conn ID] | load FILE.so",
	  "Schedulers of the running xmptcpd. list: the policies (built-in and loaded)\n"
	  "and how many connections use each; set: swap live, every connection and the\n"
	  "default (or one with --conn), from its next decision; load: add a policy from\n"
	  "a shared object (see include/xmptcp/sched.h)." },
};

#define N_CMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))
const unsigned int ctl_ncmds = N_CMDS;

/* The options before COMMAND: global_opts() parses them by hand (they end
 * at the first word that is not one); --help and the man page list them
 * from this table. */
static const struct xmp_opt global_tab[] = {
	{ .name = "help", .short_name = 'h', .type = OPT_HELP, .section = "Global options:",
	  .help = "this help; 'xmptcp COMMAND --help' for a command's options" },
	{ .name = "verbose", .short_name = 'v', .type = OPT_FLAG,
	  .help = "debug output, libbpf's included" },
	{ .name = "quiet", .short_name = 'q', .type = OPT_FLAG, .help = "errors only" },
	{ .name = "version", .short_name = 'V', .type = OPT_FLAG, .help = "print the version" },
	{ .name = NULL },
};

const struct opt_prog ctl_global_prog = {
	.prog = "xmptcp",
	.usage = "xmptcp [-v|-q] COMMAND [options]",
	.opts = global_tab,
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "Usage: %s\n\nCommands:\n", ctl_global_prog.usage);
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "  %-9s %s\n", ctl_cmds[i].name,
			ctl_cmds[i].args ? ctl_cmds[i].args : "[-j]");
	fputc('\n', f);
	opts_usage_options(f, &ctl_global_prog, NULL);
}

static const struct ctl_cmd *find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < N_CMDS; i++)
		if (!strcmp(ctl_cmds[i].name, name))
			return &ctl_cmds[i];
	return NULL;
}

/* Global options before COMMAND; returns the index of COMMAND, or -1 when
 * main should exit with *rc. */
static int global_opts(int argc, char **argv, int *rc)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			xmp_log_level = XMP_LOG_DEBUG;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			xmp_log_level = XMP_LOG_WARN;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			*rc = 0;
			return -1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("xmptcp %s (libbpf %s)\n", XMPTCP_VERSION, libbpf_version_string());
			*rc = 0;
			return -1;
		} else {
			pr_warn("xmptcp: unknown option '%s'; try 'xmptcp --help'\n", a);
			*rc = 2;
			return -1;
		}
	}
	if (i >= argc) {
		pr_warn("xmptcp: missing COMMAND (attach, detach, status, flows, conns, stats, subflows, metrics, sched); "
			"try 'xmptcp --help'\n");
		*rc = 2;
		return -1;
	}
	return i;
}

int main(int argc, char **argv)
{
	struct ctl_cfg cfg = {};
	const struct ctl_cmd *cmd;
	struct opt_prog op;
	char prog[64];
	int i, rc = 0, err;

	xmp_log_setup_libbpf();
	if (argc == 2 && ctl_doc(argv[1], &rc))
		return rc; /* the build's hidden --man, --bash-completion */
	i = global_opts(argc, argv, &rc);
	if (i < 0)
		return rc;
	cmd = find_cmd(argv[i]);
	if (!cmd) {
		pr_warn("xmptcp: unknown command '%s'; try 'xmptcp --help'\n", argv[i]);
		return 2;
	}
	cfg.cmd = cmd->name;
	snprintf(prog, sizeof(prog), "xmptcp %s", cmd->name);
	op = (struct opt_prog){ .prog = prog, .args = cmd->args, .summary = cmd->summary,
				.opts = cmd->opts };
	/* --help is a flag here: a bad option next to it is still refused */
	err = opts_parse(&op, argc - i, argv + i, &cfg);
	if (!err && cfg.help)
		opts_usage(stdout, &op, NULL);
	if (err || cfg.help) {
		free(cfg.ifaces.names);
		return err ? 2 : 0;
	}
	if (cfg.verbose)
		xmp_log_level = XMP_LOG_DEBUG;
	else if (cfg.quiet)
		xmp_log_level = XMP_LOG_WARN;
	err = pin_dir_resolve(cfg.pin_dir_opt, cfg.pin_dir, sizeof(cfg.pin_dir));
	if (!err)
		err = cmd->run(&cfg);
	free(cfg.ifaces.names);
	if (err == CTL_USAGE)
		return 2;
	return err ? 1 : 0;
}

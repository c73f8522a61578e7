/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared state of the xmptcp CLI: the parsed options of one command and the
 * command entry points (attach.c, detach.c, status.c, flows.c, daemon.c). main() in
 * xmptcp.c dispatches; every command returns 0 or -errno and prints its
 * own single-line error before returning an error.
 */
#ifndef XMP_CTL_H
#define XMP_CTL_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>

#include "common/opts.h"

#define XMP_PROG_XDP	"xdp_steer"
#define XMP_PROG_TC	"tc_egress"
/* The TC filter's identity on clsact egress: fixed so that detach and
 * status find exactly our filter among others. */
#define XMP_TC_HANDLE	0x786d		/* "xm" */
#define XMP_TC_PRIO	0x4d		/* 77 */

/* XMP_MODE_UNSET and XMP_MODE_AUTO behave the same: native, else generic. */
enum xmp_xdp_mode { XMP_MODE_UNSET = 0, XMP_MODE_NATIVE, XMP_MODE_GENERIC, XMP_MODE_AUTO };
/* How XDP is attached: a BPF link (pinned), or the older netlink request. */
enum xmp_xdp_api { XMP_XDP_API_AUTO = 0, XMP_XDP_API_LINK, XMP_XDP_API_NETLINK };

/* The environment variable that forces attach without XDP metadata, as
 * --no-meta does (for test suites and scripts that attach indirectly). */
#define XMP_ENV_NO_META	"XMPTCP_NO_META"
/* Marker directory ifaces/NAME/XMP_NETLINK_MARKER: XDP went in through
 * netlink (no link pin), so detach must remove it by netlink too. */
#define XMP_NETLINK_MARKER "xdp_netlink"


struct ctl_cfg {
	const char *cmd;
	bool help;
	bool verbose;
	bool quiet;
	bool json;
	bool all;
	bool no_observe;
	bool no_guard;
	bool no_meta;		/* attach: xdp_steer without metadata */
	int mode;		/* enum xmp_xdp_mode */
	int xdp_api;		/* enum xmp_xdp_api */
	const char *pin_dir_opt;
	const char *ctl_path;	/* conns, stats: the daemon's control socket */
	const char *conn;	/* sched set: one connection (id or token) */
	struct opt_words ifaces; /* positional words (interfaces; sched: verb, arg) */
	char pin_dir[PATH_MAX];	/* resolved */
};

/* What a command returns for a usage error its option table cannot catch
 * (a bad verb or argument): main exits 2, as for a bad option. */
#define CTL_USAGE 2

/* A command of the CLI: its options, usage and summary (--help, man page). */
struct ctl_cmd {
	const char *name;
	int (*run)(struct ctl_cfg *cfg);
	const struct xmp_opt *opts;
	const char *args;	/* positional arguments; NULL: "[-j]" */
	const char *summary;
};

/* xmptcp.c: every command, and the options before COMMAND. */
extern const struct ctl_cmd ctl_cmds[];
extern const unsigned int ctl_ncmds;
extern const struct opt_prog ctl_global_prog;

/* doc.c: "--man" or "--bash-completion" writes the man page or the bash
 * completion of xmptcp to stdout and sets *rc; false for anything else. */
bool ctl_doc(const char *arg, int *rc);

int cmd_attach(struct ctl_cfg *cfg);
int cmd_detach(struct ctl_cfg *cfg);
int cmd_status(struct ctl_cfg *cfg);
int cmd_flows(struct ctl_cfg *cfg);
int cmd_conns(struct ctl_cfg *cfg);
int cmd_stats(struct ctl_cfg *cfg);
int cmd_metrics(struct ctl_cfg *cfg);
int cmd_subflows(struct ctl_cfg *cfg);
int cmd_sched(struct ctl_cfg *cfg);

/* Detaches one interface's XDP link, TC filter (and the clsact qdisc if we
 * created it) and removes its pins; tolerant of half-attached states. */
int ctl_detach_iface(const char *dir, const char *ifname);
/* True if any interface is still attached under dir. */
bool ctl_any_attached(const char *dir);
/* Names of the interfaces attached under dir, up to max; returns the count. */
int ctl_list_ifaces(const char *dir, char (*names)[IFNAMSIZ], int max);

#endif

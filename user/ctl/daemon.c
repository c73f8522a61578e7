// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcp conns | stats | subflows | metrics | sched: ask the running xmptcpd over its control socket
 * (common/ctlsock.h) and print its answer, JSON with -j, else its table.
 * The daemon renders both forms itself, so the CLI stays a thin pipe and
 * the two can never disagree on a field.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctlsock.h"
#include "common/log.h"
#include "ctl/ctl.h"

/* Sends the request line @req and prints the answer. */
static int ask_raw(struct ctl_cfg *cfg, const char *req)
{
	char path[256];
	int err;

	if (cfg->ctl_path) {
		if (snprintf(path, sizeof(path), "%s", cfg->ctl_path) >= (int)sizeof(path)) {
			pr_warn("xmptcp: --ctl path too long\n");
			return -ENAMETOOLONG;
		}
	} else {
		err = xmp_ctl_path_default(path, sizeof(path));
		if (err) {
			pr_warn("xmptcp: cannot name the control socket: %s\n", strerror(-err));
			return err;
		}
	}
	err = xmp_ctl_request(path, req, stdout);
	fflush(stdout);
	if (err == -ENOENT || err == -ECONNREFUSED)
		pr_warn("xmptcp: no xmptcpd answers on %s (is it running in this network "
			"namespace? --ctl PATH)\n", path);
	else if (err == -EPROTO)
		pr_warn("xmptcp: xmptcpd refused the request\n");
	else if (err)
		pr_warn("xmptcp: %s: %s\n", path, strerror(-err));
	return err;
}

static int ask(struct ctl_cfg *cfg, const char *what)
{
	char req[64];

	snprintf(req, sizeof(req), "%s %s", what, cfg->json ? "json" : "text");
	return ask_raw(cfg, req);
}

int cmd_conns(struct ctl_cfg *cfg)
{
	return ask(cfg, "conns");
}

int cmd_stats(struct ctl_cfg *cfg)
{
	return ask(cfg, "stats");
}

int cmd_subflows(struct ctl_cfg *cfg)
{
	return ask(cfg, "subflows");
}

/* The Prometheus text exposition, as GET /metrics answers it (no JSON
 * form: the format is the point). */
int cmd_metrics(struct ctl_cfg *cfg)
{
	return ask_raw(cfg, "metrics text");
}

static int sched_usage(const char *why)
{
	pr_warn("xmptcp sched: %s; want 'list [-j]', 'set NAME [--conn ID]' or 'load FILE.so' "
		"(try 'xmptcp sched --help')\n", why);
	return CTL_USAGE;
}

/* The daemon dlopen()s the policy: give it an absolute path it can open. */
static int sched_load(struct ctl_cfg *cfg, const char *file)
{
	char req[XMP_CTL_REQ_MAX + 1], *abs = realpath(file, NULL);

	if (!abs) {
		pr_warn("xmptcp sched load: %s: %s\n", file, strerror(errno));
		return -errno;
	}
	if (snprintf(req, sizeof(req), "sched load %s", abs) >= (int)sizeof(req)) {
		free(abs);
		return sched_usage("path too long");
	}
	free(abs);
	return ask_raw(cfg, req);
}

int cmd_sched(struct ctl_cfg *cfg)
{
	char req[128];
	char **w = cfg->ifaces.names;
	int n = cfg->ifaces.n;

	if (!n)
		return sched_usage("missing a verb");
	if (!strcmp(w[0], "list") && n == 1) {
		snprintf(req, sizeof(req), "sched list %s", cfg->json ? "json" : "text");
		return ask_raw(cfg, req);
	}
	if (!strcmp(w[0], "set") && n == 2) {
		if (strlen(w[1]) > 15 || strchr(w[1], ' '))
			return sched_usage("a scheduler name has at most 15 characters");
		if (cfg->conn && (strlen(cfg->conn) > 20 || strchr(cfg->conn, ' ')))
			return sched_usage("--conn wants an id or an 8-digit token");
		snprintf(req, sizeof(req), "sched set %s %s", w[1], cfg->conn ? cfg->conn : "all");
		return ask_raw(cfg, req);
	}
	if (!strcmp(w[0], "load") && n == 2)
		return sched_load(cfg, w[1]);
	return sched_usage("bad arguments");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcp conns | stats: ask the running xmptcpd over its control socket
 * (common/ctlsock.h) and print its answer, JSON with -j, else its table.
 * The daemon renders both forms itself, so the CLI stays a thin pipe and
 * the two can never disagree on a field.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/ctlsock.h"
#include "common/log.h"
#include "ctl/ctl.h"

static int ask(struct ctl_cfg *cfg, const char *what)
{
	char path[256], req[64];
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
	snprintf(req, sizeof(req), "%s %s", what, cfg->json ? "json" : "text");
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

int cmd_conns(struct ctl_cfg *cfg)
{
	return ask(cfg, "conns");
}

int cmd_stats(struct ctl_cfg *cfg)
{
	return ask(cfg, "stats");
}

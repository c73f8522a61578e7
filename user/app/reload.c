// SPDX-License-Identifier: GPL-2.0
/*
 * SIGHUP: xmptcpd reads its configuration file again, with the same
 * command line over it, and compares every key with what runs, by the
 * values --print-config would write (common/conf.h), so a new option is
 * compared without code here. A changed key that can change live is
 * applied and said in one line; any other changed key is said to need a
 * restart and keeps its running value. The whole file is checked, and the
 * live values with it (a scheduler must exist), before anything changes:
 * a bad file leaves the daemon exactly as it was.
 *
 * Call chain: signal handler -> xd_loop_reload (a flag) -> xd_loop_run ->
 * xd_reload -> xd_opts_load (options.c) -> check_live -> each key: its
 * live_keys[] apply, or a "needs a restart" line -> take_live.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/opts.h"
#include "app/xmptcpd.h"

#define XD_SCHED_DEFAULT "minrtt" /* no --sched: sched.c's default */

struct live_key {
	const char *name;
	/* Makes nw's value run; how: what changed where, for the log line. */
	void (*apply)(struct xd_loop *l, const struct xd_opts *nw, char *how, size_t len);
};

static const char *sched_name(const struct xd_opts *o)
{
	return o->sched ? o->sched : XD_SCHED_DEFAULT;
}

/* The same swap as `xmptcp sched set NAME` (ctl_sched.c). */
static void apply_sched(struct xd_loop *l, const struct xd_opts *nw, char *how, size_t len)
{
	unsigned int n = xd_sched_set_all(l, xmp_sched_find(sched_name(nw)));

	snprintf(how, len, "default for new connections; %u live connection(s) switch at their "
		 "next decision", n);
}

static void apply_pm(struct xd_loop *l, const struct xd_opts *nw, char *how, size_t len)
{
	struct xc_cfg cfg;

	xd_opts_xc(&cfg, nw);
	xc_stack_set_pm(l->xc, &cfg);
	snprintf(how, len, "new subflows and connections");
}

static void apply_log(struct xd_loop *l, const struct xd_opts *nw, char *how, size_t len)
{
	(void)l;
	xmp_log_level = nw->log_level;
	snprintf(how, len, "log level");
}

/* The keys that change live; take_live() copies their fields. */
static const struct live_key live_keys[] = {
	{ "sched", apply_sched },
	{ "max-subflows", apply_pm },
	{ "max-add-addr", apply_pm },
	{ "backup", apply_pm },
	{ "verbose", apply_log },
	{ "quiet", apply_log },
};

static const struct live_key *live_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(live_keys) / sizeof(live_keys[0]); i++)
		if (!strcmp(live_keys[i].name, name))
			return &live_keys[i];
	return NULL;
}

/* Every field of a live key from nw, changed or not: after this, no string
 * of cur points into the previous reload's text, which is freed. */
static void take_live(struct xd_opts *cur, const struct xd_opts *nw)
{
	cur->sched = nw->sched;
	cur->max_subflows = nw->max_subflows;
	cur->max_add_addr = nw->max_add_addr;
	memcpy(cur->backup, nw->backup, sizeof(cur->backup));
	cur->nbackup = nw->nbackup;
	cur->log_level = nw->log_level;
}

/* What the live keys need beyond the option parsers' checks. */
static int check_live(const struct xd_conf *cf, const struct xd_opts *nw)
{
	if (!xmp_sched_find(sched_name(nw))) {
		pr_warn("xmptcpd: %s: sched: no scheduler '%s' (built-in: minrtt, rr, redundant, "
			"blest; a new sched-load needs a restart)\n", cf->path, sched_name(nw));
		return -ENOENT;
	}
	return 0;
}

/* One line per changed key; returns how many were applied, *restart the
 * others. */
static unsigned int apply_changes(struct xd_loop *l, const struct xd_conf *cf,
				  const struct xd_opts *nw, unsigned int *restart)
{
	const struct xmp_opt *o;
	const struct live_key *k;
	char old[1024], now[1024], how[160];
	unsigned int applied = 0;

	*restart = 0;
	for (o = xd_opts_prog()->opts; o->name; o++) {
		if (!conf_is_key(o))
			continue;
		conf_values(o, &cf->cur, old, sizeof(old));
		conf_values(o, nw, now, sizeof(now));
		if (!strcmp(old, now))
			continue;
		k = live_key(o->name);
		if (k) {
			k->apply(l, nw, how, sizeof(how));
			pr_info("xmptcpd: %s: %s -> %s: applied (%s)\n", o->name, old, now, how);
			applied++;
		} else {
			pr_warn("xmptcpd: %s: %s -> %s: needs a restart (%s stays until then)\n",
				o->name, old, now, old);
			(*restart)++;
		}
	}
	return applied;
}

void xd_reload(struct xd_loop *l, struct xd_conf *cf)
{
	unsigned int applied, restart;
	struct xd_opts nw;
	char *text;

	if (!cf->path) {
		pr_warn("xmptcpd: SIGHUP: no configuration file (--no-config): nothing to "
			"read\n");
		return;
	}
	pr_info("xmptcpd: SIGHUP: reading %s\n", cf->path);
	if (xd_opts_load(cf, &nw, &text) || check_live(cf, &nw)) {
		free(text);
		pr_warn("xmptcpd: SIGHUP: %s refused; the running configuration stays as it "
			"was\n", cf->path);
		return;
	}
	applied = apply_changes(l, cf, &nw, &restart);
	take_live(&cf->cur, &nw);
	free(cf->live_text);
	cf->live_text = text;
	pr_info("xmptcpd: SIGHUP: %s: %u change(s) applied, %u need a restart\n", cf->path,
		applied, restart);
}

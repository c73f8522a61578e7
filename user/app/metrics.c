// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd's metrics in the Prometheus text format (0.0.4): every number of
 * `xmptcp stats -j` (stats.c's walk, one family each, named
 * xmptcp_<group>_<key>, counters with _total) and the live connections'
 * and subflows' series (the connection layer's xc_stack_metrics()). Served
 * on --metrics-listen (metrics_http.c), written to --metrics-file every
 * --metrics-interval for node_exporter's textfile collector, and answered
 * to `xmptcp metrics` on the control socket (ctl.c).
 *
 * The textfile is written whole to PATH.tmp and renamed over PATH, so a
 * collector reads the old file or the new one, never half of one. No
 * fsync: the rename is atomic for readers, and after a crash a stale or
 * missing file is what the collector should see anyway. The write runs in
 * the loop: a few kilobytes into the page cache.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/prom.h"
#include "app/xmptcpd.h"

struct xd_metrics {
	struct xd_http *http;
	char *file, *tmp;  /* NULL: no textfile */
	__u64 interval_us; /* between two writes */
	__u64 next_write;  /* CLOCK_MONOTONIC us */
	bool warned;	   /* the last write failed and said so */
};

/* One number of the walk as one family of one sample. */
static void prom_stat(const struct xd_stat *s, void *arg)
{
	enum xmp_prom_type t = s->kind == XD_STAT_COUNTER ? XMP_PROM_COUNTER : XMP_PROM_GAUGE;
	const char *parts[] = {"xmptcp", s->group ? s->group : "", s->name, NULL};
	char name[XMP_PROM_NAME_MAX];
	FILE *f = arg;

	xmp_prom_name(name, sizeof(name), t, parts);
	xmp_prom_family(f, name, t, s->help);
	xmp_prom_sample(f, name, NULL, 0, s->v, 1);
}

void xd_metrics_write(const struct xd_loop *l, FILE *f)
{
	xd_stats_walk(l, prom_stat, f);
	xc_stack_metrics(l->xc, f);
}

/* PATH.tmp written whole, then renamed over PATH. 0 or -errno. */
static int write_file(const struct xd_loop *l, const struct xd_metrics *mx)
{
	FILE *f = fopen(mx->tmp, "w");
	int err = 0;

	if (!f)
		return -errno;
	xd_metrics_write(l, f);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(mx->tmp, mx->file))
		err = -errno;
	if (err)
		unlink(mx->tmp);
	return err;
}

/* Says once that writes fail, and once that they work again. */
static void file_tick(struct xd_loop *l, struct xd_metrics *mx)
{
	int err;

	if (!mx->file || l->now < mx->next_write)
		return;
	mx->next_write = l->now + mx->interval_us;
	err = write_file(l, mx);
	if (err && !mx->warned)
		pr_warn("xmptcpd: --metrics-file %s: %s (trying again every %.6g s)\n", mx->file,
			strerror(-err), (double)mx->interval_us / 1e6);
	else if (!err && mx->warned)
		pr_info("xmptcpd: --metrics-file %s written again\n", mx->file);
	mx->warned = err != 0;
}

static int file_open(struct xd_metrics *mx, const struct xd_metrics_cfg *cfg, __u64 now)
{
	size_t n = strlen(cfg->file) + sizeof(".tmp");

	mx->file = strdup(cfg->file);
	mx->tmp = malloc(n);
	if (!mx->file || !mx->tmp)
		return -ENOMEM;
	snprintf(mx->tmp, n, "%s.tmp", cfg->file);
	mx->interval_us = cfg->interval_us;
	mx->next_write = now; /* the first at once: the collector need not wait */
	return 0;
}

int xd_metrics_open(struct xd_loop *l, const struct xd_metrics_cfg *cfg)
{
	struct xd_metrics *mx;
	int err = 0;

	if (!cfg->listen && !cfg->file)
		return 0;
	mx = calloc(1, sizeof(*mx));
	if (!mx)
		return -ENOMEM;
	l->mx = mx;
	if (cfg->file)
		err = file_open(mx, cfg, l->now);
	if (!err && cfg->listen)
		err = xd_http_open(l, cfg->listen, &mx->http);
	if (err) {
		if (err == -ENOMEM)
			pr_warn("xmptcpd: metrics: out of memory\n");
		xd_metrics_close(l);
		return err;
	}
	if (cfg->file)
		pr_info("xmptcpd: metrics written to %s every %.6g s\n", cfg->file,
			(double)cfg->interval_us / 1e6);
	return 0;
}

void xd_metrics_close(struct xd_loop *l)
{
	struct xd_metrics *mx = l->mx;

	if (!mx)
		return;
	if (mx->http)
		xd_http_close(l, mx->http);
	free(mx->file);
	free(mx->tmp);
	free(mx);
	l->mx = NULL;
}

void xd_metrics_tick(struct xd_loop *l)
{
	if (!l->mx)
		return;
	file_tick(l, l->mx);
	if (l->mx->http)
		xd_http_expire(l, l->mx->http);
}

__u64 xd_metrics_next(const struct xd_loop *l)
{
	const struct xd_metrics *mx = l->mx;
	__u64 t = XMP_TCP_NO_TIMER, h;

	if (!mx)
		return t;
	if (mx->file)
		t = mx->next_write;
	if (mx->http) {
		h = xd_http_next(mx->http);
		if (h < t)
			t = h;
	}
	return t;
}

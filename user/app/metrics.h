/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xmptcpd's counters and metrics, part of the private header of user/app/
 * (xmptcpd.h includes it): the walk over every number of `xmptcp stats -j`
 * (stats.c), the Prometheus exposition and --metrics-file (metrics.c), and
 * the HTTP server of --metrics-listen (metrics_http.c).
 *
 * Call chain: ctl.c "stats json" -> xd_stats_json -> xd_stats_walk;
 * GET /metrics (metrics_http.c), the textfile and "metrics text" ->
 * xd_metrics_write -> xd_stats_walk + xc_stack_metrics (user/conn) ->
 * common/prom.h.
 */
#ifndef XMP_APP_METRICS_H
#define XMP_APP_METRICS_H

#include <stdio.h>
#include <linux/types.h>

struct xd_loop;
struct xd_metrics;

/* --metrics-listen, --metrics-file, --metrics-interval */
struct xd_metrics_cfg {
	const char *listen; /* ADDR:PORT; NULL: no HTTP server */
	const char *file;   /* NULL: no textfile */
	__u64 interval_us;
};

/* ---- stats.c: the daemon's counters, `xmptcp stats -j` ---- */

enum xd_stat_kind {
	XD_STAT_COUNTER, /* only goes up */
	XD_STAT_GAUGE,	 /* a value now */
};

/* One number of `stats -j`: group.name (group NULL: a top-level key). */
struct xd_stat {
	const char *group;
	const char *name;
	enum xd_stat_kind kind;
	const char *help;
	__u64 v;
};

typedef void xd_stat_fn(const struct xd_stat *s, void *arg);
/* Every number of `stats -j`, in its order, read at one moment. */
void xd_stats_walk(const struct xd_loop *l, xd_stat_fn *fn, void *arg);
/* `stats -j`: the interfaces, the pid and the walk as one JSON object. */
void xd_stats_json(const struct xd_loop *l, FILE *f);

/* ---- metrics.c: Prometheus exposition, --metrics-file ---- */

/* The whole exposition (text format 0.0.4): the walk's counters and
 * gauges, then every live connection's and subflow's series. */
void xd_metrics_write(const struct xd_loop *l, FILE *f);
/* Starts what cfg asks for (nothing: l->mx stays NULL). 0 or -errno
 * after saying why. */
int xd_metrics_open(struct xd_loop *l, const struct xd_metrics_cfg *cfg);
void xd_metrics_close(struct xd_loop *l);
/* Each turn: the textfile when due, idle scrapers closed. */
void xd_metrics_tick(struct xd_loop *l);
/* When xd_metrics_tick() has something to do (XMP_TCP_NO_TIMER: never). */
__u64 xd_metrics_next(const struct xd_loop *l);

/* ---- metrics_http.c: GET /metrics on --metrics-listen ---- */

struct xd_http;
struct xd_http_client;
/* Listens on ADDR:PORT (epoll: XD_SRC_HTTP). 0 or -errno after saying why. */
int xd_http_open(struct xd_loop *l, const char *addr_port, struct xd_http **out);
void xd_http_close(struct xd_loop *l, struct xd_http *h);
void xd_http_accept(struct xd_loop *l, struct xd_http *h);
void xd_http_event(struct xd_loop *l, struct xd_http_client *c, unsigned int events);
/* Closes the scrapers past their deadline (l->now). */
void xd_http_expire(struct xd_loop *l, struct xd_http *h);
/* The earliest scraper's deadline (XMP_TCP_NO_TIMER: none connected). */
__u64 xd_http_next(const struct xd_http *h);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's counters: one walk over every number of `xmptcp stats -j`
 * (xd_stats_walk()), which both that JSON (xd_stats_json(), for ctl.c) and
 * the Prometheus exposition (metrics.c) are written from, so the two carry
 * the same names and values and cannot drift apart. The table below names
 * the loop's own figures; the join and address-signalling counters come
 * from the counter table (include/xmptcp/mib.h) through common/mib.h.
 */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "common/mib.h"
#include "app/xmptcpd.h"

/* Every figure of the table, read at one moment. */
struct snap {
	struct xd_loop_stats st;
	__u64 active, time_wait, listeners, client_proxies;
	__u64 max_conns, max_half_open, half_open;
	__u64 mem_max, mem_reserved, mem_peak, mem_conn_max, mem_refused;
};

struct row {
	const char *group; /* the object of stats -j; NULL: top level */
	const char *name;  /* its key */
	enum xd_stat_kind kind;
	size_t off; /* of its __u64 in struct snap */
	const char *help;
};

#define C     XD_STAT_COUNTER
#define G     XD_STAT_GAUGE
#define ST(f) offsetof(struct snap, st.f)
#define SN(f) offsetof(struct snap, f)

/* In the order of `stats -j` (its keys are read by tests and users). */
static const struct row rows[] = {
    {"conns", "active", G, SN(active), "Connections open now (TIME-WAIT not included)"},
    {"conns", "time_wait", G, SN(time_wait), "Connections only lingering in TIME-WAIT"},
    {"conns", "opened", C, ST(conns_opened), "Connections opened"},
    {"conns", "ok", C, ST(conns_ok), "Connections that completed cleanly"},
    {"conns", "failed", C, ST(conns_failed), "Connections that failed"},
    {"conns", "plain_tcp", C, ST(conns_plain), "Connections that were plain TCP (no MPTCP)"},
    {NULL, "listeners", G, SN(listeners), "MPTCP listeners (--listen, --server)"},
    {NULL, "client_proxies", G, SN(client_proxies), "Client proxies (--client)"},
    {"frames", "rx", C, ST(rx_frames), "Frames taken from the AF_XDP sockets"},
    {"frames", "rx_bad", C, ST(rx_bad), "Frames not parseable or with a bad checksum"},
    {"frames", "rx_nomatch", C, ST(rx_nomatch), "Frames no connection or listener wanted"},
    {"frames", "rx_syn_limit", C, ST(rx_syn_limit), "SYNs refused at --max-conns"},
    {"frames", "rx_opts_located", C, ST(rx_opts_located),
     "Frames whose options XDP's metadata located"},
    {"frames", "rx_opts_walked", C, ST(rx_opts_walked),
     "Frames whose options were walked here (no or partial metadata)"},
    {"frames", "rx_meta_bad", C, ST(rx_meta_bad), "Metadata contradicting its frame"},
    {"frames", "tx", C, ST(tx_frames), "Frames sent"},
    {"frames", "tx_drop", C, ST(tx_drop), "Frames not sent: no TX frame or ring full"},
    {"proxy", "accepted", C, ST(proxy_accepted), "Proxy connections accepted"},
    {"proxy", "refused", C, ST(proxy_refused), "Proxy connections refused"},
    {"proxy", "forward_failed", C, ST(proxy_fwd_failed),
     "Server proxy connections whose forward connect failed"},
    {"limits", "max_conns", G, SN(max_conns), "--max-conns"},
    {"limits", "max_half_open", G, SN(max_half_open), "--max-half-open"},
    {"limits", "half_open", G, SN(half_open), "Server connections before ESTABLISHED"},
    {"limits", "syn_evicted", C, ST(syn_evicted), "Half-open connections dropped for newer SYNs"},
    {"limits", "mem_max", G, SN(mem_max), "--max-mem in bytes (0: no limit)"},
    {"limits", "mem_reserved", G, SN(mem_reserved), "Buffer bytes reserved now"},
    {"limits", "mem_peak", G, SN(mem_peak), "Most buffer bytes reserved at once"},
    {"limits", "mem_conn_max", G, SN(mem_conn_max), "Most bytes one connection reserves"},
    {"limits", "mem_refused", C, SN(mem_refused), "Connections and subflows refused for --max-mem"},
    {"bytes_completed", "sent", C, ST(bytes_sent), "Bytes sent by completed connections"},
    {"bytes_completed", "recv", C, ST(bytes_rcvd), "Bytes received by completed connections"},
    {"ctl", "requests", C, ST(ctl_requests), "Control socket requests"},
    {"ctl", "bad", C, ST(ctl_bad), "Control socket requests refused"},
};

static void snap_take(const struct xd_loop *l, struct snap *s)
{
	const struct xc_cfg *cfg = xc_stack_cfg(l->xc);
	struct xc_mem_stats m;

	xc_stack_mem(l->xc, &m);
	s->st = l->st;
	s->active = l->nactive;
	s->time_wait = l->nconns - l->nactive;
	s->listeners = l->nlst;
	s->client_proxies = l->npx;
	s->max_conns = cfg->max_conns;
	s->max_half_open = cfg->max_halfopen;
	s->half_open = xc_halfopen_count(l->xc);
	s->mem_max = cfg->max_mem;
	s->mem_reserved = m.reserved;
	s->mem_peak = m.peak;
	s->mem_conn_max = xc_mem_conn_max(cfg, xd_app_mem(true));
	s->mem_refused = m.refused;
}

/* A layer of the counter table: what ended plus what is live, all zeros
 * included (the keys do not come and go). */
static void walk_mib(enum xmp_mib_group g, const char *group, const char *what, const __u64 *v,
		     xd_stat_fn *fn, void *arg)
{
	unsigned int i, n = xmp_mib_nr(g);
	struct xd_stat s = {.group = group, .kind = XD_STAT_COUNTER, .help = what};

	for (i = 0; i < n; i++) {
		s.name = xmp_mib_name(g, i);
		s.v = v[i];
		fn(&s, arg);
	}
}

void xd_stats_walk(const struct xd_loop *l, xd_stat_fn *fn, void *arg)
{
	__u64 join[XMP_JOIN_MIB_NR], addr[XMP_ADDR_MIB_NR];
	struct snap sn;
	unsigned int i;

	snap_take(l, &sn);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct xd_stat s = {rows[i].group, rows[i].name, rows[i].kind, rows[i].help,
				    *(const __u64 *)((const char *)&sn + rows[i].off)};

		fn(&s, arg);
	}
	xc_stack_mib(l->xc, join, addr);
	walk_mib(XMP_MIB_JOIN, "join", "MP_JOIN counter (include/xmptcp/mib.h)", join, fn, arg);
	walk_mib(XMP_MIB_ADDR, "add_addr", "ADD_ADDR/REMOVE_ADDR counter (include/xmptcp/mib.h)",
		 addr, fn, arg);
}

/* The JSON writer of the walk: an object opens where a group starts. */
struct json_walk {
	FILE *f;
	const char *group; /* open now; NULL: at top level */
	bool first;	   /* nothing written in the open group yet */
};

static bool same_group(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void json_stat(const struct xd_stat *s, void *arg)
{
	struct json_walk *w = arg;

	if (!same_group(s->group, w->group)) {
		if (w->group)
			fputc('}', w->f);
		w->group = s->group;
		if (s->group)
			fprintf(w->f, ",\"%s\":{", s->group);
		w->first = true;
	}
	if (!s->group || !w->first)
		fputc(',', w->f);
	w->first = false;
	fprintf(w->f, "\"%s\":%llu", s->name, (unsigned long long)s->v);
}

void xd_stats_json(const struct xd_loop *l, FILE *f)
{
	struct json_walk w = {.f = f};
	unsigned int i;

	fprintf(f, "{\"ifaces\":[");
	for (i = 0; i < l->nports; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", l->port[i].ifname);
	fprintf(f, "],\"pid\":%d", (int)getpid());
	xd_stats_walk(l, json_stat, &w);
	fprintf(f, "%s}\n", w.group ? "}" : "");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd's side of the control socket (common/ctlsock.h): `xmptcp conns`
 * and `xmptcp stats` ask, the loop answers between two turns. Requests are
 * tiny and answers are built in memory, then written with a short send
 * timeout, so a client that does not read cannot stall the data path for
 * long. A second daemon in the same namespace (another role of a test,
 * say) finds the default socket taken by a live daemon and runs without
 * one; a stale socket file of a dead daemon is replaced. That includes the
 * file of a daemon killed with a deleted namespace whose inode (the name)
 * this namespace reuses: no process is left in that one, so nothing
 * answers there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "common/ctlsock.h"
#include "common/log.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

/* Is a daemon answering there? (connect succeeds only if one listens) */
static bool ctl_live(const char *path)
{
	int fd = xmp_ctl_socket(path, false);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int xd_ctl_open(struct xd_loop *l, const char *path)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &l->ctl_src };
	bool dflt = !path;
	int fd, err;

	if (path && !*path)
		return 0; /* --ctl none */
	if (dflt) {
		err = xmp_ctl_path_default(l->ctl_path, sizeof(l->ctl_path));
		if (err)
			return err;
		mkdir(XMP_CTL_DIR, 0755);
	} else if (snprintf(l->ctl_path, sizeof(l->ctl_path), "%s", path) >=
		   (int)sizeof(l->ctl_path)) {
		return -ENAMETOOLONG;
	}
	fd = xmp_ctl_socket(l->ctl_path, true);
	if (fd == -EADDRINUSE && !ctl_live(l->ctl_path)) {
		unlink(l->ctl_path); /* a dead daemon's socket file */
		fd = xmp_ctl_socket(l->ctl_path, true);
	}
	if (fd < 0) {
		if (dflt && fd == -EADDRINUSE) {
			pr_info("xmptcpd: another xmptcpd answers on %s; running without a "
				"control socket (give --ctl PATH for one)\n", l->ctl_path);
			l->ctl_path[0] = '\0';
			return 0;
		}
		pr_warn("xmptcpd: control socket %s: %s\n", l->ctl_path, strerror(-fd));
		l->ctl_path[0] = '\0';
		return fd;
	}
	l->ctl_src.kind = XD_SRC_CTL;
	l->ctl_src.fd = fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		xd_ctl_close(l);
		return err;
	}
	return 0;
}

void xd_ctl_close(struct xd_loop *l)
{
	if (l->ctl_src.fd >= 0) {
		close(l->ctl_src.fd);
		if (l->ctl_path[0])
			unlink(l->ctl_path);
	}
	l->ctl_src.fd = -1;
	l->ctl_path[0] = '\0';
}

static void conns_json(const struct xd_loop *l, FILE *f)
{
	const struct xc_conn *c;
	bool first = true;

	fprintf(f, "[");
	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c)) {
		fprintf(f, "%s", first ? "" : ",");
		xc_conn_brief_json(c, f);
		first = false;
	}
	fprintf(f, "]\n");
}

static void conns_text(const struct xd_loop *l, FILE *f)
{
	const struct xc_conn *c;

	fprintf(f, "%-6s %-6s %-5s %-22s %-22s %-11s %-8s %12s %12s %8s\n", "ID", "ROLE", "APP",
		"LOCAL", "REMOTE", "STATE", "TOKEN", "SENT", "RECV", "SRTT_US");
	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c))
		xc_conn_brief_text(c, f);
}

#define S(x) ((unsigned long long)(x))

static void ifaces(const struct xd_loop *l, FILE *f, const char *sep, const char *quote)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++)
		fprintf(f, "%s%s%s%s", i ? sep : "", quote, l->port[i].ifname, quote);
}

static void stats_text(const struct xd_loop *l, FILE *f)
{
	const struct xc_cfg *cfg = xc_stack_cfg(l->xc);
	const struct xd_loop_stats *st = &l->st;
	struct xc_mem_stats m;

	fprintf(f, "interfaces       ");
	ifaces(l, f, ", ", "");
	fprintf(f, " (pid %d)\n", (int)getpid());
	fprintf(f, "connections      %u active, %u in TIME-WAIT; %llu opened, %llu ok, "
		   "%llu failed, %llu plain TCP\n",
		l->nactive, l->nconns - l->nactive, S(st->conns_opened), S(st->conns_ok),
		S(st->conns_failed), S(st->conns_plain));
	fprintf(f, "frames           rx %llu (bad %llu, unmatched %llu, SYN over limit %llu), "
		   "tx %llu (dropped %llu)\n",
		S(st->rx_frames), S(st->rx_bad), S(st->rx_nomatch), S(st->rx_syn_limit),
		S(st->tx_frames), S(st->tx_drop));
	fprintf(f, "rx options       %llu located by XDP, %llu walked (bad metadata %llu)\n",
		S(st->rx_opts_located), S(st->rx_opts_walked), S(st->rx_meta_bad));
	fprintf(f, "proxies          %u client, %u listeners; accepted %llu, refused %llu, "
		   "forward failed %llu\n",
		l->npx, l->nlst, S(st->proxy_accepted), S(st->proxy_refused),
		S(st->proxy_fwd_failed));
	fprintf(f, "bytes completed  sent %llu, received %llu\n", S(st->bytes_sent),
		S(st->bytes_rcvd));
	fprintf(f, "half-open        %u of %u; %llu dropped for newer SYNs\n",
		xc_halfopen_count(l->xc), cfg->max_halfopen, S(st->syn_evicted));
	xc_stack_mem(l->xc, &m);
	fprintf(f, "memory reserved  %llu (peak %llu), ", S(m.reserved), S(m.peak));
	if (cfg->max_mem)
		fprintf(f, "--max-mem %llu, ", S(cfg->max_mem));
	else
		fprintf(f, "no --max-mem, ");
	fprintf(f, "%llu refused; a connection %llu at most\n", S(m.refused),
		S(xc_mem_conn_max(cfg, xd_app_mem(true))));
}

static void subflows_json(const struct xd_loop *l, FILE *f)
{
	const struct xc_conn *c;
	bool first = true;

	fprintf(f, "[");
	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c)) {
		fprintf(f, "%s", first ? "" : ",");
		xc_conn_subflows_json(c, f);
		first = false;
	}
	fprintf(f, "]\n");
}

static void subflows_text(const struct xd_loop *l, FILE *f)
{
	const struct xc_conn *c;

	fprintf(f, "%-6s %-3s %-22s %-22s %-8s %-12s %-4s %-6s %8s %9s %12s %12s %10s %-8s\n",
		"CONN", "SF", "LOCAL", "REMOTE", "IFACE", "STATE", "KIND", "PRIO", "SRTT_US",
		"CWND", "SENT", "RECV", "REINJ", "SCHED");
	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c))
		xc_conn_subflows_text(c, f);
}

/* "WHAT FORMAT" -> the answer in f; false for a bad request. */
static bool ctl_answer(struct xd_loop *l, char *req, FILE *f)
{
	char what[16], fmt[16];
	bool json;

	if (!strncmp(req, "sched ", 6))
		return xd_ctl_sched(l, req + 6, f);
	if (sscanf(req, "%15s %15s", what, fmt) != 2 ||
	    (strcmp(fmt, "json") && strcmp(fmt, "text"))) {
		fprintf(f, "error: bad request (want 'conns|stats|subflows json|text', "
			   "'metrics text' or 'sched ...')\n");
		return false;
	}
	json = !strcmp(fmt, "json");
	if (!strcmp(what, "conns"))
		(json ? conns_json : conns_text)(l, f);
	else if (!strcmp(what, "stats"))
		(json ? xd_stats_json : stats_text)(l, f);
	else if (!strcmp(what, "metrics") && !json)
		xd_metrics_write(l, f);
	else if (!strcmp(what, "subflows"))
		(json ? subflows_json : subflows_text)(l, f);
	else {
		fprintf(f, "error: unknown request '%s %s' (conns, stats, subflows: json|text; "
			   "metrics: text; sched)\n", what, fmt);
		return false;
	}
	return true;
}

/* Reads the request line: the client writes it at once after connecting,
 * so a short receive timeout is enough and bounds a silent client. */
static int ctl_read_req(int fd, char *req, size_t len)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	size_t got = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got + 1 < len) {
		n = read(fd, req + got, len - 1 - got);
		if (n <= 0)
			return -EIO;
		got += (size_t)n;
		req[got] = '\0';
		if (strchr(req, '\n'))
			return 0;
	}
	return -EMSGSIZE;
}

static void ctl_serve(struct xd_loop *l, int fd)
{
	char req[XMP_CTL_REQ_MAX + 1] = "";
	char *ans = NULL;
	size_t alen = 0, off = 0;
	FILE *f;
	ssize_t n;

	l->st.ctl_requests++;
	f = open_memstream(&ans, &alen);
	if (!f)
		return;
	if (ctl_read_req(fd, req, sizeof(req)))
		fprintf(f, "error: no request line within the timeout or too long\n");
	else if (!ctl_answer(l, req, f))
		l->st.ctl_bad++;
	fclose(f);
	while (off < alen) {
		n = write(fd, ans + off, alen - off);
		if (n <= 0)
			break; /* the client went away or stalls: drop its answer */
		off += (size_t)n;
	}
	free(ans);
}

void xd_ctl_accept(struct xd_loop *l)
{
	int fd, burst = 0;
	bool spare;

	while (burst++ < 8) {
		/* out of descriptors, the spare one still lets `xmptcp stats`
		 * in (and keeps the loop from spinning on the listener) */
		fd = xd_accept(l->ctl_src.fd, SOCK_CLOEXEC, &spare);
		if (fd < 0)
			return;
		ctl_serve(l, fd);
		close(fd);
		if (spare)
			xd_accept_spare_restore();
	}
}

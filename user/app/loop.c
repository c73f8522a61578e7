// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop of an xmptcpd worker: epoll over the AF_XDP sockets of its
 * ports (port.c), a timerfd armed at the earliest deadline of all
 * connections (CLOCK_MONOTONIC, absolute, microsecond precision) and of the
 * metrics (metrics.c), the rtnetlink monitor (addrs.c), the control
 * socket, the metrics scrapers (metrics_http.c), the client proxies'
 * listeners and the app sockets of proxied connections. Each turn: read the
 * clock, handle socket events, take a burst of frames from every port and
 * hand them to the connection layer, run expired timers; report and free
 * what is over (conns.c); flush XSK TX. The XDP program and maps come from
 * `xmptcp attach` (pinned per network namespace); we only insert our XSKs
 * and publish listeners/subflows in the owned maps.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "common/log.h"
#include "common/sdnotify.h"
#include "io/addr.h"
#include "io/pinowner.h"
#include "app/xmptcpd.h"

#define XD_TX_RETRY_US 1000	/* kick again while TX frames are in flight */
#define XD_LINGER_US   3000000	/* graceful close after SIGTERM/SIGINT, then abort */

/* Signals seen: the first closes gracefully, the second aborts. */
volatile sig_atomic_t xd_stop;

void xd_loop_stop(void)
{
	xd_stop++;
}

/* SIGUSR1 seen: the built-in sources end (see loop_end_sources()). */
static volatile sig_atomic_t xd_end_src;

void xd_loop_end_sources(void)
{
	xd_end_src = 1;
}

/* SIGHUP seen: the configuration file is read again (reload.c). */
static volatile sig_atomic_t xd_hup;

void xd_loop_reload(void)
{
	xd_hup = 1;
}

__u64 xd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000 + (__u64)ts.tv_nsec / 1000;
}

static int loop_pins(struct xd_loop *l, const char *pin_dir, const char *ifname)
{
	char path[PATH_MAX + 32];
	char who[32] = "no cookie recorded";
	struct stat st;
	__u64 owner;
	int err;

	if (pin_dir) {
		if (snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", pin_dir) >=
		    (int)sizeof(l->pin_dir))
			return -ENAMETOOLONG;
	} else {
		err = xmp_pin_dir_default(l->pin_dir, sizeof(l->pin_dir));
		if (err)
			return err;
	}
	snprintf(path, sizeof(path), "%s/%s", l->pin_dir, XMP_MAP_XSKS);
	if (stat(path, &st)) {
		pr_warn("xmptcpd: %s not found: xmptcp is not attached in this network namespace; "
			"run 'xmptcp attach %s' first (or give --pin-dir)\n",
			path, ifname);
		return -ENOENT;
	}
	/* The same name may hold a deleted namespace's pins (its inode is
	 * reused): XDP would steer into maps this daemon does not read. */
	if (xmp_pins_check(l->pin_dir, &owner) == -ESTALE) {
		if (owner)
			snprintf(who, sizeof(who), "cookie %llu", (unsigned long long)owner);
		pr_warn("xmptcpd: the pins in %s are left from a deleted network namespace "
			"(%s); run 'xmptcp attach %s' to replace them\n", l->pin_dir, who,
			ifname);
		return -ESTALE;
	}
	return 0;
}

int xd_loop_epoll_add(struct xd_loop *l, struct xd_src *src, enum xd_src_kind kind, int fd,
		      unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	src->kind = kind;
	src->fd = fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

int xd_loop_watch(struct xd_loop *l, struct xd_src *src, int fd)
{
	/* Edge-triggered: every event runs the pump, which reads and writes
	 * until the socket or the connection says no more; the pump also
	 * runs after every segment, so nothing waits on a missed edge. */
	return xd_loop_epoll_add(l, src, XD_SRC_APP, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
}

void xd_loop_unwatch(struct xd_loop *l, struct xd_src *src)
{
	if (src->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->fd = -1;
}

static int loop_open_io(struct xd_loop *l, const struct xd_loop_cfg *cfg)
{
	unsigned int i;
	int err, tfd;

	err = xmp_owned_open(&l->own, l->pin_dir);
	if (err) {
		pr_warn("xmptcpd: cannot open the owned maps in %s: %s\n", l->pin_dir,
			strerror(-err));
		return err;
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	for (i = 0; i < cfg->nifs; i++) {
		l->port[i].src.fd = -1;
		l->nports = i + 1;
		err = xd_port_open(l, &l->port[i], cfg->ifnames[i], cfg->queue_id);
		if (err)
			return err;
	}
	err = xmp_route_cache_new(&l->rc, 0, 1000);
	if (err)
		return err;
	err = xmp_nlmon_open(&l->nl);
	if (err) {
		pr_warn("xmptcpd: rtnetlink monitor: %s\n", strerror(-err));
		return err;
	}
	err = xd_loop_epoll_add(l, &l->nl_src, XD_SRC_NL, xmp_nlmon_fd(l->nl), EPOLLIN);
	if (err)
		return err;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0)
		return -errno;
	l->tmr_src.fd = tfd;
	return xd_loop_epoll_add(l, &l->tmr_src, XD_SRC_TIMER, tfd, EPOLLIN);
}

int xd_loop_init(struct xd_loop *l, const struct xd_loop_cfg *cfg)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->epfd = l->tmr_src.fd = l->ctl_src.fd = l->nl_src.fd = -1;
	l->own.listeners_fd = l->own.subflows_fd = l->own.tokens_fd = l->own.conns_fd = -1;
	l->now = xd_now_us();
	l->report = stdout;
	l->parallel = 1;
	l->builtin.sock_fd = -1;
	if (cfg->timeout_s)
		l->deadline = l->now + (__u64)cfg->timeout_s * 1000000;
	if (!cfg->nifs || cfg->nifs > XD_MAX_PORTS)
		return -EINVAL;
	err = xc_stack_new(&l->xc, &cfg->xc, &xd_host_ops, l);
	if (err)
		return err;
	err = loop_pins(l, cfg->pin_dir, cfg->ifnames[0]);
	if (!err)
		err = loop_open_io(l, cfg);
	if (!err)
		err = xd_ctl_open(l, cfg->ctl_path);
	if (!err)
		err = xd_metrics_open(l, &cfg->metrics);
	if (err)
		xd_loop_fini(l);
	return err;
}

void xd_loop_fini(struct xd_loop *l)
{
	unsigned int i;

	while (l->xc && xc_stack_conns(l->xc))
		xd_loop_free_conn(l, xc_stack_conns(l->xc));
	xc_stack_free(l->xc);
	l->xc = NULL;
	for (i = 0; i < l->nlst; i++) {
		xmp_owned_del_listener(&l->own, &l->lst[i].addr, l->lst[i].port);
		xmp_port_release(&l->lst[i].res);
	}
	l->nlst = 0;
	xd_proxy_close_all(l);
	xd_ctl_close(l);
	xd_metrics_close(l);
	for (i = 0; i < l->nports; i++)
		xd_port_close(&l->port[i]);
	l->nports = 0;
	xmp_owned_close(&l->own);
	xmp_route_cache_free(l->rc);
	l->rc = NULL;
	xmp_nlmon_close(l->nl);
	l->nl = NULL;
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->tmr_src.fd >= 0)
		close(l->tmr_src.fd);
	l->epfd = l->tmr_src.fd = -1;
}

/* The next listener, zeroed; NULL (said why) when all are taken. */
static struct xd_listener *listener_slot(struct xd_loop *l)
{
	struct xd_listener *ls;

	if (l->nlst == XD_MAX_LISTENERS) {
		pr_warn("xmptcpd: at most %d listeners\n", XD_MAX_LISTENERS);
		return NULL;
	}
	ls = &l->lst[l->nlst];
	memset(ls, 0, sizeof(*ls));
	ls->res.fd = -1;
	return ls;
}

int xd_loop_listen(struct xd_loop *l, const struct xmp_addr *addr, __u16 port,
		   const struct xmp_addr *fwd, __u16 fwd_port)
{
	struct xd_listener *ls = listener_slot(l);
	char a[64];
	int err;

	if (!ls)
		return -ENOSPC;
	err = xmp_port_reserve(&ls->res, addr, port);
	if (err) {
		pr_warn("xmptcpd: cannot reserve %s port %u: %s\n",
			xmp_addr_str(addr, a, sizeof(a)), port, strerror(-err));
		return err;
	}
	err = xmp_owned_add_listener(&l->own, addr, port, 0);
	if (err) {
		pr_warn("xmptcpd: cannot publish the listener: %s\n", strerror(-err));
		xmp_port_release(&ls->res);
		return err;
	}
	ls->addr = *addr;
	ls->port = port;
	if (fwd) {
		ls->forward = true;
		ls->fwd_addr = *fwd;
		ls->fwd_port = fwd_port;
	}
	l->nlst++;
	return 0;
}

/* A wildcard flagged MPTCP-only: plain TCP SYNs go on to the service's
 * kernel listener, which holds the port (we reserve nothing). The forward
 * (conns.c) goes to a local address through lo, where XDP does not run. */
int xd_loop_accept(struct xd_loop *l, __u16 port)
{
	struct xd_listener *ls = listener_slot(l);
	int err;

	if (!ls)
		return -ENOSPC;
	err = xmp_owned_add_listener(&l->own, NULL, port, XMP_LISTEN_F_MPTCP_ONLY);
	if (err) {
		pr_warn("xmptcpd: cannot publish the listener of --accept %u: %s\n", port,
			strerror(-err));
		return err;
	}
	ls->port = port;
	ls->forward = ls->accept = true;
	l->nlst++;
	pr_info("xmptcpd: listening for MPTCP to local port %u (--accept)%s\n", port,
		l->proxy_v2 ? ", PROXY v2 header to the service" : "");
	return 0;
}

int xd_loop_client(struct xd_loop *l, const struct xmp_addr *dst, __u16 dport, __u64 count,
		   unsigned int parallel)
{
	l->client = true;
	l->dst = *dst;
	l->dport = dport;
	l->count = count;
	l->parallel = parallel ? parallel : 1;
	xd_loop_client_fill(l);
	return l->st.conns_failed && !l->nactive ? -ECONNREFUSED : 0;
}

static void loop_arm_timer(struct xd_loop *l)
{
	struct itimerspec its = {};
	__u64 t = xc_stack_next_timer(l->xc), m = xd_metrics_next(l);

	if (m < t)
		t = m;
	if (xd_loop_tx_inflight(l) && l->now + XD_TX_RETRY_US < t)
		t = l->now + XD_TX_RETRY_US;
	if (l->deadline && l->deadline < t)
		t = l->deadline;
	if (t != XMP_TCP_NO_TIMER) {
		if (t <= l->now)
			t = l->now + 1;
		its.it_value.tv_sec = (time_t)(t / 1000000);
		its.it_value.tv_nsec = (long)(t % 1000000) * 1000;
	}
	timerfd_settime(l->tmr_src.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void loop_timers(struct xd_loop *l)
{
	l->now = xd_now_us();
	xc_stack_timers(l->xc);
}

/* First signal: every source ends here and DATA_FIN follows what is queued
 * (3.3.3), with XD_LINGER_US for the peers to finish; the second aborts. */
static void loop_on_stop(struct xd_loop *l, bool *stopping)
{
	struct xc_conn *c, *n;

	if (xd_stop > 1) {
		for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c))
			if (!xc_conn_done(c))
				xc_conn_fastclose(c, -EINTR);
		return;
	}
	if (*stopping)
		return;
	*stopping = true;
	l->stopping = true;
	xmp_sd_notify("STOPPING=1"); /* systemd: deactivating while connections close */
	pr_info("xmptcpd: closing %u connection(s) (again to abort)\n", l->nactive);
	for (c = xc_stack_conns(l->xc); c; c = n) {
		n = xc_conn_next(c);
		if (xc_conn_halfopen(c))
			xd_loop_evict(l, c); /* nothing to close: a flood's would linger */
		else if (!xc_conn_done(c))
			xd_conn_close(c);
	}
	if (!l->deadline || l->deadline > l->now + XD_LINGER_US)
		l->deadline = l->now + XD_LINGER_US;
}

static void loop_event(struct xd_loop *l, const struct epoll_event *ev)
{
	struct xd_src *src = ev->data.ptr;
	__u64 expirations;

	switch (src->kind) {
	case XD_SRC_TIMER:
		if (read(src->fd, &expirations, sizeof(expirations)) < 0)
			expirations = 0;
		break;
	case XD_SRC_XSK:
		break; /* drained every turn below: wakeups may be coalesced */
	case XD_SRC_CTL:
		xd_ctl_accept(l);
		break;
	case XD_SRC_PROXY:
		xd_proxy_accept(l, src->obj);
		break;
	case XD_SRC_APP:
		xd_proxy_app_event(l, src->obj, ev->events);
		break;
	case XD_SRC_NL:
		l->now = xd_now_us();
		xmp_nlmon_read(l->nl, xd_nl_event, l);
		break;
	case XD_SRC_HTTP:
		xd_http_accept(l, src->obj);
		break;
	case XD_SRC_HTTP_CLIENT:
		xd_http_event(l, src->obj, ev->events);
		break;
	}
}

/* SIGUSR1: the built-in source of every open connection ends now, as if
 * its byte count were reached (DATA_FIN after what is queued); unlike
 * SIGTERM nothing else changes: no linger deadline, the server still
 * answers after the client's DATA_FIN, the daemon runs on. A test keeps a
 * transfer running until it saw what it waits for, then ends it this way,
 * whatever the machine's speed. Proxied connections are the apps'. */
static void loop_end_sources(struct xd_loop *l)
{
	struct xc_conn *c;

	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c)) {
		struct xd_endpoint *ep = &xd_app_of(c)->ep;

		if (xc_conn_done(c) || xd_ep_is_sock(ep) || xd_ep_src_done(ep))
			continue;
		xd_ep_stop(ep);
		xc_conn_shutdown(c);
	}
}

/* Every connection asked for is over (count reached, or a signal and none
 * left); a daemon without a count runs until a signal. */
static bool loop_finished(const struct xd_loop *l, bool stopping)
{
	__u64 completed = l->st.conns_ok + l->st.conns_failed;

	if (stopping)
		return !l->nactive;
	return l->count && completed >= l->count && !l->nactive;
}

/* A daemon (no count) stopped by a signal did its job; each connection's
 * outcome is in its summary line and the stats. */
static int loop_result(const struct xd_loop *l)
{
	if (!l->count)
		return 0;
	if (l->st.conns_failed)
		return -EPROTO;
	if (l->st.conns_ok < l->count)
		return l->st.conns_ok ? -EPROTO : -ENOTCONN;
	return 0;
}

static void loop_timeout(struct xd_loop *l)
{
	struct xc_conn *c;

	pr_warn("xmptcpd: timed out\n");
	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c))
		if (!xc_conn_done(c))
			xc_conn_fastclose(c, -ETIMEDOUT);
	xd_loop_reap(l);
}

int xd_loop_run(struct xd_loop *l)
{
	struct epoll_event evs[64];
	bool stopping = false;
	int n, i;

	for (;;) {
		l->now = xd_now_us();
		xd_loop_reap(l);
		if (xd_stop) {
			loop_on_stop(l, &stopping);
			xd_loop_reap(l);
		}
		if (xd_end_src) {
			xd_end_src = 0;
			loop_end_sources(l);
			xd_loop_reap(l);
		}
		if (xd_hup) {
			xd_hup = 0;
			if (l->conf)
				xd_reload(l, l->conf);
		}
		if (loop_finished(l, stopping))
			return loop_result(l);
		if (l->deadline && l->now >= l->deadline) {
			loop_timeout(l);
			return -ETIMEDOUT;
		}
		xd_loop_publish(l);
		xd_metrics_tick(l);
		xd_loop_tx_flush(l);
		loop_arm_timer(l);
		n = epoll_wait(l->epfd, evs, 64, -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		l->now = xd_now_us();
		for (i = 0; i < n; i++)
			loop_event(l, &evs[i]);
		xd_loop_rx(l);
		loop_timers(l);
	}
}

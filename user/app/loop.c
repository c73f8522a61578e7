// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop of an xmptcpd worker: epoll over the AF_XDP socket of one
 * (interface, queue), a timerfd armed at the earliest deadline of all
 * connections (CLOCK_MONOTONIC, absolute, microsecond precision), the
 * control socket, the client proxies' listeners and the app sockets of
 * proxied connections. Each turn: read the clock, handle socket events,
 * take a burst of frames from the XSK, parse them (io/pkt.c, checksums
 * verified: AF_XDP frames carry no offload state), hand each to its
 * connection (conntab.c) or, for a SYN to a listener, create one; run
 * expired timers; report and free what is over; flush XSK TX. The XDP program and maps come from
 * `xmptcp attach` (pinned per network namespace); we only insert our XSK
 * and publish listeners/subflows in the owned maps.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_xdp.h>

#include "common/log.h"
#include "io/addr.h"
#include "io/pinowner.h"
#include "app/xmptcpd.h"

#define XD_RX_BATCH    64
#define XD_TX_BATCH    32
#define XD_TX_RETRY_US 1000 /* kick again while TX frames are in flight */

#define XD_LINGER_US 3000000
#define XD_PUBLISH_US 250000 /* xmp_conns refresh */ /* graceful close after SIGTERM/SIGINT, then abort */

/* Signals seen: the first closes gracefully, the second aborts. */
static volatile sig_atomic_t xd_stop;

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

static int loop_epoll_add(struct xd_loop *l, struct xd_src *src, enum xd_src_kind kind, int fd,
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
	return loop_epoll_add(l, src, XD_SRC_APP, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
}

void xd_loop_unwatch(struct xd_loop *l, struct xd_src *src)
{
	if (src->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->fd = -1;
}

/* The interface's MTU, read when it opens and when it comes up: a SYN is
 * answered through the port it came by, so its MSS needs no route or
 * neighbour lookup (a flood's addresses never resolve: each lookup would
 * stall the loop for the resolution timeout). 1500 if unreadable. */
static void port_read_mtu(struct xd_port *p)
{
	struct ifreq ifr = {};
	int fd;

	p->mtu = 1500;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (!ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		p->mtu = (__u32)ifr.ifr_mtu;
	close(fd);
}

/* One interface: its AF_XDP socket on the queue asked for, in epoll. */
static int loop_open_port(struct xd_loop *l, struct xd_port *p, const char *ifname,
			  unsigned int queue)
{
	struct xmp_xsk_cfg xc = {
		.queue_id = queue,
		.bind_flags = XDP_COPY,
		.xsks_map_fd = -1,
		.ifslots_map_fd = -1,
	};
	int err;

	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->ifindex = (int)if_nametoindex(ifname);
	if (!p->ifindex) {
		pr_warn("xmptcpd: no interface '%s' in this network namespace\n", ifname);
		return -ENODEV;
	}
	if (xd_loop_port(l, p->ifindex) != p) {
		pr_warn("xmptcpd: --iface %s given twice\n", ifname);
		return -EINVAL;
	}
	xc.ifname = p->ifname;
	xc.pin_dir = l->pin_dir;
	err = xmp_xsk_open(&p->xsk, &xc);
	if (err) {
		pr_warn("xmptcpd: AF_XDP socket on %s queue %u: %s\n", ifname, queue,
			strerror(-err));
		return err;
	}
	port_read_mtu(p);
	p->src.obj = p;
	return loop_epoll_add(l, &p->src, XD_SRC_XSK, xmp_xsk_fd(p->xsk), EPOLLIN);
}

struct xd_port *xd_loop_port(struct xd_loop *l, int ifindex)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++)
		if (l->port[i].ifindex == ifindex)
			return &l->port[i];
	return NULL;
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
		err = loop_open_port(l, &l->port[i], cfg->ifnames[i], cfg->queue_id);
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
	err = loop_epoll_add(l, &l->nl_src, XD_SRC_NL, xmp_nlmon_fd(l->nl), EPOLLIN);
	if (err)
		return err;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0)
		return -errno;
	l->tmr_src.fd = tfd;
	return loop_epoll_add(l, &l->tmr_src, XD_SRC_TIMER, tfd, EPOLLIN);
}

int xd_loop_init(struct xd_loop *l, const struct xd_loop_cfg *cfg)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->epfd = l->tmr_src.fd = l->ctl_src.fd = l->nl_src.fd = -1;
	l->own.listeners_fd = l->own.subflows_fd = l->own.tokens_fd = l->own.conns_fd = -1;
	l->now = xd_now_us();
	l->report = stdout;
	l->max_conns = 1024;
	l->parallel = 1;
	l->builtin.sock_fd = -1;
	l->next_id = 1;
	l->cc_name = "lia";
	l->msk_sndbuf = XD_MSK_SNDBUF;
	l->msk_rcvbuf = XD_MSK_RCVBUF;
	l->sf_buf = XD_SF_BUF;
	l->max_halfopen = XD_HALFOPEN;
	l->reinject = true;
	xd_pm_init(&l->pm);
	if (cfg->timeout_s)
		l->deadline = l->now + (__u64)cfg->timeout_s * 1000000;
	if (!cfg->nifs || cfg->nifs > XD_MAX_PORTS)
		return -EINVAL;
	err = xmp_cc_coupled_register();
	if (err)
		return err;
	err = loop_pins(l, cfg->pin_dir, cfg->ifnames[0]);
	if (!err)
		err = loop_open_io(l, cfg);
	if (!err)
		err = xd_ctl_open(l, cfg->ctl_path);
	if (err)
		xd_loop_fini(l);
	return err;
}

static void loop_unlink(struct xd_loop *l, struct xd_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	l->nconns--;
	if (!c->reported)
		l->nactive--;
}

/* Unwatches and frees; an app socket of a failed connection is reset, so
 * the app learns the transfer broke (as a kernel TCP peer's RST would). */
static void loop_free_conn(struct xd_loop *l, struct xd_conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	loop_unlink(l, c);
	xmp_owned_del_conn(&l->own, (__u32)c->id);
	xd_loop_unwatch(l, &c->app_src);
	if (c->ep->sock_fd >= 0 && (c->err || !xd_ep_flushed(c->ep)))
		setsockopt(c->ep->sock_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	xd_conn_free(c);
}

void xd_loop_fini(struct xd_loop *l)
{
	unsigned int i;

	while (l->conns)
		loop_free_conn(l, l->conns);
	for (i = 0; i < l->nlst; i++) {
		xmp_owned_del_listener(&l->own, &l->lst[i].addr, l->lst[i].port);
		xmp_port_release(&l->lst[i].res);
	}
	l->nlst = 0;
	xd_proxy_close_all(l);
	xd_ctl_close(l);
	for (i = 0; i < l->nports; i++) {
		if (!l->port[i].xsk)
			continue;
		xmp_xsk_tx_flush(l->port[i].xsk);
		xmp_xsk_close(l->port[i].xsk);
		l->port[i].xsk = NULL;
	}
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

int xd_loop_listen(struct xd_loop *l, const struct xmp_addr *addr, __u16 port,
		   const struct xmp_addr *fwd, __u16 fwd_port)
{
	struct xd_listener *ls;
	char a[64];
	int err;

	if (l->nlst == XD_MAX_LISTENERS) {
		pr_warn("xmptcpd: at most %d listeners\n", XD_MAX_LISTENERS);
		return -ENOSPC;
	}
	ls = &l->lst[l->nlst];
	memset(ls, 0, sizeof(*ls));
	ls->res.fd = -1;
	err = xmp_port_reserve(&ls->res, addr, port);
	if (err) {
		pr_warn("xmptcpd: cannot reserve %s port %u: %s\n",
			xmp_addr_str(addr, a, sizeof(a)), port, strerror(-err));
		return err;
	}
	err = xmp_owned_add_listener(&l->own, addr, port);
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

void xd_loop_add_conn(struct xd_loop *l, struct xd_conn *c)
{
	c->id = l->next_id++;
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	l->nconns++;
	l->nactive++;
	l->st.conns_opened++;
	l->publish_at = 0; /* in xmp_conns at the next turn */
}

/* Built-in client: keep `parallel` connections going until `count` began. */
static void loop_client_fill(struct xd_loop *l)
{
	struct xd_conn *c;
	int err;

	while (l->client && l->started < l->count && l->nactive < l->parallel &&
	       l->nactive < l->max_conns && !xd_stop) {
		l->started++;
		l->now = xd_now_us(); /* the SYN's time: its RTT sample, t_start */
		err = xd_conn_connect(&c, l, &l->dst, l->dport, &l->builtin);
		if (err) {
			l->st.conns_failed++;
			continue;
		}
		xd_loop_add_conn(l, c);
		xd_conn_pump(c);
	}
}

int xd_loop_client(struct xd_loop *l, const struct xmp_addr *dst, __u16 dport, __u64 count,
		   unsigned int parallel)
{
	l->client = true;
	l->dst = *dst;
	l->dport = dport;
	l->count = count;
	l->parallel = parallel ? parallel : 1;
	loop_client_fill(l);
	return l->st.conns_failed && !l->nactive ? -ECONNREFUSED : 0;
}

static void loop_report(struct xd_loop *l, struct xd_conn *c)
{
	bool ok = xd_conn_ok(c);

	xd_ep_finish(c->ep);
	if (l->report) {
		xd_conn_report(c, l->report);
		fflush(l->report);
	}
	if (ok)
		l->st.conns_ok++;
	else
		l->st.conns_failed++;
	if (c->plain)
		l->st.conns_plain++;
	l->st.bytes_sent += c->ep->sent;
	l->st.bytes_rcvd += c->ep->rcvd;
	c->reported = true;
	l->nactive--;
}

/* A connection is over once its transfer ended and the app has every byte
 * (or it failed); it is reported then. The engine of a client that closed
 * first stays in TIME-WAIT (answering a retransmitted FIN) until it ends. */
void xd_loop_reap(struct xd_loop *l)
{
	struct xd_conn *c, *n;

	for (c = l->conns; c; c = n) {
		n = c->next;
		if (!c->reported && c->done && (c->err || xd_ep_flushed(c->ep)))
			loop_report(l, c);
		if (c->reported && !xd_conn_lingers(c))
			loop_free_conn(l, c);
	}
	loop_client_fill(l);
}

/* A half-open connection given up for a newer SYN (limits.c): freed now,
 * not at the next reap, so what a flood holds between two turns of the
 * loop stays within --max-half-open. */
void xd_loop_evict(struct xd_loop *l, struct xd_conn *c)
{
	xd_conn_drop(c, -ETIMEDOUT);
	if (!c->reported) {
		/* no summary line, not ok, failed or plain: it never was a
		 * connection (syn_evicted counts it) */
		c->reported = true;
		l->nactive--;
	}
	if (!xd_conn_lingers(c))
		loop_free_conn(l, c);
}

int xd_loop_xmit(struct xd_loop *l, struct xd_port *p, const struct xmp_pkt_hdrs *h,
		 const struct xmp_seg *seg)
{
	struct xmp_pkt_hdrs hh = *h;
	__u32 cap;
	__u8 *buf;
	int len, err;

	buf = xmp_xsk_tx_alloc(p->xsk, &cap);
	if (!buf) {
		/* publish what is queued, reap completions, try once more */
		xmp_xsk_tx_flush(p->xsk);
		p->tx_unflushed = 0;
		buf = xmp_xsk_tx_alloc(p->xsk, &cap);
	}
	if (!buf) {
		l->st.tx_drop++;
		return -ENOBUFS;
	}
	hh.ip_id = l->ip_id++;
	len = xmp_pkt_build(buf, cap, &hh, seg);
	if (len < 0) {
		xmp_xsk_tx_free(p->xsk, buf);
		l->st.tx_drop++;
		return len;
	}
	err = xmp_xsk_tx_queue(p->xsk, buf, (__u32)len);
	if (err) {
		l->st.tx_drop++;
		return err;
	}
	l->st.tx_frames++;
	if (++p->tx_unflushed >= XD_TX_BATCH) {
		xmp_xsk_tx_flush(p->xsk);
		p->tx_unflushed = 0;
	}
	return 0;
}

static struct xd_listener *listener_for(struct xd_loop *l, const struct xmp_frame *f)
{
	unsigned int i;

	if ((f->seg.flags & (XMP_TH_SYN | XMP_TH_ACK | XMP_TH_RST)) != XMP_TH_SYN)
		return NULL;
	for (i = 0; i < l->nlst; i++) {
		struct xd_listener *ls = &l->lst[i];

		if (f->seg.dport == ls->port &&
		    (xmp_addr_is_any(&ls->addr) || xmp_addr_eq(&f->daddr, &ls->addr)))
			return ls;
	}
	return NULL;
}

/* A SYN to one of our listeners: a new connection, its app end the
 * built-in endpoint or (server proxy) a kernel TCP connect() to fwd. */
static void loop_accept(struct xd_loop *l, struct xd_port *port, struct xd_listener *ls,
			const struct xmp_frame *f)
{
	struct xd_ep_cfg ec = l->builtin;
	struct xd_conn *c;
	int err;

	if (xd_stop)
		return;
	xd_halfopen_make_room(l); /* a SYN flood holds --max-half-open at most */
	if (l->nactive >= l->max_conns) {
		l->st.rx_syn_limit++; /* the peer retries or gives up; nothing kept */
		return;
	}
	if (ls->forward) {
		err = xd_proxy_forward_sock(&ls->fwd_addr, ls->fwd_port, &ec.sock_fd);
		if (err) {
			l->st.proxy_fwd_failed++;
			return; /* no state: the SYN goes unanswered, the peer retries */
		}
		ec.sock_connecting = true;
	}
	err = xd_conn_accept(&c, l, port, f, &ec);
	if (err) {
		if (err != -ENOBUFS) /* --max-mem: counted in mem_refused */
			pr_warn("xmptcpd: cannot accept a connection: %s\n", strerror(-err));
		if (ec.sock_fd >= 0)
			close(ec.sock_fd);
		return;
	}
	xd_loop_add_conn(l, c);
	c->app_src.obj = c;
	if (ls->forward) {
		err = xd_loop_watch(l, &c->app_src, c->ep->sock_fd);
		if (err) {
			xd_conn_abort(c, err);
			return;
		}
	}
	xd_conn_pump(c);
}

/* An MP_JOIN SYN (3.2): steered here by the token it names, or to a
 * listener's port with a token we do not know; answered either way. */
static bool join_syn(struct xd_loop *l, struct xd_port *port, const struct xmp_frame *f)
{
	struct xmp_mp_opt mp;

	if ((f->seg.flags & (XMP_TH_SYN | XMP_TH_ACK | XMP_TH_RST)) != XMP_TH_SYN)
		return false;
	xmp_mp_decode_at(f->seg.opts, f->seg.optlen, f->opts.mp_at, &mp, NULL);
	if (!(mp.suboptions & XMP_MPO_MPJ_SYN))
		return false;
	if (xd_stop)
		return true; /* closing: no new subflow; the peer's SYN times out */
	xd_conn_join_syn(l, port, f, &mp);
	return true;
}

static void loop_frame(struct xd_loop *l, struct xd_port *port, const struct xmp_xsk_pkt *p)
{
	struct xd_listener *ls;
	struct xmp_frame f;
	struct xd_sf *s;

	l->st.rx_frames++;
	if (xmp_pkt_parse(p->data, p->len, p->meta, XMP_PKT_F_CSUM, &f)) {
		l->st.rx_bad++;
		pr_debug("xmptcpd: frame dropped: %s\n", xmp_pkt_err_name(f.err));
		return;
	}
	l->st.rx_meta_bad += f.err == XMP_PKT_E_BAD_META;
	if (f.opts_walked)
		l->st.rx_opts_walked++;
	else
		l->st.rx_opts_located++;
	s = xd_conntab_find(&l->tab, &f);
	if (s) {
		xd_conn_input(s, &f);
		return;
	}
	if (join_syn(l, port, &f))
		return;
	ls = listener_for(l, &f);
	if (ls)
		loop_accept(l, port, ls, &f);
	else
		l->st.rx_nomatch++;
}

static void loop_rx_port(struct xd_loop *l, struct xd_port *p)
{
	struct xmp_xsk_pkt pk[XD_RX_BATCH];
	unsigned int n, i, rounds = 0;

	do {
		n = xmp_xsk_rx(p->xsk, pk, XD_RX_BATCH);
		l->now = xd_now_us();
		for (i = 0; i < n; i++)
			loop_frame(l, p, &pk[i]);
		xmp_xsk_rx_release(p->xsk, pk, n);
	} while (n == XD_RX_BATCH && ++rounds < 16);
}

/* Every port each turn: wakeups may be coalesced. */
static void loop_rx(struct xd_loop *l)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++)
		loop_rx_port(l, &l->port[i]);
}

static void loop_tx_flush(struct xd_loop *l)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++) {
		xmp_xsk_tx_flush(l->port[i].xsk);
		l->port[i].tx_unflushed = 0;
	}
}

static bool loop_tx_inflight(const struct xd_loop *l)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++)
		if (xmp_xsk_tx_inflight(l->port[i].xsk))
			return true;
	return false;
}

static void loop_arm_timer(struct xd_loop *l)
{
	struct itimerspec its = {};
	__u64 t = XMP_TCP_NO_TIMER, ct;
	struct xd_conn *c;

	for (c = l->conns; c; c = c->next) {
		ct = xd_conn_next_timer(c);
		if (ct < t)
			t = ct;
	}
	if (loop_tx_inflight(l) && l->now + XD_TX_RETRY_US < t)
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
	struct xd_conn *c;

	l->now = xd_now_us();
	for (c = l->conns; c; c = c->next)
		if (xd_conn_next_timer(c) <= l->now)
			xd_conn_timer(c);
}

/* The connection table in xmp_conns, for bpftool: once a second. */
static void loop_publish(struct xd_loop *l)
{
	struct xmp_conn_val v;
	struct xd_conn *c;

	if (l->own.conns_fd < 0 || l->now < l->publish_at)
		return;
	l->publish_at = l->now + XD_PUBLISH_US;
	for (c = l->conns; c; c = c->next) {
		xd_conn_publish_val(c, &v);
		xmp_owned_put_conn(&l->own, (__u32)c->id, &v);
	}
}

/* First signal: every source ends here and DATA_FIN follows what is queued
 * (3.3.3), with XD_LINGER_US for the peers to finish; the second aborts. */
static void loop_on_stop(struct xd_loop *l, bool *stopping)
{
	struct xd_conn *c, *n;

	if (xd_stop > 1) {
		for (c = l->conns; c; c = c->next)
			if (!c->done)
				xd_conn_fastclose(c, -EINTR);
		return;
	}
	if (*stopping)
		return;
	*stopping = true;
	l->stopping = true;
	pr_info("xmptcpd: closing %u connection(s) (again to abort)\n", l->nactive);
	for (c = l->conns; c; c = n) {
		n = c->next;
		if (xd_conn_halfopen(c))
			xd_loop_evict(l, c); /* nothing to close: a flood's would linger */
		else if (!c->done)
			xd_conn_close(c);
	}
	if (!l->deadline || l->deadline > l->now + XD_LINGER_US)
		l->deadline = l->now + XD_LINGER_US;
}

/* The kernel's view changed: routes/neighbours (our cache), links and
 * addresses of our interfaces (the path manager: handover). */
static void nl_event(const struct xmp_nl_event *ev, void *arg)
{
	struct xd_loop *l = arg;
	bool ours = xd_loop_port(l, ev->ifindex) != NULL;

	switch (ev->kind) {
	case XMP_NL_ROUTE:
		xmp_route_cache_flush(l->rc);
		break;
	case XMP_NL_LINK_UP:
	case XMP_NL_LINK_DOWN:
		xmp_route_cache_flush(l->rc);
		if (ours) {
			pr_info("xmptcpd: link %s %s\n", xd_loop_port(l, ev->ifindex)->ifname,
				ev->kind == XMP_NL_LINK_UP ? "up" : "down");
			if (ev->kind == XMP_NL_LINK_UP)
				port_read_mtu(xd_loop_port(l, ev->ifindex));
			xd_pm_link_event(l, ev->ifindex, ev->kind == XMP_NL_LINK_UP);
		}
		break;
	case XMP_NL_ADDR_NEW:
	case XMP_NL_ADDR_DEL:
		if (ours)
			xd_pm_addrs_changed(l);
		break;
	case XMP_NL_RESYNC:
		xmp_route_cache_flush(l->rc);
		xd_pm_addrs_changed(l);
		break;
	}
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
		xmp_nlmon_read(l->nl, nl_event, l);
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
	struct xd_conn *c;

	for (c = l->conns; c; c = c->next) {
		if (c->done || xd_ep_is_sock(c->ep) || xd_ep_src_done(c->ep))
			continue;
		xd_ep_stop(c->ep);
		xd_conn_pump(c);
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
	struct xd_conn *c;

	pr_warn("xmptcpd: timed out\n");
	for (c = l->conns; c; c = c->next)
		if (!c->done)
			xd_conn_fastclose(c, -ETIMEDOUT);
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
		if (loop_finished(l, stopping))
			return loop_result(l);
		if (l->deadline && l->now >= l->deadline) {
			loop_timeout(l);
			return -ETIMEDOUT;
		}
		loop_publish(l);
		loop_tx_flush(l);
		loop_arm_timer(l);
		n = epoll_wait(l->epfd, evs, 64, -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		l->now = xd_now_us();
		for (i = 0; i < n; i++)
			loop_event(l, &evs[i]);
		loop_rx(l);
		loop_timers(l);
	}
}

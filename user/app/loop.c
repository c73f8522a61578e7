// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop of an xmptcpd worker: epoll over the AF_XDP socket of one
 * (interface, queue) and a timerfd armed at the earliest deadline of the
 * connection (CLOCK_MONOTONIC, absolute, microsecond precision). Each turn:
 * read the clock, take a burst of frames from the XSK, parse them
 * (io/pkt.c, checksums verified: AF_XDP frames carry no offload state),
 * hand each to its connection or, for a SYN to our listener, create one;
 * run expired timers; flush XSK TX. The XDP program and maps come from
 * `xmptcp attach` (pinned per network namespace); we only insert our XSK
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
#include <linux/if_xdp.h>

#include "common/log.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

#define XD_RX_BATCH    64
#define XD_TX_BATCH    32
#define XD_TX_RETRY_US 1000 /* kick again while TX frames are in flight */

#define XD_LINGER_US 3000000 /* graceful close after SIGTERM/SIGINT, then abort */

/* Signals seen: the first closes gracefully, the second aborts. */
static volatile sig_atomic_t xd_stop;

void xd_loop_stop(void)
{
	xd_stop++;
}

/* First signal: the source ends here and DATA_FIN follows what is queued
 * (3.3.3), with XD_LINGER_US for the peer to finish; no connection: exit. */
static int loop_on_stop(struct xd_loop *l, bool *stopping)
{
	if (!l->conn || xd_stop > 1 || *stopping) {
		if (xd_stop > 1 || !l->conn) {
			if (l->conn)
				xd_conn_abort(l->conn, -EINTR);
			return -EINTR;
		}
		return 0;
	}
	*stopping = true;
	pr_info("xmptcpd: closing the connection (again to abort)\n");
	xd_conn_close(l->conn);
	if (!l->deadline || l->deadline > l->now + XD_LINGER_US)
		l->deadline = l->now + XD_LINGER_US;
	return 0;
}

__u64 xd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000 + (__u64)ts.tv_nsec / 1000;
}

static int loop_pins(struct xd_loop *l, const char *pin_dir)
{
	char path[PATH_MAX + 32];
	struct stat st;
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
			path, l->ifname);
		return -ENOENT;
	}
	return 0;
}

int xd_loop_init(struct xd_loop *l, const struct xd_loop_cfg *cfg)
{
	struct xmp_xsk_cfg xc = {
		.queue_id = cfg->queue_id,
		.bind_flags = XDP_COPY,
		.xsks_map_fd = -1,
	};
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	memset(l, 0, sizeof(*l));
	l->epfd = l->tfd = -1;
	l->own.listeners_fd = l->own.subflows_fd = l->own.tokens_fd = -1;
	l->lres.fd = -1;
	l->now = xd_now_us();
	if (cfg->timeout_s)
		l->deadline = l->now + (__u64)cfg->timeout_s * 1000000;
	snprintf(l->ifname, sizeof(l->ifname), "%s", cfg->ifname);
	l->ifindex = (int)if_nametoindex(cfg->ifname);
	if (!l->ifindex) {
		pr_warn("xmptcpd: no interface '%s' in this network namespace\n", cfg->ifname);
		return -ENODEV;
	}
	err = loop_pins(l, cfg->pin_dir);
	if (err)
		goto err;
	err = xmp_owned_open(&l->own, l->pin_dir);
	if (err) {
		pr_warn("xmptcpd: cannot open the owned maps in %s: %s\n", l->pin_dir,
			strerror(-err));
		goto err;
	}
	xc.ifname = l->ifname;
	xc.pin_dir = l->pin_dir;
	err = xmp_xsk_open(&l->xsk, &xc);
	if (err) {
		pr_warn("xmptcpd: AF_XDP socket on %s queue %u: %s\n", l->ifname, cfg->queue_id,
			strerror(-err));
		goto err;
	}
	err = xmp_route_cache_new(&l->rc, 0, 1000);
	if (err)
		goto err;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->epfd < 0 || l->tfd < 0) {
		err = -errno;
		goto err;
	}
	ev.data.fd = xmp_xsk_fd(l->xsk);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev)) {
		err = -errno;
		goto err;
	}
	ev.data.fd = l->tfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev)) {
		err = -errno;
		goto err;
	}
	return 0;
err:
	xd_loop_fini(l);
	return err;
}

void xd_loop_fini(struct xd_loop *l)
{
	if (l->conn) {
		xd_conn_free(l->conn);
		l->conn = NULL;
	}
	if (l->listening)
		xmp_owned_del_listener(&l->own, &l->laddr, l->lport);
	l->listening = false;
	xmp_port_release(&l->lres);
	if (l->xsk) {
		xmp_xsk_tx_flush(l->xsk);
		xmp_xsk_close(l->xsk);
	}
	l->xsk = NULL;
	xmp_owned_close(&l->own);
	xmp_route_cache_free(l->rc);
	l->rc = NULL;
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->tfd >= 0)
		close(l->tfd);
	l->epfd = l->tfd = -1;
}

int xd_loop_listen(struct xd_loop *l, const struct xmp_addr *addr, __u16 port)
{
	char a[64];
	int err;

	err = xmp_port_reserve(&l->lres, addr, port);
	if (err) {
		pr_warn("xmptcpd: cannot reserve %s port %u: %s\n",
			xmp_addr_str(addr, a, sizeof(a)), port, strerror(-err));
		return err;
	}
	err = xmp_owned_add_listener(&l->own, addr, port);
	if (err) {
		pr_warn("xmptcpd: cannot publish the listener: %s\n", strerror(-err));
		xmp_port_release(&l->lres);
		return err;
	}
	l->laddr = *addr;
	l->lport = port;
	l->listening = true;
	return 0;
}

int xd_loop_xmit(struct xd_loop *l, const struct xmp_pkt_hdrs *h, const struct xmp_seg *seg)
{
	struct xmp_pkt_hdrs hh = *h;
	__u32 cap;
	__u8 *buf;
	int len, err;

	buf = xmp_xsk_tx_alloc(l->xsk, &cap);
	if (!buf) {
		/* publish what is queued, reap completions, try once more */
		xmp_xsk_tx_flush(l->xsk);
		l->tx_unflushed = 0;
		buf = xmp_xsk_tx_alloc(l->xsk, &cap);
	}
	if (!buf) {
		l->st.tx_drop++;
		return -ENOBUFS;
	}
	hh.ip_id = l->ip_id++;
	len = xmp_pkt_build(buf, cap, &hh, seg);
	if (len < 0) {
		xmp_xsk_tx_free(l->xsk, buf);
		l->st.tx_drop++;
		return len;
	}
	err = xmp_xsk_tx_queue(l->xsk, buf, (__u32)len);
	if (err) {
		l->st.tx_drop++;
		return err;
	}
	l->st.tx_frames++;
	if (++l->tx_unflushed >= XD_TX_BATCH) {
		xmp_xsk_tx_flush(l->xsk);
		l->tx_unflushed = 0;
	}
	return 0;
}

static bool is_listener_syn(const struct xd_loop *l, const struct xmp_frame *f)
{
	return l->listening &&
	       (f->seg.flags & (XMP_TH_SYN | XMP_TH_ACK | XMP_TH_RST)) == XMP_TH_SYN &&
	       f->seg.dport == l->lport &&
	       (xmp_addr_is_any(&l->laddr) || xmp_addr_eq(&f->daddr, &l->laddr));
}

static void loop_frame(struct xd_loop *l, const struct xmp_xsk_pkt *p)
{
	struct xmp_frame f;
	int err;

	l->st.rx_frames++;
	if (xmp_pkt_parse(p->data, p->len, p->meta, XMP_PKT_F_CSUM, &f)) {
		l->st.rx_bad++;
		pr_debug("xmptcpd: frame dropped: %s\n", xmp_pkt_err_name(f.err));
		return;
	}
	if (l->conn && xd_conn_match(l->conn, &f)) {
		xd_conn_input(l->conn, &f);
		return;
	}
	if (!is_listener_syn(l, &f)) {
		l->st.rx_nomatch++;
		return;
	}
	if (l->conn) {
		l->st.rx_syn_busy++; /* one connection at a time: the peer retries */
		return;
	}
	err = xd_conn_accept(&l->conn, l, &f, l->ep);
	if (err)
		pr_warn("xmptcpd: cannot accept a connection: %s\n", strerror(-err));
	else
		xd_conn_pump(l->conn);
}

static void loop_rx(struct xd_loop *l)
{
	struct xmp_xsk_pkt pk[XD_RX_BATCH];
	unsigned int n, i, rounds = 0;

	do {
		n = xmp_xsk_rx(l->xsk, pk, XD_RX_BATCH);
		l->now = xd_now_us();
		for (i = 0; i < n; i++)
			loop_frame(l, &pk[i]);
		xmp_xsk_rx_release(l->xsk, pk, n);
	} while (n == XD_RX_BATCH && ++rounds < 16);
}

static void loop_arm_timer(struct xd_loop *l)
{
	struct itimerspec its = {};
	__u64 t = XMP_TCP_NO_TIMER;

	if (l->conn && !l->conn->done)
		t = xd_conn_next_timer(l->conn);
	if (xmp_xsk_tx_inflight(l->xsk) && l->now + XD_TX_RETRY_US < t)
		t = l->now + XD_TX_RETRY_US;
	if (l->deadline && l->deadline < t)
		t = l->deadline;
	if (t != XMP_TCP_NO_TIMER) {
		if (t <= l->now)
			t = l->now + 1;
		its.it_value.tv_sec = (time_t)(t / 1000000);
		its.it_value.tv_nsec = (long)(t % 1000000) * 1000;
	}
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int xd_loop_run(struct xd_loop *l)
{
	struct epoll_event evs[4];
	bool stopping = false;
	__u64 expirations;
	int n, i, err;

	for (;;) {
		l->now = xd_now_us();
		if (l->conn && l->conn->done)
			return l->conn->err;
		if (xd_stop) {
			err = loop_on_stop(l, &stopping);
			if (err)
				return err;
		}
		if (l->deadline && l->now >= l->deadline) {
			pr_warn("xmptcpd: timed out\n");
			if (l->conn)
				xd_conn_abort(l->conn, -ETIMEDOUT);
			return -ETIMEDOUT;
		}
		xmp_xsk_tx_flush(l->xsk);
		l->tx_unflushed = 0;
		loop_arm_timer(l);
		n = epoll_wait(l->epfd, evs, 4, -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++)
			if (evs[i].data.fd == l->tfd &&
			    read(l->tfd, &expirations, sizeof(expirations)) < 0)
				expirations = 0;
		/* the XSK is drained every turn: wakeups may be coalesced */
		loop_rx(l);
		l->now = xd_now_us();
		if (l->conn && !l->conn->done && xd_conn_next_timer(l->conn) <= l->now)
			xd_conn_timer(l->conn);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The ports of an xmptcpd worker: the AF_XDP socket of each --iface on the
 * queue asked for. Frames come in by bursts, are parsed (io/pkt.c, checksums
 * verified: AF_XDP frames carry no offload state) and handed to the
 * connection layer (xc_input(): the subflow their tuple names), or answer
 * an MP_JOIN SYN, or start a connection at a listener (conns.c). Frames the
 * connection layer builds leave through the port of their subflow
 * (xd_port_xmit(), host.c's xmit op), flushed in batches.
 *
 * Call chain: xd_loop_run -> xd_loop_rx -> port_rx -> port_frame ->
 * xc_input | xc_join_syn | xd_accept_syn; xc_host_ops.xmit -> xd_port_xmit.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_xdp.h>

#include "common/log.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

#define XD_RX_BATCH 64
#define XD_TX_BATCH 32

/* The interface's MTU, read when it opens and when it comes up: a SYN is
 * answered through the port it came by, so its MSS needs no route or
 * neighbour lookup (a flood's addresses never resolve: each lookup would
 * stall the loop for the resolution timeout). 1500 if unreadable. */
void xd_port_read_mtu(struct xd_port *p)
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
int xd_port_open(struct xd_loop *l, struct xd_port *p, const char *ifname, unsigned int queue)
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
	xd_port_read_mtu(p);
	p->src.obj = p;
	return xd_loop_epoll_add(l, &p->src, XD_SRC_XSK, xmp_xsk_fd(p->xsk), EPOLLIN);
}

struct xd_port *xd_loop_port(struct xd_loop *l, int ifindex)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++)
		if (l->port[i].ifindex == ifindex)
			return &l->port[i];
	return NULL;
}

void xd_port_close(struct xd_port *p)
{
	if (!p->xsk)
		return;
	xmp_xsk_tx_flush(p->xsk);
	xmp_xsk_close(p->xsk);
	p->xsk = NULL;
}

void xd_port_path(struct xd_port *p, struct xc_path *path)
{
	path->port = p;
	path->ifindex = p->ifindex;
	path->ifname = p->ifname;
	path->mtu = p->mtu;
}

int xd_port_xmit(struct xd_loop *l, struct xd_port *p, const struct xmp_pkt_hdrs *h,
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

/* An MP_JOIN SYN (3.2): steered here by the token it names, or to a
 * listener's port with a token we do not know; answered either way. */
static bool join_syn(struct xd_loop *l, const struct xc_path *in, const struct xmp_frame *f)
{
	struct xmp_mp_opt mp;

	if (!xc_frame_join_syn(f, &mp))
		return false;
	if (xd_stop)
		return true; /* closing: no new subflow; the peer's SYN times out */
	xc_join_syn(l->xc, in, f, &mp);
	return true;
}

static void port_frame(struct xd_loop *l, struct xd_port *port, const struct xmp_xsk_pkt *p)
{
	struct xd_listener *ls;
	struct xmp_frame f;
	struct xc_path in;

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
	xd_port_path(port, &in);
	if (!xc_input(l->xc, &in, &f))
		return;
	if (join_syn(l, &in, &f))
		return;
	ls = listener_for(l, &f);
	if (ls)
		xd_accept_syn(l, port, ls, &f);
	else
		l->st.rx_nomatch++;
}

static void port_rx(struct xd_loop *l, struct xd_port *p)
{
	struct xmp_xsk_pkt pk[XD_RX_BATCH];
	unsigned int n, i, rounds = 0;

	do {
		n = xmp_xsk_rx(p->xsk, pk, XD_RX_BATCH);
		l->now = xd_now_us();
		for (i = 0; i < n; i++)
			port_frame(l, p, &pk[i]);
		xmp_xsk_rx_release(p->xsk, pk, n);
	} while (n == XD_RX_BATCH && ++rounds < 16);
}

/* Every port each turn: wakeups may be coalesced. */
void xd_loop_rx(struct xd_loop *l)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++)
		port_rx(l, &l->port[i]);
}

void xd_loop_tx_flush(struct xd_loop *l)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++) {
		xmp_xsk_tx_flush(l->port[i].xsk);
		l->port[i].tx_unflushed = 0;
	}
}

bool xd_loop_tx_inflight(const struct xd_loop *l)
{
	unsigned int i;

	for (i = 0; i < l->nports; i++)
		if (xmp_xsk_tx_inflight(l->port[i].xsk))
			return true;
	return false;
}

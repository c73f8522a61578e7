// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon as the connection layer's host (user/conn/xc.h): the ops that
 * library calls for everything outside it. Frames leave through the AF_XDP
 * port of their subflow (port.c); the clock is the loop's (read once per
 * turn and per burst of frames, so a whole burst sees one time); routes
 * come from the kernel's tables (io/route.h, cached); a client subflow's
 * port is held by a bound kernel socket (io/portres.h); steering is the
 * owned maps XDP reads (io/owned.h); the application end is endpoint.c's.
 *
 * Call chain: the connection layer -> xd_host_ops.* -> port.c, io/,
 * endpoint.c.
 */
#include <errno.h>
#include <string.h>
#include <net/if.h>

#include "common/log.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

__u32 xd_app_mem(bool sock)
{
	return sizeof(struct xd_app) + (sock ? XD_EP_OBUF : 0);
}

static __u64 host_now(void *host)
{
	return ((struct xd_loop *)host)->now;
}

static int host_xmit(void *host, void *port, const struct xmp_pkt_hdrs *h,
		     const struct xmp_seg *seg)
{
	return xd_port_xmit(host, port, h, seg);
}

static int host_route(void *host, const struct xmp_addr *dst, const struct xmp_addr *src,
		      int src_ifindex, struct xc_route *out)
{
	struct xd_loop *l = host;
	struct xd_port *port;
	struct xmp_route r;
	char a[64], b[64];
	int err;

	err = src ? xmp_route_lookup_from(l->rc, dst, src, src_ifindex, &r)
		  : xmp_route_lookup(l->rc, dst, &r);
	if (err) {
		pr_warn("xmptcpd: no route or neighbour for %s%s%s: %s\n",
			xmp_addr_str(dst, a, sizeof(a)), src ? " from " : "",
			src ? xmp_addr_str(src, b, sizeof(b)) : "", strerror(-err));
		return err;
	}
	port = xd_loop_port(l, r.ifindex);
	if (!port) {
		char ifn[IF_NAMESIZE] = "?";

		if_indextoname((unsigned int)r.ifindex, ifn);
		pr_warn("xmptcpd: the route to %s leaves through %s, not an --iface of ours; "
			"connect to an address reached through one\n",
			xmp_addr_str(dst, a, sizeof(a)), ifn);
		return -ENETUNREACH;
	}
	xd_port_path(port, &out->path);
	out->path.mtu = r.mtu;
	out->src = r.src;
	xmp_route_fill_hdrs(&r, &out->hdrs);
	return 0;
}

/* The kernel never sees our subflows: a bound socket keeps it from handing
 * their port to one of its own. The handle is that socket. */
static int host_port_reserve(void *host, const struct xmp_addr *laddr, __u16 *port)
{
	struct xmp_portres res;
	int err;

	(void)host;
	err = xmp_port_reserve(&res, laddr, 0);
	if (err) {
		pr_warn("xmptcpd: cannot reserve a local port: %s\n", strerror(-err));
		return err;
	}
	*port = res.port;
	return res.fd;
}

static void host_port_release(void *host, int handle)
{
	struct xmp_portres res = { .fd = handle };

	(void)host;
	xmp_port_release(&res);
}

static int host_steer_subflow(void *host, const struct xmp_tuple *t, __u32 conn_id, bool on)
{
	struct xd_loop *l = host;
	int err;

	if (!on)
		return xmp_owned_del_subflow(&l->own, t);
	err = xmp_owned_add_subflow(&l->own, t, conn_id);
	if (err)
		pr_warn("xmptcpd: cannot publish the subflow in %s/%s: %s\n", l->pin_dir,
			XMP_MAP_SUBFLOWS, strerror(-err));
	return err;
}

static int host_steer_token(void *host, __u32 token, __u32 conn_id, bool on)
{
	struct xd_loop *l = host;

	return on ? xmp_owned_add_token(&l->own, token, conn_id)
		  : xmp_owned_del_token(&l->own, token);
}

/* ---- the application end: endpoint.c ---- */

static long host_app_produce(void *host, void *app, __u8 *buf, size_t len, bool *eof)
{
	struct xd_endpoint *ep = &((struct xd_app *)app)->ep;
	long n = xd_ep_produce(ep, buf, len, ((struct xd_loop *)host)->now);

	*eof = xd_ep_src_done(ep);
	return n;
}

static size_t host_app_room(void *host, void *app)
{
	(void)host;
	return xd_ep_room(&((struct xd_app *)app)->ep);
}

static void host_app_consume(void *host, void *app, const __u8 *buf, size_t len)
{
	(void)host;
	xd_ep_consume(&((struct xd_app *)app)->ep, buf, len);
}

static int host_app_flush(void *host, void *app, bool eof)
{
	struct xd_endpoint *ep = &((struct xd_app *)app)->ep;

	(void)host;
	ep->rcvd_eof = eof;
	return xd_ep_flush(ep);
}

static void host_app_info(void *host, void *app, struct xc_app_info *info)
{
	const struct xd_endpoint *ep = &((struct xd_app *)app)->ep;

	(void)host;
	memset(info, 0, sizeof(*info));
	if (!xd_ep_is_sock(ep)) {
		info->sent_sha256 = ep->sent_hex;
		info->recv_sha256 = ep->rcvd_hex;
	}
	info->out_queued = ep->olen - ep->ohead;
	info->in_eof = ep->src_eof;
	info->failed = ep->failed;
}

const struct xc_host_ops xd_host_ops = {
	.now = host_now,
	.xmit = host_xmit,
	.route = host_route,
	.port_reserve = host_port_reserve,
	.port_release = host_port_release,
	.steer_subflow = host_steer_subflow,
	.steer_token = host_steer_token,
	.app_produce = host_app_produce,
	.app_room = host_app_room,
	.app_consume = host_app_consume,
	.app_flush = host_app_flush,
	.app_info = host_app_info,
	/* no conn_event: xd_loop_reap() looks at every connection each turn */
};

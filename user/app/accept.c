// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent acceptance (--accept PORT): a local TCP service on PORT gets
 * MPTCP clients without being told of any proxy address. The listener is
 * the all-address wildcard of xmp_listeners flagged MPTCP-only, so XDP
 * steers to us the MP_CAPABLE (and MP_JOIN) SYNs to PORT and leaves plain
 * TCP SYNs to the service's own kernel listener, which keeps the port: we
 * reserve nothing (the service's bind holds it in the kernel's table).
 * Each connection goes on over kernel TCP to the address the client
 * connected to, port PORT: the service may listen on that address alone or
 * on all of them, and a local destination is routed through lo, where no
 * XDP of ours runs, and carries no MP_CAPABLE: our own forward is never
 * steered back to us. Without --proxy-protocol the service's getpeername()
 * shows that local address and an ephemeral port (the forwarding socket);
 * with it, a PROXY v2 header (io/proxy_v2.c) names the client first, for
 * --server's forwards too.
 *
 * Call chain: xmptcpd.c setup -> xd_loop_accept; port.c -> xd_accept_syn
 * (conns.c) -> xd_listener_forward -> xd_proxy_forward_sock (proxy.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "io/addr.h"
#include "io/proxy_v2.h"
#include "app/xmptcpd.h"

_Static_assert(XD_EP_PREAMBLE >= XMP_PROXY_V2_MAX, "no room for a PROXY v2 header");

int xd_loop_accept(struct xd_loop *l, __u16 port)
{
	struct xd_listener *ls;
	int err;

	if (l->nlst == XD_MAX_LISTENERS) {
		pr_warn("xmptcpd: at most %d listeners\n", XD_MAX_LISTENERS);
		return -ENOSPC;
	}
	ls = &l->lst[l->nlst];
	memset(ls, 0, sizeof(*ls));
	ls->res.fd = -1; /* the service's port: not ours to reserve */
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

int xd_listener_forward(struct xd_loop *l, const struct xd_listener *ls,
			const struct xmp_frame *f, struct xd_ep_cfg *ec)
{
	const struct xmp_addr *dst = ls->accept ? &f->daddr : &ls->fwd_addr;
	int n, err;

	err = xd_proxy_forward_sock(dst, ls->accept ? ls->port : ls->fwd_port, &ec->sock_fd);
	if (err)
		return err;
	ec->sock_connecting = true;
	ec->preamble_len = 0;
	if (!l->proxy_v2)
		return 0;
	/* the initial subflow's client and the address it asked for */
	n = xmp_proxy_v2_write(ec->preamble, sizeof(ec->preamble), &f->saddr, f->seg.sport,
			       &f->daddr, f->seg.dport);
	if (n < 0) { /* one SYN's addresses: one family, cannot happen */
		close(ec->sock_fd);
		ec->sock_fd = -1;
		return n;
	}
	ec->preamble_len = (__u8)n;
	return 0;
}

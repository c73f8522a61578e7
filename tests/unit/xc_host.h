/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host for the connection layer (user/conn/xc.h) in a unit test: one
 * stack on one end of the in-memory wire (tests/lib/memwire.h), no root, no
 * AF_XDP, no kernel. Frames are the wire's segments between two fixed
 * addresses (the subflows of a connection differ by port, as ndiffports
 * makes them); the clock is the wire's virtual one; routes and ports are
 * made up; randomness comes from a seed, so a run repeats exactly. Each
 * application end is a struct xch_app: a source of bytes and a sink that
 * keeps what arrives. The other end of the wire is another xch (our own
 * stack as the peer) or anything else a test attaches there.
 */
#ifndef XMP_TEST_XC_HOST_H
#define XMP_TEST_XC_HOST_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>

#include "lib/memwire.h"
#include "conn/xc.h"
#include "io/addr.h"

/* An application end: @len bytes of @src, then its end when @eof; a sink
 * that keeps the first @rx_cap bytes and counts them all. */
struct xch_app {
	const __u8 *src;
	size_t len, off;
	bool eof;
	__u8 *rx;
	size_t rx_len, rx_cap;
	__u64 rx_total;
};

struct xch {
	struct xc_stack *st;
	struct memwire *w;
	int end;
	struct xmp_addr addr, peer; /* ours and the other end's */
	__u16 next_port;
	__u16 listen_port;	    /* SYNs to it start connections (0: none) */
	__u64 rng;
	struct xch_app app;	    /* the application of the connection accepted */
	struct xc_conn *accepted;
};

static inline __u64 xch_now(void *host)
{
	return memwire_now(((struct xch *)host)->w);
}

static inline int xch_xmit(void *host, void *port, const struct xmp_pkt_hdrs *h,
			   const struct xmp_seg *seg)
{
	struct xch *x = host;

	(void)port, (void)h;
	return memwire_xmit(x->w, x->end, seg);
}

static inline void xch_path(struct xch *x, struct xc_path *p)
{
	memset(p, 0, sizeof(*p));
	p->port = x;
	p->ifindex = 1;
	p->ifname = "wire";
	p->mtu = 1500;
}

static inline int xch_route(void *host, const struct xmp_addr *dst, const struct xmp_addr *src,
			    int src_ifindex, struct xc_route *out)
{
	struct xch *x = host;

	(void)src, (void)src_ifindex;
	xch_path(x, &out->path);
	out->src = x->addr;
	memset(&out->hdrs, 0, sizeof(out->hdrs));
	out->hdrs.saddr = x->addr;
	out->hdrs.daddr = *dst;
	return 0;
}

static inline int xch_port_reserve(void *host, const struct xmp_addr *laddr, __u16 *port)
{
	(void)laddr;
	*port = ((struct xch *)host)->next_port++;
	return 0;
}

static inline long xch_app_produce(void *host, void *app, __u8 *buf, size_t len, bool *eof)
{
	struct xch_app *a = app;
	size_t n = a->len - a->off < len ? a->len - a->off : len;

	(void)host;
	if (n)
		memcpy(buf, a->src + a->off, n);
	a->off += n;
	*eof = a->eof && a->off == a->len;
	return (long)n;
}

static inline size_t xch_app_room(void *host, void *app)
{
	(void)host, (void)app;
	return SIZE_MAX;
}

static inline void xch_app_consume(void *host, void *app, const __u8 *buf, size_t len)
{
	struct xch_app *a = app;
	size_t n = a->rx_cap - a->rx_len < len ? a->rx_cap - a->rx_len : len;

	(void)host;
	if (n)
		memcpy(a->rx + a->rx_len, buf, n);
	a->rx_len += n;
	a->rx_total += len;
}

static inline void xch_random(void *host, void *buf, size_t len)
{
	struct xch *x = host;
	__u8 *p = buf;

	while (len) {
		__u64 r = xmp_rng_next(&x->rng);
		size_t n = len < sizeof(r) ? len : sizeof(r);

		memcpy(p, &r, n);
		p += n;
		len -= n;
	}
}

static const struct xc_host_ops xch_ops = {
	.now = xch_now,
	.xmit = xch_xmit,
	.route = xch_route,
	.port_reserve = xch_port_reserve,
	.app_produce = xch_app_produce,
	.app_room = xch_app_room,
	.app_consume = xch_app_consume,
	.random = xch_random,
};

/* A segment off the wire: to the subflow it names, else an MP_JOIN SYN,
 * else a SYN to our listening port. */
static inline void xch_rx(void *arg, const struct xmp_seg *seg, __u64 now_us)
{
	struct xch *x = arg;
	struct xc_app app = { .ctx = &x->app };
	struct xmp_frame f = { .ip_version = 4, .saddr = x->peer, .daddr = x->addr,
			       .seg = *seg };
	struct xmp_mp_opt mp;
	struct xc_path in;

	(void)now_us;
	/* the one option parse a frame gets (xmp_pkt_parse does it for the daemon) */
	xmp_tcp_parse_options(seg->opts, seg->optlen, seg->flags & XMP_TH_SYN, &f.opts);
	xch_path(x, &in);
	if (!xc_input(x->st, &in, &f))
		return;
	if (xc_frame_join_syn(&f, &mp))
		xc_join_syn(x->st, &in, &f, &mp);
	else if (x->listen_port && seg->dport == x->listen_port && (seg->flags & XMP_TH_SYN) &&
		 !x->accepted)
		xc_conn_accept(&x->accepted, x->st, &in, &f, &app);
}

static inline __u64 xch_next_timer(void *arg)
{
	return xc_stack_next_timer(((struct xch *)arg)->st);
}

static inline void xch_on_timer(void *arg, __u64 now_us)
{
	(void)now_us;
	xc_stack_timers(((struct xch *)arg)->st);
}

static const struct memwire_end_ops xch_end_ops = {
	.rx = xch_rx,
	.next_timer = xch_next_timer,
	.on_timer = xch_on_timer,
};

static inline int xch_init(struct xch *x, struct memwire *w, int end, const struct xc_cfg *cfg,
			   __u64 seed)
{
	struct xc_local_addr la;
	int err;

	memset(x, 0, sizeof(*x));
	x->w = w;
	x->end = end;
	/* 10.0.0.1 at end 0, 10.0.0.2 at end 1 */
	xmp_addr_from_v4(&x->addr, htonl(0x0a000001u + (__u32)end));
	xmp_addr_from_v4(&x->peer, htonl(0x0a000002u - (__u32)end));
	x->next_port = 40000;
	x->rng = seed;
	err = xc_stack_new(&x->st, cfg, &xch_ops, x);
	if (err)
		return err;
	la = (struct xc_local_addr){ .addr = x->addr, .ifindex = 1, .up = true };
	xc_pm_set_addrs(x->st, &la, 1);
	memwire_attach(w, end, &xch_end_ops, x);
	return 0;
}

static inline void xch_fini(struct xch *x)
{
	xc_stack_free(x->st);
	x->st = NULL;
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * A connection-layer host on the in-memory wire (see memhost.h): the
 * xc_host_ops a test needs, frames through the packet layer, built-in
 * pattern ends that count every wrong byte.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/addr.h"
#include "io/pkt.h"
#include "lib/memhost.h"

/* The per-byte loops below are the test's, not code under test: in the
 * fuzzer their coverage callbacks would cost more than the library's work. */
#ifdef __clang__
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

/* The pattern byte at offset @off of stream @seed: every byte depends on
 * its offset, so a byte delivered at the wrong place is seen. */
static NO_COVERAGE __u8 pattern_byte(__u64 seed, __u64 off)
{
	__u64 x = (seed ^ (off >> 3)) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	return (__u8)(x >> (8 * (off & 7)));
}

/* A connection's two streams are keyed by its client's port: the server
 * knows it from the SYN, however many SYNs came and went before. */
static __u64 app_seed(int side, __u16 cport)
{
	return ((__u64)side << 32) | cport;
}

static void app_key(struct memhost_app *a, __u16 cport)
{
	a->cport = cport;
	a->seed = app_seed(a->h->side, cport);
	a->peer_seed = app_seed(!a->h->side, cport);
}

static struct memhost_app *app_new(struct memhost *h, __u64 send_total)
{
	struct memhost_app *a;

	if (h->napps == MEMHOST_APPS)
		return NULL;
	a = &h->app[h->napps];
	memset(a, 0, sizeof(*a));
	a->h = h;
	a->send_total = send_total;
	a->hold_eof = h->hold_eof;
	h->napps++;
	return a;
}

/* ---- host ops ---- */

static __u64 mh_now(void *host)
{
	return memwire_now(((struct memhost *)host)->w);
}

static int mh_xmit(void *host, void *port, const struct xmp_pkt_hdrs *hd,
		     const struct xmp_seg *seg)
{
	struct memhost *h = host;
	struct memhost_port *p = port;
	int n;

	/* the frame is built as the daemon builds it, then the wire carries
	 * the segment: the other side rebuilds and parses it */
	n = xmp_pkt_build(h->frame, sizeof(h->frame), hd, seg);
	if (n < 0) {
		h->stats.xmit_err++;
		return n;
	}
	if (!xmp_addr_eq(&hd->saddr, &p->addr) || !xmp_addr_eq(&hd->daddr, &p->peer)) {
		h->stats.misrouted++; /* a frame on an interface its addresses are not of */
		return -EHOSTUNREACH;
	}
	h->stats.xmit++;
	if (h->tap)
		h->tap(h->tap_arg, p->link, seg);
	return memwire_link_xmit(h->w, p->link, h->side, seg);
}

static int mh_route(void *host, const struct xmp_addr *dst, const struct xmp_addr *src,
		      int src_ifindex, struct xc_route *out)
{
	struct memhost *h = host;
	struct memhost_port *p;
	unsigned int i;

	for (i = 0; i < h->nports; i++) {
		p = &h->port[i];
		if (!xmp_addr_eq(&p->peer, dst) || (src && !xmp_addr_eq(&p->addr, src)) ||
		    (src_ifindex && src_ifindex != p->path.ifindex))
			continue;
		memset(out, 0, sizeof(*out));
		out->path = p->path;
		out->src = p->addr;
		out->hdrs.saddr = p->addr;
		out->hdrs.daddr = p->peer;
		out->hdrs.src_mac[5] = (__u8)(h->side + 1);
		out->hdrs.dst_mac[5] = (__u8)(2 - h->side);
		return 0;
	}
	return -EHOSTUNREACH; /* each link is its own network */
}

static int mh_port_reserve(void *host, const struct xmp_addr *laddr, __u16 *port)
{
	struct memhost *h = host;

	(void)laddr;
	*port = h->next_lport++;
	h->last_lport = *port;
	return *port;
}

static void mh_port_release(void *host, int handle)
{
	(void)host;
	(void)handle;
}

static int mh_steer_subflow(void *host, const struct xmp_tuple *t, __u32 conn_id, bool on)
{
	(void)host, (void)t, (void)conn_id, (void)on;
	return 0; /* the wire delivers every frame to this host */
}

static int mh_steer_token(void *host, __u32 token, __u32 conn_id, bool on)
{
	(void)host, (void)token, (void)conn_id, (void)on;
	return 0;
}

static NO_COVERAGE long mh_app_produce(void *host, void *ctx, __u8 *buf, size_t len, bool *eof)
{
	struct memhost_app *a = ctx;
	__u64 n = a->send_total - a->sent, i;

	(void)host;
	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		buf[i] = pattern_byte(a->seed, a->sent + i);
	a->sent += n;
	*eof = a->sent == a->send_total && !a->hold_eof;
	a->eof_out = *eof;
	return (long)n;
}

static size_t mh_app_room(void *host, void *ctx)
{
	struct memhost_app *a = ctx;

	(void)host;
	if (a->paused)
		return 0;
	if (a->buf_cap)
		return a->buf_cap - a->buffered;
	return a->room ? a->room : SIZE_MAX;
}

static NO_COVERAGE void mh_app_consume(void *host, void *ctx, const __u8 *buf, size_t len)
{
	struct memhost_app *a = ctx;
	size_t i;

	(void)host;
	for (i = 0; i < len; i++)
		if (buf[i] != pattern_byte(a->peer_seed, a->rcvd + i) && !a->bad++)
			a->first_bad = a->rcvd + i;
	a->rcvd += len;
	a->buffered += a->buf_cap ? len : 0;
}

static int mh_app_flush(void *host, void *ctx, bool eof)
{
	struct memhost_app *a = ctx;

	(void)host;
	if (a->flushes++ & 1)
		a->buffered -= a->drain && a->drain < a->buffered ? a->drain : a->buffered;
	a->eof_in |= eof;
	return 0;
}

static void mh_random(void *host, void *buf, size_t len)
{
	struct memhost *h = host;
	__u8 *p = buf;
	__u64 x = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			x = xmp_rng_next(&h->rng);
		p[i] = (__u8)(x >> (8 * (i & 7)));
	}
}

static const struct xc_host_ops memhost_ops = {
	.now = mh_now,
	.xmit = mh_xmit,
	.route = mh_route,
	.port_reserve = mh_port_reserve,
	.port_release = mh_port_release,
	.steer_subflow = mh_steer_subflow,
	.steer_token = mh_steer_token,
	.app_produce = mh_app_produce,
	.app_room = mh_app_room,
	.app_consume = mh_app_consume,
	.app_flush = mh_app_flush,
	.random = mh_random,
};

/* ---- the wire's side ---- */

static void accept_syn(struct memhost *h, struct memhost_port *p, const struct xmp_frame *f)
{
	struct memhost_app *a = app_new(h, h->send_total);
	struct xc_app app = { 0 };

	if (!a) {
		h->stats.rx_nomatch++;
		return;
	}
	app.ctx = a;
	app.reply = h->reply;
	app_key(a, f->seg.sport);
	if (xc_conn_accept(&a->c, h->st, &p->path, f, &app)) {
		h->napps--;
		h->stats.rx_nomatch++;
		return;
	}
	h->stats.accepted++;
}

void memhost_input(struct memhost *h, unsigned int link, const struct xmp_frame *f)
{
	struct memhost_port *p = &h->port[link];
	struct xmp_mp_opt mp;

	if (xc_input(h->st, &p->path, f) != -ENOENT)
		return;
	if (xc_frame_join_syn(f, &mp)) {
		h->stats.joins_in++;
		xc_join_syn(h->st, &p->path, f, &mp);
	} else if (h->listen_port && f->seg.dport == h->listen_port &&
		   (f->seg.flags & (XMP_TH_SYN | XMP_TH_ACK)) == XMP_TH_SYN) {
		accept_syn(h, p, f);
	} else {
		h->stats.rx_nomatch++;
	}
}

void memhost_rx(struct memhost *h, unsigned int link, const struct xmp_seg *seg)
{
	struct memhost_port *p = &h->port[link];
	struct xmp_pkt_hdrs hd = { .saddr = p->peer, .daddr = p->addr };
	struct xmp_frame f;
	int n;

	h->stats.rx++;
	n = xmp_pkt_build(h->rxframe, sizeof(h->rxframe), &hd, seg);
	if (n < 0 || xmp_pkt_parse(h->rxframe, (__u32)n, NULL, 0, &f)) {
		h->stats.rx_bad++;
		return;
	}
	memhost_input(h, link, &f);
}

static void port_rx(void *arg, const struct xmp_seg *seg, __u64 now)
{
	struct memhost_port *p = arg;

	(void)now;
	memhost_rx(p->h, p->link, seg);
}

static __u64 mh_next_timer(void *arg)
{
	return xc_stack_next_timer(((struct memhost_port *)arg)->h->st);
}

static void mh_on_timer(void *arg, __u64 now)
{
	struct memhost *h = ((struct memhost_port *)arg)->h;

	xc_stack_timers(h->st);
	if (xc_stack_next_timer(h->st) <= now)
		h->stats.timer_again++;
}

/* Port 0 carries the stack's timers; the others only frames. */
static const struct memwire_end_ops port0_ops = {
	.rx = port_rx,
	.next_timer = mh_next_timer,
	.on_timer = mh_on_timer,
};
static const struct memwire_end_ops port_ops = { .rx = port_rx };

static void port_addr(struct xmp_addr *a, bool ipv6, unsigned int link, int side)
{
	memset(a, 0, sizeof(*a));
	if (ipv6) {
		a->a[0] = 0xfd;
		a->a[3] = (__u8)link;
		a->a[15] = (__u8)(side + 1);
	} else {
		a->a[10] = a->a[11] = 0xff;
		a->a[12] = 10;
		a->a[14] = (__u8)link;
		a->a[15] = (__u8)(side + 1);
	}
}

int memhost_init(struct memhost *h, struct memwire *w, int side, bool ipv6,
		 const struct xc_cfg *cfg, __u64 seed)
{
	struct xc_local_addr la[MEMWIRE_MAX_LINKS];
	struct memhost_port *p;
	struct xc_cfg def;
	unsigned int i;
	int err;

	memset(h, 0, sizeof(*h));
	h->w = w;
	h->side = side;
	h->nports = memwire_links(w);
	h->next_lport = 40000;
	h->rng = seed ^ ((__u64)side << 63);
	if (!cfg) {
		xc_cfg_default(&def);
		cfg = &def;
	}
	err = xc_stack_new(&h->st, cfg, &memhost_ops, h);
	if (err)
		return err;
	for (i = 0; i < h->nports; i++) {
		p = &h->port[i];
		p->h = h;
		p->link = i;
		port_addr(&p->addr, ipv6, i, side);
		port_addr(&p->peer, ipv6, i, !side);
		snprintf(p->ifname, sizeof(p->ifname), "mw%u", i);
		p->path = (struct xc_path){ .port = p, .ifindex = (int)i + 1,
					    .ifname = p->ifname, .mtu = 1500 };
		la[i] = (struct xc_local_addr){ .addr = p->addr, .ifindex = (int)i + 1, .up = true };
		memwire_link_attach(w, i, side, i ? &port_ops : &port0_ops, p);
	}
	xc_pm_set_addrs(h->st, la, h->nports);
	return 0;
}

void memhost_fini(struct memhost *h)
{
	xc_stack_free(h->st);
	h->st = NULL;
}

void memhost_listen(struct memhost *h, __u16 port, __u64 send_total, bool reply)
{
	h->listen_port = port;
	h->send_total = send_total;
	h->reply = reply;
}

int memhost_connect(struct memhost *h, __u16 dport, __u64 send_total, struct memhost_app **out)
{
	struct memhost_app *a = app_new(h, send_total);
	struct xc_app app = { 0 };
	int err;

	if (!a)
		return -ENOSPC;
	app.ctx = a;
	err = xc_conn_connect(&a->c, h->st, &h->port[0].peer, dport, &app);
	if (err) {
		h->napps--;
		return err;
	}
	app_key(a, h->last_lport); /* the initial subflow's: the first reserved */
	*out = a;
	return 0;
}

void memhost_link_event(struct memhost *h, unsigned int link, bool up)
{
	memwire_link_set_up(h->w, link, up);
	xc_pm_link_event(h->st, (int)link + 1, up);
}

__u8 memhost_app_byte(const struct memhost_app *a, __u64 off)
{
	return pattern_byte(a->seed, off);
}

const struct xmp_addr *memhost_addr(const struct memhost *h, unsigned int link)
{
	return &h->port[link].addr;
}

bool memhost_all_done(const struct memhost *h)
{
	unsigned int i;

	for (i = 0; i < h->napps; i++)
		if (!xc_conn_done(h->app[i].c))
			return false;
	return true;
}

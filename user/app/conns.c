// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's side of each connection: the connections themselves are the
 * connection layer's (user/conn/xc.h); the daemon gives each an application
 * end (struct xd_app: the built-in endpoint or an app's socket), creates
 * them (the built-in client, a SYN to a listener, a client proxy's app),
 * counts them, reports each as it completes (its JSON summary line) and
 * frees it once its TIME-WAIT is over. A SYN flood holds --max-half-open
 * connections at most: the oldest half-open one goes for a newer SYN.
 *
 * Call chain: port.c -> xd_accept_syn -> xc_conn_accept; xd_loop_reap
 * (every turn of the loop) -> report -> xd_loop_free_conn -> xc_conn_free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "common/log.h"
#include "io/proxy_v2.h"
#include "app/xmptcpd.h"

_Static_assert(XD_EP_PREAMBLE >= XMP_PROXY_V2_MAX, "no room for a PROXY v2 header");

#define XD_PUBLISH_US 250000 /* xmp_conns refresh */

/* On failure the socket (if any) stays the caller's. */
static int app_new(struct xd_app **out, const struct xd_ep_cfg *ep)
{
	struct xd_app *a = calloc(1, sizeof(*a));
	int err;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->src.fd = -1;
	err = xd_ep_init(&a->ep, ep);
	if (err) {
		free(a);
		return err;
	}
	*out = a;
	return 0;
}

/* Closes the app socket too, unless @keep_sock (it stays the caller's). */
static void app_free(struct xd_app *a, bool keep_sock)
{
	if (keep_sock)
		a->ep.sock_fd = -1;
	xd_ep_free(&a->ep);
	free(a);
}

static void app_cfg(struct xc_app *app, struct xd_app *a, bool reply)
{
	bool sock = xd_ep_is_sock(&a->ep);

	memset(app, 0, sizeof(*app));
	app->ctx = a;
	app->mem = xd_app_mem(sock);
	app->proxied = sock;
	app->reply = reply && !sock;
}

/* A new connection is ours to count (and in xmp_conns at the next turn). */
static void conn_added(struct xd_loop *l)
{
	l->nconns++;
	l->nactive++;
	l->st.conns_opened++;
	l->publish_at = 0;
}

int xd_conn_connect(struct xd_loop *l, const struct xmp_addr *dst, __u16 dport,
		    const struct xd_ep_cfg *ep, struct xd_app **out)
{
	struct xc_app app;
	struct xd_app *a;
	int err;

	err = app_new(&a, ep);
	if (err)
		return err;
	app_cfg(&app, a, false);
	err = xc_conn_connect(&a->c, l->xc, dst, dport, &app);
	if (err) {
		app_free(a, true);
		return err;
	}
	conn_added(l);
	*out = a;
	return 0;
}

/* A forwarding listener's SYN: ec gets the kernel TCP socket connecting to
 * the app (--accept: the address the client connected to, the same port)
 * and, with --proxy-protocol, the PROXY v2 header naming the initial
 * subflow's client and destination: otherwise the app's getpeername()
 * shows only our forwarding socket. 0 or -errno. */
static int listener_forward(struct xd_loop *l, const struct xd_listener *ls,
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

/* A SYN to one of our listeners: a new connection, its app end the
 * built-in endpoint (it answers after the client's data: request and
 * response) or (server proxy, --accept) a kernel TCP connect() to the app. */
void xd_accept_syn(struct xd_loop *l, struct xd_port *port, struct xd_listener *ls,
		   const struct xmp_frame *f)
{
	struct xd_ep_cfg ec = l->builtin;
	struct xc_conn *victim;
	struct xd_app *a = NULL;
	struct xc_path in;
	struct xc_app app;
	int err;

	if (xd_stop)
		return;
	/* a SYN flood holds --max-half-open at most */
	victim = xc_halfopen_victim(l->xc, l->nactive);
	if (victim) {
		l->st.syn_evicted++;
		xd_loop_evict(l, victim);
	}
	if (l->nactive >= xc_stack_cfg(l->xc)->max_conns) {
		l->st.rx_syn_limit++; /* the peer retries or gives up; nothing kept */
		return;
	}
	if (ls->forward) {
		err = listener_forward(l, ls, f, &ec);
		if (err) {
			l->st.proxy_fwd_failed++;
			return; /* no state: the SYN goes unanswered, the peer retries */
		}
	}
	xd_port_path(port, &in);
	err = app_new(&a, &ec);
	if (!err) {
		app_cfg(&app, a, true);
		err = xc_conn_accept(&a->c, l->xc, &in, f, &app);
	}
	if (err) {
		if (err != -ENOBUFS) /* --max-mem: counted in mem_refused */
			pr_warn("xmptcpd: cannot accept a connection: %s\n", strerror(-err));
		if (a)
			app_free(a, true);
		if (ec.sock_fd >= 0)
			close(ec.sock_fd);
		return;
	}
	conn_added(l);
	a->src.obj = a;
	if (ls->forward) {
		err = xd_loop_watch(l, &a->src, a->ep.sock_fd);
		if (err) {
			xc_conn_abort(a->c, err);
			return;
		}
	}
	xc_conn_pump(a->c);
}

void xd_conn_close(struct xc_conn *c)
{
	xd_ep_stop(&xd_app_of(c)->ep);
	xc_conn_close(c);
}

/* Unwatches and frees; an app socket of a failed connection is reset, so
 * the app learns the transfer broke (as a kernel TCP peer's RST would). */
void xd_loop_free_conn(struct xd_loop *l, struct xc_conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct xd_app *a = xd_app_of(c);

	l->nconns--;
	if (!a->reported)
		l->nactive--;
	xmp_owned_del_conn(&l->own, (__u32)xc_conn_id(c));
	xd_loop_unwatch(l, &a->src);
	if (a->ep.sock_fd >= 0 && (xc_conn_err(c) || !xd_ep_flushed(&a->ep)))
		setsockopt(a->ep.sock_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	xc_conn_free(c);
	app_free(a, false);
}

/* Built-in client: keep `parallel` connections going until `count` began. */
void xd_loop_client_fill(struct xd_loop *l)
{
	struct xd_app *a;

	while (l->client && l->started < l->count && l->nactive < l->parallel &&
	       l->nactive < xc_stack_cfg(l->xc)->max_conns && !xd_stop) {
		l->started++;
		l->now = xd_now_us(); /* the SYN's time: its RTT sample, t_start */
		if (xd_conn_connect(l, &l->dst, l->dport, &l->builtin, &a)) {
			l->st.conns_failed++;
			continue;
		}
		xc_conn_pump(a->c);
	}
}

static void report(struct xd_loop *l, struct xd_app *a)
{
	bool ok = xd_ep_flushed(&a->ep) && xc_conn_ok(a->c);

	xd_ep_finish(&a->ep);
	if (l->report) {
		xc_conn_report(a->c, l->report);
		fflush(l->report);
	}
	if (ok)
		l->st.conns_ok++;
	else
		l->st.conns_failed++;
	if (xc_conn_plain(a->c))
		l->st.conns_plain++;
	l->st.bytes_sent += a->ep.sent;
	l->st.bytes_rcvd += a->ep.rcvd;
	a->reported = true;
	l->nactive--;
}

/* A connection is over once its transfer ended and the app has every byte
 * (or it failed); it is reported then. The engine of a client that closed
 * first stays in TIME-WAIT (answering a retransmitted FIN) until it ends. */
void xd_loop_reap(struct xd_loop *l)
{
	struct xc_conn *c, *n;

	for (c = xc_stack_conns(l->xc); c; c = n) {
		struct xd_app *a = xd_app_of(c);

		n = xc_conn_next(c);
		if (!a->reported && xc_conn_done(c) && (xc_conn_err(c) || xd_ep_flushed(&a->ep)))
			report(l, a);
		if (a->reported && !xc_conn_lingers(c))
			xd_loop_free_conn(l, c);
	}
	xd_loop_client_fill(l);
}

/* A half-open connection given up for a newer SYN (xc_halfopen_victim()):
 * freed now, not at the next reap, so what a flood holds between two turns
 * of the loop stays within --max-half-open. */
void xd_loop_evict(struct xd_loop *l, struct xc_conn *c)
{
	struct xd_app *a = xd_app_of(c);

	xc_conn_drop(c, -ETIMEDOUT);
	if (!a->reported) {
		/* no summary line, not ok, failed or plain: it never was a
		 * connection (syn_evicted counts it) */
		a->reported = true;
		l->nactive--;
	}
	if (!xc_conn_lingers(c))
		xd_loop_free_conn(l, c);
}

/* The connection table in xmp_conns, for bpftool: a few times a second. */
void xd_loop_publish(struct xd_loop *l)
{
	struct xmp_conn_val v;
	struct xc_conn *c;

	if (l->own.conns_fd < 0 || l->now < l->publish_at)
		return;
	l->publish_at = l->now + XD_PUBLISH_US;
	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c)) {
		xc_conn_publish_val(c, &v);
		xmp_owned_put_conn(&l->own, (__u32)xc_conn_id(c), &v);
	}
}

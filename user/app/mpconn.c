// SPDX-License-Identifier: GPL-2.0
/*
 * One MPTCP connection of xmptcpd over a single subflow: the glue between
 * the subflow TCP engine (tcp/tcp.h), the MP_CAPABLE / DSS logic of
 * mptcp/subflow.h and the data sequence space of mptcp/conn.h, with the
 * built-in endpoint (endpoint.c) as the application and loop.c as the wire.
 *
 * Engine hooks:
 *  - write_options: xmp_sf_build_options() decides what the segment says;
 *    the mapping it carries is then cut to cover exactly this segment
 *    (seg_mapping()): the engine segments its send buffer as it likes
 *    (window, retransmissions), and a segment must never carry bytes that
 *    its own DSS does not map (RFC 8684 3.3.1; Linux drops the subflow on
 *    a mapping that ends inside an skb). With one subflow the subflow and
 *    data sequence spaces are parallel, so any byte range has one mapping.
 *  - rcv_options: MP_CAPABLE SYN-ACK (client) or xmp_sf_rcv_options().
 *  - event: recorded; xd_conn_pump() runs after every engine entry.
 *
 * The pump moves endpoint bytes into the msk, carves mappings of at most
 * XD_MAP_MAX bytes into the subflow (one xmp_tcp_send() each, recorded
 * with xmp_sf_txmap_add()), drains in-order subflow bytes through
 * xmp_sf_data() into the reassembly buffer and reads the msk into the
 * sink. Close (3.3.3): DATA_FIN when the source is done, the subflow FIN
 * once both DATA_FINs are acked.
 *
 * Plain TCP (3.7, SYN or SYN-ACK without MP_CAPABLE): the engine alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/log.h"
#include "io/addr.h"
#include "mptcp/dss_csum.h"
#include "app/xmptcpd.h"

#define XD_MAP_MAX	   32768	 /* bytes per mapping carved (data_len is 16 bits) */
#define XD_OPT_RESERVE	   28		 /* DSS: DATA_ACK64 + DSN64 map (26) padded */
#define XD_TCP_BUF	   (1u << 20)	 /* subflow send/receive buffer */
#define XD_MSK_SNDBUF	   (2u << 20)	 /* data-level buffer: holds data until DATA_ACKed */
#define XD_MSK_RCVBUF	   (1u << 20)
#define XD_DFIN_RTO_US	   200000	 /* first DATA_FIN retransmission */
#define XD_DFIN_RTO_MAX_US 3000000

/* One worker: a single scratch buffer for copies between the layers. */
static __u8 xfer_buf[65536];
_Static_assert(XD_MAP_MAX <= sizeof(xfer_buf), "a mapping is copied whole");

static bool ssn_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static __u32 rel_snd(const struct xmp_tcp_sock *sk, __u32 seq)
{
	return seq - sk->iss;
}

static void conn_force_ack(struct xd_conn *c)
{
	if (c->sk && xmp_tcp_ack_now(c->sk, c->loop->now))
		c->acks_forced++;
}

/* ---- write_options: per-segment mapping ---- */

static int tx_find(const struct xmp_sf *sf, __u32 rel)
{
	unsigned int i;

	for (i = 0; i < sf->ntx; i++) {
		const struct xmp_sf_txent *e = &sf->tx[i];

		if (!ssn_before(rel, e->ssn) && ssn_before(rel, e->ssn + e->map.len))
			return (int)i;
	}
	return -1;
}

/*
 * 3.3.1: rewrite the mapping of a data segment to cover exactly its bytes:
 * the DSN of its first byte, its subflow sequence, its length (+1 when it
 * ends where a mapping with the DATA_FIN ends), and the checksum over this
 * payload when checksums are in use. Consecutive recorded mappings are
 * contiguous in both spaces (one subflow, new data only), so a segment
 * spanning two of them still has one mapping; when they are not, the
 * segment's mapping stops at the break (counted).
 */
static void seg_mapping(struct xd_conn *c, __u32 rel, const struct xmp_seg *seg,
			struct xmp_mp_opt *mp)
{
	const struct xmp_sf *sf = &c->sf;
	const struct xmp_sf_txent *e, *n;
	bool mpc = mp->suboptions & XMP_MPO_MPC_ACK;
	__u32 end, len, cover;
	__u16 data_len, csum = 0;
	int i = tx_find(sf, rel);
	bool fin;
	__u64 dsn;

	if (i < 0)
		return;
	e = &sf->tx[i];
	if (e->map.infinite)
		return; /* 3.7: the infinite mapping is sent as built */
	dsn = e->map.dsn + (rel - e->ssn);
	cover = e->ssn + e->map.len;
	end = rel + seg->len;
	while (ssn_before(cover, end) && !e->map.fin && (unsigned int)i + 1 < sf->ntx) {
		n = &sf->tx[i + 1];
		if (n->ssn != cover || n->map.dsn != e->map.dsn + e->map.len || n->map.infinite)
			break;
		e = n;
		i++;
		cover = e->ssn + e->map.len;
	}
	len = ssn_before(cover, end) ? cover - rel : seg->len;
	fin = rel + len == cover && e->map.fin;
	/* The MP_CAPABLE with data has no DATA_FIN bit: the DATA_FIN then
	 * follows on a DSS (xmp_msk_fin_pending()). */
	if (mpc)
		fin = false;
	data_len = (__u16)(len + fin);
	if (sf->csum)
		csum = xmp_dss_csum_buf(dsn, rel, data_len, seg->payload, len);
	if (mpc) {
		mp->mpc.data_len = data_len;
		mp->mpc.csum = csum;
	} else {
		mp->dss.data_seq = dsn;
		mp->dss.subflow_seq = rel;
		mp->dss.data_len = data_len;
		mp->dss.data_fin = fin;
		mp->dss.csum = csum;
	}
	c->seg_maps++;
}

static int conn_write_options(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			      __u8 *buf, unsigned int space)
{
	struct xd_conn *c = ctx;
	__u32 rel = rel_snd(sk, seg->seq);
	struct xmp_mp_opt mp;
	int n;

	if (c->plain)
		return 0;
	if (!xmp_sf_build_options(&c->sf, seg->flags, rel, seg->len, &mp))
		return 0;
	if (seg->len && (mp.suboptions & (XMP_MPO_DSS | XMP_MPO_MPC_ACK)) &&
	    ((mp.suboptions & XMP_MPO_MPC_ACK) ? mp.mpc.variant == XMP_MPC_ACK_DATA
					       : mp.dss.use_map))
		seg_mapping(c, rel, seg, &mp);
	n = xmp_mp_write(buf, space, &mp);
	if (n == -ENOSPC && (mp.suboptions & XMP_MPO_DSS)) {
		/* SACK blocks or checksums took the room: 32-bit forms (3.3). */
		mp.dss.ack64 = 0;
		n = xmp_mp_write(buf, space, &mp);
		if (n == -ENOSPC) {
			mp.dss.dsn64 = 0;
			n = xmp_mp_write(buf, space, &mp);
		}
	}
	if (n < 0) {
		pr_debug("xmptcpd: options do not fit (%d bytes free): %s\n", space, strerror(-n));
		return n;
	}
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_ack) {
		c->dack_tx = mp.dss.data_ack;
		c->dack_valid = true;
	}
	return n;
}

/* ---- rcv_options ---- */

static __u32 scaled_wnd(const struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	return (seg->flags & XMP_TH_SYN) ? seg->wnd : (__u32)seg->wnd << sk->snd_wscale;
}

/* 3.1: the SYN-ACK's MP_CAPABLE (client), before the engine takes it. */
static int rcv_synack(struct xd_conn *c, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		      const struct xmp_mp_opt *mp)
{
	int r;

	if (c->role != XMP_SF_CLIENT || c->sf.state != XMP_SF_SYN_SENT ||
	    !(seg->flags & XMP_TH_ACK) || seg->ack != sk->iss + 1)
		return 0;
	r = xmp_sf_rcv_synack(&c->sf, mp);
	if (r < 0)
		return r;
	if (r == XMP_SF_PLAIN) {
		pr_info("xmptcpd: SYN-ACK without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
		return 0;
	}
	xmp_msk_init_wnd(c->sf.msk, seg->wnd);
	return 0;
}

static int conn_rcv_options(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct xd_conn *c = ctx;
	bool had_msk = c->sf.msk != NULL;
	struct xmp_mp_opt mp;
	int err;

	if (c->plain)
		return 0;
	xmp_mp_parse(seg->opts, seg->optlen, &mp, &c->pst);
	if (seg->flags & XMP_TH_SYN)
		return rcv_synack(c, sk, seg, &mp);
	err = xmp_sf_rcv_options(&c->sf, seg->flags, seg->seq - sk->irs, seg->len,
				 scaled_wnd(sk, seg), &mp);
	if (err)
		return err;
	if (!had_msk && c->sf.msk)
		xmp_msk_init_wnd(c->sf.msk, scaled_wnd(sk, seg)); /* server: third ACK */
	if (c->sf.state == XMP_SF_FALLBACK && !c->sf.msk && !c->plain) {
		pr_info("xmptcpd: third ACK without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
	}
	return 0;
}

static void conn_event(void *ctx, struct xmp_tcp_sock *sk, unsigned int ev)
{
	struct xd_conn *c = ctx;

	c->events |= ev;
	if ((ev & XMP_TCP_EV_ESTABLISHED) && !c->t_established)
		c->t_established = c->loop->now;
	if ((ev & (XMP_TCP_EV_RESET | XMP_TCP_EV_ERROR)) && !c->err)
		c->err = sk->err ? sk->err : -ECONNABORTED;
}

static int conn_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct xd_conn *c = ctx;

	(void)sk;
	return xd_loop_xmit(c->loop, c->ifp, &c->hdrs, seg);
}

/* 3.3.4: the connection-level window (xmp_sf_rcv_wnd()); plain TCP: the
 * engine's own. */
static __u32 conn_rcv_wnd(void *ctx, struct xmp_tcp_sock *sk, __u32 wnd)
{
	struct xd_conn *c = ctx;

	return c->plain ? wnd : xmp_sf_rcv_wnd(&c->sf, xmp_tcp_readable(sk), wnd);
}

static const struct xmp_tcp_ops conn_ops = {
	.xmit = conn_xmit,
	.event = conn_event,
	.write_options = conn_write_options,
	.rcv_options = conn_rcv_options,
	.rcv_wnd = conn_rcv_wnd,
};

/* ---- creation ---- */

static int conn_alloc(struct xd_conn **out, struct xd_loop *l, const struct xd_ep_cfg *ep,
		      enum xmp_sf_role role)
{
	struct xmp_sf_cfg sfc = {
		.csum_req = l->csum,
		.msk = { .sndbuf = XD_MSK_SNDBUF, .rcvbuf = XD_MSK_RCVBUF },
	};
	struct xd_conn *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->loop = l;
	c->role = role;
	c->port.fd = -1;
	c->app_src.fd = -1;
	c->t_start = l->now;
	c->dfin_rto_us = XD_DFIN_RTO_US;
	c->dfin_rtx_at = XMP_TCP_NO_TIMER;
	err = xmp_sf_init(&c->sf, role, &sfc);
	if (err) {
		free(c);
		return err;
	}
	err = xd_ep_init(&c->ep_store, ep);
	if (err) {
		xmp_msk_destroy(c->sf.msk);
		free(c);
		return err;
	}
	c->ep = &c->ep_store;
	c->proxied = xd_ep_is_sock(c->ep);
	*out = c;
	return 0;
}

static int conn_engine(struct xd_conn *c, __u32 mtu, bool v4)
{
	struct xmp_tcp_cfg cfg = {
		.lport = c->lport,
		.rport = c->rport,
		.opt_reserve = XD_OPT_RESERVE,
		.sndbuf = XD_TCP_BUF,
		.rcvbuf = XD_TCP_BUF,
		.nodelay = true,
	};
	__u32 hdrs = v4 ? XMP_IP4_HLEN + XMP_TCP_HLEN : XMP_IP6_HLEN + XMP_TCP_HLEN;

	if (!mtu || mtu > 9000)
		mtu = 1500;
	cfg.mss = (__u16)(mtu - hdrs);
	if (getrandom(&cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		cfg.seed = xd_now_us() ^ ((__u64)c->lport << 32);
	return xmp_tcp_create(&c->sk, &cfg, &conn_ops, c);
}

static int conn_own(struct xd_conn *c)
{
	int err;

	xmp_tuple_make(&c->tuple, &c->raddr, c->rport, &c->laddr, c->lport);
	err = xmp_owned_add_subflow(&c->loop->own, &c->tuple, 1);
	if (err) {
		pr_warn("xmptcpd: cannot publish the subflow in %s/%s: %s\n", c->loop->pin_dir,
			XMP_MAP_SUBFLOWS, strerror(-err));
		return err;
	}
	c->owned = true;
	return 0;
}

/* A connection that could not start: freed, its app socket left to the
 * caller (who closes or resets it). */
static int conn_fail(struct xd_conn *c, int err)
{
	c->ep->sock_fd = -1;
	xd_conn_free(c);
	return err;
}

/* Both roles: publish the tuple, create the engine, then send the SYN
 * (client, @syn NULL) or answer @syn (server). */
static int conn_start(struct xd_conn **out, struct xd_conn *c, __u32 mtu, bool v4,
		      const struct xmp_seg *syn)
{
	__u64 now = c->loop->now;
	int err;

	err = conn_own(c);
	if (!err)
		err = conn_engine(c, mtu, v4);
	if (!err)
		err = syn ? xmp_tcp_accept_syn(c->sk, syn, now) : xmp_tcp_connect(c->sk, now);
	if (err)
		return conn_fail(c, err);
	*out = c;
	return 0;
}

int xd_conn_connect(struct xd_conn **out, struct xd_loop *l, const struct xmp_addr *dst,
		    __u16 dport, const struct xd_ep_cfg *ep)
{
	struct xmp_route r;
	struct xd_conn *c;
	char a[64];
	int err;

	err = conn_alloc(&c, l, ep, XMP_SF_CLIENT);
	if (err)
		return err;
	err = xmp_route_lookup(l->rc, dst, &r);
	if (err) {
		pr_warn("xmptcpd: no route or neighbour for %s: %s\n",
			xmp_addr_str(dst, a, sizeof(a)), strerror(-err));
		goto err_free;
	}
	c->ifp = xd_loop_port(l, r.ifindex);
	if (!c->ifp) {
		char ifn[IF_NAMESIZE] = "?";

		if_indextoname((unsigned int)r.ifindex, ifn);
		pr_warn("xmptcpd: the route to %s leaves through %s, not an --iface of ours; "
			"connect to an address reached through one\n",
			xmp_addr_str(dst, a, sizeof(a)), ifn);
		err = -ENETUNREACH;
		goto err_free;
	}
	c->laddr = r.src;
	c->raddr = *dst;
	c->rport = dport;
	xmp_route_fill_hdrs(&r, &c->hdrs);
	err = xmp_port_reserve(&c->port, &c->laddr, 0);
	if (err) {
		pr_warn("xmptcpd: cannot reserve a local port: %s\n", strerror(-err));
		goto err_free;
	}
	c->lport = c->port.port;
	return conn_start(out, c, r.mtu, xmp_addr_is_v4(dst), NULL);

err_free:
	return conn_fail(c, err);
}

int xd_conn_accept(struct xd_conn **out, struct xd_loop *l, struct xd_port *port,
		   const struct xmp_frame *syn, const struct xd_ep_cfg *ep)
{
	struct xmp_mp_opt mp;
	struct xmp_route r;
	struct xd_conn *c;
	__u32 mtu = 1500;
	int err;

	err = conn_alloc(&c, l, ep, XMP_SF_SERVER);
	if (err)
		return err;
	c->ifp = port;
	c->laddr = syn->daddr;
	c->raddr = syn->saddr;
	c->lport = syn->seg.dport;
	c->rport = syn->seg.sport;
	/* Answer the MAC the SYN came from: no neighbour lookup needed. */
	xmp_pkt_reply_hdrs(syn, &c->hdrs);
	if (!xmp_route_lookup(l->rc, &c->raddr, &r))
		mtu = r.mtu;
	xmp_mp_parse(syn->seg.opts, syn->seg.optlen, &mp, &c->pst);
	if (xmp_sf_rcv_syn(&c->sf, &mp) == XMP_SF_PLAIN) {
		pr_info("xmptcpd: SYN without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
	}
	return conn_start(out, c, mtu, syn->ip_version == 4, &syn->seg);
}

/* The app socket (proxies) closes with it; the loop unwatched it. */
void xd_conn_free(struct xd_conn *c)
{
	if (!c)
		return;
	if (c->owned)
		xmp_owned_del_subflow(&c->loop->own, &c->tuple);
	xmp_port_release(&c->port);
	xmp_tcp_destroy(c->sk);
	xmp_msk_destroy(c->sf.msk);
	xd_ep_free(c->ep);
	free(c);
}

bool xd_conn_match(const struct xd_conn *c, const struct xmp_frame *f)
{
	return f->seg.sport == c->rport && f->seg.dport == c->lport &&
	       xmp_addr_eq(&f->saddr, &c->raddr) && xmp_addr_eq(&f->daddr, &c->laddr);
}

/* ---- data movement ---- */

/* 3.7: after a fallback the subflow's stream is the data stream, and its
 * FIN the DATA_FIN (the options that would carry one do not get through). */
static bool fallen_back(const struct xd_conn *c)
{
	return !c->plain && c->sf.msk && c->sf.msk->fallback;
}

/* What the endpoint takes now, at most one scratch buffer: an app socket
 * that lags leaves the rest in the msk, whose window then closes. */
static size_t rx_room(const struct xd_conn *c)
{
	size_t room = xd_ep_room(c->ep);

	return room < sizeof(xfer_buf) ? room : sizeof(xfer_buf);
}

/* Subflow bytes -> reassembly (3.3.1 mappings) -> sink. */
static int pump_rx_mptcp(struct xd_conn *c, bool *moved)
{
	struct xmp_tcp_sock *sk = c->sk;
	struct xmp_msk *msk = c->sf.msk;
	struct xmp_sf_data_res res;
	size_t room;
	long n = -EAGAIN;
	int err;

	while (xmp_tcp_readable(sk)) {
		/* No more than the data level has room for: what it cannot
		 * take stays in the subflow's buffer, whose window closes
		 * (3.3.4), instead of being acked at the TCP level and then
		 * dropped as beyond the data-level window, with no data-level
		 * retransmission to bring it back. */
		room = xmp_msk_rcv_wnd(msk);
		if (!room)
			break;
		n = xmp_tcp_peek(sk, xfer_buf, room < sizeof(xfer_buf) ? room : sizeof(xfer_buf), 0);
		if (n <= 0)
			break;
		err = xmp_sf_data(&c->sf, xmp_tcp_recv_seq(sk) - sk->irs, xfer_buf, (__u32)n,
				  &res);
		if (err)
			return err;
		if (!res.consumed)
			break; /* waiting for a mapping or the rest of a checksummed one */
		xmp_tcp_recv(sk, xfer_buf, res.consumed, c->loop->now);
		*moved = true;
	}
	while ((room = rx_room(c)) > 0 && (n = xmp_msk_read(msk, xfer_buf, room)) > 0) {
		xd_ep_consume(c->ep, xfer_buf, (size_t)n);
		*moved = true;
	}
	if (room && !n && !c->ep->rcvd_eof) {
		c->ep->rcvd_eof = true; /* 3.3.3: the peer's DATA_FIN reached in order */
		*moved = true;
	}
	if (room && n < 0 && !c->ep->rcvd_eof && fallen_back(c) && !xmp_tcp_readable(sk) &&
	    !xmp_tcp_recv(sk, xfer_buf, 0, c->loop->now)) {
		c->ep->rcvd_eof = true; /* 3.7: the subflow's FIN ends the data */
		*moved = true;
	}
	return 0;
}

/* The built-in server answers after the client's data ended (as a
 * request/response); the client and the proxies send at once. */
static bool may_send(const struct xd_conn *c)
{
	return c->role == XMP_SF_CLIENT || c->proxied || c->ep->rcvd_eof || c->closing;
}

/* Source -> msk -> one mapping per xmp_tcp_send(). */
static int pump_tx_mptcp(struct xd_conn *c, bool *moved)
{
	struct xmp_tcp_sock *sk = c->sk;
	struct xmp_msk *msk = c->sf.msk;
	struct xmp_tx_map m;
	__u32 w, ssn;
	long n;
	int err;

	if (!may_send(c))
		return 0;
	while (!xd_ep_src_done(c->ep) && (w = xmp_msk_writable(msk)) > 0) {
		n = xd_ep_produce(c->ep, xfer_buf, w < sizeof(xfer_buf) ? w : sizeof(xfer_buf));
		if (n < 0)
			return (int)n;
		if (!n)
			break;
		if (xmp_msk_send(msk, xfer_buf, (size_t)n) != n)
			return -EIO; /* writable() promised the room */
		*moved = true;
	}
	if (xd_ep_src_done(c->ep) && !c->src_shut && !fallen_back(c) && !xmp_msk_shutdown(msk)) {
		c->src_shut = true; /* 3.3.3: DATA_FIN after the queued data */
		*moved = true;
	}
	while (c->sf.ntx < XMP_SF_TXMAP_MAX) {
		w = xmp_tcp_writable(sk);
		if (w > XD_MAP_MAX)
			w = XD_MAP_MAX;
		if (!w && after64(msk->write_seq, msk->snd_nxt))
			break; /* data waits for subflow buffer room */
		if (xmp_msk_next_map(msk, w, &m) != 1)
			break;
		ssn = rel_snd(sk, sk->snd_buf_seq + sk->sndq.len);
		if (m.len && xmp_msk_copy(msk, m.dsn, xfer_buf, m.len))
			return -EIO;
		err = xmp_sf_txmap_add(&c->sf, ssn, &m);
		if (err)
			return err;
		if (m.len && xmp_tcp_send(sk, xfer_buf, m.len, c->loop->now) != (long)m.len)
			return -EIO;
		*moved = true;
	}
	if (fallen_back(c) && xd_ep_src_done(c->ep) && !c->sf_shut &&
	    !after64(msk->write_seq, msk->snd_nxt)) {
		/* 3.7: everything is in the subflow; its FIN is the DATA_FIN */
		xmp_tcp_shutdown(sk, c->loop->now);
		c->sf_shut = c->src_shut = true;
		*moved = true;
	}
	return 0;
}

static int pump_plain(struct xd_conn *c, bool *moved)
{
	struct xmp_tcp_sock *sk = c->sk;
	size_t room;
	long n = -EAGAIN;
	__u32 w;

	while ((room = rx_room(c)) > 0 &&
	       (n = xmp_tcp_recv(sk, xfer_buf, room, c->loop->now)) > 0) {
		xd_ep_consume(c->ep, xfer_buf, (size_t)n);
		*moved = true;
	}
	if (room && !n && !c->ep->rcvd_eof && sk->state != XMP_TCP_CLOSED) {
		c->ep->rcvd_eof = true;
		*moved = true;
	}
	if (!may_send(c) || sk->state < XMP_TCP_ESTABLISHED)
		return 0;
	while (!xd_ep_src_done(c->ep) && (w = xmp_tcp_writable(sk)) > 0) {
		n = xd_ep_produce(c->ep, xfer_buf, w < sizeof(xfer_buf) ? w : sizeof(xfer_buf));
		if (n < 0)
			return (int)n;
		if (!n)
			break; /* file source at EOF */
		if (xmp_tcp_send(sk, xfer_buf, (size_t)n, c->loop->now) != n)
			return -EIO;
		*moved = true;
	}
	if (xd_ep_src_done(c->ep) && !c->sf_shut) {
		xmp_tcp_shutdown(sk, c->loop->now);
		c->sf_shut = c->src_shut = true;
		*moved = true;
	}
	return 0;
}

/* Both DATA_FINs acknowledged: the data level is closed (3.3.3). */
static bool msk_closed(const struct xmp_msk *msk)
{
	return msk->fin_acked && msk->rcv_fin_done;
}

/*
 * The app read from the msk and its window, small when last offered, grew
 * by two segments or more: the engine sees no change of its own buffer,
 * so the update is ours to send (receiver SWS avoidance as RFC 9293
 * 3.8.6.2.2, at the connection level).
 */
static bool wnd_reopened(struct xd_conn *c)
{
	struct xmp_tcp_sock *sk = c->sk;
	__u32 old = xmp_seq_after(sk->rcv_adv, sk->rcv_nxt) ? sk->rcv_adv - sk->rcv_nxt : 0;
	__u32 ring = sk->rcvq.cap - sk->rcvq.len;
	__u32 cur = conn_rcv_wnd(c, sk, ring);

	if (cur > ring)
		cur = ring;
	return old < XD_MSK_RCVBUF / 2 && cur >= old + 2 * (__u32)sk->mss;
}

/*
 * A DATA_ACK or DATA_FIN the engine will not carry by itself: the peer's
 * DATA_FIN arrives on a pure ACK (nothing for TCP to acknowledge), our own
 * DATA_FIN may be mapped after the last data left, and data the engine
 * acknowledged before it reached the msk left a stale DATA_ACK.
 */
static void mptcp_acks(struct xd_conn *c)
{
	struct xmp_msk *msk = c->sf.msk;
	struct xmp_tcp_sock *sk = c->sk;
	bool stale = !c->dack_valid || c->dack_tx != xmp_msk_data_ack(msk);

	if ((stale || wnd_reopened(c)) && sk->delack_at == XMP_TCP_NO_TIMER &&
	    c->sf.state == XMP_SF_ESTABLISHED)
		conn_force_ack(c);
	if (!xmp_msk_fin_pending(msk)) {
		c->dfin_rtx_at = XMP_TCP_NO_TIMER;
		return;
	}
	if (c->dfin_rtx_at == XMP_TCP_NO_TIMER) {
		/* first time: make sure it leaves now, then time it */
		conn_force_ack(c);
		c->dfin_rtx_at = c->loop->now + c->dfin_rto_us;
	}
}

static void pump_close(struct xd_conn *c)
{
	struct xmp_tcp_sock *sk = c->sk;

	if (!c->plain && c->sf.msk && !c->sf_shut && msk_closed(c->sf.msk)) {
		/* 3.3.3: the subflow closes once the data level is done. */
		xmp_tcp_shutdown(sk, c->loop->now);
		c->sf_shut = true;
	}
	if (!c->sf_shut && sk->state == XMP_TCP_CLOSE_WAIT && (c->plain || !c->sf.msk)) {
		xmp_tcp_shutdown(sk, c->loop->now);
		c->sf_shut = true;
	}
	/* Over once the subflow closed and the app has had everything: a
	 * slow app may still hold back bytes the msk keeps (no room). */
	if ((sk->state == XMP_TCP_CLOSED || sk->state == XMP_TCP_TIME_WAIT) &&
	    (c->err || c->ep->rcvd_eof || xd_ep_room(c->ep))) {
		if (!c->done)
			c->t_done = c->loop->now;
		c->done = true;
	}
}

void xd_conn_pump(struct xd_conn *c)
{
	unsigned int guard = 0;
	bool moved;
	int err = 0;

	if (!c->sk || c->done)
		return;
	do {
		moved = false;
		c->events = 0;
		if (c->sk->state < XMP_TCP_ESTABLISHED)
			break;
		err = xd_ep_flush(c->ep);
		if (err)
			break;
		if (c->plain || !c->sf.msk) {
			err = pump_plain(c, &moved);
		} else {
			xmp_sf_txmap_ack(&c->sf, rel_snd(c->sk, c->sk->snd_una));
			if (c->sf.state == XMP_SF_FALLBACK)
				xmp_sf_fallback_ack(&c->sf, rel_snd(c->sk, c->sk->snd_una));
			err = pump_rx_mptcp(c, &moved);
			if (!err)
				err = pump_tx_mptcp(c, &moved);
		}
		if (err)
			break;
	} while ((moved || c->events) && ++guard < 64);
	if (!err)
		err = xd_ep_flush(c->ep); /* what the last round read, and the EOF */
	if (err) {
		if (c->ep->failed) {
			pr_info("xmptcpd: connection %llu: the app went away (%s); closing it "
				"with MP_FASTCLOSE\n", (unsigned long long)c->id, strerror(-err));
			xd_conn_fastclose(c, err);
			return;
		}
		pr_warn("xmptcpd: connection %llu error: %s; resetting the subflow\n",
			(unsigned long long)c->id, strerror(-err));
		xd_conn_abort(c, err);
		return;
	}
	if (c->sk->state >= XMP_TCP_ESTABLISHED && !c->plain && c->sf.msk && !fallen_back(c))
		mptcp_acks(c);
	pump_close(c);
}

void xd_conn_input(struct xd_conn *c, const struct xmp_frame *f)
{
	xmp_tcp_input(c->sk, &f->seg, c->loop->now);
	xd_conn_pump(c);
}

__u64 xd_conn_next_timer(const struct xd_conn *c)
{
	__u64 t = xmp_tcp_next_timer(c->sk);

	return c->dfin_rtx_at < t ? c->dfin_rtx_at : t;
}

void xd_conn_timer(struct xd_conn *c)
{
	__u64 now = c->loop->now;

	if (xmp_tcp_next_timer(c->sk) <= now)
		xmp_tcp_on_timer(c->sk, now);
	if (c->dfin_rtx_at <= now) {
		/* data-level retransmission of our DATA_FIN (Linux: mptcp_retransmit_timer) */
		conn_force_ack(c);
		c->dfin_rto_us = c->dfin_rto_us * 2 > XD_DFIN_RTO_MAX_US ? XD_DFIN_RTO_MAX_US
									: c->dfin_rto_us * 2;
		c->dfin_rtx_at = now + c->dfin_rto_us;
	}
	xd_conn_pump(c);
}

void xd_conn_close(struct xd_conn *c)
{
	xd_ep_stop(c->ep);
	c->closing = true;
	xd_conn_pump(c);
}

void xd_conn_abort(struct xd_conn *c, int err)
{
	if (!c->err)
		c->err = err;
	if (c->sk && c->sk->state != XMP_TCP_CLOSED)
		xmp_tcp_abort(c->sk, err, c->loop->now);
	c->done = true;
	c->t_done = c->loop->now;
}

void xd_conn_fastclose(struct xd_conn *c, int err)
{
	if (!c->plain && c->sf.msk && !c->sf.msk->fallback && c->sf.state == XMP_SF_ESTABLISHED)
		xmp_sf_fastclose(&c->sf);
	xd_conn_abort(c, err);
}

/* ADDR:PORT, [ADDR]:PORT for IPv6 (as the command line takes them). */
static const char *endpoint_str(const struct xmp_addr *a, __u16 port, char *buf, size_t len)
{
	char s[64];

	xmp_addr_str(a, s, sizeof(s));
	snprintf(buf, len, xmp_addr_is_v4(a) ? "%s:%u" : "[%s]:%u", s, port);
	return buf;
}

/* ---- report ---- */

static void json_str(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "\"%s\":\"%s\"%s", k, v, comma ? "," : "");
}

static void json_u64(FILE *f, const char *k, __u64 v, bool comma)
{
	fprintf(f, "\"%s\":%llu%s", k, (unsigned long long)v, comma ? "," : "");
}

static void json_bool(FILE *f, const char *k, bool v, bool comma)
{
	fprintf(f, "\"%s\":%s%s", k, v ? "true" : "false", comma ? "," : "");
}

static void report_tcp(const struct xd_conn *c, FILE *f)
{
	const struct xmp_tcp_sock *sk = c->sk;
	unsigned int i;

	fprintf(f, "\"subflow\":{");
	json_str(f, "state", xmp_tcp_state_name(sk->state), true);
	json_u64(f, "srtt_us", sk->srtt_us, true);
	json_u64(f, "cwnd", sk->cwnd, true);
	json_u64(f, "mss", sk->mss, true);
	for (i = 0; i < XMP_TCP_MIB_NR; i++)
		if (sk->mib[i])
			json_u64(f, xmp_tcp_mib_name(i), sk->mib[i], true);
	json_u64(f, "seg_maps", c->seg_maps, true);
	json_u64(f, "acks_forced", c->acks_forced, false);
	fprintf(f, "}");
}

static void report_mptcp(const struct xd_conn *c, FILE *f)
{
	const struct xmp_msk *msk = c->sf.msk;
	unsigned int i;

	fprintf(f, "\"mptcp\":{");
	json_str(f, "sf_state", xmp_sf_state_name(c->sf.state), true);
	if (msk) {
		char tok[16];

		snprintf(tok, sizeof(tok), "%08x", c->sf.local_token);
		json_str(f, "local_token", tok, true);
		snprintf(tok, sizeof(tok), "%08x", c->sf.remote_token);
		json_str(f, "remote_token", tok, true);
		json_str(f, "msk_state", xmp_msk_state_name(msk->state), true);
		json_bool(f, "csum", msk->csum, true);
		json_bool(f, "data_fin_sent", msk->fin_mapped, true);
		json_bool(f, "data_fin_acked", msk->fin_acked, true);
		json_bool(f, "data_fin_rcvd", msk->rcv_fin_done, true);
		json_bool(f, "fallback", msk->fallback, true);
		for (i = 0; i < XMP_MSK_MIB_NR; i++)
			if (msk->mib[i])
				json_u64(f, xmp_msk_mib_name(i), msk->mib[i], true);
	}
	for (i = 0; i < XMP_SF_MIB_NR; i++)
		if (c->sf.mib[i])
			json_u64(f, xmp_sf_mib_name(i), c->sf.mib[i], true);
	json_u64(f, "opts_decoded", c->pst.decoded, false);
	fprintf(f, "}");
}

void xd_conn_report(const struct xd_conn *c, FILE *f)
{
	char la[80], ra[80];
	const struct xd_endpoint *ep = c->ep;
	double secs = c->t_done > c->t_start ? (double)(c->t_done - c->t_start) / 1e6 : 0;
	__u64 bytes = ep->sent > ep->rcvd ? ep->sent : ep->rcvd;

	endpoint_str(&c->laddr, c->lport, la, sizeof(la));
	endpoint_str(&c->raddr, c->rport, ra, sizeof(ra));
	fprintf(f, "{");
	json_u64(f, "id", c->id, true);
	json_str(f, "role", c->role == XMP_SF_CLIENT ? "client" : "server", true);
	json_bool(f, "proxy", c->proxied, true);
	fprintf(f, "\"local\":\"%s\",\"remote\":\"%s\",", la, ra);
	json_bool(f, "mp_capable", !c->plain && c->sf.msk, true);
	json_u64(f, "sent", ep->sent, true);
	if (!c->proxied)
		json_str(f, "sent_sha256", ep->sent_hex, true);
	json_u64(f, "recv", ep->rcvd, true);
	if (!c->proxied)
		json_str(f, "recv_sha256", ep->rcvd_hex, true);
	json_bool(f, "recv_eof", ep->rcvd_eof, true);
	fprintf(f, "\"seconds\":%.6f,\"goodput_mbps\":%.2f,", secs,
		secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0.0);
	fprintf(f, "\"error\":");
	if (c->err)
		fprintf(f, "\"%s\",", strerror(-c->err));
	else
		fprintf(f, "null,");
	report_mptcp(c, f);
	fprintf(f, ",");
	report_tcp(c, f);
	fprintf(f, "}\n");
}

bool xd_conn_ok(const struct xd_conn *c)
{
	if (c->err || !c->ep->rcvd_eof || !xd_ep_flushed(c->ep))
		return false;
	if (!c->plain && c->sf.msk && !c->sf.msk->fallback && !c->sf.msk->fin_acked)
		return false; /* after a fallback, the subflow's FIN was the DATA_FIN */
	return c->sk->state == XMP_TCP_TIME_WAIT || c->sk->state == XMP_TCP_CLOSED;
}

/* One word for tables: the data level's state, else the subflow's. */
const char *xd_conn_state(const struct xd_conn *c)
{
	if (c->err)
		return "error";
	if (!c->plain && c->sf.msk)
		return xmp_msk_state_name(c->sf.msk->state);
	return xmp_tcp_state_name(c->sk->state);
}

static void tok_hex(char *buf, size_t len, __u32 tok, bool valid)
{
	if (valid)
		snprintf(buf, len, "%08x", tok);
	else
		snprintf(buf, len, "-");
}

/* Where the bytes of a connection wait: for spotting a stall at a glance
 * (the app, the data level, the subflow, the peer's window). */
static void brief_queues(const struct xd_conn *c, FILE *f)
{
	const struct xmp_tcp_sock *sk = c->sk;
	const struct xmp_msk *msk = c->sf.msk;

	fprintf(f, "\"queues\":{");
	json_u64(f, "app_out", c->ep->olen - c->ep->ohead, true);
	json_bool(f, "app_eof_in", c->ep->src_eof, true);
	json_u64(f, "tcp_rcvq", sk->rcvq.len, true);
	json_u64(f, "tcp_sndq", sk->sndq.len, true);
	json_u64(f, "tcp_in_flight", sk->snd_nxt - sk->snd_una, true);
	json_u64(f, "tcp_snd_wnd", sk->snd_wnd, true);
	json_u64(f, "tcp_rcv_adv", sk->rcv_adv - sk->rcv_nxt, !!msk);
	if (msk) {
		json_u64(f, "msk_unacked", msk->write_seq - msk->snd_una, true);
		json_u64(f, "msk_unmapped", msk->write_seq - msk->snd_nxt, true);
		json_u64(f, "msk_snd_wnd", xmp_msk_snd_wnd(msk), true);
		json_u64(f, "msk_rcv_unread", msk->ack_seq - msk->rcv_base, true);
		json_u64(f, "msk_rcv_wnd", xmp_msk_rcv_wnd(msk), false);
	}
	fprintf(f, "}");
}

/* `xmptcp conns -j`: one object per connection. */
void xd_conn_brief_json(const struct xd_conn *c, FILE *f)
{
	bool mp = !c->plain && c->sf.msk;
	char la[80], ra[80], lt[16], rt[16];

	endpoint_str(&c->laddr, c->lport, la, sizeof(la));
	endpoint_str(&c->raddr, c->rport, ra, sizeof(ra));
	tok_hex(lt, sizeof(lt), c->sf.local_token, mp);
	tok_hex(rt, sizeof(rt), c->sf.remote_token, mp);
	fprintf(f, "{");
	json_u64(f, "id", c->id, true);
	json_str(f, "role", c->role == XMP_SF_CLIENT ? "client" : "server", true);
	json_bool(f, "proxy", c->proxied, true);
	fprintf(f, "\"local\":\"%s\",\"remote\":\"%s\",", la, ra);
	json_str(f, "state", xd_conn_state(c), true);
	json_str(f, "subflow_state", xmp_tcp_state_name(c->sk->state), true);
	json_bool(f, "mp_capable", mp, true);
	json_bool(f, "fallback", c->plain || (c->sf.msk && c->sf.msk->fallback), true);
	json_str(f, "local_token", lt, true);
	json_str(f, "remote_token", rt, true);
	json_u64(f, "subflows", 1, true);
	json_u64(f, "sent", c->ep->sent, true);
	json_u64(f, "recv", c->ep->rcvd, true);
	json_u64(f, "srtt_us", c->sk->srtt_us, true);
	json_u64(f, "cwnd", c->sk->cwnd, true);
	json_u64(f, "age_ms", (c->loop->now - c->t_start) / 1000, true);
	brief_queues(c, f);
	fprintf(f, "}");
}

/* `xmptcp conns`: one table row, like ss -M. */
void xd_conn_brief_text(const struct xd_conn *c, FILE *f)
{
	bool mp = !c->plain && c->sf.msk;
	char la[80], ra[80], tok[16];

	endpoint_str(&c->laddr, c->lport, la, sizeof(la));
	endpoint_str(&c->raddr, c->rport, ra, sizeof(ra));
	tok_hex(tok, sizeof(tok), c->sf.local_token, mp);
	fprintf(f, "%-6llu %-6s %-5s %-22s %-22s %-11s %-8s %12llu %12llu %8llu\n",
		(unsigned long long)c->id, c->role == XMP_SF_CLIENT ? "client" : "server",
		c->proxied ? "proxy" : "-", la, ra, xd_conn_state(c), mp ? tok : "tcp",
		(unsigned long long)c->ep->sent, (unsigned long long)c->ep->rcvd,
		(unsigned long long)c->sk->srtt_us);
}

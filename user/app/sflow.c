// SPDX-License-Identifier: GPL-2.0
/*
 * One subflow of an xmptcpd connection: the glue between its TCP engine
 * (tcp/tcp.h) and the MPTCP logic, MP_CAPABLE / DSS for the initial subflow
 * (mptcp/subflow.h) or the MP_JOIN handshake first for a joined one
 * (mptcp/join.h, then xmp_sf_init_joined() on the connection's msk).
 *
 * Engine hooks:
 *  - write_options: the join handshake's options until it is established,
 *    else xmp_sf_build_options(), whose mapping is then cut to cover exactly
 *    this segment (seg_mapping()): the engine segments its send buffer as
 *    it likes (window, retransmissions), and a segment must never carry
 *    bytes its own DSS does not map (RFC 8684 3.3.1; Linux drops the
 *    subflow on a mapping that ends inside an skb).
 *  - seg_limit: a segment ends where the mappings recorded on this subflow
 *    stop being contiguous in the data sequence space: with several
 *    subflows, consecutive mappings of one subflow usually are not.
 *  - rcv_options: MP_JOIN handshake, MP_CAPABLE SYN-ACK (client), then
 *    xmp_sf_rcv_options() and the path manager's options (pm.c).
 *  - event: recorded; the connection's pump runs after every engine entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/log.h"
#include "common/seq.h"
#include "io/addr.h"
#include "mptcp/dss_csum.h"
#include "app/xmptcpd.h"

#define XD_OPT_RESERVE	   28		/* DSS: DATA_ACK64 + DSN64 map (26) padded */
#define XD_JOIN_ACK_RTO_US 200000	/* third-ACK retransmission floor (Linux: TCP_RTO_MIN) */

static __u32 rel_snd(const struct xmp_tcp_sock *sk, __u32 seq)
{
	return seq - sk->iss;
}

static __u64 sf_now(const struct xd_sf *s)
{
	return s->c->loop->now;
}

bool xd_sf_force_ack(struct xd_sf *s)
{
	if (!s->sk || !xmp_tcp_ack_now(s->sk, sf_now(s)))
		return false;
	s->acks_forced++;
	return true;
}

/* ---- per-segment mapping (runs of mappings: xmp_sf_txmap_run()) ---- */

/*
 * 3.3.1: rewrite the mapping of a data segment to cover exactly its bytes:
 * the DSN of its first byte, its subflow sequence, its length (+1 when it
 * ends where a mapping with the DATA_FIN ends), and the checksum over this
 * payload when checksums are in use. seg_limit() made the segment end where
 * the mappings stop being contiguous, so one mapping covers it.
 */
static void seg_mapping(struct xd_sf *s, __u32 rel, const struct xmp_seg *seg,
			struct xmp_mp_opt *mp)
{
	const struct xmp_sf *sf = &s->sf;
	const struct xmp_sf_txent *e;
	bool mpc = mp->suboptions & XMP_MPO_MPC_ACK;
	__u32 end, len, cover;
	__u16 data_len, csum = 0;
	int i = xmp_sf_txmap_find(sf, rel);
	bool fin;
	__u64 dsn;

	if (i < 0)
		return;
	e = &sf->tx[i];
	if (e->map.infinite)
		return; /* 3.7: the infinite mapping is sent as built */
	dsn = e->map.dsn + (rel - e->ssn);
	end = rel + seg->len;
	cover = xmp_sf_txmap_run(sf, i, end, &e);
	len = xmp_seq_before(cover, end) ? cover - rel : seg->len;
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
	s->seg_maps++;
}

static __u32 sf_seg_limit(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len)
{
	struct xd_sf *s = ctx;
	const struct xmp_sf_txent *e;
	__u32 rel = rel_snd(sk, seq), cover;
	int i;

	if (s->c->plain || !s->sf.msk)
		return len;
	i = xmp_sf_txmap_find(&s->sf, rel);
	if (i < 0 || s->sf.tx[i].map.infinite)
		return len;
	cover = xmp_sf_txmap_run(&s->sf, i, rel + len, &e);
	return xmp_seq_before(cover, rel + len) ? cover - rel : len;
}

/* ---- write_options ---- */

static int write_dss(struct xmp_mp_opt *mp, __u8 *buf, unsigned int space, bool data)
{
	int n = xmp_mp_write(buf, space, mp);

	if (n == -ENOSPC && (mp->suboptions & XMP_MPO_DSS)) {
		/* SACK blocks or checksums took the room: 32-bit forms (3.3). */
		mp->dss.ack64 = 0;
		n = xmp_mp_write(buf, space, mp);
		if (n == -ENOSPC) {
			mp->dss.dsn64 = 0;
			n = xmp_mp_write(buf, space, mp);
		}
	}
	if (n == -ENOSPC && !data && (mp->suboptions & XMP_MPO_DSS) && mp->dss.use_map) {
		/* A pure ACK whose lone DATA_FIN does not fit next to the
		 * SACK blocks goes with its DATA_ACK alone: an ACK without any
		 * MPTCP option looks like a middlebox stripping them (3.7), and
		 * the peer falls back or resets (the soak did, as the side that
		 * had closed kept acking the other's data under loss). The
		 * DATA_FIN rides again on the next ACK with room. */
		mp->dss.use_map = 0;
		mp->dss.data_fin = 0;
		mp->dss.csum_present = 0;
		n = xmp_mp_write(buf, space, mp);
	}
	if (n < 0)
		pr_debug("xmptcpd: options do not fit (%u bytes free): %s\n", space, strerror(-n));
	return n;
}

static int sf_write_options(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			    __u8 *buf, unsigned int space)
{
	struct xd_sf *s = ctx;
	__u32 rel = rel_snd(sk, seg->seq);
	struct xmp_mp_opt mp;
	int n;

	if (s->c->plain)
		return 0;
	if (s->join && s->jn.state != XMP_JOIN_ESTABLISHED)
		return xmp_join_write_options(&s->jn, seg->flags, buf, space);
	if (!xmp_sf_build_options(&s->sf, seg->flags, rel, seg->len, &mp))
		return 0;
	if (seg->len && (mp.suboptions & (XMP_MPO_DSS | XMP_MPO_MPC_ACK)) &&
	    ((mp.suboptions & XMP_MPO_MPC_ACK) ? mp.mpc.variant == XMP_MPC_ACK_DATA
					       : mp.dss.use_map))
		seg_mapping(s, rel, seg, &mp);
	xd_pm_add_options(s, seg, &mp, space);
	n = write_dss(&mp, buf, space, seg->len > 0);
	if (n < 0)
		return n;
	xd_pm_options_sent(s, &mp);
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_ack) {
		s->dack_tx = mp.dss.data_ack;
		s->dack_valid = true;
	}
	return n;
}

/* ---- rcv_options ---- */

static __u32 scaled_wnd(const struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	return (seg->flags & XMP_TH_SYN) ? seg->wnd : (__u32)seg->wnd << sk->snd_wscale;
}

/* 3.1: the SYN-ACK's MP_CAPABLE (client), before the engine takes it. */
static int rcv_synack(struct xd_sf *s, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		      const struct xmp_mp_opt *mp)
{
	struct xd_conn *c = s->c;
	int r;

	if (s->join || c->role != XMP_SF_CLIENT || s->sf.state != XMP_SF_SYN_SENT ||
	    !(seg->flags & XMP_TH_ACK) || seg->ack != sk->iss + 1)
		return 0;
	r = xmp_sf_rcv_synack(&s->sf, mp);
	if (r < 0)
		return r;
	if (r == XMP_SF_PLAIN) {
		pr_info("xmptcpd: SYN-ACK without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
		return 0;
	}
	xmp_msk_init_wnd(s->sf.msk, seg->wnd);
	return 0;
}

/* 3.2: the join is through; from here the subflow maps and takes DSS like
 * the first one, and no subflow may fall back to plain TCP any more (3.7). */
static int join_established(struct xd_sf *s)
{
	struct xd_conn *c = s->c;
	enum xmp_sf_role role = s->jn.role == XMP_JOIN_CLIENT ? XMP_SF_CLIENT : XMP_SF_SERVER;
	unsigned int i;
	int err;

	err = xmp_sf_init_joined(&s->sf, role, xd_conn_msk(c), &xd_conn_first(c)->sf);
	if (err)
		return err;
	for (i = 0; i < c->nsf; i++)
		xmp_sf_set_multi(&c->sfs[i]->sf);
	s->join_rtx_at = XMP_TCP_NO_TIMER;
	s->peer_backup = s->jn.remote_backup;
	c->subflows_opened++;
	return 0;
}

static int join_rcv(struct xd_sf *s, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		    const struct xmp_mp_opt *mp)
{
	int r = xmp_join_rcv_options(&s->jn, seg->flags, mp);

	if (r < 0)
		return r;
	if (s->jn.state == XMP_JOIN_PRE_ESTABLISHED && s->join_rtx_at == XMP_TCP_NO_TIMER) {
		/* 3.2: the third ACK must get through; repeat it until the
		 * fourth ACK comes (Linux: 2 * srtt, at least TCP_RTO_MIN). */
		__u32 rto = 2 * sk->srtt_us;

		s->join_rtx_at = sf_now(s) + (rto > XD_JOIN_ACK_RTO_US ? rto : XD_JOIN_ACK_RTO_US);
	}
	if (s->jn.state == XMP_JOIN_ESTABLISHED && !s->sf.msk) {
		r = join_established(s);
		if (r)
			return r;
	}
	if (r == XMP_JOIN_SEND_ACK)
		s->ack_due = true;
	return 0;
}

static int sf_rcv_options_do(struct xd_sf *s, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct xd_conn *c = s->c;
	bool had_msk = s->sf.msk != NULL;
	struct xmp_mp_opt mp;
	int err;

	if (c->plain)
		return 0;
	xmp_mp_parse(seg->opts, seg->optlen, &mp, &s->pst);
	if (s->join && s->jn.state == XMP_JOIN_ESTABLISHED && s->jn.role == XMP_JOIN_SERVER &&
	    (mp.suboptions & XMP_MPO_MPJ_ACK))
		s->ack_due = true; /* the third ACK again: our fourth ACK was lost (3.2) */
	if (s->join && s->jn.state != XMP_JOIN_ESTABLISHED) {
		err = join_rcv(s, sk, seg, &mp);
		/* The segment that completes the join may carry a DSS too
		 * (the server's fourth ACK does); the handshake ones do not. */
		if (err || !s->sf.msk || !(mp.suboptions & XMP_MPO_DSS))
			return err;
	}
	if (seg->flags & XMP_TH_SYN)
		return s->join ? 0 : rcv_synack(s, sk, seg, &mp);
	err = xmp_sf_rcv_options(&s->sf, seg->flags, seg->seq - sk->irs, seg->len,
				 scaled_wnd(sk, seg), &mp);
	if (err)
		return err;
	if (!s->join && !had_msk && s->sf.msk)
		xmp_msk_init_wnd(s->sf.msk, scaled_wnd(sk, seg)); /* server: third ACK */
	if (!s->join && s->sf.state == XMP_SF_FALLBACK && !s->sf.msk && !c->plain) {
		pr_info("xmptcpd: third ACK without MP_CAPABLE: plain TCP (RFC 8684 3.7)\n");
		c->plain = true;
		return 0;
	}
	xd_pm_rcv_options(s, &mp);
	return 0;
}

/* 3.1: until the server's first DSS arrives the client repeats its
 * MP_CAPABLE (20 bytes; 22 or 24 with the first data and its checksum) on
 * every ACK. SACK blocks must leave it that room: an ACK that carries
 * neither it nor a DSS is, to the server, a middlebox stripping options,
 * and it falls back while the client does not (the soak's resets under
 * 10% loss). Afterwards the DSS's own minimum applies again. */
static void sf_option_room(struct xd_sf *s, struct xmp_tcp_sock *sk)
{
	bool mpc = !s->join && s->sf.state == XMP_SF_PRE_ESTABLISHED;

	if (mpc == s->mpc_room)
		return;
	s->mpc_room = mpc;
	if (mpc)
		xmp_tcp_set_hook_min(sk, MPTCPOLEN_MPC_ACK, MPTCPOLEN_MPC_ACK_DATA_CSUM);
	else
		xmp_tcp_set_hook_min(sk, 0, 0);
}

static int sf_rcv_options(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct xd_sf *s = ctx;
	int err = sf_rcv_options_do(s, sk, seg);

	sf_option_room(s, sk);
	return err;
}

static void sf_event(void *ctx, struct xmp_tcp_sock *sk, unsigned int ev)
{
	struct xd_sf *s = ctx;
	struct xd_conn *c = s->c;

	s->events |= ev;
	if ((ev & XMP_TCP_EV_ESTABLISHED) && !s->join && !c->t_established)
		c->t_established = c->loop->now;
	if ((ev & (XMP_TCP_EV_RESET | XMP_TCP_EV_ERROR)) && !s->err)
		s->err = sk->err ? sk->err : -ECONNABORTED;
}

static int sf_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct xd_sf *s = ctx;

	(void)sk;
	return xd_loop_xmit(s->c->loop, s->ifp, &s->hdrs, seg);
}

/*
 * 3.3.1: in-order bytes of the subflow into the connection's reassembly
 * through its mappings, at most what the data level has room for: what it
 * cannot take stays in the subflow's buffer, whose window closes (3.3.4),
 * instead of being acked at the TCP level and then dropped as beyond the
 * data-level window, with no data-level retransmission to bring it back.
 * It runs inside the engine (sf_rcv_data()) as well as in the pump, so an
 * error waits in s->rx_err for the pump to act on.
 */
__u32 xd_sf_take(struct xd_sf *s, __u32 ssn, const __u8 *data, __u32 len, __u32 *want)
{
	struct xmp_msk *msk = s->sf.msk;
	struct xmp_sf_data_res res;
	__u32 room;
	int err;

	if (want)
		*want = 0;
	if (s->c->plain || !msk || s->rx_err)
		return 0; /* plain TCP, a join in its handshake, a failed one */
	room = xmp_msk_rcv_wnd(msk);
	if (len > room)
		len = room;
	if (!len)
		return 0;
	err = xmp_sf_data(&s->sf, ssn, data, len, &res);
	if (err) {
		s->rx_err = err;
		return 0;
	}
	if (want)
		*want = res.want;
	s->bytes_rcvd += res.consumed;
	return res.consumed;
}

/* A segment's payload, from the connection's send buffer through the
 * mappings recorded on the subflow (xd_sf_send_map()): copied once, into
 * the frame. */
static const __u8 *sf_snd_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len,
			       __u8 *scratch)
{
	struct xd_sf *s = ctx;

	return xmp_sf_snd_data(&s->sf, rel_snd(sk, seq), len, scratch);
}

/* In-order payload straight from the frame into the reassembly: one copy
 * (what is not taken is buffered by the engine, for the pump). */
static __u32 sf_rcv_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, const __u8 *data,
			 __u32 len)
{
	return xd_sf_take(ctx, seq - sk->irs, data, len, NULL);
}

/* 3.3.4: the connection-level window (xmp_sf_rcv_wnd()); plain TCP: the
 * engine's own. */
static __u32 sf_rcv_wnd(void *ctx, struct xmp_tcp_sock *sk, __u32 wnd)
{
	struct xd_sf *s = ctx;

	return s->c->plain ? wnd : xmp_sf_rcv_wnd(&s->sf, xmp_tcp_readable(sk), wnd);
}

static const struct xmp_tcp_ops sf_ops = {
	.xmit = sf_xmit,
	.event = sf_event,
	.write_options = sf_write_options,
	.rcv_options = sf_rcv_options,
	.rcv_wnd = sf_rcv_wnd,
	.seg_limit = sf_seg_limit,
	.rcv_data = sf_rcv_data,
	.snd_data = sf_snd_data,
};

/* ---- creation ---- */

int xd_sf_new(struct xd_sf **out, struct xd_conn *c, bool join)
{
	struct xmp_sf_cfg sfc = {
		.csum_req = c->loop->csum,
		.msk = { .sndbuf = c->loop->msk_sndbuf, .rcvbuf = c->loop->msk_rcvbuf },
	};
	__u64 mem = xd_mem_sf_cost(c->loop);
	struct xd_sf *s;
	int err;

	*out = NULL;
	if (c->nsf == XD_SF_SLOTS)
		return -ENOSPC;
	err = xd_mem_charge(c->loop, mem);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s) {
		xd_mem_uncharge(c->loop, mem);
		return -ENOMEM;
	}
	s->mem = mem;
	s->c = c;
	s->join = join;
	s->id = c->next_sf_id++;
	s->port.fd = -1;
	s->join_rtx_at = XMP_TCP_NO_TIMER;
	if (!join) {
		err = xmp_sf_init(&s->sf, c->role, &sfc);
		if (err) {
			xd_mem_uncharge(c->loop, s->mem);
			free(s);
			return err;
		}
	}
	c->sfs[c->nsf++] = s;
	*out = s;
	return 0;
}

static int sf_engine(struct xd_sf *s, __u32 mtu, bool v4)
{
	struct xd_loop *l = s->c->loop;
	struct xmp_tcp_cfg cfg = {
		.lport = s->lport,
		.rport = s->rport,
		.opt_reserve = XD_OPT_RESERVE,
		.sndbuf = xd_sf_ring(l, l->msk_sndbuf),
		.rcvbuf = xd_sf_ring(l, l->msk_rcvbuf),
		.nodelay = true,
		.cc = l->cc_name,
	};
	__u32 hdrs = v4 ? XMP_IP4_HLEN + XMP_TCP_HLEN : XMP_IP6_HLEN + XMP_TCP_HLEN;
	int err;

	if (!mtu || mtu > 9000)
		mtu = 1500;
	cfg.mss = (__u16)(mtu - hdrs);
	if (getrandom(&cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		cfg.seed = xd_now_us() ^ ((__u64)s->lport << 32);
	err = xmp_tcp_create(&s->sk, &cfg, &sf_ops, s);
	if (err)
		return err;
	/* 3.3.8 / RFC 6356: the subflows of a connection share one coupled
	 * congestion window (lia/olia); uncoupled algorithms ignore the group. */
	xmp_cc_group_add(&s->c->ccg, s->sk);
	return 0;
}

static int sf_own(struct xd_sf *s)
{
	struct xd_loop *l = s->c->loop;
	int err;

	xmp_tuple_make(&s->tuple, &s->raddr, s->rport, &s->laddr, s->lport);
	err = xmp_owned_add_subflow(&l->own, &s->tuple, (__u32)s->c->id);
	if (err) {
		pr_warn("xmptcpd: cannot publish the subflow in %s/%s: %s\n", l->pin_dir,
			XMP_MAP_SUBFLOWS, strerror(-err));
		return err;
	}
	s->owned = true;
	return 0;
}

int xd_sf_connect(struct xd_sf *s, const struct xmp_addr *src, const struct xmp_addr *dst,
		  __u16 dport)
{
	struct xd_loop *l = s->c->loop;
	struct xmp_route r;
	char a[64], b[64];
	int err;

	err = src ? xmp_route_lookup_from(l->rc, dst, src, xd_pm_ifindex(l, src), &r)
		  : xmp_route_lookup(l->rc, dst, &r);
	if (err) {
		pr_warn("xmptcpd: no route or neighbour for %s%s%s: %s\n",
			xmp_addr_str(dst, a, sizeof(a)), src ? " from " : "",
			src ? xmp_addr_str(src, b, sizeof(b)) : "", strerror(-err));
		return err;
	}
	s->ifp = xd_loop_port(l, r.ifindex);
	if (!s->ifp) {
		char ifn[IF_NAMESIZE] = "?";

		if_indextoname((unsigned int)r.ifindex, ifn);
		pr_warn("xmptcpd: the route to %s leaves through %s, not an --iface of ours; "
			"connect to an address reached through one\n",
			xmp_addr_str(dst, a, sizeof(a)), ifn);
		return -ENETUNREACH;
	}
	s->laddr = r.src;
	s->raddr = *dst;
	s->rport = dport;
	xmp_route_fill_hdrs(&r, &s->hdrs);
	err = xmp_port_reserve(&s->port, &s->laddr, 0);
	if (err) {
		pr_warn("xmptcpd: cannot reserve a local port: %s\n", strerror(-err));
		return err;
	}
	s->lport = s->port.port;
	err = sf_own(s);
	if (!err)
		err = sf_engine(s, r.mtu, xmp_addr_is_v4(dst));
	if (!err)
		err = xmp_tcp_connect(s->sk, sf_now(s));
	return err;
}

int xd_sf_accept(struct xd_sf *s, struct xd_port *port, const struct xmp_frame *syn)
{
	int err;

	s->ifp = port;
	s->laddr = syn->daddr;
	s->raddr = syn->saddr;
	s->lport = syn->seg.dport;
	s->rport = syn->seg.sport;
	/* Answer the MAC the SYN came from, through its port: no route or
	 * neighbour lookup, which would wait on an address that never
	 * resolves (a SYN flood's). */
	xmp_pkt_reply_hdrs(syn, &s->hdrs);
	err = sf_own(s);
	if (!err)
		err = sf_engine(s, port->mtu, syn->ip_version == 4);
	if (!err)
		err = xmp_tcp_accept_syn(s->sk, &syn->seg, sf_now(s));
	return err;
}

/* The msk belongs to the connection (freed with it), not to a subflow. */
void xd_sf_free(struct xd_sf *s)
{
	struct xd_loop *l;

	if (!s)
		return;
	l = s->c->loop;
	if (s->linked)
		xd_conntab_del(&l->tab, s);
	if (s->owned)
		xmp_owned_del_subflow(&l->own, &s->tuple);
	xmp_port_release(&s->port);
	if (s->sk) {
		xmp_cc_group_del(&s->c->ccg, s->sk);
		xmp_tcp_destroy(s->sk);
	}
	if (s->join) {
		xmp_join_release(&s->jn);
		xmp_mib_add(XMP_MIB_JOIN, l->join_mib, s->jn.mib);
	}
	xd_mem_uncharge(l, s->mem);
	free(s);
}

bool xd_sf_match(const struct xd_sf *s, const struct xmp_frame *f)
{
	return f->seg.sport == s->rport && f->seg.dport == s->lport &&
	       xmp_addr_eq(&f->saddr, &s->raddr) && xmp_addr_eq(&f->daddr, &s->laddr);
}

bool xd_sf_open(const struct xd_sf *s)
{
	return s->sk && s->sk->state != XMP_TCP_CLOSED;
}

bool xd_sf_backup(const struct xd_sf *s)
{
	return s->backup || s->peer_backup;
}

bool xd_sf_usable(const struct xd_sf *s)
{
	if (s->dead || !s->sk || s->sf_shut)
		return false;
	if (s->sk->state != XMP_TCP_ESTABLISHED && s->sk->state != XMP_TCP_CLOSE_WAIT)
		return false;
	return !s->join || xmp_join_can_send(&s->jn);
}

__u32 xd_sf_queued(const struct xd_sf *s)
{
	return s->sk ? s->sk->sndq.len : 0;
}

/* The mapping is recorded first: the engine finds the bytes of every
 * segment through it, in the connection's send buffer (sf_snd_data()). */
int xd_sf_send_map(struct xd_sf *s, const struct xmp_tx_map *m, bool reinj)
{
	struct xmp_tcp_sock *sk = s->sk;
	__u32 ssn = rel_snd(sk, sk->snd_buf_seq + sk->sndq.len);
	int err;

	err = xmp_sf_txmap_add(&s->sf, ssn, m);
	if (err)
		return err;
	if (m->len && xmp_tcp_send_ref(sk, m->len, sf_now(s)) != (long)m->len)
		return -EIO; /* the scheduler granted no more than the room */
	s->bytes_sent += m->len;
	if (reinj)
		s->bytes_reinj += m->len;
	return 0;
}

__u64 xd_sf_snd_keep(const struct xd_sf *s, __u64 dsn)
{
	const struct xmp_tcp_sock *sk = s->sk;

	if (!sk || sk->state == XMP_TCP_CLOSED)
		return dsn; /* sends nothing more */
	return xmp_sf_snd_keep(&s->sf, rel_snd(sk, xmp_tcp_snd_ref_seq(sk)), dsn);
}

bool xd_sf_snd_adopt(struct xd_sf *s)
{
	return s->sk && s->sk->state != XMP_TCP_CLOSED && xmp_tcp_snd_adopt(s->sk) >= 0;
}

__u64 xd_sf_next_timer(const struct xd_sf *s)
{
	__u64 t;

	if (!s->sk)
		return XMP_TCP_NO_TIMER;
	t = xmp_tcp_next_timer(s->sk);
	return s->join_rtx_at < t ? s->join_rtx_at : t;
}

void xd_sf_timer(struct xd_sf *s)
{
	__u64 now = sf_now(s);
	int r;

	if (!s->sk)
		return;
	if (xmp_tcp_next_timer(s->sk) <= now)
		xmp_tcp_on_timer(s->sk, now);
	if (s->join_rtx_at > now)
		return;
	r = xmp_join_ack_timeout(&s->jn);
	if (!r) {
		xd_sf_force_ack(s); /* carries the MP_JOIN ACK again */
		s->join_rtx_at = now + 2 * (__u64)(s->sk->rto_us ? s->sk->rto_us
								 : XD_JOIN_ACK_RTO_US);
	} else {
		s->join_rtx_at = XMP_TCP_NO_TIMER;
		if (r == -ETIMEDOUT && s->sk->state != XMP_TCP_CLOSED)
			xmp_tcp_abort(s->sk, -ETIMEDOUT, now); /* RST + MP_TCPRST */
	}
}

/* A refused MP_JOIN SYN: a RST with the join's MP_TCPRST, no state kept. */
void xd_sf_refuse_syn(struct xd_loop *l, struct xd_port *port, const struct xmp_frame *syn,
		      struct xmp_join *j)
{
	struct xmp_pkt_hdrs h;
	struct xmp_seg seg = {
		.sport = syn->seg.dport,
		.dport = syn->seg.sport,
		.ack = syn->seg.seq + 1 + syn->seg.len,
		.flags = XMP_TH_RST | XMP_TH_ACK,
	};
	int n;

	xmp_pkt_reply_hdrs(syn, &h);
	n = xmp_join_write_options(j, XMP_TH_RST, seg.opts, sizeof(seg.opts));
	if (n > 0) {
		while (n % 4)
			seg.opts[n++] = 1; /* NOP */
		seg.optlen = (__u8)n;
	}
	xd_loop_xmit(l, port, &h, &seg);
}

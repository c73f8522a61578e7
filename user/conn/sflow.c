// SPDX-License-Identifier: GPL-2.0
/*
 * One subflow of a connection: the glue between its TCP engine
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
 *  - rcv_options: the MPTCP options decoded where the frame's option parse
 *    located them; MP_JOIN handshake, MP_CAPABLE SYN-ACK (client), then
 *    xmp_sf_rcv_options() and the path manager's options (pm.c).
 *  - event: recorded; the connection's pump runs after every engine entry.
 *  - xmit: the host's (xc_host_ops.xmit), through the path the subflow's
 *    route or SYN came by.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/log.h"
#include "common/mib.h"
#include "common/seq.h"
#include "io/addr.h"
#include "io/owned.h"
#include "mptcp/dss_csum.h"
#include "conn/xc_int.h"

#define XC_OPT_RESERVE	   28		/* DSS: DATA_ACK64 + DSN64 map (26) padded */
#define XC_JOIN_ACK_RTO_US 200000	/* third-ACK retransmission floor (Linux: TCP_RTO_MIN) */

static __u32 rel_snd(const struct xmp_tcp_sock *sk, __u32 seq)
{
	return seq - sk->iss;
}

static __u64 sf_now(const struct xc_sf *s)
{
	return xc_now(s->c->st);
}

bool xc_sf_force_ack(struct xc_sf *s)
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
static void seg_mapping(struct xc_sf *s, __u32 rel, const struct xmp_seg *seg,
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
	struct xc_sf *s = ctx;
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

static int write_dss(struct xmp_sf *sf, struct xmp_mp_opt *mp, __u8 *buf, unsigned int space,
		     bool data)
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
	if (n == -ENOSPC && (mp->suboptions & XMP_MPO_FAIL) && (mp->suboptions & XMP_MPO_DSS)) {
		/* A data segment leaves no room for an MP_FAIL beside its
		 * mapping (XC_OPT_RESERVE): the MP_FAIL waits for the next
		 * pure ACK, which keeps room for it (sf_option_room()). A
		 * segment without its mapping would be, to the peer, a
		 * middlebox stripping options. */
		mp->suboptions &= ~XMP_MPO_FAIL;
		n = xmp_mp_write(buf, space, mp);
		if (n >= 0)
			xmp_sf_fail_unsent(sf);
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
	struct xc_sf *s = ctx;
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
	xc_pm_add_options(s, seg, &mp, space);
	n = write_dss(&s->sf, &mp, buf, space, seg->len > 0);
	if (n < 0)
		return n;
	xc_pm_options_sent(s, &mp);
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
static int rcv_synack(struct xc_sf *s, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		      const struct xmp_mp_opt *mp)
{
	struct xc_conn *c = s->c;
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

/* @set on the MPTCP state of every subflow of @c. */
static void sfs_set(struct xc_conn *c, void (*set)(struct xmp_sf *sf))
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++)
		set(&c->sfs[i]->sf);
}

void xc_conn_no_fallback(struct xc_conn *c)
{
	sfs_set(c, xmp_sf_set_multi);
}

/* 3.2: the join is through; from here the subflow maps and takes DSS like
 * the first one, no subflow may fall back to plain TCP any more (3.7), and
 * the peer knows it: the client has our SYN-ACK (server, at the third ACK),
 * the server our third ACK (client, at the fourth). Only now may data
 * already sent go again (xmp_sf_may_copy()). */
static int join_established(struct xc_sf *s)
{
	struct xc_conn *c = s->c;
	enum xmp_sf_role role = s->jn.role == XMP_JOIN_CLIENT ? XMP_SF_CLIENT : XMP_SF_SERVER;
	int err;

	err = xmp_sf_init_joined(&s->sf, role, xc_conn_msk(c), &xc_conn_first(c)->sf);
	if (err)
		return err;
	sfs_set(c, xmp_sf_set_copy_ok); /* neither side may fall back: copies may go */
	s->join_rtx_at = XMP_TCP_NO_TIMER;
	s->peer_backup = s->jn.remote_backup;
	c->subflows_opened++;
	return 0;
}

static int join_rcv(struct xc_sf *s, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		    const struct xmp_mp_opt *mp)
{
	int r = xmp_join_rcv_options(&s->jn, seg->flags, mp);

	if (r < 0)
		return r;
	if (s->jn.state == XMP_JOIN_PRE_ESTABLISHED && s->join_rtx_at == XMP_TCP_NO_TIMER) {
		/* 3.2: the third ACK must get through; repeat it until the
		 * fourth ACK comes (Linux: 2 * srtt, at least TCP_RTO_MIN). */
		__u32 rto = 2 * sk->srtt_us;

		s->join_rtx_at = sf_now(s) + (rto > XC_JOIN_ACK_RTO_US ? rto : XC_JOIN_ACK_RTO_US);
		/* The peer takes the join as established on our third ACK and
		 * may send on it and reinject: taking our first subflow's
		 * stream as the data stream (a fallback) could then deliver
		 * a copy as new bytes. Linux: __mptcp_finish_join() on the
		 * SYN-ACK clears allow_infinite_fallback. */
		xc_conn_no_fallback(s->c);
	}
	/* the fourth ACK (the server's answer to the third) is due first:
	 * join_established()'s result must not clear it */
	if (r == XMP_JOIN_SEND_ACK)
		s->ack_due = true;
	if (s->jn.state == XMP_JOIN_ESTABLISHED && !s->sf.msk)
		return join_established(s);
	return 0;
}

static int sf_rcv_options_do(struct xc_sf *s, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			     const struct xmp_tcp_opt_rx *rx)
{
	struct xc_conn *c = s->c;
	bool had_msk = s->sf.msk != NULL;
	struct xmp_mp_opt mp;
	int err;

	if (c->plain)
		return 0;
	/* where the frame's one option parse found them: no second scan */
	xmp_mp_decode_at(seg->opts, seg->optlen, rx->mp_at, &mp, &s->pst);
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
	xc_pm_rcv_options(s, &mp);
	return 0;
}

/*
 * Option room SACK blocks must leave to MPTCP on this subflow's segments.
 * - 3.1: until the server's first DSS arrives the client repeats its
 *   MP_CAPABLE (20 bytes; 22 or 24 with the first data and its checksum) on
 *   every ACK. An ACK that carries neither it nor a DSS is, to the server,
 *   a middlebox stripping options, and it falls back while the client does
 *   not (the soak's resets under 10% loss).
 * - 3.7: an MP_FAIL (12 bytes) waits beside a DSS with a 4-byte DATA_ACK.
 *   With one SACK block a pure ACK had 16 bytes left: neither went out, so
 *   the peer never learnt of the failure and our DATA_ACK timer kept
 *   forcing ACKs that could not carry the DATA_ACK (the fuzzer's storm).
 * Otherwise the DSS's own minimum applies.
 */
static void sf_option_room(struct xc_sf *s, struct xmp_tcp_sock *sk)
{
	enum xc_sf_room room = XC_ROOM_DSS;

	if (!s->join && s->sf.state == XMP_SF_PRE_ESTABLISHED)
		room = XC_ROOM_MPC;
	else if (s->sf.send_mp_fail)
		room = XC_ROOM_FAIL;
	if (room == s->room)
		return;
	s->room = room;
	if (room == XC_ROOM_MPC)
		xmp_tcp_set_hook_min(sk, MPTCPOLEN_MPC_ACK, MPTCPOLEN_MPC_ACK_DATA_CSUM);
	else if (room == XC_ROOM_FAIL)
		xmp_tcp_set_hook_min(sk, MPTCPOLEN_DSS_BASE + MPTCPOLEN_DSS_ACK32 + MPTCPOLEN_MP_FAIL,
				     0);
	else
		xmp_tcp_set_hook_min(sk, 0, 0);
}

static int sf_rcv_options(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			  const struct xmp_tcp_opt_rx *rx)
{
	struct xc_sf *s = ctx;
	int err = sf_rcv_options_do(s, sk, seg, rx);

	sf_option_room(s, sk);
	return err;
}

static void sf_event(void *ctx, struct xmp_tcp_sock *sk, unsigned int ev)
{
	struct xc_sf *s = ctx;
	struct xc_conn *c = s->c;

	s->events |= ev;
	if ((ev & XMP_TCP_EV_ESTABLISHED) && !s->join && !c->t_established) {
		c->t_established = sf_now(s);
		xc_conn_event(c, XC_EV_ESTABLISHED);
	}
	if ((ev & (XMP_TCP_EV_RESET | XMP_TCP_EV_ERROR)) && !s->err)
		s->err = sk->err ? sk->err : -ECONNABORTED;
}

static int sf_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct xc_sf *s = ctx;

	(void)sk;
	return s->c->st->ops->xmit(s->c->st->host, s->path.port, &s->hdrs, seg);
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
__u32 xc_sf_take(struct xc_sf *s, __u32 ssn, const __u8 *data, __u32 len, __u32 *want)
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
	sf_option_room(s, s->sk); /* a checksum failure: an MP_FAIL to send */
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
 * mappings recorded on the subflow (xc_sf_send_map()): copied once, into
 * the frame. */
static const __u8 *sf_snd_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len,
			       __u8 *scratch)
{
	struct xc_sf *s = ctx;

	return xmp_sf_snd_data(&s->sf, rel_snd(sk, seq), len, scratch);
}

/* In-order payload straight from the frame into the reassembly: one copy
 * (what is not taken is buffered by the engine, for the pump). */
static __u32 sf_rcv_data(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, const __u8 *data,
			 __u32 len)
{
	return xc_sf_take(ctx, seq - sk->irs, data, len, NULL);
}

/* 3.3.4: the connection-level window (xmp_sf_rcv_wnd()); plain TCP: the
 * engine's own. */
static __u32 sf_rcv_wnd(void *ctx, struct xmp_tcp_sock *sk, __u32 wnd)
{
	struct xc_sf *s = ctx;

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

int xc_sf_new(struct xc_sf **out, struct xc_conn *c, bool join)
{
	const struct xc_cfg *cfg = &c->st->cfg;
	struct xmp_sf_cfg sfc = {
		.csum_req = cfg->csum,
		.msk = { .sndbuf = cfg->msk_sndbuf, .rcvbuf = cfg->msk_rcvbuf },
	};
	__u64 mem = xc_mem_sf_cost(cfg);
	struct xc_sf *s;
	int err;

	*out = NULL;
	if (c->nsf == XC_SF_SLOTS)
		return -ENOSPC;
	err = xc_mem_charge(c->st, mem);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s) {
		xc_mem_uncharge(c->st, mem);
		return -ENOMEM;
	}
	s->mem = mem;
	s->c = c;
	s->join = join;
	s->id = c->next_sf_id++;
	s->port_res = -1;
	s->join_rtx_at = XMP_TCP_NO_TIMER;
	if (!join) {
		while (xc_random(c->st, &sfc.local_key, sizeof(sfc.local_key)) && !sfc.local_key)
			; /* 0 asks xmp_sf_init() for a key of its own */
		err = xmp_sf_init(&s->sf, c->role, &sfc);
		if (err) {
			xc_mem_uncharge(c->st, s->mem);
			free(s);
			return err;
		}
	}
	c->sfs[c->nsf++] = s;
	*out = s;
	return 0;
}

static int sf_engine(struct xc_sf *s, __u32 mtu, bool v4)
{
	const struct xc_cfg *c = &s->c->st->cfg;
	struct xmp_tcp_cfg cfg = {
		.lport = s->lport,
		.rport = s->rport,
		.opt_reserve = XC_OPT_RESERVE,
		.sndbuf = xc_sf_ring(c, c->msk_sndbuf),
		.rcvbuf = xc_sf_ring(c, c->msk_rcvbuf),
		.nodelay = true,
		.cc = c->cc,
	};
	__u32 hdrs = v4 ? XMP_IP4_HLEN + XMP_TCP_HLEN : XMP_IP6_HLEN + XMP_TCP_HLEN;
	int err;

	if (!mtu || mtu > 9000)
		mtu = 1500;
	cfg.mss = (__u16)(mtu - hdrs);
	if (!xc_random(s->c->st, &cfg.seed, sizeof(cfg.seed)) &&
	    getrandom(&cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		cfg.seed = sf_now(s) ^ ((__u64)s->lport << 32);
	err = xmp_tcp_create(&s->sk, &cfg, &sf_ops, s);
	if (err)
		return err;
	/* 3.3.8 / RFC 6356: the subflows of a connection share one coupled
	 * congestion window (lia/olia); uncoupled algorithms ignore the group. */
	xmp_cc_group_add(&s->c->ccg, s->sk);
	return 0;
}

/* Its frames are steered to us from now on (the host's steering). */
static int sf_own(struct xc_sf *s)
{
	struct xc_stack *st = s->c->st;
	int err;

	xmp_tuple_make(&s->tuple, &s->raddr, s->rport, &s->laddr, s->lport);
	if (!st->ops->steer_subflow)
		return 0;
	err = st->ops->steer_subflow(st->host, &s->tuple, (__u32)s->c->id, true);
	if (err)
		return err;
	s->owned = true;
	return 0;
}

int xc_sf_connect(struct xc_sf *s, const struct xmp_addr *src, const struct xmp_addr *dst,
		  __u16 dport)
{
	struct xc_stack *st = s->c->st;
	struct xc_route r;
	int err;

	if (!st->ops->route || !st->ops->port_reserve)
		return -EOPNOTSUPP; /* a host that only accepts */
	memset(&r, 0, sizeof(r));
	err = st->ops->route(st->host, dst, src, src ? xc_pm_ifindex(st, src) : 0, &r);
	if (err)
		return err;
	s->path = r.path;
	s->laddr = r.src;
	s->raddr = *dst;
	s->rport = dport;
	s->hdrs = r.hdrs;
	err = st->ops->port_reserve(st->host, &s->laddr, &s->lport);
	if (err < 0)
		return err;
	s->port_res = err;
	err = sf_own(s);
	if (!err)
		err = sf_engine(s, r.path.mtu, xmp_addr_is_v4(dst));
	if (!err)
		err = xmp_tcp_connect(s->sk, sf_now(s));
	return err;
}

int xc_sf_accept(struct xc_sf *s, const struct xc_path *in, const struct xmp_frame *syn)
{
	int err;

	s->path = *in;
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
		err = sf_engine(s, in->mtu, syn->ip_version == 4);
	if (!err)
		err = xmp_tcp_accept_syn(s->sk, &syn->seg, &syn->opts, sf_now(s));
	return err;
}

void xc_sf_unlink(struct xc_sf *s)
{
	struct xc_stack *st = s->c->st;

	if (s->linked) {
		xc_conntab_del(&st->tab, s);
		s->linked = false;
	}
	if (s->owned) {
		st->ops->steer_subflow(st->host, &s->tuple, (__u32)s->c->id, false);
		s->owned = false;
	}
	if (s->port_res >= 0) {
		if (st->ops->port_release)
			st->ops->port_release(st->host, s->port_res);
		s->port_res = -1;
	}
}

/* The msk belongs to the connection (freed with it), not to a subflow. */
void xc_sf_free(struct xc_sf *s)
{
	struct xc_stack *st;

	if (!s)
		return;
	st = s->c->st;
	xc_sf_unlink(s);
	if (s->sk) {
		xmp_cc_group_del(&s->c->ccg, s->sk);
		xmp_tcp_destroy(s->sk);
	}
	if (s->join) {
		xmp_join_release(&s->jn);
		xmp_mib_add(XMP_MIB_JOIN, st->join_mib, s->jn.mib);
	}
	xc_mem_uncharge(st, s->mem);
	free(s);
}

bool xc_sf_match(const struct xc_sf *s, const struct xmp_frame *f)
{
	return f->seg.sport == s->rport && f->seg.dport == s->lport &&
	       xmp_addr_eq(&f->saddr, &s->raddr) && xmp_addr_eq(&f->daddr, &s->laddr);
}

bool xc_sf_open(const struct xc_sf *s)
{
	return s->sk && s->sk->state != XMP_TCP_CLOSED;
}

bool xc_sf_backup(const struct xc_sf *s)
{
	return s->backup || s->peer_backup;
}

bool xc_sf_usable(const struct xc_sf *s)
{
	if (s->dead || !s->sk || s->sf_shut)
		return false;
	if (s->sk->state != XMP_TCP_ESTABLISHED && s->sk->state != XMP_TCP_CLOSE_WAIT)
		return false;
	return !s->join || xmp_join_can_send(&s->jn);
}

__u32 xc_sf_queued(const struct xc_sf *s)
{
	return s->sk ? s->sk->sndq.len : 0;
}

/* The mapping is recorded first: the engine finds the bytes of every
 * segment through it, in the connection's send buffer (sf_snd_data()). */
int xc_sf_send_map(struct xc_sf *s, const struct xmp_tx_map *m, bool reinj)
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

__u64 xc_sf_snd_keep(const struct xc_sf *s, __u64 dsn)
{
	const struct xmp_tcp_sock *sk = s->sk;

	if (!sk || sk->state == XMP_TCP_CLOSED)
		return dsn; /* sends nothing more */
	return xmp_sf_snd_keep(&s->sf, rel_snd(sk, xmp_tcp_snd_ref_seq(sk)), dsn);
}

bool xc_sf_snd_adopt(struct xc_sf *s)
{
	return s->sk && s->sk->state != XMP_TCP_CLOSED && xmp_tcp_snd_adopt(s->sk) >= 0;
}

__u64 xc_sf_next_timer(const struct xc_sf *s)
{
	__u64 t;

	if (!s->sk)
		return XMP_TCP_NO_TIMER;
	t = xmp_tcp_next_timer(s->sk);
	return s->join_rtx_at < t ? s->join_rtx_at : t;
}

void xc_sf_timer(struct xc_sf *s)
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
		xc_sf_force_ack(s); /* carries the MP_JOIN ACK again */
		s->join_rtx_at = now + 2 * (__u64)(s->sk->rto_us ? s->sk->rto_us
								 : XC_JOIN_ACK_RTO_US);
	} else {
		s->join_rtx_at = XMP_TCP_NO_TIMER;
		if (r == -ETIMEDOUT && s->sk->state != XMP_TCP_CLOSED)
			xmp_tcp_abort(s->sk, -ETIMEDOUT, now); /* RST + MP_TCPRST */
	}
}

/* A refused MP_JOIN SYN: a RST with the join's MP_TCPRST, no state kept. */
void xc_sf_refuse_syn(struct xc_stack *st, const struct xc_path *in,
		      const struct xmp_frame *syn, struct xmp_join *j)
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
	st->ops->xmit(st->host, in->port, &h, &seg);
}

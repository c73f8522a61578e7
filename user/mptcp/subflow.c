// SPDX-License-Identifier: GPL-2.0
/*
 * MPTCP initial subflow: MP_CAPABLE v1 handshake (RFC 8684 3.1), the options
 * of every segment (DSS, DATA_FIN, MP_FAIL, infinite mapping), and the
 * fallback decisions of 3.7. The connection-level state lives in conn.c;
 * this file decides what each segment says and reacts to what it hears.
 * Call chain: engine hooks (write/rcv_options, readable) -> xmp_sf_* here
 * -> xmp_msk_* (conn.c), xmp_mp_* (options.c).
 */
#include <errno.h>
#include <string.h>

#include "common/seq.h"
#include "mptcp/subflow.h"
#include "mptcp/crypto.h"

/* TCP header flags (the byte of the header, as struct xmp_seg.flags). */
#define SF_TH_SYN 0x02
#define SF_TH_RST 0x04
#define SF_TH_ACK 0x10

int xmp_sf_init(struct xmp_sf *sf, enum xmp_sf_role role, const struct xmp_sf_cfg *cfg)
{
	int err;

	if (!sf)
		return -EINVAL;
	memset(sf, 0, sizeof(*sf));
	sf->role = role;
	if (cfg)
		sf->cfg = *cfg;
	sf->single = true;
	sf->tx_end = 1; /* the first data byte has relative sequence 1 */
	xmp_rxmap_init(&sf->rx);
	sf->rcv_ssn = 1;
	if (sf->cfg.local_key) {
		sf->local_key = sf->cfg.local_key;
	} else {
		err = xmp_crypto_key_gen(&sf->local_key, NULL, NULL, NULL, NULL);
		if (err)
			return err;
	}
	/* 3.1: token = top 32 bits of SHA-256(key), IDSN = low 64 bits. */
	xmp_crypto_key_sha(sf->local_key, &sf->local_token, &sf->local_idsn);
	return 0;
}

int xmp_sf_init_joined(struct xmp_sf *sf, enum xmp_sf_role role, struct xmp_msk *msk,
		       const struct xmp_sf *first)
{
	if (!sf || !msk || !first || msk->fallback)
		return -EINVAL;
	memset(sf, 0, sizeof(*sf));
	sf->role = role;
	sf->cfg = first->cfg;
	sf->state = XMP_SF_ESTABLISHED;
	sf->local_key = first->local_key;
	sf->remote_key = first->remote_key;
	sf->local_token = first->local_token;
	sf->remote_token = first->remote_token;
	sf->local_idsn = first->local_idsn;
	sf->remote_idsn = first->remote_idsn;
	sf->csum = msk->csum;
	sf->msk = msk;
	/* 3.7: its stream starts mid-way in the data stream; never a fallback */
	sf->tx_desync = sf->rx_desync = true;
	sf->tx_end = 1;
	xmp_rxmap_init(&sf->rx);
	sf->rcv_ssn = 1;
	return 0;
}

__u32 xmp_sf_rcv_wnd(const struct xmp_sf *sf, __u32 waiting, __u32 wnd)
{
	__u32 room;

	if (!sf->msk)
		return wnd;
	room = xmp_msk_rcv_wnd(sf->msk);
	return room > waiting ? room - waiting : 0;
}

void xmp_sf_set_multi(struct xmp_sf *sf)
{
	sf->single = false;
}

void xmp_sf_set_copy_ok(struct xmp_sf *sf)
{
	sf->single = false;
	sf->copy_ok = true;
}

bool xmp_sf_may_copy(const struct xmp_sf *sf)
{
	/* Linux as receiver: allow_infinite_fallback is cleared by an
	 * established MP_JOIN only (the server's at the third ACK), never by
	 * what the sender does. */
	return sf->copy_ok;
}

/* 3.7: byte ssn (relative, the first is 1) of the subflow at DSN @dsn
 * with @isn the first DSN: on the diagonal where subflow and data stream
 * are one. 32 bits: the subflow sequence space is no wider. */
static bool on_diagonal(__u64 dsn, __u64 isn, __u32 ssn)
{
	return (__u32)(dsn - isn) == ssn - 1;
}

static void set_mpc(struct xmp_mp_opt *out, __u32 bit, __u8 variant, __u8 flags)
{
	out->suboptions |= bit;
	out->mpc.variant = variant;
	out->mpc.version = MPTCP_VERSION_1;
	out->mpc.flags = flags | MPTCP_CAP_HMAC_SHA256;
}

static bool mpc_usable(const struct xmp_mp_opt *in, __u32 bit, __u8 variant)
{
	return (in->suboptions & bit) && in->mpc.variant == variant &&
	       (in->mpc.flags & MPTCP_CAP_HMAC_SHA256);
}

/* 3.1: the v1 SYN carries no key; A asks for checksums. */
int xmp_sf_syn_opt(struct xmp_sf *sf, struct xmp_mp_opt *out)
{
	if (sf->role != XMP_SF_CLIENT || (sf->state != XMP_SF_INIT && sf->state != XMP_SF_SYN_SENT))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	set_mpc(out, XMP_MPO_MPC_SYN, XMP_MPC_SYN, sf->cfg.csum_req ? MPTCP_CAP_CHECKSUM_REQD : 0);
	sf->state = XMP_SF_SYN_SENT;
	return 0;
}

static void peer_key(struct xmp_sf *sf, __u64 key)
{
	sf->remote_key = key;
	xmp_crypto_key_sha(key, &sf->remote_token, &sf->remote_idsn);
}

/* 3.1: a SYN without MP_CAPABLE, or with one we cannot use (version 0 or no
 * HMAC-SHA256), makes this a plain TCP connection. A version above 1 is
 * answered with 1. Checksums if either side asks. */
int xmp_sf_rcv_syn(struct xmp_sf *sf, const struct xmp_mp_opt *in)
{
	if (sf->role != XMP_SF_SERVER)
		return -EINVAL;
	if (!mpc_usable(in, XMP_MPO_MPC_SYN, XMP_MPC_SYN) || in->mpc.version < MPTCP_VERSION_1) {
		if (in->suboptions & XMP_MPO_MPC_SYN)
			sf->mib[XMP_SF_MIB_MPC_BAD]++;
		sf->mib[XMP_SF_MIB_FB_SYN]++;
		sf->state = XMP_SF_FALLBACK;
		return XMP_SF_PLAIN;
	}
	sf->csum = sf->cfg.csum_req || (in->mpc.flags & MPTCP_CAP_CHECKSUM_REQD);
	sf->remote_deny_join_id0 = in->mpc.flags & MPTCP_CAP_DENY_JOIN_ID0;
	sf->state = XMP_SF_SYN_RCVD;
	sf->mib[XMP_SF_MIB_MPC_SYN_RX]++;
	return XMP_SF_MPTCP;
}

int xmp_sf_synack_opt(struct xmp_sf *sf, struct xmp_mp_opt *out)
{
	__u8 flags = 0;

	if (sf->role != XMP_SF_SERVER || sf->state != XMP_SF_SYN_RCVD)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (sf->csum)
		flags |= MPTCP_CAP_CHECKSUM_REQD;
	if (sf->cfg.deny_join_id0)
		flags |= MPTCP_CAP_DENY_JOIN_ID0;
	set_mpc(out, XMP_MPO_MPC_SYNACK, XMP_MPC_SYNACK, flags);
	out->mpc.sndr_key = sf->local_key;
	return 0;
}

static int create_msk(struct xmp_sf *sf)
{
	return xmp_msk_create(&sf->msk, &sf->cfg.msk, sf->local_key, sf->remote_key, sf->csum);
}

/* 3.1/3.7: a SYN-ACK without a usable MP_CAPABLE -> plain TCP. */
int xmp_sf_rcv_synack(struct xmp_sf *sf, const struct xmp_mp_opt *in)
{
	int err;

	if (sf->role != XMP_SF_CLIENT || sf->state != XMP_SF_SYN_SENT)
		return -EINVAL;
	if (!mpc_usable(in, XMP_MPO_MPC_SYNACK, XMP_MPC_SYNACK) ||
	    in->mpc.version != MPTCP_VERSION_1) {
		if (in->suboptions & XMP_MPO_MPC_SYNACK)
			sf->mib[XMP_SF_MIB_MPC_BAD]++;
		sf->mib[XMP_SF_MIB_FB_SYNACK]++;
		sf->state = XMP_SF_FALLBACK;
		return XMP_SF_PLAIN;
	}
	peer_key(sf, in->mpc.sndr_key);
	sf->csum = sf->cfg.csum_req || (in->mpc.flags & MPTCP_CAP_CHECKSUM_REQD);
	sf->remote_deny_join_id0 = in->mpc.flags & MPTCP_CAP_DENY_JOIN_ID0;
	err = create_msk(sf);
	if (err)
		return err;
	sf->state = XMP_SF_PRE_ESTABLISHED;
	sf->mib[XMP_SF_MIB_MPC_SYNACK_RX]++;
	return XMP_SF_MPTCP;
}

/* ---- mappings sent on this subflow ---- */

/*
 * A mapping that continues the last one in both sequence spaces extends it:
 * a scheduler hands a subflow many small chunks (its congestion window room
 * at each ACK), and one entry each would fill the table while they are in
 * flight. The DSS of each segment is cut from the entries anyway. Not with
 * checksums (an entry's checksum covers exactly its own bytes) and not
 * past a DATA_FIN or an infinite mapping.
 */
static bool txmap_extend(struct xmp_sf *sf, __u32 ssn, const struct xmp_tx_map *map)
{
	struct xmp_sf_txent *e;

	if (!sf->ntx || sf->csum || map->infinite)
		return false;
	e = &sf->tx[sf->ntx - 1];
	if (e->map.fin || e->map.infinite || e->ssn + e->map.len != ssn ||
	    e->map.dsn + e->map.len != map->dsn || e->map.len + map->len < e->map.len)
		return false;
	e->map.len += map->len;
	e->map.fin = map->fin;
	sf->tx_end = ssn + map->len;
	return true;
}

int xmp_sf_txmap_add(struct xmp_sf *sf, __u32 ssn, const struct xmp_tx_map *map)
{
	struct xmp_sf_txent *e;

	if (!map->len && !map->infinite)
		return 0; /* DATA_FIN alone: repeated by xmp_msk_fin_pending() */
	if (txmap_extend(sf, ssn, map))
		return 0;
	if (sf->ntx == XMP_SF_TXMAP_MAX) {
		sf->mib[XMP_SF_MIB_TXMAP_FULL]++;
		return -ENOSPC;
	}
	/* a copy of data sent before (on any subflow), or a joined subflow:
	 * its stream is no longer the data stream (3.7) */
	if (map->len && !map->infinite && sf->msk && !on_diagonal(map->dsn, sf->msk->snd_isn, ssn))
		sf->tx_desync = true;
	e = &sf->tx[sf->ntx++];
	e->map = *map;
	e->ssn = ssn;
	e->csum = sf->csum ? xmp_tx_map_csum(map, ssn) : 0;
	sf->tx_end = ssn + map->len;
	if (map->infinite) {
		/* 3.7: from this byte on, subflow sequence == data sequence. */
		sf->fb_tx_set = true;
		sf->fb_dsn = map->dsn;
		sf->fb_ssn = ssn;
		sf->state = XMP_SF_FALLBACK;
	}
	return 0;
}

void xmp_sf_txmap_ack(struct xmp_sf *sf, __u32 snd_una)
{
	unsigned int i = 0;

	while (i < sf->ntx) {
		const struct xmp_sf_txent *e = &sf->tx[i];
		__u32 end = e->ssn + (e->map.len ? e->map.len : 1);

		if (!xmp_seq_before(snd_una, end)) {
			memmove(&sf->tx[i], &sf->tx[i + 1], (sf->ntx - i - 1) * sizeof(sf->tx[0]));
			sf->ntx--;
			continue;
		}
		i++;
	}
}

static const struct xmp_sf_txent *txmap_find(const struct xmp_sf *sf, __u32 seq)
{
	int i = xmp_sf_txmap_find(sf, seq);

	return i < 0 ? NULL : &sf->tx[i];
}

int xmp_sf_fallback_ack(struct xmp_sf *sf, __u32 snd_una)
{
	__u64 dsn;

	if (!sf->msk || !sf->fb_tx_set)
		return -EINVAL;
	dsn = sf->fb_dsn + (__u64)(__s64)(__s32)(snd_una - sf->fb_ssn);
	/* In fallback the subflow's own window governs: no data-level limit. */
	return xmp_msk_rcv_data_ack(sf->msk, dsn, 0x7fffffff) < 0 ? -EINVAL : 0;
}

void xmp_sf_fallback(struct xmp_sf *sf)
{
	struct xmp_rx_map inf = {.infinite = true};

	sf->state = XMP_SF_FALLBACK;
	sf->send_mp_fail = false;
	if (!sf->msk)
		return;
	xmp_msk_fallback(sf->msk);
	/* Receive: the bytes from here follow the data already delivered. */
	if (!sf->rx.n || !sf->rx.m[0].infinite) {
		inf.dsn = sf->msk->ack_seq;
		inf.ssn = sf->rcv_ssn;
		xmp_rxmap_add(sf->msk, &sf->rx, &inf, sf->rcv_ssn);
	}
	/* Send: the oldest mapping still outstanding anchors the relation. */
	if (!sf->fb_tx_set) {
		sf->fb_tx_set = true;
		if (sf->ntx) {
			sf->fb_dsn = sf->tx[0].map.dsn;
			sf->fb_ssn = sf->tx[0].ssn;
		} else {
			sf->fb_dsn = sf->msk->snd_nxt;
			sf->fb_ssn = sf->tx_end;
		}
	}
}

/* ---- options of outgoing segments ---- */

static void put_ack(const struct xmp_sf *sf, struct xmp_mp_opt *out)
{
	out->suboptions |= XMP_MPO_DSS;
	out->dss.use_ack = 1;
	out->dss.ack64 = 1;
	out->dss.data_ack = xmp_msk_data_ack(sf->msk);
}

static void put_map(const struct xmp_sf *sf, struct xmp_mp_opt *out, __u64 dsn, __u32 ssn,
		    __u16 data_len, bool fin, __u16 csum)
{
	out->suboptions |= XMP_MPO_DSS;
	out->dss.use_map = 1;
	out->dss.dsn64 = 1;
	out->dss.data_seq = dsn;
	out->dss.subflow_seq = ssn;
	out->dss.data_len = data_len;
	out->dss.data_fin = fin;
	out->dss.csum_present = sf->csum;
	out->dss.csum = sf->csum ? csum : 0;
}

/* 3.1: the client repeats MP_CAPABLE on its ACKs until the server's first
 * DSS proves the keys arrived; the first data byte (relative seq 1, DSN
 * IDSN+1) rides in it with its data-level length (and checksum): the
 * option names no DSN, so other DSNs there need their DSS (wrong bytes). */
static bool build_mpc_ack(struct xmp_sf *sf, __u32 seq, __u32 len, struct xmp_mp_opt *out)
{
	const struct xmp_sf_txent *e = NULL;

	if (len) {
		e = txmap_find(sf, seq);
		if (seq != 1 || !e || e->ssn != 1 || e->map.dsn != sf->local_idsn + 1)
			return false; /* later data: DSS */
	}
	set_mpc(out, XMP_MPO_MPC_ACK, e ? XMP_MPC_ACK_DATA : XMP_MPC_ACK,
		sf->csum ? MPTCP_CAP_CHECKSUM_REQD : 0);
	out->mpc.sndr_key = sf->local_key;
	out->mpc.rcvr_key = sf->remote_key;
	if (e) {
		out->mpc.data_len = (__u16)(e->map.len + e->map.fin);
		out->mpc.csum_present = sf->csum;
		out->mpc.csum = sf->csum ? e->csum : 0;
	}
	return true;
}

static void build_fallback(struct xmp_sf *sf, __u32 seq, struct xmp_mp_opt *out)
{
	unsigned int i;

	/* 3.7: the infinite mapping goes out until its first byte is acked. */
	for (i = 0; sf->msk && i < sf->ntx; i++) {
		const struct xmp_sf_txent *e = &sf->tx[i];

		if (!e->map.infinite || xmp_seq_before(seq, e->ssn))
			continue;
		put_ack(sf, out);
		put_map(sf, out, e->map.dsn, e->ssn, 0, false, 0);
		sf->mib[XMP_SF_MIB_INFINITE_TX]++;
		return;
	}
}

int xmp_sf_build_options(struct xmp_sf *sf, __u8 flags, __u32 seq, __u32 len,
			 struct xmp_mp_opt *out)
{
	const struct xmp_sf_txent *e;
	struct xmp_msk *msk = sf->msk;

	memset(out, 0, sizeof(*out));
	/* SYN and SYN-ACK (first send and retransmissions), RST. */
	if ((flags & SF_TH_SYN) && sf->role == XMP_SF_CLIENT &&
	    (sf->state == XMP_SF_INIT || sf->state == XMP_SF_SYN_SENT))
		return xmp_sf_syn_opt(sf, out) ? 0 : 1;
	if ((flags & SF_TH_SYN) && sf->role == XMP_SF_SERVER && sf->state == XMP_SF_SYN_RCVD)
		return xmp_sf_synack_opt(sf, out) ? 0 : 1;
	if (flags & SF_TH_SYN)
		return 0;
	if (flags & SF_TH_RST)
		return xmp_sf_reset_opt(sf, out);
	if (sf->state == XMP_SF_FALLBACK) {
		build_fallback(sf, seq, out);
		goto count;
	}
	if (!msk)
		return 0;
	if (sf->state == XMP_SF_PRE_ESTABLISHED && build_mpc_ack(sf, seq, len, out))
		goto count;

	/* 3.3: DATA_ACK on every segment; the mapping covering this one. */
	put_ack(sf, out);
	e = len ? txmap_find(sf, seq) : NULL;
	if (e) {
		put_map(sf, out, e->map.dsn, e->ssn, (__u16)(e->map.len + e->map.fin), e->map.fin,
			e->csum);
	} else if (xmp_msk_fin_pending(msk)) {
		/* 3.3.3: DATA_FIN alone: subflow seq 0, data-level length 1. */
		__u64 fin_dsn = msk->write_seq;

		put_map(sf, out, fin_dsn, 0, 1, true, xmp_dss_csum_buf(fin_dsn, 0, 1, NULL, 0));
	}
	if (sf->send_mp_fail) {
		out->suboptions |= XMP_MPO_FAIL;
		out->fail.data_seq = sf->mp_fail_dsn;
		sf->mib[XMP_SF_MIB_MP_FAIL_TX]++;
	}
count:
	return __builtin_popcount(out->suboptions);
}

void xmp_sf_fail_unsent(struct xmp_sf *sf)
{
	sf->mib[XMP_SF_MIB_MP_FAIL_TX] -= !!sf->mib[XMP_SF_MIB_MP_FAIL_TX];
}

int xmp_sf_write_options(struct xmp_sf *sf, __u8 flags, __u32 seq, __u32 len, __u8 *buf,
			 unsigned int space)
{
	struct xmp_mp_opt mp;

	if (!xmp_sf_build_options(sf, flags, seq, len, &mp))
		return 0;
	return xmp_mp_write(buf, space, &mp);
}

int xmp_sf_reset_opt(struct xmp_sf *sf, struct xmp_mp_opt *out)
{
	memset(out, 0, sizeof(*out));
	if (sf->state == XMP_SF_FALLBACK)
		return 0;
	out->suboptions = XMP_MPO_TCPRST;
	out->rst.reason = sf->rst_reason;
	if (sf->send_fastclose && sf->msk && !sf->msk->fallback) {
		out->suboptions |= XMP_MPO_FASTCLOSE;
		xmp_msk_fastclose(sf->msk, &out->fastclose);
	}
	if (sf->send_mp_fail) {
		out->suboptions |= XMP_MPO_FAIL;
		out->fail.data_seq = sf->mp_fail_dsn;
		sf->mib[XMP_SF_MIB_MP_FAIL_TX]++;
	}
	return __builtin_popcount(out->suboptions);
}

void xmp_sf_fastclose(struct xmp_sf *sf)
{
	sf->send_fastclose = true;
}

/* ---- options of incoming segments ---- */

static int sf_reset(struct xmp_sf *sf, __u8 reason)
{
	sf->rst_reason = reason;
	return -ECONNRESET;
}

/* 3.1: the server learns the client's key from the third ACK (or the first
 * data); the echoed key must be ours. */
static int rcv_third_ack(struct xmp_sf *sf, __u32 seq, const struct xmp_mp_opt *in)
{
	struct xmp_rx_map map = {0};
	int err;

	if (!(in->suboptions & XMP_MPO_MPC_ACK)) {
		sf->mib[XMP_SF_MIB_FB_ACK]++;
		sf->state = XMP_SF_FALLBACK;
		return 0;
	}
	if (in->mpc.rcvr_key != sf->local_key) {
		sf->mib[XMP_SF_MIB_MPC_BAD]++;
		return sf_reset(sf, MPTCP_RST_EMPTCP);
	}
	if (sf->state == XMP_SF_SYN_RCVD) {
		peer_key(sf, in->mpc.sndr_key);
		err = create_msk(sf);
		if (err)
			return err;
		sf->state = XMP_SF_ESTABLISHED;
		sf->mib[XMP_SF_MIB_MPC_ACK_RX]++;
	} else if (in->mpc.sndr_key != sf->remote_key) {
		sf->mib[XMP_SF_MIB_MPC_BAD]++;
		return 0; /* a repeat with another key: ignored */
	}
	if (in->mpc.variant != XMP_MPC_ACK_DATA || !in->mpc.data_len)
		return 0;
	/* 3.1: the data of an MP_CAPABLE maps DSN IDSN + 1 to relative subflow
	 * sequence 1, whatever segment carries it: Linux attaches it to its
	 * first data skb and GSO copies it onto every segment cut from it, so
	 * later segments repeat the same mapping (not a contradiction). */
	if (seq == 1)
		sf->mib[XMP_SF_MIB_MPC_ACK_DATA_RX]++; /* copies not counted */
	map.dsn = sf->remote_idsn + 1;
	map.ssn = 1;
	map.len = in->mpc.data_len;
	map.csum_present = in->mpc.csum_present;
	map.csum = in->mpc.csum;
	if (xmp_rxmap_add(sf->msk, &sf->rx, &map, sf->rcv_ssn) == -EBADMSG) {
		sf->mib[XMP_SF_MIB_MAP_RESET]++;
		return sf_reset(sf, MPTCP_RST_EMPTCP);
	}
	return 0;
}

/*
 * 3.7: fallback by infinite mapping is possible while this is the only
 * subflow, no DATA_ACK proved that MPTCP options get through, and the peer
 * cannot have seen ours: a peer falls back only before a DATA_ACK reached
 * it, so within about its first window of data. Past that it retransmits
 * at the data level on this very subflow when DATA_ACKs vanish (Linux
 * does), and taking its subflow stream as the data stream would deliver
 * those bytes twice: reset instead.
 */
static bool stream_exact(const struct xmp_sf *sf);

static bool fallback_allowed(const struct xmp_sf *sf)
{
	const struct xmp_msk *msk = sf->msk;

	return msk && (msk->fallback || (sf->single && !msk->data_ack_seen &&
					 msk->ack_seq - msk->rcv_isn <= XMP_SF_FB_RCVD_MAX &&
					 stream_exact(sf)));
}

/*
 * 3.7: after a fallback each side takes the other's subflow bytes as the
 * data stream, from where its data level stands (Linux: the subflow byte
 * at copied_seq is its ack_seq). Right only while neither direction ever
 * carried a mapping off the diagonal (a copy: a data-level retransmission,
 * a reinjection) and the bytes we consumed are exactly the data level's.
 * Otherwise the fallback would deliver wrong bytes: reset instead.
 */
static bool stream_exact(const struct xmp_sf *sf)
{
	return !sf->tx_desync && !sf->rx_desync &&
	       on_diagonal(sf->msk->ack_seq, sf->msk->rcv_isn, sf->rcv_ssn);
}

/* We DATA_ACKed some data of the peer's (the DATA_ACK may have reached it). */
static bool data_acked(const struct xmp_msk *msk)
{
	return msk->ack_seq != msk->rcv_isn;
}

/* Why a fallback is refused, for the counters. */
static void count_refused(struct xmp_sf *sf)
{
	if (sf->single && !stream_exact(sf))
		sf->mib[XMP_SF_MIB_DESYNC_RESET]++;
	else
		sf->mib[XMP_SF_MIB_NO_DSS_RESET]++;
}

static bool ranges_overlap(__u32 a, __u32 alen, __u32 b, __u32 blen)
{
	return xmp_seq_before(a, b + blen) && xmp_seq_before(b, a + alen);
}

/*
 * 3.3.1: a mapping that continues a recorded one in both spaces extends it,
 * so the table holds one entry per contiguous run of the stream instead of
 * one per segment: a sender that maps each segment alone (ours does, to
 * survive re-segmentation) would otherwise fill it with a window of data
 * waiting in the subflow buffer. Not with checksums (each mapping is
 * verified whole), not for a DATA_FIN (xmp_rxmap_add() records it), and
 * only when it touches no other entry (those get the full checks).
 */
static bool rxmap_extend(struct xmp_sf *sf, const struct xmp_rx_map *map)
{
	struct xmp_rxmap *rx = &sf->rx;
	struct xmp_rx_map *m = NULL;
	unsigned int i;

	if (sf->msk->csum || map->infinite || map->fin || map->fin_no_len || !map->len)
		return false;
	for (i = 0; i < rx->n; i++) {
		struct xmp_rx_map *e = &rx->m[i];

		if (e->infinite)
			return false;
		if (!e->fin && !e->csum_present && e->ssn + e->len == map->ssn &&
		    e->dsn + e->len == map->dsn)
			m = e;
		else if (ranges_overlap(e->ssn, e->len, map->ssn, map->len))
			return false;
	}
	if (!m || m->len + map->len < m->len)
		return false;
	m->len += map->len;
	sf->mib[XMP_SF_MIB_MAP_MERGED]++;
	return true;
}

static int rcv_dss(struct xmp_sf *sf, __u32 wnd, const struct xmp_dss *dss)
{
	struct xmp_msk *msk = sf->msk;
	struct xmp_rx_map map;

	if (dss->use_ack)
		xmp_msk_rcv_data_ack(msk, xmp_msk_expand_ack(msk, dss), wnd);
	if (!dss->use_map)
		return 0;
	xmp_msk_dss_to_map(msk, dss, &map);
	if (map.infinite) {
		/* 3.7: the peer answers our MP_FAIL (or falls back itself
		 * while that is still possible); an infinite mapping nobody
		 * could have asked for is a protocol error (Linux:
		 * allow_infinite_fallback, else MP_TCPRST). Our own stream
		 * must be the data stream too: the peer takes it as such. */
		sf->mib[XMP_SF_MIB_INFINITE_RX]++;
		if (sf->tx_desync) {
			sf->mib[XMP_SF_MIB_DESYNC_RESET]++;
			return sf_reset(sf, MPTCP_RST_EMPTCP);
		}
		if (!fallback_allowed(sf) && !sf->send_mp_fail && !sf->rx.failed) {
			sf->mib[XMP_SF_MIB_MAP_RESET]++;
			return sf_reset(sf, MPTCP_RST_EMPTCP);
		}
		xmp_rxmap_add(msk, &sf->rx, &map, sf->rcv_ssn);
		xmp_sf_fallback(sf);
		return 0;
	}
	/* the peer sent data again on this subflow (or it is a join) */
	if (map.len && !on_diagonal(map.dsn, msk->rcv_isn, map.ssn))
		sf->rx_desync = true;
	if (rxmap_extend(sf, &map))
		return 0;
	if (xmp_rxmap_add(msk, &sf->rx, &map, sf->rcv_ssn) == -EBADMSG) {
		/* 3.3.1: a mapping contradicting an earlier one is a protocol
		 * error; the subflow cannot be trusted any more. */
		sf->mib[XMP_SF_MIB_MAP_RESET]++;
		return sf_reset(sf, MPTCP_RST_EMPTCP);
	}
	return 0;
}

int xmp_sf_rcv_options(struct xmp_sf *sf, __u8 flags, __u32 seq, __u32 len, __u32 wnd,
		       const struct xmp_mp_opt *in)
{
	int err;

	if (in->suboptions & XMP_MPO_TCPRST)
		sf->peer_rst_reason = in->rst.reason;
	if (flags & SF_TH_RST) {
		/* 3.5: MP_FASTCLOSE on a RST (option R): the connection ends
		 * with this subflow, counted when the key is ours. */
		if (sf->msk && (in->suboptions & XMP_MPO_FASTCLOSE) &&
		    !xmp_msk_rcv_fastclose(sf->msk, in->fastclose.rcvr_key))
			sf->mib[XMP_SF_MIB_FASTCLOSE_RX]++;
		return 0;
	}
	if (flags & SF_TH_SYN) /* the handshake helpers take SYNs */
		return 0;
	if (sf->state == XMP_SF_FALLBACK)
		return 0;
	if (sf->role == XMP_SF_SERVER && sf->state == XMP_SF_SYN_RCVD) {
		err = rcv_third_ack(sf, seq, in);
		if (err || sf->state == XMP_SF_FALLBACK)
			return err;
	} else if (sf->role == XMP_SF_SERVER && (in->suboptions & XMP_MPO_MPC_ACK)) {
		err = rcv_third_ack(sf, seq, in); /* repeated by a pre-established client */
		if (err)
			return err;
	}
	if (!sf->msk)
		return 0;
	/* 3.5: a valid MP_FASTCLOSE aborts every subflow. */
	if ((in->suboptions & XMP_MPO_FASTCLOSE) &&
	    !xmp_msk_rcv_fastclose(sf->msk, in->fastclose.rcvr_key)) {
		sf->mib[XMP_SF_MIB_FASTCLOSE_RX]++;
		return sf_reset(sf, MPTCP_RST_EUNSPEC);
	}
	if (in->suboptions & XMP_MPO_FAIL) {
		sf->mib[XMP_SF_MIB_MP_FAIL_RX]++;
		/* 3.7: it reports a failed DSS checksum. Without checksums it
		 * is forged: answering it sent data again at new subflow
		 * sequence numbers, new bytes to a peer that never sent it. */
		if (!sf->msk->csum) {
			xmp_msk_mp_fail_bad(sf->msk);
			return 0;
		}
		/* The answer is an infinite mapping, after which the peer
		 * takes our subflow stream as the data stream: only on the
		 * single subflow, and only if that stream never carried a
		 * copy. Otherwise the subflow cannot be trusted: reset. */
		if (!sf->single || sf->tx_desync) {
			sf->mib[XMP_SF_MIB_MP_FAIL_RESET]++;
			return sf_reset(sf, MPTCP_RST_EMPTCP);
		}
		xmp_msk_rcv_mp_fail(sf->msk, in->fail.data_seq);
	}
	if (in->suboptions & XMP_MPO_DSS) {
		sf->no_dss_run = 0;
		if (sf->state == XMP_SF_PRE_ESTABLISHED)
			sf->state = XMP_SF_ESTABLISHED; /* 3.1: keys got through */
		return rcv_dss(sf, wnd, &in->dss);
	}
	if (in->suboptions || in->malformed) {
		sf->no_dss_run = 0;
		return 0; /* MPTCP options get through (a bad one is skipped) */
	}
	/* No MPTCP option at all on an established subflow (every segment
	 * carries a DSS or the MP_CAPABLE): a middlebox strips them (3.7).
	 * A pure ACK is no proof once we DATA_ACKed data of the peer's: the
	 * peer may have seen that and will not fall back; only its data
	 * without a mapping (xmp_sf_data()) may decide then. */
	if (fallback_allowed(sf) && (len || !data_acked(sf->msk))) {
		sf->mib[XMP_SF_MIB_FB_NO_DSS]++;
		xmp_sf_fallback(sf);
	} else if (!len) {
		/* A stray ACK is tolerated; a run of them means the options
		 * are gone for good and no fallback is possible: reset now
		 * rather than wait for DATA_ACKs that cannot come (3.7). */
		sf->mib[XMP_SF_MIB_NO_DSS_ACK]++;
		if (++sf->no_dss_run >= XMP_SF_NO_DSS_MAX) {
			count_refused(sf);
			return sf_reset(sf, MPTCP_RST_EMIDDLEBOX);
		}
	}
	return 0;
}

int xmp_sf_data(struct xmp_sf *sf, __u32 ssn, const __u8 *data, __u32 len,
		struct xmp_sf_data_res *res)
{
	struct xmp_sf_data_res more;
	int err;

	if (!sf->msk || !res)
		return -EINVAL;
	err = xmp_msk_sf_data(sf->msk, &sf->rx, ssn, data, len, res);
	if (err)
		return err;
	sf->rcv_ssn = ssn + res->consumed;
	if (res->csum_fail) {
		/* 3.7: MP_FAIL with the DSN of the failed mapping; with other
		 * subflows this one is reset (RST carrying MP_FAIL). */
		sf->mib[XMP_SF_MIB_CSUM_FAIL]++;
		sf->send_mp_fail = true;
		sf->mp_fail_dsn = res->fail_dsn;
		if (!sf->single)
			return sf_reset(sf, MPTCP_RST_EMPTCP);
		return 0;
	}
	if (!res->no_map)
		return 0;
	if (!fallback_allowed(sf)) {
		count_refused(sf);
		return sf_reset(sf, MPTCP_RST_EMIDDLEBOX);
	}
	if (!sf->msk->fallback)
		sf->mib[XMP_SF_MIB_FB_NO_DSS]++;
	xmp_sf_fallback(sf);
	err = xmp_msk_sf_data(sf->msk, &sf->rx, sf->rcv_ssn, data + res->consumed,
			      len - res->consumed, &more);
	if (err)
		return err;
	res->consumed += more.consumed;
	res->no_map = more.no_map;
	sf->rcv_ssn = ssn + res->consumed;
	return 0;
}

static const char *const sf_state_names[] = { XMP_SF_STATE_LIST(XMP_NAME_ROW) };

const char *xmp_sf_state_name(enum xmp_sf_state st)
{
	return XMP_NAME_OF(sf_state_names, st, "?");
}

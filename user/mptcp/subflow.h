/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP subflow logic (RFC 8684 3.1, 3.3, 3.7) for the initial subflow:
 * the MP_CAPABLE v1 handshake in both roles as option exchanges, token and
 * IDSN derivation, the options of every later segment (DSS with DATA_ACK and
 * the mapping that covers it, DATA_FIN, MP_FAIL, infinite mapping), and the
 * fallback decisions: SYN or SYN-ACK without MP_CAPABLE -> plain TCP, third
 * ACK without it -> plain TCP, MPTCP options vanishing mid-stream before any
 * DATA_ACK -> infinite mapping, DSS checksum failure -> MP_FAIL then
 * infinite mapping. Pure: no I/O, no clock.
 *
 * Intended glue with the subflow engine (user/tcp/tcp.h), ctx = struct xmp_sf:
 *  - client: xmp_sf_init(XMP_SF_CLIENT) before xmp_tcp_connect();
 *    server: xmp_sf_init(XMP_SF_SERVER) then xmp_sf_rcv_syn() on the SYN's
 *    parsed options before xmp_tcp_accept_syn().
 *  - ops->write_options(seg): xmp_sf_write_options(sf, seg->flags,
 *    seg->seq - iss, seg->len, buf, space).
 *  - ops->rcv_options(seg): xmp_mp_parse() then xmp_sf_rcv_options(sf,
 *    seg->flags, seg->seq - irs, seg->len, scaled window, &mp); a negative
 *    return aborts the subflow (RST, with MP_TCPRST sf->rst_reason).
 *  - ops->rcv_data(seq, data): xmp_sf_data(sf, seq - irs, data), its
 *    res.consumed taken from the segment; what the engine buffered:
 *    xmp_tcp_recv_span() at xmp_tcp_recv_seq() - irs and xmp_sf_data(),
 *    xmp_tcp_recv_consume() res.consumed bytes; xmp_msk_read().
 *  - scheduler: xmp_msk_next_map(sf->msk, ...), xmp_sf_txmap_add() at the
 *    subflow sequence it gets, xmp_tcp_send_ref() of its length; the
 *    engine's ops->snd_data is xmp_sf_snd_data(), which finds each
 *    segment's bytes in the msk's send buffer through those mappings, and
 *    the glue keeps them there (xmp_sf_snd_keep() -> xmp_msk_snd_keep());
 *    when the subflow's snd_una moves, xmp_sf_txmap_ack() (and, in fallback,
 *    xmp_sf_fallback_ack() turns it into the data-level ack).
 * When sf->state is XMP_SF_FALLBACK with sf->msk == NULL, the connection is
 * plain TCP from the start: the glue bypasses this module entirely.
 */
#ifndef XMP_MPTCP_SUBFLOW_H
#define XMP_MPTCP_SUBFLOW_H

#include <stdbool.h>
#include <linux/types.h>
#include <xmptcp/mib.h>

#include "common/names.h"
#include "mptcp/conn.h"
#include "mptcp/options.h"

enum xmp_sf_role { XMP_SF_CLIENT = 0, XMP_SF_SERVER };

/* clang-format off */
/* Rows X(ENUM, "name"): common/names.h; the name is xmp_sf_state_name()'s. */
#define XMP_SF_STATE_LIST(X) \
	X(XMP_SF_INIT, "INIT")				/* nothing exchanged */ \
	X(XMP_SF_SYN_SENT, "SYN_SENT")			/* client: MP_CAPABLE SYN built */ \
	X(XMP_SF_SYN_RCVD, "SYN_RCVD")			/* server: MP_CAPABLE SYN accepted, SYN-ACK to send */ \
	X(XMP_SF_PRE_ESTABLISHED, "PRE_ESTABLISHED")	/* client: keys known, MP_CAPABLE ACK repeated until a DSS */ \
	X(XMP_SF_ESTABLISHED, "ESTABLISHED")		/* fully established (3.1) */ \
	X(XMP_SF_FALLBACK, "FALLBACK")			/* plain TCP (3.7) */
/* clang-format on */

enum xmp_sf_state { XMP_SF_STATE_LIST(XMP_ENUM_ROW) XMP_SF_NR_STATES };

struct xmp_sf_cfg {
	__u64 local_key;	/* 0: a random one (crypto.h) */
	bool csum_req;		/* ask for DSS checksums (A flag) */
	bool deny_join_id0;	/* C flag (server): no MP_JOIN to the initial address */
	struct xmp_msk_cfg msk; /* for the msk created with the keys */
};

/* A mapping sent on this subflow, kept until the subflow acks it. */
struct xmp_sf_txent {
	struct xmp_tx_map map;
	__u32 ssn; /* relative subflow sequence of its first byte */
	__u16 csum;
};

#define XMP_SF_TXMAP_MAX 512
/* Pure ACKs in a row without any MPTCP option, when fallback is no longer
 * possible, before the subflow is reset (3.7, middlebox interference). */
#define XMP_SF_NO_DSS_MAX 16
/* Data received in order past which the peer cannot be falling back any
 * more (its first window, generously): options vanishing later reset the
 * subflow (3.7). */
#define XMP_SF_FB_RCVD_MAX (64u << 10)

struct xmp_sf {
	enum xmp_sf_role role;
	enum xmp_sf_state state;
	struct xmp_sf_cfg cfg;
	__u64 local_key, remote_key;
	__u32 local_token, remote_token;
	__u64 local_idsn, remote_idsn;
	bool csum;		   /* negotiated: either side set A (3.1) */
	bool remote_deny_join_id0; /* peer set C */
	bool single;		   /* the only subflow: infinite fallback possible */
	bool copy_ok;		   /* the peer cannot fall back either: copies may go */
	/*
	 * 3.7: a fallback takes the subflow's byte stream as the data stream
	 * from some point on, which is right only while every byte of this
	 * subflow sat at DSN = first DSN + (relative subflow seq - 1). A
	 * mapping off that diagonal (a data-level copy, a joined subflow)
	 * ends it for good, per direction: we sent one (tx) or received one
	 * (rx). A fallback then resets the subflow instead.
	 */
	bool tx_desync, rx_desync;
	struct xmp_msk *msk;	   /* created when both keys are known; caller frees */

	struct xmp_rxmap rx; /* received mappings */
	__u32 rcv_ssn;	     /* next relative subflow seq to consume */
	struct xmp_sf_txent tx[XMP_SF_TXMAP_MAX];
	unsigned int ntx;
	__u32 tx_end; /* ssn after the last recorded mapping */

	/* 3.7 */
	bool send_mp_fail;
	bool send_fastclose; /* 3.5: the RST that ends us carries MP_FASTCLOSE */
	__u64 mp_fail_dsn;
	unsigned int no_dss_run;  /* segments in a row without any MPTCP option */
	bool fb_tx_set; /* data-level <-> subflow relation in fallback */
	__u64 fb_dsn;
	__u32 fb_ssn;
	__u8 rst_reason;      /* MP_TCPRST reason when we abort */
	__u8 peer_rst_reason; /* from a received MP_TCPRST */

	__u64 mib[XMP_SF_MIB_NR]; /* counters: include/xmptcp/mib.h */
};

/* Returns of xmp_sf_rcv_syn()/rcv_synack(): MPTCP goes on, or plain TCP. */
#define XMP_SF_MPTCP 0
#define XMP_SF_PLAIN 1

/* Key (cfg or random), token and IDSN. 0 or -errno. */
int xmp_sf_init(struct xmp_sf *sf, enum xmp_sf_role role, const struct xmp_sf_cfg *cfg);

/* Client: the option of the SYN (3.1: version 1, no key, A if asked). */
int xmp_sf_syn_opt(struct xmp_sf *sf, struct xmp_mp_opt *out);
/* Server: the SYN's options. XMP_SF_MPTCP, or XMP_SF_PLAIN (counted). */
int xmp_sf_rcv_syn(struct xmp_sf *sf, const struct xmp_mp_opt *in);
/* Server: the SYN-ACK's option (our key, A if either side asked, C). */
int xmp_sf_synack_opt(struct xmp_sf *sf, struct xmp_mp_opt *out);
/* Client: the SYN-ACK's options; creates sf->msk. XMP_SF_MPTCP, XMP_SF_PLAIN,
 * or -errno (msk allocation). */
int xmp_sf_rcv_synack(struct xmp_sf *sf, const struct xmp_mp_opt *in);

/*
 * Options of an outgoing segment with TCP header @flags (SYN 0x02, RST 0x04,
 * ACK 0x10), relative sequence @seq and @len payload bytes, into @out
 * (cleared first): the MP_CAPABLE SYN / SYN-ACK (also on retransmissions),
 * the RST options (xmp_sf_reset_opt()), the MP_CAPABLE ACK (with the first
 * data: keys + data-level length + checksum) while pre-established, else
 * DSS (DATA_ACK, the mapping covering @seq, DATA_FIN), MP_FAIL, infinite
 * mapping. Returns the number of suboptions.
 */
int xmp_sf_build_options(struct xmp_sf *sf, __u8 flags, __u32 seq, __u32 len,
			 struct xmp_mp_opt *out);
/* The MP_FAIL xmp_sf_build_options() put in did not fit the segment and was
 * left out: it is not counted as sent (it goes again on the next one). */
void xmp_sf_fail_unsent(struct xmp_sf *sf);
/* Same, encoded (ops->write_options). Bytes written or -errno. */
int xmp_sf_write_options(struct xmp_sf *sf, __u8 flags, __u32 seq, __u32 len, __u8 *buf,
			 unsigned int space);

/*
 * Options of an incoming non-SYN segment (@flags, relative @seq, @len payload
 * bytes, @wnd the scaled TCP window). Runs the third-ACK check (server), full
 * establishment (client), DATA_ACK, mappings, DATA_FIN, MP_FAIL,
 * MP_FASTCLOSE and the fallback triggers. Returns 0, or -ECONNRESET to reset
 * the subflow (sf->rst_reason; after a valid MP_FASTCLOSE every subflow).
 * Server: the third ACK creates sf->msk (-ENOMEM possible).
 */
int xmp_sf_rcv_options(struct xmp_sf *sf, __u8 flags, __u32 seq, __u32 len, __u32 wnd,
		       const struct xmp_mp_opt *in);

/*
 * In-order payload at relative subflow sequence @ssn (== sf->rcv_ssn):
 * xmp_msk_sf_data() plus the 3.7 reactions: a checksum failure schedules
 * MP_FAIL (single subflow) or resets (-ECONNRESET); bytes without a mapping
 * fall back to an infinite mapping when allowed, else -ECONNRESET.
 * sf->rcv_ssn advances by res->consumed.
 */
int xmp_sf_data(struct xmp_sf *sf, __u32 ssn, const __u8 *data, __u32 len,
		struct xmp_sf_data_res *res);

/*
 * Options of the RST that aborts this subflow after a negative return:
 * MP_TCPRST with sf->rst_reason (3.6), plus MP_FAIL when a checksum failed
 * on one of several subflows (3.7). Returns the number of suboptions.
 */
int xmp_sf_reset_opt(struct xmp_sf *sf, struct xmp_mp_opt *out);
/* 3.5: the connection is abandoned (the app went away, an operator
 * aborts): the next RST carries MP_FASTCLOSE with the peer's key, so the
 * peer drops the connection at once instead of waiting on the data level. */
void xmp_sf_fastclose(struct xmp_sf *sf);

/* Record a mapping sent from relative subflow sequence @ssn (its checksum is
 * computed here). 0 or -ENOSPC. */
int xmp_sf_txmap_add(struct xmp_sf *sf, __u32 ssn, const struct xmp_tx_map *map);
/* The subflow acked everything below @snd_una (relative): forget mappings. */
void xmp_sf_txmap_ack(struct xmp_sf *sf, __u32 snd_una);
/* In fallback: the data-level ack matching the subflow's @snd_una. */
int xmp_sf_fallback_ack(struct xmp_sf *sf, __u32 snd_una);

/* ---- sf_send.c: what a subflow sends, found in the msk's send buffer ---- */

/* Index of the recorded mapping holding relative subflow sequence @seq, or
 * -1. */
int xmp_sf_txmap_find(const struct xmp_sf *sf, __u32 seq);
/* End (relative subflow sequence) of the run of recorded mappings from
 * entry @i on that continue each other in both sequence spaces, up to @end
 * (a DATA_FIN or an infinite mapping ends it); *@last is the entry it ends
 * in. */
__u32 xmp_sf_txmap_run(const struct xmp_sf *sf, int i, __u32 end,
		       const struct xmp_sf_txent **last);
/*
 * The engine's ops->snd_data when it sends from the connection's send
 * buffer (xmp_tcp_send_ref()): the bytes at relative subflow sequence @ssn
 * found through the recorded mappings, in place or copied to @scratch
 * (@len bytes). NULL when a byte is not mapped or no longer held.
 */
const __u8 *xmp_sf_snd_data(const struct xmp_sf *sf, __u32 ssn, __u32 len, __u8 *scratch);
/* The oldest DSN this subflow may still send from relative subflow
 * sequence @ssn on (the engine keeps what is below itself), or @dsn when
 * older: for xmp_msk_snd_keep(). */
__u64 xmp_sf_snd_keep(const struct xmp_sf *sf, __u32 ssn, __u64 dsn);

/* ---- subflow.c ---- */

/* Fall back (3.7): the subflow and its msk stop using MPTCP options. */
void xmp_sf_fallback(struct xmp_sf *sf);

/*
 * 3.7: may data this subflow already sent go on it again (a data-level
 * retransmission, reinjection or redundant copy)? Not while a fallback to
 * plain TCP is still possible on it from either side's point of view:
 * until an MP_JOIN is established both ways (xmp_sf_set_copy_ok()); our
 * own refusal to fall back (xmp_sf_set_multi()) comes earlier and does not
 * tell what the peer refuses. The peer falls back on its own
 * when a segment comes without a mapping and then takes our subflow
 * stream for the data stream (Linux: at its DATA_ACK), so a copy in it
 * would reach the peer's application as the bytes that follow. While
 * it is the only subflow it carried every outstanding DSN, and its TCP
 * retransmissions already cover the losses.
 */
bool xmp_sf_may_copy(const struct xmp_sf *sf);

/*
 * 3.2: a subflow joined to an existing connection (after user/mptcp/join.c
 * completed MP_JOIN): ESTABLISHED on the shared msk, which the initial
 * subflow's owner keeps and frees. It maps and takes DSS like the first one;
 * no infinite-mapping fallback is possible any more on any subflow (3.7),
 * so the caller clears `single` on the others too (xmp_sf_set_multi()).
 */
/*
 * 3.3.4: the receive window a subflow offers from its rcv_nxt is the
 * connection level's, relative to the DATA_ACK: the msk's room minus the
 * in-order bytes still waiting in the subflow (@waiting, not yet moved to
 * the msk; with one subflow the DSN of rcv_nxt is the DATA_ACK plus them).
 * @wnd (the subflow buffer's free space) until the msk exists. For the
 * engine's ops->rcv_wnd.
 */
__u32 xmp_sf_rcv_wnd(const struct xmp_sf *sf, __u32 waiting, __u32 wnd);
int xmp_sf_init_joined(struct xmp_sf *sf, enum xmp_sf_role role, struct xmp_msk *msk,
		       const struct xmp_sf *first);
void xmp_sf_set_multi(struct xmp_sf *sf);
/* A join is established both ways: neither side may fall back any more,
 * copies may go (implies xmp_sf_set_multi()). */
void xmp_sf_set_copy_ok(struct xmp_sf *sf);
const char *xmp_sf_state_name(enum xmp_sf_state st);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP connection level (the "msk", RFC 8684 3.3): the 64-bit data sequence
 * space on top of the subflows. Pure protocol logic: no I/O, no clock, no
 * subflow engine; memory is allocated once at creation and never grows.
 *
 * Send side: the application's bytes are queued in a data-level send buffer
 * and numbered with DSNs; xmp_msk_next_map() carves the next mapping (DSN,
 * data-level length, DATA_FIN, DSS checksum) for the subflow the scheduler
 * chose; the bytes stay queued (data-level retransmit queue) until a DATA_ACK
 * covers them, so xmp_msk_remap() can reinject them on another subflow. New
 * data is limited by the connection-level send window: DATA_ACK + the peer's
 * receive window (3.3.4).
 *
 * Receive side: struct xmp_rxmap is the per-subflow table of received
 * mappings (subflow sequence <-> DSN), validated against each other (3.3.1);
 * xmp_msk_sf_data() turns in-order subflow payload into DSN-keyed bytes for
 * the connection-level reassembly buffer (out-of-order ranges keyed by 64-bit
 * DSN, bounded, duplicates from several subflows delivered once), which
 * yields the DATA_ACK to advertise and the receive window relative to it.
 *
 * Close (3.3.3): DATA_FIN consumes one DSN and is acknowledged by a DATA_ACK;
 * the states follow Linux's msk (ESTABLISHED, FIN_WAIT1/2, CLOSE_WAIT,
 * CLOSING, LAST_ACK, TIME_WAIT, CLOSED). MP_FASTCLOSE (3.5) aborts.
 *
 * Intended glue (user/mptcp/subflow.c helpers + the connection layer,
 * user/conn/), per subflow engine socket of user/tcp/tcp.h:
 *  - ops->rcv_options(): xmp_mp_parse() the options; subflow.c's
 *    xmp_sf_rcv_options() runs the MP_CAPABLE/fallback logic and hands DSS
 *    parts here: xmp_msk_rcv_data_ack() (with the segment's scaled window),
 *    xmp_rxmap_add() for a mapping, xmp_msk_rcv_fastclose(), MP_FAIL.
 *  - ops->rcv_data(): in-order payload straight from the segment into
 *    xmp_msk_sf_data() (one copy); what it does not take the engine
 *    buffers, and the glue hands xmp_tcp_recv_span() at xmp_tcp_recv_seq()
 *    - ISN to it later, consuming (xmp_tcp_recv_consume) what it accepted;
 *    then xmp_msk_read() gives the application the in-order bytes.
 *  - Scheduler: xmp_msk_next_map() with the chosen subflow's free send
 *    buffer; the mapping is recorded on the subflow (struct xmp_sf_txmap)
 *    so ops->write_options() can put the DSS on every segment (and
 *    retransmission) it covers, and its length queued with
 *    xmp_tcp_send_ref(): the engine takes each segment's bytes from sndq
 *    in place (xmp_msk_snd_span()), which keeps them while a subflow may
 *    still send them (xmp_msk_snd_keep()). xmp_msk_copy() copies them out
 *    for a glue that queues bytes with xmp_tcp_send() instead.
 * The subflow engine must not build a segment spanning two mappings (one
 * DSS per segment); the glue sends one mapping per xmp_tcp_send_ref() and
 * limits segments to mapping boundaries.
 */
#ifndef XMP_MPTCP_CONN_H
#define XMP_MPTCP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <xmptcp/mib.h>

#include "common/names.h"
#include "mptcp/options.h"
#include "mptcp/dss_csum.h"

/* Data-level states, as Linux's msk (TCP state names at the data level). */
/* clang-format off */
/* Rows X(ENUM, "name"): common/names.h; the name is xmp_msk_state_name()'s. */
#define XMP_MSK_STATE_LIST(X) \
	X(XMP_MSK_CLOSED, "CLOSED") \
	X(XMP_MSK_ESTABLISHED, "ESTABLISHED") \
	X(XMP_MSK_FIN_WAIT1, "FIN_WAIT1")	/* our DATA_FIN sent/queued, not acked */ \
	X(XMP_MSK_FIN_WAIT2, "FIN_WAIT2")	/* our DATA_FIN acked, peer's not seen */ \
	X(XMP_MSK_CLOSE_WAIT, "CLOSE_WAIT")	/* peer's DATA_FIN received, ours not queued */ \
	X(XMP_MSK_CLOSING, "CLOSING")		/* both DATA_FINs, ours not acked yet */ \
	X(XMP_MSK_LAST_ACK, "LAST_ACK")		/* peer's first, then ours: waiting for its ack */ \
	X(XMP_MSK_TIME_WAIT, "TIME_WAIT")	/* both done; subflow TIME-WAIT covers the rest */
/* clang-format on */

enum xmp_msk_state { XMP_MSK_STATE_LIST(XMP_ENUM_ROW) XMP_MSK_NR_STATES };

struct xmp_msk_cfg {
	__u32 sndbuf; /* data-level send + retransmit buffer bytes (256 KiB) */
	__u32 rcvbuf; /* reassembly buffer bytes, in-order + out-of-order (256 KiB) */
};

/* Out-of-order ranges kept: a scheduler that spreads one segment per
 * subflow (rr) over paths of different delays leaves many islands. */
#define XMP_MSK_MAX_OFO 256

/* [start, end) of received data above ack_seq. */
struct xmp_dsn_range {
	__u64 start, end;
};

/* One mapping carved for sending (3.3.1). */
struct xmp_tx_map {
	__u64 dsn;		 /* first DSN */
	__u32 len;		 /* payload bytes (data_len minus the DATA_FIN) */
	bool fin;		 /* the mapping ends with our DATA_FIN (data_len = len + 1) */
	bool infinite;		 /* after MP_FAIL: send as an infinite mapping (3.7) */
	bool csum_ok;		 /* csum valid (checksums negotiated) */
	__u16 csum;		 /* DSS checksum; depends on the subflow sequence */
	struct xmp_csum payload; /* sum of the payload, for the checksum */
};

struct xmp_msk {
	enum xmp_msk_state state;
	struct xmp_msk_cfg cfg;
	__u64 local_key, remote_key;
	bool csum;	    /* DSS checksums in use (3.3.1: either side asked) */
	bool fallback;	    /* plain TCP at the data level (3.7) */
	bool aborted;	    /* MP_FASTCLOSE in either direction */
	bool data_ack_seen; /* a DATA_ACK acked our data: MPTCP works end to end */

	/* Send side. DSNs in [min(snd_keep, snd_una), write_seq) are
	 * buffered in sndq. */
	__u64 snd_una;	   /* oldest DSN not DATA_ACKed */
	__u64 snd_keep;	   /* oldest DSN a subflow may still send (the glue's) */
	bool snd_keep_on;  /* snd_keep set: subflows send from sndq */
	__u64 snd_nxt;	   /* next new DSN to map (fin counted once mapped) */
	__u64 write_seq;   /* DSN after the last queued byte */
	__u64 snd_wnd_end; /* right edge: DATA_ACK + peer window, never shrinks */
	__u64 snd_isn;	   /* first DSN: byte dsn sits at (dsn - snd_isn) % sndbuf */
	__u8 *sndq;	   /* ring, cfg.sndbuf bytes */
	bool fin_queued;   /* shutdown: DATA_FIN at write_seq */
	bool fin_mapped;
	bool fin_acked;

	/* Receive side. [rcv_base, ack_seq) in order and unread. */
	__u64 ack_seq;	/* next DSN expected: the DATA_ACK to send */
	__u64 rcv_base; /* DSN of the first unread byte */
	__u64 rcv_isn;	/* first DSN expected: ring offset base, as snd_isn */
	__u8 *rcvq;	/* ring, cfg.rcvbuf bytes */
	struct xmp_dsn_range ofo[XMP_MSK_MAX_OFO];
	unsigned int nr_ofo;
	bool rcv_fin; /* peer DATA_FIN known (maybe not yet in order) */
	__u64 rcv_fin_seq;
	bool rcv_fin_done; /* ack_seq has passed it */

	/* MP_FAIL received: send an infinite mapping at this DSN (3.7). */
	bool send_infinite;
	__u64 infinite_dsn;

	__u64 mib[XMP_MSK_MIB_NR]; /* counters: include/xmptcp/mib.h */
};

/*
 * Create an msk once the keys are known (after the MP_CAPABLE exchange):
 * our first DSN is IDSN(local_key) + 1 and the first DSN expected is
 * IDSN(remote_key) + 1 (3.1, 3.3). @csum: checksums negotiated. 0 or -errno.
 */
int xmp_msk_create(struct xmp_msk **mskp, const struct xmp_msk_cfg *cfg, __u64 local_key,
		   __u64 remote_key, bool csum);
/* Same, with explicit initial DSNs (tests; fallback from the start). */
int xmp_msk_create_seq(struct xmp_msk **mskp, const struct xmp_msk_cfg *cfg, __u64 snd_isn,
		       __u64 rcv_isn, bool csum);
void xmp_msk_destroy(struct xmp_msk *msk);

/* ---- send side ---- */

/* Queue application bytes. Returns bytes accepted (0 when full), or
 * -EPIPE after shutdown/abort. */
long xmp_msk_send(struct xmp_msk *msk, const void *buf, size_t len);
/* Free send-buffer bytes. */
__u32 xmp_msk_writable(const struct xmp_msk *msk);
/*
 * The same without a copy of our own: the free room at the tail of the send
 * buffer up to where the ring wraps (*len bytes; NULL and 0 when nothing may
 * be queued), for the application to write into; xmp_msk_send_commit()
 * then queues the first @n of them. A caller that wants more asks again
 * after the commit (the rest of the room starts at the ring's beginning).
 */
__u8 *xmp_msk_send_span(struct xmp_msk *msk, __u32 *len);
void xmp_msk_send_commit(struct xmp_msk *msk, __u32 n);
/* shutdown(SHUT_WR): DATA_FIN after the queued data (3.3.3). 0 or -ENOTCONN. */
int xmp_msk_shutdown(struct xmp_msk *msk);

/*
 * Carve the next mapping of new data, at most @max_len payload bytes, limited
 * by the send window; it carries the DATA_FIN when it reaches it (a mapping of
 * the DATA_FIN alone has len 0). With checksums, map->payload holds the sum of
 * its payload (finish with xmp_tx_map_csum() for the subflow sequence).
 * Returns 1 with a mapping, 0 when nothing may be sent now.
 */
int xmp_msk_next_map(struct xmp_msk *msk, __u32 max_len, struct xmp_tx_map *map);
/* Mapping of already-sent data from @dsn (data-level retransmission on any
 * subflow). 1, 0 when @dsn is not outstanding, -EINVAL. */
int xmp_msk_remap(struct xmp_msk *msk, __u64 dsn, __u32 max_len, struct xmp_tx_map *map);
/* Copy the queued bytes [dsn, dsn + len) into @buf. 0 or -ERANGE. */
int xmp_msk_copy(struct xmp_msk *msk, __u64 dsn, void *buf, __u32 len);
/*
 * Subflows whose engines take their payload from sndq (xmp_sf_snd_data())
 * resend their own sequence space, so bytes the DATA_ACK passed may still
 * be needed (3.3.6: a subflow retransmits what it sent, whatever the data
 * level acknowledged). The glue says the oldest DSN any subflow may still
 * send; sndq keeps from there (or the DATA_ACK, the older) and
 * xmp_msk_writable() counts it. Raising it only frees room.
 */
void xmp_msk_snd_keep(struct xmp_msk *msk, __u64 dsn);
/* The queued bytes at @dsn in place: a pointer and, in *len (at most its
 * value on entry), how many follow it contiguously. NULL (*len 0) when
 * [dsn, dsn + *len) is no longer (or not yet) in sndq. */
const __u8 *xmp_msk_snd_span(const struct xmp_msk *msk, __u64 dsn, __u32 *len);
/* The DSS checksum of @map placed at subflow sequence @ssn (relative). */
__u16 xmp_tx_map_csum(const struct xmp_tx_map *map, __u32 ssn);

/* The peer's window before any DATA_ACK (from the handshake; 64 KiB until
 * then): right edge = first DSN + @wnd, never moved left. */
void xmp_msk_init_wnd(struct xmp_msk *msk, __u32 wnd);
/* Bytes of send window left for new data. */
__u64 xmp_msk_snd_wnd(const struct xmp_msk *msk);

/*
 * A DATA_ACK from the peer (3.3.2), @ack already expanded to 64 bits
 * (xmp_msk_expand_ack()), with the scaled TCP window of the same segment
 * (3.3.4: relative to the DATA_ACK). Acks beyond what was sent are ignored
 * and counted; older ones do not move the window. Returns the bytes (DSNs)
 * newly acknowledged, or -EINVAL when ignored.
 */
long xmp_msk_rcv_data_ack(struct xmp_msk *msk, __u64 ack, __u32 wnd);
static inline __u64 xmp_msk_expand_ack(const struct xmp_msk *msk, const struct xmp_dss *dss)
{
	return dss->ack64 ? dss->data_ack : xmp_expand_seq(msk->snd_una, (__u32)dss->data_ack);
}

/* The DATA_FIN is mapped and not acked: repeat it on every segment. */
static inline bool xmp_msk_fin_pending(const struct xmp_msk *msk)
{
	return msk->fin_mapped && !msk->fin_acked;
}

/* ---- receive side ---- */

/* DSS mapping as received, per subflow (3.3.1). */
struct xmp_rx_map {
	__u64 dsn;
	__u32 ssn; /* relative to the subflow's initial sequence */
	__u32 len; /* payload bytes (data_len minus the DATA_FIN) */
	bool fin;
	bool infinite; /* covers everything from ssn on (fallback) */
	bool csum_present;
	__u16 csum;
	/* F with a data-level length of 0 (3.3.3: a DATA_FIN takes one DSN;
	 * length 0 is the infinite mapping, 3.7): refused by xmp_rxmap_add(). */
	bool fin_no_len;
};

#define XMP_RXMAP_MAX 128

/* A subflow's received mappings not yet fully consumed, sorted by ssn. */
struct xmp_rxmap {
	struct xmp_rx_map m[XMP_RXMAP_MAX];
	unsigned int n;
	/* RFC 3.7 after a checksum failure: bytes are discarded until the
	 * infinite mapping arrives. */
	bool failed;
	__u64 fail_dsn;
};

static inline void xmp_rxmap_init(struct xmp_rxmap *rx)
{
	rx->n = 0;
	rx->failed = false;
	rx->fail_dsn = 0;
}

/* Decoded DSS mapping -> xmp_rx_map, expanding a 32-bit DSN around ack_seq. */
void xmp_msk_dss_to_map(const struct xmp_msk *msk, const struct xmp_dss *dss,
			struct xmp_rx_map *map);

/*
 * Add a mapping received on a subflow whose bytes below @ssn_consumed were
 * already consumed. Returns 0 (new), 1 (duplicate or already consumed),
 * -EBADMSG when it contradicts a mapping of the table (counted; 3.3.1: the
 * subflow is reset, or MP_FAIL when it cannot be), -ENOSPC when the table is
 * full (counted; the sender repeats mappings on retransmissions).
 * A DATA_FIN of length 0 is refused the same way (3.3.3).
 * A mapping carrying only the DATA_FIN (len 0) is applied at once.
 */
int xmp_rxmap_add(struct xmp_msk *msk, struct xmp_rxmap *rx, const struct xmp_rx_map *map,
		  __u32 ssn_consumed);

/* Bytes checked at once at most: a re-cut retransmission and the mapping
 * it ends in (conn.c: csum_take()); res->want never exceeds it. */
#define XMP_CSUM_RUN_MAX (2u * 0xffff)

/* Result flags of xmp_msk_sf_data() besides the consumed count. */
struct xmp_sf_data_res {
	__u32 consumed; /* bytes to take off the subflow */
	__u32 want;	/* checksummed mapping incomplete: come back with this many */
	bool no_map;	/* bytes at ssn have no mapping (hold, or fall back) */
	bool csum_fail; /* checksum failed: MP_FAIL at fail_dsn (3.7) */
	__u64 fail_dsn;
};

/*
 * In-order payload of a subflow: @len bytes at relative subflow sequence
 * @ssn. Maps them with the table and stores them in the reassembly buffer.
 * With checksums a mapping is taken whole (verified first): if @len does not
 * reach its end nothing is consumed and res->want says how much is needed
 * (mappings overlapping its tail, as a re-cut retransmission makes, are
 * checked with it); one that can no longer be verified whole (its head was
 * consumed under another mapping) is handled as a checksum failure.
 * Always returns 0 (or -EINVAL); see @res.
 */
int xmp_msk_sf_data(struct xmp_msk *msk, struct xmp_rxmap *rx, __u32 ssn, const __u8 *data,
		    __u32 len, struct xmp_sf_data_res *res);

/* Bytes at a DSN straight into the reassembly buffer (used by the above and
 * by fallback). Returns the bytes newly stored. */
long xmp_msk_rcv_dsn(struct xmp_msk *msk, __u64 dsn, const __u8 *data, __u32 len);
/* The peer's DATA_FIN at @dsn (3.3.3). 0, or -EBADMSG if it contradicts an
 * earlier DATA_FIN or data already received past it (counted). */
int xmp_msk_rcv_data_fin(struct xmp_msk *msk, __u64 dsn);

/* In-order bytes to the application. Returns bytes copied, 0 at data-level
 * EOF, -EAGAIN when nothing yet. */
long xmp_msk_read(struct xmp_msk *msk, void *buf, size_t len);
__u32 xmp_msk_readable(const struct xmp_msk *msk);
/* The same without a copy: the in-order unread bytes from the first one up
 * to where the ring wraps (*len; NULL and 0 when none: xmp_msk_read() says
 * whether that is the end), then xmp_msk_read_commit() of those taken. */
const __u8 *xmp_msk_read_span(const struct xmp_msk *msk, __u32 *len);
void xmp_msk_read_commit(struct xmp_msk *msk, __u32 n);
/* DATA_ACK to advertise and the window relative to it (3.3.4). */
static inline __u64 xmp_msk_data_ack(const struct xmp_msk *msk)
{
	return msk->ack_seq;
}
__u32 xmp_msk_rcv_wnd(const struct xmp_msk *msk);
/* The right edge of the receive window: bytes from here on do not fit. */
static inline __u64 xmp_msk_rcv_edge(const struct xmp_msk *msk)
{
	return msk->rcv_base + msk->cfg.rcvbuf;
}

/* ---- MP_FASTCLOSE (3.5), MP_FAIL (3.7), fallback ---- */

/* Abort: fills the option to send (the peer's key). 0. */
int xmp_msk_fastclose(struct xmp_msk *msk, struct xmp_fastclose *fc);
/* 0: the key is ours, the connection is aborted (reset every subflow);
 * -EBADMSG: wrong key, ignored and counted. */
int xmp_msk_rcv_fastclose(struct xmp_msk *msk, __u64 key);
/* MP_FAIL from the peer: our next data mapping is an infinite one at @dsn
 * and data from @dsn is sent again (3.7). 0 or -EINVAL (counted). */
int xmp_msk_rcv_mp_fail(struct xmp_msk *msk, __u64 dsn);
/* An MP_FAIL ignored (MpFailBad): one a subflow knows cannot be true. */
void xmp_msk_mp_fail_bad(struct xmp_msk *msk);
/* Fall back to plain TCP (3.7); counted once. */
void xmp_msk_fallback(struct xmp_msk *msk);

const char *xmp_msk_state_name(enum xmp_msk_state st);

#endif

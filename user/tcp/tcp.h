/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Subflow TCP engine: public API.
 *
 * A pure protocol engine (RFC 9293 state machine, RFC 7323 window scale and
 * timestamps, RFC 2018/6675 SACK, RFC 6298 RTO, RFC 5961 hardening, delayed
 * ACKs, zero-window probing, TIME-WAIT) with no I/O, no threads and no wall
 * clock. It is the base of the MPTCP subflow (user/mptcp/subflow.c) and is
 * driven by the AF_XDP layer (user/io/) or by the in-memory wire
 * (tests/lib/memwire.c) in tests.
 *
 * Driving it:
 *  - Time: every entry point takes now_us, a monotonic virtual or real clock
 *    in microseconds. The engine never reads a clock itself.
 *  - Timers: xmp_tcp_next_timer() gives the earliest deadline (XMP_TCP_NO_TIMER
 *    when none); call xmp_tcp_on_timer() once now_us has reached it.
 *  - Output: every segment leaves through ops->xmit() with the TCP header in
 *    host order, raw option bytes and a payload pointer valid only during the
 *    call. The caller adds addresses, checksums and lower layers.
 *  - Input: the caller demultiplexes on the 4-tuple, parses the fixed TCP
 *    header into struct xmp_seg (host order) and calls xmp_tcp_input().
 *  - Listening: the engine has no demux; a listener is the caller's table of
 *    ports. For each SYN to it the caller creates a socket and calls
 *    xmp_tcp_accept_syn() (or xmp_tcp_listen() then xmp_tcp_input()).
 *  - Events: ops->event() receives a mask of XMP_TCP_EV_* at the end of the
 *    entry point that produced them; from there the caller may call
 *    xmp_tcp_send()/xmp_tcp_recv()/xmp_tcp_shutdown()/xmp_tcp_close() on the
 *    same socket, but must not destroy it (do that after the call returns,
 *    once XMP_TCP_EV_CLOSED has been seen).
 *
 * Options are parsed once per segment (struct xmp_tcp_opt_rx): by the
 * caller, which may have them from XDP's metadata (user/io/pkt.c), and given
 * to xmp_tcp_input_rx(), or by xmp_tcp_input() itself.
 *
 * MPTCP hooks (the engine never decodes option kind 30 itself):
 *  - ops->write_options() appends options (MP_CAPABLE, DSS, ...) to every
 *    outgoing segment, including retransmissions; on segments with payload
 *    it may use at most cfg.opt_reserve bytes, which the engine keeps free by
 *    shrinking the payload.
 *  - ops->rcv_options() sees every incoming segment with its raw options
 *    and the parsed set, whose mp_at says where the MPTCP options start,
 *    before the state machine; it may drop it or abort the connection.
 *  - xmp_tcp_recv_seq() is the subflow sequence number of the next byte that
 *    xmp_tcp_recv() returns, so DSS mappings (keyed by subflow sequence) can
 *    be applied to the delivered stream.
 *  - xmp_tcp_send_ref() queues bytes the layer above keeps (its data-level
 *    send buffer): segments take them through ops->snd_data(), so they are
 *    copied once, into the frame.
 *  - ops->rcv_data() takes in-order payload straight from the segment, and
 *    xmp_tcp_recv_span()/xmp_tcp_recv_consume() expose what was buffered in
 *    place, so each byte is copied once on its way to the layer above.
 *  - sk->cc (struct xmp_cc_ops) is replaceable before connect, so coupled
 *    congestion control (LIA/OLIA) can read/write cwnd of all subflows.
 *
 * Memory is bounded: the send buffer, the receive buffer (which also holds
 * out-of-order data inside the advertised window) and the range tables are
 * allocated once at creation from cfg and never grow.
 */
#ifndef XMP_TCP_H
#define XMP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <xmptcp/mib.h>

#include "common/names.h"
#include "common/seq.h"

/* TCP header flags (host order, as in the header's flag byte). */
#define XMP_TH_FIN 0x01
#define XMP_TH_SYN 0x02
#define XMP_TH_RST 0x04
#define XMP_TH_PSH 0x08
#define XMP_TH_ACK 0x10
#define XMP_TH_URG 0x20

#define XMP_TCP_HLEN	   20 /* the header without options */
#define XMP_TCP_MAX_OPTLEN 40
/* Option bytes always left to a hook with cfg.opt_reserve, even on ACKs
 * carrying SACK blocks: MPTCP's smallest DSS (a 4-byte DATA_ACK). */
#define XMP_TCP_HOOK_OPT_MIN 8
/* ... and on data segments: the DSS with a 4-byte DATA_ACK, a 4-byte DSN
 * mapping and a checksum (RFC 8684 3.3: 4 + 4 + 4 + 4 + 2 + 2). */
#define XMP_TCP_HOOK_DATA_MIN 20
#define XMP_TCP_NO_TIMER   UINT64_MAX

/*
 * One TCP segment, header fields in host order. opts[] holds the raw option
 * bytes (a multiple of 4 on output; anything up to 40 on input). payload is
 * borrowed: valid only for the duration of the call it is passed to.
 */
struct xmp_seg {
	__u16 sport;
	__u16 dport;
	__u32 seq;
	__u32 ack;
	__u8 flags; /* XMP_TH_* */
	__u8 optlen;
	__u16 wnd; /* as on the wire: not yet scaled */
	__u16 urg;
	__u8 opts[XMP_TCP_MAX_OPTLEN];
	const __u8 *payload;
	__u32 len;
};

/*
 * The options of one received segment, parsed once: the TCP options the
 * engine uses and where each MPTCP option (kind 30) starts, so the MPTCP
 * layer decodes those bytes (mptcp/options.h xmp_mp_decode_at()) without
 * scanning the area again. MSS, window scale and SACK-permitted count on
 * SYNs only (RFC 9293 3.7.1, RFC 7323, RFC 2018).
 */
struct xmp_tcp_opt_rx {
	bool has_mss, has_ws, sack_ok, has_ts, has_mptcp;
	__u16 mss;
	__u8 ws;
	__u32 tsval, tsecr;
	unsigned int nr_sack;
	__u32 sack[4][2];
	unsigned int bad; /* malformed options skipped */
	__u64 mp_at;	  /* bit i: an MPTCP option starts at seg->opts[i] */
};

struct xmp_meta;

/*
 * Walks len option bytes (RFC 9293 3.1). A malformed length ends the walk
 * (nothing after it can be trusted); what was parsed before stays valid.
 * Returns 0, or -EBADMSG when anything was malformed (rx->bad counts them).
 */
int xmp_tcp_parse_options(const __u8 *opt, unsigned int len, bool syn, struct xmp_tcp_opt_rx *rx);

/*
 * The same result without searching: takes the options where the XDP
 * metadata @m located them (include/xmptcp/meta.h), checking that each
 * offset names an option of its kind inside the area and that the located
 * options with NOP padding between them and EOL after cover the area, i.e.
 * that the walk would meet exactly these. Returns 0 (@rx then equals what
 * xmp_tcp_parse_options() gives), -EAGAIN when the metadata does not locate
 * everything (XDP met a problem, a kind repeats, an option it does not
 * know) or -EBADMSG when an offset is wrong: the caller walks instead
 * (-EINVAL: more than XMP_TCP_MAX_OPTLEN bytes, which no header holds).
 */
int xmp_tcp_parse_meta(const __u8 *opt, unsigned int len, bool syn, const struct xmp_meta *m,
		       struct xmp_tcp_opt_rx *rx);

/* RFC 9293 3.3.2 states. */
/* clang-format off */
/* RFC 9293 3.3.2; rows X(ENUM, "name"): common/names.h (xmp_tcp_state_name()). */
#define XMP_TCP_STATE_LIST(X) \
	X(XMP_TCP_CLOSED, "CLOSED") \
	X(XMP_TCP_LISTEN, "LISTEN") \
	X(XMP_TCP_SYN_SENT, "SYN-SENT") \
	X(XMP_TCP_SYN_RCVD, "SYN-RECEIVED") \
	X(XMP_TCP_ESTABLISHED, "ESTABLISHED") \
	X(XMP_TCP_FIN_WAIT_1, "FIN-WAIT-1") \
	X(XMP_TCP_FIN_WAIT_2, "FIN-WAIT-2") \
	X(XMP_TCP_CLOSE_WAIT, "CLOSE-WAIT") \
	X(XMP_TCP_CLOSING, "CLOSING") \
	X(XMP_TCP_LAST_ACK, "LAST-ACK") \
	X(XMP_TCP_TIME_WAIT, "TIME-WAIT")
/* clang-format on */

enum xmp_tcp_state { XMP_TCP_STATE_LIST(XMP_ENUM_ROW) XMP_TCP_NR_STATES };

/* Event bits passed to ops->event(). */
enum {
	XMP_TCP_EV_ESTABLISHED = 1 << 0, /* handshake completed */
	XMP_TCP_EV_READABLE = 1 << 1,	 /* new in-order data to xmp_tcp_recv() */
	XMP_TCP_EV_WRITABLE = 1 << 2,	 /* send buffer space was freed */
	XMP_TCP_EV_EOF = 1 << 3,	 /* peer's FIN reached the application */
	XMP_TCP_EV_RESET = 1 << 4,	 /* connection reset by the peer (sk->err) */
	XMP_TCP_EV_ERROR = 1 << 5,	 /* aborted locally: timeout, hook (sk->err) */
	XMP_TCP_EV_CLOSED = 1 << 6,	 /* reached CLOSED: may be destroyed */
};

struct xmp_tcp_sock;
struct xmp_cc_group;

/* Callbacks into the layer above. ctx is the pointer given at creation. */
struct xmp_tcp_ops {
	/* Send one segment. Returns 0, or -errno (counted, treated as loss). */
	int (*xmit)(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg);
	/* Event mask XMP_TCP_EV_* (optional). */
	void (*event)(void *ctx, struct xmp_tcp_sock *sk, unsigned int events);
	/*
	 * Append options to seg (flags, seq, ack, len already final) in
	 * buf[0..space). Returns the number of bytes written (the engine pads
	 * to 4) or -errno to write none. Optional.
	 */
	int (*write_options)(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			     __u8 *buf, unsigned int space);
	/*
	 * Inspect an incoming segment and its parsed options before
	 * processing. Returns 0 to go on, XMP_TCP_RCVOPT_DROP to discard it
	 * silently, or -errno to abort the connection with a RST (sk->err =
	 * that value). Optional.
	 */
	int (*rcv_options)(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			   const struct xmp_tcp_opt_rx *rx);
	/*
	 * Every state transition, synchronously (for tracing and for upper
	 * layers tracking subflow states). Must not call into the engine.
	 * Optional.
	 */
	void (*state_change)(void *ctx, struct xmp_tcp_sock *sk, enum xmp_tcp_state old,
			     enum xmp_tcp_state new_state);
	/*
	 * Caps the receive window advertised on a non-SYN segment (bytes from
	 * rcv_nxt; wnd is the buffer's free space): a layer above with its own
	 * buffer, e.g. MPTCP's connection-level window relative to the
	 * DATA_ACK (RFC 8684 3.3.4). The engine never moves the right edge
	 * back below what it offered. Optional.
	 */
	__u32 (*rcv_wnd)(void *ctx, struct xmp_tcp_sock *sk, __u32 wnd);
	/*
	 * Caps the payload of a data segment starting at @seq (@len bytes
	 * planned, > 0): a layer above whose records must not share a
	 * segment (MPTCP: a segment carries one DSS mapping, RFC 8684 3.3.1,
	 * and a subflow holds mappings that are not contiguous in the data
	 * sequence space). At least 1 is used. Optional.
	 */
	__u32 (*seg_limit)(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len);
	/*
	 * In-order payload at @seq, offered before the engine copies it into
	 * its receive buffer, when nothing unread waits there: the layer
	 * above takes what it can straight from the segment (MPTCP: into the
	 * connection's reassembly, one copy) and returns how many bytes it
	 * took from the start; the rest is buffered for xmp_tcp_recv() as
	 * usual (XMP_TCP_EV_READABLE only then). Must not call into the
	 * engine. Optional.
	 */
	__u32 (*rcv_data)(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, const __u8 *data,
			  __u32 len);
	/*
	 * The payload of [@seq, @seq + @len) of the send buffer when the
	 * layer above keeps those bytes (xmp_tcp_send_ref()), for a segment
	 * (retransmissions included) or for xmp_tcp_snd_adopt(): a pointer to
	 * @len contiguous bytes, valid until the engine returns; @scratch
	 * (cfg.mss bytes, @len never more) takes them when they are not
	 * contiguous. NULL when it no longer holds them: nothing is sent
	 * (counted). Required by xmp_tcp_send_ref().
	 */
	const __u8 *(*snd_data)(void *ctx, struct xmp_tcp_sock *sk, __u32 seq, __u32 len,
				__u8 *scratch);
};

#define XMP_TCP_RCVOPT_DROP 1

/* Configuration, copied at creation. Zero fields take the defaults below. */
struct xmp_tcp_cfg {
	__u16 lport, rport; /* ports of this subflow (host order) */
	__u16 mss;	    /* our MSS: largest payload we accept/send (1460) */
	__u16 opt_reserve;  /* option bytes kept free on data segments for hooks */
	__u32 sndbuf;	    /* send buffer bytes (256 KiB) */
	__u32 rcvbuf;	    /* receive buffer bytes, incl. out-of-order (256 KiB) */
	bool no_wscale;	    /* do not offer window scaling */
	bool no_ts;	    /* do not offer timestamps */
	bool no_sack;	    /* do not offer SACK */
	bool no_paws;	    /* skip the RFC 7323 PAWS check */
	bool no_delack;	    /* ACK every segment at once */
	bool nodelay;	    /* no Nagle: send runts while data is in flight */
	bool fixed_isn;	    /* use isn below instead of the PRNG */
	__u32 isn;
	__u64 seed;		 /* seeds ISN and timestamp offset */
	__u32 rto_min_us;	 /* 200 ms */
	__u32 rto_max_us;	 /* 60 s */
	__u32 rto_init_us;	 /* 1 s (RFC 6298 2.1) */
	__u32 delack_us;	 /* 40 ms */
	__u32 msl_us;		 /* TIME-WAIT lasts 2 * msl_us (30 s) */
	__u32 fin_wait2_us;	 /* FIN-WAIT-2 limit after xmp_tcp_close() (60 s) */
	__u8 max_retries;	 /* data retransmissions before abort (15) */
	__u8 max_syn_retries;	 /* SYN/SYN-ACK retransmissions before abort (6) */
	__u16 challenge_per_sec; /* RFC 5961 challenge ACK limit (10) */
	__u32 oow_ack_us;	 /* min gap of ACKs answering invalid pure ACKs (500 ms) */
	const char *cc;		 /* congestion control name ("cubic") */
};

/* Byte ring of fixed capacity: used for the send and the receive buffer. */
struct xmp_ring {
	__u8 *buf;
	__u32 cap;
	__u32 head; /* offset of the first byte */
	__u32 len;  /* bytes held from head */
};

/* Sequence ranges [start, end): SACK scoreboard, out-of-order map. */
#define XMP_TCP_MAX_RANGES 32
struct xmp_seq_range {
	__u32 start, end;
	__u32 stamp; /* recency, for the order of SACK blocks */
};
struct xmp_range_set {
	struct xmp_seq_range r[XMP_TCP_MAX_RANGES];
	unsigned int n;
	__u32 clock;
};

/* Congestion control ops (see tcp_cc.c). cwnd and ssthresh are in bytes. */
enum xmp_cc_event {
	XMP_CC_EV_RECOVERY,	/* fast recovery entered (after ssthresh()) */
	XMP_CC_EV_RECOVERY_END, /* recovery completed */
	XMP_CC_EV_RTO,		/* retransmission timeout (after ssthresh()) */
};
struct xmp_cc_ops {
	const char *name;
	void (*init)(struct xmp_tcp_sock *sk);
	/* New data acknowledged outside recovery: grow cwnd. */
	void (*on_ack)(struct xmp_tcp_sock *sk, __u32 acked, __u64 now_us);
	/* Slow start threshold after a loss. */
	__u32 (*ssthresh)(struct xmp_tcp_sock *sk);
	void (*cwnd_event)(struct xmp_tcp_sock *sk, enum xmp_cc_event ev, __u64 now_us);
	struct xmp_cc_ops *next; /* registry link */
};

/*
 * The socket. Fields are readable by the layers above (scheduler: srtt_us,
 * cwnd; MPTCP: snd_una, rcv_nxt); only the engine writes them, except cc and
 * cc_priv (and cc_group, through tcp/cc_coupled.h).
 */
struct xmp_tcp_sock {
	enum xmp_tcp_state state;
	const struct xmp_tcp_ops *ops;
	void *ctx;
	struct xmp_tcp_cfg cfg;
	__u64 now; /* now_us of the current or last entry point */
	__u64 rng;
	int err; /* -ECONNRESET, -ETIMEDOUT, -ECONNREFUSED, hook error */
	unsigned int pending_ev;
	unsigned int in_call;
	__u8 *txbuf; /* payload that wraps in sndq is copied here (cfg.mss) */
	/* Option room SACK blocks leave to the hook (cfg.opt_reserve) on an
	 * ACK and on data: XMP_TCP_HOOK_*_MIN unless the hook asks for more
	 * (xmp_tcp_set_hook_min()). */
	__u8 hook_min_ack, hook_min_data;

	/* Send side. */
	__u32 iss;
	__u32 snd_una; /* oldest unacknowledged */
	__u32 snd_nxt; /* next to send (moves back after an RTO) */
	__u32 snd_max; /* highest sent + 1 */
	__u32 snd_wnd; /* peer's window, scaled */
	__u32 max_snd_wnd;
	__u32 snd_wl1, snd_wl2;
	__u32 snd_buf_seq; /* sequence number of sndq's first byte */
	struct xmp_ring sndq;
	/* xmp_tcp_send_ref(): the layer above keeps the bytes from
	 * snd_own_end on (ops->snd_data); below it they are in sndq. */
	bool snd_ref;
	__u32 snd_own_end;
	bool fin_queued; /* shutdown(SHUT_WR): FIN after the buffered data */
	bool passive;	 /* came from a SYN (listen/accept) */
	bool app_closed; /* xmp_tcp_close(): received data is discarded */
	__u16 peer_mss;
	__u16 mss; /* send MSS: payload of a full segment with TS option */
	__u8 snd_wscale, rcv_wscale;
	__u8 ws_offer; /* shift offered in our SYN (fits rcvbuf in 16 bits) */
	bool wscale_ok, ts_ok, sack_ok;

	/* Receive side. */
	__u32 irs;
	__u32 rcv_nxt;
	__u32 rcv_adv;	      /* right edge last advertised */
	__u32 last_ack_sent;  /* RCV.NXT in our last segment */
	__u32 rcv_mss;	      /* largest payload seen: "full-sized" for delack */
	struct xmp_ring rcvq; /* in-order unread data, then out-of-order area */
	struct xmp_range_set ofo;
	bool ack_now;  /* an ACK must go out before the entry point returns */
	bool fin_rcvd; /* peer FIN seen (maybe out of order) */
	__u32 fin_rcv_seq;
	__u32 ts_recent;
	__u32 ts_offset;
	bool ts_recent_valid;

	/* Loss recovery and congestion control. */
	struct xmp_range_set sacked; /* SACK scoreboard above snd_una */
	__u32 cwnd, ssthresh;
	bool in_recovery;
	__u32 recover;	/* RFC 6582 "recover": snd_max at recovery entry */
	__u32 high_rxt; /* RFC 6675 HighRxt */
	__u32 dupacks;
	bool rxt_pending; /* NewReno (no SACK): retransmit SND.UNA next */
	const struct xmp_cc_ops *cc;
	__u64 cc_priv[8];
	/* Coupled congestion control (tcp/cc_coupled.h): the group of the
	 * MPTCP connection's subflows, NULL when uncoupled. Owned by the
	 * group API; unlike cc_priv it survives the cc re-init at handshake. */
	struct xmp_cc_group *cc_group;

	/* RTT and timers (deadlines in us, XMP_TCP_NO_TIMER when off). */
	__u32 srtt_us, rttvar_us, rto_us;
	bool rtt_timing;
	__u32 rtt_seq;
	__u64 rtt_start;
	__u32 retries; /* consecutive RTO expiries (backoff exponent) */
	__u32 probes;  /* zero-window probes without progress */
	__u64 rto_at, delack_at, persist_at, tw_at;
	__u64 last_oow_ack;
	__u32 challenge_count;
	__u64 challenge_epoch;

	__u64 mib[XMP_TCP_MIB_NR]; /* counters: include/xmptcp/mib.h */
};

/* Lifecycle. Returns 0 or -errno (-ENOMEM, -EINVAL, -ENOENT for cc). */
int xmp_tcp_create(struct xmp_tcp_sock **skp, const struct xmp_tcp_cfg *cfg,
		   const struct xmp_tcp_ops *ops, void *ctx);
void xmp_tcp_destroy(struct xmp_tcp_sock *sk);

/* Active open: sends the SYN. */
int xmp_tcp_connect(struct xmp_tcp_sock *sk, __u64 now_us);
/* Passive open: the next SYN given to xmp_tcp_input() is answered. */
int xmp_tcp_listen(struct xmp_tcp_sock *sk);
/* Passive open from a SYN the caller received for a listening port; rx:
 * its parsed options, or NULL to have them parsed. */
int xmp_tcp_accept_syn(struct xmp_tcp_sock *sk, const struct xmp_seg *syn,
		       const struct xmp_tcp_opt_rx *rx, __u64 now_us);

/* Segment input with the options the caller parsed (xmp_tcp_parse_options()
 * or xmp_tcp_parse_meta() over seg->opts). Returns 0, or -errno when the
 * segment was dropped. */
int xmp_tcp_input_rx(struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
		     const struct xmp_tcp_opt_rx *rx, __u64 now_us);
/* The same, parsing seg->opts first. */
int xmp_tcp_input(struct xmp_tcp_sock *sk, const struct xmp_seg *seg, __u64 now_us);

/* Timers. */
__u64 xmp_tcp_next_timer(const struct xmp_tcp_sock *sk);
void xmp_tcp_on_timer(struct xmp_tcp_sock *sk, __u64 now_us);

/*
 * Application side. send returns the bytes accepted (maybe fewer than len
 * when the send buffer is full, 0 when full), -EPIPE after shutdown, or
 * sk->err / -ENOTCONN when closed. recv returns bytes copied, 0 at EOF,
 * -EAGAIN when nothing is buffered yet, sk->err after a reset or abort.
 * Both may transmit (new data, window update), hence now_us.
 */
long xmp_tcp_send(struct xmp_tcp_sock *sk, const void *buf, size_t len, __u64 now_us);
long xmp_tcp_recv(struct xmp_tcp_sock *sk, void *buf, size_t len, __u64 now_us);
/*
 * The same without a copy of the caller's: send_span gives the free room
 * of the send buffer from @off bytes after what is queued up to where the
 * ring wraps (*len bytes; NULL and 0 when none or nothing may be queued
 * now), send_commit queues the first n of that room (returns as
 * xmp_tcp_send()); recv_span gives the unread bytes from offset @off up to
 * the wrap (NULL, 0 when none: xmp_tcp_recv() says whether that is EOF),
 * recv_commit consumes the first n (a window update may leave; -EINVAL when
 * fewer are unread). A caller
 * that takes both spans of a wrapped ring commits them at once, as one
 * send or read would.
 */
__u8 *xmp_tcp_send_span(struct xmp_tcp_sock *sk, __u32 off, __u32 *len);
long xmp_tcp_send_commit(struct xmp_tcp_sock *sk, __u32 n, __u64 now_us);
const __u8 *xmp_tcp_recv_span(const struct xmp_tcp_sock *sk, __u32 off, __u32 *len);
long xmp_tcp_recv_commit(struct xmp_tcp_sock *sk, __u32 n, __u64 now_us);
/*
 * Queues @len bytes whose memory the layer above keeps, so they are copied
 * once, into their frame: each segment asks ops->snd_data for its payload,
 * until the peer acknowledges it at this level. Returns and errors as
 * xmp_tcp_send(); -EINVAL without ops->snd_data or after xmp_tcp_send()
 * queued bytes (a socket uses one or the other; xmp_tcp_send() refuses
 * after this).
 */
long xmp_tcp_send_ref(struct xmp_tcp_sock *sk, size_t len, __u64 now_us);
/*
 * Copies every queued byte the layer above still keeps into the engine's
 * own buffer (through ops->snd_data), so that memory may be reused: a
 * subflow that cannot get its data acknowledged must not hold the
 * connection's send buffer. Returns the bytes copied or -ENODATA.
 */
long xmp_tcp_snd_adopt(struct xmp_tcp_sock *sk);
/* First sequence number whose bytes ops->snd_data must still give (the end
 * of the queued data when none). */
__u32 xmp_tcp_snd_ref_seq(const struct xmp_tcp_sock *sk);
/* Copies up to len unread bytes from offset off without consuming them
 * (e.g. to verify a DSS checksum before delivering a mapping). */
long xmp_tcp_peek(struct xmp_tcp_sock *sk, void *buf, size_t len, size_t off);
/* Subflow sequence number of the next byte xmp_tcp_recv() returns. */
__u32 xmp_tcp_recv_seq(const struct xmp_tcp_sock *sk);
/* Unread bytes; free send buffer bytes (0 after shutdown). */
__u32 xmp_tcp_readable(const struct xmp_tcp_sock *sk);
__u32 xmp_tcp_writable(const struct xmp_tcp_sock *sk);
/* shutdown(SHUT_WR): FIN after the buffered data. */
int xmp_tcp_shutdown(struct xmp_tcp_sock *sk, __u64 now_us);
/* close(): shutdown, unread/incoming data discarded (RST if data was unread). */
int xmp_tcp_close(struct xmp_tcp_sock *sk, __u64 now_us);
/* Send a pure ACK now (no data, the current window): a layer above that
 * must say something on an idle connection uses it, e.g. MPTCP's DATA_ACK
 * or DATA_FIN through ops->write_options (Linux: mptcp_send_ack()). Does
 * nothing before ESTABLISHED or in TIME-WAIT/CLOSED; returns whether an
 * ACK left. */
bool xmp_tcp_ack_now(struct xmp_tcp_sock *sk, __u64 now_us);
/* Halve cwnd (and ssthresh) now: MPTCP penalises a subflow that holds up
 * the connection-level window (tcp_cc.c). */
void xmp_tcp_cwnd_halve(struct xmp_tcp_sock *sk);
/* Raise the send window to @wnd (never lowers it): MPTCP's connection-level
 * window shared by the subflows (tcp.c). */
void xmp_tcp_share_snd_wnd(struct xmp_tcp_sock *sk, __u32 wnd, __u64 now_us);
/* Option room SACK blocks must leave to the hook (cfg.opt_reserve): at
 * least XMP_TCP_HOOK_OPT_MIN / XMP_TCP_HOOK_DATA_MIN, at most the reserve.
 * MPTCP asks for more while the client repeats its 20-byte MP_CAPABLE. */
void xmp_tcp_set_hook_min(struct xmp_tcp_sock *sk, unsigned int ack, unsigned int data);
/* Send a RST and go to CLOSED at once. */
void xmp_tcp_abort(struct xmp_tcp_sock *sk, int err, __u64 now_us);
/* Closes without a segment (a request given up to make room): no RST. */
void xmp_tcp_drop(struct xmp_tcp_sock *sk, int err, __u64 now_us);
/* CLOSED and nothing left to read: frees the send/receive rings (the
 * socket stays readable for its counters). true when they were freed. */
bool xmp_tcp_release_buffers(struct xmp_tcp_sock *sk);

const char *xmp_tcp_state_name(enum xmp_tcp_state st);

/* Congestion control registry (built in: "reno", "cubic"). */
const struct xmp_cc_ops *xmp_cc_find(const char *name);
int xmp_cc_register(struct xmp_cc_ops *ops);

/* Seedable PRNG (splitmix64): ISNs here, loss decisions in memwire. */
static inline __u64 xmp_rng_next(__u64 *state)
{
	__u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif

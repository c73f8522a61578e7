/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MP_JOIN handshake (RFC 8684 3.2) in both roles, as a pure state machine per
 * joining subflow: the option each handshake segment carries, the HMAC
 * checks both ways, the per-connection join limit, and a replay guard over
 * the nonces of recent joins. No I/O, no clock, no allocation: the caller
 * owns every struct and every timer.
 *
 * Key order (3.2, as crypto.h and Linux compute it), A = the host that sends
 * the SYN (client), B = the host that receives it (server):
 *   SYN      A -> B: token of B's key, R-A, A's address id, B bit
 *   SYN-ACK  B -> A: leftmost 64 bits of HMAC(Key-B || Key-A, R-B || R-A),
 *                    R-B, B's address id, B bit
 *   ACK      A -> B: leftmost 160 bits of HMAC(Key-A || Key-B, R-A || R-B)
 *   ACK      B -> A: a plain ACK (the "fourth ACK"): until it arrives A is
 *                    pre-established, repeats its third ACK and sends no data.
 *
 * Intended glue (user/conn/, one struct xmp_join per subflow being joined,
 * one struct xmp_join_conn per MPTCP connection, next to its struct xmp_msk):
 *  - connection: xmp_join_conn_init(c, msk, max_subflows) once the keys are
 *    known (after MP_CAPABLE); the connection layer indexes it by
 *    c->local_token, which is also the key of the XDP token map that steers
 *    join SYNs to us.
 *  - client: xmp_join_init_client() with a fresh xmp_crypto_nonce(), then
 *    xmp_tcp_connect(); ops->write_options(seg):
 *    xmp_join_write_options(j, seg->flags, buf, space); ops->rcv_options(seg):
 *    xmp_mp_parse() then xmp_join_rcv_options(j, seg->flags, &mp); a negative
 *    return aborts with RST (options again from xmp_join_write_options() with
 *    the RST flag: MP_TCPRST j->rst_reason). While j->state is
 *    XMP_JOIN_PRE_ESTABLISHED, arm a timer (Linux: 2 * srtt, else the initial
 *    RTO) whose expiry calls xmp_join_ack_timeout() and, on 0,
 *    xmp_tcp_ack_now() (the ACK picks up the MP_JOIN ACK option again).
 *  - server: on a SYN steered by the token map: xmp_join_init_server() with a
 *    fresh nonce and the token lookup, xmp_join_rcv_options(j, SYN, &mp); a
 *    negative return -> answer RST (+ MP_TCPRST), nothing else is created;
 *    else xmp_tcp_accept_syn() and the same ops hooks as the client. A
 *    return of XMP_JOIN_SEND_ACK from the third ACK -> xmp_tcp_ack_now() (the
 *    fourth ACK).
 *  - xmp_join_can_send(): the scheduler may use the subflow. From
 *    ESTABLISHED on, the subflow's options are subflow.c's (DSS); the
 *    initial subflow's sf->single must then be cleared (3.7: no infinite
 *    fallback with several subflows).
 *  - xmp_join_release() when the subflow closes (frees its join slot);
 *    the connection layer folds a join's counters (jn.mib) into its totals.
 */
#ifndef XMP_MPTCP_JOIN_H
#define XMP_MPTCP_JOIN_H

#include <stdbool.h>
#include <linux/types.h>
#include <xmptcp/mib.h>

#include "common/names.h"
#include "mptcp/conn.h"
#include "mptcp/options.h"

enum xmp_join_role { XMP_JOIN_CLIENT = 0, XMP_JOIN_SERVER };

/* clang-format off */
/* Rows X(ENUM, "name"): common/names.h; the name is xmp_join_state_name()'s. */
#define XMP_JOIN_STATE_LIST(X) \
	X(XMP_JOIN_INIT, "INIT")			/* nothing exchanged */ \
	X(XMP_JOIN_SYN_SENT, "SYN_SENT")		/* client: MP_JOIN SYN written */ \
	X(XMP_JOIN_SYN_RCVD, "SYN_RCVD")		/* server: SYN accepted, SYN-ACK to send */ \
	X(XMP_JOIN_PRE_ESTABLISHED, "PRE_ESTABLISHED")	/* client: third ACK sent, fourth ACK awaited */ \
	X(XMP_JOIN_ESTABLISHED, "ESTABLISHED")		/* the subflow may carry data */ \
	X(XMP_JOIN_FAILED, "FAILED")			/* refused or failed: RST, never a subflow */

/* Why a join failed (j->fail); the counter of the same name says how often. */
#define XMP_JOIN_FAIL_LIST(X) \
	X(XMP_JOIN_FAIL_NONE, "none") \
	X(XMP_JOIN_FAIL_NO_TOKEN, "no_token")	/* server: the SYN's token names no connection */ \
	X(XMP_JOIN_FAIL_LIMIT, "limit")		/* the connection has its max_subflows */ \
	X(XMP_JOIN_FAIL_CLOSED, "closed")	/* the connection is not established, fell
						 * back to TCP or was aborted */ \
	X(XMP_JOIN_FAIL_REPLAY, "replay")	/* the peer's nonce belongs to a recent join */ \
	X(XMP_JOIN_FAIL_THMAC, "thmac")		/* client: the SYN-ACK's truncated HMAC is wrong */ \
	X(XMP_JOIN_FAIL_HMAC, "hmac")		/* server: the third ACK's HMAC is wrong */ \
	X(XMP_JOIN_FAIL_NO_MPJ, "no_mpj")	/* a handshake segment without its MP_JOIN */ \
	X(XMP_JOIN_FAIL_ACK_TIMEOUT, "ack_timeout") /* client: the fourth ACK never came */
/* clang-format on */

enum xmp_join_state { XMP_JOIN_STATE_LIST(XMP_ENUM_ROW) XMP_JOIN_NR_STATES };
enum xmp_join_fail { XMP_JOIN_FAIL_LIST(XMP_ENUM_ROW) XMP_JOIN_FAIL_NR };

/* Nonces of the last joins of a connection kept for the replay guard. */
#define XMP_JOIN_REPLAY_RING 16
/* Third-ACK retransmissions before the client gives up (3.2). */
#define XMP_JOIN_ACK_RTX_MAX 6

/* Returned by xmp_join_rcv_options() (server): established, send an ACK
 * now; it is the fourth ACK that lets the client send data (3.2). */
#define XMP_JOIN_SEND_ACK 1

struct xmp_join_nonces {
	__u32 local, remote;
};

/* Per MPTCP connection: what joins need besides the msk's keys. */
struct xmp_join_conn {
	struct xmp_msk *msk;	   /* keys of the HMACs (borrowed) */
	__u32 local_token;	   /* token of our key: named by the peer's join SYNs */
	__u32 remote_token;	   /* token of the peer's key: named by ours */
	unsigned int max_subflows; /* joined subflows allowed, as Linux's
				    * "ip mptcp limits subflows" (the initial
				    * subflow not counted) */
	unsigned int nr_joined;	   /* established joins not yet released */
	struct xmp_join_nonces recent[XMP_JOIN_REPLAY_RING];
	unsigned int nr_recent, next_recent;
};

struct xmp_join;

/* Server: the connection whose local token is @token, or NULL. */
typedef struct xmp_join_conn *(*xmp_join_lookup_fn)(__u32 token, void *arg);

struct xmp_join {
	enum xmp_join_role role;
	enum xmp_join_state state;
	struct xmp_join_conn *conn; /* server: NULL until the token is found */
	xmp_join_lookup_fn lookup;  /* server */
	void *lookup_arg;
	__u32 local_nonce, remote_nonce;
	__u8 local_id, remote_id;	/* address ids (3.2, 3.4) */
	bool local_backup;		/* B bit we send: the peer should treat the
					 * subflow as backup when sending */
	bool remote_backup;		/* B bit received */
	bool counted;			/* holds a slot of conn->nr_joined */
	__u32 token;			/* server: token of the accepted SYN */
	__u64 thmac;			/* SYN-ACK's truncated HMAC (sent or accepted) */
	__u8 hmac[MPTCP_JOIN_HMAC_LEN]; /* client: the third ACK's HMAC */
	unsigned int ack_rtx;		/* client: third-ACK timeouts so far */
	enum xmp_join_fail fail;
	__u8 rst_reason;      /* MP_TCPRST reason of our RST when FAILED */
	__u8 peer_rst_reason; /* from a received MP_TCPRST */
	__u64 mib[XMP_JOIN_MIB_NR]; /* counters: include/xmptcp/mib.h */
};

/* Tokens from @msk's keys (3.1), empty replay ring. 0 or -EINVAL. */
int xmp_join_conn_init(struct xmp_join_conn *c, struct xmp_msk *msk, unsigned int max_subflows);

/*
 * Client: a join of @c's connection from local address @local_id, asking the
 * peer to treat it as backup when @backup, with nonce R-A = @nonce (random:
 * xmp_crypto_nonce()). 0, -EINVAL, -EEXIST if @nonce was ours in a recent
 * join of @c (draw another), -EMLINK if @c is at its max_subflows,
 * -ENOTCONN if the connection takes no new subflow (not ESTABLISHED at the
 * data level, fallen back to TCP, aborted). A refused join is left FAILED
 * (no SYN option) and counts nothing: it never reached the wire.
 */
int xmp_join_init_client(struct xmp_join *j, struct xmp_join_conn *c, __u8 local_id, bool backup,
			 __u32 nonce);
/* Server: ready for one join SYN on local address @local_id; @lookup finds
 * the connection by token. 0 or -EINVAL. */
int xmp_join_init_server(struct xmp_join *j, xmp_join_lookup_fn lookup, void *arg, __u8 local_id,
			 bool backup, __u32 nonce);

/*
 * Options of an outgoing segment with TCP header @flags (SYN 0x02, RST 0x04,
 * ACK 0x10) into @out (cleared): the MP_JOIN SYN (client), SYN-ACK (server,
 * also on retransmissions), the third ACK on every non-SYN segment while
 * pre-established, MP_TCPRST on a RST when the join FAILED. Returns the
 * number of suboptions (0: nothing from this module).
 */
int xmp_join_build_options(struct xmp_join *j, __u8 flags, struct xmp_mp_opt *out);
/* Same, encoded (ops->write_options). Bytes written or -errno. */
int xmp_join_write_options(struct xmp_join *j, __u8 flags, __u8 *buf, unsigned int space);

/*
 * Options of an incoming segment (@flags as above, @in from xmp_mp_parse()):
 * server SYN (token lookup, limit, replay guard), client SYN-ACK (truncated
 * HMAC), server third ACK (HMAC), client fourth ACK. Returns 0,
 * XMP_JOIN_SEND_ACK (server just established), or -errno with j->state
 * FAILED, j->fail and j->rst_reason set: the caller resets the subflow
 * (answers the SYN with a RST): -ENOENT unknown token, -EMLINK join limit,
 * -ENOTCONN connection not accepting subflows, -EEXIST replayed nonce,
 * -EBADMSG wrong HMAC, -EPROTO missing MP_JOIN.
 * Repeated or contradicting handshake options once past them are ignored
 * (counted), so retransmissions are harmless.
 */
int xmp_join_rcv_options(struct xmp_join *j, __u8 flags, const struct xmp_mp_opt *in);

/*
 * Client: the third-ACK timer expired while pre-established (3.2: the third
 * ACK must reach the server). 0: send an ACK again (it carries the MP_JOIN
 * ACK); -ETIMEDOUT after XMP_JOIN_ACK_RTX_MAX tries (FAILED: reset);
 * -EINVAL when not pre-established (stop the timer).
 */
int xmp_join_ack_timeout(struct xmp_join *j);

/* The subflow may carry data (3.2: the client only after the fourth ACK). */
static inline bool xmp_join_can_send(const struct xmp_join *j)
{
	return j->state == XMP_JOIN_ESTABLISHED;
}

/* The subflow is gone: give its slot back to the connection. Idempotent. */
void xmp_join_release(struct xmp_join *j);

const char *xmp_join_state_name(enum xmp_join_state st);
const char *xmp_join_fail_name(enum xmp_join_fail f);

#endif

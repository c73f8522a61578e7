/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP address signalling (RFC 8684 3.4.1 ADD_ADDR, 3.4.2 REMOVE_ADDR,
 * 3.3.8 MP_PRIO) as a pure state machine per MPTCP connection: which of our
 * addresses to announce or withdraw, their echoes and retransmissions, and
 * the peer's addresses learnt from authenticated ADD_ADDRs. No I/O, no clock
 * (the caller passes now_us), no allocation: the caller owns every struct.
 *
 * Key order (3.4.1, as crypto.h and Linux compute it): an ADD_ADDR carries
 * the rightmost 64 bits of HMAC(Key of the sender || Key of the receiver,
 * Address ID || Address || Port), the port 2 bytes and 0 when the option has
 * none. We send with (local_key, remote_key) and check with
 * (remote_key, local_key).
 *
 * Intended glue (user/conn/pm.c, one struct xmp_addr_conn per MPTCP connection next
 * to its struct xmp_msk and struct xmp_join_conn):
 *  - xmp_addr_conn_init(c, msk, cfg) once the keys are known (after
 *    MP_CAPABLE), cfg NULL for the defaults below.
 *  - path manager: xmp_addr_announce() for each local address to signal
 *    (RTM_NEWADDR, or at establishment), xmp_addr_withdraw() on RTM_DELADDR;
 *    then, when xmp_addr_pending(c), force an ACK out on a subflow
 *    (xmp_tcp_ack_now()): the option rides on it.
 *  - ops->write_options(seg), on any established subflow: after the DSS is
 *    in the struct xmp_mp_opt, xmp_addr_build(c, now, space left, &mp); if
 *    it returned 1, xmp_mp_write() the whole struct, and once the segment
 *    has really been handed to the wire, xmp_addr_sent(c, now, &mp). A
 *    segment that was built but dropped before TX leaves the state alone:
 *    the next segment carries the same option.
 *  - ops->rcv_options(seg): after xmp_mp_parse(),
 *    xmp_addr_rcv(c, &mp, &ev); then for ev.added[] open subflows (fullmesh)
 *    to the new addresses, for ev.removed[] close the subflows to those
 *    addresses, for ev.rm_ids[] close every subflow whose remote address id
 *    is one of them (ids also come from MP_JOIN, so a REMOVE_ADDR may name
 *    an id never announced); ev.send_ack -> xmp_tcp_ack_now() (the echo).
 *    MP_PRIO (mp.suboptions & XMP_MPO_PRIO) is per subflow: the caller sets
 *    that subflow's backup flag itself.
 *  - timer: arm at xmp_addr_next_timer(c) (UINT64_MAX: none); on expiry
 *    xmp_addr_timer(c, now) and, when it returns true, xmp_tcp_ack_now().
 *  - MP_PRIO: xmp_addr_prio_opt(backup, &mp) in the write_options of the
 *    subflow whose priority changes (3.3.8: it applies to the subflow it is
 *    sent on).
 *  - xmp_addr_remote_nr()/xmp_addr_remote_get(): the learnt addresses, for
 *    the path manager, which folds the counters (mib) into totals.
 */
#ifndef XMP_MPTCP_ADDR_H
#define XMP_MPTCP_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include <xmptcp/mib.h>

#include "common/names.h"
#include "mptcp/conn.h"
#include "mptcp/options.h"

/* Entries of each table (our announcements, the peer's addresses), as the
 * "ip mptcp" limit of 8 addresses per connection. */
#define XMP_ADDR_MAX 8
/* Echoes waiting for a segment; more are dropped (the peer retransmits). */
#define XMP_ADDR_ECHO_MAX 8

/* Defaults: Linux's add_addr_accepted-like limit, its 2 s ADD_ADDR
 * retransmission interval and ADD_ADDR_RETRANS_MAX. */
#define XMP_ADDR_DEF_MAX_ACCEPTED 8
#define XMP_ADDR_DEF_RTX_US	  2000000ULL
#define XMP_ADDR_DEF_RTX_MAX	  3

/* State of one of our announcements. */
/* clang-format off */
/* Rows X(ENUM, "name"): common/names.h; the name is xmp_addr_lstate_name()'s. */
#define XMP_ADDR_LSTATE_LIST(X) \
	X(XMP_ADDR_FREE, "FREE")		/* slot unused */ \
	X(XMP_ADDR_PENDING, "PENDING")		/* ADD_ADDR to send (first time or retransmission) */ \
	X(XMP_ADDR_SENT, "SENT")		/* sent, echo awaited (or given up: gave_up) */ \
	X(XMP_ADDR_ECHOED, "ECHOED")		/* the peer echoed it: done */ \
	X(XMP_ADDR_WITHDRAWN, "WITHDRAWN")	/* REMOVE_ADDR to send; the slot frees once sent */
/* clang-format on */

enum xmp_addr_lstate { XMP_ADDR_LSTATE_LIST(XMP_ENUM_ROW) XMP_ADDR_NR_STATES };

struct xmp_addr_cfg {
	unsigned int max_accepted; /* remote addresses kept, <= XMP_ADDR_MAX */
	__u64 rtx_interval_us;	   /* ADD_ADDR retransmission interval, > 0 */
	unsigned int rtx_max;	   /* retransmissions before giving up */
};

/* One of our announcements. */
struct xmp_addr_local {
	__u8 addr[16];	/* network order; IPv4 in the first 4 bytes */
	__u64 deadline; /* SENT: when to retransmit or give up (us) */
	__u16 port;	/* host order; 0 = no port in the option */
	__u8 id;	/* address id */
	__u8 family;	/* 4 or 6 */
	__u8 state;	/* enum xmp_addr_lstate */
	__u8 tx;	/* transmissions so far */
	bool gave_up;	/* SENT, rtx_max retries done and no echo */
};

/* An address of the peer, learnt from an authenticated ADD_ADDR. */
struct xmp_addr_remote {
	__u8 addr[16]; /* network order; IPv4 in the first 4 bytes */
	__u16 port;    /* host order; 0 = the option had none (use the
			* connection's remote port) */
	__u8 id;       /* the peer's address id */
	__u8 family;   /* 4 or 6 */
	bool usable;   /* the path manager may open subflows to it */
};

/* Per MPTCP connection. */
struct xmp_addr_conn {
	const struct xmp_msk *msk; /* keys of the HMACs (borrowed) */
	struct xmp_addr_cfg cfg;
	struct xmp_addr_local local[XMP_ADDR_MAX];
	struct xmp_addr_remote remote[XMP_ADDR_MAX]; /* [0, nr_remote), arrival order */
	unsigned int nr_remote;
	struct xmp_add_addr echo[XMP_ADDR_ECHO_MAX]; /* echoes to send, FIFO */
	unsigned int nr_echo;
	__u64 mib[XMP_ADDR_MIB_NR]; /* counters: include/xmptcp/mib.h */
};

/* What one received segment changed (xmp_addr_rcv()). */
struct xmp_addr_events {
	/* a segment carries at most one ADD_ADDR, so at most one addition */
	struct xmp_addr_remote added[1];
	unsigned int nr_added;
	/* learnt addresses dropped: replaced by an ADD_ADDR, or removed by a
	 * REMOVE_ADDR (at most the whole table plus the one just added) */
	struct xmp_addr_remote removed[XMP_ADDR_MAX + 1];
	unsigned int nr_removed;
	/* every id of a received REMOVE_ADDR, learnt or not: subflows with
	 * these remote ids (from ADD_ADDR or MP_JOIN) must close */
	__u8 rm_ids[MPTCP_RM_IDS_MAX];
	unsigned int nr_rm_ids;
	bool echoed;	/* one of our announcements was echoed ... */
	__u8 echoed_id; /* ... this one */
	bool send_ack;	/* an echo is queued: send an ACK soon */
};

/* The default configuration. */
void xmp_addr_cfg_default(struct xmp_addr_cfg *cfg);

/* Empty tables; keys from @msk (borrowed, must outlive @c); @cfg NULL for
 * the defaults. 0, or -EINVAL for NULL @c/@msk, max_accepted above
 * XMP_ADDR_MAX or a zero rtx_interval_us. */
int xmp_addr_conn_init(struct xmp_addr_conn *c, const struct xmp_msk *msk,
		       const struct xmp_addr_cfg *cfg);

/*
 * Announce local address @addr (4 or 16 bytes, network order, @family 4 or
 * 6) with id @id and optional @port (0: none) to the peer: queued PENDING.
 * 0, -EINVAL on bad arguments, -EEXIST if @id or the same address and port
 * is already announced, -EBUSY if @id's REMOVE_ADDR is still to be sent
 * (announce after it, so the peer never sees them reordered), -ENOSPC if
 * XMP_ADDR_MAX announcements are held.
 */
int xmp_addr_announce(struct xmp_addr_conn *c, __u8 id, __u8 family, const __u8 *addr, __u16 port);

/*
 * Withdraw announcement @id: a REMOVE_ADDR for it is queued and the
 * announcement dropped (3.4.2). One never sent is simply dropped: the peer
 * has nothing to forget. 0, -ENOENT if @id is not announced (or already
 * withdrawn).
 */
int xmp_addr_withdraw(struct xmp_addr_conn *c, __u8 id);

/* Something is waiting for a segment (echo, ADD_ADDR, REMOVE_ADDR). */
bool xmp_addr_pending(const struct xmp_addr_conn *c);

/*
 * Add at most one suboption to @mp for an outgoing segment, in this order:
 * an echo, a REMOVE_ADDR (as many withdrawn ids as fit), an ADD_ADDR that is
 * PENDING (HMAC computed here); only if its padded length fits in @space
 * bytes and @mp holds no suboption of that kind yet. State is unchanged
 * (see xmp_addr_sent()). Returns the number of suboptions added (0 or 1),
 * -EINVAL on NULL arguments, -EIO if the HMAC could not be computed.
 */
int xmp_addr_build(struct xmp_addr_conn *c, __u64 now_us, unsigned int space,
		   struct xmp_mp_opt *mp);

/*
 * The segment with @mp (from xmp_addr_build()) left at @now_us: an echo is
 * dequeued, an ADD_ADDR becomes SENT with its retransmission deadline, the
 * withdrawn ids of a REMOVE_ADDR free their slots. Suboptions that match
 * nothing of ours are ignored, so calling it twice is harmless.
 */
void xmp_addr_sent(struct xmp_addr_conn *c, __u64 now_us, const struct xmp_mp_opt *mp);

/* Earliest retransmission deadline of an unechoed ADD_ADDR, or UINT64_MAX. */
__u64 xmp_addr_next_timer(const struct xmp_addr_conn *c);

/*
 * Retransmission timer at @now_us: each SENT announcement whose deadline has
 * come becomes PENDING again while it has retries left (rtx_max), else it
 * stays SENT, given up (counted, no more deadline). Returns true when
 * something is now due to be sent: the caller forces an ACK out.
 */
bool xmp_addr_timer(struct xmp_addr_conn *c, __u64 now_us);

/*
 * Options of a received segment (@mp from xmp_mp_parse()): ADD_ADDR echoes
 * mark our announcement ECHOED; other ADD_ADDRs are authenticated (peer key
 * first), recorded within max_accepted and echoed; REMOVE_ADDR drops the
 * learnt addresses it names. @ev (cleared first; may be NULL) says what
 * changed. Bad input is counted and ignored, never an error: returns 0, or
 * -EINVAL on NULL @c/@mp.
 */
int xmp_addr_rcv(struct xmp_addr_conn *c, const struct xmp_mp_opt *mp, struct xmp_addr_events *ev);

/* Learnt remote addresses: how many, the @i-th (arrival order; NULL past the
 * end), the one with id @id (or NULL). */
unsigned int xmp_addr_remote_nr(const struct xmp_addr_conn *c);
const struct xmp_addr_remote *xmp_addr_remote_get(const struct xmp_addr_conn *c, unsigned int i);
const struct xmp_addr_remote *xmp_addr_remote_find(const struct xmp_addr_conn *c, __u8 id);
/* The path manager marks a remote address (un)usable, e.g. after joins to
 * it failed. 0 or -ENOENT. */
int xmp_addr_remote_set_usable(struct xmp_addr_conn *c, __u8 id, bool usable);

/* Our announcement with id @id (FREE slots excluded), or NULL. */
const struct xmp_addr_local *xmp_addr_local_find(const struct xmp_addr_conn *c, __u8 id);

/* MP_PRIO (3.3.8) into @mp: B = @backup. Sent on the subflow whose priority
 * changes. Returns 1 (suboptions added) or -EINVAL for a NULL @mp. */
int xmp_addr_prio_opt(bool backup, struct xmp_mp_opt *mp);

const char *xmp_addr_lstate_name(enum xmp_addr_lstate st);

#endif

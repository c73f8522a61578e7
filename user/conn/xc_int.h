/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection layer's private header (user/conn/): its structs and the
 * prototypes of each file, grouped by file. Hosts use xc.h only; a unit
 * test may include this to look inside.
 *
 *   stack.c     the stack: configuration, host ops, frames in, timers
 *   conn.c      one connection: creation, joins, subflows that end, free
 *   pump.c      data between the application and the subflows, the pump
 *   close.c     DATA_ACK/DATA_FIN the engines do not carry, close, abort
 *   sflow.c     one subflow: its engine glued to the MPTCP subflow logic
 *   xmit.c      scheduling, reinjection, data-level retransmission
 *   pm.c        path manager: local addresses, which subflows, links,
 *               address signalling (ADD_ADDR, REMOVE_ADDR, MP_PRIO)
 *   limits.c    memory and half-open accounting
 *   conntab.c   subflows by tuple, connections by token
 *   report.c    what a connection tells (summary line, tables)
 */
#ifndef XMP_CONN_XC_INT_H
#define XMP_CONN_XC_INT_H

#include "conn/xc.h"
#include "mptcp/addr.h"
#include "mptcp/join.h"
#include "mptcp/subflow.h"
#include "tcp/cc_coupled.h"
#include "tcp/tcp.h"

/* ---- sflow.c: one subflow of a connection ---- */

/*
 * A subflow: its TCP engine, the MPTCP subflow logic (the initial one's
 * MP_CAPABLE state holds the keys; a joined one runs the MP_JOIN handshake
 * in jn first, then xmp_sf_init_joined() on the shared msk), its tuple in
 * the steering map and the conntab, and its path. It stays in its
 * connection's table after it closed, for the report.
 */
/* Option room a subflow's engine keeps for MPTCP beside SACK blocks
 * (sflow.c sf_option_room()). */
enum xc_sf_room {
	XC_ROOM_DSS = 0, /* the DSS's minimum */
	XC_ROOM_MPC,	 /* the client's repeated MP_CAPABLE (3.1) */
	XC_ROOM_FAIL,	 /* an MP_FAIL beside a DSS (3.7) */
};

struct xc_sf {
	struct xc_conn *c;
	struct xc_sf *hnext; /* conntab bucket */
	struct xc_path path; /* where its frames go (port NULL: none yet) */
	__u32 id;     /* order of creation in the connection (scheduler id) */
	bool join;    /* MP_JOIN subflow (not the initial one) */
	bool backup;  /* we asked the peer to use it as backup (B bit / MP_PRIO) */
	bool linked;  /* in the conntab */
	bool dead;    /* failed or closed: carries nothing more */
	__u8 room;    /* enum xc_sf_room: option room the engine keeps for us */
	__u64 mem;    /* its rings' bytes against max_mem; 0 once trimmed */
	bool ack_due; /* an ACK must leave after this entry (fourth ACK, 3.2) */
	bool peer_backup; /* the peer asked us to use it as backup (MP_JOIN B, MP_PRIO) */
	struct xmp_tcp_sock *sk;
	struct xmp_sf sf;
	struct xmp_join jn;

	struct xmp_addr laddr, raddr;
	__u16 lport, rport;
	struct xmp_pkt_hdrs hdrs; /* addresses and MACs of our frames */
	struct xmp_tuple tuple;	  /* steering key (src = peer) */
	bool owned;
	int port_res; /* client: the host's hold on our port (-1: none) */

	unsigned int events; /* XMP_TCP_EV_* seen, for the pump */
	bool sf_shut;	     /* FIN queued */
	bool dack_valid;     /* dack_tx holds the last DATA_ACK sent on it */
	__u64 dack_tx;
	__u64 join_rtx_at;   /* client: third-ACK retransmission (3.2) */
	__u64 penalised_at;  /* last cwnd halving by opportunistic reinjection */
	__u64 bytes_sent, bytes_reinj, bytes_rcvd;
	__u64 seg_maps, acks_forced;
	int err;
	int rx_err; /* xc_sf_take() failed inside the engine: for the pump */
	struct xmp_mp_parse_stats pst;
};

/* Creation: initial subflow of a client / server connection, or a join. */
int xc_sf_new(struct xc_sf **out, struct xc_conn *c, bool join);
/* Route (from @src through its interface when given), port, SYN. */
int xc_sf_connect(struct xc_sf *s, const struct xmp_addr *src, const struct xmp_addr *dst,
		  __u16 dport);
/* Answer a SYN (MP_CAPABLE or an accepted MP_JOIN) come by @in. */
int xc_sf_accept(struct xc_sf *s, const struct xc_path *in, const struct xmp_frame *syn);
void xc_sf_free(struct xc_sf *s);
/* Out of the tuple table and the steering map, its port given back: what
 * a closed subflow kept for the report no longer needs. */
void xc_sf_unlink(struct xc_sf *s);
bool xc_sf_match(const struct xc_sf *s, const struct xmp_frame *f);
/* May carry data now: established (and, joined, past the fourth ACK). */
bool xc_sf_usable(const struct xc_sf *s);
/* No subflow of @c may fall back to plain TCP any more (3.7): a join's
 * SYN-ACK went (server) or came (client); the peer may copy from then on. */
void xc_conn_no_fallback(struct xc_conn *c);
/* Still has an engine that is not CLOSED (TIME-WAIT included). */
bool xc_sf_open(const struct xc_sf *s);
/* An ACK now (it carries the options due); false when the engine cannot. */
bool xc_sf_force_ack(struct xc_sf *s);
/* Sends one mapping on s; its bytes stay in the connection's send buffer. */
int xc_sf_send_map(struct xc_sf *s, const struct xmp_tx_map *m, bool reinj);
/* The oldest DSN s may still send, or @dsn when older (xmp_msk_snd_keep()). */
__u64 xc_sf_snd_keep(const struct xc_sf *s, __u64 dsn);
/* s's engine copies the bytes it may still send into its own ring. */
bool xc_sf_snd_adopt(struct xc_sf *s);
/* In-order subflow bytes at relative sequence @ssn into the reassembly;
 * returns how many it took (*want: see xmp_sf_data_res), 0 on error (kept
 * in s->rx_err). */
__u32 xc_sf_take(struct xc_sf *s, __u32 ssn, const __u8 *data, __u32 len, __u32 *want);
__u64 xc_sf_next_timer(const struct xc_sf *s);
void xc_sf_timer(struct xc_sf *s);
/* Bytes queued in the subflow, sent or not, not yet acked. */
__u32 xc_sf_queued(const struct xc_sf *s);
/* A refused MP_JOIN SYN: answers it with RST + MP_TCPRST. */
void xc_sf_refuse_syn(struct xc_stack *st, const struct xc_path *in,
		      const struct xmp_frame *syn, struct xmp_join *j);
/* A subflow the scheduler keeps for when no other works (3.3.8): ours by
 * a backup interface, or the peer's wish (MP_JOIN B bit, MP_PRIO). */
bool xc_sf_backup(const struct xc_sf *s);

/* ---- pm.c: the path manager ---- */

/* A remote address: id 0 is the one connected to; others from ADD_ADDR. */
struct xc_pm_raddr {
	struct xmp_addr addr;
	__u16 port;
	__u8 id;
};

struct xc_pm_conn {
	struct xc_pm_raddr ra[XC_PM_ADDRS];
	unsigned int nra;
	__u64 next_at;	 /* next look for missing subflows */
	__u32 retry_us;	 /* backoff after a join that failed */
	struct xmp_addr_conn ac; /* ADD_ADDR / REMOVE_ADDR state (3.4) */
	bool ac_ready;
	__u64 sig_at; /* an ACK was forced for a pending signal until then */
};

/* A local address of the host's interfaces. */
struct xc_pm_laddr {
	struct xmp_addr addr;
	int ifindex;
	__u8 id; /* address id announced / sent in MP_JOIN */
	bool up; /* its link is up */
};

struct xc_pm {
	struct xc_pm_laddr la[XC_PM_ADDRS];
	unsigned int nla;
	__u8 next_id;
};

/* The interface holding local address @a, 0 when none of ours does. */
int xc_pm_ifindex(const struct xc_stack *st, const struct xmp_addr *a);
/* Address id of local address @a (3.2, 3.4.1), 0 when unknown. */
__u8 xc_pm_local_id(const struct xc_stack *st, const struct xmp_addr *a);
void xc_pm_conn_init(struct xc_conn *c);
/* The initial subflow is there: remote address id 0, first look. */
void xc_pm_conn_start(struct xc_conn *c);
/* Opens the subflows the mode wants and that are missing (client). */
void xc_pm_run(struct xc_conn *c);
__u64 xc_pm_next_timer(const struct xc_conn *c);
/* The subflows from local address @a end (it vanished). */
void xc_pm_close_from(struct xc_conn *c, const struct xmp_addr *a);
/* Address signalling on a subflow's segments (ADD_ADDR, REMOVE_ADDR). */
void xc_pm_add_options(struct xc_sf *s, const struct xmp_seg *seg, struct xmp_mp_opt *mp,
		       unsigned int space);
void xc_pm_options_sent(struct xc_sf *s, const struct xmp_mp_opt *mp);
void xc_pm_rcv_options(struct xc_sf *s, const struct xmp_mp_opt *mp);
/* The keys are known: address signalling starts (server: announcements). */
void xc_pm_conn_ready(struct xc_conn *c);
/* The connection is freed: its counters go to the stack's totals. */
void xc_pm_conn_free(struct xc_conn *c);
void xc_pm_report(const struct xc_conn *c, FILE *f);

/* ---- conn.c, pump.c, close.c: one MPTCP connection over its subflows ---- */

/* A data range to send again on another subflow (its subflow failed). */
struct xc_reinj {
	__u64 dsn;
	__u32 len;
};

#define XC_REINJ_MAX 64

struct xc_conn {
	struct xc_stack *st;
	struct xc_conn *next, *prev; /* the stack's list */
	struct xc_conn *tnext;	     /* token table bucket */
	__u64 id;
	struct xc_app app;
	enum xmp_sf_role role;
	bool plain; /* plain TCP: no MP_CAPABLE (3.7 fallback at the handshake) */

	/* the initial subflow's tuple names the connection */
	struct xmp_addr laddr, raddr;
	__u16 lport, rport;

	struct xc_sf *sfs[XC_SF_SLOTS]; /* [0] the initial subflow */
	unsigned int nsf;
	struct xmp_join_conn jc; /* MP_JOIN: tokens, keys, limit (3.2) */
	bool jc_ready;
	bool token_owned; /* local token published (joins are steered to us) */
	struct xmp_sched_conn sched;
	bool sched_ready;
	struct xmp_cc_group ccg;
	struct xc_pm_conn pm;

	struct xc_reinj rq[XC_REINJ_MAX];
	unsigned int nrq;

	bool app_eof;  /* the application's stream ended */
	bool rcvd_eof; /* the peer's end of data reached the application's side */
	bool src_shut; /* DATA_FIN (or plain FIN) queued */
	bool closing;  /* graceful close asked (signal) */
	__u64 app_sent, app_rcvd; /* bytes from / to the application */
	__u64 dfin_rtx_at; /* data-level retransmission of a lone DATA_FIN */
	__u64 linger_end;  /* both DATA_FINs acked: subflows still open then are reset */
	__u64 dack_at;	   /* a stale DATA_ACK goes out on its own then */
	unsigned int dack_backoff; /* forced ACKs in a row that could not carry it */
	__u64 drtx_at;	   /* data-level retransmission timer (3.3.6) */
	__u64 drtx_una;	   /* DATA_ACK when it was armed */
	unsigned int drtx_backoff;
	__u64 drtx_count;  /* expiries */
	__u32 dfin_rto_us;
	__u64 t_start, t_established, t_done;
	__u64 t_eof; /* the peer's end of data reached the app's side (DATA_FIN in order) */
	bool done;     /* the transfer is over (closed, TIME-WAIT or error) */
	bool repump;   /* the app has room for bytes still waiting: pump again now */
	int err;
	__u64 reinj_upto; /* opportunistic reinjection sent data up to here */
	bool reinj_upto_valid;
	__u64 reinj_bytes, penalties, wnd_blocked;
	__u64 keep_adopted; /* subflows that took their bytes (xc_xmit_keep()) */
	__u64 copies_held; /* copies not sent: no subflow could take one (3.7) */
	__u64 mem;    /* bytes reserved against max_mem (limits.c) */
	__u32 subflows_opened; /* established: the initial one, then each join */
	__u32 joins_failed;    /* joins that never completed (not listed) */
	__u32 next_sf_id;
};

static inline struct xc_sf *xc_conn_first(const struct xc_conn *c)
{
	return c->nsf ? c->sfs[0] : NULL;
}

/* The data level, once the keys are known; NULL for plain TCP. */
static inline struct xmp_msk *xc_conn_msk(const struct xc_conn *c)
{
	return c->nsf && !c->plain ? c->sfs[0]->sf.msk : NULL;
}

/* 3.7: after a fallback the subflow's stream is the data stream, and its
 * FIN the DATA_FIN (the options that would carry one do not get through). */
static inline bool xc_conn_fallen_back(const struct xc_conn *c)
{
	const struct xmp_msk *msk = xc_conn_msk(c);

	return msk && msk->fallback;
}

/* conn.c */
/* Client side of a join (path manager): a new subflow from @src to @dst. */
int xc_conn_add_subflow(struct xc_conn *c, const struct xmp_addr *src,
			const struct xmp_addr *dst, __u16 dport, bool backup);
/* Once the keys are known: joins, the local token, the scheduler. */
void xc_conn_mptcp_ready(struct xc_conn *c);
/* A subflow failed or closed: it leaves the tuple table, its data is
 * reinjected elsewhere; the connection goes on while another lives. */
void xc_conn_sf_gone(struct xc_conn *c, struct xc_sf *s);
/* Closed subflows leave the tables (kept for the report). */
void xc_conn_reap_subflows(struct xc_conn *c);
/* Live subflows (engine not closed, not dead). */
unsigned int xc_conn_live(const struct xc_conn *c);
const char *xc_conn_state(const struct xc_conn *c);
/* The first of @ev for the host (ops->conn_event). */
void xc_conn_event(struct xc_conn *c, unsigned int ev);
/* report.c: what every report says of a connection and its subflows the
 * same way (the JSON forms there, the metrics in metrics.c) */
/* ADDR:PORT, [ADDR]:PORT for IPv6 (as the command line takes them). */
const char *xc_endpoint_str(const struct xmp_addr *a, __u16 port, char *buf, size_t len);
const char *xc_sf_state_name(const struct xc_sf *s);
/* The interface's name, "-" when the subflow has no port of the host. */
const char *xc_sf_iface(const struct xc_sf *s);
const char *xc_conn_sched_name(const struct xc_conn *c);
const char *xc_conn_cc_name(const struct xc_conn *c);
/* Either end flagged the subflow backup. */
bool xc_sf_is_backup(const struct xc_sf *s);
/* Bytes the subflow's peer acknowledged at the TCP level. */
__u64 xc_sf_acked(const struct xc_sf *s);
/* A token as 8 hex digits, "-" when not @valid. */
void xc_tok_hex(char *buf, size_t len, __u32 tok, bool valid);
/* pump.c */
void xc_conn_input(struct xc_sf *s, const struct xmp_frame *f);
/* close.c */
/* The subflow for connection-level signals: usable, lowest RTT. */
struct xc_sf *xc_conn_signal_sf(const struct xc_conn *c);
/* The DATA_ACK / DATA_FIN the engines will not carry by themselves. */
void xc_conn_mptcp_acks(struct xc_conn *c);
/* After a fallback: the reopened window announced (3.7). */
void xc_conn_fallback_acks(struct xc_conn *c);
/* ACKs a subflow owes now (fourth ACK of a join, an ADD_ADDR echo). */
void xc_conn_acks_due(struct xc_conn *c);
/* Every subflow failed before the data level closed: the connection did. */
void xc_conn_check_alive(struct xc_conn *c);
/* Subflows close once the data level is done; the connection is over. */
void xc_conn_pump_close(struct xc_conn *c);
/* Received bytes the application has not taken yet (pump.c). */
bool xc_conn_rx_waiting(const struct xc_conn *c);
void xc_conn_timer(struct xc_conn *c);
__u64 xc_conn_next_timer(const struct xc_conn *c);

/* ---- xmit.c: scheduling, reinjection, data-level retransmission ---- */

#define XC_MAP_MAX 32768 /* bytes per mapping carved (data_len is 16 bits) */

/* What the scheduler decides from, and the subflow of each entry. */
struct xc_view {
	struct xmp_sched_view v;
	struct xmp_sched_subflow sf[XC_SF_MAX];
	struct xc_sf *s[XC_SF_MAX];
};

/* The view of @c for @unsent bytes. @flags XMP_SCHED_REINJECT: data
 * already sent; only subflows that may carry a copy of it (3.7) are in it.
 * It only reads: building a view sends nothing and changes no engine. */
void xc_xmit_view(struct xc_conn *c, struct xc_view *w, __u64 unsent, __u32 flags);
/* Reinjections, then new data: the scheduler's chunks onto the subflows. */
int xc_xmit_pump(struct xc_conn *c, bool *moved);
/* Data [dsn, dsn + len) goes again on another subflow. */
void xc_xmit_reinject(struct xc_conn *c, __u64 dsn, __u32 len);
/* The data-level retransmission timer: (re)armed after every pump, fired
 * from the connection's timer. */
void xc_drtx_arm(struct xc_conn *c);
void xc_drtx_fire(struct xc_conn *c);
/* What the subflows may still send of the send buffer (xmp_msk_snd_keep()). */
void xc_xmit_keep(struct xc_conn *c);

/* ---- limits.c: what connections may hold ---- */

/* Bytes a new connection reserves before its subflows: data-level rings,
 * its application end (@app_mem) and the connection itself. */
__u64 xc_mem_conn_cost(const struct xc_cfg *cfg, __u32 app_mem);
/* A subflow's TCP ring for a connection buffer of @msk_buf: sf_buf at most. */
__u32 xc_sf_ring(const struct xc_cfg *cfg, __u32 msk_buf);
/* Bytes each subflow reserves: its engine and its two rings. */
__u64 xc_mem_sf_cost(const struct xc_cfg *cfg);
/* Reserve against max_mem: 0, or -ENOBUFS (counted as refused). */
int xc_mem_charge(struct xc_stack *st, __u64 bytes);
void xc_mem_uncharge(struct xc_stack *st, __u64 bytes);
/* A closed subflow with nothing left to read gives its rings back. */
void xc_mem_sf_trim(struct xc_sf *s);

/* ---- conntab.c: subflows by tuple, connections by token ---- */

#define XC_CONNTAB_BUCKETS 4096
#define XC_TOKTAB_BUCKETS  1024

struct xc_conntab {
	struct xc_sf *bucket[XC_CONNTAB_BUCKETS];
	unsigned int n;
	struct xc_conn *tok[XC_TOKTAB_BUCKETS];
};

void xc_conntab_add(struct xc_conntab *t, struct xc_sf *s);
void xc_conntab_del(struct xc_conntab *t, struct xc_sf *s);
struct xc_sf *xc_conntab_find(const struct xc_conntab *t, const struct xmp_frame *f);
void xc_toktab_add(struct xc_conntab *t, struct xc_conn *c);
void xc_toktab_del(struct xc_conntab *t, struct xc_conn *c);
struct xc_conn *xc_toktab_find(const struct xc_conntab *t, __u32 token);

/* ---- stack.c ---- */

struct xc_stack {
	struct xc_cfg cfg;
	const struct xc_host_ops *ops;
	void *host;
	struct xc_conn *conns; /* newest first */
	__u64 next_id;
	struct xc_conntab tab;
	struct xc_pm pm;
	struct xc_mem_stats mem;
	__u64 join_mib[XMP_JOIN_MIB_NR]; /* joins that ended or were refused */
	__u64 addr_mib[XMP_ADDR_MIB_NR]; /* address signalling of freed connections */
};

/* The host's clock (ops->now). */
static inline __u64 xc_now(const struct xc_stack *st)
{
	return st->ops->now(st->host);
}

/* Random bytes from the host (ops->random); false: none, use the system's. */
static inline bool xc_random(const struct xc_stack *st, void *buf, size_t len)
{
	if (!st->ops->random)
		return false;
	st->ops->random(st->host, buf, len);
	return true;
}

/* Links a connection that started: its id, the list. */
void xc_stack_link(struct xc_stack *st, struct xc_conn *c);
void xc_stack_unlink(struct xc_stack *st, struct xc_conn *c);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xmptcpd, the controller daemon: private header of user/app/.
 *
 * One worker, one event loop (loop.c): epoll over the AF_XDP sockets of the
 * --iface interfaces, a timerfd, the rtnetlink monitor, the control socket
 * (ctl.c, ctl_sched.c) and the proxies' kernel TCP sockets (proxy.c).
 * Frames come in through an XSK (steered there by bpf/xdp_steer.bpf.c for
 * the tuples, listeners and MP_JOIN tokens we publish in the owned maps),
 * are parsed (io/pkt.h) and handed to the subflow their tuple names
 * (conntab.c), or start a connection at a listener, or a join of one.
 * A connection (mpconn.c) has subflows (sflow.c: a TCP engine, tcp/tcp.h,
 * glued to the MPTCP subflow logic, mptcp/subflow.h, join.h) sharing one
 * data level (mptcp/conn.h); xmit.c decides which subflow carries what
 * (the scheduler, reinjection), pm.c which subflows exist (path manager,
 * ADD_ADDR). Its application end (endpoint.c) is the built-in source/sink
 * (a deterministic pattern or a file out, SHA-256 of everything in) or an
 * unmodified app's kernel TCP socket (the proxies). Each connection prints
 * a JSON summary as it completes (report.c).
 *
 * Call chain:  xmptcpd.c main -> xd_loop_run()
 *   rx: xmp_xsk_rx -> xmp_pkt_parse -> xd_conn_input -> xmp_tcp_input
 *       (ops->rcv_options -> join / xmp_sf_rcv_options / pm; in-order
 *       payload: ops->rcv_data -> xd_sf_take -> reassembly) -> xd_conn_pump
 *   tx: xd_conn_pump -> xd_xmit_pump -> scheduler -> xmp_msk_next_map ->
 *       xmp_tcp_send_ref on the chosen subflow -> ops->xmit (payload from
 *       the msk's send buffer through ops->snd_data; ops->write_options
 *       -> per-segment DSS, ADD_ADDR) -> xd_loop_xmit -> XSK TX
 *   app: epoll (XD_SRC_APP) -> xd_proxy_app_event -> xd_conn_pump
 *   links: epoll (XD_SRC_NL) -> xd_pm_link_event / xd_pm_addrs_changed
 *   end: xd_loop_reap -> summary line, free (after TIME-WAIT)
 */
#ifndef XMP_APP_XMPTCPD_H
#define XMP_APP_XMPTCPD_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>

#include "common/mib.h"
#include "io/nlmon.h"
#include "io/owned.h"
#include "io/pkt.h"
#include "io/portres.h"
#include "io/route.h"
#include "io/xsk.h"
#include "mptcp/addr.h"
#include "mptcp/join.h"
#include "mptcp/subflow.h"
#include "tcp/cc_coupled.h"
#include "xmptcp/sched.h"
#include "tcp/tcp.h"

struct evp_md_ctx_st;

#define XD_MAX_PORTS 8 /* --iface */

/* ---- epoll sources: what an event's data.ptr points at ---- */

enum xd_src_kind {
	XD_SRC_XSK,
	XD_SRC_TIMER,
	XD_SRC_CTL,	    /* control socket listener (ctl.c) */
	XD_SRC_PROXY,	    /* client proxy's kernel TCP listener (proxy.c) */
	XD_SRC_APP,	    /* a connection's application socket (proxy.c) */
	XD_SRC_NL,	    /* rtnetlink monitor: links, addresses, routes */
};

struct xd_src {
	enum xd_src_kind kind;
	int fd;
	void *obj;
};

/* ---- endpoint.c: the application end of a connection ---- */

struct xd_ep_cfg {
	__u64 send_total;     /* built-in source: bytes of the pattern */
	__u64 send_us;	      /* built-in source: sends for this long at most (0: no limit) */
	const char *src_file; /* built-in source: a file's bytes instead */
	__u64 seed;
	int sock_fd;	      /* >= 0: a kernel TCP socket of an unmodified app */
	bool sock_connecting; /* server proxy: its connect() is in progress */
};

struct xd_endpoint {
	/* source: send_total bytes of the pattern, a file until EOF, or what
	 * the app socket gives until its EOF */
	__u64 send_total;
	/* built-in source with --send-time: it ends at send_end (CLOCK_MONOTONIC
	 * us), send_us after its first byte, so a test can size a transfer by
	 * time, whatever the machine's speed */
	__u64 send_us, send_end;
	__u64 seed;
	int src_fd; /* -1: pattern */
	bool src_eof;
	__u64 sent; /* bytes handed to the connection */
	/* sink */
	__u64 rcvd;
	bool rcvd_eof;
	struct evp_md_ctx_st *sha_tx, *sha_rx; /* built-in only */
	char sent_hex[65], rcvd_hex[65];
	/* proxies: the app socket and what waits for it to take (nothing is
	 * dropped: the connection reads no more than xd_ep_room()) */
	int sock_fd;
	bool connecting, wr_shut;
	bool failed; /* the app socket failed (reset, gone): not a protocol error */
	__u8 *obuf;
	__u32 ohead, olen, ocap;
};

int xd_ep_init(struct xd_endpoint *ep, const struct xd_ep_cfg *cfg);
void xd_ep_free(struct xd_endpoint *ep);
bool xd_ep_is_sock(const struct xd_endpoint *ep);
/* Next bytes to send, at most len, at time now_us (the loop's clock).
 * Returns the count, 0 when nothing is there now (xd_ep_src_done() tells
 * the end), -errno. */
long xd_ep_produce(struct xd_endpoint *ep, __u8 *buf, size_t len, __u64 now_us);
bool xd_ep_src_done(const struct xd_endpoint *ep);
/* The source ends now (graceful shutdown). */
void xd_ep_stop(struct xd_endpoint *ep);
/* Bytes xd_ep_consume() takes now. */
size_t xd_ep_room(const struct xd_endpoint *ep);
void xd_ep_consume(struct xd_endpoint *ep, const __u8 *buf, size_t len);
/* Socket: hands buffered bytes to the app, then its EOF once rcvd_eof.
 * 0 or -errno (the app went away). */
int xd_ep_flush(struct xd_endpoint *ep);
/* Everything received reached the app (and its EOF, when there was one). */
bool xd_ep_flushed(const struct xd_endpoint *ep);
/* epoll events of the socket: completes a pending connect(). 0 or -errno. */
int xd_ep_sock_event(struct xd_endpoint *ep, unsigned int events);
void xd_ep_finish(struct xd_endpoint *ep);
/* The byte at stream offset off of the pattern with this seed. */
__u8 xd_pattern_byte(__u64 seed, __u64 off);

/* ---- pm.c: the path manager (which subflows a connection has) ---- */

enum xd_pm_mode {
	XD_PM_NONE = 0,	  /* the initial subflow only */
	XD_PM_FULLMESH,	  /* every local x remote address pair */
	XD_PM_NDIFFPORTS, /* n subflows on the initial address pair */
};

#define XD_PM_ADDRS 8 /* remote addresses a connection knows, local addresses */

/* A remote address: id 0 is the one connected to; others from ADD_ADDR. */
struct xd_pm_raddr {
	struct xmp_addr addr;
	__u16 port;
	__u8 id;
};

struct xd_pm_conn {
	struct xd_pm_raddr ra[XD_PM_ADDRS];
	unsigned int nra;
	__u64 next_at;	 /* next look for missing subflows */
	__u32 retry_us;	 /* backoff after a join that failed */
	struct xmp_addr_conn ac; /* ADD_ADDR / REMOVE_ADDR state (3.4) */
	bool ac_ready;
	__u64 sig_at; /* an ACK was forced for a pending signal until then */
};

/* A local address of one of our interfaces. */
struct xd_pm_laddr {
	struct xmp_addr addr;
	int ifindex;
	__u8 id; /* address id announced / sent in MP_JOIN */
	bool up; /* its link is up */
};

struct xd_pm {
	enum xd_pm_mode mode;
	unsigned int ndiff;	   /* ndiffports: subflows per connection */
	unsigned int max_subflows; /* joined subflows per connection */
	unsigned int max_add_addr; /* remote addresses accepted per connection */
	int backup_ifindex[XD_MAX_PORTS];
	unsigned int nbackup;
	struct xd_pm_laddr la[XD_PM_ADDRS];
	unsigned int nla;
	__u8 next_id;
};

struct xd_sf;
struct xd_conn;
struct xd_loop;
struct xmp_seg;

void xd_pm_init(struct xd_pm *pm);
/* Local addresses of our interfaces (ids, link state). 0 or -errno. */
int xd_pm_scan(struct xd_loop *l);
/* The interface holding local address @a, 0 when none of ours does. */
int xd_pm_ifindex(const struct xd_loop *l, const struct xmp_addr *a);
/* Address id of local address @a (3.2, 3.4.1), 0 when unknown. */
__u8 xd_pm_local_id(const struct xd_loop *l, const struct xmp_addr *a);
void xd_pm_conn_init(struct xd_conn *c);
/* The initial subflow is there: remote address id 0, first look. */
void xd_pm_conn_start(struct xd_conn *c);
/* Opens the subflows the mode wants and that are missing (client). */
void xd_pm_run(struct xd_conn *c);
__u64 xd_pm_next_timer(const struct xd_conn *c);
/* Address signalling on a subflow's segments (ADD_ADDR, REMOVE_ADDR). */
void xd_pm_add_options(struct xd_sf *s, const struct xmp_seg *seg, struct xmp_mp_opt *mp,
		       unsigned int space);
void xd_pm_options_sent(struct xd_sf *s, const struct xmp_mp_opt *mp);
void xd_pm_rcv_options(struct xd_sf *s, const struct xmp_mp_opt *mp);
/* Link or address change (the rtnetlink monitor). */
void xd_pm_link_event(struct xd_loop *l, int ifindex, bool up);
void xd_pm_report(const struct xd_conn *c, FILE *f);
/* The keys are known: address signalling starts (server: announcements). */
void xd_pm_conn_ready(struct xd_conn *c);
/* Local addresses changed (rtnetlink): announce new ones, withdraw gone ones. */
void xd_pm_addrs_changed(struct xd_loop *l);
/* The connection is freed: its counters go to the daemon's totals. */
void xd_pm_conn_free(struct xd_conn *c);
/* The subflows from local address @a end (it vanished). */
void xd_pm_close_from(struct xd_conn *c, const struct xmp_addr *a);

/* Data-level buffers (--sndbuf/--rcvbuf): the send buffer holds data until
 * DATA_ACKed; the receive buffer is the connection-level window (3.3.4). */
#define XD_MSK_SNDBUF (2u << 20)
#define XD_MSK_RCVBUF (1u << 20)
#define XD_MSK_BUF_MIN (16u << 10)
#define XD_MSK_BUF_MAX (64u << 20)

/* ---- limits.c: what connections may hold ---- */

#define XD_SF_BUF     (1u << 20)   /* subflow send/receive ring (--sf-buf) */
#define XD_SF_BUF_MIN (16u << 10)
#define XD_SF_BUF_MAX (16u << 20)
#define XD_EP_OBUF    (256u << 10) /* bytes waiting for an app socket */
#define XD_HALFOPEN   1024	   /* --max-half-open default: as --max-conns */

struct xd_sf;

/* Bytes a new connection reserves before its subflows: data-level rings,
 * the app socket's buffer (@sock_ep) and the connection itself. */
__u64 xd_mem_conn_cost(const struct xd_loop *l, bool sock_ep);
/* A subflow's TCP ring for a connection buffer of @msk_buf: --sf-buf at most. */
__u32 xd_sf_ring(const struct xd_loop *l, __u32 msk_buf);
/* Bytes each subflow reserves: its engine and its two rings. */
__u64 xd_mem_sf_cost(const struct xd_loop *l);
/* The most one connection reserves (a proxied one, every subflow live). */
__u64 xd_mem_conn_max(const struct xd_loop *l);
/* Reserve against --max-mem: 0, or -ENOBUFS (counted in mem_refused). */
int xd_mem_charge(struct xd_loop *l, __u64 bytes);
void xd_mem_uncharge(struct xd_loop *l, __u64 bytes);
/* A closed subflow with nothing left to read gives its rings back. */
void xd_mem_sf_trim(struct xd_sf *s);
/* Server side, initial subflow not yet ESTABLISHED: what a SYN creates. */
bool xd_conn_halfopen(const struct xd_conn *c);
unsigned int xd_halfopen_count(const struct xd_loop *l);
/* Before a SYN to a listener creates a connection: at --max-half-open,
 * the oldest half-open one is dropped without a word. */
void xd_halfopen_make_room(struct xd_loop *l);

/* ---- sflow.c: one subflow of a connection ---- */

struct xd_loop;
struct xd_conn;

#define XD_SF_MAX   XMP_SCHED_MAX_SUBFLOWS /* live subflows of a connection */
#define XD_SF_SLOTS 32			   /* subflows a connection remembers (report) */

/*
 * A subflow: its TCP engine, the MPTCP subflow logic (the initial one's
 * MP_CAPABLE state holds the keys; a joined one runs the MP_JOIN handshake
 * in jn first, then xmp_sf_init_joined() on the shared msk), its tuple in
 * the owned map and the conntab, and its port. It stays in its
 * connection's table after it closed, for the report.
 */
struct xd_sf {
	struct xd_conn *c;
	struct xd_sf *hnext; /* conntab bucket */
	struct xd_port *ifp;
	__u32 id;     /* order of creation in the connection (scheduler id) */
	bool join;    /* MP_JOIN subflow (not the initial one) */
	bool backup;  /* we asked the peer to use it as backup (B bit / MP_PRIO) */
	bool linked;  /* in the conntab */
	bool dead;    /* failed or closed: carries nothing more */
	bool mpc_room; /* the engine keeps room for a repeated MP_CAPABLE */
	__u64 mem;    /* its rings' bytes against --max-mem; 0 once trimmed */
	bool ack_due; /* an ACK must leave after this entry (fourth ACK, 3.2) */
	bool peer_backup; /* the peer asked us to use it as backup (MP_JOIN B, MP_PRIO) */
	struct xmp_tcp_sock *sk;
	struct xmp_sf sf;
	struct xmp_join jn;

	struct xmp_addr laddr, raddr;
	__u16 lport, rport;
	struct xmp_pkt_hdrs hdrs; /* addresses and MACs of our frames */
	struct xmp_tuple tuple;	  /* owned-map key (src = peer) */
	bool owned;
	struct xmp_portres port; /* client: our port held in the kernel */

	unsigned int events; /* XMP_TCP_EV_* seen, for the pump */
	bool sf_shut;	     /* FIN queued */
	bool dack_valid;     /* dack_tx holds the last DATA_ACK sent on it */
	__u64 dack_tx;
	__u64 join_rtx_at;   /* client: third-ACK retransmission (3.2) */
	__u64 penalised_at;  /* last cwnd halving by opportunistic reinjection */
	__u64 bytes_sent, bytes_reinj, bytes_rcvd;
	__u64 seg_maps, acks_forced;
	int err;
	int rx_err; /* xd_sf_take() failed inside the engine: for the pump */
	struct xmp_mp_parse_stats pst;
};

/* Creation: initial subflow of a client / server connection, or a join. */
int xd_sf_new(struct xd_sf **out, struct xd_conn *c, bool join);
/* Route (from @src through its interface when given), port, SYN. */
int xd_sf_connect(struct xd_sf *s, const struct xmp_addr *src, const struct xmp_addr *dst,
		  __u16 dport);
/* Answer a SYN (MP_CAPABLE or an accepted MP_JOIN). */
int xd_sf_accept(struct xd_sf *s, struct xd_port *port, const struct xmp_frame *syn);
void xd_sf_free(struct xd_sf *s);
bool xd_sf_match(const struct xd_sf *s, const struct xmp_frame *f);
/* May carry data now: established (and, joined, past the fourth ACK). */
bool xd_sf_usable(const struct xd_sf *s);
/* Still has an engine that is not CLOSED (TIME-WAIT included). */
bool xd_sf_open(const struct xd_sf *s);
/* An ACK now (it carries the options due); false when the engine cannot. */
bool xd_sf_force_ack(struct xd_sf *s);
/* Sends one mapping on s; its bytes stay in the connection's send buffer. */
int xd_sf_send_map(struct xd_sf *s, const struct xmp_tx_map *m, bool reinj);
/* The oldest DSN s may still send, or @dsn when older (xmp_msk_snd_keep()). */
__u64 xd_sf_snd_keep(const struct xd_sf *s, __u64 dsn);
/* s's engine copies the bytes it may still send into its own ring. */
bool xd_sf_snd_adopt(struct xd_sf *s);
__u64 xd_sf_next_timer(const struct xd_sf *s);
void xd_sf_timer(struct xd_sf *s);
/* Bytes queued in the subflow, sent or not, not yet acked. */
__u32 xd_sf_queued(const struct xd_sf *s);
/* In-order subflow bytes at relative sequence @ssn into the reassembly;
 * returns how many it took (*want: see xmp_sf_data_res), 0 on error (kept
 * in s->rx_err). */
__u32 xd_sf_take(struct xd_sf *s, __u32 ssn, const __u8 *data, __u32 len, __u32 *want);
/* One line per refused MP_JOIN SYN: answers it with RST + MP_TCPRST. */
void xd_sf_refuse_syn(struct xd_loop *l, struct xd_port *port, const struct xmp_frame *syn,
		      struct xmp_join *j);

/* A subflow the scheduler keeps for when no other works (3.3.8): ours by
 * --backup, or the peer's wish (MP_JOIN B bit, MP_PRIO). */
bool xd_sf_backup(const struct xd_sf *s);

/* ---- mpconn.c: one MPTCP connection over its subflows ---- */

/* A data range to send again on another subflow (its subflow failed). */
struct xd_reinj {
	__u64 dsn;
	__u32 len;
};

#define XD_REINJ_MAX 64

struct xd_conn {
	struct xd_loop *loop;
	struct xd_conn *next, *prev; /* loop's list */
	struct xd_conn *tnext;	     /* token table bucket */
	__u64 id;
	struct xd_endpoint ep_store;
	struct xd_endpoint *ep;
	struct xd_src app_src; /* proxies: the app socket in epoll */
	enum xmp_sf_role role;
	bool plain; /* plain TCP: no MP_CAPABLE (3.7 fallback at the handshake) */
	bool proxied;

	/* the initial subflow's tuple names the connection */
	struct xmp_addr laddr, raddr;
	__u16 lport, rport;

	struct xd_sf *sfs[XD_SF_SLOTS]; /* [0] the initial subflow */
	unsigned int nsf;
	struct xmp_join_conn jc; /* MP_JOIN: tokens, keys, limit (3.2) */
	bool jc_ready;
	bool token_owned; /* local token published (XDP steers join SYNs) */
	struct xmp_sched_conn sched;
	bool sched_ready;
	struct xmp_cc_group ccg;
	struct xd_pm_conn pm;

	struct xd_reinj rq[XD_REINJ_MAX];
	unsigned int nrq;

	bool src_shut; /* DATA_FIN (or plain FIN) queued */
	bool closing;  /* graceful close asked (signal) */
	__u64 dfin_rtx_at; /* data-level retransmission of a lone DATA_FIN */
	__u64 dack_at;	   /* a stale DATA_ACK goes out on its own then */
	__u64 drtx_at;	   /* data-level retransmission timer (3.3.6) */
	__u64 drtx_una;	   /* DATA_ACK when it was armed */
	unsigned int drtx_backoff;
	__u64 drtx_count;  /* expiries */
	__u32 dfin_rto_us;
	__u64 t_start, t_established, t_done;
	__u64 t_eof; /* the peer's end of data reached the app's side (DATA_FIN in order) */
	bool done;     /* the transfer is over (closed, TIME-WAIT or error) */
	bool reported; /* its summary line is out; only TIME-WAIT remains */
	int err;
	__u64 reinj_upto; /* opportunistic reinjection sent data up to here */
	bool reinj_upto_valid;
	__u64 reinj_bytes, penalties, wnd_blocked;
	__u64 keep_adopted; /* subflows that took their bytes (xd_xmit_keep()) */
	__u64 copies_held; /* copies not sent: no subflow could take one (3.7) */
	__u64 mem;    /* bytes reserved against --max-mem (limits.c) */
	__u32 subflows_opened; /* established: the initial one, then each join */
	__u32 joins_failed;    /* joins that never completed (not listed) */
	__u32 next_sf_id;
};

static inline struct xd_sf *xd_conn_first(const struct xd_conn *c)
{
	return c->nsf ? c->sfs[0] : NULL;
}

/* The data level, once the keys are known; NULL for plain TCP. */
static inline struct xmp_msk *xd_conn_msk(const struct xd_conn *c)
{
	return c->nsf && !c->plain ? c->sfs[0]->sf.msk : NULL;
}

/* Client: route, port, owned tuple, SYN. */
int xd_conn_connect(struct xd_conn **out, struct xd_loop *l, const struct xmp_addr *dst,
		    __u16 dport, const struct xd_ep_cfg *ep);
/* Server: a SYN to our listener. */
int xd_conn_accept(struct xd_conn **out, struct xd_loop *l, struct xd_port *port,
		   const struct xmp_frame *syn, const struct xd_ep_cfg *ep);
/* Server: an MP_JOIN SYN (to a listener or steered by our token). */
void xd_conn_join_syn(struct xd_loop *l, struct xd_port *port, const struct xmp_frame *syn,
		      const struct xmp_mp_opt *mp);
/* Client side of a join (path manager): a new subflow from @src to @dst. */
int xd_conn_add_subflow(struct xd_conn *c, const struct xmp_addr *src,
			const struct xmp_addr *dst, __u16 dport, bool backup);
void xd_conn_free(struct xd_conn *c);
void xd_conn_input(struct xd_sf *s, const struct xmp_frame *f);
void xd_conn_timer(struct xd_conn *c);
__u64 xd_conn_next_timer(const struct xd_conn *c);
/* Moves data between the endpoint and the connection until nothing moves. */
void xd_conn_pump(struct xd_conn *c);
/* Graceful: the source stops, DATA_FIN (or FIN) after the queued data. */
void xd_conn_close(struct xd_conn *c);
void xd_conn_abort(struct xd_conn *c, int err);
/* Closed without a segment: a half-open connection evicted by a SYN flood. */
void xd_conn_drop(struct xd_conn *c, int err);
/* Abort by the app or an operator: the RST carries MP_FASTCLOSE (3.5). */
void xd_conn_fastclose(struct xd_conn *c, int err);
/* Completed: no error, both directions ended, the subflows closed cleanly. */
bool xd_conn_ok(const struct xd_conn *c);
/* Some subflow still has an engine in TIME-WAIT (or not yet closed). */
bool xd_conn_lingers(const struct xd_conn *c);
/* A subflow failed or closed: it leaves the tuple table, its data is
 * reinjected elsewhere; the connection goes on while another lives. */
void xd_conn_sf_gone(struct xd_conn *c, struct xd_sf *s);
/* The subflow for connection-level signals: usable, lowest RTT. */
struct xd_sf *xd_conn_signal_sf(const struct xd_conn *c);
/* Live subflows (engine not closed, not dead). */
unsigned int xd_conn_live(const struct xd_conn *c);
const char *xd_conn_state(const struct xd_conn *c);

/* ---- xmit.c: scheduling, reinjection, data-level retransmission ---- */

#define XD_MAP_MAX 32768 /* bytes per mapping carved (data_len is 16 bits) */

/* Reinjections, then new data: the scheduler's chunks onto the subflows. */
int xd_xmit_pump(struct xd_conn *c, bool *moved);
/* What the subflows may still send of the send buffer (xmp_msk_snd_keep()). */
void xd_xmit_keep(struct xd_conn *c);
/* Data [dsn, dsn + len) goes again on another subflow. */
void xd_xmit_reinject(struct xd_conn *c, __u64 dsn, __u32 len);
/* The data-level retransmission timer: (re)armed after every pump, fired
 * from the connection's timer. */
void xd_drtx_arm(struct xd_conn *c);
void xd_drtx_fire(struct xd_conn *c);

/* ---- report.c: what a connection tells (summary line, control socket) ---- */

void xd_conn_report(const struct xd_conn *c, FILE *f);
void xd_conn_brief_json(const struct xd_conn *c, FILE *f);
void xd_conn_brief_text(const struct xd_conn *c, FILE *f);
void xd_conn_subflows_json(const struct xd_conn *c, FILE *f);
void xd_conn_subflows_text(const struct xd_conn *c, FILE *f);
/* The connection as xmp_conns holds it (include/xmptcp/maps.h). */
void xd_conn_publish_val(const struct xd_conn *c, struct xmp_conn_val *v);

/* ---- conntab.c: subflows by tuple, connections by token ---- */

#define XD_CONNTAB_BUCKETS 4096
#define XD_TOKTAB_BUCKETS  1024

struct xd_conntab {
	struct xd_sf *bucket[XD_CONNTAB_BUCKETS];
	unsigned int n;
	struct xd_conn *tok[XD_TOKTAB_BUCKETS];
};

void xd_conntab_add(struct xd_conntab *t, struct xd_sf *s);
void xd_conntab_del(struct xd_conntab *t, struct xd_sf *s);
struct xd_sf *xd_conntab_find(const struct xd_conntab *t, const struct xmp_frame *f);
void xd_toktab_add(struct xd_conntab *t, struct xd_conn *c);
void xd_toktab_del(struct xd_conntab *t, struct xd_conn *c);
struct xd_conn *xd_toktab_find(const struct xd_conntab *t, __u32 token);

/* ---- loop.c: the event loop ---- */

struct xd_loop_stats {
	__u64 rx_frames;
	__u64 rx_bad;	   /* not parseable / bad checksum */
	__u64 rx_nomatch;  /* steered to us but no connection wants it */
	__u64 rx_syn_limit; /* SYN to a listener refused: --max-conns reached */
	__u64 syn_evicted;  /* half-open connections dropped for newer SYNs */
	__u64 mem_refused;  /* connections and subflows refused: --max-mem */
	__u64 tx_frames;
	__u64 tx_drop; /* no TX frame or ring full: the engine retransmits */
	__u64 conns_opened, conns_ok, conns_failed, conns_plain;
	__u64 bytes_sent, bytes_rcvd;
	__u64 proxy_accepted, proxy_refused, proxy_fwd_failed;
	__u64 ctl_requests, ctl_bad;
};

#define XD_MAX_LISTENERS 16
#define XD_MAX_PROXIES	 16

/* An MPTCP listener: the built-in sink, or a server proxy forwarding each
 * connection to fwd over kernel TCP. */
struct xd_listener {
	struct xmp_addr addr;
	__u16 port;
	struct xmp_portres res;
	bool forward;
	struct xmp_addr fwd_addr;
	__u16 fwd_port;
};

/* A client proxy: unmodified apps connect to laddr:lport (kernel TCP);
 * each connection is carried over MPTCP to raddr:rport. */
struct xd_cproxy {
	struct xd_src src;
	struct xmp_addr laddr, raddr;
	__u16 lport, rport;
	bool nofd_warned; /* said once that apps are refused for want of fds */
};


/* One interface (--iface): its AF_XDP socket; a connection's frames go in
 * and out through the port its route (or its SYN) came by. */
struct xd_port {
	char ifname[IF_NAMESIZE];
	int ifindex;
	__u32 mtu; /* read at open and on link up: SYN-ACKs' MSS */
	struct xmp_xsk *xsk;
	struct xd_src src;
	unsigned int tx_unflushed;
};

struct xd_loop {
	struct xd_port port[XD_MAX_PORTS];
	unsigned int nports;
	char pin_dir[PATH_MAX];
	struct xmp_owned own;
	struct xmp_route_cache *rc;
	int epfd;
	struct xd_src tmr_src, ctl_src, nl_src;
	struct xmp_nlmon *nl;
	char ctl_path[PATH_MAX];
	__u64 now; /* CLOCK_MONOTONIC, us */
	__u64 publish_at; /* next refresh of xmp_conns */
	__u64 deadline;
	__u16 ip_id;

	struct xd_listener lst[XD_MAX_LISTENERS];
	unsigned int nlst;
	struct xd_cproxy px[XD_MAX_PROXIES];
	unsigned int npx;

	/* built-in endpoints: what each new connection sends */
	struct xd_ep_cfg builtin;
	/* built-in client: count connections to dst, parallel at a time */
	bool client;
	struct xmp_addr dst;
	__u16 dport;
	__u64 started;
	unsigned int parallel;
	/* exit once this many connections completed (0: until a signal) */
	__u64 count;
	unsigned int max_conns;
	unsigned int max_halfopen; /* SYN_RCVD connections kept (limits.c) */
	__u64 mem_max;		   /* bytes connections may reserve; 0: no limit */
	__u64 mem_reserved, mem_peak;
	__u32 sf_buf; /* each subflow's TCP send and receive ring */
	bool csum; /* ask for DSS checksums (RFC 8684 3.3.1) */
	const char *cc_name; /* subflow congestion control ("lia": coupled) */
	__u32 msk_sndbuf, msk_rcvbuf; /* data-level buffers of new connections */
	bool reinject;	     /* opportunistic reinjection + penalisation */
	struct xd_pm pm;
	__u64 join_mib[XMP_JOIN_MIB_NR]; /* joins that ended or were refused */
	__u64 addr_mib[XMP_ADDR_MIB_NR]; /* address signalling of freed connections */
	FILE *report; /* one JSON line per connection as it completes */

	struct xd_conn *conns; /* every live connection (TIME-WAIT included) */
	unsigned int nconns, nactive;
	__u64 next_id;
	struct xd_conntab tab;
	bool stopping; /* a signal came: no new connections */
	struct xd_loop_stats st;
};

struct xd_loop_cfg {
	const char *ifnames[XD_MAX_PORTS];
	unsigned int nifs;
	const char *pin_dir; /* NULL: per-netns default */
	const char *ctl_path; /* NULL: per-netns default; "" none */
	unsigned int queue_id;
	unsigned int timeout_s;
};

int xd_loop_init(struct xd_loop *l, const struct xd_loop_cfg *cfg);
void xd_loop_fini(struct xd_loop *l);
/* An MPTCP listener; fwd NULL: the built-in endpoint. */
int xd_loop_listen(struct xd_loop *l, const struct xmp_addr *addr, __u16 port,
		   const struct xmp_addr *fwd, __u16 fwd_port);
/* Built-in client: count connections (parallel at a time) to dst. */
int xd_loop_client(struct xd_loop *l, const struct xmp_addr *dst, __u16 dport, __u64 count,
		   unsigned int parallel);
/* Runs until count connections completed (or the timeout / a signal).
 * 0 when every completed connection was clean, else -errno. */
int xd_loop_run(struct xd_loop *l);
/* A half-open connection dropped for a newer SYN: freed at once. */
void xd_loop_evict(struct xd_loop *l, struct xd_conn *c);
/* Builds and queues one frame on port p (ops->xmit of every connection). */
int xd_loop_xmit(struct xd_loop *l, struct xd_port *p, const struct xmp_pkt_hdrs *h,
		 const struct xmp_seg *seg);
/* The port of an interface, NULL when it is not one of ours. */
struct xd_port *xd_loop_port(struct xd_loop *l, int ifindex);
/* A connection's app socket joins or leaves epoll. */
int xd_loop_watch(struct xd_loop *l, struct xd_src *src, int fd);
void xd_loop_unwatch(struct xd_loop *l, struct xd_src *src);
/* Links a new connection in (list, tuple table, counts). */
void xd_loop_add_conn(struct xd_loop *l, struct xd_conn *c);
/* Reports, unlinks and frees the connections that are over. */
void xd_loop_reap(struct xd_loop *l);
__u64 xd_now_us(void);
void xd_loop_stop(void);
/* Async-signal-safe: SIGUSR1 asks the loop to end the built-in sources. */
void xd_loop_end_sources(void);

/* ---- proxy.c: client and server proxies over kernel TCP sockets ---- */

int xd_proxy_add_client(struct xd_loop *l, const struct xmp_addr *laddr, __u16 lport,
			const struct xmp_addr *raddr, __u16 rport);
/* A client proxy's listener is readable: accept and connect over MPTCP. */
void xd_proxy_accept(struct xd_loop *l, struct xd_cproxy *px);
/* Server proxy: a kernel TCP connect() to the forward address. */
int xd_proxy_forward_sock(const struct xmp_addr *fwd, __u16 port, int *fd);
/* Event on a connection's app socket. */
void xd_proxy_app_event(struct xd_loop *l, struct xd_conn *c, unsigned int events);
void xd_proxy_close_all(struct xd_loop *l);
/* accept4() on listener lfd; out of descriptors, the connection is taken
 * with a spare one held back for it (*spare set): the caller closes it
 * soon and then calls xd_accept_spare_restore(). fd or -errno. */
int xd_accept(int lfd, int flags, bool *spare);
void xd_accept_spare_restore(void);

/* ---- ctl.c: the control socket (xmptcp conns|stats) ---- */

int xd_ctl_open(struct xd_loop *l, const char *path);
void xd_ctl_close(struct xd_loop *l);
void xd_ctl_accept(struct xd_loop *l);
/* ctl_sched.c: "sched list|set|load ..." (args after "sched "); modifies
 * args. false for a bad request (the answer says why). */
bool xd_ctl_sched(struct xd_loop *l, char *args, FILE *f);

#endif

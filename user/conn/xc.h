/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MPTCP connection layer (RFC 8684) as a library, prefix xc_: one
 * connection over its subflows (a subflow TCP engine, tcp/tcp.h, glued to
 * the MPTCP subflow logic, mptcp/subflow.h and join.h, sharing one data
 * level, mptcp/conn.h), which chunk goes on which subflow (the scheduler,
 * reinjection, penalisation, the data-level retransmission), the path
 * manager's decisions (which subflows, ADD_ADDR/REMOVE_ADDR), the memory
 * and half-open accounting, the tuple and token tables, and what a
 * connection tells in reports. This is its one public header.
 *
 * It does no I/O and reads no clock: everything outside goes through the
 * host's ops (struct xc_host_ops below): frames out, the time, routes and
 * ports for new subflows, steering publication, the application's bytes.
 * The daemon (user/app/) is one host, a unit test on an in-memory wire
 * another; both drive the same code.
 *
 * Driving it:
 *  - xc_stack_new() once per worker with a struct xc_cfg and the ops;
 *    xc_pm_set_addrs() with the local addresses before connections start.
 *  - frames in: parse them (io/pkt.h), xc_input(); -ENOENT when no subflow
 *    has the tuple: an MP_JOIN SYN (xc_frame_join_syn(), xc_join_syn()),
 *    a SYN to one of the host's listeners (xc_conn_accept()), or not ours.
 *  - connections out: xc_conn_connect(); the path manager adds subflows.
 *  - time: the library never waits; xc_stack_next_timer() says when it
 *    next needs xc_stack_timers() (the host's clock, ops->now, in us).
 *  - the application: the host's end (a socket, a built-in source/sink)
 *    is the connection's xc_app; when it can give or take bytes the host
 *    calls xc_conn_pump(), which hands it spans of the data-level rings
 *    (ops->app_produce/app_consume: no buffer in between).
 *  - the end: xc_conn_done() (and ops->conn_event); the host reports,
 *    waits for !xc_conn_lingers() (TIME-WAIT) and calls xc_conn_free().
 *  - links and addresses: the host pushes them in (xc_pm_link_event(),
 *    xc_pm_addrs_changed()); the library decides what they change.
 *
 * Call chain:
 *   rx: host -> xc_input -> xmp_tcp_input (ops->rcv_options -> join /
 *       xmp_sf_rcv_options / pm) -> xc_conn_pump
 *   tx: xc_conn_pump -> xc_xmit_pump -> scheduler -> xmp_msk_next_map ->
 *       xmp_tcp_send on the chosen subflow -> its write_options (DSS,
 *       ADD_ADDR) -> xc_host_ops.xmit
 *   app: xc_conn_pump -> xc_host_ops.app_produce / app_consume / app_flush
 */
#ifndef XMP_CONN_XC_H
#define XMP_CONN_XC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "io/pkt.h"
#include "mptcp/options.h"
#include "xmptcp/maps.h"
#include "xmptcp/sched.h"

struct xc_stack; /* one per worker: configuration, host, tables, connections */
struct xc_conn;	 /* one MPTCP connection (or plain TCP after a fallback) */

/* ---- configuration ---- */

enum xc_pm_mode {
	XC_PM_NONE = 0,	  /* the initial subflow only */
	XC_PM_FULLMESH,	  /* every local x remote address pair */
	XC_PM_NDIFFPORTS, /* n subflows on the initial address pair */
};

#define XC_SF_MAX   XMP_SCHED_MAX_SUBFLOWS /* live subflows of a connection */
#define XC_SF_SLOTS 32			   /* subflows a connection remembers (report) */
#define XC_PM_ADDRS 8  /* remote addresses a connection knows, local addresses */
#define XC_BACKUP_MAX 8 /* backup interfaces */

/* Data-level buffers: the send buffer holds data until DATA_ACKed; the
 * receive buffer is the connection-level window (3.3.4). */
#define XC_MSK_SNDBUF  (2u << 20)
#define XC_MSK_RCVBUF  (1u << 20)
#define XC_MSK_BUF_MIN (16u << 10)
#define XC_MSK_BUF_MAX (64u << 20)
/* Each subflow's TCP send and receive ring, at most. */
#define XC_SF_BUF     (1u << 20)
#define XC_SF_BUF_MIN (16u << 10)
#define XC_SF_BUF_MAX (16u << 20)
#define XC_MAX_CONNS  1024
#define XC_HALFOPEN   1024 /* as XC_MAX_CONNS */

struct xc_cfg {
	bool csum;	     /* ask for DSS checksums (3.3.1) */
	const char *cc;	     /* subflow congestion control ("lia": coupled) */
	__u32 msk_sndbuf, msk_rcvbuf; /* data-level buffers of new connections */
	__u32 sf_buf;	     /* each subflow's TCP ring at most */
	bool reinject;	     /* opportunistic reinjection + penalisation */
	enum xc_pm_mode pm;
	unsigned int ndiff;	   /* ndiffports: subflows per connection */
	unsigned int max_subflows; /* joined subflows per connection */
	unsigned int max_add_addr; /* remote addresses accepted per connection */
	int backup_ifindex[XC_BACKUP_MAX]; /* subflows over these are backups */
	unsigned int nbackup;
	unsigned int max_conns;	   /* live connections (the host admits them) */
	unsigned int max_halfopen; /* server connections before their handshake */
	__u64 max_mem;		   /* bytes connections may reserve; 0: no limit */
};

/* The defaults: lia, fullmesh, 2M/1M data-level buffers, reinjection on. */
void xc_cfg_default(struct xc_cfg *cfg);

/* ---- the host ---- */

/* A port of the host, where a subflow's frames come in and leave. */
struct xc_path {
	void *port;	    /* the host's handle, given back to ops->xmit */
	int ifindex;	    /* its interface: link events, backups */
	const char *ifname; /* for reports; the host keeps it while the port lives */
	__u32 mtu;	    /* the interface's MTU: our MSS */
};

/* Where a new subflow's frames go (ops->route). */
struct xc_route {
	struct xc_path path;
	struct xmp_addr src;	  /* our address on that path */
	struct xmp_pkt_hdrs hdrs; /* addresses and MACs of its frames */
};

/* What the host's application end of a connection says about itself. */
struct xc_app_info {
	const char *sent_sha256, *recv_sha256; /* NULL: not hashed (an app's socket) */
	__u64 out_queued; /* bytes taken, not yet handed to the application */
	bool in_eof;	  /* the application's stream ended */
	bool failed;	  /* its socket failed (reset, gone): not a protocol error */
};

/* xc_host_ops.conn_event */
enum {
	XC_EV_ESTABLISHED = 1 << 0, /* the initial subflow's handshake completed */
	XC_EV_DONE = 1 << 1,	    /* the transfer is over (xc_conn_done()) */
};

/*
 * What the library asks of its host. @host is the pointer given to
 * xc_stack_new(), @app a connection's xc_app.ctx. Every op is called from
 * inside a library call (xc_input(), xc_conn_pump(), a timer, ...) on the
 * host's one thread; none may call back into the library except where
 * said. Ops marked optional may be NULL.
 */
struct xc_host_ops {
	/* The time of this entry, in us, monotonic (a real or a virtual
	 * clock): every deadline the library sets is on this clock. */
	__u64 (*now)(void *host);
	/* Build and send one frame: Ethernet/IP from @h, TCP from @seg
	 * (io/pkt.h xmp_pkt_build()), through @port (struct xc_path.port).
	 * 0, or -errno: the frame is lost, TCP retransmits it. */
	int (*xmit)(void *host, void *port, const struct xmp_pkt_hdrs *h,
		    const struct xmp_seg *seg);
	/* The route of a new subflow to @dst: from any of our addresses
	 * (@src NULL), or from @src through interface @src_ifindex (0: any).
	 * Fills @out (its port among the host's). 0 or -errno (said why:
	 * no route, not through one of the host's ports). */
	int (*route)(void *host, const struct xmp_addr *dst, const struct xmp_addr *src,
		     int src_ifindex, struct xc_route *out);
	/* A local port for a new subflow from @laddr, held until released
	 * (the daemon binds a kernel socket so the kernel never hands it
	 * out). Returns a handle >= 0 for port_release, or -errno. */
	int (*port_reserve)(void *host, const struct xmp_addr *laddr, __u16 *port);
	void (*port_release)(void *host, int handle);
	/* Steering: frames of subflow tuple @t (src = the peer) are to come
	 * to us (@on) or not any more. 0 or -errno (the subflow fails). */
	int (*steer_subflow)(void *host, const struct xmp_tuple *t, __u32 conn_id, bool on);
	/* ... and MP_JOIN SYNs naming our local @token (3.2). 0, -EEXIST
	 * (taken: joins are not steered), -errno. */
	int (*steer_token)(void *host, __u32 token, __u32 conn_id, bool on);
	/* The application's next bytes into @buf (a span of the data-level
	 * send ring), at most @len: returns the count, 0 when it has none
	 * now; *@eof once its stream ended (after these bytes). -errno when
	 * it failed (xc_app_info.failed says whose fault). */
	long (*app_produce)(void *host, void *app, __u8 *buf, size_t len, bool *eof);
	/* Bytes the application takes now (SIZE_MAX: all). */
	size_t (*app_room)(void *host, void *app);
	/* It takes @len <= app_room() bytes from @buf (a span of the
	 * receive ring, valid during the call). */
	void (*app_consume)(void *host, void *app, const __u8 *buf, size_t len);
	/* Hand what it took to the application (a socket that lagged), and
	 * its end of stream once @eof (the peer's DATA_FIN came in order).
	 * Called around every pump. 0 or -errno. Optional. */
	int (*app_flush)(void *host, void *app, bool eof);
	/* Reports and failures (struct xc_app_info). Optional. */
	void (*app_info)(void *host, void *app, struct xc_app_info *info);
	/* XC_EV_* of @c; the host may free @c only later (not from here).
	 * Optional: a host can poll xc_conn_done() instead. */
	void (*conn_event)(void *host, struct xc_conn *c, unsigned int ev);
	/* Random bytes for keys, join nonces and initial sequence numbers:
	 * a test's seeded generator makes a run repeat exactly. Optional:
	 * the system's (getrandom, libcrypto) when NULL. */
	void (*random)(void *host, void *buf, size_t len);
};

/* The application end of a new connection. */
struct xc_app {
	void *ctx;	/* the host's, given to the app_* ops */
	__u32 mem;	/* bytes it holds, charged with the connection (max_mem) */
	bool proxied;	/* an unmodified app's socket (reports say "proxy") */
	bool reply;	/* sends only after the peer's data ended or a close:
			 * request/response, as the daemon's built-in server */
};

/* ---- the stack ---- */

int xc_stack_new(struct xc_stack **out, const struct xc_cfg *cfg,
		 const struct xc_host_ops *ops, void *host);
/* Frees the connections still there too (their app ends are the host's). */
void xc_stack_free(struct xc_stack *st);
const struct xc_cfg *xc_stack_cfg(const struct xc_stack *st);
/* The path manager's limits and backup interfaces of cfg, live (a
 * configuration reload): the joins the stack opens from now on and new
 * connections follow them; a connection keeps the join and ADD_ADDR limits
 * it started with for what its peer asks, and a subflow its backup flag. */
void xc_stack_set_pm(struct xc_stack *st, const struct xc_cfg *cfg);
/* Connections, newest first (TIME-WAIT included). */
struct xc_conn *xc_stack_conns(const struct xc_stack *st);
struct xc_conn *xc_conn_next(const struct xc_conn *c);

/* A parsed frame: 0 when a subflow of ours took it, -ENOENT when none has
 * its tuple. @in: the port it came by. */
int xc_input(struct xc_stack *st, const struct xc_path *in, const struct xmp_frame *f);
/* An MP_JOIN SYN (a SYN, no ACK): its options parsed into @mp. */
bool xc_frame_join_syn(const struct xmp_frame *f, struct xmp_mp_opt *mp);
/* Answers it: a new subflow of the connection its token names, or a RST
 * (unknown token, limits, 3.2). */
void xc_join_syn(struct xc_stack *st, const struct xc_path *in, const struct xmp_frame *syn,
		 const struct xmp_mp_opt *mp);

/* The earliest deadline of every connection (XMP_TCP_NO_TIMER: none). */
__u64 xc_stack_next_timer(const struct xc_stack *st);
/* Runs what is due at ops->now. */
void xc_stack_timers(struct xc_stack *st);

/* Memory reserved against max_mem (connections and subflows at their
 * buffers' full size) and what was refused. */
struct xc_mem_stats {
	__u64 reserved, peak, refused;
};
void xc_stack_mem(const struct xc_stack *st, struct xc_mem_stats *m);
/* The most one connection reserves: an app end of @app_mem, every subflow live. */
__u64 xc_mem_conn_max(const struct xc_cfg *cfg, __u32 app_mem);
/* A connection with one subflow: less than that and max_mem holds none. */
__u64 xc_mem_conn_min(const struct xc_cfg *cfg, __u32 app_mem);
/* Join and address-signalling counters (include/xmptcp/mib.h): the freed
 * connections' totals plus the live ones'. */
void xc_stack_mib(const struct xc_stack *st, __u64 *join, __u64 *addr);

/* Half-open: a server connection whose initial subflow has not reached
 * ESTABLISHED (what a SYN alone creates). */
bool xc_conn_halfopen(const struct xc_conn *c);
unsigned int xc_halfopen_count(const struct xc_stack *st);
/* Before a SYN to a listener creates a connection: the oldest half-open
 * one to drop (xc_conn_drop()) when max_halfopen wait already, or when
 * @active connections are at max_conns and some are half-open; NULL: room. */
struct xc_conn *xc_halfopen_victim(const struct xc_stack *st, unsigned int active);

/* ---- connections ---- */

/* Client: route, port, steering, SYN. 0 or -errno (nothing kept). */
int xc_conn_connect(struct xc_conn **out, struct xc_stack *st, const struct xmp_addr *dst,
		    __u16 dport, const struct xc_app *app);
/* Server: a SYN to a listener of the host's, come by @in. */
int xc_conn_accept(struct xc_conn **out, struct xc_stack *st, const struct xc_path *in,
		   const struct xmp_frame *syn, const struct xc_app *app);
/* Unlinks and frees; the app end is the host's (freed after). */
void xc_conn_free(struct xc_conn *c);

/* Moves data between the application and the connection until nothing
 * moves, then closes, acks and opens subflows as due. */
void xc_conn_pump(struct xc_conn *c);
/* The application's stream ended: DATA_FIN (or FIN) after what is queued. */
void xc_conn_shutdown(struct xc_conn *c);
/* Graceful close asked (a signal): shutdown, and the built-in server's
 * request/response waits no more. */
void xc_conn_close(struct xc_conn *c);
void xc_conn_abort(struct xc_conn *c, int err);
/* Closed without a segment: a half-open connection given up. */
void xc_conn_drop(struct xc_conn *c, int err);
/* Abort by the app or an operator: the RST carries MP_FASTCLOSE (3.5). */
void xc_conn_fastclose(struct xc_conn *c, int err);
/* The app end failed after the transfer ended: the error it reports. */
void xc_conn_set_err(struct xc_conn *c, int err);

/* ---- what the host reads ---- */

__u64 xc_conn_id(const struct xc_conn *c);
void *xc_conn_app(const struct xc_conn *c);
/* The transfer is over (closed, TIME-WAIT or error). */
bool xc_conn_done(const struct xc_conn *c);
int xc_conn_err(const struct xc_conn *c);
/* Plain TCP: no MP_CAPABLE at the handshake (3.7). */
bool xc_conn_plain(const struct xc_conn *c);
/* Completed cleanly on the wire: no error, the peer's data ended, both
 * DATA_FINs acked, every subflow closed (the app end's own flush aside). */
bool xc_conn_ok(const struct xc_conn *c);
/* Some subflow still has an engine in TIME-WAIT (or not yet closed). */
bool xc_conn_lingers(const struct xc_conn *c);
/* The local token, once MP_JOIN is possible (3.2); false before. */
bool xc_conn_local_token(const struct xc_conn *c, __u32 *token);
/* Swaps the scheduler from the next decision: -ENOTCONN before MPTCP is up. */
int xc_conn_set_sched(struct xc_conn *c, const struct xmp_sched_ops *ops);

/* ---- reports (report.c) ---- */

/* What a connection counted, for tests and tools: the report's figures. */
struct xc_conn_stats {
	__u64 app_sent, app_rcvd;	/* bytes from / to the application */
	__u64 reinj_bytes, penalties;	/* reinjected data, cwnd halvings (3.3.6) */
	__u64 drtx_count, wnd_blocked;	/* data-level RTO expiries, window stalls */
	__u64 keep_adopted;		/* stuck subflows that took their bytes */
	__u32 subflows_opened, joins_failed;
	const char *sched;		/* the scheduler's name ("-" before MPTCP) */
	bool mptcp, csum, fallback;	/* MPTCP up; DSS checksums in use; fell back (3.7) */
	unsigned int nsf;		/* subflows it remembers, in order of creation */
	__u64 sf_sent[XC_SF_SLOTS], sf_reinj[XC_SF_SLOTS], sf_rcvd[XC_SF_SLOTS];
};
void xc_conn_stats(const struct xc_conn *c, struct xc_conn_stats *s);

/* The summary line of a completed connection (one JSON object). */
void xc_conn_report(const struct xc_conn *c, FILE *f);
/* `xmptcp conns -j` / a table row like ss -M. */
void xc_conn_brief_json(const struct xc_conn *c, FILE *f);
void xc_conn_brief_text(const struct xc_conn *c, FILE *f);
/* `xmptcp subflows -j` / one row per subflow. */
void xc_conn_subflows_json(const struct xc_conn *c, FILE *f);
void xc_conn_subflows_text(const struct xc_conn *c, FILE *f);
/* metrics.c: every connection and subflow in the stack as Prometheus text
 * format series (xmptcp_conn_*, xmptcp_subflow_*; HELP and TYPE lines
 * included, samples only for what lives). */
void xc_stack_metrics(const struct xc_stack *st, FILE *f);
/* The connection as xmp_conns holds it (include/xmptcp/maps.h). */
void xc_conn_publish_val(const struct xc_conn *c, struct xmp_conn_val *v);

/* ---- path manager: what the host knows of links and addresses ---- */

/* A local address of one of the host's interfaces. */
struct xc_local_addr {
	struct xmp_addr addr;
	int ifindex;
	bool up; /* its link is up */
};

/* The local addresses (at start-up): ids are given, stable while each exists. */
void xc_pm_set_addrs(struct xc_stack *st, const struct xc_local_addr *a, unsigned int n);
/* They changed (rtnetlink): new ones announced, gone ones withdrawn (3.4.2)
 * and their subflows closed. */
void xc_pm_addrs_changed(struct xc_stack *st, const struct xc_local_addr *a, unsigned int n);
/* A link went down (its subflows end, their data goes elsewhere) or up
 * (every connection looks for its missing subflows: handover). */
void xc_pm_link_event(struct xc_stack *st, int ifindex, bool up);

#endif

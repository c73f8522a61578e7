/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xmptcpd, the controller daemon: private header of user/app/.
 *
 * One worker, one event loop (loop.c): epoll over the AF_XDP socket of one
 * interface, a timerfd, the control socket (ctl.c) and the proxies' kernel
 * TCP sockets (proxy.c). Frames come in through the XSK (steered there by
 * bpf/xdp_steer.bpf.c for the tuples and listeners we publish in the owned
 * maps), are parsed (io/pkt.h) and handed to the connection their tuple
 * names (conntab.c), or start one at a listener. A connection (mpconn.c)
 * is one subflow TCP engine (tcp/tcp.h) glued to the MPTCP subflow and
 * connection logic (mptcp/subflow.h, conn.h); its segments leave through
 * the same XSK. Its application end (endpoint.c) is the built-in
 * source/sink (a deterministic pattern or a file out, SHA-256 of
 * everything in) or an unmodified app's kernel TCP socket (the proxies).
 * Each connection prints a JSON summary as it completes.
 *
 * Call chain:  xmptcpd.c main -> xd_loop_run()
 *   rx: xmp_xsk_rx -> xmp_pkt_parse -> xd_conn_input -> xmp_tcp_input
 *       (ops->rcv_options -> xmp_sf_rcv_options) -> xd_conn_pump
 *   tx: xd_conn_pump -> xmp_msk_next_map/xmp_tcp_send -> ops->xmit
 *       (ops->write_options -> per-segment DSS) -> xd_loop_xmit -> XSK TX
 *   app: epoll (XD_SRC_APP) -> xd_proxy_app_event -> xd_conn_pump
 *   end: xd_loop_reap -> summary line, free (after TIME-WAIT)
 */
#ifndef XMP_APP_XMPTCPD_H
#define XMP_APP_XMPTCPD_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>

#include "io/owned.h"
#include "io/pkt.h"
#include "io/portres.h"
#include "io/route.h"
#include "io/xsk.h"
#include "mptcp/subflow.h"
#include "tcp/tcp.h"

struct evp_md_ctx_st;

/* ---- epoll sources: what an event's data.ptr points at ---- */

enum xd_src_kind {
	XD_SRC_XSK,
	XD_SRC_TIMER,
	XD_SRC_CTL,	    /* control socket listener (ctl.c) */
	XD_SRC_PROXY,	    /* client proxy's kernel TCP listener (proxy.c) */
	XD_SRC_APP,	    /* a connection's application socket (proxy.c) */
};

struct xd_src {
	enum xd_src_kind kind;
	int fd;
	void *obj;
};

/* ---- endpoint.c: the application end of a connection ---- */

struct xd_ep_cfg {
	__u64 send_total;     /* built-in source: bytes of the pattern */
	const char *src_file; /* built-in source: a file's bytes instead */
	__u64 seed;
	int sock_fd;	      /* >= 0: a kernel TCP socket of an unmodified app */
	bool sock_connecting; /* server proxy: its connect() is in progress */
};

struct xd_endpoint {
	/* source: send_total bytes of the pattern, a file until EOF, or what
	 * the app socket gives until its EOF */
	__u64 send_total;
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
/* Next bytes to send, at most len. Returns the count, 0 when nothing is
 * there now (xd_ep_src_done() tells the end), -errno. */
long xd_ep_produce(struct xd_endpoint *ep, __u8 *buf, size_t len);
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

/* ---- mpconn.c: one connection (single subflow) ---- */

struct xd_loop;

struct xd_conn {
	struct xd_loop *loop;
	struct xd_port *ifp;	     /* interface of the subflow */
	struct xd_conn *next, *prev; /* loop's list */
	struct xd_conn *hnext;	     /* conntab bucket */
	__u64 id;
	struct xd_endpoint ep_store;
	struct xd_endpoint *ep;
	struct xd_src app_src; /* proxies: the app socket in epoll */
	struct xmp_tcp_sock *sk;
	struct xmp_sf sf;
	enum xmp_sf_role role;
	bool plain; /* plain TCP: no MP_CAPABLE (3.7 fallback at the handshake) */
	bool proxied;

	struct xmp_addr laddr, raddr;
	__u16 lport, rport;
	struct xmp_pkt_hdrs hdrs; /* addresses and MACs of our frames */
	struct xmp_tuple tuple;	  /* owned-map key (src = peer) */
	bool owned;
	struct xmp_portres port; /* client: our port held in the kernel */

	unsigned int events; /* XMP_TCP_EV_* seen, for the pump */
	bool src_shut;	     /* DATA_FIN (or plain FIN) queued */
	bool sf_shut;	     /* subflow FIN queued */
	bool closing;	     /* graceful close asked (signal) */
	bool dack_valid;     /* dack_tx holds the last DATA_ACK sent */
	__u64 dack_tx;
	__u64 dfin_rtx_at; /* data-level retransmission of a lone DATA_FIN */
	__u32 dfin_rto_us;
	__u64 t_start, t_established, t_done;
	bool done;     /* the transfer is over (closed, TIME-WAIT or error) */
	bool reported; /* its summary line is out; only TIME-WAIT remains */
	int err;
	__u64 seg_maps; /* per-segment mappings written */
	__u64 acks_forced;
	struct xmp_mp_parse_stats pst;
};

/* Client: route, port, owned tuple, SYN. */
int xd_conn_connect(struct xd_conn **out, struct xd_loop *l, const struct xmp_addr *dst,
		    __u16 dport, const struct xd_ep_cfg *ep);
/* Server: a SYN to our listener. */
int xd_conn_accept(struct xd_conn **out, struct xd_loop *l, struct xd_port *port,
		   const struct xmp_frame *syn, const struct xd_ep_cfg *ep);
void xd_conn_free(struct xd_conn *c);
bool xd_conn_match(const struct xd_conn *c, const struct xmp_frame *f);
void xd_conn_input(struct xd_conn *c, const struct xmp_frame *f);
void xd_conn_timer(struct xd_conn *c);
__u64 xd_conn_next_timer(const struct xd_conn *c);
/* Moves data between the endpoint and the connection until nothing moves. */
void xd_conn_pump(struct xd_conn *c);
/* Graceful: the source stops, DATA_FIN (or FIN) after the queued data. */
void xd_conn_close(struct xd_conn *c);
void xd_conn_abort(struct xd_conn *c, int err);
/* Abort by the app or an operator: the RST carries MP_FASTCLOSE (3.5). */
void xd_conn_fastclose(struct xd_conn *c, int err);
/* Completed: no error, both directions ended, the subflow closed cleanly. */
bool xd_conn_ok(const struct xd_conn *c);
/* The summary line (xmptcpd stdout) and the control socket's forms. */
void xd_conn_report(const struct xd_conn *c, FILE *f);
void xd_conn_brief_json(const struct xd_conn *c, FILE *f);
void xd_conn_brief_text(const struct xd_conn *c, FILE *f);
const char *xd_conn_state(const struct xd_conn *c);

/* ---- conntab.c: connections by tuple ---- */

#define XD_CONNTAB_BUCKETS 4096

struct xd_conntab {
	struct xd_conn *bucket[XD_CONNTAB_BUCKETS];
	unsigned int n;
};

void xd_conntab_add(struct xd_conntab *t, struct xd_conn *c);
void xd_conntab_del(struct xd_conntab *t, struct xd_conn *c);
struct xd_conn *xd_conntab_find(const struct xd_conntab *t, const struct xmp_frame *f);

/* ---- loop.c: the event loop ---- */

struct xd_loop_stats {
	__u64 rx_frames;
	__u64 rx_bad;	   /* not parseable / bad checksum */
	__u64 rx_nomatch;  /* steered to us but no connection wants it */
	__u64 rx_syn_limit; /* SYN to a listener refused: --max-conns reached */
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
};

#define XD_MAX_PORTS 8

/* One interface (--iface): its AF_XDP socket; a connection's frames go in
 * and out through the port its route (or its SYN) came by. */
struct xd_port {
	char ifname[IF_NAMESIZE];
	int ifindex;
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
	struct xd_src tmr_src, ctl_src;
	char ctl_path[PATH_MAX];
	__u64 now; /* CLOCK_MONOTONIC, us */
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
	bool csum; /* ask for DSS checksums (RFC 8684 3.3.1) */
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

/* ---- ctl.c: the control socket (xmptcp conns|stats) ---- */

int xd_ctl_open(struct xd_loop *l, const char *path);
void xd_ctl_close(struct xd_loop *l);
void xd_ctl_accept(struct xd_loop *l);

#endif

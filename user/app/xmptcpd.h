/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xmptcpd, the controller daemon: private header of user/app/.
 *
 * One worker, one event loop (loop.c): epoll over the AF_XDP sockets of the
 * --iface interfaces (port.c), a timerfd, the rtnetlink monitor (addrs.c),
 * the control socket (ctl.c, ctl_sched.c; the counters in stats.c), the
 * metrics scrapers (metrics.c, metrics_http.c) and the proxies' kernel TCP
 * sockets (proxy.c). The MPTCP connections are the connection layer's
 * (user/conn/xc.h, a library): the daemon is its host (host.c): it hands
 * it the frames an XSK took (steered there by bpf/xdp_steer.bpf.c for the
 * tuples, listeners and MP_JOIN tokens we publish in the owned maps), the
 * time, routes, ports, and each connection's application end (endpoint.c):
 * the built-in source/sink (a deterministic pattern or a file out, SHA-256
 * of everything in) or an unmodified app's kernel TCP socket (the
 * proxies). Each connection prints a JSON summary as it completes
 * (conns.c). The options are one table (options.c).
 *
 * Call chain:  xmptcpd.c main -> xd_loop_run()
 *   rx: xmp_xsk_rx -> xmp_pkt_parse (options once) -> xc_input (or a
 *       listener: xd_accept_syn -> xc_conn_accept) -> the connection layer
 *       (in-order payload straight into the reassembly) -> host.c's ops
 *   tx: the connection layer (payload from the msk's send buffer, one
 *       copy into the frame) -> xc_host_ops.xmit -> xd_port_xmit -> XSK TX
 *   app: epoll (XD_SRC_APP) -> xd_proxy_app_event -> xc_conn_pump ->
 *        host.c's app_* -> endpoint.c
 *   links: epoll (XD_SRC_NL) -> addrs.c -> xc_pm_link_event / _addrs_changed
 *   end: xd_loop_reap -> summary line, xc_conn_free (after TIME-WAIT)
 */
#ifndef XMP_APP_XMPTCPD_H
#define XMP_APP_XMPTCPD_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>

#include "conn/xc.h"
#include "io/nlmon.h"
#include "io/owned.h"
#include "io/pkt.h"
#include "io/portres.h"
#include "io/route.h"
#include "io/xsk.h"
#include "app/metrics.h"

struct evp_md_ctx_st;
struct xd_conf;
struct xd_listener;
struct xd_loop;
struct xd_port;

#define XD_MAX_PORTS 8 /* --iface */

/* ---- epoll sources: what an event's data.ptr points at ---- */

enum xd_src_kind {
	XD_SRC_XSK,
	XD_SRC_TIMER,
	XD_SRC_CTL,	    /* control socket listener (ctl.c) */
	XD_SRC_PROXY,	    /* client proxy's kernel TCP listener (proxy.c) */
	XD_SRC_APP,	    /* a connection's application socket (proxy.c) */
	XD_SRC_NL,	    /* rtnetlink monitor: links, addresses, routes */
	XD_SRC_HTTP,	    /* --metrics-listen's listener (metrics_http.c) */
	XD_SRC_HTTP_CLIENT, /* a scraper's connection (metrics_http.c) */
};

struct xd_src {
	enum xd_src_kind kind;
	int fd;
	void *obj;
};

/* ---- endpoint.c: the application end of a connection ---- */

#define XD_EP_OBUF (256u << 10) /* bytes waiting for an app socket */
#define XD_EP_PREAMBLE 64	/* room for a PROXY v2 header (52 bytes at most) */

struct xd_ep_cfg {
	__u64 send_total;     /* built-in source: bytes of the pattern */
	__u64 send_us;	      /* built-in source: sends for this long at most (0: no limit) */
	const char *src_file; /* built-in source: a file's bytes instead */
	__u64 seed;
	int sock_fd;	      /* >= 0: a kernel TCP socket of an unmodified app */
	bool sock_connecting; /* server proxy: its connect() is in progress */
	__u8 preamble[XD_EP_PREAMBLE]; /* app socket: read first, not counted (PROXY v2) */
	__u8 preamble_len;
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

/* ---- conns.c: the daemon's side of each connection ---- */

/* The application end of a connection (xc_app.ctx): what the daemon keeps
 * beside the library's struct xc_conn. */
struct xd_app {
	struct xd_endpoint ep;
	struct xd_src src; /* proxies: the app socket in epoll */
	struct xc_conn *c;
	bool reported;	   /* its summary line is out; only TIME-WAIT remains */
};

static inline struct xd_app *xd_app_of(const struct xc_conn *c)
{
	return xc_conn_app(c);
}

/* Client: the built-in endpoint (@ep) or an app socket, over a new
 * connection to dst. 0 or -errno (the socket, if any, stays the caller's). */
int xd_conn_connect(struct xd_loop *l, const struct xmp_addr *dst, __u16 dport,
		    const struct xd_ep_cfg *ep, struct xd_app **out);
/* A SYN to one of our listeners. */
void xd_accept_syn(struct xd_loop *l, struct xd_port *port, struct xd_listener *ls,
		   const struct xmp_frame *f);
/* Graceful: the source stops, DATA_FIN (or FIN) after the queued data. */
void xd_conn_close(struct xc_conn *c);
/* Reports, unlinks and frees the connections that are over. */
void xd_loop_reap(struct xd_loop *l);
/* A half-open connection dropped for a newer SYN: freed at once. */
void xd_loop_evict(struct xd_loop *l, struct xc_conn *c);
/* Unwatches and frees (the loop's end, or a connection that is over). */
void xd_loop_free_conn(struct xd_loop *l, struct xc_conn *c);
/* Built-in client: keep `parallel` connections going until `count` began. */
void xd_loop_client_fill(struct xd_loop *l);
/* The connection table in xmp_conns, for bpftool. */
void xd_loop_publish(struct xd_loop *l);

/* ---- host.c: the daemon as the connection layer's host ---- */

extern const struct xc_host_ops xd_host_ops;
/* The app ends of new connections: a socket one holds a buffer too. */
__u32 xd_app_mem(bool sock);

/* ---- port.c: the AF_XDP socket of each --iface ---- */

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

int xd_port_open(struct xd_loop *l, struct xd_port *p, const char *ifname, unsigned int queue);
void xd_port_close(struct xd_port *p);
/* The port of an interface, NULL when it is not one of ours. */
struct xd_port *xd_loop_port(struct xd_loop *l, int ifindex);
/* The interface's MTU again (link up). */
void xd_port_read_mtu(struct xd_port *p);
/* The port as the connection layer sees it. */
void xd_port_path(struct xd_port *p, struct xc_path *path);
/* Builds and queues one frame on port p. */
int xd_port_xmit(struct xd_loop *l, struct xd_port *p, const struct xmp_pkt_hdrs *h,
		 const struct xmp_seg *seg);
/* A burst of frames of every port to their connections. */
void xd_loop_rx(struct xd_loop *l);
void xd_loop_tx_flush(struct xd_loop *l);
bool xd_loop_tx_inflight(const struct xd_loop *l);

/* ---- addrs.c: links and local addresses, for the path manager ---- */

/* Local addresses of our interfaces (and their links' state) to the
 * connection layer: at start-up (@changed false) or after an rtnetlink
 * event. 0 or -errno. */
int xd_addrs_scan(struct xd_loop *l, bool changed);
/* The rtnetlink monitor said something (xmp_nlmon_read()'s callback). */
void xd_nl_event(const struct xmp_nl_event *ev, void *arg);

/* ---- loop.c: the event loop ---- */

struct xd_loop_stats {
	__u64 rx_frames;
	__u64 rx_bad;	   /* not parseable / bad checksum */
	__u64 rx_nomatch;  /* steered to us but no connection wants it */
	__u64 rx_opts_located; /* options taken where XDP's metadata put them */
	__u64 rx_opts_walked;  /* options walked: no or partial metadata */
	__u64 rx_meta_bad; /* metadata contradicting its frame: ignored */
	__u64 rx_syn_limit; /* SYN to a listener refused: --max-conns reached */
	__u64 syn_evicted;  /* half-open connections dropped for newer SYNs */
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
 * connection to fwd over kernel TCP (accept: to the SYN's destination). */
struct xd_listener {
	struct xmp_addr addr;
	__u16 port;
	struct xmp_portres res;
	bool forward;
	bool accept; /* --accept: MPTCP SYNs only, any local address */
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
	__u64 now; /* CLOCK_MONOTONIC, us: the connection layer's clock too */
	__u64 publish_at; /* next refresh of xmp_conns */
	__u64 deadline;
	__u16 ip_id;

	struct xd_listener lst[XD_MAX_LISTENERS];
	unsigned int nlst;
	struct xd_cproxy px[XD_MAX_PROXIES];
	unsigned int npx;
	bool proxy_v2; /* --proxy-protocol: forwarding listeners send the header */

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
	FILE *report; /* one JSON line per connection as it completes */

	struct xc_stack *xc; /* the connections (user/conn) */
	unsigned int nconns, nactive; /* live (TIME-WAIT included), not reported */
	bool stopping; /* a signal came: no new connections */
	struct xd_loop_stats st;
	struct xd_conf *conf; /* SIGHUP: what to read again (NULL: nothing) */
	struct xd_metrics *mx; /* metrics.c (NULL: none asked for) */
};

struct xd_loop_cfg {
	const char *ifnames[XD_MAX_PORTS];
	unsigned int nifs;
	const char *pin_dir; /* NULL: per-netns default */
	const char *ctl_path; /* NULL: per-netns default; "" none */
	unsigned int queue_id;
	unsigned int timeout_s;
	struct xc_cfg xc; /* the connections' configuration */
	struct xd_metrics_cfg metrics;
};

int xd_loop_init(struct xd_loop *l, const struct xd_loop_cfg *cfg);
void xd_loop_fini(struct xd_loop *l);
/* An MPTCP listener; fwd NULL: the built-in endpoint. */
int xd_loop_listen(struct xd_loop *l, const struct xmp_addr *addr, __u16 port,
		   const struct xmp_addr *fwd, __u16 fwd_port);
/* --accept PORT: its MPTCP SYNs, on any local address (plain TCP stays the
 * kernel's), forwarded to the local service. */
int xd_loop_accept(struct xd_loop *l, __u16 port);
/* Built-in client: count connections (parallel at a time) to dst. */
int xd_loop_client(struct xd_loop *l, const struct xmp_addr *dst, __u16 dport, __u64 count,
		   unsigned int parallel);
/* Runs until count connections completed (or the timeout / a signal).
 * 0 when every completed connection was clean, else -errno. */
int xd_loop_run(struct xd_loop *l);
/* A connection's app socket joins or leaves epoll. */
int xd_loop_watch(struct xd_loop *l, struct xd_src *src, int fd);
void xd_loop_unwatch(struct xd_loop *l, struct xd_src *src);
int xd_loop_epoll_add(struct xd_loop *l, struct xd_src *src, enum xd_src_kind kind, int fd,
		      unsigned int events);
__u64 xd_now_us(void);
void xd_loop_stop(void);
/* Signals seen: the first closes gracefully, the second aborts. */
extern volatile sig_atomic_t xd_stop;
/* Async-signal-safe: SIGUSR1 asks the loop to end the built-in sources. */
void xd_loop_end_sources(void);
/* Async-signal-safe: SIGHUP asks the loop to read the configuration again. */
void xd_loop_reload(void);

/* ---- proxy.c: client and server proxies over kernel TCP sockets ---- */

int xd_proxy_add_client(struct xd_loop *l, const struct xmp_addr *laddr, __u16 lport,
			const struct xmp_addr *raddr, __u16 rport);
/* A client proxy's listener is readable: accept and connect over MPTCP. */
void xd_proxy_accept(struct xd_loop *l, struct xd_cproxy *px);
/* Server proxy: a kernel TCP connect() to the forward address. */
int xd_proxy_forward_sock(const struct xmp_addr *fwd, __u16 port, int *fd);
/* Event on a connection's app socket. */
void xd_proxy_app_event(struct xd_loop *l, struct xd_app *a, unsigned int events);
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
/* ops becomes the default and every live connection's scheduler (from its
 * next decision); returns how many connections switched. */
unsigned int xd_sched_set_all(struct xd_loop *l, const struct xmp_sched_ops *ops);

/* ---- options.c: the command line ---- */

#define XD_MAX_SCHED_LOAD 8 /* --sched-load */

struct xd_fwd {
	struct xmp_addr a, b;
	__u16 pa, pb;
};

struct xd_opts {
	const char *ifnames[XD_MAX_PORTS];
	unsigned int nifs;
	const char *pin_dir;
	const char *ctl_path;
	const char *connect;
	const char *listen;
	const char *send_file;
	__u64 send_bytes;
	__u64 send_us; /* --send-time */
	bool send_bytes_set;
	__u64 seed;
	__u64 count;
	bool count_set, timeout_set;
	unsigned int parallel;
	unsigned int max_conns;
	unsigned int queue;
	unsigned int timeout_s;
	bool sink;
	bool csum;
	struct xd_fwd client[XD_MAX_PROXIES], server[XD_MAX_LISTENERS];
	unsigned int nclient, nserver;
	__u16 accept[XD_MAX_LISTENERS]; /* --accept: local service ports */
	unsigned int naccept;
	bool proxy_protocol; /* PROXY v2 header to the app (--accept, --server) */
	/* multipath */
	enum xc_pm_mode pm;
	unsigned int ndiff, max_subflows, max_add_addr;
	const char *backup[XD_MAX_PORTS];
	unsigned int nbackup;
	const char *sched;
	const char *sched_load[XD_MAX_SCHED_LOAD];
	unsigned int nsched_load;
	const char *cc;
	bool no_reinject;
	__u64 sndbuf, rcvbuf;
	/* limits */
	unsigned int max_halfopen;
	__u64 max_mem, sf_buf;
	int log_level; /* enum xmp_log_level: -v, -q */
	/* metrics */
	const char *metrics_listen, *metrics_file;
	__u64 metrics_us; /* --metrics-interval */
	/* command line only */
	const char *config;
	bool no_config, print_config;
};

#ifndef XD_CONF_FILE
#define XD_CONF_FILE "/etc/xmptcp/xmptcpd.conf"
#endif

/* The configuration in effect and where it came from: SIGHUP reads the
 * file again with the same command line over it (reload.c). */
struct xd_conf {
	int argc;
	char **argv;
	const char *path;   /* the file; NULL: --no-config */
	bool optional;	    /* the default path: no file there is no error */
	struct xd_opts cur; /* in effect; restart-only keys as at start-up */
	char *text;	    /* the file read at start-up: cur's strings point into it */
	char *live_text;    /* the last SIGHUP's: the strings of cur's live keys */
};

/* argv, the file, the defaults into cf->cur, checked (--help exits); the
 * log level applied. 0, or -errno after saying why (FILE:LINE for a line). */
int xd_conf_init(struct xd_conf *cf, int argc, char **argv);
/* The options cf's file and command line give now, checked; *text holds
 * the file's bytes their strings point into (free it). 0 or -errno. */
int xd_opts_load(const struct xd_conf *cf, struct xd_opts *o, char **text);
void xd_conf_free(struct xd_conf *cf);
/* --print-config: every key of cf->cur in the file's format. */
void xd_conf_print(FILE *f, const struct xd_conf *cf);
const struct opt_prog *xd_opts_prog(void);
/* The connections' configuration from the options. */
void xd_opts_xc(struct xc_cfg *cfg, const struct xd_opts *o);

/* ADDR:PORT or [V6ADDR]:PORT. */
int xd_parse_endpoint(const char *s, struct xmp_addr *a, __u16 *port);
/* Every option at its default (doc.c: the man page shows them). */
void xd_opts_defaults(struct xd_opts *o);

/* ---- doc.c: xmptcpd(8) and the bash completion, from the table ---- */

/* arg "--man" or "--bash-completion" (the build's hidden options): writes
 * it to stdout and sets *rc; false for anything else. */
bool xd_doc(const char *arg, int *rc);

/* ---- reload.c: SIGHUP ---- */

/* Reads cf's file again; applies the live keys that changed, logs the
 * others as needing a restart; a bad file changes nothing. */
void xd_reload(struct xd_loop *l, struct xd_conf *cf);

#endif

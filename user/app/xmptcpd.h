/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xmptcpd, the controller daemon: private header of user/app/.
 *
 * One worker, one event loop (loop.c): epoll over the AF_XDP socket of one
 * interface and a timerfd. Frames come in through the XSK (steered there by
 * bpf/xdp_steer.bpf.c for the tuples and listeners we publish in the owned
 * maps), are parsed (io/pkt.h) and handed to the connection they belong to.
 * A connection (mpconn.c) is one subflow TCP engine (tcp/tcp.h) glued to the
 * MPTCP subflow and connection logic (mptcp/subflow.h, conn.h); its segments
 * leave through the same XSK. The application end of a connection is the
 * built-in source/sink endpoint (endpoint.c): a deterministic byte pattern
 * or a file out, a SHA-256 of everything in, and a JSON summary at the end.
 *
 * Call chain:  xmptcpd.c main -> xd_loop_run()
 *   rx: xmp_xsk_rx -> xmp_pkt_parse -> xd_conn_input -> xmp_tcp_input
 *       (ops->rcv_options -> xmp_sf_rcv_options) -> xd_conn_pump
 *   tx: xd_conn_pump -> xmp_msk_next_map/xmp_tcp_send -> ops->xmit
 *       (ops->write_options -> per-segment DSS) -> xd_loop_xmit -> XSK TX
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

/* ---- endpoint.c: the built-in source/sink ---- */

struct xd_endpoint {
	/* source: send_total bytes of the pattern, or a file until EOF */
	__u64 send_total;
	__u64 seed;
	int src_fd; /* -1: pattern */
	bool src_eof;
	__u64 sent; /* bytes handed to the connection */
	/* sink */
	bool sink; /* keep what is received (else it is counted anyway) */
	__u64 rcvd;
	bool rcvd_eof;
	struct evp_md_ctx_st *sha_tx, *sha_rx;
	char sent_hex[65], rcvd_hex[65];
};

int xd_ep_init(struct xd_endpoint *ep, __u64 send_total, const char *src_file, __u64 seed);
void xd_ep_free(struct xd_endpoint *ep);
/* Next bytes to send, at most len. Returns the count, 0 at the end, -errno. */
long xd_ep_produce(struct xd_endpoint *ep, __u8 *buf, size_t len);
bool xd_ep_src_done(const struct xd_endpoint *ep);
/* The source ends now (graceful shutdown). */
void xd_ep_stop(struct xd_endpoint *ep);
void xd_ep_consume(struct xd_endpoint *ep, const __u8 *buf, size_t len);
void xd_ep_finish(struct xd_endpoint *ep);
/* The byte at stream offset off of the pattern with this seed. */
__u8 xd_pattern_byte(__u64 seed, __u64 off);

/* ---- mpconn.c: one connection (single subflow) ---- */

struct xd_loop;

struct xd_conn {
	struct xd_loop *loop;
	struct xd_endpoint *ep;
	struct xmp_tcp_sock *sk;
	struct xmp_sf sf;
	enum xmp_sf_role role;
	bool plain; /* plain TCP: no MP_CAPABLE (3.7 fallback at the handshake) */

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
	bool done;
	int err;
	__u64 seg_maps; /* per-segment mappings written */
	__u64 acks_forced;
	struct xmp_mp_parse_stats pst;
};

/* Client: route, port, owned tuple, SYN. */
int xd_conn_connect(struct xd_conn **out, struct xd_loop *l, const struct xmp_addr *dst,
		    __u16 dport, struct xd_endpoint *ep);
/* Server: a SYN to our listener. */
int xd_conn_accept(struct xd_conn **out, struct xd_loop *l, const struct xmp_frame *syn,
		   struct xd_endpoint *ep);
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
void xd_conn_report(const struct xd_conn *c, FILE *f);

/* ---- loop.c: the event loop ---- */

struct xd_loop_stats {
	__u64 rx_frames;
	__u64 rx_bad;	   /* not parseable / bad checksum */
	__u64 rx_nomatch;  /* steered to us but no connection wants it */
	__u64 rx_syn_busy; /* SYN to the listener while a connection runs */
	__u64 tx_frames;
	__u64 tx_drop; /* no TX frame or ring full: the engine retransmits */
};

struct xd_loop {
	char ifname[IF_NAMESIZE];
	int ifindex;
	char pin_dir[PATH_MAX];
	struct xmp_xsk *xsk;
	struct xmp_owned own;
	struct xmp_route_cache *rc;
	int epfd, tfd;
	__u64 now; /* CLOCK_MONOTONIC, us */
	__u64 deadline;
	unsigned int tx_unflushed;
	__u16 ip_id;

	/* server: one listener, one connection at a time */
	bool listening;
	struct xmp_addr laddr;
	__u16 lport;
	struct xmp_portres lres;

	struct xd_conn *conn;
	struct xd_endpoint *ep;
	struct xd_loop_stats st;
};

struct xd_loop_cfg {
	const char *ifname;
	const char *pin_dir; /* NULL: per-netns default */
	unsigned int queue_id;
	unsigned int timeout_s;
};

int xd_loop_init(struct xd_loop *l, const struct xd_loop_cfg *cfg);
void xd_loop_fini(struct xd_loop *l);
int xd_loop_listen(struct xd_loop *l, const struct xmp_addr *addr, __u16 port);
/* Runs until the connection is done (or the timeout / a signal). 0 or -errno. */
int xd_loop_run(struct xd_loop *l);
/* Builds and queues one frame (ops->xmit of every connection). */
int xd_loop_xmit(struct xd_loop *l, const struct xmp_pkt_hdrs *h, const struct xmp_seg *seg);
__u64 xd_now_us(void);
void xd_loop_stop(void);

#endif

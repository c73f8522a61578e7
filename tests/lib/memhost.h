/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host of the connection layer (user/conn/xc.h) on the in-memory wire
 * (memwire.h), for tests and the fuzzer: what xmptcpd is on AF_XDP, in a
 * few hundred lines and without root. One memhost is one side (0 or 1) of
 * every link of a wire: link i is its interface i, address 10.0.i.(side+1)
 * (or fd00:i::side+1 with ipv6), its peer on that link 10.0.i.(2-side).
 * Every link is its own network: a route exists only to the peer on the same
 * link, so a full mesh of address pairs opens one subflow per link.
 *
 * Frames really go through the packet layer: what the library sends is
 * built into an Ethernet frame (xmp_pkt_build) and the receiving host
 * parses it (xmp_pkt_parse) before xc_input(), as the daemon does.
 *
 * Its application ends are built-in: each connection sends send_total bytes
 * of a pattern seeded by the sender's side and the client's port, and
 * checks every byte it receives against the peer's pattern at its offset:
 * a wrong byte is counted (bad) with the offset of the first one, never
 * silently taken.
 */
#ifndef XMP_TESTS_MEMHOST_H
#define XMP_TESTS_MEMHOST_H

#include <stdbool.h>
#include <linux/types.h>

#include "conn/xc.h"
#include "lib/memwire.h"

#define MEMHOST_APPS 64

struct memhost;

/* One connection's application end. */
struct memhost_app {
	struct memhost *h;
	struct xc_conn *c;
	__u16 cport;	       /* the client's port of the initial subflow */
	__u64 seed, peer_seed; /* pattern it sends, pattern it expects */
	__u64 send_total, sent;
	__u64 rcvd, bad, first_bad;
	__u64 room; /* bytes it takes per call (0: all) */
	/* buf_cap != 0: a reader behind a buffer, as the daemon's endpoint
	 * and its socket: room is what the buffer has free; every second
	 * flush empties @drain bytes of it (0: all), the other finds the
	 * socket still full (EAGAIN): what a slow reader's socket does, which
	 * may drain between two flushes of one pump */
	__u64 buf_cap, buffered, drain;
	unsigned int flushes;
	bool paused; /* takes nothing (a reader that stopped) */
	bool hold_eof; /* its stream does not end yet: clear, then xc_conn_pump() */
	bool eof_in;
	bool eof_out;
};

struct memhost_port {
	struct memhost *h;
	unsigned int link;
	struct xmp_addr addr, peer;
	char ifname[16];
	struct xc_path path;
};

struct memhost_stats {
	__u64 xmit, xmit_err, misrouted; /* frames sent; failed to build; wrong source */
	__u64 rx, rx_bad, rx_nomatch;	 /* frames in; not parsed; no taker */
	__u64 accepted, joins_in;	 /* SYNs to the listener; MP_JOIN SYNs */
	__u64 timer_again; /* timers still due right after they ran (a loop would spin) */
};

/* Sees every segment the host puts on link @link (optional). */
typedef void (*memhost_tap_fn)(void *arg, unsigned int link, const struct xmp_seg *seg);

struct memhost {
	struct memwire *w;
	int side;
	struct xc_stack *st;
	struct memhost_port port[MEMWIRE_MAX_LINKS];
	unsigned int nports;
	__u16 listen_port; /* 0: none */
	__u64 send_total;  /* what each accepted connection sends */
	bool reply;	   /* ... once the client's data ended (request/response) */
	bool hold_eof;	   /* new connections' app ends start with hold_eof */
	__u16 next_lport, last_lport;
	__u64 rng; /* keys, ISNs: a seed repeats the run exactly */
	struct memhost_app app[MEMHOST_APPS];
	unsigned int napps;
	struct memhost_stats stats;
	memhost_tap_fn tap;
	void *tap_arg;
	__u8 frame[16384];   /* what it sends */
	__u8 rxframe[16384]; /* what comes in: sending while taking it builds in frame */
};

/* Side @side of every link of @w; the stack with @cfg (NULL: defaults);
 * its randomness (keys, ISNs) from @seed. */
int memhost_init(struct memhost *h, struct memwire *w, int side, bool ipv6,
		 const struct xc_cfg *cfg, __u64 seed);
void memhost_fini(struct memhost *h);
/* Server: accept connections to @port, each sending @send_total bytes, at
 * once or, @reply, after the client's data ended (its DATA_FIN would
 * otherwise end the connection's joins early: 3.2 takes none after it). */
void memhost_listen(struct memhost *h, __u16 port, __u64 send_total, bool reply);
/* Client: a connection to the peer's address on link 0. */
int memhost_connect(struct memhost *h, __u16 dport, __u64 send_total,
		    struct memhost_app **out);
/* A frame come in on link @link, parsed: to a subflow, the join path or
 * the listener, as every frame from the wire goes. */
void memhost_input(struct memhost *h, unsigned int link, const struct xmp_frame *f);
/* A segment come in on link @link (built and parsed as from the wire). */
void memhost_rx(struct memhost *h, unsigned int link, const struct xmp_seg *seg);
/* The link's interface goes down or up: the wire and the path manager. */
void memhost_link_event(struct memhost *h, unsigned int link, bool up);
const struct xmp_addr *memhost_addr(const struct memhost *h, unsigned int link);
/* The byte @a sends at stream offset @off (its pattern). */
__u8 memhost_app_byte(const struct memhost_app *a, __u64 off);
/* Every connection's transfer is over (done), both ways complete. */
bool memhost_all_done(const struct memhost *h);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory wire for tests: one or more links, each joining two endpoints
 * (0 and 1) in one process with, per direction, delay, optional rate, loss,
 * duplication and reordering, all drawn from one seeded PRNG so a seed
 * reproduces a run exactly. A link can go down (what is on it and what is
 * sent to it is lost, counted) and come back. A middlebox hook per link sees
 * (and may rewrite or drop) every segment entering it. memwire_run_until()
 * is the event loop of every link at once: it advances one virtual clock to
 * the next segment arrival or endpoint timer, with no wall clock and no
 * threads.
 *
 * Several links are several paths between two hosts: a multipath test gives
 * each host an endpoint on every link (its interfaces) and the timers on one
 * of them. The functions without "link" in their name act on link 0, the
 * one-path case of the TCP tests.
 *
 * Endpoints are generic (rx/next_timer/on_timer callbacks) so the MPTCP
 * layer can sit on top; memwire_attach_tcp() and memwire_tcp_xmit() join a
 * bare subflow engine socket (user/tcp/tcp.h) directly. Test code only: it is
 * not part of libxmp.
 */
#ifndef XMP_MEMWIRE_H
#define XMP_MEMWIRE_H

#include <stdbool.h>
#include <linux/types.h>

#include "tcp/tcp.h"

struct memwire;

/* The wire's virtual clock counts microseconds. */
#define T_MS  1000ULL
#define T_SEC 1000000ULL

/* One direction of the link. Probabilities in parts per million. */
struct memwire_dir_cfg {
	__u64 delay_us;	   /* one-way propagation delay */
	__u64 rate_bps;	   /* serialisation rate, 0 = unlimited */
	__u32 queue_bytes; /* drop-tail limit of the rate queue (256 KiB) */
	__u32 loss_ppm;
	__u32 dup_ppm;
	__u32 reorder_ppm;
	__u64 reorder_us; /* extra delay of a reordered segment (delay or 1 ms) */
};

struct memwire_dir_stats {
	__u64 sent;	  /* segments offered by the endpoint */
	__u64 delivered;  /* segments handed to the other endpoint */
	__u64 lost;	  /* random loss */
	__u64 duplicated; /* extra copies made */
	__u64 reordered;  /* segments given extra delay */
	__u64 mbox_drop;  /* dropped by the middlebox hook */
	__u64 queue_drop; /* rate queue full or wire out of slots */
	__u64 down_drop;  /* sent to, or in flight on, a link that was down */
};

/* Endpoint callbacks; next_timer returns XMP_TCP_NO_TIMER when idle. */
struct memwire_end_ops {
	void (*rx)(void *arg, const struct xmp_seg *seg, __u64 now_us);
	__u64 (*next_timer)(void *arg);
	void (*on_timer)(void *arg, __u64 now_us);
};

enum { MEMWIRE_PASS = 0, MEMWIRE_DROP = 1 };

/*
 * Middlebox: called for each segment sent by endpoint `from`, before loss.
 * It may edit seg (options, flags, seg->len down to 0) and the payload
 * bytes in data[0..seg->len) (seg->payload == data). Returns MEMWIRE_PASS
 * or MEMWIRE_DROP.
 */
typedef int (*memwire_mbox_fn)(void *arg, int from, struct xmp_seg *seg, __u8 *data);
typedef bool (*memwire_cond_fn)(void *arg);

/* Context for memwire_tcp_xmit(): give it as the ctx of xmp_tcp_create(). */
struct memwire_port {
	struct memwire *w;
	int end;
	void *user; /* free for the test */
};

/* One link (memwire_new) or nlinks (1..MEMWIRE_MAX_LINKS) of them. */
#define MEMWIRE_MAX_LINKS 8
int memwire_new(struct memwire **wp, __u64 seed, unsigned int max_pkts);
int memwire_new_links(struct memwire **wp, __u64 seed, unsigned int max_pkts,
		      unsigned int nlinks);
void memwire_free(struct memwire *w);
unsigned int memwire_links(const struct memwire *w);
void memwire_link_set_dir(struct memwire *w, unsigned int link, int from,
			  const struct memwire_dir_cfg *cfg);
void memwire_link_set_mbox(struct memwire *w, unsigned int link, memwire_mbox_fn fn, void *arg);
void memwire_link_attach(struct memwire *w, unsigned int link, int end,
			 const struct memwire_end_ops *ops, void *arg);
/* Down: segments on the link and sent to it are lost (down_drop). */
void memwire_link_set_up(struct memwire *w, unsigned int link, bool up);
bool memwire_link_up(const struct memwire *w, unsigned int link);
/* Puts a segment sent by endpoint `from` of the link on it (copied). */
int memwire_link_xmit(struct memwire *w, unsigned int link, int from, const struct xmp_seg *seg);
const struct memwire_dir_stats *memwire_link_stats(const struct memwire *w, unsigned int link,
						   int from);

/* Link 0. */
void memwire_set_dir(struct memwire *w, int from, const struct memwire_dir_cfg *cfg);
void memwire_set_mbox(struct memwire *w, memwire_mbox_fn fn, void *arg);
void memwire_attach(struct memwire *w, int end, const struct memwire_end_ops *ops, void *arg);
void memwire_attach_tcp(struct memwire *w, int end, struct xmp_tcp_sock *sk);
/* The timer callbacks of such a TCP end (arg: the socket), for an end that
 * wraps its rx to look at what arrives. */
__u64 memwire_tcp_next_timer(void *sk);
void memwire_tcp_on_timer(void *sk, __u64 now);
int memwire_xmit(struct memwire *w, int from, const struct xmp_seg *seg);
/* xmp_tcp_ops.xmit adapter (link 0); ctx is a struct memwire_port. */
int memwire_tcp_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg);

__u64 memwire_now(const struct memwire *w);
/* Jumps the clock forward (never back) without running events. */
void memwire_set_now(struct memwire *w, __u64 now_us);
/* Segments on every link. */
unsigned int memwire_in_flight(const struct memwire *w);
const struct memwire_dir_stats *memwire_stats(const struct memwire *w, int from);

/*
 * Runs events until cond(arg) holds (0), the virtual clock would pass
 * max_time_us (-ETIMEDOUT, clock left at max_time_us), or nothing is left
 * to happen (0 without cond, -EDEADLK with one).
 */
int memwire_run_until(struct memwire *w, memwire_cond_fn cond, void *arg, __u64 max_time_us);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory wire for unit tests: two endpoints (0 and 1) in one process
 * joined by a link with, per direction, delay, optional rate, loss,
 * duplication and reordering, all drawn from one seeded PRNG so a seed
 * reproduces a run exactly. A middlebox hook sees (and may rewrite or drop)
 * every segment entering the wire. memwire_run_until() is the event loop:
 * it advances a virtual clock to the next segment arrival or endpoint
 * timer, with no wall clock and no threads.
 *
 * Endpoints are generic (rx/next_timer/on_timer callbacks) so the MPTCP
 * layer can sit on top; memwire_attach_tcp() and memwire_tcp_xmit() join a
 * bare subflow engine socket (user/tcp/tcp.h) directly.
 */
#ifndef XMP_MEMWIRE_H
#define XMP_MEMWIRE_H

#include <stdbool.h>
#include <linux/types.h>

#include "tcp/tcp.h"

struct memwire;

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

int memwire_new(struct memwire **wp, __u64 seed, unsigned int max_pkts);
void memwire_free(struct memwire *w);
void memwire_set_dir(struct memwire *w, int from, const struct memwire_dir_cfg *cfg);
void memwire_set_mbox(struct memwire *w, memwire_mbox_fn fn, void *arg);
void memwire_attach(struct memwire *w, int end, const struct memwire_end_ops *ops, void *arg);
void memwire_attach_tcp(struct memwire *w, int end, struct xmp_tcp_sock *sk);
/* The timer callbacks of such a TCP end (arg: the socket), for an end that
 * wraps its rx to look at what arrives. */
__u64 memwire_tcp_next_timer(void *sk);
void memwire_tcp_on_timer(void *sk, __u64 now);

/* Puts a segment sent by endpoint `from` on the wire (copied). */
int memwire_xmit(struct memwire *w, int from, const struct xmp_seg *seg);
/* xmp_tcp_ops.xmit adapter; ctx is a struct memwire_port. */
int memwire_tcp_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg);

__u64 memwire_now(const struct memwire *w);
/* Jumps the clock forward (never back) without running events. */
void memwire_set_now(struct memwire *w, __u64 now_us);
unsigned int memwire_in_flight(const struct memwire *w);
const struct memwire_dir_stats *memwire_stats(const struct memwire *w, int from);

/*
 * Runs events until cond(arg) holds (0), the virtual clock would pass
 * max_time_us (-ETIMEDOUT, clock left at max_time_us), or nothing is left
 * to happen (0 without cond, -EDEADLK with one).
 */
int memwire_run_until(struct memwire *w, memwire_cond_fn cond, void *arg, __u64 max_time_us);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared fixture of the test_tcp_*.c unit tests: two subflow engines joined
 * by the in-memory wire, an application model per side (source: pushes a
 * buffer then optionally shuts down; sink: reads into a buffer unless
 * paused), a tap that records every segment sent, and ISNs just below 2^32
 * so every transfer crosses the sequence wraparound (lwIP style).
 */
#ifndef XMP_TEST_TCP_HARNESS_H
#define XMP_TEST_TCP_HARNESS_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/memwire.h"
#include "tcp/tcp.h"


struct tpeer {
	struct xmp_tcp_sock *sk;
	struct memwire_port port;
	unsigned int events; /* every event seen */
	unsigned int nr_writable;
	/* sink */
	__u8 *rx;
	size_t rx_len, rx_cap;
	bool paused;
	/* source */
	const __u8 *tx;
	size_t tx_len, tx_off;
	bool shut_after; /* shutdown once everything is in the send buffer */
	bool shut_done;
	enum xmp_tcp_state states[32]; /* state after each event */
	unsigned int nr_states;
};

/* Captured segment (header, options, payload length). */
struct tcap {
	int from;
	__u64 at;
	struct xmp_seg seg;
};

struct tpair {
	struct memwire *w;
	struct tpeer p[2];
	/* tap */
	struct tcap *cap;
	unsigned int ncap, capmax;
	/* mbox policy */
	bool drop_all[2];
	__u32 drop_seq[2]; /* drop the first data segment with this seq */
	bool drop_seq_on[2];
	unsigned int dropped_by_seq[2];
	__u32 (*mbox_user)(struct tpair *tp, int from, struct xmp_seg *seg, __u8 *data);
};

static inline void tpeer_pull(struct tpeer *pe)
{
	__u64 now = memwire_now(pe->port.w);
	long n;

	if (pe->paused || !pe->rx)
		return;
	for (;;) {
		if (pe->rx_len == pe->rx_cap) {
			__u8 tmp[4096];

			/* Over the expected size: keep counting, drop bytes. */
			n = xmp_tcp_recv(pe->sk, tmp, sizeof(tmp), now);
			if (n <= 0)
				return;
			pe->events |= 1u << 31; /* marks an overflow */
			continue;
		}
		n = xmp_tcp_recv(pe->sk, pe->rx + pe->rx_len, pe->rx_cap - pe->rx_len, now);
		if (n <= 0)
			return;
		pe->rx_len += n;
	}
}

static inline void tpeer_push(struct tpeer *pe)
{
	__u64 now = memwire_now(pe->port.w);
	long n;

	while (pe->tx && pe->tx_off < pe->tx_len) {
		n = xmp_tcp_send(pe->sk, pe->tx + pe->tx_off, pe->tx_len - pe->tx_off, now);
		if (n <= 0)
			break;
		pe->tx_off += n;
	}
	if (pe->shut_after && !pe->shut_done && pe->tx_off == pe->tx_len &&
	    pe->sk->state >= XMP_TCP_ESTABLISHED) {
		pe->shut_done = true;
		xmp_tcp_shutdown(pe->sk, now);
	}
}

static inline void t_event(void *ctx, struct xmp_tcp_sock *sk, unsigned int ev)
{
	struct memwire_port *port = ctx;
	struct tpeer *pe = port->user;

	(void)sk;
	pe->events |= ev;
	if (ev & XMP_TCP_EV_WRITABLE)
		pe->nr_writable++;
	if (ev & XMP_TCP_EV_READABLE)
		tpeer_pull(pe);
	if (ev & (XMP_TCP_EV_WRITABLE | XMP_TCP_EV_ESTABLISHED))
		tpeer_push(pe);
}

static inline void t_state(void *ctx, struct xmp_tcp_sock *sk, enum xmp_tcp_state old,
			   enum xmp_tcp_state st)
{
	struct memwire_port *port = ctx;
	struct tpeer *pe = port->user;

	(void)sk;
	(void)old;
	if (pe->nr_states < 32)
		pe->states[pe->nr_states++] = st;
}

static const struct xmp_tcp_ops t_ops = {
	.xmit = memwire_tcp_xmit,
	.event = t_event,
	.state_change = t_state,
};

static inline int t_mbox(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	struct tpair *tp = arg;

	if (tp->ncap < tp->capmax) {
		tp->cap[tp->ncap].from = from;
		tp->cap[tp->ncap].at = memwire_now(tp->w);
		tp->cap[tp->ncap].seg = *seg;
		tp->cap[tp->ncap].seg.payload = NULL;
		tp->ncap++;
	}
	if (tp->drop_all[from])
		return MEMWIRE_DROP;
	if (tp->drop_seq_on[from] && seg->len && seg->seq == tp->drop_seq[from]) {
		tp->drop_seq_on[from] = false;
		tp->dropped_by_seq[from]++;
		return MEMWIRE_DROP;
	}
	if (tp->mbox_user)
		return tp->mbox_user(tp, from, seg, data);
	return MEMWIRE_PASS;
}

/* Two sockets, ISNs 0xfffffc00 and 0xffffff00 unless cfg says otherwise;
 * a NULL cfg is the defaults. */
static inline int tpair_init(struct tpair *tp, __u64 seed, const struct xmp_tcp_cfg *c0,
			     const struct xmp_tcp_cfg *c1, const struct xmp_tcp_ops *ops)
{
	static const struct xmp_tcp_cfg dflt;
	struct xmp_tcp_cfg cfg[2] = { c0 ? *c0 : dflt, c1 ? *c1 : dflt };
	int i, err;

	memset(tp, 0, sizeof(*tp));
	err = memwire_new(&tp->w, seed, 0);
	if (err)
		return err;
	tp->capmax = 1 << 16;
	tp->cap = calloc(tp->capmax, sizeof(*tp->cap));
	memwire_set_mbox(tp->w, t_mbox, tp);
	for (i = 0; i < 2; i++) {
		if (!cfg[i].lport) {
			cfg[i].lport = i ? 80 : 40000;
			cfg[i].rport = i ? 40000 : 80;
		}
		if (!cfg[i].fixed_isn) {
			cfg[i].fixed_isn = true;
			cfg[i].isn = i ? 0xffffff00u : 0xfffffc00u;
		}
		if (!cfg[i].seed)
			cfg[i].seed = seed * 2 + i + 1;
		tp->p[i].port.w = tp->w;
		tp->p[i].port.end = i;
		tp->p[i].port.user = &tp->p[i];
		err = xmp_tcp_create(&tp->p[i].sk, &cfg[i], ops ? ops : &t_ops, &tp->p[i].port);
		if (err)
			return err;
		memwire_attach_tcp(tp->w, i, tp->p[i].sk);
	}
	return 0;
}

static inline void tpair_fini(struct tpair *tp)
{
	int i;

	for (i = 0; i < 2; i++) {
		xmp_tcp_destroy(tp->p[i].sk);
		free(tp->p[i].rx);
	}
	memwire_free(tp->w);
	free(tp->cap);
}

static inline bool c_established(void *arg)
{
	struct tpair *tp = arg;

	return tp->p[0].sk->state == XMP_TCP_ESTABLISHED &&
	       tp->p[1].sk->state == XMP_TCP_ESTABLISHED;
}

/* Client (0) connects to the listener (1); runs until both are ESTABLISHED. */
static inline int tpair_connect(struct tpair *tp)
{
	int err;

	err = xmp_tcp_listen(tp->p[1].sk);
	if (!err)
		err = xmp_tcp_connect(tp->p[0].sk, memwire_now(tp->w));
	if (!err)
		err = memwire_run_until(tp->w, c_established, tp, memwire_now(tp->w) + 30 * T_SEC);
	return err;
}

/* A wire of this one-way delay, lossless, unlimited (for tpair_open()). */
#define T_DELAY(us) (&(struct memwire_dir_cfg){ .delay_us = (us) })

/* How most tests begin: tpair_init(), the wire @d both ways (NULL: as
 * memwire_new() makes it), tpair_connect(). */
static inline int tpair_open(struct tpair *tp, __u64 seed, const struct xmp_tcp_cfg *c0,
			     const struct xmp_tcp_cfg *c1, const struct xmp_tcp_ops *ops,
			     const struct memwire_dir_cfg *d)
{
	int err = tpair_init(tp, seed, c0, c1, ops);

	if (err)
		return err;
	if (d) {
		memwire_set_dir(tp->w, 0, d);
		memwire_set_dir(tp->w, 1, d);
	}
	return tpair_connect(tp);
}

static inline void t_fill(__u8 *buf, size_t n, __u64 seed)
{
	size_t i;
	__u64 s = seed, r = 0;

	for (i = 0; i < n; i++) {
		if (!(i % 8))
			r = xmp_rng_next(&s);
		buf[i] = (__u8)(r >> (8 * (i % 8)));
	}
}

/* Side i sends len pattern bytes and, if shut, a FIN; the other side reads. */
static inline __u8 *tpeer_source(struct tpair *tp, int i, size_t len, __u64 seed, bool shut)
{
	struct tpeer *src = &tp->p[i], *dst = &tp->p[!i];
	__u8 *buf = malloc(len ? len : 1);

	t_fill(buf, len, seed);
	src->tx = buf;
	src->tx_len = len;
	src->tx_off = 0;
	src->shut_after = shut;
	free(dst->rx);
	dst->rx = malloc(len ? len : 1);
	dst->rx_cap = len;
	dst->rx_len = 0;
	tpeer_push(src);
	return buf;
}

static inline bool c_both_received(void *arg)
{
	struct tpair *tp = arg;

	return tp->p[0].rx_len == tp->p[0].rx_cap && tp->p[1].rx_len == tp->p[1].rx_cap &&
	       (tp->p[0].rx || tp->p[1].rx);
}

static inline bool c_both_closed(void *arg)
{
	struct tpair *tp = arg;

	return tp->p[0].sk->state == XMP_TCP_CLOSED && tp->p[1].sk->state == XMP_TCP_CLOSED;
}

static inline unsigned int tcap_count(const struct tpair *tp, int from, __u8 flags_set,
				      __u8 flags_clear)
{
	unsigned int i, n = 0;

	for (i = 0; i < tp->ncap; i++)
		if (tp->cap[i].from == from && (tp->cap[i].seg.flags & flags_set) == flags_set &&
		    !(tp->cap[i].seg.flags & flags_clear))
			n++;
	return n;
}

/* Returns whether a captured segment carries a TCP option of this kind. */
static inline bool tcap_has_opt(const struct xmp_seg *seg, __u8 kind)
{
	unsigned int off = 0;

	while (off < seg->optlen) {
		if (seg->opts[off] == 0)
			break;
		if (seg->opts[off] == 1) {
			off++;
			continue;
		}
		if (seg->opts[off] == kind)
			return true;
		if (off + 1 >= seg->optlen || seg->opts[off + 1] < 2)
			break;
		off += seg->opts[off + 1];
	}
	return false;
}

/* A segment as the peer of sk would send it (ports swapped, TS echoed). */
static inline struct xmp_seg t_seg_to(const struct xmp_tcp_sock *sk, __u8 flags, __u32 seq,
				      __u32 ack)
{
	struct xmp_seg seg;

	memset(&seg, 0, sizeof(seg));
	seg.sport = sk->cfg.rport;
	seg.dport = sk->cfg.lport;
	seg.flags = flags;
	seg.seq = seq;
	seg.ack = ack;
	seg.wnd = 1000;
	return seg;
}

/* Segments captured from side `from` at or after index `since`. */
static inline unsigned int tcap_since(const struct tpair *tp, unsigned int since, int from,
				      __u8 flags_set)
{
	unsigned int i, n = 0;

	for (i = since; i < tp->ncap; i++)
		if (tp->cap[i].from == from && (tp->cap[i].seg.flags & flags_set) == flags_set)
			n++;
	return n;
}

#endif

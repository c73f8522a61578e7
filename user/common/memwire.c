// SPDX-License-Identifier: GPL-2.0
/*
 * In-memory wire (see memwire.h): a min-heap of segment copies ordered by
 * (arrival time, send order), one seeded PRNG for every random decision,
 * and a run loop that alternates between the next arrival and the next
 * endpoint timer. Used by tests/unit/test_tcp_*.c and later MPTCP tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/memwire.h"

struct memwire_pkt {
	__u64 at;
	__u64 serial;
	int to;
	struct xmp_seg seg;
	__u8 data[];
};

struct memwire_end {
	const struct memwire_end_ops *ops;
	void *arg;
};

struct memwire {
	__u64 now;
	__u64 rng;
	__u64 serial;
	struct memwire_pkt **heap;
	unsigned int n, cap;
	struct memwire_dir_cfg dir[2];
	struct memwire_dir_stats st[2];
	__u64 link_free[2];
	struct memwire_end end[2];
	memwire_mbox_fn mbox;
	void *mbox_arg;
};

static bool pkt_less(const struct memwire_pkt *a, const struct memwire_pkt *b)
{
	return a->at < b->at || (a->at == b->at && a->serial < b->serial);
}

static void heap_push(struct memwire *w, struct memwire_pkt *p)
{
	unsigned int i = w->n++, parent;

	w->heap[i] = p;
	while (i) {
		parent = (i - 1) / 2;
		if (!pkt_less(w->heap[i], w->heap[parent]))
			break;
		w->heap[i] = w->heap[parent];
		w->heap[parent] = p;
		i = parent;
	}
}

static struct memwire_pkt *heap_pop(struct memwire *w)
{
	struct memwire_pkt *top = w->heap[0], *tmp;
	unsigned int i = 0, l, r, m;

	w->heap[0] = w->heap[--w->n];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < w->n && pkt_less(w->heap[l], w->heap[m]))
			m = l;
		if (r < w->n && pkt_less(w->heap[r], w->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = w->heap[i];
		w->heap[i] = w->heap[m];
		w->heap[m] = tmp;
		i = m;
	}
	return top;
}

int memwire_new(struct memwire **wp, __u64 seed, unsigned int max_pkts)
{
	struct memwire *w;

	*wp = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cap = max_pkts ? max_pkts : 65536;
	w->heap = calloc(w->cap, sizeof(*w->heap));
	if (!w->heap) {
		free(w);
		return -ENOMEM;
	}
	w->rng = seed;
	*wp = w;
	return 0;
}

void memwire_free(struct memwire *w)
{
	if (!w)
		return;
	while (w->n)
		free(heap_pop(w));
	free(w->heap);
	free(w);
}

void memwire_set_dir(struct memwire *w, int from, const struct memwire_dir_cfg *cfg)
{
	w->dir[from & 1] = *cfg;
}

void memwire_set_mbox(struct memwire *w, memwire_mbox_fn fn, void *arg)
{
	w->mbox = fn;
	w->mbox_arg = arg;
}

void memwire_attach(struct memwire *w, int end, const struct memwire_end_ops *ops, void *arg)
{
	w->end[end & 1].ops = ops;
	w->end[end & 1].arg = arg;
}

static void tcp_end_rx(void *arg, const struct xmp_seg *seg, __u64 now)
{
	xmp_tcp_input(arg, seg, now);
}

__u64 memwire_tcp_next_timer(void *sk)
{
	return xmp_tcp_next_timer(sk);
}

void memwire_tcp_on_timer(void *sk, __u64 now)
{
	xmp_tcp_on_timer(sk, now);
}

static const struct memwire_end_ops tcp_end_ops = {
	.rx = tcp_end_rx,
	.next_timer = memwire_tcp_next_timer,
	.on_timer = memwire_tcp_on_timer,
};

void memwire_attach_tcp(struct memwire *w, int end, struct xmp_tcp_sock *sk)
{
	memwire_attach(w, end, &tcp_end_ops, sk);
}

static bool chance(struct memwire *w, __u32 ppm)
{
	return ppm && xmp_rng_next(&w->rng) % 1000000 < ppm;
}

static int enqueue(struct memwire *w, int from, const struct xmp_seg *seg, const __u8 *data,
		   __u64 at)
{
	struct memwire_pkt *p;

	if (w->n == w->cap) {
		w->st[from].queue_drop++;
		return -ENOBUFS;
	}
	p = malloc(sizeof(*p) + seg->len);
	if (!p)
		return -ENOMEM;
	p->at = at;
	p->serial = w->serial++;
	p->to = !from;
	p->seg = *seg;
	if (seg->len)
		memcpy(p->data, data, seg->len);
	p->seg.payload = p->data;
	heap_push(w, p);
	return 0;
}

/* Serialisation on a rate-limited link, with a drop-tail byte queue. */
static int link_departure(struct memwire *w, int from, __u32 bytes, __u64 *dep)
{
	const struct memwire_dir_cfg *c = &w->dir[from];
	__u64 start = w->link_free[from] > w->now ? w->link_free[from] : w->now;
	__u64 backlog, qmax = c->queue_bytes ? c->queue_bytes : 256 * 1024;

	*dep = w->now;
	if (!c->rate_bps)
		return 0;
	backlog = (start - w->now) * c->rate_bps / 8 / 1000000;
	if (backlog + bytes > qmax)
		return -ENOBUFS;
	w->link_free[from] = start + (__u64)bytes * 8 * 1000000 / c->rate_bps;
	*dep = w->link_free[from];
	return 0;
}

int memwire_xmit(struct memwire *w, int from, const struct xmp_seg *in)
{
	const struct memwire_dir_cfg *c;
	struct xmp_seg seg = *in;
	__u8 *data = NULL;
	__u64 at, dep;
	int err = 0;

	from &= 1;
	c = &w->dir[from];
	w->st[from].sent++;
	if (seg.len) {
		data = malloc(seg.len);
		if (!data)
			return -ENOMEM;
		memcpy(data, in->payload, seg.len);
	}
	seg.payload = data;
	if (seg.optlen > XMP_TCP_MAX_OPTLEN)
		seg.optlen = XMP_TCP_MAX_OPTLEN;
	if (w->mbox && w->mbox(w->mbox_arg, from, &seg, data) == MEMWIRE_DROP) {
		w->st[from].mbox_drop++;
		goto out;
	}
	if (seg.len > in->len)
		seg.len = in->len; /* the hook may only shrink */
	if (chance(w, c->loss_ppm)) {
		w->st[from].lost++;
		goto out;
	}
	if (link_departure(w, from, 40 + seg.optlen + seg.len, &dep)) {
		w->st[from].queue_drop++;
		goto out;
	}
	at = dep + c->delay_us;
	if (chance(w, c->reorder_ppm)) {
		w->st[from].reordered++;
		at += c->reorder_us ? c->reorder_us : (c->delay_us ? c->delay_us : 1000);
	}
	err = enqueue(w, from, &seg, data, at);
	if (!err && chance(w, c->dup_ppm)) {
		w->st[from].duplicated++;
		err = enqueue(w, from, &seg, data, at + 1);
	}
out:
	free(data);
	return err;
}

int memwire_tcp_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct memwire_port *port = ctx;

	(void)sk;
	return memwire_xmit(port->w, port->end, seg);
}

__u64 memwire_now(const struct memwire *w)
{
	return w->now;
}

void memwire_set_now(struct memwire *w, __u64 now_us)
{
	if (now_us > w->now)
		w->now = now_us;
}

unsigned int memwire_in_flight(const struct memwire *w)
{
	return w->n;
}

const struct memwire_dir_stats *memwire_stats(const struct memwire *w, int from)
{
	return &w->st[from & 1];
}

static __u64 end_timer(const struct memwire_end *e)
{
	return e->ops && e->ops->next_timer ? e->ops->next_timer(e->arg) : XMP_TCP_NO_TIMER;
}

/* One step: deliver the next segment or fire the next timer. */
static int memwire_step(struct memwire *w, __u64 max_time)
{
	__u64 t = XMP_TCP_NO_TIMER, tt;
	struct memwire_pkt *p;
	int i;

	if (w->n)
		t = w->heap[0]->at;
	for (i = 0; i < 2; i++) {
		tt = end_timer(&w->end[i]);
		if (tt < t)
			t = tt;
	}
	if (t == XMP_TCP_NO_TIMER)
		return -EDEADLK;
	if (t > max_time) {
		w->now = max_time > w->now ? max_time : w->now;
		return -ETIMEDOUT;
	}
	if (t > w->now)
		w->now = t;
	if (w->n && w->heap[0]->at <= w->now) {
		p = heap_pop(w);
		w->st[!p->to].delivered++;
		if (w->end[p->to].ops && w->end[p->to].ops->rx)
			w->end[p->to].ops->rx(w->end[p->to].arg, &p->seg, w->now);
		free(p);
		return 0;
	}
	for (i = 0; i < 2; i++)
		if (end_timer(&w->end[i]) <= w->now && w->end[i].ops->on_timer)
			w->end[i].ops->on_timer(w->end[i].arg, w->now);
	return 0;
}

int memwire_run_until(struct memwire *w, memwire_cond_fn cond, void *arg, __u64 max_time_us)
{
	int err;

	for (;;) {
		if (cond && cond(arg))
			return 0;
		err = memwire_step(w, max_time_us);
		if (err == -EDEADLK)
			return cond ? err : 0;
		if (err)
			return err;
	}
}

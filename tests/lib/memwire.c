// SPDX-License-Identifier: GPL-2.0
/*
 * In-memory wire (see memwire.h): one min-heap of segment copies of every
 * link ordered by (arrival time, send order), one seeded PRNG for every
 * random decision, and a run loop that alternates between the next arrival
 * and the next endpoint timer. One heap and one PRNG for all links keep a
 * multipath run one reproducible sequence of events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/memwire.h"

struct memwire_pkt {
	__u64 at;
	__u64 serial;
	unsigned int link;
	int to;
	struct xmp_seg seg;
	__u8 data[];
};

struct memwire_end {
	const struct memwire_end_ops *ops;
	void *arg;
};

struct memwire_link {
	struct memwire_dir_cfg dir[2];
	struct memwire_dir_stats st[2];
	__u64 link_free[2];
	struct memwire_end end[2];
	memwire_mbox_fn mbox;
	void *mbox_arg;
	bool down;
};

struct memwire {
	__u64 now;
	__u64 rng;
	__u64 serial;
	struct memwire_pkt **heap;
	unsigned int n, cap;
	unsigned int nlinks;
	struct memwire_link link[MEMWIRE_MAX_LINKS];
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

int memwire_new_links(struct memwire **wp, __u64 seed, unsigned int max_pkts,
		      unsigned int nlinks)
{
	struct memwire *w;

	*wp = NULL;
	if (!nlinks || nlinks > MEMWIRE_MAX_LINKS)
		return -EINVAL;
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
	w->nlinks = nlinks;
	*wp = w;
	return 0;
}

int memwire_new(struct memwire **wp, __u64 seed, unsigned int max_pkts)
{
	return memwire_new_links(wp, seed, max_pkts, 1);
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

unsigned int memwire_links(const struct memwire *w)
{
	return w->nlinks;
}

/* A link number out of range is a bug of the test: it lands on the last. */
static struct memwire_link *link_of(struct memwire *w, unsigned int link)
{
	return &w->link[link < w->nlinks ? link : w->nlinks - 1];
}

void memwire_link_set_dir(struct memwire *w, unsigned int link, int from,
			  const struct memwire_dir_cfg *cfg)
{
	link_of(w, link)->dir[from & 1] = *cfg;
}

void memwire_link_set_mbox(struct memwire *w, unsigned int link, memwire_mbox_fn fn, void *arg)
{
	link_of(w, link)->mbox = fn;
	link_of(w, link)->mbox_arg = arg;
}

void memwire_link_attach(struct memwire *w, unsigned int link, int end,
			 const struct memwire_end_ops *ops, void *arg)
{
	link_of(w, link)->end[end & 1].ops = ops;
	link_of(w, link)->end[end & 1].arg = arg;
}

void memwire_link_set_up(struct memwire *w, unsigned int link, bool up)
{
	link_of(w, link)->down = !up;
}

bool memwire_link_up(const struct memwire *w, unsigned int link)
{
	return link < w->nlinks && !w->link[link].down;
}

const struct memwire_dir_stats *memwire_link_stats(const struct memwire *w, unsigned int link,
						   int from)
{
	return &w->link[link < w->nlinks ? link : w->nlinks - 1].st[from & 1];
}

void memwire_set_dir(struct memwire *w, int from, const struct memwire_dir_cfg *cfg)
{
	memwire_link_set_dir(w, 0, from, cfg);
}

void memwire_set_mbox(struct memwire *w, memwire_mbox_fn fn, void *arg)
{
	memwire_link_set_mbox(w, 0, fn, arg);
}

void memwire_attach(struct memwire *w, int end, const struct memwire_end_ops *ops, void *arg)
{
	memwire_link_attach(w, 0, end, ops, arg);
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

static int enqueue(struct memwire *w, unsigned int link, int from, const struct xmp_seg *seg,
		   const __u8 *data, __u64 at)
{
	struct memwire_pkt *p;

	if (w->n == w->cap) {
		w->link[link].st[from].queue_drop++;
		return -ENOBUFS;
	}
	p = malloc(sizeof(*p) + seg->len);
	if (!p)
		return -ENOMEM;
	p->at = at;
	p->serial = w->serial++;
	p->link = link;
	p->to = !from;
	p->seg = *seg;
	if (seg->len)
		memcpy(p->data, data, seg->len);
	p->seg.payload = p->data;
	heap_push(w, p);
	return 0;
}

/* Serialisation on a rate-limited link, with a drop-tail byte queue. */
static int link_departure(struct memwire *w, struct memwire_link *lk, int from, __u32 bytes,
			  __u64 *dep)
{
	const struct memwire_dir_cfg *c = &lk->dir[from];
	__u64 start = lk->link_free[from] > w->now ? lk->link_free[from] : w->now;
	__u64 backlog, qmax = c->queue_bytes ? c->queue_bytes : 256 * 1024;

	*dep = w->now;
	if (!c->rate_bps)
		return 0;
	backlog = (start - w->now) * c->rate_bps / 8 / 1000000;
	if (backlog + bytes > qmax)
		return -ENOBUFS;
	lk->link_free[from] = start + (__u64)bytes * 8 * 1000000 / c->rate_bps;
	*dep = lk->link_free[from];
	return 0;
}

int memwire_link_xmit(struct memwire *w, unsigned int link, int from, const struct xmp_seg *in)
{
	struct memwire_link *lk = link_of(w, link);
	const struct memwire_dir_cfg *c;
	struct memwire_dir_stats *st;
	struct xmp_seg seg = *in;
	__u8 *data = NULL;
	__u64 at, dep;
	int err = 0;

	link = (unsigned int)(lk - w->link);
	from &= 1;
	c = &lk->dir[from];
	st = &lk->st[from];
	st->sent++;
	if (lk->down) {
		st->down_drop++;
		return 0;
	}
	if (seg.len) {
		data = malloc(seg.len);
		if (!data)
			return -ENOMEM;
		memcpy(data, in->payload, seg.len);
	}
	seg.payload = data;
	if (seg.optlen > XMP_TCP_MAX_OPTLEN)
		seg.optlen = XMP_TCP_MAX_OPTLEN;
	if (lk->mbox && lk->mbox(lk->mbox_arg, from, &seg, data) == MEMWIRE_DROP) {
		st->mbox_drop++;
		goto out;
	}
	if (seg.len > in->len)
		seg.len = in->len; /* the hook may only shrink */
	if (chance(w, c->loss_ppm)) {
		st->lost++;
		goto out;
	}
	if (link_departure(w, lk, from, 40 + seg.optlen + seg.len, &dep)) {
		st->queue_drop++;
		goto out;
	}
	at = dep + c->delay_us;
	if (chance(w, c->reorder_ppm)) {
		st->reordered++;
		at += c->reorder_us ? c->reorder_us : (c->delay_us ? c->delay_us : 1000);
	}
	err = enqueue(w, link, from, &seg, data, at);
	if (!err && chance(w, c->dup_ppm)) {
		st->duplicated++;
		err = enqueue(w, link, from, &seg, data, at + 1);
	}
out:
	free(data);
	return err;
}

int memwire_xmit(struct memwire *w, int from, const struct xmp_seg *seg)
{
	return memwire_link_xmit(w, 0, from, seg);
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
	return memwire_link_stats(w, 0, from);
}

static __u64 end_timer(const struct memwire_end *e)
{
	return e->ops && e->ops->next_timer ? e->ops->next_timer(e->arg) : XMP_TCP_NO_TIMER;
}

/* The earliest timer of every endpoint of every link. */
static __u64 next_timer(const struct memwire *w)
{
	__u64 t = XMP_TCP_NO_TIMER, tt;
	unsigned int l;
	int i;

	for (l = 0; l < w->nlinks; l++)
		for (i = 0; i < 2; i++) {
			tt = end_timer(&w->link[l].end[i]);
			if (tt < t)
				t = tt;
		}
	return t;
}

static void deliver(struct memwire *w, struct memwire_pkt *p)
{
	struct memwire_link *lk = &w->link[p->link];
	const struct memwire_end *e = &lk->end[p->to];

	if (lk->down)
		lk->st[!p->to].down_drop++; /* it was on the link when it went down */
	else {
		lk->st[!p->to].delivered++;
		if (e->ops && e->ops->rx)
			e->ops->rx(e->arg, &p->seg, w->now);
	}
	free(p);
}

static void fire_timers(struct memwire *w)
{
	const struct memwire_end *e;
	unsigned int l;
	int i;

	for (l = 0; l < w->nlinks; l++)
		for (i = 0; i < 2; i++) {
			e = &w->link[l].end[i];
			if (end_timer(e) <= w->now && e->ops->on_timer)
				e->ops->on_timer(e->arg, w->now);
		}
}

/* One step: deliver the next segment or fire the timers that are due. */
static int memwire_step(struct memwire *w, __u64 max_time)
{
	__u64 t = next_timer(w);

	if (w->n && w->heap[0]->at < t)
		t = w->heap[0]->at;
	if (t == XMP_TCP_NO_TIMER)
		return -EDEADLK;
	if (t > max_time) {
		w->now = max_time > w->now ? max_time : w->now;
		return -ETIMEDOUT;
	}
	if (t > w->now)
		w->now = t;
	if (w->n && w->heap[0]->at <= w->now)
		deliver(w, heap_pop(w));
	else
		fire_timers(w);
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

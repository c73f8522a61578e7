// SPDX-License-Identifier: GPL-2.0
/*
 * xnetem: a userspace netem for the namespace tests. This kernel has no
 * sch_netem, so path impairments come from an L2 relay running in a "router"
 * namespace between two interfaces: every frame received on one is sent,
 * unchanged, out of the other after per-direction delay, jitter, loss,
 * duplication, reordering and rate limiting. ARP, IPv4 and IPv6 all pass:
 * the endpoints share one L2 segment through the relay.
 *
 * Call chain: main -> loop: epoll (two AF_PACKET sockets, timerfd, signalfd)
 *   port_rx (recvmmsg) -> dir_input (oversize, checksum, loss, dup)
 *     -> dir_schedule (rate serialiser, delay, jitter, reorder)
 *     -> tx batch now, or the direction's release heap (ordered by time)
 *   release_due (heap tops whose time came) -> dir_tx_flush (sendmmsg)
 *   timerfd armed (absolute, CLOCK_MONOTONIC) to the earliest heap top.
 *
 * Decisions come from one seeded PRNG (splitmix64) per direction, so the
 * n-th frame of a direction meets the same fate for the same --seed whatever
 * the other direction does. Counters per direction go out as one JSON object
 * (--stats-json) when ready, on SIGUSR1 and on exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/types.h>

#include "common/csum.h"

#define BATCH		64	/* frames per recvmmsg/sendmmsg */
#define RX_ROUNDS	8	/* batches per socket per wakeup: fairness */
#define HEADROOM	4	/* room to put back a VLAN tag the kernel took off */
#define VLAN_HLEN	4
#define SOCK_BUF	(8 << 20)
#define NSEC_PER_MS	1000000ULL

/* Impairments of one direction, CLI values converted to the units used. */
enum param {
	P_DELAY,	/* ms */
	P_JITTER,	/* ms, uniform +- */
	P_LOSS,		/* percent */
	P_DUP,		/* percent */
	P_REORDER,	/* percent */
	P_GAP,		/* ms a reordered frame is held back when there is no delay */
	P_RATE,		/* Mbit/s, 0: unlimited */
	P_LIMIT,	/* frames waiting for the serialiser, tail drop beyond */
	P_NR,
};

static const struct param_info {
	const char *name;
	double lo, hi, def;
	bool pct, integer;
} params[P_NR] = {
	[P_DELAY]   = { "delay", 0, 60000, 0, false, false },
	[P_JITTER]  = { "jitter", 0, 60000, 0, false, false },
	[P_LOSS]    = { "loss", 0, 100, 0, true, false },
	[P_DUP]     = { "dup", 0, 100, 0, true, false },
	[P_REORDER] = { "reorder", 0, 100, 0, true, false },
	[P_GAP]     = { "reorder-gap", 0, 60000, 1, false, false },
	[P_RATE]    = { "rate", 0, 100000, 0, false, false },
	[P_LIMIT]   = { "limit", 1, 1000000, 1000, false, true },
};

/* Per-direction counters; one line each in the JSON, in this order. */
enum counter {
	C_RX,		/* frames received from the ingress interface */
	C_RX_BYTES,
	C_TX,		/* frames sent out of the egress interface */
	C_TX_BYTES,
	C_LOST,		/* dropped by --loss */
	C_DUPLICATED,	/* extra copies made by --dup */
	C_REORDERED,	/* frames picked by --reorder */
	C_OUT_OF_ORDER,	/* frames sent after a frame that arrived later (measured) */
	C_DELAYED,	/* frames that waited in the release queue */
	C_QUEUE_DROPS,	/* release queue (--queue) or buffer pool full */
	C_LIMIT_DROPS,	/* serialiser backlog over --limit (tail drop) */
	C_OVERSIZE,	/* longer than the egress MTU allows: GRO/GSO setup error */
	C_CSUM_NOT_READY, /* CHECKSUM_PARTIAL frames: tx offload left on */
	C_CSUM_FIXED,	/* of those, TCP/UDP checksums we completed */
	C_TX_ERRORS,	/* sendmmsg refused the frame (link down, no buffer) */
	C_RX_SOCK_DROPS, /* kernel dropped before we read: socket buffer full */
	C_RX_ERRORS,	/* receive errors (link down) */
	C_NR,
};

static const char *const counter_names[C_NR] = {
	"rx", "rx_bytes", "tx", "tx_bytes", "lost", "duplicated", "reordered",
	"out_of_order", "delayed", "queue_drops", "limit_drops", "oversize",
	"csum_not_ready", "csum_fixed", "tx_errors", "rx_sock_drops", "rx_errors",
};

struct pkt {
	__u64 t;	/* release time, ns of CLOCK_MONOTONIC */
	__u64 order;	/* insertion number: FIFO among equal times */
	__u64 seq;	/* arrival number in its direction; copies share it */
	__u32 len;
	__u16 off;	/* frame starts at data + off */
	__u8 data[];
};

/* Lazily grown buffer pool: memory follows what is actually held. */
struct pool {
	struct pkt **free;
	unsigned int nfree, allocated, cap;
	size_t bufsz;
};

/* Binary min-heap on (t, order): the release queue of one direction. */
struct heap {
	struct pkt **v;
	unsigned int n, cap;
};

struct port {
	const char *name;
	int ifindex, fd;
	unsigned int mtu;
};

struct dir {
	const char *name;		/* "ab" or "ba" */
	struct port *in, *out;
	double p[P_NR];
	__u64 delay_ns, jitter_ns, gap_ns, rate_bps;
	__u64 rng;
	struct heap q;
	__u64 *ser;			/* ring of serialisation end times */
	unsigned int ser_head, ser_cnt, ser_cap;
	__u64 busy_until;		/* serialiser busy until then */
	__u64 seq_next, seq_max_tx, order_next;
	bool sent_any;
	unsigned int held_max;
	__u64 c[C_NR];
	bool warned_oversize, warned_csum;
	/* tx batch */
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct pkt *txp[BATCH];
	unsigned int ntx;
};

struct cfg {
	const char *if_a, *if_b, *stats_path;
	__u64 seed;
	unsigned int queue_max;
	int rt_prio;
	double p[2][P_NR];
};

static struct pool pool;
static struct port ports[2];
static struct dir dirs[2];
static struct cfg cfg;
static __u64 dumps, start_ns;

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* --- PRNG: splitmix64, one stream per direction ------------------------- */

static __u64 rng_next(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* True with probability pct/100; draws nothing when pct is 0 so that an
 * unused impairment does not shift the stream of the others. */
static bool rng_chance(__u64 *s, double pct)
{
	if (pct <= 0)
		return false;
	return (rng_next(s) >> 11) * 0x1p-53 * 100.0 < pct;
}

/* --- pool and heap ------------------------------------------------------- */

static struct pkt *pool_get(void)
{
	struct pkt *p;

	if (pool.nfree)
		return pool.free[--pool.nfree];
	if (pool.allocated >= pool.cap)
		return NULL;
	p = malloc(sizeof(*p) + pool.bufsz);
	if (p)
		pool.allocated++;
	return p;
}

static void pool_put(struct pkt *p)
{
	pool.free[pool.nfree++] = p;
}

static bool pkt_before(const struct pkt *a, const struct pkt *b)
{
	return a->t < b->t || (a->t == b->t && a->order < b->order);
}

static void heap_push(struct heap *h, struct pkt *p)
{
	unsigned int i = h->n++, up;

	while (i) {
		up = (i - 1) / 2;
		if (!pkt_before(p, h->v[up]))
			break;
		h->v[i] = h->v[up];
		i = up;
	}
	h->v[i] = p;
}

static struct pkt *heap_pop(struct heap *h)
{
	struct pkt *top = h->v[0], *last = h->v[--h->n];
	unsigned int i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && pkt_before(h->v[c + 1], h->v[c]))
			c++;
		if (!pkt_before(h->v[c], last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* --- transmit ------------------------------------------------------------ */

static void dir_tx_flush(struct dir *d)
{
	unsigned int i = 0;
	int n;

	while (i < d->ntx) {
		n = sendmmsg(d->out->fd, d->msg + i, d->ntx - i, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The first frame failed (link down, ENOBUFS): it is
			 * lost, as on a real link; go on with the rest. */
			d->c[C_TX_ERRORS]++;
			i++;
			continue;
		}
		for (int k = 0; k < n; k++) {
			d->c[C_TX]++;
			d->c[C_TX_BYTES] += d->iov[i + k].iov_len;
		}
		i += n;
	}
	for (i = 0; i < d->ntx; i++)
		pool_put(d->txp[i]);
	d->ntx = 0;
}

static void dir_tx_add(struct dir *d, struct pkt *p)
{
	unsigned int i = d->ntx;

	if (d->sent_any && p->seq < d->seq_max_tx)
		d->c[C_OUT_OF_ORDER]++;
	else
		d->seq_max_tx = p->seq;
	d->sent_any = true;
	d->txp[i] = p;
	d->iov[i].iov_base = p->data + p->off;
	d->iov[i].iov_len = p->len;
	memset(&d->msg[i], 0, sizeof(d->msg[i]));
	d->msg[i].msg_hdr.msg_iov = &d->iov[i];
	d->msg[i].msg_hdr.msg_iovlen = 1;
	if (++d->ntx == BATCH)
		dir_tx_flush(d);
}

/* --- impairments ------------------------------------------------------- */

/* Frames still being serialised or waiting for it: the --limit backlog. */
static unsigned int ser_backlog(struct dir *d, __u64 now)
{
	while (d->ser_cnt && d->ser[d->ser_head] <= now) {
		d->ser_head = (d->ser_head + 1) % d->ser_cap;
		d->ser_cnt--;
	}
	return d->ser_cnt;
}

/*
 * Release time of one copy: serialisation at --rate behind the frames
 * before it (a FIFO bottleneck), then the propagation delay with jitter.
 * A frame picked by --reorder skips the delay when there is one (netem's
 * meaning: it overtakes the frames still held) or, with no delay, is held
 * back --reorder-gap so that the frames after it overtake it.
 */
static void dir_schedule(struct dir *d, struct pkt *p, __u64 now)
{
	__u64 t = now, prop = d->delay_ns;

	if (d->rate_bps) {
		if (ser_backlog(d, now) >= d->ser_cap) {
			d->c[C_LIMIT_DROPS]++;
			pool_put(p);
			return;
		}
		t = d->busy_until > now ? d->busy_until : now;
		t += (__u64)p->len * 8000000000ULL / d->rate_bps;
		d->busy_until = t;
		d->ser[(d->ser_head + d->ser_cnt++) % d->ser_cap] = t;
	}
	if (d->jitter_ns) {
		__s64 j = (__s64)(rng_next(&d->rng) % (2 * d->jitter_ns + 1)) -
			  (__s64)d->jitter_ns;

		prop = (__s64)prop + j > 0 ? (__u64)((__s64)prop + j) : 0;
	}
	if (rng_chance(&d->rng, d->p[P_REORDER])) {
		d->c[C_REORDERED]++;
		prop = d->delay_ns ? 0 : prop + d->gap_ns;
	}
	t += prop;
	if (t <= now) {
		dir_tx_add(d, p);
		return;
	}
	if (d->q.n >= d->q.cap) {
		d->c[C_QUEUE_DROPS]++;
		pool_put(p);
		return;
	}
	p->t = t;
	p->order = d->order_next++;
	heap_push(&d->q, p);
	d->c[C_DELAYED]++;
	if (d->q.n > d->held_max)
		d->held_max = d->q.n;
}

/*
 * Completes the TCP or UDP checksum of a CHECKSUM_PARTIAL frame (IPv4 or
 * IPv6 without extension headers, not fragmented): the sender's kernel left
 * only the pseudo-header sum there, expecting hardware to finish it.
 */
static bool frame_fix_csum(__u8 *f, __u32 len)
{
	__u32 off = ETH_HLEN, l4len, sum;
	__u16 proto, csum_off;
	__u8 l4;
	__u8 *l4p;

	if (len < ETH_HLEN)
		return false;
	proto = f[12] << 8 | f[13];
	if ((proto == ETH_P_8021Q || proto == ETH_P_8021AD) && len >= ETH_HLEN + VLAN_HLEN) {
		proto = f[16] << 8 | f[17];
		off += VLAN_HLEN;
	}
	if (proto == ETH_P_IP) {
		__u32 ihl, tot;

		if (len < off + 20 || (f[off] >> 4) != 4)
			return false;
		ihl = (f[off] & 0xf) * 4;
		tot = f[off + 2] << 8 | f[off + 3];
		if (ihl < 20 || tot < ihl || off + tot > len || (f[off + 6] & 0x3f) || f[off + 7])
			return false;
		l4 = f[off + 9];
		l4len = tot - ihl;
		sum = xmp_sum_add(0, f + off + 12, 8);
		l4p = f + off + ihl;
	} else if (proto == ETH_P_IPV6) {
		if (len < off + 40 || (f[off] >> 4) != 6)
			return false;
		l4 = f[off + 6];
		l4len = f[off + 4] << 8 | f[off + 5];
		if (off + 40 + l4len > len)
			return false;
		sum = xmp_sum_add(0, f + off + 8, 32);
		l4p = f + off + 40;
	} else {
		return false;
	}
	if (l4 == IPPROTO_TCP && l4len >= 20)
		csum_off = 16;
	else if (l4 == IPPROTO_UDP && l4len >= 8)
		csum_off = 6;
	else
		return false;
	sum += l4 + l4len;	/* pseudo-header: protocol and L4 length */
	l4p[csum_off] = 0;
	l4p[csum_off + 1] = 0;
	sum = xmp_sum_finish(xmp_sum_add(sum, l4p, l4len));
	if (l4 == IPPROTO_UDP && sum == 0)
		sum = 0xffff;	/* RFC 768: 0 means "no checksum" */
	l4p[csum_off] = sum >> 8;
	l4p[csum_off + 1] = sum & 0xff;
	return true;
}

/* A frame longer than the egress MTU allows: a GRO/GSO super-frame the
 * other end would drop anyway. Counted, dropped, reported once. */
static void dir_oversize(struct dir *d, struct pkt *p)
{
	d->c[C_OVERSIZE]++;
	if (!d->warned_oversize) {
		fprintf(stderr, "xnetem: %s: dropping %u-byte frame over the MTU of %s (%u): "
			"turn GRO/GSO/TSO off (ethtool -K IF gro off gso off tso off)\n",
			d->name, p->len, d->out->name, d->out->mtu);
		d->warned_oversize = true;
	}
	pool_put(p);
}

/* One received frame: setup checks, then loss and duplication. */
static void dir_input(struct dir *d, struct pkt *p, const struct tpacket_auxdata *aux,
		      __u64 now)
{
	__u8 *f = p->data + p->off;
	unsigned int max = d->out->mtu + ETH_HLEN;
	struct pkt *copy;

	d->c[C_RX]++;
	d->c[C_RX_BYTES] += p->len;
	p->seq = d->seq_next++;
	/* p->len may exceed the buffer (MSG_TRUNC): nothing past the Ethernet
	 * header is read before the length check */
	if (p->len >= ETH_HLEN) {
		__u16 proto = f[12] << 8 | f[13];

		if (proto == ETH_P_8021Q || proto == ETH_P_8021AD)
			max += VLAN_HLEN;
	}
	if (p->len > max) {
		dir_oversize(d, p);
		return;
	}
	if (aux && (aux->tp_status & TP_STATUS_CSUMNOTREADY)) {
		d->c[C_CSUM_NOT_READY]++;
		if (frame_fix_csum(f, p->len))
			d->c[C_CSUM_FIXED]++;
		if (!d->warned_csum) {
			fprintf(stderr, "xnetem: %s: frame with an unfinished checksum from %s: "
				"turn tx checksumming off on its peer (ethtool -K IF tx off)\n",
				d->name, d->in->name);
			d->warned_csum = true;
		}
	}
	if (rng_chance(&d->rng, d->p[P_LOSS])) {
		d->c[C_LOST]++;
		pool_put(p);
		return;
	}
	if (rng_chance(&d->rng, d->p[P_DUP])) {
		copy = pool_get();
		if (!copy) {
			d->c[C_QUEUE_DROPS]++;
		} else {
			d->c[C_DUPLICATED]++;
			copy->seq = p->seq;
			copy->off = p->off;
			copy->len = p->len;
			memcpy(copy->data + copy->off, f, p->len);
			dir_schedule(d, copy, now);
		}
	}
	dir_schedule(d, p, now);
}

/* The kernel moved a VLAN tag into metadata (auxdata); put it back so the
 * frame leaves exactly as it came. */
static void pkt_restore_vlan(struct pkt *p, const struct tpacket_auxdata *aux)
{
	__u16 tpid = aux->tp_vlan_tpid ? aux->tp_vlan_tpid : ETH_P_8021Q;
	__u8 *f;

	if (p->len < 2 * ETH_ALEN || p->off < VLAN_HLEN)
		return;
	p->off -= VLAN_HLEN;
	f = p->data + p->off;
	memmove(f, f + VLAN_HLEN, 2 * ETH_ALEN);
	f[12] = tpid >> 8;
	f[13] = tpid & 0xff;
	f[14] = aux->tp_vlan_tci >> 8;
	f[15] = aux->tp_vlan_tci & 0xff;
	p->len += VLAN_HLEN;
}

/* --- receive ------------------------------------------------------------- */

/* Frames the socket could not keep (its buffer was full): kernel counts,
 * reset on each read. */
static void port_sock_drops(struct dir *d)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (!getsockopt(d->in->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		d->c[C_RX_SOCK_DROPS] += st.tp_drops;
}

/* One recvmmsg worth of receive state; pool buffers, or scratch to drain. */
static struct rx_batch {
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll[BATCH];
	char cbuf[BATCH][CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct pkt *p[BATCH];
	unsigned int nbuf;
} rxb;

/* Takes up to BATCH buffers; returns how many frames to ask for. With no
 * buffer left it still reads one frame into scratch, to be dropped and
 * counted, so a full queue cannot wedge the socket. */
static unsigned int rx_prepare(struct rx_batch *b)
{
	static __u8 scratch[65536];
	unsigned int i;

	for (b->nbuf = 0; b->nbuf < BATCH; b->nbuf++) {
		b->p[b->nbuf] = pool_get();
		if (!b->p[b->nbuf])
			break;
	}
	for (i = 0; i < BATCH; i++) {
		struct msghdr *mh = &b->msg[i].msg_hdr;

		memset(&b->msg[i], 0, sizeof(b->msg[i]));
		b->iov[i].iov_base = i < b->nbuf ? b->p[i]->data + HEADROOM : scratch;
		b->iov[i].iov_len = i < b->nbuf ? pool.bufsz - HEADROOM : sizeof(scratch);
		mh->msg_iov = &b->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_name = &b->sll[i];
		mh->msg_namelen = sizeof(b->sll[i]);
		mh->msg_control = b->cbuf[i];
		mh->msg_controllen = sizeof(b->cbuf[i]);
	}
	return b->nbuf ? b->nbuf : 1;
}

static struct tpacket_auxdata *rx_auxdata(struct msghdr *mh)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA)
			return (struct tpacket_auxdata *)CMSG_DATA(cm);
	return NULL;
}

/* Frame i of the batch just received: to dir_input, or dropped. */
static void rx_frame(struct dir *d, struct rx_batch *b, unsigned int i, __u64 now)
{
	struct tpacket_auxdata *aux;
	struct pkt *p = b->p[i];

	if (b->sll[i].sll_pkttype == PACKET_OUTGOING) {
		if (b->nbuf)
			pool_put(p);
		return;
	}
	if (!b->nbuf) {
		d->c[C_RX]++;
		d->c[C_QUEUE_DROPS]++;
		return;
	}
	aux = rx_auxdata(&b->msg[i].msg_hdr);
	p->off = HEADROOM;
	p->len = b->msg[i].msg_len;
	/* MSG_TRUNC gave the real length of a frame longer than any MTU */
	if (p->len <= pool.bufsz - HEADROOM && aux && (aux->tp_status & TP_STATUS_VLAN_VALID))
		pkt_restore_vlan(p, aux);
	dir_input(d, p, aux, now);
}

/* Drains up to RX_ROUNDS batches from the socket of d's ingress port. */
static void port_rx(struct dir *d)
{
	unsigned int want, i;
	int n, round;
	__u64 now;

	for (round = 0; round < RX_ROUNDS; round++) {
		want = rx_prepare(&rxb);
		n = recvmmsg(d->in->fd, rxb.msg, want, MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			d->c[C_RX_ERRORS]++;	/* ENETDOWN on link flaps */
		n = n > 0 ? n : 0;
		now = now_ns();
		for (i = 0; i < (unsigned int)n; i++)
			rx_frame(d, &rxb, i, now);
		for (i = n; i < rxb.nbuf; i++)
			pool_put(rxb.p[i]);
		if ((unsigned int)n < want)
			break;
	}
	dir_tx_flush(d);
}

/* --- release queue and timer -------------------------------------------- */

static void release_due(__u64 now)
{
	for (int i = 0; i < 2; i++) {
		struct dir *d = &dirs[i];

		while (d->q.n && d->q.v[0]->t <= now)
			dir_tx_add(d, heap_pop(&d->q));
		dir_tx_flush(d);
	}
}

/* Arms the timerfd at the earliest release time (absolute), or disarms it;
 * a syscall only when that time changes. */
static void timer_rearm(int tfd)
{
	static __u64 armed;
	struct itimerspec its = { 0 };
	__u64 t = 0;

	for (int i = 0; i < 2; i++)
		if (dirs[i].q.n && (!t || dirs[i].q.v[0]->t < t))
			t = dirs[i].q.v[0]->t;
	if (t == armed)
		return;
	armed = t;
	its.it_value.tv_sec = t / 1000000000ULL;
	its.it_value.tv_nsec = t % 1000000000ULL;
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* --- stats ----------------------------------------------------------------- */

static void stats_print(FILE *f)
{
	struct rusage ru;

	fprintf(f, "{\"a\": \"%s\", \"b\": \"%s\", \"seed\": %llu, \"dumps\": %llu, "
		"\"uptime_s\": %.3f",
		cfg.if_a, cfg.if_b, (unsigned long long)cfg.seed, (unsigned long long)dumps,
		(now_ns() - start_ns) / 1e9);
	/* CPU used so far: how close the relay is to its limit */
	if (!getrusage(RUSAGE_SELF, &ru))
		fprintf(f, ", \"cpu_user_s\": %.3f, \"cpu_sys_s\": %.3f",
			ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
			ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	for (int i = 0; i < 2; i++) {
		struct dir *d = &dirs[i];

		port_sock_drops(d);
		fprintf(f, ", \"%s\": {\"params\": {", d->name);
		for (int k = 0; k < P_NR; k++)
			fprintf(f, "%s\"%s\": %g", k ? ", " : "", params[k].name, d->p[k]);
		fprintf(f, "}");
		for (int k = 0; k < C_NR; k++)
			fprintf(f, ", \"%s\": %llu", counter_names[k], (unsigned long long)d->c[k]);
		fprintf(f, ", \"held\": %u, \"held_max\": %u}", d->q.n, d->held_max);
	}
	fprintf(f, "}\n");
}

/* Writes the stats JSON; a file is replaced atomically (rename) so that a
 * reader never sees half of it. */
static void stats_write(void)
{
	char tmp[4096];
	FILE *f;

	if (!cfg.stats_path)
		return;
	dumps++;
	if (!strcmp(cfg.stats_path, "-")) {
		stats_print(stdout);
		fflush(stdout);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", cfg.stats_path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "xnetem: cannot write %s: %s\n", tmp, strerror(errno));
		return;
	}
	stats_print(f);
	if (fclose(f) || rename(tmp, cfg.stats_path)) {
		fprintf(stderr, "xnetem: cannot write %s: %s\n", cfg.stats_path, strerror(errno));
		unlink(tmp);
	}
}

/* --- setup ------------------------------------------------------------------ */

/*
 * A packet socket bound to one interface. It is created with protocol 0 and
 * bound with ETH_P_ALL, so it never sees frames of other interfaces in the
 * window before bind(). Our own transmissions are not looped back to it.
 */
static int port_open(struct port *pt)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };
	int one = 1, buf = SOCK_BUF, err;
	struct ifreq ifr = { 0 };

	pt->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (pt->fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", pt->name);
	if (ioctl(pt->fd, SIOCGIFMTU, &ifr))
		goto err;
	pt->mtu = ifr.ifr_mtu;
	sll.sll_ifindex = mr.mr_ifindex = pt->ifindex;
	/* FORCE needs CAP_NET_ADMIN, which we have; plain sizes as fallback */
	if (setsockopt(pt->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(pt->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(pt->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(pt->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	/* sll_pkttype == PACKET_OUTGOING is checked too, for older kernels */
	setsockopt(pt->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* straight to the driver: the relay is the queue (veths have none) */
	setsockopt(pt->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (setsockopt(pt->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    setsockopt(pt->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) ||
	    bind(pt->fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto err;
	return 0;
err:
	err = -errno;
	close(pt->fd);
	pt->fd = -1;
	return err;
}

static int dir_init(struct dir *d, const char *name, struct port *in, struct port *out,
		    const double *p, __u64 seed, unsigned int queue_max)
{
	d->name = name;
	d->in = in;
	d->out = out;
	memcpy(d->p, p, sizeof(d->p));
	d->delay_ns = llround(p[P_DELAY] * NSEC_PER_MS);
	d->jitter_ns = llround(p[P_JITTER] * NSEC_PER_MS);
	d->gap_ns = llround(p[P_GAP] * NSEC_PER_MS);
	d->rate_bps = llround(p[P_RATE] * 1e6);
	if (p[P_RATE] > 0 && !d->rate_bps)
		d->rate_bps = 1;	/* a tiny rate is still a rate, not "unlimited" */
	/* distinct, seed-determined streams for the two directions */
	d->rng = seed ^ (name[0] == 'a' ? 0x61622d6469720000ULL : 0x62612d6469720000ULL);
	rng_next(&d->rng);
	d->q.cap = queue_max;
	d->q.v = calloc(queue_max, sizeof(*d->q.v));
	d->ser_cap = (unsigned int)p[P_LIMIT];
	d->ser = calloc(d->ser_cap, sizeof(*d->ser));
	if (!d->q.v || !d->ser)
		return -ENOMEM;
	return 0;
}

static void release_all(void)
{
	for (int i = 0; i < 2; i++) {
		while (dirs[i].q.n)
			free(heap_pop(&dirs[i].q));
		free(dirs[i].q.v);
		free(dirs[i].ser);
		if (ports[i].fd >= 0)
			close(ports[i].fd);
	}
	while (pool.nfree)
		free(pool.free[--pool.nfree]);
	free(pool.free);
}

/* --- CLI ------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: xnetem --a IFACE_A --b IFACE_B [impairments] [--seed N] [--stats-json FILE]\n"
"\n"
"Userspace netem: an L2 relay between two interfaces of this namespace. Every\n"
"frame received on one is sent unchanged out of the other (ARP, IPv4, IPv6,\n"
"VLAN tags), after the impairments of its direction: a->b for frames from\n"
"IFACE_A, b->a for frames from IFACE_B.\n"
"\n"
"Impairments: --X V sets both directions, --ab-X V only a->b, --ba-X V only\n"
"b->a (the direction-specific form wins, whatever the order). Fractions allowed.\n"
"  --delay MS         one-way delay (default 0)\n"
"  --jitter MS        uniform +-MS added to each frame's delay; frames may\n"
"                     overtake each other (as netem without rate)\n"
"  --loss PCT         drop this share of frames (0..100, '0.5' or '0.5%%')\n"
"  --dup PCT          send a second copy of this share of frames; the copy gets\n"
"                     its own jitter and reorder draw\n"
"  --reorder PCT      this share of frames is sent out of order: with a delay\n"
"                     it skips the delay (and jitter) and overtakes the frames\n"
"                     still held; with no delay it is held back --reorder-gap\n"
"                     so that the frames after it overtake it\n"
"  --reorder-gap MS   hold-back of a reordered frame when delay is 0 (default 1)\n"
"  --rate MBIT        serialise at this rate in Mbit/s, Ethernet header included\n"
"                     (FIFO bottleneck before the delay); 0: unlimited (default)\n"
"  --limit PKTS       frames allowed to wait for the serialiser, tail drop\n"
"                     beyond, like tbf/netem's limit (default 1000; with --rate)\n"
"Other options:\n"
"  --queue PKTS       release-queue capacity per direction: frames held for\n"
"                     delay beyond it are dropped and counted (default 65536)\n"
"  --rt PRIO          run SCHED_FIFO at PRIO (1..99): release times stay\n"
"                     accurate on a loaded host (the kernel's netem runs in\n"
"                     softirq, above every task)\n"
"  --seed N           PRNG seed (default 1): one splitmix64 stream per direction,\n"
"                     the n-th frame of a direction meets the same fate per seed\n"
"  --stats-json FILE  write the counters as one JSON object to FILE ('-':\n"
"                     stdout) when ready (file only), on SIGUSR1 and on exit\n"
"  -h, --help         this help\n"
"\n"
"Counters per direction (ab, ba): rx, tx, lost, duplicated, reordered,\n"
"out_of_order (measured: sent after a frame that arrived later), delayed,\n"
"queue_drops, limit_drops, oversize (frame over the egress MTU: GRO/GSO left on),\n"
"csum_not_ready (CHECKSUM_PARTIAL: tx checksum offload left on; TCP/UDP ones are\n"
"completed, csum_fixed), tx_errors, rx_sock_drops, rx_errors, held, held_max.\n"
"SIGTERM/SIGINT/SIGHUP: write stats and exit 0 (held frames are not flushed).\n"
"Interfaces need GRO/GSO/TSO and tx checksumming off on both veth ends. MTUs\n"
"are read at start: restart the relay after changing one.\n"
"Exit: 0 clean, 1 runtime error, 2 bad arguments.\n");
}

#define OPT_PARAM 0x100	/* + param * 3 + scope (0 both, 1 ab, 2 ba) */
enum { OPT_A = 0x200, OPT_B, OPT_SEED, OPT_STATS, OPT_QUEUE, OPT_RT };

#define DIR_OPTS(s, id)                                                        \
	{ s, required_argument, NULL, OPT_PARAM + (id) * 3 },                  \
	{ "ab-" s, required_argument, NULL, OPT_PARAM + (id) * 3 + 1 },        \
	{ "ba-" s, required_argument, NULL, OPT_PARAM + (id) * 3 + 2 }

static const struct option long_opts[] = {
	{ "a", required_argument, NULL, OPT_A },
	{ "b", required_argument, NULL, OPT_B },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "stats-json", required_argument, NULL, OPT_STATS },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "rt", required_argument, NULL, OPT_RT },
	{ "help", no_argument, NULL, 'h' },
	DIR_OPTS("delay", P_DELAY),
	DIR_OPTS("jitter", P_JITTER),
	DIR_OPTS("loss", P_LOSS),
	DIR_OPTS("dup", P_DUP),
	DIR_OPTS("reorder", P_REORDER),
	DIR_OPTS("reorder-gap", P_GAP),
	DIR_OPTS("rate", P_RATE),
	DIR_OPTS("limit", P_LIMIT),
	{ NULL, 0, NULL, 0 },
};

static int bad_arg(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "xnetem: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, " (try --help)\n");
	return -EINVAL;
}

static int parse_param(int id, int scope, const char *s, double *out)
{
	static const char *const prefix[3] = { "", "ab-", "ba-" };
	const struct param_info *pi = &params[id];
	char range[64], *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (pi->pct && end != s && *end == '%')
		end++;
	snprintf(range, sizeof(range), "%.10g..%.10g", pi->lo, pi->hi);
	if (errno || end == s || *end || !isfinite(v) || v < pi->lo || v > pi->hi ||
	    (pi->integer && v != floor(v))) {
		fprintf(stderr, "xnetem: --%s%s: expected %s in %s, got '%s' (try --help)\n",
			prefix[scope], pi->name, pi->integer ? "an integer" : "a number", range, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_uint(const char *opt, const char *s, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v > max) {
		fprintf(stderr, "xnetem: %s: expected an integer in 0..%llu, got '%s' (try --help)\n",
			opt, (unsigned long long)max, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	bool set[2][P_NR] = { { false } };
	double both[P_NR];
	__u64 v;
	int c, id, scope;

	cfg.seed = 1;
	cfg.queue_max = 65536;
	for (id = 0; id < P_NR; id++)
		both[id] = params[id].def;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_A:
			cfg.if_a = optarg;
			break;
		case OPT_B:
			cfg.if_b = optarg;
			break;
		case OPT_SEED:
			if (parse_uint("--seed", optarg, UINT64_MAX, &cfg.seed))
				return -EINVAL;
			break;
		case OPT_STATS:
			cfg.stats_path = optarg;
			break;
		case OPT_QUEUE:
			if (parse_uint("--queue", optarg, 1 << 20, &v))
				return -EINVAL;
			if (!v)
				return bad_arg("%s: must be at least 1%s", "--queue", "");
			cfg.queue_max = v;
			break;
		case OPT_RT:
			if (parse_uint("--rt", optarg, 99, &v))
				return -EINVAL;
			if (!v)
				return bad_arg("%s: priority 1..99%s", "--rt", "");
			cfg.rt_prio = v;
			break;
		case ':':
			return bad_arg("option '%s' needs a value%s", argv[optind - 1], "");
		case '?':
			return bad_arg("unknown option '%s'%s", argv[optind - 1], "");
		default:
			id = (c - OPT_PARAM) / 3;
			scope = (c - OPT_PARAM) % 3;
			if (scope == 0) {
				if (parse_param(id, 0, optarg, &both[id]))
					return -EINVAL;
			} else {
				if (parse_param(id, scope, optarg, &cfg.p[scope - 1][id]))
					return -EINVAL;
				set[scope - 1][id] = true;
			}
		}
	}
	if (optind < argc)
		return bad_arg("unexpected argument '%s'%s", argv[optind], "");
	if (!cfg.if_a || !cfg.if_b)
		return bad_arg("%s%s", "--a IFACE and --b IFACE are required", "");
	if (!strcmp(cfg.if_a, cfg.if_b))
		return bad_arg("--a and --b are the same interface '%s'%s", cfg.if_a, "");
	for (int dd = 0; dd < 2; dd++)
		for (id = 0; id < P_NR; id++)
			if (!set[dd][id])
				cfg.p[dd][id] = both[id];
	return 0;
}

/* --- main loop ----------------------------------------------------------- */

static int setup_fds(int *ep, int *tfd, int *sfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t ss;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGUSR1);
	sigaddset(&ss, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &ss, NULL))
		return -errno;
	*sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	*tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	*ep = epoll_create1(EPOLL_CLOEXEC);
	if (*sfd < 0 || *tfd < 0 || *ep < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		ev.data.u32 = i;
		if (epoll_ctl(*ep, EPOLL_CTL_ADD, ports[i].fd, &ev))
			return -errno;
	}
	ev.data.u32 = 2;
	if (epoll_ctl(*ep, EPOLL_CTL_ADD, *tfd, &ev))
		return -errno;
	ev.data.u32 = 3;
	if (epoll_ctl(*ep, EPOLL_CTL_ADD, *sfd, &ev))
		return -errno;
	return 0;
}

/* Returns 0 on SIGTERM/SIGINT/SIGHUP, -errno on failure. */
static int run(int ep, int tfd, int sfd)
{
	struct epoll_event evs[4];
	struct signalfd_siginfo si;
	__u64 ticks;
	int n;

	for (;;) {
		release_due(now_ns());
		timer_rearm(tfd);
		n = epoll_wait(ep, evs, 4, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case 0:
			case 1:
				/* port i feeds the direction leaving through the other */
				port_rx(&dirs[evs[i].data.u32]);
				break;
			case 2:
				if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					return -errno;
				break;
			case 3:
				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo != SIGUSR1)
						return 0;
					stats_write();
				}
				break;
			}
		}
	}
}

int main(int argc, char **argv)
{
	int ep = -1, tfd = -1, sfd = -1, err;
	unsigned int mtu;

	ports[0].fd = ports[1].fd = -1;
	/* a closed stdout (--stats-json -) must not kill the relay */
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv))
		return 2;
	ports[0].name = cfg.if_a;
	ports[1].name = cfg.if_b;
	for (int i = 0; i < 2; i++) {
		ports[i].ifindex = if_nametoindex(ports[i].name);
		if (!ports[i].ifindex) {
			fprintf(stderr, "xnetem: no interface '%s' in this network namespace "
				"(run it in the router namespace: ip netns exec NS xnetem ...)\n",
				ports[i].name);
			return 2;
		}
	}
	for (int i = 0; i < 2; i++) {
		err = port_open(&ports[i]);
		if (err) {
			fprintf(stderr, "xnetem: packet socket on %s: %s%s\n", ports[i].name,
				strerror(-err), err == -EPERM ? " (needs CAP_NET_RAW: run as root)" : "");
			goto out;
		}
	}
	mtu = ports[0].mtu > ports[1].mtu ? ports[0].mtu : ports[1].mtu;
	pool.bufsz = HEADROOM + mtu + ETH_HLEN + VLAN_HLEN;
	pool.cap = 2 * cfg.queue_max + 4 * BATCH + 2;
	pool.free = calloc(pool.cap, sizeof(*pool.free));
	err = pool.free ? 0 : -ENOMEM;
	if (!err)
		err = dir_init(&dirs[0], "ab", &ports[0], &ports[1], cfg.p[0], cfg.seed, cfg.queue_max);
	if (!err)
		err = dir_init(&dirs[1], "ba", &ports[1], &ports[0], cfg.p[1], cfg.seed, cfg.queue_max);
	if (!err)
		err = setup_fds(&ep, &tfd, &sfd);
	if (err) {
		fprintf(stderr, "xnetem: setup: %s\n", strerror(-err));
		goto out;
	}
	if (cfg.rt_prio) {
		struct sched_param sp = { .sched_priority = cfg.rt_prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			err = -errno;
			fprintf(stderr, "xnetem: --rt %d: %s\n", cfg.rt_prio, strerror(errno));
			goto out;
		}
	}
	start_ns = now_ns();
	/* the stats file appearing tells scripts the relay is forwarding */
	if (cfg.stats_path && strcmp(cfg.stats_path, "-"))
		stats_write();
	err = run(ep, tfd, sfd);
	if (err)
		fprintf(stderr, "xnetem: event loop: %s\n", strerror(-err));
	stats_write();
out:
	if (ep >= 0)
		close(ep);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	release_all();
	return err ? 1 : 0;
}

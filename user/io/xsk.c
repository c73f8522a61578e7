// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP socket and UMEM of one queue (see xsk.h). The controller's event
 * loop calls xmp_xsk_rx() when the fd is readable, parses with pkt.c, and
 * sends engine output with xmp_xsk_tx_alloc()/queue()/flush() in batches:
 * one sendto() kick per batch, and only when the kernel set need_wakeup.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <xdp/xsk.h>

#include "common/log.h"
#include "io/owned.h"
#include "io/pkt.h"
#include "io/xsk.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

struct xmp_xsk {
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_ring_prod tx;
	struct xsk_ring_cons rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	__u8 *area;
	size_t area_len;
	__u32 frame_size;
	__u32 frame_count;
	__u32 queue;
	int ifindex;
	/* TX pool: a stack of free UMEM addresses (second half of the UMEM) */
	__u64 *tx_pool;
	__u32 tx_free;
	__u32 tx_pending;	/* reserved in the TX ring, not yet submitted */
	__u32 tx_outstanding;	/* submitted, completion not yet seen */
	/* RX frames that found the fill ring full (should not happen: the fill
	 * ring is as large as the RX half of the UMEM) */
	__u64 *fill_stash;
	__u32 fill_stashed;
	struct xmp_xsk_stats st;
};

static const struct xmp_xsk_cfg xsk_defaults = {
	.frame_count = 4096,
	.frame_size = XSK_UMEM__DEFAULT_FRAME_SIZE,
	.ring_size = 2048,
};

static bool is_pow2(__u32 v)
{
	return v && !(v & (v - 1));
}

int xmp_xsk_fd(const struct xmp_xsk *x)
{
	return xsk_socket__fd(x->xsk);
}

const struct xmp_xsk_stats *xmp_xsk_stats(const struct xmp_xsk *x)
{
	return &x->st;
}

__u32 xmp_xsk_tx_inflight(const struct xmp_xsk *x)
{
	return x->tx_pending + x->tx_outstanding;
}

bool xmp_xsk_zerocopy(const struct xmp_xsk *x)
{
	struct xdp_options opts = {};
	socklen_t len = sizeof(opts);

	if (getsockopt(xmp_xsk_fd(x), SOL_XDP, XDP_OPTIONS, &opts, &len))
		return false;
	return opts.flags & XDP_OPTIONS_ZEROCOPY;
}

/* Puts RX frames (chunk base addresses) in the fill ring, stashing the rest. */
static void fill_put(struct xmp_xsk *x, const __u64 *addrs, __u32 n)
{
	__u32 idx, got, i;

	got = xsk_ring_prod__reserve(&x->fq, n, &idx);
	for (i = 0; i < got; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = addrs[i];
	if (got)
		xsk_ring_prod__submit(&x->fq, got);
	for (; i < n && x->fill_stashed < x->frame_count / 2; i++) {
		x->fill_stash[x->fill_stashed++] = addrs[i];
		x->st.fill_short++;
	}
}

static void fill_unstash(struct xmp_xsk *x)
{
	__u32 n = x->fill_stashed;

	if (!n)
		return;
	x->fill_stashed = 0;
	fill_put(x, x->fill_stash, n);
}

static int umem_setup(struct xmp_xsk *x, const struct xmp_xsk_cfg *c)
{
	struct xsk_umem_config ucfg = {
		.fill_size = c->ring_size,
		.comp_size = c->ring_size,
		.frame_size = c->frame_size,
		.frame_headroom = 0,
	};
	__u32 i, half = c->frame_count / 2;
	int err;

	x->area_len = (size_t)c->frame_count * c->frame_size;
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&x->umem, x->area, x->area_len, &x->fq, &x->cq, &ucfg);
	if (err)
		return err;
	x->tx_pool = calloc(half, sizeof(*x->tx_pool));
	x->fill_stash = calloc(half, sizeof(*x->fill_stash));
	if (!x->tx_pool || !x->fill_stash)
		return -ENOMEM;
	for (i = 0; i < half; i++)
		x->tx_pool[x->tx_free++] = (__u64)(half + i) * c->frame_size;
	return 0;
}

static int socket_setup(struct xmp_xsk *x, const struct xmp_xsk_cfg *c)
{
	struct xsk_socket_config scfg = {
		.rx_size = c->ring_size,
		.tx_size = c->ring_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = c->bind_flags | XDP_USE_NEED_WAKEUP,
	};
	__u32 i, half = c->frame_count / 2;
	__u64 addr;
	int err;

	err = xsk_socket__create(&x->xsk, c->ifname, c->queue_id, x->umem, &x->rx, &x->tx, &scfg);
	if (err)
		return err;
	for (i = 0; i < half; i++) {
		addr = (__u64)i * c->frame_size;
		fill_put(x, &addr, 1);
	}
	return 0;
}

/* Slots of ifindexes that no longer exist are taken back: interfaces come
 * and go (veths of tests, hot-plugged NICs) while the pins stay. */
static void ifslots_used(int slots_fd, bool *used)
{
	__u32 key, next, val;
	char name[IF_NAMESIZE];
	void *prev = NULL;

	while (!bpf_map_get_next_key(slots_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(slots_fd, &key, &val) || val >= XMP_MAX_IFACES)
			continue;
		if (!if_indextoname(key, name)) {
			bpf_map_delete_elem(slots_fd, &key);
			prev = NULL; /* deleted under the iteration: start over */
			continue;
		}
		used[val] = true;
	}
}

/* The interface's slot in xmp_xsks, allocated on first use (the smallest
 * free one). Two daemons racing for a new slot: BPF_NOEXIST lets one win
 * and the other reads its choice. */
static int ifslot_get(int slots_fd, int ifindex, __u32 *slot)
{
	bool used[XMP_MAX_IFACES] = {};
	__u32 key = (__u32)ifindex, i;

	if (!bpf_map_lookup_elem(slots_fd, &key, slot))
		return 0;
	ifslots_used(slots_fd, used);
	for (i = 0; i < XMP_MAX_IFACES && used[i]; i++)
		;
	if (i == XMP_MAX_IFACES)
		return -ENOSPC;
	if (bpf_map_update_elem(slots_fd, &key, &i, BPF_NOEXIST) && errno != EEXIST)
		return -errno;
	return bpf_map_lookup_elem(slots_fd, &key, slot) ? -errno : 0;
}

int xmp_xsk_register(struct xmp_xsk *x, int xsks_map_fd, int ifslots_map_fd)
{
	int fd = xmp_xsk_fd(x), err;
	__u32 slot, key;

	err = ifslot_get(ifslots_map_fd, x->ifindex, &slot);
	if (err) {
		pr_warn("xsk: no interface slot for ifindex %d in %s: %s\n", x->ifindex,
			XMP_MAP_IFSLOTS, err == -ENOSPC ? "all taken" : strerror(-err));
		return err;
	}
	key = slot * XMP_MAX_QUEUES + x->queue;
	if (bpf_map_update_elem(xsks_map_fd, &key, &fd, 0)) {
		err = -errno;
		pr_warn("xsk: cannot insert queue %u into xmp_xsks: %s\n", x->queue,
			strerror(errno));
	}
	return err;
}

static int register_cfg(struct xmp_xsk *x, const struct xmp_xsk_cfg *c)
{
	int xfd, sfd, err;

	if (c->xsks_map_fd >= 0)
		return xmp_xsk_register(x, c->xsks_map_fd, c->ifslots_map_fd);
	if (!c->pin_dir)
		return 0;
	xfd = xmp_pin_open(c->pin_dir, XMP_MAP_XSKS);
	if (xfd < 0)
		return xfd;
	sfd = xmp_pin_open(c->pin_dir, XMP_MAP_IFSLOTS);
	if (sfd < 0) {
		close(xfd);
		return sfd;
	}
	err = xmp_xsk_register(x, xfd, sfd);
	close(sfd);
	close(xfd);
	return err;
}

#define XSK_BUSY_TRIES	  40
#define XSK_BUSY_WAIT_US 50000

static int xsk_open_once(struct xmp_xsk **out, const struct xmp_xsk_cfg *cfg, bool quiet);

/* EBUSY from bind: the queue's last socket, closed a moment ago (a daemon
 * restarted at once), is released by the kernel asynchronously and is
 * free within milliseconds: the whole open is tried again, for up to 2 s,
 * before the error is reported. */
int xmp_xsk_open(struct xmp_xsk **out, const struct xmp_xsk_cfg *cfg)
{
	unsigned int tries;
	int err;

	for (tries = 0;; tries++) {
		err = xsk_open_once(out, cfg, tries < XSK_BUSY_TRIES);
		if (err != -EBUSY || tries == XSK_BUSY_TRIES)
			return err;
		usleep(XSK_BUSY_WAIT_US);
	}
}

static int xsk_open_once(struct xmp_xsk **out, const struct xmp_xsk_cfg *cfg, bool quiet)
{
	struct xmp_xsk_cfg c = *cfg;
	struct xmp_xsk *x;
	int err;

	*out = NULL;
	if (!c.ifname)
		return -EINVAL;
	if (!c.frame_count)
		c.frame_count = xsk_defaults.frame_count;
	if (!c.frame_size)
		c.frame_size = xsk_defaults.frame_size;
	if (!c.ring_size)
		c.ring_size = xsk_defaults.ring_size;
	/* The fill ring must hold every RX frame, so RX never starves for lack
	 * of ring space, only for lack of frames. */
	if (!is_pow2(c.frame_count) || !is_pow2(c.ring_size) || c.frame_count < 2 ||
	    c.frame_count / 2 > c.ring_size || (c.frame_size != 2048 && c.frame_size != 4096))
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->frame_size = c.frame_size;
	x->frame_count = c.frame_count;
	x->queue = c.queue_id;
	x->ifindex = (int)if_nametoindex(c.ifname);
	if (!x->ifindex) {
		err = -ENODEV;
		goto err_out;
	}
	err = umem_setup(x, &c);
	if (err)
		goto err_out;
	err = socket_setup(x, &c);
	if (err) {
		if (err != -EBUSY || !quiet)
			pr_warn("xsk: cannot bind AF_XDP to %s queue %u: %s\n", c.ifname,
				c.queue_id, strerror(-err));
		goto err_out;
	}
	err = register_cfg(x, &c);
	if (err)
		goto err_out;
	pr_debug("xsk: %s queue %u bound (%s)\n", c.ifname, c.queue_id,
		 xmp_xsk_zerocopy(x) ? "zero-copy" : "copy");
	*out = x;
	return 0;
err_out:
	xmp_xsk_close(x);
	return err;
}

void xmp_xsk_close(struct xmp_xsk *x)
{
	if (!x)
		return;
	/* Closing the socket removes it from every XSKMAP (kernel
	 * xsk_delete_from_maps()), so no map delete here: it could remove a
	 * newer socket of the same queue. */
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, x->area_len);
	free(x->tx_pool);
	free(x->fill_stash);
	free(x);
}

/* Kicks the kernel to pick up fill-ring frames when it asked for it. */
static void fill_kick(struct xmp_xsk *x)
{
	if (!xsk_ring_prod__needs_wakeup(&x->fq))
		return;
	x->st.rx_wakeups++;
	recvfrom(xmp_xsk_fd(x), NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

unsigned int xmp_xsk_rx(struct xmp_xsk *x, struct xmp_xsk_pkt *pkts, unsigned int max)
{
	const struct xdp_desc *d;
	__u32 idx, n, i;
	__u64 off;

	fill_unstash(x);
	n = xsk_ring_cons__peek(&x->rx, max, &idx);
	if (!n) {
		fill_kick(x);
		return 0;
	}
	for (i = 0; i < n; i++) {
		d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		pkts[i].addr = xsk_umem__add_offset_to_addr(d->addr);
		pkts[i].data = xsk_umem__get_data(x->area, pkts[i].addr);
		pkts[i].len = d->len;
		/* headroom inside this frame = room for XDP's metadata */
		off = pkts[i].addr % x->frame_size;
		pkts[i].meta = off + d->len <= x->frame_size ?
				       xmp_pkt_meta(pkts[i].data, (__u32)off) : NULL;
		if (pkts[i].meta)
			x->st.rx_meta++;
	}
	xsk_ring_cons__release(&x->rx, n);
	x->st.rx_packets += n;
	return n;
}

void xmp_xsk_rx_release(struct xmp_xsk *x, const struct xmp_xsk_pkt *pkts, unsigned int n)
{
	__u64 addrs[64];
	__u32 i, k = 0;
	__u64 off;

	for (i = 0; i < n; i++) {
		off = pkts[i].addr % x->frame_size;
		/* Wipe the metadata slot: the kernel does not, and a later frame
		 * without metadata must not inherit this one's. */
		if (off >= XMP_META_SIZE)
			memset(pkts[i].data - XMP_META_SIZE, 0, XMP_META_SIZE);
		addrs[k++] = pkts[i].addr - off;
		if (k == 64) {
			fill_put(x, addrs, k);
			k = 0;
		}
	}
	if (k)
		fill_put(x, addrs, k);
}

int xmp_xsk_wait(struct xmp_xsk *x, int timeout_ms)
{
	struct pollfd pfd = { .fd = xmp_xsk_fd(x), .events = POLLIN };
	int r;

	if (xsk_cons_nb_avail(&x->rx, 1))
		return 1;
	fill_kick(x);
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return -errno;
	return r > 0;
}

unsigned int xmp_xsk_complete(struct xmp_xsk *x)
{
	__u32 idx, n, i;

	n = xsk_ring_cons__peek(&x->cq, x->frame_count / 2, &idx);
	for (i = 0; i < n; i++)
		x->tx_pool[x->tx_free++] = *xsk_ring_cons__comp_addr(&x->cq, idx + i);
	if (n)
		xsk_ring_cons__release(&x->cq, n);
	x->tx_outstanding -= n;
	x->st.tx_packets += n;
	return n;
}

__u8 *xmp_xsk_tx_alloc(struct xmp_xsk *x, __u32 *cap)
{
	if (!x->tx_free)
		xmp_xsk_complete(x);
	if (!x->tx_free) {
		x->st.tx_no_frame++;
		return NULL;
	}
	*cap = x->frame_size;
	return x->area + x->tx_pool[--x->tx_free];
}

void xmp_xsk_tx_free(struct xmp_xsk *x, __u8 *buf)
{
	x->tx_pool[x->tx_free++] = (__u64)(buf - x->area);
}

int xmp_xsk_tx_queue(struct xmp_xsk *x, __u8 *buf, __u32 len)
{
	struct xdp_desc *d;
	__u32 idx;

	if (len > x->frame_size) {
		xmp_xsk_tx_free(x, buf);
		return -EMSGSIZE;
	}
	if (xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1) {
		x->st.tx_ring_full++;
		xmp_xsk_tx_free(x, buf);
		return -ENOBUFS;
	}
	d = xsk_ring_prod__tx_desc(&x->tx, idx);
	d->addr = (__u64)(buf - x->area);
	d->len = len;
	d->options = 0;
	x->tx_pending++;
	x->st.tx_queued++;
	return 0;
}

int xmp_xsk_tx_flush(struct xmp_xsk *x)
{
	if (x->tx_pending) {
		xsk_ring_prod__submit(&x->tx, x->tx_pending);
		x->tx_outstanding += x->tx_pending;
		x->tx_pending = 0;
	}
	if (x->tx_outstanding && xsk_ring_prod__needs_wakeup(&x->tx)) {
		x->st.tx_wakeups++;
		if (sendto(xmp_xsk_fd(x), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
			/* transient: the ring stays queued, the next flush retries */
			if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS &&
			    errno != ENETDOWN)
				return -errno;
		}
	}
	xmp_xsk_complete(x);
	return 0;
}

int xmp_xsk_send(struct xmp_xsk *x, const void *frame, __u32 len)
{
	__u32 cap;
	__u8 *buf = xmp_xsk_tx_alloc(x, &cap);
	int err;

	if (!buf)
		return -ENOBUFS;
	if (len > cap) {
		xmp_xsk_tx_free(x, buf);
		return -EMSGSIZE;
	}
	memcpy(buf, frame, len);
	err = xmp_xsk_tx_queue(x, buf, len);
	if (err)
		return err;
	return xmp_xsk_tx_flush(x);
}

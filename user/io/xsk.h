/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_XDP socket of one (interface, rx queue) through libxdp's xsk API:
 * UMEM, fill/completion rings, batched RX and TX, need_wakeup.
 *
 * The XDP program is never loaded here (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD):
 * bpf/xdp_steer.bpf.c is attached by `xmptcp attach` (or a test), and the
 * socket is inserted into its pinned XSKMAP xmp_xsks at its queue id, which
 * is the key xdp_steer redirects with (ctx->rx_queue_index).
 *
 * UMEM layout: frame_count frames of frame_size bytes; the first half feeds
 * the fill ring (RX), the second half is the TX pool. An RX frame goes back
 * to the fill ring when the caller hands it back with xmp_xsk_rx_release();
 * TX frames come back through the completion ring.
 *
 * On veth (tests, found by tests/bpf/test_xsk_io.c on kernel 6.18): both
 * native (XDP_FLAGS_DRV_MODE) and generic (XDP_FLAGS_SKB_MODE) XDP work on
 * the receiving end without any program on the peer; the XSK must be bound
 * with XDP_COPY (veth has no zero-copy); xmp_meta arrives in both modes
 * (copy mode copies data_meta along); XSK TX leaves through the veth's
 * xmit like any frame. Turn TX checksum offload off on the kernel side of
 * the pair, or its frames carry CHECKSUM_PARTIAL half checksums.
 *
 * Typical loop (one worker, epoll on xmp_xsk_fd()):
 *	n = xmp_xsk_rx(x, pkts, 64);
 *	for each: xmp_pkt_parse(pkts[i].data, pkts[i].len, pkts[i].meta, ...)
 *	xmp_xsk_rx_release(x, pkts, n);
 *	buf = xmp_xsk_tx_alloc(x, &cap); len = xmp_pkt_build(buf, cap, ...);
 *	xmp_xsk_tx_queue(x, buf, len);  ...  xmp_xsk_tx_flush(x);
 */
#ifndef XMP_IO_XSK_H
#define XMP_IO_XSK_H

#include <stdbool.h>
#include <linux/types.h>

#include "xmptcp/meta.h"

struct xmp_xsk;

struct xmp_xsk_cfg {
	const char *ifname;
	__u32 queue_id;
	__u32 frame_count;	/* UMEM frames, power of two (4096) */
	__u32 frame_size;	/* 2048 or 4096 (4096) */
	__u32 ring_size;	/* rx/tx/fill/completion descriptors (2048) */
	/* XDP_COPY or XDP_ZEROCOPY, 0 = let the kernel pick; XDP_USE_NEED_WAKEUP
	 * is always added. */
	__u16 bind_flags;
	/* XSKMAP to register in and the interface slot map beside it: fds
	 * (>= 0; a test holding the BPF object), else the maps pinned as
	 * pin_dir/xmp_xsks and xmp_ifslots, else none (-1/NULL: a test that
	 * inserts the socket itself). */
	int xsks_map_fd;
	int ifslots_map_fd;
	const char *pin_dir;
};

/* One received frame; data/len/meta stay valid until xmp_xsk_rx_release(). */
struct xmp_xsk_pkt {
	__u8 *data;
	__u32 len;
	const struct xmp_meta *meta; /* XDP metadata, NULL if absent */
	__u64 addr;		/* UMEM address (internal) */
};

struct xmp_xsk_stats {
	__u64 rx_packets;
	__u64 rx_meta;		/* of which carried xmp_meta */
	__u64 tx_packets;	/* completed by the kernel */
	__u64 tx_queued;
	__u64 tx_no_frame;	/* xmp_xsk_tx_alloc() found the pool empty */
	__u64 tx_ring_full;	/* xmp_xsk_tx_queue() found the TX ring full */
	__u64 rx_wakeups;	/* fill ring kicks */
	__u64 tx_wakeups;	/* sendto() kicks */
	__u64 fill_short;	/* frames that could not be put in the fill ring at once */
};

/* Creates UMEM and socket, fills the fill ring, registers in the XSKMAP. */
int xmp_xsk_open(struct xmp_xsk **out, const struct xmp_xsk_cfg *cfg);
/* Removes the map entry (if we made it) and frees everything. NULL is fine. */
void xmp_xsk_close(struct xmp_xsk *x);

int xmp_xsk_fd(const struct xmp_xsk *x);
/* Inserts the socket into an XSKMAP at its queue id. */
int xmp_xsk_register(struct xmp_xsk *x, int xsks_map_fd, int ifslots_map_fd);
/* Bound in zero-copy mode? (From XDP_OPTIONS.) */
bool xmp_xsk_zerocopy(const struct xmp_xsk *x);

/* Takes up to max frames from the RX ring (non-blocking). Returns the count. */
unsigned int xmp_xsk_rx(struct xmp_xsk *x, struct xmp_xsk_pkt *pkts, unsigned int max);
/* Gives frames back to the fill ring (clearing their metadata slot). */
void xmp_xsk_rx_release(struct xmp_xsk *x, const struct xmp_xsk_pkt *pkts, unsigned int n);
/* Waits up to timeout_ms for RX (poll), kicking the fill ring if needed. 1 = ready, 0 = timeout, -errno. */
int xmp_xsk_wait(struct xmp_xsk *x, int timeout_ms);

/* A free TX frame (after reaping completions), NULL if none. *cap = usable bytes. */
__u8 *xmp_xsk_tx_alloc(struct xmp_xsk *x, __u32 *cap);
/* Returns an unused frame from xmp_xsk_tx_alloc() to the pool. */
void xmp_xsk_tx_free(struct xmp_xsk *x, __u8 *buf);
/* Queues len bytes at buf (from xmp_xsk_tx_alloc()) for sending. On error
 * (-ENOBUFS: TX ring full, -EMSGSIZE) the frame goes back to the pool. */
int xmp_xsk_tx_queue(struct xmp_xsk *x, __u8 *buf, __u32 len);
/* Publishes queued descriptors and kicks the kernel when it asks to. */
int xmp_xsk_tx_flush(struct xmp_xsk *x);
/* alloc + copy + queue + flush: for control segments and tests. */
int xmp_xsk_send(struct xmp_xsk *x, const void *frame, __u32 len);
/* Reaps the completion ring; returns frames completed. */
unsigned int xmp_xsk_complete(struct xmp_xsk *x);
/* Frames in flight on TX (queued, not yet completed). */
__u32 xmp_xsk_tx_inflight(const struct xmp_xsk *x);

const struct xmp_xsk_stats *xmp_xsk_stats(const struct xmp_xsk *x);

#endif

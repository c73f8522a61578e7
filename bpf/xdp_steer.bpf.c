// SPDX-License-Identifier: GPL-2.0
/*
 * XDP ingress of xmptcp: parse every frame (Ethernet/VLAN, IPv4/IPv6, TCP
 * and all its options, every MPTCP suboption), write what was learnt into
 * the frame's metadata (struct xmp_meta) so the AF_XDP consumer does not
 * parse again, classify it against the controller's maps and redirect owned
 * segments to the XSK of their rx queue; everything else goes on to the
 * kernel untouched. Observe mode records every MPTCP flow in xmp_observe.
 * Logic lives in bpf/lib/ (shared with tc_egress.bpf.c); this file is the
 * entry point: xdp_steer() -> xmp_parse_xdp() (lib/parse.h) ->
 * xmp_classify() / xmp_obs_update() -> xmp_write_meta() -> redirect.
 * Metadata is optional (xmp_use_meta): userspace parses a frame without it.
 */
#include "lib/consts.h"
#include "lib/maps.h"
#include "lib/counters.h"
#include "lib/parse.h"
#include "lib/observe.h"
#include "lib/classify.h"

/* Set by the loader before load (`xmptcp attach`, false with --no-meta or
 * when its probe finds the verifier refusing bpf_xdp_adjust_meta in XDP
 * programs, as some kernel builds do). Read-only data is known to the
 * verifier: with false, the branch that calls the helper is dead code it
 * never checks, and the program loads on those kernels too. */
const volatile bool xmp_use_meta = true;

/* Put the metadata in front of the frame. A driver without metadata
 * support, or too little headroom, refuses the adjustment at run time:
 * counted, and the frame goes on without it (userspace parses it). */
static __always_inline void xmp_write_meta(struct xdp_md *ctx, const struct xmp_meta *m)
{
	void *meta, *data;

	if (!xmp_use_meta)
		return;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m))) {
		xmp_count(XMP_C_META_REFUSED);
		return;
	}
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if (meta + sizeof(*m) > data)
		return;
	__builtin_memcpy(meta, m, sizeof(*m));
	xmp_count(XMP_C_META_WRITTEN);
}

XMP_DEFINE_PARSER(xmp_parse_xdp, struct xdp_md, bpf_xdp_load_bytes)

static __always_inline int xmp_steer(struct xdp_md *ctx, int class)
{
	__u32 ifindex = ctx->ingress_ifindex, q = ctx->rx_queue_index, *slot;
	int act = XDP_PASS;

	xmp_count(XMP_C_CLASS_BASE + class);
	if (class == XMP_CLASS_NONE)
		return XDP_PASS;
	/* The XSK of this (interface, queue), or pass if none is bound (yet):
	 * the interfaces of a namespace share xmp_xsks, one block each. */
	slot = bpf_map_lookup_elem(&xmp_ifslots, &ifindex);
	if (slot && *slot < XMP_MAX_IFACES && q < XMP_MAX_QUEUES)
		act = bpf_redirect_map(&xmp_xsks, *slot * XMP_MAX_QUEUES + q, XDP_PASS);
	xmp_count(act == XDP_REDIRECT ? XMP_C_REDIRECTED : XMP_C_REDIRECT_MISS);
	return act;
}

SEC("xdp")
int xdp_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xmp_parse p;
	int class = XMP_CLASS_NONE;
	__u32 cfg;

	__builtin_memset(&p, 0, sizeof(p));
	p.m.magic = XMP_META_MAGIC;
	p.wire_len = data_end - data;
	xmp_count(XMP_C_RX_PACKETS);

	xmp_parse_xdp(ctx, &p);
	xmp_count_reasons(p.reasons, XMP_C_REASON_BASE);
	if (p.l4_proto != IPPROTO_TCP)
		return xmp_steer(ctx, XMP_CLASS_NONE);

	xmp_count(XMP_C_RX_TCP);
	if (p.m.tcp_opts & XMP_TOPT_MPTCP)
		xmp_count(XMP_C_RX_MPTCP);
	if (p.tcp_ok) {
		cfg = xmp_cfg_flags();
		if (cfg & XMP_CFG_OBSERVE)
			xmp_obs_update(&p);
		class = xmp_classify(&p);
	}
	xmp_write_meta(ctx, &p.m);
	return xmp_steer(ctx, class);
}

char _license[] SEC("license") = "GPL";

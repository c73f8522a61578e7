// SPDX-License-Identifier: GPL-2.0
/*
 * TC egress (clsact) of xmptcp: the same parser as XDP ingress (bpf/lib/)
 * run on what the kernel sends, so observe mode sees both directions of
 * the kernel's MPTCP flows, and the guard that keeps the kernel from
 * resetting subflows it does not know the controller owns (lib/guard.h).
 * Call chain: tc_egress() -> xmp_pull() -> xmp_parse_tc() (lib/parse.h)
 * -> xmp_obs_update() / xmp_guard_*().
 */
#include "lib/consts.h"
#include "lib/maps.h"
#include "lib/counters.h"
#include "lib/parse.h"
#include "lib/observe.h"
#include "lib/guard.h"

/* Enough linear bytes for Ethernet+VLAN, IPv6 with a few extension headers
 * (or IPv4 with options, or an ICMP error's quote) and a full TCP header. */
#define XMP_PULL_LEN 256

/* GSO skbs (up to 64 KB and more) may hold only part of the headers in the
 * linear area; pull them in so direct packet access reaches them. */
static __always_inline void xmp_pull(struct __sk_buff *skb)
{
	__u32 want = skb->len < XMP_PULL_LEN ? skb->len : XMP_PULL_LEN;

	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
}

XMP_DEFINE_PARSER(xmp_parse_tc, struct __sk_buff, bpf_skb_load_bytes)

static __always_inline int xmp_guard(void *data, void *data_end, struct xmp_parse *p)
{
	if (p->l4_proto == IPPROTO_TCP) {
		if (p->tcp_ok && xmp_guard_rst(p)) {
			xmp_count(XMP_C_GUARD_RST);
			return XMP_TC_ACT_SHOT;
		}
	} else if (p->l4_proto == XMP_IPPROTO_ICMP || p->l4_proto == XMP_NEXTHDR_ICMPV6) {
		if (xmp_guard_icmp(data, data_end, p)) {
			xmp_count(XMP_C_GUARD_ICMP);
			return XMP_TC_ACT_SHOT;
		}
	}
	return XMP_TC_ACT_OK;
}

SEC("tc")
int tc_egress(struct __sk_buff *skb)
{
	struct xmp_parse p;
	void *data, *data_end;
	int l3;
	__u32 cfg;

	xmp_count(XMP_C_TX_PACKETS);
	xmp_pull(skb);
	__builtin_memset(&p, 0, sizeof(p));
	p.wire_len = skb->len;
	l3 = xmp_parse_tc(skb, &p);
	xmp_count_reasons(p.reasons, XMP_C_TX_REASON_BASE);
	if (p.m.tcp_opts & XMP_TOPT_MPTCP)
		xmp_count(XMP_C_TX_MPTCP);

	cfg = xmp_cfg_flags();
	if (p.tcp_ok && (cfg & XMP_CFG_OBSERVE))
		xmp_obs_update(&p);
	if (l3 == 0 && (cfg & XMP_CFG_GUARD)) {
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		return xmp_guard(data, data_end, &p);
	}
	return XMP_TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";

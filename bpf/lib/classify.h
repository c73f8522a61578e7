/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ingress classification (XDP): does the controller own this segment?
 * Order: an owned subflow's 4-tuple (any segment), then an MP_JOIN SYN
 * whose token the controller owns (RFC 8684 3.2: the token names the
 * connection), then a SYN to an owned listener (exact address, then the
 * all-zero wildcard; a listener flagged MPTCP-only takes only SYNs with an
 * MPTCP option). Owned subflows get their counters updated here.
 */
#ifndef XMP_BPF_CLASSIFY_H
#define XMP_BPF_CLASSIFY_H

#include "lib/maps.h"
#include "lib/parse_mptcp.h"

/* Counters of an owned subflow; the controller reads them concurrently and
 * segments of one subflow may arrive on several queues, hence atomics. */
static __always_inline void xmp_sf_update(struct xmp_sf_val *sf, struct xmp_parse *p)
{
	__u32 i;

	__sync_fetch_and_add(&sf->packets, 1);
	if (p->payload_len)
		__sync_fetch_and_add(&sf->bytes, p->payload_len);
	if (p->mp.has_map)
		sf->last_dsn = p->mp.dsn;
	if (p->mp.has_ack)
		sf->last_data_ack = p->mp.data_ack;
	if (!p->m.mp_seen)
		return;
	for (i = 0; i < MPTCPOPT_NR_SUBTYPES; i++)
		if (p->m.mp_seen & (1u << i))
			__sync_fetch_and_add(&sf->opt_seen[i], 1);
}

static __always_inline int xmp_classify_listener(struct xmp_parse *p)
{
	struct xmp_listen_key k = {};
	struct xmp_listen_val *l;

	k.addr = p->t.daddr;
	k.port = p->t.dport;
	l = bpf_map_lookup_elem(&xmp_listeners, &k);
	if (!l) {
		__builtin_memset(&k.addr, 0, sizeof(k.addr));
		l = bpf_map_lookup_elem(&xmp_listeners, &k);
	}
	if (!l)
		return XMP_CLASS_NONE;
	/* --accept: the kernel's own listener on the port keeps plain TCP */
	if ((l->flags & XMP_LISTEN_F_MPTCP_ONLY) &&
	    !(p->m.mp_seen & ((1u << MPTCPOPT_MP_CAPABLE) | (1u << MPTCPOPT_MP_JOIN))))
		return XMP_CLASS_NONE;
	__sync_fetch_and_add(&l->syns, 1);
	return XMP_CLASS_LISTENER;
}

static __always_inline int xmp_classify(struct xmp_parse *p)
{
	struct xmp_sf_val *sf;

	sf = bpf_map_lookup_elem(&xmp_subflows, &p->t);
	if (sf) {
		xmp_sf_update(sf, p);
		return XMP_CLASS_SUBFLOW;
	}
	if (!xmp_syn_only(p))
		return XMP_CLASS_NONE;
	if (p->m.mp_seen & (1u << MPTCPOPT_MP_JOIN)) {
		__u32 token = p->mp.join_token;
		struct xmp_token_val *tv = bpf_map_lookup_elem(&xmp_tokens, &token);

		if (tv) {
			__sync_fetch_and_add(&tv->joins, 1);
			return XMP_CLASS_JOIN;
		}
	}
	return xmp_classify_listener(p);
}

#endif

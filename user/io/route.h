/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where to send a frame we build: egress interface, source address, next
 * hop and its MAC, from the kernel's own tables over rtnetlink (libmnl):
 * RTM_GETROUTE for (ifindex, preferred source, gateway), RTM_GETLINK for
 * our MAC and MTU, RTM_GETNEIGH for the next hop's MAC. When the kernel has
 * no usable neighbour entry, one is created with NTF_USE, which starts
 * ARP/ND exactly as if the kernel were sending, and polled briefly.
 *
 * IPv6 resolution needs a usable link-local address on the egress device
 * (the kernel sends solicitations only from one), which a device gets only
 * once carrier is up: right after link-up expect -EHOSTUNREACH for a while.
 *
 * Results are cached per (destination, requested source, requested
 * interface) with an expiry; the controller
 * flushes the cache on RTM_NEWROUTE/DELROUTE/NEWNEIGH/DELNEIGH events.
 * Not thread-safe: one cache per worker.
 */
#ifndef XMP_IO_ROUTE_H
#define XMP_IO_ROUTE_H

#include <stdbool.h>
#include <linux/types.h>

#include "xmptcp/maps.h"
#include "io/pkt.h"

struct xmp_route {
	struct xmp_addr dst;
	struct xmp_addr src;	/* preferred source (RTA_PREFSRC) */
	struct xmp_addr nexthop; /* gateway, or dst when on-link */
	int ifindex;
	__u32 mtu;		/* link MTU */
	__u8 src_mac[6];	/* our MAC on ifindex */
	__u8 dst_mac[6];	/* next hop's MAC */
	bool has_gateway;
};

struct xmp_route_cache;

/* ttl_ms: how long an entry stays valid (0 = 30 s); resolve_ms: how long
 * a lookup waits for ARP/ND (0 = 1 s). */
int xmp_route_cache_new(struct xmp_route_cache **out, unsigned int ttl_ms,
			unsigned int resolve_ms);
void xmp_route_cache_free(struct xmp_route_cache *c);
void xmp_route_cache_flush(struct xmp_route_cache *c);

/*
 * Route to dst (v4-mapped or IPv6), from the cache or the kernel. Returns
 * 0, -ENETUNREACH (no route), -EHOSTUNREACH (route is not unicast, e.g. a
 * local address, or the next hop did not resolve in time), or another
 * -errno from rtnetlink.
 */
int xmp_route_lookup(struct xmp_route_cache *c, const struct xmp_addr *dst,
		     struct xmp_route *r);

/*
 * Route to dst for a subflow that must leave from local address src
 * (NULL or all-zero: any, as xmp_route_lookup()) through interface oif
 * (<= 0: any); the multipath case, one subflow per (local, remote) pair.
 * On success r->src is src. With oif set and no route through it, the
 * kernel takes dst as on-link on oif (the next hop is resolved there).
 * Errors as xmp_route_lookup(), plus -EINVAL when src's family differs
 * from dst's. An IPv4 src that is not ours gives -ENETUNREACH (the
 * kernel's check); an IPv6 src is not checked by the kernel here.
 */
int xmp_route_lookup_from(struct xmp_route_cache *c, const struct xmp_addr *dst,
			  const struct xmp_addr *src, int oif, struct xmp_route *r);

/* Headers for a frame along r: our MAC -> next hop MAC, r->src -> r->dst. */
void xmp_route_fill_hdrs(const struct xmp_route *r, struct xmp_pkt_hdrs *h);

/* Cache statistics: hits, misses (kernel asked), neighbour resolutions started. */
void xmp_route_cache_stats(const struct xmp_route_cache *c, __u64 *hits, __u64 *misses,
			   __u64 *resolves);

#endif

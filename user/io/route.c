// SPDX-License-Identifier: GPL-2.0
/*
 * Route, link and neighbour lookups over rtnetlink with libmnl (see
 * route.h). Every request carries NLM_F_ACK so a reply is always
 * terminated by an ACK or an error, and the socket has a receive timeout:
 * a lookup never blocks the event loop for more than that.
 * Call chain: xmp_route_lookup() -> xmp_route_lookup_from() -> cache ->
 * route_get() -> link_get() -> neigh_get() [-> neigh_use() + poll neigh_get()].
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "common/log.h"
#include "io/addr.h"
#include "io/route.h"
#include "io/rtnl.h"

#define ROUTE_CACHE_SIZE	64
#define NEIGH_POLL_US		5000
/* States with a usable link-layer address (the kernel's NUD_VALID) */
#define NUD_HAS_LLADDR (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | \
			NUD_STALE | NUD_DELAY)

/* The key is the whole question asked, (dst, src, oif): a sourced lookup
 * for one subflow must not answer a plain one, nor another subflow's. */
struct route_entry {
	struct xmp_route r;
	struct xmp_addr src;	/* requested source, all-zero if none */
	int oif;		/* requested interface, 0 if none */
	__u64 expires_us;
	bool used;
};

struct xmp_route_cache {
	struct mnl_socket *nl;
	__u32 portid;
	__u32 seq;
	__u64 ttl_us;
	__u64 resolve_us;
	__u64 hits, misses, resolves;
	struct route_entry e[ROUTE_CACHE_SIZE];
};

static __u64 mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int xmp_route_cache_new(struct xmp_route_cache **out, unsigned int ttl_ms,
			unsigned int resolve_ms)
{
	struct xmp_route_cache *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ttl_us = (ttl_ms ? ttl_ms : 30000) * 1000ULL;
	c->resolve_us = (resolve_ms ? resolve_ms : 1000) * 1000ULL;
	err = xmp_rtnl_open(&c->nl, 0, XMP_RTNL_TIMEOUT_MS);
	if (err)
		goto err_out;
	c->portid = mnl_socket_get_portid(c->nl);
	c->seq = (__u32)time(NULL);
	*out = c;
	return 0;
err_out:
	xmp_route_cache_free(c);
	return err;
}

void xmp_route_cache_free(struct xmp_route_cache *c)
{
	if (!c)
		return;
	if (c->nl)
		mnl_socket_close(c->nl);
	free(c);
}

void xmp_route_cache_flush(struct xmp_route_cache *c)
{
	memset(c->e, 0, sizeof(c->e));
}

void xmp_route_cache_stats(const struct xmp_route_cache *c, __u64 *hits, __u64 *misses,
			   __u64 *resolves)
{
	*hits = c->hits;
	*misses = c->misses;
	*resolves = c->resolves;
}

/* Sends nlh and runs cb over the replies until the ACK. 0 or -errno. */
static int nl_talk(struct xmp_route_cache *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++c->seq;
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(c->nl, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run(buf, n, nlh->nlmsg_seq, c->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static int addr_len(const struct xmp_addr *a)
{
	return xmp_addr_is_v4(a) ? 4 : 16;
}

static const void *addr_bytes(const struct xmp_addr *a)
{
	return xmp_addr_is_v4(a) ? &a->a[12] : a->a;
}

/* An address attribute into a, in the family of ref. */
static bool attr_addr(const struct nlattr *at, const struct xmp_addr *ref, struct xmp_addr *a)
{
	if (!at || mnl_attr_get_payload_len(at) != (__u16)addr_len(ref))
		return false;
	if (xmp_addr_is_v4(ref)) {
		__be32 v4;

		memcpy(&v4, mnl_attr_get_payload(at), 4);
		xmp_addr_from_v4(a, v4);
	} else {
		xmp_addr_from_v6(a, mnl_attr_get_payload(at));
	}
	return true;
}

struct attr_tb {
	const struct nlattr *tb[64];
};

static int attr_collect(const struct nlattr *attr, void *data)
{
	struct attr_tb *t = data;
	int type = mnl_attr_get_type(attr);

	if (type >= 0 && type < 64)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

struct route_reply {
	struct xmp_route *r;
	int err;
	bool seen;
	bool sourced;	/* RTA_SRC asked: r->src is set already */
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_reply *rr = data;
	struct xmp_route *r = rr->r;
	struct attr_tb t = {};

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_collect, &t);
	rr->seen = true;
	if (rtm->rtm_type != RTN_UNICAST) {
		rr->err = -EHOSTUNREACH;
		return MNL_CB_OK;
	}
	if (!t.tb[RTA_OIF]) {
		rr->err = -ENETUNREACH;
		return MNL_CB_OK;
	}
	r->ifindex = (int)mnl_attr_get_u32(t.tb[RTA_OIF]);
	/* with RTA_SRC asked, the source is that one: IPv4 omits RTA_PREFSRC,
	 * IPv6 may still name the address it would have picked */
	if (!rr->sourced && !attr_addr(t.tb[RTA_PREFSRC], &r->dst, &r->src))
		rr->err = -EADDRNOTAVAIL;
	r->has_gateway = attr_addr(t.tb[RTA_GATEWAY], &r->dst, &r->nexthop);
	if (!r->has_gateway)
		r->nexthop = r->dst;
	return MNL_CB_OK;
}

/*
 * RTM_GETROUTE: the kernel's own decision for dst (fib lookup), as for a
 * socket bound to r->src (when not all-zero) with SO_BINDTODEVICE oif
 * (when > 0): source-specific policy routing applies, and for IPv4 the
 * kernel checks that r->src is one of ours (-ENETUNREACH otherwise).
 */
static int route_get(struct xmp_route_cache *c, struct xmp_route *r, int oif)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_reply rr = { .r = r, .sourced = !xmp_addr_is_any(&r->src) };
	struct rtmsg *rtm;
	int err;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = xmp_addr_family(&r->dst);
	rtm->rtm_dst_len = addr_len(&r->dst) * 8;
	mnl_attr_put(nlh, RTA_DST, addr_len(&r->dst), addr_bytes(&r->dst));
	if (rr.sourced) {
		rtm->rtm_src_len = addr_len(&r->src) * 8;
		mnl_attr_put(nlh, RTA_SRC, addr_len(&r->src), addr_bytes(&r->src));
	}
	if (oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (__u32)oif);
	err = nl_talk(c, nlh, route_cb, &rr);
	if (err)
		return err;
	if (!rr.seen)
		return -ENETUNREACH;
	return rr.err;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct xmp_route *r = data;
	struct attr_tb t = {};

	if (nlh->nlmsg_type != RTM_NEWLINK || ifi->ifi_index != r->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_collect, &t);
	if (t.tb[IFLA_MTU])
		r->mtu = mnl_attr_get_u32(t.tb[IFLA_MTU]);
	if (t.tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(t.tb[IFLA_ADDRESS]) == 6)
		memcpy(r->src_mac, mnl_attr_get_payload(t.tb[IFLA_ADDRESS]), 6);
	return MNL_CB_OK;
}

/* RTM_GETLINK: our MAC and the MTU of the egress interface. */
static int link_get(struct xmp_route_cache *c, struct xmp_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = r->ifindex;
	return nl_talk(c, nlh, link_cb, r);
}

struct neigh_reply {
	__u16 state;
	bool has_mac;
	__u8 mac[6];
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_reply *nr = data;
	struct attr_tb t = {};

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ndm), attr_collect, &t);
	nr->state = ndm->ndm_state;
	if (t.tb[NDA_LLADDR] && mnl_attr_get_payload_len(t.tb[NDA_LLADDR]) == 6) {
		memcpy(nr->mac, mnl_attr_get_payload(t.tb[NDA_LLADDR]), 6);
		nr->has_mac = true;
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *neigh_msg(char *buf, __u16 type, const struct xmp_route *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = xmp_addr_family(&r->nexthop);
	ndm->ndm_ifindex = r->ifindex;
	mnl_attr_put(nlh, NDA_DST, addr_len(&r->nexthop), addr_bytes(&r->nexthop));
	return nlh;
}

/* RTM_GETNEIGH for the next hop. 0 with the MAC, -EAGAIN while unresolved,
 * -EHOSTUNREACH when the kernel gave up (NUD_FAILED), -ENOENT if absent. */
static int neigh_get(struct xmp_route_cache *c, struct xmp_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct neigh_reply nr = {};
	int err;

	err = nl_talk(c, neigh_msg(buf, RTM_GETNEIGH, r), neigh_cb, &nr);
	if (err)
		return err;
	if (nr.state & NUD_FAILED)
		return -EHOSTUNREACH;
	if (!(nr.state & NUD_HAS_LLADDR))
		return -EAGAIN;
	if (!nr.has_mac)
		return -EHOSTUNREACH; /* NOARP device: no Ethernet next hop */
	memcpy(r->dst_mac, nr.mac, 6);
	return 0;
}

/* RTM_NEWNEIGH with NTF_USE: create the entry if needed and make the
 * kernel resolve it (neigh_event_send()), as a packet to it would. */
static int neigh_use(struct xmp_route_cache *c, struct xmp_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = neigh_msg(buf, RTM_NEWNEIGH, r);
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	nlh->nlmsg_flags |= NLM_F_CREATE;
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	c->resolves++;
	return nl_talk(c, nlh, NULL, NULL);
}

static int neigh_resolve(struct xmp_route_cache *c, struct xmp_route *r)
{
	__u64 deadline;
	int err;

	err = neigh_get(c, r);
	if (err != -ENOENT && err != -EAGAIN && err != -EHOSTUNREACH)
		return err;
	/* a FAILED entry is retried once: the peer may have come back */
	err = neigh_use(c, r);
	if (err)
		return err;
	deadline = mono_us() + c->resolve_us;
	do {
		err = neigh_get(c, r);
		if (err != -EAGAIN && err != -ENOENT)
			return err;
		usleep(NEIGH_POLL_US);
	} while (mono_us() < deadline);
	return -EHOSTUNREACH;
}

static int route_resolve(struct xmp_route_cache *c, const struct xmp_addr *dst,
			 const struct xmp_addr *src, int oif, struct xmp_route *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->dst = *dst;
	r->src = *src;
	err = route_get(c, r, oif);
	if (err)
		return err;
	err = link_get(c, r);
	if (err)
		return err;
	return neigh_resolve(c, r);
}

static bool entry_match(const struct route_entry *e, const struct xmp_addr *dst,
			const struct xmp_addr *src, int oif)
{
	return xmp_addr_eq(&e->r.dst, dst) && xmp_addr_eq(&e->src, src) && e->oif == oif;
}

int xmp_route_lookup(struct xmp_route_cache *c, const struct xmp_addr *dst,
		     struct xmp_route *r)
{
	return xmp_route_lookup_from(c, dst, NULL, 0, r);
}

int xmp_route_lookup_from(struct xmp_route_cache *c, const struct xmp_addr *dst,
			  const struct xmp_addr *src, int oif, struct xmp_route *r)
{
	struct route_entry *e, *victim = &c->e[0];
	struct xmp_addr ksrc = {};
	__u64 now = mono_us();
	int i, err;

	if (src && !xmp_addr_is_any(src)) {
		if (xmp_addr_is_v4(src) != xmp_addr_is_v4(dst))
			return -EINVAL;
		ksrc = *src;
	}
	if (oif < 0)
		oif = 0;
	for (i = 0; i < ROUTE_CACHE_SIZE; i++) {
		e = &c->e[i];
		if (e->used && e->expires_us > now && entry_match(e, dst, &ksrc, oif)) {
			c->hits++;
			*r = e->r;
			return 0;
		}
		/* replace a free, else the soonest-expiring entry */
		if (victim->used && (!e->used || e->expires_us < victim->expires_us))
			victim = e;
	}
	c->misses++;
	err = route_resolve(c, dst, &ksrc, oif, r);
	if (err) {
		pr_debug("route: lookup failed: %d\n", err);
		return err;
	}
	victim->r = *r;
	victim->src = ksrc;
	victim->oif = oif;
	victim->expires_us = now + c->ttl_us;
	victim->used = true;
	return 0;
}

void xmp_route_fill_hdrs(const struct xmp_route *r, struct xmp_pkt_hdrs *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->src_mac, r->src_mac, sizeof(h->src_mac));
	memcpy(h->dst_mac, r->dst_mac, sizeof(h->dst_mac));
	h->saddr = r->src;
	h->daddr = r->dst;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink monitor (see nlmon.h). Each datagram is walked message by
 * message; a malformed or truncated one is counted and skipped, never
 * fatal: the daemon must not stop following the kernel because of one
 * message it cannot read. Link state is remembered per ifindex in a small
 * table so that only transitions are reported (the kernel sends
 * RTM_NEWLINK for every flag, statistics or wireless change).
 * Call chain: xmp_nlmon_read() -> recv_batch() -> msg_handle() ->
 * link_msg() | addr_msg() | route_msg() | neigh_msg() -> emit() -> cb.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "common/log.h"
#include "io/addr.h"
#include "io/ifaddr.h"
#include "io/nlmon.h"
#include "io/rtnl.h"

/* Notifications are one message per datagram; RTM_NEWLINK is the largest
 * (a few KiB with statistics and VF info), far below this. */
#define NLMON_BUF_SIZE	32768
/* Asked for; capped by net.core.rmem_max unless we may force it. A large
 * buffer rides out a burst (an interface going down drops many routes). */
#define NLMON_RCVBUF	(1 << 20)
#define NLMON_LINKS	256

struct link_state {
	int ifindex;	/* 0: free slot */
	bool up;
};

struct xmp_nlmon {
	struct mnl_socket *nl;
	__u64 events, bad, overruns;
	struct link_state links[NLMON_LINKS];
	char buf[NLMON_BUF_SIZE];
};

static const unsigned int nlmon_groups[] = {
	RTNLGRP_LINK,	    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
	RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,	 RTNLGRP_NEIGH,
};

const char *xmp_nl_kind_str(enum xmp_nl_kind kind)
{
	switch (kind) {
	case XMP_NL_ADDR_NEW:
		return "addr_new";
	case XMP_NL_ADDR_DEL:
		return "addr_del";
	case XMP_NL_LINK_UP:
		return "link_up";
	case XMP_NL_LINK_DOWN:
		return "link_down";
	case XMP_NL_ROUTE:
		return "route";
	case XMP_NL_RESYNC:
		return "resync";
	}
	return "unknown";
}

static void nlmon_rcvbuf(int fd)
{
	int sz = NLMON_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

int xmp_nlmon_open(struct xmp_nlmon **out)
{
	struct xmp_nlmon *m;
	unsigned int i;
	int err;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	err = xmp_rtnl_open(&m->nl, SOCK_NONBLOCK, 0);
	if (err)
		goto err_out;
	/* by membership, not the bind() bitmask, which stops at group 32 */
	for (i = 0; i < sizeof(nlmon_groups) / sizeof(nlmon_groups[0]); i++) {
		unsigned int grp = nlmon_groups[i];

		if (mnl_socket_setsockopt(m->nl, NETLINK_ADD_MEMBERSHIP, &grp,
					  sizeof(grp)) < 0) {
			err = -errno;
			goto err_out;
		}
	}
	nlmon_rcvbuf(mnl_socket_get_fd(m->nl));
	*out = m;
	return 0;
err_out:
	xmp_nlmon_close(m);
	return err;
}

int xmp_nlmon_fd(const struct xmp_nlmon *m)
{
	return mnl_socket_get_fd(m->nl);
}

void xmp_nlmon_close(struct xmp_nlmon *m)
{
	if (!m)
		return;
	if (m->nl)
		mnl_socket_close(m->nl);
	free(m);
}

void xmp_nlmon_stats(const struct xmp_nlmon *m, __u64 *events, __u64 *bad, __u64 *overruns)
{
	*events = m->events;
	*bad = m->bad;
	*overruns = m->overruns;
}

static void emit(struct xmp_nlmon *m, enum xmp_nl_kind kind, int ifindex,
		 const struct xmp_addr *addr, xmp_nlmon_cb cb, void *arg)
{
	struct xmp_nl_event ev = { .kind = kind, .ifindex = ifindex };

	if (addr)
		ev.addr = *addr;
	m->events++;
	cb(&ev, arg);
}

/* The slot of ifindex, or a free one for it; NULL when the table is full. */
static struct link_state *link_slot(struct xmp_nlmon *m, int ifindex)
{
	struct link_state *free_slot = NULL;
	int i;

	for (i = 0; i < NLMON_LINKS; i++) {
		if (m->links[i].ifindex == ifindex)
			return &m->links[i];
		if (!m->links[i].ifindex && !free_slot)
			free_slot = &m->links[i];
	}
	return free_slot;
}

/* Reports the state of ifindex if it changed (or was unknown). An
 * interface that does not fit the table is reported on every message:
 * repeats are harmless, a lost transition would not be. */
static void link_update(struct xmp_nlmon *m, int ifindex, bool up, xmp_nlmon_cb cb, void *arg)
{
	struct link_state *ls = link_slot(m, ifindex);

	if (ls && ls->ifindex == ifindex && ls->up == up)
		return;
	if (ls) {
		ls->ifindex = ifindex;
		ls->up = up;
	}
	emit(m, up ? XMP_NL_LINK_UP : XMP_NL_LINK_DOWN, ifindex, NULL, cb, arg);
}

static void link_forget(struct xmp_nlmon *m, int ifindex)
{
	struct link_state *ls = link_slot(m, ifindex);

	if (ls)
		ls->ifindex = 0;
}

static int link_msg(struct xmp_nlmon *m, const struct nlmsghdr *nlh, xmp_nlmon_cb cb, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const unsigned int up_flags = IFF_UP | IFF_RUNNING;
	struct link_state *ls;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi) || ifi->ifi_index <= 0)
		return -EINVAL;
	if (nlh->nlmsg_type == RTM_NEWLINK) {
		link_update(m, ifi->ifi_index, (ifi->ifi_flags & up_flags) == up_flags, cb, arg);
		return 0;
	}
	/* deleted: down, unless already known down */
	ls = link_slot(m, ifi->ifi_index);
	if (!ls || ls->ifindex != ifi->ifi_index || ls->up)
		emit(m, XMP_NL_LINK_DOWN, ifi->ifi_index, NULL, cb, arg);
	link_forget(m, ifi->ifi_index);
	return 0;
}

static int addr_msg(struct xmp_nlmon *m, const struct nlmsghdr *nlh, xmp_nlmon_cb cb, void *arg)
{
	struct xmp_ifaddr ia;
	int ret;

	ret = xmp_ifaddr_parse(nlh, &ia);
	if (ret <= 0)
		return ret;
	if (nlh->nlmsg_type == RTM_NEWADDR && xmp_ifaddr_usable(&ia))
		emit(m, XMP_NL_ADDR_NEW, ia.ifindex, &ia.addr, cb, arg);
	else if (nlh->nlmsg_type == RTM_DELADDR)
		emit(m, XMP_NL_ADDR_DEL, ia.ifindex, &ia.addr, cb, arg);
	return 0;
}

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **oif = data;

	if (mnl_attr_get_type(attr) == RTA_OIF) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		*oif = attr;
	}
	return MNL_CB_OK;
}

static int route_msg(struct xmp_nlmon *m, const struct nlmsghdr *nlh, xmp_nlmon_cb cb, void *arg)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *oif = NULL;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*rtm))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &oif) < 0)
		return -EINVAL;
	emit(m, XMP_NL_ROUTE, oif ? (int)mnl_attr_get_u32(oif) : 0, NULL, cb, arg);
	return 0;
}

static int neigh_msg(struct xmp_nlmon *m, const struct nlmsghdr *nlh, xmp_nlmon_cb cb, void *arg)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ndm))
		return -EINVAL;
	/* bridge FDB entries share the group; they never route our frames */
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return 0;
	emit(m, XMP_NL_ROUTE, ndm->ndm_ifindex, NULL, cb, arg);
	return 0;
}

static int msg_handle(struct xmp_nlmon *m, const struct nlmsghdr *nlh, xmp_nlmon_cb cb, void *arg)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return link_msg(m, nlh, cb, arg);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return addr_msg(m, nlh, cb, arg);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return route_msg(m, nlh, cb, arg);
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return neigh_msg(m, nlh, cb, arg);
	default:
		return 0;	/* NLMSG_NOOP, other families' messages */
	}
}

/* Walks one datagram; bytes left that do not form a message are one bad. */
static void recv_batch(struct xmp_nlmon *m, int len, xmp_nlmon_cb cb, void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)m->buf;

	while (mnl_nlmsg_ok(nlh, len)) {
		if (msg_handle(m, nlh, cb, arg) < 0)
			m->bad++;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	if (len > 0)
		m->bad++;
}

/* Lost notifications: the link table may hold states that changed since,
 * so forget it (the next message per link reports its state again) and
 * ask the caller, once per read, to re-read everything. */
static void overrun(struct xmp_nlmon *m, bool *resync_sent, xmp_nlmon_cb cb, void *arg)
{
	m->overruns++;
	memset(m->links, 0, sizeof(m->links));
	if (*resync_sent)
		return;
	*resync_sent = true;
	emit(m, XMP_NL_RESYNC, 0, NULL, cb, arg);
}

int xmp_nlmon_read(struct xmp_nlmon *m, xmp_nlmon_cb cb, void *arg)
{
	__u64 before = m->events;
	bool resync_sent = false;
	ssize_t n;
	int err;

	for (;;) {
		n = mnl_socket_recvfrom(m->nl, m->buf, sizeof(m->buf));
		if (n >= 0) {
			recv_batch(m, (int)n, cb, arg);
			continue;
		}
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			return (int)(m->events - before);
		case ENOBUFS:
			overrun(m, &resync_sent, cb, arg);
			continue;
		case ENOSPC:	/* truncated datagram (MSG_TRUNC) */
		case ESRCH:	/* not sent by the kernel */
			m->bad++;
			continue;
		default:
			err = -errno;
			pr_warn("nlmon: recv: %s\n", strerror(-err));
			return err;
		}
	}
}

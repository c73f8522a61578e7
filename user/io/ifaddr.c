// SPDX-License-Identifier: GPL-2.0
/*
 * Usable local addresses of an interface (see ifaddr.h): one RTM_GETADDR
 * dump of every family on a socket of its own, filtered here rather than
 * by the kernel (its per-ifindex dump filter needs NETLINK_GET_STRICT_CHK,
 * which older kernels lack). The socket lives for one call: the path
 * manager lists addresses on start and on resync only.
 * Call chain: xmp_ifaddr_list() -> addr_dump() -> addr_cb() -> xmp_ifaddr_parse().
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "io/addr.h"
#include "io/ifaddr.h"
#include "io/rtnl.h"

/* large enough for a dump batch of the kernel (it fills up to 32 KiB) */
#define DUMP_BUF_SIZE	32768
#define DUMP_TRIES	3

struct addr_attrs {
	const struct nlattr *tb[IFA_MAX + 1];
};

static int attr_collect(const struct nlattr *attr, void *data)
{
	struct addr_attrs *t = data;
	int type = mnl_attr_get_type(attr);

	if (type <= IFA_MAX)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

/* Link-local by address: the scope check alone would let through an
 * fe80:: or 169.254/16 address configured with "scope global". */
static bool addr_is_link_local(const struct xmp_addr *a)
{
	if (xmp_addr_is_v4(a))
		return a->a[12] == 169 && a->a[13] == 254;
	return a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80;
}

int xmp_ifaddr_parse(const struct nlmsghdr *nlh, struct xmp_ifaddr *ia)
{
	const struct ifaddrmsg *ifa;
	const struct nlattr *at;
	struct addr_attrs t = {};
	int alen;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifa))
		return -EINVAL;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_collect, &t) < 0)
		return -EINVAL;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 0;
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer on point-to-point links */
	at = t.tb[IFA_LOCAL] ? t.tb[IFA_LOCAL] : t.tb[IFA_ADDRESS];
	if (!at || mnl_attr_get_payload_len(at) != alen)
		return -EINVAL;
	memset(ia, 0, sizeof(*ia));
	if (alen == 4) {
		__be32 v4;

		memcpy(&v4, mnl_attr_get_payload(at), 4);
		xmp_addr_from_v4(&ia->addr, v4);
	} else {
		xmp_addr_from_v6(&ia->addr, mnl_attr_get_payload(at));
	}
	ia->ifindex = (int)ifa->ifa_index;
	ia->flags = ifa->ifa_flags;
	if (t.tb[IFA_FLAGS]) {
		if (mnl_attr_get_payload_len(t.tb[IFA_FLAGS]) != 4)
			return -EINVAL;
		ia->flags = mnl_attr_get_u32(t.tb[IFA_FLAGS]);
	}
	if (ifa->ifa_scope != RT_SCOPE_UNIVERSE || addr_is_link_local(&ia->addr))
		return 0;
	return 1;
}

struct addr_list {
	int ifindex;
	struct xmp_addr *out;
	int max;
	int n;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list *l = data;
	struct xmp_ifaddr ia;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	/* a malformed entry is skipped, not fatal: the others are still good */
	if (xmp_ifaddr_parse(nlh, &ia) != 1 || ia.ifindex != l->ifindex ||
	    !xmp_ifaddr_usable(&ia))
		return MNL_CB_OK;
	if (l->n < l->max)
		l->out[l->n] = ia.addr;
	l->n++;
	return MNL_CB_OK;
}

/* Sends the dump request and runs addr_cb over it until NLMSG_DONE. */
static int addr_dump(struct mnl_socket *nl, struct addr_list *l)
{
	char buf[DUMP_BUF_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	__u32 portid = mnl_socket_get_portid(nl);
	struct ifaddrmsg *ifa;
	__u32 seq = (__u32)time(NULL);
	ssize_t n;
	int ret;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run(buf, n, seq, portid, addr_cb, l);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

/* One dump on a fresh socket: after an interrupted dump the rest of it
 * is still queued, and a new socket is simpler than draining it. */
static int addr_list_once(struct addr_list *l)
{
	struct mnl_socket *nl;
	int err;

	err = xmp_rtnl_open(&nl, 0, XMP_RTNL_TIMEOUT_MS);
	if (err)
		return err;
	l->n = 0;
	err = addr_dump(nl, l);
	mnl_socket_close(nl);
	return err;
}

int xmp_ifaddr_list(int ifindex, struct xmp_addr *out, int max)
{
	struct addr_list l = { .ifindex = ifindex, .out = out, .max = max > 0 ? max : 0 };
	int err, tries;

	if (ifindex <= 0 || (max > 0 && !out))
		return -EINVAL;
	/* an address change during the dump makes the kernel flag it
	 * inconsistent (NLM_F_DUMP_INTR, EINTR from libmnl): dump again */
	for (tries = 0; tries < DUMP_TRIES; tries++) {
		err = addr_list_once(&l);
		if (err != -EINTR)
			break;
	}
	return err ? err : l.n;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Links and addresses of our interfaces, for the connection layer's path
 * manager (user/conn/pm.c decides what they change): the local addresses
 * of every --iface (io/ifaddr.h) and whether its link is up, read at
 * start-up and again on every rtnetlink event about them (io/nlmon.h),
 * which also flushes our route cache.
 *
 * Call chain: epoll (XD_SRC_NL) -> xmp_nlmon_read -> xd_nl_event ->
 * xd_addrs_scan -> xc_pm_addrs_changed | xc_pm_link_event.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "common/log.h"
#include "io/ifaddr.h"
#include "app/xmptcpd.h"

/* Carrier and admin state of an interface (IFF_UP and IFF_RUNNING). */
static bool link_up(const char *ifname)
{
	struct ifreq ifr = {};
	bool up = false;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true; /* cannot tell: let the subflow find out */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
		up = (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	close(fd);
	return up;
}

int xd_addrs_scan(struct xd_loop *l, bool changed)
{
	struct xc_local_addr la[XC_PM_ADDRS];
	struct xmp_addr a[XC_PM_ADDRS];
	unsigned int n = 0, p;
	int k, na;

	for (p = 0; p < l->nports; p++) {
		const struct xd_port *port = &l->port[p];
		bool up = link_up(port->ifname);

		na = xmp_ifaddr_list(port->ifindex, a, XC_PM_ADDRS);
		if (na < 0)
			return na;
		for (k = 0; k < na && k < XC_PM_ADDRS && n < XC_PM_ADDRS; k++) {
			la[n].addr = a[k];
			la[n].ifindex = port->ifindex;
			la[n].up = up;
			n++;
		}
	}
	if (changed)
		xc_pm_addrs_changed(l->xc, la, n);
	else
		xc_pm_set_addrs(l->xc, la, n);
	return 0;
}

/* The kernel's view changed: routes/neighbours (our cache), links and
 * addresses of our interfaces (the path manager: handover). */
void xd_nl_event(const struct xmp_nl_event *ev, void *arg)
{
	struct xd_loop *l = arg;
	struct xd_port *port = xd_loop_port(l, ev->ifindex);

	switch (ev->kind) {
	case XMP_NL_ROUTE:
		xmp_route_cache_flush(l->rc);
		break;
	case XMP_NL_LINK_UP:
	case XMP_NL_LINK_DOWN:
		xmp_route_cache_flush(l->rc);
		if (port) {
			pr_info("xmptcpd: link %s %s\n", port->ifname,
				ev->kind == XMP_NL_LINK_UP ? "up" : "down");
			if (ev->kind == XMP_NL_LINK_UP)
				xd_port_read_mtu(port);
			xc_pm_link_event(l->xc, ev->ifindex, ev->kind == XMP_NL_LINK_UP);
		}
		break;
	case XMP_NL_ADDR_NEW:
	case XMP_NL_ADDR_DEL:
		if (port)
			xd_addrs_scan(l, true);
		break;
	case XMP_NL_RESYNC:
		xmp_route_cache_flush(l->rc);
		xd_addrs_scan(l, true);
		break;
	}
}

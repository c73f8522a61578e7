/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rtnetlink socket of the io layer's kernel queries and events: route
 * and neighbour lookups (route.c), address dumps (ifaddr.c) and the
 * monitor (nlmon.c) open theirs here, one way.
 * Call chain: xmp_route_cache_new() / xmp_ifaddr_list() / xmp_nlmon_open()
 * -> xmp_rtnl_open().
 */
#ifndef XMP_IO_RTNL_H
#define XMP_IO_RTNL_H

#include <libmnl/libmnl.h>

/* How long a query may wait for the kernel's answer: a lookup or a dump
 * never blocks the event loop longer. */
#define XMP_RTNL_TIMEOUT_MS 1000

/*
 * An NETLINK_ROUTE socket bound to an automatic port id, opened with the
 * SOCK_* @flags of mnl_socket_open2() (SOCK_CLOEXEC is always added); with
 * @timeout_ms, reads give up after that long. 0 and *@out, or -errno.
 */
int xmp_rtnl_open(struct mnl_socket **out, int flags, unsigned int timeout_ms);

#endif

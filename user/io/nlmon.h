/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink monitor for the daemon's event loop: one non-blocking socket
 * subscribed to link, address, route and neighbour notifications, turned
 * into the few events the path manager and the route cache act on:
 *  - ADDR_NEW/ADDR_DEL: a usable local address (ifaddr.h) appeared or went
 *    away: open or close the subflows from it. An IPv6 address is new when
 *    it passes DAD (RTM_NEWADDR without IFA_F_TENTATIVE), not when added.
 *    Both are state reports, not strict transitions: ADDR_NEW repeats when
 *    the kernel re-announces an address (e.g. a lifetime refresh), and
 *    ADDR_DEL comes for any global address removed, also one never
 *    reported new (removed while tentative). The caller ignores unknown
 *    ones. An address becoming deprecated is not reported: existing
 *    subflows may keep using it (RFC 4862 5.5.4).
 *  - LINK_UP/LINK_DOWN: an interface gained or lost "up and running"
 *    (IFF_UP and IFF_RUNNING, i.e. carrier): fail subflows over. Only
 *    transitions are reported; the first message seen for an interface
 *    reports its state; a deleted interface reports LINK_DOWN.
 *  - ROUTE: any route or neighbour change: flush the route cache.
 *  - RESYNC: notifications were lost (socket overrun, ENOBUFS): re-read
 *    addresses and links, flush the route cache.
 * Open the monitor before reading the initial state (xmp_ifaddr_list()),
 * so that no change falls between the two.
 * Call chain: event loop (epoll on xmp_nlmon_fd()) -> xmp_nlmon_read() ->
 * per message handlers -> cb.
 */
#ifndef XMP_IO_NLMON_H
#define XMP_IO_NLMON_H

#include <linux/types.h>

#include "xmptcp/maps.h"

enum xmp_nl_kind {
	XMP_NL_ADDR_NEW,
	XMP_NL_ADDR_DEL,
	XMP_NL_LINK_UP,
	XMP_NL_LINK_DOWN,
	XMP_NL_ROUTE,		/* route or neighbour changed */
	XMP_NL_RESYNC,		/* events lost: re-read the state */
};

struct xmp_nl_event {
	enum xmp_nl_kind kind;
	int ifindex;		/* 0 when unknown (RESYNC, some routes) */
	struct xmp_addr addr;	/* ADDR_* only */
};

typedef void (*xmp_nlmon_cb)(const struct xmp_nl_event *ev, void *arg);

struct xmp_nlmon;

/* Opens and subscribes the monitor (non-blocking, close-on-exec). 0 or -errno. */
int xmp_nlmon_open(struct xmp_nlmon **out);
/* The socket to watch for EPOLLIN. */
int xmp_nlmon_fd(const struct xmp_nlmon *m);
/* Reads every pending notification (until EAGAIN), calling cb per event.
 * Returns the number of events or -errno. */
int xmp_nlmon_read(struct xmp_nlmon *m, xmp_nlmon_cb cb, void *arg);
void xmp_nlmon_close(struct xmp_nlmon *m);
/* Events delivered, malformed messages skipped, socket overruns. */
void xmp_nlmon_stats(const struct xmp_nlmon *m, __u64 *events, __u64 *bad, __u64 *overruns);

/* Name of an event kind ("addr_new", ...), for logs and tests. */
const char *xmp_nl_kind_str(enum xmp_nl_kind kind);

#endif

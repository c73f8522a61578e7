/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local addresses the path manager may open subflows from (fullmesh: one
 * subflow per local x remote pair), read from the kernel with an
 * RTM_GETADDR dump over rtnetlink (libmnl). "Usable" is one definition
 * shared with the rtnetlink monitor (nlmon.c): a unicast address of
 * global scope (no link-local fe80::/10 or 169.254/16, no host scope),
 * past duplicate address detection and preferred: not IFA_F_TENTATIVE,
 * IFA_F_DADFAILED or IFA_F_DEPRECATED.
 * Call chain: path manager -> xmp_ifaddr_list() -> xmp_ifaddr_parse().
 */
#ifndef XMP_IO_IFADDR_H
#define XMP_IO_IFADDR_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>

#include "xmptcp/maps.h"

/* Flags that make a global address unusable as a new subflow's source. */
#define XMP_IFA_UNUSABLE (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)

struct xmp_ifaddr {
	struct xmp_addr addr;
	int ifindex;
	__u32 flags;		/* IFA_F_* (the 32-bit IFA_FLAGS when present) */
};

/*
 * Parses one RTM_NEWADDR/RTM_DELADDR message. Returns 1 for a global-scope
 * unicast address (ia filled, flags not yet judged), 0 for an address the
 * path manager never uses (link-local, host scope, other families), or
 * -EINVAL for a malformed or truncated message.
 */
int xmp_ifaddr_parse(const struct nlmsghdr *nlh, struct xmp_ifaddr *ia);

static inline bool xmp_ifaddr_usable(const struct xmp_ifaddr *ia)
{
	return !(ia->flags & XMP_IFA_UNUSABLE);
}

/*
 * Usable addresses of interface ifindex (IPv4 and IPv6) into out[0..max).
 * Returns how many exist (may exceed max: only max are written) or -errno.
 */
int xmp_ifaddr_list(int ifindex, struct xmp_addr *out, int max);

#endif

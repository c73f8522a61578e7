// SPDX-License-Identifier: GPL-2.0
/*
 * The io layer's rtnetlink socket, see rtnl.h.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "io/rtnl.h"

int xmp_rtnl_open(struct mnl_socket **out, int flags, unsigned int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	struct mnl_socket *nl;
	int err;

	nl = mnl_socket_open2(NETLINK_ROUTE, flags | SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(nl);
		return err;
	}
	if (timeout_ms)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*out = nl;
	return 0;
}

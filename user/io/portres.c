// SPDX-License-Identifier: GPL-2.0
/*
 * Local port reservation with a bound kernel socket (see portres.h).
 * Called by the controller before it announces a listener or opens an
 * active subflow; released when the listener or the subflow is gone.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "common/log.h"
#include "io/addr.h"
#include "io/portres.h"

static int bound_port(int fd, __u16 *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	if (ss.ss_family == AF_INET)
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

int xmp_port_reserve(struct xmp_portres *r, const struct xmp_addr *addr, __u16 port)
{
	static const struct xmp_addr any;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, err, off = 0;

	r->fd = -1;
	if (!addr)
		addr = &any;
	/* all-zero is not v4-mapped: it becomes [::], which with V6ONLY off
	 * holds the port for IPv4 too */
	sl = xmp_addr_to_sockaddr(addr, port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	if (ss.ss_family == AF_INET6 && xmp_addr_is_any(addr) &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off))) {
		err = -errno;
		goto err_close;
	}
	/* no SO_REUSEADDR/SO_REUSEPORT: the point is exclusive use */
	if (bind(fd, (struct sockaddr *)&ss, sl)) {
		err = -errno;
		goto err_close;
	}
	err = bound_port(fd, &r->port);
	if (err)
		goto err_close;
	r->fd = fd;
	r->addr = *addr;
	pr_debug("portres: holding port %u\n", r->port);
	return 0;
err_close:
	close(fd);
	return err;
}

void xmp_port_release(struct xmp_portres *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

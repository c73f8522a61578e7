// SPDX-License-Identifier: GPL-2.0
/*
 * sd_notify(3)'s wire protocol, written here so that xmptcpd needs no
 * libsystemd (see sdnotify.h): the state goes as one datagram, and the
 * socket is closed at once (systemd reads the sender's credentials from
 * the datagram; nothing comes back).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/sdnotify.h"

/* $NOTIFY_SOCKET as an address: a path, or "@name" for the abstract name
 * "\0name" (its length counts, no terminating NUL). */
static int notify_addr(const char *name, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(name);

	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT;
	if (n < 2 || n >= sizeof(sa->sun_path))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 0;
}

int xmp_sd_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	int fd, err;

	if (!name || !*name)
		return 0;
	err = notify_addr(name, &sa, &len);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
		err = -errno;
	close(fd);
	return err;
}

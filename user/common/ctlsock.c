// SPDX-License-Identifier: GPL-2.0
/*
 * Client side of the control socket (ctlsock.h), shared by the xmptcp CLI,
 * and the socket itself, which the daemon side (user/app/ctl.c) binds.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "common/ctlsock.h"

int xmp_ctl_path_default(char *buf, size_t len)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	if (snprintf(buf, len, "%s/ns%lu.sock", XMP_CTL_DIR, (unsigned long)st.st_ino) >=
	    (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int xmp_ctl_socket(const char *path, bool listener)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (listener ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	err = listener ? bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 16)
		       : connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Reads the answer until EOF, never waiting more than the timeout for a
 * byte: a wedged daemon gives an error, not a hung CLI. */
static int ctl_read_all(int fd, FILE *out, int *is_err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[8192];
	bool first = true;
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&pfd, 1, XMP_CTL_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return -ETIMEDOUT;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		if (first && n >= 7 && !memcmp(buf, "error: ", 7))
			*is_err = 1;
		first = false;
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return -EIO;
	}
}

int xmp_ctl_request(const char *path, const char *req, FILE *out)
{
	size_t len = strlen(req);
	int fd, err, is_err = 0;

	if (len + 1 > XMP_CTL_REQ_MAX)
		return -EINVAL;
	fd = xmp_ctl_socket(path, false);
	if (fd < 0)
		return fd;
	if (write(fd, req, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		err = -errno;
		close(fd);
		return err ? err : -EIO;
	}
	err = ctl_read_all(fd, out, &is_err);
	close(fd);
	if (!err && is_err)
		err = -EPROTO;
	return err;
}

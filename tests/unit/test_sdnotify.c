// SPDX-License-Identifier: GPL-2.0
/*
 * systemd's readiness protocol as xmptcpd speaks it (user/common/sdnotify.c):
 * with $NOTIFY_SOCKET naming a datagram socket the test bound (a path, or
 * an abstract name written "@name"), xmp_sd_notify() delivers exactly the
 * state as one datagram; unset, it does nothing; an address it cannot use
 * or a socket nobody bound is an error, never a silent success.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/sdnotify.h"
#include "lib/test.h"

/* A bound datagram socket at sun_path (a leading '\0': abstract, of len). */
static int bound(const char *path, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, path, len);
	if (fd >= 0 &&
	    bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The one datagram waiting on fd, or "" when none is. */
static void received(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
}

static void unset_is_nothing(void)
{
	unsetenv("NOTIFY_SOCKET");
	CHECK_EQ(xmp_sd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	CHECK_EQ(xmp_sd_notify("READY=1"), 0);
}

/* A datagram socket bound at @addr (@len bytes), named @env in
 * NOTIFY_SOCKET, that received READY=1 from xmp_sd_notify(); -1 if not. */
static int bound_ready(const char *addr, size_t len, const char *env)
{
	char buf[64];
	int fd = bound(addr, len);

	CHECK(fd >= 0);
	if (fd < 0)
		return -1;
	setenv("NOTIFY_SOCKET", env, 1);
	CHECK_EQ(xmp_sd_notify("READY=1"), 0);
	received(fd, buf, sizeof(buf));
	CHECK(!strcmp(buf, "READY=1"));
	return fd;
}

static void path_socket(void)
{
	char path[64], buf[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/xmp-notify-%d.sock", (int)getpid());
	unlink(path);
	fd = bound_ready(path, strlen(path), path);
	if (fd < 0)
		return;
	CHECK_EQ(xmp_sd_notify("STOPPING=1"), 0);
	received(fd, buf, sizeof(buf));
	CHECK(!strcmp(buf, "STOPPING=1"));
	received(fd, buf, sizeof(buf));
	CHECK(!strcmp(buf, "")); /* one datagram per call, nothing more */
	close(fd);
	unlink(path);
	/* nobody bound there any more: said, not swallowed */
	CHECK_EQ(xmp_sd_notify("READY=1"), -ENOENT);
}

static void abstract_socket(void)
{
	char name[64], env[64];
	int fd;

	/* "\0xmp-notify-PID", written "@xmp-notify-PID" in NOTIFY_SOCKET */
	snprintf(env, sizeof(env), "@xmp-notify-%d", (int)getpid());
	memcpy(name, env, strlen(env));
	name[0] = '\0';
	fd = bound_ready(name, strlen(env), env);
	if (fd >= 0)
		close(fd);
}

static void bad_addresses(void)
{
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	CHECK_EQ(xmp_sd_notify("READY=1"), -EAFNOSUPPORT);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CHECK_EQ(xmp_sd_notify("READY=1"), -EAFNOSUPPORT);
	setenv("NOTIFY_SOCKET", "@", 1);
	CHECK_EQ(xmp_sd_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	RUN(unset_is_nothing);
	RUN(path_socket);
	RUN(abstract_socket);
	RUN(bad_addresses);
	return t_exit_code();
}

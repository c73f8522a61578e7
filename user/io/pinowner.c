// SPDX-License-Identifier: GPL-2.0
/*
 * Stale pin dirs (pinowner.h): the cookie of the namespace that attached,
 * read back from xmp_config and compared with this namespace's. Callers:
 * the CLI's pin.c (attach cleans stale pins, status/detach/flows report
 * them) and xmptcpd's loop_pins (refuses them).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "xmptcp/maps.h"
#include "io/owned.h"
#include "io/pinowner.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int xmp_netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, err = 0;

	/* any socket answers for the namespace it was created in */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

/* The cookie attach recorded; 0 when it recorded none. -ENOENT: no xmp_config. */
static int read_owner(const char *dir, __u64 *owner)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;
	struct xmp_config c = {};
	char path[PATH_MAX];
	int fd, err = 0;

	*owner = 0;
	if (snprintf(path, sizeof(path), "%s/%s", dir, XMP_MAP_CONFIG) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	/* an xmptcp from before the cookie pinned an 8-byte value */
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size != sizeof(c))
		goto out;
	if (bpf_map_lookup_elem(fd, &key, &c))
		err = -errno;
	else
		*owner = c.netns_cookie;
out:
	close(fd);
	return err;
}

/* Counts the XDP links pinned under dir/links and, of them, those still
 * attached to a device: the kernel clears a link's device when the device
 * goes, and a deleted namespace takes its virtual devices along. */
static void links_count(const char *dir, int *pinned, int *live)
{
	struct bpf_link_info info;
	char path[PATH_MAX];
	struct dirent *de;
	__u32 len;
	DIR *d;
	int fd;

	*pinned = *live = 0;
	if (snprintf(path, sizeof(path), "%s/links", dir) >= (int)sizeof(path))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "xdp_", 4))
			continue;
		if (snprintf(path, sizeof(path), "%s/links/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		(*pinned)++;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
		    info.xdp.ifindex)
			(*live)++;
		close(fd);
	}
	closedir(d);
}

static bool is_default_dir(const char *dir)
{
	char def[PATH_MAX];

	return !xmp_pin_dir_default(def, sizeof(def)) && !strcmp(def, dir);
}

int xmp_pins_check(const char *dir, __u64 *owner)
{
	int pinned, live;
	__u64 here;

	if (read_owner(dir, owner))
		return 0;
	if (*owner && !xmp_netns_cookie(&here)) {
		if (*owner == here)
			return 0;
		/* Live namespaces never share an inode, so under the default
		 * name another cookie is a namespace that is gone. An explicit
		 * --pin-dir could be another live namespace's: judged by its
		 * links below, so a running data plane is never taken away. */
		if (is_default_dir(dir))
			return -ESTALE;
	}
	/* No cookie to compare (a kernel before 5.14, pins of an older
	 * xmptcp): stale when XDP links are pinned and none has a device
	 * left, which is what a deleted namespace leaves behind. */
	links_count(dir, &pinned, &live);
	return pinned && !live ? -ESTALE : 0;
}

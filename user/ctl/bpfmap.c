// SPDX-License-Identifier: GPL-2.0
/* Pinned map access for the read-only commands (status.c, flows.c), and
 * the configuration of a loaded program (status.c, attach.c). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "ctl/bpfmap.h"
#include "ctl/pin.h"
#include "xdp_steer.skel.h"

int ctl_obj_open(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (pin_path(path, sizeof(path), "%s/%s", dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int ctl_map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

long ctl_map_count(int fd, __u32 key_size, __u32 max_entries)
{
	unsigned char *key, *next;
	long n = 0, guard = 2L * max_entries + 2;
	void *prev = NULL;

	key = calloc(2, key_size ? key_size : 1);
	if (!key)
		return -ENOMEM;
	next = key + key_size;
	while (guard-- > 0 && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	free(key);
	return n;
}

int ctl_stats_read(int fd, __u64 *out, unsigned int n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals;
	unsigned int i;
	int c, err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		__u32 key = i;

		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &key, vals)) {
			err = -errno;
			break;
		}
		for (c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return err;
}

/* Looks key 0 of the map id up if it is a .rodata map (libbpf names it
 * "<object prefix>.rodata"); -ENOENT if it is another map. */
static int rodata_read(__u32 id, void *out, __u32 len)
{
	struct bpf_map_info info;
	size_t nl;
	__u32 key = 0;
	void *val;
	int fd, err;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = ctl_map_info(fd, &info);
	nl = strlen(info.name);
	if (!err && (nl < 7 || strcmp(info.name + nl - 7, ".rodata")))
		err = -ENOENT;
	val = err ? NULL : calloc(1, info.value_size);
	if (!err && !val)
		err = -ENOMEM;
	if (!err && bpf_map_lookup_elem(fd, &key, val))
		err = -errno;
	if (!err)
		memcpy(out, val, len < info.value_size ? len : info.value_size);
	free(val);
	close(fd);
	return err;
}

int ctl_prog_rodata(int prog_fd, void *out, __u32 len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info), ids[16], i;
	int err = -ENOENT;

	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &ilen))
		return -errno;
	if (info.nr_map_ids > sizeof(ids) / sizeof(ids[0]))
		info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	for (i = 0; i < info.nr_map_ids && err == -ENOENT; i++)
		err = rodata_read(ids[i], out, len);
	return err;
}

int ctl_xdp_prog_meta(int prog_fd)
{
	struct xdp_steer_bpf__rodata ro;
	int err;

	memset(&ro, 0, sizeof(ro));
	err = ctl_prog_rodata(prog_fd, &ro, sizeof(ro));
	/* no read-only data: a build from before xmp_use_meta, which always wrote it */
	if (err == -ENOENT)
		return 1;
	return err ? err : ro.xmp_use_meta;
}

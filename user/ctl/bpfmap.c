// SPDX-License-Identifier: GPL-2.0
/* Pinned map access for the read-only commands (status.c, flows.c). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "ctl/bpfmap.h"
#include "ctl/pin.h"

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

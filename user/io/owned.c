// SPDX-License-Identifier: GPL-2.0
/*
 * Add/remove helpers over the pinned xmp_listeners, xmp_subflows and
 * xmp_tokens maps (see owned.h). The controller calls them when a listener
 * opens/closes, a subflow is created/destroyed, and a connection gets/loses
 * its token (RFC 8684 3.2: MP_JOIN SYNs name the connection by token).
 * Re-adding a listener keeps XDP's counters; a subflow entry is always
 * (re)written, as a tuple reused after TIME-WAIT is a new subflow; a token
 * already present is -EEXIST, so the caller picks a new key (RFC 8684 3.1:
 * a token must be unique on the host).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "common/log.h"
#include "io/owned.h"

int xmp_pin_dir_default(char *buf, size_t len)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	if (snprintf(buf, len, "%s/ns%lu", XMP_PIN_ROOT, (unsigned long)st.st_ino) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int xmp_pin_open(const char *dir, const char *name)
{
	char path[512];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = -errno;
		pr_warn("cannot open %s: %s (is `xmptcp attach` done?)\n", path, strerror(-fd));
	}
	return fd;
}

/* Optional: a data plane attached by an older xmptcp has no xmp_conns. */
static int open_conns(const char *dir)
{
	char path[512];

	if (snprintf(path, sizeof(path), "%s/%s", dir, XMP_MAP_CONNS) >= (int)sizeof(path))
		return -1;
	return bpf_obj_get(path);
}

static void owned_reset(struct xmp_owned *o)
{
	o->listeners_fd = -1;
	o->subflows_fd = -1;
	o->tokens_fd = -1;
	o->conns_fd = -1;
}

int xmp_owned_open(struct xmp_owned *o, const char *pin_dir)
{
	char def[256];
	int err;

	owned_reset(o);
	if (!pin_dir) {
		err = xmp_pin_dir_default(def, sizeof(def));
		if (err)
			return err;
		pin_dir = def;
	}
	err = o->listeners_fd = xmp_pin_open(pin_dir, XMP_MAP_LISTENERS);
	if (err < 0)
		goto err_out;
	err = o->subflows_fd = xmp_pin_open(pin_dir, XMP_MAP_SUBFLOWS);
	if (err < 0)
		goto err_out;
	err = o->tokens_fd = xmp_pin_open(pin_dir, XMP_MAP_TOKENS);
	if (err < 0)
		goto err_out;
	o->conns_fd = open_conns(pin_dir);
	return 0;
err_out:
	xmp_owned_close(o);
	return err;
}

int xmp_owned_from_fds(struct xmp_owned *o, int listeners_fd, int subflows_fd, int tokens_fd)
{
	int err;

	owned_reset(o);
	o->listeners_fd = dup(listeners_fd);
	o->subflows_fd = dup(subflows_fd);
	o->tokens_fd = dup(tokens_fd);
	if (o->listeners_fd < 0 || o->subflows_fd < 0 || o->tokens_fd < 0) {
		err = -errno;
		xmp_owned_close(o);
		return err;
	}
	return 0;
}

void xmp_owned_close(struct xmp_owned *o)
{
	if (o->listeners_fd >= 0)
		close(o->listeners_fd);
	if (o->subflows_fd >= 0)
		close(o->subflows_fd);
	if (o->tokens_fd >= 0)
		close(o->tokens_fd);
	if (o->conns_fd >= 0)
		close(o->conns_fd);
	owned_reset(o);
}

void xmp_listen_key_make(struct xmp_listen_key *k, const struct xmp_addr *addr, __u16 port)
{
	memset(k, 0, sizeof(*k));
	if (addr)
		k->addr = *addr;
	k->port = htons(port);
}

void xmp_tuple_make(struct xmp_tuple *t, const struct xmp_addr *peer, __u16 peer_port,
		    const struct xmp_addr *local, __u16 local_port)
{
	memset(t, 0, sizeof(*t));
	t->saddr = *peer;
	t->daddr = *local;
	t->sport = htons(peer_port);
	t->dport = htons(local_port);
}

/* Inserts key -> val unless present (an existing listener keeps its counters). */
static int map_add(int fd, const void *key, const void *val)
{
	if (fd < 0)
		return -EBADF;
	if (!bpf_map_update_elem(fd, key, val, BPF_NOEXIST) || errno == EEXIST)
		return 0;
	return -errno;
}

static int map_del(int fd, const void *key)
{
	if (fd < 0)
		return -EBADF;
	return bpf_map_delete_elem(fd, key) ? -errno : 0;
}

int xmp_owned_add_listener(struct xmp_owned *o, const struct xmp_addr *addr, __u16 port,
			   __u32 flags)
{
	struct xmp_listen_val v = { .flags = flags }, cur;
	struct xmp_listen_key k;
	int err;

	xmp_listen_key_make(&k, addr, port);
	err = map_add(o->listeners_fd, &k, &v);
	if (err || bpf_map_lookup_elem(o->listeners_fd, &k, &cur) || cur.flags == flags)
		return err;
	/* left by a daemon that died with other flags: ours now, counters kept */
	cur.flags = flags;
	return bpf_map_update_elem(o->listeners_fd, &k, &cur, BPF_EXIST) ? -errno : 0;
}

int xmp_owned_del_listener(struct xmp_owned *o, const struct xmp_addr *addr, __u16 port)
{
	struct xmp_listen_key k;

	xmp_listen_key_make(&k, addr, port);
	return map_del(o->listeners_fd, &k);
}

int xmp_owned_listener_syns(struct xmp_owned *o, const struct xmp_addr *addr, __u16 port,
			    __u64 *syns)
{
	struct xmp_listen_val v;
	struct xmp_listen_key k;

	xmp_listen_key_make(&k, addr, port);
	if (bpf_map_lookup_elem(o->listeners_fd, &k, &v))
		return -errno;
	*syns = v.syns;
	return 0;
}

int xmp_owned_add_subflow(struct xmp_owned *o, const struct xmp_tuple *t, __u32 conn_id)
{
	struct xmp_sf_val v = { .conn_id = conn_id };

	if (o->subflows_fd < 0)
		return -EBADF;
	return bpf_map_update_elem(o->subflows_fd, t, &v, BPF_ANY) ? -errno : 0;
}

int xmp_owned_del_subflow(struct xmp_owned *o, const struct xmp_tuple *t)
{
	return map_del(o->subflows_fd, t);
}

int xmp_owned_add_token(struct xmp_owned *o, __u32 token, __u32 conn_id)
{
	struct xmp_token_val v = { .conn_id = conn_id };

	if (o->tokens_fd < 0)
		return -EBADF;
	return bpf_map_update_elem(o->tokens_fd, &token, &v, BPF_NOEXIST) ? -errno : 0;
}

int xmp_owned_del_token(struct xmp_owned *o, __u32 token)
{
	return map_del(o->tokens_fd, &token);
}

int xmp_owned_put_conn(struct xmp_owned *o, __u32 id, const struct xmp_conn_val *v)
{
	if (o->conns_fd < 0)
		return -ENOENT;
	return bpf_map_update_elem(o->conns_fd, &id, v, BPF_ANY) ? -errno : 0;
}

int xmp_owned_del_conn(struct xmp_owned *o, __u32 id)
{
	if (o->conns_fd < 0)
		return -ENOENT;
	return map_del(o->conns_fd, &id);
}

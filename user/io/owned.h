/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the controller owns, published to bpf/xdp_steer.bpf.c through its
 * pinned maps (layouts in include/xmptcp/maps.h): listeners (local addr,
 * port), subflows (4-tuple as seen on ingress: src = peer, dst = us) and
 * MP_JOIN tokens. XDP steers matching segments to our XSKs; everything
 * else stays with the kernel. Keys use v4-mapped addresses for IPv4.
 *
 * Ports and tokens are given in host order; the helpers build the keys
 * with the byte order each field declares.
 */
#ifndef XMP_IO_OWNED_H
#define XMP_IO_OWNED_H

#include <stddef.h>
#include <linux/types.h>

#include "xmptcp/maps.h"

struct xmp_owned {
	int listeners_fd;
	int subflows_fd;
	int tokens_fd;
	int conns_fd; /* xmp_conns, -1 when the attached data plane predates it */
};

/* Default pin directory of this network namespace, as `xmptcp attach`
 * uses it: /sys/fs/bpf/xmptcp/ns<inode of /proc/self/ns/net>. */
int xmp_pin_dir_default(char *buf, size_t len);
/* Opens the object pinned as dir/name: its fd, or -errno after a warning
 * that names the path (the usual cause: no `xmptcp attach` yet). */
int xmp_pin_open(const char *dir, const char *name);

/* Opens the three maps pinned under pin_dir (NULL: the default). */
int xmp_owned_open(struct xmp_owned *o, const char *pin_dir);
/* Uses map fds the caller already has (e.g. from a skeleton); they are dup'ed. */
int xmp_owned_from_fds(struct xmp_owned *o, int listeners_fd, int subflows_fd, int tokens_fd);
void xmp_owned_close(struct xmp_owned *o);

/* Key builders (addr: v4-mapped or IPv6; all-zero = wildcard listener). */
void xmp_listen_key_make(struct xmp_listen_key *k, const struct xmp_addr *addr, __u16 port);
void xmp_tuple_make(struct xmp_tuple *t, const struct xmp_addr *peer, __u16 peer_port,
		    const struct xmp_addr *local, __u16 local_port);

/* 0 or -errno. Re-adding a listener keeps its counters. flags:
 * XMP_LISTEN_F_* (include/xmptcp/maps.h). */
int xmp_owned_add_listener(struct xmp_owned *o, const struct xmp_addr *addr, __u16 port,
			   __u32 flags);
int xmp_owned_del_listener(struct xmp_owned *o, const struct xmp_addr *addr, __u16 port);
/* SYNs XDP steered to this listener so far. */
int xmp_owned_listener_syns(struct xmp_owned *o, const struct xmp_addr *addr, __u16 port,
			    __u64 *syns);

/* Writes the entry afresh (counters zeroed) even if the tuple was present. */
int xmp_owned_add_subflow(struct xmp_owned *o, const struct xmp_tuple *t, __u32 conn_id);
int xmp_owned_del_subflow(struct xmp_owned *o, const struct xmp_tuple *t);

/* -EEXIST when the token is already owned (pick another key). */
int xmp_owned_add_token(struct xmp_owned *o, __u32 token, __u32 conn_id);
int xmp_owned_del_token(struct xmp_owned *o, __u32 token);

/* The connection table for inspection (xmp_conns); no-ops returning
 * -ENOENT when the map is not there. */
int xmp_owned_put_conn(struct xmp_owned *o, __u32 id, const struct xmp_conn_val *v);
int xmp_owned_del_conn(struct xmp_owned *o, __u32 id);

#endif

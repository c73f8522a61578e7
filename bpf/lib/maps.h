/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps of the data plane, declared once and included by both programs.
 * Each is pinned by name (LIBBPF_PIN_BY_NAME): the loader opens the XDP and
 * the TC skeletons with the same pin_root_path, so the second program reuses
 * the maps the first one pinned and both update one xmp_observe/xmp_stats.
 * Layouts and semantics: include/xmptcp/maps.h. The C variable names are the
 * XMP_MAP_* strings, so the pinned file names match them.
 */
#ifndef XMP_BPF_MAPS_H
#define XMP_BPF_MAPS_H

#include "lib/consts.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XMP_MAX_LISTENERS);
	__type(key, struct xmp_listen_key);
	__type(value, struct xmp_listen_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XMP_MAX_SUBFLOWS);
	__type(key, struct xmp_tuple);
	__type(value, struct xmp_sf_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_subflows SEC(".maps");

/* key: MP_JOIN token, host order */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XMP_MAX_TOKENS);
	__type(key, __u32);
	__type(value, struct xmp_token_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_tokens SEC(".maps");

/* key: the controller's connection id; written by xmptcpd only, for
 * inspection (bpftool prints it with field names) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XMP_MAX_CONNS);
	__type(key, __u32);
	__type(value, struct xmp_conn_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_conns SEC(".maps");

/* key: ifindex; value: its slot in xmp_xsks (set by user/io/ when a socket
 * of that interface registers) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XMP_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_ifslots SEC(".maps");

/* key: slot * XMP_MAX_QUEUES + rx queue index; value: AF_XDP socket fd
 * (set by user/io/) */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XMP_MAX_IFACES * XMP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_xsks SEC(".maps");

/* key: enum xmp_counter */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XMP_C_NR);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XMP_MAX_OBSERVE);
	__type(key, struct xmp_tuple);
	__type(value, struct xmp_obs_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_observe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xmp_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xmp_config SEC(".maps");

/* Flags of xmp_config; 0 when the loader has not written it yet. */
static __always_inline __u32 xmp_cfg_flags(void)
{
	__u32 zero = 0;
	struct xmp_config *cfg = bpf_map_lookup_elem(&xmp_config, &zero);

	return cfg ? cfg->flags : 0;
}

#endif

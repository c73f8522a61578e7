/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the BPF_PROG_TEST_RUN tests of tests/bpf/: load the
 * skeletons without pinning (tests never touch /sys/fs/bpf), run one packet
 * through a program, read the per-CPU counters of xmp_stats summed over
 * CPUs, and set xmp_config.
 */
#ifndef XMP_TEST_BPF_HARNESS_H
#define XMP_TEST_BPF_HARNESS_H

#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xmptcp/maps.h>

#include "lib/pkt.h"
#include "lib/test.h"

static int h_quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	if (l == LIBBPF_WARN && getenv("XMP_TEST_VERBOSE"))
		return vfprintf(stderr, f, ap);
	return 0;
}

/* Every map unpinned, so the test gets private maps. */
static inline void h_unpin(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) bpf_map__set_pin_path(m, NULL);
}

/* Make obj (not yet loaded) use the maps of a loaded object, by name. */
static inline int h_share_maps(struct bpf_object *obj, struct bpf_object *from)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
	{
		struct bpf_map *f = bpf_object__find_map_by_name(from, bpf_map__name(m));

		if (f && bpf_map__reuse_fd(m, bpf_map__fd(f)))
			return -1;
	}
	return 0;
}

static inline int h_set_cfg(struct bpf_object *obj, __u32 flags)
{
	struct xmp_config c = {.flags = flags};
	__u32 zero = 0;

	return bpf_map__update_elem(bpf_object__find_map_by_name(obj, XMP_MAP_CONFIG), &zero,
				    sizeof(zero), &c, sizeof(c), 0);
}

struct h_stats {
	__u64 c[XMP_C_NR];
};

static inline void h_stats(struct bpf_object *obj, struct h_stats *s)
{
	int fd = bpf_map__fd(bpf_object__find_map_by_name(obj, XMP_MAP_STATS));
	int ncpu = libbpf_num_possible_cpus();
	__u64 v[ncpu > 0 ? ncpu : 1];
	__u32 i;
	int c;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < XMP_C_NR; i++) {
		if (bpf_map_lookup_elem(fd, &i, v))
			continue;
		for (c = 0; c < ncpu; c++)
			s->c[i] += v[c];
	}
}

/* Result of one XDP run: verdict, then the output frame split into the
 * metadata the program left in front (ctx_out.data bytes) and the frame. */
struct h_xdp_out {
	int ret;
	__u32 retval;
	__u32 meta_len;
	struct xmp_meta meta;
	__u8 data[PKT_MAX + 64];
	__u32 data_len;
};

static inline void h_run_xdp(int prog_fd, const struct pkt *k, __u32 rxq, struct h_xdp_out *out)
{
	struct xdp_md ctx_in = {.data_end = (__u32)k->len, .rx_queue_index = rxq};
	struct xdp_md ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = (__u32)k->len,
		    .data_out = out->data, .data_size_out = sizeof(out->data), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	memset(out, 0, sizeof(*out));
	out->ret = bpf_prog_test_run_opts(prog_fd, &o);
	out->retval = o.retval;
	out->data_len = o.data_size_out;
	/* Since 5.x the test run copies from data_meta and reports the
	 * metadata length as ctx_out.data. */
	out->meta_len = ctx_out.data;
	if (out->meta_len == sizeof(out->meta))
		memcpy(&out->meta, out->data, sizeof(out->meta));
}

static inline int h_run_skb(int prog_fd, const struct pkt *k, __u32 *retval)
{
	__u8 buf[PKT_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = (__u32)k->len,
		    .data_out = buf, .data_size_out = sizeof(buf), .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	*retval = o.retval;
	return err;
}

static inline int h_need_root(void)
{
	if (geteuid() != 0) {
		printf("ok - bpf tests # SKIP need root for BPF_PROG_TEST_RUN\n");
		return 1;
	}
	return 0;
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark baseline (bench/xdp_parse.c): an XDP program that does
 * nothing, so BPF_PROG_TEST_RUN's own cost per packet can be subtracted
 * from xdp_steer's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_empty(struct xdp_md *ctx __attribute__((unused)))
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

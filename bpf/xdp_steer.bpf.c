// SPDX-License-Identifier: GPL-2.0
/* placeholder until the parser lands */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp")
int xdp_steer(struct xdp_md *ctx __attribute__((unused)))
{
	return XDP_PASS;
}
char _license[] SEC("license") = "GPL";

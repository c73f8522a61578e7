/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel features the XDP data path may use, probed by loading tiny
 * programs: a probe is one BPF_PROG_LOAD of a few raw instructions, so it
 * asks the verifier of this very kernel. libbpf_probe_bpf_helper() and
 * `bpftool feature probe` were seen to claim bpf_xdp_adjust_meta on a
 * kernel whose verifier then refused it in XDP programs; a real load
 * cannot be wrong that way. Used by `xmptcp attach` (once per call) and by
 * the BPF tests, which run their metadata checks only where it loads.
 */
#ifndef XMP_IO_FEATURES_H
#define XMP_IO_FEATURES_H

#include <stdbool.h>

struct xmp_features {
	bool xdp_meta;	/* an XDP program may call bpf_xdp_adjust_meta */
	bool xdp_frags;	/* XDP programs load with BPF_F_XDP_HAS_FRAGS (xdp.frags) */
};

/* 1: an XDP program calling bpf_xdp_adjust_meta loads; 0: refused;
 * -EPERM when this process may not load BPF at all. */
int xmp_probe_xdp_meta(void);
/* 1: an XDP program flagged BPF_F_XDP_HAS_FRAGS loads; 0: refused; -EPERM. */
int xmp_probe_xdp_frags(void);
/* Both probes; 0, or -EPERM when BPF cannot be loaded (fields then false). */
int xmp_probe_features(struct xmp_features *f);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes of the XDP data path (see features.h): each loads a
 * program of three or four raw instructions and closes it at once.
 * EPERM/EACCES say nothing about the feature (the caller may not load BPF
 * at all) and are returned as errors; any other refusal means "no".
 */
#include <errno.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "io/features.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						  .off = (o), .imm = (i) })
#define MOV_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define CALL(fn)	INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int probe_load(const char *name, const struct bpf_insn *insns, size_t n, __u32 flags)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_XDP, .prog_flags = flags);
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, &o);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EPERM || errno == EACCES ? -EPERM : 0;
}

int xmp_probe_xdp_meta(void)
{
	/* r1 = ctx already; r2 = 0: a zero-sized adjustment is enough for
	 * the verifier to check the helper against the program type. */
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_2, 0),
		CALL(BPF_FUNC_xdp_adjust_meta),
		MOV_IMM(BPF_REG_0, XDP_PASS),
		EXIT(),
	};

	return probe_load("xmp_probe_meta", insns, sizeof(insns) / sizeof(insns[0]), 0);
}

int xmp_probe_xdp_frags(void)
{
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_0, XDP_PASS),
		EXIT(),
	};

	return probe_load("xmp_probe_frags", insns, sizeof(insns) / sizeof(insns[0]),
			  BPF_F_XDP_HAS_FRAGS);
}

int xmp_probe_features(struct xmp_features *f)
{
	int meta = xmp_probe_xdp_meta(), frags = xmp_probe_xdp_frags();

	f->xdp_meta = meta == 1;
	f->xdp_frags = frags == 1;
	return meta < 0 ? meta : frags < 0 ? frags : 0;
}

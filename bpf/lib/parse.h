/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The whole-frame parser, one entry for XDP and TC. XMP_DEFINE_PARSER()
 * instantiates it for one context type: the L2/L3 and TCP parts inlined
 * into the caller, the handler of one MPTCP option as a global (BPF-to-BPF,
 * non-inlined) function. Being global matters for that handler: the
 * verifier checks it once, on its own, and each option scan step continues
 * from a single state instead of re-verifying the MPTCP variants (over the
 * 1M-instruction budget). The price is one call per MPTCP option.
 */
#ifndef XMP_BPF_PARSE_H
#define XMP_BPF_PARSE_H

#include "lib/parse_l3.h"
#include "lib/parse_tcp.h"

/* Fast path of the option copy: when 40 bytes past the fixed TCP header
 * are in the frame (any segment with a little payload), five 8-byte loads
 * instead of a helper call. The bytes past the option area are never
 * interpreted: the scan stops at optlen. Returns -1 when the slow path
 * (load_bytes) is needed. */
static __always_inline int xmp_copy_opts(void *data, void *data_end, struct xmp_parse *p,
					 struct xmp_optbuf *ob)
{
	__u64 *src = data + (p->m.l4_off & 0x7fff) + XMP_TCP_HLEN;

	if ((void *)(src + 5) > data_end)
		return -1;
	ob->w[0] = src[0];
	ob->w[1] = src[1];
	ob->w[2] = src[2];
	ob->w[3] = src[3];
	ob->w[4] = src[4];
	return 0;
}

/*
 * Instantiates, for one context type, NAME() and its two inlined halves
 * (L2/L3; the TCP header with its option scan) plus one global function,
 * NAME_opt(), for a single MPTCP option: verified apart, so each step of
 * the option scan does not re-verify the many MPTCP variants.
 * NAME() returns 0 when p->l4_off/l4_proto name a transport header (for TCP,
 * p->tcp_ok tells whether its header was usable), -1 otherwise.
 * load_bytes is bpf_xdp_load_bytes or bpf_skb_load_bytes (same signature).
 * The caller zeroes *p and sets p->wire_len (and p->m.magic) first.
 *
 * Why only the option handler is global: every BPF-to-BPF call costs a
 * return, and with the SRSO "safe RET" mitigation of AMD CPUs each return
 * mispredicts (bench/xdp_parse: the L3 and TCP calls were ~10% of a DSS
 * segment's cost). Inlined, the L3 and TCP halves cost the verifier ~65k
 * instructions per program (of the 1M budget); inlining the MPTCP option
 * handler as well makes it re-verify every variant at every scan step and
 * exceeds the budget, so that one stays global.
 */
/* Keeps clang from deriving data_end's address from data's (ctx + 76,
 * then + 4 on __sk_buff): the verifier refuses a modified ctx pointer. */
#define XMP_CTX_BARRIER(ctx) asm volatile("" : "+r"(ctx))

#define XMP_DEFINE_PARSER(name, ctx_type, load_bytes)                                              \
	static __always_inline int name##_l3(ctx_type *ctx, struct xmp_parse *p)                   \
	{                                                                                          \
		void *data, *data_end;                                                             \
                                                                                                   \
		XMP_CTX_BARRIER(ctx);                                                              \
		data = (void *)(long)ctx->data;                                                    \
		data_end = (void *)(long)ctx->data_end;                                            \
		return xmp_parse_l2l3(data, data_end, p);                                          \
	}                                                                                          \
                                                                                                   \
	__attribute__((noinline)) int name##_opt(struct xmp_parse *p, struct xmp_optbuf *ob,       \
						 __u32 pos, __u32 len)                             \
	{                                                                                          \
		if (!p || !ob)                                                                     \
			return -1;                                                                 \
		pos &= 0x3f;                                                                       \
		xmp_parse_opt(p, ob->b + pos, len, XMP_TCP_HLEN + pos);                            \
		return 0;                                                                          \
	}                                                                                          \
                                                                                                   \
	static __always_inline int name##_tcp(ctx_type *ctx, struct xmp_parse *p)                  \
	{                                                                                          \
		void *data, *data_end;                                                             \
		struct xmp_optbuf ob;                                                              \
		__u32 optlen;                                                                      \
		int ret;                                                                           \
                                                                                                   \
		XMP_CTX_BARRIER(ctx);                                                              \
		data = (void *)(long)ctx->data;                                                    \
		data_end = (void *)(long)ctx->data_end;                                            \
		ret = xmp_parse_tcp_hdr(data, data_end, p);                                        \
		if (ret < 0)                                                                       \
			return -1;                                                                 \
		optlen = ret;                                                                      \
		if (!optlen)                                                                       \
			return 0;                                                                  \
		/* two tests clang cannot fuse: the verifier needs both bounds */                  \
		asm volatile("" : "+r"(optlen));                                                   \
		if (optlen > XMP_MAX_OPT_BYTES)                                                    \
			return 0;                                                                  \
		__builtin_memset(&ob, 0, sizeof(ob));                                              \
		if (xmp_copy_opts(data, data_end, p, &ob) &&                                       \
		    load_bytes(ctx, p->m.l4_off + XMP_TCP_HLEN, ob.b, optlen)) {                   \
			xmp_note(p, XMP_R_OPT_TRUNC);                                              \
			return 0;                                                                  \
		}                                                                                  \
		xmp_scan_opts(p, &ob, optlen, name##_opt);                                         \
		return 0;                                                                          \
	}                                                                                          \
                                                                                                   \
	static __always_inline int name(ctx_type *ctx, struct xmp_parse *p)                        \
	{                                                                                          \
		if (name##_l3(ctx, p))                                                             \
			return -1;                                                                 \
		if (p->l4_proto == IPPROTO_TCP)                                                    \
			name##_tcp(ctx, p);                                                        \
		return 0;                                                                          \
	}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * IP/TCP checksums and RFC 1624 updates (see csum.h) on top of the shared
 * ones' complement sum of common/csum.c. Used by pkt.c to build and verify
 * frames; nothing here touches packet layout.
 */
#include "io/addr.h"
#include "io/csum.h"

__u16 xmp_csum_ip4(const void *iph, size_t ihl_bytes)
{
	return xmp_sum_finish(xmp_sum_add(0, iph, ihl_bytes));
}

__u32 xmp_csum_pseudo(const struct xmp_addr *saddr, const struct xmp_addr *daddr,
		      __u8 proto, __u32 l4_len)
{
	__u32 sum = 0;

	if (xmp_addr_is_v4(saddr)) {
		/* RFC 9293 3.1: src, dst, zero, PTCL, TCP length (16 bits) */
		sum = xmp_sum_add(sum, &saddr->a[12], 4);
		sum = xmp_sum_add(sum, &daddr->a[12], 4);
		sum += proto;
		sum += l4_len & 0xffff;
	} else {
		/* RFC 8200 8.1: src, dst, 32-bit length, 3 zero bytes, next header */
		sum = xmp_sum_add(sum, saddr->a, 16);
		sum = xmp_sum_add(sum, daddr->a, 16);
		sum += l4_len >> 16;
		sum += l4_len & 0xffff;
		sum += proto;
	}
	return sum;
}

__u16 xmp_csum_tcp(const struct xmp_addr *saddr, const struct xmp_addr *daddr,
		   const void *tcph, __u32 l4_len)
{
	__u32 sum = xmp_csum_pseudo(saddr, daddr, 6 /* IPPROTO_TCP */, l4_len);

	return xmp_sum_finish(xmp_sum_add(sum, tcph, l4_len));
}

__u16 xmp_csum_replace16(__u16 check, __u16 old, __u16 new_val)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old;
	sum += new_val;
	return xmp_sum_finish(sum);
}

__u16 xmp_csum_replace32(__u16 check, __u32 old, __u32 new_val)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~(old >> 16);
	sum += (__u16)~(old & 0xffff);
	sum += new_val >> 16;
	sum += new_val & 0xffff;
	return xmp_sum_finish(sum);
}

__u16 xmp_csum_replace_bytes(__u16 check, const void *old, const void *new_val, size_t n)
{
	const __u8 *o = old, *nv = new_val;
	__u32 sum = (__u16)~check;
	size_t i;

	/* Eqn. 3 applied word by word (~m per old word), not ~ of the
	 * xmp_sum_add() of all old words: that may differ as 0 vs 0xffff. */
	for (i = 0; i + 1 < n; i += 2) {
		sum += (__u16)~((__u16)(o[i] << 8 | o[i + 1]));
		sum += (__u16)(nv[i] << 8 | nv[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return xmp_sum_finish(sum);
}

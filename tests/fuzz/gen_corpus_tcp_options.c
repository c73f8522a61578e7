// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpus for tests/fuzz/fuzz_tcp_options.c: option areas written by the
 * engine's own writers (xmp_tcp_write_syn_options / write_ts / write_sack)
 * over many combinations of MSS, window scale, SACK-permitted, timestamps
 * and SACK block counts, some followed by an MPTCP option as on our data
 * segments, plus a few malformed areas the decoder must survive: length 0
 * and 1, a length running past the end, a kind without its length byte,
 * EOL in the middle, NOP runs, wrong fixed lengths.
 *
 * Built by `make`; tests/fuzz/run.sh calls it with the corpus directory.
 */
#include <stdio.h>
#include <string.h>

#include <xmptcp/mptcp_wire.h>

#include "fuzz/corpus.h"
#include "tcp/tcp_int.h"

static int save(const __u8 *buf, size_t len)
{
	return corpus_save(NULL, buf, len);
}

/* SYN / SYN-ACK areas, alone and with an MP_CAPABLE after them. */
static int gen_syn(void)
{
	static const __u16 mss[] = {536, 1460, 8960, 65535};
	static const int ws[] = {-1, 0, 7, 14};
	__u8 area[TCP_MAX_OPT_BYTES];
	int ret = 0, n;

	for (unsigned int m = 0; m < 4 && !ret; m++) {
		for (unsigned int w = 0; w < 4 && !ret; w++) {
			for (int flags = 0; flags < 4 && !ret; flags++) {
				n = xmp_tcp_write_syn_options(area, sizeof(area), mss[m], ws[w],
							      flags & 1, flags & 2, 0x01020304 * m,
							      flags & 1 ? 0xfffffff0u : 0);
				if (n < 0)
					return n;
				/* MP_CAPABLE SYN, v1, H flag: what our SYNs carry */
				if (w == 2) {
					area[n++] = TCPOPT_MPTCP;
					area[n++] = 4;
					area[n++] = 0x01;
					area[n++] = 0x01;
				}
				ret = save(area, n);
			}
		}
	}
	return ret;
}

/* Data segment areas: TS, SACK with 1..4 blocks, both, plus MPTCP room. */
static int gen_data(void)
{
	__u32 blocks[4][2] = {
	    {0xfffffc00u, 0xfffffe00u}, {0x100, 0x300}, {0x1000, 0x2000}, {0x7ffffff0, 0x80000010}};
	__u8 area[TCP_MAX_OPT_BYTES];
	int ret = 0, n, off;

	for (unsigned int nb = 0; nb <= 4 && !ret; nb++) {
		for (int ts = 0; ts < 2 && !ret; ts++) {
			off = 0;
			if (ts) {
				n = xmp_tcp_write_ts(area, sizeof(area), 0xdeadbeef, 42);
				if (n < 0)
					return n;
				off = n;
			}
			off += xmp_tcp_write_sack(area + off, sizeof(area) - off,
						  (const __u32(*)[2])blocks, nb);
			if (!off)
				continue;
			ret = save(area, off);
			if (!ret && off + 12 <= (int)sizeof(area)) {
				/* MP_FAIL-sized MPTCP option (12 bytes) after them */
				memset(area + off, 0, 12);
				area[off] = TCPOPT_MPTCP;
				area[off + 1] = 12;
				area[off + 2] = 0x60;
				ret = save(area, off + 12);
			}
		}
	}
	return ret;
}

static int gen_malformed(void)
{
	static const __u8 len0[] = {TCPOPT_TS_, 0, 1, 1};
	static const __u8 len1[] = {TCPOPT_MSS_, 1, 0x05, 0xb4};
	static const __u8 past_end[] = {TCPOPT_NOP_, TCPOPT_SACK_, 34, 0, 0, 0, 1, 0, 0, 0, 2};
	static const __u8 no_len[] = {TCPOPT_NOP_, TCPOPT_NOP_, TCPOPT_NOP_, TCPOPT_TS_};
	static const __u8 eol_mid[] = {TCPOPT_MSS_, 4, 5, 0xb4, TCPOPT_EOL_, TCPOPT_WSCALE_, 3, 7};
	static const __u8 bad_fixed[] = {TCPOPT_WSCALE_,
					 4,
					 7,
					 0,
					 TCPOPT_SACK_PERM_,
					 3,
					 0,
					 1,
					 TCPOPT_SACK_,
					 9,
					 1,
					 2,
					 3,
					 4,
					 5,
					 6,
					 7};
	static const __u8 sack5[] = {TCPOPT_SACK_,
				     42,
				     0,
				     0,
				     0,
				     1,
				     0,
				     0,
				     0,
				     2,
				     0,
				     0,
				     0,
				     3,
				     0,
				     0,
				     0,
				     4,
				     0,
				     0,
				     0,
				     5,
				     0,
				     0,
				     0,
				     6,
				     0,
				     0,
				     0,
				     7,
				     0,
				     0,
				     0,
				     8,
				     0,
				     0,
				     0,
				     9,
				     0,
				     0,
				     0,
				     10};
	__u8 nops[TCP_MAX_OPT_BYTES];
	int ret;

	memset(nops, TCPOPT_NOP_, sizeof(nops));
	ret = save(nops, 0);
	ret = ret ?: save(nops, 1);
	ret = ret ?: save(nops, sizeof(nops));
	ret = ret ?: save(len0, sizeof(len0));
	ret = ret ?: save(len1, sizeof(len1));
	ret = ret ?: save(past_end, sizeof(past_end));
	ret = ret ?: save(no_len, sizeof(no_len));
	ret = ret ?: save(eol_mid, sizeof(eol_mid));
	ret = ret ?: save(bad_fixed, sizeof(bad_fixed));
	ret = ret ?: save(sack5, sizeof(sack5));
	return ret;
}

static int gen(void)
{
	return gen_syn() || gen_data() || gen_malformed();
}

int main(int argc, char **argv)
{
	return corpus_main(argc, argv, gen);
}

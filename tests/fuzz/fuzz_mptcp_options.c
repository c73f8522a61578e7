// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the MPTCP option codec (user/mptcp/options.c) and the
 * incremental DSS checksum (user/mptcp/dss_csum.c). The input is a TCP option
 * area (at most 40 bytes are used as the area; the rest feeds the checksum).
 *
 * Built by `make` as build/fuzz/fuzz_mptcp_options (clang, libFuzzer, ASan,
 * UBSan); `make fuzz FUZZ_TIME=60` runs it from the seeds that
 * gen_corpus_mptcp_options.c writes; `make test` runs it briefly.
 *
 * Properties checked (any violation aborts, so libFuzzer keeps the input):
 * - no read outside the area (the area is copied to an exact-size heap block);
 * - xmp_mp_parse() decodes at most one suboption per 3 bytes;
 * - every decoded suboption that the encoder accepts re-encodes and decodes
 *   to the same fields, and its length byte is what the length helpers say;
 * - xmp_mp_decode_one() at any offset never overreads, nor does
 *   xmp_mp_decode_at() at any set of positions (taken from the input's
 *   tail); at the positions the TCP option walk (user/tcp/tcp_options.c)
 *   locates, it decodes exactly what xmp_mp_parse() does;
 * - the DSS checksum summed over arbitrary splits equals the one-shot sum.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mp_reencode.h"
#include "mptcp/dss_csum.h"
#include "mptcp/options.h"
#include "tcp/tcp.h"

#define REQUIRE(c)                                                               \
	do {                                                                     \
		if (!(c))                                                        \
			__builtin_trap();                                        \
	} while (0)

static void csum_splits(const __u8 *data, size_t size)
{
	struct xmp_csum whole, parts;
	size_t off = 0;
	__u16 a, b;

	xmp_csum_init(&whole);
	xmp_csum_add(&whole, data, size);
	xmp_csum_init(&parts);
	/* Split points taken from the data itself. */
	while (off < size) {
		size_t step = 1 + data[off] % 7;

		if (step > size - off)
			step = size - off;
		xmp_csum_add(&parts, data + off, step);
		off += step;
	}
	a = xmp_dss_csum(0x0102030405060708ULL, 1, (__u16)size, &whole);
	b = xmp_dss_csum(0x0102030405060708ULL, 1, (__u16)size, &parts);
	REQUIRE(a == b);
	REQUIRE(xmp_dss_csum_check(0x0102030405060708ULL, 1, (__u16)size, a, &parts) == 0);
}

/* Decoding at located positions: the walk's ones give xmp_mp_parse()'s
 * result; any others (the last 8 input bytes) stay inside the area. */
static void decode_at_checks(const __u8 *area, size_t len, const uint8_t *data, size_t size)
{
	struct xmp_mp_opt walked, at;
	struct xmp_tcp_opt_rx rx;
	__u64 bits = 0;
	int n;

	xmp_tcp_parse_options(area, (unsigned int)len, false, &rx);
	n = xmp_mp_decode_at(area, len, rx.mp_at, &at, NULL);
	REQUIRE(n == xmp_mp_parse(area, len, &walked, NULL));
	REQUIRE(!memcmp(&at, &walked, sizeof(at)));
	for (size_t i = 0; i < 8 && i < size; i++)
		bits = bits << 8 | data[size - 1 - i];
	n = xmp_mp_decode_at(area, len, bits, &at, NULL);
	REQUIRE(n >= 0 && (size_t)n <= len); /* overlapping positions may all decode */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size < TCP_MAX_OPT_BYTES ? size : TCP_MAX_OPT_BYTES;
	struct xmp_mp_parse_stats st = { 0 };
	struct xmp_mp_opt mp;
	__u8 *area = malloc(len ? len : 1);
	int n;

	if (!area)
		return 0;
	memcpy(area, data, len);
	n = xmp_mp_parse(area, len, &mp, &st);
	REQUIRE(n >= 0 && (size_t)n <= len / 3);
	REQUIRE(st.decoded == (__u64)n);
	if (n > 0)
		REQUIRE(!t_mp_reencode(&mp));
	for (size_t off = 0; off < len; off++) {
		int r = xmp_mp_decode_one(area + off, len - off, &mp);

		REQUIRE(r == -EINVAL || r == -EBADMSG || (r >= 3 && (size_t)r <= len - off));
	}
	decode_at_checks(area, len, data, size);
	free(area);
	csum_splits(data, size);
	return 0;
}

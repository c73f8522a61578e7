// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the TCP option codec of the subflow engine
 * (user/tcp/tcp_options.c): xmp_tcp_parse_options() on arbitrary bytes, and
 * the writers (xmp_tcp_write_syn_options / write_ts / write_sack) against
 * the parser.
 *
 * The input is read twice: the front (at most 64 bytes) is an option area
 * given to the decoder as is; the tail, read backwards, is the parameter
 * stream of one encoder round trip. Seeds (gen_corpus_tcp_options.c) are
 * areas our own writers produced, so the decoder starts from valid layouts.
 *
 * Built by `make` as build/fuzz/fuzz_tcp_options (clang, libFuzzer, ASan,
 * UBSan); `make fuzz` runs it from its seeds; `make test` runs it briefly.
 *
 * Properties checked (a violation traps, so libFuzzer keeps the input):
 * - no read outside the area (it is copied to an exact-size heap block);
 * - the return value is 0 exactly when rx.bad is 0, and at most 4 SACK
 *   blocks are kept; a non-SYN parse never reports SYN-only options and
 *   otherwise agrees with the SYN parse of the same bytes;
 * - bytes after an EOL are never looked at, and NOPs in front change
 *   nothing (the walk is positional, not content-guessing);
 * - the MPTCP decoder (user/mptcp/options.c) walks the same area the same
 *   way: it meets an MPTCP option exactly when this parser notes one, and
 *   decoding where this parser located them gives what its own walk gives;
 * - with XDP metadata (tests/lib/meta.h locates the options as xdp_steer
 *   does, then bytes from the input's tail may forge any of its option
 *   fields), xmp_tcp_parse_meta() never reads outside the area, honest
 *   metadata is never called wrong, and whenever it succeeds its result is
 *   exactly the walk's;
 * - what the writers emit fits the space they were given, is a multiple
 *   of 4 (SYN) or 4 + 8n (SACK), decodes without a malformed option and
 *   gives back the values written.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xmptcp/mptcp_wire.h>

#include "lib/meta.h"
#include "mptcp/options.h"
#include "tcp/tcp_int.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

#define AREA_MAX 64 /* beyond the 40 a header can hold: the parser takes any len */

/* Parameter stream read from the end of the input (zeros once exhausted). */
struct params {
	const uint8_t *p;
	size_t left;
};

static uint8_t p_u8(struct params *ps)
{
	if (!ps->left)
		return 0;
	return ps->p[--ps->left];
}

static uint32_t p_u32(struct params *ps)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | p_u8(ps);
	return v;
}

static int parse_copy(const uint8_t *area, size_t len, bool syn, struct xmp_tcp_opt_rx *rx)
{
	uint8_t *heap = malloc(len ? len : 1);
	int r;

	if (!heap)
		abort();
	memcpy(heap, area, len);
	r = xmp_tcp_parse_options(heap, (unsigned int)len, syn, rx);
	free(heap);
	return r;
}

static bool same_rx(const struct xmp_tcp_opt_rx *a, const struct xmp_tcp_opt_rx *b)
{
	if (a->has_mss != b->has_mss || a->has_ws != b->has_ws || a->sack_ok != b->sack_ok ||
	    a->has_ts != b->has_ts || a->has_mptcp != b->has_mptcp || a->bad != b->bad ||
	    a->nr_sack != b->nr_sack)
		return false;
	if (a->has_mss && a->mss != b->mss)
		return false;
	if (a->has_ws && a->ws != b->ws)
		return false;
	if (a->has_ts && (a->tsval != b->tsval || a->tsecr != b->tsecr))
		return false;
	return !memcmp(a->sack, b->sack, a->nr_sack * sizeof(a->sack[0]));
}

/* The engine and the MPTCP layer agree on where options are. */
static void check_mptcp_walk(const uint8_t *area, size_t len, const struct xmp_tcp_opt_rx *rx)
{
	struct xmp_mp_parse_stats st = {0};
	uint8_t *heap = malloc(len ? len : 1);
	struct xmp_mp_opt mp, at;

	if (!heap)
		abort();
	memcpy(heap, area, len);
	xmp_mp_parse(heap, len, &mp, &st);
	xmp_mp_decode_at(heap, len, rx->mp_at, &at, NULL);
	free(heap);
	REQUIRE(rx->has_mptcp == (st.mptcp_opts > 0));
	/* positions past 63 are not kept: only past a real header's 40 bytes */
	if (len <= 64)
		REQUIRE(!memcmp(&mp, &at, sizeof(mp)));
}

/* The same area through the XDP metadata, honest then maybe forged. */
static void check_meta(const uint8_t *area, size_t len, struct params *ps)
{
	struct xmp_tcp_opt_rx walk, rx;
	uint8_t *heap = malloc(len ? len : 1), forge = p_u8(ps);
	struct xmp_meta m;
	int r;

	if (!heap)
		abort();
	memcpy(heap, area, len);
	memset(&m, 0, sizeof(m));
	t_meta_locate(&m, heap, (unsigned int)len, (forge & 0x80) ? 0x02 : 0x10, 0);
	xmp_tcp_parse_options(heap, (unsigned int)len, forge & 0x80, &walk);
	for (int pass = 0; pass < 2; pass++) {
		r = xmp_tcp_parse_meta(heap, (unsigned int)len, forge & 0x80, &m, &rx);
		REQUIRE(r == 0 || r == -EAGAIN || r == -EBADMSG || r == -EINVAL);
		REQUIRE(pass || r != -EBADMSG); /* honest metadata is never wrong */
		REQUIRE((r == -EINVAL) == (len > XMP_TCP_MAX_OPTLEN));
		if (!r)
			REQUIRE(!memcmp(&rx, &walk, sizeof(rx)));
		if (!(forge & 7))
			break;
		/* forged: (forge & 7) bytes from tcp_opts on rewritten */
		for (int i = 0; i < (forge & 7); i++) {
			uint8_t f = p_u8(ps), *raw = (uint8_t *)&m;

			raw[offsetof(struct xmp_meta, tcp_opts) + f % (sizeof(m) - 3)] = p_u8(ps);
		}
	}
	free(heap);
}

/* The decoder alone, on the raw front of the input. */
static void check_decode(const uint8_t *area, size_t len, struct params *ps)
{
	struct xmp_tcp_opt_rx syn, non, again;
	uint8_t buf[AREA_MAX + 8];
	int rs, rn;

	rs = parse_copy(area, len, true, &syn);
	rn = parse_copy(area, len, false, &non);
	REQUIRE(rs == 0 || rs == -EBADMSG);
	REQUIRE((rs == 0) == (syn.bad == 0));
	REQUIRE((rn == 0) == (non.bad == 0));
	REQUIRE(syn.nr_sack <= 4 && non.nr_sack <= 4);
	/* SYN-only options are invisible on other segments... */
	REQUIRE(!non.has_mss && !non.has_ws && !non.sack_ok);
	/* ...and the walk itself does not depend on the SYN flag. */
	syn.has_mss = syn.has_ws = syn.sack_ok = false;
	REQUIRE(same_rx(&syn, &non));

	check_mptcp_walk(area, len, &non);
	check_meta(area, len, ps);

	/* Anything after an EOL is ignored: garbage there changes nothing. */
	if (len + 1 <= AREA_MAX) {
		memcpy(buf, area, len);
		buf[len] = TCPOPT_EOL_;
		memset(buf + len + 1, 0xa5, sizeof(buf) - len - 1);
		parse_copy(buf, sizeof(buf), false, &again);
		if (!non.bad)
			REQUIRE(same_rx(&non, &again));
	}
	/* Leading NOPs shift the area without changing its meaning. */
	if (len + 4 <= sizeof(buf)) {
		memset(buf, TCPOPT_NOP_, 4);
		memcpy(buf + 4, area, len);
		parse_copy(buf, len + 4, false, &again);
		REQUIRE(same_rx(&non, &again));
	}
}

/* SYN writer -> parser: every value offered comes back. */
static void check_syn_roundtrip(struct params *ps)
{
	uint8_t flags = p_u8(ps), space = p_u8(ps) % (XMP_TCP_MAX_OPTLEN + 1);
	__u16 mss = (__u16)(p_u8(ps) << 8 | p_u8(ps));
	int wscale = (flags & 1) ? -1 : p_u8(ps);
	bool sack = flags & 2, ts = flags & 4;
	__u32 tsval = p_u32(ps), tsecr = p_u32(ps);
	struct xmp_tcp_opt_rx rx;
	uint8_t *buf = malloc(space ? space : 1);
	int n;

	if (!buf)
		abort();
	n = xmp_tcp_write_syn_options(buf, space, mss, wscale, sack, ts, tsval, tsecr);
	if (space < 20) {
		REQUIRE(n == -ENOSPC);
		free(buf);
		return;
	}
	REQUIRE(n >= 4 && n <= 20 && n % 4 == 0 && n <= space);
	REQUIRE(parse_copy(buf, n, true, &rx) == 0);
	REQUIRE(rx.has_mss && rx.mss == mss);
	REQUIRE(rx.has_ws == (wscale >= 0));
	REQUIRE(!rx.has_ws || rx.ws == wscale);
	REQUIRE(rx.sack_ok == sack);
	REQUIRE(rx.has_ts == ts);
	REQUIRE(!ts || (rx.tsval == tsval && rx.tsecr == tsecr));
	REQUIRE(!rx.nr_sack && !rx.has_mptcp);
	free(buf);
}

/*
 * Data segment layout of tcp_prepare(): timestamps, then as many SACK
 * blocks as fit the rest, then an MPTCP option in what remains.
 */
static void check_data_roundtrip(struct params *ps)
{
	uint8_t flags = p_u8(ps), space = p_u8(ps) % (XMP_TCP_MAX_OPTLEN + 1);
	unsigned int nblk = 1 + p_u8(ps) % 5, fit, off = 0;
	__u32 tsval = p_u32(ps), tsecr = p_u32(ps), blocks[5][2];
	struct xmp_tcp_opt_rx rx;
	uint8_t *buf = malloc(space ? space : 1);
	bool mp = false;
	int n;

	if (!buf)
		abort();
	for (unsigned int i = 0; i < nblk; i++) {
		blocks[i][0] = p_u32(ps);
		blocks[i][1] = p_u32(ps);
	}
	if (flags & 1) {
		n = xmp_tcp_write_ts(buf, space, tsval, tsecr);
		REQUIRE(n == (space >= 12 ? 12 : -ENOSPC));
		off = n > 0 ? n : 0;
	}
	n = xmp_tcp_write_sack(buf + off, space - off, (const __u32(*)[2])blocks, nblk);
	fit = space - off >= 12 ? (space - off - 4) / 8 : 0;
	fit = fit > 4 ? 4 : fit;
	fit = fit < nblk ? fit : nblk;
	REQUIRE(n == (fit ? 4 + 8 * (int)fit : 0));
	off += n;
	if ((flags & 2) && space - off >= 4) {
		/* An MP_CAPABLE SYN (kind 30, len 4): noted, not decoded here. */
		buf[off++] = TCPOPT_MPTCP;
		buf[off++] = 4;
		buf[off++] = 0x01;
		buf[off++] = 0x81;
		mp = true;
	}
	REQUIRE(off <= space);
	REQUIRE(parse_copy(buf, off, false, &rx) == 0);
	REQUIRE(rx.has_ts == (bool)((flags & 1) && space >= 12));
	REQUIRE(!rx.has_ts || (rx.tsval == tsval && rx.tsecr == tsecr));
	REQUIRE(rx.nr_sack == fit);
	for (unsigned int i = 0; i < fit; i++)
		REQUIRE(rx.sack[i][0] == blocks[i][0] && rx.sack[i][1] == blocks[i][1]);
	REQUIRE(rx.has_mptcp == mp);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct params ps = {data, size};

	check_decode(data, size < AREA_MAX ? size : AREA_MAX, &ps);
	check_syn_roundtrip(&ps);
	check_data_roundtrip(&ps);
	return 0;
}

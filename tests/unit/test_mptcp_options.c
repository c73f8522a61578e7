// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the MPTCP option codec (user/mptcp/options.c), no root needed:
 * - byte vectors written by hand from the figures of RFC 8684 section 3,
 *   decoded to the expected fields AND produced byte for byte by the
 *   encoders (Linux's NOP padding included);
 * - encode -> decode round trips of every subtype and variant;
 * - every malformed case ignored and counted with its reason;
 * - several suboptions in one area, decode at XDP-given offsets;
 * - decoding where the TCP option parse located them equals parsing the
 *   area (tests/lib/optareas.h, random areas), bits naming no option stop;
 * - sequence helpers (expand, before64/after64);
 * - random areas (exact-size heap buffers, so the ASan build traps any read
 *   past the end), with re-encoding of whatever decoded.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/mp_reencode.h"
#include "lib/optareas.h"
#include "lib/test.h"
#include "lib/xorshift.h"
#include "mptcp/options.h"
#include "tcp/tcp.h"
#include "unit/mptcp_wire.h"

#define NOP TCPOPT_NOP_
#define MP TCPOPT_MPTCP
#define KEY_A 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
#define KEY_B 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10
#define V_KEY_A 0x0123456789abcdefULL
#define V_KEY_B 0xfedcba9876543210ULL
#define ADDR6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01

/* Compare the parts flagged in suboptions; say which part differs. */
static int same_mp(const struct xmp_mp_opt *a, const struct xmp_mp_opt *b)
{
	const char *bad = t_mp_differs(a, b);

	if (bad)
		printf("#   decoded %s differs\n", bad);
	return !bad;
}

static __u64 total_drops(const struct xmp_mp_parse_stats *st)
{
	__u64 n = 0;

	for (int i = 0; i < XMP_MPD_NR; i++)
		n += st->drop[i];
	return n;
}

struct vec {
	const char *name;
	__u8 bytes[40];
	int len;		/* on the wire, NOP padding included */
	struct xmp_mp_opt want;
};

/* Byte vectors written by hand from the option layouts of RFC 8684 section 3. */
static const struct vec vecs[] = {
	{ "MP_CAPABLE SYN, A+H (3.1)", { MP, 4, 0x01, 0x81 }, 4,
	  { .suboptions = XMP_MPO_MPC_SYN,
	    .mpc = { .variant = XMP_MPC_SYN, .version = 1, .flags = 0x81 } } },
	{ "MP_CAPABLE SYN-ACK", { MP, 12, 0x01, 0x01, KEY_B }, 12,
	  { .suboptions = XMP_MPO_MPC_SYNACK,
	    .mpc = { .variant = XMP_MPC_SYNACK, .version = 1, .flags = 0x01,
		     .sndr_key = V_KEY_B } } },
	{ "MP_CAPABLE ACK", { MP, 20, 0x01, 0x01, KEY_A, KEY_B }, 20,
	  { .suboptions = XMP_MPO_MPC_ACK,
	    .mpc = { .variant = XMP_MPC_ACK, .version = 1, .flags = 0x01,
		     .sndr_key = V_KEY_A, .rcvr_key = V_KEY_B } } },
	{ "MP_CAPABLE ACK + data, 22 + 2 NOPs",
	  { MP, 22, 0x01, 0x01, KEY_A, KEY_B, 0x05, 0xdc, NOP, NOP }, 24,
	  { .suboptions = XMP_MPO_MPC_ACK,
	    .mpc = { .variant = XMP_MPC_ACK_DATA, .version = 1, .flags = 0x01,
		     .sndr_key = V_KEY_A, .rcvr_key = V_KEY_B, .data_len = 1500 } } },
	{ "MP_CAPABLE ACK + data + checksum",
	  { MP, 24, 0x01, 0x81, KEY_A, KEY_B, 0x00, 0x10, 0xbe, 0xef }, 24,
	  { .suboptions = XMP_MPO_MPC_ACK,
	    .mpc = { .variant = XMP_MPC_ACK_DATA, .version = 1, .flags = 0x81,
		     .sndr_key = V_KEY_A, .rcvr_key = V_KEY_B, .data_len = 16,
		     .csum_present = 1, .csum = 0xbeef } } },
	{ "MP_JOIN SYN, backup, id 2 (3.2)",
	  { MP, 12, 0x11, 0x02, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44 }, 12,
	  { .suboptions = XMP_MPO_MPJ_SYN,
	    .mpj = { .variant = XMP_MPJ_SYN, .backup = 1, .addr_id = 2,
		     .token = 0xdeadbeef, .nonce = 0x11223344 } } },
	{ "MP_JOIN SYN-ACK (3.2)",
	  { MP, 16, 0x10, 0x03, 0x3b, 0xae, 0x5a, 0xbc, 0x81, 0x0a, 0x33, 0xc2,
	    0xaa, 0xbb, 0xcc, 0xdd }, 16,
	  { .suboptions = XMP_MPO_MPJ_SYNACK,
	    .mpj = { .variant = XMP_MPJ_SYNACK, .addr_id = 3,
		     .thmac = 0x3bae5abc810a33c2ULL, .nonce = 0xaabbccdd } } },
	{ "MP_JOIN ACK (3.2)",
	  { MP, 24, 0x10, 0x00, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	    16, 17, 18, 19 }, 24,
	  { .suboptions = XMP_MPO_MPJ_ACK,
	    .mpj = { .variant = XMP_MPJ_ACK,
		     .hmac = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
			       18, 19 } } } },
	{ "DSS DATA_ACK 32 only (3.3)", { MP, 8, 0x20, 0x01, 0x01, 0x02, 0x03, 0x04 }, 8,
	  { .suboptions = XMP_MPO_DSS,
	    .dss = { .flags = 0x01, .use_ack = 1, .data_ack = 0x01020304 } } },
	{ "DSS ack64 + map64 + checksum (Linux, csum on)",
	  { MP, 28, 0x20, 0x0f, KEY_A, KEY_B, 0x00, 0x00, 0x00, 0x01, 0x05, 0xa0, 0x12, 0x34 },
	  28,
	  { .suboptions = XMP_MPO_DSS,
	    .dss = { .flags = 0x0f, .use_ack = 1, .ack64 = 1, .data_ack = V_KEY_A,
		     .use_map = 1, .dsn64 = 1, .data_seq = V_KEY_B, .subflow_seq = 1,
		     .data_len = 1440, .csum_present = 1, .csum = 0x1234 } } },
	{ "DSS ack32 + map64, 22 + 2 NOPs (Linux, csum off)",
	  { MP, 22, 0x20, 0x0d, 0xca, 0xfe, 0xf0, 0x0d, KEY_A, 0x80, 0x00, 0x00, 0x00, 0x00,
	    0x64, NOP, NOP }, 24,
	  { .suboptions = XMP_MPO_DSS,
	    .dss = { .flags = 0x0d, .use_ack = 1, .data_ack = 0xcafef00d, .use_map = 1,
		     .dsn64 = 1, .data_seq = V_KEY_A, .subflow_seq = 0x80000000,
		     .data_len = 100 } } },
	{ "DSS map32 + DATA_FIN, 14 + 2 NOPs",
	  { MP, 14, 0x20, 0x14, 0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	    NOP, NOP }, 16,
	  { .suboptions = XMP_MPO_DSS,
	    .dss = { .flags = 0x14, .use_map = 1, .data_fin = 1, .data_seq = 0xfffffff0,
		     .subflow_seq = 0, .data_len = 1 } } },
	{ "DSS infinite mapping with checksum (3.3.1)",
	  { MP, 20, 0x20, 0x0c, KEY_B, 0, 0, 0, 0, 0, 0, 0, 0 }, 20,
	  { .suboptions = XMP_MPO_DSS,
	    .dss = { .flags = 0x0c, .use_map = 1, .dsn64 = 1, .data_seq = V_KEY_B,
		     .csum_present = 1, .infinite = 1 } } },
	{ "ADD_ADDR v4 + HMAC (3.4.1)",
	  { MP, 16, 0x30, 0x01, 10, 0, 0, 2, 0x9a, 0x1a, 0x8c, 0x12, 0x14, 0x91, 0xc8, 0xfb }, 16,
	  { .suboptions = XMP_MPO_ADD_ADDR,
	    .add_addr = { .family = 4, .id = 1, .addr = { 10, 0, 0, 2 }, .hmac_present = 1,
			  .hmac = 0x9a1a8c121491c8fbULL } } },
	{ "ADD_ADDR v4 echo + port, 10 + 2 NOPs",
	  { MP, 10, 0x31, 0x01, 10, 0, 0, 2, 0x1f, 0x90, NOP, NOP }, 12,
	  { .suboptions = XMP_MPO_ADD_ADDR,
	    .add_addr = { .family = 4, .id = 1, .addr = { 10, 0, 0, 2 }, .echo = 1,
			  .port_present = 1, .port = 8080 } } },
	{ "ADD_ADDR v6 + port + HMAC, 30 + 2 NOPs",
	  { MP, 30, 0x30, 0x07, ADDR6, 0x01, 0xbb, KEY_A, NOP, NOP }, 32,
	  { .suboptions = XMP_MPO_ADD_ADDR,
	    .add_addr = { .family = 6, .id = 7, .addr = { ADDR6 }, .port_present = 1,
			  .port = 443, .hmac_present = 1, .hmac = V_KEY_A } } },
	{ "ADD_ADDR v6 echo", { MP, 20, 0x31, 0x07, ADDR6 }, 20,
	  { .suboptions = XMP_MPO_ADD_ADDR,
	    .add_addr = { .family = 6, .id = 7, .addr = { ADDR6 }, .echo = 1 } } },
	{ "REMOVE_ADDR two ids (3.4.2), 5 + 3 NOPs", { MP, 5, 0x40, 3, 4, NOP, NOP, NOP }, 8,
	  { .suboptions = XMP_MPO_RM_ADDR, .rm_addr = { .nr = 2, .ids = { 3, 4 } } } },
	{ "MP_PRIO backup (3.3.8), 3 + NOP", { MP, 3, 0x51, NOP }, 4,
	  { .suboptions = XMP_MPO_PRIO, .prio = { .backup = 1 } } },
	{ "MP_FAIL (3.7)", { MP, 12, 0x60, 0, KEY_B }, 12,
	  { .suboptions = XMP_MPO_FAIL, .fail = { .data_seq = V_KEY_B } } },
	{ "MP_FASTCLOSE (3.5)", { MP, 12, 0x70, 0, KEY_A }, 12,
	  { .suboptions = XMP_MPO_FASTCLOSE, .fastclose = { .rcvr_key = V_KEY_A } } },
	{ "MP_TCPRST T, middlebox (3.6)", { MP, 4, 0x81, 0x06 }, 4,
	  { .suboptions = XMP_MPO_TCPRST,
	    .rst = { .flags = MPTCP_RST_TRANSIENT, .reason = MPTCP_RST_EMIDDLEBOX } } },
};

/* A vector as the decoder meets it: copied to an exact-size heap block (so
 * the ASan build traps a read past its end), parsed whole, and decoded by
 * the single-option entry point at @one_off. */
struct parsed {
	struct xmp_mp_parse_stats st;
	struct xmp_mp_opt mp, one;
	int n, n_one;
};

static void parse_both(const __u8 *bytes, size_t len, size_t one_off, struct parsed *p)
{
	__u8 *area = malloc(len);

	memcpy(area, bytes, len);
	memset(p, 0, sizeof(*p));
	p->n = xmp_mp_parse(area, len, &p->mp, &p->st);
	p->n_one = xmp_mp_decode_one(area + one_off, len - one_off, &p->one);
	free(area);
}

static void rfc_vectors_decode(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		struct parsed p;

		parse_both(v->bytes, v->len, 0, &p);
		CHECK_EQ(p.n, 1);
		CHECK_EQ(p.st.decoded, 1);
		CHECK_EQ(p.st.mptcp_opts, 1);
		CHECK_EQ(total_drops(&p.st), 0);
		CHECK(same_mp(&v->want, &p.mp));
		/* The single-option entry point agrees. */
		CHECK_EQ(p.n_one, v->bytes[1]);
		CHECK(same_mp(&v->want, &p.one));
		if (t_cur_failed) {
			printf("#   in vector: %s\n", v->name);
			return;
		}
	}
}

static void rfc_vectors_encode(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		__u8 out[44];

		memset(out, 0xee, sizeof(out));
		CHECK_EQ(xmp_mp_write(out, 40, &v->want), v->len);
		CHECK_MEM(out, v->bytes, v->len);
		CHECK_EQ(out[v->len], 0xee); /* nothing past the option */
		if (t_cur_failed) {
			printf("#   in vector: %s\n", v->name);
			return;
		}
	}
}

/* Encode, decode, compare; the option length byte and the padded length
 * must match the length helpers. */
static void round_trip(const struct xmp_mp_opt *in, int raw_len)
{
	struct xmp_mp_parse_stats st = { 0 };
	struct xmp_mp_opt out;
	__u8 buf[40];
	int n;

	n = xmp_mp_write(buf, sizeof(buf), in);
	CHECK_EQ(n, (raw_len + 3) & ~3);
	if (n <= 0)
		return;
	CHECK_EQ(buf[1], raw_len);
	CHECK_EQ(xmp_mp_parse(buf, n, &out, &st), 1);
	CHECK_EQ(total_drops(&st), 0);
	CHECK(same_mp(in, &out));
	/* One byte less of room: refused, not truncated. */
	CHECK_EQ(xmp_mp_write(buf, n - 1, in), -ENOSPC);
}

static void round_trip_mpc_mpj(void)
{
	static const __u8 mpc_variants[] = { XMP_MPC_SYN, XMP_MPC_SYNACK, XMP_MPC_ACK,
					     XMP_MPC_ACK_DATA };
	struct xmp_mp_opt mp;

	for (size_t i = 0; i < sizeof(mpc_variants); i++) {
		for (int csum = 0; csum < 2; csum++) {
			__u8 v = mpc_variants[i];

			if (csum && v != XMP_MPC_ACK_DATA)
				continue;
			memset(&mp, 0, sizeof(mp));
			mp.suboptions = v == XMP_MPC_SYN ? XMP_MPO_MPC_SYN :
					v == XMP_MPC_SYNACK ? XMP_MPO_MPC_SYNACK : XMP_MPO_MPC_ACK;
			mp.mpc.variant = v;
			mp.mpc.version = MPTCP_VERSION_1;
			mp.mpc.flags = MPTCP_CAP_HMAC_SHA256 | (csum ? MPTCP_CAP_CHECKSUM_REQD : 0) |
				       MPTCP_CAP_DENY_JOIN_ID0;
			if (v >= XMP_MPC_SYNACK)
				mp.mpc.sndr_key = 0x8000000000000001ULL + i;
			if (v >= XMP_MPC_ACK)
				mp.mpc.rcvr_key = ~0ULL - i;
			if (v == XMP_MPC_ACK_DATA) {
				mp.mpc.data_len = 65535;
				mp.mpc.csum_present = (__u8)csum;
				mp.mpc.csum = csum ? 0xffff : 0;
			}
			round_trip(&mp, xmp_mp_mpc_len(&mp.mpc));
		}
	}
	for (__u8 v = XMP_MPJ_SYN; v <= XMP_MPJ_ACK; v++) {
		for (__u8 backup = 0; backup < 2; backup++) {
			if (v == XMP_MPJ_ACK && backup)
				continue;
			memset(&mp, 0, sizeof(mp));
			mp.suboptions = v == XMP_MPJ_SYN    ? XMP_MPO_MPJ_SYN :
					v == XMP_MPJ_SYNACK ? XMP_MPO_MPJ_SYNACK : XMP_MPO_MPJ_ACK;
			mp.mpj.variant = v;
			if (v == XMP_MPJ_ACK) {
				memset(mp.mpj.hmac, 0xa5, sizeof(mp.mpj.hmac));
				mp.mpj.hmac[19] = 0x5a;
			} else {
				mp.mpj.backup = backup;
				mp.mpj.addr_id = 255;
				mp.mpj.nonce = 0xfffffffe;
				if (v == XMP_MPJ_SYN)
					mp.mpj.token = 0x80000001;
				else
					mp.mpj.thmac = 0xfedcba9876543210ULL;
			}
			round_trip(&mp, xmp_mp_mpj_len(&mp.mpj));
		}
	}
}

/* Every meaningful DSS flag combination, with and without checksum. */
static void round_trip_dss_all_flags(void)
{
	int tried = 0;

	for (int f = 0; f <= MPTCP_DSS_FLAG_MASK; f++) {
		for (int csum = 0; csum < 2; csum++) {
			struct xmp_mp_opt mp = { .suboptions = XMP_MPO_DSS };
			struct xmp_dss *d = &mp.dss;

			d->use_ack = !!(f & MPTCP_DSS_HAS_ACK);
			d->ack64 = !!(f & MPTCP_DSS_ACK64);
			d->use_map = !!(f & MPTCP_DSS_HAS_MAP);
			d->dsn64 = !!(f & MPTCP_DSS_DSN64);
			d->data_fin = !!(f & MPTCP_DSS_DATA_FIN);
			d->csum_present = (__u8)csum;
			if ((!d->use_map && (d->dsn64 || d->data_fin || csum)) ||
			    (!d->use_ack && d->ack64) || (!d->use_ack && !d->use_map)) {
				/* Not a DSS the RFC defines: refused. */
				__u8 buf[40];

				CHECK_EQ(xmp_mp_write_dss(buf, sizeof(buf), d), -EINVAL);
				continue;
			}
			d->flags = (__u8)f;
			if (d->use_ack)
				d->data_ack = d->ack64 ? 0xfffffffffffffff1ULL : 0xfffffff1;
			if (d->use_map) {
				d->data_seq = d->dsn64 ? 0x00000001fffffff0ULL : 0xfffffff0;
				d->subflow_seq = 0x7fffffff;
				d->data_len = (__u16)(f & 1 ? 1460 : 0);
				d->infinite = d->data_len == 0;
				d->csum = csum ? 0xabcd : 0;
			}
			CHECK_EQ(xmp_mp_dss_flags(d), f);
			round_trip(&mp, xmp_mp_dss_len((__u8)f, csum));
			tried++;
		}
	}
	/* A|a x M|m x F x csum, plus ack-only 32/64: 2*... counted by hand:
	 * ack variants with map: 2 (ack32/64) * 2 (m) * 2 (F) * 2 (csum) = 16,
	 * map without ack: 2 * 2 * 2 = 8, ack without map: 2. */
	CHECK_EQ(tried, 26);
}

static void round_trip_addr_and_rest(void)
{
	struct xmp_mp_opt mp;

	for (__u8 fam = 4; fam <= 6; fam += 2) {
		for (__u8 echo = 0; echo < 2; echo++) {
			for (__u8 port = 0; port < 2; port++) {
				memset(&mp, 0, sizeof(mp));
				mp.suboptions = XMP_MPO_ADD_ADDR;
				mp.add_addr.family = fam;
				mp.add_addr.id = 200;
				for (int i = 0; i < (fam == 4 ? 4 : 16); i++)
					mp.add_addr.addr[i] = (__u8)(0xf0 + i);
				mp.add_addr.echo = echo;
				mp.add_addr.hmac_present = !echo;
				mp.add_addr.hmac = echo ? 0 : 0x0102030405060708ULL;
				mp.add_addr.port_present = port;
				mp.add_addr.port = port ? 65535 : 0;
				round_trip(&mp, xmp_mp_add_addr_len(&mp.add_addr));
			}
		}
	}
	for (__u8 nr = 1; nr <= MPTCP_RM_IDS_MAX; nr++) {
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = XMP_MPO_RM_ADDR;
		mp.rm_addr.nr = nr;
		for (int i = 0; i < nr; i++)
			mp.rm_addr.ids[i] = (__u8)(i * 37);
		round_trip(&mp, MPTCPOLEN_RM_ADDR_BASE + nr);
	}
	for (__u8 b = 0; b < 2; b++) {
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = XMP_MPO_PRIO;
		mp.prio.backup = b;
		round_trip(&mp, MPTCPOLEN_MP_PRIO);
	}
	memset(&mp, 0, sizeof(mp));
	mp.suboptions = XMP_MPO_FAIL;
	mp.fail.data_seq = 0xffffffffffffffffULL;
	round_trip(&mp, MPTCPOLEN_MP_FAIL);
	memset(&mp, 0, sizeof(mp));
	mp.suboptions = XMP_MPO_FASTCLOSE;
	mp.fastclose.rcvr_key = 1;
	round_trip(&mp, MPTCPOLEN_MP_FASTCLOSE);
	for (__u8 r = MPTCP_RST_EUNSPEC; r <= MPTCP_RST_EMIDDLEBOX; r++) {
		memset(&mp, 0, sizeof(mp));
		mp.suboptions = XMP_MPO_TCPRST;
		mp.rst.reason = r;
		mp.rst.flags = r & 1 ? MPTCP_RST_TRANSIENT : 0;
		round_trip(&mp, MPTCPOLEN_MP_TCPRST);
	}
}

/* RFC 8684 3.3: DSS lengths by flags. */
static void dss_len_helper(void)
{
	CHECK_EQ(xmp_mp_dss_len(0, false), 4);
	CHECK_EQ(xmp_mp_dss_len(MPTCP_DSS_HAS_ACK, false), 8);
	CHECK_EQ(xmp_mp_dss_len(MPTCP_DSS_HAS_ACK | MPTCP_DSS_ACK64, false), 12);
	CHECK_EQ(xmp_mp_dss_len(MPTCP_DSS_HAS_MAP, false), 14);
	CHECK_EQ(xmp_mp_dss_len(MPTCP_DSS_HAS_MAP, true), 16);
	CHECK_EQ(xmp_mp_dss_len(MPTCP_DSS_HAS_MAP | MPTCP_DSS_DSN64, false), 18);
	CHECK_EQ(xmp_mp_dss_len(0x0f, false), 26);
	CHECK_EQ(xmp_mp_dss_len(0x0f, true), 28);
	CHECK_EQ(xmp_mp_dss_len(0x1f, true), 28);
	/* Without A or M, a/m/F and the checksum do not count. */
	CHECK_EQ(xmp_mp_dss_len(MPTCP_DSS_ACK64 | MPTCP_DSS_DSN64 | MPTCP_DSS_DATA_FIN, true), 4);
}

static const struct mp_bad_area bads[] = {
	{ "MPC length 5", { MP, 5, 0x01, 0x01, 0 }, 5, XMP_MPD_MPC_LEN },
	{ "MPC length 8", { MP, 8, 0x01, 0x01, 0, 0, 0, 0 }, 8, XMP_MPD_MPC_LEN },
	{ "MPC SYN version 0", { MP, 4, 0x00, 0x01 }, 4, XMP_MPD_MPC_VERSION },
	{ "MPC v0-style SYN with key", { MP, 12, 0x00, 0x01, KEY_A }, 12, XMP_MPD_MPC_VERSION },
	{ "MPC SYN-ACK version 2", { MP, 12, 0x02, 0x01, KEY_A }, 12, XMP_MPD_MPC_VERSION },
	{ "MPC ACK version 0", { MP, 20, 0x00, 0x01, KEY_A, KEY_B }, 20, XMP_MPD_MPC_VERSION },
	{ "MPC without H", { MP, 4, 0x01, 0x80 }, 4, XMP_MPD_MPC_FLAGS },
	{ "MPC H + another crypto bit", { MP, 4, 0x01, 0x03 }, 4, XMP_MPD_MPC_FLAGS },
	{ "MPC with B", { MP, 4, 0x01, 0x41 }, 4, XMP_MPD_MPC_FLAGS },
	{ "MPJ length 13", { MP, 13, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 13, XMP_MPD_MPJ_LEN },
	{ "MPJ length 3", { MP, 3, 0x10 }, 3, XMP_MPD_MPJ_LEN },
	{ "DSS A with 6 bytes", { MP, 6, 0x20, 0x01, 0, 0 }, 6, XMP_MPD_DSS_LEN },
	{ "DSS A+M too long", { MP, 22, 0x20, 0x05 }, 22, XMP_MPD_DSS_LEN },
	{ "DSS A+M one short", { MP, 17, 0x20, 0x05 }, 17, XMP_MPD_DSS_LEN },
	{ "DSS a+A as 32-bit", { MP, 8, 0x20, 0x03, 0, 0, 0, 0 }, 8, XMP_MPD_DSS_LEN },
	{ "DSS no flags + 1", { MP, 5, 0x20, 0x00, 0 }, 5, XMP_MPD_DSS_LEN },
	{ "ADD_ADDR non-echo length 12", { MP, 12, 0x30, 1 }, 12, XMP_MPD_ADD_ADDR_LEN },
	{ "ADD_ADDR echo length 16", { MP, 16, 0x31, 1 }, 16, XMP_MPD_ADD_ADDR_LEN },
	{ "ADD_ADDR non-echo length 8 (no HMAC)", { MP, 8, 0x30, 1, 10, 0, 0, 1 }, 8,
	  XMP_MPD_ADD_ADDR_LEN },
	{ "ADD_ADDR length 4", { MP, 4, 0x31, 1 }, 4, XMP_MPD_ADD_ADDR_LEN },
	{ "REMOVE_ADDR no id", { MP, 3, 0x40 }, 3, XMP_MPD_RM_ADDR_LEN },
	{ "REMOVE_ADDR 9 ids", { MP, 12, 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 12,
	  XMP_MPD_RM_ADDR_LEN },
	{ "MP_PRIO v0 length 4", { MP, 4, 0x51, 1 }, 4, XMP_MPD_PRIO_LEN },
	{ "MP_FAIL length 8", { MP, 8, 0x60, 0, 0, 0, 0, 0 }, 8, XMP_MPD_FAIL_LEN },
	{ "MP_FASTCLOSE length 20", { MP, 20, 0x70, 0 }, 20, XMP_MPD_FASTCLOSE_LEN },
	{ "MP_TCPRST length 3", { MP, 3, 0x81 }, 3, XMP_MPD_TCPRST_LEN },
	{ "subtype 9", { MP, 4, 0x90, 0 }, 4, XMP_MPD_BAD_SUBTYPE },
	{ "subtype 0xf (private use)", { MP, 8, 0xf0, 0 }, 8, XMP_MPD_BAD_SUBTYPE },
	{ "MPTCP length 2", { MP, 2, NOP, NOP }, 4, XMP_MPD_SHORT },
	{ "zero length", { MP, 0, 0x20, 0x01 }, 4, XMP_MPD_TCPOPT_LEN },
	{ "length 1", { NOP, 8, 1, 0x20 }, 4, XMP_MPD_TCPOPT_LEN },
	{ "length past area", { MP, 20, 0x20, 0x01, 0, 0, 0, 0 }, 8, XMP_MPD_TCPOPT_LEN },
	{ "truncated: kind as last byte", { NOP, NOP, NOP, MP }, 4, XMP_MPD_TCPOPT_TRUNC },
};

static void malformed_ignored_and_counted(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct mp_bad_area *b = &bads[i];
		size_t off = 0;
		struct parsed p;

		/* the single-option entry starts at the option, past the NOPs */
		while (off < (size_t)b->len && b->b[off] == NOP)
			off++;
		parse_both(b->b, b->len, off, &p);
		CHECK_EQ(p.n, 0);
		CHECK_EQ(p.mp.suboptions, 0);
		CHECK_EQ(p.st.drop[b->why], 1);
		CHECK_EQ(total_drops(&p.st), 1);
		CHECK_EQ(p.st.decoded, 0);
		CHECK(strcmp(xmp_mp_drop_name(b->why), "unknown") != 0);
		/* Single-option entry: MPTCP-level faults are -EBADMSG, a bad
		 * TCP length is -EINVAL. */
		CHECK_EQ(p.n_one, b->why <= XMP_MPD_TCPOPT_LEN ? -EINVAL : -EBADMSG);
		CHECK_EQ(p.one.suboptions, 0);
		if (t_cur_failed) {
			printf("#   in case: %s\n", b->name);
			return;
		}
	}
}

/* A bad suboption only skips itself; a bad TCP length or EOL ends the scan.
 * Each case counts at most one drop, @why. */
static const struct skip {
	const char *name;
	__u8 bytes[12];
	__u8 len;
	int decoded;
	struct xmp_mp_opt want; /* compared where flagged, as same_mp() does */
	int why;		/* enum xmp_mp_drop, -1: nothing dropped */
	__u64 mptcp_opts;
} skips[] = {
	{ "MP_PRIO of v0 length 4, then a DSS: the DSS decodes",
	  { MP, 4, 0x51, 1, MP, 8, 0x20, 0x01, 0, 0, 0, 9 }, 12, 1,
	  { .suboptions = XMP_MPO_DSS, .dss = { .flags = 0x01, .use_ack = 1, .data_ack = 9 } },
	  XMP_MPD_PRIO_LEN, 2 },
	{ "a DSS of length 9 (A wants 8): skipped by its own length",
	  { MP, 9, 0x20, 0x01, 0, 0, 0, 9, 0, MP, 3, 0x51 }, 12, 1,
	  { .suboptions = XMP_MPO_PRIO, .prio = { .backup = 1 } }, XMP_MPD_DSS_LEN, 2 },
	{ "timestamps option of length 0: the scan stops before MP_PRIO",
	  { NOP, TCPOPT_TS_, 0, MP, 3, 0x51, NOP, NOP }, 8, 0, { 0 }, XMP_MPD_TCPOPT_LEN, 0 },
	{ "EOL ends the area: what follows is padding, not options",
	  { TCPOPT_EOL_, MP, 8, 0x20, 0x01, 0, 0, 0, 9 }, 9, 0, { 0 }, -1, 0 },
};

static void malformed_then_valid(void)
{
	struct xmp_mp_opt mp;

	for (size_t i = 0; i < sizeof(skips) / sizeof(skips[0]); i++) {
		const struct skip *k = &skips[i];
		struct xmp_mp_parse_stats st = { 0 };

		CHECK_EQ(xmp_mp_parse(k->bytes, k->len, &mp, &st), k->decoded);
		CHECK(same_mp(&k->want, &mp));
		if (k->why >= 0)
			CHECK_EQ(st.drop[k->why], 1);
		CHECK_EQ(total_drops(&st), k->why >= 0);
		CHECK_EQ(st.mptcp_opts, k->mptcp_opts);
		if (t_cur_failed) {
			printf("#   in case: %s\n", k->name);
			return;
		}
	}

	CHECK_EQ(xmp_mp_parse(NULL, 0, &mp, NULL), 0);
	CHECK_EQ(xmp_mp_parse(NULL, 4, &mp, NULL), -EINVAL);
	CHECK_EQ(xmp_mp_parse(skips[0].bytes, skips[0].len, NULL, NULL), -EINVAL);
}

/* A data segment as Linux sends it: timestamps, then DSS, then ADD_ADDR;
 * the XDP metadata would give the offsets 12 and 20. */
static void several_suboptions_in_one_area(void)
{
	struct xmp_mp_opt out = { 0 }, in, one;
	struct xmp_mp_parse_stats st = { 0 };
	__u8 area[40];
	int n;

	area[0] = NOP;
	area[1] = NOP;
	area[2] = TCPOPT_TS_;
	area[3] = TCPOLEN_TS_;
	memset(area + 4, 0x77, 8);
	out.suboptions = XMP_MPO_DSS | XMP_MPO_ADD_ADDR;
	out.dss = (struct xmp_dss){ .flags = 0x01, .use_ack = 1, .data_ack = 0x12345678 };
	out.add_addr = (struct xmp_add_addr){ .family = 4, .id = 2, .addr = { 192, 168, 1, 9 },
					      .hmac_present = 1, .hmac = 42 };
	n = xmp_mp_write(area + 12, sizeof(area) - 12, &out);
	CHECK_EQ(n, 8 + 16);
	CHECK_EQ(area[12], MP);
	CHECK_EQ(area[20], MP);

	CHECK_EQ(xmp_mp_parse(area, 12 + n, &in, &st), 2);
	CHECK(same_mp(&out, &in));
	CHECK_EQ(st.mptcp_opts, 2);
	CHECK_EQ(st.dup, 0);

	memset(&one, 0, sizeof(one));
	CHECK_EQ(xmp_mp_decode_one(area + 20, 12 + n - 20, &one), 16);
	CHECK_EQ(xmp_mp_decode_one(area + 12, 12 + n - 12, &one), 8);
	CHECK(same_mp(&out, &one));
	/* Not an MPTCP option, or the option would overrun what is left. */
	CHECK_EQ(xmp_mp_decode_one(area + 2, 12 + n - 2, &one), -EINVAL);
	CHECK_EQ(xmp_mp_decode_one(area + 20, 15, &one), -EINVAL);
	CHECK_EQ(xmp_mp_decode_one(area + 20, 1, &one), -EINVAL);

	/* No room for a 20-byte ADD_ADDR after the timestamps and a 64-bit DSS. */
	out.dss.ack64 = 1;
	out.add_addr.port_present = 1;
	out.add_addr.port = 80;
	CHECK_EQ(xmp_mp_write(area + 12, sizeof(area) - 12, &out), -ENOSPC);
}

static void duplicate_suboption_last_wins(void)
{
	const __u8 area[] = { MP, 8, 0x20, 0x01, 0, 0, 0, 1, MP, 8, 0x20, 0x01, 0, 0, 0, 2,
			      MP, 4, 0x01, 0x01, MP, 12, 0x01, 0x01, KEY_A };
	struct xmp_mp_parse_stats st = { 0 };
	struct xmp_mp_opt mp;

	CHECK_EQ(xmp_mp_parse(area, sizeof(area), &mp, &st), 4);
	CHECK_EQ(st.dup, 2);
	CHECK_EQ(mp.dss.data_ack, 2);
	/* One MP_CAPABLE struct: the SYN-ACK replaced the SYN, one bit set. */
	CHECK_EQ(mp.suboptions, XMP_MPO_DSS | XMP_MPO_MPC_SYNACK);
	CHECK_EQ(mp.mpc.sndr_key, V_KEY_A);
}

/* Decoding at @at gives what xmp_mp_parse() gives for the area, counts
 * included (bar the TCP-level ones that end a walk: the TCP parse's). */
static void same_as_parse(const __u8 *area, size_t len, __u64 at)
{
	struct xmp_mp_parse_stats sp = { 0 }, sa = { 0 };
	struct xmp_mp_opt p, a;

	CHECK_EQ(xmp_mp_decode_at(area, len, at, &a, &sa), xmp_mp_parse(area, len, &p, &sp));
	CHECK_MEM(&a, &p, sizeof(a));
	sp.drop[XMP_MPD_TCPOPT_TRUNC] = sp.drop[XMP_MPD_TCPOPT_LEN] = 0;
	CHECK_MEM(&sa, &sp, sizeof(sa));
}

static void decode_at_located_same_as_parse(void)
{
	struct xmp_tcp_opt_rx rx;
	unsigned int i;

	for (i = 0; i < T_NR_AREAS; i++) {
		const struct t_area *t = &t_areas[i];
		__u8 *area = malloc(t->len ? t->len : 1);

		memcpy(area, t->b, t->len);
		xmp_tcp_parse_options(area, t->len, t->flags & T_SYN, &rx);
		same_as_parse(area, t->len, rx.mp_at);
		free(area);
		if (t_cur_failed) {
			printf("#   area \"%s\"\n", t->name);
			return;
		}
	}
}

/* A bit that names no MPTCP option inside the area ends the decoding,
 * counted, without reading past the area (exact-size heap copy). */
static void decode_at_refuses_bad_bits(void)
{
	static const __u8 v[] = { NOP, NOP, MP, 8, 0x20, 0x01, 0, 0, 0, 9, MP, 12, 0x01, 0x01 };
	struct xmp_mp_parse_stats st = { 0 };
	__u8 *area = malloc(sizeof(v));
	struct xmp_mp_opt mp;

	memcpy(area, v, sizeof(v));
	CHECK_EQ(xmp_mp_decode_at(area, sizeof(v), 1ull << 2, &mp, &st), 1);
	CHECK_EQ(mp.dss.data_ack, 9);
	/* at a NOP, past the area, an option running past it */
	CHECK_EQ(xmp_mp_decode_at(area, sizeof(v), 1ull << 0 | 1ull << 2, &mp, &st), 0);
	CHECK_EQ(xmp_mp_decode_at(area, sizeof(v), 1ull << 2 | 1ull << 39, &mp, &st), 1);
	CHECK_EQ(xmp_mp_decode_at(area, sizeof(v), 1ull << 13, &mp, &st), 0);
	CHECK_EQ(xmp_mp_decode_at(area, sizeof(v), 1ull << 10, &mp, &st), 0);
	CHECK_EQ(st.drop[XMP_MPD_TCPOPT_LEN], 4);
	CHECK_EQ(st.decoded, 2);
	CHECK_EQ(xmp_mp_decode_at(NULL, 0, 1, &mp, &st), -EINVAL);
	CHECK_EQ(xmp_mp_decode_at(NULL, 0, 0, &mp, &st), 0);
	free(area);
}

static void encoders_refuse_invalid(void)
{
	__u8 buf[40], guard[40];
	struct xmp_mpc mpc = { .variant = XMP_MPC_ACK, .version = 0, .flags = 1 };
	struct xmp_mpj mpj = { .variant = XMP_MPJ_ACK, .backup = 1 };
	struct xmp_dss dss = { .data_fin = 1, .use_ack = 1 };
	struct xmp_add_addr aa = { .family = 5 };
	struct xmp_rm_addr rm = { .nr = 0 };
	struct xmp_prio prio = { .backup = 2 };
	struct xmp_tcprst rst = { .flags = 0x10 };
	struct xmp_mp_opt mp = { .suboptions = XMP_MPO_MPC_SYN };

	CHECK_EQ(xmp_mp_write_mpc(buf, sizeof(buf), &mpc), -EINVAL);
	mpc.version = 1;
	mpc.csum_present = 1;
	CHECK_EQ(xmp_mp_write_mpc(buf, sizeof(buf), &mpc), -EINVAL);
	mpc = (struct xmp_mpc){ .variant = XMP_MPC_SYN, .version = 1, .sndr_key = 5 };
	CHECK_EQ(xmp_mp_write_mpc(buf, sizeof(buf), &mpc), -EINVAL);
	mpc.variant = 9;
	CHECK_EQ(xmp_mp_write_mpc(buf, sizeof(buf), &mpc), -EINVAL);
	CHECK_EQ(xmp_mp_write_mpj(buf, sizeof(buf), &mpj), -EINVAL);
	CHECK_EQ(xmp_mp_write_dss(buf, sizeof(buf), &dss), -EINVAL);
	CHECK_EQ(xmp_mp_write_add_addr(buf, sizeof(buf), &aa), -EINVAL);
	aa = (struct xmp_add_addr){ .family = 4, .echo = 0, .hmac_present = 0 };
	CHECK_EQ(xmp_mp_write_add_addr(buf, sizeof(buf), &aa), -EINVAL);
	CHECK_EQ(xmp_mp_write_rm_addr(buf, sizeof(buf), &rm), -EINVAL);
	rm.nr = MPTCP_RM_IDS_MAX + 1;
	CHECK_EQ(xmp_mp_write_rm_addr(buf, sizeof(buf), &rm), -EINVAL);
	CHECK_EQ(xmp_mp_write_prio(buf, sizeof(buf), &prio), -EINVAL);
	CHECK_EQ(xmp_mp_write_tcprst(buf, sizeof(buf), &rst), -EINVAL);
	/* The suboption bit must name the variant the struct holds. */
	mp.mpc = (struct xmp_mpc){ .variant = XMP_MPC_ACK, .version = 1, .flags = 1 };
	CHECK_EQ(xmp_mp_write(buf, sizeof(buf), &mp), -EINVAL);
	CHECK_EQ(xmp_mp_write_fail(NULL, 12, &(struct xmp_fail){ 1 }), -EINVAL);

	/* -ENOSPC leaves the buffer alone. */
	memset(buf, 0xee, sizeof(buf));
	memcpy(guard, buf, sizeof(buf));
	CHECK_EQ(xmp_mp_write_fastclose(buf, 11, &(struct xmp_fastclose){ 7 }), -ENOSPC);
	CHECK_EQ(xmp_mp_write_prio(buf, 3, &(struct xmp_prio){ 1 }), -ENOSPC);
	CHECK_MEM(buf, guard, sizeof(buf));
}

static void mpc_variant_by_tcp_flags(void)
{
	CHECK_EQ(xmp_mpc_expected_variant(0x02, false), XMP_MPC_SYN);
	CHECK_EQ(xmp_mpc_expected_variant(0x12, false), XMP_MPC_SYNACK);
	CHECK_EQ(xmp_mpc_expected_variant(0x10, false), XMP_MPC_ACK);
	CHECK_EQ(xmp_mpc_expected_variant(0x18, true), XMP_MPC_ACK_DATA);
	/* SYN with data (TFO) is still the SYN form. */
	CHECK_EQ(xmp_mpc_expected_variant(0x02, true), XMP_MPC_SYN);
}

/* RFC 8684 3.3: 32-bit DSNs and DATA_ACKs are the low bits of the 64-bit
 * space; expansion must cross 2^32 both ways. */
static void seq_helpers(void)
{
	CHECK_EQ(xmp_expand_seq(0x1fffffff0ULL, 0x00000010), 0x200000010ULL);
	CHECK_EQ(xmp_expand_seq(0x200000010ULL, 0xfffffff0), 0x1fffffff0ULL);
	CHECK_EQ(xmp_expand_seq(0x300000000ULL, 0x7fffffff), 0x37fffffffULL);
	CHECK_EQ(xmp_expand_seq(0x300000000ULL, 0x80000001), 0x280000001ULL);
	CHECK_EQ(xmp_expand_seq(0x1234, 0x1234), 0x1234);
	CHECK_EQ(xmp_expand_seq(0xfffffffffffffff0ULL, 0x5), 0x5);
	CHECK(before64(0xfffffffffffffff0ULL, 0x5));
	CHECK(after64(0x5, 0xfffffffffffffff0ULL));
	CHECK(!before64(7, 7));
	CHECK(!after64(7, 7));
	CHECK(before64(1, 2));
	CHECK(!before64(2, 1));
}

static __u64 rng = 0x2545f4914f6cdd1dULL;

static __u32 rnd(void)
{
	return (__u32)(t_xorshift64(&rng) >> 16);
}

/* Re-encode what decoded: must decode to the same thing again. */
static void reencode_check(const struct xmp_mp_opt *mp)
{
	const char *bad = t_mp_reencode(mp);

	if (bad)
		printf("#   re-encoded: %s\n", bad);
	CHECK(!bad);
}

/* Lengths each subtype accepts (DSS: any of its flag-dependent sizes). */
static const __u8 good_lens[MPTCPOPT_NR_SUBTYPES][9] = {
	[MPTCPOPT_MP_CAPABLE] = { 4, 12, 20, 22, 24 },
	[MPTCPOPT_MP_JOIN] = { 12, 16, 24 },
	[MPTCPOPT_DSS] = { 4, 8, 12, 14, 16, 18, 20, 22, 26 },
	[MPTCPOPT_ADD_ADDR] = { 8, 10, 16, 18, 20, 22, 28, 30 },
	[MPTCPOPT_RM_ADDR] = { 4, 5, 6, 7, 8, 9, 10, 11 },
	[MPTCPOPT_MP_PRIO] = { 3 },
	[MPTCPOPT_MP_FAIL] = { 12 },
	[MPTCPOPT_MP_FASTCLOSE] = { 12 },
	[MPTCPOPT_MP_TCPRST] = { 4 },
};

/* Make the start of @area an MPTCP option of a random subtype whose length
 * is often one its decoder accepts (else random), so decoders are reached. */
static void shape_mptcp(__u8 *area, size_t len)
{
	__u8 sub = (__u8)(rnd() % 10), olen = 0;

	if (sub < MPTCPOPT_NR_SUBTYPES && (rnd() & 3)) {
		int n = 0;

		while (n < 9 && good_lens[sub][n])
			n++;
		olen = good_lens[sub][rnd() % n];
	}
	if (!olen || olen > len)
		olen = (__u8)(2 + rnd() % (len - 1));
	area[0] = MP;
	area[1] = olen;
	if (len > 2)
		area[2] = (__u8)(sub << 4 | (rnd() & 0xf));
	/* Valid MP_CAPABLE crypto flags now and then. */
	if (sub == MPTCPOPT_MP_CAPABLE && len > 3 && (rnd() & 1)) {
		area[2] = (__u8)(sub << 4 | 1);
		area[3] = (__u8)((rnd() & 0xa0) | MPTCP_CAP_HMAC_SHA256);
	}
}

/* Random areas, half of them shaped like MPTCP options so the decoders are
 * reached; exact-size heap copies make any overread an ASan error. */
static void random_areas_never_crash(void)
{
	struct xmp_mp_parse_stats st = { 0 };
	__u64 decoded = 0;

	for (int round = 0; round < 200000; round++) {
		size_t len = rnd() % (TCP_MAX_OPT_BYTES + 1);
		__u8 *area = malloc(len ? len : 1);
		struct xmp_tcp_opt_rx rx;
		struct xmp_mp_opt mp;
		int n;

		for (size_t i = 0; i < len; i++)
			area[i] = (__u8)rnd();
		if (len >= 2 && (round & 1))
			shape_mptcp(area, len);
		n = xmp_mp_parse(area, len, &mp, &st);
		CHECK(n >= 0 && n <= 20);
		decoded += (__u64)n;
		if (n > 0)
			reencode_check(&mp);
		xmp_tcp_parse_options(area, (unsigned int)len, round & 2, &rx);
		same_as_parse(area, len, rx.mp_at);
		for (size_t off = 0; off < len; off++)
			xmp_mp_decode_one(area + off, len - off, &mp);
		free(area);
		if (t_cur_failed)
			return;
	}
	printf("#   decoded %llu suboptions, dropped %llu\n", (unsigned long long)decoded,
	       (unsigned long long)total_drops(&st));
	CHECK(decoded > 1000);
}

int main(void)
{
	RUN(rfc_vectors_decode);
	RUN(rfc_vectors_encode);
	RUN(round_trip_mpc_mpj);
	RUN(round_trip_dss_all_flags);
	RUN(round_trip_addr_and_rest);
	RUN(dss_len_helper);
	RUN(malformed_ignored_and_counted);
	RUN(malformed_then_valid);
	RUN(several_suboptions_in_one_area);
	RUN(duplicate_suboption_last_wins);
	RUN(decode_at_located_same_as_parse);
	RUN(decode_at_refuses_bad_bits);
	RUN(encoders_refuse_invalid);
	RUN(mpc_variant_by_tcp_flags);
	RUN(seq_helpers);
	RUN(random_areas_never_crash);
	return t_exit_code();
}

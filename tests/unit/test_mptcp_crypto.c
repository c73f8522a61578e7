// SPDX-License-Identifier: GPL-2.0
/*
 * Vectors for user/mptcp/crypto.c and dss_csum.c: token/IDSN (RFC 8684 3.1),
 * HMAC-SHA256 (RFC 4231, and Linux's own kunit vectors for its MPTCP HMAC),
 * the MP_JOIN truncations (3.2), the ADD_ADDR HMAC (3.4.1), key generation,
 * and the DSS checksum (3.3.1) in one-shot and incremental forms.
 *
 * Expected values were computed outside this code base with python3's
 * hashlib/hmac (commands quoted beside each), or by hand for the checksums.
 */
#include <errno.h>
#include <stdint.h>

#include "lib/test.h"
#include "mptcp/crypto.h"
#include "mptcp/dss_csum.h"
#include "mptcp/options.h"

static int unhex(const char *s, __u8 *out, size_t max)
{
	size_t n = 0;

	for (; s[0] && s[1] && n < max; s += 2) {
		unsigned int b;

		if (sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = (__u8)b;
	}
	return (int)n;
}

/*
 * python3 -c "import hashlib,struct; d=hashlib.sha256(struct.pack('>Q',K)).digest();
 *             print(d[:4].hex(), d[-8:].hex())"
 */
static void token_idsn_of_known_keys(void)
{
	static const struct {
		__u64 key;
		__u32 token;
		__u64 idsn;
	} v[] = {
		{ 0x0123456789abcdefULL, 0x55c53f5d, 0x570762cd38be9818ULL },
		{ 0xffffffffffffffffULL, 0x12a3ae44, 0x57fb595bbbacf0caULL },
		{ 0x0000000000000001ULL, 0xcd266215, 0x19ec509083d00a50ULL },
		{ 0x1122334455667788ULL, 0x1dce6604, 0x62815714b76ae9a5ULL },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		__u32 token = 0;
		__u64 idsn = 0;

		xmp_crypto_key_sha(v[i].key, &token, &idsn);
		CHECK_EQ(token, v[i].token);
		CHECK_EQ(idsn, v[i].idsn);
		/* Either output may be omitted. */
		token = 0;
		xmp_crypto_key_sha(v[i].key, &token, NULL);
		CHECK_EQ(token, v[i].token);
		idsn = 0;
		xmp_crypto_key_sha(v[i].key, NULL, &idsn);
		CHECK_EQ(idsn, v[i].idsn);
	}
}

/* RFC 4231 section 4, test cases 1, 2, 3, 4 and 6 (HMAC-SHA-256 column). */
static void hmac_sha256_rfc4231(void)
{
	__u8 key[131], msg[64], want[32], got[32];
	const char *tc3_4_6[] = {
		"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
		"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	};
	const char *tc6_msg = "Test Using Larger Than Block-Size Key - Hash Key First";

	memset(key, 0x0b, 20);
	CHECK_EQ(xmp_crypto_hmac_sha256(key, 20, "Hi There", 8, got), 0);
	unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", want, 32);
	CHECK_MEM(got, want, 32);

	CHECK_EQ(xmp_crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, got), 0);
	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want, 32);
	CHECK_MEM(got, want, 32);

	memset(key, 0xaa, 20);
	memset(msg, 0xdd, 50);
	CHECK_EQ(xmp_crypto_hmac_sha256(key, 20, msg, 50, got), 0);
	unhex(tc3_4_6[0], want, 32);
	CHECK_MEM(got, want, 32);

	for (int i = 0; i < 25; i++)
		key[i] = (__u8)(i + 1);
	memset(msg, 0xcd, 50);
	CHECK_EQ(xmp_crypto_hmac_sha256(key, 25, msg, 50, got), 0);
	unhex(tc3_4_6[1], want, 32);
	CHECK_MEM(got, want, 32);

	/* Key longer than the SHA-256 block: hashed first. */
	memset(key, 0xaa, 131);
	CHECK_EQ(xmp_crypto_hmac_sha256(key, 131, tc6_msg, strlen(tc6_msg), got), 0);
	unhex(tc3_4_6[2], want, 32);
	CHECK_MEM(got, want, 32);

	CHECK_EQ(xmp_crypto_hmac_sha256(NULL, 4, "x", 1, got), -EINVAL);
}

/*
 * The vectors of Linux net/mptcp/crypto_test.c (kunit): there the key and
 * message strings are used as raw ASCII bytes (key1 = first 8 bytes
 * big-endian, key2 = next 8). Re-checked with
 * python3 -c "import hmac,hashlib; print(hmac.new(b'0b0b0b0b0b0b0b0b', b'48692054', hashlib.sha256).hexdigest())"
 * so our Key = be64(key1) || be64(key2) layout matches the kernel's.
 */
static void hmac_sha_matches_linux_kunit(void)
{
	static const struct {
		const char *key, *msg, *result;
	} v[] = {
		{ "0b0b0b0b0b0b0b0b", "48692054",
		  "8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa" },
		{ "aaaaaaaaaaaaaaaa", "dddddddd",
		  "2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9" },
		{ "0102030405060708", "cdcdcdcd",
		  "e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const __u8 *k = (const __u8 *)v[i].key, *m = (const __u8 *)v[i].msg;
		__u64 key1 = 0, key2 = 0;
		__u32 n1 = 0, n2 = 0;
		__u8 want[32], got[32];

		for (int j = 0; j < 8; j++) {
			key1 = key1 << 8 | k[j];
			key2 = key2 << 8 | k[8 + j];
		}
		for (int j = 0; j < 4; j++) {
			n1 = n1 << 8 | m[j];
			n2 = n2 << 8 | m[4 + j];
		}
		unhex(v[i].result, want, 32);
		CHECK_EQ(xmp_crypto_hmac_sha(key1, key2, m, 8, got), 0);
		CHECK_MEM(got, want, 32);
		/* The join form packs the nonces the same way. */
		memset(got, 0, sizeof(got));
		CHECK_EQ(xmp_crypto_join_hmac(key1, key2, n1, n2, got), 0);
		CHECK_MEM(got, want, 32);
	}
}

/*
 * RFC 8684 3.2 with Key-A = 0x0123456789abcdef, Key-B = 0xfedcba9876543210,
 * R-A = 0x11223344, R-B = 0xaabbccdd:
 * H = lambda k1,k2,m: hmac.new(struct.pack('>QQ',k1,k2), m, hashlib.sha256).digest()
 * SYN-ACK (B): H(KB,KA, pack('>II',RB,RA))[:8]  = 3bae5abc810a33c2
 * ACK (A):     H(KA,KB, pack('>II',RA,RB))[:20] = f61753d6...ec9d1a8a
 */
static void join_hmac_truncations(void)
{
	const __u64 ka = 0x0123456789abcdefULL, kb = 0xfedcba9876543210ULL;
	const __u32 ra = 0x11223344, rb = 0xaabbccdd;
	__u8 want20[20], full[32], bad[20];
	__u64 thmac = 0;

	unhex("f61753d6b8ac227764b9d1b17a6f5ceeec9d1a8a", want20, 20);

	/* B sends its truncated HMAC; A verifies it with B's view. */
	CHECK_EQ(xmp_crypto_join_thmac(kb, ka, rb, ra, &thmac), 0);
	CHECK_EQ(thmac, 0x3bae5abc810a33c2ULL);
	CHECK_EQ(xmp_crypto_join_check_thmac(kb, ka, rb, ra, 0x3bae5abc810a33c2ULL), 0);
	CHECK_EQ(xmp_crypto_join_check_thmac(kb, ka, rb, ra, 0x3bae5abc810a33c3ULL), -EBADMSG);
	/* The wrong key order (A's view) must not verify. */
	CHECK_EQ(xmp_crypto_join_check_thmac(ka, kb, ra, rb, 0x3bae5abc810a33c2ULL), -EBADMSG);

	/* A's third ACK: leftmost 160 bits of its own HMAC. */
	CHECK_EQ(xmp_crypto_join_hmac(ka, kb, ra, rb, full), 0);
	CHECK_MEM(full, want20, 20);
	CHECK_EQ(xmp_crypto_join_check_hmac(ka, kb, ra, rb, want20), 0);
	memcpy(bad, want20, 20);
	bad[19] ^= 1;
	CHECK_EQ(xmp_crypto_join_check_hmac(ka, kb, ra, rb, bad), -EBADMSG);
	CHECK_EQ(xmp_crypto_join_check_hmac(kb, ka, rb, ra, want20), -EBADMSG);
}

/*
 * RFC 8684 3.4.1, message id || addr || port(2, 0 if none), rightmost 64
 * bits, key of the sender first (Linux add_addr_generate_hmac()):
 * H(KA,KB, bytes([1])+inet_aton('10.0.0.2')+pack('>H',0))[-8:]    = 9a1a8c121491c8fb
 * ... port 8080                                                   = 932f365acf099924
 * H(KA,KB, bytes([7])+inet_pton(AF_INET6,'2001:db8::1')+pack('>H',443))[-8:] = 6e968a01292d5ea7
 */
static void add_addr_hmac_vectors(void)
{
	const __u64 ka = 0x0123456789abcdefULL, kb = 0xfedcba9876543210ULL;
	const __u8 v4[4] = { 10, 0, 0, 2 };
	const __u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	__u64 h = 0;

	CHECK_EQ(xmp_crypto_add_addr_hmac(ka, kb, 1, 4, v4, 0, &h), 0);
	CHECK_EQ(h, 0x9a1a8c121491c8fbULL);
	CHECK_EQ(xmp_crypto_add_addr_hmac(ka, kb, 1, 4, v4, 8080, &h), 0);
	CHECK_EQ(h, 0x932f365acf099924ULL);
	CHECK_EQ(xmp_crypto_add_addr_hmac(ka, kb, 7, 6, v6, 443, &h), 0);
	CHECK_EQ(h, 0x6e968a01292d5ea7ULL);

	CHECK_EQ(xmp_crypto_add_addr_check(ka, kb, 7, 6, v6, 443, 0x6e968a01292d5ea7ULL), 0);
	/* Receiver side with keys swapped, another port or id: rejected. */
	CHECK_EQ(xmp_crypto_add_addr_check(kb, ka, 7, 6, v6, 443, 0x6e968a01292d5ea7ULL), -EBADMSG);
	CHECK_EQ(xmp_crypto_add_addr_check(ka, kb, 7, 6, v6, 444, 0x6e968a01292d5ea7ULL), -EBADMSG);
	CHECK_EQ(xmp_crypto_add_addr_check(ka, kb, 8, 6, v6, 443, 0x6e968a01292d5ea7ULL), -EBADMSG);
	CHECK_EQ(xmp_crypto_add_addr_hmac(ka, kb, 1, 5, v4, 0, &h), -EINVAL);
}

struct refuse_ctx {
	int calls;
	int refuse_first;
	__u32 last;
};

static bool refuse_some(__u32 token, void *arg)
{
	struct refuse_ctx *c = arg;

	c->last = token;
	return ++c->calls > c->refuse_first;
}

static void key_gen_unique_nonzero(void)
{
	struct refuse_ctx c = { 0 };
	__u64 key = 0, idsn = 0, prev = 0, idsn2;
	__u32 token = 0, token2, nonce;

	for (int i = 0; i < 64; i++) {
		CHECK_EQ(xmp_crypto_key_gen(&key, &token, &idsn, NULL, NULL), 0);
		CHECK(key != 0);
		CHECK(key != prev);
		xmp_crypto_key_sha(key, &token2, &idsn2);
		CHECK_EQ(token, token2);
		CHECK_EQ(idsn, idsn2);
		prev = key;
	}

	/* The hook sees each candidate's token; refused ones are redrawn. */
	c.refuse_first = 3;
	CHECK_EQ(xmp_crypto_key_gen(&key, &token, NULL, refuse_some, &c), 0);
	CHECK_EQ(c.calls, 4);
	CHECK_EQ(c.last, token);

	memset(&c, 0, sizeof(c));
	c.refuse_first = 1 << 30;
	key = 42;
	CHECK_EQ(xmp_crypto_key_gen(&key, &token, NULL, refuse_some, &c), -EEXIST);
	CHECK_EQ(c.calls, XMP_KEY_GEN_TRIES);
	CHECK_EQ(key, 42); /* untouched on failure */

	CHECK_EQ(xmp_crypto_nonce(&nonce), 0);
	CHECK_EQ(xmp_crypto_key_gen(NULL, NULL, NULL, NULL, NULL), -EINVAL);
}

/*
 * By hand, RFC 1071 on 16-bit big-endian words. DSN = 0x0000000100000002,
 * SSN = 1, length 4, payload 01 02 03 04:
 *   DSN words 0000 0001 0000 0002, SSN 0000 0001, len 0004, zero 0000,
 *   payload 0102 0304 -> sum = 1 + 2 + 1 + 4 + 0x0102 + 0x0304 = 0x040e,
 *   checksum = ~0x040e = 0xfbf1.
 * With a carry: DSN = 0xffffffffffffffff, SSN = 0xffff0000, length 3,
 * payload ff ff 80 (odd: padded 8000):
 *   DSN 4 * ffff, SSN ffff + 0000, len 0003, zero 0000, payload ffff + 8000
 *   = 6 * ffff + 0003 + 8000 = 0x6_7ffd -> 0x7ffd + 6 = 0x8003,
 *   checksum = ~0x8003 = 0x7ffc.
 */
static void dss_csum_hand_vectors(void)
{
	const __u8 p1[] = { 1, 2, 3, 4 }, p2[] = { 0xff, 0xff, 0x80 };
	struct xmp_csum c;

	CHECK_EQ(xmp_dss_csum_buf(0x0000000100000002ULL, 1, 4, p1, 4), 0xfbf1);
	CHECK_EQ(xmp_dss_csum_buf(0xffffffffffffffffULL, 0xffff0000, 3, p2, 3), 0x7ffc);

	xmp_csum_init(&c);
	xmp_csum_add(&c, p1, 4);
	CHECK_EQ(xmp_csum_fold(&c), 0x0406);
	CHECK_EQ(xmp_dss_csum_check(0x0000000100000002ULL, 1, 4, 0xfbf1, &c), 0);
	CHECK_EQ(xmp_dss_csum_check(0x0000000100000002ULL, 1, 4, 0xfbf0, &c), -EBADMSG);
	/* Any change of the pseudo-header is caught too. */
	CHECK_EQ(xmp_dss_csum_check(0x0000000100000003ULL, 1, 4, 0xfbf1, &c), -EBADMSG);
	CHECK_EQ(xmp_dss_csum_check(0x0000000100000002ULL, 2, 4, 0xfbf1, &c), -EBADMSG);
	CHECK_EQ(xmp_dss_csum_check(0x0000000100000002ULL, 1, 5, 0xfbf1, &c), -EBADMSG);
}

static __u32 rng_state = 0x9e3779b9;

static __u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Naive reference: one byte at a time at its absolute position. */
static __u16 ref_fold(const __u8 *p, size_t n)
{
	__u64 s = 0;

	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (__u32)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* A mapping split over segments of any sizes (odd ones included) gives the
 * one-shot checksum, and so does concatenating separately summed parts. */
static void dss_csum_incremental_equals_oneshot(void)
{
	__u8 buf[1501];

	for (int round = 0; round < 200; round++) {
		size_t n = rnd() % sizeof(buf), off = 0;
		__u64 dsn = (__u64)rnd() << 32 | rnd();
		__u32 ssn = rnd();
		struct xmp_csum inc, cat;
		__u16 one;

		for (size_t i = 0; i < n; i++)
			buf[i] = (__u8)rnd();
		one = xmp_dss_csum_buf(dsn, ssn, (__u16)n, buf, n);
		xmp_csum_init(&inc);
		xmp_csum_init(&cat);
		while (off < n) {
			size_t part = 1 + rnd() % 97;
			struct xmp_csum piece;

			if (part > n - off)
				part = n - off;
			xmp_csum_add(&inc, buf + off, part);
			xmp_csum_init(&piece);
			xmp_csum_add(&piece, buf + off, part);
			xmp_csum_concat(&cat, &piece);
			off += part;
		}
		CHECK_EQ(xmp_csum_fold(&inc), ref_fold(buf, n));
		CHECK_EQ(xmp_dss_csum(dsn, ssn, (__u16)n, &inc), one);
		CHECK_EQ(xmp_dss_csum(dsn, ssn, (__u16)n, &cat), one);
		CHECK_EQ(xmp_dss_csum_check(dsn, ssn, (__u16)n, one, &inc), 0);
		if (n) {
			buf[rnd() % n] ^= 0x10;
			xmp_csum_init(&inc);
			xmp_csum_add(&inc, buf, n);
			CHECK_EQ(xmp_dss_csum_check(dsn, ssn, (__u16)n, one, &inc), -EBADMSG);
		}
	}
}

/* End to end: a DSS carrying the checksum of its payload survives the
 * codec and verifies on the other side. */
static void dss_csum_through_codec(void)
{
	const char payload[] = "hello, multipath";
	struct xmp_dss d = {
		.use_ack = 1, .ack64 = 1, .data_ack = 0x1122334455667788ULL,
		.use_map = 1, .dsn64 = 1, .data_seq = 0xfffffffffffffff0ULL,
		.subflow_seq = 1, .data_len = sizeof(payload) - 1, .csum_present = 1,
	};
	struct xmp_mp_opt mp;
	struct xmp_csum c;
	__u8 opt[40];
	int n;

	d.csum = xmp_dss_csum_buf(d.data_seq, d.subflow_seq, d.data_len, payload, d.data_len);
	n = xmp_mp_write_dss(opt, sizeof(opt), &d);
	CHECK_EQ(n, 28);
	CHECK_EQ(xmp_mp_parse(opt, n, &mp, NULL), 1);
	CHECK(mp.dss.csum_present);
	xmp_csum_init(&c);
	xmp_csum_add(&c, payload, 5);
	xmp_csum_add(&c, payload + 5, d.data_len - 5);
	CHECK_EQ(xmp_dss_csum_check(mp.dss.data_seq, mp.dss.subflow_seq, mp.dss.data_len,
				    mp.dss.csum, &c), 0);
}

int main(void)
{
	RUN(token_idsn_of_known_keys);
	RUN(hmac_sha256_rfc4231);
	RUN(hmac_sha_matches_linux_kunit);
	RUN(join_hmac_truncations);
	RUN(add_addr_hmac_vectors);
	RUN(key_gen_unique_nonzero);
	RUN(dss_csum_hand_vectors);
	RUN(dss_csum_incremental_equals_oneshot);
	RUN(dss_csum_through_codec);
	return t_exit_code();
}

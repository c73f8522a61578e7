// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the MP_JOIN handshake module (user/mptcp/join.c), no root needed.
 * Two connections with known keys (client side: local KA, remote KB; server
 * side the reverse, made with xmp_msk_create()) open joins against each
 * other. Every handshake segment goes through the real codec:
 * xmp_join_write_options() -> bytes -> xmp_mp_parse() ->
 * xmp_join_rcv_options(), and the tests tamper with the bytes in between.
 * HMACs are checked against OpenSSL's HMAC() called here directly (not
 * through crypto.c) and against fixed vectors computed with python3.
 * Covered: both roles and both directions, address ids and B bits, the
 * pre-established client until the fourth ACK, forged truncated and full
 * HMACs (every bit), a reflected HMAC, unknown token, missing options,
 * replayed nonces, the join limit (also with joins in flight), connections
 * that take no subflow (fallen back, aborted),
 * retransmitted SYN / SYN-ACK / third ACK / lost fourth ACK, and giving up
 * on the third ACK.
 */
#include <errno.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "lib/test.h"
#include "unit/mptcp_wire.h"
#include "common/mib.h"
#include "mptcp/join.h"

#define KA     0x0123456789abcdefULL /* key of the MP_CAPABLE client */
#define KB     0xfedcba9876543210ULL /* key of the MP_CAPABLE server */
#define RA     0x01020304u	     /* nonce of the joining host */
#define RB     0xa0b0c0d0u	     /* nonce of the host joined */
#define ID_A   3
#define ID_B   7
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/*
 * Fixed vectors, computed outside this code base:
 * python3 -c "import hmac,hashlib,struct
 * KA=0x0123456789abcdef; KB=0xfedcba9876543210; RA=0x01020304; RB=0xa0b0c0d0
 * print(hashlib.sha256(struct.pack('>Q',KB)).hexdigest()[:8])
 * print(hmac.new(struct.pack('>QQ',KB,KA), struct.pack('>II',RB,RA),
 *                hashlib.sha256).hexdigest()[:16])
 * print(hmac.new(struct.pack('>QQ',KA,KB), struct.pack('>II',RA,RB),
 *                hashlib.sha256).hexdigest()[:40])"
 */
#define VEC_TOKEN_B 0x18f9781bu
#define VEC_THMAC   0xaa7ebc70598ce670ULL
/* clang-format off */
static const __u8 vec_hmac[20] = {
	0x0c, 0xa3, 0xce, 0xb8, 0x49, 0xb1, 0xa9, 0x43, 0x72, 0x45,
	0x1a, 0xb6, 0xb2, 0x2b, 0x0b, 0xa8, 0xe6, 0x1b, 0x1a, 0xff,
};
/* clang-format on */

/* Independent reference: HMAC-SHA256(be64(k1) || be64(k2), be32(n1) || be32(n2)). */
static void ref_hmac(__u64 k1, __u64 k2, __u32 n1, __u32 n2, __u8 out[32])
{
	__u8 key[16], msg[8];
	unsigned int len = 0;
	int i;

	for (i = 0; i < 8; i++) {
		key[i] = (__u8)(k1 >> (56 - 8 * i));
		key[8 + i] = (__u8)(k2 >> (56 - 8 * i));
	}
	for (i = 0; i < 4; i++) {
		msg[i] = (__u8)(n1 >> (24 - 8 * i));
		msg[4 + i] = (__u8)(n2 >> (24 - 8 * i));
	}
	CHECK(HMAC(EVP_sha256(), key, sizeof(key), msg, sizeof(msg), out, &len) != NULL);
	CHECK_EQ(len, 32);
}

static __u64 ref_thmac(__u64 k1, __u64 k2, __u32 n1, __u32 n2)
{
	__u8 md[32];
	__u64 v = 0;
	int i;

	ref_hmac(k1, k2, n1, n2, md);
	for (i = 0; i < 8; i++)
		v = (v << 8) | md[i];
	return v;
}

static __u32 ref_token(__u64 key)
{
	__u8 in[8], md[32];
	int i;

	for (i = 0; i < 8; i++)
		in[i] = (__u8)(key >> (56 - 8 * i));
	SHA256(in, sizeof(in), md);
	return (__u32)md[0] << 24 | (__u32)md[1] << 16 | (__u32)md[2] << 8 | md[3];
}

/* Two connections, one per host, and the server's token table. */
struct world {
	struct xmp_msk *msk_a, *msk_b;
	struct xmp_join_conn ca, cb;
	unsigned int lookups;
};

static struct xmp_join_conn *lookup(__u32 token, void *arg)
{
	struct world *w = arg;

	w->lookups++;
	if (token == w->cb.local_token)
		return &w->cb;
	if (token == w->ca.local_token)
		return &w->ca;
	return NULL;
}

static void w_init(struct world *w, unsigned int max_a, unsigned int max_b)
{
	memset(w, 0, sizeof(*w));
	CHECK_EQ(xmp_msk_create(&w->msk_a, NULL, KA, KB, false), 0);
	CHECK_EQ(xmp_msk_create(&w->msk_b, NULL, KB, KA, false), 0);
	CHECK_EQ(xmp_join_conn_init(&w->ca, w->msk_a, max_a), 0);
	CHECK_EQ(xmp_join_conn_init(&w->cb, w->msk_b, max_b), 0);
}

static void w_free(struct world *w)
{
	xmp_msk_destroy(w->msk_a);
	xmp_msk_destroy(w->msk_b);
}

/* The end of a test: the server's connection took @joined subflows. */
static void w_done(struct world *w, unsigned int joined)
{
	CHECK_EQ(w->cb.nr_joined, joined);
	w_free(w);
}

/* One segment on the wire: TCP flags and the option bytes. */
struct seg {
	__u8 flags;
	int len;
	__u8 opts[40];
};

static struct seg emit(struct xmp_join *from, __u8 flags)
{
	struct seg s = {.flags = flags};

	s.len = xmp_join_write_options(from, flags, s.opts, sizeof(s.opts));
	CHECK(s.len >= 0);
	if (s.len < 0)
		s.len = 0;
	return s;
}

static struct xmp_mp_opt parse(const struct seg *s)
{
	return mp_parse_clean(s->opts, s->len);
}

static int deliver(struct xmp_join *to, const struct seg *s)
{
	struct xmp_mp_opt mp = parse(s);

	return xmp_join_rcv_options(to, s->flags, &mp);
}

/* Flip bit @bit of the option bytes from byte @off on. */
static void flip(struct seg *s, int off, int bit)
{
	s->opts[off + bit / 8] ^= (__u8)(0x80 >> (bit % 8));
}

/* One segment from @from to @to, untouched: what @to's module returns. */
static int pass(struct xmp_join *from, struct xmp_join *to, __u8 flags)
{
	struct seg s = emit(from, flags);

	return deliver(to, &s);
}

static void init_pair(struct world *w, struct xmp_join *jc, struct xmp_join *js, __u32 rc, __u32 rs)
{
	CHECK_EQ(xmp_join_init_client(jc, &w->ca, ID_A, true, rc), 0);
	CHECK_EQ(xmp_join_init_server(js, lookup, w, ID_B, false, rs), 0);
}

/* SYN, SYN-ACK, third ACK, fourth ACK without tampering. */
static void handshake(struct xmp_join *jc, struct xmp_join *js)
{
	CHECK_EQ(pass(jc, js, TH_SYN), 0);
	CHECK_EQ(pass(js, jc, TH_SYN | TH_ACK), 0);
	CHECK_EQ(pass(jc, js, TH_ACK), XMP_JOIN_SEND_ACK);
	CHECK_EQ(pass(js, jc, TH_ACK), 0);
	CHECK_EQ(jc->state, XMP_JOIN_ESTABLISHED);
	CHECK_EQ(js->state, XMP_JOIN_ESTABLISHED);
}

/* The RST of a failed join says why (3.6). */
static void check_rst(struct xmp_join *j, __u8 reason)
{
	struct seg s = emit(j, TH_RST | TH_ACK);
	struct xmp_mp_opt mp = parse(&s);

	CHECK_EQ(mp.suboptions, XMP_MPO_TCPRST);
	CHECK_EQ(mp.rst.reason, reason);
}

static void join_full_handshake(void)
{
	struct xmp_join jc, js;
	struct xmp_mp_opt mp;
	struct world w;
	__u8 md[32];
	struct seg s;

	w_init(&w, 2, 2);
	CHECK_EQ(w.ca.remote_token, ref_token(KB));
	CHECK_EQ(w.cb.local_token, VEC_TOKEN_B);
	init_pair(&w, &jc, &js, RA, RB);

	/* SYN: the server's token, R-A, our id, B bit. */
	s = emit(&jc, TH_SYN);
	CHECK_EQ(s.len, MPTCPOLEN_MPJ_SYN);
	CHECK_EQ(jc.state, XMP_JOIN_SYN_SENT);
	mp = parse(&s);
	CHECK_EQ(mp.suboptions, XMP_MPO_MPJ_SYN);
	CHECK_EQ(mp.mpj.token, VEC_TOKEN_B);
	CHECK_EQ(mp.mpj.nonce, RA);
	CHECK_EQ(mp.mpj.addr_id, ID_A);
	CHECK_EQ(mp.mpj.backup, 1);
	CHECK_EQ(deliver(&js, &s), 0);
	CHECK_EQ(js.state, XMP_JOIN_SYN_RCVD);
	CHECK(js.conn == &w.cb);
	CHECK_EQ(js.remote_id, ID_A);
	CHECK_EQ(js.remote_backup, true);
	CHECK_EQ(js.remote_nonce, RA);

	/* SYN-ACK: HMAC(Key-B || Key-A, R-B || R-A), leftmost 64 bits. */
	s = emit(&js, TH_SYN | TH_ACK);
	CHECK_EQ(s.len, MPTCPOLEN_MPJ_SYNACK);
	mp = parse(&s);
	CHECK_EQ(mp.suboptions, XMP_MPO_MPJ_SYNACK);
	CHECK_EQ(mp.mpj.thmac, ref_thmac(KB, KA, RB, RA));
	CHECK_EQ(mp.mpj.thmac, VEC_THMAC);
	CHECK_EQ(mp.mpj.nonce, RB);
	CHECK_EQ(mp.mpj.addr_id, ID_B);
	CHECK_EQ(mp.mpj.backup, 0);
	CHECK_EQ(deliver(&jc, &s), 0);
	CHECK_EQ(jc.state, XMP_JOIN_PRE_ESTABLISHED);
	CHECK(!xmp_join_can_send(&jc));
	CHECK_EQ(jc.remote_id, ID_B);
	CHECK_EQ(jc.remote_backup, false);

	/* Third ACK: HMAC(Key-A || Key-B, R-A || R-B), leftmost 160 bits. */
	s = emit(&jc, TH_ACK);
	CHECK_EQ(s.len, MPTCPOLEN_MPJ_ACK);
	mp = parse(&s);
	CHECK_EQ(mp.suboptions, XMP_MPO_MPJ_ACK);
	ref_hmac(KA, KB, RA, RB, md);
	CHECK_MEM(mp.mpj.hmac, md, 20);
	CHECK_MEM(mp.mpj.hmac, vec_hmac, 20);
	/* 3.2: no data before the fourth ACK. */
	CHECK_EQ(jc.state, XMP_JOIN_PRE_ESTABLISHED);
	CHECK(!xmp_join_can_send(&jc));
	CHECK(!xmp_join_can_send(&js));
	CHECK_EQ(deliver(&js, &s), XMP_JOIN_SEND_ACK);
	CHECK_EQ(js.state, XMP_JOIN_ESTABLISHED);
	CHECK(xmp_join_can_send(&js));
	CHECK_EQ(w.cb.nr_joined, 1);

	/* Fourth ACK: a plain ACK, no MPTCP option from this module. */
	s = emit(&js, TH_ACK);
	CHECK_EQ(s.len, 0);
	CHECK_EQ(deliver(&jc, &s), 0);
	CHECK_EQ(jc.state, XMP_JOIN_ESTABLISHED);
	CHECK(xmp_join_can_send(&jc));
	CHECK_EQ(w.ca.nr_joined, 1);
	s = emit(&jc, TH_ACK); /* the third ACK is not repeated any more */
	CHECK_EQ(s.len, 0);

	CHECK_EQ(jc.mib[XMP_JOIN_MIB_SYN_TX], 1);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_SYNACK_RX], 1);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_ACK_TX], 1);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_FOURTH_ACK_RX], 1);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_SYN_RX], 1);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_SYN_BACKUP_RX], 1);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_SYNACK_TX], 1);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_ACK_RX], 1);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_IGNORED] + js.mib[XMP_JOIN_MIB_IGNORED], 0);

	xmp_join_release(&jc);
	xmp_join_release(&js);
	xmp_join_release(&js); /* idempotent */
	CHECK_EQ(w.ca.nr_joined, 0);
	w_done(&w, 0);
}

/* The MP_CAPABLE server opens the join (3.2 allows either host): the key
 * order follows who sends, not who was the MP_CAPABLE client. Backup on the
 * SYN-ACK side this time, and address ids at their extremes. */
static void join_reverse_direction(void)
{
	struct xmp_join jc, js;
	struct xmp_mp_opt mp;
	struct world w;
	__u8 md[32];
	struct seg s;

	w_init(&w, 1, 1);
	CHECK_EQ(xmp_join_init_client(&jc, &w.cb, 255, false, 0xffffffffu), 0);
	CHECK_EQ(xmp_join_init_server(&js, lookup, &w, 0, true, 0), 0);
	s = emit(&jc, TH_SYN);
	mp = parse(&s);
	CHECK_EQ(mp.mpj.token, ref_token(KA));
	CHECK_EQ(mp.mpj.addr_id, 255);
	CHECK_EQ(mp.mpj.backup, 0);
	CHECK_EQ(deliver(&js, &s), 0);
	CHECK(js.conn == &w.ca);
	s = emit(&js, TH_SYN | TH_ACK);
	mp = parse(&s);
	CHECK_EQ(mp.mpj.thmac, ref_thmac(KA, KB, 0, 0xffffffffu));
	CHECK_EQ(mp.mpj.backup, 1);
	CHECK_EQ(mp.mpj.addr_id, 0);
	CHECK_EQ(deliver(&jc, &s), 0);
	CHECK_EQ(jc.remote_backup, true);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_SYNACK_BACKUP_RX], 1);
	s = emit(&jc, TH_ACK);
	mp = parse(&s);
	ref_hmac(KB, KA, 0xffffffffu, 0, md);
	CHECK_MEM(mp.mpj.hmac, md, 20);
	CHECK_EQ(deliver(&js, &s), XMP_JOIN_SEND_ACK);
	CHECK_EQ(pass(&js, &jc, TH_ACK), 0);
	CHECK(xmp_join_can_send(&jc) && xmp_join_can_send(&js));
	w_free(&w);
}

/* 3.2: a SYN-ACK whose truncated HMAC is off by any one bit is refused:
 * RST with MP_TCPRST, no third ACK, no subflow. */
static void join_forged_thmac(void)
{
	int bit, bad = 0;

	for (bit = 0; bit < 64; bit++) {
		struct xmp_join jc, js;
		struct world w;
		struct seg s;

		w_init(&w, 2, 2);
		init_pair(&w, &jc, &js, RA, RB);
		pass(&jc, &js, TH_SYN);
		s = emit(&js, TH_SYN | TH_ACK);
		flip(&s, 4, bit); /* thmac: bytes 4..11 */
		if (deliver(&jc, &s) == -EBADMSG && jc.state == XMP_JOIN_FAILED &&
		    jc.fail == XMP_JOIN_FAIL_THMAC && jc.mib[XMP_JOIN_MIB_SYNACK_HMAC] == 1 &&
		    !xmp_join_can_send(&jc) && w.ca.nr_joined == 0)
			bad++;
		s = emit(&jc, TH_ACK);
		CHECK_EQ(s.len, 0); /* no third ACK */
		check_rst(&jc, MPTCP_RST_EMPTCP);
		/* Whatever comes next, the join stays dead. */
		CHECK_EQ(pass(&js, &jc, TH_SYN | TH_ACK), -EBADMSG);
		CHECK_EQ(jc.state, XMP_JOIN_FAILED);
		w_free(&w);
	}
	CHECK_EQ(bad, 64);
}

/* A fresh world and pair, SYN and SYN-ACK exchanged: the client's third
 * ACK, not delivered yet. */
static struct seg third_ack(struct world *w, struct xmp_join *jc, struct xmp_join *js)
{
	w_init(w, 2, 2);
	init_pair(w, jc, js, RA, RB);
	pass(jc, js, TH_SYN);
	pass(js, jc, TH_SYN | TH_ACK);
	return emit(jc, TH_ACK);
}

/* 3.2: a third ACK whose HMAC is off by any one bit is refused and never
 * becomes a subflow; so is the server's own HMAC reflected back. */
static void join_forged_hmac(void)
{
	struct xmp_join jc, js;
	struct xmp_mp_opt mp;
	struct world w;
	int bit, bad = 0;
	__u8 md[32];
	struct seg s;

	for (bit = 0; bit < 160; bit++) {
		s = third_ack(&w, &jc, &js);
		flip(&s, 4, bit); /* hmac: bytes 4..23 */
		if (deliver(&js, &s) == -EBADMSG && js.state == XMP_JOIN_FAILED &&
		    js.fail == XMP_JOIN_FAIL_HMAC && js.mib[XMP_JOIN_MIB_ACK_HMAC] == 1 &&
		    !xmp_join_can_send(&js) && w.cb.nr_joined == 0)
			bad++;
		check_rst(&js, MPTCP_RST_EPROHIBIT);
		/* The genuine third ACK arriving later cannot revive it. */
		CHECK_EQ(pass(&jc, &js, TH_ACK), -EBADMSG);
		CHECK_EQ(w.cb.nr_joined, 0);
		w_free(&w);
	}
	CHECK_EQ(bad, 160);

	/* Reflection: the HMAC with the server's key order (Key-B || Key-A,
	 * R-B || R-A) is not the client's. */
	s = third_ack(&w, &jc, &js);
	ref_hmac(KB, KA, RB, RA, md);
	memcpy(s.opts + 4, md, 20);
	mp = parse(&s);
	CHECK_MEM(mp.mpj.hmac, md, 20);
	CHECK_EQ(deliver(&js, &s), -EBADMSG);
	CHECK_EQ(js.fail, XMP_JOIN_FAIL_HMAC);
	w_free(&w);
}

/* 3.2: a SYN naming no connection of ours is refused (RST), counted. */
static void join_unknown_token(void)
{
	struct xmp_join jc, js;
	struct world w;
	struct seg s;

	w_init(&w, 2, 2);
	w.ca.remote_token ^= 1; /* the client names a token nobody has */
	init_pair(&w, &jc, &js, RA, RB);
	CHECK_EQ(pass(&jc, &js, TH_SYN), -ENOENT);
	CHECK_EQ(w.lookups, 1);
	CHECK_EQ(js.state, XMP_JOIN_FAILED);
	CHECK_EQ(js.fail, XMP_JOIN_FAIL_NO_TOKEN);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_NO_TOKEN], 1);
	CHECK(js.conn == NULL);
	s = emit(&js, TH_SYN | TH_ACK);
	CHECK_EQ(s.len, 0); /* no SYN-ACK option */
	check_rst(&js, MPTCP_RST_EMPTCP);
	CHECK_EQ(w.cb.nr_joined + w.cb.nr_recent, 0);
	/* Its retransmission is refused again. */
	CHECK_EQ(pass(&jc, &js, TH_SYN), -ENOENT);
	w_free(&w);
}

/* Handshake segments without their MP_JOIN: a join cannot fall back to TCP
 * (3.2, 3.7), the subflow is reset. */
static void join_missing_option(void)
{
	struct seg none_syn = {.flags = TH_SYN}, none_synack = {.flags = TH_SYN | TH_ACK};
	struct seg none_ack = {.flags = TH_ACK};
	struct xmp_join jc, js;
	struct world w;

	w_init(&w, 2, 2);
	init_pair(&w, &jc, &js, RA, RB);
	CHECK_EQ(deliver(&js, &none_syn), -EPROTO);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_NO_MPJ], 1);

	init_pair(&w, &jc, &js, RA, RB);
	emit(&jc, TH_SYN); /* the SYN goes out: the client waits for a SYN-ACK */
	CHECK_EQ(deliver(&jc, &none_synack), -EPROTO);
	CHECK_EQ(jc.fail, XMP_JOIN_FAIL_NO_MPJ);
	check_rst(&jc, MPTCP_RST_EMPTCP);

	init_pair(&w, &jc, &js, RA + 1, RB + 1);
	CHECK_EQ(pass(&jc, &js, TH_SYN), 0);
	CHECK_EQ(pass(&js, &jc, TH_SYN | TH_ACK), 0);
	CHECK_EQ(deliver(&js, &none_ack), -EPROTO);
	CHECK_EQ(js.fail, XMP_JOIN_FAIL_NO_MPJ);
	w_done(&w, 0);
}

/* A nonce of a recent join of the same connection is refused: a recorded
 * SYN played again, or a nonce reused. */
static void join_replayed_nonce(void)
{
	struct xmp_join jc, js, js2, jc2, js3;
	struct seg syn, synack, s;
	struct world w;
	int i;

	w_init(&w, 64, 64);
	init_pair(&w, &jc, &js, RA, RB);
	syn = emit(&jc, TH_SYN);
	deliver(&js, &syn);
	synack = emit(&js, TH_SYN | TH_ACK);
	deliver(&jc, &synack);
	pass(&jc, &js, TH_ACK);
	pass(&js, &jc, TH_ACK);
	CHECK(xmp_join_can_send(&js));

	/* The recorded SYN again, on another tuple: refused. */
	CHECK_EQ(xmp_join_init_server(&js2, lookup, &w, ID_B, false, RB + 1), 0);
	CHECK_EQ(deliver(&js2, &syn), -EEXIST);
	CHECK_EQ(js2.fail, XMP_JOIN_FAIL_REPLAY);
	CHECK_EQ(js2.mib[XMP_JOIN_MIB_REPLAY], 1);
	check_rst(&js2, MPTCP_RST_EPROHIBIT);
	CHECK_EQ(w.cb.nr_joined, 1);

	/* Our own nonce again: the caller must draw another. */
	CHECK_EQ(xmp_join_init_client(&jc2, &w.ca, ID_A, false, RA), -EEXIST);
	CHECK_EQ(jc2.state, XMP_JOIN_FAILED);
	s = emit(&jc2, TH_SYN);
	CHECK_EQ(s.len, 0); /* no SYN from a refused join */

	/* A recorded SYN-ACK against a fresh R-A: its HMAC no longer fits. */
	CHECK_EQ(xmp_join_init_client(&jc2, &w.ca, ID_A, false, RA + 1), 0);
	s = emit(&jc2, TH_SYN);
	CHECK_EQ(deliver(&jc2, &synack), -EBADMSG);

	/* A server whose nonce repeats: valid HMAC, refused by the client. */
	CHECK_EQ(xmp_join_init_client(&jc2, &w.ca, ID_A, false, RA + 2), 0);
	CHECK_EQ(xmp_join_init_server(&js3, lookup, &w, ID_B, false, RB), 0);
	CHECK_EQ(pass(&jc2, &js3, TH_SYN), 0);
	CHECK_EQ(pass(&js3, &jc2, TH_SYN | TH_ACK), -EEXIST);
	CHECK_EQ(jc2.mib[XMP_JOIN_MIB_REPLAY], 1);
	CHECK_EQ(w.ca.nr_joined, 1);

	/* The ring is bounded: after XMP_JOIN_REPLAY_RING newer joins the
	 * first nonce is forgotten (the fresh R-B still defeats a replay). */
	for (i = 0; i < XMP_JOIN_REPLAY_RING; i++) {
		struct xmp_join a, b;

		init_pair(&w, &a, &b, 0x1000 + i, 0x2000 + i);
		handshake(&a, &b);
	}
	CHECK_EQ(w.cb.nr_recent, XMP_JOIN_REPLAY_RING);
	CHECK_EQ(xmp_join_init_server(&js2, lookup, &w, ID_B, false, RB + 5), 0);
	CHECK_EQ(deliver(&js2, &syn), 0);
	w_free(&w);
}

/* Joins beyond the connection's max_subflows are refused, at the SYN and,
 * for joins already in flight, at the third ACK; a released slot is free. */
static void join_limit(void)
{
	struct xmp_join jc1, js1, jc2, js2;
	struct world w;

	w_init(&w, 2, 1);
	init_pair(&w, &jc1, &js1, RA, RB);
	handshake(&jc1, &js1);
	CHECK_EQ(w.cb.nr_joined, 1);

	init_pair(&w, &jc2, &js2, RA + 1, RB + 1);
	CHECK_EQ(pass(&jc2, &js2, TH_SYN), -EMLINK);
	CHECK_EQ(js2.fail, XMP_JOIN_FAIL_LIMIT);
	CHECK_EQ(js2.mib[XMP_JOIN_MIB_LIMIT], 1);
	check_rst(&js2, MPTCP_RST_EPROHIBIT);
	CHECK_EQ(w.cb.nr_joined, 1);

	/* The client side has its own limit. */
	w.ca.max_subflows = 1;
	CHECK_EQ(xmp_join_init_client(&jc2, &w.ca, ID_A, false, RA + 2), -EMLINK);
	w.ca.max_subflows = 2;

	xmp_join_release(&js1);
	xmp_join_release(&jc1);
	init_pair(&w, &jc2, &js2, RA + 3, RB + 3);
	handshake(&jc2, &js2);
	CHECK_EQ(w.cb.nr_joined, 1);
	xmp_join_release(&js2);
	xmp_join_release(&jc2);

	/* Two in flight, room for one: the second third ACK is refused. */
	init_pair(&w, &jc1, &js1, RA + 4, RB + 4);
	init_pair(&w, &jc2, &js2, RA + 5, RB + 5);
	CHECK_EQ(pass(&jc1, &js1, TH_SYN), 0);
	CHECK_EQ(pass(&jc2, &js2, TH_SYN), 0);
	CHECK_EQ(pass(&js1, &jc1, TH_SYN | TH_ACK), 0);
	CHECK_EQ(pass(&js2, &jc2, TH_SYN | TH_ACK), 0);
	CHECK_EQ(pass(&jc1, &js1, TH_ACK), XMP_JOIN_SEND_ACK);
	CHECK_EQ(pass(&jc2, &js2, TH_ACK), -EMLINK);
	CHECK_EQ(js2.state, XMP_JOIN_FAILED);
	w_done(&w, 1);
}

/* Only an established connection takes subflows: not after fallback to TCP
 * (3.7), not after MP_FASTCLOSE (3.5), checked at both ends of the
 * handshake. */
static void join_conn_not_accepting(void)
{
	struct xmp_join jc, js;
	struct world w;

	w_init(&w, 2, 2);
	xmp_msk_fallback(w.msk_b);
	init_pair(&w, &jc, &js, RA, RB);
	CHECK_EQ(pass(&jc, &js, TH_SYN), -ENOTCONN);
	CHECK_EQ(js.fail, XMP_JOIN_FAIL_CLOSED);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_CLOSED], 1);
	check_rst(&js, MPTCP_RST_EPROHIBIT);
	xmp_msk_fallback(w.msk_a);
	CHECK_EQ(xmp_join_init_client(&jc, &w.ca, ID_A, false, RA + 1), -ENOTCONN);
	w_free(&w);

	/* Aborted between the SYN and the third ACK. */
	w_init(&w, 2, 2);
	init_pair(&w, &jc, &js, RA, RB);
	CHECK_EQ(pass(&jc, &js, TH_SYN), 0);
	CHECK_EQ(pass(&js, &jc, TH_SYN | TH_ACK), 0);
	CHECK_EQ(xmp_msk_rcv_fastclose(w.msk_b, KB), 0);
	CHECK_EQ(pass(&jc, &js, TH_ACK), -ENOTCONN);
	w_done(&w, 0);
}

/* Lost and repeated segments: SYN, SYN-ACK, third ACK and fourth ACK. */
static void join_retransmissions(void)
{
	struct seg syn1, syn2, sa1, sa2, ack1, ack2;
	struct xmp_join jc, js;
	struct world w;

	w_init(&w, 2, 2);
	init_pair(&w, &jc, &js, RA, RB);

	/* SYN sent twice (the SYN-ACK was lost): same bytes, same join. */
	syn1 = emit(&jc, TH_SYN);
	syn2 = emit(&jc, TH_SYN);
	CHECK_EQ(syn1.len, syn2.len);
	CHECK_MEM(syn1.opts, syn2.opts, syn1.len);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_SYN_TX], 2);
	CHECK_EQ(deliver(&js, &syn1), 0);
	sa1 = emit(&js, TH_SYN | TH_ACK);
	CHECK_EQ(deliver(&js, &syn2), 0);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_SYN_DUP], 1);
	CHECK_EQ(js.state, XMP_JOIN_SYN_RCVD);
	CHECK_EQ(w.cb.nr_recent, 1);
	sa2 = emit(&js, TH_SYN | TH_ACK);
	CHECK_EQ(sa1.len, sa2.len);
	CHECK_MEM(sa1.opts, sa2.opts, sa1.len);

	/* Both SYN-ACKs arrive: the second is a harmless duplicate. */
	CHECK_EQ(deliver(&jc, &sa1), 0);
	ack1 = emit(&jc, TH_ACK);
	CHECK_EQ(deliver(&jc, &sa2), 0);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_SYNACK_DUP], 1);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_SYNACK_RX], 1);
	CHECK_EQ(jc.state, XMP_JOIN_PRE_ESTABLISHED);
	CHECK_EQ(w.ca.nr_joined, 1);

	/* The third ACK is lost; the timer repeats it, identical. */
	CHECK_EQ(xmp_join_ack_timeout(&jc), 0);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_ACK_RTX], 1);
	ack2 = emit(&jc, TH_ACK);
	CHECK_EQ(ack1.len, MPTCPOLEN_MPJ_ACK);
	CHECK_MEM(ack1.opts, ack2.opts, ack1.len);
	CHECK_EQ(deliver(&js, &ack2), XMP_JOIN_SEND_ACK);

	/* The fourth ACK is lost: the repeated third ACK makes the server
	 * send it again, without counting a second subflow. */
	CHECK_EQ(xmp_join_ack_timeout(&jc), 0);
	CHECK_EQ(pass(&jc, &js, TH_ACK), XMP_JOIN_SEND_ACK);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_ACK_DUP], 1);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_ACK_RX], 1);
	CHECK_EQ(w.cb.nr_joined, 1);
	CHECK_EQ(pass(&js, &jc, TH_ACK), 0);
	CHECK_EQ(jc.state, XMP_JOIN_ESTABLISHED);
	CHECK_EQ(xmp_join_ack_timeout(&jc), -EINVAL); /* stop the timer */
	CHECK_EQ(w.ca.nr_joined, 1);

	/* Late copies change nothing: a forged third ACK on an established
	 * join is ignored (counted), a stale SYN-ACK too, and so is a SYN
	 * with another nonce on the established tuple. */
	ack2.opts[10] ^= 0x01;
	CHECK_EQ(deliver(&js, &ack2), 0);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_IGNORED], 1);
	CHECK_EQ(deliver(&jc, &sa1), 0);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_SYNACK_DUP], 2);
	syn2.opts[11] ^= 0x01;
	CHECK_EQ(deliver(&js, &syn2), 0);
	CHECK_EQ(js.mib[XMP_JOIN_MIB_IGNORED], 2);
	CHECK_EQ(js.state, XMP_JOIN_ESTABLISHED);
	CHECK_EQ(jc.state, XMP_JOIN_ESTABLISHED);
	w_done(&w, 1);
}

/* The fourth ACK never comes: after XMP_JOIN_ACK_RTX_MAX repeats the
 * client gives up, resets, and frees its slot. */
static void join_ack_timeout(void)
{
	struct xmp_join jc, js;
	struct world w;
	struct seg s;
	int i;

	w_init(&w, 1, 1);
	init_pair(&w, &jc, &js, RA, RB);
	CHECK_EQ(xmp_join_ack_timeout(&jc), -EINVAL); /* not pre-established */
	pass(&jc, &js, TH_SYN);
	pass(&js, &jc, TH_SYN | TH_ACK);
	CHECK_EQ(w.ca.nr_joined, 1);
	for (i = 0; i < XMP_JOIN_ACK_RTX_MAX; i++) {
		CHECK_EQ(xmp_join_ack_timeout(&jc), 0);
		s = emit(&jc, TH_ACK);
		CHECK_EQ(s.len, MPTCPOLEN_MPJ_ACK);
	}
	CHECK_EQ(xmp_join_ack_timeout(&jc), -ETIMEDOUT);
	CHECK_EQ(jc.state, XMP_JOIN_FAILED);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_ACK_TIMEOUT], 1);
	CHECK_EQ(jc.mib[XMP_JOIN_MIB_ACK_TX], XMP_JOIN_ACK_RTX_MAX);
	CHECK_EQ(w.ca.nr_joined, 0);
	check_rst(&jc, MPTCP_RST_EMPTCP);
	w_free(&w);
}

/* Every state and failure has a name; totals add up (counter names: test_mib). */
static void join_names_and_totals(void)
{
	__u64 tot[XMP_JOIN_MIB_NR] = {0};
	struct xmp_join jc, js;
	struct world w;
	int i;

	for (i = 0; i < XMP_JOIN_NR_STATES; i++)
		CHECK(xmp_join_state_name(i) && strcmp(xmp_join_state_name(i), "?"));
	for (i = 0; i < XMP_JOIN_FAIL_NR; i++)
		CHECK(xmp_join_fail_name(i) && strcmp(xmp_join_fail_name(i), "?"));

	w_init(&w, 2, 2);
	init_pair(&w, &jc, &js, RA, RB);
	handshake(&jc, &js);
	xmp_mib_add(XMP_MIB_JOIN, tot, jc.mib);
	xmp_mib_add(XMP_MIB_JOIN, tot, js.mib);
	CHECK_EQ(tot[XMP_JOIN_MIB_SYN_TX] + tot[XMP_JOIN_MIB_SYN_RX], 2);
	CHECK_EQ(tot[XMP_JOIN_MIB_ACK_TX] + tot[XMP_JOIN_MIB_ACK_RX], 2);
	w_free(&w);
}

int main(void)
{
	RUN(join_full_handshake);
	RUN(join_reverse_direction);
	RUN(join_forged_thmac);
	RUN(join_forged_hmac);
	RUN(join_unknown_token);
	RUN(join_missing_option);
	RUN(join_replayed_nonce);
	RUN(join_limit);
	RUN(join_conn_not_accepting);
	RUN(join_retransmissions);
	RUN(join_ack_timeout);
	RUN(join_names_and_totals);
	return t_exit_code();
}

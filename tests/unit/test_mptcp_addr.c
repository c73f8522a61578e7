// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the address signalling module (user/mptcp/addr.c), no root
 * needed. Two hosts with known keys (A: local KA, remote KB; B the reverse)
 * exchange ADD_ADDR, echoes and REMOVE_ADDR through the real codec:
 * xmp_addr_build() -> xmp_mp_write() -> bytes -> xmp_mp_parse() ->
 * xmp_addr_rcv(), and the tests tamper with the bytes in between.
 * HMACs are checked against OpenSSL's HMAC() called here directly (not
 * through crypto.c) and against fixed vectors computed with python3.
 * Covered: round trips (IPv4, IPv6, with and without port), every bit of
 * the HMAC and of the authenticated fields, wrong and swapped keys,
 * retransmission timing and giving up, segments without room, an ADD_ADDR
 * flood, duplicates, id and address reuse, the accept limit (echoed
 * anyway), REMOVE_ADDR both ways, build order, MP_PRIO, names.
 */
#include <errno.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/test.h"
#include "unit/mptcp_wire.h"
#include "common/mib.h"
#include "mptcp/addr.h"
#include "mptcp/crypto.h"

#define KA  0x0123456789abcdefULL /* key of host A */
#define KB  0xfedcba9876543210ULL /* key of host B */
#define SEC 1000000ULL

static const __u8 a4[4] = {10, 0, 2, 1};		       /* 10.0.2.1 */
static const __u8 b4[4] = {10, 0, 3, 1};		       /* 10.0.3.1 */
static const __u8 a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}; /* 2001:db8::2 */

/*
 * Fixed vectors, computed outside this code base. The message carries the
 * port as 2 bytes, 0 when the option has none, as Linux's
 * add_addr_generate_hmac() does (RFC 8684 3.4.1 "Address ID || IP Address
 * || Port"):
 * python3 -c "import hmac,hashlib,struct,socket
 * KA=0x0123456789abcdef; KB=0xfedcba9876543210
 * h=lambda m: hmac.new(struct.pack('>QQ',KA,KB),m,hashlib.sha256).hexdigest()[-16:]
 * print(h(bytes([5])+socket.inet_aton('10.0.2.1')+struct.pack('>H',0)))
 * print(h(bytes([5])+socket.inet_aton('10.0.2.1')+struct.pack('>H',8080)))
 * print(h(bytes([9])+socket.inet_pton(socket.AF_INET6,'2001:db8::2')+struct.pack('>H',0)))"
 */
#define VEC_V4	    0x49e2b18c7c1db945ULL
#define VEC_V4_PORT 0x2ccda35b3801cd1aULL
#define VEC_V6	    0x281221d7c42814d3ULL

/* Independent reference: rightmost 64 bits of HMAC-SHA256(be64(k1) ||
 * be64(k2), id || addr || be16(port)). */
static __u64 ref_hmac(__u64 k1, __u64 k2, __u8 id, __u8 family, const __u8 *addr, __u16 port)
{
	__u8 key[16], msg[19], md[32];
	unsigned int len = 0, n = 0, alen = family == 4 ? 4 : 16;
	__u64 v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		key[i] = (__u8)(k1 >> (56 - 8 * i));
		key[8 + i] = (__u8)(k2 >> (56 - 8 * i));
	}
	msg[n++] = id;
	memcpy(msg + n, addr, alen);
	n += alen;
	msg[n++] = (__u8)(port >> 8);
	msg[n++] = (__u8)port;
	CHECK(HMAC(EVP_sha256(), key, sizeof(key), msg, n, md, &len) != NULL);
	CHECK_EQ(len, 32);
	for (i = 24; i < 32; i++)
		v = (v << 8) | md[i];
	return v;
}

/* One host: its msk (only the keys are read) and its signalling state. */
struct host {
	struct xmp_msk msk;
	struct xmp_addr_conn c;
};

static void host_init(struct host *h, __u64 local, __u64 remote, const struct xmp_addr_cfg *cfg)
{
	memset(h, 0, sizeof(*h));
	h->msk.local_key = local;
	h->msk.remote_key = remote;
	CHECK_EQ(xmp_addr_conn_init(&h->c, &h->msk, cfg), 0);
}

static void pair_init(struct host *a, struct host *b, const struct xmp_addr_cfg *cfg)
{
	host_init(a, KA, KB, cfg);
	host_init(b, KB, KA, cfg);
}

/* One segment's option bytes. */
struct seg {
	int len;
	__u8 opts[40];
	struct xmp_mp_opt mp; /* what was built */
};

/* Build from @h with @space bytes; encode; the segment "leaves" at @now
 * when @sent. Returns the suboptions added. */
static int emit(struct host *h, __u64 now, unsigned int space, bool sent, struct seg *s)
{
	int n;

	memset(s, 0, sizeof(*s));
	n = xmp_addr_build(&h->c, now, space, &s->mp);
	CHECK(n >= 0);
	if (n <= 0)
		return n;
	s->len = xmp_mp_write(s->opts, space, &s->mp);
	CHECK(s->len > 0 && s->len <= (int)space);
	if (s->len < 0)
		s->len = 0;
	if (sent)
		xmp_addr_sent(&h->c, now, &s->mp);
	return n;
}

static struct xmp_mp_opt parse(const struct seg *s)
{
	return mp_parse_clean(s->opts, s->len);
}

static void deliver(struct host *h, const struct seg *s, struct xmp_addr_events *ev)
{
	struct xmp_mp_opt mp = parse(s);

	CHECK_EQ(xmp_addr_rcv(&h->c, &mp, ev), 0);
}

/* A valid (or deliberately wrong) ADD_ADDR of the peer, made here. */
static struct xmp_mp_opt peer_add(__u64 k1, __u64 k2, __u8 id, __u8 family, const __u8 *addr,
				  __u16 port)
{
	struct xmp_mp_opt mp;

	memset(&mp, 0, sizeof(mp));
	mp.suboptions = XMP_MPO_ADD_ADDR;
	memcpy(mp.add_addr.addr, addr, family == 4 ? 4 : 16);
	mp.add_addr.family = family;
	mp.add_addr.id = id;
	mp.add_addr.port = port;
	mp.add_addr.port_present = !!port;
	mp.add_addr.hmac_present = 1;
	mp.add_addr.hmac = ref_hmac(k1, k2, id, family, addr, port);
	return mp;
}

static enum xmp_addr_lstate lstate(struct host *h, __u8 id)
{
	const struct xmp_addr_local *l = xmp_addr_local_find(&h->c, id);

	return l ? l->state : XMP_ADDR_FREE;
}

/* A announces, B learns and echoes, A sees the echo: @family/@addr/@port
 * and the expected option lengths (unpadded) of the ADD_ADDR and echo. */
static void roundtrip(__u8 id, __u8 family, const __u8 *addr, __u16 port, int add_len, int echo_len)
{
	const struct xmp_addr_remote *r;
	struct xmp_addr_events ev;
	struct host a, b;
	struct xmp_mp_opt mp;
	struct seg s;

	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, id, family, addr, port), 0);
	CHECK(xmp_addr_pending(&a.c));
	CHECK_EQ(emit(&a, 10, 40, true, &s), 1);
	CHECK_EQ(s.len, (add_len + 3) & ~3);
	CHECK_EQ(lstate(&a, id), XMP_ADDR_SENT);
	CHECK(!xmp_addr_pending(&a.c));
	CHECK_EQ(xmp_addr_next_timer(&a.c), 10 + XMP_ADDR_DEF_RTX_US);

	mp = parse(&s);
	CHECK(mp.suboptions & XMP_MPO_ADD_ADDR);
	CHECK_EQ(xmp_mp_add_addr_len(&mp.add_addr), add_len);
	CHECK_EQ(mp.add_addr.echo, 0);
	CHECK_EQ(mp.add_addr.id, id);
	CHECK_EQ(mp.add_addr.family, family);
	CHECK_EQ(mp.add_addr.port, port);
	CHECK_MEM(mp.add_addr.addr, addr, family == 4 ? 4 : 16);
	/* 3.4.1: the sender's (A's) key first. */
	CHECK_EQ(mp.add_addr.hmac, ref_hmac(KA, KB, id, family, addr, port));

	CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
	CHECK_EQ(ev.nr_added, 1);
	CHECK_EQ(ev.nr_removed, 0);
	CHECK(ev.send_ack);
	CHECK_EQ(ev.added[0].id, id);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX], 1);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 1);
	r = xmp_addr_remote_find(&b.c, id);
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ(r->family, family);
		CHECK_EQ(r->port, port);
		CHECK(r->usable);
		CHECK_MEM(r->addr, addr, family == 4 ? 4 : 16);
	}
	CHECK(xmp_addr_remote_get(&b.c, 0) == r);
	CHECK(xmp_addr_remote_get(&b.c, 1) == NULL);

	/* The echo: no HMAC. */
	CHECK(xmp_addr_pending(&b.c));
	CHECK_EQ(emit(&b, 20, 40, true, &s), 1);
	CHECK_EQ(s.len, (echo_len + 3) & ~3);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ECHO_TX], 1);
	CHECK(!xmp_addr_pending(&b.c));
	mp = parse(&s);
	CHECK_EQ(mp.add_addr.echo, 1);
	CHECK_EQ(mp.add_addr.hmac_present, 0);
	CHECK_EQ(xmp_addr_rcv(&a.c, &mp, &ev), 0);
	CHECK(ev.echoed);
	CHECK_EQ(ev.echoed_id, id);
	CHECK_EQ(ev.nr_added, 0);
	CHECK(!ev.send_ack); /* an echo is never echoed */
	CHECK_EQ(lstate(&a, id), XMP_ADDR_ECHOED);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ECHO_RX], 1);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_TX], 1);
	CHECK_EQ(xmp_addr_next_timer(&a.c), UINT64_MAX);
	CHECK(!xmp_addr_timer(&a.c, 100 * SEC));
	CHECK_EQ(emit(&a, 100 * SEC, 40, true, &s), 0);
	CHECK_EQ(xmp_addr_remote_nr(&a.c), 0); /* A learnt nothing */
}

/* ADD_ADDR lengths (3.4.1): 16 v4, 18 v4+port, 28 v6, 30 v6+port; echoes
 * 8 fewer. */
static void addr_roundtrip_v4(void)
{
	roundtrip(5, 4, a4, 0, 16, 8);
}

static void addr_roundtrip_v4_port(void)
{
	roundtrip(5, 4, a4, 8080, 18, 10);
}

static void addr_roundtrip_v6(void)
{
	roundtrip(9, 6, a6, 0, 28, 20);
}

static void addr_roundtrip_v6_port(void)
{
	roundtrip(200, 6, a6, 443, 30, 22);
}

/* crypto.c, OpenSSL directly and the python3 vectors agree, and so does
 * the HMAC an ADD_ADDR built here carries. */
static void addr_hmac_vectors(void)
{
	struct host a, b;
	struct seg s;
	__u64 h = 0;

	CHECK_EQ(ref_hmac(KA, KB, 5, 4, a4, 0), VEC_V4);
	CHECK_EQ(ref_hmac(KA, KB, 5, 4, a4, 8080), VEC_V4_PORT);
	CHECK_EQ(ref_hmac(KA, KB, 9, 6, a6, 0), VEC_V6);
	CHECK_EQ(xmp_crypto_add_addr_hmac(KA, KB, 5, 4, a4, 0, &h), 0);
	CHECK_EQ(h, VEC_V4);
	CHECK_EQ(xmp_crypto_add_addr_hmac(KA, KB, 5, 4, a4, 8080, &h), 0);
	CHECK_EQ(h, VEC_V4_PORT);
	CHECK_EQ(xmp_crypto_add_addr_hmac(KA, KB, 9, 6, a6, 0, &h), 0);
	CHECK_EQ(h, VEC_V6);

	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 5, 4, a4, 8080), 0);
	CHECK_EQ(xmp_addr_announce(&a.c, 9, 6, a6, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK_EQ(parse(&s).add_addr.hmac, VEC_V4_PORT);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK_EQ(parse(&s).add_addr.hmac, VEC_V6);
	/* B's view: the same HMAC checks with its keys swapped. */
	CHECK_EQ(xmp_crypto_add_addr_check(b.msk.remote_key, b.msk.local_key, 9, 6, a6, 0, VEC_V6),
		 0);
}

/* Offsets in an encoded ADD_ADDR: id at 3, address at 4, then port, HMAC. */
static void check_refused(struct host *b, const struct seg *s, __u64 bad_before)
{
	struct xmp_addr_events ev;

	deliver(b, s, &ev);
	CHECK_EQ(ev.nr_added, 0);
	CHECK(!ev.send_ack);
	CHECK_EQ(b->c.mib[XMP_ADDR_MIB_ADD_RX_BADHMAC], bad_before + 1);
	CHECK_EQ(xmp_addr_remote_nr(&b->c), 0);
	CHECK_EQ(b->c.nr_echo, 0);
}

/* Every single-bit change of the HMAC, and of every field it covers (id,
 * address, port), is refused: never recorded, never echoed, counted. */
static void addr_hmac_bitflips(void)
{
	static const struct {
		__u8 family;
		const __u8 *addr;
		__u16 port;
	} v[] = {{4, a4, 0}, {4, a4, 8080}, {6, a6, 0}, {6, a6, 443}};
	struct host a, b;
	struct seg s, t;
	unsigned int i, bit, covered, total = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		pair_init(&a, &b, NULL);
		CHECK_EQ(xmp_addr_announce(&a.c, 7, v[i].family, v[i].addr, v[i].port), 0);
		CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
		/* id + address + port + HMAC: everything after the subtype byte */
		covered = (unsigned int)xmp_mp_add_addr_len(&s.mp.add_addr) - 3;
		for (bit = 0; bit < covered * 8; bit++) {
			t = s;
			t.opts[3 + bit / 8] ^= (__u8)(0x80 >> (bit % 8));
			check_refused(&b, &t, b.c.mib[XMP_ADDR_MIB_ADD_RX_BADHMAC]);
			total++;
		}
		CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_BADHMAC], covered * 8);
		/* the untouched option is still accepted afterwards */
		deliver(&b, &s, NULL);
		CHECK_EQ(xmp_addr_remote_nr(&b.c), 1);
		CHECK_EQ(b.c.nr_echo, 1);
	}
	CHECK_EQ(total, (13 + 15 + 25 + 27) * 8);
}

/* Wrong keys: another connection's key, the keys in the receiver's order
 * (a reflected or self-made HMAC), and a B that got A's key wrong. */
static void addr_wrong_key(void)
{
	struct xmp_addr_events ev;
	struct xmp_mp_opt mp;
	struct host a, b;

	pair_init(&a, &b, NULL);
	mp = peer_add(KA ^ 1, KB, 3, 4, b4, 0);
	CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
	mp = peer_add(KB, KA, 3, 4, b4, 0); /* receiver's key first */
	CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
	CHECK_EQ(ev.nr_added, 0);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_BADHMAC], 2);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 0);
	CHECK_EQ(b.c.nr_echo, 0);
	mp = peer_add(KA, KB, 3, 4, b4, 0); /* right order: accepted */
	CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
	CHECK_EQ(ev.nr_added, 1);

	host_init(&b, KB, KA ^ 0x8000000000000000ULL, NULL);
	CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
	CHECK_EQ(ev.nr_added, 0);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_BADHMAC], 1);
	/* An echo carries no HMAC: a forged echo of nothing is ignored. */
	mp.add_addr.echo = 1;
	mp.add_addr.hmac_present = 0;
	CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ECHO_UNKNOWN], 1);
	CHECK(!ev.echoed);
}

/* 3.4.1 retransmission: not before the deadline, at it, rtx_max times,
 * then given up; a segment built but never sent changes nothing. */
static void addr_retransmit_timing(void)
{
	struct xmp_addr_cfg cfg = {.max_accepted = 8, .rtx_interval_us = 2 * SEC, .rtx_max = 3};
	const struct xmp_addr_local *l;
	struct xmp_addr_events ev;
	struct host a, b;
	struct seg s, first;
	__u64 t = 1000;
	int i;

	pair_init(&a, &b, &cfg);
	CHECK_EQ(xmp_addr_announce(&a.c, 4, 4, a4, 0), 0);
	/* Built twice, the first segment lost before TX: no state change. */
	CHECK_EQ(emit(&a, t, 40, false, &first), 1);
	CHECK_EQ(lstate(&a, 4), XMP_ADDR_PENDING);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_TX], 0);
	CHECK_EQ(xmp_addr_next_timer(&a.c), UINT64_MAX);
	CHECK_EQ(emit(&a, t, 40, true, &s), 1);
	CHECK_MEM(s.opts, first.opts, sizeof(s.opts));
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_TX], 1);
	xmp_addr_sent(&a.c, t + 5, &s.mp); /* the same option again: ignored */
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_TX], 1);
	CHECK_EQ(xmp_addr_next_timer(&a.c), t + 2 * SEC);

	for (i = 1; i <= 3; i++) {
		CHECK(!xmp_addr_timer(&a.c, t + 2 * SEC - 1));
		CHECK_EQ(lstate(&a, 4), XMP_ADDR_SENT);
		CHECK_EQ(emit(&a, t + 2 * SEC - 1, 40, true, &s), 0);
		t += 2 * SEC;
		CHECK(xmp_addr_timer(&a.c, t));
		CHECK_EQ(lstate(&a, 4), XMP_ADDR_PENDING);
		CHECK(xmp_addr_pending(&a.c));
		CHECK_EQ(xmp_addr_next_timer(&a.c), UINT64_MAX);
		CHECK_EQ(emit(&a, t, 40, true, &s), 1);
		CHECK_MEM(s.opts, first.opts, sizeof(s.opts));
		CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_RTX], i);
		CHECK_EQ(xmp_addr_next_timer(&a.c), t + 2 * SEC);
	}
	/* rtx_max retransmissions done: one more interval, then give up. */
	CHECK(!xmp_addr_timer(&a.c, t + 2 * SEC - 1));
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_GIVEN_UP], 0);
	CHECK(!xmp_addr_timer(&a.c, t + 2 * SEC));
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_GIVEN_UP], 1);
	l = xmp_addr_local_find(&a.c, 4);
	CHECK(l && l->state == XMP_ADDR_SENT && l->gave_up && l->tx == 4);
	CHECK_EQ(xmp_addr_next_timer(&a.c), UINT64_MAX);
	CHECK(!xmp_addr_timer(&a.c, t + 100 * SEC));
	CHECK_EQ(emit(&a, t + 100 * SEC, 40, true, &s), 0);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_RTX], 3);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_GIVEN_UP], 1);

	/* A late echo still completes it. */
	deliver(&b, &first, &ev);
	CHECK_EQ(emit(&b, t, 40, true, &s), 1);
	deliver(&a, &s, &ev);
	CHECK(ev.echoed);
	CHECK_EQ(lstate(&a, 4), XMP_ADDR_ECHOED);

	/* rtx_max 0: never retransmitted, given up after one interval. */
	cfg.rtx_max = 0;
	pair_init(&a, &b, &cfg);
	CHECK_EQ(xmp_addr_announce(&a.c, 4, 4, a4, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK(!xmp_addr_timer(&a.c, 2 * SEC));
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_GIVEN_UP], 1);
}

/* An echo that arrives while a retransmission is queued cancels it. */
static void addr_echo_cancels_rtx(void)
{
	struct host a, b;
	struct seg s, e;

	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, a4, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	deliver(&b, &s, NULL);
	CHECK_EQ(emit(&b, 0, 40, true, &e), 1);
	CHECK(xmp_addr_timer(&a.c, XMP_ADDR_DEF_RTX_US));
	deliver(&a, &e, NULL);
	CHECK_EQ(lstate(&a, 1), XMP_ADDR_ECHOED);
	CHECK(!xmp_addr_pending(&a.c));
	CHECK_EQ(emit(&a, XMP_ADDR_DEF_RTX_US, 40, true, &s), 0);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_ADD_RTX], 0);
}

/* Too little room: nothing added, @mp and the state untouched; exactly the
 * padded length: added. Other suboptions already in @mp are kept. */
static void addr_space_too_small(void)
{
	struct xmp_mp_opt mp, zero;
	struct host a, b;
	struct seg s;

	pair_init(&a, &b, NULL);
	memset(&zero, 0, sizeof(zero));
	CHECK_EQ(xmp_addr_announce(&a.c, 9, 6, a6, 443), 0); /* 30 -> 32 bytes */
	mp = zero;
	CHECK_EQ(xmp_addr_build(&a.c, 0, 31, &mp), 0);
	CHECK_MEM(&mp, &zero, sizeof(mp));
	CHECK_EQ(lstate(&a, 9), XMP_ADDR_PENDING);
	CHECK_EQ(xmp_addr_build(&a.c, 0, 0, &mp), 0);
	CHECK_EQ(emit(&a, 0, 32, true, &s), 1);
	CHECK_EQ(s.len, 32);

	/* Echo of a v6 address with port: 22 -> 24 bytes. */
	deliver(&b, &s, NULL);
	mp = zero;
	CHECK_EQ(xmp_addr_build(&b.c, 0, 23, &mp), 0);
	CHECK_MEM(&mp, &zero, sizeof(mp));
	CHECK_EQ(b.c.nr_echo, 1);
	/* A DSS is already there (the caller passes the room left). */
	mp = zero;
	mp.suboptions = XMP_MPO_DSS;
	mp.dss.use_ack = 1;
	mp.dss.ack64 = 1;
	CHECK_EQ(xmp_addr_build(&b.c, 0, 24, &mp), 1);
	CHECK_EQ(mp.suboptions, XMP_MPO_DSS | XMP_MPO_ADD_ADDR);
	CHECK_EQ(mp.dss.use_ack, 1);
	CHECK_EQ(xmp_mp_write(s.opts, 12 + 24, &mp), 12 + 24);
	/* An ADD_ADDR already in @mp: no echo, no announcement over it. */
	mp = zero;
	mp.suboptions = XMP_MPO_ADD_ADDR;
	CHECK_EQ(xmp_addr_build(&b.c, 0, 40, &mp), 0);

	/* REMOVE_ADDR: 3 + ids, padded. */
	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, a4, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK_EQ(xmp_addr_withdraw(&a.c, 1), 0);
	mp = zero;
	CHECK_EQ(xmp_addr_build(&a.c, 0, 3, &mp), 0);
	CHECK_MEM(&mp, &zero, sizeof(mp));
	CHECK_EQ(lstate(&a, 1), XMP_ADDR_WITHDRAWN);
	CHECK_EQ(xmp_addr_build(&a.c, 0, 4, &mp), 1);
	CHECK_EQ(mp.rm_addr.nr, 1);
}

/* A flood of ADD_ADDRs with distinct ids never grows the table beyond
 * max_accepted nor the echo queue beyond its size; the rest is counted. */
static void flood(unsigned int max)
{
	struct xmp_addr_cfg cfg;
	struct xmp_addr_events ev;
	struct xmp_mp_opt mp;
	struct host b;
	unsigned int i, added = 0;
	__u8 addr[4];

	xmp_addr_cfg_default(&cfg);
	cfg.max_accepted = max;
	host_init(&b, KB, KA, &cfg);
	for (i = 0; i < 200; i++) {
		addr[0] = 10;
		addr[1] = 1;
		addr[2] = (__u8)(i >> 8);
		addr[3] = (__u8)i;
		mp = peer_add(KA, KB, (__u8)i, 4, addr, 0);
		CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
		added += ev.nr_added;
		CHECK(xmp_addr_remote_nr(&b.c) <= max);
		CHECK(b.c.nr_echo <= XMP_ADDR_ECHO_MAX);
		/* forged ones in between change nothing */
		mp.add_addr.hmac ^= 1;
		CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
		CHECK_EQ(ev.nr_added, 0);
	}
	CHECK_EQ(added, max);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), max);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX], max);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_REFUSED], 200 - max);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_BADHMAC], 200);
	CHECK_EQ(b.c.nr_echo, XMP_ADDR_ECHO_MAX);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ECHO_DROP], 200 - XMP_ADDR_ECHO_MAX);
	/* the first ones were kept, in arrival order */
	for (i = 0; i < max; i++)
		CHECK(xmp_addr_remote_get(&b.c, i) && xmp_addr_remote_get(&b.c, i)->id == i);
}

static void addr_flood(void)
{
	flood(XMP_ADDR_DEF_MAX_ACCEPTED);
	flood(3);
	flood(0);
}

/* Beyond the limit an ADD_ADDR is echoed, not recorded (as Linux). */
static void addr_refused_still_echoed(void)
{
	struct xmp_addr_cfg cfg = {.max_accepted = 0, .rtx_interval_us = SEC, .rtx_max = 3};
	struct xmp_addr_events ev;
	struct host a, b;
	struct seg s;

	pair_init(&a, &b, &cfg);
	CHECK_EQ(xmp_addr_announce(&a.c, 2, 4, a4, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	deliver(&b, &s, &ev);
	CHECK_EQ(ev.nr_added, 0);
	CHECK(ev.send_ack);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_REFUSED], 1);
	CHECK_EQ(emit(&b, 0, 40, true, &s), 1);
	deliver(&a, &s, &ev);
	CHECK(ev.echoed);
	CHECK_EQ(lstate(&a, 2), XMP_ADDR_ECHOED);
}

/* A retransmitted ADD_ADDR: echoed again, recorded once. */
static void addr_duplicate(void)
{
	struct xmp_addr_events ev;
	struct host a, b;
	struct seg s, e;

	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 6, 4, a4, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	deliver(&b, &s, &ev);
	CHECK_EQ(ev.nr_added, 1);
	/* again before the echo left: one echo queued */
	deliver(&b, &s, &ev);
	CHECK_EQ(ev.nr_added, 0);
	CHECK(ev.send_ack);
	CHECK_EQ(b.c.nr_echo, 1);
	CHECK_EQ(emit(&b, 0, 40, true, &e), 1);
	CHECK_EQ(emit(&b, 0, 40, true, &e), 0);
	/* again after it (the echo was lost): echoed again */
	deliver(&b, &s, &ev);
	CHECK_EQ(ev.nr_added, 0);
	CHECK_EQ(emit(&b, 0, 40, true, &e), 1);
	CHECK_EQ(parse(&e).add_addr.echo, 1);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX], 1);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_DUP], 2);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ECHO_TX], 2);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 1);
}

/* An id reused for another address, an address under another id: the old
 * entry is reported removed and the new one added. */
static void addr_replace(void)
{
	struct xmp_addr_cfg cfg = {.max_accepted = 2, .rtx_interval_us = SEC, .rtx_max = 3};
	struct xmp_addr_events ev;
	struct xmp_mp_opt mp;
	struct host b;

	host_init(&b, KB, KA, &cfg);
	mp = peer_add(KA, KB, 1, 4, a4, 0);
	xmp_addr_rcv(&b.c, &mp, &ev);
	mp = peer_add(KA, KB, 2, 6, a6, 0);
	xmp_addr_rcv(&b.c, &mp, &ev);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 2);
	/* id 1 now names b4: replaces even at the limit */
	mp = peer_add(KA, KB, 1, 4, b4, 0);
	xmp_addr_rcv(&b.c, &mp, &ev);
	CHECK_EQ(ev.nr_removed, 1);
	CHECK_EQ(ev.removed[0].id, 1);
	CHECK_MEM(ev.removed[0].addr, a4, 4);
	CHECK_EQ(ev.nr_added, 1);
	CHECK_MEM(ev.added[0].addr, b4, 4);
	CHECK(ev.send_ack);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 2);
	CHECK(xmp_addr_remote_find(&b.c, 1) && !memcmp(xmp_addr_remote_find(&b.c, 1)->addr, b4, 4));
	/* a6 again under id 3 */
	mp = peer_add(KA, KB, 3, 6, a6, 0);
	xmp_addr_rcv(&b.c, &mp, &ev);
	CHECK_EQ(ev.nr_removed, 1);
	CHECK_EQ(ev.removed[0].id, 2);
	CHECK_EQ(ev.added[0].id, 3);
	CHECK(xmp_addr_remote_find(&b.c, 2) == NULL);
	/* id 1 with a6 (held by id 3): both old entries go, one comes */
	mp = peer_add(KA, KB, 1, 6, a6, 0);
	xmp_addr_rcv(&b.c, &mp, &ev);
	CHECK_EQ(ev.nr_removed, 2);
	CHECK_EQ(ev.nr_added, 1);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 1);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_ADD_RX_REPLACE], 3);
	/* the same address on another port is another address */
	mp = peer_add(KA, KB, 4, 6, a6, 8080);
	xmp_addr_rcv(&b.c, &mp, &ev);
	CHECK_EQ(ev.nr_removed, 0);
	CHECK_EQ(ev.nr_added, 1);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 2);
}

/* REMOVE_ADDR from A to B, then from B to A, over the codec. */
static void addr_remove_both_ways(void)
{
	struct xmp_addr_events ev;
	struct xmp_mp_opt mp;
	struct host a, b;
	struct seg s;

	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, a4, 0), 0);
	CHECK_EQ(xmp_addr_announce(&a.c, 2, 6, a6, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	deliver(&b, &s, NULL);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	deliver(&b, &s, NULL);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 2);

	CHECK_EQ(xmp_addr_withdraw(&a.c, 3), -ENOENT);
	CHECK_EQ(xmp_addr_withdraw(&a.c, 1), 0);
	CHECK_EQ(xmp_addr_withdraw(&a.c, 1), -ENOENT);
	CHECK_EQ(xmp_addr_withdraw(&a.c, 2), 0);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, b4, 0), -EBUSY);
	CHECK_EQ(xmp_addr_announce(&a.c, 7, 4, a4, 0), 0); /* the address is free again */
	CHECK(xmp_addr_pending(&a.c));
	/* one REMOVE_ADDR carries both ids, before the new ADD_ADDR */
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	mp = parse(&s);
	CHECK_EQ(mp.suboptions, XMP_MPO_RM_ADDR);
	CHECK_EQ(mp.rm_addr.nr, 2);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_RM_TX], 1);
	CHECK(xmp_addr_local_find(&a.c, 1) == NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, b4, 0), 0);
	CHECK_EQ(xmp_addr_rcv(&b.c, &mp, &ev), 0);
	CHECK_EQ(ev.nr_rm_ids, 2);
	CHECK_EQ(ev.nr_removed, 2);
	CHECK_EQ(ev.removed[0].id + ev.removed[1].id, 3);
	CHECK_EQ(xmp_addr_remote_nr(&b.c), 0);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_RM_RX], 1);
	CHECK_EQ(b.c.mib[XMP_ADDR_MIB_RM_RX_REMOVED], 2);

	/* B -> A; id 0 (the initial subflow's) and an unknown id are still
	 * reported: the caller closes subflows that carry them from MP_JOIN. */
	CHECK_EQ(b.c.nr_echo, 2); /* B's echoes of ids 1 and 2 go first */
	CHECK_EQ(emit(&b, 0, 40, true, &s), 1);
	CHECK_EQ(emit(&b, 0, 40, true, &s), 1);
	CHECK_EQ(xmp_addr_announce(&b.c, 4, 4, b4, 0), 0);
	CHECK_EQ(emit(&b, 0, 40, true, &s), 1);
	deliver(&a, &s, &ev);
	CHECK_EQ(ev.nr_added, 1);
	CHECK_EQ(xmp_addr_withdraw(&b.c, 4), 0);
	CHECK_EQ(emit(&b, 0, 40, true, &s), 1);
	mp = parse(&s);
	CHECK(mp.suboptions & XMP_MPO_RM_ADDR);
	mp.rm_addr.ids[1] = 0;
	mp.rm_addr.ids[2] = 77;
	mp.rm_addr.nr = 3;
	CHECK_EQ(xmp_addr_rcv(&a.c, &mp, &ev), 0);
	CHECK_EQ(ev.nr_rm_ids, 3);
	CHECK_EQ(ev.rm_ids[0], 4);
	CHECK_EQ(ev.rm_ids[1], 0);
	CHECK_EQ(ev.rm_ids[2], 77);
	CHECK_EQ(ev.nr_removed, 1);
	CHECK_MEM(ev.removed[0].addr, b4, 4);
	CHECK_EQ(a.c.mib[XMP_ADDR_MIB_RM_RX_UNKNOWN], 2);
	CHECK_EQ(xmp_addr_remote_nr(&a.c), 0);

	/* Withdrawing what never left: dropped, no REMOVE_ADDR. */
	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, a4, 0), 0);
	CHECK_EQ(xmp_addr_withdraw(&a.c, 1), 0);
	CHECK(!xmp_addr_pending(&a.c));
	CHECK_EQ(emit(&a, 0, 40, true, &s), 0);
}

/* Echo, then REMOVE_ADDR, then ADD_ADDR: one per segment. */
static void addr_build_order(void)
{
	struct xmp_mp_opt mp;
	struct host a, b;
	struct seg s;

	pair_init(&a, &b, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, a4, 0), 0);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK_EQ(xmp_addr_withdraw(&a.c, 1), 0);
	CHECK_EQ(xmp_addr_announce(&a.c, 2, 6, a6, 0), 0);
	mp = peer_add(KB, KA, 9, 4, b4, 0);
	CHECK_EQ(xmp_addr_rcv(&a.c, &mp, NULL), 0);

	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK_EQ(s.mp.suboptions, XMP_MPO_ADD_ADDR);
	CHECK(s.mp.add_addr.echo);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK_EQ(s.mp.suboptions, XMP_MPO_RM_ADDR);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 1);
	CHECK_EQ(s.mp.suboptions, XMP_MPO_ADD_ADDR);
	CHECK(!s.mp.add_addr.echo);
	CHECK_EQ(s.mp.add_addr.id, 2);
	CHECK_EQ(emit(&a, 0, 40, true, &s), 0);
}

static void addr_announce_errors(void)
{
	__u8 addr[4] = {192, 168, 0, 0};
	struct host a;
	int i;

	host_init(&a, KA, KB, NULL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 5, a4, 0), -EINVAL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, NULL, 0), -EINVAL);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, a4, 0), 0);
	CHECK_EQ(xmp_addr_announce(&a.c, 1, 4, b4, 0), -EEXIST);
	CHECK_EQ(xmp_addr_announce(&a.c, 2, 4, a4, 0), -EEXIST);
	CHECK_EQ(xmp_addr_announce(&a.c, 2, 4, a4, 80), 0); /* another port */
	for (i = 3; i < 3 + XMP_ADDR_MAX - 2; i++) {
		addr[3] = (__u8)i;
		CHECK_EQ(xmp_addr_announce(&a.c, (__u8)i, 4, addr, 0), 0);
	}
	addr[3] = 200;
	CHECK_EQ(xmp_addr_announce(&a.c, 200, 4, addr, 0), -ENOSPC);
	CHECK_EQ(xmp_addr_remote_set_usable(&a.c, 1, false), -ENOENT);
}

static void addr_prio(void)
{
	struct xmp_mp_opt mp;
	struct seg s;

	memset(&mp, 0, sizeof(mp));
	memset(&s, 0, sizeof(s));
	CHECK_EQ(xmp_addr_prio_opt(true, &mp), 1);
	CHECK_EQ(mp.suboptions, XMP_MPO_PRIO);
	s.len = xmp_mp_write(s.opts, sizeof(s.opts), &mp);
	CHECK_EQ(s.len, 4);
	CHECK_EQ(s.opts[1], MPTCPOLEN_MP_PRIO);
	mp = parse(&s);
	CHECK_EQ(mp.prio.backup, 1);
	memset(&mp, 0, sizeof(mp));
	xmp_addr_prio_opt(false, &mp);
	s.len = xmp_mp_write(s.opts, sizeof(s.opts), &mp);
	CHECK_EQ(parse(&s).prio.backup, 0);
	CHECK(parse(&s).suboptions & XMP_MPO_PRIO);
	CHECK_EQ(xmp_addr_prio_opt(true, NULL), -EINVAL);
}

/* Configuration checks, usable flag, names, totals. */
static void addr_cfg_names_totals(void)
{
	struct xmp_addr_cfg cfg;
	__u64 tot[XMP_ADDR_MIB_NR] = {0};
	struct xmp_addr_conn c;
	struct xmp_mp_opt mp;
	struct host a, b;
	int i;

	host_init(&a, KA, KB, NULL);
	CHECK_EQ(a.c.cfg.max_accepted, 8);
	CHECK_EQ(a.c.cfg.rtx_interval_us, 2 * SEC);
	CHECK_EQ(a.c.cfg.rtx_max, 3);
	xmp_addr_cfg_default(&cfg);
	cfg.max_accepted = XMP_ADDR_MAX + 1;
	CHECK_EQ(xmp_addr_conn_init(&c, &a.msk, &cfg), -EINVAL);
	xmp_addr_cfg_default(&cfg);
	cfg.rtx_interval_us = 0;
	CHECK_EQ(xmp_addr_conn_init(&c, &a.msk, &cfg), -EINVAL);
	CHECK_EQ(xmp_addr_conn_init(&c, NULL, NULL), -EINVAL);
	CHECK_EQ(xmp_addr_rcv(&a.c, NULL, NULL), -EINVAL);
	CHECK_EQ(xmp_addr_build(&a.c, 0, 40, NULL), -EINVAL);

	host_init(&b, KB, KA, NULL);
	mp = peer_add(KA, KB, 1, 4, a4, 0);
	xmp_addr_rcv(&b.c, &mp, NULL);
	CHECK_EQ(xmp_addr_remote_set_usable(&b.c, 1, false), 0);
	CHECK(xmp_addr_remote_find(&b.c, 1) && !xmp_addr_remote_find(&b.c, 1)->usable);
	xmp_mib_add(XMP_MIB_ADDR, tot, b.c.mib);
	xmp_mib_add(XMP_MIB_ADDR, tot, b.c.mib);
	CHECK_EQ(tot[XMP_ADDR_MIB_ADD_RX], 2);

	for (i = 0; i < XMP_ADDR_NR_STATES; i++)
		CHECK(strcmp(xmp_addr_lstate_name(i), "?"));
}

int main(void)
{
	RUN(addr_roundtrip_v4);
	RUN(addr_roundtrip_v4_port);
	RUN(addr_roundtrip_v6);
	RUN(addr_roundtrip_v6_port);
	RUN(addr_hmac_vectors);
	RUN(addr_hmac_bitflips);
	RUN(addr_wrong_key);
	RUN(addr_retransmit_timing);
	RUN(addr_echo_cancels_rtx);
	RUN(addr_space_too_small);
	RUN(addr_flood);
	RUN(addr_refused_still_echoed);
	RUN(addr_duplicate);
	RUN(addr_replace);
	RUN(addr_remove_both_ways);
	RUN(addr_build_order);
	RUN(addr_announce_errors);
	RUN(addr_prio);
	RUN(addr_cfg_names_totals);
	return t_exit_code();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpus for tests/fuzz/fuzz_pkt_input.c: record streams that drive
 * our stack and its peer (both the connection library on a two-link
 * memwire) through what the fuzzer should start from: complete transfers
 * with a join on the second link, in both roles, with and without DSS
 * checksums, over IPv4 and IPv6; a fallback to plain TCP (the middlebox
 * strips MP_CAPABLE); MP_JOIN SYNs injected on the second link with the
 * right token (answered with a join SYN-ACK) and a wrong one (a RST); a
 * fastclose (3.5); a payload byte flipped under checksums (MP_FAIL); a
 * link failing mid-transfer; segments held back and replayed late.
 * Injected frames are built with our own encoders (xmp_pkt_build(),
 * xmp_mp_write()).
 *
 * The harness file is included so the seeds use the same world and record
 * format, and every seed is run here and must reach what it was written
 * for (a completed exact transfer, the fallback, the join, the fastclose,
 * ...): a seed that silently stops early would seed nothing.
 *
 * Built by `make` (note: the Makefile rebuilds this when this file changes,
 * not when fuzz_pkt_input.c does); tests/fuzz/run.sh calls it with the
 * corpus directory.
 */
#include <stdio.h>

#include "fuzz/corpus.h"
#include "fuzz_pkt_input.c"

#define SEED_MAX 12288 /* run.sh's -max_len for this target */

struct seed {
	__u8 b[SEED_MAX];
	size_t len;
	const char *name;
};

static bool verbose;

static void s_put(struct seed *s, const void *p, size_t n)
{
	if (s->len + n > SEED_MAX) {
		fprintf(stderr, "seed %s too long\n", s->name);
		exit(1);
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void s_byte(struct seed *s, __u8 b)
{
	s_put(s, &b, 1);
}

static void s_start(struct seed *s, const char *name, __u8 cfg, __u8 size)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s_byte(s, cfg);
	s_byte(s, size);
}

static void s_rec(struct seed *s, __u8 kind, __u8 arg)
{
	s_byte(s, kind);
	s_byte(s, arg);
}

/* Both applications' streams end after their bytes (50 ms on: the
 * server's has to exist). */
static void s_end(struct seed *s)
{
	s_rec(s, FZ_REC_RUN, 49);
	s_rec(s, FZ_REC_APP, FZ_APP_SHUTDOWN);
	s_rec(s, FZ_REC_APP, FZ_APP_SHUTDOWN | 8);
}

/* Runs the wire long enough for any transfer here to end and linger out. */
static void s_settle(struct seed *s)
{
	s_rec(s, FZ_REC_RUN, 0xff);
	s_rec(s, FZ_REC_RUN, 0xff);
}

/* The middlebox of @link acts on the next @count segments from @from. */
static void s_mbox(struct seed *s, unsigned int link, int from, __u8 action, __u8 count, __u8 pos,
		   __u8 val)
{
	s_byte(s, FZ_REC_MBOX);
	s_byte(s, (__u8)(link | (unsigned int)from << 1 | action << 2 | (count - 1) << 5));
	s_byte(s, pos);
	s_byte(s, val);
}

/* An injected MP_JOIN SYN on link 1: ports, addresses and the token fixed
 * up to our connection's (@right) or left as written (a wrong token). */
static void s_join_syn(struct seed *s, bool right)
{
	struct xmp_pkt_hdrs h = { 0 };
	struct xmp_mp_opt mp = { .suboptions = XMP_MPO_MPJ_SYN };
	struct xmp_seg seg = { .flags = XMP_TH_SYN, .seq = 0x1000, .wnd = 65535, .sport = 1,
			       .dport = 1 };
	__u8 frame[256];
	int n;

	xmp_addr_from_v4(&h.saddr, 0x0100000a);
	xmp_addr_from_v4(&h.daddr, 0x0200000a);
	mp.mpj.variant = XMP_MPJ_SYN;
	mp.mpj.token = 0xdeadbeef;
	mp.mpj.nonce = 0x12345678;
	mp.mpj.addr_id = 1;
	n = xmp_mp_write(seg.opts, sizeof(seg.opts), &mp);
	if (n <= 0)
		exit(1);
	seg.optlen = (__u8)n;
	n = xmp_pkt_build(frame, sizeof(frame), &h, &seg);
	if (n <= 0)
		exit(1);
	s_byte(s, 5 | FZ_T_LINK);
	s_byte(s, FZ_F_TUPLE | FZ_F_FIXCSUM | (right ? FZ_F_TOKEN : 0));
	s_byte(s, (__u8)n);
	s_byte(s, (__u8)(n >> 8));
	s_put(s, frame, (size_t)n);
}

static int s_save(const struct seed *s)
{
	return corpus_save(s->name, s->b, s->len);
}

static void s_print(const struct seed *s, const struct fz_report *r)
{
	if (!verbose)
		return;
	fprintf(stderr,
		"%s: ok %d plain %d fallback %d tampered %d err %d/%d rcvd %llu/%llu "
		"subflows %u joins_in %llu join_synacks %llu rsts %llu injected %llu mbox %llu\n",
		s->name, r->ok, r->plain, r->fallback, r->tampered, r->err, r->peer_err,
		(unsigned long long)r->rcvd, (unsigned long long)r->peer_rcvd, r->subflows,
		(unsigned long long)r->joins_in, (unsigned long long)r->join_synacks,
		(unsigned long long)r->rsts, (unsigned long long)r->injected,
		(unsigned long long)r->mbox_acts);
}

/* ---- scenarios: each writes a seed and says what it must reach ---- */

typedef bool (*check_fn)(const struct fz_report *r);

static bool ck_transfer_joined(const struct fz_report *r)
{
	return r->ok && !r->plain && r->subflows == 2 && r->rcvd && r->peer_rcvd;
}

/* IPv6: the server announces no address (ADD_ADDR for IPv6 is 30 bytes),
 * so the transfer stays on one subflow. */
static bool ck_transfer(const struct fz_report *r)
{
	return r->ok && !r->plain && r->rcvd && r->peer_rcvd;
}

static bool ck_fallback(const struct fz_report *r)
{
	return r->ok && r->plain && r->rcvd && r->peer_rcvd;
}

static bool ck_join_right(const struct fz_report *r)
{
	return r->joins_in == 1 && r->join_synacks == 1 && r->injected == 1;
}

static bool ck_join_wrong(const struct fz_report *r)
{
	return r->joins_in == 1 && r->join_synacks == 0 && r->rsts >= 1 && r->ok;
}

static bool ck_fastclose(const struct fz_report *r)
{
	return r->err && r->peer_err && !r->ok;
}

static bool ck_tampered(const struct fz_report *r)
{
	return r->tampered && r->mbox_acts;
}

static bool ck_ok(const struct fz_report *r)
{
	return r->ok && r->mbox_acts;
}

static bool ck_ok_joined(const struct fz_report *r)
{
	return r->ok && r->subflows == 2;
}

static bool run_seed(struct seed *s, check_fn ck)
{
	struct fz_report r;

	fz_input(s->b, s->len, &r);
	s_print(s, &r);
	return ck(&r);
}

static int gen(void)
{
	static const __u8 roles[] = {
		0,
		FZ_CFG_SERVER | FZ_CFG_CSUM,
		FZ_CFG_V6 | FZ_CFG_CSUM,
		FZ_CFG_SERVER | FZ_CFG_REPLY,
		FZ_CFG_SERVER | FZ_CFG_V6,
		FZ_CFG_LOSSY | FZ_CFG_CSUM,
	};
	static struct seed s;
	int bad = 0;
	size_t i;

#define SEED(ck)                                                                                   \
	do {                                                                                       \
		if (!run_seed(&s, ck)) {                                                           \
			fprintf(stderr, "seed %s does not reach its point\n", s.name);            \
			bad++;                                                                     \
		}                                                                                  \
		if (s_save(&s))                                                                    \
			return 1;                                                                  \
	} while (0)

	/* complete transfers, both ways, a join on link 1 */
	for (i = 0; i < sizeof(roles); i++) {
		s_start(&s, "transfer", roles[i], 0xff);
		s_rec(&s, FZ_REC_RUN, 0x83); /* 400 ms: the join */
		s_end(&s);
		s_settle(&s);
		SEED((roles[i] & FZ_CFG_V6) ? ck_transfer : ck_transfer_joined);
	}
	/* fallback: MP_CAPABLE stripped from the SYN-ACK / the SYN */
	s_start(&s, "fallback-client", 0, 0x22);
	s_mbox(&s, 0, 1, FZ_MB_STRIP, 1, 0, 0);
	s_end(&s);
	s_settle(&s);
	SEED(ck_fallback);
	s_start(&s, "fallback-server", FZ_CFG_SERVER | FZ_CFG_CSUM, 0x22);
	s_mbox(&s, 0, 1, FZ_MB_STRIP, 1, 0, 0);
	s_end(&s);
	s_settle(&s);
	SEED(ck_fallback);
	/* injected MP_JOIN SYNs on link 1: no path manager opens any */
	s_start(&s, "join-token", FZ_CFG_PM_NONE | FZ_CFG_SERVER, 0xff);
	s_rec(&s, FZ_REC_RUN, 30);
	s_join_syn(&s, true);
	s_rec(&s, FZ_REC_RUN, 30);
	SEED(ck_join_right);
	s_start(&s, "join-bad-token", FZ_CFG_PM_NONE | FZ_CFG_SERVER | FZ_CFG_CSUM, 0xff);
	s_rec(&s, FZ_REC_RUN, 30);
	s_join_syn(&s, false);
	s_end(&s);
	s_settle(&s);
	SEED(ck_join_wrong);
	/* fastclose by our application mid-transfer */
	s_start(&s, "fastclose", FZ_CFG_CSUM, 0x88);
	s_rec(&s, FZ_REC_RUN, 40);
	s_rec(&s, FZ_REC_APP, FZ_APP_FASTCLOSE);
	s_settle(&s);
	SEED(ck_fastclose);
	/* a payload byte of the peer flipped under DSS checksums */
	s_start(&s, "flip-data", FZ_CFG_CSUM, 0xf0);
	s_rec(&s, FZ_REC_RUN, 30);
	s_mbox(&s, 0, 1, FZ_MB_FLIP_DATA, 8, 3, 0x40);
	s_settle(&s);
	SEED(ck_tampered);
	/* link 0 fails with an event mid-transfer: link 1 carries the rest */
	s_start(&s, "link-down", FZ_CFG_SERVER | FZ_CFG_REPLY, 0xff);
	s_rec(&s, FZ_REC_RUN, 0x82);
	s_rec(&s, FZ_REC_LINK, 4);
	s_end(&s);
	s_settle(&s);
	SEED(ck_ok_joined);
	/* segments held back, one replayed long after, one twice */
	s_start(&s, "hold-release", FZ_CFG_CSUM | FZ_CFG_BIGBUF, 0x44);
	s_rec(&s, FZ_REC_RUN, 20);
	s_mbox(&s, 0, 1, FZ_MB_HOLD, 2, 0, 0);
	s_mbox(&s, 1, 0, FZ_MB_COPY, 3, 0, 0);
	s_rec(&s, FZ_REC_RUN, 100);
	s_rec(&s, FZ_REC_RELEASE, 0x80);
	s_rec(&s, FZ_REC_RELEASE, 0);
	s_rec(&s, FZ_REC_RELEASE, 1);
	s_end(&s);
	s_settle(&s);
	SEED(ck_ok);
	return bad ? 1 : 0;
#undef SEED
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-v")) {
		verbose = true;
		argv++;
		argc--;
	}
	return corpus_main(argc, argv, gen);
}

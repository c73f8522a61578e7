// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the whole packet input path of one engine instance:
 * a fuzzed packet stream into an established MPTCP connection.
 *
 * Per input, in process and deterministic (fixed keys and ISNs, virtual
 * clock): one subflow engine (user/tcp) with its MPTCP subflow (struct
 * xmp_sf) and connection (struct xmp_msk), glued as user/app/mpconn.c glues
 * them (ops->write_options -> xmp_sf_build_options + xmp_mp_write;
 * ops->rcv_options -> xmp_mp_decode_at + xmp_sf_rcv_options; readable data ->
 * xmp_tcp_peek -> xmp_sf_data -> xmp_tcp_recv -> xmp_msk_read; the
 * application's bytes -> xmp_msk_next_map -> xmp_sf_txmap_add ->
 * xmp_tcp_send). A scripted peer completes the MP_CAPABLE handshake in the
 * role the input asks for, then the input drives everything:
 *
 *   input  := cfg app record*
 *   cfg    := FZ_CFG_* bits (role, DSS checksums, TS, SACK, payload
 *             pattern, congestion control, IPv6, delayed ACKs)
 *   app    := FZ_APP_HS_INPUT (the input completes the handshake: SYN-ACK
 *             or third ACK, so MP_CAPABLE refusals, plain TCP and the first
 *             data inside the MP_CAPABLE are reachable) | bytes the
 *             application queues to send, in units of 64
 *   record := tag ...; tag % 4 chooses the kind:
 *     0, 3  frame: tag mode len_lo len_hi frame[len]. An Ethernet frame for
 *           xmp_pkt_parse() (user/io/pkt.h), then, when it parses and
 *           carries the connection's tuple, xmp_tcp_input_rx() with the
 *           options that parse took (metadata or walk). mode holds
 *           FZ_F_* fix-ups applied first, so that mutated frames still reach
 *           the engine and land near its live windows; tag bits FZ_T_*
 *           choose more (ACK relative to SND.MAX, DATA_ACK relative to the
 *           data level, XDP metadata).
 *     1     clock: tag d. Advances the virtual clock and runs the timers.
 *     2     app: tag op. Pause/resume reading, queue more data, DATA_FIN,
 *           pure ACK, subflow shutdown/close, small reads.
 *
 * Invariants (a violation traps, so libFuzzer keeps the input):
 * - no sanitizer error anywhere on the path (frames live in exact-size heap
 *   blocks);
 * - xmp_pkt_parse() offsets stay inside the frame; with valid XDP metadata
 *   it gives exactly what the header walk gives, and never fails where the
 *   walk succeeds; with any metadata, forged included, its parsed options
 *   are those of the walk, and the MPTCP options decoded where they were
 *   located equal xmp_mp_parse() of the area;
 * - subflow bytes, once in order, never change (shadow of the unread
 *   receive queue); with the payload pattern on they are the pattern of
 *   their sequence number;
 * - data-level bytes, once in order, never change (shadow of the unread
 *   reassembly ring), the application gets them in DSN order, never more
 *   than the subflow bytes consumed, and every in-order DSN lies in a
 *   mapping the peer announced (or the fallback's infinite mapping); with
 *   the pattern on, each byte is the subflow byte such a mapping puts at
 *   its DSN;
 * - what the engine sends under a DSS mapping is the application's byte at
 *   that DSN, inside the peer's data-level window; in plain TCP, the
 *   application's byte at that sequence number;
 * - what the engine advertises: ACK = RCV.NXT, a right edge that never
 *   recedes, a DATA_ACK equal to what the msk holds in order, never going
 *   back; the subflow's read point follows exactly the bytes read;
 * - memory stays within the configured caps: TCP rings, out-of-order and
 *   SACK tables, the data-level rings and ranges, mapping tables;
 * - bounded work: segments sent per record, timers never due again right
 *   after they ran (an event loop would spin); run.sh adds -timeout.
 * tests/fuzz/crashes/ keeps the inputs of bugs this target found, replayed
 * first by run.sh as regression tests.
 *
 * Built by `make` as build/fuzz/fuzz_pkt_input; gen_corpus_pkt_input.c
 * includes this file to build its seeds against the same world and to check
 * each seed reaches what it was written for.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <xmptcp/mptcp_wire.h>

#include "common/byteorder.h"
#include "io/addr.h"
#include "io/csum.h"
#include "io/pkt.h"
#include "lib/meta.h"
#include "mptcp/crypto.h"
#include "mptcp/dss_csum.h"
#include "mptcp/subflow.h"
#include "tcp/tcp_int.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

/* The world: fixed keys, ISNs just below 2^32 (wraparound early), ports. */
#define FZ_KEY_LOCAL	0x0123456789abcdefULL /* the engine's MPTCP key */
#define FZ_KEY_PEER	0xfedcba9876543210ULL
#define FZ_ISN		0xfffff000u
#define FZ_PEER_ISN	0xffffe000u
#define FZ_LPORT	40000
#define FZ_RPORT	8080
#define FZ_MSS		1400
#define FZ_OPT_RESERVE	28   /* DSS with DATA_ACK64 + DSN64 map, as xmptcpd */
#define FZ_TCP_BUF	8192 /* small: windows fill within one input */
#define FZ_MSK_BUF	8192
#define FZ_PEER_WS	1
#define FZ_PEER_TS0	1000
#define FZ_T0		1000000ULL
#define FZ_MAX_FRAME	2048
#define FZ_MAX_XMIT_REC 2048 /* segments sent while handling one record */
#define FZ_MAX_RELS	256
#define FZ_PEER_WND	65535

/* cfg byte */
#define FZ_CFG_SERVER	0x01 /* the engine is the passive side */
#define FZ_CFG_CSUM	0x02 /* DSS checksums negotiated */
#define FZ_CFG_NO_TS	0x04
#define FZ_CFG_NO_SACK	0x08
#define FZ_CFG_PATTERN	0x10 /* peer payload byte = fz_pat(sequence number) */
#define FZ_CFG_RENO	0x20
#define FZ_CFG_V6	0x40
#define FZ_CFG_NODELACK 0x80

/* app byte */
#define FZ_APP_HS_INPUT 0x80 /* stop the scripted handshake after our SYN / SYN-ACK */
#define FZ_APP_UNITS	0x7f /* bytes queued at once, in units of 64 */

/* record kinds (tag % 4; 3 is a frame too, frames matter most) */
#define FZ_REC_FRAME 0
#define FZ_REC_CLOCK 1
#define FZ_REC_APP   2

/* frame mode byte: fix-ups before parsing */
#define FZ_F_CSUM    0x01 /* parse with checksum verification */
#define FZ_F_TUPLE   0x02 /* addresses and ports := the connection's */
#define FZ_F_SEQ     0x04 /* seq := RCV.NXT + (s16)seq */
#define FZ_F_ACK     0x08 /* ack := SND.UNA + (s16)ack (SND.MAX with FZ_T_ACK_MAX) */
#define FZ_F_FIXCSUM 0x10 /* recompute IPv4 and TCP checksums after the fix-ups */
#define FZ_F_SACK    0x20 /* SACK block edges += SND.UNA */
#define FZ_F_TS	     0x40 /* TSval += TS.Recent */
#define FZ_F_DACK    0x80 /* DSS DATA_ACK := data-level SND.UNA + (s16)value */

/* frame tag bits above the kind */
#define FZ_T_ACK_MAX  0x04 /* FZ_F_ACK relative to SND.MAX */
#define FZ_T_META     0x08 /* parse with XDP metadata built from a first parse */
#define FZ_T_META_BAD 0x10 /* ... disturbed: header or option offsets (fz_meta_damage) */
#define FZ_T_DACK_NXT 0x20 /* FZ_F_DACK relative to the data-level SND.NXT */

/* app ops (op % 8) */
enum {
	FZ_APP_PAUSE = 0, /* toggle reading */
	FZ_APP_WRITE,	  /* queue (op >> 3) * 256 more bytes */
	FZ_APP_SHUTDOWN,  /* DATA_FIN after the queued bytes */
	FZ_APP_ACK,	  /* xmp_tcp_ack_now() */
	FZ_APP_SF_SHUT,	  /* subflow FIN */
	FZ_APP_SF_CLOSE,  /* subflow close(): unread data discarded */
	FZ_APP_CHUNK,	  /* read in chunks of (op >> 3) + 1 bytes (0 = whole) */
	FZ_APP_NOP,
};

/* A subflow <-> data sequence relation the peer announced (or fallback made). */
struct fz_rel {
	__u64 dsn;
	__u32 ssn; /* relative to the peer's ISN */
	__u32 len;
	bool infinite;
};

/* What one run reached; the seed generator checks it. */
struct fz_report {
	__u64 delivered; /* data-level bytes the application read */
	bool eof;	 /* data-level EOF read */
	bool fallback;
	bool aborted; /* the glue reset the subflow */
	enum xmp_tcp_state tcp_state;
	enum xmp_sf_state sf_state;
	enum xmp_msk_state msk_state;
	__u64 tcp_mib[XMP_TCP_MIB_NR];
	__u64 sf_mib[XMP_SF_MIB_NR];
	__u64 msk_mib[XMP_MSK_MIB_NR];
	__u64 msk_snd_una_off;	/* data-level bytes of ours acked (DSNs) */
	unsigned int frames_in; /* frames that reached xmp_tcp_input_rx() */
};

struct fz {
	__u8 cfg;
	bool v6, server, pattern;
	struct xmp_addr laddr, raddr;
	struct xmp_pkt_hdrs peer_hdrs; /* frames from the scripted peer */
	struct xmp_tcp_sock *sk;
	struct xmp_sf sf;
	struct xmp_mp_parse_stats pst;
	__u64 now;
	unsigned int rec_xmits;
	struct xmp_seg last_out; /* last segment the engine sent (no payload) */
	unsigned int nr_out;
	unsigned int frames_in;

	/* application */
	__u64 app_written; /* bytes handed to the msk */
	__u32 app_left;	   /* bytes still to hand over */
	bool app_paused, app_shut_req, app_shut_done;
	__u32 read_chunk;
	__u64 delivered;
	bool eof;
	bool aborted, sf_shut, sf_closed;
	bool plain; /* no MP_CAPABLE: plain TCP, the engine alone (3.7) */
	bool dack_valid, dfin_forced;
	__u64 dack_tx;
	bool synced;	 /* the engine reached ESTABLISHED: irs is known */
	__u64 tcp_read;	 /* subflow bytes taken with xmp_tcp_recv() */
	bool edge_valid; /* a window was advertised: edge and dack_seen hold */
	__u32 adv_edge;	 /* right edge of the last window we advertised */
	bool dack_seen;
	__u64 dack_last; /* last DATA_ACK we sent */

	/* shadows */
	__u64 sub_consumed; /* subflow bytes xmp_sf_data() took */
	__u32 tsh_seq, tsh_len;
	__u64 msh_base;
	__u32 msh_len;
	struct fz_rel rels[FZ_MAX_RELS];
	unsigned int nrels;
	bool rels_overflow;
};

static struct fz g_fz;
static __u8 tsh[FZ_TCP_BUF];
static __u8 msh[FZ_MSK_BUF];
static __u8 scratch[65536];

/* Payload pattern of the peer: a byte per absolute sequence number that
 * differs between nearby and 256-apart numbers alike. */
static __u8 fz_pat(__u32 seq)
{
	return (__u8)((seq * 2654435761u) >> 24);
}

/*
 * The pattern loops below run once per payload byte; left to coverage
 * instrumentation, each iteration calls back into libFuzzer, which cost
 * more than the engine's own work and only told it how long a run was.
 * They are the harness's generators and comparators, not code under test:
 * no coverage there (ASan still checks every access). The seed generator
 * includes this file and is built by gcc, without coverage anyway.
 */
#ifdef __clang__
#define FZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FZ_NO_COVERAGE
#endif

/* Writes the pattern of sequence numbers [@seq, @seq + @n) to @p. */
static FZ_NO_COVERAGE void fz_pat_fill(__u8 *p, __u32 seq, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		p[i] = fz_pat(seq + i);
}

/* How many of the @n bytes at @p, from the first, are the pattern of @seq on. */
static FZ_NO_COVERAGE __u32 fz_pat_prefix(const __u8 *p, __u32 seq, __u32 n)
{
	__u32 i;

	for (i = 0; i < n && p[i] == fz_pat(seq + i); i++)
		;
	return i;
}

/* The application's bytes: a function of their offset in our data stream. */
static __u8 fz_app_byte(__u64 off)
{
	return (__u8)(off * 7 + (off >> 9) + 0x3c);
}

/*
 * fz_app_byte() depends on the offset modulo 2^17 only (off * 7 mod 256 on
 * its low 8 bits, (off >> 9) mod 256 on bits 9-16), so one table holds the
 * whole stream, and FZ_APP_SPAN more entries make any run up to that length
 * contiguous: checks and fills become memcmp()/memcpy() instead of a loop
 * per byte, whose coverage callbacks cost more than the engine's own work.
 */
#define FZ_APP_PERIOD (1u << 17)
#define FZ_APP_SPAN   65536u
static __u8 app_tab[FZ_APP_PERIOD + FZ_APP_SPAN];

static void fz_app_tab_init(void)
{
	static bool done;
	__u32 i;

	if (done)
		return;
	for (i = 0; i < sizeof(app_tab); i++)
		app_tab[i] = fz_app_byte(i);
	for (i = 0; i < sizeof(app_tab); i++)
		REQUIRE(app_tab[i] == fz_app_byte(i % FZ_APP_PERIOD));
	done = true;
}

/* The application's bytes [@off, @off + @n), @n <= FZ_APP_SPAN. */
static const __u8 *fz_app_bytes(__u64 off, __u32 n)
{
	REQUIRE(n <= FZ_APP_SPAN);
	return app_tab + off % FZ_APP_PERIOD;
}

static void fz_addrs(bool v6, struct xmp_addr *local, struct xmp_addr *peer)
{
	static const __u8 l6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const __u8 p6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

	if (v6) {
		xmp_addr_from_v6(local, l6);
		xmp_addr_from_v6(peer, p6);
	} else {
		xmp_addr_from_v4(local, htonl(0x0a000001));
		xmp_addr_from_v4(peer, htonl(0x0a000002));
	}
}

/* Headers of frames the peer sends to the engine. */
static void fz_peer_hdrs(bool v6, struct xmp_pkt_hdrs *h)
{
	static const __u8 mac_l[6] = {0x02, 0, 0, 0, 0, 1};
	static const __u8 mac_p[6] = {0x02, 0, 0, 0, 0, 2};

	memset(h, 0, sizeof(*h));
	memcpy(h->dst_mac, mac_l, 6);
	memcpy(h->src_mac, mac_p, 6);
	fz_addrs(v6, &h->daddr, &h->saddr);
}

/* ---- relations and shadows ---- */

static void fz_rel_add(struct fz *z, __u64 dsn, __u32 ssn, __u32 len, bool infinite)
{
	struct fz_rel *r;

	if (z->nrels) {
		r = &z->rels[z->nrels - 1];
		if (r->dsn == dsn && r->ssn == ssn && r->len == len && r->infinite == infinite)
			return;
	}
	if (z->nrels == FZ_MAX_RELS) {
		z->rels_overflow = true;
		return;
	}
	z->rels[z->nrels++] = (struct fz_rel){dsn, ssn, len, infinite};
}

/* The library's own infinite mapping (fallback when options vanished). */
static void fz_note_fallback_rel(struct fz *z)
{
	const struct xmp_rx_map *m = &z->sf.rx.m[0];

	if (z->sf.rx.n && m->infinite)
		fz_rel_add(z, m->dsn, m->ssn, 0, true);
}

/*
 * How far from @dsn the peer's relations cover the data sequence space
 * without a gap: @dsn itself when nothing maps it.
 */
static __u64 fz_covered_to(const struct fz *z, __u64 dsn, __u64 limit)
{
	bool moved = true;
	unsigned int i;

	while (moved && before64(dsn, limit)) {
		moved = false;
		for (i = 0; i < z->nrels; i++) {
			const struct fz_rel *r = &z->rels[i];

			if (before64(dsn, r->dsn))
				continue;
			if (r->infinite)
				return limit;
			if (dsn - r->dsn < r->len) {
				dsn = r->dsn + r->len;
				moved = true;
			}
		}
	}
	return before64(dsn, limit) ? dsn : limit;
}

/*
 * How many of the @n bytes at @p (data-level bytes from @dsn), from the
 * first, are the peer's subflow bytes under one relation: the longest such
 * run over the relations mapping @dsn, 0 when none gives the first byte.
 */
static __u32 fz_rel_run(const struct fz *z, __u64 dsn, const __u8 *p, __u32 n)
{
	__u32 best = 0, len, run;
	unsigned int i;

	for (i = 0; i < z->nrels && best < n; i++) {
		const struct fz_rel *r = &z->rels[i];
		__u64 off = dsn - r->dsn;

		if (before64(dsn, r->dsn) || (!r->infinite && off >= r->len))
			continue;
		len = r->infinite || r->len - off >= n ? n : (__u32)(r->len - off);
		run = fz_pat_prefix(p, z->sk->irs + r->ssn + (__u32)off, len);
		best = run > best ? run : best;
	}
	return best;
}

/*
 * Is every one of the @n bytes at @p (from @dsn) the peer's subflow byte at
 * that DSN under some relation? Checked by runs: the bytes a relation
 * gives in a row are all right, so the next byte to decide is the one
 * after the longest run; a byte no relation gives stops it.
 */
static bool fz_rels_ok(const struct fz *z, __u64 dsn, const __u8 *p, __u32 n)
{
	__u32 done = 0, run;

	if (z->rels_overflow)
		return true; /* cannot decide: relations were dropped */
	while (done < n) {
		run = fz_rel_run(z, dsn + done, p + done, n - done);
		if (!run)
			return false;
		done += run;
	}
	return true;
}

/* In-order subflow bytes never change; with the pattern, they are it. */
static void fz_tcp_shadow(struct fz *z, const __u8 *buf, __u32 n, __u32 seq)
{
	__u32 common = n < z->tsh_len ? n : z->tsh_len;

	if (z->tsh_len) {
		REQUIRE(seq == z->tsh_seq);
		REQUIRE(!memcmp(buf, tsh, common));
		REQUIRE(n >= z->tsh_len || z->sf_closed);
	}
	if (z->pattern)
		REQUIRE(fz_pat_prefix(buf + common, seq + common, n - common) == n - common);
	memcpy(tsh, buf, n);
	z->tsh_len = n;
	z->tsh_seq = seq;
}

static void fz_tcp_shadow_consume(struct fz *z, __u32 n)
{
	REQUIRE(n <= z->tsh_len);
	memmove(tsh, tsh + n, z->tsh_len - n);
	z->tsh_len -= n;
	z->tsh_seq += n;
}

static void fz_msk_ring(const struct xmp_msk *msk, __u64 dsn, __u8 *dst, __u32 len)
{
	__u32 cap = msk->cfg.rcvbuf, pos = (__u32)((dsn - msk->rcv_isn) % cap), first = cap - pos;

	if (first > len)
		first = len;
	memcpy(dst, msk->rcvq + pos, first);
	memcpy(dst + first, msk->rcvq, len - first);
}

/* In-order data-level bytes never change, and came from a relation. */
static void fz_msk_shadow(struct fz *z)
{
	const struct xmp_msk *msk = z->sf.msk;
	__u32 r = xmp_msk_readable(msk);

	REQUIRE(r <= msk->cfg.rcvbuf);
	REQUIRE(msk->rcv_base == z->msh_base);
	REQUIRE(r >= z->msh_len);
	fz_msk_ring(msk, msk->rcv_base, scratch, r);
	REQUIRE(!memcmp(scratch, msh, z->msh_len));
	/* Never past what the peer mapped: every new in-order DSN is covered. */
	if (!z->rels_overflow && r > z->msh_len)
		REQUIRE(fz_covered_to(z, msk->rcv_base + z->msh_len, msk->rcv_base + r) ==
			msk->rcv_base + r);
	if (z->pattern)
		REQUIRE(fz_rels_ok(z, msk->rcv_base + z->msh_len, scratch + z->msh_len,
				   r - z->msh_len));
	memcpy(msh, scratch, r);
	z->msh_len = r;
}

/* ---- engine hooks ---- */

static int fz_write_options(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			    __u8 *buf, unsigned int space)
{
	struct fz *z = ctx;
	struct xmp_mp_opt mp;
	int n;

	if (z->plain)
		return 0;
	if (!xmp_sf_build_options(&z->sf, seg->flags, seg->seq - sk->iss, seg->len, &mp))
		return 0;
	n = xmp_mp_write(buf, space, &mp);
	if (n == -ENOSPC && (mp.suboptions & XMP_MPO_DSS)) {
		/* SACK blocks took the room: the 32-bit forms (3.3). */
		mp.dss.ack64 = 0;
		n = xmp_mp_write(buf, space, &mp);
		if (n == -ENOSPC) {
			mp.dss.dsn64 = 0;
			n = xmp_mp_write(buf, space, &mp);
		}
	}
	if (n > 0 && (mp.suboptions & XMP_MPO_DSS) && mp.dss.use_ack) {
		z->dack_tx = mp.dss.data_ack;
		z->dack_valid = true;
	}
	return n;
}

/* The first DSN of the mapping @mp gives for this data segment, if any. */
static bool fz_out_mapping(const struct fz *z, const struct xmp_mp_opt *mp, __u64 *dsn, __u32 *ssn,
			   __u32 *len)
{
	const struct xmp_msk *msk = z->sf.msk;

	if ((mp->suboptions & XMP_MPO_MPC_ACK) && mp->mpc.variant == XMP_MPC_ACK_DATA) {
		*dsn = z->sf.local_idsn + 1;
		*ssn = 1;
		*len = mp->mpc.data_len;
		return true;
	}
	if (!(mp->suboptions & XMP_MPO_DSS) || !mp->dss.use_map || mp->dss.infinite)
		return false;
	*dsn = mp->dss.dsn64 ? mp->dss.data_seq
			     : xmp_expand_seq(msk->snd_una, (__u32)mp->dss.data_seq);
	*ssn = mp->dss.subflow_seq;
	*len = mp->dss.data_len - mp->dss.data_fin;
	return true;
}

/*
 * RFC 8684 3.3.4: the window of a segment is relative to its DATA_ACK and
 * shared by the connection, so it must not offer more than the data-level
 * reassembly buffer can still take; otherwise an honest peer's bytes are
 * acknowledged by TCP and then dropped by the msk.
 */
static void fz_check_adv_window(struct fz *z, const struct xmp_tcp_sock *sk,
				const struct xmp_seg *seg, const struct xmp_mp_opt *mp)
{
	const struct xmp_msk *msk = z->sf.msk;
	__u64 dack, edge = msk->rcv_base + msk->cfg.rcvbuf + msk->rcv_fin_done;

	if (!(mp->suboptions & XMP_MPO_DSS) || !mp->dss.use_ack || msk->fallback ||
	    (seg->flags & (XMP_TH_SYN | XMP_TH_RST)))
		return;
	dack = mp->dss.ack64 ? mp->dss.data_ack
			     : xmp_expand_seq(msk->ack_seq, (__u32)mp->dss.data_ack);
	/* The DATA_ACK never goes back, never covers what we do not hold. */
	REQUIRE(dack == msk->ack_seq);
	REQUIRE(!z->dack_seen || !before64(dack, z->dack_last));
	z->dack_seen = true;
	z->dack_last = dack;
	/* 3.3.4: the window offered from the DATA_ACK fits the msk
	 * (crashes/pkt_input-dlevel-window). */
	REQUIRE(!after64(dack + ((__u32)seg->wnd << sk->rcv_wscale), edge));
}

/* What we send under a mapping is the application's byte at that DSN. */
static void fz_check_out(struct fz *z, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	const struct xmp_msk *msk = z->sf.msk;
	struct xmp_mp_opt mp;
	__u32 ssn, len, rel, in0, n;
	__u64 dsn, off, i0, i1;

	REQUIRE(seg->optlen <= XMP_TCP_MAX_OPTLEN && seg->optlen % 4 == 0);
	REQUIRE(seg->len <= sk->cfg.mss);
	if (z->plain) {
		/* Plain TCP: the stream is the application's bytes, from ISS + 1. */
		__u32 pos = seg->seq - sk->iss - 1;

		if (!seg->len)
			return;
		REQUIRE((__u64)pos + seg->len <= z->app_written);
		REQUIRE(!memcmp(seg->payload, fz_app_bytes(pos, seg->len), seg->len));
		return;
	}
	if (!msk)
		return;
	xmp_mp_parse(seg->opts, seg->optlen, &mp, NULL);
	fz_check_adv_window(z, sk, seg, &mp);
	if (!seg->len || !fz_out_mapping(z, &mp, &dsn, &ssn, &len))
		return;
	/* Payload byte i sits at offset (rel + i) mod 2^32 in the mapping: the
	 * bytes inside it are one run [i0, i1) (the offset wraps at most once
	 * over a segment), checked at its ends and compared at once. */
	rel = seg->seq - sk->iss - ssn;
	if (rel < len) {
		i0 = 0;
		in0 = rel;
	} else {
		i0 = (1ULL << 32) - rel; /* where the offset wraps to 0 */
		in0 = 0;
	}
	i1 = i0 + len - in0;
	if (i1 > seg->len)
		i1 = seg->len;
	if (i0 >= i1)
		return;
	n = (__u32)(i1 - i0);
	off = dsn + in0 - msk->snd_isn;
	REQUIRE(off < z->app_written && off + n - 1 < z->app_written);
	/* 3.3.4: new data only inside the peer's data-level window (its right
	 * edge never moves left, so retransmissions stay inside). */
	REQUIRE(before64(dsn + in0, msk->snd_wnd_end) &&
		before64(dsn + in0 + n - 1, msk->snd_wnd_end));
	REQUIRE(!memcmp(seg->payload + i0, fz_app_bytes(off, n), n));
}

/* RFC 9293 3.8.6.2.2: the right edge of the window we offer never recedes
 * (in-order data moves RCV.NXT and fills the ring by the same amount). */
static void fz_check_edge(struct fz *z, const struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	__u32 edge = seg->ack + ((__u32)seg->wnd << sk->rcv_wscale);

	if (!(seg->flags & XMP_TH_ACK) || (seg->flags & (XMP_TH_SYN | XMP_TH_RST)))
		return;
	REQUIRE(seg->ack == sk->rcv_nxt);
	if (z->edge_valid)
		REQUIRE(!xmp_seq_before(edge, z->adv_edge));
	z->edge_valid = true;
	z->adv_edge = edge;
}

static int fz_xmit(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg)
{
	struct fz *z = ctx;

	REQUIRE(++z->rec_xmits <= FZ_MAX_XMIT_REC);
	fz_check_edge(z, sk, seg);
	fz_check_out(z, sk, seg);
	z->last_out = *seg;
	z->last_out.payload = NULL;
	z->nr_out++;
	return 0;
}

static void fz_event(void *ctx, struct xmp_tcp_sock *sk, unsigned int ev)
{
	(void)ctx;
	(void)sk;
	(void)ev; /* the harness pumps after every entry point instead */
}

/* The msk exists once both keys are known: its shadow starts there. */
static void fz_msk_born(struct fz *z, __u32 wnd)
{
	xmp_msk_init_wnd(z->sf.msk, wnd);
	z->msh_base = z->sf.msk->rcv_base;
}

/* 3.1: the SYN-ACK's MP_CAPABLE when the engine is the client. */
static int fz_rcv_synack(struct fz *z, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			 const struct xmp_mp_opt *mp)
{
	int r;

	if (z->server || z->sf.state != XMP_SF_SYN_SENT || !(seg->flags & XMP_TH_ACK) ||
	    seg->ack != sk->iss + 1)
		return 0;
	r = xmp_sf_rcv_synack(&z->sf, mp);
	if (r < 0)
		return r;
	if (r == XMP_SF_MPTCP)
		fz_msk_born(z, seg->wnd);
	else
		z->plain = true;
	return 0;
}

/* Mappings the peer announces, for the pattern check. */
static void fz_note_peer_maps(struct fz *z, const struct xmp_mp_opt *mp)
{
	struct xmp_rx_map map;

	if (!z->sf.msk)
		return;
	if ((mp->suboptions & XMP_MPO_MPC_ACK) && mp->mpc.variant == XMP_MPC_ACK_DATA &&
	    mp->mpc.data_len)
		fz_rel_add(z, z->sf.remote_idsn + 1, 1, mp->mpc.data_len, false);
	if ((mp->suboptions & XMP_MPO_DSS) && mp->dss.use_map) {
		xmp_msk_dss_to_map(z->sf.msk, &mp->dss, &map);
		fz_rel_add(z, map.dsn, map.ssn, map.len, map.infinite);
	}
}

static int fz_rcv_options(void *ctx, struct xmp_tcp_sock *sk, const struct xmp_seg *seg,
			  const struct xmp_tcp_opt_rx *rx)
{
	struct fz *z = ctx;
	bool had_msk = z->sf.msk;
	struct xmp_mp_opt mp, walked;
	__u32 wnd;
	int err;

	if (z->plain)
		return 0;
	/* where the frame's one option parse put them, as sflow.c decodes:
	 * the same as a fresh walk of the area */
	xmp_mp_decode_at(seg->opts, seg->optlen, rx->mp_at, &mp, &z->pst);
	xmp_mp_parse(seg->opts, seg->optlen, &walked, NULL);
	REQUIRE(!memcmp(&mp, &walked, sizeof(mp)));
	if (seg->flags & XMP_TH_SYN)
		return fz_rcv_synack(z, sk, seg, &mp);
	wnd = (__u32)seg->wnd << sk->snd_wscale;
	if (had_msk)
		fz_note_peer_maps(z, &mp);
	err = xmp_sf_rcv_options(&z->sf, seg->flags, seg->seq - sk->irs, seg->len, wnd, &mp);
	if (!had_msk && z->sf.msk) {
		fz_msk_born(z, wnd); /* server: the third ACK made it */
		fz_note_peer_maps(z, &mp);
	}
	if (z->sf.state == XMP_SF_FALLBACK && !z->sf.msk)
		z->plain = true; /* third ACK without MP_CAPABLE */
	fz_note_fallback_rel(z);
	return err;
}

/* The connection-level window, as mpconn.c's conn_rcv_wnd(). */
static __u32 fz_rcv_wnd(void *ctx, struct xmp_tcp_sock *sk, __u32 wnd)
{
	struct fz *z = ctx;

	return z->plain ? wnd : xmp_sf_rcv_wnd(&z->sf, xmp_tcp_readable(sk), wnd);
}

static const struct xmp_tcp_ops fz_ops = {
    .xmit = fz_xmit,
    .event = fz_event,
    .write_options = fz_write_options,
    .rcv_options = fz_rcv_options,
    .rcv_wnd = fz_rcv_wnd,
};

/* ---- the glue's pump (as xd_conn_pump) ---- */

static int fz_pump_rx(struct fz *z, bool *moved)
{
	struct xmp_tcp_sock *sk = z->sk;
	struct xmp_msk *msk = z->sf.msk;
	struct xmp_sf_data_res res;
	__u32 seq, chunk;
	long n;
	int err;

	while (!z->sf_closed && xmp_tcp_readable(sk)) {
		n = xmp_tcp_peek(sk, scratch, sizeof(scratch), 0);
		REQUIRE(n > 0 && (__u32)n == xmp_tcp_readable(sk) && n <= FZ_TCP_BUF);
		seq = xmp_tcp_recv_seq(sk);
		fz_tcp_shadow(z, scratch, (__u32)n, seq);
		err = xmp_sf_data(&z->sf, seq - sk->irs, scratch, (__u32)n, &res);
		fz_note_fallback_rel(z);
		/* "Bytes to take off the subflow": never more than were given
		 * (crashes/pkt_input-csum-overconsume). */
		REQUIRE(res.consumed <= (__u32)n);
		/* Taken by the msk even when the rest then resets the subflow. */
		z->sub_consumed += res.consumed;
		if (err)
			return err;
		if (!res.consumed)
			break; /* a mapping or the rest of a checksummed one is missing */
		REQUIRE(xmp_tcp_recv(sk, scratch, res.consumed, z->now) == (long)res.consumed);
		fz_tcp_shadow_consume(z, res.consumed);
		z->tcp_read += res.consumed;
		*moved = true;
	}
	fz_msk_shadow(z);
	while (!z->app_paused && z->msh_len) {
		chunk = z->read_chunk ? z->read_chunk : sizeof(scratch);
		n = xmp_msk_read(msk, scratch, chunk);
		REQUIRE(n > 0 && (__u32)n <= z->msh_len && (__u32)n <= chunk);
		REQUIRE(!memcmp(scratch, msh, n));
		memmove(msh, msh + n, z->msh_len - n);
		z->msh_len -= n;
		z->msh_base += n;
		z->delivered += n;
		*moved = true;
	}
	if (!z->app_paused && !z->eof && !z->msh_len && xmp_msk_read(msk, scratch, 1) == 0) {
		REQUIRE(msk->rcv_fin_done);
		z->eof = true;
	}
	return 0;
}

static bool fz_can_send(const struct fz *z)
{
	return !z->sf_shut &&
	       (z->sk->state == XMP_TCP_ESTABLISHED || z->sk->state == XMP_TCP_CLOSE_WAIT);
}

static int fz_pump_tx(struct fz *z, bool *moved)
{
	struct xmp_tcp_sock *sk = z->sk;
	struct xmp_msk *msk = z->sf.msk;
	struct xmp_tx_map m;
	__u32 w, ssn;
	long n;
	int err;

	while (z->app_left && (w = xmp_msk_writable(msk)) > 0) {
		w = w < z->app_left ? w : z->app_left;
		w = w < sizeof(scratch) ? w : sizeof(scratch);
		memcpy(scratch, fz_app_bytes(z->app_written, w), w);
		n = xmp_msk_send(msk, scratch, w);
		REQUIRE(n == (long)w); /* writable() promised the room */
		z->app_written += w;
		z->app_left -= w;
		*moved = true;
	}
	if (z->app_shut_req && !z->app_left && !z->app_shut_done) {
		z->app_shut_done = true;
		xmp_msk_shutdown(msk);
		*moved = true;
	}
	if (!fz_can_send(z))
		return 0;
	while (z->sf.ntx < XMP_SF_TXMAP_MAX) {
		w = xmp_tcp_writable(sk);
		w = w < 32768 ? w : 32768;
		if (!w && after64(msk->write_seq, msk->snd_nxt))
			break;
		if (xmp_msk_next_map(msk, w, &m) != 1)
			break;
		REQUIRE(m.len <= w);
		ssn = sk->snd_buf_seq + sk->sndq.len - sk->iss;
		REQUIRE(!m.len || !xmp_msk_copy(msk, m.dsn, scratch, m.len));
		err = xmp_sf_txmap_add(&z->sf, ssn, &m);
		if (err)
			return err;
		if (m.len)
			REQUIRE(xmp_tcp_send(sk, scratch, m.len, z->now) == (long)m.len);
		*moved = true;
	}
	return 0;
}

/* DATA_ACK / DATA_FIN the engine would not carry by itself (mpconn.c). */
static void fz_mptcp_acks(struct fz *z)
{
	struct xmp_msk *msk = z->sf.msk;
	struct xmp_tcp_sock *sk = z->sk;

	if (!msk || z->aborted || sk->state < XMP_TCP_ESTABLISHED)
		return;
	if ((!z->dack_valid || z->dack_tx != xmp_msk_data_ack(msk)) &&
	    sk->delack_at == XMP_TCP_NO_TIMER && z->sf.state == XMP_SF_ESTABLISHED)
		xmp_tcp_ack_now(sk, z->now);
	if (xmp_msk_fin_pending(msk) && !z->dfin_forced) {
		z->dfin_forced = true;
		xmp_tcp_ack_now(sk, z->now);
	}
}

/* Plain TCP (as pump_plain() of mpconn.c): the engine's stream is the app's. */
static void fz_pump_plain(struct fz *z)
{
	struct xmp_tcp_sock *sk = z->sk;
	__u32 w;
	long n;

	while (!z->sf_closed && !z->app_paused && xmp_tcp_readable(sk)) {
		n = xmp_tcp_peek(sk, scratch, sizeof(scratch), 0);
		REQUIRE(n > 0 && n <= FZ_TCP_BUF);
		fz_tcp_shadow(z, scratch, (__u32)n, xmp_tcp_recv_seq(sk));
		REQUIRE(xmp_tcp_recv(sk, scratch, n, z->now) == n);
		fz_tcp_shadow_consume(z, (__u32)n);
		z->tcp_read += n;
		z->delivered += n;
		z->sub_consumed += n;
	}
	if (!fz_can_send(z))
		return;
	while (z->app_left && (w = xmp_tcp_writable(sk)) > 0) {
		w = w < z->app_left ? w : z->app_left;
		memcpy(scratch, fz_app_bytes(z->app_written, w), w);
		z->app_written += w; /* before sending: fz_check_out() reads it */
		REQUIRE(xmp_tcp_send(sk, scratch, w, z->now) == (long)w);
		z->app_left -= w;
	}
	if (z->app_shut_req && !z->app_left && !z->app_shut_done) {
		z->app_shut_done = z->sf_shut = true;
		xmp_tcp_shutdown(sk, z->now);
	}
}

static void fz_pump(struct fz *z)
{
	struct xmp_tcp_sock *sk = z->sk;
	unsigned int guard;
	bool moved;
	int err = 0;

	if (z->plain && sk->state >= XMP_TCP_ESTABLISHED)
		fz_pump_plain(z);
	if (z->aborted || !z->sf.msk || z->plain)
		return;
	for (guard = 0; guard < 16; guard++) {
		moved = false;
		xmp_sf_txmap_ack(&z->sf, sk->snd_una - sk->iss);
		if (z->sf.state == XMP_SF_FALLBACK)
			xmp_sf_fallback_ack(&z->sf, sk->snd_una - sk->iss);
		err = fz_pump_rx(z, &moved);
		if (!err)
			err = fz_pump_tx(z, &moved);
		if (err || !moved)
			break;
	}
	if (err) {
		/* As xd_conn_abort(): reset the subflow, stop pumping. */
		z->aborted = true;
		if (sk->state != XMP_TCP_CLOSED)
			xmp_tcp_abort(sk, err, z->now);
		return;
	}
	fz_mptcp_acks(z);
	if (!z->sf_shut && z->sf.msk->fin_acked && z->sf.msk->rcv_fin_done &&
	    sk->state >= XMP_TCP_ESTABLISHED) {
		/* 3.3.3: the subflow closes once the data level is done. */
		z->sf_shut = true;
		xmp_tcp_shutdown(sk, z->now);
	}
}

/* ---- invariants after every record ---- */

static void fz_check_tcp(struct fz *z, const struct xmp_tcp_sock *sk)
{
	unsigned int i;

	if (sk->state >= XMP_TCP_ESTABLISHED)
		z->synced = true;
	/* The next byte to read follows exactly the bytes read (ISN, SYN). */
	if (z->synced && !z->sf_closed)
		REQUIRE(xmp_tcp_recv_seq(sk) == sk->irs + 1 + (__u32)z->tcp_read);

	REQUIRE(sk->rcvq.len <= sk->rcvq.cap && sk->rcvq.cap == FZ_TCP_BUF);
	REQUIRE(sk->sndq.len <= sk->sndq.cap && sk->sndq.cap == FZ_TCP_BUF);
	REQUIRE(sk->ofo.n <= XMP_TCP_MAX_RANGES && sk->sacked.n <= XMP_TCP_MAX_RANGES);
	REQUIRE(!xmp_seq_after(sk->snd_una, sk->snd_nxt) &&
		!xmp_seq_after(sk->snd_nxt, sk->snd_max));
	/* Everything in flight is in the send buffer (+ SYN and FIN). */
	REQUIRE(sk->snd_max - sk->snd_una <= sk->sndq.len + 2);
	if (sk->state == XMP_TCP_CLOSED)
		return;
	/* Out-of-order data sits in the ring after the unread bytes. */
	for (i = 0; i < sk->ofo.n; i++) {
		const struct xmp_seq_range *r = &sk->ofo.r[i];

		REQUIRE(xmp_seq_after(r->end, sk->rcv_nxt));
		REQUIRE(r->end - sk->rcv_nxt + sk->rcvq.len <= sk->rcvq.cap);
	}
}

static void fz_check_msk(const struct fz *z)
{
	const struct xmp_msk *msk = z->sf.msk;
	unsigned int i;
	__u64 in_order;

	REQUIRE(msk->nr_ofo <= XMP_MSK_MAX_OFO);
	REQUIRE(z->sf.rx.n <= XMP_RXMAP_MAX && z->sf.ntx <= XMP_SF_TXMAP_MAX);
	REQUIRE(!before64(msk->ack_seq, msk->rcv_base));
	in_order = msk->ack_seq - msk->rcv_base - msk->rcv_fin_done;
	REQUIRE(in_order <= msk->cfg.rcvbuf);
	for (i = 0; i < msk->nr_ofo; i++) {
		REQUIRE(after64(msk->ofo[i].start, msk->ack_seq));
		REQUIRE(after64(msk->ofo[i].end, msk->ofo[i].start));
		REQUIRE(msk->ofo[i].end - msk->rcv_base <= msk->cfg.rcvbuf);
	}
	if (!msk->fin_acked)
		REQUIRE(msk->write_seq - msk->snd_una <= msk->cfg.sndbuf);
	REQUIRE(!before64(msk->snd_nxt, msk->snd_una));
	REQUIRE(!after64(msk->snd_nxt, msk->write_seq + 1));
	/* The application reads in DSN order from the first DSN... */
	REQUIRE(msk->rcv_base == msk->rcv_isn + z->delivered);
	/* ...never more than the subflow bytes handed to the msk... */
	REQUIRE(z->delivered <= z->sub_consumed);
	/* Every in-order DSN (the DATA_FIN aside) came from a subflow byte. */
	REQUIRE(msk->ack_seq - msk->rcv_isn - msk->rcv_fin_done <= z->sub_consumed);
}

static void fz_check(struct fz *z)
{
	fz_check_tcp(z, z->sk);
	if (z->sf.msk)
		fz_check_msk(z);
}

/* ---- records ---- */

static void fz_run_timers(struct fz *z)
{
	unsigned int i;

	for (i = 0; i < 16 && xmp_tcp_next_timer(z->sk) <= z->now; i++) {
		xmp_tcp_on_timer(z->sk, z->now);
		/* A timer still due right after it ran would spin an event loop. */
		REQUIRE(xmp_tcp_next_timer(z->sk) > z->now);
		fz_pump(z);
	}
}

static void fz_clock(struct fz *z, __u8 d)
{
	unsigned int i, jumps = d - 0xefu;
	__u64 t;

	if (d < 0xf0) {
		z->now += (d + 1) * 5000ULL;
		fz_run_timers(z);
		return;
	}
	/* Jump to the next deadline(s): RTO backoff, persist, TIME-WAIT. */
	for (i = 0; i < jumps; i++) {
		t = xmp_tcp_next_timer(z->sk);
		if (t == XMP_TCP_NO_TIMER)
			break;
		if (t > z->now)
			z->now = t;
		fz_run_timers(z);
	}
}

static void fz_app(struct fz *z, __u8 op)
{
	struct xmp_tcp_sock *sk = z->sk;

	switch (op % 8) {
	case FZ_APP_PAUSE:
		z->app_paused = !z->app_paused;
		break;
	case FZ_APP_WRITE:
		z->app_left += (op >> 3) * 256u;
		break;
	case FZ_APP_SHUTDOWN:
		z->app_shut_req = true;
		break;
	case FZ_APP_ACK:
		xmp_tcp_ack_now(sk, z->now);
		break;
	case FZ_APP_SF_SHUT:
		z->sf_shut = true;
		xmp_tcp_shutdown(sk, z->now);
		break;
	case FZ_APP_SF_CLOSE:
		z->sf_shut = z->sf_closed = true;
		z->tsh_len = 0;
		xmp_tcp_close(sk, z->now);
		break;
	case FZ_APP_CHUNK:
		z->read_chunk = op >> 3;
		break;
	default:
		break;
	}
	fz_pump(z);
}

/* Walks the TCP options of a frame being fixed up. */
static void fz_fix_opts(struct fz *z, __u8 *o, __u32 len, __u8 mode, __u8 tag)
{
	const struct xmp_tcp_sock *sk = z->sk;
	const struct xmp_msk *msk = z->sf.msk;
	__u32 off = 0, olen, i;

	while (off + 1 < len && o[off] != TCPOPT_EOL_) {
		if (o[off] == TCPOPT_NOP_) {
			off++;
			continue;
		}
		olen = o[off + 1];
		if (olen < 2 || off + olen > len)
			return;
		if ((mode & FZ_F_SACK) && o[off] == TCPOPT_SACK_)
			for (i = 2; i + 4 <= olen; i += 4)
				put_be32(o + off + i, get_be32(o + off + i) + sk->snd_una);
		if ((mode & FZ_F_TS) && o[off] == TCPOPT_TS_ && olen == TCPOLEN_TS_)
			put_be32(o + off + 2, get_be32(o + off + 2) + sk->ts_recent);
		/* DSS (subtype 2) with a DATA_ACK (flag A = 0x01; a = 0x02: 8 bytes) */
		if ((mode & FZ_F_DACK) && msk && o[off] == TCPOPT_MPTCP && olen >= 8 &&
		    o[off + 2] >> 4 == 2 && (o[off + 3] & 0x01)) {
			__u64 base = (tag & FZ_T_DACK_NXT) ? msk->snd_nxt : msk->snd_una;
			bool a64 = o[off + 3] & 0x02;
			__u32 low = a64 ? (olen >= 12 ? get_be32(o + off + 8) : 0) : get_be32(o + off + 4);
			__u64 v = base + (__u64)(__s64)(__s16)low;

			if (a64 && olen >= 12) {
				put_be32(o + off + 4, (__u32)(v >> 32));
				put_be32(o + off + 8, (__u32)v);
			} else if (!a64) {
				put_be32(o + off + 4, (__u32)v);
			}
		}
		off += olen;
	}
}

static void fz_fix_csums(__u8 *buf, const struct xmp_frame *f)
{
	__u8 *ip = buf + f->l3_off, *t = buf + f->l4_off;
	struct xmp_addr s, d;

	if (f->ip_version == 4) {
		__u32 be;

		put_be16(ip + 10, 0);
		put_be16(ip + 10, xmp_csum_ip4(ip, (ip[0] & 0x0f) * 4u));
		memcpy(&be, ip + 12, 4);
		xmp_addr_from_v4(&s, be);
		memcpy(&be, ip + 16, 4);
		xmp_addr_from_v4(&d, be);
	} else {
		xmp_addr_from_v6(&s, ip + 8);
		xmp_addr_from_v6(&d, ip + 24);
	}
	put_be16(t + 16, 0);
	put_be16(t + 16, xmp_csum_tcp(&s, &d, t, f->payload_off - f->l4_off + f->seg.len));
}

/* Rewrites the frame in place per @mode (it parsed as @f, no checksums). */
static void fz_fixup(struct fz *z, __u8 *buf, const struct xmp_frame *f, __u8 tag, __u8 mode)
{
	const struct xmp_tcp_sock *sk = z->sk;
	__u8 *ip = buf + f->l3_off, *t = buf + f->l4_off, *p = buf + f->payload_off;

	if (mode & FZ_F_TUPLE) {
		if (f->ip_version == 4 && !z->v6) {
			memcpy(ip + 12, &z->raddr.a[12], 4);
			memcpy(ip + 16, &z->laddr.a[12], 4);
		} else if (f->ip_version == 6 && z->v6) {
			memcpy(ip + 8, z->raddr.a, 16);
			memcpy(ip + 24, z->laddr.a, 16);
		}
		put_be16(t, FZ_RPORT);
		put_be16(t + 2, FZ_LPORT);
	}
	if (mode & FZ_F_SEQ)
		put_be32(t + 4, sk->rcv_nxt + (__u32)(__s32)(__s16)get_be16(t + 6));
	if (mode & FZ_F_ACK)
		put_be32(t + 8, ((tag & FZ_T_ACK_MAX) ? sk->snd_max : sk->snd_una) +
				(__u32)(__s32)(__s16)get_be16(t + 10));
	if (mode & (FZ_F_SACK | FZ_F_TS | FZ_F_DACK))
		fz_fix_opts(z, t + XMP_TCP_HLEN, f->payload_off - f->l4_off - XMP_TCP_HLEN, mode,
			    tag);
	if (z->pattern)
		fz_pat_fill(p, get_be32(t + 4) + !!(t[13] & XMP_TH_SYN), f->seg.len);
	if (mode & FZ_F_FIXCSUM)
		fz_fix_csums(buf, f);
}

static bool fz_same_frame(const struct xmp_frame *a, const struct xmp_frame *b)
{
	const struct xmp_seg *x = &a->seg, *y = &b->seg;

	return a->l4_off == b->l4_off && a->payload_off == b->payload_off &&
	       a->ip_version == b->ip_version && xmp_addr_eq(&a->saddr, &b->saddr) &&
	       xmp_addr_eq(&a->daddr, &b->daddr) && x->sport == y->sport && x->dport == y->dport &&
	       x->seq == y->seq && x->ack == y->ack && x->flags == y->flags && x->wnd == y->wnd &&
	       x->urg == y->urg && x->optlen == y->optlen && !memcmp(x->opts, y->opts, x->optlen) &&
	       x->len == y->len && x->payload == y->payload;
}

/* Parser invariants: every offset and the payload inside the frame. */
static void fz_check_parsed(const __u8 *buf, __u32 len, const struct xmp_frame *f)
{
	REQUIRE(f->l3_off >= XMP_ETH_HLEN && f->l3_off < f->l4_off);
	REQUIRE(f->l4_off + XMP_TCP_HLEN + f->seg.optlen == f->payload_off);
	REQUIRE(f->seg.optlen <= XMP_TCP_MAX_OPTLEN);
	REQUIRE(f->seg.payload == buf + f->payload_off);
	REQUIRE((__u32)f->payload_off + f->seg.len <= len);
	REQUIRE(f->ip_version == 4 || f->ip_version == 6);
}

static bool fz_match(const struct fz *z, const struct xmp_frame *f)
{
	return f->seg.sport == FZ_RPORT && f->seg.dport == FZ_LPORT &&
	       xmp_addr_eq(&f->saddr, &z->raddr) && xmp_addr_eq(&f->daddr, &z->laddr);
}

/* Forged or stale metadata; @pick (the MAC's first byte) picks the damage:
 * the TCP header's offset, an option's offset moved, an MPTCP subtype's
 * bit flipped, or an option left out (bit and offset cleared). */
static void fz_meta_damage(struct xmp_meta *m, __u8 pick)
{
	__u8 *off[] = { &m->mss_off, &m->ws_off, &m->sackp_off, &m->sack_off, &m->ts_off,
			&m->mp_off[MPTCPOPT_MP_CAPABLE], &m->mp_off[MPTCPOPT_DSS],
			&m->mp_off[MPTCPOPT_ADD_ADDR] };
	unsigned int i = (pick >> 2) % (sizeof(off) / sizeof(off[0]));

	switch (pick & 3) {
	case 0:
		m->l4_off ^= pick & 0x3f;
		break;
	case 1:
		*off[i] ^= pick >> 5;
		break;
	case 2:
		m->mp_seen ^= 1u << ((pick >> 2) % MPTCPOPT_NR_SUBTYPES);
		break;
	default:
		*off[i] = 0;
		if (i < 5) /* XMP_TOPT_MSS .. XMP_TOPT_TS: bits 0..4, in this order */
			m->tcp_opts &= (__u8)~(1u << i);
		else
			m->mp_seen &= ~(1u << (off[i] - m->mp_off));
		break;
	}
}

/* Parse @buf (fix-ups done) with XDP metadata as xdp_steer would leave it. */
static int fz_parse_meta(__u8 *buf, __u32 len, unsigned int flags, __u8 tag,
			 const struct xmp_frame *walk, int walk_rc, struct xmp_frame *f)
{
	struct xmp_meta meta;
	int rc;

	memset(&meta, 0, sizeof(meta));
	meta.magic = XMP_META_MAGIC;
	meta.ip_version = walk->ip_version;
	meta.l3_off = walk->l3_off;
	meta.l4_off = walk->l4_off;
	meta.payload_off = walk->payload_off;
	meta.payload_len = (__u16)walk->seg.len;
	t_meta_locate(&meta, walk->seg.opts, walk->seg.optlen, walk->seg.flags, walk->seg.len);
	if (tag & FZ_T_META_BAD)
		fz_meta_damage(&meta, buf[0]);
	rc = xmp_pkt_parse(buf, len, &meta, flags, f);
	/* Metadata is a shortcut: never worse than the walk, and when it is
	 * right the result is the same; the options are the walk's whatever
	 * the metadata says (checked, or walked again). */
	if (!walk_rc)
		REQUIRE(!rc);
	if (!rc && !walk_rc && !(tag & FZ_T_META_BAD))
		REQUIRE(f->meta && fz_same_frame(f, walk));
	if (!rc && !walk_rc)
		REQUIRE(!memcmp(&f->opts, &walk->opts, sizeof(f->opts)));
	return rc;
}

static void fz_frame(struct fz *z, __u8 tag, __u8 mode, const __u8 *data, __u32 len)
{
	unsigned int flags = (mode & FZ_F_CSUM) ? XMP_PKT_F_CSUM : 0;
	struct xmp_frame f, walk;
	__u8 *buf = malloc(len ? len : 1);
	int rc;

	if (!buf)
		abort();
	memcpy(buf, data, len);
	if (!xmp_pkt_parse(buf, len, NULL, 0, &f))
		fz_fixup(z, buf, &f, tag, mode);
	rc = xmp_pkt_parse(buf, len, NULL, flags, &walk);
	REQUIRE(rc == 0 || rc == -EBADMSG || rc == -EPROTO);
	if (!rc)
		fz_check_parsed(buf, len, &walk);
	if ((tag & FZ_T_META) && (!rc || walk.l4_off)) {
		rc = fz_parse_meta(buf, len, flags, tag, &walk, rc, &f);
		if (!rc)
			fz_check_parsed(buf, len, &f);
	} else {
		f = walk;
	}
	if (!rc && fz_match(z, &f)) {
		z->frames_in++;
		xmp_tcp_input_rx(z->sk, &f.seg, &f.opts, z->now);
		fz_pump(z);
	}
	free(buf);
}

/* ---- setup: the scripted MP_CAPABLE handshake ---- */

static void fz_syn_opts(const struct fz *z, struct xmp_seg *seg, __u32 tsecr,
			const struct xmp_mp_opt *mp)
{
	int n = xmp_tcp_write_syn_options(seg->opts, XMP_TCP_MAX_OPTLEN, FZ_MSS, FZ_PEER_WS,
					  !(z->cfg & FZ_CFG_NO_SACK), !(z->cfg & FZ_CFG_NO_TS),
					  FZ_PEER_TS0, tsecr);

	REQUIRE(n > 0);
	seg->optlen = (__u8)n;
	n = xmp_mp_write(seg->opts + seg->optlen, XMP_TCP_MAX_OPTLEN - seg->optlen, mp);
	REQUIRE(n > 0);
	seg->optlen += n;
}

/* The engine's TSval in its last segment (to echo), 0 without timestamps. */
static __u32 fz_last_tsval(const struct fz *z)
{
	struct xmp_tcp_opt_rx rx;

	xmp_tcp_parse_options(z->last_out.opts, z->last_out.optlen, z->last_out.flags & XMP_TH_SYN,
			      &rx);
	return rx.has_ts ? rx.tsval : 0;
}

/* Builds the peer's frame for @seg and parses it back (checksums on). */
static void fz_peer_frame(struct fz *z, const struct xmp_seg *seg, __u8 *buf, struct xmp_frame *f)
{
	int n = xmp_pkt_build(buf, FZ_MAX_FRAME, &z->peer_hdrs, seg);

	REQUIRE(n > 0);
	REQUIRE(!xmp_pkt_parse(buf, (__u32)n, NULL, XMP_PKT_F_CSUM, f));
}

static void fz_seg_init(struct xmp_seg *seg, __u8 flags, __u32 seq, __u32 ack)
{
	memset(seg, 0, sizeof(*seg));
	seg->sport = FZ_RPORT;
	seg->dport = FZ_LPORT;
	seg->flags = flags;
	seg->seq = seq;
	seg->ack = ack;
	seg->wnd = FZ_PEER_WND;
}

static int fz_create(struct fz *z)
{
	struct xmp_tcp_cfg cfg = {
	    .lport = FZ_LPORT,
	    .rport = FZ_RPORT,
	    .mss = FZ_MSS,
	    .opt_reserve = FZ_OPT_RESERVE,
	    .sndbuf = FZ_TCP_BUF,
	    .rcvbuf = FZ_TCP_BUF,
	    .no_ts = z->cfg & FZ_CFG_NO_TS,
	    .no_sack = z->cfg & FZ_CFG_NO_SACK,
	    .no_delack = z->cfg & FZ_CFG_NODELACK,
	    .nodelay = true,
	    .fixed_isn = true,
	    .isn = FZ_ISN,
	    .seed = 0x5eed,
	    .cc = (z->cfg & FZ_CFG_RENO) ? "reno" : "cubic",
	};

	return xmp_tcp_create(&z->sk, &cfg, &fz_ops, z);
}

static void fz_establish_client(struct fz *z, bool from_input)
{
	struct xmp_mp_opt mp = {.suboptions = XMP_MPO_MPC_SYNACK};
	__u8 buf[FZ_MAX_FRAME];
	struct xmp_frame f;
	struct xmp_seg seg;

	REQUIRE(!xmp_tcp_connect(z->sk, z->now));
	REQUIRE(z->nr_out == 1 && z->last_out.flags == XMP_TH_SYN);
	if (from_input)
		return;
	fz_seg_init(&seg, XMP_TH_SYN | XMP_TH_ACK, FZ_PEER_ISN, FZ_ISN + 1);
	mp.mpc.variant = XMP_MPC_SYNACK;
	mp.mpc.version = MPTCP_VERSION_1;
	mp.mpc.flags =
	    MPTCP_CAP_HMAC_SHA256 | ((z->cfg & FZ_CFG_CSUM) ? MPTCP_CAP_CHECKSUM_REQD : 0);
	mp.mpc.sndr_key = FZ_KEY_PEER;
	fz_syn_opts(z, &seg, fz_last_tsval(z), &mp);
	fz_peer_frame(z, &seg, buf, &f);
	xmp_tcp_input_rx(z->sk, &f.seg, &f.opts, z->now);
	REQUIRE(z->sk->state == XMP_TCP_ESTABLISHED && z->sf.msk);
	REQUIRE(z->sf.state == XMP_SF_PRE_ESTABLISHED);
}

static void fz_establish_server(struct fz *z, bool from_input)
{
	struct xmp_mp_opt mp = {.suboptions = XMP_MPO_MPC_SYN}, in;
	__u8 buf[FZ_MAX_FRAME];
	struct xmp_frame f;
	struct xmp_seg seg;
	int n;

	fz_seg_init(&seg, XMP_TH_SYN, FZ_PEER_ISN, 0);
	mp.mpc.variant = XMP_MPC_SYN;
	mp.mpc.version = MPTCP_VERSION_1;
	mp.mpc.flags =
	    MPTCP_CAP_HMAC_SHA256 | ((z->cfg & FZ_CFG_CSUM) ? MPTCP_CAP_CHECKSUM_REQD : 0);
	fz_syn_opts(z, &seg, 0, &mp);
	fz_peer_frame(z, &seg, buf, &f);
	xmp_mp_decode_at(f.seg.opts, f.seg.optlen, f.opts.mp_at, &in, &z->pst);
	REQUIRE(xmp_sf_rcv_syn(&z->sf, &in) == XMP_SF_MPTCP);
	REQUIRE(!xmp_tcp_accept_syn(z->sk, &f.seg, &f.opts, z->now));
	REQUIRE(z->nr_out == 1 && z->last_out.flags == (XMP_TH_SYN | XMP_TH_ACK));
	if (from_input)
		return;

	/* Third ACK: both keys (3.1), timestamps echoed. */
	fz_seg_init(&seg, XMP_TH_ACK, FZ_PEER_ISN + 1, FZ_ISN + 1);
	seg.wnd = FZ_PEER_WND >> FZ_PEER_WS;
	if (!(z->cfg & FZ_CFG_NO_TS)) {
		n = xmp_tcp_write_ts(seg.opts, XMP_TCP_MAX_OPTLEN, FZ_PEER_TS0 + 1,
				     fz_last_tsval(z));
		seg.optlen = (__u8)n;
	}
	memset(&mp, 0, sizeof(mp));
	mp.suboptions = XMP_MPO_MPC_ACK;
	mp.mpc.variant = XMP_MPC_ACK;
	mp.mpc.version = MPTCP_VERSION_1;
	mp.mpc.flags =
	    MPTCP_CAP_HMAC_SHA256 | ((z->cfg & FZ_CFG_CSUM) ? MPTCP_CAP_CHECKSUM_REQD : 0);
	mp.mpc.sndr_key = FZ_KEY_PEER;
	mp.mpc.rcvr_key = FZ_KEY_LOCAL;
	n = xmp_mp_write(seg.opts + seg.optlen, XMP_TCP_MAX_OPTLEN - seg.optlen, &mp);
	REQUIRE(n > 0);
	seg.optlen += n;
	fz_peer_frame(z, &seg, buf, &f);
	xmp_tcp_input_rx(z->sk, &f.seg, &f.opts, z->now);
	REQUIRE(z->sk->state == XMP_TCP_ESTABLISHED && z->sf.msk);
	REQUIRE(z->sf.state == XMP_SF_ESTABLISHED);
}

static void fz_setup(struct fz *z, __u8 cfg, __u8 app)
{
	struct xmp_sf_cfg sfc = {
	    .local_key = FZ_KEY_LOCAL,
	    .csum_req = cfg & FZ_CFG_CSUM,
	    .msk = {.sndbuf = FZ_MSK_BUF, .rcvbuf = FZ_MSK_BUF},
	};

	fz_app_tab_init();
	memset(z, 0, sizeof(*z));
	z->cfg = cfg;
	z->server = cfg & FZ_CFG_SERVER;
	z->v6 = cfg & FZ_CFG_V6;
	z->pattern = cfg & FZ_CFG_PATTERN;
	z->now = FZ_T0;
	fz_addrs(z->v6, &z->laddr, &z->raddr);
	fz_peer_hdrs(z->v6, &z->peer_hdrs);
	REQUIRE(!xmp_sf_init(&z->sf, z->server ? XMP_SF_SERVER : XMP_SF_CLIENT, &sfc));
	REQUIRE(!fz_create(z));
	if (z->server)
		fz_establish_server(z, app & FZ_APP_HS_INPUT);
	else
		fz_establish_client(z, app & FZ_APP_HS_INPUT);
	z->app_left = (app & FZ_APP_UNITS) * 64u;
	fz_pump(z);
	fz_check(z);
}

static void fz_report(const struct fz *z, struct fz_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->delivered = z->delivered;
	rep->eof = z->eof;
	rep->aborted = z->aborted;
	rep->tcp_state = z->sk->state;
	rep->sf_state = z->sf.state;
	rep->frames_in = z->frames_in;
	memcpy(rep->tcp_mib, z->sk->mib, sizeof(rep->tcp_mib));
	memcpy(rep->sf_mib, z->sf.mib, sizeof(rep->sf_mib));
	if (z->sf.msk) {
		rep->fallback = z->sf.msk->fallback;
		rep->msk_state = z->sf.msk->state;
		rep->msk_snd_una_off = z->sf.msk->snd_una - z->sf.msk->snd_isn;
		memcpy(rep->msk_mib, z->sf.msk->mib, sizeof(rep->msk_mib));
	}
}

/* One input: set up, then every record, checking after each. */
static void fz_run(const uint8_t *data, size_t size, struct fz_report *rep)
{
	struct fz *z = &g_fz;
	size_t pos = 2;
	__u32 len;
	__u8 tag;

	if (size < 2)
		return;
	fz_setup(z, data[0], data[1]);
	while (pos < size) {
		tag = data[pos++];
		z->rec_xmits = 0;
		switch (tag % 4) {
		case FZ_REC_CLOCK:
			fz_clock(z, pos < size ? data[pos++] : 0);
			break;
		case FZ_REC_APP:
			fz_app(z, pos < size ? data[pos++] : 0);
			break;
		default:
			if (pos + 3 > size) {
				pos = size;
				break;
			}
			len = data[pos + 1] | (__u32)data[pos + 2] << 8;
			if (len > size - pos - 3)
				len = (__u32)(size - pos - 3);
			if (len > FZ_MAX_FRAME)
				len = FZ_MAX_FRAME;
			fz_frame(z, tag, data[pos], data + pos + 3, len);
			pos += 3 + len;
			break;
		}
		fz_check(z);
	}
	if (rep)
		fz_report(z, rep);
	xmp_tcp_destroy(z->sk);
	xmp_msk_destroy(z->sf.msk);
	z->sk = NULL;
	z->sf.msk = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(data, size, NULL);
	return 0;
}

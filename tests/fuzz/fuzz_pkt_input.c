// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the connection layer (user/conn, the library the
 * daemon drives) fed from the wire: one of our stacks ("us", a memhost on
 * side 0 of a two-link memwire, tests/lib/memhost.h) and a second one as
 * its peer (side 1). The code under test is the library itself: frames go
 * through xmp_pkt_parse() and xc_input() / the join and listener paths as
 * in the daemon, the application ends are memhost's, which check every
 * byte they receive. Nothing here stands in for library code.
 *
 *   input  := cfg size record*
 *   cfg    := FZ_CFG_* bits: our role (client/server), DSS checksums,
 *             IPv6, big buffers, path managers off, request/response,
 *             a lossy wire, a slow second link
 *   size   := bytes each application sends: low nibble ours, high the
 *             peer's, in units of FZ_SIZE_UNIT; each stream ends only on
 *             an app record (FZ_APP_SHUTDOWN): until then joins may come
 *   record := tag ...; tag % 8 chooses the kind:
 *     0 run:    tag d. The wire runs (frames delivered, timers fired) for
 *               a time d chooses, 1 ms to 160 s.
 *     1 mbox:   tag arg pos val. The middlebox of a link and direction
 *               acts on the next segments: drop, hold (delay: released by
 *               a later record), copy (a duplicate later), strip the MPTCP
 *               options, flip one byte of the options or of the payload,
 *               truncate the payload.
 *     2 app:    tag op. An application of either side: pause/resume its
 *               reading, read in small pieces, shutdown, close, abort,
 *               fastclose (3.5), swap the scheduler, pump.
 *     3 link:   tag op. A link goes down or up, with the hosts' link
 *               events or silently (a hop beyond the interface).
 *     4 release: tag i. A held segment reaches its host now.
 *     5-7 frame: tag mode len_lo len_hi frame[len]. An Ethernet frame
 *               injected into our stack on link (tag >> 3) & 1, as an
 *               off-path sender would: parsed (with XDP metadata when tag
 *               bit FZ_T_META is set), then given to memhost_input() like
 *               every frame from the wire. mode holds FZ_F_* fix-ups so
 *               that mutated frames reach a subflow and land near its
 *               live numbers: the tuple, sequence and ACK numbers, TSval
 *               and DATA_ACK relative to the last segment the peer sent on
 *               that link, the local token in an MP_JOIN SYN (a join from
 *               the second link, with the right token or a wrong one).
 *
 * The rule for tampering (RFC 8684 3.3.1): without DSS checksums a
 * middlebox that rewrites payload bytes or a DSS mapping is undetectable by
 * design, so the fuzzer touches payload bytes and mappings only while every
 * connection has DSS checksums in force (MPTCP up, checksums negotiated, no
 * fallback). A flip is then one byte, which the ones' complement sum always
 * catches. Injected frames never carry a mapping (the DSS checksum is no
 * MAC: the fuzzer's comparison tracing could forge a valid one) and carry
 * payload only under the same condition. Once tampered, a connection that
 * then falls back to plain TCP (3.7) checks nothing more: its bad bytes are
 * excused. Stripping options, dropping, delaying and duplicating segments
 * are always allowed: a correct stack copes with them.
 *
 * Invariants (a violation traps, so libFuzzer keeps the input):
 * - no sanitizer error anywhere on the path;
 * - the applications never receive a wrong byte (memhost_app.bad stays 0
 *   under the rule above), nor more bytes than the peer's application
 *   sent;
 * - xmp_pkt_parse() offsets stay inside the frame; with valid XDP metadata
 *   it gives exactly what the header walk gives;
 * - what our stack sends on a subflow: its ACK and its DATA_ACK never go
 *   back;
 * - bounded work: at most FZ_MAX_EVENTS wire events per record, and timers
 *   are never due again right after they ran (an event loop would spin);
 *   run.sh adds -timeout;
 * - memory within the configured cap (xc_stack_mem()).
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

#include <xmptcp/mptcp_wire.h>

#include "common/byteorder.h"
#include "common/log.h"
#include "io/addr.h"
#include "io/csum.h"
#include "io/pkt.h"
#include "lib/memhost.h"
#include "mptcp/options.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

#define FZ_PORT	      5201
#define FZ_LINKS      2
#define FZ_SIZE_UNIT  1024
#define FZ_MAX_FRAME  2048
#define FZ_MAX_EVENTS 50000 /* wire events per record */
#define FZ_HELD	      8	    /* segments the middlebox holds */
#define FZ_SEED	      0x5eedULL

/*
 * Big buffers: larger than any transfer here (15 * FZ_SIZE_UNIT) and than
 * 64 KiB, so windows are scaled (RFC 7323: shift 1) and never fill, and the
 * connection's send buffer is larger than a subflow's ring, as with the
 * defaults. Not the defaults themselves (1-2 MiB): ASan serves a block over
 * 128 KiB with an mmap and its munmap, and the page faults of every
 * connection's four such rings cost as much as the rest of an input.
 */
#define FZ_BIG_SNDBUF (120u << 10)
#define FZ_BIG_BUF    (80u << 10) /* receive buffer, subflow rings */

/* cfg byte */
#define FZ_CFG_SERVER  0x01 /* we are the server: the peer connects */
#define FZ_CFG_CSUM    0x02 /* both ask for DSS checksums */
#define FZ_CFG_V6      0x04
#define FZ_CFG_BIGBUF  0x08 /* FZ_BIG_* buffers (scaled windows), not 16 KiB */
#define FZ_CFG_PM_NONE 0x10 /* no path manager: joins come from injected frames only */
#define FZ_CFG_REPLY   0x20 /* the server sends after the client's data */
#define FZ_CFG_LOSSY   0x40 /* loss, reordering, duplicates on both links */
#define FZ_CFG_SLOW1   0x80 /* link 1: 60 ms one way instead of 5 */

/* record kinds (tag % 8; 5-7 are frames, they matter most) */
enum { FZ_REC_RUN, FZ_REC_MBOX, FZ_REC_APP, FZ_REC_LINK, FZ_REC_RELEASE };

/* frame mode byte: fix-ups before parsing */
#define FZ_F_CSUM    0x01 /* parse with checksum verification */
#define FZ_F_TUPLE   0x02 /* addresses and ports := the link's (a SYN: a new source port) */
#define FZ_F_SEQ     0x04 /* seq := the peer's last seq + (s16)seq */
#define FZ_F_ACK     0x08 /* ack := the peer's last ack + (s16)ack */
#define FZ_F_FIXCSUM 0x10 /* recompute IPv4 and TCP checksums after the fix-ups */
#define FZ_F_TS	     0x20 /* TSval += the peer's last TSval */
#define FZ_F_DACK    0x40 /* DSS DATA_ACK := the peer's last DATA_ACK + (s16)value */
#define FZ_F_TOKEN   0x80 /* MP_JOIN SYN token := our connection's local token */

/* frame tag bits above the kind */
#define FZ_T_LINK     0x08 /* injected on link 1 */
#define FZ_T_META     0x10 /* parse with XDP metadata built from a first parse */
#define FZ_T_META_BAD 0x20 /* ... with its TCP offset disturbed */

/* middlebox actions (arg bits 2-4) */
enum {
	FZ_MB_PASS = 0,
	FZ_MB_DROP,
	FZ_MB_HOLD,  /* drop, keep a copy to release later */
	FZ_MB_COPY,  /* pass, keep a copy: a duplicate later */
	FZ_MB_STRIP, /* remove every MPTCP option */
	FZ_MB_FLIP_OPT,
	FZ_MB_FLIP_DATA,
	FZ_MB_TRUNC, /* payload cut to pos bytes */
};

/* app ops (op % 8); op bit 3: the peer's application, op >> 4: parameter */
enum {
	FZ_APP_PAUSE = 0, /* toggle reading */
	FZ_APP_ROOM,	  /* read (param * 64) bytes per call, 0: all */
	FZ_APP_SHUTDOWN,  /* the app's stream ends after its bytes (param odd: now) */
	FZ_APP_CLOSE,
	FZ_APP_ABORT,
	FZ_APP_FASTCLOSE,
	FZ_APP_SCHED, /* param: which scheduler */
	FZ_APP_PUMP,
};

struct fz_mbox {
	__u8 action, count, pos, val;
};

struct fz_held {
	unsigned int link;
	int from;
	struct xmp_seg seg;
	__u8 data[FZ_MAX_FRAME];
};

/* The last segment a host sent on a link: the peer's are what injected
 * frames imitate, ours what each next one is checked against. */
struct fz_last {
	bool valid;
	struct xmp_seg seg; /* header and options, no payload */
	__u32 tsval;
	bool has_dack;
	bool dack64; /* dack's upper half is known: a 64-bit DATA_ACK was seen */
	__u64 dack;
};

/* What one run reached; the seed generator checks it. */
struct fz_report {
	bool ok;	     /* both ends completed cleanly, every byte exact */
	bool plain;	     /* our connection is plain TCP */
	bool fallback;	     /* ... fell back after the handshake */
	bool tampered;	     /* payload or a mapping was changed */
	int err, peer_err;   /* xc_conn_err() of both ends' first connection */
	__u64 rcvd, peer_rcvd;
	__u32 subflows;	     /* our connection's subflows opened */
	__u64 joins_in;	     /* MP_JOIN SYNs that reached our stack */
	__u64 join_synacks;  /* MP_JOIN SYN-ACKs our stack sent */
	__u64 rsts;	     /* RSTs our stack sent */
	__u64 injected;	     /* frames that reached memhost_input() */
	__u64 mbox_acts;     /* segments the middlebox acted on */
	unsigned int napps;
};

struct fz {
	__u8 cfg;
	struct memwire *w;
	struct memhost us, peer;
	struct xc_cfg xcfg;
	struct fz_mbox mbox[FZ_LINKS][2];
	struct fz_held held[FZ_HELD];
	unsigned int nheld;
	struct fz_last last[2][FZ_LINKS]; /* [side][link] */
	unsigned long events;
	bool tampered;
	__u64 injected, mbox_acts, rsts, join_synacks;
};

static struct fz g_fz;

/* ---- options ---- */

/* The offset of the first option of @kind in @o[0..@len), -1: none. */
static int fz_opt_find(const __u8 *o, unsigned int len, __u8 kind, unsigned int from)
{
	unsigned int off = from;

	while (off + 1 < len && o[off] != TCPOPT_EOL_) {
		if (o[off] == TCPOPT_NOP_) {
			off++;
			continue;
		}
		if (o[off + 1] < 2 || off + o[off + 1] > len)
			return -1;
		if (o[off] == kind)
			return (int)off;
		off += o[off + 1];
	}
	return -1;
}

static __u32 fz_tsval(const struct xmp_seg *s)
{
	int off = fz_opt_find(s->opts, s->optlen, TCPOPT_TS_, 0);

	return off >= 0 && s->opts[off + 1] == 10 ? get_be32(s->opts + off + 2) : 0;
}

/* The mapping-bearing options of @s, as one comparable blob. An MP_FAIL
 * is one too: a stack must act on it (3.7: the data from its DSN goes
 * again under an infinite mapping), so forging one is tampering. */
struct fz_maps {
	struct xmp_dss dss;
	struct xmp_mpc mpc;
	__u64 fail_dsn;
	bool fail;
};

static void fz_maps(const struct xmp_seg *s, struct fz_maps *m)
{
	struct xmp_mp_opt mp;

	xmp_mp_parse(s->opts, s->optlen, &mp, NULL);
	memset(m, 0, sizeof(*m));
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_map)
		m->dss = mp.dss;
	if (mp.suboptions & XMP_MPO_MPC_ACK)
		m->mpc = mp.mpc;
	m->dss.data_ack = 0, m->dss.use_ack = 0, m->dss.ack64 = 0; /* acks are no mapping */
	m->dss.flags = 0;
	m->fail = mp.suboptions & XMP_MPO_FAIL;
	m->fail_dsn = m->fail ? mp.fail.data_seq : 0;
}

/* Every MPTCP option of @s with a mapping turned into NOPs. */
static void fz_nop_maps(struct xmp_seg *s)
{
	struct xmp_mp_opt mp;
	int off = 0;

	while ((off = fz_opt_find(s->opts, s->optlen, TCPOPT_MPTCP, (unsigned int)off)) >= 0) {
		unsigned int olen = s->opts[off + 1];

		memset(&mp, 0, sizeof(mp));
		if (xmp_mp_decode_one(s->opts + off, s->optlen - (unsigned int)off, &mp) < 0 ||
		    ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_map) ||
		    ((mp.suboptions & XMP_MPO_MPC_ACK) && mp.mpc.variant == XMP_MPC_ACK_DATA))
			memset(s->opts + off, TCPOPT_NOP_, olen);
		off += (int)olen;
	}
}

/* @s without its MPTCP options (a middlebox that strips them). */
static void fz_strip_mptcp(struct xmp_seg *s)
{
	int off = 0;

	while ((off = fz_opt_find(s->opts, s->optlen, TCPOPT_MPTCP, (unsigned int)off)) >= 0) {
		unsigned int olen = s->opts[off + 1];

		memset(s->opts + off, TCPOPT_NOP_, olen);
		off += (int)olen;
	}
}

/* ---- what the library says ---- */

static void fz_each_conn(struct memhost *h, void (*fn)(struct xc_conn *c, void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < h->napps; i++)
		fn(h->app[i].c, arg);
}

static void fz_conn_protected(struct xc_conn *c, void *arg)
{
	struct xc_conn_stats s;

	if (!c) { /* a listener's app end whose connection is being made */
		*(bool *)arg = false;
		return;
	}
	xc_conn_stats(c, &s);
	if (!s.mptcp || !s.csum || s.fallback)
		*(bool *)arg = false;
}

/* Every connection has DSS checksums in force: tampering is detectable. */
static bool fz_protected(struct fz *z)
{
	bool ok = (z->cfg & FZ_CFG_CSUM) && z->us.napps && z->peer.napps;

	fz_each_conn(&z->us, fz_conn_protected, &ok);
	fz_each_conn(&z->peer, fz_conn_protected, &ok);
	return ok;
}

/* ---- invariants ---- */

/* What our stack sends: on one subflow, its ACK and DATA_ACK never go back. */
static void fz_check_sent(struct fz *z, unsigned int link, const struct xmp_seg *seg)
{
	struct fz_last *l = &z->last[0][link];
	bool same = l->valid && l->seg.sport == seg->sport && l->seg.dport == seg->dport;
	struct xmp_mp_opt mp;
	__u64 dack;

	xmp_mp_parse(seg->opts, seg->optlen, &mp, NULL);
	if (seg->flags & (XMP_TH_SYN | XMP_TH_RST))
		same = false; /* a new subflow, or the end of one */
	if (same && (seg->flags & XMP_TH_ACK) && (l->seg.flags & XMP_TH_ACK) &&
	    !(l->seg.flags & (XMP_TH_SYN | XMP_TH_RST)))
		REQUIRE(!xmp_seq_before(seg->ack, l->seg.ack));
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_ack) {
		dack = mp.dss.ack64 || !l->has_dack ? mp.dss.data_ack
						    : xmp_expand_seq(l->dack, (__u32)mp.dss.data_ack);
		/* Upper halves compare only when both are known: one made of
		 * 32-bit DATA_ACKs alone is zero, not the real one. */
		if (same && l->has_dack)
			REQUIRE(mp.dss.ack64 && l->dack64
					? !before64(dack, l->dack)
					: !xmp_seq_before((__u32)dack, (__u32)l->dack));
		l->dack64 = mp.dss.ack64 || (l->has_dack && l->dack64);
		l->has_dack = true;
		l->dack = dack;
	} else if (!same) {
		l->has_dack = false;
	}
}

static void fz_note(struct fz *z, int side, unsigned int link, const struct xmp_seg *seg)
{
	struct fz_last *l = &z->last[side][link];
	struct xmp_mp_opt mp;

	if (side == 0) {
		fz_check_sent(z, link, seg);
	} else {
		xmp_mp_parse(seg->opts, seg->optlen, &mp, NULL);
		if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_ack) {
			l->dack = mp.dss.ack64 || !l->has_dack
					  ? mp.dss.data_ack
					  : xmp_expand_seq(l->dack, (__u32)mp.dss.data_ack);
			l->has_dack = true;
		}
	}
	if (seg->flags & XMP_TH_RST)
		return; /* a RST is no reference to imitate or check against */
	l->seg = *seg;
	l->seg.payload = NULL;
	l->seg.seq += seg->len + !!(seg->flags & XMP_TH_SYN);
	l->tsval = fz_tsval(seg);
	l->valid = true;
}

static void fz_tap_us(void *arg, unsigned int link, const struct xmp_seg *seg)
{
	struct fz *z = arg;
	struct xmp_mp_opt mp;

	xmp_mp_parse(seg->opts, seg->optlen, &mp, NULL);
	z->rsts += !!(seg->flags & XMP_TH_RST);
	z->join_synacks += !!(mp.suboptions & XMP_MPO_MPJ_SYNACK);
	fz_note(z, 0, link, seg);
}

static void fz_tap_peer(void *arg, unsigned int link, const struct xmp_seg *seg)
{
	fz_note(arg, 1, link, seg);
}

static bool fz_excused(const struct fz *z, const struct memhost_app *a)
{
	struct xc_conn_stats s;

	xc_conn_stats(a->c, &s);
	return z->tampered && (s.fallback || xc_conn_plain(a->c));
}

/* The most bytes an end in @o of @a's connection sent: keyed by the
 * client's port, which a server's failed first handshake or an injected
 * SYN may share. */
static __u64 fz_peer_sent(const struct memhost *o, const struct memhost_app *a)
{
	__u64 sent = 0;
	unsigned int i;

	for (i = 0; i < o->napps; i++)
		if (o->app[i].cport == a->cport && o->app[i].sent > sent)
			sent = o->app[i].sent;
	return sent;
}

static void fz_check_apps(const struct fz *z, const struct memhost *h, const struct memhost *o)
{
	const struct memhost_app *a;
	unsigned int i;

	for (i = 0; i < h->napps; i++) {
		a = &h->app[i];
		if (fz_excused(z, a))
			continue;
		REQUIRE(a->bad == 0);
		REQUIRE(a->rcvd <= fz_peer_sent(o, a));
	}
}

static void fz_check(struct fz *z)
{
	struct xc_mem_stats m;

	REQUIRE(z->us.stats.timer_again == 0);
	REQUIRE(z->peer.stats.timer_again == 0);
	fz_check_apps(z, &z->us, &z->peer);
	fz_check_apps(z, &z->peer, &z->us);
	xc_stack_mem(z->us.st, &m);
	REQUIRE(!z->xcfg.max_mem || m.peak <= z->xcfg.max_mem);
}

/* ---- the wire ---- */

/* Bounded work: the wire's loop calls this before every event. */
static bool fz_count_event(void *arg)
{
	struct fz *z = arg;

	REQUIRE(++z->events <= FZ_MAX_EVENTS);
	return false;
}

static void fz_run(struct fz *z, __u8 d)
{
	__u64 dt;

	if (d < 0x80)
		dt = (d + 1) * T_MS;
	else if (d < 0xf0)
		dt = (d - 0x7fu) * 100 * T_MS;
	else
		dt = (d - 0xefu) * 10 * T_SEC;
	memwire_run_until(z->w, fz_count_event, z, memwire_now(z->w) + dt);
}

static void fz_hold(struct fz *z, unsigned int link, int from, const struct xmp_seg *seg,
		    const __u8 *data)
{
	struct fz_held *hd;

	if (z->nheld == FZ_HELD || seg->len > FZ_MAX_FRAME)
		return;
	hd = &z->held[z->nheld++];
	hd->link = link;
	hd->from = from;
	hd->seg = *seg;
	if (seg->len)
		memcpy(hd->data, data, seg->len);
	hd->seg.payload = hd->data;
}

static void fz_flip_opt(struct fz *z, struct xmp_seg *seg, const struct fz_mbox *mb)
{
	struct fz_maps m0, m1;
	unsigned int at;
	__u8 v = mb->val ? mb->val : 0x80;

	if (!seg->optlen)
		return;
	at = mb->pos % seg->optlen;
	fz_maps(seg, &m0);
	seg->opts[at] ^= v;
	fz_maps(seg, &m1);
	if (!memcmp(&m0, &m1, sizeof(m0)))
		return;
	if (fz_protected(z))
		z->tampered = true;
	else
		seg->opts[at] ^= v; /* a mapping changed undetectably: not allowed */
}

static int fz_mbox_hook(void *arg, int from, struct xmp_seg *seg, __u8 *data)
{
	struct fz_mbox *mb = (struct fz_mbox *)arg + from; /* the link's, per direction */
	struct fz *z = &g_fz;
	unsigned int link = (unsigned int)(mb - &z->mbox[0][0]) / 2;

	if (mb->action == FZ_MB_PASS || !mb->count)
		return MEMWIRE_PASS;
	mb->count--;
	z->mbox_acts++;
	switch (mb->action) {
	case FZ_MB_DROP:
		return MEMWIRE_DROP;
	case FZ_MB_HOLD:
		fz_hold(z, link, from, seg, data);
		return MEMWIRE_DROP;
	case FZ_MB_COPY:
		fz_hold(z, link, from, seg, data);
		break;
	case FZ_MB_STRIP:
		fz_strip_mptcp(seg);
		break;
	case FZ_MB_FLIP_OPT:
		fz_flip_opt(z, seg, mb);
		break;
	case FZ_MB_FLIP_DATA:
		if (seg->len && fz_protected(z)) {
			data[mb->pos * 7u % seg->len] ^= mb->val ? mb->val : 0x80;
			z->tampered = true;
		}
		break;
	case FZ_MB_TRUNC:
		if (seg->len > mb->pos)
			seg->len = mb->pos;
		break;
	}
	return MEMWIRE_PASS;
}

static void fz_mbox(struct fz *z, __u8 arg, __u8 pos, __u8 val)
{
	struct fz_mbox *mb = &z->mbox[arg & 1][(arg >> 1) & 1];

	mb->action = (arg >> 2) & 7;
	mb->count = (__u8)((arg >> 5) + 1);
	mb->pos = pos;
	mb->val = val;
}

static void fz_release(struct fz *z, __u8 i)
{
	struct fz_held *hd;

	if (!z->nheld)
		return;
	hd = &z->held[i % z->nheld];
	/* a segment from us reaches the peer and the other way round */
	memhost_rx(hd->from ? &z->us : &z->peer, hd->link, &hd->seg);
	if (!(i & 0x80)) {
		*hd = z->held[--z->nheld];
		hd->seg.payload = hd->data;
	}
}

static void fz_link(struct fz *z, __u8 op)
{
	unsigned int link = op & 1;
	bool up = op & 2;

	if (op & 4) {
		memhost_link_event(&z->us, link, up);
		memhost_link_event(&z->peer, link, up);
	} else {
		memwire_link_set_up(z->w, link, up);
	}
}

/* ---- applications ---- */

static void fz_app(struct fz *z, __u8 op)
{
	static const char *const scheds[] = { "minrtt", "rr", "redundant", "blest" };
	struct memhost *h = (op & 8) ? &z->peer : &z->us;
	unsigned int param = op >> 4, i;
	struct memhost_app *a;
	struct xc_conn *c;

	if (!h->napps)
		return;
	a = &h->app[0];
	c = a->c;
	if ((op & 7) == FZ_APP_PUMP) {
		for (i = 0; i < h->napps; i++)
			if (!xc_conn_done(h->app[i].c))
				xc_conn_pump(h->app[i].c);
		return;
	}
	if (xc_conn_done(c))
		return;
	switch (op & 7) {
	case FZ_APP_PAUSE:
		a->paused = !a->paused;
		break;
	case FZ_APP_ROOM:
		a->room = param * 64u;
		break;
	case FZ_APP_SHUTDOWN:
		if (param & 1)
			xc_conn_shutdown(c); /* now, whatever the app had still to send */
		else
			a->hold_eof = false; /* after its bytes */
		break;
	case FZ_APP_CLOSE:
		xc_conn_close(c);
		break;
	case FZ_APP_ABORT:
		xc_conn_abort(c, -ECONNABORTED);
		return;
	case FZ_APP_FASTCLOSE:
		xc_conn_fastclose(c, -ECONNABORTED);
		return;
	case FZ_APP_SCHED:
		xc_conn_set_sched(c, xmp_sched_find(scheds[param & 3]));
		break;
	}
	if (!xc_conn_done(c))
		xc_conn_pump(c);
}

/* ---- injected frames ---- */

static void fz_fix_opts(struct fz *z, const struct fz_last *l, __u8 *o, __u32 len, __u8 mode)
{
	int off;
	__u32 v;

	if ((mode & FZ_F_TS) && (off = fz_opt_find(o, len, TCPOPT_TS_, 0)) >= 0 && o[off + 1] == 10)
		put_be32(o + off + 2, get_be32(o + off + 2) + l->tsval);
	off = fz_opt_find(o, len, TCPOPT_MPTCP, 0);
	if (off < 0 || o[off + 1] < 8)
		return;
	/* DSS (subtype 2) with a DATA_ACK (flag A = 0x01; a = 0x02: 8 bytes) */
	if ((mode & FZ_F_DACK) && l->has_dack && o[off + 2] >> 4 == 2 && (o[off + 3] & 0x01)) {
		bool a64 = o[off + 3] & 0x02;
		__u64 dack;

		if (a64 && o[off + 1] < 12)
			return;
		v = get_be32(o + off + (a64 ? 8 : 4));
		dack = l->dack + (__u64)(__s64)(__s16)v;
		if (a64)
			put_be32(o + off + 4, (__u32)(dack >> 32));
		put_be32(o + off + (a64 ? 8 : 4), (__u32)dack);
	}
	/* MP_JOIN SYN (subtype 1, 12 bytes): token at 4 */
	if ((mode & FZ_F_TOKEN) && o[off + 2] >> 4 == 1 && o[off + 1] == 12 && z->us.napps &&
	    xc_conn_local_token(z->us.app[0].c, &v))
		put_be32(o + off + 4, v);
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

/* Rewrites the frame in place per @mode (it parsed as @f, no checksums),
 * relative to the peer's last segment on @link (the other link's before
 * the first there). */
static void fz_fixup(struct fz *z, unsigned int link, __u8 *buf, const struct xmp_frame *f,
		     __u8 mode)
{
	const struct fz_last *l = &z->last[1][link];
	__u8 *ip = buf + f->l3_off, *t = buf + f->l4_off;
	const struct xmp_addr *src = &z->us.port[link].peer, *dst = &z->us.port[link].addr;
	bool v6 = z->cfg & FZ_CFG_V6;

	if (!l->valid)
		l = &z->last[1][!link];
	if (!l->valid)
		return;
	if (mode & FZ_F_TUPLE) {
		if (f->ip_version == 4 && !v6) {
			memcpy(ip + 12, &src->a[12], 4);
			memcpy(ip + 16, &dst->a[12], 4);
		} else if (f->ip_version == 6 && v6) {
			memcpy(ip + 8, src->a, 16);
			memcpy(ip + 24, dst->a, 16);
		}
		/* a SYN opens a new subflow: a port of its own */
		put_be16(t, (t[13] & XMP_TH_SYN) && !(t[13] & XMP_TH_ACK)
				    ? (__u16)(50000 + (get_be16(t) & 0xff))
				    : l->seg.sport);
		put_be16(t + 2, l->seg.dport);
	}
	if (mode & FZ_F_SEQ)
		put_be32(t + 4, l->seg.seq + (__u32)(__s32)(__s16)get_be16(t + 6));
	if (mode & FZ_F_ACK)
		put_be32(t + 8, l->seg.ack + (__u32)(__s32)(__s16)get_be16(t + 10));
	if (mode & (FZ_F_TS | FZ_F_DACK | FZ_F_TOKEN))
		fz_fix_opts(z, l, t + XMP_TCP_HLEN, f->payload_off - f->l4_off - XMP_TCP_HLEN, mode);
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
	if (tag & FZ_T_META_BAD)
		meta.l4_off ^= buf[0] & 0x3f; /* the MAC's first byte picks the damage */
	rc = xmp_pkt_parse(buf, len, &meta, flags, f);
	/* Metadata is a shortcut: never worse than the walk, and when it is
	 * right the result is the same. */
	if (!walk_rc)
		REQUIRE(!rc);
	if (!rc && !walk_rc && !(tag & FZ_T_META_BAD))
		REQUIRE(f->meta && fz_same_frame(f, walk));
	return rc;
}

static void fz_frame(struct fz *z, __u8 tag, __u8 mode, const __u8 *data, __u32 len)
{
	unsigned int flags = (mode & FZ_F_CSUM) ? XMP_PKT_F_CSUM : 0, link = !!(tag & FZ_T_LINK);
	struct xmp_frame f, walk;
	__u8 *buf = malloc(len ? len : 1); /* exact size: ASan sees every overread */
	int rc;

	if (!buf)
		abort();
	memcpy(buf, data, len);
	if (!xmp_pkt_parse(buf, len, NULL, 0, &f))
		fz_fixup(z, link, buf, &f, mode);
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
	if (!rc) {
		/* the tampering rule: no mapping ever, payload only when checked */
		fz_nop_maps(&f.seg);
		if (f.seg.len && !fz_protected(z))
			f.seg.len = 0;
		z->tampered |= f.seg.len > 0;
		z->injected++;
		memhost_input(&z->us, link, &f);
	}
	free(buf);
}

/* ---- one input ---- */

static void fz_setup(struct fz *z, __u8 cfg, __u8 size)
{
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS, .rate_bps = 1000000,
				     .queue_bytes = 64 << 10 };
	struct xc_cfg pcfg;
	unsigned int l;
	int side;
	struct memhost_app *a;
	bool v6 = cfg & FZ_CFG_V6;

	memset(z, 0, sizeof(*z));
	z->cfg = cfg;
	REQUIRE(!memwire_new_links(&z->w, FZ_SEED ^ cfg, 4096, FZ_LINKS));
	if (cfg & FZ_CFG_LOSSY) {
		d.loss_ppm = 20000;
		d.reorder_ppm = 20000;
		d.dup_ppm = 10000;
	}
	for (l = 0; l < FZ_LINKS; l++) {
		d.delay_us = (l && (cfg & FZ_CFG_SLOW1)) ? 60 * T_MS : 5 * T_MS;
		for (side = 0; side < 2; side++)
			memwire_link_set_dir(z->w, l, side, &d);
		memwire_link_set_mbox(z->w, l, fz_mbox_hook, z->mbox[l]);
	}
	xc_cfg_default(&z->xcfg);
	z->xcfg.csum = cfg & FZ_CFG_CSUM;
	z->xcfg.max_halfopen = 4;
	/* buffers smaller than a transfer: a client still sending is open
	 * for joins (none after its DATA_FIN), windows fill */
	if (cfg & FZ_CFG_BIGBUF) {
		z->xcfg.msk_sndbuf = FZ_BIG_SNDBUF;
		z->xcfg.msk_rcvbuf = z->xcfg.sf_buf = FZ_BIG_BUF;
	} else {
		z->xcfg.msk_sndbuf = z->xcfg.msk_rcvbuf = XC_MSK_BUF_MIN;
		z->xcfg.sf_buf = XC_SF_BUF_MIN;
	}
	if (cfg & FZ_CFG_PM_NONE)
		z->xcfg.pm = XC_PM_NONE;
	pcfg = z->xcfg;
	z->xcfg.max_mem = 8 * xc_mem_conn_max(&z->xcfg, 0);
	REQUIRE(!memhost_init(&z->us, z->w, 0, v6, &z->xcfg, FZ_SEED));
	REQUIRE(!memhost_init(&z->peer, z->w, 1, v6, &pcfg, FZ_SEED));
	z->us.tap = fz_tap_us;
	z->us.tap_arg = z;
	z->peer.tap = fz_tap_peer;
	z->peer.tap_arg = z;
	/* the streams end on an app record: until then joins may come */
	z->us.hold_eof = z->peer.hold_eof = true;
	if (cfg & FZ_CFG_SERVER) {
		memhost_listen(&z->us, FZ_PORT, (size & 15) * FZ_SIZE_UNIT, cfg & FZ_CFG_REPLY);
		REQUIRE(!memhost_connect(&z->peer, FZ_PORT, (size >> 4) * FZ_SIZE_UNIT, &a));
	} else {
		memhost_listen(&z->peer, FZ_PORT, (size >> 4) * FZ_SIZE_UNIT, cfg & FZ_CFG_REPLY);
		REQUIRE(!memhost_connect(&z->us, FZ_PORT, (size & 15) * FZ_SIZE_UNIT, &a));
	}
}

static void fz_teardown(struct fz *z)
{
	memhost_fini(&z->us);
	memhost_fini(&z->peer);
	memwire_free(z->w);
	z->w = NULL;
}

static void fz_report(const struct fz *z, struct fz_report *rep)
{
	const struct memhost_app *a = z->us.napps ? &z->us.app[0] : NULL;
	const struct memhost_app *p = z->peer.napps ? &z->peer.app[0] : NULL;
	struct xc_conn_stats s;

	memset(rep, 0, sizeof(*rep));
	rep->tampered = z->tampered;
	rep->joins_in = z->us.stats.joins_in;
	rep->join_synacks = z->join_synacks;
	rep->rsts = z->rsts;
	rep->injected = z->injected;
	rep->mbox_acts = z->mbox_acts;
	rep->napps = z->us.napps;
	if (!a || !p)
		return;
	xc_conn_stats(a->c, &s);
	rep->plain = xc_conn_plain(a->c);
	rep->fallback = s.fallback;
	rep->subflows = s.subflows_opened;
	rep->err = xc_conn_err(a->c);
	rep->peer_err = xc_conn_err(p->c);
	rep->rcvd = a->rcvd;
	rep->peer_rcvd = p->rcvd;
	rep->ok = xc_conn_ok(a->c) && xc_conn_ok(p->c) && a->eof_in && p->eof_in &&
		  a->rcvd == p->send_total && p->rcvd == a->send_total && !a->bad && !p->bad;
}

/* One input: set up, then every record, checking after each. */
static void fz_input(const uint8_t *data, size_t size, struct fz_report *rep)
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
		z->events = 0;
		switch (tag % 8) {
		case FZ_REC_RUN:
			fz_run(z, pos < size ? data[pos++] : 0);
			break;
		case FZ_REC_MBOX:
			if (pos + 3 > size) {
				pos = size;
				break;
			}
			fz_mbox(z, data[pos], data[pos + 1], data[pos + 2]);
			pos += 3;
			break;
		case FZ_REC_APP:
			fz_app(z, pos < size ? data[pos++] : 0);
			break;
		case FZ_REC_LINK:
			fz_link(z, pos < size ? data[pos++] : 0);
			break;
		case FZ_REC_RELEASE:
			fz_release(z, pos < size ? data[pos++] : 0);
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
	fz_teardown(z);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The stacks' info lines (a subflow ended, a fallback) come by the
	 * thousand a second and bury what matters in the log: a sanitizer's
	 * report. XMPTCP_FUZZ_LOG=1 shows them when replaying an input. */
	if (!getenv("XMPTCP_FUZZ_LOG"))
		xmp_log_level = XMP_LOG_WARN;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_input(data, size, NULL);
	return 0;
}

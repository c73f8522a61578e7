// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpus for tests/fuzz/fuzz_pkt_input.c: valid packet streams from
 * the scripted peer into the established connection, every frame built with
 * our own encoders (xmp_pkt_build() for Ethernet/IP/TCP, xmp_tcp_write_ts /
 * write_sack for TCP options, xmp_mp_write() for MPTCP options with DSS
 * checksums from xmp_dss_csum_buf()). Scenarios: in-order data with DSS,
 * out of order, SACKs and fast retransmit, DATA_FIN, FIN, RST, MP_FAIL,
 * MP_FASTCLOSE, the peer's infinite mapping, options vanishing, window
 * probes (sent and received), RTO, a paused reader, our own DATA_FIN acked,
 * the handshake completed by the input (data in the MP_CAPABLE, plain TCP);
 * each in several configurations (role, checksums, timestamps/SACK, IPv6,
 * payload pattern).
 *
 * The harness file is included so the seeds use the same world (keys,
 * ISNs, addresses, record format) and so every seed is run here and must
 * reach what it was written for (bytes delivered, EOF, fallback, ...): a
 * seed that silently stops at the handshake would seed nothing.
 *
 * Built by `make` (note: the Makefile rebuilds this when this file changes,
 * not when fuzz_pkt_input.c does); tests/fuzz/run.sh calls it with the
 * corpus directory.
 */
#include <stdio.h>

#include "fuzz/corpus.h"
#include "fuzz_pkt_input.c"

#define SEED_MAX 12288 /* run.sh's -max_len for this target */
#define SEG_DATA 400   /* peer payload per segment */

struct seed {
	__u8 b[SEED_MAX];
	size_t len;
	__u8 cfg;
	__u32 tsval;
	const char *name;
};

/* One segment of the peer; offsets relative to its first data byte. */
struct pseg {
	__u8 flags;
	__u32 off;    /* payload offset (subflow sequence - 1) */
	__u32 len;    /* payload bytes (the pattern of their sequence) */
	bool seq_rel; /* seq := RCV.NXT + seq_delta instead */
	__s16 seq_delta;
	__s16 ack_delta; /* ack := SND.UNA (SND.MAX with ack_max) + delta */
	bool ack_max;
	__u16 wnd;
	__u32 sack[4][2]; /* relative to SND.UNA */
	unsigned int nsack;
	struct xmp_mp_opt mp; /* DSS DATA_ACK is relative to the data-level SND.NXT */
	bool dack_una;	      /* ... or SND.UNA (a duplicate at the data level too) */
	bool no_ts;
	bool syn; /* a SYN-ACK: seq = ISN, SYN options */
};

static bool verbose;
static __u64 peer_idsn, local_idsn;

static void s_put(struct seed *s, const void *p, size_t n)
{
	if (s->len + n > SEED_MAX) {
		fprintf(stderr, "seed %s too long\n", s->name);
		exit(1);
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void s_start(struct seed *s, const char *name, __u8 cfg, __u8 app_units)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->cfg = cfg;
	s->tsval = FZ_PEER_TS0 + 10;
	s_put(s, &cfg, 1);
	s_put(s, &app_units, 1);
}

static void s_clock(struct seed *s, __u8 d)
{
	__u8 r[2] = {FZ_REC_CLOCK, d};

	s_put(s, r, 2);
}

static void s_app(struct seed *s, __u8 op)
{
	__u8 r[2] = {FZ_REC_APP, op};

	s_put(s, r, 2);
}

/* A DSS with DATA_ACK (relative) and the mapping of [off, off + len). */
static void dss_map(struct pseg *p, __u32 off, __u32 len, bool fin)
{
	struct xmp_dss *d = &p->mp.dss;

	p->mp.suboptions |= XMP_MPO_DSS;
	d->use_ack = d->ack64 = 1;
	d->data_ack = 0;
	d->use_map = d->dsn64 = 1;
	d->data_seq = peer_idsn + 1 + off;
	d->subflow_seq = 1 + off;
	d->data_len = (__u16)(len + fin);
	d->data_fin = fin;
}

static void dss_ack(struct pseg *p)
{
	p->mp.suboptions |= XMP_MPO_DSS;
	p->mp.dss.use_ack = p->mp.dss.ack64 = 1;
	p->mp.dss.data_ack = 0;
}

static void s_seg(struct seed *s, const struct pseg *p)
{
	__u8 mode = FZ_F_CSUM | FZ_F_FIXCSUM | FZ_F_ACK, tag = FZ_REC_FRAME, rec[4];
	__u8 payload[FZ_MAX_FRAME], frame[FZ_MAX_FRAME];
	struct xmp_pkt_hdrs h;
	struct xmp_mp_opt mp = p->mp;
	struct xmp_seg seg;
	__u32 i;
	int n;

	memset(&seg, 0, sizeof(seg));
	seg.sport = FZ_RPORT;
	seg.dport = FZ_LPORT;
	seg.flags = p->flags | XMP_TH_ACK;
	seg.seq = p->seq_rel ? (__u32)(__u16)p->seq_delta : FZ_PEER_ISN + 1 + p->off;
	if (p->syn) {
		seg.flags |= XMP_TH_SYN;
		seg.seq = FZ_PEER_ISN;
	}
	if (p->seq_rel)
		mode |= FZ_F_SEQ;
	seg.ack = (__u16)p->ack_delta;
	if (p->ack_max)
		tag |= FZ_T_ACK_MAX;
	seg.wnd = p->wnd;
	if (p->syn) {
		n = xmp_tcp_write_syn_options(seg.opts, XMP_TCP_MAX_OPTLEN, FZ_MSS, FZ_PEER_WS,
					      !(s->cfg & FZ_CFG_NO_SACK), !(s->cfg & FZ_CFG_NO_TS),
					      s->tsval++, 0);
		seg.optlen = (__u8)n;
	} else if (!(s->cfg & FZ_CFG_NO_TS) && !p->no_ts) {
		n = xmp_tcp_write_ts(seg.opts, XMP_TCP_MAX_OPTLEN, s->tsval++, 0);
		seg.optlen = (__u8)n;
	}
	if (p->nsack) {
		n = xmp_tcp_write_sack(seg.opts + seg.optlen, XMP_TCP_MAX_OPTLEN - seg.optlen,
				       (const __u32(*)[2])p->sack, p->nsack);
		seg.optlen += n;
		mode |= FZ_F_SACK;
	}
	for (i = 0; i < p->len; i++)
		payload[i] = fz_pat(FZ_PEER_ISN + 1 + p->off + i);
	seg.payload = payload;
	seg.len = p->len;
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_map && (s->cfg & FZ_CFG_CSUM)) {
		mp.dss.csum_present = 1;
		mp.dss.csum = xmp_dss_csum_buf(mp.dss.data_seq, mp.dss.subflow_seq, mp.dss.data_len,
					       payload, p->len);
	}
	if (mp.suboptions) {
		n = xmp_mp_write(seg.opts + seg.optlen, XMP_TCP_MAX_OPTLEN - seg.optlen, &mp);
		if (n < 0) {
			fprintf(stderr, "%s: options do not fit: %d\n", s->name, n);
			exit(1);
		}
		seg.optlen += n;
	}
	if ((mp.suboptions & XMP_MPO_DSS) && mp.dss.use_ack) {
		mode |= FZ_F_DACK;
		if (!p->dack_una)
			tag |= FZ_T_DACK_NXT;
	}
	fz_peer_hdrs(s->cfg & FZ_CFG_V6, &h);
	n = xmp_pkt_build(frame, sizeof(frame), &h, &seg);
	if (n < 0) {
		fprintf(stderr, "%s: xmp_pkt_build: %d\n", s->name, n);
		exit(1);
	}
	rec[0] = tag;
	rec[1] = mode;
	rec[2] = (__u8)n;
	rec[3] = (__u8)(n >> 8);
	s_put(s, rec, 4);
	s_put(s, frame, n);
}

/* Peer data [off, off + len) with its mapping, acking all of ours. */
static void s_data(struct seed *s, __u32 off, __u32 len, __u8 flags, bool dfin)
{
	struct pseg p = {.flags = flags,
			 .off = off,
			 .len = len,
			 .ack_max = true,
			 .wnd = FZ_PEER_WND >> FZ_PEER_WS};

	dss_map(&p, off, len, dfin);
	s_seg(s, &p);
}

/* A pure ACK of everything with a DATA_ACK, window @wnd. */
static void s_ack(struct seed *s, __u32 off, __u16 wnd)
{
	struct pseg p = {.off = off, .ack_max = true, .wnd = wnd};

	dss_ack(&p);
	s_seg(s, &p);
}

static int s_save(const struct seed *s)
{
	char tag[256];

	snprintf(tag, sizeof(tag), "%s-%02x", s->name, s->cfg);
	return corpus_save(tag, s->b, s->len);
}

/* -v: what the last run of each seed reached. */
static void s_print(const struct seed *s)
{
	struct fz_report r;

	if (!verbose)
		return;
	fz_run(s->b, s->len, &r);
	printf("%-10s cfg %02x len %5zu: frames %u delivered %llu eof %d fallback %d aborted %d "
	       "tcp %s sf %s msk %s acked %llu out %llu rtx %llu\n",
	       s->name, s->cfg, s->len, r.frames_in, (unsigned long long)r.delivered, r.eof,
	       r.fallback, r.aborted, xmp_tcp_state_name(r.tcp_state),
	       xmp_sf_state_name(r.sf_state), xmp_msk_state_name(r.msk_state),
	       (unsigned long long)r.msk_snd_una_off,
	       (unsigned long long)r.tcp_mib[XMP_TCP_MIB_OUT_SEGS],
	       (unsigned long long)r.tcp_mib[XMP_TCP_MIB_RETRANS_SEGS]);
}

/* ---- scenarios: each returns whether the run reached its point ---- */

static bool sc_inorder(struct seed *s, __u8 cfg)
{
	struct fz_report r;

	s_start(s, "inorder", cfg, 32);
	for (int i = 0; i < 3; i++)
		s_data(s, i * SEG_DATA, SEG_DATA, 0, false);
	s_clock(s, 10);
	s_ack(s, 3 * SEG_DATA, FZ_PEER_WND >> FZ_PEER_WS);
	fz_run(s->b, s->len, &r);
	return r.delivered == 3 * SEG_DATA && r.msk_snd_una_off == 32 * 64 && !r.aborted;
}

static bool sc_ofo(struct seed *s, __u8 cfg)
{
	struct fz_report r;

	s_start(s, "ofo", cfg, 0);
	s_data(s, 2 * SEG_DATA, SEG_DATA, 0, false);
	s_data(s, 1 * SEG_DATA, SEG_DATA, 0, false);
	s_data(s, 3 * SEG_DATA, SEG_DATA, 0, false);
	s_data(s, 0, SEG_DATA, 0, false);
	s_data(s, 1 * SEG_DATA, SEG_DATA, 0, false); /* duplicate */
	fz_run(s->b, s->len, &r);
	return r.delivered == 4 * SEG_DATA && r.tcp_mib[XMP_TCP_MIB_OFO_QUEUED] >= 3;
}

/* Our data: SACKs over a hole, three duplicate ACKs, recovery, full ACK. */
static bool sc_sack(struct seed *s, __u8 cfg)
{
	struct fz_report r;
	struct pseg p = {.wnd = FZ_PEER_WND >> FZ_PEER_WS};

	s_start(s, "sack", cfg, 127);
	dss_ack(&p); /* every segment carries a DSS, or the subflow falls back */
	p.dack_una = true;
	for (int i = 1; i <= 3; i++) {
		p.nsack = 1;
		p.sack[0][0] = 1300;
		p.sack[0][1] = 1300 + 1300 * i;
		s_seg(s, &p);
	}
	s_clock(s, 2);
	s_ack(s, 0, FZ_PEER_WND >> FZ_PEER_WS);
	fz_run(s->b, s->len, &r);
	if (r.fallback || r.msk_snd_una_off != 127 * 64)
		return false;
	if (cfg & FZ_CFG_NO_SACK)
		return r.tcp_mib[XMP_TCP_MIB_DUPACKS] >= 3 && r.tcp_mib[XMP_TCP_MIB_FAST_RETRANS];
	return r.tcp_mib[XMP_TCP_MIB_SACKS_RCVD] >= 3 && r.tcp_mib[XMP_TCP_MIB_FAST_RETRANS];
}

static bool sc_datafin(struct seed *s, __u8 cfg)
{
	struct fz_report r;

	s_start(s, "datafin", cfg, 8);
	s_data(s, 0, SEG_DATA, 0, false);
	s_data(s, SEG_DATA, SEG_DATA, XMP_TH_FIN, true);
	s_app(s, FZ_APP_SHUTDOWN);
	s_clock(s, 20);
	s_ack(s, 2 * SEG_DATA + 1, FZ_PEER_WND >> FZ_PEER_WS);
	s_clock(s, 0xf2);
	fz_run(s->b, s->len, &r);
	return r.eof && r.delivered == 2 * SEG_DATA && r.tcp_state != XMP_TCP_ESTABLISHED;
}

static bool sc_fin(struct seed *s, __u8 cfg)
{
	struct fz_report r;

	s_start(s, "fin", cfg, 0);
	s_data(s, 0, SEG_DATA, XMP_TH_FIN, false);
	fz_run(s->b, s->len, &r);
	return r.delivered == SEG_DATA && r.tcp_state == XMP_TCP_CLOSE_WAIT;
}

static bool sc_rst(struct seed *s, __u8 cfg)
{
	struct pseg p = {.flags = XMP_TH_RST, .seq_rel = true};
	struct fz_report r;

	s_start(s, "rst", cfg, 16);
	s_data(s, 0, SEG_DATA, 0, false);
	p.mp.suboptions = XMP_MPO_TCPRST;
	p.mp.rst.reason = MPTCP_RST_EMIDDLEBOX;
	p.ack_max = true;
	s_seg(s, &p);
	fz_run(s->b, s->len, &r);
	return r.tcp_state == XMP_TCP_CLOSED && r.tcp_mib[XMP_TCP_MIB_RST_RCVD] == 1;
}

/* 3.7: the peer's checksum failed on our first mapping: infinite mapping. */
static bool sc_mp_fail(struct seed *s, __u8 cfg)
{
	struct pseg p = {.ack_delta = 0, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	struct fz_report r;

	s_start(s, "mpfail", cfg | FZ_CFG_CSUM, 16);
	p.mp.suboptions = XMP_MPO_FAIL;
	p.mp.fail.data_seq = local_idsn + 1;
	s_seg(s, &p);
	s_clock(s, 0xf1);
	s_ack(s, 0, FZ_PEER_WND >> FZ_PEER_WS);
	fz_run(s->b, s->len, &r);
	return r.sf_mib[XMP_SF_MIB_MP_FAIL_RX] && r.sf_mib[XMP_SF_MIB_INFINITE_TX] && r.fallback;
}

static bool sc_fastclose(struct seed *s, __u8 cfg)
{
	struct pseg p = {.seq_rel = true, .wnd = 100};
	struct fz_report r;

	s_start(s, "fastclose", cfg, 4);
	p.mp.suboptions = XMP_MPO_FASTCLOSE;
	p.mp.fastclose.rcvr_key = FZ_KEY_LOCAL + 1; /* wrong key: ignored */
	s_seg(s, &p);
	p.mp.fastclose.rcvr_key = FZ_KEY_LOCAL;
	s_seg(s, &p);
	fz_run(s->b, s->len, &r);
	return r.sf_mib[XMP_SF_MIB_FASTCLOSE_RX] == 1 && r.tcp_state == XMP_TCP_CLOSED &&
	       r.msk_mib[XMP_MSK_MIB_FASTCLOSE_BADKEY] == 1;
}

/* 3.7: the peer falls back with an infinite mapping, then plain data. */
static bool sc_infinite(struct seed *s, __u8 cfg)
{
	struct pseg p = {.len = SEG_DATA, .ack_max = true, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	struct fz_report r;

	s_start(s, "infinite", cfg, 8);
	dss_map(&p, 0, 0, false);
	p.mp.dss.data_len = 0; /* infinite */
	/* Its DATA_ACK must not ack our data: once a DATA_ACK proved the
	 * options get through, an unsolicited infinite mapping is a reset. */
	p.dack_una = true;
	s_seg(s, &p);
	memset(&p.mp, 0, sizeof(p.mp));
	for (int i = 1; i < 3; i++) {
		p.off = i * SEG_DATA;
		s_seg(s, &p);
	}
	fz_run(s->b, s->len, &r);
	return r.fallback && r.delivered == 3 * SEG_DATA && r.sf_mib[XMP_SF_MIB_INFINITE_RX];
}

/* 3.7: options stripped from the start (client, before any DATA_ACK). */
static bool sc_vanish(struct seed *s, __u8 cfg)
{
	struct pseg p = {.len = SEG_DATA, .ack_max = true, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	struct fz_report r;

	s_start(s, "vanish", cfg & ~FZ_CFG_SERVER, 8);
	for (int i = 0; i < 3; i++) {
		p.off = i * SEG_DATA;
		s_seg(s, &p);
	}
	fz_run(s->b, s->len, &r);
	return r.fallback && r.delivered == 3 * SEG_DATA && r.sf_mib[XMP_SF_MIB_FB_NO_DSS];
}

/* Zero window from the peer: persist timer, probes, then the window opens. */
static bool sc_probe(struct seed *s, __u8 cfg)
{
	struct fz_report r;

	s_start(s, "probe", cfg, 16);
	s_ack(s, 0, 0);
	s_app(s, FZ_APP_WRITE | (8 << 3));
	s_clock(s, 0xf3);
	s_clock(s, 0xf2);
	s_ack(s, 0, FZ_PEER_WND >> FZ_PEER_WS);
	s_clock(s, 4);
	s_ack(s, 0, FZ_PEER_WND >> FZ_PEER_WS);
	fz_run(s->b, s->len, &r);
	return r.tcp_mib[XMP_TCP_MIB_WND_PROBES] >= 2 && r.msk_snd_una_off == 16 * 64 + 8 * 256;
}

/* Nothing acked: RTO and backoff, then everything acked. */
static bool sc_rto(struct seed *s, __u8 cfg)
{
	struct fz_report r;

	s_start(s, "rto", cfg, 40);
	s_clock(s, 0xf3);
	s_ack(s, 0, FZ_PEER_WND >> FZ_PEER_WS);
	s_clock(s, 0xf1);
	fz_run(s->b, s->len, &r);
	return r.tcp_mib[XMP_TCP_MIB_RTO] >= 2 && r.msk_snd_una_off == 40 * 64;
}

/* The reader pauses: the receive window fills, then drains in small reads. */
static bool sc_paused(struct seed *s, __u8 cfg)
{
	struct fz_report r;
	__u32 off = 0;

	s_start(s, "paused", cfg, 0);
	s_app(s, FZ_APP_PAUSE);
	for (int i = 0; i < 6; i++, off += 1300)
		s_data(s, off, 1300, 0, false);
	s_app(s, FZ_APP_CHUNK | (31 << 3));
	s_app(s, FZ_APP_PAUSE);
	s_clock(s, 8);
	fz_run(s->b, s->len, &r);
	return r.delivered == off;
}

/* Our DATA_FIN, acked at the data level; then the peer's; subflow FINs. */
static bool sc_close(struct seed *s, __u8 cfg)
{
	struct pseg p = {.flags = XMP_TH_FIN, .ack_max = true, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	struct fz_report r;

	s_start(s, "close", cfg, 4);
	s_app(s, FZ_APP_SHUTDOWN);
	s_ack(s, 0, FZ_PEER_WND >> FZ_PEER_WS);
	dss_map(&p, 0, 0, true); /* the DATA_FIN alone: ssn 0, length 1 */
	p.mp.dss.subflow_seq = 0;
	p.mp.dss.data_len = 1;
	s_seg(s, &p);
	s_clock(s, 0xf4);
	fz_run(s->b, s->len, &r);
	return r.eof && (r.msk_state == XMP_MSK_TIME_WAIT || r.msk_state == XMP_MSK_CLOSED);
}

/* MP_CAPABLE SYN-ACK (client) with the checksum flag as the config says. */
static void mpc_synack(struct pseg *p, __u8 cfg)
{
	p->mp.suboptions = XMP_MPO_MPC_SYNACK;
	p->mp.mpc.variant = XMP_MPC_SYNACK;
	p->mp.mpc.version = MPTCP_VERSION_1;
	p->mp.mpc.flags =
	    MPTCP_CAP_HMAC_SHA256 | ((cfg & FZ_CFG_CSUM) ? MPTCP_CAP_CHECKSUM_REQD : 0);
	p->mp.mpc.sndr_key = FZ_KEY_PEER;
}

/* The engine as client gets its SYN-ACK from the input, then data flows. */
static bool sc_hs_client(struct seed *s, __u8 cfg)
{
	struct pseg p = {.syn = true, .ack_delta = 1, .wnd = FZ_PEER_WND};
	struct fz_report r;

	cfg &= ~FZ_CFG_SERVER;
	s_start(s, "hsclient", cfg, FZ_APP_HS_INPUT | 16);
	mpc_synack(&p, cfg);
	s_seg(s, &p);
	s_data(s, 0, SEG_DATA, 0, false);
	s_data(s, SEG_DATA, SEG_DATA, 0, false);
	s_clock(s, 3);
	s_ack(s, 2 * SEG_DATA, FZ_PEER_WND >> FZ_PEER_WS);
	fz_run(s->b, s->len, &r);
	return r.delivered == 2 * SEG_DATA && r.msk_snd_una_off == 16 * 64 &&
	       r.sf_state == XMP_SF_ESTABLISHED;
}

/* A SYN-ACK without MP_CAPABLE: plain TCP both ways (3.7). */
static bool sc_plain_client(struct seed *s, __u8 cfg)
{
	struct pseg p = {.syn = true, .ack_delta = 1, .wnd = FZ_PEER_WND};
	struct pseg d = {.len = SEG_DATA, .ack_max = true, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	struct fz_report r;

	cfg &= ~FZ_CFG_SERVER;
	s_start(s, "plainclient", cfg, FZ_APP_HS_INPUT | 8);
	s_seg(s, &p);
	for (int i = 0; i < 3; i++) {
		d.off = i * SEG_DATA;
		d.flags = i == 2 ? XMP_TH_FIN : 0;
		s_seg(s, &d);
	}
	s_app(s, FZ_APP_SHUTDOWN);
	fz_run(s->b, s->len, &r);
	return r.delivered == 3 * SEG_DATA && r.sf_state == XMP_SF_FALLBACK &&
	       r.sf_mib[XMP_SF_MIB_FB_SYNACK] && r.tcp_state == XMP_TCP_LAST_ACK;
}

/* The third ACK is lost: the first data carries MP_CAPABLE with the keys
 * and a 2-segment mapping, repeated on the second segment (GSO copies). */
static bool sc_hs_server_data(struct seed *s, __u8 cfg)
{
	struct pseg p = {.len = SEG_DATA, .ack_delta = 1, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	__u8 buf[2 * SEG_DATA];
	struct fz_report r;

	cfg |= FZ_CFG_SERVER;
	s_start(s, "hsserver", cfg, FZ_APP_HS_INPUT | 4);
	for (int i = 0; i < 2 * SEG_DATA; i++)
		buf[i] = fz_pat(FZ_PEER_ISN + 1 + i);
	p.mp.suboptions = XMP_MPO_MPC_ACK;
	p.mp.mpc.variant = XMP_MPC_ACK_DATA;
	p.mp.mpc.version = MPTCP_VERSION_1;
	p.mp.mpc.flags =
	    MPTCP_CAP_HMAC_SHA256 | ((cfg & FZ_CFG_CSUM) ? MPTCP_CAP_CHECKSUM_REQD : 0);
	p.mp.mpc.sndr_key = FZ_KEY_PEER;
	p.mp.mpc.rcvr_key = FZ_KEY_LOCAL;
	p.mp.mpc.data_len = 2 * SEG_DATA;
	if (cfg & FZ_CFG_CSUM) {
		p.mp.mpc.csum_present = 1;
		p.mp.mpc.csum = xmp_dss_csum_buf(peer_idsn + 1, 1, 2 * SEG_DATA, buf, sizeof(buf));
	}
	s_seg(s, &p);
	p.off = SEG_DATA;
	s_seg(s, &p);
	s_data(s, 2 * SEG_DATA, SEG_DATA, 0, false);
	s_clock(s, 3);
	fz_run(s->b, s->len, &r);
	return r.delivered == 3 * SEG_DATA && r.sf_mib[XMP_SF_MIB_MPC_ACK_DATA_RX] == 1 &&
	       r.msk_snd_una_off == 4 * 64;
}

/* The third ACK without MP_CAPABLE: the server is plain TCP (3.7). */
static bool sc_plain_server(struct seed *s, __u8 cfg)
{
	struct pseg p = {.ack_delta = 1, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	struct fz_report r;

	cfg |= FZ_CFG_SERVER;
	s_start(s, "plainserver", cfg, FZ_APP_HS_INPUT | 8);
	s_seg(s, &p);
	p.len = SEG_DATA;
	p.ack_max = true;
	p.ack_delta = 0;
	s_seg(s, &p);
	fz_run(s->b, s->len, &r);
	return r.delivered == SEG_DATA && r.sf_mib[XMP_SF_MIB_FB_ACK] &&
	       r.tcp_mib[XMP_TCP_MIB_OUT_SEGS] >= 2;
}

/* Plain TCP, reader paused: our window closes, the peer probes it, the
 * reader drains and a window update goes out. (With MPTCP the msk takes
 * every byte, so the subflow window never closes: pkt_input-dlevel-window.) */
static bool sc_zero_window(struct seed *s, __u8 cfg)
{
	struct pseg p = {.syn = true, .ack_delta = 1, .wnd = FZ_PEER_WND};
	struct pseg d = {.ack_max = true, .wnd = FZ_PEER_WND >> FZ_PEER_WS};
	struct fz_report r;
	__u32 off = 0;

	cfg &= ~FZ_CFG_SERVER;
	s_start(s, "zerownd", cfg, FZ_APP_HS_INPUT);
	s_seg(s, &p);
	s_app(s, FZ_APP_PAUSE);
	for (; off < FZ_TCP_BUF; off += d.len) {
		d.off = off;
		d.len = FZ_TCP_BUF - off < 1300 ? FZ_TCP_BUF - off : 1300;
		s_seg(s, &d);
	}
	d.len = 1; /* zero-window probes: one byte at RCV.NXT */
	for (int i = 0; i < 2; i++) {
		d.off = off;
		s_seg(s, &d);
		s_clock(s, 40);
	}
	s_app(s, FZ_APP_PAUSE);
	s_seg(s, &d);
	fz_run(s->b, s->len, &r);
	return r.delivered == FZ_TCP_BUF + 1 && r.tcp_mib[XMP_TCP_MIB_WND_UPDATES] &&
	       r.tcp_mib[XMP_TCP_MIB_RCV_OUT_OF_WINDOW] >= 2;
}

typedef bool (*scenario_fn)(struct seed *s, __u8 cfg);

int main(int argc, char **argv)
{
	static const scenario_fn scenarios[] = {
	    sc_inorder,
	    sc_ofo,
	    sc_sack,
	    sc_datafin,
	    sc_fin,
	    sc_rst,
	    sc_mp_fail,
	    sc_fastclose,
	    sc_infinite,
	    sc_vanish,
	    sc_probe,
	    sc_rto,
	    sc_paused,
	    sc_close,
	    sc_hs_client,
	    sc_plain_client,
	    sc_hs_server_data,
	    sc_plain_server,
	    sc_zero_window,
	};
	static const __u8 cfgs[] = {
	    0,
	    FZ_CFG_SERVER | FZ_CFG_PATTERN,
	    FZ_CFG_CSUM | FZ_CFG_PATTERN | FZ_CFG_V6,
	    FZ_CFG_SERVER | FZ_CFG_NO_TS | FZ_CFG_RENO | FZ_CFG_NODELACK,
	    FZ_CFG_NO_SACK | FZ_CFG_PATTERN | FZ_CFG_SERVER | FZ_CFG_CSUM,
	};
	static struct seed s;
	int bad = 0;

	if (argc == 3 && !strcmp(argv[1], "-v")) {
		verbose = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s [-v] CORPUS_DIR\n", argv[0]);
		return 2;
	}
	if (corpus_open(argv[1]))
		return 1;
	xmp_crypto_key_sha(FZ_KEY_PEER, NULL, &peer_idsn);
	xmp_crypto_key_sha(FZ_KEY_LOCAL, NULL, &local_idsn);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		for (size_t c = 0; c < sizeof(cfgs); c++) {
			if (!scenarios[i](&s, cfgs[c])) {
				fprintf(stderr, "seed %s (cfg 0x%02x) does not reach its point\n",
					s.name, s.cfg);
				bad++;
			}
			s_print(&s);
			if (s_save(&s))
				return 1;
		}
	}
	printf("%d seeds in %s\n", corpus.nfiles, corpus.dir);
	return bad ? 1 : 0;
}

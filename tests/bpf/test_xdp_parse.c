// SPDX-License-Identifier: GPL-2.0
/*
 * Golden-packet tests of bpf/xdp_steer.bpf.c through BPF_PROG_TEST_RUN:
 * each fixture is {description, packet, expected verdict, expected
 * metadata, expected counter deltas}; further tests drive classification
 * (listener, wildcard listener, owned subflow, MP_JOIN token) and check map
 * contents. Needs root (exit 4 otherwise). Maps are private (unpinned).
 *
 * Everything runs twice: with metadata (xmp_use_meta true, as attach loads
 * it where the kernel allows bpf_xdp_adjust_meta) and without (--no-meta,
 * or a kernel that refuses the helper): then no metadata comes back and
 * verdicts, classification and counters are the same. Where the probe
 * finds the helper refused, the first pass is reported skipped.
 *
 * Each fixture's frame is then parsed by userspace (user/io/pkt.c) with the
 * metadata the program wrote and without: the same options either way, and
 * no walk of them where XDP met no problem.
 */
#include <stdio.h>

#include "harness.h"
#include "io/features.h"
#include "io/pkt.h"
#include "xdp_steer.skel.h"

static struct xdp_steer_bpf *skel;
static int prog_fd;
static bool use_meta;	/* this pass loaded xdp_steer with xmp_use_meta */
static __u8 pay[1500];

#define OPT(...)                                                                   \
	.opt = (const uint8_t[]){ __VA_ARGS__ },                                   \
	.opt_len = sizeof((const uint8_t[]){ __VA_ARGS__ })
#define PAY(n) .payload = pay, .payload_len = (n)
#define V4 .src = "10.0.0.1", .dst = "10.0.0.2", .sport = 40000, .dport = 80, .seq = 0xfffffff0u
#define V6 .v6 = 1, .src = "fd00::1", .dst = "fd00::2", .sport = 40000, .dport = 80
#define K8 1, 2, 3, 4, 5, 6, 7, 8	/* a 64-bit key/HMAC/DSN filler */
#define MP(sub) (1u << (sub))
#define NOMETA 0xff

struct fx {
	const char *name;
	struct pkt_opts po;
	__u8 reason;		/* enum xmp_reason expected in meta and counted */
	__u16 mp_seen;
	__u8 tcp_opts;
	int mp_at;		/* index in opt[] of the first subtype's suboption, -1 none */
	int mp_at2;		/* index of the second subtype's, if any */
	__u8 mss_off, ws_off, sackp_off, ts_off, sack_off; /* located, from the TCP header */
	__u8 no_meta;		/* frame is not TCP: no metadata expected */
};

static const struct fx fixtures[] = {
	/* plain TCP */
	{ "syn mss sackperm ts nop wscale",
	  { V4, .flags = PKT_SYN,
	    OPT(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7) },
	  .tcp_opts = XMP_TOPT_MSS | XMP_TOPT_SACK_PERM | XMP_TOPT_TS | XMP_TOPT_WSCALE,
	  .mp_at = -1, .mss_off = 20, .sackp_off = 24, .ts_off = 26, .ws_off = 37 },
	{ "ack with sack blocks",
	  { V4, .flags = PKT_ACK, OPT(1, 1, 5, 18, K8, K8) }, .tcp_opts = XMP_TOPT_SACK, .mp_at = -1,
	  .sack_off = 22 },
	{ "ack no options, payload", { V4, .flags = PKT_ACK, PAY(100) }, .mp_at = -1 },
	{ "eol ends the scan", { V4, .flags = PKT_ACK, OPT(0, 2, 4, 5, 0xb4) }, .mp_at = -1 },
	/* MP_CAPABLE (RFC 8684 3.1) */
	{ "mpc syn", { V4, .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mpc syn checksum", { V4, .flags = PKT_SYN, OPT(1, 1, 30, 4, 0x01, 0x81) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 2 },
	{ "mpc synack", { V4, .flags = PKT_SYN | PKT_ACK, OPT(30, 12, 0x01, 0x01, K8) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mpc ack", { V4, .flags = PKT_ACK, OPT(30, 20, 0x01, 0x01, K8, K8) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mpc ack+data", { V4, .flags = PKT_ACK, OPT(30, 22, 0x01, 0x01, K8, K8, 0, 100), PAY(100) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mpc ack+data checksum",
	  { V4, .flags = PKT_ACK, OPT(30, 24, 0x01, 0x81, K8, K8, 0, 100, 0xab, 0xcd), PAY(100) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mpc syn version 0", { V4, .flags = PKT_SYN, OPT(30, 4, 0x00, 0x01) },
	  .reason = XMP_R_MPTCP_BAD_VERSION, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mpc synack version 2", { V4, .flags = PKT_SYN | PKT_ACK, OPT(30, 12, 0x02, 0x01, K8) },
	  .reason = XMP_R_MPTCP_BAD_VERSION, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mpc syn with a key", { V4, .flags = PKT_SYN, OPT(30, 12, 0x01, 0x01, K8) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mpc ack+data length without data",
	  { V4, .flags = PKT_ACK, OPT(30, 22, 0x01, 0x01, K8, K8, 0, 100) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	/* MP_JOIN (3.2) */
	{ "join syn backup", { V4, .flags = PKT_SYN, OPT(30, 12, 0x11, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4) },
	  .mp_seen = MP(1), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "join synack", { V4, .flags = PKT_SYN | PKT_ACK, OPT(30, 16, 0x10, 3, K8, 1, 2, 3, 4) },
	  .mp_seen = MP(1), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "join ack", { V4, .flags = PKT_ACK, OPT(30, 24, 0x10, 0, K8, K8, 1, 2, 3, 4) },
	  .mp_seen = MP(1), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "join syn of synack length", { V4, .flags = PKT_SYN, OPT(30, 16, 0x10, 3, K8, 1, 2, 3, 4) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	/* ADD_ADDR (3.4.1) */
	{ "add_addr v4 hmac", { V4, .flags = PKT_ACK, OPT(30, 16, 0x30, 1, 10, 0, 0, 3, K8) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v4 port hmac", { V4, .flags = PKT_ACK, OPT(30, 18, 0x30, 1, 10, 0, 0, 3, 0x1f, 0x90, K8) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v6 hmac", { V4, .flags = PKT_ACK, OPT(30, 28, 0x30, 1, K8, K8, K8) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v6 port hmac", { V4, .flags = PKT_ACK, OPT(30, 30, 0x30, 1, K8, K8, 0x1f, 0x90, K8) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v4 echo", { V4, .flags = PKT_ACK, OPT(30, 8, 0x31, 1, 10, 0, 0, 3) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v4 port echo", { V4, .flags = PKT_ACK, OPT(30, 10, 0x31, 1, 10, 0, 0, 3, 0x1f, 0x90) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v6 echo", { V4, .flags = PKT_ACK, OPT(30, 20, 0x31, 1, K8, K8) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v6 port echo", { V4, .flags = PKT_ACK, OPT(30, 22, 0x31, 1, K8, K8, 0x1f, 0x90) },
	  .mp_seen = MP(3), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "add_addr v4 without hmac nor echo", { V4, .flags = PKT_ACK, OPT(30, 8, 0x30, 1, 10, 0, 0, 3) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	/* REMOVE_ADDR (3.4.2), MP_PRIO (3.3.8), MP_FAIL (3.7), MP_FASTCLOSE (3.5), MP_TCPRST (3.6) */
	{ "rm_addr one id", { V4, .flags = PKT_ACK, OPT(30, 4, 0x40, 7) },
	  .mp_seen = MP(4), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "rm_addr three ids", { V4, .flags = PKT_ACK, OPT(30, 6, 0x40, 7, 8, 9) },
	  .mp_seen = MP(4), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "rm_addr no id", { V4, .flags = PKT_ACK, OPT(30, 3, 0x40) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mp_prio backup", { V4, .flags = PKT_ACK, OPT(30, 3, 0x51) },
	  .mp_seen = MP(5), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mp_prio v0 length", { V4, .flags = PKT_ACK, OPT(30, 4, 0x51, 2) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mp_fail", { V4, .flags = PKT_ACK, OPT(30, 12, 0x60, 0, K8) },
	  .mp_seen = MP(6), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mp_fail short", { V4, .flags = PKT_ACK, OPT(30, 11, 0x60, 0, 1, 2, 3, 4, 5, 6, 7) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mp_fastclose", { V4, .flags = PKT_ACK, OPT(30, 12, 0x70, 0, K8) },
	  .mp_seen = MP(7), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mp_fastclose long", { V4, .flags = PKT_ACK, OPT(30, 13, 0x70, 0, K8, 9) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mp_tcprst", { V4, .flags = PKT_RST, OPT(30, 4, 0x81, 6) },
	  .mp_seen = MP(8), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "mp_tcprst long", { V4, .flags = PKT_RST, OPT(30, 5, 0x81, 6, 0) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "unknown subtype 9", { V4, .flags = PKT_ACK, OPT(30, 4, 0x90, 0) },
	  .reason = XMP_R_MPTCP_BAD_SUBTYPE, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "experimental subtype 15", { V4, .flags = PKT_ACK, OPT(30, 4, 0xf0, 0) },
	  .reason = XMP_R_MPTCP_BAD_SUBTYPE, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "dss without flag byte", { V4, .flags = PKT_ACK, OPT(30, 3, 0x20, 1) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "mptcp option without subtype", { V4, .flags = PKT_ACK, OPT(30, 2) },
	  .reason = XMP_R_MPTCP_BAD_LEN, .tcp_opts = XMP_TOPT_MPTCP, .mp_at = -1 },
	{ "dss + add_addr echo + ts",
	  { V4, .flags = PKT_ACK, OPT(1, 1, 8, 10, K8, 1, 1, 30, 8, 0x20, 0x01, 0, 0, 0, 9, 30, 8, 0x31, 2, 10, 0, 0, 4), PAY(10) },
	  .mp_seen = MP(2) | MP(3), .tcp_opts = XMP_TOPT_MPTCP | XMP_TOPT_TS, .mp_at = 14, .mp_at2 = 22,
	  .ts_off = 22 },
	/* malformed options: the scan stops and counts the reason */
	{ "option length byte missing", { V4, .flags = PKT_ACK, OPT(1, 1, 1, 2) },
	  .reason = XMP_R_OPT_TRUNC, .mp_at = -1 },
	{ "option length 1", { V4, .flags = PKT_ACK, OPT(8, 1, 0, 0) },
	  .reason = XMP_R_OPT_ZERO_LEN, .mp_at = -1 },
	{ "option length 0", { V4, .flags = PKT_ACK, OPT(30, 0, 0, 0) },
	  .reason = XMP_R_OPT_ZERO_LEN, .mp_at = -1 },
	{ "option past the header", { V4, .flags = PKT_ACK, OPT(2, 4, 5, 0xb4, 30, 20, 0x01, 0x01) },
	  .reason = XMP_R_OPT_OVERRUN, .tcp_opts = XMP_TOPT_MSS, .mss_off = 20, .mp_at = -1 },
	{ "mptcp past the header", { V4, .flags = PKT_ACK, OPT(30, 255, 0x20, 0x01) },
	  .reason = XMP_R_OPT_OVERRUN, .mp_at = -1 },
	{ "too many options",
	  { V4, .flags = PKT_ACK, OPT(4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2) },
	  /* the 16th SACK_PERM (at 30) is the last one scanned */
	  .reason = XMP_R_OPT_TOO_MANY, .tcp_opts = XMP_TOPT_SACK_PERM, .mp_at = -1, .sackp_off = 50 },
	{ "data offset 4", { V4, .flags = PKT_ACK, .doff = 4, PAY(40) }, .reason = XMP_R_BAD_DOFF, .mp_at = -1 },
	{ "data offset past the frame", { V4, .flags = PKT_ACK, .doff = 15, PAY(10) },
	  .reason = XMP_R_BAD_DOFF, .mp_at = -1 },
	{ "truncated tcp header", { V4, .flags = PKT_ACK, .trunc = 14 + 20 + 12 },
	  .reason = XMP_R_SHORT_TCP, .mp_at = -1 },
	{ "truncated options", { V4, .flags = PKT_ACK, OPT(30, 20, 0x01, 0x01, K8, K8), .trunc = 14 + 20 + 30 },
	  .reason = XMP_R_BAD_DOFF, .mp_at = -1 },
	/* link and network layer */
	/* BPF_PROG_TEST_RUN refuses frames under 14 bytes: cut inside the tag */
	{ "short vlan header", { V4, .vlan_tpid = 0x8100, .flags = PKT_ACK, .trunc = 16 },
	  .reason = XMP_R_SHORT_ETH, .no_meta = 1 },
	{ "truncated ipv4", { V4, .flags = PKT_ACK, .trunc = 14 + 12 }, .reason = XMP_R_SHORT_IP, .no_meta = 1 },
	{ "truncated ipv6", { V6, .flags = PKT_ACK, .trunc = 14 + 30 }, .reason = XMP_R_SHORT_IP, .no_meta = 1 },
	{ "ipv4 ihl 4", { V4, .flags = PKT_ACK, .ihl = 4 }, .reason = XMP_R_BAD_IHL, .mp_at = -1 },
	{ "ipv4 ihl past the frame", { V4, .flags = PKT_ACK, .ihl = 15, .trunc = 14 + 40 },
	  .reason = XMP_R_BAD_IHL, .mp_at = -1 },
	{ "ipv4 options", { V4, .flags = PKT_SYN, .ipopt = (const uint8_t[]){ 1, 1, 1, 0 }, .ipopt_len = 4, OPT(30, 4, 0x01, 0x01) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "ipv4 first fragment", { V4, .flags = PKT_ACK, .frag = 0x2000, OPT(30, 4, 0x20, 0x00) },
	  .mp_seen = MP(2), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "ipv4 non-first fragment", { V4, .flags = PKT_ACK, .frag = 0x2000 | 100, PAY(64) },
	  .reason = XMP_R_IP_FRAG, .mp_at = -1 },
	{ "vlan 802.1q", { V4, .vlan_tpid = 0x8100, .vlan_tci = 42, .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "vlan 802.1ad ipv6", { V6, .vlan_tpid = 0x88a8, .vlan_tci = 7, .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01) },
	  .mp_seen = MP(0), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "ipv6 plain", { V6, .flags = PKT_ACK, OPT(30, 8, 0x20, 0x01, 0, 0, 0, 5), PAY(20) },
	  .mp_seen = MP(2), .tcp_opts = XMP_TOPT_MPTCP, .mp_at = 0 },
	{ "arp", { .ethertype = PKT_ETH_P_ARP, .payload = pay, .payload_len = 28 }, .no_meta = 1 },
	{ "udp", { V4, .proto = IPPROTO_UDP, PAY(30) }, .no_meta = 1 },
};

/* Userspace reads frame @k with the metadata @m XDP wrote, as off the XSK:
 * the options as its own walk finds them, not walked when XDP noted no
 * problem (@reason). Frames userspace refuses anyway are left out. */
static void userspace_parse(const struct pkt *k, const struct xmp_meta *m, __u8 reason)
{
	struct xmp_frame f, g;

	if (xmp_pkt_parse(k->b, (__u32)k->len, NULL, XMP_PKT_F_CSUM, &g))
		return;
	CHECK_EQ(xmp_pkt_parse(k->b, (__u32)k->len, m, XMP_PKT_F_CSUM, &f), 0);
	CHECK(f.meta == m);
	CHECK_MEM(&f.opts, &g.opts, sizeof(g.opts));
	CHECK_EQ(f.opts_walked, reason != XMP_R_OK);
}

/* One run of the program on @k; @d gets how far each counter moved. */
static void run_counted(const struct pkt *k, struct h_xdp_out *out, struct h_stats *d)
{
	struct h_stats s0;
	__u32 i;

	h_stats(skel->obj, &s0);
	h_run_xdp(prog_fd, k, 0, out);
	h_stats(skel->obj, d);
	for (i = 0; i < XMP_C_NR; i++)
		d->c[i] -= s0.c[i];
}

static void check_fixture(const struct fx *f)
{
	struct h_stats d;
	struct h_xdp_out out;
	struct pkt k;
	__u32 r;
	int sub, n;

	pkt_build(&k, &f->po);
	run_counted(&k, &out, &d);

	CHECK_EQ(out.ret, 0);
	CHECK_EQ(out.retval, XDP_PASS);
	/* the frame itself goes out untouched, behind the metadata */
	CHECK_EQ(out.data_len, out.meta_len + k.len);
	CHECK_MEM(out.data + out.meta_len, k.b, k.len);
	CHECK_EQ(d.c[XMP_C_META_WRITTEN], use_meta && !f->no_meta);
	CHECK_EQ(d.c[XMP_C_META_REFUSED], 0);
	CHECK_EQ(d.c[XMP_C_RX_PACKETS], 1);
	CHECK_EQ(d.c[XMP_C_CLASS_BASE + XMP_CLASS_NONE], 1);
	for (r = 1; r < XMP_R_NR; r++)
		CHECK_EQ(d.c[XMP_C_REASON_BASE + r], r == f->reason);
	if (f->no_meta) {
		CHECK_EQ(out.meta_len, 0);
		CHECK_EQ(d.c[XMP_C_RX_TCP], 0);
		return;
	}
	CHECK_EQ(d.c[XMP_C_RX_TCP], 1);
	CHECK_EQ(d.c[XMP_C_RX_MPTCP], !!(f->tcp_opts & XMP_TOPT_MPTCP));
	if (!use_meta) {
		CHECK_EQ(out.meta_len, 0);
		return;
	}
	CHECK_EQ(out.meta_len, sizeof(struct xmp_meta));
	CHECK_EQ(out.meta.magic, XMP_META_MAGIC);
	CHECK_EQ(out.meta.reason, f->reason);
	CHECK_EQ(out.meta.ip_version, f->po.v6 ? 6 : 4);
	CHECK_EQ(out.meta.l3_off, k.l3);
	CHECK_EQ(out.meta.mp_seen, f->mp_seen);
	CHECK_EQ(out.meta.tcp_opts, f->tcp_opts);
	CHECK_EQ(out.meta.mss_off, f->mss_off);
	CHECK_EQ(out.meta.ws_off, f->ws_off);
	CHECK_EQ(out.meta.sackp_off, f->sackp_off);
	CHECK_EQ(out.meta.ts_off, f->ts_off);
	CHECK_EQ(out.meta.sack_off, f->sack_off);
	userspace_parse(&k, &out.meta, f->reason);
	for (sub = 0, n = 0; sub < MPTCPOPT_NR_SUBTYPES; sub++) {
		int want = 0;

		if (f->mp_seen & MP(sub))
			want = 20 + (n++ ? f->mp_at2 : f->mp_at);
		CHECK_EQ(out.meta.mp_off[sub], want);
	}
	if (f->reason == XMP_R_OK || f->reason >= XMP_R_OPT_TRUNC) {
		/* TCP header parsed: offsets and lengths as built */
		CHECK_EQ(out.meta.l4_off, k.l4);
		CHECK_EQ(out.meta.payload_off, k.pay);
		CHECK_EQ(out.meta.payload_len, k.len - k.pay);
	} else {
		CHECK_EQ(out.meta.payload_len, 0);
	}
}

static void golden_fixtures(void)
{
	size_t i;

	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		int before = t_cur_failed;

		t_cur_failed = 0;
		check_fixture(&fixtures[i]);
		if (t_cur_failed)
			printf("#   fixture \"%s\" failed\n", fixtures[i].name);
		t_cur_failed |= before;
	}
}

/* DSS (RFC 8684 3.3): every A/a/M/m/F combination, with and without the
 * checksum when a mapping is present; one byte more or less is refused. */
static void dss_every_flag_combination(void)
{
	int f, csum, delta;

	for (f = 0; f < 32; f++) {
		for (csum = 0; csum <= !!(f & MPTCP_DSS_HAS_MAP); csum++) {
			for (delta = -1; delta <= 1; delta++) {
				uint8_t opt[40] = { 30, 0, 0x20, (uint8_t)f };
				int len = 4, bad = delta != 0;
				struct pkt_opts po = { V4, .flags = PKT_ACK, .opt = opt };
				struct h_stats d;
				struct h_xdp_out out;
				struct pkt k;

				if (f & MPTCP_DSS_HAS_ACK)
					len += (f & MPTCP_DSS_ACK64) ? 8 : 4;
				if (f & MPTCP_DSS_HAS_MAP)
					len += ((f & MPTCP_DSS_DSN64) ? 8 : 4) + 6 + 2 * csum;
				len += delta;
				/* +1 on a mapping without checksum is still wrong;
				 * -1 below the base is caught by the generic rule */
				if (len < 3)
					continue;
				memset(opt + 4, 0x11, sizeof(opt) - 4);
				opt[1] = (uint8_t)len;
				po.opt_len = len;
				pkt_build(&k, &po);
				run_counted(&k, &out, &d);
				CHECK_EQ(d.c[XMP_C_REASON_BASE + XMP_R_MPTCP_BAD_LEN], bad);
				CHECK_EQ(out.meta_len, use_meta ? sizeof(struct xmp_meta) : 0);
				if (!use_meta) {
					/* nothing more to read: the counters said it */
				} else if (bad) {
					CHECK_EQ(out.meta.reason, XMP_R_MPTCP_BAD_LEN);
					CHECK_EQ(out.meta.mp_seen, 0);
				} else {
					CHECK_EQ(out.meta.reason, XMP_R_OK);
					CHECK_EQ(out.meta.mp_seen, MP(MPTCPOPT_DSS));
					CHECK_EQ(out.meta.mp_off[MPTCPOPT_DSS], 20);
				}
				if (use_meta)
					userspace_parse(&k, &out.meta, bad ? XMP_R_MPTCP_BAD_LEN : 0);
				if (t_cur_failed) {
					printf("#   dss flags 0x%02x csum %d delta %d\n", f, csum, delta);
					return;
				}
			}
		}
	}
}

/* IPv6 extension chains (RFC 8200 4): skippable headers are walked, a
 * chain longer than the parser's bound or cut short is counted. */
static void ipv6_extension_chains(void)
{
	static const uint8_t ok[] = { PKT_EXT_HOP, PKT_EXT_DEST, PKT_EXT_ROUTING, PKT_EXT_FRAG, PKT_EXT_AUTH, PKT_EXT_DEST };
	static const uint8_t toolong[] = { PKT_EXT_HOP, PKT_EXT_DEST, PKT_EXT_ROUTING, PKT_EXT_DEST, PKT_EXT_DEST, PKT_EXT_DEST, PKT_EXT_DEST };
	static const uint8_t frag[] = { PKT_EXT_FRAG };
	uint8_t ext[256];
	struct pkt_opts po = { V6, .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01), .ext = ext };
	struct h_stats d;
	struct h_xdp_out out;
	struct pkt k;

	/* six headers, the parser's bound: parsed through to TCP */
	po.ext_len = pkt_ext6(ext, ok, 6, IPPROTO_TCP, 0);
	po.ext_nh = ok[0];
	pkt_build(&k, &po);
	run_counted(&k, &out, &d);
	CHECK_EQ(d.c[XMP_C_RX_MPTCP], 1);
	CHECK_EQ(d.c[XMP_C_REASON_BASE + XMP_R_EXT_CHAIN], 0);
	if (use_meta) {
		CHECK_EQ(out.meta_len, sizeof(struct xmp_meta));
		CHECK_EQ(out.meta.reason, XMP_R_OK);
		CHECK_EQ(out.meta.l4_off, 14 + 40 + 8 * 5 + 16);
		CHECK_EQ(out.meta.l4_off, k.l4);
		CHECK_EQ(out.meta.mp_seen, MP(0));
	} else {
		CHECK_EQ(out.meta_len, 0);
	}

	/* seven: too long */
	po.ext_len = pkt_ext6(ext, toolong, 7, IPPROTO_TCP, 0);
	po.ext_nh = toolong[0];
	pkt_build(&k, &po);
	run_counted(&k, &out, &d);
	CHECK_EQ(out.retval, XDP_PASS);
	CHECK_EQ(out.meta_len, 0);
	CHECK_EQ(d.c[XMP_C_REASON_BASE + XMP_R_EXT_CHAIN], 1);

	/* chain cut short by the end of the frame */
	po.ext_len = pkt_ext6(ext, ok, 6, IPPROTO_TCP, 0);
	po.ext_nh = ok[0];
	po.trunc = 14 + 40 + 20;
	pkt_build(&k, &po);
	run_counted(&k, &out, &d);
	CHECK_EQ(d.c[XMP_C_REASON_BASE + XMP_R_EXT_CHAIN], 1);
	po.trunc = 0;

	/* non-first fragment: no TCP header to read */
	po.ext_len = pkt_ext6(ext, frag, 1, IPPROTO_TCP, 185);
	po.ext_nh = PKT_EXT_FRAG;
	pkt_build(&k, &po);
	run_counted(&k, &out, &d);
	CHECK_EQ(out.meta_len, use_meta ? sizeof(struct xmp_meta) : 0);
	if (use_meta) {
		CHECK_EQ(out.meta.reason, XMP_R_IP_FRAG);
		CHECK_EQ(out.meta.mp_seen, 0);
	}
	CHECK_EQ(d.c[XMP_C_REASON_BASE + XMP_R_IP_FRAG], 1);
}

/* --- classification --- */

static void v4mapped(struct xmp_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->a[10] = a->a[11] = 0xff;
	inet_pton(AF_INET, s, a->a + 12);
}

static void expect_class(const struct pkt *k, int cls)
{
	struct h_stats d;
	struct h_xdp_out out;

	run_counted(k, &out, &d);
	/* no XSK is bound in a test: owned frames fall back to the stack */
	CHECK_EQ(out.retval, XDP_PASS);
	CHECK_EQ(out.meta_len, use_meta ? sizeof(struct xmp_meta) : 0);
	CHECK_EQ(d.c[XMP_C_META_WRITTEN], use_meta);
	CHECK_EQ(d.c[XMP_C_CLASS_BASE + cls], 1);
	CHECK_EQ(d.c[XMP_C_REDIRECT_MISS], cls != XMP_CLASS_NONE);
	CHECK_EQ(d.c[XMP_C_REDIRECTED], 0);
}

static void classify_listener(void)
{
	struct xmp_listen_key key = { .port = htons(8080) };
	struct xmp_listen_val val = {}, got;
	struct pkt_opts syn = { V4, .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01) };
	struct pkt k;

	syn.dport = 8080;
	pkt_build(&k, &syn);
	expect_class(&k, XMP_CLASS_NONE);	/* nothing owned yet */

	v4mapped(&key.addr, "10.0.0.2");
	CHECK_EQ(bpf_map__update_elem(skel->maps.xmp_listeners, &key, sizeof(key), &val, sizeof(val), 0), 0);
	expect_class(&k, XMP_CLASS_LISTENER);
	CHECK_EQ(bpf_map__lookup_elem(skel->maps.xmp_listeners, &key, sizeof(key), &got, sizeof(got), 0), 0);
	CHECK_EQ(got.syns, 1);

	/* a SYN-ACK or a plain ACK to the port is not a listener's */
	syn.flags = PKT_SYN | PKT_ACK;
	pkt_build(&k, &syn);
	expect_class(&k, XMP_CLASS_NONE);
	syn.flags = PKT_ACK;
	pkt_build(&k, &syn);
	expect_class(&k, XMP_CLASS_NONE);

	/* another local address: only a wildcard listener takes it */
	syn.flags = PKT_SYN;
	syn.dst = "10.0.0.9";
	pkt_build(&k, &syn);
	expect_class(&k, XMP_CLASS_NONE);
	memset(&key.addr, 0, sizeof(key.addr));
	CHECK_EQ(bpf_map__update_elem(skel->maps.xmp_listeners, &key, sizeof(key), &val, sizeof(val), 0), 0);
	expect_class(&k, XMP_CLASS_LISTENER);
	CHECK_EQ(bpf_map__lookup_elem(skel->maps.xmp_listeners, &key, sizeof(key), &got, sizeof(got), 0), 0);
	CHECK_EQ(got.syns, 1);
	bpf_map__delete_elem(skel->maps.xmp_listeners, &key, sizeof(key), 0);
	v4mapped(&key.addr, "10.0.0.2");
	bpf_map__delete_elem(skel->maps.xmp_listeners, &key, sizeof(key), 0);
}

/* An --accept listener (XMP_LISTEN_F_MPTCP_ONLY): MP_CAPABLE and MP_JOIN
 * SYNs to the port are ours, a plain TCP SYN goes on to the kernel's own
 * listener, uncounted. */
static void classify_listener_mptcp_only(void)
{
	struct xmp_listen_key key = { .port = htons(8443) };
	struct xmp_listen_val val = { .flags = XMP_LISTEN_F_MPTCP_ONLY }, got;
	struct pkt_opts mpc = { V4, .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01) };
	struct pkt_opts join = { V4, .flags = PKT_SYN,
				 OPT(30, 12, 0x10, 2, 0x01, 0x02, 0x03, 0x04, 9, 9, 9, 9) };
	struct pkt_opts plain = { V4, .flags = PKT_SYN, OPT(2, 4, 0x05, 0xb4) };
	struct pkt k;

	mpc.dport = join.dport = plain.dport = 8443;
	CHECK_EQ(bpf_map__update_elem(skel->maps.xmp_listeners, &key, sizeof(key), &val, sizeof(val), 0), 0);
	pkt_build(&k, &plain);
	expect_class(&k, XMP_CLASS_NONE);
	pkt_build(&k, &mpc);
	expect_class(&k, XMP_CLASS_LISTENER);
	pkt_build(&k, &join); /* a token we do not know: answered by us (RST) */
	expect_class(&k, XMP_CLASS_LISTENER);
	CHECK_EQ(bpf_map__lookup_elem(skel->maps.xmp_listeners, &key, sizeof(key), &got, sizeof(got), 0), 0);
	CHECK_EQ(got.syns, 2);
	/* without the flag the same listener takes plain TCP too */
	val.flags = 0;
	CHECK_EQ(bpf_map__update_elem(skel->maps.xmp_listeners, &key, sizeof(key), &val, sizeof(val), 0), 0);
	pkt_build(&k, &plain);
	expect_class(&k, XMP_CLASS_LISTENER);
	bpf_map__delete_elem(skel->maps.xmp_listeners, &key, sizeof(key), 0);
}

static void classify_subflow_and_counters(void)
{
	struct xmp_tuple t = { .sport = htons(41000), .dport = htons(443) };
	struct xmp_sf_val v = { .conn_id = 7 }, got;
	/* DSS: A a M m, DATA_ACK 64-bit, DSN 64-bit, ssn, dll 100, checksum */
	struct pkt_opts po = {
		.src = "fd00::1", .dst = "fd00::2", .v6 = 1, .sport = 41000, .dport = 443, .flags = PKT_ACK,
		OPT(1, 1, 30, 28, 0x20, 0x0f, 0, 0, 0, 1, 0, 0, 0, 0x10, 0, 0, 0, 2, 0, 0, 0, 0x20,
		    0, 0, 0, 1, 0, 100, 0xaa, 0xbb),
		PAY(100)
	};
	struct pkt k;

	inet_pton(AF_INET6, "fd00::1", t.saddr.a);
	inet_pton(AF_INET6, "fd00::2", t.daddr.a);
	pkt_build(&k, &po);
	expect_class(&k, XMP_CLASS_NONE);
	CHECK_EQ(bpf_map__update_elem(skel->maps.xmp_subflows, &t, sizeof(t), &v, sizeof(v), 0), 0);
	expect_class(&k, XMP_CLASS_SUBFLOW);
	expect_class(&k, XMP_CLASS_SUBFLOW);
	CHECK_EQ(bpf_map__lookup_elem(skel->maps.xmp_subflows, &t, sizeof(t), &got, sizeof(got), 0), 0);
	CHECK_EQ(got.conn_id, 7);
	CHECK_EQ(got.packets, 2);
	CHECK_EQ(got.bytes, 200);
	CHECK_EQ(got.last_dsn, 0x0000000200000020ULL);
	CHECK_EQ(got.last_data_ack, 0x0000000100000010ULL);
	CHECK_EQ(got.opt_seen[MPTCPOPT_DSS], 2);
	CHECK_EQ(got.opt_seen[MPTCPOPT_MP_CAPABLE], 0);

	/* the reverse direction is not the same key */
	po.src = "fd00::2";
	po.dst = "fd00::1";
	po.sport = 443;
	po.dport = 41000;
	pkt_build(&k, &po);
	expect_class(&k, XMP_CLASS_NONE);
	bpf_map__delete_elem(skel->maps.xmp_subflows, &t, sizeof(t), 0);
}

static void classify_join_token(void)
{
	__u32 token = 0xdeadbeef;
	struct xmp_token_val v = { .conn_id = 3 }, got;
	struct pkt_opts po = { V4, .flags = PKT_SYN,
			       OPT(30, 12, 0x10, 2, 0xde, 0xad, 0xbe, 0xef, 9, 9, 9, 9) };
	struct pkt k;

	po.dport = 5201;
	pkt_build(&k, &po);
	expect_class(&k, XMP_CLASS_NONE);
	CHECK_EQ(bpf_map__update_elem(skel->maps.xmp_tokens, &token, sizeof(token), &v, sizeof(v), 0), 0);
	expect_class(&k, XMP_CLASS_JOIN);
	CHECK_EQ(bpf_map__lookup_elem(skel->maps.xmp_tokens, &token, sizeof(token), &got, sizeof(got), 0), 0);
	CHECK_EQ(got.joins, 1);
	/* another token is not ours */
	po.opt = (const uint8_t[]){ 30, 12, 0x10, 2, 0xde, 0xad, 0xbe, 0xee, 9, 9, 9, 9 };
	pkt_build(&k, &po);
	expect_class(&k, XMP_CLASS_NONE);
	bpf_map__delete_elem(skel->maps.xmp_tokens, &token, sizeof(token), 0);
}

/* The metadata round trip this suite relies on: BPF_PROG_TEST_RUN copies
 * the output from data_meta and reports its length in ctx_out.data. */
static void meta_comes_back_in_front(void)
{
	struct pkt_opts po = { V4, .flags = PKT_SYN, OPT(2, 4, 0x05, 0xb4) };
	struct h_xdp_out out;
	struct pkt k;

	pkt_build(&k, &po);
	h_run_xdp(prog_fd, &k, 0, &out);
	if (!use_meta) {
		CHECK_EQ(out.meta_len, 0);
		CHECK_EQ(out.data_len, k.len);
		CHECK_MEM(out.data, k.b, k.len);
		return;
	}
	CHECK_EQ(out.meta_len, 32);
	CHECK_EQ(out.data[0], XMP_META_MAGIC);
	CHECK_EQ(out.data[offsetof(struct xmp_meta, l4_off)], 34);
	CHECK_EQ(out.data[offsetof(struct xmp_meta, mss_off)], 20);
}

/* Runs k with pre bytes of metadata already in front (0xee). */
static int run_with_meta_in(const struct pkt *k, __u32 pre, __u32 *retval, __u32 *meta_out,
			    __u8 *out, __u32 out_size)
{
	__u8 in[PKT_MAX + 256];
	struct xdp_md ctx_in = { .data = pre, .data_end = pre + (__u32)k->len }, ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = pre + (__u32)k->len,
		    .data_out = out, .data_size_out = out_size, .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	int err;

	memset(in, 0xee, pre);
	memcpy(in + pre, k->b, k->len);
	err = bpf_prog_test_run_opts(prog_fd, &o);
	*retval = o.retval;
	*meta_out = ctx_out.data;
	return err;
}

/* A run-time refusal of bpf_xdp_adjust_meta is counted and not fatal: the
 * frame passes with what it had in front. Provoked with metadata already
 * there: 200 bytes leave too little headroom for 32 more (test runs give
 * 256, less the struct xdp_frame kept in front); kernels that cap
 * metadata at 32 bytes refuse 200 coming in, and then 4 + 32 is over
 * their cap. */
static void meta_refusal_counted(void)
{
	static const __u32 pre_try[] = { 200, 4 };
	struct pkt_opts po = { V4, .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01) };
	__u8 out[PKT_MAX + 256];
	__u32 retval = 0, meta_len = 0, pre = 0;
	struct h_stats s0, s1;
	struct pkt k;
	size_t i;
	int err = -EINVAL;

	pkt_build(&k, &po);
	for (i = 0; i < sizeof(pre_try) / sizeof(pre_try[0]) && err == -EINVAL; i++) {
		pre = pre_try[i];
		h_stats(skel->obj, &s0);
		err = run_with_meta_in(&k, pre, &retval, &meta_len, out, sizeof(out));
		h_stats(skel->obj, &s1);
	}
	if (err == -EINVAL)
		SKIP("this kernel's test run takes no metadata in");
	CHECK_EQ(err, 0);
	CHECK_EQ(retval, XDP_PASS);
	CHECK_EQ(meta_len, pre);
	CHECK_EQ(out[0], 0xee);
	CHECK_MEM(out + pre, k.b, k.len);
	CHECK_EQ(s1.c[XMP_C_META_REFUSED] - s0.c[XMP_C_META_REFUSED], use_meta);
	CHECK_EQ(s1.c[XMP_C_META_WRITTEN] - s0.c[XMP_C_META_WRITTEN], 0);
	CHECK_EQ(s1.c[XMP_C_CLASS_BASE + XMP_CLASS_NONE] - s0.c[XMP_C_CLASS_BASE + XMP_CLASS_NONE], 1);
	CHECK_EQ(s1.c[XMP_C_RX_MPTCP] - s0.c[XMP_C_RX_MPTCP], 1);
}

static unsigned long kallsym(const char *name)
{
	char line[256], sym[128], type;
	unsigned long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 && !strcmp(sym, name))
			found = addr;
	if (f)
		fclose(f);
	return found;
}

/* Without metadata the verifier must never have walked the helper call
 * (what lets xdp_steer load where the helper is refused): the program as
 * the kernel kept it (xlated; dead code removed) has no call to it. A
 * helper call's imm there is the helper's address minus __bpf_call_base. */
static void no_meta_call_left_when_off(void)
{
	unsigned long fn = kallsym("bpf_xdp_adjust_meta"), base = kallsym("__bpf_call_base");
	struct bpf_insn insns[8192];
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), i, n, calls = 0;

	if (!fn || !base)
		SKIP("no kernel addresses in /proc/kallsyms");
	info.xlated_prog_len = sizeof(insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	CHECK_EQ(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0);
	if (info.xlated_prog_len > sizeof(insns))
		SKIP("program larger than the test's buffer");
	n = info.xlated_prog_len / sizeof(insns[0]);
	for (i = 0; i < n; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == 0 &&
		    insns[i].imm == (__s32)(fn - base))
			calls++;
	if (use_meta)
		CHECK(calls >= 1);
	else
		CHECK_EQ(calls, 0);
}

static void skip_refused(void)
{
	SKIP("kernel refuses bpf_xdp_adjust_meta");
}

static bool meta_refused;	/* the probe: this kernel refuses the helper */

/* One test of the current pass: named as is with metadata, NAME[no-meta]
 * without; skipped with metadata where the kernel refuses it. */
static void run_pass_test(const char *name, void (*fn)(void))
{
	char full[96];

	snprintf(full, sizeof(full), "%s%s", name, use_meta ? "" : "[no-meta]");
	t_run(full, use_meta && meta_refused ? skip_refused : fn);
}

#define RUN_PASS(fn) run_pass_test(#fn, fn)

static int load(bool meta)
{
	skel = xdp_steer_bpf__open();
	if (!skel) {
		printf("not ok - open xdp_steer skeleton\n");
		return -1;
	}
	h_unpin(skel->obj);
	skel->rodata->xmp_use_meta = meta;
	if (xdp_steer_bpf__load(skel)) {
		printf("not ok - load xdp_steer%s (verifier; XMP_TEST_VERBOSE=1 shows why)\n",
		       meta ? "" : " without metadata");
		xdp_steer_bpf__destroy(skel);
		skel = NULL;
		return -1;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_steer);
	h_set_cfg(skel->obj, XMP_CFG_OBSERVE | XMP_CFG_GUARD);
	return 0;
}

static int run_pass(bool meta)
{
	use_meta = meta;
	if (!(meta && meta_refused) && load(meta))
		return -1;
	RUN_PASS(meta_comes_back_in_front);
	RUN_PASS(golden_fixtures);
	RUN_PASS(dss_every_flag_combination);
	RUN_PASS(ipv6_extension_chains);
	RUN_PASS(classify_listener);
	RUN_PASS(classify_listener_mptcp_only);
	RUN_PASS(classify_subflow_and_counters);
	RUN_PASS(classify_join_token);
	RUN_PASS(meta_refusal_counted);
	RUN_PASS(no_meta_call_left_when_off);
	xdp_steer_bpf__destroy(skel);
	skel = NULL;
	return 0;
}

int main(void)
{
	int probe;

	if (h_need_root())
		return 4;
	libbpf_set_print(h_quiet);
	memset(pay, 0x5a, sizeof(pay));
	probe = xmp_probe_xdp_meta();
	if (probe < 0) {
		printf("not ok - probe bpf_xdp_adjust_meta (%s)\n", strerror(-probe));
		return 1;
	}
	meta_refused = !probe;
	if (run_pass(true) || run_pass(false))
		return 1;
	return t_exit_code();
}

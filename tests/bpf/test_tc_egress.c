// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of bpf/tc_egress.bpf.c through BPF_PROG_TEST_RUN, and of observe
 * mode across both hooks: the XDP and TC programs share their (unpinned)
 * maps as the loader shares the pinned ones, a scripted MP_CAPABLE
 * handshake and DSS data go in through XDP and out through TC, and the one
 * xmp_observe entry must hold both directions. The guard must drop kernel
 * RSTs and ICMP errors for owned tuples only. Needs root (exit 4 otherwise).
 */
#include "harness.h"
#include "xdp_steer.skel.h"
#include "tc_egress.skel.h"

#define TC_ACT_OK   0
#define TC_ACT_SHOT 2

#define OPT(...)                                                                                   \
	.opt = (const uint8_t[]){__VA_ARGS__}, .opt_len = sizeof((const uint8_t[]){__VA_ARGS__})
#define PAY(n)	.payload = pay, .payload_len = (n)
#define MP(sub) (1u << (sub))

static struct xdp_steer_bpf *xs;
static struct tc_egress_bpf *tc;
static int xdp_fd, tc_fd;
static __u8 pay[1500];

/* client 10.1.0.1:50000 -> server 10.1.0.2:80; the host under test is the
 * server: the client's segments come in (XDP), its own go out (TC). */
#define C2S(cp)	       .src = "10.1.0.1", .dst = "10.1.0.2", .sport = (cp), .dport = 80
#define S2C(cp)	       .src = "10.1.0.2", .dst = "10.1.0.1", .sport = 80, .dport = (cp)
#define HOST_C(hp, pp) .src = "10.1.0.2", .dst = "10.1.0.1", .sport = (hp), .dport = (pp)
#define PEER_S(hp, pp) .src = "10.1.0.1", .dst = "10.1.0.2", .sport = (pp), .dport = (hp)

static void in(const struct pkt_opts *po)
{
	struct h_xdp_out out;
	struct pkt k;

	pkt_build(&k, po);
	h_run_xdp(xdp_fd, &k, 0, &out);
	CHECK_EQ(out.ret, 0);
	CHECK_EQ(out.retval, XDP_PASS);
}

static __u32 out_tc(const struct pkt_opts *po)
{
	struct pkt k;
	__u32 ret = ~0u;

	pkt_build(&k, po);
	CHECK_EQ(h_run_skb(tc_fd, &k, &ret), 0);
	return ret;
}

static void addr4(struct xmp_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->a[10] = a->a[11] = 0xff;
	inet_pton(AF_INET, s, a->a + 12);
}

static int obs_get(const char *src, const char *dst, int sport, int dport, struct xmp_obs_val *v)
{
	struct xmp_tuple t = {.sport = htons(sport), .dport = htons(dport)};

	addr4(&t.saddr, src);
	addr4(&t.daddr, dst);
	return bpf_map__lookup_elem(xs->maps.xmp_observe, &t, sizeof(t), v, sizeof(*v), 0);
}

static void observe_handshake_and_data_both_hooks(void)
{
	struct xmp_obs_val v;
	struct h_stats s0, s1;

	h_stats(xs->obj, &s0);
	/* SYN: MP_CAPABLE v1, checksum not requested (RFC 8684 3.1) */
	in(&(struct pkt_opts){C2S(50000), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01)});
	CHECK_EQ(obs_get("10.1.0.1", "10.1.0.2", 50000, 80, &v), 0);
	CHECK_EQ(v.kind, XMP_OBS_MPC);
	CHECK_EQ(v.packets[0], 1);
	CHECK_EQ(v.key[0], 0);
	CHECK_EQ(v.key[1], 0);
	CHECK(v.dsn_min[0] == ~0ULL && v.dsn_min[1] == ~0ULL);
	/* SYN-ACK out through TC: the server's key */
	CHECK_EQ(out_tc(&(struct pkt_opts){
		     S2C(50000), .flags = PKT_SYN | PKT_ACK,
		     OPT(30, 12, 0x01, 0x01, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7)}),
		 TC_ACT_OK);
	/* third ACK: client key then server key */
	in(&(struct pkt_opts){C2S(50000), .flags = PKT_ACK,
			      OPT(30, 20, 0x01, 0x01, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
				  0xa7, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7)});
	/* client data: DSS A M m, DSN 1000 (64-bit), dll 100, DATA_ACK 5000 */
	in(&(struct pkt_opts){C2S(50000), .flags = PKT_ACK | PKT_PSH,
			      OPT(30, 22, 0x20, 0x0d, 0, 0, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0x03,
				  0xe8, 0, 0, 0, 1, 0, 100),
			      PAY(100)});
	/* server data out through TC: DSS A a M, 32-bit DSN 5000, dll 300,
	 * 64-bit DATA_ACK 1100 */
	CHECK_EQ(out_tc(&(struct pkt_opts){S2C(50000), .flags = PKT_ACK | PKT_PSH,
					   OPT(30, 22, 0x20, 0x07, 0, 0, 0, 0, 0, 0, 0x04, 0x4c, 0,
					       0, 0x13, 0x88, 0, 0, 0, 1, 0x01, 0x2c),
					   PAY(300)}),
		 TC_ACT_OK);
	/* a second, lower mapping from the client (retransmission) and its
	 * DATA_FIN: mapping 1100 + 1 (the DATA_FIN's sequence number) */
	in(&(struct pkt_opts){C2S(50000), .flags = PKT_ACK,
			      OPT(30, 14, 0x20, 0x04, 0, 0, 0x03, 0xe8, 0, 0, 0, 1, 0, 50),
			      PAY(50)});
	in(&(struct pkt_opts){C2S(50000), .flags = PKT_ACK | PKT_FIN,
			      OPT(30, 14, 0x20, 0x14, 0, 0, 0x04, 0x4c, 0, 0, 0, 0, 0, 1)});
	h_stats(xs->obj, &s1);

	CHECK_EQ(obs_get("10.1.0.1", "10.1.0.2", 50000, 80, &v), 0);
	CHECK_EQ(v.kind, XMP_OBS_MPC);
	CHECK_EQ(v.key[0], 0xa0a1a2a3a4a5a6a7ULL);
	CHECK_EQ(v.key[1], 0xb0b1b2b3b4b5b6b7ULL);
	CHECK_EQ(v.packets[0], 5);
	CHECK_EQ(v.packets[1], 2);
	CHECK_EQ(v.bytes[0], 150);
	CHECK_EQ(v.bytes[1], 300);
	CHECK_EQ(v.dsn_min[0], 1000);
	CHECK_EQ(v.dsn_end[0], 1101);
	CHECK_EQ(v.dsn_min[1], 5000);
	CHECK_EQ(v.dsn_end[1], 5300);
	CHECK_EQ(v.data_ack[0], 5000);
	CHECK_EQ(v.data_ack[1], 1100);
	CHECK_EQ(v.flags, XMP_OBS_F_SYNACK_MP | XMP_OBS_F_DATA_FIN);
	CHECK_EQ(v.opt_seen, MP(MPTCPOPT_MP_CAPABLE) | MP(MPTCPOPT_DSS));
	CHECK(v.first_ns != 0 && v.last_ns >= v.first_ns);
	CHECK_EQ(s1.c[XMP_C_OBSERVE_NEW] - s0.c[XMP_C_OBSERVE_NEW], 1);
	CHECK_EQ(s1.c[XMP_C_TX_PACKETS] - s0.c[XMP_C_TX_PACKETS], 2);
	CHECK_EQ(s1.c[XMP_C_TX_MPTCP] - s0.c[XMP_C_TX_MPTCP], 2);
	/* no entry keyed the other way round */
	CHECK(obs_get("10.1.0.2", "10.1.0.1", 80, 50000, &v) != 0);
}

/* RFC 8684 3.7: a SYN-ACK without MP_CAPABLE means fallback; so does an
 * infinite mapping (data-level length 0) or MP_FAIL. */
static void observe_fallbacks_and_events(void)
{
	struct xmp_obs_val v;

	/* SYN-ACK without MPTCP */
	in(&(struct pkt_opts){C2S(50001), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x81)});
	out_tc(&(struct pkt_opts){S2C(50001), .flags = PKT_SYN | PKT_ACK, OPT(2, 4, 5, 0xb4)});
	/* plain TCP from then on is not looked up (observe.h): not counted */
	in(&(struct pkt_opts){ C2S(50001), .flags = PKT_ACK, PAY(10) });
	CHECK_EQ(obs_get("10.1.0.1", "10.1.0.2", 50001, 80, &v), 0);
	CHECK_EQ(v.flags, XMP_OBS_F_FALLBACK | XMP_OBS_F_CSUM);
	CHECK_EQ(v.packets[0], 1);
	CHECK_EQ(v.packets[1], 1);
	CHECK_EQ(v.bytes[0], 0);

	/* infinite mapping from the server */
	in(&(struct pkt_opts){C2S(50002), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01)});
	out_tc(&(struct pkt_opts){S2C(50002), .flags = PKT_ACK,
				  OPT(30, 14, 0x20, 0x04, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0), PAY(10)});
	CHECK_EQ(obs_get("10.1.0.1", "10.1.0.2", 50002, 80, &v), 0);
	CHECK_EQ(v.flags, XMP_OBS_F_FALLBACK);
	CHECK_EQ(v.dsn_min[1], ~0ULL); /* an infinite mapping has no end */

	/* MP_FAIL, MP_FASTCLOSE, MP_TCPRST, MP_PRIO backup */
	in(&(struct pkt_opts){C2S(50003), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01)});
	in(&(struct pkt_opts){C2S(50003), .flags = PKT_ACK,
			      OPT(30, 12, 0x60, 0, 1, 2, 3, 4, 5, 6, 7, 8)});
	in(&(struct pkt_opts){C2S(50003), .flags = PKT_ACK, OPT(30, 3, 0x51)});
	out_tc(&(struct pkt_opts){S2C(50003), .flags = PKT_ACK,
				  OPT(30, 12, 0x70, 0, 1, 2, 3, 4, 5, 6, 7, 8)});
	out_tc(&(struct pkt_opts){S2C(50003), .flags = PKT_RST, OPT(30, 4, 0x80, 1)});
	CHECK_EQ(obs_get("10.1.0.1", "10.1.0.2", 50003, 80, &v), 0);
	CHECK_EQ(v.flags,
		 XMP_OBS_F_FALLBACK | XMP_OBS_F_FASTCLOSE | XMP_OBS_F_TCPRST | XMP_OBS_F_BACKUP);
	CHECK_EQ(v.opt_seen, MP(0) | MP(MPTCPOPT_MP_FAIL) | MP(MPTCPOPT_MP_PRIO) |
				 MP(MPTCPOPT_MP_FASTCLOSE) | MP(MPTCPOPT_MP_TCPRST));

	/* an MP_JOIN subflow: token, address id, backup */
	in(&(struct pkt_opts){C2S(50004), .flags = PKT_SYN,
			      OPT(30, 12, 0x11, 5, 0x12, 0x34, 0x56, 0x78, 1, 1, 1, 1)});
	out_tc(&(struct pkt_opts){S2C(50004), .flags = PKT_SYN | PKT_ACK,
				  OPT(30, 16, 0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 1)});
	CHECK_EQ(obs_get("10.1.0.1", "10.1.0.2", 50004, 80, &v), 0);
	CHECK_EQ(v.kind, XMP_OBS_JOIN);
	CHECK_EQ(v.join_token, 0x12345678);
	CHECK_EQ(v.addr_id, 5);
	CHECK_EQ(v.flags, XMP_OBS_F_BACKUP | XMP_OBS_F_SYNACK_MP);

	/* a plain TCP SYN opens nothing */
	in(&(struct pkt_opts){C2S(50005), .flags = PKT_SYN, OPT(2, 4, 5, 0xb4)});
	CHECK(obs_get("10.1.0.1", "10.1.0.2", 50005, 80, &v) != 0);
}

/* A SYN sent by the host itself (TC) opens the entry with the host as the
 * SYN sender; observe off records nothing. */
static void observe_egress_syn_and_off(void)
{
	struct xmp_obs_val v;

	out_tc(&(struct pkt_opts){HOST_C(33000, 443), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01)});
	in(&(struct pkt_opts){PEER_S(33000, 443), .flags = PKT_SYN | PKT_ACK,
			      OPT(30, 12, 0x01, 0x01, 1, 2, 3, 4, 5, 6, 7, 8)});
	CHECK_EQ(obs_get("10.1.0.2", "10.1.0.1", 33000, 443, &v), 0);
	CHECK_EQ(v.packets[0], 1);
	CHECK_EQ(v.packets[1], 1);
	CHECK_EQ(v.key[1], 0x0102030405060708ULL);

	h_set_cfg(xs->obj, XMP_CFG_GUARD);
	in(&(struct pkt_opts){C2S(50006), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01)});
	out_tc(&(struct pkt_opts){HOST_C(33001, 443), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01)});
	CHECK(obs_get("10.1.0.1", "10.1.0.2", 50006, 80, &v) != 0);
	CHECK(obs_get("10.1.0.2", "10.1.0.1", 33001, 443, &v) != 0);
	h_set_cfg(xs->obj, XMP_CFG_OBSERVE | XMP_CFG_GUARD);
}

/* GSO skbs beyond 64 KB (BIG TCP) carry IPv4 total length 0: the payload
 * length then comes from skb->len. */
static void egress_length_from_skb(void)
{
	struct pkt_opts po = { S2C(50300), .flags = PKT_ACK,
			       OPT(30, 14, 0x20, 0x04, 0, 0, 0, 1, 0, 0, 0, 1, 0x03, 0xe8), PAY(1000) };
	struct xmp_obs_val v;
	struct pkt k;
	__u32 ret = ~0u;

	in(&(struct pkt_opts){ C2S(50300), .flags = PKT_SYN, OPT(30, 4, 0x01, 0x01) });
	pkt_build(&k, &po);
	k.b[k.l3 + 2] = k.b[k.l3 + 3] = 0;
	CHECK_EQ(h_run_skb(tc_fd, &k, &ret), 0);
	CHECK_EQ(ret, TC_ACT_OK);
	CHECK_EQ(obs_get("10.1.0.1", "10.1.0.2", 50300, 80, &v), 0);
	CHECK_EQ(v.bytes[1], 1000);
	CHECK_EQ(v.dsn_end[1], 1 + 1000);
}

/* Own the subflow 10.1.0.1:50100 -> 10.1.0.2:80 (ingress orientation). */
static void own(int port, int add)
{
	struct xmp_tuple t = {.sport = htons(port), .dport = htons(80)};
	struct xmp_sf_val v = {};

	addr4(&t.saddr, "10.1.0.1");
	addr4(&t.daddr, "10.1.0.2");
	if (add)
		CHECK_EQ(
		    bpf_map__update_elem(xs->maps.xmp_subflows, &t, sizeof(t), &v, sizeof(v), 0),
		    0);
	else
		bpf_map__delete_elem(xs->maps.xmp_subflows, &t, sizeof(t), 0);
}

static void guard_drops_rst_for_owned_tuples(void)
{
	struct pkt_opts rst = {S2C(50100), .flags = PKT_RST | PKT_ACK};
	struct h_stats s0, s1;

	h_stats(xs->obj, &s0);
	CHECK_EQ(out_tc(&rst), TC_ACT_OK); /* not owned */
	own(50100, 1);
	CHECK_EQ(out_tc(&rst), TC_ACT_SHOT);
	rst.flags = PKT_ACK;
	CHECK_EQ(out_tc(&rst), TC_ACT_OK); /* not a RST */
	rst.flags = PKT_RST;
	rst.dport = 50101;
	CHECK_EQ(out_tc(&rst), TC_ACT_OK); /* another tuple */
	rst.dport = 50100;
	h_set_cfg(xs->obj, XMP_CFG_OBSERVE);
	CHECK_EQ(out_tc(&rst), TC_ACT_OK); /* guard off */
	h_set_cfg(xs->obj, XMP_CFG_OBSERVE | XMP_CFG_GUARD);
	CHECK_EQ(out_tc(&rst), TC_ACT_SHOT);
	h_stats(xs->obj, &s1);
	CHECK_EQ(s1.c[XMP_C_GUARD_RST] - s0.c[XMP_C_GUARD_RST], 2);
	own(50100, 0);
}

/* An ICMP(v6) error of @type/@code into @icmp quoting the first @quote
 * bytes of @opts's packet (its IP header and the ports); returns the
 * message's length. */
static size_t icmp_error(__u8 *icmp, size_t size, __u8 type, __u8 code,
			 const struct pkt_opts *opts, size_t quote)
{
	struct pkt inner;

	pkt_build(&inner, opts);
	memset(icmp, 0, size);
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 8, inner.b, quote);
	return 8 + quote;
}

static void guard_drops_icmp_quoting_owned_tuples(void)
{
	__u8 icmp[8 + 128];
	struct pkt_opts q = {C2S(50200), .no_eth = 1, .flags = PKT_ACK};
	struct pkt_opts err = {S2C(50000), .proto = IPPROTO_ICMP, .payload = icmp};
	struct pkt_opts q6 = {.v6 = 1,
			      .src = "fd00::1",
			      .dst = "fd00::2",
			      .sport = 50200,
			      .dport = 80,
			      .no_eth = 1,
			      .flags = PKT_ACK};
	struct pkt_opts err6 = {
	    .v6 = 1, .src = "fd00::2", .dst = "fd00::1", .proto = IPPROTO_ICMPV6, .payload = icmp};
	struct xmp_tuple t6 = {.sport = htons(50200), .dport = htons(80)};
	struct xmp_sf_val v = {};
	struct h_stats s0, s1;

	/* ICMP port unreachable quoting the client's segment (RFC 792) */
	err.payload_len = icmp_error(icmp, sizeof(icmp), 3, 3, &q, 28);
	h_stats(xs->obj, &s0);
	CHECK_EQ(out_tc(&err), TC_ACT_OK);
	own(50200, 1);
	CHECK_EQ(out_tc(&err), TC_ACT_SHOT);
	icmp[0] = 8; /* echo request: not an error */
	CHECK_EQ(out_tc(&err), TC_ACT_OK);
	own(50200, 0);

	/* ICMPv6 destination unreachable (RFC 4443 3.1) */
	err6.payload_len = icmp_error(icmp, sizeof(icmp), 1, 4, &q6, 48);
	CHECK_EQ(out_tc(&err6), TC_ACT_OK);
	inet_pton(AF_INET6, "fd00::1", t6.saddr.a);
	inet_pton(AF_INET6, "fd00::2", t6.daddr.a);
	CHECK_EQ(bpf_map__update_elem(xs->maps.xmp_subflows, &t6, sizeof(t6), &v, sizeof(v), 0), 0);
	CHECK_EQ(out_tc(&err6), TC_ACT_SHOT);
	icmp[0] = 128; /* echo request */
	CHECK_EQ(out_tc(&err6), TC_ACT_OK);
	bpf_map__delete_elem(xs->maps.xmp_subflows, &t6, sizeof(t6), 0);
	h_stats(xs->obj, &s1);
	CHECK_EQ(s1.c[XMP_C_GUARD_ICMP] - s0.c[XMP_C_GUARD_ICMP], 2);
}

/* Egress parse problems count under the TX reasons, not the RX ones. */
static void egress_reasons_counted_apart(void)
{
	struct h_stats s0, s1;

	h_stats(xs->obj, &s0);
	CHECK_EQ(out_tc(&(struct pkt_opts){S2C(50000), .flags = PKT_ACK, OPT(2, 40, 5, 0xb4)}),
		 TC_ACT_OK);
	CHECK_EQ(
	    out_tc(&(struct pkt_opts){S2C(50000), .flags = PKT_ACK, OPT(30, 5, 0x20, 0x01, 0)}),
	    TC_ACT_OK);
	h_stats(xs->obj, &s1);
	CHECK_EQ(s1.c[XMP_C_TX_REASON_BASE + XMP_R_OPT_OVERRUN] -
		     s0.c[XMP_C_TX_REASON_BASE + XMP_R_OPT_OVERRUN],
		 1);
	CHECK_EQ(s1.c[XMP_C_TX_REASON_BASE + XMP_R_MPTCP_BAD_LEN] -
		     s0.c[XMP_C_TX_REASON_BASE + XMP_R_MPTCP_BAD_LEN],
		 1);
	CHECK_EQ(s1.c[XMP_C_REASON_BASE + XMP_R_OPT_OVERRUN] -
		     s0.c[XMP_C_REASON_BASE + XMP_R_OPT_OVERRUN],
		 0);
	CHECK_EQ(s1.c[XMP_C_TX_MPTCP] - s0.c[XMP_C_TX_MPTCP], 1);
	CHECK_EQ(s1.c[XMP_C_RX_PACKETS] - s0.c[XMP_C_RX_PACKETS], 0);
}

int main(void)
{
	if (h_need_root())
		return 4;
	libbpf_set_print(h_quiet);
	xs = xdp_steer_bpf__open();
	tc = tc_egress_bpf__open();
	if (!xs || !tc) {
		printf("not ok - open skeletons\n");
		return 1;
	}
	h_unpin(xs->obj);
	h_unpin(tc->obj);
	if (xdp_steer_bpf__load(xs) || h_share_maps(tc->obj, xs->obj) || tc_egress_bpf__load(tc)) {
		printf("not ok - load xdp_steer/tc_egress (XMP_TEST_VERBOSE=1 shows why)\n");
		return 1;
	}
	xdp_fd = bpf_program__fd(xs->progs.xdp_steer);
	tc_fd = bpf_program__fd(tc->progs.tc_egress);
	memset(pay, 0x33, sizeof(pay));
	h_set_cfg(xs->obj, XMP_CFG_OBSERVE | XMP_CFG_GUARD);

	RUN(observe_handshake_and_data_both_hooks);
	RUN(observe_fallbacks_and_events);
	RUN(observe_egress_syn_and_off);
	RUN(egress_length_from_skb);
	RUN(guard_drops_rst_for_owned_tuples);
	RUN(guard_drops_icmp_quoting_owned_tuples);
	RUN(egress_reasons_counted_apart);
	tc_egress_bpf__destroy(tc);
	xdp_steer_bpf__destroy(xs);
	return t_exit_code();
}

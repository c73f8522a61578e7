// SPDX-License-Identifier: GPL-2.0
/*
 * XDP parse+classify cost of bpf/xdp_steer.bpf.c in ns/packet, through
 * BPF_PROG_TEST_RUN with repeat, next to an empty XDP program
 * (bpf/bench_empty.bpf.c) measured in the same run: the empty program's
 * figure is the test-run harness's own cost per packet.
 *   build/bench/xdp_parse [REPEAT [ROUNDS]]   (default 2000000, 7; median)
 * Config as the loader sets it by default (observe + guard); the DSS flow
 * has an observe entry (its SYN is sent first), as a kernel MPTCP flow on
 * an attached interface would. Cases: dss_data (client -> server, the
 * SYN's direction), dss_data_rev (server -> client: found under the
 * reversed tuple), tcp_data (plain TCP with timestamps, no MPTCP: parse
 * and owned-subflow lookup only), non_tcp (UDP). The machine may be shared
 * and noisy: compare builds back to back, several runs each. Needs root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xmptcp/maps.h>

#include "lib/pkt.h"
#include "xdp_steer.skel.h"
#include "bench_empty.skel.h"

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Median over rounds of the kernel's mean ns per run; the fastest round
 * with XMP_BENCH_STAT=min (on a shared machine interference only ever adds
 * time, so many short rounds and their minimum compare builds better). */
static double measure(int fd, const struct pkt *k, __u32 repeat, int rounds)
{
	__u32 d[64];
	int i;

	for (i = 0; i < rounds; i++) {
		__u8 out[PKT_MAX + 64];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = (__u32)k->len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &o)) {
			perror("bench: BPF_PROG_TEST_RUN");
			exit(1);
		}
		d[i] = o.duration;
	}
	qsort(d, rounds, sizeof(d[0]), cmp_u32);
	if (getenv("XMP_BENCH_STAT") && !strcmp(getenv("XMP_BENCH_STAT"), "min"))
		return d[0];
	return d[rounds / 2];
}

static void run_once(int fd, const struct pkt *k)
{
	__u8 out[PKT_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = (__u32)k->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	bpf_prog_test_run_opts(fd, &o);
}

int main(int argc, char **argv)
{
	static __u8 pay[1400];
	/* TS + DSS (A, M: DATA_ACK 32-bit, DSN 64-bit, ssn, dll) as a
	 * Linux MPTCP data segment carries them */
	static const uint8_t dss_opt[] = {1,  1,  8,	10,   0, 0, 0,	  1,	0,    0,    0, 2,
					  30, 22, 0x20, 0x0d, 0, 0, 0x13, 0x88, 0,    0,    0, 0,
					  0,  0,  0x03, 0xe8, 0, 0, 0,	  1,	0x05, 0x78, 1, 1};
	struct pkt_opts dss = {.src = "10.9.0.1",
			       .dst = "10.9.0.2",
			       .sport = 40000,
			       .dport = 5201,
			       .flags = PKT_ACK,
			       .opt = dss_opt,
			       .opt_len = sizeof(dss_opt),
			       .payload = pay,
			       .payload_len = sizeof(pay)};
	/* the same flow server -> client, another flow without MPTCP (only
	 * the TS of dss_opt), the DSS flow's SYN (MP_CAPABLE), a UDP datagram */
	struct pkt_opts dss_rev = dss, tcp = dss, syn = dss, udp = dss;
	struct pkt kd, kr, kt, ks, ku;
	const struct {
		const char *name;
		struct pkt *k;
	} runs[] = {{"dss_data", &kd}, {"dss_data_rev", &kr}, {"tcp_data", &kt}, {"non_tcp", &ku}};
	double t_empty, t;
	__u32 repeat = argc > 1 ? (__u32)strtoul(argv[1], NULL, 0) : 2000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	struct xdp_steer_bpf *xs;
	struct bench_empty_bpf *be;
	struct xmp_config cfg = {.flags = XMP_CFG_OBSERVE | XMP_CFG_GUARD};
	struct bpf_map *m;
	__u32 zero = 0;
	int xfd, efd;
	size_t i;

	if (geteuid() != 0) {
		fprintf(stderr, "xdp_parse: needs root (BPF_PROG_TEST_RUN); run as root\n");
		return 4;
	}
	if (rounds < 1 || rounds > 64 || !repeat) {
		fprintf(stderr, "usage: xdp_parse [REPEAT [ROUNDS(1..64)]]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	xs = xdp_steer_bpf__open();
	be = bench_empty_bpf__open_and_load();
	if (!xs || !be) {
		fprintf(stderr, "xdp_parse: cannot open the BPF objects\n");
		return 1;
	}
	bpf_object__for_each_map(m, xs->obj) bpf_map__set_pin_path(m, NULL);
	if (xdp_steer_bpf__load(xs)) {
		fprintf(stderr, "xdp_parse: cannot load xdp_steer\n");
		return 1;
	}
	if (getenv("XMP_BENCH_CFG")) /* e.g. 0: observe and guard off */
		cfg.flags = (__u32)strtoul(getenv("XMP_BENCH_CFG"), NULL, 0);
	bpf_map__update_elem(xs->maps.xmp_config, &zero, sizeof(zero), &cfg, sizeof(cfg), 0);
	xfd = bpf_program__fd(xs->progs.xdp_steer);
	efd = bpf_program__fd(be->progs.xdp_empty);

	dss_rev.src = dss.dst, dss_rev.dst = dss.src;
	dss_rev.sport = dss.dport, dss_rev.dport = dss.sport;
	tcp.dst = "10.9.0.3", tcp.sport = 40001, tcp.dport = 80, tcp.opt_len = 12;
	syn.flags = PKT_SYN, syn.opt = (const uint8_t[]){30, 4, 0x01, 0x01}, syn.opt_len = 4;
	syn.payload = NULL, syn.payload_len = 0;
	memset(&udp, 0, sizeof(udp));
	udp.src = dss.src, udp.dst = dss.dst, udp.proto = IPPROTO_UDP;
	udp.payload = pay, udp.payload_len = 64;
	pkt_build(&kd, &dss);
	pkt_build(&kr, &dss_rev);
	pkt_build(&kt, &tcp);
	pkt_build(&ks, &syn);
	pkt_build(&ku, &udp);
	run_once(xfd, &ks); /* opens the observe entry of the DSS flow */

	t_empty = measure(efd, &kd, repeat, rounds);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		t = measure(xfd, runs[i].k, repeat, rounds);
		printf("xdp_parse %s: %.1f ns/pkt (x%.1f vs empty %.1f)\n", runs[i].name, t,
		       t / t_empty, t_empty);
	}
	printf("xdp_parse empty: %.1f ns/pkt\n", t_empty);
	bench_empty_bpf__destroy(be);
	xdp_steer_bpf__destroy(xs);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Packet rate of the user/io/ AF_XDP path next to the kernel's packet
 * socket path, measured in the same run on one veth pair between two
 * private network namespaces (A: ours, xa0; B: traffic, xb0):
 *   rx: B blasts 64-byte-payload TCP segments of a subflow A owns through
 *       AF_PACKET; A counts them with an AF_PACKET socket (kernel path,
 *       no XDP), then through xdp_steer (native XDP) + our XSK (copy mode).
 *   tx: A sends the same frames for the same time with AF_PACKET sendto()
 *       per frame, then with xmp_xsk_tx_queue() in batches of 64.
 * Prints pps and the ratio ours/kernel. The sender runs in a child
 * process; on 2 cores it can be the limit, so the rate it reached is
 * printed too.  Usage: build/bench/xsk_pps [SECONDS] (default 1). Root.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "io/addr.h"
#include "io/owned.h"
#include "io/pkt.h"
#include "io/xsk.h"
#include "xdp_steer.skel.h"

#define BATCH 64

static int ns_a, ns_b, ifindex_a;
static __u8 frame_ba[128], frame_ab[128];
static int frame_len;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sh(const char *cmd)
{
	return system(cmd) ? -1 : 0;
}

static int get_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -1;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	return err;
}

/* One direction of the test subflow: an ACK carrying s's payload from
 * (mac, ip, port) src to dst; returns the frame's length or -errno. */
static int build_dir(__u8 *frame, size_t size, struct xmp_pkt_hdrs *h, struct xmp_seg *s,
		     const __u8 *src_mac, const char *src, __u16 sport, const __u8 *dst_mac,
		     const char *dst, __u16 dport)
{
	memcpy(h->src_mac, src_mac, 6);
	memcpy(h->dst_mac, dst_mac, 6);
	xmp_addr_parse(&h->saddr, src);
	xmp_addr_parse(&h->daddr, dst);
	s->sport = sport;
	s->dport = dport;
	return xmp_pkt_build(frame, size, h, s);
}

static int setup(void)
{
	char cmd[256];
	__u8 mac_a[6], mac_b[6];
	struct xmp_pkt_hdrs h = {};
	struct xmp_seg s = {};
	static __u8 payload[64];

	if (unshare(CLONE_NEWNET))
		return -1;
	ns_a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (unshare(CLONE_NEWNET))
		return -1;
	ns_b = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (sh("ip link set lo up") || setns(ns_a, CLONE_NEWNET))
		return -1;
	snprintf(cmd, sizeof(cmd), "ip link add xa0 type veth peer name xb0 netns /proc/%d/fd/%d",
		 getpid(), ns_b);
	if (sh("ip link set lo up") || sh(cmd) || sh("ip addr add 10.77.0.1/24 dev xa0") ||
	    sh("ip link set xa0 up") || sh("ethtool -K xa0 tx off >/dev/null 2>&1") ||
	    get_mac("xa0", mac_a))
		return -1;
	ifindex_a = (int)if_nametoindex("xa0");
	if (setns(ns_b, CLONE_NEWNET) || sh("ip addr add 10.77.0.2/24 dev xb0") ||
	    sh("ip link set xb0 up") || sh("ethtool -K xb0 tx off >/dev/null 2>&1") ||
	    get_mac("xb0", mac_b) || setns(ns_a, CLONE_NEWNET))
		return -1;
	usleep(300000); /* carrier through linkwatch */

	/* B -> A: an ACK with 64 bytes of a subflow A owns; A -> B the reverse */
	s.seq = 1;
	s.ack = 1;
	s.flags = XMP_TH_ACK;
	s.wnd = 1000;
	s.payload = payload;
	s.len = sizeof(payload);
	frame_len = build_dir(frame_ba, sizeof(frame_ba), &h, &s, mac_b, "10.77.0.2", 5555, mac_a,
			      "10.77.0.1", 6666);
	return build_dir(frame_ab, sizeof(frame_ab), &h, &s, mac_a, "10.77.0.1", 6666, mac_b,
			 "10.77.0.2", 5555) == frame_len ? 0 : -1;
}

static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL)), one = 1;

	if (fd < 0)
		return -1;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* AF_PACKET sendto() loop for secs; returns frames sent. */
static unsigned long blast(const char *ifname, const __u8 *frame, double secs)
{
	int fd = packet_socket(ifname);
	unsigned long sent = 0;
	double end = now_s() + secs;
	int i;

	if (fd < 0)
		return 0;
	while (now_s() < end)
		for (i = 0; i < 256; i++)
			if (send(fd, frame, frame_len, 0) == frame_len)
				sent++;
	close(fd);
	return sent;
}

/* Child in B sending for secs; its count comes back through a pipe. */
static pid_t start_sender(int pfd[2], double secs)
{
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		unsigned long n;

		if (setns(ns_b, CLONE_NEWNET))
			_exit(1);
		usleep(50000);
		n = blast("xb0", frame_ba, secs);
		if (write(pfd[1], &n, sizeof(n)) != sizeof(n))
			_exit(1);
		_exit(0);
	}
	return pid;
}

static unsigned long finish_sender(pid_t pid, int pfd[2])
{
	unsigned long n = 0;

	if (read(pfd[0], &n, sizeof(n)) != sizeof(n))
		n = 0;
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	close(pfd[1]);
	return n;
}

static double rx_kernel(double secs, unsigned long *sent)
{
	int fd = packet_socket("xa0"), pfd[2];
	struct sockaddr_ll from;
	socklen_t fl;
	unsigned long got = 0;
	__u8 buf[2048];
	double t0, end;
	pid_t pid;

	pid = start_sender(pfd, secs);
	t0 = now_s();
	end = t0 + secs + 0.1;
	while (now_s() < end) {
		fl = sizeof(from);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) == frame_len &&
		    from.sll_pkttype != PACKET_OUTGOING)
			got++;
	}
	*sent = finish_sender(pid, pfd);
	close(fd);
	return got / secs;
}

static double rx_xsk(struct xmp_xsk *x, double secs, unsigned long *sent)
{
	struct xmp_xsk_pkt pk[BATCH];
	unsigned long got = 0;
	double end;
	unsigned int n;
	int pfd[2];
	pid_t pid;

	pid = start_sender(pfd, secs);
	end = now_s() + secs + 0.1;
	while (now_s() < end) {
		n = xmp_xsk_rx(x, pk, BATCH);
		got += n;
		xmp_xsk_rx_release(x, pk, n);
	}
	*sent = finish_sender(pid, pfd);
	return got / secs;
}

static double tx_xsk(struct xmp_xsk *x, double secs)
{
	__u64 start = xmp_xsk_stats(x)->tx_packets;
	double end = now_s() + secs;
	__u32 cap;
	__u8 *buf;
	int i;

	while (now_s() < end) {
		for (i = 0; i < BATCH; i++) {
			buf = xmp_xsk_tx_alloc(x, &cap);
			if (!buf)
				break;
			memcpy(buf, frame_ab, frame_len);
			if (xmp_xsk_tx_queue(x, buf, frame_len))
				break;
		}
		xmp_xsk_tx_flush(x);
	}
	return (xmp_xsk_stats(x)->tx_packets - start) / secs;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0, k, o;
	struct xmp_xsk_cfg xc = { .ifname = "xa0", .bind_flags = XDP_COPY };
	struct xdp_steer_bpf *skel;
	struct xmp_owned own;
	struct xmp_tuple t;
	struct xmp_addr pa, la;
	struct xmp_xsk *x = NULL;
	struct bpf_map *m;
	unsigned long sk, sx;

	if (geteuid()) {
		fprintf(stderr, "xsk_pps: needs root\n");
		return 4;
	}
	if (secs <= 0)
		secs = 1.0;
	if (setup()) {
		fprintf(stderr, "xsk_pps: cannot build the namespaces\n");
		return 1;
	}
	k = rx_kernel(secs, &sk);

	skel = xdp_steer_bpf__open();
	if (!skel)
		return 1;
	bpf_object__for_each_map(m, skel->obj)
		bpf_map__set_pin_path(m, NULL);
	if (xdp_steer_bpf__load(skel) ||
	    bpf_xdp_attach(ifindex_a, bpf_program__fd(skel->progs.xdp_steer), XDP_FLAGS_DRV_MODE,
			   NULL)) {
		fprintf(stderr, "xsk_pps: cannot attach xdp_steer\n");
		return 1;
	}
	xc.xsks_map_fd = bpf_map__fd(skel->maps.xmp_xsks);
	xc.ifslots_map_fd = bpf_map__fd(skel->maps.xmp_ifslots);
	if (xmp_xsk_open(&x, &xc) ||
	    xmp_owned_from_fds(&own, bpf_map__fd(skel->maps.xmp_listeners),
			       bpf_map__fd(skel->maps.xmp_subflows),
			       bpf_map__fd(skel->maps.xmp_tokens))) {
		fprintf(stderr, "xsk_pps: cannot open the XSK\n");
		return 1;
	}
	xmp_addr_parse(&pa, "10.77.0.2");
	xmp_addr_parse(&la, "10.77.0.1");
	xmp_tuple_make(&t, &pa, 5555, &la, 6666);
	xmp_owned_add_subflow(&own, &t, 1);
	o = rx_xsk(x, secs, &sx);
	printf("rx 64B-payload TCP, veth, native XDP + XSK copy mode vs kernel AF_PACKET:\n");
	printf("  kernel AF_PACKET rx   %10.0f pps  (sender %10.0f pps)\n", k, sk / secs);
	printf("  xmptcp XSK rx         %10.0f pps  (sender %10.0f pps)\n", o, sx / secs);
	printf("  ratio xsk/kernel      %10.2f\n", k > 0 ? o / k : 0);

	k = blast("xa0", frame_ab, secs) / secs;
	o = tx_xsk(x, secs);
	printf("tx same frames from A:\n");
	printf("  kernel AF_PACKET tx   %10.0f pps\n", k);
	printf("  xmptcp XSK tx (b=%d)  %10.0f pps\n", BATCH, o);
	printf("  ratio xsk/kernel      %10.2f\n", k > 0 ? o / k : 0);

	xmp_xsk_close(x);
	xmp_owned_close(&own);
	bpf_xdp_detach(ifindex_a, XDP_FLAGS_DRV_MODE, NULL);
	xdp_steer_bpf__destroy(skel);
	return 0;
}

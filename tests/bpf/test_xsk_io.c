// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end test of user/io/ (root): two private network namespaces made
 * with unshare(CLONE_NEWNET) -- "A" (ours) and "B" (the kernel peer) --
 * joined by the veth pair xa0 (A, 10.77.0.1, fd77::1) / xb0 (B, 10.77.0.2,
 * fd77::2), TX checksum offload off on both (veth would otherwise hand out
 * CHECKSUM_PARTIAL frames whose TCP checksum holds only the pseudo-header).
 *
 * In A: bpf/xdp_steer.bpf.c attached to xa0 through its skeleton (maps not
 * pinned), our XSK registered in xmp_xsks, a port reserved and published
 * as an owned listener. In B: the kernel's MPTCP connect()s to it. We
 * assert the SYN reaches the XSK (XDP classified it LISTENER: only owned
 * frames are redirected) with valid xmp_meta (MP_CAPABLE offset), answer
 * with a SYN-ACK built by pkt.c through XSK TX, see it arrive intact on xb0
 * (AF_PACKET in B, checksums valid), and see the kernel complete the
 * handshake: connect() succeeds and its MP_CAPABLE ACK echoing our key
 * reaches the XSK as an owned SUBFLOW segment, both with their options
 * taken where XDP located them (no walk) when there is metadata. This
 * runs once with native (driver) XDP, maps used by fd, and once with
 * generic (skb) XDP, maps pinned in a temporary bpffs directory and opened
 * by name as the controller does. Both work on veth; the XSK is bound
 * with XDP_COPY (veth has no zero-copy) and gets xmp_meta in both modes.
 * Each runs again with xdp_steer loaded without metadata (as attach does
 * with --no-meta or where the kernel refuses bpf_xdp_adjust_meta): frames
 * then arrive without it and userspace parses them itself.
 *
 * Route/neighbour lookup (route.c) and port reservation (portres.c) are
 * exercised in the same namespaces. The namespaces have no name and no
 * bind mount: they vanish with this process, whatever way it exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/test.h"
#include "common/log.h"
#include "io/addr.h"
#include "io/features.h"
#include "io/owned.h"
#include "io/pkt.h"
#include "io/portres.h"
#include "io/route.h"
#include "io/xsk.h"
#include "xdp_steer.skel.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

#define IF_A	"xa0"
#define IF_B	"xb0"
#define ADDR_A	"10.77.0.1"
#define ADDR_B	"10.77.0.2"
#define ADDR6_A	"fd77::1"
#define ADDR6_B	"fd77::2"
#define OUR_KEY	0x0123456789abcdefULL

static int ns_a = -1, ns_b = -1;
static int ifindex_a;
static __u8 mac_b[6];

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int enter(int ns)
{
	return setns(ns, CLONE_NEWNET);
}

/* Runs a shell command (in the current netns); 0 when it exits 0. */
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st) {
		printf("# command failed (%d): %s\n", st, cmd);
		return -1;
	}
	return 0;
}

static int get_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

static int open_ns_self(void)
{
	return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

/* Carrier up and an IPv6 link-local address usable (no DAD in these netns). */
static bool link_ready(const char *ifname)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "ip link show dev %s | grep -q LOWER_UP && ! ip link show dev %s | grep -q NO-CARRIER"
		 " && ip -6 addr show dev %s scope link | grep -q inet6", ifname, ifname, ifname);
	return !system(cmd);
}

static int setup_netns(void)
{
	/* no DAD: a tentative link-local address would make the first
	 * neighbour solicitations go out from :: and look like DAD probes */
	const char *nodad = "sysctl -qw net.ipv6.conf.default.accept_dad=0";
	const char *q = ">/dev/null 2>&1";
	int i;

	if (unshare(CLONE_NEWNET))
		return -errno;
	ns_a = open_ns_self();
	if (sh(nodad) || unshare(CLONE_NEWNET))
		return -errno;
	ns_b = open_ns_self();
	if (sh(nodad) || ns_a < 0 || ns_b < 0 || enter(ns_a))
		return -errno;
	if (sh("ip link set lo up") ||
	    sh("ip link add " IF_A " type veth peer name " IF_B " netns /proc/%d/fd/%d", getpid(),
	       ns_b) ||
	    sh("ip addr add " ADDR_A "/24 dev " IF_A) ||
	    sh("ip addr add " ADDR6_A "/64 dev " IF_A " nodad") ||
	    sh("ip link set " IF_A " up") || sh("ethtool -K " IF_A " tx off %s", q))
		return -EIO;
	ifindex_a = (int)if_nametoindex(IF_A);
	if (enter(ns_b))
		return -errno;
	if (sh("ip link set lo up") || sh("ip addr add " ADDR_B "/24 dev " IF_B) ||
	    sh("ip addr add " ADDR6_B "/64 dev " IF_B " nodad") ||
	    sh("ip link set " IF_B " up") || sh("ethtool -K " IF_B " tx off %s", q) ||
	    get_mac(IF_B, mac_b))
		return -EIO;
	/* Carrier reaches each end through linkwatch (up to a second later),
	 * and until then frames are dropped and the kernel has no link-local
	 * source for neighbour solicitations: wait for both ends. */
	for (i = 0; i < 50 && !link_ready(IF_B); i++)
		usleep(100000);
	if (enter(ns_a))
		return -errno;
	for (; i < 50 && !link_ready(IF_A); i++)
		usleep(100000);
	return i < 50 ? 0 : -ETIMEDOUT;
}

/* --- a temporary pin directory (bpffs is the host's: always removed) --- */

static char pin_dir[64];
static const char *const pin_names[] = { XMP_MAP_LISTENERS, XMP_MAP_SUBFLOWS, XMP_MAP_TOKENS,
					 XMP_MAP_XSKS, XMP_MAP_IFSLOTS };

static void pins_remove(void)
{
	char path[128];
	size_t i;

	if (!pin_dir[0])
		return;
	for (i = 0; i < sizeof(pin_names) / sizeof(pin_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, pin_names[i]);
		unlink(path);
	}
	rmdir(pin_dir);
	pin_dir[0] = '\0';
}

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* A fresh machine may not have bpffs mounted yet: mount it at /sys/fs/bpf
 * as `xmptcp attach` does (user/ctl/pin.c), so pinning can work. */
static int bpffs_ensure(void)
{
	struct statfs st;

	if (!statfs("/sys/fs/bpf", &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return -errno;
	printf("# mounted bpffs at /sys/fs/bpf\n");
	return 0;
}

/* Pins the maps the I/O layer opens by name, as `xmptcp attach` would. */
static int pins_make(struct xdp_steer_bpf *skel)
{
	struct bpf_map *maps[] = { skel->maps.xmp_listeners, skel->maps.xmp_subflows,
				   skel->maps.xmp_tokens,    skel->maps.xmp_xsks,
				   skel->maps.xmp_ifslots };
	char path[128];
	size_t i;
	int err = bpffs_ensure();

	if (err)
		return err;
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/xmptcp-test-io-%d", getpid());
	if (mkdir(pin_dir, 0700))
		return -errno;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, pin_names[i]);
		if (bpf_map__pin(maps[i], path))
			return -errno;
	}
	return 0;
}

/* --- port reservation (namespace A) --- */

static int try_bind(int family, const char *addr, __u16 port)
{
	struct xmp_addr a = {};
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, err = 0;

	if (addr && xmp_addr_parse(&a, addr))
		return -EINVAL;
	sl = xmp_addr_to_sockaddr(&a, port, &ss);
	if (family == AF_INET && !addr) {
		xmp_addr_from_v4(&a, 0);
		sl = xmp_addr_to_sockaddr(&a, port, &ss);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, sl))
		err = -errno;
	close(fd);
	return err;
}

static void t_port_reserve(void)
{
	struct xmp_portres r, w, lo, hi;
	struct xmp_addr a;
	int fd, err;

	CHECK_EQ(xmp_addr_parse(&a, ADDR_A), 0);
	CHECK_EQ(xmp_port_reserve(&r, &a, 0), 0);
	CHECK(r.port > 0);
	/* nobody else gets it, on that address or the wildcard */
	CHECK_EQ(try_bind(AF_INET, ADDR_A, r.port), -EADDRINUSE);
	CHECK_EQ(try_bind(AF_INET, NULL, r.port), -EADDRINUSE);
	/* a second reservation of the same port fails too */
	CHECK_EQ(xmp_port_reserve(&w, &a, r.port), -EADDRINUSE);
	xmp_port_release(&r);
	CHECK_EQ(try_bind(AF_INET, ADDR_A, r.port), 0);
	xmp_port_release(&r); /* idempotent */

	/* wildcard reservation: [::] without V6ONLY holds IPv4 too */
	CHECK_EQ(xmp_port_reserve(&w, NULL, 0), 0);
	CHECK_EQ(try_bind(AF_INET, ADDR_A, w.port), -EADDRINUSE);
	CHECK_EQ(try_bind(AF_INET6, ADDR6_A, w.port), -EADDRINUSE);
	xmp_port_release(&w);

	/* the kernel's ephemeral choice skips a reserved port: with a range
	 * of two ports and the first reserved, bind(0) gets the second, then
	 * nothing */
	if (sh("sysctl -qw net.ipv4.ip_local_port_range='40000 40001'"))
		SKIP("cannot set ip_local_port_range");
	CHECK_EQ(xmp_port_reserve(&lo, &a, 40000), 0);
	CHECK_EQ(xmp_port_reserve(&hi, &a, 0), 0);
	CHECK_EQ(hi.port, 40001);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	err = 0;
	{
		struct sockaddr_in sin = { .sin_family = AF_INET };

		sin.sin_addr.s_addr = inet_addr(ADDR_A);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			err = -errno;
	}
	CHECK_EQ(err, -EADDRINUSE);
	close(fd);
	xmp_port_release(&lo);
	xmp_port_release(&hi);
	sh("sysctl -qw net.ipv4.ip_local_port_range='32768 60999'");
}

/* --- route and neighbour lookup (namespace A) --- */

static void t_route_neigh(void)
{
	struct xmp_route_cache *c;
	struct xmp_route r;
	struct xmp_addr dst, want_src;
	__u64 hits, misses, resolves, t0;
	int err;

	CHECK_EQ(xmp_route_cache_new(&c, 0, 300), 0);
	if (!c)
		return;
	sh("ip neigh flush dev " IF_A);
	/* no neighbour entry yet: resolved through NTF_USE */
	xmp_addr_parse(&dst, ADDR_B);
	xmp_addr_parse(&want_src, ADDR_A);
	err = xmp_route_lookup(c, &dst, &r);
	CHECK_EQ(err, 0);
	CHECK_EQ(r.ifindex, ifindex_a);
	CHECK(xmp_addr_eq(&r.src, &want_src));
	CHECK(xmp_addr_eq(&r.nexthop, &dst));
	CHECK(!r.has_gateway);
	CHECK_MEM(r.dst_mac, mac_b, 6);
	CHECK_EQ(r.mtu, 1500);
	xmp_route_cache_stats(c, &hits, &misses, &resolves);
	CHECK_EQ(resolves, 1);
	CHECK_EQ(misses, 1);
	{
		/* a frame built along the route is addressed right */
		struct xmp_pkt_hdrs h;
		struct xmp_seg sg = { .sport = 1, .dport = 2, .flags = XMP_TH_RST };
		struct xmp_frame f;
		__u8 fb[128], mac_a[6];
		int fl;

		xmp_route_fill_hdrs(&r, &h);
		fl = xmp_pkt_build(fb, sizeof(fb), &h, &sg);
		CHECK_EQ(xmp_pkt_parse(fb, fl, NULL, XMP_PKT_F_CSUM, &f), 0);
		CHECK_MEM(f.dst_mac, mac_b, 6);
		CHECK_EQ(get_mac(IF_A, mac_a), 0);
		CHECK_MEM(f.src_mac, mac_a, 6);
		CHECK(xmp_addr_eq(&f.saddr, &want_src));
		CHECK(xmp_addr_eq(&f.daddr, &dst));
	}
	/* second lookup: from the cache */
	CHECK_EQ(xmp_route_lookup(c, &dst, &r), 0);
	xmp_route_cache_stats(c, &hits, &misses, &resolves);
	CHECK_EQ(hits, 1);
	/* IPv6: neighbour discovery the same way */
	xmp_addr_parse(&dst, ADDR6_B);
	xmp_addr_parse(&want_src, ADDR6_A);
	CHECK_EQ(xmp_route_lookup(c, &dst, &r), 0);
	CHECK(xmp_addr_eq(&r.src, &want_src));
	CHECK_MEM(r.dst_mac, mac_b, 6);
	/* a gateway route: the next hop is the gateway */
	sh("ip route add 198.51.100.0/24 via " ADDR_B);
	xmp_addr_parse(&dst, "198.51.100.9");
	CHECK_EQ(xmp_route_lookup(c, &dst, &r), 0);
	CHECK(r.has_gateway);
	xmp_addr_parse(&want_src, ADDR_B);
	CHECK(xmp_addr_eq(&r.nexthop, &want_src));
	CHECK_MEM(r.dst_mac, mac_b, 6);
	/* errors: no route, a local address, a neighbour nobody answers for */
	xmp_addr_parse(&dst, "203.0.113.1");
	CHECK_EQ(xmp_route_lookup(c, &dst, &r), -ENETUNREACH);
	xmp_addr_parse(&dst, ADDR_A);
	CHECK_EQ(xmp_route_lookup(c, &dst, &r), -EHOSTUNREACH);
	xmp_addr_parse(&dst, "10.77.0.99");
	t0 = now_ms();
	CHECK_EQ(xmp_route_lookup(c, &dst, &r), -EHOSTUNREACH);
	CHECK(now_ms() - t0 < 2000); /* bounded by resolve_ms, not hanging */
	xmp_route_cache_free(c);
}

/* --- XDP + XSK end to end --- */

struct e2e {
	struct xdp_steer_bpf *skel;
	struct xmp_xsk *x;
	struct xmp_owned own;
	struct xmp_portres port;
	int cli;	/* kernel MPTCP client in B */
	int pkt;	/* AF_PACKET on xb0 in B */
	__u32 xdp_flags;
};

static int e2e_attach(struct e2e *e, __u32 mode, bool meta)
{
	struct bpf_map *m;
	int err;

	e->skel = xdp_steer_bpf__open();
	if (!e->skel)
		return -errno;
	/* private maps: nothing pinned, nothing to clean up */
	bpf_object__for_each_map(m, e->skel->obj)
		bpf_map__set_pin_path(m, NULL);
	e->skel->rodata->xmp_use_meta = meta;
	err = xdp_steer_bpf__load(e->skel);
	if (err)
		return err;
	e->xdp_flags = mode;
	err = bpf_xdp_attach(ifindex_a, bpf_program__fd(e->skel->progs.xdp_steer), mode, NULL);
	if (err)
		e->xdp_flags = 0;
	return err;
}

static int open_peer(struct e2e *e, __u16 port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int err = 0;

	if (enter(ns_b))
		return -errno;
	e->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	sll.sll_ifindex = (int)if_nametoindex(IF_B);
	if (e->pkt < 0 || bind(e->pkt, (struct sockaddr *)&sll, sizeof(sll)))
		err = -errno;
	e->cli = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_MPTCP);
	if (!err && e->cli < 0)
		err = -errno;
	sin.sin_addr.s_addr = inet_addr(ADDR_A);
	if (!err && connect(e->cli, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS)
		err = -errno;
	if (enter(ns_a) && !err)
		err = -errno;
	return err;
}

typedef bool (*frame_pred)(const struct xmp_frame *f, void *arg);

/* Receives from the XSK until pred matches or timeout. The frame is copied
 * to out and parsed there again, checksums verified, with the metadata XDP
 * wrote (copied to meta_out) if it came with some: into fr, which points
 * into out and meta_out. */
static int xsk_expect(struct xmp_xsk *x, frame_pred pred, void *arg, __u8 *out,
		      struct xmp_frame *fr, struct xmp_meta *meta_out, bool *has_meta,
		      int timeout_ms)
{
	__u64 deadline = now_ms() + timeout_ms;
	struct xmp_xsk_pkt pk[16];
	struct xmp_frame f;
	unsigned int n, i;
	int found = -ETIMEDOUT;
	__u32 len = 0;

	while (found && now_ms() < deadline) {
		xmp_xsk_wait(x, 50);
		n = xmp_xsk_rx(x, pk, 16);
		for (i = 0; i < n; i++) {
			if (!found || xmp_pkt_parse(pk[i].data, pk[i].len, pk[i].meta, 0, &f) ||
			    !pred(&f, arg))
				continue;
			memcpy(out, pk[i].data, pk[i].len);
			len = pk[i].len;
			*has_meta = pk[i].meta != NULL;
			if (pk[i].meta)
				*meta_out = *pk[i].meta;
			found = 0;
		}
		xmp_xsk_rx_release(x, pk, n);
	}
	if (found)
		return found;
	return xmp_pkt_parse(out, len, *has_meta ? meta_out : NULL, XMP_PKT_F_CSUM, fr);
}

static bool is_syn_to(const struct xmp_frame *f, void *arg)
{
	return f->seg.flags == XMP_TH_SYN && f->seg.dport == *(__u16 *)arg;
}

static bool is_ack_to(const struct xmp_frame *f, void *arg)
{
	return f->seg.flags == XMP_TH_ACK && f->seg.dport == *(__u16 *)arg;
}

/* SYN-ACK answering syn: MSS, MP_CAPABLE with our key (RFC 8684 3.1). */
static int build_synack(const struct xmp_frame *syn, __u8 *buf, __u32 space)
{
	struct xmp_pkt_hdrs h;
	struct xmp_seg s = {};
	__u64 key = OUR_KEY;
	int i;

	xmp_pkt_reply_hdrs(syn, &h);
	s.sport = syn->seg.dport;
	s.dport = syn->seg.sport;
	s.seq = 0xfffffe00;
	s.ack = syn->seg.seq + 1;
	s.flags = XMP_TH_SYN | XMP_TH_ACK;
	s.wnd = 65535;
	s.opts[0] = TCPOPT_MSS_;
	s.opts[1] = TCPOLEN_MSS_;
	s.opts[2] = 1460 >> 8;
	s.opts[3] = 1460 & 0xff;
	s.opts[4] = TCPOPT_MPTCP;
	s.opts[5] = MPTCPOLEN_MPC_SYNACK;
	s.opts[6] = MPTCPOPT_MP_CAPABLE << 4 | MPTCP_VERSION_1;
	s.opts[7] = MPTCP_CAP_HMAC_SHA256;
	for (i = 0; i < 8; i++)
		s.opts[8 + i] = (__u8)(key >> (56 - 8 * i));
	s.optlen = 16;
	return xmp_pkt_build(buf, space, &h, &s);
}

/* Waits on AF_PACKET in B for an incoming frame equal to want. */
static int peer_expect(int fd, const __u8 *want, __u32 want_len, int timeout_ms)
{
	__u64 deadline = now_ms() + timeout_ms;
	struct sockaddr_ll from;
	socklen_t fl;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct xmp_frame f;
	__u8 buf[2048];
	ssize_t n;

	while (now_ms() < deadline) {
		poll(&pfd, 1, 50);
		for (;;) {
			fl = sizeof(from);
			n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n < 0)
				break;
			if (from.sll_pkttype == PACKET_OUTGOING || (__u32)n != want_len ||
			    memcmp(buf, want, n))
				continue;
			/* checksums are right as received */
			return xmp_pkt_parse(buf, (__u32)n, NULL, XMP_PKT_F_CSUM, &f);
		}
	}
	return -ETIMEDOUT;
}

static int wait_connected(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl))
		return -errno;
	return -soerr;
}

static void e2e_cleanup(struct e2e *e)
{
	if (e->cli >= 0)
		close(e->cli);
	if (e->pkt >= 0)
		close(e->pkt);
	xmp_xsk_close(e->x);
	xmp_owned_close(&e->own);
	xmp_port_release(&e->port);
	if (e->xdp_flags)
		bpf_xdp_detach(ifindex_a, e->xdp_flags, NULL);
	xdp_steer_bpf__destroy(e->skel);
	pins_remove();
}

static void check_e2e(__u32 mode, bool by_pin, bool with_meta)
{
	struct e2e e = { .cli = -1, .pkt = -1, .port.fd = -1,
			 .own = { -1, -1, -1 } };
	struct xmp_xsk_cfg xc = { .ifname = IF_A, .bind_flags = XDP_COPY, .pin_dir = NULL };
	struct xmp_frame syn, ack;
	struct xmp_meta meta;
	struct xmp_tuple tup;
	struct xmp_addr la;
	__u8 synbuf[2048], ackbuf[2048], out[256];
	__u64 syns = 0, key = 0;
	bool has_meta = false;
	int err, len, off, i;
	__u16 port;

	if (with_meta && xmp_probe_xdp_meta() != 1)
		SKIP("kernel refuses bpf_xdp_adjust_meta");
	err = e2e_attach(&e, mode, with_meta);
	if (err) {
		printf("# XDP attach in %s mode: %s\n",
		       mode == XDP_FLAGS_DRV_MODE ? "native" : "generic", strerror(-err));
		CHECK_EQ(err, 0);
		goto out;
	}
	if (by_pin) {
		/* as the controller does: everything found by name in the pin dir */
		CHECK_EQ(pins_make(e.skel), 0);
		xc.xsks_map_fd = -1;
		xc.ifslots_map_fd = -1;
		xc.pin_dir = pin_dir;
		CHECK_EQ(xmp_owned_open(&e.own, pin_dir), 0);
	} else {
		xc.xsks_map_fd = bpf_map__fd(e.skel->maps.xmp_xsks);
		xc.ifslots_map_fd = bpf_map__fd(e.skel->maps.xmp_ifslots);
		CHECK_EQ(xmp_owned_from_fds(&e.own, bpf_map__fd(e.skel->maps.xmp_listeners),
					    bpf_map__fd(e.skel->maps.xmp_subflows),
					    bpf_map__fd(e.skel->maps.xmp_tokens)), 0);
	}
	CHECK_EQ(xmp_xsk_open(&e.x, &xc), 0);
	if (!e.x || t_cur_failed)
		goto out;
	CHECK(!xmp_xsk_zerocopy(e.x));
	xmp_addr_parse(&la, ADDR_A);
	CHECK_EQ(xmp_port_reserve(&e.port, &la, 0), 0);
	port = e.port.port;
	CHECK_EQ(xmp_owned_add_listener(&e.own, &la, port, 0), 0);
	CHECK_EQ(open_peer(&e, port), 0);
	if (t_cur_failed)
		goto out;

	/* 1. the kernel's MPTCP SYN arrives on our XSK, classified */
	err = xsk_expect(e.x, is_syn_to, &port, synbuf, &syn, &meta, &has_meta, 3000);
	CHECK_EQ(err, 0);
	if (err)
		goto out;
	CHECK_EQ(has_meta, with_meta);
	CHECK_MEM(syn.src_mac, mac_b, 6);
	/* the kernel's SYN options (MSS, SACK_PERM, TS, WS, MP_CAPABLE) taken
	 * where XDP located them: no walk; walked without metadata */
	CHECK_EQ(syn.opts_walked, !has_meta);
	CHECK(syn.opts.has_mss && syn.opts.sack_ok && syn.opts.has_mptcp && syn.opts.mp_at);
	if (has_meta) {
		CHECK(syn.meta != NULL); /* fast path taken: offsets agreed */
		CHECK_EQ(meta.ip_version, 4);
		CHECK(meta.mp_seen & (1u << MPTCPOPT_MP_CAPABLE));
		off = meta.mp_off[MPTCPOPT_MP_CAPABLE];
		CHECK(off >= 20 && off + 4 <= 20 + syn.seg.optlen);
		if (off >= 20 && off + 4 <= 20 + syn.seg.optlen) {
			CHECK_EQ(syn.seg.opts[off - 20], TCPOPT_MPTCP);
			CHECK_EQ(syn.seg.opts[off - 20 + 1], MPTCPOLEN_MPC_SYN);
			CHECK_EQ(syn.seg.opts[off - 20 + 2], MPTCPOPT_MP_CAPABLE << 4 | 1);
		}
	}
	CHECK_EQ(xmp_owned_listener_syns(&e.own, &la, port, &syns), 0);
	CHECK(syns >= 1);

	/* 2. own the subflow, answer through XSK TX; B sees it intact */
	xmp_tuple_make(&tup, &syn.saddr, syn.seg.sport, &syn.daddr, port);
	CHECK_EQ(xmp_owned_add_subflow(&e.own, &tup, 7), 0);
	len = build_synack(&syn, out, sizeof(out));
	CHECK(len > 0);
	CHECK_EQ(xmp_xsk_send(e.x, out, len), 0);
	CHECK_EQ(peer_expect(e.pkt, out, len, 2000), 0);

	/* 3. the kernel accepted it: connect() done, MP_CAPABLE ACK back to
	 * us as an owned subflow segment, with our key echoed */
	CHECK_EQ(wait_connected(e.cli, 2000), 0);
	err = xsk_expect(e.x, is_ack_to, &port, ackbuf, &ack, &meta, &has_meta, 2000);
	CHECK_EQ(err, 0);
	if (err)
		goto out;
	CHECK_EQ(has_meta, with_meta);
	CHECK_EQ(ack.seg.ack, 0xfffffe01);
	CHECK_EQ(ack.opts_walked, !has_meta);
	CHECK(ack.opts.has_mptcp);
	if (has_meta) {
		off = meta.mp_off[MPTCPOPT_MP_CAPABLE];
		CHECK(off >= 20 && off + MPTCPOLEN_MPC_ACK <= 20 + ack.seg.optlen);
		if (off >= 20 && off + MPTCPOLEN_MPC_ACK <= 20 + ack.seg.optlen) {
			CHECK_EQ(ack.seg.opts[off - 20 + 1], MPTCPOLEN_MPC_ACK);
			for (i = 0; i < 8; i++)
				key = key << 8 | ack.seg.opts[off - 20 + 12 + i];
			CHECK(key == OUR_KEY);
		}
	}
	if (with_meta)
		CHECK(xmp_xsk_stats(e.x)->rx_meta >= 2);
	else
		CHECK_EQ(xmp_xsk_stats(e.x)->rx_meta, 0);
	CHECK(xmp_xsk_stats(e.x)->tx_packets >= 1);
	CHECK_EQ(xmp_xsk_tx_inflight(e.x), 0);
	CHECK_EQ(xmp_owned_del_subflow(&e.own, &tup), 0);
	CHECK_EQ(xmp_owned_del_listener(&e.own, &la, port), 0);
	CHECK_EQ(xmp_owned_del_listener(&e.own, &la, port), -ENOENT);
out:
	e2e_cleanup(&e);
}

static void t_xsk_e2e_native(void)
{
	check_e2e(XDP_FLAGS_DRV_MODE, false, true);
}

static void t_xsk_e2e_generic(void)
{
	check_e2e(XDP_FLAGS_SKB_MODE, true, true);
}

static void t_xsk_e2e_native_no_meta(void)
{
	check_e2e(XDP_FLAGS_DRV_MODE, false, false);
}

static void t_xsk_e2e_generic_no_meta(void)
{
	check_e2e(XDP_FLAGS_SKB_MODE, true, false);
}

/* Token map helpers against the real map (no traffic needed). */
static void t_owned_tokens(void)
{
	struct xdp_steer_bpf *skel = xdp_steer_bpf__open();
	struct xmp_owned o;
	struct xmp_token_val tv;
	struct bpf_map *m;
	__u32 tok = 0xdeadbeef;

	CHECK(skel != NULL);
	if (!skel)
		return;
	bpf_object__for_each_map(m, skel->obj)
		bpf_map__set_pin_path(m, NULL);
	CHECK_EQ(xdp_steer_bpf__load(skel), 0);
	CHECK_EQ(xmp_owned_from_fds(&o, bpf_map__fd(skel->maps.xmp_listeners),
				    bpf_map__fd(skel->maps.xmp_subflows),
				    bpf_map__fd(skel->maps.xmp_tokens)), 0);
	CHECK_EQ(xmp_owned_add_token(&o, tok, 42), 0);
	CHECK_EQ(xmp_owned_add_token(&o, tok, 43), -EEXIST);
	CHECK_EQ(bpf_map_lookup_elem(o.tokens_fd, &tok, &tv), 0);
	CHECK_EQ(tv.conn_id, 42);
	CHECK_EQ(xmp_owned_del_token(&o, tok), 0);
	CHECK_EQ(xmp_owned_del_token(&o, tok), -ENOENT);
	xmp_owned_close(&o);
	xdp_steer_bpf__destroy(skel);
}

int main(int argc, char **argv)
{
	int err;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		xmp_log_level = XMP_LOG_DEBUG;
		xmp_log_setup_libbpf();
	}
	if (geteuid() != 0) {
		printf("ok - test_xsk_io # SKIP needs root (netns, XDP, AF_XDP)\n");
		return 4;
	}
	atexit(pins_remove);
	err = setup_netns();
	if (err) {
		printf("ok - test_xsk_io # SKIP cannot build the namespaces/veth (%s)\n",
		       strerror(-err));
		return 4;
	}
	RUN(t_port_reserve);
	RUN(t_route_neigh);
	RUN(t_owned_tokens);
	RUN(t_xsk_e2e_native);
	RUN(t_xsk_e2e_generic);
	RUN(t_xsk_e2e_native_no_meta);
	RUN(t_xsk_e2e_generic_no_meta);
	return t_exit_code();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd: the xmptcp controller daemon (command line and main).
 *
 * This first form runs one worker on one interface with the built-in
 * source/sink endpoint over a single MPTCP connection (one subflow):
 *   client: xmptcpd --iface IF --connect ADDR:PORT --send-bytes N
 *   server: xmptcpd --iface IF --listen ADDR:PORT --sink [--send-bytes N]
 * and prints one JSON line: bytes and SHA-256 of what went each way, the
 * MPTCP outcome (MP_CAPABLE or fallback, DATA_FIN both ways) and counters.
 * `xmptcp attach IF` must have run in the same network namespace (the pins
 * are per namespace; --pin-dir overrides). Exit: 0 transfer completed and
 * closed cleanly, 1 runtime error, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

struct xd_opts {
	const char *ifname;
	const char *pin_dir;
	const char *connect;
	const char *listen;
	const char *send_file;
	__u64 send_bytes;
	__u64 seed;
	unsigned int queue;
	unsigned int timeout_s;
	bool sink;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xmptcpd --iface IFACE (--connect ADDR:PORT | --listen ADDR:PORT) [options]\n"
		"\n"
		"Userspace MPTCP endpoint on AF_XDP (run 'xmptcp attach IFACE' first, in the\n"
		"same network namespace). One connection, one subflow, built-in source/sink;\n"
		"prints a JSON summary (bytes and SHA-256 each way) on stdout.\n"
		"\n"
		"  -i, --iface IFACE       interface whose XDP program steers our segments\n"
		"  -c, --connect ADDR:PORT client: connect to ADDR:PORT ([v6addr]:port for IPv6)\n"
		"  -l, --listen ADDR:PORT  server: accept one connection on ADDR:PORT\n"
		"  -n, --send-bytes N      send N bytes of the pattern (K/M/G suffixes; client\n"
		"                          at once, server after the client's DATA_FIN) [0]\n"
		"  -f, --send-file PATH    send the file's bytes instead of the pattern\n"
		"  -s, --sink              server: receive and hash everything (the default\n"
		"                          for both roles; accepted for clarity)\n"
		"      --seed N            pattern seed [1]\n"
		"      --pin-dir DIR       pinned maps [/sys/fs/bpf/xmptcp/ns<netns inode>]\n"
		"      --queue N           rx queue of IFACE to bind the AF_XDP socket to [0]\n"
		"  -t, --timeout SECS      give up after SECS [120; 0 = never]\n"
		"  -v, --verbose           debug output\n"
		"  -q, --quiet             errors only\n"
		"  -h, --help              this help\n");
}

static int parse_u64(const char *s, __u64 *out, bool suffixes)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	if (suffixes && *end) {
		unsigned int shift = 0;

		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		if (end[1] || v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ADDR:PORT or [V6ADDR]:PORT. */
static int parse_endpoint(const char *s, struct xmp_addr *a, __u16 *port)
{
	char buf[128], *p, *host = buf;
	__u64 v;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	p = strrchr(buf, ':');
	if (!p)
		return -EINVAL;
	*p++ = '\0';
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = '\0';
		host++;
	}
	if (parse_u64(p, &v, false) || !v || v > 65535)
		return -EINVAL;
	*port = (__u16)v;
	return xmp_addr_parse(a, host);
}

static int parse_opts(int argc, char **argv, struct xd_opts *o)
{
	enum { O_SEED = 256, O_PIN, O_QUEUE };
	static const struct option lo[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "connect", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "send-bytes", required_argument, NULL, 'n' },
		{ "send-file", required_argument, NULL, 'f' },
		{ "sink", no_argument, NULL, 's' },
		{ "seed", required_argument, NULL, O_SEED },
		{ "pin-dir", required_argument, NULL, O_PIN },
		{ "queue", required_argument, NULL, O_QUEUE },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	__u64 v;
	int c;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->timeout_s = 120;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:c:l:n:f:st:vqh", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->ifname) {
				pr_warn("xmptcpd: one --iface for now (a single worker)\n");
				return -EINVAL;
			}
			o->ifname = optarg;
			break;
		case 'c':
			o->connect = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, &o->send_bytes, true)) {
				pr_warn("xmptcpd: --send-bytes wants a byte count like 65536 or 4M, "
					"not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'f':
			o->send_file = optarg;
			break;
		case 's':
			o->sink = true;
			break;
		case O_SEED:
			if (parse_u64(optarg, &o->seed, false)) {
				pr_warn("xmptcpd: --seed wants a number, not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case O_PIN:
			if (optarg[0] != '/') {
				pr_warn("xmptcpd: --pin-dir must be an absolute path, not '%s'\n",
					optarg);
				return -EINVAL;
			}
			o->pin_dir = optarg;
			break;
		case O_QUEUE:
			if (parse_u64(optarg, &v, false) || v >= XMP_MAX_QUEUES) {
				pr_warn("xmptcpd: --queue wants 0..%d, not '%s'\n",
					XMP_MAX_QUEUES - 1, optarg);
				return -EINVAL;
			}
			o->queue = (unsigned int)v;
			break;
		case 't':
			if (parse_u64(optarg, &v, false) || v > 86400) {
				pr_warn("xmptcpd: --timeout wants seconds (0..86400), not '%s'\n",
					optarg);
				return -EINVAL;
			}
			o->timeout_s = (unsigned int)v;
			break;
		case 'v':
			xmp_log_level = XMP_LOG_DEBUG;
			break;
		case 'q':
			xmp_log_level = XMP_LOG_WARN;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			pr_warn("xmptcpd: option '%s' needs a value; try 'xmptcpd --help'\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			pr_warn("xmptcpd: unknown option '%s'; try 'xmptcpd --help'\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		pr_warn("xmptcpd: unexpected argument '%s'; try 'xmptcpd --help'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->ifname) {
		pr_warn("xmptcpd: --iface IFACE is required; try 'xmptcpd --help'\n");
		return -EINVAL;
	}
	if (!o->connect == !o->listen) {
		pr_warn("xmptcpd: give exactly one of --connect ADDR:PORT and --listen ADDR:PORT\n");
		return -EINVAL;
	}
	if (o->send_file && o->send_bytes) {
		pr_warn("xmptcpd: --send-bytes and --send-file exclude each other\n");
		return -EINVAL;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	xd_loop_stop();
}

/* Completed: no error, the peer's data ended (DATA_FIN or FIN), ours was
 * acknowledged, and the subflow closed without a reset. */
static bool conn_ok(const struct xd_conn *c)
{
	if (c->err || !c->ep->rcvd_eof)
		return false;
	if (!c->plain && c->sf.msk && !c->sf.msk->fin_acked)
		return false;
	return c->sk->state == XMP_TCP_TIME_WAIT || c->sk->state == XMP_TCP_CLOSED;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct xd_loop_cfg lc = {};
	struct xd_endpoint ep;
	struct xd_loop loop;
	struct xmp_addr addr;
	struct xd_opts o;
	__u16 port;
	int err;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (parse_endpoint(o.connect ? o.connect : o.listen, &addr, &port)) {
		pr_warn("xmptcpd: '%s' is not ADDR:PORT (IPv6: [ADDR]:PORT)\n",
			o.connect ? o.connect : o.listen);
		return 2;
	}
	if (o.connect && xmp_addr_is_any(&addr)) {
		pr_warn("xmptcpd: cannot connect to the unspecified address\n");
		return 2;
	}
	xmp_log_setup_libbpf();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = xd_ep_init(&ep, o.send_bytes, o.send_file, o.seed);
	if (err)
		return 1;
	lc.ifname = o.ifname;
	lc.pin_dir = o.pin_dir;
	lc.queue_id = o.queue;
	lc.timeout_s = o.timeout_s;
	err = xd_loop_init(&loop, &lc);
	if (err)
		goto out_ep;
	loop.ep = &ep;
	if (o.connect)
		err = xd_conn_connect(&loop.conn, &loop, &addr, port, &ep);
	else
		err = xd_loop_listen(&loop, &addr, port);
	if (err)
		goto out_loop;
	if (o.listen)
		pr_info("xmptcpd: listening on %s\n", o.listen);
	err = xd_loop_run(&loop);
	if (loop.conn) {
		xd_ep_finish(&ep);
		xd_conn_report(loop.conn, stdout);
		fflush(stdout);
		if (!err && !conn_ok(loop.conn))
			err = -EPROTO;
	} else if (!err) {
		err = -ENOTCONN;
	}
	if (err)
		pr_warn("xmptcpd: transfer did not complete cleanly: %s\n", strerror(-err));
	pr_debug("xmptcpd: rx %llu frames (bad %llu, unmatched %llu), tx %llu (dropped %llu)\n",
		 (unsigned long long)loop.st.rx_frames, (unsigned long long)loop.st.rx_bad,
		 (unsigned long long)loop.st.rx_nomatch, (unsigned long long)loop.st.tx_frames,
		 (unsigned long long)loop.st.tx_drop);
out_loop:
	xd_loop_fini(&loop);
out_ep:
	xd_ep_free(&ep);
	return err ? 1 : 0;
}

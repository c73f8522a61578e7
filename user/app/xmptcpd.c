// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd: the xmptcp controller daemon (command line and main).
 *
 * One worker on one or more interfaces, single-subflow MPTCP connections,
 * any mix of:
 *   built-in client: --connect ADDR:PORT [--send-bytes N] [--send-time S] [--count N]
 *   built-in server: --listen ADDR:PORT [--send-bytes N] [--send-time S] [--count N]
 *   client proxy:    --client LOCAL:PORT=REMOTE:PORT (kernel TCP in)
 *   server proxy:    --server LISTEN:PORT=FORWARD:PORT (kernel TCP out)
 * Every connection prints one JSON line as it completes: bytes (and, for
 * the built-in endpoint, SHA-256) each way, the MPTCP outcome (MP_CAPABLE
 * or fallback, DATA_FIN both ways) and counters. `xmptcp conns|stats`
 * query the running daemon over its control socket. `xmptcp attach IF`
 * must have run in the same network namespace (the pins are per
 * namespace; --pin-dir overrides). Exit: 0 every connection completed and
 * closed cleanly (a daemon: stopped by a signal), 1 runtime error,
 * 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "common/log.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

struct xd_fwd {
	struct xmp_addr a, b;
	__u16 pa, pb;
};

struct xd_opts {
	const char *ifnames[XD_MAX_PORTS];
	unsigned int nifs;
	const char *pin_dir;
	const char *ctl_path;
	const char *connect;
	const char *listen;
	const char *send_file;
	__u64 send_bytes;
	__u64 send_us; /* --send-time */
	bool send_bytes_set;
	__u64 seed;
	__u64 count;
	bool count_set, timeout_set;
	unsigned int parallel;
	unsigned int max_conns;
	unsigned int queue;
	unsigned int timeout_s;
	bool sink;
	bool csum;
	struct xd_fwd client[XD_MAX_PROXIES], server[XD_MAX_LISTENERS];
	unsigned int nclient, nserver;
	/* multipath */
	enum xd_pm_mode pm;
	unsigned int ndiff, max_subflows, max_add_addr;
	const char *backup[XD_MAX_PORTS];
	unsigned int nbackup;
	const char *sched;
	const char *sched_load[8];
	unsigned int nsched_load;
	const char *cc;
	bool no_reinject;
	__u64 sndbuf, rcvbuf;
	/* limits */
	unsigned int max_halfopen;
	__u64 max_mem, sf_buf;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xmptcpd --iface IFACE MODE... [options]\n"
		"\n"
		"Userspace MPTCP endpoint on AF_XDP (run 'xmptcp attach IFACE' first, in the\n"
		"same network namespace). Multipath: subflows over every --iface (path\n"
		"manager below); one JSON line per connection on stdout as it completes.\n"
		"MODEs (any mix, at least one):\n"
		"  -c, --connect ADDR:PORT       built-in client: connect to ADDR:PORT ([v6]:port)\n"
		"  -l, --listen ADDR:PORT        built-in server: accept on ADDR:PORT\n"
		"      --client LOCAL:PORT=REMOTE:PORT\n"
		"                                client proxy: apps connect to LOCAL:PORT over\n"
		"                                kernel TCP; each connection goes over MPTCP to\n"
		"                                REMOTE:PORT (repeatable)\n"
		"      --server LISTEN:PORT=FORWARD:PORT\n"
		"                                server proxy: MPTCP (or TCP) in on LISTEN:PORT,\n"
		"                                kernel TCP out to the app at FORWARD:PORT\n"
		"                                (repeatable)\n"
		"\n"
		"Built-in endpoint (source/sink with SHA-256 of both directions):\n"
		"  -n, --send-bytes N      send N bytes of the pattern (K/M/G suffixes; client\n"
		"                          at once, server after the client's DATA_FIN) [0]\n"
		"  -f, --send-file PATH    send the file's bytes instead of the pattern\n"
		"      --send-time SECS    send for SECS (decimals: 2.5) from the first byte,\n"
		"                          then close; with --send-bytes or --send-file,\n"
		"                          whichever ends first. Alone: the pattern, no byte\n"
		"                          limit. Must end before --timeout\n"
		"  -s, --sink              receive and hash everything (the default; accepted\n"
		"                          for clarity)\n"
		"      --seed N            pattern seed [1]\n"
		"      --count N           connections: the client makes N one after another\n"
		"                          (see --parallel), the server exits after N [1 with\n"
		"                          --connect/--listen; 0 = until a signal]\n"
		"      --parallel P        client: P connections at a time [1]\n"
		"\n"
		"General:\n"
		"  -i, --iface IFACE       interface whose XDP program steers our segments\n"
		"                          (repeatable: a connection uses the one its route\n"
		"                          or its SYN came by)\n"
		"      --max-conns N       live connections at most; more are refused [1024]\n"
		"      --max-half-open N   connections a listener keeps before their handshake\n"
		"                          completes; a SYN beyond drops the oldest (SYN\n"
		"                          floods hold this much state at most; at\n"
		"                          --max-conns too) [1024]\n"
		"      --max-mem N         buffer memory all connections may reserve (K/M/G;\n"
		"                          0 = no limit): connections and subflows beyond are\n"
		"                          refused. A connection reserves --sndbuf + --rcvbuf\n"
		"                          + 256K (proxies) + its rings per subflow [0]\n"
		"      --sf-buf N          each subflow's TCP send and receive ring at most\n"
		"                          (K/M, 16K..16M; never above --sndbuf/--rcvbuf) [1M]\n"
		"\n"
		"Multipath (RFC 8684):\n"
		"      --pm MODE           path manager: fullmesh (a subflow per local x remote\n"
		"                          address pair; the server announces its other\n"
		"                          addresses), ndiffports=N (N subflows on the first\n"
		"                          address pair), none [fullmesh]\n"
		"      --max-subflows N    joined subflows per connection, as 'ip mptcp limits\n"
		"                          subflows' (at most %d live in all) [8]\n"
		"      --max-add-addr N    addresses accepted from a peer's ADD_ADDR [8]\n"
		"      --backup IFACE      subflows over IFACE are backups: data goes there only\n"
		"                          when no other subflow works (repeatable)\n"
		"      --sched NAME        scheduler of new connections: minrtt, rr, redundant,\n"
		"                          blest, or one loaded with --sched-load [minrtt]\n"
		"      --sched-load FILE.so  load a scheduler policy (repeatable; see\n"
		"                          include/xmptcp/sched.h)\n"
		"      --cc NAME           subflow congestion control: lia (coupled, RFC 6356),\n"
		"                          olia (coupled), cubic, reno (uncoupled) [lia]\n"
		"      --no-reinject       no opportunistic reinjection/penalisation when a slow\n"
		"                          subflow blocks the connection-level window\n"
		"      --rcvbuf N          connection-level receive buffer: the window offered\n"
		"                          to the peer (K/M suffixes, 16K..64M) [1M]\n"
		"      --sndbuf N          connection-level send buffer: data kept until\n"
		"                          DATA_ACKed (K/M, 16K..64M) [2M]\n"
		"      --dss-csum          ask for DSS checksums (RFC 8684 3.3.1; used when\n"
		"                          either side asks)\n"
		"      --ctl PATH|none     control socket [/run/xmptcp/ns<netns inode>.sock]\n"
		"      --pin-dir DIR       pinned maps [/sys/fs/bpf/xmptcp/ns<netns inode>]\n"
		"      --queue N           rx queue of IFACE to bind the AF_XDP socket to [0]\n"
		"  -t, --timeout SECS      give up after SECS [120 with --count, else 0 = never]\n"
		"  -v, --verbose           debug output\n"
		"  -q, --quiet             errors only\n"
		"  -h, --help              this help\n"
		"\n"
		"Signals: SIGTERM/SIGINT close every connection gracefully (DATA_FIN; 3 s for\n"
		"the peers to finish), a second one aborts. SIGUSR1 ends the built-in source\n"
		"of every open connection (DATA_FIN after what is queued), nothing else: a\n"
		"sender that runs until told to stop (--send-time as its bound).\n", XD_SF_MAX);
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

/* A=B with A and B both ADDR:PORT (--client, --server). */
static int parse_fwd(const char *opt, const char *s, struct xd_fwd *fw)
{
	char buf[256], *eq;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		goto bad;
	eq = strchr(buf, '=');
	if (!eq)
		goto bad;
	*eq = '\0';
	if (parse_endpoint(buf, &fw->a, &fw->pa) || parse_endpoint(eq + 1, &fw->b, &fw->pb))
		goto bad;
	if (xmp_addr_is_any(&fw->b)) {
		pr_warn("xmptcpd: %s: the address after '=' must be a real address, not '%s'\n",
			opt, eq + 1);
		return -EINVAL;
	}
	return 0;
bad:
	pr_warn("xmptcpd: %s wants ADDR:PORT=ADDR:PORT (IPv6: [ADDR]:PORT), not '%s'\n", opt,
		s);
	return -EINVAL;
}

static int parse_uint(const char *opt, const char *s, __u64 max, unsigned int *out)
{
	__u64 v;

	if (parse_u64(s, &v, false) || v > max) {
		pr_warn("xmptcpd: %s wants a number 0..%llu, not '%s'\n", opt,
			(unsigned long long)max, s);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/* A count that must be at least 1 (--parallel, --max-conns, --max-half-open). */
static int parse_count(const char *opt, const char *s, __u64 max, unsigned int *out)
{
	if (parse_uint(opt, s, max, out))
		return -EINVAL;
	if (!*out) {
		pr_warn("xmptcpd: %s wants at least 1\n", opt);
		return -EINVAL;
	}
	return 0;
}

/* Seconds with decimals, more than 0 and at most a day, as microseconds. */
static int parse_secs(const char *opt, const char *s, __u64 *us)
{
	char *end;
	double v;

	errno = 0;
	v = s && *s ? strtod(s, &end) : 0;
	if (!s || !*s || *end || errno || !(v > 0) || v > 86400 || !(v * 1e6 >= 1)) {
		pr_warn("xmptcpd: %s wants seconds above 0 and at most 86400 (like 5 or 0.5), "
			"not '%s'\n", opt, s ? s : "");
		return -EINVAL;
	}
	*us = (__u64)(v * 1e6);
	return 0;
}

enum {
	O_SEED = 256,
	O_SEND_TIME,
	O_PIN,
	O_QUEUE,
	O_CLIENT,
	O_SERVER,
	O_COUNT,
	O_PARALLEL,
	O_MAXC,
	O_CTL,
	O_CSUM,
	O_PM,
	O_MAXSF,
	O_MAXADDR,
	O_BACKUP,
	O_SCHED,
	O_SCHED_LOAD,
	O_CC,
	O_NOREINJ,
	O_SNDBUF,
	O_RCVBUF,
	O_MAXHALF,
	O_MAXMEM,
	O_SFBUF,
};

static const struct option long_opts[] = {
	{ "iface", required_argument, NULL, 'i' },
	{ "connect", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "client", required_argument, NULL, O_CLIENT },
	{ "server", required_argument, NULL, O_SERVER },
	{ "send-bytes", required_argument, NULL, 'n' },
	{ "send-file", required_argument, NULL, 'f' },
	{ "send-time", required_argument, NULL, O_SEND_TIME },
	{ "sink", no_argument, NULL, 's' },
	{ "seed", required_argument, NULL, O_SEED },
	{ "count", required_argument, NULL, O_COUNT },
	{ "parallel", required_argument, NULL, O_PARALLEL },
	{ "max-conns", required_argument, NULL, O_MAXC },
	{ "ctl", required_argument, NULL, O_CTL },
	{ "dss-csum", no_argument, NULL, O_CSUM },
	{ "pm", required_argument, NULL, O_PM },
	{ "max-subflows", required_argument, NULL, O_MAXSF },
	{ "max-add-addr", required_argument, NULL, O_MAXADDR },
	{ "backup", required_argument, NULL, O_BACKUP },
	{ "sched", required_argument, NULL, O_SCHED },
	{ "sched-load", required_argument, NULL, O_SCHED_LOAD },
	{ "cc", required_argument, NULL, O_CC },
	{ "no-reinject", no_argument, NULL, O_NOREINJ },
	{ "sndbuf", required_argument, NULL, O_SNDBUF },
	{ "rcvbuf", required_argument, NULL, O_RCVBUF },
	{ "max-half-open", required_argument, NULL, O_MAXHALF },
	{ "max-mem", required_argument, NULL, O_MAXMEM },
	{ "sf-buf", required_argument, NULL, O_SFBUF },
	{ "pin-dir", required_argument, NULL, O_PIN },
	{ "queue", required_argument, NULL, O_QUEUE },
	{ "timeout", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

/* A data-level buffer size, K/M suffixes. */
static int parse_buf(const char *opt, const char *arg, __u64 *out)
{
	if (parse_u64(arg, out, true) || *out < XD_MSK_BUF_MIN || *out > XD_MSK_BUF_MAX) {
		pr_warn("xmptcpd: %s wants %uK..%uM bytes (K/M suffixes), not '%s'\n", opt,
			XD_MSK_BUF_MIN >> 10, XD_MSK_BUF_MAX >> 20, arg);
		return -EINVAL;
	}
	return 0;
}

static int parse_pm(const char *arg, struct xd_opts *o)
{
	if (!strcmp(arg, "fullmesh")) {
		o->pm = XD_PM_FULLMESH;
		return 0;
	}
	if (!strcmp(arg, "none")) {
		o->pm = XD_PM_NONE;
		return 0;
	}
	if (!strncmp(arg, "ndiffports=", 11) &&
	    !parse_uint("--pm ndiffports", arg + 11, XD_SF_MAX, &o->ndiff) && o->ndiff) {
		o->pm = XD_PM_NDIFFPORTS;
		return 0;
	}
	pr_warn("xmptcpd: --pm wants fullmesh, ndiffports=N (1..%d) or none, not '%s'\n",
		XD_SF_MAX, arg);
	return -EINVAL;
}

/* --max-half-open, --max-mem, --sf-buf. */
static int parse_limit(int c, const char *arg, struct xd_opts *o)
{
	switch (c) {
	case O_MAXHALF:
		return parse_count("--max-half-open", arg, 1000000, &o->max_halfopen);
	case O_MAXMEM:
		if (parse_u64(arg, &o->max_mem, true)) {
			pr_warn("xmptcpd: --max-mem wants a byte count like 512M or 4G (0: no "
				"limit), not '%s'\n", arg);
			return -EINVAL;
		}
		return 0;
	default: /* O_SFBUF */
		if (parse_u64(arg, &o->sf_buf, true) || o->sf_buf < XD_SF_BUF_MIN ||
		    o->sf_buf > XD_SF_BUF_MAX) {
			pr_warn("xmptcpd: --sf-buf wants %uK..%uM bytes (K/M suffixes), not '%s'\n",
				XD_SF_BUF_MIN >> 10, XD_SF_BUF_MAX >> 20, arg);
			return -EINVAL;
		}
		return 0;
	}
}

/* The multipath options. */
static int parse_mp(int c, const char *arg, struct xd_opts *o)
{
	switch (c) {
	case O_PM:
		return parse_pm(arg, o);
	case O_MAXSF:
		return parse_uint("--max-subflows", arg, XD_SF_MAX - 1, &o->max_subflows);
	case O_MAXADDR:
		return parse_uint("--max-add-addr", arg, XD_PM_ADDRS, &o->max_add_addr);
	case O_BACKUP:
		if (o->nbackup == XD_MAX_PORTS) {
			pr_warn("xmptcpd: at most %d --backup\n", XD_MAX_PORTS);
			return -EINVAL;
		}
		o->backup[o->nbackup++] = arg;
		return 0;
	case O_SCHED:
		o->sched = arg;
		return 0;
	case O_SCHED_LOAD:
		if (o->nsched_load == 8) {
			pr_warn("xmptcpd: at most 8 --sched-load\n");
			return -EINVAL;
		}
		o->sched_load[o->nsched_load++] = arg;
		return 0;
	case O_CC:
		if (strcmp(arg, "lia") && strcmp(arg, "olia") && strcmp(arg, "cubic") &&
		    strcmp(arg, "reno")) {
			pr_warn("xmptcpd: --cc wants lia, olia, cubic or reno, not '%s'\n", arg);
			return -EINVAL;
		}
		o->cc = arg;
		return 0;
	default: /* O_NOREINJ */
		o->no_reinject = true;
		return 0;
	}
}

/* One option; 0, -EINVAL (message printed) or 1 for --help. */
static int parse_one(int c, const char *arg, const char *name, struct xd_opts *o)
{
	switch (c) {
	case 'i':
		if (o->nifs == XD_MAX_PORTS) {
			pr_warn("xmptcpd: at most %d --iface\n", XD_MAX_PORTS);
			return -EINVAL;
		}
		o->ifnames[o->nifs++] = arg;
		return 0;
	case 'c':
		o->connect = arg;
		return 0;
	case 'l':
		o->listen = arg;
		return 0;
	case O_CLIENT:
		if (o->nclient == XD_MAX_PROXIES) {
			pr_warn("xmptcpd: at most %d --client\n", XD_MAX_PROXIES);
			return -EINVAL;
		}
		return parse_fwd("--client", arg, &o->client[o->nclient++]);
	case O_SERVER:
		if (o->nserver == XD_MAX_LISTENERS - 1) {
			pr_warn("xmptcpd: at most %d --server\n", XD_MAX_LISTENERS - 1);
			return -EINVAL;
		}
		return parse_fwd("--server", arg, &o->server[o->nserver++]);
	case 'n':
		o->send_bytes_set = true;
		if (parse_u64(arg, &o->send_bytes, true)) {
			pr_warn("xmptcpd: --send-bytes wants a byte count like 65536 or 4M, "
				"not '%s'\n", arg);
			return -EINVAL;
		}
		return 0;
	case 'f':
		o->send_file = arg;
		return 0;
	case O_SEND_TIME:
		return parse_secs("--send-time", arg, &o->send_us);
	case 's':
		o->sink = true;
		return 0;
	case O_SEED:
		if (parse_u64(arg, &o->seed, false)) {
			pr_warn("xmptcpd: --seed wants a number, not '%s'\n", arg);
			return -EINVAL;
		}
		return 0;
	case O_COUNT:
		o->count_set = true;
		if (parse_u64(arg, &o->count, false) || o->count > 100000000) {
			pr_warn("xmptcpd: --count wants 0..100000000, not '%s'\n", arg);
			return -EINVAL;
		}
		return 0;
	case O_PARALLEL:
		return parse_count("--parallel", arg, 65536, &o->parallel);
	case O_MAXC:
		return parse_count("--max-conns", arg, 1000000, &o->max_conns);
	case O_CTL:
		o->ctl_path = strcmp(arg, "none") ? arg : "";
		if (*o->ctl_path && o->ctl_path[0] != '/') {
			pr_warn("xmptcpd: --ctl wants an absolute path or 'none', not '%s'\n", arg);
			return -EINVAL;
		}
		return 0;
	case O_CSUM:
		o->csum = true;
		return 0;
	case O_PM:
	case O_MAXSF:
	case O_MAXADDR:
	case O_BACKUP:
	case O_SCHED:
	case O_SCHED_LOAD:
	case O_CC:
	case O_NOREINJ:
		return parse_mp(c, arg, o);
	case O_MAXHALF:
	case O_MAXMEM:
	case O_SFBUF:
		return parse_limit(c, arg, o);
	case O_SNDBUF:
	case O_RCVBUF:
		return parse_buf(c == O_SNDBUF ? "--sndbuf" : "--rcvbuf", arg,
				 c == O_SNDBUF ? &o->sndbuf : &o->rcvbuf);
	case O_PIN:
		if (arg[0] != '/') {
			pr_warn("xmptcpd: --pin-dir must be an absolute path, not '%s'\n", arg);
			return -EINVAL;
		}
		o->pin_dir = arg;
		return 0;
	case O_QUEUE:
		return parse_uint("--queue", arg, XMP_MAX_QUEUES - 1, &o->queue);
	case 't':
		o->timeout_set = true;
		return parse_uint("--timeout", arg, 86400, &o->timeout_s);
	case 'v':
		xmp_log_level = XMP_LOG_DEBUG;
		return 0;
	case 'q':
		xmp_log_level = XMP_LOG_WARN;
		return 0;
	case 'h':
		return 1;
	case ':':
		pr_warn("xmptcpd: option '%s' needs a value; try 'xmptcpd --help'\n", name);
		return -EINVAL;
	default:
		pr_warn("xmptcpd: unknown option '%s'; try 'xmptcpd --help'\n", name);
		return -EINVAL;
	}
}

/* Every --backup names one of the --iface interfaces. */
static int check_backups(const struct xd_opts *o)
{
	unsigned int i, k;

	for (i = 0; i < o->nbackup; i++) {
		for (k = 0; k < o->nifs && strcmp(o->backup[i], o->ifnames[k]); k++)
			;
		if (k == o->nifs) {
			pr_warn("xmptcpd: --backup %s is not one of the --iface interfaces\n",
				o->backup[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_opts(struct xd_opts *o)
{
	bool builtin = o->connect || o->listen;

	if (!o->nifs) {
		pr_warn("xmptcpd: --iface IFACE is required; try 'xmptcpd --help'\n");
		return -EINVAL;
	}
	if (!builtin && !o->nclient && !o->nserver) {
		pr_warn("xmptcpd: give at least one of --connect, --listen, --client, --server; "
			"try 'xmptcpd --help'\n");
		return -EINVAL;
	}
	if (o->send_file && o->send_bytes) {
		pr_warn("xmptcpd: --send-bytes and --send-file exclude each other\n");
		return -EINVAL;
	}
	if (!o->count_set)
		o->count = builtin ? 1 : 0;
	if (o->connect && !o->count) {
		pr_warn("xmptcpd: --connect wants --count of at least 1\n");
		return -EINVAL;
	}
	if (!o->timeout_set)
		o->timeout_s = o->count ? 120 : 0;
	if (o->send_us && !builtin) {
		pr_warn("xmptcpd: --send-time is for the built-in endpoint (--connect/--listen)\n");
		return -EINVAL;
	}
	if (o->send_us && o->timeout_s && o->send_us >= (__u64)o->timeout_s * 1000000) {
		pr_warn("xmptcpd: --send-time %.6g does not end before --timeout %u; raise "
			"--timeout\n", (double)o->send_us / 1e6, o->timeout_s);
		return -EINVAL;
	}
	return check_backups(o);
}

static int parse_opts(int argc, char **argv, struct xd_opts *o)
{
	int c, r;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->parallel = 1;
	o->max_conns = 1024;
	o->max_halfopen = XD_HALFOPEN;
	o->pm = XD_PM_FULLMESH;
	o->max_subflows = 8 > XD_SF_MAX - 1 ? XD_SF_MAX - 1 : 8;
	o->max_add_addr = XD_PM_ADDRS;
	o->cc = "lia";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:c:l:n:f:st:vqh", long_opts, NULL)) != -1) {
		r = parse_one(c, optarg, argv[optind - 1], o);
		if (r == 1) {
			usage(stdout);
			exit(0);
		}
		if (r)
			return r;
	}
	if (optind < argc) {
		pr_warn("xmptcpd: unexpected argument '%s'; try 'xmptcpd --help'\n", argv[optind]);
		return -EINVAL;
	}
	return check_opts(o);
}

/* Every connection holds descriptors (its port reservation, a proxy's app
 * socket) until TIME-WAIT ends: take the hard limit, not the soft 1024. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		xd_loop_end_sources();
	else
		xd_loop_stop();
}

/* Listeners, proxies and the built-in client, in that order: a client
 * proxy may point at a local --server. */
static int setup(struct xd_loop *l, const struct xd_opts *o)
{
	struct xmp_addr addr;
	unsigned int i;
	__u16 port;
	int err;

	if (o->listen) {
		if (parse_endpoint(o->listen, &addr, &port))
			return -EINVAL;
		err = xd_loop_listen(l, &addr, port, NULL, 0);
		if (err)
			return err;
		pr_info("xmptcpd: listening on %s\n", o->listen);
	}
	for (i = 0; i < o->nserver; i++) {
		err = xd_loop_listen(l, &o->server[i].a, o->server[i].pa, &o->server[i].b,
				     o->server[i].pb);
		if (err)
			return err;
	}
	for (i = 0; i < o->nclient; i++) {
		err = xd_proxy_add_client(l, &o->client[i].a, o->client[i].pa, &o->client[i].b,
					  o->client[i].pb);
		if (err)
			return err;
	}
	if (!o->connect)
		return 0;
	if (parse_endpoint(o->connect, &addr, &port))
		return -EINVAL;
	return xd_loop_client(l, &addr, port, o->count, o->parallel);
}

/* Loaded policies and the default scheduler, before any socket opens: a
 * wrong name is the operator's to fix, nothing to clean up. */
static int setup_sched(const struct xd_opts *o)
{
	const struct xmp_sched_ops *ops;
	char msg[256];
	unsigned int i;
	int err;

	for (i = 0; i < o->nsched_load; i++) {
		err = xmp_sched_load(o->sched_load[i], NULL, msg, sizeof(msg));
		if (err)
			return err; /* sched.c said why, with the path */
	}
	if (!o->sched)
		return 0;
	ops = xmp_sched_find(o->sched);
	if (!ops) {
		pr_warn("xmptcpd: --sched: no scheduler '%s' (built-in: minrtt, rr, redundant, "
			"blest; or --sched-load FILE.so first)\n", o->sched);
		return -ENOENT;
	}
	return xmp_sched_set_default(ops);
}

/* Path manager, congestion control, buffers. */
static int setup_mp(struct xd_loop *l, const struct xd_opts *o)
{
	unsigned int i;
	int ifindex;

	l->pm.mode = o->pm;
	l->pm.ndiff = o->ndiff;
	l->pm.max_subflows = o->max_subflows;
	l->pm.max_add_addr = o->max_add_addr;
	for (i = 0; i < o->nbackup; i++) {
		ifindex = (int)if_nametoindex(o->backup[i]); /* an --iface: check_backups() */
		l->pm.backup_ifindex[l->pm.nbackup++] = ifindex;
	}
	l->cc_name = o->cc;
	l->reinject = !o->no_reinject;
	if (o->sndbuf)
		l->msk_sndbuf = (__u32)o->sndbuf;
	if (o->rcvbuf)
		l->msk_rcvbuf = (__u32)o->rcvbuf;
	return xd_pm_scan(l);
}

/* --max-half-open, --max-mem, --sf-buf, once the buffer sizes are known: a
 * total that cannot hold one connection is a mistake, said at once. */
static int setup_limits(struct xd_loop *l, const struct xd_opts *o)
{
	__u64 one;

	l->max_halfopen = o->max_halfopen;
	if (o->sf_buf)
		l->sf_buf = (__u32)o->sf_buf;
	l->mem_max = o->max_mem;
	one = xd_mem_conn_cost(l, true) + xd_mem_sf_cost(l);
	if (l->mem_max && l->mem_max < one) {
		pr_warn("xmptcpd: --max-mem %llu cannot hold one connection (it reserves "
			"%llu bytes with one subflow; lower --sndbuf/--rcvbuf/--sf-buf or "
			"raise --max-mem)\n",
			(unsigned long long)l->mem_max, (unsigned long long)one);
		return -EINVAL;
	}
	pr_info("xmptcpd: a connection reserves at most %llu bytes; all of them %llu at most "
		"(%s)\n",
		(unsigned long long)xd_mem_conn_max(l),
		(unsigned long long)(l->mem_max ? l->mem_max : xd_mem_conn_max(l) * l->max_conns),
		l->mem_max ? "--max-mem" : "--max-conns times that");
	return 0;
}

/* --connect/--listen were checked as ADDR:PORT before anything starts. */
static int check_endpoints(const struct xd_opts *o)
{
	const char *s[2] = { o->connect, o->listen };
	struct xmp_addr addr;
	unsigned int i;
	__u16 port;

	for (i = 0; i < 2; i++) {
		if (s[i] && parse_endpoint(s[i], &addr, &port)) {
			pr_warn("xmptcpd: '%s' is not ADDR:PORT (IPv6: [ADDR]:PORT)\n", s[i]);
			return -EINVAL;
		}
	}
	if (o->connect && !parse_endpoint(o->connect, &addr, &port) && xmp_addr_is_any(&addr)) {
		pr_warn("xmptcpd: cannot connect to the unspecified address\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct xd_loop_cfg lc = {};
	struct xd_loop loop;
	struct xd_opts o;
	int err;

	if (parse_opts(argc, argv, &o) || check_endpoints(&o))
		return 2;
	xmp_log_setup_libbpf();
	if (setup_sched(&o))
		return 1;
	raise_nofile();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memcpy(lc.ifnames, o.ifnames, sizeof(lc.ifnames));
	lc.nifs = o.nifs;
	lc.pin_dir = o.pin_dir;
	lc.ctl_path = o.ctl_path;
	lc.queue_id = o.queue;
	lc.timeout_s = o.timeout_s;
	err = xd_loop_init(&loop, &lc);
	if (err)
		return 1;
	/* --send-time alone: the pattern until the time is up */
	loop.builtin.send_total = o.send_us && !o.send_bytes_set && !o.send_file ? UINT64_MAX
										  : o.send_bytes;
	loop.builtin.send_us = o.send_us;
	loop.builtin.src_file = o.send_file;
	loop.builtin.seed = o.seed;
	loop.count = o.count;
	loop.max_conns = o.max_conns;
	loop.csum = o.csum;
	if (o.send_file && access(o.send_file, R_OK)) {
		pr_warn("xmptcpd: cannot read --send-file '%s': %s\n", o.send_file,
			strerror(errno));
		err = -errno;
		goto out;
	}
	err = setup_mp(&loop, &o);
	if (!err)
		err = setup_limits(&loop, &o);
	if (err)
		goto out; /* said why already */
	err = setup(&loop, &o);
	if (!err)
		err = xd_loop_run(&loop);
	if (err)
		pr_warn("xmptcpd: %s: %s\n",
			err == -EPROTO ? "a connection did not complete cleanly"
				       : "did not complete",
			strerror(-err));
	pr_debug("xmptcpd: rx %llu frames (bad %llu, unmatched %llu), tx %llu (dropped %llu)\n",
		 (unsigned long long)loop.st.rx_frames, (unsigned long long)loop.st.rx_bad,
		 (unsigned long long)loop.st.rx_nomatch, (unsigned long long)loop.st.tx_frames,
		 (unsigned long long)loop.st.tx_drop);
out:
	xd_loop_fini(&loop);
	return err ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The rtnetlink pieces of user/io/ (route.c, ifaddr.c, nlmon.c) driven
 * from the command line, for tests/net/test_nlmon.sh. Output is JSON, one
 * line per result or event, so the shell test compares it with `ip -j`.
 *   nl_probe route DST [SRC OIFNAME]   one route (xmp_route_lookup[_from])
 *   nl_probe routes DST SRC OIFNAME    plain, sourced, plain, sourced again
 *                                      on one cache: a JSON array of four
 *   nl_probe addrs IFNAME              usable addresses (xmp_ifaddr_list)
 *   nl_probe monitor SECONDS [STALL]   {"event":"ready"}, then one line per
 *                                      event (xmp_nlmon_read) for SECONDS;
 *                                      STALL: read nothing for the first
 *                                      STALL seconds (to force an overrun)
 *   nl_probe monitor @STOP [@GO]       the same until file STOP exists (60 s
 *                                      at most), reading nothing until file
 *                                      GO exists: the test says when, so
 *                                      no window depends on its speed
 * Exit 0, or 1 with the error on stderr.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include "io/addr.h"
#include "io/ifaddr.h"
#include "io/nlmon.h"
#include "io/route.h"

#define MAX_ADDRS 64

static int usage(void)
{
	fprintf(stderr, "usage: nl_probe route DST [SRC OIFNAME]\n"
			"       nl_probe routes DST SRC OIFNAME\n"
			"       nl_probe addrs IFNAME\n"
			"       nl_probe monitor SECONDS|@STOP [STALL|@GO]\n");
	return 1;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "nl_probe: %s: %s\n", what, strerror(-err));
	return 1;
}

static int ifindex_of(const char *name)
{
	int ifindex = (int)if_nametoindex(name);

	if (!ifindex)
		fprintf(stderr, "nl_probe: no interface %s\n", name);
	return ifindex;
}

static void route_print(const struct xmp_route *r)
{
	char src[INET6_ADDRSTRLEN], nh[INET6_ADDRSTRLEN];
	const __u8 *m = r->dst_mac;

	printf("{\"ifindex\":%d,\"src\":\"%s\",\"nexthop\":\"%s\",\"gateway\":%s,"
	       "\"mtu\":%u,\"dst_mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\"}",
	       r->ifindex, xmp_addr_str(&r->src, src, sizeof(src)),
	       xmp_addr_str(&r->nexthop, nh, sizeof(nh)), r->has_gateway ? "true" : "false",
	       r->mtu, m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* DST [SRC OIFNAME] into dst, src (all-zero when absent) and oif. */
static int route_args(int argc, char **argv, struct xmp_addr *dst, struct xmp_addr *src,
		      int *oif)
{
	memset(src, 0, sizeof(*src));
	*oif = 0;
	if (argc != 1 && argc != 3)
		return usage();
	if (xmp_addr_parse(dst, argv[0]))
		return fail(argv[0], -EINVAL);
	if (argc == 1)
		return 0;
	if (xmp_addr_parse(src, argv[1]))
		return fail(argv[1], -EINVAL);
	*oif = ifindex_of(argv[2]);
	return *oif ? 0 : 1;
}

static int cmd_route(int argc, char **argv, bool twice)
{
	struct xmp_addr dst, src, any = {};
	struct xmp_route_cache *c;
	struct xmp_route r;
	int oif, err, i;

	if (twice && argc != 3)
		return usage();
	if (route_args(argc, argv, &dst, &src, &oif))
		return 1;
	err = xmp_route_cache_new(&c, 0, 1000);
	if (err)
		return fail("route cache", err);
	if (twice)
		putchar('[');
	/* routes: plain, sourced, then both again from the cache, which must
	 * keep them apart */
	for (i = 0; i < (twice ? 4 : 1); i++) {
		if (!twice)
			err = xmp_route_lookup_from(c, &dst, &src, oif, &r);
		else if (i % 2)
			err = xmp_route_lookup_from(c, &dst, &src, oif, &r);
		else
			err = xmp_route_lookup_from(c, &dst, &any, 0, &r);
		if (err)
			break;
		printf("%s", i ? "," : "");
		route_print(&r);
	}
	if (!err)
		printf("%s\n", twice ? "]" : "");
	xmp_route_cache_free(c);
	return err ? fail("route", err) : 0;
}

static int cmd_addrs(int argc, char **argv)
{
	struct xmp_addr a[MAX_ADDRS];
	char s[INET6_ADDRSTRLEN];
	int ifindex, n, i;

	if (argc != 1)
		return usage();
	ifindex = ifindex_of(argv[0]);
	if (!ifindex)
		return 1;
	n = xmp_ifaddr_list(ifindex, a, MAX_ADDRS);
	if (n < 0)
		return fail("addrs", n);
	putchar('[');
	for (i = 0; i < n && i < MAX_ADDRS; i++)
		printf("%s\"%s\"", i ? "," : "", xmp_addr_str(&a[i], s, sizeof(s)));
	printf("]\n");
	return 0;
}

static void event_print(const struct xmp_nl_event *ev, void *arg)
{
	char s[INET6_ADDRSTRLEN];

	(void)arg;
	printf("{\"event\":\"%s\",\"ifindex\":%d", xmp_nl_kind_str(ev->kind), ev->ifindex);
	if (ev->kind == XMP_NL_ADDR_NEW || ev->kind == XMP_NL_ADDR_DEL)
		printf(",\"addr\":\"%s\"", xmp_addr_str(&ev->addr, s, sizeof(s)));
	printf("}\n");
	fflush(stdout);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* SECONDS from now, or 60 s for @FILE (which ends it sooner). */
static long long until_ms(const char *arg)
{
	return mono_ms() + (arg[0] == '@' ? 60000 : (long long)(atof(arg) * 1000));
}

static bool file_there(const char *arg)
{
	return arg[0] == '@' && !access(arg + 1, F_OK);
}

static int cmd_monitor(int argc, char **argv)
{
	__u64 events, bad, overruns;
	struct xmp_nlmon *m;
	long long deadline, left;
	struct pollfd pfd;
	int err = 0;

	if (argc != 1 && argc != 2)
		return usage();
	err = xmp_nlmon_open(&m);
	if (err)
		return fail("monitor", err);
	/* subscribed: the test may start changing things */
	printf("{\"event\":\"ready\"}\n");
	fflush(stdout);
	pfd.fd = xmp_nlmon_fd(m);
	pfd.events = POLLIN;
	deadline = until_ms(argv[0]);
	if (argc == 2 && argv[1][0] == '@') {
		while (!file_there(argv[1]) && mono_ms() < deadline)
			usleep(20000);
	} else if (argc == 2) {
		usleep((useconds_t)(atof(argv[1]) * 1e6));
	}
	while ((left = deadline - mono_ms()) > 0 && !file_there(argv[0])) {
		if (argv[0][0] == '@' && left > 100)
			left = 100; /* look for STOP now and then */
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		err = xmp_nlmon_read(m, event_print, NULL);
		if (err < 0)
			break;
		err = 0;
	}
	xmp_nlmon_stats(m, &events, &bad, &overruns);
	printf("{\"event\":\"stats\",\"events\":%llu,\"bad\":%llu,\"overruns\":%llu}\n",
	       (unsigned long long)events, (unsigned long long)bad,
	       (unsigned long long)overruns);
	xmp_nlmon_close(m);
	return err ? fail("monitor", err) : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "route"))
		return cmd_route(argc - 2, argv + 2, false);
	if (!strcmp(argv[1], "routes"))
		return cmd_route(argc - 2, argv + 2, true);
	if (!strcmp(argv[1], "addrs"))
		return cmd_addrs(argc - 2, argv + 2);
	if (!strcmp(argv[1], "monitor"))
		return cmd_monitor(argc - 2, argv + 2);
	return usage();
}

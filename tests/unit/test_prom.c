// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text format writer (user/common/prom.c) that xmptcpd's
 * /metrics, its textfile and `xmptcp metrics` all go through: names made
 * of parts hold only what a metric name may ([a-zA-Z0-9_:], no leading
 * digit) and counters end in _total once; HELP text and label values are
 * escaped as the format (0.0.4) wants; values scaled by a power of ten are
 * written exactly. The namespace test (tests/net/test_metrics.sh) parses
 * the daemon's whole output with prometheus_client; this one pins the
 * details without root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/prom.h"
#include "lib/test.h"

/* What f got, as a string (the caller frees it). */
static char *out_of(FILE *f, char **buf)
{
	fclose(f);
	return *buf;
}

static void names_from_parts(void)
{
	const char *a[] = {"xmptcp", "conns", "opened", NULL};
	const char *b[] = {"xmptcp", "", "listeners", NULL};
	const char *c[] = {"xmptcp", "join", "Join-Syn.Rx", NULL};
	const char *d[] = {"9lives", "x_total", NULL};
	char n[XMP_PROM_NAME_MAX], small[12];

	CHECK(
	    !strcmp(xmp_prom_name(n, sizeof(n), XMP_PROM_COUNTER, a), "xmptcp_conns_opened_total"));
	CHECK(!strcmp(xmp_prom_name(n, sizeof(n), XMP_PROM_GAUGE, b), "xmptcp_listeners"));
	CHECK(!strcmp(xmp_prom_name(n, sizeof(n), XMP_PROM_GAUGE, c), "xmptcp_join_Join_Syn_Rx"));
	/* no leading digit; _total not doubled */
	CHECK(!strcmp(xmp_prom_name(n, sizeof(n), XMP_PROM_COUNTER, d), "_lives_x_total"));
	/* cut, but terminated */
	CHECK(!strcmp(xmp_prom_name(small, sizeof(small), XMP_PROM_GAUGE, a), "xmptcp_conn"));
}

static void family_lines(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	xmp_prom_family(f, "xmptcp_a_total", XMP_PROM_COUNTER, "back\\slash\nnew \"line\"");
	xmp_prom_family(f, "xmptcp_b", XMP_PROM_GAUGE, "plain");
	CHECK(!strcmp(out_of(f, &buf), "# HELP xmptcp_a_total back\\\\slash\\nnew \"line\"\n"
				       "# TYPE xmptcp_a_total counter\n"
				       "# HELP xmptcp_b plain\n"
				       "# TYPE xmptcp_b gauge\n"));
	free(buf);
}

static void samples_escaped(void)
{
	struct xmp_prom_label lb[] = {
	    {"conn", "17"},
	    {"remote", "[fd00::1]:80"},
	    {"odd", "a\"b\\c\nd"},
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	xmp_prom_sample(f, "xmptcp_x", NULL, 0, 42, 1);
	xmp_prom_sample(f, "xmptcp_y", lb, 3, 7, 0);
	CHECK(!strcmp(out_of(f, &buf), "xmptcp_x 42\n"
				       "xmptcp_y{conn=\"17\",remote=\"[fd00::1]:80\","
				       "odd=\"a\\\"b\\\\c\\nd\"} 7\n"));
	free(buf);
}

static void values_scaled_exactly(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	xmp_prom_sample(f, "s", NULL, 0, 12345, 1000000); /* 12345 us */
	xmp_prom_sample(f, "s", NULL, 0, 3000001, 1000000);
	xmp_prom_sample(f, "s", NULL, 0, 0, 1000000);
	xmp_prom_sample(f, "s", NULL, 0, 18446744073709551615ull, 1);
	xmp_prom_sample(f, "s", NULL, 0, 15, 10);
	CHECK(!strcmp(out_of(f, &buf), "s 0.012345\ns 3.000001\ns 0.000000\n"
				       "s 18446744073709551615\ns 1.5\n"));
	free(buf);
}

int main(void)
{
	RUN(names_from_parts);
	RUN(family_lines);
	RUN(samples_escaped);
	RUN(values_scaled_exactly);
	return t_exit_code();
}

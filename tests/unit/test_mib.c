// SPDX-License-Identifier: GPL-2.0
/*
 * The counter table (include/xmptcp/mib.h, user/common/mib.c): every
 * counter has a name, names do not collide where they share a JSON object,
 * the keys users read are still spelled as before, and the JSON writer
 * leaves zeros out unless asked. The layers' state and reason enums
 * (common/names.h lists) keep the names reports and logs print.
 */
#include <stdlib.h>
#include <string.h>

#include "common/mib.h"
#include "common/names.h"
#include "io/pkt.h"
#include "mptcp/addr.h"
#include "mptcp/join.h"
#include "mptcp/subflow.h"
#include "tcp/tcp.h"
#include "lib/test.h"

static void every_counter_named(void)
{
	unsigned int g, i, k;

	for (g = 0; g < XMP_MIB_NR_GROUPS; g++) {
		CHECK(xmp_mib_nr(g) > 0);
		for (i = 0; i < xmp_mib_nr(g); i++) {
			const char *n = xmp_mib_name(g, i);

			CHECK(n && *n && strcmp(n, "?"));
			for (k = 0; k < i; k++)
				CHECK(strcmp(n, xmp_mib_name(g, k)));
		}
		CHECK(!strcmp(xmp_mib_name(g, xmp_mib_nr(g)), "?"));
	}
	CHECK_EQ(xmp_mib_nr(XMP_MIB_NR_GROUPS), 0);
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_NR_GROUPS, 0), "?"));
	CHECK_EQ(xmp_mib_nr(XMP_MIB_TCP), XMP_TCP_MIB_NR);
	CHECK_EQ(xmp_mib_nr(XMP_MIB_SF), XMP_SF_MIB_NR);
	CHECK_EQ(xmp_mib_nr(XMP_MIB_JOIN), XMP_JOIN_MIB_NR);
	CHECK_EQ(xmp_mib_nr(XMP_MIB_ADDR), XMP_ADDR_MIB_NR);
	CHECK_EQ(xmp_mib_nr(XMP_MIB_MSK), XMP_MSK_MIB_NR);
	CHECK_EQ(xmp_mib_nr(XMP_MIB_SCHED), XMP_SCHED_MIB_NR);
}

/* No two layers written into one object (report.c) share a key. */
static bool disjoint(enum xmp_mib_group a, enum xmp_mib_group b)
{
	unsigned int i, k;

	for (i = 0; i < xmp_mib_nr(a); i++)
		for (k = 0; k < xmp_mib_nr(b); k++)
			if (!strcmp(xmp_mib_name(a, i), xmp_mib_name(b, k)))
				return false;
	return true;
}

static void keys_unique_per_object(void)
{
	/* each entry of "subflows": TCP, subflow and join counters */
	CHECK(disjoint(XMP_MIB_TCP, XMP_MIB_SF));
	CHECK(disjoint(XMP_MIB_TCP, XMP_MIB_JOIN));
	CHECK(disjoint(XMP_MIB_SF, XMP_MIB_JOIN));
	/* "mptcp": data level, initial subflow, scheduler, address signalling */
	CHECK(disjoint(XMP_MIB_MSK, XMP_MIB_SF));
	CHECK(disjoint(XMP_MIB_MSK, XMP_MIB_SCHED));
	CHECK(disjoint(XMP_MIB_MSK, XMP_MIB_ADDR));
	CHECK(disjoint(XMP_MIB_SF, XMP_MIB_SCHED));
	CHECK(disjoint(XMP_MIB_SF, XMP_MIB_ADDR));
	CHECK(disjoint(XMP_MIB_SCHED, XMP_MIB_ADDR));
}

/* A few keys of each layer as tests and users read them. */
static void keys_spelled_as_before(void)
{
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_TCP, XMP_TCP_MIB_IN_SEGS), "InSegs"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_TCP, XMP_TCP_MIB_RTO), "RtoExpired"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_TCP, XMP_TCP_MIB_OOW_ACK_LIMITED),
		      "OutOfWindowAckLimited"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_SF, XMP_SF_MIB_MPC_SYN_RX), "MPCapableSYNRX"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_SF, XMP_SF_MIB_MP_FAIL_RESET), "MPFailReset"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_JOIN, XMP_JOIN_MIB_NO_TOKEN), "MPJoinNoTokenFound"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_JOIN, XMP_JOIN_MIB_IGNORED), "MPJoinIgnored"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_ADDR, XMP_ADDR_MIB_ADD_TX), "AddAddrTx"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_ADDR, XMP_ADDR_MIB_RM_RX_UNKNOWN), "RmAddrUnknown"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_MSK, XMP_MSK_MIB_DATA_ACK_IN), "DataAckIn"));
	CHECK(
	    !strcmp(xmp_mib_name(XMP_MIB_MSK, XMP_MSK_MIB_CSUM_UNCHECKABLE), "DssCsumUncheckable"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_SCHED, XMP_SCHED_MIB_DECISIONS), "sched_decisions"));
	CHECK(!strcmp(xmp_mib_name(XMP_MIB_SCHED, XMP_SCHED_MIB_WAIT), "sched_waits"));
}

static void json_pairs(void)
{
	__u64 v[XMP_SCHED_MIB_NR] = {0};
	char *buf = NULL;
	size_t len = 0;
	unsigned int n;
	FILE *f;

	v[XMP_SCHED_MIB_WAIT] = 7;
	v[XMP_SCHED_MIB_SWAPS] = 1;
	f = open_memstream(&buf, &len);
	CHECK(f);
	if (!f)
		return;
	n = xmp_mib_json(f, XMP_MIB_SCHED, v, false);
	fflush(f);
	CHECK_EQ(n, 2);
	CHECK(!strcmp(buf, "\"sched_waits\":7,\"sched_swaps\":1"));
	rewind(f);
	n = xmp_mib_json(f, XMP_MIB_SCHED, v, true);
	fputc('\0', f);
	fflush(f);
	CHECK_EQ(n, XMP_SCHED_MIB_NR);
	CHECK(!strncmp(buf, "\"sched_decisions\":0,\"sched_waits\":7,", 36));
	rewind(f);
	memset(v, 0, sizeof(v));
	n = xmp_mib_json(f, XMP_MIB_SCHED, v, false);
	fputc('\0', f);
	fflush(f);
	CHECK_EQ(n, 0);
	CHECK(!strcmp(buf, ""));
	fclose(f);
	free(buf);
}

static void totals_add(void)
{
	__u64 a[XMP_JOIN_MIB_NR] = {0}, b[XMP_JOIN_MIB_NR] = {0};

	a[XMP_JOIN_MIB_SYN_TX] = 2;
	b[XMP_JOIN_MIB_SYN_TX] = 3;
	b[XMP_JOIN_MIB_IGNORED] = 1;
	xmp_mib_add(XMP_MIB_JOIN, a, b);
	CHECK_EQ(a[XMP_JOIN_MIB_SYN_TX], 5);
	CHECK_EQ(a[XMP_JOIN_MIB_IGNORED], 1);
	CHECK_EQ(a[XMP_JOIN_MIB_SYN_RX], 0);
}

/* First and last rows spelled as before, past the end the fallback: a list
 * names every value of its enum, but a row could be misspelled or a
 * fallback lost. */
static void enum_names(void)
{
	static const char *const holey[3] = { [0] = "a", [2] = "c" };
	const struct {
		const char *got, *want;
	} rows[] = {
		{ xmp_tcp_state_name(XMP_TCP_CLOSED), "CLOSED" },
		{ xmp_tcp_state_name(XMP_TCP_SYN_RCVD), "SYN-RECEIVED" },
		{ xmp_tcp_state_name(XMP_TCP_TIME_WAIT), "TIME-WAIT" },
		{ xmp_tcp_state_name(XMP_TCP_NR_STATES), "?" },
		{ xmp_msk_state_name(XMP_MSK_CLOSED), "CLOSED" },
		{ xmp_msk_state_name(XMP_MSK_TIME_WAIT), "TIME_WAIT" },
		{ xmp_msk_state_name(XMP_MSK_NR_STATES), "?" },
		{ xmp_sf_state_name(XMP_SF_INIT), "INIT" },
		{ xmp_sf_state_name(XMP_SF_FALLBACK), "FALLBACK" },
		{ xmp_sf_state_name(XMP_SF_NR_STATES), "?" },
		{ xmp_join_state_name(XMP_JOIN_FAILED), "FAILED" },
		{ xmp_join_fail_name(XMP_JOIN_FAIL_NONE), "none" },
		{ xmp_join_fail_name(XMP_JOIN_FAIL_ACK_TIMEOUT), "ack_timeout" },
		{ xmp_join_fail_name(XMP_JOIN_FAIL_NR), "?" },
		{ xmp_addr_lstate_name(XMP_ADDR_FREE), "FREE" },
		{ xmp_addr_lstate_name(XMP_ADDR_WITHDRAWN), "WITHDRAWN" },
		{ xmp_addr_lstate_name(XMP_ADDR_NR_STATES), "?" },
		{ xmp_mp_drop_name(XMP_MPD_TCPOPT_TRUNC), "tcpopt_trunc" },
		{ xmp_mp_drop_name(XMP_MPD_TCPRST_LEN), "tcprst_len" },
		{ xmp_mp_drop_name(XMP_MPD_NR), "unknown" },
		{ xmp_pkt_err_name(XMP_PKT_OK), "ok" },
		{ xmp_pkt_err_name(XMP_PKT_E_BAD_META), "bad-xdp-meta" },
		{ xmp_pkt_err_name(XMP_PKT_E_NR), "unknown" },
		{ xmp_pkt_err_name(-1), "unknown" },
		{ XMP_NAME_OF(holey, 0, "?"), "a" },
		{ XMP_NAME_OF(holey, 1, "?"), "?" },
		{ XMP_NAME_OF(holey, 2, "?"), "c" },
		{ XMP_NAME_OF(holey, 3, "?"), "?" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(!strcmp(rows[i].got, rows[i].want));
}

int main(void)
{
	RUN(every_counter_named);
	RUN(keys_unique_per_object);
	RUN(keys_spelled_as_before);
	RUN(json_pairs);
	RUN(totals_add);
	RUN(enum_names);
	return t_exit_code();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Names for the enums shared with the BPF programs. Tables are indexed with
 * designated initialisers, so a new enum entry without a name still prints
 * (as "reasonN" etc.) instead of reading past an array.
 */
#include <stdio.h>

#include <xmptcp/maps.h>

#include "ctl/names.h"

static const char *const class_names[XMP_CLASS_NR] = { XMP_CLASS_LIST(XMP_NAME_ROW) };

static const char *const reason_names[XMP_R_NR] = { XMP_REASON_LIST(XMP_NAME_ROW) };

static const char *const fixed_names[XMP_C_NR] = {
	[XMP_C_RX_PACKETS] = "rx_packets",
	[XMP_C_RX_TCP] = "rx_tcp",
	[XMP_C_RX_MPTCP] = "rx_mptcp",
	[XMP_C_REDIRECTED] = "redirected",
	[XMP_C_REDIRECT_MISS] = "redirect_miss",
	[XMP_C_TX_PACKETS] = "tx_packets",
	[XMP_C_TX_MPTCP] = "tx_mptcp",
	[XMP_C_GUARD_RST] = "guard_rst",
	[XMP_C_GUARD_ICMP] = "guard_icmp",
	[XMP_C_OBSERVE_NEW] = "observe_new",
	[XMP_C_META_WRITTEN] = "meta_written",
	[XMP_C_META_REFUSED] = "meta_refused",
};

static const char *const subtype_names[MPTCPOPT_NR_SUBTYPES] = {
	[MPTCPOPT_MP_CAPABLE] = "mp_capable",
	[MPTCPOPT_MP_JOIN] = "mp_join",
	[MPTCPOPT_DSS] = "dss",
	[MPTCPOPT_ADD_ADDR] = "add_addr",
	[MPTCPOPT_RM_ADDR] = "remove_addr",
	[MPTCPOPT_MP_PRIO] = "mp_prio",
	[MPTCPOPT_MP_FAIL] = "mp_fail",
	[MPTCPOPT_MP_FASTCLOSE] = "mp_fastclose",
	[MPTCPOPT_MP_TCPRST] = "mp_tcprst",
};

static const char *const obs_flag_names[] = {
	"synack_mp", "fallback", "data_fin", "fastclose", "tcprst", "csum", "backup",
};

static const char *reason_name(unsigned int r, char *buf, size_t len, const char *dir)
{
	if (r < XMP_R_NR && reason_names[r])
		snprintf(buf, len, "%s_parse_%s", dir, reason_names[r]);
	else
		snprintf(buf, len, "%s_parse_reason%u", dir, r);
	return buf;
}

const char *xmp_counter_name(unsigned int idx, char *buf, size_t len)
{
	if (idx >= XMP_C_CLASS_BASE && idx < XMP_C_CLASS_BASE + XMP_CLASS_NR) {
		unsigned int c = idx - XMP_C_CLASS_BASE;

		if (class_names[c])
			snprintf(buf, len, "class_%s", class_names[c]);
		else
			snprintf(buf, len, "class%u", c);
		return buf;
	}
	if (idx >= XMP_C_REASON_BASE && idx < XMP_C_REASON_BASE + XMP_R_NR)
		return reason_name(idx - XMP_C_REASON_BASE, buf, len, "rx");
	if (idx >= XMP_C_TX_REASON_BASE && idx < XMP_C_TX_REASON_BASE + XMP_R_NR)
		return reason_name(idx - XMP_C_TX_REASON_BASE, buf, len, "tx");
	if (idx < XMP_C_NR && fixed_names[idx])
		snprintf(buf, len, "%s", fixed_names[idx]);
	else
		snprintf(buf, len, "counter%u", idx);
	return buf;
}

const char *xmp_obs_kind_name(__u8 kind)
{
	switch (kind) {
	case XMP_OBS_MPC:
		return "mp_capable";
	case XMP_OBS_JOIN:
		return "mp_join";
	default:
		return "unknown";
	}
}

const char *xmp_obs_flag_name(unsigned int bit)
{
	if (bit < sizeof(obs_flag_names) / sizeof(obs_flag_names[0]))
		return obs_flag_names[bit];
	return NULL;
}

const char *xmp_subtype_name(unsigned int st)
{
	return st < MPTCPOPT_NR_SUBTYPES ? subtype_names[st] : NULL;
}

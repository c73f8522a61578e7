/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP v1 wire constants (RFC 8684 section 3), shared by the XDP/TC parser
 * (bpf/lib/parse_mptcp.h) and the userspace codec (user/mptcp/options.c) so
 * both read the wire the same way. Macros only: usable in BPF and C alike.
 */
#ifndef XMPTCP_MPTCP_WIRE_H
#define XMPTCP_MPTCP_WIRE_H

/* TCP option kinds (RFC 9293, 7323, 2018, 8684) */
#define TCPOPT_EOL_		0
#define TCPOPT_NOP_		1
#define TCPOPT_MSS_		2
#define TCPOPT_WSCALE_		3
#define TCPOPT_SACK_PERM_	4
#define TCPOPT_SACK_		5
#define TCPOPT_TS_		8
#define TCPOPT_MPTCP		30

#define TCPOLEN_MSS_		4
#define TCPOLEN_WSCALE_		3
#define TCPOLEN_SACK_PERM_	2
#define TCPOLEN_TS_		10
#define TCP_MAX_OPT_BYTES	40

#define MPTCP_VERSION_1		1

/* Subtypes: high nibble of the third option byte (RFC 8684 3.0, Table 1) */
#define MPTCPOPT_MP_CAPABLE	0
#define MPTCPOPT_MP_JOIN	1
#define MPTCPOPT_DSS		2
#define MPTCPOPT_ADD_ADDR	3
#define MPTCPOPT_RM_ADDR	4
#define MPTCPOPT_MP_PRIO	5
#define MPTCPOPT_MP_FAIL	6
#define MPTCPOPT_MP_FASTCLOSE	7
#define MPTCPOPT_MP_TCPRST	8
#define MPTCPOPT_NR_SUBTYPES	9

/* MP_CAPABLE (3.1): length tells the variant */
#define MPTCPOLEN_MPC_SYN	4	/* v1 SYN: no key */
#define MPTCPOLEN_MPC_SYNACK	12	/* server key */
#define MPTCPOLEN_MPC_ACK	20	/* both keys */
#define MPTCPOLEN_MPC_ACK_DATA	22	/* both keys + data-level length */
#define MPTCPOLEN_MPC_ACK_DATA_CSUM 24	/* ... + DSS checksum */
#define MPTCP_CAP_CHECKSUM_REQD	0x80	/* A */
#define MPTCP_CAP_EXTENSIBILITY	0x40	/* B */
#define MPTCP_CAP_DENY_JOIN_ID0	0x20	/* C */
#define MPTCP_CAP_HMAC_SHA256	0x01	/* H */

/* MP_JOIN (3.2) */
#define MPTCPOLEN_MPJ_SYN	12	/* token + nonce */
#define MPTCPOLEN_MPJ_SYNACK	16	/* truncated HMAC + nonce */
#define MPTCPOLEN_MPJ_ACK	24	/* full HMAC */
#define MPTCP_JOIN_BACKUP	0x01
#define MPTCP_JOIN_TRUNC_HMAC_LEN 8
#define MPTCP_JOIN_HMAC_LEN	20	/* bytes of HMAC-SHA256 carried in the ACK */

/* DSS (3.3): flag bits of the fourth byte */
#define MPTCP_DSS_DATA_FIN	0x10	/* F */
#define MPTCP_DSS_DSN64		0x08	/* m */
#define MPTCP_DSS_HAS_MAP	0x04	/* M */
#define MPTCP_DSS_ACK64		0x02	/* a */
#define MPTCP_DSS_HAS_ACK	0x01	/* A */
#define MPTCP_DSS_FLAG_MASK	0x1f
#define MPTCPOLEN_DSS_BASE	4

/* ADD_ADDR (3.4.1): E flag in the low bit of the subtype byte */
#define MPTCP_ADDR_ECHO		0x01
#define MPTCPOLEN_ADD_ADDR_BASE	8	/* v4, no port, echo (no HMAC) */
#define MPTCPOLEN_ADD_ADDR6_BASE 20	/* v6, no port, echo */
#define MPTCPOLEN_ADD_ADDR_PORT	2
#define MPTCPOLEN_ADD_ADDR_HMAC	8

/* REMOVE_ADDR (3.4.2): 3 bytes + one per address id */
#define MPTCPOLEN_RM_ADDR_BASE	3

/* MP_PRIO (3.3.8) */
#define MPTCPOLEN_MP_PRIO	3
#define MPTCP_PRIO_BACKUP	0x01

/* MP_FAIL (3.7), MP_FASTCLOSE (3.5), MP_TCPRST (3.6) */
#define MPTCPOLEN_MP_FAIL	12
#define MPTCPOLEN_MP_FASTCLOSE	12
#define MPTCPOLEN_MP_TCPRST	4
#define MPTCP_RST_TRANSIENT	0x01	/* T flag */

/*
 * Added for the userspace codec (user/mptcp/options.c); the XDP parser may use
 * them too. Per-part lengths and limits as in Linux net/mptcp/protocol.h.
 */
#define MPTCP_VERSION_MASK	0x0f	/* low nibble of the MP_CAPABLE subtype byte */
#define MPTCP_CAP_FLAG_MASK	0x1f	/* D..H: crypto algorithm bits, must be exactly H */

/* DSS (3.3): length = BASE + ack part + mapping part + optional checksum */
#define MPTCPOLEN_DSS_ACK32	4
#define MPTCPOLEN_DSS_ACK64	8
#define MPTCPOLEN_DSS_MAP32	10	/* DSN(4) + SSN(4) + data-level length(2) */
#define MPTCPOLEN_DSS_MAP64	14	/* DSN(8) + SSN(4) + data-level length(2) */
#define MPTCPOLEN_DSS_CSUM	2

/* REMOVE_ADDR: Linux accepts 1..8 ids and never sends more */
#define MPTCP_RM_IDS_MAX	8

/* MP_TCPRST reason codes (3.6); same names and values as the UAPI
 * <linux/mptcp.h>, hence the guard when both are included. */
#ifndef MPTCP_RST_EUNSPEC
#define MPTCP_RST_EUNSPEC	0	/* unspecified error */
#define MPTCP_RST_EMPTCP	1	/* MPTCP-specific error */
#define MPTCP_RST_ERESOURCE	2	/* lack of resources */
#define MPTCP_RST_EPROHIBIT	3	/* administratively prohibited */
#define MPTCP_RST_EWQ2BIG	4	/* too much outstanding data */
#define MPTCP_RST_EBADPERF	5	/* unacceptable performance */
#define MPTCP_RST_EMIDDLEBOX	6	/* middlebox interference */
#endif
#define MPTCP_RST_FLAGS_MASK	0x0f	/* U V W T */

#endif

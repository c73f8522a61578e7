/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants and small macros of the BPF data plane (bpf/xdp_steer.bpf.c,
 * bpf/tc_egress.bpf.c). vmlinux.h carries the kernel's types and enums but
 * none of its #defines, so the few protocol numbers the parser needs live
 * here. Included first by every bpf/lib header.
 */
#ifndef XMP_BPF_CONSTS_H
#define XMP_BPF_CONSTS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xmptcp/maps.h>

#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* Ethernet types (host order; compared after bpf_ntohs) */
#define XMP_ETH_P_IP	 0x0800
#define XMP_ETH_P_IPV6	 0x86DD
#define XMP_ETH_P_8021Q	 0x8100
#define XMP_ETH_P_8021AD 0x88A8

#define XMP_ETH_HLEN  14
#define XMP_VLAN_HLEN 4

/* IPv4 fragment field (host order) */
#define XMP_IP_MF     0x2000
#define XMP_IP_OFFSET 0x1fff

/* IPv6 next-header values the extension walker knows how to skip */
#define XMP_NEXTHDR_HOP	     0
#define XMP_NEXTHDR_TCP	     6
#define XMP_NEXTHDR_ROUTING  43
#define XMP_NEXTHDR_FRAGMENT 44
#define XMP_NEXTHDR_AUTH     51
#define XMP_NEXTHDR_DEST     60
#define XMP_NEXTHDR_ICMPV6   58
#define XMP_IPPROTO_ICMP     1

/* TCP flag bits of byte 13 */
#define XMP_TCP_FIN 0x01
#define XMP_TCP_SYN 0x02
#define XMP_TCP_RST 0x04
#define XMP_TCP_PSH 0x08
#define XMP_TCP_ACK 0x10

/* tc verdicts (uapi pkt_cls.h defines, absent from vmlinux.h) */
#define XMP_TC_ACT_OK	0
#define XMP_TC_ACT_SHOT 2

/*
 * Parser bounds. They make every loop provably finite for the verifier:
 * - 6 IPv6 extension headers cover RFC 8200 4.1's recommended order
 *   (hop-by-hop, dest-opts, routing, fragment, AH, dest-opts); a longer
 *   chain is counted as XMP_R_EXT_CHAIN and the frame passed unparsed.
 * - 40 option bytes can hold at most 40 options, but only NOP/EOL are one
 *   byte long; 16 non-NOP options is more than any real stack sends
 *   (MSS, SACK_PERM, TS, WS and a few MPTCP suboptions), so more is
 *   XMP_R_OPT_TOO_MANY rather than a legitimate segment.
 */
#define XMP_MAX_EXT_HDRS 6
#define XMP_MAX_OPT_BYTES 40
#define XMP_MAX_OPTS 16

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys and values of the maps that bpf/xdp_steer.bpf.c and bpf/tc_egress.bpf.c
 * share with the controller and the xmptcp CLI. Every map is pinned by name
 * under the pin directory (default /sys/fs/bpf/xmptcp/ns<netns inode>/) and
 * carries BTF, so `bpftool map dump pinned DIR/NAME` prints these fields.
 *
 * Addresses are stored as 16 bytes: IPv4 as ::ffff:a.b.c.d (v4-mapped), so one
 * key type serves both families. Byte order is stated per field.
 */
#ifndef XMPTCP_MAPS_H
#define XMPTCP_MAPS_H

#include "types.h"
#include "mptcp_wire.h"
#include "meta.h"

#define XMP_PIN_ROOT		"/sys/fs/bpf/xmptcp"

/* Map names: the pinned file names, also the names in the BPF objects. */
#define XMP_MAP_LISTENERS	"xmp_listeners"
#define XMP_MAP_SUBFLOWS	"xmp_subflows"
#define XMP_MAP_TOKENS		"xmp_tokens"
#define XMP_MAP_XSKS		"xmp_xsks"
#define XMP_MAP_IFSLOTS		"xmp_ifslots"
#define XMP_MAP_STATS		"xmp_stats"
#define XMP_MAP_OBSERVE		"xmp_observe"
#define XMP_MAP_CONFIG		"xmp_config"
#define XMP_MAP_CONNS		"xmp_conns"

#define XMP_MAX_LISTENERS	1024
#define XMP_MAX_SUBFLOWS	65536
#define XMP_MAX_TOKENS		65536
#define XMP_MAX_CONNS		65536
#define XMP_MAX_QUEUES		64
/* Interfaces with AF_XDP sockets per pin dir: xmp_xsks holds one block of
 * XMP_MAX_QUEUES entries per interface slot (xmp_ifslots: ifindex -> slot),
 * key slot * XMP_MAX_QUEUES + rx queue, as every interface of a namespace
 * shares the maps. */
#define XMP_MAX_IFACES		16
#define XMP_MAX_OBSERVE		16384

struct xmp_addr {
	__u8 a[16];		/* network order; IPv4 is ::ffff:a.b.c.d */
};

/* xmp_listeners: (local addr, local port) we accept SYNs on. An all-zero addr is
 * the wildcard, looked up after the exact address. */
struct xmp_listen_key {
	struct xmp_addr addr;
	__be16 port;
	__u8  pad[2];
};

/* xmp_listen_val.flags */
/* Only SYNs that carry MP_CAPABLE or MP_JOIN are ours: a plain TCP SYN to
 * the port goes on to the kernel, whose own listener (the service that
 * xmptcpd --accept fronts) keeps serving plain TCP clients. */
#define XMP_LISTEN_F_MPTCP_ONLY	(1u << 0)

struct xmp_listen_val {
	__u32 flags;		/* XMP_LISTEN_F_* */
	__u32 pad;
	__u64 syns;		/* SYNs steered to the controller */
};

/* A subflow's 4-tuple as seen on ingress: src = the peer, dst = us.
 * The observe map uses it with src = the side that sent the first SYN. */
struct xmp_tuple {
	struct xmp_addr saddr;
	struct xmp_addr daddr;
	__be16 sport;
	__be16 dport;
	__u8  pad[4];
};

/* xmp_subflows value: per-subflow counters kept by XDP for subflows the
 * controller owns; the controller creates the entry, XDP updates it. */
struct xmp_sf_val {
	__u32 conn_id;		/* the controller's connection id */
	__u32 flags;		/* reserved, 0 */
	__u64 packets;
	__u64 bytes;		/* TCP payload bytes */
	__u64 last_dsn;		/* data sequence of the newest DSS mapping (64-bit expanded when m=0: low 32 bits) */
	__u64 last_data_ack;	/* newest DATA_ACK */
	__u32 opt_seen[MPTCPOPT_NR_SUBTYPES]; /* valid suboptions by subtype */
	__u32 pad2;
};

/* xmp_tokens: MP_JOIN tokens of connections the controller owns (host order). */
struct xmp_token_val {
	__u32 conn_id;
	__u32 pad;
	__u64 joins;		/* join SYNs steered */
};

/* xmp_conns: the controller's connections, key: its connection id. Only
 * xmptcpd writes it (about once a second and on changes) and no program
 * reads it: it is there for `bpftool map dump pinned .../xmp_conns`, which
 * prints these fields by name from the object's BTF. */
struct xmp_conn_val {
	struct xmp_addr laddr, raddr; /* the initial subflow's */
	__u16 lport, rport;	      /* host order */
	__u32 local_token;	      /* 0 before MP_CAPABLE completes / plain TCP */
	__u32 remote_token;
	__u8 role;		      /* 0 client, 1 server */
	__u8 msk_state;		      /* user/mptcp/conn.h enum xmp_msk_state */
	__u8 subflows;		      /* live subflows */
	__u8 flags;		      /* XMP_CONN_F_* */
	__u64 bytes_sent, bytes_rcvd, reinjected;
	char sched[16];		      /* scheduler name */
	char cc[16];		      /* congestion control name */
};

#define XMP_CONN_F_PLAIN    0x1 /* plain TCP from the handshake (3.7) */
#define XMP_CONN_F_FALLBACK 0x2 /* fell back to TCP later */
#define XMP_CONN_F_PROXY    0x4 /* an unmodified app's connection (proxy) */

/* xmp_stats: per-CPU array of __u64 counters, index enum xmp_counter. */
enum xmp_counter {
	XMP_C_RX_PACKETS = 0,	/* frames seen by XDP */
	XMP_C_RX_TCP,		/* of which TCP */
	XMP_C_RX_MPTCP,		/* of which carried an MPTCP option */
	XMP_C_CLASS_BASE,	/* + enum xmp_class: frames per classification */
	XMP_C_REDIRECTED = XMP_C_CLASS_BASE + XMP_CLASS_NR, /* redirected to an XSK */
	XMP_C_REDIRECT_MISS,	/* owned, but no XSK on that queue: passed */
	XMP_C_REASON_BASE,	/* + enum xmp_reason: parse problems met (ingress) */
	XMP_C_TX_PACKETS = XMP_C_REASON_BASE + XMP_R_NR, /* frames seen by TC egress */
	XMP_C_TX_MPTCP,		/* of which carried an MPTCP option */
	XMP_C_TX_REASON_BASE,	/* + enum xmp_reason: parse problems met (egress) */
	XMP_C_GUARD_RST = XMP_C_TX_REASON_BASE + XMP_R_NR, /* kernel RSTs dropped for owned tuples */
	XMP_C_GUARD_ICMP,	/* kernel ICMP errors dropped for owned tuples */
	XMP_C_OBSERVE_NEW,	/* flows added to the observe map */
	XMP_C_META_WRITTEN,	/* frames given xmp_meta in front */
	XMP_C_META_REFUSED,	/* bpf_xdp_adjust_meta failed at run time (driver, headroom): frame went on without */
	XMP_C_NR,
};

/* xmp_observe: LRU hash of every MPTCP subflow seen on the attached
 * interfaces, both directions, the kernel's own included. Key: xmp_tuple with
 * saddr/sport = the SYN's sender. Index [0] of the per-direction arrays is
 * the SYN sender -> receiver direction, [1] the reverse. */
enum xmp_obs_kind {
	XMP_OBS_MPC = 1,	/* initial subflow (MP_CAPABLE) */
	XMP_OBS_JOIN = 2,	/* additional subflow (MP_JOIN) */
};

#define XMP_OBS_F_SYNACK_MP	0x01	/* SYN-ACK carried MP_CAPABLE/MP_JOIN */
#define XMP_OBS_F_FALLBACK	0x02	/* fallback seen: SYN-ACK without MPTCP, infinite mapping or MP_FAIL */
#define XMP_OBS_F_DATA_FIN	0x04	/* DATA_FIN seen */
#define XMP_OBS_F_FASTCLOSE	0x08	/* MP_FASTCLOSE seen */
#define XMP_OBS_F_TCPRST	0x10	/* MP_TCPRST seen */
#define XMP_OBS_F_CSUM		0x20	/* DSS checksum negotiated */
#define XMP_OBS_F_BACKUP	0x40	/* MP_JOIN/MP_PRIO backup bit */

struct xmp_obs_val {
	__u64 first_ns;		/* bpf_ktime_get_ns() of the first packet */
	__u64 last_ns;
	__u8  kind;		/* enum xmp_obs_kind */
	__u8  flags;		/* XMP_OBS_F_* */
	__u8  addr_id;		/* MP_JOIN address id of the SYN */
	__u8  pad;
	__u32 join_token;	/* MP_JOIN: token from the SYN (host order) */
	__u64 key[2];		/* MP_CAPABLE keys, [0] SYN sender's, [1] receiver's (host order of the wire's big-endian); 0 = not seen */
	__u64 packets[2];
	__u64 bytes[2];		/* TCP payload bytes */
	__u64 dsn_min[2];	/* lowest DSS mapping start seen (64-bit DSN), ~0 = none */
	__u64 dsn_end[2];	/* highest mapping end (dsn + data-level length) */
	__u64 data_ack[2];	/* newest DATA_ACK */
	__u16 opt_seen;		/* bit (1 << subtype) */
	__u8  pad2[6];
};

/* xmp_config: array of one; written by the loader before attach. */
#define XMP_CFG_OBSERVE		0x01	/* record every MPTCP flow in xmp_observe */
#define XMP_CFG_GUARD		0x02	/* TC: drop kernel RST/ICMP for owned tuples */

/* xmp_config.features: what `xmptcp attach` found this kernel can do
 * (user/io/features.h), recorded for `xmptcp status`; no program reads it. */
#define XMP_FEAT_PROBED		0x01	/* the bits below are meaningful */
#define XMP_FEAT_XDP_META	0x02	/* an XDP program may call bpf_xdp_adjust_meta */
#define XMP_FEAT_XDP_FRAGS	0x04	/* BPF_F_XDP_HAS_FRAGS programs load */
#define XMP_FEAT_XDP_LINK	0x08	/* bpf_link_create(BPF_XDP) worked */
#define XMP_FEAT_XDP_NETLINK	0x10	/* link refused: an attach fell back to netlink */

struct xmp_config {
	__u32 flags;
	__u32 features;		/* XMP_FEAT_* */
	/* Cookie of the network namespace that attached (SO_NETNS_COOKIE; 0:
	 * unknown). The pin dir is named after the namespace's inode, which
	 * the kernel hands to the next namespace once this one is deleted;
	 * the cookie is never reused, so it tells stale pins from ours
	 * (user/io/pinowner.c). No program reads it. */
	__u64 netns_cookie;
};

XMP_STATIC_ASSERT(sizeof(struct xmp_tuple) == 40, "xmp_tuple layout");
XMP_STATIC_ASSERT(sizeof(struct xmp_listen_key) == 20, "xmp_listen_key layout");
XMP_STATIC_ASSERT(sizeof(struct xmp_sf_val) % 8 == 0, "xmp_sf_val layout");
XMP_STATIC_ASSERT(sizeof(struct xmp_obs_val) % 8 == 0, "xmp_obs_val layout");
XMP_STATIC_ASSERT(sizeof(struct xmp_conn_val) % 8 == 0, "xmp_conn_val layout");
XMP_STATIC_ASSERT(sizeof(struct xmp_config) == 16, "xmp_config layout");

#endif

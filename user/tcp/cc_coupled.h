/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coupled congestion control for the subflows of one MPTCP connection.
 *
 * A coupling group (struct xmp_cc_group, embedded in the connection, no
 * allocation) lists the subflow sockets of a connection. Each member runs
 * "lia" (RFC 6356, cc_lia.c) or "olia" (Khalili et al., cc_olia.c) as its
 * struct xmp_cc_ops; on every ACK in congestion avoidance the member walks
 * the group to compute its increase from all members' cwnd and SRTT.
 * Slow start and the loss response (halving) stay Reno's, so with one
 * member (or outside any group) both behave as Reno.
 *
 * Call chain: user/conn/sflow.c creates each subflow with cfg.cc = "lia" (after
 * xmp_cc_coupled_register() once at start-up), then xmp_cc_group_add() it
 * to the connection's group; the engine calls ops->on_ack() etc. as for
 * any algorithm; xmp_cc_group_del() before xmp_tcp_destroy(). Members
 * join and leave at any time; the group outlives them.
 *
 * A member counts in the coupled sums only while it can send new data
 * (ESTABLISHED or CLOSE_WAIT) and has an RTT sample, as members without
 * either have no rate to weigh.
 */
#ifndef XMP_CC_COUPLED_H
#define XMP_CC_COUPLED_H

#include "tcp/tcp.h"

/* Like the kernel's limit on subflows per connection, with headroom. */
#define XMP_CC_GROUP_MAX 16

struct xmp_cc_group {
	struct xmp_tcp_sock *member[XMP_CC_GROUP_MAX];
	unsigned int n;
};

/* Registers "lia" and "olia" with xmp_cc_register(); idempotent. */
int xmp_cc_coupled_register(void);

void xmp_cc_group_init(struct xmp_cc_group *g);
/* -EINVAL (NULL), -EEXIST (already a member), -EBUSY (in another group),
 * -ENOSPC (group full). Sets sk->cc_group. */
int xmp_cc_group_add(struct xmp_cc_group *g, struct xmp_tcp_sock *sk);
/* -ENOENT when sk is not a member. Clears sk->cc_group. */
int xmp_cc_group_del(struct xmp_cc_group *g, struct xmp_tcp_sock *sk);
/* Removes every member (connection teardown). */
void xmp_cc_group_clear(struct xmp_cc_group *g);

/* Fixed-point unit of the alpha values reported below. */
#define XMP_CC_ALPHA_ONE 1024

/*
 * Inspection (xmptcp subflows, tests). LIA: RFC 6356 alpha of sk's group
 * times XMP_CC_ALPHA_ONE (1024 when sk is alone). OLIA: sk's alpha_r as
 * num/den (num in -1, 0, 1) and its inter-loss distance l_r in bytes.
 */
__u32 xmp_cc_lia_alpha(const struct xmp_tcp_sock *sk);
void xmp_cc_olia_alpha(const struct xmp_tcp_sock *sk, int *num, unsigned int *den);
__u64 xmp_cc_olia_interloss(const struct xmp_tcp_sock *sk);

/* Shared by cc_lia.c and cc_olia.c. */
typedef unsigned __int128 xmp_cc_u128;

/* Whether sk takes part in the coupled sums (see above). */
bool xmp_cc_member_active(const struct xmp_tcp_sock *sk);
/* SRTT clamped to [1 us, 2^24 us] so products of windows and RTT ratios
 * stay inside 128 bits whatever the estimator holds. */
__u32 xmp_cc_rtt(const struct xmp_tcp_sock *sk);
/* Active members of sk's group (sk alone when ungrouped) into out[]; 0
 * when sk itself is not active, so the caller falls back to Reno. */
unsigned int xmp_cc_group_active(const struct xmp_tcp_sock *sk,
				 const struct xmp_tcp_sock *out[XMP_CC_GROUP_MAX]);
/* Reno's steps (cc_reno.c), which LIA and OLIA build on. */
/* RFC 5681 slow start with RFC 3465 L = 2 SMSS. */
void xmp_cc_slow_start(struct xmp_tcp_sock *sk, __u32 acked);
/* Congestion avoidance: one SMSS per @thresh bytes acknowledged (Reno's
 * thresh is cwnd), the excess carried in *@count. */
void xmp_cc_ca_step(struct xmp_tcp_sock *sk, __u64 *count, __u32 acked, __u32 thresh);
/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
__u32 xmp_cc_reno_ssthresh(struct xmp_tcp_sock *sk);
/* init and cwnd_event of an algorithm counting in cc_priv[0] as Reno. */
void xmp_cc_reno_init(struct xmp_tcp_sock *sk);
void xmp_cc_reno_event(struct xmp_tcp_sock *sk, enum xmp_cc_event ev, __u64 now_us);

extern struct xmp_cc_ops xmp_cc_lia;
extern struct xmp_cc_ops xmp_cc_olia;

#endif

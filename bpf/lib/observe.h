/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Observe mode (XMP_CFG_OBSERVE): every MPTCP subflow that crosses the
 * interface, the kernel's own included, gets an xmp_observe entry keyed by
 * its tuple as the SYN sender sent it (include/xmptcp/maps.h). XDP ingress
 * and TC egress both call xmp_obs_update() on the same pinned map, so one entry
 * sees both directions even when only one end's interface is attached.
 *
 * Concurrency: ingress and egress of one flow run on different CPUs at once.
 * Counters and flag words use atomic adds/ors. dsn_min/dsn_end/data_ack are
 * per direction and each direction is seen by one hook, so a plain
 * compare-and-store suffices there.
 */
#ifndef XMP_BPF_OBSERVE_H
#define XMP_BPF_OBSERVE_H

#include "lib/maps.h"
#include "lib/counters.h"

/* kind, flags, addr_id, pad and join_token share the aligned 64-bit word at
 * offset 16; opt_seen and pad2 the one at offset 120. BPF has no byte-wide
 * atomics (and 32-bit ones need -mcpu=v3), so the flags are or'ed through
 * those 64-bit words (little-endian layout: flags is bits 8..15). */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "observe.h ors flag bytes through 64-bit words laid out little-endian"
#endif
_Static_assert(__builtin_offsetof(struct xmp_obs_val, kind) == 16 &&
		   __builtin_offsetof(struct xmp_obs_val, flags) == 17 &&
		   __builtin_offsetof(struct xmp_obs_val, opt_seen) == 120,
	       "observe.h: flag words moved");

static __always_inline void xmp_obs_or_flags(struct xmp_obs_val *v, __u8 f)
{
	if (f && (v->flags & f) != f)
		__sync_fetch_and_or((__u64 *)&v->kind, (__u64)f << 8);
}

static __always_inline void xmp_obs_or_seen(struct xmp_obs_val *v, __u16 seen)
{
	if (seen && (v->opt_seen & seen) != seen)
		__sync_fetch_and_or((__u64 *)&v->opt_seen, (__u64)seen);
}

static __always_inline void xmp_tuple_reverse(struct xmp_tuple *r, const struct xmp_tuple *t)
{
	r->saddr = t->daddr;
	r->daddr = t->saddr;
	r->sport = t->dport;
	r->dport = t->sport;
	*(__u32 *)r->pad = 0;
}

/* A SYN with a valid MP_CAPABLE or MP_JOIN opens an entry (RFC 8684 3.1,
 * 3.2). A SYN retransmission finds its entry and is counted as a packet. */
static __always_inline struct xmp_obs_val *xmp_obs_create(struct xmp_parse *p, __u64 now)
{
	struct xmp_obs_val v = {};

	v.first_ns = now;
	v.dsn_min[0] = ~0ULL;
	v.dsn_min[1] = ~0ULL;
	if (p->m.mp_seen & (1u << MPTCPOPT_MP_JOIN)) {
		v.kind = XMP_OBS_JOIN;
		v.join_token = p->mp.join_token;
		v.addr_id = p->mp.join_addr_id;
	} else {
		v.kind = XMP_OBS_MPC;
	}
	if (bpf_map_update_elem(&xmp_observe, &p->t, &v, BPF_NOEXIST) == 0)
		xmp_count(XMP_C_OBSERVE_NEW);
	return bpf_map_lookup_elem(&xmp_observe, &p->t);
}

/* Finds the entry of the frame's subflow and its direction (0: sent by the
 * SYN sender). Both orientations of the tuple are tried; only the order is
 * a guess, so the guess costs a lookup when wrong and never changes the
 * result (one flow has one entry: a SYN finds an existing one either way
 * round before creating its own). The SYN sender is usually a client whose
 * ephemeral port (Linux: 32768-60999) is above the server's, so the
 * orientation with the higher source port goes first: with the frame's
 * tuple tried first always, every server -> client segment cost two hash
 * lookups of the 40-byte key. */
static __always_inline struct xmp_obs_val *xmp_obs_find(struct xmp_parse *p, __u32 *dir)
{
	__u32 rev_first = bpf_ntohs(p->t.sport) < bpf_ntohs(p->t.dport);
	struct xmp_obs_val *v;
	struct xmp_tuple r;

	xmp_tuple_reverse(&r, &p->t);
	v = bpf_map_lookup_elem(&xmp_observe, rev_first ? &r : &p->t);
	if (v) {
		*dir = rev_first;
		return v;
	}
	*dir = !rev_first;
	return bpf_map_lookup_elem(&xmp_observe, rev_first ? &p->t : &r);
}

/* Keys from MP_CAPABLE: the SYN-ACK carries its sender's (the receiver's
 * of the SYN) key; the third ACK and first data both, sender's first. */
static __always_inline void xmp_obs_keys(struct xmp_obs_val *v, struct xmp_parse *p, __u32 dir)
{
	if (!(p->m.mp_seen & (1u << MPTCPOPT_MP_CAPABLE)) || !p->mp.nkeys)
		return;
	if (p->mp.nkeys == 1) {
		v->key[dir & 1] = p->mp.key[0];
	} else {
		v->key[dir & 1] = p->mp.key[0];
		v->key[(dir & 1) ^ 1] = p->mp.key[1];
	}
}

/* DSS mapping and DATA_ACK, RFC 8684 3.3. dsn_end is compared as a plain
 * 64-bit number: fine for a 64-bit DSN, and a 32-bit DSN is kept as is. */
static __always_inline void xmp_obs_dss(struct xmp_obs_val *v, struct xmp_parse *p, __u32 dir)
{
	__u32 d = dir & 1;

	if (!(p->m.mp_seen & (1u << MPTCPOPT_DSS)))
		return;
	if (p->mp.has_map && p->mp.dll) {
		__u64 end = p->mp.dsn + p->mp.dll;

		if (p->mp.dsn < v->dsn_min[d])
			v->dsn_min[d] = p->mp.dsn;
		if (end > v->dsn_end[d])
			v->dsn_end[d] = end;
	}
	if (p->mp.has_ack && p->mp.data_ack > v->data_ack[d])
		v->data_ack[d] = p->mp.data_ack;
}

static __always_inline void xmp_obs_update(struct xmp_parse *p)
{
	struct xmp_obs_val *v;
	__u8 flags = p->mp.obs_flags;
	__u32 dir = 0;
	__u64 now;

	/* Only segments with an MPTCP option, and SYN-ACKs (which tell
	 * fallback by lacking one), can matter: MPTCP puts a DSS on every
	 * segment of a subflow that has not fallen back (RFC 8684 3.3, Linux
	 * always carries at least a DATA_ACK), so plain TCP traffic is spared
	 * two hash lookups. After fallback a flow's later bytes go uncounted;
	 * it is flagged XMP_OBS_F_FALLBACK. */
	if (!(p->m.tcp_opts & XMP_TOPT_MPTCP) && !xmp_synack(p))
		return;
	v = xmp_obs_find(p, &dir);
	if (!v) {
		if (!xmp_syn_only(p) ||
		    !(p->m.mp_seen & ((1u << MPTCPOPT_MP_CAPABLE) | (1u << MPTCPOPT_MP_JOIN))))
			return;
		v = xmp_obs_create(p, bpf_ktime_get_ns());
		if (!v)
			return;
		dir = 0;
	}
	now = bpf_ktime_get_ns();
	/* 3.7: a SYN-ACK without MP_CAPABLE/MP_JOIN means plain TCP */
	if (dir == 1 && xmp_synack(p)) {
		if (p->m.mp_seen & ((1u << MPTCPOPT_MP_CAPABLE) | (1u << MPTCPOPT_MP_JOIN)))
			flags |= XMP_OBS_F_SYNACK_MP;
		else
			flags |= XMP_OBS_F_FALLBACK;
	}
	v->last_ns = now;
	__sync_fetch_and_add(&v->packets[dir & 1], 1);
	if (p->payload_len)
		__sync_fetch_and_add(&v->bytes[dir & 1], p->payload_len);
	xmp_obs_keys(v, p, dir);
	xmp_obs_dss(v, p, dir);
	xmp_obs_or_flags(v, flags);
	xmp_obs_or_seen(v, p->m.mp_seen);
}

#endif

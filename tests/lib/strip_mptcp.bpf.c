// SPDX-License-Identifier: GPL-2.0
/*
 * A middlebox for the namespace tests (tests/net/test_middlebox.sh): a tc
 * classifier, attached at the clsact ingress of a router's interface, that
 * rewrites every MPTCP option (TCP option kind 30) of the segments it is
 * told to touch into NOPs (kind 1) and fixes the TCP checksum, as option-
 * stripping middleboxes do. The endpoints must then fall back to plain TCP
 * (RFC 8684 3.7) and still deliver every byte.
 *
 * Built at test run time with clang (not under bpf/, so the Makefile does
 * not pick it up) and loaded with `tc filter add ... bpf da obj`. The mode
 * is chosen at compile time:
 *   -DSTRIP_MODE=0   observe only: count, never rewrite (control runs, and
 *                    a wire tap where a capture sees nothing: AF_XDP frames
 *                    bypass the packet taps of the veth that sends them and
 *                    of the one whose XDP takes them)
 *   -DSTRIP_MODE=1   SYN and SYN-ACK only: the handshake never negotiates
 *   -DSTRIP_MODE=2   every segment without SYN: options vanish right after
 *                    the handshake (third ACK, first data, DATA_ACKs)
 *   -DSTRIP_MODE=3   every segment without SYN once STRIP_AFTER TCP
 *                    segments crossed this interface: options vanish mid-
 *                    stream, after mappings and DATA_ACKs were exchanged
 *                    (counting every segment, not only data, makes the two
 *                    directions of a transfer start at about the same time)
 *   -DSTRIP_MODE=4   a data-level copy, then options vanish exactly there:
 *                    the data segment holding relative byte DROP_AT of the
 *                    connection is dropped DROP_N times (its TCP recovery
 *                    then takes several RTOs, so the sender's data-level
 *                    retransmission timer fires first); from the first
 *                    DSS mapping off the subflow's diagonal (DSN - subflow
 *                    seq differs from the first mapping's: data sent again
 *                    on this subflow) every non-SYN segment loses its
 *                    options. The receiver, if it falls back there, must
 *                    not take that copy for new data (RFC 8684 3.7).
 * One direction only: attach to one of the router's interfaces.
 *
 * Counters (array map "strip_stats", per attachment) say what it did, so a
 * test can prove the middlebox acted: see enum below.
 *
 * The options are rewritten in a copy: load them (40 bytes at most),
 * replace, store, and fold the difference into the TCP checksum
 * (bpf_csum_diff over the whole, 4-byte multiple, option area, then
 * bpf_l4_csum_replace with the difference; for CHECKSUM_PARTIAL skbs the
 * kernel leaves the field to the later checksum computation).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef STRIP_MODE
#define STRIP_MODE 1
#endif
#ifndef STRIP_AFTER
#define STRIP_AFTER 64
#endif
#ifndef DROP_AT
#define DROP_AT 100000
#endif
#ifndef DROP_N
#define DROP_N 4
#endif

#define TCPOPT_EOL   0
#define TCPOPT_NOP   1
#define TCPOPT_MPTCP 30
#define TCP_OPT_MAX  40
#define OPT_MASK     63 /* buffers are 64 bytes: masked indexes stay inside */

enum {
	ST_TCP,	       /* TCP segments seen */
	ST_DATA,       /* ... carrying payload */
	ST_MPTCP_SEEN, /* segments with at least one MPTCP option */
	ST_STRIPPED,   /* segments whose MPTCP options were rewritten */
	ST_OPTS,       /* MPTCP options rewritten (up to 4 counted per segment) */
	ST_ERR,	       /* helper failures: segment passed (maybe with a bad checksum) */
	ST_RST,	       /* segments with RST */
	ST_SYN,	       /* segments with SYN (SYN and SYN-ACK) */
	ST_FIN,	       /* segments with FIN */
	ST_DROPPED,    /* mode 4: segments dropped */
	ST_COPY,       /* mode 4: DSS mappings off the diagonal (data-level copies) */
	ST_NR,
};

/* Mode 4: one connection per attachment (the test runs them in turn). */
struct copy_state {
	__u32 isn;	/* of the SYN seen here */
	__u32 off;	/* DSN - subflow seq of the first mapping (low 32 bits) */
	__u32 drops;
	__u8 have_off;
	__u8 stripping; /* a copy was seen: strip from here on */
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct copy_state);
} strip_copy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ST_NR);
	__type(key, __u32);
	__type(value, __u64);
} strip_stats SEC(".maps");

static __always_inline void stat_inc(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&strip_stats, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline __u64 stat_get(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&strip_stats, &k);

	return v ? *v : 0;
}

/* Does this segment lose its MPTCP options? (mode, see the header) */
static __always_inline int want_strip(__u8 flags, const struct copy_state *cs)
{
	int syn = flags & 0x02;

	if (STRIP_MODE == 0)
		return 0;
	if (STRIP_MODE == 4)
		return !syn && cs && cs->stripping;
	if (STRIP_MODE == 1)
		return syn;
	if (STRIP_MODE == 2)
		return !syn;
	/* 3: mid-stream; the segment that reaches the threshold is the first */
	return !syn && stat_get(ST_TCP) >= STRIP_AFTER;
}

/*
 * One step of the option walk (RFC 9293 3.1: EOL ends the list, NOP is one
 * byte, every other kind has a length byte >= 2 covering itself), run by
 * bpf_loop() so the verifier checks it once rather than per unrolled path.
 * Indexes are masked (& OPT_MASK, 64-byte buffer) to stay inside.
 */
struct walk {
	__u8 opts[OPT_MASK + 1];
	__u64 mask; /* bit k: option byte k becomes a NOP */
	__u32 i, optlen, seen, nstrip, strip;
	/* a DSS mapping (RFC 8684 3.3): low 32 bits of its DSN, subflow seq */
	__u32 map, map_dsn, map_ssn, map_len;
};

static __always_inline __u32 be32_at(const __u8 *o, __u32 i)
{
	return (__u32)o[i & OPT_MASK] << 24 | (__u32)o[(i + 1) & OPT_MASK] << 16 |
	       (__u32)o[(i + 2) & OPT_MASK] << 8 | o[(i + 3) & OPT_MASK];
}

/* DSS at option byte i, len bytes: flags A(1) a(2) M(4) m(8) F(16). */
static __always_inline void parse_dss(struct walk *w, __u32 i, __u8 len)
{
	__u8 sub = w->opts[(i + 2) & OPT_MASK] >> 4, fl = w->opts[(i + 3) & OPT_MASK];
	__u32 p = i + 4;

	if (sub != 2 || !(fl & 4))
		return;
	if (fl & 1)
		p += (fl & 2) ? 8 : 4;
	if (fl & 8)
		p += 4; /* the low half of a 64-bit DSN follows the high one */
	if (p + 10 > i + len)
		return;
	w->map = 1;
	w->map_dsn = be32_at(w->opts, p);
	w->map_ssn = be32_at(w->opts, p + 4);
	w->map_len = (__u32)w->opts[(p + 8) & OPT_MASK] << 8 | w->opts[(p + 9) & OPT_MASK];
}

static long walk_one(__u32 idx, void *ctx)
{
	struct walk *w = ctx;
	__u32 i = w->i;
	__u8 kind, len;

	(void)idx;
	if (i >= w->optlen || i >= TCP_OPT_MAX)
		return 1;
	kind = w->opts[i & OPT_MASK];
	if (kind == TCPOPT_EOL)
		return 1;
	if (kind == TCPOPT_NOP) {
		w->i = i + 1;
		return 0;
	}
	if (i + 1 >= w->optlen)
		return 1;
	len = w->opts[(i + 1) & OPT_MASK];
	if (len < 2 || i + len > w->optlen)
		return 1; /* malformed: leave the rest alone */
	if (kind == TCPOPT_MPTCP) {
		w->seen = 1;
		if (len >= 4)
			parse_dss(w, i, len);
		if (w->strip) {
			w->mask |= ((1ULL << len) - 1) << i;
			w->nstrip++;
		}
	}
	w->i = i + len;
	return 0;
}

SEC("tc")
int strip_mptcp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct walk w = {};
	__u8 *opts = w.opts, orig[OPT_MASK + 1];
	struct copy_state *cs = NULL;
	__u32 zero = 0;
	__u32 l4, optlen, n, paylen, nstrip, seen;
	struct tcphdr *th;
	__u8 flags;
	__s64 diff;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl < 5 ||
		    (ip->frag_off & bpf_htons(0x3fff)))
			return TC_ACT_OK;
		l4 = sizeof(*eth) + ip->ihl * 4;
		paylen = bpf_ntohs(ip->tot_len) - ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		/* extension headers: not generated by the tests' peers */
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return TC_ACT_OK;
		l4 = sizeof(*eth) + sizeof(*ip6);
		paylen = bpf_ntohs(ip6->payload_len);
	} else {
		return TC_ACT_OK;
	}
	if (data + l4 + sizeof(*th) > end)
		return TC_ACT_OK;
	th = data + l4;
	stat_inc(ST_TCP);
	optlen = th->doff * 4;
	if (optlen < sizeof(*th))
		return TC_ACT_OK;
	flags = ((__u8 *)th)[13];
	if (flags & 0x04)
		stat_inc(ST_RST);
	if (flags & 0x02)
		stat_inc(ST_SYN);
	if (flags & 0x01)
		stat_inc(ST_FIN);
	if (paylen > optlen)
		stat_inc(ST_DATA);
	if (STRIP_MODE == 4) {
		cs = bpf_map_lookup_elem(&strip_copy, &zero);
		if (!cs)
			return TC_ACT_OK;
		if ((flags & 0x12) == 0x02) { /* SYN: a new connection */
			__builtin_memset(cs, 0, sizeof(*cs));
			cs->isn = bpf_ntohl(th->seq);
		} else if (paylen > optlen && cs->drops < DROP_N) {
			__u32 rel = bpf_ntohl(th->seq) - cs->isn, n = paylen - optlen;

			if (rel <= DROP_AT && DROP_AT - rel < n) {
				cs->drops++;
				stat_inc(ST_DROPPED);
				return TC_ACT_SHOT;
			}
		}
	}
	optlen -= sizeof(*th);
	if (!optlen || optlen > TCP_OPT_MAX)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, l4 + sizeof(*th), opts, optlen)) {
		stat_inc(ST_ERR);
		return TC_ACT_OK;
	}
	__builtin_memcpy(orig, w.opts, sizeof(orig));

	w.optlen = optlen;
	w.strip = STRIP_MODE == 4 ? 1 : want_strip(flags, cs);
	bpf_loop(TCP_OPT_MAX, walk_one, &w, 0);
	if (STRIP_MODE == 4 && cs) {
		/* 3.3.1: one subflow, no copy: DSN - subflow seq is constant */
		/* (subflow seq 0: a DATA_FIN alone, not data) */
		__u32 data = w.map && w.map_len && w.map_ssn;

		if (data && !cs->have_off) {
			cs->have_off = 1;
			cs->off = w.map_dsn - w.map_ssn;
		} else if (data && w.map_dsn - w.map_ssn != cs->off) {
			stat_inc(ST_COPY);
			cs->stripping = 1;
		}
		if (!want_strip(flags, cs)) {
			w.mask = 0;
			w.nstrip = 0;
		}
	}
	/* The rewrite, a byte per constant index. */
	for (n = 0; n < TCP_OPT_MAX; n++)
		if (w.mask & (1ULL << n))
			opts[n] = TCPOPT_NOP;
	seen = w.seen;
	nstrip = w.nstrip;
	if (seen)
		stat_inc(ST_MPTCP_SEEN);
	if (!nstrip)
		return TC_ACT_OK;

	/* bpf_csum_diff wants multiples of 4: the TCP option area is one. */
	diff = bpf_csum_diff((__be32 *)orig, optlen & ~3u, (__be32 *)opts, optlen & ~3u, 0);
	if (diff < 0 ||
	    bpf_skb_store_bytes(skb, l4 + sizeof(*th), opts, optlen & ~3u, 0) ||
	    bpf_l4_csum_replace(skb, l4 + offsetof(struct tcphdr, check), 0, (__u32)diff, 0)) {
		stat_inc(ST_ERR);
		return TC_ACT_OK;
	}
	stat_inc(ST_STRIPPED);
	for (n = 0; n < 4; n++)
		if (n < nstrip)
			stat_inc(ST_OPTS);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

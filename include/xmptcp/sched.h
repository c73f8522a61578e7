/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP packet scheduler: the public, versioned interface for writing a
 * policy, and the controller's registry and per-connection handle.
 * Userspace only (function pointers): BPF programs do not include it.
 *
 * A policy is a struct xmp_sched_ops. Per decision the controller builds a
 * read-only struct xmp_sched_view of the connection (one entry per subflow:
 * RTT, cwnd, bytes in flight, window room, flags; plus the connection's
 * unsent bytes and send window) and calls ops->get_subflows(), which fills
 * a struct xmp_sched_decision: the subflow(s) that carry the next chunk
 * (several for redundant policies) and an optional byte quota for each.
 * The controller validates and clamps the picks (never more than a subflow's
 * cwnd and window room allow), so a policy cannot overcommit a subflow.
 *
 * Writing a policy as a shared object (see tests/sched/example_policy.c):
 *  - fill a static struct xmp_sched_ops with .abi_version =
 *    XMP_SCHED_ABI_VERSION, a unique .name and .get_subflows;
 *  - XMP_SCHED_POLICY(ops) exports the entry point the loader looks up;
 *  - build with -fPIC -shared; the controller loads it with xmp_sched_load()
 *    (`xmptcp sched load FILE.so` once xmptcpd wires the scheduler in).
 * A policy may use libc and the static inline helpers below, nothing else of
 * the controller (its symbols are not exported). Per-connection state: set
 * .priv_size; the controller allocates that many zeroed bytes per connection
 * and passes them to init(), every get_subflows() and release().
 * Callbacks run on the controller's event loop: they must not block.
 *
 * ABI rule: any change to the layout of the structs below or to the meaning
 * of a field bumps XMP_SCHED_ABI_VERSION; the loader refuses other versions.
 */
#ifndef XMPTCP_SCHED_H
#define XMPTCP_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <xmptcp/types.h>
#include <xmptcp/mib.h> /* enum xmp_sched_conn_mib */

#define XMP_SCHED_ABI_VERSION  1
#define XMP_SCHED_NAME_MAX     16 /* including the NUL */
#define XMP_SCHED_MAX_SUBFLOWS 8  /* as Linux's MPTCP_SUBFLOWS_MAX */

/* The symbol a policy .so exports: const struct xmp_sched_ops *(void). */
#define XMP_SCHED_ENTRY_SYM "xmp_sched_policy_ops"

/* struct xmp_sched_subflow.flags */
#define XMP_SCHED_SF_ACTIVE 0x1 /* established, not failed: may carry data */
#define XMP_SCHED_SF_BACKUP 0x2 /* backup priority (MP_JOIN B bit / MP_PRIO, RFC 8684 3.3.8) */
#define XMP_SCHED_SF_SENT   0x4 /* reinjection: this subflow already carried the chunk */

/* One subflow as the scheduler sees it. */
struct xmp_sched_subflow {
	__u32 id;	 /* controller's subflow id, stable while the subflow lives */
	__u32 flags;	 /* XMP_SCHED_SF_* */
	__u32 srtt_us;	 /* smoothed RTT (RFC 6298), 0 before the first sample */
	__u32 rttvar_us; /* RTT variation */
	__u32 cwnd;	 /* congestion window, bytes */
	__u32 in_flight; /* bytes sent and not yet acknowledged */
	__u32 snd_room;	 /* bytes the subflow accepts now: min(peer window room, free send buffer) */
	__u32 mss;	 /* payload bytes of a full segment */
};
XMP_STATIC_ASSERT(sizeof(struct xmp_sched_subflow) == 32, "sched subflow ABI");

/* struct xmp_sched_view.flags */
#define XMP_SCHED_REINJECT    0x1 /* the chunk was sent before (reinjection/retransmission) */
#define XMP_SCHED_WND_BLOCKED 0x2 /* since the last decision the connection-level window
				   * blocked on data outstanding on a slower subflow */

/* The connection at one decision. Read only for the policy. */
struct xmp_sched_view {
	__u64 now_us;	    /* controller's clock, for policies that age their state */
	__u64 unsent;	    /* bytes to schedule: new data queued, or the reinjected chunk */
	__u32 snd_wnd;	    /* connection-level send window: peer's receive window
			     * counted from the DATA_ACK (RFC 8684 3.3.4), bytes */
	__u32 snd_wnd_room; /* part of snd_wnd not used by sent data yet */
	__u32 flags;	    /* XMP_SCHED_REINJECT, XMP_SCHED_WND_BLOCKED */
	__u32 nr;	    /* entries in sf[], at most XMP_SCHED_MAX_SUBFLOWS */
	const struct xmp_sched_subflow *sf;
};
XMP_STATIC_ASSERT(sizeof(struct xmp_sched_view) == 40, "sched view ABI");

/* One chosen subflow: @idx into view->sf[]; @bytes the policy's quota, 0 for
 * "as much as the subflow takes". The controller rewrites @bytes with the
 * amount actually granted. */
struct xmp_sched_pick {
	__u32 idx;
	__u32 bytes;
};

/* Every pick sends a prefix of the same chunk (same data sequence numbers):
 * one pick for plain scheduling, several for redundancy. */
struct xmp_sched_decision {
	__u32 nr;
	__u32 reserved;
	struct xmp_sched_pick pick[XMP_SCHED_MAX_SUBFLOWS];
};

struct xmp_sched_ops {
	__u32 abi_version; /* XMP_SCHED_ABI_VERSION the policy was built against */
	__u32 priv_size;   /* per-connection state bytes (zeroed), 0 for none */
	char name[XMP_SCHED_NAME_MAX];
	/* Optional: set up @priv for a connection (or at a live swap to this
	 * policy). 0 or -errno; on error the connection keeps its old policy. */
	int (*init)(void *priv);
	/* Optional: tear down what init() set up; @priv is freed after. */
	void (*release)(void *priv);
	/* Required: 0 with dec->nr >= 1, or -EAGAIN to send nothing now (wait
	 * for a better subflow), or another -errno. */
	int (*get_subflows)(void *priv, const struct xmp_sched_view *view,
			    struct xmp_sched_decision *dec);
	void *reserved[4]; /* zero: room for later callbacks */
};

/* Define the entry point of a policy .so. */
#define XMP_SCHED_POLICY(ops)                                                    \
	__attribute__((visibility("default"))) const struct xmp_sched_ops *     \
	xmp_sched_policy_ops(void);                                              \
	const struct xmp_sched_ops *xmp_sched_policy_ops(void)                   \
	{                                                                        \
		return &(ops);                                                   \
	}

/* ---- helpers for policies (inline: no controller symbol needed) ---- */

/* Bytes the subflow may take now: cwnd room and window room, 0 if inactive. */
static inline __u32 xmp_sched_sf_room(const struct xmp_sched_subflow *sf)
{
	__u32 cwnd_room;

	if (!(sf->flags & XMP_SCHED_SF_ACTIVE) || sf->in_flight >= sf->cwnd)
		return 0;
	cwnd_room = sf->cwnd - sf->in_flight;
	return cwnd_room < sf->snd_room ? cwnd_room : sf->snd_room;
}

/* May carry this chunk now: room, and not a reinjection onto the subflow
 * that already holds the data (it retransmits that itself). */
static inline bool xmp_sched_sf_usable(const struct xmp_sched_view *v,
				       const struct xmp_sched_subflow *sf)
{
	if ((v->flags & XMP_SCHED_REINJECT) && (sf->flags & XMP_SCHED_SF_SENT))
		return false;
	return xmp_sched_sf_room(sf) > 0;
}

/*
 * Backup subflows are for failover, not capacity (RFC 8684 3.3.8, and both
 * Linux implementations): they carry data only when no non-backup subflow
 * is active. A non-backup that is merely cwnd-limited means "wait".
 */
static inline bool xmp_sched_use_backups(const struct xmp_sched_view *v)
{
	__u32 i;

	for (i = 0; i < v->nr; i++)
		if ((v->sf[i].flags & (XMP_SCHED_SF_ACTIVE | XMP_SCHED_SF_BACKUP)) ==
		    XMP_SCHED_SF_ACTIVE)
			return false;
	return true;
}

/* Subflow @i belongs to the tier allowed now (backup rule above). */
static inline bool xmp_sched_sf_eligible(const struct xmp_sched_view *v, __u32 i,
					 bool use_backups)
{
	return !!(v->sf[i].flags & XMP_SCHED_SF_BACKUP) == use_backups;
}

static inline void xmp_sched_pick_add(struct xmp_sched_decision *d, __u32 idx, __u32 bytes)
{
	if (d->nr < XMP_SCHED_MAX_SUBFLOWS) {
		d->pick[d->nr].idx = idx;
		d->pick[d->nr].bytes = bytes;
		d->nr++;
	}
}

/* ---- controller side (user/mptcp/sched.c); not for policies ---- */

/* Built-in policies (user/mptcp/sched_builtin.c). */
extern const struct xmp_sched_ops xmp_sched_minrtt;
extern const struct xmp_sched_ops xmp_sched_rr;
extern const struct xmp_sched_ops xmp_sched_redundant;
extern const struct xmp_sched_ops xmp_sched_blest;

/*
 * Registry. Not thread-safe: call from the control path of the one event
 * loop (a decision only reads it). Built-ins are always registered.
 */
/* 0, -EINVAL (bad ops), -ENOTSUP (ABI version), -EEXIST, -ENOSPC. */
int xmp_sched_register(const struct xmp_sched_ops *ops);
/* 0, -ENOENT, -EPERM (built-in), -EBUSY (connections use it). Unloads a
 * policy that came from a .so. */
int xmp_sched_unregister(const char *name);
const struct xmp_sched_ops *xmp_sched_find(const char *name);

/*
 * dlopen() @path, look up XMP_SCHED_ENTRY_SYM, check the ABI and register.
 * 0 (and *@opsp when non-NULL), or -ENOENT (no such file), -ENOEXEC (not a
 * loadable shared object), -ENOSYS (entry symbol missing), -ENOTSUP (ABI
 * version), -EINVAL (bad ops), -EEXIST (name taken), -ENAMETOOLONG. On error
 * a one-line reason is written to @msg (when @msglen) and logged.
 */
int xmp_sched_load(const char *path, const struct xmp_sched_ops **opsp, char *msg,
		   size_t msglen);

/* Default policy of new connections ("minrtt" unless changed). */
const struct xmp_sched_ops *xmp_sched_default(void);
int xmp_sched_set_default(const struct xmp_sched_ops *ops); /* 0, -ENOENT */

/* For `xmptcp sched list`. */
struct xmp_sched_info {
	char name[XMP_SCHED_NAME_MAX];
	char path[256];	 /* shared object, "" for built-ins */
	__u32 users;	 /* connection handles using it (current or pending swap) */
	__u64 inits;	 /* per-connection states created / released, lifetime */
	__u64 releases;
	bool builtin;
	bool is_default;
};
/* Fills up to @max entries; returns how many policies are registered. */
int xmp_sched_list(struct xmp_sched_info *out, int max);

/* ---- per-connection handle ---- */

struct xmp_sched_entry; /* registry slot, private to sched.c */

struct xmp_sched_conn {
	struct xmp_sched_entry *cur;	 /* policy deciding now */
	void *priv;			 /* its per-connection state */
	struct xmp_sched_entry *pending; /* swap target, applied at the next decision */
	__u64 mib[XMP_SCHED_MIB_NR]; /* counters: include/xmptcp/mib.h */
};

/* Attach a connection to @ops (NULL: the default) and init its state.
 * 0, -ENOENT (not registered), -ENOMEM, or init()'s error. */
int xmp_sched_conn_init(struct xmp_sched_conn *cs, const struct xmp_sched_ops *ops);
/* Release the state and drop the references (also of a pending swap). */
void xmp_sched_conn_release(struct xmp_sched_conn *cs);
/* Live swap: @ops decides from the next xmp_sched_decide() on; the old
 * policy's state is released then. 0 or -ENOENT (not registered). */
int xmp_sched_set(struct xmp_sched_conn *cs, const struct xmp_sched_ops *ops);
/* The policy the next decision will use (pending swap included). */
const struct xmp_sched_ops *xmp_sched_conn_ops(const struct xmp_sched_conn *cs);

/*
 * One decision. 0 with @dec holding >= 1 validated pick, each with the bytes
 * granted (> 0, within the subflow's room, the unsent amount and, for new
 * data, the connection's window room); -EAGAIN when nothing is to be sent
 * now; -EINVAL for a malformed view; another -errno from the policy.
 */
int xmp_sched_decide(struct xmp_sched_conn *cs, const struct xmp_sched_view *view,
		     struct xmp_sched_decision *dec);

#endif

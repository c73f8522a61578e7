// SPDX-License-Identifier: GPL-2.0
/*
 * MPTCP address signalling (RFC 8684 3.4.1 ADD_ADDR, 3.4.2 REMOVE_ADDR,
 * 3.3.8 MP_PRIO): our announcements with their echoes and retransmissions,
 * the peer's addresses learnt from authenticated ADD_ADDRs, and the options
 * that carry both. Pure: keys come from the msk, time from the caller.
 * Call chain: subflow engine hooks (write_options / rcv_options) and the
 * path manager -> xmp_addr_* here -> xmp_crypto_add_addr_* (crypto.c); the
 * codec (options.c) around it.
 */
#include <errno.h>
#include <string.h>

#include "mptcp/addr.h"
#include "mptcp/crypto.h"

/* Options are padded to 4 bytes by the encoder (as Linux aligns them). */
#define ADDR_ALIGN4(len) (((len) + 3u) & ~3u)

static unsigned int addr_len(__u8 family)
{
	return family == 4 ? 4 : 16;
}

/* ---- configuration ---- */

void xmp_addr_cfg_default(struct xmp_addr_cfg *cfg)
{
	cfg->max_accepted = XMP_ADDR_DEF_MAX_ACCEPTED;
	cfg->rtx_interval_us = XMP_ADDR_DEF_RTX_US;
	cfg->rtx_max = XMP_ADDR_DEF_RTX_MAX;
}

int xmp_addr_conn_init(struct xmp_addr_conn *c, const struct xmp_msk *msk,
		       const struct xmp_addr_cfg *cfg)
{
	struct xmp_addr_cfg def;

	if (!c || !msk)
		return -EINVAL;
	if (!cfg) {
		xmp_addr_cfg_default(&def);
		cfg = &def;
	}
	/* The tables are fixed arrays: a larger limit could not be kept. */
	if (cfg->max_accepted > XMP_ADDR_MAX || !cfg->rtx_interval_us)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->msk = msk;
	c->cfg = *cfg;
	return 0;
}

/* ---- our announcements ---- */

static bool same_addr(__u8 fa, const __u8 *a, __u16 pa, __u8 fb, const __u8 *b, __u16 pb)
{
	return fa == fb && pa == pb && !memcmp(a, b, addr_len(fa));
}

static struct xmp_addr_local *local_by_id(struct xmp_addr_conn *c, __u8 id)
{
	unsigned int i;

	for (i = 0; i < XMP_ADDR_MAX; i++)
		if (c->local[i].state != XMP_ADDR_FREE && c->local[i].id == id)
			return &c->local[i];
	return NULL;
}

/* An announcement (not withdrawn) of this address and port. */
static struct xmp_addr_local *local_by_addr(struct xmp_addr_conn *c, __u8 family, const __u8 *addr,
					    __u16 port)
{
	struct xmp_addr_local *l;
	unsigned int i;

	for (i = 0; i < XMP_ADDR_MAX; i++) {
		l = &c->local[i];
		if (l->state == XMP_ADDR_FREE || l->state == XMP_ADDR_WITHDRAWN)
			continue;
		if (same_addr(l->family, l->addr, l->port, family, addr, port))
			return l;
	}
	return NULL;
}

static struct xmp_addr_local *local_free_slot(struct xmp_addr_conn *c)
{
	unsigned int i;

	for (i = 0; i < XMP_ADDR_MAX; i++)
		if (c->local[i].state == XMP_ADDR_FREE)
			return &c->local[i];
	return NULL;
}

int xmp_addr_announce(struct xmp_addr_conn *c, __u8 id, __u8 family, const __u8 *addr, __u16 port)
{
	struct xmp_addr_local *l;

	if (!c || !addr || (family != 4 && family != 6))
		return -EINVAL;
	l = local_by_id(c, id);
	if (l)
		return l->state == XMP_ADDR_WITHDRAWN ? -EBUSY : -EEXIST;
	if (local_by_addr(c, family, addr, port))
		return -EEXIST;
	l = local_free_slot(c);
	if (!l)
		return -ENOSPC;
	memset(l, 0, sizeof(*l));
	memcpy(l->addr, addr, addr_len(family));
	l->port = port;
	l->id = id;
	l->family = family;
	l->state = XMP_ADDR_PENDING;
	return 0;
}

int xmp_addr_withdraw(struct xmp_addr_conn *c, __u8 id)
{
	struct xmp_addr_local *l;

	if (!c)
		return -EINVAL;
	l = local_by_id(c, id);
	if (!l || l->state == XMP_ADDR_WITHDRAWN)
		return -ENOENT;
	if (!l->tx) {
		/* Never on the wire: nothing for the peer to remove. */
		memset(l, 0, sizeof(*l));
		return 0;
	}
	l->state = XMP_ADDR_WITHDRAWN;
	l->deadline = 0;
	l->gave_up = false;
	return 0;
}

const struct xmp_addr_local *xmp_addr_local_find(const struct xmp_addr_conn *c, __u8 id)
{
	return c ? local_by_id((struct xmp_addr_conn *)c, id) : NULL;
}

static bool local_has_state(const struct xmp_addr_conn *c, enum xmp_addr_lstate st)
{
	unsigned int i;

	for (i = 0; i < XMP_ADDR_MAX; i++)
		if (c->local[i].state == st)
			return true;
	return false;
}

bool xmp_addr_pending(const struct xmp_addr_conn *c)
{
	return c->nr_echo || local_has_state(c, XMP_ADDR_PENDING) ||
	       local_has_state(c, XMP_ADDR_WITHDRAWN);
}

/* ---- building outgoing options ---- */

static bool fits(const struct xmp_add_addr *aa, unsigned int space)
{
	int len = xmp_mp_add_addr_len(aa);

	return len > 0 && ADDR_ALIGN4((unsigned int)len) <= space;
}

static int build_echo(struct xmp_addr_conn *c, unsigned int space, struct xmp_mp_opt *mp)
{
	if (!c->nr_echo || (mp->suboptions & XMP_MPO_ADD_ADDR) || !fits(&c->echo[0], space))
		return 0;
	mp->add_addr = c->echo[0];
	mp->suboptions |= XMP_MPO_ADD_ADDR;
	return 1;
}

/* REMOVE_ADDR: 3 bytes + one per id; as many withdrawn ids as fit. */
static int build_rm(struct xmp_addr_conn *c, unsigned int space, struct xmp_mp_opt *mp)
{
	struct xmp_rm_addr rm = {0};
	unsigned int i;

	if (mp->suboptions & XMP_MPO_RM_ADDR)
		return 0;
	for (i = 0; i < XMP_ADDR_MAX && rm.nr < MPTCP_RM_IDS_MAX; i++) {
		if (c->local[i].state != XMP_ADDR_WITHDRAWN)
			continue;
		if (ADDR_ALIGN4(MPTCPOLEN_RM_ADDR_BASE + rm.nr + 1u) > space)
			break;
		rm.ids[rm.nr++] = c->local[i].id;
	}
	if (!rm.nr)
		return 0;
	mp->rm_addr = rm;
	mp->suboptions |= XMP_MPO_RM_ADDR;
	return 1;
}

static int build_add(struct xmp_addr_conn *c, unsigned int space, struct xmp_mp_opt *mp)
{
	struct xmp_add_addr aa = {0};
	struct xmp_addr_local *l = NULL;
	unsigned int i;
	int ret;

	if (mp->suboptions & XMP_MPO_ADD_ADDR)
		return 0;
	for (i = 0; i < XMP_ADDR_MAX && !l; i++)
		if (c->local[i].state == XMP_ADDR_PENDING)
			l = &c->local[i];
	if (!l)
		return 0;
	memcpy(aa.addr, l->addr, addr_len(l->family));
	aa.family = l->family;
	aa.id = l->id;
	aa.port = l->port;
	aa.port_present = !!l->port;
	aa.hmac_present = 1;
	if (!fits(&aa, space))
		return 0;
	/* 3.4.1: the sender's key first. */
	ret = xmp_crypto_add_addr_hmac(c->msk->local_key, c->msk->remote_key, aa.id, aa.family,
				       aa.addr, aa.port, &aa.hmac);
	if (ret)
		return -EIO;
	mp->add_addr = aa;
	mp->suboptions |= XMP_MPO_ADD_ADDR;
	return 1;
}

/*
 * One suboption at most, so a segment never grows by more than one of
 * ours. Echoes first: the peer is retransmitting until it sees one, and
 * they are cheap. Withdrawals next: the peer should stop using a gone
 * address before it learns new ones.
 */
int xmp_addr_build(struct xmp_addr_conn *c, __u64 now_us, unsigned int space, struct xmp_mp_opt *mp)
{
	int ret;

	(void)now_us; /* due-ness is decided by xmp_addr_timer() */
	if (!c || !mp)
		return -EINVAL;
	ret = build_echo(c, space, mp);
	if (!ret)
		ret = build_rm(c, space, mp);
	if (!ret)
		ret = build_add(c, space, mp);
	return ret;
}

static bool same_option(const struct xmp_add_addr *a, const struct xmp_add_addr *b)
{
	return a->id == b->id && a->port_present == b->port_present &&
	       same_addr(a->family, a->addr, a->port, b->family, b->addr, b->port);
}

static void echo_drop(struct xmp_addr_conn *c, unsigned int i)
{
	memmove(&c->echo[i], &c->echo[i + 1], (c->nr_echo - i - 1) * sizeof(c->echo[0]));
	c->nr_echo--;
}

static void sent_echo(struct xmp_addr_conn *c, const struct xmp_add_addr *aa)
{
	unsigned int i;

	for (i = 0; i < c->nr_echo; i++) {
		if (same_option(&c->echo[i], aa)) {
			echo_drop(c, i);
			c->mib[XMP_ADDR_MIB_ECHO_TX]++;
			return;
		}
	}
}

static void sent_add(struct xmp_addr_conn *c, __u64 now_us, const struct xmp_add_addr *aa)
{
	struct xmp_addr_local *l = local_by_id(c, aa->id);

	if (!l || l->state != XMP_ADDR_PENDING ||
	    !same_addr(l->family, l->addr, l->port, aa->family, aa->addr, aa->port))
		return;
	c->mib[l->tx ? XMP_ADDR_MIB_ADD_RTX : XMP_ADDR_MIB_ADD_TX]++;
	if (l->tx < UINT8_MAX)
		l->tx++;
	l->state = XMP_ADDR_SENT;
	l->deadline = now_us + c->cfg.rtx_interval_us;
}

static void sent_rm(struct xmp_addr_conn *c, const struct xmp_rm_addr *rm)
{
	struct xmp_addr_local *l;
	bool any = false;
	unsigned int i;

	for (i = 0; i < rm->nr && i < MPTCP_RM_IDS_MAX; i++) {
		l = local_by_id(c, rm->ids[i]);
		if (l && l->state == XMP_ADDR_WITHDRAWN) {
			memset(l, 0, sizeof(*l));
			any = true;
		}
	}
	if (any)
		c->mib[XMP_ADDR_MIB_RM_TX]++;
}

void xmp_addr_sent(struct xmp_addr_conn *c, __u64 now_us, const struct xmp_mp_opt *mp)
{
	if (!c || !mp)
		return;
	if (mp->suboptions & XMP_MPO_ADD_ADDR) {
		if (mp->add_addr.echo)
			sent_echo(c, &mp->add_addr);
		else
			sent_add(c, now_us, &mp->add_addr);
	}
	if (mp->suboptions & XMP_MPO_RM_ADDR)
		sent_rm(c, &mp->rm_addr);
}

/* ---- retransmission (3.4.1: the sender retransmits until echoed) ---- */

static bool waiting_echo(const struct xmp_addr_local *l)
{
	return l->state == XMP_ADDR_SENT && !l->gave_up;
}

__u64 xmp_addr_next_timer(const struct xmp_addr_conn *c)
{
	__u64 next = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < XMP_ADDR_MAX; i++)
		if (waiting_echo(&c->local[i]) && c->local[i].deadline < next)
			next = c->local[i].deadline;
	return next;
}

/*
 * Linux retransmits an unechoed ADD_ADDR ADD_ADDR_RETRANS_MAX (3) times; we
 * do rtx_max times, then wait one more interval for a late echo before
 * counting the announcement as given up. It stays SENT: a late echo still
 * marks it ECHOED, and the path manager may withdraw it.
 */
bool xmp_addr_timer(struct xmp_addr_conn *c, __u64 now_us)
{
	struct xmp_addr_local *l;
	bool due = false;
	unsigned int i;

	for (i = 0; i < XMP_ADDR_MAX; i++) {
		l = &c->local[i];
		if (!waiting_echo(l) || now_us < l->deadline)
			continue;
		if (l->tx <= c->cfg.rtx_max) {
			l->state = XMP_ADDR_PENDING;
			due = true;
		} else {
			l->gave_up = true;
			l->deadline = UINT64_MAX;
			c->mib[XMP_ADDR_MIB_ADD_GIVEN_UP]++;
		}
	}
	return due;
}

/* ---- incoming options ---- */

/* An echo of ours: the announcement it repeats (id, address, port). */
static void rcv_echo(struct xmp_addr_conn *c, const struct xmp_add_addr *aa,
		     struct xmp_addr_events *ev)
{
	struct xmp_addr_local *l = local_by_id(c, aa->id);

	if (!l || l->state == XMP_ADDR_WITHDRAWN ||
	    !same_addr(l->family, l->addr, l->port, aa->family, aa->addr, aa->port)) {
		c->mib[XMP_ADDR_MIB_ECHO_UNKNOWN]++;
		return;
	}
	c->mib[XMP_ADDR_MIB_ECHO_RX]++;
	l->state = XMP_ADDR_ECHOED;
	l->gave_up = false;
	l->deadline = 0;
	ev->echoed = true;
	ev->echoed_id = l->id;
}

/* Queue the echo of @aa (3.4.1: every ADD_ADDR received is echoed), once. */
static void queue_echo(struct xmp_addr_conn *c, const struct xmp_add_addr *aa,
		       struct xmp_addr_events *ev)
{
	struct xmp_add_addr e = {0};
	unsigned int i;

	memcpy(e.addr, aa->addr, addr_len(aa->family));
	e.family = aa->family;
	e.id = aa->id;
	e.port = aa->port_present ? aa->port : 0;
	e.port_present = aa->port_present;
	e.echo = 1;
	for (i = 0; i < c->nr_echo; i++)
		if (same_option(&c->echo[i], &e))
			goto ack;
	if (c->nr_echo == XMP_ADDR_ECHO_MAX) {
		/* Best effort: the peer retransmits an unechoed ADD_ADDR. */
		c->mib[XMP_ADDR_MIB_ECHO_DROP]++;
		return;
	}
	c->echo[c->nr_echo++] = e;
ack:
	ev->send_ack = true;
}

static void remote_drop(struct xmp_addr_conn *c, unsigned int i, struct xmp_addr_events *ev)
{
	if (ev->nr_removed < sizeof(ev->removed) / sizeof(ev->removed[0]))
		ev->removed[ev->nr_removed++] = c->remote[i];
	memmove(&c->remote[i], &c->remote[i + 1], (c->nr_remote - i - 1) * sizeof(c->remote[0]));
	c->nr_remote--;
}

static int remote_index_by_id(const struct xmp_addr_conn *c, __u8 id)
{
	unsigned int i;

	for (i = 0; i < c->nr_remote; i++)
		if (c->remote[i].id == id)
			return (int)i;
	return -1;
}

static int remote_index_by_addr(const struct xmp_addr_conn *c, __u8 family, const __u8 *addr,
				__u16 port)
{
	const struct xmp_addr_remote *r;
	unsigned int i;

	for (i = 0; i < c->nr_remote; i++) {
		r = &c->remote[i];
		if (same_addr(r->family, r->addr, r->port, family, addr, port))
			return (int)i;
	}
	return -1;
}

/*
 * A valid ADD_ADDR of the peer: known (a retransmission: echo only), new
 * (recorded within max_accepted), or reusing an id or an address we hold
 * with something else. 3.4.1: an id names one address, so the old entry is
 * replaced; the same address under a new id also replaces the old entry,
 * so the path manager never holds one address twice.
 */
static void rcv_add(struct xmp_addr_conn *c, const struct xmp_add_addr *aa,
		    struct xmp_addr_events *ev)
{
	__u16 port = aa->port_present ? aa->port : 0;
	struct xmp_addr_remote *r;
	int by_id, by_addr;
	bool replace;

	by_id = remote_index_by_id(c, aa->id);
	by_addr = remote_index_by_addr(c, aa->family, aa->addr, port);
	if (by_id >= 0 && by_id == by_addr) {
		c->mib[XMP_ADDR_MIB_ADD_RX_DUP]++;
		return;
	}
	replace = by_id >= 0 || by_addr >= 0;
	if (!replace && c->nr_remote >= c->cfg.max_accepted) {
		c->mib[XMP_ADDR_MIB_ADD_RX_REFUSED]++;
		return;
	}
	/* Drop the higher index first so the lower one stays valid (they
	 * differ: the same entry by id and by address is a duplicate). */
	if (by_id > by_addr) {
		remote_drop(c, by_id, ev);
		if (by_addr >= 0)
			remote_drop(c, by_addr, ev);
	} else if (by_addr >= 0) {
		remote_drop(c, by_addr, ev);
		if (by_id >= 0 && by_id != by_addr)
			remote_drop(c, by_id, ev);
	}
	r = &c->remote[c->nr_remote++];
	memset(r, 0, sizeof(*r));
	memcpy(r->addr, aa->addr, addr_len(aa->family));
	r->port = port;
	r->id = aa->id;
	r->family = aa->family;
	r->usable = true;
	ev->added[0] = *r;
	ev->nr_added = 1;
	c->mib[XMP_ADDR_MIB_ADD_RX]++;
	if (replace)
		c->mib[XMP_ADDR_MIB_ADD_RX_REPLACE]++;
}

/*
 * 3.4.1: the HMAC is keyed with the peer's key first. A forged or corrupted
 * ADD_ADDR is neither recorded nor echoed: an echo would tell an attacker
 * nothing useful, but it would make the peer believe we had accepted it.
 * Beyond max_accepted an ADD_ADDR is still echoed, as Linux does
 * (mptcp_pm_add_addr_received(): when !accept_addr it announces the echo
 * without scheduling the address), so the peer stops retransmitting.
 */
static void rcv_add_addr(struct xmp_addr_conn *c, const struct xmp_add_addr *aa,
			 struct xmp_addr_events *ev)
{
	__u16 port = aa->port_present ? aa->port : 0;

	if (aa->echo) {
		rcv_echo(c, aa, ev);
		return;
	}
	if (!aa->hmac_present ||
	    xmp_crypto_add_addr_check(c->msk->remote_key, c->msk->local_key, aa->id, aa->family,
				      aa->addr, port, aa->hmac)) {
		c->mib[XMP_ADDR_MIB_ADD_RX_BADHMAC]++;
		return;
	}
	rcv_add(c, aa, ev);
	queue_echo(c, aa, ev);
}

/* 3.4.2: every id listed is gone; the caller also closes subflows that
 * carry it from MP_JOIN, so all ids are reported. */
static void rcv_rm_addr(struct xmp_addr_conn *c, const struct xmp_rm_addr *rm,
			struct xmp_addr_events *ev)
{
	unsigned int i;
	int idx;

	c->mib[XMP_ADDR_MIB_RM_RX]++;
	for (i = 0; i < rm->nr && i < MPTCP_RM_IDS_MAX; i++) {
		ev->rm_ids[ev->nr_rm_ids++] = rm->ids[i];
		idx = remote_index_by_id(c, rm->ids[i]);
		if (idx < 0) {
			c->mib[XMP_ADDR_MIB_RM_RX_UNKNOWN]++;
			continue;
		}
		remote_drop(c, idx, ev);
		c->mib[XMP_ADDR_MIB_RM_RX_REMOVED]++;
	}
}

int xmp_addr_rcv(struct xmp_addr_conn *c, const struct xmp_mp_opt *mp, struct xmp_addr_events *ev)
{
	struct xmp_addr_events dummy;

	if (!c || !mp)
		return -EINVAL;
	if (!ev)
		ev = &dummy;
	memset(ev, 0, sizeof(*ev));
	/* As Linux's mptcp_incoming_options(): ADD_ADDR before REMOVE_ADDR. */
	if (mp->suboptions & XMP_MPO_ADD_ADDR)
		rcv_add_addr(c, &mp->add_addr, ev);
	if (mp->suboptions & XMP_MPO_RM_ADDR)
		rcv_rm_addr(c, &mp->rm_addr, ev);
	return 0;
}

/* ---- remote address accessors ---- */

unsigned int xmp_addr_remote_nr(const struct xmp_addr_conn *c)
{
	return c->nr_remote;
}

const struct xmp_addr_remote *xmp_addr_remote_get(const struct xmp_addr_conn *c, unsigned int i)
{
	return i < c->nr_remote ? &c->remote[i] : NULL;
}

const struct xmp_addr_remote *xmp_addr_remote_find(const struct xmp_addr_conn *c, __u8 id)
{
	int i = remote_index_by_id(c, id);

	return i < 0 ? NULL : &c->remote[i];
}

int xmp_addr_remote_set_usable(struct xmp_addr_conn *c, __u8 id, bool usable)
{
	int i = remote_index_by_id(c, id);

	if (i < 0)
		return -ENOENT;
	c->remote[i].usable = usable;
	return 0;
}

/* ---- MP_PRIO, counters, names ---- */

int xmp_addr_prio_opt(bool backup, struct xmp_mp_opt *mp)
{
	if (!mp)
		return -EINVAL;
	mp->prio.backup = backup ? MPTCP_PRIO_BACKUP : 0;
	mp->suboptions |= XMP_MPO_PRIO;
	return 1;
}

static const char *const addr_lstate_names[] = { XMP_ADDR_LSTATE_LIST(XMP_NAME_ROW) };

const char *xmp_addr_lstate_name(enum xmp_addr_lstate st)
{
	return XMP_NAME_OF(addr_lstate_names, st, "?");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * MPTCP packet scheduler core: the registry of policies (built-ins and
 * shared objects loaded with dlopen), the per-connection handle with its
 * live swap, and the validation of every decision.
 *
 * Call chain: the daemon's send path builds a struct xmp_sched_view from its
 * subflow sockets and the msk, calls xmp_sched_decide(), then carves the
 * granted bytes with xmp_msk_next_map()/xmp_msk_remap() per pick. The
 * control socket calls xmp_sched_load/set/list/unregister.
 *
 * Pure apart from dlopen: no clock (view->now_us is the caller's), no
 * sockets. Single-threaded like the event loop that owns it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xmptcp/sched.h>
#include "common/log.h"

#define XMP_SCHED_MAX_POLICIES 32

struct xmp_sched_entry {
	const struct xmp_sched_ops *ops; /* NULL: free slot */
	void *dl;			 /* dlopen handle, NULL for built-ins and register() */
	char path[256];
	__u32 users;
	__u64 inits, releases;
	bool builtin;
};

static struct xmp_sched_entry registry[XMP_SCHED_MAX_POLICIES];
static struct xmp_sched_entry *default_entry;
static bool registry_ready;

static const struct xmp_sched_ops *const builtins[] = {
	&xmp_sched_minrtt,
	&xmp_sched_rr,
	&xmp_sched_redundant,
	&xmp_sched_blest,
};

/* Built-ins are slots 0..3 from the first call on; minrtt is the default
 * (DESIGN.md: lowest SRTT with room, as Linux's default scheduler). */
static void registry_init(void)
{
	size_t i;

	if (registry_ready)
		return;
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		registry[i].ops = builtins[i];
		registry[i].builtin = true;
	}
	default_entry = &registry[0];
	registry_ready = true;
}

static struct xmp_sched_entry *entry_by_name(const char *name)
{
	int i;

	registry_init();
	for (i = 0; i < XMP_SCHED_MAX_POLICIES; i++)
		if (registry[i].ops && !strcmp(registry[i].ops->name, name))
			return &registry[i];
	return NULL;
}

static struct xmp_sched_entry *entry_by_ops(const struct xmp_sched_ops *ops)
{
	int i;

	registry_init();
	for (i = 0; i < XMP_SCHED_MAX_POLICIES; i++)
		if (ops && registry[i].ops == ops)
			return &registry[i];
	return NULL;
}

static int ops_check(const struct xmp_sched_ops *ops)
{
	size_t i;

	if (!ops)
		return -EINVAL;
	/* The version is read first: a policy of another ABI may not even have
	 * the fields below where we expect them. */
	if (ops->abi_version != XMP_SCHED_ABI_VERSION)
		return -ENOTSUP;
	if (!ops->name[0] || !memchr(ops->name, '\0', sizeof(ops->name)) || !ops->get_subflows)
		return -EINVAL;
	for (i = 0; i < sizeof(ops->reserved) / sizeof(ops->reserved[0]); i++)
		if (ops->reserved[i])
			return -EINVAL;
	return 0;
}

static int entry_add(const struct xmp_sched_ops *ops, void *dl, const char *path,
		     struct xmp_sched_entry **ep)
{
	int i, err;

	registry_init();
	err = ops_check(ops);
	if (err)
		return err;
	if (entry_by_name(ops->name))
		return -EEXIST;
	for (i = 0; i < XMP_SCHED_MAX_POLICIES; i++) {
		struct xmp_sched_entry *e = &registry[i];

		if (e->ops)
			continue;
		memset(e, 0, sizeof(*e));
		e->ops = ops;
		e->dl = dl;
		snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
		if (ep)
			*ep = e;
		return 0;
	}
	return -ENOSPC;
}

int xmp_sched_register(const struct xmp_sched_ops *ops)
{
	return entry_add(ops, NULL, NULL, NULL);
}

int xmp_sched_unregister(const char *name)
{
	struct xmp_sched_entry *e = entry_by_name(name);
	void *dl;

	if (!e)
		return -ENOENT;
	if (e->builtin)
		return -EPERM;
	/* Connections hold e->ops (and code in e->dl): only when none does. */
	if (e->users)
		return -EBUSY;
	if (e == default_entry)
		default_entry = &registry[0];
	dl = e->dl;
	memset(e, 0, sizeof(*e));
	if (dl)
		dlclose(dl);
	return 0;
}

const struct xmp_sched_ops *xmp_sched_find(const char *name)
{
	struct xmp_sched_entry *e = name ? entry_by_name(name) : NULL;

	return e ? e->ops : NULL;
}

__attribute__((format(printf, 4, 5))) static int load_fail(int err, char *msg, size_t msglen,
							  const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_warn("sched: %s\n", buf);
	if (msg && msglen)
		snprintf(msg, msglen, "%s", buf);
	return err;
}

int xmp_sched_load(const char *path, const struct xmp_sched_ops **opsp, char *msg,
		   size_t msglen)
{
	const struct xmp_sched_ops *(*entry)(void);
	const struct xmp_sched_ops *ops;
	void *dl;
	int err;

	registry_init();
	if (!path || !*path)
		return load_fail(-EINVAL, msg, msglen, "no policy file given");
	if (strlen(path) >= sizeof(registry[0].path))
		return load_fail(-ENAMETOOLONG, msg, msglen, "%s: path too long", path);
	/* Tell a missing file apart from a broken one: dlerror() is text only. */
	if (access(path, R_OK))
		return load_fail(-errno, msg, msglen, "%s: %s", path, strerror(errno));
	/* RTLD_LOCAL: two policies may define the same helper names. A name
	 * without '/' would search the library path: take it as given. */
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return load_fail(-ENOEXEC, msg, msglen, "%s: not a loadable shared object: %s", path,
				 dlerror());
	*(void **)&entry = dlsym(dl, XMP_SCHED_ENTRY_SYM);
	if (!entry) {
		dlclose(dl);
		return load_fail(-ENOSYS, msg, msglen,
				 "%s: no %s() entry point: build it with XMP_SCHED_POLICY(ops)", path,
				 XMP_SCHED_ENTRY_SYM);
	}
	ops = entry();
	if (ops && ops->abi_version != XMP_SCHED_ABI_VERSION) {
		err = load_fail(-ENOTSUP, msg, msglen,
				"%s: policy built for scheduler ABI %u, this controller has ABI %u: "
				"rebuild it against this include/xmptcp/sched.h",
				path, ops->abi_version, XMP_SCHED_ABI_VERSION);
		goto out_close;
	}
	err = entry_add(ops, dl, path, NULL);
	if (err == -EEXIST) {
		load_fail(err, msg, msglen, "%s: a policy named \"%s\" is already registered", path,
			  ops->name);
		goto out_close;
	} else if (err) {
		load_fail(err, msg, msglen, "%s: invalid policy ops (%s)", path, strerror(-err));
		goto out_close;
	}
	if (opsp)
		*opsp = ops;
	pr_info("sched: loaded policy \"%s\" from %s\n", ops->name, path);
	return 0;

out_close:
	dlclose(dl);
	return err;
}

const struct xmp_sched_ops *xmp_sched_default(void)
{
	registry_init();
	return default_entry->ops;
}

int xmp_sched_set_default(const struct xmp_sched_ops *ops)
{
	struct xmp_sched_entry *e = entry_by_ops(ops);

	if (!e)
		return -ENOENT;
	default_entry = e;
	return 0;
}

int xmp_sched_list(struct xmp_sched_info *out, int max)
{
	int i, n = 0;

	registry_init();
	for (i = 0; i < XMP_SCHED_MAX_POLICIES; i++) {
		const struct xmp_sched_entry *e = &registry[i];
		struct xmp_sched_info *info;

		if (!e->ops)
			continue;
		if (n < max) {
			info = &out[n];
			memset(info, 0, sizeof(*info));
			snprintf(info->name, sizeof(info->name), "%s", e->ops->name);
			snprintf(info->path, sizeof(info->path), "%s", e->path);
			info->users = e->users;
			info->inits = e->inits;
			info->releases = e->releases;
			info->builtin = e->builtin;
			info->is_default = e == default_entry;
		}
		n++;
	}
	return n;
}

/* ---- per-connection state ---- */

/* Create and init @e's state for one connection. */
static int state_new(struct xmp_sched_entry *e, void **privp)
{
	void *priv = NULL;
	int err;

	if (e->ops->priv_size) {
		priv = calloc(1, e->ops->priv_size);
		if (!priv)
			return -ENOMEM;
	}
	if (e->ops->init) {
		err = e->ops->init(priv);
		if (err) {
			free(priv);
			return err < 0 ? err : -EINVAL;
		}
	}
	e->inits++;
	*privp = priv;
	return 0;
}

static void state_free(struct xmp_sched_entry *e, void *priv)
{
	if (e->ops->release)
		e->ops->release(priv);
	e->releases++;
	free(priv);
}

int xmp_sched_conn_init(struct xmp_sched_conn *cs, const struct xmp_sched_ops *ops)
{
	struct xmp_sched_entry *e;
	int err;

	memset(cs, 0, sizeof(*cs));
	e = ops ? entry_by_ops(ops) : (registry_init(), default_entry);
	if (!e)
		return -ENOENT;
	err = state_new(e, &cs->priv);
	if (err)
		return err;
	cs->cur = e;
	e->users++;
	return 0;
}

void xmp_sched_conn_release(struct xmp_sched_conn *cs)
{
	if (cs->pending) {
		cs->pending->users--;
		cs->pending = NULL;
	}
	if (cs->cur) {
		state_free(cs->cur, cs->priv);
		cs->cur->users--;
		cs->cur = NULL;
		cs->priv = NULL;
	}
}

int xmp_sched_set(struct xmp_sched_conn *cs, const struct xmp_sched_ops *ops)
{
	struct xmp_sched_entry *e = entry_by_ops(ops);

	if (!e)
		return -ENOENT;
	/* The pending target is counted as a user right away so that it
	 * cannot be unloaded between now and the swap. */
	if (cs->pending)
		cs->pending->users--;
	cs->pending = NULL;
	if (e != cs->cur) {
		cs->pending = e;
		e->users++;
	}
	return 0;
}

const struct xmp_sched_ops *xmp_sched_conn_ops(const struct xmp_sched_conn *cs)
{
	const struct xmp_sched_entry *e = cs->pending ? cs->pending : cs->cur;

	return e ? e->ops : NULL;
}

/*
 * Apply a pending swap at this decision boundary: the new state is created
 * before the old one is released, so a failing init() leaves the connection
 * on its old policy instead of without one.
 */
static void swap_apply(struct xmp_sched_conn *cs)
{
	struct xmp_sched_entry *e = cs->pending;
	void *priv;
	int err;

	cs->pending = NULL;
	err = state_new(e, &priv);
	if (err) {
		pr_warn("sched: swap to \"%s\" failed (%s), keeping \"%s\"\n", e->ops->name,
			strerror(-err), cs->cur->ops->name);
		e->users--;
		cs->mib[XMP_SCHED_MIB_SWAP_FAILED]++;
		return;
	}
	state_free(cs->cur, cs->priv);
	cs->cur->users--;
	cs->cur = e;
	cs->priv = priv;
	cs->mib[XMP_SCHED_MIB_SWAPS]++;
}

/* Most the chunk may be on subflow @sf: its room, the unsent bytes and,
 * for new data, the connection-level window (a reinjection is inside it). */
static __u32 grant_max(const struct xmp_sched_view *v, const struct xmp_sched_subflow *sf)
{
	__u64 max = xmp_sched_sf_room(sf);

	if (v->unsent < max)
		max = v->unsent;
	if (!(v->flags & XMP_SCHED_REINJECT) && v->snd_wnd_room < max)
		max = v->snd_wnd_room;
	return (__u32)max;
}

/* Keep the picks the connection can honour, with their granted bytes. */
static int picks_validate(struct xmp_sched_conn *cs, const struct xmp_sched_view *v,
			  struct xmp_sched_decision *d)
{
	__u32 seen = 0, i, n = 0;

	if (d->nr > XMP_SCHED_MAX_SUBFLOWS)
		d->nr = XMP_SCHED_MAX_SUBFLOWS;
	for (i = 0; i < d->nr; i++) {
		struct xmp_sched_pick p = d->pick[i];
		__u32 max;

		if (p.idx >= v->nr || (seen & (1u << p.idx)) || !xmp_sched_sf_usable(v, &v->sf[p.idx])) {
			cs->mib[XMP_SCHED_MIB_PICK_DROPPED]++;
			continue;
		}
		max = grant_max(v, &v->sf[p.idx]);
		if (!max) {
			cs->mib[XMP_SCHED_MIB_PICK_DROPPED]++;
			continue;
		}
		seen |= 1u << p.idx;
		p.bytes = p.bytes && p.bytes < max ? p.bytes : max;
		d->pick[n++] = p;
	}
	d->nr = n;
	return n ? 0 : -EAGAIN;
}

int xmp_sched_decide(struct xmp_sched_conn *cs, const struct xmp_sched_view *v,
		     struct xmp_sched_decision *d)
{
	int err;

	if (!cs->cur || !v || v->nr > XMP_SCHED_MAX_SUBFLOWS || (v->nr && !v->sf))
		return -EINVAL;
	if (cs->pending)
		swap_apply(cs);
	memset(d, 0, sizeof(*d));
	/* Nothing to send, or no window for new data: no policy can change
	 * that, and blest's estimate would be meaningless. */
	if (!v->unsent || (!(v->flags & XMP_SCHED_REINJECT) && !v->snd_wnd_room)) {
		cs->mib[XMP_SCHED_MIB_WAIT]++;
		return -EAGAIN;
	}
	cs->mib[XMP_SCHED_MIB_DECISIONS]++;
	err = cs->cur->ops->get_subflows(cs->priv, v, d);
	if (!err)
		err = picks_validate(cs, v, d);
	if (err) {
		d->nr = 0;
		if (err == -EAGAIN)
			cs->mib[XMP_SCHED_MIB_WAIT]++;
	}
	return err < 0 || !err ? err : -EINVAL;
}

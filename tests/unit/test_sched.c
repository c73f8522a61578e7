// SPDX-License-Identifier: GPL-2.0
/*
 * Packet scheduler (user/mptcp/sched.c, sched_builtin.c): each built-in's
 * decisions on crafted views, the core's validation and clamping of picks,
 * the registry, loading policies from shared objects (the example policy of
 * tests/sched/, built by the Makefile next to the test binaries), the load
 * errors, and live swaps with usage counts and balanced per-connection
 * state.
 *
 * The .so files are looked up in $XMP_SCHED_PLUGIN_DIR, else in
 * ../sched/ relative to this binary (build/tests/{unit,asan}/ ->
 * build/tests/sched/).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <unistd.h>

#include <xmptcp/sched.h>

#include "lib/test.h"

#define MSS   1448u
#define BIG   (1u << 20)
#define MS(x) ((x) * 1000u)

static struct xmp_sched_subflow sf_make(__u32 id, __u32 srtt_us, __u32 cwnd, __u32 in_flight,
					__u32 flags)
{
	struct xmp_sched_subflow sf = {
		.id = id,
		.flags = flags,
		.srtt_us = srtt_us,
		.rttvar_us = srtt_us / 2,
		.cwnd = cwnd,
		.in_flight = in_flight,
		.snd_room = BIG,
		.mss = MSS,
	};
	return sf;
}

#define ACT XMP_SCHED_SF_ACTIVE
#define BKP (XMP_SCHED_SF_ACTIVE | XMP_SCHED_SF_BACKUP)

static struct xmp_sched_view view_of(struct xmp_sched_subflow *sf, __u32 nr)
{
	struct xmp_sched_view v = {
		.now_us = 1000000,
		.unsent = BIG,
		.snd_wnd = BIG,
		.snd_wnd_room = BIG,
		.nr = nr,
		.sf = sf,
	};
	return v;
}

/* id of the single subflow chosen (and its quota in *@bytes), -EAGAIN/-errno
 * otherwise. */
static long decide_one(struct xmp_sched_conn *cs, const struct xmp_sched_view *v, __u32 *bytes)
{
	struct xmp_sched_decision d;
	int err = xmp_sched_decide(cs, v, &d);

	if (err)
		return err;
	if (d.nr != 1)
		return -1000 - (long)d.nr;
	*bytes = d.pick[0].bytes;
	return v->sf[d.pick[0].idx].id;
}

static long decide_id(struct xmp_sched_conn *cs, const struct xmp_sched_view *v)
{
	__u32 bytes;

	return decide_one(cs, v, &bytes);
}

static const struct xmp_sched_info *info_of(const char *name, struct xmp_sched_info *buf, int max)
{
	int i, n = xmp_sched_list(buf, max);

	for (i = 0; i < n && i < max; i++)
		if (!strcmp(buf[i].name, name))
			return &buf[i];
	return NULL;
}

static __u32 users_of(const char *name)
{
	struct xmp_sched_info buf[32];
	const struct xmp_sched_info *i = info_of(name, buf, 32);

	return i ? i->users : 9999;
}

static void plugin_path(char *out, size_t len, const char *file)
{
	const char *dir = getenv("XMP_SCHED_PLUGIN_DIR");
	char exe[PATH_MAX / 2]; /* leaves room for the suffix */
	ssize_t n;
	char *slash;

	if (dir) {
		snprintf(out, len, "%s/%s", dir, file);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, len, "%s/../sched/%s", exe, file);
}

/* ---- built-ins ---- */

static void minrtt_fast_until_cwnd_full(void)
{
	struct xmp_sched_subflow sf[3] = {
		sf_make(7, MS(50), 10 * MSS, 0, ACT),
		sf_make(3, MS(10), 10 * MSS, 4 * MSS, ACT),
		sf_make(9, MS(30), 10 * MSS, 0, ACT),
	};
	struct xmp_sched_view v = view_of(sf, 3);
	struct xmp_sched_conn cs;
	__u32 bytes = 0;

	CHECK_EQ(xmp_sched_conn_init(&cs, NULL), 0); /* the default */
	CHECK(xmp_sched_conn_ops(&cs) == &xmp_sched_minrtt);
	CHECK_EQ(decide_one(&cs, &v, &bytes), 3);
	CHECK_EQ(bytes, 6 * MSS); /* its cwnd room, no more */

	sf[1].in_flight = 10 * MSS; /* fast one full: the next fastest */
	CHECK_EQ(decide_id(&cs, &v), 9);
	sf[2].in_flight = 11 * MSS; /* beyond cwnd after a cwnd cut */
	CHECK_EQ(decide_id(&cs, &v), 7);
	sf[0].in_flight = 10 * MSS;
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN);
	sf[1].in_flight = 9 * MSS; /* an ACK opens the fast one again */
	CHECK_EQ(decide_id(&cs, &v), 3);
	/* A reinjection avoids the subflow that already carried the chunk. */
	v.flags = XMP_SCHED_REINJECT;
	sf[1].flags |= XMP_SCHED_SF_SENT;
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN); /* the others are full */
	sf[2].in_flight = 0;
	CHECK_EQ(decide_id(&cs, &v), 9);
	sf[2].in_flight = 11 * MSS;
	v.flags = 0;
	CHECK_EQ(decide_id(&cs, &v), 3); /* new data: the fast one again */
	sf[1].flags = 0; /* failed: not active */
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN);
	v.nr = 0; /* no subflow at all */
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN);
	CHECK_EQ(cs.mib[XMP_SCHED_MIB_WAIT], 4);
	xmp_sched_conn_release(&cs);
}

static void minrtt_backup_only_when_alone(void)
{
	struct xmp_sched_subflow sf[2] = {
		sf_make(1, MS(5), 10 * MSS, 0, BKP),  /* fast, but backup */
		sf_make(2, MS(80), 10 * MSS, 0, ACT), /* slow regular */
	};
	struct xmp_sched_view v = view_of(sf, 2);
	struct xmp_sched_conn cs;

	CHECK_EQ(xmp_sched_conn_init(&cs, &xmp_sched_minrtt), 0);
	CHECK_EQ(decide_id(&cs, &v), 2);
	/* A regular subflow that is only cwnd-limited means wait, not backup. */
	sf[1].in_flight = 10 * MSS;
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN);
	/* The regular one fails: the backup takes over. */
	sf[1].flags = 0;
	CHECK_EQ(decide_id(&cs, &v), 1);
	xmp_sched_conn_release(&cs);
}

static void rr_cycles_over_usable(void)
{
	struct xmp_sched_subflow sf[3] = {
		sf_make(10, MS(10), 10 * MSS, 0, ACT),
		sf_make(11, MS(90), 10 * MSS, 0, ACT),
		sf_make(12, MS(40), 10 * MSS, 0, ACT),
	};
	struct xmp_sched_view v = view_of(sf, 3);
	struct xmp_sched_subflow tmp;
	struct xmp_sched_conn cs;
	__u32 bytes = 0;

	CHECK_EQ(xmp_sched_conn_init(&cs, &xmp_sched_rr), 0);
	CHECK_EQ(decide_one(&cs, &v, &bytes), 10);
	CHECK_EQ(bytes, MSS); /* one segment per turn */
	CHECK_EQ(decide_id(&cs, &v), 11);
	CHECK_EQ(decide_id(&cs, &v), 12);
	CHECK_EQ(decide_id(&cs, &v), 10);
	sf[1].in_flight = 10 * MSS; /* 11 full: skipped */
	CHECK_EQ(decide_id(&cs, &v), 12);
	CHECK_EQ(decide_id(&cs, &v), 10);
	sf[1].in_flight = 0;
	/* The turn follows subflow ids, not array slots. */
	tmp = sf[0], sf[0] = sf[2], sf[2] = tmp; /* order 12, 11, 10; last was 10 */
	CHECK_EQ(decide_id(&cs, &v), 12);
	CHECK_EQ(decide_id(&cs, &v), 11);
	xmp_sched_conn_release(&cs);
}

static void redundant_returns_all_usable(void)
{
	struct xmp_sched_subflow sf[5] = {
		sf_make(1, MS(10), 10 * MSS, 0, ACT),
		sf_make(2, MS(20), 10 * MSS, 10 * MSS, ACT), /* full */
		sf_make(3, MS(30), 10 * MSS, 0, 0),	     /* not active */
		sf_make(4, MS(40), 4 * MSS, MSS, ACT),
		sf_make(5, MS(1), 10 * MSS, 0, BKP), /* backup: regulars exist */
	};
	struct xmp_sched_view v = view_of(sf, 5);
	struct xmp_sched_decision d;
	struct xmp_sched_conn cs;

	CHECK_EQ(xmp_sched_conn_init(&cs, &xmp_sched_redundant), 0);
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.nr, 2);
	CHECK_EQ(sf[d.pick[0].idx].id, 1);
	CHECK_EQ(d.pick[0].bytes, 10 * MSS);
	CHECK_EQ(sf[d.pick[1].idx].id, 4);
	CHECK_EQ(d.pick[1].bytes, 3 * MSS); /* each its own room */
	sf[0].flags = sf[3].flags = sf[1].flags = 0;
	CHECK_EQ(decide_id(&cs, &v), 5); /* the backup, now alone */
	xmp_sched_conn_release(&cs);
}

/*
 * fast: srtt 10 ms, cwnd 10 MSS, full; slow: srtt 40 ms, nothing in flight.
 * r = 4: X = (10 MSS + MSS * 3 / 2) * 4 = 66608 bytes; blocking when
 * X > snd_wnd - (0 + MSS), i.e. for snd_wnd < 68056.
 */
static void blest_declines_slow_when_window_would_block(void)
{
	struct xmp_sched_subflow sf[2] = {
		sf_make(1, MS(40), 10 * MSS, 0, ACT),
		sf_make(2, MS(10), 10 * MSS, 10 * MSS, ACT),
	};
	struct xmp_sched_view v = view_of(sf, 2);
	struct xmp_sched_conn cs, mr, fresh;

	CHECK_EQ(xmp_sched_conn_init(&cs, &xmp_sched_blest), 0);
	CHECK_EQ(xmp_sched_conn_init(&mr, &xmp_sched_minrtt), 0);
	v.snd_wnd = 68055;
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN); /* wait for the fast one */
	CHECK_EQ(decide_id(&mr, &v), 1);	     /* minrtt would not */
	v.snd_wnd = 68056;
	CHECK_EQ(decide_id(&cs, &v), 1); /* window large enough: use it */
	v.snd_wnd = 4 * BIG;
	CHECK_EQ(decide_id(&cs, &v), 1);

	/* Data in flight on the slow path holds window too. */
	v.snd_wnd = 68056 + 2 * MSS;
	CHECK_EQ(decide_id(&cs, &v), 1);
	sf[0].in_flight = 3 * MSS;
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN);
	sf[0].in_flight = 0;

	/* Fast subflow with room: it is simply used. */
	v.snd_wnd = 68055;
	sf[1].in_flight = 9 * MSS;
	CHECK_EQ(decide_id(&cs, &v), 2);
	sf[1].in_flight = 10 * MSS;

	/* A reinjection is inside the window already: no estimate. */
	v.flags = XMP_SCHED_REINJECT;
	CHECK_EQ(decide_id(&cs, &v), 1);

	/* lambda: a block report makes the estimate stricter (x1.1)... */
	v.flags = XMP_SCHED_WND_BLOCKED;
	v.snd_wnd = 68056;
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN);
	v.flags = 0;
	v.now_us += MS(10); /* less than a slow RTT: lambda stays */
	CHECK_EQ(decide_id(&cs, &v), -EAGAIN);
	/* lambda is per connection: a fresh one never saw the block. */
	CHECK_EQ(xmp_sched_conn_init(&fresh, &xmp_sched_blest), 0);
	CHECK_EQ(decide_id(&fresh, &v), 1);
	xmp_sched_conn_release(&fresh);
	v.snd_wnd = 66608 * 11 / 10 + MSS;
	CHECK_EQ(decide_id(&cs, &v), 1);
	/* ...and relaxes after a slow RTT without one. */
	v.snd_wnd = 68056;
	v.now_us += MS(40);
	CHECK_EQ(decide_id(&cs, &v), 1);
	xmp_sched_conn_release(&mr);
	xmp_sched_conn_release(&cs);
}

/* ---- core: validation and clamping of whatever a policy returns ---- */

static struct xmp_sched_decision scripted; /* what the "script" policy returns */
static int scripted_err;

static int script_get(void *priv, const struct xmp_sched_view *v, struct xmp_sched_decision *d)
{
	(void)priv;
	(void)v;
	*d = scripted;
	return scripted_err;
}

static const struct xmp_sched_ops script_ops = {
	.abi_version = XMP_SCHED_ABI_VERSION,
	.name = "script",
	.get_subflows = script_get,
};

static void core_validates_and_clamps_picks(void)
{
	struct xmp_sched_subflow sf[3] = {
		sf_make(1, MS(10), 10 * MSS, 0, ACT),
		sf_make(2, MS(20), 10 * MSS, 10 * MSS, ACT), /* full */
		sf_make(3, MS(30), 10 * MSS, 0, 0),	     /* inactive */
	};
	struct xmp_sched_view v = view_of(sf, 3);
	struct xmp_sched_decision d;
	struct xmp_sched_conn cs;

	CHECK_EQ(xmp_sched_register(&script_ops), 0);
	CHECK_EQ(xmp_sched_conn_init(&cs, &script_ops), 0);
	memset(&scripted, 0, sizeof(scripted));
	xmp_sched_pick_add(&scripted, 5, 0); /* out of range */
	xmp_sched_pick_add(&scripted, 1, 0); /* full */
	xmp_sched_pick_add(&scripted, 2, 0); /* inactive */
	xmp_sched_pick_add(&scripted, 0, 1000);
	xmp_sched_pick_add(&scripted, 0, 0); /* duplicate */
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.nr, 1);
	CHECK_EQ(d.pick[0].idx, 0);
	CHECK_EQ(d.pick[0].bytes, 1000); /* the policy's quota */
	CHECK_EQ(cs.mib[XMP_SCHED_MIB_PICK_DROPPED], 4);

	/* Quota above the room, unsent and window room: the least wins. */
	memset(&scripted, 0, sizeof(scripted));
	xmp_sched_pick_add(&scripted, 0, BIG);
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.pick[0].bytes, 10 * MSS);
	sf[0].snd_room = 3000;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.pick[0].bytes, 3000);
	v.unsent = 2000;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.pick[0].bytes, 2000);
	v.snd_wnd_room = 500;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.pick[0].bytes, 500);
	/* A reinjection is not limited by the room for new data... */
	v.flags = XMP_SCHED_REINJECT;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.pick[0].bytes, 2000);
	/* ...but never goes back onto the subflow that already carried it. */
	sf[0].flags |= XMP_SCHED_SF_SENT;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), -EAGAIN);
	CHECK_EQ(d.nr, 0);
	sf[0].flags = ACT;
	v.flags = 0;

	/* Nothing to send or no window for new data: the policy is not asked. */
	v.snd_wnd_room = 0;
	scripted_err = -EIO;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), -EAGAIN);
	v.snd_wnd_room = BIG;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), -EIO); /* policy errors pass through */
	scripted_err = 0;
	v.nr = XMP_SCHED_MAX_SUBFLOWS + 1;
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), -EINVAL);

	xmp_sched_conn_release(&cs);
	CHECK_EQ(xmp_sched_unregister("script"), 0);
}

/* ---- registry ---- */

static void registry_builtins_and_errors(void)
{
	struct xmp_sched_ops bad = script_ops;
	struct xmp_sched_info buf[32];
	const struct xmp_sched_info *i;
	int n;

	CHECK(xmp_sched_find("minrtt") == &xmp_sched_minrtt);
	CHECK(xmp_sched_find("rr") == &xmp_sched_rr);
	CHECK(xmp_sched_find("redundant") == &xmp_sched_redundant);
	CHECK(xmp_sched_find("blest") == &xmp_sched_blest);
	CHECK(xmp_sched_find("nope") == NULL);
	CHECK(xmp_sched_default() == &xmp_sched_minrtt);
	n = xmp_sched_list(buf, 32);
	CHECK_EQ(n, 4);
	i = info_of("minrtt", buf, 32);
	CHECK(i && i->builtin && i->is_default && !i->path[0]);

	CHECK_EQ(xmp_sched_unregister("minrtt"), -EPERM);
	CHECK_EQ(xmp_sched_unregister("nope"), -ENOENT);
	CHECK_EQ(xmp_sched_register(&xmp_sched_rr), -EEXIST);
	bad.abi_version = XMP_SCHED_ABI_VERSION + 1;
	CHECK_EQ(xmp_sched_register(&bad), -ENOTSUP);
	bad = script_ops;
	bad.get_subflows = NULL;
	CHECK_EQ(xmp_sched_register(&bad), -EINVAL);
	bad = script_ops;
	bad.name[0] = '\0';
	CHECK_EQ(xmp_sched_register(&bad), -EINVAL);
	bad = script_ops;
	memset(bad.name, 'x', sizeof(bad.name)); /* no NUL */
	CHECK_EQ(xmp_sched_register(&bad), -EINVAL);
	CHECK_EQ(xmp_sched_list(buf, 32), 4); /* nothing half-registered */

	/* The default can move to another policy and back. */
	CHECK_EQ(xmp_sched_set_default(&xmp_sched_blest), 0);
	CHECK(xmp_sched_default() == &xmp_sched_blest);
	CHECK_EQ(xmp_sched_set_default(&bad), -ENOENT);
	CHECK_EQ(xmp_sched_set_default(&xmp_sched_minrtt), 0);
}

/* ---- plugins ---- */

/* Mirrors struct example_policy_counters of tests/sched/example_policy.c. */
struct example_counters {
	__u64 inits, releases, decisions;
};

static struct example_counters *plugin_counters(const char *path)
{
	/* The loader's dlopen handle is private; RTLD_NOLOAD finds the same
	 * instance without loading a second one. */
	void *dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	void *sym;

	if (!dl)
		return NULL;
	sym = dlsym(dl, "example_policy_counters");
	dlclose(dl); /* the loader still holds it */
	return sym;
}

/* The example policy, loaded from next to the test (its path in @path,
 * the policy in *@ops): its counters, or NULL when it is not built (the
 * test is skipped) or did not load (the test failed). */
static struct example_counters *load_example(char *path, size_t len,
					     const struct xmp_sched_ops **ops)
{
	struct example_counters *cnt;
	char msg[256];

	plugin_path(path, len, "example_policy.so");
	if (access(path, R_OK)) {
		t_cur_skip = "example_policy.so not built next to the test"; /* SKIP() */
		return NULL;
	}
	CHECK_EQ(xmp_sched_load(path, ops, msg, sizeof(msg)), 0);
	if (!*ops)
		return NULL;
	cnt = plugin_counters(path);
	CHECK(cnt != NULL);
	return cnt;
}

static void plugin_loads_and_decides(void)
{
	struct xmp_sched_subflow sf[3] = {
		sf_make(1, MS(10), 10 * MSS, 8 * MSS, ACT), /* fastest, little room */
		sf_make(2, MS(60), 40 * MSS, 0, ACT),	    /* slow, most room */
		sf_make(3, MS(30), 20 * MSS, 0, ACT),
	};
	struct xmp_sched_view v = view_of(sf, 3);
	const struct xmp_sched_ops *ops = NULL;
	struct xmp_sched_info buf[32];
	const struct xmp_sched_info *info;
	struct xmp_sched_conn cs, c2;
	char path[PATH_MAX], msg[256];
	struct example_counters *cnt;

	cnt = load_example(path, sizeof(path), &ops);
	if (!cnt)
		return;
	CHECK(!strcmp(ops->name, "maxroom"));
	CHECK(xmp_sched_find("maxroom") == ops);
	info = info_of("maxroom", buf, 32);
	CHECK(info && !info->builtin && !strcmp(info->path, path) && info->users == 0);

	CHECK_EQ(xmp_sched_conn_init(&cs, ops), 0);
	CHECK_EQ(xmp_sched_conn_init(&c2, ops), 0);
	CHECK_EQ(cnt->inits, 2);
	CHECK_EQ(users_of("maxroom"), 2);
	CHECK_EQ(decide_id(&cs, &v), 2); /* most room, unlike minrtt */
	sf[1].in_flight = 35 * MSS;
	CHECK_EQ(decide_id(&cs, &v), 3);
	sf[2].flags = BKP; /* backups: only when alone, here too */
	CHECK_EQ(decide_id(&cs, &v), 2);
	CHECK_EQ(cnt->decisions, 3);

	/* In use: cannot go away. A second load of the same name neither. */
	CHECK_EQ(xmp_sched_unregister("maxroom"), -EBUSY);
	CHECK_EQ(xmp_sched_load(path, NULL, msg, sizeof(msg)), -EEXIST);
	CHECK(strstr(msg, "maxroom") != NULL);
	xmp_sched_conn_release(&cs);
	CHECK_EQ(xmp_sched_unregister("maxroom"), -EBUSY);
	xmp_sched_conn_release(&c2);
	CHECK_EQ(cnt->releases, 2);
	CHECK_EQ(users_of("maxroom"), 0);
	CHECK_EQ(xmp_sched_unregister("maxroom"), 0);
	CHECK(xmp_sched_find("maxroom") == NULL);
	CHECK(plugin_counters(path) == NULL); /* really unloaded */
}

static int find_libc(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "/libc.so")) {
		snprintf(data, PATH_MAX, "%s", info->dlpi_name);
		return 1;
	}
	return 0;
}

static void plugin_load_errors(void)
{
	char path[PATH_MAX], msg[512], junk[] = "/tmp/xmp-sched-junk-XXXXXX";
	struct xmp_sched_info buf[32];
	int fd, before = xmp_sched_list(buf, 32);

	msg[0] = '\0';
	CHECK_EQ(xmp_sched_load("/nonexistent/dir/policy.so", NULL, msg, sizeof(msg)), -ENOENT);
	CHECK(strstr(msg, "/nonexistent/dir/policy.so") != NULL);
	CHECK_EQ(xmp_sched_load("", NULL, msg, sizeof(msg)), -EINVAL);

	/* A file that is no shared object. */
	fd = mkstemp(junk);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_EQ(write(fd, "not an ELF file\n", 16), 16);
		close(fd);
		CHECK_EQ(xmp_sched_load(junk, NULL, msg, sizeof(msg)), -ENOEXEC);
		CHECK(strstr(msg, "not a loadable shared object") != NULL);
		unlink(junk);
	}

	/* A real shared object without the entry point: libc itself. */
	path[0] = '\0';
	dl_iterate_phdr(find_libc, path);
	if (path[0]) {
		CHECK_EQ(xmp_sched_load(path, NULL, msg, sizeof(msg)), -ENOSYS);
		CHECK(strstr(msg, XMP_SCHED_ENTRY_SYM) != NULL);
	}

	/* The example built for another ABI. */
	plugin_path(path, sizeof(path), "example_policy_abi99.so");
	if (access(path, R_OK))
		SKIP("example_policy_abi99.so not built next to the test");
	CHECK_EQ(xmp_sched_load(path, NULL, msg, sizeof(msg)), -ENOTSUP);
	CHECK(strstr(msg, "ABI 99") != NULL);
	CHECK(plugin_counters(path) == NULL); /* closed again */

	CHECK_EQ(xmp_sched_list(buf, 32), before);
	CHECK(xmp_sched_find("maxroom") == NULL);
}

/* ---- live swap ---- */

struct counts {
	__u64 inits, releases;
};

static struct counts counts_of(const char *name)
{
	struct xmp_sched_info buf[32];
	const struct xmp_sched_info *i = info_of(name, buf, 32);
	struct counts c = { 0, 0 };

	if (i) {
		c.inits = i->inits;
		c.releases = i->releases;
	}
	return c;
}

static int fail_init(void *priv)
{
	(void)priv;
	return -ENOMEM;
}

static void live_swap_minrtt_redundant_plugin_rr(void)
{
	static const char *const names[] = { "minrtt", "redundant", "maxroom", "rr" };
	struct xmp_sched_subflow sf[2] = {
		sf_make(1, MS(10), 10 * MSS, 8 * MSS, ACT),
		sf_make(2, MS(50), 20 * MSS, 0, ACT),
	};
	struct xmp_sched_view v = view_of(sf, 2);
	struct xmp_sched_ops failing = script_ops;
	const struct xmp_sched_ops *plugin = NULL;
	struct counts before[4], after;
	struct xmp_sched_decision d;
	struct xmp_sched_conn cs, other;
	struct example_counters *cnt;
	char path[PATH_MAX];
	size_t k;

	cnt = load_example(path, sizeof(path), &plugin);
	if (!cnt)
		return;
	for (k = 0; k < 4; k++)
		before[k] = counts_of(names[k]);

	CHECK_EQ(xmp_sched_conn_init(&cs, NULL), 0);
	CHECK_EQ(xmp_sched_conn_init(&other, &xmp_sched_rr), 0); /* a bystander */
	CHECK_EQ(decide_id(&cs, &v), 1); /* minrtt: the fast one */
	CHECK_EQ(users_of("minrtt"), 1);

	/* -> redundant: pending until the next decision, counted already. */
	CHECK_EQ(xmp_sched_set(&cs, &xmp_sched_redundant), 0);
	CHECK(xmp_sched_conn_ops(&cs) == &xmp_sched_redundant);
	CHECK_EQ(users_of("minrtt"), 1);
	CHECK_EQ(users_of("redundant"), 1);
	CHECK_EQ(xmp_sched_decide(&cs, &v, &d), 0);
	CHECK_EQ(d.nr, 2);
	CHECK_EQ(users_of("minrtt"), 0);
	CHECK_EQ(counts_of("minrtt").releases - before[0].releases, 1);

	/* -> plugin, replaced by nothing in between: its state made once. */
	CHECK_EQ(xmp_sched_set(&cs, plugin), 0);
	CHECK_EQ(xmp_sched_unregister("maxroom"), -EBUSY); /* pending counts */
	CHECK_EQ(cnt->inits, 0);
	CHECK_EQ(decide_id(&cs, &v), 2); /* maxroom: most room */
	CHECK_EQ(cnt->inits, 1);
	CHECK_EQ(cnt->decisions, 1);
	CHECK_EQ(users_of("redundant"), 0);
	CHECK_EQ(users_of("maxroom"), 1);

	/* A swap whose init() fails keeps the connection on its policy. */
	failing.init = fail_init;
	snprintf(failing.name, sizeof(failing.name), "failing");
	CHECK_EQ(xmp_sched_register(&failing), 0);
	CHECK_EQ(xmp_sched_set(&cs, &failing), 0);
	CHECK_EQ(decide_id(&cs, &v), 2);
	CHECK_EQ(cnt->decisions, 2); /* still maxroom deciding */
	CHECK_EQ(cs.mib[XMP_SCHED_MIB_SWAP_FAILED], 1);
	CHECK_EQ(users_of("failing"), 0);
	CHECK_EQ(xmp_sched_unregister("failing"), 0);

	/* A swap replaced before it happened, then back to the current one:
	 * nothing is created or released. */
	CHECK_EQ(xmp_sched_set(&cs, &xmp_sched_blest), 0);
	CHECK_EQ(xmp_sched_set(&cs, plugin), 0);
	CHECK_EQ(users_of("blest"), 0);
	CHECK_EQ(decide_id(&cs, &v), 2);
	CHECK_EQ(cnt->inits, 1);

	/* -> rr. */
	CHECK_EQ(xmp_sched_set(&cs, &xmp_sched_rr), 0);
	CHECK_EQ(users_of("rr"), 2);
	CHECK_EQ(decide_id(&cs, &v), 1);
	CHECK_EQ(decide_id(&cs, &v), 2); /* rr's own state, fresh */
	CHECK_EQ(cnt->releases, 1);
	CHECK_EQ(users_of("maxroom"), 0);
	CHECK_EQ(cs.mib[XMP_SCHED_MIB_SWAPS], 3);
	CHECK_EQ(decide_id(&other, &v), 1); /* the bystander: rr from its own start */

	xmp_sched_conn_release(&cs);
	xmp_sched_conn_release(&other);
	for (k = 0; k < 4; k++) {
		after = counts_of(names[k]);
		/* Every per-connection state created was released. */
		CHECK_EQ(after.inits - before[k].inits, after.releases - before[k].releases);
		CHECK_EQ(users_of(names[k]), 0);
	}
	CHECK_EQ(counts_of("minrtt").inits - before[0].inits, 1);
	CHECK_EQ(counts_of("rr").inits - before[3].inits, 2);
	CHECK_EQ(counts_of("maxroom").inits - before[2].inits, 1);
	CHECK_EQ(cnt->inits, cnt->releases);
	CHECK_EQ(xmp_sched_unregister("maxroom"), 0);
}

int main(void)
{
	RUN(minrtt_fast_until_cwnd_full);
	RUN(minrtt_backup_only_when_alone);
	RUN(rr_cycles_over_usable);
	RUN(redundant_returns_all_usable);
	RUN(blest_declines_slow_when_window_would_block);
	RUN(core_validates_and_clamps_picks);
	RUN(registry_builtins_and_errors);
	RUN(plugin_loads_and_decides);
	RUN(plugin_load_errors);
	RUN(live_swap_minrtt_redundant_plugin_rr);
	return t_exit_code();
}

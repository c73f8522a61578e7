// SPDX-License-Identifier: GPL-2.0
/*
 * `xmptcp attach IFACE...`: loads bpf/xdp_steer and bpf/tc_egress from
 * their skeletons with pin_root_path = the pin dir, so the maps both
 * declare with LIBBPF_PIN_BY_NAME are created once and shared (a later
 * attach, to another interface, reuses them and the pinned programs),
 * writes xmp_config, then per interface: XDP through a BPF link pinned
 * under links/ (it outlives this process; detach unpins it), or through
 * netlink where the kernel refuses XDP links, and TC egress through a
 * clsact filter with a fixed handle/priority (libbpf 1.1 has no tcx
 * links). Either every interface of one call is attached or none is.
 * Before loading, the kernel is probed (io/features.h): xdp_steer is
 * configured (xmp_use_meta in its .rodata) to write no metadata where the
 * verifier refuses bpf_xdp_adjust_meta, or when asked to (--no-meta,
 * XMPTCP_NO_META=1). The probes' answers go to xmp_config.features.
 * Call chain: cmd_attach() -> pin_clean_stale() -> probe_kernel() ->
 * get_progs() -> write_config() -> attach_iface() -> xdp_attach() /
 * tc_attach() -> note_xdp_api(); rollback through ctl_detach_iface().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xmptcp/maps.h>

#include "common/log.h"
#include "ctl/bpfmap.h"
#include "ctl/ctl.h"
#include "common/opts.h"
#include "ctl/pin.h"
#include "io/features.h"
#include "io/pinowner.h"
#include "xdp_steer.skel.h"
#include "tc_egress.skel.h"

struct attach_ctx {
	struct ctl_cfg *cfg;
	struct xdp_steer_bpf *xs;
	struct tc_egress_bpf *ts;
	int xdp_fd;
	int tc_fd;
	int ifindex[64];
	struct xmp_features feat;
	bool use_meta;		/* xdp_steer of this call writes xmp_meta */
	int n_link, n_netlink;	/* interfaces attached each way by this call */
};

static int pinned_prog(const char *dir, const char *name, enum bpf_prog_type type)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	if (pin_path(path, sizeof(path), "%s/progs/%s", dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		pr_warn("xmptcp attach: cannot open pinned program %s (%s); run 'xmptcp detach "
			"--all' to reset\n", path, strerror(errno));
		return -errno;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != type) {
		pr_warn("xmptcp attach: %s is not a %s program; run 'xmptcp detach --all' to "
			"reset\n", path, name);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static void load_failed(const char *dir, const char *what, int err)
{
	char path[PATH_MAX];
	bool stale;

	stale = !pin_path(path, sizeof(path), "%s/%s", dir, XMP_MAP_STATS) && pin_exists(path);
	if (err == -E2BIG)
		pr_warn("xmptcp attach: the verifier gave up on %s (program too complex for this "
			"kernel); rerun with -v for the log\n", what);
	else if (err == -EPERM)
		pr_warn("xmptcp attach: loading %s not permitted (%s); need CAP_BPF, "
			"CAP_NET_ADMIN and CAP_PERFMON\n", what, strerror(-err));
	else if (stale)
		pr_warn("xmptcp attach: loading %s failed (%s); the maps pinned in %s may come "
			"from another build: run 'xmptcp detach --all', or -v for details\n",
			what, strerror(-err), dir);
	else
		pr_warn("xmptcp attach: loading %s failed (%s); rerun with -v for the verifier "
			"log\n", what, strerror(-err));
}

/* Opens and loads both skeletons against the pin dir, then pins the two
 * programs so later invocations attach the same ones. */
static int load_progs(struct attach_ctx *a)
{
	const char *dir = a->cfg->pin_dir;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = dir);
	char path[PATH_MAX];
	int err;

	a->xs = xdp_steer_bpf__open_opts(&oo);
	a->ts = tc_egress_bpf__open_opts(&oo);
	if (!a->xs || !a->ts) {
		pr_warn("xmptcp attach: opening the BPF objects failed (%s)\n", strerror(errno));
		return -errno ? -errno : -EINVAL;
	}
	a->xs->rodata->xmp_use_meta = a->use_meta;
	err = xdp_steer_bpf__load(a->xs);
	if (err) {
		load_failed(dir, XMP_PROG_XDP, err);
		return err;
	}
	err = tc_egress_bpf__load(a->ts);
	if (err) {
		load_failed(dir, XMP_PROG_TC, err);
		return err;
	}
	a->xdp_fd = bpf_program__fd(a->xs->progs.xdp_steer);
	a->tc_fd = bpf_program__fd(a->ts->progs.tc_egress);
	err = pin_path(path, sizeof(path), "%s/progs/%s", dir, XMP_PROG_XDP);
	if (!err && bpf_obj_pin(a->xdp_fd, path))
		err = -errno;
	if (!err)
		err = pin_path(path, sizeof(path), "%s/progs/%s", dir, XMP_PROG_TC);
	if (!err && bpf_obj_pin(a->tc_fd, path))
		err = -errno;
	if (err)
		pr_warn("xmptcp attach: pinning %s failed (%s)\n", path, strerror(-err));
	return err;
}

/* The pinned xdp_steer was loaded with a metadata mode that cannot change
 * (read-only data), and every interface of the pin dir runs it: asked for
 * none while it writes some is an error that says how to get there;
 * otherwise the pinned mode wins and is said. */
static int check_pinned_meta(struct attach_ctx *a, int fd)
{
	const char *dir = a->cfg->pin_dir;
	int meta = ctl_xdp_prog_meta(fd);

	if (meta < 0) {
		pr_warn("xmptcp attach: cannot read how the xdp_steer pinned in %s was configured "
			"(%s); run 'xmptcp detach --all' to reset\n", dir, strerror(-meta));
		return meta;
	}
	if (meta == a->use_meta)
		return 0;
	if (meta) {
		pr_warn("xmptcp attach: the xdp_steer pinned in %s writes XDP metadata but "
			"--no-meta/%s=1 asks for none; run 'xmptcp detach --all' first, or "
			"attach without it\n", dir, XMP_ENV_NO_META);
		return -EBUSY;
	}
	pr_info("xmptcp attach: the xdp_steer pinned in %s runs without XDP metadata; reusing "
		"it (for metadata: 'xmptcp detach --all', then attach again)\n", dir);
	a->use_meta = false;
	return 0;
}

/* Reuses the programs an earlier attach pinned, or loads them. */
static int get_progs(struct attach_ctx *a)
{
	const char *dir = a->cfg->pin_dir;
	char path[PATH_MAX];
	int fd, err;

	if (pin_path(path, sizeof(path), "%s/progs/%s", dir, XMP_PROG_XDP))
		return -ENAMETOOLONG;
	if (!pin_exists(path))
		return load_progs(a);
	fd = pinned_prog(dir, XMP_PROG_XDP, BPF_PROG_TYPE_XDP);
	if (fd < 0)
		return fd;
	a->xdp_fd = fd;
	err = check_pinned_meta(a, fd);
	if (err)
		return err;
	fd = pinned_prog(dir, XMP_PROG_TC, BPF_PROG_TYPE_SCHED_CLS);
	if (fd < 0)
		return fd;
	a->tc_fd = fd;
	pr_debug("reusing programs pinned in %s/progs\n", dir);
	return 0;
}

/* xmp_config is global to the pin dir: a later attach with other flags
 * changes them for every interface, so say so. */
static int write_config(struct attach_ctx *a)
{
	struct xmp_config old = {}, cfg = {};
	char path[PATH_MAX];
	__u32 key = 0;
	int fd, err = 0;

	if (!a->cfg->no_observe)
		cfg.flags |= XMP_CFG_OBSERVE;
	if (!a->cfg->no_guard)
		cfg.flags |= XMP_CFG_GUARD;
	cfg.features = XMP_FEAT_PROBED;
	if (a->feat.xdp_meta)
		cfg.features |= XMP_FEAT_XDP_META;
	if (a->feat.xdp_frags)
		cfg.features |= XMP_FEAT_XDP_FRAGS;
	/* the pins' owner, for xmp_pins_check(); 0 (unknown) on a kernel without it */
	xmp_netns_cookie(&cfg.netns_cookie);
	if (pin_path(path, sizeof(path), "%s/%s", a->cfg->pin_dir, XMP_MAP_CONFIG))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		pr_warn("xmptcp attach: map %s missing (%s); run 'xmptcp detach --all' to reset\n",
			path, strerror(errno));
		return -errno;
	}
	/* what earlier attaches learnt about XDP links still holds */
	if (!bpf_map_lookup_elem(fd, &key, &old))
		cfg.features |= old.features & (XMP_FEAT_XDP_LINK | XMP_FEAT_XDP_NETLINK);
	if (old.flags && old.flags != cfg.flags)
		pr_info("xmptcp attach: config flags 0x%x -> 0x%x (shared by every interface "
			"of %s)\n", old.flags, cfg.flags, a->cfg->pin_dir);
	if (bpf_map_update_elem(fd, &key, &cfg, BPF_ANY)) {
		err = -errno;
		pr_warn("xmptcp attach: writing %s failed (%s)\n", path, strerror(errno));
	}
	close(fd);
	return err;
}

static int xdp_link(int prog_fd, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);

	return fd < 0 ? -errno : fd;
}

static int xdp_attach_err(const char *ifname, int ifindex, int err, bool native)
{
	__u32 id = 0;

	if (err == -EOPNOTSUPP && native) {
		pr_warn("xmptcp attach: native XDP unsupported on %s, try --mode generic\n",
			ifname);
	} else if (err == -EBUSY || err == -EEXIST) {
		bpf_xdp_query_id(ifindex, 0, &id);
		pr_warn("xmptcp attach: %s already has an XDP program (id %u); remove it first "
			"(ip link set dev %s xdp off)\n", ifname, id, ifname);
	} else if (err == -EINVAL && native) {
		pr_warn("xmptcp attach: native XDP refused by %s (%s: MTU too large or "
			"channels?); try --mode generic\n", ifname, strerror(-err));
	} else {
		pr_warn("xmptcp attach: attaching XDP to %s failed (%s); rerun with -v\n", ifname,
			strerror(-err));
	}
	return err;
}

/* XDP through netlink (bpf_xdp_attach), for kernels that refuse XDP
 * links; never replaces a program already there. There is no link to pin,
 * so the marker ifaces/NAME/xdp_netlink tells detach and status. */
static int xdp_netlink(struct attach_ctx *a, const char *ifname, int ifindex, __u32 mode)
{
	char path[PATH_MAX];
	int err;

	err = bpf_xdp_attach(ifindex, a->xdp_fd, mode | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err)
		return err;
	if (pin_path(path, sizeof(path), "%s/ifaces/%s/" XMP_NETLINK_MARKER, a->cfg->pin_dir,
		     ifname) || mkdir(path, 0700)) {
		err = -errno ? -errno : -ENAMETOOLONG;
		pr_warn("xmptcp attach: cannot record the netlink XDP attach of %s (%s)\n", ifname,
			strerror(-err));
		bpf_xdp_detach(ifindex, mode, NULL);
		return err;
	}
	a->n_netlink++;
	return 0;
}

/* XDP through a BPF link pinned under links/ (the pin holds it after we
 * exit). */
static int xdp_pinned_link(struct attach_ctx *a, const char *ifname, int ifindex, __u32 mode)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (pin_path(path, sizeof(path), "%s/links/xdp_%s", a->cfg->pin_dir, ifname))
		return -ENAMETOOLONG;
	fd = xdp_link(a->xdp_fd, ifindex, mode);
	if (fd < 0)
		return fd;
	a->n_link++;
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		pr_warn("xmptcp attach: pinning %s failed (%s)\n", path, strerror(errno));
	}
	close(fd); /* the pin holds the link; without one this detaches */
	return err;
}

/* One XDP mode: a link unless --xdp-attach netlink; in auto, a link
 * refused with EINVAL/EOPNOTSUPP is retried through netlink, which tells a
 * kernel without XDP links (netlink works) from a driver that refuses the
 * mode (netlink fails too: the link's error is the one to report). */
static int xdp_attach_mode(struct attach_ctx *a, const char *ifname, int ifindex, __u32 mode)
{
	int api = a->cfg->xdp_api, err, nl;

	if (api == XMP_XDP_API_NETLINK)
		return xdp_netlink(a, ifname, ifindex, mode);
	err = xdp_pinned_link(a, ifname, ifindex, mode);
	if (api == XMP_XDP_API_LINK || (err != -EINVAL && err != -EOPNOTSUPP))
		return err;
	nl = xdp_netlink(a, ifname, ifindex, mode);
	if (nl == -EINVAL || nl == -EOPNOTSUPP)
		return err;
	if (!nl)
		pr_info("xmptcp attach: XDP link refused on %s (%s), attached through netlink\n",
			ifname, strerror(-err));
	return nl;
}

/* Native unless --mode generic; an unsupported native mode falls back to
 * generic only when the user did not ask for native. */
static int xdp_attach(struct attach_ctx *a, const char *ifname, int ifindex)
{
	bool native = a->cfg->mode != XMP_MODE_GENERIC;
	bool fallback = a->cfg->mode == XMP_MODE_UNSET || a->cfg->mode == XMP_MODE_AUTO;
	int err;

	err = xdp_attach_mode(a, ifname, ifindex,
			      native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);
	if (err == -EOPNOTSUPP && native && fallback) {
		pr_info("xmptcp attach: native XDP unsupported on %s, using generic mode\n",
			ifname);
		native = false;
		err = xdp_attach_mode(a, ifname, ifindex, XDP_FLAGS_SKB_MODE);
	}
	if (err)
		return xdp_attach_err(ifname, ifindex, err, native);
	return 0;
}

/* Records in xmp_config.features how XDP links fared in this call, for
 * status (there is no cheap probe for links that attaches nothing). */
static void note_xdp_api(struct attach_ctx *a)
{
	struct xmp_config cfg = {};
	char path[PATH_MAX];
	__u32 key = 0;
	int fd;

	if ((!a->n_link && !a->n_netlink) || a->cfg->xdp_api == XMP_XDP_API_NETLINK ||
	    pin_path(path, sizeof(path), "%s/%s", a->cfg->pin_dir, XMP_MAP_CONFIG))
		return;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &key, &cfg)) {
		if (a->n_link)
			cfg.features |= XMP_FEAT_XDP_LINK;
		if (a->n_netlink)
			cfg.features |= XMP_FEAT_XDP_NETLINK;
		if (bpf_map_update_elem(fd, &key, &cfg, BPF_ANY))
			pr_debug("updating %s: %s\n", path, strerror(errno));
	}
	close(fd);
}

static int tc_attach(struct attach_ctx *a, const char *ifname, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = XMP_TC_HANDLE, .priority = XMP_TC_PRIO,
		    .prog_fd = a->tc_fd);
	char path[PATH_MAX];
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_warn("xmptcp attach: creating the clsact qdisc on %s failed (%s)\n", ifname,
			strerror(-err));
		return err;
	}
	/* Remember that the qdisc is ours, so detach removes only what we made. */
	if (!err && (pin_path(path, sizeof(path), "%s/ifaces/%s/clsact", a->cfg->pin_dir, ifname) ||
		     mkdir(path, 0700)))
		pr_warn("xmptcp attach: cannot record clsact ownership for %s; detach will leave "
			"the qdisc\n", ifname);
	err = bpf_tc_attach(&hook, &to);
	if (err == -EEXIST)
		pr_warn("xmptcp attach: %s already has a tc egress filter at handle 0x%x prio %u; "
			"run 'xmptcp detach %s'\n", ifname, XMP_TC_HANDLE, XMP_TC_PRIO, ifname);
	else if (err)
		pr_warn("xmptcp attach: attaching tc egress to %s failed (%s)\n", ifname,
			strerror(-err));
	return err;
}

static int attach_iface(struct attach_ctx *a, const char *ifname, int ifindex)
{
	char path[PATH_MAX];
	int err;

	if (pin_path(path, sizeof(path), "%s/ifaces/%s", a->cfg->pin_dir, ifname))
		return -ENAMETOOLONG;
	if (mkdir(path, 0700)) {
		pr_warn("xmptcp attach: cannot create %s (%s)\n", path, strerror(errno));
		return -errno;
	}
	err = xdp_attach(a, ifname, ifindex);
	if (!err)
		err = tc_attach(a, ifname, ifindex);
	return err;
}

/* Reported once every interface is in, so a rolled-back call says nothing
 * but its error. */
static void attach_report(struct attach_ctx *a)
{
	char path[PATH_MAX];
	bool netlink;
	__u32 mode;
	int i;

	for (i = 0; i < a->cfg->ifaces.n; i++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);

		mode = bpf_xdp_query(a->ifindex[i], 0, &q) ? 0 : q.attach_mode;
		netlink = !pin_path(path, sizeof(path), "%s/ifaces/%s/" XMP_NETLINK_MARKER,
				    a->cfg->pin_dir, a->cfg->ifaces.names[i]) && pin_exists(path);
		pr_info("xmptcp attach: %s (ifindex %d): xdp %s (%s, %s), tc egress; pins in %s\n",
			a->cfg->ifaces.names[i], a->ifindex[i],
			mode == XDP_ATTACHED_DRV ? "native" : "generic", netlink ? "netlink" : "link",
			a->use_meta ? "metadata" : "no metadata", a->cfg->pin_dir);
	}
}

/* Everything that can be refused without touching the system. */
static int attach_precheck(struct attach_ctx *a)
{
	struct ctl_cfg *cfg = a->cfg;
	char path[PATH_MAX];
	__u32 id;
	int i;

	if (cfg->ifaces.n > (int)(sizeof(a->ifindex) / sizeof(a->ifindex[0]))) {
		pr_warn("xmptcp attach: at most %zu interfaces per call\n",
			sizeof(a->ifindex) / sizeof(a->ifindex[0]));
		return -E2BIG;
	}
	for (i = 0; i < cfg->ifaces.n; i++) {
		const char *n = cfg->ifaces.names[i];

		a->ifindex[i] = if_nametoindex(n);
		if (!a->ifindex[i]) {
			pr_warn("xmptcp attach: unknown interface '%s'; see 'ip link'\n", n);
			return -ENODEV;
		}
		if (pin_path(path, sizeof(path), "%s/ifaces/%s", cfg->pin_dir, n))
			return -ENAMETOOLONG;
		if (pin_exists(path)) {
			pr_warn("xmptcp attach: %s is already attached (pin dir %s); run 'xmptcp "
				"detach %s' first\n", n, cfg->pin_dir, n);
			return -EEXIST;
		}
		id = 0;
		if (!bpf_xdp_query_id(a->ifindex[i], 0, &id) && id) {
			pr_warn("xmptcp attach: %s already has an XDP program (id %u) not "
				"attached by xmptcp here; remove it first (ip link set dev %s "
				"xdp off)\n", n, id, n);
			return -EBUSY;
		}
	}
	return 0;
}

static int check_kernel(void)
{
	int ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);

	if (ret == 1)
		return 0;
	if (ret == -ENOSYS || errno == ENOSYS)
		pr_warn("xmptcp attach: this kernel has no BPF syscall (CONFIG_BPF_SYSCALL); "
			"xmptcp needs it\n");
	else if (ret == -EPERM)
		pr_warn("xmptcp attach: loading BPF is not permitted here (need CAP_BPF and "
			"CAP_NET_ADMIN; kernel.unprivileged_bpf_disabled?)\n");
	else
		pr_warn("xmptcp attach: this kernel cannot load XDP programs (CONFIG_XDP?); "
			"xmptcp needs XDP\n");
	return ret < 0 ? ret : -EOPNOTSUPP;
}

/* XMPTCP_NO_META=1 is --no-meta for whoever attaches indirectly (test
 * suites, scripts); 0 or empty leaves the default. */
static int read_env(struct ctl_cfg *cfg)
{
	const char *v = getenv(XMP_ENV_NO_META);

	if (!v || !*v || !strcmp(v, "0"))
		return 0;
	if (!strcmp(v, "1")) {
		cfg->no_meta = true;
		return 0;
	}
	pr_warn("xmptcp attach: invalid %s='%s' (expected 1 to attach without XDP metadata, or "
		"0)\n", XMP_ENV_NO_META, v);
	return CTL_USAGE;
}

/* One tiny program load per feature; decides whether xdp_steer writes
 * metadata (unless pinned programs are reused: check_pinned_meta()). */
static int probe_kernel(struct attach_ctx *a)
{
	int err = xmp_probe_features(&a->feat);

	if (err) {
		pr_warn("xmptcp attach: probing XDP features failed (%s); need CAP_BPF and "
			"CAP_NET_ADMIN\n", strerror(-err));
		return err;
	}
	pr_debug("features: xdp_meta %d, xdp_frags %d\n", a->feat.xdp_meta, a->feat.xdp_frags);
	a->use_meta = !a->cfg->no_meta && a->feat.xdp_meta;
	if (!a->cfg->no_meta && !a->feat.xdp_meta)
		pr_info("xmptcp attach: this kernel refuses bpf_xdp_adjust_meta in XDP programs; "
			"attaching without XDP metadata (userspace parses each frame)\n");
	return 0;
}

static void attach_release(struct attach_ctx *a)
{
	/* The skeletons own their program fds; the pinned ones we opened are ours. */
	if (!a->xs && a->xdp_fd > 0)
		close(a->xdp_fd);
	if (!a->ts && a->tc_fd > 0)
		close(a->tc_fd);
	tc_egress_bpf__destroy(a->ts);
	xdp_steer_bpf__destroy(a->xs);
}

int cmd_attach(struct ctl_cfg *cfg)
{
	struct attach_ctx a = { .cfg = cfg, .xdp_fd = -1, .tc_fd = -1 };
	int i, done = 0, err;

	if (!cfg->ifaces.n) {
		pr_warn("xmptcp attach: missing IFACE; try 'xmptcp attach --help'\n");
		return -EINVAL;
	}
	err = read_env(cfg);
	if (err)
		return err;
	if (geteuid()) {
		pr_warn("xmptcp attach: needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN); try sudo\n");
		return -EPERM;
	}
	err = pin_clean_stale("attach", cfg->pin_dir, NULL);
	if (!err)
		err = attach_precheck(&a);
	if (err)
		return err;
	err = check_kernel();
	if (!err)
		err = probe_kernel(&a);
	if (!err)
		err = pin_check_bpffs("attach", cfg->pin_dir, true);
	if (!err)
		err = pin_mkdirs("attach", cfg->pin_dir);
	if (!err)
		err = get_progs(&a);
	if (!err)
		err = write_config(&a);
	for (i = 0; !err && i < cfg->ifaces.n; i++) {
		err = attach_iface(&a, cfg->ifaces.names[i], a.ifindex[i]);
		done = i + 1; /* the failed one may be half attached */
	}
	if (err) {
		/* all or nothing: undo what this call attached */
		for (i = 0; i < done; i++)
			ctl_detach_iface(cfg->pin_dir, cfg->ifaces.names[i]);
		if (!ctl_any_attached(cfg->pin_dir))
			pin_remove_all(cfg->pin_dir);
	} else {
		note_xdp_api(&a);
		attach_report(&a);
	}
	attach_release(&a);
	return err;
}

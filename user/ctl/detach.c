// SPDX-License-Identifier: GPL-2.0
/*
 * `xmptcp detach IFACE...|--all`: undoes attach per interface (XDP link,
 * or the netlink attach made where links are refused, TC filter, the
 * clsact qdisc when attach created it, the interface's pins) and, with
 * --all or when the last interface goes, every pinned map and program and
 * the pin dir itself, so nothing is left attached or pinned.
 * Works on half-attached or stale state too (an interface deleted under
 * us, an attach interrupted), since it is also attach's rollback. Pins
 * left by a deleted network namespace are only unpinned (pin_clean_stale).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/log.h"
#include "ctl/ctl.h"
#include "ctl/pin.h"

static void xdp_unlink(const char *dir, const char *ifname)
{
	char path[PATH_MAX];
	int fd;

	if (pin_path(path, sizeof(path), "%s/links/xdp_%s", dir, ifname) || !pin_exists(path))
		return;
	/* Detach explicitly: another process may still hold the link open. */
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (bpf_link_detach(fd))
			pr_debug("link detach %s: %s\n", path, strerror(errno));
		close(fd);
	}
	if (unlink(path))
		pr_warn("xmptcp detach: cannot remove %s (%s)\n", path, strerror(errno));
}

/* XDP attached through netlink (marker ifaces/NAME/xdp_netlink): removed
 * only while it is still our pinned program (XDP_FLAGS_REPLACE), never
 * one someone put there since. */
static void xdp_unnetlink(const char *dir, const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ifindex = if_nametoindex(ifname), fd = -1, err;
	char marker[PATH_MAX], path[PATH_MAX];
	__u32 mode;

	if (pin_path(marker, sizeof(marker), "%s/ifaces/%s/" XMP_NETLINK_MARKER, dir, ifname) ||
	    !pin_exists(marker))
		return;
	if (ifindex && !bpf_xdp_query(ifindex, 0, &q) && q.attach_mode &&
	    !pin_path(path, sizeof(path), "%s/progs/%s", dir, XMP_PROG_XDP))
		fd = bpf_obj_get(path);
	if (fd >= 0) {
		mode = q.attach_mode == XDP_ATTACHED_DRV ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
		o.old_prog_fd = fd;
		err = bpf_xdp_detach(ifindex, mode, &o);
		if (err)
			pr_warn("xmptcp detach: removing the XDP program of %s failed (%s); see "
				"'ip link show dev %s'\n", ifname, strerror(-err), ifname);
		close(fd);
	}
	rmdir(marker);
}

static void tc_unlink(const char *dir, const char *ifname)
{
	char marker[PATH_MAX];
	int ifindex = if_nametoindex(ifname);
	bool ours;
	int err;

	if (pin_path(marker, sizeof(marker), "%s/ifaces/%s/clsact", dir, ifname))
		return;
	ours = pin_exists(marker);
	if (ifindex) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, to, .handle = XMP_TC_HANDLE, .priority = XMP_TC_PRIO);

		err = bpf_tc_detach(&hook, &to);
		if (err && err != -ENOENT && err != -EINVAL)
			pr_warn("xmptcp detach: removing the tc filter of %s failed (%s)\n",
				ifname, strerror(-err));
		if (ours) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			err = bpf_tc_hook_destroy(&hook);
			if (err && err != -ENOENT && err != -EINVAL)
				pr_warn("xmptcp detach: removing the clsact qdisc of %s failed "
					"(%s)\n", ifname, strerror(-err));
		}
	}
	if (ours)
		rmdir(marker);
}

int ctl_detach_iface(const char *dir, const char *ifname)
{
	char path[PATH_MAX];

	xdp_unlink(dir, ifname);
	xdp_unnetlink(dir, ifname);
	tc_unlink(dir, ifname);
	if (!pin_path(path, sizeof(path), "%s/ifaces/%s", dir, ifname) && rmdir(path) &&
	    errno != ENOENT) {
		pr_warn("xmptcp detach: cannot remove %s (%s)\n", path, strerror(errno));
		return -errno;
	}
	pr_debug("detached %s\n", ifname);
	return 0;
}

/* Interface names recorded under dir (ifaces/NAME and links/xdp_NAME),
 * each once, collected before anything is removed so that readdir never
 * runs over a directory being emptied. Returns the count or -ENOMEM. */
static int list_ifaces(const char *dir, char (*names)[IFNAMSIZ], int max)
{
	static const struct { const char *sub, *prefix; } src[] = {
		{ "ifaces", "" }, { "links", "xdp_" },
	};
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	size_t plen;
	int j, n = 0;
	DIR *d;

	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		if (pin_path(path, sizeof(path), "%s/%s", dir, src[i].sub))
			continue;
		d = opendir(path);
		if (!d)
			continue;
		plen = strlen(src[i].prefix);
		while ((de = readdir(d)) && n < max) {
			const char *name = de->d_name + plen;

			if (de->d_name[0] == '.' || strncmp(de->d_name, src[i].prefix, plen) ||
			    strlen(name) >= IFNAMSIZ)
				continue;
			for (j = 0; j < n && strcmp(names[j], name); j++)
				;
			if (j == n)
				snprintf(names[n++], IFNAMSIZ, "%s", name);
		}
		closedir(d);
	}
	return n;
}

#define XMP_MAX_IFACES 256

bool ctl_any_attached(const char *dir)
{
	char names[1][IFNAMSIZ];

	return list_ifaces(dir, names, 1) > 0;
}

int ctl_list_ifaces(const char *dir, char (*names)[IFNAMSIZ], int max)
{
	return list_ifaces(dir, names, max);
}

static int detach_all(const char *dir)
{
	char (*names)[IFNAMSIZ] = calloc(XMP_MAX_IFACES, IFNAMSIZ);
	int i, n;

	if (!names) {
		pr_warn("xmptcp detach: out of memory\n");
		return -ENOMEM;
	}
	n = list_ifaces(dir, names, XMP_MAX_IFACES);
	for (i = 0; i < n; i++)
		ctl_detach_iface(dir, names[i]);
	free(names);
	pr_info("xmptcp detach: %d interface%s detached, pins removed from %s\n", n,
		n == 1 ? "" : "s", dir);
	return pin_remove_all(dir);
}

static int detach_check(struct ctl_cfg *cfg)
{
	char a[PATH_MAX], b[PATH_MAX];
	int i;

	for (i = 0; i < cfg->ifaces.n; i++) {
		const char *n = cfg->ifaces.names[i];

		if (pin_path(a, sizeof(a), "%s/ifaces/%s", cfg->pin_dir, n) ||
		    pin_path(b, sizeof(b), "%s/links/xdp_%s", cfg->pin_dir, n))
			return -ENAMETOOLONG;
		if (!pin_exists(a) && !pin_exists(b)) {
			pr_warn("xmptcp detach: %s is not attached (pin dir %s); see 'xmptcp "
				"status'\n", n, cfg->pin_dir);
			return -ENOENT;
		}
	}
	return 0;
}

int cmd_detach(struct ctl_cfg *cfg)
{
	bool stale;
	int i, err;

	if (cfg->all == (cfg->ifaces.n > 0)) {
		pr_warn("xmptcp detach: give IFACE... or --all%s; try 'xmptcp detach --help'\n",
			cfg->all ? ", not both" : "");
		return -EINVAL;
	}
	if (geteuid()) {
		pr_warn("xmptcp detach: needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN); try sudo\n");
		return -EPERM;
	}
	err = pin_check_bpffs("detach", cfg->pin_dir, false);
	if (err == -ENOENT || (!err && cfg->all && !pin_exists(cfg->pin_dir))) {
		if (cfg->all) {
			pr_info("xmptcp detach: nothing attached (pin dir %s)\n", cfg->pin_dir);
			return 0;
		}
		pr_warn("xmptcp detach: %s is not attached (no bpffs at %s); see 'xmptcp status'\n",
			cfg->ifaces.names[0], XMP_BPFFS);
		return -ENOENT;
	}
	if (err)
		return err;
	/* A dead namespace's pins: nothing to detach, and the interfaces of
	 * those names here are others', so they are only unpinned. */
	if (cfg->all) {
		err = pin_clean_stale("detach", cfg->pin_dir, &stale);
		if (err || stale)
			return err;
		return detach_all(cfg->pin_dir);
	}
	if (pin_stale("detach", cfg->pin_dir))
		return -ESTALE;
	err = detach_check(cfg);
	if (err)
		return err;
	for (i = 0; i < cfg->ifaces.n; i++) {
		err = ctl_detach_iface(cfg->pin_dir, cfg->ifaces.names[i]);
		if (err)
			return err;
		pr_info("xmptcp detach: %s detached\n", cfg->ifaces.names[i]);
	}
	if (!ctl_any_attached(cfg->pin_dir))
		return pin_remove_all(cfg->pin_dir);
	return 0;
}

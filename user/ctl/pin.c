// SPDX-License-Identifier: GPL-2.0
/*
 * Pin-dir and bpffs handling of the xmptcp CLI (see pin.h for the layout).
 * One directory per network namespace by default, named after the inode
 * of /proc/self/ns/net, so instances in two namespaces of a host never share
 * maps; `nsenter --net` keeps the host's /sys/fs/bpf, which is why the tests
 * use it rather than `ip netns exec` (that one remounts /sys privately).
 * The kernel reuses a deleted namespace's inode at once, so pins found
 * under our name may be a dead namespace's: pin_stale() tells (through
 * io/pinowner.c), pin_clean_stale() removes them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <xmptcp/maps.h>

#include "common/log.h"
#include "ctl/pin.h"
#include "io/pinowner.h"

int pin_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int pin_dir_resolve(const char *opt, char *buf, size_t len)
{
	struct stat st;
	size_t n;

	if (opt) {
		if (opt[0] != '/') {
			pr_warn("xmptcp: --pin-dir must be an absolute path below %s, not '%s'\n",
				XMP_BPFFS, opt);
			return -EINVAL;
		}
		if (pin_path(buf, len, "%s", opt)) {
			pr_warn("xmptcp: --pin-dir is too long\n");
			return -ENAMETOOLONG;
		}
		/* trailing slashes would break the name-based checks */
		for (n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
			buf[n - 1] = '\0';
		return 0;
	}
	if (stat("/proc/self/ns/net", &st)) {
		pr_warn("xmptcp: cannot read /proc/self/ns/net (%s); is /proc mounted? or use "
			"--pin-dir\n", strerror(errno));
		return -errno;
	}
	return pin_path(buf, len, "%s/ns%lu", XMP_PIN_ROOT, (unsigned long)st.st_ino);
}

static bool is_bpffs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

static bool below_bpffs_root(const char *dir)
{
	size_t n = strlen(XMP_BPFFS);

	return !strncmp(dir, XMP_BPFFS, n) && (dir[n] == '/' || dir[n] == '\0');
}

/* The deepest existing ancestor of dir (dir itself if it exists). */
static void existing_ancestor(const char *dir, char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", dir);
	while (access(buf, F_OK)) {
		slash = strrchr(buf, '/');
		if (!slash || slash == buf) {
			snprintf(buf, len, "/");
			return;
		}
		*slash = '\0';
	}
}

static int mount_bpffs(const char *cmd)
{
	if (mount("bpf", XMP_BPFFS, "bpf", 0, "mode=0700")) {
		pr_warn("xmptcp %s: bpffs is not mounted at %s and mounting it failed (%s); "
			"try 'mount -t bpf bpf %s'\n", cmd, XMP_BPFFS, strerror(errno), XMP_BPFFS);
		return -errno;
	}
	pr_info("xmptcp %s: mounted bpffs at %s (it was not mounted)\n", cmd, XMP_BPFFS);
	return 0;
}

int pin_check_bpffs(const char *cmd, const char *dir, bool may_mount)
{
	char anc[4096];
	int err;

	if (below_bpffs_root(dir) && !is_bpffs(XMP_BPFFS)) {
		if (!may_mount)
			return -ENOENT;
		err = mount_bpffs(cmd);
		if (err)
			return err;
	}
	existing_ancestor(dir, anc, sizeof(anc));
	if (!is_bpffs(anc)) {
		pr_warn("xmptcp %s: pin dir %s is not on a bpffs mount; use a directory below %s\n",
			cmd, dir, XMP_BPFFS);
		return -ENOTDIR;
	}
	return 0;
}

static int mkdir_p(const char *path)
{
	char buf[4096];
	char *p;

	if (pin_path(buf, sizeof(buf), "%s", path))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int pin_mkdirs(const char *cmd, const char *dir)
{
	static const char *const subs[] = { "", "/progs", "/links", "/ifaces" };
	char path[4096];
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		err = pin_path(path, sizeof(path), "%s%s", dir, subs[i]);
		if (!err)
			err = mkdir_p(path);
		if (err) {
			pr_warn("xmptcp %s: cannot create %s: %s\n", cmd, path, strerror(-err));
			return err;
		}
	}
	return 0;
}

bool pin_exists(const char *path)
{
	return !access(path, F_OK);
}

/* Unlinks the entries of dir/sub whose name starts with prefix (all if
 * prefix is ""), recursing one level for ifaces/NAME/clsact, then removes
 * dir/sub. Errors other than "not there" are reported by the caller's
 * final rmdir of dir. */
static void remove_entries(const char *dir, const char *sub, const char *prefix, int depth)
{
	char path[4096], child[4096];
	struct dirent *de;
	DIR *d;

	if (pin_path(path, sizeof(path), "%s%s%s", dir, *sub ? "/" : "", sub))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		if (pin_path(child, sizeof(child), "%s/%s", path, de->d_name))
			continue;
		if (de->d_type == DT_DIR) {
			if (depth > 0)
				remove_entries(child, "", "", depth - 1);
		} else {
			unlink(child);
		}
	}
	closedir(d);
	if (*sub || depth >= 0)
		rmdir(path);
}

int pin_remove_all(const char *dir)
{
	char parent[4096];
	int err = 0;

	remove_entries(dir, "links", "xdp_", 0);
	remove_entries(dir, "progs", "", 0);
	remove_entries(dir, "ifaces", "", 2);
	/* maps: only ours, by the xmp_ prefix all their names share */
	remove_entries(dir, "", "xmp_", -1);
	if (rmdir(dir) && errno != ENOENT) {
		err = -errno;
		pr_warn("xmptcp: pin dir %s not removed (%s): it holds files xmptcp did not "
			"create\n", dir, strerror(errno));
	}
	/* the shared parent of the per-netns dirs goes with the last of them */
	if (!pin_path(parent, sizeof(parent), "%s/", XMP_PIN_ROOT) &&
	    !strncmp(dir, parent, strlen(parent)))
		rmdir(XMP_PIN_ROOT);
	return err;
}

static void stale_owner(char *buf, size_t len, __u64 owner)
{
	if (owner)
		snprintf(buf, len, "cookie %llu", (unsigned long long)owner);
	else
		snprintf(buf, len, "no cookie recorded, its XDP links lost their devices");
}

bool pin_stale(const char *cmd, const char *dir)
{
	char who[80];
	__u64 owner;

	if (xmp_pins_check(dir, &owner) != -ESTALE)
		return false;
	stale_owner(who, sizeof(who), owner);
	pr_warn("xmptcp %s: the pins in %s are left from a deleted network namespace (%s); "
		"nothing of them is attached here: 'xmptcp attach IFACE' or 'xmptcp detach "
		"--all' removes them\n", cmd, dir, who);
	return true;
}

int pin_clean_stale(const char *cmd, const char *dir, bool *removed)
{
	char who[80];
	__u64 owner;
	int err;

	if (removed)
		*removed = false;
	if (xmp_pins_check(dir, &owner) != -ESTALE)
		return 0;
	/* Unpin only: the interfaces went with their namespace (the links
	 * have no device left), and one of the same name here is not ours,
	 * so no netlink call may touch it. */
	err = pin_remove_all(dir);
	if (err)
		return err;
	if (removed)
		*removed = true;
	stale_owner(who, sizeof(who), owner);
	pr_warn("xmptcp %s: removed stale pins of a deleted network namespace (%s) from %s\n",
		cmd, who, dir);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * `xmptcp status [-j]`: what is attached in this pin dir, read back from
 * the kernel rather than remembered: program ids from the pinned programs,
 * per interface the XDP link (or netlink attach), its mode as the kernel
 * reports it (bpf_xdp_query), whether its program writes XDP metadata
 * (from the program's own .rodata) and the TC filter (bpf_tc_query at our
 * handle/priority), the xmp_stats counters summed over CPUs and the entry
 * count of each map. The kernel features are those attach probed
 * (xmp_config.features).
 * Not attached is a normal answer (exit 0), not an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xmptcp/maps.h>

#include "common/log.h"
#include "ctl/bpfmap.h"
#include "ctl/ctl.h"
#include "ctl/json.h"
#include "ctl/names.h"
#include "ctl/pin.h"

#define MAX_IFACES 256

#define XMP_ST_NMAPS 9 /* the pinned maps an attach creates */

struct st_prog {
	const char *name;
	__u32 id;		/* 0: not pinned */
	int meta;		/* xdp_steer writes xmp_meta: 1/0, -errno unknown */
};

struct st_iface {
	char name[IFNAMSIZ];
	int ifindex;		/* 0: interface gone */
	__u32 link_id;
	__u32 xdp_prog_id;
	__u8 xdp_mode;		/* XDP_ATTACHED_* */
	bool netlink;		/* attached through netlink, not a link */
	int meta;		/* its program writes xmp_meta: 1/0, -errno unknown */
	__u32 tc_prog_id;	/* 0: no filter of ours */
	bool clsact_ours;
};

struct st_map {
	const char *name;
	bool present;
	__u32 id, type, max_entries;
	long entries;		/* -1: not countable from userspace */
};

struct status {
	const char *dir;
	__u32 cfg_flags;
	__u32 features;		/* XMP_FEAT_* */
	bool cfg_ok;
	struct st_prog progs[2];
	struct st_iface *ifs;
	int n_ifs;
	__u64 counters[XMP_C_NR + 64];
	unsigned int n_counters;
	struct st_map maps[XMP_ST_NMAPS];
};

static const char *const map_names[XMP_ST_NMAPS] = {
	XMP_MAP_LISTENERS, XMP_MAP_SUBFLOWS, XMP_MAP_TOKENS, XMP_MAP_XSKS,
	XMP_MAP_IFSLOTS,   XMP_MAP_STATS,    XMP_MAP_OBSERVE, XMP_MAP_CONFIG,
	XMP_MAP_CONNS,
};

static const char *xdp_mode_name(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "multi";
	default:
		return "none";
	}
}

static const char *map_type_name(__u32 type)
{
	const char *n = libbpf_bpf_map_type_str(type);

	return n ? n : "unknown";
}

static void read_prog(struct status *s, int i, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char rel[64];
	int fd;

	s->progs[i].name = name;
	snprintf(rel, sizeof(rel), "progs/%s", name);
	s->progs[i].meta = -ENOENT;
	fd = ctl_obj_open(s->dir, rel);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		s->progs[i].id = info.id;
	if (info.type == BPF_PROG_TYPE_XDP)
		s->progs[i].meta = ctl_xdp_prog_meta(fd);
	close(fd);
}

static int prog_meta_by_id(__u32 id)
{
	int fd, meta;

	if (!id)
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	meta = ctl_xdp_prog_meta(fd);
	close(fd);
	return meta;
}

static void read_iface(struct status *s, struct st_iface *f)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	char rel[64], path[PATH_MAX];
	int fd;

	f->ifindex = if_nametoindex(f->name);
	snprintf(rel, sizeof(rel), "links/xdp_%s", f->name);
	fd = ctl_obj_open(s->dir, rel);
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &li, &len)) {
			f->link_id = li.id;
			f->xdp_prog_id = li.prog_id;
		}
		close(fd);
	}
	f->clsact_ours = !pin_path(path, sizeof(path), "%s/ifaces/%s/clsact", s->dir, f->name) &&
			 pin_exists(path);
	f->netlink = !pin_path(path, sizeof(path), "%s/ifaces/%s/" XMP_NETLINK_MARKER, s->dir,
			       f->name) && pin_exists(path);
	f->meta = -ENOENT;
	if (!f->ifindex)
		return;
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	if (!bpf_xdp_query(f->ifindex, 0, &q)) {
		f->xdp_mode = q.attach_mode;
		if (f->netlink)
			f->xdp_prog_id = q.prog_id;
	}
	f->meta = prog_meta_by_id(f->xdp_prog_id);
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = f->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = XMP_TC_HANDLE, .priority = XMP_TC_PRIO);
	if (!bpf_tc_query(&hook, &to))
		f->tc_prog_id = to.prog_id;
}

static void read_maps(struct status *s)
{
	struct bpf_map_info info;
	unsigned int i;
	__u32 key = 0;
	int fd;

	for (i = 0; i < XMP_ST_NMAPS; i++) {
		struct st_map *m = &s->maps[i];

		m->name = map_names[i];
		fd = ctl_obj_open(s->dir, m->name);
		if (fd < 0)
			continue;
		if (!ctl_map_info(fd, &info)) {
			m->present = true;
			m->id = info.id;
			m->type = info.type;
			m->max_entries = info.max_entries;
			if (info.type == BPF_MAP_TYPE_HASH || info.type == BPF_MAP_TYPE_LRU_HASH)
				m->entries = ctl_map_count(fd, info.key_size, info.max_entries);
			else if (info.type == BPF_MAP_TYPE_XSKMAP)
				m->entries = -1; /* sockets are not readable back */
			else
				m->entries = info.max_entries;
		}
		if (!strcmp(m->name, XMP_MAP_STATS) && m->present) {
			s->n_counters = info.max_entries;
			if (s->n_counters > sizeof(s->counters) / sizeof(s->counters[0]))
				s->n_counters = sizeof(s->counters) / sizeof(s->counters[0]);
			if (ctl_stats_read(fd, s->counters, s->n_counters))
				s->n_counters = 0;
		}
		if (!strcmp(m->name, XMP_MAP_CONFIG) && m->present) {
			struct xmp_config c = {};

			s->cfg_ok = !bpf_map_lookup_elem(fd, &key, &c);
			s->cfg_flags = c.flags;
			s->features = c.features;
		}
		close(fd);
	}
}

static int read_status(struct status *s)
{
	char (*names)[IFNAMSIZ];
	int i;

	read_prog(s, 0, XMP_PROG_XDP);
	read_prog(s, 1, XMP_PROG_TC);
	names = calloc(MAX_IFACES, IFNAMSIZ);
	s->ifs = calloc(MAX_IFACES, sizeof(*s->ifs));
	if (!names || !s->ifs) {
		free(names);
		pr_warn("xmptcp status: out of memory\n");
		return -ENOMEM;
	}
	s->n_ifs = ctl_list_ifaces(s->dir, names, MAX_IFACES);
	for (i = 0; i < s->n_ifs; i++) {
		snprintf(s->ifs[i].name, IFNAMSIZ, "%s", names[i]);
		read_iface(s, &s->ifs[i]);
	}
	free(names);
	read_maps(s);
	return 0;
}

static const char *xdp_api_name(const struct st_iface *f)
{
	if (f->netlink)
		return "netlink";
	return f->link_id ? "link" : "none";
}

/* A probed feature: true/false, null when no attach recorded it. */
static void jw_feature(struct json_w *w, const char *key, __u32 feat, __u32 bit, bool known)
{
	if (known)
		jw_bool(w, key, feat & bit);
	else
		jw_null(w, key);
}

static void jw_meta(struct json_w *w, int meta)
{
	if (meta >= 0)
		jw_bool(w, "meta", meta);
	else
		jw_null(w, "meta");
}

static void json_features(struct json_w *w, __u32 f)
{
	bool probed = f & XMP_FEAT_PROBED;

	jw_obj_begin(w, "features");
	jw_bool(w, "probed", probed);
	jw_feature(w, "xdp_meta", f, XMP_FEAT_XDP_META, probed);
	/* links: known once an attach tried one */
	if (f & XMP_FEAT_XDP_LINK)
		jw_bool(w, "xdp_link", true);
	else
		jw_feature(w, "xdp_link", 0, 0, f & XMP_FEAT_XDP_NETLINK);
	jw_feature(w, "xdp_frags", f, XMP_FEAT_XDP_FRAGS, probed);
	jw_obj_end(w);
}

static void print_json(const struct status *s)
{
	struct json_w w;
	char name[64];
	unsigned int i;
	int k;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_bool(&w, "attached", true);
	jw_str(&w, "pin_dir", s->dir);
	jw_obj_begin(&w, "config");
	jw_u64(&w, "flags", s->cfg_flags);
	jw_bool(&w, "observe", s->cfg_flags & XMP_CFG_OBSERVE);
	jw_bool(&w, "guard", s->cfg_flags & XMP_CFG_GUARD);
	jw_obj_end(&w);
	json_features(&w, s->features);
	jw_arr_begin(&w, "programs");
	for (k = 0; k < 2; k++) {
		jw_obj_begin(&w, NULL);
		jw_str(&w, "name", s->progs[k].name);
		jw_u64(&w, "id", s->progs[k].id);
		if (k == 0)
			jw_meta(&w, s->progs[k].meta);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr_begin(&w, "interfaces");
	for (k = 0; k < s->n_ifs; k++) {
		const struct st_iface *f = &s->ifs[k];

		jw_obj_begin(&w, NULL);
		jw_str(&w, "name", f->name);
		jw_u64(&w, "ifindex", f->ifindex);
		jw_bool(&w, "present", f->ifindex != 0);
		jw_str(&w, "xdp_mode", xdp_mode_name(f->xdp_mode));
		jw_u64(&w, "xdp_prog_id", f->xdp_prog_id);
		jw_u64(&w, "xdp_link_id", f->link_id);
		jw_str(&w, "xdp_attach", xdp_api_name(f));
		jw_meta(&w, f->meta);
		jw_bool(&w, "tc_attached", f->tc_prog_id != 0);
		jw_u64(&w, "tc_prog_id", f->tc_prog_id);
		jw_bool(&w, "clsact_created", f->clsact_ours);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_begin(&w, "counters");
	for (i = 0; i < s->n_counters; i++)
		jw_u64(&w, xmp_counter_name(i, name, sizeof(name)), s->counters[i]);
	jw_obj_end(&w);
	jw_obj_begin(&w, "maps");
	for (i = 0; i < XMP_ST_NMAPS; i++) {
		const struct st_map *m = &s->maps[i];

		jw_obj_begin(&w, m->name);
		jw_bool(&w, "pinned", m->present);
		jw_u64(&w, "id", m->id);
		jw_str(&w, "type", m->present ? map_type_name(m->type) : "");
		jw_u64(&w, "max_entries", m->max_entries);
		if (m->entries >= 0)
			jw_s64(&w, "entries", m->entries);
		else
			jw_null(&w, "entries");
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

static const char *yes_no(int v)
{
	return v < 0 ? "?" : v ? "yes" : "no";
}

static void text_features(__u32 f)
{
	bool probed = f & XMP_FEAT_PROBED;
	int link = f & XMP_FEAT_XDP_LINK ? 1 : f & XMP_FEAT_XDP_NETLINK ? 0 : -1;

	printf("features    xdp_meta %s, xdp_link %s, xdp_frags %s\n",
	       yes_no(probed ? !!(f & XMP_FEAT_XDP_META) : -1), yes_no(link),
	       yes_no(probed ? !!(f & XMP_FEAT_XDP_FRAGS) : -1));
}

static void print_text(const struct status *s)
{
	char name[64];
	unsigned int i, zero = 0;
	int k;

	printf("pin dir     %s\n", s->dir);
	printf("config      flags 0x%x (observe %s, guard %s)\n", s->cfg_flags,
	       s->cfg_flags & XMP_CFG_OBSERVE ? "on" : "off",
	       s->cfg_flags & XMP_CFG_GUARD ? "on" : "off");
	text_features(s->features);
	for (k = 0; k < 2; k++)
		printf("program     %-10s id %u%s%s\n", s->progs[k].name, s->progs[k].id,
		       k == 0 ? ", metadata " : "", k == 0 ? yes_no(s->progs[k].meta) : "");
	printf("\n%-16s %-7s %-8s %-8s %-8s %-8s %-5s %s\n", "interface", "ifindex", "xdp", "prog",
	       "link", "attach", "meta", "tc egress");
	for (k = 0; k < s->n_ifs; k++) {
		const struct st_iface *f = &s->ifs[k];
		char tc[32];

		snprintf(tc, sizeof(tc), f->tc_prog_id ? "prog %u" : "no", f->tc_prog_id);
		printf("%-16s %-7d %-8s %-8u %-8u %-8s %-5s %s%s%s\n", f->name, f->ifindex,
		       xdp_mode_name(f->xdp_mode), f->xdp_prog_id, f->link_id, xdp_api_name(f),
		       yes_no(f->meta), tc, f->clsact_ours ? " (clsact ours)" : "",
		       f->ifindex ? "" : " [gone]");
	}
	printf("\ncounters (summed over CPUs; zeros omitted)\n");
	for (i = 0; i < s->n_counters; i++) {
		if (!s->counters[i]) {
			zero++;
			continue;
		}
		printf("  %-28s %llu\n", xmp_counter_name(i, name, sizeof(name)),
		       (unsigned long long)s->counters[i]);
	}
	if (zero)
		printf("  (%u counters at 0)\n", zero);
	printf("\nmaps\n");
	for (i = 0; i < XMP_ST_NMAPS; i++) {
		const struct st_map *m = &s->maps[i];

		if (!m->present) {
			printf("  %-14s not pinned\n", m->name);
			continue;
		}
		if (m->entries >= 0)
			printf("  %-14s %-16s id %-6u %ld/%u entries\n", m->name,
			       map_type_name(m->type), m->id, m->entries, m->max_entries);
		else
			printf("  %-14s %-16s id %-6u -/%u entries\n", m->name,
			       map_type_name(m->type), m->id, m->max_entries);
	}
}

static void print_not_attached(const struct ctl_cfg *cfg)
{
	struct json_w w;

	if (!cfg->json) {
		printf("not attached (pin dir %s); see 'xmptcp attach --help'\n", cfg->pin_dir);
		return;
	}
	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_bool(&w, "attached", false);
	jw_str(&w, "pin_dir", cfg->pin_dir);
	jw_arr_begin(&w, "interfaces");
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

int cmd_status(struct ctl_cfg *cfg)
{
	struct status s = { .dir = cfg->pin_dir };
	int err;

	if (geteuid()) {
		pr_warn("xmptcp status: needs root to read the pinned maps; try sudo\n");
		return -EPERM;
	}
	err = pin_check_bpffs("status", cfg->pin_dir, false);
	if (err == -ENOENT || (!err && !ctl_any_attached(cfg->pin_dir)) ||
	    (!err && pin_stale("status", cfg->pin_dir))) {
		print_not_attached(cfg);
		return 0;
	}
	if (err)
		return err;
	err = read_status(&s);
	if (!err) {
		if (cfg->json)
			print_json(&s);
		else
			print_text(&s);
	}
	free(s.ifs);
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * `xmptcp flows [-j]`: the MPTCP connections observe mode saw, built from
 * the subflow entries of xmp_observe (include/xmptcp/maps.h).
 *  - An MP_CAPABLE entry starts a connection. Its keys give both tokens and
 *    IDSNs (RFC 8684 3.1: token = top 32 bits of SHA-256(key), IDSN = low
 *    64 bits), computed by user/mptcp/crypto.c.
 *  - An MP_JOIN SYN carries the token of its receiver (3.2): the join
 *    belongs to the connection one of whose tokens it names. If it names the
 *    client's token the server opened it, and its directions are swapped
 *    relative to the connection ("client" = the MP_CAPABLE SYN's sender).
 *  - Data-level bytes per direction: highest mapping end minus the stream
 *    start over all subflows. The start is IDSN + 1 when the key is known
 *    (the first data may ride in the MP_CAPABLE ACK with no explicit DSN,
 *    3.1), else the lowest mapping seen. A DATA_FIN takes one octet of the
 *    span (3.3.3), so a closed direction reads one more than its payload.
 * Call chain: cmd_flows() -> read_observe() -> group() -> print_json/_text().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xmptcp/maps.h>

#include "common/log.h"
#include "ctl/bpfmap.h"
#include "ctl/ctl.h"
#include "ctl/json.h"
#include "ctl/names.h"
#include "ctl/pin.h"
#include "io/addr.h"
#include "mptcp/crypto.h"

/* the observe flag names must follow the bit order of XMP_OBS_F_* */
_Static_assert(XMP_OBS_F_SYNACK_MP == 1 << 0 && XMP_OBS_F_FALLBACK == 1 << 1 &&
		       XMP_OBS_F_DATA_FIN == 1 << 2 && XMP_OBS_F_FASTCLOSE == 1 << 3 &&
		       XMP_OBS_F_TCPRST == 1 << 4 && XMP_OBS_F_CSUM == 1 << 5 &&
		       XMP_OBS_F_BACKUP == 1 << 6,
	       "names.c obs_flag_names order");

/* A missing first mapping (data in the MP_CAPABLE ACK) is at most one
 * segment; a larger gap between IDSN + 1 and the lowest DSN seen means the
 * start was not observed, and the lowest DSN is used instead. */
#define XMP_START_GAP_MAX (1u << 20)

struct sf {
	struct xmp_tuple k;
	struct xmp_obs_val v;
	int conn;		/* index into conns, -1: unmatched */
	int rev;		/* 1: opened by the server, directions swapped */
};

struct conn {
	int mpc;		/* index into sfs of the MP_CAPABLE entry */
	bool key_ok[2];
	__u32 token[2];		/* [0] client's, [1] server's */
	__u64 idsn[2];
	__u64 data[2];		/* data-level bytes c2s, s2c */
	__u8 flags;
	__u64 last_ns;
	int nsf;
};

struct flows {
	struct sf *sfs;
	int n;
	struct conn *conns;
	int nconns;
	__u64 now_ns;
};

static int cmp_first(const void *a, const void *b)
{
	const struct sf *x = a, *y = b;

	if (x->v.first_ns != y->v.first_ns)
		return x->v.first_ns < y->v.first_ns ? -1 : 1;
	return memcmp(&x->k, &y->k, sizeof(x->k));
}

static int read_observe(int fd, struct flows *f)
{
	struct bpf_map_info info;
	struct xmp_tuple key, next;
	void *prev = NULL;
	long guard;
	int err;

	err = ctl_map_info(fd, &info);
	if (err)
		return err;
	if (info.key_size != sizeof(key) || info.value_size != sizeof(struct xmp_obs_val)) {
		pr_warn("xmptcp flows: xmp_observe has key/value sizes %u/%u, this build expects "
			"%zu/%zu; run 'xmptcp detach --all' and attach again\n", info.key_size,
			info.value_size, sizeof(key), sizeof(struct xmp_obs_val));
		return -EPROTO; /* reported */
	}
	f->sfs = calloc(info.max_entries + 1, sizeof(*f->sfs));
	if (!f->sfs)
		return -ENOMEM;
	guard = 2L * info.max_entries + 2;
	while (guard-- > 0 && f->n < (int)info.max_entries &&
	       !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		/* an LRU entry may be evicted between the two calls */
		if (bpf_map_lookup_elem(fd, &key, &f->sfs[f->n].v))
			continue;
		f->sfs[f->n].k = key;
		f->sfs[f->n].conn = -1;
		f->n++;
	}
	qsort(f->sfs, f->n, sizeof(*f->sfs), cmp_first);
	return 0;
}

/* The connection whose client (want 0) or server (want 1) token is tok. */
static int find_conn(const struct flows *f, __u32 tok, int want)
{
	int c;

	/* newest first: a token can only be reused after its connection ended */
	for (c = f->nconns - 1; c >= 0; c--)
		if (f->conns[c].key_ok[want] && f->conns[c].token[want] == tok)
			return c;
	return -1;
}

static void conn_keys(struct conn *c, const struct xmp_obs_val *v)
{
	int i;

	for (i = 0; i < 2; i++) {
		c->key_ok[i] = v->key[i] != 0;
		if (c->key_ok[i])
			xmp_crypto_key_sha(v->key[i], &c->token[i], &c->idsn[i]);
	}
}

/* Data-level bytes sent in connection direction d (0: c2s). */
static __u64 conn_data(const struct flows *f, int ci, int d)
{
	const struct conn *c = &f->conns[ci];
	__u64 lo = ~0ULL, end = 0, start;
	int i;

	for (i = 0; i < f->n; i++) {
		const struct sf *s = &f->sfs[i];
		int j = d ^ s->rev;

		if (s->conn != ci || s->v.dsn_min[j] == ~0ULL)
			continue;
		if (s->v.dsn_min[j] < lo)
			lo = s->v.dsn_min[j];
		if (s->v.dsn_end[j] > end)
			end = s->v.dsn_end[j];
	}
	if (lo == ~0ULL || end < lo)
		return 0;
	start = lo;
	if (c->key_ok[d]) {
		/* compared in the low 32 bits: also right for 32-bit DSNs */
		__u32 gap = (__u32)lo - (__u32)(c->idsn[d] + 1);

		if (gap <= XMP_START_GAP_MAX && gap <= lo)
			start = lo - gap;
	}
	return end - start;
}

static int group(struct flows *f)
{
	int i, c, d;

	f->conns = calloc(f->n + 1, sizeof(*f->conns));
	if (!f->conns)
		return -ENOMEM;
	for (i = 0; i < f->n; i++) {
		struct sf *s = &f->sfs[i];

		if (s->v.kind != XMP_OBS_MPC)
			continue;
		c = f->nconns++;
		f->conns[c].mpc = i;
		conn_keys(&f->conns[c], &s->v);
		s->conn = c;
	}
	for (i = 0; i < f->n; i++) {
		struct sf *s = &f->sfs[i];

		if (s->v.kind != XMP_OBS_JOIN)
			continue;
		/* 3.2: the SYN carries the token of the host it is sent to */
		c = find_conn(f, s->v.join_token, 1);
		s->rev = 0;
		if (c < 0) {
			c = find_conn(f, s->v.join_token, 0);
			s->rev = 1;
		}
		s->conn = c;
	}
	for (i = 0; i < f->n; i++) {
		struct sf *s = &f->sfs[i];

		if (s->conn < 0)
			continue;
		f->conns[s->conn].nsf++;
		f->conns[s->conn].flags |= s->v.flags;
		if (s->v.last_ns > f->conns[s->conn].last_ns)
			f->conns[s->conn].last_ns = s->v.last_ns;
	}
	for (c = 0; c < f->nconns; c++)
		for (d = 0; d < 2; d++)
			f->conns[c].data[d] = conn_data(f, c, d);
	return 0;
}

static void json_flags(struct json_w *w, const char *key, __u8 flags)
{
	const char *n;
	unsigned int b;

	jw_arr_begin(w, key);
	for (b = 0; b < 8; b++)
		if ((flags & (1u << b)) && (n = xmp_obs_flag_name(b)))
			jw_str(w, NULL, n);
	jw_arr_end(w);
}

static void json_sf(struct json_w *w, const struct sf *s)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	const char *n;
	int r = s->rev;
	unsigned int b;

	xmp_addr_str(&s->k.saddr, sa, sizeof(sa));
	xmp_addr_str(&s->k.daddr, da, sizeof(da));
	jw_obj_begin(w, NULL);
	jw_str(w, "kind", xmp_obs_kind_name(s->v.kind));
	jw_str(w, "saddr", sa);
	jw_u64(w, "sport", ntohs(s->k.sport));
	jw_str(w, "daddr", da);
	jw_u64(w, "dport", ntohs(s->k.dport));
	jw_str(w, "initiator", r ? "server" : "client");
	jw_u64(w, "addr_id", s->v.addr_id);
	jw_bool(w, "backup", s->v.flags & XMP_OBS_F_BACKUP);
	if (s->v.kind == XMP_OBS_JOIN)
		jw_u64(w, "join_token", s->v.join_token);
	/* per direction of the connection: index r is client -> server */
	jw_u64(w, "packets_c2s", s->v.packets[r]);
	jw_u64(w, "packets_s2c", s->v.packets[r ^ 1]);
	jw_u64(w, "bytes_c2s", s->v.bytes[r]);
	jw_u64(w, "bytes_s2c", s->v.bytes[r ^ 1]);
	jw_u64(w, "data_ack_c2s", s->v.data_ack[r]);
	jw_u64(w, "data_ack_s2c", s->v.data_ack[r ^ 1]);
	json_flags(w, "flags", s->v.flags);
	jw_arr_begin(w, "options");
	for (b = 0; b < 16; b++)
		if ((s->v.opt_seen & (1u << b)) && (n = xmp_subtype_name(b)))
			jw_str(w, NULL, n);
	jw_arr_end(w);
	jw_u64(w, "first_ns", s->v.first_ns);
	jw_u64(w, "last_ns", s->v.last_ns);
	jw_obj_end(w);
}

static void json_opt_u64(struct json_w *w, const char *key, bool ok, __u64 v)
{
	if (ok)
		jw_u64(w, key, v);
	else
		jw_null(w, key);
}

static int print_json(const struct flows *f, const char *dir)
{
	struct json_w w;
	int c, i;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "pin_dir", dir);
	jw_u64(&w, "now_ns", f->now_ns);
	jw_arr_begin(&w, "connections");
	for (c = 0; c < f->nconns; c++) {
		const struct conn *k = &f->conns[c];
		const struct xmp_obs_val *v = &f->sfs[k->mpc].v;

		jw_obj_begin(&w, NULL);
		json_opt_u64(&w, "client_token", k->key_ok[0], k->token[0]);
		json_opt_u64(&w, "server_token", k->key_ok[1], k->token[1]);
		json_opt_u64(&w, "client_key", k->key_ok[0], v->key[0]);
		json_opt_u64(&w, "server_key", k->key_ok[1], v->key[1]);
		jw_u64(&w, "data_bytes_c2s", k->data[0]);
		jw_u64(&w, "data_bytes_s2c", k->data[1]);
		json_flags(&w, "flags", k->flags);
		jw_u64(&w, "first_ns", v->first_ns);
		jw_u64(&w, "last_ns", k->last_ns);
		jw_arr_begin(&w, "subflows");
		for (i = 0; i < f->n; i++)
			if (f->sfs[i].conn == c)
				json_sf(&w, &f->sfs[i]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr_begin(&w, "unmatched");
	for (i = 0; i < f->n; i++)
		if (f->sfs[i].conn < 0)
			json_sf(&w, &f->sfs[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return jw_finish(&w);
}

static void text_flags(char *buf, size_t len, __u8 flags)
{
	size_t used = 0;
	const char *n;
	unsigned int b;

	buf[0] = '\0';
	for (b = 0; b < 8 && used < len; b++)
		if ((flags & (1u << b)) && (n = xmp_obs_flag_name(b)))
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "", n);
	if (!used)
		snprintf(buf, len, "-");
}

static void text_sf(const struct sf *s)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], ep[2 * INET6_ADDRSTRLEN + 20];
	int r = s->rev;

	xmp_addr_str(&s->k.saddr, sa, sizeof(sa));
	xmp_addr_str(&s->k.daddr, da, sizeof(da));
	snprintf(ep, sizeof(ep), "%s:%u -> %s:%u", sa, ntohs(s->k.sport), da, ntohs(s->k.dport));
	printf("    %-10s %-44s id %-3u pkts %llu/%llu  bytes %llu/%llu%s%s\n",
	       xmp_obs_kind_name(s->v.kind), ep, s->v.addr_id,
	       (unsigned long long)s->v.packets[r], (unsigned long long)s->v.packets[r ^ 1],
	       (unsigned long long)s->v.bytes[r], (unsigned long long)s->v.bytes[r ^ 1],
	       s->v.flags & XMP_OBS_F_BACKUP ? "  backup" : "", r ? "  (server-initiated)" : "");
}

static void print_text(const struct flows *f, const char *dir)
{
	char flags[96], tok[2][16];
	int c, i, k, nun = 0;

	printf("MPTCP connections seen in observe mode (pin dir %s): %d\n", dir, f->nconns);
	for (c = 0; c < f->nconns; c++) {
		const struct conn *cn = &f->conns[c];

		for (k = 0; k < 2; k++)
			snprintf(tok[k], sizeof(tok[k]), cn->key_ok[k] ? "0x%08x" : "?",
				 cn->token[k]);
		text_flags(flags, sizeof(flags), cn->flags);
		printf("conn %d  token client %s server %s  data c2s %llu s2c %llu  subflows %d"
		       "  flags %s  idle %.1fs\n", c + 1, tok[0], tok[1],
		       (unsigned long long)cn->data[0], (unsigned long long)cn->data[1], cn->nsf,
		       flags, f->now_ns > cn->last_ns ? (f->now_ns - cn->last_ns) / 1e9 : 0.0);
		for (i = 0; i < f->n; i++)
			if (f->sfs[i].conn == c)
				text_sf(&f->sfs[i]);
	}
	for (i = 0; i < f->n; i++) {
		if (f->sfs[i].conn >= 0)
			continue;
		if (!nun++)
			printf("unmatched subflows (pkts/bytes: SYN sender -> receiver / back)\n");
		text_sf(&f->sfs[i]);
		if (f->sfs[i].v.kind == XMP_OBS_JOIN)
			printf("      join token 0x%08x names no connection seen\n",
			       f->sfs[i].v.join_token);
	}
}

int cmd_flows(struct ctl_cfg *cfg)
{
	struct flows f = {};
	struct timespec ts;
	int fd, err;

	if (geteuid()) {
		pr_warn("xmptcp flows: needs root to read the pinned maps; try sudo\n");
		return -EPERM;
	}
	err = pin_check_bpffs("flows", cfg->pin_dir, false);
	if (err && err != -ENOENT)
		return err;
	if (!err && pin_stale("flows", cfg->pin_dir))
		return -ESTALE;
	fd = err ? err : ctl_obj_open(cfg->pin_dir, XMP_MAP_OBSERVE);
	if (fd < 0) {
		pr_warn("xmptcp flows: not attached (no %s in %s); run 'xmptcp attach IFACE' "
			"first\n", XMP_MAP_OBSERVE, cfg->pin_dir);
		return -ENOENT;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	f.now_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	err = read_observe(fd, &f);
	close(fd);
	if (!err)
		err = group(&f);
	if (err == -ENOMEM)
		pr_warn("xmptcp flows: out of memory\n");
	else if (err && err != -EPROTO)
		pr_warn("xmptcp flows: reading %s failed (%s)\n", XMP_MAP_OBSERVE, strerror(-err));
	if (!err) {
		if (cfg->json)
			err = print_json(&f, cfg->pin_dir);
		else
			print_text(&f, cfg->pin_dir);
	}
	free(f.sfs);
	free(f.conns);
	return err;
}

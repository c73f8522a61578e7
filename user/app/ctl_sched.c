// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler requests of the control socket (`xmptcp sched ...`):
 *   sched list json|text       policies, built-in or loaded, and their users
 *   sched set NAME all|CONN    live swap: every connection and the default
 *                              for new ones, or one connection (id or token)
 *   sched load PATH            dlopen a policy (include/xmptcp/sched.h)
 * A swap takes effect at the connection's next decision (sched.c), so a
 * transfer in progress switches without a stall and without losing data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/xmptcpd.h"

#define XD_SCHED_LIST_MAX 32

static void list_json(FILE *f)
{
	struct xmp_sched_info info[XD_SCHED_LIST_MAX];
	int n = xmp_sched_list(info, XD_SCHED_LIST_MAX), i;

	if (n > XD_SCHED_LIST_MAX)
		n = XD_SCHED_LIST_MAX;
	fprintf(f, "[");
	for (i = 0; i < n; i++)
		fprintf(f,
			"%s{\"name\":\"%s\",\"builtin\":%s,\"default\":%s,\"users\":%u,"
			"\"path\":\"%s\",\"inits\":%llu,\"releases\":%llu}",
			i ? "," : "", info[i].name, info[i].builtin ? "true" : "false",
			info[i].is_default ? "true" : "false", info[i].users, info[i].path,
			(unsigned long long)info[i].inits, (unsigned long long)info[i].releases);
	fprintf(f, "]\n");
}

static void list_text(FILE *f)
{
	struct xmp_sched_info info[XD_SCHED_LIST_MAX];
	int n = xmp_sched_list(info, XD_SCHED_LIST_MAX), i;

	if (n > XD_SCHED_LIST_MAX)
		n = XD_SCHED_LIST_MAX;
	fprintf(f, "%-16s %-8s %-7s %6s %s\n", "NAME", "KIND", "DEFAULT", "USERS", "FROM");
	for (i = 0; i < n; i++)
		fprintf(f, "%-16s %-8s %-7s %6u %s\n", info[i].name,
			info[i].builtin ? "builtin" : "loaded", info[i].is_default ? "yes" : "-",
			info[i].users, info[i].builtin ? "-" : info[i].path);
}

/* A connection by id (decimal) or local token (8 hex digits). */
static struct xc_conn *conn_by(struct xd_loop *l, const char *which)
{
	struct xc_conn *c;
	char *end;
	unsigned long long v = strtoull(which, &end, 10);
	__u32 tok;

	if (*which && !*end)
		for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c))
			if (xc_conn_id(c) == v)
				return c;
	v = strtoull(which, &end, 16);
	if (strlen(which) == 8 && !*end)
		for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c))
			if (xc_conn_local_token(c, &tok) && tok == (__u32)v)
				return c;
	return NULL;
}

/* `sched set NAME all` and SIGHUP (reload.c) alike. */
unsigned int xd_sched_set_all(struct xd_loop *l, const struct xmp_sched_ops *ops)
{
	unsigned int n = 0;
	struct xc_conn *c;

	xmp_sched_set_default(ops);
	for (c = xc_stack_conns(l->xc); c; c = xc_conn_next(c)) {
		if (!xc_conn_done(c) && !xc_conn_set_sched(c, ops))
			n++;
	}
	return n;
}

static bool set(struct xd_loop *l, const char *name, const char *which, FILE *f)
{
	const struct xmp_sched_ops *ops = xmp_sched_find(name);
	unsigned int n;
	struct xc_conn *c;

	if (!ops) {
		fprintf(f, "error: no scheduler '%s' ('xmptcp sched list'; load one with "
			   "'xmptcp sched load FILE.so')\n", name);
		return false;
	}
	if (strcmp(which, "all")) {
		c = conn_by(l, which);
		if (!c || xc_conn_set_sched(c, ops) == -ENOTCONN) {
			fprintf(f, "error: no MPTCP connection '%s' (an id or a local token "
				   "from 'xmptcp conns')\n", which);
			return false;
		}
		fprintf(f, "connection %llu: %s from its next decision\n",
			(unsigned long long)xc_conn_id(c), ops->name);
		return true;
	}
	n = xd_sched_set_all(l, ops);
	fprintf(f, "%s: default for new connections, and %u live connection(s) switch at "
		   "their next decision\n", ops->name, n);
	return true;
}

static bool load(const char *path, FILE *f)
{
	const struct xmp_sched_ops *ops;
	char msg[256] = "";

	if (path[0] != '/') {
		fprintf(f, "error: the policy path must be absolute, not '%s'\n", path);
		return false;
	}
	if (xmp_sched_load(path, &ops, msg, sizeof(msg))) {
		fprintf(f, "error: %s\n", msg[0] ? msg : "cannot load the policy");
		return false;
	}
	fprintf(f, "loaded scheduler '%s' from %s\n", ops->name, path);
	return true;
}

bool xd_ctl_sched(struct xd_loop *l, char *args, FILE *f)
{
	char verb[16], a[XMP_SCHED_NAME_MAX + 1], b[32], *path, *nl;

	if (sscanf(args, "%15s", verb) != 1)
		goto bad;
	if (!strcmp(verb, "list")) {
		if (sscanf(args, "%*s %31s", b) != 1 || (strcmp(b, "json") && strcmp(b, "text")))
			goto bad;
		(strcmp(b, "json") ? list_text : list_json)(f);
		return true;
	}
	if (!strcmp(verb, "set")) {
		if (sscanf(args, "%*s %16s %31s", a, b) != 2)
			goto bad;
		return set(l, a, b, f);
	}
	if (!strcmp(verb, "load")) {
		path = strchr(args, ' ');
		if (!path)
			goto bad;
		path++;
		nl = strchr(path, '\n');
		if (nl)
			*nl = '\0';
		return load(path, f);
	}
bad:
	fprintf(f, "error: bad request (want 'sched list json|text', 'sched set NAME all|CONN' "
		   "or 'sched load PATH')\n");
	return false;
}

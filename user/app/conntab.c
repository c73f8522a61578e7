// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd's connections by tuple: every frame the XSK hands us is looked up
 * here (remote address and port, local port, then the exact match), so the
 * cost per frame stays flat with thousands of connections. Chained hash
 * with a fixed bucket array; the chain link lives in struct xd_conn.
 */
#include <string.h>

#include "io/addr.h"
#include "app/xmptcpd.h"

/* FNV-1a over the peer address and both ports: the peer's port varies
 * fastest between connections, the local address rarely. */
static unsigned int tuple_hash(const struct xmp_addr *raddr, __u16 rport, __u16 lport)
{
	__u32 h = 2166136261u;
	unsigned int i;

	for (i = 0; i < sizeof(raddr->a); i++)
		h = (h ^ raddr->a[i]) * 16777619u;
	h = (h ^ rport) * 16777619u;
	h = (h ^ (rport >> 8)) * 16777619u;
	h = (h ^ lport) * 16777619u;
	h = (h ^ (lport >> 8)) * 16777619u;
	return h % XD_CONNTAB_BUCKETS;
}

void xd_conntab_add(struct xd_conntab *t, struct xd_conn *c)
{
	unsigned int b = tuple_hash(&c->raddr, c->rport, c->lport);

	c->hnext = t->bucket[b];
	t->bucket[b] = c;
	t->n++;
}

void xd_conntab_del(struct xd_conntab *t, struct xd_conn *c)
{
	struct xd_conn **pp = &t->bucket[tuple_hash(&c->raddr, c->rport, c->lport)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			c->hnext = NULL;
			t->n--;
			return;
		}
	}
}

struct xd_conn *xd_conntab_find(const struct xd_conntab *t, const struct xmp_frame *f)
{
	struct xd_conn *c = t->bucket[tuple_hash(&f->saddr, f->seg.sport, f->seg.dport)];

	for (; c; c = c->hnext)
		if (xd_conn_match(c, f))
			return c;
	return NULL;
}

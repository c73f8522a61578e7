// SPDX-License-Identifier: GPL-2.0
/*
 * Subflows by tuple, and connections by MP_JOIN token: every frame the
 * host hands us is looked up by tuple (remote address and port,
 * local port, then the exact match), every join SYN by the token it names
 * (RFC 8684 3.2), so the cost per frame stays flat with thousands of
 * connections. Chained hashes with fixed bucket arrays; the chain links
 * live in struct xc_sf and struct xc_conn.
 */
#include <string.h>

#include "io/addr.h"
#include "conn/xc_int.h"

/* FNV-1a over the peer address and both ports: the peer's port varies
 * fastest between subflows, the local address rarely. */
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
	return h % XC_CONNTAB_BUCKETS;
}

void xc_conntab_add(struct xc_conntab *t, struct xc_sf *s)
{
	unsigned int b = tuple_hash(&s->raddr, s->rport, s->lport);

	s->hnext = t->bucket[b];
	t->bucket[b] = s;
	t->n++;
}

void xc_conntab_del(struct xc_conntab *t, struct xc_sf *s)
{
	struct xc_sf **pp = &t->bucket[tuple_hash(&s->raddr, s->rport, s->lport)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			s->hnext = NULL;
			t->n--;
			return;
		}
	}
}

struct xc_sf *xc_conntab_find(const struct xc_conntab *t, const struct xmp_frame *f)
{
	struct xc_sf *s = t->bucket[tuple_hash(&f->saddr, f->seg.sport, f->seg.dport)];

	for (; s; s = s->hnext)
		if (xc_sf_match(s, f))
			return s;
	return NULL;
}

/* Tokens are the leftmost bits of a SHA-256 (3.2): already uniform. */
static unsigned int tok_hash(__u32 token)
{
	return token % XC_TOKTAB_BUCKETS;
}

void xc_toktab_add(struct xc_conntab *t, struct xc_conn *c)
{
	unsigned int b = tok_hash(c->jc.local_token);

	c->tnext = t->tok[b];
	t->tok[b] = c;
}

void xc_toktab_del(struct xc_conntab *t, struct xc_conn *c)
{
	struct xc_conn **pp = &t->tok[tok_hash(c->jc.local_token)];

	for (; *pp; pp = &(*pp)->tnext) {
		if (*pp == c) {
			*pp = c->tnext;
			c->tnext = NULL;
			return;
		}
	}
}

struct xc_conn *xc_toktab_find(const struct xc_conntab *t, __u32 token)
{
	struct xc_conn *c = t->tok[tok_hash(token)];

	for (; c; c = c->tnext)
		if (c->jc.local_token == token)
			return c;
	return NULL;
}

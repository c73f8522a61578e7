// SPDX-License-Identifier: GPL-2.0
/*
 * What xmptcpd's connections may hold: memory reserved against --max-mem,
 * and the half-open connections a SYN flood can create (--max-half-open).
 *
 * Memory is counted as the buffers a connection allocates, at their full
 * size, when it allocates them: the data-level rings (--sndbuf/--rcvbuf),
 * the app socket's output buffer, each subflow's two TCP rings
 * (--sf-buf). That is what a connection can come to touch, so the sum is a
 * bound on what the daemon's connections use, whatever the peers do; RSS
 * stays below it (pages a ring never reached are never faulted in). A
 * closed subflow kept for the connection's report gives its rings back
 * (xd_mem_sf_trim()).
 *
 * Call chain: conn_alloc -> xd_mem_charge(xd_mem_conn_cost) ... xd_conn_free
 * -> xd_mem_uncharge; xd_sf_new -> xd_mem_charge(xd_mem_sf_cost) ...
 * xd_mem_sf_trim / xd_sf_free; loop_accept -> xd_halfopen_make_room ->
 * xd_loop_evict (the oldest half-open connection, freed at once).
 */
#include <errno.h>

#include "app/xmptcpd.h"

__u64 xd_mem_conn_cost(const struct xd_loop *l, bool sock_ep)
{
	return sizeof(struct xd_conn) + (sock_ep ? XD_EP_OBUF : 0) + l->msk_sndbuf +
	       l->msk_rcvbuf;
}

/*
 * A subflow's TCP ring: --sf-buf, or the connection's buffer when that is
 * smaller. It never needs more: the peer sends only within the
 * connection-level window, at most the connection's receive buffer (3.3.4,
 * xmp_sf_rcv_wnd()), and a subflow is given only what the connection's
 * send buffer holds. Without this cap 1000 proxied connections of 4
 * subflows with 64K buffers took a daemon to 2.5 GB of RSS after 1 MB each
 * way (0.87 GB with it; tests/net/test_scale.sh).
 */
__u32 xd_sf_ring(const struct xd_loop *l, __u32 msk_buf)
{
	return msk_buf < l->sf_buf ? msk_buf : l->sf_buf;
}

__u64 xd_mem_sf_cost(const struct xd_loop *l)
{
	return sizeof(struct xd_sf) + sizeof(struct xmp_tcp_sock) +
	       xd_sf_ring(l, l->msk_sndbuf) + xd_sf_ring(l, l->msk_rcvbuf);
}

/* A proxied connection with every subflow it may hold live at once. */
__u64 xd_mem_conn_max(const struct xd_loop *l)
{
	unsigned int nsf = l->pm.max_subflows + 1;

	if (nsf > XD_SF_MAX)
		nsf = XD_SF_MAX;
	return xd_mem_conn_cost(l, true) + nsf * xd_mem_sf_cost(l);
}

int xd_mem_charge(struct xd_loop *l, __u64 bytes)
{
	if (l->mem_max && l->mem_reserved + bytes > l->mem_max) {
		l->st.mem_refused++;
		return -ENOBUFS;
	}
	l->mem_reserved += bytes;
	if (l->mem_reserved > l->mem_peak)
		l->mem_peak = l->mem_reserved;
	return 0;
}

void xd_mem_uncharge(struct xd_loop *l, __u64 bytes)
{
	l->mem_reserved = bytes > l->mem_reserved ? 0 : l->mem_reserved - bytes;
}

/* Only once nothing is left to read: bytes a closed subflow still holds
 * in order may yet go to the app (plain TCP, fallback). */
void xd_mem_sf_trim(struct xd_sf *s)
{
	if (!s->mem || !s->sk || !xmp_tcp_release_buffers(s->sk))
		return;
	xd_mem_uncharge(s->c->loop, s->mem);
	s->mem = 0;
}

/* The server side of a connection whose initial subflow has not reached
 * ESTABLISHED: the state a SYN alone creates. */
bool xd_conn_halfopen(const struct xd_conn *c)
{
	return c->role == XMP_SF_SERVER && !c->t_established && !c->done;
}

unsigned int xd_halfopen_count(const struct xd_loop *l)
{
	const struct xd_conn *c;
	unsigned int n = 0;

	for (c = l->conns; c; c = c->next)
		n += xd_conn_halfopen(c);
	return n;
}

/*
 * A SYN to a listener may create one more half-open connection: when
 * --max-half-open are already waiting for their third ACK, or --max-conns
 * connections are live and some of them half-open, the oldest goes
 * (a SYN flood then holds a bounded set of state and keeps cycling it,
 * while a real client's handshake, done within one RTT, still completes;
 * an evicted real client retransmits its SYN). The walk is O(connections)
 * per SYN, as bounded as --max-conns; the list holds the newest first.
 */
void xd_halfopen_make_room(struct xd_loop *l)
{
	struct xd_conn *c, *oldest = NULL;
	unsigned int n = 0;

	for (c = l->conns; c; c = c->next) {
		if (xd_conn_halfopen(c)) {
			n++;
			oldest = c;
		}
	}
	if (!oldest || (n < l->max_halfopen && l->nactive < l->max_conns))
		return; /* room: under both caps (or nothing to give up) */
	l->st.syn_evicted++;
	xd_loop_evict(l, oldest);
}

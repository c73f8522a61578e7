// SPDX-License-Identifier: GPL-2.0
/*
 * What connections may hold: memory reserved against max_mem (xmptcpd's
 * --max-mem), and the half-open connections a SYN flood can create
 * (max_halfopen, --max-half-open).
 *
 * Memory is counted as the buffers a connection allocates, at their full
 * size, when it allocates them: the data-level rings (--sndbuf/--rcvbuf),
 * the application end's (a proxy's socket buffer: xc_app.mem), each
 * subflow's two TCP rings (sf_buf, --sf-buf). That is what a connection
 * can come to touch, so the sum is a bound on what the daemon's
 * connections use, whatever the peers do; RSS
 * stays below it (pages a ring never reached are never faulted in). A
 * closed subflow kept for the connection's report gives its rings back
 * (xc_mem_sf_trim()).
 *
 * Call chain: conn_alloc -> xc_mem_charge(xc_mem_conn_cost) ... xc_conn_free
 * -> xc_mem_uncharge; xc_sf_new -> xc_mem_charge(xc_mem_sf_cost) ...
 * xc_mem_sf_trim / xc_sf_free; the host, before accepting a SYN ->
 * xc_halfopen_victim -> xc_conn_drop of the oldest half-open connection.
 */
#include <errno.h>

#include "conn/xc_int.h"

__u64 xc_mem_conn_cost(const struct xc_cfg *cfg, __u32 app_mem)
{
	return sizeof(struct xc_conn) + app_mem + cfg->msk_sndbuf + cfg->msk_rcvbuf;
}

/*
 * A subflow's TCP ring: sf_buf, or the connection's buffer when that is
 * smaller. It never needs more: the peer sends only within the
 * connection-level window, at most the connection's receive buffer (3.3.4,
 * xmp_sf_rcv_wnd()), and a subflow is given only what the connection's
 * send buffer holds. Without this cap 1000 proxied connections of 4
 * subflows with 64K buffers took a daemon to 2.5 GB of RSS after 1 MB each
 * way (0.87 GB with it; tests/net/test_scale.sh).
 */
__u32 xc_sf_ring(const struct xc_cfg *cfg, __u32 msk_buf)
{
	return msk_buf < cfg->sf_buf ? msk_buf : cfg->sf_buf;
}

__u64 xc_mem_sf_cost(const struct xc_cfg *cfg)
{
	return sizeof(struct xc_sf) + sizeof(struct xmp_tcp_sock) +
	       xc_sf_ring(cfg, cfg->msk_sndbuf) + xc_sf_ring(cfg, cfg->msk_rcvbuf);
}

/* With every subflow it may hold live at once. */
__u64 xc_mem_conn_max(const struct xc_cfg *cfg, __u32 app_mem)
{
	unsigned int nsf = cfg->max_subflows + 1;

	if (nsf > XC_SF_MAX)
		nsf = XC_SF_MAX;
	return xc_mem_conn_cost(cfg, app_mem) + nsf * xc_mem_sf_cost(cfg);
}

__u64 xc_mem_conn_min(const struct xc_cfg *cfg, __u32 app_mem)
{
	return xc_mem_conn_cost(cfg, app_mem) + xc_mem_sf_cost(cfg);
}

int xc_mem_charge(struct xc_stack *st, __u64 bytes)
{
	struct xc_mem_stats *m = &st->mem;

	if (st->cfg.max_mem && m->reserved + bytes > st->cfg.max_mem) {
		m->refused++;
		return -ENOBUFS;
	}
	m->reserved += bytes;
	if (m->reserved > m->peak)
		m->peak = m->reserved;
	return 0;
}

void xc_mem_uncharge(struct xc_stack *st, __u64 bytes)
{
	struct xc_mem_stats *m = &st->mem;

	m->reserved = bytes > m->reserved ? 0 : m->reserved - bytes;
}

/* Only once nothing is left to read: bytes a closed subflow still holds
 * in order may yet go to the app (plain TCP, fallback). */
void xc_mem_sf_trim(struct xc_sf *s)
{
	if (!s->mem || !s->sk || !xmp_tcp_release_buffers(s->sk))
		return;
	xc_mem_uncharge(s->c->st, s->mem);
	s->mem = 0;
}

/* The server side of a connection whose initial subflow has not reached
 * ESTABLISHED: the state a SYN alone creates. */
bool xc_conn_halfopen(const struct xc_conn *c)
{
	return c->role == XMP_SF_SERVER && !c->t_established && !c->done;
}

unsigned int xc_halfopen_count(const struct xc_stack *st)
{
	const struct xc_conn *c;
	unsigned int n = 0;

	for (c = st->conns; c; c = c->next)
		n += xc_conn_halfopen(c);
	return n;
}

/*
 * A SYN to a listener may create one more half-open connection: when
 * max_halfopen are already waiting for their third ACK, or max_conns
 * connections are live and some of them half-open, the oldest goes
 * (a SYN flood then holds a bounded set of state and keeps cycling it,
 * while a real client's handshake, done within one RTT, still completes;
 * an evicted real client retransmits its SYN). The walk is O(connections)
 * per SYN, as bounded as max_conns; the list holds the newest first.
 */
struct xc_conn *xc_halfopen_victim(const struct xc_stack *st, unsigned int active)
{
	struct xc_conn *c, *oldest = NULL;
	unsigned int n = 0;

	for (c = st->conns; c; c = c->next) {
		if (xc_conn_halfopen(c)) {
			n++;
			oldest = c;
		}
	}
	if (!oldest || (n < st->cfg.max_halfopen && active < st->cfg.max_conns))
		return NULL; /* room: under both caps (or nothing to give up) */
	return oldest;
}

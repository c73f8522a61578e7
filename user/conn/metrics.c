// SPDX-License-Identifier: GPL-2.0
/*
 * The live connections and their subflows as Prometheus series (text
 * format 0.0.4 through common/prom.h), for xmptcpd's /metrics and its
 * textfile (user/app/metrics.c). The figures are those of `xmptcp conns -j`
 * and `xmptcp subflows -j` (report.c), read the same way.
 *
 * Series exist only while their connection is in the stack (TIME-WAIT
 * included): a scrape never sees a connection that ended, so the label
 * sets stay bounded by --max-conns times the subflows of each. Numbers are
 * labelled by ids only (conn, plus subflow): a label that changes (a
 * state) would start a new series mid-connection. What describes a
 * connection or a subflow (tuple, state, role, scheduler) is in one
 * *_info series of value 1, to join on those ids.
 */
#include <stdio.h>

#include "common/prom.h"
#include "conn/xc_int.h"

#define US_PER_S 1000000ull

/* One number of every connection, or of every subflow (get_sf). */
struct row {
	const char *name; /* after xmptcp_conn_ / xmptcp_subflow_ */
	const char *help;
	enum xmp_prom_type type;
	__u64 div; /* value = get() / div (1000000: us -> seconds) */
	__u64 (*get_conn)(const struct xc_conn *c);
	__u64 (*get_sf)(const struct xc_sf *s);
};

static __u64 conn_sent(const struct xc_conn *c)
{
	return c->app_sent;
}
static __u64 conn_rcvd(const struct xc_conn *c)
{
	return c->app_rcvd;
}
static __u64 conn_reinj(const struct xc_conn *c)
{
	return c->reinj_bytes;
}
static __u64 conn_penalties(const struct xc_conn *c)
{
	return c->penalties;
}
static __u64 conn_subflows(const struct xc_conn *c)
{
	return xc_conn_live(c);
}

static __u64 sf_srtt(const struct xc_sf *s)
{
	return s->sk ? s->sk->srtt_us : 0;
}
static __u64 sf_cwnd(const struct xc_sf *s)
{
	return s->sk ? s->sk->cwnd : 0;
}
static __u64 sf_sent(const struct xc_sf *s)
{
	return s->bytes_sent;
}
static __u64 sf_acked(const struct xc_sf *s)
{
	return xc_sf_acked(s);
}
static __u64 sf_rcvd(const struct xc_sf *s)
{
	return s->bytes_rcvd;
}
static __u64 sf_reinj(const struct xc_sf *s)
{
	return s->bytes_reinj;
}

static const struct row conn_rows[] = {
    {"sent_bytes", "Bytes the application gave the connection (conns -j sent)", XMP_PROM_COUNTER, 1,
     conn_sent, NULL},
    {"received_bytes", "Bytes the connection gave the application (conns -j recv)",
     XMP_PROM_COUNTER, 1, conn_rcvd, NULL},
    {"reinjected_bytes", "Bytes sent again on another subflow (conns -j reinjected)",
     XMP_PROM_COUNTER, 1, conn_reinj, NULL},
    {"penalties", "Subflows' cwnd halved for holding up the window (RFC 8684 3.3.6)",
     XMP_PROM_COUNTER, 1, conn_penalties, NULL},
    {"subflows", "Live subflows (conns -j subflows)", XMP_PROM_GAUGE, 1, conn_subflows, NULL},
};

static const struct row sf_rows[] = {
    {"srtt_seconds", "Smoothed round-trip time (RFC 6298; subflows -j srtt_us)", XMP_PROM_GAUGE,
     US_PER_S, NULL, sf_srtt},
    {"cwnd_bytes", "Congestion window (subflows -j cwnd)", XMP_PROM_GAUGE, 1, NULL, sf_cwnd},
    {"sent_bytes", "Bytes given to the subflow (subflows -j bytes_sent)", XMP_PROM_COUNTER, 1, NULL,
     sf_sent},
    {"acked_bytes", "Bytes the peer acknowledged at the TCP level (bytes_acked)", XMP_PROM_COUNTER,
     1, NULL, sf_acked},
    {"received_bytes", "Bytes received in order (subflows -j bytes_rcvd)", XMP_PROM_COUNTER, 1,
     NULL, sf_rcvd},
    {"reinjected_bytes", "Bytes this subflow sent again for another (reinjected)", XMP_PROM_COUNTER,
     1, NULL, sf_reinj},
};

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* xmptcp_<what>_<name>[_total], its HELP and TYPE lines; the name in buf. */
static const char *family(FILE *f, char *buf, const char *what, const char *name,
			  enum xmp_prom_type t, const char *help)
{
	const char *parts[] = {"xmptcp", what, name, NULL};

	xmp_prom_name(buf, XMP_PROM_NAME_MAX, t, parts);
	xmp_prom_family(f, buf, t, help);
	return buf;
}

static void conn_info(const struct xc_stack *st, FILE *f)
{
	char name[XMP_PROM_NAME_MAX], id[24], la[80], ra[80], tok[16];
	const struct xc_conn *c;

	family(f, name, "conn", "info", XMP_PROM_GAUGE,
	       "A live connection (value 1): its tuple, role, state and policies");
	for (c = xc_stack_conns(st); c; c = xc_conn_next(c)) {
		const struct xc_sf *first = xc_conn_first(c);
		struct xmp_prom_label lb[] = {
		    {"conn", id},
		    {"role", c->role == XMP_SF_CLIENT ? "client" : "server"},
		    {"local", la},
		    {"remote", ra},
		    {"state", xc_conn_state(c)},
		    {"token", tok},
		    {"sched", xc_conn_sched_name(c)},
		    {"cc", xc_conn_cc_name(c)},
		};

		snprintf(id, sizeof(id), "%llu", (unsigned long long)c->id);
		xc_endpoint_str(&c->laddr, c->lport, la, sizeof(la));
		xc_endpoint_str(&c->raddr, c->rport, ra, sizeof(ra));
		xc_tok_hex(tok, sizeof(tok), first ? first->sf.local_token : 0,
			   first && xc_conn_msk(c));
		xmp_prom_sample(f, name, lb, NROWS(lb), 1, 1);
	}
}

static void sf_info(const struct xc_stack *st, FILE *f)
{
	char name[XMP_PROM_NAME_MAX], id[24], sid[12], la[80], ra[80];
	const struct xc_conn *c;
	unsigned int i;

	family(f, name, "subflow", "info", XMP_PROM_GAUGE,
	       "A subflow of a live connection (value 1): tuple, interface, TCP state, "
	       "initial (mpc) or joined, backup");
	for (c = xc_stack_conns(st); c; c = xc_conn_next(c)) {
		snprintf(id, sizeof(id), "%llu", (unsigned long long)c->id);
		for (i = 0; i < c->nsf; i++) {
			const struct xc_sf *s = c->sfs[i];
			struct xmp_prom_label lb[] = {
			    {"conn", id},
			    {"subflow", sid},
			    {"local", la},
			    {"remote", ra},
			    {"iface", xc_sf_iface(s)},
			    {"state", xc_sf_state_name(s)},
			    {"kind", s->join ? "join" : "mpc"},
			    {"backup", xc_sf_is_backup(s) ? "1" : "0"},
			};

			snprintf(sid, sizeof(sid), "%u", s->id);
			xc_endpoint_str(&s->laddr, s->lport, la, sizeof(la));
			xc_endpoint_str(&s->raddr, s->rport, ra, sizeof(ra));
			xmp_prom_sample(f, name, lb, NROWS(lb), 1, 1);
		}
	}
}

/* One family of conn_rows: a sample per connection. */
static void conn_family(const struct xc_stack *st, FILE *f, const struct row *r)
{
	char name[XMP_PROM_NAME_MAX], id[24];
	struct xmp_prom_label lb[] = {{"conn", id}};
	const struct xc_conn *c;

	family(f, name, "conn", r->name, r->type, r->help);
	for (c = xc_stack_conns(st); c; c = xc_conn_next(c)) {
		snprintf(id, sizeof(id), "%llu", (unsigned long long)c->id);
		xmp_prom_sample(f, name, lb, NROWS(lb), r->get_conn(c), r->div);
	}
}

/* One family of sf_rows: a sample per subflow of every connection. */
static void sf_family(const struct xc_stack *st, FILE *f, const struct row *r)
{
	char name[XMP_PROM_NAME_MAX], id[24], sid[12];
	struct xmp_prom_label lb[] = {{"conn", id}, {"subflow", sid}};
	const struct xc_conn *c;
	unsigned int i;

	family(f, name, "subflow", r->name, r->type, r->help);
	for (c = xc_stack_conns(st); c; c = xc_conn_next(c)) {
		snprintf(id, sizeof(id), "%llu", (unsigned long long)c->id);
		for (i = 0; i < c->nsf; i++) {
			snprintf(sid, sizeof(sid), "%u", c->sfs[i]->id);
			xmp_prom_sample(f, name, lb, NROWS(lb), r->get_sf(c->sfs[i]), r->div);
		}
	}
}

void xc_stack_metrics(const struct xc_stack *st, FILE *f)
{
	unsigned int i;

	conn_info(st, f);
	for (i = 0; i < NROWS(conn_rows); i++)
		conn_family(st, f, &conn_rows[i]);
	sf_info(st, f);
	for (i = 0; i < NROWS(sf_rows); i++)
		sf_family(st, f, &sf_rows[i]);
}

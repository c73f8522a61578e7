// SPDX-License-Identifier: GPL-2.0
/*
 * What a connection tells: the JSON summary line its host prints when it
 * completes, and the forms xmptcpd's control socket answers with (`xmptcp
 * conns`, `xmptcp subflows`, -j or a table like ss -M). The application
 * end's own part (hashes, what waits for the app) is the host's
 * (xc_host_ops.app_info). Every subflow the connection ever had is listed,
 * closed ones included: a handover shows as a subflow that ended and one
 * that took over.
 */
#include <stdio.h>
#include <string.h>

#include "common/mib.h"
#include "io/addr.h"
#include "conn/xc_int.h"

/* ADDR:PORT, [ADDR]:PORT for IPv6 (as the command line takes them). */
const char *xc_endpoint_str(const struct xmp_addr *a, __u16 port, char *buf, size_t len)
{
	char s[64];

	xmp_addr_str(a, s, sizeof(s));
	snprintf(buf, len, xmp_addr_is_v4(a) ? "%s:%u" : "[%s]:%u", s, port);
	return buf;
}

static void json_str(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "\"%s\":\"%s\"%s", k, v, comma ? "," : "");
}

static void json_u64(FILE *f, const char *k, __u64 v, bool comma)
{
	fprintf(f, "\"%s\":%llu%s", k, (unsigned long long)v, comma ? "," : "");
}

static void json_bool(FILE *f, const char *k, bool v, bool comma)
{
	fprintf(f, "\"%s\":%s%s", k, v ? "true" : "false", comma ? "," : "");
}

/* A layer's counters (include/xmptcp/mib.h) amid an object's fields, each
 * followed by a comma as those are; zero ones only with @zeros. */
static void json_mib(FILE *f, enum xmp_mib_group g, const __u64 *v, bool zeros)
{
	if (xmp_mib_json(f, g, v, zeros))
		fprintf(f, ",");
}

static void json_err(FILE *f, int err, bool comma)
{
	if (err)
		fprintf(f, "\"error\":\"%s\"%s", strerror(-err), comma ? "," : "");
	else
		fprintf(f, "\"error\":null%s", comma ? "," : "");
}

const char *xc_sf_state_name(const struct xc_sf *s)
{
	return s->sk ? xmp_tcp_state_name(s->sk->state) : "CLOSED";
}

/* What the host says of the application end (zeros when it says nothing). */
static void app_info(const struct xc_conn *c, struct xc_app_info *info)
{
	memset(info, 0, sizeof(*info));
	if (c->st->ops->app_info)
		c->st->ops->app_info(c->st->host, c->app.ctx, info);
}

const char *xc_sf_iface(const struct xc_sf *s)
{
	return s->path.port && s->path.ifname ? s->path.ifname : "-";
}

const char *xc_conn_sched_name(const struct xc_conn *c)
{
	const struct xmp_sched_ops *ops = c->sched_ready ? xmp_sched_conn_ops(&c->sched) : NULL;

	return ops ? ops->name : "-";
}

const char *xc_conn_cc_name(const struct xc_conn *c)
{
	const struct xc_sf *s = xc_conn_first(c);

	return s && s->sk && s->sk->cc ? s->sk->cc->name : "-";
}

bool xc_sf_is_backup(const struct xc_sf *s)
{
	return s->backup || s->peer_backup;
}

/* What the subflow's peer acknowledged at the TCP level: what it was
 * given less what still waits in its send buffer. */
__u64 xc_sf_acked(const struct xc_sf *s)
{
	__u64 q = s->sk ? xc_sf_queued(s) : 0;

	return s->bytes_sent > q ? s->bytes_sent - q : 0;
}

/* One subflow: tuple, state, what it carried. */
static void sf_json(const struct xc_sf *s, FILE *f, bool full)
{
	const struct xmp_tcp_sock *sk = s->sk;
	char la[80], ra[80];

	xc_endpoint_str(&s->laddr, s->lport, la, sizeof(la));
	xc_endpoint_str(&s->raddr, s->rport, ra, sizeof(ra));
	fprintf(f, "{");
	json_u64(f, "id", s->id, true);
	fprintf(f, "\"local\":\"%s\",\"remote\":\"%s\",", la, ra);
	json_str(f, "iface", xc_sf_iface(s), true);
	json_str(f, "state", xc_sf_state_name(s), true);
	json_bool(f, "join", s->join, true);
	if (s->join)
		json_str(f, "join_state", xmp_join_state_name(s->jn.state), true);
	json_bool(f, "backup", xc_sf_is_backup(s), true);
	json_u64(f, "local_id", s->join ? s->jn.local_id : 0, true);
	json_u64(f, "remote_id", s->join ? s->jn.remote_id : 0, true);
	json_u64(f, "srtt_us", sk ? sk->srtt_us : 0, true);
	json_u64(f, "cwnd", sk ? sk->cwnd : 0, true);
	json_u64(f, "bytes_sent", s->bytes_sent, true);
	json_u64(f, "bytes_acked", xc_sf_acked(s), true);
	json_u64(f, "bytes_rcvd", s->bytes_rcvd, true);
	json_u64(f, "reinjected", s->bytes_reinj, true);
	if (full && sk) {
		json_mib(f, XMP_MIB_TCP, sk->mib, false);
		json_mib(f, XMP_MIB_SF, s->sf.mib, false);
		if (s->join)
			json_mib(f, XMP_MIB_JOIN, s->jn.mib, false);
		json_u64(f, "seg_maps", s->seg_maps, true);
		json_u64(f, "acks_forced", s->acks_forced, true);
	}
	json_err(f, s->err, false);
	fprintf(f, "}");
}

static void subflows_array(const struct xc_conn *c, FILE *f, bool full)
{
	unsigned int i;

	fprintf(f, "\"subflows\":[");
	for (i = 0; i < c->nsf; i++) {
		sf_json(c->sfs[i], f, full);
		if (i + 1 < c->nsf)
			fprintf(f, ",");
	}
	fprintf(f, "]");
}

void xc_tok_hex(char *buf, size_t len, __u32 tok, bool valid)
{
	if (valid)
		snprintf(buf, len, "%08x", tok);
	else
		snprintf(buf, len, "-");
}

static void report_mptcp(const struct xc_conn *c, FILE *f)
{
	const struct xc_sf *first = xc_conn_first(c);
	const struct xmp_msk *msk = xc_conn_msk(c);

	fprintf(f, "\"mptcp\":{");
	json_str(f, "sf_state", xmp_sf_state_name(first->sf.state), true);
	if (msk) {
		char tok[16];

		xc_tok_hex(tok, sizeof(tok), first->sf.local_token, true);
		json_str(f, "local_token", tok, true);
		xc_tok_hex(tok, sizeof(tok), first->sf.remote_token, true);
		json_str(f, "remote_token", tok, true);
		json_str(f, "msk_state", xmp_msk_state_name(msk->state), true);
		json_bool(f, "csum", msk->csum, true);
		json_bool(f, "data_fin_sent", msk->fin_mapped, true);
		json_bool(f, "data_fin_acked", msk->fin_acked, true);
		json_bool(f, "data_fin_rcvd", msk->rcv_fin_done, true);
		json_bool(f, "fallback", msk->fallback, true);
		json_mib(f, XMP_MIB_MSK, msk->mib, false);
	}
	/* the initial subflow's MP_CAPABLE/fallback counters, as before */
	json_mib(f, XMP_MIB_SF, first->sf.mib, false);
	json_u64(f, "reinjected", c->reinj_bytes, true);
	json_u64(f, "penalties", c->penalties, true);
	json_u64(f, "data_rtx_timeouts", c->drtx_count, true);
	json_u64(f, "copies_held", c->copies_held, true);
	json_u64(f, "keep_adopted", c->keep_adopted, true);
	if (c->sched_ready)
		json_mib(f, XMP_MIB_SCHED, c->sched.mib, true);
	json_u64(f, "wnd_blocked", c->wnd_blocked, true);
	xc_pm_report(c, f);
	json_u64(f, "opts_decoded", first->pst.decoded, false);
	fprintf(f, "}");
}

/* The initial subflow's engine, as the summary had it before multipath. */
static void report_tcp(const struct xc_conn *c, FILE *f)
{
	const struct xc_sf *s = xc_conn_first(c);
	const struct xmp_tcp_sock *sk = s->sk;

	fprintf(f, "\"subflow\":{");
	json_str(f, "state", xc_sf_state_name(s), true);
	json_u64(f, "srtt_us", sk ? sk->srtt_us : 0, true);
	json_u64(f, "cwnd", sk ? sk->cwnd : 0, true);
	json_u64(f, "mss", sk ? sk->mss : 0, true);
	if (sk)
		json_mib(f, XMP_MIB_TCP, sk->mib, false);
	json_u64(f, "seg_maps", s->seg_maps, true);
	json_u64(f, "acks_forced", s->acks_forced, false);
	fprintf(f, "}");
}

static void conn_head(const struct xc_conn *c, FILE *f)
{
	char la[80], ra[80];

	xc_endpoint_str(&c->laddr, c->lport, la, sizeof(la));
	xc_endpoint_str(&c->raddr, c->rport, ra, sizeof(ra));
	json_u64(f, "id", c->id, true);
	json_str(f, "role", c->role == XMP_SF_CLIENT ? "client" : "server", true);
	json_bool(f, "proxy", c->app.proxied, true);
	fprintf(f, "\"local\":\"%s\",\"remote\":\"%s\",", la, ra);
}

void xc_conn_stats(const struct xc_conn *c, struct xc_conn_stats *s)
{
	const struct xmp_msk *msk = xc_conn_msk(c);
	const struct xc_sf *sf;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->app_sent = c->app_sent;
	s->app_rcvd = c->app_rcvd;
	s->reinj_bytes = c->reinj_bytes;
	s->penalties = c->penalties;
	s->drtx_count = c->drtx_count;
	s->wnd_blocked = c->wnd_blocked;
	s->keep_adopted = c->keep_adopted;
	s->subflows_opened = c->subflows_opened;
	s->joins_failed = c->joins_failed;
	s->sched = xc_conn_sched_name(c);
	if (msk) {
		s->mptcp = true;
		s->csum = msk->csum;
		s->fallback = msk->fallback;
	}
	s->nsf = c->nsf;
	for (i = 0; i < c->nsf; i++) {
		sf = c->sfs[i];
		s->sf_sent[i] = sf->bytes_sent;
		s->sf_reinj[i] = sf->bytes_reinj;
		s->sf_rcvd[i] = sf->bytes_rcvd;
	}
}

void xc_conn_report(const struct xc_conn *c, FILE *f)
{
	double secs = c->t_done > c->t_start ? (double)(c->t_done - c->t_start) / 1e6 : 0;
	__u64 bytes = c->app_sent > c->app_rcvd ? c->app_sent : c->app_rcvd;
	struct xc_app_info info;

	app_info(c, &info);
	fprintf(f, "{");
	conn_head(c, f);
	json_bool(f, "mp_capable", xc_conn_msk(c) != NULL, true);
	json_u64(f, "sent", c->app_sent, true);
	if (info.sent_sha256)
		json_str(f, "sent_sha256", info.sent_sha256, true);
	json_u64(f, "recv", c->app_rcvd, true);
	if (info.recv_sha256)
		json_str(f, "recv_sha256", info.recv_sha256, true);
	json_bool(f, "recv_eof", c->rcvd_eof, true);
	fprintf(f, "\"seconds\":%.6f,\"goodput_mbps\":%.2f,", secs,
		secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0.0);
	/* start to the peer's end of data, without the close: what a kernel
	 * peer's connect()/accept() to EOF measures */
	if (c->t_eof > c->t_start)
		fprintf(f, "\"recv_seconds\":%.6f,", (double)(c->t_eof - c->t_start) / 1e6);
	json_err(f, c->err, true);
	json_str(f, "sched", xc_conn_sched_name(c), true);
	json_str(f, "cc", xc_conn_cc_name(c), true);
	json_u64(f, "subflows_opened", c->subflows_opened, true);
	json_u64(f, "joins_failed", c->joins_failed, true);
	report_mptcp(c, f);
	fprintf(f, ",");
	report_tcp(c, f);
	fprintf(f, ",");
	subflows_array(c, f, true);
	fprintf(f, "}\n");
}

/* Where the bytes of a connection wait: for spotting a stall at a glance
 * (the app, the data level, the subflows, the peer's window). */

static void brief_queues(const struct xc_conn *c, FILE *f)
{
	const struct xc_sf *s = xc_conn_first(c);
	const struct xmp_tcp_sock *sk = s->sk;
	const struct xmp_msk *msk = xc_conn_msk(c);
	__u64 rcvq = 0, sndq = 0, flight = 0;
	struct xc_app_info info;
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		const struct xmp_tcp_sock *k = c->sfs[i]->sk;

		if (!k || c->sfs[i]->dead)
			continue;
		rcvq += k->rcvq.len;
		sndq += k->sndq.len;
		flight += k->snd_nxt - k->snd_una;
	}
	app_info(c, &info);
	fprintf(f, "\"queues\":{");
	json_u64(f, "app_out", info.out_queued, true);
	json_bool(f, "app_eof_in", info.in_eof, true);
	json_u64(f, "tcp_rcvq", rcvq, true);
	json_u64(f, "tcp_sndq", sndq, true);
	json_u64(f, "tcp_in_flight", flight, true);
	json_u64(f, "tcp_snd_wnd", sk ? sk->snd_wnd : 0, true);
	json_u64(f, "tcp_rcv_adv", sk ? sk->rcv_adv - sk->rcv_nxt : 0, !!msk);
	if (msk) {
		json_u64(f, "msk_unacked", span64(msk->snd_una, msk->write_seq), true);
		json_u64(f, "msk_unmapped", span64(msk->snd_nxt, msk->write_seq), true);
		json_u64(f, "msk_snd_wnd", xmp_msk_snd_wnd(msk), true);
		json_u64(f, "msk_rcv_unread", msk->ack_seq - msk->rcv_base, true);
		json_u64(f, "msk_rcv_wnd", xmp_msk_rcv_wnd(msk), true);
		json_u64(f, "reinject_queue", c->nrq, false);
	}
	fprintf(f, "}");
}

/* `xmptcp conns -j`: one object per connection. */
void xc_conn_brief_json(const struct xc_conn *c, FILE *f)
{
	const struct xc_sf *first = xc_conn_first(c);
	const struct xmp_msk *msk = xc_conn_msk(c);
	char lt[16], rt[16];

	xc_tok_hex(lt, sizeof(lt), first->sf.local_token, !!msk);
	xc_tok_hex(rt, sizeof(rt), first->sf.remote_token, !!msk);
	fprintf(f, "{");
	conn_head(c, f);
	json_str(f, "state", xc_conn_state(c), true);
	json_str(f, "subflow_state", xc_sf_state_name(first), true);
	json_bool(f, "mp_capable", !!msk, true);
	json_bool(f, "fallback", c->plain || (msk && msk->fallback), true);
	json_str(f, "local_token", lt, true);
	json_str(f, "remote_token", rt, true);
	json_u64(f, "subflows", xc_conn_live(c), true);
	json_u64(f, "subflows_opened", c->subflows_opened, true);
	json_str(f, "sched", xc_conn_sched_name(c), true);
	json_str(f, "cc", xc_conn_cc_name(c), true);
	json_u64(f, "sent", c->app_sent, true);
	json_u64(f, "recv", c->app_rcvd, true);
	json_u64(f, "reinjected", c->reinj_bytes, true);
	json_u64(f, "srtt_us", first->sk ? first->sk->srtt_us : 0, true);
	json_u64(f, "cwnd", first->sk ? first->sk->cwnd : 0, true);
	json_u64(f, "age_ms", (xc_now(c->st) - c->t_start) / 1000, true);
	brief_queues(c, f);
	fprintf(f, "}");
}

/* `xmptcp conns`: one table row, like ss -M. */
void xc_conn_brief_text(const struct xc_conn *c, FILE *f)
{
	const struct xc_sf *first = xc_conn_first(c);
	bool mp = xc_conn_msk(c) != NULL;
	char la[80], ra[80], tok[16];

	xc_endpoint_str(&c->laddr, c->lport, la, sizeof(la));
	xc_endpoint_str(&c->raddr, c->rport, ra, sizeof(ra));
	xc_tok_hex(tok, sizeof(tok), first->sf.local_token, mp);
	fprintf(f, "%-6llu %-6s %-5s %-22s %-22s %-11s %-8s %3u %-9s %12llu %12llu %8llu\n",
		(unsigned long long)c->id, c->role == XMP_SF_CLIENT ? "client" : "server",
		c->app.proxied ? "proxy" : "-", la, ra, xc_conn_state(c), mp ? tok : "tcp",
		xc_conn_live(c), xc_conn_sched_name(c), (unsigned long long)c->app_sent,
		(unsigned long long)c->app_rcvd, (unsigned long long)(first->sk ? first->sk->srtt_us : 0));
}

/* `xmptcp subflows -j`: the connection's subflows. */
void xc_conn_subflows_json(const struct xc_conn *c, FILE *f)
{
	const struct xc_sf *first = xc_conn_first(c);
	char tok[16];

	xc_tok_hex(tok, sizeof(tok), first->sf.local_token, xc_conn_msk(c) != NULL);
	fprintf(f, "{");
	json_u64(f, "conn", c->id, true);
	json_str(f, "token", tok, true);
	json_str(f, "sched", xc_conn_sched_name(c), true);
	json_str(f, "cc", xc_conn_cc_name(c), true);
	subflows_array(c, f, false);
	fprintf(f, "}");
}

/* `xmptcp subflows`: one row per subflow. */
void xc_conn_subflows_text(const struct xc_conn *c, FILE *f)
{
	unsigned int i;

	for (i = 0; i < c->nsf; i++) {
		const struct xc_sf *s = c->sfs[i];
		char la[80], ra[80];

		xc_endpoint_str(&s->laddr, s->lport, la, sizeof(la));
		xc_endpoint_str(&s->raddr, s->rport, ra, sizeof(ra));
		fprintf(f, "%-6llu %-3u %-22s %-22s %-8s %-12s %-4s %-6s %8u %9u %12llu %12llu %10llu %-8s\n",
			(unsigned long long)c->id, s->id, la, ra, xc_sf_iface(s),
			xc_sf_state_name(s), s->join ? "join" : "mpc", xc_sf_is_backup(s) ? "backup" : "-",
			s->sk ? s->sk->srtt_us : 0, s->sk ? s->sk->cwnd : 0,
			(unsigned long long)s->bytes_sent, (unsigned long long)s->bytes_rcvd,
			(unsigned long long)s->bytes_reinj, xc_conn_sched_name(c));
	}
}

void xc_conn_publish_val(const struct xc_conn *c, struct xmp_conn_val *v)
{
	const struct xc_sf *first = xc_conn_first(c);
	const struct xmp_msk *msk = xc_conn_msk(c);

	memset(v, 0, sizeof(*v));
	v->laddr = c->laddr;
	v->raddr = c->raddr;
	v->lport = c->lport;
	v->rport = c->rport;
	if (msk) {
		v->local_token = first->sf.local_token;
		v->remote_token = first->sf.remote_token;
		v->msk_state = (__u8)msk->state;
		if (msk->fallback)
			v->flags |= XMP_CONN_F_FALLBACK;
	}
	if (c->plain)
		v->flags |= XMP_CONN_F_PLAIN;
	if (c->app.proxied)
		v->flags |= XMP_CONN_F_PROXY;
	v->role = c->role == XMP_SF_CLIENT ? 0 : 1;
	v->subflows = (__u8)xc_conn_live(c);
	v->bytes_sent = c->app_sent;
	v->bytes_rcvd = c->app_rcvd;
	v->reinjected = c->reinj_bytes;
	snprintf(v->sched, sizeof(v->sched), "%s", xc_conn_sched_name(c));
	snprintf(v->cc, sizeof(v->cc), "%s", xc_conn_cc_name(c));
}

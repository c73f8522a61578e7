// SPDX-License-Identifier: GPL-2.0
/*
 * MP_JOIN handshake (RFC 8684 3.2), both roles: what each handshake segment
 * says, the HMAC checks, the per-connection join limit and the nonce replay
 * guard. Pure: keys come from the msk, nonces from the caller, time from
 * the caller's timer (xmp_join_ack_timeout()).
 * Call chain: subflow engine hooks (write_options / rcv_options) -> xmp_join_*
 * here -> xmp_crypto_join_* (crypto.c); the codec (options.c) around it.
 */
#include <errno.h>
#include <string.h>

#include "mptcp/join.h"
#include "mptcp/crypto.h"

/* TCP header flags (the byte of the header, as struct xmp_seg.flags). */
#define JOIN_TH_SYN 0x02
#define JOIN_TH_RST 0x04
#define JOIN_TH_ACK 0x10

/*
 * What each failure returns, which RST reason it sends (3.6) and what it
 * counts. Reasons follow Linux: a bad truncated HMAC or a missing MP_JOIN is
 * an MPTCP error; a bad third-ACK HMAC or a subflow refused by policy (limit,
 * connection state, replayed nonce) is "administratively prohibited".
 */
/* clang-format off */
static const struct {
	int err;
	__u8 reason;
	enum xmp_join_mib mib;
} fail_tab[XMP_JOIN_FAIL_NR] = {
	[XMP_JOIN_FAIL_NONE] = { -EINVAL, MPTCP_RST_EUNSPEC, XMP_JOIN_MIB_IGNORED },
	[XMP_JOIN_FAIL_NO_TOKEN] = { -ENOENT, MPTCP_RST_EMPTCP, XMP_JOIN_MIB_NO_TOKEN },
	[XMP_JOIN_FAIL_LIMIT] = { -EMLINK, MPTCP_RST_EPROHIBIT, XMP_JOIN_MIB_LIMIT },
	[XMP_JOIN_FAIL_CLOSED] = { -ENOTCONN, MPTCP_RST_EPROHIBIT, XMP_JOIN_MIB_CLOSED },
	[XMP_JOIN_FAIL_REPLAY] = { -EEXIST, MPTCP_RST_EPROHIBIT, XMP_JOIN_MIB_REPLAY },
	[XMP_JOIN_FAIL_THMAC] = { -EBADMSG, MPTCP_RST_EMPTCP, XMP_JOIN_MIB_SYNACK_HMAC },
	[XMP_JOIN_FAIL_HMAC] = { -EBADMSG, MPTCP_RST_EPROHIBIT, XMP_JOIN_MIB_ACK_HMAC },
	[XMP_JOIN_FAIL_NO_MPJ] = { -EPROTO, MPTCP_RST_EMPTCP, XMP_JOIN_MIB_NO_MPJ },
	[XMP_JOIN_FAIL_ACK_TIMEOUT] = { -ETIMEDOUT, MPTCP_RST_EMPTCP, XMP_JOIN_MIB_ACK_TIMEOUT },
};
/* clang-format on */

/* ---- per-connection bookkeeping: limit and replay ring ---- */

int xmp_join_conn_init(struct xmp_join_conn *c, struct xmp_msk *msk, unsigned int max_subflows)
{
	if (!c || !msk)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->msk = msk;
	c->max_subflows = max_subflows;
	/* 3.1: the token is the top 32 bits of SHA-256(key); a join SYN
	 * names the receiver's. */
	xmp_crypto_key_sha(msk->local_key, &c->local_token, NULL);
	xmp_crypto_key_sha(msk->remote_key, &c->remote_token, NULL);
	return 0;
}

static bool at_limit(const struct xmp_join_conn *c)
{
	return c->nr_joined >= c->max_subflows;
}

/*
 * A connection takes new subflows only while established at the data level,
 * as Linux's: one that fell back to TCP is single-path for good (3.7), one
 * that was aborted (3.5) or is closing has no use for another path.
 */
static bool conn_accepts(const struct xmp_join_conn *c)
{
	const struct xmp_msk *msk = c->msk;

	return msk->state == XMP_MSK_ESTABLISHED && !msk->fallback && !msk->aborted;
}

/* Both roles, before and again at the end of the handshake: the first
 * refusal that applies, or XMP_JOIN_FAIL_NONE. */
static enum xmp_join_fail conn_refuses(const struct xmp_join_conn *c)
{
	if (!conn_accepts(c))
		return XMP_JOIN_FAIL_CLOSED;
	if (at_limit(c))
		return XMP_JOIN_FAIL_LIMIT;
	return XMP_JOIN_FAIL_NONE;
}

/*
 * Replay guard (hardening, beyond 3.2): nonces are random per join, so a
 * peer nonce seen in one of the connection's recent joins means a recorded
 * handshake played again, or a peer whose nonces repeat. Either way the
 * HMACs would be computed over a nonce pair already used: refuse. The ring
 * is bounded; what it evicted is still covered by our own fresh nonce,
 * which makes an old third ACK worthless.
 */
static bool ring_has(const struct xmp_join_conn *c, __u32 nonce, bool remote)
{
	unsigned int i;

	for (i = 0; i < c->nr_recent; i++)
		if ((remote ? c->recent[i].remote : c->recent[i].local) == nonce)
			return true;
	return false;
}

static void ring_add(struct xmp_join_conn *c, __u32 local, __u32 remote)
{
	c->recent[c->next_recent].local = local;
	c->recent[c->next_recent].remote = remote;
	c->next_recent = (c->next_recent + 1) % XMP_JOIN_REPLAY_RING;
	if (c->nr_recent < XMP_JOIN_REPLAY_RING)
		c->nr_recent++;
}

static void take_slot(struct xmp_join *j)
{
	if (!j->counted) {
		j->counted = true;
		j->conn->nr_joined++;
	}
}

void xmp_join_release(struct xmp_join *j)
{
	if (j && j->counted && j->conn) {
		j->counted = false;
		j->conn->nr_joined--;
	}
}

/* The join is over: the caller resets the subflow, never uses it. */
static int join_fail(struct xmp_join *j, enum xmp_join_fail why)
{
	xmp_join_release(j);
	j->state = XMP_JOIN_FAILED;
	j->fail = why;
	j->rst_reason = fail_tab[why].reason;
	j->mib[fail_tab[why].mib]++;
	return fail_tab[why].err;
}

/* A local error (crypto): fail without blaming the peer. */
static int join_abort(struct xmp_join *j, int err)
{
	xmp_join_release(j);
	j->state = XMP_JOIN_FAILED;
	j->rst_reason = MPTCP_RST_ERESOURCE;
	return err;
}

static int join_ignored(struct xmp_join *j)
{
	j->mib[XMP_JOIN_MIB_IGNORED]++;
	return 0;
}

/* ---- setup ---- */

int xmp_join_init_client(struct xmp_join *j, struct xmp_join_conn *c, __u8 local_id, bool backup,
			 __u32 nonce)
{
	if (!j || !c || !c->msk)
		return -EINVAL;
	memset(j, 0, sizeof(*j));
	j->role = XMP_JOIN_CLIENT;
	j->conn = c;
	j->local_id = local_id;
	j->local_backup = backup;
	j->local_nonce = nonce;
	/* Refused here, the join stays FAILED: a caller that went on anyway
	 * would find build_options() writing no SYN. */
	if (ring_has(c, nonce, false)) {
		j->state = XMP_JOIN_FAILED;
		return -EEXIST;
	}
	if (conn_refuses(c)) {
		j->state = XMP_JOIN_FAILED;
		return fail_tab[conn_refuses(c)].err;
	}
	return 0;
}

int xmp_join_init_server(struct xmp_join *j, xmp_join_lookup_fn lookup, void *arg, __u8 local_id,
			 bool backup, __u32 nonce)
{
	if (!j || !lookup)
		return -EINVAL;
	memset(j, 0, sizeof(*j));
	j->role = XMP_JOIN_SERVER;
	j->lookup = lookup;
	j->lookup_arg = arg;
	j->local_id = local_id;
	j->local_backup = backup;
	j->local_nonce = nonce;
	return 0;
}

/* ---- options of outgoing segments ---- */

/* 3.2: SYN: the receiver's token, R-A, our address id and B bit. */
static void put_syn(struct xmp_join *j, struct xmp_mp_opt *out)
{
	out->suboptions |= XMP_MPO_MPJ_SYN;
	out->mpj.variant = XMP_MPJ_SYN;
	out->mpj.token = j->conn->remote_token;
	out->mpj.nonce = j->local_nonce;
	out->mpj.addr_id = j->local_id;
	out->mpj.backup = j->local_backup;
	j->state = XMP_JOIN_SYN_SENT;
	j->mib[XMP_JOIN_MIB_SYN_TX]++;
}

/* 3.2: SYN-ACK: truncated HMAC(Key-B || Key-A, R-B || R-A), R-B, id, B. */
static void put_synack(struct xmp_join *j, struct xmp_mp_opt *out)
{
	out->suboptions |= XMP_MPO_MPJ_SYNACK;
	out->mpj.variant = XMP_MPJ_SYNACK;
	out->mpj.thmac = j->thmac;
	out->mpj.nonce = j->local_nonce;
	out->mpj.addr_id = j->local_id;
	out->mpj.backup = j->local_backup;
	j->mib[XMP_JOIN_MIB_SYNACK_TX]++;
}

/* 3.2: third ACK: 160 bits of HMAC(Key-A || Key-B, R-A || R-B). It rides on
 * every ACK until the fourth ACK, so a retransmission repeats it. */
static void put_ack(struct xmp_join *j, struct xmp_mp_opt *out)
{
	out->suboptions |= XMP_MPO_MPJ_ACK;
	out->mpj.variant = XMP_MPJ_ACK;
	memcpy(out->mpj.hmac, j->hmac, sizeof(j->hmac));
	j->mib[XMP_JOIN_MIB_ACK_TX]++;
}

int xmp_join_build_options(struct xmp_join *j, __u8 flags, struct xmp_mp_opt *out)
{
	memset(out, 0, sizeof(*out));
	if (flags & JOIN_TH_RST) {
		/* 3.6: say why the join is refused. */
		if (j->state == XMP_JOIN_FAILED) {
			out->suboptions = XMP_MPO_TCPRST;
			out->rst.reason = j->rst_reason;
		}
	} else if ((flags & JOIN_TH_SYN) && !(flags & JOIN_TH_ACK)) {
		if (j->role == XMP_JOIN_CLIENT &&
		    (j->state == XMP_JOIN_INIT || j->state == XMP_JOIN_SYN_SENT))
			put_syn(j, out);
	} else if (flags & JOIN_TH_SYN) {
		if (j->role == XMP_JOIN_SERVER && j->state == XMP_JOIN_SYN_RCVD)
			put_synack(j, out);
	} else if (j->role == XMP_JOIN_CLIENT && j->state == XMP_JOIN_PRE_ESTABLISHED &&
		   (flags & JOIN_TH_ACK)) {
		put_ack(j, out);
	}
	return __builtin_popcount(out->suboptions);
}

int xmp_join_write_options(struct xmp_join *j, __u8 flags, __u8 *buf, unsigned int space)
{
	struct xmp_mp_opt mp;

	if (!j || !buf)
		return -EINVAL;
	if (!xmp_join_build_options(j, flags, &mp))
		return 0;
	return xmp_mp_write(buf, space, &mp);
}

/* ---- options of incoming segments ---- */

/* 3.2, server: the SYN names the connection by its token. */
static int rcv_syn(struct xmp_join *j, const struct xmp_mp_opt *in)
{
	const struct xmp_mpj *m = &in->mpj;
	struct xmp_join_conn *c;
	enum xmp_join_fail why;
	struct xmp_msk *msk;
	int err;

	if (j->state == XMP_JOIN_SYN_RCVD) {
		/* The client repeats its SYN (our SYN-ACK was lost): same
		 * join, same SYN-ACK. Anything else on this tuple is noise. */
		if ((in->suboptions & XMP_MPO_MPJ_SYN) && m->token == j->token &&
		    m->nonce == j->remote_nonce) {
			j->mib[XMP_JOIN_MIB_SYN_DUP]++;
			return 0;
		}
		return join_ignored(j);
	}
	if (j->state != XMP_JOIN_INIT)
		return join_ignored(j);
	if (!(in->suboptions & XMP_MPO_MPJ_SYN))
		return join_fail(j, XMP_JOIN_FAIL_NO_MPJ);
	c = j->lookup(m->token, j->lookup_arg);
	if (!c || !c->msk || c->local_token != m->token)
		return join_fail(j, XMP_JOIN_FAIL_NO_TOKEN);
	j->conn = c;
	j->token = m->token;
	if (ring_has(c, m->nonce, true))
		return join_fail(j, XMP_JOIN_FAIL_REPLAY);
	why = conn_refuses(c);
	if (why)
		return join_fail(j, why);
	msk = c->msk;
	err = xmp_crypto_join_thmac(msk->local_key, msk->remote_key, j->local_nonce, m->nonce,
				    &j->thmac);
	if (err)
		return join_abort(j, err);
	j->remote_nonce = m->nonce;
	j->remote_id = m->addr_id;
	j->remote_backup = m->backup;
	ring_add(c, j->local_nonce, j->remote_nonce);
	j->state = XMP_JOIN_SYN_RCVD;
	j->mib[XMP_JOIN_MIB_SYN_RX]++;
	if (m->backup)
		j->mib[XMP_JOIN_MIB_SYN_BACKUP_RX]++;
	return 0;
}

/* 3.2, client: the SYN-ACK proves the server knows both keys. */
static int rcv_synack(struct xmp_join *j, const struct xmp_mp_opt *in)
{
	const struct xmp_mpj *m = &in->mpj;
	struct xmp_join_conn *c = j->conn;
	__u8 md[XMP_SHA256_LEN];
	int err;

	if (j->state == XMP_JOIN_PRE_ESTABLISHED || j->state == XMP_JOIN_ESTABLISHED) {
		/* Retransmitted SYN-ACK (our third ACK was lost or is late):
		 * TCP acks it again, which repeats the third ACK. */
		if ((in->suboptions & XMP_MPO_MPJ_SYNACK) && m->nonce == j->remote_nonce &&
		    m->thmac == j->thmac) {
			j->mib[XMP_JOIN_MIB_SYNACK_DUP]++;
			return 0;
		}
		return join_ignored(j);
	}
	if (j->state != XMP_JOIN_SYN_SENT)
		return join_ignored(j);
	if (!(in->suboptions & XMP_MPO_MPJ_SYNACK))
		return join_fail(j, XMP_JOIN_FAIL_NO_MPJ); /* no fallback for a join */
	/* Checked as the server computed it: its key and nonce first. */
	err = xmp_crypto_join_check_thmac(c->msk->remote_key, c->msk->local_key, m->nonce,
					  j->local_nonce, m->thmac);
	if (err == -EBADMSG)
		return join_fail(j, XMP_JOIN_FAIL_THMAC);
	if (err)
		return join_abort(j, err);
	if (ring_has(c, m->nonce, true))
		return join_fail(j, XMP_JOIN_FAIL_REPLAY);
	if (conn_refuses(c))
		return join_fail(j, conn_refuses(c));
	err = xmp_crypto_join_hmac(c->msk->local_key, c->msk->remote_key, j->local_nonce, m->nonce,
				   md);
	if (err)
		return join_abort(j, err);
	memcpy(j->hmac, md, sizeof(j->hmac));
	j->remote_nonce = m->nonce;
	j->remote_id = m->addr_id;
	j->remote_backup = m->backup;
	j->thmac = m->thmac;
	ring_add(c, j->local_nonce, j->remote_nonce);
	/* The server establishes on our third ACK: the slot is taken now. */
	take_slot(j);
	j->state = XMP_JOIN_PRE_ESTABLISHED;
	j->mib[XMP_JOIN_MIB_SYNACK_RX]++;
	if (m->backup)
		j->mib[XMP_JOIN_MIB_SYNACK_BACKUP_RX]++;
	return 0;
}

static int check_hmac(const struct xmp_join *j, const __u8 *hmac)
{
	const struct xmp_msk *msk = j->conn->msk;

	/* The client computed it with its key and nonce first. */
	return xmp_crypto_join_check_hmac(msk->remote_key, msk->local_key, j->remote_nonce,
					  j->local_nonce, hmac);
}

/* 3.2, server: the third ACK proves the client knows both keys. */
static int rcv_ack(struct xmp_join *j, const struct xmp_mp_opt *in)
{
	bool has = in->suboptions & XMP_MPO_MPJ_ACK;
	int err;

	if (j->state == XMP_JOIN_ESTABLISHED) {
		/* The client repeats its third ACK until our ACK reaches it:
		 * the fourth ACK was lost, send it again (a pure ACK would
		 * not make TCP answer). */
		if (has && !check_hmac(j, in->mpj.hmac)) {
			j->mib[XMP_JOIN_MIB_ACK_DUP]++;
			return XMP_JOIN_SEND_ACK;
		}
		return has ? join_ignored(j) : 0;
	}
	if (j->state != XMP_JOIN_SYN_RCVD)
		return join_ignored(j);
	if (!has)
		return join_fail(j, XMP_JOIN_FAIL_NO_MPJ);
	err = check_hmac(j, in->mpj.hmac);
	if (err == -EBADMSG)
		return join_fail(j, XMP_JOIN_FAIL_HMAC);
	if (err)
		return join_abort(j, err);
	/* Checked again: other joins may have completed, or the connection
	 * closed, since our SYN-ACK. */
	if (conn_refuses(j->conn))
		return join_fail(j, conn_refuses(j->conn));
	take_slot(j);
	j->state = XMP_JOIN_ESTABLISHED;
	j->mib[XMP_JOIN_MIB_ACK_RX]++;
	return XMP_JOIN_SEND_ACK;
}

/* 3.2, client: the server sends nothing but SYN-ACKs until it has our third
 * ACK, so any later ACK from it acknowledges the third ACK. */
static int rcv_fourth_ack(struct xmp_join *j)
{
	if (j->state != XMP_JOIN_PRE_ESTABLISHED)
		return 0;
	j->state = XMP_JOIN_ESTABLISHED;
	j->mib[XMP_JOIN_MIB_FOURTH_ACK_RX]++;
	return 0;
}

int xmp_join_rcv_options(struct xmp_join *j, __u8 flags, const struct xmp_mp_opt *in)
{
	if (!j || !in)
		return -EINVAL;
	if (in->suboptions & XMP_MPO_TCPRST)
		j->peer_rst_reason = in->rst.reason;
	if (flags & JOIN_TH_RST)
		return 0;
	if (j->state == XMP_JOIN_FAILED)
		return fail_tab[j->fail].err; /* reset again */
	if ((flags & JOIN_TH_SYN) && !(flags & JOIN_TH_ACK))
		return j->role == XMP_JOIN_SERVER ? rcv_syn(j, in) : join_ignored(j);
	if (flags & JOIN_TH_SYN)
		return j->role == XMP_JOIN_CLIENT ? rcv_synack(j, in) : join_ignored(j);
	if (!(flags & JOIN_TH_ACK))
		return 0;
	return j->role == XMP_JOIN_SERVER ? rcv_ack(j, in) : rcv_fourth_ack(j);
}

int xmp_join_ack_timeout(struct xmp_join *j)
{
	if (!j || j->role != XMP_JOIN_CLIENT || j->state != XMP_JOIN_PRE_ESTABLISHED)
		return -EINVAL;
	if (j->ack_rtx >= XMP_JOIN_ACK_RTX_MAX)
		return join_fail(j, XMP_JOIN_FAIL_ACK_TIMEOUT);
	j->ack_rtx++;
	j->mib[XMP_JOIN_MIB_ACK_RTX]++;
	return 0;
}

static const char *const join_state_names[] = { XMP_JOIN_STATE_LIST(XMP_NAME_ROW) };
static const char *const join_fail_names[] = { XMP_JOIN_FAIL_LIST(XMP_NAME_ROW) };

const char *xmp_join_state_name(enum xmp_join_state st)
{
	return XMP_NAME_OF(join_state_names, st, "?");
}

const char *xmp_join_fail_name(enum xmp_join_fail f)
{
	return XMP_NAME_OF(join_fail_names, f, "?");
}

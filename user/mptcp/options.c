// SPDX-License-Identifier: GPL-2.0
/*
 * MPTCP v1 option codec (RFC 8684 section 3): decode the MPTCP suboptions of
 * a TCP option area and encode every subtype, following the length rules and
 * alignment of Linux net/mptcp/options.c so both ends read the same bytes.
 *
 * Called by the subflow glue on every received segment (xmp_mp_decode_at()
 * where the segment's option parse, a walk or bpf/xdp_steer's offsets,
 * located them; xmp_mp_parse() on a bare area) and when building every
 * outgoing segment (xmp_mp_write_*()). Pure: no I/O, no allocation.
 * A malformed suboption is ignored, never fatal, and counted by reason.
 */
#include <errno.h>
#include <string.h>

#include "common/byteorder.h"
#include "mptcp/options.h"

/* Internal "no drop" value of the per-subtype decoders. */
#define MPD_OK XMP_MPD_NR

static const char *const drop_names[] = { XMP_MP_DROP_LIST(XMP_NAME_ROW) };

const char *xmp_mp_drop_name(enum xmp_mp_drop why)
{
	return XMP_NAME_OF(drop_names, why, "unknown");
}

/* ---- decoding ---------------------------------------------------------- */

/* Record that the suboptions in @bits were decoded; @group holds the bits of
 * the same kind (the MP_CAPABLE or MP_JOIN variants share one struct). */
static void mark(struct xmp_mp_opt *mp, __u32 bits, __u32 group, int *dup)
{
	if (mp->suboptions & group)
		*dup = 1;
	mp->suboptions = (mp->suboptions & ~group) | bits;
}

/* RFC 8684 3.1: MP_CAPABLE. Variant by length, as Linux (which
 * also checks it against the SYN/ACK flags; the subflow engine does that). */
static enum xmp_mp_drop decode_mpc(const __u8 *p, int len, struct xmp_mp_opt *mp, int *dup)
{
	struct xmp_mpc m = { 0 };
	__u32 bit;

	switch (len) {
	case MPTCPOLEN_MPC_SYN:
		m.variant = XMP_MPC_SYN;
		bit = XMP_MPO_MPC_SYN;
		break;
	case MPTCPOLEN_MPC_SYNACK:
		m.variant = XMP_MPC_SYNACK;
		bit = XMP_MPO_MPC_SYNACK;
		break;
	case MPTCPOLEN_MPC_ACK:
		m.variant = XMP_MPC_ACK;
		bit = XMP_MPO_MPC_ACK;
		break;
	case MPTCPOLEN_MPC_ACK_DATA_CSUM:
		m.csum_present = 1;
		/* fallthrough */
	case MPTCPOLEN_MPC_ACK_DATA:
		m.variant = XMP_MPC_ACK_DATA;
		bit = XMP_MPO_MPC_ACK;
		break;
	default:
		return XMP_MPD_MPC_LEN;
	}

	/* A SYN may offer a later version, to which we answer v1 (3.1:
	 * "the lower of the two"); every other variant must be v1. */
	m.version = p[2] & MPTCP_VERSION_MASK;
	if (m.version < MPTCP_VERSION_1 || (len != MPTCPOLEN_MPC_SYN && m.version != MPTCP_VERSION_1))
		return XMP_MPD_MPC_VERSION;

	/* H (HMAC-SHA256) must be the only crypto bit; B is reserved for an
	 * extension this version does not define. */
	m.flags = p[3];
	if ((m.flags & MPTCP_CAP_FLAG_MASK) != MPTCP_CAP_HMAC_SHA256 ||
	    (m.flags & MPTCP_CAP_EXTENSIBILITY))
		return XMP_MPD_MPC_FLAGS;

	if (len >= MPTCPOLEN_MPC_SYNACK)
		m.sndr_key = get_be64(p + 4);
	if (len >= MPTCPOLEN_MPC_ACK)
		m.rcvr_key = get_be64(p + 12);
	if (len >= MPTCPOLEN_MPC_ACK_DATA)
		m.data_len = get_be16(p + 20);
	if (m.csum_present)
		m.csum = get_be16(p + 22);

	mark(mp, bit, XMP_MPO_MPC, dup);
	mp->mpc = m;
	return MPD_OK;
}

/* RFC 8684 3.2: MP_JOIN (SYN, SYN-ACK, third ACK). */
static enum xmp_mp_drop decode_mpj(const __u8 *p, int len, struct xmp_mp_opt *mp, int *dup)
{
	struct xmp_mpj j = { 0 };
	__u32 bit;

	switch (len) {
	case MPTCPOLEN_MPJ_SYN:
		j.variant = XMP_MPJ_SYN;
		j.token = get_be32(p + 4);
		j.nonce = get_be32(p + 8);
		bit = XMP_MPO_MPJ_SYN;
		break;
	case MPTCPOLEN_MPJ_SYNACK:
		j.variant = XMP_MPJ_SYNACK;
		j.thmac = get_be64(p + 4);
		j.nonce = get_be32(p + 12);
		bit = XMP_MPO_MPJ_SYNACK;
		break;
	case MPTCPOLEN_MPJ_ACK:
		j.variant = XMP_MPJ_ACK;
		memcpy(j.hmac, p + 4, MPTCP_JOIN_HMAC_LEN);
		bit = XMP_MPO_MPJ_ACK;
		break;
	default:
		return XMP_MPD_MPJ_LEN;
	}
	/* The third ACK's flag bits and fourth byte are reserved. */
	if (j.variant != XMP_MPJ_ACK) {
		j.backup = p[2] & MPTCP_JOIN_BACKUP;
		j.addr_id = p[3];
	}
	mark(mp, bit, XMP_MPO_MPJ, dup);
	mp->mpj = j;
	return MPD_OK;
}

/* RFC 8684 3.3: DSS. The length must match the flags, with or
 * without the 2-byte checksum: whether the checksum had to be there is the
 * connection's business (3.3.1 wants a RST either way), as in Linux. */
static enum xmp_mp_drop decode_dss(const __u8 *p, int len, struct xmp_mp_opt *mp, int *dup)
{
	struct xmp_dss d = { 0 };
	int expected, off = 4;

	if (len < MPTCPOLEN_DSS_BASE)
		return XMP_MPD_DSS_LEN;
	d.flags = p[3] & MPTCP_DSS_FLAG_MASK;
	expected = xmp_mp_dss_len(d.flags, false);
	if (len != expected && len != expected + MPTCPOLEN_DSS_CSUM)
		return XMP_MPD_DSS_LEN;

	/* a, m and F mean nothing without A or M: the length ignores them
	 * (as Linux), and so do the decoded booleans. */
	d.use_ack = !!(d.flags & MPTCP_DSS_HAS_ACK);
	d.ack64 = d.use_ack && (d.flags & MPTCP_DSS_ACK64);
	d.use_map = !!(d.flags & MPTCP_DSS_HAS_MAP);
	d.dsn64 = d.use_map && (d.flags & MPTCP_DSS_DSN64);
	d.data_fin = d.use_map && (d.flags & MPTCP_DSS_DATA_FIN);
	d.flags = xmp_mp_dss_flags(&d);

	if (d.use_ack) {
		d.data_ack = d.ack64 ? get_be64(p + off) : get_be32(p + off);
		off += d.ack64 ? MPTCPOLEN_DSS_ACK64 : MPTCPOLEN_DSS_ACK32;
	}
	if (d.use_map) {
		d.data_seq = d.dsn64 ? get_be64(p + off) : get_be32(p + off);
		off += d.dsn64 ? 8 : 4;
		d.subflow_seq = get_be32(p + off);
		d.data_len = get_be16(p + off + 4);
		off += 6;
		/* 3.3.1: data-level length 0 is the infinite mapping. */
		d.infinite = d.data_len == 0;
		if (len == expected + MPTCPOLEN_DSS_CSUM) {
			d.csum_present = 1;
			d.csum = get_be16(p + off);
		}
	}
	mark(mp, XMP_MPO_DSS, XMP_MPO_DSS, dup);
	mp->dss = d;
	return MPD_OK;
}

/* RFC 8684 3.4.1: ADD_ADDR. v1 carries no IPVer: the family
 * follows from the length, which differs for echo (no HMAC) and non-echo. */
static enum xmp_mp_drop decode_add_addr(const __u8 *p, int len, struct xmp_mp_opt *mp, int *dup)
{
	struct xmp_add_addr a = { 0 };
	int body, alen;

	a.echo = p[2] & MPTCP_ADDR_ECHO;
	a.hmac_present = !a.echo;
	body = len - (a.echo ? 0 : MPTCPOLEN_ADD_ADDR_HMAC);
	switch (body) {
	case MPTCPOLEN_ADD_ADDR_BASE + MPTCPOLEN_ADD_ADDR_PORT:
		a.port_present = 1;
		/* fallthrough */
	case MPTCPOLEN_ADD_ADDR_BASE:
		a.family = 4;
		alen = 4;
		break;
	case MPTCPOLEN_ADD_ADDR6_BASE + MPTCPOLEN_ADD_ADDR_PORT:
		a.port_present = 1;
		/* fallthrough */
	case MPTCPOLEN_ADD_ADDR6_BASE:
		a.family = 6;
		alen = 16;
		break;
	default:
		return XMP_MPD_ADD_ADDR_LEN;
	}
	a.id = p[3];
	memcpy(a.addr, p + 4, alen);
	if (a.port_present)
		a.port = get_be16(p + 4 + alen);
	if (a.hmac_present)
		a.hmac = get_be64(p + body);

	mark(mp, XMP_MPO_ADD_ADDR, XMP_MPO_ADD_ADDR, dup);
	mp->add_addr = a;
	return MPD_OK;
}

/* RFC 8684 3.4.2: REMOVE_ADDR: one byte per address id. */
static enum xmp_mp_drop decode_rm_addr(const __u8 *p, int len, struct xmp_mp_opt *mp, int *dup)
{
	int nr = len - MPTCPOLEN_RM_ADDR_BASE;

	if (nr < 1 || nr > MPTCP_RM_IDS_MAX)
		return XMP_MPD_RM_ADDR_LEN;
	mark(mp, XMP_MPO_RM_ADDR, XMP_MPO_RM_ADDR, dup);
	memset(&mp->rm_addr, 0, sizeof(mp->rm_addr));
	memcpy(mp->rm_addr.ids, p + MPTCPOLEN_RM_ADDR_BASE, nr);
	mp->rm_addr.nr = (__u8)nr;
	return MPD_OK;
}

/* The fixed-length subtypes: MP_PRIO (3.3.8), MP_FAIL (3.7),
 * MP_FASTCLOSE (3.5), MP_TCPRST (3.6). */
static enum xmp_mp_drop decode_fixed(__u8 subtype, const __u8 *p, int len,
				     struct xmp_mp_opt *mp, int *dup)
{
	switch (subtype) {
	case MPTCPOPT_MP_PRIO:
		if (len != MPTCPOLEN_MP_PRIO)
			return XMP_MPD_PRIO_LEN;
		mark(mp, XMP_MPO_PRIO, XMP_MPO_PRIO, dup);
		mp->prio.backup = p[2] & MPTCP_PRIO_BACKUP;
		return MPD_OK;
	case MPTCPOPT_MP_FAIL:
		if (len != MPTCPOLEN_MP_FAIL)
			return XMP_MPD_FAIL_LEN;
		mark(mp, XMP_MPO_FAIL, XMP_MPO_FAIL, dup);
		mp->fail.data_seq = get_be64(p + 4);
		return MPD_OK;
	case MPTCPOPT_MP_FASTCLOSE:
		if (len != MPTCPOLEN_MP_FASTCLOSE)
			return XMP_MPD_FASTCLOSE_LEN;
		mark(mp, XMP_MPO_FASTCLOSE, XMP_MPO_FASTCLOSE, dup);
		mp->fastclose.rcvr_key = get_be64(p + 4);
		return MPD_OK;
	case MPTCPOPT_MP_TCPRST:
		if (len != MPTCPOLEN_MP_TCPRST)
			return XMP_MPD_TCPRST_LEN;
		mark(mp, XMP_MPO_TCPRST, XMP_MPO_TCPRST, dup);
		mp->rst.flags = p[2] & MPTCP_RST_FLAGS_MASK;
		mp->rst.reason = p[3];
		return MPD_OK;
	}
	return XMP_MPD_BAD_SUBTYPE;
}

/* One MPTCP option of @len bytes (2 <= len, all readable) at @p. */
static enum xmp_mp_drop decode_sub(const __u8 *p, int len, struct xmp_mp_opt *mp, int *dup)
{
	__u8 subtype;

	if (len < 3)
		return XMP_MPD_SHORT;
	subtype = p[2] >> 4;
	switch (subtype) {
	case MPTCPOPT_MP_CAPABLE:
		return decode_mpc(p, len, mp, dup);
	case MPTCPOPT_MP_JOIN:
		return decode_mpj(p, len, mp, dup);
	case MPTCPOPT_DSS:
		return decode_dss(p, len, mp, dup);
	case MPTCPOPT_ADD_ADDR:
		return decode_add_addr(p, len, mp, dup);
	case MPTCPOPT_RM_ADDR:
		return decode_rm_addr(p, len, mp, dup);
	default:
		return decode_fixed(subtype, p, len, mp, dup);
	}
}

int xmp_mp_decode_one(const __u8 *opt, size_t avail, struct xmp_mp_opt *mp)
{
	int dup = 0;

	if (!opt || !mp || avail < 2 || opt[0] != TCPOPT_MPTCP)
		return -EINVAL;
	if (opt[1] < 2 || opt[1] > avail)
		return -EINVAL;
	if (decode_sub(opt, opt[1], mp, &dup) != MPD_OK)
		return -EBADMSG;
	return opt[1];
}

static void count_drop(struct xmp_mp_parse_stats *st, enum xmp_mp_drop why)
{
	if (st)
		st->drop[why]++;
}

/* One MPTCP option of @olen bytes (2..area left) into @mp, counted as
 * Linux's mptcp_get_options() would: a bad suboption only skips itself.
 * Returns 1 when it decoded. */
static int take_sub(const __u8 *opt, __u8 olen, struct xmp_mp_opt *mp,
		    struct xmp_mp_parse_stats *st)
{
	enum xmp_mp_drop why;
	int dup = 0;

	if (st)
		st->mptcp_opts++;
	why = decode_sub(opt, olen, mp, &dup);
	if (why != MPD_OK) {
		count_drop(st, why);
		mp->malformed++;
		return 0;
	}
	if (st) {
		st->decoded++;
		st->dup += dup;
	}
	return 1;
}

/* Scan as the kernel's mptcp_get_options() does: a TCP option whose length
 * is impossible ends the scan (nothing after it can be trusted), a bad
 * MPTCP suboption only skips itself. */
int xmp_mp_parse(const __u8 *opts, size_t len, struct xmp_mp_opt *mp,
		 struct xmp_mp_parse_stats *st)
{
	size_t i = 0;
	int n = 0;

	if ((!opts && len) || !mp)
		return -EINVAL;
	memset(mp, 0, sizeof(*mp));

	while (i < len) {
		__u8 kind = opts[i], olen;

		if (kind == TCPOPT_EOL_)
			break;
		if (kind == TCPOPT_NOP_) {
			i++;
			continue;
		}
		if (len - i < 2) {
			count_drop(st, XMP_MPD_TCPOPT_TRUNC);
			break;
		}
		olen = opts[i + 1];
		if (olen < 2 || olen > len - i) {
			count_drop(st, XMP_MPD_TCPOPT_LEN);
			break;
		}
		if (kind == TCPOPT_MPTCP)
			n += take_sub(opts + i, olen, mp, st);
		i += olen;
	}
	return n;
}

int xmp_mp_decode_at(const __u8 *opts, size_t len, __u64 at, struct xmp_mp_opt *mp,
		     struct xmp_mp_parse_stats *st)
{
	unsigned int i;
	int n = 0;

	if ((!opts && at) || !mp)
		return -EINVAL;
	memset(mp, 0, sizeof(*mp));
	for (; at; at &= at - 1) {
		i = (unsigned int)__builtin_ctzll(at);
		/* the caller located them; still never read past the area */
		if (i + 2 > len || opts[i] != TCPOPT_MPTCP || opts[i + 1] < 2 ||
		    opts[i + 1] > len - i) {
			count_drop(st, XMP_MPD_TCPOPT_LEN);
			break;
		}
		n += take_sub(opts + i, opts[i + 1], mp, st);
	}
	return n;
}

/* ---- encoding ---------------------------------------------------------- */

/* Bytes a suboption of @len takes once padded with NOPs to 32-bit alignment. */
static int aligned(int len)
{
	return (len + 3) & ~3;
}

/* Write the kind/length/subtype header and the trailing NOPs; returns the
 * padded length. The body is filled by the caller between the two. */
static int begin(__u8 *buf, size_t space, int len, __u8 subtype, __u8 nibble)
{
	int total = aligned(len);

	if (!buf)
		return -EINVAL;
	if (space < (size_t)total)
		return -ENOSPC;
	memset(buf + len, TCPOPT_NOP_, total - len);
	buf[0] = TCPOPT_MPTCP;
	buf[1] = (__u8)len;
	buf[2] = (__u8)(subtype << 4 | (nibble & 0x0f));
	return total;
}

int xmp_mp_mpc_len(const struct xmp_mpc *mpc)
{
	switch (mpc->variant) {
	case XMP_MPC_SYN:
		return MPTCPOLEN_MPC_SYN;
	case XMP_MPC_SYNACK:
		return MPTCPOLEN_MPC_SYNACK;
	case XMP_MPC_ACK:
		return MPTCPOLEN_MPC_ACK;
	case XMP_MPC_ACK_DATA:
		return mpc->csum_present ? MPTCPOLEN_MPC_ACK_DATA_CSUM : MPTCPOLEN_MPC_ACK_DATA;
	}
	return 0;
}

/* RFC 8684 3.1. ACK + data without checksum is 22 bytes: Linux follows it
 * with two NOPs, which begin() does. */
int xmp_mp_write_mpc(__u8 *buf, size_t space, const struct xmp_mpc *mpc)
{
	int len, ret;

	if (!mpc)
		return -EINVAL;
	len = xmp_mp_mpc_len(mpc);
	if (!len || mpc->version != MPTCP_VERSION_1)
		return -EINVAL;
	if (mpc->variant != XMP_MPC_ACK_DATA && (mpc->csum_present || mpc->data_len || mpc->csum))
		return -EINVAL;
	if (mpc->variant < XMP_MPC_SYNACK && mpc->sndr_key)
		return -EINVAL;
	if (mpc->variant < XMP_MPC_ACK && mpc->rcvr_key)
		return -EINVAL;

	ret = begin(buf, space, len, MPTCPOPT_MP_CAPABLE, mpc->version);
	if (ret < 0)
		return ret;
	buf[3] = mpc->flags;
	if (len >= MPTCPOLEN_MPC_SYNACK)
		put_be64(buf + 4, mpc->sndr_key);
	if (len >= MPTCPOLEN_MPC_ACK)
		put_be64(buf + 12, mpc->rcvr_key);
	if (len >= MPTCPOLEN_MPC_ACK_DATA)
		put_be16(buf + 20, mpc->data_len);
	if (mpc->csum_present)
		put_be16(buf + 22, mpc->csum);
	return ret;
}

int xmp_mp_mpj_len(const struct xmp_mpj *mpj)
{
	switch (mpj->variant) {
	case XMP_MPJ_SYN:
		return MPTCPOLEN_MPJ_SYN;
	case XMP_MPJ_SYNACK:
		return MPTCPOLEN_MPJ_SYNACK;
	case XMP_MPJ_ACK:
		return MPTCPOLEN_MPJ_ACK;
	}
	return 0;
}

/* RFC 8684 3.2: SYN, SYN-ACK and third-ACK forms. */
int xmp_mp_write_mpj(__u8 *buf, size_t space, const struct xmp_mpj *mpj)
{
	int len, ret;

	if (!mpj)
		return -EINVAL;
	len = xmp_mp_mpj_len(mpj);
	if (!len || mpj->backup > 1)
		return -EINVAL;
	/* The ACK has no B flag nor address id: refuse to drop them silently. */
	if (mpj->variant == XMP_MPJ_ACK && (mpj->backup || mpj->addr_id))
		return -EINVAL;

	ret = begin(buf, space, len, MPTCPOPT_MP_JOIN, mpj->backup);
	if (ret < 0)
		return ret;
	buf[3] = mpj->addr_id;
	switch (mpj->variant) {
	case XMP_MPJ_SYN:
		put_be32(buf + 4, mpj->token);
		put_be32(buf + 8, mpj->nonce);
		break;
	case XMP_MPJ_SYNACK:
		put_be64(buf + 4, mpj->thmac);
		put_be32(buf + 12, mpj->nonce);
		break;
	default:
		memcpy(buf + 4, mpj->hmac, MPTCP_JOIN_HMAC_LEN);
		break;
	}
	return ret;
}

__u8 xmp_mp_dss_flags(const struct xmp_dss *dss)
{
	__u8 flags = 0;

	if (dss->use_ack)
		flags |= MPTCP_DSS_HAS_ACK | (dss->ack64 ? MPTCP_DSS_ACK64 : 0);
	if (dss->use_map)
		flags |= MPTCP_DSS_HAS_MAP | (dss->dsn64 ? MPTCP_DSS_DSN64 : 0);
	if (dss->data_fin)
		flags |= MPTCP_DSS_DATA_FIN;
	return flags;
}

/*
 * RFC 8684 3.3. Sizes (before NOP padding): base 4, DATA_ACK 4/8,
 * mapping 10/14, checksum 2. A 32-bit ACK with a 64-bit mapping and no
 * checksum is 22 bytes, padded with two NOPs as Linux does.
 */
int xmp_mp_write_dss(__u8 *buf, size_t space, const struct xmp_dss *dss)
{
	int len, ret, off = 4;
	__u8 flags;

	if (!dss)
		return -EINVAL;
	/* F and the checksum belong to a mapping (3.3, 3.3.3); a DSS with
	 * neither ack nor mapping says nothing. */
	if ((!dss->use_map && (dss->data_fin || dss->csum_present || dss->dsn64)) ||
	    (!dss->use_ack && dss->ack64) || (!dss->use_ack && !dss->use_map))
		return -EINVAL;
	flags = xmp_mp_dss_flags(dss);
	len = xmp_mp_dss_len(flags, dss->csum_present);

	ret = begin(buf, space, len, MPTCPOPT_DSS, 0);
	if (ret < 0)
		return ret;
	buf[3] = flags;
	if (dss->use_ack) {
		if (dss->ack64) {
			put_be64(buf + off, dss->data_ack);
			off += MPTCPOLEN_DSS_ACK64;
		} else {
			put_be32(buf + off, (__u32)dss->data_ack);
			off += MPTCPOLEN_DSS_ACK32;
		}
	}
	if (dss->use_map) {
		if (dss->dsn64) {
			put_be64(buf + off, dss->data_seq);
			off += 8;
		} else {
			put_be32(buf + off, (__u32)dss->data_seq);
			off += 4;
		}
		put_be32(buf + off, dss->subflow_seq);
		put_be16(buf + off + 4, dss->data_len);
		off += 6;
		if (dss->csum_present)
			put_be16(buf + off, dss->csum);
	}
	return ret;
}

int xmp_mp_add_addr_len(const struct xmp_add_addr *aa)
{
	int len;

	if (aa->family == 4)
		len = MPTCPOLEN_ADD_ADDR_BASE;
	else if (aa->family == 6)
		len = MPTCPOLEN_ADD_ADDR6_BASE;
	else
		return 0;
	if (aa->port_present)
		len += MPTCPOLEN_ADD_ADDR_PORT;
	if (!aa->echo)
		len += MPTCPOLEN_ADD_ADDR_HMAC;
	return len;
}

/* RFC 8684 3.4.1: id, address, optional port, then the
 * truncated HMAC unless this is the echo. */
int xmp_mp_write_add_addr(__u8 *buf, size_t space, const struct xmp_add_addr *aa)
{
	int len, ret, alen, off;

	if (!aa)
		return -EINVAL;
	len = xmp_mp_add_addr_len(aa);
	if (!len || aa->echo > 1 || aa->hmac_present != !aa->echo ||
	    (!aa->port_present && aa->port))
		return -EINVAL;

	ret = begin(buf, space, len, MPTCPOPT_ADD_ADDR, aa->echo ? MPTCP_ADDR_ECHO : 0);
	if (ret < 0)
		return ret;
	alen = aa->family == 4 ? 4 : 16;
	buf[3] = aa->id;
	memcpy(buf + 4, aa->addr, alen);
	off = 4 + alen;
	if (aa->port_present) {
		put_be16(buf + off, aa->port);
		off += MPTCPOLEN_ADD_ADDR_PORT;
	}
	if (!aa->echo)
		put_be64(buf + off, aa->hmac);
	return ret;
}

/* RFC 8684 3.4.2: one byte per id after the subtype byte. */
int xmp_mp_write_rm_addr(__u8 *buf, size_t space, const struct xmp_rm_addr *rm)
{
	int ret;

	if (!rm || rm->nr < 1 || rm->nr > MPTCP_RM_IDS_MAX)
		return -EINVAL;
	ret = begin(buf, space, MPTCPOLEN_RM_ADDR_BASE + rm->nr, MPTCPOPT_RM_ADDR, 0);
	if (ret < 0)
		return ret;
	memcpy(buf + MPTCPOLEN_RM_ADDR_BASE, rm->ids, rm->nr);
	return ret;
}

/* RFC 8684 3.3.8: 3 bytes, B in the subtype byte. */
int xmp_mp_write_prio(__u8 *buf, size_t space, const struct xmp_prio *prio)
{
	if (!prio || prio->backup > 1)
		return -EINVAL;
	return begin(buf, space, MPTCPOLEN_MP_PRIO, MPTCPOPT_MP_PRIO, prio->backup);
}

/* 12-byte options with a reserved byte and a 64-bit value. */
static int write_u64_opt(__u8 *buf, size_t space, __u8 subtype, __u64 v)
{
	int ret = begin(buf, space, 12, subtype, 0);

	if (ret < 0)
		return ret;
	buf[3] = 0;
	put_be64(buf + 4, v);
	return ret;
}

/* RFC 8684 3.7: the DSN where the checksum failed. */
int xmp_mp_write_fail(__u8 *buf, size_t space, const struct xmp_fail *fail)
{
	if (!fail)
		return -EINVAL;
	return write_u64_opt(buf, space, MPTCPOPT_MP_FAIL, fail->data_seq);
}

/* RFC 8684 3.5: the option receiver's key. */
int xmp_mp_write_fastclose(__u8 *buf, size_t space, const struct xmp_fastclose *fc)
{
	if (!fc)
		return -EINVAL;
	return write_u64_opt(buf, space, MPTCPOPT_MP_FASTCLOSE, fc->rcvr_key);
}

/* RFC 8684 3.6: U V W T flags, then the reason code. */
int xmp_mp_write_tcprst(__u8 *buf, size_t space, const struct xmp_tcprst *rst)
{
	int ret;

	if (!rst || (rst->flags & ~MPTCP_RST_FLAGS_MASK))
		return -EINVAL;
	ret = begin(buf, space, MPTCPOLEN_MP_TCPRST, MPTCPOPT_MP_TCPRST, rst->flags);
	if (ret < 0)
		return ret;
	buf[3] = rst->reason;
	return ret;
}

static __u32 mpc_bit(__u8 variant)
{
	switch (variant) {
	case XMP_MPC_SYN:
		return XMP_MPO_MPC_SYN;
	case XMP_MPC_SYNACK:
		return XMP_MPO_MPC_SYNACK;
	case XMP_MPC_ACK:
	case XMP_MPC_ACK_DATA:
		return XMP_MPO_MPC_ACK;
	}
	return 0;
}

static __u32 mpj_bit(__u8 variant)
{
	switch (variant) {
	case XMP_MPJ_SYN:
		return XMP_MPO_MPJ_SYN;
	case XMP_MPJ_SYNACK:
		return XMP_MPO_MPJ_SYNACK;
	case XMP_MPJ_ACK:
		return XMP_MPO_MPJ_ACK;
	}
	return 0;
}

int xmp_mp_write(__u8 *buf, size_t space, const struct xmp_mp_opt *mp)
{
	__u32 s;
	size_t off = 0;
	int ret = 0;

	if (!buf || !mp)
		return -EINVAL;
	s = mp->suboptions;
	/* The variant bit must agree with the variant the struct holds. */
	if ((s & XMP_MPO_MPC) && (s & XMP_MPO_MPC) != mpc_bit(mp->mpc.variant))
		return -EINVAL;
	if ((s & XMP_MPO_MPJ) && (s & XMP_MPO_MPJ) != mpj_bit(mp->mpj.variant))
		return -EINVAL;

#define XMP_PUT(bit, call)                                                       \
	do {                                                                     \
		if (s & (bit)) {                                                 \
			ret = call;                                              \
			if (ret < 0)                                             \
				return ret;                                      \
			off += ret;                                              \
		}                                                                \
	} while (0)

	XMP_PUT(XMP_MPO_MPC, xmp_mp_write_mpc(buf + off, space - off, &mp->mpc));
	XMP_PUT(XMP_MPO_MPJ, xmp_mp_write_mpj(buf + off, space - off, &mp->mpj));
	XMP_PUT(XMP_MPO_DSS, xmp_mp_write_dss(buf + off, space - off, &mp->dss));
	XMP_PUT(XMP_MPO_ADD_ADDR, xmp_mp_write_add_addr(buf + off, space - off, &mp->add_addr));
	XMP_PUT(XMP_MPO_RM_ADDR, xmp_mp_write_rm_addr(buf + off, space - off, &mp->rm_addr));
	XMP_PUT(XMP_MPO_PRIO, xmp_mp_write_prio(buf + off, space - off, &mp->prio));
	XMP_PUT(XMP_MPO_FAIL, xmp_mp_write_fail(buf + off, space - off, &mp->fail));
	XMP_PUT(XMP_MPO_FASTCLOSE, xmp_mp_write_fastclose(buf + off, space - off, &mp->fastclose));
	XMP_PUT(XMP_MPO_TCPRST, xmp_mp_write_tcprst(buf + off, space - off, &mp->rst));
#undef XMP_PUT
	return (int)off;
}

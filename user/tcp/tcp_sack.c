// SPDX-License-Identifier: GPL-2.0
/*
 * SACK for the subflow engine (RFC 2018, RFC 6675).
 * Receiver: the out-of-order map (sk->ofo) gives the SACK blocks we send,
 * most recently changed first (RFC 2018 4). Sender: the scoreboard
 * (sk->sacked) records what the peer holds above SND.UNA; IsLost(), the pipe
 * estimate and NextSeg() of RFC 6675 4 drive retransmission in recovery.
 * Both are fixed-size range sets, so memory stays bounded; a range that does
 * not fit is refused and the caller counts it.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp_int.h"

void xmp_ranges_reset(struct xmp_range_set *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * Adds [start, end), merging overlapping and adjacent ranges, sorted by
 * sequence. Returns 0, or -ENOSPC when it would need a slot that is not
 * there (the set is then unchanged).
 */
int xmp_ranges_add(struct xmp_range_set *s, __u32 start, __u32 end)
{
	struct xmp_seq_range out[XMP_TCP_MAX_RANGES];
	unsigned int i, n = 0, at = 0;
	bool placed = false;

	if (!xmp_seq_before(start, end))
		return 0;
	/* Absorb every range touching [start, end). */
	for (i = 0; i < s->n; i++) {
		const struct xmp_seq_range *r = &s->r[i];

		if (xmp_seq_before(r->end, start) || xmp_seq_after(r->start, end))
			continue;
		if (xmp_seq_before(r->start, start))
			start = r->start;
		if (xmp_seq_after(r->end, end))
			end = r->end;
	}
	for (i = 0; i < s->n; i++) {
		const struct xmp_seq_range *r = &s->r[i];

		if (!xmp_seq_before(r->end, start) && !xmp_seq_after(r->start, end))
			continue; /* absorbed */
		if (!placed && xmp_seq_after(r->start, end)) {
			if (n == XMP_TCP_MAX_RANGES)
				return -ENOSPC;
			at = n;
			out[n++] = (struct xmp_seq_range){ start, end, 0 };
			placed = true;
		}
		if (n == XMP_TCP_MAX_RANGES)
			return -ENOSPC;
		out[n++] = *r;
	}
	if (!placed) {
		if (n == XMP_TCP_MAX_RANGES)
			return -ENOSPC;
		at = n;
		out[n++] = (struct xmp_seq_range){ start, end, 0 };
	}
	out[at].stamp = ++s->clock;
	memcpy(s->r, out, n * sizeof(out[0]));
	s->n = n;
	return 0;
}

/* Forgets everything below seq (acknowledged or delivered). */
void xmp_ranges_trim_below(struct xmp_range_set *s, __u32 seq)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->n; i++) {
		struct xmp_seq_range r = s->r[i];

		if (!xmp_seq_after(r.end, seq))
			continue;
		if (xmp_seq_before(r.start, seq))
			r.start = seq;
		s->r[n++] = r;
	}
	s->n = n;
}

__u32 xmp_ranges_bytes_above(const struct xmp_range_set *s, __u32 seq)
{
	__u32 sum = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		const struct xmp_seq_range *r = &s->r[i];

		if (!xmp_seq_after(r->end, seq))
			continue;
		sum += r->end - (xmp_seq_after(r->start, seq) ? r->start : seq);
	}
	return sum;
}

bool xmp_ranges_contains(const struct xmp_range_set *s, __u32 seq)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (xmp_seq_geq(seq, s->r[i].start) && xmp_seq_before(seq, s->r[i].end))
			return true;
	return false;
}

/* Start of the first range after seq, or limit when none is before it. */
__u32 xmp_ranges_next_start(const struct xmp_range_set *s, __u32 seq, __u32 limit)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (xmp_seq_after(s->r[i].start, seq) && xmp_seq_before(s->r[i].start, limit))
			limit = s->r[i].start;
	return limit;
}

/* End of the range holding seq, or seq itself when none does. */
__u32 xmp_ranges_end_at(const struct xmp_range_set *s, __u32 seq)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (xmp_seq_geq(seq, s->r[i].start) && xmp_seq_before(seq, s->r[i].end))
			return s->r[i].end;
	return seq;
}

/* Blocks to send, most recently updated first (RFC 2018 4). */
unsigned int xmp_tcp_sack_blocks(const struct xmp_tcp_sock *sk, __u32 (*blocks)[2],
				 unsigned int max)
{
	bool used[XMP_TCP_MAX_RANGES] = { false };
	unsigned int n, i, best;

	for (n = 0; n < max && n < sk->ofo.n; n++) {
		best = XMP_TCP_MAX_RANGES;
		for (i = 0; i < sk->ofo.n; i++)
			if (!used[i] && (best == XMP_TCP_MAX_RANGES ||
					 sk->ofo.r[i].stamp > sk->ofo.r[best].stamp))
				best = i;
		used[best] = true;
		blocks[n][0] = sk->ofo.r[best].start;
		blocks[n][1] = sk->ofo.r[best].end;
	}
	return n;
}

/* Records the peer's SACK blocks that lie in SND.UNA..SND.MAX. */
void xmp_tcp_sack_update(struct xmp_tcp_sock *sk, const struct xmp_tcp_opt_rx *rx)
{
	unsigned int i;

	for (i = 0; i < rx->nr_sack; i++) {
		__u32 start = rx->sack[i][0], end = rx->sack[i][1];

		if (!xmp_seq_before(start, end) || xmp_seq_after(end, sk->snd_max) ||
		    xmp_seq_before(start, sk->snd_una - sk->max_snd_wnd)) {
			tcp_mib_inc(sk, XMP_TCP_MIB_SACK_INVALID);
			continue;
		}
		if (!xmp_seq_after(end, sk->snd_una))
			continue; /* old or D-SACK: nothing new */
		if (xmp_seq_before(start, sk->snd_una))
			start = sk->snd_una;
		tcp_mib_inc(sk, XMP_TCP_MIB_SACKS_RCVD);
		/* A full scoreboard only makes recovery less precise. */
		xmp_ranges_add(&sk->sacked, start, end);
	}
}

/* RFC 6675 4 IsLost(): DupThresh discontiguous SACKed ranges or more than
 * (DupThresh - 1) * SMSS SACKed bytes above seq. */
bool xmp_tcp_sack_is_lost(const struct xmp_tcp_sock *sk, __u32 seq)
{
	unsigned int i, above = 0;

	for (i = 0; i < sk->sacked.n; i++)
		if (xmp_seq_after(sk->sacked.r[i].start, seq))
			above++;
	if (above >= XMP_TCP_DUPTHRESH)
		return true;
	return xmp_ranges_bytes_above(&sk->sacked, seq) > (XMP_TCP_DUPTHRESH - 1) * sk->mss;
}

/*
 * RFC 6675 4 SetPipe(): bytes believed in the network. Walks the unSACKed
 * parts of SND.UNA..SND.MAX in MSS steps: a chunk counts once unless lost,
 * and once more if it was retransmitted (below HighRxt).
 */
__u32 xmp_tcp_sack_pipe(const struct xmp_tcp_sock *sk)
{
	__u32 seq = sk->snd_una, pipe = 0, len, end;

	while (xmp_seq_before(seq, sk->snd_max)) {
		end = xmp_ranges_end_at(&sk->sacked, seq);
		if (end != seq) {
			seq = end;
			continue;
		}
		end = xmp_ranges_next_start(&sk->sacked, seq, sk->snd_max);
		len = tcp_min(end - seq, sk->mss);
		if (!xmp_tcp_sack_is_lost(sk, seq))
			pipe += len;
		if (xmp_seq_before(seq, sk->high_rxt))
			pipe += len;
		seq += len;
	}
	return pipe;
}

/*
 * RFC 6675 4 NextSeg() rule 1: the first unSACKed bytes at or above HighRxt
 * that are lost. Rules 2 (new data) is the caller's; rules 3 and 4 are not
 * used (RTO covers those cases).
 */
bool xmp_tcp_sack_next_seg(const struct xmp_tcp_sock *sk, __u32 *seqp, __u32 *lenp)
{
	__u32 seq = xmp_seq_after(sk->high_rxt, sk->snd_una) ? sk->high_rxt : sk->snd_una;
	__u32 end;

	while (xmp_seq_before(seq, sk->snd_max)) {
		end = xmp_ranges_end_at(&sk->sacked, seq);
		if (end != seq) {
			seq = end;
			continue;
		}
		if (!xmp_tcp_sack_is_lost(sk, seq))
			return false;
		end = xmp_ranges_next_start(&sk->sacked, seq, sk->snd_max);
		*seqp = seq;
		*lenp = tcp_min(end - seq, sk->mss);
		return true;
	}
	return false;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Subflow TCP engine: private header shared by the user/tcp/ files, grouped
 * by file. Not for the layers above (they use tcp.h).
 */
#ifndef XMP_TCP_INT_H
#define XMP_TCP_INT_H

#include "tcp/tcp.h"

#define XMP_TCP_DEFAULT_MSS    536 /* RFC 9293 3.7.1: when the peer sends none */
#define XMP_TCP_DUPTHRESH      3   /* RFC 6675 DupThresh */
#define XMP_TCP_MAX_WSCALE     14  /* RFC 7323 2.3 */
#define XMP_TCP_INIT_CWND_SEGS 10  /* RFC 6928 */

static inline void tcp_mib_inc(struct xmp_tcp_sock *sk, enum xmp_tcp_mib m)
{
	sk->mib[m]++;
}

static inline void tcp_event(struct xmp_tcp_sock *sk, unsigned int ev)
{
	sk->pending_ev |= ev;
}

static inline __u32 tcp_min(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

static inline __u32 tcp_max(__u32 a, __u32 b)
{
	return a > b ? a : b;
}

/* Sequence number just past the data in the send buffer. */
static inline __u32 tcp_data_end(const struct xmp_tcp_sock *sk)
{
	return sk->snd_buf_seq + sk->sndq.len;
}

/* Bytes sent and not yet acknowledged (SND.MAX - SND.UNA). */
static inline __u32 tcp_flight(const struct xmp_tcp_sock *sk)
{
	return sk->snd_max - sk->snd_una;
}

static inline bool tcp_synchronized(const struct xmp_tcp_sock *sk)
{
	return sk->state >= XMP_TCP_ESTABLISHED;
}

/* tcp_options.c (parsing: tcp.h) */
int xmp_tcp_write_syn_options(__u8 *buf, unsigned int space, __u16 mss, int wscale, bool sack_ok,
			      bool ts, __u32 tsval, __u32 tsecr);
int xmp_tcp_write_ts(__u8 *buf, unsigned int space, __u32 tsval, __u32 tsecr);
int xmp_tcp_write_sack(__u8 *buf, unsigned int space, const __u32 (*blocks)[2], unsigned int n);

/* tcp_buf.c */
int xmp_ring_init(struct xmp_ring *r, __u32 cap);
void xmp_ring_free(struct xmp_ring *r);
__u32 xmp_ring_space(const struct xmp_ring *r);
void xmp_ring_write_at(struct xmp_ring *r, __u32 off, const __u8 *src, __u32 n);
void xmp_ring_read_at(const struct xmp_ring *r, __u32 off, __u8 *dst, __u32 n);
const __u8 *xmp_ring_contig(const struct xmp_ring *r, __u32 off, __u32 *n);
void xmp_ring_consume(struct xmp_ring *r, __u32 n);
void xmp_ring_skip(struct xmp_ring *r, __u32 n);

/* tcp_sack.c */
void xmp_ranges_reset(struct xmp_range_set *s);
int xmp_ranges_add(struct xmp_range_set *s, __u32 start, __u32 end);
void xmp_ranges_trim_below(struct xmp_range_set *s, __u32 seq);
__u32 xmp_ranges_bytes_above(const struct xmp_range_set *s, __u32 seq);
__u32 xmp_ranges_end_at(const struct xmp_range_set *s, __u32 seq);
bool xmp_ranges_contains(const struct xmp_range_set *s, __u32 seq);
__u32 xmp_ranges_next_start(const struct xmp_range_set *s, __u32 seq, __u32 limit);
unsigned int xmp_tcp_sack_blocks(const struct xmp_tcp_sock *sk, __u32 (*blocks)[2],
				 unsigned int max);
void xmp_tcp_sack_update(struct xmp_tcp_sock *sk, const struct xmp_tcp_opt_rx *rx);
bool xmp_tcp_sack_is_lost(const struct xmp_tcp_sock *sk, __u32 seq);
__u32 xmp_tcp_sack_pipe(const struct xmp_tcp_sock *sk);
bool xmp_tcp_sack_next_seg(const struct xmp_tcp_sock *sk, __u32 *seq, __u32 *len);

/* tcp_output.c */
int xmp_tcp_send_syn(struct xmp_tcp_sock *sk);
void xmp_tcp_send_ack(struct xmp_tcp_sock *sk);
void xmp_tcp_send_challenge_ack(struct xmp_tcp_sock *sk);
void xmp_tcp_send_rst(struct xmp_tcp_sock *sk, __u32 seq, __u32 ack, bool with_ack);
void xmp_tcp_send_probe(struct xmp_tcp_sock *sk);
__u32 xmp_tcp_xmit_data(struct xmp_tcp_sock *sk, __u32 seq, __u32 len, bool rexmit);
void xmp_tcp_output(struct xmp_tcp_sock *sk);
__u32 xmp_tcp_rcv_wnd(const struct xmp_tcp_sock *sk);

/* tcp_input.c */
void xmp_tcp_negotiate(struct xmp_tcp_sock *sk, const struct xmp_tcp_opt_rx *rx);

/* tcp_timer.c */
void xmp_tcp_rtt_sample(struct xmp_tcp_sock *sk, __u32 rtt_us);
void xmp_tcp_arm_rto(struct xmp_tcp_sock *sk);
void xmp_tcp_arm_persist(struct xmp_tcp_sock *sk);
void xmp_tcp_schedule_delack(struct xmp_tcp_sock *sk);
void xmp_tcp_enter_time_wait(struct xmp_tcp_sock *sk);

/* tcp.c */
void xmp_tcp_set_state(struct xmp_tcp_sock *sk, enum xmp_tcp_state st);
void xmp_tcp_done(struct xmp_tcp_sock *sk, int err, unsigned int ev);
void xmp_tcp_enter(struct xmp_tcp_sock *sk, __u64 now);
void xmp_tcp_leave(struct xmp_tcp_sock *sk);
__u32 xmp_tcp_tsval(const struct xmp_tcp_sock *sk);

/* tcp_cc.c */
void xmp_tcp_cc_init(struct xmp_tcp_sock *sk);

#endif

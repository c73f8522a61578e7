// SPDX-License-Identifier: GPL-2.0
/*
 * The application end of an xmptcpd connection, in one of two forms:
 *  - built-in source/sink (benchmarks and the namespace tests): the source
 *    hands out a deterministic pseudo-random pattern (or a file's bytes),
 *    the sink takes whatever arrives; both sides are hashed with SHA-256
 *    so a transfer is checked byte for byte against the peer's hash. The
 *    pattern is a function of (seed, offset) alone, so how the connection
 *    chunks the stream never changes it. With a time limit (--send-time)
 *    the source ends that long after its first byte, or at its byte count
 *    if that comes first: the tests size transfers by time where an event
 *    must fall inside one, so the verdict does not depend on CPU speed.
 *  - a kernel TCP socket of an unmodified application (the proxies): the
 *    source is what the app writes, until its EOF; the sink is a bounded
 *    buffer drained into the socket as it takes it. The connection reads
 *    no more than the buffer's free room, so a slow app closes the MPTCP
 *    receive window instead of losing bytes.
 * Called by the connection layer through host.c (produce/consume/flush)
 * and by proxy.c (socket events).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <openssl/evp.h>

#include "common/log.h"
#include "app/xmptcpd.h"

/* splitmix64 finaliser: a well-mixed 64-bit word per 8-byte block. */
static __u64 pattern_word(__u64 seed, __u64 idx)
{
	__u64 z = seed * 0x9e3779b97f4a7c15ULL + idx + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

__u8 xd_pattern_byte(__u64 seed, __u64 off)
{
	return (__u8)(pattern_word(seed, off / 8) >> (8 * (off % 8)));
}

static void pattern_fill(__u64 seed, __u64 off, __u8 *buf, size_t len)
{
	size_t i = 0;
	__u64 w;

	/* bytewise up to a word boundary, then whole words */
	for (; i < len && (off + i) % 8; i++)
		buf[i] = xd_pattern_byte(seed, off + i);
	for (; i + 8 <= len; i += 8) {
		w = htole64(pattern_word(seed, (off + i) / 8)); /* byte k = bits 8k.. */
		memcpy(buf + i, &w, 8);
	}
	for (; i < len; i++)
		buf[i] = xd_pattern_byte(seed, off + i);
}

static void sha_hex(EVP_MD_CTX *ctx, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	hex[0] = '\0';
	if (!ctx || !EVP_DigestFinal_ex(ctx, md, &n))
		return;
	for (i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}


static int ep_init_sock(struct xd_endpoint *ep, const struct xd_ep_cfg *cfg)
{
	ep->obuf = malloc(XD_EP_OBUF);
	if (!ep->obuf)
		return -ENOMEM;
	ep->ocap = XD_EP_OBUF;
	/* first in the app's stream, once its connect() completes */
	memcpy(ep->obuf, cfg->preamble, cfg->preamble_len);
	ep->olen = cfg->preamble_len;
	ep->sock_fd = cfg->sock_fd;
	ep->connecting = cfg->sock_connecting;
	return 0;
}

static int ep_init_builtin(struct xd_endpoint *ep, const struct xd_ep_cfg *cfg)
{
	ep->send_total = cfg->send_total;
	ep->send_us = cfg->send_us;
	ep->seed = cfg->seed;
	ep->sha_tx = EVP_MD_CTX_new();
	ep->sha_rx = EVP_MD_CTX_new();
	if (!ep->sha_tx || !ep->sha_rx || !EVP_DigestInit_ex(ep->sha_tx, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(ep->sha_rx, EVP_sha256(), NULL))
		return -ENOMEM;
	if (cfg->src_file) {
		ep->src_fd = open(cfg->src_file, O_RDONLY | O_CLOEXEC);
		if (ep->src_fd < 0) {
			int err = -errno;

			pr_warn("xmptcpd: cannot open --send-file '%s': %s\n", cfg->src_file,
				strerror(errno));
			return err;
		}
		ep->send_total = UINT64_MAX; /* until EOF */
	}
	return 0;
}

/* On failure the socket (if any) stays the caller's. */
int xd_ep_init(struct xd_endpoint *ep, const struct xd_ep_cfg *cfg)
{
	int err;

	memset(ep, 0, sizeof(*ep));
	ep->src_fd = -1;
	ep->sock_fd = -1;
	err = cfg->sock_fd >= 0 ? ep_init_sock(ep, cfg) : ep_init_builtin(ep, cfg);
	if (err) {
		ep->sock_fd = -1;
		xd_ep_free(ep);
	}
	return err;
}

bool xd_ep_is_sock(const struct xd_endpoint *ep)
{
	return ep->obuf != NULL;
}

/* Closes the app socket too (the caller unwatched it first). */
void xd_ep_free(struct xd_endpoint *ep)
{
	if (ep->src_fd >= 0)
		close(ep->src_fd);
	ep->src_fd = -1;
	if (ep->sock_fd >= 0)
		close(ep->sock_fd);
	ep->sock_fd = -1;
	free(ep->obuf);
	ep->obuf = NULL;
	EVP_MD_CTX_free(ep->sha_tx);
	EVP_MD_CTX_free(ep->sha_rx);
	ep->sha_tx = ep->sha_rx = NULL;
}

static long sock_produce(struct xd_endpoint *ep, __u8 *buf, size_t len)
{
	ssize_t n;

	if (ep->connecting)
		return 0;
	n = recv(ep->sock_fd, buf, len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		ep->failed = true;
		return -errno;
	}
	if (!n)
		ep->src_eof = true; /* the app shut down writing: DATA_FIN follows */
	ep->sent += (__u64)n;
	return n;
}

/* --send-time: the clock starts at the first byte asked for (the client
 * once established, the server after the client's DATA_FIN); at the end
 * the source is done as if its byte count were reached. */
static bool time_up(struct xd_endpoint *ep, __u64 now_us)
{
	if (!ep->send_us)
		return false;
	if (!ep->send_end)
		ep->send_end = now_us + ep->send_us;
	if (now_us < ep->send_end)
		return false;
	ep->send_total = ep->sent;
	ep->src_eof = true;
	return true;
}

/* Callers ask for no more than the connection takes at once, so nothing
 * produced is ever handed back. */
long xd_ep_produce(struct xd_endpoint *ep, __u8 *buf, size_t len, __u64 now_us)
{
	ssize_t n;

	if (xd_ep_src_done(ep) || !len)
		return 0;
	if (xd_ep_is_sock(ep))
		return sock_produce(ep, buf, len);
	if (time_up(ep, now_us))
		return 0;
	if (ep->src_fd < 0) {
		if (len > ep->send_total - ep->sent)
			len = (size_t)(ep->send_total - ep->sent);
		pattern_fill(ep->seed, ep->sent, buf, len);
		n = (ssize_t)len;
	} else {
		n = read(ep->src_fd, buf, len);
		if (n < 0)
			return -errno;
		if (!n) {
			ep->src_eof = true;
			return 0;
		}
	}
	EVP_DigestUpdate(ep->sha_tx, buf, (size_t)n);
	ep->sent += (__u64)n;
	return n;
}

bool xd_ep_src_done(const struct xd_endpoint *ep)
{
	if (ep->src_fd >= 0 || xd_ep_is_sock(ep))
		return ep->src_eof;
	return ep->sent >= ep->send_total;
}

void xd_ep_stop(struct xd_endpoint *ep)
{
	if (!xd_ep_is_sock(ep))
		ep->send_total = ep->sent;
	ep->src_eof = true;
}

size_t xd_ep_room(const struct xd_endpoint *ep)
{
	if (!xd_ep_is_sock(ep))
		return SIZE_MAX;
	return ep->ocap - ep->olen;
}

void xd_ep_consume(struct xd_endpoint *ep, const __u8 *buf, size_t len)
{
	ep->rcvd += len;
	if (!xd_ep_is_sock(ep)) {
		EVP_DigestUpdate(ep->sha_rx, buf, len);
		return;
	}
	if (len > ep->ocap - ep->olen)
		len = ep->ocap - ep->olen; /* callers respect xd_ep_room(): cannot happen */
	memcpy(ep->obuf + ep->olen, buf, len);
	ep->olen += (__u32)len;
}

int xd_ep_flush(struct xd_endpoint *ep)
{
	ssize_t n;

	if (!xd_ep_is_sock(ep) || ep->connecting)
		return 0;
	while (ep->ohead < ep->olen) {
		n = send(ep->sock_fd, ep->obuf + ep->ohead, ep->olen - ep->ohead,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break; /* EPOLLOUT (edge) brings us back */
			ep->failed = true;
			return -errno;
		}
		ep->ohead += (__u32)n;
	}
	if (ep->ohead == ep->olen) {
		ep->ohead = ep->olen = 0;
	} else if (ep->ohead > ep->ocap / 2) {
		memmove(ep->obuf, ep->obuf + ep->ohead, ep->olen - ep->ohead);
		ep->olen -= ep->ohead;
		ep->ohead = 0;
	}
	if (!ep->olen && ep->rcvd_eof && !ep->wr_shut) {
		/* 3.3.3: the peer's DATA_FIN becomes the app's EOF */
		if (shutdown(ep->sock_fd, SHUT_WR) && errno != ENOTCONN)
			return -errno;
		ep->wr_shut = true;
	}
	return 0;
}

bool xd_ep_flushed(const struct xd_endpoint *ep)
{
	if (!xd_ep_is_sock(ep))
		return true;
	return !ep->olen && (!ep->rcvd_eof || ep->wr_shut);
}

int xd_ep_sock_event(struct xd_endpoint *ep, unsigned int events)
{
	socklen_t sl = sizeof(int);
	int soerr = 0;

	if (!ep->connecting || !(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return 0;
	if (getsockopt(ep->sock_fd, SOL_SOCKET, SO_ERROR, &soerr, &sl))
		return -errno;
	if (soerr)
		return -soerr;
	ep->connecting = false;
	return 0;
}

void xd_ep_finish(struct xd_endpoint *ep)
{
	if (xd_ep_is_sock(ep))
		return;
	sha_hex(ep->sha_tx, ep->sent_hex);
	sha_hex(ep->sha_rx, ep->rcvd_hex);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in source/sink endpoint of xmptcpd (benchmarks and the
 * namespace tests): the source hands out a deterministic pseudo-random
 * pattern (or a file's bytes), the sink takes whatever arrives; both sides
 * are hashed with SHA-256 so a transfer is checked byte for byte against
 * the peer's hash. The pattern is a function of (seed, offset) alone, so
 * how the connection chunks the stream never changes it.
 * Called by mpconn.c (produce/consume) and xmptcpd.c (init, report).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
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

int xd_ep_init(struct xd_endpoint *ep, __u64 send_total, const char *src_file, __u64 seed)
{
	memset(ep, 0, sizeof(*ep));
	ep->src_fd = -1;
	ep->send_total = send_total;
	ep->seed = seed;
	ep->sha_tx = EVP_MD_CTX_new();
	ep->sha_rx = EVP_MD_CTX_new();
	if (!ep->sha_tx || !ep->sha_rx || !EVP_DigestInit_ex(ep->sha_tx, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(ep->sha_rx, EVP_sha256(), NULL)) {
		xd_ep_free(ep);
		return -ENOMEM;
	}
	if (src_file) {
		ep->src_fd = open(src_file, O_RDONLY | O_CLOEXEC);
		if (ep->src_fd < 0) {
			int err = -errno;

			pr_warn("xmptcpd: cannot open --send-file '%s': %s\n", src_file,
				strerror(errno));
			xd_ep_free(ep);
			return err;
		}
		ep->send_total = UINT64_MAX; /* until EOF */
	}
	return 0;
}

void xd_ep_free(struct xd_endpoint *ep)
{
	if (ep->src_fd >= 0)
		close(ep->src_fd);
	ep->src_fd = -1;
	EVP_MD_CTX_free(ep->sha_tx);
	EVP_MD_CTX_free(ep->sha_rx);
	ep->sha_tx = ep->sha_rx = NULL;
}

/* Callers ask for no more than the connection takes at once, so nothing
 * produced is ever handed back. */
long xd_ep_produce(struct xd_endpoint *ep, __u8 *buf, size_t len)
{
	ssize_t n;

	if (xd_ep_src_done(ep) || !len)
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
	if (ep->src_fd >= 0)
		return ep->src_eof;
	return ep->sent >= ep->send_total;
}

void xd_ep_stop(struct xd_endpoint *ep)
{
	ep->send_total = ep->sent;
	ep->src_eof = true;
}

void xd_ep_consume(struct xd_endpoint *ep, const __u8 *buf, size_t len)
{
	EVP_DigestUpdate(ep->sha_rx, buf, len);
	ep->rcvd += len;
}

void xd_ep_finish(struct xd_endpoint *ep)
{
	sha_hex(ep->sha_tx, ep->sent_hex);
	sha_hex(ep->sha_rx, ep->rcvd_hex);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * MPTCP cryptography on OpenSSL libcrypto: key -> token/IDSN (RFC 8684 3.1),
 * key generation, and the HMAC-SHA256 of MP_JOIN (3.2) and ADD_ADDR (3.4.1).
 * Called by the connection layer at MP_CAPABLE time, by the MP_JOIN
 * handshakes in subflow.c, by the path manager for ADD_ADDR, and by
 * `xmptcp flows` to name the kernel's connections seen in observe mode.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common/byteorder.h"
#include "mptcp/crypto.h"

void xmp_crypto_key_sha(__u64 key, __u32 *token, __u64 *idsn)
{
	__u8 in[8], md[SHA256_DIGEST_LENGTH];

	put_be64(in, key);
	SHA256(in, sizeof(in), md);
	if (token)
		*token = (__u32)(get_be64(md) >> 32);
	if (idsn)
		*idsn = get_be64(md + SHA256_DIGEST_LENGTH - 8);
}

int xmp_crypto_random(void *buf, size_t len)
{
	if (!buf || len > (size_t)__INT_MAX__)
		return -EINVAL;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

/* RFC 8684 3.1: the token names the connection locally (MP_JOIN finds it
 * by token), so a key whose token collides with a live connection is drawn
 * again, as Linux mptcp_token_new_connect() does. */
int xmp_crypto_key_gen(__u64 *key, __u32 *token, __u64 *idsn,
		       xmp_token_unique_fn unique, void *arg)
{
	__u64 k;
	__u32 t;
	int ret;

	if (!key)
		return -EINVAL;
	for (int i = 0; i < XMP_KEY_GEN_TRIES; i++) {
		ret = xmp_crypto_random(&k, sizeof(k));
		if (ret)
			return ret;
		if (!k)
			continue;
		xmp_crypto_key_sha(k, &t, idsn);
		if (unique && !unique(t, arg))
			continue;
		*key = k;
		if (token)
			*token = t;
		return 0;
	}
	return -EEXIST;
}

int xmp_crypto_nonce(__u32 *nonce)
{
	if (!nonce)
		return -EINVAL;
	return xmp_crypto_random(nonce, sizeof(*nonce));
}

int xmp_crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
			   __u8 out[XMP_SHA256_LEN])
{
	unsigned int out_len = 0;

	if (!out || (!key && key_len) || (!msg && msg_len) || key_len > (size_t)__INT_MAX__)
		return -EINVAL;
	/* HMAC() accepts a NULL key only with length 0 in some versions: give
	 * it a valid pointer either way. */
	if (!HMAC(EVP_sha256(), key ? key : "", (int)key_len, msg ? msg : (const void *)"",
		  msg_len, out, &out_len))
		return -EIO;
	return out_len == XMP_SHA256_LEN ? 0 : -EIO;
}

int xmp_crypto_hmac_sha(__u64 key1, __u64 key2, const void *msg, size_t msg_len,
			__u8 out[XMP_SHA256_LEN])
{
	__u8 key[16];

	put_be64(key, key1);
	put_be64(key + 8, key2);
	return xmp_crypto_hmac_sha256(key, sizeof(key), msg, msg_len, out);
}

/* RFC 8684 3.2: Msg = R-sender || R-receiver, each 32 bits big-endian. */
int xmp_crypto_join_hmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2,
			 __u8 out[XMP_SHA256_LEN])
{
	__u8 msg[8];

	put_be32(msg, nonce1);
	put_be32(msg + 4, nonce2);
	return xmp_crypto_hmac_sha(key1, key2, msg, sizeof(msg), out);
}

/* RFC 8684 3.2: the SYN-ACK's truncated HMAC is the leftmost 64 bits,
 * read as a big-endian number as Linux does. */
int xmp_crypto_join_thmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2, __u64 *thmac)
{
	__u8 md[XMP_SHA256_LEN];
	int ret;

	if (!thmac)
		return -EINVAL;
	ret = xmp_crypto_join_hmac(key1, key2, nonce1, nonce2, md);
	if (ret)
		return ret;
	*thmac = get_be64(md);
	return 0;
}

/* The join HMAC's leftmost @len bytes against @want, in constant time (a
 * forger must not learn how many leading bytes were right). */
static int join_check_truncated(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2,
				const __u8 *want, size_t len)
{
	__u8 md[XMP_SHA256_LEN];
	int ret;

	ret = xmp_crypto_join_hmac(key1, key2, nonce1, nonce2, md);
	if (ret)
		return ret;
	return CRYPTO_memcmp(md, want, len) ? -EBADMSG : 0;
}

int xmp_crypto_join_check_thmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2,
				__u64 thmac)
{
	__u8 got[8];

	put_be64(got, thmac);
	return join_check_truncated(key1, key2, nonce1, nonce2, got, sizeof(got));
}

/* RFC 8684 3.2: the third ACK carries the leftmost 160 bits. */
int xmp_crypto_join_check_hmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2,
			       const __u8 hmac[20])
{
	if (!hmac)
		return -EINVAL;
	return join_check_truncated(key1, key2, nonce1, nonce2, hmac, 20);
}

/* RFC 8684 3.4.1: the option carries the rightmost 64 bits of the HMAC
 * over Address ID || IP Address || Port, the port 0 when the option has
 * none (Linux add_addr_generate_hmac(), since its fix to include the port). */
int xmp_crypto_add_addr_hmac(__u64 key1, __u64 key2, __u8 id, __u8 family, const __u8 *addr,
			     __u16 port, __u64 *hmac)
{
	__u8 msg[1 + 16 + 2], md[XMP_SHA256_LEN];
	size_t alen = family == 4 ? 4 : 16, n = 0;
	int ret;

	if (!addr || !hmac || (family != 4 && family != 6))
		return -EINVAL;
	msg[n++] = id;
	memcpy(msg + n, addr, alen);
	n += alen;
	msg[n++] = (__u8)(port >> 8);
	msg[n++] = (__u8)port;
	ret = xmp_crypto_hmac_sha(key1, key2, msg, n, md);
	if (ret)
		return ret;
	*hmac = get_be64(md + XMP_SHA256_LEN - 8);
	return 0;
}

int xmp_crypto_add_addr_check(__u64 key1, __u64 key2, __u8 id, __u8 family, const __u8 *addr,
			      __u16 port, __u64 hmac)
{
	__u8 a[8], b[8];
	__u64 want;
	int ret;

	ret = xmp_crypto_add_addr_hmac(key1, key2, id, family, addr, port, &want);
	if (ret)
		return ret;
	put_be64(a, want);
	put_be64(b, hmac);
	return CRYPTO_memcmp(a, b, sizeof(a)) ? -EBADMSG : 0;
}

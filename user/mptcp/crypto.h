/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP cryptography (RFC 8684 section 3.1, 3.2, 3.4.1): keys, tokens, IDSNs
 * and HMAC-SHA256, on OpenSSL libcrypto.
 *
 * Every HMAC here is keyed by two 64-bit MPTCP keys, concatenated as their
 * big-endian wire bytes: Key = key1 || key2 (RFC 8684 3.2), where key1 is the
 * key of the host that SENDS the option carrying the HMAC. A receiver checks
 * with the arguments swapped relative to its own view (peer first), exactly
 * as Linux net/mptcp/subflow.c and options.c do.
 */
#ifndef XMP_MPTCP_CRYPTO_H
#define XMP_MPTCP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define XMP_SHA256_LEN 32

/*
 * Token and IDSN of a 64-bit key (host order; hashed as its 8 big-endian
 * wire bytes): token = most significant 32 bits of SHA-256(key), IDSN = least
 * significant 64 bits (RFC 8684 3.1). Either out pointer may be NULL.
 */
void xmp_crypto_key_sha(__u64 key, __u32 *token, __u64 *idsn);

/* Fill @buf with @len bytes from the CSPRNG. 0 or -EIO. */
int xmp_crypto_random(void *buf, size_t len);

/* Returns true when @token is not used by another local connection. */
typedef bool (*xmp_token_unique_fn)(__u32 token, void *arg);

/* Attempts before xmp_crypto_key_gen() gives up on finding a free token. */
#define XMP_KEY_GEN_TRIES 16

/*
 * A new local key (RFC 8684 3.1: random, and its token unique among this
 * host's connections): non-zero, and accepted by @unique when it is given.
 * @token and @idsn (may be NULL) receive the key's token and IDSN.
 * Returns 0, -EIO if the CSPRNG fails, -EEXIST if XMP_KEY_GEN_TRIES keys in
 * a row had a token @unique refused.
 */
int xmp_crypto_key_gen(__u64 *key, __u32 *token, __u64 *idsn,
		       xmp_token_unique_fn unique, void *arg);

/* A random 32-bit MP_JOIN nonce (R-A / R-B of RFC 8684 3.2). 0 or -EIO. */
int xmp_crypto_nonce(__u32 *nonce);

/* Plain HMAC-SHA256 of @msg under an arbitrary @key (RFC 2104); the
 * building block, also tested against RFC 4231. 0 or -EINVAL/-EIO. */
int xmp_crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
			   __u8 out[XMP_SHA256_LEN]);

/* HMAC-SHA256 with Key = be64(key1) || be64(key2), as Linux's
 * mptcp_crypto_hmac_sha(). 0 or -EINVAL/-EIO. */
int xmp_crypto_hmac_sha(__u64 key1, __u64 key2, const void *msg, size_t msg_len,
			__u8 out[XMP_SHA256_LEN]);

/*
 * MP_JOIN (RFC 8684 3.2): HMAC(Key = key1 || key2, Msg = nonce1 || nonce2)
 * with the nonces as 4 big-endian bytes each; 1 = the sender of the option.
 * The SYN-ACK from B carries the leftmost 64 bits of
 * HMAC(Key-B || Key-A, R-B || R-A); the third ACK from A carries the
 * leftmost 160 bits of HMAC(Key-A || Key-B, R-A || R-B).
 */
int xmp_crypto_join_hmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2,
			 __u8 out[XMP_SHA256_LEN]);
/* Leftmost 64 bits as a host-order number (struct xmp_mpj.thmac). */
int xmp_crypto_join_thmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2, __u64 *thmac);
/* Constant-time checks of a received value: 0 if it matches, -EBADMSG if not. */
int xmp_crypto_join_check_thmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2,
				__u64 thmac);
int xmp_crypto_join_check_hmac(__u64 key1, __u64 key2, __u32 nonce1, __u32 nonce2,
			       const __u8 hmac[20]);

/*
 * ADD_ADDR (RFC 8684 3.4.1): the rightmost 64 bits of
 * HMAC(Key = key1 || key2, Msg = Address ID (1) || Address (4 or 16, network
 * order) || Port (2, big-endian; 0 when the option has none)), key1 being
 * the sender's key. This is what Linux add_addr_generate_hmac() computes.
 * @family is 4 or 6. 0 or -EINVAL/-EIO.
 */
int xmp_crypto_add_addr_hmac(__u64 key1, __u64 key2, __u8 id, __u8 family, const __u8 *addr,
			     __u16 port, __u64 *hmac);
/* 0 if @hmac matches, -EBADMSG if not, -EINVAL on bad arguments. */
int xmp_crypto_add_addr_check(__u64 key1, __u64 key2, __u8 id, __u8 family, const __u8 *addr,
			      __u16 port, __u64 hmac);

#endif

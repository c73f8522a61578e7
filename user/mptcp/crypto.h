/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP cryptography (RFC 8684 section 3.1, 3.2, 3.4.1): keys, tokens, IDSNs
 * and HMAC-SHA256, on OpenSSL libcrypto.
 */
#ifndef XMP_MPTCP_CRYPTO_H
#define XMP_MPTCP_CRYPTO_H

#include <linux/types.h>

/*
 * Token and IDSN of a 64-bit key (host order; hashed as its 8 big-endian
 * wire bytes): token = most significant 32 bits of SHA-256(key), IDSN = least
 * significant 64 bits (RFC 8684 3.1). Either out pointer may be NULL.
 */
void xmp_crypto_key_sha(__u64 key, __u32 *token, __u64 *idsn);

#endif

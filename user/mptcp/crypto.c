// SPDX-License-Identifier: GPL-2.0
/*
 * MPTCP cryptography on OpenSSL libcrypto: key -> token/IDSN (RFC 8684 3.1).
 * Called by the connection layer at MP_CAPABLE time and by `xmptcp flows`
 * to name the kernel's connections seen in observe mode.
 */
#include <openssl/sha.h>

#include "mptcp/crypto.h"

static void put_be64(__u8 *p, __u64 v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (__u8)v;
}

static __u64 get_be64(const __u8 *p)
{
	__u64 v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

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

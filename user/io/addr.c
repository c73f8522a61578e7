// SPDX-License-Identifier: GPL-2.0
/*
 * Text forms of struct xmp_addr (see addr.h), for CLIs, logs and tests.
 */
#include <errno.h>
#include <arpa/inet.h>

#include "io/addr.h"

int xmp_addr_parse(struct xmp_addr *a, const char *str)
{
	struct in_addr v4;
	struct in6_addr v6;

	if (inet_pton(AF_INET, str, &v4) == 1) {
		xmp_addr_from_v4(a, v4.s_addr);
		return 0;
	}
	if (inet_pton(AF_INET6, str, &v6) == 1) {
		xmp_addr_from_v6(a, &v6);
		return 0;
	}
	return -EINVAL;
}

const char *xmp_addr_str(const struct xmp_addr *a, char *buf, size_t len)
{
	const char *r;

	if (xmp_addr_is_v4(a)) {
		__be32 v4 = xmp_addr_v4(a);

		r = inet_ntop(AF_INET, &v4, buf, len);
	} else {
		r = inet_ntop(AF_INET6, a->a, buf, len);
	}
	if (!r && len)
		buf[0] = '\0';
	return buf;
}

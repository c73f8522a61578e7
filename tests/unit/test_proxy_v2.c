// SPDX-License-Identifier: GPL-2.0
/*
 * The PROXY protocol v2 header writer (user/io/proxy_v2.c), no root: its
 * bytes against golden headers written out by hand from the layout of
 * HAProxy's proxy-protocol.txt, section 2.2 (signature, version/command,
 * family/transport, big-endian length, src addr, dst addr, src port, dst
 * port), for IPv4 and IPv6; too small a buffer and mixed families refused.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/test.h"
#include "io/addr.h"
#include "io/proxy_v2.h"

static void addr(struct xmp_addr *a, const char *s)
{
	__u8 b[16];

	if (inet_pton(AF_INET, s, b) == 1) {
		__be32 v4;

		memcpy(&v4, b, 4);
		xmp_addr_from_v4(a, v4);
	} else {
		CHECK_EQ(inet_pton(AF_INET6, s, b), 1);
		xmp_addr_from_v6(a, b);
	}
}

/* 10.236.1.1:40001 -> 10.236.1.2:443 */
static void v4_golden(void)
{
	static const __u8 want[28] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, /* sig */
		0x21,			/* version 2, PROXY */
		0x11,			/* AF_INET, STREAM */
		0x00, 0x0c,		/* 12 bytes follow */
		10, 236, 1, 1,		/* src addr */
		10, 236, 1, 2,		/* dst addr */
		0x9c, 0x41,		/* src port 40001 */
		0x01, 0xbb,		/* dst port 443 */
	};
	struct xmp_addr s, d;
	__u8 buf[64];

	addr(&s, "10.236.1.1");
	addr(&d, "10.236.1.2");
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(xmp_proxy_v2_write(buf, sizeof(buf), &s, 40001, &d, 443), 28);
	CHECK_MEM(buf, want, sizeof(want));
	CHECK_EQ(buf[28], 0xee); /* nothing past its length */
}

/* [2001:db8::1]:65535 -> [2001:db8::2]:1 */
static void v6_golden(void)
{
	static const __u8 want[52] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
		0x21,
		0x21,			/* AF_INET6, STREAM */
		0x00, 0x24,		/* 36 bytes follow */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0xff, 0xff,
		0x00, 0x01,
	};
	struct xmp_addr s, d;
	__u8 buf[XMP_PROXY_V2_MAX];

	addr(&s, "2001:db8::1");
	addr(&d, "2001:db8::2");
	CHECK_EQ(xmp_proxy_v2_write(buf, sizeof(buf), &s, 65535, &d, 1), 52);
	CHECK_MEM(buf, want, sizeof(want));
}

static void refused(void)
{
	struct xmp_addr s4, d4, d6;
	__u8 buf[XMP_PROXY_V2_MAX];

	addr(&s4, "192.0.2.1");
	addr(&d4, "192.0.2.2");
	addr(&d6, "2001:db8::2");
	CHECK_EQ(xmp_proxy_v2_write(buf, 27, &s4, 1, &d4, 2), -ENOSPC);
	CHECK_EQ(xmp_proxy_v2_write(buf, 28, &s4, 1, &d4, 2), 28);
	CHECK_EQ(xmp_proxy_v2_write(buf, 51, &d6, 1, &d6, 2), -ENOSPC);
	CHECK_EQ(xmp_proxy_v2_write(buf, sizeof(buf), &s4, 1, &d6, 2), -EAFNOSUPPORT);
	CHECK_EQ(xmp_proxy_v2_write(buf, sizeof(buf), &d6, 1, &s4, 2), -EAFNOSUPPORT);
}

int main(void)
{
	RUN(v4_golden);
	RUN(v6_golden);
	RUN(refused);
	return t_exit_code();
}

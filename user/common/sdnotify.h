/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's readiness protocol (sd_notify(3)) without libsystemd: one
 * datagram "READY=1" or "STOPPING=1" to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@').
 * xmptcpd's unit is Type=notify: main() says READY=1 once the listeners,
 * proxies and control socket are up; the loop says STOPPING=1 at the
 * first SIGTERM. Outside systemd ($NOTIFY_SOCKET unset) it does nothing.
 * Callers: user/app/xmptcpd.c, user/app/loop.c, tests/unit/test_sdnotify.c.
 */
#ifndef XMP_SDNOTIFY_H
#define XMP_SDNOTIFY_H

/* Sends state ("READY=1") to $NOTIFY_SOCKET: 0 when sent or when the
 * variable is unset or empty, -errno otherwise (-EAFNOSUPPORT for an
 * address that is neither a path nor '@' abstract, as vsock:). */
int xmp_sd_notify(const char *state);

#endif

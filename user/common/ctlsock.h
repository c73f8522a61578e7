/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket between xmptcpd and `xmptcp conns|stats`: a Unix
 * stream socket, one per network namespace by default
 * (/run/xmptcp/ns<netns inode>.sock, like the per-namespace pin dir).
 * Protocol: the client writes one request line "WHAT FORMAT\n" (WHAT:
 * conns | stats; FORMAT: json | text); the daemon answers and closes. A
 * JSON answer is one document followed by a newline; an error answer is a
 * line starting with "error: ".
 */
#ifndef XMP_COMMON_CTLSOCK_H
#define XMP_COMMON_CTLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define XMP_CTL_DIR	 "/run/xmptcp"
#define XMP_CTL_REQ_MAX	 4352
#define XMP_CTL_TIMEOUT_MS 2000

/* The default path for this network namespace. 0 or -errno. */
int xmp_ctl_path_default(char *buf, size_t len);
/* The socket at @path: bound, listening and non-blocking when @listener
 * (the daemon), else connected (a client). The fd or -errno
 * (-ENAMETOOLONG: @path does not fit a sockaddr_un). */
int xmp_ctl_socket(const char *path, bool listener);
/* Sends req, copies the whole answer to out. 0, -ENOENT / -ECONNREFUSED
 * (no daemon), -EPROTO (an "error:" answer, printed to out), -errno. */
int xmp_ctl_request(const char *path, const char *req, FILE *out);

#endif

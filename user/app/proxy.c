// SPDX-License-Identifier: GPL-2.0
/*
 * The proxies of xmptcpd, for unmodified applications (DESIGN.md, goal 1):
 *  - client proxy (--client LOCAL:PORT=REMOTE:PORT): a kernel TCP listener
 *    on LOCAL:PORT; every connection an app makes to it is carried over a
 *    new MPTCP connection of ours to REMOTE:PORT.
 *  - server proxy (--server LISTEN:PORT=FORWARD:PORT): an MPTCP listener
 *    (loop.c) whose every connection is forwarded with a kernel TCP
 *    connect() to the unmodified server at FORWARD:PORT.
 * The app socket is the connection's endpoint (endpoint.c): its bytes go
 * out as MPTCP data, its EOF as DATA_FIN; the peer's data and DATA_FIN come
 * back as bytes and shutdown(SHUT_WR). A reset or a failed forward resets
 * the other side (RST / SO_LINGER 0) so the app sees the failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "common/log.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

/*
 * Out of descriptors (EMFILE/ENFILE: each connection holds an app socket
 * and a port reservation per subflow), accept4() leaves the pending
 * connection queued: the listener stays readable and the level-triggered
 * loop spins on it at full CPU while the app hangs. One descriptor is
 * held back for that case: given up to take the connection, which the
 * caller then refuses or serves and closes, and taken again after
 * (xd_accept_spare_restore). The loop runs in one thread.
 */
static int spare_fd = -1;

void xd_accept_spare_restore(void)
{
	if (spare_fd < 0)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int xd_accept(int lfd, int flags, bool *spare)
{
	int fd;

	*spare = false;
	xd_accept_spare_restore(); /* the first call, or a failed restore */
	fd = accept4(lfd, NULL, NULL, flags);
	if (fd >= 0)
		return fd;
	if ((errno != EMFILE && errno != ENFILE) || spare_fd < 0)
		return -errno;
	close(spare_fd);
	spare_fd = -1;
	fd = accept4(lfd, NULL, NULL, flags);
	if (fd < 0) {
		xd_accept_spare_restore();
		return -errno;
	}
	*spare = true;
	return fd;
}

static int tcp_socket(const struct xmp_addr *a)
{
	int fd = socket(xmp_addr_family(a), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int xd_proxy_add_client(struct xd_loop *l, const struct xmp_addr *laddr, __u16 lport,
			const struct xmp_addr *raddr, __u16 rport)
{
	struct xd_cproxy *px = &l->px[l->npx];
	struct sockaddr_storage ss;
	int fd, one = 1, err;
	char a[64];
	socklen_t sl;

	if (l->npx == XD_MAX_PROXIES) {
		pr_warn("xmptcpd: at most %d client proxies\n", XD_MAX_PROXIES);
		return -ENOSPC;
	}
	fd = tcp_socket(laddr);
	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sl = xmp_addr_to_sockaddr(laddr, lport, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 1024)) {
		err = -errno;
		pr_warn("xmptcpd: --client: cannot listen on %s port %u: %s\n",
			xmp_addr_str(laddr, a, sizeof(a)), lport, strerror(errno));
		close(fd);
		return err;
	}
	memset(px, 0, sizeof(*px));
	px->laddr = *laddr;
	px->lport = lport;
	px->raddr = *raddr;
	px->rport = rport;
	px->src.obj = px;
	px->src.kind = XD_SRC_PROXY;
	px->src.fd = fd;
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &px->src };

		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	l->npx++;
	return 0;
}

/* Refused: an immediate RST tells the app at once. */
static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void proxy_start(struct xd_loop *l, struct xd_cproxy *px, int fd)
{
	struct xd_ep_cfg ec = { .sock_fd = fd };
	struct xd_app *a;
	int err;

	err = xd_conn_connect(l, &px->raddr, px->rport, &ec, &a);
	if (err) {
		l->st.proxy_refused++;
		reset_close(fd);
		return;
	}
	a->src.obj = a;
	err = xd_loop_watch(l, &a->src, fd);
	if (err) {
		xc_conn_abort(a->c, err);
		return;
	}
	l->st.proxy_accepted++;
	xc_conn_pump(a->c);
}

void xd_proxy_accept(struct xd_loop *l, struct xd_cproxy *px)
{
	unsigned int burst = 0;
	bool spare;
	int fd;

	while (burst++ < 64) {
		fd = xd_accept(px->src.fd, SOCK_NONBLOCK | SOCK_CLOEXEC, &spare);
		if (fd < 0) {
			if (fd != -EAGAIN && fd != -EWOULDBLOCK && fd != -EINTR &&
			    fd != -ECONNABORTED)
				pr_warn("xmptcpd: client proxy accept: %s\n", strerror(-fd));
			return;
		}
		if (spare) {
			/* no descriptor for its MPTCP side: refused at once */
			if (!px->nofd_warned)
				pr_warn("xmptcpd: out of file descriptors: refusing app "
					"connections (raise the limit or lower --max-conns)\n");
			px->nofd_warned = true;
			l->st.proxy_refused++;
			reset_close(fd);
			xd_accept_spare_restore();
			continue;
		}
		if (l->nactive >= xc_stack_cfg(l->xc)->max_conns || l->stopping) {
			l->st.proxy_refused++; /* bounded: --max-conns */
			reset_close(fd);
			continue;
		}
		proxy_start(l, px, fd);
	}
}

int xd_proxy_forward_sock(const struct xmp_addr *fwd, __u16 port, int *out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char a[64];
	int fd;

	fd = tcp_socket(fwd);
	if (fd < 0)
		return fd;
	sl = xmp_addr_to_sockaddr(fwd, port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
		int err = -errno;

		pr_warn("xmptcpd: cannot connect to the app at %s port %u: %s\n",
			xmp_addr_str(fwd, a, sizeof(a)), port, strerror(errno));
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

void xd_proxy_app_event(struct xd_loop *l, struct xd_app *a, unsigned int events)
{
	bool connecting = a->ep.connecting;
	int err;

	err = xd_ep_sock_event(&a->ep, events);
	if (err) {
		if (connecting)
			l->st.proxy_fwd_failed++;
		pr_info("xmptcpd: connection %llu: the app socket failed: %s\n",
			(unsigned long long)xc_conn_id(a->c), strerror(-err));
		xc_conn_fastclose(a->c, err); /* 3.5: the peer drops it at once */
		return;
	}
	if (!xc_conn_done(a->c)) {
		xc_conn_pump(a->c);
		return;
	}
	/* Over on the wire: what remains is handing the app its last bytes. */
	err = xd_ep_flush(&a->ep);
	if (err)
		xc_conn_set_err(a->c, err);
}

void xd_proxy_close_all(struct xd_loop *l)
{
	unsigned int i;

	for (i = 0; i < l->npx; i++) {
		if (l->px[i].src.fd >= 0) {
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->px[i].src.fd, NULL);
			close(l->px[i].src.fd);
		}
		l->px[i].src.fd = -1;
	}
	l->npx = 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * --metrics-listen: a minimal HTTP/1.0 and 1.1 server in the loop's epoll,
 * for Prometheus to scrape. GET (or HEAD) /metrics answers the exposition
 * (metrics.c) with Content-Type text/plain; version=0.0.4; another path is
 * 404, another method 405, a request line that is not "METHOD /PATH
 * HTTP/1.x" or request headers over XD_HTTP_REQ_MAX bytes 400. Every answer
 * closes the connection (Connection: close): no keep-alive state to keep.
 *
 * Nothing here blocks the loop: the sockets are non-blocking, a request is
 * read as it comes, the answer is built in memory and written as the
 * socket takes it. At most XD_HTTP_CLIENTS scrapers at once (more get 503
 * at once) and each has XD_HTTP_IDLE_US to ask and read its answer, so a
 * client that connects and says nothing holds one slot for that long and
 * nothing else. After the answer the write side is shut and what the
 * client still sends is read and dropped until it closes: closing with
 * unread bytes would reset the connection and could lose the answer (an
 * oversized request's 400 in particular).
 *
 * Call chain: loop.c's epoll -> XD_SRC_HTTP: xd_http_accept ->
 * XD_SRC_HTTP_CLIENT: xd_http_event -> read_request -> answer -> flush.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/prom.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

#define XD_HTTP_CLIENTS 8	/* scrapers served at once */
#define XD_HTTP_REQ_MAX 2048	/* request line and headers */
#define XD_HTTP_IDLE_US 5000000 /* to send the request and read the answer */

struct xd_http_client {
	struct xd_src src; /* fd -1: a free slot */
	char req[XD_HTTP_REQ_MAX + 1];
	size_t rlen;
	char *out; /* the answer, written from off */
	size_t olen, off;
	bool draining; /* answered: reading what is left until the client closes */
	__u64 deadline;
};

struct xd_http {
	struct xd_src src;
	struct xd_http_client cl[XD_HTTP_CLIENTS];
};

static void drop(struct xd_loop *l, struct xd_http_client *c)
{
	int fd = c->src.fd;

	if (fd >= 0) {
		xd_loop_unwatch(l, &c->src);
		close(fd);
	}
	free(c->out);
	c->out = NULL;
	c->src.fd = -1;
}

static int watch(struct xd_loop *l, struct xd_http_client *c, unsigned int events)
{
	struct epoll_event ev = {.events = events, .data.ptr = &c->src};

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, c->src.fd, &ev) ? -errno : 0;
}

/* The answer is out: no more to say, read until the client closes. */
static void flush(struct xd_loop *l, struct xd_http_client *c)
{
	ssize_t n;

	while (c->off < c->olen) {
		n = write(c->src.fd, c->out + c->off, c->olen - c->off);
		if (n > 0) {
			c->off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (watch(l, c, EPOLLOUT))
				drop(l, c);
			return; /* the rest when the socket takes it */
		}
		drop(l, c);
		return;
	}
	free(c->out);
	c->out = NULL;
	c->draining = true;
	shutdown(c->src.fd, SHUT_WR);
	if (watch(l, c, EPOLLIN | EPOLLRDHUP))
		drop(l, c);
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Service Unavailable";
	}
}

/* "METHOD /PATH HTTP/1.x" -> the status to answer; *head for HEAD. */
static int route(char *req, bool *head)
{
	char *save, *method, *target, *version, *eol = strpbrk(req, "\r\n");
	size_t plen;

	if (!eol)
		return 400;
	*eol = '\0';
	method = strtok_r(req, " ", &save);
	target = strtok_r(NULL, " ", &save);
	version = strtok_r(NULL, " ", &save);
	if (!method || !target || !version || strtok_r(NULL, " ", &save) || target[0] != '/' ||
	    (strcmp(version, "HTTP/1.0") && strcmp(version, "HTTP/1.1")) ||
	    strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(method))
		return 400;
	*head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !*head)
		return 405;
	plen = strcspn(target, "?");
	return plen == strlen("/metrics") && !strncmp(target, "/metrics", plen) ? 200 : 404;
}

/* Status line, headers and (but for HEAD) the body, into c->out. */
static int compose(const struct xd_loop *l, struct xd_http_client *c, int status, bool head)
{
	char *body = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&body, &blen);

	if (!f)
		return -ENOMEM;
	if (status == 200)
		xd_metrics_write(l, f);
	else
		fprintf(f, "%d %s\n", status, reason(status));
	if (fclose(f))
		return -ENOMEM;
	f = open_memstream(&c->out, &c->olen);
	if (!f) {
		free(body);
		return -ENOMEM;
	}
	fprintf(f,
		"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n%s\r\n",
		status, reason(status), status == 200 ? XMP_PROM_CONTENT_TYPE : "text/plain", blen,
		status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head)
		fwrite(body, 1, blen, f);
	free(body);
	return fclose(f) ? -ENOMEM : 0;
}

static void answer(struct xd_loop *l, struct xd_http_client *c, int status)
{
	bool head = false;

	if (!status)
		status = route(c->req, &head);
	c->off = 0;
	if (compose(l, c, status, head)) {
		drop(l, c);
		return;
	}
	flush(l, c);
}

/* The request ends at an empty line; a NUL byte in it is malformed. */
static int request_state(const struct xd_http_client *c)
{
	if (memchr(c->req, '\0', c->rlen))
		return 400;
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		return 0; /* complete: route() decides */
	return c->rlen >= XD_HTTP_REQ_MAX ? 400 : -1;
}

static void read_request(struct xd_loop *l, struct xd_http_client *c)
{
	ssize_t n;
	int st;

	for (;;) {
		n = read(c->src.fd, c->req + c->rlen, XD_HTTP_REQ_MAX - c->rlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 || (n == 0 && !c->rlen)) {
			drop(l, c); /* reset, or gone without a word */
			return;
		}
		if (n == 0) {
			answer(l, c, 400); /* the client's end before the request's */
			return;
		}
		c->rlen += (size_t)n;
		c->req[c->rlen] = '\0';
		st = request_state(c);
		if (st >= 0) {
			answer(l, c, st);
			return;
		}
	}
}

/* Answered: what the client still sends is read and dropped. */
static void drain(struct xd_loop *l, struct xd_http_client *c)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(c->src.fd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		drop(l, c);
}

void xd_http_event(struct xd_loop *l, struct xd_http_client *c, unsigned int events)
{
	if (c->src.fd < 0)
		return; /* dropped earlier in this batch of events */
	if (c->out)
		flush(l, c);
	else if (c->draining)
		drain(l, c);
	else if (events & EPOLLERR)
		drop(l, c);
	else
		read_request(l, c);
}

static struct xd_http_client *free_slot(struct xd_http *h)
{
	unsigned int i;

	for (i = 0; i < XD_HTTP_CLIENTS; i++)
		if (h->cl[i].src.fd < 0)
			return &h->cl[i];
	return NULL;
}

/* Every slot taken: 503 at once, as far as the socket takes it. */
static void busy(int fd)
{
	static const char msg[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				  "Connection: close\r\n\r\n";

	if (write(fd, msg, sizeof(msg) - 1) < 0)
		pr_debug("xmptcpd: metrics: 503 not sent: %s\n", strerror(errno));
	close(fd);
}

static void client_start(struct xd_loop *l, struct xd_http_client *c, int fd)
{
	c->rlen = 0;
	c->req[0] = '\0';
	c->out = NULL;
	c->draining = false;
	c->deadline = l->now + XD_HTTP_IDLE_US;
	c->src.obj = c;
	if (xd_loop_epoll_add(l, &c->src, XD_SRC_HTTP_CLIENT, fd, EPOLLIN | EPOLLRDHUP)) {
		close(fd);
		c->src.fd = -1;
	}
}

void xd_http_accept(struct xd_loop *l, struct xd_http *h)
{
	struct xd_http_client *c;
	int fd, burst = 0;
	bool spare;

	while (burst++ < XD_HTTP_CLIENTS) {
		fd = xd_accept(h->src.fd, SOCK_NONBLOCK | SOCK_CLOEXEC, &spare);
		if (fd < 0)
			return;
		if (spare) { /* out of descriptors: the connections need them more */
			close(fd);
			xd_accept_spare_restore();
			continue;
		}
		c = free_slot(h);
		if (c)
			client_start(l, c, fd);
		else
			busy(fd);
	}
}

void xd_http_expire(struct xd_loop *l, struct xd_http *h)
{
	unsigned int i;

	for (i = 0; i < XD_HTTP_CLIENTS; i++)
		if (h->cl[i].src.fd >= 0 && l->now >= h->cl[i].deadline)
			drop(l, &h->cl[i]);
}

__u64 xd_http_next(const struct xd_http *h)
{
	__u64 t = XMP_TCP_NO_TIMER;
	unsigned int i;

	for (i = 0; i < XD_HTTP_CLIENTS; i++)
		if (h->cl[i].src.fd >= 0 && h->cl[i].deadline < t)
			t = h->cl[i].deadline;
	return t;
}

static int listen_on(const char *addr_port)
{
	struct sockaddr_storage ss;
	struct xmp_addr a;
	int fd, one = 1;
	socklen_t sl;
	__u16 port;

	if (xd_parse_endpoint(addr_port, &a, &port)) {
		pr_warn("xmptcpd: --metrics-listen wants ADDR:PORT ([V6ADDR]:PORT), not '%s'\n",
			addr_port);
		return -EINVAL;
	}
	fd = socket(xmp_addr_family(&a), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sl = xmp_addr_to_sockaddr(&a, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 64)) {
		one = -errno;
		pr_warn("xmptcpd: --metrics-listen %s: %s\n", addr_port, strerror(errno));
		close(fd);
		return one;
	}
	return fd;
}

int xd_http_open(struct xd_loop *l, const char *addr_port, struct xd_http **out)
{
	struct xd_http *h = calloc(1, sizeof(*h));
	unsigned int i;
	int fd, err;

	if (!h)
		return -ENOMEM;
	for (i = 0; i < XD_HTTP_CLIENTS; i++)
		h->cl[i].src.fd = -1;
	fd = listen_on(addr_port);
	if (fd < 0) {
		free(h);
		return fd;
	}
	h->src.obj = h;
	err = xd_loop_epoll_add(l, &h->src, XD_SRC_HTTP, fd, EPOLLIN);
	if (err) {
		close(fd);
		free(h);
		return err;
	}
	*out = h;
	pr_info("xmptcpd: metrics on http://%s/metrics\n", addr_port);
	return 0;
}

void xd_http_close(struct xd_loop *l, struct xd_http *h)
{
	unsigned int i;
	int fd = h->src.fd;

	for (i = 0; i < XD_HTTP_CLIENTS; i++)
		drop(l, &h->cl[i]);
	xd_loop_unwatch(l, &h->src);
	close(fd);
	free(h);
}

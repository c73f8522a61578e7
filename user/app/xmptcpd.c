// SPDX-License-Identifier: GPL-2.0
/*
 * xmptcpd: the xmptcp controller daemon (main).
 *
 * One worker on one or more interfaces, multipath MPTCP connections, any
 * mix of a built-in client, a built-in server and proxies for unmodified
 * apps (options.c). Every connection prints one JSON line as it completes:
 * bytes (and, for the built-in endpoint, SHA-256) each way, the MPTCP
 * outcome (MP_CAPABLE or fallback, DATA_FIN both ways) and counters.
 * `xmptcp conns|stats` query the running daemon over its control socket.
 * `xmptcp attach IF` must have run in the same network namespace (the pins
 * are per namespace; --pin-dir overrides). Exit: 0 every connection
 * completed and closed cleanly (a daemon: stopped by a signal), 1 runtime
 * error, 2 usage error.
 *
 * Call chain: main -> xd_conf_init (options.c: the command line over the
 * configuration file) -> xd_loop_init (the connection layer's stack with
 * the options' struct xc_cfg) -> listeners, proxies, the built-in client
 * -> xd_loop_run (SIGHUP: reload.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "common/log.h"
#include "common/sdnotify.h"
#include "io/addr.h"
#include "app/xmptcpd.h"

/* Every connection holds descriptors (its port reservation, a proxy's app
 * socket) until TIME-WAIT ends: take the hard limit, not the soft 1024. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		xd_loop_end_sources();
	else if (sig == SIGHUP)
		xd_loop_reload();
	else
		xd_loop_stop();
}

/* Listeners, proxies and the built-in client, in that order: a client
 * proxy may point at a local --server. */
static int setup(struct xd_loop *l, const struct xd_opts *o)
{
	struct xmp_addr addr;
	unsigned int i;
	__u16 port;
	int err;

	if (o->listen) {
		if (xd_parse_endpoint(o->listen, &addr, &port))
			return -EINVAL;
		err = xd_loop_listen(l, &addr, port, NULL, 0);
		if (err)
			return err;
		pr_info("xmptcpd: listening on %s\n", o->listen);
	}
	l->proxy_v2 = o->proxy_protocol;
	for (i = 0; i < o->nserver; i++) {
		err = xd_loop_listen(l, &o->server[i].a, o->server[i].pa, &o->server[i].b,
				     o->server[i].pb);
		if (err)
			return err;
	}
	for (i = 0; i < o->naccept; i++) {
		err = xd_loop_accept(l, o->accept[i]);
		if (err)
			return err;
	}
	for (i = 0; i < o->nclient; i++) {
		err = xd_proxy_add_client(l, &o->client[i].a, o->client[i].pa, &o->client[i].b,
					  o->client[i].pb);
		if (err)
			return err;
	}
	if (!o->connect)
		return 0;
	if (xd_parse_endpoint(o->connect, &addr, &port))
		return -EINVAL;
	return xd_loop_client(l, &addr, port, o->count, o->parallel);
}

/* Loaded policies and the default scheduler, before any socket opens: a
 * wrong name is the operator's to fix, nothing to clean up. */
static int setup_sched(const struct xd_opts *o)
{
	const struct xmp_sched_ops *ops;
	char msg[256];
	unsigned int i;
	int err;

	for (i = 0; i < o->nsched_load; i++) {
		err = xmp_sched_load(o->sched_load[i], NULL, msg, sizeof(msg));
		if (err)
			return err; /* sched.c said why, with the path */
	}
	if (!o->sched)
		return 0;
	ops = xmp_sched_find(o->sched);
	if (!ops) {
		pr_warn("xmptcpd: --sched: no scheduler '%s' (built-in: minrtt, rr, redundant, "
			"blest; or --sched-load FILE.so first)\n", o->sched);
		return -ENOENT;
	}
	return xmp_sched_set_default(ops);
}

/* --max-mem once the buffer sizes are known: a total that cannot hold one
 * connection is a mistake, said at once. */
static int check_limits(const struct xc_cfg *cfg)
{
	__u64 one = xc_mem_conn_min(cfg, xd_app_mem(true));
	__u64 max = xc_mem_conn_max(cfg, xd_app_mem(true));

	if (cfg->max_mem && cfg->max_mem < one) {
		pr_warn("xmptcpd: --max-mem %llu cannot hold one connection (it reserves "
			"%llu bytes with one subflow; lower --sndbuf/--rcvbuf/--sf-buf or "
			"raise --max-mem)\n",
			(unsigned long long)cfg->max_mem, (unsigned long long)one);
		return -EINVAL;
	}
	pr_info("xmptcpd: a connection reserves at most %llu bytes; all of them %llu at most "
		"(%s)\n",
		(unsigned long long)max,
		(unsigned long long)(cfg->max_mem ? cfg->max_mem : max * cfg->max_conns),
		cfg->max_mem ? "--max-mem" : "--max-conns times that");
	return 0;
}

static void loop_cfg(struct xd_loop_cfg *lc, const struct xd_opts *o)
{
	memset(lc, 0, sizeof(*lc));
	memcpy(lc->ifnames, o->ifnames, sizeof(lc->ifnames));
	lc->nifs = o->nifs;
	lc->pin_dir = o->pin_dir;
	lc->ctl_path = o->ctl_path;
	lc->queue_id = o->queue;
	lc->timeout_s = o->timeout_s;
	lc->metrics.listen = o->metrics_listen;
	lc->metrics.file = o->metrics_file;
	lc->metrics.interval_us = o->metrics_us;
	xd_opts_xc(&lc->xc, o);
}

/* What each new connection of the built-in endpoint sends. */
static void builtin_cfg(struct xd_ep_cfg *ep, const struct xd_opts *o)
{
	/* --send-time alone: the pattern until the time is up */
	ep->send_total = o->send_us && !o->send_bytes_set && !o->send_file ? UINT64_MAX
									   : o->send_bytes;
	ep->send_us = o->send_us;
	ep->src_file = o->send_file;
	ep->seed = o->seed;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct xd_loop_cfg lc;
	struct xd_loop loop;
	struct xd_conf conf;
	const struct xd_opts *o = &conf.cur;
	int err;

	if (argc == 2 && xd_doc(argv[1], &err))
		return err; /* the build's hidden --man, --bash-completion */
	if (xd_conf_init(&conf, argc, argv))
		return 2;
	if (o->print_config) {
		xd_conf_print(stdout, &conf);
		xd_conf_free(&conf);
		return 0;
	}
	xmp_log_setup_libbpf();
	if (setup_sched(o))
		return 1;
	raise_nofile();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	loop_cfg(&lc, o);
	err = xd_loop_init(&loop, &lc);
	if (err)
		return 1;
	loop.conf = &conf;
	builtin_cfg(&loop.builtin, o);
	loop.count = o->count;
	if (o->send_file && access(o->send_file, R_OK)) {
		pr_warn("xmptcpd: cannot read --send-file '%s': %s\n", o->send_file,
			strerror(errno));
		err = -errno;
		goto out;
	}
	err = xd_addrs_scan(&loop, false);
	if (!err)
		err = check_limits(&lc.xc);
	if (err)
		goto out; /* said why already */
	err = setup(&loop, o);
	if (!err) {
		xmp_sd_notify("READY=1"); /* systemd's Type=notify: serving now */
		err = xd_loop_run(&loop);
	}
	if (err)
		pr_warn("xmptcpd: %s: %s\n",
			err == -EPROTO ? "a connection did not complete cleanly"
				       : "did not complete",
			strerror(-err));
	pr_debug("xmptcpd: rx %llu frames (bad %llu, unmatched %llu), tx %llu (dropped %llu)\n",
		 (unsigned long long)loop.st.rx_frames, (unsigned long long)loop.st.rx_bad,
		 (unsigned long long)loop.st.rx_nomatch, (unsigned long long)loop.st.tx_frames,
		 (unsigned long long)loop.st.tx_drop);
out:
	xd_loop_fini(&loop);
	xd_conf_free(&conf);
	return err ? 1 : 0;
}

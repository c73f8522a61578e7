// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a connection (user/conn/close.c) on the in-memory wire: what
 * the packet-input fuzzer found there, each kept as a test.
 */
#include <string.h>

#include "lib/memhost.h"
#include "lib/test.h"

#define PORT	  5201
#define MAX_STEPS 100000 /* wire events in 120 s of an idle connection: a few hundred */

struct net {
	struct memwire *w;
	struct memhost cli, srv;
	struct memhost_app *ca;
	unsigned long steps;
};

/* Counts the wire's events (its loop asks before each one). */
static bool count_step(void *arg)
{
	struct net *n = arg;

	return ++n->steps > MAX_STEPS;
}

static bool srv_done(void *arg)
{
	struct net *n = arg;

	return n->srv.napps && memhost_all_done(&n->srv);
}

/*
 * Both DATA_FINs acked, our subflow in TIME-WAIT, and the application
 * reads nothing (the bytes wait in the connection). The 60 s linger
 * deadline (subflows still open then are reset) passed with nothing to
 * reset: it stayed due, and the host's timer fired at once, turn after
 * turn, until the application read.
 */
static void linger_slow_app(void)
{
	struct memwire_dir_cfg d = { .delay_us = 5 * T_MS };
	struct net n;
	int side;

	memset(&n, 0, sizeof(n));
	CHECK_EQ(memwire_new_links(&n.w, 1, 0, 1), 0);
	for (side = 0; side < 2; side++)
		memwire_link_set_dir(n.w, 0, side, &d);
	CHECK_EQ(memhost_init(&n.cli, n.w, 0, false, NULL, 1), 0);
	CHECK_EQ(memhost_init(&n.srv, n.w, 1, false, NULL, 1), 0);
	memhost_listen(&n.srv, PORT, 32 << 10, false);
	CHECK_EQ(memhost_connect(&n.cli, PORT, 32 << 10, &n.ca), 0);
	n.ca->paused = true;
	CHECK_EQ(memwire_run_until(n.w, srv_done, &n, 10 * T_SEC), 0);
	CHECK_EQ(n.srv.app[0].rcvd, 32 << 10);
	CHECK_EQ(n.ca->rcvd, 0);

	/* past the linger deadline and TIME-WAIT: a bounded number of events */
	memwire_run_until(n.w, count_step, &n, memwire_now(n.w) + 120 * T_SEC);
	CHECK(n.steps < MAX_STEPS);
	CHECK_EQ(n.cli.stats.timer_again, 0);
	CHECK(!xc_conn_done(n.ca->c));

	/* the application reads: every byte, exact, and the connection ends */
	n.ca->paused = false;
	xc_conn_pump(n.ca->c);
	CHECK_EQ(n.ca->rcvd, 32 << 10);
	CHECK_EQ(n.ca->bad, 0);
	CHECK(n.ca->eof_in);
	CHECK(xc_conn_done(n.ca->c));
	memhost_fini(&n.cli);
	memhost_fini(&n.srv);
	memwire_free(n.w);
}

int main(void)
{
	RUN(linger_slow_app);
	return t_exit_code();
}

#!/usr/bin/env bash
# xmptcpd's Prometheus metrics (issue 15, item 6), scraped during a transfer
# and parsed by prometheus_client's text-format parser (tests/lib/prom_check.py):
#  1. an app's kernel TCP connection through a client proxy (--client) goes
#     over MPTCP (two paths) to the kernel's MPTCP server; the transfer is
#     sized by time (the app sends until a stop file), paced by tbf on
#     the server's ACKs;
#  2. two scrapes of GET /metrics during it: the live connection's
#     xmptcp_conn_* and xmptcp_subflow_* series are there, cwnd and srtt
#     above 0, bytes grown from one scrape to the next;
#  3. --metrics-file (every 0.2 s) and `xmptcp metrics` parse too and carry
#     the connection;
#  4. bad requests: oversized, malformed, another path or method get
#     400/404/405 and are closed; a client that says nothing does not hold
#     up a scrape beside it and is closed after its deadline;
#  5. the transfer ends byte-exact; with nothing moving, every number of
#     `xmptcp stats -j` equals its sample.
# Every wait is for a condition with a deadline.
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 ethtool tc
xb_require_pymod prometheus_client
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns

C="xmtc$$" S="xmts$$"
xb_two_paths "$C" "$S" || xb_skip_all "cannot build the two-path topology"
xb_attach_ends attach_client_both_paths "$C:xbc1,xbc2"
# pacing: the server's ACKs leave at 2 Mbit/s (tbf; this kernel has no
# netem), which clocks our sender's segments to some tens of Mbit/s
for i in xbs1 xbs2; do
	ip netns exec "$S" tc qdisc add dev "$i" root tbf rate 2mbit burst 16kb latency 200ms ||
		xb_skip_all "no tbf qdisc"
done

d="$XB_TMP/m" && mkdir -p "$d"
MURL=http://127.0.0.1:9401/metrics
PC="$XB_LIBDIR/prom_check.py"
pc() { nsenter --net="/var/run/netns/$C" "$XB_PY" "$PC" "$@"; } # in C: 127.0.0.1 is the daemon's
alive() { kill -0 "$1" 2>/dev/null; }

XB_TMO=90 xb_kernel_server "$S" mptcp 0.0.0.0 5401 0 2 "$d/s" ||
	not_ok server_up "$(tail -n 5 "$d/s.err")"
SPID=$XB_PID
nsenter --net="/var/run/netns/$C" "$XMPTCPD" --iface xbc1 --iface xbc2 --ctl "$d/c.ctl" \
	--client 127.0.0.1:8401=10.231.1.2:5401 --metrics-listen 127.0.0.1:9401 \
	--metrics-file "$d/m.prom" --metrics-interval 0.2 --timeout 120 >"$d/c" 2>"$d/c.err" &
DPID=$!
ready() { xb_listens "$C" 8401 && xb_listens "$C" 9401; }
if ! xb_wait_until --pid "$DPID" 10 ready; then
	not_ok daemon_listens "$(tail -n 5 "$d/c.err")"
	xb_finish
fi
ok daemon_listens
XB_TMO=90 xb_kernel_client "$C" tcp 127.0.0.1 8401 60s 1 "$d/app" --stop "$d/stop" &
APID=$!

# --- 2. scrapes during the transfer --------------------------------------
# scrape N: /metrics into $d/N.json, ok when the connection's series are there
sent_over() { # FILE BYTES: the one connection sent more than BYTES
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = [v for n, lb, v in d["samples"] if n == "xmptcp_conn_sent_bytes_total"]
sys.exit(0 if len(v) == 1 and v[0] > int(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
}
got() { pc scrape "$MURL" "$d/$1.json" 2>"$d/$1.err" && sent_over "$d/$1.json" "$2"; }
if xb_wait_until --pid "$DPID" 20 got a 262144; then
	ok scrape_parses_during_the_transfer
else
	not_ok scrape_parses_during_the_transfer "$(cat "$d/a.err")" "$(tail -n 5 "$d/c.err")"
fi
a_sent=$(python3 -c 'import json, sys
print(int([v for n, lb, v in json.load(open(sys.argv[1]))["samples"]
	if n == "xmptcp_conn_sent_bytes_total"][0]))' "$d/a.json" 2>/dev/null)
if xb_wait_until --pid "$DPID" 20 got b "${a_sent:-0}" && pc live "$d/a.json" "$d/b.json" >"$d/live" 2>&1; then
	ok "live_connection_series_cwnd_srtt_bytes_grow # $(cat "$d/live")"
else
	not_ok live_connection_series_cwnd_srtt_bytes_grow "$(cat "$d/live" "$d/b.err" 2>/dev/null)"
fi

# --- 3. the textfile and the CLI -----------------------------------------
has_conn() { grep -q '^xmptcp_conn_info{' "$1"; }
file_ok() { [ -f "$d/m.prom" ] && cp "$d/m.prom" "$d/f.prom" && has_conn "$d/f.prom"; }
if xb_wait_until --pid "$DPID" 10 file_ok && pc parse "$d/f.prom" "$d/f.json" 2>"$d/f.err"; then
	ok metrics_file_parses_with_the_connection
else
	not_ok metrics_file_parses_with_the_connection "$(cat "$d/f.err" 2>/dev/null)" \
		"$(head -c 300 "$d/m.prom" 2>/dev/null)"
fi
if xb_nsx "$C" "$XMPTCP" metrics --ctl "$d/c.ctl" >"$d/cli.prom" 2>"$d/cli.err" &&
	has_conn "$d/cli.prom" && pc parse "$d/cli.prom" "$d/cli.json" 2>>"$d/cli.err"; then
	ok cli_metrics_parses
else
	not_ok cli_metrics_parses "$(cat "$d/cli.err")"
fi

# --- 4. bad requests -------------------------------------------------------
if pc bad 127.0.0.1 9401 >"$d/bad" 2>&1 && alive "$DPID"; then
	ok "bad_requests_refused_silent_client_closed # $(cat "$d/bad")"
else
	not_ok bad_requests_refused_silent_client_closed "$(cat "$d/bad")" "$(tail -n 3 "$d/c.err")"
fi

# --- 5. the end: byte-exact, then stats -j against a still scrape -----------
touch "$d/stop"
rc_a=0 rc_s=0
wait "$APID" || rc_a=$?
wait "$SPID" || rc_s=$?
xb_check_ran transfer_completed "$rc_a $rc_s" "$d/app" "$d/s"
xb_check_bytes transfer_sha256 "$d/app" "$d/s" +1048576
# still: stats -j, a scrape, stats -j again the same (but for its own
# request count); the daemon counts the first request before answering it
stats() { xb_nsx "$C" "$XMPTCP" stats -j --ctl "$d/c.ctl" >"$1" 2>/dev/null; }
still() {
	stats "$d/st1.json" && pc scrape "$MURL" "$d/z.json" 2>"$d/z.err" && stats "$d/st2.json" &&
		python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
a["ctl"]["requests"] = b["ctl"]["requests"] = 0
sys.exit(0 if a == b and a["conns"]["ok"] == 1 and a["conns"]["active"] == 0 else 1)' \
			"$d/st1.json" "$d/st2.json"
}
if xb_wait_until --pid "$DPID" 20 still && pc compare "$d/st1.json" "$d/z.json" >"$d/cmp" 2>&1; then
	ok "counters_equal_stats_j # $(cat "$d/cmp")"
else
	not_ok counters_equal_stats_j "$(cat "$d/cmp" "$d/z.err" 2>/dev/null)" \
		"$(head -c 400 "$d/st1.json" 2>/dev/null)"
fi
kill "$DPID" 2>/dev/null
rc_d=0
wait "$DPID" || rc_d=$?
if [ "$rc_d" = 0 ] && [ ! -e "$d/m.prom.tmp" ]; then
	ok daemon_stops_cleanly_no_temp_file_left
else
	not_ok daemon_stops_cleanly_no_temp_file_left "exit $rc_d" "$(tail -n 5 "$d/c.err")"
fi

xb_finish

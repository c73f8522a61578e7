#!/usr/bin/env bash
# Limits and scale of xmptcpd's proxies (the issue's acceptance: "max
# connections, subflows per connection ... configurable, refused cleanly
# when reached; 1000 concurrent connections through the proxies held").
# Topology as in test_proxy: namespace C (python3 client app, xmptcpd
# --client) -- xsc0 10.238.1.1 / xss0 10.238.1.2 and xsc1 10.238.2.1 /
# xss1 10.238.2.2 -- namespace S (xmptcpd --server, python3 server app on
# 127.0.0.1:8000). Between the daemons every connection is MPTCP, towards
# the apps kernel TCP on loopback. tests/lib/scale_app.py checks every
# byte, one pattern per connection and direction.
# Knobs: SCALE_CASES ("1 3" runs some), SCALE_NCONN (1000), SCALE_BYTES
# (each way per connection in case 1, 65536), SCALE_HOLD (seconds the
# NCONN are held idle, 3). Cases, one function each:
#  1. 1000 connections open at the same moment through both proxies (the
#     app sends nothing until all are connected; both daemons list >= 1000
#     live connections and the server app had 1000 open at once), then
#     64 KB each way on every one, byte-exact; afterwards no live
#     connection and no failure in either daemon's counters. The daemons
#     start under the usual soft fd limit of 1024 (each client subflow
#     holds a kernel socket for its port, each proxied connection an app
#     socket): xmptcpd raises its own. Time and peak RSS are printed.
#  2. --max-conns 50 on the client proxy: the 51st app connection is reset
#     at once (not left hanging) and counted as refused; the 50 complete
#     byte-exact; once they are over 50 new (short) ones are accepted, and
#     with all of them in TIME-WAIT the daemons use next to no CPU.
#  3. --max-subflows on a 2x2 address topology (fullmesh: 4 subflows):
#     client --max-subflows 2 gives 1 + 2 joined = 3 subflows; a server
#     with --max-subflows 1 refuses the joins beyond 1 (MP_TCPRST, counted)
#     and the connection keeps 2; data byte-exact in both.
#  4. --max-conns 50 on the server proxy: the 51st MPTCP SYN is refused
#     (counted, no connection made) while the 50 work byte-exact; room
#     again once they are over.
#  5. a client daemon out of file descriptors (hard limit 200, 100 app
#     connections): each app connection is byte-exact or reset at once,
#     none hangs; the daemon does not spin and its control socket answers.
source "$(dirname "$0")/../lib/net.sh"

APP="$XB_LIBDIR/scale_app.py"
NCONN=${SCALE_NCONN:-1000}
CASES=${SCALE_CASES:-1 2 3 4 5}
HOLD=${SCALE_HOLD:-3} # seconds the NCONN stay open and idle before the data
BYTES=${SCALE_BYTES:-65536} # each way on each of the NCONN
xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout ss
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns
# The apps hold NCONN sockets each; the client daemon, which raises its
# soft limit to this hard one, NCONN app sockets and a port reservation
# per subflow (4 per connection on the 2x2 topology).
NOFILE=$((5 * NCONN + 1000))
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$NOFILE" ] ||
	xb_skip_all "hard fd limit $(ulimit -Hn) below the $NOFILE that $NCONN connections need"
ulimit -n "$NOFILE" || xb_skip_all "cannot set the fd limit to $NOFILE"

C="xsc$$" S="xss$$"
xb_pair "$C" "$S" 10.238 xsc0:xss0 xsc1:xss1 || xb_skip_all "cannot build the veth topology"
xb_attach_ends attach_both_ends "$C:xsc0,xsc1" "$S:xss0,xss1"

ctl() { xb_nsx "$1" "$XMPTCP" "${@:2}"; }

listening() { xb_wait_until 5 xb_listens "$@"; } # NS PORT: something listens on PORT

# daemons_up DIR "CLIENT OPTS" "SERVER OPTS" [CLIENT_NOFILE]: both daemons
# on both interfaces, client proxy 127.0.0.1:8080 -> 10.238.1.2:9000,
# server proxy 10.238.1.2:9000 -> 127.0.0.1:8000; CPID/SPID. The soft fd
# limit of the daemons is 1024, as a shell or service would give them;
# CLIENT_NOFILE sets the client daemon's soft and hard limit instead.
daemons_up() {
	local d=$1 copts=$2 sopts=$3 cnofile=${4:+-n $4}
	# shellcheck disable=SC2086 # the options are words
	(ulimit -Sn 1024 && exec nsenter --net="/var/run/netns/$S" "$XMPTCPD" --iface xss0 \
		--iface xss1 --server 10.238.1.2:9000=127.0.0.1:8000 $sopts) \
		>"$d/s.out" 2>"$d/s.err" &
	SPID=$!
	# shellcheck disable=SC2086
	(ulimit ${cnofile:--Sn 1024} && exec nsenter --net="/var/run/netns/$C" "$XMPTCPD" --iface xsc0 \
		--iface xsc1 --client 127.0.0.1:8080=10.238.1.2:9000 $copts) \
		>"$d/c.out" 2>"$d/c.err" &
	CPID=$!
	listening "$C" 8080 && ctl_up "$C" && ctl_up "$S"
}

ctl_up() { xb_wait_until 5 eval "ctl '$1' stats -j >/dev/null 2>&1"; } # NS: its daemon answers

# daemons_down: SIGTERM; both must exit 0
daemons_down() {
	local rc=0
	kill -TERM "$CPID" "$SPID" 2>/dev/null
	wait "$CPID" || rc=$?
	wait "$SPID" || rc=$((rc ? rc : $?))
	return $rc
}

# app_server_up DIR: the checking server app in S; APID
app_server_up() {
	ip netns exec "$S" python3 "$APP" server 127.0.0.1 8000 >"$1/app_s.out" 2>"$1/app_s.err" &
	APID=$!
	listening "$S" 8000
}

# app_server_down: SIGTERM; it writes its one JSON line (accepted, ok,
# bad, peak) to DIR/app_s.out. Not in a $(): wait needs its parent shell.
app_server_down() {
	kill -TERM "$APID" 2>/dev/null
	wait "$APID" 2>/dev/null
}

# jf FILE EXPR: EXPR over the JSON document d in FILE (empty on error)
jf() {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
live = lambda: [x for x in d if x['state'] not in ('TIME_WAIT', 'CLOSED')]
print($2)" "$1" 2>/dev/null
}

# live_conns NS FILE: live connections in NS's daemon, conns -j kept in FILE
live_conns() {
	ctl "$1" conns -j >"$2" 2>"$2.err"
	jf "$2" 'len(live())'
}

# mptcp_conns NS FILE: connections of NS's daemon that are MPTCP and
# established at the data level (conns -j kept in FILE)
mptcp_conns() {
	ctl "$1" conns -j >"$2" 2>"$2.err"
	jf "$2" 'sum(1 for x in d if x["mp_capable"] and not x["fallback"] and x["state"] == "ESTABLISHED")'
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; } # PID: utime+stime

cpu_s() { secs 0 "$(($(cpu_ticks "$1") - $2)) / $(getconf CLK_TCK)"; } # PID TICKS0: CPU s since

secs() { python3 -c "print(round($2 - $1, 1))"; } # T0 T1: seconds between

vm() { # PID FIELD: from /proc/PID/status, in kB
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# --- 1. NCONN at once ---------------------------------------------------
case_thousand() {
	local d="$XB_TMP/k" t0 t1 nc ns r sub
	mkdir -p "$d"
	# 64K buffers: NCONN connections x 2 daemons in a few hundred MB
	if ! app_server_up "$d" || ! daemons_up "$d" "--rcvbuf 64K --sndbuf 64K" \
		"--rcvbuf 64K --sndbuf 64K"; then
		not_ok "thousand_setup" "$(cat "$d"/*.err)"
		return
	fi
	t0=$(date +%s.%N)
	ip netns exec "$C" timeout 120 python3 "$APP" client 127.0.0.1 8080 "$NCONN" "$BYTES" \
		"$d/ready" "$d/go" 100 >"$d/app_c.out" 2>"$d/app_c.err" &
	local cli=$!
	xb_wait_file "$d/ready" 60
	# every connection is open at the app; wait until both daemons hold
	# them all (the client proxy accepts from its backlog, the server
	# proxy connects forward as the MPTCP SYNs come)
	# (and each has done its MPTCP handshake: a SYN-ACK may still be on
	# its way when the other daemon already counts the connection)
	all_open() {
		nc=$(mptcp_conns "$C" "$d/conns_c.json")
		ns=$(mptcp_conns "$S" "$d/conns_s.json")
		[ "${nc:-0}" -ge "$NCONN" ] && [ "${ns:-0}" -ge "$NCONN" ]
	}
	nc=0 ns=0
	xb_wait_until 30 all_open
	t1=$(date +%s.%N)
	sub=$(jf "$d/conns_c.json" 'sum(x["subflows"] for x in live())')
	echo "# $NCONN connections open through both proxies after $(secs "$t0" "$t1") s;" \
		"client daemon $nc with $sub subflows, server daemon $ns"
	echo "# VmRSS with all open: client daemon $(vm "$CPID" VmRSS) kB, server daemon $(vm "$SPID" VmRSS) kB"
	[ "${nc:-0}" -ge "$NCONN" ] && [ "${ns:-0}" -ge "$NCONN" ] &&
		ok "thousand_all_open_at_once_both_daemons_mptcp" ||
		not_ok "thousand_all_open_at_once_both_daemons_mptcp" \
			"MPTCP established: client daemon $nc, server daemon $ns (want $NCONN)" \
			"client: $(jf "$d/conns_c.json" '[(x["state"], x["mp_capable"]) for x in d if not x["mp_capable"] or x["state"] != "ESTABLISHED"][:5]')" \
			"$(tail -n 3 "$d/c.err" "$d/s.err" "$d/conns_c.json.err")"
	# held idle for a while: what the daemons spend on idle connections
	# (timers, scans per loop turn) shows as CPU
	local cc0 cs0
	cc0=$(cpu_ticks "$CPID") cs0=$(cpu_ticks "$SPID")
	sleep "$HOLD"
	echo "# CPU while the $NCONN are held idle ${HOLD} s: client daemon $(cpu_s "$CPID" "$cc0") s," \
		"server daemon $(cpu_s "$SPID" "$cs0") s"
	nc=$(mptcp_conns "$C" "$d/conns_c.json")
	ns=$(mptcp_conns "$S" "$d/conns_s.json")
	[ "${nc:-0}" -ge "$NCONN" ] && [ "${ns:-0}" -ge "$NCONN" ] && ok "thousand_held_${HOLD}s" ||
		not_ok "thousand_held_${HOLD}s" "client daemon $nc live, server daemon $ns"
	cc0=$(cpu_ticks "$CPID") cs0=$(cpu_ticks "$SPID")
	touch "$d/go"
	wait "$cli"
	t1=$(date +%s.%N)
	r=$(cat "$d/app_c.out")
	echo "# $NCONN connections: $(secs "$t0" "$t1") s in all (open $(xb_json 'd.get("open_s")' <<<"$r") s," \
		"$((BYTES / 1024)) KB each way $(xb_json 'd.get("xfer_s")' <<<"$r") s, CPU in it: client daemon" \
		"$(cpu_s "$CPID" "$cc0") s, server daemon $(cpu_s "$SPID" "$cs0") s)"
	echo "# peak VmHWM: client daemon $(vm "$CPID" VmHWM) kB, server daemon $(vm "$SPID" VmHWM) kB"
	all_exact "$NCONN" "$r" && ok "thousand_$((BYTES / 1024))KB_each_way_byte_exact_client_app" ||
		not_ok "thousand_$((BYTES / 1024))KB_each_way_byte_exact_client_app" "$r" "$(tail -n 3 "$d/app_c.err" "$d/c.err" "$d/s.err")"
	# the server app saw each connection's c2s pattern exact, all at once
	app_server_down
	r=$(cat "$d/app_s.out")
	[ "$(xb_json "d['accepted'] == $NCONN and d['ok'] == $NCONN and not d['bad'] and d['peak'] == $NCONN" <<<"$r")" = True ] &&
		ok "thousand_server_app_peak_${NCONN}_open_byte_exact" ||
		not_ok "thousand_server_app_peak_${NCONN}_open_byte_exact" "server app: $r" "$(tail -n 5 "$d/app_s.err")"
	# the apps are done; the daemons report each connection once its last
	# DATA_ACK / FIN exchange is over, a moment later
	wait_idle "$C" "$d/stats_c.json" && wait_idle "$S" "$d/stats_s.json"
	live_conns "$C" "$d/after_c.json" >/dev/null
	live_conns "$S" "$d/after_s.json" >/dev/null
	r=$(python3 "$XB_LIBDIR/scale_check.py" "$d/stats_c.json" "$d/stats_s.json" "$d/after_c.json" "$d/after_s.json" "$NCONN")
	[ "$r" = ok ] && ok "thousand_after_no_live_conns_no_failures" ||
		not_ok "thousand_after_no_live_conns_no_failures" "$r"
	daemons_down && ok "thousand_daemons_exit_0" ||
		not_ok "thousand_daemons_exit_0" "$(tail -n 3 "$d/c.err" "$d/s.err")"
}

# probe_refused NS PORT: one app connection that sends a little and
# waits up to 10 s for an answer; prints "reset MS", "eof MS" or "timeout"
probe_refused() {
	ip netns exec "$1" python3 - "$2" <<'EOF'
import socket, sys, time
t0 = time.monotonic()
try:
    # the reset may come before connect() returns: the kernel completed
    # the handshake, the proxy accepted and reset at once
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.sendall(b"x" * 100)
    b = s.recv(100)
    print("%s %d" % ("eof" if not b else "data", (time.monotonic() - t0) * 1000))
except (ConnectionResetError, BrokenPipeError):
    print("reset %d" % ((time.monotonic() - t0) * 1000))
except socket.timeout:
    print("timeout")
EOF
}

# wait_idle NS FILE: until NS's daemon has no active connection (stats -j
# in FILE); the apps are done but the last DATA_ACK / FIN take a moment
wait_idle() { xb_wait_until 10 idle "$@"; }
idle() { # NS FILE
	ctl "$1" stats -j >"$2" 2>&1
	[ "$(jf "$2" 'd["conns"]["active"]')" = 0 ]
}

# all_exact N REPORT: the client app's REPORT says N connections opened,
# N byte-exact both ways, none bad
all_exact() { [ "$(xb_json "d['opened'] == $1 and d['ok'] == $1 and d['nbad'] == 0" <<<"$2")" = True ]; }

# released NAME DIR PID N [LOG...]: the client app PID (holding N
# connections open until DIR/go exists) goes on; NAME: all N byte-exact
released() {
	local r
	touch "$2/go"
	wait "$3"
	r=$(cat "$2/app_c.out")
	all_exact "$4" "$r" && ok "$1" || not_ok "$1" "$r" "$(tail -n 3 "$2/app_c.err" "${@:5}")"
}

# fifty NAME DIR "CLIENT OPTS" "SERVER OPTS" NS: the daemons up with the
# options, then 50 app connections held open (the app's pid in CLI) until
# NS's daemon counts 50 live ones (N). Fails, said as NAME_setup, when
# something did not start.
fifty() {
	local name=$1 d=$2 ns=$5
	mkdir -p "$d"
	if ! app_server_up "$d" || ! daemons_up "$d" "$3" "$4"; then
		not_ok "${name}_setup" "$(cat "$d"/*.err)"
		return 1
	fi
	ip netns exec "$C" timeout 60 python3 "$APP" client 127.0.0.1 8080 50 65536 \
		"$d/ready" "$d/go" 50 >"$d/app_c.out" 2>"$d/app_c.err" &
	CLI=$!
	xb_wait_file "$d/ready" 30
	has_fifty() {
		N=$(live_conns "$ns" "$d/conns_$ns.json")
		[ "${N:-0}" -ge 50 ]
	}
	xb_wait_until 10 has_fifty
}

# fifty_more DIR NS BYTES STATS: once NS's daemon is idle, 50 more app
# connections of BYTES each way; prints the app's report and leaves NS's
# stats -j in STATS once it is idle again
fifty_more() {
	wait_idle "$2" "$4"
	touch "$1/go2"
	ip netns exec "$C" timeout 60 python3 "$APP" client 127.0.0.1 8080 50 "$3" \
		"$1/ready2" "$1/go2" 50 >"$1/app_c2.out" 2>"$1/app_c2.err"
	wait_idle "$2" "$4"
	cat "$1/app_c2.out"
}

# --- 2. --max-conns ------------------------------------------------------
case_max_conns() {
	local d="$XB_TMP/mc" n r p
	fifty max_conns "$d" "--max-conns 50" "" "$C" || return
	local cli=$CLI
	n=$N
	# the 51st: accepted by the kernel, then reset by the proxy at once
	p=$(probe_refused "$C" 8080)
	ctl "$C" stats -j >"$d/stats_c.json" 2>&1
	r=$(jf "$d/stats_c.json" 'd["proxy"]["refused"]')
	# (reset, not left hanging until the probe's 10 s timeout: the
	# milliseconds it took are printed, not judged)
	echo "# the 51st: $p"
	[ "$n" = 50 ] && [ "${p%% *}" = reset ] && [ "$r" = 1 ] &&
		ok "max_conns_51st_reset_at_once_and_counted" ||
		not_ok "max_conns_51st_reset_at_once_and_counted" \
			"live $n (want 50), probe: $p (want reset), proxy.refused $r (want 1)"
	released max_conns_the_50_byte_exact "$d" "$cli" 50 "$d/c.err"
	# their slots are free again (TIME-WAIT does not count): 50 more,
	# short ones, that end before the path manager opened all their joins
	r=$(fifty_more "$d" "$C" 1000 "$d/stats_c.json")
	all_exact 50 "$r" &&
		[ "$(jf "$d/stats_c.json" 'd["proxy"]["refused"] == 1 and d["proxy"]["accepted"] == 100 and
			d["conns"]["ok"] == 100 and d["conns"]["failed"] == 0')" = True ] &&
		ok "max_conns_after_close_50_more_accepted" ||
		not_ok "max_conns_after_close_50_more_accepted" "$r" "$(cat "$d/stats_c.json")"
	# connections that ended before all their joins: no timer of theirs
	# may stay due through TIME-WAIT
	no_spin max_conns_daemons_idle_after
	app_server_down
	daemons_down || not_ok "max_conns_daemons_exit_0" "$(tail -n 3 "$d/c.err" "$d/s.err")"
}

# --- 4. --max-conns on the server proxy -----------------------------------
# Full of established connections, it takes no new one: the MPTCP SYN is
# counted (rx_syn_limit) and left unanswered, as the kernel drops a SYN to
# a full accept queue, so the peer (our client daemon) retries and gets in
# once the 50 are over: the 51st app's transfer completes byte-exact.
case_server_max_conns() {
	local d="$XB_TMP/smc" n r p0
	fifty server_max_conns "$d" "" "--max-conns 50" "$S" || return
	local cli=$CLI
	# the 51st, sent as soon as it is connected (its go file exists)
	touch "$d/go51"
	p0=$(date +%s.%N)
	ip netns exec "$C" timeout 60 python3 "$APP" client 127.0.0.1 8080 1 65536 \
		"$d/ready51" "$d/go51" 40 >"$d/app_51.out" 2>"$d/app_51.err" &
	local p51=$!
	syn_refused() {
		ctl "$S" stats -j >"$d/stats_s.json" 2>&1
		[ "$(jf "$d/stats_s.json" 'd["frames"]["rx_syn_limit"]')" -ge 1 ] 2>/dev/null
	}
	xb_wait_until 5 syn_refused
	r=$(jf "$d/stats_s.json" 'd["frames"]["rx_syn_limit"]')
	n=$(live_conns "$S" "$d/conns_s.json")
	[ "${r:-0}" -ge 1 ] && [ "$n" = 50 ] && ok "server_max_conns_51st_syn_refused_counted" ||
		not_ok "server_max_conns_51st_syn_refused_counted" "rx_syn_limit $r (want >= 1), server daemon live $n (want 50)"
	released server_max_conns_the_50_byte_exact "$d" "$cli" 50 "$d/s.err"
	wait "$p51"
	r=$(cat "$d/app_51.out")
	echo "# the 51st app connection, once the 50 were over: $r" \
		"after $(secs "$p0" "$(date +%s.%N)") s"
	all_exact 1 "$r" && ok "server_max_conns_51st_gets_in_after" ||
		not_ok "server_max_conns_51st_gets_in_after" "$r" "$(tail -n 3 "$d/app_51.err")"
	# room again: 50 more through the same server proxy
	r=$(fifty_more "$d" "$S" 65536 "$d/stats_s.json")
	all_exact 50 "$r" &&
		[ "$(jf "$d/stats_s.json" 'd["conns"]["failed"] == 0 and d["conns"]["ok"] >= 100')" = True ] &&
		ok "server_max_conns_after_close_50_more_accepted" ||
		not_ok "server_max_conns_after_close_50_more_accepted" "$r" "$(cat "$d/stats_s.json")"
	app_server_down
	daemons_down || not_ok "server_max_conns_daemons_exit_0" "$(tail -n 3 "$d/c.err" "$d/s.err")"
}

# no_spin NAME: the daemons, with their connections over (in TIME-WAIT),
# use next to no CPU: nothing keeps their loop turning
no_spin() {
	local cc0 cs0 c s
	cc0=$(cpu_ticks "$CPID") cs0=$(cpu_ticks "$SPID")
	sleep 2
	c=$(cpu_s "$CPID" "$cc0") s=$(cpu_s "$SPID" "$cs0")
	[ "$(python3 -c "print($c < 0.2 and $s < 0.2)")" = True ] && ok "$1" ||
		not_ok "$1" "CPU in 2 s with every connection over: client daemon $c s, server daemon $s s"
}

# --- 5. out of file descriptors --------------------------------------------
# A client daemon whose hard fd limit is 200 (an app socket and 4 port
# reservations per connection: about 35 fit) and 100 app connections at
# once: each completes byte-exact or is reset at once, none hangs; the
# daemon does not spin and still answers on its control socket.
case_nofile() {
	local d="$XB_TMP/nf" r
	mkdir -p "$d"
	if ! app_server_up "$d" || ! daemons_up "$d" "" "" 200; then
		not_ok "nofile_setup" "$(cat "$d"/*.err)"
		return
	fi
	touch "$d/go"
	ip netns exec "$C" timeout 60 python3 "$APP" client 127.0.0.1 8080 100 65536 \
		"$d/ready" "$d/go" 40 >"$d/app_c.out" 2>"$d/app_c.err"
	r=$(cat "$d/app_c.out")
	echo "# 100 app connections, client daemon limited to 200 fds: $(xb_json 'd["ok"]' <<<"$r") byte-exact," \
		"$(xb_json 'd["kinds"]' <<<"$r")"
	[ "$(xb_json "d['ok'] >= 1 and d['kinds']['reset'] >= 1 and d['ok'] + d['kinds']['reset'] == 100" <<<"$r")" = True ] &&
		ok "nofile_each_app_conn_byte_exact_or_reset_none_hangs" ||
		not_ok "nofile_each_app_conn_byte_exact_or_reset_none_hangs" "$r" "$(sort "$d/c.err" | uniq -c | head -5)"
	wait_idle "$C" "$d/stats_c.json"
	[ "$(jf "$d/stats_c.json" "d['proxy']['refused'] >= 1")" = True ] &&
		ok "nofile_control_socket_answers_refusals_counted" ||
		not_ok "nofile_control_socket_answers_refusals_counted" "$(head -c 600 "$d/stats_c.json")"
	no_spin nofile_daemons_idle_after
	app_server_down
	daemons_down || not_ok "nofile_daemons_exit_0" "$(tail -n 3 "$d/c.err" "$d/s.err")"
}

# subflows NS FILE: "N LOCALS REMOTES" of the ESTABLISHED subflows of the
# one connection of NS's daemon (subflows -j kept in FILE)
subflows() {
	local i
	# a request may time out on a loaded machine (the CLI waits a
	# bounded time): the counts are the point here, so ask again
	for i in 1 2 3; do
		ctl "$1" subflows -j >"$2" 2>"$2.err" && [ -s "$2" ] && break
		sleep 0.5
	done
	python3 - "$2" <<'EOF' 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1]))
if len(d) != 1:
    print("conns %d" % len(d)); sys.exit()
e = [x for x in d[0]["subflows"] if x["state"] == "ESTABLISHED"]
ips = lambda k: ",".join(sorted({x[k].rsplit(":", 1)[0] for x in e}))
print(len(e), ips("local"), ips("remote"))
EOF
}

# sf_case NAME DIR WANT COPTS SOPTS [ALL4]: one connection through the
# proxies on the 2x2 topology; once the path managers had time to open all
# they would, both daemons show WANT established subflows (ALL4: over both
# local and both remote addresses, so all 4 pairs were there to take);
# then 1 MB each way byte-exact over them.
sf_case() {
	local name=$1 d=$2 want=$3 all4=${6:-0} sc ss r
	mkdir -p "$d"
	if ! app_server_up "$d" || ! daemons_up "$d" "$4" "$5"; then
		not_ok "${name}_setup" "$(cat "$d"/*.err)"
		return
	fi
	ip netns exec "$C" timeout 60 python3 "$APP" client 127.0.0.1 8080 1 1000000 \
		"$d/ready" "$d/go" 50 >"$d/app_c.out" 2>"$d/app_c.err" &
	local cli=$!
	xb_wait_file "$d/ready" 30
	xb_wait_until 5 eval '[ "$(subflows "$C" "$d/sf_c.json" | cut -d" " -f1)" = "$want" ]'
	# fullmesh looks for missing pairs every 200 ms and retries a failed
	# one after 1 s: a subflow beyond the limit would show by now
	sleep 2.5
	sc=$(subflows "$C" "$d/sf_c.json")
	ss=$(subflows "$S" "$d/sf_s.json")
	if [ "$all4" = 1 ]; then
		[ "$sc" = "$want 10.238.1.1,10.238.2.1 10.238.1.2,10.238.2.2" ] &&
			[ "$ss" = "$want 10.238.1.2,10.238.2.2 10.238.1.1,10.238.2.1" ]
	else
		[ "${sc%% *}" = "$want" ] && [ "${ss%% *}" = "$want" ]
	fi && ok "${name}_${want}_subflows_both_daemons" ||
		not_ok "${name}_${want}_subflows_both_daemons" "client: $sc" "server: $ss" \
			"$(head -c 1500 "$d/sf_c.json")" "$(cat "$d/sf_c.json.err" "$d/sf_s.json.err")" \
			"$(tail -n 3 "$d/c.err" "$d/s.err")"
	released "${name}_1MB_each_way_byte_exact" "$d" "$cli" 1
	wait_idle "$S" "$d/stats_s.json"
	app_server_down
}

# --- 3. --max-subflows ---------------------------------------------------
case_max_subflows() {
	local d="$XB_TMP/sf1" r
	# the client's limit: 2 joins, not the 3 fullmesh wants
	sf_case max_subflows_client_2 "$d" 3 "--max-subflows 2" "" 1
	daemons_down || not_ok "max_subflows_client_daemons_exit_0" "$(tail -n 3 "$d/c.err" "$d/s.err")"
	# the server's limit: 1 join; the client's further joins are refused
	# with MP_TCPRST and counted, the connection keeps its 2
	d="$XB_TMP/sf2"
	sf_case max_subflows_server_1 "$d" 2 "" "--max-subflows 1"
	r=$(jf "$d/stats_s.json" 'd["join"]["MPJoinRejected"]')
	[ "${r:-0}" -ge 1 ] && ok "max_subflows_server_refusals_counted" ||
		not_ok "max_subflows_server_refusals_counted" "MPJoinRejected $r" "$(head -c 1000 "$d/stats_s.json")"
	daemons_down || not_ok "max_subflows_server_daemons_exit_0" "$(tail -n 3 "$d/c.err" "$d/s.err")"
}

for c in $CASES; do
	case $c in
	1) case_thousand ;;
	2) case_max_conns ;;
	3) case_max_subflows ;;
	4) case_server_max_conns ;;
	5) case_nofile ;;
	esac
done
xb_finish

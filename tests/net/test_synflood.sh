#!/usr/bin/env bash
# A listener under a SYN flood, and the memory limit (issue 6: bounded state
# under hostile input, limits refused cleanly).
# Topology: namespace C (kernel clients, the flood's packet socket) -- veth
# xfc0 10.237.1.1 / xfs0 10.237.1.2 -- namespace S (xmptcpd --listen, XDP on
# xfs0). Cases:
#  1. flood: tests/lib/mpjoin_forge.py flood sends 20000 SYNs from random
#     addresses of 10.237.1.0/24 (half with MP_CAPABLE) that never complete.
#     The daemon runs with --max-half-open 64: sampled every 50 ms, it never
#     holds more than 64 half-open connections nor more than 64 in all; the
#     oldest are dropped (syn_evicted counts them, no summary line, no RST
#     to the forged sources); its reserved memory never passes 66
#     connections' worth; its RSS grows by less than 16 MB. Then, with the
#     table still full, a kernel MPTCP client gets in at once (the oldest
#     half-open connection makes room; a listener that refused new SYNs
#     would keep it out for minutes) and its 1 MB upload and 64 KB reply
#     are byte-exact. (A bounded queue, not SYN cookies: a flood faster
#     than --max-half-open SYNs per round trip can evict a real handshake
#     before its third ACK; README, limits.)
#  1b. the same flood (3000 SYNs) against --max-conns 32 (below the default
#     --max-half-open): never more than 32 live, the oldest half-open ones
#     still make room, a real client gets in.
#  2. --max-mem: a daemon whose --max-mem holds two connections, eight
#     kernel clients with 4 MB uploads at once: SYNs beyond are refused
#     (mem_refused) and leave no state, the reserve never passes --max-mem,
#     every client still completes byte-exact (the kernel retransmits its
#     SYN), 8 ok and 0 failed, and the reserve is back to 0 after the last.
#  3. bad values of the new options: one clear line, exit 2.
source "$(dirname "$0")/../lib/net.sh"

FORGE="$XB_LIBDIR/mpjoin_forge.py"
HALF=64
FLOOD=${XSF_FLOOD:-20000}

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns

C="xfc$$" S="xfs$$"
xb_pair "$C" "$S" 10.237 xfc0:xfs0 || xb_skip_all "cannot build the veth topology"
xb_attach_ends attach_server "$S:xfs0"

# ctlj NS SOCK ARGS...: the CLI's JSON against one daemon's control socket
ctlj() { xb_nsx "$1" "$XMPTCP" "${@:3}" -j --ctl "$2" 2>/dev/null; }
# rss PID: resident set of PID in KB
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
# stop_srv PID: SIGTERM, then SIGKILL if it is still there after 10 s;
# fails unless it exited 0 by itself. (A daemon that closed its half-open
# connections gracefully would wait minutes for them; 10 s is no measure
# of speed, only a bound.)
stop_srv() {
	local rc=0 gone=0
	kill -TERM "$1" 2>/dev/null
	xb_wait_until 10 eval "! kill -0 $1 2>/dev/null" && gone=1
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null || rc=$?
	[ "$rc" = 0 ] && [ "$gone" = 1 ]
}
# stats_hold SOCK OUT EXPR: `stats -j` of the daemon into OUT; true when
# EXPR over it (d) holds
stats_hold() {
	ctlj "$S" "$1" stats >"$2"
	[ "$(xb_json "$3" "$2")" = True ]
}

# sampler SOCK OUT STOPFILE: `stats -j` every 50 ms into OUT (JSON lines)
# until STOPFILE exists.
sampler() {
	while [ ! -e "$3" ]; do
		ctlj "$S" "$1" stats >>"$2"
		sleep 0.05
	done
}
# maxof FILE EXPR: the largest EXPR over the JSON lines d of FILE
maxof() {
	python3 -c "
import json, sys
v = [eval(sys.argv[2], {}, {'d': json.loads(l)}) for l in open(sys.argv[1]) if l.startswith('{')]
print(max(v) if v else -1)" "$1" "$2" 2>/dev/null
}

# --- 1. SYN flood --------------------------------------------------------
case_flood() {
	local d="$XB_TMP/flood" spid dpid rss0 rss1 rc_c=0 smac i
	mkdir -p "$d"
	XB_TMO=90 xb_ours_server "$S" xfs0 10.237.1.2:5301 65536 2 "$d/s" --count 0 \
		--max-half-open "$HALF" --ctl "$d/s.ctl" ||
		{ not_ok flood_server_up "$(tail -n 5 "$d/s.err")"; return; }
	spid=$XB_PID
	dpid=$(ctlj "$S" "$d/s.ctl" stats | xb_json 'd["pid"]' /dev/stdin)
	rss0=$(rss "$dpid")
	smac=$(ip -n "$S" -j link show xfs0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
	sampler "$d/s.ctl" "$d/samples" "$d/stop" &
	local samp=$!
	xb_nsx "$C" timeout 60 python3 "$FORGE" flood --iface xfc0 --dmac "$smac" \
		--src 10.237.1.1 --dst 10.237.1.2 --dport 5301 --count "$FLOOD" >"$d/flood" 2>"$d/flood.err"
	# the daemon took what the RX ring still held: the table is full
	xb_wait_until 10 stats_hold "$d/s.ctl" "$d/stats" "d['limits']['half_open'] == $HALF"
	# The table is full of the flood's half-open connections (they would
	# take minutes of SYN-ACK retransmissions to time out): a real client
	# gets in at once, the oldest of them making room: its first SYN is
	# answered (the kernel's SYN retransmissions, not seconds, tell; a
	# loaded machine may lose one), however long its upload then takes.
	xb_kstat "$C" >"$d/kb"
	XB_TMO=60 xb_kernel_client "$C" mptcp 10.237.1.2 5301 1048576 4 "$d/c" || rc_c=$?
	xb_kstat "$C" >"$d/ka"
	local synrtx
	synrtx=$(xb_delta TcpExtTCPSynRetrans "$d/kb" "$d/ka")
	rss1=$(rss "$dpid")
	touch "$d/stop"
	wait "$samp"
	echo "# flood: $(cat "$d/flood"); daemon RSS ${rss0} KB before, ${rss1} KB after"
	echo "# limits: $(xb_json 'd["limits"]' "$d/stats")"

	local sent half act evicted peak conn_max
	sent=$(xb_json 'd["sent"]' "$d/flood")
	[ "${sent:-0}" -eq "$FLOOD" ] && ok flood_sent_$FLOOD ||
		not_ok flood_sent_$FLOOD "$(cat "$d/flood" "$d/flood.err")"
	half=$(maxof "$d/samples" 'd["limits"]["half_open"]')
	act=$(maxof "$d/samples" 'd["conns"]["active"]')
	echo "# $(grep -c . "$d/samples") samples: at most $half half-open, $act active"
	[ "$half" -ge 1 ] && [ "$half" -le "$HALF" ] && ok flood_half_open_bounded_$HALF ||
		not_ok flood_half_open_bounded_$HALF "max sampled half_open $half"
	[ "$act" -le "$HALF" ] && ok flood_connections_bounded ||
		not_ok flood_connections_bounded "max sampled active $act, want <= $HALF"
	evicted=$(xb_json 'd["limits"]["syn_evicted"]' "$d/stats")
	# every forged SYN that reached the daemon made a half-open connection;
	# all but the last HALF were dropped for newer ones (frames beyond what
	# the RX ring holds die there: the flood outruns the loop at times)
	[ "${evicted:-0}" -ge $((sent / 2)) ] && ok flood_oldest_evicted ||
		not_ok flood_oldest_evicted "syn_evicted $evicted of $sent SYNs"
	peak=$(xb_json 'd["limits"]["mem_peak"]' "$d/stats")
	conn_max=$(xb_json 'd["limits"]["mem_conn_max"]' "$d/stats")
	[ "${peak:-0}" -gt 0 ] && [ "$peak" -le $(((HALF + 2) * conn_max)) ] &&
		ok flood_memory_reserve_bounded ||
		not_ok flood_memory_reserve_bounded "mem_peak $peak > $((HALF + 2)) x $conn_max"
	[ "$(xb_json 'd["rsts_seen"]' "$d/flood")" = 0 ] && ok flood_no_rst_to_forged_sources ||
		not_ok flood_no_rst_to_forged_sources "$(cat "$d/flood")"
	[ "$(xb_json 'd["limits"]["half_open"]' "$d/stats")" = "$HALF" ] && ok flood_table_full_after ||
		not_ok flood_table_full_after "$(xb_json 'd["limits"]' "$d/stats")"
	echo "# real client: $synrtx SYN retransmissions"
	[ "$rc_c" = 0 ] && [ "$synrtx" -le 1 ] && ok flood_real_client_gets_in_at_once ||
		not_ok flood_real_client_gets_in_at_once "exit $rc_c after $synrtx SYN retransmissions (want <= 1)" \
			"$(cat "$d/c") $(tail -n 3 "$d/c.err")"
	# the real connection's summary: the line with bytes in it
	grep '^{' "$d/s" | python3 -c '
import json, sys
ls = [l for l in sys.stdin if json.loads(l).get("recv")]
sys.stdout.write(ls[-1] if ls else "")' >"$d/s1"
	xb_check_bytes flood_real_upload_sha256_1048576 "$d/c" "$d/s1" 1048576
	xb_check_bytes flood_real_reply_sha256_65536 "$d/s1" "$d/c" 65536
	[ "$(grep -c '^{' "$d/s")" -le 1 ] && ok flood_no_summary_for_evicted ||
		not_ok flood_no_summary_for_evicted "$(grep -c '^{' "$d/s") summary lines"
	[ -n "$rss1" ] && [ $((rss1 - rss0)) -lt 16384 ] && ok flood_rss_growth_under_16MB ||
		not_ok flood_rss_growth_under_16MB "RSS ${rss0} -> ${rss1} KB"
	# SIGTERM: the half-open connections are dropped, not closed gracefully
	stop_srv "$spid" && ok flood_sigterm_exits_at_once ||
		not_ok flood_sigterm_exits_at_once "$(tail -n 3 "$d/s.err")"
}

# --- 1b. SYN flood against --max-conns -------------------------------------
# --max-conns 32 below --max-half-open: the flood fills the connection table
# with half-open entries, the oldest still make room, a real client gets in.
case_flood_conncap() {
	local d="$XB_TMP/cap" spid smac rc_c=0 act
	mkdir -p "$d"
	XB_TMO=90 xb_ours_server "$S" xfs0 10.237.1.2:5304 65536 2 "$d/s" --count 0 \
		--max-conns 32 --ctl "$d/s.ctl" ||
		{ not_ok cap_server_up "$(tail -n 5 "$d/s.err")"; return; }
	spid=$XB_PID
	smac=$(ip -n "$S" -j link show xfs0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
	sampler "$d/s.ctl" "$d/samples" "$d/stop" &
	local samp=$!
	xb_nsx "$C" timeout 60 python3 "$FORGE" flood --iface xfc0 --dmac "$smac" \
		--src 10.237.1.1 --dst 10.237.1.2 --dport 5304 --count 3000 >"$d/flood" 2>"$d/flood.err"
	# the daemon took what the RX ring still held: the table is full
	xb_wait_until 10 stats_hold "$d/s.ctl" "$d/stats" "d['conns']['active'] >= 32"
	XB_TMO=60 xb_kernel_client "$C" mptcp 10.237.1.2 5304 65536 5 "$d/c" || rc_c=$?
	ctlj "$S" "$d/s.ctl" stats >"$d/stats"
	touch "$d/stop"
	wait "$samp"
	act=$(maxof "$d/samples" 'd["conns"]["active"]')
	echo "# --max-conns 32: at most $act live; $(xb_json 'd["limits"]' "$d/stats")"
	[ "$act" -ge 1 ] && [ "$act" -le 32 ] && ok cap_connections_within_max_conns ||
		not_ok cap_connections_within_max_conns "max sampled active $act"
	[ "$(xb_json 'd["limits"]["syn_evicted"] >= 1500' "$d/stats")" = True ] &&
		ok cap_oldest_evicted_at_max_conns ||
		not_ok cap_oldest_evicted_at_max_conns "$(xb_json 'd["limits"]' "$d/stats")"
	[ "$rc_c" = 0 ] && ok cap_real_client_gets_in ||
		not_ok cap_real_client_gets_in "exit $rc_c: $(cat "$d/c") $(tail -n 3 "$d/c.err")"
	stop_srv "$spid"
}

# --- 2. --max-mem ---------------------------------------------------------
case_mem() {
	local d="$XB_TMP/mem" spid one conn max i pids=() rc=0
	mkdir -p "$d"
	# What one connection reserves, from the daemon's own refusal of a
	# limit too small for it (it names the figure: a proxied connection,
	# whose app socket buffer of 256 KB the built-in endpoint does not have).
	xb_nsx "$S" "$XMPTCPD" --iface xfs0 --listen 10.237.1.2:5302 --pm none --sndbuf 64K \
		--rcvbuf 64K --sf-buf 64K --max-mem 1 --ctl none >/dev/null 2>"$d/probe.err"
	one=$(sed -n 's/.*reserves \([0-9]*\) bytes.*/\1/p' "$d/probe.err")
	[ -n "$one" ] || { not_ok mem_probe "$(cat "$d/probe.err")"; return; }
	conn=$((one - 262144))
	max=$((conn * 5 / 2)) # two connections fit, a third does not
	XB_TMO=90 xb_ours_server "$S" xfs0 10.237.1.2:5302 65536 2 "$d/s" --count 0 --pm none \
		--sndbuf 64K --rcvbuf 64K --sf-buf 64K --max-mem "$max" --ctl "$d/s.ctl" ||
		{ not_ok mem_server_up "$(tail -n 5 "$d/s.err")"; return; }
	spid=$XB_PID
	sampler "$d/s.ctl" "$d/samples" "$d/stop" &
	local samp=$!
	for i in $(seq 8); do
		XB_TMO=80 xb_kernel_client "$C" mptcp 10.237.1.2 5302 4194304 $((10 + i)) "$d/c$i" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || rc=1
	done
	# the last connections leave once their close completed (a closing
	# handshake may wait for a retransmission): wait for all 8 to be
	# counted and the reserve to be back to 0, up to 30 s
	xb_wait_until 30 stats_hold "$d/s.ctl" "$d/stats" \
		'd["limits"]["mem_reserved"] == 0 and d["conns"]["ok"] + d["conns"]["failed"] >= 8' ||
		echo "# --max-mem: reserve not back to 0 with 8 connections over after 30 s"
	touch "$d/stop"
	wait "$samp"
	echo "# --max-mem $max (a connection reserves $conn): $(xb_json 'd["limits"]' "$d/stats")"
	[ "$rc" = 0 ] && ok mem_all_8_clients_completed ||
		not_ok mem_all_8_clients_completed "$(tail -qn 2 "$d"/c*.err)"
	[ "$(xb_json 'd["conns"]["ok"], d["conns"]["failed"]' "$d/stats")" = "8 0" ] &&
		ok mem_server_8_ok_0_failed || not_ok mem_server_8_ok_0_failed "$(xb_json 'd["conns"]' "$d/stats")"
	local refused peak
	refused=$(xb_json 'd["limits"]["mem_refused"]' "$d/stats")
	peak=$(maxof "$d/samples" 'd["limits"]["mem_peak"]')
	[ "${refused:-0}" -ge 1 ] && ok mem_syns_refused ||
		not_ok mem_syns_refused "mem_refused $refused with 8 clients and room for 2"
	[ "${peak:-0}" -gt 0 ] && [ "$peak" -le "$max" ] && ok mem_reserve_within_limit ||
		not_ok mem_reserve_within_limit "mem_peak $peak > --max-mem $max"
	# every upload arrived whole: each client's sent sha is a server line's recv sha
	if python3 - "$d" <<'EOF'; then
import json, sys, glob
d = sys.argv[1]
got = {(j["recv"], j["recv_sha256"]) for j in map(json.loads, (l for l in open(d + "/s") if l.startswith("{")))}
want = [(j["sent"], j["sent_sha256"]) for j in (json.loads(open(f).readline()) for f in sorted(glob.glob(d + "/c[0-9]")))]
sys.exit(0 if len(want) == 8 and all(w in got for w in want) else 1)
EOF
		ok mem_every_upload_exact
	else
		not_ok mem_every_upload_exact "$(cut -c1-200 "$d/s")"
	fi
	[ "$(xb_json 'd["limits"]["mem_reserved"]' "$d/stats")" = 0 ] && ok mem_reserve_back_to_0 ||
		not_ok mem_reserve_back_to_0 "$(xb_json 'd["limits"]' "$d/stats")"
	stop_srv "$spid"
}

# --- 3. bad values ----------------------------------------------------------
case_bad() {
	local a out rc
	for a in "--max-half-open 0" "--max-half-open x" "--max-mem lots" "--max-mem -1" \
		"--sf-buf 1K" "--sf-buf 1G"; do
		rc=0
		# shellcheck disable=SC2086
		out=$(xb_nsx "$S" "$XMPTCPD" --iface xfs0 --listen 10.237.1.2:5303 $a --ctl none 2>&1) || rc=$?
		if [ "$rc" = 2 ] && [ "$(grep -c . <<<"$out")" = 1 ] && grep -qe "${a%% *}" <<<"$out"; then
			ok "bad_value ${a// /=}"
		else
			not_ok "bad_value ${a// /=}" "exit $rc: $out"
		fi
	done
}

case_flood
case_flood_conncap
case_mem
case_bad
xb_finish

#!/usr/bin/env bash
# xmptcpd's configuration file in a running daemon (issue 15, item 2):
#  1. --print-config of a file prints a file that prints the same again;
#  2. a client daemon configured by a file alone (--config FILE) runs a
#     transfer sized by time over two paths; the file's sched (minrtt)
#     is the connection's in `xmptcp conns -j`;
#  3. sched = rr, max-subflows = 3 and cc = olia written into the file,
#     SIGHUP: the same live connection reports rr, the daemon logs one
#     "applied" line per live key and "needs a restart" for cc;
#  4. a file with a bad line (and sched = redundant), SIGHUP: the error is
#     FILE:LINE: why, the reload is refused, the connection and the default
#     stay rr;
#  5. the transfer ends (SIGUSR1) byte-exact: the reloads lost nothing.
# Every wait is for a condition with a deadline.
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 ethtool
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns

C="xcfc$$" S="xcfs$$"
xb_two_paths "$C" "$S" || xb_skip_all "cannot build the two-path topology"
xb_attach_ends attach_both_namespaces_both_paths "$C:xbc1,xbc2" "$S:xbs1,xbs2"

d="$XB_TMP/cfg" && mkdir -p "$d"
CONF="$d/c.conf"

# conf SCHED MAX_SUBFLOWS CC [EXTRA LINE]: the client's whole configuration
conf() {
	cat >"$CONF.tmp" <<EOF
# test_config: the client daemon
iface = xbc1
iface = xbc2
connect = 10.231.1.2:5301
send-time = 60
seed = 1
timeout = 90
ctl = $d/c.ctl
sched = $1
max-subflows = $2
cc = $3
${4:-}
EOF
	mv "$CONF.tmp" "$CONF" # whole: a SIGHUP never reads half a file
}
# conn_is EXPR: EXPR holds over the client's one live connection c
conn_is() {
	xb_nsx "$C" "$XMPTCP" conns -j --ctl "$d/c.ctl" >"$d/conns.json" 2>/dev/null || return 1
	python3 -c "import json, sys
l = [c for c in json.load(open(sys.argv[1]))]
sys.exit(0 if len(l) == 1 and (lambda c: $1)(l[0]) else 1)" "$d/conns.json" 2>/dev/null
}
alive() { kill -0 "$1" 2>/dev/null; }
# wait_ok NAME SECS CMD...: ok when CMD holds within SECS while the client
# daemon lives, else not ok with its connections and the end of its log
wait_ok() {
	local name=$1 secs=$2
	shift 2
	if xb_wait_until --pid "$CPID" "$secs" "$@"; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$d/conns.json" 2>/dev/null)" "$(tail -n 8 "$d/c.err")"
	fi
}

# --- 1. print-config is a fixed point ----------------------------------
conf minrtt 7 lia
"$XMPTCPD" --config "$CONF" --print-config >"$d/p1" 2>"$d/p1.err"
rc1=$?
"$XMPTCPD" --config "$d/p1" --print-config >"$d/p2" 2>"$d/p2.err"
rc2=$?
if [ "$rc1$rc2" = 00 ] && diff <(grep -v '^# from' "$d/p1") <(grep -v '^# from' "$d/p2") >/dev/null &&
	grep -qx 'sched = minrtt' "$d/p1" && grep -qx 'iface = xbc2' "$d/p1"; then
	ok print_config_fixed_point
else
	not_ok print_config_fixed_point "exit $rc1 $rc2" "$(cat "$d/p1.err" "$d/p2.err")" \
		"$(diff "$d/p1" "$d/p2" | head -n 10)"
fi

# --- 2. a daemon configured by its file ---------------------------------
XB_TMO=90 xb_ours_server "$S" xbs1 10.231.1.2:5301 65536 2 "$d/s" --iface xbs2 \
	--ctl "$d/s.ctl" || not_ok server_up "$(tail -n 5 "$d/s.err")"
SPID=$XB_PID
# no timeout(1) wrapper (the file's timeout bounds the daemon): CPID is
# the daemon, the process SIGHUP goes to
nsenter --net="/var/run/netns/$C" "$XMPTCPD" --config "$CONF" >"$d/c" 2>"$d/c.err" &
CPID=$!
running() { conn_is "c['sent'] > 1048576 and c['sched'] == 'minrtt'"; }
wait_ok file_configures_the_daemon_sched_minrtt 30 running
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$d/conns.json" 2>/dev/null)

# --- 3. SIGHUP applies the scheduler to the running connection -----------
conf rr 3 olia
kill -HUP "$CPID"
swapped() { conn_is "c['id'] == ${id:-0} and c['sched'] == 'rr'"; }
wait_ok sighup_switches_the_live_connection_to_rr 10 swapped
logged() { grep -q 'SIGHUP: .*change(s) applied' "$d/c.err"; }
xb_wait_until 5 logged
if grep -q 'sched: minrtt -> rr: applied (default for new connections; 1 live' "$d/c.err" &&
	grep -q 'max-subflows: 7 -> 3: applied' "$d/c.err" &&
	grep -q 'cc: lia -> olia: needs a restart' "$d/c.err" &&
	grep -q '2 change(s) applied, 1 need a restart' "$d/c.err"; then
	ok sighup_logs_applied_and_restart_keys
else
	not_ok sighup_logs_applied_and_restart_keys "$(grep xmptcpd "$d/c.err" | tail -n 8)"
fi

# --- 4. a bad file changes nothing ---------------------------------------
conf redundant 3 olia "max-add-addr = 99"
kill -HUP "$CPID"
refused() { grep -q 'refused; the running configuration stays' "$d/c.err"; }
xb_wait_until --pid "$CPID" 10 refused
line=$(grep -n '^max-add-addr' "$CONF" | cut -d: -f1)
if grep -q "^$CONF:$line: --max-add-addr wants a number 0..8, not '99'" "$d/c.err" && refused; then
	ok bad_file_on_sighup_says_file_line_why
else
	not_ok bad_file_on_sighup_says_file_line_why "want $CONF:$line" \
		"$(grep -v '^{' "$d/c.err" | tail -n 5)"
fi
xb_nsx "$C" "$XMPTCP" sched list -j --ctl "$d/c.ctl" >"$d/list.json" 2>&1
if conn_is "c['id'] == ${id:-0} and c['sched'] == 'rr'" && alive "$CPID" &&
	python3 -c 'import json,sys
l = json.load(open(sys.argv[1]))
sys.exit(0 if [s["name"] for s in l if s["default"]] == ["rr"] else 1)' "$d/list.json"; then
	ok bad_file_keeps_the_running_configuration
else
	not_ok bad_file_keeps_the_running_configuration "$(cat "$d/conns.json")" \
		"$(head -c 600 "$d/list.json")"
fi

# --- 5. the transfer ends byte-exact --------------------------------------
kill -USR1 "$CPID" 2>/dev/null
rc_c=0 rc_s=0
wait "$CPID" || rc_c=$?
xb_wait_until 10 eval '! alive "$SPID"'
kill "$SPID" 2>/dev/null
wait "$SPID" || rc_s=$?
xb_check_ran transfer_completed "$rc_c $rc_s" "$d/c" "$d/s"
xb_check_bytes transfer_sha256 "$d/c" "$d/s" +1048576

xb_finish

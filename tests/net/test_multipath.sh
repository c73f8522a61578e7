#!/usr/bin/env bash
# Multipath acceptance: xmptcpd with several subflows per connection
# (RFC 8684 3.2 MP_JOIN, 3.4 ADD_ADDR), against itself and the kernel.
# Topology (tests/lib/net.sh xb_two_paths): namespace C (client) and S
# (server) joined by two veth paths,
#   path 1: xbc1 10.231.1.1 <-> xbs1 10.231.1.2
#   path 2: xbc2 10.231.2.1 <-> xbs2 10.231.2.2
# TX checksum offload off on all four ends, `xmptcp attach` on both
# interfaces of both namespaces, every daemon with --iface on both.
# Cases (every transfer checked by byte count and sha256, both ways). Where
# a case needs the transfer still running at some point (subflows joined
# and used, a link down and up, a swap, a forged join), the sender sends
# until the test saw that state (xmptcpd --send-time 60 as a bound, then
# SIGUSR1: DATA_FIN; the kernel peer: until a stop file), and each step
# waits for its condition with a deadline: no verdict depends on how fast
# the machine moves a number of bytes.
#  0. kernel <-> kernel (tests/lib/kpeer.py, IPPROTO_MPTCP both ends): the
#     kernel itself joins a second subflow on this topology, and a third one
#     to the address case 2's server announces, so a failure below is ours,
#     not the topology's.
#  1. ours <-> ours, fullmesh (default --pm): 4 subflows (2 local x 2 remote,
#     the server's second address learnt from ADD_ADDR) in both summaries and
#     in `xmptcp subflows -j` mid-transfer, the server's `stats -j` join
#     counters saw them, the bpftool dump of the connection table; the
#     client sends until all that was seen, 64 MB back; with --sched rr
#     every subflow carried data on each sending side.
#  2. ours -> kernel MPTCP server announcing 10.231.2.2 (signal endpoint):
#     >= 2 subflows carried data (rr), one to the announced address, the
#     kernel counted our joins (MPJoinSynRx/MPJoinAckRx); we send until 2
#     subflows carried data, 64 MB back.
#  3. kernel MPTCP client (subflow endpoint on path 2) -> ours: >= 2
#     subflows received data of the upload, one summary line, the kernel
#     took our ADD_ADDR and its join was answered.
#  4. link down mid-transfer: xbc2 down once the 4 subflows carry data, up
#     once its subflows closed and 1 MB more went over xbc1; the transfer
#     ends byte-exact and a new subflow on xbc2 was opened after the link
#     came back and was used or closed cleanly.
#  5. live scheduler swap during a transfer (redundant, load the example
#     policy "maxroom", maxroom, rr; 1 MB moves after each): no progress
#     gap > 1 s seen by the receiver's samples
#     (`xmptcp conns -j` sampled every 100 ms), byte-exact, `sched list -j`
#     shows maxroom loaded and then rr as the default, in use, the summary
#     names the last scheduler.
#  6. forged joins (tests/lib/mpjoin_forge.py, raw frames from 10.231.1.9, an
#     address nobody has), first against the kernel's MPTCP as the reference
#     (same answers, its nstat counters), then a plain SYN to show the packet
#     socket sees our AF_XDP frames, then ours:
#     (a) unknown token -> RST, MPJoinNoTokenFound +1;
#     (b) the live connection's token and a third ACK with a wrong HMAC ->
#     RST with MP_TCPRST, MPJoinAckHMacFailure +1, no subflow created, the
#     transfer still byte-exact.
#  7. ndiffports=3: 3 subflows on one address pair, each sent data (rr).
#  8. backup: the subflows over xbc2 are flagged backup and stay idle.
#  9. bad options: one line and exit 2 (usage) or 1 (refused).
# Knobs: XMT_CASES="0 1 2 3 4 5 6 7 8 9" (which to run), XMT_SIZE (bytes the
# servers send back in cases 1, 2 and 8).
source "$(dirname "$0")/../lib/net.sh"

CASES=${XMT_CASES:-"0 1 2 3 4 5 6 7 8 9"}
SIZE=${XMT_SIZE:-67108864}
FORGE="$XB_LIBDIR/mpjoin_forge.py"
POLICY="$XB_BUILD/tests/sched/example_policy.so"

xb_require_root
xb_require_cmds ip nsenter python3 nstat ethtool timeout
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns

C="xmtc$$" S="xmts$$"
xb_two_paths "$C" "$S" || xb_skip_all "cannot build the two-path topology"

want() { [[ " $CASES " == *" $1 "* ]]; }

# --- helpers -----------------------------------------------------------

# Python helpers over a summary line d (and lists of them): the subflow
# list, the ones that carried data, address pairs.
cat >"$XB_TMP/mp.py" <<'EOF'
import json, sys
def sfs(d): return d.get("subflows") or []
def ip(ep): return ep.rsplit(":", 1)[0].strip("[]")
def pairs(d): return sorted((ip(s["local"]), ip(s["remote"])) for s in sfs(d))
def sent_on(d): return [s for s in sfs(d) if (s.get("bytes_sent") or 0) > 0]
def rcvd_on(d): return [s for s in sfs(d) if (s.get("bytes_rcvd") or 0) > 0]
def flat(d):
    """`xmptcp subflows -j` as one list of subflows, whether it lists them
    flat (each with conn and token) or per connection."""
    out = []
    for x in (d if isinstance(d, list) else d.get("conns") or d.get("subflows") or []):
        if isinstance(x, dict) and isinstance(x.get("subflows"), list):
            for s in x["subflows"]:
                s = dict(s)
                s.setdefault("conn", x.get("conn", x.get("id")))
                s.setdefault("token", x.get("token", x.get("local_token")))
                out.append(s)
        else:
            out.append(x)
    return out
def brief(d): return " | ".join("id=%s %s->%s %s %s join=%s sent=%s rcvd=%s err=%s" % (
    s.get("id"), s.get("local"), s.get("remote"), s.get("iface"), s.get("state"), s.get("join"),
    s.get("bytes_sent"), s.get("bytes_rcvd"), s.get("error")) for s in sfs(d)) or "no subflows"
EOF
# mj FILE EXPR: EXPR over the last JSON line d of FILE (empty on any error).
mj() {
	python3 -c "exec(open('$XB_TMP/mp.py').read())
d = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')][-1]
print($2)" "$1" 2>/dev/null
}
# mjs FILE EXPR: EXPR over a JSON document d (ctl output).
mjs() {
	python3 -c "exec(open('$XB_TMP/mp.py').read())
d = json.load(open(sys.argv[1]))
print($2)" "$1" 2>/dev/null
}
# expect NAME FILE EXPR [DIAG...]: ok when EXPR over FILE's last line is True.
expect() {
	local name=$1 f=$2 e=$3
	shift 3
	if [ "$(mj "$f" "$e")" = True ]; then
		ok "$name"
	else
		not_ok "$name" "want: $e" "subflows: $(mj "$f" 'brief(d)')" "$@" \
			"summary: $(tail -c 1200 "$f" 2>/dev/null)" "stderr: $(tail -n 4 "$f.err" 2>/dev/null)"
	fi
}

# mpargs ARGS...: the daemon's extra arguments into XA
mpargs() { XA=("$@"); }

# srv DIR PORT SEND [ARGS...]: ours server on 10.231.1.2:PORT, both ifaces,
# its control socket DIR/s.ctl, JSON in DIR/s (XB_PID).
srv() {
	local d=$1 port=$2 send=$3
	shift 3
	mpargs --iface xbs2 --ctl "$d/s.ctl" "$@"
	xb_ours_server "$S" xbs1 "10.231.1.2:$port" "$send" 2 "$d/s" "${XA[@]}"
}
# cli DIR PORT SEND [ARGS...]: ours client to 10.231.1.2:PORT in the
# background (CPID), control socket DIR/c.ctl, JSON in DIR/c.
cli() {
	local d=$1 port=$2 send=$3
	shift 3
	mpargs --iface xbc2 --ctl "$d/c.ctl" "$@"
	xb_ours_client "$C" xbc1 "10.231.1.2:$port" "$send" 1 "$d/c" "${XA[@]}" &
	CPID=$!
}
# ctl NS SOCK ARGS...: the CLI against one daemon's control socket
ctl() { xb_nsx "$1" "$XMPTCP" "${@:3}" --ctl "$2"; }
# wait_rc VAR PID: PID's exit status into VAR
wait_rc() { local rc=0; wait "$2" || rc=$?; printf -v "$1" %d "$rc"; }
# stop_cli: the ours client (cli) ends its source now: SIGUSR1 makes it
# send DATA_FIN after what it queued (no linger deadline, unlike SIGTERM),
# as a client that sends until told to stop (SEND "60s": 60 s at most)
# needs once the test saw what it waited for. cli's child is timeout(1),
# whose child is the daemon (a wrapper execs it).
stop_cli() {
	local t p
	t=$(pgrep -P "$CPID") && p=$(pgrep -P "$t") && kill -USR1 "$p" 2>/dev/null
	return 0
}
# sub_holds NS SOCK FILE EXPR: `xmptcp subflows -j` of a daemon into FILE;
# true when EXPR over its subflows as one list l holds
sub_holds() {
	ctl "$1" "$2" subflows -j >"$3.tmp" 2>"$3.err" || return 1
	mv "$3.tmp" "$3"
	[ "$(mjs "$3" "(lambda l: $4)(flat(d))")" = True ]
}
# recv_of NS SOCK: the most bytes any connection of a daemon received so far
recv_of() {
	ctl "$1" "$2" conns -j 2>/dev/null |
		python3 -c 'import json,sys; print(max([c.get("recv", 0) for c in json.load(sys.stdin)] or [0]))' \
			2>/dev/null || echo 0
}
# recv_past NS SOCK N: a connection of the daemon received more than N bytes
recv_past() { [ "$(recv_of "$1" "$2")" -gt "$3" ] 2>/dev/null; }
# alive PID: the process is still there
alive() { kill -0 "$1" 2>/dev/null; }
# reap VAR PID: PID's exit status into VAR, killing it if it is still there
# 10 s after the client ended (a server left waiting for a client that
# never came must not hold the test for its whole timeout)
reap() {
	xb_wait_until 10 eval "! alive $2"
	kill "$2" 2>/dev/null
	wait_rc "$1" "$2"
}
# conn_line DIR: the ours server's summary of the test's connection (the
# line with the most bytes) as DIR/s1, its stderr as DIR/s1.err, so a stray
# line (a join taken for a connection) does not hide the real one.
conn_line() {
	python3 -c "
import json, sys
ls = [l for l in open(sys.argv[1]) if l.startswith('{')]
ls.sort(key=lambda l: (lambda d: d.get('recv', 0) + d.get('sent', 0))(json.loads(l)))
sys.stdout.write(ls[-1] if ls else '')" "$1/s" >"$1/s1" 2>/dev/null
	cp "$1/s.err" "$1/s1.err" 2>/dev/null
}
# one_line NAME DIR: the ours server printed exactly one summary (joins are
# subflows of the connection, not connections)
one_line() {
	local n
	n=$(grep -c '^{' "$2/s" 2>/dev/null)
	[ "$n" = 1 ] && ok "$1" || not_ok "$1" "$n summary lines, want 1" "$(cut -c1-300 "$2/s")"
}
# MPTCP and RST counters that moved in a namespace (nstat files)
kmoved() { xb_deltas "$1" "$2" | tr ' ' '\n' | grep -E '^(MPTcpExt|TcpOutRsts|TcpExtTCPAbort)' | tr '\n' ' '; }
# bytes received on NS's IFACE (veth counters)
rxb() { xb_rx_bytes "$1" "$2" | cut -d' ' -f2; }
kdelta() { xb_delta "MPTcpExt$1" "$2" "$3"; }

# gaps FILE TOTAL: "samples=N progressed=M maxgap=S last=B" over the samples
# of tests/lib/conns_sampler.py while the transfer ran (progress_gaps.py).
gaps() {
	python3 "$XB_LIBDIR/progress_gaps.py" "$1" "$2"
}

# --- 0. kernel <-> kernel ---------------------------------------------
# k2k NAME SIGNAL(0/1): 16 MB over the kernel's MPTCP both ends; with SIGNAL
# the server announces 10.231.2.2 (case 2's setup) and listens on any
# address, as a join to the announced address needs a listener there.
k2k() {
	local name=$1 sig=$2 d="$XB_TMP/k2k$2" n=16777216 addr=10.231.1.2 js ja jc aa p2 want=1
	mkdir -p "$d"
	if [ "$sig" = 1 ]; then
		for ns in "$C" "$S"; do ip -n "$ns" mptcp limits set subflows 4 add_addr_accepted 4; done
		ip -n "$S" mptcp endpoint add 10.231.2.2 dev xbs2 signal
		addr=0.0.0.0 want=2
	fi
	xb_kstat "$S" >"$d/before"
	xb_kstat "$C" >"$d/cbefore"
	p2=$(rxb "$S" xbs2)
	xb_kernel_server "$S" mptcp "$addr" $((5100 + sig)) 1048576 2 "$d/s" &&
		xb_kernel_client "$C" mptcp 10.231.1.2 $((5100 + sig)) "$n" 1 "$d/c"
	wait "$XB_PID"
	xb_kstat "$S" >"$d/after"
	xb_kstat "$C" >"$d/cafter"
	p2=$(($(rxb "$S" xbs2) - p2))
	if [ "$sig" = 1 ]; then
		ip -n "$S" mptcp endpoint flush
		for ns in "$C" "$S"; do ip -n "$ns" mptcp limits set subflows 2 add_addr_accepted 2; done
	fi
	xb_check_bytes "${name}_sha256" "$d/c" "$d/s" "$n"
	xb_check_bytes "${name}_reply_sha256" "$d/s" "$d/c" 1048576
	js=$(kdelta MPJoinSynRx "$d/before" "$d/after")
	ja=$(kdelta MPJoinAckRx "$d/before" "$d/after")
	jc=$(kdelta MPJoinSynAckRx "$d/cbefore" "$d/cafter")
	aa=$(kdelta AddAddr "$d/cbefore" "$d/cafter")
	[ "$js" -ge "$want" ] && [ "$ja" -ge "$want" ] && [ "$jc" -ge "$want" ] &&
		{ [ "$sig" = 0 ] || [ "$aa" -ge 1 ]; } && [ "$(mj "$d/c" 'd.get("fallback")')" = False ] &&
		ok "${name}_$((want + 1))_subflows" ||
		not_ok "${name}_$((want + 1))_subflows" \
			"server MPJoinSynRx=$js MPJoinAckRx=$ja, client MPJoinSynAckRx=$jc AddAddr=$aa (want >= $want joins)" \
			"client: $(cat "$d/c" "$d/c.err")" "server counters moved: $(kmoved "$d/before" "$d/after")"
	echo "# $name: $p2 bytes received on path 2 (xbs2)"
}
if want 0; then
	# the kernel itself joins on this topology: a failure below is ours
	k2k kernel_kernel_topology 0
	# and takes the ADD_ADDR of case 2's announcing server
	k2k kernel_kernel_add_addr 1
fi

# ours needs XDP on every interface from here on
xb_attach_ends attach_both_namespaces_both_paths "$C:xbc1,xbc2" "$S:xbs1,xbs2"

rc_c=0 rc_s=0

# --- 1. ours <-> ours, fullmesh ----------------------------------------
if want 1; then
	d="$XB_TMP/o2o" && mkdir -p "$d"
	XB_TMO=90 srv "$d" 5001 "$SIZE" --sched rr ||
		not_ok "ours_ours_server_up" "$(tail -n 5 "$d/s.err")"
	SPID=$XB_PID
	# the client sends until stopped (60 s at most): what is sampled
	# mid-transfer is there however fast the machine moves 64 MB
	XB_TMO=90 cli "$d" 5001 60s --sched rr
	# mid-transfer: `xmptcp subflows -j` of the client lists the 4 subflows,
	# each of which sent data, the server's join counters (`xmptcp stats
	# -j`) saw the 3 joins, and the connection table the daemon publishes
	# for bpftool (every 250 ms) has the connection with its subflows
	: >"$d/stats.json"
	mid_o2o() {
		alive "$CPID" || return 0 # over: the checks below say what is missing
		[ "$(mjs "$d/stats.json" 'd["join"]["MPJoinAckRx"] >= 3')" = True ] ||
			ctl "$S" "$d/s.ctl" stats -j >"$d/stats.json" 2>&1
		[ "$(mjs "$d/sub.json" 'len(flat(d)) >= 4 and all(s["bytes_sent"] > 0 for s in flat(d))')" = True ] ||
			ctl "$C" "$d/c.ctl" subflows -j >"$d/sub.json" 2>"$d/sub.err"
		[ "$(mjs "$d/conns_map.json" 'any(e["formatted"]["value"]["subflows"] >= 2 for e in d)')" = True ] ||
			bpftool -j map dump pinned "$(xb_pin_dir "$C")/xmp_conns" >"$d/conns_map.json" 2>&1
		[ "$(mjs "$d/sub.json" 'len(flat(d)) >= 4 and all(s["bytes_sent"] > 0 for s in flat(d))')" = True ] &&
			[ "$(mjs "$d/stats.json" 'd["join"]["MPJoinAckRx"] >= 3')" = True ] &&
			[ "$(mjs "$d/conns_map.json" 'any(e["formatted"]["value"]["subflows"] >= 2 for e in d)')" = True ]
	}
	xb_wait_until 30 mid_o2o || echo "# ours<->ours: mid-transfer state not complete after 30 s"
	stop_cli
	# the connection table's fields by name
	r=$(mjs "$d/conns_map.json" 'any(e["formatted"]["value"]["subflows"] >= 2 and e["formatted"]["value"]["local_token"] != 0 and "rr" in str(e["formatted"]["value"]["sched"]) and e["formatted"]["value"]["role"] == 0 for e in d)')
	[ "$r" = True ] && ok "ours_ours_conn_table_map_bpftool_fields" ||
		not_ok "ours_ours_conn_table_map_bpftool_fields" "$(head -c 1500 "$d/conns_map.json")"
	wait_rc rc_c "$CPID"
	reap rc_s "$SPID"
	conn_line "$d"
	r=$(mjs "$d/stats.json" 'd["join"]["MPJoinSynRx"] >= 3 and d["join"]["MPJoinAckRx"] >= 3 and d["join"]["MPJoinNoTokenFound"] == 0 and d["join"]["MPJoinAckHMacFailure"] == 0')
	[ "$r" = True ] && ok "ours_ours_server_stats_join_counted_3" ||
		not_ok "ours_ours_server_stats_join_counted_3" "want MPJoinSynRx, MPJoinAckRx >= 3, no failures" \
			"stats: $(head -c 1200 "$d/stats.json")"
	xb_check_ran ours_ours_fullmesh_completed "$rc_c $rc_s" "$d/c" "$d/s" &&
		echo "# ours<->ours: $(mj "$d/c" 'd["sent"] + d["recv"]') bytes in $(mj "$d/c" 'd["seconds"]') s"
	xb_check_bytes ours_ours_fullmesh_c2s_sha256 "$d/c" "$d/s1" +1
	xb_check_bytes "ours_ours_fullmesh_s2c_sha256_$SIZE" "$d/s1" "$d/c" "$SIZE"
	full='[("10.231.1.1", "10.231.1.2"), ("10.231.1.1", "10.231.2.2"), ("10.231.2.1", "10.231.1.2"), ("10.231.2.1", "10.231.2.2")]'
	one_line ours_ours_server_one_summary_line "$d"
	expect ours_ours_client_4_subflows_2x2 "$d/c" \
		"len(sfs(d)) == 4 and d.get('subflows_opened') == 4 and pairs(d) == $full and [s['join'] for s in sfs(d)].count(False) == 1"
	expect ours_ours_server_4_subflows_2x2 "$d/s1" \
		"len(sfs(d)) == 4 and d.get('subflows_opened') == 4 and sorted((b, a) for a, b in pairs(d)) == $full"
	expect ours_ours_subflow_fields "$d/c" \
		"all(set(('id','local','remote','iface','state','join','backup','srtt_us','cwnd','bytes_sent','bytes_acked','bytes_rcvd','reinjected','error')) <= set(s) for s in sfs(d)) and sfs(d) and {s['iface'] for s in sfs(d)} == {'xbc1', 'xbc2'}"
	expect ours_ours_sched_rr_cc_lia_reported "$d/c" "d.get('sched') == 'rr' and d.get('cc') == 'lia'"
	expect ours_ours_rr_client_every_subflow_sent "$d/c" "len(sfs(d)) == 4 and len(sent_on(d)) == 4"
	expect ours_ours_rr_server_every_subflow_sent "$d/s1" "len(sfs(d)) == 4 and len(sent_on(d)) == 4"
	expect ours_ours_subflow_bytes_cover_data "$d/c" \
		"sum(s['bytes_sent'] for s in sfs(d)) >= d['sent'] and sum(s['bytes_rcvd'] for s in sfs(d)) >= d['recv']"
	r=$(mjs "$d/sub.json" "len(flat(d)) == 4 and all('conn' in s and 'token' in s and 'bytes_sent' in s and 'iface' in s for s in flat(d)) and len({s['conn'] for s in flat(d)}) == 1")
	[ "$r" = True ] && ok "ours_ours_subflows_cli_lists_4_mid_transfer" ||
		not_ok "ours_ours_subflows_cli_lists_4_mid_transfer" "$(head -c 1500 "$d/sub.json")" "$(cat "$d/sub.err")"
fi

# --- 2. ours -> kernel MPTCP server announcing its second address -------
if want 2; then
	d="$XB_TMP/o2k" && mkdir -p "$d"
	for ns in "$C" "$S"; do ip -n "$ns" mptcp limits set subflows 4 add_addr_accepted 4; done
	ip -n "$S" mptcp endpoint add 10.231.2.2 dev xbs2 signal
	xb_kstat "$S" >"$d/before"
	# any address: the joins to the announced one need a listener there
	XB_TMO=90 xb_kernel_server "$S" mptcp 0.0.0.0 5002 "$SIZE" 3 "$d/s" ||
		not_ok "ours_kernel_server_up" "$(cat "$d/s.err")"
	SPID=$XB_PID
	# until stopped: once 2 subflows, one of them to the announced
	# address, carried data (however fast the machine)
	XB_TMO=90 cli "$d" 5002 60s --sched rr
	mid_o2k() {
		! alive "$CPID" || sub_holds "$C" "$d/c.ctl" "$d/sub.json" \
			'len([s for s in l if s["bytes_sent"] > 0]) >= 2 and any(ip(s["remote"]) == "10.231.2.2" for s in l)'
	}
	xb_wait_until 30 mid_o2k ||
		echo "# ours->kernel: not 2 subflows with data after 30 s: $(head -c 600 "$d/sub.json")"
	stop_cli
	wait_rc rc_c "$CPID"
	reap rc_s "$SPID"
	xb_kstat "$S" >"$d/after"
	ip -n "$S" mptcp endpoint flush
	for ns in "$C" "$S"; do ip -n "$ns" mptcp limits set subflows 2 add_addr_accepted 2; done
	xb_check_ran ours_to_kernel_completed "$rc_c $rc_s" "$d/c" "$d/s"
	xb_check_bytes ours_to_kernel_sha256 "$d/c" "$d/s" +1
	xb_check_bytes "ours_to_kernel_reply_sha256_$SIZE" "$d/s" "$d/c" "$SIZE"
	expect ours_to_kernel_rr_2plus_subflows_sent "$d/c" "len(sent_on(d)) >= 2"
	expect ours_to_kernel_joined_announced_addr "$d/c" \
		"any(ip(s['remote']) == '10.231.2.2' and s['join'] for s in sfs(d))"
	js=$(kdelta MPJoinSynRx "$d/before" "$d/after")
	ja=$(kdelta MPJoinAckRx "$d/before" "$d/after")
	[ "$js" -ge 1 ] && [ "$ja" -ge 1 ] && [ "$(mj "$d/s" 'd.get("fallback")')" = False ] &&
		ok "ours_to_kernel_kernel_counted_joins" ||
		not_ok "ours_to_kernel_kernel_counted_joins" "MPJoinSynRx=$js MPJoinAckRx=$ja" \
			"kernel: $(cat "$d/s")" "kernel counters moved: $(kmoved "$d/before" "$d/after")"
fi

# --- 3. kernel MPTCP client -> ours server ------------------------------
if want 3; then
	d="$XB_TMP/k2o" && mkdir -p "$d"
	xb_kstat "$C" >"$d/before"
	XB_TMO=90 srv "$d" 5003 65536 ||
		not_ok "kernel_to_ours_server_up" "$(tail -n 5 "$d/s.err")"
	SPID=$XB_PID
	# the kernel client uploads until stopped (60 s at most), once 2 of
	# our server's subflows received data
	XB_TMO=90 xb_kernel_client "$C" mptcp 10.231.1.2 5003 60s 4 "$d/c" --stop "$d/stop" &
	KC=$!
	mid_k2o() {
		! alive "$KC" || sub_holds "$S" "$d/s.ctl" "$d/sub.json" 'len([s for s in l if s["bytes_rcvd"] > 0]) >= 2'
	}
	xb_wait_until 30 mid_k2o ||
		echo "# kernel->ours: not 2 subflows with data after 30 s: $(head -c 600 "$d/sub.json")"
	touch "$d/stop"
	wait_rc rc_c "$KC"
	reap rc_s "$SPID"
	xb_kstat "$C" >"$d/after"
	conn_line "$d"
	xb_check_ran kernel_to_ours_completed "$rc_c $rc_s" "$d/c" "$d/s"
	xb_check_bytes kernel_to_ours_upload_sha256 "$d/c" "$d/s1" +1
	xb_check_bytes kernel_to_ours_reply_sha256_65536 "$d/s1" "$d/c" 65536
	one_line kernel_to_ours_server_one_summary_line "$d"
	expect kernel_to_ours_2plus_subflows_rcvd "$d/s1" "len(sfs(d)) >= 2 and len(rcvd_on(d)) >= 2" \
		"kernel client counters moved: $(kmoved "$d/before" "$d/after")"
	aa=$(kdelta AddAddr "$d/before" "$d/after")
	[ "$aa" -ge 1 ] && ok "kernel_to_ours_server_announced_addr" ||
		not_ok "kernel_to_ours_server_announced_addr" "kernel client MPTcpExtAddAddr +$aa (want ADD_ADDR 10.231.2.2)" \
			"counters moved: $(kmoved "$d/before" "$d/after")"
	jc=$(kdelta MPJoinSynAckRx "$d/before" "$d/after")
	[ "$jc" -ge 1 ] && ok "kernel_to_ours_kernel_joined" ||
		not_ok "kernel_to_ours_kernel_joined" "client MPJoinSynAckRx=$jc" \
			"counters moved: $(kmoved "$d/before" "$d/after")"
fi

# sampled_xfer NAME DIR PORT: ours server (srv, 64 KB back; SPID) with the
# progress sampler on it (SAMP), and ours client sending until stopped (60 s
# at most; cli): each step of the case waits for the state it needs, so it
# happens while data flows on any machine. sampled_end DIR stops them all;
# running says whether the client was still sending by then.
sampled_xfer() {
	XB_TMO=90 srv "$2" "$3" 65536 || not_ok "${1}_server_up" "$(tail -n 5 "$2/s.err")"
	SPID=$XB_PID
	python3 "$XB_LIBDIR/conns_sampler.py" "$S" "$XMPTCP" "$2/s.ctl" "$2/progress" "$2/stop" &
	SAMP=$!
	XB_TMO=90 cli "$2" "$3" 60s
}
sampled_end() {
	running=no
	alive "$CPID" && running=yes
	stop_cli
	wait_rc rc_c "$CPID"
	reap rc_s "$SPID"
	touch "$1/stop"
	wait "$SAMP"
}

# --- 4. link down mid-transfer ------------------------------------------
if want 4; then
	d="$XB_TMP/down" && mkdir -p "$d"
	sampled_xfer link_down "$d" 5004
	# data flows on the 4 subflows, those over xbc2 included
	mid_down0() {
		! alive "$CPID" || sub_holds "$C" "$d/c.ctl" "$d/sub0.json" \
			'len(l) >= 4 and all(s["bytes_sent"] > 0 for s in l)'
	}
	xb_wait_until 30 mid_down0 || echo "# link down: not 4 subflows with data after 30 s"
	ip -n "$C" link set xbc2 down
	# the client saw it (no xbc2 subflow established) and the data went on
	# over xbc1 alone (1 MB more at the server)
	mid_down1() {
		! alive "$CPID" || sub_holds "$C" "$d/c.ctl" "$d/subd.json" \
			'not any(s["iface"] == "xbc2" and s["state"] == "ESTABLISHED" for s in l)'
	}
	xb_wait_until 10 mid_down1 || echo "# link down: xbc2 subflows still established after 10 s"
	r0=$(recv_of "$S" "$d/s.ctl")
	mid_down2() { ! alive "$CPID" || recv_past "$S" "$d/s.ctl" $((r0 + 1048576)); }
	xb_wait_until 10 mid_down2 || echo "# link down: the server received < 1 MB over xbc1 alone in 10 s"
	ip -n "$C" link set xbc2 up
	# admin down removed the routes through xbc2: put xb_two_paths' back
	xb_wait_until 5 ip -n "$C" route replace default via 10.231.2.2 dev xbc2 metric 102 2>/dev/null
	xb_wait_ping "$C" 10.231.2.2 || echo "# path 2 does not carry the kernel's ping after the link came back"
	# ids the client had before the link went down (4 if the sample failed)
	ids=$(mjs "$d/sub0.json" "sorted(s['id'] for s in flat(d))")
	[ -n "$ids" ] || ids="[0, 1, 2, 3]"
	# a new subflow over xbc2 is established and carries data
	mid_up() {
		! alive "$CPID" || sub_holds "$C" "$d/c.ctl" "$d/sub1.json" \
			"any(s['id'] not in $ids and s['iface'] == 'xbc2' and s['state'] == 'ESTABLISHED' and s['bytes_sent'] > 0 for s in l)"
	}
	xb_wait_until 15 mid_up || echo "# link up: no new xbc2 subflow with data after 15 s"
	sampled_end "$d"
	echo "# link down: receiver progress $(gaps "$d/progress" "$(mj "$d/c" 'd["sent"]')")"
	[ "$running" = yes ] && ok "link_down_up_during_transfer" ||
		not_ok "link_down_up_during_transfer" "the client ended before xbc2 came back" \
			"client: $(tail -c 600 "$d/c")" "client stderr: $(tail -n 4 "$d/c.err")"
	conn_line "$d"
	xb_check_ran link_down_completed "$rc_c $rc_s" "$d/c" "$d/s"
	xb_check_bytes link_down_sha256 "$d/c" "$d/s1" +1
	xb_check_bytes link_down_reply_sha256_65536 "$d/s1" "$d/c" 65536
	expect link_down_new_subflow_opened "$d/c" "d.get('subflows_opened', 0) > max(4, len($ids))" \
		"before down: $(head -c 600 "$d/sub0.json")" "transfer running at link up: $running"
	expect link_down_new_xbc2_subflow_used_or_clean "$d/c" \
		"any(s['id'] not in $ids and s['iface'] == 'xbc2' and (s['bytes_sent'] > 0 or s['error'] is None) for s in sfs(d))" \
		"before down: $(head -c 600 "$d/sub0.json")" "after up: $(head -c 600 "$d/sub1.json")" \
		"transfer running at link up: $running"
fi

# --- 5. live scheduler swap -----------------------------------------------
if want 5; then
	d="$XB_TMP/swap" && mkdir -p "$d"
	sampled_xfer sched_swap "$d" 5005
	# each scheduler moves 1 MB more before the next swap
	moved_1m() { ! alive "$CPID" || recv_past "$S" "$d/s.ctl" $((r0 + 1048576)); }
	r0=0
	xb_wait_until 30 moved_1m || echo "# sched swap: < 1 MB received after 30 s"
	n=0
	for cmd in "set redundant" "load $POLICY" "set maxroom" "set rr"; do
		n=$((n + 1))
		r0=$(recv_of "$S" "$d/s.ctl")
		# shellcheck disable=SC2086
		ctl "$C" "$d/c.ctl" sched $cmd >"$d/cmd$n" 2>&1 && echo 0 >>"$d/cmd$n.rc" || echo $? >>"$d/cmd$n.rc"
		[ $n = 2 ] && ctl "$C" "$d/c.ctl" sched list -j >"$d/list.json" 2>"$d/list.err"
		[ $n = 4 ] && ctl "$C" "$d/c.ctl" sched list -j >"$d/list2.json" 2>"$d/list2.err"
		xb_wait_until 10 moved_1m || echo "# sched swap: < 1 MB received in 10 s after '$cmd'"
	done
	# the sampler saw the transfer long enough to judge its progress
	sampled() { ! alive "$CPID" || [ "$(awk '$2 > 0' "$d/progress" | wc -l)" -ge 12 ]; }
	xb_wait_until 20 sampled || echo "# sched swap: < 12 progress samples after 20 s"
	sampled_end "$d"
	echo "# sched swap: transfer still running after the last swap: $running"
	n=0
	for cmd in "set redundant" "load example_policy.so" "set maxroom" "set rr"; do
		n=$((n + 1))
		[ "$(cat "$d/cmd$n.rc")" = 0 ] && ok "sched_swap_${cmd// /_}" ||
			not_ok "sched_swap_${cmd// /_}" "exit $(cat "$d/cmd$n.rc")" "$(cat "$d/cmd$n")"
	done
	r=$(mjs "$d/list.json" "any(p['name'] == 'maxroom' and not p['builtin'] and p['path'].endswith('example_policy.so') for p in d) and {'minrtt', 'rr', 'redundant', 'blest'} <= {p['name'] for p in d if p['builtin']}")
	[ "$r" = True ] && ok "sched_list_shows_maxroom_loaded" ||
		not_ok "sched_list_shows_maxroom_loaded" "$(head -c 1200 "$d/list.json")" "$(cat "$d/list.err")"
	# `sched set` without --conn: the default too, and the live connection uses it
	r=$(mjs "$d/list2.json" "[p['name'] for p in d if p['default']] == ['rr'] and [p['users'] for p in d if p['name'] == 'rr'][0] >= 1")
	[ "$r" = True ] && ok "sched_set_changes_default_and_users" ||
		not_ok "sched_set_changes_default_and_users" "$(head -c 1200 "$d/list2.json")" "$(cat "$d/list2.err")"
	conn_line "$d"
	xb_check_ran sched_swap_completed "$rc_c $rc_s" "$d/c" "$d/s"
	xb_check_bytes sched_swap_sha256 "$d/c" "$d/s1" +1
	xb_check_bytes sched_swap_reply_sha256_65536 "$d/s1" "$d/c" 65536
	g=$(gaps "$d/progress" "$(mj "$d/c" 'd["sent"]')")
	echo "# sched swap progress: $g"
	python3 -c "
import sys; v = dict(x.split('=') for x in '$g'.split())
sys.exit(0 if int(v['samples']) >= 10 and int(v['progressed']) >= 5 and float(v['maxgap']) <= 1.0 else 1)" &&
		ok "sched_swap_no_stall_over_1s" ||
		not_ok "sched_swap_no_stall_over_1s" "$g (want >= 10 samples, >= 5 with progress, gap <= 1 s)" \
			"samples: $(tr '\n' ' ' <"$d/progress" | tail -c 800)"
	# the swaps must have happened while data flowed
	[ "$running" = yes ] && ok "sched_swap_all_during_transfer" ||
		not_ok "sched_swap_all_during_transfer" "the client ended before the last swap" \
			"client: $(tail -c 600 "$d/c")" "client stderr: $(tail -n 4 "$d/c.err")"
	expect sched_swap_summary_names_rr "$d/c" "d.get('sched') == 'rr'"
fi

# --- 6. forged joins ------------------------------------------------------
if want 6; then
	d="$XB_TMP/forge" && mkdir -p "$d"
	cmac=$(ip -n "$C" -j link show xbc1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
	smac=$(ip -n "$S" -j link show xbs1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
	# 10.231.1.9 is nobody's: the server reaches it at the client veth's MAC
	# (what the daemon learns from the SYN anyway), the client's kernel
	# ignores the answers
	ip -n "$S" neigh replace 10.231.1.9 lladdr "$cmac" dev xbs1 nud permanent
	forge() { # MODE OUT [ARGS...]
		local m=$1 o=$2
		shift 2
		ip netns exec "$C" timeout 20 python3 "$FORGE" "$m" --iface xbc1 --dmac "$smac" \
			--src 10.231.1.9 --dst 10.231.1.2 "$@" >"$o" 2>"$o.err"
	}
	# The tool against the reference first: the kernel's MPTCP listener in S
	# (port 5008; its live connection's token from `ss -Mi`) must refuse an
	# unknown token with a RST and a wrong third-ACK HMAC with RST +
	# MP_TCPRST, counting both, so a failure against ours is ours.
	cat >"$d/hold.py" <<'EOF2'
import os, socket, sys, time
role, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
if role == "server":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.231.1.2", port))
    s.listen(4)
    open(sys.argv[3], "w").write("ready\n")
    c, _ = s.accept()
    c.recv(1)
else:
    # hold the connection until the test is done with it (60 s at most)
    s.connect(("10.231.1.2", port))
    t0 = time.time()
    while not os.path.exists(sys.argv[3]) and time.time() - t0 < 60:
        time.sleep(0.05)
EOF2
	xb_nsx "$S" timeout 70 python3 "$d/hold.py" server 5008 "$d/kready" &
	KS=$!
	xb_wait_file "$d/kready" 10
	xb_nsx "$C" timeout 70 python3 "$d/hold.py" client 5008 "$d/kstop" &
	KC=$!
	ktoken() {
		ktok=$(ip netns exec "$S" ss -MnHi state established 2>/dev/null | grep -o 'token:[0-9a-f]*' | head -1)
		[ -n "$ktok" ]
	}
	ktok=""
	xb_wait_until 10 ktoken
	ktok=${ktok#token:}
	xb_kstat "$S" >"$d/kb"
	forge join "$d/ka" --dport 5008 --token "$(printf %08x $((RANDOM << 16 | RANDOM)))"
	forge join-badack "$d/kbad" --dport 5008 --token "${ktok:-0}"
	# the kernel counts as it answers: wait for both counters to move
	kcounted() {
		xb_kstat "$S" >"$d/ka2"
		[ "$(kdelta MPJoinNoTokenFound "$d/kb" "$d/ka2")" -ge 1 ] &&
			[ "$(kdelta MPJoinAckHMacFailure "$d/kb" "$d/ka2")" -ge 1 ]
	}
	xb_wait_until 5 kcounted
	touch "$d/kstop"
	kill "$KC" "$KS" 2>/dev/null
	wait "$KC" "$KS" 2>/dev/null
	[ "$(mj "$d/ka" 'd["syn_reply"]')" = rst ] && [ "$(kdelta MPJoinNoTokenFound "$d/kb" "$d/ka2")" = 1 ] &&
		ok "forge_reference_kernel_unknown_token_rst_counted" ||
		not_ok "forge_reference_kernel_unknown_token_rst_counted" "$(cat "$d/ka" "$d/ka.err")" \
			"kernel counters moved: $(kmoved "$d/kb" "$d/ka2")"
	[ "$(mj "$d/kbad" 'd["synack_mp_join"] and d["ack_reply"] == "rst" and any(m["sub"] == "MP_TCPRST" for m in d["ack_reply_detail"]["opts"].get("mptcp", []))')" = True ] &&
		[ "$(kdelta MPJoinAckHMacFailure "$d/kb" "$d/ka2")" = 1 ] &&
		ok "forge_reference_kernel_bad_hmac_rst_counted" ||
		not_ok "forge_reference_kernel_bad_hmac_rst_counted" "kernel token '$ktok'" "$(cat "$d/kbad" "$d/kbad.err")" \
			"kernel counters moved: $(kmoved "$d/kb" "$d/ka2")"

	# the packet socket sees what a daemon sends through AF_XDP: a plain SYN
	# to a listener gets a SYN-ACK (the tool then resets it); a listener of
	# its own, whose exit status does not matter
	mkdir -p "$d/p"
	XB_TMO=20 srv "$d/p" 5007 0 --count 0 || not_ok "forge_probe_server_up" "$(tail -n 5 "$d/p/s.err")"
	PPID_=$XB_PID
	forge syn "$d/probe" --dport 5007
	[ "$(mj "$d/probe" 'd["syn_reply"] == "synack" and d["synack_acks_syn"]')" = True ] &&
		ok "forge_plain_syn_gets_synack_from_ours" ||
		not_ok "forge_plain_syn_gets_synack_from_ours" "$(cat "$d/probe" "$d/probe.err")" \
			"$(tail -n 4 "$d/p/s.err")"
	kill -TERM "$PPID_" 2>/dev/null
	wait "$PPID_" 2>/dev/null
	XB_TMO=90 srv "$d" 5006 65536 --count 0 || not_ok "forged_server_up" "$(tail -n 5 "$d/s.err")"
	SPID=$XB_PID
	# (a) unknown token
	ctl "$S" "$d/s.ctl" stats -j >"$d/st0" 2>&1
	forge join "$d/a" --dport 5006 --token "$(printf %08x $((RANDOM << 16 | RANDOM)))"
	[ "$(mj "$d/a" 'd["syn_reply"]')" = rst ] && ok "forged_join_unknown_token_gets_rst" ||
		not_ok "forged_join_unknown_token_gets_rst" "$(cat "$d/a" "$d/a.err")"
	nt0=$(mjs "$d/st0" 'd["join"]["MPJoinNoTokenFound"]')
	# counted by the time the RST left; a deadline in case the stats lag
	counted() { # FILE COUNTER BEFORE
		ctl "$S" "$d/s.ctl" stats -j >"$1" 2>&1
		[ "$(mjs "$1" "d['join']['$2']")" != "$3" ]
	}
	xb_wait_until 5 counted "$d/st1" MPJoinNoTokenFound "$nt0"
	nt1=$(mjs "$d/st1" 'd["join"]["MPJoinNoTokenFound"]')
	[ -n "$nt0" ] && [ -n "$nt1" ] && [ $((nt1 - nt0)) = 1 ] && ok "forged_join_unknown_token_counted" ||
		not_ok "forged_join_unknown_token_counted" "MPJoinNoTokenFound $nt0 -> $nt1 (want +1)" \
			"stats: $(head -c 1200 "$d/st1")"
	# (b) a live connection's token, then a wrong HMAC in the third ACK
	# the client sends until stopped (60 s at most): the connection is live
	# when the forged join comes, however fast the machine
	XB_TMO=90 cli "$d" 5006 60s --pm none
	live_token() {
		ctl "$S" "$d/s.ctl" conns -j >"$d/conns.json" 2>/dev/null || return 1
		tok=$(mjs "$d/conns.json" '[c["local_token"] for c in d if c.get("recv", 0) > 0][0]')
		[ -n "$tok" ]
	}
	tok=""
	xb_wait_until 20 live_token
	ctl "$S" "$d/s.ctl" stats -j >"$d/st2" 2>&1
	if [ -n "$tok" ]; then
		forge join-badack "$d/b" --dport 5006 --token "$tok"
	else
		echo '{"error": "no live connection token"}' >"$d/b"
		: >"$d/b.err"
	fi
	xb_wait_until 5 counted "$d/st3" MPJoinAckHMacFailure "$(mjs "$d/st2" 'd["join"]["MPJoinAckHMacFailure"]')"
	running=no
	alive "$CPID" && running=yes
	stop_cli
	wait_rc rc_c "$CPID"
	# the server's summary is written as its side closes
	xb_wait_until 10 grep -q "10.231.1.1:" "$d/s"
	kill -TERM "$SPID" 2>/dev/null
	wait_rc rc_s "$SPID"
	echo "# forged join: token $tok, transfer still running after the forged ACK: $running"
	[ "$(mj "$d/b" 'd["syn_reply"] == "synack" and d["synack_mp_join"]')" = True ] &&
		ok "forged_join_live_token_gets_synack_mp_join" ||
		not_ok "forged_join_live_token_gets_synack_mp_join" "$(cat "$d/b" "$d/b.err")"
	[ "$(mj "$d/b" 'd["ack_reply"] == "rst" and any(m["sub"] == "MP_TCPRST" for m in d["ack_reply_detail"]["opts"].get("mptcp", []))')" = True ] &&
		ok "forged_join_bad_hmac_gets_rst_mp_tcprst" ||
		not_ok "forged_join_bad_hmac_gets_rst_mp_tcprst" "$(cat "$d/b" "$d/b.err")" \
			"transfer still running after the forged ACK: $running"
	h2=$(mjs "$d/st2" 'd["join"]["MPJoinAckHMacFailure"]')
	h3=$(mjs "$d/st3" 'd["join"]["MPJoinAckHMacFailure"]')
	[ -n "$h2" ] && [ -n "$h3" ] && [ $((h3 - h2)) = 1 ] && ok "forged_join_bad_hmac_counted" ||
		not_ok "forged_join_bad_hmac_counted" "MPJoinAckHMacFailure $h2 -> $h3 (want +1)" \
			"transfer still running after the forged ACK: $running" \
			"stats: $(head -c 1200 "$d/st3")"
	[ "$rc_c" = 0 ] && [ "$rc_s" = 0 ] && ok "forged_join_daemons_exit_0" ||
		not_ok "forged_join_daemons_exit_0" "client $rc_c server $rc_s" "$(tail -n 4 "$d/c.err" "$d/s.err")"
	grep "10.231.1.1:" "$d/s" | tail -1 >"$d/s.conn"
	cp "$d/s.err" "$d/s.conn.err" 2>/dev/null
	xb_check_bytes forged_join_transfer_sha256 "$d/c" "$d/s.conn" +1
	expect forged_join_no_subflow_created "$d/s.conn" \
		"len(sfs(d)) == 1 and d.get('subflows_opened') == 1 and not any(ip(s['remote']) == '10.231.1.9' for s in sfs(d))"
fi


# --- 7. ndiffports: several subflows on one address pair ---------------------
if want 7; then
	d="$XB_TMP/ndiff" && mkdir -p "$d"
	XB_TMO=90 srv "$d" 5017 65536 ||
		not_ok "ndiffports_server_up" "$(tail -n 5 "$d/s.err")"
	SPID=$XB_PID
	# until stopped, once the 3 subflows each sent data: a fixed size may
	# be over before the joins on a fast machine
	XB_TMO=90 cli "$d" 5017 60s --pm ndiffports=3 --sched rr
	mid_ndiff() {
		! alive "$CPID" || sub_holds "$C" "$d/c.ctl" "$d/sub.json" \
			'len(l) >= 3 and all(s["bytes_sent"] > 0 for s in l)'
	}
	xb_wait_until 30 mid_ndiff || echo "# ndiffports: not 3 subflows with data after 30 s"
	stop_cli
	wait_rc rc_c "$CPID"
	reap rc_s "$SPID"
	conn_line "$d"
	xb_check_ran ndiffports_completed "$rc_c $rc_s" "$d/c" "$d/s"
	xb_check_bytes ndiffports_sha256 "$d/c" "$d/s1" +1
	# 3 subflows, all 10.231.1.1 -> 10.231.1.2, 3 source ports, each used
	expect ndiffports_3_subflows_one_pair "$d/c" \
		"len(sfs(d)) == 3 and set(pairs(d)) == {('10.231.1.1', '10.231.1.2')} and len({s['local'] for s in sfs(d)}) == 3 and len(sent_on(d)) == 3"
fi

# --- 8. backup: a subflow flagged backup carries nothing while others work --
if want 8; then
	d="$XB_TMP/backup" && mkdir -p "$d"
	XB_TMO=90 srv "$d" 5018 "$SIZE" ||
		not_ok "backup_server_up" "$(tail -n 5 "$d/s.err")"
	SPID=$XB_PID
	# until stopped, once the 4 subflows (2 backups over xbc2) are
	# established and 4 MB went over: the backups exist to be left idle
	XB_TMO=90 cli "$d" 5018 60s --backup xbc2
	mid_backup() {
		! alive "$CPID" || { sub_holds "$C" "$d/c.ctl" "$d/sub.json" \
			'len(l) >= 4 and all(s["state"] == "ESTABLISHED" for s in l)' &&
			recv_past "$S" "$d/s.ctl" 4194304; }
	}
	xb_wait_until 30 mid_backup || echo "# backup: not 4 subflows established and 4 MB after 30 s"
	stop_cli
	wait_rc rc_c "$CPID"
	reap rc_s "$SPID"
	conn_line "$d"
	xb_check_ran backup_completed "$rc_c $rc_s" "$d/c" "$d/s"
	xb_check_bytes backup_c2s_sha256 "$d/c" "$d/s1" +1
	xb_check_bytes "backup_s2c_sha256_$SIZE" "$d/s1" "$d/c" "$SIZE"
	# the client's subflows over xbc2 are backups (its own and, through
	# the MP_JOIN B bit, the server's view); neither side sends on them
	# while the xbc1 subflows work (RFC 8684 3.3.8)
	expect backup_client_xbc2_flagged_and_idle "$d/c" \
		"[s for s in sfs(d) if s['iface'] == 'xbc2'] and all(s['backup'] and s['bytes_sent'] == 0 for s in sfs(d) if s['iface'] == 'xbc2') and all(not s['backup'] for s in sfs(d) if s['iface'] == 'xbc1')"
	expect backup_server_honours_b_bit "$d/s1" \
		"[s for s in sfs(d) if ip(s['remote']) == '10.231.2.1'] and all(s['backup'] and s['bytes_sent'] == 0 for s in sfs(d) if ip(s['remote']) == '10.231.2.1')"
fi


# --- 9. bad input: one line and exit 2 (usage) or 1 (refused) ---------------
# usage_err NAME WANT_RC CMD...: CMD exits WANT_RC with exactly one line on stderr
usage_err() {
	local name=$1 want=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = "$want" ] && [ "$(wc -l <<<"$out")" = 1 ] && ok "$name" ||
		not_ok "$name" "exit $rc (want $want): $out"
}
if want 9; then
	usage_err xmptcpd_bad_pm_exit_2 2 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 --pm meshy
	usage_err xmptcpd_bad_ndiffports_exit_2 2 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 --pm ndiffports=0
	usage_err xmptcpd_bad_cc_exit_2 2 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 --cc vegas
	usage_err xmptcpd_bad_rcvbuf_exit_2 2 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 --rcvbuf 1K
	for v in 0 -1 1x nan 86401; do
		usage_err "xmptcpd_bad_send_time_${v//[^0-9a-z]/_}_exit_2" 2 "$XMPTCPD" --iface lo \
			--listen 10.0.0.1:1 --send-time "$v"
	done
	usage_err xmptcpd_send_time_past_timeout_exit_2 2 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 \
		--send-time 30 --timeout 30
	usage_err xmptcpd_send_time_proxy_exit_2 2 "$XMPTCPD" --iface lo --client 127.0.0.1:1=10.0.0.1:1 \
		--send-time 5
	usage_err xmptcpd_bad_max_subflows_exit_2 2 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 --max-subflows 99
	usage_err xmptcpd_backup_not_an_iface_exit_2 2 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 --backup eth9
	usage_err xmptcpd_unknown_sched_exit_1 1 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 --sched nosuch
	usage_err xmptcpd_sched_load_not_a_policy_exit_1 1 "$XMPTCPD" --iface lo --listen 10.0.0.1:1 \
		--sched-load "$XMPTCPD"
	usage_err sched_no_verb_exit_2 2 "$XMPTCP" sched
	usage_err sched_bad_verb_exit_2 2 "$XMPTCP" sched frobnicate
	d="$XB_TMP/errs" && mkdir -p "$d"
	XB_TMO=20 srv "$d" 5019 0 --count 0 || not_ok "errs_server_up" "$(tail -n 5 "$d/s.err")"
	SPID=$XB_PID
	usage_err sched_set_unknown_name_exit_1 1 ctl "$S" "$d/s.ctl" sched set nosuch
	usage_err sched_set_unknown_conn_exit_1 1 ctl "$S" "$d/s.ctl" sched set rr --conn 4242
	usage_err sched_load_missing_file_exit_1 1 ctl "$S" "$d/s.ctl" sched load /nonexistent/p.so
	usage_err sched_load_not_a_policy_exit_1 1 ctl "$S" "$d/s.ctl" sched load "$XMPTCPD"
	r=$(ctl "$S" "$d/s.ctl" sched list -j 2>&1)
	[ "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(sorted(p["name"] for p in d if p["builtin"]))' "$r" 2>/dev/null)" = "['blest', 'minrtt', 'redundant', 'rr']" ] &&
		ok "sched_list_still_the_builtins_after_errors" || not_ok "sched_list_still_the_builtins_after_errors" "$r"
	kill "$SPID" 2>/dev/null
	wait_rc rc_s "$SPID"
	[ "$rc_s" = 0 ] && ok "errs_server_survived_and_exits_0" || not_ok "errs_server_survived_and_exits_0" "exit $rc_s"
fi

xb_finish

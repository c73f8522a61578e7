#!/usr/bin/env bash
# A deleted network namespace's pins under a reused inode (issue 12). Pins
# live in /sys/fs/bpf/xmptcp/ns<netns inode> and the control socket at
# /run/xmptcp/ns<netns inode>.sock; the kernel hands a deleted namespace's
# inode to the next namespace, and container runtimes delete namespaces
# without `xmptcp detach`.
# Namespace A: attach, xmptcpd killed with SIGKILL (its socket file stays),
# A deleted without detach. Namespaces are then created until one gets A's
# inode (B). In B, on a new veth of the same name: xmptcpd refuses the
# stale pins in one line; status reports them in one line and shows
# nothing attached; attach succeeds and says in one line that it removed
# them; status -j lists only the new interface; xmptcpd (client) sends to
# the kernel's MPTCP server in namespace S, bytes checked by sha256 both
# ways; a daemon answers on the control socket path A's daemon left. Then
# B is deleted the same way and `detach --all` in the next namespace with
# that inode (C) removes the stale pins in one line.
source "$(dirname "$0")/../lib/net.sh"

XMPTCPD=${XMPTCPD:-$XB_BUILD/xmptcpd}
PY="$XB_LIBDIR/kpeer.py"

xb_require_root
xb_require_cmds ip nsenter python3 stat ethtool timeout
xb_require_xmptcp
[ -x "$XMPTCPD" ] || xb_skip_all "$XMPTCPD not built (make BUILD=...)"
xb_require_netns

A="xbnrA$$" S="xbnrS$$"
PIN="" INO="" CTL=""

ino_of() { stat -L -c %i "/var/run/netns/$1"; }

ino_in_use() {
	local f
	for f in /var/run/netns/*; do
		[ -e "$f" ] && [ "$(stat -L -c %i "$f")" = "$1" ] && return 0
	done
	return 1
}

# What a failed run leaves of a dead namespace (its inode not reused by a
# namespace the harness removes): not masking, as the checks are over.
nr_cleanup() {
	xb_cleanup
	[ -n "$INO" ] && ! ino_in_use "$INO" && rm -rf "$PIN" && rm -f "$CTL"
	rmdir /sys/fs/bpf/xmptcp 2>/dev/null
}
trap nr_cleanup EXIT

# path NS: NS xnr0 10.233.1.1 <-> S xnrs0 10.233.1.2, checksum offload off
# (AF_XDP frames carry no offload state), carrier up.
path() {
	xb_veth "$1" xnr0 10.233.1.1/24 "$S" xnrs0 10.233.1.2/24 || return 1
	ip netns exec "$1" ethtool -K xnr0 tx off >/dev/null 2>&1
	ip netns exec "$S" ethtool -K xnrs0 tx off >/dev/null 2>&1
	for _ in $(seq 50); do
		ip netns exec "$S" ping -c1 -W1 10.233.1.1 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# reuse NAME_PREFIX LABEL: creates namespaces until one gets inode $INO
# (kept, its name in REUSED), then deletes the others. The kernel hands out
# the lowest free inode, so the others stay until then to take up the free
# ones below $INO; and it frees a deleted namespace's inode from a work
# queue, later when the host is busy, hence up to 50 tries over ~10 s.
reuse() {
	local i n ino seen="" others=()
	REUSED=""
	for ((i = 0; i < 50; i++)); do
		n="$1$i"
		xb_ns_add "$n" || break
		ino=$(ino_of "$n")
		if [ "$ino" = "$INO" ]; then
			REUSED=$n
			break
		fi
		seen="$seen $ino"
		others+=("$n")
		sleep 0.2
	done
	for n in "${others[@]}"; do
		ip netns del "$n"
	done
	if [ -n "$REUSED" ]; then
		ok "inode_reused_by_$2"
		return 0
	fi
	not_ok "inode_reused_by_$2" "inode $INO never came back in $i namespaces; seen:$seen"
	return 1
}

# lines FILE: the count of non-empty lines
lines() { grep -c . "$1"; }

# json EXPR FILE: EXPR over the JSON document d in FILE
json() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2" 2>/dev/null ||
		echo "unreadable: $(head -c 300 "$2")"
}

# kill_ns NS: removes NS without detaching, as a container runtime does
kill_ns() {
	ip netns pids "$1" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$1"
}

# --- namespace A: attach, a daemon killed, deleted without detach ---------------
xb_ns_add "$A" && xb_ns_add "$S" && path "$A" || xb_skip_all "cannot build the veth topology"
PIN=$(xb_pin_dir "$A") INO=$(ino_of "$A") CTL="/run/xmptcp/ns$INO.sock"
if xb_attach "$A" xnr0; then
	ok "attach_first_ns"
else
	not_ok "attach_first_ns" "$(cat "$XB_TMP/attach.err")"
	xb_finish
fi
# (in a subshell that outlives it, so bash reports no killed job)
{
	xb_nsx "$A" "$XMPTCPD" --iface xnr0 --listen 10.233.1.1:5401 >"$XB_TMP/a.out" 2>"$XB_TMP/a.err"
	true
} &
pid=$!
for _ in $(seq 100); do
	grep -q "listening" "$XB_TMP/a.err" 2>/dev/null && break
	sleep 0.05
done
kill_ns "$A"
wait "$pid"
[ -S "$CTL" ] && ok "killed_daemon_left_ctl_socket" ||
	not_ok "killed_daemon_left_ctl_socket" "no $CTL" "$(cat "$XB_TMP/a.err")"
[ -d "$PIN/links" ] && ok "pins_outlive_deleted_ns" || not_ok "pins_outlive_deleted_ns" "no $PIN"

# --- namespace B: same inode, a new veth of the same name ------------------------
reuse "xbnrB$$_" ns_b || xb_finish
B=$REUSED
X() { xb_nsx "$B" "$XMPTCP" "$@"; }
path "$B" || not_ok "veth_in_reused_ns" "cannot build it"

rc=0
xb_nsx "$B" timeout 20 "$XMPTCPD" --iface xnr0 --connect 10.233.1.2:5402 --timeout 5 \
	>"$XB_TMP/d.out" 2>"$XB_TMP/d.err" || rc=$?
if [ "$rc" -ne 0 ] && [ "$(lines "$XB_TMP/d.err")" = 1 ] &&
	grep -q "deleted network namespace.*run 'xmptcp attach xnr0'" "$XB_TMP/d.err"; then
	ok "xmptcpd_refuses_stale_pins_one_line"
else
	not_ok "xmptcpd_refuses_stale_pins_one_line" "exit $rc" "$(cat "$XB_TMP/d.err")"
fi

X status -j >"$XB_TMP/st0" 2>"$XB_TMP/st0.err"
if [ "$(json 'not d["attached"] and d["interfaces"] == []' "$XB_TMP/st0")" = True ] &&
	[ "$(lines "$XB_TMP/st0.err")" = 1 ] &&
	grep -q "left from a deleted network namespace (cookie [0-9]*)" "$XB_TMP/st0.err"; then
	ok "status_reports_stale_pins_not_attached"
else
	not_ok "status_reports_stale_pins_not_attached" "$(cat "$XB_TMP/st0" "$XB_TMP/st0.err")"
fi

if X -q attach xnr0 >"$XB_TMP/at.out" 2>"$XB_TMP/at.err"; then
	ok "attach_in_reused_ns"
else
	not_ok "attach_in_reused_ns" "$(cat "$XB_TMP/at.err")"
fi
want="^xmptcp attach: removed stale pins of a deleted network namespace (cookie [0-9]*) from $PIN\$"
[ "$(lines "$XB_TMP/at.err")" = 1 ] && grep -q "$want" "$XB_TMP/at.err" &&
	ok "attach_says_stale_pins_removed_one_line" ||
	not_ok "attach_says_stale_pins_removed_one_line" "$(cat "$XB_TMP/at.err")"

X status -j >"$XB_TMP/st1" 2>"$XB_TMP/st1.err"
[ "$(json '[(f["name"], f["present"], f["tc_attached"]) for f in d["interfaces"]] == [("xnr0", True, True)] and d["attached"]' "$XB_TMP/st1")" = True ] &&
	ok "status_lists_only_the_new_iface" ||
	not_ok "status_lists_only_the_new_iface" "$(cat "$XB_TMP/st1" "$XB_TMP/st1.err")"

# ours -> the kernel's MPTCP in S: 1 MB there, 64 KB back, sha256 both ways
rm -f "$XB_TMP/ready"
KPEER_TIMEOUT=30 xb_nsx "$S" timeout 60 python3 "$PY" server 10.233.1.2 5403 65536 "$XB_TMP/ready" \
	>"$XB_TMP/kernel" 2>"$XB_TMP/kernel.err" &
kpid=$!
rc=0
if xb_wait_file "$XB_TMP/ready" 10; then
	xb_nsx "$B" timeout 60 "$XMPTCPD" --iface xnr0 --connect 10.233.1.2:5403 \
		--send-bytes 1048576 --timeout 40 >"$XB_TMP/ours" 2>"$XB_TMP/ours.err" || rc=$?
else
	rc=100
fi
wait "$kpid" || rc=$((rc ? rc : 101))
ours=$(json '(d["sent"], d["sent_sha256"], d["recv"], d["recv_sha256"])' "$XB_TMP/ours")
kern=$(json '(d["recv"], d["recv_sha256"], d["sent"], d["sent_sha256"])' "$XB_TMP/kernel")
if [ "$rc" -eq 0 ] && [ "$ours" = "$kern" ] && [[ "$ours" = "(1048576, "*", 65536, "* ]]; then
	ok "transfer_in_reused_ns_sha256"
else
	not_ok "transfer_in_reused_ns_sha256" "exit $rc" "ours: $ours" "kernel: $kern" \
		"ours stderr: $(tail -5 "$XB_TMP/ours.err")" "kernel stderr: $(cat "$XB_TMP/kernel.err")"
fi

# the control socket path A's killed daemon left is this namespace's now
xb_nsx "$B" "$XMPTCPD" --iface xnr0 --listen 10.233.1.1:5404 --timeout 30 \
	>"$XB_TMP/l.out" 2>"$XB_TMP/l.err" &
pid=$!
for _ in $(seq 100); do
	grep -q "listening" "$XB_TMP/l.err" 2>/dev/null && break
	sleep 0.05
done
if X stats -j >"$XB_TMP/stats" 2>&1 && ! grep -q "another xmptcpd" "$XB_TMP/l.err"; then
	ok "ctl_socket_taken_over_in_reused_ns"
else
	not_ok "ctl_socket_taken_over_in_reused_ns" "$(cat "$XB_TMP/stats" "$XB_TMP/l.err")"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# --- namespace C: B's pins left the same way, removed by detach --all ------------
kill_ns "$B"
if reuse "xbnrC$$_" ns_c; then
	C=$REUSED
	if xb_nsx "$C" "$XMPTCP" detach --all >"$XB_TMP/dt.out" 2>"$XB_TMP/dt.err" &&
		[ "$(lines "$XB_TMP/dt.err")" = 1 ] && [ ! -e "$PIN" ] &&
		grep -q "^xmptcp detach: removed stale pins of a deleted network namespace (cookie [0-9]*) from $PIN\$" "$XB_TMP/dt.err"; then
		ok "detach_all_removes_stale_pins_one_line"
	else
		not_ok "detach_all_removes_stale_pins_one_line" "$(ls -R "$PIN" 2>&1 | head -5)" \
			"$(cat "$XB_TMP/dt.out" "$XB_TMP/dt.err")"
	fi
fi

xb_finish

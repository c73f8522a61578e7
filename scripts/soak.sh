#!/usr/bin/env bash
# Soak: xmptcpd for a long while on two bad paths that flap.
#
# Usage: scripts/soak.sh [options]      (root; `make soak SOAK_TIME=S` builds first)
#   -t, --time S         seconds of traffic per run [$SOAK_TIME, else 300]
#       --runs LIST      which runs, comma-separated: kernel, ours [kernel,ours]
#       --parallel N     connections at a time [4]
#       --loss PCT       frame loss per path and direction [10]
#       --dup PCT        duplicated frames [5]
#       --reorder PCT    frames sent ahead of the ones still held [5]
#       --delay MS       one-way delay [8]
#       --jitter MS      +- uniform jitter on the delay [0]: see below
#       --flap-every S   a link flap every S seconds, paths alternating [30]
#       --flap-hold S    seconds a flapped link stays down [2.5]
#       --stuck S        a connection without progress for S s is stuck [60]
#       --rss-tol MB     allowed RSS growth, idle after vs idle before; the
#                        larger of MB and 10% of before counts [8]
#       --seed N         relay and traffic seed [1]
#       --malloc T       GLIBC_TUNABLES of the daemons, '' for glibc's defaults
#                        [glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072]
#       --out DIR        results [$BUILD/soak]
#   -h, --help           this help
#
# Topology (tests/lib/netem.sh xn_two_paths, IPv4, XN_PFX=sk, 10.243.x):
#   C soakc<pid>: sk1c 10.243.1.1   [sk1ra xnetem sk1rb]   sk1s 10.243.1.2  S soaks<pid>
#               sk2c 10.243.2.1   [sk2ra xnetem sk2rb]   sk2s 10.243.2.2
# both relays in router namespace soakr<pid>, impaired both ways with the
# options above (static ARP: the loss hits TCP, not neighbour discovery).
# Reordering comes from --reorder (a frame skips the delay and overtakes
# the ones held, by up to --delay ms) rather than jitter: xnetem draws each
# frame's jitter independently, so any jitter above the microseconds
# between back-to-back frames reorders about half of them, the MP_CAPABLE
# third ACK behind the first DSS segments included, and then both the
# kernel and our server fall back to TCP (RFC 8684 3.7; net/mptcp/subflow.c
# "Even OoO DSS packets ... will cause fallback") on most connections: a
# soak of TCP, not of multipath. --jitter 3 runs that case.
# `xmptcp attach` on all four ends (XDP passes the kernel's own flows).
#
# Runs (one after the other, fresh daemons and relay counters each):
#   kernel  C: xmptcpd --client 127.0.0.1:7000=10.243.1.2:9000, fullmesh on
#           both interfaces; S: the kernel's MPTCP (python IPPROTO_MPTCP
#           server on 0.0.0.0:9000, `ip mptcp endpoint` signal 10.243.2.2,
#           limits 4/4) so our client joins both of its addresses.
#   ours    C as above; S: xmptcpd --server 10.243.1.2:9000=127.0.0.1:8000
#           (fullmesh, announces 10.243.2.2) in front of a TCP server.
# Traffic (tests/lib/soak_peer.py): apps in C connect through the client
# proxy; --parallel connections at a time, back to back for --time s, a
# third of them small (<= 64 KiB), the rest 0.25-3 MiB each way, both
# directions at once; every byte checked at its receiver as it arrives.
# First a warm-up connection (1 MiB each way) alone: RSS "before" is taken
# once it closed and the daemon lists no connection any more.
# Link flaps: every --flap-every s (first at half of it) both router ends
# of one path go down for --flap-hold s, paths alternating, so both
# endpoints lose carrier (the daemons see IFF_RUNNING drop over netlink,
# abort that path's subflows and reopen them when it comes back).
# Memory: VmRSS and VmHWM of each daemon every 2 s (CSV); "after" once the
# traffic ended and `xmptcp conns -j` lists nothing (TIME-WAIT included,
# 60 s). The daemons run with glibc's mmap and trim thresholds fixed at
# 128 KiB (--malloc): by default glibc raises its mmap threshold after the
# first large free, so later connection buffers (MiBs) come from the heap,
# which it keeps after they are freed; RSS then stays ~10 MiB above the
# baseline after churn without a leak, and the check would measure the
# allocator. With the thresholds fixed, freed buffers go back to the
# kernel and RSS follows what the daemon holds. Flat = after <= before + max(--rss-tol MB, 10% of before): one
# connection's buffers are 3 MiB (sndbuf 2M + rcvbuf 1M), so that bound is
# below what --parallel 4 connections hold at once, and a per-connection
# leak of 20 KiB shows over the few hundred connections of a 300 s run;
# allocator slack (glibc keeps freed chunks) stays well inside it.
# Failures: a byte wrong or missing, a connection stuck, a daemon error
# line, a connection left, RSS not flat, a daemon that does not exit 0 on
# SIGTERM, relays that did not lose/duplicate/reorder, flaps not seen.
#
# Output: TAP-like lines, a figures block per run; $OUT/soak.json (the
# figures and checks), $OUT/rss.csv (samples), $OUT/RUN/ (logs). Exit 0
# only when every check passed; 2 on bad arguments.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

die_usage() {
	echo "soak.sh: $*" >&2
	echo "Try 'scripts/soak.sh --help'." >&2
	exit 2
}

TIME=${SOAK_TIME:-300} RUNS=kernel,ours PAR=4 LOSS=10 DUP=5 REORDER=5 DELAY=8 JITTER=0
FLAP_EVERY=30 FLAP_HOLD=2.5 STUCK=60 RSS_TOL=8 SEED=1 OUT=
MALLOC=glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072
# numeric NAME VALUE [float]: a non-negative integer (or decimal)
numeric() {
	local re='^[0-9]+$'
	[ "${3:-}" = float ] && re='^[0-9]+([.][0-9]+)?$'
	[[ "$2" =~ $re ]] || die_usage "$1: not a non-negative number: '$2'"
}
while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	-h | --help) usage; exit 0 ;;
	-t | --time | --runs | --parallel | --loss | --dup | --reorder | --delay | --jitter | \
		--flap-every | --flap-hold | --stuck | --rss-tol | --seed | --out | --malloc)
		[ $# -ge 2 ] || die_usage "$opt needs a value"
		v=$2
		shift 2
		;;
	*) die_usage "unknown argument '$opt'" ;;
	esac
	case $opt in
	-t | --time) numeric "$opt" "$v" && TIME=$v ;;
	--runs) RUNS=$v ;;
	--parallel) numeric "$opt" "$v" && PAR=$v ;;
	--loss) numeric "$opt" "$v" float && LOSS=$v ;;
	--dup) numeric "$opt" "$v" float && DUP=$v ;;
	--reorder) numeric "$opt" "$v" float && REORDER=$v ;;
	--delay) numeric "$opt" "$v" float && DELAY=$v ;;
	--jitter) numeric "$opt" "$v" float && JITTER=$v ;;
	--flap-every) numeric "$opt" "$v" && FLAP_EVERY=$v ;;
	--flap-hold) numeric "$opt" "$v" float && FLAP_HOLD=$v ;;
	--stuck) numeric "$opt" "$v" && STUCK=$v ;;
	--rss-tol) numeric "$opt" "$v" && RSS_TOL=$v ;;
	--seed) numeric "$opt" "$v" && SEED=$v ;;
	--out) OUT=$v ;;
	--malloc) MALLOC=$v ;;
	esac
done
numeric SOAK_TIME "$TIME"
[ "$TIME" -ge 10 ] || die_usage "--time: at least 10 s"
[ "$PAR" -ge 1 ] || die_usage "--parallel: at least 1"
[ "$FLAP_EVERY" -ge 5 ] || die_usage "--flap-every: at least 5 s"
for r in ${RUNS//,/ }; do
	case $r in kernel | ours) ;; *) die_usage "--runs: unknown run '$r' (kernel, ours)" ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "soak.sh: needs root (namespaces, XDP)" >&2; exit 1; }

# The namespace helpers: cleanup trap, TAP lines, relays (netem.sh).
source "$ROOT/tests/lib/net.sh"
XN_PFX=sk XN_NET4=10.243 XN_NO_IPV6=1
source "$ROOT/tests/lib/netem.sh"
PEER="$ROOT/tests/lib/soak_peer.py"
OUT=${OUT:-$XB_BUILD/soak}
for b in "$XMPTCP" "$XMPTCPD" "$XNETEM"; do
	[ -x "$b" ] || { echo "soak.sh: $b not built (make all, BUILD=$XB_BUILD)" >&2; exit 1; }
done
for c in ip nsenter python3 ethtool timeout ss; do
	command -v "$c" >/dev/null || { echo "soak.sh: missing command $c" >&2; exit 1; }
done

# names of our own: tests/net/test_scale.sh uses xsc/xss<pid>
C="soakc$$" S="soaks$$" R="soakr$$"
CA1=10.243.1.1 SA1=10.243.1.2 SA2=10.243.2.2
NETEM=(--delay "$DELAY" --jitter "$JITTER" --loss "$LOSS" --dup "$DUP" --reorder "$REORDER")
BG=()	# host-side helpers (sampler, flapper) to stop on exit

# Always: helpers first, then every process of our namespaces (daemons,
# relays, peers: TERM, then KILL after 3 s so none outlives its
# namespace), then net.sh's cleanup (detach, pins, namespaces, tmp).
soak_cleanup() {
	local p ns i
	trap - INT TERM
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	for ns in "$C" "$S" "$R"; do
		[ -e "/var/run/netns/$ns" ] && ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	for ((i = 0; i < 30; i++)); do
		p=
		for ns in "$C" "$S" "$R"; do
			[ -e "/var/run/netns/$ns" ] && p+=$(ip netns pids "$ns" 2>/dev/null)
		done
		[ -z "$p" ] && break
		sleep 0.1
	done
	for ns in "$C" "$S" "$R"; do
		[ -e "/var/run/netns/$ns" ] && ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	done
	xb_cleanup
	# xb_cleanup's `ip netns del` is silent; say so if a name is left
	for ns in "$C" "$S" "$R"; do
		for ((i = 0; i < 10; i++)); do
			[ -e "/var/run/netns/$ns" ] || break
			ip netns del "$ns" 2>>"$OUT/cleanup.err" || sleep 0.2
		done
		[ -e "/var/run/netns/$ns" ] && echo "# soak: cannot remove namespace $ns: $(tail -n 1 "$OUT/cleanup.err")" >&2
	done
}
trap soak_cleanup EXIT
trap 'echo "# interrupted" >&2; exit 130' INT TERM

# --- helpers -------------------------------------------------------------

# dstats SOCK NS: "active time_wait" of the daemon behind control socket SOCK
dstats() {
	xb_nsx "$2" "$XMPTCP" stats -j --ctl "$1" 2>/dev/null |
		sed -n 's/.*"active":\([0-9]*\),"time_wait":\([0-9]*\).*/\1 \2/p'
}

# rss PID: "VmRSS VmHWM" in kB
rss() { awk '/^VmRSS:/ {r=$2} /^VmHWM:/ {h=$2} END {print r+0, h+0}' "/proc/$1/status" 2>/dev/null; }

# wait_idle SECS NAME:SOCK:NS...: until every daemon lists no connection
# (active and TIME-WAIT 0); non-zero if SECS passed first.
wait_idle() {
	local secs=$1 d t0=$SECONDS busy
	shift
	while :; do
		busy=0
		for d in "$@"; do
			IFS=: read -r _ _ sock ns <<<"$d"
			[ "$(dstats "$sock" "$ns")" = "0 0" ] || busy=1
		done
		[ "$busy" = 0 ] && return 0
		[ $((SECONDS - t0)) -ge "$secs" ] && return 1
		sleep 1
	done
}

# sampler RUN CSV T0 NAME:PID:SOCK:NS...: every 2 s one CSV row per daemon
sampler() {
	local run=$1 csv=$2 t0=$3 d name pid sock ns
	shift 3
	while :; do
		for d in "$@"; do
			IFS=: read -r name pid sock ns <<<"$d"
			read -r r h <<<"$(rss "$pid")"
			read -r a w <<<"$(dstats "$sock" "$ns")"
			echo "$run,$(($(date +%s) - t0)),$name,$pid,${r:-},${h:-},${a:-},${w:-}" >>"$csv"
		done
		sleep 2
	done
}

# flapper T FILE: a flap every FLAP_EVERY s from FLAP_EVERY/2 on, path 1
# then 2 then 1..., while it ends before T; one line "t_down t_up path"
# per flap. Both router ends go down: each endpoint loses carrier.
flapper() {
	local t=$1 f=$2 t0=$SECONDS at=$((FLAP_EVERY / 2)) k=0 p ra rb
	while python3 -c "import sys; sys.exit(not $at + $FLAP_HOLD < $t)"; do
		sleep $((at - (SECONDS - t0))) 2>/dev/null
		p=$((k % 2 + 1)) ra=$(xn_if $p ra) rb=$(xn_if $p rb)
		local td=$((SECONDS - t0))
		ip -n "$R" link set "$ra" down && ip -n "$R" link set "$rb" down
		sleep "$FLAP_HOLD"
		ip -n "$R" link set "$ra" up && ip -n "$R" link set "$rb" up
		echo "$td $((SECONDS - t0)) $p" >>"$f"
		k=$((k + 1)) at=$((at + FLAP_EVERY))
	done
}

# stop_pid PID SECS: TERM, wait up to SECS; the exit status in STOP_RC
# (KILL and 137 if it would not go). PID must be a child of this shell,
# and this not run in $(...): wait sees only the shell's own children.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	STOP_RC=$?
}


# --- topology ------------------------------------------------------------

rm -rf "$OUT" && mkdir -p "$OUT" || { echo "soak.sh: cannot create $OUT" >&2; exit 1; }
echo "run,t_s,daemon,pid,rss_kb,hwm_kb,active,time_wait" >"$OUT/rss.csv"
echo "# soak: $TIME s per run ($RUNS), $PAR connections at a time, seed $SEED"
echo "# every path, both directions: xnetem ${NETEM[*]}"
echo "# flaps: a path down ${FLAP_HOLD} s every ${FLAP_EVERY} s, alternating; stuck after ${STUCK} s"
echo "# daemons' GLIBC_TUNABLES: ${MALLOC:-none (glibc defaults)}"

if ! xn_two_paths 1 2 "$C" "$S" "$R"; then
	not_ok "two_path_relayed_topology" "$(cat "$(xn_netem_log 1)" "$(xn_netem_log 2)" 2>/dev/null)"
	exit 1
fi
# limits for the kernel run: our client joins both of the kernel's addresses
if ! xn_static_arp 1 || ! xn_static_arp 2 ||
	! ip -n "$C" mptcp limits set subflows 4 add_addr_accepted 4 ||
	! ip -n "$S" mptcp limits set subflows 4 add_addr_accepted 4; then
	not_ok "static_arp_and_mptcp_limits"
	exit 1
fi
if ! xb_attach "$C" sk1c sk2c || ! xb_attach "$S" sk1s sk2s; then
	not_ok "attach_xdp_four_ends" "$(cat "$XB_TMP/attach.err")"
	exit 1
fi
ok "two_path_relayed_topology_attached"

# --- one run -------------------------------------------------------------

RUN_JSONS=()
soak_run() {
	local run=$1 d="$OUT/$1" seed_off spid cpid dpids=() daemons=() tpid fpid smpid rc t0 i
	mkdir -p "$d"
	# a port per run: the kernel's TIME-WAIT sockets of the kernel run
	# would keep the ours server from reserving the same one
	local port=9000 seed_off=0
	[ "$run" = ours ] && port=9001 seed_off=100
	echo "# --- run $run: ours <-> $([ "$run" = kernel ] && echo "kernel MPTCP" || echo ours)"

	# fresh relays (counters from 0) with this run's seeds
	xn_netem_set 1 "${NETEM[@]}" --seed $((SEED + seed_off + 1)) &&
		xn_netem_set 2 "${NETEM[@]}" --seed $((SEED + seed_off + 2)) ||
		{ not_ok "${run}_relays_started" "$(tail -n 2 "$(xn_netem_log 1)" "$(xn_netem_log 2)")"; return; }

	# the server side
	if [ "$run" = kernel ]; then
		ip -n "$S" mptcp endpoint flush
		ip -n "$S" mptcp endpoint add "$SA2" dev sk2s signal
		nsenter --net="/var/run/netns/$S" python3 "$PEER" server --addr 0.0.0.0 --port "$port" \
			--proto mptcp --out "$d/server.jsonl" --ready "$d/server.ready" >"$d/server.log" 2>&1 &
		spid=$!
	else
		ip -n "$S" mptcp endpoint flush
		nsenter --net="/var/run/netns/$S" python3 "$PEER" server --addr 127.0.0.1 --port 8000 \
			--proto tcp --out "$d/server.jsonl" --ready "$d/server.ready" >"$d/server.log" 2>&1 &
		spid=$!
		# nsenter execs the daemon: $! is its pid (the one to sample)
		env ${MALLOC:+GLIBC_TUNABLES="$MALLOC"} nsenter --net="/var/run/netns/$S" "$XMPTCPD" --iface sk1s --iface sk2s --pm fullmesh \
			--server "$SA1:$port=127.0.0.1:8000" --ctl "$d/s.ctl" \
			>"$d/sdaemon.jsonl" 2>"$d/sdaemon.err" &
		dpids+=($!)
		daemons+=("server:$!:$d/s.ctl:$S")
	fi
	env ${MALLOC:+GLIBC_TUNABLES="$MALLOC"} nsenter --net="/var/run/netns/$C" "$XMPTCPD" --iface sk1c --iface sk2c --pm fullmesh \
		--client "127.0.0.1:7000=$SA1:$port" --ctl "$d/c.ctl" \
		>"$d/cdaemon.jsonl" 2>"$d/cdaemon.err" &
	dpids=("$!" "${dpids[@]}")
	daemons=("client:$!:$d/c.ctl:$C" "${daemons[@]}")

	# everything listening: the peer's ready file, the proxies' sockets
	all_up() {
		[ -s "$d/server.ready" ] && xb_listens "$C" 7000 && [ -S "$d/c.ctl" ] &&
			{ [ "$run" = kernel ] || { xb_listens "$S" 8000 && [ -S "$d/s.ctl" ]; }; }
	}
	if ! xb_wait_until 10 all_up; then
		not_ok "${run}_daemons_up" "$(tail -n 5 "$d"/*.err "$d/server.log" 2>/dev/null)"
		return
	fi
	ok "${run}_daemons_up"

	# warm-up: one connection alone; then the idle baseline
	if xb_nsx "$C" timeout $((STUCK + 60)) python3 "$PEER" client --addr 127.0.0.1 --port 7000 \
		--once 1048576,1048576 --seed "$SEED" --stuck "$STUCK" --out "$d/warmup.jsonl" \
		>"$d/warmup.log" 2>&1; then
		ok "${run}_warmup_1MiB_each_way_byte_exact"
	else
		not_ok "${run}_warmup_1MiB_each_way_byte_exact" "$(cat "$d/warmup.jsonl" "$d/warmup.log")"
	fi
	local dd
	wait_idle 120 "${daemons[@]}" ||
		not_ok "${run}_idle_after_warmup" "$(for dd in "${daemons[@]}"; do
			IFS=: read -r _ _ sock ns <<<"$dd"; xb_nsx "$ns" "$XMPTCP" conns -j --ctl "$sock"; done)"
	for dd in "${daemons[@]}"; do
		IFS=: read -r name pid _ _ <<<"$dd"
		rss "$pid" >"$d/$name.rss_before"
	done

	# the soak: traffic, flaps and samples for TIME s
	t0=$(date +%s)
	sampler "$run" "$OUT/rss.csv" "$t0" "${daemons[@]}" &
	smpid=$!
	BG+=("$smpid")
	: >"$d/flaps"
	flapper "$TIME" "$d/flaps" &
	fpid=$!
	BG+=("$fpid")
	xb_nsx "$C" timeout $((TIME + STUCK + 180)) python3 "$PEER" client --addr 127.0.0.1 --port 7000 \
		--duration "$TIME" --parallel "$PAR" --seed $((SEED + seed_off)) --stuck "$STUCK" \
		--out "$d/client.jsonl" >"$d/client.log" 2>&1 &
	tpid=$!
	wait "$tpid"
	rc=$?
	[ "$rc" = 0 ] || not_ok "${run}_traffic_client_exit" "exit $rc" "$(tail -n 5 "$d/client.log")"
	wait "$fpid"
	echo "# $run: traffic ended after $(($(date +%s) - t0)) s; waiting for the daemons to list no connection"

	# the end: every connection gone (TIME-WAIT included), then RSS after
	local idle=1
	wait_idle 150 "${daemons[@]}" || idle=0
	for dd in "${daemons[@]}"; do
		IFS=: read -r name pid sock ns <<<"$dd"
		rss "$pid" >"$d/$name.rss_after"
		xb_nsx "$ns" "$XMPTCP" conns -j --ctl "$sock" >"$d/$name.conns_end.json" 2>&1
		xb_nsx "$ns" "$XMPTCP" stats -j --ctl "$sock" >"$d/$name.stats_end.json" 2>&1
	done
	kill "$smpid" 2>/dev/null
	wait "$smpid" 2>/dev/null
	xn_netem_stats 1 >"$d/relay1.json"
	xn_netem_stats 2 >"$d/relay2.json"

	# stop: daemons by SIGTERM (exit 0 expected), then the peer server
	: >"$d/exit_codes"
	for dd in "${daemons[@]}"; do
		IFS=: read -r name pid _ _ <<<"$dd"
		stop_pid "$pid" 10
		echo "$name $STOP_RC" >>"$d/exit_codes"
	done
	stop_pid "$spid" 5
	ip -n "$S" mptcp endpoint flush

	# figures and checks
	SOAK_PAR=$PAR python3 "$ROOT/scripts/soak_check.py" "$run" "$d" "$TIME" "$RSS_TOL" "$FLAP_EVERY" \
		"$FLAP_HOLD" "$idle" "${daemons[@]}" >"$d/checks"
	local st name detail
	while IFS=$'\t' read -r st name detail; do
		if [ "$st" = ok ]; then ok "$name"; else not_ok "$name" "$detail"; fi
	done <"$d/checks"
	[ -s "$d/summary.json" ] || { not_ok "${run}_summary" "the summary script failed"; return; }
	RUN_JSONS+=("$d/summary.json")
	python3 "$ROOT/scripts/soak_figures.py" "$d/summary.json"
}

for r in ${RUNS//,/ }; do
	soak_run "$r"
done

# soak.json: parameters, every run's figures and checks, the verdict
python3 - "$OUT/soak.json" "$xb_nfail" "$TIME" "$PAR" "$SEED" "${NETEM[*]}" "$FLAP_EVERY" \
	"$FLAP_HOLD" "$STUCK" "$RSS_TOL" "$MALLOC" "${RUN_JSONS[@]}" <<'PY'
import json, sys
out, nfail, T, par, seed, netem, every, hold, stuck, tol, malloc = sys.argv[1:12]
json.dump({"daemon_glibc_tunables": malloc,"ok": nfail == "0", "failures": int(nfail), "seconds_per_run": int(T), "parallel": int(par),
           "seed": int(seed), "xnetem_each_path_each_way": netem, "flap_every_s": int(every),
           "flap_hold_s": float(hold), "stuck_after_s": int(stuck), "rss_tolerance_mb": int(tol),
           "runs": [json.load(open(p)) for p in sys.argv[12:]]}, open(out, "w"), indent=1)
PY
echo "# results: $OUT/soak.json, RSS samples $OUT/rss.csv, logs $OUT/<run>/"
[ "$xb_nfail" -eq 0 ] && [ "$xb_npass" -gt 0 ] && exit 0
exit 1

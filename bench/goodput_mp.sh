#!/usr/bin/env bash
# Two-path goodput: xmptcpd (ours) against and next to the kernel's MPTCP
# over two veth paths, every figure a ratio to kernel MPTCP over both paths
# measured in the same invocation; one row per xmptcpd scheduler.
#
# Topology (tests/lib/net.sh xb_two_paths): namespace C xgmc<pid> and S
# xgms<pid> joined by two veth pairs, unshaped, MTU 1500,
#   path 1: xbc1 10.231.1.1 <-> xbs1 10.231.1.2
#   path 2: xbc2 10.231.2.1 <-> xbs2 10.231.2.2
# The kernel's path manager as xb_two_paths sets it (limits subflows 2
# add_addr_accepted 2 both ends, a `subflow` endpoint 10.231.2.1 dev xbc2 in
# C) unless a row says otherwise. Every connection goes to 10.231.1.2, data
# C -> S, N bytes per run. Rows:
#   kmptcp2    kernel MPTCP -> kernel MPTCP, both paths (the reference: it
#              fails unless >= 2 subflows received data)
#   kmptcp1    kernel MPTCP -> kernel MPTCP, path 1 only (no endpoint,
#              limits 0 both ends): what one path gives (context)
#   ours2k     xmptcpd --iface xbc1 --iface xbc2 (fullmesh, minrtt) ->
#              kernel MPTCP server on 0.0.0.0 (S limits subflows 4
#              add_addr_accepted 4, so any join is taken)
#   k2ours     kernel MPTCP client -> xmptcpd --listen --sink on xbs1+xbs2
#              (fullmesh: it announces 10.231.2.2, the kernel may join it)
#   ours2ours-SCHED  xmptcpd -> xmptcpd, --sched SCHED on the sender, for
#              SCHED in minrtt rr redundant blest
# Conventions of bench/goodput.sh, which this follows: `ethtool -K tx off`
# on all four veth ends (AF_XDP frames carry no checksum offload state);
# xmptcp's XDP attached (native, else generic) on both interfaces of a
# namespace only for the rows where xmptcpd runs there, detached after;
# kernel peers set TCP_CONGESTION (--cc, cubic; an MPTCP socket hands it to
# its subflows, which are not coupled in the kernel); xmptcpd gets --cc
# cubic too (--ours-cc lia|olia|... for its coupled ones), so the rows
# compare like with like. --ours-args adds options to both xmptcpd ends
# (e.g. "--no-reinject"), for experiments.
#
# Goodput = N / seconds, seconds measured by the receiver for every row:
# kernel (bench/goodput_mp_peer.py server, goodput_peer.py's receiver):
# accept() returning to the read that returns EOF; xmptcpd: its summary's
# "seconds", SYN arrival to close. CPU: user+system seconds of both
# endpoint processes per GB (see goodput.sh for what that leaves out).
# Subflows that carried data, counted by the receiver: the kernel's
# MPTCP_TCPINFO (tcpi_bytes_received per subflow, read after the last byte,
# before close), xmptcpd's bytes_rcvd per subflow in its JSON summary; for an
# xmptcpd sender also its bytes_sent per subflow. The server-side veth rx
# bytes of each path go to the CSV as a check independent of the endpoints.
# Every run: sender's SHA-256 == receiver's, byte counts == N, no fallback,
# no error, exit 0; otherwise the run is FAILED. Each endpoint gives up
# after --timeout SECS (default 30, or N at 50 Mbit/s if longer); a row
# whose run hit it is not run again in later reps (its reps are FAILED), so
# one stuck row costs the run one timeout, not R.
#
# Usage: BUILD=build bench/goodput_mp.sh [--bytes N[K|M|G]] [--reps R]
#        [--rows kmptcp2,kmptcp1,...] [--csv PATH] [--timeout SECS]
#        [--cc NAME] [--ours-cc NAME] [--ours-args "XMPTCPD OPTIONS"]
#        (no options: those in $GOODPUT_MP_ARGS, e.g. "--bytes 64M --reps 1")
# Exit 0 all runs ok, 1 some run failed, 4 cannot run here (root,
# namespaces, binaries).
set -u
cd "$(dirname "$0")/.." || exit 1
XB_TEST=goodput_mp
source tests/lib/net.sh

XMPTCPD=${XMPTCPD:-$XB_BUILD/xmptcpd}
GP="$XB_ROOT/bench/goodput_peer.py"
MP="$XB_ROOT/bench/goodput_mp_peer.py"
BYTES=128M
REPS=3
SCHEDS="minrtt rr redundant blest"
# shellcheck disable=SC2086 # one row per scheduler
ROWS="kmptcp2,kmptcp1,ours2k,k2ours$(printf ',ours2ours-%s' $SCHEDS)"
CSV="$XB_BUILD/bench/goodput_mp.csv"
TMO=		# default: 30 s, longer if N at 50 Mbit/s takes longer
CC=cubic
OURS_CC=cubic
OURS_ARGS=""

usage() {
	sed -n '/^# Usage:/,/^# Exit/p' "$0" | sed 's/^# \{0,1\}//'
	exit "$1"
}
# shellcheck disable=SC2086 # a list of options
[ $# -eq 0 ] && [ -n "${GOODPUT_MP_ARGS:-}" ] && set -- $GOODPUT_MP_ARGS
while [ $# -gt 0 ]; do
	case $1 in
	--bytes) BYTES=${2:?}; shift 2 ;;
	--reps) REPS=${2:?}; shift 2 ;;
	--rows) ROWS=${2:?}; shift 2 ;;
	--csv) CSV=${2:?}; shift 2 ;;
	--timeout) TMO=${2:?}; shift 2 ;;
	--cc) CC=${2:?}; shift 2 ;;
	--ours-cc) OURS_CC=${2:?}; shift 2 ;;
	--ours-args) OURS_ARGS=${2?}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "goodput_mp: unknown option '$1'" >&2; usage 2 ;;
	esac
done
[[ $BYTES =~ ^[0-9]+[kKmMgG]?$ && $REPS =~ ^[1-9][0-9]*$ && ${TMO:-1} =~ ^[1-9][0-9]*$ ]] ||
	{ echo "goodput_mp: --bytes N[K|M|G], --reps R >= 1, --timeout SECS >= 1" >&2; exit 2; }
case $BYTES in
*[kK]) N=$((${BYTES%?} << 10)) ;;
*[mM]) N=$((${BYTES%?} << 20)) ;;
*[gG]) N=$((${BYTES%?} << 30)) ;;
*) N=$((BYTES)) ;;
esac
[ "$N" -gt 0 ] || { echo "goodput_mp: --bytes must be > 0" >&2; exit 2; }
[ -n "$TMO" ] || TMO=$((N * 8 / 50000000 > 30 ? N * 8 / 50000000 : 30))

# row id -> "label|sender|receiver|sender's scheduler|kernel PM setup|min subflows with data"
declare -A ROW=(
	[kmptcp2]="kernel MPTCP -> kernel MPTCP, 2 paths|kernel|kernel||two|2"
	[kmptcp1]="kernel MPTCP -> kernel MPTCP, 1 path|kernel|kernel||one|0"
	[ours2k]="ours (minrtt) -> kernel MPTCP|ours|kernel|minrtt|ours2k|0"
	[k2ours]="kernel MPTCP -> ours|kernel|ours||two|0"
)
for s in $SCHEDS; do
	ROW[ours2ours-$s]="ours ($s) -> ours|ours|ours|$s|two|0"
done
IFS=, read -r -a rows <<<"$ROWS"
for r in "${rows[@]}"; do
	[ -n "${ROW[$r]:-}" ] || { echo "goodput_mp: unknown row '$r' (known: ${!ROW[*]})" >&2; exit 2; }
done

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout
case ",$ROWS," in
*ours*) xb_require_xmptcp
	xb_require_bin "$XMPTCPD" ;;
esac
xb_require_netns

C="xgmc$$" S="xgms$$"
xb_two_paths "$C" "$S" || xb_skip_all "cannot build the two-path topology"
xb_tx_off "$C" xbc1 xbc2
xb_tx_off "$S" xbs1 xbs2
xb_wait_ping "$C" 10.231.1.2
xb_wait_ping "$C" 10.231.2.2

# pm two|one|ours2k: the kernel's path manager for the next row
pm() {
	local sf=2 ns
	ip -n "$C" mptcp endpoint flush 2>/dev/null
	case $1 in
	one) sf=0 ;;
	two | ours2k) ip -n "$C" mptcp endpoint add 10.231.2.1 dev xbc2 subflow ;;
	esac
	for ns in "$C" "$S"; do
		ip -n "$ns" mptcp limits set subflows $sf add_addr_accepted $sf
	done
	[ "$1" = ours2k ] && ip -n "$S" mptcp limits set subflows 4 add_addr_accepted 4
	return 0
}
attach() { # NS IF1 IF2 -> prints the XDP mode
	if xb_nsx "$1" "$XMPTCP" -q attach "$2" "$3" --mode native >/dev/null 2>"$XB_TMP/attach.err"; then
		echo native
	elif xb_nsx "$1" "$XMPTCP" -q attach "$2" "$3" --mode generic >/dev/null 2>>"$XB_TMP/attach.err"; then
		echo generic
	else
		echo "goodput_mp: xmptcp attach $2 $3 failed: $(tail -1 "$XB_TMP/attach.err")" >&2
		return 1
	fi
}
detach() { xb_nsx "$1" "$XMPTCP" -q detach --all >/dev/null 2>&1; }
paths() { # server-side rx bytes of both paths, "IF BYTES" lines
	local i
	for i in 1 2; do
		echo "xbs$i $(ip netns exec "$S" cat /sys/class/net/xbs$i/statistics/rx_bytes)"
	done
}

# run_one ROW REP PORT: one transfer; appends its record to $RESULTS
run_one() {
	local id=$1 rep=$2 port=$3 label snd rcv sched pmode minsf d rpid xdp=none m sa=() t0
	IFS='|' read -r label snd rcv sched pmode minsf <<<"${ROW[$id]}"
	d="$XB_TMP/$id.$rep"
	mkdir -p "$d"
	echo "$snd" >"$d/snd.kind"
	echo "$rcv" >"$d/rcv.kind"
	if [ -n "${TIMED_OUT[$id]:-}" ]; then
		echo "{\"row\":\"$id\",\"rep\":$rep,\"label\":\"$label\",\"status\":\"FAILED: not run, rep ${TIMED_OUT[$id]} hit the ${TMO} s timeout\"}" >>"$RESULTS"
		echo "# rep $rep $id not run: rep ${TIMED_OUT[$id]} hit the $TMO s timeout"
		fail=1
		return
	fi
	pm "$pmode"
	if [ "$snd" = ours ]; then
		m=$(attach "$C" xbc1 xbc2) || m=failed
		xdp="client:$m"
	fi
	if [ "$rcv" = ours ]; then
		m=$(attach "$S" xbs1 xbs2) || m=failed
		if [ "$xdp" = none ]; then xdp="server:$m"; else xdp="both:$m"; fi
	fi
	printf '{"run":"%s","label":"%s","offloads":"tx-off","proto":"mptcp","xdp":"%s"}\n' \
		"$RUN" "$label" "$xdp" >"$d/meta.json"
	paths >"$d/paths.before"

	t0=$SECONDS
	# receiver (server) in S
	if [ "$rcv" = kernel ]; then
		xb_nsx "$S" timeout $((TMO + 30)) python3 "$MP" server 0.0.0.0 "$port" \
			--cc "$CC" --ready "$d/ready" >"$d/rcv.json" 2>"$d/rcv.err" &
		rpid=$!
		xb_wait_file "$d/ready" 10
	else
		# shellcheck disable=SC2086 # OURS_ARGS is a list of options
		xb_nsx "$S" timeout $((TMO + 30)) python3 "$GP" rusage "$d/rcv.rusage" -- \
			"$XMPTCPD" --iface xbs1 --iface xbs2 --listen 10.231.1.2:"$port" --sink \
			--cc "$OURS_CC" --ctl none --timeout "$TMO" $OURS_ARGS >"$d/rcv.json" 2>"$d/rcv.err" &
		rpid=$!
		for _ in $(seq 200); do
			grep -q listening "$d/rcv.err" 2>/dev/null && break
			sleep 0.05
		done
	fi
	# sender (client) in C
	if [ "$snd" = kernel ]; then
		xb_nsx "$C" timeout $((TMO + 30)) python3 "$GP" client 10.231.1.2 "$port" \
			--proto mptcp --cc "$CC" --bytes "$N" --seed "$rep" >"$d/snd.json" 2>"$d/snd.err"
	else
		[ -n "$sched" ] && sa=(--sched "$sched")
		# shellcheck disable=SC2086 # OURS_ARGS is a list of options
		xb_nsx "$C" timeout $((TMO + 30)) python3 "$GP" rusage "$d/snd.rusage" -- \
			"$XMPTCPD" --iface xbc1 --iface xbc2 --connect 10.231.1.2:"$port" \
			--send-bytes "$N" --seed "$rep" --pm fullmesh "${sa[@]}" --cc "$OURS_CC" \
			--ctl none --timeout "$TMO" $OURS_ARGS >"$d/snd.json" 2>"$d/snd.err"
	fi
	wait "$rpid"
	[ $((SECONDS - t0)) -ge "$TMO" ] && TIMED_OUT[$id]=$rep && echo "$TMO" >"$d/timed_out"
	paths >"$d/paths.after"
	case $xdp in client:* | both:*) detach "$C" ;; esac
	case $xdp in server:* | both:*) detach "$S" ;; esac
	python3 "$MP" judge "$id" "$rep" "$d" "$N" "$minsf" >>"$RESULTS" ||
		echo "{\"row\":\"$id\",\"rep\":$rep,\"label\":\"$label\",\"status\":\"FAILED: no record\"}" >>"$RESULTS"
	tail -1 "$RESULTS" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
v = "%.0f Mbit/s" % r["mbps"] if r.get("mbps") else ""
sf = "sf %s/%s (%s)" % (r["sf_used_rcv"], r["sf_open_rcv"], r.get("sf_split_rcv")) \
    if r.get("sf_used_rcv") is not None else ""
print("# rep %s %-19s %-11s %-16s %s" % (r["rep"], r["row"], v, sf, r["status"]))'
	case $(tail -1 "$RESULTS") in *'"status": "ok"'*) ;; *)
		for f in snd.err rcv.err; do
			[ -s "$d/$f" ] && tail -3 "$d/$f" | sed "s/^/#   $f: /"
		done
		fail=1 ;;
	esac
}

declare -A TIMED_OUT=()	# row -> the rep that hit the timeout: later reps are not run
RUN=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$XB_TMP/results.jsonl"
: >"$RESULTS"
mkdir -p "$(dirname "$CSV")"
fail=0
echo "# goodput_mp: $N bytes per run, $REPS reps, two unshaped veth paths (MTU 1500), data C->S"
echo "# $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "# tx-off on all four veth ends; congestion control: kernel $CC, xmptcpd $OURS_CC"
[ -n "$OURS_ARGS" ] && echo "# xmptcpd options added: $OURS_ARGS"
port=5600
for ((rep = 1; rep <= REPS; rep++)); do
	for id in "${rows[@]}"; do
		run_one "$id" "$rep" "$port"
		port=$((port + 1))
	done
done
pm two
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
ref=kmptcp2
case ",$ROWS," in *,kmptcp2,*) ;; *) ref=${rows[0]} ;; esac
python3 "$MP" report "$RESULTS" "$CSV" "$ref"
# the same as a PNG next to the CSV (a missing gnuplot costs the plot only)
python3 "$XB_ROOT/bench/goodput_plot.py" "$CSV" "${CSV%.csv}.png" "$ref" \
	"two unshaped veth paths: goodput (ratio to kernel MPTCP over both paths) and CPU" ||
	echo "# no plot: gnuplot missing or failed (make deps installs it)"
exit $fail
